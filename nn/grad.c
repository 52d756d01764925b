// grad.c - the backward pass of every layer (shapes as in the forward passes
// of conv2d.h, pool.h, act.h and dense.h); the heavy ones through nn_gemm.
#include "grad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conv2d_backstep.h"
#include "conv2d_wgrad.h"
#include "gemm.h"

#include "nn_internal.h"
#include "profile.h"

// out (cols x rows) = in (rows x cols) transposed.
static void transpose_(float *out, const float *in, int rows, int cols) {
    for (int r0 = 0; r0 < rows; r0 += 16)
        for (int c0 = 0; c0 < cols; c0 += 16)
            for (int r = r0; r < rows && r < r0 + 16; r++)
                for (int c = c0; c < cols && c < c0 + 16; c++)
                    out[(size_t)c * rows + r] = in[(size_t)r * cols + c];
}

// Adds the column gradients back onto the input positions they were taken
// from: the transpose of nn_conv2d_im2col_.
static void col2im_add_(const nn_conv2d_geom *g, const float *dcol, size_t ld, float *dx) {
    NN_PROFILE_BEGIN_();
    const nn_conv2d_config *c = &g->cfg;
    int k = 0;
    for (int ch = 0; ch < c->in_c; ch++) {
        float *plane = dx + (size_t)ch * c->in_h * c->in_w;
        for (int ky = 0; ky < c->k_h; ky++) {
            for (int kx = 0; kx < c->k_w; kx++, k++) {
                const float *row = dcol + (size_t)k * ld;
                for (int oy = 0; oy < g->out_h; oy++) {
                    const int y = oy * c->stride - g->rows.pad_lo + ky * c->dilation;
                    if (y < 0 || y >= c->in_h) continue;
                    float *dst = plane + (size_t)y * c->in_w;
                    const float *src = row + (size_t)oy * g->out_w;
                    const int x0 = kx * c->dilation - g->cols.pad_lo;
                    int lo = 0, hi = g->out_w;  // output columns that land inside the row
                    while (lo < hi && x0 + lo * c->stride < 0) lo++;
                    while (hi > lo && x0 + (hi - 1) * c->stride >= c->in_w) hi--;
                    for (int ox = lo; ox < hi; ox++) dst[x0 + ox * c->stride] += src[ox];
                }
            }
        }
    }
    NN_PROFILE_END_(NN_PART_COL2IM);
}

// dbias[f] += the sum of row f of gy [F][N], each row added from 0 in order
// (the stepper's bias_sum_ order). One long chain per filter waits on the
// adder's latency at every step; 8 filters' chains side by side do not, and
// each chain keeps its own order, so the same bits.
#define BIAS_CHAINS_ 8
static void bias_sums_(float *dbias, const float *gy, int F, size_t N) {
    for (int f0 = 0; f0 < F; f0 += BIAS_CHAINS_) {
        const int fr = F - f0 < BIAS_CHAINS_ ? F - f0 : BIAS_CHAINS_;
        const float *row[BIAS_CHAINS_];
        float sum[BIAS_CHAINS_] = {0};
        for (int j = 0; j < BIAS_CHAINS_; j++) row[j] = gy + (size_t)(f0 + (j < fr ? j : 0)) * N;
        for (size_t i = 0; i < N; i++)
            for (int j = 0; j < BIAS_CHAINS_; j++) sum[j] += row[j][i];
        for (int j = 0; j < fr; j++) dbias[f0 + j] += sum[j];
    }
}

// Reference loops, used when there is no memory for the scratch matrices:
// the stepper's cores (conv2d_backstep.c), one gradient cell at a time, which
// sum in the GEMM path's order, so the result is the same bits.
static void conv2d_backward_loops_(const nn_conv2d_geom *g, float *din, float *dweights,
                                   float *dbias, const float *dout, const float *in,
                                   const float *weights, int batch) {
    const nn_conv2d_config *c = &g->cfg;
    const size_t in_size = (size_t)c->in_c * c->in_h * c->in_w;
    const size_t out_size = (size_t)c->filters * g->out_h * g->out_w;
    for (int n = 0; n < batch; n++) {
        const float *x = in + (size_t)n * in_size, *gy = dout + (size_t)n * out_size;
        for (int f = 0; f < c->filters; f++) {
            for (int k = 0; k < g->window; k++)
                dweights[(size_t)f * g->window + k] += nn_backstep_kernel_dot_(g, x, gy, f, k);
            if (dbias) dbias[f] += nn_backstep_bias_sum_(g, gy, f);
        }
        if (!din) continue;
        float *dx = din + (size_t)n * in_size;
        for (int ch = 0; ch < c->in_c; ch++)
            for (int y = 0; y < c->in_h; y++)
                for (int xx = 0; xx < c->in_w; xx++)
                    dx[((size_t)ch * c->in_h + y) * c->in_w + xx] =
                        nn_backstep_input_cell_(g, weights, gy, ch, y, xx);
    }
}

