// render_live.h - the views that show the live model (render_live.c):
// training, templates, drawing, inside the CNN.
#ifndef APP_RENDER_LIVE_H
#define APP_RENDER_LIVE_H

#include "render_kit.h"

void rd_train_view(const draw_ *d);
void rd_templates_view(const draw_ *d);
void rd_draw_view(const draw_ *d);
void rd_cnn_view(const draw_ *d);

#endif
