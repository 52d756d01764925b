// layer.h - what one layer is, the types below the table of layer kinds: its
// kind, its spec as an architecture string writes it, and the layer as a model
// places it (shapes, parameter counts, geometry).
//
// Why a header of its own: the table (layer_kinds.h) is read by the parser
// (arch.c), the model builder (model.c) and the net (net.c), and its rows work
// on these types. With the types here, below all four, every include points one
// way: layer <- layer_kinds <- arch <- model <- net, and the table's module
// never includes a module that uses it. arch.h and model.h include this header,
// so every name stays where their users found it.
#ifndef NN_LAYER_H
#define NN_LAYER_H

#include "conv2d.h"
#include "convt.h"
#include "outsize.h"
#include "pool.h"
#include "tensor.h"

// The layer kinds, in the order of their rows in nn_layer_kinds[] (layer_kinds.h),
// which holds everything the engine does differently for each.
typedef enum nn_layer_kind {
    NN_LAYER_CONV,
    NN_LAYER_CONVT,
    NN_LAYER_MAXPOOL,
    NN_LAYER_AVGPOOL,
    NN_LAYER_RELU,
    NN_LAYER_SIGMOID,
    NN_LAYER_TANH,
    NN_LAYER_DROPOUT,
    NN_LAYER_FLATTEN,
    NN_LAYER_DENSE,
    NN_LAYER_SOFTMAX,
    NN_LAYER_KIND_COUNT,  // not a kind: how many there are
} nn_layer_kind;

// One layer as the architecture string describes it.
typedef struct nn_layer_spec {
    nn_layer_kind kind;
    int filters;         // conv, convt: F
    int kernel;          // conv, convt: K; pooling: window K
    int stride;          // conv, convt, pooling (pooling: 0 in the text means "= window")
    int dilation;        // conv, convt
    nn_padding padding;  // conv: valid/same/P; pooling, convt: explicit P
    int out_pad;         // convt: output padding A (0 <= A < max(stride, dilation))
    int units;           // dense: N
    float rate;          // dropout: P in [0, 1)
    int column;          // 1-based column where the layer starts in the string
} nn_layer_spec;

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
    nn_convt_geom convt; // valid for NN_LAYER_CONVT
    nn_pool_geom pool;   // valid for NN_LAYER_MAXPOOL and NN_LAYER_AVGPOOL
} nn_layer;

// The parameters of one layer: weights plus biases (inline: this header has
// no .c of its own).
static inline long long nn_layer_params(const nn_layer *l) { return l->weights + l->biases; }

#endif
