// conv_infer.h - convolution for inference (one digit in the draw view, on
// every stroke) that leaves out what is zero: a handwritten digit is ~80%
// background, so the rows above and below it and the columns beside it are
// all zero, and the outputs whose windows see only zeros are just the bias.
//
// The same bits as the core (and so as training's forward): every output is
// 0, then one fused multiply-add per tap in order of the window, then + bias.
// A tap whose input is +-0 adds +-0 * w, which is +-0 when w is finite, and
// the sum is never -0 (it starts at +0, and a rounded sum is -0 only when both
// addends are), so leaving such taps out changes no bit. It is used only when
// every weight is finite (checked on every call; a NaN or an infinity times 0
// is NaN, which must show).
#ifndef NN_CONV_INFER_H
#define NN_CONV_INFER_H

#include <stdbool.h>

#include "conv2d.h"

// The direct form (output rows of 17 to 32 columns: LeNet-5's
// conv(6,5,pad=2)) over only the band of rows and columns where the input is
// not zero, the rest set to 0 + bias. Stride 1, no dilation, AVX-512 or
// AVX2+FMA active (nn_gemm_kernel_name), finite weights; false (nothing
// written) otherwise. scratch: nn_conv2d_rows_scratch(g) floats.
bool nn_conv_infer_banded(const nn_conv2d_geom *g, float *out, const float *in,
                          const float *weights, const float *bias, int batch, float *scratch);

#endif
