// test_state.c - the views' state (app/state.c) and layout (app/layout.c),
// driven through app_update / app_tick exactly as the window drives them, with
// no display and no SDL.
//
// Every expected number is worked out here, independently of the program:
//   - the slide example by hand: input [[3,3,2,1,0],[0,0,1,3,1],[3,1,2,2,3],
//     [2,0,0,2,2],[2,0,0,0,1]], kernel [[0,1,2],[2,2,0],[0,1,2]] gives
//     [[12,12,17],[10,17,19],[9,6,14]];
//   - a small pooling example by hand (see test_pool_hand_example);
//   - everything else by the plain-loop references below (ref_conv_, ref_pool_),
//     which build the zero-padded image explicitly and find the window
//     positions by sliding, and by the textbook formula
//     out = floor((n + 2p - d(f-1) - 1)/s) + 1 written out in the test.
//
// Build (from the repository root), all on one line:
//   gcc -std=c11 -g -fsanitize=address,undefined -D_POSIX_C_SOURCE=200809L -Inn -Iapp
//       tests/test_state.c build/app/libapp_core.a build/nn/libnn.a -lcmocka -lz -lm -lpthread
// Run with CMOCKA_MESSAGE_OUTPUT=TAP for TAP.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "layout.h"
#include "modelfile.h"
#include "runtime.h"
#include "state.h"
#include "update.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

// ---- The slide example -----------------------------------------------------------------

static const float SLIDE_IMAGE[5][5] = {
    {3, 3, 2, 1, 0}, {0, 0, 1, 3, 1}, {3, 1, 2, 2, 3}, {2, 0, 0, 2, 2}, {2, 0, 0, 0, 1},
};
static const float SLIDE_KERNEL[3][3] = {{0, 1, 2}, {2, 2, 0}, {0, 1, 2}};
static const float SLIDE_MAP[3][3] = {{12, 12, 17}, {10, 17, 19}, {9, 6, 14}};  // by hand

// ---- Small helpers -----------------------------------------------------------------------

// A fresh state for every test (on the heap, so ASan sees overruns).
static int setup_(void **st) {
    app_state *s = calloc(1, sizeof *s);
    if (!s) return -1;
    app_state_init(s);
    *st = s;
    return 0;
}

static int teardown_(void **st) {
    free(*st);
    return 0;
}

static void act_(app_state *s, app_action_kind kind, int value) {
    app_action a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    a.value = value;
    app_update(s, &a);
}

static void act_rc_(app_state *s, app_action_kind kind, int row, int col) {
    app_action a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    a.row = row;
    a.col = col;
    app_update(s, &a);
}

static void select_cell_(app_state *s, grid_id grid, int channel, int row, int col) {
    app_action a;
    memset(&a, 0, sizeof a);
    a.kind = ACT_SELECT_CELL;
    a.cell.grid = grid;
    a.cell.channel = channel;
    a.cell.row = row;
    a.cell.col = col;
    app_update(s, &a);
}

static void type_(app_state *s, const char *text) {
    for (const char *p = text; *p; p++) {
        app_action a;
        memset(&a, 0, sizeof a);
        a.kind = ACT_TYPE_CHAR;
        a.ch = *p;
        app_update(s, &a);
    }
}

static bool same_bits_(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

// The textbook formula, written out: floor((n + p_lo + p_hi - d(f-1) - 1)/s) + 1,
// or 0 when the (dilated) kernel does not fit.
static int out_size_(int n, int f, int p_lo, int p_hi, int s, int d) {
    const int top = n + p_lo + p_hi - d * (f - 1) - 1;
    if (top < 0) return 0;
    return top / s + 1;
}

// TensorFlow's 'same': ceil(n/s) outputs, just enough zeros for the last
// window, the odd one at the end.
static void same_padding_(int n, int f, int s, int d, int *lo, int *hi) {
    const int out = (n + s - 1) / s;
    const int span = d * (f - 1) + 1;
    int total = (out - 1) * s + span - n;
    if (total < 0) total = 0;
    *lo = total / 2;
    *hi = total - total / 2;
}

// Window origins along one axis, found by sliding (not by the formula).
static int positions_(int padded, int span, int stride, int *found, int max) {
    int n = 0;
    for (int o = 0; o + span <= padded && n < max; o += stride) found[n++] = o;
    return n;
}

// Convolution of the state's conv set-up by plain loops over an explicitly
// zero-padded image. Returns false if no window fits; out is [oh][ow].
static bool ref_conv_(const conv_setup *c, int pt, int pb, int pl, int pr, float *out, int *oh,
                      int *ow) {
    const int ph = c->n_h + pt + pb, pw = c->n_w + pl + pr;
    static double padded[VIEW_MAX_C][VIEW_MAX_N + 64][VIEW_MAX_N + 64];
    memset(padded, 0, sizeof padded);
    for (int ch = 0; ch < c->channels; ch++)
        for (int y = 0; y < c->n_h; y++)
            for (int x = 0; x < c->n_w; x++) padded[ch][y + pt][x + pl] = c->input[ch][y][x];
    const int span = c->dilation * (c->k - 1) + 1;
    int ys[128], xs[128];
    const int ny = positions_(ph, span, c->stride, ys, 128);
    const int nx = positions_(pw, span, c->stride, xs, 128);
    *oh = ny;
    *ow = nx;
    if (ny == 0 || nx == 0) return false;
    for (int i = 0; i < ny; i++)
        for (int j = 0; j < nx; j++) {
            double acc = 0;
            for (int ch = 0; ch < c->channels; ch++)
                for (int ky = 0; ky < c->k; ky++)
                    for (int kx = 0; kx < c->k; kx++)
                        acc += padded[ch][ys[i] + ky * c->dilation][xs[j] + kx * c->dilation] *
                               (double)c->kernel[0][ch][ky][kx];
            out[i * nx + j] = (float)(acc + c->bias[0]);
        }
    return true;
}

// Max and average pooling by plain loops: padding never wins a max, and the
// average divides by the whole window (pads count as zeros).
static bool ref_pool_(const pool_setup *p, float *max_out, float *avg_out, int *oh, int *ow) {
    const int ph = p->n_h + 2 * p->pad, pw = p->n_w + 2 * p->pad;
    int ys[128], xs[128];
    const int ny = positions_(ph, p->size, p->stride, ys, 128);
    const int nx = positions_(pw, p->size, p->stride, xs, 128);
    *oh = ny;
    *ow = nx;
    if (ny == 0 || nx == 0) return false;
    for (int i = 0; i < ny; i++)
        for (int j = 0; j < nx; j++) {
            float sum = 0, best = -INFINITY;
            for (int wy = 0; wy < p->size; wy++)
                for (int wx = 0; wx < p->size; wx++) {
                    const int y = ys[i] + wy - p->pad, x = xs[j] + wx - p->pad;
                    if (y < 0 || x < 0 || y >= p->n_h || x >= p->n_w) continue;
                    sum += p->input[y][x];
                    if (p->input[y][x] > best) best = p->input[y][x];
                }
            max_out[i * nx + j] = best;
            avg_out[i * nx + j] = sum / (float)(p->size * p->size);
        }
    return true;
}

// Fails with every differing cell listed, at the caller's line.
static void assert_map_near_(const float *got, const float *want, int n, double tol, const char *what,
                             const char *file, int line) {
    int bad = 0;
    for (int i = 0; i < n; i++) {
        const double d = fabs((double)got[i] - (double)want[i]);
        if (!(d <= tol * (1.0 + fabs((double)want[i])))) {
            if (bad < 6) print_error("%s[%d]: got %.9g, want %.9g\n", what, i, (double)got[i], (double)want[i]);
            bad++;
        }
    }
    if (bad) {
        print_error("%s: %d of %d cells differ\n", what, bad, n);
        _fail(file, line);
    }
}
#define assert_map_near(got, want, n, tol) assert_map_near_((got), (want), (n), (tol), #got, __FILE__, __LINE__)

// A check inside a loop over configurations: prints the configuration before failing.
#define expect_cfg(cond, ...)                                   \
    do {                                                        \
        if (!(cond)) {                                          \
            print_error(__VA_ARGS__);                           \
            print_error("  failed: %s\n", #cond);               \
            _fail(__FILE__, __LINE__);                          \
        }                                                       \
    } while (0)

static int conv_count_(const app_state *s) { return s->conv.geom.window; }

// ---- Initial state -------------------------------------------------------------------------

static void test_init_home_with_slide_example(void **st) {
    app_state *s = *st;
    assert_int_equal(s->view, VIEW_HOME);
    assert_int_equal(s->zoom, 100);
    assert_false(s->help);
    assert_false(s->editing);
    assert_int_equal(s->digit, -1);
    // The convolution view holds the slide example, already computed.
    assert_int_equal(s->conv.setup.n_h, 5);
    assert_int_equal(s->conv.setup.n_w, 5);
    assert_int_equal(s->conv.setup.k, 3);
    assert_int_equal(s->conv.setup.channels, 1);
    assert_int_equal(s->conv.setup.stride, 1);
    assert_int_equal(s->conv.setup.dilation, 1);
    assert_int_equal(s->conv.setup.padding.mode, NN_PAD_VALID);
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) assert_true(s->conv.setup.input[0][y][x] == SLIDE_IMAGE[y][x]);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) assert_true(s->conv.setup.kernel[0][0][y][x] == SLIDE_KERNEL[y][x]);
    assert_true(s->conv.ok);
    assert_int_equal(s->conv.geom.out_h, 3);
    assert_int_equal(s->conv.geom.out_w, 3);
    assert_map_near(s->conv.out, &SLIDE_MAP[0][0], 9, 0.0);
    // The animation waits at the first cell with nothing multiplied yet.
    assert_int_equal(s->conv.anim.total, 9);
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(s->conv.anim.reveal, 0);
    assert_false(s->conv.anim.playing);
    assert_int_equal(app_cells_done(&s->conv.anim, 9), 0);
    assert_true(s->conv.step.valid);
    assert_int_equal(s->conv.step.row, 0);
    assert_int_equal(s->conv.step.col, 0);
    // The pooling view: a 6x6 input, 2x2 windows, stride 2.
    assert_true(s->pool.ok);
    assert_int_equal(s->pool.setup.n_h, 6);
    assert_int_equal(s->pool.setup.size, 2);
    assert_int_equal(s->pool.setup.stride, 2);
    assert_int_equal(s->pool.anim.total, 9);
    // Nothing moves on the home screen.
    act_(s, ACT_STEP_FORWARD, 0);
    act_(s, ACT_PLAY_PAUSE, 0);
    app_tick(s, 10000);
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(s->conv.anim.reveal, 0);
    assert_false(s->conv.anim.playing);
    // Opening the view.
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    assert_int_equal(s->view, VIEW_CONV);
}

static void test_init_is_repeatable(void **st) {
    app_state *s = *st;
    app_state *t = calloc(1, sizeof *t);
    assert_non_null(t);
    app_state_init(t);
    assert_memory_equal(s->conv.setup.input, t->conv.setup.input, sizeof s->conv.setup.input);
    assert_memory_equal(s->pool.setup.input, t->pool.setup.input, sizeof s->pool.setup.input);
    assert_memory_equal(s->conv.out, t->conv.out, sizeof s->conv.out);
    assert_true(s->rng_state == t->rng_state);
    free(t);
}

// ---- Stepping --------------------------------------------------------------------------------

// The step record of slide cell (row, col), checked against the image and kernel.
static void check_slide_step_(const app_state *s, int row, int col) {
    const conv_step_view *v = &s->conv.step;
    assert_true(v->valid);
    assert_int_equal(v->filter, 0);
    assert_int_equal(v->row, row);
    assert_int_equal(v->col, col);
    assert_int_equal(v->origin_row, row);  // valid padding, stride 1
    assert_int_equal(v->origin_col, col);
    assert_int_equal(v->count, 9);
    float running = 0;
    for (int ky = 0; ky < 3; ky++)
        for (int kx = 0; kx < 3; kx++) {
            const int k = ky * 3 + kx;
            const float x = SLIDE_IMAGE[row + ky][col + kx], w = SLIDE_KERNEL[ky][kx];
            assert_int_equal(v->in_row[k], row + ky);
            assert_int_equal(v->in_col[k], col + kx);
            assert_int_equal(v->padded[k], 0);
            assert_true(v->window[k] == x);
            assert_true(v->weights[k] == w);
            assert_true(v->products[k] == x * w);
            running += x * w;  // small integers: exact in any order
            assert_true(v->running[k] == running);
        }
    assert_true(v->bias == 0.0f);
    assert_true(v->sum == SLIDE_MAP[row][col]);
    assert_true(same_bits_(v->sum, s->conv.out[row * 3 + col]));
}

static void test_step_forward_visits_every_cell_in_row_major_order(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    // First press: the first cell's products all appear.
    act_(s, ACT_STEP_FORWARD, 0);
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(s->conv.anim.reveal, 9);
    assert_int_equal(app_cells_done(&s->conv.anim, 9), 1);
    check_slide_step_(s, 0, 0);
    for (int i = 1; i < 9; i++) {
        act_(s, ACT_STEP_FORWARD, 0);
        assert_int_equal(s->conv.anim.pos, i);
        assert_int_equal(s->conv.anim.reveal, 9);
        assert_int_equal(app_cells_done(&s->conv.anim, 9), i + 1);
        check_slide_step_(s, i / 3, i % 3);
    }
    // At the end it stays.
    act_(s, ACT_STEP_FORWARD, 0);
    assert_int_equal(s->conv.anim.pos, 8);
    assert_int_equal(s->conv.anim.reveal, 9);
    assert_int_equal(app_cells_done(&s->conv.anim, 9), 9);
    check_slide_step_(s, 2, 2);
}

