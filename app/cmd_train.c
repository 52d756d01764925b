// cmd_train.c - `convstep train`: trains a model on the embedded digits (or
// IDX files), prints its progress and accuracy, optionally saves it.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "cli_common.h"
#include "dataset.h"
#include "fileio.h"
#include "format.h"
#include "json.h"
#include "modelfile.h"
#include "nn.h"
#include "train.h"

static const arg_spec train_args_[] = {
    {"arch", true, false},     {"epochs", true, false}, {"batch", true, false},
    {"lr", true, false},       {"momentum", true, false}, {"weight-decay", true, false},
    {"threads", true, false},  {"seed", true, false},  {"shift", true, false},
    {"data", true, false},     {"save", true, false},  {"json", false, false},
    {"cosine", false, false},  {"plain", false, false},
    {"help", false, false},    {NULL, false, false},
};

static const char train_help_[] =
    "usage: convstep train [--arch SPEC|lenet5|softmax] [--epochs N] [--batch B] [--lr X]\n"
    "                      [--momentum M] [--weight-decay W] [--threads T] [--seed S]\n"
    "                      [--shift P] [--cosine] [--plain] [--data DIR] [--save FILE]\n"
    "                      [--json]\n"
    "\n"
    "Trains a model with mini-batch SGD and momentum on 8,000 real MNIST digits and\n"
    "tests it on 2,000 others (both shipped in assets/), or on the IDX files in DIR.\n"
    "The same seed and thread count give the same result. On a terminal, a progress\n"
    "bar on stderr shows the epoch, digits done, samples/s and the time left (ETA).\n"
    "\n"
    "  --arch SPEC       the model (default lenet5; see convstep summary --help)\n"
    "  --epochs N        passes over the training digits (default 3)\n"
    "  --batch B         digits per step (default 32)\n"
    "  --lr X            learning rate (default 0.03)\n"
    "  --momentum M      momentum (default 0.9)\n"
    "  --weight-decay W  L2 penalty on the weights (default 0.0005)\n"
    "  --threads T       threads sharing each batch (default 1)\n"
    "  --seed S          initial weights, shuffling, dropout and shifts (default 1)\n"
    "  --shift P         move each training digit by up to P pixels at random (default 1)\n"
    "  --cosine          lower the learning rate along a half cosine, reaching 0 at the\n"
    "                    last step (the default; with --plain, turns it back on)\n"
    "  --plain           the reference recipe of the PyTorch comparison: lr 0.05, no\n"
    "                    weight decay, no shifts, a constant rate (the options above\n"
    "                    still override it). LeNet-5, 3 epochs, seeds 0-4: median test\n"
    "                    accuracy 95.5% plain, 97.5% with the defaults\n"
    "  --data DIR        train-images-idx3-ubyte, train-labels-idx1-ubyte,\n"
    "                    t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each may be .gz):\n"
    "                    the full MNIST, Fashion-MNIST or any set in the same format\n"
    "                    (up to 1,000,000 images of up to 256x256 pixels, 268,435,456\n"
    "                    pixels in one file)\n"
    "  --save FILE       save the trained model (convstep classify --model FILE); checked\n"
    "                    before training: a new or regular file in a writable folder\n"
    "  --json            print test_accuracy, train_samples_per_sec and epochs\n"
    "\n"
    "example: convstep train --arch lenet5 --epochs 3 --save lenet5.model\n";

// Reads a float option in [lo, hi].
static bool float_opt_(const parsed_args *a, const char *name, float lo, float hi, float *out,
                       char *err, size_t errsize) {
    const char *v = args_get(a, name);
    if (!v) return true;
    char *end;
    double d = strtod(v, &end);
    if (*v == '\0' || *end != '\0' || !isfinite(d)) {
        snprintf(err, errsize, "--%s: '%.40s' is not a number", name, v);
        return false;
    }
    if (d < lo || d > hi) {
        snprintf(err, errsize, "--%s must be from %g to %g, got %.40s", name, (double)lo, (double)hi, v);
        return false;
    }
    *out = (float)d;
    return true;
}

