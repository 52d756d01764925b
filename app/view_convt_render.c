// view_convt_render.c - the transposed-convolution view: on the left the
// scatter (the input cell stamped now, the kernel, the output with the cells
// its products land on and those the padding crops), on the right the same
// output as an ordinary convolution (the rotated kernel, the input with
// zeros inserted and padding, the same cells lit); the legend, the formula,
// the step written out and the settings panel.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "anim.h"
#include "format.h"
#include "render_views.h"
#include "view_convt.h"

// A zero the equivalent convolution inserts between input cells (named in the legend).
static const SDL_Color ZERO_FILL_ = {214, 226, 240, 255};

static int frame_px_(const ui_grid *g) { return ui_max(3, g->cell / 12); }

static SDL_Color cell_colour_(const draw_ *d) { return rd_colour(rd_pal(d)->window); }
static SDL_Color tap_colour_(const draw_ *d) { return rd_colour(rd_pal(d)->tap); }

static float scale_of_(const float *v, int n) {
    float m = 0;
    for (int i = 0; i < n; i++) m = fmaxf(m, fabsf(v[i]));
    return m > 0 ? m : 1;
}

// A short text centred in a cell when the cell is large enough to read it.
static void cell_word_(const draw_ *d, ui_rect q, SDL_Color c, const char *t) {
    const int px = ui_min(q.h / 2, d->l->small_px);
    if (px >= d->l->min_px && rd_width(d, FACE_SANS, px, t) <= q.w - 4) rd_text_centre(d, FACE_SANS, px, q, c, t);
}

// A value's cell: its colour and its number, or (cells too small for a
// readable number: a zoom beyond what the grids fit) its colour alone, as
// the other views draw a picture.
static void value_cell_(const draw_ *d, const ui_grid *g, ui_rect q, float v, float scale) {
    if (g->cell >= d->l->min_cell) {
        rd_value_cell(d, q, v, scale, false);
        return;
    }
    rd_fill(d->r, q, rd_diverging(v / scale, d->s->colorblind));
    rd_frame(d->r, q, LINE, 1);
}

static const ui_grid *grid_(const ui_layout *l, grid_id id, int channel) {
    for (int i = 0; i < l->n_grids; i++)
        if (l->grids[i].id == id && l->grids[i].channel == channel) return &l->grids[i];
    return NULL;
}

// The output cells the current step's revealed products land on: their taps, or -1.
static int tap_at_(const app_state *s, int r, int c) {
    const convt_step_view *st = &s->convt.step;
    for (int k = 0; st->valid && k < st->count && k < s->convt.anim.reveal; k++)
        if (st->out_row[k] == r && st->out_col[k] == c) return k;
    return -1;
}

// A size quiz waits: no grid to count (a "?" two cells a side).
static bool hidden_(const draw_ *d, const ui_grid *g) {
    if (!quiz_hides(d->s, QUIZ_SIZE)) return false;
    const int side = 2 * ui_max(g->cell, d->l->min_cell);
    rd_hidden_cell(d, rd_rect(g->r.x, g->r.y, ui_min(g->r.w, side), ui_min(g->r.h, side)));
    return true;
}

// ---- The scatter ------------------------------------------------------------------------------------

static void scatter_input_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const convt_setup *c = &s->convt.setup;
    float v[CONVT_MAX_N * CONVT_MAX_N];
    for (int y = 0; y < c->n_h; y++)
        for (int x = 0; x < c->n_w; x++) v[y * c->n_w + x] = c->input[y][x];
    const float scale = scale_of_(v, c->n_h * c->n_w);
    for (int y = 0; y < c->n_h; y++)
        for (int x = 0; x < c->n_w; x++) value_cell_(d, g, rd_cell_rect(g, y, x), c->input[y][x], scale);
    const convt_step_view *st = &s->convt.step;
    if (st->valid) rd_frame(d->r, rd_cell_rect(g, st->row, st->col), cell_colour_(d), frame_px_(g));
    rd_grid_title(d, g);
}

static void scatter_kernel_(const draw_ *d, const ui_grid *g) {
    const convt_setup *c = &d->s->convt.setup;
    float v[CONVT_MAX_K * CONVT_MAX_K];
    const int kk = ui_min(c->k, CONVT_MAX_K);
    for (int y = 0; y < kk; y++)
        for (int x = 0; x < kk; x++) v[y * kk + x] = c->kernel[y][x];
    const float scale = scale_of_(v, kk * kk);
    for (int y = 0; y < c->k; y++)
        for (int x = 0; x < c->k; x++) value_cell_(d, g, rd_cell_rect(g, y, x), c->kernel[y][x], scale);
    rd_grid_title(d, g);
}

