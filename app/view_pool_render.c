// view_pool_render.c - the pooling view: the input with the window, the max
// and average outputs (whole grids with their values, or, when large,
// pictures with an enlarged part that has values), the legend and the colour
// scale they share, the formula, the max and the average written out, the
// cells linked to the one under the mouse, and the settings panel.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "anim.h"
#include "format.h"
#include "render_views.h"
#include "view_pool.h"
#include "view_pool_links.h"

// An output picture's cells not worked out yet (named in the legend).
static const SDL_Color PENDING_ = {186, 188, 194, 255};

// ---- Where things are on a grid -------------------------------------------------------------------

// The screen rectangle of cells [r0, r0 + rows) x [c0, c0 + cols) clipped to
// what g draws; false when none of them is drawn.
static bool block_rect_(const ui_grid *g, int r0, int c0, int rows, int cols, ui_rect *out) {
    const int top = r0 > g->row0 ? r0 : g->row0, left = c0 > g->col0 ? c0 : g->col0;
    const int bottom = r0 + rows < g->row0 + g->rows ? r0 + rows : g->row0 + g->rows;
    const int right = c0 + cols < g->col0 + g->cols ? c0 + cols : g->col0 + g->cols;
    if (top >= bottom || left >= right) return false;
    const ui_rect a = rd_cell_rect(g, top, left);
    *out = rd_rect(a.x, a.y, (right - left) * g->cell, (bottom - top) * g->cell);
    return true;
}

static bool cell_shown_(const ui_grid *g, int r, int c) {
    return r >= g->row0 && c >= g->col0 && r < g->row0 + g->rows && c < g->col0 + g->cols;
}

// A frame thick enough to see from the back of a room, thinner on pictures.
static int frame_px_(const draw_ *d, const ui_grid *g) {
    return pool_grid_is_picture(d->l, g) ? ui_max(2, d->l->pad / 4) : ui_max(3, g->cell / 12);
}

static void frame_block_(const draw_ *d, const ui_grid *g, int r0, int c0, int rows, int cols, SDL_Color c) {
    ui_rect q;
    if (block_rect_(g, r0, c0, rows, cols, &q)) rd_frame(d->r, q, c, frame_px_(d, g));
}

// The axes of the pooling, for the links (view_pool_links.h).
static void axes_(const app_state *s, pool_axis_links *rows, pool_axis_links *cols) {
    const pool_setup *p = &s->pool.setup;
    *rows = (pool_axis_links){p->n_h, p->size, p->stride, p->pad, s->pool.max_geom.out_h};
    *cols = (pool_axis_links){p->n_w, p->size, p->stride, p->pad, s->pool.max_geom.out_w};
}

// The max's winner of output (row, col), from the engine's own step record.
static bool winner_of_(const app_state *s, int row, int col, int *wr, int *wc) {
    const pool_setup *p = &s->pool.setup;
    float in[VIEW_MAX_N * VIEW_MAX_N];
    for (int y = 0; y < p->n_h; y++)
        for (int x = 0; x < p->n_w; x++) in[y * p->n_w + x] = p->input[y][x];
    nn_pool_cursor cur;
    if (nn_pool_cursor_init(&cur, &s->pool.max_geom, in, NULL) != NN_OK) return false;
    nn_pool_step st;
    const bool ok = nn_pool_step_at(&cur, row * s->pool.max_geom.out_w + col, &st) && st.argmax_row >= 0;
    if (ok) *wr = st.argmax_row, *wc = st.argmax_col;
    nn_pool_cursor_destroy(&cur);
    return ok;
}

// ---- The grids ----------------------------------------------------------------------------------

// Input and outputs share one colour scale (a max or an average never leaves
// the input's range), so equal values look equal everywhere.
static float value_scale_(const app_state *s) { return pool_value_scale(s); }

static bool unreached_(const app_state *s, int y, int x) {
    const pool_setup *p = &s->pool.setup;
    const nn_axis *ra = &s->pool.max_geom.rows, *ca = &s->pool.max_geom.cols;
    return s->pool.ok && ((ra->remainder && y >= p->n_h + p->pad - ra->remainder) ||
                          (ca->remainder && x >= p->n_w + p->pad - ca->remainder));
}