static bool parse_options_(const parsed_args *a, app_train_options *o, char *err, size_t errsize) {
    if (args_has(a, "plain")) app_train_options_plain(o);
    else app_train_options_default(o);
    const char *v;
    int seed = 1;
    if ((v = args_get(a, "arch"))) o->arch = v;
    if ((v = args_get(a, "epochs")) && !args_int(v, "--epochs", 1, 1000, &o->epochs, err, errsize)) return false;
    if ((v = args_get(a, "batch")) && !args_int(v, "--batch", 1, 4096, &o->batch, err, errsize)) return false;
    if ((v = args_get(a, "threads")) &&
        !args_int(v, "--threads", 1, TRAIN_MAX_THREADS, &o->threads, err, errsize))
        return false;
    if ((v = args_get(a, "seed")) && !args_int(v, "--seed", 0, 2147483647, &seed, err, errsize)) return false;
    if ((v = args_get(a, "shift")) && !args_int(v, "--shift", 0, 8, &o->shift, err, errsize)) return false;
    o->seed = (uint64_t)seed;
    if (args_has(a, "cosine")) o->cosine = true;
    return float_opt_(a, "lr", 1e-6f, 10.0f, &o->lr, err, errsize) &&
           float_opt_(a, "momentum", 0.0f, 0.999f, &o->momentum, err, errsize) &&
           float_opt_(a, "weight-decay", 0.0f, 1.0f, &o->weight_decay, err, errsize);
}

// The progress bar, on stderr when it is a terminal (never in --json output
// or a pipe), redrawn in place:
// "epoch 1/3 [=====>      ] 32000/60000  14210 samples/s  ETA 0:09  loss 0.41  acc 87.3%".
// ETA is the time left for the whole run at the epoch's rate so far
// (the test evaluations after each epoch not counted).
#define BAR_EVERY_SEC 0.1  // at most ten redraws a second: a terminal is slow