// The output as the stamps have built it so far; round it the cells the
// stamps reach that the padding crops (hatched), and the current stamp's
// cells framed, each with the product added there.
static void scatter_output_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const convt_view *v = &s->convt;
    rd_grid_title(d, g);
    if (hidden_(d, g)) return;
    float now[CONVT_MAX_EQ * CONVT_MAX_EQ];
    convt_output_now(s, now);
    const int oh = v->geom.out_h, ow = v->geom.out_w;
    const float scale = scale_of_(v->out, oh * ow);
    const convt_step_view *st = &v->step;
    const int badge = d->l->badge_px;
    for (int y = g->row0; y < g->row0 + g->rows; y++)
        for (int x = g->col0; x < g->col0 + g->cols; x++) {
            const ui_rect q = rd_cell_rect(g, y, x);
            const int k = tap_at_(s, y, x);
            if (y < 0 || x < 0 || y >= oh || x >= ow) {
                rd_fill(d->r, q, PAD_FILL);
                rd_frame(d->r, q, LINE, 1);
                rd_unreached(d, q);
                if (k >= 0) {
                    char p[32], t[40];
                    fmt_screen(st->products[k], p, sizeof p);
                    snprintf(t, sizeof t, "%s%s", st->products[k] < 0 ? "" : "+", p);
                    cell_word_(d, q, INK, t);
                }
                continue;
            }
            value_cell_(d, g, q, now[y * ow + x], scale);
            // The product added here, in the corner, when the cell has room for both numbers.
            const int value_px = ui_min(q.h / 2, d->l->small_px);
            if (k >= 0 && 2 + badge * 6 / 5 <= (q.h - value_px * 6 / 5) / 2) {
                char p[32], t[40];
                fmt_screen(st->products[k], p, sizeof p);
                snprintf(t, sizeof t, "%s%s", st->products[k] < 0 ? "" : "+", p);
                if (rd_width(d, FACE_BOLD, badge, t) <= q.w - 6)
                    rd_text(d, FACE_BOLD, badge, q.x + 3, q.y + 1, rd_text_on(rd_diverging(now[y * ow + x] / scale, s->colorblind)), t);
            }
        }
    for (int k = 0; st->valid && k < st->count && k < v->anim.reveal; k++) {
        const int r = st->out_row[k], c = st->out_col[k];
        if (r >= g->row0 && c >= g->col0 && r < g->row0 + g->rows && c < g->col0 + g->cols)
            rd_frame(d->r, rd_cell_rect(g, r, c), tap_colour_(d), frame_px_(g));
    }
}

// ---- The equivalent convolution ------------------------------------------------------------------

static void eq_kernel_(const draw_ *d, const ui_grid *g) {
    const convt_view *v = &d->s->convt;
    const convt_setup *c = &v->setup;
    float taps[CONVT_MAX_K * CONVT_MAX_K];
    const int kk = ui_min(c->k, CONVT_MAX_K);
    for (int y = 0; y < kk; y++)
        for (int x = 0; x < kk; x++) taps[y * kk + x] = c->kernel[y][x];
    const float scale = scale_of_(taps, kk * kk);
    for (int y = 0; y < v->eq_k; y++)
        for (int x = 0; x < v->eq_k; x++) {
            const ui_rect q = rd_cell_rect(g, y, x);
            if (y % c->dilation || x % c->dilation) {  // between the taps of a dilated kernel
                rd_fill(d->r, q, ZERO_FILL_);
                rd_frame(d->r, q, LINE, 1);
                cell_word_(d, q, MUTED, "0");
            } else {
                value_cell_(d, g, q, v->eq_kernel[y][x], scale);
            }
        }
    rd_grid_title(d, g);
}

