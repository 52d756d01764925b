// view_draw_render.c - the drawing canvas: the digit as drawn and as the
// model sees it (with the key to its grey), the ten probabilities, and the
// feature maps it makes, each on its own colour scale.
#include <stdio.h>

#include "format.h"
#include "keys.h"
#include "render_views.h"
#include "view_cnn.h"
#include "view_draw.h"
#include "view_maps_render.h"

// A title over q, the longest of its forms that fits q's width.
static void title_(const draw_ *d, ui_rect q, const char *full, const char *shorter, const char *shortest) {
    const int px = d->l->small_px, y = q.y - maps_line_h(px) - d->l->pad / 3;
    const char *t = rd_width(d, FACE_BOLD, px, full) <= q.w      ? full
                    : rd_width(d, FACE_BOLD, px, shorter) <= q.w ? shorter
                                                                 : shortest;
    rd_fitted_line(d, FACE_BOLD, px, rd_rect(q.x, y, q.w, maps_line_h(px)), y, INK, t);
}

// The first and second guesses of the ten probabilities.
static void guesses_(const float *p, int *first, int *second) {
    *first = 0;
    for (int j = 1; j < 10; j++) *first = p[j] > p[*first] ? j : *first;
    *second = *first == 0 ? 1 : 0;
    for (int j = 0; j < 10; j++) *second = j != *first && p[j] > p[*second] ? j : *second;
}

// The ten probabilities as bars with their percentages (as fmt_percent
// writes them, so a bar and its number agree), the guesses, and the legend.
static void probabilities_(const draw_ *d, bool untrained) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const ui_rect q = l->probs;
    const int px = maps_label_px(l), row = draw_prob_row_h(l);
    const SDL_Color win = rd_colour(rd_pal(d)->winner);
    int first, second;
    guesses_(s->draw.probs, &first, &second);
    // Short of height: two columns of five, or the guesses alone.
    const int cols = draw_probs_cols(l), rows = cols ? 10 / cols : 0;
    const int col_w = cols ? (q.w - (cols - 1) * px) / cols : 0;
    const int digit_w = rd_width(d, FACE_BOLD, px, "0") + px / 2;
    const int bar_w = col_w - digit_w - rd_width(d, FACE_SANS, px, "100.0%") - px / 2;
    char t[200], a[32], b[32];
    for (int j = 0; j < 10 && cols; j++) {
        const int x = q.x + j / rows * (col_w + px), y = q.y + j % rows * row;
        snprintf(t, sizeof t, "%d", j);
        rd_text(d, FACE_BOLD, px, x, y, j == first ? win : INK, t);
        const int bw = (int)(s->draw.probs[j] * (bar_w > 0 ? bar_w : 0) + 0.5f);
        rd_fill(d->r, rd_rect(x + digit_w, y + 3, bw, row - 6), j == first ? win : LINE);
        fmt_percent(s->draw.probs[j], t, sizeof t);
        rd_text(d, FACE_SANS, px, x + digit_w + bw + px / 4, y, j == first ? INK : MUTED, t);
    }
    fmt_percent(s->draw.probs[first], a, sizeof a);
    fmt_percent(s->draw.probs[second], b, sizeof b);
    if (untrained)
        snprintf(t, sizeof t, "the live model is untrained: its first guess %d (%s) means nothing yet", first, a);
    else
        snprintf(t, sizeof t, "first guess %d (%s), second %d (%s)", first, a, second, b);
    const int y = q.y + rows * row + (cols ? l->pad / 2 : 0);
    const int after = rd_text_wrap(d, FACE_BOLD, px, rd_rect(q.x, y, q.w, px * 5 / 2), y, INK, t);
    if (!cols) return;  // no bars: no colours to name
    const rd_legend_item items[] = {{RD_SWATCH_FILL, win, "first guess"}, {RD_SWATCH_FILL, LINE, "the others"}};
    rd_legend(d, rd_rect(q.x, ui_max(after, y + px * 5 / 4), q.w, q.y + q.h - after), items, 2);
}

// The canvas, the 28x28 input made of it, the ten probabilities and the maps.
static void canvas_and_guesses_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    title_(d, l->canvas, "draw a digit here (mouse)", "draw here", "draw");
    rd_image(d, l->canvas, &s->draw.canvas[0][0], DRAW_SIDE, DRAW_SIDE, DRAW_SIDE, false, 1);
    rd_frame(d->r, l->canvas, INK, 2);
    title_(d, l->prepared, "28x28, as MNIST", "28x28", "in");
    if (s->draw.ready)
        rd_image(d, l->prepared, s->draw.input, 28, 28, 28, false, 1);
    else
        rd_frame(d->r, l->prepared, LINE, 1);
    if (l->legend.w > 0 && l->legend.h >= maps_key_height(l)) maps_draw_grey_key(d, l->legend, "ink");
    const bool live = s->draw.live && s->host.live_net;
    title_(d, l->probs, live ? "what the live model says" : "what the shipped model says",
           live ? "live model says" : "shipped model says", live ? "live" : "shipped");
    if (!s->draw.ready) {  // why there is nothing to read yet
        rd_text_wrap(d, FACE_SANS, maps_label_px(l), l->probs, l->probs.y, MUTED, s->draw.note);
        return;
    }
    probabilities_(d, live && cnn_steps(s) == 0);
    // What each layer makes of it, with the key to the maps' colours on the right.
    const nn_net *net = live ? s->host.live_net : s->host.draw_net;
    if (!net) return;
    const ui_rect m = l->maps;
    const int key_w = draw_key_w(l);
    maps_plan plan;
    maps_plan_make(&plan, l, net, 0, false, draw_maps_area(l));
    if (plan.n_rows == 0) return;
    maps_draw(d, net, &plan);
    if (m.h >= maps_key_height(l)) maps_draw_scale_key(d, rd_rect(m.x + m.w - key_w, m.y, key_w, m.h));
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
