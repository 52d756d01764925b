// convt.c - transposed convolution: geometry, the arithmetic core (one input
// cell stamping its scaled kernel), the batch pass and the stepper built on
// it, and the backward pass. The core is the only place the forward pass
// multiplies and adds; the batch pass and the stepper both call it in the
// same order, so what the animation shows is what the network computes (a
// test checks that bit for bit).
#include "convt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_internal.h"
#include "tensor.h"

// ---- Geometry --------------------------------------------------------------------

// (n - 1)s - 2p + d(k - 1) + a + 1 in 64 bits: every term is checked to be at
// most NN_MAX_AXIS (< 2^20) first, so nothing here overflows.
static long long full_(const nn_convt_axis *a) {
    return ((long long)a->n - 1) * a->stride + (long long)a->dilation * (a->f - 1) + 1;
}
static long long out_(const nn_convt_axis *a) { return full_(a) - 2LL * a->pad + a->out_pad; }

void nn_convt_formula_text(const nn_convt_axis *a, char *buf, int size) {
    snprintf(buf, (size_t)size, "(%d - 1)*%d - 2*%d + %d*(%d - 1) + %d + 1 = %lld", a->n,
             a->stride, a->pad, a->dilation, a->f, a->out_pad, out_(a));
}

// Checks one axis's sizes and works out its output. `what` names it ("rows").
static nn_status axis_solve_(nn_convt_axis *a, const char *what, nn_error *err) {
    if (a->n <= 0)
        return nn_error_set(err, NN_ERR_SHAPE, "the input is empty (%s = %d)", what, a->n);
    if (a->f <= 0)
        return nn_error_set(err, NN_ERR_SHAPE, "the kernel is empty (%s = %d)", what, a->f);
    if (a->n > NN_MAX_AXIS || a->f > NN_MAX_AXIS)
        return nn_error_set(err, NN_ERR_NOMEM,
                            "%s: sizes above %d are not supported (input %d, kernel %d)", what,
                            NN_MAX_AXIS, a->n, a->f);
    const long long out = out_(a);
    char text[160];
    if (out < 1) {
        // The largest padding that leaves a cell: full - 2p + a >= 1.
        nn_convt_formula_text(a, text, sizeof text);
        return nn_error_set(err, NN_ERR_SHAPE,
                            "%s: the output size " NN_CONVT_FORMULA " = %s is less than 1: "
                            "padding %d on each side crops all %lld cells the stamps cover "
                            "(a padding of at most %lld leaves some)",
                            what, text, a->pad, full_(a), (full_(a) + a->out_pad - 1) / 2);
    }
    if (out > NN_MAX_AXIS) {
        nn_convt_formula_text(a, text, sizeof text);
        return nn_error_set(err, NN_ERR_NOMEM,
                            "%s: the output size " NN_CONVT_FORMULA " = %s is larger than %d, "
                            "the most one axis may have",
                            what, text, NN_MAX_AXIS);
    }
    a->full = (int)full_(a);  // out + 2p - a <= 3 NN_MAX_AXIS: fits
    a->out = (int)out;
    return NN_OK;
}