void nn_conv2d_backward(const nn_conv2d_geom *g, float *din, float *dweights, float *dbias,
                        const float *dout, const float *in, const float *weights, int batch) {
    const nn_conv2d_config *c = &g->cfg;
    const size_t in_size = (size_t)c->in_c * c->in_h * c->in_w;
    const int P = g->out_h * g->out_w, K = g->window, F = c->filters;
    if (din) memset(din, 0, sizeof(float) * in_size * (size_t)batch);
    // Scratch: the windows as columns, their gradients, the weights transposed.
    float *col = malloc(sizeof(float) * ((size_t)K * P * 2 + (size_t)K * F));
    if (!col) {
        conv2d_backward_loops_(g, din, dweights, dbias, dout, in, weights, batch);
        return;
    }
    float *dcol = col + (size_t)K * P, *wT = dcol + (size_t)K * P;
    if (din) transpose_(wT, weights, F, K);
    for (int n = 0; n < batch; n++) {
        const float *gy = dout + (size_t)n * F * P;  // [F][P]
        nn_conv2d_im2col_(g, in + (size_t)n * in_size, col, (size_t)P);
        // dweights[f][k] += sum over p of gy[f][p] * col[k][p]: dot products
        nn_gemm_nt(F, K, P, gy, P, col, P, dweights, K, true);
        if (dbias)
            for (int f = 0; f < F; f++) {
                float sum = 0.0f;
                for (int p = 0; p < P; p++) sum += gy[(size_t)f * P + p];
                dbias[f] += sum;
            }
        if (din && !nn_conv2d_dinput_s1_(g, din + (size_t)n * in_size, gy, weights, 1)) {
            // dcol[k][p] = sum over f of weights[f][k] * gy[f][p], then back onto the input.
            nn_gemm(K, P, F, wT, F, gy, P, dcol, P, false);
            col2im_add_(g, dcol, (size_t)P, din + (size_t)n * in_size);
        }
    }
    free(col);
}

size_t nn_conv2d_backward_scratch(const nn_conv2d_geom *g, int batch) {
    const size_t N = (size_t)batch * g->out_h * g->out_w;
    // gy, then the column gradients and the weights transposed, or in their
    // place (and past them) the weight gradient's scratch.
    return ((size_t)g->cfg.filters + g->window) * N + (size_t)g->window * g->cfg.filters +
           nn_conv2d_wgrad_scratch(g, batch);
}

void nn_conv2d_backward_batch(const nn_conv2d_geom *g, float *din, float *dweights,
                              float *dbias, const float *dout, const float *in,
                              const float *col, const float *weights, int batch, float *tmp) {
    const nn_conv2d_config *c = &g->cfg;
    const int P = g->out_h * g->out_w, K = g->window, F = c->filters;
    const size_t N = (size_t)batch * P;
    float *gy = tmp, *dcol = tmp + (size_t)F * N, *wT = dcol + (size_t)K * N;
    // gy [F][batch * P]: the output gradients laid out like the forward's product.
    for (int n = 0; n < batch; n++)
        for (int f = 0; f < F; f++)
            memcpy(gy + (size_t)f * N + (size_t)n * P, dout + ((size_t)n * F + f) * P,
                   sizeof(float) * (size_t)P);
    // dweights[f][k] += sum over every position of every sample of gy * col,
    // at stride 1 read from the input in place (conv2d_wgrad.h: the same bits).
    if (!nn_conv2d_wgrad_inplace(g, dweights, gy, in, batch, dcol))
        nn_gemm_nt(F, K, (int)N, gy, (int)N, col, (int)N, dweights, K, true);
    if (dbias) bias_sums_(dbias, gy, F, N);
    if (!din) return;
    // Stride 1: straight from dY, without the column gradients (the same bits).
    if (nn_conv2d_dinput_s1_(g, din, dout, weights, batch)) return;
    const size_t in_size = (size_t)c->in_c * c->in_h * c->in_w;
    memset(din, 0, sizeof(float) * in_size * (size_t)batch);
    transpose_(wT, weights, F, K);
    // dcol[k][i] = sum over f of weights[f][k] * gy[f][i], then back onto the inputs.
    nn_gemm(K, (int)N, F, wT, F, gy, (int)N, dcol, (int)N, false);
    for (int n = 0; n < batch; n++) col2im_add_(g, dcol + (size_t)n * P, N, din + (size_t)n * in_size);
}

