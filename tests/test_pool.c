// test_pool.c - max and average pooling worked by hand: slide 000's 5x5 with
// a 3x3 window at stride 1 and a 2x2 window at stride 2, padding (a max never
// picks a padded zero; an average counts it and divides by the full window),
// argmax indices with ties, channels, batches, and the errors.
//
// Expected arrays from `python3 tests/tools/reference.py pool` (plain loops,
// padding cells marked as absent; max keeps the first winner in row-major
// order). Slide 000's printed max pooling, 3 3 3 / 3 3 3 / 3 2 3, agrees with
// the arithmetic (`python3 tests/tools/reference.py slides`).
#include <stdlib.h>

#include "helpers.h"

// Slide 000's image.
static const float s0[25] = {
    3, 3, 2, 1, 0,
    0, 0, 1, 3, 1,
    3, 1, 2, 2, 3,
    2, 0, 0, 2, 2,
    2, 0, 0, 0, 1,
};
// Slide 002's binary image.
static const float s2[25] = {
    1, 1, 1, 0, 0,
    0, 1, 1, 1, 0,
    0, 0, 1, 1, 1,
    0, 0, 1, 1, 0,
    0, 1, 1, 0, 0,
};
// -s0 - 1: negative everywhere, so a padded zero would win a max if counted.
static const float neg[25] = {
    -4.0f, -4.0f, -3.0f, -2.0f, -1.0f,
    -1.0f, -1.0f, -2.0f, -4.0f, -2.0f,
    -4.0f, -2.0f, -3.0f, -3.0f, -4.0f,
    -3.0f, -1.0f, -1.0f, -3.0f, -3.0f,
    -3.0f, -1.0f, -1.0f, -1.0f, -2.0f,
};
// Ties inside each 2x2 window.
static const float tie[16] = {
    1.0f, 1.0f, 0.0f, 2.0f,
    1.0f, 1.0f, 2.0f, 0.0f,
    5.0f, 0.0f, 7.0f, 7.0f,
    0.0f, 5.0f, 7.0f, 7.0f,
};

// ---- Expected (python3 tests/tools/reference.py pool) --------------------------------

// argmax: index y * 5 + x of the winner in the 5x5 input plane
static const float max3_s1[9] = {
    3.0f, 3.0f, 3.0f,
    3.0f, 3.0f, 3.0f,
    3.0f, 2.0f, 3.0f,
};
static const int max3_s1_argmax[9] = {
    0, 1, 8,
    10, 8, 8,
    10, 12, 14,
};
static const float max2_s2[4] = {
    3.0f, 3.0f,
    3.0f, 2.0f,
};
static const int max2_s2_argmax[4] = {
    0, 8,
    10, 12,
};
static const float avg3_s1[9] = {
    1.66666667f, 1.66666667f, 1.66666667f,
    1.0f, 1.22222222f, 1.77777778f,
    1.11111111f, 0.777777778f, 1.33333333f,
};
// corner: only s0[0][0] = 3 is real, and 3 / 4 = 0.75 (not 3 / 1)
static const float avg2_s2_pad1[9] = {
    0.75f, 1.25f, 0.25f,
    0.75f, 1.0f, 2.25f,
    1.0f, 0.0f, 1.25f,
};
static const float max3_s2_pad1_neg[9] = {
    -1.0f, -1.0f, -1.0f,
    -1.0f, -1.0f, -2.0f,
    -1.0f, -1.0f, -1.0f,
};
static const int max3_s2_pad1_neg_argmax[9] = {
    5, 6, 4,
    5, 6, 9,
    16, 16, 23,
};
// corner: (-4 - 4 - 1 - 1) / 9, the five padded cells counted as zeros
static const float avg3_s2_pad1_neg[9] = {
    -1.11111111f, -1.77777778f, -1.0f,
    -1.33333333f, -2.22222222f, -2.11111111f,
    -0.888888889f, -0.888888889f, -1.0f,
};
static const float tie_max2[4] = {
    1.0f, 2.0f,
    5.0f, 7.0f,
};
static const int tie_max2_argmax[4] = {
    0, 3,
    8, 10,
};
static const float two_channels_max2_s1[32] = {
    3.0f, 3.0f, 3.0f, 3.0f,
    3.0f, 2.0f, 3.0f, 3.0f,
    3.0f, 2.0f, 2.0f, 3.0f,
    2.0f, 0.0f, 2.0f, 2.0f,
    1.0f, 1.0f, 1.0f, 1.0f,
    1.0f, 1.0f, 1.0f, 1.0f,
    0.0f, 1.0f, 1.0f, 1.0f,
    1.0f, 1.0f, 1.0f, 1.0f,
};
static const int two_channels_max2_s1_argmax[32] = {
    0, 1, 8, 8,
    10, 12, 8, 8,
    10, 12, 12, 14,
    15, 16, 18, 18,
    0, 1, 2, 8,
    6, 6, 7, 8,
    10, 12, 12, 13,
    21, 17, 17, 18,
};
static const float avg2x3_s1[12] = {
    1.5f, 1.66666667f, 1.33333333f,
    1.16666667f, 1.5f, 2.0f,
    1.33333333f, 1.16666667f, 1.83333333f,
    0.666666667f, 0.333333333f, 0.833333333f,
};