nn_status nn_convt_geom_init(nn_convt_geom *g, const nn_convt_config *cfg, nn_error *err) {
    memset(g, 0, sizeof *g);
    g->cfg = *cfg;
    if (cfg->in_c <= 0 || cfg->in_c > NN_MAX_AXIS)
        return nn_error_set(err, NN_ERR_SHAPE, "the input needs 1 to %d channels, got %d",
                            NN_MAX_AXIS, cfg->in_c);
    if (cfg->filters <= 0 || cfg->filters > NN_MAX_AXIS)
        return nn_error_set(err, NN_ERR_SHAPE,
                            "a transposed convolution needs 1 to %d filters, got %d", NN_MAX_AXIS,
                            cfg->filters);
    if (cfg->stride <= 0)
        return nn_error_set(err, NN_ERR_ARG, "the stride must be at least 1, got %d",
                            cfg->stride);
    if (cfg->dilation <= 0)
        return nn_error_set(err, NN_ERR_ARG, "the dilation must be at least 1, got %d",
                            cfg->dilation);
    if (cfg->padding < 0)
        return nn_error_set(err, NN_ERR_ARG, "the padding must not be negative, got %d",
                            cfg->padding);
    if (cfg->out_pad < 0)
        return nn_error_set(err, NN_ERR_ARG, "the output padding must not be negative, got %d",
                            cfg->out_pad);
    if (cfg->stride > NN_MAX_AXIS || cfg->dilation > NN_MAX_AXIS || cfg->padding > NN_MAX_AXIS ||
        cfg->out_pad > NN_MAX_AXIS)
        return nn_error_set(err, NN_ERR_NOMEM,
                            "sizes above %d are not supported (stride %d, dilation %d, "
                            "padding %d, output padding %d)",
                            NN_MAX_AXIS, cfg->stride, cfg->dilation, cfg->padding, cfg->out_pad);
    // PyTorch's rule: a picks one of the max(s, d) input sizes a convolution
    // with this s and d maps onto n cells; any more is a cell no tap reaches.
    const int most = cfg->stride > cfg->dilation ? cfg->stride : cfg->dilation;
    if (cfg->out_pad >= most)
        return nn_error_set(err, NN_ERR_ARG,
                            "the output padding %d must be smaller than the stride %d or the "
                            "dilation %d (a < max(s, d) = %d)",
                            cfg->out_pad, cfg->stride, cfg->dilation, most);
    nn_convt_axis rows = {.n = cfg->in_h, .f = cfg->k_h, .stride = cfg->stride,
                          .dilation = cfg->dilation, .pad = cfg->padding,
                          .out_pad = cfg->out_pad};
    nn_convt_axis cols = {.n = cfg->in_w, .f = cfg->k_w, .stride = cfg->stride,
                          .dilation = cfg->dilation, .pad = cfg->padding,
                          .out_pad = cfg->out_pad};
    nn_status st = axis_solve_(&rows, "rows", err);
    if (st == NN_OK) st = axis_solve_(&cols, "cols", err);
    if (st != NN_OK) return st;
    const size_t taps = nn_checked_mul3((size_t)cfg->filters, (size_t)cfg->k_h, (size_t)cfg->k_w);
    const size_t weights = nn_checked_mul3(taps, (size_t)cfg->in_c, 1);
    const size_t outs = nn_checked_mul3((size_t)cfg->filters, (size_t)rows.out, (size_t)cols.out);
    const size_t ins = nn_checked_mul3((size_t)cfg->in_c, (size_t)cfg->in_h, (size_t)cfg->in_w);
    if (taps == 0 || weights == 0 || outs == 0 || ins == 0)
        return nn_error_set(err, NN_ERR_NOMEM,
                            "a transposed convolution of %dx%dx%d to %d map%s of %dx%d with "
                            "%dx%d kernels is too large (more than %d values in a buffer)",
                            cfg->in_c, cfg->in_h, cfg->in_w, cfg->filters,
                            cfg->filters == 1 ? "" : "s", rows.out, cols.out,
                            cfg->k_h, cfg->k_w, NN_MAX_ELEMENTS);
    g->rows = rows;
    g->cols = cols;
    g->out_h = rows.out;
    g->out_w = cols.out;
    g->taps = (int)taps;
    return NN_OK;
}

// ---- The arithmetic core ---------------------------------------------------------

// What the stepper wants to see of one stamp; NULL in the batch pass.
typedef struct convt_trace_ {
    float *weights, *products, *after;
    unsigned char *cropped;
    int *out_row, *out_col;
    int landed;
} convt_trace_;

// One input cell (iy, ix) of value v stamps v times its channel's kernels
// onto the output: for filter f, kernel row ky, kernel column kx, in that
// order, out[f][iy*s - p + ky*d][ix*s - p + kx*d] += v * w[f][ky][kx], a
// product then an add (never fused: -ffp-contract=off), so the product shown
// is exactly what is added. Taps outside the output add nothing. This is the
// arithmetic of transposed convolution in convstep.
//   out [filters][out_h][out_w] (one sample), wc [filters][k_h][k_w] (one channel)
static void convt_stamp_(const nn_convt_geom *g, float *out, const float *wc, float v, int iy,
                         int ix, convt_trace_ *tr) {
    const nn_convt_config *c = &g->cfg;
    const int y0 = iy * c->stride - g->rows.pad;  // the stamp's top-left in the output
    const int x0 = ix * c->stride - g->cols.pad;
    const size_t plane = (size_t)g->out_h * g->out_w;
    int k = 0;
    for (int f = 0; f < c->filters; f++) {
        float *o = out + (size_t)f * plane;
        for (int ky = 0; ky < c->k_h; ky++) {
            const int y = y0 + ky * c->dilation;
            for (int kx = 0; kx < c->k_w; kx++, k++) {
                const int x = x0 + kx * c->dilation;
                const int cropped = nn_is_padding_(y, x, g->out_h, g->out_w);
                const float w = wc[k];
                const float p = v * w;
                float after = 0.0f;
                if (!cropped) {
                    float *cell = o + (size_t)y * g->out_w + x;
                    *cell = *cell + p;
                    after = *cell;
                }
                if (tr) {
                    tr->weights[k] = w;
                    tr->products[k] = p;
                    tr->after[k] = after;
                    tr->cropped[k] = (unsigned char)cropped;
                    tr->out_row[k] = y;
                    tr->out_col[k] = x;
                    tr->landed += !cropped;
                }
            }
        }
    }
}

