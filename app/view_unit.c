// view_unit.c - one unit of the network view worked out with the live
// network's own numbers (s->host.network_net): a ReLU cell (the map before
// and after), a dense unit's weighted sum with its largest products, the
// softmax with its numbers, what flatten and dropout do; stepping from cell
// to cell; the opener of the pooling view on a real pooled map; the plan of
// the screen, which the layout and the renderer (view_unit_render.c) share.
// Opened by a click in the network view (Esc returns there).
#include "view_unit.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "keys.h"
#include "view_cnn.h"
#include "views.h"

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// ---- The arithmetic ------------------------------------------------------------------------------

const float *unit_layer_input(const nn_net *net, const float *net_input, int layer) {
    return layer == 0 ? net_input : net->out[layer - 1];
}

static const nn_layer *layer_of_(const nn_net *net, int layer) {
    return net && layer >= 0 && layer < net->model->n_layers ? &net->model->layers[layer] : NULL;
}

bool unit_dense_terms(const nn_net *net, const float *net_input, int layer, int unit, unit_dense *d) {
    const nn_layer *ly = layer_of_(net, layer);
    memset(d, 0, sizeof *d);
    if (!ly || ly->spec.kind != NN_LAYER_DENSE || unit < 0 || unit >= ly->out.c) return false;
    const int in_n = ly->in.c, out_n = ly->out.c;
    const float *x = unit_layer_input(net, net_input, layer);
    const float *column = net->params + net->slices[layer].weights + unit;
    d->in_n = in_n;
    d->bias = net->params[net->slices[layer].bias + unit];
    // The largest |products|, a pass each (a few hundred inputs, eight passes).
    for (int k = 0; k < UNIT_TOP_TERMS && k < in_n; k++) {
        int best = -1;
        float best_abs = -1;
        for (int i = 0; i < in_n; i++) {
            bool taken = false;
            for (int t = 0; t < k; t++) taken = taken || d->top[t].i == i;
            const float a = fabsf(x[i] * column[(size_t)i * out_n]);
            if (!taken && a > best_abs) best = i, best_abs = a;
        }
        const float w = column[(size_t)best * out_n];
        d->top[k] = (unit_term){best, x[best], w, x[best] * w};
        d->n_top = k + 1;
    }
    for (int k = 0; k < d->n_top; k++) d->top_sum += d->top[k].product;
    for (int i = 0; i < in_n; i++) {
        const float p = x[i] * column[(size_t)i * out_n];
        d->abs_sum += fabsf(p);
        bool listed = false;
        for (int k = 0; k < d->n_top; k++) listed = listed || d->top[k].i == i;
        if (listed) continue;
        d->rest_sum += p;
        d->n_rest++;
    }
    d->written = d->top_sum + d->rest_sum + d->bias;
    d->z = nn_dense_neuron(x, column, out_n, d->bias, in_n);
    d->logit = layer + 1 < net->model->n_layers && net->model->layers[layer + 1].spec.kind == NN_LAYER_SOFTMAX;
    return true;
}

bool unit_softmax_terms(const nn_net *net, const float *net_input, int layer, unit_softmax *o) {
    const nn_layer *ly = layer_of_(net, layer);
    memset(o, 0, sizeof *o);
    if (!ly || ly->spec.kind != NN_LAYER_SOFTMAX || ly->in.c > UNIT_MAX_CLASSES || ly->in.c < 1) return false;
    const float *z = unit_layer_input(net, net_input, layer);
    o->n = ly->in.c;
    memcpy(o->z, z, sizeof(float) * (size_t)o->n);
    // e and their sum as the engine's softmax makes them (act.c), for the
    // screen; p from the engine's own function.
    o->max = z[0];
    for (int i = 1; i < o->n; i++) o->max = z[i] > o->max ? z[i] : o->max;
    for (int i = 0; i < o->n; i++) {
        o->e[i] = expf(z[i] - o->max);
        o->sum += o->e[i];
    }
    nn_softmax_forward(o->p, z, 1, o->n);
    for (int i = 0; i < o->n; i++) {
        o->p_sum += o->p[i];
        if (o->p[i] > o->p[o->winner]) o->winner = i;
    }
    return true;
}

static bool is_act_(nn_layer_kind k) { return k == NN_LAYER_RELU || k == NN_LAYER_SIGMOID || k == NN_LAYER_TANH; }

bool unit_act_cell(const nn_net *net, const float *net_input, int layer, int channel, int row, int col,
                   float *before, float *after) {
    const nn_layer *ly = layer_of_(net, layer);
    if (!ly || !is_act_(ly->spec.kind) || channel < 0 || channel >= ly->out.c || row < 0 || row >= ly->out.h ||
        col < 0 || col >= ly->out.w)
        return false;
    const size_t idx = ((size_t)channel * ly->out.h + row) * ly->out.w + col;
    *before = unit_layer_input(net, net_input, layer)[idx];
    *after = net->out[layer][idx];
    return true;
}

// ---- Opening -------------------------------------------------------------------------------------

// "test image #3 (a 0)", "your drawing", "the dropped picture x.png".
static void input_name_(const app_state *s, char *buf, size_t size) {
    switch (s->network.source) {
    case NET_SOURCE_DRAWING: snprintf(buf, size, "your drawing"); return;
    case NET_SOURCE_DROPPED: snprintf(buf, size, "the dropped picture %s", s->drop.name); return;
    default: cnn_image_name(s, buf, size); return;
    }
}

