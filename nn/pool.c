// pool.c - pooling: geometry, the core, the batch pass and the stepper.
#include "pool.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "nn_internal.h"
#include "tensor.h"

nn_status nn_pool_geom_init(nn_pool_geom *g, const nn_pool_config *cfg, nn_error *err) {
    g->cfg = *cfg;
    if (cfg->c <= 0 || cfg->c > NN_MAX_AXIS)
        return nn_error_set(err, NN_ERR_SHAPE, "the input needs 1 to %d channels, got %d",
                            NN_MAX_AXIS, cfg->c);
    if (cfg->mode != NN_POOL_MAX && cfg->mode != NN_POOL_AVG)
        return nn_error_set(err, NN_ERR_ARG, "unknown pooling mode %d", (int)cfg->mode);
    if (cfg->pad < 0)
        return nn_error_set(err, NN_ERR_ARG, "the padding must not be negative, got %d",
                            cfg->pad);
    if (cfg->size_h > 0 && cfg->size_w > 0 &&
        (2 * (long long)cfg->pad > cfg->size_h || 2 * (long long)cfg->pad > cfg->size_w))
        return nn_error_set(err, NN_ERR_ARG,
                            "pooling padding %d is more than half the %dx%d window "
                            "(at most %d), so a window could hold nothing but padding",
                            cfg->pad, cfg->size_h, cfg->size_w,
                            (cfg->size_h < cfg->size_w ? cfg->size_h : cfg->size_w) / 2);
    nn_axis rows = {.n = cfg->in_h, .f = cfg->size_h, .stride = cfg->stride, .dilation = 1,
                    .pad_lo = cfg->pad, .pad_hi = cfg->pad};
    nn_axis cols = {.n = cfg->in_w, .f = cfg->size_w, .stride = cfg->stride, .dilation = 1,
                    .pad_lo = cfg->pad, .pad_hi = cfg->pad};
    nn_status st = nn_axis_solve(&rows, "rows", err);
    if (st == NN_OK) st = nn_axis_solve(&cols, "cols", err);
    if (st != NN_OK) {
        if (cfg->in_h > 0 && cfg->in_w > 0 && cfg->size_h > 0 && cfg->size_w > 0 &&
            cfg->stride > 0 && cfg->in_h <= NN_MAX_AXIS && cfg->in_w <= NN_MAX_AXIS &&
            cfg->size_h <= NN_MAX_AXIS && cfg->size_w <= NN_MAX_AXIS && cfg->pad <= NN_MAX_AXIS &&
            (cfg->size_h > cfg->in_h + 2 * cfg->pad || cfg->size_w > cfg->in_w + 2 * cfg->pad))
            nn_error_set(err, st,
                         "the pooling window %dx%d is larger than the padded input %dx%d "
                         "(input %dx%d, padding %d)",
                         cfg->size_h, cfg->size_w, cfg->in_h + 2 * cfg->pad,
                         cfg->in_w + 2 * cfg->pad, cfg->in_h, cfg->in_w, cfg->pad);
        return st;
    }
    size_t window = (size_t)cfg->size_h * (size_t)cfg->size_w;
    if (nn_checked_mul3((size_t)cfg->c, (size_t)cfg->in_h, (size_t)cfg->in_w) == 0 ||
        window > NN_MAX_ELEMENTS)
        return nn_error_set(err, NN_ERR_NOMEM,
                            "pooling %dx%dx%d with a %dx%d window is too large", cfg->c,
                            cfg->in_h, cfg->in_w, cfg->size_h, cfg->size_w);
    g->rows = rows;
    g->cols = cols;
    g->out_h = rows.out;
    g->out_w = cols.out;
    g->window = (int)window;
    return NN_OK;
}

// ---- The core ----------------------------------------------------------------

typedef struct pool_trace_ {
    float *window, *running;
    unsigned char *padded;
    int *in_row, *in_col;
    float sum;
    int arg_k;  // winner's index in the window, -1 for averages
} pool_trace_;

