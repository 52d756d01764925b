// test_convt.c - transposed convolution (nn/convt.h) and its layer kind:
//   - small cases worked out by hand in the comments, exact;
//   - random configurations (stride 1-3, padding 0-2, output padding below
//     max(stride, dilation), dilation 1-3, 1-3 channels and filters, inputs
//     1-6, kernels 1-4, with and without bias) against a reference written
//     here as the plain scatter: each input cell stamps its scaled kernel onto
//     a canvas in double, which is then cropped by the padding;
//   - the stepper: stepping to the end equals the forward pass bit for bit,
//     and the steps' products, added up in order from the bias, are the output;
//   - the backward pass against central differences, and through whole nets;
//   - every error sentence, exactly;
//   - the arch string and the summary's numbers (worked by hand).
#include <stdlib.h>

#include "helpers.h"

#define RANDOM_CONFIGS 150  // valid configurations checked against the reference
#define REL_TOL 1e-5        // |engine - reference| <= REL_TOL * (|bias| + sum |products|)

// ---- A configuration and its arrays -------------------------------------------------

typedef struct case_ {
    nn_convt_config cfg;
    nn_convt_geom g;
    int batch;
    float *x;  // [batch][in_c][in_h][in_w]
    float *w;  // [in_c][filters][k_h][k_w]
    float *b;  // [filters], or NULL
} case_;

static size_t in_count(const nn_convt_config *c) { return (size_t)c->in_c * c->in_h * c->in_w; }
static size_t w_count(const nn_convt_config *c) {
    return (size_t)c->in_c * c->filters * c->k_h * c->k_w;
}
static size_t out_count(const nn_convt_geom *g) {
    return (size_t)g->cfg.filters * g->out_h * g->out_w;
}

static float *alloc_floats(size_t n) {
    float *p = calloc(n ? n : 1, sizeof *p);
    assert_non_null(p);
    return p;
}

// A random configuration in the ranges the file header names (it may have an
// output of no cells: the caller checks the status).
static nn_convt_config random_config(test_rng *r) {
    nn_convt_config c;
    c.in_c = 1 + (int)(rng_next(r) % 3);
    c.filters = 1 + (int)(rng_next(r) % 3);
    c.in_h = 1 + (int)(rng_next(r) % 6);
    c.in_w = 1 + (int)(rng_next(r) % 6);
    c.k_h = 1 + (int)(rng_next(r) % 4);
    c.k_w = 1 + (int)(rng_next(r) % 4);
    c.stride = 1 + (int)(rng_next(r) % 3);
    c.padding = (int)(rng_next(r) % 3);
    c.dilation = 1 + (int)(rng_next(r) % 3);
    const int most = c.stride > c.dilation ? c.stride : c.dilation;
    c.out_pad = (int)(rng_next(r) % (uint32_t)most);
    return c;
}

// Fills a case with random values for a valid configuration.
static void case_fill(case_ *t, const nn_convt_config *cfg, int batch, bool bias, test_rng *r) {
    memset(t, 0, sizeof *t);
    t->cfg = *cfg;
    t->batch = batch;
    nn_error err = error_fresh();
    assert_ok(nn_convt_geom_init(&t->g, cfg, &err), err);
    t->x = alloc_floats(in_count(cfg) * (size_t)batch);
    t->w = alloc_floats(w_count(cfg));
    rng_fill(r, t->x, in_count(cfg) * (size_t)batch, -1.0f, 1.0f);
    rng_fill(r, t->w, w_count(cfg), -1.0f, 1.0f);
    if (bias) {
        t->b = alloc_floats((size_t)cfg->filters);
        rng_fill(r, t->b, (size_t)cfg->filters, -1.0f, 1.0f);
    }
}

static void case_free(case_ *t) {
    free(t->x);
    free(t->w);
    free(t->b);
}

// The next random case with an output of at least one cell; *rejected
// counts the configurations refused on the way (each must be refused as a
// shape error with "is less than 1" in its sentence).
static void next_valid_case(case_ *t, test_rng *r, int batch, int *rejected) {
    for (;;) {
        const nn_convt_config cfg = random_config(r);
        nn_convt_geom g;
        nn_error err = error_fresh();
        const nn_status st = nn_convt_geom_init(&g, &cfg, &err);
        if (st == NN_OK) {
            case_fill(t, &cfg, batch, rng_next(r) % 4 != 0, r);
            return;
        }
        assert_int_equal(st, NN_ERR_SHAPE);
        assert_error_contains(err, "is less than 1");
        (*rejected)++;
    }
}

// ---- The reference: the scatter, plainly ---------------------------------------------

