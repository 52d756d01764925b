// view_maps_render.h - drawing the rows of feature maps the CNN and drawing
// views plan with view_maps.h: each map on its own colour scale (its largest
// |value|, written under it), the first layer's filters on one shared scale,
// and the keys that name the colours (the maps' diverging scale, the grey
// of an input). Header-only (static inline): two renderers share it.
#ifndef APP_VIEW_MAPS_RENDER_H
#define APP_VIEW_MAPS_RENDER_H

#include <math.h>
#include <stdio.h>

#include "format.h"
#include "render_kit.h"
#include "view_maps.h"

// Largest |v| of n values (0 when all are 0).
static inline float maps_max_abs_(const float *v, size_t n) {
    float m = 0;
    for (size_t i = 0; i < n; i++) m = fmaxf(m, fabsf(v[i]));
    return m;
}

// "±0.51" under a map: the value its full colour stands for.
static inline void maps_scale_label_(float max, char *buf, size_t size) {
    char v[32];
    fmt_sig(max, 2, v, sizeof v);
    if (max > 0) snprintf(buf, size, "\xc2\xb1%s", v);
    else snprintf(buf, size, "all 0");
}

// Centred under q, when it fits the column (pitch + gap) without touching the next.
static inline void maps_label_(const draw_ *d, ui_rect q, int room, const char *t) {
    const int px = maps_label_px(d->l);
    const int tw = rd_width(d, FACE_SANS, px, t);
    if (tw > room) return;
    rd_text(d, FACE_SANS, px, q.x + (q.w - tw) / 2, q.y + q.h, MUTED, t);
}

// The range of a row's own scales: "±0.26 to ±4.4".
static inline void maps_range_(const nn_net *net, const maps_row *row, char *buf, size_t size) {
    const size_t plane = (size_t)row->h * row->w;
    float least = INFINITY, most = 0;
    for (int k = 0; k < row->n; k++) {
        const float mx = maps_max_abs_(net->out[row->layer] + (size_t)k * plane, plane);
        least = fminf(least, mx), most = fmaxf(most, mx);
    }
    char lo[24], hi[24];
    fmt_sig(least, 2, lo, sizeof lo);
    fmt_sig(most, 2, hi, sizeof hi);
    snprintf(buf, size, "\xc2\xb1%s to \xc2\xb1%s", lo, hi);
}

// The row's title, the longest form that fits: which layer, how many maps of
// what size; the filters' shared scale, or the range of the maps' own
// scales when they are too small to have them written under them.
static inline void maps_title_(const draw_ *d, const nn_net *net, const maps_plan *p, const maps_row *row,
                               float filter_max) {
    char t[3][200], name[64], v[64];
    if (row->layer < 0) {
        fmt_sig(filter_max, 2, v, sizeof v);
        snprintf(t[0], sizeof t[0], "the %d filters of the first layer (%dx%d), one scale for all: \xc2\xb1%s",
                 row->n, row->h, row->w, v);
        snprintf(t[1], sizeof t[1], "%d first-layer filters, %dx%d, one scale: \xc2\xb1%s", row->n, row->h, row->w, v);
        snprintf(t[2], sizeof t[2], "filters, one scale: \xc2\xb1%s", v);
    } else {
        nn_layer_spec_format(&net->model->layers[row->layer].spec, name, sizeof name);
        if (row->labelled) {
            snprintf(t[0], sizeof t[0], "after %s: %d maps of %dx%d", name, row->n, row->h, row->w);
            snprintf(t[1], sizeof t[1], "%s: %d maps, %dx%d", name, row->n, row->h, row->w);
            snprintf(t[2], sizeof t[2], "%s", name);
        } else {
            maps_range_(net, row, v, sizeof v);
            snprintf(t[0], sizeof t[0], "after %s: %d maps of %dx%d, scales %s", name, row->n, row->h, row->w, v);
            snprintf(t[1], sizeof t[1], "%s: %d maps, %dx%d, %s", name, row->n, row->h, row->w, v);
            snprintf(t[2], sizeof t[2], "%s: %s", name, v);
        }
    }
    const int px = d->l->small_px;
    int pick = 0;
    while (pick < 2 && rd_width(d, FACE_BOLD, px, t[pick]) > p->w) pick++;
    rd_fitted_line(d, FACE_BOLD, px, rd_rect(p->x, row->y, p->w, p->title_h), row->y, INK, t[pick]);
}

