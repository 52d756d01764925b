// window.h - running the views: in a real window (the main loop), or
// headless on a software surface through the very same frames (frame.h),
// saving them as PNG, for tests, CI and a teacher's slides. The runner the
// SDL-free commands get through cli_frontend (cli.h).
#ifndef APP_WINDOW_H
#define APP_WINDOW_H

#include <stdio.h>

#include "cli.h"
#include "state.h"

// Runs the state's view (a cli_view_runner); returns an exit status (0, 1
// when a lesson fails, or 2 when SDL or a save fails).
int app_run_view(app_state *s, const view_run_options *o, FILE *out, FILE *err);

#endif
