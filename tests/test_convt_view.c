// test_convt_view.c - the transposed-convolution view (app/view_convt.c):
// its right picture, an ordinary convolution (nn_conv2d_forward) of the
// rotated, dilated kernel over the zero-inserted, padded input, gives the
// scatter's output; stepping to the end gives nn_convt_forward's output bit
// for bit; the cells lit on both sides are the same; the 2x2 case worked
// out by hand; and the grids stay inside the main area, apart, at the sizes
// a class uses; in a lesson's short, wide room they take the width too, and
// the step written out shows whenever it fits.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "layout.h"
#include "layout_fixture.h"
#include "lesson.h"
#include "view_convt.h"
#include "views.h"

static void open_convt_(app_state *s) {
    app_action a = {.kind = ACT_OPEN_VIEW, .value = VIEW_CONVT};
    app_update(s, &a);
    assert_int_equal(s->view, VIEW_CONVT);
}

typedef struct cfg_ {
    int n_h, n_w, k, stride, pad, out_pad, dilation;
} cfg_;

// Several set-ups: the default (upsampling by two), no overlap, overlaps at
// stride 1, a stride of 3 with output padding 2, dilation 2, a wide input
// cropped by padding 2, a 1x1 input.
static const cfg_ configs_[] = {
    {3, 3, 3, 2, 1, 1, 1}, {2, 2, 2, 2, 0, 0, 1}, {4, 4, 3, 1, 0, 0, 1}, {3, 3, 2, 3, 1, 2, 1},
    {3, 3, 2, 2, 1, 1, 2}, {2, 4, 3, 2, 2, 0, 1}, {1, 1, 3, 1, 1, 0, 1}, {3, 2, 4, 2, 3, 1, 1},
};

// Values with fractions and signs (not only small integers): y, x, salt.
static float value_(int y, int x, int salt) { return (float)((y * 7 + x * 3 + salt) % 11 - 5) * 0.37f + 0.125f * (float)salt; }

static void set_(app_state *s, const cfg_ *c, int salt) {
    convt_setup cs = s->convt.setup;
    cs.n_h = c->n_h, cs.n_w = c->n_w, cs.k = c->k, cs.stride = c->stride, cs.pad = c->pad, cs.out_pad = c->out_pad,
    cs.dilation = c->dilation;
    for (int y = 0; y < CONVT_MAX_N; y++)
        for (int x = 0; x < CONVT_MAX_N; x++) cs.input[y][x] = value_(y, x, salt);
    for (int y = 0; y < CONVT_MAX_K; y++)
        for (int x = 0; x < CONVT_MAX_K; x++) cs.kernel[y][x] = value_(x, y, salt + 3);
    assert_true(app_set_convt(s, &cs));
}

// The right picture's convolution, run by the engine's ordinary convolution.
static void equivalent_conv_(const app_state *s, float *out, int *oh, int *ow) {
    const convt_view *v = &s->convt;
    static float in[CONVT_MAX_EQ * CONVT_MAX_EQ], w[CONVT_MAX_KD * CONVT_MAX_KD];
    for (int y = 0; y < v->eq_h; y++)
        for (int x = 0; x < v->eq_w; x++) in[y * v->eq_w + x] = v->eq_input[y][x];
    for (int y = 0; y < v->eq_k; y++)
        for (int x = 0; x < v->eq_k; x++) w[y * v->eq_k + x] = v->eq_kernel[y][x];
    const nn_conv2d_config cfg = {.in_c = 1, .in_h = v->eq_h, .in_w = v->eq_w, .filters = 1, .k_h = v->eq_k,
                                  .k_w = v->eq_k, .stride = 1, .dilation = 1, .padding = nn_padding_explicit(0)};
    nn_conv2d_geom g;
    nn_error e;
    assert_int_equal(nn_conv2d_geom_init(&g, &cfg, &e), NN_OK);
    nn_conv2d_forward(&g, out, in, w, NULL, 1);
    *oh = g.out_h;
    *ow = g.out_w;
}

// The engine's own batch pass on the view's set-up.
static void batch_(const app_state *s, float *out) {
    const convt_setup *c = &s->convt.setup;
    float in[CONVT_MAX_N * CONVT_MAX_N], w[CONVT_MAX_K * CONVT_MAX_K];
    for (int y = 0; y < c->n_h; y++)
        for (int x = 0; x < c->n_w; x++) in[y * c->n_w + x] = c->input[y][x];
    for (int y = 0; y < c->k; y++)
        for (int x = 0; x < c->k; x++) w[y * c->k + x] = c->kernel[y][x];
    nn_convt_forward(&s->convt.geom, out, in, w, NULL, 1);
}

