// conv_infer.c - convolution for inference over the band where the input is
// not zero (see conv_infer.h for why the bits are the core's).
#include "conv_infer.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "gemm.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

// The accumulators must stay in registers: unroll the loops over them completely.
#define BAND_UNROLL_ _Pragma("GCC unroll 8")

// One sample's geometry and the band of it that is computed.
typedef struct band_ {
    int in_c, k_h, k_w, window, hp, wp, out_w, P;
    int ylo, yhi;        // the padded rows holding a nonzero input (in any channel)
    int ox_lo, width;    // the output columns computed: ox_lo .. ox_lo + width - 1
} band_;

// True when every weight is a finite number (then +-0 times it is +-0).
__attribute__((target("avx2"))) static bool all_finite_(const float *w, size_t count) {
    const __m256 most = _mm256_set1_ps(FLT_MAX), magnitude = _mm256_castsi256_ps(
                                                     _mm256_set1_epi32(0x7FFFFFFF));
    __m256 ok = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    size_t k = 0;
    for (; k + 8 <= count; k += 8)  // |w| <= FLT_MAX: false for infinities and NaN
        ok = _mm256_and_ps(ok, _mm256_cmp_ps(_mm256_and_ps(_mm256_loadu_ps(w + k), magnitude),
                                             most, _CMP_LE_OQ));
    bool all = _mm256_movemask_ps(ok) == 0xFF;
    for (; k < count; k++) all &= fabsf(w[k]) <= FLT_MAX;
    return all;
}

// o[0 .. n-1] = v.
__attribute__((target("avx2"))) static void fill_(float *o, size_t n, float v) {
    const __m256 vv = _mm256_set1_ps(v);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(o + i, vv);
    for (; i < n; i++) o[i] = v;
}

