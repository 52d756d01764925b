// view_conv_render.c - the convolution view: the input with the sliding
// window (gliding between cells) and its weights, the kernel, bias and
// output grids with their colour scales, the legend, what the cell under the
// mouse links to, the formula, the products added so far, and the settings
// panel's labels. A grid whose cells are too small for values (a 28x28
// digit) is drawn as a picture; the layout puts a zoomed part beside it.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "anim.h"
#include "format.h"
#include "render_views.h"
#include "view_conv_legend.h"
#include "view_conv_links.h"
#include "view_conv_open.h"

static SDL_Color window_colour_(const draw_ *d) { return rd_colour(rd_pal(d)->window); }
static SDL_Color tap_colour_(const draw_ *d) { return rd_colour(rd_pal(d)->tap); }
static SDL_Color link_colour_(const draw_ *d) { return rd_colour(rd_pal(d)->mark); }

// The cells a dilated window skips (as its legend swatch).
#define SKIPPED_GREY_ ((SDL_Color){170, 170, 170, 255})

static int lh_(int px) { return (px * 1164 + 999) / 1000; }

static conv_links_geom links_geom_(const app_state *s) {
    const conv_setup *c = &s->conv.setup;
    return (conv_links_geom){c->n_h, c->n_w, c->k, c->stride, c->dilation, s->conv.geom.rows.pad_lo,
                             s->conv.geom.cols.pad_lo, s->conv.geom.out_h, s->conv.geom.out_w};
}

// A grid drawn whole with another of the same data beside it (its close-up):
// too small for values, it is a picture.
static bool picture_(const draw_ *d, const ui_grid *g) {
    if (g->cell >= d->l->min_cell) return false;
    for (int i = 0; i < d->l->n_grids; i++) {
        const ui_grid *o = &d->l->grids[i];
        if (o != g && o->id == g->id && o->channel == g->channel && o->rows < g->rows) return true;
    }
    return false;
}

// A cell of g is drawn (a close-up of a dilated window's taps skips the
// cells between them).
static bool drawn_(const ui_grid *g, int row, int col) { return ui_grid_cell(g, row, col, NULL); }

// Where a cell of g is (or would be, for one not drawn, every cell a step apart).
static ui_rect cell_rect_(const ui_grid *g, int row, int col) {
    ui_rect q;
    return ui_grid_cell(g, row, col, &q) ? q : rd_cell_rect(g, row, col);
}

// A frame around a drawn cell of g, if it is drawn.
static void cell_frame_(const draw_ *d, const ui_grid *g, int row, int col, SDL_Color c, int share) {
    if (drawn_(g, row, col)) rd_frame(d->r, cell_rect_(g, row, col), c, rd_outline(d, g->cell, share));
}

// A translucent wash over a cell (hover links): the value stays readable.
static void wash_(const draw_ *d, ui_rect q, SDL_Color c) {
    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_BLEND);
    rd_fill(d->r, q, (SDL_Color){c.r, c.g, c.b, 70});
    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_NONE);
    rd_frame(d->r, q, c, 3);
}

// The colour bar under a grid: its scale from -max to +max, the ends
// labelled on its left and right.
static void scale_bar_(const draw_ *d, const ui_grid *g, float scale) {
    const ui_layout *l = d->l;
    if (d->s->conv.ok && l->no_scales) return;  // no room for them (the layout's last resorts)
    char lo[32], hi[32];
    fmt_screen(-scale, lo, sizeof lo);
    fmt_screen(scale, hi, sizeof hi);
    const int px = l->min_px, y = g->r.y + g->r.h + l->pad / 2;
    const int lo_w = rd_width(d, FACE_SANS, px, lo), hi_w = rd_width(d, FACE_SANS, px, hi), gap = l->pad / 2;
    const int bar_w = ui_max(l->min_px * 2, g->r.w - lo_w - hi_w - 2 * gap);  // the layout leaves room for it
    const int bar_h = ui_max(6, lh_(px) * 2 / 3);
    rd_text(d, FACE_SANS, px, g->r.x, y, MUTED, lo);
    const ui_rect bar = {g->r.x + lo_w + gap, y + (lh_(px) - bar_h) / 2, bar_w, bar_h};
    rd_colour_bar(d, bar);
    rd_frame(d->r, bar, LINE, 1);
    rd_text(d, FACE_SANS, px, bar.x + bar.w + gap, y, MUTED, hi);
}

// ---- The window over the input ----------------------------------------------------------------