// One output element of one channel plane [in_h][in_w]. Only real cells
// take part, in row-major order: a max ignores padding, and an average adds
// only real values (padding would add zeros) before dividing by the whole
// window. For a max, *argmax receives the winner's index y * in_w + x in the
// plane (the first one on ties, as PyTorch does).
static inline float pool_at_(const nn_pool_geom *g, const float *plane, int oy, int ox,
                             int *argmax, pool_trace_ *tr) {
    const nn_pool_config *c = &g->cfg;
    const int y0 = oy * c->stride - c->pad, x0 = ox * c->stride - c->pad;
    const bool is_max = c->mode == NN_POOL_MAX;
    // The window's real cells form a rectangle: rows [ky0, ky1), cols [kx0, kx1).
    const int ky0 = y0 < 0 ? -y0 : 0, kx0 = x0 < 0 ? -x0 : 0;
    const int ky1 = c->in_h - y0 < c->size_h ? c->in_h - y0 : c->size_h;
    const int kx1 = c->in_w - x0 < c->size_w ? c->in_w - x0 : c->size_w;
    const float start = is_max ? -INFINITY : 0.0f;
    float acc = start;
    int best = -1, best_k = -1;
    if (is_max && ky0 < ky1 && kx0 < kx1) {
        // The first real cell leads until a strictly larger one comes (ties keep
        // the first, as PyTorch does); comparing it with itself changes nothing.
        acc = plane[(size_t)(y0 + ky0) * c->in_w + x0 + kx0];
        best = (y0 + ky0) * c->in_w + x0 + kx0;
        best_k = ky0 * c->size_w + kx0;
    }
    for (int ky = ky0; ky < ky1; ky++) {
        const float *row = plane + (size_t)(y0 + ky) * c->in_w + x0;
        for (int kx = kx0; kx < kx1; kx++) {
            const float v = row[kx];
            if (is_max) {
                // Selects rather than branches, which random data would mispredict.
                const bool take = v > acc;
                acc = take ? v : acc;
                best = take ? (y0 + ky) * c->in_w + x0 + kx : best;
                best_k = take ? ky * c->size_w + kx : best_k;
            } else {
                acc += v;
            }
            if (tr) tr->running[ky * c->size_w + kx] = acc;
        }
    }
    if (argmax) *argmax = best;
    if (tr) {
        // Every cell for the animation; a padded cell repeats the running value before it.
        float prev = start;
        for (int k = 0; k < g->window; k++) {
            const int y = y0 + k / c->size_w, x = x0 + k % c->size_w;
            const int pad = nn_is_padding_(y, x, c->in_h, c->in_w);
            tr->window[k] = pad ? 0.0f : plane[(size_t)y * c->in_w + x];
            tr->padded[k] = (unsigned char)pad;
            tr->in_row[k] = y;
            tr->in_col[k] = x;
            if (pad)
                tr->running[k] = prev;
            else
                prev = tr->running[k];
        }
        tr->sum = acc;
        tr->arg_k = best_k;
    }
    return is_max ? acc : acc / (float)g->window;
}

// ---- Batch pass ---------------------------------------------------------------

// One output row's windows that lie wholly inside the input, [ox0, ox1), done
// side by side: the cells are visited in pool_at_'s order (row-major in the
// window), with the same comparisons and additions, so the bits are the same
// (test_step checks it); the loops over ox vectorise and do not branch.
NN_VECTOR_CLONES static void pool_row_inside_(const nn_pool_geom *g, const float *plane, int oy, int ox0, int ox1,
                             float *o, int *a) {
    const nn_pool_config *c = &g->cfg;
    const int s = c->stride, y0 = oy * s - c->pad, x0 = -c->pad;
    const float *first = plane + (size_t)y0 * c->in_w + x0;
    if (c->mode == NN_POOL_MAX) {
        int arg[256];
        for (int ox = ox0; ox < ox1; ox++) {
            o[ox] = first[ox * s];
            arg[ox - ox0] = y0 * c->in_w + x0 + ox * s;
        }
        for (int ky = 0; ky < c->size_h; ky++) {
            const float *row = first + (size_t)ky * c->in_w;
            const int base = (y0 + ky) * c->in_w + x0;
            for (int kx = ky == 0 ? 1 : 0; kx < c->size_w; kx++) {
                for (int ox = ox0; ox < ox1; ox++) {
                    const float v = row[ox * s + kx];
                    const bool take = v > o[ox];
                    o[ox] = take ? v : o[ox];
                    arg[ox - ox0] = take ? base + ox * s + kx : arg[ox - ox0];
                }
            }
        }
        if (a)
            for (int ox = ox0; ox < ox1; ox++) a[ox] = arg[ox - ox0];
        return;
    }
    for (int ox = ox0; ox < ox1; ox++) o[ox] = 0.0f;
    for (int ky = 0; ky < c->size_h; ky++) {
        const float *row = first + (size_t)ky * c->in_w;
        for (int kx = 0; kx < c->size_w; kx++)
            for (int ox = ox0; ox < ox1; ox++) o[ox] += row[ox * s + kx];
    }
    const float window = (float)g->window;
    for (int ox = ox0; ox < ox1; ox++) o[ox] = o[ox] / window;
}

