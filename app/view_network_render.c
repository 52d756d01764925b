// view_network_render.c - the whole network: the headline (the input, what
// the network says, how far it has trained), the columns the plan of
// view_network.h places (the input in grey, maps and units in the diverging
// colours, the class probabilities as bars), the edges from the unit under
// the mouse (or the selected one) to what feeds it, and the line under the
// columns that says what that unit is. The model's summary replaces the
// columns when asked for.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "keys.h"
#include "render.h"
#include "render_views.h"
#include "view_cnn.h"
#include "view_maps_render.h"
#include "view_network.h"
#include "view_unit.h"

// What column c shows: the input, or the layer's output.
static const float *values_(const draw_ *d, const net_col *c) {
    return c->layer < 0 ? d->s->host.network_input : d->s->host.network_net->out[c->layer];
}

// A column's three title lines, each the longest form that fits its width.
static void titles_(const draw_ *d, const net_plan *p, const net_col *c, const nn_model *md) {
    char name[96], shape[80], params[80];
    net_col_titles(md, c, name + 4, shape, params, 80);
    memcpy(name, "... ", 4);  // shown where layers were left out just before this one
    const bool after_gap = p->gap_after >= 0 && c == &p->cols[p->gap_after + 1];
    const char *title = after_gap ? name : name + 4;
    const int y0 = p->band_y[c->band], nh = maps_line_h(p->name_px), sh = maps_line_h(p->shape_px);
    const ui_rect q = rd_rect(c->x, y0, c->width, p->title_h);
    rd_fitted_line(d, FACE_BOLD, p->name_px, rd_rect(q.x, y0, q.w, nh), y0, after_gap ? ACCENT : INK, title);
    rd_fitted_line(d, FACE_SANS, p->shape_px, rd_rect(q.x, y0 + nh, q.w, sh), y0 + nh, INK, shape);
    if (p->params_line)
        rd_fitted_line(d, FACE_SANS, p->shape_px, rd_rect(q.x, y0 + nh + sh, q.w, sh), y0 + nh + sh, MUTED, params);
}

// A map's pictures, each on its own scale or on the layer's; a map that is
// all zero (ReLU cut every value) says so, so a blank square is explained.
static int draw_maps_(const draw_ *d, const net_plan *p, const net_col *c) {
    const float *v = values_(d, c);
    const size_t per = (size_t)c->h * c->w;
    const float layer_max = maps_max_abs_(v, per * c->n);
    int zero_maps = 0;
    for (int k = 0; k < c->n; k++) {
        const ui_rect q = net_unit_rect(p, c, k);
        const float own = maps_max_abs_(v + per * k, per);
        const float scale = d->s->network.global_scale ? layer_max : own;
        rd_image(d, q, v + per * k, c->w, c->h, c->w, true, scale > 0 ? scale : 1);
        rd_frame(d->r, q, LINE, 1);
        if (own == 0) {
            zero_maps++;
            const int px = maps_label_px(d->l);
            if (q.w >= rd_width(d, FACE_SANS, px, "0") * 3 && q.h >= maps_line_h(px)) rd_text_centre(d, FACE_SANS, px, q, MUTED, "0");
        }
    }
    return zero_maps;
}

static void draw_vector_(const draw_ *d, const net_plan *p, const net_col *c) {
    const float *v = values_(d, c);
    const float scale = maps_max_abs_(v, (size_t)c->n);
    for (int k = 0; k < c->n; k++) {
        const ui_rect q = net_unit_rect(p, c, k);
        rd_fill(d->r, q, rd_diverging(scale > 0 ? v[k] / scale : 0, d->s->colorblind));
    }
    // One outline around the block: cells of 2 px would be all frame.
    const ui_rect first = net_unit_rect(p, c, 0);
    rd_frame(d->r, rd_rect(first.x, first.y, c->body_w, c->body_h), LINE, 1);
}

// A vector column whose values a quiz hides: its cells in the track's grey.
static void hidden_vector_(const draw_ *d, const net_plan *p, const net_col *c) {
    for (int k = 0; k < c->n; k++) rd_fill(d->r, net_unit_rect(p, c, k), PAD_FILL);
    const ui_rect first = net_unit_rect(p, c, 0);
    rd_frame(d->r, rd_rect(first.x, first.y, c->body_w, c->body_h), LINE, 1);
}

