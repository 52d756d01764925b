// act.c - activations and softmax.
#include "act.h"

#include <math.h>

#include "nn_internal.h"

float nn_act_value(nn_act_kind kind, float x) {
    switch (kind) {
    case NN_ACT_RELU: return x > 0.0f ? x : 0.0f;
    case NN_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case NN_ACT_TANH: return tanhf(x);
    }
    return x;
}

// ReLU over a whole layer, in the widest vectors the CPU has (the same
// values: a selection, no arithmetic).
NN_VECTOR_CLONES static void relu_(float *out, const float *in, size_t count) {
    for (size_t i = 0; i < count; i++) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

void nn_act_forward(nn_act_kind kind, float *out, const float *in, size_t count) {
    // One loop per kind (not a switch per value) so the compiler vectorises ReLU.
    switch (kind) {
    case NN_ACT_RELU:
        relu_(out, in, count);
        return;
    case NN_ACT_SIGMOID:
        for (size_t i = 0; i < count; i++) out[i] = 1.0f / (1.0f + expf(-in[i]));
        return;
    case NN_ACT_TANH:
        for (size_t i = 0; i < count; i++) out[i] = tanhf(in[i]);
        return;
    }
}

void nn_softmax_forward(float *out, const float *in, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        const float *x = in + (size_t)r * cols;
        float *y = out + (size_t)r * cols;
        float mx = x[0];
        for (int i = 1; i < cols; i++) mx = x[i] > mx ? x[i] : mx;
        float total = 0.0f;
        for (int i = 0; i < cols; i++) {
            y[i] = expf(x[i] - mx);
            total += y[i];
        }
        for (int i = 0; i < cols; i++) y[i] /= total;
    }
}