// maxpool(2) without padding, the common case, one whole plane per call: the
// same four comparisons per window in pool_at_'s order (so the same bits),
// kept in registers, without a call per output row.
NN_VECTOR_CLONES static void pool_max2_plane_(const float *x, int in_w, int out_h, int out_w,
                                              float *o, int *a) {
    for (int oy = 0; oy < out_h; oy++) {
        const float *r0 = x + (size_t)(2 * oy) * in_w, *r1 = r0 + in_w;
        const int base0 = 2 * oy * in_w, base1 = base0 + in_w;
        float *orow = o + (size_t)oy * out_w;
        int *arow = a ? a + (size_t)oy * out_w : NULL;
        for (int ox = 0; ox < out_w; ox++) {
            float m = r0[2 * ox];
            int at = base0 + 2 * ox;
            const float v1 = r0[2 * ox + 1], v2 = r1[2 * ox], v3 = r1[2 * ox + 1];
            bool take = v1 > m;
            m = take ? v1 : m;
            at = take ? base0 + 2 * ox + 1 : at;
            take = v2 > m;
            m = take ? v2 : m;
            at = take ? base1 + 2 * ox : at;
            take = v3 > m;
            m = take ? v3 : m;
            at = take ? base1 + 2 * ox + 1 : at;
            orow[ox] = m;
            if (arow) arow[ox] = at;
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
// pool_max2_plane_ with AVX-512, 16 outputs a step: the even and odd cells of
// both input rows are pulled apart with permutes, then compared in the same
// order with the same strict > (ties keep the first), so the same bits.
__attribute__((target("avx512f"))) static void pool_max2_plane_avx512_(
    const float *x, int in_w, int out_h, int out_w, float *o, int *a) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const __m512i two_ox = _mm512_slli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 1);
    for (int oy = 0; oy < out_h; oy++) {
        const float *r0 = x + (size_t)(2 * oy) * in_w, *r1 = r0 + in_w;
        float *orow = o + (size_t)oy * out_w;
        int *arow = a ? a + (size_t)oy * out_w : NULL;
        for (int ox = 0; ox < out_w; ox += 16) {
            const int n = out_w - ox < 16 ? out_w - ox : 16;
            const __mmask16 m = (__mmask16)((1u << n) - 1u);
            // Input cells 2*ox .. 2*ox + 2n of each row, in two masked halves.
            const int cells = 2 * n;
            const __mmask16 lo = (__mmask16)(cells >= 16 ? 0xFFFFu : (1u << cells) - 1u);
            const __mmask16 hi = (__mmask16)(cells <= 16 ? 0u : (1u << (cells - 16)) - 1u);
            const __m512 a0 = _mm512_maskz_loadu_ps(lo, r0 + 2 * ox);
            const __m512 b0 = _mm512_maskz_loadu_ps(hi, r0 + 2 * ox + 16);
            const __m512 a1 = _mm512_maskz_loadu_ps(lo, r1 + 2 * ox);
            const __m512 b1 = _mm512_maskz_loadu_ps(hi, r1 + 2 * ox + 16);
            const __m512 v0 = _mm512_permutex2var_ps(a0, even, b0);
            const __m512 v1 = _mm512_permutex2var_ps(a0, odd, b0);
            const __m512 v2 = _mm512_permutex2var_ps(a1, even, b1);
            const __m512 v3 = _mm512_permutex2var_ps(a1, odd, b1);
            const __m512i at0 = _mm512_add_epi32(_mm512_set1_epi32(2 * oy * in_w + 2 * ox), two_ox);
            __m512 best = v0;
            __m512i at = at0;
            __mmask16 take = _mm512_cmp_ps_mask(v1, best, _CMP_GT_OQ);
            best = _mm512_mask_mov_ps(best, take, v1);
            at = _mm512_mask_add_epi32(at, take, at0, _mm512_set1_epi32(1));
            take = _mm512_cmp_ps_mask(v2, best, _CMP_GT_OQ);
            best = _mm512_mask_mov_ps(best, take, v2);
            at = _mm512_mask_add_epi32(at, take, at0, _mm512_set1_epi32(in_w));
            take = _mm512_cmp_ps_mask(v3, best, _CMP_GT_OQ);
            best = _mm512_mask_mov_ps(best, take, v3);
            at = _mm512_mask_add_epi32(at, take, at0, _mm512_set1_epi32(in_w + 1));
            _mm512_mask_storeu_ps(orow + ox, m, best);
            if (arow) _mm512_mask_storeu_epi32(arow + ox, m, at);
        }
    }
}

// pool_max2_plane_ with AVX2, 8 outputs a step: each input row's 16 cells are
// split into even and odd cells by shuffles (within 128-bit halves, then the
// quarters put in order), compared in pool_at_'s order with the same strict >
// (ties keep the first), so the same bits.
__attribute__((target("avx2"))) static void pool_max2_plane_avx2_(
    const float *x, int in_w, int out_h, int out_w, float *o, int *a) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i two_ox = _mm256_slli_epi32(lane, 1);
    for (int oy = 0; oy < out_h; oy++) {
        const float *r0 = x + (size_t)(2 * oy) * in_w, *r1 = r0 + in_w;
        float *orow = o + (size_t)oy * out_w;
        int *arow = a ? a + (size_t)oy * out_w : NULL;
        for (int ox = 0; ox < out_w; ox += 8) {
            const int n = out_w - ox < 8 ? out_w - ox : 8;
            const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane);
            // Input cells 2*ox .. 2*ox + 2n of each row, in two masked halves.
            const int cells = 2 * n;
            const __m256i lo = _mm256_cmpgt_epi32(_mm256_set1_epi32(cells), lane);
            const __m256i hi = _mm256_cmpgt_epi32(_mm256_set1_epi32(cells - 8), lane);
            const __m256 a0 = _mm256_maskload_ps(r0 + 2 * ox, lo);
            const __m256 b0 = _mm256_maskload_ps(r0 + 2 * ox + 8, hi);
            const __m256 a1 = _mm256_maskload_ps(r1 + 2 * ox, lo);
            const __m256 b1 = _mm256_maskload_ps(r1 + 2 * ox + 8, hi);
            // shuffle 0x88 takes cells 0,2 of a and of b per half; 0xDD cells 1,3.
            // Quarters (a0-3 evens, b0-3 evens, a4-7 evens, b4-7 evens) -> 0,2,1,3.
            const __m256 v0 = _mm256_castpd_ps(_mm256_permute4x64_pd(
                _mm256_castps_pd(_mm256_shuffle_ps(a0, b0, 0x88)), 0xD8));
            const __m256 v1 = _mm256_castpd_ps(_mm256_permute4x64_pd(
                _mm256_castps_pd(_mm256_shuffle_ps(a0, b0, 0xDD)), 0xD8));
            const __m256 v2 = _mm256_castpd_ps(_mm256_permute4x64_pd(
                _mm256_castps_pd(_mm256_shuffle_ps(a1, b1, 0x88)), 0xD8));
            const __m256 v3 = _mm256_castpd_ps(_mm256_permute4x64_pd(
                _mm256_castps_pd(_mm256_shuffle_ps(a1, b1, 0xDD)), 0xD8));
            const __m256i at0 = _mm256_add_epi32(_mm256_set1_epi32(2 * oy * in_w + 2 * ox), two_ox);
            __m256 best = v0;
            __m256i at = at0;
            __m256 take = _mm256_cmp_ps(v1, best, _CMP_GT_OQ);
            best = _mm256_blendv_ps(best, v1, take);
            at = _mm256_blendv_epi8(at, _mm256_add_epi32(at0, _mm256_set1_epi32(1)),
                                    _mm256_castps_si256(take));
            take = _mm256_cmp_ps(v2, best, _CMP_GT_OQ);
            best = _mm256_blendv_ps(best, v2, take);
            at = _mm256_blendv_epi8(at, _mm256_add_epi32(at0, _mm256_set1_epi32(in_w)),
                                    _mm256_castps_si256(take));
            take = _mm256_cmp_ps(v3, best, _CMP_GT_OQ);
            best = _mm256_blendv_ps(best, v3, take);
            at = _mm256_blendv_epi8(at, _mm256_add_epi32(at0, _mm256_set1_epi32(in_w + 1)),
                                    _mm256_castps_si256(take));
            _mm256_maskstore_ps(orow + ox, m, best);
            if (arow) _mm256_maskstore_epi32(arow + ox, m, at);
        }
    }
}
#endif

