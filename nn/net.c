// net.c - parameters, activations, forward and backward of a sequential model.
// Each layer's forward and backward is its kind's row (layer_kinds.h), which
// sees the layer through an nn_layer_pass, never the net: layer_kinds.c does
// not include net.h, so the includes point one way.
#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "grad.h"
#include "layer_kinds.h"
#include "tensor.h"

// What layer l needs besides its output, per sample.
static nn_layer_memory memory_of_(const nn_layer *l) {
    nn_layer_memory mem = {0};
    if (nn_layer_kinds[l->spec.kind].memory) nn_layer_kinds[l->spec.kind].memory(l, &mem);
    return mem;
}

// Layer i as its row's forward and backward see it: its slices of the net's
// buffers for the current batch.
static nn_layer_pass pass_of_(const nn_net *net, int i) {
    const nn_param_slice *s = &net->slices[i];
    nn_layer_pass p = {
        .layer = &net->model->layers[i],
        .batch = net->batch,
        .training = net->training,
        .out = net->out[i],
        .kept = net->kept[i],
        .argmax = net->argmax[i],
        .scratch = net->scratch,
        .cache = net->cache[i],
        .weights = net->params + s->weights,
        .bias = net->params + s->bias,
        .grad_weights = net->grads + s->weights,
        .grad_bias = net->grads + s->bias,
    };
    return p;
}

nn_status nn_net_create(nn_net **out, const char *arch, nn_shape input, int max_batch,
                        float *shared_params, nn_error *err) {
    *out = NULL;
    if (max_batch < 1 || max_batch > 65536)
        return nn_error_set(err, NN_ERR_ARG, "the batch size must be from 1 to 65536, got %d",
                            max_batch);
    nn_net *net = calloc(1, sizeof *net);
    if (!net) return nn_error_set(err, NN_ERR_NOMEM, "out of memory");
    nn_status st = nn_model_create(&net->model, arch, input, err);
    if (st != NN_OK) {
        free(net);
        return st;
    }
    const nn_model *m = net->model;
    const int L = m->n_layers;
    net->max_batch = max_batch;
    net->slices = calloc((size_t)L, sizeof *net->slices);
    net->out = calloc((size_t)L, sizeof *net->out);
    net->argmax = calloc((size_t)L, sizeof *net->argmax);
    net->kept = calloc((size_t)L, sizeof *net->kept);
    net->cache = calloc((size_t)L, sizeof *net->cache);
    net->cache_floats = calloc((size_t)L, sizeof *net->cache_floats);
    if (!net->slices || !net->out || !net->argmax || !net->kept || !net->cache ||
        !net->cache_floats)
        goto nomem;

    // Parameters: each layer's weights then biases, in layer order.
    size_t off = 0;
    for (int i = 0; i < L; i++) {
        const nn_layer *l = &m->layers[i];
        nn_param_slice *s = &net->slices[i];
        s->n_weights = (size_t)l->weights;
        s->n_bias = (size_t)l->biases;
        s->weights = off;
        s->bias = off + s->n_weights;
        off += s->n_weights + s->n_bias;
    }
    net->n_params = off;
    if (off > NN_MAX_ELEMENTS) {
        nn_net_free(net);
        return nn_error_set(err, NN_ERR_NOMEM, "%zu parameters are more than %d", off,
                            NN_MAX_ELEMENTS);
    }
    if (shared_params) {
        net->params = shared_params;
    } else {
        net->params = calloc(off ? off : 1, sizeof(float));
        net->owns_params = true;
    }
    net->grads = calloc(off ? off : 1, sizeof(float));
    if (!net->params || !net->grads) goto nomem;

    // Activations: every layer's output and what it keeps for backward, then
    // the backward ping-pong buffers and the scratch, all in one allocation.
    size_t largest = nn_shape_count(input), total = 0, n_argmax = 0, scratch = 0;
    for (int i = 0; i < L; i++) {
        const size_t count = nn_shape_count(m->layers[i].out);
        if (count > largest) largest = count;
        const nn_layer_memory mem = memory_of_(&m->layers[i]);
        total += count + mem.kept;
        n_argmax += mem.argmax;
        if (mem.scratch > scratch) scratch = mem.scratch;
        net->cache_floats[i] = mem.cache;
    }
    total += 2 * largest + scratch;
    if (total > NN_MAX_ELEMENTS / (size_t)max_batch) {
        nn_net_free(net);
        return nn_error_set(err, NN_ERR_NOMEM,
                            "activations for batches of %d would need more than %d values",
                            max_batch, NN_MAX_ELEMENTS);
    }
    net->act_mem = malloc(sizeof(float) * total * (size_t)max_batch);
    net->argmax_mem = malloc(sizeof(int) * (n_argmax ? n_argmax : 1) * (size_t)max_batch);
    if (!net->act_mem || !net->argmax_mem) goto nomem;
    float *p = net->act_mem;
    int *a = net->argmax_mem;
    for (int i = 0; i < L; i++) {
        const nn_layer_memory mem = memory_of_(&m->layers[i]);
        net->out[i] = p;
        p += nn_shape_count(m->layers[i].out) * (size_t)max_batch;
        if (mem.kept) {
            net->kept[i] = p;
            p += mem.kept * (size_t)max_batch;
        }
        if (mem.argmax) {
            net->argmax[i] = a;
            a += mem.argmax * (size_t)max_batch;
        }
    }
    net->grad_a = p;
    net->grad_b = p + largest * (size_t)max_batch;
    net->scratch = net->grad_b + largest * (size_t)max_batch;
    *out = net;
    return NN_OK;
nomem:
    nn_net_free(net);
    return nn_error_set(err, NN_ERR_NOMEM, "out of memory for the network");
}