static void input_cells_(const draw_ *d, const ui_grid *g, float scale) {
    const pool_setup *p = &d->s->pool.setup;
    if (pool_grid_is_picture(d->l, g)) {
        // A picture: padding as its grey, the values as colours, no numbers.
        rd_fill(d->r, g->r, PAD_FILL);
        ui_rect q;
        if (block_rect_(g, 0, 0, p->n_h, p->n_w, &q))
            rd_image(d, q, &p->input[0][0], p->n_w, p->n_h, VIEW_MAX_N, true, scale);
        const int rr = d->s->pool.max_geom.rows.remainder, cr = d->s->pool.max_geom.cols.remainder;
        if (d->s->pool.ok && rr && block_rect_(g, p->n_h + p->pad - rr, g->col0, rr, g->cols, &q)) rd_unreached(d, q);
        if (d->s->pool.ok && cr && block_rect_(g, g->row0, p->n_w + p->pad - cr, g->rows, cr, &q)) rd_unreached(d, q);
        return;
    }
    for (int y = g->row0; y < g->row0 + g->rows; y++)
        for (int x = g->col0; x < g->col0 + g->cols; x++) {
            const ui_rect q = rd_cell_rect(g, y, x);
            if (y < 0 || x < 0 || y >= p->n_h || x >= p->n_w)
                rd_padding_cell(d, q, "0");
            else
                rd_value_cell(d, q, p->input[y][x], scale, false);
            if (unreached_(d->s, y, x)) rd_unreached(d, q);
        }
}

static void output_cells_(const draw_ *d, const ui_grid *g, float scale) {
    const app_state *s = d->s;
    const float *out = g->channel == 0 ? s->pool.max_out : s->pool.avg_out;
    const int done = app_cells_done(&s->pool.anim, s->pool.max_geom.window), ow = s->pool.max_geom.out_w;
    if (pool_grid_is_picture(d->l, g)) {
        rd_image(d, g->r, out, ow, s->pool.max_geom.out_h, ow, true, scale);
        // Not worked out yet: grey, since white is the colour of 0.
        for (int i = done; i < s->pool.anim.total; i++) rd_fill(d->r, rd_cell_rect(g, i / ow, i % ow), PENDING_);
        rd_frame(d->r, g->r, LINE, 1);
        return;
    }
    for (int y = g->row0; y < g->row0 + g->rows; y++)
        for (int x = g->col0; x < g->col0 + g->cols; x++)
            if (quiz_hides_cell(s, y, x))  // a quiz asks for it
                rd_hidden_cell(d, rd_cell_rect(g, y, x));
            else
                rd_value_cell(d, rd_cell_rect(g, y, x), out[y * ow + x], scale, y * ow + x >= done);
}

// The window, where it was a step before (dashed), the cell read now and the winner.
static void input_marks_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const pool_step_view *st = &s->pool.step;
    const anim_state *a = &s->pool.anim;
    const palette *pal = rd_pal(d);
    const int f = s->pool.setup.size;
    if (!st->valid) return;
    ui_rect q;
    if (a->pos > 0) {
        const int prev = a->pos - 1, ow = s->pool.max_geom.out_w;
        const int r0 = prev / ow * s->pool.setup.stride - s->pool.setup.pad;
        const int c0 = prev % ow * s->pool.setup.stride - s->pool.setup.pad;
        if (block_rect_(g, r0, c0, f, f, &q)) rd_dashed_frame(d, q, rd_colour(pal->window), ui_max(2, frame_px_(d, g) - 1));
    }
    // The window, gliding from the cell before (anim_glide), clipped to what g draws.
    const ui_rect w = pool_window_rect(s, g);
    const int x0 = ui_max(w.x, g->r.x), y0 = ui_max(w.y, g->r.y);
    const int x1 = ui_min(w.x + w.w, g->r.x + g->r.w), y1 = ui_min(w.y + w.h, g->r.y + g->r.h);
    if (x1 > x0 && y1 > y0) rd_frame(d->r, rd_rect(x0, y0, x1 - x0, y1 - y0), rd_colour(pal->window), frame_px_(d, g));
    int from;
    if (anim_glide(a, &from) < 1) return;  // the cell read and the winner once it is there
    const int inner = pool_grid_is_picture(d->l, g) ? 2 : rd_outline(d, g->cell, 2) + 1;
    if (a->reveal > 0 && a->reveal < st->count && cell_shown_(g, st->in_row[a->reveal - 1], st->in_col[a->reveal - 1]))
        rd_frame(d->r, rd_cell_rect(g, st->in_row[a->reveal - 1], st->in_col[a->reveal - 1]), rd_colour(pal->tap), inner);
    // (Not while a quiz asks for this cell: the winner is its answer.)
    if (a->reveal >= st->count && st->argmax >= 0 && cell_shown_(g, st->argmax_row, st->argmax_col) &&
        !quiz_hides_cell(s, st->row, st->col))
        rd_frame(d->r, rd_cell_rect(g, st->argmax_row, st->argmax_col), rd_colour(pal->winner), inner);
}

