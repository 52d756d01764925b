// test_conv2d.c - convolution worked by hand: the lecture slides' examples,
// several channels and filters with bias, valid/same/explicit padding (odd,
// even and rectangular kernels), stride that drops rows, dilation, batches,
// and the two-dimensional error sentences.
//
// Every expected array below was printed by
//     python3 tests/tools/reference.py conv2d
// (plain loops over an explicitly zero-padded image; never the engine, and
// never a slide's printed result). The slides' printed feature maps used
// here (000: 12 12 17 / 10 17 19 / 9 6 14; 002: 4 3 4 / 2 4 3 / 2 3 4) agree
// with that arithmetic: `python3 tests/tools/reference.py slides` checks them.
#include <stdlib.h>

#include "helpers.h"

#include <math.h>
#include <string.h>

#include "gemm.h"

// ---- Inputs and kernels ---------------------------------------------------------

// Slide 000 "Image example" and "Filter example".
static const float s0[25] = {
    3, 3, 2, 1, 0,
    0, 0, 1, 3, 1,
    3, 1, 2, 2, 3,
    2, 0, 0, 2, 2,
    2, 0, 0, 0, 1,
};
static const float k0[9] = {
    0, 1, 2,
    2, 2, 0,
    0, 1, 2,
};
// Slide 002 "What is a Convolution?": binary 5x5 and the X-shaped filter.
static const float s2[25] = {
    1, 1, 1, 0, 0,
    0, 1, 1, 1, 0,
    0, 0, 1, 1, 1,
    0, 0, 1, 1, 0,
    0, 1, 1, 0, 0,
};
static const float kx[9] = {
    1, 0, 1,
    0, 1, 0,
    1, 0, 1,
};
// Slide 002 edge-detection and emboss kernels.
static const float edge[9] = {
    0, 1, 0,
    1, -4, 1,
    0, 1, 0,
};
static const float emboss[9] = {
    -2, -1, 0,
    -1, 1, 1,
    0, 1, 2,
};
// Made-up kernels for 'same' padding: even, larger even, rectangular.
static const float k2[4] = {
    1, 2,
    3, 4,
};
static const float k4[16] = {
    1.0f, 2.0f, 3.0f, 4.0f,
    5.0f, 6.0f, 7.0f, 8.0f,
    9.0f, 10.0f, 11.0f, 12.0f,
    13.0f, 14.0f, 15.0f, 16.0f,
};
static const float k23[6] = {
    1, -1, 2,
    0, 3, -2,
};
// A 7x7 input for slide 002's stride and padding examples (the slide gives
// only the grid): x[r][c] = (3r + 5c + rc) mod 7 - 3.
static const float seven[49] = {
    -3.0f, 2.0f, 0.0f, -2.0f, 3.0f, 1.0f, -1.0f,
    0.0f, -1.0f, -2.0f, -3.0f, 3.0f, 2.0f, 1.0f,
    3.0f, 3.0f, 3.0f, 3.0f, 3.0f, 3.0f, 3.0f,
    -1.0f, 0.0f, 1.0f, 2.0f, 3.0f, -3.0f, -2.0f,
    2.0f, -3.0f, -1.0f, 1.0f, 3.0f, -2.0f, 0.0f,
    -2.0f, 1.0f, -3.0f, 0.0f, 3.0f, -1.0f, 2.0f,
    1.0f, -2.0f, 2.0f, -1.0f, 3.0f, 0.0f, -3.0f,
};

// ---- Expected outputs (python3 tests/tools/reference.py conv2d) -------------------

