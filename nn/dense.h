// dense.h - fully connected layers: out = W x + b.
#ifndef NN_DENSE_H
#define NN_DENSE_H

// Batch forward pass.
//   out     [batch][out_n]
//   in      [batch][in_n]
//   weights [out_n][in_n] (PyTorch's layout: one row per output neuron)
//   bias    [out_n], or NULL
void nn_dense_forward(float *out, const float *in, const float *weights, const float *bias,
                      int batch, int in_n, int out_n);

// One output neuron: bias + sum over i of weights[i] * in[i], in order of i.
// The batch pass and any stepper share it.
float nn_dense_neuron(const float *in, const float *weights, float bias, int in_n);

#endif