// The window's pixel offset while it glides from the previous cell.
static void glide_offset_(const draw_ *d, const ui_grid *g, int *dx, int *dy) {
    const app_state *s = d->s;
    int from;
    const double t = anim_glide(&s->conv.anim, &from);
    *dx = *dy = 0;
    if (t >= 1 || !s->conv.ok) return;
    // Cells count filter by filter: the place within a map is the same for each.
    const int ow = s->conv.geom.out_w, st = s->conv.setup.stride, plane = ow * s->conv.geom.out_h;
    const int to = s->conv.anim.pos % plane;
    from %= plane;
    const int fr = from / ow, fc = from % ow, tr = to / ow, tc = to % ow;
    *dx = (int)lround((1 - t) * (fc - tc) * st * g->cell);
    *dy = (int)lround((1 - t) * (fr - tr) * st * g->cell);
}

// The weight on a tap: a strip at the bottom of the cell, under its value,
// only where it fits at a readable size (else the kernel and the products
// line show the weights).
static void weight_badge_(const draw_ *d, ui_rect q, int inset, float w) {
    const ui_layout *l = d->l;
    const int value_px = ui_min(l->small_px, q.h / 2);  // as rd_value_cell draws the value
    const int value_bottom = q.y + (q.h - value_px * 6 / 5) / 2 + lh_(value_px);
    const int bottom = q.y + q.h - inset - 1;
    int px = ui_min(l->small_px * 3 / 4, (bottom - value_bottom - 2) * 1000 / 1164);
    if (px < l->badge_px) return;
    char wt[32], t[40];
    fmt_screen(w, wt, sizeof wt);
    snprintf(t, sizeof t, "\u00d7%s", wt);
    const int room = q.w - 2 * inset - 4;
    while (px > l->badge_px && rd_width(d, FACE_BOLD, px, t) > room) px--;
    const int tw = rd_width(d, FACE_BOLD, px, t);
    if (tw > room) return;
    const int tx = q.x + q.w - inset - tw - 2, ty = bottom - lh_(px);
    rd_fill(d->r, (ui_rect){tx - 2, ty, tw + 4, lh_(px)}, WHITE);
    rd_text(d, FACE_BOLD, px, tx, ty, INK, t);
}

// The window over channel g->channel: each tap outlined with its weight,
// the tap being multiplied, where the window was one step before (dashed),
// the cells a dilated window skips (greyed), and its outer edge.
static void conv_window_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const conv_setup *c = &s->conv.setup;
    const conv_step_view *st = &s->conv.step;
    const anim_state *a = &s->conv.anim;
    const conv_links_geom lg = links_geom_(s);
    const int per = c->k * c->k, base = g->channel * per, span = (c->k - 1) * c->dilation + 1;
    const bool pic = picture_(d, g);
    SDL_Rect clip = {g->r.x - 4, g->r.y - 4, g->r.w + 8, g->r.h + 8};
    SDL_RenderSetClipRect(d->r, &clip);
    const int thick = ui_max(2, d->l->pad / 5);
    // Where the window was one step before: dashed, so the stride jump shows.
    const bool taps = g->step > 1;  // a close-up of the taps alone: it follows the window
    if (a->pos % (lg.out_w * lg.out_h) > 0 && !taps) {  // (a filter's first cell has none before it)
        const int prev = a->pos % (lg.out_w * lg.out_h) - 1, ow = lg.out_w;
        ui_rect q = cell_rect_(g, (prev / ow) * c->stride - lg.pad_top, (prev % ow) * c->stride - lg.pad_left);
        q.w = q.h = span * g->cell;
        rd_dashed_frame(d, rd_rect(q.x - thick, q.y - thick, q.w + 2 * thick, q.h + 2 * thick), window_colour_(d),
                        thick);
    }
    int dx = 0, dy = 0;
    if (!taps) glide_offset_(d, g, &dx, &dy);
    const bool settled = dx == 0 && dy == 0;
    // Inside the window's span, the cells dilation skips are greyed.
    for (int y = 0; settled && (!pic || g->cell >= 6) && c->dilation > 1 && y < span; y++)
        for (int x = 0; x < span; x++) {
            const int r = st->in_row[base] + y, cc = st->in_col[base] + x;
            if (drawn_(g, r, cc) && conv_link_skipped(&lg, st->row, st->col, r, cc)) {
                SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_BLEND);
                rd_fill(d->r, cell_rect_(g, r, cc), (SDL_Color){120, 120, 120, 150});
                SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_NONE);
            }
        }
    for (int k = base; k < base + per && !pic; k++) {
        if (!drawn_(g, st->in_row[k], st->in_col[k])) continue;
        ui_rect q = cell_rect_(g, st->in_row[k], st->in_col[k]);
        q.x += dx, q.y += dy;
        rd_frame(d->r, q, window_colour_(d), rd_outline(d, g->cell, 3));
    }
    const int cur = a->reveal - 1;  // the product just added
    if (settled && cur >= base && cur < base + per) cell_frame_(d, g, st->in_row[cur], st->in_col[cur], tap_colour_(d), 2);
    // The weights last, inside the thickest frame, so no frame covers them.
    const int inset = rd_outline(d, g->cell, 2);
    for (int k = base; k < base + per && !pic && settled; k++)
        if (drawn_(g, st->in_row[k], st->in_col[k])) {
            weight_badge_(d, cell_rect_(g, st->in_row[k], st->in_col[k]), inset, st->weights[k]);
        }
    // The window's outer edge.
    ui_rect outer = cell_rect_(g, st->in_row[base], st->in_col[base]);
    outer.w = outer.h = taps ? g->r.w : span * g->cell;
    const int edge = pic ? 2 : thick;
    rd_frame(d->r, rd_rect(outer.x + dx - edge, outer.y + dy - edge, outer.w + 2 * edge, outer.h + 2 * edge),
             window_colour_(d), edge);
    SDL_RenderSetClipRect(d->r, NULL);
}

