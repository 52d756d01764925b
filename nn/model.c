// model.c - building a sequential model: shapes and parameter counts, layer
// by layer, with the checks that make a bad architecture a clear sentence.
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layer_kinds.h"

// Keras numbers the layers of one base name: conv2d, conv2d_1, ... Kinds that
// share a base name (sigmoid and tanh: activation) share the count of the
// first kind with that name.
static int name_counter_(nn_layer_kind k) {
    int first = 0;
    while (strcmp(nn_layer_kinds[first].keras_name, nn_layer_kinds[k].keras_name) != 0) first++;
    return first;
}

static void shape_text_(nn_shape s, char *buf, size_t size) {
    if (s.rank == 1)
        snprintf(buf, size, "a flat vector of %d values", s.c);
    else
        snprintf(buf, size, "%dx%dx%d (HxWxC)", s.h, s.w, s.c);
}

// Works out layer l's output shape and parameter count from l->in.
static nn_status place_layer_(nn_layer *l, int index, nn_error *err) {
    char what[64], have[64];
    nn_layer_spec_format(&l->spec, what, sizeof what);
    shape_text_(l->in, have, sizeof have);
    const nn_place_at at = {index, what, have};
    return nn_layer_kinds[l->spec.kind].place(l, &at, err);
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

    int seen[NN_LAYER_KIND_COUNT] = {0};  // layers so far per Keras base name
    nn_shape shape = input;
    for (int i = 0; i < n; i++) {
        nn_layer *l = &layers[i];
        const nn_layer_kind_def *kind = &nn_layer_kinds[specs[i].kind];
        l->spec = specs[i];
        l->in = shape;
        l->type = kind->keras_type;
        int *count = &seen[name_counter_(l->spec.kind)];
        if (*count == 0)
            snprintf(l->name, sizeof l->name, "%s", kind->keras_name);
        else
            snprintf(l->name, sizeof l->name, "%s_%d", kind->keras_name, *count);
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