// ---- Helpers ----------------------------------------------------------------------------

static nn_pool_config pool_of(nn_pool_mode mode, int c, int h, int w, int size_h, int size_w,
                              int stride, int pad) {
    nn_pool_config p = {.mode = mode, .c = c, .in_h = h, .in_w = w, .size_h = size_h,
                        .size_w = size_w, .stride = stride, .pad = pad};
    return p;
}

// Runs the batch pass and compares values (and, if want_arg is given, the
// argmax indices) with the expected arrays of batch x c x want_h x want_w.
static void check_pool_(const nn_pool_config *cfg, const float *in, int batch, int want_h,
                        int want_w, const float *want, const int *want_arg, const char *what,
                        const char *file, int line) {
    nn_error err = error_fresh();
    nn_pool_geom g;
    assert_ok(nn_pool_geom_init(&g, cfg, &err), err);
    if (g.out_h != want_h || g.out_w != want_w) {
        print_error("%s: output is %dx%d, want %dx%d\n", what, g.out_h, g.out_w, want_h,
                    want_w);
        _fail(file, line);
    }
    const size_t count = (size_t)batch * cfg->c * want_h * want_w;
    float *out = malloc(count * sizeof *out);
    int *arg = malloc(count * sizeof *arg);
    assert_non_null(out);
    assert_non_null(arg);
    for (size_t i = 0; i < count; i++) {
        out[i] = NAN;
        arg[i] = -99;
    }
    nn_pool_forward(&g, out, want_arg ? arg : NULL, in, batch);
    assert_tensor_near_(out, want, count, 1e-6, what, file, line);
    if (want_arg) {
        int bad = 0;
        for (size_t i = 0; i < count; i++) {
            if (arg[i] == want_arg[i]) continue;
            if (bad++ < HELPERS_MAX_SHOWN)
                print_error("%s argmax[%zu]: got %d, want %d\n", what, i, arg[i], want_arg[i]);
        }
        if (bad) _fail(file, line);
    }
    free(out);
    free(arg);
}

#define check_pool(cfg, in, batch, want_h, want_w, want, want_arg)                            \
    check_pool_((cfg), (in), (batch), (want_h), (want_w), (want), (want_arg), #want, __FILE__, \
                __LINE__)

// ---- Max pooling -------------------------------------------------------------------------

// Slide 000: 3x3 window, stride 1, on the 5x5 image; ties go to the first cell.
static void test_slide000_max3_stride1(void **state) {
    (void)state;
    nn_pool_config c = pool_of(NN_POOL_MAX, 1, 5, 5, 3, 3, 1, 0);
    check_pool(&c, s0, 1, 3, 3, max3_s1, max3_s1_argmax);
}

