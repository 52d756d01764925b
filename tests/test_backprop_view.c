// test_backprop_view.c - the backpropagation view (app/view_backprop.c): a
// hand-worked example stepped phase by phase, the view's gradients against
// nn_conv2d_backward bit for bit on random set-ups, the SGD update, and the
// layout (every grid inside the main area, apart) at the usual sizes.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "layout.h"
#include "layout_fixture.h"
#include "view_backprop.h"
#include "views.h"

// A fake font near DejaVu's advances (as test_pool_view.c's).
static int near_dejavu_(void *ctx, const char *text, int px, bool mono) {
    (void)ctx;
    return (int)((mono ? 0.61 : 0.56) * px * (double)strlen(text) + 0.5);
}
static const ui_metrics NEAR_DEJAVU = {near_dejavu_, NULL};

static void act_(app_state *s, app_action_kind kind, int value) {
    app_action a = {.kind = kind, .value = value};
    app_update(s, &a);
}

static void open_(app_state *s) { act_(s, ACT_OPEN_VIEW, VIEW_BACKPROP); }

// Steps forward n times (one gradient cell a step).
static void steps_(app_state *s, int n) {
    for (int i = 0; i < n; i++) act_(s, ACT_STEP_FORWARD, 0);
}

// Input 3x3 [1 2 3; 4 5 6; 7 8 9], kernel 2x2 [1 0; 0 -1], dY 2x2 all ones,
// stride 1, no padding, lr 0.1. Worked out by hand:
//   Y = x(r,c) - x(r+1,c+1) = -4 everywhere.
//   dW(a,b) = sum of the 2x2 sub-window at (a,b) (dY is all ones):
//     dW = [1+2+4+5  2+3+5+6; 4+5+7+8  5+6+8+9] = [12 16; 24 28]
//   dX(y,x) = sum of the weights w(ky,kx) whose output (y-ky, x-kx) exists:
//     (0,0): w00 = 1        (0,1): w00 + w01 = 1      (0,2): w01 = 0
//     (1,0): w00 + w10 = 1  (1,1): all four = 1 - 1 = 0  (1,2): w01 + w11 = -1
//     (2,0): w10 = 0        (2,1): w10 + w11 = -1     (2,2): w11 = -1
//   db = 1 + 1 + 1 + 1 = 4
//   W new = W - 0.1 dW = [1 - 1.2  0 - 1.6; 0 - 2.4  -1 - 2.8] = [-0.2 -1.6; -2.4 -3.8]
static void set_example_(app_state *s) {
    backprop_setup b;
    memset(&b, 0, sizeof b);
    b.n_h = b.n_w = 3;
    b.k = 2;
    b.stride = 1;
    b.lr = 0.1f;
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) b.input[y][x] = (float)(y * 3 + x + 1);
    b.kernel[0][0] = 1, b.kernel[1][1] = -1;
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 2; x++) b.dy[y][x] = 1;
    b.dy_given = true;
    assert_true(app_set_backprop(s, &b));
}

static float shown_(const app_state *s, bp_grid g, int r, int c, bool *is_shown) {
    float v;
    *is_shown = bp_shown(s, g, r, c, &v);
    return v;
}

static void expect_grid_(const app_state *s, bp_grid g, int rows, int cols, const float *want, bool filled) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            bool on;
            const float v = shown_(s, g, r, c, &on);
            if (on != filled) fail_msg("%s (%d, %d): shown %d, expected %d", bp_grid_title(g), r, c, on, filled);
            if (filled) assert_float_equal(v, want[r * cols + c], 1e-6);
        }
}