static const float conv_slide000_valid[9] = {
    12.0f, 12.0f, 17.0f,
    10.0f, 17.0f, 19.0f,
    9.0f, 6.0f, 14.0f,
};
static const float conv_slide002_valid[9] = {
    4.0f, 3.0f, 4.0f,
    2.0f, 4.0f, 3.0f,
    2.0f, 3.0f, 4.0f,
};
static const float conv_edge_same[25] = {
    -9.0f, -7.0f, -3.0f, 1.0f, 2.0f,
    6.0f, 5.0f, 3.0f, -7.0f, 2.0f,
    -9.0f, 1.0f, -4.0f, 2.0f, -7.0f,
    -3.0f, 3.0f, 4.0f, -4.0f, -2.0f,
    -6.0f, 2.0f, 0.0f, 3.0f, -2.0f,
};
static const float conv_emboss_pad1[25] = {
    4.0f, 4.0f, 3.0f, 0.0f, 0.0f,
    0.0f, 1.0f, 1.0f, 1.0f, 0.0f,
    0.0f, 2.0f, 2.0f, -1.0f, -2.0f,
    2.0f, 4.0f, 2.0f, -3.0f, -4.0f,
    1.0f, 2.0f, -1.0f, -4.0f, -2.0f,
};
// input channels (s0, s2); filter 0 = (k0, kx) + 1.0, filter 1 = (edge, emboss) - 0.5
static const float conv_two_channels_two_filters[18] = {
    17.0f, 16.0f, 22.0f,
    13.0f, 22.0f, 23.0f,
    12.0f, 10.0f, 19.0f,
    5.5f, 3.5f, -6.5f,
    2.5f, -2.5f, 0.5f,
    6.5f, 5.5f, -7.5f,
};
// s2 by k0, valid: the second sample of the batch test
static const float conv_batch_second_sample[9] = {
    7.0f, 8.0f, 7.0f,
    5.0f, 8.0f, 6.0f,
    5.0f, 6.0f, 7.0f,
};
static const float conv_seven_stride1[25] = {
    9.0f, -1.0f, 3.0f, 14.0f, 18.0f,
    9.0f, 9.0f, 23.0f, 16.0f, 9.0f,
    2.0f, 12.0f, 22.0f, 18.0f, 7.0f,
    -5.0f, -6.0f, 14.0f, 6.0f, -2.0f,
    -5.0f, -3.0f, 6.0f, 8.0f, -4.0f,
};
static const float conv_seven_stride2[9] = {
    9.0f, 3.0f, 18.0f,
    2.0f, 22.0f, 7.0f,
    -5.0f, 6.0f, -4.0f,
};
static const float conv_seven_stride3[4] = {
    9.0f, 14.0f,
    -5.0f, 6.0f,
};
static const float conv_seven_pad1[49] = {
    -8.0f, -7.0f, -4.0f, -1.0f, 9.0f, 12.0f, 1.0f,
    10.0f, 9.0f, -1.0f, 3.0f, 14.0f, 18.0f, 8.0f,
    3.0f, 9.0f, 9.0f, 23.0f, 16.0f, 9.0f, 11.0f,
    3.0f, 2.0f, 12.0f, 22.0f, 18.0f, 7.0f, -7.0f,
    3.0f, -5.0f, -6.0f, 14.0f, 6.0f, -2.0f, -4.0f,
    -11.0f, -5.0f, -3.0f, 6.0f, 8.0f, -4.0f, -1.0f,
    2.0f, -7.0f, -3.0f, 8.0f, 5.0f, 9.0f, -4.0f,
};
static const float conv_seven_pad1_stride2[16] = {
    -8.0f, -4.0f, 9.0f, 1.0f,
    3.0f, 9.0f, 16.0f, 11.0f,
    3.0f, -6.0f, 6.0f, -4.0f,
    2.0f, -3.0f, 5.0f, -4.0f,
};
// s0 by k2 'same': padding 0 top/left, 1 bottom/right
static const float conv_k2_same[25] = {
    9.0f, 11.0f, 19.0f, 14.0f, 3.0f,
    13.0f, 13.0f, 21.0f, 23.0f, 10.0f,
    11.0f, 5.0f, 14.0f, 22.0f, 9.0f,
    8.0f, 0.0f, 4.0f, 10.0f, 5.0f,
    2.0f, 0.0f, 0.0f, 2.0f, 1.0f,
};
// s0 by k4 'same': padding 1 top/left, 2 bottom/right
static const float conv_k4_same[25] = {
    156.0f, 217.0f, 208.0f, 165.0f, 110.0f,
    124.0f, 191.0f, 194.0f, 163.0f, 124.0f,
    93.0f, 134.0f, 132.0f, 110.0f, 85.0f,
    49.0f, 63.0f, 65.0f, 52.0f, 40.0f,
    16.0f, 20.0f, 22.0f, 17.0f, 12.0f,
};
// s0 by k23 'same': rows padded 0 top, 1 bottom; cols 1 left, 1 right
static const float conv_k23_same[25] = {
    3.0f, 2.0f, 0.0f, 8.0f, 4.0f,
    7.0f, 1.0f, 7.0f, 0.0f, 11.0f,
    5.0f, 6.0f, -1.0f, 8.0f, 5.0f,
    4.0f, 2.0f, 4.0f, 0.0f, 3.0f,
    -2.0f, 2.0f, 0.0f, 2.0f, -1.0f,
};
// s0 by k2 'same' stride 2: ceil(5/2) = 3, padding 0 top/left, 1 bottom/right
static const float conv_k2_same_stride2[9] = {
    9.0f, 19.0f, 3.0f,
    11.0f, 14.0f, 9.0f,
    2.0f, 0.0f, 1.0f,
};
static const float conv_seven_dilation2[9] = {
    23.0f, 9.0f, 16.0f,
    7.0f, 3.0f, 20.0f,
    19.0f, 4.0f, 10.0f,
};
static const float conv_seven_dilation2_same[49] = {
    3.0f, 13.0f, 3.0f, 9.0f, 15.0f, 1.0f, 7.0f,
    1.0f, 2.0f, 3.0f, -12.0f, 1.0f, -5.0f, 6.0f,
    3.0f, 3.0f, 23.0f, 9.0f, 16.0f, 11.0f, 11.0f,
    -14.0f, -6.0f, 7.0f, 3.0f, 20.0f, -1.0f, 5.0f,
    18.0f, -1.0f, 19.0f, 4.0f, 10.0f, 1.0f, 6.0f,
    -3.0f, 6.0f, -3.0f, -2.0f, -1.0f, -5.0f, 8.0f,
    2.0f, -5.0f, 11.0f, -9.0f, 13.0f, -4.0f, 0.0f,
};
static const float conv_seven_dilation3[1] = {-9.0f};
static const float conv_seven_dilation2_stride2[4] = {
    23.0f, 16.0f,
    19.0f, 10.0f,
};

