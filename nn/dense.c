// dense.c - fully connected layers.
#include "dense.h"

#include <math.h>
#include <stddef.h>

float nn_dense_neuron(const float *in, const float *weights, float bias, int in_n) {
    float acc = 0.0f;
    for (int i = 0; i < in_n; i++) acc = fmaf(in[i], weights[i], acc);  // as nn_gemm does
    return acc + bias;
}

void nn_dense_forward(float *out, const float *in, const float *weights, const float *bias,
                      int batch, int in_n, int out_n) {
    for (int n = 0; n < batch; n++) {
        const float *x = in + (size_t)n * in_n;
        float *y = out + (size_t)n * out_n;
        for (int j = 0; j < out_n; j++)
            y[j] = nn_dense_neuron(x, weights + (size_t)j * in_n, bias ? bias[j] : 0.0f, in_n);
    }
}
