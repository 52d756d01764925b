// render.c - drawing the views: grids with their values, the sliding window,
// padding, products, the formula with its numbers, the controls and help.
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "render_kit.h"
#include "render_live.h"

static ui_rect rect_(int x, int y, int w, int h) { return (ui_rect){x, y, w, h}; }
static int mini_i_(int a, int b) { return a < b ? a : b; }

// ---- The settings panel ---------------------------------------------------------------------------

// Writes the labels of the panel's setting rows from the state.
static void panel_labels_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    char t[96];
    const ui_button *b;
    const anim_state *a = s->view == VIEW_POOL ? &s->pool.anim : &s->conv.anim;
    if ((b = rd_find_button(l, ACT_SLOWER, 0))) {
        snprintf(t, sizeof t, "speed  %g cells/s", app_speed_value(a->speed));
        rd_setting_label(d, b, t);
    }
    if (s->view == VIEW_CONV) {
        const conv_setup *c = &s->conv.setup;
        if ((b = rd_find_button(l, ACT_SET_SIZE, 0))) snprintf(t, sizeof t, "input  %dx%d", c->n_h, c->n_w), rd_setting_label(d, b, t);
        if ((b = rd_find_button(l, ACT_SET_KERNEL, 0))) snprintf(t, sizeof t, "kernel  %dx%d", c->k, c->k), rd_setting_label(d, b, t);
        if ((b = rd_find_button(l, ACT_SET_PADDING, 0))) {
            if (c->padding.mode == NN_PAD_SAME)
                snprintf(t, sizeof t, "padding  same");
            else if (c->padding.mode == NN_PAD_VALID)
                snprintf(t, sizeof t, "padding  valid");
            else
                snprintf(t, sizeof t, "padding  %d", c->padding.p);
            rd_setting_label(d, b, t);
        }
        if ((b = rd_find_button(l, ACT_SET_STRIDE, 0))) snprintf(t, sizeof t, "stride  %d", c->stride), rd_setting_label(d, b, t);
        if ((b = rd_find_button(l, ACT_SET_DILATION, 0))) snprintf(t, sizeof t, "dilation  %d", c->dilation), rd_setting_label(d, b, t);
        if ((b = rd_find_button(l, ACT_SET_CHANNELS, 0))) snprintf(t, sizeof t, "channels  %d", c->channels), rd_setting_label(d, b, t);
    } else {
        const pool_setup *p = &s->pool.setup;
        if ((b = rd_find_button(l, ACT_SET_SIZE, 0))) snprintf(t, sizeof t, "input  %dx%d", p->n_h, p->n_w), rd_setting_label(d, b, t);
        if ((b = rd_find_button(l, ACT_SET_POOL_SIZE, 0))) snprintf(t, sizeof t, "window  %dx%d", p->size, p->size), rd_setting_label(d, b, t);
        if ((b = rd_find_button(l, ACT_SET_STRIDE, 0))) snprintf(t, sizeof t, "stride  %d", p->stride), rd_setting_label(d, b, t);
        if ((b = rd_find_button(l, ACT_SET_PADDING, 0))) snprintf(t, sizeof t, "padding  %d", p->pad), rd_setting_label(d, b, t);
    }
}

// ---- Grids ----------------------------------------------------------------------------------------

static ui_rect cell_rect_(const ui_grid *g, int data_row, int data_col) {
    return rect_(g->r.x + (data_col - g->col0) * g->cell, g->r.y + (data_row - g->row0) * g->cell, g->cell,
                 g->cell);
}

// Largest |v| of a block, for the colour scale (1 when all are 0).
static float max_abs_(const float *v, int n, int stride, int rows) {
    float m = 0;
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < n; x++) m = fmaxf(m, fabsf(v[y * stride + x]));
    return m > 0 ? m : 1;
}

static void grid_title_(const draw_ *d, const ui_grid *g) {
    rd_text(d, FACE_BOLD, d->l->small_px, g->r.x, g->r.y - d->l->small_px * 3 / 2, INK, g->title);
}

static void padding_cell_(const draw_ *d, ui_rect q, const char *mark) {
    rd_fill(d->r, q, PAD_FILL);
    // Hatching tells padding from a real zero even in grey print-outs.
    SDL_SetRenderDrawColor(d->r, 205, 207, 214, 255);
    for (int k = -q.h; k < q.w; k += 6)
        SDL_RenderDrawLine(d->r, q.x + (k < 0 ? 0 : k), q.y + (k < 0 ? -k : 0),
                           q.x + (k + q.h > q.w ? q.w : k + q.h) - 1,
                           q.y + (k + q.h > q.w ? q.w - k : q.h) - 1);
    rd_frame(d->r, q, LINE, 1);
    const int px = q.h * 2 / 5 > d->l->small_px ? d->l->small_px : q.h * 2 / 5;
    if (px >= 8) rd_text_centre(d, FACE_SANS, px, q, MUTED, mark);
}

