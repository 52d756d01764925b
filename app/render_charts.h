// render_charts.h - drawing shared by the views of the live model
// (render_charts.c): the training progress line, the curve charts, and
// the trainer's setting labels and footer.
#ifndef APP_RENDER_CHARTS_H
#define APP_RENDER_CHARTS_H

#include "render_kit.h"

// What the trainer is doing: epoch, batch, speed, accuracy and a progress bar;
// without a snapshot, why (the runner's reason) in red.
void rd_progress(const draw_ *d, const live_snapshot *snap, const char *what, const char *why);
// One curve of a chart: its points, colour and legend labels (the short one
// when the chart is cramped; NULL: the long one).
typedef struct rd_series {
    const live_point *p;
    int n;
    SDL_Color colour;
    const char *label, *short_label;
    bool dots;  // one dot per point, joined only where points are a few steps apart
    bool dashed;  // a dashed line through every point (another run's curve, kept to compare)
} rd_series;

// What a chart shows: its title (and a shorter one for narrow charts), the
// y range [lo, hi] (percentages when `percent`), and the planned run for the
// x axis in epochs (which never rescales while training goes on).
typedef struct rd_chart {
    const char *title, *short_title;
    float lo, hi;
    bool percent;
    int steps_per_epoch, epochs;
    bool both_runs;  // the axis covers a kept run too (its label says "both runs", not "the whole run")
} rd_chart;

// Draws the chart in q: title and legend above the plot (never over a
// curve), round y ticks, x ticks in epochs and their label; the series in
// their colours, dotted ones as dots joined only where dense, dashed ones
// as a dashed line (drawn first, under the others).
void rd_curve_chart(const draw_ *d, ui_rect q, const rd_chart *c, const rd_series *s, int n_series);

// The labels of the trainer's rate and slow-motion rows (beside their buttons).
void rd_trainer_labels(const draw_ *d, const live_snapshot *snap);
// The footer of the training views: a message, or their keys.
void rd_trainer_footer(const draw_ *d);

#endif
