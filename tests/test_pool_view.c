// test_pool_view.c - the pooling view's layout and motion (app/view_pool.c):
// a 6x6 input drawn whole with readable cells at every size and zoom
// (at 1280x720 zoom 200 it used to show 4 rows and 4 columns), and the
// window gliding between cells (app/anim.c's anim_glide) as drawn, and
// lesson 06 at 1280x720 zoom 200 (a short main area: close-ups).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "layout.h"
#include "layout_fixture.h"
#include "lesson.h"
#include "view_pool.h"
#include "views.h"

// A fake font near DejaVu's advances (Sans about 0.55 em a character on
// average, Sans Mono 0.602 em), rounded up: layout_fixture.h's 0.6 em for
// both makes the panel's labels wider than the real font does, which at
// 1280x720 zoom 200 takes the width the grids have on screen.
static int near_dejavu_(void *ctx, const char *text, int px, bool mono) {
    (void)ctx;
    return (int)((mono ? 0.61 : 0.56) * px * (double)strlen(text) + 0.5);
}
static const ui_metrics NEAR_DEJAVU = {near_dejavu_, NULL};

static void open_pool_(app_state *s) {
    app_action a = {.kind = ACT_OPEN_VIEW, .value = VIEW_POOL};
    app_update(s, &a);
}

static void act_(app_state *s, app_action_kind kind, int value) {
    app_action a = {.kind = kind, .value = value};
    app_update(s, &a);
}

// The grid `id`, channel ch, that holds data cell (row, col) with values (cells >= min_cell); NULL if none.
static const ui_grid *grid_holding_(const ui_layout *l, grid_id id, int ch, int row, int col) {
    for (int i = 0; i < l->n_grids; i++) {
        const ui_grid *g = &l->grids[i];
        if (g->id == id && g->channel == ch && g->cell >= l->min_cell && row >= g->row0 && col >= g->col0 &&
            row < g->row0 + g->rows && col < g->col0 + g->cols)
            return g;
    }
    return NULL;
}

// The default set-up (6x6 input, 2x2 window, stride 2, no padding: outputs
// floor((6 - 2)/2) + 1 = 3 by 3): every input cell and every cell of both
// outputs shown with its value, the grids inside the main area and apart, at
// 1280x720, 1920x1080 and 3840x2160, zoom 100, 150 and 200.
static void test_every_cell_readable(void **st) {
    app_state *s = *st;
    open_pool_(s);
    assert_int_equal(s->pool.setup.n_h, 6);
    assert_int_equal(s->pool.setup.pad, 0);
    static const int sizes[3][2] = {{1280, 720}, {1920, 1080}, {3840, 2160}}, zooms[3] = {100, 150, 200};
    for (int k = 0; k < 3; k++)
        for (int z = 0; z < 3; z++) {
            s->zoom = zooms[z];
            ui_layout l;
            layout_compute(&l, s, sizes[k][0], sizes[k][1], &NEAR_DEJAVU);
            for (int r = 0; r < 6; r++)
                for (int c = 0; c < 6; c++) {
                    const ui_grid *g = grid_holding_(&l, GRID_INPUT, 0, r, c);
                    if (!g) fail_msg("%dx%d zoom %d: input (%d, %d) not shown with its value", sizes[k][0], sizes[k][1], zooms[z], r, c);
                    // The grid's rectangle holds its cells, inside the main area.
                    assert_int_equal(g->r.w, g->cols * g->cell);
                    assert_int_equal(g->r.h, g->rows * g->cell);
                    assert_true(inside_(g->r, l.main));
                }
            for (int ch = 0; ch < 2; ch++)
                for (int r = 0; r < 3; r++)
                    for (int c = 0; c < 3; c++) {
                        const ui_grid *g = grid_holding_(&l, GRID_OUTPUT, ch, r, c);
                        if (!g) fail_msg("%dx%d zoom %d: output %d (%d, %d) not shown", sizes[k][0], sizes[k][1], zooms[z], ch, r, c);
                        assert_true(inside_(g->r, l.main));
                    }
            for (int i = 0; i < l.n_grids; i++)
                for (int j = i + 1; j < l.n_grids; j++) assert_false(overlap_(l.grids[i].r, l.grids[j].r));
            // The worked-out lines and the legend have room, apart from the grids.
            assert_true(l.arithmetic.h > 0);
            assert_true(l.legend.h > 0);
            for (int i = 0; i < l.n_grids; i++) {
                assert_false(overlap_(l.grids[i].r, l.arithmetic));
                assert_false(overlap_(l.grids[i].r, l.legend));
            }
        }
}

// The window glides from cell (0,0) to cell (0,1): two input columns to the
// right (stride 2). 100 ms into the 200 ms glide at 2 cells/s it is half way
// (smoothstep(0.5) = 0.5): one column right of where it was.
static void test_window_glides(void **st) {
    app_state *s = *st;
    open_pool_(s);
    assert_int_equal(s->pool.anim.speed, 2);
    ui_layout l;
    layout_compute(&l, s, 1920, 1080, &METRICS);
    const ui_grid *g = grid_holding_(&l, GRID_INPUT, 0, 0, 0);
    assert_non_null(g);
    const int c = g->cell, x_from = g->r.x + (0 - g->col0) * c, x_to = g->r.x + (2 - g->col0) * c;
    const int y = g->r.y + (0 - g->row0) * c;
    ui_rect w = pool_window_rect(s, g);
    assert_int_equal(w.x, x_from);
    assert_int_equal(w.w, 2 * c);
    act_(s, ACT_STEP_FORWARD, 0);  // cell 0 whole
    act_(s, ACT_STEP_FORWARD, 0);  // to cell 1
    assert_int_equal(s->pool.anim.pos, 1);
    app_tick(s, 100);
    w = pool_window_rect(s, g);
    assert_true(w.x > x_from && w.x < x_to);
    assert_int_equal(w.x, x_from + c);
    assert_int_equal(w.y, y);
    assert_int_equal(w.w, 2 * c);
    app_tick(s, 0);  // a still picture: there
    assert_int_equal(pool_window_rect(s, g).x, x_to);
    // The top speed jumps: cell 2 (columns 4..5) at once.
    while (s->pool.anim.speed < app_speed_count() - 1) act_(s, ACT_FASTER, 0);
    act_(s, ACT_STEP_FORWARD, 0);
    app_tick(s, 1);
    assert_int_equal(pool_window_rect(s, g).x, g->r.x + (4 - g->col0) * c);
}

