// test_conv_backstep.c - the convolution's backward stepper (nn/conv2d_backstep.h):
// a case worked by hand; then, on 150 random configurations (stride 1-3,
// valid/same/explicit padding, dilation 1-2, 1-3 channels and filters, sizes
// 1-7): every step's products are the factors it names, they are the products
// the definition asks for, and replayed in the documented order they give the
// step's partial sums and value bit for bit; the gradients agree with central
// differences of a double-precision forward pass written here; and they are
// bit-identical to training's backward (nn_conv2d_backward_batch from the
// forward's column matrix, and nn_conv2d_backward), with the GEMM kernel this
// machine picks and with each of scalar, AVX2 and AVX-512 forced.
#include <stdlib.h>

#include "helpers.h"

static const nn_padding PAD_VALID = {NN_PAD_VALID, 0};

static float *alloc_floats(size_t n) {
    float *p = calloc(n ? n : 1, sizeof(float));
    assert_non_null(p);
    return p;
}

// All the cells of one sample through the stepper, laid out as the gradients.
static void step_all(const nn_conv2d_geom *g, const float *x, const float *w, const float *dy,
                     float *dx, float *dw, float *db) {
    nn_backstep_cursor cur;
    nn_error err = error_fresh();
    assert_int_equal(nn_backstep_cursor_init(&cur, g, x, w, dy, true, &err), NN_OK);
    nn_backstep st;
    int seen = 0;
    while (nn_backstep_next(&cur, &st)) {
        assert_int_equal(st.index, seen++);
        const nn_conv2d_config *c = &g->cfg;
        if (st.of == NN_BACKSTEP_KERNEL)
            dw[(((size_t)st.filter * c->in_c + st.channel) * c->k_h + st.row) * c->k_w + st.col] = st.value;
        else if (st.of == NN_BACKSTEP_INPUT)
            dx[((size_t)st.channel * c->in_h + st.row) * c->in_w + st.col] = st.value;
        else
            db[st.filter] = st.value;
    }
    assert_int_equal(seen, cur.total);
    nn_backstep_cursor_destroy(&cur);
}

// ---- Worked by hand -----------------------------------------------------------------

// Input x = 1 2 3 / 4 5 6 / 7 8 9, kernel w = 1 2 / 3 4, valid, stride 1: the
// output is 2x2. With dL/dY all ones:
//   dL/dW[ky][kx] is the sum of the 2x2 sub-window of x starting at (ky,kx):
//     dW = 1+2+4+5  2+3+5+6  = 12 16
//          4+5+7+8  5+6+8+9    24 28
//   dL/dX[y][x] is the sum of the weights whose tap landed on (y,x) (the ones
//   matrix convolved with the flipped kernel, 'full' padding):
//     corner (0,0): only w[0][0] (from output (0,0))          = 1
//     (0,1): w[0][1] from output (0,0), w[0][0] from (0,1)    = 2+1 = 3
//     (1,1), the centre: all four taps, one per output         = 1+2+3+4 = 10
//     dX = 1 3 2 / 4 10 6 / 3 7 4
//   dL/db = the sum of dL/dY = 4.
static void test_hand_worked(void **state) {
    (void)state;
    const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 2, 3, 4}, dy[4] = {1, 1, 1, 1};
    const float want_dw[4] = {12, 16, 24, 28}, want_dx[9] = {1, 3, 2, 4, 10, 6, 3, 7, 4};
    nn_conv2d_config cfg = {.in_c = 1, .in_h = 3, .in_w = 3, .filters = 1, .k_h = 2, .k_w = 2,
                            .stride = 1, .dilation = 1, .padding = PAD_VALID};
    nn_conv2d_geom g;
    nn_error err = error_fresh();
    assert_int_equal(nn_conv2d_geom_init(&g, &cfg, &err), NN_OK);
    float dx[9], dw[4], db[1];
    step_all(&g, x, w, dy, dx, dw, db);
    assert_tensor_near(dw, want_dw, 4, 0.0);
    assert_tensor_near(dx, want_dx, 9, 0.0);
    assert_true(db[0] == 4.0f);

    // The centre's step names its four products: w[ky][kx] * dY at output (1-ky, 1-kx).
    nn_backstep_cursor cur;
    assert_int_equal(nn_backstep_cursor_init(&cur, &g, x, w, dy, true, &err), NN_OK);
    nn_backstep st;
    assert_true(nn_backstep_at(&cur, 4 + 4, &st));  // 4 kernel cells, then input (1,1)
    assert_int_equal(st.of, NN_BACKSTEP_INPUT);
    assert_int_equal(st.row, 1);
    assert_int_equal(st.col, 1);
    assert_int_equal(st.count, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(st.terms[i].k_row, i / 2);
        assert_int_equal(st.terms[i].k_col, i % 2);
        assert_int_equal(st.terms[i].out_row, 1 - i / 2);
        assert_int_equal(st.terms[i].out_col, 1 - i % 2);
        assert_true(st.terms[i].product == (float)(i + 1));
    }
    // Kernel cell (0,1): x at (0,1) (0,2) (1,1) (1,2) times dY = 2 + 3 + 5 + 6.
    assert_true(nn_backstep_at(&cur, 1, &st));
    assert_int_equal(st.count, 4);
    const float xs[4] = {2, 3, 5, 6};
    for (int i = 0; i < 4; i++) assert_true(st.terms[i].factor == xs[i]);
    nn_backstep_cursor_destroy(&cur);
}