static void test_hand_worked_example(void **st) {
    app_state *s = *st;
    open_(s);
    set_example_(s);
    static const float y[4] = {-4, -4, -4, -4};
    static const float dw[4] = {12, 16, 24, 28};
    static const float dx[9] = {1, 1, 0, 1, 0, -1, 0, -1, -1};
    static const float db[1] = {4};
    static const float w_new[4] = {-0.2f, -1.6f, -2.4f, -3.8f};
    expect_grid_(s, BP_GRID_Y, 2, 2, y, true);
    expect_grid_(s, BP_GRID_DW, 2, 2, dw, false);
    assert_int_equal(s->bp.anim.total, 4 + 9 + 1 + 4);
    // dL/dW: four steps fill it; nothing of dL/dX yet.
    steps_(s, 4);
    assert_int_equal(bp_phase_of(s, s->bp.anim.pos, &(int){0}, &(int){0}), BP_PHASE_DW);
    expect_grid_(s, BP_GRID_DW, 2, 2, dw, true);
    expect_grid_(s, BP_GRID_DX, 3, 3, dx, false);
    // The last weight's products: x at (1,1), (1,2), (2,1), (2,2) times dY 1.
    assert_int_equal(s->bp.step.count, 4);
    assert_float_equal(s->bp.step.value, 28, 0);
    char t[2048];
    bp_text_terms(s, true, t, sizeof t);
    assert_string_equal(t, "5×1 + 6×1 + 8×1 + 9×1 = 28");
    // dL/dX: nine steps.
    steps_(s, 9);
    assert_int_equal(bp_phase_of(s, s->bp.anim.pos, &(int){0}, &(int){0}), BP_PHASE_DX);
    expect_grid_(s, BP_GRID_DX, 3, 3, dx, true);
    expect_grid_(s, BP_GRID_DB, 1, 1, db, false);
    // The centre's four taps (step 9 of dX is (2,2): one tap, w11 = -1).
    bp_text_terms(s, true, t, sizeof t);
    assert_string_equal(t, "(-1)×1 = -1");
    // dL/db: one step.
    steps_(s, 1);
    expect_grid_(s, BP_GRID_DB, 1, 1, db, true);
    expect_grid_(s, BP_GRID_WNEW, 2, 2, w_new, false);
    bp_text_terms(s, true, t, sizeof t);
    assert_string_equal(t, "1 + 1 + 1 + 1 = 4");
    // The update: four steps, W - lr dW.
    steps_(s, 4);
    expect_grid_(s, BP_GRID_WNEW, 2, 2, w_new, true);
    bp_text_terms(s, true, t, sizeof t);
    assert_string_equal(t, "-1 - 0.1 × 28 = -3.8");
    // The end: a step more changes nothing.
    const int pos = s->bp.anim.pos;
    steps_(s, 1);
    assert_int_equal(s->bp.anim.pos, pos);
}

// Clicks cell (row, col) of grid (id, ch), as the window does.
static void click_(app_state *s, grid_id id, int ch, int row, int col) {
    app_action a = {.kind = ACT_SELECT_CELL, .cell = {.grid = id, .channel = ch, .row = row, .col = col}};
    app_update(s, &a);
}

static void type_(app_state *s, const char *text) {
    for (const char *p = text; *p; p++) {
        app_action a = {.kind = ACT_TYPE_CHAR, .ch = *p};
        app_update(s, &a);
    }
    act_(s, ACT_EDIT_COMMIT, 0);
}

// dL/dY is typed into like X and W, and the gradients follow. The example
// with dY = [1 3; 1 1], by hand: dW(a,b) = sum over outputs (i,j) of
// x(i+a, j+b) dY(i,j):
//   dW(0,0) = 1 + 3×2 + 4 + 5 = 16     dW(0,1) = 2 + 3×3 + 5 + 6 = 22
//   dW(1,0) = 4 + 3×5 + 7 + 8 = 34     dW(1,1) = 5 + 3×6 + 8 + 9 = 40
//   db = 1 + 3 + 1 + 1 = 6
// A click on a gradient cell goes to its step instead (no edit opens).
static void test_dy_edit(void **st) {
    app_state *s = *st;
    open_(s);
    set_example_(s);
    click_(s, GRID_OUTPUT, 1, 0, 1);
    assert_true(s->editing);
    type_(s, "3");
    assert_false(s->editing);
    assert_float_equal(s->bp.setup.dy[0][1], 3, 0);
    static const float dw[4] = {16, 22, 34, 40};
    for (int i = 0; i < 4; i++) assert_float_equal(s->bp.dw[i], dw[i], 1e-6);
    assert_float_equal(s->bp.db, 6, 1e-6);
    // dL/dW(1, 0) clicked: its step (the third), worked out; no edit.
    click_(s, GRID_KERNEL, 1, 1, 0);
    assert_false(s->editing);
    assert_int_equal(s->bp.anim.pos, 2);
    assert_true(s->bp.step_valid);
    assert_float_equal(s->bp.step.value, 34, 1e-6);
    // dL/dX(2, 1): step 4 + 2×3 + 1 = 11; dL/db: step 4 + 9 = 13.
    click_(s, GRID_INPUT, 1, 2, 1);
    assert_int_equal(s->bp.anim.pos, 11);
    click_(s, GRID_BIAS, 0, 0, 0);
    assert_int_equal(s->bp.anim.pos, 13);
    // The padded dY's cells are dY's: (1, 1) is dY(1, 1) (stride 1); its zeros are no edit.
    click_(s, GRID_OUTPUT, 2, 1, 1);
    assert_true(s->editing);
    type_(s, "2");
    assert_float_equal(s->bp.setup.dy[1][1], 2, 0);
    assert_float_equal(s->bp.db, 7, 1e-6);  // 1 + 3 + 1 + 2
    click_(s, GRID_OUTPUT, 2, -1, 0);
    assert_false(s->editing);
    // The forward output Y is worked out from X and W: no edit, no step.
    click_(s, GRID_OUTPUT, 0, 0, 0);
    assert_false(s->editing);
    assert_int_equal(s->bp.anim.pos, 13);
}

