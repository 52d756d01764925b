// nn_internal.h - helpers shared by the engine's files, not part of its API.
//
// Only inline functions and macros live here, so this header includes nothing
// and no module is reached through it: a function defined in a module is
// declared in that module's own header (nn_error_set in status.h,
// nn_shape_flat and nn_checked_mul3 in tensor.h, the conv2d passes in
// conv2d.h, under "For the engine's files"). Declaring them here made
// status.c and tensor.c include a header that includes them back: a cycle.
#ifndef NN_INTERNAL_H
#define NN_INTERNAL_H

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

#endif
