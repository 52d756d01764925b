// cmd_classify.c - `convstep classify`: what a trained model says a picture
// of a digit is, after preparing it the way MNIST's digits were.
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "assets.h"
#include "cli.h"
#include "cli_common.h"
#include "digit.h"
#include "json.h"
#include "modelfile.h"
#include "nn.h"
#include "text.h"

static const arg_spec classify_args_[] = {
    {"model", true, false}, {"json", false, false}, {"show", false, false},
    {"help", false, false}, {NULL, false, false},
};

_Static_assert(MODEL_MAX_CLASSES == 4096, "classify --help quotes the class limit");

static const char classify_help_[] =
    "usage: convstep classify [--model FILE] [--show] [--json] [--] IMAGE...\n"
    "\n"
    "Says which digit each picture shows, with the model's probabilities. A picture\n"
    "(PNG, BMP, PGM/PPM, up to 8192 a side) may be dark ink or light ink; it\n"
    "is prepared as MNIST's digits were: cropped to the ink, scaled into 20x20\n"
    "keeping its proportions, centred by its centre of mass in 28x28.\n"
    "\n"
    "  --model FILE   a model saved by convstep train --save, 28x28x1 inputs and\n"
    "                 2 to 4096 classes (default: the LeNet-5 shipped in\n"
    "                 assets/lenet5.model); FILE and IMAGE may be pipes\n"
    "  --show         also draw the prepared 28x28 digit in text\n"
    "  --json         print a list of {file, prediction, probabilities}\n"
    "\n"
    "example: convstep classify my_seven.png\n";

// The prepared digit in characters, darkest to brightest.
static void show_(FILE *out, const float *x) {
    static const char shades[] = " .:-=+*#%@";
    for (int y = 0; y < DIGIT_SIDE; y++) {
        fputs("  ", out);
        for (int c = 0; c < DIGIT_SIDE; c++) {
            int k = (int)(x[y * DIGIT_SIDE + c] * 9.999f);
            k = k < 0 ? 0 : k > 9 ? 9 : k;
            fputc(shades[k], out);
            fputc(shades[k], out);
        }
        fputc('\n', out);
    }
}

// The k most probable classes, highest first (k <= classes; ties: lower index).
static void top_(const float *p, int classes, int k, int *order) {
    for (int n = 0; n < k; n++) {
        int best = -1;
        for (int c = 0; c < classes; c++) {
            bool taken = false;
            for (int j = 0; j < n; j++) taken = taken || order[j] == c;
            if (!taken && (best < 0 || p[c] > p[best])) best = c;
        }
        order[n] = best;
    }
}

#define CANDIDATES 3  // the prediction and two runners-up

int cmd_classify(int argc, char **argv, const cli_frontend *fe, FILE *out, FILE *errf) {
    char err[1400];
    parsed_args a;
    if (!args_parse(classify_args_, argc, argv, ARGS_MAX, &a, "classify", err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    if (args_has(&a, "help")) {
        fputs(classify_help_, out);
        return 0;
    }
    if (a.n_positional == 0)
        return cli_fail(errf, "convstep classify needs at least one image (see convstep classify --help)",
                     CLI_EXIT_USAGE);
    if (!fe || !fe->load_image) return cli_fail(errf, "this build of convstep cannot read images", CLI_EXIT_RUNTIME);

    char path[1024];
    const char *model_path = args_get(&a, "model");
    if (!model_path) {
        if (!app_asset_path("lenet5.model", path, sizeof path, err, sizeof err))
            return cli_fail(errf, err, CLI_EXIT_RUNTIME);
        model_path = path;
    }
    nn_net *net;
    if (!app_model_load(model_path, &net, 1, NULL, 0, err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    const nn_shape in = net->model->input;
    const int classes = nn_net_classes(net);
    if (in.c != 1 || in.h != DIGIT_SIDE || in.w != DIGIT_SIDE || classes < 2) {
        nn_net_free(net);
        snprintf(err, sizeof err, "the model '%s' takes %dx%dx%d inputs with %d classes; classify "
                 "needs a 28x28x1 digit model with at least 2 classes", model_path, in.h, in.w, in.c,
                 classes);
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    }
    // As many scores as the model has classes (app_model_load caps them at
    // MODEL_MAX_CLASSES); never a fixed array.
    float *probs = malloc(sizeof(float) * (size_t)classes);
    if (!probs) {
        nn_net_free(net);
        return cli_fail(errf, "out of memory for the model's scores", CLI_EXIT_RUNTIME);
    }
    const int shown = classes < CANDIDATES ? classes : CANDIDATES;

    const bool json = args_has(&a, "json");
    json_writer w;
    if (json) {
        json_init(&w, out);
        json_begin_array(&w);
    }
    int status = 0;
    for (int i = 0; i < a.n_positional; i++) {
        const char *file = a.positional[i];
        char shown_name[1200];
        text_escape(file, strlen(file), shown_name, sizeof shown_name);
        app_gray_image img;
        float x[DIGIT_SIDE * DIGIT_SIDE];
        app_digit_info info;
        if (!fe->load_image(file, &img, err, sizeof err)) {
            cli_fail(errf, err, CLI_EXIT_USAGE);
            status = CLI_EXIT_USAGE;
            continue;
        }
        bool ok = app_digit_prepare(&img, x, &info, err, sizeof err);
        app_gray_image_free(&img);
        if (!ok) {
            char msg[2600];
            snprintf(msg, sizeof msg, "%s: %s", file, err);
            cli_fail(errf, msg, CLI_EXIT_USAGE);
            status = CLI_EXIT_USAGE;
            continue;
        }
        const float *p = nn_net_forward(net, x, 1, false, NULL);
        if (net->model->layers[net->model->n_layers - 1].spec.kind == NN_LAYER_SOFTMAX)
            memcpy(probs, p, sizeof(float) * (size_t)classes);
        else
            nn_softmax_forward(probs, p, 1, classes);
        // Parameters are checked when loading, but large ones can still
        // overflow deep in the net: say so rather than print "nan%".
        bool finite = true;
        for (int c = 0; c < classes; c++) finite = finite && isfinite(probs[c]);
        if (!finite) {
            snprintf(err, sizeof err, "the model '%s' gives scores that are not numbers (nan or "
                     "inf) for '%s': its weights are too large", model_path, file);
            cli_fail(errf, err, CLI_EXIT_USAGE);
            status = CLI_EXIT_USAGE;
            continue;
        }
        int order[CANDIDATES];
        top_(probs, classes, shown, order);
        if (json) {
            json_begin_object(&w);
            json_key(&w, "file"), json_string(&w, file);
            json_key(&w, "prediction"), json_int(&w, order[0]);
            json_key(&w, "probabilities"), json_float_array(&w, probs, classes);
            json_key(&w, "inverted"), json_bool(&w, info.inverted);
            json_end_object(&w);
        } else {
            fprintf(out, "%s: %d (%.1f%%)", shown_name, order[0], 100.0 * probs[order[0]]);
            for (int k = 1; k < shown; k++)
                fprintf(out, "%s%d (%.1f%%)", k == 1 ? "; then " : ", ", order[k],
                        100.0 * probs[order[k]]);
            fprintf(out, "%s\n", info.inverted ? "  [dark ink on light paper]" : "");
            if (args_has(&a, "show")) show_(out, x);
        }
    }
    if (json) {
        json_end_array(&w);
        json_finish(&w);
    }
    free(probs);
    nn_net_free(net);
    return status;
}
