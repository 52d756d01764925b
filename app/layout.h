// layout.h - where everything goes on screen for the current view, computed
// from the state and the window size alone: the frame every view shares
// (header, footer, controls panel, a lesson's narration) around what the
// view's own layout function (views.h) places.
#ifndef APP_LAYOUT_H
#define APP_LAYOUT_H

#include "state.h"
#include "ui_kit.h"

// Lays out the current view for a w x h window.
void layout_compute(ui_layout *l, const app_state *s, int w, int h, const ui_metrics *m);

// The button or grid cell at (x, y), as an action (ACT_NONE if nothing).
app_action layout_hit(const ui_layout *l, int x, int y);

#endif
