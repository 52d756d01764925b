// dense.h - fully connected layers: out[j] = bias[j] + sum over i of in[i] * W[i][j].
// The weights are stored input-major, [in][out], as Keras stores a Dense
// kernel: then a batch's outputs run along the vector lanes of nn_gemm with no
// transposition, for one digit as for a batch.
#ifndef NN_DENSE_H
#define NN_DENSE_H

// Batch forward pass.
//   out     [batch][out_n]
//   in      [batch][in_n]
//   weights [in_n][out_n]
//   bias    [out_n], or NULL
void nn_dense_forward(float *out, const float *in, const float *weights, const float *bias,
                      int batch, int in_n, int out_n);

// One output neuron j: bias + sum over i of in[i] * weights[i][j], in order
// of i, one fmaf at a time (what nn_gemm does per lane). `column` points at
// weights[0][j]; consecutive inputs are `stride` (= out_n) floats apart.
float nn_dense_neuron(const float *in, const float *column, int stride, float bias, int in_n);

#endif
