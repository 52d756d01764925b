// view_maps.h - the feature maps of a network's layers laid out as columns
// across the room, for the CNN and drawing views: one column a layer, left to
// right as the data flows (the first layer's filters first when asked), each
// titled with its layer and shape, its maps in a block of lines. The first
// maps are as large as the room allows; later layers' maps are smaller (their
// side goes with the square root of their size), never under the side that
// holds their "±max" label. Columns that do not fit at that side are left
// out, from the last (the renderer says how many: "N more layers: zoom out").
// Header-only and SDL-free, so the CNN view's layout (which places its
// clickable first-layer maps) and the renderers plan exactly alike.
#ifndef APP_VIEW_MAPS_H
#define APP_VIEW_MAPS_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "state.h"
#include "ui_kit.h"

#define MAPS_MAX_COLS 12

// The smallest a filter is drawn (no label under it: its scale is the title's).
#define MAPS_FILTER_LEAST 20

typedef struct maps_col {
    int layer;     // the layer whose maps the column shows; -1: the first layer's filters
    int n, h, w;   // pictures, and each one's rows and columns of values
    int side;      // each picture's side in pixels (a multiple of h when that keeps it readable)
    bool labelled; // each map's "±max" under it (the filters: one scale, in the title)
    int across;    // pictures a line
    int lines;     // lines of pictures
    int x, width;  // the column's left edge and width (the pictures centred in it)
} maps_col;

typedef struct maps_plan {
    int n_cols;
    maps_col cols[MAPS_MAX_COLS];
    int title_h;       // the two title lines: the layer, its shape
    int name_px, shape_px;
    int label_h, gap;  // a map's label; between pictures
    int col_gap;       // the least room between columns
    int y, maps_y;     // the titles' top, the first line of pictures
    int x, w, h;       // the area
    int bottom;        // below the tallest column
    int dropped;       // layers left out: no room even at the smallest side (said on a line under the columns)
} maps_plan;

// The text height of px-size type, as the renderer measures it.
static inline int maps_line_h(int px) { return (px * 1164 + 999) / 1000; }

// The type of the labels under the maps: readable from the back of a room.
static inline int maps_label_px(const ui_layout *l) { return ui_max(l->min_px, l->small_px * 4 / 5); }

// Under this side a map has no room for its "±max" label.
static inline int maps_min_side(const ui_layout *l) { return maps_label_px(l) * 5 / 2; }

// The height of a key (view_maps_render.h): a caption of up to two lines, a bar, its ends.
static inline int maps_key_height(const ui_layout *l) {
    const int px = maps_label_px(l);
    return 3 * maps_line_h(px) + 2 + px;
}

// Whether layer i's output is a column of maps (ReLU is shown by the layer after it).
static inline bool maps_layer_shown(const nn_model *m, int i) {
    return m->layers[i].out.rank == 3 && m->layers[i].spec.kind != NN_LAYER_RELU;
}

// Text width at px (bold a tenth wider), or an estimate without a font (tests).
static inline int maps_measure(const ui_metrics *m, const char *t, int px, bool bold) {
    const int w = m && m->text_width ? m->text_width(m->ctx, t, px, false) : (int)strlen(t) * px * 6 / 10;
    return bold ? w * 11 / 10 : w;
}

// A column's titles: its layer in full ("conv(8,5,pad=2)") and short
// ("conv"), and its shape ("8 x 28x28"); the filters' titles carry their
// one scale elsewhere (view_maps_render.h), so the shape says "filters".
static inline void maps_col_titles(const nn_net *net, const maps_col *c, char *full, char *brief, char *shape,
                                   size_t size) {
    if (c->layer < 0) {
        snprintf(full, size, "filters");
        snprintf(brief, size, "filters");
        snprintf(shape, size, "%d x %dx%d", c->n, c->h, c->w);
        return;
    }
    char name[64];
    nn_layer_spec_format(&net->model->layers[c->layer].spec, name, sizeof name);
    snprintf(full, size, "%s", name);
    const char *paren = strchr(name, '(');
    snprintf(brief, size, "%.*s", paren ? (int)(paren - name) : (int)strlen(name), name);
    snprintf(shape, size, "%d x %dx%d", c->n, c->h, c->w);
}

// The narrowest a column's titles let it be: its short name and its shape.
static inline int maps_title_min_w(const maps_plan *p, const ui_metrics *m, const nn_net *net, const maps_col *c) {
    char full[80], brief[80], shape[80];
    maps_col_titles(net, c, full, brief, shape, sizeof full);
    return ui_max(maps_measure(m, brief, p->name_px, true), maps_measure(m, shape, p->shape_px, false));
}

// s pixels for an h-value picture, down to a multiple of h (every value the
// same number of pixels) when that stays at least `least`.
static inline int maps_snap_(int s, int h, int least) {
    const int t = s / h * h;
    return t >= least && t > 0 ? t : s;
}