// 2x2 stride 2 on 5x5 gives 2x2: the last row and column are dropped.
static void test_max2_stride2_drops_last_row_and_col(void **state) {
    (void)state;
    nn_pool_config c = pool_of(NN_POOL_MAX, 1, 5, 5, 2, 2, 2, 0);
    nn_pool_geom g;
    nn_error err = error_fresh();
    assert_ok(nn_pool_geom_init(&g, &c, &err), err);
    assert_int_equal(g.rows.remainder, 1);
    assert_int_equal(g.cols.remainder, 1);
    check_pool(&c, s0, 1, 2, 2, max2_s2, max2_s2_argmax);
    // a huge value in the dropped row/column changes nothing
    float changed[25];
    memcpy(changed, s0, sizeof s0);
    changed[4 * 5 + 2] = 99.0f;
    changed[1 * 5 + 4] = 99.0f;
    check_pool(&c, changed, 1, 2, 2, max2_s2, max2_s2_argmax);
}

// With padding a max ignores the padded zeros: on negative input every output stays negative.
static void test_max_ignores_padding(void **state) {
    (void)state;
    nn_pool_config c = pool_of(NN_POOL_MAX, 1, 5, 5, 3, 3, 2, 1);
    check_pool(&c, neg, 1, 3, 3, max3_s2_pad1_neg, max3_s2_pad1_neg_argmax);
}

// Ties: the first maximum in row-major order wins (in the same row and across rows).
static void test_argmax_ties_first_in_row_major_order(void **state) {
    (void)state;
    nn_pool_config c = pool_of(NN_POOL_MAX, 1, 4, 4, 2, 2, 2, 0);
    check_pool(&c, tie, 1, 2, 2, tie_max2, tie_max2_argmax);
}

// Each channel is pooled on its own; argmax indexes that channel's plane.
static void test_two_channels_pooled_separately(void **state) {
    (void)state;
    float in[50];
    memcpy(in, s0, sizeof s0);
    memcpy(in + 25, s2, sizeof s2);
    nn_pool_config c = pool_of(NN_POOL_MAX, 2, 5, 5, 2, 2, 1, 0);
    check_pool(&c, in, 1, 4, 4, two_channels_max2_s1, two_channels_max2_s1_argmax);
}

// A batch of two one-channel samples gives each sample its own block.
static void test_batch_of_two_samples(void **state) {
    (void)state;
    float in[50];
    memcpy(in, s0, sizeof s0);
    memcpy(in + 25, s2, sizeof s2);
    nn_pool_config c = pool_of(NN_POOL_MAX, 1, 5, 5, 2, 2, 1, 0);
    // batch 2 x 1 channel has the same layout as 1 x 2 channels
    check_pool(&c, in, 2, 4, 4, two_channels_max2_s1, two_channels_max2_s1_argmax);
}

// The argmax array is optional.
static void test_max_without_argmax(void **state) {
    (void)state;
    nn_pool_config c = pool_of(NN_POOL_MAX, 1, 5, 5, 3, 3, 1, 0);
    check_pool(&c, s0, 1, 3, 3, max3_s1, NULL);
}

// ---- Average pooling ------------------------------------------------------------------------

// 3x3 average, stride 1, on slide 000's image.
static void test_avg3_stride1(void **state) {
    (void)state;
    nn_pool_config c = pool_of(NN_POOL_AVG, 1, 5, 5, 3, 3, 1, 0);
    check_pool(&c, s0, 1, 3, 3, avg3_s1, NULL);
}

// With padding (pad = size / 2 is allowed) the average divides by the full 2x2 window.
static void test_avg_pad_divides_by_full_window(void **state) {
    (void)state;
    nn_pool_config c = pool_of(NN_POOL_AVG, 1, 5, 5, 2, 2, 2, 1);
    check_pool(&c, s0, 1, 3, 3, avg2_s2_pad1, NULL);
}

// Padded zeros count in an average: on negative input they pull the corners toward 0.
static void test_avg_counts_padding_as_zero(void **state) {
    (void)state;
    nn_pool_config c = pool_of(NN_POOL_AVG, 1, 5, 5, 3, 3, 2, 1);
    check_pool(&c, neg, 1, 3, 3, avg3_s2_pad1_neg, NULL);
}