// The probabilities: the class, a bar as long as p, the percentage; the winner in green.
static void draw_bars_(const draw_ *d, const net_plan *p, const net_col *c) {
    const float *v = values_(d, c);
    int best = 0;
    for (int k = 1; k < c->n; k++) best = v[k] > v[best] ? k : best;
    const int px = p->shape_px, digit_w = rd_width(d, FACE_BOLD, px, "9") + p->gap;
    const ui_metrics metrics = {render_text_width, d->font};
    const int pct_w = c->compact ? 0 : net_percent_width(&metrics, px) + p->gap;
    const SDL_Color win = rd_colour(rd_pal(d)->winner);
    const bool hidden = quiz_hides(d->s, QUIZ_GUESS);  // a quiz asks which class it is: empty tracks
    if (hidden) best = -1;
    for (int k = 0; k < c->n; k++) {
        const ui_rect row = net_unit_rect(p, c, k);
        const int ty = row.y + (row.h - maps_line_h(px)) / 2;
        char t[16];
        snprintf(t, sizeof t, "%d", k);
        rd_text(d, FACE_BOLD, px, row.x, ty, k == best ? win : INK, t);
        const int bar_w = row.w - digit_w - pct_w;
        const ui_rect track = rd_rect(row.x + digit_w, row.y + row.h / 5, bar_w, row.h - 2 * (row.h / 5));
        rd_fill(d->r, track, PAD_FILL);
        if (hidden) continue;
        const int len = (int)lroundf(fminf(1, fmaxf(0, v[k])) * (float)bar_w);
        rd_fill(d->r, rd_rect(track.x, track.y, len, track.h), k == best ? win : MUTED);
        if (c->compact) continue;
        char pct[32];
        fmt_percent(v[k], pct, sizeof pct);
        rd_text(d, FACE_SANS, px, row.x + row.w - pct_w + p->gap, ty, k == best ? win : INK, pct);
    }
}

// ---- Edges: what feeds the focused unit ----------------------------------------------------

static void line_(const draw_ *d, ui_rect a, ui_rect b, SDL_Color c) {
    SDL_SetRenderDrawColor(d->r, c.r, c.g, c.b, 255);
    const int ax = a.x + a.w / 2, ay = a.y + a.h / 2, bx = b.x + b.w / 2, by = b.y + b.h / 2;
    SDL_RenderDrawLine(d->r, ax, ay, bx, by);
    SDL_RenderDrawLine(d->r, ax, ay + 1, bx, by + 1);  // two px: seen from the back of the room
}

// The screen rectangle of unit (channel, row, col) of a column (maps: the
// value inside its picture; vectors and bars: the unit).
static ui_rect unit_rect_(const net_plan *p, const net_col *c, int channel, int row, int col) {
    if (c->kind == NETCOL_MAPS || c->kind == NETCOL_INPUT)
        return net_value_rect(net_unit_rect(p, c, c->kind == NETCOL_INPUT ? 0 : channel), c->h, c->w, row, col);
    return net_unit_rect(p, c, channel);
}

// The window rows r0..r1 (data rows of the input, clipped) of an axis.
static void window_span_(const nn_axis *a, int out, int *lo, int *hi) {
    const int start = out * a->stride - a->pad_lo;
    *lo = ui_max(0, start);
    *hi = ui_min(a->n - 1, start + (a->f - 1) * a->dilation);
}