// One sample's output in double, and the magnitude |bias| + sum |product| of
// each cell (the scale of its rounding). The canvas holds every stamp whole:
// its rows reach the furthest tap, max over iy, ky of iy*s + ky*d, plus the
// output padding's rows below; the output is the canvas with p rows and
// columns cut from the top and left, and its size is the canvas's reach less
// p on each side, plus the output padding (PyTorch's definition).
static void reference(const nn_convt_config *c, const float *x, const float *w, const float *b,
                      double **out, double **mag, int *oh, int *ow) {
    int reach_h = 0, reach_w = 0;
    for (int iy = 0; iy < c->in_h; iy++)
        for (int ky = 0; ky < c->k_h; ky++)
            if (iy * c->stride + ky * c->dilation + 1 > reach_h)
                reach_h = iy * c->stride + ky * c->dilation + 1;
    for (int ix = 0; ix < c->in_w; ix++)
        for (int kx = 0; kx < c->k_w; kx++)
            if (ix * c->stride + kx * c->dilation + 1 > reach_w)
                reach_w = ix * c->stride + kx * c->dilation + 1;
    const int ch_rows = reach_h + c->out_pad, ch_cols = reach_w + c->out_pad;
    double *canvas = calloc((size_t)c->filters * ch_rows * ch_cols, sizeof *canvas);
    double *cmag = calloc((size_t)c->filters * ch_rows * ch_cols, sizeof *cmag);
    assert_non_null(canvas);
    assert_non_null(cmag);
    for (int ch = 0; ch < c->in_c; ch++)
        for (int iy = 0; iy < c->in_h; iy++)
            for (int ix = 0; ix < c->in_w; ix++) {
                const double v = x[((size_t)ch * c->in_h + iy) * c->in_w + ix];
                for (int f = 0; f < c->filters; f++)
                    for (int ky = 0; ky < c->k_h; ky++)
                        for (int kx = 0; kx < c->k_w; kx++) {
                            const double wt =
                                w[(((size_t)ch * c->filters + f) * c->k_h + ky) * c->k_w + kx];
                            const size_t at = ((size_t)f * ch_rows + iy * c->stride +
                                               ky * c->dilation) * ch_cols +
                                              ix * c->stride + kx * c->dilation;
                            canvas[at] += v * wt;
                            cmag[at] += fabs(v * wt);
                        }
            }
    *oh = reach_h - 2 * c->padding + c->out_pad;
    *ow = reach_w - 2 * c->padding + c->out_pad;
    assert_true(*oh >= 1 && *ow >= 1);
    *out = calloc((size_t)c->filters * *oh * *ow, sizeof **out);
    *mag = calloc((size_t)c->filters * *oh * *ow, sizeof **mag);
    assert_non_null(*out);
    assert_non_null(*mag);
    for (int f = 0; f < c->filters; f++)
        for (int oy = 0; oy < *oh; oy++)
            for (int ox = 0; ox < *ow; ox++) {
                const size_t from =
                    ((size_t)f * ch_rows + oy + c->padding) * ch_cols + ox + c->padding;
                const size_t to = ((size_t)f * *oh + oy) * *ow + ox;
                const double bias = b ? b[f] : 0.0;
                (*out)[to] = bias + canvas[from];
                (*mag)[to] = fabs(bias) + cmag[from];
            }
    free(canvas);
    free(cmag);
}

// ---- (b) Worked by hand ------------------------------------------------------------------

static void run_forward(const nn_convt_config *cfg, const float *x, const float *w,
                        const float *b, float *out, int out_h, int out_w) {
    nn_convt_geom g;
    nn_error err = error_fresh();
    assert_ok(nn_convt_geom_init(&g, cfg, &err), err);
    assert_int_equal(g.out_h, out_h);
    assert_int_equal(g.out_w, out_w);
    nn_convt_forward(&g, out, x, w, b, 1);
}

// Input [1 2; 3 4], kernel [1 2; 3 4], stride 2: each input cell v stamps
// v * kernel into its own 2x2 block, (iy*2, ix*2) at the top-left; blocks do
// not overlap. Output (2-1)*2 - 0 + 1*(2-1) + 0 + 1 = 4 per axis:
//   1*[1 2; 3 4] | 2*[1 2; 3 4]      1  2 |  2  4
//   -------------+-------------  =   3  4 |  6  8
//   3*[1 2; 3 4] | 4*[1 2; 3 4]      3  6 |  4  8
//                                    9 12 | 12 16
static void test_hand_stride2(void **state) {
    (void)state;
    const float x[4] = {1, 2, 3, 4}, w[4] = {1, 2, 3, 4};
    const float want[16] = {
        1, 2, 2, 4,
        3, 4, 6, 8,
        3, 6, 4, 8,
        9, 12, 12, 16,
    };
    nn_convt_config cfg = {.in_c = 1, .in_h = 2, .in_w = 2, .filters = 1, .k_h = 2, .k_w = 2,
                           .stride = 2, .padding = 0, .out_pad = 0, .dilation = 1};
    float out[16];
    run_forward(&cfg, x, w, NULL, out, 4, 4);
    assert_tensor_near(out, want, 16, 0.0);
}

// The same with padding 1 and output padding 1: the 4x4 stamped above loses
// its first row and column (p = 1 from the top and left), and of the bottom
// and right the padding crops 1 and the output padding gives 1 back, so the
// output is rows 1..3, cols 1..3 of it: (2-1)*2 - 2*1 + 1*(2-1) + 1 + 1 = 3.
//    4  6  8
//    6  4  8
//   12 12 16
static void test_hand_padding_and_output_padding(void **state) {
    (void)state;
    const float x[4] = {1, 2, 3, 4}, w[4] = {1, 2, 3, 4};
    const float want[9] = {
        4, 6, 8,
        6, 4, 8,
        12, 12, 16,
    };
    nn_convt_config cfg = {.in_c = 1, .in_h = 2, .in_w = 2, .filters = 1, .k_h = 2, .k_w = 2,
                           .stride = 2, .padding = 1, .out_pad = 1, .dilation = 1};
    float out[9];
    run_forward(&cfg, x, w, NULL, out, 3, 3);
    assert_tensor_near(out, want, 9, 0.0);
}