// A rectangular 2x3 window: 5x5 gives 4x3 and each value is a sum over 6.
static void test_avg_rectangular_window(void **state) {
    (void)state;
    nn_pool_config c = pool_of(NN_POOL_AVG, 1, 5, 5, 2, 3, 1, 0);
    check_pool(&c, s0, 1, 4, 3, avg2x3_s1, NULL);
}

// ---- Errors ----------------------------------------------------------------------------------

// Padding more than half the window is refused (a window could be all padding).
static void test_error_pad_more_than_half_window(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_pool_geom g;
    nn_pool_config c = pool_of(NN_POOL_MAX, 1, 5, 5, 3, 3, 1, 2);
    assert_status(nn_pool_geom_init(&g, &c, &err), NN_ERR_ARG, err);
    assert_error_contains(err, "pooling padding 2 is more than half the 3x3 window (at most 1)");
    // the smaller side of a rectangular window sets the limit
    c = pool_of(NN_POOL_AVG, 1, 5, 5, 2, 4, 1, 2);
    assert_status(nn_pool_geom_init(&g, &c, &err), NN_ERR_ARG, err);
    assert_error_contains(err, "pooling padding 2 is more than half the 2x4 window (at most 1)");
}

// A window larger than the input is explained in two dimensions.
static void test_error_window_larger_than_input(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_pool_geom g;
    nn_pool_config c = pool_of(NN_POOL_MAX, 1, 2, 2, 3, 3, 3, 0);
    assert_status(nn_pool_geom_init(&g, &c, &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "the pooling window 3x3 is larger than the padded input 2x2 "
                               "(input 2x2, padding 0)");
    // padding 1 on 1x1 gives 3x3, still short of 4x4
    c = pool_of(NN_POOL_AVG, 1, 1, 1, 4, 4, 1, 1);
    assert_status(nn_pool_geom_init(&g, &c, &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "the pooling window 4x4 is larger than the padded input 3x3 "
                               "(input 1x1, padding 1)");
}

// Negative padding, zero stride, no channels and an unknown mode are refused.
static void test_error_bad_arguments(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_pool_geom g;
    nn_pool_config c = pool_of(NN_POOL_MAX, 1, 5, 5, 2, 2, 2, -1);
    assert_status(nn_pool_geom_init(&g, &c, &err), NN_ERR_ARG, err);
    assert_error_contains(err, "the padding must not be negative, got -1");
    c = pool_of(NN_POOL_MAX, 1, 5, 5, 2, 2, 0, 0);
    assert_status(nn_pool_geom_init(&g, &c, &err), NN_ERR_ARG, err);
    assert_error_contains(err, "the stride must be at least 1, got 0");
    c = pool_of(NN_POOL_MAX, 0, 5, 5, 2, 2, 2, 0);
    assert_status(nn_pool_geom_init(&g, &c, &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "the input needs 1 to 1000000 channels, got 0");
    c = pool_of((nn_pool_mode)7, 1, 5, 5, 2, 2, 2, 0);
    assert_status(nn_pool_geom_init(&g, &c, &err), NN_ERR_ARG, err);
    assert_error_contains(err, "unknown pooling mode 7");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slide000_max3_stride1),
        cmocka_unit_test(test_max2_stride2_drops_last_row_and_col),
        cmocka_unit_test(test_max_ignores_padding),
        cmocka_unit_test(test_argmax_ties_first_in_row_major_order),
        cmocka_unit_test(test_two_channels_pooled_separately),
        cmocka_unit_test(test_batch_of_two_samples),
        cmocka_unit_test(test_max_without_argmax),
        cmocka_unit_test(test_avg3_stride1),
        cmocka_unit_test(test_avg_pad_divides_by_full_window),
        cmocka_unit_test(test_avg_counts_padding_as_zero),
        cmocka_unit_test(test_avg_rectangular_window),
        cmocka_unit_test(test_error_pad_more_than_half_window),
        cmocka_unit_test(test_error_window_larger_than_input),
        cmocka_unit_test(test_error_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
