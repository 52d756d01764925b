// hsum_x86.h - the one order in which the AVX2 dot-product kernels add up
// their 8 lanes (gemm.c's nn_gemm_nt, conv2d_wgrad.c), so both give the same
// bits; nn_gemm_nt_acc_sum repeats it in scalar code. Include only inside an
// x86 (__x86_64__, GCC or Clang) block.
#ifndef NN_HSUM_X86_H
#define NN_HSUM_X86_H

#include <immintrin.h>

// The 8 lanes of v added up: the upper 4 onto the lower 4, then 2 onto 2, then
// lane 0 + lane 1, i.e. (l0+l4 + l2+l6) + (l1+l5 + l3+l7). Change
// nn_gemm_nt_acc_sum (gemm.c) together with it.
__attribute__((target("avx2,fma"), always_inline)) static inline float nn_hsum256_(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#endif
