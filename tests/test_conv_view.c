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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anim.h"
#include "keys.h"
#include "layout.h"
#include "lesson.h"
#include "lesson_play.h"
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

// An earlier lessons/02 at 1280x720, zoom 200 (a 640x360 room): the floor is
// 20 * 720/1080 * 200/100 = 26.7, so 27 px and l.min_cell = 54. A step as
// long as its quiz leaves a main area ~300 px high, and the whole
// panel would leave it ~770 px wide: 5x5 input, 3x3 kernel and output would
// get 11 px cells. With the set-up locked the panel gives its width to the
// view: a strip of the stepping buttons, each readable (4/3 of 27 = 36 px
// high, its label 0.6 * 27 px a character plus 6 px across), in the strip,
// none over another. Every grid then shows values at 54 px or more, or is a
// picture beside a readable close-up of the same data; and no grid's heading
// (bold: 0.66 * small_px a character, small_px * 6/5 high, drawn
// small_px * 3/2 above the grid) overlaps another's. The same for lesson 02's
// 28x28 digit padded "same" (a picture and a close-up of input and output).
static bool overlap_(ui_rect a, ui_rect b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static const char QUIZ_LESSON[] =
    "title What a convolution is\n"
    "view conv\n"
    "say The window sits in the top-left corner. The nine products add up to *12*: the first cell of the output.\n"
    "quiz cell 0 0 What is the value of the first output cell? answer 12\n"
    "wait\n";

static void test_lesson_zoom200_panel_gives_width(void **st) {
    app_state *s = *st;
    static lesson ls;
    char err[300];
    assert_true(lesson_parse(&ls, QUIZ_LESSON, "quiz.lesson", err, sizeof err));
    for (int setup = 0; setup < 2; setup++) {
        if (setup == 1) {  // lesson 02: a 28x28 input, padding same
            act_(s, ACT_SET_SIZE, 28);
            act_(s, ACT_SET_PADDING, -2);
        }
        s->view = VIEW_CONV;
        s->zoom = 200;
        s->player.l = &ls;
        s->player.n_cmds = ls.n;
        s->player.n_beats = 1;
        // The step as the player shows it: its caption and its quiz waiting.
        snprintf(s->player.caption, sizeof s->player.caption, "%s",
                 "The window sits in the top-left corner. The nine products add up to *12*: the first cell of the "
                 "output.");
        s->player.quiz_open = true;
        snprintf(s->player.quiz_question, sizeof s->player.quiz_question, "%s",
                 "What is the value of the first output cell?");
        snprintf(s->player.quiz_answer, sizeof s->player.quiz_answer, "12");
        static ui_layout l;
        const ui_metrics m = {fake_width_, NULL};
        layout_compute(&l, s, 1280, 720, &m);
        assert_int_equal(l.min_px, 27);
        assert_int_equal(l.min_cell, 54);
        assert_true(l.main.h < 5 * 54 + 54);  // too short for the 5x5 input whole and its heading
        // The panel: the stepping buttons only, readable, in it, apart.
        static const app_action_kind steps[] = {ACT_RESTART, ACT_STEP_BACK, ACT_PLAY_PAUSE, ACT_STEP_FORWARD,
                                                ACT_TO_END, ACT_SLOWER, ACT_FASTER};
        for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
            int found = 0;
            for (int i = 0; i < l.n_buttons; i++) {
                const ui_button *b = &l.buttons[i];
                if (b->action.kind != steps[k]) continue;
                found++;
                assert_true(inside_main_(b->r, l.panel));
                assert_true(b->r.h >= 36);
                assert_true(b->r.w - 6 >= (int)(0.6 * 27 * (double)strlen(b->label) + 0.5));
                for (int j = 0; j < l.n_buttons; j++)
                    if (j != i) assert_false(overlap_(b->r, l.buttons[j].r));
            }
            assert_int_equal(found, 1);
        }
        for (int i = 0; i < l.n_buttons; i++)
            if (inside_main_(l.buttons[i].r, l.panel)) assert_false(keys_changes_setup(l.buttons[i].action.kind));
        // Every grid readable, or a picture beside its readable close-up.
        int headings = 0;
        ui_rect head[LAYOUT_MAX_GRIDS];
        for (int g = 0; g < l.n_grids; g++) {
            const ui_grid *gr = &l.grids[g];
            assert_true(inside_main_(gr->r, l.main));
            bool ok = gr->cell >= 54;
            for (int o = 0; o < l.n_grids && !ok; o++) {
                const ui_grid *c = &l.grids[o];
                ok = o != g && c->id == gr->id && c->channel == gr->channel && c->rows < gr->rows && c->cell >= 54;
            }
            if (!ok) fail_msg("set-up %d: grid '%s' has %d px cells and no readable close-up", setup, gr->title, gr->cell);
            if (gr->id == GRID_KERNEL || gr->id == GRID_BIAS) assert_true(gr->cell >= 54);
            if (!gr->title[0]) continue;
            const int px = l.small_px;
            head[headings++] = (ui_rect){gr->r.x, gr->r.y - px * 3 / 2,
                                         (int)(0.6 * px * (double)strlen(gr->title) * 1.1 + 0.5), px * 6 / 5};
        }
        for (int a = 0; a < headings; a++)
            for (int b = 0; b < a; b++)
                if (overlap_(head[a], head[b]))
                    fail_msg("set-up %d: headings %d and %d overlap", setup, a, b);
        assert_true(l.main.w >= 1280 - 200);  // the panel kept at most a strip
    }
    s->player.l = NULL;
    s->player.quiz_open = false;
    s->zoom = 100;
    lesson_free(&ls);
}

