// test_step.c - the steppers that the front-end animates: stepping to the end
// must reproduce the batch forward pass bit for bit, and each step record must
// show exactly the window, products and running sums that made its output.
//
// The bit-for-bit checks need no expected numbers: they compare two paths
// through the engine on seeded random data. The hand-checked records come
// from `python3 tests/tools/reference.py step`.
#include <stdlib.h>

#include "helpers.h"

// Slide 000's image and filter.
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
// -s0 - 1, negative everywhere (a padded zero must never win a max).
static const float neg[25] = {
    -4, -4, -3, -2, -1,
    -1, -1, -2, -4, -2,
    -4, -2, -3, -3, -4,
    -3, -1, -1, -3, -3,
    -3, -1, -1, -1, -2,
};

#define VALID {NN_PAD_VALID, 0}
#define SAME {NN_PAD_SAME, 0}
#define PAD(p) {NN_PAD_EXPLICIT, (p)}

// ---- Convolution: stepping equals the forward pass ----------------------------------------

typedef struct conv_case {
    const char *name;
    nn_conv2d_config cfg;
    int with_bias;
} conv_case;

static const conv_case conv_cases[] = {
    {"slide 000, valid", {1, 5, 5, 1, 3, 3, 1, 1, VALID}, 0},
    {"3 channels, 4 filters, same", {3, 8, 8, 4, 3, 3, 1, 1, SAME}, 1},
    {"2 channels, stride 2, pad 1", {2, 9, 7, 3, 3, 3, 2, 1, PAD(1)}, 1},
    {"stride 3 drops rows", {3, 10, 11, 2, 5, 5, 3, 1, VALID}, 1},
    {"dilation 2", {2, 9, 9, 2, 3, 3, 1, 2, VALID}, 1},
    {"dilation 2, stride 2, same", {1, 7, 8, 2, 3, 3, 2, 2, SAME}, 1},
    {"even kernel, same, stride 2", {2, 8, 7, 3, 2, 2, 2, 1, SAME}, 1},
    {"rectangular kernel, pad 2", {4, 6, 5, 3, 2, 3, 1, 1, PAD(2)}, 1},
    {"1x1 kernel, stride 3", {5, 7, 7, 2, 1, 1, 3, 1, VALID}, 0},
    // The forward pass's stride-1 path reads rows in place: rows wider than
    // 32 outputs, exactly 16, and an odd number of narrow rows (pairs + one).
    {"LeNet conv1: 28 wide, pad 2, 6 filters", {1, 28, 28, 6, 5, 5, 1, 1, PAD(2)}, 1},
    {"LeNet conv2: 6 channels, 16 filters", {6, 14, 14, 16, 5, 5, 1, 1, VALID}, 1},
    {"71 outputs a row, 7 filters", {2, 5, 73, 7, 3, 3, 1, 1, VALID}, 1},
    {"16 outputs a row, 5 of them", {1, 7, 18, 2, 3, 3, 1, 1, VALID}, 1},
};

// Random data for one case: input, weights, bias (NULL without bias).
typedef struct conv_data {
    nn_conv2d_geom g;
    float *in, *w, *b;
    size_t n_in, n_w, n_out;
} conv_data;

static void conv_data_make(conv_data *d, const nn_conv2d_config *cfg, int with_bias, int batch,
                           uint32_t seed) {
    nn_error err = error_fresh();
    assert_ok(nn_conv2d_geom_init(&d->g, cfg, &err), err);
    test_rng rng = rng_seed(seed);
    d->n_in = (size_t)batch * cfg->in_c * cfg->in_h * cfg->in_w;
    d->n_w = (size_t)cfg->filters * d->g.window;
    d->n_out = (size_t)batch * cfg->filters * d->g.out_h * d->g.out_w;
    d->in = malloc(d->n_in * sizeof *d->in);
    d->w = malloc(d->n_w * sizeof *d->w);
    d->b = with_bias ? malloc((size_t)cfg->filters * sizeof *d->b) : NULL;
    assert_non_null(d->in);
    assert_non_null(d->w);
    rng_fill(&rng, d->in, d->n_in, -1.0f, 1.0f);
    rng_fill(&rng, d->w, d->n_w, -1.0f, 1.0f);
    if (d->b) rng_fill(&rng, d->b, (size_t)cfg->filters, -0.5f, 0.5f);
}