// Copies n floats of one input row to dst and widens [*lo, *hi] by the
// columns (counted from `at`) where the row is not zero; NaN counts as not zero.
__attribute__((target("avx512f"))) static void copy_scan512_(float *dst, const float *src, int n,
                                                             int at, int *lo, int *hi) {
    for (int i = 0; i < n; i += 16) {
        const __mmask16 m = (__mmask16)(n - i >= 16 ? 0xFFFFu : (1u << (n - i)) - 1u);
        const __m512 v = _mm512_maskz_loadu_ps(m, src + i);
        _mm512_mask_storeu_ps(dst + i, m, v);
        const unsigned nz = _mm512_mask_cmp_ps_mask(m, v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
        if (nz) {
            const int first = at + i + __builtin_ctz(nz), last = at + i + 31 - __builtin_clz(nz);
            if (first < *lo) *lo = first;
            if (last > *hi) *hi = last;
        }
    }
}

// Output rows oy and oy+1 (pair) of up to 6 filters over the band's columns:
// the first 16 in one 16-lane vector, the rest (`second`: 0, up to 8 or up
// to 16) in an 8- or a 16-lane vector (an 8-lane one is half the work on
// CPUs that split 16-lane arithmetic in two). Each lane is one output: 0,
// then one fmadd per tap in order of k = (channel, ky, kx), then + bias, the
// taps of rows outside the band (all zero) left out.
__attribute__((target("avx512f,avx512vl,fma"), always_inline)) static inline void band512_group_(
    const int fr, const int second, const band_ *b, const float *x, int oy, bool pair,
    const float *w, const float *bias, float *o) {
    const int width = b->width, rest = width - 16;
    const __mmask16 m0 = (__mmask16)(width >= 16 ? 0xFFFFu : (1u << width) - 1u);
    const __mmask16 m1 = (__mmask16)(second == 16 ? (rest >= 16 ? 0xFFFFu : (1u << rest) - 1u) : 0u);
    const __mmask8 n1 = (__mmask8)(second == 8 ? (1u << rest) - 1u : 0u);
    const __mmask16 p0 = pair ? m0 : 0, p1 = pair ? m1 : 0;
    const __mmask8 q1 = pair ? n1 : 0;
    __m512 a0[6], b0[6], a1[6], b1[6];  // filter f: row oy (a) and oy+1 (b), lanes 0-15 and 16-31
    __m256 c1[6], d1[6];                // lanes 16-23 when second == 8
    BAND_UNROLL_ for (int f = 0; f < 6; f++) {
        a0[f] = b0[f] = a1[f] = b1[f] = _mm512_setzero_ps();
        c1[f] = d1[f] = _mm256_setzero_ps();
    }
    // Rows oy+ky (a) and oy+1+ky (b) inside the band.
    int ky0 = b->ylo - oy - (pair ? 1 : 0), ky1 = b->yhi - oy;
    if (ky0 < 0) ky0 = 0;
    if (ky1 > b->k_h - 1) ky1 = b->k_h - 1;
    for (int ch = 0; ch < b->in_c; ch++)
        for (int ky = ky0; ky <= ky1; ky++) {
            const float *r = x + ((size_t)ch * b->hp + oy + ky) * b->wp + b->ox_lo;
            const float *wk = w + ((size_t)ch * b->k_h + ky) * b->k_w;
            for (int kx = 0; kx < b->k_w; kx++) {
                const float *ra = r + kx, *rb = ra + b->wp;
                const __m512 xa0 = _mm512_maskz_loadu_ps(m0, ra);
                const __m512 xb0 = _mm512_maskz_loadu_ps(p0, rb);
                __m512 xa1 = _mm512_setzero_ps(), xb1 = _mm512_setzero_ps();
                __m256 ya1 = _mm256_setzero_ps(), yb1 = _mm256_setzero_ps();
                if (second == 16) {
                    xa1 = _mm512_maskz_loadu_ps(m1, ra + 16);
                    xb1 = _mm512_maskz_loadu_ps(p1, rb + 16);
                } else if (second == 8) {
                    ya1 = _mm256_maskz_loadu_ps(n1, ra + 16);
                    yb1 = _mm256_maskz_loadu_ps(q1, rb + 16);
                }
                BAND_UNROLL_ for (int f = 0; f < fr; f++) {
                    const float wv = wk[(size_t)f * b->window + kx];
                    const __m512 wf = _mm512_set1_ps(wv);
                    a0[f] = _mm512_fmadd_ps(xa0, wf, a0[f]);
                    b0[f] = _mm512_fmadd_ps(xb0, wf, b0[f]);
                    if (second == 16) {
                        a1[f] = _mm512_fmadd_ps(xa1, wf, a1[f]);
                        b1[f] = _mm512_fmadd_ps(xb1, wf, b1[f]);
                    } else if (second == 8) {
                        const __m256 wh = _mm256_set1_ps(wv);
                        c1[f] = _mm256_fmadd_ps(ya1, wh, c1[f]);
                        d1[f] = _mm256_fmadd_ps(yb1, wh, d1[f]);
                    }
                }
            }
        }
    BAND_UNROLL_ for (int f = 0; f < fr; f++) {
        const float bv = bias ? bias[f] : 0.0f;
        const __m512 bf = _mm512_set1_ps(bv);
        const __m256 bh = _mm256_set1_ps(bv);
        float *of = o + (size_t)f * b->P + (size_t)oy * b->out_w + b->ox_lo;
        _mm512_mask_storeu_ps(of, m0, _mm512_add_ps(a0[f], bf));
        if (pair) _mm512_mask_storeu_ps(of + b->out_w, m0, _mm512_add_ps(b0[f], bf));
        if (second == 16) {
            _mm512_mask_storeu_ps(of + 16, m1, _mm512_add_ps(a1[f], bf));
            if (pair) _mm512_mask_storeu_ps(of + b->out_w + 16, m1, _mm512_add_ps(b1[f], bf));
        } else if (second == 8) {
            _mm256_mask_storeu_ps(of + 16, n1, _mm256_add_ps(c1[f], bh));
            if (pair) _mm256_mask_storeu_ps(of + b->out_w + 16, n1, _mm256_add_ps(d1[f], bh));
        }
    }
}

#define BAND_GROUP_(fr)                                                                    \
    case fr:                                                                               \
        if (second == 16) band512_group_(fr, 16, b, x, oy, pair, wf, bf, of);              \
        else if (second == 8) band512_group_(fr, 8, b, x, oy, pair, wf, bf, of);           \
        else band512_group_(fr, 0, b, x, oy, pair, wf, bf, of);                            \
        break;

// The band's output rows, two at a time, filters six at a time.
__attribute__((target("avx512f,avx512vl,fma"))) static void band512_(const band_ *b, int oy_lo,
                                                                  int oy_hi, int filters,
                                                                  const float *x,
                                                                  const float *w,
                                                                  const float *bias, float *o) {
    const int second = b->width <= 16 ? 0 : b->width <= 24 ? 8 : 16;
    for (int oy = oy_lo; oy <= oy_hi; oy += 2) {
        const bool pair = oy + 1 <= oy_hi;
        for (int f = 0; f < filters; f += 6) {
            const float *wf = w + (size_t)f * b->window, *bf = bias ? bias + f : NULL;
            float *of = o + (size_t)f * b->P;
            switch (filters - f < 6 ? filters - f : 6) {
                BAND_GROUP_(1)
                BAND_GROUP_(2)
                BAND_GROUP_(3)
                BAND_GROUP_(4)
                BAND_GROUP_(5)
                default: BAND_GROUP_(6)
            }
        }
    }
}

// As copy_scan512_ with 8 lanes a vector (AVX2).
__attribute__((target("avx2"))) static void copy_scan256_(float *dst, const float *src, int n,
                                                          int at, int *lo, int *hi) {
    for (int i = 0; i < n; i += 8) {
        const int left = n - i < 8 ? n - i : 8;
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(left),
                                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        const __m256 v = _mm256_maskload_ps(src + i, m);
        _mm256_maskstore_ps(dst + i, m, v);
        const unsigned nz = (unsigned)_mm256_movemask_ps(
            _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NEQ_UQ)) & ((1u << left) - 1u);
        if (nz) {
            const int first = at + i + __builtin_ctz(nz), last = at + i + 31 - __builtin_clz(nz);
            if (first < *lo) *lo = first;
            if (last > *hi) *hi = last;
        }
    }
}