void nn_pool_backward(const nn_pool_geom *g, float *din, const float *dout, const int *argmax,
                      int batch) {
    const nn_pool_config *c = &g->cfg;
    const size_t in_plane = (size_t)c->in_h * c->in_w;
    const size_t out_plane = (size_t)g->out_h * g->out_w;
    // Max pooling without overlaps (maxpool(2)): no call per element, the same bits (pool.h).
    if (nn_pool_backward_max_disjoint(g, din, dout, argmax, batch)) return;
    memset(din, 0, sizeof(float) * in_plane * (size_t)c->c * (size_t)batch);
    // One output element at a time through the core the view's stepper uses (pool.h).
    for (size_t p = 0; p < (size_t)batch * c->c; p++) {
        float *dx = din + p * in_plane;
        const float *go = dout + p * out_plane;
        const int *arg = c->mode == NN_POOL_MAX ? argmax + p * out_plane : NULL;
        for (int oy = 0; oy < g->out_h; oy++)
            for (int ox = 0; ox < g->out_w; ox++) {
                const size_t o = (size_t)oy * g->out_w + ox;
                nn_pool_backward_cell(g, dx, go[o], oy, ox, arg ? arg[o] : -1);
            }
    }
}

void nn_act_backward(nn_act_kind kind, float *din, const float *dout, const float *y,
                     size_t count) {
    switch (kind) {
    case NN_ACT_RELU:
        for (size_t i = 0; i < count; i++) {
            const float g = dout[i];  // read unconditionally, so the loop vectorises
            din[i] = y[i] > 0.0f ? g : 0.0f;
        }
        return;
    case NN_ACT_SIGMOID:
        for (size_t i = 0; i < count; i++) din[i] = dout[i] * y[i] * (1.0f - y[i]);
        return;
    case NN_ACT_TANH:
        for (size_t i = 0; i < count; i++) din[i] = dout[i] * (1.0f - y[i] * y[i]);
        return;
    }
}

void nn_softmax_backward(float *din, const float *dout, const float *y, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        const float *gy = dout + (size_t)r * cols, *p = y + (size_t)r * cols;
        float *gx = din + (size_t)r * cols;
        float dot = 0.0f;
        for (int i = 0; i < cols; i++) dot += gy[i] * p[i];
        for (int i = 0; i < cols; i++) gx[i] = p[i] * (gy[i] - dot);
    }
}

void nn_dense_backward(float *din, float *dweights, float *dbias, const float *dout,
                       const float *in, const float *weights, int batch, int in_n, int out_n) {
    if (batch <= 0 || in_n <= 0 || out_n <= 0) return;
    float *inT = malloc(sizeof(float) * (size_t)batch * in_n);
    if (inT) {
        // dweights[i][j] += sum over n of in[n][i] * dout[n][j]
        transpose_(inT, in, batch, in_n);
        nn_gemm(in_n, out_n, batch, inT, batch, dout, out_n, dweights, out_n, true);
        free(inT);
    } else {
        for (int n = 0; n < batch; n++)
            for (int i = 0; i < in_n; i++)
                for (int j = 0; j < out_n; j++)
                    dweights[(size_t)i * out_n + j] += in[(size_t)n * in_n + i] * dout[(size_t)n * out_n + j];
    }
    if (dbias)
        for (int n = 0; n < batch; n++)
            for (int j = 0; j < out_n; j++) dbias[j] += dout[(size_t)n * out_n + j];
    // din[n][i] = sum over j of dout[n][j] * weights[i][j]: dot products along j
    if (din) nn_gemm_nt(batch, in_n, out_n, dout, out_n, weights, out_n, din, in_n, false);
}

void nn_dropout_backward(float *din, const float *dout, const float *mask, size_t count) {
    for (size_t i = 0; i < count; i++) din[i] = dout[i] * mask[i];
}

float nn_cross_entropy(const float *p, const uint8_t *labels, float *dlogits, int batch,
                       int classes) {
    double total = 0.0;
    const float inv = 1.0f / (float)batch;
    for (int n = 0; n < batch; n++) {
        const float *pn = p + (size_t)n * classes;
        const int y = labels[n];
        // Clamp tiny probabilities, but let NaN through: it means the training diverged.
        const double py = pn[y];
        total -= log(py < 1e-30 ? 1e-30 : py);
        if (dlogits) {
            float *g = dlogits + (size_t)n * classes;
            for (int k = 0; k < classes; k++) g[k] = (pn[k] - (k == y ? 1.0f : 0.0f)) * inv;
        }
    }
    return (float)(total / batch);
}
