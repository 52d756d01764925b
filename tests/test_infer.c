// test_infer.c - inference (a forward pass with training off, what the draw
// view runs on every stroke) gives the same bits as the training forward pass
// (the windows as columns through one matrix product: an independent path)
// on every kernel, for inputs shaped like a digit (a band of ink on zeros),
// all zeros, ink touching the edges, a NaN, -0 in the background, an infinite
// weight and biases of -0; and a changed parameter is seen by the next pass.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conv2d.h"
#include "conv_infer.h"
#include "gemm.h"
#include "helpers.h"
#include "net.h"

static float *alloc_floats(size_t n) {
    float *p = calloc(n ? n : 1, sizeof(float));
    assert_non_null(p);
    return p;
}

static const char *const kernels_[] = {"scalar", "avx2", "avx512"};

static bool force_or_skip_(const char *name) {
    if (nn_gemm_force_kernel(name)) {
        assert_string_equal(nn_gemm_kernel_name(), name);
        return true;
    }
    print_message("# SKIPPED the %s kernel: this CPU cannot run it\n", name);
    return false;
}

// Bit for bit, except that any NaN equals any NaN (0 * inf makes one whose
// sign is the CPU's choice).
static void assert_same_bits_or_both_nan_(const float *got, const float *want, size_t n,
                                          const char *what) {
    for (size_t i = 0; i < n; i++) {
        if (isnan(got[i]) && isnan(want[i])) continue;
        if (memcmp(&got[i], &want[i], sizeof(float)) != 0) {
            print_error("%s[%zu]: inference %.9g, training forward %.9g\n", what, i,
                        (double)got[i], (double)want[i]);
            fail();
        }
    }
}

// The inputs, one 28x28 digit each.
enum { INPUT_DIGIT, INPUT_ZERO, INPUT_EDGES, INPUT_FULL, INPUT_NAN, INPUT_NEG_ZERO, INPUTS };

static void make_input_(float *x, int which, uint32_t seed) {
    test_rng r = rng_seed(seed);
    memset(x, 0, sizeof(float) * 784);
    switch (which) {
    case INPUT_DIGIT:  // ink in rows 6-21 and columns 5-22, half of it zero
    case INPUT_NAN:
    case INPUT_NEG_ZERO:
        for (int y = 6; y <= 21; y++)
            for (int c = 5; c <= 22; c++)
                x[y * 28 + c] = rng_float(&r, 0.0f, 1.0f) < 0.5f ? 0.0f : rng_float(&r, 0.0f, 1.0f);
        if (which == INPUT_NAN) x[13 * 28 + 11] = NAN;
        if (which == INPUT_NEG_ZERO)
            for (int i = 0; i < 28 * 5; i++) x[i] = -0.0f;  // the top rows
        break;
    case INPUT_EDGES:  // single pixels in the four corners: the band is everything
        x[0] = 0.75f, x[27] = -0.5f, x[27 * 28] = 0.25f, x[783] = 1.0f;
        break;
    case INPUT_FULL:
        rng_fill(&r, x, 784, -1.0f, 1.0f);
        break;
    default: break;
    }
}

// Every layer of an inference pass against a training pass of a second net
// sharing the parameters (LeNet-5 has no dropout: the same function).
static void assert_inference_equals_training_(nn_net *net, const float *x, const char *what) {
    nn_error err = error_fresh();
    nn_net *ref;
    assert_ok(nn_net_create(&ref, "lenet5", nn_shape_map(1, 28, 28), 1, net->params, &err), err);
    nn_rng rng;
    nn_rng_seed(&rng, 1);
    nn_net_forward(ref, x, 1, true, &rng);
    nn_net_forward(net, x, 1, false, NULL);
    for (int i = 0; i < net->model->n_layers; i++) {
        char name[96];
        snprintf(name, sizeof name, "%s, %s, layer %d", nn_gemm_kernel_name(), what, i);
        assert_same_bits_or_both_nan_(net->out[i], ref->out[i],
                                      nn_shape_count(net->model->layers[i].out), name);
    }
    nn_net_free(ref);
}