// The AVX2 form: output row oy of up to 6 filters over the band's columns in
// nq vectors of 8 lanes (the fewer the vectors, the more filters at once, so
// the accumulators fit the 16 registers). The same sums per lane as
// band512_group_.
__attribute__((target("avx2,fma"), always_inline)) static inline void band256_group_(
    const int fr, const int nq, const band_ *b, const float *x, int oy, const __m256i *mask,
    const float *w, const float *bias, float *o) {
    __m256 acc[6][4];
    BAND_UNROLL_ for (int f = 0; f < 6; f++)
        BAND_UNROLL_ for (int q = 0; q < 4; q++) acc[f][q] = _mm256_setzero_ps();
    int ky0 = b->ylo - oy, ky1 = b->yhi - oy;
    if (ky0 < 0) ky0 = 0;
    if (ky1 > b->k_h - 1) ky1 = b->k_h - 1;
    for (int ch = 0; ch < b->in_c; ch++)
        for (int ky = ky0; ky <= ky1; ky++) {
            const float *r = x + ((size_t)ch * b->hp + oy + ky) * b->wp + b->ox_lo;
            const float *wk = w + ((size_t)ch * b->k_h + ky) * b->k_w;
            for (int kx = 0; kx < b->k_w; kx++) {
                __m256 xq[4];
                BAND_UNROLL_ for (int q = 0; q < nq; q++)
                    xq[q] = _mm256_maskload_ps(r + kx + 8 * q, mask[q]);
                BAND_UNROLL_ for (int f = 0; f < fr; f++) {
                    const __m256 wf = _mm256_broadcast_ss(wk + (size_t)f * b->window + kx);
                    BAND_UNROLL_ for (int q = 0; q < nq; q++)
                        acc[f][q] = _mm256_fmadd_ps(xq[q], wf, acc[f][q]);
                }
            }
        }
    BAND_UNROLL_ for (int f = 0; f < fr; f++) {
        const __m256 bf = _mm256_set1_ps(bias ? bias[f] : 0.0f);
        float *of = o + (size_t)f * b->P + (size_t)oy * b->out_w + b->ox_lo;
        BAND_UNROLL_ for (int q = 0; q < nq; q++)
            _mm256_maskstore_ps(of + 8 * q, mask[q], _mm256_add_ps(acc[f][q], bf));
    }
}

// Filters per group for nq vectors: (filters + 1) * nq + 1 registers at most.
#define BAND256_GROUPS_(nq, most)                                                          \
    for (int f = 0; f < filters; f += (most)) {                                            \
        const float *wf = w + (size_t)f * b->window, *bf = bias ? bias + f : NULL;         \
        float *of = o + (size_t)f * b->P;                                                  \
        switch (filters - f < (most) ? filters - f : (most)) {                             \
        case 1: band256_group_(1, nq, b, x, oy, mask, wf, bf, of); break;                  \
        case 2: band256_group_(2, nq, b, x, oy, mask, wf, bf, of); break;                  \
        case 3: band256_group_((most) >= 3 ? 3 : 1, nq, b, x, oy, mask, wf, bf, of); break; \
        case 4: band256_group_((most) >= 4 ? 4 : 1, nq, b, x, oy, mask, wf, bf, of); break; \
        case 5: band256_group_((most) >= 5 ? 5 : 1, nq, b, x, oy, mask, wf, bf, of); break; \
        default: band256_group_((most) >= 6 ? 6 : 1, nq, b, x, oy, mask, wf, bf, of); break; \
        }                                                                                  \
    }

