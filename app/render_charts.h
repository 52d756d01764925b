// render_charts.h - drawing shared by the views of the live model
// (render_charts.c): the training progress line, rows of feature maps, and
// the trainer's setting labels and footer.
#ifndef APP_RENDER_CHARTS_H
#define APP_RENDER_CHARTS_H

#include "render_kit.h"

// What the trainer is doing: epoch, batch, speed, accuracy and a progress bar;
// without a snapshot, why (the runner's reason) in red.
void rd_progress(const draw_ *d, const live_snapshot *snap, const char *what, const char *why);
// Rows of feature maps, one per layer from `from` on while they are maps
// (ReLU folded into the layer before it); returns the y below the last row.
int rd_layer_maps(const draw_ *d, const nn_net *net, ui_rect m, int from);
// The labels of the trainer's rate and slow-motion rows (beside their buttons).
void rd_trainer_labels(const draw_ *d, const live_snapshot *snap);
// The footer of the training views: a message, or their keys.
void rd_trainer_footer(const draw_ *d);

#endif
