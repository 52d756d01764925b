// grad.h - backward passes: given the gradient of the loss with respect to a
// layer's output, the gradients with respect to its input and its parameters.
// Parameter gradients are ADDED to (so batches and threads can accumulate);
// input gradients are overwritten. Every one is checked against central
// differences in tests/test_grad.c.
#ifndef NN_GRAD_H
#define NN_GRAD_H

#include <stddef.h>
#include <stdint.h>

#include "act.h"
#include "conv2d.h"
#include "pool.h"

// Convolution.
//   dout [batch][filters][out_h][out_w]   in [batch][in_c][in_h][in_w]
//   dweights [filters][in_c][k_h][k_w] (+=)   dbias [filters] (+=, or NULL)
//   din [batch][in_c][in_h][in_w] (=, or NULL when not needed, e.g. the first layer)
void nn_conv2d_backward(const nn_conv2d_geom *g, float *din, float *dweights, float *dbias,
                        const float *dout, const float *in, const float *weights, int batch);

// The same from the column matrix nn_conv2d_forward_batch kept (training):
// no windows are gathered again. When nn_conv2d_wgrad_inplace_ok (stride 1,
// a vector kernel) the columns are not read, nor kept by the forward pass:
// the weights' gradient comes from the input `in` (conv2d_wgrad.h).
// tmp holds nn_conv2d_backward_scratch floats.
void nn_conv2d_backward_batch(const nn_conv2d_geom *g, float *din, float *dweights,
                              float *dbias, const float *dout, const float *in,
                              const float *col, const float *weights, int batch, float *tmp);
size_t nn_conv2d_backward_scratch(const nn_conv2d_geom *g, int batch);

// Pooling. For a max, argmax is what nn_pool_forward recorded.
//   din [batch][c][in_h][in_w] (=)   dout [batch][c][out_h][out_w]
void nn_pool_backward(const nn_pool_geom *g, float *din, const float *dout, const int *argmax,
                      int batch);

// Element-wise activation, from its output y: din[i] = dout[i] * act'(x[i]).
void nn_act_backward(nn_act_kind kind, float *din, const float *dout, const float *y,
                     size_t count);

// Softmax, from its output y (rows of cols): din = y * (dout - sum(dout * y)).
void nn_softmax_backward(float *din, const float *dout, const float *y, int rows, int cols);

// Dense. weights and dweights [in_n][out_n] (+=), dbias [out_n] (+=),
// din [batch][in_n] (= or NULL).
void nn_dense_backward(float *din, float *dweights, float *dbias, const float *dout,
                       const float *in, const float *weights, int batch, int in_n, int out_n);

// Dropout with its mask (0 or 1/(1-rate) per value): din = dout * mask.
void nn_dropout_backward(float *din, const float *dout, const float *mask, size_t count);

// Mean cross-entropy of probabilities p [batch][classes] against labels, and
// (if dlogits is not NULL) its gradient with respect to the logits that the
// softmax turned into p: (p - onehot) / batch. Probabilities are clamped away
// from 0 so a confident mistake costs a large finite loss, not infinity.
float nn_cross_entropy(const float *p, const uint8_t *labels, float *dlogits, int batch,
                       int classes);

#endif