static void test_step_back_restart_to_end_jump(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    for (int i = 0; i < 5; i++) act_(s, ACT_STEP_FORWARD, 0);  // cell 4 shown whole
    assert_int_equal(s->conv.anim.pos, 4);
    act_(s, ACT_STEP_BACK, 0);
    assert_int_equal(s->conv.anim.pos, 3);
    assert_int_equal(s->conv.anim.reveal, 9);
    check_slide_step_(s, 1, 0);
    for (int i = 0; i < 3; i++) act_(s, ACT_STEP_BACK, 0);
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(s->conv.anim.reveal, 9);
    check_slide_step_(s, 0, 0);
    // Back from the first cell hides its products.
    act_(s, ACT_STEP_BACK, 0);
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(s->conv.anim.reveal, 0);
    assert_int_equal(app_cells_done(&s->conv.anim, 9), 0);
    act_(s, ACT_TO_END, 0);
    assert_int_equal(s->conv.anim.pos, 8);
    assert_int_equal(s->conv.anim.reveal, 9);
    check_slide_step_(s, 2, 2);
    act_(s, ACT_RESTART, 0);
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(s->conv.anim.reveal, 0);
    check_slide_step_(s, 0, 0);
    // Jumps land on the cell with everything shown; every cell in any order.
    static const int order[9][2] = {{1, 2}, {2, 0}, {0, 0}, {2, 2}, {0, 1}, {1, 1}, {0, 2}, {2, 1}, {1, 0}};
    for (size_t i = 0; i < COUNT_OF(order); i++) {
        act_rc_(s, ACT_JUMP_TO_OUTPUT, order[i][0], order[i][1]);
        assert_int_equal(s->conv.anim.pos, order[i][0] * 3 + order[i][1]);
        assert_int_equal(s->conv.anim.reveal, 9);
        check_slide_step_(s, order[i][0], order[i][1]);
    }
    // Cells outside the output are ignored.
    act_rc_(s, ACT_JUMP_TO_OUTPUT, 1, 1);
    act_rc_(s, ACT_JUMP_TO_OUTPUT, 3, 0);
    act_rc_(s, ACT_JUMP_TO_OUTPUT, 0, 3);
    act_rc_(s, ACT_JUMP_TO_OUTPUT, -1, 0);
    assert_int_equal(s->conv.anim.pos, 4);
    check_slide_step_(s, 1, 1);
    // Stepping stops play.
    act_(s, ACT_PLAY_PAUSE, 0);
    assert_true(s->conv.anim.playing);
    act_(s, ACT_STEP_BACK, 0);
    assert_false(s->conv.anim.playing);
    act_(s, ACT_PLAY_PAUSE, 0);
    act_(s, ACT_STEP_FORWARD, 0);
    assert_false(s->conv.anim.playing);
    act_(s, ACT_PLAY_PAUSE, 0);
    act_(s, ACT_TO_END, 0);
    assert_false(s->conv.anim.playing);
    act_(s, ACT_PLAY_PAUSE, 0);
    act_(s, ACT_RESTART, 0);
    assert_false(s->conv.anim.playing);
    act_(s, ACT_PLAY_PAUSE, 0);
    act_rc_(s, ACT_JUMP_TO_OUTPUT, 2, 2);
    assert_false(s->conv.anim.playing);
}

static void test_stepping_with_padding_stride_dilation_matches_reference(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_SET_SIZE, 7);
    act_(s, ACT_SET_PADDING, 1);
    act_(s, ACT_SET_STRIDE, 2);
    act_(s, ACT_SET_DILATION, 2);
    act_(s, ACT_SET_CHANNELS, 2);
    // n 7, p 1, d 2, f 3 (span 5), s 2: floor((7 + 2 - 4 - 1)/2) + 1 = 3
    assert_true(s->conv.ok);
    assert_int_equal(s->conv.geom.out_h, 3);
    assert_int_equal(s->conv.geom.out_w, 3);
    assert_int_equal(conv_count_(s), 18);
    float want[VIEW_MAX_OUT * VIEW_MAX_OUT];
    int oh, ow;
    assert_true(ref_conv_(&s->conv.setup, 1, 1, 1, 1, want, &oh, &ow));
    assert_int_equal(oh, 3);
    act_(s, ACT_STEP_FORWARD, 0);
    for (int i = 0; i < 9; i++) {
        if (i) act_(s, ACT_STEP_FORWARD, 0);
        const conv_step_view *v = &s->conv.step;
        const int row = i / 3, col = i % 3;
        assert_true(v->valid);
        assert_int_equal(v->row, row);
        assert_int_equal(v->col, col);
        assert_int_equal(v->origin_row, row * 2);  // in padded coordinates
        assert_int_equal(v->origin_col, col * 2);
        assert_int_equal(v->count, 18);
        for (int ch = 0; ch < 2; ch++)
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++) {
                    const int k = (ch * 3 + ky) * 3 + kx;
                    const int y = row * 2 - 1 + ky * 2, x = col * 2 - 1 + kx * 2;
                    const bool pad = y < 0 || x < 0 || y >= 7 || x >= 7;
                    assert_int_equal(v->in_row[k], y);
                    assert_int_equal(v->in_col[k], x);
                    assert_int_equal(v->padded[k], pad);
                    assert_true(v->window[k] == (pad ? 0.0f : s->conv.setup.input[ch][y][x]));
                    assert_true(v->weights[k] == s->conv.setup.kernel[0][ch][ky][kx]);
                    assert_true(v->products[k] == v->window[k] * v->weights[k]);
                }
        assert_float_equal(v->sum, want[i], 1e-4);
        assert_true(same_bits_(v->sum, s->conv.out[i]));
    }
}

// ---- Playing -------------------------------------------------------------------------------

static void test_play_slow_speeds_reveal_products_one_by_one(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    assert_int_equal(s->conv.anim.speed, 2);
    for (int speed = 0; speed < 3; speed++) {
        // Set the speed with the buttons.
        for (int i = 0; i < 10; i++) act_(s, ACT_SLOWER, 0);
        for (int i = 0; i < speed; i++) act_(s, ACT_FASTER, 0);
        assert_int_equal(s->conv.anim.speed, speed);
        act_(s, ACT_RESTART, 0);
        act_(s, ACT_PLAY_PAUSE, 0);
        assert_true(s->conv.anim.playing);
        // A cell's time is shared by its 9 products and its sum: 10 beats.
        const double cell_ms = 1000.0 / app_speed_value(speed);
        const double beat = cell_ms / 10;
        // Less than a beat moves nothing.
        app_tick(s, beat / 2);
        assert_int_equal(s->conv.anim.reveal, 0);
        app_tick(s, beat / 2);
        assert_int_equal(s->conv.anim.pos, 0);
        assert_int_equal(s->conv.anim.reveal, 1);
        for (int cell = 0; cell < 9; cell++) {
            for (int r = cell == 0 ? 2 : 1; r <= 9; r++) {
                app_tick(s, beat);
                expect_cfg(s->conv.anim.pos == cell && s->conv.anim.reveal == r,
                           "speed %d, cell %d, reveal %d: at pos %d reveal %d\n", speed, cell, r,
                           s->conv.anim.pos, s->conv.anim.reveal);
                assert_int_equal(app_cells_done(&s->conv.anim, 9), r == 9 ? cell + 1 : cell);
                assert_true(s->conv.anim.playing);
            }
            app_tick(s, beat);
            if (cell < 8) {
                expect_cfg(s->conv.anim.pos == cell + 1 && s->conv.anim.reveal == 0,
                           "speed %d: after cell %d at pos %d reveal %d\n", speed, cell, s->conv.anim.pos,
                           s->conv.anim.reveal);
                check_slide_step_(s, (cell + 1) / 3, (cell + 1) % 3);
            }
        }
        // The end: it stops there, everything shown.
        assert_false(s->conv.anim.playing);
        assert_int_equal(s->conv.anim.pos, 8);
        assert_int_equal(s->conv.anim.reveal, 9);
        app_tick(s, cell_ms * 10);
        assert_int_equal(s->conv.anim.pos, 8);
        assert_int_equal(s->conv.anim.reveal, 9);
    }
}

static void test_play_fast_speeds_move_a_cell_per_beat(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    for (int speed = 3; speed < app_speed_count(); speed++) {
        while (s->conv.anim.speed < speed) act_(s, ACT_FASTER, 0);
        assert_int_equal(s->conv.anim.speed, speed);
        act_(s, ACT_RESTART, 0);
        act_(s, ACT_STEP_FORWARD, 0);  // cell 0 shown whole
        act_(s, ACT_PLAY_PAUSE, 0);
        const double beat = 1000.0 / app_speed_value(speed);
        app_tick(s, beat * 0.5);
        assert_int_equal(s->conv.anim.pos, 0);
        for (int cell = 1; cell < 9; cell++) {
            app_tick(s, beat);
            expect_cfg(s->conv.anim.pos == cell && s->conv.anim.reveal == 9,
                       "speed %d: want cell %d whole, at pos %d reveal %d\n", speed, cell, s->conv.anim.pos,
                       s->conv.anim.reveal);
            assert_true(s->conv.anim.playing);
        }
        app_tick(s, beat);
        assert_false(s->conv.anim.playing);
        assert_int_equal(s->conv.anim.pos, 8);
        assert_int_equal(s->conv.anim.reveal, 9);
    }
    // One long tick at the top speed plays the whole way and stops.
    act_(s, ACT_RESTART, 0);
    act_(s, ACT_PLAY_PAUSE, 0);
    app_tick(s, 60000);
    assert_false(s->conv.anim.playing);
    assert_int_equal(s->conv.anim.pos, 8);
    assert_int_equal(s->conv.anim.reveal, 9);
    assert_int_equal(app_cells_done(&s->conv.anim, 9), 9);
}

// From the very start (nothing shown), one beat at a fast speed should finish
// exactly one cell, as one press of > does; cells are per second.
static void test_play_fast_first_beat_finishes_exactly_one_cell(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_FASTER, 0);  // speed 3: 4 cells a second
    assert_int_equal(s->conv.anim.speed, 3);
    const double beat = 1000.0 / app_speed_value(3);
    act_(s, ACT_PLAY_PAUSE, 0);
    app_tick(s, beat);
    print_message("# after one beat of %g ms at %g cells/s: pos %d reveal %d, %d cells done\n", beat,
                  app_speed_value(3), s->conv.anim.pos, s->conv.anim.reveal,
                  app_cells_done(&s->conv.anim, 9));
    assert_int_equal(app_cells_done(&s->conv.anim, 9), 1);
    // After 2 s at 4 cells/s: 8 cells done, not 9.
    app_tick(s, 7 * beat);
    assert_int_equal(app_cells_done(&s->conv.anim, 9), 8);
}

static void test_play_pause_and_restart_at_end(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_PLAY_PAUSE, 0);
    assert_true(s->conv.anim.playing);
    act_(s, ACT_PLAY_PAUSE, 0);
    assert_false(s->conv.anim.playing);
    app_tick(s, 100000);  // paused: nothing moves
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(s->conv.anim.reveal, 0);
    // Play at the end starts again from the beginning.
    act_(s, ACT_TO_END, 0);
    act_(s, ACT_PLAY_PAUSE, 0);
    assert_true(s->conv.anim.playing);
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(s->conv.anim.reveal, 0);
    // The pooling view has its own animation and speed.
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    assert_false(s->pool.anim.playing);
    app_tick(s, 100000);
    assert_int_equal(s->pool.anim.pos, 0);
    act_(s, ACT_FASTER, 0);
    assert_int_equal(s->pool.anim.speed, 3);
    assert_int_equal(s->conv.anim.speed, 2);
}

static void test_faster_slower_clamp(void **st) {
    app_state *s = *st;
    assert_true(app_speed_count() >= 4);
    for (int i = 1; i < app_speed_count(); i++) assert_true(app_speed_value(i) > app_speed_value(i - 1));
    assert_true(app_speed_value(-5) == app_speed_value(0));
    assert_true(app_speed_value(99) == app_speed_value(app_speed_count() - 1));
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    for (int i = 0; i < 20; i++) act_(s, ACT_SLOWER, 0);
    assert_int_equal(s->conv.anim.speed, 0);
    for (int i = 0; i < 20; i++) act_(s, ACT_FASTER, 0);
    assert_int_equal(s->conv.anim.speed, app_speed_count() - 1);
    act_(s, ACT_SLOWER, 0);
    assert_int_equal(s->conv.anim.speed, app_speed_count() - 2);
}

static void test_pool_play_slow(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    const int count = s->pool.max_geom.window;
    assert_int_equal(count, 4);
    const double beat = 1000.0 / app_speed_value(s->pool.anim.speed) / (count + 1);
    act_(s, ACT_PLAY_PAUSE, 0);
    for (int cell = 0; cell < 9; cell++) {
        for (int r = 1; r <= count; r++) {
            app_tick(s, beat);
            assert_int_equal(s->pool.anim.pos, cell);
            assert_int_equal(s->pool.anim.reveal, r);
        }
        app_tick(s, beat);
    }
    assert_false(s->pool.anim.playing);
    assert_int_equal(s->pool.anim.pos, 8);
    assert_int_equal(s->pool.anim.reveal, 4);
}

// ---- Settings: convolution ---------------------------------------------------------------------