__attribute__((target("avx2,fma"))) static void band256_(const band_ *b, int oy_lo, int oy_hi,
                                                          int filters, const float *x,
                                                          const float *w, const float *bias,
                                                          float *o) {
    const int nq = (b->width + 7) / 8;
    __m256i mask[4];
    for (int q = 0; q < 4; q++) {
        const int left = b->width - 8 * q;
        mask[q] = _mm256_cmpgt_epi32(_mm256_set1_epi32(left < 0 ? 0 : left),
                                     _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    }
    for (int oy = oy_lo; oy <= oy_hi; oy++) {
        if (nq == 1) BAND256_GROUPS_(1, 6)
        else if (nq == 2) BAND256_GROUPS_(2, 4)
        else if (nq == 3) BAND256_GROUPS_(3, 3)
        else BAND256_GROUPS_(4, 2)
    }
}
#endif

bool nn_conv_infer_banded(const nn_conv2d_geom *g, float *out, const float *in,
                          const float *weights, const float *bias, int batch, float *scratch) {
#if defined(__x86_64__) && defined(__GNUC__)
    const nn_conv2d_config *c = &g->cfg;
    if (c->stride != 1 || c->dilation != 1 || g->out_w < 17 || g->out_w > 32) return false;
    const char *isa = nn_gemm_kernel_name();
    const bool wide = strcmp(isa, "avx512") == 0 && __builtin_cpu_supports("avx512vl");
    if (!wide && strcmp(isa, "avx2") != 0) return false;
    if (!all_finite_(weights, (size_t)c->filters * g->window)) return false;
    band_ b = {.in_c = c->in_c, .k_h = c->k_h, .k_w = c->k_w, .window = g->window,
               .hp = c->in_h + g->rows.pad_lo + g->rows.pad_hi,
               .wp = c->in_w + g->cols.pad_lo + g->cols.pad_hi,
               .out_w = g->out_w, .P = g->out_h * g->out_w};
    const size_t in_size = (size_t)c->in_c * c->in_h * c->in_w;
    float *x = scratch;
    for (int n = 0; n < batch; n++) {
        const float *src = in + (size_t)n * in_size;
        float *o = out + (size_t)n * c->filters * b.P;
        // The zero-padded copy (the padding zeroed, the rest copied), and the
        // band of padded rows and columns not zero.
        for (int ch = 0; ch < c->in_c; ch++) {
            float *xc = x + (size_t)ch * b.hp * b.wp;
            fill_(xc, (size_t)g->rows.pad_lo * b.wp, 0.0f);
            fill_(xc + (size_t)(g->rows.pad_lo + c->in_h) * b.wp, (size_t)g->rows.pad_hi * b.wp,
                  0.0f);
            for (int y = g->rows.pad_lo; y < g->rows.pad_lo + c->in_h; y++) {
                fill_(xc + (size_t)y * b.wp, (size_t)g->cols.pad_lo, 0.0f);
                fill_(xc + (size_t)y * b.wp + g->cols.pad_lo + c->in_w, (size_t)g->cols.pad_hi,
                      0.0f);
            }
        }
        int xlo = b.wp, xhi = -1;
        b.ylo = b.hp, b.yhi = -1;
        for (int ch = 0; ch < c->in_c; ch++)
            for (int y = 0; y < c->in_h; y++) {
                const int py = y + g->rows.pad_lo;
                int lo = b.wp, hi = -1;
                float *dst = x + ((size_t)ch * b.hp + py) * b.wp + g->cols.pad_lo;
                const float *row = src + ((size_t)ch * c->in_h + y) * c->in_w;
                if (wide) copy_scan512_(dst, row, c->in_w, g->cols.pad_lo, &lo, &hi);
                else copy_scan256_(dst, row, c->in_w, g->cols.pad_lo, &lo, &hi);
                if (hi < 0) continue;
                if (lo < xlo) xlo = lo;
                if (hi > xhi) xhi = hi;
                if (py < b.ylo) b.ylo = py;
                if (py > b.yhi) b.yhi = py;
            }
        // Outputs whose windows see only zeros: 0 + bias, as the core's sum
        // (all of them first: cheaper than around the band row by row).
        for (int f = 0; f < c->filters; f++)
            fill_(o + (size_t)f * b.P, (size_t)b.P, 0.0f + (bias ? bias[f] : 0.0f));
        if (xhi < 0) continue;
        // The outputs whose windows reach the band.
        const int oy_lo = b.ylo - (c->k_h - 1) > 0 ? b.ylo - (c->k_h - 1) : 0;
        const int oy_hi = b.yhi < g->out_h - 1 ? b.yhi : g->out_h - 1;
        b.ox_lo = xlo - (c->k_w - 1) > 0 ? xlo - (c->k_w - 1) : 0;
        b.width = (xhi < g->out_w - 1 ? xhi : g->out_w - 1) - b.ox_lo + 1;
        if (wide) band512_(&b, oy_lo, oy_hi, c->filters, x, weights, bias, o);
        else band256_(&b, oy_lo, oy_hi, c->filters, x, weights, bias, o);
    }
    return true;
#else
    (void)g, (void)out, (void)in, (void)weights, (void)bias, (void)batch, (void)scratch;
    return false;
#endif
}
