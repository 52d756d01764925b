// conv2d.c - convolution: geometry, the arithmetic core, the batch pass and
// the stepper. The core is the only place that multiplies and adds; the batch
// pass and the stepper both call it, so what the animation shows is what the
// network computes (a test checks that bit for bit).
#include "conv2d.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "nn_internal.h"
#include "profile.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include "tensor.h"

// Cells covered by the (dilated) kernel, and by the padded input, on one axis.
static long long span_(const nn_axis *a) { return (long long)a->dilation * (a->f - 1) + 1; }
static long long padded_(const nn_axis *a) { return (long long)a->n + a->pad_lo + a->pad_hi; }
// True if the axis is otherwise valid but the kernel does not fit in it.
static bool kernel_overhangs_(const nn_axis *a) {
    return a->n > 0 && a->f > 0 && a->dilation > 0 && a->n <= NN_MAX_AXIS &&
           a->f <= NN_MAX_AXIS && a->dilation <= NN_MAX_AXIS && span_(a) > padded_(a);
}

nn_status nn_conv2d_geom_init(nn_conv2d_geom *g, const nn_conv2d_config *cfg, nn_error *err) {
    g->cfg = *cfg;
    if (cfg->in_c <= 0 || cfg->in_c > NN_MAX_AXIS)
        return nn_error_set(err, NN_ERR_SHAPE, "the input needs 1 to %d channels, got %d",
                            NN_MAX_AXIS, cfg->in_c);
    if (cfg->filters <= 0 || cfg->filters > NN_MAX_AXIS)
        return nn_error_set(err, NN_ERR_SHAPE, "a convolution needs 1 to %d filters, got %d",
                            NN_MAX_AXIS, cfg->filters);
    nn_axis rows = {.n = cfg->in_h, .f = cfg->k_h, .stride = cfg->stride,
                    .dilation = cfg->dilation};
    nn_axis cols = {.n = cfg->in_w, .f = cfg->k_w, .stride = cfg->stride,
                    .dilation = cfg->dilation};
    nn_status st = nn_padding_resolve(&rows, cfg->padding, "rows", err);
    if (st == NN_OK) st = nn_padding_resolve(&cols, cfg->padding, "cols", err);
    if (st != NN_OK) return st;
    st = nn_axis_solve(&rows, "rows", err);
    if (st == NN_OK) st = nn_axis_solve(&cols, "cols", err);
    if (st != NN_OK) {
        if (kernel_overhangs_(&rows) || kernel_overhangs_(&cols)) {
            // Say it in two dimensions, the way a student sees it.
            nn_error_set(err, st,
                         "the %s %lldx%lld is larger than the padded input %lldx%lld "
                         "(input %dx%d, padding %d+%d rows, %d+%d cols)",
                         cfg->dilation > 1 ? "dilated kernel" : "kernel", span_(&rows),
                         span_(&cols), padded_(&rows), padded_(&cols), cfg->in_h, cfg->in_w,
                         rows.pad_lo, rows.pad_hi, cols.pad_lo, cols.pad_hi);
        }
        return st;
    }
    size_t window = nn_checked_mul3((size_t)cfg->in_c, (size_t)cfg->k_h, (size_t)cfg->k_w);
    size_t outs = nn_checked_mul3((size_t)cfg->filters, (size_t)rows.out, (size_t)cols.out);
    size_t ins = nn_checked_mul3((size_t)cfg->in_c, (size_t)cfg->in_h, (size_t)cfg->in_w);
    if (window == 0 || outs == 0 || ins == 0)
        return nn_error_set(err, NN_ERR_NOMEM,
                            "a convolution of %dx%dx%d by %d filters of %dx%d is too large "
                            "(more than %d values in a buffer)",
                            cfg->in_c, cfg->in_h, cfg->in_w, cfg->filters, cfg->k_h, cfg->k_w,
                            NN_MAX_ELEMENTS);
    g->rows = rows;
    g->cols = cols;
    g->out_h = rows.out;
    g->out_w = cols.out;
    g->window = (int)window;
    return NN_OK;
}

// ---- The arithmetic core ---------------------------------------------------

// What the stepper wants to see of one dot product; NULL in the batch pass.
typedef struct conv2d_trace_ {
    float *window, *weights, *products, *running;
    unsigned char *padded;
    int *in_row, *in_col;
} conv2d_trace_;

// One output element: the sum over channel, kernel row, kernel column of
// window x weight, in that order, each step one fmaf, then + bias. This is the
// arithmetic of convolution in convstep; nn_conv2d_forward computes the same
// sequence for many elements at once through nn_gemm (see gemm.h).
//   in [in_c][in_h][in_w] (one sample), w [in_c][k_h][k_w] (one filter)
static float conv2d_dot_at_(const nn_conv2d_geom *g, const float *in, const float *w,
                            float bias, int oy, int ox, conv2d_trace_ *tr) {
    const nn_conv2d_config *c = &g->cfg;
    const int y0 = oy * c->stride - g->rows.pad_lo;  // window origin in input coordinates
    const int x0 = ox * c->stride - g->cols.pad_lo;
    float acc = 0.0f;
    int k = 0;
    for (int ch = 0; ch < c->in_c; ch++) {
        const float *plane = in + (size_t)ch * c->in_h * c->in_w;
        for (int ky = 0; ky < c->k_h; ky++) {
            const int y = y0 + ky * c->dilation;
            for (int kx = 0; kx < c->k_w; kx++, k++) {
                const int x = x0 + kx * c->dilation;
                const int pad = nn_is_padding_(y, x, c->in_h, c->in_w);
                const float v = pad ? 0.0f : plane[(size_t)y * c->in_w + x];
                // One fused multiply-add per tap, in this order: the vector
                // kernels in gemm.c do exactly the same per output lane.
                const float p = v * w[k];  // shown to the student; the sum uses fmaf
                acc = fmaf(v, w[k], acc);
                if (tr) {
                    tr->window[k] = v;
                    tr->padded[k] = (unsigned char)pad;
                    tr->in_row[k] = y;
                    tr->in_col[k] = x;
                    tr->weights[k] = w[k];
                    tr->products[k] = p;
                    tr->running[k] = acc;
                }
            }
        }
    }
    return acc + bias;
}