void unit_open(app_state *s, app_view back) {
    s->unit.playing = false;
    s->unit.clock_ms = 0;
    s->hover.grid = GRID_NONE;
    s->back_view = back;
    s->view = VIEW_UNIT;
}

bool unit_open_pool(app_state *s, const nn_net *net, const float *net_input, int layer, int channel, int row,
                    int col, app_view back, char *why, size_t why_size) {
    const nn_layer *ly = layer_of_(net, layer);
    if (!ly || (ly->spec.kind != NN_LAYER_MAXPOOL && ly->spec.kind != NN_LAYER_AVGPOOL)) {
        snprintf(why, why_size, "layer %d is not a pooling layer", layer + 1);
        return false;
    }
    const nn_pool_geom *g = &ly->pool;
    const nn_pool_config *c = &g->cfg;
    if (c->in_h > VIEW_MAX_N || c->in_w > VIEW_MAX_N) {
        snprintf(why, why_size, "layer %d's maps are %dx%d: the pooling view shows maps up to %dx%d", layer + 1,
                 c->in_h, c->in_w, VIEW_MAX_N, VIEW_MAX_N);
        return false;
    }
    if (c->in_h < VIEW_MIN_N || c->in_w < VIEW_MIN_N || c->size_h != c->size_w || c->size_h > VIEW_MAX_K ||
        c->stride < 1 || c->stride > 4 || c->pad > 3) {
        snprintf(why, why_size, "layer %d pools %dx%d windows with stride %d and padding %d: the pooling view shows "
                 "square windows up to %dx%d, stride 1 to 4, padding up to 3, on maps of %dx%d or more",
                 layer + 1, c->size_h, c->size_w, c->stride, c->pad, VIEW_MAX_K, VIEW_MAX_K, VIEW_MIN_N, VIEW_MIN_N);
        return false;
    }
    if (channel < 0 || channel >= c->c || row < 0 || row >= g->out_h || col < 0 || col >= g->out_w) {
        snprintf(why, why_size, "layer %d has %d maps of %dx%d: map %d, (%d, %d) is not one of its cells", layer + 1,
                 c->c, g->out_h, g->out_w, channel + 1, row, col);
        return false;
    }
    pool_setup p = {.n_h = c->in_h, .n_w = c->in_w, .size = c->size_h, .stride = c->stride, .pad = c->pad};
    const float *in = unit_layer_input(net, net_input, layer) + (size_t)channel * c->in_h * c->in_w;
    for (int y = 0; y < c->in_h; y++)
        for (int x = 0; x < c->in_w; x++) p.input[y][x] = in[y * c->in_w + x];
    s->digit = -1;  // the view shows this map, not a digit of its own
    if (!app_set_pool(s, &p)) {
        snprintf(why, why_size, "the pooling view cannot show layer %d: %s", layer + 1, s->pool.why);
        return false;
    }
    s->hover.grid = GRID_NONE;
    s->back_view = back;
    s->view = VIEW_POOL;
    const app_action jump = {.kind = ACT_JUMP_TO_OUTPUT, .row = row, .col = col};
    view_get(VIEW_POOL)->update(s, &jump);
    char name[200];
    input_name_(s, name, sizeof name);
    snprintf(s->status, sizeof s->status,
             "layer %d (%s pooling), map %d on %s, output (%d, %d): the network's own numbers  -  Esc goes back",
             layer + 1, ly->spec.kind == NN_LAYER_MAXPOOL ? "max" : "average", channel + 1, name, row, col);
    return true;
}

// ---- The selection and stepping ---------------------------------------------------------------------

// The selected layer of the live net, or NULL (no net, no selection, not in this model).
static const nn_layer *selected_layer_(const app_state *s) {
    const nn_net *net = s->host.network_net;
    if (!net || !s->network.has_selection || s->network.selected.grid != GRID_NET) return NULL;
    return layer_of_(net, s->network.selected.layer);
}

// The selected unit as an index into the layer's output (its cells in [c][h][w] order).
static int selected_index_(const app_state *s, const nn_layer *ly) {
    const cell_ref *c = &s->network.selected;
    return (clampi_(c->channel, 0, ly->out.c - 1) * ly->out.h + clampi_(c->row, 0, ly->out.h - 1)) * ly->out.w +
           clampi_(c->col, 0, ly->out.w - 1);
}

static void select_index_(app_state *s, const nn_layer *ly, int index) {
    const int plane = ly->out.h * ly->out.w;
    index = clampi_(index, 0, ly->out.c * plane - 1);
    cell_ref *c = &s->network.selected;
    c->channel = index / plane;
    c->row = index % plane / ly->out.w;
    c->col = index % ly->out.w;
}

// One step of `what` (UNIT_STEP_*) in direction dir (+1, -1); false at an end.
static bool step_(app_state *s, int what, int dir) {
    const nn_layer *ly = selected_layer_(s);
    if (!ly) return false;
    const int at = selected_index_(s, ly), plane = ly->out.h * ly->out.w;
    int to = at + dir;
    if (what == UNIT_STEP_MAP) to = at + dir * plane;
    else if (what == UNIT_STEP_ROW && ly->out.rank == 3) to = at + dir * ly->out.w;
    if (to < 0 || to >= ly->out.c * plane || (what == UNIT_STEP_ROW && ly->out.rank == 3 && to / plane != at / plane))
        return false;
    select_index_(s, ly, to);
    return true;
}

