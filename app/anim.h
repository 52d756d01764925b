// anim.h - the step-by-step animation over an operation's output cells,
// shared by the convolution and pooling views: where it is, playing at a
// speed, and the transport (play, step, back, start, end, jump to a cell).
// A view hands over its anim_state and how to load the engine's record of a
// cell; the arithmetic itself stays the engine's (nn_*_step_at).
#ifndef APP_ANIM_H
#define APP_ANIM_H

#include <stdbool.h>

#include "keymap.h"
#include "state.h"

// What the transport needs from a view.
typedef struct anim_target {
    anim_state *a;
    int count;                 // products per cell (the window size)
    int out_w;                 // output columns (a jump to (row, col) is row * out_w + col)
    bool loaded;               // the record of cell a->pos is loaded
    void (*load)(app_state *s, int pos);  // loads the engine's record of cell pos
} anim_target;

// After a recomputation: back to the start (keep < 0), or to cell `keep`
// (clamped) with all of its `count` products shown.
void anim_restart_at(anim_state *a, int keep, int count);

// Moves to cell pos with `reveal` products shown.
void anim_goto(app_state *s, const anim_target *t, int pos, int reveal);

// Advances by ms of time at the animation's speed.
void anim_tick(app_state *s, const anim_target *t, double ms);

// Applies a transport action (play/pause, step, back, restart, end, faster,
// slower, jump to an output cell); false if the action is not one.
// ACT_PLAY_PAUSE with value V > 0 (a lesson's 'step N' in the window) plays
// and pauses once cell V - 1 is complete.
// ACT_STEP_FORWARD with value ANIM_ONE_PRODUCT adds one product by hand
// (the next cell's first when the current one is complete).
bool anim_update(app_state *s, const anim_target *t, const app_action *act);

#define ANIM_ONE_PRODUCT 1

// The window's glide from one output cell to the next: the cell it comes
// from and how far it has gone, eased (0 at the start, 1 when it is there).
// Eased over ANIM_GLIDE_MS at normal speed, shorter at higher speeds and
// instant at the top speed. Time comes from anim_tick only: a frame drawn
// with no time passing (headless pictures) shows the window settled.
// The glide's clock is in the anim_state (glide_*); a view's renderer only
// reads it through this.
#define ANIM_GLIDE_MS 200.0
double anim_glide(const anim_state *a, int *from);

// The transport's keys, the same in every view with an animation.
#define ANIM_KEYS                                                                              \
    {' ', 0, ACT_PLAY_PAUSE, 0, NULL, 0, "play / pause"},                                      \
    {KEY_RIGHT, 0, ACT_STEP_FORWARD, 0, NULL, 0, "one step forward"},                          \
    {KEY_LEFT, 0, ACT_STEP_BACK, 0, NULL, 0, "one step back"},                                 \
    {KEY_HOME, 0, ACT_RESTART, 0, NULL, 0, "to the first cell"},                               \
    {KEY_END, 0, ACT_TO_END, 0, NULL, 0, "to the last cell"},                                  \
    {'+', 0, ACT_FASTER, 0, NULL, 0, "faster"},                                                \
    {'=', 0, ACT_FASTER, 0, NULL, KEYF_ALIAS, "faster"},                                       \
    {'-', 0, ACT_SLOWER, 0, NULL, 0, "slower"}


#endif