// Every output cell of one sample starts at its filter's bias (0 without).
//   out [filters][out_h][out_w]
static void convt_fill_bias_(const nn_convt_geom *g, float *out, const float *bias) {
    const size_t plane = (size_t)g->out_h * g->out_w;
    for (int f = 0; f < g->cfg.filters; f++) {
        const float b = bias ? bias[f] : 0.0f;
        float *o = out + (size_t)f * plane;
        for (size_t i = 0; i < plane; i++) o[i] = b;
    }
}

// The stamp of input cell `index` (channel, row, column in row-major order)
// of one sample x [in_c][in_h][in_w].
static void convt_stamp_index_(const nn_convt_geom *g, float *out, const float *x,
                               const float *weights, int index, convt_trace_ *tr) {
    const nn_convt_config *c = &g->cfg;
    const int plane = c->in_h * c->in_w;
    const int ch = index / plane, iy = index % plane / c->in_w, ix = index % c->in_w;
    convt_stamp_(g, out, weights + (size_t)ch * g->taps, x[index], iy, ix, tr);
}

// ---- Batch pass ---------------------------------------------------------------------

void nn_convt_forward(const nn_convt_geom *g, float *out, const float *in, const float *weights,
                      const float *bias, int batch) {
    const nn_convt_config *c = &g->cfg;
    const size_t in_size = (size_t)c->in_c * c->in_h * c->in_w;
    const size_t out_size = (size_t)c->filters * g->out_h * g->out_w;
    for (int n = 0; n < batch; n++) {
        float *o = out + (size_t)n * out_size;
        const float *x = in + (size_t)n * in_size;
        convt_fill_bias_(g, o, bias);
        for (int i = 0; i < (int)in_size; i++) convt_stamp_index_(g, o, x, weights, i, NULL);
    }
}

// ---- Backward -----------------------------------------------------------------------

// Input cell (iy, ix) of value v, with its channel's kernels wc and their
// gradients dwc: every landed tap reads dL/dout at its output cell g, adds
// g * v to its weight's gradient, and g * w to the cell's own gradient, which
// is returned. The same taps as the core, in the same order.
//   dy [filters][out_h][out_w], wc and dwc [filters][k_h][k_w]
static float convt_gather_(const nn_convt_geom *g, const float *dy, const float *wc, float *dwc,
                           float v, int iy, int ix) {
    const nn_convt_config *c = &g->cfg;
    const int y0 = iy * c->stride - g->rows.pad;
    const int x0 = ix * c->stride - g->cols.pad;
    const size_t plane = (size_t)g->out_h * g->out_w;
    float acc = 0.0f;
    int k = 0;
    for (int f = 0; f < c->filters; f++) {
        const float *gy = dy + (size_t)f * plane;
        for (int ky = 0; ky < c->k_h; ky++) {
            const int y = y0 + ky * c->dilation;
            for (int kx = 0; kx < c->k_w; kx++, k++) {
                const int x = x0 + kx * c->dilation;
                if (nn_is_padding_(y, x, g->out_h, g->out_w)) continue;
                const float gv = gy[(size_t)y * g->out_w + x];
                dwc[k] += gv * v;
                acc += gv * wc[k];
            }
        }
    }
    return acc;
}

