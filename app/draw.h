// draw.h - the drawing canvas: strokes of a round pen, undo, and what the
// network says of the drawing (prepared exactly as `convstep classify`
// prepares a picture). SDL-free: the window feeds it pen positions.
#ifndef APP_DRAW_H
#define APP_DRAW_H

#include "state.h"

// Starts a stroke at canvas position (x, y).
void draw_pen_down(app_state *s, float x, float y);
// Continues the stroke to (x, y).
void draw_pen_move(app_state *s, float x, float y);
// Ends the stroke and classifies the drawing.
void draw_pen_up(app_state *s);
// Draws "x,y x,y ...; x,y ..." (canvas pixels) as strokes; false with a
// message on malformed text.
bool draw_strokes(app_state *s, const char *text, char *err, size_t errsize);

// Removes the last stroke, or everything.
void draw_undo(app_state *s);
void draw_clear(app_state *s);

#endif
