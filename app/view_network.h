// view_network.h - the whole network on one screen (view_network.c): the
// input at the left, then every layer of the live model as a column (maps,
// vectors of units, the class probabilities at the right), each titled with
// its layer, output shape and parameter count. The plan below places the
// columns; the layout (clickable units) and the renderer (pictures, edges)
// both read it, so a click lands on what is drawn. SDL-free.
#ifndef APP_VIEW_NETWORK_H
#define APP_VIEW_NETWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"
#include "ui_kit.h"

#define NET_MAX_BANDS 3
#define NET_MAX_COLS 48  // the input and up to 47 layers on screen; more are left out and counted

typedef enum net_col_kind {
    NETCOL_INPUT,   // the 28x28 input, grey
    NETCOL_MAPS,    // a layer's maps (rank-3 output), diverging colours
    NETCOL_VECTOR,  // a layer's units (rank-1 output) as square cells, column by column
    NETCOL_BARS,    // the class probabilities of a closing softmax: a bar each
} net_col_kind;

typedef struct net_col {
    net_col_kind kind;
    int layer;          // the model's layer (-1: the input)
    int n, h, w;        // maps: n of h x w; vector, bars: n units (h = w = 1)
    int side;           // maps, input: a picture's side; vector: a cell's side; bars: a row's height
    int bar_w;          // bars: one column of bars' width (the class, the bar, its percentage)
    bool compact;       // bars: without their percentages (a short band: many columns of bars)
    int across, lines;  // pictures (vector: cells) a line, and lines; a vector's units go down a
                        // column of `lines` cells, then the next column
    int band;           // the band (row of columns) it sits in
    int x, width;       // its left edge and width (the body centred in it)
    int body_w, body_h; // the pictures', cells' or bars' block
} net_col;

typedef struct net_plan {
    int n_cols;
    net_col cols[NET_MAX_COLS];
    int dropped;                 // layers left out for want of room (said under the columns)
    int gap_after;               // they were after this column (-1: none left out)
    int bands;                   // 1, or up to NET_MAX_BANDS when the columns fit only in more rows
    int band_y[NET_MAX_BANDS], band_h;  // each band's top (its titles) and height
    int title_h;                 // the title lines: the layer, its shape, its parameters
    bool params_line;            // the parameters' line is there (in a short room: only in the summary)
    int name_px, shape_px;       // the layer's name; its shape and parameters
    int gap, col_gap;            // between pictures; the least between columns
} net_plan;

// Plans the input and md's layers as columns in `area`; m measures the
// titles (NULL: an estimate, as in tests).
void net_plan_make(net_plan *p, const ui_layout *l, const ui_metrics *m, const nn_model *md, ui_rect area);

// The top of a column's body (under its titles).
int net_body_y(const net_plan *p, const net_col *c);

// The screen rectangle of unit k of a column: picture k (maps, the input:
// k = 0), the cell of unit k (vector), the row of class k (bars).
ui_rect net_unit_rect(const net_plan *p, const net_col *c, int k);

// The rectangle of value (row, col) inside a map's picture q of h x w values.
ui_rect net_value_rect(ui_rect q, int h, int w, int row, int col);

// The column of model layer `layer` (-1: the input), or NULL when not shown.
const net_col *net_plan_col(const net_plan *p, int layer);

// A column's three title lines: its layer ("conv", "maxpool"; the input:
// "input"), its output shape ("28x28x6": rows x columns x maps; "120") and its parameters ("156").
void net_col_titles(const nn_model *md, const net_col *c, char *name, char *shape, char *params, size_t size);

// The widest percentage a bar writes ("<0.1%", "99.9%", "100%") at px.
int net_percent_width(const ui_metrics *m, int px);

// Whether the model's last layer is a softmax (then its column is bars).
bool net_ends_in_softmax(const nn_model *md);

// The unit a selection stands for, as a flat index into the layer's output
// (channel-major: c * h * w + row * w + col), or -1 when it is out of range.
int net_selected_index(const nn_model *md, const cell_ref *c);

// The headline's two lines: the input and what the network says of it
// (saying plainly when it is untrained); the model, its size and training.
void net_headline(const app_state *s, char *head, size_t head_size, char *sub, size_t sub_size);
// What the mouse does here.
const char *net_hint(void);

// A clicked grid cell of the network view as a unit (maps: channel, row,
// col; vectors: channel = the unit); false when it stands for none.
bool net_unit_of_cell(const nn_model *md, const cell_ref *hit, cell_ref *unit);

#endif
