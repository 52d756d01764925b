// render_lesson.h - a lesson's narration box and cell marks, drawn over
// whatever view the lesson shows (render_lesson.c).
#ifndef APP_RENDER_LESSON_H
#define APP_RENDER_LESSON_H

#include "render_kit.h"

// The marked cells, the narration box, and the narration's buttons on top.
void render_lesson_overlay(const draw_ *d);

#endif
