// view_convt_layout.c - where the transposed-convolution view puts things:
// the panel; the scatter on the left (the kernel above the input and the
// output it is stamped onto) and the equivalent convolution on the right
// (the rotated kernel above the zero-inserted, padded input and the same
// output), cells as large as the area allows; under them the legend, the
// formula and the current step written out, each measured so nothing runs off.
// Bound by the height (a lesson's narration below), the rotated kernel goes
// beside its output and the legend beside the grids, whichever gives the
// larger cells.
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

// The legend's items' widths (swatch, gap, label), measured once a layout:
// the arrangements below try it at many widths.
typedef struct convt_legend_ {
    int n, sw, gap, widest, iw[CONVT_KEY_COUNT];
} convt_legend_;

static convt_legend_ legend_measure_(const ui_layout *l, const app_state *s, const ui_metrics *m) {
    convt_key keys[CONVT_KEY_COUNT];
    convt_legend_ g = {.n = convt_legend_keys(s, true, keys)};
    const int px = ui_max(l->small_px * 9 / 10, l->min_px);
    g.sw = px * 6 / 5, g.gap = l->pad;
    for (int i = 0; i < g.n; i++) {
        g.iw[i] = g.sw + g.gap / 2 + text_w_(m, convt_key_label(keys[i]), px, false);
        g.widest = ui_max(g.widest, g.iw[i]);
    }
    return g;
}