// On a picture: the part shown enlarged (the value grid of the same id and channel).
static void enlarged_mark_(const draw_ *d, const ui_grid *pic) {
    for (int i = 0; i < d->l->n_grids; i++) {
        const ui_grid *z = &d->l->grids[i];
        if (z == pic || z->id != pic->id || z->channel != pic->channel || pool_grid_is_picture(d->l, z)) continue;
        ui_rect q;
        if (block_rect_(pic, z->row0, z->col0, z->rows, z->cols, &q)) rd_frame(d->r, q, INK, 2);
    }
}

// What the cell under the mouse links to: an output's window (and its
// winner) on the input; an input cell's outputs.
static void hover_marks_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const cell_ref *h = &s->hover;
    if (!s->pool.ok || (h->grid != GRID_INPUT && h->grid != GRID_OUTPUT)) return;
    const SDL_Color mark = rd_colour(rd_pal(d)->mark);
    const int thick = frame_px_(d, g) + 1;
    pool_axis_links ra, ca;
    axes_(s, &ra, &ca);
    if (h->grid == GRID_OUTPUT) {
        if (g->id == GRID_OUTPUT) {
            frame_block_(d, g, h->row, h->col, 1, 1, mark);
            return;
        }
        const pool_span rows = pool_window_span(&ra, h->row), cols = pool_window_span(&ca, h->col);
        ui_rect q;
        if (rows.lo <= rows.hi && block_rect_(g, rows.lo, cols.lo, rows.hi - rows.lo + 1, cols.hi - cols.lo + 1, &q))
            rd_frame(d->r, q, mark, thick);
        int wr, wc;
        if (winner_of_(s, h->row, h->col, &wr, &wc) && cell_shown_(g, wr, wc))
            rd_frame(d->r, rd_cell_rect(g, wr, wc), rd_colour(rd_pal(d)->winner), thick);
        return;
    }
    if (g->id == GRID_INPUT) {
        frame_block_(d, g, h->row, h->col, 1, 1, mark);
        return;
    }
    const pool_span rows = pool_outputs_of(&ra, h->row), cols = pool_outputs_of(&ca, h->col);
    for (int r = rows.lo; r <= rows.hi; r++)
        for (int c = cols.lo; c <= cols.hi; c++) frame_block_(d, g, r, c, 1, 1, mark);
}

// ---- The backward mode ------------------------------------------------------------------------------

// The gradients' colour scale: dL/dY's largest magnitude (a share is never larger), 1 when all are 0.
static float grad_scale_(const app_state *s) {
    float most = 0;
    for (int i = 0; i < s->pool.anim.total; i++) most = fmaxf(most, fabsf(s->pool.dy[i]));
    return most > 0 ? most : 1;
}

// The current window framed on g (input X or a dL/dX grid), clipped to what g draws.
static void window_frame_(const draw_ *d, const ui_grid *g) {
    const ui_rect w = pool_window_rect(d->s, g);
    const int x0 = ui_max(w.x, g->r.x), y0 = ui_max(w.y, g->r.y);
    const int x1 = ui_min(w.x + w.w, g->r.x + g->r.w), y1 = ui_min(w.y + w.h, g->r.y + g->r.h);
    if (x1 > x0 && y1 > y0) rd_frame(d->r, rd_rect(x0, y0, x1 - x0, y1 - y0), rd_colour(rd_pal(d)->window), frame_px_(d, g));
}

