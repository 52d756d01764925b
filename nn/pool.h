// pool.h - max and average pooling over each channel separately: the batch
// pass (which keeps the max's winners for backward and for the highlight) and
// the stepper, both built on one core.
//
// Padding: a max ignores padded cells (PyTorch pads with -infinity); an
// average counts them as zeros and divides by the full window (PyTorch's
// default count_include_pad). Padding may be at most half the window, so every
// window holds at least one real cell.
#ifndef NN_POOL_H
#define NN_POOL_H

#include <stdbool.h>

#include "outsize.h"
#include "status.h"

typedef enum nn_pool_mode { NN_POOL_MAX, NN_POOL_AVG } nn_pool_mode;

// What a pooling layer is asked to do.
typedef struct nn_pool_config {
    nn_pool_mode mode;
    int c, in_h, in_w;    // input feature map (C, H, W)
    int size_h, size_w;   // window rows, columns
    int stride;           // >= 1 (callers default it to the window size)
    int pad;              // zeros on every side, 0 <= pad <= size / 2
} nn_pool_config;

// The resolved geometry.
typedef struct nn_pool_geom {
    nn_pool_config cfg;
    nn_axis rows, cols;  // formula numbers per axis
    int out_h, out_w;
    int window;          // size_h * size_w
} nn_pool_geom;

// Checks a configuration and computes the output size.
nn_status nn_pool_geom_init(nn_pool_geom *g, const nn_pool_config *cfg, nn_error *err);

// Batch forward pass.
//   out    [batch][c][out_h][out_w]
//   argmax [batch][c][out_h][out_w] index y * in_w + x of each max in its input
//          plane (max pooling only; NULL if not wanted)
//   in     [batch][c][in_h][in_w]
void nn_pool_forward(const nn_pool_geom *g, float *out, int *argmax, const float *in,
                     int batch);

// ---- The backward core ----------------------------------------------------

// Routes one output element's gradient dy back into its input plane
// dx [in_h][in_w] (added to, so overlapping windows sum): for a max, all of
// it to the window's winner `argmax` (y * in_w + x, as nn_pool_forward records
// it: the first of equal maxima); for an average, dy / window to each real
// cell of the window (a padded cell counted in the average has no input to
// receive its share). The one routing nn_pool_backward (grad.h) does, cell by
// cell, so a stepper that calls it adds the same bits. Returns the share each
// receiving cell got (dy for a max).
float nn_pool_backward_cell(const nn_pool_geom *g, float *dx, float dy, int oy, int ox, int argmax);

// Max pooling whose windows do not overlap (stride >= size_h and >= size_w,
// any padding): writes the whole input gradient din [batch][c][in_h][in_w]
// from dout and argmax as nn_pool_backward's zeroing plus nn_pool_backward_cell
// per element would, bit for bit, without a call per element (nn_pool_backward's
// fast path). False, writing nothing, for averages and overlapping windows.
bool nn_pool_backward_max_disjoint(const nn_pool_geom *g, float *din, const float *dout,
                                   const int *argmax, int batch);

// ---- The stepper -----------------------------------------------------------

// One output element of one channel, with the window that made it.
typedef struct nn_pool_step {
    int index;                    // position in visiting order, from 0
    int channel, row, col;        // the output element
    int origin_row, origin_col;   // window's top-left, in padded coordinates
    int count;                    // cells in the window (size_h * size_w)
    const float *window;          // [count] values, 0 where padded
    const unsigned char *padded;  // [count] 1 where the cell is padding
    const int *in_row, *in_col;   // [count] input coordinates (may be outside)
    const float *running;         // [count] running max (max) or running sum (avg)
    float sum;                    // avg: the window's sum; max: the value
    int divisor;                  // avg: cells divided by (count); max: 1
    float value;                  // the output
    int argmax;                   // max: winner's index in the window; avg: -1
    int argmax_row, argmax_col;   // max: winner's input coordinates; avg: -1
} nn_pool_step;

// Walks one sample's output elements in row-major order, channel by channel.
typedef struct nn_pool_cursor {
    const nn_pool_geom *g;
    const float *in;  // one sample
    int next, total;
    float *fbuf;          // window, running: 2 * window floats
    unsigned char *mask;  // [window]
    int *coords;          // in_row, in_col: 2 * window ints
} nn_pool_cursor;

// Starts a cursor at the first output element.
nn_status nn_pool_cursor_init(nn_pool_cursor *cur, const nn_pool_geom *g, const float *in,
                              nn_error *err);
// Fills *step with the next output element; false when all have been visited.
bool nn_pool_step_next(nn_pool_cursor *cur, nn_pool_step *step);
// Fills *step with element `index` and continues after it; false if out of range.
bool nn_pool_step_at(nn_pool_cursor *cur, int index, nn_pool_step *step);
// Frees the cursor's buffers.
void nn_pool_cursor_destroy(nn_pool_cursor *cur);

#endif
