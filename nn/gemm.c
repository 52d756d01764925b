// gemm.c - register-tiled matrix product with AVX-512, AVX2+FMA and scalar
// kernels chosen at run time. Tiles of MR rows by NR columns keep MR*NR/width
// accumulators in registers; k runs innermost-in-order for every element.
#include "gemm.h"
#include "profile.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include "hsum_x86.h"
#define NN_HAVE_X86 1
#else
#define NN_HAVE_X86 0
#endif

#define MR 6  // rows per tile

// The accumulators must live in registers: unroll the loops over tile rows
// and columns completely so the compiler can keep them there.
#define NN_PRAGMA_(x) _Pragma(#x)
#define NN_UNROLL NN_PRAGMA_(GCC unroll 8)

typedef void (*gemm_fn_)(int, int, int, const float *, int, const float *, int, float *, int, bool);

// A kernel chosen by nn_gemm_force_kernel (tests, CONVSTEP_KERNEL), or NULL for the best one.
static gemm_fn_ forced_ = NULL;
static void gemm_scalar_(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                         float *C, int ldc, bool accumulate);

// The instruction set every path (nn_gemm, row form, NT form) runs on: the
// forced kernel's, else the best this CPU has. Forcing "avx2" must keep every
// path off AVX-512, so a test or a student can see what a laptop without it runs.
typedef enum { KERNEL_SCALAR_, KERNEL_AVX2_, KERNEL_AVX512_ } kernel_isa_;
static kernel_isa_ active_isa_(void);

// ---- Scalar kernel ---------------------------------------------------------------------

// The scalar loops are written once, always inlined into a plain copy and, on
// x86, one compiled for FMA: there fmaf is one instruction instead of a call
// into libm (same bits: fmaf is exact either way). Picked per call.
#if NN_HAVE_X86
#define NN_SCALAR_FMA_ __attribute__((target("fma")))
#define NN_HAVE_FMA_ __builtin_cpu_supports("fma")
#else
#define NN_SCALAR_FMA_
#define NN_HAVE_FMA_ 0
#endif
#define NN_SCALAR_PAIR_(name, params, args)                                        \
    NN_SCALAR_FMA_ static void name##fma_ params { name##body_ args; }           \
    static void name##plain_ params { name##body_ args; }

__attribute__((always_inline)) static inline void gemm_scalar_body_(
    int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
    bool accumulate) {
    for (int m = 0; m < M; m++) {
        for (int n = 0; n < N; n++) {
            float acc = 0.0f;
            for (int k = 0; k < K; k++) acc = fmaf(A[(size_t)m * lda + k], B[(size_t)k * ldb + n], acc);
            float *c = &C[(size_t)m * ldc + n];
            *c = accumulate ? *c + acc : acc;
        }
    }
}
NN_SCALAR_PAIR_(gemm_scalar_,
                (int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                 int ldc, bool accumulate),
                (M, N, K, A, lda, B, ldb, C, ldc, accumulate))

static void gemm_scalar_(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                         float *C, int ldc, bool accumulate) {
    (NN_HAVE_FMA_ ? gemm_scalar_fma_ : gemm_scalar_plain_)(M, N, K, A, lda, B, ldb, C, ldc,
                                                           accumulate);
}

#if NN_HAVE_X86

// ---- AVX-512: tiles of up to 6 rows x 32 columns (12 accumulators) ------------------------

// One tile of mr rows by nr columns. Always inlined into a switch on a
// constant mr, so every instance keeps its accumulators in registers.
__attribute__((target("avx512f"), always_inline)) static inline void tile512_(
    const int mr, int nr, int K, const float *A, int lda, const float *B, int ldb, float *C,
    int ldc, bool accumulate) {
    const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF
                         : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1)
                                   : (__mmask16)0;
    __m512 c0[MR], c1[MR];
    NN_UNROLL for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm512_setzero_ps();
    for (int k = 0; k < K; k++) {
        const float *b = B + (size_t)k * ldb;
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
        const __m512 b1 = _mm512_maskz_loadu_ps(m1, b + 16);
        NN_UNROLL for (int i = 0; i < mr; i++) {
            const __m512 a = _mm512_set1_ps(A[(size_t)i * lda + k]);
            c0[i] = _mm512_fmadd_ps(a, b0, c0[i]);
            c1[i] = _mm512_fmadd_ps(a, b1, c1[i]);
        }
    }
    NN_UNROLL for (int i = 0; i < mr; i++) {
        float *c = C + (size_t)i * ldc;
        if (accumulate) {
            c0[i] = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, c), c0[i]);
            c1[i] = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, c + 16), c1[i]);
        }
        _mm512_mask_storeu_ps(c, m0, c0[i]);
        _mm512_mask_storeu_ps(c + 16, m1, c1[i]);
    }
}