static uint64_t rng_ = 0x9e3779b97f4a7c15ull;
static int below_(int n) {
    rng_ ^= rng_ << 13, rng_ ^= rng_ >> 7, rng_ ^= rng_ << 17;
    return (int)(rng_ % (uint64_t)n);
}
static float value_(void) { return (float)(below_(2001) - 1000) / 256.0f; }

// The view's gradients, and every step's value, are nn_conv2d_backward's
// bits; the update is W - lr * dW.
static void test_equals_engine_backward(void **st) {
    app_state *s = *st;
    open_(s);
    int tried = 0;
    for (int trial = 0; trial < 40; trial++) {
        backprop_setup b;
        memset(&b, 0, sizeof b);
        b.n_h = 3 + below_(BP_MAX_N - 2);
        b.n_w = 3 + below_(BP_MAX_N - 2);
        b.k = 1 + below_(BP_MAX_K);
        b.stride = 1 + below_(3);
        b.pad = below_(4);
        b.lr = 0.05f * (float)(1 + below_(4));
        for (int y = 0; y < BP_MAX_N; y++)
            for (int x = 0; x < BP_MAX_N; x++) b.input[y][x] = value_();
        for (int y = 0; y < BP_MAX_K; y++)
            for (int x = 0; x < BP_MAX_K; x++) b.kernel[y][x] = value_();
        for (int y = 0; y < BP_MAX_OUT; y++)
            for (int x = 0; x < BP_MAX_OUT; x++) b.dy[y][x] = value_();
        b.dy_given = true;
        if (!app_set_backprop(s, &b)) continue;  // the kernel larger than the padded input
        tried++;
        const nn_conv2d_geom *g = &s->bp.geom;
        float in[BP_MAX_N * BP_MAX_N], w[BP_MAX_K * BP_MAX_K], dy[BP_MAX_TERMS];
        for (int y = 0; y < b.n_h; y++)
            for (int x = 0; x < b.n_w; x++) in[y * b.n_w + x] = b.input[y][x];
        for (int y = 0; y < b.k; y++)
            for (int x = 0; x < b.k; x++) w[y * b.k + x] = b.kernel[y][x];
        for (int y = 0; y < g->out_h; y++)
            for (int x = 0; x < g->out_w; x++) dy[y * g->out_w + x] = b.dy[y][x];
        float dx[BP_MAX_N * BP_MAX_N], dw[BP_MAX_K * BP_MAX_K] = {0}, db = 0;
        nn_conv2d_backward(g, dx, dw, &db, dy, in, w, 1);
        const int kk = b.k * b.k, n = b.n_h * b.n_w;
        assert_memory_equal(s->bp.dw, dw, sizeof(float) * (size_t)kk);
        assert_memory_equal(s->bp.dx, dx, sizeof(float) * (size_t)n);
        assert_memory_equal(&s->bp.db, &db, sizeof db);
        // Stepping (the first press shows cell 0, each next one the next cell): each step's value is the engine's.
        act_(s, ACT_RESTART, 0);
        for (int i = 0; i < s->bp.anim.total; i++) {
            act_(s, ACT_STEP_FORWARD, 0);
            assert_int_equal(s->bp.anim.pos, i);
            assert_true(s->bp.step_valid);
            const float want = i < kk ? dw[i] : i < kk + n ? dx[i - kk] : i == kk + n ? db : dw[i - kk - n - 1];
            assert_memory_equal(&s->bp.step.value, &want, sizeof want);
        }
        for (int i = 0; i < kk; i++) {
            const float want = w[i] - b.lr * dw[i];
            assert_float_equal(s->bp.w_new[i], want, 1e-6);
        }
    }
    assert_true(tried >= 20);
}