static void test_conv_settings_follow_the_formula(void **st) {
    (void)st;
    static const int ns[] = {3, 5, 8, 32}, ks[] = {1, 2, 3, 5, 7}, ps[] = {-1, -2, 0, 1, 3},
                     ss[] = {1, 2, 4}, ds[] = {1, 3};
    app_state *s = calloc(1, sizeof *s);
    assert_non_null(s);
    static float want[VIEW_MAX_OUT * VIEW_MAX_OUT];
    int checked = 0, impossible = 0;
    for (size_t a = 0; a < COUNT_OF(ns); a++)
        for (size_t b = 0; b < COUNT_OF(ks); b++)
            for (size_t c = 0; c < COUNT_OF(ps); c++)
                for (size_t e = 0; e < COUNT_OF(ss); e++)
                    for (size_t g = 0; g < COUNT_OF(ds); g++) {
                        const int n = ns[a], k = ks[b], p = ps[c], str = ss[e], d = ds[g];
                        app_state_init(s);
                        act_(s, ACT_OPEN_VIEW, VIEW_CONV);
                        // A preset so the kernel is filled at every size (varied per case).
                        act_(s, ACT_PRESET, (int)((a + b + c + e + g) % PRESET_CUSTOM));
                        act_(s, ACT_SET_SIZE, n);
                        act_(s, ACT_SET_KERNEL, k);
                        act_(s, ACT_SET_PADDING, p);
                        act_(s, ACT_SET_STRIDE, str);
                        act_(s, ACT_SET_DILATION, d);
                        int lo = p > 0 ? p : 0, hi = lo;
                        if (p == -2) same_padding_(n, k, str, d, &lo, &hi);
                        const int out = out_size_(n, k, lo, hi, str, d);
                        const int span = d * (k - 1) + 1;
                        const bool ok = span <= n + lo + hi;
                        expect_cfg(s->conv.setup.n_h == n && s->conv.setup.k == k && s->conv.setup.stride == str &&
                                       s->conv.setup.dilation == d,
                                   "n %d k %d p %d s %d d %d: settings not applied\n", n, k, p, str, d);
                        expect_cfg(s->conv.ok == ok, "n %d k %d p %d s %d d %d: conv_ok %d, want %d (%s)\n", n,
                                   k, p, str, d, s->conv.ok, ok, s->conv.why);
                        if (!ok) {
                            impossible++;
                            expect_cfg(s->conv.why[0] != '\0', "n %d k %d: no reason given\n", n, k);
                            expect_cfg(s->conv.anim.total == 0 && !s->conv.step.valid,
                                       "n %d k %d: an impossible setting still animates\n", n, k);
                            continue;
                        }
                        expect_cfg(s->conv.geom.rows.pad_lo == lo && s->conv.geom.rows.pad_hi == hi &&
                                       s->conv.geom.cols.pad_lo == lo && s->conv.geom.cols.pad_hi == hi,
                                   "n %d k %d p %d s %d d %d: padding %d+%d, want %d+%d\n", n, k, p, str, d,
                                   s->conv.geom.rows.pad_lo, s->conv.geom.rows.pad_hi, lo, hi);
                        expect_cfg(s->conv.geom.out_h == out && s->conv.geom.out_w == out,
                                   "n %d k %d p %d s %d d %d: output %dx%d, want %d\n", n, k, p, str, d,
                                   s->conv.geom.out_h, s->conv.geom.out_w, out);
                        if (p == -2) expect_cfg(out == (n + str - 1) / str, "same: ceil(n/s)\n");
                        expect_cfg(s->conv.geom.rows.remainder == (n + lo + hi - span) % str,
                                   "n %d k %d p %d s %d d %d: remainder %d\n", n, k, p, str, d,
                                   s->conv.geom.rows.remainder);
                        expect_cfg(s->conv.anim.total == out * out && s->conv.anim.pos == 0 &&
                                       s->conv.anim.reveal == 0 && s->conv.step.valid,
                                   "n %d k %d p %d s %d d %d: animation not restarted\n", n, k, p, str, d);
                        int oh, ow;
                        assert_true(ref_conv_(&s->conv.setup, lo, hi, lo, hi, want, &oh, &ow));
                        expect_cfg(oh == out && ow == out, "the sliding reference disagrees with the formula\n");
                        for (int i = 0; i < out * out; i++)
                            expect_cfg(fabsf(s->conv.out[i] - want[i]) <= 1e-4f * (1 + fabsf(want[i])),
                                       "n %d k %d p %d s %d d %d: out[%d] = %g, want %g\n", n, k, p, str, d, i,
                                       (double)s->conv.out[i], (double)want[i]);
                        checked++;
                    }
    print_message("# %d possible settings checked against the reference, %d impossible\n", checked, impossible);
    assert_true(checked > 300);
    assert_true(impossible > 10);
    free(s);
}

static void test_conv_set_size_kernel_stride_dilation_clamp(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_SET_SIZE, 1);
    assert_int_equal(s->conv.setup.n_h, VIEW_MIN_N);
    assert_int_equal(s->conv.setup.n_w, VIEW_MIN_N);
    act_(s, ACT_SET_SIZE, 1000);
    assert_int_equal(s->conv.setup.n_h, VIEW_MAX_N);
    act_(s, ACT_SET_KERNEL, 0);
    assert_int_equal(s->conv.setup.k, 1);
    act_(s, ACT_SET_KERNEL, 9);
    assert_int_equal(s->conv.setup.k, VIEW_MAX_K);
    act_(s, ACT_SET_STRIDE, 0);
    assert_int_equal(s->conv.setup.stride, 1);
    act_(s, ACT_SET_STRIDE, 9);
    assert_int_equal(s->conv.setup.stride, 4);
    act_(s, ACT_SET_DILATION, 0);
    assert_int_equal(s->conv.setup.dilation, 1);
    act_(s, ACT_SET_DILATION, 9);
    assert_int_equal(s->conv.setup.dilation, 3);
    act_(s, ACT_SET_CHANNELS, 0);
    assert_int_equal(s->conv.setup.channels, 1);
    act_(s, ACT_SET_CHANNELS, 9);
    assert_int_equal(s->conv.setup.channels, VIEW_MAX_C);
    act_(s, ACT_SET_PADDING, 9);
    assert_int_equal(s->conv.setup.padding.mode, NN_PAD_EXPLICIT);
    assert_int_equal(s->conv.setup.padding.p, 3);
    // A setting change restarts the animation.
    act_(s, ACT_SET_SIZE, 8);
    act_(s, ACT_SET_KERNEL, 3);
    act_(s, ACT_SET_PADDING, -1);
    act_(s, ACT_SET_STRIDE, 1);
    act_(s, ACT_SET_DILATION, 1);
    act_(s, ACT_TO_END, 0);
    act_(s, ACT_SET_STRIDE, 2);
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(s->conv.anim.reveal, 0);
    // floor((8 - 3)/2) + 1 = 3, one row the window never reaches
    assert_int_equal(s->conv.geom.out_h, 3);
    assert_int_equal(s->conv.geom.rows.remainder, 1);
}

static void test_conv_padding_modes_and_cycle(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_SET_PADDING, -2);  // same
    assert_int_equal(s->conv.setup.padding.mode, NN_PAD_SAME);
    assert_int_equal(s->conv.geom.out_h, 5);
    assert_int_equal(s->conv.geom.rows.pad_lo, 1);
    assert_int_equal(s->conv.geom.rows.pad_hi, 1);
    act_(s, ACT_SET_KERNEL, 4);  // an even kernel: 3 zeros, the odd one at the end
    assert_int_equal(s->conv.geom.out_h, 5);
    assert_int_equal(s->conv.geom.rows.pad_lo, 1);
    assert_int_equal(s->conv.geom.rows.pad_hi, 2);
    act_(s, ACT_SET_KERNEL, 3);
    act_(s, ACT_SET_PADDING, 2);
    assert_int_equal(s->conv.geom.out_h, 7);  // 5 + 4 - 3 + 1
    act_(s, ACT_SET_PADDING, -1);
    assert_int_equal(s->conv.setup.padding.mode, NN_PAD_VALID);
    assert_int_equal(s->conv.geom.out_h, 3);
    assert_map_near(s->conv.out, &SLIDE_MAP[0][0], 9, 0.0);
    // P cycles valid -> same -> 1 -> 2 -> 3 -> valid.
    act_(s, ACT_CYCLE_PADDING, 0);
    assert_int_equal(s->conv.setup.padding.mode, NN_PAD_SAME);
    for (int p = 1; p <= 3; p++) {
        act_(s, ACT_CYCLE_PADDING, 0);
        assert_int_equal(s->conv.setup.padding.mode, NN_PAD_EXPLICIT);
        assert_int_equal(s->conv.setup.padding.p, p);
        assert_int_equal(s->conv.geom.out_h, 5 + 2 * p - 3 + 1);
    }
    act_(s, ACT_CYCLE_PADDING, 0);
    assert_int_equal(s->conv.setup.padding.mode, NN_PAD_VALID);
    // Explicit 0 counts as valid: the next is same.
    act_(s, ACT_SET_PADDING, 0);
    act_(s, ACT_CYCLE_PADDING, 0);
    assert_int_equal(s->conv.setup.padding.mode, NN_PAD_SAME);
}

static void test_conv_impossible_setting_explains_and_recovers(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_SET_SIZE, 3);
    act_(s, ACT_SET_KERNEL, 7);  // 7x7 on a 3x3 input, no padding
    assert_false(s->conv.ok);
    print_message("# reason: %s\n", s->conv.why);
    assert_non_null(strstr(s->conv.why, "kernel"));
    assert_non_null(strstr(s->conv.why, "7"));
    assert_non_null(strstr(s->conv.why, "3"));
    assert_int_equal(s->conv.anim.total, 0);
    assert_false(s->conv.step.valid);
    // Nothing to step or play, and nothing breaks.
    act_(s, ACT_STEP_FORWARD, 0);
    act_(s, ACT_STEP_BACK, 0);
    act_(s, ACT_TO_END, 0);
    act_rc_(s, ACT_JUMP_TO_OUTPUT, 0, 0);
    act_(s, ACT_PLAY_PAUSE, 0);
    assert_false(s->conv.anim.playing);
    app_tick(s, 10000);
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(app_cells_done(&s->conv.anim, 49), 0);
    // Padding 2 makes it fit: 3 + 4 = 7, one output.
    act_(s, ACT_SET_PADDING, 2);
    assert_true(s->conv.ok);
    assert_int_equal(s->conv.geom.out_h, 1);
    assert_int_equal(s->conv.anim.total, 1);
    assert_true(s->conv.step.valid);
    // Dilation can break it again (span 3*6+1 = 19 > 7), with numbers.
    act_(s, ACT_SET_DILATION, 3);
    assert_false(s->conv.ok);
    assert_non_null(strstr(s->conv.why, "19"));
    assert_non_null(strstr(s->conv.why, "7"));
    act_(s, ACT_SET_DILATION, 1);
    act_(s, ACT_SET_PADDING, -1);
    act_(s, ACT_SET_KERNEL, 3);
    act_(s, ACT_SET_SIZE, 5);
    assert_true(s->conv.ok);
    assert_int_equal(s->conv.geom.out_h, 3);
    assert_map_near(s->conv.out, &SLIDE_MAP[0][0], 9, 0.0);
    // app_set_conv reports the same.
    conv_setup c = s->conv.setup;
    c.k = 6;
    c.n_h = c.n_w = 4;
    assert_false(app_set_conv(s, &c));
    assert_false(s->conv.ok);
    c.k = 3;
    assert_true(app_set_conv(s, &c));
    assert_int_equal(s->conv.geom.out_h, 2);
}

static void test_conv_channels_sum_over_channels(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_SET_CHANNELS, 3);
    assert_int_equal(s->conv.setup.channels, 3);
    assert_int_equal(conv_count_(s), 27);
    float want[9];
    int oh, ow;
    assert_true(ref_conv_(&s->conv.setup, 0, 0, 0, 0, want, &oh, &ow));
    assert_map_near(s->conv.out, want, 9, 1e-6);
    // Channel 0 is the slide; the others add on top.
    float first = 0;
    for (int ky = 0; ky < 3; ky++)
        for (int kx = 0; kx < 3; kx++) first += SLIDE_IMAGE[ky][kx] * SLIDE_KERNEL[ky][kx];
    act_(s, ACT_STEP_FORWARD, 0);
    assert_true(s->conv.step.running[8] == first);
    assert_true(same_bits_(s->conv.step.sum, s->conv.out[0]));
    act_(s, ACT_SET_CHANNELS, 1);
    assert_map_near(s->conv.out, &SLIDE_MAP[0][0], 9, 0.0);
    // Channels belong to the convolution view only.
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    act_(s, ACT_SET_CHANNELS, 2);
    act_(s, ACT_SET_DILATION, 2);
    assert_int_equal(s->conv.setup.channels, 1);
    assert_int_equal(s->conv.setup.dilation, 1);
}

static void test_conv_presets(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_SET_CHANNELS, 2);
    act_(s, ACT_PRESET, PRESET_SOBEL_VERTICAL);
    static const float sobel[3][3] = {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}};
    assert_int_equal(s->conv.setup.preset[0], PRESET_SOBEL_VERTICAL);
    for (int ch = 0; ch < 2; ch++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++) assert_true(s->conv.setup.kernel[0][ch][y][x] == sobel[y][x]);
    float want[9];
    int oh, ow;
    assert_true(ref_conv_(&s->conv.setup, 0, 0, 0, 0, want, &oh, &ow));
    assert_map_near(s->conv.out, want, 9, 1e-6);
    // The identity copies the input's middle (one channel).
    act_(s, ACT_SET_CHANNELS, 1);
    act_(s, ACT_PRESET, PRESET_IDENTITY);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) assert_true(s->conv.out[y * 3 + x] == SLIDE_IMAGE[y + 1][x + 1]);
    // A preset follows the kernel size.
    act_(s, ACT_PRESET, PRESET_BOX_BLUR);
    act_(s, ACT_SET_KERNEL, 5);
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) assert_float_equal(s->conv.setup.kernel[0][0][y][x], 1.0f / 25, 1e-7);
    assert_float_equal(s->conv.out[0], (3 + 3 + 2 + 1 + 0 + 0 + 0 + 1 + 3 + 1 + 3 + 1 + 2 + 2 + 3 + 2 + 0 + 0 +
                                        2 + 2 + 2 + 0 + 0 + 0 + 1) / 25.0f, 1e-5);
    // "custom" is not a preset to pick, and out-of-range values are ignored.
    act_(s, ACT_PRESET, PRESET_CUSTOM);
    act_(s, ACT_PRESET, -1);
    act_(s, ACT_PRESET, 99);
    assert_int_equal(s->conv.setup.preset[0], PRESET_BOX_BLUR);
}