// A cell the window never reaches (the floor dropped it): red hatching over
// whatever it shows, visible on any colour.
static void unreached_(const draw_ *d, ui_rect q) {
    SDL_SetRenderDrawColor(d->r, BAD.r, BAD.g, BAD.b, 255);
    for (int k = 0; k < q.w + q.h; k += 7)
        for (int t = 0; t < 2; t++) {
            const int a = k + t;
            // A line from the top (or left) edge down to the right.
            const int x0 = a < q.w ? q.x + a : q.x + q.w - 1, y0 = a < q.w ? q.y : q.y + a - q.w + 1;
            const int len = mini_i_(x0 - q.x, q.y + q.h - 1 - y0);
            SDL_RenderDrawLine(d->r, x0, y0, x0 - len, y0 + len);
        }
    rd_frame(d->r, q, BAD, 2);
}

// ---- The convolution view ---------------------------------------------------------------------------

static bool in_window_(const conv_step_view *st, int ch_index_base, int per, int y, int x, int *k_out) {
    for (int k = ch_index_base; k < ch_index_base + per; k++)
        if (st->in_row[k] == y && st->in_col[k] == x) {
            *k_out = k;
            return true;
        }
    return false;
}

static void conv_grids_(const draw_ *d) {
    const app_state *s = d->s;
    const conv_setup *c = &s->conv.setup;
    const conv_step_view *st = &s->conv.step;
    const anim_state *a = &s->conv.anim;
    const int per = c->k * c->k;
    const nn_axis *ra = &s->conv.geom.rows, *ca = &s->conv.geom.cols;
    for (int gi = 0; gi < d->l->n_grids; gi++) {
        const ui_grid *g = &d->l->grids[gi];
        grid_title_(d, g);
        if (g->id == GRID_INPUT) {
            const float scale = max_abs_(&c->input[g->channel][0][0], c->n_w, VIEW_MAX_N, c->n_h);
            for (int y = g->row0; y < g->row0 + g->rows; y++)
                for (int x = g->col0; x < g->col0 + g->cols; x++) {
                    const ui_rect q = cell_rect_(g, y, x);
                    if (y < 0 || x < 0 || y >= c->n_h || x >= c->n_w)
                        padding_cell_(d, q, "0");
                    else
                        rd_value_cell(d, q, c->input[g->channel][y][x], scale, false);
                    // Rows and columns the window never reaches, when the floor drops them.
                    if (s->conv.ok && ((ra->remainder && y >= c->n_h + ra->pad_hi - ra->remainder) ||
                                       (ca->remainder && x >= c->n_w + ca->pad_hi - ca->remainder)))
                        unreached_(d, q);
                }
            if (st->valid) {
                // The window: every tap outlined, the tap being multiplied filled.
                const int base = g->channel * per;
                // Where the window was one step before: the stride jump, faintly.
                if (a->pos > 0 && s->conv.ok) {
                    const int prev = a->pos - 1, ow = s->conv.geom.out_w;
                    const int py = (prev / ow) * c->stride - ra->pad_lo, px = (prev % ow) * c->stride - ca->pad_lo;
                    const int span = (c->k - 1) * c->dilation + 1;
                    ui_rect q = cell_rect_(g, py, px);
                    q.w = q.h = span * g->cell;
                    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_BLEND);
                    rd_frame(d->r, q, (SDL_Color){ACCENT.r, ACCENT.g, ACCENT.b, 90}, 2);
                    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_NONE);
                }
                const int tiny = d->l->small_px * 3 / 5;
                for (int k = base; k < base + per; k++) {
                    ui_rect q = cell_rect_(g, st->in_row[k], st->in_col[k]);
                    rd_frame(d->r, q, ACCENT, rd_outline(d, g->cell, 3));
                    // Each tap carries its weight, as the slides write 3 with a small 0.
                    if (tiny >= 8 && g->cell >= tiny * 3) {
                        char wt[32], t[40];
                        fmt_float(st->weights[k], wt, sizeof wt);
                        snprintf(t, sizeof t, "\u00d7%s", wt);
                        const int tw = rd_width(d, FACE_BOLD, tiny, t);
                        if (tw < g->cell - 6) {
                            const int tx = q.x + q.w - tw - d->l->pad / 3 - 3;
                            const int ty = q.y + q.h - tiny * 6 / 5 - d->l->pad / 3 - 2;
                            rd_fill(d->r, (ui_rect){tx - 1, ty + 1, tw + 2, tiny + 1}, WHITE);
                            rd_text(d, FACE_BOLD, tiny, tx, ty, ACCENT, t);
                        }
                    }
                }
                const int cur = a->reveal - 1;  // the product just added
                int k;
                if (cur >= base && cur < base + per && in_window_(st, base, per, st->in_row[cur], st->in_col[cur], &k)) {
                    ui_rect q = cell_rect_(g, st->in_row[cur], st->in_col[cur]);
                    rd_frame(d->r, q, FOCUS, rd_outline(d, g->cell, 2));
                }
                // The window's outer edge, so a stride jump is easy to follow.
                const int span_h = (c->k - 1) * c->dilation + 1, span_w = span_h;
                ui_rect outer = cell_rect_(g, st->in_row[base], st->in_col[base]);
                outer.w = span_w * g->cell;
                outer.h = span_h * g->cell;
                rd_frame(d->r, rect_(outer.x - 2, outer.y - 2, outer.w + 4, outer.h + 4), ACCENT, 2);
            }
        } else if (g->id == GRID_KERNEL) {
            const float scale = max_abs_(&c->kernel[g->channel][0][0], c->k, VIEW_MAX_K, c->k);
            for (int y = 0; y < c->k; y++)
                for (int x = 0; x < c->k; x++) {
                    const ui_rect q = cell_rect_(g, y, x);
                    rd_value_cell(d, q, c->kernel[g->channel][y][x], scale, false);
                    const int idx = g->channel * per + y * c->k + x;
                    if (st->valid && idx == a->reveal - 1) rd_frame(d->r, q, FOCUS, rd_outline(d, g->cell, 2));
                }
        } else if (g->id == GRID_BIAS) {
            rd_value_cell(d, cell_rect_(g, 0, 0), c->bias, fabsf(c->bias) > 0 ? fabsf(c->bias) : 1, false);
        } else if (g->id == GRID_OUTPUT) {
            const int done = app_cells_done(a, s->conv.geom.window);
            const int n = s->conv.geom.out_h * s->conv.geom.out_w;
            float scale = 0;
            for (int i = 0; i < n; i++) scale = fmaxf(scale, fabsf(s->conv.out[i]));
            scale = scale > 0 ? scale : 1;
            for (int i = 0; i < n; i++) {
                const int y = i / s->conv.geom.out_w, x = i % s->conv.geom.out_w;
                rd_value_cell(d, cell_rect_(g, y, x), s->conv.out[i], scale, i >= done);
            }
            if (st->valid) rd_frame(d->r, cell_rect_(g, st->row, st->col), ACCENT, rd_outline(d, g->cell, 3));
            // The legend: the colour scale of the output.
            const ui_rect lg = d->l->legend;
            for (int x = 0; x < lg.w; x++) {
                const SDL_Color col = rd_diverging(2.0f * x / (lg.w - 1) - 1.0f, s->colorblind);
                SDL_SetRenderDrawColor(d->r, col.r, col.g, col.b, 255);
                SDL_RenderDrawLine(d->r, lg.x + x, lg.y, lg.x + x, lg.y + lg.h - 1);
            }
            rd_frame(d->r, lg, LINE, 1);
            char lo[40], hi[40];
            fmt_float(-scale, lo, sizeof lo);
            fmt_float(scale, hi, sizeof hi);
            rd_text(d, FACE_SANS, d->l->small_px * 4 / 5, lg.x, lg.y + lg.h + 2, MUTED, lo);
            rd_text(d, FACE_SANS, d->l->small_px * 4 / 5, lg.x + lg.w - rd_width(d, FACE_SANS, d->l->small_px * 4 / 5, hi),
                  lg.y + lg.h + 2, MUTED, hi);
        }
    }
}