// A grid of n_h x n_w (or out) values on scale; a picture when its cells are too small for numbers.
static void values_(const draw_ *d, const ui_grid *g, const float *v, int w, int h, float scale) {
    if (pool_grid_is_picture(d->l, g)) {
        rd_image(d, g->r, v, w, h, w, true, scale);
        rd_frame(d->r, g->r, LINE, 1);
        return;
    }
    for (int y = g->row0; y < g->row0 + g->rows; y++)
        for (int x = g->col0; x < g->col0 + g->cols; x++)
            rd_value_cell(d, rd_cell_rect(g, y, x), v[y * w + x], scale, false);
}

// Input X with the window and its max; Y whole (the forward pass is done);
// dL/dY with the cell routed now; dL/dX of max and of average as far as the steps have routed.
static void backward_grids_(const draw_ *d) {
    const app_state *s = d->s;
    const pool_step_view *st = &s->pool.step;
    const pool_setup *p = &s->pool.setup;
    const palette *pal = rd_pal(d);
    const float scale = value_scale_(s), gscale = grad_scale_(s);
    const int done = app_cells_done(&s->pool.anim, 1), ow = s->pool.max_geom.out_w, oh = s->pool.max_geom.out_h;
    static float dxm[VIEW_MAX_N * VIEW_MAX_N], dxa[VIEW_MAX_N * VIEW_MAX_N];
    pool_backward_upto(s, done, dxm, dxa, NULL);
    const SDL_Color green = rd_colour(pal->winner);
    for (int gi = 0; gi < d->l->n_grids; gi++) {
        const ui_grid *g = &d->l->grids[gi];
        rd_grid_title(d, g);
        const int inner = pool_grid_is_picture(d->l, g) ? 2 : rd_outline(d, g->cell, 2) + 1;
        if (g->id == GRID_INPUT) {
            input_cells_(d, g, scale);
            if (!st->valid) continue;
            window_frame_(d, g);
            if (cell_shown_(g, st->argmax_row, st->argmax_col))
                rd_frame(d->r, rd_cell_rect(g, st->argmax_row, st->argmax_col), green, inner);
        } else if (g->id == GRID_OUTPUT) {
            values_(d, g, g->channel == 0 ? s->pool.max_out : s->pool.avg_out, ow, oh, scale);
            if (st->valid) frame_block_(d, g, st->row, st->col, 1, 1, rd_colour(pal->window));
        } else if (g->id == GRID_FMAP && g->channel == 0) {
            values_(d, g, s->pool.dy, ow, oh, gscale);
            if (st->valid) frame_block_(d, g, st->row, st->col, 1, 1, green);
        } else if (g->id == GRID_FMAP) {
            values_(d, g, g->channel == 1 ? dxm : dxa, p->n_w, p->n_h, gscale);
            if (!st->valid) continue;
            window_frame_(d, g);
            // The max's gradient lands on one cell: the winner, framed as on the input.
            if (g->channel == 1 && cell_shown_(g, st->argmax_row, st->argmax_col))
                rd_frame(d->r, rd_cell_rect(g, st->argmax_row, st->argmax_col), green, inner);
        }
    }
}

static int lines_(const draw_ *d, font_face face, int px, int w, const char *t);

static void backward_arithmetic_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    if (!s->pool.ok || !s->pool.step.valid || l->arithmetic.h <= 0) return;
    char head[300], max[1024], avg[1024];
    pool_text_back_heading(s, head, sizeof head);
    pool_text_back_max(s, max, sizeof max);
    pool_text_back_avg(s, avg, sizeof avg);
    // Each line whole where it fits, else on one line shortened (a short main area), else left out.
    const ui_rect q = l->arithmetic;
    const int px = l->small_px, line_h = px * 5 / 4, bottom = q.y + q.h;
    const char *texts[3] = {head, max, avg};
    int y = q.y;
    for (int i = 0; i < 3; i++) {
        const font_face face = i ? FACE_MONO : FACE_BOLD;
        if (y + lines_(d, face, px, q.w, texts[i]) * line_h <= bottom)
            y = rd_text_wrap(d, face, px, q, y, INK, texts[i]);
        else if (y + line_h <= bottom)
            y = rd_fitted_line(d, face, px, q, y, INK, texts[i]);
    }
}

