// render_help.h - the F1 overlay of keys.
#ifndef APP_RENDER_HELP_H
#define APP_RENDER_HELP_H

#include "render_kit.h"

// Draws the keys of the state's view (and lesson, and window) over the frame.
void render_help(const draw_ *d);

#endif