// One line of text shrunk until it fits q's width; returns the y below it.
static int fitted_line_(const draw_ *d, font_face face, int px, ui_rect q, int y, SDL_Color c, const char *t) {
    while (px > 9 && rd_width(d, face, px, t) > q.w) px--;
    rd_text(d, face, px, q.x, y, c, t);
    return y + px * 5 / 4;
}

// The formula with the numbers of both axes; a note when the floor drops cells.
static void formula_(const draw_ *d, const nn_axis *rows, const nn_axis *cols, bool ok, const char *why) {
    const ui_layout *l = d->l;
    const ui_rect q = l->formula;
    int y = q.y;
    if (!ok) {
        rd_text(d, FACE_BOLD, l->text_px, q.x, y, BAD, "These settings cannot work:");
        rd_text_wrap(d, FACE_SANS, l->text_px, q, y + l->text_px * 5 / 4, BAD, why);
        return;
    }
    char letters[96], r[200], c[200], t[400];
    fmt_formula_letters(rows, letters, sizeof letters);
    fmt_formula_numbers(rows, r, sizeof r);
    fmt_formula_numbers(cols, c, sizeof c);
    snprintf(t, sizeof t, "output size = %s", letters);
    y = fitted_line_(d, FACE_BOLD, l->text_px, q, y, INK, t);
    snprintf(t, sizeof t, "rows:  %s", r);
    y = fitted_line_(d, FACE_MONO, l->small_px, q, y, INK, t);
    snprintf(t, sizeof t, "cols:  %s", c);
    y = fitted_line_(d, FACE_MONO, l->small_px, q, y, INK, t);
    if (rows->remainder || cols->remainder) {
        // Show the fraction and what the floor keeps of it.
        const nn_axis *a = rows->remainder ? rows : cols;
        const long long top = (long long)a->n + a->pad_lo + a->pad_hi - (long long)a->dilation * (a->f - 1) - 1;
        snprintf(t, sizeof t,
                 "%lld/%d = %g is not whole: the floor keeps %lld, so %d row(s) and %d column(s) are never "
                 "reached by the window (hatched red)",
                 top, a->stride, (double)top / a->stride, top / a->stride, rows->remainder, cols->remainder);
        rd_text_wrap(d, FACE_SANS, l->small_px, q, y, BAD, t);
    }
}

