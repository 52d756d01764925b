// test_model.c - models built from architecture strings: every layer's output
// shape and parameter count must equal what Keras's model.summary() reports,
// and shapes that do not fit together must fail with a sentence that says why.
//
// The Keras numbers are computed, not copied: Conv2D has F * (K*K*C + 1)
// parameters (weights plus one bias per filter), Dense has N * (in + 1),
// pooling, flatten, activations and dropout have none; output sizes follow
// floor((n + 2p - k) / s) + 1, or ceil(n / s) for 'same'. The per-layer lines
// in the comments were printed by `python3 tests/tools/reference.py model`
// and checked by hand.
#include <stdbool.h>
#include <stdlib.h>

#include "helpers.h"

// Builds a model that must be valid, for a (C, H, W) input.
static nn_model *model_ok(const char *arch, int c, int h, int w) {
    nn_error err = error_fresh();
    nn_model *m = NULL;
    assert_ok(nn_model_create(&m, arch, nn_shape_map(c, h, w), &err), err);
    assert_non_null(m);
    return m;
}

// Checks one layer: Keras name and class, output shape (H x W x C for a
// feature map; C values for a flat vector), and parameter count.
static void expect_layer_(const nn_model *m, int i, const char *name, const char *type,
                          int rank, int h, int w, int c, long long params, const char *file,
                          int line) {
    if (i >= m->n_layers) {
        print_error("layer %d requested, the model has %d\n", i, m->n_layers);
        _fail(file, line);
    }
    const nn_layer *l = &m->layers[i];
    if (strcmp(l->name, name) != 0 || strcmp(l->type, type) != 0 || l->out.rank != rank ||
        l->out.h != h || l->out.w != w || l->out.c != c || nn_layer_params(l) != params) {
        print_error("layer %d: got %s (%s) rank %d %dx%dx%d, %lld params\n"
                    "         want %s (%s) rank %d %dx%dx%d, %lld params\n",
                    i, l->name, l->type, l->out.rank, l->out.h, l->out.w, l->out.c,
                    nn_layer_params(l), name, type, rank, h, w, c, params);
        _fail(file, line);
    }
}

#define expect_map(m, i, name, type, h, w, c, params) \
    expect_layer_((m), (i), (name), (type), 3, (h), (w), (c), (params), __FILE__, __LINE__)
#define expect_flat(m, i, name, type, n, params) \
    expect_layer_((m), (i), (name), (type), 1, 1, 1, (n), (params), __FILE__, __LINE__)

// Checks that building fails with a message containing every given piece.
static void model_fails_(const char *arch, int c, int h, int w, nn_status want,
                         const char *const *needles, const char *file, int line) {
    nn_error err = error_fresh();
    nn_model *m = (nn_model *)&err;  // must be reset to NULL
    assert_status_(nn_model_create(&m, arch, nn_shape_map(c, h, w), &err), want, &err, arch,
                   file, line);
    if (m != NULL) {
        print_error("failed but handed back a model\n");
        _fail(file, line);
    }
    for (; *needles; needles++) assert_error_contains_(&err, *needles, file, line);
}

#define model_fails(arch, c, h, w, want, ...)                                                 \
    model_fails_((arch), (c), (h), (w), (want), (const char *const[]){__VA_ARGS__, NULL},    \
                 __FILE__, __LINE__)

// ---- Keras summaries ---------------------------------------------------------------------

