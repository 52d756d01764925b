// conv2d_dinput.c - the convolution's input gradient for stride 1, read
// straight from dL/dY: no column-gradient matrix, no col2im.
//
//   dX[ch][y][x] = sum over the taps (ky, kx) that read (y, x), in that order,
//                  of (an fmaf chain over filters, from 0, of w[f][ch][ky][kx] * dY[f][oy][ox])
//
// These are the additions nn_gemm(weights transposed, dY) followed by col2im
// makes (and the stepper's input_cell_ shows), in the same order, so the bits
// are the same; the column matrix they went through (window x positions
// floats per sample, 1.9 MB a batch for LeNet-5's conv(16,5)) is never written.
// The vector kernels put input columns x side by side in the lanes and keep
// several channels' chains in flight, since the channels share every dY load;
// the scalar kernel keeps the column product.
#include <string.h>

#include "conv2d.h"
#include "gemm.h"
#include "profile.h"

// The chains must live in registers: unroll the loops over channels completely.
#define DINPUT_PRAGMA_(x) _Pragma(#x)
#define DINPUT_UNROLL_ DINPUT_PRAGMA_(GCC unroll 8)

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DINPUT_X86_ 1
#else
#define DINPUT_X86_ 0
#endif

#if DINPUT_X86_

// Everything the loops need, resolved once per call.
typedef struct dinput_geom_ {
    int C, H, W;         // input channels, rows, cols
    int F, OH, OW, P;    // filters, output rows, cols, positions
    int KH, KW, KK, d;   // kernel rows, cols, taps per channel, dilation
    int pr, pc;          // padding before the first row, column
} dinput_geom_;

static dinput_geom_ dinput_geom_of_(const nn_conv2d_geom *g) {
    const nn_conv2d_config *c = &g->cfg;
    return (dinput_geom_){.C = c->in_c, .H = c->in_h, .W = c->in_w, .F = c->filters,
                          .OH = g->out_h, .OW = g->out_w, .P = g->out_h * g->out_w,
                          .KH = c->k_h, .KW = c->k_w, .KK = c->k_h * c->k_w, .d = c->dilation,
                          .pr = g->rows.pad_lo, .pc = g->cols.pad_lo};
}

// The input columns [x0, x0 + 16) whose tap kx reads an output column inside
// [0, OW): x + pc - kx*d in [0, OW), and x < W.
static unsigned dinput_lanes_(const dinput_geom_ *q, int x0, int kx, int width) {
    int lo = kx * q->d - q->pc - x0, hi = lo + q->OW;
    const int end = q->W - x0 < width ? q->W - x0 : width;
    if (lo < 0) lo = 0;
    if (hi > end) hi = end;
    if (hi <= lo) return 0u;
    return ((1u << hi) - 1u) & ~((1u << lo) - 1u);
}

// ---- AVX-512: 16 input columns per vector, up to 8 channels' chains at once ---------------

#define DINPUT_CB512_ 8
__attribute__((target("avx512f"), always_inline)) static inline void dinput_rows512_(
    const int cb, const dinput_geom_ *q, float *dx, const float *dy, const float *w, int c0,
    int x0) {
    const __mmask16 keep = (__mmask16)(q->W - x0 >= 16 ? 0xFFFFu : (1u << (q->W - x0)) - 1u);
    for (int y = 0; y < q->H; y++) {
        __m512 total[DINPUT_CB512_];
        DINPUT_UNROLL_ for (int i = 0; i < DINPUT_CB512_; i++) total[i] = _mm512_setzero_ps();
        for (int ky = 0; ky < q->KH; ky++) {
            const int oy = y + q->pr - ky * q->d;
            if (oy < 0 || oy >= q->OH) continue;
            for (int kx = 0; kx < q->KW; kx++) {
                const __mmask16 m = (__mmask16)dinput_lanes_(q, x0, kx, 16);
                if (!m) continue;  // no column here is read by this tap
                // Lane j reads dY[f][oy][x0 + j + pc - kx*d]; lanes outside m load 0 and
                // are never added.
                const float *g = dy + (size_t)oy * q->OW + (x0 + q->pc - kx * q->d);
                const float *wk = w + ((size_t)c0 * q->KH + ky) * q->KW + kx;
                __m512 tap[DINPUT_CB512_];
                DINPUT_UNROLL_ for (int i = 0; i < DINPUT_CB512_; i++) tap[i] = _mm512_setzero_ps();
                for (int f = 0; f < q->F; f++) {
                    const __m512 v = _mm512_maskz_loadu_ps(m, g + (size_t)f * q->P);
                    const float *wf = wk + (size_t)f * q->C * q->KK;
                    DINPUT_UNROLL_ for (int i = 0; i < cb; i++)
                        tap[i] = _mm512_fmadd_ps(_mm512_set1_ps(wf[(size_t)i * q->KK]), v, tap[i]);
                }
                DINPUT_UNROLL_ for (int i = 0; i < cb; i++) total[i] = _mm512_mask_add_ps(total[i], m, total[i], tap[i]);
            }
        }
        DINPUT_UNROLL_ for (int i = 0; i < cb; i++)
            _mm512_mask_storeu_ps(dx + ((size_t)(c0 + i) * q->H + y) * q->W + x0, keep, total[i]);
    }
}