// Draws the edges of the focused unit u into the column before it (prev)
// and says in `what` what feeds it.
static void edges_(const draw_ *d, const net_plan *p, const nn_net *net, const cell_ref *u, char *what, size_t size) {
    const nn_model *md = net->model;
    const net_col *cur = net_plan_col(p, u->layer), *prev = net_plan_col(p, u->layer - 1);
    what[0] = '\0';
    if (!cur) return;
    const ui_rect frame = unit_rect_(p, cur, u->channel, u->row, u->col);
    // Lines meet a bar's row at its left end, so its class and bar stay readable.
    const ui_rect self = cur->kind == NETCOL_BARS ? rd_rect(frame.x - 3, frame.y, 1, frame.h) : frame;
    const SDL_Color accent = ACCENT;
    if (u->layer < 0 || !prev) {
        rd_frame(d->r, rd_rect(frame.x - 2, frame.y - 2, frame.w + 4, frame.h + 4), accent, 2);
        snprintf(what, size, "a pixel of the input: the picture itself");
        return;
    }
    const nn_layer *L = &md->layers[u->layer];
    const float *x = u->layer == 0 ? d->s->host.network_input : net->out[u->layer - 1];
    switch (L->spec.kind) {
    case NN_LAYER_CONV:
    case NN_LAYER_MAXPOOL:
    case NN_LAYER_AVGPOOL: {
        const bool conv = L->spec.kind == NN_LAYER_CONV;
        const nn_axis *ra = conv ? &L->conv.rows : &L->pool.rows, *ca = conv ? &L->conv.cols : &L->pool.cols;
        int r0, r1, c0, c1;
        window_span_(ra, u->row, &r0, &r1);
        window_span_(ca, u->col, &c0, &c1);
        const int from = conv ? 0 : u->channel, to = conv ? L->in.c : u->channel + 1;
        for (int ch = from; ch < to; ch++) {
            const ui_rect a = unit_rect_(p, prev, ch, r0, c0), b = unit_rect_(p, prev, ch, r1, c1);
            const ui_rect win = rd_rect(a.x - 1, a.y - 1, b.x + b.w - a.x + 2, b.y + b.h - a.y + 2);
            line_(d, self, win, accent);
            rd_frame(d->r, win, accent, 2);
        }
        char maps[48];
        if (L->in.c == 1)
            snprintf(maps, sizeof maps, "the map before");
        else
            snprintf(maps, sizeof maps, "each of the %d maps before", L->in.c);
        if (conv)
            snprintf(what, size, "fed by a %dx%d window of %s, through filter %d's %d weights + bias", L->conv.cfg.k_h,
                     L->conv.cfg.k_w, maps, u->channel + 1, L->conv.window);
        else
            snprintf(what, size, "the %s of a %dx%d window of map %d before", L->spec.kind == NN_LAYER_MAXPOOL ? "largest" : "average",
                     L->pool.cfg.size_h, L->pool.cfg.size_w, u->channel + 1);
        break;
    }
    case NN_LAYER_CONVT: {
        // Output cell o gets a product from input cell i when o + p = i s + t d
        // for a tap t in 0..k-1: i from ceil((o + p - d(k - 1))/s) to floor((o + p)/s).
        const nn_convt_axis *ra = &L->convt.rows, *ca = &L->convt.cols;
        int span[2][2];
        const nn_convt_axis *ax[2] = {ra, ca};
        const int at[2] = {u->row, u->col};
        for (int k = 0; k < 2; k++) {
            const int o = at[k] + ax[k]->pad, reach = ax[k]->dilation * (ax[k]->f - 1), s_ = ax[k]->stride;
            int lo = o - reach <= 0 ? 0 : (o - reach + s_ - 1) / s_, hi = o / s_;
            if (hi > ax[k]->n - 1) hi = ax[k]->n - 1;
            span[k][0] = lo, span[k][1] = hi;
        }
        if (span[0][0] <= span[0][1] && span[1][0] <= span[1][1])
            for (int ch = 0; ch < L->in.c; ch++) {
                const ui_rect a = unit_rect_(p, prev, ch, span[0][0], span[1][0]),
                              b = unit_rect_(p, prev, ch, span[0][1], span[1][1]);
                const ui_rect win = rd_rect(a.x - 1, a.y - 1, b.x + b.w - a.x + 2, b.y + b.h - a.y + 2);
                line_(d, self, win, accent);
                rd_frame(d->r, win, accent, 2);
            }
        snprintf(what, size, "a transposed convolution: the sum of the stamps of the input cells framed before "
                             "(their value times one of filter %d's weights) + bias",
                 u->channel + 1);
        break;
    }
    case NN_LAYER_FLATTEN: {
        const nn_shape in = L->in;
        const int k = u->channel, hw = in.h * in.w;
        const int ch = in.rank == 3 ? k / hw : k, row = in.rank == 3 ? k % hw / in.w : 0, col = in.rank == 3 ? k % in.w : 0;
        line_(d, self, unit_rect_(p, prev, ch, row, col), accent);
        if (in.rank == 3)
            snprintf(what, size, "map %d, (%d, %d) before, moved into place %d of the vector: flatten only reorders", ch + 1, row,
                     col, k);
        break;
    }
    case NN_LAYER_DENSE: {
        // Its strongest inputs: the largest |w x| products (the unit view's
        // list), red adding, blue taking away.
        unit_dense t;
        if (!unit_dense_terms(net, d->s->host.network_input, u->layer, u->channel, &t)) break;
        for (int k = 0; k < t.n_top; k++)
            line_(d, self, unit_rect_(p, prev, t.top[k].i, 0, 0),
                  rd_diverging(t.top[k].product > 0 ? 1 : -1, d->s->colorblind));
        snprintf(what, size, "w . x + b over %d inputs; lines: the %d largest products w x (red adds, blue takes away)",
                 t.in_n, t.n_top);
        break;
    }
    case NN_LAYER_SOFTMAX:
        for (int k = 0; k < L->in.c; k++) line_(d, self, unit_rect_(p, prev, k, 0, 0), k == u->channel ? accent : LINE);
        snprintf(what, size, "e^z / (sum of e^z) over all %d scores before: every class competes", L->in.c);
        break;
    default:
        line_(d, self, unit_rect_(p, prev, u->channel, u->row, u->col), accent);
        if (L->spec.kind == NN_LAYER_RELU)
            snprintf(what, size, "max(0, x) of the same unit before: %.4g -> %.4g",
                     (double)x[net_selected_index(md, u) >= 0 ? net_selected_index(md, u) : 0],
                     (double)net->out[u->layer][ui_max(0, net_selected_index(md, u))]);
        break;
    }
    rd_frame(d->r, rd_rect(frame.x - 2, frame.y - 2, frame.w + 4, frame.h + 4), accent, 2);
}