static const ui_grid *grid_(const ui_layout *l, grid_id id, int ch) {
    for (int i = 0; i < l->n_grids; i++)
        if (l->grids[i].id == id && l->grids[i].channel == ch) return &l->grids[i];
    return NULL;
}

// The default set-up: all eight grids inside the main area, apart, readable
// cells, the words and the legend with room, at the usual sizes and zooms.
static void test_layout_fits(void **st) {
    app_state *s = *st;
    open_(s);
    static const int sizes[2][2] = {{1280, 720}, {1920, 1080}}, zooms[2] = {100, 150};
    static const struct {
        grid_id id;
        int ch;
    } grids[8] = {{GRID_INPUT, 0}, {GRID_KERNEL, 0}, {GRID_OUTPUT, 0}, {GRID_OUTPUT, 1},
                  {GRID_KERNEL, 1}, {GRID_INPUT, 1}, {GRID_BIAS, 0}, {GRID_KERNEL, 2}};
    for (int k = 0; k < 2; k++)
        for (int z = 0; z < 2; z++) {
            s->zoom = zooms[z];
            ui_layout l;
            layout_compute(&l, s, sizes[k][0], sizes[k][1], &NEAR_DEJAVU);
            for (int i = 0; i < 8; i++) {
                const ui_grid *g = grid_(&l, grids[i].id, grids[i].ch);
                if (!g) fail_msg("%dx%d zoom %d: grid %d missing", sizes[k][0], sizes[k][1], zooms[z], i);
                assert_true(g->cell >= l.min_cell);
                assert_true(inside_(g->r, l.main));
                assert_false(overlap_(g->r, l.arithmetic));
                assert_false(overlap_(g->r, l.legend));
            }
            for (int i = 0; i < l.n_grids; i++)
                for (int j = i + 1; j < l.n_grids; j++) assert_false(overlap_(l.grids[i].r, l.grids[j].r));
            assert_true(l.arithmetic.h >= 3 * l.small_px);
            if (l.legend.h <= 0) fail_msg("%dx%d zoom %d: no room for the legend", sizes[k][0], sizes[k][1], zooms[z]);
            assert_true(inside_(l.legend, l.main));
        }
}

