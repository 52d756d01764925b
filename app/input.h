// input.h - turns SDL events into app actions (scrcpy's input manager):
// keys by the table in the help overlay, clicks through the layout.
#ifndef APP_INPUT_H
#define APP_INPUT_H

#include <SDL.h>

#include "layout.h"
#include "state.h"

// The action an event asks for (ACT_NONE if it asks for nothing). Some
// window-level keys (screenshot) are answered by the caller: *screenshot is
// set when F12 was pressed. A drop event's file name (SDL's) is freed here:
// the action's text is a copy, valid until the next drop.
app_action input_action(const app_state *s, const ui_layout *l, const SDL_Event *e, bool *screenshot);

#endif