// Sizes column c for the first maps' side s in the plan's height; false
// when even one picture a line does not fit it.
static inline bool maps_size_col_(const maps_plan *p, maps_col *c, int s, int h0, int least) {
    if (c->layer < 0) {
        c->side = maps_snap_(ui_max(MAPS_FILTER_LEAST, s * 2 / 3), c->h, MAPS_FILTER_LEAST);
        c->labelled = false;
    } else {
        const int scaled = (int)lroundf((float)s * sqrtf((float)c->h / (float)h0));
        c->side = maps_snap_(ui_max(least, ui_min(s, scaled)), c->h, least);
        c->labelled = true;
    }
    const int label = c->labelled ? p->label_h : 0;
    const int room = p->h - p->title_h;
    const int fit = (room + p->gap) / (c->side + label + p->gap);
    if (fit < 1) return false;
    c->lines = ui_min(c->n, fit);
    c->across = (c->n + c->lines - 1) / c->lines;
    c->lines = (c->n + c->across - 1) / c->across;  // lines of even length: 4 + 4, not 7 + 1
    return true;
}

// The width all columns take at first side s (each at least its titles' width).
static inline int maps_total_w_(maps_plan *p, const int *title_w, int s, int h0, int least) {
    int total = 0;
    for (int i = 0; i < p->n_cols; i++) {
        maps_col *c = &p->cols[i];
        if (!maps_size_col_(p, c, s, h0, least)) return -1;
        c->width = ui_max(title_w[i], c->across * c->side + (c->across - 1) * p->gap);
        total += c->width + (i ? p->col_gap : 0);
    }
    return total;
}

// Plans the maps of net's layers from `from` on (with the first layer's
// filters first when `filters`) as columns in `area`; m measures the titles
// (NULL: an estimate).
static inline void maps_plan_make(maps_plan *p, const ui_layout *l, const ui_metrics *m, const nn_net *net, int from,
                                  bool filters, ui_rect area) {
    const int name_px = l->small_px, shape_px = maps_label_px(l);
    *p = (maps_plan){.title_h = maps_line_h(name_px) + maps_line_h(shape_px) + l->pad / 3,
                     .name_px = name_px,
                     .shape_px = shape_px,
                     .label_h = maps_line_h(shape_px),
                     .gap = ui_max(4, l->pad / 2),
                     .col_gap = ui_max(8, l->pad),
                     .y = area.y,
                     .x = area.x,
                     .w = area.w,
                     .h = area.h};
    p->maps_y = area.y + p->title_h;
    p->bottom = area.y;
    if (!net) return;
    const nn_model *md = net->model;
    if (filters && md->layers[0].spec.kind == NN_LAYER_CONV)
        p->cols[p->n_cols++] = (maps_col){.layer = -1, .n = md->layers[0].conv.cfg.filters,
                                          .h = md->layers[0].conv.cfg.k_h, .w = md->layers[0].conv.cfg.k_w};
    for (int i = from; i < md->n_layers && p->n_cols < MAPS_MAX_COLS; i++) {
        if (md->layers[i].out.rank != 3) break;
        if (!maps_layer_shown(md, i)) continue;
        p->cols[p->n_cols++] = (maps_col){.layer = i, .n = md->layers[i].out.c, .h = md->layers[i].out.h,
                                          .w = md->layers[i].out.w};
    }
    const int planned = p->n_cols;
    int h0 = 0;  // the first maps' size: later maps are scaled against it
    for (int i = p->n_cols - 1; i >= 0; i--) h0 = p->cols[i].layer >= 0 ? p->cols[i].h : h0;
    int title_w[MAPS_MAX_COLS];
    for (int i = 0; i < p->n_cols; i++) title_w[i] = maps_title_min_w(p, m, net, &p->cols[i]);
    const int least = maps_min_side(l);
    // Columns left out from the last until the rest fit at the smallest side;
    // then the largest first side that fits (wider sides only take more room).
    for (int pass = 0; pass < 2; pass++) {
        for (; p->n_cols > 0; p->n_cols--) {
            const int at_least = maps_total_w_(p, title_w, least, h0, least);
            if (at_least >= 0 && at_least <= p->w) break;
        }
        p->dropped = planned - p->n_cols;
        if (p->dropped == 0 || pass) break;
        // A line at the bottom says what is left out: the columns go above it.
        p->h = ui_max(0, area.h - p->label_h - p->gap);
        p->n_cols = planned;
    }
    if (p->n_cols == 0) return;
    int s = ui_max(least, ui_min(area.w, area.h));
    while (s > least) {
        const int total = maps_total_w_(p, title_w, s, h0, least);
        if (total >= 0 && total <= p->w) break;
        s--;
    }
    const int total = maps_total_w_(p, title_w, s, h0, least);
    // The room left over goes between the columns, so the network reads
    // across the whole width.
    const int between = p->n_cols > 1 ? (p->w - total) / (p->n_cols - 1) : 0;
    int x = area.x;
    for (int i = 0; i < p->n_cols; i++) {
        maps_col *c = &p->cols[i];
        c->x = x;
        x += c->width + p->col_gap + between;
        const int label = c->labelled ? p->label_h : 0;
        p->bottom = ui_max(p->bottom, p->maps_y + c->lines * (c->side + label) + (c->lines - 1) * p->gap);
    }
}

// The screen square of picture k of a planned column.
static inline ui_rect maps_rect(const maps_plan *p, const maps_col *c, int k) {
    const int label = c->labelled ? p->label_h : 0;
    const int block = c->across * c->side + (c->across - 1) * p->gap;
    const int line = k / c->across, col = k % c->across;
    return ui_rect_at(c->x + (c->width - block) / 2 + col * (c->side + p->gap), p->maps_y + line * (c->side + label + p->gap),
                      c->side, c->side);
}

#endif
