// model.h - sequential models: a list of layers built from an architecture
// string and an input shape, with every layer's output shape and parameter
// count worked out and checked (the numbers Keras's model.summary() reports).
#ifndef NN_MODEL_H
#define NN_MODEL_H

#include "arch.h"
#include "layer.h"
#include "status.h"
#include "tensor.h"

// One placed layer (nn_layer), NN_MAX_PARAMS and nn_layer_params() are in
// layer.h, below the table of kinds the builder reads.

// A sequential model's configuration (parameters arrive with training).
typedef struct nn_model {
    nn_shape input;       // one sample, (C, H, W)
    int n_layers;
    nn_layer *layers;     // [n_layers]
    long long params;     // sum of weights and biases over all layers
} nn_model;

// Builds a model from an architecture string (or preset) for samples of the
// given input shape. Fails with a sentence naming the layer and its column
// when the text is malformed or the shapes do not fit together (a dense layer
// on a feature map without flatten, a kernel larger than its input, ...), or
// a layer or the model would have more than NN_MAX_PARAMS parameters.
nn_status nn_model_create(nn_model **out, const char *arch, nn_shape input, nn_error *err);

// Frees a model (NULL is fine).
void nn_model_free(nn_model *m);

#endif