// A channels lesson and a dilation lesson (earlier versions of lessons/06 and
// lessons/x1: fixtures with long captions, kept as they were) at 1280x720,
// zoom 200 (l.min_cell = 54, as above),
// played as the window plays them.
static const char CHANNELS_LESSON[] =
    "title Several channels, several filters, and counting parameters\n"
    "view conv\n"
    "input 1 0 2; 3 1 0; 0 2 1 | 2 1 0; 0 1 3; 1 0 2\n"
    "kernel 1 0; 0 1 | 0 1; 1 0\n"
    "bias 1\n"
    "step 1\n"
    "say A colour image has several *channels* (red, green, blue). A filter then has one kernel per channel: "
    "each kernel slides over its own channel, and all the products are added together, with one *bias*.\n"
    "wait\n"
    "step end\n"
    "say So a filter of 2 channels of 2x2 has 2 x 2 x 2 = 8 weights and 1 bias: 9 parameters.\n"
    "wait\n"
    "say A layer of 10 filters of 5x5 on a 32x32 colour image has 10 x (5 x 5 x 3 + 1) = *760* parameters, "
    "however large the image is.\n"
    "wait\n"
    "say LeNet-5 on 28x28 digits has 61,706 parameters in all; almost all of them are in its dense layers, not "
    "its convolutions.\n";

static const char DILATION_LESSON[] =
    "title Dilation: a wider view with the same weights\n"
    "view conv\n"
    "input 1 0 2 1 0 1 2; 0 1 1 0 2 1 0; 2 1 0 1 1 0 1; 1 0 1 2 0 1 0; 0 2 1 0 1 2 1; 1 1 0 1 0 1 2; "
    "2 0 1 1 2 0 1\n"
    "kernel 1 0 1; 0 1 0; 1 0 1\n"
    "dilation 2\n"
    "step 1\n"
    "say With *dilation 2* the kernel's nine taps are spread out with one cell between them: the window covers "
    "5x5 but still has nine weights.\n"
    "wait\n"
    "step end\n"
    "say The formula counts the dilated size d(f - 1) + 1 = 5 for f: floor((7 - 5)/1) + 1 = 3.\n"
    "quiz size How big is the output? answer 3x3\n";

// Lays out beat `beat` (0-based) of a lesson at 1280x720, zoom 200.
static void lesson_layout_(app_state *s, lesson *ls, const char *text, int beat, ui_layout *l) {
    char err[300];
    assert_true(lesson_parse(ls, text, "t.lesson", err, sizeof err));
    lesson_start(s, NULL, ls, NULL);
    for (int i = 0; i < beat; i++) assert_true(lesson_next(s, NULL, NULL));
    assert_int_equal(s->player.beat, beat);
    // 'step end' slides the window there: let it arrive.
    for (int i = 0; i < 1000 && s->conv.anim.playing; i++) app_tick(s, 100);
    s->zoom = 200;
    const ui_metrics m = {fake_width_, NULL};
    layout_compute(l, s, 1280, 720, &m);
    assert_int_equal(l->min_cell, 54);
}

// No two of the grids, their headings (as test_lesson_zoom200_panel_gives_width
// measures them) and the legend overlap; all are inside the main area; the
// legend is there when `legend`.
static void check_apart_(const ui_layout *l, bool legend) {
    ui_rect box[2 * LAYOUT_MAX_GRIDS + 1];
    int n = 0;
    for (int g = 0; g < l->n_grids; g++) {
        const ui_grid *gr = &l->grids[g];
        const int px = l->small_px;
        box[n++] = gr->r;
        box[n++] = (ui_rect){gr->r.x, gr->r.y - px * 3 / 2, (int)(0.6 * px * (double)strlen(gr->title) * 1.1 + 0.5),
                             px * 6 / 5};
    }
    if (legend) assert_true(l->legend.w > 0 && l->legend.h > 0);  // every colour named
    if (l->legend.w > 0) box[n++] = l->legend;
    for (int a = 0; a < n; a++) {
        assert_true(inside_main_(box[a], l->main));
        for (int b = 0; b < a; b++)
            if (overlap_(box[a], box[b])) fail_msg("boxes %d and %d overlap", a, b);
    }
}

