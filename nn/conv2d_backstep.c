// conv2d_backstep.c - the convolution's backward pass one gradient cell at a
// time (see the header). The three cores below are the only code that adds
// up a cell; the stepper records what they do, nn_backstep_all and grad.c's
// reference loops call them bare. Their order of additions is the GEMM path's
// (grad.c: nn_gemm_nt for the weights, nn_gemm then col2im for the input, a
// plain loop for the bias), so the stepper shows training's bits.
#include "conv2d_backstep.h"

#include <math.h>
#include <stdlib.h>

#include "gemm.h"
#include "nn_internal.h"

// What the stepper keeps of one cell; NULL in the bare passes.
typedef struct backstep_trace_ {
    nn_backstep_term *terms;
    float *sums;
    int count, groups;
} backstep_trace_;

// ---- The cores ---------------------------------------------------------------------

// dL/dW[f][k] (k = channel, kernel row, kernel col) before the "+=": the dot
// product of dY[f] with the row k of the forward's window columns (im2col),
// output positions in row-major order, summed as nn_gemm_nt sums it.
static float kernel_dot_(const nn_conv2d_geom *g, const float *in, const float *dout, int f,
                         int k, backstep_trace_ *tr) {
    const nn_conv2d_config *c = &g->cfg;
    const int per = c->k_h * c->k_w;
    const int ch = k / per, ky = (k % per) / c->k_w, kx = k % c->k_w;
    const float *plane = in + (size_t)ch * c->in_h * c->in_w;
    const float *gy = dout + (size_t)f * g->out_h * g->out_w;
    nn_gemm_nt_acc acc;
    nn_gemm_nt_acc_init(&acc);
    int i = 0;
    for (int oy = 0; oy < g->out_h; oy++) {
        const int y = oy * c->stride - g->rows.pad_lo + ky * c->dilation;
        for (int ox = 0; ox < g->out_w; ox++, i++) {
            const int x = ox * c->stride - g->cols.pad_lo + kx * c->dilation;
            const int pad = nn_is_padding_(y, x, c->in_h, c->in_w);
            const float v = pad ? 0.0f : plane[(size_t)y * c->in_w + x];  // im2col's 0
            const float dy = gy[(size_t)oy * g->out_w + ox];
            // nn_gemm_nt(gy, col): A = dY, B = the column, fmaf(a, b, lane)
            const int lane = nn_gemm_nt_acc_add(&acc, dy, v);
            if (tr)
                tr->terms[i] = (nn_backstep_term){
                    .filter = f, .out_row = oy, .out_col = ox, .channel = ch, .k_row = ky,
                    .k_col = kx, .in_row = y, .in_col = x, .padded = pad, .factor = v, .dy = dy,
                    .product = v * dy, .group = lane, .partial = acc.lane[lane]};
        }
    }
    if (tr) {
        tr->count = i;
        tr->groups = acc.lanes < i ? acc.lanes : i;
        for (int l = 0; l < tr->groups; l++) tr->sums[l] = acc.lane[l];
    }
    return nn_gemm_nt_acc_sum(&acc);
}

// The output position whose window put tap t (kernel row or col) on input
// coordinate v of one axis, or -1 if no window did.
static int reached_by_(const nn_axis *a, int stride, int dilation, int v, int t) {
    const int u = v + a->pad_lo - t * dilation;  // window origin in padded coordinates
    if (u < 0 || u % stride != 0) return -1;
    const int o = u / stride;
    return o < a->out ? o : -1;
}

// dL/dX[ch][y][x]: for each tap (ky, kx) that read the cell, in that order,
// the fmaf chain over filters of w * dY that nn_gemm(wT, gy) computes for
// that tap's column, then added onto the cell from 0 as col2im_add_ does.
static float input_cell_(const nn_conv2d_geom *g, const float *weights, const float *dout, int ch,
                         int y, int x, backstep_trace_ *tr) {
    const nn_conv2d_config *c = &g->cfg;
    const int P = g->out_h * g->out_w;
    float total = 0.0f;  // din is zeroed before col2im adds onto it
    int n = 0, groups = 0;
    for (int ky = 0; ky < c->k_h; ky++) {
        const int oy = reached_by_(&g->rows, c->stride, c->dilation, y, ky);
        if (oy < 0) continue;
        for (int kx = 0; kx < c->k_w; kx++) {
            const int ox = reached_by_(&g->cols, c->stride, c->dilation, x, kx);
            if (ox < 0) continue;
            const int k = (ch * c->k_h + ky) * c->k_w + kx;
            float tap = 0.0f;
            for (int f = 0; f < c->filters; f++) {
                const float w = weights[(size_t)f * g->window + k];
                const float dy = dout[(size_t)f * P + (size_t)oy * g->out_w + ox];
                tap = fmaf(w, dy, tap);
                if (tr)
                    tr->terms[n++] = (nn_backstep_term){
                        .filter = f, .out_row = oy, .out_col = ox, .channel = ch, .k_row = ky,
                        .k_col = kx, .in_row = y, .in_col = x, .padded = false, .factor = w,
                        .dy = dy, .product = w * dy, .group = groups, .partial = tap};
            }
            if (tr) tr->sums[groups] = tap;
            groups++;
            total = total + tap;
        }
    }
    if (tr) {
        tr->count = n;
        tr->groups = groups;
    }
    return total;
}