// ---- Grids ----------------------------------------------------------------------------------------

// A grid too small for values: every cell as a colour, padding grey.
static void picture_grid_(const draw_ *d, const ui_grid *g, const float *v, int stride, float scale) {
    rd_fill(d->r, g->r, PAD_FILL);
    const ui_rect data = rd_rect(g->r.x - g->col0 * g->cell, g->r.y - g->row0 * g->cell, g->data_cols * g->cell,
                                 g->data_rows * g->cell);
    rd_image(d, data, v, g->data_cols, g->data_rows, stride, true, scale);
    rd_frame(d->r, g->r, LINE, 1);
}

// What the cell under the mouse links to on this grid.
static void input_links_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const cell_ref *h = &s->hover;
    const conv_links_geom lg = links_geom_(s);
    const conv_step_view *st = &s->conv.step;
    if (h->grid == GRID_OUTPUT) {  // its window
        for (int ky = 0; ky < lg.k; ky++)
            for (int kx = 0; kx < lg.k; kx++) {
                int r, c;
                conv_link_tap(&lg, h->row, h->col, ky, kx, &r, &c);
                if (drawn_(g, r, c)) wash_(d, cell_rect_(g, r, c), link_colour_(d));
            }
    } else if (h->grid == GRID_KERNEL && st->valid && h->channel == g->channel) {  // the input it meets now
        int r, c;
        conv_link_tap(&lg, st->row, st->col, h->row, h->col, &r, &c);
        if (drawn_(g, r, c)) wash_(d, cell_rect_(g, r, c), link_colour_(d));
    } else if (h->grid == GRID_INPUT && h->channel == g->channel && drawn_(g, h->row, h->col)) {
        rd_frame(d->r, cell_rect_(g, h->row, h->col), link_colour_(d), 3);
    }
}

static void conv_input_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const conv_setup *c = &s->conv.setup;
    const nn_axis *ra = &s->conv.geom.rows, *ca = &s->conv.geom.cols;
    const float scale = rd_max_abs(&c->input[g->channel][0][0], c->n_w, VIEW_MAX_N, c->n_h);
    if (picture_(d, g)) {
        picture_grid_(d, g, &c->input[g->channel][0][0], VIEW_MAX_N, scale);
        // The rows and columns never reached, as bands across the picture.
        if (s->conv.ok && ra->remainder) {
            ui_rect q = cell_rect_(g, c->n_h + ra->pad_hi - ra->remainder, g->col0);
            rd_unreached(d, rd_rect(g->r.x, q.y, g->r.w, g->r.y + g->r.h - q.y));
        }
        if (s->conv.ok && ca->remainder) {
            ui_rect q = cell_rect_(g, g->row0, c->n_w + ca->pad_hi - ca->remainder);
            rd_unreached(d, rd_rect(q.x, g->r.y, g->r.x + g->r.w - q.x, g->r.h));
        }
    } else {
        // A close-up of the taps alone: the bands between them are the cells
        // dilation skips, greyed as in the whole grid (the legend's "skipped").
        const int step = g->step > 1 ? g->step : 1;
        if (step > 1) rd_fill(d->r, g->r, SKIPPED_GREY_);
        for (int y = g->row0; y < g->row0 + g->rows * step; y += step)
            for (int x = g->col0; x < g->col0 + g->cols * step; x += step) {
                const ui_rect q = cell_rect_(g, y, x);
                if (y < 0 || x < 0 || y >= c->n_h || x >= c->n_w)
                    rd_padding_cell(d, q, "0");
                else
                    rd_value_cell(d, q, c->input[g->channel][y][x], scale, false);
                // Rows and columns the window never reaches, when the floor drops them.
                if (s->conv.ok && ((ra->remainder && y >= c->n_h + ra->pad_hi - ra->remainder) ||
                                   (ca->remainder && x >= c->n_w + ca->pad_hi - ca->remainder)))
                    rd_unreached(d, q);
            }
    }
    if (s->conv.step.valid) conv_window_(d, g);
    if (s->conv.ok && !picture_(d, g)) input_links_(d, g);
    // One bar a channel, under the whole picture or grid (not the close-up).
    if (!s->conv.ok || g->rows == c->n_h + ra->pad_lo + ra->pad_hi) scale_bar_(d, g, scale);
}

