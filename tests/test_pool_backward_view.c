// test_pool_backward_view.c - the pooling view's backward mode (issue 15):
// dL/dY routed back to dL/dX one output cell a step through the engine's
// core (nn_pool_backward_cell), checked against examples worked by hand,
// against the engine's batch nn_pool_backward bit for bit on 40 random
// set-ups (part way and at the end), its words, and the lesson commands.
//
// Worked by hand (4x4 input, 2x2 window, stride 2, dY = [1 2; 3 4]):
//   X = 1 3 2 0     windows: top-left {1,3,4,2} max 4 at (1,0); top-right
//       4 2 1 5     {2,0,1,5} max 5 at (1,3); bottom-left {0,6,2,1} max 6 at
//       0 6 7 1     (2,1); bottom-right {7,1,3,8} max 8 at (3,3).
//       2 1 3 8
//   max: each dY goes whole to its window's max, every other cell gets 0:
//     dX = 0 0 0 0 / 1 0 0 2 / 0 3 0 0 / 0 0 0 4
//   average: dY/4 to each of the window's four cells:
//     dX = .25 .25 .5 .5 / .25 .25 .5 .5 / .75 .75 1 1 / .75 .75 1 1
// Overlapping (3x3 input, 2x2 window, stride 1, dY = [1 2; 3 4]):
//   X = 1 2 3 / 4 9 5 / 6 7 8: 9 at (1,1) is the max of all four windows, so
//   max: dX(1,1) = 1 + 2 + 3 + 4 = 10, all else 0;
//   average: each cell adds dY/4 of every window over it:
//     (0,0) 1/4 = .25; (0,1) 1/4 + 2/4 = .75; (0,2) 2/4 = .5;
//     (1,0) 1/4 + 3/4 = 1; (1,1) (1+2+3+4)/4 = 2.5; (1,2) 2/4 + 4/4 = 1.5;
//     (2,0) 3/4 = .75; (2,1) 3/4 + 4/4 = 1.75; (2,2) 4/4 = 1   (sum 10 = sum of dY).
// Padding (3x3 input, 2x2 window, stride 2, padding 1, dY = [4 8; 12 16]):
//   the average divides by all 4 cells, padding included, and padding has no
//   input to receive its share: window (0,0) holds only X(0,0): 4/4 = 1;
//   (0,1) holds X(0,1), X(0,2): 8/4 = 2 each; (1,0) X(1,0), X(2,0): 3 each;
//   (1,1) the four others: 4 each.  dX = 1 2 2 / 3 4 4 / 3 4 4.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "layout_fixture.h"
#include "lesson.h"
#include "view_pool.h"
#include "views.h"

static void act_(app_state *s, app_action_kind kind, int value) {
    app_action a = {.kind = kind, .value = value};
    app_update(s, &a);
}

// Opens the pooling view on input x (h x w), window k, stride, padding, in backward mode with dL/dY dy.
static void setup_pool_(app_state *s, const float *x, int h, int w, int k, int stride, int pad, const float *dy) {
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    pool_setup p = s->pool.setup;
    p.n_h = h, p.n_w = w, p.size = k, p.stride = stride, p.pad = pad;
    for (int y = 0; y < h; y++)
        for (int c = 0; c < w; c++) p.input[y][c] = x[y * w + c];
    assert_true(app_set_pool(s, &p));
    act_(s, ACT_POOL_BACKWARD, 1);
    assert_true(s->pool.backward);
    assert_true(app_set_pool_grad(s, dy, s->pool.max_geom.out_h, s->pool.max_geom.out_w));
}

// Steps to the end as a class would, one output cell a press.
static void step_to_end_(app_state *s) {
    for (int i = 0; i < s->pool.anim.total; i++) act_(s, ACT_STEP_FORWARD, 0);
    assert_int_equal(app_cells_done(&s->pool.anim, 1), s->pool.anim.total);
}

static void assert_grid_(const float *got, const float *want, int n, const char *what) {
    for (int i = 0; i < n; i++)
        if (got[i] != want[i]) fail_msg("%s: cell %d is %g, by hand %g", what, i, (double)got[i], (double)want[i]);
}

