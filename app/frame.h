// frame.h - one frame of the program, the same for the window and for every
// headless run (steps, play, soak, frame bench, lessons): the frame's actions,
// each followed by a fresh layout so the next click hits what is on screen
// now; then the runtime's requests and snapshots (runtime_frame), the clock
// (app_tick), a fresh layout and the picture. SDL-free: a painter draws.
#ifndef APP_FRAME_H
#define APP_FRAME_H

#include <stdbool.h>

#include "layout.h"
#include "runtime.h"
#include "state.h"

// Draws the state laid out by l (the SDL side: render_frame into a renderer).
typedef struct frame_painter {
    void (*paint)(void *ctx, const app_state *s, const ui_layout *l);
    void *ctx;
} frame_painter;

typedef struct app_frame {
    app_state *state;
    app_runtime *runtime;
    ui_metrics metrics;     // text measured with the painter's fonts
    frame_painter painter;
    int width, height;      // the picture in pixels (a window sets it before each frame)
    ui_layout layout;       // read it through frame_layout
    bool layout_fresh;      // the layout belongs to the state and size as they are
} app_frame;

// Hands over the frame's next action (false when there is none left). The
// window's turns its events into actions against frame_layout(f) of the
// moment; a script's come from a list.
typedef bool (*frame_next_action)(void *ctx, app_frame *f, app_action *a);

void frame_init(app_frame *f, app_state *s, app_runtime *rt, ui_metrics metrics, frame_painter painter,
                int width, int height);

// The layout of the state as it is now (computed again only when it may have changed).
const ui_layout *frame_layout(app_frame *f);

// One frame: app_update for each action `next` hands over, runtime_frame,
// app_tick(dt_ms), then, when `draw`, the layout and the picture.
void frame_run(app_frame *f, frame_next_action next, void *ctx, double dt_ms, bool draw);

// frame_run with a script's actions (n may be 0: a frame with none).
void frame_run_actions(app_frame *f, const app_action *actions, int n, double dt_ms, bool draw);

#endif