// The current filter's kernels, bias and output, framed in the window's colour
// (several filters: the legend's "window, its filter").
static void filter_frame_(const draw_ *d, const ui_grid *g) {
    const int t = ui_max(2, d->l->pad / 5), o = t + 2;
    rd_frame(d->r, rd_rect(g->r.x - o, g->r.y - o, g->r.w + 2 * o, g->r.h + 2 * o), window_colour_(d), t);
}

static void conv_kernel_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const conv_setup *c = &s->conv.setup;
    const anim_state *a = &s->conv.anim;
    const int per = c->k * c->k, f = g->layer;  // the grid's layer is its filter
    const bool current = s->conv.step.valid && s->conv.step.filter == f;
    const float scale = rd_max_abs(&c->kernel[f][g->channel][0][0], c->k, VIEW_MAX_K, c->k);
    const cell_ref *h = &s->hover;
    const conv_links_geom lg = links_geom_(s);
    for (int y = 0; y < c->k; y++)
        for (int x = 0; x < c->k; x++) {
            const ui_rect q = cell_rect_(g, y, x);
            const int idx = g->channel * per + y * c->k + x;
            if (current && idx == a->reveal - 1)
                rd_value_cell_framed(d, q, conv_sliding_weight(c, f, g->channel, y, x), scale, tap_colour_(d),
                                     rd_outline(d, g->cell, 2));
            else
                rd_value_cell(d, q, conv_sliding_weight(c, f, g->channel, y, x), scale, false);
            // An output cell under the mouse uses every weight of its filter; an
            // input cell the one that meets it now.
            int ky, kx;
            if ((h->grid == GRID_OUTPUT && h->channel == f) ||
                (h->grid == GRID_KERNEL && h->channel == g->channel && h->layer == f && h->row == y && h->col == x) ||
                (h->grid == GRID_INPUT && current && h->channel == g->channel &&
                 conv_link_reads(&lg, s->conv.step.row, s->conv.step.col, h->row, h->col, &ky, &kx) && ky == y &&
                 kx == x))
                wash_(d, q, link_colour_(d));
        }
    if (current && c->filters > 1) filter_frame_(d, g);
    scale_bar_(d, g, scale);
}

