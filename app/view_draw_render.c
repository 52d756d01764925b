// view_draw_render.c - the drawing canvas: the digit as drawn and as the
// model sees it, the ten probabilities, and the feature maps it makes.
#include <stdio.h>

#include "render_charts.h"
#include "keys.h"
#include "render_views.h"

// The canvas, the 28x28 input made of it, the ten probabilities and the maps.
static void canvas_and_guesses_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const int px = l->small_px;
    char t[200];
    rd_title(d, l->canvas.x, l->canvas.y - px * 3 / 2, "draw a digit here (mouse)");
    rd_image(d, l->canvas, &s->draw.canvas[0][0], DRAW_SIDE, DRAW_SIDE, DRAW_SIDE, false, 1);
    rd_frame(d->r, l->canvas, ACCENT, 2);
    rd_title(d, l->prepared.x, l->prepared.y - px * 3 / 2, "28x28, as MNIST");
    if (s->draw.ready)
        rd_image(d, l->prepared, s->draw.input, 28, 28, 28, false, 1);
    else
        rd_frame(d->r, l->prepared, LINE, 1);
    rd_text_wrap(d, FACE_SANS, px * 4 / 5, rd_rect(l->prepared.x, l->prepared.y + l->prepared.h + 2,
                                                 l->prepared.w + l->probs.w, px * 3), l->prepared.y + l->prepared.h + 2,
                 MUTED, s->draw.note);
    // The ten probabilities, the first and second guess.
    const ui_rect q = l->probs;
    const nn_net *net = s->draw.live && s->host.live_net ? s->host.live_net : s->host.draw_net;
    (void)net;
    snprintf(t, sizeof t, "what the %s model says", s->draw.live && s->host.live_net ? "live" : "shipped");
    rd_title(d, q.x, q.y - px * 3 / 2, t);
    if (!s->draw.ready) return;
    int first = 0, second = 1;
    for (int j = 0; j < 10; j++)
        if (s->draw.probs[j] > s->draw.probs[first]) first = j;
    second = first == 0 ? 1 : 0;
    for (int j = 0; j < 10; j++)
        if (j != first && s->draw.probs[j] > s->draw.probs[second]) second = j;
    const int row = (q.h - px * 2) / 10;
    for (int j = 0; j < 10; j++) {
        const int y = q.y + j * row;
        snprintf(t, sizeof t, "%d", j);
        rd_text(d, FACE_BOLD, px * 4 / 5, q.x, y, j == first ? WIN : INK, t);
        const int bw = (int)(s->draw.probs[j] * (q.w - px * 6));
        rd_fill(d->r, rd_rect(q.x + px, y + 2, bw, row - 4), j == first ? WIN : j == second ? ACCENT : LINE);
        snprintf(t, sizeof t, "%.1f%%", 100.0 * s->draw.probs[j]);
        rd_text(d, FACE_SANS, px * 3 / 4, q.x + px * 2 + bw, y, MUTED, t);
    }
    snprintf(t, sizeof t, "first guess %d (%.0f%%), second %d (%.0f%%)", first, 100.0 * s->draw.probs[first], second,
             100.0 * s->draw.probs[second]);
    rd_text_wrap(d, FACE_BOLD, px, rd_rect(q.x, q.y, q.w, q.h + px * 3), q.y + 10 * row + 2, INK, t);
    // What each layer makes of it: the feature maps after the first layers.
    if (net) rd_layer_maps(d, net, l->maps, 0);
}

void render_view_draw(const draw_ *d) {
    const app_state *s = d->s;
    rd_fill(d->r, d->l->panel, PANEL);
    canvas_and_guesses_(d);
    const ui_button *b = rd_find_button(d->l, ACT_BRUSH, 0);
    char t[32];
    snprintf(t, sizeof t, "pen  %d", s->draw.brush);
    if (b) rd_setting_label(d, b, t);
    rd_buttons(d);
    char hint[400], keys[300];
    keys_hint(s, 3, keys, sizeof keys);  // from the view's key table
    snprintf(hint, sizeof hint, "draw with the mouse;  %s", keys);
    rd_footer(d, s->status[0] ? s->status : hint);
}
