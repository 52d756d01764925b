// state.h - everything the window shows, free of SDL: which view is open,
// the convolution and pooling set-ups, where the animation is, and the
// settings a teacher changes. It changes only through app_update (one user
// action) and app_tick (time passing), so tests drive it with no display;
// render.c draws it through a const pointer.
#ifndef APP_STATE_H
#define APP_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "text.h"
#include "live.h"
#include "nn.h"

#define VIEW_MAX_N 32         // input rows/cols
#define VIEW_MIN_N 3
#define VIEW_MAX_C 6          // input channels (LeNet-5's second convolution reads 6)
#define VIEW_MAX_F 4          // filters of the convolution view
#define VIEW_MAX_K 7          // kernel size
#define VIEW_MAX_WINDOW (VIEW_MAX_C * VIEW_MAX_K * VIEW_MAX_K)
#define VIEW_MAX_OUT (VIEW_MAX_N + 2 * 3)  // output side with the largest padding

typedef enum app_view {
    VIEW_HOME, VIEW_CONV, VIEW_POOL, VIEW_TRAIN, VIEW_TEMPLATES, VIEW_CNN, VIEW_NETWORK, VIEW_DRAW, VIEW_LESSONS,
    VIEW_UNIT,  // one unit of the network view worked out: opened from there, not listed in the menu
    VIEW_CONVT, // transposed convolution: the scatter beside the equivalent convolution
    VIEW_BACKPROP,  // backpropagation through one convolution, one gradient cell a step (view_backprop.c)
    VIEW_COUNT
} app_view;

#define DRAW_SIDE 112           // the drawing canvas, in its own pixels (4x MNIST's 28)
#define DRAW_MAX_POINTS 8192
#define DRAW_MAX_STROKES 512

// What the views ask of the training threads; the runner carries it out.
typedef enum live_request {
    LIVE_NONE, LIVE_TOGGLE, LIVE_RESET, LIVE_LR_UP, LIVE_LR_DOWN, LIVE_SLOWER, LIVE_FASTER,
    LIVE_MODEL,  // switch the dashboard's model to app_state.train_model and reset
    LIVE_SAVE,   // save the dashboard's model (atomically) to the models folder
    LIVE_LOAD,   // load the newest model in that folder for drawing
} live_request;

// The models the dashboard offers: name and architecture. The last is the
// architecture given with --arch (app_state.custom_arch), when there is one.
int app_train_model_count(void);
const char *app_train_model_name(int i);
const char *app_train_model_arch(int i);
#define MODEL_CUSTOM 3

// Kernel presets a teacher picks from (index into app_kernel_presets()).
typedef enum app_preset {
    PRESET_IDENTITY, PRESET_BOX_BLUR, PRESET_GAUSSIAN, PRESET_SHARPEN, PRESET_LAPLACIAN,
    PRESET_SOBEL_VERTICAL, PRESET_SOBEL_HORIZONTAL, PRESET_EMBOSS, PRESET_CUSTOM, PRESET_COUNT
} app_preset;

// The name of a preset ("box blur").
const char *app_preset_name(app_preset p);

// What the convolution view computes: 1..4 filters over 1..6 channels, each
// filter a kernel stack (one kernel a channel) and a bias.
typedef struct conv_setup {
    int n_h, n_w;            // input rows and columns (3..32)
    int channels;            // 1..6, one kernel channel each
    int filters;             // 1..4, one output map each
    int k;                   // kernel size (1..7)
    nn_padding padding;      // valid, same or 0..3
    int stride;              // 1..4
    int dilation;            // 1..3
    // True convolution: each kernel slides rotated 180 degrees (the grids show
    // it rotated; kernel[] keeps it as written, as a lesson or --kernel gives it).
    bool flip;
    float bias[VIEW_MAX_F];
    app_preset preset[VIEW_MAX_F];  // how each filter's kernels were chosen (custom after an edit)
    float input[VIEW_MAX_C][VIEW_MAX_N][VIEW_MAX_N];
    float kernel[VIEW_MAX_F][VIEW_MAX_C][VIEW_MAX_K][VIEW_MAX_K];
} conv_setup;

// What the pooling view computes: max and average side by side, one channel.
typedef struct pool_setup {
    int n_h, n_w;
    int size;                // window (1..7)
    int stride;              // 1..4
    int pad;                 // 0..size/2
    float input[VIEW_MAX_N][VIEW_MAX_N];
} pool_setup;