// LeNet-5 on 28x28x1 MNIST digits, layer by layer; 61,706 parameters.
static void test_lenet5_on_mnist(void **state) {
    (void)state;
    nn_model *m = model_ok("lenet5", 1, 28, 28);
    assert_int_equal(m->n_layers, 13);
    expect_map(m, 0, "conv2d", "Conv2D", 28, 28, 6, 156);  // 6 * (5*5*1 + 1)
    expect_map(m, 1, "re_lu", "ReLU", 28, 28, 6, 0);
    expect_map(m, 2, "max_pooling2d", "MaxPooling2D", 14, 14, 6, 0);
    expect_map(m, 3, "conv2d_1", "Conv2D", 10, 10, 16, 2416);  // 16 * (5*5*6 + 1)
    expect_map(m, 4, "re_lu_1", "ReLU", 10, 10, 16, 0);
    expect_map(m, 5, "max_pooling2d_1", "MaxPooling2D", 5, 5, 16, 0);
    expect_flat(m, 6, "flatten", "Flatten", 400, 0);  // 5 * 5 * 16
    expect_flat(m, 7, "dense", "Dense", 120, 48120);  // 120 * (400 + 1)
    expect_flat(m, 8, "re_lu_2", "ReLU", 120, 0);
    expect_flat(m, 9, "dense_1", "Dense", 84, 10164);  // 84 * (120 + 1)
    expect_flat(m, 10, "re_lu_3", "ReLU", 84, 0);
    expect_flat(m, 11, "dense_2", "Dense", 10, 850);  // 10 * (84 + 1)
    expect_flat(m, 12, "softmax", "Softmax", 10, 0);
    assert_int_equal(m->params, 61706);
    nn_model_free(m);
}

// The softmax preset (softmax regression) on 28x28x1: 10 * (784 + 1) = 7,850.
static void test_softmax_preset_on_mnist(void **state) {
    (void)state;
    nn_model *m = model_ok("softmax", 1, 28, 28);
    assert_int_equal(m->n_layers, 3);
    expect_flat(m, 0, "flatten", "Flatten", 784, 0);
    expect_flat(m, 1, "dense", "Dense", 10, 7850);
    expect_flat(m, 2, "softmax", "Softmax", 10, 0);
    assert_int_equal(m->params, 7850);
    nn_model_free(m);
}

// Slide 002: 32x32x3 with ten 5x5 filters, stride 1, pad 2: (5*5*3 + 1) * 10 = 760.
static void test_slide002_conv_has_760_parameters(void **state) {
    (void)state;
    nn_model *m = model_ok("conv(10,5,pad=2)", 3, 32, 32);
    expect_map(m, 0, "conv2d", "Conv2D", 32, 32, 10, 760);
    assert_int_equal(m->layers[0].weights, 750);  // 10 * 5 * 5 * 3
    assert_int_equal(m->layers[0].biases, 10);
    assert_int_equal(m->params, 760);
    nn_model_free(m);
}

// Two VGG blocks (3x3 convs with 'same', 2x2 max pools) on 32x32x3.
static void test_vgg_blocks_with_same_padding(void **state) {
    (void)state;
    nn_model *m = model_ok("conv(64,3,pad=same),relu,conv(64,3,pad=same),relu,maxpool(2),"
                           "conv(128,3,pad=same),relu,conv(128,3,pad=same),relu,maxpool(2)",
                           3, 32, 32);
    expect_map(m, 0, "conv2d", "Conv2D", 32, 32, 64, 1792);  // 64 * (27 + 1)
    expect_map(m, 2, "conv2d_1", "Conv2D", 32, 32, 64, 36928);  // 64 * (576 + 1)
    expect_map(m, 4, "max_pooling2d", "MaxPooling2D", 16, 16, 64, 0);
    expect_map(m, 5, "conv2d_2", "Conv2D", 16, 16, 128, 73856);  // 128 * (576 + 1)
    expect_map(m, 7, "conv2d_3", "Conv2D", 16, 16, 128, 147584);  // 128 * (1152 + 1)
    expect_map(m, 9, "max_pooling2d_1", "MaxPooling2D", 8, 8, 128, 0);
    assert_int_equal(m->params, 260160);
    nn_model_free(m);
}

// Stride 2 with 'same' gives ceil(n / 2): 28 -> 14 -> 7 -> 4, even kernels too.
static void test_stride2_same_padding(void **state) {
    (void)state;
    nn_model *m = model_ok("conv(8,3,stride=2,pad=same),conv(16,3,stride=2,pad=same),"
                           "conv(32,4,stride=2,pad=same)",
                           1, 28, 28);
    expect_map(m, 0, "conv2d", "Conv2D", 14, 14, 8, 80);  // 8 * (9 + 1)
    expect_map(m, 1, "conv2d_1", "Conv2D", 7, 7, 16, 1168);  // 16 * (72 + 1)
    expect_map(m, 2, "conv2d_2", "Conv2D", 4, 4, 32, 8224);  // 32 * (256 + 1)
    assert_int_equal(m->layers[2].conv.rows.pad_lo, 1);  // 'same' total 3 on 7: 1 + 2
    assert_int_equal(m->layers[2].conv.rows.pad_hi, 2);
    assert_int_equal(m->params, 9472);
    nn_model_free(m);
}