// dL/db[f] before the "+=": dY[f] added up from 0, row-major.
static float bias_sum_(const nn_conv2d_geom *g, const float *dout, int f, backstep_trace_ *tr) {
    const float *gy = dout + (size_t)f * g->out_h * g->out_w;
    float sum = 0.0f;
    int i = 0;
    for (int oy = 0; oy < g->out_h; oy++)
        for (int ox = 0; ox < g->out_w; ox++, i++) {
            const float dy = gy[(size_t)oy * g->out_w + ox];
            sum += dy;
            if (tr)
                tr->terms[i] = (nn_backstep_term){
                    .filter = f, .out_row = oy, .out_col = ox, .channel = -1, .k_row = -1,
                    .k_col = -1, .in_row = -1, .in_col = -1, .padded = false, .factor = 1.0f,
                    .dy = dy, .product = dy, .group = 0, .partial = sum};
        }
    if (tr) {
        tr->count = i;
        tr->groups = 1;
        tr->sums[0] = sum;
    }
    return sum;
}

float nn_backstep_kernel_dot_(const nn_conv2d_geom *g, const float *in, const float *dout, int f,
                              int k) {
    return kernel_dot_(g, in, dout, f, k, NULL);
}

float nn_backstep_input_cell_(const nn_conv2d_geom *g, const float *weights, const float *dout,
                              int ch, int y, int x) {
    return input_cell_(g, weights, dout, ch, y, x, NULL);
}

float nn_backstep_bias_sum_(const nn_conv2d_geom *g, const float *dout, int f) {
    return bias_sum_(g, dout, f, NULL);
}

void nn_backstep_all(const nn_conv2d_geom *g, float *din, float *dweights, float *dbias,
                     const float *dout, const float *in, const float *weights) {
    const nn_conv2d_config *c = &g->cfg;
    // "0 +": training adds each sum into a zeroed gradient (a -0 becomes +0).
    for (int f = 0; f < c->filters; f++)
        for (int k = 0; k < g->window; k++)
            dweights[(size_t)f * g->window + k] = 0.0f + kernel_dot_(g, in, dout, f, k, NULL);
    for (int ch = 0; ch < c->in_c; ch++)
        for (int y = 0; y < c->in_h; y++)
            for (int x = 0; x < c->in_w; x++)
                din[((size_t)ch * c->in_h + y) * c->in_w + x] =
                    input_cell_(g, weights, dout, ch, y, x, NULL);
    if (dbias)
        for (int f = 0; f < c->filters; f++) dbias[f] = 0.0f + bias_sum_(g, dout, f, NULL);
}

// ---- The stepper --------------------------------------------------------------------

nn_status nn_backstep_cursor_init(nn_backstep_cursor *cur, const nn_conv2d_geom *g,
                                  const float *in, const float *weights, const float *dout,
                                  bool has_bias, nn_error *err) {
    const nn_conv2d_config *c = &g->cfg;
    cur->g = g;
    cur->in = in;
    cur->weights = weights;
    cur->dout = dout;
    cur->has_bias = has_bias;
    cur->next = 0;
    cur->total = c->filters * g->window + c->in_c * c->in_h * c->in_w + (has_bias ? c->filters : 0);
    // The largest cell: a weight or bias sees every output position; an input
    // value at most every tap of every filter.
    const size_t P = (size_t)g->out_h * g->out_w;
    const size_t taps = (size_t)c->k_h * c->k_w;
    const size_t terms = P > taps * (size_t)c->filters ? P : taps * (size_t)c->filters;
    const size_t sums = taps > 16 ? taps : 16;
    cur->terms = malloc(sizeof(nn_backstep_term) * terms);
    cur->sums = malloc(sizeof(float) * sums);
    if (!cur->terms || !cur->sums) {
        nn_backstep_cursor_destroy(cur);
        return nn_error_set(err, NN_ERR_NOMEM, "out of memory for %zu backward products", terms);
    }
    return NN_OK;
}

bool nn_backstep_at(nn_backstep_cursor *cur, int index, nn_backstep *st) {
    if (index < 0 || index >= cur->total) return false;
    const nn_conv2d_geom *g = cur->g;
    const nn_conv2d_config *c = &g->cfg;
    backstep_trace_ tr = {.terms = cur->terms, .sums = cur->sums};
    const int n_kernel = c->filters * g->window;
    const int plane = c->in_h * c->in_w;
    int i = index;
    st->index = index;
    if (i < n_kernel) {
        const int per = c->k_h * c->k_w, f = i / g->window, k = i % g->window;
        st->of = NN_BACKSTEP_KERNEL;
        st->filter = f;
        st->channel = k / per;
        st->row = (k % per) / c->k_w;
        st->col = k % c->k_w;
        st->value = 0.0f + kernel_dot_(g, cur->in, cur->dout, f, k, &tr);
    } else if ((i -= n_kernel) < c->in_c * plane) {
        st->of = NN_BACKSTEP_INPUT;
        st->filter = -1;
        st->channel = i / plane;
        st->row = (i % plane) / c->in_w;
        st->col = i % c->in_w;
        st->value = input_cell_(g, cur->weights, cur->dout, st->channel, st->row, st->col, &tr);
    } else {
        i -= c->in_c * plane;
        st->of = NN_BACKSTEP_BIAS;
        st->filter = i;
        st->channel = st->row = st->col = -1;
        st->value = 0.0f + bias_sum_(g, cur->dout, i, &tr);
    }
    st->count = tr.count;
    st->terms = cur->terms;
    st->groups = tr.groups;
    st->group_sums = cur->sums;
    cur->next = index + 1;
    return true;
}

bool nn_backstep_next(nn_backstep_cursor *cur, nn_backstep *st) {
    return nn_backstep_at(cur, cur->next, st);
}

void nn_backstep_cursor_destroy(nn_backstep_cursor *cur) {
    free(cur->terms);
    free(cur->sums);
    cur->terms = NULL;
    cur->sums = NULL;
}