// ---- Settings: pooling ---------------------------------------------------------------------------

static void test_pool_hand_example(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    pool_setup p = s->pool.setup;
    static const float in[4][4] = {{1, 3, 2, 4}, {5, 6, 7, 8}, {3, 2, 1, 0}, {1, 2, 3, 4}};
    p.n_h = p.n_w = 4;
    p.size = 2;
    p.stride = 2;
    p.pad = 0;
    memset(p.input, 0, sizeof p.input);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) p.input[y][x] = in[y][x];
    assert_true(app_set_pool(s, &p));
    // By hand: max [[6,8],[3,4]]; average (1+3+5+6)/4 = 3.75, (2+4+7+8)/4 = 5.25, 8/4, 8/4.
    static const float max2[4] = {6, 8, 3, 4}, avg2[4] = {3.75f, 5.25f, 2, 2};
    assert_int_equal(s->pool.max_geom.out_h, 2);
    assert_map_near(s->pool.max_out, max2, 4, 0.0);
    assert_map_near(s->pool.avg_out, avg2, 4, 0.0);
    // Padding 1: out (4 + 2 - 2)/2 + 1 = 3. Corner (0,0) holds only input (0,0):
    // max 1, average 1/4; (1,1) holds 6 7 2 1: max 7, average 4; (2,2) only (3,3) = 4: 4, 1.
    act_(s, ACT_SET_PADDING, 1);
    assert_true(s->pool.ok);
    assert_int_equal(s->pool.max_geom.out_h, 3);
    assert_float_equal(s->pool.max_out[0], 1, 0);
    assert_float_equal(s->pool.avg_out[0], 0.25, 0);
    assert_float_equal(s->pool.max_out[4], 7, 0);
    assert_float_equal(s->pool.avg_out[4], 4, 0);
    assert_float_equal(s->pool.max_out[8], 4, 0);
    assert_float_equal(s->pool.avg_out[8], 1, 0);
    // The step record of the corner: one real cell, three pads.
    act_(s, ACT_STEP_FORWARD, 0);
    const pool_step_view *v = &s->pool.step;
    assert_true(v->valid);
    assert_int_equal(v->count, 4);
    assert_int_equal(v->padded[0] + v->padded[1] + v->padded[2] + v->padded[3], 3);
    assert_int_equal(v->padded[3], 0);
    assert_int_equal(v->in_row[0], -1);
    assert_int_equal(v->in_col[0], -1);
    assert_int_equal(v->argmax_row, 0);
    assert_int_equal(v->argmax_col, 0);
    assert_int_equal(v->divisor, 4);
    assert_float_equal(v->avg_sum, 1, 0);
    // Padding never wins a max: all negative input.
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) p.input[y][x] = -in[y][x] - 1;
    p.pad = 1;
    assert_true(app_set_pool(s, &p));
    assert_float_equal(s->pool.max_out[0], -2, 0);     // only input (0,0) = -2
    assert_float_equal(s->pool.avg_out[0], -0.5, 0);   // -2 / 4
    assert_float_equal(s->pool.max_out[4], -2, 0);     // max(-7, -8, -3, -2)
}

static void test_pool_settings_follow_the_formula(void **st) {
    (void)st;
    static const int ns[] = {3, 4, 6, 7, 32}, sizes[] = {1, 2, 3, 4, 7}, strides[] = {1, 2, 3},
                     pads[] = {0, 1, 2, 3};
    app_state *s = calloc(1, sizeof *s);
    assert_non_null(s);
    static float want_max[VIEW_MAX_OUT * VIEW_MAX_OUT], want_avg[VIEW_MAX_OUT * VIEW_MAX_OUT];
    int checked = 0, impossible = 0;
    for (size_t a = 0; a < COUNT_OF(ns); a++)
        for (size_t b = 0; b < COUNT_OF(sizes); b++)
            for (size_t c = 0; c < COUNT_OF(strides); c++)
                for (size_t e = 0; e < COUNT_OF(pads); e++) {
                    const int n = ns[a], f = sizes[b], str = strides[c], p = pads[e];
                    app_state_init(s);
                    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
                    act_(s, ACT_RANDOMISE, 0);
                    act_(s, ACT_SET_SIZE, n);
                    act_(s, b % 2 ? ACT_SET_POOL_SIZE : ACT_SET_KERNEL, f);  // K sets the window too
                    act_(s, ACT_SET_STRIDE, str);
                    act_(s, ACT_SET_PADDING, p);
                    const bool ok = 2 * p <= f && f <= n + 2 * p;
                    expect_cfg(s->pool.setup.size == f && s->pool.setup.stride == str && s->pool.setup.pad == p && s->pool.setup.n_h == n,
                               "n %d f %d s %d p %d: settings not applied\n", n, f, str, p);
                    expect_cfg(s->pool.ok == ok, "n %d f %d s %d p %d: pool_ok %d, want %d (%s)\n", n, f, str, p,
                               s->pool.ok, ok, s->pool.why);
                    if (!ok) {
                        impossible++;
                        expect_cfg(s->pool.why[0] && s->pool.anim.total == 0 && !s->pool.step.valid,
                                   "n %d f %d p %d: impossible but animates or says nothing\n", n, f, p);
                        continue;
                    }
                    const int out = out_size_(n, f, p, p, str, 1);
                    expect_cfg(s->pool.max_geom.out_h == out && s->pool.max_geom.out_w == out &&
                                   s->pool.avg_geom.out_h == out && s->pool.anim.total == out * out,
                               "n %d f %d s %d p %d: output %d, want %d\n", n, f, str, p, s->pool.max_geom.out_h,
                               out);
                    int oh, ow;
                    assert_true(ref_pool_(&s->pool.setup, want_max, want_avg, &oh, &ow));
                    expect_cfg(oh == out, "the sliding reference disagrees with the formula\n");
                    for (int i = 0; i < out * out; i++) {
                        expect_cfg(s->pool.max_out[i] == want_max[i], "n %d f %d s %d p %d: max[%d] = %g, want %g\n",
                                   n, f, str, p, i, (double)s->pool.max_out[i], (double)want_max[i]);
                        expect_cfg(fabsf(s->pool.avg_out[i] - want_avg[i]) <= 1e-5f,
                                   "n %d f %d s %d p %d: avg[%d] = %g, want %g\n", n, f, str, p, i,
                                   (double)s->pool.avg_out[i], (double)want_avg[i]);
                    }
                    checked++;
                }
    print_message("# %d possible pooling settings checked, %d impossible\n", checked, impossible);
    assert_true(checked > 150);
    assert_true(impossible > 20);
    free(s);
}

static void test_pool_impossible_padding_and_recovery(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    act_(s, ACT_SET_PADDING, 2);  // more than half of a 2x2 window
    assert_int_equal(s->pool.setup.pad, 2);
    assert_false(s->pool.ok);
    print_message("# reason: %s\n", s->pool.why);
    assert_non_null(strstr(s->pool.why, "2"));
    assert_non_null(strstr(s->pool.why, "half"));
    assert_int_equal(s->pool.anim.total, 0);
    act_(s, ACT_STEP_FORWARD, 0);
    act_(s, ACT_PLAY_PAUSE, 0);
    assert_false(s->pool.anim.playing);
    act_(s, ACT_SET_POOL_SIZE, 4);  // pad 2 is half of 4
    assert_true(s->pool.ok);
    // floor((6 + 4 - 4)/2) + 1 = 4
    assert_int_equal(s->pool.max_geom.out_h, 4);
    // A window larger than the input: 7x7 on 3x3 + 2*1.
    act_(s, ACT_SET_PADDING, 1);
    act_(s, ACT_SET_SIZE, 3);
    act_(s, ACT_SET_POOL_SIZE, 7);
    assert_false(s->pool.ok);
    print_message("# reason: %s\n", s->pool.why);
    assert_non_null(strstr(s->pool.why, "7"));
    assert_non_null(strstr(s->pool.why, "5"));
    act_(s, ACT_SET_POOL_SIZE, 5);
    assert_true(s->pool.ok);
    assert_int_equal(s->pool.max_geom.out_h, 1);
    // P cycles the pooling padding 0 -> 1 -> 2 -> 3 -> 0; same/valid mean 0.
    act_(s, ACT_SET_PADDING, 0);
    for (int p = 1; p <= 4; p++) {
        act_(s, ACT_CYCLE_PADDING, 0);
        assert_int_equal(s->pool.setup.pad, p % 4);
    }
    act_(s, ACT_SET_PADDING, 2);
    act_(s, ACT_SET_PADDING, -1);
    assert_int_equal(s->pool.setup.pad, 0);
    act_(s, ACT_SET_PADDING, 2);
    act_(s, ACT_SET_PADDING, -2);
    assert_int_equal(s->pool.setup.pad, 0);
    // The convolution view is untouched by all of this.
    assert_int_equal(s->conv.setup.n_h, 5);
    assert_int_equal(s->conv.setup.padding.mode, NN_PAD_VALID);
}

static void test_pool_step_records(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    act_(s, ACT_SET_PADDING, 1);
    act_(s, ACT_SET_SIZE, 5);
    act_(s, ACT_SET_STRIDE, 2);
    // floor((5 + 2 - 2)/2) + 1 = 3
    assert_int_equal(s->pool.max_geom.out_h, 3);
    act_(s, ACT_STEP_FORWARD, 0);
    for (int i = 0; i < 9; i++) {
        if (i) act_(s, ACT_STEP_FORWARD, 0);
        const pool_step_view *v = &s->pool.step;
        const int row = i / 3, col = i % 3;
        assert_true(v->valid);
        assert_int_equal(v->row, row);
        assert_int_equal(v->col, col);
        assert_int_equal(v->count, 4);
        float best = -INFINITY, sum = 0;
        for (int wy = 0; wy < 2; wy++)
            for (int wx = 0; wx < 2; wx++) {
                const int k = wy * 2 + wx, y = row * 2 - 1 + wy, x = col * 2 - 1 + wx;
                const bool pad = y < 0 || x < 0 || y >= 5 || x >= 5;
                assert_int_equal(v->in_row[k], y);
                assert_int_equal(v->in_col[k], x);
                assert_int_equal(v->padded[k], pad);
                assert_true(v->window[k] == (pad ? 0.0f : s->pool.setup.input[y][x]));
                if (!pad) {
                    best = fmaxf(best, s->pool.setup.input[y][x]);
                    sum += s->pool.setup.input[y][x];
                }
            }
        assert_true(v->max_value == best);
        assert_true(s->pool.setup.input[v->argmax_row][v->argmax_col] == best);
        assert_float_equal(v->avg_sum, sum, 1e-6);
        assert_int_equal(v->divisor, 4);
        assert_true(same_bits_(v->max_value, s->pool.max_out[i]));
        assert_true(same_bits_(v->avg_value, s->pool.avg_out[i]));
    }
    act_rc_(s, ACT_JUMP_TO_OUTPUT, 1, 2);
    assert_int_equal(s->pool.anim.pos, 5);
    assert_int_equal(s->pool.anim.reveal, 4);
    assert_int_equal(s->pool.step.row, 1);
    assert_int_equal(s->pool.step.col, 2);
}

// ---- Editing ------------------------------------------------------------------------------------

static void test_edit_input_cell(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    for (int i = 0; i < 4; i++) act_(s, ACT_STEP_FORWARD, 0);  // at cell 3
    select_cell_(s, GRID_INPUT, 0, 1, 1);
    assert_true(s->editing);
    assert_int_equal(s->selected.grid, GRID_INPUT);
    assert_int_equal(s->selected.row, 1);
    assert_int_equal(s->selected.col, 1);
    assert_string_equal(s->edit_text, "");
    type_(s, "7");
    assert_string_equal(s->edit_text, "7");
    act_(s, ACT_EDIT_COMMIT, 0);
    assert_false(s->editing);
    assert_true(s->conv.setup.input[0][1][1] == 7);
    // Input (1,1) sits under kernel (1,1) = 2 for output (0,0), (1,0) = 2 for
    // (0,1), (0,1) = 1 for (1,0) and (0,0) = 0 for (1,1): +14, +14, +7, +0.
    static const float want[9] = {12 + 14, 12 + 14, 17, 10 + 7, 17, 19, 9, 6, 14};
    assert_map_near(s->conv.out, want, 9, 0.0);
    // The animation stays on its cell, with the new numbers.
    assert_int_equal(s->conv.anim.pos, 3);
    assert_int_equal(s->conv.anim.reveal, 9);
    assert_true(s->conv.step.valid);
    assert_true(s->conv.step.sum == 17);
    assert_int_equal(s->conv.setup.preset[0], PRESET_CUSTOM);
}

static void test_edit_kernel_makes_preset_custom(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_PRESET, PRESET_IDENTITY);
    assert_int_equal(s->conv.setup.preset[0], PRESET_IDENTITY);
    select_cell_(s, GRID_KERNEL, 0, 0, 2);
    type_(s, "-1.5");
    assert_string_equal(s->edit_text, "-1.5");
    act_(s, ACT_EDIT_COMMIT, 0);
    assert_true(s->conv.setup.kernel[0][0][0][2] == -1.5f);
    assert_int_equal(s->conv.setup.preset[0], PRESET_CUSTOM);
    // out(y,x) = input(y+1,x+1) - 1.5 * input(y, x+2)
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++)
            assert_true(s->conv.out[y * 3 + x] == SLIDE_IMAGE[y + 1][x + 1] - 1.5f * SLIDE_IMAGE[y][x + 2]);
    // An asymmetric kernel through the reference too (orientation).
    float want[9];
    int oh, ow;
    assert_true(ref_conv_(&s->conv.setup, 0, 0, 0, 0, want, &oh, &ow));
    assert_map_near(s->conv.out, want, 9, 0.0);
}