// ---- Helpers ----------------------------------------------------------------------

#define VALID ((nn_padding){NN_PAD_VALID, 0})
#define SAME ((nn_padding){NN_PAD_SAME, 0})

static nn_conv2d_config config_of(int in_c, int h, int w, int filters, int k_h, int k_w,
                                  int stride, int dilation, nn_padding padding) {
    nn_conv2d_config c = {.in_c = in_c, .in_h = h, .in_w = w, .filters = filters,
                          .k_h = k_h, .k_w = k_w, .stride = stride, .dilation = dilation,
                          .padding = padding};
    return c;
}

// Runs the batch forward pass and compares every output with `want`
// (batch x filters x want_h x want_w values). The output buffer starts as NaN
// so an element the pass never writes shows up as a mismatch.
static void check_conv_(const nn_conv2d_config *cfg, const float *in, const float *weights,
                        const float *bias, int batch, int want_h, int want_w,
                        const float *want, const char *what, const char *file, int line) {
    nn_error err = error_fresh();
    nn_conv2d_geom g;
    assert_ok(nn_conv2d_geom_init(&g, cfg, &err), err);
    if (g.out_h != want_h || g.out_w != want_w) {
        print_error("%s: output is %dx%d, want %dx%d\n", what, g.out_h, g.out_w, want_h,
                    want_w);
        _fail(file, line);
    }
    const size_t count = (size_t)batch * cfg->filters * want_h * want_w;
    float *out = malloc(count * sizeof *out);
    assert_non_null(out);
    for (size_t i = 0; i < count; i++) out[i] = NAN;
    nn_conv2d_forward(&g, out, in, weights, bias, batch);
    assert_tensor_near_(out, want, count, 1e-5, what, file, line);
    free(out);
}

#define check_conv(cfg, in, weights, bias, batch, want_h, want_w, want)                    \
    check_conv_((cfg), (in), (weights), (bias), (batch), (want_h), (want_w), (want), #want, \
                __FILE__, __LINE__)

// ---- Slides -------------------------------------------------------------------------

