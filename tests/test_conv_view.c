// test_conv_view.c - the convolution view's hover links (app/view_conv_links.h),
// one product at a time by hand (Shift+Right), the window's glide
// (app/anim.c), and the layout's readable cells (app/view_conv.c).
//
// The link cases are worked out by hand below; the animation's numbers come
// from the slide example worked by hand in test_state.c:
//   input [[3,3,2,1,0],[0,0,1,3,1],[3,1,2,2,3],[2,0,0,2,2],[2,0,0,0,1]],
//   kernel [[0,1,2],[2,2,0],[0,1,2]]: output (0,0) = 3*0 + 3*1 + 2*2 + 0*2 +
//   0*2 + 1*0 + 3*0 + 1*1 + 2*2 = 0+3+4+0+0+0+0+1+4 = 12.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "anim.h"
#include "keys.h"
#include "layout.h"
#include "lesson.h"
#include "state.h"
#include "update.h"
#include "view_conv_links.h"

// ---- Links, by hand ----------------------------------------------------------------------------
//
// 5x5 input, 3x3 kernel, stride 2, padding 1: out = floor((5 + 2 - 3)/2) + 1 = 3.
// Output row r reads input rows 2r-1, 2r, 2r+1 (taps ky = 0, 1, 2):
//   r = 0: rows -1, 0, 1     r = 1: rows 1, 2, 3     r = 2: rows 3, 4, 5
// and the same for columns. So:
//   input (2,2): row 2 only in r = 1 (ky 1), col 2 only in c = 1 (kx 1) -> output (1,1) only
//   input (1,1): row 1 in r = 0 (ky 2) and r = 1 (ky 0), the same for cols
//                -> outputs (0,0), (0,1), (1,0), (1,1)
//   input (0,0): row 0 only in r = 0 (ky 1) -> output (0,0) only
//   input (3,2): row 3 in r = 1 (ky 2) and r = 2 (ky 0); col 2 in c = 1 -> outputs (1,1), (2,1)
//   output (2,1), tap (0,2): row 2*2 - 1 + 0 = 3, col 1*2 - 1 + 2 = 3 -> input (3,3)
static const conv_links_geom STRIDE2_PAD1 = {5, 5, 3, 2, 1, 1, 1, 3, 3};

static void expect_outputs_(int in_row, int in_col, const int (*want)[2], int n_want) {
    bool used[9];
    const int n = conv_link_input_outputs(&STRIDE2_PAD1, in_row, in_col, used);
    assert_int_equal(n, n_want);
    bool expected[9] = {false};
    for (int i = 0; i < n_want; i++) expected[want[i][0] * 3 + want[i][1]] = true;
    for (int i = 0; i < 9; i++) assert_int_equal(used[i], expected[i]);
}

static void test_links_input_to_outputs_by_hand(void **st) {
    (void)st;
    expect_outputs_(2, 2, (const int[][2]){{1, 1}}, 1);
    expect_outputs_(1, 1, (const int[][2]){{0, 0}, {0, 1}, {1, 0}, {1, 1}}, 4);
    expect_outputs_(0, 0, (const int[][2]){{0, 0}}, 1);
    expect_outputs_(3, 2, (const int[][2]){{1, 1}, {2, 1}}, 2);
    // A padding cell: row -1 is read by r = 0 (ky 0) only, col -1 by c = 0 only.
    expect_outputs_(-1, -1, (const int[][2]){{0, 0}}, 1);
}

static void test_links_taps_by_hand(void **st) {
    (void)st;
    int r, c, ky, kx;
    conv_link_tap(&STRIDE2_PAD1, 2, 1, 0, 2, &r, &c);
    assert_int_equal(r, 3);
    assert_int_equal(c, 3);
    // Output (0,0), tap (0,0) is the padding corner (-1,-1).
    conv_link_tap(&STRIDE2_PAD1, 0, 0, 0, 0, &r, &c);
    assert_int_equal(r, -1);
    assert_int_equal(c, -1);
    // Input (3,2) in output (2,1): row 3 = 2*2 - 1 + ky -> ky 0; col 2 = 1*2 - 1 + kx -> kx 1.
    assert_true(conv_link_reads(&STRIDE2_PAD1, 2, 1, 3, 2, &ky, &kx));
    assert_int_equal(ky, 0);
    assert_int_equal(kx, 1);
    // Output (0,0) covers rows -1..1: row 2 is outside.
    assert_false(conv_link_reads(&STRIDE2_PAD1, 0, 0, 2, 0, NULL, NULL));
}

