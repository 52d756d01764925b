// conv2d.h - 2-D convolution (cross-correlation, as in every deep-learning
// library): several input channels, several filters, bias, zero padding,
// stride and dilation; the batch forward pass and the stepper that the
// front-end animates, both built on one arithmetic core.
#ifndef NN_CONV2D_H
#define NN_CONV2D_H

#include <stdbool.h>
#include <stddef.h>

#include "outsize.h"
#include "status.h"

// What a convolution layer is asked to do.
typedef struct nn_conv2d_config {
    int in_c, in_h, in_w;  // input feature map (C, H, W)
    int filters;           // output channels
    int k_h, k_w;          // kernel rows, columns
    int stride;            // >= 1, the same along rows and columns
    int dilation;          // >= 1: gaps between kernel taps
    nn_padding padding;    // valid, same or explicit p
} nn_conv2d_config;

// The resolved geometry: everything the loops need, checked once.
typedef struct nn_conv2d_geom {
    nn_conv2d_config cfg;
    nn_axis rows, cols;  // formula numbers per axis (padding, out, remainder)
    int out_h, out_w;    // = rows.out, cols.out
    int window;          // in_c * k_h * k_w: values under one window
} nn_conv2d_geom;

// Checks a configuration and resolves its padding and output size.
nn_status nn_conv2d_geom_init(nn_conv2d_geom *g, const nn_conv2d_config *cfg, nn_error *err);

// Batch forward pass.
//   out     [batch][filters][out_h][out_w]
//   in      [batch][in_c][in_h][in_w]
//   weights [filters][in_c][k_h][k_w]
//   bias    [filters], or NULL for none
void nn_conv2d_forward(const nn_conv2d_geom *g, float *out, const float *in,
                       const float *weights, const float *bias, int batch);

// The same pass with caller-provided scratch of nn_conv2d_col_size(g) floats
// (training calls this every batch and keeps the scratch).
void nn_conv2d_forward_ws(const nn_conv2d_geom *g, float *out, const float *in,
                          const float *weights, const float *bias, int batch, float *col);
// Floats of scratch one sample's windows need: window * out_h * out_w.
size_t nn_conv2d_col_size(const nn_conv2d_geom *g);

// The whole batch through one matrix product (what training uses): every
// window of every sample as a column of col [window][batch * out_h * out_w],
// kept for the backward pass, and tmp [filters][batch * out_h * out_w] scratch.
// The same arithmetic, in the same order, as the core. Without keep_columns
// (backward reads the input in place: conv2d_wgrad.h) col is written only
// when this pass needs it for its own product.
void nn_conv2d_forward_batch(const nn_conv2d_geom *g, float *out, const float *in,
                             const float *weights, const float *bias, int batch, float *col,
                             bool keep_columns, float *tmp);

// True convolution (`conv --flip`): the kernels rotated 180 degrees, so a
// cross-correlation with them is the mathematical convolution with the kernels
// as given. out[p][r][c] = in[p][k_h-1-r][k_w-1-c] for each of `planes`
// kernels (filters x channels). Its own inverse (also turns a gradient of the
// rotated kernels back into one of the kernels as given). out != in.
void nn_kernel_rotate180(float *out, const float *in, int planes, int k_h, int k_w);

// ---- For the engine's files ----------------------------------------------------
// The passes the layer table (layer_kinds.c) and the gradients (grad.c) call:
// declared here, next to their definitions, so nn_internal.h need not know
// conv2d's types and nothing includes its way back into conv2d.

// Stride 1 only (false otherwise, doing nothing): reads every window's rows in
// place from a zero-padded copy of each sample, no window copies, the same
// arithmetic in the same order as the core. scratch holds
// nn_conv2d_rows_scratch(g) floats. The fastest pass for a few samples.
bool nn_conv2d_forward_rows(const nn_conv2d_geom *g, float *out, const float *in,
                            const float *weights, const float *bias, int batch, float *scratch);
size_t nn_conv2d_rows_scratch(const nn_conv2d_geom *g);
// The same pass keeping the weights rearranged for it in `cache` (of
// nn_conv2d_weights_cache_size(g) floats, zeroed before the first call) from
// call to call. Each call checks the weights it is given against the ones the
// cache was made from, bit for bit, and remakes it when they differ: a cache
// is never stale, whoever changed the parameters. The same bits as without.
bool nn_conv2d_forward_rows_cached(const nn_conv2d_geom *g, float *out, const float *in,
                                   const float *weights, const float *bias, int batch,
                                   float *scratch, float *cache);
size_t nn_conv2d_weights_cache_size(const nn_conv2d_geom *g);

// One sample's windows as columns: col [window][ld], ld >= out_h * out_w.
void nn_conv2d_im2col_(const nn_conv2d_geom *g, const float *in, float *col, size_t ld);

// The input gradient of stride 1 straight from dL/dY (conv2d_dinput.c), for
// grad.c: dx [batch][in_c][in_h][in_w] overwritten from dy
// [batch][filters][out_h][out_w], the same bits as the column-matrix product
// and col2im. False (nothing written) for another stride, fewer than 4 input
// channels or the scalar kernel: then the column product is the faster one.
bool nn_conv2d_dinput_s1_(const nn_conv2d_geom *g, float *dx, const float *dy,
                          const float *weights, int batch);

// ---- The stepper -----------------------------------------------------------

// One output element, with everything that went into it. Arrays are indexed
// in the order the core visits them: channel, then kernel row, then column.
// They point into the cursor and stay valid until its next call.
typedef struct nn_conv2d_step {
    int index;                    // position in visiting order, from 0
    int filter, row, col;         // the output element
    int origin_row, origin_col;   // window's top-left, in padded coordinates
    int count;                    // values in the window (in_c * k_h * k_w)
    const float *window;          // [count] input values, 0 where padded
    const unsigned char *padded;  // [count] 1 where the cell is padding
    const int *in_row, *in_col;   // [count] input coordinates (may be outside)
    const float *weights;         // [count]
    const float *products;        // [count] window * weight
    const float *running;         // [count] running sum after each product
    float bias;                   // 0 when the layer has none
    float sum;                    // the output: running[count - 1] + bias
} nn_conv2d_step;

// Walks the output elements of one sample (batch item) in row-major order,
// filter by filter. Owns the step record's buffers.
typedef struct nn_conv2d_cursor {
    const nn_conv2d_geom *g;
    const float *in, *weights, *bias;  // one sample, all filters, bias or NULL
    int next;   // index of the element the next call yields
    int total;  // filters * out_h * out_w
    float *fbuf;          // window, weights, products, running: 4 * window floats
    unsigned char *mask;  // [window]
    int *coords;          // in_row, in_col: 2 * window ints
} nn_conv2d_cursor;

// Starts a cursor at the first output element; the geometry and the arrays
// must outlive it. NN_ERR_NOMEM if its buffers cannot be allocated.
nn_status nn_conv2d_cursor_init(nn_conv2d_cursor *cur, const nn_conv2d_geom *g,
                                const float *in, const float *weights, const float *bias,
                                nn_error *err);
// Fills *step with the next output element; false when all have been visited.
bool nn_conv2d_step_next(nn_conv2d_cursor *cur, nn_conv2d_step *step);
// Fills *step with element `index` (for stepping back or jumping) and makes
// the cursor continue after it; false if index is out of range.
bool nn_conv2d_step_at(nn_conv2d_cursor *cur, int index, nn_conv2d_step *step);
// Frees the cursor's buffers.
void nn_conv2d_cursor_destroy(nn_conv2d_cursor *cur);

#endif
