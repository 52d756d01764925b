// view_cnn.c - inside the CNN: the live network's first-layer filters and
// every layer's maps of one test digit; a click on a first-layer map cell
// opens the convolution view on exactly that window. The runtime computes
// the maps (the renderer only shows them). Its renderer is view_cnn_render.c.
#include <stdio.h>

#include "update.h"
#include "views.h"

// Inside the CNN: the first layer's filters, then each layer's maps of one
// digit; the first layer's maps are grids, so a click opens that window.
static void layout_(ui_layout *l, const app_state *s, const ui_metrics *metrics) {
    (void)metrics;
    ui_panel p = layout_panel(l);
    layout_two_buttons(&p, "next digit", ACT_INSPECT_NEXT, 0, "training", ACT_OPEN_VIEW, VIEW_TRAIN);
    const ui_rect m = l->main;
    l->progress = ui_rect_at(m.x + l->pad, m.y + l->pad, m.w - 2 * l->pad, l->text_px * 2);
    l->maps = ui_rect_at(m.x + l->pad, l->progress.y + l->progress.h, m.w - 2 * l->pad,
                    m.y + m.h - (l->progress.y + l->progress.h));
    const nn_net *net = s->host.live_net;
    if (!net || net->model->layers[0].spec.kind != NN_LAYER_CONV) return;
    const nn_layer *l0 = &net->model->layers[0];
    // Row 1: filters (drawn by render); row 2: layer 0's maps, big enough to click.
    const int n = l0->out.c;
    const int gap = l->pad / 2;
    const int filters_h = l->small_px * 5;
    int side = (l->maps.w - (n - 1) * gap) / n;
    side = ui_min(side, (l->maps.h - filters_h) / 3);
    const int cell = ui_max(1, side / ui_max(l0->out.h, l0->out.w));
    const int y = l->maps.y + filters_h + l->small_px * 2;
    for (int f = 0; f < n && l->n_grids < LAYOUT_MAX_GRIDS; f++) {
        char t[32];
        snprintf(t, sizeof t, "%d", f + 1);
        layout_grid(l, GRID_FMAP, f, l0->out.h, l0->out.w, 0, 0, l->maps.x + f * (cell * l0->out.w + gap), y, cell, t);
    }
}

// Opens the convolution view on the window behind one cell of the live CNN's
// first feature maps: the test digit, that filter's live weights and bias.
static void open_feature_window_(app_state *s, const cell_ref *c) {
    const nn_net *net = s->host.live_net;
    if (!net || !s->host.digits || net->model->layers[0].spec.kind != NN_LAYER_CONV) return;
    const nn_conv2d_geom *g = &net->model->layers[0].conv;
    const nn_conv2d_config *cc = &g->cfg;
    if (cc->in_c > VIEW_MAX_C || cc->k_h > VIEW_MAX_K || cc->k_h != cc->k_w || cc->in_h > VIEW_MAX_N ||
        cc->in_w > VIEW_MAX_N || g->rows.pad_lo > 3 || g->cols.pad_lo > 3 || cc->stride > 4 || cc->dilation > 3 ||
        c->channel < 0 || c->channel >= cc->filters) {
        snprintf(s->status, sizeof s->status, "this layer is too large for the convolution view");
        return;
    }
    conv_setup cs = s->conv.setup;
    cs.channels = cc->in_c;
    cs.n_h = cc->in_h;
    cs.n_w = cc->in_w;
    cs.k = cc->k_h;
    cs.padding = cc->padding;
    cs.stride = cc->stride;
    cs.dilation = cc->dilation;
    cs.preset = PRESET_CUSTOM;
    const float *w = net->params + net->slices[0].weights + (size_t)c->channel * g->window;
    cs.bias = net->params[net->slices[0].bias + c->channel];
    for (int ch = 0; ch < cc->in_c; ch++)
        for (int y = 0; y < cc->k_h; y++)
            for (int x = 0; x < cc->k_w; x++) cs.kernel[ch][y][x] = w[(ch * cc->k_h + y) * cc->k_w + x];
    // The network's own input: pixel / 255, exactly.
    const uint8_t *px = s->host.digits + (size_t)s->inspect * 784;
    for (int ch = 0; ch < cc->in_c; ch++)
        for (int y = 0; y < cc->in_h; y++)
            for (int x = 0; x < cc->in_w; x++)
                cs.input[ch][y][x] = y < 28 && x < 28 ? px[y * 28 + x] * (1.0f / 255.0f) : 0.0f;
    s->digit = -1;
    s->back_view = VIEW_CNN;  // Esc returns to the maps it was opened from
    s->view = VIEW_CONV;
    app_set_conv(s, &cs);
    const app_action jump = {.kind = ACT_JUMP_TO_OUTPUT, .row = c->row, .col = c->col};
    app_update(s, &jump);
    snprintf(s->status, sizeof s->status,
             "filter %d of the live network on test digit %d, output (%d, %d): the same numbers the network computed",
             c->channel + 1, s->inspect, c->row, c->col);
}

static void update_(app_state *s, const app_action *a) {
    if (a->kind == ACT_SELECT_CELL && a->cell.grid == GRID_FMAP) {
        open_feature_window_(s, &a->cell);
        return;
    }
    app_request_training(s, a, 0);
}

static const key_binding keys_[] = {
    TRAINER_KEYS,
    INSPECT_KEYS,
};

static void reset_(app_state *s) { s->inspect = 0; }

const view_def view_cnn = {
    .id = VIEW_CNN,
    .name = "cnn",
    .title = "inside the CNN",
    .menu = "Inside the CNN",
    .keys = KEY_TABLE("inside the CNN", keys_),
    .mouse = "click a cell of a first-layer map to open its window in the convolution view",
    .has_panel = true,
    .needs = VIEW_NEEDS_LIVE_MAPS,
    .layout = layout_,
    .update = update_,
    .reset = reset_,
};