// The output cells computed so far, the current one outlined, the links of
// the cell under the mouse.
static void conv_output_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const conv_step_view *st = &s->conv.step;
    // The grid's channel is its filter: cells count filter by filter.
    const int ow = s->conv.geom.out_w, n = s->conv.geom.out_h * ow, f = g->channel;
    const int done = app_cells_done(&s->conv.anim, s->conv.geom.window) - f * n;
    const float *out = s->conv.out + (size_t)f * n;
    const bool current = st->valid && st->filter == f;
    float scale = 0;
    for (int i = 0; i < n; i++) scale = fmaxf(scale, fabsf(out[i]));
    scale = scale > 0 ? scale : 1;
    if (quiz_hides(s, QUIZ_SIZE)) {  // a size quiz waits: no grid to count (a "?" two cells a side)
        rd_hidden_cell(d, rd_rect(g->r.x, g->r.y, ui_min(g->r.w, 2 * ui_max(g->cell, d->l->min_cell)),
                                  ui_min(g->r.h, 2 * ui_max(g->cell, d->l->min_cell))));
        return;
    }
    // A cell quiz waits on the current filter's cell: a "?" there, and no
    // colour bar (its ends could be that very value).
    const bool asked = f == conv_view_filter(&s->conv) && quiz_hides(s, QUIZ_CELL);
    if (current && s->conv.setup.filters > 1) filter_frame_(d, g);
    if (picture_(d, g)) {
        // Cells not computed yet are white (0 on the scale).
        float shown[VIEW_MAX_OUT * VIEW_MAX_OUT];
        for (int i = 0; i < n; i++) shown[i] = i < done ? out[i] : 0;
        if (asked) shown[s->player.quiz_row * ow + s->player.quiz_col] = 0;
        picture_grid_(d, g, shown, ow, scale);
        if (current) rd_frame(d->r, rd_rect(g->r.x + st->col * g->cell - 1, g->r.y + st->row * g->cell - 1, g->cell + 2, g->cell + 2), window_colour_(d), 2);
        if (!asked) scale_bar_(d, g, scale);
        return;
    }
    for (int y = g->row0; y < g->row0 + g->rows; y++)
        for (int x = g->col0; x < g->col0 + g->cols; x++)
            if (asked && quiz_hides_cell(s, y, x))
                rd_hidden_cell(d, cell_rect_(g, y, x));
            else
                rd_value_cell(d, cell_rect_(g, y, x), out[y * ow + x], scale, y * ow + x >= done);
    if (current) cell_frame_(d, g, st->row, st->col, window_colour_(d), 3);
    const cell_ref *h = &s->hover;
    const conv_links_geom lg = links_geom_(s);
    if (h->grid == GRID_INPUT) {  // every output that reads it
        for (int y = g->row0; y < g->row0 + g->rows; y++)
            for (int x = g->col0; x < g->col0 + g->cols; x++)
                if (conv_link_reads(&lg, y, x, h->row, h->col, NULL, NULL)) wash_(d, cell_rect_(g, y, x), link_colour_(d));
    } else if (h->grid == GRID_OUTPUT && h->channel == f && drawn_(g, h->row, h->col)) {
        rd_frame(d->r, cell_rect_(g, h->row, h->col), link_colour_(d), 3);
    } else if (h->grid == GRID_KERNEL && current && h->layer == f) {
        wash_(d, cell_rect_(g, st->row, st->col), link_colour_(d));
    }
    // The whole output's bar, once (under the whole grid or the picture).
    if (g->row0 == 0 && g->rows == s->conv.geom.out_h && !asked) scale_bar_(d, g, scale);
}

// Every colour and hatching the grids use (the values' colours: the bar under each grid).
static void conv_legend_(const draw_ *d) {
    const ui_rect q = d->l->legend;
    if (q.w <= 0) return;
    conv_legend_entry e[7];
    const int n = conv_legend_entries(&d->s->conv, d->s->player.l && d->s->player.n_marks > 0, e);
    rd_legend_item items[7];
    int shown = 0;
    for (int k = 0; k < n; k++) {
        // (No cells "never reached" while a size quiz waits: they would tell the size.)
        if (e[k].kind == CONV_LEGEND_UNREACHED && quiz_hides(d->s, QUIZ_SIZE)) continue;
        const int i = shown++;
        items[i].label = e[k].label;
        items[i].colour = window_colour_(d);
        switch (e[k].kind) {
        case CONV_LEGEND_WINDOW: items[i].kind = RD_SWATCH_FRAME; break;
        case CONV_LEGEND_TAP: items[i].kind = RD_SWATCH_FRAME, items[i].colour = tap_colour_(d); break;
        case CONV_LEGEND_GHOST: items[i].kind = RD_SWATCH_DASHED; break;
        case CONV_LEGEND_LINKED: items[i].kind = RD_SWATCH_FRAME, items[i].colour = link_colour_(d); break;
        case CONV_LEGEND_PADDING: items[i].kind = RD_SWATCH_PADDING; break;
        case CONV_LEGEND_SKIPPED: items[i].kind = RD_SWATCH_FILL, items[i].colour = SKIPPED_GREY_; break;
        case CONV_LEGEND_UNREACHED: items[i].kind = RD_SWATCH_UNREACHED; break;
        }
    }
    rd_legend(d, q, items, shown);
}

static void conv_grids_(const draw_ *d) {
    const conv_setup *c = &d->s->conv.setup;
    for (int gi = 0; gi < d->l->n_grids; gi++) {
        const ui_grid *g = &d->l->grids[gi];
        rd_grid_title(d, g);
        if (g->id == GRID_INPUT)
            conv_input_(d, g);
        else if (g->id == GRID_KERNEL)
            conv_kernel_(d, g);
        else if (g->id == GRID_BIAS) {  // white: added, not scaled
            rd_value_cell(d, cell_rect_(g, 0, 0), c->bias[g->layer], 1e30f, false);
            if (c->filters > 1 && d->s->conv.step.valid && d->s->conv.step.filter == g->layer) filter_frame_(d, g);
        }
        else if (g->id == GRID_OUTPUT)
            conv_output_(d, g);
    }
    if (d->s->conv.ok) conv_legend_(d);
}

