// view_convt.c - the transposed-convolution view: one channel, one kernel;
// the engine's stepper (nn/convt.h) stamps one input cell a step onto the
// output, and beside it the same output as an ordinary convolution of the
// kernel rotated 180 degrees over the input with zeros inserted and padded
// (the picture of Dumoulin and Visin's conv_arithmetic). Its state, the
// words under the grids, the legend's keys, the actions, the keys and the
// view's table entry; the layout is view_convt_layout.c, the drawing
// view_convt_render.c.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "anim.h"
#include "format.h"
#include "matrix.h"
#include "view_convt.h"
#include "views.h"

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
static int maxi_(int a, int b) { return a > b ? a : b; }

// The input and the kernel as the engine lays them out: in [n_h][n_w], w [1][1][k][k].
static void pack_(const convt_setup *c, float *in, float *w) {
    for (int y = 0; y < c->n_h; y++)
        for (int x = 0; x < c->n_w; x++) in[y * c->n_w + x] = c->input[y][x];
    const int k = clampi_(c->k, 0, CONVT_MAX_K);  // (checked before; the bound says so to the compiler)
    for (int y = 0; y < k; y++)
        for (int x = 0; x < k; x++) w[y * k + x] = c->kernel[y][x];
}

// The engine's record of input cell `index`, and the output before it.
static void load_step_(app_state *s, int index) {
    convt_step_view *v = &s->convt.step;
    v->valid = false;
    if (!s->convt.ok || index < 0 || index >= s->convt.anim.total) return;
    float in[CONVT_MAX_N * CONVT_MAX_N], w[CONVT_MAX_K * CONVT_MAX_K];
    pack_(&s->convt.setup, in, w);
    const nn_convt_geom *g = &s->convt.geom;
    nn_convt_cursor cur;
    nn_error e;
    if (nn_convt_cursor_init(&cur, g, in, w, NULL, &e) != NN_OK) return;
    nn_convt_step st;
    // The map before this cell: the stepper's after the cell before (the bias, 0, at the first).
    const bool ok = index == 0 || nn_convt_step_at(&cur, index - 1, &st);
    if (ok) memcpy(v->before, cur.out, sizeof(float) * (size_t)(g->out_h * g->out_w));
    if (ok && nn_convt_step_next(&cur, &st)) {
        v->valid = true;
        v->row = st.row;
        v->col = st.col;
        v->value = st.value;
        v->count = st.count;
        v->landed = st.landed;
        memcpy(v->out_row, st.out_row, sizeof(int) * (size_t)st.count);
        memcpy(v->out_col, st.out_col, sizeof(int) * (size_t)st.count);
        memcpy(v->cropped, st.cropped, (size_t)st.count);
        memcpy(v->weights, st.weights, sizeof(float) * (size_t)st.count);
        memcpy(v->products, st.products, sizeof(float) * (size_t)st.count);
        memcpy(v->after, st.after, sizeof(float) * (size_t)st.count);
    }
    nn_convt_cursor_destroy(&cur);
}

void convt_output_now(const app_state *s, float *out) {
    const convt_step_view *st = &s->convt.step;
    const int n = s->convt.geom.out_h * s->convt.geom.out_w;
    if (!s->convt.ok || !st->valid) {
        memset(out, 0, sizeof(float) * (size_t)(n > 0 ? n : 0));
        return;
    }
    memcpy(out, st->before, sizeof(float) * (size_t)n);
    for (int k = 0; k < st->count && k < s->convt.anim.reveal; k++)
        if (!st->cropped[k]) out[st->out_row[k] * s->convt.geom.out_w + st->out_col[k]] = st->after[k];
}

void convt_eq_cell_of(const app_state *s, int row, int col, int *eq_row, int *eq_col) {
    const convt_setup *c = &s->convt.setup;
    *eq_row = row * c->stride + s->convt.eq_pad;
    *eq_col = col * c->stride + s->convt.eq_pad;
}

