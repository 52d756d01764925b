// render_views.h - one renderer per view (view_NAME_render.c), each drawing
// everything its view shows below the header: grids, charts, buttons,
// setting labels and the footer. render.c calls the current view's through
// its table; the lesson narration and the help overlay are drawn after it.
#ifndef APP_RENDER_VIEWS_H
#define APP_RENDER_VIEWS_H

#include "render_kit.h"

void render_view_home(const draw_ *d);
void render_view_lessons(const draw_ *d);
void render_view_conv(const draw_ *d);
void render_view_pool(const draw_ *d);
void render_view_convt(const draw_ *d);
void render_view_train(const draw_ *d);
void render_view_templates(const draw_ *d);
void render_view_cnn(const draw_ *d);
void render_view_network(const draw_ *d);
void render_view_unit(const draw_ *d);
void render_view_draw(const draw_ *d);
void render_view_backprop(const draw_ *d);

#endif