// ---- The products and the sum -------------------------------------------------------------------------

// A term "3×2", a padding zero in brackets "[0]×2", a negative weight in parentheses "3×(-1)".
static void term_(const conv_step_view *st, int k, char *buf, size_t size) {
    char a[32], b[32];
    fmt_screen(st->window[k], a, sizeof a);
    fmt_screen(st->weights[k], b, sizeof b);
    snprintf(buf, size, st->padded[k] ? "[%s]\u00d7%s%s%s" : "%s\u00d7%s%s%s", a, st->weights[k] < 0 ? "(" : "", b,
             st->weights[k] < 0 ? ")" : "");
}

// Draws words (terms) wrapped at their boundaries into at most max_lines
// lines of q from y; false (nothing drawn) when they do not fit.
static bool wrapped_terms_(const draw_ *d, font_face face, int px, ui_rect q, int *y, char terms[][80], int n,
                           int max_lines, SDL_Color c, bool draw) {
    int line = 0, x = q.x;
    if (*y + px * 5 / 4 > q.y + q.h) return false;  // not even one line left
    const int space = rd_width(d, face, px, " ");
    for (int i = 0; i < n; i++) {
        const int w = rd_width(d, face, px, terms[i]);
        if (x > q.x && x + w > q.x + q.w) {
            if (++line >= max_lines || *y + (line + 1) * px * 5 / 4 > q.y + q.h) return false;
            x = q.x + space * 2;  // continuation lines indented
        }
        if (w > q.x + q.w - x) return false;
        if (draw) rd_text(d, face, px, x, *y + line * px * 5 / 4, c, terms[i]);
        x += w + space;
    }
    if (draw) *y += (line + 1) * px * 5 / 4;
    return true;
}

// Terms wrapped into as few lines as they need (up to max_lines); shortened
// with an ellipsis on one line when even that is not enough.
static void terms_line_(const draw_ *d, font_face face, int px, int *y, char terms[][80], int n, int max_lines) {
    const ui_layout *l = d->l;
    if (*y + px * 5 / 4 > l->arithmetic.y + l->arithmetic.h) return;  // no room left: not drawn
    if (wrapped_terms_(d, face, px, l->arithmetic, y, terms, n, max_lines, INK, false)) {
        wrapped_terms_(d, face, px, l->arithmetic, y, terms, n, max_lines, INK, true);
        return;
    }
    char t[720] = "";
    size_t len = 0;
    for (int i = 0; i < n && len + 82 < sizeof t; i++) {
        const size_t k = strlen(terms[i]);
        if (i) t[len++] = ' ';
        memcpy(t + len, terms[i], k + 1);
        len += k;
    }
    *y = rd_fitted_line(d, face, px, l->arithmetic, *y, INK, t);
}

// A channel's line: its label, the carry, each product with its "+", the sum.
#define MAX_TERMS (2 * VIEW_MAX_K * VIEW_MAX_K + 4)

// One channel's line: "channel 1: carried 12 + 3×0 + 3×1 + 2×2 = 19 so far",
// wrapped at terms onto max_lines lines, or summed up honestly when too long.
static void channel_line_(const draw_ *d, int ch, int *y, int max_lines) {
    const app_state *s = d->s;
    const conv_step_view *st = &s->conv.step;
    const ui_layout *l = d->l;
    const int per = s->conv.setup.k * s->conv.setup.k, reveal = s->conv.anim.reveal;
    const int from = ch * per, to = (ch + 1) * per, last = (reveal < to ? reveal : to) - 1;
    const bool many = s->conv.setup.channels > 1;
    static char terms[MAX_TERMS][80];
    int n = 0;
    char v[32];
    if (many) snprintf(terms[n++], 80, "channel %d:", ch);
    if (ch > 0) fmt_screen(st->running[from - 1], v, sizeof v), snprintf(terms[n++], 80, "carried %s", v);
    const int first_term = n;
    for (int k = from; k <= last; k++) {
        if (n > first_term || ch > 0) snprintf(terms[n++], 80, "+");
        term_(st, k, terms[n++], 80);
    }
    fmt_screen(st->running[last], v, sizeof v);
    snprintf(terms[n++], 80, "= %s%s", v, reveal < to ? " so far" : "");
    if (wrapped_terms_(d, FACE_MONO, l->small_px, l->arithmetic, y, terms, n, max_lines, INK, false)) {
        wrapped_terms_(d, FACE_MONO, l->small_px, l->arithmetic, y, terms, n, max_lines, INK, true);
        return;
    }
    // Too many to read: the count and the sum, then the latest products in
    // full (as many as fit), on max_lines lines.
    for (int keep = 6; keep >= 0; keep--) {
        int m = 0;
        if (many) snprintf(terms[m++], 80, "channel %d:", ch);
        char carried[32];
        if (ch > 0) fmt_screen(st->running[from - 1], carried, sizeof carried), snprintf(terms[m++], 80, "carried %s +", carried);
        snprintf(terms[m++], 80, "%d products", last - from + 1);
        snprintf(terms[m++], 80, "= %s%s%s", v, reveal < to ? " so far" : "", keep ? ";" : "");
        if (keep) snprintf(terms[m++], 80, "the latest: ...");
        for (int k = ui_max(from, last - keep + 1); keep && k <= last; k++) {
            snprintf(terms[m++], 80, "+");
            term_(st, k, terms[m++], 80);
        }
        if (keep == 0 || wrapped_terms_(d, FACE_MONO, l->small_px, l->arithmetic, y, terms, m, max_lines, INK, false)) {
            terms_line_(d, FACE_MONO, l->small_px, y, terms, m, max_lines);
            return;
        }
    }
}