// The focused unit: the one under the mouse, else the selected one.
static bool focus_(const app_state *s, const nn_model *md, cell_ref *u) {
    if (s->hover.grid == GRID_NET && net_unit_of_cell(md, &s->hover, u)) return true;
    if (s->network.has_selection && net_selected_index(md, &s->network.selected) >= 0) {
        *u = s->network.selected;
        return true;
    }
    return false;
}

// The line under the columns: what the focused unit is and what feeds it.
static void foot_(const draw_ *d, const nn_net *net, const cell_ref *u, const char *what, int zero_maps, int dropped) {
    const ui_layout *l = d->l;
    const int px = maps_label_px(l), lh = maps_line_h(px);
    char unit[200] = "", line1[600] = "", line2[400] = "";
    if (u) {
        const int i = net_selected_index(net->model, u);
        const float v = u->layer < 0 ? d->s->host.network_input[i] : net->out[u->layer][i];
        char name[80] = "input", val[32];
        if (u->layer >= 0) nn_layer_spec_format(&net->model->layers[u->layer].spec, name, sizeof name);
        fmt_sig(v, 4, val, sizeof val);
        const nn_shape o = u->layer < 0 ? net->model->input : net->model->layers[u->layer].out;
        if (o.rank == 3)
            snprintf(unit, sizeof unit, "layer %d %s, map %d, (%d, %d) = %s", u->layer + 1, name, u->channel + 1, u->row,
                     u->col, val);
        else
            snprintf(unit, sizeof unit, "layer %d %s, unit %d = %s", u->layer + 1, name, u->channel, val);
        snprintf(line1, sizeof line1, "%s: %s", unit, what);
    } else {
        snprintf(line1, sizeof line1, "%s", net_hint());
    }
    size_t used = 0;
    used += (size_t)snprintf(line2, sizeof line2, "%s",
                             d->s->network.global_scale ? "Colours: one scale per layer (L: each map its own)."
                                                        : "Colours: each map on its own scale (L: one per layer).");
    if (zero_maps)
        used += (size_t)snprintf(line2 + used, sizeof line2 - used, " %d map%s all 0 (marked 0): ReLU cut every value.",
                                 zero_maps, zero_maps == 1 ? " is" : "s are");
    if (dropped)
        snprintf(line2 + used, sizeof line2 - used, " %d layer%s left out at the mark ... (no room: zoom out).", dropped,
                 dropped == 1 ? "" : "s");
    // The unit and what feeds it on two lines when one is too short (the
    // colours' note gives way: the panel's scale button says it too).
    if (u && rd_width(d, FACE_SANS, px, line1) > l->explain.w) {
        snprintf(line2, sizeof line2, "%s", what);
        snprintf(line1, sizeof line1, "%s", unit);
    }
    const ui_rect q = l->explain;
    rd_fitted_line(d, FACE_SANS, px, rd_rect(q.x, q.y, q.w, lh), q.y, u ? INK : MUTED, line1);
    rd_fitted_line(d, FACE_SANS, px, rd_rect(q.x, q.y + lh, q.w, lh), q.y + lh, MUTED, line2);
}