// The limits that keep both pictures readable, with why when they are passed.
static bool view_limits_(const convt_setup *c, char *why, size_t size) {
    if (c->n_h < 1 || c->n_w < 1 || c->n_h > CONVT_MAX_N || c->n_w > CONVT_MAX_N)
        return snprintf(why, size, "this view shows an input of 1x1 to %dx%d cells, not %dx%d", CONVT_MAX_N, CONVT_MAX_N,
                        c->n_h, c->n_w), false;
    if (c->k < 1 || c->k > CONVT_MAX_K)
        return snprintf(why, size, "this view shows kernels of 1x1 to %dx%d, not %dx%d", CONVT_MAX_K, CONVT_MAX_K, c->k, c->k),
               false;
    if (c->stride < 1 || c->stride > CONVT_MAX_STRIDE)
        return snprintf(why, size, "this view shows strides 1 to %d, not %d", CONVT_MAX_STRIDE, c->stride), false;
    if (c->dilation < 1 || c->dilation > CONVT_MAX_DILATION)
        return snprintf(why, size, "this view shows dilations 1 to %d, not %d", CONVT_MAX_DILATION, c->dilation), false;
    if (c->pad < 0 || c->pad > CONVT_MAX_PAD)
        return snprintf(why, size, "this view shows padding 0 to %d, not %d", CONVT_MAX_PAD, c->pad), false;
    return true;
}

static void recompute_(app_state *s, int keep) {
    convt_view *v = &s->convt;
    const convt_setup *c = &v->setup;
    nn_error e;
    const nn_convt_config cfg = {.in_c = 1, .in_h = c->n_h, .in_w = c->n_w, .filters = 1, .k_h = c->k, .k_w = c->k,
                                 .stride = c->stride, .padding = c->pad, .out_pad = c->out_pad, .dilation = c->dilation};
    v->ok = view_limits_(c, v->why, sizeof v->why);
    if (v->ok && nn_convt_geom_init(&v->geom, &cfg, &e) != NN_OK) {
        v->ok = false;
        snprintf(v->why, sizeof v->why, "%s", e.msg);
    }
    const int reach = c->dilation * (c->k - 1);  // d(k - 1): how far a stamp reaches past its cell
    if (v->ok && c->pad > reach) {
        // The equivalent convolution would need negative padding (a crop of
        // the zero-inserted input): another picture than this view draws.
        v->ok = false;
        snprintf(v->why, sizeof v->why, "padding %d is more than d(k - 1) = %d*(%d - 1) = %d: the equivalent convolution "
                 "would crop its input; this view shows padding up to %d", c->pad, c->dilation, c->k, reach, reach);
    }
    v->eq_pad = reach - c->pad;
    v->eq_k = reach + 1;
    v->eq_h = (c->n_h - 1) * c->stride + 1 + 2 * v->eq_pad + c->out_pad;
    v->eq_w = (c->n_w - 1) * c->stride + 1 + 2 * v->eq_pad + c->out_pad;
    if (v->ok && maxi_(v->eq_h, v->eq_w) > CONVT_MAX_EQ) {
        v->ok = false;
        snprintf(v->why, sizeof v->why, "the equivalent convolution's input would be %dx%d cells; this view draws up to "
                 "%d a side: a smaller input, stride, kernel or dilation", v->eq_h, v->eq_w, CONVT_MAX_EQ);
    }
    anim_state *a = &v->anim;
    a->total = v->ok ? c->n_h * c->n_w : 0;
    a->playing = a->playing && v->ok;
    a->clock_ms = 0;
    if (!v->ok) {
        a->pos = a->reveal = 0;
        v->step.valid = false;
        v->eq_h = v->eq_w = 0;
        return;
    }
    // The equivalent convolution's input: the input cells s apart, zeros
    // between them, eq_pad cells of padding round them (and a more at the
    // bottom and right); its kernel: this one rotated 180 degrees, its taps d apart.
    memset(v->eq_input, 0, sizeof v->eq_input);
    memset(v->eq_kind, CONVT_EQ_PAD, sizeof v->eq_kind);
    const int core_h = (c->n_h - 1) * c->stride + 1, core_w = (c->n_w - 1) * c->stride + 1;
    for (int y = 0; y < core_h; y++)
        for (int x = 0; x < core_w; x++) v->eq_kind[v->eq_pad + y][v->eq_pad + x] = CONVT_EQ_ZERO;
    for (int y = 0; y < c->n_h; y++)
        for (int x = 0; x < c->n_w; x++) {
            int ey, ex;
            convt_eq_cell_of(s, y, x, &ey, &ex);
            v->eq_input[ey][ex] = c->input[y][x];
            v->eq_kind[ey][ex] = CONVT_EQ_INPUT;
        }
    memset(v->eq_kernel, 0, sizeof v->eq_kernel);
    for (int y = 0; y < c->k; y++)
        for (int x = 0; x < c->k; x++) v->eq_kernel[y * c->dilation][x * c->dilation] = c->kernel[c->k - 1 - y][c->k - 1 - x];
    float in[CONVT_MAX_N * CONVT_MAX_N], w[CONVT_MAX_K * CONVT_MAX_K];
    pack_(c, in, w);
    nn_convt_forward(&v->geom, v->out, in, w, NULL, 1);
    // The formula's numbers as lessons read them (view_op).
    v->rows_axis = (nn_axis){.n = c->n_h, .f = c->k, .stride = c->stride, .dilation = c->dilation, .out = v->geom.out_h};
    v->cols_axis = (nn_axis){.n = c->n_w, .f = c->k, .stride = c->stride, .dilation = c->dilation, .out = v->geom.out_w};
    anim_restart_at(a, keep, c->k * c->k);
    load_step_(s, a->pos);
}

