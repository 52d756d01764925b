// dense.c - fully connected layers.
#include "dense.h"

#include <math.h>
#include <stddef.h>

#include "gemm.h"

float nn_dense_neuron(const float *in, const float *column, int stride, float bias, int in_n) {
    float acc = 0.0f;
    for (int i = 0; i < in_n; i++) acc = fmaf(in[i], column[(size_t)i * stride], acc);
    return acc + bias;
}

void nn_dense_forward(float *out, const float *in, const float *weights, const float *bias,
                      int batch, int in_n, int out_n) {
    if (batch <= 0 || in_n <= 0 || out_n <= 0) return;
    // out[n][j] = sum over i of in[n][i] * weights[i][j], in order of i (as nn_dense_neuron)
    nn_gemm(batch, out_n, in_n, in, in_n, weights, out_n, out, out_n, false);
    for (int n = 0; n < batch; n++)
        for (int j = 0; j < out_n; j++) out[(size_t)n * out_n + j] += bias ? bias[j] : 0.0f;
}