// Output padding past the stamps: input [5] (1x1), kernel [1 2; 3 4],
// stride 2, output padding 1: 0*2 - 0 + 1*1 + 1 + 1 = 3 per axis; the stamp
// fills the top-left 2x2, the added row and column hold only the bias 0.5.
//   5.5 10.5 0.5
//  15.5 20.5 0.5
//   0.5  0.5 0.5
static void test_hand_output_padding_gets_bias_only(void **state) {
    (void)state;
    const float x[1] = {5}, w[4] = {1, 2, 3, 4}, b[1] = {0.5f};
    const float want[9] = {
        5.5f, 10.5f, 0.5f,
        15.5f, 20.5f, 0.5f,
        0.5f, 0.5f, 0.5f,
    };
    nn_convt_config cfg = {.in_c = 1, .in_h = 1, .in_w = 1, .filters = 1, .k_h = 2, .k_w = 2,
                           .stride = 2, .padding = 0, .out_pad = 1, .dilation = 1};
    float out[9];
    run_forward(&cfg, x, w, b, out, 3, 3);
    assert_tensor_near(out, want, 9, 0.0);
}

// Overlapping stamps, stride 1: input [1 2; 3 4], kernel of ones 2x2; each
// output cell sums the input cells whose stamps cover it:
//   (0,0) 1        (0,1) 1+2 = 3        (0,2) 2
//   (1,0) 1+3 = 4  (1,1) 1+2+3+4 = 10   (1,2) 2+4 = 6
//   (2,0) 3        (2,1) 3+4 = 7        (2,2) 4
static void test_hand_overlap(void **state) {
    (void)state;
    const float x[4] = {1, 2, 3, 4}, w[4] = {1, 1, 1, 1};
    const float want[9] = {1, 3, 2, 4, 10, 6, 3, 7, 4};
    nn_convt_config cfg = {.in_c = 1, .in_h = 2, .in_w = 2, .filters = 1, .k_h = 2, .k_w = 2,
                           .stride = 1, .padding = 0, .out_pad = 0, .dilation = 1};
    float out[9];
    run_forward(&cfg, x, w, NULL, out, 3, 3);
    assert_tensor_near(out, want, 9, 0.0);
}

// Dilation 2: input [1 2] (1x2), kernel [1 -1]; the taps are 2 apart, so
// input 0 puts +1 at col 0 and -1 at col 2, input 1 puts +2 at col 1 and -2
// at col 3: [1 2 -1 -2]; cols (2-1)*1 - 0 + 2*(2-1) + 0 + 1 = 4.
static void test_hand_dilation(void **state) {
    (void)state;
    const float x[2] = {1, 2}, w[2] = {1, -1};
    const float want[4] = {1, 2, -1, -2};
    nn_convt_config cfg = {.in_c = 1, .in_h = 1, .in_w = 2, .filters = 1, .k_h = 1, .k_w = 2,
                           .stride = 1, .padding = 0, .out_pad = 0, .dilation = 2};
    float out[4];
    run_forward(&cfg, x, w, NULL, out, 1, 4);
    assert_tensor_near(out, want, 4, 0.0);
}

// Two input channels, two filters, 1x1 kernels, bias (0.5, 1), PyTorch's
// layout w[c][f]: w[0] = (1, 2), w[1] = (3, -1). Input channel 0 = [1 2],
// channel 1 = [0 1]. Map f = bias f + x0 * w[0][f] + x1 * w[1][f]:
//   map 0: 0.5 + 1*1 + 0*3 = 1.5    0.5 + 2*1 + 1*3 = 5.5
//   map 1: 1 + 1*2 + 0*(-1) = 3     1 + 2*2 + 1*(-1) = 4
static void test_hand_channels_filters_bias(void **state) {
    (void)state;
    const float x[4] = {1, 2, 0, 1}, w[4] = {1, 2, 3, -1}, b[2] = {0.5f, 1.0f};
    const float want[4] = {1.5f, 5.5f, 3.0f, 4.0f};
    nn_convt_config cfg = {.in_c = 2, .in_h = 1, .in_w = 2, .filters = 2, .k_h = 1, .k_w = 1,
                           .stride = 1, .padding = 0, .out_pad = 0, .dilation = 1};
    float out[4];
    run_forward(&cfg, x, w, b, out, 1, 2);
    assert_tensor_near(out, want, 4, 0.0);
}

// ---- (a) Random configurations against the scatter -----------------------------------

static void test_random_against_reference(void **state) {
    (void)state;
    test_rng r = rng_seed(20240615);
    int rejected = 0, checked = 0, with_out_pad = 0, with_pad = 0, multi = 0;
    double worst = 0.0;
    for (int i = 0; i < RANDOM_CONFIGS; i++) {
        case_ t;
        next_valid_case(&t, &r, 1 + (int)(rng_next(&r) % 2), &rejected);
        const nn_convt_config *c = &t.cfg;
        float *out = alloc_floats(out_count(&t.g) * (size_t)t.batch);
        nn_convt_forward(&t.g, out, t.x, t.w, t.b, t.batch);
        for (int n = 0; n < t.batch; n++) {
            double *ref, *mag;
            int oh, ow;
            reference(c, t.x + (size_t)n * in_count(c), t.w, t.b, &ref, &mag, &oh, &ow);
            assert_int_equal(t.g.out_h, oh);
            assert_int_equal(t.g.out_w, ow);
            const float *o = out + (size_t)n * out_count(&t.g);
            for (size_t k = 0; k < out_count(&t.g); k++) {
                const double d = fabs((double)o[k] - ref[k]), scale = mag[k] > 1e-30 ? mag[k] : 1.0;
                if (!(d <= REL_TOL * scale))
                    fail_msg("config %d (%dx%dx%d, %d filters of %dx%d, s %d p %d a %d d %d): "
                             "cell %zu is %.9g, the scatter gives %.9g",
                             i, c->in_c, c->in_h, c->in_w, c->filters, c->k_h, c->k_w, c->stride,
                             c->padding, c->out_pad, c->dilation, k, (double)o[k], ref[k]);
                if (d / scale > worst) worst = d / scale;
            }
            free(ref);
            free(mag);
        }
        checked++;
        with_out_pad += c->out_pad > 0;
        with_pad += c->padding > 0;
        multi += c->in_c > 1 && c->filters > 1;
        free(out);
        case_free(&t);
    }
    assert_int_equal(checked, RANDOM_CONFIGS);
    // The draw covers what it should: every option off its default many times.
    assert_true(with_out_pad >= 20 && with_pad >= 50 && multi >= 20 && rejected >= 1);
    print_message("# %d random configurations against the scatter (%d with output padding, "
                  "%d with padding, %d with several channels and filters; %d drawn with an "
                  "empty output were refused): max error %.3g of |bias| + sum |products|\n",
                  checked, with_out_pad, with_pad, multi, rejected, worst);
}