static void test_inference_equals_the_training_forward_on_every_kernel(void **state) {
    (void)state;
    static const char *const names[INPUTS] = {"digit", "zeros", "edges", "full", "nan", "-0"};
    for (size_t q = 0; q < HELPERS_COUNT_OF(kernels_); q++) {
        if (!force_or_skip_(kernels_[q])) continue;
        for (int change = 0; change < 3; change++) {
            nn_net *net;
            nn_error err = error_fresh();
            assert_ok(nn_net_create(&net, "lenet5", nn_shape_map(1, 28, 28), 1, NULL, &err), err);
            nn_net_init_params(net, 5);
            float *b1 = net->params + net->slices[0].bias;
            test_rng r = rng_seed(77);
            // 0: the initial parameters (biases 0); 1: biases of -0 (0 + -0 is
            // +0, not -0); 2: random biases and an infinite weight in conv1.
            if (change == 1)
                for (int f = 0; f < 6; f++) b1[f] = -0.0f;
            if (change == 2) {
                rng_fill(&r, b1, 6, -0.5f, 0.5f);
                net->params[net->slices[0].weights + 7] = INFINITY;
            }
            float x[784];
            for (int which = 0; which < INPUTS; which++) {
                make_input_(x, which, 4200u + (uint32_t)which);
                char what[64];
                snprintf(what, sizeof what, "input %s, parameters %d", names[which], change);
                assert_inference_equals_training_(net, x, what);
            }
            nn_net_free(net);
        }
    }
    assert_true(nn_gemm_force_kernel(NULL));
}

// The banded convolution itself, against the core (the stepper's sum), on
// LeNet-5's conv(6,5,pad=2), three channels with 13 filters (a remainder
// group), band widths that take one vector, one and a half and two; and it
// declines strides, dilation, short rows, infinite weights and the kernels
// it has no form for.
static void test_banded_conv_equals_the_core(void **state) {
    (void)state;
    const nn_conv2d_config cfgs[] = {
        {.in_c = 1, .in_h = 28, .in_w = 28, .filters = 6, .k_h = 5, .k_w = 5, .stride = 1,
         .dilation = 1, .padding = nn_padding_explicit(2)},
        {.in_c = 3, .in_h = 9, .in_w = 24, .filters = 13, .k_h = 3, .k_w = 3, .stride = 1,
         .dilation = 1, .padding = nn_padding_explicit(1)},
        {.in_c = 2, .in_h = 7, .in_w = 20, .filters = 4, .k_h = 2, .k_w = 4, .stride = 1,
         .dilation = 1, .padding = {NN_PAD_VALID, 0}},
    };
    // Ink columns [c0, c1] and rows [r0, r1] of each input: narrow, middling, wide.
    // Widths of 1 to 4 vectors of 8 lanes, 1, 1.5 and 2 of 16.
    const int bands[][4] = {{3, 10, 2, 5}, {4, 18, 1, 3}, {0, 100, 0, 100}, {6, 6, 4, 4},
                            {2, 9, 0, 2}, {1, 20, 3, 6}};
    for (size_t ci = 0; ci < HELPERS_COUNT_OF(cfgs); ci++) {
        nn_conv2d_geom g;
        nn_error err = error_fresh();
        assert_ok(nn_conv2d_geom_init(&g, &cfgs[ci], &err), err);
        const nn_conv2d_config *c = &g.cfg;
        const size_t n_in = (size_t)c->in_c * c->in_h * c->in_w;
        const size_t n_out = (size_t)c->filters * g.out_h * g.out_w;
        float *x = alloc_floats(n_in), *w = alloc_floats((size_t)c->filters * g.window);
        float *bias = alloc_floats((size_t)c->filters), *out = alloc_floats(n_out);
        float *scratch = alloc_floats(nn_conv2d_rows_scratch(&g));
        test_rng r = rng_seed(8800u + (uint32_t)ci);
        rng_fill(&r, w, (size_t)c->filters * g.window, -1.0f, 1.0f);
        rng_fill(&r, bias, (size_t)c->filters, -1.0f, 1.0f);
        for (size_t q = 0; q < HELPERS_COUNT_OF(kernels_); q++) {
            if (!force_or_skip_(kernels_[q])) continue;
            for (size_t bi = 0; bi < HELPERS_COUNT_OF(bands); bi++) {
                memset(x, 0, sizeof(float) * n_in);
                for (int ch = 0; ch < c->in_c; ch++)
                    for (int y = bands[bi][2]; y <= bands[bi][3] && y < c->in_h; y++)
                        for (int col = bands[bi][0]; col <= bands[bi][1] && col < c->in_w; col++)
                            x[((size_t)ch * c->in_h + y) * c->in_w + col] = rng_float(&r, -1.0f, 1.0f);
                const bool ran = nn_conv_infer_banded(&g, out, x, w, bias, 1, scratch);
                // The form exists for AVX-512 (with VL: every AVX-512 CPU sold) and AVX2.
                assert_int_equal(ran, strcmp(kernels_[q], "avx2") == 0 ||
                                          (strcmp(kernels_[q], "avx512") == 0 &&
                                           __builtin_cpu_supports("avx512vl")));
                if (!ran) continue;
                nn_conv2d_cursor cur;
                assert_ok(nn_conv2d_cursor_init(&cur, &g, x, w, bias, &err), err);
                nn_conv2d_step st;
                for (int i = 0; nn_conv2d_step_at(&cur, i, &st); i++)
                    if (memcmp(&out[i], &st.sum, sizeof(float)) != 0) {
                        print_error("config %zu, band %zu, output %d: %.9g, core %.9g\n", ci, bi,
                                    i, (double)out[i], (double)st.sum);
                        fail();
                    }
                nn_conv2d_cursor_destroy(&cur);
            }
            // Declined: an infinite weight (inf * 0 must give NaN).
            const float keep = w[1];
            w[1] = INFINITY;
            assert_false(nn_conv_infer_banded(&g, out, x, w, bias, 1, scratch));
            w[1] = NAN;
            assert_false(nn_conv_infer_banded(&g, out, x, w, bias, 1, scratch));
            w[1] = keep;
        }
        free(x), free(w), free(bias), free(out), free(scratch);
    }
    // Declined: stride 2, dilation 2, rows of 10 (conv(16,5) on 14x14).
    const nn_conv2d_config no[] = {
        {.in_c = 1, .in_h = 28, .in_w = 40, .filters = 2, .k_h = 3, .k_w = 3, .stride = 2,
         .dilation = 1, .padding = {NN_PAD_VALID, 0}},
        {.in_c = 1, .in_h = 28, .in_w = 28, .filters = 2, .k_h = 3, .k_w = 3, .stride = 1,
         .dilation = 2, .padding = {NN_PAD_VALID, 0}},
        {.in_c = 6, .in_h = 14, .in_w = 14, .filters = 16, .k_h = 5, .k_w = 5, .stride = 1,
         .dilation = 1, .padding = {NN_PAD_VALID, 0}},
    };
    for (size_t i = 0; i < HELPERS_COUNT_OF(no); i++) {
        nn_conv2d_geom g;
        nn_error err = error_fresh();
        assert_ok(nn_conv2d_geom_init(&g, &no[i], &err), err);
        float *x = alloc_floats((size_t)no[i].in_c * 28 * 40);
        float *w = alloc_floats((size_t)no[i].filters * g.window);
        float *out = alloc_floats((size_t)no[i].filters * g.out_h * g.out_w);
        float *scratch = alloc_floats(nn_conv2d_rows_scratch(&g));
        assert_false(nn_conv_infer_banded(&g, out, x, w, NULL, 1, scratch));
        free(x), free(w), free(out), free(scratch);
    }
    assert_true(nn_gemm_force_kernel(NULL));
}

