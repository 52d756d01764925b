// frame.c - one frame of the program (see frame.h).
#include "frame.h"

#include "update.h"

void frame_init(app_frame *f, app_state *s, app_runtime *rt, ui_metrics metrics, frame_painter painter,
                int width, int height) {
    *f = (app_frame){.state = s, .runtime = rt, .metrics = metrics, .painter = painter, .width = width,
                     .height = height};
}

const ui_layout *frame_layout(app_frame *f) {
    if (!f->layout_fresh) {
        layout_compute(&f->layout, f->state, f->width, f->height, &f->metrics);
        f->layout_fresh = true;
    }
    return &f->layout;
}

void frame_run(app_frame *f, frame_next_action next, void *ctx, double dt_ms, bool draw) {
    // Between two frames the size (a window's) or the state (a headless
    // script's lesson beat, pen strokes) may have changed.
    f->layout_fresh = false;
    app_action a;
    while (next && next(ctx, f, &a)) {
        app_update(f->state, &a);
        f->layout_fresh = false;  // the next event is hit-tested against what it made
    }
    runtime_frame(f->runtime, f->state);
    app_tick(f->state, dt_ms);
    f->layout_fresh = false;
    if (draw) f->painter.paint(f->painter.ctx, f->state, frame_layout(f));
}

typedef struct script_ {
    const app_action *actions;
    int n, done;
} script_;

static bool script_next_(void *ctx, app_frame *f, app_action *a) {
    (void)f;
    script_ *sc = ctx;
    if (sc->done >= sc->n) return false;
    *a = sc->actions[sc->done++];
    return true;
}

void frame_run_actions(app_frame *f, const app_action *actions, int n, double dt_ms, bool draw) {
    script_ sc = {actions, n, 0};
    frame_run(f, script_next_, &sc, dt_ms, draw);
}
