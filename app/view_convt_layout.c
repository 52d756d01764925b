// view_convt_layout.c - where the transposed-convolution view puts things:
// the panel; the scatter on the left (the kernel above the input and the
// output it is stamped onto) and the equivalent convolution on the right
// (the rotated kernel above the zero-inserted, padded input and the same
// output), cells as large as the area allows; under them the legend, the
// formula and the current step written out, each measured so nothing runs off.
#include <stdio.h>
#include <string.h>

#include "view_convt.h"
#include "views.h"

static int text_w_(const ui_metrics *m, const char *t, int px, bool mono) {
    if (m && m->text_width) return m->text_width(m->ctx, t, px, mono);
    return (int)strlen(t) * px * 3 / 5;  // no font (a test): about DejaVu's average advance
}

// Lines of t wrapped at spaces to width w (as rd_text_wrap does).
static int wrapped_lines_(const ui_metrics *m, const char *t, int px, bool mono, int w) {
    if (!t[0]) return 0;
    char line[1200] = "";
    int lines = 1;
    for (const char *p = t; *p;) {
        const char *end = strchr(p, ' ');
        const int wl = end ? (int)(end - p) : (int)strlen(p);
        char trial[2500];
        snprintf(trial, sizeof trial, "%s%s%.*s", line, line[0] ? " " : "", wl > 1000 ? 1000 : wl, p);
        if (line[0] && text_w_(m, trial, px, mono) > w) {
            lines++;
            snprintf(line, sizeof line, "%.*s", wl > 1000 ? 1000 : wl, p);
        } else {
            snprintf(line, sizeof line, "%.1199s", trial);
        }
        p += wl;
        while (*p == ' ') p++;
    }
    return lines;
}

// The legend's height at width w (as rd_legend wraps it).
static int legend_h_(const ui_layout *l, const app_state *s, const ui_metrics *m, int w) {
    convt_key keys[CONVT_KEY_COUNT];
    const int n = convt_legend_keys(s, true, keys);
    const int px = ui_max(l->small_px * 9 / 10, l->min_px), sw = px * 6 / 5, gap = l->pad;
    int x = 0, rows = 1;
    for (int i = 0; i < n; i++) {
        const int iw = sw + gap / 2 + text_w_(m, convt_key_label(keys[i]), px, false);
        if (x > 0 && x + iw > w) rows++, x = 0;
        x += iw + gap * 2;
    }
    return rows * (sw + gap / 2);
}

// The step's longest text: every product shown (the last input cell's, as good as any).
static int step_lines_(const ui_layout *l, const app_state *s, const ui_metrics *m, int w) {
    char t[2400];
    convt_text_step(s, s->convt.setup.k * s->convt.setup.k, t, sizeof t);
    return wrapped_lines_(m, t, l->small_px, false, w);
}

// The grids' places, for one cell size: on the left the input above the
// kernel, the output beside them; on the right the zero-inserted input, the
// output beside it above the rotated kernel (each output beside its input);
// or (stacked, the last resort of a very large zoom) the right picture below the left.
typedef struct convt_place_ {
    int cell, gap, col_gap, title_h;
    int left_w, right_w, w, h;  // the two pictures' widths, the whole's size
    int out_x, eq_x, eq_out_x;  // from the area's left
    int eq_y;                   // the right picture's top, from the grids' top
    int out_rows, out_cols;   // the scatter's output with the cropped cells round it
} convt_place_;

// The grids' titles, in full or (short of room) short.
typedef struct convt_titles_ {
    const char *out, *eq, *eq_out, *eq_k;
} convt_titles_;
static const convt_titles_ TITLES_[2] = {
    {"stamps summed", "zeros inserted, padded", "output", "kernel rotated 180°"},
    {"output", "zero-inserted", "output", "rotated"},
};