static void conv_data_free(conv_data *d) {
    free(d->in);
    free(d->w);
    free(d->b);
}

// Steps through one sample and writes each step's sum at its index; checks
// the order (filter-major, then row-major), the sum = running + bias identity,
// and that the cursor ends after the last element.
static void step_conv_sample(const conv_data *d, const float *sample, float *out) {
    nn_error err = error_fresh();
    const nn_conv2d_geom *g = &d->g;
    nn_conv2d_cursor cur;
    assert_ok(nn_conv2d_cursor_init(&cur, g, sample, d->w, d->b, &err), err);
    nn_conv2d_step st;
    int visited = 0;
    while (nn_conv2d_step_next(&cur, &st)) {
        assert_int_equal(st.index, visited);
        assert_int_equal(st.index, (st.filter * g->out_h + st.row) * g->out_w + st.col);
        assert_int_equal(st.count, g->window);
        const float b = d->b ? d->b[st.filter] : 0.0f;
        assert_memory_equal(&st.bias, &b, sizeof b);
        const float s = st.running[st.count - 1] + st.bias;
        assert_memory_equal(&st.sum, &s, sizeof s);
        out[st.index] = st.sum;
        visited++;
    }
    assert_int_equal(visited, g->cfg.filters * g->out_h * g->out_w);
    assert_false(nn_conv2d_step_next(&cur, &st));  // still done
    nn_conv2d_cursor_destroy(&cur);
}

// For every configuration, stepping to the end equals the forward pass bit for bit.
static void test_conv_steps_equal_forward_bit_for_bit(void **state) {
    (void)state;
    for (size_t c = 0; c < HELPERS_COUNT_OF(conv_cases); c++) {
        conv_data d;
        conv_data_make(&d, &conv_cases[c].cfg, conv_cases[c].with_bias, 1, 1234u + (uint32_t)c);
        float *fwd = malloc(d.n_out * sizeof *fwd);
        float *stepped = malloc(d.n_out * sizeof *stepped);
        assert_non_null(fwd);
        assert_non_null(stepped);
        for (size_t i = 0; i < d.n_out; i++) fwd[i] = stepped[i] = NAN;
        nn_conv2d_forward(&d.g, fwd, d.in, d.w, d.b, 1);
        step_conv_sample(&d, d.in, stepped);
        if (memcmp(fwd, stepped, d.n_out * sizeof *fwd) != 0)
            print_error("case \"%s\"\n", conv_cases[c].name);
        assert_floats_identical(stepped, fwd, d.n_out);
        free(fwd);
        free(stepped);
        conv_data_free(&d);
    }
}

// Every way the engine runs a convolution gives the stepper's bits: the batch
// pass (rows in place for stride 1), the training pass (all windows of a batch
// as one matrix) and the single-sample column pass, for a batch of 3.
static void test_conv_all_forward_paths_equal_steps(void **state) {
    (void)state;
    for (size_t c = 0; c < HELPERS_COUNT_OF(conv_cases); c++) {
        conv_data d;
        conv_data_make(&d, &conv_cases[c].cfg, conv_cases[c].with_bias, 3, 4321u + (uint32_t)c);
        const nn_conv2d_geom *g = &d.g;
        const size_t per_in = d.n_in / 3, per_out = d.n_out / 3;
        float *stepped = malloc(d.n_out * sizeof(float));
        float *paths[3];
        for (int p = 0; p < 3; p++) paths[p] = malloc(d.n_out * sizeof(float));
        const size_t col = nn_conv2d_col_size(g) * 3;
        float *cols = malloc(col * sizeof(float));
        float *tmp = malloc((size_t)g->cfg.filters * g->out_h * g->out_w * 3 * sizeof(float));
        float *one = malloc(nn_conv2d_col_size(g) * sizeof(float));
        assert_non_null(stepped);
        assert_non_null(cols);
        assert_non_null(tmp);
        assert_non_null(one);
        for (int n = 0; n < 3; n++) step_conv_sample(&d, d.in + n * per_in, stepped + n * per_out);
        nn_conv2d_forward(g, paths[0], d.in, d.w, d.b, 3);
        nn_conv2d_forward_batch(g, paths[1], d.in, d.w, d.b, 3, cols, true, tmp);
        nn_conv2d_forward_ws(g, paths[2], d.in, d.w, d.b, 3, one);
        for (int p = 0; p < 3; p++) {
            if (memcmp(paths[p], stepped, d.n_out * sizeof(float)) != 0)
                print_error("case \"%s\", path %d\n", conv_cases[c].name, p);
            assert_floats_identical(paths[p], stepped, d.n_out);
            free(paths[p]);
        }
        free(stepped);
        free(cols);
        free(tmp);
        free(one);
        conv_data_free(&d);
    }
}