// The input column's keys under its picture: the grey of the input, the
// colours of the maps and units.
static void keys_(const draw_ *d, const net_plan *p, const net_col *in) {
    const ui_layout *l = d->l;
    const ui_rect pic = net_unit_rect(p, in, 0);
    const int key_h = maps_key_height(l), y = pic.y + pic.h + l->pad / 2;
    const int bottom = p->band_y[in->band] + p->band_h;
    const ui_rect k = rd_rect(in->x, y, in->width, bottom - y);
    if (k.w < maps_label_px(l) * 5) return;
    int at = k.y;
    if (bottom - at >= 2 * key_h + l->pad / 2) at = maps_draw_grey_key(d, rd_rect(k.x, at, k.w, key_h), "pixel/255") + l->pad / 2;
    if (bottom - at >= key_h)
        maps_bar_key_(d, rd_rect(k.x, at, k.w, key_h), "values", "", NULL, "-max", "0", "+max", false);
}

// ---- The model's summary ----------------------------------------------------------------------

static void summary_(const draw_ *d, const nn_model *md) {
    const ui_layout *l = d->l;
    const ui_rect q = l->maps;
    const int rows = md->n_layers + 3;
    int px = l->text_px;
    while (px > l->min_px && rows * (maps_line_h(px) + 4) > q.h) px--;
    // The layers numbered as the network view's --select and a lesson's 'select' count them.
    enum { COLS = 5 };
    static const char *const long_heads[COLS] = {"#", "layer", "output shape", "parameters", "worked out"};
    static const char *const short_heads[COLS] = {"#", "layer", "shape", "params", "worked out"};
    const char *const *heads = long_heads;
    char cells[NET_MAX_COLS][COLS][80];
    const int n = ui_min(md->n_layers, NET_MAX_COLS);
    for (int i = 0; i < n; i++) {
        const nn_layer *L = &md->layers[i];
        snprintf(cells[i][0], sizeof cells[i][0], "%d", i + 1);
        nn_layer_spec_format(&L->spec, cells[i][1], sizeof cells[i][1]);
        if (L->out.rank == 3)
            snprintf(cells[i][2], sizeof cells[i][2], "%d x %d x %d", L->out.h, L->out.w, L->out.c);
        else
            snprintf(cells[i][2], sizeof cells[i][2], "%d", L->out.c);
        fmt_thousands(nn_layer_params(L), cells[i][3], sizeof cells[i][3]);
        fmt_params_worked(L, cells[i][4], sizeof cells[i][4]);
    }
    // The working-out goes first when the table is wider than the room (the
    // parameters stay), then the type shrinks to the floor.
    int col_w[COLS], x[COLS] = {0}, cols = COLS, gap = 0, table_w = 0;
    for (;;) {
        for (int c = 0; c < COLS; c++) col_w[c] = rd_width(d, FACE_BOLD, px, heads[c]);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < COLS; c++) col_w[c] = ui_max(col_w[c], rd_width(d, FACE_SANS, px, cells[i][c]));
        gap = px * 3 / 2;
        for (int c = 1; c < COLS; c++) x[c] = x[c - 1] + col_w[c - 1] + gap;
        cols = x[COLS - 1] + col_w[COLS - 1] <= q.w ? COLS : COLS - 1;
        table_w = x[cols - 1] + col_w[cols - 1];
        if (table_w <= q.w || (px <= l->min_px && heads == short_heads)) break;
        if (px > l->min_px) px--;
        else heads = short_heads;
    }
    const int lh = maps_line_h(px) + (rows * (maps_line_h(px) + 4) <= q.h ? 4 : 1);  // tighter rows before fewer
    // The rows a block has room for under its heading, above the total; in
    // blocks side by side when the window is short, else the first rows and
    // how many more there are.
    const int per = ui_max(1, (q.h - 2 * lh) / lh - 1);
    int blocks = (n + per - 1) / per;
    const bool side_by_side = blocks * table_w + (blocks - 1) * gap * 2 <= q.w;
    if (!side_by_side) blocks = 1;
    const int shown = side_by_side ? n : ui_min(n, per - (n > per));
    int bottom = q.y;
    for (int b = 0; b < blocks; b++) {
        const int x0 = q.x + b * (table_w + gap * 2);
        int y = q.y;
        for (int c = 0; c < cols; c++) rd_text(d, FACE_BOLD, px, x0 + x[c], y, INK, heads[c]);
        y += lh;
        rd_fill(d->r, rd_rect(x0, y - 3, table_w, 1), LINE);
        for (int i = b * per; i < ui_min(shown, (b + 1) * per); i++, y += lh)
            for (int c = 0; c < cols; c++)
                rd_text(d, FACE_SANS, px, x0 + x[c], y, c == 0 || c == 4 ? MUTED : INK, cells[i][c]);
        if (!side_by_side && shown < n) {
            char more[80];
            snprintf(more, sizeof more, "... and %d more layers (zoom out to see them)", n - shown);
            rd_fitted_line(d, FACE_SANS, px, rd_rect(x0, y, q.w, lh), y, MUTED, more);
            y += lh;
        }
        rd_fill(d->r, rd_rect(x0, y + 1, table_w, 1), LINE);
        bottom = ui_max(bottom, y);
    }
    char total[64], t[160];
    fmt_thousands(md->params, total, sizeof total);
    snprintf(t, sizeof t, "total: %s parameters, every one learned by training (M hides this table)", total);
    rd_fitted_line(d, FACE_BOLD, px, rd_rect(q.x, bottom + 4, q.w, lh), bottom + 4, INK, t);
}