static void test_by_hand_stride2(void **st) {
    app_state *s = *st;
    const float x[16] = {1, 3, 2, 0, 4, 2, 1, 5, 0, 6, 7, 1, 2, 1, 3, 8}, dy[4] = {1, 2, 3, 4};
    setup_pool_(s, x, 4, 4, 2, 2, 0, dy);
    const float want_max[16] = {0, 0, 0, 0, 1, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 4};
    const float want_avg[16] = {.25f, .25f, .5f, .5f, .25f, .25f, .5f, .5f, .75f, .75f, 1, 1, .75f, .75f, 1, 1};
    float dxm[16], dxa[16];
    // Before any step nothing has been routed.
    pool_backward_upto(s, app_cells_done(&s->pool.anim, 1), dxm, dxa, NULL);
    for (int i = 0; i < 16; i++) assert_true(dxm[i] == 0 && dxa[i] == 0);
    // One step: the first window's dY = 1, to X(1,0) for the max, 1/4 to each for the average.
    act_(s, ACT_STEP_FORWARD, 0);
    char line[1024];
    pool_text_back_max(s, line, sizeof line);
    assert_non_null(strstr(line, "dY = 1 to input (1, 0), the max (4)"));
    assert_non_null(strstr(line, "only the max passed the gradient"));
    pool_text_back_avg(s, line, sizeof line);
    assert_non_null(strstr(line, "dY/4 = 1/4 = 0.25 to each"));
    assert_null(strstr(line, "overlap"));  // stride 2: the windows never share a cell
    step_to_end_(s);
    pool_backward_upto(s, app_cells_done(&s->pool.anim, 1), dxm, dxa, NULL);
    assert_grid_(dxm, want_max, 16, "max, stepped");
    assert_grid_(dxa, want_avg, 16, "average, stepped");
    // What a lesson's expect reads: the engine's batch pass.
    view_op op;
    view_op_of(s, &op);
    assert_int_equal(op.out_h, 4);
    assert_int_equal(op.out_w, 4);
    assert_grid_(op.out, want_max, 16, "max, batch");
    assert_grid_(op.out_avg, want_avg, 16, "average, batch");
}

static void test_by_hand_overlapping(void **st) {
    app_state *s = *st;
    const float x[9] = {1, 2, 3, 4, 9, 5, 6, 7, 8}, dy[4] = {1, 2, 3, 4};
    setup_pool_(s, x, 3, 3, 2, 1, 0, dy);
    act_(s, ACT_STEP_FORWARD, 0);
    act_(s, ACT_STEP_FORWARD, 0);  // the second window: its 2 lands on (1, 1), which holds 1 already
    char line[1024];
    pool_text_back_max(s, line, sizeof line);
    assert_non_null(strstr(line, "(1, 1) = 1 + 2 = 3"));
    pool_text_back_avg(s, line, sizeof line);
    assert_non_null(strstr(line, "dY/4 = 2/4 = 0.5 to each"));
    assert_non_null(strstr(line, "(0, 1) = 0.25 + 0.5 = 0.75 (and 1 more)"));
    step_to_end_(s);
    const float want_max[9] = {0, 0, 0, 0, 10, 0, 0, 0, 0};
    const float want_avg[9] = {.25f, .75f, .5f, 1, 2.5f, 1.5f, .75f, 1.75f, 1};
    float dxm[9], dxa[9];
    pool_backward_upto(s, app_cells_done(&s->pool.anim, 1), dxm, dxa, NULL);
    assert_grid_(dxm, want_max, 9, "max, overlapping");
    assert_grid_(dxa, want_avg, 9, "average, overlapping");
}

