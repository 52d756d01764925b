// conv2d_wgrad.c - a convolution's weight gradient without the column matrix
// (see conv2d_wgrad.h for why and why the bits are nn_gemm_nt's).
#include "conv2d_wgrad.h"

#include <stdint.h>
#include <string.h>

#include "gemm.h"
#include "profile.h"

// Output rows one vector of positions may touch (a row's end, whole rows, a
// row's start): 3 when rows have at least (lanes - 1) / 2 columns.
#define WG_SEGS_ 3

// One vector of positions: lane l of segment s reads padded[off[s] + l + tap],
// tap being the weight's offset inside the window; mask[s] holds its lanes.
// For AVX2 (at most 2 segments) lanes below `split` come from segment 0, the
// rest from segment 1 (which repeats segment 0 when there is one).
typedef struct wg_vector_ {
    int32_t off[WG_SEGS_];
    uint32_t mask[WG_SEGS_];
    int32_t split;
} wg_vector_;

static int plane_h_(const nn_conv2d_geom *g) { return g->cfg.in_h + g->rows.pad_lo + g->rows.pad_hi; }
static int plane_w_(const nn_conv2d_geom *g) { return g->cfg.in_w + g->cols.pad_lo + g->cols.pad_hi; }

// The lanes the GEMM's dot-product kernel runs (0 when it is the scalar one).
static int lanes_(void) { return nn_gemm_rows_t_lanes(); }

bool nn_conv2d_wgrad_inplace_ok(const nn_conv2d_geom *g, int batch) {
    const int lanes = lanes_();
    if (lanes == 0 || g->cfg.stride != 1 || batch <= 0) return false;
    // A vector touches at most 3 output rows (AVX-512), or 2 (AVX2).
    if (lanes == 16 ? 2 * g->out_w < lanes - 1 : g->out_w < lanes - 1) return false;
    const size_t padded = (size_t)batch * g->cfg.in_c * plane_h_(g) * plane_w_(g);
    return padded + 16 <= INT32_MAX;  // offsets are 32-bit
}