__attribute__((target("avx512f"))) static void gemm_avx512_(int M, int N, int K, const float *A,
                                                            int lda, const float *B, int ldb,
                                                            float *C, int ldc, bool accumulate) {
    for (int m = 0; m < M; m += MR) {
        const float *a = A + (size_t)m * lda;
        for (int n = 0; n < N; n += 32) {
            const int nr = N - n < 32 ? N - n : 32;
            float *c = C + (size_t)m * ldc + n;
            switch (M - m < MR ? M - m : MR) {
            case 1: tile512_(1, nr, K, a, lda, B + n, ldb, c, ldc, accumulate); break;
            case 2: tile512_(2, nr, K, a, lda, B + n, ldb, c, ldc, accumulate); break;
            case 3: tile512_(3, nr, K, a, lda, B + n, ldb, c, ldc, accumulate); break;
            case 4: tile512_(4, nr, K, a, lda, B + n, ldb, c, ldc, accumulate); break;
            case 5: tile512_(5, nr, K, a, lda, B + n, ldb, c, ldc, accumulate); break;
            default: tile512_(MR, nr, K, a, lda, B + n, ldb, c, ldc, accumulate); break;
            }
        }
    }
}

// ---- AVX2 + FMA: tiles of up to 6 rows x 16 columns; the ragged right edge masked ---------

// The lanes below n, as an AVX2 load/store mask (none for n <= 0, all for n >= 8).
__attribute__((target("avx2"), always_inline)) static inline __m256i lanes256_(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// One tile; `masked` is a constant in every inlined instance, so full tiles
// keep plain loads. A masked lane loads 0 and is never stored: the lanes kept
// get the same fmadd sequence as a full tile.
__attribute__((target("avx2,fma"), always_inline)) static inline void tile256_(
    const int mr, const bool masked, __m256i m0, __m256i m1, int K, const float *A, int lda,
    const float *B, int ldb, float *C, int ldc, bool accumulate) {
    __m256 c0[MR], c1[MR];
    NN_UNROLL for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm256_setzero_ps();
    for (int k = 0; k < K; k++) {
        const float *b = B + (size_t)k * ldb;
        const __m256 b0 = masked ? _mm256_maskload_ps(b, m0) : _mm256_loadu_ps(b);
        const __m256 b1 = masked ? _mm256_maskload_ps(b + 8, m1) : _mm256_loadu_ps(b + 8);
        NN_UNROLL for (int i = 0; i < mr; i++) {
            const __m256 a = _mm256_broadcast_ss(&A[(size_t)i * lda + k]);
            c0[i] = _mm256_fmadd_ps(a, b0, c0[i]);
            c1[i] = _mm256_fmadd_ps(a, b1, c1[i]);
        }
    }
    NN_UNROLL for (int i = 0; i < mr; i++) {
        float *c = C + (size_t)i * ldc;
        if (masked) {
            if (accumulate) {
                c0[i] = _mm256_add_ps(_mm256_maskload_ps(c, m0), c0[i]);
                c1[i] = _mm256_add_ps(_mm256_maskload_ps(c + 8, m1), c1[i]);
            }
            _mm256_maskstore_ps(c, m0, c0[i]);
            _mm256_maskstore_ps(c + 8, m1, c1[i]);
        } else {
            if (accumulate) {
                c0[i] = _mm256_add_ps(_mm256_loadu_ps(c), c0[i]);
                c1[i] = _mm256_add_ps(_mm256_loadu_ps(c + 8), c1[i]);
            }
            _mm256_storeu_ps(c, c0[i]);
            _mm256_storeu_ps(c + 8, c1[i]);
        }
    }
}

// A column of tiles down all M rows, 16 columns wide (masked: the first n0
// and n1 lanes of its two halves).
__attribute__((target("avx2,fma"), always_inline)) static inline void tiles256_(
    const bool masked, int n0, int n1, int M, int K, const float *A, int lda, const float *B,
    int ldb, float *C, int ldc, bool accumulate) {
    const __m256i m0 = lanes256_(n0), m1 = lanes256_(n1);
    for (int m = 0; m < M; m += MR) {
        const float *a = A + (size_t)m * lda;
        float *c = C + (size_t)m * ldc;
        switch (M - m < MR ? M - m : MR) {
        case 1: tile256_(1, masked, m0, m1, K, a, lda, B, ldb, c, ldc, accumulate); break;
        case 2: tile256_(2, masked, m0, m1, K, a, lda, B, ldb, c, ldc, accumulate); break;
        case 3: tile256_(3, masked, m0, m1, K, a, lda, B, ldb, c, ldc, accumulate); break;
        case 4: tile256_(4, masked, m0, m1, K, a, lda, B, ldb, c, ldc, accumulate); break;
        case 5: tile256_(5, masked, m0, m1, K, a, lda, B, ldb, c, ldc, accumulate); break;
        default: tile256_(MR, masked, m0, m1, K, a, lda, B, ldb, c, ldc, accumulate); break;
        }
    }
}

__attribute__((target("avx2,fma"))) static void gemm_avx2_(int M, int N, int K, const float *A,
                                                           int lda, const float *B, int ldb,
                                                           float *C, int ldc, bool accumulate) {
    const int n_full = N / 16 * 16;
    for (int n = 0; n < n_full; n += 16)
        tiles256_(false, 8, 8, M, K, A, lda, B + n, ldb, C + n, ldc, accumulate);
    if (n_full < N)
        tiles256_(true, N - n_full, N - n_full - 8, M, K, A, lda, B + n_full, ldb, C + n_full,
                  ldc, accumulate);
}

// ---- One row of A (a single sample through a dense layer) --------------------------------

// With M = 1 a tile has one or two accumulators, each a chain of K dependent
// fmadds: the latency, not the throughput, sets the pace. These run up to
// ROW_VECS vectors of columns side by side instead: the same fmadd per lane,
// k in order, so the same bits.
#define ROW_VECS 8

// The lanes below n as an AVX-512 mask (none for n <= 0, all for n >= 16).
static __mmask16 lanes_(int n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1); }

