// dense.c - fully connected layers.
#include "dense.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "gemm.h"

float nn_dense_neuron(const float *in, const float *weights, float bias, int in_n) {
    float acc = 0.0f;
    for (int i = 0; i < in_n; i++) acc = fmaf(in[i], weights[i], acc);  // as nn_gemm does
    return acc + bias;
}

void nn_dense_forward(float *out, const float *in, const float *weights, const float *bias,
                      int batch, int in_n, int out_n) {
    // Through nn_gemm, which adds in the same order as nn_dense_neuron:
    // outT[j][n] = sum over i of weights[j][i] * inT[i][n].
    if (batch <= 0 || in_n <= 0 || out_n <= 0) return;
    float *inT = malloc(sizeof(float) * ((size_t)in_n + out_n) * batch);
    if (inT) {
        float *outT = inT + (size_t)in_n * batch;
        for (int n = 0; n < batch; n++)
            for (int i = 0; i < in_n; i++) inT[(size_t)i * batch + n] = in[(size_t)n * in_n + i];
        nn_gemm(out_n, batch, in_n, weights, in_n, inT, batch, outT, batch, false);
        for (int n = 0; n < batch; n++)
            for (int j = 0; j < out_n; j++)
                out[(size_t)n * out_n + j] = outT[(size_t)j * batch + n] + (bias ? bias[j] : 0.0f);
        free(inT);
        return;
    }
    for (int n = 0; n < batch; n++) {
        const float *x = in + (size_t)n * in_n;
        float *y = out + (size_t)n * out_n;
        for (int j = 0; j < out_n; j++)
            y[j] = nn_dense_neuron(x, weights + (size_t)j * in_n, bias ? bias[j] : 0.0f, in_n);
    }
}