// 5x5 input, 3x3 kernel, dilation 2, stride 1, no padding: span (3-1)*2 + 1 = 5,
// out = 5 - 5 + 1 = 1. Output (0,0) reads rows and cols 0, 2, 4 only: (1,1),
// (1,2), (3,0) lie inside the span and are skipped; (2,2) is tap (1,1).
static void test_links_dilation_skips_by_hand(void **st) {
    (void)st;
    const conv_links_geom g = {5, 5, 3, 1, 2, 0, 0, 1, 1};
    int ky, kx;
    assert_true(conv_link_reads(&g, 0, 0, 2, 2, &ky, &kx));
    assert_int_equal(ky, 1);
    assert_int_equal(kx, 1);
    assert_true(conv_link_reads(&g, 0, 0, 4, 0, &ky, &kx));
    assert_int_equal(ky, 2);
    assert_int_equal(kx, 0);
    assert_true(conv_link_skipped(&g, 0, 0, 1, 1));
    assert_true(conv_link_skipped(&g, 0, 0, 1, 2));
    assert_true(conv_link_skipped(&g, 0, 0, 3, 0));
    assert_false(conv_link_skipped(&g, 0, 0, 2, 2));  // a tap
    assert_false(conv_link_skipped(&g, 0, 0, 5, 0));  // outside the span
    bool used[1];
    assert_int_equal(conv_link_input_outputs(&g, 1, 1, used), 0);
    assert_false(used[0]);
}

// ---- One product by hand, the glide ---------------------------------------------------------------

static int setup_(void **st) {
    app_state *s = calloc(1, sizeof *s);
    if (!s) return -1;
    app_state_init(s);
    app_action a = {.kind = ACT_OPEN_VIEW, .value = VIEW_CONV};
    app_update(s, &a);
    *st = s;
    return 0;
}

static int teardown_(void **st) {
    free(*st);
    return 0;
}

static void act_(app_state *s, app_action_kind kind, int value) {
    app_action a = {.kind = kind, .value = value};
    app_update(s, &a);
}

// Shift+Right adds one product: after k presses, k products of cell (0,0)
// and the running sum of the first k (by hand: 0, 3, 7, 7, 7, 7, 7, 8, 12).
static void test_shift_right_adds_one_product(void **st) {
    app_state *s = *st;
    static const float running[9] = {0, 3, 7, 7, 7, 7, 7, 8, 12};
    ui_layout l;
    memset(&l, 0, sizeof l);
    const app_action key = keys_action(s, &l, (key_press){KEY_RIGHT, KEYMOD_SHIFT});
    assert_int_equal(key.kind, ACT_STEP_FORWARD);
    assert_int_equal(key.value, ANIM_ONE_PRODUCT);
    assert_int_equal(s->conv.anim.reveal, 0);
    for (int k = 1; k <= 9; k++) {
        app_update(s, &key);
        assert_int_equal(s->conv.anim.pos, 0);
        assert_int_equal(s->conv.anim.reveal, k);
        assert_float_equal(s->conv.step.running[k - 1], running[k - 1], 1e-6);
    }
    assert_float_equal(s->conv.step.sum, 12, 1e-6);
    // The next press starts cell (0,1) with its first product: 3*0 = 0 (input (0,1) = 3, weight 0).
    app_update(s, &key);
    assert_int_equal(s->conv.anim.pos, 1);
    assert_int_equal(s->conv.anim.reveal, 1);
    assert_float_equal(s->conv.step.products[0], 0, 1e-6);
    // A plain Right still completes the cell.
    act_(s, ACT_STEP_FORWARD, 0);
    assert_int_equal(s->conv.anim.reveal, 9);
    assert_float_equal(s->conv.step.sum, 12, 1e-6);  // output (0,1) = 12 (test_state.c's map)
}

// The window glides ~200 ms at the normal speed (2 cells/s), eased; a frame
// with no time passing shows it settled; the top speed jumps.
static void test_window_glides(void **st) {
    app_state *s = *st;
    int from;
    assert_int_equal(s->conv.anim.speed, 2);
    act_(s, ACT_STEP_FORWARD, 0);  // cell 0 whole
    act_(s, ACT_STEP_FORWARD, 0);  // to cell 1
    assert_int_equal(s->conv.anim.pos, 1);
    app_tick(s, 50);               // a quarter of 200 ms: smoothstep(0.25) = 0.15625
    assert_float_equal(anim_glide(&s->conv.anim, &from), 0.15625, 1e-9);
    assert_int_equal(from, 0);
    app_tick(s, 50);               // half way: smoothstep(0.5) = 0.5
    assert_float_equal(anim_glide(&s->conv.anim, &from), 0.5, 1e-9);
    app_tick(s, 0);                // no time passes (a still picture): settled
    assert_float_equal(anim_glide(&s->conv.anim, &from), 1, 1e-9);
    assert_int_equal(from, 1);
    app_tick(s, 150);              // past 200 ms
    assert_float_equal(anim_glide(&s->conv.anim, &from), 1, 1e-9);
    // The top speed: no glide at all.
    while (s->conv.anim.speed < app_speed_count() - 1) act_(s, ACT_FASTER, 0);
    act_(s, ACT_STEP_FORWARD, 0);
    app_tick(s, 1);
    assert_float_equal(anim_glide(&s->conv.anim, &from), 1, 1e-9);
    assert_int_equal(from, 2);
}

// ---- Layout: readable cells ------------------------------------------------------------------------

