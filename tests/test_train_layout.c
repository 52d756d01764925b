// test_train_layout.c - the training dashboard's and the weight templates'
// layouts (app/view_train.c, app/view_templates.c, app/train_layout.h) with a
// fake font: at 1280x720, 1920x1080 and 3840x2160, zoom 100 and 150, every
// area inside the main region and apart from the others, no empty band under
// the progress rows, a confusion matrix with room for ten cells of
// l->min_cell (the smallest cell that shows a count) plus its title and row of
// digits, a gallery with room for a row of thumbnails; and the x axis's
// epoch ticks worked out by hand.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layout.h"
#include "train_layout.h"
#include "views.h"

#include "layout_fixture.h"

static const int SIZES[][2] = {{1280, 720}, {1920, 1080}, {3840, 2160}};
static const int ZOOMS[] = {100, 150};

// A line of text at px is drawn 6/5 px high (as the renderers step).
static int line_(int px) { return px * 6 / 5; }

static void test_train_areas(void **st) {
    app_state *s = *st;
    static ui_layout l;
    s->view = VIEW_TRAIN;
    for (size_t k = 0; k < 3; k++)
        for (size_t z = 0; z < 2; z++) {
            s->zoom = ZOOMS[z];
            layout_compute(&l, s, SIZES[k][0], SIZES[k][1], &METRICS);
            const ui_rect areas[5] = {l.progress, l.chart_loss, l.chart_acc, l.confusion, l.gallery};
            const char *names[5] = {"progress", "loss chart", "accuracy chart", "confusion matrix", "gallery"};
            for (int i = 0; i < 5; i++) {
                if (!inside_(areas[i], l.main))
                    fail_msg("%dx%d zoom %d: the %s leaves the main region", SIZES[k][0], SIZES[k][1], ZOOMS[z],
                             names[i]);
                for (int j = 0; j < i; j++)
                    if (overlap_(areas[i], areas[j]))
                        fail_msg("%dx%d zoom %d: the %s and the %s overlap", SIZES[k][0], SIZES[k][1], ZOOMS[z],
                                 names[i], names[j]);
            }
            // The progress rows: its line (small_px) and the bar's row (min_px); the charts
            // start a gap (pad) under them, no empty band.
            assert_true(l.progress.h >= line_(l.small_px) + line_(l.min_px));
            assert_true(l.chart_loss.y - (l.progress.y + l.progress.h) <= l.pad);
            assert_true(l.confusion.y - (l.progress.y + l.progress.h) <= l.pad);
            // Ten cells of min_cell, the digits' row and column (min_px lines), the title
            // (small_px) and subtitle (min_px).
            const int need_h = line_(l.small_px) + 2 * line_(l.min_px) + 10 * l.min_cell;
            const int need_w = line_(l.min_px) + 10 * l.min_cell;
            if (l.confusion.h < need_h || l.confusion.w < need_w)
                fail_msg("%dx%d zoom %d: the matrix has %dx%d px, it needs %dx%d", SIZES[k][0], SIZES[k][1],
                         ZOOMS[z], l.confusion.w, l.confusion.h, need_w, need_h);
            // The gallery: its title and a row of thumbnails (2 lines high) with labels.
            assert_true(l.gallery.h >= line_(l.small_px) + 2 * l.small_px + line_(l.min_px));
            // Each chart: title, legend, a plot of two lines, ticks: five lines at least.
            assert_true(l.chart_loss.h >= 5 * l.small_px && l.chart_acc.h >= 5 * l.small_px);
        }
}

// The templates fill the main region under the progress rows.
static void test_templates_area(void **st) {
    app_state *s = *st;
    static ui_layout l;
    s->view = VIEW_TEMPLATES;
    for (size_t k = 0; k < 3; k++)
        for (size_t z = 0; z < 2; z++) {
            s->zoom = ZOOMS[z];
            layout_compute(&l, s, SIZES[k][0], SIZES[k][1], &METRICS);
            assert_true(inside_(l.templates, l.main));
            assert_true(l.templates.y - (l.progress.y + l.progress.h) <= l.pad);
            assert_true(l.main.y + l.main.h - (l.templates.y + l.templates.h) <= l.pad);
            assert_true(l.main.x + l.main.w - (l.templates.x + l.templates.w) <= l.pad);
        }
}

// Epoch ticks: the smallest of 1/4, 1/2, 1, 2, 5 ... dividing the span into
// whole parts, no more than `most`; else the whole span.
static void test_epoch_ticks(void **st) {
    (void)st;
    assert_true(epoch_tick_step(3, 12) == 0.25);  // 3 / 0.25 = 12 parts
    assert_true(epoch_tick_step(3, 11) == 0.5);   // 12 > 11; 3 / 0.5 = 6
    assert_true(epoch_tick_step(3, 5) == 1);      // 6 > 5; 3 / 1 = 3
    assert_true(epoch_tick_step(3, 2) == 3);      // 3 / 2 = 1.5 is not whole; 5 > 3: the span
    assert_true(epoch_tick_step(10, 5) == 2);     // 40, 20, 10 > 5; 10 / 2 = 5
    assert_true(epoch_tick_step(10, 3) == 5);     // 10 / 5 = 2
    assert_true(epoch_tick_step(1, 1) == 1);      // 4 and 2 parts > 1; 1 is not under the span
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_train_areas, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_templates_area, setup_, teardown_),
        cmocka_unit_test(test_epoch_ticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
