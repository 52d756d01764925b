// view_backprop.h - what the backpropagation view's state, texts and layout
// (view_backprop.c) and its renderer (view_backprop_render.c) share: the
// phases of its steps, the grids it shows and what is filled in on them, the
// words under the grids and the legend's keys. No SDL.
//
// One step is one gradient cell, as the engine's backward stepper
// (nn/conv2d_backstep.h) visits them: every weight (dL/dW), every input
// value (dL/dX), the bias (dL/db); then one SGD update of each weight.
#ifndef APP_VIEW_BACKPROP_H
#define APP_VIEW_BACKPROP_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"
#include "ui_kit.h"

typedef enum bp_phase { BP_PHASE_DW, BP_PHASE_DX, BP_PHASE_DB, BP_PHASE_SGD, BP_PHASE_COUNT } bp_phase;

// The phase of step pos, and the cell of that phase it works out (row, col
// in the kernel, the input, or 0, 0 for the bias).
bp_phase bp_phase_of(const app_state *s, int pos, int *row, int *col);
// The first step of a phase.
int bp_phase_start(const app_state *s, bp_phase ph);

// The grids, each a (grid_id, channel) pair on screen.
typedef enum bp_grid {
    BP_GRID_X,      // the input (GRID_INPUT 0), with its padding ring
    BP_GRID_W,      // the kernel (GRID_KERNEL 0)
    BP_GRID_Y,      // the forward output (GRID_OUTPUT 0)
    BP_GRID_DY,     // dL/dY (GRID_OUTPUT 1)
    BP_GRID_DW,     // dL/dW (GRID_KERNEL 1)
    BP_GRID_DX,     // dL/dX (GRID_INPUT 1)
    BP_GRID_DB,     // dL/db (GRID_BIAS 0)
    BP_GRID_WNEW,   // W - lr dL/dW (GRID_KERNEL 2)
    // dL/dY as dL/dX's 'full' convolution reads it (GRID_OUTPUT 2): k - 1
    // zeros around, stride - 1 between its cells; (row, col) counted from
    // the first dY cell, so the ring of zeros is at -(k - 1)..-1.
    BP_GRID_DYPAD,
    BP_GRID_COUNT
} bp_grid;
bp_grid bp_grid_of(grid_id id, int channel);
const char *bp_grid_title(bp_grid g);
// A grid's whole extent: its first row and column (negative for the padding
// rings) and its rows and columns.
void bp_grid_extent(const app_state *s, bp_grid g, int *row0, int *col0, int *rows, int *cols);
// The padded dL/dY at (row, col): true with the dY cell's value there, false
// (v 0) on a zero of the padding or between the cells.
bool bp_dy_padded(const app_state *s, int row, int col, float *v);
// Where the kernel, rotated 180 degrees, sits on the padded dL/dY for
// dL/dX(row, col): the top-left of its k x k cells.
void bp_rotated_at(const app_state *s, int row, int col, int *top, int *left);

// The value a grid shows at (row, col), and whether it is shown yet (the
// gradients fill in as the steps work them out; a quiz hides its cell).
bool bp_shown(const app_state *s, bp_grid g, int row, int col, float *v);
// While a lesson's cell quiz waits: the gradient cell it asks (dL/dW at the
// quiz's row and column) is hidden, with its products.
bool bp_quiz_hides(const app_state *s, bp_grid g, int row, int col);

// The words under the grids, for the current step with `shown` false before
// the step is worked out: what the phase's picture shows; which cell and
// what it adds up; the products and their sum (or the update's numbers).
void bp_text_caption(const app_state *s, char *buf, size_t size);
void bp_text_heading(const app_state *s, bool shown, char *buf, size_t size);
void bp_text_terms(const app_state *s, bool shown, char *buf, size_t size);

// The legend's keys.
typedef enum bp_key {
    BP_KEY_CURRENT,   // the cell worked out now
    BP_KEY_MET,       // what met it (input cells, kernel taps, W and dW)
    BP_KEY_DY,        // the dY cells multiplied
    BP_KEY_PADDING,
    BP_KEY_PENDING,   // not worked out yet
    BP_KEY_COUNT
} bp_key;
int bp_legend_keys(const app_state *s, bool all, bp_key *out);
const char *bp_key_label(const app_state *s, bp_key k);

// The view's layout (view_def.layout).
void bp_layout(ui_layout *l, const app_state *s, const ui_metrics *m);

// Replaces the set-up (command line, lesson) and restarts; false (with
// s->bp.why) when it cannot run.
bool app_set_backprop(app_state *s, const backprop_setup *b);

#endif