// AlexNet's first layers on 227x227x3, as slide 002 lists them.
static void test_alexnet_first_layers(void **state) {
    (void)state;
    nn_model *m = model_ok("conv(96,11,stride=4),relu,maxpool(3,stride=2),conv(256,5,pad=2)",
                           3, 227, 227);
    // (227 - 11) / 4 + 1 = 55; 96 * (11*11*3 + 1) = 34,944
    expect_map(m, 0, "conv2d", "Conv2D", 55, 55, 96, 34944);
    // (55 - 3) / 2 + 1 = 27
    expect_map(m, 2, "max_pooling2d", "MaxPooling2D", 27, 27, 96, 0);
    // (27 + 4 - 5) / 1 + 1 = 27; 256 * (5*5*96 + 1) = 614,656
    expect_map(m, 3, "conv2d_1", "Conv2D", 27, 27, 256, 614656);
    assert_int_equal(m->params, 34944 + 614656);
    nn_model_free(m);
}

// All of AlexNet as one tower (no GPU groups): 62,378,344 parameters. The
// slide's "60 million" is the original two-tower network, whose grouped
// convolutions have fewer weights.
static void test_alexnet_single_tower(void **state) {
    (void)state;
    nn_model *m = model_ok("conv(96,11,stride=4),relu,maxpool(3,stride=2),"
                           "conv(256,5,pad=2),relu,maxpool(3,stride=2),"
                           "conv(384,3,pad=1),relu,conv(384,3,pad=1),relu,"
                           "conv(256,3,pad=1),relu,maxpool(3,stride=2),flatten,"
                           "dense(4096),relu,dropout(0.5),dense(4096),relu,dropout(0.5),"
                           "dense(1000),softmax",
                           3, 227, 227);
    expect_map(m, 5, "max_pooling2d_1", "MaxPooling2D", 13, 13, 256, 0);
    expect_map(m, 6, "conv2d_2", "Conv2D", 13, 13, 384, 885120);  // 384 * (2304 + 1)
    expect_map(m, 8, "conv2d_3", "Conv2D", 13, 13, 384, 1327488);  // 384 * (3456 + 1)
    expect_map(m, 10, "conv2d_4", "Conv2D", 13, 13, 256, 884992);  // 256 * (3456 + 1)
    expect_map(m, 12, "max_pooling2d_2", "MaxPooling2D", 6, 6, 256, 0);
    expect_flat(m, 13, "flatten", "Flatten", 9216, 0);
    expect_flat(m, 14, "dense", "Dense", 4096, 37752832);  // 4096 * (9216 + 1)
    expect_flat(m, 16, "dropout", "Dropout", 4096, 0);
    expect_flat(m, 17, "dense_1", "Dense", 4096, 16781312);  // 4096 * (4096 + 1)
    expect_flat(m, 20, "dense_2", "Dense", 1000, 4097000);  // 1000 * (4096 + 1)
    assert_int_equal(m->params, 62378344);
    nn_model_free(m);
}

// Keras names: sigmoid and tanh are both "activation", repeats are numbered.
static void test_keras_names_for_activations(void **state) {
    (void)state;
    nn_model *m = model_ok("conv(8,3),sigmoid,tanh,relu,dropout(0.5),avgpool(2),flatten,"
                           "dense(5),sigmoid",
                           1, 28, 28);
    expect_map(m, 0, "conv2d", "Conv2D", 26, 26, 8, 80);
    expect_map(m, 1, "activation", "Activation", 26, 26, 8, 0);
    expect_map(m, 2, "activation_1", "Activation", 26, 26, 8, 0);
    expect_map(m, 3, "re_lu", "ReLU", 26, 26, 8, 0);
    expect_map(m, 4, "dropout", "Dropout", 26, 26, 8, 0);
    expect_map(m, 5, "average_pooling2d", "AveragePooling2D", 13, 13, 8, 0);
    expect_flat(m, 6, "flatten", "Flatten", 1352, 0);  // 13 * 13 * 8
    expect_flat(m, 7, "dense", "Dense", 5, 6765);  // 5 * (1352 + 1)
    expect_flat(m, 8, "activation_2", "Activation", 5, 0);
    nn_model_free(m);
}

