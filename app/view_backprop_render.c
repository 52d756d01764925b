// view_backprop_render.c - the backpropagation view: the forward row (X, W,
// Y, dL/dY) and the gradients' row (dL/dW, dL/dX, dL/db, W new) filling in a
// cell a step, the current cell and what met it framed, the caption, the
// step's products and sum, the legend and the settings panel.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "render_views.h"
#include "view_backprop.h"

// Cells not worked out yet (named in the legend): grey, since white is 0.
static const SDL_Color PENDING_ = {186, 188, 194, 255};

static int frame_px_(const ui_grid *g) { return ui_max(3, g->cell / 12); }

// Frames cell (r, c) of the grid `which` (when it is on screen), inset by `inset` px.
static void frame_cell_(const draw_ *d, bp_grid which, int r, int c, SDL_Color colour, int inset) {
    for (int i = 0; i < d->l->n_grids; i++) {
        const ui_grid *g = &d->l->grids[i];
        ui_rect q;
        if (bp_grid_of(g->id, g->channel) != which || !ui_grid_cell(g, r, c, &q)) continue;
        const int t = frame_px_(g);
        rd_frame(d->r, rd_rect(q.x + inset * t, q.y + inset * t, q.w - 2 * inset * t, q.h - 2 * inset * t), colour, t);
    }
}

// Each grid's colour scale: its own largest |value| (gradients and weights
// differ by far), over the whole grid even when a close-up shows a part.
static float grid_scale_(const app_state *s, bp_grid which) {
    float most = 0, v;
    int r0, c0, rows, cols;
    bp_grid_extent(s, which == BP_GRID_DYPAD ? BP_GRID_DY : which, &r0, &c0, &rows, &cols);
    for (int r = r0; r < r0 + rows; r++)
        for (int c = c0; c < c0 + cols; c++) {
            // Every value of the grid, shown or not: the colours do not change as it fills.
            bp_shown(s, which == BP_GRID_DYPAD ? BP_GRID_DY : which, r, c, &v);
            most = fmaxf(most, fabsf(v));
        }
    return most > 0 ? most : 1;
}

static int lh_(int px) { return (px * 1164 + 999) / 1000; }  // a line's height at px (as the conv view's)

// A cell of the padded dY under the turned kernel, redrawn in two: its
// value on top, the weight that lands on it ("×w") in a white strip below;
// false (the cell left as it is: the products line names the weights) when
// either would be smaller than the readable sizes.
static bool weighted_cell_(const draw_ *d, ui_rect q, int row, int col, float w, float scale) {
    const ui_layout *l = d->l;
    const int top = q.h * 3 / 5, strip = q.h - top;
    int px = ui_min(l->small_px * 3 / 4, (strip - 2) * 1000 / 1164);
    char wt[32], t[40];
    fmt_screen(w, wt, sizeof wt);
    snprintf(t, sizeof t, "\u00d7%s", wt);
    while (px > l->badge_px && rd_width(d, FACE_BOLD, px, t) > q.w - 6) px--;
    if (top / 2 < l->min_px || px < l->badge_px || rd_width(d, FACE_BOLD, px, t) > q.w - 6) return false;
    float v;
    if (bp_dy_padded(d->s, row, col, &v))
        rd_value_cell(d, rd_rect(q.x, q.y, q.w, top), v, scale, false);
    else
        rd_padding_cell(d, rd_rect(q.x, q.y, q.w, top), "0");
    const ui_rect s = rd_rect(q.x, q.y + top, q.w, strip);
    rd_fill(d->r, s, WHITE);
    rd_frame(d->r, q, LINE, 1);
    rd_text(d, FACE_BOLD, px, q.x + (q.w - rd_width(d, FACE_BOLD, px, t)) / 2, s.y + (strip - lh_(px)) / 2, INK, t);
    return true;
}