// Slide 000: the 5x5 image by the 3x3 filter, no padding, gives the 3x3 feature map.
static void test_slide000_feature_map(void **state) {
    (void)state;
    nn_conv2d_config c = config_of(1, 5, 5, 1, 3, 3, 1, 1, VALID);
    check_conv(&c, s0, k0, NULL, 1, 3, 3, conv_slide000_valid);
}

// Slide 002: the binary 5x5 by the X filter gives 4 3 4 / 2 4 3 / 2 3 4.
static void test_slide002_binary_x_filter(void **state) {
    (void)state;
    nn_conv2d_config c = config_of(1, 5, 5, 1, 3, 3, 1, 1, VALID);
    check_conv(&c, s2, kx, NULL, 1, 3, 3, conv_slide002_valid);
}

// Slide 002's edge-detection kernel with 'same' padding (1 on every side) keeps 5x5.
static void test_edge_kernel_same_padding(void **state) {
    (void)state;
    nn_conv2d_config c = config_of(1, 5, 5, 1, 3, 3, 1, 1, SAME);
    check_conv(&c, s0, edge, NULL, 1, 5, 5, conv_edge_same);
}

// Slide 002's emboss kernel with explicit padding 1 keeps 5x5.
static void test_emboss_kernel_explicit_pad1(void **state) {
    (void)state;
    nn_conv2d_config c = config_of(1, 5, 5, 1, 3, 3, 1, 1, nn_padding_explicit(1));
    check_conv(&c, s2, emboss, NULL, 1, 5, 5, conv_emboss_pad1);
}

// ---- Channels, filters, bias, batch ---------------------------------------------------

// Each filter spans both input channels and adds its own bias.
static void test_two_channels_two_filters_with_bias(void **state) {
    (void)state;
    float in[50], w[36];
    memcpy(in, s0, sizeof s0);  // channel 0
    memcpy(in + 25, s2, sizeof s2);  // channel 1
    memcpy(w, k0, sizeof k0);  // filter 0, channel 0
    memcpy(w + 9, kx, sizeof kx);  // filter 0, channel 1
    memcpy(w + 18, edge, sizeof edge);  // filter 1, channel 0
    memcpy(w + 27, emboss, sizeof emboss);  // filter 1, channel 1
    const float bias[2] = {1.0f, -0.5f};
    nn_conv2d_config c = config_of(2, 5, 5, 2, 3, 3, 1, 1, VALID);
    check_conv(&c, in, w, bias, 1, 3, 3, conv_two_channels_two_filters);
}

// Two filters with the same weights differ exactly by their biases.
static void test_bias_is_per_filter(void **state) {
    (void)state;
    float w[18], want_biased[18];
    memcpy(w, k0, sizeof k0);
    memcpy(w + 9, k0, sizeof k0);
    for (int i = 0; i < 9; i++) {
        want_biased[i] = conv_slide000_valid[i] - 2.0f;
        want_biased[9 + i] = conv_slide000_valid[i] + 10.0f;
    }
    const float bias[2] = {-2.0f, 10.0f};
    nn_conv2d_config c = config_of(1, 5, 5, 2, 3, 3, 1, 1, VALID);
    check_conv(&c, s0, w, bias, 1, 3, 3, want_biased);
}

// A batch of two samples: each output block belongs to its own sample.
static void test_batch_of_two_samples(void **state) {
    (void)state;
    float in[50], want_batch[18];
    memcpy(in, s0, sizeof s0);
    memcpy(in + 25, s2, sizeof s2);
    memcpy(want_batch, conv_slide000_valid, sizeof conv_slide000_valid);
    memcpy(want_batch + 9, conv_batch_second_sample, sizeof conv_batch_second_sample);
    nn_conv2d_config c = config_of(1, 5, 5, 1, 3, 3, 1, 1, VALID);
    check_conv(&c, in, k0, NULL, 2, 3, 3, want_batch);
}

// ---- Stride and padding (slide 002's 7x7) ------------------------------------------------

// 7x7 by 3x3: stride 1 gives 5x5 and stride 2 gives 3x3, as slide 002 says.
static void test_seven_stride1_and_stride2(void **state) {
    (void)state;
    nn_conv2d_config c = config_of(1, 7, 7, 1, 3, 3, 1, 1, VALID);
    check_conv(&c, seven, k0, NULL, 1, 5, 5, conv_seven_stride1);
    c.stride = 2;
    check_conv(&c, seven, k0, NULL, 1, 3, 3, conv_seven_stride2);
}