// What the transposed-convolution view computes: one channel, one filter,
// small enough that the scatter and the equivalent convolution's grid (the
// input with zeros inserted and padding, up to CONVT_MAX_EQ cells a side)
// stay readable side by side.
#define CONVT_MAX_N 6          // input rows/cols
#define CONVT_MAX_K 4          // kernel size
#define CONVT_MAX_STRIDE 3
#define CONVT_MAX_DILATION 2
#define CONVT_MAX_PAD 3
#define CONVT_MAX_EQ 14        // the equivalent convolution's input side (so the output's too)
#define CONVT_MAX_KD (CONVT_MAX_DILATION * (CONVT_MAX_K - 1) + 1)  // the dilated kernel's side
typedef struct convt_setup {
    int n_h, n_w;            // input rows and columns (1..CONVT_MAX_N)
    int k;                   // kernel size (1..CONVT_MAX_K)
    int stride;              // s, 1..CONVT_MAX_STRIDE
    int pad;                 // p, 0..CONVT_MAX_PAD (cropped from each side)
    int out_pad;             // a, 0..max(s, d) - 1 (added at the bottom and right)
    int dilation;            // d, 1..CONVT_MAX_DILATION
    float input[CONVT_MAX_N][CONVT_MAX_N];
    float kernel[CONVT_MAX_K][CONVT_MAX_K];
} convt_setup;

// An animation over the output cells: how many are done, the part of the
// current one revealed, and play state.
typedef struct anim_state {
    int pos;           // the output cell being shown (0..total-1); cells before it are done
    int total;         // output cells in all
    int reveal;        // products of cell pos shown so far (0..count); at count it is done
    bool playing;
    int speed;         // index into app_speeds(): steps per second
    double clock_ms;   // time banked toward the next reveal
    // The window's glide from the cell it left (anim.c): how far it has gone.
    int glide_from;
    double glide_elapsed_ms, glide_ms;
    double last_tick_ms;  // the last tick's time: 0 means no time passes (a still picture)
    // A lesson's 'step N' played in the window: 1 + the cell where playing
    // pauses once it is complete (0: plays to the end). Any transport key
    // the class presses cancels it.
    int stop_after;
} anim_state;

// The engine's record of the cell being worked on, copied out of the
// stepper (the UI never holds the stepper's own buffers).
typedef struct conv_step_view {
    bool valid;
    int filter, row, col, origin_row, origin_col, count;
    float window[VIEW_MAX_WINDOW], weights[VIEW_MAX_WINDOW], products[VIEW_MAX_WINDOW],
        running[VIEW_MAX_WINDOW];
    unsigned char padded[VIEW_MAX_WINDOW];
    int in_row[VIEW_MAX_WINDOW], in_col[VIEW_MAX_WINDOW];
    float bias, sum;
} conv_step_view;

typedef struct pool_step_view {
    bool valid;
    int row, col, count;
    float window[VIEW_MAX_K * VIEW_MAX_K];
    unsigned char padded[VIEW_MAX_K * VIEW_MAX_K];
    int in_row[VIEW_MAX_K * VIEW_MAX_K], in_col[VIEW_MAX_K * VIEW_MAX_K];
    float max_value, avg_sum, avg_value;
    int divisor, argmax, argmax_row, argmax_col;
} pool_step_view;

// The engine's record of the input cell being stamped (nn_convt_step, copied).
typedef struct convt_step_view {
    bool valid;
    int row, col, count, landed;
    float value;
    int out_row[CONVT_MAX_K * CONVT_MAX_K], out_col[CONVT_MAX_K * CONVT_MAX_K];
    unsigned char cropped[CONVT_MAX_K * CONVT_MAX_K];
    float weights[CONVT_MAX_K * CONVT_MAX_K], products[CONVT_MAX_K * CONVT_MAX_K],
        after[CONVT_MAX_K * CONVT_MAX_K];
    // The output map before this step (the stamps of the cells before it).
    float before[CONVT_MAX_EQ * CONVT_MAX_EQ];
} convt_step_view;

// Which grid cell a click or the keyboard is on.
// GRID_NET: a unit of the network view (cell_ref.layer: the model's layer, -1
// the input; channel: the map, or the unit of a vector; row, col in the map).
typedef enum grid_id { GRID_NONE, GRID_INPUT, GRID_KERNEL, GRID_OUTPUT, GRID_BIAS, GRID_FMAP, GRID_NET } grid_id;

typedef struct cell_ref {
    grid_id grid;
    int channel, row, col;
    int layer;                 // GRID_NET only: the model's layer (-1: the input)
} cell_ref;