static void pool_grids_(const draw_ *d) {
    const app_state *s = d->s;
    if (s->pool.backward) {
        backward_grids_(d);
        return;
    }
    const float scale = value_scale_(s);
    for (int gi = 0; gi < d->l->n_grids; gi++) {
        const ui_grid *g = &d->l->grids[gi];
        rd_grid_title(d, g);
        if (g->id == GRID_INPUT) {
            input_cells_(d, g, scale);
            if (pool_grid_is_picture(d->l, g)) enlarged_mark_(d, g);
            input_marks_(d, g);
        } else if (g->id == GRID_OUTPUT) {
            output_cells_(d, g, scale);
            if (pool_grid_is_picture(d->l, g)) enlarged_mark_(d, g);
            if (s->pool.step.valid) frame_block_(d, g, s->pool.step.row, s->pool.step.col, 1, 1, rd_colour(rd_pal(d)->window));
        }
        hover_marks_(d, g);
    }
}

// ---- The legend and the colour scale --------------------------------------------------------------

static rd_legend_item legend_item_(const draw_ *d, pool_key k) {
    const palette *p = rd_pal(d);
    rd_legend_item it = {RD_SWATCH_FRAME, INK, pool_key_label(k)};
    switch (k) {
    case POOL_KEY_WINDOW: it.colour = rd_colour(p->window); break;
    case POOL_KEY_TAP: it.colour = rd_colour(p->tap); break;
    case POOL_KEY_WINNER: it.colour = rd_colour(p->winner); break;
    case POOL_KEY_GHOST: it.kind = RD_SWATCH_DASHED, it.colour = rd_colour(p->window); break;
    case POOL_KEY_LINKED: it.colour = rd_colour(p->mark); break;
    case POOL_KEY_PADDING: it.kind = RD_SWATCH_PADDING; break;
    case POOL_KEY_UNREACHED: it.kind = RD_SWATCH_UNREACHED; break;
    case POOL_KEY_PENDING: it.kind = RD_SWATCH_FILL, it.colour = PENDING_; break;
    case POOL_KEY_DY: it.colour = rd_colour(p->winner); break;
    default: break;
    }
    return it;
}

static float grad_scale_(const app_state *s);

// "value -9 [bar] 9": the colour scale every grid shares, in one row from (x, y) (or two, when narrow).
static void colour_scale_at_(const draw_ *d, ui_rect q, int y, bool narrow, const char *label, float scale) {
    const ui_layout *l = d->l;
    const int px = ui_max(l->small_px * 9 / 10, l->min_px), sw = px * 6 / 5;
    char lo[40], hi[40];
    fmt_screen(-scale, lo, sizeof lo);
    fmt_screen(scale, hi, sizeof hi);
    int x = q.x;
    x += rd_text(d, FACE_SANS, px, x, y + (sw - px * 6 / 5) / 2, INK, label) + l->pad;
    if (narrow) x = q.x, y += sw + l->pad / 2;
    x += rd_text(d, FACE_SANS, px, x, y, INK, lo) + l->pad / 2;
    const int hw = rd_width(d, FACE_SANS, px, hi);
    const int bar_w = ui_max(l->pad * 4, ui_min(q.w / 3, q.x + q.w - x - hw - l->pad));
    rd_colour_bar(d, rd_rect(x, y, bar_w, sw));
    rd_frame(d->r, rd_rect(x, y, bar_w, sw), LINE, 1);
    rd_text(d, FACE_SANS, px, x + bar_w + l->pad / 2, y, INK, hi);
}

static void colour_scale_(const draw_ *d, ui_rect q, int y, bool narrow) {
    colour_scale_at_(d, q, y, narrow, "value", value_scale_(d->s));
}

// The font's measure, for the layout's measures (view_pool.h) drawn here.
static int text_width_(void *ctx, const char *t, int px, bool mono) {
    return rd_width((const draw_ *)ctx, mono ? FACE_MONO : FACE_SANS, px, t);
}