void nn_pool_forward(const nn_pool_geom *g, float *out, int *argmax, const float *in,
                     int batch) {
    const nn_pool_config *c = &g->cfg;
    const size_t in_plane = (size_t)c->in_h * c->in_w;
    const size_t out_plane = (size_t)g->out_h * g->out_w;
    // Output columns whose windows lie wholly inside the input: [inside0, inside1).
    int inside0 = 0, inside1 = g->out_w;
    while (inside0 < inside1 && inside0 * c->stride - c->pad < 0) inside0++;
    while (inside1 > inside0 && (inside1 - 1) * c->stride - c->pad + c->size_w > c->in_w) inside1--;
    const bool max2 = c->mode == NN_POOL_MAX && c->size_h == 2 && c->size_w == 2 &&
                      c->stride == 2 && c->pad == 0 && 2 * g->out_h <= c->in_h &&
                      2 * g->out_w <= c->in_w;
    // As im2col: the AVX-512 or AVX2 path only with the GEMM kernel of the same
    // instruction set (16 or 8 lanes; 0 for scalar).
    const int lanes = max2 ? nn_gemm_rows_t_lanes() : 0;
    (void)lanes;
    for (int n = 0; n < batch; n++) {
        for (int ch = 0; ch < c->c; ch++) {
            const size_t plane = (size_t)n * c->c + ch;
            const float *x = in + plane * in_plane;
            float *o = out + plane * out_plane;
            int *a = argmax ? argmax + plane * out_plane : NULL;
            if (max2) {
#if defined(__x86_64__) && defined(__GNUC__)
                if (lanes == 16) {
                    pool_max2_plane_avx512_(x, c->in_w, g->out_h, g->out_w, o, a);
                    continue;
                }
                if (lanes == 8) {
                    pool_max2_plane_avx2_(x, c->in_w, g->out_h, g->out_w, o, a);
                    continue;
                }
#endif
                pool_max2_plane_(x, c->in_w, g->out_h, g->out_w, o, a);
                continue;
            }
            for (int oy = 0; oy < g->out_h; oy++) {
                const int y0 = oy * c->stride - c->pad;
                const bool rows_inside = y0 >= 0 && y0 + c->size_h <= c->in_h;
                float *orow = o + (size_t)oy * g->out_w;
                int *arow = a ? a + (size_t)oy * g->out_w : NULL;
                // Middle stretch side by side (in pieces of at most 256), edges one by one.
                int lo = g->out_w, hi = g->out_w;
                if (rows_inside && inside0 < inside1) {
                    lo = inside0;
                    hi = inside1;
                    for (int ox = lo; ox < hi; ox += 256)
                        pool_row_inside_(g, x, oy, ox, ox + 256 < hi ? ox + 256 : hi, orow, arow);
                }
                for (int ox = 0; ox < g->out_w; ox++) {
                    if (ox == lo) ox = hi;
                    if (ox >= g->out_w) break;
                    orow[ox] = pool_at_(g, x, oy, ox, arow ? arow + ox : NULL, NULL);
                }
            }
        }
    }
}