// A pooling stride defaults to the window: maxpool(3) on 28 gives 9 (one row dropped).
static void test_pool_stride_defaults_to_window(void **state) {
    (void)state;
    nn_model *m = model_ok("maxpool(3),avgpool(2,stride=1)", 2, 28, 28);
    expect_map(m, 0, "max_pooling2d", "MaxPooling2D", 9, 9, 2, 0);  // (28 - 3) / 3 + 1
    assert_int_equal(m->layers[0].pool.cfg.stride, 3);
    assert_int_equal(m->layers[0].pool.rows.remainder, 1);
    expect_map(m, 1, "average_pooling2d", "AveragePooling2D", 8, 8, 2, 0);  // 9 - 2 + 1
    nn_model_free(m);
}

// Each layer's input is the previous layer's output, starting from the model's input.
static void test_layer_shapes_chain(void **state) {
    (void)state;
    nn_model *m = model_ok("lenet5", 1, 28, 28);
    assert_true(nn_shape_equal(m->layers[0].in, nn_shape_map(1, 28, 28)));
    assert_true(nn_shape_equal(m->input, nn_shape_map(1, 28, 28)));
    for (int i = 1; i < m->n_layers; i++)
        assert_true(nn_shape_equal(m->layers[i].in, m->layers[i - 1].out));
    nn_model_free(m);
}

// ---- Errors -------------------------------------------------------------------------------

// A dense layer on a feature map says to add flatten.
static void test_error_dense_without_flatten(void **state) {
    (void)state;
    model_fails("dense(10)", 1, 28, 28, NN_ERR_SHAPE, "layer 1, dense(10) (column 1)",
                "needs a flat input but gets 28x28x1 (HxWxC)", "add flatten before it");
    model_fails("conv(6,5),relu,dense(10)", 1, 28, 28, NN_ERR_SHAPE,
                "layer 3, dense(10) (column 16)", "24x24x6", "add flatten");
}

// A convolution (or pooling) after flatten says to move it before flatten.
static void test_error_conv_after_flatten(void **state) {
    (void)state;
    model_fails("flatten,conv(6,5)", 1, 28, 28, NN_ERR_SHAPE, "layer 2, conv(6,5) (column 9)",
                "needs a feature map but gets a flat vector of 784 values",
                "put it before flatten");
    model_fails("flatten,maxpool(2)", 3, 4, 4, NN_ERR_SHAPE, "layer 2, maxpool(2)",
                "a flat vector of 48 values");
}

// A kernel that does not fit its input names the layer, the input and both sizes.
static void test_error_kernel_does_not_fit(void **state) {
    (void)state;
    model_fails("conv(6,30)", 1, 28, 28, NN_ERR_SHAPE,
                "layer 1, conv(6,30) (column 1), on 28x28x1 (HxWxC)",
                "the kernel 30x30 is larger than the padded input 28x28");
    model_fails("conv(6,5,dilation=10)", 1, 28, 28, NN_ERR_SHAPE,
                "the dilated kernel 41x41 is larger than the padded input 28x28");
}

