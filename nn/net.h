// net.h - a model with its numbers: parameters, gradients and activations,
// kept apart as llm.c does, each in one allocation with per-layer slices.
// Forward, backward (softmax cross-entropy) and parameter initialisation.
#ifndef NN_NET_H
#define NN_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "profile.h"
#include "rng.h"
#include "status.h"

// Where one layer's parameters live inside the flat parameter array.
typedef struct nn_param_slice {
    size_t weights;  // offset of the weights (conv [F][C][K][K], convt [C][F][K][K],
                     // dense [in][out])
    size_t bias;     // offset of the biases
    size_t n_weights, n_bias;  // 0 for layers without parameters
} nn_param_slice;

typedef struct nn_net {
    nn_model *model;         // owned
    int max_batch;           // activations are sized for this many samples
    size_t n_params;
    nn_param_slice *slices;  // [n_layers]
    float *params;           // [n_params] (owned unless shared)
    bool owns_params;
    float *grads;            // [n_params], the same layout; accumulated by backward
    // Activations for max_batch samples.
    float *act_mem;          // one allocation, carved below
    float **out;             // [n_layers] each layer's output [batch][out count]
    int *argmax_mem;
    int **argmax;            // [n_layers] max pooling winners, NULL for other layers
    float **kept;            // [n_layers] what a forward keeps for its backward, NULL if
                             // nothing: dropout's mask; conv's windows as columns,
                             // [window][max_batch * out_h * out_w]
    float *grad_a, *grad_b;  // [max_batch * largest layer] ping-pong for backward
    float *scratch;          // products and gradients of the conv layers
    float **cache;           // [n_layers] what a layer keeps from one inference pass to
                             // the next, NULL until its first (conv: its weights
                             // rearranged, checked against the parameters on every
                             // pass, so never stale)
    size_t *cache_floats;    // [n_layers] its size, 0 for none
    const float *input;      // the batch of the last forward pass (borrowed)
    int batch;               // its size
    bool training;           // whether dropout was active in the last forward
    nn_profile *profile;     // NULL (the default), or where forward and backward add
                             // their times (borrowed; see profile.h)
} nn_net;

// Builds a net for the architecture and input shape, with room for batches of
// up to max_batch samples. If shared_params is not NULL the net uses that
// parameter array (of the same model) instead of its own: training threads
// share one set of parameters, each with its own gradients and activations.
nn_status nn_net_create(nn_net **out, const char *arch, nn_shape input, int max_batch,
                        float *shared_params, nn_error *err);
void nn_net_free(nn_net *net);

// He-uniform weights for layers followed by ReLU, Glorot-uniform otherwise;
// zero biases. The same seed gives the same numbers on every platform.
void nn_net_init_params(nn_net *net, uint64_t seed);

// Runs the batch x [batch][C][H][W] through every layer. With training true,
// dropout draws its masks from rng; otherwise dropout is the identity.
// Returns the last layer's output [batch][classes].
const float *nn_net_forward(nn_net *net, const float *x, int batch, bool training, nn_rng *rng);

// After a forward pass: the mean cross-entropy against labels, with its
// gradient propagated back through every layer into net->grads (added to what
// is there). A model that ends in softmax is treated as giving probabilities;
// otherwise its outputs are logits and the softmax is applied here.
float nn_net_backward(nn_net *net, const uint8_t *labels);

// The number of classes the last layer outputs (0 if it is not flat).
int nn_net_classes(const nn_net *net);

// Sets every gradient to zero.
void nn_net_zero_grads(nn_net *net);

#endif