// A lesson being played: where it is and what it shows (lesson_play.c).
#define LESSON_MAX_MARKS 32
#define LESSON_AUTOPLAY_MS 4000  // autoplay's pause after a step with a plain 'wait'
#define ZOOM_SHOWN_MS 1500       // "zoom 150%" stays this long after a change
// The lesson menu lists up to this many files of the lessons folder, sorted by
// file name (more are counted and named as unlisted: a folder of thousands
// would take seconds to parse each time the window starts).
#define LESSON_MENU_MAX 500

// One entry of the lesson menu (the runner owns the array).
typedef struct lesson_entry {
    char path[1000];
    char name[120];             // the file name, shown when there is no title
    char title[96];
    char error[400];            // why it cannot be played ("file:line: ..."), "" when it can
    int steps, minutes;         // its length: steps, and about how long in class (lesson_class_minutes)
} lesson_entry;
// What a lesson's quiz asks.
typedef enum quiz_kind {
    QUIZ_SIZE, QUIZ_CELL, QUIZ_GUESS, QUIZ_PARAMS, QUIZ_WINNER,
    QUIZ_CHOICE,   // multiple choice: the question and its options are "Q | A | B ..." (the teacher's answer)
    QUIZ_PREDICT,  // higher or lower: the class commits, then the next 'train' answers it
} quiz_kind;

typedef struct lesson_player {
    const struct lesson *l;     // NULL when no lesson is open (owned by the runtime)
    int pc;                     // the next command to run
    int n_cmds;                 // the lesson's commands (pc == n_cmds: the end)
    int beat, n_beats;          // beats are the stretches between two 'wait's
    bool autoplay;
    double wait_ms;             // autoplay: time left before the next beat
    double beat_wait_s;         // this beat's 'wait SECONDS' (0: wait for a key)
    char caption[2048];         // what 'say' showed in this beat
    int n_marks;
    cell_ref marks[LESSON_MAX_MARKS];  // highlighted cells
    int arrow_to;               // 'point': the mark an arrow from the caption points at, from 1 (0: none)
    bool quiz_open;
    quiz_kind quiz_kind;        // what it asks, so the views hide that while it waits
    int quiz_row, quiz_col;     // QUIZ_CELL: the output cell asked about
    char quiz_question[TEXT_MAX_LINE + 1];  // a lesson line at most
    char quiz_answer[64];       // the engine's answer
    char quiz_explain[600];
    char quiz_typed[32];
    char quiz_missed[32];       // the first try, when it was wrong (a second try is given)
    // 0 waiting (no try yet, or one wrong try), 1 right, 2 close (right to the
    // decimals typed, not to 2: the exact value is shown), -1 wrong twice,
    // 3 a prediction made (QUIZ_PREDICT: the next 'train' settles it).
    int quiz_result;
    // A predict quiz the class answered (or let pass), waiting for the
    // 'train' that settles it: 0 none asked, else the line of the quiz.
    int predict_line;
    int predict_choice;         // 1 higher, 2 lower, 0 no answer given
    float predict_base;         // the accuracy to beat: the kept run's, else the one when asked
    char predict_base_what[96]; // "the kept run (LeNet-5, lr 0.05)" or "now"
    char predict_teacher[8];    // the lesson's own answer ("higher", "lower" or "")
    int failures;               // expectations that did not hold
    char last_failure[600];
    // A 'train N' the window hands to the training worker (the beat waits for
    // it, the window stays responsive; Esc stops it early).
    bool train_pending;
    bool train_templates;       // which trainer: the templates' or the dashboard's
    long long train_target;     // the step it runs to
    int replay_to;              // going back: the beat to replay up to (-1: none)
    // Where the lesson's last beat left the view's animation: a key pressed
    // since (Right, Home, play) is undone before the next beat, whose 'step N'
    // counts from there.
    bool anim_kept;
    app_view anim_view;
    int anim_pos, anim_reveal;
    // In the window a 'step' plays the animation to where a transcript jumps
    // (the goal); the beat's later commands, and the next beat, start from
    // the goal whether or not the class watched it arrive.
    bool anim_goal_set;
    app_view anim_goal_view;
    int anim_goal_pos, anim_goal_reveal;
} lesson_player;