void nn_convt_backward(const nn_convt_geom *g, float *din, float *dweights, float *dbias,
                       const float *dout, const float *in, const float *weights, int batch) {
    const nn_convt_config *c = &g->cfg;
    const size_t in_size = (size_t)c->in_c * c->in_h * c->in_w;
    const size_t plane = (size_t)g->out_h * g->out_w;
    const size_t out_size = (size_t)c->filters * plane;
    const int in_plane = c->in_h * c->in_w;
    for (int n = 0; n < batch; n++) {
        const float *x = in + (size_t)n * in_size;
        const float *dy = dout + (size_t)n * out_size;
        // Each bias is added to every cell of its map: its gradient is their sum.
        if (dbias)
            for (int f = 0; f < c->filters; f++) {
                const float *gy = dy + (size_t)f * plane;
                for (size_t i = 0; i < plane; i++) dbias[f] += gy[i];
            }
        for (int i = 0; i < (int)in_size; i++) {
            const int ch = i / in_plane, iy = i % in_plane / c->in_w, ix = i % c->in_w;
            const size_t w_off = (size_t)ch * g->taps;
            const float gx = convt_gather_(g, dy, weights + w_off, dweights + w_off, x[i], iy, ix);
            if (din) din[(size_t)n * in_size + (size_t)i] = gx;
        }
    }
}

// ---- Stepper --------------------------------------------------------------------------

nn_status nn_convt_cursor_init(nn_convt_cursor *cur, const nn_convt_geom *g, const float *in,
                               const float *weights, const float *bias, nn_error *err) {
    memset(cur, 0, sizeof *cur);
    cur->g = g;
    cur->in = in;
    cur->weights = weights;
    cur->bias = bias;
    cur->next = 0;
    cur->total = g->cfg.in_c * g->cfg.in_h * g->cfg.in_w;
    const size_t out_size = (size_t)g->cfg.filters * g->out_h * g->out_w;
    cur->out = malloc(sizeof(float) * out_size);
    cur->fbuf = malloc(sizeof(float) * 3 * (size_t)g->taps);
    cur->mask = malloc((size_t)g->taps);
    cur->coords = malloc(sizeof(int) * 2 * (size_t)g->taps);
    if (!cur->out || !cur->fbuf || !cur->mask || !cur->coords) {
        nn_convt_cursor_destroy(cur);
        return nn_error_set(err, NN_ERR_NOMEM,
                            "out of memory for a %dx%dx%d output and a %d-tap stamp",
                            g->cfg.filters, g->out_h, g->out_w, g->taps);
    }
    convt_fill_bias_(g, cur->out, bias);
    return NN_OK;
}

bool nn_convt_step_at(nn_convt_cursor *cur, int index, nn_convt_step *st) {
    if (index < 0 || index >= cur->total) return false;
    const nn_convt_geom *g = cur->g;
    if (index != cur->next) {
        // Replay from the bias: the same stamps in the same order as the
        // forward pass, so the map is what stepping here would have made.
        convt_fill_bias_(g, cur->out, cur->bias);
        for (int i = 0; i < index; i++)
            convt_stamp_index_(g, cur->out, cur->in, cur->weights, i, NULL);
    }
    const int n = g->taps;
    convt_trace_ tr = {
        .weights = cur->fbuf, .products = cur->fbuf + n, .after = cur->fbuf + 2 * n,
        .cropped = cur->mask, .out_row = cur->coords, .out_col = cur->coords + n, .landed = 0,
    };
    convt_stamp_index_(g, cur->out, cur->in, cur->weights, index, &tr);
    const int plane = g->cfg.in_h * g->cfg.in_w;
    st->index = index;
    st->channel = index / plane;
    st->row = index % plane / g->cfg.in_w;
    st->col = index % g->cfg.in_w;
    st->value = cur->in[index];
    st->count = n;
    st->landed = tr.landed;
    st->out_row = tr.out_row;
    st->out_col = tr.out_col;
    st->cropped = tr.cropped;
    st->weights = tr.weights;
    st->products = tr.products;
    st->after = tr.after;
    cur->next = index + 1;
    return true;
}

bool nn_convt_step_next(nn_convt_cursor *cur, nn_convt_step *st) {
    return nn_convt_step_at(cur, cur->next, st);
}

void nn_convt_cursor_destroy(nn_convt_cursor *cur) {
    free(cur->out);
    free(cur->fbuf);
    free(cur->mask);
    free(cur->coords);
    cur->out = NULL;
    cur->fbuf = NULL;
    cur->mask = NULL;
    cur->coords = NULL;
}
