// layer_kinds.h - the table of layer kinds, in the manner of kann's kad_op_list[]:
// one row per kind with everything the engine does differently for it: how it
// is written, parsed and formatted, its Keras names, its output shape and
// parameters, the memory it keeps, its forward and its backward pass. The
// parser (arch.c), the model builder (model.c) and the net (net.c) read the
// row of a layer's kind; none of them has a switch on the kind.
//
// Adding a layer kind: its value in nn_layer_kind (layer.h), its row in
// nn_layer_kinds[] and the row's functions (layer_kinds.c).
//
// The includes point one way, so the table never reaches back to its users:
// the types a row works on are below it, in layer.h (kind, spec, placed layer);
// the parser, the builder and the net include this header, and layer_kinds.c
// includes none of theirs. A forward or backward therefore sees no nn_net: the
// net hands it an nn_layer_pass, the layer with its slices of the net's buffers.
//
// There is no per-kind parameter update: training (app/train.c) steps every
// parameter of every kind the same way, SGD with momentum over the flat array.
#ifndef NN_LAYER_KINDS_H
#define NN_LAYER_KINDS_H

#include <stdbool.h>
#include <stddef.h>

#include "layer.h"
#include "rng.h"
#include "status.h"

// How the parser reads one value of a layer into its nn_layer_spec.
typedef enum nn_arg_type {
    NN_ARG_INT,        // a whole number from lo to NN_MAX_AXIS (an int field)
    NN_ARG_RATE,       // a number at least 0 and below 1 (a float field)
    NN_ARG_PADDING,    // valid, same or a number of cells (the nn_padding field); default valid
    NN_ARG_PAD_CELLS,  // a number of cells only (the nn_padding field); default 0
} nn_arg_type;

// One value a layer takes: positional when key is NULL, else key=value.
typedef struct nn_arg_def {
    const char *key;   // the option's key ("stride"), or NULL for a positional value
    const char *what;  // its name in messages: "the kernel size K", "stride"
    nn_arg_type type;
    int lo;            // NN_ARG_INT: the smallest value allowed
    int fallback;      // NN_ARG_INT option: its value when not given
    size_t field;      // offsetof(nn_layer_spec, the field it sets)
} nn_arg_def;

// The most values a row lists (positional values and options together).
#define NN_MAX_ARG_DEFS 6

// What a layer needs besides its output, per sample of a batch.
typedef struct nn_layer_memory {
    size_t kept;     // floats its forward keeps for its backward (net->kept[i])
    size_t argmax;   // ints of winners its forward records (net->argmax[i])
    size_t scratch;  // floats of the scratch every layer shares (the largest is allocated)
    size_t cache;    // floats it keeps from pass to pass (not per sample; zeroed at the start)
} nn_layer_memory;

// What a row's place function is told for its messages.
typedef struct nn_place_at {
    int index;         // the layer's 0-based position in the model
    const char *what;  // the layer as written: "conv(6,5,pad=2)"
    const char *have;  // its input shape in words: "28x28x1 (HxWxC)"
} nn_place_at;

// What a row's forward and backward see of one layer of a net: the layer,
// the batch, and the layer's slices of the net's buffers (net.c fills it).
typedef struct nn_layer_pass {
    const nn_layer *layer;
    int batch;                        // the samples in this pass
    bool training;                    // a training pass: dropout draws masks, conv keeps windows
    float *out;                       // the layer's output [batch][out count]
    float *kept;                      // what its forward keeps for its backward
                                      // (nn_layer_memory.kept per sample), or NULL
    int *argmax;                      // the winners its forward records, or NULL
    float *scratch;                   // the scratch every layer shares
    float *cache;                     // its own floats kept between passes
                                      // (nn_layer_memory.cache), or NULL
    const float *weights, *bias;      // its parameters (into the net's flat array)
    float *grad_weights, *grad_bias;  // their gradients (into the net's flat gradients)
} nn_layer_pass;

typedef struct nn_layer_kind_def {
    // ---- Text -----------------------------------------------------------------
    const char *name;   // as written in architecture strings: "conv"
    const char *usage;  // the syntax quoted in parse errors
    // Positional values first, then options; the list ends at the first
    // entry without `what`.
    nn_arg_def args[NN_MAX_ARG_DEFS];
    // Writes the layer as it would be written, defaults left out; NULL: the
    // name alone.
    void (*format)(const nn_layer_spec *s, char *buf, int size);

    // ---- Keras -----------------------------------------------------------------
    const char *keras_type;  // class name: "Conv2D"
    const char *keras_name;  // snake-case base name: "conv2d"; kinds with the same
                             // one share its numbering (sigmoid and tanh: activation)

    // ---- Model -----------------------------------------------------------------
    // Sets l->out, l->weights and l->biases (and any geometry) from l->spec and
    // l->in, or fails with a sentence naming the layer.
    nn_status (*place)(nn_layer *l, const nn_place_at *at, nn_error *err);
    // Layers with weights: the fan-in and fan-out that scale their initial values.
    void (*fans)(const nn_layer *l, float *fan_in, float *fan_out);
    // Initialisation looks past this layer to the one after it (it moves or
    // masks values without computing new ones: dropout, flatten).
    bool passes_values;
    // An nn_act_kind or nn_pool_mode that kinds sharing functions pass on.
    int variant;

    // ---- Net -------------------------------------------------------------------
    // The memory a layer needs besides its output (NULL: none).
    void (*memory)(const nn_layer *l, nn_layer_memory *mem);
    // p->out = the layer applied to the batch `in` (p->batch samples; rng
    // draws dropout masks in a training pass).
    void (*forward)(const nn_layer_pass *p, const float *in, nn_rng *rng);
    // From dy, the loss's gradient at the layer's output: adds to its parameter
    // gradients, and writes the gradient at its input x into dx unless dx is
    // NULL (the first layer).
    void (*backward)(const nn_layer_pass *p, const float *x, const float *dy, float *dx);
} nn_layer_kind_def;

// One row per kind, indexed by nn_layer_kind.
extern const nn_layer_kind_def nn_layer_kinds[NN_LAYER_KIND_COUNT];

#endif