static convt_place_ place_(const ui_layout *l, const app_state *s, const ui_metrics *m, int c, const convt_titles_ *tt,
                           bool tight, bool stacked) {
    const convt_setup *cs = &s->convt.setup;
    const convt_view *v = &s->convt;
    convt_place_ p = {.cell = c, .gap = tight ? l->pad : l->pad * 3 / 2, .col_gap = tight ? l->pad * 2 : l->pad * 3,
                      .title_h = l->small_px * 5 / 4};  // (rd_grid_title draws 3/2 px above: into the gap or the padding)
    // Titles are bold: about a quarter wider than the regular face measures.
    const int tw_in = text_w_(m, "kernel", l->small_px, false) * 13 / 10;
    const int tw_eq = text_w_(m, tt->eq, l->small_px, false) * 13 / 10;
    const int tw_k = text_w_(m, tt->eq_k, l->small_px, false) * 13 / 10;
    const int tw_out = text_w_(m, tt->out, l->small_px, false) * 13 / 10;
    const int tw_eq_out = text_w_(m, tt->eq_out, l->small_px, false) * 13 / 10;
    p.out_rows = s->convt.ok ? ui_max(v->geom.out_h, v->geom.rows.full - cs->pad) + cs->pad : 1;
    p.out_cols = s->convt.ok ? ui_max(v->geom.out_w, v->geom.cols.full - cs->pad) + cs->pad : 1;
    p.out_x = ui_max(ui_max(cs->n_w, cs->k) * c, tw_in) + p.gap;
    p.left_w = p.out_x + ui_max(p.out_cols * c, tw_out);
    p.eq_x = stacked ? 0 : p.left_w + p.col_gap;
    p.eq_out_x = p.eq_x + ui_max(v->eq_w * c, tw_eq) + p.gap;
    p.right_w = p.eq_out_x - p.eq_x + ui_max(ui_max(v->geom.out_w, v->eq_k) * c, ui_max(tw_eq_out, tw_k));
    const int left_h = ui_max(p.title_h + cs->n_h * c + p.gap + p.title_h + cs->k * c, p.title_h + p.out_rows * c);
    const int right_h = ui_max(p.title_h + v->eq_h * c, p.title_h + v->geom.out_h * c + p.gap + p.title_h + v->eq_k * c);
    p.eq_y = stacked ? left_h + p.gap : 0;
    p.w = stacked ? ui_max(p.left_w, p.right_w) : p.eq_x + p.right_w;
    p.h = stacked ? p.eq_y + right_h : ui_max(left_h, right_h);
    return p;
}

