// layer_kinds.c - the row of every layer kind (at the end of the file) and its
// functions: small adapters between a layer of a model or net and the
// operation's own module (conv2d.c, convt.c, pool.c, act.c, dense.c, grad.c).
// It includes the operations and the layer types below it, never arch.h,
// model.h or net.h: the modules that read the table (see layer_kinds.h).
#include "layer_kinds.h"

#include <stdio.h>
#include <string.h>

#include "act.h"
#include "conv2d.h"
#include "conv2d_wgrad.h"
#include "conv_infer.h"
#include "convt.h"
#include "dense.h"
#include "grad.h"
#include "layer.h"
#include "pool.h"
#include "rng.h"
#include "status.h"
#include "tensor.h"

// ---- Shared by several kinds ----------------------------------------------------

// Convolution and pooling slide over a feature map.
static nn_status needs_map_(const nn_layer *l, const nn_place_at *at, nn_error *err) {
    if (l->in.rank == 3) return NN_OK;
    return nn_error_set(err, NN_ERR_SHAPE,
                        "layer %d, %s (column %d), needs a feature map but gets %s: "
                        "put it before flatten",
                        at->index + 1, at->what, l->spec.column, at->have);
}

// Activations and dropout keep the shape and have no parameters.
static nn_status same_shape_place_(nn_layer *l, const nn_place_at *at, nn_error *err) {
    (void)at;
    (void)err;
    l->out = l->in;
    return NN_OK;
}

// The values of the layer's output for the whole batch (and of its input).
static size_t out_count_(const nn_layer_pass *p) {
    return nn_shape_count(p->layer->out) * (size_t)p->batch;
}
static size_t in_count_(const nn_layer_pass *p) {
    return nn_shape_count(p->layer->in) * (size_t)p->batch;
}

// The kind's variant: an nn_act_kind or nn_pool_mode.
static int variant_(const nn_layer *l) { return nn_layer_kinds[l->spec.kind].variant; }

// A layer that hands its gradient back unchanged (flatten, dropout off).
static void copy_back_(const nn_layer_pass *p, const float *dy, float *dx) {
    if (dx) memcpy(dx, dy, sizeof(float) * in_count_(p));
}

// ---- conv ----------------------------------------------------------------------------

static void conv_format_(const nn_layer_spec *s, char *buf, int size) {
    char extra[96] = "";
    int n = 0;
    if (s->stride != 1) n += snprintf(extra + n, sizeof extra - (size_t)n, ",stride=%d", s->stride);
    if (s->padding.mode == NN_PAD_SAME)
        n += snprintf(extra + n, sizeof extra - (size_t)n, ",pad=same");
    else if (s->padding.mode == NN_PAD_EXPLICIT)
        n += snprintf(extra + n, sizeof extra - (size_t)n, ",pad=%d", s->padding.p);
    if (s->dilation != 1) snprintf(extra + n, sizeof extra - (size_t)n, ",dilation=%d", s->dilation);
    snprintf(buf, (size_t)size, "conv(%d,%d%s)", s->filters, s->kernel, extra);
}

static nn_status conv_place_(nn_layer *l, const nn_place_at *at, nn_error *err) {
    const nn_layer_spec *s = &l->spec;
    const nn_shape in = l->in;
    nn_status st = needs_map_(l, at, err);
    if (st != NN_OK) return st;
    nn_conv2d_config cfg = {.in_c = in.c, .in_h = in.h, .in_w = in.w,
                            .filters = s->filters, .k_h = s->kernel, .k_w = s->kernel,
                            .stride = s->stride, .dilation = s->dilation,
                            .padding = s->padding};
    nn_error inner;
    if (nn_conv2d_geom_init(&l->conv, &cfg, &inner) != NN_OK)
        return nn_error_set(err, NN_ERR_SHAPE, "layer %d, %s (column %d), on %s: %s",
                            at->index + 1, at->what, s->column, at->have, inner.msg);
    l->out = nn_shape_map(s->filters, l->conv.out_h, l->conv.out_w);
    // window = C*K*K is at most 2^28 and F at most 10^6: no overflow.
    l->weights = (long long)s->filters * l->conv.window;
    l->biases = s->filters;
    if (nn_layer_params(l) > NN_MAX_PARAMS)
        return nn_error_set(err, NN_ERR_NOMEM,
                            "layer %d, %s (column %d), would have %lld parameters "
                            "(%d filters x (%dx%dx%d + 1)), more than %lld, the most "
                            "one layer may have",
                            at->index + 1, at->what, s->column, nn_layer_params(l), s->filters,
                            s->kernel, s->kernel, in.c, NN_MAX_PARAMS);
    return NN_OK;
}