// A batch is its samples one after the other, bit for bit.
static void test_batch_is_samples(void **state) {
    (void)state;
    test_rng r = rng_seed(99);
    int rejected = 0;
    for (int i = 0; i < 20; i++) {
        case_ t;
        next_valid_case(&t, &r, 3, &rejected);
        const size_t oc = out_count(&t.g), ic = in_count(&t.cfg);
        float *all = alloc_floats(oc * 3), *one = alloc_floats(oc);
        nn_convt_forward(&t.g, all, t.x, t.w, t.b, 3);
        for (int n = 0; n < 3; n++) {
            nn_convt_forward(&t.g, one, t.x + (size_t)n * ic, t.w, t.b, 1);
            assert_floats_identical(all + (size_t)n * oc, one, oc);
        }
        free(all);
        free(one);
        case_free(&t);
    }
}

// ---- (c) The stepper ------------------------------------------------------------------

static void test_stepper_equals_forward(void **state) {
    (void)state;
    test_rng r = rng_seed(4242);
    int rejected = 0;
    for (int i = 0; i < RANDOM_CONFIGS; i++) {
        case_ t;
        next_valid_case(&t, &r, 1, &rejected);
        const nn_convt_config *c = &t.cfg;
        const nn_convt_geom *g = &t.g;
        const size_t oc = out_count(g);
        float *fwd = alloc_floats(oc), *sum = alloc_floats(oc);
        nn_convt_forward(g, fwd, t.x, t.w, t.b, 1);
        // The steps' products added up in order, from the bias.
        for (size_t k = 0; k < oc; k++)
            sum[k] = t.b ? t.b[k / ((size_t)g->out_h * g->out_w)] : 0.0f;
        nn_convt_cursor cur;
        nn_error err = error_fresh();
        assert_ok(nn_convt_cursor_init(&cur, g, t.x, t.w, t.b, &err), err);
        assert_int_equal(cur.total, (int)in_count(c));
        assert_floats_identical(cur.out, sum, oc);  // before any step: the bias
        nn_convt_step st;
        int steps = 0;
        while (nn_convt_step_next(&cur, &st)) {
            const int plane = c->in_h * c->in_w;
            assert_int_equal(st.index, steps);
            assert_int_equal(st.channel, steps / plane);
            assert_int_equal(st.row, steps % plane / c->in_w);
            assert_int_equal(st.col, steps % c->in_w);
            assert_true(st.value == t.x[steps]);
            assert_int_equal(st.count, c->filters * c->k_h * c->k_w);
            int landed = 0;
            for (int k = 0; k < st.count; k++) {
                const int f = k / (c->k_h * c->k_w), ky = k / c->k_w % c->k_h, kx = k % c->k_w;
                const int y = st.row * c->stride - c->padding + ky * c->dilation;
                const int x = st.col * c->stride - c->padding + kx * c->dilation;
                assert_int_equal(st.out_row[k], y);
                assert_int_equal(st.out_col[k], x);
                const bool outside = y < 0 || x < 0 || y >= g->out_h || x >= g->out_w;
                assert_int_equal(st.cropped[k], outside);
                const float wt = t.w[(size_t)st.channel * g->taps + (size_t)k];
                assert_true(st.weights[k] == wt);
                const float p = st.value * wt;
                assert_memory_equal(&st.products[k], &p, sizeof p);
                if (outside) continue;
                landed++;
                float *cell = &sum[((size_t)f * g->out_h + y) * g->out_w + x];
                *cell = *cell + st.products[k];
                assert_memory_equal(&st.after[k], cell, sizeof *cell);
            }
            assert_int_equal(st.landed, landed);
            steps++;
        }
        assert_int_equal(steps, cur.total);
        assert_floats_identical(cur.out, fwd, oc);
        assert_floats_identical(sum, fwd, oc);
        // Jumping back replays from the bias: stepping on from there to the
        // end gives the same bits again.
        const int mid = cur.total / 2;
        assert_true(nn_convt_step_at(&cur, mid, &st));
        assert_int_equal(st.index, mid);
        while (nn_convt_step_next(&cur, &st)) {
        }
        assert_floats_identical(cur.out, fwd, oc);
        assert_false(nn_convt_step_at(&cur, -1, &st));
        assert_false(nn_convt_step_at(&cur, cur.total, &st));
        nn_convt_cursor_destroy(&cur);
        free(fwd);
        free(sum);
        case_free(&t);
    }
}

// ---- (d) Backward against central differences ------------------------------------------

#define GRAD_H 1e-2
static double grad_worst;  // the largest |a - n| / allowed seen, for the message
typedef struct grad_ctx {
    const nn_convt_geom *g;
    const float *x, *w, *b, *dout;
    int batch;
    float *y;
} grad_ctx;