// Shapes shrinking to nothing stop at the first layer that no longer fits.
static void test_error_shapes_shrink_to_zero(void **state) {
    (void)state;
    // 6 -> 4 -> 2, and a 3x3 kernel cannot fit in 2x2
    model_fails("conv(4,3),conv(4,3),conv(4,3)", 1, 6, 6, NN_ERR_SHAPE,
                "layer 3, conv(4,3) (column 21), on 2x2x4 (HxWxC)",
                "the kernel 3x3 is larger than the padded input 2x2");
    // 28 -> 14 -> 7 -> 3 -> 1, and a 2x2 window cannot fit in 1x1
    model_fails("maxpool(2),maxpool(2),maxpool(2),maxpool(2),maxpool(2)", 1, 28, 28,
                NN_ERR_SHAPE, "layer 5, maxpool(2) (column 45), on 1x1x1 (HxWxC)",
                "the pooling window 2x2 is larger than the padded input 1x1");
}

// Softmax on a feature map says to add flatten and dense(N).
static void test_error_softmax_on_feature_map(void **state) {
    (void)state;
    model_fails("conv(6,5),softmax", 1, 28, 28, NN_ERR_SHAPE, "layer 2, softmax (column 11)",
                "add flatten and dense(N) before it");
}

// Parse errors come through unchanged; a bad input shape is refused.
static void test_error_parse_and_input_shape(void **state) {
    (void)state;
    model_fails("conv(6,5),batchnorm", 1, 28, 28, NN_ERR_PARSE,
                "architecture column 11: unknown layer 'batchnorm'");
    model_fails("relu", 0, 28, 28, NN_ERR_SHAPE, "the input shape 28x28x0 (HxWxC)");
    model_fails("relu", 1, 2000000, 1, NN_ERR_SHAPE, "every size from 1 to 1000000");
}

// A dense layer with more weights than the engine allows is refused.
static void test_error_dense_too_large(void **state) {
    (void)state;
    // 1000 x 1000 x 1 = 10^6 inputs times 1000 units = 10^9 weights > 2^28
    model_fails("flatten,dense(1000)", 1, 1000, 1000, NN_ERR_NOMEM,
                "would have 1000001000 parameters (1000 units x (1000000 inputs + 1))",
                "more than 268435456");
}

// Issue 10, finding 18: a conv layer was not capped, so `summary` reported
// 164 billion parameters. 1000 filters of 400x400 on 1000 channels:
// 1000 * (400*400*1000 + 1) = 160,000,001,000 > 2^28 = 268,435,456.
static void test_error_conv_too_large(void **state) {
    (void)state;
    model_fails("conv(1000,400)", 1000, 400, 400, NN_ERR_NOMEM,
                "layer 1, conv(1000,400) (column 1), would have 160000001000 parameters",
                "(1000 filters x (400x400x1000 + 1))", "more than 268435456");
    // Just under the cap is fine: 16 * (4096*4096*1 + 1) = 268,435,472 is over,
    // 15 * (4096*4096 + 1) = 251,658,255 is under.
    model_fails("conv(16,4096)", 1, 4096, 4096, NN_ERR_NOMEM, "268435472 parameters");
    nn_model *m = model_ok("conv(15,4096)", 1, 4096, 4096);
    assert_int_equal(m->params, 251658255LL);
    nn_model_free(m);
}

// Layers each under the cap whose sum is over it: the model is refused at
// the layer that crosses it. 10000 inputs: dense(20000) has
// 20000 * 10001 = 200,020,000; dense(5000) adds 5000 * 20001 = 100,005,000;
// 300,025,000 > 268,435,456.
static void test_error_model_too_large(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_model *m = NULL;
    assert_int_equal(nn_model_create(&m, "flatten,dense(20000),dense(5000)",
                                     nn_shape_map(1, 100, 100), &err),
                     NN_ERR_NOMEM);
    assert_null(m);
    assert_error_contains_(&err, "layers 1 to 3 would have 300025000 parameters in all",
                           __FILE__, __LINE__);
    assert_error_contains_(&err, "more than 268435456", __FILE__, __LINE__);
    assert_int_equal(err.column, 22);  // where dense(5000) starts
    assert_int_equal(NN_MAX_PARAMS, 268435456LL);
}

// ---- The table of layer kinds (layer_kinds.h) -------------------------------------------

