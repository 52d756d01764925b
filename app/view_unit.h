// view_unit.h - one unit of the network view worked out with the live
// network's real values (view_unit.c): what a ReLU did to a cell, a dense
// unit's weighted sum with its largest products, the softmax with its
// numbers, what flatten or dropout did; the opener of the pooling view on a
// real pooled map; and the plan of the screen (what is written, where the
// grids go), which the layout and the renderer (view_unit_render.c) both
// make from the same state and the same font measures. No SDL.
#ifndef APP_VIEW_UNIT_H
#define APP_VIEW_UNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"
#include "ui_kit.h"

// Opens the unit view on s->network.selected (the caller set it): Esc
// returns to `back`; the stepping starts paused.
void unit_open(app_state *s, app_view back);

// Opens the pooling view on the real map a pooling layer read (channel
// `channel` of its input: net->out[layer - 1], or net_input for layer 0),
// with the layer's window, stride and padding, at output (row, col); Esc
// returns to `back`. False with the reason in why (nothing changed) when the
// layer is not a pooling layer, the map is larger than the view shows
// (VIEW_MAX_N), or the pooling is one the view cannot show.
bool unit_open_pool(app_state *s, const nn_net *net, const float *net_input, int layer, int channel, int row,
                    int col, app_view back, char *why, size_t why_size);

// ---- The arithmetic, from the net's own numbers --------------------------------------------

// What layer `layer` read: net->out[layer - 1], or the input for layer 0.
const float *unit_layer_input(const nn_net *net, const float *net_input, int layer);

// One product w_ij * x_i of a dense unit.
typedef struct unit_term {
    int i;
    float x, w, product;
} unit_term;

#define UNIT_TOP_TERMS 8

// z_j = w_j . x + b_j of dense unit j: the largest products |w_ij x_i| (in
// falling order), what the others add up to, the bias and the engine's z.
typedef struct unit_dense {
    int in_n, n_top;
    unit_term top[UNIT_TOP_TERMS];
    float top_sum;     // the listed products added (in the listed order)
    int n_rest;
    float rest_sum;    // the other products added (in order of i)
    float abs_sum;     // the sum of |product| over all inputs: the scale of rounding
    float bias;
    float written;     // top_sum + rest_sum + bias: the sum as the screen writes it
    float z;           // the engine's value (nn_dense_neuron: bit for bit its forward's)
    bool logit;        // the next layer is softmax: z is a logit
} unit_dense;

// False when layer is not a dense layer of net or unit is out of range.
bool unit_dense_terms(const nn_net *net, const float *net_input, int layer, int unit, unit_dense *out);

#define UNIT_MAX_CLASSES 16

// The softmax of layer `layer`: its inputs z, e^(z - max), their sum and p.
typedef struct unit_softmax {
    int n;             // classes (at most UNIT_MAX_CLASSES)
    float z[UNIT_MAX_CLASSES], max, e[UNIT_MAX_CLASSES], sum;
    float p[UNIT_MAX_CLASSES];  // nn_softmax_forward's, as the engine's forward
    double p_sum;      // the probabilities added
    int winner;        // the highest p
} unit_softmax;

bool unit_softmax_terms(const nn_net *net, const float *net_input, int layer, unit_softmax *out);

// An activation's cell: the value before (the layer's input) and after.
bool unit_act_cell(const nn_net *net, const float *net_input, int layer, int channel, int row, int col,
                   float *before, float *after);

// ---- Stepping --------------------------------------------------------------------------------

// What ACT_STEP_FORWARD / ACT_STEP_BACK's value asks: the next cell, the
// next row (the cell below), the next map.
enum { UNIT_STEP_CELL = 0, UNIT_STEP_ROW = 2, UNIT_STEP_MAP = 3 };

// ---- The screen's plan -------------------------------------------------------------------------

enum { UNIT_LINE_BODY, UNIT_LINE_BOLD, UNIT_LINE_MUTED, UNIT_LINE_MONO, UNIT_LINE_MONO_STRONG, UNIT_LINE_WIN };

typedef struct unit_line {
    char text[200];
    int style;                 // UNIT_LINE_*
} unit_line;

#define UNIT_MAX_LINES 32

// What the layer's detail shows.
typedef enum unit_show {
    UNIT_SHOW_WHY,             // a sentence why nothing can be shown
    UNIT_SHOW_ACT,             // before and after grids, the cell written out
    UNIT_SHOW_DENSE,
    UNIT_SHOW_SOFTMAX,
    UNIT_SHOW_NOTE,            // flatten, dropout, convolution, pooling: words with the mapping
} unit_show;

typedef struct unit_plan {
    unit_show show;
    char title[200];           // "layer 10: dense(84), unit 17 of 84"
    char input[260];           // "on test image #3 (a 0), after 50 training steps"
    int n_lines;
    unit_line lines[UNIT_MAX_LINES];  // the written-out part, top to bottom
    int title_px, px;          // the title's and the lines' type size
    ui_rect head;              // title and input line
    ui_rect text;              // the lines (in two columns when text_cols is 2)
    int text_cols, line_h;
    bool crowded;              // even the shortest form did not fit: the last lines were left out
    // UNIT_SHOW_ACT: the close-ups of the map before and after (or of the vector).
    bool grids;
    bool vector;               // a flat vector: the grids are rows, stacked
    int rows, cols, row0, col0, cell;
    ui_rect before, after;     // where the grids go
    char before_title[64], after_title[64];
    ui_rect legend;            // the colours' key (act only)
    int n_legend;
} unit_plan;

// The plan of the current selection for the layout's main area (l->main and
// type sizes set), with text measured by m. The layout and the renderer call
// it alike and get the same plan.
void unit_plan_make(unit_plan *p, const app_state *s, const ui_layout *l, const ui_metrics *m);

// The legend's labels (act only), in order, and how many.
int unit_legend_labels(const app_state *s, const char **labels, int max);

#endif