static void pool_legend_(const draw_ *d) {
    const ui_layout *l = d->l;
    bool pictures = false;
    for (int i = 0; i < l->n_grids; i++) pictures = pictures || pool_grid_is_picture(l, &l->grids[i]);
    pool_key keys[POOL_KEY_COUNT];
    const int n = pool_legend_keys(d->s, pictures, false, keys);
    const ui_rect q = l->legend;
    if (q.h <= 0) return;  // no room (the layout left it out)
    // A legend given less room than every key needs (a short main area):
    // the keys that fit, the window's first, the mouse's link last.
    for (int i = 0; i + 1 < n; i++)
        if (keys[i] == POOL_KEY_LINKED) {
            memmove(&keys[i], &keys[i + 1], sizeof keys[0] * (size_t)(n - i - 1));
            keys[n - 1] = POOL_KEY_LINKED;
            break;
        }
    rd_legend_item items[POOL_KEY_COUNT];
    for (int i = 0; i < n; i++) items[i] = legend_item_(d, keys[i]);
    const ui_metrics m = {text_width_, (void *)d};
    int shown = n;
    if (pool_legend_h(l, &m, keys, 1, q.w) > q.h) {
        // Room for one row (a short main area): the keys that fit and the colour scale after them.
        while (shown > 1 && pool_legend_inline_w(l, &m, d->s, keys, shown) > q.w) shown--;
        const int keys_w = pool_legend_inline_w(l, &m, d->s, keys, shown) - pool_legend_scale_w(l, &m, d->s);
        rd_legend(d, rd_rect(q.x, q.y, keys_w, q.h), items, shown);
        colour_scale_(d, rd_rect(q.x + keys_w, q.y, q.w - keys_w, q.h), q.y, false);
        return;
    }
    while (shown > 1 && pool_legend_h(l, &m, keys, shown, q.w) > q.h) shown--;
    // rd_legend wraps to the width: one entry a row beside the grids.
    const int y = q.y + rd_legend(d, q, items, shown) + l->pad / 2;
    const int px = ui_max(l->small_px * 9 / 10, l->min_px);
    const bool narrow = rd_width(d, FACE_SANS, px, "value -0.00 0.00") + l->pad * 7 > q.w;
    colour_scale_(d, q, y, narrow);
    // The backward mode: the gradients (dL/dY, dL/dX) on their own scale, below the values' (two rows when narrow).
    const int gy = y + (narrow ? 2 : 1) * pool_legend_row_h(l);
    if (d->s->pool.backward && gy + (narrow ? 2 : 1) * pool_legend_row_h(l) <= q.y + q.h)
        colour_scale_at_(d, q, gy, narrow, "gradient", grad_scale_(d->s));
}

// ---- The formula and the arithmetic ---------------------------------------------------------------

static void pool_formula_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const ui_rect q = l->formula;
    if (!s->pool.ok) {
        rd_formula(d, &s->pool.max_geom.rows, &s->pool.max_geom.cols, false, s->pool.why);
        return;
    }
    if (q.h <= 0) return;
    char letters[96], t[600];
    fmt_formula_letters(&s->pool.max_geom.rows, letters, sizeof letters);
    snprintf(t, sizeof t, "output size = %s", letters);
    int y = rd_fitted_line(d, FACE_BOLD, l->text_px, q, q.y, INK, t);
    pool_text_formula(s, t, sizeof t);
    y = rd_fitted_line(d, FACE_MONO, l->small_px, q, y, INK, t);
    pool_text_remainder(s, t, sizeof t);
    if (t[0]) rd_text_wrap(d, FACE_SANS, l->small_px, q, y, BAD, t);
}

// The lines rd_text_wrap breaks t into at width w (at spaces).
static int lines_(const draw_ *d, font_face face, int px, int w, const char *t) {
    int lines = 0;
    char line[512];
    for (const char *p = t; *p; lines++) {
        int n = 0, last_space = -1;
        while (p[n] && n < (int)sizeof line - 1) {
            line[n] = p[n];
            line[n + 1] = '\0';
            if (rd_width(d, face, px, line) > w && last_space > 0) break;
            if (p[n] == ' ') last_space = n;
            n++;
        }
        if (p[n] && last_space > 0) n = last_space;
        p += n;
        while (*p == ' ') p++;
    }
    return lines;
}