static void test_by_hand_padding(void **st) {
    app_state *s = *st;
    const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, dy[4] = {4, 8, 12, 16};
    setup_pool_(s, x, 3, 3, 2, 2, 1, dy);
    assert_int_equal(s->pool.max_geom.out_h, 2);
    act_(s, ACT_STEP_FORWARD, 0);
    char line[1024];
    pool_text_back_avg(s, line, sizeof line);
    assert_non_null(strstr(line, "dY/4 = 4/4 = 1 to each of the 1 real cells (padding has no input)"));
    step_to_end_(s);
    const float want_avg[9] = {1, 2, 2, 3, 4, 4, 3, 4, 4};
    float dxm[9], dxa[9];
    pool_backward_upto(s, app_cells_done(&s->pool.anim, 1), dxm, dxa, NULL);
    assert_grid_(dxa, want_avg, 9, "average, padded");
    // A click on dL/dY cell (1, 0) routes it: the cells before it and that one, 3 of 4.
    app_action click = {.kind = ACT_SELECT_CELL, .cell = {.grid = GRID_FMAP, .channel = 0, .row = 1, .col = 0}};
    app_update(s, &click);
    assert_int_equal(s->pool.anim.pos, 2);
    assert_int_equal(app_cells_done(&s->pool.anim, 1), 3);
}

// A small generator of its own (the test must not depend on the app's).
static uint32_t next_(uint64_t *r) {
    *r = *r * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*r >> 33);
}
static float unit_(uint64_t *r) { return (float)(next_(r) % 2001) / 1000.0f - 1.0f; }

// 40 random set-ups: stepping part way equals the engine's batch pass over
// dL/dY with the cells not yet reached set to 0 (adding +0 changes no bits),
// and stepping to the end equals nn_pool_backward bit for bit.
static void test_random_equals_batch(void **st) {
    app_state *s = *st;
    uint64_t r = 15;
    int done_setups = 0;
    while (done_setups < 40) {
        const int h = 2 + (int)(next_(&r) % 9), w = 2 + (int)(next_(&r) % 9), k = 1 + (int)(next_(&r) % 4);
        const int stride = 1 + (int)(next_(&r) % 4), pad = (int)(next_(&r) % (k / 2 + 1));
        if (k > h + 2 * pad || k > w + 2 * pad) continue;
        float x[VIEW_MAX_N * VIEW_MAX_N], dy[VIEW_MAX_OUT * VIEW_MAX_OUT];
        for (int i = 0; i < h * w; i++) x[i] = unit_(&r) * 5;
        nn_pool_config cfg = {.mode = NN_POOL_MAX, .c = 1, .in_h = h, .in_w = w, .size_h = k, .size_w = k,
                              .stride = stride, .pad = pad};
        nn_pool_geom gm, ga;
        assert_int_equal(nn_pool_geom_init(&gm, &cfg, NULL), NN_OK);
        cfg.mode = NN_POOL_AVG;
        assert_int_equal(nn_pool_geom_init(&ga, &cfg, NULL), NN_OK);
        const int outs = gm.out_h * gm.out_w;
        for (int i = 0; i < outs; i++) dy[i] = unit_(&r) * 3;
        setup_pool_(s, x, h, w, k, stride, pad, dy);
        assert_int_equal(s->pool.anim.total, outs);
        // The engine's own forward (for the winners) and batch backward.
        float y[VIEW_MAX_OUT * VIEW_MAX_OUT], want_m[VIEW_MAX_N * VIEW_MAX_N], want_a[VIEW_MAX_N * VIEW_MAX_N];
        int arg[VIEW_MAX_OUT * VIEW_MAX_OUT];
        nn_pool_forward(&gm, y, arg, x, 1);
        const int part = (int)(next_(&r) % (unsigned)outs);
        float masked[VIEW_MAX_OUT * VIEW_MAX_OUT] = {0};
        memcpy(masked, dy, sizeof(float) * (size_t)part);
        for (int i = 0; i < part; i++) act_(s, ACT_STEP_FORWARD, 0);
        assert_int_equal(app_cells_done(&s->pool.anim, 1), part);
        float dxm[VIEW_MAX_N * VIEW_MAX_N], dxa[VIEW_MAX_N * VIEW_MAX_N];
        nn_pool_backward(&gm, want_m, masked, arg, 1);
        nn_pool_backward(&ga, want_a, masked, NULL, 1);
        pool_backward_upto(s, part, dxm, dxa, NULL);
        assert_memory_equal(dxm, want_m, sizeof(float) * (size_t)(h * w));
        assert_memory_equal(dxa, want_a, sizeof(float) * (size_t)(h * w));
        for (int i = part; i < outs; i++) act_(s, ACT_STEP_FORWARD, 0);
        assert_int_equal(app_cells_done(&s->pool.anim, 1), outs);
        nn_pool_backward(&gm, want_m, dy, arg, 1);
        nn_pool_backward(&ga, want_a, dy, NULL, 1);
        pool_backward_upto(s, app_cells_done(&s->pool.anim, 1), dxm, dxa, NULL);
        assert_memory_equal(dxm, want_m, sizeof(float) * (size_t)(h * w));
        assert_memory_equal(dxa, want_a, sizeof(float) * (size_t)(h * w));
        done_setups++;
    }
}