// L = sum(dout * y) in double: dL/dy = dout.
static double objective(const grad_ctx *c) {
    nn_convt_forward(c->g, c->y, c->x, c->w, c->b, c->batch);
    double s = 0.0;
    for (size_t i = 0; i < out_count(c->g) * (size_t)c->batch; i++)
        s += (double)c->dout[i] * (double)c->y[i];
    return s;
}

// Compares analytic[i] with the central difference of L in v[i] (v is one
// of the context's arrays); |a - n| <= 1e-3 + 1e-3 |n| (test_grad.c's layer
// tolerance). Returns the largest |analytic|.
static double check_grad(const grad_ctx *c, float *v, size_t n, const float *analytic,
                         const char *what) {
    double max_abs = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float v0 = v[i], vp = (float)(v0 + GRAD_H), vm = (float)(v0 - GRAD_H);
        v[i] = vp;
        const double lp = objective(c);
        v[i] = vm;
        const double lm = objective(c);
        v[i] = v0;
        const double num = (lp - lm) / ((double)vp - (double)vm);
        const double ratio = fabs(analytic[i] - num) / (1e-3 + 1e-3 * fabs(num));
        if (!(ratio <= 1.0))
            fail_msg("%s[%zu]: analytic %.7g, numeric %.7g", what, i, (double)analytic[i], num);
        if (ratio > grad_worst) grad_worst = ratio;
        if (fabs(analytic[i]) > max_abs) max_abs = fabs(analytic[i]);
    }
    return max_abs;
}

static void test_backward_central_differences(void **state) {
    (void)state;
    test_rng r = rng_seed(777);
    int rejected = 0;
    for (int i = 0; i < 40; i++) {
        case_ t;
        next_valid_case(&t, &r, 1 + (int)(rng_next(&r) % 2), &rejected);
        if (!t.b) {  // every case checks the bias too
            t.b = alloc_floats((size_t)t.cfg.filters);
            rng_fill(&r, t.b, (size_t)t.cfg.filters, -1.0f, 1.0f);
        }
        const size_t oc = out_count(&t.g) * (size_t)t.batch;
        const size_t ic = in_count(&t.cfg) * (size_t)t.batch;
        const size_t wc = w_count(&t.cfg), F = (size_t)t.cfg.filters;
        float *dout = alloc_floats(oc), *y = alloc_floats(oc);
        rng_fill(&r, dout, oc, -1.0f, 1.0f);
        float *dx = alloc_floats(ic), *dw = alloc_floats(wc), *db = alloc_floats(F);
        for (size_t k = 0; k < ic; k++) dx[k] = 12345.0f;  // overwritten, never added to
        nn_convt_backward(&t.g, dx, dw, db, dout, t.x, t.w, t.batch);
        for (size_t k = 0; k < ic; k++) assert_true(dx[k] != 12345.0f);
        grad_ctx c = {&t.g, t.x, t.w, t.b, dout, t.batch, y};
        // A cell whose stamp is cropped whole has no gradient: judge the sizes together.
        double biggest = check_grad(&c, t.x, ic, dx, "dx");
        const double gw = check_grad(&c, t.w, wc, dw, "dweights");
        const double gb = check_grad(&c, t.b, F, db, "dbias");
        if (gw > biggest) biggest = gw;
        if (gb > biggest) biggest = gb;
        assert_true(biggest > 1e-4);  // not all zero
        // Without din the parameter gradients are the same bits; a second
        // pass adds the same again.
        float *dw2 = alloc_floats(wc), *db2 = alloc_floats(F);
        nn_convt_backward(&t.g, NULL, dw2, db2, dout, t.x, t.w, t.batch);
        assert_floats_identical(dw2, dw, wc);
        assert_floats_identical(db2, db, F);
        nn_convt_backward(&t.g, NULL, dw2, db2, dout, t.x, t.w, t.batch);
        // (each term is added to the running value, so the second pass rounds
        // differently: twice the first up to float rounding of the largest)
        for (size_t k = 0; k < wc; k++)
            assert_true(fabs(dw2[k] - 2.0 * dw[k]) <= 1e-5 * (fabs(2.0 * dw[k]) + gw));
        free(dw2);
        free(db2);
        free(dout);
        free(y);
        free(dx);
        free(dw);
        free(db);
        case_free(&t);
    }
    print_message("# backward on 40 random configurations: the worst value used %.1f%% of "
                  "the tolerance 1e-3 + 1e-3 |numeric|\n", 100.0 * grad_worst);
}