static int fake_width_(void *ctx, const char *t, int px, bool mono) {
    (void)ctx, (void)mono;
    return (int)strlen(t) * px * 6 / 10;
}

// At 1920x1080 and 1280x720, zoom 100 and 150: every grid the view draws
// with values (input, kernel, bias, output) has cells of at least
// l.min_cell (2 * min_px); a 28x28 digit keeps a close-up of its window at
// that size beside a picture of the whole.
static void check_cells_(app_state *s, bool large) {
    static const int sizes[][2] = {{1920, 1080}, {1280, 720}};
    for (int i = 0; i < 2; i++)
        for (int zoom = 100; zoom <= 150; zoom += 50) {
            s->zoom = zoom;
            static ui_layout l;
            const ui_metrics m = {fake_width_, NULL};
            layout_compute(&l, s, sizes[i][0], sizes[i][1], &m);
            int readable_inputs = 0, kernels = 0;
            for (int g = 0; g < l.n_grids; g++) {
                const ui_grid *gr = &l.grids[g];
                if (gr->id == GRID_KERNEL || gr->id == GRID_BIAS) {
                    assert_true(gr->cell >= l.min_cell);
                    kernels += gr->id == GRID_KERNEL;
                }
                if (gr->id == GRID_INPUT && gr->cell >= l.min_cell) readable_inputs++;
                if (gr->id == GRID_INPUT && !large) assert_true(gr->cell >= l.min_cell);
            }
            assert_int_equal(kernels, 1);
            assert_int_equal(readable_inputs, 1);
        }
    s->zoom = 100;
}

static void test_layout_cells_readable(void **st) {
    app_state *s = *st;
    check_cells_(s, false);
    // A 28x28 input: 28 * 40 px would not fit 1080 px; a picture and a close-up.
    act_(s, ACT_SET_SIZE, 28);
    assert_int_equal(s->conv.setup.n_h, 28);
    check_cells_(s, true);
}

// A lesson's long narration leaves a short main area (at 1920x1080 zoom 150
// the type's floor is 20 * 1080/1080 * 150/100 = 30 px, so l.min_cell = 60;
// at 1280x720 zoom 150 20 * 720/1080 * 3/2 = 20 px, so 40): the whole 5x5
// input padded to 7x7 (7 * 60 = 420 px plus its title) cannot fit beside the
// text, so the view shows close-ups around the window rather than cells
// under l.min_cell. Every grid and the legend stay inside the main area, the
// kernel and bias keep readable cells, and the input and the output each
// have one grid (whole or close-up) with readable cells.
static const char SHORT_MAIN_LESSON[] =
    "title A long step\n"
    "view conv\n"
    "padding 1\n"
    "say word word word word word word word word word word word word word word word word word word word word "
    "word word word word word word word word word word word word word word word word word word word word "
    "word word word word word word word word word word word word word word word word word word word word "
    "word word word word word word word word word word word word word word word word word word word word\n"
    "wait\n";

static bool inside_main_(ui_rect r, ui_rect m) {
    return r.x >= m.x && r.y >= m.y && r.x + r.w <= m.x + m.w && r.y + r.h <= m.y + m.h;
}

static void test_layout_short_main_area_closeups(void **st) {
    app_state *s = *st;
    static lesson ls;
    char err[300];
    assert_true(lesson_parse(&ls, SHORT_MAIN_LESSON, "short.lesson", err, sizeof err));
    act_(s, ACT_SET_PADDING, 1);
    static const int sizes[][3] = {{1920, 1080, 60}, {1280, 720, 40}};
    for (int i = 0; i < 2; i++) {
        s->view = VIEW_CONV;
        s->zoom = 150;
        s->player.l = &ls;
        s->player.n_cmds = ls.n;
        s->player.n_beats = 1;
        static ui_layout l;
        const ui_metrics m = {fake_width_, NULL};
        layout_compute(&l, s, sizes[i][0], sizes[i][1], &m);
        assert_int_equal(l.min_cell, sizes[i][2]);
        int readable[GRID_OUTPUT + 1] = {0};
        for (int g = 0; g < l.n_grids; g++) {
            const ui_grid *gr = &l.grids[g];
            assert_true(inside_main_(gr->r, l.main));
            if (gr->id == GRID_KERNEL || gr->id == GRID_BIAS) assert_true(gr->cell >= l.min_cell);
            if (gr->cell >= l.min_cell && gr->id <= GRID_OUTPUT) readable[gr->id]++;
        }
        assert_int_equal(readable[GRID_INPUT], 1);
        assert_int_equal(readable[GRID_OUTPUT], 1);
        if (l.legend.w > 0) assert_true(inside_main_(l.legend, l.main));
    }
    s->player.l = NULL;
    s->zoom = 100;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_links_input_to_outputs_by_hand),
        cmocka_unit_test(test_links_taps_by_hand),
        cmocka_unit_test(test_links_dilation_skips_by_hand),
        cmocka_unit_test_setup_teardown(test_shift_right_adds_one_product, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_window_glides, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_layout_cells_readable, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_layout_short_main_area_closeups, setup_, teardown_),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
