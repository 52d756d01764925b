// view_home_render.c - the home menu: a sentence on what this is, how to
// pick a view and where to start, and each view's button with a line on
// what it shows.
#include <stdio.h>

#include "render_views.h"
#include "views.h"

// Text centred across the window, shrunk until it fits (down to the
// readable minimum, then shortened with an ellipsis).
static void centred_line_(const draw_ *d, font_face face, int px, int y, SDL_Color c, const char *t) {
    const int room = d->l->w - d->l->pad * 4;
    while (px > d->l->min_px && rd_width(d, face, px, t) > room) px--;
    const int w = rd_width(d, face, px, t);
    rd_fitted_line(d, face, px, (ui_rect){w > room ? d->l->pad * 2 : (d->l->w - w) / 2, y, room, px * 2}, y, c, t);
}

// What each view of the menu shows, in a line.
static const char *description_(app_view v) {
    switch (v) {
    case VIEW_CONV: return "a kernel slides over an image, one product at a time";
    case VIEW_POOL: return "max and average pooling, window by window";
    case VIEW_CONVT: return "upsampling: every input cell stamps the kernel";
    case VIEW_TRAIN: return "a CNN learns digits: curves, accuracy, mistakes";
    case VIEW_TEMPLATES: return "a one-layer classifier learns ten digit templates";
    case VIEW_CNN: return "a digit's feature maps, layer by layer";
    case VIEW_NETWORK: return "every layer at once, live: click a unit for its arithmetic";
    case VIEW_DRAW: return "draw a digit and see what the network guesses";
    case VIEW_LESSONS: return "guided lessons for a class: start with 01";
    case VIEW_BACKPROP: return "how a convolution learns: its gradients, cell by cell";
    default: return "";
    }
}

void render_view_home(const draw_ *d) {
    const ui_layout *l = d->l;
    const ui_rect intro = l->menu_intro;
    centred_line_(d, FACE_BOLD, l->title_px, intro.y, INK, "A convolutional network you can watch, step by step.");
    centred_line_(d, FACE_SANS, l->text_px, intro.y + intro.h / 2, MUTED,
                  "New here? Open Lessons and start with 01. Mouse, or arrow keys and Enter.");
    rd_buttons(d);
    // Each button's line, beside it, at the label size (shrunk to the
    // readable minimum, then shortened, on a narrow window).
    const ui_rect notes = l->menu_notes;
    for (int i = 0; i < l->n_buttons; i++) {
        const ui_button *b = &l->buttons[i];
        if (b->action.kind != ACT_OPEN_VIEW || notes.w <= 0) continue;
        const int px = l->small_px;
        rd_fitted_line(d, FACE_SANS, px, (ui_rect){notes.x, b->r.y, notes.w, b->r.h},
                       b->r.y + (b->r.h - px * 6 / 5) / 2, b->active ? INK : MUTED, description_((app_view)b->action.value));
    }
    rd_footer(d, d->s->status[0] ? d->s->status : "F1 or ? lists every key.  F11 fullscreen.  Ctrl +/- zoom.");
}