// Whole nets with a convt layer: the loss nn_net_backward returns, differenced
// in every parameter of the net, against the gradients it accumulated
// (smooth nets: no ReLU, no max pooling; test_grad.c's net tolerance).
static void check_net(const char *arch, nn_shape input) {
    nn_net *net = NULL;
    nn_error err = error_fresh();
    const int B = 2;
    assert_ok(nn_net_create(&net, arch, input, B, NULL, &err), err);
    nn_net_init_params(net, 5);
    test_rng r = rng_seed(31);
    for (int i = 0; i < net->model->n_layers; i++)
        rng_fill(&r, net->params + net->slices[i].bias, net->slices[i].n_bias, -0.1f, 0.1f);
    const size_t in_n = nn_shape_count(input) * B;
    float *x = alloc_floats(in_n);
    rng_fill(&r, x, in_n, -1.0f, 1.0f);
    const uint8_t labels[2] = {0, 2};
    nn_net_zero_grads(net);
    nn_net_forward(net, x, B, true, NULL);
    nn_net_backward(net, labels);
    float *analytic = alloc_floats(net->n_params);
    memcpy(analytic, net->grads, sizeof(float) * net->n_params);
    double max_abs = 0.0;
    for (size_t i = 0; i < net->n_params; i++) {
        float *p = &net->params[i];
        const float p0 = *p, pp = (float)(p0 + GRAD_H), pm = (float)(p0 - GRAD_H);
        *p = pp;
        nn_net_forward(net, x, B, true, NULL);
        const double lp = nn_net_backward(net, labels);
        *p = pm;
        nn_net_forward(net, x, B, true, NULL);
        const double lm = nn_net_backward(net, labels);
        *p = p0;
        const double num = (lp - lm) / ((double)pp - (double)pm);
        if (!(fabs(analytic[i] - num) <= 1e-3 + 2e-2 * fabs(num)))
            fail_msg("%s: parameter %zu: analytic %.7g, numeric %.7g", arch, i,
                     (double)analytic[i], num);
        if (fabs(analytic[i]) > max_abs) max_abs = fabs(analytic[i]);
    }
    // The convt layer's own weights moved (it is the first or second layer).
    for (int i = 0; i < net->model->n_layers; i++) {
        if (net->model->layers[i].spec.kind != NN_LAYER_CONVT) continue;
        const nn_param_slice *s = &net->slices[i];
        double m = 0.0;
        for (size_t k = 0; k < s->n_weights; k++)
            if (fabs(analytic[s->weights + k]) > m) m = fabs(analytic[s->weights + k]);
        assert_true(m > 1e-4);
    }
    assert_true(max_abs > 1e-4);
    free(analytic);
    free(x);
    nn_net_free(net);
}

static void test_net_gradients(void **state) {
    (void)state;
    // convt first: its input gradient is never asked for.
    check_net("convt(2,3,stride=2,pad=1,out_pad=1),flatten,dense(3)", nn_shape_map(2, 3, 3));
    // convt second: its input gradient trains the conv before it.
    check_net("conv(2,2),convt(3,2,stride=2,out_pad=1,dilation=2),tanh,flatten,dense(3)",
              nn_shape_map(1, 4, 4));
}

// ---- (e) Errors, exactly ----------------------------------------------------------------

static nn_convt_config base_config(void) {
    nn_convt_config c = {.in_c = 1, .in_h = 2, .in_w = 2, .filters = 1, .k_h = 2, .k_w = 2,
                         .stride = 1, .padding = 0, .out_pad = 0, .dilation = 1};
    return c;
}

static void geom_fails(const nn_convt_config *c, nn_status want, const char *msg) {
    nn_convt_geom g;
    nn_error err = error_fresh();
    assert_status(nn_convt_geom_init(&g, c, &err), want, err);
    if (strcmp(err.msg, msg) != 0) fail_msg("message \"%s\"\n  want    \"%s\"", err.msg, msg);
}

static void test_errors(void **state) {
    (void)state;
    nn_convt_config c = base_config();
    c.out_pad = 2, c.stride = 2;
    geom_fails(&c, NN_ERR_ARG,
               "the output padding 2 must be smaller than the stride 2 or the dilation 1 "
               "(a < max(s, d) = 2)");
    c = base_config();
    c.out_pad = 1;
    geom_fails(&c, NN_ERR_ARG,
               "the output padding 1 must be smaller than the stride 1 or the dilation 1 "
               "(a < max(s, d) = 1)");
    c.dilation = 3, c.out_pad = 3;
    geom_fails(&c, NN_ERR_ARG,
               "the output padding 3 must be smaller than the stride 1 or the dilation 3 "
               "(a < max(s, d) = 3)");
    // (2-1)*1 - 2*3 + 1*(2-1) + 0 + 1 = -3; the stamps cover 3 cells, a
    // padding p leaves 3 - 2p + 0 >= 1 cells for p <= 1.
    c = base_config();
    c.padding = 3;
    geom_fails(&c, NN_ERR_SHAPE,
               "rows: the output size (n - 1)s - 2p + d(k - 1) + a + 1 = (2 - 1)*1 - 2*3 + "
               "1*(2 - 1) + 0 + 1 = -3 is less than 1: padding 3 on each side crops all 3 "
               "cells the stamps cover (a padding of at most 1 leaves some)");
    // Exactly 0 cells, on the cols only: rows (5-1)*1 - 2*2 + 1*(5-1) + 0 + 1 = 5,
    // cols (3-1)*1 - 2*2 + 1*(2-1) + 0 + 1 = 0; the stamps cover 4 columns.
    c = base_config();
    c.in_h = 5, c.k_h = 5, c.in_w = 3, c.padding = 2;
    geom_fails(&c, NN_ERR_SHAPE,
               "cols: the output size (n - 1)s - 2p + d(k - 1) + a + 1 = (3 - 1)*1 - 2*2 + "
               "1*(2 - 1) + 0 + 1 = 0 is less than 1: padding 2 on each side crops all 4 "
               "cells the stamps cover (a padding of at most 1 leaves some)");
    c = base_config();
    c.in_h = 0;
    geom_fails(&c, NN_ERR_SHAPE, "the input is empty (rows = 0)");
    c = base_config();
    c.k_w = 0;
    geom_fails(&c, NN_ERR_SHAPE, "the kernel is empty (cols = 0)");
    c = base_config();
    c.stride = 0;
    geom_fails(&c, NN_ERR_ARG, "the stride must be at least 1, got 0");
    c = base_config();
    c.dilation = -1;
    geom_fails(&c, NN_ERR_ARG, "the dilation must be at least 1, got -1");
    c = base_config();
    c.padding = -2;
    geom_fails(&c, NN_ERR_ARG, "the padding must not be negative, got -2");
    c = base_config();
    c.out_pad = -1;
    geom_fails(&c, NN_ERR_ARG, "the output padding must not be negative, got -1");
    c = base_config();
    c.in_c = 0;
    geom_fails(&c, NN_ERR_SHAPE, "the input needs 1 to 1000000 channels, got 0");
    c = base_config();
    c.filters = 0;
    geom_fails(&c, NN_ERR_SHAPE, "a transposed convolution needs 1 to 1000000 filters, got 0");
    c = base_config();
    c.in_h = 2000000;
    geom_fails(&c, NN_ERR_NOMEM,
               "rows: sizes above 1000000 are not supported (input 2000000, kernel 2)");
    c = base_config();
    c.stride = 2000000;
    geom_fails(&c, NN_ERR_NOMEM,
               "sizes above 1000000 are not supported (stride 2000000, dilation 1, padding 0, "
               "output padding 0)");
    // (1000 - 1)*2000 - 0 + 1*(2 - 1) + 0 + 1 = 1998002 cells on an axis.
    c = base_config();
    c.in_h = 1000, c.stride = 2000;
    geom_fails(&c, NN_ERR_NOMEM,
               "rows: the output size (n - 1)s - 2p + d(k - 1) + a + 1 = (1000 - 1)*2000 - 2*0 + "
               "1*(2 - 1) + 0 + 1 = 1998002 is larger than 1000000, the most one axis may have");
    // 1000 maps of 1001x1001: more than 2^28 values.
    c = base_config();
    c.in_h = 1000, c.in_w = 1000, c.filters = 1000;
    geom_fails(&c, NN_ERR_NOMEM,
               "a transposed convolution of 1x1000x1000 to 1000 maps of 1001x1001 with 2x2 "
               "kernels is too large (more than 268435456 values in a buffer)");
}

