// conv2d_wgrad.h - a convolution's weight gradient at stride 1, read from a
// zero-padded copy of the batch's input instead of from its column matrix.
//
// The gradient of weight k of filter f is a dot product over every output
// position of the batch: dY[f] against column k of the windows (im2col).
// Training used to write those columns in the forward pass (25 values per
// position for LeNet-5's first layer: 2.5 MB a batch of 32) only for this
// product to read them once. Here each vector of 16 (or 8) consecutive
// positions of column k is loaded straight from the padded input, one masked
// load per output row it touches, so no column is written.
//
// Same bits: every lane gets the same products, in the same order, from the
// same values (the padding's zeros included) as nn_gemm_nt over the columns
// (gemm.h: lane i % lanes, then the lanes added up the same way), so the
// result equals nn_conv2d_backward_batch's from the columns and the
// backward stepper's nn_gemm_nt_acc; tests check it on every kernel.
#ifndef NN_CONV2D_WGRAD_H
#define NN_CONV2D_WGRAD_H

#include <stdbool.h>
#include <stddef.h>

#include "conv2d.h"

// True when nn_conv2d_wgrad_inplace does the work for this geometry and
// batch: stride 1, a vector kernel running (AVX-512 or AVX2 with FMA), output
// rows wide enough that a vector of positions touches at most 3 of them.
bool nn_conv2d_wgrad_inplace_ok(const nn_conv2d_geom *g, int batch);

// dweights [filters][window] += the sum over every position i of the batch of
// gy[f][i] * column k at i, for the batch's input in [batch][in_c][in_h][in_w]
// and gy [filters][batch * out_h * out_w]. scratch holds
// nn_conv2d_wgrad_scratch(g, batch) floats. False, with nothing written, when
// nn_conv2d_wgrad_inplace_ok is false.
bool nn_conv2d_wgrad_inplace(const nn_conv2d_geom *g, float *dweights, const float *gy,
                             const float *in, int batch, float *scratch);
size_t nn_conv2d_wgrad_scratch(const nn_conv2d_geom *g, int batch);

#endif
