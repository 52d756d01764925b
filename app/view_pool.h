// view_pool.h - what the pooling view's state and keys (view_pool.c), its
// layout (view_pool_layout.c) and its renderer (view_pool_render.c) share:
// the words of the arithmetic under the grids (the layout measures them to
// make room, the renderer draws them), the keys of its legend and their
// sizes, and the layout's entry point (the view's table names it). No SDL.
#ifndef APP_VIEW_POOL_H
#define APP_VIEW_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"
#include "ui_kit.h"

// The input cell that wins max pooling's window at output (r, c), as the
// engine's stepper finds it (the first of equal maxima) and its value; false
// when there is no such output cell.
bool pool_winner(const app_state *s, int r, int c, int *in_row, int *in_col, float *value);

// The view's layout (view_def.layout, view_pool_layout.c): the panel, then
// the arrangement of the grids, the legend, the formula and the worked-out
// lines that fits the main area.
void pool_layout(ui_layout *l, const app_state *s, const ui_metrics *m);

// With `reveal` values of the current window shown (0..count):
// "window 5 of 9, output (1, 1):" (and what comes when nothing is shown yet).
void pool_text_heading(const app_state *s, int reveal, char *buf, size_t size);
// The backward mode (s->pool.backward): dL/dX of max and of average pooling
// after the first `done` output cells' dL/dY were routed back through the
// engine's core (nn_pool_backward_cell), in the engine's order, so at the end
// they are nn_pool_backward's bits; [n_h][n_w] each. reached (NULL, or 2 *
// n_h * n_w): 1 where the max's (first half) or the average's (second half)
// routing has sent something.
void pool_backward_upto(const app_state *s, int done, float *dx_max, float *dx_avg, unsigned char *reached);
// The backward lines: "backward: dL/dY cell 2 of 4, output (0, 1), dY = 2:",
// "max: dY = 2 to input (1, 3), the max (9); the other 3 get 0: ...",
// "avg: dY/4 = 2/4 = 0.5 to each", with the sums where windows overlap.
void pool_text_back_heading(const app_state *s, char *buf, size_t size);
void pool_text_back_max(const app_state *s, char *buf, size_t size);
void pool_text_back_avg(const app_state *s, char *buf, size_t size);

// The max written out: before the first value, what max pooling will do;
// then "max(3, 1, ..."; at the end "max(3, 1, 0, 2) = 3, from input (0, 1)".
void pool_text_max(const app_state *s, int reveal, char *buf, size_t size);
// The average: "avg = (3 + 1 + 0 + 2)/4 = 6/4 = 1.5", with padding counted
// as PyTorch counts it and what Keras would divide by instead.
void pool_text_avg(const app_state *s, int reveal, char *buf, size_t size);
// The lines above in fewer characters ("3+1", " at (r, c)"), in place: for a short main area;
// tighter: " = " as "=" too (the last resort).
void pool_text_compact(char *buf, bool tighter);
// The output-size formula's numbers, rows and columns at once when they agree.
void pool_text_formula(const app_state *s, char *buf, size_t size);
// When the window leaves rows and columns out: the fraction the floor drops ("" when none).
void pool_text_remainder(const app_state *s, char *buf, size_t size);

// What the legend names (every colour and hatching the view draws).
typedef enum pool_key {
    POOL_KEY_WINDOW,     // the window's frame
    POOL_KEY_TAP,        // the cell read now (slow speeds)
    POOL_KEY_WINNER,     // the max's cell
    POOL_KEY_GHOST,      // dashed: the window one step before
    POOL_KEY_LINKED,     // what the cell under the mouse is linked to
    POOL_KEY_PADDING,
    POOL_KEY_UNREACHED,
    POOL_KEY_ENLARGED,   // the part of a picture shown enlarged with its values
    POOL_KEY_PENDING,    // an output picture's cells not worked out yet (grey: white is 0)
    POOL_KEY_DY,         // backward: the dL/dY cell being routed now
    POOL_KEY_COUNT
} pool_key;

// The keys on screen now (all: every one the view may draw, for the layout's
// room), in order; returns how many.
int pool_legend_keys(const app_state *s, bool pictures, bool all, pool_key *out);
const char *pool_key_label(pool_key k);
// The legend's height at width w with these keys (as rd_legend wraps them)
// and the colour scale's row (two when narrow).
int pool_legend_h(const ui_layout *l, const ui_metrics *m, const pool_key *keys, int n, int w);

// The colour scale's width on a row ("value -9 [bar] 9"), a legend row's
// height, and the width of n keys and the scale on one row (the legend of a
// short main area: the renderer puts them on one row when its room is one row high).
int pool_legend_scale_w(const ui_layout *l, const ui_metrics *m, const app_state *s);
int pool_legend_row_h(const ui_layout *l);
int pool_legend_inline_w(const ui_layout *l, const ui_metrics *m, const app_state *s, const pool_key *keys, int n);
// The colour scale's end: the input's largest magnitude (a max or an
// average never leaves the input's range), 1 when all are 0.
float pool_value_scale(const app_state *s);

// The window's frame on input grid g, in screen pixels (not clipped to the
// grid): over the current output cell's window, or on its way there from
// the cell before while it glides (anim_glide).
ui_rect pool_window_rect(const app_state *s, const ui_grid *g);

// A grid drawn as a picture (a large input or output): cells too small for
// values, so they are shown as colours only, and a part with values beside.
static inline bool pool_grid_is_picture(const ui_layout *l, const ui_grid *g) { return g->cell < l->min_cell; }

#endif
