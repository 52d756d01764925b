// nn_internal.h - helpers shared by the engine's files, not part of its API.
#ifndef NN_INTERNAL_H
#define NN_INTERNAL_H

#include <stddef.h>

// 1 if input coordinate (y, x) lies outside an h x w plane, i.e. in the zero
// padding around it (darknet's im2col_get_pixel makes the same test).
static inline int nn_is_padding_(int y, int x, int h, int w) {
    return y < 0 || x < 0 || y >= h || x >= w;
}

// Compiles a function for AVX-512, AVX2 and plain x86-64, picked when the
// program starts: short copy loops are then vectorised on any CPU.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NN_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NN_VECTOR_CLONES
#endif

struct nn_conv2d_geom;
// One sample's windows as columns: col [window][ld], ld >= out_h * out_w (conv2d.c).
void nn_conv2d_im2col_(const struct nn_conv2d_geom *g, const float *in, float *col, size_t ld);

#endif