static void conv_arithmetic_(const draw_ *d) {
    const app_state *s = d->s;
    const conv_step_view *st = &s->conv.step;
    const ui_layout *l = d->l;
    if (!s->conv.ok || !st->valid || l->arithmetic.h < l->small_px * 5 / 4) return;
    if (quiz_hides(s, QUIZ_SIZE) || (quiz_hides_cell(s, st->row, st->col) && st->filter == conv_view_filter(&s->conv))) {
        rd_fitted_line(d, FACE_SANS, l->small_px, l->arithmetic, l->arithmetic.y, INK,
                       quiz_hides(s, QUIZ_SIZE) ? "The output stays hidden until the quiz is answered."
                                                : "The products and their sum stay hidden until the quiz is answered.");
        return;
    }
    const int per = s->conv.setup.k * s->conv.setup.k, reveal = s->conv.anim.reveal;
    const int small_line = l->small_px * 5 / 4, channels = s->conv.setup.channels;
    static char terms[8][80];
    char a[32], b[32], c[32];
    int y = l->arithmetic.y;
    // The title when there is room for it and a line a channel and the sum
    // (the sum's line and the footer say which cell it is too).
    if (l->arithmetic.h >= l->text_px * 3 / 2 + (channels + 1) * small_line + l->small_px / 4) {
        if (s->conv.setup.filters > 1)
            snprintf(terms[0], 80, "filter %d, output", st->filter + 1);
        else
            snprintf(terms[0], 80, "output");
        snprintf(terms[1], 80, "(row %d, col %d),", st->row, st->col);
        snprintf(terms[2], 80, "cell %d of %d", s->conv.anim.pos + 1, s->conv.anim.total);
        // A narrow column (the text beside the grids): the label size, on up to three lines.
        const bool fits = wrapped_terms_(d, FACE_BOLD, l->text_px, l->arithmetic, &y, terms, 3, 2, INK, false);
        terms_line_(d, FACE_BOLD, fits ? l->text_px : l->small_px, &y, terms, 3, fits ? 2 : 3);
        y += l->text_px / 4;
    }
    if (reveal == 0) {
        snprintf(terms[0], 80, "no products yet:");
        snprintf(terms[1], 80, "Right adds the cell,");
        snprintf(terms[2], 80, "Shift+Right one product");
        terms_line_(d, FACE_MONO, l->small_px, &y, terms, 3, 3);
        return;
    }
    // The lines left after the sum's, shared by the channels (one at least).
    const int lines = (l->arithmetic.y + l->arithmetic.h - y - l->small_px / 4) / small_line - 1;
    const int each = ui_max(1, lines / channels);
    for (int ch = 0; ch < channels && reveal > ch * per; ch++) channel_line_(d, ch, &y, each);
    if (reveal >= st->count) {
        fmt_screen(st->running[st->count - 1], a, sizeof a);
        fmt_screen(st->bias, b, sizeof b);
        fmt_screen(st->sum, c, sizeof c);
        snprintf(terms[0], 80, "%s + bias %s", a, b);
        snprintf(terms[1], 80, "= %s", c);
        snprintf(terms[2], 80, "\u2192 output");
        snprintf(terms[3], 80, "(row %d, col %d)", st->row, st->col);
        y += l->small_px / 4;
        terms_line_(d, FACE_BOLD, l->small_px, &y, terms, 4, 3);
    }
}

