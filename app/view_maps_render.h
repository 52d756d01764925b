// view_maps_render.h - drawing the columns of feature maps the CNN and drawing
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

// Centred under q, when it fits `room` (the map and a gap) without touching the next.
static inline void maps_label_(const draw_ *d, ui_rect q, int room, const char *t) {
    const int px = maps_label_px(d->l);
    const int tw = rd_width(d, FACE_SANS, px, t);
    if (tw > room) return;
    rd_text(d, FACE_SANS, px, q.x + (q.w - tw) / 2, q.y + q.h, MUTED, t);
}

// A column's two title lines, each the longest form that fits its width:
// the layer ("conv(8,5,pad=2)", or "conv") and its shape ("8 x 28x28"); the
// filters' shape line carries their one shared scale when it fits.
static inline void maps_title_(const draw_ *d, const nn_net *net, const maps_plan *p, int i, float filter_max) {
    const maps_col *c = &p->cols[i];
    char full[80], brief[80], shape[80], with_scale[120], v[32];
    maps_col_titles(net, c, full, brief, shape, sizeof full);
    // The titles may use the room up to the next column.
    const int room = (i + 1 < p->n_cols ? p->cols[i + 1].x - p->gap : p->x + p->w) - c->x;
    const char *name = rd_width(d, FACE_BOLD, p->name_px, full) <= room ? full : brief;
    rd_fitted_line(d, FACE_BOLD, p->name_px, rd_rect(c->x, p->y, room, maps_line_h(p->name_px)), p->y, INK, name);
    const char *second = shape;
    if (c->layer < 0) {
        fmt_sig(filter_max, 2, v, sizeof v);
        snprintf(with_scale, sizeof with_scale, "%s, \xc2\xb1%s", shape, v);
        second = rd_width(d, FACE_SANS, p->shape_px, with_scale) <= room ? with_scale : shape;
    }
    const int y = p->y + maps_line_h(p->name_px);
    rd_fitted_line(d, FACE_SANS, p->shape_px, rd_rect(c->x, y, room, maps_line_h(p->shape_px)), y, MUTED, second);
}

// Draws the planned columns of net's maps (and filters), and under them how
// many layers had no room.
static inline void maps_draw(const draw_ *d, const nn_net *net, const maps_plan *p) {
    const nn_model *m = net->model;
    const float *w = net->params + net->slices[0].weights;
    const size_t window = m->layers[0].spec.kind == NN_LAYER_CONV ? (size_t)m->layers[0].conv.window : 0;
    const float filter_max = window ? maps_max_abs_(w, net->slices[0].n_weights) : 0;
    for (int i = 0; i < p->n_cols; i++) {
        const maps_col *c = &p->cols[i];
        maps_title_(d, net, p, i, filter_max);
        const size_t plane = (size_t)c->h * c->w;
        for (int k = 0; k < c->n; k++) {
            const ui_rect q = maps_rect(p, c, k);
            if (c->layer < 0) {
                rd_image(d, q, w + (size_t)k * window, c->w, c->h, c->w, true, filter_max > 0 ? filter_max : 1);
                continue;
            }
            const float *v = net->out[c->layer] + (size_t)k * plane;
            const float max = maps_max_abs_(v, plane);
            rd_image(d, q, v, c->w, c->h, c->w, true, max > 0 ? max : 1);
            if (!c->labelled) continue;
            char t[40];
            maps_scale_label_(max, t, sizeof t);
            maps_label_(d, q, c->side + p->gap - 2, t);
        }
    }
    if (p->dropped > 0) {
        const int px = maps_label_px(d->l), y = p->y + p->h + p->gap;
        char t[120];
        snprintf(t, sizeof t, "%d more layer%s: zoom out (Ctrl -) to see %s", p->dropped, p->dropped == 1 ? "" : "s",
                 p->dropped == 1 ? "it" : "them");
        if (rd_width(d, FACE_SANS, px, t) > p->w)
            snprintf(t, sizeof t, "%d more layer%s: zoom out", p->dropped, p->dropped == 1 ? "" : "s");
        rd_fitted_line(d, FACE_SANS, px, rd_rect(p->x, y, p->w, maps_line_h(px)), y, MUTED, t);
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