// Stride 3 fits only 2 windows per axis; the last row and column are never read.
static void test_seven_stride3_drops_last_row_and_col(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_config c = config_of(1, 7, 7, 1, 3, 3, 3, 1, VALID);
    nn_conv2d_geom g;
    assert_ok(nn_conv2d_geom_init(&g, &c, &err), err);
    assert_int_equal(g.rows.remainder, 1);
    assert_int_equal(g.cols.remainder, 1);
    check_conv(&c, seven, k0, NULL, 1, 2, 2, conv_seven_stride3);
    // Changing the dropped row 6 and column 6 must not change the result.
    float changed[49];
    memcpy(changed, seven, sizeof seven);
    for (int i = 0; i < 7; i++) {
        changed[6 * 7 + i] = 1000.0f;
        changed[i * 7 + 6] = -1000.0f;
    }
    check_conv(&c, changed, k0, NULL, 1, 2, 2, conv_seven_stride3);
}

// Slide 002: 7x7 with a 3x3 filter, stride 1, pad 1 gives 7x7; stride 2 gives 4x4.
static void test_seven_pad1(void **state) {
    (void)state;
    nn_conv2d_config c = config_of(1, 7, 7, 1, 3, 3, 1, 1, nn_padding_explicit(1));
    check_conv(&c, seven, k0, NULL, 1, 7, 7, conv_seven_pad1);
    c.stride = 2;
    check_conv(&c, seven, k0, NULL, 1, 4, 4, conv_seven_pad1_stride2);
}

// 'same' with a 2x2 kernel pads one row/column at the bottom/right only.
static void test_even_kernel_same_pads_bottom_right(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_config c = config_of(1, 5, 5, 1, 2, 2, 1, 1, SAME);
    nn_conv2d_geom g;
    assert_ok(nn_conv2d_geom_init(&g, &c, &err), err);
    assert_int_equal(g.rows.pad_lo, 0);
    assert_int_equal(g.rows.pad_hi, 1);
    assert_int_equal(g.cols.pad_lo, 0);
    assert_int_equal(g.cols.pad_hi, 1);
    check_conv(&c, s0, k2, NULL, 1, 5, 5, conv_k2_same);
}

// 'same' with a 4x4 kernel pads 1 before and 2 after.
static void test_k4_same_pads_one_before_two_after(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_config c = config_of(1, 5, 5, 1, 4, 4, 1, 1, SAME);
    nn_conv2d_geom g;
    assert_ok(nn_conv2d_geom_init(&g, &c, &err), err);
    assert_int_equal(g.rows.pad_lo, 1);
    assert_int_equal(g.rows.pad_hi, 2);
    check_conv(&c, s0, k4, NULL, 1, 5, 5, conv_k4_same);
}

// A 2x3 kernel with 'same': rows pad 0+1, columns pad 1+1.
static void test_rectangular_kernel_same(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_config c = config_of(1, 5, 5, 1, 2, 3, 1, 1, SAME);
    nn_conv2d_geom g;
    assert_ok(nn_conv2d_geom_init(&g, &c, &err), err);
    assert_int_equal(g.rows.pad_lo, 0);
    assert_int_equal(g.rows.pad_hi, 1);
    assert_int_equal(g.cols.pad_lo, 1);
    assert_int_equal(g.cols.pad_hi, 1);
    assert_int_equal(g.window, 6);
    check_conv(&c, s0, k23, NULL, 1, 5, 5, conv_k23_same);
}

// 'same' with stride 2 gives ceil(5/2) = 3 and pads the bottom/right.
static void test_even_kernel_same_stride2(void **state) {
    (void)state;
    nn_conv2d_config c = config_of(1, 5, 5, 1, 2, 2, 2, 1, SAME);
    check_conv(&c, s0, k2, NULL, 1, 3, 3, conv_k2_same_stride2);
}

// ---- Dilation --------------------------------------------------------------------------

