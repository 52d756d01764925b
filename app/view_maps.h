// view_maps.h - rows of feature maps sized to the room they have, for the
// CNN and drawing views: one side for every map, the largest at which all
// rows fit (a row wraps onto more lines when its maps do not fit across;
// rows that cannot fit at the smallest side are left out, from the last).
// Header-only and SDL-free, so the CNN view's layout (which places its
// clickable first-layer maps) and the renderers plan exactly alike.
#ifndef APP_VIEW_MAPS_H
#define APP_VIEW_MAPS_H

#include <stdbool.h>

#include "state.h"
#include "ui_kit.h"

#define MAPS_MAX_ROWS 12

typedef struct maps_row {
    int layer;         // the layer whose maps the row shows; -1: the first layer's filters
    int n, h, w;       // pictures, and each one's rows and columns of values
    int side;          // each picture's side in pixels (a multiple of h when it can be: square pixels)
    int pitch;         // the width of a column (the filters stand centred over their maps)
    bool labelled;     // each map's scale under it (else the title gives their range)
    int cols;          // pictures a line
    int y, maps_y;     // the row's title, its first line of pictures
    int bottom;        // below its last line (labels included)
} maps_row;

typedef struct maps_plan {
    int n_rows;
    maps_row rows[MAPS_MAX_ROWS];
    int title_h, label_h, gap;
    int x, w, bottom;  // the area's left edge and width; below the last row
    int dropped;       // rows left out to keep the first maps readable
    int limit;         // the area's bottom
} maps_plan;

// The text height of px-size type, as the renderer measures it.
static inline int maps_line_h(int px) { return (px * 1164 + 999) / 1000; }

// The type of the labels under the maps: readable from the back of a room.
static inline int maps_label_px(const ui_layout *l) { return ui_max(l->min_px, l->small_px * 4 / 5); }

// Under this side a map has no room for its "±max" label (its row's title gives the range).
static inline int maps_min_side(const ui_layout *l) { return maps_label_px(l) * 5 / 2; }

// The height of a key (view_maps_render.h): a caption of up to two lines, a bar, its ends.
static inline int maps_key_height(const ui_layout *l) {
    const int px = maps_label_px(l);
    return 3 * maps_line_h(px) + 2 + px;
}

// Whether layer i's output is a row of maps (ReLU is shown by the layer after it).
static inline bool maps_layer_shown(const nn_model *m, int i) {
    return m->layers[i].out.rank == 3 && m->layers[i].spec.kind != NN_LAYER_RELU;
}

// The side a row of h x w pictures is drawn at for side s: a multiple of h
// when s allows (every value the same number of pixels).
static inline int maps_row_side_(int s, int h) { return s >= h ? s / h * h : s; }

// The smallest picture drawn at all (narrower rows wrap onto more lines).
#define MAPS_TINY 16

// Lays out the rows for the first row of maps' side s; returns the bottom.
// The filters stand over the first layer's maps at two thirds of their side;
// a later row takes s too, or less so that it fits across on one line (its
// labels go when they no longer fit under its maps: its title has the scales).
static inline int maps_place_(maps_plan *p, int top, int s, int least) {
    int y = top;
    int s0 = s;
    for (int r = 0; r < p->n_rows; r++)
        if (p->rows[r].layer >= 0) {
            s0 = maps_row_side_(s, p->rows[r].h);
            break;
        }
    bool first_maps = true;
    for (int r = 0; r < p->n_rows; r++) {
        maps_row *row = &p->rows[r];
        if (row->layer < 0) {
            row->side = maps_row_side_(s0 * 2 / 3, row->h);
            const bool over = r + 1 < p->n_rows && p->rows[r + 1].layer == 0;
            row->pitch = over ? s0 : row->side;
        } else if (first_maps) {
            row->side = row->pitch = s0;
            first_maps = false;
        } else {
            const int across = (p->w - (row->n - 1) * p->gap) / row->n;
            row->side = row->pitch = maps_row_side_(ui_max(MAPS_TINY, ui_min(s0, across)), row->h);
        }
        row->cols = ui_max(1, ui_min(row->n, (p->w + p->gap) / (row->pitch + p->gap)));
        const int lines = (row->n + row->cols - 1) / row->cols;
        row->cols = (row->n + lines - 1) / lines;  // lines of even length: 4 + 4, not 7 + 1
        row->labelled = row->layer >= 0 && row->side >= least;
        const int label = row->labelled ? p->label_h : 0;
        row->y = y;
        row->maps_y = y + p->title_h;
        row->bottom = row->maps_y + lines * (row->side + label) + (lines - 1) * p->gap;
        y = row->bottom + p->gap * 2;
    }
    return p->n_rows ? y - p->gap * 2 : top;
}