// The default dL/dY: small whole numbers 1 2 3 4 1 2 ... (readable shares).
static void test_default_dy(void **st) {
    app_state *s = *st;
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    act_(s, ACT_POOL_BACKWARD, 0);  // toggles on
    assert_true(s->pool.backward);
    assert_int_equal(s->pool.anim.total, 9);
    const float want[9] = {1, 2, 3, 4, 1, 2, 3, 4, 1};
    assert_grid_(s->pool.dy, want, 9, "default dY");
    act_(s, ACT_POOL_BACKWARD, 0);  // and off
    assert_false(s->pool.backward);
}

static bool parses_(const char *text, char *err, size_t size) {
    lesson l;
    const bool ok = lesson_parse(&l, text, "t.lesson", err, size);
    if (ok) lesson_free(&l);
    return ok;
}

// The lesson commands: backward on|off in view pool, and grad-output after it.
static void test_lesson_commands(void **st) {
    (void)st;
    char err[600];
    assert_true(parses_("title T\nview pool\nbackward on\ngrad-output 1 2 3; 4 5 6; 7 8 9\nexpect max 1 0 1\n", err, sizeof err));
    assert_false(parses_("title T\nview conv\nbackward on\n", err, sizeof err));
    assert_string_equal(err, "t.lesson:3: backward is the pooling view's backward mode: use it there ('view pool')");
    assert_false(parses_("title T\nview pool\nbackward maybe\n", err, sizeof err));
    assert_string_equal(err, "t.lesson:3: backward needs on (route dL/dY back to dL/dX, one output cell a step) or off");
    assert_false(parses_("title T\nview pool\ngrad-output 1 2; 3 4\n", err, sizeof err));
    assert_string_equal(err, "t.lesson:3: grad-output in the pooling view is dL/dY for its backward mode: put 'backward on' first");
    // In backward mode the output a check reads is dL/dX: the input's 6x6, not the 3x3 pooled output.
    assert_true(parses_("title T\nview pool\nbackward on\nexpect avg 5 5 0.25\n", err, sizeof err));
    assert_false(parses_("title T\nview pool\nexpect avg 5 5 0.25\n", err, sizeof err));
}

// A fake font near DejaVu's advances (as test_pool_view.c's): layout_fixture.h's
// 0.6 em for both faces wraps the lines more than the real font does.
static int near_dejavu_(void *ctx, const char *text, int px, bool mono) {
    (void)ctx;
    return (int)((mono ? 0.61 : 0.56) * px * (double)strlen(text) + 0.5);
}
static const ui_metrics NEAR_DEJAVU = {near_dejavu_, NULL};

// The grid `id`, channel ch, with its cell size (NULL if not laid out).
static const ui_grid *grid_(const ui_layout *l, grid_id id, int ch) {
    for (int i = 0; i < l->n_grids; i++)
        if (l->grids[i].id == id && l->grids[i].channel == ch) return &l->grids[i];
    return NULL;
}