void convt_layout(ui_layout *l, const app_state *s, const ui_metrics *m) {
    const convt_setup *cs = &s->convt.setup;
    const convt_view *v = &s->convt;
    if (l->panel_strip) {  // a lesson's set-up is locked: the stepping buttons alone
        ui_panel p = layout_panel_fit(l, 5);
        layout_transport_strip(&p, &v->anim);
    } else {
        ui_panel p = layout_panel_fit(l, 10);
        layout_transport(&p, &v->anim);
        p.y += p.gap;
        layout_stepper(&p, ACT_SET_SIZE, cs->n_h, 1, CONVT_MAX_N);
        layout_stepper(&p, ACT_SET_KERNEL, cs->k, 1, CONVT_MAX_K);
        layout_stepper(&p, ACT_SET_STRIDE, cs->stride, 1, CONVT_MAX_STRIDE);
        layout_stepper(&p, ACT_SET_PADDING, cs->pad, 0, CONVT_MAX_PAD);
        layout_stepper(&p, ACT_SET_OUT_PAD, cs->out_pad, 0, ui_max(cs->stride, cs->dilation) - 1);
        layout_stepper(&p, ACT_SET_DILATION, cs->dilation, 1, CONVT_MAX_DILATION);
        p.y += p.gap;
        layout_button(l, ui_rect_at(p.x, p.y, p.w, p.row_h), "random input and kernel", ACT_RANDOMISE, 0);
    }

    const ui_rect area = ui_rect_at(l->main.x + l->pad, l->main.y + l->pad, l->main.w - 2 * l->pad, l->main.h - 2 * l->pad);
    const int gap = l->pad * 2;
    // The words under the grids: the legend, the formula (a bold line of
    // letters, the numbers, the equivalent's recipe) and the step.
    char t[600];
    convt_text_equivalent(s, t, sizeof t);
    const int legend_h = legend_h_(l, s, m, area.w);
    const int line = l->small_px * 5 / 4;
    const int recipe_h = s->convt.ok ? wrapped_lines_(m, t, l->small_px, false, area.w) * line : 3 * line;
    const int step_h = s->convt.ok ? step_lines_(l, s, m, area.w) * line : 0;
    // Short of room (a large zoom), the grids keep readable cells by taking,
    // in turn, short titles, then leaving out the step written out (the cells
    // show each product), the equivalent's recipe (the right picture shows
    // it) and the two captions, then tighter gaps, then the right picture
    // below the left; the first level with readable cells, else the largest cells.
    // Then, for a zoom where nothing else fits: the formula's numbers alone,
    // tight gaps; and last, the legend left out too (its colours then unexplained).
    enum { LEVELS = 9 };
    int c = 0, level = 0, formula_h = 0, caption_h = 0, best = -1;
    convt_place_ p = {0};
    const convt_titles_ *tt = &TITLES_[0];
    for (int k = 0; k < LEVELS; k++) {
        const convt_titles_ *kt = &TITLES_[k >= 1];
        const int kf = (k < 7 ? l->text_px * 5 / 4 : 0) + line + (k < 3 ? recipe_h : 0), kc = k < 4 ? line + l->pad : 0;
        const int kgap = k < 7 ? gap : l->pad;
        const int below = (k < 8 ? legend_h : 0) + kgap + kf + (k < 2 ? gap + step_h : 0);
        const int grid_room = area.h - kc - below - kgap;
        // The largest cell that fits, at most two readable cells' worth.
        int kcell = ui_max(8, l->min_cell * 2);
        const bool tight = k >= 5, stacked = k >= 6;
        convt_place_ kp = place_(l, s, m, kcell, kt, tight, stacked);
        while (kcell > 8 && (kp.w > area.w || kp.h > grid_room)) kp = place_(l, s, m, --kcell, kt, tight, stacked);
        // A level whose grids fit beats one whose grids run off; then the larger cells.
        const int score = (kp.w <= area.w && kp.h <= grid_room ? 100000 : 0) + kcell;
        if (score > best) best = score, c = kcell, level = k, formula_h = kf, caption_h = kc, p = kp, tt = kt;
        if (c >= l->min_cell || !s->convt.ok) break;
    }
    // Short of room for readable cells in a lesson: the panel can give its
    // width.
    if (c < l->min_cell && s->player.l) l->panel_strip_wanted = true;
    // No level fits (a large zoom on a small window, with a lesson's
    // narration): no grids at all, rather than grids over the words; the
    // formula's place says so (the renderer reads the grids' absence).
    const bool none_fits = best < 100000;
    if (none_fits) caption_h = 0, level = 8, formula_h = l->text_px * 5 / 4 + 3 * line, p.h = -gap;
    if (v->ok && !none_fits) {
        const int y0 = area.y + caption_h;
        // Left: the scatter.
        ui_grid *g = layout_grid(l, GRID_INPUT, CONVT_SCATTER, cs->n_h, cs->n_w, 0, 0, area.x, y0 + p.title_h, c, "input");
        g = layout_grid(l, GRID_KERNEL, CONVT_SCATTER, cs->k, cs->k, 0, 0, area.x,
                        y0 + p.title_h + cs->n_h * c + p.gap + p.title_h, c, "kernel");
        // The output with the stamps' cells that the padding crops round it.
        g = layout_grid(l, GRID_OUTPUT, CONVT_SCATTER, p.out_rows, p.out_cols, -cs->pad, -cs->pad, area.x + p.out_x,
                        y0 + p.title_h, c, tt->out);
        if (g) g->data_rows = v->geom.out_h, g->data_cols = v->geom.out_w;
        // Right: the equivalent convolution (nothing to edit there).
        const int y1 = y0 + p.eq_y;  // the right picture's top
        g = layout_grid(l, GRID_INPUT, CONVT_EQUIVALENT, v->eq_h, v->eq_w, 0, 0, area.x + p.eq_x, y1 + p.title_h, c,
                        tt->eq);
        if (g) g->data_rows = g->data_cols = 0;
        g = layout_grid(l, GRID_OUTPUT, CONVT_EQUIVALENT, v->geom.out_h, v->geom.out_w, 0, 0, area.x + p.eq_out_x,
                        y1 + p.title_h, c, tt->eq_out);
        if (g) g->data_rows = g->data_cols = 0;
        g = layout_grid(l, GRID_KERNEL, CONVT_EQUIVALENT, v->eq_k, v->eq_k, 0, 0, area.x + p.eq_out_x,
                        y1 + p.title_h + v->geom.out_h * c + p.gap + p.title_h, c, tt->eq_k);
        if (g) g->data_rows = g->data_cols = 0;
    }
    const int bgap = level < 7 ? gap : l->pad;  // between the blocks
    int y = area.y + caption_h + (v->ok ? p.h : 0) + bgap;
    const int bottom = area.y + area.h;
    l->legend = ui_rect_at(area.x, y, area.w, v->ok && level < 8 && y + legend_h <= bottom ? legend_h : 0);
    if (l->legend.h) y += legend_h + bgap;
    l->formula = ui_rect_at(area.x, y, area.w, ui_max(0, ui_min(formula_h, bottom - y)));
    y += l->formula.h + gap;
    l->arithmetic = ui_rect_at(area.x, ui_min(y, bottom), area.w, level < 2 ? ui_max(0, bottom - y) : 0);
    // What the renderer leaves out (the captions, the recipe): in the layout's spare fields.
    l->captions = ui_rect_at(area.x, area.y, caption_h ? area.w : 0, caption_h ? line : 0);
}