// Plans the maps of net's layers from `from` on (with the first layer's
// filters first when `filters`) in `area`.
static inline void maps_plan_make(maps_plan *p, const ui_layout *l, const nn_net *net, int from, bool filters,
                                  ui_rect area) {
    *p = (maps_plan){.title_h = maps_line_h(l->small_px) + l->pad / 3,
                     .label_h = maps_line_h(maps_label_px(l)),
                     .gap = ui_max(4, l->pad / 2),
                     .x = area.x,
                     .w = area.w,
                     .limit = area.y + area.h};
    p->bottom = area.y;
    if (!net) return;
    const nn_model *m = net->model;
    if (filters && m->layers[0].spec.kind == NN_LAYER_CONV)
        p->rows[p->n_rows++] = (maps_row){.layer = -1, .n = m->layers[0].conv.cfg.filters,
                                          .h = m->layers[0].conv.cfg.k_h, .w = m->layers[0].conv.cfg.k_w};
    for (int i = from; i < m->n_layers && p->n_rows < MAPS_MAX_ROWS; i++) {
        if (m->layers[i].out.rank != 3) break;
        if (!maps_layer_shown(m, i)) continue;
        p->rows[p->n_rows++] = (maps_row){.layer = i, .n = m->layers[i].out.c, .h = m->layers[i].out.h,
                                          .w = m->layers[i].out.w};
    }
    // The largest side that fits, halving the search; at the smallest side,
    // rows that still do not fit are left out.
    const int least = maps_min_side(l);
    // The first maps at least 3 px a value when rows can be left out for it.
    int first_h = 0;
    for (int r = p->n_rows - 1; r >= 0; r--) first_h = p->rows[r].layer >= 0 ? p->rows[r].h : first_h;
    const int comfort = ui_max(least, 3 * first_h), planned = p->n_rows;
    int lo = least;
    for (;;) {
        lo = least;
        int hi = ui_max(least, ui_min(area.h, area.w));
        while (p->n_rows > 0 && maps_place_(p, area.y, least, least) > area.y + area.h) p->n_rows--;
        if (p->n_rows == 0) {
            p->dropped = planned;
            return;
        }
        while (lo < hi) {
            const int mid = (lo + hi + 1) / 2;
            if (maps_place_(p, area.y, mid, least) <= area.y + area.h) lo = mid;
            else hi = mid - 1;
        }
        if (lo >= comfort || p->n_rows == 1) break;
        // The later rows go first, then the filters (the first maps stay: a click opens their windows).
        if (p->n_rows == 2 && p->rows[0].layer < 0) p->rows[0] = p->rows[1];
        p->n_rows--;
    }
    p->dropped = planned - p->n_rows;
    p->bottom = maps_place_(p, area.y, lo, least);
}

// The screen square of picture k of a planned row.
static inline ui_rect maps_rect(const maps_plan *p, const maps_row *row, int k) {
    const int label = row->labelled ? p->label_h : 0;
    const int line = k / row->cols, col = k % row->cols;
    return ui_rect_at(p->x + col * (row->pitch + p->gap) + (row->pitch - row->side) / 2, row->maps_y + line * (row->side + label + p->gap),
                      row->side, row->side);
}

#endif