// ---- Batch pass -------------------------------------------------------------

// Lays out one sample's windows as columns: col[k * ld + p] is tap k
// (channel, kernel row, kernel column) of the window of output position p,
// 0 in the padding. ld >= out_h * out_w lets a batch share one matrix.
//   in [in_c][in_h][in_w] -> col [window][ld]
NN_VECTOR_CLONES static void im2col_run_(const nn_conv2d_geom *g, const float *in, float *col,
                                         size_t ld) {
    const nn_conv2d_config *c = &g->cfg;
    int k = 0;
    for (int ch = 0; ch < c->in_c; ch++) {
        const float *plane = in + (size_t)ch * c->in_h * c->in_w;
        for (int ky = 0; ky < c->k_h; ky++) {
            for (int kx = 0; kx < c->k_w; kx++, k++) {
                float *row = col + (size_t)k * ld;
                const int x0 = kx * c->dilation - g->cols.pad_lo;
                // Output columns whose tap lands inside the input row: [lo, hi).
                int lo = 0, hi = g->out_w;
                while (lo < hi && x0 + lo * c->stride < 0) lo++;
                while (hi > lo && x0 + (hi - 1) * c->stride >= c->in_w) hi--;
                for (int oy = 0; oy < g->out_h; oy++) {
                    const int y = oy * c->stride - g->rows.pad_lo + ky * c->dilation;
                    float *dst = row + (size_t)oy * g->out_w;
                    if (y < 0 || y >= c->in_h) {
                        for (int ox = 0; ox < g->out_w; ox++) dst[ox] = 0.0f;
                        continue;
                    }
                    const float *src = plane + (size_t)y * c->in_w + x0;
                    for (int ox = 0; ox < lo; ox++) dst[ox] = 0.0f;
                    // Short rows: a plain loop beats a call to memcpy.
                    if (c->stride == 1)
                        for (int ox = lo; ox < hi; ox++) dst[ox] = src[ox];
                    else
                        for (int ox = lo; ox < hi; ox++) dst[ox] = src[ox * c->stride];
                    for (int ox = hi; ox < g->out_w; ox++) dst[ox] = 0.0f;
                }
            }
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
// At stride 1, kernel column kx reads input column x0 + ox for output column
// ox; [lo, hi) are the output columns where that lands inside the input row.
// Returns x0.
static inline int tap_columns_s1_(const nn_conv2d_geom *g, int kx, int *lo, int *hi) {
    const nn_conv2d_config *c = &g->cfg;
    const int x0 = kx * c->dilation - g->cols.pad_lo;
    *lo = 0;
    *hi = g->out_w;
    if (x0 < 0) *lo = -x0 < *hi ? -x0 : *hi;
    if (x0 + *hi > c->in_w) *hi = c->in_w - x0 > *lo ? c->in_w - x0 : *lo;
    return x0;
}

// im2col_run_ for stride 1 with AVX-512: a window row is a stretch of an input
// row, so each output row of a tap is one masked load (zeros where it falls
// in the padding) and one masked store per 16 columns, instead of three short
// loops. The same values land in the same places.
__attribute__((target("avx512f"))) static void im2col_s1_avx512_(const nn_conv2d_geom *g,
                                                                 const float *in, float *col,
                                                                 size_t ld) {
    const nn_conv2d_config *c = &g->cfg;
    const int chunks = (g->out_w + 15) / 16;
    int k = 0;
    for (int ch = 0; ch < c->in_c; ch++) {
        const float *plane = in + (size_t)ch * c->in_h * c->in_w;
        for (int ky = 0; ky < c->k_h; ky++) {
            for (int kx = 0; kx < c->k_w; kx++, k++) {
                float *row = col + (size_t)k * ld;
                int lo, hi;
                const int x0 = tap_columns_s1_(g, kx, &lo, &hi);
                __mmask16 keep[4], inside[4];
                for (int j = 0; j < chunks && j < 4; j++) {
                    const int a = 16 * j, b = a + 16;
                    const int e = g->out_w < b ? g->out_w : b;
                    keep[j] = (__mmask16)((1u << (e - a)) - 1u);
                    const int l = lo > a ? lo : a, h = hi < b ? hi : b;
                    inside[j] = h > l ? (__mmask16)(((1u << (h - a)) - 1u) & ~((1u << (l - a)) - 1u))
                                      : (__mmask16)0;
                }
                for (int oy = 0; oy < g->out_h; oy++) {
                    const int y = oy - g->rows.pad_lo + ky * c->dilation;
                    float *dst = row + (size_t)oy * g->out_w;
                    if (y < 0 || y >= c->in_h) {
                        for (int j = 0; j < chunks; j++)
                            _mm512_mask_storeu_ps(dst + 16 * j, keep[j], _mm512_setzero_ps());
                        continue;
                    }
                    // Lanes outside [lo, hi) are neither read nor fault: they load 0.
                    const float *src = plane + (size_t)y * c->in_w + x0;
                    for (int j = 0; j < chunks; j++)
                        _mm512_mask_storeu_ps(dst + 16 * j, keep[j],
                                              _mm512_maskz_loadu_ps(inside[j], src + 16 * j));
                }
            }
        }
    }
}

// The first n of 8 lanes, as an AVX2 mask (none for n <= 0, all for n >= 8).
__attribute__((target("avx2"))) static inline __m256i first_lanes256_(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n < 0 ? 0 : n > 8 ? 8 : n),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// im2col_s1_avx512_ with AVX2: 8 columns a chunk, masked loads that give 0
// outside the input row and masked stores that end at the output row. The
// same values land in the same places.
__attribute__((target("avx2"))) static void im2col_s1_avx2_(const nn_conv2d_geom *g,
                                                            const float *in, float *col,
                                                            size_t ld) {
    const nn_conv2d_config *c = &g->cfg;
    const int chunks = (g->out_w + 7) / 8;
    int k = 0;
    for (int ch = 0; ch < c->in_c; ch++) {
        const float *plane = in + (size_t)ch * c->in_h * c->in_w;
        for (int ky = 0; ky < c->k_h; ky++) {
            for (int kx = 0; kx < c->k_w; kx++, k++) {
                float *row = col + (size_t)k * ld;
                int lo, hi;
                const int x0 = tap_columns_s1_(g, kx, &lo, &hi);
                __m256i keep[8], inside[8];
                for (int j = 0; j < chunks && j < 8; j++) {
                    const int a = 8 * j;
                    keep[j] = first_lanes256_(g->out_w - a);
                    // Lanes l with lo <= a + l < hi.
                    inside[j] = _mm256_andnot_si256(first_lanes256_(lo - a),
                                                    first_lanes256_(hi - a));
                }
                for (int oy = 0; oy < g->out_h; oy++) {
                    const int y = oy - g->rows.pad_lo + ky * c->dilation;
                    float *dst = row + (size_t)oy * g->out_w;
                    if (y < 0 || y >= c->in_h) {
                        for (int j = 0; j < chunks; j++)
                            _mm256_maskstore_ps(dst + 8 * j, keep[j], _mm256_setzero_ps());
                        continue;
                    }
                    // Lanes outside [lo, hi) are neither read nor fault: they load 0.
                    const float *src = plane + (size_t)y * c->in_w + x0;
                    for (int j = 0; j < chunks; j++)
                        _mm256_maskstore_ps(dst + 8 * j, keep[j],
                                            _mm256_maskload_ps(src + 8 * j, inside[j]));
                }
            }
        }
    }
}
#endif

void nn_conv2d_im2col_(const nn_conv2d_geom *g, const float *in, float *col, size_t ld) {
    NN_PROFILE_BEGIN_();
#if defined(__x86_64__) && defined(__GNUC__)
    // Output rows of up to 64 columns; the AVX-512 or AVX2 path only when the
    // GEMM kernel is the same, so a forced kernel (CONVSTEP_KERNEL) times what it says.
    if (g->cfg.stride == 1 && g->out_w <= 64) {
        const int lanes = nn_gemm_rows_t_lanes();  // 16: AVX-512, 8: AVX2, 0: scalar
        if (lanes == 16) im2col_s1_avx512_(g, in, col, ld);
        else if (lanes == 8) im2col_s1_avx2_(g, in, col, ld);
        if (lanes == 16 || lanes == 8) {
            NN_PROFILE_END_(NN_PART_IM2COL);
            return;
        }
    }
#endif
    im2col_run_(g, in, col, ld);
    NN_PROFILE_END_(NN_PART_IM2COL);
}

size_t nn_conv2d_col_size(const nn_conv2d_geom *g) {
    return (size_t)g->window * g->out_h * g->out_w;
}

void nn_conv2d_forward_ws(const nn_conv2d_geom *g, float *out, const float *in,
                          const float *weights, const float *bias, int batch, float *col) {
    const nn_conv2d_config *c = &g->cfg;
    const size_t in_size = (size_t)c->in_c * c->in_h * c->in_w;
    const int P = g->out_h * g->out_w;
    for (int n = 0; n < batch; n++) {
        float *o = out + (size_t)n * c->filters * P;
        nn_conv2d_im2col_(g, in + (size_t)n * in_size, col, (size_t)P);
        // out[f][p] = sum over k of weights[f][k] * col[k][p], in order of k
        nn_gemm(c->filters, P, g->window, weights, g->window, col, P, o, P, false);
        for (int f = 0; f < c->filters; f++) {
            const float b = bias ? bias[f] : 0.0f;  // the core adds 0 when there is no bias
            float *of = o + (size_t)f * P;
            for (int p = 0; p < P; p++) of[p] = of[p] + b;
        }
    }
}

static bool forward_rows_(const nn_conv2d_geom *g, float *out, const float *in,
                          const float *weights, const float *bias, int batch, float *scratch,
                          float *cache);

// Training's forward pass without the column product: forward_rows_ (stride
// 1) in `tmp` of tmp_floats, if that is enough scratch, with a vector kernel.
// With the columns still built for backward this won on AVX-512 only (LeNet-5,
// batch 32, im2col included, best of 300: conv1 193 -> 155 us, conv2 296 ->
// 278 us; AVX2 488 -> 530, 600 -> 612 us). Now that backward reads the input
// in place too (conv2d_wgrad.h) and no columns are built, it wins on both:
// LeNet-5 training with AVX2 forced went from about 7,500 to 11,000 samples/s.
static bool forward_rows_train_(const nn_conv2d_geom *g, float *out, const float *in,
                                const float *weights, const float *bias, int batch, float *tmp,
                                size_t tmp_floats) {
    if (g->cfg.stride != 1 || nn_gemm_rows_t_lanes() == 0 || nn_conv2d_rows_scratch(g) > tmp_floats)
        return false;
    // Timed whole as GEMM work in a profile (its kernels are the product's
    // replacement); the nn_gemm_rows* calls inside are not counted twice.
    NN_PROFILE_BEGIN_();
    nn_profile *const outer = nn_profile_active_;
    nn_profile_active_ = NULL;
    const bool done = forward_rows_(g, out, in, weights, bias, batch, tmp, NULL);
    nn_profile_active_ = outer;
    NN_PROFILE_END_(NN_PART_GEMM);
    return done;
}

void nn_conv2d_forward_batch(const nn_conv2d_geom *g, float *out, const float *in,
                             const float *weights, const float *bias, int batch, float *col,
                             bool keep_columns, float *tmp) {
    const nn_conv2d_config *c = &g->cfg;
    const size_t in_size = (size_t)c->in_c * c->in_h * c->in_w;
    const int P = g->out_h * g->out_w;
    const size_t N = (size_t)batch * P;
    // The outputs come faster from the input read in place (the same bits),
    // when a vector kernel runs and tmp has room for that pass's scratch; then
    // the columns are written only if backward will read them.
    const bool in_place = forward_rows_train_(g, out, in, weights, bias, batch, tmp,
                                              (size_t)c->filters * N);
    if (in_place && !keep_columns) return;
    for (int n = 0; n < batch; n++)
        nn_conv2d_im2col_(g, in + (size_t)n * in_size, col + (size_t)n * P, N);
    if (in_place) return;
    // tmp[f][n * P + p] = sum over k of weights[f][k] * col[k][n * P + p], in order of k
    nn_gemm(c->filters, (int)N, g->window, weights, g->window, col, (int)N, tmp, (int)N, false);
    for (int n = 0; n < batch; n++)
        for (int f = 0; f < c->filters; f++) {
            const float b = bias ? bias[f] : 0.0f;
            const float *src = tmp + (size_t)f * N + (size_t)n * P;
            float *dst = out + ((size_t)n * c->filters + f) * P;
            for (int p = 0; p < P; p++) dst[p] = src[p] + b;
        }
}

size_t nn_conv2d_rows_scratch(const nn_conv2d_geom *g) {
    const nn_conv2d_config *c = &g->cfg;
    const size_t hp = (size_t)c->in_h + g->rows.pad_lo + g->rows.pad_hi;
    const size_t wp = (size_t)c->in_w + g->cols.pad_lo + g->cols.pad_hi;
    // A zero-padded copy of one sample, two row pointers per window tap, then
    // the weights transposed (for filters in the vector lanes).
    const size_t floats_per_pointer = (sizeof(void *) + sizeof(float) - 1) / sizeof(float);
    return (size_t)c->in_c * hp * wp + 2 + 2 * (size_t)g->window * floats_per_pointer +
           (size_t)g->window * c->filters;
}

// out[f][p] += bias[f] (0 without a bias, as the core adds).
static void add_bias_(float *o, const float *bias, int filters, int P) {
    for (int f = 0; f < filters; f++) {
        const float b = bias ? bias[f] : 0.0f;
        float *of = o + (size_t)f * P;
        for (int p = 0; p < P; p++) of[p] = of[p] + b;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
// The accumulators must stay in registers: unroll the loops over them completely.
#define CONV_UNROLL_ _Pragma("GCC unroll 8")
#define CONV_UNROLL32_ _Pragma("GCC unroll 32")

// The direct form of forward_rows_ for rows of up to 32 outputs (LeNet-5's
// conv(6,5,pad=2) on 28x28): two output rows at a time, each in two 16-lane
// halves, for up to 6 filters at once, so 24 accumulators stay in registers
// and every input load serves all the filters. Tap k = (channel, ky, kx) of
// output row oy reads the padded input row oy + ky*d from column kx*d on.
// Each lane is one output: 0, then one fmadd per tap in order of k, then +
// bias, as the core does (padding taps multiply the copy's zeros), so the
// same bits; no pointer table and no second pass for the bias.
__attribute__((target("avx512f"), always_inline)) static inline void direct512_group_(
    const int fr, const nn_conv2d_geom *g, const float *x, int hp, int wp, int oy, bool pair,
    const float *w, const float *bias, float *o, int P) {
    const nn_conv2d_config *c = &g->cfg;
    const __mmask16 m0 = (__mmask16)(g->out_w >= 16 ? 0xFFFFu : (1u << g->out_w) - 1u);
    const __mmask16 m1 = (__mmask16)(g->out_w <= 16 ? 0u : (1u << (g->out_w - 16)) - 1u);
    const __mmask16 p0 = pair ? m0 : 0, p1 = pair ? m1 : 0;
    __m512 a0[6], a1[6], b0[6], b1[6];  // filter f: row oy halves a, row oy+1 halves b
    CONV_UNROLL_ for (int f = 0; f < 6; f++) a0[f] = a1[f] = b0[f] = b1[f] = _mm512_setzero_ps();
    int k = 0;
    for (int ch = 0; ch < c->in_c; ch++)
        for (int ky = 0; ky < c->k_h; ky++) {
            const float *r = x + ((size_t)ch * hp + oy + ky * c->dilation) * wp;
            for (int kx = 0; kx < c->k_w; kx++, k++) {
                const float *ra = r + kx * c->dilation, *rb = ra + wp;
                const __m512 xa0 = _mm512_maskz_loadu_ps(m0, ra);
                const __m512 xa1 = _mm512_maskz_loadu_ps(m1, ra + 16);
                const __m512 xb0 = _mm512_maskz_loadu_ps(p0, rb);
                const __m512 xb1 = _mm512_maskz_loadu_ps(p1, rb + 16);
                CONV_UNROLL_ for (int f = 0; f < fr; f++) {
                    const __m512 wf = _mm512_set1_ps(w[(size_t)f * g->window + k]);
                    a0[f] = _mm512_fmadd_ps(xa0, wf, a0[f]);
                    a1[f] = _mm512_fmadd_ps(xa1, wf, a1[f]);
                    b0[f] = _mm512_fmadd_ps(xb0, wf, b0[f]);
                    b1[f] = _mm512_fmadd_ps(xb1, wf, b1[f]);
                }
            }
        }
    CONV_UNROLL_ for (int f = 0; f < fr; f++) {
        const __m512 bf = _mm512_set1_ps(bias ? bias[f] : 0.0f);
        float *of = o + (size_t)f * P + (size_t)oy * g->out_w;
        _mm512_mask_storeu_ps(of, m0, _mm512_add_ps(a0[f], bf));
        _mm512_mask_storeu_ps(of + 16, m1, _mm512_add_ps(a1[f], bf));
        if (pair) {
            _mm512_mask_storeu_ps(of + g->out_w, m0, _mm512_add_ps(b0[f], bf));
            _mm512_mask_storeu_ps(of + g->out_w + 16, m1, _mm512_add_ps(b1[f], bf));
        }
    }
}

__attribute__((target("avx512f"))) static void direct512_(const nn_conv2d_geom *g,
                                                         const float *x, int hp, int wp,
                                                         const float *w, const float *bias,
                                                         float *o) {
    const int P = g->out_h * g->out_w, F = g->cfg.filters;
    for (int oy = 0; oy < g->out_h; oy += 2) {
        const bool pair = oy + 1 < g->out_h;
        for (int f = 0; f < F; f += 6) {
            const float *wf = w + (size_t)f * g->window, *bf = bias ? bias + f : NULL;
            float *of = o + (size_t)f * P;
            switch (F - f < 6 ? F - f : 6) {
            case 1: direct512_group_(1, g, x, hp, wp, oy, pair, wf, bf, of, P); break;
            case 2: direct512_group_(2, g, x, hp, wp, oy, pair, wf, bf, of, P); break;
            case 3: direct512_group_(3, g, x, hp, wp, oy, pair, wf, bf, of, P); break;
            case 4: direct512_group_(4, g, x, hp, wp, oy, pair, wf, bf, of, P); break;
            case 5: direct512_group_(5, g, x, hp, wp, oy, pair, wf, bf, of, P); break;
            default: direct512_group_(6, g, x, hp, wp, oy, pair, wf, bf, of, P); break;
            }
        }
    }
}

// The AVX2 form: one output row at a time in up to four 8-lane quarters, for
// up to 2 filters at once (8 accumulators, 4 inputs and a weight fit in the
// 16 registers). The same fmadd per lane in order of k, then + bias.
__attribute__((target("avx2,fma"), always_inline)) static inline void direct256_group_(
    const int fr, const nn_conv2d_geom *g, const float *x, int hp, int wp, int oy,
    const __m256i *mask, const float *w, const float *bias, float *o, int P) {
    const nn_conv2d_config *c = &g->cfg;
    __m256 acc[2][4];
    CONV_UNROLL_ for (int f = 0; f < 2; f++)
        CONV_UNROLL_ for (int q = 0; q < 4; q++) acc[f][q] = _mm256_setzero_ps();
    int k = 0;
    for (int ch = 0; ch < c->in_c; ch++)
        for (int ky = 0; ky < c->k_h; ky++) {
            const float *r = x + ((size_t)ch * hp + oy + ky * c->dilation) * wp;
            for (int kx = 0; kx < c->k_w; kx++, k++) {
                const float *ra = r + kx * c->dilation;
                __m256 xq[4];
                CONV_UNROLL_ for (int q = 0; q < 4; q++)
                    xq[q] = _mm256_maskload_ps(ra + 8 * q, mask[q]);
                CONV_UNROLL_ for (int f = 0; f < fr; f++) {
                    const __m256 wf = _mm256_broadcast_ss(w + (size_t)f * g->window + k);
                    for (int q = 0; q < 4; q++) acc[f][q] = _mm256_fmadd_ps(xq[q], wf, acc[f][q]);
                }
            }
        }
    CONV_UNROLL_ for (int f = 0; f < fr; f++) {
        const __m256 bf = _mm256_set1_ps(bias ? bias[f] : 0.0f);
        float *of = o + (size_t)f * P + (size_t)oy * g->out_w;
        CONV_UNROLL_ for (int q = 0; q < 4; q++)
            _mm256_maskstore_ps(of + 8 * q, mask[q], _mm256_add_ps(acc[f][q], bf));
    }
}

__attribute__((target("avx2,fma"))) static void direct256_(const nn_conv2d_geom *g,
                                                          const float *x, int hp, int wp,
                                                          const float *w, const float *bias,
                                                          float *o) {
    const int P = g->out_h * g->out_w, F = g->cfg.filters;
    __m256i mask[4];
    for (int q = 0; q < 4; q++) mask[q] = first_lanes256_(g->out_w - 8 * q);
    for (int oy = 0; oy < g->out_h; oy++)
        for (int f = 0; f < F; f += 2) {
            const float *wf = w + (size_t)f * g->window, *bf = bias ? bias + f : NULL;
            if (F - f >= 2)
                direct256_group_(2, g, x, hp, wp, oy, mask, wf, bf, o + (size_t)f * P, P);
            else
                direct256_group_(1, g, x, hp, wp, oy, mask, wf, bf, o + (size_t)f * P, P);
        }
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
// Filters in the lanes, for short rows (LeNet-5's conv(16,5) on 14x14: rows
// of 10): wT[k][f] holds tap k of 16 filters side by side, and accumulator ox
// holds output column ox of all of them. Along one input row, each cell is
// loaded once and added, with the weights of taps kx = 0 .. KW-1, into the
// outputs ox = x' - kx it falls under; for each output, x' rising means kx
// rising, so every lane still adds its taps in order of k from 0, one fmadd
// each, then the bias: the core's bits. OW and KW are constants so the
// accumulators stay in registers. Scatters row oy of the filters' outputs
// into o [filter][out_h][out_w] (P = out_h * out_w).
__attribute__((target("avx512f"), always_inline)) static inline void filters_row512_(
    const int OW, const int KW, const nn_conv2d_geom *g, const float *x, int hp, int wp, int oy,
    const float *wT, int ldat, __mmask16 mm, __m512 bias, float *o, int P) {
    const nn_conv2d_config *c = &g->cfg;
    __m512 acc[16], w[8];  // KW <= 8
    CONV_UNROLL32_ for (int t = 0; t < OW; t++) acc[t] = _mm512_setzero_ps();
    int k = 0;
    for (int ch = 0; ch < c->in_c; ch++)
        for (int ky = 0; ky < c->k_h; ky++, k += KW) {
            const float *r = x + ((size_t)ch * hp + oy + ky) * wp;
            CONV_UNROLL32_ for (int kx = 0; kx < KW; kx++)
                w[kx] = _mm512_maskz_loadu_ps(mm, wT + (size_t)(k + kx) * ldat);
            CONV_UNROLL32_ for (int xp = 0; xp < OW + KW - 1; xp++) {
                const __m512 v = _mm512_set1_ps(r[xp]);
                CONV_UNROLL32_ for (int kx = 0; kx < KW; kx++) {
                    const int ox = xp - kx;
                    if (ox >= 0 && ox < OW) acc[ox] = _mm512_fmadd_ps(v, w[kx], acc[ox]);
                }
            }
        }
    // Output column t of the 16 filters, + bias, to o[f][oy][t]: P floats apart.
    const __m512i apart = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                                               11, 12, 13, 14, 15),
                                             _mm512_set1_epi32(P));
    float *orow = o + (size_t)oy * OW;
    CONV_UNROLL32_ for (int t = 0; t < OW; t++)
        _mm512_mask_i32scatter_ps(orow + t, mm, apart, _mm512_add_ps(acc[t], bias), 4);
}

#define FILTERS_ROW_CASE_(ow, kw) \
    case ow: filters_row512_(ow, kw, g, x, hp, wp, oy, wTg, F, mm, bf, of, P); break;
#define FILTERS_ROW_CASES_(kw)                                                                 \
    FILTERS_ROW_CASE_(1, kw) FILTERS_ROW_CASE_(2, kw) FILTERS_ROW_CASE_(3, kw)                 \
    FILTERS_ROW_CASE_(4, kw) FILTERS_ROW_CASE_(5, kw) FILTERS_ROW_CASE_(6, kw)                 \
    FILTERS_ROW_CASE_(7, kw) FILTERS_ROW_CASE_(8, kw) FILTERS_ROW_CASE_(9, kw)                 \
    FILTERS_ROW_CASE_(10, kw) FILTERS_ROW_CASE_(11, kw) FILTERS_ROW_CASE_(12, kw)              \
    FILTERS_ROW_CASE_(13, kw) FILTERS_ROW_CASE_(14, kw) FILTERS_ROW_CASE_(15, kw)              \
    FILTERS_ROW_CASE_(16, kw)

// Kernels 3 or 5 wide, stride 1, no dilation, rows of up to 16 outputs, 16
// filters at a time (the last group masked); the bias added on the way out.
__attribute__((target("avx512f"))) static bool filters_direct512_(
    const nn_conv2d_geom *g, const float *x, int hp, int wp, const float *wT, const float *bias,
    float *o) {
    const nn_conv2d_config *c = &g->cfg;
    if (c->dilation != 1 || g->out_w > 16 || (c->k_w != 3 && c->k_w != 5)) return false;
    const int P = g->out_h * g->out_w, F = c->filters;
    for (int f0 = 0; f0 < F; f0 += 16) {
        const int fr = F - f0 < 16 ? F - f0 : 16;
        const __mmask16 mm = (__mmask16)(fr == 16 ? 0xFFFFu : (1u << fr) - 1u);
        const __m512 bf = bias ? _mm512_maskz_loadu_ps(mm, bias + f0) : _mm512_setzero_ps();
        const float *wTg = wT + f0;
        float *of = o + (size_t)f0 * P;
        for (int oy = 0; oy < g->out_h; oy++) {
            if (c->k_w == 5) {
                switch (g->out_w) { FILTERS_ROW_CASES_(5) }
            } else {
                switch (g->out_w) { FILTERS_ROW_CASES_(3) }
            }
        }
    }
    return true;
}
#endif

// The direct form on the active kernel's instruction set, for output rows of
// 17 to 32 columns (shorter rows are served better by two rows side by side
// or by filters in the lanes); false when it does not apply.
static bool forward_direct_(const nn_conv2d_geom *g, const float *x, int hp, int wp,
                            const float *weights, const float *bias, float *o) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (g->out_w <= 16 || g->out_w > 32) return false;
    const int lanes = nn_gemm_rows_t_lanes();
    if (lanes == 16) direct512_(g, x, hp, wp, weights, bias, o);
    else if (lanes == 8) direct256_(g, x, hp, wp, weights, bias, o);
    return lanes == 16 || lanes == 8;
#else
    (void)g, (void)x, (void)hp, (void)wp, (void)weights, (void)bias, (void)o;
    return false;
#endif
}

size_t nn_conv2d_weights_cache_size(const nn_conv2d_geom *g) {
    return 1 + 2 * (size_t)g->window * g->cfg.filters;
}

// forward_rows_ with the filters in the lanes reads the weights transposed,
// wT[k][f]. With a cache (nn_conv2d_forward_rows_cached) it makes them once
// and keeps them beside the weights they came from; any later call whose
// weights differ in any bit remakes them, so the cache is never stale.
//   cache: [0] 1 when filled, then the weights as they were, then wT.
static const float *weights_t_(const nn_conv2d_geom *g, const float *weights, float *cache,
                               float *scratch) {
    const size_t count = (size_t)g->window * g->cfg.filters;
    float *wT = cache ? cache + 1 + count : scratch;
    if (cache && cache[0] == 1.0f && memcmp(cache + 1, weights, sizeof(float) * count) == 0)
        return wT;
    // Transposed from the copy the cache keeps, not from the weights: should
    // another thread change them meanwhile, wT still matches what is compared.
    const float *from = weights;
    if (cache) {
        memcpy(cache + 1, weights, sizeof(float) * count);
        cache[0] = 1.0f;
        from = cache + 1;
    }
    const int F = g->cfg.filters;
    for (int k = 0; k < g->window; k++)
        for (int f = 0; f < F; f++) wT[(size_t)k * F + f] = from[(size_t)f * g->window + k];
    return wT;
}

static bool forward_rows_(const nn_conv2d_geom *g, float *out, const float *in,
                          const float *weights, const float *bias, int batch, float *scratch,
                          float *cache) {
    const nn_conv2d_config *c = &g->cfg;
    if (c->stride != 1) return false;
    const int hp = c->in_h + g->rows.pad_lo + g->rows.pad_hi;
    const int wp = c->in_w + g->cols.pad_lo + g->cols.pad_hi;
    const size_t in_size = (size_t)c->in_c * c->in_h * c->in_w;
    const size_t padded_size = (size_t)c->in_c * hp * wp;
    const int P = g->out_h * g->out_w;
    float *padded = scratch;
    // The pointer table lives after the padded copy, aligned for pointers.
    const float **rows = (const float **)(void *)(scratch + (padded_size + 1) / 2 * 2);
    const bool pads = hp != c->in_h || wp != c->in_w;
    if (pads) memset(padded, 0, sizeof(float) * padded_size);
    // Filters side by side in the vector lanes when they fill more of them than
    // the output row does (conv(16,5) on 14x14: 16 of 16 lanes against 10):
    // the same fmaf sequence per output, so the same bits.
    const int lanes_m = nn_gemm_rows_t_lanes();
    const int lanes_n = lanes_m == 16 ? (g->out_w <= 16 ? 16 : 32) : (g->out_w <= 8 ? 8 : 16);
    const bool by_filter =
        lanes_m > 0 && (double)c->filters / (lanes_m * ((c->filters + lanes_m - 1) / lanes_m)) >
                           (double)g->out_w / (lanes_n * ((g->out_w + lanes_n - 1) / lanes_n));
    const float *wT =
        by_filter ? weights_t_(g, weights, cache, (float *)(rows + 2 * (size_t)g->window)) : NULL;
    for (int n = 0; n < batch; n++) {
        const float *x = in + (size_t)n * in_size;
        if (pads) {
            for (int ch = 0; ch < c->in_c; ch++)
                for (int y = 0; y < c->in_h; y++)
                    memcpy(padded + ((size_t)ch * hp + y + g->rows.pad_lo) * wp + g->cols.pad_lo,
                           x + ((size_t)ch * c->in_h + y) * c->in_w, sizeof(float) * (size_t)c->in_w);
            x = padded;
        }
        float *o = out + (size_t)n * c->filters * P;
#if defined(__x86_64__) && defined(__GNUC__)
        if (by_filter && lanes_m == 16 && filters_direct512_(g, x, hp, wp, wT, bias, o)) continue;
#endif
        if (by_filter) {
            // The taps of output row 0; row oy reads the same taps oy padded rows on.
            int k = 0;
            for (int ch = 0; ch < c->in_c; ch++)
                for (int ky = 0; ky < c->k_h; ky++)
                    for (int kx = 0; kx < c->k_w; kx++, k++)
                        rows[k] = x + ((size_t)ch * hp + ky * c->dilation) * wp + kx * c->dilation;
            bool done = true;
            for (int oy = 0; oy < g->out_h && done; oy++)
                done = nn_gemm_rows_t(c->filters, g->out_w, g->window, wT, c->filters, rows,
                                      (size_t)oy * wp, o + (size_t)oy * g->out_w, P);
            if (done) {
                add_bias_(o, bias, c->filters, P);
                continue;
            }
        }
        if (forward_direct_(g, x, hp, wp, weights, bias, o)) continue;
        // Rows of at most 16 outputs go two at a time, side by side in the lanes.
        const int step = g->out_w <= 16 ? 2 : 1;
        for (int oy = 0; oy < g->out_h; oy += step) {
            const bool pair = step == 2 && oy + 1 < g->out_h;
            // Tap k = (channel, ky, kx) of every window in output row oy reads the
            // padded input row oy + ky*d from column kx*d on: a row in place.
            int k = 0;
            for (int ch = 0; ch < c->in_c; ch++)
                for (int ky = 0; ky < c->k_h; ky++)
                    for (int kx = 0; kx < c->k_w; kx++, k++) {
                        rows[k] = x + ((size_t)ch * hp + oy + ky * c->dilation) * wp + kx * c->dilation;
                        if (pair) rows[g->window + k] = rows[k] + wp;
                    }
            float *orow = o + (size_t)oy * g->out_w;
            if (step == 2)
                nn_gemm_rows_pair(c->filters, g->out_w, g->window, weights, g->window, rows,
                                  pair ? rows + g->window : NULL, orow, orow + g->out_w, P);
            else
                nn_gemm_rows(c->filters, g->out_w, g->window, weights, g->window, rows, orow, P);
        }
        add_bias_(o, bias, c->filters, P);
    }
    return true;
}

bool nn_conv2d_forward_rows(const nn_conv2d_geom *g, float *out, const float *in,
                            const float *weights, const float *bias, int batch, float *scratch) {
    return forward_rows_(g, out, in, weights, bias, batch, scratch, NULL);
}

bool nn_conv2d_forward_rows_cached(const nn_conv2d_geom *g, float *out, const float *in,
                                   const float *weights, const float *bias, int batch,
                                   float *scratch, float *cache) {
    return forward_rows_(g, out, in, weights, bias, batch, scratch, cache);
}

void nn_conv2d_forward(const nn_conv2d_geom *g, float *out, const float *in,
                       const float *weights, const float *bias, int batch) {
    if (g->cfg.stride == 1) {
        float *scratch = malloc(sizeof(float) * nn_conv2d_rows_scratch(g));
        bool done = scratch && nn_conv2d_forward_rows(g, out, in, weights, bias, batch, scratch);
        free(scratch);
        if (done) return;
    }
    float *col = malloc(sizeof(float) * nn_conv2d_col_size(g));
    if (col) {
        nn_conv2d_forward_ws(g, out, in, weights, bias, batch, col);
        free(col);
        return;
    }
    // No memory for the columns: the core, one element at a time (same bits).
    const nn_conv2d_config *c = &g->cfg;
    const size_t in_size = (size_t)c->in_c * c->in_h * c->in_w;
    const size_t out_plane = (size_t)g->out_h * g->out_w;
    for (int n = 0; n < batch; n++) {
        const float *x = in + (size_t)n * in_size;
        for (int f = 0; f < c->filters; f++) {
            const float *w = weights + (size_t)f * g->window;
            const float b = bias ? bias[f] : 0.0f;
            float *o = out + ((size_t)n * c->filters + f) * out_plane;
            for (int oy = 0; oy < g->out_h; oy++)
                for (int ox = 0; ox < g->out_w; ox++)
                    o[(size_t)oy * g->out_w + ox] = conv2d_dot_at_(g, x, w, b, oy, ox, NULL);
        }
    }
}

void nn_kernel_rotate180(float *out, const float *in, int planes, int k_h, int k_w) {
    const size_t per = (size_t)k_h * k_w;
    for (size_t p = 0; p < (size_t)planes; p++)
        for (size_t i = 0; i < per; i++) out[p * per + i] = in[p * per + (per - 1 - i)];
}

// ---- Stepper ---------------------------------------------------------------

nn_status nn_conv2d_cursor_init(nn_conv2d_cursor *cur, const nn_conv2d_geom *g,
                                const float *in, const float *weights, const float *bias,
                                nn_error *err) {
    cur->g = g;
    cur->in = in;
    cur->weights = weights;
    cur->bias = bias;
    cur->next = 0;
    cur->total = g->cfg.filters * g->out_h * g->out_w;
    cur->fbuf = malloc(sizeof(float) * 4 * (size_t)g->window);
    cur->mask = malloc((size_t)g->window);
    cur->coords = malloc(sizeof(int) * 2 * (size_t)g->window);
    if (!cur->fbuf || !cur->mask || !cur->coords) {
        nn_conv2d_cursor_destroy(cur);
        return nn_error_set(err, NN_ERR_NOMEM, "out of memory for a %d-value window",
                            g->window);
    }
    return NN_OK;
}

bool nn_conv2d_step_at(nn_conv2d_cursor *cur, int index, nn_conv2d_step *st) {
    if (index < 0 || index >= cur->total) return false;
    const nn_conv2d_geom *g = cur->g;
    const int plane = g->out_h * g->out_w;
    const int f = index / plane, oy = (index % plane) / g->out_w, ox = index % g->out_w;
    const int n = g->window;
    conv2d_trace_ tr = {
        .window = cur->fbuf, .weights = cur->fbuf + n, .products = cur->fbuf + 2 * n,
        .running = cur->fbuf + 3 * n, .padded = cur->mask,
        .in_row = cur->coords, .in_col = cur->coords + n,
    };
    const float b = cur->bias ? cur->bias[f] : 0.0f;
    st->sum = conv2d_dot_at_(g, cur->in, cur->weights + (size_t)f * n, b, oy, ox, &tr);
    st->index = index;
    st->filter = f;
    st->row = oy;
    st->col = ox;
    st->origin_row = oy * g->cfg.stride;
    st->origin_col = ox * g->cfg.stride;
    st->count = n;
    st->window = tr.window;
    st->padded = tr.padded;
    st->in_row = tr.in_row;
    st->in_col = tr.in_col;
    st->weights = tr.weights;
    st->products = tr.products;
    st->running = tr.running;
    st->bias = b;
    cur->next = index + 1;
    return true;
}

bool nn_conv2d_step_next(nn_conv2d_cursor *cur, nn_conv2d_step *st) {
    return nn_conv2d_step_at(cur, cur->next, st);
}

void nn_conv2d_cursor_destroy(nn_conv2d_cursor *cur) {
    free(cur->fbuf);
    free(cur->mask);
    free(cur->coords);
    cur->fbuf = NULL;
    cur->mask = NULL;
    cur->coords = NULL;
}