// The right picture equals the scatter: the ordinary convolution's output
// has the transposed one's size and values (to 1e-5: other sums, other order).
static void test_equivalent_convolution_equals_scatter(void **st) {
    app_state *s = *st;
    open_convt_(s);
    for (size_t i = 0; i < sizeof configs_ / sizeof configs_[0]; i++) {
        set_(s, &configs_[i], (int)i);
        static float eq[CONVT_MAX_EQ * CONVT_MAX_EQ];
        int oh, ow;
        equivalent_conv_(s, eq, &oh, &ow);
        assert_int_equal(oh, s->convt.geom.out_h);
        assert_int_equal(ow, s->convt.geom.out_w);
        for (int k = 0; k < oh * ow; k++) assert_true(fabsf(eq[k] - s->convt.out[k]) <= 1e-5f);
    }
}

// Stepping input cell by input cell to the end leaves the output the batch
// pass computes, bit for bit; and at every step the output cells lit on the
// left (the stamp's landed taps) are those the right picture lights: the
// output cells whose rotated, dilated kernel window covers the input cell's
// place in the zero-inserted grid with a tap (not a gap between taps).
static void test_steps_end_at_batch_and_light_the_same_cells(void **st) {
    app_state *s = *st;
    open_convt_(s);
    for (size_t i = 0; i < sizeof configs_ / sizeof configs_[0]; i++) {
        set_(s, &configs_[i], (int)i + 20);
        const convt_view *v = &s->convt;
        const int oh = v->geom.out_h, ow = v->geom.out_w, d = v->setup.dilation;
        int steps = 0;
        for (;; steps++) {
            const anim_state before = v->anim;
            const app_action a = {.kind = ACT_STEP_FORWARD};
            app_update(s, &a);
            if (before.pos == v->anim.pos && before.reveal == v->anim.reveal) break;
            if (v->anim.reveal < v->step.count) continue;
            int er, ec, lit = 0;
            convt_eq_cell_of(s, v->step.row, v->step.col, &er, &ec);
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++) {
                    const int dy = er - r, dx = ec - c;
                    const bool right = dy >= 0 && dx >= 0 && dy < v->eq_k && dx < v->eq_k && dy % d == 0 && dx % d == 0;
                    bool left = false;
                    for (int k = 0; k < v->step.count; k++)
                        left = left || (!v->step.cropped[k] && v->step.out_row[k] == r && v->step.out_col[k] == c);
                    assert_int_equal(left, right);
                    lit += left;
                }
            assert_int_equal(lit, v->step.landed);
        }
        assert_int_equal(v->anim.pos, v->setup.n_h * v->setup.n_w - 1);
        assert_true(steps >= v->anim.total);
        static float now[CONVT_MAX_EQ * CONVT_MAX_EQ], batch[CONVT_MAX_EQ * CONVT_MAX_EQ];
        convt_output_now(s, now);
        batch_(s, batch);
        assert_memory_equal(now, batch, sizeof(float) * (size_t)(oh * ow));
    }
}

// Worked out by hand: stride 2 and a 2x2 kernel make stamps that do not
// overlap, each input cell times the kernel in its own 2x2 block:
//   1*[1 2; 3 4], 2*[1 2; 3 4] = [2 4; 6 8], 3*... = [3 6; 9 12], 4*... = [4 8; 12 16].
static void test_hand_worked_2x2(void **st) {
    app_state *s = *st;
    open_convt_(s);
    convt_setup c = s->convt.setup;
    c.n_h = c.n_w = 2, c.k = 2, c.stride = 2, c.pad = 0, c.out_pad = 0, c.dilation = 1;
    const float in[2][2] = {{1, 2}, {3, 4}};
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 2; x++) c.input[y][x] = in[y][x], c.kernel[y][x] = in[y][x];
    assert_true(app_set_convt(s, &c));
    static const float want[16] = {1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16};
    assert_int_equal(s->convt.geom.out_h, 4);
    assert_int_equal(s->convt.geom.out_w, 4);
    // The equivalent: 5x5 (one zero between the cells, padding d(k - 1) - p = 1), kernel [4 3; 2 1].
    assert_int_equal(s->convt.eq_h, 5);
    assert_int_equal(s->convt.eq_pad, 1);
    assert_true(s->convt.eq_kernel[0][0] == 4 && s->convt.eq_kernel[0][1] == 3 && s->convt.eq_kernel[1][0] == 2 &&
                s->convt.eq_kernel[1][1] == 1);
    const app_action end = {.kind = ACT_TO_END};
    app_update(s, &end);
    float now[16];
    convt_output_now(s, now);
    for (int k = 0; k < 16; k++) assert_true(now[k] == want[k] && s->convt.out[k] == want[k]);
    static float eq[CONVT_MAX_EQ * CONVT_MAX_EQ];
    int oh, ow;
    equivalent_conv_(s, eq, &oh, &ow);
    for (int k = 0; k < 16; k++) assert_true(fabsf(eq[k] - want[k]) <= 1e-5f);
}