// A text for a kind made from its row alone: positional whole numbers lo + 2 +
// their index (conv(3,4), maxpool(3), dense(3)), a rate 0.25; with options,
// every option off its default: a whole number lo + 1 (stride=2, dilation=2)
// and padding 1.
static void kind_text(const nn_layer_kind_def *k, bool options, char *buf, size_t size) {
    size_t n = (size_t)snprintf(buf, size, "%s", k->name);
    int shown = 0;
    for (int i = 0; i < NN_MAX_ARG_DEFS && k->args[i].what; i++) {
        const nn_arg_def *d = &k->args[i];
        if (d->key && !options) continue;
        n += (size_t)snprintf(buf + n, size - n, "%s", shown++ ? "," : "(");
        if (d->key) n += (size_t)snprintf(buf + n, size - n, "%s=", d->key);
        if (d->type == NN_ARG_RATE)
            n += (size_t)snprintf(buf + n, size - n, "0.25");
        else if (d->type == NN_ARG_INT)
            n += (size_t)snprintf(buf + n, size - n, "%d", d->key ? d->lo + 1 : d->lo + 2 + i);
        else
            n += (size_t)snprintf(buf + n, size - n, "1");
        assert_true(n < size);
    }
    if (shown) snprintf(buf + n, size - n, ")");
}

// Parses text as the second layer, after relu (a bare "softmax" is the preset).
static nn_layer_spec parse_second(const char *text) {
    char arch[128];
    snprintf(arch, sizeof arch, "relu,%s", text);
    nn_error err = error_fresh();
    nn_layer_spec *l = NULL;
    int count = 0;
    assert_ok(nn_arch_parse(arch, &l, &count, &err), err);
    assert_int_equal(count, 2);
    nn_layer_spec s = l[1];
    free(l);
    return s;
}

static void assert_same_spec(const nn_layer_spec *a, const nn_layer_spec *b) {
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->filters, b->filters);
    assert_int_equal(a->kernel, b->kernel);
    assert_int_equal(a->stride, b->stride);
    assert_int_equal(a->dilation, b->dilation);
    assert_int_equal(a->padding.mode, b->padding.mode);
    assert_int_equal(a->padding.p, b->padding.p);
    assert_int_equal(a->units, b->units);
    assert_int_equal(a->out_pad, b->out_pad);
    assert_float_equal(a->rate, b->rate, 0.0f);
}

// Every row is complete, and every kind reads back the text it formats, with
// and without its options: parse, format, parse again gives the same spec.
static void test_every_kind_formats_and_parses_back(void **state) {
    (void)state;
    for (int k = 0; k < NN_LAYER_KIND_COUNT; k++) {
        const nn_layer_kind_def *row = &nn_layer_kinds[k];
        assert_non_null(row->name);
        assert_true(row->name[0] != '\0');
        assert_non_null(row->usage);
        assert_non_null(row->keras_type);
        assert_non_null(row->keras_name);
        assert_non_null(row->place);
        assert_non_null(row->forward);
        assert_non_null(row->backward);
        for (int with_options = 0; with_options < 2; with_options++) {
            char text[96], formatted[96];
            kind_text(row, with_options, text, sizeof text);
            const nn_layer_spec first = parse_second(text);
            assert_int_equal(first.kind, k);
            nn_layer_spec_format(&first, formatted, sizeof formatted);
            // defaults are left out, options come in the row's order: the text itself
            assert_string_equal(formatted, text);
            const nn_layer_spec again = parse_second(formatted);
            assert_same_spec(&first, &again);
        }
    }
}