// The kernel rotated: 1 2 3 / 4 5 6 -> 6 5 4 / 3 2 1, per plane, and back.
static void test_rotate180(void **state) {
    (void)state;
    const float k[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const float want[12] = {6, 5, 4, 3, 2, 1, 12, 11, 10, 9, 8, 7};
    float r[12], back[12];
    nn_kernel_rotate180(r, k, 2, 2, 3);
    assert_tensor_near(r, want, 12, 0.0);
    nn_kernel_rotate180(back, r, 2, 2, 3);
    assert_tensor_near(back, k, 12, 0.0);
}

// ---- Random configurations ----------------------------------------------------------

// sum over f, oy, ox of Y[f][oy][ox] * G[f][oy][ox], Y computed in double from
// its definition (plain loops over the padded input).
static double loss_(const nn_conv2d_geom *g, const float *x, const float *w, const float *b,
                    const float *dy) {
    const nn_conv2d_config *c = &g->cfg;
    double total = 0.0;
    for (int f = 0; f < c->filters; f++)
        for (int oy = 0; oy < g->out_h; oy++)
            for (int ox = 0; ox < g->out_w; ox++) {
                double y = b[f];
                for (int ch = 0; ch < c->in_c; ch++)
                    for (int ky = 0; ky < c->k_h; ky++)
                        for (int kx = 0; kx < c->k_w; kx++) {
                            const int r = oy * c->stride - g->rows.pad_lo + ky * c->dilation;
                            const int s = ox * c->stride - g->cols.pad_lo + kx * c->dilation;
                            if (r < 0 || s < 0 || r >= c->in_h || s >= c->in_w) continue;
                            y += (double)x[((size_t)ch * c->in_h + r) * c->in_w + s] *
                                 (double)w[(((size_t)f * c->in_c + ch) * c->k_h + ky) * c->k_w + kx];
                        }
                total += y * (double)dy[((size_t)f * g->out_h + oy) * g->out_w + ox];
            }
    return total;
}

// Central differences of loss_ for every value of v (a copy is perturbed).
static void central_(const nn_conv2d_geom *g, float *x, float *w, float *b, const float *dy,
                     float *v, size_t n, double *grad) {
    for (size_t i = 0; i < n; i++) {
        const float keep = v[i];
        // The loss is linear in v, so the steps actually taken (keep +- h
        // rounded to float) give its slope to double precision.
        const float hi = keep + 0.25f, lo = keep - 0.25f;
        v[i] = hi;
        const double up = loss_(g, x, w, b, dy);
        v[i] = lo;
        const double down = loss_(g, x, w, b, dy);
        v[i] = keep;
        grad[i] = (up - down) / ((double)hi - (double)lo);
    }
}

// _mm512_reduce_add_ps's pairing, written out here from GCC's header.
static float lanes16_(const float *l) {
    float h8[8], h4[4];
    for (int i = 0; i < 8; i++) h8[i] = l[i + 8] + l[i];
    for (int i = 0; i < 4; i++) h4[i] = h8[i + 4] + h8[i];
    return (h4[0] + h4[2]) + (h4[1] + h4[3]);
}

// The AVX2 kernel's: 128-bit halves added, then movehl, then lanes 0 + 1.
static float lanes8_(const float *l) {
    float h4[4];
    for (int i = 0; i < 4; i++) h4[i] = l[i] + l[i + 4];
    return (h4[0] + h4[2]) + (h4[1] + h4[3]);
}

// The lanes of nn_gemm_nt's kernel now running: 16 AVX-512, 8 AVX2, 1 scalar.
static int nt_lanes_now_(void) {
    const char *k = nn_gemm_kernel_name();
    return strcmp(k, "avx512") == 0 ? 16 : strcmp(k, "avx2") == 0 ? 8 : 1;
}

// One step: its terms are the ones the definition names, with the right
// factors, and replaying them in the documented order gives every partial
// sum and the value, bit for bit. Returns the largest |value - sum of
// products in double| relative to sum |products| (for the report).
static void check_step_(const nn_conv2d_geom *g, const float *x, const float *w, const float *dy,
                        const nn_backstep *st) {
    const nn_conv2d_config *c = &g->cfg;
    const int P = g->out_h * g->out_w;
    float partial[64];
    for (int i = 0; i < 64; i++) partial[i] = 0.0f;
    int expect_count = 0;
    if (st->of == NN_BACKSTEP_KERNEL) expect_count = P;
    if (st->of == NN_BACKSTEP_BIAS) expect_count = P;
    if (st->of == NN_BACKSTEP_INPUT)  // every (f, oy, ox, ky, kx) whose tap read the cell
        for (int ky = 0; ky < c->k_h; ky++)
            for (int kx = 0; kx < c->k_w; kx++)
                for (int oy = 0; oy < g->out_h; oy++)
                    for (int ox = 0; ox < g->out_w; ox++)
                        if (oy * c->stride - g->rows.pad_lo + ky * c->dilation == st->row &&
                            ox * c->stride - g->cols.pad_lo + kx * c->dilation == st->col)
                            expect_count += c->filters;
    assert_int_equal(st->count, expect_count);
    const int lanes = nt_lanes_now_();
    for (int i = 0; i < st->count; i++) {
        const nn_backstep_term *t = &st->terms[i];
        const float gy = dy[((size_t)t->filter * g->out_h + t->out_row) * g->out_w + t->out_col];
        assert_true(t->dy == gy);
        if (st->of != NN_BACKSTEP_BIAS) {
            assert_int_equal(t->in_row, t->out_row * c->stride - g->rows.pad_lo + t->k_row * c->dilation);
            assert_int_equal(t->in_col, t->out_col * c->stride - g->cols.pad_lo + t->k_col * c->dilation);
        }
        if (st->of == NN_BACKSTEP_KERNEL) {
            assert_int_equal(t->filter, st->filter);
            assert_int_equal(t->channel, st->channel);
            assert_int_equal(t->k_row, st->row);
            assert_int_equal(t->k_col, st->col);
            const bool out = t->in_row < 0 || t->in_col < 0 || t->in_row >= c->in_h || t->in_col >= c->in_w;
            assert_int_equal(t->padded, out);
            const float xv = out ? 0.0f : x[((size_t)t->channel * c->in_h + t->in_row) * c->in_w + t->in_col];
            assert_true(t->factor == xv);
            assert_int_equal(t->group, i % lanes);  // round-robin over the kernel's lanes
            partial[t->group] = fmaf(t->dy, t->factor, partial[t->group]);
        } else if (st->of == NN_BACKSTEP_INPUT) {
            assert_int_equal(t->in_row, st->row);
            assert_int_equal(t->in_col, st->col);
            assert_int_equal(t->channel, st->channel);
            const float wv = w[(((size_t)t->filter * c->in_c + t->channel) * c->k_h + t->k_row) * c->k_w + t->k_col];
            assert_true(t->factor == wv);
            // groups: one per tap, in order (ky, kx); filters in order within
            if (i > 0 && t->group == st->terms[i - 1].group)
                assert_int_equal(t->filter, st->terms[i - 1].filter + 1);
            else
                assert_int_equal(t->filter, 0);
            assert_true(t->group < 64);
            partial[t->group] = fmaf(t->factor, t->dy, partial[t->group]);
        } else {
            assert_true(t->factor == 1.0f);
            partial[0] = partial[0] + t->dy;
        }
        assert_true(t->product == t->factor * t->dy);
        assert_true(t->partial == partial[t->group]);
    }
    for (int l = 0; l < st->groups; l++) assert_true(st->group_sums[l] == partial[l]);
    float value;
    if (st->of == NN_BACKSTEP_INPUT) {
        value = 0.0f;
        for (int l = 0; l < st->groups; l++) value = value + partial[l];
    } else if (st->of == NN_BACKSTEP_KERNEL && lanes == 16) {
        value = 0.0f + lanes16_(partial);  // AVX-512's nn_gemm_nt
    } else if (st->of == NN_BACKSTEP_KERNEL && lanes == 8) {
        value = 0.0f + lanes8_(partial);  // AVX2's nn_gemm_nt
    } else {
        value = 0.0f + partial[0];  // one chain
    }
    assert_memory_equal(&value, &st->value, sizeof value);
}

typedef struct figures_ {
    int configs;
    double max_fd;  // largest |gradient - central difference| / (1 + sum |products|)
    long cells;
} figures_;

static figures_ figures;

static void check_config_(const nn_conv2d_geom *g, test_rng *r) {
    const nn_conv2d_config *c = &g->cfg;
    const size_t n_in = (size_t)c->in_c * c->in_h * c->in_w, n_w = (size_t)c->filters * g->window;
    const size_t n_out = (size_t)c->filters * g->out_h * g->out_w, F = (size_t)c->filters;
    float *x = alloc_floats(n_in), *w = alloc_floats(n_w), *b = alloc_floats(F);
    float *dy = alloc_floats(n_out);
    rng_fill(r, x, n_in, -1, 1);
    rng_fill(r, w, n_w, -1, 1);
    rng_fill(r, b, F, -1, 1);
    rng_fill(r, dy, n_out, -1, 1);
    float *dx = alloc_floats(n_in), *dw = alloc_floats(n_w), *db = alloc_floats(F);
    step_all(g, x, w, dy, dx, dw, db);

    // Every step checked against its definition and order, on every kernel
    // this CPU runs (the weights' sums follow nn_gemm_nt's lanes).
    const char *all[4] = {NULL, "scalar", "avx2", "avx512"};
    for (int kk = 0; kk < 4; kk++) {
        if (!nn_gemm_force_kernel(all[kk])) continue;
        nn_backstep_cursor cur;
        nn_error err = error_fresh();
        assert_int_equal(nn_backstep_cursor_init(&cur, g, x, w, dy, true, &err), NN_OK);
        nn_backstep st;
        while (nn_backstep_next(&cur, &st)) check_step_(g, x, w, dy, &st);
        nn_backstep_cursor_destroy(&cur);
    }
    assert_true(nn_gemm_force_kernel(NULL));

    // Central differences of the double-precision forward pass.
    double *cd = malloc(sizeof(double) * (n_in + n_w + F));
    assert_non_null(cd);
    central_(g, x, w, b, dy, x, n_in, cd);
    central_(g, x, w, b, dy, w, n_w, cd + n_in);
    central_(g, x, w, b, dy, b, F, cd + n_in + n_w);
    const float *got[3] = {dx, dw, db};
    const size_t n[3] = {n_in, n_w, F};
    size_t off = 0;
    for (int a = 0; a < 3; off += n[a], a++)
        for (size_t i = 0; i < n[a]; i++) {
            // float sums of at most 49 products of values in [-1, 1]: within
            // 49 * 2^-24 * 49 of the exact value; 1e-4 leaves room.
            const double d = fabs((double)got[a][i] - cd[off + i]);
            const double rel = d / (1.0 + fabs(cd[off + i]));
            if (rel > figures.max_fd) figures.max_fd = rel;
            if (!(d <= 1e-4 * (1.0 + fabs(cd[off + i])))) {
                print_error("gradient %d[%zu]: stepper %.9g, central difference %.9g\n", a, i,
                            (double)got[a][i], cd[off + i]);
                fail();
            }
        }
    figures.cells += (long)(n_in + n_w + F);
    free(cd);

    // Training's backward, bit for bit: with this machine's kernel, and each of
    // scalar, AVX2 and AVX-512 forced (where the CPU has it).
    const char *kernels[4] = {NULL, "scalar", "avx2", "avx512"};
    for (int kk = 0; kk < 4; kk++) {
        if (!nn_gemm_force_kernel(kernels[kk])) continue;  // not on this CPU
        float *sx = alloc_floats(n_in), *sw = alloc_floats(n_w), *sb = alloc_floats(F);
        if (kk > 0) step_all(g, x, w, dy, sx, sw, sb);  // the stepper follows the kernel
        else {
            memcpy(sx, dx, n_in * sizeof(float));
            memcpy(sw, dw, n_w * sizeof(float));
            memcpy(sb, db, F * sizeof(float));
        }
        const size_t P = (size_t)g->out_h * g->out_w;
        float *col = alloc_floats((size_t)g->window * P), *tmp_fwd = alloc_floats(n_out);
        float *tmp = alloc_floats(nn_conv2d_backward_scratch(g, 1));
        float *out = alloc_floats(n_out);
        nn_conv2d_forward_batch(g, out, x, w, b, 1, col, true, tmp_fwd);
        float *tx = alloc_floats(n_in), *tw = alloc_floats(n_w), *tb = alloc_floats(F);
        nn_conv2d_backward_batch(g, tx, tw, tb, dy, x, col, w, 1, tmp);
        assert_floats_identical(sw, tw, n_w);
        assert_floats_identical(sx, tx, n_in);
        assert_floats_identical(sb, tb, F);
        // nn_conv2d_backward (im2col per sample) too, and nn_backstep_all.
        memset(tw, 0, n_w * sizeof(float));
        memset(tb, 0, F * sizeof(float));
        nn_conv2d_backward(g, tx, tw, tb, dy, x, w, 1);
        assert_floats_identical(sw, tw, n_w);
        assert_floats_identical(sx, tx, n_in);
        assert_floats_identical(sb, tb, F);
        nn_backstep_all(g, tx, tw, tb, dy, x, w);
        assert_floats_identical(sw, tw, n_w);
        assert_floats_identical(sx, tx, n_in);
        assert_floats_identical(sb, tb, F);
        free(tx), free(tw), free(tb), free(col), free(tmp_fwd), free(tmp), free(out);
        free(sx), free(sw), free(sb);
    }
    assert_true(nn_gemm_force_kernel(NULL));
    free(x), free(w), free(b), free(dy), free(dx), free(dw), free(db);
}

static void test_random_configs(void **state) {
    (void)state;
    test_rng r = rng_seed(1515);
    int strides[4] = {0}, dilations[3] = {0}, pads[3] = {0};
    while (figures.configs < 150) {
        nn_conv2d_config cfg = {
            .in_c = 1 + (int)(rng_next(&r) % 3), .in_h = 1 + (int)(rng_next(&r) % 7),
            .in_w = 1 + (int)(rng_next(&r) % 7), .filters = 1 + (int)(rng_next(&r) % 3),
            .k_h = 1 + (int)(rng_next(&r) % 3), .k_w = 1 + (int)(rng_next(&r) % 3),
            .stride = 1 + (int)(rng_next(&r) % 3), .dilation = 1 + (int)(rng_next(&r) % 2)};
        const int pk = (int)(rng_next(&r) % 3);
        cfg.padding = pk == 0 ? PAD_VALID
                      : pk == 1 ? (nn_padding){NN_PAD_SAME, 0}
                                : nn_padding_explicit(1 + (int)(rng_next(&r) % 2));
        nn_conv2d_geom g;
        nn_error err = error_fresh();
        if (nn_conv2d_geom_init(&g, &cfg, &err) != NN_OK) continue;  // kernel larger than the input
        check_config_(&g, &r);
        strides[cfg.stride]++, dilations[cfg.dilation]++, pads[pk]++;
        figures.configs++;
    }
    // Every kind was drawn.
    for (int s = 1; s <= 3; s++) assert_true(strides[s] > 0);
    for (int d = 1; d <= 2; d++) assert_true(dilations[d] > 0);
    for (int p = 0; p < 3; p++) assert_true(pads[p] > 0);
    printf("# %d configurations, %ld gradient cells, kernel %s: bit-identical to training; "
           "largest |gradient - central difference| / (1 + |gradient|) = %.3g\n",
           figures.configs, figures.cells, nn_gemm_kernel_name(), figures.max_fd);
}

// More than 16 output positions, not a multiple of 8: the weights' sums use
// every AVX-512 lane and end in a ragged AVX2 block.
static void test_long_sums(void **state) {
    (void)state;
    test_rng r = rng_seed(77);
    nn_conv2d_config cfg = {.in_c = 2, .in_h = 9, .in_w = 11, .filters = 3, .k_h = 3, .k_w = 2,
                            .stride = 1, .dilation = 1, .padding = nn_padding_explicit(1)};
    nn_conv2d_geom g;
    nn_error err = error_fresh();
    assert_int_equal(nn_conv2d_geom_init(&g, &cfg, &err), NN_OK);
    check_config_(&g, &r);
}

// Training's input gradient for stride 1 is read straight from dL/dY
// (nn/conv2d_dinput.c): input columns in the vector lanes (16 or 8 at a
// time) and up to 8 (AVX-512) or 6 (AVX2) channels at once; fewer than 4
// channels and the scalar kernel keep the column product. Widths across
// several lane blocks, 1 to 10 channels (every channel block and its
// remainder), padding and dilation, two samples, through both batch passes:
// every input cell equals the stepper's, on every kernel.
static void test_input_gradient_blocks(void **state) {
    (void)state;
    test_rng r = rng_seed(2718);
    const int widths[5] = {5, 8, 16, 17, 35};
    int checked = 0;
    for (int in_c = 1; in_c <= 10; in_c++)
        for (int wi = 0; wi < 5; wi++) {
            const int pk = (int)(rng_next(&r) % 3);
            nn_conv2d_config cfg = {
                .in_c = in_c, .in_h = 3 + (int)(rng_next(&r) % 6), .in_w = widths[wi],
                .filters = 1 + (int)(rng_next(&r) % 17), .k_h = 1 + (int)(rng_next(&r) % 5),
                .k_w = 1 + (int)(rng_next(&r) % 5), .stride = 1,
                .dilation = 1 + (int)(rng_next(&r) % 2),
                .padding = pk == 0   ? PAD_VALID
                           : pk == 1 ? (nn_padding){NN_PAD_SAME, 0}
                                     : nn_padding_explicit(1 + (int)(rng_next(&r) % 3))};
            nn_conv2d_geom g;
            nn_error err = error_fresh();
            if (nn_conv2d_geom_init(&g, &cfg, &err) != NN_OK) continue;
            const int B = 2;
            const size_t n_in = (size_t)in_c * cfg.in_h * cfg.in_w;
            const size_t n_w = (size_t)cfg.filters * g.window, F = (size_t)cfg.filters;
            const size_t P = (size_t)g.out_h * g.out_w, n_out = F * P;
            float *x = alloc_floats(B * n_in), *w = alloc_floats(n_w), *b = alloc_floats(F);
            float *dy = alloc_floats(B * n_out);
            rng_fill(&r, x, B * n_in, -1, 1);
            rng_fill(&r, w, n_w, -1, 1);
            rng_fill(&r, b, F, -1, 1);
            rng_fill(&r, dy, B * n_out, -1, 1);
            const char *kernels[4] = {NULL, "scalar", "avx2", "avx512"};
            for (int kk = 0; kk < 4; kk++) {
                if (!nn_gemm_force_kernel(kernels[kk])) continue;
                float *col = alloc_floats((size_t)g.window * P * B), *out = alloc_floats(B * n_out);
                float *tmp = alloc_floats(nn_conv2d_backward_scratch(&g, B) + B * n_out);
                nn_conv2d_forward_batch(&g, out, x, w, b, B, col, true, tmp);
                float *tx = alloc_floats(B * n_in), *tw = alloc_floats(n_w), *tb = alloc_floats(F);
                nn_conv2d_backward_batch(&g, tx, tw, tb, dy, x, col, w, B, tmp);
                float *sx = alloc_floats(n_in), *sw = alloc_floats(n_w), *sb = alloc_floats(F);
                for (int n = 0; n < B; n++) {
                    nn_backstep_all(&g, sx, sw, sb, dy + n * n_out, x + n * n_in, w);
                    assert_floats_identical(sx, tx + n * n_in, n_in);
                }
                // nn_conv2d_backward (windows gathered per sample) too.
                nn_conv2d_backward(&g, tx, tw, tb, dy, x, w, B);
                for (int n = 0; n < B; n++) {
                    nn_backstep_all(&g, sx, sw, sb, dy + n * n_out, x + n * n_in, w);
                    assert_floats_identical(sx, tx + n * n_in, n_in);
                }
                free(col), free(out), free(tmp), free(tx), free(tw), free(tb);
                free(sx), free(sw), free(sb);
            }
            assert_true(nn_gemm_force_kernel(NULL));
            free(x), free(w), free(b), free(dy);
            checked++;
        }
    assert_true(checked >= 40);  // most geometries fit
    printf("# input gradient, stride 1: %d geometries of 1-10 channels, widths 5-35, bit-identical "
           "to the stepper on every kernel\n", checked);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_rotate180),
        cmocka_unit_test(test_random_configs),
        cmocka_unit_test(test_long_sums),
        cmocka_unit_test(test_input_gradient_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