// ---- Backward core ---------------------------------------------------------------

float nn_pool_backward_cell(const nn_pool_geom *g, float *dx, float dy, int oy, int ox, int argmax) {
    const nn_pool_config *c = &g->cfg;
    if (c->mode == NN_POOL_MAX) {
        dx[argmax] += dy;
        return dy;
    }
    // Divided, as PyTorch's avg_pool2d backward does (dy * (1/9) can differ in the last bit).
    const float share = dy / (float)g->window;
    const int y0 = oy * c->stride - c->pad, x0 = ox * c->stride - c->pad;
    for (int ky = 0; ky < c->size_h; ky++)
        for (int kx = 0; kx < c->size_w; kx++)
            if (!nn_is_padding_(y0 + ky, x0 + kx, c->in_h, c->in_w))
                dx[(size_t)(y0 + ky) * c->in_w + x0 + kx] += share;
    return share;
}

// ---- Backward for max pooling without overlaps ---------------------------------------

// Why the same bits as the memset + nn_pool_backward_cell route: when no two
// windows overlap, an input cell lies in at most one window, so that route
// leaves in it either the memset's +0.0f (it is no window's winner, or in no
// window at all) or 0.0f + dy, the one addition of the one window whose
// winner (argmax) it is. The functions below store exactly that, computing
// 0.0f + dy rather than copying dy: a -0 dy gives +0, and a signalling NaN
// comes out quiet, as from the route's addition.
//
// Two ways, picked by measurement (AMD EPYC, batch 32): for wide planes the
// maxpool(2) kernels store each cell once, its value selected, per output
// row both input rows in one pass; for narrow planes and other windows,
// zeroing the plane and then storing the winners costs less (LeNet-5's
// second maxpool, 16x10x10: 7 us against 15 for the AVX-512 kernel; its
// first, 6x28x28: 15 us with the AVX-512 kernel against 21). An AVX2 kernel
// won nowhere (AVX2's masked stores are microcoded on AMD, and the tails of
// rows of 14 or 5 cost more than the zeroing), so there is none.