// Stepping the second sample of a batch equals the forward pass's second block.
static void test_conv_steps_second_sample_of_batch(void **state) {
    (void)state;
    conv_data d;
    conv_data_make(&d, &conv_cases[2].cfg, 1, 2, 99u);
    float *fwd = malloc(d.n_out * sizeof *fwd);
    float *stepped = malloc(d.n_out / 2 * sizeof *stepped);
    assert_non_null(fwd);
    assert_non_null(stepped);
    nn_conv2d_forward(&d.g, fwd, d.in, d.w, d.b, 2);
    step_conv_sample(&d, d.in + d.n_in / 2, stepped);
    assert_floats_identical(stepped, fwd + d.n_out / 2, d.n_out / 2);
    free(fwd);
    free(stepped);
    conv_data_free(&d);
}

// Every record shows its own arithmetic: products, running sums, weights,
// window values and the input coordinates the kernel taps land on.
static void test_conv_step_records_are_consistent(void **state) {
    (void)state;
    for (size_t c = 0; c < HELPERS_COUNT_OF(conv_cases); c++) {
        conv_data d;
        conv_data_make(&d, &conv_cases[c].cfg, conv_cases[c].with_bias, 1, 777u + (uint32_t)c);
        const nn_conv2d_config *k = &d.g.cfg;
        nn_error err = error_fresh();
        nn_conv2d_cursor cur;
        assert_ok(nn_conv2d_cursor_init(&cur, &d.g, d.in, d.w, d.b, &err), err);
        nn_conv2d_step st;
        while (nn_conv2d_step_next(&cur, &st)) {
            assert_int_equal(st.origin_row, st.row * k->stride);
            assert_int_equal(st.origin_col, st.col * k->stride);
            float acc = 0.0f;
            for (int i = 0; i < st.count; i++) {
                const int ch = i / (k->k_h * k->k_w);
                const int ky = i / k->k_w % k->k_h, kx = i % k->k_w;
                const int y = st.origin_row - d.g.rows.pad_lo + ky * k->dilation;
                const int x = st.origin_col - d.g.cols.pad_lo + kx * k->dilation;
                assert_int_equal(st.in_row[i], y);
                assert_int_equal(st.in_col[i], x);
                const int outside = y < 0 || x < 0 || y >= k->in_h || x >= k->in_w;
                assert_int_equal(st.padded[i], outside);
                const float v = outside ? 0.0f : d.in[((size_t)ch * k->in_h + y) * k->in_w + x];
                assert_memory_equal(&st.window[i], &v, sizeof v);
                assert_memory_equal(&st.weights[i], &d.w[(size_t)st.filter * st.count + i],
                                    sizeof(float));
                const float p = st.window[i] * st.weights[i];
                assert_memory_equal(&st.products[i], &p, sizeof p);
                // The running sum is built with one fused multiply-add per tap
                // (the arithmetic every conv path shares; see nn/gemm.h).
                acc = fmaf(st.window[i], st.weights[i], acc);
                assert_memory_equal(&st.running[i], &acc, sizeof acc);
            }
        }
        nn_conv2d_cursor_destroy(&cur);
        conv_data_free(&d);
    }
}

// ---- Convolution: hand-checked records ----------------------------------------------------

// The cursor for slide 000's image by its filter with padding 1 and bias 0.5.
static void slide000_pad1_cursor(nn_conv2d_geom *g, nn_conv2d_cursor *cur, const float *bias) {
    nn_error err = error_fresh();
    nn_conv2d_config c = {1, 5, 5, 1, 3, 3, 1, 1, PAD(1)};
    assert_ok(nn_conv2d_geom_init(g, &c, &err), err);
    assert_ok(nn_conv2d_cursor_init(cur, g, s0, k0, bias, &err), err);
}