// A factor after a times sign: negative ones in parentheses, "x(-1)".
static void weight_text_(float w, char *buf, size_t size) {
    char t[32];
    fmt_float(w, t, sizeof t);
    snprintf(buf, size, w < 0 ? "(%s)" : "%s", t);
}

// "3x0 + 3x1 + 2x2 = 7 so far" for the products revealed, a line per channel.
static void conv_arithmetic_(const draw_ *d) {
    const app_state *s = d->s;
    const conv_step_view *st = &s->conv.step;
    const ui_layout *l = d->l;
    if (!s->conv.ok || !st->valid) return;
    const int per = s->conv.setup.k * s->conv.setup.k, reveal = s->conv.anim.reveal;
    char line[2048], a[32], b[32];
    int y = l->arithmetic.y;
    snprintf(line, sizeof line, "cell (%d, %d) of the output, %d of %d:", st->row, st->col,
             s->conv.anim.pos + 1, s->conv.anim.total);
    rd_text(d, FACE_BOLD, l->text_px, l->arithmetic.x, y, INK, line);
    y += l->text_px * 3 / 2;
    for (int ch = 0; ch < s->conv.setup.channels; ch++) {
        const int from = ch * per, to = (ch + 1) * per;
        if (reveal <= from && ch > 0) break;
        size_t n = 0;
        line[0] = '\0';
        if (s->conv.setup.channels > 1) n += (size_t)snprintf(line + n, sizeof line - n, "channel %d:  ", ch + 1);
        if (ch > 0) {
            fmt_float(st->running[from - 1], a, sizeof a);
            n += (size_t)snprintf(line + n, sizeof line - n, "%s + ", a);
        }
        for (int k = from; k < to && k < reveal; k++) {
            fmt_float(st->window[k], a, sizeof a);
            weight_text_(st->weights[k], b, sizeof b);
            n += (size_t)snprintf(line + n, sizeof line - n, st->padded[k] ? "%s[%s]\u00d7%s" : "%s%s\u00d7%s",
                                  k > from ? " + " : "", a, b);
            if (n >= sizeof line - 40) break;
        }
        if (reveal > from) {
            const int last = (reveal < to ? reveal : to) - 1;
            fmt_float(st->running[last], a, sizeof a);
            n += (size_t)snprintf(line + n, sizeof line - n, " = %s%s", a, reveal < to ? "  so far" : "");
        } else {
            snprintf(line + n, sizeof line - n, "(press > or space to multiply)");
        }
        y = rd_text_wrap(d, FACE_MONO, l->small_px, l->arithmetic, y, INK, line);
    }
    if (reveal >= st->count) {
        fmt_float(st->running[st->count - 1], a, sizeof a);
        fmt_float(st->bias, b, sizeof b);
        char c[32];
        fmt_float(st->sum, c, sizeof c);
        snprintf(line, sizeof line, "%s + bias %s = %s   -> output (%d, %d)", a, b, c, st->row, st->col);
        rd_text_wrap(d, FACE_BOLD, l->small_px, l->arithmetic, y + l->small_px / 2, ACCENT, line);
    }
}

// ---- The pooling view -----------------------------------------------------------------------------------

static void pool_grids_(const draw_ *d) {
    const app_state *s = d->s;
    const pool_setup *p = &s->pool.setup;
    const pool_step_view *st = &s->pool.step;
    const anim_state *a = &s->pool.anim;
    for (int gi = 0; gi < d->l->n_grids; gi++) {
        const ui_grid *g = &d->l->grids[gi];
        grid_title_(d, g);
        if (g->id == GRID_INPUT) {
            const float scale = max_abs_(&p->input[0][0], p->n_w, VIEW_MAX_N, p->n_h);
            for (int y = g->row0; y < g->row0 + g->rows; y++)
                for (int x = g->col0; x < g->col0 + g->cols; x++) {
                    const ui_rect q = cell_rect_(g, y, x);
                    if (y < 0 || x < 0 || y >= p->n_h || x >= p->n_w)
                        padding_cell_(d, q, "0");
                    else
                        rd_value_cell(d, q, p->input[y][x], scale, false);
                    const nn_axis *ra = &s->pool.max_geom.rows, *ca = &s->pool.max_geom.cols;
                    if (s->pool.ok && ((ra->remainder && y >= p->n_h + p->pad - ra->remainder) ||
                                       (ca->remainder && x >= p->n_w + p->pad - ca->remainder)))
                        unreached_(d, q);
                }
            if (st->valid) {
                for (int k = 0; k < st->count; k++) rd_frame(d->r, cell_rect_(g, st->in_row[k], st->in_col[k]), ACCENT, rd_outline(d, g->cell, 3));
                if (a->reveal >= st->count && st->argmax >= 0)  // the max's winner
                    rd_frame(d->r, cell_rect_(g, st->argmax_row, st->argmax_col), WIN, rd_outline(d, g->cell, 2));
                else if (a->reveal > 0 && a->reveal <= st->count)
                    rd_frame(d->r, cell_rect_(g, st->in_row[a->reveal - 1], st->in_col[a->reveal - 1]), FOCUS, rd_outline(d, g->cell, 2));
            }
        } else if (g->id == GRID_OUTPUT) {
            const float *out = g->channel == 0 ? s->pool.max_out : s->pool.avg_out;
            const int done = app_cells_done(a, s->pool.max_geom.window);
            const int n = s->pool.max_geom.out_h * s->pool.max_geom.out_w;
            float scale = 0;
            for (int i = 0; i < n; i++) scale = fmaxf(scale, fabsf(out[i]));
            scale = scale > 0 ? scale : 1;
            for (int i = 0; i < n; i++)
                rd_value_cell(d, cell_rect_(g, i / s->pool.max_geom.out_w, i % s->pool.max_geom.out_w), out[i],
                            scale, i >= done);
            if (st->valid) rd_frame(d->r, cell_rect_(g, st->row, st->col), ACCENT, rd_outline(d, g->cell, 3));
        }
    }
}