static void eq_input_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const convt_view *v = &s->convt;
    rd_grid_title(d, g);
    if (hidden_(d, g)) return;
    float in[CONVT_MAX_N * CONVT_MAX_N];
    for (int y = 0; y < v->setup.n_h; y++)
        for (int x = 0; x < v->setup.n_w; x++) in[y * v->setup.n_w + x] = v->setup.input[y][x];
    const float scale = scale_of_(in, v->setup.n_h * v->setup.n_w);
    for (int y = 0; y < v->eq_h; y++)
        for (int x = 0; x < v->eq_w; x++) {
            const ui_rect q = rd_cell_rect(g, y, x);
            if (v->eq_kind[y][x] == CONVT_EQ_INPUT) {
                value_cell_(d, g, q, v->eq_input[y][x], scale);
            } else if (v->eq_kind[y][x] == CONVT_EQ_ZERO) {
                rd_fill(d->r, q, ZERO_FILL_);
                rd_frame(d->r, q, LINE, 1);
                cell_word_(d, q, MUTED, "0");
            } else if (g->cell >= d->l->min_cell) {
                rd_padding_cell(d, q, "0");
            } else {  // a picture's padding: grey, no mark
                rd_fill(d->r, q, PAD_FILL);
                rd_frame(d->r, q, LINE, 1);
            }
        }
    const convt_step_view *st = &v->step;
    if (st->valid) {
        int er, ec;
        convt_eq_cell_of(s, st->row, st->col, &er, &ec);
        rd_frame(d->r, rd_cell_rect(g, er, ec), cell_colour_(d), frame_px_(g));
    }
}

// The same output; the cells the current input cell reaches through the
// rotated kernel framed as on the left.
static void eq_output_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const convt_view *v = &s->convt;
    rd_grid_title(d, g);
    if (hidden_(d, g)) return;
    float now[CONVT_MAX_EQ * CONVT_MAX_EQ];
    convt_output_now(s, now);
    const int ow = v->geom.out_w;
    const float scale = scale_of_(v->out, v->geom.out_h * ow);
    for (int y = 0; y < v->geom.out_h; y++)
        for (int x = 0; x < ow; x++) value_cell_(d, g, rd_cell_rect(g, y, x), now[y * ow + x], scale);
    const convt_step_view *st = &v->step;
    for (int k = 0; st->valid && k < st->count && k < v->anim.reveal; k++)
        if (!st->cropped[k]) rd_frame(d->r, rd_cell_rect(g, st->out_row[k], st->out_col[k]), tap_colour_(d), frame_px_(g));
}

static void grids_(const draw_ *d) {
    const ui_layout *l = d->l;
    const ui_grid *g;
    if ((g = grid_(l, GRID_KERNEL, CONVT_SCATTER))) scatter_kernel_(d, g);
    if ((g = grid_(l, GRID_INPUT, CONVT_SCATTER))) scatter_input_(d, g);
    if ((g = grid_(l, GRID_OUTPUT, CONVT_SCATTER))) scatter_output_(d, g);
    if ((g = grid_(l, GRID_KERNEL, CONVT_EQUIVALENT))) eq_kernel_(d, g);
    if ((g = grid_(l, GRID_INPUT, CONVT_EQUIVALENT))) eq_input_(d, g);
    if ((g = grid_(l, GRID_OUTPUT, CONVT_EQUIVALENT))) eq_output_(d, g);
    // What each side shows, over it.
    const ui_grid *left = grid_(l, GRID_INPUT, CONVT_SCATTER), *right = grid_(l, GRID_INPUT, CONVT_EQUIVALENT);
    if (left && right && l->captions.h > 0) {
        const int y = l->captions.y;
        rd_fitted_line(d, FACE_BOLD, l->small_px, rd_rect(left->r.x, y, right->r.x - left->r.x - l->pad * 2, l->small_px * 2), y,
                       FOCUS, "the scatter");
        rd_fitted_line(d, FACE_BOLD, l->small_px, rd_rect(right->r.x, y, l->main.x + l->main.w - l->pad - right->r.x, l->small_px * 2),
                       y, FOCUS, "the same, as a convolution");
    }
}

// ---- The words ---------------------------------------------------------------------------------------