// The top-left output's window hangs over the padding: mask, coordinates, products, sums.
static void test_conv_step_padded_corner(void **state) {
    (void)state;
    // python3 tests/tools/reference.py step
    static const float corner_window[9] = {0, 0, 0, 0, 3, 3, 0, 0, 0};
    static const float corner_products[9] = {0, 0, 0, 0, 6, 0, 0, 0, 0};
    static const float corner_running[9] = {0, 0, 0, 0, 6, 6, 6, 6, 6};
    static const unsigned char corner_padded[9] = {1, 1, 1, 1, 0, 0, 1, 0, 0};
    static const int corner_in_row[9] = {-1, -1, -1, 0, 0, 0, 1, 1, 1};
    static const int corner_in_col[9] = {-1, 0, 1, -1, 0, 1, -1, 0, 1};
    const float bias = 0.5f;
    nn_conv2d_geom g;
    nn_conv2d_cursor cur;
    slide000_pad1_cursor(&g, &cur, &bias);
    nn_conv2d_step st;
    assert_true(nn_conv2d_step_next(&cur, &st));
    assert_int_equal(st.index, 0);
    assert_int_equal(st.filter, 0);
    assert_int_equal(st.row, 0);
    assert_int_equal(st.col, 0);
    assert_int_equal(st.origin_row, 0);
    assert_int_equal(st.origin_col, 0);
    assert_int_equal(st.count, 9);
    assert_memory_equal(st.padded, corner_padded, sizeof corner_padded);
    assert_memory_equal(st.in_row, corner_in_row, sizeof corner_in_row);
    assert_memory_equal(st.in_col, corner_in_col, sizeof corner_in_col);
    assert_tensor_near(st.window, corner_window, 9, 0.0);
    assert_tensor_near(st.weights, k0, 9, 0.0);
    assert_tensor_near(st.products, corner_products, 9, 0.0);
    assert_tensor_near(st.running, corner_running, 9, 0.0);
    assert_float_equal(st.bias, 0.5f, 0.0f);
    assert_float_equal(st.sum, 6.5f, 0.0f);
    nn_conv2d_cursor_destroy(&cur);
}

// step_at jumps forward and back; step_next continues after the element it gave.
static void test_conv_step_at_jumps_back_and_forward(void **state) {
    (void)state;
    const float bias = 0.5f;
    nn_conv2d_geom g;
    nn_conv2d_cursor cur;
    slide000_pad1_cursor(&g, &cur, &bias);
    nn_conv2d_step st;
    // element (2, 3) is index 13 and (4, 4) is index 24 (python: 19.5 and 4.5)
    assert_true(nn_conv2d_step_at(&cur, 13, &st));
    assert_int_equal(st.row, 2);
    assert_int_equal(st.col, 3);
    assert_int_equal(st.origin_row, 2);
    assert_int_equal(st.origin_col, 3);
    assert_float_equal(st.sum, 19.5f, 0.0f);
    assert_true(nn_conv2d_step_next(&cur, &st));
    assert_int_equal(st.index, 14);
    assert_true(nn_conv2d_step_at(&cur, 0, &st));  // back to the start
    assert_float_equal(st.sum, 6.5f, 0.0f);
    assert_true(nn_conv2d_step_next(&cur, &st));
    assert_int_equal(st.index, 1);
    assert_true(nn_conv2d_step_at(&cur, 24, &st));  // the last one
    assert_float_equal(st.sum, 4.5f, 0.0f);
    assert_false(nn_conv2d_step_next(&cur, &st));
    // out of range: refused, and the cursor stays where it was
    assert_true(nn_conv2d_step_at(&cur, 5, &st));
    assert_false(nn_conv2d_step_at(&cur, -1, &st));
    assert_false(nn_conv2d_step_at(&cur, 25, &st));
    assert_true(nn_conv2d_step_next(&cur, &st));
    assert_int_equal(st.index, 6);
    nn_conv2d_cursor_destroy(&cur);
}

