// layout_fixture.h - what the layout tests (test_frame.c, test_train_layout.c)
// share: a fake font (0.6 em a character, so widths are computed by hand), a
// fresh state per test on the heap (ASan sees overruns) and rectangle checks.
#ifndef TESTS_LAYOUT_FIXTURE_H
#define TESTS_LAYOUT_FIXTURE_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ui_kit.h"
#include "update.h"

static inline int fake_width_(void *ctx, const char *text, int px, bool mono) {
    (void)ctx, (void)mono;
    return (int)(0.6 * px * (double)strlen(text) + 0.5);
}

static const ui_metrics METRICS = {fake_width_, NULL};

static inline int setup_(void **st) {
    app_state *s = calloc(1, sizeof *s);
    if (!s) return -1;
    app_state_init(s);
    *st = s;
    return 0;
}

static inline int teardown_(void **st) {
    free(*st);
    return 0;
}

static inline bool inside_(ui_rect a, ui_rect b) {
    return a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
}

static inline bool overlap_(ui_rect a, ui_rect b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

#endif