// The convolution view's own state: its set-up, the engine's geometry and
// result for it, and where the animation is (view_conv.c).
typedef struct conv_view {
    conv_setup setup;
    nn_conv2d_geom geom;       // valid when ok
    bool ok;
    char why[320];             // why the settings are impossible, when !ok
    float out[VIEW_MAX_F * VIEW_MAX_OUT * VIEW_MAX_OUT];  // the forward pass's result, [filters][out_h][out_w]
    anim_state anim;           // over every filter's cells: filter 1's, then filter 2's, ...
    conv_step_view step;       // the cell being worked on (or the last one done)
    // The input channel drawn when the channels are too many to draw readable
    // together (a network's second convolution: 6 maps of 14x14): the one
    // picked ([ and ], or its button), else the one the product being added reads.
    int channel_pick;
} conv_view;

// The pooling view's (view_pool.c): max and average side by side.
typedef struct pool_view {
    pool_setup setup;
    nn_pool_geom max_geom, avg_geom;
    bool ok;
    char why[320];
    float max_out[VIEW_MAX_OUT * VIEW_MAX_OUT], avg_out[VIEW_MAX_OUT * VIEW_MAX_OUT];
    anim_state anim;
    pool_step_view step;
    // The backward mode (issue 15): Y shown whole, the steps route dL/dY back
    // one output cell at a time through the engine's core (nn_pool_backward_cell).
    bool backward;
    bool dy_given;                                   // dy from --grad-output / a lesson, else the default
    float dy[VIEW_MAX_OUT * VIEW_MAX_OUT];           // dL/dY, [out_h][out_w]
    int max_arg[VIEW_MAX_OUT * VIEW_MAX_OUT];        // the max's winners, y * n_w + x, as nn_pool_forward records
    // The whole backward pass, from the engine's batch nn_pool_backward (what a lesson's expect reads).
    float dx_max[VIEW_MAX_N * VIEW_MAX_N], dx_avg[VIEW_MAX_N * VIEW_MAX_N];
} pool_view;

// The transposed-convolution view's (view_convt.c): the scatter, and the
// same output as an ordinary convolution of the rotated kernel over the
// input with (s - 1) zeros between its cells and d(k - 1) - p cells of
// padding round it (plus a at the bottom and right).
typedef enum convt_eq_cell { CONVT_EQ_INPUT, CONVT_EQ_ZERO, CONVT_EQ_PAD } convt_eq_cell;
typedef struct convt_view {
    convt_setup setup;
    nn_convt_geom geom;        // valid when ok
    bool ok;
    char why[320];             // why the view cannot show these settings, when !ok
    float out[CONVT_MAX_EQ * CONVT_MAX_EQ];  // nn_convt_forward's result, [out_h][out_w]
    anim_state anim;           // one step an input cell, its taps revealed one by one
    convt_step_view step;
    // The equivalent convolution (stride 1, no padding of its own).
    int eq_h, eq_w;            // its input: (n - 1)s + 1 + 2(d(k - 1) - p) + a
    int eq_pad;                // d(k - 1) - p: the padding before the first input cell
    int eq_k;                  // the dilated kernel's side d(k - 1) + 1
    float eq_input[CONVT_MAX_EQ][CONVT_MAX_EQ];
    unsigned char eq_kind[CONVT_MAX_EQ][CONVT_MAX_EQ];   // a convt_eq_cell
    float eq_kernel[CONVT_MAX_KD][CONVT_MAX_KD];         // rotated 180 degrees, zeros between taps
    nn_axis rows_axis, cols_axis;  // n, k, s, d and the output size, for what lessons read (view_op)
} convt_view;
// The backpropagation view's (view_backprop.c): one channel, one filter, the
// forward pass and dL/dY, then the engine's backward stepper a gradient cell
// a step (dL/dW, dL/dX, dL/db) and the SGD update of the kernel.
#define BP_MAX_N 8             // input rows/cols: every gradient cell readable
#define BP_MAX_K 5
#define BP_MAX_OUT (BP_MAX_N + 2 * 3)
#define BP_MAX_TERMS (BP_MAX_OUT * BP_MAX_OUT)
typedef struct backprop_setup {
    int n_h, n_w, k, stride, pad;
    float lr;
    float input[BP_MAX_N][BP_MAX_N];
    float kernel[BP_MAX_K][BP_MAX_K];
    float dy[BP_MAX_OUT][BP_MAX_OUT];  // dL/dY: [out_h][out_w] of the set-up's output
    bool dy_given;             // dY as given (else all ones, resized with the output)
} backprop_setup;

