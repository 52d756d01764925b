// view_draw_render.c - the drawing canvas: the digit as drawn and as the
// model sees it (with the keys to its grey and to the maps' colours), the
// ten probabilities as bars (drawn empty before the first stroke), and the
// feature maps it makes, a column a layer, each map on its own colour scale.
#include <stdio.h>

#include "format.h"
#include "keys.h"
#include "render.h"
#include "render_record.h"
#include "render_views.h"
#include "view_cnn.h"
#include "view_draw.h"
#include "view_maps_render.h"

// The fill of the bars that are not the first guess: darker than their track's frame.
static const SDL_Color OTHERS = {150, 154, 163, 255};

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

// Notes a bar (or its track) for --layout-json: its digit as the text.
static void note_bar_(const char *role, int digit, ui_rect q) {
    char t[4];
    snprintf(t, sizeof t, "%d", digit);
    render_record_add(REC_IMAGE, role, t, q, 0);
}

// The ten probabilities as bars on tracks of one length with their
// percentages (as fmt_percent writes them, so a bar and its number agree),
// the first guess in the winner's colour; before a drawing the tracks empty
// and the hint. Then the guesses and the legend.
static void probabilities_(const draw_ *d, bool ready, bool untrained) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const ui_rect q = l->probs;
    const int px = draw_probs_px(l), row = draw_probs_row(l), line = maps_line_h(px);
    const bool hidden = ready && quiz_hides(s, QUIZ_GUESS);  // a quiz asks which digit it sees
    ready = ready && !hidden;
    const SDL_Color win = rd_colour(rd_pal(d)->winner);
    int first, second;
    guesses_(s->draw.probs, &first, &second);
    // Short of height: two columns of five, or the guesses alone.
    const int cols = draw_probs_cols(l), rows = cols ? 10 / cols : 0;
    const int col_w = cols ? (q.w - (cols - 1) * px) / cols : 0;
    const int digit_w = rd_width(d, FACE_BOLD, px, "0") + px / 2;
    const int pct_w = rd_width(d, FACE_SANS, px, "100.0%") + px / 2;
    const int track_w = col_w - digit_w - pct_w;
    const int bar_h = ui_max(4, ui_min(row - 4, line));
    char t[440], a[32], b[32];
    for (int j = 0; j < 10 && cols && track_w > 0; j++) {
        const int x = q.x + j / rows * (col_w + px), y = q.y + j % rows * row;
        const bool win_j = ready && j == first;
        snprintf(t, sizeof t, "%d", j);
        rd_text(d, FACE_BOLD, px, x, y + (row - line) / 2, win_j ? win : INK, t);
        const ui_rect track = rd_rect(x + digit_w, y + (row - bar_h) / 2, track_w, bar_h);
        rd_frame(d->r, track, LINE, 1);
        note_bar_("bar track", j, track);
        if (!ready) continue;
        const ui_rect bar = rd_rect(track.x, track.y, draw_bar_len(s->draw.probs[j], track_w), bar_h);
        rd_fill(d->r, bar, win_j ? win : OTHERS);
        note_bar_("bar", j, bar);
        fmt_percent(s->draw.probs[j], t, sizeof t);
        const int tw = rd_width(d, FACE_SANS, px, t);
        rd_text(d, win_j ? FACE_BOLD : FACE_SANS, px, track.x + track_w + pct_w - tw, y + (row - line) / 2,
                win_j ? INK : MUTED, t);
    }
    fmt_percent(s->draw.probs[first], a, sizeof a);
    fmt_percent(s->draw.probs[second], b, sizeof b);
    if (hidden)
        snprintf(t, sizeof t, "hidden until you answer the quiz");
    else if (!ready)
        snprintf(t, sizeof t, "%s", s->draw.note);
    else if (untrained)
        snprintf(t, sizeof t, "the live model is untrained: its first guess %d (%s) means nothing yet", first, a);
    else
        snprintf(t, sizeof t, "first guess %d (%s), second %d (%s)", first, a, second, b);
    if (ready && !untrained && rd_width(d, FACE_BOLD, px, t) > q.w * 3 / 2)  // two lines would cut it: the first alone
        snprintf(t, sizeof t, "first guess %d (%s)", first, a);
    const int y = q.y + rows * row + (cols ? l->pad / 2 : 0);
    const int after = rd_text_wrap(d, ready ? FACE_BOLD : FACE_SANS, px, rd_rect(q.x, y, q.w, px * 5 / 2), y,
                                   ready ? INK : MUTED, t);
    if (!cols) return;  // no bars: no colours to name
    const rd_legend_item items[] = {{RD_SWATCH_FILL, win, "first guess"}, {RD_SWATCH_FILL, OTHERS, "the others"}};
    rd_legend(d, rd_rect(q.x, ui_max(after, y + px * 5 / 4), q.w, q.y + q.h - after), items, 2);
}

// The canvas, the 28x28 input made of it, the ten probabilities and the maps.
static void canvas_and_guesses_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    // A dropped picture is on the canvas until the pen draws again.
    if (s->draw.dropped)
        title_(d, l->canvas, "the dropped picture", "dropped", "file");
    else
        title_(d, l->canvas, "draw a digit here (mouse)", "draw here", "draw");
    rd_image(d, l->canvas, &s->draw.canvas[0][0], DRAW_SIDE, DRAW_SIDE, DRAW_SIDE, false, 1);
    rd_frame(d->r, l->canvas, INK, 2);
    title_(d, l->prepared, "28x28, as MNIST", "28x28", "in");
    if (s->draw.ready)
        rd_image(d, l->prepared, s->draw.input, 28, 28, 28, false, 1);
    else
        rd_frame(d->r, l->prepared, LINE, 1);
    const nn_net *net = draw_net(s);
    const ui_metrics metrics = {render_text_width, d->font};
    maps_plan plan = {0};
    if (net && l->maps.h > 0) maps_plan_make(&plan, l, &metrics, net, 0, false, l->maps);
    const ui_rect k = l->legend;
    if (k.w > 0 && k.h >= maps_key_height(l)) {
        const int y = maps_draw_grey_key(d, k, "ink") + l->pad;
        // The maps' key only with maps on screen to explain.
        if (plan.n_cols > 0 && k.y + k.h - y >= maps_key_height(l))
            maps_draw_scale_key(d, rd_rect(k.x, y, k.w, k.y + k.h - y));
    }
    const bool live = s->draw.live && s->host.live_net;
    title_(d, l->probs, live ? "what the live model says" : "what the shipped model says",
           live ? "live model says" : "shipped model says", live ? "live" : "shipped");
    probabilities_(d, s->draw.ready, live && cnn_steps(s) == 0);
    // What each layer makes of the drawing, a column a layer.
    if (!net || l->maps.h <= 0) return;
    if (plan.n_cols == 0 && plan.dropped > 0 && l->maps.h > 0) {  // no room for any map
        const int px = maps_label_px(l);
        char t[120];
        snprintf(t, sizeof t, "maps of %d layers: zoom out to see them", plan.dropped);
        rd_text_wrap(d, FACE_SANS, px, l->maps, l->maps.y, MUTED, t);
    } else if (s->draw.ready) {
        maps_draw(d, net, &plan);
    } else if (l->maps.w > 0) {
        const int px = maps_label_px(l);
        rd_fitted_line(d, FACE_SANS, px, rd_rect(l->maps.x, l->maps.y, l->maps.w, maps_line_h(px)), l->maps.y, MUTED,
                       "what each layer makes of the drawing appears here");
    }
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
