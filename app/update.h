// update.h - how the state changes: one user action at a time (app_update)
// and as time passes (app_tick). The actions every view shares (which view,
// help, zoom, palette, editing a cell, a lesson's keys) are handled here;
// each view's own go to its module through the table (views.c). SDL-free, so
// tests drive the state with no display.
#ifndef APP_UPDATE_H
#define APP_UPDATE_H

#include "state.h"

// A state showing the home screen, with the slide example loaded in the
// convolution view and a small max/avg example in the pooling view.
void app_state_init(app_state *s);

// Re-creates every view's own state as a fresh program has it, on the home
// screen; what the window and the runtime own (zoom, palette, the host's
// digits, trainers and lessons, the lesson player) stays. A lesson starts so.
void app_reset_views(app_state *s);

// Applies one action. Settings that cannot work (a kernel larger than the
// padded input) are kept, and the views show why instead of a result.
void app_update(app_state *s, const app_action *a);

// Applies an action without the lesson guard (the lesson player sets up
// views with it); app_update refuses set-up changes while a lesson drives.
void app_apply(app_state *s, const app_action *a);

// Advances the animation by ms of real (or headless, fake) time.
void app_tick(app_state *s, double ms);

#endif