// Draws the planned rows of net's maps (and filters).
static inline void maps_draw(const draw_ *d, const nn_net *net, const maps_plan *p) {
    const nn_model *m = net->model;
    const float *w = net->params + net->slices[0].weights;
    const size_t window = m->layers[0].spec.kind == NN_LAYER_CONV ? (size_t)m->layers[0].conv.window : 0;
    const float filter_max = window ? maps_max_abs_(w, net->slices[0].n_weights) : 0;
    for (int r = 0; r < p->n_rows; r++) {
        const maps_row *row = &p->rows[r];
        maps_title_(d, net, p, row, filter_max);
        const size_t plane = (size_t)row->h * row->w;
        for (int k = 0; k < row->n; k++) {
            const ui_rect q = maps_rect(p, row, k);
            if (row->layer < 0) {
                rd_image(d, q, w + (size_t)k * window, row->w, row->h, row->w, true, filter_max > 0 ? filter_max : 1);
                continue;
            }
            const float *v = net->out[row->layer] + (size_t)k * plane;
            const float max = maps_max_abs_(v, plane);
            rd_image(d, q, v, row->w, row->h, row->w, true, max > 0 ? max : 1);
            if (!row->labelled) continue;
            char t[40];
            maps_scale_label_(max, t, sizeof t);
            maps_label_(d, q, row->pitch + p->gap - 2, t);
        }
    }
    // What is not shown, when there is a line for it.
    const int px = maps_label_px(d->l);
    if (p->dropped > 0 && p->bottom + p->gap + maps_line_h(px) <= p->limit) {
        char t[120];
        snprintf(t, sizeof t, "+%d layer%s: no room", p->dropped, p->dropped == 1 ? "" : "s");
        rd_fitted_line(d, FACE_SANS, px, rd_rect(p->x, p->bottom + p->gap, p->w, maps_line_h(px)),
                       p->bottom + p->gap, MUTED, t);
    }
}

// A bar with a caption above (first and second part on one line when they
// fit, else on two, each shrunk to fit) and labels at its ends (and middle): a key.
static inline int maps_bar_key_(const draw_ *d, ui_rect q, const char *first, const char *second,
                                const char *second_short, const char *lo,
                                const char *mid, const char *hi, bool grey) {
    const int px = maps_label_px(d->l), line = maps_line_h(px);
    char both[160];
    snprintf(both, sizeof both, "%s%s%s", first, second[0] ? " " : "", second);
    int y = q.y;
    if (!second[0] || rd_width(d, FACE_SANS, px, both) <= q.w) {
        rd_fitted_line(d, FACE_SANS, px, rd_rect(q.x, y, q.w, line), y, INK, both);
        y += line * 2;  // the key's height does not depend on the width
    } else {
        rd_fitted_line(d, FACE_SANS, px, rd_rect(q.x, y, q.w, line), y, INK, first);
        // "±max under it", or, narrower, "±max below".
        const char *t = rd_width(d, FACE_SANS, px, second) <= q.w || !second_short ? second : second_short;
        rd_fitted_line(d, FACE_SANS, px, rd_rect(q.x, y + line, q.w, line), y + line, INK, t);
        y += line * 2;
    }
    y += 2;
    const ui_rect bar = rd_rect(q.x, y, q.w, px);
    if (grey) {
        float ramp[64];
        for (int i = 0; i < 64; i++) ramp[i] = i / 63.0f;
        rd_image(d, bar, ramp, 64, 1, 64, false, 1);
    } else {
        rd_colour_bar(d, bar);
        rd_frame(d->r, bar, LINE, 1);
    }
    y += bar.h;
    const int wl = rd_width(d, FACE_SANS, px, lo), wh = rd_width(d, FACE_SANS, px, hi);
    const int wm = mid ? rd_width(d, FACE_SANS, px, mid) : 0;
    if (wl + wm + wh + 2 * px <= q.w) {
        rd_text(d, FACE_SANS, px, q.x, y, MUTED, lo);
        if (mid) rd_text(d, FACE_SANS, px, q.x + (q.w - wm) / 2, y, MUTED, mid);
        rd_text(d, FACE_SANS, px, q.x + q.w - wh, y, MUTED, hi);
    }
    return y + line;
}

// The key to the maps' colours: from -max through 0 (white) to +max, each
// map's own max written under it.
static inline int maps_draw_scale_key(const draw_ *d, ui_rect q) {
    return maps_bar_key_(d, q, "each map:", "\xc2\xb1max under it", "\xc2\xb1max below", "-max", "0", "+max", false);
}

// The key to an input's grey: 0 black, 1 white.
static inline int maps_draw_grey_key(const draw_ *d, ui_rect q, const char *caption) {
    return maps_bar_key_(d, q, caption, "", NULL, "0", NULL, "1", true);
}

#endif