// v if keep, else +0.0f, by masking v's bits: no branch (random winners would
// mispredict one) and the same bits as keep ? v : 0.0f.
static inline float pool_keep_(float v, bool keep) {
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    u &= 0u - (uint32_t)keep;
    memcpy(&v, &u, sizeof v);
    return v;
}

// Any geometry with stride >= size_h and stride >= size_w, padding included,
// one plane: zeroed, then each winner set to 0.0f + dy (it is no other
// window's).
static void pool_max_disjoint_plane_(const nn_pool_geom *g, float *dx, const float *dy,
                                     const int *arg) {
    memset(dx, 0, sizeof(float) * (size_t)g->cfg.in_h * g->cfg.in_w);
    const int n = g->out_h * g->out_w;
    for (int o = 0; o < n; o++) dx[arg[o]] = 0.0f + dy[o];
}

// maxpool(2) without padding, one output row: both input rows d0, d1 in one
// pass. k says where the window's winner is: 0 and 1 in the upper row, in_w
// and in_w + 1 in the lower. Columns past the last window (an odd width) get
// +0. restrict: the rows, dy and argmax never overlap, which lets the loop
// vectorise without run-time checks.
static inline void pool_max2_backward_row_(float *restrict d0, float *restrict d1,
                                           const float *restrict grow, const int *restrict arow,
                                           int base, int in_w, int out_w) {
    for (int ox = 0; ox < out_w; ox++) {
        const float gv = 0.0f + grow[ox];
        const int k = arow[ox] - (base + 2 * ox);
        d0[2 * ox] = pool_keep_(gv, k == 0);
        d0[2 * ox + 1] = pool_keep_(gv, k == 1);
        d1[2 * ox] = pool_keep_(gv, k == in_w);
        d1[2 * ox + 1] = pool_keep_(gv, k == in_w + 1);
    }
    for (int x = 2 * out_w; x < in_w; x++) d0[x] = d1[x] = 0.0f;
}