// A pooling lesson (an earlier lessons/07, a fixture kept as it was): its narration (the third
// step's quiz the longest) leaves the grids a short main area.
static const char POOLING_LESSON[] =
    "title Max and average pooling\n"
    "view pool\n"
    "say *Pooling* summarises each window with one number. Max pooling keeps the largest (outlined in green); "
    "average pooling divides the sum by the window's size.\n"
    "wait\n"
    "say Pooling has no weights to learn. With a 3x3 window moved one cell at a time, a 5x5 map becomes 3x3.\n"
    "wait\n"
    "say Most networks pool 2x2 windows side by side (stride 2): each side is halved, and the strongest answer of "
    "each region survives.\n"
    "quiz cell 0 1 What does max pooling keep from the top-right window (2 4 / 7 8)? answer 8\n";

// The pooling lesson's first set-up (5x5 input, 3x3 window, stride 1: outputs
// 5 - 3 + 1 = 3 by 3) at 1280x720, zoom 200, the lesson driving the view.
// The type's floor is 20 * 720/1080 * 200/100 = 26.7, so 27 px and
// min_cell = 54; the 5x5 input whole (5 * 54 = 270 px and its heading) does
// not fit the main area's height. Still: every cell of the window (output
// (0, 0): input rows and columns 0..2; output (2, 2), the last: 2..4) and the
// current output cell of max and average are drawn with values (>= 54 px),
// inside the main area; the legend has a row inside the main area wide
// enough for the "window" key (swatch 28 * 6/5 = 33 px, pad/2 = 10, the
// word at 0.56 * 28 px a character: the legend's type is max(32 * 9/10, 27)
// = 28 px); the worked-out lines have room for three lines at 32 px and
// their widest word in the shorter form ("max(3,3,2,0,0,1,3,1,2)", 22
// characters at 0.61 * 32 px; they wrap at spaces only); no grid overlaps
// the legend or the lines.
static void test_lesson06_zoom200_closeups(void **st) {
    app_state *s = *st;
    open_pool_(s);
    static lesson ls;
    char err[300];
    assert_true(lesson_parse(&ls, POOLING_LESSON, "pooling.lesson", err, sizeof err));
    static const float input[5][5] = {
        {3, 3, 2, 1, 0}, {0, 0, 1, 3, 1}, {3, 1, 2, 2, 3}, {2, 0, 0, 2, 2}, {2, 0, 0, 0, 1}};
    pool_setup p = s->pool.setup;
    p.n_h = p.n_w = 5;
    p.size = 3;
    p.stride = 1;
    p.pad = 0;
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 5; c++) p.input[r][c] = input[r][c];
    assert_true(app_set_pool(s, &p));
    s->zoom = 200;
    s->player.l = &ls;
    s->player.n_cmds = ls.n;
    s->player.n_beats = 3;
    for (int at = 0; at < 2; at++) {
        if (at == 1) act_(s, ACT_TO_END, 0);
        const int out = at ? 2 : 0;  // the current output cell (out, out); its window from input (out, out)
        static ui_layout l;
        layout_compute(&l, s, 1280, 720, &NEAR_DEJAVU);
        assert_int_equal(l.min_px, 27);
        assert_int_equal(l.min_cell, 54);
        assert_true(l.main.h < 5 * 54 + 54);
        for (int r = out; r < out + 3; r++)
            for (int c = out; c < out + 3; c++) {
                const ui_grid *g = grid_holding_(&l, GRID_INPUT, 0, r, c);
                if (!g) fail_msg("window %d: input (%d, %d) not shown with its value", at, r, c);
                assert_true(inside_(g->r, l.main));
            }
        for (int ch = 0; ch < 2; ch++) {
            const ui_grid *g = grid_holding_(&l, GRID_OUTPUT, ch, out, out);
            if (!g) fail_msg("window %d: output %d (%d, %d) not shown with its value", at, ch, out, out);
            assert_true(inside_(g->r, l.main));
        }
        assert_true(inside_(l.legend, l.main));
        assert_true(l.legend.h >= 33 + 10);
        assert_true(l.legend.w >= 33 + 10 + (int)(0.56 * 28 * 6 + 0.5));
        assert_true(inside_(l.arithmetic, l.main));
        assert_true(l.arithmetic.h >= 3 * (32 * 5 / 4));
        assert_true(l.arithmetic.w >= (int)(0.61 * 32 * 22 + 0.5));
        for (int i = 0; i < l.n_grids; i++) {
            assert_false(overlap_(l.grids[i].r, l.legend));
            assert_false(overlap_(l.grids[i].r, l.arithmetic));
        }
        assert_false(overlap_(l.legend, l.arithmetic));
    }
    s->player.l = NULL;
    s->zoom = 100;
    lesson_free(&ls);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_cell_readable, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_window_glides, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_lesson06_zoom200_closeups, setup_, teardown_),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