typedef struct backprop_view {
    backprop_setup setup;
    nn_conv2d_geom geom;       // valid when ok
    bool ok;
    char why[320];
    float y[BP_MAX_TERMS];     // the forward output, [out_h][out_w] (nn_conv2d_forward)
    // Every gradient through the stepper's core (nn_backstep_all): what the steps fill in.
    float dw[BP_MAX_K * BP_MAX_K], dx[BP_MAX_N * BP_MAX_N], db;
    float w_new[BP_MAX_K * BP_MAX_K];  // W - lr * dW
    anim_state anim;           // one step a gradient cell: dW cells, dX cells, db, then the update's cells
    // The engine's record of the cell of the current step (a copy).
    bool step_valid;
    nn_backstep step;          // .terms and .group_sums point into the arrays below
    nn_backstep_term terms[BP_MAX_TERMS];
    float group_sums[BP_MAX_TERMS];
} backprop_view;

// The home menu's (view_home.c).
typedef struct home_view {
    int focus;                 // which entry the keyboard is on
} home_view;

// The drawing view's (view_draw.c): a canvas of ink (1) on black (0), made
// of strokes for undo, and what the network reads in it.
typedef struct draw_view {
    float canvas[DRAW_SIDE][DRAW_SIDE];
    int n_points, n_strokes;
    float point_x[DRAW_MAX_POINTS], point_y[DRAW_MAX_POINTS];
    int stroke_start[DRAW_MAX_STROKES];
    bool pen_down;
    int brush;                 // pen radius in canvas pixels (2..10)
    bool live;                 // classify with the live model, not the shipped one
    bool dropped;              // the canvas and input are a dropped picture's (app_state.drop), not strokes
    bool ready;                // input and probs describe the canvas
    float input[28 * 28];      // the canvas prepared as classify prepares a picture
    float probs[10];
    char note[420];
} draw_view;

// The templates view's explanation of one test digit, worked out by the
// engine from the classifier's latest weights (view_templates.c): the input
// x, each class's products x * w_j, scores z = sum + b and probabilities.
typedef struct templates_view {
    bool ready;                // the fields below describe (version, digit)
    bool scale_ready;          // weight_scale describes the weights of `version` (also with no digits)
    uint64_t version;          // the snapshot they were computed from
    int digit;                 // the test digit
    float x[784];              // pixel / 255
    float products[10][784];   // x[i] * w[i][j]
    float z[10], p[10];        // scores and softmax probabilities
    int best;                  // the class with the highest probability
    float weight_scale;        // the largest |w|: the templates' colour scale
} templates_view;

// The unit detail's (view_unit.c): stepping from cell to cell of the
// selected layer (the cell itself is network_view.selected).
typedef struct unit_view {
    bool playing;
    int speed;                 // index into app_speeds(): cells per second
    double clock_ms;           // time banked toward the next step
} unit_view;

// Where the network view's input comes from.
typedef enum net_source { NET_SOURCE_DIGIT, NET_SOURCE_DRAWING, NET_SOURCE_DROPPED } net_source;

// The network view's (view_network.c) and its unit details' (view_unit.c):
// the live model run on one input, every layer a column; the unit selected
// (its edges drawn, its detail a click away), and the colour scale.
typedef struct network_view {
    bool has_selection;
    cell_ref selected;         // grid GRID_NET: layer, channel (map or unit), row, col
    bool global_scale;         // one colour scale for every map of a column's layer kind, not one per map
    bool summary;              // the model's summary table shown over the columns
    net_source source;         // the test digit (app_state.inspect), the drawing's input, or the dropped picture
} network_view;

// What the runtime provides and owns; the views only read it. It survives a
// lesson's reset of the views.
typedef struct app_host {
    const uint8_t *digits;     // test digits, [n_digits][28][28], for "load a digit"
    const uint8_t *digit_labels;  // their labels (NULL if unknown)
    int n_digits;
    // The training threads' latest snapshots (NULL when training is not available).
    const live_snapshot *train_live;  // the dashboard's model
    const live_snapshot *tmpl_live;   // the one-layer softmax classifier of the templates
    nn_net *draw_net;          // the shipped model (NULL if missing)
    nn_net *live_net;          // the live model's latest weights (or NULL); drawing runs it
    const nn_net *cnn_net;     // the same weights run on the inspected digit: its
                               // activations are the CNN view's maps (NULL until computed)
    const nn_net *network_net; // the same weights run on the network view's input
                               // (network_view.source): every layer's output (NULL until computed)
    float network_input[28 * 28];  // that input, as the network read it
    char custom_arch[256];     // --arch for the dashboard ("" when none)
    // Why a trainer or the shipped model is missing, as the failure said it ("" when there).
    char train_why[400], tmpl_why[400], draw_why[400];
    // The lesson menu's entries (sorted by file name, broken ones with their error).
    const lesson_entry *lessons;
    int n_lessons;
    int lessons_unlisted;      // files past LESSON_MENU_MAX
} app_host;