bool app_set_convt(app_state *s, const convt_setup *c) {
    s->convt.setup = *c;
    s->convt.anim.playing = false;
    recompute_(s, -1);
    return s->convt.ok;
}

// ---- The words under the grids (view_convt.h) ----------------------------------------------------

void convt_text_letters(char *buf, size_t size) { snprintf(buf, size, "output size = " NN_CONVT_FORMULA); }

// One axis's numbers, "= ?" while a size quiz waits.
static void axis_numbers_(const app_state *s, const nn_convt_axis *a, char *buf, size_t size) {
    nn_convt_formula_text(a, buf, (int)size);
    char *eq = strrchr(buf, '=');
    if (quiz_hides(s, QUIZ_SIZE) && eq && (size_t)(eq - buf) + 3 <= size) memcpy(eq, "= ?", 4);
}

void convt_text_formula(const app_state *s, char *buf, size_t size) {
    buf[0] = '\0';
    if (!s->convt.ok) return;
    char r[200], c[200];
    axis_numbers_(s, &s->convt.geom.rows, r, sizeof r);
    axis_numbers_(s, &s->convt.geom.cols, c, sizeof c);
    if (strcmp(r, c) == 0)
        snprintf(buf, size, "rows and cols:  %s", r);
    else
        snprintf(buf, size, "rows: %s;  cols: %s", r, c);
}

void convt_text_equivalent(const app_state *s, char *buf, size_t size) {
    buf[0] = '\0';
    if (!s->convt.ok) return;
    const convt_setup *c = &s->convt.setup;
    char extra[80] = "";
    if (c->out_pad) snprintf(extra, sizeof extra, ", plus a = %d at the bottom and right", c->out_pad);
    snprintf(buf, size, "the same as a convolution: s - 1 = %d zero%s between input cells, padding d(k - 1) - p = %d on "
             "each side%s, the kernel rotated 180 degrees%s, stride 1",
             c->stride - 1, c->stride - 1 == 1 ? "" : "s", s->convt.eq_pad, extra,
             c->dilation > 1 ? " with its taps d apart" : "");
}

// Appends t to buf at *n, never past size.
static void add_(char *buf, size_t size, size_t *n, const char *t) {
    if (*n + 1 >= size) return;
    snprintf(buf + *n, size - *n, "%s", t);
    *n += strlen(buf + *n);
}

