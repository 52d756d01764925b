// view_draw.h - the sizes the drawing view's layout and renderer share:
// the block of the ten probabilities (rows of bars, the guesses, the
// legend) and the length of a bar. Header-only, no SDL.
#ifndef APP_VIEW_DRAW_H
#define APP_VIEW_DRAW_H

#include "ui_kit.h"
#include "view_maps.h"

// The type of the probabilities' digits and percentages.
static inline int draw_probs_px(const ui_layout *l) { return maps_label_px(l); }

// A probability's row: its type's line at least (the bar a little thinner); the
// layout gives it up to twice its line when the block has the height.
static inline int draw_row_min(const ui_layout *l) { return maps_line_h(draw_probs_px(l)); }
static inline int draw_row_max(const ui_layout *l) { return maps_line_h(draw_probs_px(l)) * 2; }

// Under the bars: two lines for the guesses (or the hint), two for the legend.
static inline int draw_probs_foot(const ui_layout *l) {
    const int px = draw_probs_px(l);
    const int legend_px = ui_max(l->small_px * 9 / 10, l->min_px);  // as rd_legend draws
    return l->pad / 2 + 2 * (px * 5 / 4) + 2 * (legend_px * 6 / 5 + l->pad / 2);
}

// The probabilities' block with rows of `row` px: ten rows (or, `cols` 2,
// five rows of two) over the foot; `cols` 0: the guesses alone.
static inline int draw_probs_height(const ui_layout *l, int cols, int row) {
    if (cols == 0) return 2 * (draw_probs_px(l) * 5 / 4) + 2;
    return 10 / cols * row + draw_probs_foot(l);
}

// The columns that fit a height: 1, 2 when ten rows are too tall, 0 when five are.
static inline int draw_probs_cols_for(const ui_layout *l, int h) {
    return draw_probs_height(l, 1, draw_row_min(l)) <= h ? 1 : draw_probs_height(l, 2, draw_row_min(l)) <= h ? 2 : 0;
}

// The columns the layout chose (from the height it gave the block).
static inline int draw_probs_cols(const ui_layout *l) { return draw_probs_cols_for(l, l->probs.h); }

// The row height in the block the layout gave: its height shared by the
// rows, between the least and twice the line.
static inline int draw_probs_row(const ui_layout *l) {
    const int cols = draw_probs_cols(l);
    if (cols == 0) return 0;
    const int row = (l->probs.h - draw_probs_foot(l)) / (10 / cols);
    return ui_max(draw_row_min(l), ui_min(draw_row_max(l), row));
}

// The model the view reads the drawing with: the live one when chosen and there.
static inline const nn_net *draw_net(const app_state *s) {
    return s->draw.live && s->host.live_net ? s->host.live_net : s->host.draw_net;
}

// A bar's length for probability p on a track of `track` px: p of it,
// rounded (so "50.0%" is half the track; fmt_percent writes the number).
static inline int draw_bar_len(float p, int track) {
    if (track <= 0 || !(p > 0)) return 0;
    const int n = (int)(p * (float)track + 0.5f);
    return n > track ? track : n;
}

#endif