// Things a view asks of the runtime (it owns the trainers, the models and
// the lessons), queued in order and carried out once a frame.
typedef enum app_effect_kind {
    EFFECT_TRAIN,        // value: a live_request; target: 0 the dashboard's trainer, 1 the templates'
    EFFECT_OPEN_LESSON,  // value: which lesson of the menu
    EFFECT_LESSON,       // value: a LESSON_NAV_* for the lesson being played
    EFFECT_DROP_IMAGE,   // read and prepare app_state.drop.path (a file dropped onto the window)
} app_effect_kind;

typedef struct app_effect_req {
    app_effect_kind kind;
    int value, target;
} app_effect_req;

#define APP_MAX_EFFECTS 16
typedef struct app_effects {
    int n;
    app_effect_req items[APP_MAX_EFFECTS];
} app_effects;

// A picture dropped onto the window: app_update keeps its path, the runtime
// reads it and prepares it as `convstep classify` does, then hands it to the
// view (ACT_DROPPED_IMAGE), which takes what it shows from here.
#define APP_DIGIT_DROPPED (-2)  // app_state.digit when the shown digit is the dropped picture
typedef struct app_drop {
    char path[1024];           // the file to read
    char name[160];            // its name as shown (the base name, control characters escaped)
    float input[28 * 28];      // prepared: 0 background, 1 ink
    float picture[DRAW_SIDE][DRAW_SIDE];  // the file itself fitted into the canvas, ink 1 on black 0
    bool inverted;             // it had dark ink on light paper
} app_drop;

// A training run kept on the training view's charts beside the live one, so
// that two recipes can be compared (K in the view, 'keep run' in a lesson).
typedef struct app_kept_run {
    bool present;
    char label[96];            // what it was, e.g. "LeNet-5, lr 0.5"
    float test_accuracy;       // where it ended
    long long steps;
    int n_loss, n_test_acc;
    live_point loss[LIVE_MAX_POINTS], test_acc[LIVE_MAX_POINTS];
} app_kept_run;

// How the dashboard's model is trained: the defaults of `convstep train`
// unless a lesson's 'recipe' changed them (it applies from the next model
// or reset; closing the lesson restores the defaults).
typedef struct app_recipe {
    float lr;                  // learning rate
    int shift;                 // shift augmentation, pixels
    float weight_decay;        // L2 penalty
    float dropout;             // dropout rate before the last dense layer (0: none)
} app_recipe;

// `convstep train`'s defaults (app_train_options_default), no dropout.
app_recipe app_recipe_default(void);

// "lr 0.5, shift 2, weight decay 0.001, dropout 0.5": what differs from the
// default recipe ("the default recipe" if nothing does).
void app_recipe_describe(const app_recipe *r, char *buf, size_t size);

typedef struct app_state {
    // The window: which view, and what applies to every view.
    app_view view;
    app_view back_view;        // where Esc returns to (VIEW_HOME unless a view was opened from another)
    bool help;                 // the key overlay is open
    int help_page;             // its page (modulo the pages), when the keys need more than one (a large zoom)
    bool fullscreen;           // asked for (main.c makes it so)
    bool colorblind;           // the colour-blind-safe palette
    bool quit;                 // asked to close
    int zoom;                  // percent, 50..300: text and cells scale with it
    double zoom_shown_ms;      // how long "zoom 150%" stays on screen after a change (0: hidden)
    char status[512];          // a one-line message ("screenshot saved to ...")
    cell_ref selected;         // the grid cell being edited (GRID_NONE when none)
    cell_ref hover;            // the grid cell under the mouse (GRID_NONE when none): views light what it links to
    char edit_text[24];        // what has been typed into it
    bool editing;
    uint64_t rng_state;        // for "randomise", seeded: headless frames are repeatable
    int digit;                 // the test digit shown in the view's input, -1 for none,
                               // APP_DIGIT_DROPPED for the dropped picture
    app_drop drop;             // the last picture dropped onto the window

    // Each view's own state.
    home_view home;
    conv_view conv;
    pool_view pool;
    convt_view convt;
    draw_view draw;
    templates_view templates;
    network_view network;
    unit_view unit;
    backprop_view bp;
    int train_model;           // the dashboard's model: index into app_train_model_*
    int inspect;               // the test digit the templates and the CNN view explain
    int lesson_focus;          // the lesson menu's highlighted entry
    app_kept_run kept;         // a run kept to compare with the live one
    app_recipe recipe;         // how the dashboard's model trains

    app_host host;

    app_effects effects;       // what the views ask of the runtime, in order (it empties the queue)

    lesson_player player;
} app_state;

