// render.h - draws one frame of the state into any SDL renderer (a window's,
// or a software renderer on a surface when headless). Reads only.
#ifndef APP_RENDER_H
#define APP_RENDER_H

#include <SDL.h>

#include "font.h"
#include "layout.h"
#include "state.h"

// Measures text for layout_compute with the real fonts (ctx is an app_font).
int render_text_width(void *ctx, const char *text, int px, bool mono);

// Draws the state laid out by l.
void render_frame(const app_state *s, const ui_layout *l, SDL_Renderer *r, app_font *font);

#endif
