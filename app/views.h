// views.h - the table of views. Each view is one module (view_conv.c,
// view_pool.c, ...) that fills in a view_def: its names, its key table, and
// what it does on an action, as time passes and when the layout is made.
// The home menu, `convstep view NAME`, a lesson's `view NAME` and the F1
// overlay all read this one table; the renderers are the matching rows of
// render.c's table (SDL lives only there).
//
// Adding a view: write view_NAME.c (a view_def) and its renderer, add one
// enum value to app_view in state.h, one row here in views.c and one in
// render.c's table.
#ifndef APP_VIEWS_H
#define APP_VIEWS_H

#include <stdbool.h>
#include <stdio.h>

#include "keymap.h"
#include "ui_kit.h"
#include "state.h"

struct app_matrix;

// The operation a view steps through (convolution, pooling), as a lesson's
// quizzes and checks read it.
typedef struct view_op {
    bool ok;                  // the set-up can run (else `why`)
    const char *why;
    const nn_axis *rows, *cols;   // the output-size formula's numbers
    int out_h, out_w;
    const float *out;         // the result, [out_h][out_w] (max pooling's in the pooling view)
    const float *out_avg;     // average pooling's (NULL elsewhere)
    const anim_state *anim;
    // The transposed convolution's formula numbers (NULL elsewhere: rows and
    // cols then hold the ordinary output-size formula's).
    const nn_convt_axis *convt_rows, *convt_cols;
} view_op;

// What a view needs the runtime to keep up to date while it is open.
enum {
    VIEW_NEEDS_LIVE_MAPS = 1,  // the live network's activations of the inspected digit
    VIEW_NEEDS_CANVAS = 2,     // the canvas read again when the live model changes
    VIEW_NEEDS_NETWORK = 4,    // the live network run on the network view's input (host.network_net)
};

typedef struct view_def {
    app_view id;
    const char *name;         // on the command line and in lessons: "conv"
    const char *title;        // the header: "convolution"
    const char *menu;         // the home menu's entry: "Convolution" (NULL: not listed)
    key_table keys;           // the view's own keys (the window's and the lesson's are in keys.c)
    const char *mouse;        // what the mouse does here, for the F1 overlay (NULL: nothing special)
    bool has_panel;           // controls on the right and a lesson's narration below (not the menus)
    // Lays out the view's grids, buttons and areas in l (l->main, panel... are set).
    void (*layout)(ui_layout *l, const app_state *s, const ui_metrics *m);
    // Applies an action meant for this view (the shared ones are handled before).
    void (*update)(app_state *s, const app_action *a);
    // Advances the view's animation by ms (NULL: nothing moves by itself).
    void (*tick)(app_state *s, double ms);
    // Recomputes what the view shows from the host's data when that changed
    // (the runtime calls it each frame, after fresh snapshots; NULL: nothing).
    void (*refresh)(app_state *s);
    // What the view ended with, for a headless run's transcript (NULL: nothing).
    void (*report)(const app_state *s, FILE *out);
    // The operation it steps through, for lessons (NULL: none; lessons then
    // use the convolution view's).
    void (*op)(const app_state *s, view_op *out);
    // A lesson's 'input MATRIX' (NULL: it goes to the convolution view).
    bool (*lesson_input)(app_state *s, const struct app_matrix *m, char *err, int size);
    unsigned needs;           // VIEW_NEEDS_*: what the runtime keeps fresh while the view is open
    bool trains_templates;    // its training keys and a lesson's 'train N' drive the templates' trainer
    // Whether a click on cell c types a new value into it; false: the click
    // goes to the view as a jump to that cell's step (ACT_JUMP_TO_OUTPUT with
    // the cell). NULL: every cell is typed into but the output's.
    bool (*edits_cell)(const app_state *s, const cell_ref *c);
    // Re-creates the view's own state as a fresh program has it (a lesson's start).
    void (*reset)(app_state *s);
} view_def;

// The operation of the view, or the convolution view's when it has none.
void view_op_of(const app_state *s, view_op *out);

// The keys the training views share: train/pause, reset, rate, slow motion;
// and the next test digit.
#define TRAINER_KEYS                                                                           \
    {' ', 0, ACT_TRAIN_TOGGLE, 0, NULL, 0, "train / pause"},                                   \
    {'r', 0, ACT_TRAIN_RESET, 0, NULL, KEYF_SETUP, "reset: new random weights"},               \
    {KEY_UP, 0, ACT_LR_UP, 0, NULL, 0, "learning rate up"},                                    \
    {KEY_DOWN, 0, ACT_LR_DOWN, 0, NULL, 0, "learning rate down"},                              \
    {'s', 0, ACT_SLOWMO_MORE, 0, NULL, 0, "slower (slow motion)"},                             \
    {'s', KEYMOD_SHIFT, ACT_SLOWMO_LESS, 0, NULL, 0, "faster (less slow motion)"}
#define INSPECT_KEYS                                                                           \
    {'n', 0, ACT_INSPECT_NEXT, 0, NULL, 0, "next test digit"},                                 \
    {'g', 0, ACT_INSPECT_NEXT, 0, NULL, KEYF_ALIAS, "next test digit"}

// A training view's headless report: what its trainer reached (nothing if none).
void view_report_trainer(const live_snapshot *snap, FILE *out);

// The view with this id (never NULL for a valid id).
const view_def *view_get(app_view id);

// The view called `name`, or NULL.
const view_def *view_find(const char *name);

// The views' names for messages: "conv, pool, ..., lessons or home", or
// without the menus (those a lesson can show) "conv, pool, ... or draw".
const char *view_names(bool menus_too);

// The views in menu order (home menu entries), and how many.
int view_menu_count(void);
app_view view_menu_item(int index);

// The views' own modules.
extern const view_def view_home, view_conv, view_pool, view_train, view_templates, view_cnn, view_draw,
    view_lessons, view_network, view_unit, view_convt;
extern const view_def view_backprop;

#endif