// Dilation 2 spreads the 3x3 taps over 5x5: 7x7 gives 3x3.
static void test_dilation2_valid(void **state) {
    (void)state;
    nn_conv2d_config c = config_of(1, 7, 7, 1, 3, 3, 1, 2, VALID);
    check_conv(&c, seven, k0, NULL, 1, 3, 3, conv_seven_dilation2);
}

// Dilation 2 with 'same' pads 2 on every side and keeps 7x7.
static void test_dilation2_same(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_config c = config_of(1, 7, 7, 1, 3, 3, 1, 2, SAME);
    nn_conv2d_geom g;
    assert_ok(nn_conv2d_geom_init(&g, &c, &err), err);
    assert_int_equal(g.rows.pad_lo, 2);
    assert_int_equal(g.cols.pad_hi, 2);
    check_conv(&c, seven, k0, NULL, 1, 7, 7, conv_seven_dilation2_same);
}

// Dilation 3 makes the 3x3 kernel span the whole 7x7 input: one output.
static void test_dilation3_single_output(void **state) {
    (void)state;
    nn_conv2d_config c = config_of(1, 7, 7, 1, 3, 3, 1, 3, VALID);
    check_conv(&c, seven, k0, NULL, 1, 1, 1, conv_seven_dilation3);
}

// Dilation 2 with stride 2 on 7x7 gives 2x2.
static void test_dilation2_stride2(void **state) {
    (void)state;
    nn_conv2d_config c = config_of(1, 7, 7, 1, 3, 3, 2, 2, VALID);
    check_conv(&c, seven, k0, NULL, 1, 2, 2, conv_seven_dilation2_stride2);
}

// ---- Geometry -------------------------------------------------------------------------

// The geometry of slide 002's 32x32x3 by ten 5x5 filters, pad 2.
static void test_geometry_fields(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_config c = config_of(3, 32, 32, 10, 5, 5, 1, 1, nn_padding_explicit(2));
    nn_conv2d_geom g;
    assert_ok(nn_conv2d_geom_init(&g, &c, &err), err);
    assert_int_equal(g.out_h, 32);
    assert_int_equal(g.out_w, 32);
    assert_int_equal(g.window, 75);  // 5 * 5 * 3
    assert_int_equal(g.rows.pad_lo, 2);
    assert_int_equal(g.cols.pad_hi, 2);
    assert_int_equal(g.cfg.filters, 10);
}

// ---- Errors ---------------------------------------------------------------------------