// Every kind places itself on a 9x9x2 input (after relu, or flatten if it
// needs a flat input) with the parameters worked out by hand, and runs forward and backward in
// a net: the loss is finite and its weights, if any, get gradients.
static void test_every_kind_places_and_runs(void **state) {
    (void)state;
    // By hand, for the texts of kind_text with options:
    static const struct {
        const char *name;
        long long weights, biases;
    } hand[] = {
        {"conv", 3 * 4 * 4 * 2, 3},      // conv(3,4,...): F x K x K x C, one bias per filter
        {"convt", 2 * 3 * 4 * 4, 3},     // convt(3,4,...): C x F x K x K, one bias per filter
        {"maxpool", 0, 0},               // maxpool(3,stride=2,pad=1)
        {"avgpool", 0, 0},
        {"dense", 9 * 9 * 2 * 3, 3},     // dense(3) on 162 flattened values
    };
    for (int k = 0; k < NN_LAYER_KIND_COUNT; k++) {
        const nn_layer_kind_def *row = &nn_layer_kinds[k];
        char text[96], arch[160];
        kind_text(row, true, text, sizeof text);
        nn_error err = error_fresh();
        nn_model *m = NULL;
        snprintf(arch, sizeof arch, "relu,%s", text);  // (a bare "softmax" is the preset)
        if (nn_model_create(&m, arch, nn_shape_map(2, 9, 9), &err) == NN_ERR_SHAPE) {
            snprintf(arch, sizeof arch, "flatten,%s", text);
            assert_ok(nn_model_create(&m, arch, nn_shape_map(2, 9, 9), &err), err);
        }
        assert_non_null(m);
        const nn_layer *l = &m->layers[m->n_layers - 1];
        long long want_weights = 0, want_biases = 0;
        bool worked = false;
        for (size_t h = 0; h < HELPERS_COUNT_OF(hand); h++)
            if (strcmp(hand[h].name, row->name) == 0) {
                want_weights = hand[h].weights;
                want_biases = hand[h].biases;
                worked = true;
            }
        if (!worked && row->fans) fail_msg("%s has weights: add its count by hand above", text);
        assert_int_equal(l->weights, want_weights);
        assert_int_equal(l->biases, want_biases);
        assert_int_equal(m->params, want_weights + want_biases);
        nn_model_free(m);

        // ... and runs, ending in a dense layer so the loss has classes.
        strcat(arch, ",flatten,dense(4)");
        nn_net *net = NULL;
        assert_ok(nn_net_create(&net, arch, nn_shape_map(2, 9, 9), 2, NULL, &err), err);
        nn_net_init_params(net, 7);
        float x[2 * 162];
        test_rng r = rng_seed(11);
        rng_fill(&r, x, HELPERS_COUNT_OF(x), -1.0f, 1.0f);
        nn_rng drop;
        nn_rng_seed(&drop, 3);
        const uint8_t labels[2] = {1, 3};
        nn_net_forward(net, x, 2, true, &drop);
        const float loss = nn_net_backward(net, labels);
        assert_true(isfinite(loss) && loss > 0.0f);
        const nn_param_slice *s = &net->slices[net->model->n_layers - 3];  // the kind's layer
        assert_int_equal(s->n_weights, (size_t)want_weights);
        size_t moved = 0;
        for (size_t i = 0; i < s->n_weights; i++) {
            assert_true(isfinite(net->grads[s->weights + i]));
            moved += net->grads[s->weights + i] != 0.0f;
        }
        assert_true(s->n_weights == 0 || moved > 0);
        nn_net_free(net);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lenet5_on_mnist),
        cmocka_unit_test(test_softmax_preset_on_mnist),
        cmocka_unit_test(test_slide002_conv_has_760_parameters),
        cmocka_unit_test(test_vgg_blocks_with_same_padding),
        cmocka_unit_test(test_stride2_same_padding),
        cmocka_unit_test(test_alexnet_first_layers),
        cmocka_unit_test(test_alexnet_single_tower),
        cmocka_unit_test(test_keras_names_for_activations),
        cmocka_unit_test(test_pool_stride_defaults_to_window),
        cmocka_unit_test(test_layer_shapes_chain),
        cmocka_unit_test(test_error_dense_without_flatten),
        cmocka_unit_test(test_error_conv_after_flatten),
        cmocka_unit_test(test_error_kernel_does_not_fit),
        cmocka_unit_test(test_error_shapes_shrink_to_zero),
        cmocka_unit_test(test_error_softmax_on_feature_map),
        cmocka_unit_test(test_error_parse_and_input_shape),
        cmocka_unit_test(test_error_dense_too_large),
        cmocka_unit_test(test_error_conv_too_large),
        cmocka_unit_test(test_error_model_too_large),
        cmocka_unit_test(test_every_kind_formats_and_parses_back),
        cmocka_unit_test(test_every_kind_places_and_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
