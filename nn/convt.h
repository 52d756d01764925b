// convt.h - transposed convolution ("deconvolution", PyTorch's ConvTranspose2d,
// Keras's Conv2DTranspose): several input channels, several filters, bias,
// stride, padding, output padding and dilation; the batch forward pass, the
// backward pass and the stepper that the front-end animates, the last two
// built on the same arithmetic core as the forward pass.
//
// What it computes, as a scatter: every input cell (c, iy, ix) stamps its
// value times the kernel of channel c onto every filter's output map, the
// stamp's top-left at (iy*s - p, ix*s - p), its taps d cells apart; stamps
// that overlap add up; taps that land outside the output (cropped by the
// padding) add nothing. Every output cell starts at its filter's bias.
//
//   out[f][iy*s - p + ky*d][ix*s - p + kx*d] += in[c][iy][ix] * w[c][f][ky][kx]
//
// Output size, per axis (n input cells, k kernel taps, stride s, padding p,
// output padding a, dilation d):
//
//   out = (n - 1)s - 2p + d(k - 1) + a + 1
//
// The stamps cover full = (n - 1)s + d(k - 1) + 1 cells; padding crops p of
// them on each side, and output padding adds a cells at the bottom/right
// (which pick up the taps that land there, else only the bias). It picks one
// of the max(s, d) input sizes that an ordinary convolution with the same s,
// p, d and k maps onto n outputs, so a < max(s, d).
//
// Exactly PyTorch's ConvTranspose2d (groups 1) with the same weights:
//
//   weights [in_c][filters][k_h][k_w]   PyTorch's layout: ConvTranspose2d.weight
//                                       is (in_channels, out_channels, kH, kW),
//                                       channels first, where conv2d's is
//                                       [filters][in_c][k_h][k_w]
//
// Keras stores Conv2DTranspose kernels as (kH, kW, filters, in_c), and counts
// the same k_h*k_w*in_c*filters weights plus one bias per filter.
#ifndef NN_CONVT_H
#define NN_CONVT_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

// What a transposed convolution is asked to do.
typedef struct nn_convt_config {
    int in_c, in_h, in_w;  // input feature map (C, H, W)
    int filters;           // output channels F
    int k_h, k_w;          // kernel rows, columns
    int stride;            // s >= 1, the same along rows and columns
    int padding;           // p >= 0: cells cropped from each side of the stamps' extent
    int out_pad;           // a >= 0, a < max(s, d): cells added at the bottom and right
    int dilation;          // d >= 1: gaps between kernel taps
} nn_convt_config;

// One axis with every number of the output-size formula.
typedef struct nn_convt_axis {
    int n;         // input size along this axis
    int f;         // kernel size
    int stride;    // s
    int dilation;  // d
    int pad;       // p, cropped on each side
    int out_pad;   // a, added after (bottom or right)
    int full;      // (n - 1)s + d(f - 1) + 1: the cells the stamps cover, before cropping
    int out;       // full - 2p + a = (n - 1)s - 2p + d(f - 1) + a + 1
} nn_convt_axis;

// The resolved geometry: everything the loops need, checked once.
typedef struct nn_convt_geom {
    nn_convt_config cfg;
    nn_convt_axis rows, cols;
    int out_h, out_w;  // = rows.out, cols.out
    int taps;          // filters * k_h * k_w: the products one input cell makes
} nn_convt_geom;

// Checks a configuration and works out the output size. Rejects empty
// inputs and kernels, strides and dilations below 1, negative padding or
// output padding, an output padding not below max(stride, dilation), an
// output of fewer than 1 cell (too much padding), sizes above NN_MAX_AXIS and
// buffers above NN_MAX_ELEMENTS, each with a sentence that quotes the numbers.
nn_status nn_convt_geom_init(nn_convt_geom *g, const nn_convt_config *cfg, nn_error *err);

// The output-size formula in letters, as messages and the CLI print it.
#define NN_CONVT_FORMULA "(n - 1)s - 2p + d(k - 1) + a + 1"

