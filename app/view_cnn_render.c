// view_cnn_render.c - inside the CNN: which test image and what the live
// network says of it, the image with the keys to the colours, then a column
// a layer across the width: the first layer's filters, its maps (clickable),
// and the maps after, each map on its own colour scale.
#include <stdio.h>

#include "keys.h"
#include "render.h"
#include "render_views.h"
#include "view_cnn.h"
#include "view_maps_render.h"

// The headline and, under it, what a click does.
static void headline_(const draw_ *d) {
    const ui_layout *l = d->l;
    char head[400];
    cnn_headline(d->s, head, sizeof head);
    const int y = rd_text_wrap(d, FACE_BOLD, l->text_px, l->progress, l->progress.y, INK, head);
    // The layout left room for the hint, or none when the maps needed it.
    if (l->progress.y + l->progress.h - y >= l->small_px * 5 / 4)
        rd_text_wrap(d, FACE_SANS, l->small_px, l->progress, y, MUTED, cnn_click_hint());
}

// The input as the network reads it (pixel / 255), and the keys to the
// colours below it (or alone, where the input has no room).
static void input_(const draw_ *d) {
    const ui_layout *l = d->l;
    const ui_rect q = l->prepared, k = l->legend;
    if (q.w > 0 && d->s->host.digits) {
        float x[784];
        const uint8_t *px = d->s->host.digits + (size_t)d->s->inspect * 784;
        for (int i = 0; i < 784; i++) x[i] = px[i] * (1.0f / 255.0f);
        const int title_y = q.y - maps_line_h(l->small_px) - l->pad / 3;
        rd_fitted_line(d, FACE_BOLD, l->small_px, rd_rect(q.x, title_y, q.w, maps_line_h(l->small_px)), title_y,
                       INK, "input");
        rd_image(d, q, x, 28, 28, 28, false, 1);
    }
    if (k.w <= 0 || k.h < maps_key_height(l)) return;
    int y = k.y;
    if (k.h >= cnn_keys_height(l)) y = maps_draw_grey_key(d, rd_rect(k.x, y, k.w, k.h), "pixel / 255") + l->pad;
    maps_draw_scale_key(d, rd_rect(k.x, y, k.w, k.h));
}

// The live network's guess, its input, its first layer's filters and maps, and the maps after.
static void network_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    // The view's own run of the live weights on the inspected digit (runtime.c).
    const nn_net *net = s->host.cnn_net ? s->host.cnn_net : s->host.live_net;
    if (!net || net->model->layers[0].spec.kind != NN_LAYER_CONV) {
        // No live model at all has its own reason (the runner's); a model
        // without a convolution is the other story.
        const bool missing = !net && s->host.train_why[0];
        const ui_rect q = rd_rect(l->progress.x, l->progress.y, l->progress.w, l->main.y + l->main.h - l->progress.y);
        rd_text_wrap(d, FACE_SANS, l->text_px, q, q.y, missing ? rd_colour(rd_pal(d)->bad) : MUTED,
                     missing ? s->host.train_why
                             : "The training view's model has no convolution: choose the small CNN or LeNet-5 there.");
        return;
    }
    if (!s->host.cnn_net) return;  // the maps come with the next frame
    headline_(d);
    input_(d);
    // Planned with the layout's font, as the layout planned the clickable maps.
    const ui_metrics metrics = {render_text_width, d->font};
    maps_plan plan;
    maps_plan_make(&plan, l, &metrics, net, 0, true, l->maps);
    maps_draw(d, net, &plan);
}

void render_view_cnn(const draw_ *d) {
    const app_state *s = d->s;
    rd_fill(d->r, d->l->panel, PANEL);
    network_(d);
    rd_buttons(d);
    char hint[300];
    keys_hint(s, 3, hint, sizeof hint);  // from the view's key table (the click is explained at the top)
    rd_footer(d, s->status[0] ? s->status : hint);
}
