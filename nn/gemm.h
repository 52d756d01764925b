// gemm.h - the one matrix product the engine's fast paths are built on.
//
//   C[m][n] = sum over k of A[m][k] * B[k][n]   (or C += that sum)
//
// Every element is accumulated in order of k, starting from 0, one fused
// multiply-add (fmaf) at a time: exactly what the scalar cores of conv2d.c and
// dense.c do for one output element. The vector kernels (AVX-512, AVX2 with
// FMA) run many elements side by side, each lane still in order of k, so every
// path gives the same bits as the scalar core; tests check it.
#ifndef NN_GEMM_H
#define NN_GEMM_H

#include <stdbool.h>
#include <stddef.h>

// C (M x N, row stride ldc) = or += A (M x K, row stride lda) times
// B (K x N, row stride ldb). With accumulate, the sum is formed from 0 and
// then added to C.
void nn_gemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
             int ldc, bool accumulate);

// The same product with B given as one pointer per row: rows[k] points at
// B[k][0..N). Convolution uses it to read the input's rows in place instead
// of copying every window into a matrix first. C = A x B (no accumulate),
// every element in order of k exactly as nn_gemm.
void nn_gemm_rows(int M, int N, int K, const float *A, int lda, const float *const *rows,
                  float *C, int ldc);

// Two such products that share A, Ca = A x B(rows_a) and Cb = A x B(rows_b),
// side by side in the vector lanes when N <= 16 (narrow convolution rows).
// rows_b may be NULL (then Cb is not written).
void nn_gemm_rows_pair(int M, int N, int K, const float *A, int lda, const float *const *rows_a,
                       const float *const *rows_b, float *Ca, float *Cb, int ldc);

// nn_gemm_rows with the vector lanes along M instead of N: At is A transposed,
// At[k * ldat + m] = A[m][k], and C[m][n] = sum over k of A[m][k] * rows[k][off + n],
// every element in order of k (the same bits as nn_gemm_rows). For few short
// columns and many rows, as a convolution's filters over one short output row;
// off moves every row pointer at once (to the next output row).
// False (nothing written) when only the scalar kernel runs: use nn_gemm_rows.
bool nn_gemm_rows_t(int M, int N, int K, const float *At, int ldat, const float *const *rows,
                    size_t off, float *C, int ldc);
// The lanes along M nn_gemm_rows_t fills at once (16, 8), 0 when it has no kernel.
int nn_gemm_rows_t_lanes(void);

// C (M x N) = or += A (M x K) times B (N x K) transposed: C[m][n] is the dot
// product of row m of A and row n of B. For gradients: lanes run along k and
// are summed at the end (nn_gemm_nt_acc below reproduces one element).
void nn_gemm_nt(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                int ldc, bool accumulate);

// One element of nn_gemm_nt, worked out in plain scalar code with the same
// bits as the kernel nn_gemm_nt runs here: the convolution's backward stepper
// (conv2d_backstep.c) shows a weight's gradient summed exactly as training
// sums it. Products go round-robin into `lanes` partial sums (16 when the
// AVX-512 kernel runs, 8 for AVX2: lane i % lanes, one fmaf each, in order of
// i; 1 for the scalar kernel). The lanes past the last product of a ragged end
// get 0 * 0 added (the kernels' masked loads); then the upper half of the
// lanes is added onto the lower half until one is left, as
// _mm512_reduce_add_ps does for 16.
typedef struct nn_gemm_nt_acc {
    float lane[16];
    int lanes;  // 16, 8 or 1
    int k;      // products added so far
} nn_gemm_nt_acc;
void nn_gemm_nt_acc_init(nn_gemm_nt_acc *acc);
// Adds a * b (one fmaf into its lane); returns the lane it went into.
int nn_gemm_nt_acc_add(nn_gemm_nt_acc *acc, float a, float b);
// The element: the lanes added up (before nn_gemm_nt's optional += into C).
float nn_gemm_nt_acc_sum(const nn_gemm_nt_acc *acc);

// Which kernel every path (nn_gemm, the row and NT forms) runs now: "avx512",
// "avx2" or "scalar" (the forced one, else the best this CPU has).
const char *nn_gemm_kernel_name(void);

// Forces a kernel on every path ("avx512", "avx2", "scalar"): tests, and the
// program's CONVSTEP_KERNEL (read in app/, never here). False if this CPU
// cannot run it or the name is unknown. NULL restores the automatic choice.
// Not between a training forward pass and its backward: whether the forward
// keeps the windows' columns for backward depends on the kernel
// (conv2d_wgrad.h).
bool nn_gemm_force_kernel(const char *name);

#endif