// Settings the view cannot draw are refused with why; keys keep the output padding below max(s, d).
static void test_limits(void **st) {
    app_state *s = *st;
    open_convt_(s);
    convt_setup c = s->convt.setup;
    c.stride = 1, c.dilation = 1, c.out_pad = 1;
    assert_false(app_set_convt(s, &c));
    assert_non_null(strstr(s->convt.why, "output padding"));
    c = s->convt.setup;
    c.stride = 2, c.out_pad = 1, c.k = 3, c.pad = 3, c.dilation = 1;
    assert_false(app_set_convt(s, &c));
    assert_non_null(strstr(s->convt.why, "d(k - 1)"));
    c.pad = 1, c.n_h = c.n_w = 6, c.stride = 3;
    assert_false(app_set_convt(s, &c));
    assert_non_null(strstr(s->convt.why, "up to 14"));
    c.n_h = c.n_w = 3, c.stride = 2;
    assert_true(app_set_convt(s, &c));
    const app_action down = {.kind = ACT_SET_STRIDE, .value = 1};
    app_update(s, &down);
    assert_int_equal(s->convt.setup.out_pad, 0);
    assert_true(s->convt.ok);
}

// The grids inside the main area and apart, with readable cells for the
// default set-up at 1920x1080 (zoom 100 and 150) and 1280x720 zoom 100.
static void test_layout_readable(void **st) {
    app_state *s = *st;
    open_convt_(s);
    static const int sizes[3][3] = {{1920, 1080, 100}, {1920, 1080, 150}, {1280, 720, 100}};
    for (int k = 0; k < 3; k++) {
        s->zoom = sizes[k][2];
        static ui_layout l;
        layout_compute(&l, s, sizes[k][0], sizes[k][1], &METRICS);
        assert_int_equal(l.n_grids, 6);
        for (int i = 0; i < l.n_grids; i++) {
            assert_true(inside_(l.grids[i].r, l.main));
            assert_true(l.grids[i].cell >= l.min_cell);
            for (int j = 0; j < i; j++) assert_false(overlap_(l.grids[i].r, l.grids[j].r));
        }
        assert_true(l.formula.y >= l.grids[0].r.y + l.grids[0].r.h);
    }
}

// Lesson x4's first steps (a fixture kept as the lesson was written): its
// narration leaves the grids a short, wide main area.
static const char X4_LESSON[] =
    "title Transposed convolution: upsampling by stamping the kernel\n"
    "view convt\n"
    "say A transposed convolution makes a map *larger*. It runs the other way round: each *input* cell stamps value "
    "x kernel onto the output. Input (0, 0) = 1 stamps the kernel with its top-left at (-1, -1): the padding p = 1 "
    "crops the hatched row and column, four products land.\n"
    "wait\n"
    "say The stamps are s = 2 cells apart and overlap.\n";

// Lines of t wrapped greedily at spaces to width w, the fake font's 0.6 em a character.
static int lines_at_(const char *t, int px, int w) {
    int lines = 1, chars = 0;
    for (const char *p = t; *p;) {
        const char *e = strchr(p, ' ');
        const int n = e ? (int)(e - p) : (int)strlen(p);
        if (chars > 0 && (int)(0.6 * px * (chars + 1 + n) + 0.5) > w) lines++, chars = n;
        else chars += (chars ? 1 : 0) + n;
        p += n;
        while (*p == ' ') p++;
    }
    return lines;
}

