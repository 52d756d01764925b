// net.c - parameters, activations, forward and backward of a sequential model.
#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "conv2d.h"
#include "dense.h"
#include "grad.h"
#include "nn_internal.h"
#include "pool.h"

static nn_act_kind act_kind_(nn_layer_kind k) {
    return k == NN_LAYER_RELU ? NN_ACT_RELU : k == NN_LAYER_SIGMOID ? NN_ACT_SIGMOID : NN_ACT_TANH;
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
    net->mask = calloc((size_t)L, sizeof *net->mask);
    net->col = calloc((size_t)L, sizeof *net->col);
    if (!net->slices || !net->out || !net->argmax || !net->mask || !net->col) goto nomem;

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

    // Activations: every layer's output, dropout masks, then the backward
    // ping-pong buffers, all in one allocation.
    size_t largest = nn_shape_count(input), total = 0, n_argmax = 0, scratch = 0;
    for (int i = 0; i < L; i++) {
        const size_t count = nn_shape_count(m->layers[i].out);
        if (count > largest) largest = count;
        total += count;
        if (m->layers[i].spec.kind == NN_LAYER_DROPOUT) total += count;
        if (m->layers[i].spec.kind == NN_LAYER_MAXPOOL) n_argmax += count;
        if (m->layers[i].spec.kind == NN_LAYER_CONV) {
            const nn_conv2d_geom *g = &m->layers[i].conv;
            total += nn_conv2d_col_size(g);  // per sample
            size_t s = nn_conv2d_backward_scratch(g, 1);
            if (s > scratch) scratch = s;
            s = nn_conv2d_rows_scratch(g);  // not per sample, but counted per sample: ample
            if (s > scratch) scratch = s;
        }
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
        const size_t count = nn_shape_count(m->layers[i].out) * (size_t)max_batch;
        net->out[i] = p;
        p += count;
        if (m->layers[i].spec.kind == NN_LAYER_DROPOUT) {
            net->mask[i] = p;
            p += count;
        }
        if (m->layers[i].spec.kind == NN_LAYER_MAXPOOL) {
            net->argmax[i] = a;
            a += count;
        }
        if (m->layers[i].spec.kind == NN_LAYER_CONV) {
            net->col[i] = p;
            p += nn_conv2d_col_size(&m->layers[i].conv) * (size_t)max_batch;
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
    nn_model_free(net->model);
    free(net->slices);
    if (net->owns_params) free(net->params);
    free(net->grads);
    free(net->act_mem);
    free(net->argmax_mem);
    free(net->out);
    free(net->argmax);
    free(net->mask);
    free(net->col);
    free(net);
}

// ---- Initialisation --------------------------------------------------------------

// True if the next layer that changes values is a ReLU.
static bool feeds_relu_(const nn_model *m, int i) {
    for (int j = i + 1; j < m->n_layers; j++) {
        nn_layer_kind k = m->layers[j].spec.kind;
        if (k == NN_LAYER_DROPOUT || k == NN_LAYER_FLATTEN) continue;
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
        if (l->spec.kind == NN_LAYER_CONV) {
            const float k2 = (float)l->spec.kernel * (float)l->spec.kernel;
            fan_in = (float)l->in.c * k2;
            fan_out = (float)l->spec.filters * k2;
        } else {
            fan_in = (float)l->in.c;
            fan_out = (float)l->spec.units;
        }
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
    for (int i = 0; i < m->n_layers; i++) {
        const nn_layer *l = &m->layers[i];
        const nn_param_slice *s = &net->slices[i];
        float *y = net->out[i];
        const size_t count = nn_shape_count(l->out) * (size_t)batch;
        switch (l->spec.kind) {
        case NN_LAYER_CONV:
            // Training keeps the windows as columns for backward; inference reads
            // them in place when it can. Both give the same bits.
            if (training || !nn_conv2d_forward_rows(&l->conv, y, in, net->params + s->weights,
                                                    net->params + s->bias, batch, net->scratch))
                nn_conv2d_forward_batch(&l->conv, y, in, net->params + s->weights,
                                        net->params + s->bias, batch, net->col[i], net->scratch);
            break;
        case NN_LAYER_MAXPOOL:
        case NN_LAYER_AVGPOOL:
            nn_pool_forward(&l->pool, y, net->argmax[i], in, batch);
            break;
        case NN_LAYER_RELU:
        case NN_LAYER_SIGMOID:
        case NN_LAYER_TANH:
            nn_act_forward(act_kind_(l->spec.kind), y, in, count);
            break;
        case NN_LAYER_DROPOUT:
            if (training && l->spec.rate > 0.0f) {
                // Inverted dropout: keep with probability 1-p and scale by 1/(1-p),
                // so nothing changes at inference.
                const float keep = 1.0f - l->spec.rate, scale = 1.0f / keep;
                for (size_t k = 0; k < count; k++) {
                    net->mask[i][k] = nn_rng_float(rng) < keep ? scale : 0.0f;
                    y[k] = in[k] * net->mask[i][k];
                }
            } else {
                memcpy(y, in, sizeof(float) * count);
            }
            break;
        case NN_LAYER_FLATTEN:
            memcpy(y, in, sizeof(float) * count);  // channels-first memory is already flat
            break;
        case NN_LAYER_DENSE:
            nn_dense_forward(y, in, net->params + s->weights, net->params + s->bias, batch,
                             l->in.c, l->spec.units);
            break;
        case NN_LAYER_SOFTMAX:
            nn_softmax_forward(y, in, batch, l->out.c);
            break;
        }
        in = y;
    }
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
    if (m->layers[last].spec.kind == NN_LAYER_SOFTMAX) {
        // Softmax and cross-entropy together: d loss / d logits = (p - onehot) / B.
        loss = nn_cross_entropy(net->out[last], labels, g, B, classes);
        last--;
    } else {
        nn_softmax_forward(other, net->out[last], B, classes);
        loss = nn_cross_entropy(other, labels, g, B, classes);
    }
    for (int i = last; i >= 0; i--) {
        const nn_layer *l = &m->layers[i];
        const nn_param_slice *s = &net->slices[i];
        const float *x = i > 0 ? net->out[i - 1] : net->input;
        const size_t in_count = nn_shape_count(l->in) * (size_t)B;
        // The first layer's input gradient is never used: skip computing it.
        float *dx = i > 0 ? other : NULL;
        switch (l->spec.kind) {
        case NN_LAYER_CONV:
            if (!net->training) {  // an inference forward kept no windows: gather them
                const nn_conv2d_geom *cg = &l->conv;
                const size_t P = (size_t)cg->out_h * cg->out_w, in_size = nn_shape_count(l->in);
                for (int n = 0; n < B; n++)
                    nn_conv2d_im2col_(cg, x + (size_t)n * in_size, net->col[i] + (size_t)n * P,
                                      P * (size_t)B);
            }
            nn_conv2d_backward_batch(&l->conv, dx, net->grads + s->weights,
                                     net->grads + s->bias, g, net->col[i],
                                     net->params + s->weights, B, net->scratch);
            break;
        case NN_LAYER_MAXPOOL:
        case NN_LAYER_AVGPOOL:
            if (dx) nn_pool_backward(&l->pool, dx, g, net->argmax[i], B);
            break;
        case NN_LAYER_RELU:
        case NN_LAYER_SIGMOID:
        case NN_LAYER_TANH:
            if (dx) nn_act_backward(act_kind_(l->spec.kind), dx, g, net->out[i], in_count);
            break;
        case NN_LAYER_DROPOUT:
            if (dx) {
                if (net->training && l->spec.rate > 0.0f)
                    nn_dropout_backward(dx, g, net->mask[i], in_count);
                else
                    memcpy(dx, g, sizeof(float) * in_count);
            }
            break;
        case NN_LAYER_FLATTEN:
            if (dx) memcpy(dx, g, sizeof(float) * in_count);
            break;
        case NN_LAYER_DENSE:
            nn_dense_backward(dx, net->grads + s->weights, net->grads + s->bias, g, x,
                              net->params + s->weights, B, l->in.c, l->spec.units);
            break;
        case NN_LAYER_SOFTMAX:
            if (dx) nn_softmax_backward(dx, g, net->out[i], B, l->out.c);
            break;
        }
        if (!dx) break;
        float *t = g;
        g = dx;
        other = t;
    }
    return loss;
}