// Keeps the dashboard trainer's curves (s->host.train_live) as s->kept, with
// this label ("" or NULL: one made from the model and the learning rate).
// False (nothing kept) when no training is available.
bool app_keep_run(app_state *s, const char *label);


// While a lesson's quiz of this kind waits for its answer, the views hide
// the answer (the output's size; the output cell, its products and sum; the
// probabilities); it shows again once answered.
static inline bool quiz_hides(const app_state *s, quiz_kind k) {
    return s->player.l && s->player.quiz_open && s->player.quiz_result == 0 && s->player.quiz_kind == k;
}
// ... and the output cell (r, c) of a cell quiz, or of a winner quiz (which
// input cell wins max pooling's window there).
static inline bool quiz_hides_cell(const app_state *s, int r, int c) {
    return (quiz_hides(s, QUIZ_CELL) || quiz_hides(s, QUIZ_WINNER)) && s->player.quiz_row == r &&
           s->player.quiz_col == c;
}

enum { LESSON_NAV_NONE, LESSON_NAV_NEXT, LESSON_NAV_BACK, LESSON_NAV_RESTART, LESSON_NAV_CLOSE,
       LESSON_NAV_STOP_TRAINING };

// Every user action the views understand.
typedef enum app_action_kind {
    ACT_NONE,
    ACT_QUIT, ACT_HOME, ACT_OPEN_VIEW,            // value: an app_view
    ACT_BACK,                                     // Esc: the view this one was opened from, else home
    ACT_HELP, ACT_HELP_PAGE, ACT_FULLSCREEN, ACT_ZOOM_IN, ACT_ZOOM_OUT, ACT_ZOOM_RESET, ACT_PALETTE,
    ACT_PLAY_PAUSE, ACT_STEP_FORWARD, ACT_STEP_BACK, ACT_RESTART, ACT_TO_END,
    ACT_FASTER, ACT_SLOWER,
    ACT_JUMP_TO_OUTPUT,                           // row, col
    ACT_SET_SIZE, ACT_SET_KERNEL, ACT_SET_PADDING, ACT_SET_STRIDE, ACT_SET_DILATION,  // value
    ACT_SET_CHANNELS, ACT_SET_POOL_SIZE,         // value
    ACT_SET_FILTERS,                              // value: the convolution view's filters (1..VIEW_MAX_F)
    ACT_SHOW_CHANNEL,                             // value: the input channel the convolution view draws alone
    ACT_CYCLE_PADDING,                            // valid -> same -> 0 -> 1 -> 2 -> 3
    ACT_FLIP_KERNEL,                              // value: 0 toggle, 1 on, 2 off: true convolution
    ACT_PRESET,                                   // value: an app_preset
    ACT_RANDOMISE, ACT_LOAD_DIGIT,                // value: which test digit, -1 the next
    ACT_SELECT_CELL,                              // cell
    ACT_HOVER_CELL,                               // cell (grid GRID_NONE: the mouse left every grid)
    ACT_TYPE_CHAR,                                // ch
    ACT_EDIT_BACKSPACE, ACT_EDIT_COMMIT, ACT_EDIT_CANCEL,
    ACT_HOME_NEXT, ACT_HOME_PREV, ACT_HOME_ENTER,
    ACT_HOME_FOCUS,                               // value: which home entry (clamped)
    ACT_TRAIN_TOGGLE, ACT_TRAIN_RESET, ACT_LR_UP, ACT_LR_DOWN, ACT_SLOWMO_MORE, ACT_SLOWMO_LESS,
    ACT_TRAIN_MODEL,                              // value: which model
    ACT_INSPECT_NEXT, ACT_SAVE_MODEL, ACT_LOAD_MODEL,
    ACT_PEN_DOWN, ACT_PEN_MOVE, ACT_PEN_UP,       // fx, fy: canvas pixels
    ACT_DRAW_CLEAR, ACT_DRAW_UNDO, ACT_BRUSH,     // value: radius
    ACT_DRAW_MODEL,                               // shipped <-> live model
    ACT_LESSON_OPEN,                              // value: which lesson of the menu
    ACT_LESSON_NEXT, ACT_LESSON_BACK, ACT_LESSON_RESTART, ACT_LESSON_CLOSE, ACT_LESSON_AUTOPLAY,
    ACT_LESSON_FOCUS,                             // value: which lesson of the menu (clamped)
    ACT_LESSON_STOP_TRAINING,                     // Esc while a lesson's 'train N' runs
    ACT_SET_CELL,                                 // cell, fx: a typed value for a grid cell
    ACT_SCREENSHOT,                               // the window saves a PNG (F12)
    ACT_EXPORT,                                   // value: a view_export_kind; the window saves it (Ctrl+S, Ctrl+P)
    ACT_DROP_FILE,                                // text: a file dropped onto the window
    ACT_DROPPED_IMAGE,                            // the runtime prepared it into app_state.drop
    // The network view: its colour scale (per map / per layer), the model's
    // summary, the input's source (value: a net_source, -1 the next one),
    // select a unit (cell, grid GRID_NET) without opening it, open the selected unit.
    ACT_NET_SCALE, ACT_NET_SUMMARY, ACT_NET_SOURCE, ACT_NET_SELECT, ACT_NET_OPEN,
    ACT_KEEP_RUN,                                 // the training view keeps the run's curves to compare (K)
    ACT_SET_OUT_PAD,                              // value: the transposed convolution's output padding
    ACT_POOL_BACKWARD,                            // value: 0 toggle, 1 on, 2 off: the pooling view's backward mode
} app_action_kind;

