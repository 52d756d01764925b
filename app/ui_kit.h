// ui_kit.h - what a layout is made of (rectangles, buttons, grids, the
// panel of controls) and the kit each view lays itself out with. No SDL:
// render.c draws what a layout lists and input.c turns a click into the
// action of what was hit, so both always agree, and tests check layouts
// with a fake font.
#ifndef APP_UI_KIT_H
#define APP_UI_KIT_H

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
#define LAYOUT_MAX_GRIDS 160  // the network view: every map of LeNet-5 (66) and its vectors

typedef struct ui_button {
    ui_rect r;
    char label[160];  // what rd_buttons draws (its copy is 160 bytes too)
    app_action action;
    bool active;    // drawn as selected (current preset, playing)
    bool enabled;
} ui_button;

// A grid of cells: the input (with its padding ring), a kernel, an output.
typedef struct ui_grid {
    grid_id id;
    int channel;
    int layer;           // GRID_NET: the model's layer (-1: the input)
    int rows, cols;      // cells drawn
    int row0, col0;      // the data coordinates of the top-left drawn cell (-pad for inputs)
    int data_rows, data_cols;  // cells with data are [0, data_rows) x [0, data_cols)
    ui_rect r;           // the whole grid
    int cell;            // cell side in pixels
    // A close-up of a dilated window's taps alone: drawn cells are `step`
    // data rows and columns apart (1: every cell) with `gap` px between
    // them, a thin band that stands for the cells skipped (0 when step is 1).
    int step, gap;
    char title[64];
} ui_grid;

typedef struct ui_layout {
    int w, h;
    int text_px, small_px, title_px;  // font sizes: body, labels, titles
    // The smallest type a class can read from the back of the room, scaled
    // like the text (at 1920x1080, zoom 100: 20, 16 and 14 px): labels,
    // buttons and cell values never go below min_px, captions below
    // caption_px, the x-weight badges below badge_px.
    int min_px, caption_px, badge_px;
    // The smallest cell that shows its value at min_px (2 * min_px): a grid
    // drawn with smaller cells hides its numbers, so views size grids to at
    // least this, or show a part of a large input at this size.
    int min_cell;
    int pad;                          // spacing
    ui_rect header, main, panel, formula, arithmetic, footer;
    int n_buttons;
    ui_button buttons[LAYOUT_MAX_BUTTONS];
    int n_grids;
    ui_grid grids[LAYOUT_MAX_GRIDS];
    ui_rect legend;                   // the colour scale
    bool no_scales;                   // the grids' colour bars left out (no room: a short main area)
    // The convolution view drawing one input channel at a time: the row of its
    // buttons ("input channel shown: 0 1 2 ..."; w 0 when every channel is drawn).
    ui_rect channel_tabs;
    // The transposed-convolution view: the line of the two pictures' captions (h 0: left out for room).
    ui_rect captions;
    // The training, templates and drawing views.
    ui_rect chart_loss, chart_acc;    // curves
    ui_rect progress;                 // epoch, batch, samples/s, time left
    ui_rect confusion, gallery;       // confusion matrix, digits it gets wrong
    ui_rect templates;                // the ten 28x28 weight templates
    ui_rect explain;                  // a digit, its products with each template, the logits
    ui_rect canvas;                   // where the mouse draws
    ui_rect prepared, probs, maps;    // the 28x28 input, the ten probabilities, feature maps
    ui_rect narration;                // a lesson's caption, quiz and controls (when one is open)
    // Inside the narration: the line of the lesson's title and step (left of
    // its buttons, or above them when they need the width), and the room of
    // the caption, training line and quiz below it, sized for the lesson's
    // longest step at narration_px (text_px, less down to min_px when the
    // window is short), so no step's last line is lost.
    ui_rect narration_title, narration_text;
    int narration_px;
    // The room the view's title has in the header, right of "convstep" and
    // left of the header's buttons ("home"), for rd_header to fit it in.
    ui_rect header_title;
    // The controls panel in columns: 2 when its rows do not fit one column
    // at a readable height (a large zoom on a short window). A view's
    // layout_panel_fit asks for more (panel_cols_wanted) and layout_compute
    // lays the view out again with the wider panel.
    // With two, the setting rows ("[-] [+]") fill the first column (the
    // ui_panel's x, y: their labels start at the panel's left edge), the rows
    // of buttons the second, from (panel_x2, panel_y2).
    int panel_cols, panel_cols_wanted, panel_x2, panel_y2;
    // While a lesson drives the view and the set-up rows are locked, the
    // panel can shrink to a strip of the stepping buttons alone (a large
    // zoom: the grids need its width). A view asks for it (panel_strip_wanted:
    // its grids do not fit readable beside the whole panel), layout_compute
    // lays it out again with the strip (panel_strip) and the narration under it.
    bool panel_strip, panel_strip_wanted;
    // A lesson's narration is as tall as its longest step needs, so the view
    // keeps its size from step to step. A view short of room even so (its
    // legend or colour scales left out) asks for the narration to hold only
    // the step shown (narration_short_wanted), in the same type size;
    // layout_compute lays it out again so (narration_short).
    bool narration_short, narration_short_wanted;
    // The backpropagation view short of room: its words without the phase's
    // caption (the heading and the products stay; the legend and titles say the rest).
    bool words_short;
    // The lesson menu, a page at a time: entries [list_first, list_first +
    // list_shown) of s->host.lessons, list_page rows a page (the page holding the focus).
    int list_first, list_shown, list_page;
    ui_rect list_note;                // below the rows: the page and how to turn it
    ui_rect menu_notes;               // the home menu: the column of descriptions right of its buttons
    ui_rect menu_intro;               // the lines above the home menu's (two, a half each) or the lesson menu's rows
    ui_button overflow;               // what layout_button hands out when the list is full (never drawn)
} ui_layout;

