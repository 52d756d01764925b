// view_conv_legend.h - what the convolution view's legend names: every
// colour and hatching its grids use, for the layout (which sizes the legend)
// and the renderer (which draws it) alike. Header-only, no SDL.
#ifndef APP_VIEW_CONV_LEGEND_H
#define APP_VIEW_CONV_LEGEND_H

#include "state.h"

typedef enum conv_legend_kind {
    CONV_LEGEND_WINDOW,     // the window's frame (palette: window)
    CONV_LEGEND_TAP,        // the product being added (palette: tap)
    CONV_LEGEND_GHOST,      // dashed: the window one step before
    CONV_LEGEND_LINKED,     // cells linked to the one under the mouse (palette: mark)
    CONV_LEGEND_PADDING,    // hatched grey: padding zeros
    CONV_LEGEND_SKIPPED,    // greyed: inside a dilated window, skipped
    CONV_LEGEND_UNREACHED,  // hatched red: never reached by the window
} conv_legend_kind;

typedef struct conv_legend_entry {
    conv_legend_kind kind;
    const char *label;
} conv_legend_entry;

// The entries for this set-up (only what the screen can show); returns how
// many. A lesson's marks share the purple of the mouse's links: while a
// lesson marks cells (`lesson_marks`), that entry names the mark.
static inline int conv_legend_entries(const conv_view *v, bool lesson_marks, conv_legend_entry out[7]) {
    int n = 0;
    out[n++] = (conv_legend_entry){CONV_LEGEND_WINDOW, v->setup.filters > 1 ? "window, its filter" : "window"};
    out[n++] = (conv_legend_entry){CONV_LEGEND_TAP, "this product"};
    out[n++] = (conv_legend_entry){CONV_LEGEND_GHOST, "previous window"};
    out[n++] = (conv_legend_entry){CONV_LEGEND_LINKED, lesson_marks ? "the lesson's mark" : "linked to mouse"};
    if (v->ok && (v->geom.rows.pad_lo || v->geom.rows.pad_hi || v->geom.cols.pad_lo || v->geom.cols.pad_hi))
        out[n++] = (conv_legend_entry){CONV_LEGEND_PADDING, "padding zeros"};
    if (v->setup.dilation > 1) out[n++] = (conv_legend_entry){CONV_LEGEND_SKIPPED, "skipped (dilation)"};
    if (v->ok && (v->geom.rows.remainder || v->geom.cols.remainder))
        out[n++] = (conv_legend_entry){CONV_LEGEND_UNREACHED, "never reached"};
    return n;
}


// True when the rows' and the columns' formula numbers differ (the
// compact formula then takes a line each).
static inline bool conv_axes_differ(const conv_view *v) {
    const nn_axis *r = &v->geom.rows, *c = &v->geom.cols;
    return r->n != c->n || r->pad_lo != c->pad_lo || r->pad_hi != c->pad_hi || r->f != c->f ||
           r->stride != c->stride || r->dilation != c->dilation;
}

#endif