// ---- The frame --------------------------------------------------------------------------------

static void headline_(const draw_ *d) {
    const ui_layout *l = d->l;
    char head[400], sub[400];
    net_headline(d->s, head, sizeof head, sub, sizeof sub);
    const ui_rect q = l->progress;
    const bool untrained = d->s->host.train_live && d->s->host.train_live->steps == 0;
    int y = rd_fitted_line(d, FACE_BOLD, l->text_px, rd_rect(q.x, q.y, q.w, maps_line_h(l->text_px) + 2), q.y,
                           untrained ? rd_colour(rd_pal(d)->bad) : INK, head);
    y = rd_fitted_line(d, FACE_SANS, l->small_px, rd_rect(q.x, y, q.w, maps_line_h(l->small_px) + 2), y, INK, sub);
    if (q.y + q.h - y >= maps_line_h(l->small_px) + 2)  // the summary leaves the hint out
        rd_fitted_line(d, FACE_SANS, l->small_px, rd_rect(q.x, y, q.w, maps_line_h(l->small_px) + 2), y, MUTED,
                       net_hint());
}

void render_view_network(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    rd_fill(d->r, l->panel, PANEL);
    rd_buttons(d);
    char hint[300];
    keys_hint(s, 3, hint, sizeof hint);
    rd_footer(d, s->status[0] ? s->status : hint);
    const nn_net *net = s->host.network_net;
    if (!net) {
        const ui_rect q = rd_rect(l->main.x + l->pad, l->main.y + l->pad, l->main.w - 2 * l->pad, l->main.h - 2 * l->pad);
        const bool missing = s->host.train_why[0];
        rd_text_wrap(d, FACE_SANS, l->text_px, q, q.y, missing ? rd_colour(rd_pal(d)->bad) : MUTED,
                     missing ? s->host.train_why : "The network's numbers come with the next frame.");
        return;
    }
    headline_(d);
    if (s->network.summary) {
        summary_(d, net->model);
        return;
    }
    const ui_metrics metrics = {render_text_width, d->font};
    net_plan plan;
    net_plan_make(&plan, l, &metrics, net->model, l->maps);
    if (plan.n_cols == 0) {
        rd_fitted_line(d, FACE_SANS, l->text_px, rd_rect(l->maps.x, l->maps.y, l->maps.w, maps_line_h(l->text_px) + 2),
                       l->maps.y, MUTED, "No room for the network here: zoom out (Ctrl -).");
        return;
    }
    int zero_maps = 0;
    for (int i = 0; i < plan.n_cols; i++) {
        const net_col *c = &plan.cols[i];
        titles_(d, &plan, c, net->model);
        switch (c->kind) {
        case NETCOL_INPUT:
            rd_image(d, net_unit_rect(&plan, c, 0), s->host.network_input, c->w, c->h, c->w, false, 1);
            keys_(d, &plan, c);
            break;
        case NETCOL_MAPS: zero_maps += draw_maps_(d, &plan, c); break;
        case NETCOL_VECTOR:
            // The scores the softmax reads: their colours would answer a guess quiz.
            if (quiz_hides(s, QUIZ_GUESS) && i + 1 < plan.n_cols && plan.cols[i + 1].kind == NETCOL_BARS)
                hidden_vector_(d, &plan, c);
            else
                draw_vector_(d, &plan, c);
            break;
        case NETCOL_BARS: draw_bars_(d, &plan, c); break;
        }
    }
    cell_ref u;
    char what[300] = "";
    const bool focused = focus_(s, net->model, &u);
    if (focused) edges_(d, &plan, net, &u, what, sizeof what);
    foot_(d, net, focused ? &u : NULL, what, zero_maps, plan.dropped);
}
