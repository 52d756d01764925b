// render.c - one frame: the header, the current view's renderer (one per
// view, view_NAME_render.c, chosen from one table), then a lesson's
// narration and the help overlay on top.
#include "render.h"

#include <assert.h>
#include <stdio.h>

#include "render_help.h"
#include "render_kit.h"
#include "render_lesson.h"
#include "render_views.h"
#include "views.h"

// Every view's renderer; adding a view adds one row.
static void (*const renderers_[VIEW_COUNT])(const draw_ *) = {
    [VIEW_HOME] = render_view_home,   [VIEW_CONV] = render_view_conv,           [VIEW_POOL] = render_view_pool,
    [VIEW_TRAIN] = render_view_train, [VIEW_TEMPLATES] = render_view_templates, [VIEW_CNN] = render_view_cnn,
    [VIEW_DRAW] = render_view_draw,   [VIEW_LESSONS] = render_view_lessons,     [VIEW_NETWORK] = render_view_network,
    [VIEW_UNIT] = render_view_unit,   [VIEW_CONVT] = render_view_convt,
    [VIEW_BACKPROP] = render_view_backprop,
};

// A view left out of the table above is a NULL row: every frame checks them
// all, so the first frame drawn (any test that draws) finds it.
static bool renderers_complete_(void) {
    for (int v = 0; v < VIEW_COUNT; v++)
        if (!renderers_[v]) return false;
    return true;
}

int render_text_width(void *ctx, const char *text, int px, bool mono) {
    return font_width((app_font *)ctx, mono ? FACE_MONO : FACE_SANS, px, text);
}

// "zoom 150%" in the middle of the screen for a moment after Ctrl +/-/0.
static void zoom_badge_(const draw_ *d) {
    const ui_layout *l = d->l;
    char t[32];
    snprintf(t, sizeof t, "zoom %d%%", d->s->zoom);
    const int px = l->title_px, w = rd_width(d, FACE_BOLD, px, t) + l->pad * 4, h = px * 2;
    const ui_rect q = {(l->w - w) / 2, (l->h - h) / 2, w, h};
    rd_fill(d->r, q, HEADER);
    rd_text_centre(d, FACE_BOLD, px, q, HEADER_INK, t);
}

void render_frame(const app_state *s, const ui_layout *l, SDL_Renderer *r, app_font *font) {
    const draw_ d = {r, font, l, s};
    SDL_SetRenderDrawColor(r, BG.r, BG.g, BG.b, 255);
    SDL_RenderClear(r);
    rd_header(&d, view_get(s->view)->title);
    const bool complete = renderers_complete_();
    assert(complete);
    if (complete) renderers_[s->view](&d);
    if (l->narration.h && s->player.l) render_lesson_overlay(&d);
    if (s->help) render_help(&d);
    if (s->zoom_shown_ms > 0) zoom_badge_(&d);
}