static void conv_fans_(const nn_layer *l, float *fan_in, float *fan_out) {
    const float k2 = (float)l->spec.kernel * (float)l->spec.kernel;
    *fan_in = (float)l->in.c * k2;
    *fan_out = (float)l->spec.filters * k2;
}

// Training keeps every window of the batch as columns for backward (where
// backward reads the input in place, conv2d_wgrad.h, the room goes unused).
static void conv_memory_(const nn_layer *l, nn_layer_memory *mem) {
    mem->kept = nn_conv2d_col_size(&l->conv);
    const size_t backward = nn_conv2d_backward_scratch(&l->conv, 1);
    const size_t rows = nn_conv2d_rows_scratch(&l->conv);  // not per sample, but counted so: ample
    mem->scratch = backward > rows ? backward : rows;
    mem->cache = nn_conv2d_weights_cache_size(&l->conv);  // inference's rearranged weights
}

static void conv_forward_(const nn_layer_pass *p, const float *in, nn_rng *rng) {
    (void)rng;
    const nn_conv2d_geom *cg = &p->layer->conv;
    // Training keeps the windows as columns for backward (unless backward
    // reads the input in place: conv2d_wgrad.h); inference reads
    // them in place when it can, over only the band where the input is not
    // zero when it can (conv_infer.h). All give the same bits.
    if (!p->training &&
        nn_conv_infer_banded(cg, p->out, in, p->weights, p->bias, p->batch, p->scratch))
        return;
    if (p->training || !nn_conv2d_forward_rows_cached(cg, p->out, in, p->weights, p->bias,
                                                      p->batch, p->scratch, p->cache))
        nn_conv2d_forward_batch(cg, p->out, in, p->weights, p->bias, p->batch, p->kept,
                                !nn_conv2d_wgrad_inplace_ok(cg, p->batch), p->scratch);
}

static void conv_backward_(const nn_layer_pass *p, const float *x, const float *dy, float *dx) {
    const nn_conv2d_geom *cg = &p->layer->conv;
    const int B = p->batch;
    // An inference forward kept no windows: gather them, unless backward
    // reads the input in place (conv2d_wgrad.h).
    if (!p->training && !nn_conv2d_wgrad_inplace_ok(cg, B)) {
        const size_t P = (size_t)cg->out_h * cg->out_w, in_size = nn_shape_count(p->layer->in);
        for (int n = 0; n < B; n++)
            nn_conv2d_im2col_(cg, x + (size_t)n * in_size, p->kept + (size_t)n * P,
                              P * (size_t)B);
    }
    nn_conv2d_backward_batch(cg, dx, p->grad_weights, p->grad_bias, dy, x, p->kept, p->weights,
                             B, p->scratch);
}

// ---- convt -----------------------------------------------------------------------------

static void convt_format_(const nn_layer_spec *s, char *buf, int size) {
    char extra[96] = "";
    int n = 0;
    if (s->stride != 1) n += snprintf(extra + n, sizeof extra - (size_t)n, ",stride=%d", s->stride);
    if (s->padding.p != 0) n += snprintf(extra + n, sizeof extra - (size_t)n, ",pad=%d", s->padding.p);
    if (s->out_pad != 0) n += snprintf(extra + n, sizeof extra - (size_t)n, ",out_pad=%d", s->out_pad);
    if (s->dilation != 1) snprintf(extra + n, sizeof extra - (size_t)n, ",dilation=%d", s->dilation);
    snprintf(buf, (size_t)size, "convt(%d,%d%s)", s->filters, s->kernel, extra);
}