// The legend's height at width w (as rd_legend wraps it).
static int legend_h_(const convt_legend_ *g, int w) {
    int x = 0, rows = 1;
    for (int i = 0; i < g->n; i++) {
        if (x > 0 && x + g->iw[i] > w) rows++, x = 0;
        x += g->iw[i] + g->gap * 2;
    }
    return rows * (g->sw + g->gap / 2);
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
// or (in a row, when the height is short) the rotated kernel beside the
// output; or (stacked, the last resort of a very large zoom) the right picture below the left.
typedef struct convt_place_ {
    int cell, gap, col_gap, title_h;
    int left_w, right_w, w, h;  // the two pictures' widths, the whole's size
    int out_x, eq_x, eq_out_x;  // from the area's left
    int eq_k_x, eq_k_y;         // the rotated kernel's place, from the area's left and the right picture's top
    int eq_y;                   // the right picture's top, from the grids' top
    int out_rows, out_cols;   // the scatter's output with the cropped cells round it
} convt_place_;

// The grids' titles, in full or (short of room) short, and their widths
// (bold: about a quarter wider than the regular face measures).
typedef struct convt_titles_ {
    const char *out, *eq, *eq_out, *eq_k;
} convt_titles_;
static const convt_titles_ TITLES_[2] = {
    {"stamps summed", "zeros inserted, padded", "output", "kernel rotated 180°"},
    {"output", "zero-inserted", "output", "rotated"},
};
typedef struct convt_title_w_ {
    int in, out, eq, eq_out, eq_k;
} convt_title_w_;

static convt_title_w_ title_widths_(const ui_layout *l, const ui_metrics *m, const convt_titles_ *tt) {
    const int px = l->small_px;
    return (convt_title_w_){text_w_(m, "kernel", px, false) * 13 / 10, text_w_(m, tt->out, px, false) * 13 / 10,
                            text_w_(m, tt->eq, px, false) * 13 / 10, text_w_(m, tt->eq_out, px, false) * 13 / 10,
                            text_w_(m, tt->eq_k, px, false) * 13 / 10};
}

static convt_place_ place_(const ui_layout *l, const app_state *s, int c, const convt_title_w_ *tw, bool tight,
                           bool row, bool stacked) {
    const convt_setup *cs = &s->convt.setup;
    const convt_view *v = &s->convt;
    convt_place_ p = {.cell = c, .gap = tight ? l->pad : l->pad * 3 / 2, .col_gap = tight ? l->pad * 2 : l->pad * 3,
                      .title_h = l->small_px * 5 / 4};  // (rd_grid_title draws 3/2 px above: into the gap or the padding)
    p.out_rows = s->convt.ok ? ui_max(v->geom.out_h, v->geom.rows.full - cs->pad) + cs->pad : 1;
    p.out_cols = s->convt.ok ? ui_max(v->geom.out_w, v->geom.cols.full - cs->pad) + cs->pad : 1;
    p.out_x = ui_max(ui_max(cs->n_w, cs->k) * c, tw->in) + p.gap;
    p.left_w = p.out_x + ui_max(p.out_cols * c, tw->out);
    p.eq_x = stacked ? 0 : p.left_w + p.col_gap;
    p.eq_out_x = p.eq_x + ui_max(v->eq_w * c, tw->eq) + p.gap;
    const int left_h = ui_max(p.title_h + cs->n_h * c + p.gap + p.title_h + cs->k * c, p.title_h + p.out_rows * c);
    int right_h;
    if (row) {
        p.eq_k_x = p.eq_out_x + ui_max(v->geom.out_w * c, tw->eq_out) + p.gap, p.eq_k_y = 0;
        p.right_w = p.eq_k_x - p.eq_x + ui_max(v->eq_k * c, tw->eq_k);
        right_h = p.title_h + ui_max(v->eq_h, ui_max(v->geom.out_h, v->eq_k)) * c;
    } else {
        p.eq_k_x = p.eq_out_x, p.eq_k_y = p.title_h + v->geom.out_h * c + p.gap;
        p.right_w = p.eq_out_x - p.eq_x + ui_max(ui_max(v->geom.out_w, v->eq_k) * c, ui_max(tw->eq_out, tw->eq_k));
        right_h = ui_max(p.title_h + v->eq_h * c, p.eq_k_y + p.title_h + v->eq_k * c);
    }
    p.eq_y = stacked ? left_h + p.gap : 0;
    p.w = stacked ? ui_max(p.left_w, p.right_w) : p.eq_x + p.right_w;
    p.h = stacked ? p.eq_y + right_h : ui_max(left_h, right_h);
    return p;
}

// One way to arrange the grids and the words for one level of what is
// left out: the largest cell (at most two readable cells' worth) whose
// grids and words fit the area, or 0. The legend goes under the grids with
// the formula, or (beside) in the width the grids leave, when the pictures
// are bound by the height.
typedef struct convt_try_ {
    int cell, legend_w, legend_h, top_h;  // top_h: the grids' (and a legend beside them) height
    bool row, beside;
    int formula_h, caption_h;  // the level's
    convt_place_ p;
} convt_try_;

static convt_try_ try_(const ui_layout *l, const app_state *s, ui_rect area, const convt_legend_ *lg,
                       const convt_title_w_ *tw, bool tight, bool row, bool stacked, bool beside, bool legend,
                       int words_h, int kgap) {
    convt_try_ t = {0};
    const int gap = l->pad * 2;
    for (int c = ui_max(8, l->min_cell * 2); c >= 8; c--) {
        const convt_place_ p = place_(l, s, c, tw, tight, row, stacked);
        if (p.w > area.w) continue;
        int lw = area.w, lh = legend ? legend_h_(lg, area.w) : 0, top = p.h;
        if (beside) {
            lw = area.w - p.w - gap;
            if (lw < lg->widest) continue;
            lh = legend_h_(lg, lw);
            top = ui_max(p.h, lh);
        }
        const int used = top + kgap + (beside || !legend ? 0 : lh + kgap) + words_h;
        if (used <= area.h) {
            t = (convt_try_){.cell = c, .legend_w = lw, .legend_h = lh, .top_h = top, .p = p};
            return t;
        }
    }
    return t;
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
    // The words: the legend, the formula (a bold line of letters, the
    // numbers, the equivalent's recipe) and the step.
    char t[600];
    convt_text_equivalent(s, t, sizeof t);
    const convt_legend_ lg = legend_measure_(l, s, m);
    const int line = l->small_px * 5 / 4;
    const int recipe_h = s->convt.ok ? wrapped_lines_(m, t, l->small_px, false, area.w) * line : 3 * line;
    const int step_h = s->convt.ok ? step_lines_(l, s, m, area.w) * line : 0;
    // Short of room (a large zoom), the grids keep readable cells by taking,
    // in turn, short titles, then leaving out the step written out (the cells
    // show each product), the equivalent's recipe (the right picture shows
    // it) and the two captions, then tighter gaps, then the right picture
    // below the left. Then, for a zoom where nothing else fits: the formula's
    // numbers alone, tight gaps; and last, the legend left out too (its
    // colours then unexplained). At each level the arrangement with the
    // largest cells: the rotated kernel below or beside its output, the legend
    // under the grids or beside them (pictures bound by the height leave width).
    // The first of the first four levels with comfortable cells (a quarter
    // over readable: the step and the recipe give way to them), else the first
    // level with readable cells, else the largest cells.
    enum { LEVELS = 9, ARRANGEMENTS = 8 };
    convt_title_w_ tws[2] = {title_widths_(l, m, &TITLES_[0]), title_widths_(l, m, &TITLES_[1])};
    convt_try_ tries[LEVELS];
    int chosen = -1, levels_tried = 0;
    const int comfortable = l->min_cell * 5 / 4;
    for (int k = 0; k < LEVELS; k++) {
        const int kf = (k < 7 ? l->text_px * 5 / 4 : 0) + line + (k < 3 ? recipe_h : 0), kc = k < 4 ? line + l->pad : 0;
        const int kgap = k < 7 ? gap : l->pad;
        const ui_rect room = ui_rect_at(area.x, area.y + kc, area.w, area.h - kc);
        tries[k] = (convt_try_){0};
        // (From level 6 the right picture may go below the left, or stay beside it if that is larger;
        // level 8 has no legend to put beside the grids.)
        for (int a = 0; a < ARRANGEMENTS; a++) {
            const bool row = a & 1, beside = a & 2, stacked = a & 4;
            if ((stacked && k < 6) || (beside && k == 8)) continue;
            const convt_try_ kt = try_(l, s, room, &lg, &tws[k >= 1], k >= 5, row, stacked, beside, k < 8,
                                       kf + (k < 2 ? gap + step_h : 0), kgap);
            if (kt.cell > tries[k].cell) tries[k] = kt, tries[k].row = row, tries[k].beside = beside;
        }
        tries[k].formula_h = kf, tries[k].caption_h = kc;
        levels_tried = k + 1;
        if (!s->convt.ok) break;
        if (k < 4 && tries[k].cell >= comfortable) {
            chosen = k;
            break;
        }
    }
    // The legend (left out at level 8) gives way only when the grids beside
    // it would be specks, cells under the type's floor.
    const int keep_legend = ui_min(levels_tried, LEVELS - 1);
    for (int k = 0; chosen < 0 && k < keep_legend; k++)
        if (tries[k].cell >= l->min_cell) chosen = k;
    if (chosen < 0) {
        chosen = 0;
        for (int k = 1; k < keep_legend; k++)
            if (tries[k].cell > tries[chosen].cell) chosen = k;
        if (tries[chosen].cell < l->min_px && levels_tried == LEVELS && tries[LEVELS - 1].cell > tries[chosen].cell)
            chosen = LEVELS - 1;
    }
    const convt_try_ *ch = &tries[chosen];
    const convt_titles_ *tt = &TITLES_[chosen >= 1];
    int level = chosen, formula_h = ch->formula_h, caption_h = ch->caption_h, c = ch->cell;
    convt_place_ p = ch->p;
    // Short of room for readable cells in a lesson: the panel can give its
    // width.
    if (c < l->min_cell && s->player.l) l->panel_strip_wanted = true;
    // No level fits (a large zoom on a small window, with a lesson's
    // narration): no grids at all, rather than grids over the words; the
    // formula's place says so (the renderer reads the grids' absence).
    const bool none_fits = c == 0;
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
        g = layout_grid(l, GRID_KERNEL, CONVT_EQUIVALENT, v->eq_k, v->eq_k, 0, 0, area.x + p.eq_k_x,
                        y1 + p.eq_k_y + p.title_h, c, tt->eq_k);
        if (g) g->data_rows = g->data_cols = 0;
    }
    const int bgap = level < 7 ? gap : l->pad;  // between the blocks
    const int top = area.y + caption_h;
    int y = top + (v->ok ? p.h : 0) + bgap;
    const int bottom = area.y + area.h;
    if (v->ok && !none_fits && ch->beside) {  // the legend in the width the grids leave
        l->legend = ui_rect_at(area.x + p.w + gap, top, ch->legend_w, ch->legend_h);
        y = top + ch->top_h + bgap;
    } else {
        const int legend_h = legend_h_(&lg, area.w);
        l->legend = ui_rect_at(area.x, y, area.w, v->ok && level < 8 && y + legend_h <= bottom ? legend_h : 0);
        if (l->legend.h) y += legend_h + bgap;
    }
    l->formula = ui_rect_at(area.x, y, area.w, ui_max(0, ui_min(formula_h, bottom - y)));
    y += l->formula.h + gap;
    // The step written out: where the level keeps room for it, or wherever
    // what is left below still holds all of it (wrapped).
    const bool step_fits = !none_fits && (level < 2 || bottom - y >= step_h);
    l->arithmetic = ui_rect_at(area.x, ui_min(y, bottom), area.w, step_fits ? ui_max(0, bottom - y) : 0);
    // What the renderer leaves out (the captions, the recipe): in the layout's spare fields.
    l->captions = ui_rect_at(area.x, area.y, caption_h ? area.w : 0, caption_h ? line : 0);
}