static void pool_arithmetic_(const draw_ *d) {
    const app_state *s = d->s;
    const pool_step_view *st = &s->pool.step;
    const ui_layout *l = d->l;
    if (!s->pool.ok || !st->valid) return;
    const int reveal = s->pool.anim.reveal;
    char line[2048], a[32], b[32];
    int y = l->arithmetic.y;
    snprintf(line, sizeof line, "window %d of %d, output (%d, %d):", s->pool.anim.pos + 1, s->pool.anim.total,
             st->row, st->col);
    rd_text(d, FACE_BOLD, l->text_px, l->arithmetic.x, y, INK, line);
    y += l->text_px * 3 / 2;
    // max(...) over the cells seen so far; padding does not take part.
    size_t n = (size_t)snprintf(line, sizeof line, "max(");
    for (int k = 0; k < st->count && k < reveal; k++) {
        if (st->padded[k]) {
            n += (size_t)snprintf(line + n, sizeof line - n, "%spad", k ? ", " : "");
        } else {
            fmt_float(st->window[k], a, sizeof a);
            n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", k ? ", " : "", a);
        }
    }
    fmt_float(st->max_value, a, sizeof a);
    if (reveal >= st->count)
        snprintf(line + n, sizeof line - n, ") = %s, from input (%d, %d)%s", a, st->argmax_row,
                 st->argmax_col, s->pool.setup.pad > 0 ? "; padding never wins" : "");
    else
        snprintf(line + n, sizeof line - n, " ...");
    y = rd_text_wrap(d, FACE_MONO, l->small_px, l->arithmetic, y, INK, line);
    n = (size_t)snprintf(line, sizeof line, "(");
    for (int k = 0; k < st->count && k < reveal; k++) {
        fmt_float(st->window[k], a, sizeof a);
        n += (size_t)snprintf(line + n, sizeof line - n, st->padded[k] ? "%s[%s]" : "%s%s", k ? " + " : "", a);
    }
    if (reveal >= st->count) {
        fmt_float(st->avg_sum, a, sizeof a);
        fmt_float(st->avg_value, b, sizeof b);
        snprintf(line + n, sizeof line - n, ") / %d = %s / %d = %s", st->divisor, a, st->divisor, b);
    } else {
        snprintf(line + n, sizeof line - n, " ...");
    }
    rd_text_wrap(d, FACE_MONO, l->small_px, l->arithmetic, y + l->small_px / 3, INK, line);
}

// ---- Home and help ----------------------------------------------------------------------------------

// Text centred across the window, shrunk until it fits.
static void centred_line_(const draw_ *d, font_face face, int px, int y, SDL_Color c, const char *t) {
    while (px > 9 && rd_width(d, face, px, t) > d->l->w - d->l->pad * 4) px--;
    rd_text(d, face, px, (d->l->w - rd_width(d, face, px, t)) / 2, y, c, t);
}

static void home_(const draw_ *d) {
    const ui_layout *l = d->l;
    const int y = l->header.h + l->text_px;
    centred_line_(d, FACE_BOLD, l->title_px, y, INK, "A convolutional network you can watch, step by step.");
    centred_line_(d, FACE_SANS, l->text_px, y + l->title_px * 2, MUTED,
                  "Pick a view with the mouse, or with the arrow keys and Enter.");
    rd_buttons(d);
}