// The formula text the CLI prints and the messages quote.
static void test_formula_text(void **state) {
    (void)state;
    nn_convt_config c = base_config();
    c.in_h = 3, c.k_h = 3, c.stride = 2, c.padding = 1, c.out_pad = 1;
    nn_convt_geom g;
    nn_error err = error_fresh();
    assert_ok(nn_convt_geom_init(&g, &c, &err), err);
    char buf[160];
    nn_convt_formula_text(&g.rows, buf, sizeof buf);
    // (3-1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 4 - 2 + 2 + 2 = 6; the stamps cover (3-1)*2 + 2 + 1 = 7.
    assert_string_equal(buf, "(3 - 1)*2 - 2*1 + 1*(3 - 1) + 1 + 1 = 6");
    assert_int_equal(g.rows.out, 6);
    assert_int_equal(g.rows.full, 7);
    assert_int_equal(g.taps, 1 * 3 * 2);
}

// ---- (f) The layer kind: arch strings and the summary's numbers -----------------------

// On 28x28x1, by hand:
//   conv(4,3,stride=2): floor((28 - 3)/2) + 1 = 13 -> 13x13x4, 4*(3*3*1 + 1) = 40
//   convt(1,3,stride=2,out_pad=1): (13 - 1)*2 - 0 + 1*(3 - 1) + 1 + 1 = 28 -> 28x28x1,
//     Keras's Conv2DTranspose: 3*3*4*1 weights + 1 bias = 37
//   total 77
static void test_model_summary_numbers(void **state) {
    (void)state;
    nn_model *m = NULL;
    nn_error err = error_fresh();
    assert_ok(nn_model_create(&m, "conv(4,3,stride=2),convt(1,3,stride=2,out_pad=1)",
                              nn_shape_map(1, 28, 28), &err),
              err);
    assert_int_equal(m->n_layers, 2);
    const nn_layer *a = &m->layers[0], *b = &m->layers[1];
    assert_int_equal(a->out.c, 4);
    assert_int_equal(a->out.h, 13);
    assert_int_equal(nn_layer_params(a), 40);
    assert_int_equal(b->spec.kind, NN_LAYER_CONVT);
    assert_string_equal(b->name, "conv2d_transpose");
    assert_string_equal(b->type, "Conv2DTranspose");
    assert_int_equal(b->out.rank, 3);
    assert_int_equal(b->out.c, 1);
    assert_int_equal(b->out.h, 28);
    assert_int_equal(b->out.w, 28);
    assert_int_equal(b->weights, 36);
    assert_int_equal(b->biases, 1);
    assert_int_equal(m->params, 77);
    nn_model_free(m);

    // A second one is numbered as Keras numbers it; 3 filters on 28x28x1 with
    // 5x5 kernels: 5*5*1*3 + 3 = 78, then 2 filters on its 3 maps: 2*2*3*2 + 2 = 26.
    assert_ok(nn_model_create(&m, "convt(3,5,pad=2),relu,convt(2,2,stride=2)",
                              nn_shape_map(1, 28, 28), &err),
              err);
    // (28-1)*1 - 2*2 + 1*4 + 0 + 1 = 28; (28-1)*2 - 0 + 1*1 + 0 + 1 = 56
    assert_int_equal(m->layers[0].out.h, 28);
    assert_int_equal(nn_layer_params(&m->layers[0]), 78);
    assert_string_equal(m->layers[2].name, "conv2d_transpose_1");
    assert_int_equal(m->layers[2].out.h, 56);
    assert_int_equal(m->layers[2].out.c, 2);
    assert_int_equal(nn_layer_params(&m->layers[2]), 26);
    assert_int_equal(m->params, 104);
    nn_model_free(m);
}