// One plane: the rows, then a last row past the last window (an odd height) +0.
NN_VECTOR_CLONES static void pool_max2_backward_plane_(float *dx, int in_h, int in_w, int out_h,
                                                       int out_w, const float *dy, const int *arg) {
    for (int oy = 0; oy < out_h; oy++) {
        float *d0 = dx + (size_t)(2 * oy) * in_w;
        pool_max2_backward_row_(d0, d0 + in_w, dy + (size_t)oy * out_w, arg + (size_t)oy * out_w,
                                2 * oy * in_w, in_w, out_w);
    }
    if (2 * out_h < in_h)
        memset(dx + (size_t)(2 * out_h) * in_w, 0, sizeof(float) * (size_t)(in_h - 2 * out_h) * in_w);
}

#if defined(__x86_64__) && defined(__GNUC__)
// pool_max2_backward_plane_ with AVX-512, 16 outputs a step: the four cells'
// values are picked by comparing k (masked moves: gv or +0), then each row's
// even and odd cells are interleaved with permutes; the same 0.0f + dy.
__attribute__((target("avx512f"))) static void pool_max2_backward_plane_avx512_(
    float *dx, int in_h, int in_w, int out_h, int out_w, const float *dy, const int *arg) {
    const __m512i lo_idx = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i hi_idx = _mm512_add_epi32(lo_idx, _mm512_set1_epi32(8));
    const __m512i two_ox = _mm512_slli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 1);
    const __m512i one = _mm512_set1_epi32(1), w = _mm512_set1_epi32(in_w),
                  w1 = _mm512_set1_epi32(in_w + 1);
    for (int oy = 0; oy < out_h; oy++) {
        float *d0 = dx + (size_t)(2 * oy) * in_w, *d1 = d0 + in_w;
        const float *grow = dy + (size_t)oy * out_w;
        const int *arow = arg + (size_t)oy * out_w;
        for (int ox = 0; ox < out_w; ox += 16) {
            const int n = out_w - ox < 16 ? out_w - ox : 16;
            const __mmask16 m = (__mmask16)((1u << n) - 1u);
            const int cells = 2 * n;  // input cells 2*ox .. 2*ox + 2n of each row
            const __mmask16 lo = (__mmask16)(cells >= 16 ? 0xFFFFu : (1u << cells) - 1u);
            const __mmask16 hi = (__mmask16)(cells <= 16 ? 0u : (1u << (cells - 16)) - 1u);
            const __m512 gv = _mm512_add_ps(_mm512_setzero_ps(), _mm512_maskz_loadu_ps(m, grow + ox));
            const __m512i at0 = _mm512_add_epi32(_mm512_set1_epi32(2 * oy * in_w + 2 * ox), two_ox);
            const __m512i k = _mm512_sub_epi32(_mm512_maskz_loadu_epi32(m, arow + ox), at0);
            const __m512 e0 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(k, _mm512_setzero_si512()), gv);
            const __m512 o0 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(k, one), gv);
            const __m512 e1 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(k, w), gv);
            const __m512 o1 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(k, w1), gv);
            _mm512_mask_storeu_ps(d0 + 2 * ox, lo, _mm512_permutex2var_ps(e0, lo_idx, o0));
            _mm512_mask_storeu_ps(d1 + 2 * ox, lo, _mm512_permutex2var_ps(e1, lo_idx, o1));
            if (hi) {
                _mm512_mask_storeu_ps(d0 + 2 * ox + 16, hi, _mm512_permutex2var_ps(e0, hi_idx, o0));
                _mm512_mask_storeu_ps(d1 + 2 * ox + 16, hi, _mm512_permutex2var_ps(e1, hi_idx, o1));
            }
        }
        for (int x = 2 * out_w; x < in_w; x++) d0[x] = d1[x] = 0.0f;
    }
    if (2 * out_h < in_h)
        memset(dx + (size_t)(2 * out_h) * in_w, 0, sizeof(float) * (size_t)(in_h - 2 * out_h) * in_w);
}
#endif