// The channels lesson: two 3x3 channels, 2x2 kernels, a 2x2 output. Stacked (two
// inputs of 3 x 54 px, each with its heading and colour bar) or in columns
// of input above kernel (3 + 2 rows of 54 px, two headings, two bars), the
// channels are taller than the ~300 px left under the narration; side by
// side in one row they fit: every channel's input and kernel whole with
// cells of 54 px or more (no close-up needed for 3x3), the bias and the
// output too, each kernel right of its own input, all on one row, and the
// legend shown.
static void test_lesson05_channels_in_a_row(void **st) {
    app_state *s = *st;
    static lesson ls;
    static ui_layout l;
    for (int beat = 0; beat < 4; beat++) {
        lesson_layout_(s, &ls, CHANNELS_LESSON, beat, &l);
        assert_true(l.main.h < 2 * 3 * 54 + 2 * 48);  // two inputs stacked do not fit
        int inputs = 0, kernels = 0, outputs = 0, biases = 0, top = -1;
        int input_x[2] = {0}, kernel_x[2] = {0};
        for (int g = 0; g < l.n_grids; g++) {
            const ui_grid *gr = &l.grids[g];
            assert_true(gr->cell >= 54);
            if (top < 0) top = gr->r.y;
            assert_int_equal(gr->r.y, top);  // one row
            if (gr->id == GRID_INPUT) {
                assert_int_equal(gr->rows, 3);
                assert_int_equal(gr->cols, 3);
                input_x[gr->channel] = gr->r.x;
                inputs++;
            }
            if (gr->id == GRID_KERNEL) kernel_x[gr->channel] = gr->r.x, kernels++;
            outputs += gr->id == GRID_OUTPUT;
            biases += gr->id == GRID_BIAS;
        }
        assert_int_equal(inputs, 2);
        assert_int_equal(kernels, 2);
        assert_int_equal(outputs, 1);
        assert_int_equal(biases, 1);
        assert_true(input_x[0] < kernel_x[0] && kernel_x[0] < input_x[1] && input_x[1] < kernel_x[1]);
        check_apart_(&l, true);
        lesson_free(&ls);
    }
    s->zoom = 100;
}

// The dilation lesson: a 7x7 input, a 3x3 kernel, dilation 2: the window spans
// (3 - 1) * 2 + 1 = 5 cells, 5 x 54 = 270 px and a heading, more than the
// grid area. The close-up shows the taps alone: 3 x 3 cells of 54 px or
// more, each 2 data rows and columns from the next, thin bands between them
// (so the spacing shows), from the window's corner. At the last cell,
// output (2, 2), the window's corner is input (2, 2): the taps are rows and
// columns 2, 4 and 6. A click on the middle tap of the last row reads input
// (6, 4); a click on a band reads nothing. The first step, short, lets the
// narration give up the lines the quiz's step needs (the view asked).
static void test_lesson11_dilated_closeup_taps(void **st) {
    app_state *s = *st;
    static lesson ls;
    static ui_layout l;
    int narration_h[2];
    for (int beat = 0; beat < 2; beat++) {
        lesson_layout_(s, &ls, DILATION_LESSON, beat, &l);
        narration_h[beat] = l.narration.h;
        if (beat == 0) {
            // The view asked for room: the narration holds this step's caption
            // (131 characters without the stars, 0.6 em each, on lines of
            // narration_text.w) in the lesson's type, not the quiz step's five lines.
            assert_true(l.narration_short);
            const int px = l.narration_px, chars = 131;
            const int lines = (int)(chars * 0.6 * px / l.narration_text.w) + 1;
            assert_true(l.narration_text.h >= lines * (px * 5 / 4));
        }
        // The whole window's close-up, its heading and the input's colour bar
        // (10 + 32 + 10 px: line_h_(27) = 32) do not fit the grid area.
        assert_true(l.main.h - 2 * l.pad < 5 * 54 + l.small_px * 3 / 2 + 52);
        const ui_grid *taps = NULL;
        for (int g = 0; g < l.n_grids; g++) {
            const ui_grid *gr = &l.grids[g];
            if (gr->id == GRID_INPUT && gr->cell >= 54) taps = gr;
            if (gr->id != GRID_INPUT && gr->cell < 54) fail_msg("beat %d: grid %s has %d px cells (main %dx%d)", beat, gr->title, gr->cell, l.main.w, l.main.h);
        }
        assert_non_null(taps);
        assert_int_equal(taps->rows, 3);
        assert_int_equal(taps->cols, 3);
        assert_int_equal(taps->step, 2);
        assert_true(taps->gap >= 4);
        const int corner = beat == 0 ? 0 : 2;  // output (0, 0) at step 1, (2, 2) at step end
        assert_int_equal(taps->row0, corner);
        assert_int_equal(taps->col0, corner);
        const int pitch = taps->cell + taps->gap;
        assert_int_equal(taps->r.w, 3 * taps->cell + 2 * taps->gap);
        // The middle tap of the last row, and the band left of it.
        const int cx = taps->r.x + pitch + taps->cell / 2, cy = taps->r.y + 2 * pitch + taps->cell / 2;
        app_action a = layout_hit(&l, cx, cy);
        assert_int_equal(a.kind, ACT_SELECT_CELL);
        assert_int_equal(a.cell.grid, GRID_INPUT);
        assert_int_equal(a.cell.row, corner + 4);
        assert_int_equal(a.cell.col, corner + 2);
        a = layout_hit(&l, taps->r.x + taps->cell + taps->gap / 2, cy);
        assert_int_equal(a.kind, ACT_NONE);
        ui_rect q;
        assert_false(ui_grid_cell(taps, corner + 1, corner, &q));  // skipped: not drawn
        assert_true(ui_grid_cell(taps, corner + 2, corner + 4, &q));
        assert_int_equal(q.x, taps->r.x + 2 * pitch);
        assert_int_equal(q.y, taps->r.y + pitch);
        // The legend too, beside the short first step; the quiz's step (five
        // lines of narration at the fake font's 0.6 em) leaves the grids alone room.
        check_apart_(&l, beat == 0);
        lesson_free(&ls);
    }
    assert_true(narration_h[0] < narration_h[1]);
    s->zoom = 100;
}