void convt_text_step(const app_state *s, int reveal, char *buf, size_t size) {
    const convt_step_view *st = &s->convt.step;
    buf[0] = '\0';
    if (!s->convt.ok || !st->valid || quiz_hides(s, QUIZ_SIZE)) return;
    char v[32], t[160];
    size_t n = 0;
    fmt_screen(st->value, v, sizeof v);
    int er, ec;
    convt_eq_cell_of(s, st->row, st->col, &er, &ec);
    snprintf(t, sizeof t, "input (%d, %d) = %s stamps %s x kernel (at (%d, %d) of the zero-inserted input): ", st->row,
             st->col, v, v, er, ec);
    add_(buf, size, &n, t);
    if (reveal == 0) {
        snprintf(t, sizeof t, "%d products, %d of them inside the output", st->count, st->landed);
        add_(buf, size, &n, t);
        return;
    }
    for (int k = 0; k < st->count && k < reveal; k++) {
        char w[32], p[32], after[32];
        fmt_screen(st->weights[k], w, sizeof w);
        fmt_screen(st->products[k], p, sizeof p);
        fmt_screen(st->after[k], after, sizeof after);
        if (st->cropped[k])
            snprintf(t, sizeof t, "%s%s*%s = %s cropped", k ? ";  " : "", v, w, p);
        else
            snprintf(t, sizeof t, "%s%s*%s = %s -> (%d, %d) = %s", k ? ";  " : "", v, w, p, st->out_row[k], st->out_col[k],
                     after);
        add_(buf, size, &n, t);
    }
    if (reveal < st->count) add_(buf, size, &n, ";  ...");
}

int convt_legend_keys(const app_state *s, bool all, convt_key *out) {
    const convt_setup *c = &s->convt.setup;
    const convt_step_view *st = &s->convt.step;
    bool cropped = false;
    for (int k = 0; st->valid && k < st->count; k++) cropped = cropped || st->cropped[k];
    const bool on[CONVT_KEY_COUNT] = {
        [CONVT_KEY_CELL] = st->valid,
        [CONVT_KEY_TAP] = st->valid,
        [CONVT_KEY_CROPPED] = all || ((c->pad > 0 || cropped) && !quiz_hides(s, QUIZ_SIZE)),  // (not drawn then)
        [CONVT_KEY_ZERO] = all || c->stride > 1,
        [CONVT_KEY_PADDING] = all || s->convt.eq_pad > 0 || c->out_pad > 0,
        [CONVT_KEY_VALUE] = true,
    };
    int n = 0;
    for (int k = 0; k < CONVT_KEY_COUNT; k++)
        if (on[k]) out[n++] = (convt_key)k;
    return n;
}

const char *convt_key_label(convt_key k) {
    static const char *const labels[CONVT_KEY_COUNT] = {
        [CONVT_KEY_CELL] = "input cell stamped now",
        [CONVT_KEY_TAP] = "products added here",
        [CONVT_KEY_CROPPED] = "cropped by padding",
        [CONVT_KEY_ZERO] = "zero inserted",
        [CONVT_KEY_PADDING] = "equivalent's padding",
        [CONVT_KEY_VALUE] = "value: red +, blue -",
    };
    return (unsigned)k < CONVT_KEY_COUNT ? labels[k] : "";
}

// ---- Changing the set-up -----------------------------------------------------------------------

static anim_target anim_of_(app_state *s) {
    anim_target t = {&s->convt.anim, s->convt.setup.k * s->convt.setup.k, s->convt.setup.n_w, s->convt.step.valid,
                     load_step_};
    return t;
}

// The output padding stays below max(s, d) when the stride or the dilation goes down.
static void fit_out_pad_(convt_setup *c) { c->out_pad = clampi_(c->out_pad, 0, maxi_(c->stride, c->dilation) - 1); }

