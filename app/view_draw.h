// view_draw.h - the sizes the drawing view's layout and renderer share:
// the block of the ten probabilities (rows, the guesses, the legend).
// Header-only, no SDL.
#ifndef APP_VIEW_DRAW_H
#define APP_VIEW_DRAW_H

#include "ui_kit.h"
#include "view_maps.h"

// One probability's row: its digit, bar and percentage at the label type.
static inline int draw_prob_row_h(const ui_layout *l) { return maps_line_h(maps_label_px(l)) + 2; }

// The probabilities' block: ten rows (or, `cols` 2, five rows of two), two
// lines for the guesses, two for the legend; `cols` 0: the guesses alone.
static inline int draw_probs_height(const ui_layout *l, int cols) {
    const int px = maps_label_px(l);
    const int legend_px = ui_max(l->small_px * 9 / 10, l->min_px);  // as rd_legend draws
    if (cols == 0) return 2 * (px * 5 / 4) + 2;
    return 10 / cols * draw_prob_row_h(l) + l->pad / 2 + 2 * (px * 5 / 4) + 2 * (legend_px * 6 / 5 + l->pad / 2);
}

// The columns that fit a height: 1, 2 when ten rows are too tall, 0 when five are.
static inline int draw_probs_cols_for(const ui_layout *l, int h) {
    return draw_probs_height(l, 1) <= h ? 1 : draw_probs_height(l, 2) <= h ? 2 : 0;
}

// The columns the layout chose (from the height it gave the block).
static inline int draw_probs_cols(const ui_layout *l) { return draw_probs_cols_for(l, l->probs.h); }

// The feature maps' part of l->maps (the key to their colours is on its right) and the key's width.
static inline int draw_key_w(const ui_layout *l) { return ui_min(l->maps.w / 4, maps_label_px(l) * 10); }
static inline ui_rect draw_maps_area(const ui_layout *l) {
    return ui_rect_at(l->maps.x, l->maps.y, l->maps.w - draw_key_w(l) - l->pad * 2, l->maps.h);
}

#endif
