// model.h - sequential models: a list of layers built from an architecture
// string and an input shape, with every layer's output shape and parameter
// count worked out and checked (the numbers Keras's model.summary() reports).
#ifndef NN_MODEL_H
#define NN_MODEL_H

#include "arch.h"
#include "conv2d.h"
#include "pool.h"
#include "status.h"
#include "tensor.h"

// The most parameters (weights plus biases) one layer, and a whole model, may
// have: 2^28, the NN_MAX_ELEMENTS a buffer may hold (1 GiB of floats). VGG16's
// 138 million fit; a typo such as conv(1000,400) on a wide input does not.
#define NN_MAX_PARAMS 268435456LL

// One layer, placed in a model.
typedef struct nn_layer {
    nn_layer_spec spec;  // as the architecture string wrote it
    char name[32];       // Keras-style unique name: conv2d, conv2d_1, dense, ...
    const char *type;    // Keras class name: Conv2D, MaxPooling2D, Dense, ...
    nn_shape in, out;    // shape of one sample entering and leaving
    long long weights;   // learnable weights (no biases)
    long long biases;    // learnable biases
    nn_conv2d_geom conv; // valid for NN_LAYER_CONV
    nn_pool_geom pool;   // valid for NN_LAYER_MAXPOOL and NN_LAYER_AVGPOOL
} nn_layer;

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

// The parameters of one layer: weights plus biases.
long long nn_layer_params(const nn_layer *l);

#endif