__attribute__((target("avx512f"), always_inline)) static inline void row512_(
    const int nv, int N, int K, const float *A, const float *B, int ldb, float *C,
    bool accumulate) {
    __mmask16 m[ROW_VECS];
    __m512 c[ROW_VECS];
    NN_UNROLL for (int v = 0; v < ROW_VECS; v++) {
        m[v] = lanes_(N - 16 * v);
        c[v] = _mm512_setzero_ps();
    }
    for (int k = 0; k < K; k++) {
        const __m512 a = _mm512_set1_ps(A[k]);
        const float *b = B + (size_t)k * ldb;
        NN_UNROLL for (int v = 0; v < nv; v++)
            c[v] = _mm512_fmadd_ps(a, _mm512_maskz_loadu_ps(m[v], b + 16 * v), c[v]);
    }
    NN_UNROLL for (int v = 0; v < nv; v++) {
        if (accumulate) c[v] = _mm512_add_ps(_mm512_maskz_loadu_ps(m[v], C + 16 * v), c[v]);
        _mm512_mask_storeu_ps(C + 16 * v, m[v], c[v]);
    }
}

__attribute__((target("avx512f"))) static void gemm_row512_(int N, int K, const float *A,
                                                            const float *B, int ldb, float *C,
                                                            bool accumulate) {
    for (int n = 0; n < N; n += 16 * ROW_VECS) {
        const int left = N - n, nv = left >= 16 * ROW_VECS ? ROW_VECS : (left + 15) / 16;
        switch (nv) {
        case 1: row512_(1, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 2: row512_(2, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 3: row512_(3, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 4: row512_(4, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 5: row512_(5, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 6: row512_(6, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 7: row512_(7, left, K, A, B + n, ldb, C + n, accumulate); break;
        default: row512_(ROW_VECS, left, K, A, B + n, ldb, C + n, accumulate); break;
        }
    }
}

// As row512_ with 8 lanes a vector.
__attribute__((target("avx2,fma"), always_inline)) static inline void row256_(
    const int nv, int N, int K, const float *A, const float *B, int ldb, float *C,
    bool accumulate) {
    __m256i m[ROW_VECS];
    __m256 c[ROW_VECS];
    NN_UNROLL for (int v = 0; v < ROW_VECS; v++) {
        m[v] = lanes256_(N - 8 * v);
        c[v] = _mm256_setzero_ps();
    }
    for (int k = 0; k < K; k++) {
        const __m256 a = _mm256_broadcast_ss(A + k);
        const float *b = B + (size_t)k * ldb;
        NN_UNROLL for (int v = 0; v < nv; v++)
            c[v] = _mm256_fmadd_ps(a, _mm256_maskload_ps(b + 8 * v, m[v]), c[v]);
    }
    NN_UNROLL for (int v = 0; v < nv; v++) {
        if (accumulate) c[v] = _mm256_add_ps(_mm256_maskload_ps(C + 8 * v, m[v]), c[v]);
        _mm256_maskstore_ps(C + 8 * v, m[v], c[v]);
    }
}

__attribute__((target("avx2,fma"))) static void gemm_row256_(int N, int K, const float *A,
                                                             const float *B, int ldb, float *C,
                                                             bool accumulate) {
    for (int n = 0; n < N; n += 8 * ROW_VECS) {
        const int left = N - n, nv = left >= 8 * ROW_VECS ? ROW_VECS : (left + 7) / 8;
        switch (nv) {
        case 1: row256_(1, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 2: row256_(2, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 3: row256_(3, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 4: row256_(4, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 5: row256_(5, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 6: row256_(6, left, K, A, B + n, ldb, C + n, accumulate); break;
        case 7: row256_(7, left, K, A, B + n, ldb, C + n, accumulate); break;
        default: row256_(ROW_VECS, left, K, A, B + n, ldb, C + n, accumulate); break;
        }
    }
}

#endif  // NN_HAVE_X86

// ---- Row-pointer form (B's rows anywhere) -----------------------------------------------------

__attribute__((always_inline)) static inline void gemm_rows_scalar_body_(
    int M, int N, int K, const float *A, int lda, const float *const *rows, float *C, int ldc) {
    for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) {
            float acc = 0.0f;
            for (int k = 0; k < K; k++) acc = fmaf(A[(size_t)m * lda + k], rows[k][n], acc);
            C[(size_t)m * ldc + n] = acc;
        }
}
NN_SCALAR_PAIR_(gemm_rows_scalar_,
                (int M, int N, int K, const float *A, int lda, const float *const *rows, float *C,
                 int ldc),
                (M, N, K, A, lda, rows, C, ldc))

static void gemm_rows_scalar_(int M, int N, int K, const float *A, int lda,
                              const float *const *rows, float *C, int ldc) {
    (NN_HAVE_FMA_ ? gemm_rows_scalar_fma_ : gemm_rows_scalar_plain_)(M, N, K, A, lda, rows, C, ldc);
}

#if NN_HAVE_X86
// A tile of mr rows of C by two 16-lane halves: half 0 reads rows_a[k] + na
// into ca, half 1 reads rows_b[k] + nb into cb (two output rows of a narrow
// convolution, or the two halves of one wide row).
__attribute__((target("avx512f"), always_inline)) static inline void tile512_rows_(
    const int mr, __mmask16 m0, __mmask16 m1, int K, const float *A, int lda,
    const float *const *rows_a, int na, const float *const *rows_b, int nb, float *ca, float *cb,
    int ldc) {
    __m512 c0[MR], c1[MR];
    NN_UNROLL for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm512_setzero_ps();
    for (int k = 0; k < K; k++) {
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, rows_a[k] + na);
        const __m512 b1 = _mm512_maskz_loadu_ps(m1, rows_b[k] + nb);
        NN_UNROLL for (int i = 0; i < mr; i++) {
            const __m512 a = _mm512_set1_ps(A[(size_t)i * lda + k]);
            c0[i] = _mm512_fmadd_ps(a, b0, c0[i]);
            c1[i] = _mm512_fmadd_ps(a, b1, c1[i]);
        }
    }
    NN_UNROLL for (int i = 0; i < mr; i++) {
        _mm512_mask_storeu_ps(ca + (size_t)i * ldc, m0, c0[i]);
        _mm512_mask_storeu_ps(cb + (size_t)i * ldc, m1, c1[i]);
    }
}

__attribute__((target("avx512f"))) static void tiles512_rows_(
    int M, __mmask16 m0, __mmask16 m1, int K, const float *A, int lda, const float *const *ra,
    int na, const float *const *rb, int nb, float *ca, float *cb, int ldc) {
    for (int m = 0; m < M; m += MR) {
        const float *a = A + (size_t)m * lda;
        float *pa = ca + (size_t)m * ldc, *pb = cb + (size_t)m * ldc;
        switch (M - m < MR ? M - m : MR) {
        case 1: tile512_rows_(1, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        case 2: tile512_rows_(2, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        case 3: tile512_rows_(3, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        case 4: tile512_rows_(4, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        case 5: tile512_rows_(5, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        default: tile512_rows_(MR, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        }
    }
}

// ---- AVX2 + FMA row form: tiles of up to 6 rows x 16 columns (two 8-lane halves) ------------

// As tile512_rows_, with 8 lanes a half: the same fmadd per element, k in order.
__attribute__((target("avx2,fma"), always_inline)) static inline void tile256_rows_(
    const int mr, __m256i m0, __m256i m1, int K, const float *A, int lda,
    const float *const *rows_a, int na, const float *const *rows_b, int nb, float *ca, float *cb,
    int ldc) {
    __m256 c0[MR], c1[MR];
    NN_UNROLL for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm256_setzero_ps();
    for (int k = 0; k < K; k++) {
        const __m256 b0 = _mm256_maskload_ps(rows_a[k] + na, m0);
        const __m256 b1 = _mm256_maskload_ps(rows_b[k] + nb, m1);
        NN_UNROLL for (int i = 0; i < mr; i++) {
            const __m256 a = _mm256_set1_ps(A[(size_t)i * lda + k]);
            c0[i] = _mm256_fmadd_ps(a, b0, c0[i]);
            c1[i] = _mm256_fmadd_ps(a, b1, c1[i]);
        }
    }
    NN_UNROLL for (int i = 0; i < mr; i++) {
        _mm256_maskstore_ps(ca + (size_t)i * ldc, m0, c0[i]);
        _mm256_maskstore_ps(cb + (size_t)i * ldc, m1, c1[i]);
    }
}

// Lanes n0 of the first half and n1 of the second (at most 8 each) are computed.
__attribute__((target("avx2,fma"))) static void tiles256_rows_(
    int M, int n0, int n1, int K, const float *A, int lda, const float *const *ra, int na,
    const float *const *rb, int nb, float *ca, float *cb, int ldc) {
    const __m256i m0 = lanes256_(n0), m1 = lanes256_(n1);
    for (int m = 0; m < M; m += MR) {
        const float *a = A + (size_t)m * lda;
        float *pa = ca + (size_t)m * ldc, *pb = cb + (size_t)m * ldc;
        switch (M - m < MR ? M - m : MR) {
        case 1: tile256_rows_(1, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        case 2: tile256_rows_(2, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        case 3: tile256_rows_(3, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        case 4: tile256_rows_(4, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        case 5: tile256_rows_(5, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        default: tile256_rows_(MR, m0, m1, K, a, lda, ra, na, rb, nb, pa, pb, ldc); break;
        }
    }
}

#endif

static void gemm_rows_run_(int M, int N, int K, const float *A, int lda, const float *const *rows,
                           float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
#if NN_HAVE_X86
    const kernel_isa_ isa = active_isa_();
    if (isa == KERNEL_AVX512_) {
        for (int n = 0; n < N; n += 32)
            tiles512_rows_(M, lanes_(N - n), lanes_(N - n - 16), K, A, lda, rows, n, rows, n + 16,
                           C + n, C + n + 16, ldc);
        return;
    }
    if (isa == KERNEL_AVX2_) {
        for (int n = 0; n < N; n += 16)
            tiles256_rows_(M, N - n, N - n - 8, K, A, lda, rows, n, rows, n + 8, C + n, C + n + 8, ldc);
        return;
    }
#endif
    gemm_rows_scalar_(M, N, K, A, lda, rows, C, ldc);
}

static void gemm_rows_pair_run_(int M, int N, int K, const float *A, int lda,
                                const float *const *rows_a, const float *const *rows_b, float *Ca,
                                float *Cb, int ldc) {
    if (M <= 0 || N <= 0) return;
#if NN_HAVE_X86
    const kernel_isa_ isa = active_isa_();
    if (N <= 16 && isa == KERNEL_AVX512_) {
        tiles512_rows_(M, lanes_(N), rows_b ? lanes_(N) : 0, K, A, lda, rows_a, 0,
                       rows_b ? rows_b : rows_a, 0, Ca, rows_b ? Cb : Ca, ldc);
        return;
    }
    if (N <= 8 && isa == KERNEL_AVX2_) {
        tiles256_rows_(M, N, rows_b ? N : 0, K, A, lda, rows_a, 0,
                       rows_b ? rows_b : rows_a, 0, Ca, rows_b ? Cb : Ca, ldc);
        return;
    }
#endif
    gemm_rows_run_(M, N, K, A, lda, rows_a, Ca, ldc);
    if (rows_b) gemm_rows_run_(M, N, K, A, lda, rows_b, Cb, ldc);
}

// ---- Row form with the lanes along M (filters) -------------------------------------------

#if NN_HAVE_X86
#define NN_UNROLL_ALL NN_PRAGMA_(GCC unroll 16)
#define LT_MAX 12  // columns (output positions) per tile: one accumulator each

// Columns [0, nt) of rows m0 .. m0+16 (mask mm) of C = A x B(rows): accumulator
// t holds column t for 16 values of m side by side, k in order, one fmadd each.
__attribute__((target("avx512f"), always_inline)) static inline void tile512_lanes_m_(
    const int nt, __mmask16 mm, int K, const float *At, int ldat, const float *const *rows, size_t n0,
    float *buf) {
    __m512 c[LT_MAX];
    NN_UNROLL_ALL for (int t = 0; t < LT_MAX; t++) c[t] = _mm512_setzero_ps();
    for (int k = 0; k < K; k++) {
        const __m512 a = _mm512_maskz_loadu_ps(mm, At + (size_t)k * ldat);
        const float *b = rows[k] + n0;
        NN_UNROLL_ALL for (int t = 0; t < nt; t++) c[t] = _mm512_fmadd_ps(_mm512_set1_ps(b[t]), a, c[t]);
    }
    NN_UNROLL_ALL for (int t = 0; t < nt; t++) _mm512_storeu_ps(buf + 16 * t, c[t]);
}

__attribute__((target("avx512f"))) static void gemm_rows_lanes_m512_(
    int M, int N, int K, const float *At, int ldat, const float *const *rows, size_t off, float *C,
    int ldc) {
    float buf[16 * LT_MAX];
    for (int m = 0; m < M; m += 16) {
        const int mr = M - m < 16 ? M - m : 16;
        const __mmask16 mm = lanes_(mr);
        for (int n = 0; n < N; n += LT_MAX) {
            const int nt = N - n < LT_MAX ? N - n : LT_MAX;
            switch (nt) {
            case 1: tile512_lanes_m_(1, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 2: tile512_lanes_m_(2, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 3: tile512_lanes_m_(3, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 4: tile512_lanes_m_(4, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 5: tile512_lanes_m_(5, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 6: tile512_lanes_m_(6, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 7: tile512_lanes_m_(7, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 8: tile512_lanes_m_(8, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 9: tile512_lanes_m_(9, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 10: tile512_lanes_m_(10, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 11: tile512_lanes_m_(11, mm, K, At + m, ldat, rows, off + n, buf); break;
            default: tile512_lanes_m_(LT_MAX, mm, K, At + m, ldat, rows, off + n, buf); break;
            }
            for (int i = 0; i < mr; i++)
                for (int t = 0; t < nt; t++) C[(size_t)(m + i) * ldc + n + t] = buf[16 * t + i];
        }
    }
}

// As tile512_lanes_m_ with 8 lanes of m.
__attribute__((target("avx2,fma"), always_inline)) static inline void tile256_lanes_m_(
    const int nt, __m256i mm, int K, const float *At, int ldat, const float *const *rows, size_t n0,
    float *buf) {
    __m256 c[LT_MAX];
    NN_UNROLL_ALL for (int t = 0; t < LT_MAX; t++) c[t] = _mm256_setzero_ps();
    for (int k = 0; k < K; k++) {
        const __m256 a = _mm256_maskload_ps(At + (size_t)k * ldat, mm);
        const float *b = rows[k] + n0;
        NN_UNROLL_ALL for (int t = 0; t < nt; t++)
            c[t] = _mm256_fmadd_ps(_mm256_broadcast_ss(b + t), a, c[t]);
    }
    NN_UNROLL_ALL for (int t = 0; t < nt; t++) _mm256_storeu_ps(buf + 8 * t, c[t]);
}

__attribute__((target("avx2,fma"))) static void gemm_rows_lanes_m256_(
    int M, int N, int K, const float *At, int ldat, const float *const *rows, size_t off, float *C,
    int ldc) {
    float buf[8 * LT_MAX];
    for (int m = 0; m < M; m += 8) {
        const int mr = M - m < 8 ? M - m : 8;
        const __m256i mm = lanes256_(mr);
        for (int n = 0; n < N; n += LT_MAX) {
            const int nt = N - n < LT_MAX ? N - n : LT_MAX;
            switch (nt) {
            case 1: tile256_lanes_m_(1, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 2: tile256_lanes_m_(2, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 3: tile256_lanes_m_(3, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 4: tile256_lanes_m_(4, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 5: tile256_lanes_m_(5, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 6: tile256_lanes_m_(6, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 7: tile256_lanes_m_(7, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 8: tile256_lanes_m_(8, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 9: tile256_lanes_m_(9, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 10: tile256_lanes_m_(10, mm, K, At + m, ldat, rows, off + n, buf); break;
            case 11: tile256_lanes_m_(11, mm, K, At + m, ldat, rows, off + n, buf); break;
            default: tile256_lanes_m_(LT_MAX, mm, K, At + m, ldat, rows, off + n, buf); break;
            }
            for (int i = 0; i < mr; i++)
                for (int t = 0; t < nt; t++) C[(size_t)(m + i) * ldc + n + t] = buf[8 * t + i];
        }
    }
}
#endif

int nn_gemm_rows_t_lanes(void) {
    switch (active_isa_()) {
    case KERNEL_AVX512_: return 16;
    case KERNEL_AVX2_: return 8;
    default: return 0;
    }
}

bool nn_gemm_rows_t(int M, int N, int K, const float *At, int ldat, const float *const *rows,
                    size_t off, float *C, int ldc) {
    if (M <= 0 || N <= 0) return true;
#if NN_HAVE_X86
    NN_PROFILE_BEGIN_();
    const kernel_isa_ isa = active_isa_();
    if (isa == KERNEL_AVX512_) gemm_rows_lanes_m512_(M, N, K, At, ldat, rows, off, C, ldc);
    else if (isa == KERNEL_AVX2_) gemm_rows_lanes_m256_(M, N, K, At, ldat, rows, off, C, ldc);
    NN_PROFILE_END_(NN_PART_GEMM);
    if (isa == KERNEL_AVX512_ || isa == KERNEL_AVX2_) return true;
#endif
    (void)At, (void)ldat, (void)rows, (void)off, (void)C, (void)ldc, (void)K;
    return false;
}

// ---- Dot-product form (A times B transposed) ----------------------------------------------

__attribute__((always_inline)) static inline void gemm_nt_scalar_body_(
    int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
    bool accumulate) {
    for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) {
            float acc = 0.0f;
            for (int k = 0; k < K; k++) acc = fmaf(A[(size_t)m * lda + k], B[(size_t)n * ldb + k], acc);
            float *c = &C[(size_t)m * ldc + n];
            *c = accumulate ? *c + acc : acc;
        }
}
NN_SCALAR_PAIR_(gemm_nt_scalar_,
                (int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                 int ldc, bool accumulate),
                (M, N, K, A, lda, B, ldb, C, ldc, accumulate))

static void gemm_nt_scalar_(int M, int N, int K, const float *A, int lda, const float *B,
                            int ldb, float *C, int ldc, bool accumulate) {
    (NN_HAVE_FMA_ ? gemm_nt_scalar_fma_ : gemm_nt_scalar_plain_)(M, N, K, A, lda, B, ldb, C, ldc,
                                                                 accumulate);
}

#if NN_HAVE_X86
// One tile of TM rows of A by TN rows of B (TM x TN accumulators along k),
// the first mr rows of A real (the rest multiply zeros and are not stored).
// TM and TN are constants in every inlined instance, so the accumulators stay
// in registers: 6 x 4 takes 24 of the 32, the 6 rows of A 6 more, B one at a time.
__attribute__((target("avx512f"), always_inline)) static inline void nt512_tile_(
    const int TM, const int TN, int mr, int K, const float *A, int lda, const float *B, int ldb,
    float *C, int ldc, bool accumulate) {
    __m512 acc[6][4];
    NN_UNROLL for (int i = 0; i < TM; i++)
        NN_UNROLL for (int j = 0; j < TN; j++) acc[i][j] = _mm512_setzero_ps();
    for (int k = 0; k < K; k += 16) {
        const __mmask16 mask = K - k >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (K - k)) - 1);
        __m512 a[6];
        NN_UNROLL for (int i = 0; i < TM; i++)
            a[i] = i < mr ? _mm512_maskz_loadu_ps(mask, A + (size_t)i * lda + k) : _mm512_setzero_ps();
        NN_UNROLL for (int j = 0; j < TN; j++) {
            const __m512 b = _mm512_maskz_loadu_ps(mask, B + (size_t)j * ldb + k);
            NN_UNROLL for (int i = 0; i < TM; i++) acc[i][j] = _mm512_fmadd_ps(a[i], b, acc[i][j]);
        }
    }
    NN_UNROLL for (int i = 0; i < TM; i++)
        if (i < mr)
            NN_UNROLL for (int j = 0; j < TN; j++) {
                float *c = &C[(size_t)i * ldc + j];
                const float v = _mm512_reduce_add_ps(acc[i][j]);
                *c = accumulate ? *c + v : v;
            }
}

// Tiles of 4 or 6 rows of A, whichever leaves fewer rows idle at the edge
// (LeNet-5's conv1 weight gradient has 6: one tile of 6 instead of 4 + 2 of
// which 2 idle), by up to 4 rows of B (the edge tile only as wide as it is).
// Each element's lanes get the same fmadds either way: the same bits.
__attribute__((target("avx512f"))) static void gemm_nt_avx512_(int M, int N, int K,
                                                               const float *A, int lda,
                                                               const float *B, int ldb, float *C,
                                                               int ldc, bool accumulate) {
    const int tm = (M + 5) / 6 * 6 - M < (M + 3) / 4 * 4 - M ? 6 : 4;
    for (int m = 0; m < M; m += tm) {
        const int mr = M - m < tm ? M - m : tm;
        const float *a = A + (size_t)m * lda;
        for (int n = 0; n < N; n += 4) {
            const int nr = N - n < 4 ? N - n : 4;
            const float *b = B + (size_t)n * ldb;
            float *c = C + (size_t)m * ldc + n;
#define NT512_CASE_(TM, TN) \
    case TM * 8 + TN: nt512_tile_(TM, TN, mr, K, a, lda, b, ldb, c, ldc, accumulate); break;
            switch (tm * 8 + nr) {
                NT512_CASE_(4, 1) NT512_CASE_(4, 2) NT512_CASE_(4, 3) NT512_CASE_(4, 4)
                NT512_CASE_(6, 1) NT512_CASE_(6, 2) NT512_CASE_(6, 3) default: NT512_CASE_(6, 4)
            }
#undef NT512_CASE_
        }
    }
}

// ---- AVX2 + FMA dot-product form: 8 lanes along k ------------------------------------------


// Tiles of 3 rows of A by 4 rows of B: 12 accumulators, 3 loads of A and one
// of B in the 16 ymm registers. Element k of a dot product goes into lane
// k % 8 of the k / 8-th fmadd; the ragged end of k is loaded masked (the
// missing lanes get 0 * 0 added, as in the AVX-512 kernel).
#define NT2_MR 3
#define NT2_NR 4
__attribute__((target("avx2,fma"))) static void gemm_nt_avx2_(int M, int N, int K, const float *A,
                                                              int lda, const float *B, int ldb,
                                                              float *C, int ldc, bool accumulate) {
    const int k_full = K / 8 * 8;
    const __m256i tail = lanes256_(K - k_full);
    for (int m = 0; m < M; m += NT2_MR) {
        const int mr = M - m < NT2_MR ? M - m : NT2_MR;
        const float *a_row[NT2_MR];
        for (int i = 0; i < NT2_MR; i++) a_row[i] = A + (size_t)(m + (i < mr ? i : 0)) * lda;
        for (int n = 0; n < N; n += NT2_NR) {
            const int nr = N - n < NT2_NR ? N - n : NT2_NR;
            const float *b_row[NT2_NR];
            for (int j = 0; j < NT2_NR; j++) b_row[j] = B + (size_t)(n + (j < nr ? j : 0)) * ldb;
            __m256 acc[NT2_MR][NT2_NR];
            NN_UNROLL for (int i = 0; i < NT2_MR; i++)
                NN_UNROLL for (int j = 0; j < NT2_NR; j++) acc[i][j] = _mm256_setzero_ps();
            // Rows past the edge repeat row 0 of the tile: computed, never stored.
            for (int k = 0; k < k_full; k += 8) {
                __m256 a[NT2_MR];
                NN_UNROLL for (int i = 0; i < NT2_MR; i++) a[i] = _mm256_loadu_ps(a_row[i] + k);
                NN_UNROLL for (int j = 0; j < NT2_NR; j++) {
                    const __m256 b = _mm256_loadu_ps(b_row[j] + k);
                    NN_UNROLL for (int i = 0; i < NT2_MR; i++)
                        acc[i][j] = _mm256_fmadd_ps(a[i], b, acc[i][j]);
                }
            }
            if (k_full < K) {
                __m256 a[NT2_MR];
                NN_UNROLL for (int i = 0; i < NT2_MR; i++)
                    a[i] = _mm256_maskload_ps(a_row[i] + k_full, tail);
                NN_UNROLL for (int j = 0; j < NT2_NR; j++) {
                    const __m256 b = _mm256_maskload_ps(b_row[j] + k_full, tail);
                    NN_UNROLL for (int i = 0; i < NT2_MR; i++)
                        acc[i][j] = _mm256_fmadd_ps(a[i], b, acc[i][j]);
                }
            }
            for (int i = 0; i < mr; i++)
                for (int j = 0; j < nr; j++) {
                    float *c = &C[(size_t)(m + i) * ldc + n + j];
                    const float v = nn_hsum256_(acc[i][j]);
                    *c = accumulate ? *c + v : v;
                }
        }
    }
}
#endif

static void gemm_nt_run_(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                         float *C, int ldc, bool accumulate) {
    if (M <= 0 || N <= 0) return;
#if NN_HAVE_X86
    switch (active_isa_()) {
    case KERNEL_AVX512_: gemm_nt_avx512_(M, N, K, A, lda, B, ldb, C, ldc, accumulate); return;
    case KERNEL_AVX2_: gemm_nt_avx2_(M, N, K, A, lda, B, ldb, C, ldc, accumulate); return;
    default: break;
    }
#endif
    gemm_nt_scalar_(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

// ---- One element of nn_gemm_nt in scalar code ------------------------------------------

// The lanes of the kernel nn_gemm_nt picks (the same choice as in nn_gemm_nt).
static int nt_lanes_(void) {
    switch (active_isa_()) {
    case KERNEL_AVX512_: return 16;
    case KERNEL_AVX2_: return 8;
    default: return 1;
    }
}

void nn_gemm_nt_acc_init(nn_gemm_nt_acc *acc) {
    memset(acc, 0, sizeof *acc);
    acc->lanes = nt_lanes_();
}

int nn_gemm_nt_acc_add(nn_gemm_nt_acc *acc, float a, float b) {
    // gemm_nt_avx512_ / gemm_nt_avx2_: element k of the dot product is in
    // lane k % lanes of the k / lanes-th fmadd.
    const int lane = acc->k % acc->lanes;
    acc->lane[lane] = fmaf(a, b, acc->lane[lane]);
    acc->k++;
    return lane;
}

float nn_gemm_nt_acc_sum(const nn_gemm_nt_acc *acc) {
    if (acc->lanes == 1) return acc->lane[0];
    float l[16];
    memcpy(l, acc->lane, sizeof l);
    // The kernels load the ragged end of k masked: the lanes past it get one
    // more fmadd of 0 * 0 (it turns a -0 lane into +0, nothing else).
    if (acc->k % acc->lanes != 0)
        for (int i = acc->k % acc->lanes; i < acc->lanes; i++) l[i] = fmaf(0.0f, 0.0f, l[i]);
    // Then the lanes are halved until one is left, the upper half added onto
    // the lower: for 16 lanes that is _mm512_reduce_add_ps as GCC defines it
    // (avx512fintrin.h: 8 onto 8, 4 onto 4, then (0+2) + (1+3)); for 8 it is
    // nn_hsum256_ (hsum_x86.h). A change to either kernel's reduction must change this too:
    // test_grad and test_conv_backstep check the two bit for bit.
    for (int w = acc->lanes / 2; w >= 1; w /= 2)
        for (int i = 0; i < w; i++) l[i] = l[i] + l[i + w];
    return l[0];
}

// ---- Dispatch ---------------------------------------------------------------------------------


static gemm_fn_ pick_(const char **name) {
#if NN_HAVE_X86
    if (__builtin_cpu_supports("avx512f")) {
        *name = "avx512";
        return gemm_avx512_;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        *name = "avx2";
        return gemm_avx2_;
    }
#endif
    *name = "scalar";
    return gemm_scalar_;
}

void nn_gemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
             int ldc, bool accumulate) {
    if (M <= 0 || N <= 0) return;
    NN_PROFILE_BEGIN_();
    const char *name;
    gemm_fn_ fn = forced_ ? forced_ : pick_(&name);
#if NN_HAVE_X86
    if (M == 1 && fn == gemm_avx512_) fn = NULL, gemm_row512_(N, K, A, B, ldb, C, accumulate);
    else if (M == 1 && fn == gemm_avx2_) fn = NULL, gemm_row256_(N, K, A, B, ldb, C, accumulate);
#endif
    if (fn) fn(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    NN_PROFILE_END_(NN_PART_GEMM);
}

// The public row and NT forms: the kernels above, timed when a profile is active.
void nn_gemm_rows(int M, int N, int K, const float *A, int lda, const float *const *rows,
                  float *C, int ldc) {
    NN_PROFILE_BEGIN_();
    gemm_rows_run_(M, N, K, A, lda, rows, C, ldc);
    NN_PROFILE_END_(NN_PART_GEMM);
}

void nn_gemm_rows_pair(int M, int N, int K, const float *A, int lda, const float *const *rows_a,
                       const float *const *rows_b, float *Ca, float *Cb, int ldc) {
    NN_PROFILE_BEGIN_();
    gemm_rows_pair_run_(M, N, K, A, lda, rows_a, rows_b, Ca, Cb, ldc);
    NN_PROFILE_END_(NN_PART_GEMM);
}

void nn_gemm_nt(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                int ldc, bool accumulate) {
    NN_PROFILE_BEGIN_();
    gemm_nt_run_(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    NN_PROFILE_END_(NN_PART_GEMM);
}

static kernel_isa_ active_isa_(void) {
    const char *name;
    const gemm_fn_ fn = forced_ ? forced_ : pick_(&name);
#if NN_HAVE_X86
    if (fn == gemm_avx512_) return KERNEL_AVX512_;
    if (fn == gemm_avx2_) return KERNEL_AVX2_;
#endif
    (void)fn;
    return KERNEL_SCALAR_;
}

const char *nn_gemm_kernel_name(void) {
    switch (active_isa_()) {
    case KERNEL_AVX512_: return "avx512";
    case KERNEL_AVX2_: return "avx2";
    default: return "scalar";
    }
}

bool nn_gemm_force_kernel(const char *name) {
    if (!name) {
        forced_ = NULL;
        return true;
    }
    if (strcmp(name, "scalar") == 0) {
        forced_ = gemm_scalar_;
        return true;
    }
#if NN_HAVE_X86
    if (strcmp(name, "avx512") == 0 && __builtin_cpu_supports("avx512f")) {
        forced_ = gemm_avx512_;
        return true;
    }
    if (strcmp(name, "avx2") == 0 && __builtin_cpu_supports("avx2") &&
        __builtin_cpu_supports("fma")) {
        forced_ = gemm_avx2_;
        return true;
    }
#endif
    return false;
}