// A 3x3 kernel on a 2x2 input is explained in two dimensions.
static void test_error_kernel_larger_than_input(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_geom g;
    nn_conv2d_config c = config_of(1, 2, 2, 1, 3, 3, 1, 1, VALID);
    assert_status(nn_conv2d_geom_init(&g, &c, &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "kernel 3x3 is larger than the padded input 2x2");
    assert_error_contains(err, "(input 2x2, padding 0+0 rows, 0+0 cols)");
}

// Only the rows are too short: the message still gives both dimensions.
static void test_error_kernel_too_tall(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_geom g;
    nn_conv2d_config c = config_of(1, 2, 6, 4, 3, 3, 1, 1, VALID);
    assert_status(nn_conv2d_geom_init(&g, &c, &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "kernel 3x3 is larger than the padded input 2x6");
}

// Padding counts: 1x1 padded by 1 is 3x3, still smaller than 5x5.
static void test_error_kernel_larger_than_padded_input(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_geom g;
    nn_conv2d_config c = config_of(1, 1, 1, 1, 5, 5, 1, 1, nn_padding_explicit(1));
    assert_status(nn_conv2d_geom_init(&g, &c, &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "kernel 5x5 is larger than the padded input 3x3 "
                               "(input 1x1, padding 1+1 rows, 1+1 cols)");
}

// A dilated kernel that does not fit says "dilated kernel" and its span.
static void test_error_dilated_kernel(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_geom g;
    nn_conv2d_config c = config_of(1, 4, 4, 1, 3, 3, 1, 2, VALID);
    assert_status(nn_conv2d_geom_init(&g, &c, &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "dilated kernel 5x5 is larger than the padded input 4x4");
}

// No channels and no filters are shape errors that quote the count.
static void test_error_no_channels_or_filters(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_geom g;
    nn_conv2d_config c = config_of(0, 5, 5, 1, 3, 3, 1, 1, VALID);
    assert_status(nn_conv2d_geom_init(&g, &c, &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "the input needs 1 to 1000000 channels, got 0");
    c = config_of(1, 5, 5, 0, 3, 3, 1, 1, VALID);
    assert_status(nn_conv2d_geom_init(&g, &c, &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "a convolution needs 1 to 1000000 filters, got 0");
}

// A zero stride is reported as such.
static void test_error_zero_stride(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_geom g;
    nn_conv2d_config c = config_of(1, 5, 5, 1, 3, 3, 0, 1, VALID);
    assert_status(nn_conv2d_geom_init(&g, &c, &err), NN_ERR_ARG, err);
    assert_error_contains(err, "the stride must be at least 1, got 0");
}

// A bad stride or negative padding is named even when the kernel is also too big
// (the message must match the status, not describe a padding that was never applied).
static void test_error_bad_argument_wins_over_kernel_size(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_geom g;
    nn_conv2d_config c = config_of(1, 2, 2, 1, 3, 3, 0, 1, VALID);
    assert_status(nn_conv2d_geom_init(&g, &c, &err), NN_ERR_ARG, err);
    assert_error_contains(err, "the stride must be at least 1, got 0");
    c = config_of(1, 2, 2, 1, 3, 3, 1, 1, nn_padding_explicit(-1));
    assert_status(nn_conv2d_geom_init(&g, &c, &err), NN_ERR_ARG, err);
    assert_error_contains(err, "the padding must not be negative, got -1");
}

// Buffers above NN_MAX_ELEMENTS are refused before anything is allocated.
static void test_error_too_large(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_geom g;
    // 1000 x 1000 x 1000 input values: more than 2^28
    nn_conv2d_config c = config_of(1000, 1000, 1000, 1, 1, 1, 1, 1, VALID);
    assert_status(nn_conv2d_geom_init(&g, &c, &err), NN_ERR_NOMEM, err);
    assert_error_contains(err, "too large");
}

// ---- The training pass on every kernel --------------------------------------------

// nn_conv2d_forward_batch (training's pass: it keeps the windows as columns,
// and with AVX-512 takes its outputs from the input read in place) gives the
// stepper core's bits for every output of every sample, on every kernel this
// CPU runs: batches of 1, 3 and 33, channels 1, 3, 7 and filters 5, 16, 17
// (not multiples of a vector's lanes), rows of 20 outputs (direct form) and
// of 8 (filters in the lanes), with and without bias. tmp holds F x N floats,
// as in training: for one sample of 64 outputs and 5 or 17 filters that is
// less than the rows pass's scratch, so those take the column product (the
// same bits). The columns kept must be the windows.
static void test_forward_batch_every_kernel_equals_core(void **state) {
    (void)state;
    static const int batches[] = {1, 3, 33}, channels[] = {1, 3, 7}, filters[] = {5, 16, 17};
    const char *kernels[] = {"scalar", "avx2", "avx512"};
    test_rng r = rng_seed(77);
    int ran = 0;
    for (int shape = 0; shape < 2; shape++)
        for (size_t ci = 0; ci < HELPERS_COUNT_OF(channels); ci++)
            for (size_t fi = 0; fi < HELPERS_COUNT_OF(filters); fi++) {
                const int C = channels[ci], F = filters[fi], B = batches[(ci + fi) % 3];
                nn_conv2d_config cfg = {.in_c = C, .in_h = shape ? 12 : 20, .in_w = shape ? 12 : 20,
                                        .filters = F, .k_h = shape ? 5 : 3, .k_w = shape ? 5 : 3,
                                        .stride = 1, .dilation = 1,
                                        .padding = shape ? (nn_padding){NN_PAD_VALID, 0}
                                                         : nn_padding_explicit(1)};
                nn_conv2d_geom g;
                nn_error err = error_fresh();
                assert_int_equal(nn_conv2d_geom_init(&g, &cfg, &err), NN_OK);
                const size_t in_n = (size_t)C * cfg.in_h * cfg.in_w, P = (size_t)g.out_h * g.out_w;
                const size_t N = (size_t)B * P, out_n = (size_t)F * P;
                float *x = malloc(sizeof(float) * in_n * B), *w = malloc(sizeof(float) * F * g.window);
                float *b = malloc(sizeof(float) * F), *want = malloc(sizeof(float) * out_n * B);
                float *got = malloc(sizeof(float) * out_n * B);
                float *col = malloc(sizeof(float) * g.window * N);
                float *tmp = malloc(sizeof(float) * F * N);
                assert_true(x && w && b && want && got && col && tmp);
                rng_fill(&r, x, in_n * B, -1, 1);
                rng_fill(&r, w, (size_t)F * g.window, -1, 1);
                rng_fill(&r, b, F, -1, 1);
                const float *bias = (ci + fi) % 2 ? b : NULL;
                for (int n = 0; n < B; n++) {  // the core, one element at a time
                    nn_conv2d_cursor cur;
                    assert_int_equal(nn_conv2d_cursor_init(&cur, &g, x + n * in_n, w, bias, &err), NN_OK);
                    nn_conv2d_step st;
                    for (size_t i = 0; nn_conv2d_step_next(&cur, &st); i++) want[n * out_n + i] = st.sum;
                    nn_conv2d_cursor_destroy(&cur);
                }
                for (size_t q = 0; q < HELPERS_COUNT_OF(kernels); q++) {
                    if (!nn_gemm_force_kernel(kernels[q])) continue;
                    for (size_t i = 0; i < out_n * B; i++) got[i] = NAN;
                    nn_conv2d_forward_batch(&g, got, x, w, bias, B, col, true, tmp);
                    if (memcmp(got, want, sizeof(float) * out_n * B) != 0)
                        print_error("kernel %s C=%d F=%d B=%d shape %d\n", kernels[q], C, F, B,
                                    shape);
                    assert_memory_equal(got, want, sizeof(float) * out_n * B);
                    ran++;
                    // The columns kept for backward: window tap k of position p of sample n.
                    float *one = malloc(sizeof(float) * g.window * P);
                    assert_non_null(one);
                    for (int n = 0; n < B; n++) {
                        nn_conv2d_im2col_(&g, x + n * in_n, one, P);
                        for (int k = 0; k < g.window; k++)
                            assert_memory_equal(col + (size_t)k * N + n * P, one + (size_t)k * P,
                                                sizeof(float) * P);
                    }
                    free(one);
                }
                nn_gemm_force_kernel(NULL);
                free(x), free(w), free(b), free(want), free(got), free(col), free(tmp);
            }
    assert_true(ran >= 18);  // 18 shapes on the scalar kernel at least
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slide000_feature_map),
        cmocka_unit_test(test_slide002_binary_x_filter),
        cmocka_unit_test(test_edge_kernel_same_padding),
        cmocka_unit_test(test_emboss_kernel_explicit_pad1),
        cmocka_unit_test(test_two_channels_two_filters_with_bias),
        cmocka_unit_test(test_bias_is_per_filter),
        cmocka_unit_test(test_batch_of_two_samples),
        cmocka_unit_test(test_seven_stride1_and_stride2),
        cmocka_unit_test(test_seven_stride3_drops_last_row_and_col),
        cmocka_unit_test(test_seven_pad1),
        cmocka_unit_test(test_even_kernel_same_pads_bottom_right),
        cmocka_unit_test(test_k4_same_pads_one_before_two_after),
        cmocka_unit_test(test_rectangular_kernel_same),
        cmocka_unit_test(test_even_kernel_same_stride2),
        cmocka_unit_test(test_dilation2_valid),
        cmocka_unit_test(test_dilation2_same),
        cmocka_unit_test(test_dilation3_single_output),
        cmocka_unit_test(test_dilation2_stride2),
        cmocka_unit_test(test_geometry_fields),
        cmocka_unit_test(test_error_kernel_larger_than_input),
        cmocka_unit_test(test_error_kernel_too_tall),
        cmocka_unit_test(test_error_kernel_larger_than_padded_input),
        cmocka_unit_test(test_error_dilated_kernel),
        cmocka_unit_test(test_error_no_channels_or_filters),
        cmocka_unit_test(test_error_zero_stride),
        cmocka_unit_test(test_error_bad_argument_wins_over_kernel_size),
        cmocka_unit_test(test_error_too_large),
        cmocka_unit_test(test_forward_batch_every_kernel_equals_core),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