// With stride 2 the origin moves two cells per output, in padded coordinates.
static void test_conv_step_origin_with_stride(void **state) {
    (void)state;
    nn_error err = error_fresh();
    float in[49];
    for (int i = 0; i < 49; i++) in[i] = (float)i;  // x[r][c] = 7r + c
    nn_conv2d_config c = {1, 7, 7, 1, 3, 3, 2, 1, PAD(1)};  // out 4x4
    nn_conv2d_geom g;
    assert_ok(nn_conv2d_geom_init(&g, &c, &err), err);
    nn_conv2d_cursor cur;
    assert_ok(nn_conv2d_cursor_init(&cur, &g, in, k0, NULL, &err), err);
    nn_conv2d_step st;
    assert_true(nn_conv2d_step_at(&cur, 2 * 4 + 1, &st));  // output (2, 1)
    assert_int_equal(st.origin_row, 4);
    assert_int_equal(st.origin_col, 2);
    assert_int_equal(st.in_row[0], 3);  // padded row 4 is input row 3
    assert_int_equal(st.in_col[0], 1);
    assert_float_equal(st.window[0], 22.0f, 0.0f);  // 7 * 3 + 1
    assert_float_equal(st.window[8], 38.0f, 0.0f);  // 7 * 5 + 3
    assert_int_equal(st.padded[0], 0);
    // By hand (and python3 tests/tools/reference.py step): with x = 7r + c the
    // sum is 22 * sum(k0) + 7 * sum(k0 * ky) + sum(k0 * kx); k0's row sums are
    // (3, 4, 3) and column sums (2, 4, 4), so 22 * 10 + 7 * 10 + 12 = 302.
    assert_float_equal(st.sum, 302.0f, 0.0f);
    nn_conv2d_cursor_destroy(&cur);
}

// A single-output layer: one step, then step_next says false (and keeps saying it).
static void test_conv_step_next_false_after_last(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_conv2d_config c = {1, 3, 3, 1, 3, 3, 1, 1, VALID};
    nn_conv2d_geom g;
    assert_ok(nn_conv2d_geom_init(&g, &c, &err), err);
    nn_conv2d_cursor cur;
    assert_ok(nn_conv2d_cursor_init(&cur, &g, s0, k0, NULL, &err), err);
    nn_conv2d_step st;
    assert_true(nn_conv2d_step_next(&cur, &st));
    assert_int_equal(st.index, 0);
    assert_false(nn_conv2d_step_next(&cur, &st));
    assert_false(nn_conv2d_step_next(&cur, &st));
    nn_conv2d_cursor_destroy(&cur);
}

// ---- Pooling: stepping equals the forward pass ----------------------------------------------

typedef struct pool_case {
    const char *name;
    nn_pool_config cfg;
} pool_case;

static const pool_case pool_cases[] = {
    {"max 3x3 stride 1", {NN_POOL_MAX, 2, 7, 7, 3, 3, 1, 0}},
    {"max 3x3 stride 2 pad 1", {NN_POOL_MAX, 3, 8, 8, 3, 3, 2, 1}},
    {"max 2x2 stride 2 (drops a row)", {NN_POOL_MAX, 2, 7, 6, 2, 2, 2, 0}},
    {"max 2x2 stride 2, LeNet-5's 28x28 (ties)", {NN_POOL_MAX, 3, 28, 28, 2, 2, 2, 0}},
    {"max 2x2 stride 2, rows of 18 (ties)", {NN_POOL_MAX, 2, 5, 37, 2, 2, 2, 0}},
    {"max 2x3 stride 1 pad 1", {NN_POOL_MAX, 2, 6, 7, 2, 3, 1, 1}},
    {"avg 3x3 stride 2 pad 1", {NN_POOL_AVG, 2, 9, 6, 3, 3, 2, 1}},
    {"avg 2x2 stride 2 pad 1", {NN_POOL_AVG, 1, 5, 5, 2, 2, 2, 1}},
    {"avg 4x4 stride 3 pad 2", {NN_POOL_AVG, 2, 10, 10, 4, 4, 3, 2}},
    // Rows longer than the forward pass's 256-wide pieces.
    {"max 2x2 stride 1, 599 outputs a row", {NN_POOL_MAX, 1, 3, 600, 2, 2, 1, 0}},
    {"avg 3x3 stride 1 pad 1, 600 outputs a row", {NN_POOL_AVG, 1, 4, 600, 3, 3, 1, 1}},
};

