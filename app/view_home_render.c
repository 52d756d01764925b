// view_home_render.c - the home menu: a sentence on what this is, how to
// pick a view, and the views' buttons.
#include "render_views.h"

// Text centred across the window, shrunk until it fits.
static void centred_line_(const draw_ *d, font_face face, int px, int y, SDL_Color c, const char *t) {
    while (px > 9 && rd_width(d, face, px, t) > d->l->w - d->l->pad * 4) px--;
    rd_text(d, face, px, (d->l->w - rd_width(d, face, px, t)) / 2, y, c, t);
}

void render_view_home(const draw_ *d) {
    const ui_layout *l = d->l;
    const int y = l->header.h + l->text_px;
    centred_line_(d, FACE_BOLD, l->title_px, y, INK, "A convolutional network you can watch, step by step.");
    centred_line_(d, FACE_SANS, l->text_px, y + l->title_px * 2, MUTED,
                  "Pick a view with the mouse, or with the arrow keys and Enter.");
    rd_buttons(d);
    rd_footer(d, d->s->status[0] ? d->s->status : "F1 or ? lists every key.  F11 fullscreen.  Ctrl +/- zoom.");
}