static nn_status convt_place_(nn_layer *l, const nn_place_at *at, nn_error *err) {
    const nn_layer_spec *s = &l->spec;
    const nn_shape in = l->in;
    nn_status st = needs_map_(l, at, err);
    if (st != NN_OK) return st;
    nn_convt_config cfg = {.in_c = in.c, .in_h = in.h, .in_w = in.w,
                           .filters = s->filters, .k_h = s->kernel, .k_w = s->kernel,
                           .stride = s->stride, .padding = s->padding.p,
                           .out_pad = s->out_pad, .dilation = s->dilation};
    nn_error inner;
    if (nn_convt_geom_init(&l->convt, &cfg, &inner) != NN_OK)
        return nn_error_set(err, NN_ERR_SHAPE, "layer %d, %s (column %d), on %s: %s",
                            at->index + 1, at->what, s->column, at->have, inner.msg);
    l->out = nn_shape_map(s->filters, l->convt.out_h, l->convt.out_w);
    // Keras's Conv2DTranspose count: K*K*C_in*F weights and F biases. The
    // geometry checked C*F*K*K against NN_MAX_ELEMENTS: no overflow.
    l->weights = (long long)in.c * l->convt.taps;
    l->biases = s->filters;
    if (nn_layer_params(l) > NN_MAX_PARAMS)
        return nn_error_set(err, NN_ERR_NOMEM,
                            "layer %d, %s (column %d), would have %lld parameters "
                            "(%dx%dx%d x %d filters + %d), more than %lld, the most "
                            "one layer may have",
                            at->index + 1, at->what, s->column, nn_layer_params(l), s->kernel,
                            s->kernel, in.c, s->filters, s->filters, NN_MAX_PARAMS);
    return NN_OK;
}

// Keras's fans for a Conv2DTranspose kernel (kH, kW, F, C_in): the receptive
// field times its second-to-last axis (F) in, times its last (C_in) out.
static void convt_fans_(const nn_layer *l, float *fan_in, float *fan_out) {
    const float k2 = (float)l->spec.kernel * (float)l->spec.kernel;
    *fan_in = (float)l->spec.filters * k2;
    *fan_out = (float)l->in.c * k2;
}

static void convt_forward_(const nn_layer_pass *p, const float *in, nn_rng *rng) {
    (void)rng;
    nn_convt_forward(&p->layer->convt, p->out, in, p->weights, p->bias, p->batch);
}

// Backward reads the layer's input x, which the net keeps as the output of
// the layer before: nothing else is kept.
static void convt_backward_(const nn_layer_pass *p, const float *x, const float *dy, float *dx) {
    nn_convt_backward(&p->layer->convt, dx, p->grad_weights, p->grad_bias, dy, x, p->weights,
                      p->batch);
}

// ---- maxpool, avgpool ------------------------------------------------------------------

static void pool_format_(const nn_layer_spec *s, char *buf, int size) {
    char extra[96] = "";
    int n = 0;
    if (s->stride != 0 && s->stride != s->kernel)
        n += snprintf(extra, sizeof extra, ",stride=%d", s->stride);
    if (s->padding.p != 0) snprintf(extra + n, sizeof extra - (size_t)n, ",pad=%d", s->padding.p);
    snprintf(buf, (size_t)size, "%s(%d%s)", nn_layer_kinds[s->kind].name, s->kernel, extra);
}

static nn_status pool_place_(nn_layer *l, const nn_place_at *at, nn_error *err) {
    const nn_layer_spec *s = &l->spec;
    const nn_shape in = l->in;
    nn_status st = needs_map_(l, at, err);
    if (st != NN_OK) return st;
    nn_pool_config cfg = {.mode = (nn_pool_mode)variant_(l),
                          .c = in.c, .in_h = in.h, .in_w = in.w,
                          .size_h = s->kernel, .size_w = s->kernel,
                          .stride = s->stride ? s->stride : s->kernel,
                          .pad = s->padding.p};
    nn_error inner;
    if (nn_pool_geom_init(&l->pool, &cfg, &inner) != NN_OK)
        return nn_error_set(err, NN_ERR_SHAPE, "layer %d, %s (column %d), on %s: %s",
                            at->index + 1, at->what, s->column, at->have, inner.msg);
    l->out = nn_shape_map(in.c, l->pool.out_h, l->pool.out_w);
    return NN_OK;
}

