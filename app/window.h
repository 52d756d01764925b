// window.h - running the views: in a real window (the main loop), or
// headless on a software surface through the very same drawing code, saving
// frames as PNG, for tests, CI and a teacher's slides.
#ifndef APP_WINDOW_H
#define APP_WINDOW_H

#include <stdbool.h>
#include <stdio.h>

#include "state.h"

typedef struct view_run_options {
    bool headless;
    int width, height;        // window or surface size (default 1280x720)
    int steps;                // headless: cells to step forward before the screenshot
    double play_seconds;      // headless: then play for this long on a fake 60 Hz clock
    const char *screenshot;   // headless: PNG of the last frame
    const char *frames_dir;   // headless: one PNG per step (frame-0000.png is the start)
    int bench_frames;         // draw this many frames and print median and p99 ms
    int train_steps;          // headless: train the view's model this many steps first (repeatable)
    double seconds;           // headless: let training run this long in its thread first
    const char *strokes;      // headless: pen strokes for the canvas, "x,y x,y; x,y ..." (0..111)
    const struct app_dataset *train, *test;  // for live training (may be NULL)
    const char *lesson;       // a lesson file to play (headless: every beat, with its checks)
    const char *export_dir;   // headless lesson: one PNG per beat, slide-01.png ... (for slides)
    double soak_seconds;      // headless: train and draw at 60 Hz this long, printing memory use
} view_run_options;

// Runs the state's view; returns an exit status (0, or 2 when SDL fails).
int app_run_view(app_state *s, const view_run_options *o, FILE *out, FILE *err);

#endif
