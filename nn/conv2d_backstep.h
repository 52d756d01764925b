// conv2d_backstep.h - the backward pass of one convolution, one gradient cell
// at a time: for every weight, input value and bias, the products of dL/dY
// with what met it in the forward pass, and their sum. One core per gradient
// cell, shared by the stepper and the reference loops of nn_conv2d_backward
// (grad.c); it sums in the order training's GEMM path does, so its values are
// the bits nn_conv2d_backward_batch computes for one sample (a test checks it).
//
//   dL/dW[f][c][ky][kx] = sum over output positions (oy,ox) of
//                         x[c][oy*s - pad + ky*d][ox*s - pad + kx*d] * dY[f][oy][ox]
//   dL/dX[c][y][x]      = sum over the taps (ky,kx) that read (y,x), and over
//                         filters f, of w[f][c][ky][kx] * dY[f][oy][ox]
//                         (dY convolved with the flipped kernel, 'full' padding)
//   dL/db[f]            = sum over output positions of dY[f][oy][ox]
#ifndef NN_CONV2D_BACKSTEP_H
#define NN_CONV2D_BACKSTEP_H

#include <stdbool.h>

#include "conv2d.h"
#include "status.h"

typedef enum nn_backstep_of {
    NN_BACKSTEP_KERNEL,  // dL/dW[filter][channel][row][col]
    NN_BACKSTEP_INPUT,   // dL/dX[channel][row][col]
    NN_BACKSTEP_BIAS,    // dL/db[filter]
} nn_backstep_of;

// One product of a gradient cell: dL/dY at an output position times the
// value that met it there (an input value for a weight, a weight for an input
// value, 1 for a bias), with where both came from.
typedef struct nn_backstep_term {
    int filter, out_row, out_col;  // dY's map and position
    int channel, k_row, k_col;     // the kernel tap that linked them
    int in_row, in_col;            // the input cell the tap read (may be padding)
    bool padded;                   // that cell is padding: factor 0
    float factor;                  // x (kernel cells), w (input cells), 1 (bias)
    float dy;                      // dL/dY[filter][out_row][out_col]
    float product;                 // factor * dy, rounded to float (shown)
    int group;                     // the partial sum it is added into
    float partial;                 // that partial sum right after it (what the core holds)
} nn_backstep_term;

// How a cell's products are added up, exactly as training adds them:
//   kernel: nn_gemm_nt's order: round-robin into `groups` lanes (16 with
//           AVX-512, 8 with AVX2, else 1), one fmaf each, then the lanes pairwise
//           (nn_gemm_nt_acc_sum); value = 0 + that.
//   input:  one group per kernel tap that reached the cell, in order of
//           (row, col): an fmaf chain over filters from 0 (nn_gemm's order),
//           the groups then added one by one to 0 (col2im).
//   bias:   one group, plain additions from 0 in row-major order; value = 0 + that.
typedef struct nn_backstep {
    int index;               // position in visiting order: kernel cells, input cells, bias
    nn_backstep_of of;
    int filter, channel;     // the cell (filter unused for input, channel for bias: -1)
    int row, col;            // the cell's position in the kernel or input (bias: -1)
    int count;               // products
    const nn_backstep_term *terms;  // [count], valid until the cursor's next call
    int groups;              // partial sums
    const float *group_sums; // [groups]
    float value;             // the gradient
} nn_backstep;

// Walks one sample's gradient cells: every weight (filter, channel, row, col
// in row-major order), every input value (channel, row, col), every bias.
typedef struct nn_backstep_cursor {
    const nn_conv2d_geom *g;
    const float *in, *weights, *dout;  // one sample, all filters, dL/dY [filters][out_h][out_w]
    bool has_bias;  // false: no bias cells are visited
    int next, total;
    nn_backstep_term *terms;  // room for the largest cell
    float *sums;
} nn_backstep_cursor;

nn_status nn_backstep_cursor_init(nn_backstep_cursor *cur, const nn_conv2d_geom *g,
                                  const float *in, const float *weights, const float *dout,
                                  bool has_bias, nn_error *err);
bool nn_backstep_next(nn_backstep_cursor *cur, nn_backstep *step);
// Fills *step with cell `index` and makes the cursor continue after it.
bool nn_backstep_at(nn_backstep_cursor *cur, int index, nn_backstep *step);
void nn_backstep_cursor_destroy(nn_backstep_cursor *cur);

// Every gradient of one sample through the core (no products kept): what the
// stepper's values are, cell by cell. din [in_c][in_h][in_w] and dweights
// [filters][window] are overwritten; dbias [filters] too, or NULL.
void nn_backstep_all(const nn_conv2d_geom *g, float *din, float *dweights, float *dbias,
                     const float *dout, const float *in, const float *weights);

// ---- For the engine's files (grad.c's reference loops) ------------------------------
// The core, one cell, no trace: the sums before training's "+=" into a
// zeroed (or accumulating) gradient. The input cell's value is complete.
float nn_backstep_kernel_dot_(const nn_conv2d_geom *g, const float *in, const float *dout, int f,
                              int k);
float nn_backstep_input_cell_(const nn_conv2d_geom *g, const float *weights, const float *dout,
                              int ch, int y, int x);
float nn_backstep_bias_sum_(const nn_conv2d_geom *g, const float *dout, int f);

#endif
