// train_layout.h - the one measure the layouts (no SDL) and the renderers of
// the training and templates views share: the height of the progress rows
// that rd_progress (render_charts.c) draws.
#ifndef APP_TRAIN_LAYOUT_H
#define APP_TRAIN_LAYOUT_H

#include <math.h>
#include <stddef.h>

#include "ui_kit.h"

// The progress line (small_px) and, under it, the bar beside the time left
// (at least min_px): nothing more, so no empty band follows.
static inline int train_progress_height(const ui_layout *l) {
    return l->small_px * 6 / 5 + l->pad / 4 + ui_max(l->min_px, l->small_px * 4 / 5) * 6 / 5;
}

// The confusion matrix (view_train_render.c): its title (small_px) and
// subtitle (min_px) above the cells.
static inline int confusion_head_height(const ui_layout *l) {
    return l->small_px * 6 / 5 + l->min_px * 6 / 5 + l->pad / 4;
}
// The row of guessed digits over the cells (and the column of true digits
// left of them is as wide).
static inline int confusion_digits_height(const ui_layout *l) { return l->small_px * 6 / 5 + l->pad / 4; }
// Its legend when beside the cells: a vertical bar and its labels ("221").
// ("count" at ui_max(min_px, small_px * 5 / 6): about 2.9 em).
static inline int confusion_legend_width(const ui_layout *l) {
    return ui_max(l->min_px, l->small_px * 5 / 6) * 3 + l->pad;
}

// The x axis's tick step over `span` epochs: the smallest of 1/4, 1/2, 1,
// 2, 5, 10 ... 100 that divides the span into whole parts, at most `most` of
// them (so the last tick is the run's end); else the whole span.
static inline double epoch_tick_step(double span, int most) {
    static const double steps[] = {0.25, 0.5, 1, 2, 5, 10, 20, 50, 100};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && steps[i] < span; i++) {
        const double parts = span / steps[i];
        if (fabs(parts - round(parts)) < 1e-9 && parts <= most) return steps[i];
    }
    return span;
}

#endif