// For every configuration, stepping equals the forward pass bit for bit,
// argmax included.
static void test_pool_steps_equal_forward_bit_for_bit(void **state) {
    (void)state;
    for (size_t c = 0; c < HELPERS_COUNT_OF(pool_cases); c++) {
        const nn_pool_config *cfg = &pool_cases[c].cfg;
        nn_error err = error_fresh();
        nn_pool_geom g;
        assert_ok(nn_pool_geom_init(&g, cfg, &err), err);
        const size_t n_in = (size_t)cfg->c * cfg->in_h * cfg->in_w;
        const size_t n_out = (size_t)cfg->c * g.out_h * g.out_w;
        float *in = malloc(n_in * sizeof *in);
        float *fwd = malloc(n_out * sizeof *fwd);
        float *stepped = malloc(n_out * sizeof *stepped);
        int *arg = malloc(n_out * sizeof *arg);
        assert_true(in && fwd && stepped && arg);
        test_rng rng = rng_seed(4321u + (uint32_t)c);
        rng_fill(&rng, in, n_in, -2.0f, -0.5f);  // negative: padding must not win a max
        // Two values only: most windows hold ties, which keep the first cell.
        if (strstr(pool_cases[c].name, "(ties)"))
            for (size_t i = 0; i < n_in; i++) in[i] = in[i] < -1.25f ? -1.5f : -1.0f;
        nn_pool_forward(&g, fwd, arg, in, 1);
        nn_pool_cursor cur;
        assert_ok(nn_pool_cursor_init(&cur, &g, in, &err), err);
        nn_pool_step st;
        int visited = 0;
        while (nn_pool_step_next(&cur, &st)) {
            assert_int_equal(st.index, visited++);
            assert_int_equal(st.index, (st.channel * g.out_h + st.row) * g.out_w + st.col);
            stepped[st.index] = st.value;
            if (cfg->mode == NN_POOL_MAX) {
                assert_int_equal(st.argmax_row * cfg->in_w + st.argmax_col, arg[st.index]);
                assert_int_equal(st.padded[st.argmax], 0);
                assert_int_equal(st.in_row[st.argmax], st.argmax_row);
                assert_int_equal(st.in_col[st.argmax], st.argmax_col);
                assert_true(st.value < 0.0f);
                assert_int_equal(st.divisor, 1);
            } else {
                assert_int_equal(st.argmax, -1);
                assert_int_equal(st.argmax_row, -1);
                assert_int_equal(st.divisor, st.count);
                const float v = st.sum / (float)st.divisor;
                assert_memory_equal(&st.value, &v, sizeof v);
            }
        }
        assert_int_equal(visited, (int)n_out);
        assert_false(nn_pool_step_next(&cur, &st));
        if (memcmp(fwd, stepped, n_out * sizeof *fwd) != 0)
            print_error("case \"%s\"\n", pool_cases[c].name);
        assert_floats_identical(stepped, fwd, n_out);
        nn_pool_cursor_destroy(&cur);
        free(in);
        free(fwd);
        free(stepped);
        free(arg);
    }
}

// ---- Pooling: hand-checked records ---------------------------------------------------------

static void neg_pool_cursor(nn_pool_geom *g, nn_pool_cursor *cur, nn_pool_mode mode) {
    nn_error err = error_fresh();
    nn_pool_config c = {mode, 1, 5, 5, 3, 3, 2, 1};  // 3x3 stride 2 pad 1: out 3x3
    assert_ok(nn_pool_geom_init(g, &c, &err), err);
    assert_ok(nn_pool_cursor_init(cur, g, neg, &err), err);
}

// A max at the padded corner: padded cells are shown as 0 but never win.
static void test_pool_max_step_padded_corner(void **state) {
    (void)state;
    // python3 tests/tools/reference.py step: window (padding as None)
    // [None, None, None, None, -4, -4, None, -1, -1]; value -1 at input (1, 0)
    static const float window[9] = {0, 0, 0, 0, -4, -4, 0, -1, -1};
    static const unsigned char padded[9] = {1, 1, 1, 1, 0, 0, 1, 0, 0};
    static const int in_row[9] = {-1, -1, -1, 0, 0, 0, 1, 1, 1};
    static const int in_col[9] = {-1, 0, 1, -1, 0, 1, -1, 0, 1};
    nn_pool_geom g;
    nn_pool_cursor cur;
    neg_pool_cursor(&g, &cur, NN_POOL_MAX);
    nn_pool_step st;
    assert_true(nn_pool_step_next(&cur, &st));
    assert_int_equal(st.count, 9);
    assert_int_equal(st.origin_row, 0);
    assert_int_equal(st.origin_col, 0);
    assert_tensor_near(st.window, window, 9, 0.0);
    assert_memory_equal(st.padded, padded, sizeof padded);
    assert_memory_equal(st.in_row, in_row, sizeof in_row);
    assert_memory_equal(st.in_col, in_col, sizeof in_col);
    assert_float_equal(st.value, -1.0f, 0.0f);
    assert_float_equal(st.sum, -1.0f, 0.0f);
    assert_int_equal(st.divisor, 1);
    assert_int_equal(st.argmax, 7);  // first -1 in the window (index 7 of 9)
    assert_int_equal(st.argmax_row, 1);
    assert_int_equal(st.argmax_col, 0);
    // the running max: nothing real before cell 4, then -4, then -1 from cell 7
    for (int i = 0; i < 4; i++) assert_true(isinf(st.running[i]) && st.running[i] < 0);
    static const float running_tail[5] = {-4, -4, -4, -1, -1};
    assert_tensor_near(st.running + 4, running_tail, 5, 0.0);
    nn_pool_cursor_destroy(&cur);
}