bool nn_pool_backward_max_disjoint(const nn_pool_geom *g, float *din, const float *dout,
                                   const int *argmax, int batch) {
    const nn_pool_config *c = &g->cfg;
    if (c->mode != NN_POOL_MAX || c->stride < c->size_h || c->stride < c->size_w) return false;
    const size_t in_plane = (size_t)c->in_h * c->in_w;
    const size_t out_plane = (size_t)g->out_h * g->out_w;
    const bool max2 = c->size_h == 2 && c->size_w == 2 && c->stride == 2 && c->pad == 0 &&
                      2 * g->out_h <= c->in_h && 2 * g->out_w <= c->in_w;
    // As the forward pass: the AVX-512 kernel only with the AVX-512 GEMM kernel
    // (16 lanes). Output rows of at least 12 (AVX-512) or 16 (the vectorised
    // loop) are where a kernel beat the zeroing (measured: see above).
    const bool avx512 = max2 && g->out_w >= 12 && nn_gemm_rows_t_lanes() == 16;
    const bool rows = max2 && g->out_w >= 16;
    (void)avx512;
    for (size_t p = 0; p < (size_t)batch * c->c; p++) {
        float *dx = din + p * in_plane;
        const float *dy = dout + p * out_plane;
        const int *arg = argmax + p * out_plane;
#if defined(__x86_64__) && defined(__GNUC__)
        if (avx512) {
            pool_max2_backward_plane_avx512_(dx, c->in_h, c->in_w, g->out_h, g->out_w, dy, arg);
            continue;
        }
#endif
        if (rows)
            pool_max2_backward_plane_(dx, c->in_h, c->in_w, g->out_h, g->out_w, dy, arg);
        else
            pool_max_disjoint_plane_(g, dx, dy, arg);
    }
    return true;
}

// ---- Stepper -------------------------------------------------------------------

nn_status nn_pool_cursor_init(nn_pool_cursor *cur, const nn_pool_geom *g, const float *in,
                              nn_error *err) {
    cur->g = g;
    cur->in = in;
    cur->next = 0;
    cur->total = g->cfg.c * g->out_h * g->out_w;
    cur->fbuf = malloc(sizeof(float) * 2 * (size_t)g->window);
    cur->mask = malloc((size_t)g->window);
    cur->coords = malloc(sizeof(int) * 2 * (size_t)g->window);
    if (!cur->fbuf || !cur->mask || !cur->coords) {
        nn_pool_cursor_destroy(cur);
        return nn_error_set(err, NN_ERR_NOMEM, "out of memory for a %d-cell window",
                            g->window);
    }
    return NN_OK;
}

bool nn_pool_step_at(nn_pool_cursor *cur, int index, nn_pool_step *st) {
    if (index < 0 || index >= cur->total) return false;
    const nn_pool_geom *g = cur->g;
    const int plane = g->out_h * g->out_w, n = g->window;
    const int ch = index / plane, oy = (index % plane) / g->out_w, ox = index % g->out_w;
    pool_trace_ tr = {.window = cur->fbuf, .running = cur->fbuf + n, .padded = cur->mask,
                      .in_row = cur->coords, .in_col = cur->coords + n};
    const float *x = cur->in + (size_t)ch * g->cfg.in_h * g->cfg.in_w;
    int arg = -1;
    st->value = pool_at_(g, x, oy, ox, &arg, &tr);
    st->index = index;
    st->channel = ch;
    st->row = oy;
    st->col = ox;
    st->origin_row = oy * g->cfg.stride;
    st->origin_col = ox * g->cfg.stride;
    st->count = n;
    st->window = tr.window;
    st->padded = tr.padded;
    st->in_row = tr.in_row;
    st->in_col = tr.in_col;
    st->running = tr.running;
    st->sum = tr.sum;
    const bool is_max = g->cfg.mode == NN_POOL_MAX;
    st->divisor = is_max ? 1 : n;
    st->argmax = tr.arg_k;
    st->argmax_row = is_max ? arg / g->cfg.in_w : -1;
    st->argmax_col = is_max ? arg % g->cfg.in_w : -1;
    cur->next = index + 1;
    return true;
}

bool nn_pool_step_next(nn_pool_cursor *cur, nn_pool_step *st) {
    return nn_pool_step_at(cur, cur->next, st);
}

void nn_pool_cursor_destroy(nn_pool_cursor *cur) {
    free(cur->fbuf);
    free(cur->mask);
    free(cur->coords);
    cur->fbuf = NULL;
    cur->mask = NULL;
    cur->coords = NULL;
}