// ---- The kit the views lay themselves out with ----------------------------------------

static inline int ui_min(int a, int b) { return a < b ? a : b; }
static inline int ui_max(int a, int b) { return a > b ? a : b; }

// A rectangle; negative sizes become 0.
ui_rect ui_rect_at(int x, int y, int w, int h);

// Adds a button. Never NULL: past LAYOUT_MAX_BUTTONS it returns l->overflow,
// which is not drawn or hit, so setting its flags changes no other button.
ui_button *layout_button(ui_layout *l, ui_rect r, const char *label, app_action_kind kind, int value);

// Adds a grid of rows x cols cells of side `cell` at (x, y); NULL when full.
ui_grid *layout_grid(ui_layout *l, grid_id id, int channel, int rows, int cols, int row0, int col0, int x, int y,
                     int cell, const char *title);

// A grid's drawn cell at data (row, col): false when it is not drawn (outside
// the grid, or between the taps of a close-up with step > 1).
bool ui_grid_cell(const ui_grid *g, int row, int col, ui_rect *q);
// The data cell of g drawn at pixel (x, y): false outside, or on a gap.
bool ui_grid_at(const ui_grid *g, int x, int y, int *row, int *col);

// The controls panel on the right, filled from the top a row at a time.
typedef struct ui_panel {
    ui_layout *l;
    int x, y, w, row_h, gap;
} ui_panel;

typedef struct ui_button_pair {
    ui_button *first, *second;
} ui_button_pair;

// A panel whose `rows` rows (and a few gaps) fit its height: rows shrink at
// large zooms down to a readable height (labels and button text at
// l->min_px); below that the panel takes two columns (see panel_cols).
ui_panel layout_panel_fit(ui_layout *l, int rows);
// A panel of full-height rows.
ui_panel layout_panel(ui_layout *l);

// A panel of a few buttons only, as narrow as its longest label (label_w px)
// allows, so the main area gets the width. Not with a lesson's narration
// (its width is the frame's) nor a panel in two columns.
void layout_narrow_panel(ui_layout *l, int label_w);

// "[-] value [+]": the buttons ask for minus and plus (render.c writes the
// label and value beside them); minus_on / plus_on enable them.
ui_button_pair layout_stepper_of(ui_panel *p, app_action minus, app_action plus, bool minus_on, bool plus_on);
// The same for an action that takes the value: kind(value - 1), kind(value + 1) within [lo, hi].
ui_button_pair layout_stepper(ui_panel *p, app_action_kind kind, int value, int lo, int hi);

// The animation's transport in a narrow strip (panel_strip): |< and >|,
// < and >, play, slower, faster, a row each pair (the speed's value is in the
// footer, so the strip needs no label).
void layout_transport_strip(ui_panel *p, const anim_state *a);

// Two buttons side by side on one row.
ui_button_pair layout_two_buttons(ui_panel *p, const char *a, app_action_kind ka, int va, const char *b,
                                  app_action_kind kb, int vb);

// The animation's transport: |< < play > >| and the speed stepper.
void layout_transport(ui_panel *p, const anim_state *a);

// Train/pause, reset, learning rate and slow motion (the training views).
void layout_train_controls(ui_panel *p, const live_snapshot *snap);

#endif