// Every grid inside the main area, none over the legend or the lines, X and
// both dL/dX with readable cells (input X shows where the max sat); the
// legend shown when `legend`.
static void assert_backward_readable_(const ui_layout *l, bool legend) {
    const ui_grid *x = grid_(l, GRID_INPUT, 0);
    if (!x || x->cell < l->min_cell) fail_msg("input X %s (readable from %d px)", x ? "too small" : "left out", l->min_cell);
    for (int ch = 0; ch < 3; ch++) {
        const ui_grid *g = grid_(l, GRID_FMAP, ch);
        assert_non_null(g);
        assert_int_equal(g->cell, x->cell);
    }
    for (int i = 0; i < l->n_grids; i++) {
        assert_true(inside_(l->grids[i].r, l->main));
        assert_false(overlap_(l->grids[i].r, l->legend));
        assert_false(overlap_(l->grids[i].r, l->arithmetic));
    }
    if (legend) assert_true(l->legend.h > 0);
    assert_false(overlap_(l->legend, l->arithmetic));
}

// Lesson x6's last slides (a 4x4 input, 1280x720 under the narration): the
// cells as large as the room allows, not the two rows' 8 cells high (which
// left half the width empty). One row of X, dL/dY, dL/dX max and average is
// 4 + 2 + 4 + 4 = 14 cells wide: the width alone allows (main.w - 2 pad - 3
// gaps of 2 pad) / 14, and the height (title, 4 cells, legend, 3 lines under)
// allows more, so the cells must reach twice the readable cell (the old two
// rows gave about 1.1 times it).
// And the default 6x6 at 1920x1080 zoom 150 keeps input X readable (it used
// to show dL/dY and both dL/dX alone, whose cells were larger): X and dL/dY
// over both dL/dX, the words in a column beside them.
static void test_layout_largest_cells_with_x(void **st) {
    app_state *s = *st;
    const float x[16] = {1, 3, 2, 0, 4, 2, 1, 5, 0, 6, 7, 1, 2, 1, 3, 8}, dy[4] = {1, 2, 3, 4};
    setup_pool_(s, x, 4, 4, 2, 2, 0, dy);
    static lesson ls;
    char err[300];
    assert_true(lesson_parse(&ls,
                             "title Backpropagation\nview pool\nbackward on\nstep 1\nsay Pooling has no weights, but its "
                             "gradient must still reach the layer before.\nwait\n",
                             "x6.lesson", err, sizeof err));
    s->player.l = &ls;
    s->player.n_cmds = ls.n;
    s->player.n_beats = 1;
    static ui_layout l;
    layout_compute(&l, s, 1280, 720, &NEAR_DEJAVU);
    assert_int_equal(l.min_cell, 28);  // 20 px * 720/1080, rounded up, twice
    assert_backward_readable_(&l, true);
    const int width_bound = (l.main.w - 2 * l.pad - 3 * 2 * l.pad) / 14;
    const int cell = grid_(&l, GRID_INPUT, 0)->cell;
    if (cell < 2 * l.min_cell || cell > width_bound)
        fail_msg("lesson room: %d px a cell, want %d..%d", cell, 2 * l.min_cell, width_bound);
    s->player.l = NULL;
    lesson_free(&ls);

    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    s->zoom = 150;
    pool_setup p = s->pool.setup;
    p.n_h = p.n_w = 6, p.size = 2, p.stride = 2, p.pad = 0;
    assert_true(app_set_pool(s, &p));
    layout_compute(&l, s, 1920, 1080, &NEAR_DEJAVU);
    assert_int_equal(l.min_cell, 60);
    // (With the real font the legend fits in the column too; this font's wider words leave it out.)
    assert_backward_readable_(&l, false);
    s->zoom = 100;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_by_hand_stride2, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_by_hand_overlapping, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_by_hand_padding, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_random_equals_batch, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_default_dy, setup_, teardown_),
        cmocka_unit_test(test_lesson_commands),
        cmocka_unit_test_setup_teardown(test_layout_largest_cells_with_x, setup_, teardown_),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