// A max records each output's winner, which alone gets its gradient.
static void pool_memory_(const nn_layer *l, nn_layer_memory *mem) {
    if (variant_(l) == NN_POOL_MAX) mem->argmax = nn_shape_count(l->out);
}

static void pool_forward_(const nn_layer_pass *p, const float *in, nn_rng *rng) {
    (void)rng;
    nn_pool_forward(&p->layer->pool, p->out, p->argmax, in, p->batch);
}

static void pool_backward_(const nn_layer_pass *p, const float *x, const float *dy, float *dx) {
    (void)x;
    if (dx) nn_pool_backward(&p->layer->pool, dx, dy, p->argmax, p->batch);
}

// ---- relu, sigmoid, tanh ---------------------------------------------------------------

static void act_forward_(const nn_layer_pass *p, const float *in, nn_rng *rng) {
    (void)rng;
    nn_act_forward((nn_act_kind)variant_(p->layer), p->out, in, out_count_(p));
}

static void act_backward_(const nn_layer_pass *p, const float *x, const float *dy, float *dx) {
    (void)x;
    if (dx) nn_act_backward((nn_act_kind)variant_(p->layer), dx, dy, p->out, in_count_(p));
}

// ---- dropout -----------------------------------------------------------------------------

static void dropout_format_(const nn_layer_spec *s, char *buf, int size) {
    snprintf(buf, (size_t)size, "dropout(%g)", (double)s->rate);
}

// Training keeps the mask it drew.
static void dropout_memory_(const nn_layer *l, nn_layer_memory *mem) {
    mem->kept = nn_shape_count(l->out);
}

static void dropout_forward_(const nn_layer_pass *p, const float *in, nn_rng *rng) {
    const float rate = p->layer->spec.rate;
    const size_t count = out_count_(p);
    float *y = p->out, *mask = p->kept;
    if (p->training && rate > 0.0f) {
        // Inverted dropout: keep with probability 1-p and scale by 1/(1-p),
        // so nothing changes at inference.
        const float keep = 1.0f - rate, scale = 1.0f / keep;
        for (size_t k = 0; k < count; k++) {
            mask[k] = nn_rng_float(rng) < keep ? scale : 0.0f;
            y[k] = in[k] * mask[k];
        }
    } else {
        memcpy(y, in, sizeof(float) * count);
    }
}

static void dropout_backward_(const nn_layer_pass *p, const float *x, const float *dy,
                              float *dx) {
    (void)x;
    if (dx && p->training && p->layer->spec.rate > 0.0f)
        nn_dropout_backward(dx, dy, p->kept, in_count_(p));
    else
        copy_back_(p, dy, dx);
}

// ---- flatten -------------------------------------------------------------------------------

static nn_status flatten_place_(nn_layer *l, const nn_place_at *at, nn_error *err) {
    (void)at;
    (void)err;
    l->out = nn_shape_flat((int)nn_shape_count(l->in));
    return NN_OK;
}

static void flatten_forward_(const nn_layer_pass *p, const float *in, nn_rng *rng) {
    (void)rng;
    memcpy(p->out, in, sizeof(float) * out_count_(p));  // channels-first is already flat
}

static void flatten_backward_(const nn_layer_pass *p, const float *x, const float *dy,
                              float *dx) {
    (void)x;
    copy_back_(p, dy, dx);
}

// ---- dense -----------------------------------------------------------------------------------

static void dense_format_(const nn_layer_spec *s, char *buf, int size) {
    snprintf(buf, (size_t)size, "dense(%d)", s->units);
}