__attribute__((target("avx512f"))) static void dinput_avx512_(const dinput_geom_ *q, float *dx,
                                                              const float *dy, const float *w) {
    for (int x0 = 0; x0 < q->W; x0 += 16)
        for (int c0 = 0; c0 < q->C; c0 += DINPUT_CB512_) {
            // A constant channel count per instance keeps the chains in registers.
            switch (q->C - c0 < DINPUT_CB512_ ? q->C - c0 : DINPUT_CB512_) {
            case 1: dinput_rows512_(1, q, dx, dy, w, c0, x0); break;
            case 2: dinput_rows512_(2, q, dx, dy, w, c0, x0); break;
            case 3: dinput_rows512_(3, q, dx, dy, w, c0, x0); break;
            case 4: dinput_rows512_(4, q, dx, dy, w, c0, x0); break;
            case 5: dinput_rows512_(5, q, dx, dy, w, c0, x0); break;
            case 6: dinput_rows512_(6, q, dx, dy, w, c0, x0); break;
            case 7: dinput_rows512_(7, q, dx, dy, w, c0, x0); break;
            default: dinput_rows512_(8, q, dx, dy, w, c0, x0); break;
            }
        }
}

// ---- AVX2 + FMA: 8 input columns per vector, up to 6 channels' chains at once -------------

#define DINPUT_CB256_ 6
__attribute__((target("avx2,fma"), always_inline)) static inline __m256i dinput_mask256_(unsigned m) {
    const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)m), bit), bit);
}

__attribute__((target("avx2,fma"), always_inline)) static inline void dinput_rows256_(
    const int cb, const dinput_geom_ *q, float *dx, const float *dy, const float *w, int c0,
    int x0) {
    const unsigned keep_bits = q->W - x0 >= 8 ? 0xFFu : (1u << (q->W - x0)) - 1u;
    const __m256i keep = dinput_mask256_(keep_bits);
    for (int y = 0; y < q->H; y++) {
        __m256 total[DINPUT_CB256_];
        DINPUT_UNROLL_ for (int i = 0; i < DINPUT_CB256_; i++) total[i] = _mm256_setzero_ps();
        for (int ky = 0; ky < q->KH; ky++) {
            const int oy = y + q->pr - ky * q->d;
            if (oy < 0 || oy >= q->OH) continue;
            for (int kx = 0; kx < q->KW; kx++) {
                const unsigned bits = dinput_lanes_(q, x0, kx, 8);
                if (!bits) continue;
                const __m256i m = dinput_mask256_(bits);
                const float *g = dy + (size_t)oy * q->OW + (x0 + q->pc - kx * q->d);
                const float *wk = w + ((size_t)c0 * q->KH + ky) * q->KW + kx;
                __m256 tap[DINPUT_CB256_];
                DINPUT_UNROLL_ for (int i = 0; i < DINPUT_CB256_; i++) tap[i] = _mm256_setzero_ps();
                for (int f = 0; f < q->F; f++) {
                    const __m256 v = _mm256_maskload_ps(g + (size_t)f * q->P, m);
                    const float *wf = wk + (size_t)f * q->C * q->KK;
                    DINPUT_UNROLL_ for (int i = 0; i < cb; i++)
                        tap[i] = _mm256_fmadd_ps(_mm256_broadcast_ss(wf + (size_t)i * q->KK), v, tap[i]);
                }
                // Only the lanes the tap reaches are added (as col2im adds only those).
                DINPUT_UNROLL_ for (int i = 0; i < cb; i++)
                    total[i] = _mm256_blendv_ps(total[i], _mm256_add_ps(total[i], tap[i]),
                                                _mm256_castsi256_ps(m));
            }
        }
        DINPUT_UNROLL_ for (int i = 0; i < cb; i++)
            _mm256_maskstore_ps(dx + ((size_t)(c0 + i) * q->H + y) * q->W + x0, keep, total[i]);
    }
}

__attribute__((target("avx2,fma"))) static void dinput_avx2_(const dinput_geom_ *q, float *dx,
                                                             const float *dy, const float *w) {
    for (int x0 = 0; x0 < q->W; x0 += 8)
        for (int c0 = 0; c0 < q->C; c0 += DINPUT_CB256_) {
            switch (q->C - c0 < DINPUT_CB256_ ? q->C - c0 : DINPUT_CB256_) {
            case 1: dinput_rows256_(1, q, dx, dy, w, c0, x0); break;
            case 2: dinput_rows256_(2, q, dx, dy, w, c0, x0); break;
            case 3: dinput_rows256_(3, q, dx, dy, w, c0, x0); break;
            case 4: dinput_rows256_(4, q, dx, dy, w, c0, x0); break;
            case 5: dinput_rows256_(5, q, dx, dy, w, c0, x0); break;
            default: dinput_rows256_(6, q, dx, dy, w, c0, x0); break;
            }
        }
}
#endif

bool nn_conv2d_dinput_s1_(const nn_conv2d_geom *g, float *dx, const float *dy,
                          const float *weights, int batch) {
#if DINPUT_X86_
    // The channels' chains are what keeps the FMA units busy: with fewer than 4
    // they wait on each other's latency, and the column product was faster
    // (1 channel of 28x28, measured); so was it on the scalar kernel.
    if (g->cfg.stride != 1 || g->cfg.in_c < 4) return false;
    // The kernel nn_gemm runs now (CONVSTEP_KERNEL forces it): the same bits either way.
    void (*run)(const dinput_geom_ *, float *, const float *, const float *);
    const char *isa = nn_gemm_kernel_name();
    if (strcmp(isa, "avx512") == 0) run = dinput_avx512_;
    else if (strcmp(isa, "avx2") == 0) run = dinput_avx2_;
    else return false;
    NN_PROFILE_BEGIN_();
    const dinput_geom_ q = dinput_geom_of_(g);
    const size_t in_size = (size_t)q.C * q.H * q.W, out_size = (size_t)q.F * q.P;
    for (int n = 0; n < batch; n++) run(&q, dx + (size_t)n * in_size, dy + (size_t)n * out_size, weights);
    NN_PROFILE_END_(NN_PART_GEMM);
    return true;
#else
    (void)g, (void)dx, (void)dy, (void)weights, (void)batch;
    return false;
#endif
}