static void help_(const draw_ *d) {
    static const char *keys[][2] = {
        {"Space", "play / pause"},           {"Right, Left", "one step forward, back"},
        {"Home, End", "to the start, the end"}, {"+, -", "faster, slower"},
        {"P", "cycle the padding"},          {"S, Shift+S", "stride up, down"},
        {"K, Shift+K", "kernel size up, down"}, {"N, Shift+N", "input size up, down"},
        {"D, Shift+D", "dilation up, down"}, {"C", "input channels"},
        {"1 ... 8", "kernel presets"},       {"R", "random input"},
        {"G", "load the next real digit"},   {"click a cell", "edit it (type, Enter)"},
        {"click an output", "jump to its window"}, {"B", "colour-blind palette"},
        {"Ctrl +, Ctrl -, Ctrl 0", "zoom for a projector"}, {"F11", "fullscreen"},
        {"F12", "screenshot (PNG)"},         {"Esc", "home; close this help"},
        {"F1 or ?", "this help"},            {"Q, Ctrl+Q", "quit"},
    };
    const int n = (int)(sizeof keys / sizeof keys[0]);
    const ui_layout *l = d->l;
    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_BLEND);
    rd_fill(d->r, rect_(0, 0, l->w, l->h), (SDL_Color){20, 22, 28, 200});
    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_NONE);
    const int px = l->small_px, line = px * 3 / 2, half = (n + 1) / 2;
    const int bw = l->w * 5 / 6, bh = line * (half + 3);
    const ui_rect box = rect_((l->w - bw) / 2, (l->h - bh) / 2, bw, bh);
    rd_fill(d->r, box, BG);
    rd_frame(d->r, box, ACCENT, 3);
    rd_text(d, FACE_BOLD, l->text_px, box.x + l->pad * 2, box.y + l->pad, INK, "Keys");
    for (int i = 0; i < n; i++) {
        const int col = i / half, row = i % half;
        const int x = box.x + l->pad * 2 + col * bw / 2, y = box.y + line * 2 + row * line;
        rd_text(d, FACE_BOLD, px, x, y, ACCENT, keys[i][0]);
        rd_text(d, FACE_SANS, px, x + bw / 5, y, INK, keys[i][1]);
    }
}

// ---- Lessons ----------------------------------------------------------------------------------------

// Caption text flowing in q: text between *stars* in bold accent (a star may
// sit inside a word: "*12*:" emphasises the 12, not the colon).
static int caption_(const draw_ *d, ui_rect q, int y, int px, const char *text) {
    int x = q.x;
    bool strong = false;
    const char *p = text;
    const int space = rd_width(d, FACE_SANS, px, " ");
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        int n = 0;
        while (p[n] && p[n] != ' ') n++;
        // The word's pieces between stars, and its width.
        char pieces[8][128];
        bool bold[8];
        int count = 0, w = 0;
        bool cur = strong;
        for (int i = 0, k = 0; i <= n && count < 8; i++) {
            if (i == n || p[i] == '*') {
                if (k > 0) {
                    pieces[count][k] = '\0';
                    bold[count] = cur;
                    w += rd_width(d, cur ? FACE_BOLD : FACE_SANS, px, pieces[count]);
                    count++;
                }
                k = 0;
                if (i < n) cur = !cur;
            } else if (k < 127) {
                pieces[count][k++] = p[i];
            }
        }
        if (x > q.x && x + w > q.x + q.w) {
            x = q.x;
            y += px * 5 / 4;
        }
        if (y + px > q.y + q.h) break;
        for (int i = 0; i < count; i++)
            x += rd_text(d, bold[i] ? FACE_BOLD : FACE_SANS, px, x, y, bold[i] ? ACCENT : INK, pieces[i]);
        x += space;
        strong = cur;
        p += n;
    }
    return y + px * 5 / 4;
}

static void narration_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const lesson_player *p = &s->player;
    const ui_rect box = l->narration;
    rd_fill(d->r, box, (SDL_Color){255, 248, 225, 255});
    rd_fill(d->r, (ui_rect){box.x, box.y, box.w, 3}, ACCENT);
    char t[800];
    const int px = l->small_px;
    snprintf(t, sizeof t, "%s  -  step %d of %d%s", p->l->title, p->beat + 1, p->n_beats,
             p->pc >= p->l->n ? "  -  the end" : "");
    rd_text(d, FACE_BOLD, px, box.x + l->pad * 2, box.y + l->pad, MUTED, t);
    const int buttons_w = 5 * (l->text_px * 5 + l->pad / 2) + l->pad * 2;
    const ui_rect text = {box.x + l->pad * 2, box.y + l->pad + px * 3 / 2, box.w - buttons_w - l->pad * 4,
                          box.h - px * 2 - l->pad};
    int y = caption_(d, text, text.y, l->text_px, p->caption);
    if (p->train_pending) {
        // A 'train N' on the worker: how far it is, and how to stop it.
        const live_snapshot *snap = p->train_templates ? s->host.tmpl_live : s->host.train_live;
        const long long done = snap ? p->train_target - snap->run_left : 0;
        if (p->train_target == 0 || (snap && snap->rebuilding))
            snprintf(t, sizeof t, "preparing the model (building it and testing it on the test digits)...");
        else
            snprintf(t, sizeof t, "training: step %lld of %lld  -  test accuracy %.1f%%  -  Esc stops it here",
                     done, p->train_target, snap ? 100.0 * snap->test_accuracy : 0.0);
        rd_text(d, FACE_BOLD, px, text.x, y, FOCUS, t);
        const ui_rect bar = {text.x, y + px * 3 / 2, text.w / 2, px / 2};
        rd_fill(d->r, bar, PANEL);
        const double f = p->train_target > 0 ? (double)done / (double)p->train_target : 0;
        rd_fill(d->r, (ui_rect){bar.x, bar.y, (int)(bar.w * (f < 0 ? 0 : f > 1 ? 1 : f)), bar.h}, ACCENT);
        y += px * 5 / 2;
    }
    if (p->quiz_open) {
        snprintf(t, sizeof t, "Quiz: %.700s", p->quiz_question);
        rd_text(d, FACE_BOLD, px, text.x, y, FOCUS, t);
        y += px * 5 / 4;
        if (p->quiz_result == 0)
            snprintf(t, sizeof t, "your answer: %s_   (type it, then Enter)", p->quiz_typed);
        else if (p->quiz_result > 0)
            snprintf(t, sizeof t, "%s is right.  %s", p->quiz_typed, p->quiz_explain);
        else
            snprintf(t, sizeof t, "%s is not it: the answer is %s.  %s", p->quiz_typed, p->quiz_answer, p->quiz_explain);
        rd_text_wrap(d, FACE_SANS, px, text, y, p->quiz_result < 0 ? BAD : p->quiz_result > 0 ? WIN : INK, t);
    }
    if (p->failures)
        rd_text(d, FACE_SANS, px * 4 / 5, box.x + box.w - buttons_w, box.y + box.h - px * 3 / 2, BAD,
                "an expectation failed: convstep lesson --headless says which");
}