static void update_(app_state *s, const app_action *a) {
    convt_setup *c = &s->convt.setup;
    const anim_target t = anim_of_(s);
    // A click on an output cell: the steps go over input cells, so there is
    // no step to jump to. A lesson's 'step to R C' (no grid) goes to input
    // cell (R, C): the transport counts cells of n_w columns.
    if (a->kind == ACT_JUMP_TO_OUTPUT && a->cell.grid == GRID_OUTPUT) return;
    if (anim_update(s, &t, a)) return;
    switch (a->kind) {
    case ACT_SET_SIZE: c->n_h = c->n_w = clampi_(a->value, 1, CONVT_MAX_N); break;
    case ACT_SET_KERNEL: c->k = clampi_(a->value, 1, CONVT_MAX_K); break;
    case ACT_SET_STRIDE: c->stride = clampi_(a->value, 1, CONVT_MAX_STRIDE); fit_out_pad_(c); break;
    case ACT_SET_DILATION: c->dilation = clampi_(a->value, 1, CONVT_MAX_DILATION); fit_out_pad_(c); break;
    case ACT_SET_PADDING: c->pad = clampi_(a->value, 0, CONVT_MAX_PAD); break;
    case ACT_CYCLE_PADDING: c->pad = (c->pad + 1) % (CONVT_MAX_PAD + 1); break;
    case ACT_SET_OUT_PAD: c->out_pad = clampi_(a->value, 0, maxi_(c->stride, c->dilation) - 1); break;
    case ACT_RANDOMISE:
        for (int y = 0; y < CONVT_MAX_N; y++)
            for (int x = 0; x < CONVT_MAX_N; x++) c->input[y][x] = (float)app_rand_below(&s->rng_state, 5);
        for (int y = 0; y < CONVT_MAX_K; y++)
            for (int x = 0; x < CONVT_MAX_K; x++) c->kernel[y][x] = (float)(app_rand_below(&s->rng_state, 5) - 2);
        break;
    case ACT_SET_CELL:
        if (a->cell.grid == GRID_INPUT && a->cell.channel == CONVT_SCATTER)
            c->input[a->cell.row][a->cell.col] = a->fx;
        else if (a->cell.grid == GRID_KERNEL && a->cell.channel == CONVT_SCATTER)
            c->kernel[a->cell.row][a->cell.col] = a->fx;
        else
            return;
        recompute_(s, s->convt.anim.pos);
        return;
    default: return;
    }
    recompute_(s, -1);
}

static void tick_(app_state *s, double ms) {
    const anim_target t = anim_of_(s);
    anim_tick(s, &t, ms);
}

// ---- Keys ---------------------------------------------------------------------------------------

#define STEPPER_(name, act_kind, field)                                                          \
    static app_action name(const app_state *s, const struct ui_layout *l, int d) {         \
        (void)l;                                                                             \
        return (app_action){.kind = act_kind, .value = s->convt.setup.field + d};             \
    }
STEPPER_(size_up_, ACT_SET_SIZE, n_h)
STEPPER_(kernel_up_, ACT_SET_KERNEL, k)
STEPPER_(stride_up_, ACT_SET_STRIDE, stride)
STEPPER_(dilation_up_, ACT_SET_DILATION, dilation)
STEPPER_(out_pad_up_, ACT_SET_OUT_PAD, out_pad)
#undef STEPPER_

static const key_binding keys_[] = {
    ANIM_KEYS,
    {'n', 0, ACT_SET_SIZE, 1, size_up_, KEYF_SETUP, "input size up"},
    {'n', KEYMOD_SHIFT, ACT_SET_SIZE, -1, size_up_, KEYF_SETUP, "input size down"},
    {'k', 0, ACT_SET_KERNEL, 1, kernel_up_, KEYF_SETUP, "kernel size up"},
    {'k', KEYMOD_SHIFT, ACT_SET_KERNEL, -1, kernel_up_, KEYF_SETUP, "kernel size down"},
    {'s', 0, ACT_SET_STRIDE, 1, stride_up_, KEYF_SETUP, "stride up"},
    {'s', KEYMOD_SHIFT, ACT_SET_STRIDE, -1, stride_up_, KEYF_SETUP, "stride down"},
    {'p', 0, ACT_CYCLE_PADDING, 0, NULL, KEYF_SETUP, "padding 0, 1, 2, 3"},
    {'o', 0, ACT_SET_OUT_PAD, 1, out_pad_up_, KEYF_SETUP, "output padding up"},
    {'o', KEYMOD_SHIFT, ACT_SET_OUT_PAD, -1, out_pad_up_, KEYF_SETUP, "output padding down"},
    {'d', 0, ACT_SET_DILATION, 1, dilation_up_, KEYF_SETUP, "dilation up"},
    {'d', KEYMOD_SHIFT, ACT_SET_DILATION, -1, dilation_up_, KEYF_SETUP, "dilation down"},
    {'r', 0, ACT_RANDOMISE, 0, NULL, KEYF_SETUP, "random input and kernel"},
};