// The padded dL/dY as dL/dX's 'full' convolution reads it. The example
// (k 2, dY 2x2 set to [1 2; 3 4]): 2 + 2(2 - 1) = 4 rows and columns, from
// -1; dY in the middle (rows and columns 0, 1), 0 on the ring around.
// Stride 2 (input 5x5, k 3: dY 2x2): (2 - 1)2 + 1 + 2(3 - 1) = 7 a side,
// from -2; dY at 0 and 2, a zero between them (row or column 1).
static void test_padded_dy(void **st) {
    app_state *s = *st;
    open_(s);
    set_example_(s);
    backprop_setup b = s->bp.setup;
    b.dy[0][0] = 1, b.dy[0][1] = 2, b.dy[1][0] = 3, b.dy[1][1] = 4;
    assert_true(app_set_backprop(s, &b));
    int r0, c0, rows, cols;
    bp_grid_extent(s, BP_GRID_DYPAD, &r0, &c0, &rows, &cols);
    assert_int_equal(r0, -1), assert_int_equal(c0, -1), assert_int_equal(rows, 4), assert_int_equal(cols, 4);
    static const float want[4][4] = {{0, 0, 0, 0}, {0, 1, 2, 0}, {0, 3, 4, 0}, {0, 0, 0, 0}};
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) {
            float v = -99;
            const bool is_dy = bp_dy_padded(s, r - 1, c - 1, &v);
            assert_int_equal(is_dy, r >= 1 && r <= 2 && c >= 1 && c <= 2);
            assert_float_equal(v, want[r][c], 0);
        }
    // The kernel turned round for dL/dX(0, 0) covers rows and columns -1, 0:
    // w(1,1) on a zero, w(0,0) on dY(0,0) (dX(0,0) = w00 dY00, one product).
    int top, left;
    bp_rotated_at(s, 0, 0, &top, &left);
    assert_int_equal(top, -1), assert_int_equal(left, -1);
    bp_rotated_at(s, 2, 1, &top, &left);
    assert_int_equal(top, 1), assert_int_equal(left, 0);
    // Stride 2.
    b.n_h = b.n_w = 5, b.k = 3, b.stride = 2;
    assert_true(app_set_backprop(s, &b));
    assert_int_equal(s->bp.geom.out_h, 2);
    bp_grid_extent(s, BP_GRID_DYPAD, &r0, &c0, &rows, &cols);
    assert_int_equal(r0, -2), assert_int_equal(rows, 7), assert_int_equal(cols, 7);
    float v;
    assert_true(bp_dy_padded(s, 2, 2, &v));
    assert_float_equal(v, 4, 0);
    assert_false(bp_dy_padded(s, 1, 0, &v));
    assert_float_equal(v, 0, 0);
    assert_false(bp_dy_padded(s, 4, 4, &v));
}

static bool has_grid_(const ui_layout *l, bp_grid g) {
    for (int i = 0; i < l->n_grids; i++)
        if (bp_grid_of(l->grids[i].id, l->grids[i].channel) == g) return true;
    return false;
}

// Zoom 200: short of room, the step's own grids (or parts of them) at
// readable cells, inside the main area and apart from the words and the
// legend, in every phase; while dL/dX is worked out the padded dY is shown.
static void test_layout_zoom_200(void **st) {
    app_state *s = *st;
    open_(s);
    static const int sizes[3][2] = {{1280, 720}, {1920, 1080}, {3840, 2160}};
    const int kk = 9, n = 16;
    const int steps[4] = {4, kk + 5, kk + n, kk + n + 1 + 4};  // one step in each phase
    static const bp_grid needs[4][3] = {{BP_GRID_X, BP_GRID_DY, BP_GRID_DW},
                                        {BP_GRID_W, BP_GRID_DYPAD, BP_GRID_DX},
                                        {BP_GRID_DY, BP_GRID_DB, BP_GRID_DB},
                                        {BP_GRID_W, BP_GRID_DW, BP_GRID_WNEW}};
    s->zoom = 200;
    for (int k = 0; k < 3; k++)
        for (int p = 0; p < 4; p++) {
            act_(s, ACT_RESTART, 0);
            steps_(s, steps[p] + 1);
            assert_int_equal(bp_phase_of(s, s->bp.anim.pos, &(int){0}, &(int){0}), (bp_phase)p);
            ui_layout l;
            layout_compute(&l, s, sizes[k][0], sizes[k][1], &NEAR_DEJAVU);
            for (int i = 0; i < 3; i++)
                if (!has_grid_(&l, needs[p][i]))
                    fail_msg("%dx%d phase %d: no %s", sizes[k][0], sizes[k][1], p + 1, bp_grid_title(needs[p][i]));
            for (int i = 0; i < l.n_grids; i++) {
                const ui_grid *g = &l.grids[i];
                if (g->cell < l.min_cell || !inside_(g->r, l.main) || overlap_(g->r, l.arithmetic) || overlap_(g->r, l.legend))
                    fail_msg("%dx%d phase %d: %s misplaced", sizes[k][0], sizes[k][1], p + 1, g->title);
                for (int j = i + 1; j < l.n_grids; j++) assert_false(overlap_(g->r, l.grids[j].r));
            }
            assert_true(l.arithmetic.h >= 3 * l.small_px);
            assert_true(inside_(l.arithmetic, l.main));
            assert_false(overlap_(l.arithmetic, l.legend));
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hand_worked_example, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_equals_engine_backward, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_layout_fits, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_dy_edit, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_padded_dy, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_layout_zoom_200, setup_, teardown_),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
