// view_pool_links.h - which cells of a pooling view are linked: the input
// cells under an output cell's window, and the output cells whose windows
// hold an input cell (with padding, stride and window size). Pure integer
// arithmetic, header-only, no SDL: the pooling view lights these when the
// mouse is over a cell, and tests/test_pool_links.c checks cases worked out
// by hand.
//
// Coordinates are the view's data coordinates: input rows run from -pad
// (the padding ring) to in_h + pad - 1; output rows from 0 to out_h - 1.
// One axis at a time: rows and columns follow the same rule.
#ifndef APP_VIEW_POOL_LINKS_H
#define APP_VIEW_POOL_LINKS_H

#include <stdbool.h>

// One axis of a pooling: input length, window, stride, padding, output length.
typedef struct pool_axis_links {
    int n, size, stride, pad, out;
} pool_axis_links;

// An inclusive range [lo, hi]; empty when lo > hi.
typedef struct pool_span {
    int lo, hi;
} pool_span;

// Floor and ceiling of a / b for b > 0 and any sign of a (C rounds toward 0).
static inline int pool_floor_div_(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
static inline int pool_ceil_div_(int a, int b) { return -pool_floor_div_(-a, b); }

// The input cells under output cell `o`'s window: [o*stride - pad, o*stride - pad + size - 1]
// (empty when o is not an output).
static inline pool_span pool_window_span(const pool_axis_links *a, int o) {
    if (o < 0 || o >= a->out) return (pool_span){0, -1};
    const int lo = o * a->stride - a->pad;
    return (pool_span){lo, lo + a->size - 1};
}

// The outputs whose window holds input cell i (padding cells included):
// o*stride - pad <= i <= o*stride - pad + size - 1, so
// ceil((i + pad - size + 1) / stride) <= o <= floor((i + pad) / stride),
// clipped to the outputs. Empty for a cell no window reaches.
static inline pool_span pool_outputs_of(const pool_axis_links *a, int i) {
    if (i < -a->pad || i >= a->n + a->pad || a->stride <= 0) return (pool_span){0, -1};
    int lo = pool_ceil_div_(i + a->pad - a->size + 1, a->stride);
    int hi = pool_floor_div_(i + a->pad, a->stride);
    if (lo < 0) lo = 0;
    if (hi > a->out - 1) hi = a->out - 1;
    return (pool_span){lo, hi};
}

static inline bool pool_span_has(pool_span s, int v) { return v >= s.lo && v <= s.hi; }

// True when output (orow, ocol)'s window holds input (irow, icol).
static inline bool pool_linked(const pool_axis_links *rows, const pool_axis_links *cols, int orow, int ocol, int irow,
                               int icol) {
    return pool_span_has(pool_window_span(rows, orow), irow) && pool_span_has(pool_window_span(cols, ocol), icol);
}

#endif
