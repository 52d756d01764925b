// act.h - element-wise activations and softmax.
#ifndef NN_ACT_H
#define NN_ACT_H

#include <stddef.h>

typedef enum nn_act_kind { NN_ACT_RELU, NN_ACT_SIGMOID, NN_ACT_TANH } nn_act_kind;

// The activation of one value; the batch pass and any stepper call this.
float nn_act_value(nn_act_kind kind, float x);

// out[i] = act(in[i]) for i < count (out may equal in).
void nn_act_forward(nn_act_kind kind, float *out, const float *in, size_t count);

// Softmax of each of `rows` vectors of `cols` values, computed stably (the
// largest value is subtracted before exp). out may equal in.
void nn_softmax_forward(float *out, const float *in, int rows, int cols);

#endif