static double now_sec_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void draw_bar_(FILE *tty, const app_trainer *t, int epochs) {
    const int width = 24;
    const int count = t->train->count;
    const int pos = t->pos, epoch = t->epoch + 1;  // drawn within an epoch, never at its end
    const double done = (double)pos / count;
    const int fill = (int)(done * width);
    const double rate = t->epoch_seconds > 0 ? t->seen / t->epoch_seconds : 0.0;
    fprintf(tty, "\r\033[Kepoch %d/%d [", epoch, epochs);
    for (int i = 0; i < width; i++) fputc(i < fill ? '=' : i == fill ? '>' : ' ', tty);
    fprintf(tty, "] %d/%d  %.0f samples/s  ETA ", pos, count, rate);
    if (rate > 0) {
        const double left = ((double)(epochs - epoch) * count + (count - pos)) / rate;
        const long s = (long)(left + 0.5);
        if (s >= 3600) fprintf(tty, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
        else fprintf(tty, "%ld:%02ld", s / 60, s % 60);
    } else {
        fputs("--:--", tty);
    }
    if (t->seen)
        fprintf(tty, "  loss %.4f  acc %.1f%%", t->loss_sum / t->seen, 100.0 * t->correct / t->seen);
    fflush(tty);
}

// Erases the bar's line, so what follows starts on a clean line.
static void clear_bar_(FILE *tty) {
    fputs("\r\033[K", tty);
    fflush(tty);
}

static double median_(double *v, int n) {
    for (int i = 1; i < n; i++)  // insertion sort: a handful of epochs
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int cmd_train(int argc, char **argv, FILE *out, FILE *errf) {
    char err[600];
    parsed_args a;
    if (!args_parse(train_args_, argc, argv, 0, &a, "train", err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    if (args_has(&a, "help")) {
        fputs(train_help_, out);
        return 0;
    }
    app_train_options o;
    if (!parse_options_(&a, &o, err, sizeof err)) return cli_fail(errf, err, CLI_EXIT_USAGE);
    const bool json = args_has(&a, "json");
    const bool bar = !json && isatty(fileno(errf));
    // Before any epoch is spent: --save must name a regular file or nothing,
    // in a folder that exists and is writable. A device, pipe, symlink or
    // folder there is refused, never replaced.
    const char *save = args_get(&a, "save");
    if (save && !app_check_save_target(save, "model ", err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);

    app_dataset train, test;
    if (!app_dataset_load(&train, &test, args_get(&a, "data"), err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    app_trainer t;
    if (!app_trainer_init(&t, &o, &train, &test, err, sizeof err)) {
        app_dataset_free(&train);
        app_dataset_free(&test);
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    }
    // A model file has tighter limits than the engine (classes, parameters):
    // say so now rather than after the last epoch.
    if (save && !app_model_check_limits(t.net->model, "--arch", err, sizeof err)) {
        app_trainer_destroy(&t);
        app_dataset_free(&train);
        app_dataset_free(&test);
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    }
    if (!json)
        fprintf(out, "Training %s (%lld parameters) on %d digits, testing on %d; batch %d, lr %g%s, "
                     "momentum %g, weight decay %g, shifts of up to %d pixel%s, %d thread%s, seed %d\n",
                o.arch, t.net->model->params, train.count, test.count, o.batch, (double)o.lr,
                o.cosine ? " (lowered along a half cosine)" : "", (double)o.momentum, (double)o.weight_decay,
                o.shift, o.shift == 1 ? "" : "s", o.threads, o.threads == 1 ? "" : "s", (int)o.seed);

    app_epoch_stats *stats = calloc((size_t)o.epochs, sizeof *stats);
    int status = stats ? 0 : CLI_EXIT_RUNTIME;
    int done = 0;
    double last_bar = 0.0;
    while (status == 0 && done < o.epochs) {
        bool epoch_done;
        if (!app_trainer_step(&t, &epoch_done, &stats[done], err, sizeof err)) {
            if (bar) clear_bar_(errf);
            status = cli_fail(errf, err, CLI_EXIT_RUNTIME);
            break;
        }
        if (bar && !epoch_done && now_sec_() - last_bar >= BAR_EVERY_SEC) {
            draw_bar_(errf, &t, o.epochs);
            last_bar = now_sec_();
        }
        if (!epoch_done) continue;
        const app_epoch_stats *s = &stats[done++];
        if (bar) {
            clear_bar_(errf);
            last_bar = 0.0;  // the next epoch shows at its first step
        }
        if (!json)
            fprintf(out, "epoch %d/%d: loss %.4f, train accuracy %.2f%%, test accuracy %.2f%%, "
                         "%.0f samples/s\n",
                    s->epoch, o.epochs, (double)s->loss, 100.0 * s->train_accuracy,
                    100.0 * s->test_accuracy, s->samples_per_sec);
    }

    if (status == 0 && save) {
        char note[512];
        snprintf(note, sizeof note,
                 "convstep train --arch '%s' --epochs %d --batch %d --lr %g --momentum %g "
                 "--weight-decay %g --seed %d --shift %d%s%s; test accuracy %.4f",
                 o.arch, o.epochs, o.batch, (double)o.lr, (double)o.momentum,
                 (double)o.weight_decay, (int)o.seed, o.shift, o.cosine ? "" : " --plain",
                 args_get(&a, "data") ? " --data ..." : "",
                 (double)stats[done - 1].test_accuracy);
        if (!app_model_save(save, t.net, nn_arch_expand(o.arch), note, err, sizeof err))
            status = cli_fail(errf, err, CLI_EXIT_RUNTIME);
        else if (!json)
            fprintf(out, "saved the model to %s\n", save);
    }
    if (status == 0 && json) {
        double rates[1000], total_seconds = 0;
        for (int i = 0; i < done; i++) {
            rates[i] = stats[i].samples_per_sec;
            total_seconds += stats[i].seconds;
        }
        json_writer w;
        json_init(&w, out);
        json_begin_object(&w);
        json_key(&w, "arch"), json_string(&w, nn_arch_expand(o.arch));
        json_key(&w, "params"), json_int(&w, t.net->model->params);
        json_key(&w, "threads"), json_int(&w, o.threads);
        json_key(&w, "seed"), json_int(&w, (long long)o.seed);
        // The recipe trained with (the defaults or --plain, and the options given).
        json_key(&w, "recipe");
        json_begin_object(&w);
        json_key(&w, "batch"), json_int(&w, o.batch);
        json_key(&w, "lr"), json_float(&w, o.lr);
        json_key(&w, "momentum"), json_float(&w, o.momentum);
        json_key(&w, "weight_decay"), json_float(&w, o.weight_decay);
        json_key(&w, "shift"), json_int(&w, o.shift);
        json_key(&w, "cosine"), json_bool(&w, o.cosine);
        json_end_object(&w);
        json_key(&w, "test_accuracy"), json_float(&w, stats[done - 1].test_accuracy);
        // The median epoch's rate: one slow epoch on a noisy machine does not move it.
        json_key(&w, "train_samples_per_sec"), json_float(&w, (float)median_(rates, done));
        json_key(&w, "train_seconds"), json_float(&w, (float)total_seconds);
        json_key(&w, "epochs");
        json_begin_array(&w);
        for (int i = 0; i < done; i++) {
            json_begin_object(&w);
            json_key(&w, "epoch"), json_int(&w, stats[i].epoch);
            json_key(&w, "loss"), json_float(&w, stats[i].loss);
            json_key(&w, "train_accuracy"), json_float(&w, stats[i].train_accuracy);
            json_key(&w, "test_accuracy"), json_float(&w, stats[i].test_accuracy);
            json_key(&w, "samples_per_sec"), json_float(&w, (float)stats[i].samples_per_sec);
            json_end_object(&w);
        }
        json_end_array(&w);
        if (save) json_key(&w, "saved"), json_string(&w, save);
        json_end_object(&w);
        json_finish(&w);
    }
    free(stats);
    app_trainer_destroy(&t);
    app_dataset_free(&train);
    app_dataset_free(&test);
    return status;
}