static void grid_cells_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const bp_grid which = bp_grid_of(g->id, g->channel);
    const float scale = grid_scale_(s, which);
    // While dL/dX is worked out: where the turned kernel lies on the padded dY.
    int top = 0, left = 0, k = 0, pr, pc;
    if (which == BP_GRID_DYPAD && s->bp.ok && s->bp.step_valid && bp_phase_of(s, s->bp.anim.pos, &pr, &pc) == BP_PHASE_DX) {
        k = s->bp.setup.k;
        bp_rotated_at(s, pr, pc, &top, &left);
    }
    for (int r = g->row0; r < g->row0 + g->rows; r++)
        for (int c = g->col0; c < g->col0 + g->cols; c++) {
            ui_rect q;
            if (!ui_grid_cell(g, r, c, &q)) continue;
            if (r >= top && r < top + k && c >= left && c < left + k &&
                weighted_cell_(d, q, r, c, s->bp.setup.kernel[k - 1 - (r - top)][k - 1 - (c - left)], scale))
                continue;
            float v;
            const bool shown = bp_shown(s, which, r, c, &v);
            if (which == BP_GRID_X && (r < 0 || c < 0 || r >= s->bp.setup.n_h || c >= s->bp.setup.n_w))
                rd_padding_cell(d, q, "0");
            else if (which == BP_GRID_DYPAD && !shown)  // the 'full' padding's zeros and those between the cells
                rd_padding_cell(d, q, "0");
            else if (bp_quiz_hides(s, which, r, c))
                rd_hidden_cell(d, q);
            else if (shown)
                rd_value_cell(d, q, v, scale, false);
            else {
                rd_fill(d->r, q, PENDING_);
                rd_frame(d->r, q, LINE, 1);
            }
        }
}

// The kernel turned round on the padded dY for dL/dX(r, c): a frame around
// its k x k cells (grid_cells_ wrote their weights), cut to the part of the
// grid on screen.
static void rotated_kernel_(const draw_ *d, int r, int c, SDL_Color colour) {
    const int k = d->s->bp.setup.k;
    int top, left;
    bp_rotated_at(d->s, r, c, &top, &left);
    for (int i = 0; i < d->l->n_grids; i++) {
        const ui_grid *g = &d->l->grids[i];
        if (bp_grid_of(g->id, g->channel) != BP_GRID_DYPAD) continue;
        const int r0 = ui_max(top, g->row0), c0 = ui_max(left, g->col0);
        const int r1 = ui_min(top + k, g->row0 + g->rows), c1 = ui_min(left + k, g->col0 + g->cols);
        ui_rect a, b;
        if (r1 <= r0 || c1 <= c0 || !ui_grid_cell(g, r0, c0, &a) || !ui_grid_cell(g, r1 - 1, c1 - 1, &b)) continue;
        const int t = ui_max(4, g->cell / 10);
        rd_frame(d->r, rd_rect(a.x - t / 2, a.y - t / 2, b.x + b.w - a.x + t, b.y + b.h - a.y + t), colour, t);
    }
}