void nn_net_free(nn_net *net) {
    if (!net) return;
    if (net->cache)  // before the model, which says how many layers there are
        for (int i = 0; i < net->model->n_layers; i++) free(net->cache[i]);
    nn_model_free(net->model);
    free(net->slices);
    if (net->owns_params) free(net->params);
    free(net->grads);
    free(net->act_mem);
    free(net->argmax_mem);
    free(net->out);
    free(net->argmax);
    free(net->kept);
    free(net->cache);
    free(net->cache_floats);
    free(net);
}

// ---- Initialisation --------------------------------------------------------------

// True if the next layer that changes values is a ReLU.
static bool feeds_relu_(const nn_model *m, int i) {
    for (int j = i + 1; j < m->n_layers; j++) {
        const nn_layer_kind k = m->layers[j].spec.kind;
        if (nn_layer_kinds[k].passes_values) continue;
        return k == NN_LAYER_RELU;
    }
    return false;
}

void nn_net_init_params(nn_net *net, uint64_t seed) {
    nn_rng rng;
    nn_rng_seed(&rng, seed);
    const nn_model *m = net->model;
    for (int i = 0; i < m->n_layers; i++) {
        const nn_layer *l = &m->layers[i];
        const nn_param_slice *s = &net->slices[i];
        if (s->n_weights == 0) continue;
        float fan_in, fan_out;
        nn_layer_kinds[l->spec.kind].fans(l, &fan_in, &fan_out);
        // He: Var = 2/fan_in; Glorot: Var = 2/(fan_in + fan_out); U(-b, b) has Var b^2/3.
        const float var = feeds_relu_(m, i) ? 2.0f / fan_in : 2.0f / (fan_in + fan_out);
        const float bound = sqrtf(3.0f * var);
        float *w = net->params + s->weights;
        for (size_t k = 0; k < s->n_weights; k++) w[k] = nn_rng_uniform(&rng, -bound, bound);
        memset(net->params + s->bias, 0, sizeof(float) * s->n_bias);
    }
}

// ---- Forward -------------------------------------------------------------------------

const float *nn_net_forward(nn_net *net, const float *x, int batch, bool training, nn_rng *rng) {
    const nn_model *m = net->model;
    net->input = x;
    net->batch = batch;
    net->training = training;
    const float *in = x;
    nn_profile *prof = net->profile;
    nn_profile_active_ = prof;
    for (int i = 0; i < m->n_layers; i++) {
        // Only inference uses a layer's cache: made at its first inference pass
        // (zeroed: nothing kept yet), so a training net never holds one. Without
        // memory for it the layer does without (the same bits, slower).
        if (!training && net->cache_floats[i] && !net->cache[i])
            net->cache[i] = calloc(net->cache_floats[i], sizeof(float));
        const nn_layer_pass p = pass_of_(net, i);
        const double t0 = prof ? nn_profile_now_() : 0.0;
        nn_layer_kinds[m->layers[i].spec.kind].forward(&p, in, rng);
        if (prof && i < NN_PROFILE_MAX_LAYERS) prof->forward[i] += nn_profile_now_() - t0;
        in = net->out[i];
    }
    if (prof) prof->forwards++;
    nn_profile_active_ = NULL;
    return in;
}

// ---- Backward -------------------------------------------------------------------------

int nn_net_classes(const nn_net *net) {
    const nn_model *m = net->model;
    const nn_shape s = m->layers[m->n_layers - 1].out;
    return s.rank == 1 ? s.c : 0;
}

void nn_net_zero_grads(nn_net *net) { memset(net->grads, 0, sizeof(float) * net->n_params); }

float nn_net_backward(nn_net *net, const uint8_t *labels) {
    const nn_model *m = net->model;
    const int B = net->batch, classes = nn_net_classes(net);
    int last = m->n_layers - 1;
    float *g = net->grad_a, *other = net->grad_b;
    float loss;
    nn_profile *prof = net->profile;
    nn_profile_active_ = prof;
    double t0 = prof ? nn_profile_now_() : 0.0;
    if (m->layers[last].spec.kind == NN_LAYER_SOFTMAX) {
        // Softmax and cross-entropy together: d loss / d logits = (p - onehot) / B.
        loss = nn_cross_entropy(net->out[last], labels, g, B, classes);
        last--;
    } else {
        nn_softmax_forward(other, net->out[last], B, classes);
        loss = nn_cross_entropy(other, labels, g, B, classes);
    }
    if (prof) prof->loss += nn_profile_now_() - t0;
    for (int i = last; i >= 0; i--) {
        const float *x = i > 0 ? net->out[i - 1] : net->input;
        // The first layer's input gradient is never used: skip computing it.
        float *dx = i > 0 ? other : NULL;
        const nn_layer_pass p = pass_of_(net, i);
        if (prof) t0 = nn_profile_now_();
        nn_layer_kinds[m->layers[i].spec.kind].backward(&p, x, g, dx);
        if (prof && i < NN_PROFILE_MAX_LAYERS) prof->backward[i] += nn_profile_now_() - t0;
        if (!dx) break;
        float *t = g;
        g = dx;
        other = t;
    }
    if (prof) prof->backwards++;
    nn_profile_active_ = NULL;
    return loss;
}