static nn_status dense_place_(nn_layer *l, const nn_place_at *at, nn_error *err) {
    const nn_layer_spec *s = &l->spec;
    const nn_shape in = l->in;
    if (in.rank != 1)
        return nn_error_set(err, NN_ERR_SHAPE,
                            "layer %d, %s (column %d), needs a flat input but gets %s: "
                            "add flatten before it",
                            at->index + 1, at->what, s->column, at->have);
    l->out = nn_shape_flat(s->units);
    l->weights = (long long)in.c * s->units;
    l->biases = s->units;
    if (nn_layer_params(l) > NN_MAX_PARAMS)
        return nn_error_set(err, NN_ERR_NOMEM,
                            "layer %d, %s (column %d), would have %lld parameters "
                            "(%d units x (%d inputs + 1)), more than %lld, the most one "
                            "layer may have",
                            at->index + 1, at->what, s->column, nn_layer_params(l), s->units,
                            in.c, NN_MAX_PARAMS);
    return NN_OK;
}

static void dense_fans_(const nn_layer *l, float *fan_in, float *fan_out) {
    *fan_in = (float)l->in.c;
    *fan_out = (float)l->spec.units;
}

static void dense_forward_(const nn_layer_pass *p, const float *in, nn_rng *rng) {
    (void)rng;
    const nn_layer *l = p->layer;
    nn_dense_forward(p->out, in, p->weights, p->bias, p->batch, l->in.c, l->spec.units);
}

static void dense_backward_(const nn_layer_pass *p, const float *x, const float *dy, float *dx) {
    const nn_layer *l = p->layer;
    nn_dense_backward(dx, p->grad_weights, p->grad_bias, dy, x, p->weights, p->batch, l->in.c,
                      l->spec.units);
}

// ---- softmax -----------------------------------------------------------------------------------

static nn_status softmax_place_(nn_layer *l, const nn_place_at *at, nn_error *err) {
    if (l->in.rank != 1)
        return nn_error_set(err, NN_ERR_SHAPE,
                            "layer %d, softmax (column %d), needs a flat input but gets %s: "
                            "add flatten and dense(N) before it",
                            at->index + 1, l->spec.column, at->have);
    l->out = l->in;
    return NN_OK;
}

static void softmax_forward_(const nn_layer_pass *p, const float *in, nn_rng *rng) {
    (void)rng;
    nn_softmax_forward(p->out, in, p->batch, p->layer->out.c);
}

static void softmax_backward_(const nn_layer_pass *p, const float *x, const float *dy,
                              float *dx) {
    (void)x;
    if (dx) nn_softmax_backward(dx, dy, p->out, p->batch, p->layer->out.c);
}

// ---- The table ---------------------------------------------------------------------------------

#define POSITIONAL_INT_(what, field) {NULL, what, NN_ARG_INT, 1, 0, offsetof(nn_layer_spec, field)}
#define OPTION_INT_(key, fallback, field) \
    {key, key, NN_ARG_INT, 1, fallback, offsetof(nn_layer_spec, field)}

// The activations: no values, the same shape, one function each way.
#define ACTIVATION_(text, type, base, act)                                                    \
    {.name = text, .usage = text, .keras_type = type, .keras_name = base,                     \
     .place = same_shape_place_, .variant = act, .forward = act_forward_,                     \
     .backward = act_backward_}