static void test_edit_bias(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    select_cell_(s, GRID_BIAS, 0, 0, 0);
    type_(s, "2.5");
    act_(s, ACT_EDIT_COMMIT, 0);
    assert_true(s->conv.setup.bias[0] == 2.5f);
    for (int i = 0; i < 9; i++) assert_true(s->conv.out[i] == (&SLIDE_MAP[0][0])[i] + 2.5f);
    act_(s, ACT_STEP_FORWARD, 0);
    assert_true(s->conv.step.bias == 2.5f);
    assert_true(s->conv.step.sum == 14.5f);
    assert_true(s->conv.step.running[8] == 12.0f);
}

static void test_edit_rejects_non_numbers(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    static const char *bad[] = {"--", "-", ".", "e", "1-2", "1e", "", "1.2.3", "e5"};
    for (size_t i = 0; i < COUNT_OF(bad); i++) {
        s->status[0] = '\0';
        select_cell_(s, GRID_INPUT, 0, 2, 3);
        type_(s, bad[i]);
        assert_string_equal(s->edit_text, bad[i]);
        act_(s, ACT_EDIT_COMMIT, 0);
        expect_cfg(s->conv.setup.input[0][2][3] == 2, "'%s' changed the cell to %g\n", bad[i],
                   (double)s->conv.setup.input[0][2][3]);
        expect_cfg(strstr(s->status, "not a number") != NULL, "'%s': status '%s'\n", bad[i], s->status);
        assert_false(s->editing);
    }
    assert_map_near(s->conv.out, &SLIDE_MAP[0][0], 9, 0.0);
    // Letters and other keys are not typed at all; Backspace removes one.
    select_cell_(s, GRID_INPUT, 0, 2, 3);
    type_(s, "4x;a 2");
    assert_string_equal(s->edit_text, "42");
    act_(s, ACT_EDIT_BACKSPACE, 0);
    assert_string_equal(s->edit_text, "4");
    act_(s, ACT_EDIT_BACKSPACE, 0);
    act_(s, ACT_EDIT_BACKSPACE, 0);
    assert_string_equal(s->edit_text, "");
    // The text stops at the buffer's size.
    type_(s, "1234567890123456789012345678901234567890");
    assert_true(strlen(s->edit_text) < sizeof s->edit_text);
    assert_true(strlen(s->edit_text) >= 20);
    act_(s, ACT_EDIT_CANCEL, 0);
    // Exponents are numbers.
    select_cell_(s, GRID_INPUT, 0, 2, 3);
    type_(s, "1e2");
    act_(s, ACT_EDIT_COMMIT, 0);
    assert_true(s->conv.setup.input[0][2][3] == 100);
}

static void test_edit_cancel_and_implicit_commit(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    select_cell_(s, GRID_INPUT, 0, 0, 0);
    type_(s, "9");
    act_(s, ACT_EDIT_CANCEL, 0);
    assert_false(s->editing);
    assert_true(s->conv.setup.input[0][0][0] == 3);
    assert_map_near(s->conv.out, &SLIDE_MAP[0][0], 9, 0.0);
    // Typing without a selected cell does nothing.
    type_(s, "5");
    assert_false(s->editing);
    // Another action keeps what was typed (as Enter would).
    select_cell_(s, GRID_INPUT, 0, 0, 0);
    type_(s, "4");
    act_(s, ACT_STEP_FORWARD, 0);
    assert_false(s->editing);
    assert_true(s->conv.setup.input[0][0][0] == 4);
    assert_true(s->conv.out[0] == 12);  // kernel (0,0) is 0
    // Selecting another cell commits the first.
    select_cell_(s, GRID_INPUT, 0, 0, 1);
    type_(s, "0");
    select_cell_(s, GRID_INPUT, 0, 0, 2);
    assert_true(s->editing);
    assert_true(s->conv.setup.input[0][0][1] == 0);
    assert_true(s->conv.out[0] == 9);  // 12 - 3 x kernel (0,1) = 1
    act_(s, ACT_EDIT_CANCEL, 0);
}

static void test_select_output_cell_jumps(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    select_cell_(s, GRID_OUTPUT, 0, 2, 1);
    assert_false(s->editing);
    assert_int_equal(s->conv.anim.pos, 7);
    assert_int_equal(s->conv.anim.reveal, 9);
    check_slide_step_(s, 2, 1);
    // A click on nothing does nothing.
    select_cell_(s, GRID_NONE, 0, 0, 0);
    assert_false(s->editing);
    assert_int_equal(s->conv.anim.pos, 7);
    // The same in the pooling view, and its input is editable.
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    select_cell_(s, GRID_OUTPUT, 1, 1, 0);
    assert_int_equal(s->pool.anim.pos, 3);
    select_cell_(s, GRID_INPUT, 0, 0, 0);
    type_(s, "99");
    act_(s, ACT_EDIT_COMMIT, 0);
    assert_true(s->pool.setup.input[0][0] == 99);
    assert_true(s->pool.max_out[0] == 99);
    const float avg = (99 + s->pool.setup.input[0][1] + s->pool.setup.input[1][0] + s->pool.setup.input[1][1]) / 4;
    assert_float_equal(s->pool.avg_out[0], avg, 1e-5);
    assert_int_equal(s->pool.anim.pos, 3);  // kept
}

// ---- Presets ----------------------------------------------------------------------------------

static double kernel_sum_(float k[VIEW_MAX_K][VIEW_MAX_K]) {
    double t = 0;
    for (int y = 0; y < VIEW_MAX_K; y++)
        for (int x = 0; x < VIEW_MAX_K; x++) t += k[y][x];
    return t;
}

static void test_preset_kernels(void **st) {
    (void)st;
    float k[VIEW_MAX_K][VIEW_MAX_K];
    for (int size = 1; size <= VIEW_MAX_K; size++) {
        // Identity: one 1 in the middle ((size-1)/2 for even sizes).
        app_preset_kernel(PRESET_IDENTITY, size, k);
        for (int y = 0; y < VIEW_MAX_K; y++)
            for (int x = 0; x < VIEW_MAX_K; x++) {
                const float want = (y == (size - 1) / 2 && x == (size - 1) / 2) ? 1.0f : 0.0f;
                expect_cfg(k[y][x] == want, "identity %d: [%d][%d] = %g\n", size, y, x, (double)k[y][x]);
            }
        // Box blur: all equal, sums to 1; nothing outside the size.
        app_preset_kernel(PRESET_BOX_BLUR, size, k);
        expect_cfg(fabs(kernel_sum_(k) - 1) < 1e-5, "box blur %d sums to %g\n", size, kernel_sum_(k));
        for (int y = 0; y < VIEW_MAX_K; y++)
            for (int x = 0; x < VIEW_MAX_K; x++)
                expect_cfg(k[y][x] == (y < size && x < size ? 1.0f / (float)(size * size) : 0.0f),
                           "box blur %d: [%d][%d] = %g\n", size, y, x, (double)k[y][x]);
        // Gaussian: sums to 1, symmetric, largest in the middle, binomial rows.
        app_preset_kernel(PRESET_GAUSSIAN, size, k);
        expect_cfg(fabs(kernel_sum_(k) - 1) < 1e-5, "Gaussian %d sums to %g\n", size, kernel_sum_(k));
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                expect_cfg(k[y][x] > 0 && k[y][x] == k[x][y] && k[y][x] == k[size - 1 - y][size - 1 - x],
                           "Gaussian %d not symmetric at [%d][%d]\n", size, y, x);
                expect_cfg(k[y][x] <= k[(size - 1) / 2][(size - 1) / 2], "Gaussian %d peak\n", size);
            }
        // Every preset leaves the cells beyond the size at zero.
        for (int p = 0; p < PRESET_CUSTOM; p++) {
            app_preset_kernel((app_preset)p, size, k);
            for (int y = 0; y < VIEW_MAX_K; y++)
                for (int x = 0; x < VIEW_MAX_K; x++)
                    if (y >= size || x >= size)
                        expect_cfg(k[y][x] == 0, "%s %d: [%d][%d] = %g outside\n", app_preset_name((app_preset)p),
                                   size, y, x, (double)k[y][x]);
        }
    }
    // 3x3 values by hand.
    static const float gauss3[3][3] = {{1, 2, 1}, {2, 4, 2}, {1, 2, 1}};  // /16
    static const float sobel_v[3][3] = {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}};
    static const float sharpen[3][3] = {{0, -1, 0}, {-1, 5, -1}, {0, -1, 0}};
    static const float laplace[3][3] = {{0, 1, 0}, {1, -4, 1}, {0, 1, 0}};
    app_preset_kernel(PRESET_GAUSSIAN, 3, k);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) assert_true(k[y][x] == gauss3[y][x] / 16);
    app_preset_kernel(PRESET_GAUSSIAN, 5, k);
    static const float row5[5] = {1, 4, 6, 4, 1};  // /16 each way
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) assert_float_equal(k[y][x], row5[y] * row5[x] / 256, 1e-7);
    app_preset_kernel(PRESET_SOBEL_VERTICAL, 3, k);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) assert_true(k[y][x] == sobel_v[y][x]);
    app_preset_kernel(PRESET_SOBEL_HORIZONTAL, 3, k);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) assert_true(k[y][x] == sobel_v[x][y]);  // the transpose
    assert_true(kernel_sum_(k) == 0);
    app_preset_kernel(PRESET_SHARPEN, 3, k);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) assert_true(k[y][x] == sharpen[y][x]);
    app_preset_kernel(PRESET_LAPLACIAN, 3, k);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) assert_true(k[y][x] == laplace[y][x]);
    app_preset_kernel(PRESET_EMBOSS, 3, k);
    assert_true(kernel_sum_(k) == 1);
    // Larger sizes put the 3x3 in the middle: Sobel at 5x5.
    app_preset_kernel(PRESET_SOBEL_VERTICAL, 5, k);
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) {
            const bool mid = y >= 1 && y <= 3 && x >= 1 && x <= 3;
            assert_true(k[y][x] == (mid ? sobel_v[y - 1][x - 1] : 0.0f));
        }
    // Names.
    for (int p = 0; p < PRESET_COUNT; p++) {
        assert_true(strlen(app_preset_name((app_preset)p)) > 0);
        for (int q = 0; q < p; q++)
            assert_string_not_equal(app_preset_name((app_preset)p), app_preset_name((app_preset)q));
    }
    assert_string_equal(app_preset_name(PRESET_COUNT), "?");
    assert_string_equal(app_preset_name(PRESET_BOX_BLUR), "box blur");
}

// ---- Randomise and digits --------------------------------------------------------------------

static void test_randomise_is_deterministic(void **st) {
    app_state *s = *st;
    app_state *t = calloc(1, sizeof *t);
    assert_non_null(t);
    app_state_init(t);
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(t, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_RANDOMISE, 0);
    act_(t, ACT_RANDOMISE, 0);
    assert_memory_equal(s->conv.setup.input, t->conv.setup.input, sizeof s->conv.setup.input);
    assert_memory_equal(s->conv.out, t->conv.out, sizeof s->conv.out);
    int changed = 0;
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) {
            const float v = s->conv.setup.input[0][y][x];
            assert_true(v >= 0 && v <= 4 && v == floorf(v));
            changed += v != SLIDE_IMAGE[y][x];
        }
    assert_true(changed > 5);
    float want[9];
    int oh, ow;
    assert_true(ref_conv_(&s->conv.setup, 0, 0, 0, 0, want, &oh, &ow));
    assert_map_near(s->conv.out, want, 9, 0.0);
    assert_int_equal(s->conv.anim.pos, 0);
    assert_int_equal(s->conv.anim.reveal, 0);
    // A second press gives another input, still the same in both.
    float first[5][5];
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) first[y][x] = s->conv.setup.input[0][y][x];
    act_(s, ACT_RANDOMISE, 0);
    act_(t, ACT_RANDOMISE, 0);
    assert_memory_equal(s->conv.setup.input, t->conv.setup.input, sizeof s->conv.setup.input);
    int differ = 0;
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) differ += first[y][x] != s->conv.setup.input[0][y][x];
    assert_true(differ > 5);
    // Pooling: integers 0..9.
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    act_(t, ACT_OPEN_VIEW, VIEW_POOL);
    act_(s, ACT_RANDOMISE, 0);
    act_(t, ACT_RANDOMISE, 0);
    assert_memory_equal(s->pool.setup.input, t->pool.setup.input, sizeof s->pool.setup.input);
    for (int y = 0; y < 6; y++)
        for (int x = 0; x < 6; x++) assert_true(s->pool.setup.input[y][x] >= 0 && s->pool.setup.input[y][x] <= 9);
    free(t);
}

// Two fake 28x28 digits with known bytes.
static uint8_t fake_digits_[2][28][28];

static void make_fake_digits_(void) {
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++) {
            fake_digits_[0][y][x] = (uint8_t)((y * 28 + x) * 7 % 256);
            fake_digits_[1][y][x] = (uint8_t)(255 - (y * 9 + x * 5) % 256);
        }
}

// The value a pixel byte becomes: b/255 rounded to 2 decimals (never a tie).
static float digit_value_(uint8_t b) {
    const int hundredths = (b * 200 + 255) / 510;
    return (float)hundredths / 100.0f;
}

