// view_cnn_render.c - inside the CNN: the live network's guess for a test
// digit, its first layer's filters and maps (clickable), and the maps after.
#include <math.h>
#include <stdio.h>

#include "render_charts.h"
#include "keys.h"
#include "render_views.h"

// The live network's guess, its first layer's filters and maps, and the maps after.
static void network_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    // The view's own run of the live weights on the inspected digit (runtime.c).
    const nn_net *net = s->host.cnn_net ? s->host.cnn_net : s->host.live_net;
    const int px = l->small_px;
    char t[300];
    if (!net || net->model->layers[0].spec.kind != NN_LAYER_CONV) {
        // No live model at all has its own reason (the runner's); a model
        // without a convolution is the other story.
        const bool missing = !net && s->host.train_why[0];
        rd_text_wrap(d, FACE_SANS, l->text_px, l->progress, l->progress.y, missing ? BAD : MUTED,
                     missing ? s->host.train_why
                             : "The training view's model has no convolution: choose the small CNN or LeNet-5 there.");
        return;
    }
    if (!s->host.cnn_net) return;  // the maps come with the next frame
    const nn_layer *l0 = &net->model->layers[0];
    const int classes = nn_net_classes(net);
    const float *out = net->out[net->model->n_layers - 1];
    int best = 0;
    for (int j = 1; j < classes; j++) best = out[j] > out[best] ? j : best;
    snprintf(t, sizeof t, "test digit %d (a %d): the live network says %d.  Click a cell of a first-layer map to "
                          "open its window in the convolution view.",
             s->inspect, s->host.digit_labels ? s->host.digit_labels[s->inspect] : -1, best);
    rd_text_wrap(d, FACE_SANS, px, l->progress, l->progress.y, INK, t);
    // The first layer's filters, as the network has them now.
    const nn_conv2d_config *cc = &l0->conv.cfg;
    const float *w = net->params + net->slices[0].weights;
    float scale = 1e-6f;
    for (size_t i = 0; i < net->slices[0].n_weights; i++) scale = fmaxf(scale, fabsf(w[i]));
    snprintf(t, sizeof t, "the %d filters of the first layer (%dx%d, live)", cc->filters, cc->k_h, cc->k_w);
    rd_title(d, l->maps.x, l->maps.y, t);
    const int fside = px * 3;
    for (int f = 0; f < cc->filters; f++)
        rd_image(d, rd_rect(l->maps.x + f * (fside + px), l->maps.y + px * 3 / 2, fside, fside),
               w + (size_t)f * l0->conv.window, cc->k_w, cc->k_h, cc->k_w, true, scale);
    // The first layer's maps: clickable grids from the layout.
    int bottom = l->maps.y;
    float mscale = 1e-6f;
    const size_t plane = (size_t)l0->out.h * l0->out.w;
    for (size_t i = 0; i < plane * (size_t)l0->out.c; i++) mscale = fmaxf(mscale, fabsf(net->out[0][i]));
    for (int gi = 0; gi < l->n_grids; gi++) {
        const ui_grid *g = &l->grids[gi];
        if (g->id != GRID_FMAP) continue;
        if (gi == 0) {
            nn_layer_spec_format(&l0->spec, t, 64);
            char title[400];
            snprintf(title, sizeof title, "after %s: %d maps of %dx%d", t, l0->out.c, l0->out.h, l0->out.w);
            rd_title(d, g->r.x, g->r.y - px * 3 / 2, title);
        }
        rd_image(d, g->r, net->out[0] + (size_t)g->channel * plane, l0->out.w, l0->out.h, l0->out.w, true, mscale);
        if (g->r.y + g->r.h > bottom) bottom = g->r.y + g->r.h;
    }
    rd_layer_maps(d, net, rd_rect(l->maps.x, bottom + px, l->maps.w, l->maps.y + l->maps.h - bottom - px), 1);
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