const nn_layer_kind_def nn_layer_kinds[NN_LAYER_KIND_COUNT] = {
    [NN_LAYER_CONV] = {
        .name = "conv",
        .usage = "conv(F,K[,stride=S][,pad=valid|same|P][,dilation=D])",
        .args = {POSITIONAL_INT_("the number of filters F", filters),
                 POSITIONAL_INT_("the kernel size K", kernel),
                 OPTION_INT_("stride", 1, stride),
                 {"pad", "pad (valid, same or a number)", NN_ARG_PADDING, 0, 0,
                  offsetof(nn_layer_spec, padding)},
                 OPTION_INT_("dilation", 1, dilation)},
        .format = conv_format_,
        .keras_type = "Conv2D", .keras_name = "conv2d",
        .place = conv_place_, .fans = conv_fans_,
        .memory = conv_memory_, .forward = conv_forward_, .backward = conv_backward_,
    },
    [NN_LAYER_CONVT] = {
        .name = "convt",
        .usage = "convt(F,K[,stride=S][,pad=P][,out_pad=A][,dilation=D])",
        .args = {POSITIONAL_INT_("the number of filters F", filters),
                 POSITIONAL_INT_("the kernel size K", kernel),
                 OPTION_INT_("stride", 1, stride),
                 {"pad", "pad", NN_ARG_PAD_CELLS, 0, 0, offsetof(nn_layer_spec, padding)},
                 {"out_pad", "out_pad", NN_ARG_INT, 0, 0, offsetof(nn_layer_spec, out_pad)},
                 OPTION_INT_("dilation", 1, dilation)},
        .format = convt_format_,
        .keras_type = "Conv2DTranspose", .keras_name = "conv2d_transpose",
        .place = convt_place_, .fans = convt_fans_,
        .forward = convt_forward_, .backward = convt_backward_,
    },
    [NN_LAYER_MAXPOOL] = {
        .name = "maxpool",
        .usage = "maxpool(K[,stride=S][,pad=P])",
        .args = {POSITIONAL_INT_("the window size K", kernel),
                 OPTION_INT_("stride", 0, stride),  // 0: the window size
                 {"pad", "pad", NN_ARG_PAD_CELLS, 0, 0, offsetof(nn_layer_spec, padding)}},
        .format = pool_format_,
        .keras_type = "MaxPooling2D", .keras_name = "max_pooling2d",
        .place = pool_place_, .variant = NN_POOL_MAX,
        .memory = pool_memory_, .forward = pool_forward_, .backward = pool_backward_,
    },
    [NN_LAYER_AVGPOOL] = {
        .name = "avgpool",
        .usage = "avgpool(K[,stride=S][,pad=P])",
        .args = {POSITIONAL_INT_("the window size K", kernel),
                 OPTION_INT_("stride", 0, stride),  // 0: the window size
                 {"pad", "pad", NN_ARG_PAD_CELLS, 0, 0, offsetof(nn_layer_spec, padding)}},
        .format = pool_format_,
        .keras_type = "AveragePooling2D", .keras_name = "average_pooling2d",
        .place = pool_place_, .variant = NN_POOL_AVG,
        .memory = pool_memory_, .forward = pool_forward_, .backward = pool_backward_,
    },
    [NN_LAYER_RELU] = ACTIVATION_("relu", "ReLU", "re_lu", NN_ACT_RELU),
    [NN_LAYER_SIGMOID] = ACTIVATION_("sigmoid", "Activation", "activation", NN_ACT_SIGMOID),
    [NN_LAYER_TANH] = ACTIVATION_("tanh", "Activation", "activation", NN_ACT_TANH),
    [NN_LAYER_DROPOUT] = {
        .name = "dropout",
        .usage = "dropout(P)",
        .args = {{NULL, "the dropout rate", NN_ARG_RATE, 0, 0, offsetof(nn_layer_spec, rate)}},
        .format = dropout_format_,
        .keras_type = "Dropout", .keras_name = "dropout",
        .place = same_shape_place_, .passes_values = true,
        .memory = dropout_memory_, .forward = dropout_forward_, .backward = dropout_backward_,
    },
    [NN_LAYER_FLATTEN] = {
        .name = "flatten",
        .usage = "flatten",
        .keras_type = "Flatten", .keras_name = "flatten",
        .place = flatten_place_, .passes_values = true,
        .forward = flatten_forward_, .backward = flatten_backward_,
    },
    [NN_LAYER_DENSE] = {
        .name = "dense",
        .usage = "dense(N)",
        .args = {POSITIONAL_INT_("the number of units N", units)},
        .format = dense_format_,
        .keras_type = "Dense", .keras_name = "dense",
        .place = dense_place_, .fans = dense_fans_,
        .forward = dense_forward_, .backward = dense_backward_,
    },
    [NN_LAYER_SOFTMAX] = {
        .name = "softmax",
        .usage = "softmax",
        .keras_type = "Softmax", .keras_name = "softmax",
        .place = softmax_place_,
        .forward = softmax_forward_, .backward = softmax_backward_,
    },
};