static void test_load_digit_centre_crop(void **st) {
    app_state *s = *st;
    make_fake_digits_();
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    // Without digits: a message and nothing changes.
    act_(s, ACT_LOAD_DIGIT, 0);
    assert_non_null(strstr(s->status, "no digits"));
    assert_int_equal(s->digit, -1);
    assert_map_near(s->conv.out, &SLIDE_MAP[0][0], 9, 0.0);
    app_set_digits(s, &fake_digits_[0][0][0], 2);
    act_(s, ACT_LOAD_DIGIT, 1);
    assert_int_equal(s->digit, 1);
    assert_non_null(strstr(s->status, "1"));
    // The whole digit: a 5x5 crop of it would be an unrecognisable patch
    // (issue 12), so the input grows to 28x28 and the status says so.
    assert_int_equal(s->conv.setup.n_h, 28);
    assert_int_equal(s->conv.setup.n_w, 28);
    assert_non_null(strstr(s->status, "28x28"));
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++) {
            const float want = digit_value_(fake_digits_[1][y][x]);
            expect_cfg(s->conv.setup.input[0][y][x] == want, "digit 1 (%d,%d): %g, want %g\n", y, x,
                       (double)s->conv.setup.input[0][y][x], (double)want);
            assert_true(want >= 0 && want <= 1);
        }
    static float want[28 * 28];
    int oh, ow;
    assert_true(ref_conv_(&s->conv.setup, 0, 0, 0, 0, want, &oh, &ow));
    assert_int_equal(oh, 26);  // 28 - 3 + 1 with the 3x3 kernel
    assert_map_near(s->conv.out, want, oh * ow, 1e-6);
    // -1 is the next one, wrapping; large indices wrap too.
    act_(s, ACT_LOAD_DIGIT, -1);
    assert_int_equal(s->digit, 0);
    assert_true(s->conv.setup.input[0][11][11] == digit_value_(fake_digits_[0][11][11]));
    act_(s, ACT_LOAD_DIGIT, 5);
    assert_int_equal(s->digit, 1);
    // A new size crops again around the middle: 10x10 from row 9.
    act_(s, ACT_SET_SIZE, 10);
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 10; x++) assert_true(s->conv.setup.input[0][y][x] == digit_value_(fake_digits_[1][y + 9][x + 9]));
    // Larger than the digit: zeros around it (32: offset -2).
    act_(s, ACT_SET_SIZE, 32);
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) {
            const int sy = y - 2, sx = x - 2;
            const float w = (sy < 0 || sx < 0 || sy >= 28 || sx >= 28) ? 0.0f : digit_value_(fake_digits_[1][sy][sx]);
            expect_cfg(s->conv.setup.input[0][y][x] == w, "32x32 (%d,%d): %g, want %g\n", y, x,
                       (double)s->conv.setup.input[0][y][x], (double)w);
        }
    // More channels all show the digit.
    act_(s, ACT_SET_SIZE, 5);
    act_(s, ACT_SET_CHANNELS, 3);
    for (int ch = 0; ch < 3; ch++) assert_true(s->conv.setup.input[ch][2][2] == digit_value_(fake_digits_[1][13][13]));
    // Editing the input forgets the digit.
    select_cell_(s, GRID_INPUT, 0, 0, 0);
    type_(s, "1");
    act_(s, ACT_EDIT_COMMIT, 0);
    assert_int_equal(s->digit, -1);
    // The pooling view: the whole 28x28 digit too.
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    act_(s, ACT_LOAD_DIGIT, 0);
    assert_int_equal(s->pool.setup.n_h, 28);
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++) assert_true(s->pool.setup.input[y][x] == digit_value_(fake_digits_[0][y][x]));
    static float wmax[28 * 28], wavg[28 * 28];
    assert_true(ref_pool_(&s->pool.setup, wmax, wavg, &oh, &ow));
    assert_true(oh * ow > 9);
    assert_map_near(s->pool.max_out, wmax, oh * ow, 0.0);
    assert_map_near(s->pool.avg_out, wavg, oh * ow, 1e-6);
    // Randomise forgets it.
    act_(s, ACT_RANDOMISE, 0);
    assert_int_equal(s->digit, -1);
}

// ---- Window-level actions ------------------------------------------------------------------------

static void test_home_zoom_help_palette_quit(void **st) {
    app_state *s = *st;
    // The home screen lists every view but itself and the unit view (the
    // network view opens it); the focus wraps around.
    const int entries = VIEW_COUNT - 2;
    assert_int_equal(s->home.focus, 0);
    act_(s, ACT_HOME_PREV, 0);
    assert_int_equal(s->home.focus, entries - 1);
    act_(s, ACT_HOME_NEXT, 0);
    assert_int_equal(s->home.focus, 0);
    for (int i = 1; i <= entries; i++) {
        act_(s, ACT_HOME_NEXT, 0);
        assert_int_equal(s->home.focus, i % entries);
    }
    act_(s, ACT_HOME_NEXT, 0);
    assert_int_equal(s->home.focus, 1);
    act_(s, ACT_HOME_ENTER, 0);
    assert_int_equal(s->view, VIEW_POOL);
    act_(s, ACT_HOME_ENTER, 0);  // only on the home screen
    assert_int_equal(s->view, VIEW_POOL);
    act_(s, ACT_HELP, 0);
    assert_true(s->help);
    act_(s, ACT_HOME, 0);
    assert_int_equal(s->view, VIEW_HOME);
    assert_false(s->help);
    act_(s, ACT_HOME_PREV, 0);
    act_(s, ACT_HOME_ENTER, 0);
    assert_int_equal(s->view, VIEW_CONV);
    act_(s, ACT_OPEN_VIEW, VIEW_HOME);  // not a view to open
    act_(s, ACT_OPEN_VIEW, VIEW_COUNT);
    act_(s, ACT_OPEN_VIEW, -1);
    assert_int_equal(s->view, VIEW_CONV);
    for (int i = 0; i < 40; i++) act_(s, ACT_ZOOM_IN, 0);
    assert_int_equal(s->zoom, 300);
    for (int i = 0; i < 40; i++) act_(s, ACT_ZOOM_OUT, 0);
    assert_int_equal(s->zoom, 50);
    act_(s, ACT_ZOOM_RESET, 0);
    assert_int_equal(s->zoom, 100);
    act_(s, ACT_PALETTE, 0);
    assert_true(s->colorblind);
    act_(s, ACT_PALETTE, 0);
    assert_false(s->colorblind);
    act_(s, ACT_FULLSCREEN, 0);
    assert_true(s->fullscreen);
    act_(s, ACT_NONE, 0);
    assert_false(s->quit);
    act_(s, ACT_QUIT, 0);
    assert_true(s->quit);
}

// ---- Layout --------------------------------------------------------------------------------------

// A fake font: 0.6 px per pixel of size per character.
static int fake_width_(void *ctx, const char *text, int px, bool mono) {
    (void)ctx;
    (void)mono;
    return (int)(0.6 * px * (double)strlen(text) + 0.5);
}

static bool overlap_(ui_rect a, ui_rect b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h && a.w > 0 && a.h > 0 &&
           b.w > 0 && b.h > 0;
}

static bool inside_(ui_rect a, ui_rect outer) {
    return a.x >= outer.x && a.y >= outer.y && a.x + a.w <= outer.x + outer.w && a.y + a.h <= outer.y + outer.h;
}

static const char *grid_name_(grid_id g) {
    return g == GRID_INPUT ? "input" : g == GRID_KERNEL ? "kernel" : g == GRID_OUTPUT ? "output"
                                     : g == GRID_BIAS ? "bias" : "none";
}

typedef struct layout_case {
    const char *name;
    app_view view;
    int w, h, zoom;
} layout_case;

// Checks the layout's rectangles and its hit test, listing every problem
// found before failing (so one run shows all of them).
// With grids_only, the buttons are not checked (only that grids keep clear of them).
static int check_layout_(const app_state *s, int w, int h, const char *name, bool grids_only) {
    static ui_layout l;
    const ui_metrics m = {fake_width_, NULL};
    layout_compute(&l, s, w, h, &m);
    const ui_rect win = {0, 0, w, h};
    int problems = 0;
#define PROBLEM(...)                                  \
    do {                                              \
        if (problems < 25) {                          \
            print_error("%s: ", name);                \
            print_error(__VA_ARGS__);                 \
        }                                             \
        problems++;                                   \
    } while (0)
    if (l.n_buttons == 0) PROBLEM("no buttons\n");
    for (int i = 0; i < (grids_only ? 0 : l.n_buttons); i++) {
        const ui_button *b = &l.buttons[i];
        if (b->r.w <= 0 || b->r.h <= 0) PROBLEM("button '%s' is empty\n", b->label);
        if (!inside_(b->r, win))
            PROBLEM("button '%s' at (%d,%d %dx%d) is outside the %dx%d window\n", b->label, b->r.x, b->r.y,
                    b->r.w, b->r.h, w, h);
        for (int j = 0; j < i; j++)
            if (overlap_(b->r, l.buttons[j].r))
                PROBLEM("buttons '%s' (%d,%d %dx%d) and '%s' (%d,%d %dx%d) overlap\n", b->label, b->r.x, b->r.y,
                        b->r.w, b->r.h, l.buttons[j].label, l.buttons[j].r.x, l.buttons[j].r.y, l.buttons[j].r.w,
                        l.buttons[j].r.h);
        // The hit test at its centre.
        const app_action a = layout_hit(&l, b->r.x + b->r.w / 2, b->r.y + b->r.h / 2);
        if (b->enabled) {
            if (a.kind != b->action.kind || a.value != b->action.value)
                PROBLEM("a click on '%s' gives action %d value %d, want %d value %d\n", b->label, a.kind, a.value,
                        b->action.kind, b->action.value);
        } else if (a.kind != ACT_NONE) {
            PROBLEM("a click on the disabled '%s' gives action %d\n", b->label, a.kind);
        }
    }
    for (int i = 0; i < l.n_grids; i++) {
        const ui_grid *g = &l.grids[i];
        if (g->cell <= 0 || g->r.w != g->cols * g->cell || g->r.h != g->rows * g->cell)
            PROBLEM("grid %s: %dx%d cells of %d px in %dx%d\n", grid_name_(g->id), g->rows, g->cols, g->cell,
                    g->r.w, g->r.h);
        if (!inside_(g->r, win))
            PROBLEM("grid %s %d (%d,%d %dx%d) is outside the window\n", grid_name_(g->id), g->channel, g->r.x,
                    g->r.y, g->r.w, g->r.h);
        if (s->view != VIEW_HOME && overlap_(g->r, l.panel))
            PROBLEM("grid %s %d (%d,%d %dx%d) overlaps the panel (%d,%d %dx%d)\n", grid_name_(g->id), g->channel,
                    g->r.x, g->r.y, g->r.w, g->r.h, l.panel.x, l.panel.y, l.panel.w, l.panel.h);
        for (int j = 0; j < i; j++)
            if (overlap_(g->r, l.grids[j].r))
                PROBLEM("grids %s %d and %s %d overlap\n", grid_name_(g->id), g->channel, grid_name_(l.grids[j].id),
                        l.grids[j].channel);
        for (int j = 0; j < l.n_buttons; j++)
            if (overlap_(g->r, l.buttons[j].r))
                PROBLEM("grid %s overlaps button '%s'\n", grid_name_(g->id), l.buttons[j].label);
        // Every drawn cell: data cells select themselves, padding cells nothing.
        for (int r = 0; r < g->rows; r++)
            for (int c = 0; c < g->cols; c++) {
                const int x = g->r.x + c * g->cell + g->cell / 2, y = g->r.y + r * g->cell + g->cell / 2;
                const app_action a = layout_hit(&l, x, y);
                const int dr = g->row0 + r, dc = g->col0 + c;
                const bool data = dr >= 0 && dc >= 0 && dr < g->data_rows && dc < g->data_cols;
                if (!data) {
                    if (a.kind != ACT_NONE) PROBLEM("padding cell (%d,%d) of %s gives action %d\n", dr, dc,
                                                    grid_name_(g->id), a.kind);
                } else if (a.kind != ACT_SELECT_CELL || a.cell.grid != g->id || a.cell.channel != g->channel ||
                           a.cell.row != dr || a.cell.col != dc) {
                    PROBLEM("cell (%d,%d) of %s %d gives action %d grid %d ch %d (%d,%d)\n", dr, dc,
                            grid_name_(g->id), g->channel, a.kind, a.cell.grid, a.cell.channel, a.cell.row,
                            a.cell.col);
                }
            }
    }
    // The output's colour scale sits in the main area, clear of the grids.
    if (s->view == VIEW_CONV && s->conv.ok) {
        if (l.legend.w <= 0 || !inside_(l.legend, l.main))
            PROBLEM("the legend (%d,%d %dx%d) is not inside the main area (%d,%d %dx%d)\n", l.legend.x, l.legend.y,
                    l.legend.w, l.legend.h, l.main.x, l.main.y, l.main.w, l.main.h);
        for (int i = 0; i < l.n_grids; i++)
            if (overlap_(l.legend, l.grids[i].r)) PROBLEM("the legend overlaps grid %s\n", grid_name_(l.grids[i].id));
    }
#undef PROBLEM
    return problems;
}

static void layout_case_(void **st, const layout_case *lc) {
    app_state *s = *st;
    if (lc->view != VIEW_HOME) act_(s, ACT_OPEN_VIEW, lc->view);
    while (s->zoom < lc->zoom) act_(s, ACT_ZOOM_IN, 0);
    assert_int_equal(s->zoom, lc->zoom);
    char name[96];
    snprintf(name, sizeof name, "%s %dx%d zoom %d", lc->name, lc->w, lc->h, lc->zoom);
    const int problems = check_layout_(s, lc->w, lc->h, name, false);
    if (problems) print_error("%s: %d layout problems\n", name, problems);
    assert_int_equal(problems, 0);
    // The home screen: one button per view.
    if (lc->view == VIEW_HOME) {
        static ui_layout l;
        const ui_metrics m = {fake_width_, NULL};
        layout_compute(&l, s, lc->w, lc->h, &m);
        assert_int_equal(l.n_buttons, VIEW_COUNT - 2);  // all but home and the unit view
        int seen[VIEW_COUNT] = {0};  // each view once, in the menu's order (not the enum's)
        for (int i = 0; i < l.n_buttons; i++) {
            assert_int_equal(l.buttons[i].action.kind, ACT_OPEN_VIEW);
            const int v = l.buttons[i].action.value;
            assert_true(v > VIEW_HOME && v < VIEW_COUNT && v != VIEW_UNIT);
            assert_int_equal(seen[v]++, 0);
        }
        assert_int_equal(l.buttons[0].action.value, VIEW_CONV);
        assert_int_equal(l.buttons[1].action.value, VIEW_POOL);
        assert_int_equal(l.n_grids, 0);
    }
}