static void test_arch_format_round_trip(void **state) {
    (void)state;
    static const char *texts[] = {
        "convt(2,3)",
        "convt(2,3,stride=2)",
        "convt(2,3,stride=2,pad=1,out_pad=1,dilation=2)",
        "convt(1,4,out_pad=2,dilation=3)",
    };
    for (size_t i = 0; i < HELPERS_COUNT_OF(texts); i++) {
        nn_layer_spec *l = NULL;
        int n = 0;
        nn_error err = error_fresh();
        assert_ok(nn_arch_parse(texts[i], &l, &n, &err), err);
        assert_int_equal(n, 1);
        assert_int_equal(l[0].kind, NN_LAYER_CONVT);
        char buf[96];
        nn_layer_spec_format(&l[0], buf, sizeof buf);
        assert_string_equal(buf, texts[i]);
        free(l);
    }
    // Options in another order, defaults given: written the canonical way.
    nn_layer_spec *l = NULL;
    int n = 0;
    nn_error err = error_fresh();
    assert_ok(nn_arch_parse("convt(2,3,dilation=1,out_pad=1,stride=2,pad=0)", &l, &n, &err), err);
    assert_int_equal(l[0].out_pad, 1);
    assert_int_equal(l[0].stride, 2);
    char buf[96];
    nn_layer_spec_format(&l[0], buf, sizeof buf);
    assert_string_equal(buf, "convt(2,3,stride=2,out_pad=1)");
    free(l);
}

static void parse_fails(const char *text, int column, const char *msg) {
    nn_layer_spec *l = NULL;
    int n = 0;
    nn_error err = error_fresh();
    assert_status(nn_arch_parse(text, &l, &n, &err), NN_ERR_PARSE, err);
    assert_null(l);
    if (strcmp(err.msg, msg) != 0) fail_msg("message \"%s\"\n  want    \"%s\"", err.msg, msg);
    assert_int_equal(err.column, column);
}

static void model_fails(const char *text, nn_shape in, int column, const char *msg) {
    nn_model *m = NULL;
    nn_error err = error_fresh();
    assert_status(nn_model_create(&m, text, in, &err), NN_ERR_SHAPE, err);
    assert_null(m);
    if (strcmp(err.msg, msg) != 0) fail_msg("message \"%s\"\n  want    \"%s\"", err.msg, msg);
    assert_int_equal(err.column, column);
}

static void test_arch_errors(void **state) {
    (void)state;
    // conv(4,3), is 10 characters: convt starts in column 11, its options after "convt(2,3,".
    parse_fails("conv(4,3),convt(2,3,out_pad=-1)", 21,
                "architecture column 21: out_pad must be from 0 to 1000000, got -1");
    parse_fails("conv(4,3),convt(2,3,pad=same)", 21,
                "architecture column 21: pad must be a whole number, got 'same'");
    parse_fails("convt(2)", 1,
                "architecture column 1: convt needs more values (usage: "
                "convt(F,K[,stride=S][,pad=P][,out_pad=A][,dilation=D]))");
    parse_fails("convt(2,3,outpad=1)", 11,
                "architecture column 11: unknown option 'outpad' (usage: "
                "convt(F,K[,stride=S][,pad=P][,out_pad=A][,dilation=D]))");
    parse_fails("convt(0,3)", 7,
                "architecture column 7: the number of filters F must be from 1 to 1000000, got 0");
    // Shapes: the layer's column and the engine's sentence.
    model_fails("conv(4,3,stride=2),convt(1,3,stride=2,out_pad=2)", nn_shape_map(1, 28, 28), 20,
                "layer 2, convt(1,3,stride=2,out_pad=2) (column 20), on 13x13x4 (HxWxC): the "
                "output padding 2 must be smaller than the stride 2 or the dilation 1 (a < "
                "max(s, d) = 2)");
    // 1x1x1 with a 3x3 kernel and padding 2: (1-1)*1 - 2*2 + 1*2 + 0 + 1 = -1.
    model_fails("convt(1,3,pad=2)", nn_shape_map(1, 1, 1), 1,
                "layer 1, convt(1,3,pad=2) (column 1), on 1x1x1 (HxWxC): rows: the output size "
                "(n - 1)s - 2p + d(k - 1) + a + 1 = (1 - 1)*1 - 2*2 + 1*(3 - 1) + 0 + 1 = -1 is "
                "less than 1: padding 2 on each side crops all 3 cells the stamps cover (a "
                "padding of at most 1 leaves some)");
    model_fails("flatten,convt(1,3)", nn_shape_map(1, 4, 4), 9,
                "layer 2, convt(1,3) (column 9), needs a feature map but gets a flat vector of 16 "
                "values: put it before flatten");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_stride2),
        cmocka_unit_test(test_hand_padding_and_output_padding),
        cmocka_unit_test(test_hand_output_padding_gets_bias_only),
        cmocka_unit_test(test_hand_overlap),
        cmocka_unit_test(test_hand_dilation),
        cmocka_unit_test(test_hand_channels_filters_bias),
        cmocka_unit_test(test_random_against_reference),
        cmocka_unit_test(test_batch_is_samples),
        cmocka_unit_test(test_stepper_equals_forward),
        cmocka_unit_test(test_backward_central_differences),
        cmocka_unit_test(test_net_gradients),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_formula_text),
        cmocka_unit_test(test_model_summary_numbers),
        cmocka_unit_test(test_arch_format_round_trip),
        cmocka_unit_test(test_arch_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