// Purple outlines on the cells a lesson highlights.
static void marks_(const draw_ *d) {
    const lesson_player *p = &d->s->player;
    for (int i = 0; i < p->n_marks; i++)
        for (int g = 0; g < d->l->n_grids; g++) {
            const ui_grid *gr = &d->l->grids[g];
            const cell_ref *m = &p->marks[i];
            if (gr->id != m->grid || gr->channel != 0) continue;
            if (m->row < gr->row0 || m->col < gr->col0 || m->row >= gr->row0 + gr->rows || m->col >= gr->col0 + gr->cols)
                continue;
            rd_frame(d->r, cell_rect_(gr, m->row, m->col), (SDL_Color){140, 40, 200, 255}, rd_outline(d, gr->cell, 2) + 1);
        }
}

// The lesson menu beyond its buttons: each broken lesson's error beside its
// greyed entry, and which page of how many is shown.
static void lesson_menu_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    for (int i = 0; i < l->n_buttons; i++) {
        const ui_button *b = &l->buttons[i];
        if (b->action.kind != ACT_LESSON_OPEN || !s->host.lessons) continue;
        const lesson_entry *e = &s->host.lessons[b->action.value];
        if (!e->error[0]) continue;
        const ui_rect q = {b->r.x + b->r.w + l->pad * 2, b->r.y, l->w - (b->r.x + b->r.w + l->pad * 4), b->r.h};
        rd_text_wrap(d, FACE_SANS, l->small_px * 4 / 5, q, q.y, BAD, e->error);
    }
    char t[300];
    if (s->host.n_lessons > l->list_page)
        snprintf(t, sizeof t, "lessons %d to %d of %d, by file name  -  Page Up / Page Down, the wheel, or the buttons",
                 l->list_first + 1, l->list_first + l->list_shown, s->host.n_lessons);
    else
        snprintf(t, sizeof t, "%d lesson%s, by file name", s->host.n_lessons, s->host.n_lessons == 1 ? "" : "s");
    if (s->host.lessons_unlisted > 0) {
        const size_t n = strlen(t);
        snprintf(t + n, sizeof t - n, "  -  %d more file%s not listed (the menu lists %d)", s->host.lessons_unlisted,
                 s->host.lessons_unlisted == 1 ? " is" : "s are", LESSON_MENU_MAX);
    }
    // Too long for the room left of the page buttons (a large zoom): the
    // count alone, which says all that matters.
    if (rd_width(d, FACE_SANS, l->small_px, t) > l->list_note.w && s->host.n_lessons > l->list_page)
        snprintf(t, sizeof t, "lessons %d to %d of %d", l->list_first + 1,
                 l->list_first + l->list_shown, s->host.n_lessons);
    if (s->host.n_lessons > 0 || s->host.lessons_unlisted > 0)
        rd_text(d, FACE_SANS, l->small_px, l->list_note.x, l->list_note.y + (l->list_note.h - l->small_px * 6 / 5) / 2,
                MUTED, t);
}

// ---- The frame ------------------------------------------------------------------------------------------

int render_text_width(void *ctx, const char *text, int px, bool mono) {
    return font_width((app_font *)ctx, mono ? FACE_MONO : FACE_SANS, px, text);
}