#define LAYOUT_TEST(fn, view, w, h, zoom)                                  \
    static void fn(void **st) {                                            \
        static const layout_case lc = {#view, view, w, h, zoom};           \
        layout_case_(st, &lc);                                             \
    }
LAYOUT_TEST(test_layout_home_720_100, VIEW_HOME, 1280, 720, 100)
LAYOUT_TEST(test_layout_home_720_200, VIEW_HOME, 1280, 720, 200)
LAYOUT_TEST(test_layout_home_1080_100, VIEW_HOME, 1920, 1080, 100)
LAYOUT_TEST(test_layout_home_1080_200, VIEW_HOME, 1920, 1080, 200)
LAYOUT_TEST(test_layout_conv_720_100, VIEW_CONV, 1280, 720, 100)
LAYOUT_TEST(test_layout_conv_720_200, VIEW_CONV, 1280, 720, 200)
LAYOUT_TEST(test_layout_conv_1080_100, VIEW_CONV, 1920, 1080, 100)
LAYOUT_TEST(test_layout_conv_1080_200, VIEW_CONV, 1920, 1080, 200)
LAYOUT_TEST(test_layout_pool_720_100, VIEW_POOL, 1280, 720, 100)
LAYOUT_TEST(test_layout_pool_720_200, VIEW_POOL, 1280, 720, 200)
LAYOUT_TEST(test_layout_pool_1080_100, VIEW_POOL, 1920, 1080, 100)
LAYOUT_TEST(test_layout_pool_1080_200, VIEW_POOL, 1920, 1080, 200)

// The grids, with settings a teacher will try, at 100% and 200%: inside the
// window, apart from each other and the panel, and above the formula text.
static void test_layout_settings_variety(void **st) {
    app_state *s = *st;
    typedef struct {
        app_view view;
        int n, k, pad, stride, dilation, channels;
    } cfg;
    static const cfg cases[] = {
        {VIEW_CONV, 5, 3, -1, 1, 1, 1},  {VIEW_CONV, 7, 3, 1, 2, 1, 1}, {VIEW_CONV, 8, 5, 3, 1, 1, 2},
        {VIEW_CONV, 12, 3, -2, 1, 2, 3}, {VIEW_CONV, 32, 7, 3, 1, 1, 1}, {VIEW_CONV, 16, 3, 1, 1, 1, 3},
        {VIEW_CONV, 3, 7, -1, 1, 1, 1},  {VIEW_CONV, 32, 3, 3, 1, 1, 3}, {VIEW_CONV, 24, 5, -2, 1, 1, 3},
        {VIEW_POOL, 6, 2, 0, 2, 1, 1}, {VIEW_POOL, 7, 3, 1, 2, 1, 1},
        {VIEW_POOL, 32, 1, 0, 1, 1, 1},  {VIEW_POOL, 28, 2, 1, 1, 1, 1}, {VIEW_POOL, 3, 7, 0, 1, 1, 1},
    };
    int total = 0;
    static ui_layout l;
    const ui_metrics m = {fake_width_, NULL};
    for (size_t i = 0; i < COUNT_OF(cases); i++) {
        const cfg *c = &cases[i];
        app_state_init(s);
        act_(s, ACT_OPEN_VIEW, c->view);
        act_(s, ACT_SET_SIZE, c->n);
        act_(s, c->view == VIEW_POOL ? ACT_SET_POOL_SIZE : ACT_SET_KERNEL, c->k);
        act_(s, ACT_SET_PADDING, c->pad);
        act_(s, ACT_SET_STRIDE, c->stride);
        act_(s, ACT_SET_DILATION, c->dilation);
        act_(s, ACT_SET_CHANNELS, c->channels);
        // At 100% everything; at 200% the grids (the panel is checked by the tests above).
        for (int size = 0; size < 4; size++) {
            const int w = size % 2 ? 1920 : 1280, h = size % 2 ? 1080 : 720, zoom = size < 2 ? 100 : 200;
            s->zoom = zoom;
            char name[128];
            snprintf(name, sizeof name, "%s n %d k %d pad %d s %d d %d c %d at %dx%d zoom %d",
                     c->view == VIEW_POOL ? "pool" : "conv", c->n, c->k, c->pad, c->stride, c->dilation,
                     c->channels, w, h, zoom);
            int problems = check_layout_(s, w, h, name, zoom != 100);
            layout_compute(&l, s, w, h, &m);
            for (int g = 0; g < l.n_grids; g++) {
                const ui_grid *gr = &l.grids[g];
                if (!inside_(gr->r, l.main) || overlap_(gr->r, l.formula) || overlap_(gr->r, l.arithmetic)) {
                    if (problems < 25)
                        print_error("%s: grid %s %d (%d,%d %dx%d) leaves its area or covers the formula text "
                                    "(formula at y %d)\n", name, grid_name_(gr->id), gr->channel, gr->r.x, gr->r.y,
                                    gr->r.w, gr->r.h, l.formula.y);
                    problems++;
                }
            }
            total += problems;
        }
    }
    if (total) print_error("%d layout problems in all\n", total);
    assert_int_equal(total, 0);
}

static void test_layout_hit_padding_and_cells(void **st) {
    app_state *s = *st;
    static ui_layout l;
    const ui_metrics m = {fake_width_, NULL};
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_SET_PADDING, 2);
    layout_compute(&l, s, 1280, 720, &m);
    const ui_grid *in = NULL, *out = NULL, *ker = NULL, *bias = NULL;
    for (int i = 0; i < l.n_grids; i++) {
        if (l.grids[i].id == GRID_INPUT) in = &l.grids[i];
        if (l.grids[i].id == GRID_OUTPUT) out = &l.grids[i];
        if (l.grids[i].id == GRID_KERNEL) ker = &l.grids[i];
        if (l.grids[i].id == GRID_BIAS) bias = &l.grids[i];
    }
    assert_non_null(in);
    assert_non_null(out);
    assert_non_null(ker);
    assert_non_null(bias);
    assert_int_equal(in->rows, 9);  // 5 + 2 + 2
    assert_int_equal(in->row0, -2);
    assert_int_equal(out->rows, 7);
    const int c = in->cell;
    // Drawn (0,0) and (8,8) are padding: nothing; drawn (2,2) is data (0,0).
    app_action a = layout_hit(&l, in->r.x + c / 2, in->r.y + c / 2);
    assert_int_equal(a.kind, ACT_NONE);
    a = layout_hit(&l, in->r.x + 8 * c + c / 2, in->r.y + 8 * c + c / 2);
    assert_int_equal(a.kind, ACT_NONE);
    a = layout_hit(&l, in->r.x + 2 * c + 1, in->r.y + 2 * c + 1);
    assert_int_equal(a.kind, ACT_SELECT_CELL);
    assert_int_equal(a.cell.grid, GRID_INPUT);
    assert_int_equal(a.cell.row, 0);
    assert_int_equal(a.cell.col, 0);
    a = layout_hit(&l, in->r.x + 6 * c + c - 1, in->r.y + 3 * c + c - 1);  // drawn (3,6): data (1,4)
    assert_int_equal(a.cell.row, 1);
    assert_int_equal(a.cell.col, 4);
    // Output cell (5,6), then clicking it in the state jumps there.
    a = layout_hit(&l, out->r.x + 6 * c + c / 2, out->r.y + 5 * c + c / 2);
    assert_int_equal(a.kind, ACT_SELECT_CELL);
    assert_int_equal(a.cell.grid, GRID_OUTPUT);
    assert_int_equal(a.cell.row, 5);
    assert_int_equal(a.cell.col, 6);
    app_update(s, &a);
    assert_int_equal(s->conv.anim.pos, 5 * 7 + 6);
    // Kernel and bias cells.
    a = layout_hit(&l, ker->r.x + 2 * c + c / 2, ker->r.y + 1 * c + c / 2);
    assert_int_equal(a.cell.grid, GRID_KERNEL);
    assert_int_equal(a.cell.row, 1);
    assert_int_equal(a.cell.col, 2);
    a = layout_hit(&l, bias->r.x + c / 2, bias->r.y + c / 2);
    assert_int_equal(a.cell.grid, GRID_BIAS);
    // Outside everything.
    a = layout_hit(&l, l.main.x + 2, l.main.y + l.main.h - 2);
    assert_int_equal(a.kind, ACT_NONE);
    a = layout_hit(&l, -5, -5);
    assert_int_equal(a.kind, ACT_NONE);
    // Pooling with padding 1: both outputs and the input's ring.
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    act_(s, ACT_SET_PADDING, 1);
    layout_compute(&l, s, 1920, 1080, &m);
    int outputs = 0;
    for (int i = 0; i < l.n_grids; i++) {
        const ui_grid *g = &l.grids[i];
        if (g->id == GRID_INPUT) {
            assert_int_equal(g->rows, 8);
            a = layout_hit(&l, g->r.x + g->cell / 2, g->r.y + 3 * g->cell + g->cell / 2);  // drawn (3,0): padding
            assert_int_equal(a.kind, ACT_NONE);
            a = layout_hit(&l, g->r.x + g->cell + g->cell / 2, g->r.y + g->cell + g->cell / 2);  // data (0,0)
            assert_int_equal(a.kind, ACT_SELECT_CELL);
            assert_int_equal(a.cell.row, 0);
            assert_int_equal(a.cell.col, 0);
        }
        if (g->id == GRID_OUTPUT) {
            outputs++;
            assert_int_equal(g->rows, 4);  // floor((6 + 2 - 2)/2) + 1
            a = layout_hit(&l, g->r.x + 3 * g->cell + 1, g->r.y + 2 * g->cell + 1);
            assert_int_equal(a.cell.grid, GRID_OUTPUT);
            assert_int_equal(a.cell.channel, g->channel);
            assert_int_equal(a.cell.row, 2);
            assert_int_equal(a.cell.col, 3);
        }
    }
    assert_int_equal(outputs, 2);
    // An impossible setting: no output grid, still a valid layout.
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_SET_PADDING, -1);
    act_(s, ACT_SET_SIZE, 3);
    act_(s, ACT_SET_KERNEL, 7);
    assert_false(s->conv.ok);
    layout_compute(&l, s, 1280, 720, &m);
    for (int i = 0; i < l.n_grids; i++) assert_int_not_equal(l.grids[i].id, GRID_OUTPUT);
    assert_int_equal(check_layout_(s, 1280, 720, "conv impossible", false), 0);
}

// ---- Main ----------------------------------------------------------------------------------------

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_, teardown_)

// ---- Esc goes back where a view was opened from ------------------------------------------

// A live CNN (batch 1) whose first layer is a 5x5 convolution with 8 filters,
// and one test digit: clicking a cell of a first-layer map opens the
// convolution view on it; Esc then returns to the maps, and Esc again goes home.
static void test_esc_from_feature_window_returns_to_cnn(void **st) {
    app_state *s = *st;
    nn_net *net;
    nn_error e;
    assert_int_equal(nn_net_create(&net, "conv(8,5,pad=2),relu,maxpool(2),flatten,dense(10),softmax",
                                   nn_shape_map(1, 28, 28), 1, NULL, &e), NN_OK);
    static uint8_t digit[28 * 28];
    for (int i = 0; i < 28 * 28; i++) digit[i] = (uint8_t)(i % 251);
    app_set_digits(s, digit, 1);
    s->host.live_net = net;
    const app_action cnn = {.kind = ACT_OPEN_VIEW, .value = VIEW_CNN};
    app_update(s, &cnn);
    app_action click = {.kind = ACT_SELECT_CELL};
    click.cell.grid = GRID_FMAP;
    click.cell.channel = 2;
    click.cell.row = 3;
    click.cell.col = 4;
    app_update(s, &click);
    const int view_after_click = s->view;
    const app_action esc = {.kind = ACT_BACK}, home = {.kind = ACT_HOME};
    app_update(s, &esc);
    const int view_after_esc = s->view;
    app_update(s, &esc);
    const int view_after_second_esc = s->view;
    // Opened from home, the convolution view's Esc goes home.
    const app_action conv = {.kind = ACT_OPEN_VIEW, .value = VIEW_CONV};
    app_update(s, &conv);
    app_update(s, &esc);
    const int view_conv_esc = s->view;
    // The home button always goes home, even from a window opened from the maps.
    app_update(s, &cnn);
    app_update(s, &click);
    app_update(s, &home);
    const int view_home_button = s->view;
    // Esc with the help open closes only the help.
    app_update(s, &cnn);
    app_update(s, &click);
    const app_action help = {.kind = ACT_HELP};
    app_update(s, &help);
    app_update(s, &esc);
    const bool help_closed = !s->help && s->view == VIEW_CONV;
    s->host.live_net = NULL;
    nn_net_free(net);
    assert_int_equal(view_after_click, VIEW_CONV);
    assert_int_equal(view_after_esc, VIEW_CNN);
    assert_int_equal(view_after_second_esc, VIEW_HOME);
    assert_int_equal(view_conv_esc, VIEW_HOME);
    assert_int_equal(view_home_button, VIEW_HOME);
    assert_true(help_closed);
}

// ---- The lesson menu -------------------------------------------------------------------------

static char scratch_[64];

static void make_scratch_(void) {
    snprintf(scratch_, sizeof scratch_, "/tmp/convstep-state-XXXXXX");
    assert_non_null(mkdtemp(scratch_));
}