// A lesson's 'point' at an output cell of a large map: the close-ups show
// that cell wherever the animation is. A 24x24 input and a 3x3 kernel give a
// 22x22 map; after 'step end' the animation is at (21, 21); pointed at (3, 4),
// the output's close-up holds (3, 4) and not (21, 21), and the input's holds
// the window's top-left input (3, 4) (valid padding: input row = output row).
static bool holds_(const ui_grid *g, int r, int c) {
    return g->row0 <= r && r < g->row0 + g->rows && g->col0 <= c && c < g->col0 + g->cols;
}

static void test_point_focuses_closeups(void **st) {
    app_state *s = *st;
    static char text[4000];
    int n = snprintf(text, sizeof text, "title P\nview conv\ninput ");
    for (int r = 0; r < 24; r++)
        for (int c = 0; c < 24; c++)
            n += snprintf(text + n, sizeof text - (size_t)n, "%d%s", (r * 7 + c * 3) % 10, c < 23 ? " " : r < 23 ? "; " : "\n");
    snprintf(text + n, sizeof text - (size_t)n, "kernel 1 0 -1; 2 0 -2; 1 0 -1\nstep end\nwait\npoint output 3 4\nsay here\n");
    lesson ls;
    char err[300];
    assert_true(lesson_parse(&ls, text, "p.lesson", err, sizeof err));
    lesson_start(s, NULL, &ls, NULL);
    for (int i = 0; i < 1000 && s->conv.anim.playing; i++) app_tick(s, 100);
    static ui_layout l;
    const ui_metrics m = {fake_width_, NULL};
    for (int beat = 0; beat < 2; beat++) {
        if (beat == 1) assert_true(lesson_next(s, NULL, NULL));
        layout_compute(&l, s, 1280, 720, &m);
        const ui_grid *out_close = NULL, *in_close = NULL;
        for (int g = 0; g < l.n_grids; g++) {
            const ui_grid *gr = &l.grids[g];
            if (gr->id == GRID_OUTPUT && gr->rows < 22) out_close = gr;
            if (gr->id == GRID_INPUT && gr->rows < 24) in_close = gr;
        }
        assert_non_null(out_close);  // a 22x22 map at 1280x720 is a picture and its close-up
        assert_non_null(in_close);
        assert_int_equal(s->conv.anim.pos, 22 * 22 - 1);
        if (beat == 0) {
            assert_true(holds_(out_close, 21, 21));
            assert_false(holds_(out_close, 3, 4));
        } else {
            assert_true(holds_(out_close, 3, 4));
            assert_false(holds_(out_close, 21, 21));
            assert_true(holds_(in_close, 3, 4) && holds_(in_close, 5, 6));
        }
    }
    lesson_close(s);
    lesson_free(&ls);
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
        cmocka_unit_test_setup_teardown(test_lesson_zoom200_panel_gives_width, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_lesson05_channels_in_a_row, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_lesson11_dilated_closeup_taps, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_point_focuses_closeups, setup_, teardown_),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