// The current step's cell, what met it and the dY cells it multiplies.
static void step_marks_(const draw_ *d) {
    const app_state *s = d->s;
    const backprop_view *b = &s->bp;
    if (!b->ok || !b->step_valid) return;
    const palette *p = rd_pal(d);
    const SDL_Color cur = rd_colour(p->window), met = rd_colour(p->tap), dy = rd_colour(p->winner);
    int r, c;
    const bp_phase ph = bp_phase_of(s, b->anim.pos, &r, &c);
    const bool hidden = (ph == BP_PHASE_DW || ph == BP_PHASE_SGD) && quiz_hides_cell(s, r, c);
    switch (ph) {
    case BP_PHASE_DW: frame_cell_(d, BP_GRID_DW, r, c, cur, 0), frame_cell_(d, BP_GRID_W, r, c, cur, 0); break;
    case BP_PHASE_DX:
        frame_cell_(d, BP_GRID_DX, r, c, cur, 0), frame_cell_(d, BP_GRID_X, r, c, cur, 0);
        rotated_kernel_(d, r, c, met);
        break;
    case BP_PHASE_DB: frame_cell_(d, BP_GRID_DB, 0, 0, cur, 0); break;
    default:
        frame_cell_(d, BP_GRID_WNEW, r, c, cur, 0);
        frame_cell_(d, BP_GRID_W, r, c, met, 0);
        frame_cell_(d, BP_GRID_DW, r, c, met, 0);
        return;
    }
    if (hidden) return;  // which cells met it would help answer the quiz little, but the sum is the answer
    for (int i = 0; i < b->step.count; i++) {
        const nn_backstep_term *t = &b->terms[i];
        if (ph == BP_PHASE_DW) frame_cell_(d, BP_GRID_X, t->in_row, t->in_col, met, 1);
        if (ph == BP_PHASE_DX) frame_cell_(d, BP_GRID_W, t->k_row, t->k_col, met, 1);
        frame_cell_(d, BP_GRID_DY, t->out_row, t->out_col, dy, 1);
        frame_cell_(d, BP_GRID_DYPAD, t->out_row * s->bp.setup.stride, t->out_col * s->bp.setup.stride, dy, 1);
    }
}

// ---- The legend ------------------------------------------------------------------------------------

static rd_legend_item legend_item_(const draw_ *d, bp_key k) {
    const palette *p = rd_pal(d);
    rd_legend_item it = {RD_SWATCH_FRAME, INK, bp_key_label(d->s, k)};
    switch (k) {
    case BP_KEY_CURRENT: it.colour = rd_colour(p->window); break;
    case BP_KEY_MET: it.colour = rd_colour(p->tap); break;
    case BP_KEY_DY: it.colour = rd_colour(p->winner); break;
    case BP_KEY_PADDING: it.kind = RD_SWATCH_PADDING; break;
    case BP_KEY_PENDING: it.kind = RD_SWATCH_FILL, it.colour = PENDING_; break;
    default: break;
    }
    return it;
}

static void legend_(const draw_ *d) {
    const ui_layout *l = d->l;
    const ui_rect q = l->legend;
    if (q.h <= 0) return;
    bp_key keys[BP_KEY_COUNT];
    const int n = bp_legend_keys(d->s, false, keys);
    rd_legend_item items[BP_KEY_COUNT];
    for (int i = 0; i < n; i++) items[i] = legend_item_(d, keys[i]);
    const int px = ui_max(l->small_px * 9 / 10, l->min_px), sw = px * 6 / 5;
    const int y0 = q.y + rd_legend(d, q, items, n) + l->pad / 2;
    // The colour scale: each grid to its own largest |value|.
    int x = q.x, y = y0;
    x += rd_text(d, FACE_SANS, px, x, y, INK, "colour: -") + l->pad / 2;
    const char *note = "(per grid)";
    const int bar_w = ui_max(l->pad * 4, ui_min(q.w / 4, l->pad * 8));
    rd_colour_bar(d, rd_rect(x, y, bar_w, sw));
    rd_frame(d->r, rd_rect(x, y, bar_w, sw), LINE, 1);
    x += bar_w + l->pad / 2;
    x += rd_text(d, FACE_SANS, px, x, y, INK, "+") + l->pad;
    // The note on the same row when it fits, else under it (the layout keeps a row for it).
    if (x + rd_width(d, FACE_SANS, px, note) > q.x + q.w) x = q.x, y += sw + l->pad / 2;
    rd_text(d, FACE_SANS, px, x, y, INK, note);
}

// ---- The words -----------------------------------------------------------------------------------------