void render_frame(const app_state *s, const ui_layout *l, SDL_Renderer *r, app_font *font) {
    const draw_ d = {r, font, l, s};
    SDL_SetRenderDrawColor(r, BG.r, BG.g, BG.b, 255);
    SDL_RenderClear(r);
    char status[600];
    if (s->view == VIEW_LESSONS) {
        rd_header(&d, "lessons");
        rd_text(&d, FACE_BOLD, l->text_px, l->pad * 2, l->header.h + l->text_px, INK,
                s->host.n_lessons ? "Pick a lesson. In a lesson: Enter or N next, P back, A autoplay, Esc close."
                             : "No lessons were found (lessons/ next to assets/, or set CONVSTEP_LESSONS).");
        rd_buttons(&d);
        lesson_menu_(&d);
        const lesson_entry *focused =
            s->host.lessons && s->lesson_focus >= 0 && s->lesson_focus < s->host.n_lessons ? &s->host.lessons[s->lesson_focus] : NULL;
        rd_footer(&d, s->status[0] ? s->status
                      : focused && focused->error[0] ? focused->error
                      : "lessons are plain-text files in lessons/; lessons/README.md explains them");
    } else if (s->view == VIEW_HOME) {
        rd_header(&d, "home");
        home_(&d);
        rd_footer(&d, s->status[0] ? s->status : "F1 or ? lists every key.  F11 fullscreen.  Ctrl +/- zoom.");
    } else if (s->view == VIEW_CONV || s->view == VIEW_POOL) {
        const bool conv = s->view == VIEW_CONV;
        rd_header(&d, conv ? "convolution" : "pooling: max and average");
        rd_fill(r, l->panel, PANEL);
        if (conv) {
            conv_grids_(&d);
            formula_(&d, &s->conv.geom.rows, &s->conv.geom.cols, s->conv.ok, s->conv.why);
            conv_arithmetic_(&d);
        } else {
            pool_grids_(&d);
            formula_(&d, &s->pool.max_geom.rows, &s->pool.max_geom.cols, s->pool.ok, s->pool.why);
            pool_arithmetic_(&d);
        }
        rd_buttons(&d);
        panel_labels_(&d);
        const anim_state *a = conv ? &s->conv.anim : &s->pool.anim;
        if (s->editing)
            snprintf(status, sizeof status, "editing a cell: %s_   (Enter keeps it, Esc cancels)", s->edit_text);
        else if (s->status[0])
            snprintf(status, sizeof status, "%s", s->status);
        else if (a->total == 0)
            snprintf(status, sizeof status, "these settings cannot work (see why above)  -  F1 keys");
        else
            snprintf(status, sizeof status, "step %d of %d  -  %s at %g cells/s  -  F1 keys", a->pos + 1, a->total,
                     a->playing ? "playing" : "paused", app_speed_value(a->speed));
        rd_footer(&d, status);
    } else {
        static const char *titles[VIEW_COUNT] = {[VIEW_TRAIN] = "training, live",
                                                 [VIEW_TEMPLATES] = "the weight templates of a one-layer classifier",
                                                 [VIEW_DRAW] = "draw a digit", [VIEW_CNN] = "inside the CNN"};
        rd_header(&d, titles[s->view]);
        rd_fill(r, l->panel, PANEL);
        if (s->view == VIEW_TRAIN) rd_train_view(&d);
        if (s->view == VIEW_TEMPLATES) rd_templates_view(&d);
        if (s->view == VIEW_CNN) rd_cnn_view(&d);
        if (s->view == VIEW_DRAW) {
            rd_draw_view(&d);
            const ui_button *b = rd_find_button(l, ACT_BRUSH, 0);
            char t[32];
            snprintf(t, sizeof t, "pen  %d", s->draw.brush);
            if (b) rd_setting_label(&d, b, t);
        }
        rd_buttons(&d);
        if (s->view == VIEW_TRAIN || s->view == VIEW_TEMPLATES) {
            // the rate and slow-motion labels sit beside their buttons
            const live_snapshot *snap = s->view == VIEW_TRAIN ? s->host.train_live : s->host.tmpl_live;
            const ui_button *b;
            char t[64];
            if ((b = rd_find_button(l, ACT_LR_DOWN, 0))) {
                snprintf(t, sizeof t, "rate  %g", snap ? (double)snap->lr : 0.0);
                rd_setting_label(&d, b, t);
            }
            if ((b = rd_find_button(l, ACT_SLOWMO_LESS, 0))) {
                if (snap && snap->delay_ms > 0)
                    snprintf(t, sizeof t, "slow  %d ms", snap->delay_ms);
                else
                    snprintf(t, sizeof t, "full speed");
                rd_setting_label(&d, b, t);
            }
        }
        rd_footer(&d, s->status[0] ? s->status
                      : s->view == VIEW_DRAW ? "draw with the mouse; C clears, U undoes, [ ] pen size; F1 keys"
                      : s->view == VIEW_CNN ? "N next digit; click a first-layer map cell to see its window; F1 keys"
                                             : "Space trains or pauses, R resets, Up/Down rate, S slow motion; F1 keys");
    }
    if (l->narration.h && s->player.l) {
        marks_(&d);
        narration_(&d);
        // The narration's buttons were drawn with the view's; draw them again on top.
        for (int i = 0; i < l->n_buttons; i++) {
            const app_action_kind k = l->buttons[i].action.kind;
            if (k >= ACT_LESSON_NEXT && k <= ACT_LESSON_AUTOPLAY) {
                ui_layout one = *l;
                one.n_buttons = 1;
                one.buttons[0] = l->buttons[i];
                const draw_ d1 = {r, font, &one, s};
                rd_buttons(&d1);
            }
        }
    }
    if (s->help) help_(&d);
}