// The formula with one axis's numbers and its result, into buf:
// "(3 - 1)*2 - 2*1 + 1*(3 - 1) + 1 + 1 = 6". Works for any numbers the
// checks let through and for the ones they refuse (a negative result).
void nn_convt_formula_text(const nn_convt_axis *a, char *buf, int size);

// Batch forward pass (the core for every input cell, in the stepper's order).
//   out     [batch][filters][out_h][out_w]
//   in      [batch][in_c][in_h][in_w]
//   weights [in_c][filters][k_h][k_w]
//   bias    [filters], or NULL for none
void nn_convt_forward(const nn_convt_geom *g, float *out, const float *in, const float *weights,
                      const float *bias, int batch);

// Backward pass, from dout = dL/d(out). Parameter gradients are ADDED to (as
// in grad.h); the input gradient is overwritten.
//   dout     [batch][filters][out_h][out_w]   in [batch][in_c][in_h][in_w]
//   dweights [in_c][filters][k_h][k_w] (+=)   dbias [filters] (+=, or NULL)
//   din      [batch][in_c][in_h][in_w] (=, or NULL when not needed)
// din[c][iy][ix] is the sum over the cell's landed taps of dout at the tap's
// output cell times its weight: an ordinary convolution of dout.
void nn_convt_backward(const nn_convt_geom *g, float *din, float *dweights, float *dbias,
                       const float *dout, const float *in, const float *weights, int batch);

// ---- The stepper -----------------------------------------------------------

// One input cell and the stamp it makes. Tap k is filter k / (k_h*k_w),
// kernel row k / k_w % k_h, kernel column k % k_w: the order the core visits
// them in. Arrays point into the cursor and stay valid until its next call.
typedef struct nn_convt_step {
    int index;                     // position in visiting order, from 0
    int channel, row, col;         // the input cell
    float value;                   // its value
    int count;                     // taps: filters * k_h * k_w
    int landed;                    // taps inside the output (the contributions)
    const int *out_row, *out_col;  // [count] the output cell tap k lands on (may be outside)
    const unsigned char *cropped;  // [count] 1 where the tap falls outside the output:
                                   // cropped by the padding, nothing is added
    const float *weights;          // [count] w[channel][filter][ky][kx]
    const float *products;         // [count] value * weight (shown for cropped taps too)
    const float *after;            // [count] the output cell once the product is added
                                   // (the cursor's map then); 0 for a cropped tap
} nn_convt_step;

// Walks the input cells of one sample in row-major order, channel by channel,
// and builds the output the way the forward pass does: `out` starts at the
// bias and each step adds its stamp, so after the last step it equals
// nn_convt_forward's output bit for bit.
typedef struct nn_convt_cursor {
    const nn_convt_geom *g;
    const float *in, *weights, *bias;  // one sample, all weights, bias or NULL
    int next;    // index of the input cell the next call yields
    int total;   // in_c * in_h * in_w
    float *out;  // [filters][out_h][out_w]: the bias plus the stamps of steps 0 .. next-1
    float *fbuf;            // weights, products, after: 3 * taps floats
    unsigned char *mask;    // [taps]
    int *coords;            // out_row, out_col: 2 * taps ints
} nn_convt_cursor;

// Starts a cursor before the first input cell (out = the bias); the geometry
// and the arrays must outlive it. NN_ERR_NOMEM if its buffers cannot be
// allocated.
nn_status nn_convt_cursor_init(nn_convt_cursor *cur, const nn_convt_geom *g, const float *in,
                               const float *weights, const float *bias, nn_error *err);
// Stamps the next input cell into cur->out and describes it in *step; false
// when all have been visited.
bool nn_convt_step_next(nn_convt_cursor *cur, nn_convt_step *step);
// Makes cur->out what it is after steps 0 .. index (replaying them from the
// bias when index is not the next one: the same bits as stepping there),
// fills *step with step `index`, and continues after it; false if index is
// out of range (nothing changes then).
bool nn_convt_step_at(nn_convt_cursor *cur, int index, nn_convt_step *step);
// Frees the cursor's buffers.
void nn_convt_cursor_destroy(nn_convt_cursor *cur);

#endif