static void words_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const ui_rect q = l->arithmetic;
    if (q.h <= 0) return;
    const bool shown = s->bp.anim.reveal > 0;
    char cap[600], head[300], terms[2048];
    bp_text_caption(s, cap, sizeof cap);
    bp_text_heading(s, shown, head, sizeof head);
    bp_text_terms(s, shown, terms, sizeof terms);
    const int px = l->small_px;
    int y = l->words_short ? q.y : rd_text_wrap(d, FACE_SANS, px, q, q.y, INK, cap);
    y = rd_text_wrap(d, FACE_BOLD, px, q, y, INK, head);
    rd_text_wrap(d, FACE_MONO, px, q, y, INK, terms);
}

// ---- The panel and the footer ------------------------------------------------------------------------

static void labels_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const backprop_setup *b = &s->bp.setup;
    char t[96];
    const ui_button *btn;
    if (!l->panel_strip) rd_speed_label(d, &s->bp.anim);
    if ((btn = rd_find_button(l, ACT_SET_SIZE, 0))) snprintf(t, sizeof t, "input  %dx%d", b->n_h, b->n_w), rd_setting_label(d, btn, t);
    if ((btn = rd_find_button(l, ACT_SET_KERNEL, 0))) snprintf(t, sizeof t, "kernel  %dx%d", b->k, b->k), rd_setting_label(d, btn, t);
    if ((btn = rd_find_button(l, ACT_SET_STRIDE, 0))) snprintf(t, sizeof t, "stride  %d", b->stride), rd_setting_label(d, btn, t);
    if ((btn = rd_find_button(l, ACT_SET_PADDING, 0))) snprintf(t, sizeof t, "padding  %d", b->pad), rd_setting_label(d, btn, t);
}

static void footer_(const draw_ *d) {
    const app_state *s = d->s;
    const anim_state *a = &s->bp.anim;
    if (s->editing || s->status[0] || a->total == 0 || !s->bp.step_valid) {
        rd_stepper_footer(d, a);
        return;
    }
    static const char *const names[] = {"dL/dW", "dL/dX", "dL/db", "SGD update"};
    int r, c;
    const bp_phase ph = bp_phase_of(s, a->pos, &r, &c);
    char t[200];
    snprintf(t, sizeof t, "step %d of %d (%s)%s  -  %s  -  F1 keys", a->pos + 1, a->total, names[ph],
             a->reveal > 0 ? " done" : ": next", a->playing ? "playing" : "paused");
    rd_footer(d, t);
}

// A close-up's part of a grid: a dashed line along each side where the grid
// goes on past what is shown.
static void part_edges_(const draw_ *d, const ui_grid *g) {
    int r0, c0, rows, cols;
    bp_grid_extent(d->s, bp_grid_of(g->id, g->channel), &r0, &c0, &rows, &cols);
    const int t = ui_max(3, g->cell / 14), o = t;  // just outside the cells, in the gap
    const ui_rect q = g->r;
    if (g->row0 > r0) rd_dashed_frame(d, rd_rect(q.x, q.y - o - t, q.w, t), MUTED, t);
    if (g->row0 + g->rows < r0 + rows) rd_dashed_frame(d, rd_rect(q.x, q.y + q.h + o, q.w, t), MUTED, t);
    if (g->col0 > c0) rd_dashed_frame(d, rd_rect(q.x - o - t, q.y, t, q.h), MUTED, t);
    if (g->col0 + g->cols < c0 + cols) rd_dashed_frame(d, rd_rect(q.x + q.w + o, q.y, t, q.h), MUTED, t);
}

void render_view_backprop(const draw_ *d) {
    rd_fill(d->r, d->l->panel, PANEL);
    for (int i = 0; i < d->l->n_grids; i++) {
        rd_grid_title(d, &d->l->grids[i]);
        grid_cells_(d, &d->l->grids[i]);
        part_edges_(d, &d->l->grids[i]);
    }
    step_marks_(d);
    if (!d->s->bp.ok) rd_text_wrap(d, FACE_SANS, d->l->small_px, d->l->arithmetic, d->l->arithmetic.y, BAD, d->s->bp.why);
    else words_(d);
    legend_(d);
    rd_buttons(d);
    labels_(d);
    footer_(d);
}