static void update_(app_state *s, const app_action *a) {
    const nn_layer *ly = selected_layer_(s);
    unit_view *u = &s->unit;
    switch (a->kind) {
    case ACT_STEP_FORWARD:
    case ACT_STEP_BACK:
        u->playing = false;
        step_(s, a->value, a->kind == ACT_STEP_FORWARD ? 1 : -1);
        return;
    case ACT_RESTART:
    case ACT_TO_END:
        if (!ly) return;
        u->playing = false;
        {
            // The first or last cell of the map (of the vector).
            const int plane = ly->out.h * ly->out.w, map = selected_index_(s, ly) / plane;
            select_index_(s, ly, ly->out.rank == 3 ? map * plane + (a->kind == ACT_TO_END ? plane - 1 : 0)
                                                   : (a->kind == ACT_TO_END ? ly->out.c - 1 : 0));
        }
        return;
    case ACT_JUMP_TO_OUTPUT:  // a click on a cell of the close-ups
        if (!ly) return;
        u->playing = false;
        if (ly->out.rank == 3) {
            s->network.selected.row = clampi_(a->row, 0, ly->out.h - 1);
            s->network.selected.col = clampi_(a->col, 0, ly->out.w - 1);
        } else {
            s->network.selected.channel = clampi_(a->col, 0, ly->out.c - 1);
        }
        return;
    case ACT_PLAY_PAUSE:
        u->playing = !u->playing && ly;
        u->clock_ms = 0;
        return;
    case ACT_LOAD_DIGIT:  // --digit N: the test image the network reads (as in the CNN view)
        if (s->host.n_digits > 0)
            s->inspect = a->value < 0 ? (s->inspect + 1) % s->host.n_digits : a->value % s->host.n_digits;
        return;
    case ACT_FASTER: u->speed = clampi_(u->speed + 1, 0, app_speed_count() - 1); return;
    case ACT_SLOWER: u->speed = clampi_(u->speed - 1, 0, app_speed_count() - 1); return;
    default: return;
    }
}

// Playing: a cell forward at the speed, stopping at the layer's last.
static void tick_(app_state *s, double ms) {
    unit_view *u = &s->unit;
    if (!u->playing) return;
    u->clock_ms += ms;
    const double every = 1000.0 / app_speed_value(u->speed);
    while (u->playing && u->clock_ms >= every) {
        u->clock_ms -= every;
        if (!step_(s, UNIT_STEP_CELL, 1)) u->playing = false;
    }
}

static void reset_(app_state *s) { s->unit = (unit_view){.playing = false, .speed = 1, .clock_ms = 0}; }

// ---- What is written -----------------------------------------------------------------------------