static void write_file_(const char *dir, const char *name, const char *text) {
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_scratch_(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch_);
    assert_int_equal(system(cmd), 0);
}

static int cmp_str_(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static app_runtime rt_;

// 40 good lessons and 3 broken ones, written in an order unlike the sorted
// one: the menu lists all 43 by file name, the broken ones with their
// file:line error and disabled; its pages show every lesson once, each row
// above the footer; opening a broken one says why.
static void test_lesson_menu_lists_all_sorted_with_errors(void **st) {
    app_state *s = *st;
    make_scratch_();
    enum { GOOD = 40, BROKEN = 3, ALL = GOOD + BROKEN };
    char *names[ALL];
    char text[200];
    for (int i = 0; i < GOOD; i++) {
        const int k = (i * 17) % GOOD;  // written out of order
        char name[64];
        snprintf(name, sizeof name, "lesson-%02d.lesson", k);
        snprintf(text, sizeof text, "title Lesson number %d\nview conv\nsay hello\n", k);
        write_file_(scratch_, name, text);
        names[i] = strdup(name);
    }
    // Broken: an unknown command on line 3, a bad view on line 2, no title line at all... each its own line.
    write_file_(scratch_, "b-unknown.lesson", "title Unknown\nview conv\nfrobnicate 3\n");
    write_file_(scratch_, "m-badview.lesson", "title Bad view\nview sideways\n");
    write_file_(scratch_, "z-badstride.lesson", "title Bad stride\nview conv\nsay ok\nstride 0\n");
    names[GOOD] = strdup("b-unknown.lesson");
    names[GOOD + 1] = strdup("m-badview.lesson");
    names[GOOD + 2] = strdup("z-badstride.lesson");
    write_file_(scratch_, "notes.txt", "not a lesson\n");
    qsort(names, ALL, sizeof names[0], cmp_str_);
    setenv("CONVSTEP_LESSONS", scratch_, 1);
    runtime_init(&rt_, s, NULL, NULL);
    unsetenv("CONVSTEP_LESSONS");
    assert_int_equal(s->host.n_lessons, ALL);
    assert_int_equal(s->host.lessons_unlisted, 0);
    int broken = 0;
    for (int i = 0; i < ALL; i++) {
        const lesson_entry *e = &s->host.lessons[i];
        assert_string_equal(e->name, names[i]);
        if (names[i][0] == 'l') {
            assert_string_equal(e->error, "");
            int k;
            assert_int_equal(sscanf(names[i], "lesson-%d", &k), 1);
            snprintf(text, sizeof text, "Lesson number %d", k);
            assert_string_equal(e->title, text);
        } else {
            broken++;
            char where[200];
            const int line = names[i][0] == 'b' ? 3 : names[i][0] == 'm' ? 2 : 4;
            snprintf(where, sizeof where, "%s:%d:", names[i], line);
            if (!strstr(e->error, where)) print_error("%s: error '%s' lacks '%s'\n", names[i], e->error, where);
            assert_non_null(strstr(e->error, where));
        }
    }
    assert_int_equal(broken, BROKEN);

    // The pages at 1280x720: every lesson on exactly one page, rows above the note and the footer.
    const ui_metrics m = {fake_width_, NULL};
    static ui_layout l;
    s->view = VIEW_LESSONS;
    int seen[ALL] = {0};
    int pages = 0;
    s->lesson_focus = 0;
    for (;;) {
        layout_compute(&l, s, 1280, 720, &m);
        pages++;
        assert_true(l.list_page >= 1);
        for (int b = 0; b < l.n_buttons; b++) {
            const ui_button *bt = &l.buttons[b];
            assert_true(bt->r.y + bt->r.h <= l.footer.y);
            // The page note's text never runs under the page buttons beside it.
            if (bt->action.kind == ACT_LESSON_FOCUS) assert_true(l.list_note.x + l.list_note.w <= bt->r.x);
            if (bt->action.kind != ACT_LESSON_OPEN) continue;
            const int i = bt->action.value;
            assert_true(i >= 0 && i < ALL);
            seen[i]++;
            assert_true(bt->r.y + bt->r.h <= l.list_note.y);
            assert_int_equal(bt->enabled, names[i][0] == 'l');
        }
        if (l.list_first + l.list_page >= ALL) break;
        const app_action pgdn = {.kind = ACT_LESSON_FOCUS, .value = l.list_first + l.list_page};
        app_update(s, &pgdn);
        assert_true(pages < 100);
    }
    for (int i = 0; i < ALL; i++) assert_int_equal(seen[i], 1);
    assert_true(pages >= 2);  // 43 rows do not fit in 720 pixels
    // Focus clamps at both ends.
    const app_action far = {.kind = ACT_LESSON_FOCUS, .value = 1000}, neg = {.kind = ACT_LESSON_FOCUS, .value = -5};
    app_update(s, &far);
    assert_int_equal(s->lesson_focus, ALL - 1);
    app_update(s, &neg);
    assert_int_equal(s->lesson_focus, 0);
    // Opening a broken lesson: its error in the status, nothing asked of the runner.
    int b0 = -1;
    for (int i = 0; i < ALL && b0 < 0; i++)
        if (names[i][0] != 'l') b0 = i;
    const app_action open = {.kind = ACT_LESSON_OPEN, .value = b0};
    s->status[0] = '\0';
    app_update(s, &open);
    assert_int_equal(s->effects.n, 0);
    assert_string_equal(s->status, s->host.lessons[b0].error);
    // A good one is asked for.
    const app_action open_good = {.kind = ACT_LESSON_OPEN, .value = ALL - 1 == b0 ? 0 : (names[0][0] == 'l' ? 0 : 3)};
    app_update(s, &open_good);
    assert_int_equal(s->effects.n, 1);
    assert_int_equal(s->effects.items[0].kind, EFFECT_OPEN_LESSON);
    assert_int_equal(s->effects.items[0].value, open_good.value);
    s->effects.n = 0;
    runtime_destroy(&rt_, s);
    for (int i = 0; i < ALL; i++) free(names[i]);
    remove_scratch_();
}

// More files than the menu lists: the first LESSON_MENU_MAX by name, the rest counted.
static void test_lesson_menu_caps_and_counts(void **st) {
    app_state *s = *st;
    make_scratch_();
    const int total = LESSON_MENU_MAX + 5;
    for (int i = total - 1; i >= 0; i--) {
        char name[64];
        snprintf(name, sizeof name, "x%04d.lesson", i);
        write_file_(scratch_, name, "title t\nview conv\n");
    }
    setenv("CONVSTEP_LESSONS", scratch_, 1);
    runtime_init(&rt_, s, NULL, NULL);
    unsetenv("CONVSTEP_LESSONS");
    assert_int_equal(s->host.n_lessons, LESSON_MENU_MAX);
    assert_int_equal(s->host.lessons_unlisted, 5);
    for (int i = 0; i < LESSON_MENU_MAX; i += 37) {
        char name[64];
        snprintf(name, sizeof name, "x%04d.lesson", i);
        assert_string_equal(s->host.lessons[i].name, name);
    }
    assert_string_equal(s->host.lessons[LESSON_MENU_MAX - 1].name, "x0499.lesson");
    runtime_destroy(&rt_, s);
    remove_scratch_();
}

// ---- The real reason a model is missing ---------------------------------------------------

// A corrupt assets/lenet5.model: the drawing says what is wrong with it, not
// that it was not found. (Without one in $CONVSTEP_ASSETS the program's own
// fallbacks find the source tree's, with nothing to say.)
static void test_shipped_model_errors_say_why(void **st) {
    app_state *s = *st;
    make_scratch_();
    write_file_(scratch_, "lenet5.model", "CONVSTEP-MODEL\ngarbage that is not a model\n");
    setenv("CONVSTEP_ASSETS", scratch_, 1);
    runtime_init(&rt_, s, NULL, NULL);
    char corrupt_why[400], corrupt_note[420];
    snprintf(corrupt_why, sizeof corrupt_why, "%s", s->host.draw_why);
    s->view = VIEW_DRAW;
    const app_action down = {.kind = ACT_PEN_DOWN, .fx = 50, .fy = 20}, move = {.kind = ACT_PEN_MOVE, .fx = 50, .fy = 90},
                     up = {.kind = ACT_PEN_UP};
    app_update(s, &down);
    app_update(s, &move);
    app_update(s, &up);
    snprintf(corrupt_note, sizeof corrupt_note, "%s", s->draw.note);
    const bool had_net = s->host.draw_net != NULL;
    runtime_destroy(&rt_, s);
    char path[200];
    snprintf(path, sizeof path, "%s/lenet5.model", scratch_);
    remove(path);
    app_state_init(s);
    runtime_init(&rt_, s, NULL, NULL);
    char missing_why[400];
    snprintf(missing_why, sizeof missing_why, "%s", s->host.draw_why);
    const bool fallback_net = s->host.draw_net != NULL;
    runtime_destroy(&rt_, s);
    unsetenv("CONVSTEP_ASSETS");
    remove_scratch_();
    print_message("# corrupt: %s\n# missing: %s\n", corrupt_why, missing_why);
    assert_false(had_net);
    assert_non_null(strstr(corrupt_why, "lenet5.model"));
    assert_null(strstr(corrupt_why, "not found"));
    assert_null(strstr(corrupt_why, "cannot find"));
    assert_string_equal(corrupt_note, corrupt_why);
    assert_true(fallback_net);
    assert_string_equal(missing_why, "");
}

// Loading a saved model for drawing: one with 300 classes is refused for its
// classes, one taking 32x32 pictures for its input, and a 10-class 28x28 one
// is taken.
static void test_load_model_names_the_real_mismatch(void **st) {
    app_state *s = *st;
    make_scratch_();
    setenv("CONVSTEP_MODELS", scratch_, 1);
    runtime_init(&rt_, s, NULL, NULL);
    const struct {
        const char *arch;
        int h;
        const char *says;
    } cases[] = {
        {"flatten,dense(300),softmax", 28, "has 300 classes; drawing needs 10"},
        {"flatten,dense(10),softmax", 32, "takes 32x32x1 inputs"},
        {"flatten,dense(10),softmax", 28, "drawing now uses"},
    };
    char status[COUNT_OF(cases)][600];
    for (size_t i = 0; i < COUNT_OF(cases); i++) {
        char path[200], err[400];
        snprintf(path, sizeof path, "%s/m%zu.model", scratch_, i);
        nn_net *net;
        nn_error e;
        assert_int_equal(nn_net_create(&net, cases[i].arch, nn_shape_map(1, cases[i].h, cases[i].h), 1, NULL, &e),
                         NN_OK);
        const bool saved = app_model_save(path, net, cases[i].arch, "test", err, sizeof err);
        nn_net_free(net);
        if (!saved) print_error("%s\n", err);
        assert_true(saved);
        // The newest is loaded: make this one the newest.
        struct timespec times[2] = {{.tv_sec = 1000000000 + (time_t)i * 10}, {.tv_sec = 1000000000 + (time_t)i * 10}};
        assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
        s->view = VIEW_TRAIN;
        const app_action load = {.kind = ACT_LOAD_MODEL};
        app_update(s, &load);
        runtime_frame(&rt_, s);
        snprintf(status[i], sizeof status[i], "%s", s->status);
    }
    runtime_destroy(&rt_, s);
    unsetenv("CONVSTEP_MODELS");
    remove_scratch_();
    for (size_t i = 0; i < COUNT_OF(cases); i++) {
        print_message("# %s\n", status[i]);
        assert_non_null(strstr(status[i], cases[i].says));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_init_home_with_slide_example),
        T(test_esc_from_feature_window_returns_to_cnn),
        T(test_lesson_menu_lists_all_sorted_with_errors),
        T(test_lesson_menu_caps_and_counts),
        T(test_shipped_model_errors_say_why),
        T(test_load_model_names_the_real_mismatch),
        T(test_init_is_repeatable),
        T(test_step_forward_visits_every_cell_in_row_major_order),
        T(test_step_back_restart_to_end_jump),
        T(test_stepping_with_padding_stride_dilation_matches_reference),
        T(test_play_slow_speeds_reveal_products_one_by_one),
        T(test_play_fast_speeds_move_a_cell_per_beat),
        T(test_play_fast_first_beat_finishes_exactly_one_cell),
        T(test_play_pause_and_restart_at_end),
        T(test_faster_slower_clamp),
        T(test_pool_play_slow),
        T(test_conv_settings_follow_the_formula),
        T(test_conv_set_size_kernel_stride_dilation_clamp),
        T(test_conv_padding_modes_and_cycle),
        T(test_conv_impossible_setting_explains_and_recovers),
        T(test_conv_channels_sum_over_channels),
        T(test_conv_presets),
        T(test_pool_hand_example),
        T(test_pool_settings_follow_the_formula),
        T(test_pool_impossible_padding_and_recovery),
        T(test_pool_step_records),
        T(test_edit_input_cell),
        T(test_edit_kernel_makes_preset_custom),
        T(test_edit_bias),
        T(test_edit_rejects_non_numbers),
        T(test_edit_cancel_and_implicit_commit),
        T(test_select_output_cell_jumps),
        T(test_preset_kernels),
        T(test_randomise_is_deterministic),
        T(test_load_digit_centre_crop),
        T(test_home_zoom_help_palette_quit),
        T(test_layout_home_720_100),
        T(test_layout_home_720_200),
        T(test_layout_home_1080_100),
        T(test_layout_home_1080_200),
        T(test_layout_conv_720_100),
        T(test_layout_conv_720_200),
        T(test_layout_conv_1080_100),
        T(test_layout_conv_1080_200),
        T(test_layout_pool_720_100),
        T(test_layout_pool_720_200),
        T(test_layout_pool_1080_100),
        T(test_layout_pool_1080_200),
        T(test_layout_settings_variety),
        T(test_layout_hit_padding_and_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
