// model.c - building a sequential model: shapes and parameter counts, layer
// by layer, with the checks that make a bad architecture a clear sentence.
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long long nn_layer_params(const nn_layer *l) { return l->weights + l->biases; }

static const char *keras_type_(nn_layer_kind k) {
    switch (k) {
    case NN_LAYER_CONV: return "Conv2D";
    case NN_LAYER_MAXPOOL: return "MaxPooling2D";
    case NN_LAYER_AVGPOOL: return "AveragePooling2D";
    case NN_LAYER_RELU: return "ReLU";
    case NN_LAYER_SIGMOID: return "Activation";
    case NN_LAYER_TANH: return "Activation";
    case NN_LAYER_DROPOUT: return "Dropout";
    case NN_LAYER_FLATTEN: return "Flatten";
    case NN_LAYER_DENSE: return "Dense";
    case NN_LAYER_SOFTMAX: return "Softmax";
    }
    return "?";
}

// Keras names a layer after its class in snake case, numbering repeats:
// conv2d, conv2d_1, conv2d_2, ...
static const char *keras_base_name_(nn_layer_kind k) {
    switch (k) {
    case NN_LAYER_CONV: return "conv2d";
    case NN_LAYER_MAXPOOL: return "max_pooling2d";
    case NN_LAYER_AVGPOOL: return "average_pooling2d";
    case NN_LAYER_RELU: return "re_lu";
    case NN_LAYER_SIGMOID: return "activation";
    case NN_LAYER_TANH: return "activation";
    case NN_LAYER_DROPOUT: return "dropout";
    case NN_LAYER_FLATTEN: return "flatten";
    case NN_LAYER_DENSE: return "dense";
    case NN_LAYER_SOFTMAX: return "softmax";
    }
    return "layer";
}

static void shape_text_(nn_shape s, char *buf, size_t size) {
    if (s.rank == 1)
        snprintf(buf, size, "a flat vector of %d values", s.c);
    else
        snprintf(buf, size, "%dx%dx%d (HxWxC)", s.h, s.w, s.c);
}

// Works out layer l's output shape and parameter count from l->in.
static nn_status place_layer_(nn_layer *l, int index, nn_error *err) {
    const nn_layer_spec *s = &l->spec;
    char what[64], have[64];
    nn_layer_spec_format(s, what, sizeof what);
    shape_text_(l->in, have, sizeof have);
    const nn_shape in = l->in;
    nn_error inner;

    switch (s->kind) {
    case NN_LAYER_CONV:
    case NN_LAYER_MAXPOOL:
    case NN_LAYER_AVGPOOL:
        if (in.rank != 3)
            return nn_error_set(err, NN_ERR_SHAPE,
                                "layer %d, %s (column %d), needs a feature map but gets %s: "
                                "put it before flatten",
                                index + 1, what, s->column, have);
        if (s->kind == NN_LAYER_CONV) {
            nn_conv2d_config cfg = {.in_c = in.c, .in_h = in.h, .in_w = in.w,
                                    .filters = s->filters, .k_h = s->kernel, .k_w = s->kernel,
                                    .stride = s->stride, .dilation = s->dilation,
                                    .padding = s->padding};
            if (nn_conv2d_geom_init(&l->conv, &cfg, &inner) != NN_OK)
                return nn_error_set(err, NN_ERR_SHAPE, "layer %d, %s (column %d), on %s: %s",
                                    index + 1, what, s->column, have, inner.msg);
            l->out = nn_shape_map(s->filters, l->conv.out_h, l->conv.out_w);
            // window = C*K*K is at most 2^28 and F at most 10^6: no overflow.
            l->weights = (long long)s->filters * l->conv.window;
            l->biases = s->filters;
            if (nn_layer_params(l) > NN_MAX_PARAMS)
                return nn_error_set(err, NN_ERR_NOMEM,
                                    "layer %d, %s (column %d), would have %lld parameters "
                                    "(%d filters x (%dx%dx%d + 1)), more than %lld, the most "
                                    "one layer may have",
                                    index + 1, what, s->column, nn_layer_params(l), s->filters,
                                    s->kernel, s->kernel, in.c, NN_MAX_PARAMS);
        } else {
            nn_pool_config cfg = {.mode = s->kind == NN_LAYER_MAXPOOL ? NN_POOL_MAX : NN_POOL_AVG,
                                  .c = in.c, .in_h = in.h, .in_w = in.w,
                                  .size_h = s->kernel, .size_w = s->kernel,
                                  .stride = s->stride ? s->stride : s->kernel,
                                  .pad = s->padding.p};
            if (nn_pool_geom_init(&l->pool, &cfg, &inner) != NN_OK)
                return nn_error_set(err, NN_ERR_SHAPE, "layer %d, %s (column %d), on %s: %s",
                                    index + 1, what, s->column, have, inner.msg);
            l->out = nn_shape_map(in.c, l->pool.out_h, l->pool.out_w);
        }
        return NN_OK;
    case NN_LAYER_DENSE:
        if (in.rank != 1)
            return nn_error_set(err, NN_ERR_SHAPE,
                                "layer %d, %s (column %d), needs a flat input but gets %s: "
                                "add flatten before it",
                                index + 1, what, s->column, have);
        l->out = nn_shape_flat(s->units);
        l->weights = (long long)in.c * s->units;
        l->biases = s->units;
        if (nn_layer_params(l) > NN_MAX_PARAMS)
            return nn_error_set(err, NN_ERR_NOMEM,
                                "layer %d, %s (column %d), would have %lld parameters "
                                "(%d units x (%d inputs + 1)), more than %lld, the most one "
                                "layer may have",
                                index + 1, what, s->column, nn_layer_params(l), s->units, in.c,
                                NN_MAX_PARAMS);
        return NN_OK;
    case NN_LAYER_SOFTMAX:
        if (in.rank != 1)
            return nn_error_set(err, NN_ERR_SHAPE,
                                "layer %d, softmax (column %d), needs a flat input but gets %s: "
                                "add flatten and dense(N) before it",
                                index + 1, s->column, have);
        l->out = in;
        return NN_OK;
    case NN_LAYER_FLATTEN:
        l->out = nn_shape_flat((int)nn_shape_count(in));
        return NN_OK;
    case NN_LAYER_RELU:
    case NN_LAYER_SIGMOID:
    case NN_LAYER_TANH:
    case NN_LAYER_DROPOUT:
        l->out = in;
        return NN_OK;
    }
    return nn_error_set(err, NN_ERR_PARSE, "layer %d has an unknown kind", index + 1);
}