typedef struct app_action {
    app_action_kind kind;
    int value;
    int row, col;
    cell_ref cell;
    char ch;
    float fx, fy;
    const char *text;          // ACT_DROP_FILE's path: borrowed, valid during app_update only
} app_action;

// The speeds a teacher steps through: cells per second.
int app_speed_count(void);
double app_speed_value(int index);

// ---- Helpers the views share ---------------------------------------------------------

// Queues a request for the runtime (dropped, with a status line, when full).
void app_effect(app_state *s, app_effect_kind kind, int value, int target);

// Turns a training view's action (train, reset, rate, slow motion, model,
// save, load, next digit) into a request for trainer `target` (0 the
// dashboard's, 1 the templates'); other actions are ignored.
void app_request_training(app_state *s, const app_action *a, int target);

// Repeatable random numbers (splitmix64): the next one below n.
int app_rand_below(uint64_t *rng, int n);
// The seeds each view's fresh state draws from (a fresh program and a
// lesson's reset give the same numbers).
enum { APP_RNG_CONV, APP_RNG_POOL, APP_RNG_SHARED };
uint64_t app_rng_stream(int which);

// Makes test digit `index` (-1: the next one) the one shown; false (with a
// status line) when there are no digits.
bool app_pick_digit(app_state *s, int index);
// True if a digit is shown: a test digit, or the dropped picture.
bool app_digit_shown(const app_state *s);
// Pixel (y, x) of the shown digit (or dropped picture) cropped, centred, to an n_h x n_w input, in [0, 1].
float app_digit_pixel(const app_state *s, int y, int x, int n_h, int n_w);






// Replaces the convolution set-up (from the command line or a lesson) and
// restarts its animation; false with the reason if it cannot run.
bool app_set_conv(app_state *s, const conv_setup *c);
// The weight that multiplies at tap (y, x) of filter f, channel ch: the kernel
// as written, or with flip the one at (k - 1 - y, k - 1 - x).
float conv_sliding_weight(const conv_setup *c, int f, int ch, int y, int x);
bool app_set_pool(app_state *s, const pool_setup *p);
// The pooling view's dL/dY (out_h x out_w values, row-major); false (nothing
// changed) when the pooling does not work out.
bool app_set_pool_grad(app_state *s, const float *dy, int h, int w);
bool app_set_convt(app_state *s, const convt_setup *c);

// Gives the views the embedded test digits ([count][28][28] bytes, kept by
// the caller) so "load a digit" has something to load.
void app_set_digits(app_state *s, const uint8_t *digits, int count);
// And their labels (for the gallery of mistakes), [count].
void app_set_digit_labels(app_state *s, const uint8_t *labels);

// Cells of the output the animation has filled: every cell before pos, and
// pos itself once all `count` of its products are in.
int app_cells_done(const anim_state *a, int count);

// Classifies the canvas again (after strokes, or when the model changed).
void app_draw_classify(app_state *s);

// The kernel of a preset at size k (presets exist at 3x3; other sizes get
// the identity or a box, scaled versions where they make sense).
void app_preset_kernel(app_preset p, int k, float kernel[VIEW_MAX_K][VIEW_MAX_K]);

#endif