// The bottom-right max: its origin, its input coordinates, and its winner.
static void test_pool_max_step_at_last(void **state) {
    (void)state;
    nn_pool_geom g;
    nn_pool_cursor cur;
    neg_pool_cursor(&g, &cur, NN_POOL_MAX);
    nn_pool_step st;
    assert_true(nn_pool_step_at(&cur, 8, &st));  // output (2, 2)
    assert_int_equal(st.row, 2);
    assert_int_equal(st.col, 2);
    assert_int_equal(st.origin_row, 4);
    assert_int_equal(st.origin_col, 4);
    assert_int_equal(st.in_row[0], 3);
    assert_int_equal(st.in_col[0], 3);
    assert_int_equal(st.padded[2], 1);  // input column 5 is padding
    assert_int_equal(st.padded[6], 1);  // input row 5 is padding
    // python: value -1, argmax 23 -> input row 4, column 3
    assert_float_equal(st.value, -1.0f, 0.0f);
    assert_int_equal(st.argmax_row, 4);
    assert_int_equal(st.argmax_col, 3);
    assert_false(nn_pool_step_next(&cur, &st));
    assert_true(nn_pool_step_at(&cur, 0, &st));  // and back
    assert_int_equal(st.argmax_row, 1);
    assert_false(nn_pool_step_at(&cur, 9, &st));
    assert_false(nn_pool_step_at(&cur, -1, &st));
    nn_pool_cursor_destroy(&cur);
}

// An average at the padded corner: sum of the real cells, divided by all 9.
static void test_pool_avg_step_padded_corner(void **state) {
    (void)state;
    nn_pool_geom g;
    nn_pool_cursor cur;
    neg_pool_cursor(&g, &cur, NN_POOL_AVG);
    nn_pool_step st;
    assert_true(nn_pool_step_next(&cur, &st));
    // python: sum -10 (= -4 - 4 - 1 - 1), value -10 / 9
    assert_float_equal(st.sum, -10.0f, 0.0f);
    assert_int_equal(st.divisor, 9);
    assert_float_equal(st.value, -1.11111111f, 1e-6f);
    assert_int_equal(st.argmax, -1);
    assert_int_equal(st.argmax_row, -1);
    assert_int_equal(st.argmax_col, -1);
    static const float running[9] = {0, 0, 0, 0, -4, -8, -8, -9, -10};
    assert_tensor_near(st.running, running, 9, 0.0);
    nn_pool_cursor_destroy(&cur);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_steps_equal_forward_bit_for_bit),
        cmocka_unit_test(test_conv_all_forward_paths_equal_steps),
        cmocka_unit_test(test_conv_steps_second_sample_of_batch),
        cmocka_unit_test(test_conv_step_records_are_consistent),
        cmocka_unit_test(test_conv_step_padded_corner),
        cmocka_unit_test(test_conv_step_at_jumps_back_and_forward),
        cmocka_unit_test(test_conv_step_origin_with_stride),
        cmocka_unit_test(test_conv_step_next_false_after_last),
        cmocka_unit_test(test_pool_steps_equal_forward_bit_for_bit),
        cmocka_unit_test(test_pool_max_step_padded_corner),
        cmocka_unit_test(test_pool_max_step_at_last),
        cmocka_unit_test(test_pool_avg_step_padded_corner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
