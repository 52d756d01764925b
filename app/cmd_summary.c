// cmd_summary.c - `convstep summary`: a model's layers, output shapes and
// parameter counts, laid out like Keras's model.summary(), with each count
// worked out so a student can check it.
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "cli_common.h"
#include "format.h"
#include "json.h"
#include "nn.h"

static const arg_spec summary_args_[] = {
    {"arch", true, false}, {"input", true, false}, {"json", false, false},
    {"help", false, false}, {NULL, false, false},
};

static const char summary_help_[] =
    "usage: convstep summary --arch SPEC --input HxWxC [--json]\n"
    "\n"
    "Lists every layer of a model with its output shape and parameter count, as\n"
    "Keras's model.summary() does (shapes written (None, H, W, C)), and shows how\n"
    "each count is worked out.\n"
    "\n"
    "  --arch SPEC     layers separated by commas, or a preset (lenet5, softmax):\n"
    "                    conv(F,K[,stride=S][,pad=valid|same|P][,dilation=D])\n"
    "                    maxpool(K[,stride=S][,pad=P])  avgpool(K[,stride=S][,pad=P])\n"
    "                    relu  sigmoid  tanh  dropout(P)  flatten  dense(N)  softmax\n"
    "                  conv pads 'valid' with stride 1 unless told; pooling strides by K;\n"
    "                  at most 256 layers and 268,435,456 parameters (in a layer or in all)\n"
    "  --input HxWxC   the input's rows, columns and channels, e.g. 28x28x1 (HxW means C=1)\n"
    "  --json          print layers (name, type, output_shape [H, W, C] or [N], params)\n"
    "                  and total_params\n"
    "\n"
    "lenet5 = conv(6,5,pad=2),relu,maxpool(2),conv(16,5),relu,maxpool(2),flatten,\n"
    "         dense(120),relu,dense(84),relu,dense(10),softmax\n"
    "softmax = flatten,dense(10),softmax\n"
    "\n"
    "example: convstep summary --arch 'conv(10,5,pad=2),relu,maxpool(2)' --input 32x32x3\n";

// True if every byte is printable ASCII (no control bytes, no UTF-8).
static bool printable_ascii_(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E) return false;
    return true;
}

// "(None, 28, 28, 6)" or "(None, 400)".
static void keras_shape_(nn_shape s, char *buf, size_t size) {
    if (s.rank == 1)
        snprintf(buf, size, "(None, %d)", s.c);
    else
        snprintf(buf, size, "(None, %d, %d, %d)", s.h, s.w, s.c);
}

static void print_text_(FILE *out, const nn_model *m, const char *arch) {
    const char *rule = "______________________________________________________________________________________";
    const char *dbl = "======================================================================================";
    fprintf(out, "Model: %s\n", arch);
    fprintf(out, "Input: (None, %d, %d, %d)\n", m->input.h, m->input.w, m->input.c);
    // The first column as wide as its longest name, 32 at least (Keras's table):
    // "conv2d_transpose (Conv2DTranspose)" is 34.
    int name_w = 32;
    for (int i = 0; i < m->n_layers; i++) {
        char name[64];
        const int n = snprintf(name, sizeof name, "%s (%s)", m->layers[i].name, m->layers[i].type);
        if (n > name_w) name_w = n;
    }
    fprintf(out, "%s\n", rule);
    fprintf(out, " %-*s %-22s %-10s %s\n", name_w, "Layer (type)", "Output Shape", "Param #", "Worked out");
    fprintf(out, "%s\n", dbl);
    for (int i = 0; i < m->n_layers; i++) {
        const nn_layer *l = &m->layers[i];
        char name[64], shape[48], params[32], how[64];
        snprintf(name, sizeof name, "%s (%s)", l->name, l->type);
        keras_shape_(l->out, shape, sizeof shape);
        fmt_thousands(nn_layer_params(l), params, sizeof params);
        fmt_params_worked(l, how, sizeof how);
        if (how[0])
            fprintf(out, " %-*s %-22s %-10s %s\n", name_w, name, shape, params, how);
        else
            fprintf(out, " %-*s %-22s %s\n", name_w, name, shape, params);
        if (i + 1 < m->n_layers) fputc('\n', out);
    }
    char total[32];
    fmt_thousands(m->params, total, sizeof total);
    fprintf(out, "%s\n", dbl);
    fprintf(out, "Total params: %s\n", total);
    fprintf(out, "Trainable params: %s\n", total);
    fprintf(out, "Non-trainable params: 0\n");
    fprintf(out, "%s\n", rule);
}

static void shape_json_(json_writer *w, nn_shape s) {
    json_begin_array(w);
    if (s.rank == 1) {
        json_int(w, s.c);
    } else {
        json_int(w, s.h), json_int(w, s.w), json_int(w, s.c);
    }
    json_end_array(w);
}

static void print_json_(FILE *out, const nn_model *m, const char *arch) {
    json_writer w;
    json_init(&w, out);
    json_begin_object(&w);
    json_key(&w, "arch"), json_string(&w, arch);
    json_key(&w, "input_shape"), shape_json_(&w, m->input);
    json_key(&w, "layers");
    json_begin_array(&w);
    for (int i = 0; i < m->n_layers; i++) {
        const nn_layer *l = &m->layers[i];
        char spec[64];
        nn_layer_spec_format(&l->spec, spec, sizeof spec);
        json_begin_object(&w);
        json_key(&w, "name"), json_string(&w, l->name);
        json_key(&w, "type"), json_string(&w, l->type);
        json_key(&w, "spec"), json_string(&w, spec);
        json_key(&w, "output_shape"), shape_json_(&w, l->out);
        json_key(&w, "params"), json_int(&w, nn_layer_params(l));
        json_key(&w, "weights"), json_int(&w, l->weights);
        json_key(&w, "biases"), json_int(&w, l->biases);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "total_params"), json_int(&w, m->params);
    json_key(&w, "trainable_params"), json_int(&w, m->params);
    json_key(&w, "non_trainable_params"), json_int(&w, 0);
    json_end_object(&w);
    json_finish(&w);
}

int cmd_summary(int argc, char **argv, FILE *out, FILE *errf) {
    char err[600];
    parsed_args a;
    if (!args_parse(summary_args_, argc, argv, 0, &a, "summary", err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    if (args_has(&a, "help")) {
        fputs(summary_help_, out);
        return 0;
    }
    const char *arch = args_get(&a, "arch"), *input = args_get(&a, "input");
    if (!arch || !input)
        return cli_fail(errf, "convstep summary needs --arch and --input (see convstep summary --help)",
                        CLI_EXIT_USAGE);
    nn_shape shape;
    if (!cli_parse_hwc(input, &shape, err, sizeof err)) return cli_fail(errf, err, CLI_EXIT_USAGE);
    nn_model *m;
    nn_error e;
    if (nn_model_create(&m, arch, shape, &e) != NN_OK) {
        snprintf(err, sizeof err, "--arch: %s", e.msg);
        cli_fail(errf, err, CLI_EXIT_USAGE);
        // Point at the place, under the text the column counts in; only for
        // printable ASCII text, which is safe to echo and one column a byte.
        const char *text = nn_arch_expand(arch);
        if (e.column > 0 && strlen(text) < 200 && printable_ascii_(text))
            fprintf(errf, "  %s\n  %*s^\n", text, e.column - 1, "");
        return CLI_EXIT_USAGE;
    }
    if (args_has(&a, "json"))
        print_json_(out, m, arch);
    else
        print_text_(out, m, arch);
    nn_model_free(m);
    return 0;
}