// The labels of the panel's setting rows, from the state.
static void conv_labels_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    char t[96];
    const ui_button *b;
    if (!l->panel_strip) rd_speed_label(d, &s->conv.anim);  // the strip's "slower" needs none
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
    if ((b = rd_find_button(l, ACT_SET_FILTERS, 0))) snprintf(t, sizeof t, "filters  %d", c->filters), rd_setting_label(d, b, t);
}

// The footer: where the animation is, said so that the start and the first
// cell done read differently ("before the first cell", "cell 1 of 9 done").
static void conv_footer_(const draw_ *d) {
    const app_state *s = d->s;
    const anim_state *a = &s->conv.anim;
    if (s->editing || s->status[0] || a->total == 0) {
        rd_stepper_footer(d, a);
        return;
    }
    char where[96], t[200];
    const int count = s->conv.geom.window;
    if (quiz_hides(s, QUIZ_SIZE))  // (a count of cells would give the size away)
        snprintf(where, sizeof where, "the output's size is hidden until the quiz is answered");
    else if (a->pos == 0 && a->reveal == 0)
        snprintf(where, sizeof where, "before the first cell (%d to do)", a->total);
    else if (a->reveal >= count)
        snprintf(where, sizeof where, "cell %d of %d done", a->pos + 1, a->total);
    else
        snprintf(where, sizeof where, "cell %d of %d: %d of %d products", a->pos + 1, a->total, a->reveal, count);
    char speed[48];
    fmt_speed(app_speed_value(a->speed), speed, sizeof speed);
    snprintf(t, sizeof t, "%s  -  %s at %s  -  F1 keys", where, a->playing ? "playing" : "paused", speed);
    rd_footer(d, t);
}

// The output-size formula: whole when the layout made room for it, else its
// numbers on a line (two when rows and columns differ), else nothing.
static void conv_formula_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    if (l->arithmetic.h <= 0 && l->formula.h <= 0 && s->conv.ok) return;
    const int small_line = l->small_px * 5 / 4;
    char params[200];
    conv_params_text(&s->conv.setup, params, sizeof params);
    char *count = strrchr(params, '=');
    if (quiz_hides(s, QUIZ_PARAMS) && count && (size_t)(count - params) + 4 <= sizeof params)
        memcpy(count, "= ?", 4);  // a params quiz waits: the count is its answer
    const bool with_params = conv_shows_params(&s->conv.setup);
    if (!s->conv.ok || l->formula.h >= l->text_px * 5 / 4 + (with_params ? 3 : 2) * small_line) {
        rd_formula(d, &s->conv.geom.rows, &s->conv.geom.cols, s->conv.ok, s->conv.why);
        // The parameter count on the formula's last line (under any note).
        if (s->conv.ok && with_params)
            rd_fitted_line(d, FACE_MONO, l->small_px, l->formula, l->formula.y + l->formula.h - small_line, INK, params);
        return;
    }
    if (l->formula.h <= 0) return;
    char n[200], t[260];
    const bool differ = conv_axes_differ(&s->conv);
    rd_formula_numbers(d, &s->conv.geom.rows, n, sizeof n);
    snprintf(t, sizeof t, "output %s: %s", differ ? "rows" : "size", n);
    int y = rd_fitted_line(d, FACE_MONO, l->small_px, l->formula, l->formula.y, INK, t);
    if (differ) {
        rd_formula_numbers(d, &s->conv.geom.cols, n, sizeof n);
        snprintf(t, sizeof t, "output cols: %s", n);
        y = rd_fitted_line(d, FACE_MONO, l->small_px, l->formula, y, INK, t);
    }
    if (s->conv.setup.filters > 1) rd_fitted_line(d, FACE_MONO, l->small_px, l->formula, y, INK, params);
}

// One input channel at a time: the label of the row of buttons that picks it.
static void channel_tabs_(const draw_ *d) {
    const ui_layout *l = d->l;
    if (l->channel_tabs.w <= 0) return;
    const int y = l->channel_tabs.y + (l->channel_tabs.h - l->small_px * 5 / 4) / 2;
    rd_text(d, FACE_BOLD, l->small_px, l->channel_tabs.x, y, INK, "input channel shown:");
}

void render_view_conv(const draw_ *d) {
    rd_fill(d->r, d->l->panel, PANEL);
    channel_tabs_(d);
    conv_grids_(d);
    conv_formula_(d);
    conv_arithmetic_(d);
    rd_buttons(d);
    conv_labels_(d);
    conv_footer_(d);
}