// Lesson x4's set-up (2x2 input, 3x3 kernel, stride 2, padding 1, output
// padding 1) in the lesson's room.
static void x4_setup_(app_state *s, lesson *ls) {
    open_convt_(s);
    char err[300];
    assert_true(lesson_parse(ls, X4_LESSON, "x4.lesson", err, sizeof err));
    convt_setup cs = s->convt.setup;
    cs.n_h = cs.n_w = 2, cs.k = 3, cs.stride = 2, cs.pad = 1, cs.out_pad = 1, cs.dilation = 1;
    assert_true(app_set_convt(s, &cs));
    s->player.l = ls;
    s->player.n_cmds = ls->n;
    s->player.n_beats = 2;
}

// The grids take the room there is. In the lesson's short, wide main area
// the cells are readable at 1280x720 zoom 100 and at least three quarters of
// readable at the other sizes (before: 35 and 13 px with this fake font),
// and (unless already at their largest, two readable cells, or the step
// written out keeps its room) the grids with a legend beside them reach
// within three cells of the area's right edge: no band of width left unused
// while the cells are bound by the height (the rotated kernel beside its
// output, the legend beside the grids). The step written out is shown
// whenever the room under the formula holds all its lines (wrapped here at
// the fake font's 0.6 em a character), as at 1920x1080 zoom 100 in the
// lesson, and left out only when it does not fit (the view at 1920x1080
// zoom 150, its cells at the readable minimum: the formula ends at the
// area's bottom).
static void test_layout_lesson_room(void **st) {
    app_state *s = *st;
    static lesson ls;
    x4_setup_(s, &ls);
    static const int sizes[5][4] = {
        {1280, 720, 100, 1}, {1280, 720, 150, 1}, {1920, 1080, 100, 1}, {1920, 1080, 150, 1}, {1920, 1080, 150, 0}};
    for (int k = 0; k < 5; k++) {
        s->zoom = sizes[k][2];
        s->player.l = sizes[k][3] ? &ls : NULL;
        static ui_layout l;
        layout_compute(&l, s, sizes[k][0], sizes[k][1], &METRICS);
        const ui_rect area = {l.main.x + l.pad, l.main.y + l.pad, l.main.w - 2 * l.pad, l.main.h - 2 * l.pad};
        assert_int_equal(l.n_grids, 6);
        const int c = l.grids[0].cell;
        int right = 0;
        for (int i = 0; i < l.n_grids; i++) {
            assert_int_equal(l.grids[i].cell, c);
            assert_true(inside_(l.grids[i].r, area));
            assert_false(overlap_(l.grids[i].r, l.legend));
            assert_false(overlap_(l.grids[i].r, l.formula));
            right = ui_max(right, l.grids[i].r.x + l.grids[i].r.w);
        }
        if (l.legend.x > right) right = l.legend.x + l.legend.w;  // the legend beside the grids
        if (sizes[k][3]) {  // in the lesson's room
            if (sizes[k][0] == 1280 && sizes[k][2] == 100) assert_true(c >= l.min_cell);
            assert_true(c >= l.min_cell * 3 / 4);
            if (c < 2 * l.min_cell && l.arithmetic.h == 0) assert_true(area.x + area.w - right <= 3 * c);
        }
        assert_true(l.legend.h > 0);
        assert_true(l.formula.h >= l.small_px * 5 / 4);
        char t[2400];
        convt_text_step(s, s->convt.setup.k * s->convt.setup.k, t, sizeof t);
        const int need = lines_at_(t, l.small_px, area.w) * (l.small_px * 5 / 4);
        const int room = area.y + area.h - (l.formula.y + l.formula.h + 2 * l.pad);
        if (room >= need) assert_true(l.arithmetic.h >= need);
        else assert_int_equal(l.arithmetic.h, 0);
        if (sizes[k][0] == 1920 && sizes[k][2] == 100) assert_true(l.arithmetic.h >= need);
        if (sizes[k][0] == 1920 && sizes[k][2] == 150 && !sizes[k][3]) assert_int_equal(l.arithmetic.h, 0);
    }
    s->player.l = NULL;
    s->zoom = 100;
    lesson_free(&ls);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_equivalent_convolution_equals_scatter, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_steps_end_at_batch_and_light_the_same_cells, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_hand_worked_2x2, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_limits, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_layout_readable, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_layout_lesson_room, setup_, teardown_),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