// The taps' offsets, every vector's segments (counted for 8 lanes, the most
// vectors), the padded planes with a margin of 16 floats on either side; all
// made of 4-byte words.
size_t nn_conv2d_wgrad_scratch(const nn_conv2d_geom *g, int batch) {
    const size_t N = (size_t)batch * g->out_h * g->out_w;
    return (size_t)g->window + (N + 7) / 8 * (sizeof(wg_vector_) / sizeof(float)) + 32 +
           (size_t)batch * g->cfg.in_c * plane_h_(g) * plane_w_(g);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include "hsum_x86.h"

// The accumulators must stay in registers: unroll the loops over them completely.
#define WG_UNROLL_ _Pragma("GCC unroll 8")

// Where the pieces live in the scratch, and the numbers the kernels need.
typedef struct wg_plan_ {
    int lanes, F, K, segs;     // segs: the most segments any vector has (2 or 3)
    size_t N, vectors;         // positions, vectors of positions
    int32_t *tap;              // [K] offset of weight k from the window's top-left
    wg_vector_ *vec;           // [vectors]
    float *padded;             // [batch][in_c][hp][wp], between margins of 16 zeros
} wg_plan_;

// Lays the pieces out in the scratch, copies the input into its zero-padded
// planes and works out every vector's segments.
static void plan_(wg_plan_ *pl, const nn_conv2d_geom *g, const float *in, int batch,
                  float *scratch, int lanes) {
    const nn_conv2d_config *c = &g->cfg;
    const int hp = plane_h_(g), wp = plane_w_(g);
    const size_t plane = (size_t)hp * wp, sample = (size_t)c->in_c * plane;
    pl->lanes = lanes;
    pl->F = c->filters;
    pl->K = g->window;
    pl->N = (size_t)batch * g->out_h * g->out_w;
    pl->vectors = (pl->N + lanes - 1) / lanes;
    pl->tap = (int32_t *)scratch;
    pl->vec = (wg_vector_ *)(pl->tap + pl->K);
    pl->padded = (float *)(pl->vec + pl->vectors) + 16;

    int k = 0;
    for (int ch = 0; ch < c->in_c; ch++)
        for (int ky = 0; ky < c->k_h; ky++)
            for (int kx = 0; kx < c->k_w; kx++)
                pl->tap[k++] = (int32_t)((size_t)ch * plane + (size_t)ky * c->dilation * wp +
                                         (size_t)kx * c->dilation);

    // The padded planes and their margins (which AVX2's whole-vector loads
    // may touch, in lanes it then drops): zeros, then each input row at its place.
    memset(pl->padded - 16, 0, sizeof(float) * (sample * (size_t)batch + 32));
    for (int n = 0; n < batch; n++)
        for (int ch = 0; ch < c->in_c; ch++) {
            const float *src = in + ((size_t)n * c->in_c + ch) * c->in_h * c->in_w;
            float *dst = pl->padded + (size_t)n * sample + (size_t)ch * plane +
                         (size_t)g->rows.pad_lo * wp + g->cols.pad_lo;
            for (int y = 0; y < c->in_h; y++)
                memcpy(dst + (size_t)y * wp, src + (size_t)y * c->in_w, sizeof(float) * c->in_w);
        }

    // Position i = (sample n, output row oy, column ox) reads the padded
    // planes at n * sample + oy * wp + ox (+ tap): a row's positions are
    // consecutive there, so each output row in a vector is one segment.
    size_t i = 0;
    int n = 0, oy = 0, ox = 0;
    pl->segs = 2;
    for (size_t v = 0; v < pl->vectors; v++) {
        wg_vector_ *vec = &pl->vec[v];
        memset(vec, 0, sizeof *vec);
        int s = 0;
        for (int l = 0; l < lanes && i < pl->N && s < WG_SEGS_; s++) {
            int run = g->out_w - ox;
            if (run > lanes - l) run = lanes - l;
            if ((size_t)run > pl->N - i) run = (int)(pl->N - i);
            vec->off[s] = (int32_t)((long long)n * (long long)sample + (long long)oy * wp + ox - l);
            vec->mask[s] = ((1u << run) - 1u) << l;
            if (s == 0) vec->split = run;
            l += run;
            i += (size_t)run;
            ox += run;
            if (ox == g->out_w) {
                ox = 0;
                if (++oy == g->out_h) oy = 0, n++;
            }
        }
        if (s == 1) vec->off[1] = vec->off[0];
        if (s > pl->segs) pl->segs = s;
    }
}

// ---- AVX-512: 16 lanes ------------------------------------------------------------------

// One tile of TM filters by TN weights over every vector of positions, added
// onto dweights [F][K] as nn_gemm_nt's AVX-512 kernel adds (16 lanes, then
// _mm512_reduce_add_ps). Rows past mr and weights past nr repeat the tile's
// first and are not stored. The TN vectors of inputs are built first (SEGS
// masked loads each), then each filter's dY vector is loaded once and
// multiplied into all of them. (Working the positions in chunks that stay in
// the first caches, the partial sums kept in memory between chunks, measured
// no faster.)
__attribute__((target("avx512f"), always_inline)) static inline void tile512_(
    const int TM, const int TN, const int SEGS, const wg_plan_ *pl, const float *gy, int f0,
    int mr, int k0, int nr, float *dweights) {
    const float *row[8];
    int32_t tap[4];
    WG_UNROLL_ for (int i = 0; i < TM; i++) row[i] = gy + (size_t)(f0 + (i < mr ? i : 0)) * pl->N;
    WG_UNROLL_ for (int j = 0; j < TN; j++) tap[j] = pl->tap[k0 + (j < nr ? j : 0)];
    __m512 acc[8][4];
    WG_UNROLL_ for (int i = 0; i < TM; i++)
        WG_UNROLL_ for (int j = 0; j < TN; j++) acc[i][j] = _mm512_setzero_ps();
    for (size_t v = 0; v < pl->vectors; v++) {
        const wg_vector_ *vec = &pl->vec[v];
        const size_t i0 = v * 16;
        // The ragged end: lanes past the last position load 0, as nn_gemm_nt's masked loads.
        const __mmask16 live = pl->N - i0 >= 16 ? (__mmask16)0xFFFF
                                                : (__mmask16)((1u << (pl->N - i0)) - 1u);
        __m512 x[4];
        WG_UNROLL_ for (int j = 0; j < TN; j++) {
            x[j] = _mm512_maskz_loadu_ps((__mmask16)vec->mask[0], pl->padded + vec->off[0] + tap[j]);
            x[j] = _mm512_mask_loadu_ps(x[j], (__mmask16)vec->mask[1],
                                        pl->padded + vec->off[1] + tap[j]);
            if (SEGS == 3)
                x[j] = _mm512_mask_loadu_ps(x[j], (__mmask16)vec->mask[2],
                                            pl->padded + vec->off[2] + tap[j]);
        }
        WG_UNROLL_ for (int i = 0; i < TM; i++) {
            const __m512 d = _mm512_maskz_loadu_ps(live, row[i] + i0);
            WG_UNROLL_ for (int j = 0; j < TN; j++) acc[i][j] = _mm512_fmadd_ps(d, x[j], acc[i][j]);
        }
    }
    WG_UNROLL_ for (int i = 0; i < TM; i++)
        if (i < mr)
            WG_UNROLL_ for (int j = 0; j < TN; j++)
                if (j < nr) {
                    float *c = &dweights[(size_t)(f0 + i) * pl->K + k0 + j];
                    *c = *c + _mm512_reduce_add_ps(acc[i][j]);
                }
}

// Tiles of 4, 6 or 8 filters (whichever leaves the fewest idle at the edge)
// by 4, 4 or 3 weights: at most 24 accumulators, the weights' input vectors
// and one dY vector in the 32 registers. The edge tiles run whole, their
// extra rows and weights repeated and not stored: 6 instances of the tile,
// not one per edge shape (22 made clang's sanitizer builds take minutes).
__attribute__((target("avx512f"))) static void run512_(const wg_plan_ *pl, const float *gy,
                                                       float *dweights) {
    const int F = pl->F;
    int tm = 8, idle = (F + 7) / 8 * 8 - F;
    if ((F + 5) / 6 * 6 - F < idle) tm = 6, idle = (F + 5) / 6 * 6 - F;
    if ((F + 3) / 4 * 4 - F < idle) tm = 4;
    const int tn = tm == 8 ? 3 : 4;
    for (int f0 = 0; f0 < F; f0 += tm) {
        const int mr = F - f0 < tm ? F - f0 : tm;
        for (int k0 = 0; k0 < pl->K; k0 += tn) {
            const int nr = pl->K - k0 < tn ? pl->K - k0 : tn;
            if (pl->segs == 2) {
                if (tm == 8) tile512_(8, 3, 2, pl, gy, f0, mr, k0, nr, dweights);
                else if (tm == 6) tile512_(6, 4, 2, pl, gy, f0, mr, k0, nr, dweights);
                else tile512_(4, 4, 2, pl, gy, f0, mr, k0, nr, dweights);
            } else {
                if (tm == 8) tile512_(8, 3, 3, pl, gy, f0, mr, k0, nr, dweights);
                else if (tm == 6) tile512_(6, 4, 3, pl, gy, f0, mr, k0, nr, dweights);
                else tile512_(4, 4, 3, pl, gy, f0, mr, k0, nr, dweights);
            }
        }
    }
}

// ---- AVX2 with FMA: 8 lanes -------------------------------------------------------------

// Lanes at and past `from` (an AVX2 blend's selector).
__attribute__((target("avx2"))) static inline __m256i lanes_from256_(int from) {
    return _mm256_cmpgt_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(from - 1));
}