static void legend_(const draw_ *d) {
    const ui_layout *l = d->l;
    if (l->legend.h <= 0) return;
    convt_key keys[CONVT_KEY_COUNT];
    const int n = convt_legend_keys(d->s, false, keys);
    rd_legend_item items[CONVT_KEY_COUNT];
    for (int i = 0; i < n; i++) {
        rd_legend_item *it = &items[i];
        it->label = convt_key_label(keys[i]);
        switch (keys[i]) {
        case CONVT_KEY_CELL: *it = (rd_legend_item){RD_SWATCH_FRAME, cell_colour_(d), it->label}; break;
        case CONVT_KEY_TAP: *it = (rd_legend_item){RD_SWATCH_FRAME, tap_colour_(d), it->label}; break;
        case CONVT_KEY_CROPPED: *it = (rd_legend_item){RD_SWATCH_UNREACHED, BAD, it->label}; break;
        case CONVT_KEY_ZERO: *it = (rd_legend_item){RD_SWATCH_FILL, ZERO_FILL_, it->label}; break;
        case CONVT_KEY_PADDING: *it = (rd_legend_item){RD_SWATCH_PADDING, PAD_FILL, it->label}; break;
        case CONVT_KEY_VALUE: *it = (rd_legend_item){RD_SWATCH_FILL, rd_colour(rd_pal(d)->positive), it->label}; break;
        default: break;
        }
    }
    rd_legend(d, l->legend, items, n);
}

static void formula_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const ui_rect q = l->formula;
    if (!s->convt.ok) {
        int y = q.y;
        rd_text(d, FACE_BOLD, l->text_px, q.x, y, BAD, "These settings cannot be shown:");
        y += l->text_px * 5 / 4;
        rd_text_wrap(d, FACE_SANS, l->small_px, rd_rect(q.x, y, q.w, l->main.y + l->main.h - y), y, INK, s->convt.why);
        return;
    }
    if (q.h <= 0) return;
    char t[600];
    if (!grid_(l, GRID_INPUT, CONVT_SCATTER)) {  // the layout found no room for the grids
        rd_text(d, FACE_BOLD, l->text_px, q.x, q.y, BAD, "No room for the grids at this zoom:");
        rd_text_wrap(d, FACE_SANS, l->small_px, rd_rect(q.x, q.y + l->text_px * 5 / 4, q.w, q.h - l->text_px * 5 / 4),
                     q.y + l->text_px * 5 / 4, INK, "Ctrl and - zooms out.");
        return;
    }
    convt_text_letters(t, sizeof t);
    int y = q.y;
    if (q.h >= l->text_px * 5 / 4 + l->small_px * 5 / 4)  // (left out at a zoom where nothing else fits)
        y = rd_fitted_line(d, FACE_BOLD, l->text_px, q, q.y, INK, t);
    convt_text_formula(s, t, sizeof t);
    y = rd_fitted_line(d, FACE_MONO, l->small_px, q, y, INK, t);
    convt_text_equivalent(s, t, sizeof t);
    if (q.y + q.h - y >= l->small_px * 5 / 4)  // (left out when the grids needed the room)
        rd_text_wrap(d, FACE_SANS, l->small_px, rd_rect(q.x, y, q.w, q.y + q.h - y), y, INK, t);
}

static void arithmetic_(const draw_ *d) {
    const ui_rect q = d->l->arithmetic;
    if (q.h <= 0) return;
    char t[2400];
    convt_text_step(d->s, d->s->convt.anim.reveal, t, sizeof t);
    rd_text_wrap(d, FACE_SANS, d->l->small_px, q, q.y, INK, t);
}

static void labels_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const convt_setup *c = &s->convt.setup;
    char t[96];
    const ui_button *b;
    if (!l->panel_strip) rd_speed_label(d, &s->convt.anim);
    if ((b = rd_find_button(l, ACT_SET_SIZE, 0))) snprintf(t, sizeof t, "input  %dx%d", c->n_h, c->n_w), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_KERNEL, 0))) snprintf(t, sizeof t, "kernel  %dx%d", c->k, c->k), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_STRIDE, 0))) snprintf(t, sizeof t, "stride  %d", c->stride), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_PADDING, 0))) snprintf(t, sizeof t, "padding  %d", c->pad), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_OUT_PAD, 0))) snprintf(t, sizeof t, "out. padding  %d", c->out_pad), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_DILATION, 0))) snprintf(t, sizeof t, "dilation  %d", c->dilation), rd_setting_label(d, b, t);
}

void render_view_convt(const draw_ *d) {
    rd_fill(d->r, d->l->panel, PANEL);
    grids_(d);
    legend_(d);
    formula_(d);
    arithmetic_(d);
    rd_buttons(d);
    labels_(d);
    rd_stepper_footer(d, &d->s->convt.anim);
}