static void pool_arithmetic_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    if (s->pool.backward) {
        backward_arithmetic_(d);
        return;
    }
    if (!s->pool.ok || !s->pool.step.valid) return;
    if (quiz_hides_cell(s, s->pool.step.row, s->pool.step.col)) {
        rd_fitted_line(d, FACE_SANS, l->small_px, l->arithmetic, l->arithmetic.y, INK,
                       "The window's maximum and average stay hidden until the quiz is answered.");
        return;
    }
    const int reveal = s->pool.anim.reveal;
    // Only whole lines: a line starts only where all of it fits above the bottom.
    ui_rect q = l->arithmetic;
    q.h = ui_max(0, q.h - l->small_px * 6 / 5 + 1);
    char head[256], max[2048], avg[2048];
    pool_text_heading(s, reveal, head, sizeof head);
    pool_text_max(s, reveal, max, sizeof max);
    pool_text_avg(s, reveal, avg, sizeof avg);
    // The shorter forms when the full ones need more lines than the box holds.
    const int px = l->small_px, room = l->arithmetic.h / (px * 5 / 4);
    for (int level = 0; level < 2; level++) {
        if (lines_(d, FACE_BOLD, px, q.w, head) + lines_(d, FACE_MONO, px, q.w, max) +
                lines_(d, FACE_MONO, px, q.w, avg) <= room)
            break;
        pool_text_compact(head, level > 0);
        pool_text_compact(max, level > 0);
        pool_text_compact(avg, level > 0);
    }
    int y = rd_text_wrap(d, FACE_BOLD, px, q, q.y, INK, head);
    y = rd_text_wrap(d, FACE_MONO, px, q, y, INK, max);
    rd_text_wrap(d, FACE_MONO, px, q, y, INK, avg);
}

// The labels of the panel's setting rows, from the state.
static void pool_labels_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    char t[96];
    const ui_button *b;
    if (!l->panel_strip) rd_speed_label(d, &s->pool.anim);  // the strip's "slower" needs none
    const pool_setup *p = &s->pool.setup;
    if ((b = rd_find_button(l, ACT_SET_SIZE, 0))) snprintf(t, sizeof t, "input  %dx%d", p->n_h, p->n_w), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_POOL_SIZE, 0))) snprintf(t, sizeof t, "window  %dx%d", p->size, p->size), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_STRIDE, 0))) snprintf(t, sizeof t, "stride  %d", p->stride), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_PADDING, 0))) snprintf(t, sizeof t, "padding  %d", p->pad), rd_setting_label(d, b, t);
}

// The footer: what a step is here, a window (as the heading under the grids
// says, "window 5 of 9"), and how far it has been read.
static void pool_footer_(const draw_ *d) {
    const app_state *s = d->s;
    const anim_state *a = &s->pool.anim;
    if (s->editing || s->status[0] || a->total == 0 || !s->pool.step.valid) {
        rd_stepper_footer(d, a);
        return;
    }
    char where[96], speed[48], t[200];
    const int count = s->pool.backward ? 1 : s->pool.step.count;
    if (s->pool.backward)
        snprintf(where, sizeof where, "backward: dL/dY cell %d of %d%s", a->pos + 1, a->total,
                 a->reveal > 0 ? " routed" : ": next");
    else if (a->reveal >= count)
        snprintf(where, sizeof where, "window %d of %d done", a->pos + 1, a->total);
    else if (a->reveal == 0)
        snprintf(where, sizeof where, "window %d of %d: next", a->pos + 1, a->total);
    else
        snprintf(where, sizeof where, "window %d of %d: %d of %d cells read", a->pos + 1, a->total, a->reveal, count);
    fmt_speed(app_speed_value(a->speed), speed, sizeof speed);
    snprintf(t, sizeof t, "%s  -  %s at %s  -  F1 keys", where, a->playing ? "playing" : "paused", speed);
    rd_footer(d, t);
}

void render_view_pool(const draw_ *d) {
    rd_fill(d->r, d->l->panel, PANEL);
    pool_grids_(d);
    pool_legend_(d);
    pool_formula_(d);
    pool_arithmetic_(d);
    rd_buttons(d);
    pool_labels_(d);
    pool_footer_(d);
}