static void add_line_(unit_plan *p, int style, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_line_(unit_plan *p, int style, const char *fmt, ...) {
    if (p->n_lines >= UNIT_MAX_LINES) return;
    unit_line *ln = &p->lines[p->n_lines++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ln->text, sizeof ln->text, fmt, ap);
    va_end(ap);
    ln->style = style;
}

static const char *v_(float v, char buf[32]) {
    fmt_screen(v, buf, 32);
    return buf;
}

// "dense(84)" for layer index i.
static void layer_words_(const nn_net *net, int i, char *buf, int size) {
    nn_layer_spec_format(&net->model->layers[i].spec, buf, size);
}

static const char *act_name_(nn_layer_kind k) {
    return k == NN_LAYER_RELU ? "max(0, x)" : k == NN_LAYER_SIGMOID ? "sigmoid(x) = 1 / (1 + e^-x)"
                                                                   : "tanh(x)";
}

static void act_lines_(unit_plan *p, const app_state *s, const nn_layer *ly) {
    const nn_net *net = s->host.network_net;
    const int L = s->network.selected.layer, idx = selected_index_(s, ly);
    const float *in = unit_layer_input(net, s->host.network_input, L);
    const float before = in[idx], after = net->out[L][idx];
    const nn_layer_kind k = ly->spec.kind;
    char b[32], a[32], where[96];
    const int plane = ly->out.h * ly->out.w;
    if (ly->out.rank == 3)
        snprintf(where, sizeof where, "map %d, row %d, col %d", idx / plane + 1, idx % plane / ly->out.w,
                 idx % ly->out.w);
    else
        snprintf(where, sizeof where, "unit %d", idx);
    if (k == NN_LAYER_RELU)
        add_line_(p, UNIT_LINE_BOLD, "%s:  max(0, %s) = %s", where, v_(before, b), v_(after, a));
    else
        add_line_(p, UNIT_LINE_BOLD, "%s:  %s(%s) = %s", where, k == NN_LAYER_SIGMOID ? "sigmoid" : "tanh",
                  v_(before, b), v_(after, a));
    // How many of this map (vector) the ReLU set to 0.
    const int first = ly->out.rank == 3 ? idx / plane * plane : 0, n = ly->out.rank == 3 ? plane : ly->out.c;
    int negative = 0;
    for (int i = first; i < first + n; i++) negative += in[i] < 0;
    if (k == NN_LAYER_RELU) {
        char count[16];
        if (negative == n) snprintf(count, sizeof count, "all");
        else snprintf(count, sizeof count, "%d", negative);
        add_line_(p, UNIT_LINE_BODY, "ReLU keeps a positive value and makes a negative one 0: %s of the %d values of "
                  "this %s were negative and are 0 after it.", count, n, ly->out.rank == 3 ? "map" : "vector");
    } else {
        add_line_(p, UNIT_LINE_BODY, "%s squashes every value, one cell at a time; nothing else changes.",
                  act_name_(k));
    }
}

// The dense unit's sum with k of its largest products listed.
// compact: the shorter sentences, without the note on the order of addition.
static void dense_lines_(unit_plan *p, const app_state *s, const unit_dense *d, int k, bool compact) {
    const nn_net *net = s->host.network_net;
    const int L = s->network.selected.layer, j = s->network.selected.channel;
    char t1[32], t2[32], t3[32];
    if (compact)
        add_line_(p, UNIT_LINE_BODY, "z = w . x + b, %d inputs; the %d largest products:", d->in_n, k);
    else
        add_line_(p, UNIT_LINE_BODY, "z = w . x + b: the %d inputs x_i times their weights w_i, added, plus the "
                  "bias. The %d largest products:", d->in_n, k);
    add_line_(p, UNIT_LINE_MONO, "%6s %10s %10s %11s", "i", "x_i", "w_i", "x_i * w_i");
    float rest = d->rest_sum;
    for (int t = k; t < d->n_top; t++) rest += d->top[t].product;
    for (int t = 0; t < k && t < d->n_top; t++)
        add_line_(p, UNIT_LINE_MONO, "%6d %10s %10s %11s", d->top[t].i, v_(d->top[t].x, t1), v_(d->top[t].w, t2),
                  v_(d->top[t].product, t3));
    const int more = d->in_n - ui_min(k, d->n_top);
    char label[64];
    snprintf(label, sizeof label, "+ %d more product%s", more, more == 1 ? "" : "s");
    add_line_(p, UNIT_LINE_MONO, "%-28s %11s", label, v_(rest, t1));
    add_line_(p, UNIT_LINE_MONO, "%-28s %11s", "+ bias b", v_(d->bias, t1));
    add_line_(p, UNIT_LINE_MONO_STRONG, "%-28s %11s", "= z (the network's value)", v_(d->z, t1));
    // Float addition depends on the order: the listed order may end a digit apart.
    v_(d->written, t2);
    if (!compact && strcmp(t1, t2) != 0)
        add_line_(p, UNIT_LINE_MUTED, "Added in the order listed the sum is %s: the network adds x_0 w_0 first, "
                  "then x_1 w_1, ..., and float rounding depends on the order.", t2);
    if (d->logit && compact) {
        add_line_(p, UNIT_LINE_BOLD, "z is a logit: the softmax (layer %d) gives p = %s.", L + 2,
                  v_(net->out[L + 1][j], t1));
    } else if (d->logit) {
        add_line_(p, UNIT_LINE_BOLD, "z is a logit: the softmax (layer %d) turns the logits into probabilities; "
                  "for class %d it gives p = %s.", L + 2, j, v_(net->out[L + 1][j], t1));
    } else if (L + 1 < net->model->n_layers) {
        char next[64];
        layer_words_(net, L + 1, next, sizeof next);
        add_line_(p, UNIT_LINE_MUTED, "next, layer %d (%s) takes z: it gives %s.", L + 2, next,
                  v_(net->out[L + 1][j], t1));
    }
}

// level 0: everything; 1: without why the max is taken off; 2: without the last sentence either.
static void softmax_lines_(unit_plan *p, const app_state *s, const unit_softmax *o, int level) {
    const int L = s->network.selected.layer, sel = s->network.selected.channel;
    char t1[32], t2[32], t3[32], t4[32], prev[64] = "the input";
    if (L > 0) layer_words_(s->host.network_net, L - 1, prev, sizeof prev);
    if (level == 0)
        add_line_(p, UNIT_LINE_BODY, "p = e^(z - max) / sum: the %d logits z of layer %d (%s) made into "
                  "probabilities.", o->n, L, prev);
    else
        add_line_(p, UNIT_LINE_BODY, "p = e^(z - max) / sum, z from layer %d (%s):", L, prev);
    if (level == 0)
        add_line_(p, UNIT_LINE_MUTED, "The largest z (%s) is taken off first: e^z of a large z would overflow, and "
                  "the p stay the same.", v_(o->max, t1));
    add_line_(p, UNIT_LINE_MONO, "%5s %9s %10s %10s", "class", "z", "e^(z-max)", "p");
    for (int i = 0; i < o->n; i++) {
        char row[160], cls[16];
        snprintf(cls, sizeof cls, "%s%d", i == sel ? "> " : "", i);
        snprintf(row, sizeof row, "%5s %9s %10s %10s%s", cls, v_(o->z[i], t1), v_(o->e[i], t2), v_(o->p[i], t3),
                 i == o->winner ? " winner" : "");
        add_line_(p, i == sel ? UNIT_LINE_MONO_STRONG : i == o->winner ? UNIT_LINE_WIN : UNIT_LINE_MONO, "%s", row);
    }
    add_line_(p, UNIT_LINE_MONO, "%-15s %10s %10.6f", "  sum", v_(o->sum, t1), o->p_sum);
    if (level < 2)
        add_line_(p, UNIT_LINE_BOLD, "The network says %d (p = %s); class %d: %s / %s = %s.", o->winner,
                  v_(o->p[o->winner], t1), sel, v_(o->e[sel], t2), v_(o->sum, t3), v_(o->p[sel], t4));
}

static void note_lines_(unit_plan *p, const app_state *s, const nn_layer *ly) {
    const nn_net *net = s->host.network_net;
    const int L = s->network.selected.layer, idx = selected_index_(s, ly);
    const float *in = unit_layer_input(net, s->host.network_input, L);
    char t1[32], t2[32], prev[64] = "the input";
    if (L > 0) layer_words_(net, L - 1, prev, sizeof prev);
    switch (ly->spec.kind) {
    case NN_LAYER_FLATTEN: {
        const int H = ly->in.h, W = ly->in.w, c = idx / (H * W), r = idx % (H * W) / W, q = idx % W;
        add_line_(p, UNIT_LINE_BODY, "Flatten only reorders: it lays the %d maps of %dx%d of layer %d (%s) out in "
                  "one row, map after map, row after row.", ly->in.c, H, W, L, prev);
        add_line_(p, UNIT_LINE_BOLD, "unit k = (c x %d + row) x %d + col, c the map counted from 0: unit %d is "
                  "map %d (c = %d), row %d, col %d.", H, W, idx, c + 1, c, r, q);
        add_line_(p, UNIT_LINE_MONO, "(%d x %d + %d) x %d + %d = %d", c, H, r, W, q, (c * H + r) * W + q);
        add_line_(p, UNIT_LINE_MONO_STRONG, "value: %s before, %s after", v_(in[idx], t1), v_(net->out[L][idx], t2));
        return;
    }
    case NN_LAYER_DROPOUT:
        add_line_(p, UNIT_LINE_BODY, "Dropout drops units at random only while training. Used on a picture, as "
                  "here, it passes every value on unchanged.");
        add_line_(p, UNIT_LINE_MONO_STRONG, "unit %d: %s in, %s out", idx, v_(in[idx], t1), v_(net->out[L][idx], t2));
        return;
    case NN_LAYER_CONV:
        add_line_(p, UNIT_LINE_BODY, "A convolution unit: its window, the filter's weights and the bias are worked "
                  "out in the convolution view. Esc, then click the unit in the network view.");
        add_line_(p, UNIT_LINE_MONO_STRONG, "value: %s", v_(net->out[L][idx], t1));
        return;
    case NN_LAYER_MAXPOOL:
    case NN_LAYER_AVGPOOL:
        add_line_(p, UNIT_LINE_BODY, "A pooling unit: its window is worked out in the pooling view. Esc, then click "
                  "the unit in the network view.");
        add_line_(p, UNIT_LINE_MONO_STRONG, "value: %s", v_(net->out[L][idx], t1));
        return;
    default:
        add_line_(p, UNIT_LINE_MONO_STRONG, "value: %s", v_(net->out[L][idx], t1));
        return;
    }
}

// The title and the input line.
static void heading_(unit_plan *p, const app_state *s, const nn_layer *ly) {
    const nn_net *net = s->host.network_net;
    const cell_ref *c = &s->network.selected;
    char spec[64], name[200];
    nn_layer_spec_format(&ly->spec, spec, sizeof spec);
    const int idx = selected_index_(s, ly);
    if (ly->out.rank == 3)
        snprintf(p->title, sizeof p->title, "layer %d: %s, map %d of %d, row %d, col %d", c->layer + 1, spec,
                 idx / (ly->out.h * ly->out.w) + 1, ly->out.c, idx % (ly->out.h * ly->out.w) / ly->out.w,
                 idx % ly->out.w);
    else if (ly->spec.kind == NN_LAYER_SOFTMAX)
        snprintf(p->title, sizeof p->title, "layer %d: softmax, class %d of %d", c->layer + 1, idx, ly->out.c);
    else
        snprintf(p->title, sizeof p->title, "layer %d: %s, unit %d of %d", c->layer + 1, spec, idx, ly->out.c);
    input_name_(s, name, sizeof name);
    const long long steps = cnn_steps(s);
    if (steps == 0)
        snprintf(p->input, sizeof p->input, "on %s, with random weights (untrained)", name);
    else if (steps > 0)
        snprintf(p->input, sizeof p->input, "on %s, after %lld training step%s", name, steps, steps == 1 ? "" : "s");
    else
        snprintf(p->input, sizeof p->input, "on %s", name);
    (void)net;
}

// Why nothing can be shown, in a sentence.
static void why_(unit_plan *p, const app_state *s) {
    p->show = UNIT_SHOW_WHY;
    snprintf(p->title, sizeof p->title, "one unit worked out");
    const nn_net *net = s->host.network_net;
    if (!net && s->host.train_why[0])
        add_line_(p, UNIT_LINE_BODY, "No live network: %s", s->host.train_why);
    else if (!net)
        add_line_(p, UNIT_LINE_BODY, "The network has not run on its input yet (no live model or no test digits).");
    else if (!s->network.has_selection || s->network.selected.grid != GRID_NET)
        add_line_(p, UNIT_LINE_BODY, "No unit is selected: open the network view and click a unit there.");
    else if (s->network.selected.layer < 0)
        add_line_(p, UNIT_LINE_BODY, "The input is a picture, not a computed unit: choose a unit of a layer.");
    else
        add_line_(p, UNIT_LINE_BODY, "This model has %d layers: layer %d is not one of them (the model changed). "
                  "Choose a unit in the network view.", net->model->n_layers, s->network.selected.layer + 1);
}

// ---- Measures (as the renderer draws) -------------------------------------------------------------

static int measure_(const ui_metrics *m, const char *t, int px, bool mono, bool bold) {
    const int w = m ? m->text_width(m->ctx, t, px, mono) : (int)strlen(t) * px * 6 / 10;
    return bold ? w * 6 / 5 : w;  // bold is wider: rather a line too many than one cut off
}

// Lines a text takes wrapped at spaces to width w, as rd_text_wrap wraps it:
// each line as many words as fit, measured whole.
static int wrap_lines_(const ui_metrics *m, const char *t, int px, bool bold, int w) {
    int lines = 1;
    char line[256] = "";
    for (const char *q = t; *q;) {
        int n = 0;
        while (q[n] && q[n] != ' ') n++;
        char next[256];
        snprintf(next, sizeof next, "%s%s%.*s", line, line[0] ? " " : "", n, q);
        if (line[0] && measure_(m, next, px, false, bold) > w) {
            lines++;
            snprintf(line, sizeof line, "%.*s", n, q);
        } else {
            memcpy(line, next, sizeof line);
        }
        q += n;
        while (*q == ' ') q++;
    }
    return lines;
}

static bool mono_(int style) { return style == UNIT_LINE_MONO || style == UNIT_LINE_MONO_STRONG || style == UNIT_LINE_WIN; }

// The height the lines take at px in width w (0 if a line that must not wrap is too wide).
static int lines_h_(const unit_plan *p, const ui_metrics *m, int px, int w) {
    int h = 0;
    for (int i = 0; i < p->n_lines; i++) {
        const unit_line *ln = &p->lines[i];
        if (mono_(ln->style)) {
            if (measure_(m, ln->text, px, true, false) > w) return 0;
            h += px * 5 / 4;
        } else {
            h += wrap_lines_(m, ln->text, px, ln->style == UNIT_LINE_BOLD, w) * (px * 5 / 4);
        }
    }
    return h;
}

int unit_legend_labels(const app_state *s, const char **labels, int max) {
    const nn_layer *ly = selected_layer_(s);
    const bool relu = ly && ly->spec.kind == NN_LAYER_RELU;
    const char *all[] = {relu ? "below 0 (ReLU makes it 0)" : "below 0", "0", relu ? "above 0 (kept)" : "above 0",
                         "the cell written out"};
    int n = 0;
    for (; n < 4 && n < max; n++) labels[n] = all[n];
    return n;
}

// rd_legend's height for the labels at width w.
static int legend_h_(const ui_layout *l, const ui_metrics *m, const app_state *s, int w) {
    const char *labels[4];
    const int n = unit_legend_labels(s, labels, 4);
    const int px = ui_max(l->small_px * 9 / 10, l->min_px), sw = px * 6 / 5, gap = l->pad;
    int x = 0, y = 0;
    for (int i = 0; i < n; i++) {
        const int iw = sw + gap / 2 + measure_(m, labels[i], px, false, false);
        if (x > 0 && x + iw > w) x = 0, y += sw + gap / 2;
        x += iw + gap * 2;
    }
    return y + sw;
}

// ---- The plan --------------------------------------------------------------------------------------

// The largest px (text_px down to min_px) at which the lines fit h x w; 0 if none.
static int fit_px_(const unit_plan *p, const ui_layout *l, const ui_metrics *m, int w, int h) {
    for (int px = l->text_px; px >= l->min_px; px--) {
        const int need = lines_h_(p, m, px, w);
        if (need > 0 && need <= h) return px;
    }
    return 0;
}

// The close-ups of the map (vector) before and after the activation in the
// room left: cells large enough for their values.
// A close-up's cell: a value such as "-0.123" at the label size fits it.
static int cell_side_(const ui_layout *l, const ui_metrics *m) {
    return ui_max(ui_max(l->min_cell, 2 * l->small_px), measure_(m, "-0.000", l->small_px, false, false) + 8);
}

static void act_grids_(unit_plan *p, const app_state *s, const ui_layout *l, const ui_metrics *m, const nn_layer *ly,
                       ui_rect room) {
    const int title_h = l->small_px * 3 / 2 + l->pad / 2;
    const int cell = cell_side_(l, m);
    const int idx = selected_index_(s, ly);
    p->vector = ly->out.rank != 3;
    p->cell = cell;
    const int gap = 3 * l->pad;
    if (p->vector) {
        // Two rows stacked, the same units above each other.
        p->rows = 1;
        p->cols = ui_min(ly->out.c, room.w / cell);
        if (room.h < 2 * (title_h + cell) + l->pad || p->cols < 1) return;
        p->row0 = 0;
        p->col0 = clampi_(idx - p->cols / 2, 0, ly->out.c - p->cols);
        p->before = ui_rect_at(room.x, room.y + title_h, p->cols * cell, cell);
        p->after = ui_rect_at(room.x, p->before.y + cell + l->pad + title_h, p->cols * cell, cell);
    } else {
        const int plane = ly->out.h * ly->out.w, row = idx % plane / ly->out.w, col = idx % ly->out.w;
        p->cols = ui_min(ly->out.w, (room.w - gap) / 2 / cell);
        p->rows = ui_min(ly->out.h, (room.h - title_h) / cell);
        if (p->cols < 1 || p->rows < 1) return;
        p->row0 = clampi_(row - p->rows / 2, 0, ly->out.h - p->rows);
        p->col0 = clampi_(col - p->cols / 2, 0, ly->out.w - p->cols);
        const int gw = p->cols * cell, gh = p->rows * cell;
        const int x0 = room.x + (room.w - (2 * gw + gap)) / 2;
        p->before = ui_rect_at(x0, room.y + title_h, gw, gh);
        p->after = ui_rect_at(x0 + gw + gap, room.y + title_h, gw, gh);
    }
    p->grids = true;
    const bool whole = p->rows * p->cols == (p->vector ? ly->out.c : ly->out.h * ly->out.w);
    const char *what = p->vector ? "vector" : "map";
    const char *name = ly->spec.kind == NN_LAYER_RELU ? "ReLU" : ly->spec.kind == NN_LAYER_SIGMOID ? "sigmoid" : "tanh";
    if (whole) {
        snprintf(p->before_title, sizeof p->before_title, "before %s", name);
        snprintf(p->after_title, sizeof p->after_title, "after %s", name);
    } else {
        snprintf(p->before_title, sizeof p->before_title, "before (part of the %s)", what);
        snprintf(p->after_title, sizeof p->after_title, "after %s (the same part)", name);
    }
    // Titles that do not fit the grid's width fall back to the short ones.
    if (measure_(m, p->before_title, l->small_px, false, true) > (p->vector ? room.w : p->before.w + gap - l->pad) ||
        measure_(m, p->after_title, l->small_px, false, true) > (p->vector ? room.w : room.x + room.w - p->after.x)) {
        snprintf(p->before_title, sizeof p->before_title, "before");
        snprintf(p->after_title, sizeof p->after_title, "after");
    }
}

void unit_plan_make(unit_plan *p, const app_state *s, const ui_layout *l, const ui_metrics *m) {
    memset(p, 0, sizeof *p);
    const ui_rect main = l->main;
    const int x = main.x + l->pad, w = main.w - 2 * l->pad;
    int y = main.y + l->pad;
    const int bottom = main.y + main.h - l->pad;
    p->title_px = l->text_px;
    const nn_layer *ly = selected_layer_(s);
    if (!ly) why_(p, s);
    else heading_(p, s, ly);
    p->head = ui_rect_at(x, y, w, l->text_px * 5 / 4 + (ly ? l->small_px * 5 / 4 : 0));
    y += p->head.h + l->pad;
    const int room_h = bottom - y;
    p->text_cols = 1;
    if (!ly) {
        p->px = fit_px_(p, l, m, w, room_h);
        if (!p->px) p->px = l->min_px;
        p->line_h = p->px * 5 / 4;
        p->text = ui_rect_at(x, y, w, room_h);
        return;
    }
    const nn_net *net = s->host.network_net;
    const int L = s->network.selected.layer;
    const nn_layer_kind kind = ly->spec.kind;
    if (is_act_(kind)) {
        p->show = UNIT_SHOW_ACT;
        act_lines_(p, s, ly);
        p->n_legend = 4;
        const int lh = legend_h_(l, m, s, w);
        // The words at the largest size that leaves the grids three rows of
        // cells (a vector: its two rows), else one row, else at any size that fits.
        const int title_h = l->small_px * 3 / 2 + l->pad / 2, cell = cell_side_(l, m);
        const int grids_h = ly->out.rank == 3 ? title_h + ui_min(3, ly->out.h) * cell : 2 * (title_h + cell) + l->pad;
        int px = fit_px_(p, l, m, w, room_h - lh - 2 * l->pad - grids_h);
        if (!px && ly->out.rank == 3) px = fit_px_(p, l, m, w, room_h - lh - 2 * l->pad - title_h - cell);
        if (!px) px = fit_px_(p, l, m, w, room_h - lh - 2 * l->pad);
        if (!px) px = l->min_px;
        p->px = px;
        p->line_h = px * 5 / 4;
        const int text_h = lines_h_(p, m, px, w);
        p->legend = ui_rect_at(x, bottom - lh, w, lh);
        p->text = ui_rect_at(x, p->legend.y - l->pad - text_h, w, text_h);
        act_grids_(p, s, l, m, ly, ui_rect_at(x, y, w, p->text.y - l->pad - y));
        // The words right under the grids, the legend under them.
        const int top = p->grids ? ui_max(p->before.y + p->before.h, p->after.y + p->after.h) + l->pad : y;
        p->text = ui_rect_at(x, top, w, text_h);
        p->legend = ui_rect_at(x, top + text_h + l->pad / 2, w, lh);
        return;
    }
    if (kind == NN_LAYER_DENSE) {
        p->show = UNIT_SHOW_DENSE;
        unit_dense d;
        unit_dense_terms(net, s->host.network_input, L, clampi_(s->network.selected.channel, 0, ly->out.c - 1), &d);
        // All eight products with the whole sentences, else the shorter
        // words and as many products as fit at a readable size.
        for (int compact = 0; compact <= 1 && !p->px; compact++)
            for (int k = d.n_top; k >= (compact ? 1 : d.n_top) && !p->px; k--) {
                p->n_lines = 0;
                dense_lines_(p, s, &d, k, compact);
                p->px = fit_px_(p, l, m, w, room_h);
            }
    } else if (kind == NN_LAYER_SOFTMAX) {
        p->show = UNIT_SHOW_SOFTMAX;
        unit_softmax o;
        unit_softmax_terms(net, s->host.network_input, L, &o);
        for (int level = 0; level <= 2 && !p->px; level++) {
            p->n_lines = 0;
            softmax_lines_(p, s, &o, level);
            p->px = fit_px_(p, l, m, w, room_h);
        }
    } else {
        p->show = UNIT_SHOW_NOTE;
        note_lines_(p, s, ly);
        p->px = fit_px_(p, l, m, w, room_h);
    }
    if (!p->px) {
        // Not even the shortest form fits: the last lines give way to a line
        // that says so (and a lesson's narration is asked to shrink).
        p->crowded = true;
        p->px = l->min_px;
        while (p->n_lines > 1 && !(lines_h_(p, m, p->px, w) > 0 && lines_h_(p, m, p->px, w) <= room_h)) {
            p->n_lines--;
            snprintf(p->lines[p->n_lines - 1].text, sizeof p->lines[0].text, "... (no room for the rest: zoom out)");
            p->lines[p->n_lines - 1].style = UNIT_LINE_MUTED;
        }
    }
    p->line_h = p->px * 5 / 4;
    p->text = ui_rect_at(x, y, w, room_h);
}

// ---- The view -------------------------------------------------------------------------------------

static void layout_(ui_layout *l, const app_state *s, const ui_metrics *m) {
    ui_panel p = layout_panel_fit(l, 5);
    const nn_layer *ly = selected_layer_(s);
    const bool maps = ly && ly->out.rank == 3 && ly->out.c > 1;
    ui_button_pair b = layout_two_buttons(&p, "< prev", ACT_STEP_BACK, UNIT_STEP_CELL, "next >", ACT_STEP_FORWARD,
                                          UNIT_STEP_CELL);
    b.first->enabled = b.second->enabled = ly != NULL;
    if (maps) {
        b = layout_two_buttons(&p, "< map", ACT_STEP_BACK, UNIT_STEP_MAP, "map >", ACT_STEP_FORWARD, UNIT_STEP_MAP);
        b.first->enabled = b.second->enabled = ly != NULL;
    }
    b = layout_two_buttons(&p, s->unit.playing ? "pause" : "play", ACT_PLAY_PAUSE, 0, "back", ACT_BACK, 0);
    b.first->active = s->unit.playing;
    b.first->enabled = ly != NULL;
    unit_plan plan;
    unit_plan_make(&plan, s, l, m);
    if (plan.crowded && s->player.l) l->narration_short_wanted = true;  // a lesson's caption: only this step's
    l->progress = plan.head;
    l->explain = plan.text;
    l->legend = plan.grids || plan.show == UNIT_SHOW_ACT ? plan.legend : ui_rect_at(0, 0, 0, 0);
    if (!plan.grids) return;
    ui_grid *g = layout_grid(l, GRID_OUTPUT, 0, plan.rows, plan.cols, plan.row0, plan.col0, plan.before.x,
                             plan.before.y, plan.cell, plan.before_title);
    if (g) g->data_rows = plan.vector ? 1 : ly->out.h, g->data_cols = plan.vector ? ly->out.c : ly->out.w;
    g = layout_grid(l, GRID_OUTPUT, 1, plan.rows, plan.cols, plan.row0, plan.col0, plan.after.x, plan.after.y,
                    plan.cell, plan.after_title);
    if (g) g->data_rows = plan.vector ? 1 : ly->out.h, g->data_cols = plan.vector ? ly->out.c : ly->out.w;
}

// The headless transcript: what is written out.
static void report_(const app_state *s, FILE *out) {
    unit_plan p;
    ui_layout l = {0};
    l.main = ui_rect_at(0, 0, 100000, 100000);
    l.text_px = l.small_px = l.min_px = 10;
    unit_plan_make(&p, s, &l, NULL);
    fprintf(out, "%s\n", p.title);
    if (p.input[0]) fprintf(out, "%s\n", p.input);
    for (int i = 0; i < p.n_lines; i++) fprintf(out, "%s\n", p.lines[i].text);
}

static const key_binding keys_[] = {
    {KEY_RIGHT, 0, ACT_STEP_FORWARD, UNIT_STEP_CELL, NULL, 0, "next unit (cell)"},
    {KEY_LEFT, 0, ACT_STEP_BACK, UNIT_STEP_CELL, NULL, 0, "previous unit (cell)"},
    {KEY_DOWN, 0, ACT_STEP_FORWARD, UNIT_STEP_ROW, NULL, 0, "the cell below"},
    {KEY_UP, 0, ACT_STEP_BACK, UNIT_STEP_ROW, NULL, 0, "the cell above"},
    {'m', 0, ACT_STEP_FORWARD, UNIT_STEP_MAP, NULL, 0, "next map"},
    {'m', KEYMOD_SHIFT, ACT_STEP_BACK, UNIT_STEP_MAP, NULL, 0, "previous map"},
    {KEY_HOME, 0, ACT_RESTART, 0, NULL, 0, "the map's first cell"},
    {KEY_END, 0, ACT_TO_END, 0, NULL, 0, "the map's last cell"},
    {' ', 0, ACT_PLAY_PAUSE, 0, NULL, 0, "play / pause: a cell after another"},
    {'+', 0, ACT_FASTER, 0, NULL, 0, "faster"},
    {'=', 0, ACT_FASTER, 0, NULL, KEYF_ALIAS, "faster"},
    {'-', 0, ACT_SLOWER, 0, NULL, 0, "slower"},
};

const view_def view_unit = {
    .id = VIEW_UNIT,
    .name = "unit",
    .title = "one unit worked out",
    .keys = KEY_TABLE("one unit worked out", keys_),
    .mouse = "click a cell of the grids to work that one out",
    .has_panel = true,
    .layout = layout_,
    .update = update_,
    .tick = tick_,
    .report = report_,
    .reset = reset_,
    .needs = VIEW_NEEDS_NETWORK,
};
