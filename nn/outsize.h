// outsize.h - the output-size formula of convolution and pooling, and the
// padding modes (valid, same, explicit), with validation that explains itself.
//
//   out = floor((n + p_lo + p_hi - d*(f - 1) - 1) / s) + 1
//
// With symmetric padding p this is the textbook floor((n + 2p - d(f-1) - 1)/s) + 1,
// and with d = 1 it is floor((n + 2p - f)/s) + 1.
#ifndef NN_OUTSIZE_H
#define NN_OUTSIZE_H

#include "status.h"

typedef enum nn_pad_mode {
    NN_PAD_EXPLICIT,  // p cells of zeros on every side
    NN_PAD_VALID,     // no padding
    NN_PAD_SAME,      // enough to give ceil(n / s) outputs; an odd total puts
                      // the extra cell at the bottom/right, as TensorFlow does
} nn_pad_mode;

// A padding request as a user writes it.
typedef struct nn_padding {
    nn_pad_mode mode;
    int p;  // cells per side, for NN_PAD_EXPLICIT
} nn_padding;

// The padding request for "p cells on every side".
nn_padding nn_padding_explicit(int p);

// One axis of a sliding window: all the numbers of the formula.
typedef struct nn_axis {
    int n;          // input size along this axis
    int f;          // kernel (window) size
    int stride;     // s >= 1
    int dilation;   // d >= 1 (1 for pooling)
    int pad_lo;     // zeros added before (top or left)
    int pad_hi;     // zeros added after (bottom or right)
    int out;        // the result of the formula
    int remainder;  // (n + p_lo + p_hi - d(f-1) - 1) mod s: cells the window never reaches
} nn_axis;

// Fills pad_lo and pad_hi of axis from the padding request, given n, f,
// stride and dilation. Checks the request (negative padding, bad stride).
// `what` names the axis in messages ("rows", "cols").
nn_status nn_padding_resolve(nn_axis *axis, nn_padding pad, const char *what,
                             nn_error *err);

// Computes axis->out and axis->remainder from n, f, stride, dilation and the
// resolved padding. Rejects empty input, a zero or negative stride or
// dilation, negative padding, a kernel larger than the padded input, and sizes
// that would overflow, with a sentence quoting the numbers.
nn_status nn_axis_solve(nn_axis *axis, const char *what, nn_error *err);

#endif