// ---- What lessons read and set ----------------------------------------------------------------------

static void op_(const app_state *s, view_op *o) {
    *o = (view_op){s->convt.ok, s->convt.why, &s->convt.rows_axis, &s->convt.cols_axis, s->convt.geom.out_h,
                   s->convt.geom.out_w, s->convt.out, NULL, &s->convt.anim, &s->convt.geom.rows, &s->convt.geom.cols};
}

static bool lesson_input_(app_state *s, const app_matrix *m, char *err, int size) {
    if (m->c != 1 || m->h > CONVT_MAX_N || m->w > CONVT_MAX_N) {
        snprintf(err, (size_t)size, "the transposed-convolution view takes one channel of up to %dx%d", CONVT_MAX_N,
                 CONVT_MAX_N);
        return false;
    }
    convt_setup c = s->convt.setup;
    c.n_h = m->h;
    c.n_w = m->w;
    for (int y = 0; y < m->h; y++)
        for (int x = 0; x < m->w; x++) c.input[y][x] = m->values[(size_t)y * m->w + x];
    app_set_convt(s, &c);
    return true;
}

// A headless run's transcript: the set-up, the step reached and the output.
static void report_(const app_state *s, FILE *out) {
    const convt_setup *c = &s->convt.setup;
    if (!s->convt.ok) {
        fprintf(out, "transposed convolution: these settings cannot work: %s\n", s->convt.why);
        return;
    }
    const anim_state *a = &s->convt.anim;
    char f[200];
    nn_convt_formula_text(&s->convt.geom.rows, f, sizeof f);
    fprintf(out, "transposed convolution: input %dx%d, kernel %dx%d, stride %d, padding %d, output padding %d, "
            "dilation %d: output %dx%d (rows: %s)\n", c->n_h, c->n_w, c->k, c->k, c->stride, c->pad, c->out_pad,
            c->dilation, s->convt.geom.out_h, s->convt.geom.out_w, f);
    fprintf(out, "shown: input cell %d of %d stamped (%d of %d products), the equivalent convolution's input %dx%d\n",
            a->pos + 1, a->total, a->reveal, c->k * c->k, s->convt.eq_h, s->convt.eq_w);
}

// ---- Life cycle ---------------------------------------------------------------------------------

// A 2x2 input, a 3x3 kernel, stride 2, padding 1, output padding 1: the
// classic upsampling by two (2x2 -> 4x4, stamps overlapping by a row and a
// column), small enough to stay readable at a large zoom.
static void reset_(app_state *s) {
    memset(&s->convt, 0, sizeof s->convt);
    s->convt.anim.speed = 2;
    convt_setup c;
    memset(&c, 0, sizeof c);
    c.n_h = c.n_w = 2;
    c.k = 3;
    c.stride = 2;
    c.pad = 1;
    c.out_pad = 1;
    c.dilation = 1;
    static const float in[3][3] = {{1, 2, 0}, {3, 1, 0}, {0, 0, 0}};  // (the third row and column show once the input grows)
    static const float w[3][3] = {{1, 0, -1}, {2, 1, 0}, {0, 1, 1}};
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) c.input[y][x] = in[y][x], c.kernel[y][x] = w[y][x];
    app_set_convt(s, &c);
}

const view_def view_convt = {
    .id = VIEW_CONVT,
    .name = "convt",
    .title = "transposed convolution",
    .menu = "Transposed convolution",
    .keys = KEY_TABLE("transposed convolution", keys_),
    .mouse = "click an input or kernel cell of the scatter (left) to type a new value",
    .has_panel = true,
    .layout = convt_layout,
    .update = update_,
    .tick = tick_,
    .report = report_,
    .op = op_,
    .lesson_input = lesson_input_,
    .reset = reset_,
};