// The first n lanes (a maskload's mask).
__attribute__((target("avx2"))) static inline __m256i first256_(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// tile512_ with 8 lanes: nn_gemm_nt's AVX2 kernel's sums (8 lanes, then
// nn_hsum256_'s order). A whole vector's inputs are two whole loads blended at
// the row's end (the lanes dropped read the margins or other rows); the
// ragged last vector is loaded masked, its missing lanes 0, as the kernel's.
__attribute__((target("avx2,fma"), always_inline)) static inline void tile256_(
    const int TM, const int TN, const wg_plan_ *pl, const float *gy, int f0, int mr, int k0,
    int nr, float *dweights) {
    const float *row[6];
    int32_t tap[2];
    WG_UNROLL_ for (int i = 0; i < TM; i++) row[i] = gy + (size_t)(f0 + (i < mr ? i : 0)) * pl->N;
    WG_UNROLL_ for (int j = 0; j < TN; j++) tap[j] = pl->tap[k0 + (j < nr ? j : 0)];
    __m256 acc[6][2];
    WG_UNROLL_ for (int i = 0; i < TM; i++)
        WG_UNROLL_ for (int j = 0; j < TN; j++) acc[i][j] = _mm256_setzero_ps();
    const size_t whole = pl->N / 8;
    for (size_t v = 0; v < whole; v++) {
        const wg_vector_ *vec = &pl->vec[v];
        const __m256 from1 = _mm256_castsi256_ps(lanes_from256_(vec->split));
        const float *p0 = pl->padded + vec->off[0], *p1 = pl->padded + vec->off[1];
        __m256 x[2];
        WG_UNROLL_ for (int j = 0; j < TN; j++)
            x[j] = _mm256_blendv_ps(_mm256_loadu_ps(p0 + tap[j]), _mm256_loadu_ps(p1 + tap[j]), from1);
        WG_UNROLL_ for (int i = 0; i < TM; i++) {
            const __m256 d = _mm256_loadu_ps(row[i] + v * 8);
            WG_UNROLL_ for (int j = 0; j < TN; j++) acc[i][j] = _mm256_fmadd_ps(d, x[j], acc[i][j]);
        }
    }
    if (whole < pl->vectors) {  // the ragged end
        const wg_vector_ *vec = &pl->vec[whole];
        const __m256i live = first256_((int)(pl->N - whole * 8));
        const __m256i m0 = _mm256_and_si256(live, first256_(vec->split));
        const __m256i m1 = _mm256_andnot_si256(first256_(vec->split), live);
        __m256 x[2];
        WG_UNROLL_ for (int j = 0; j < TN; j++)
            x[j] = _mm256_or_ps(_mm256_maskload_ps(pl->padded + vec->off[0] + tap[j], m0),
                                _mm256_maskload_ps(pl->padded + vec->off[1] + tap[j], m1));
        WG_UNROLL_ for (int i = 0; i < TM; i++) {
            const __m256 d = _mm256_maskload_ps(row[i] + whole * 8, live);
            WG_UNROLL_ for (int j = 0; j < TN; j++) acc[i][j] = _mm256_fmadd_ps(d, x[j], acc[i][j]);
        }
    }
    WG_UNROLL_ for (int i = 0; i < TM; i++)
        if (i < mr)
            WG_UNROLL_ for (int j = 0; j < TN; j++)
                if (j < nr) {
                    float *c = &dweights[(size_t)(f0 + i) * pl->K + k0 + j];
                    *c = *c + nn_hsum256_(acc[i][j]);
                }
}

// Tiles of 4 or 6 filters by 2 weights: 12 accumulators at most, 2 input
// vectors, a dY vector and the blend's selector in the 16 registers; edge
// tiles run whole, as in run512_.
__attribute__((target("avx2,fma"))) static void run256_(const wg_plan_ *pl, const float *gy,
                                                        float *dweights) {
    const int F = pl->F;
    const int tm = (F + 5) / 6 * 6 - F < (F + 3) / 4 * 4 - F ? 6 : 4;
    for (int f0 = 0; f0 < F; f0 += tm) {
        const int mr = F - f0 < tm ? F - f0 : tm;
        for (int k0 = 0; k0 < pl->K; k0 += 2) {
            const int nr = pl->K - k0 < 2 ? pl->K - k0 : 2;
            if (tm == 6) tile256_(6, 2, pl, gy, f0, mr, k0, nr, dweights);
            else tile256_(4, 2, pl, gy, f0, mr, k0, nr, dweights);
        }
    }
}
#endif

bool nn_conv2d_wgrad_inplace(const nn_conv2d_geom *g, float *dweights, const float *gy,
                             const float *in, int batch, float *scratch) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (!nn_conv2d_wgrad_inplace_ok(g, batch)) return false;
    const int lanes = lanes_();
    wg_plan_ pl;
    {  // nn_conv2d_wgrad_scratch's words, laid out
        NN_PROFILE_BEGIN_();
        plan_(&pl, g, in, batch, scratch, lanes);
        NN_PROFILE_END_(NN_PART_IM2COL);  // the padded copy stands in for the columns
    }
    NN_PROFILE_BEGIN_();
    if (lanes == 16) run512_(&pl, gy, dweights);
    else run256_(&pl, gy, dweights);
    NN_PROFILE_END_(NN_PART_GEMM);
    return true;
#else
    (void)g, (void)dweights, (void)gy, (void)in, (void)batch, (void)scratch;
    return false;
#endif
}
