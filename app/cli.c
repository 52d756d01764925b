// cli.c - `convstep` with a subcommand: dispatch, --help, --version.
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "live.h"

#ifndef CONVSTEP_VERSION
#define CONVSTEP_VERSION "dev"
#endif

static const char main_help_[] =
    "usage: convstep <command> [options]\n"
    "\n"
    "convstep runs a real convolutional network and shows every step of it.\n"
    "\n"
    "commands:\n"
    "  conv      work out a convolution step by step (formula, windows, products, map)\n"
    "  convt     work out a transposed convolution step by step (each input cell stamps the kernel)\n"
    "  pool      work out max or average pooling step by step\n"
    "  summary   list a model's layers, output shapes and parameter counts, as Keras does\n"
    "  train     train a digit classifier and report its accuracy and speed\n"
    "  classify  say which digit a picture shows, with the model's probabilities\n"
    "  view      open a view: conv, pool, train, templates, cnn, draw (also headless, to PNG)\n"
    "  lesson    play a scripted lesson (headless: check it, export slides)\n"
    "\n"
    "With no command, convstep opens its window.\n"
    "\n"
    "options:\n"
    "  --help      this text; `convstep <command> --help` explains a command\n"
    "  --version   print the version and the matrix-product kernel in use\n"
    "\n"
    "examples:\n"
    "  convstep conv --input '1 1 1 0 0; 0 1 1 1 0; 0 0 1 1 1; 0 0 1 1 0; 0 1 1 0 0' \\\n"
    "                --kernel '1 0 1; 0 1 0; 1 0 1'\n"
    "  convstep pool --input '1 3 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4' --mode max --size 2\n"
    "  convstep summary --arch lenet5 --input 28x28x1\n";

// The commands; the ones that need the front-end take it (`with_frontend`).
static const struct {
    const char *name;
    int (*run)(int argc, char **argv, FILE *out, FILE *err);
    int (*with_frontend)(int argc, char **argv, const cli_frontend *fe, FILE *out, FILE *err);
} commands_[] = {
    {"conv", cmd_conv, NULL},
    {"convt", cmd_convt, NULL},
    {"pool", cmd_pool, NULL},
    {"summary", cmd_summary, NULL},
    {"train", cmd_train, NULL},
    {"classify", NULL, cmd_classify},
    {"view", NULL, cmd_view},
    {"lesson", NULL, cmd_lesson},
};

// CONVSTEP_KERNEL=avx512|avx2|scalar runs every matrix product (training,
// inference, gradients) on that kernel: to compare speeds, or to see what a
// CPU without AVX-512 runs. Read once, before any command; unset or empty
// keeps the best kernel this CPU has. A name this CPU cannot run is bad input.
static int apply_kernel_env_(FILE *err) {
    const char *want = getenv("CONVSTEP_KERNEL");
    if (!want || !*want) return CLI_EXIT_OK;
    static const char *const names[] = {"avx512", "avx2", "scalar"};
    bool known = false;
    char runnable[64] = "";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(want, names[i]) == 0) known = true;
        if (nn_gemm_force_kernel(names[i])) {
            if (runnable[0]) strcat(runnable, ", ");
            strcat(runnable, names[i]);
        }
    }
    nn_gemm_force_kernel(NULL);
    char msg[300];
    if (!known) {
        snprintf(msg, sizeof msg,
                 "CONVSTEP_KERNEL='%.40s' is not a kernel (choices: avx512, avx2, scalar; "
                 "unset for the best this CPU runs)", want);
        return cli_fail(err, msg, CLI_EXIT_USAGE);
    }
    if (!nn_gemm_force_kernel(want)) {
        snprintf(msg, sizeof msg,
                 "CONVSTEP_KERNEL='%s': this CPU cannot run the %s kernel (choices here: %s; "
                 "unset for the best this CPU runs)", want, want, runnable);
        return cli_fail(err, msg, CLI_EXIT_USAGE);
    }
    return CLI_EXIT_OK;
}

// CONVSTEP_LIVE=threads|frames: how the window trains live, on a thread of
// its own (the default) or in slices of its frames (as in a browser page
// where no thread can start). Read once, before any command.
static int apply_live_env_(FILE *err) {
    const char *want = getenv("CONVSTEP_LIVE");
    if (!want || !*want) return CLI_EXIT_OK;
    live_mode mode;
    if (!live_mode_parse(want, &mode)) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "CONVSTEP_LIVE='%.40s' is not a way to train live (choices: threads, frames; unset for threads)",
                 want);
        return cli_fail(err, msg, CLI_EXIT_USAGE);
    }
    live_set_default_mode(mode);
    return CLI_EXIT_OK;
}

static int run_command_(size_t i, int argc, char **argv, const cli_frontend *fe, FILE *out, FILE *err) {
    return commands_[i].run ? commands_[i].run(argc, argv, out, err)
                            : commands_[i].with_frontend(argc, argv, fe, out, err);
}

int cli_main(int argc, char **argv, const cli_frontend *fe, FILE *out, FILE *err) {
    const int kernel_status = apply_kernel_env_(err);
    if (kernel_status != CLI_EXIT_OK) return kernel_status;
    const int live_status = apply_live_env_(err);
    if (live_status != CLI_EXIT_OK) return live_status;
    if (argc < 2) {
        // The window; where none can open (no display), the help instead.
        char *none[] = {NULL};
        FILE *quiet = fopen("/dev/null", "w");
        const int status = cmd_view(0, none, fe, out, quiet ? quiet : err);
        if (quiet) fclose(quiet);
        if (status == 0) return 0;
        fputs(main_help_, out);
        fputs("(no window could be opened here: use the commands above, or `convstep view ... --headless`)\n", out);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        if (argc >= 3 && strcmp(argv[1], "help") == 0) {
            char *help_argv[] = {(char *)"--help"};
            for (size_t i = 0; i < sizeof commands_ / sizeof commands_[0]; i++)
                if (strcmp(argv[2], commands_[i].name) == 0)
                    return run_command_(i, 1, help_argv, fe, out, err);
            char msg[200];
            snprintf(msg, sizeof msg, "unknown command '%.60s' (see convstep --help)", argv[2]);
            return cli_fail(err, msg, CLI_EXIT_USAGE);
        }
        fputs(main_help_, out);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        fprintf(out, "convstep %s\n", CONVSTEP_VERSION);
        // Which kernel runs (CONVSTEP_KERNEL, else the best this CPU has).
        fprintf(out, "gemm kernel: %s\n", nn_gemm_kernel_name());
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands_ / sizeof commands_[0]; i++)
        if (strcmp(argv[1], commands_[i].name) == 0)
            return run_command_(i, argc - 2, argv + 2, fe, out, err);
    char msg[200];
    snprintf(msg, sizeof msg, "unknown command '%.60s' (commands: conv, convt, pool, summary, train, classify, view, lesson; see convstep --help)",
             argv[1]);
    return cli_fail(err, msg, CLI_EXIT_USAGE);
}