// Inference reads the parameters as they are at each pass: after a change to
// conv1's weights (the banded form's), conv2's (its cached
// transposed copy), a dense layer's and a bias, the next pass differs from
// the one before and equals a new net's on the same parameters.
static void test_a_changed_parameter_is_seen_by_the_next_inference(void **state) {
    (void)state;
    for (size_t q = 0; q < HELPERS_COUNT_OF(kernels_); q++) {
        if (!force_or_skip_(kernels_[q])) continue;
        nn_net *net;
        nn_error err = error_fresh();
        assert_ok(nn_net_create(&net, "lenet5", nn_shape_map(1, 28, 28), 1, NULL, &err), err);
        nn_net_init_params(net, 11);
        float x[784];
        make_input_(x, INPUT_DIGIT, 31);
        float before[10], after[10];
        memcpy(before, nn_net_forward(net, x, 1, false, NULL), sizeof before);
        // Parameters that reach the output for this input: conv1's centre taps,
        // conv2's, dense(120)'s first weights, dense(10)'s bias.
        const size_t changes[] = {net->slices[0].weights + 12, net->slices[3].weights + 60,
                                  net->slices[7].weights, net->slices[11].bias + 3};
        for (size_t c = 0; c < HELPERS_COUNT_OF(changes); c++) {
            float *p = &net->params[changes[c]];
            *p += 0.25f;
            memcpy(after, nn_net_forward(net, x, 1, false, NULL), sizeof after);
            if (memcmp(before, after, sizeof before) == 0) {
                print_error("kernel %s, change %zu: the output did not move\n", kernels_[q], c);
                fail();
            }
            nn_net *fresh;
            assert_ok(nn_net_create(&fresh, "lenet5", nn_shape_map(1, 28, 28), 1, net->params,
                                    &err), err);
            const float *want = nn_net_forward(fresh, x, 1, false, NULL);
            assert_floats_identical(after, want, 10);
            nn_net_free(fresh);
            memcpy(before, after, sizeof before);
        }
        nn_net_free(net);
    }
    assert_true(nn_gemm_force_kernel(NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inference_equals_the_training_forward_on_every_kernel),
        cmocka_unit_test(test_banded_conv_equals_the_core),
        cmocka_unit_test(test_a_changed_parameter_is_seen_by_the_next_inference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
