// view_convt.h - what the transposed-convolution view's state and keys
// (view_convt.c) and its renderer (view_convt_render.c) share: the output
// as the animation has it, the words under the grids (the layout measures
// them to make room, the renderer draws them) and the legend's keys. No SDL.
#ifndef APP_VIEW_CONVT_H
#define APP_VIEW_CONVT_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"
#include "ui_kit.h"

// The output map as the animation shows it, [out_h][out_w]: the stamps of
// the input cells before the current one, then the current cell's first
// `reveal` products, each output cell as the engine's stepper left it.
void convt_output_now(const app_state *s, float *out);

// Where input cell (row, col) sits in the equivalent convolution's input:
// (row*s + d(k - 1) - p, col*s + d(k - 1) - p).
void convt_eq_cell_of(const app_state *s, int row, int col, int *eq_row, int *eq_col);

// The lines under the grids.
// "output size = (n - 1)s - 2p + d(k - 1) + a + 1"
void convt_text_letters(char *buf, size_t size);
// "rows and cols:  (3 - 1)*2 - 2*1 + 1*(3 - 1) + 1 + 1 = 6" ("= ?" while a size quiz waits).
void convt_text_formula(const app_state *s, char *buf, size_t size);
// "equivalent convolution: (s - 1) = 1 zero between cells, padding d(k - 1) - p = 1 (+ a = 1 ...), stride 1"
void convt_text_equivalent(const app_state *s, char *buf, size_t size);
// The current input cell and its stamp: what it multiplies, and its first
// `reveal` products, each with the output cell it is added to.
void convt_text_step(const app_state *s, int reveal, char *buf, size_t size);

// What the legend names (every colour and hatching the view draws).
typedef enum convt_key {
    CONVT_KEY_CELL,      // the input cell stamped now (and where it sits in the equivalent grid)
    CONVT_KEY_TAP,       // the output cells its stamp lands on
    CONVT_KEY_CROPPED,   // stamp cells cropped by the padding
    CONVT_KEY_ZERO,      // a zero inserted between input cells
    CONVT_KEY_PADDING,   // the equivalent convolution's padding
    CONVT_KEY_VALUE,     // the cells' colour: the value (each grid its own scale)
    CONVT_KEY_COUNT
} convt_key;
// The keys on screen now (all: every one the view may draw); returns how many.
int convt_legend_keys(const app_state *s, bool all, convt_key *out);
const char *convt_key_label(convt_key k);

// The view's layout (view_def.layout).
void convt_layout(ui_layout *l, const app_state *s, const ui_metrics *m);

// Grids' channel numbers: which of the two pictures a grid belongs to.
enum { CONVT_SCATTER = 0, CONVT_EQUIVALENT = 1 };

#endif
