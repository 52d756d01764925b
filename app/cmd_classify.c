// cmd_classify.c - `convstep classify`: what a trained model says a picture
// of a digit is, after preparing it the way MNIST's digits were.
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "assets.h"
#include "cli.h"
#include "digit.h"
#include "json.h"
#include "modelfile.h"
#include "nn.h"

static const arg_spec classify_args_[] = {
    {"model", true, false}, {"json", false, false}, {"show", false, false},
    {"help", false, false}, {NULL, false, false},
};

static const char classify_help_[] =
    "usage: convstep classify [--model FILE] [--show] [--json] [--] IMAGE...\n"
    "\n"
    "Says which digit each picture shows, with the model's probabilities. A picture\n"
    "(PNG, BMP, PGM/PPM, up to 8192 a side) may be dark ink or light ink; it\n"
    "is prepared as MNIST's digits were: cropped to the ink, scaled into 20x20\n"
    "keeping its proportions, centred by its centre of mass in 28x28.\n"
    "\n"
    "  --model FILE   a model saved by convstep train --save (default: the LeNet-5\n"
    "                 shipped in assets/lenet5.model)\n"
    "  --show         also draw the prepared 28x28 digit in text\n"
    "  --json         print a list of {file, prediction, probabilities}\n"
    "\n"
    "example: convstep classify my_seven.png\n";

static cli_image_loader loader_ = NULL;

void cli_set_image_loader(cli_image_loader fn) { loader_ = fn; }

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

// Sorts class indices by probability, highest first.
static void rank_(const float *p, int classes, int *order) {
    for (int i = 0; i < classes; i++) order[i] = i;
    for (int i = 1; i < classes; i++)
        for (int j = i; j > 0 && p[order[j]] > p[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
}

int cmd_classify(int argc, char **argv, FILE *out, FILE *errf) {
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
    if (!loader_) return cli_fail(errf, "this build of convstep cannot read images", CLI_EXIT_RUNTIME);

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
                 "needs a 28x28x1 digit model", model_path, in.h, in.w, in.c, classes);
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    }

    const bool json = args_has(&a, "json");
    json_writer w;
    if (json) {
        json_init(&w, out);
        json_begin_array(&w);
    }
    int status = 0;
    for (int i = 0; i < a.n_positional; i++) {
        app_gray_image img;
        float x[DIGIT_SIDE * DIGIT_SIDE];
        app_digit_info info;
        if (!loader_(a.positional[i], &img, err, sizeof err)) {
            cli_fail(errf, err, CLI_EXIT_USAGE);
            status = CLI_EXIT_USAGE;
            continue;
        }
        bool ok = app_digit_prepare(&img, x, &info, err, sizeof err);
        app_gray_image_free(&img);
        if (!ok) {
            char msg[1600];
            snprintf(msg, sizeof msg, "%s: %s", a.positional[i], err);
            cli_fail(errf, msg, CLI_EXIT_USAGE);
            status = CLI_EXIT_USAGE;
            continue;
        }
        const float *p = nn_net_forward(net, x, 1, false, NULL);
        float probs[256];
        if (net->model->layers[net->model->n_layers - 1].spec.kind == NN_LAYER_SOFTMAX)
            memcpy(probs, p, sizeof(float) * (size_t)classes);
        else
            nn_softmax_forward(probs, p, 1, classes);
        int order[256];
        rank_(probs, classes, order);
        if (json) {
            json_begin_object(&w);
            json_key(&w, "file"), json_string(&w, a.positional[i]);
            json_key(&w, "prediction"), json_int(&w, order[0]);
            json_key(&w, "probabilities"), json_float_array(&w, probs, classes);
            json_key(&w, "inverted"), json_bool(&w, info.inverted);
            json_end_object(&w);
        } else {
            fprintf(out, "%s: %d (%.1f%%); then %d (%.1f%%), %d (%.1f%%)%s\n", a.positional[i], order[0],
                    100.0 * probs[order[0]], order[1], 100.0 * probs[order[1]], order[2],
                    100.0 * probs[order[2]], info.inverted ? "  [dark ink on light paper]" : "");
            if (args_has(&a, "show")) show_(out, x);
        }
    }
    if (json) {
        json_end_array(&w);
        json_finish(&w);
    }
    nn_net_free(net);
    return status;
}