nn_status nn_model_create(nn_model **out, const char *arch, nn_shape input, nn_error *err) {
    *out = NULL;
    if (input.rank != 3 || input.c <= 0 || input.h <= 0 || input.w <= 0 ||
        input.c > NN_MAX_AXIS || input.h > NN_MAX_AXIS || input.w > NN_MAX_AXIS ||
        nn_shape_count(input) == 0)
        return nn_error_set(err, NN_ERR_SHAPE,
                            "the input shape %dx%dx%d (HxWxC) must have every size from 1 to %d "
                            "and at most %d values",
                            input.h, input.w, input.c, NN_MAX_AXIS, NN_MAX_ELEMENTS);
    nn_layer_spec *specs;
    int n;
    nn_status st = nn_arch_parse(arch, &specs, &n, err);
    if (st != NN_OK) return st;

    nn_model *m = calloc(1, sizeof *m);
    nn_layer *layers = calloc((size_t)n, sizeof *layers);
    if (!m || !layers) {
        free(specs);
        free(m);
        free(layers);
        return nn_error_set(err, NN_ERR_NOMEM, "out of memory for %d layers", n);
    }
    m->input = input;
    m->n_layers = n;
    m->layers = layers;

    int seen[NN_LAYER_SOFTMAX + 1] = {0};
    int sigmoid_tanh_seen = 0;  // Keras counts both as "activation"
    nn_shape shape = input;
    for (int i = 0; i < n; i++) {
        nn_layer *l = &layers[i];
        l->spec = specs[i];
        l->in = shape;
        l->type = keras_type_(l->spec.kind);
        int *count = (l->spec.kind == NN_LAYER_SIGMOID || l->spec.kind == NN_LAYER_TANH)
                         ? &sigmoid_tanh_seen
                         : &seen[l->spec.kind];
        if (*count == 0)
            snprintf(l->name, sizeof l->name, "%s", keras_base_name_(l->spec.kind));
        else
            snprintf(l->name, sizeof l->name, "%s_%d", keras_base_name_(l->spec.kind), *count);
        (*count)++;
        st = place_layer_(l, i, err);
        if (st != NN_OK) {
            if (err) err->column = l->spec.column;
            free(specs);
            nn_model_free(m);
            return st;
        }
        m->params += nn_layer_params(l);
        if (m->params > NN_MAX_PARAMS) {
            char what[64];
            nn_layer_spec_format(&l->spec, what, sizeof what);
            nn_error_set(err, NN_ERR_NOMEM,
                         "layers 1 to %d would have %lld parameters in all (layer %d, %s "
                         "(column %d), brings %lld), more than %lld, the most a model may have",
                         i + 1, m->params, i + 1, what, l->spec.column, nn_layer_params(l),
                         NN_MAX_PARAMS);
            if (err) err->column = l->spec.column;
            free(specs);
            nn_model_free(m);
            return NN_ERR_NOMEM;
        }
        shape = l->out;
    }
    free(specs);
    *out = m;
    return NN_OK;
}

void nn_model_free(nn_model *m) {
    if (!m) return;
    free(m->layers);
    free(m);
}
