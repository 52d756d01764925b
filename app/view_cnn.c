// view_cnn.c - inside the CNN: the live network's first-layer filters and
// every layer's maps of one test digit; a click on a first-layer map cell
// opens the convolution view on exactly that window. The runtime computes
// the maps (the renderer only shows them). Its renderer is view_cnn_render.c.
#include <stdio.h>
#include <string.h>

#include "update.h"
#include "view_cnn.h"
#include "view_conv_open.h"
#include "view_maps.h"
#include "views.h"

// Text width at px (bold a tenth wider), or an estimate without a font.
static int measure_(const ui_metrics *m, const char *t, int px, bool bold) {
    return m ? m->text_width(m->ctx, t, px, false) * (bold ? 11 : 10) / 10 : (int)strlen(t) * px * 6 / 10;
}

// Lines a text takes wrapped at spaces to width w (as rd_text_wrap wraps it).
static int wrap_lines_(const ui_metrics *m, const char *t, int px, bool bold, int w) {
    int lines = 1, x = 0;
    char word[128];
    for (const char *p = t; *p;) {
        int n = 0;
        while (p[n] && p[n] != ' ' && n < (int)sizeof word - 1) n++;
        memcpy(word, p, (size_t)n);
        word[n] = '\0';
        const int ww = measure_(m, word, px, bold), space = measure_(m, " ", px, bold);
        if (x > 0 && x + space + ww > w) lines++, x = ww;
        else x += (x > 0 ? space : 0) + ww;
        p += n;
        while (*p == ' ') p++;
    }
    return lines;
}

// The panel holds two buttons only: as narrow as one of them (stacked), so
// the maps have the width.
static void narrow_panel_(ui_layout *l, const ui_metrics *metrics) {
    layout_narrow_panel(l, ui_max(measure_(metrics, "next digit", l->small_px, false),
                                  measure_(metrics, "training", l->small_px, false)));
}

// Inside the CNN: the headline (which image, what the network says), then
// the input on the left with the keys to its colours, and across the rest
// of the width a column a layer: the first layer's filters, its maps (grids:
// a click opens that window), and each later layer's maps, as large as the
// room allows.
static void layout_(ui_layout *l, const app_state *s, const ui_metrics *metrics) {
    narrow_panel_(l, metrics);
    ui_panel p = layout_panel(l);
    layout_button(l, ui_rect_at(p.x, p.y, p.w, p.row_h), "next digit", ACT_INSPECT_NEXT, 0);
    p.y += p.row_h + p.gap;
    layout_button(l, ui_rect_at(p.x, p.y, p.w, p.row_h), "training", ACT_OPEN_VIEW, VIEW_TRAIN);
    p.y += p.row_h + p.gap;
    const ui_rect m = l->main;
    const int w = m.w - 2 * l->pad;
    char head[400];
    cnn_headline(s, head, sizeof head);
    // Lines as rd_text_wrap advances them (5/4 of the type); the hint only
    // where the maps keep room for a readable column under it.
    int head_h = l->text_px * 5 / 4 * wrap_lines_(metrics, head[0] ? head : "x", l->text_px, true, w);
    const int hint_h = l->small_px * 5 / 4 * wrap_lines_(metrics, cnn_click_hint(), l->small_px, false, w);
    if (m.h - 3 * l->pad - head_h - hint_h >= 3 * maps_min_side(l)) head_h += hint_h;
    l->progress = ui_rect_at(m.x + l->pad, m.y + l->pad, w, ui_min(head_h, m.h - 2 * l->pad));
    const int top = l->progress.y + l->progress.h + l->pad;
    const int avail_h = m.y + m.h - l->pad - top;
    // The input: a sixth of the width at most, over the keys.
    const int title_h = maps_line_h(l->small_px) + l->pad / 3;
    const int key_w = ui_max(maps_label_px(l) * 7, maps_min_side(l) * 2);
    int side = ui_min(w / 6, avail_h - title_h - cnn_keys_height(l) - l->pad);
    side = side >= 28 ? side / 28 * 28 : side;
    if (side < maps_min_side(l)) side = 0;  // no room: the maps first, with the keys beside them
    l->prepared = ui_rect_at(m.x + l->pad, top + title_h, side, side);
    const int col_w = ui_max(side, key_w);
    if (side)
        l->legend = ui_rect_at(l->prepared.x, l->prepared.y + side + l->pad, col_w, cnn_keys_height(l));
    else  // the maps' colours at least, when the grey of the input has no room
        l->legend = ui_rect_at(m.x + l->pad, top, col_w,
                               cnn_keys_height(l) <= avail_h   ? cnn_keys_height(l)
                               : maps_key_height(l) <= avail_h ? maps_key_height(l)
                                                               : 0);
    const int maps_x = l->legend.x + col_w + l->pad * 3;
    l->maps = ui_rect_at(maps_x, top, m.x + m.w - l->pad - maps_x, avail_h);
    const nn_net *net = s->host.live_net;
    if (!net || net->model->layers[0].spec.kind != NN_LAYER_CONV) return;
    // The first layer's maps are grids (for the click) where the plan puts them.
    maps_plan plan;
    maps_plan_make(&plan, l, metrics, net, 0, true, l->maps);
    for (int c = 0; c < plan.n_cols; c++) {
        const maps_col *col = &plan.cols[c];
        if (col->layer != 0) continue;
        const int cell = ui_max(1, col->side / ui_max(col->h, col->w));
        for (int f = 0; f < col->n && l->n_grids < LAYOUT_MAX_GRIDS; f++) {
            const ui_rect q = maps_rect(&plan, col, f);
            char t[32];
            snprintf(t, sizeof t, "%d", f + 1);
            layout_grid(l, GRID_FMAP, f, col->h, col->w, 0, 0, q.x, q.y, cell, t);
        }
    }
}

// Opens the convolution view on the window behind one cell of the live CNN's
// first feature maps: the test digit, that filter's live weights and bias.
static void open_feature_window_(app_state *s, const cell_ref *c) {
    const nn_net *net = s->host.live_net;
    if (!net || !s->host.digits) return;
    // The network's own input: pixel / 255, exactly.
    float input[28 * 28];
    const uint8_t *px = s->host.digits + (size_t)s->inspect * 784;
    for (int i = 0; i < 28 * 28; i++) input[i] = px[i] * (1.0f / 255.0f);
    char why[300];
    if (!conv_open_from_net(s, net, input, 0, c->channel, c->row, c->col, VIEW_CNN, why, sizeof why)) {
        snprintf(s->status, sizeof s->status, "%s", why);
        return;
    }
    snprintf(s->status, sizeof s->status,
             "filter %d of the live network on test image #%d, output (%d, %d): the same numbers the network computed",
             c->channel + 1, s->inspect, c->row, c->col);
}

static void update_(app_state *s, const app_action *a) {
    if (a->kind == ACT_SELECT_CELL && a->cell.grid == GRID_FMAP) {
        open_feature_window_(s, &a->cell);
        return;
    }
    // --digit N and a lesson's `digit N`: the test image to look inside with.
    if (a->kind == ACT_LOAD_DIGIT) {
        if (s->host.n_digits > 0) s->inspect = a->value < 0 ? (s->inspect + 1) % s->host.n_digits
                                                            : a->value % s->host.n_digits;
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
