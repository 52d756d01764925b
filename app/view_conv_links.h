// view_conv_links.h - which cells of a convolution belong together, for
// hover linking in the convolution view: an output cell and the input cells
// of its window, an input cell and every output cell that reads it, a kernel
// weight and the input cell it meets. Pure integer arithmetic on the
// geometry (no state, no SDL), so tests check it against cases worked out by
// hand. Header-only (static inline): the view's logic and its renderer both
// use it.
//
// Coordinates: input cells (row, col) with padding cells outside
// [0, n_h) x [0, n_w) (negative or >= n); output cells (row, col) in
// [0, out_h) x [0, out_w); kernel taps (ky, kx) in [0, k) x [0, k).
// Output (r, c), tap (ky, kx) reads input (r*stride - pad_top + ky*dilation,
//                                          c*stride - pad_left + kx*dilation).
#ifndef APP_VIEW_CONV_LINKS_H
#define APP_VIEW_CONV_LINKS_H

#include <stdbool.h>

typedef struct conv_links_geom {
    int n_h, n_w;           // input size (without padding)
    int k;                  // kernel side
    int stride, dilation;
    int pad_top, pad_left;  // zeros before the first row / column
    int out_h, out_w;
} conv_links_geom;

// The input cell that tap (ky, kx) of output (r, c) meets (may be padding).
static inline void conv_link_tap(const conv_links_geom *g, int r, int c, int ky, int kx, int *in_row,
                                 int *in_col) {
    *in_row = r * g->stride - g->pad_top + ky * g->dilation;
    *in_col = c * g->stride - g->pad_left + kx * g->dilation;
}

// The tap index along one axis that puts output index o on input index i,
// or -1 when none does (i is between taps, or outside the window).
static inline int conv_link_axis_tap_(int i, int o, int stride, int pad, int dilation, int k) {
    const int off = i - (o * stride - pad);
    if (off < 0 || off % dilation != 0) return -1;
    const int t = off / dilation;
    return t < k ? t : -1;
}

// True when output (r, c) reads input (in_row, in_col); *ky, *kx (may be
// NULL) get the tap that does.
static inline bool conv_link_reads(const conv_links_geom *g, int r, int c, int in_row, int in_col, int *ky,
                                   int *kx) {
    const int ty = conv_link_axis_tap_(in_row, r, g->stride, g->pad_top, g->dilation, g->k);
    const int tx = conv_link_axis_tap_(in_col, c, g->stride, g->pad_left, g->dilation, g->k);
    if (ty < 0 || tx < 0) return false;
    if (ky) *ky = ty;
    if (kx) *kx = tx;
    return true;
}

// Marks used[r * out_w + c] for every output cell that reads input
// (in_row, in_col); returns how many do.
static inline int conv_link_input_outputs(const conv_links_geom *g, int in_row, int in_col, bool *used) {
    int n = 0;
    for (int r = 0; r < g->out_h; r++)
        for (int c = 0; c < g->out_w; c++) {
            const bool reads = conv_link_reads(g, r, c, in_row, in_col, NULL, NULL);
            used[r * g->out_w + c] = reads;
            n += reads;
        }
    return n;
}

// True when input (in_row, in_col) lies inside the span of output (r, c)'s
// window but no tap meets it (dilation skips it).
static inline bool conv_link_skipped(const conv_links_geom *g, int r, int c, int in_row, int in_col) {
    const int span = (g->k - 1) * g->dilation + 1;
    const int oy = in_row - (r * g->stride - g->pad_top), ox = in_col - (c * g->stride - g->pad_left);
    if (oy < 0 || ox < 0 || oy >= span || ox >= span) return false;
    return !conv_link_reads(g, r, c, in_row, in_col, NULL, NULL);
}

#endif
