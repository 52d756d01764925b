// layout.h - where everything goes on screen, computed from the state and the
// window size alone (no SDL): grids, buttons and text areas. render.c draws
// what it lists and input.c turns a click into the action of what was hit, so
// both always agree, and tests check the layout with a fake font.
#ifndef APP_LAYOUT_H
#define APP_LAYOUT_H

#include <stdbool.h>

#include "state.h"

typedef struct ui_rect {
    int x, y, w, h;
} ui_rect;

// Measures text at a pixel size (the real font, or a fake in tests).
typedef int (*ui_text_width_fn)(void *ctx, const char *text, int px, bool mono);

typedef struct ui_metrics {
    ui_text_width_fn text_width;
    void *ctx;
} ui_metrics;

#define LAYOUT_MAX_BUTTONS 64
#define LAYOUT_MAX_GRIDS 40

typedef struct ui_button {
    ui_rect r;
    char label[48];
    app_action action;
    bool active;    // drawn as selected (current preset, playing)
    bool enabled;
} ui_button;

// A grid of cells: the input (with its padding ring), a kernel, an output.
typedef struct ui_grid {
    grid_id id;
    int channel;
    int rows, cols;      // cells drawn
    int row0, col0;      // the data coordinates of the top-left drawn cell (-pad for inputs)
    int data_rows, data_cols;  // cells with data are [0, data_rows) x [0, data_cols)
    ui_rect r;           // the whole grid
    int cell;            // cell side in pixels
    char title[64];
} ui_grid;

typedef struct ui_layout {
    int w, h;
    int text_px, small_px, title_px;  // font sizes
    int pad;                          // spacing
    ui_rect header, main, panel, formula, arithmetic, footer;
    int n_buttons;
    ui_button buttons[LAYOUT_MAX_BUTTONS];
    int n_grids;
    ui_grid grids[LAYOUT_MAX_GRIDS];
    ui_rect legend;                   // the colour scale
    // The training, templates and drawing views.
    ui_rect chart_loss, chart_acc;    // curves
    ui_rect progress;                 // epoch, batch, samples/s, time left
    ui_rect confusion, gallery;       // confusion matrix, digits it gets wrong
    ui_rect templates;                // the ten 28x28 weight templates
    ui_rect explain;                  // a digit, its products with each template, the logits
    ui_rect canvas;                   // where the mouse draws
    ui_rect prepared, probs, maps;    // the 28x28 input, the ten probabilities, feature maps
    ui_rect narration;                // a lesson's caption, quiz and controls (when one is open)
    // The lesson menu, a page at a time: entries [list_first, list_first +
    // list_shown) of s->host.lessons, list_page rows a page (the page holding the focus).
    int list_first, list_shown, list_page;
    ui_rect list_note;                // below the rows: the page and how to turn it
} ui_layout;

// Lays out the current view for a w x h window.
void layout_compute(ui_layout *l, const app_state *s, int w, int h, const ui_metrics *m);

// The button or grid cell at (x, y), as an action (ACT_NONE if nothing).
app_action layout_hit(const ui_layout *l, int x, int y);

#endif
