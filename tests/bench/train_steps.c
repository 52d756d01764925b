// train_steps.c - a fixed number of LeNet-5 training steps (batch 32, the
// bench's recipe), for instruction counts that do not depend on the machine's
// load:  valgrind --tool=callgrind --toggle-collect=timed_steps_ train_steps
//        [--threads 1] [--steps 20] [--warm 30] [--kernel avx512|avx2|scalar]
// Warm-up steps first (30, as bench_speed); prints samples/s of the timed steps.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataset.h"
#include "gemm.h"
#include "train.h"

static double now_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_steps_(app_trainer *t, int steps) {
    bool done;
    app_epoch_stats st;
    char err[256];
    for (int i = 0; i < steps; i++) app_trainer_step(t, &done, &st, err, sizeof err);
}
// Kept out of line so callgrind can count just the timed steps.
__attribute__((noipa)) static void timed_steps_(app_trainer *t, int steps) { run_steps_(t, steps); }

int main(int argc, char **argv) {
    int threads = 1, steps = 20, warm = 30;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--threads") == 0) threads = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--steps") == 0) steps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--warm") == 0) warm = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--kernel") == 0 && !nn_gemm_force_kernel(argv[i + 1])) {
            fprintf(stderr, "train_steps: this CPU cannot run the kernel '%s'\n", argv[i + 1]);
            return 1;
        }
    }
    app_dataset train, test, none = {0};
    char err[512];
    if (!app_dataset_load(&train, &test, NULL, err, sizeof err)) {
        fprintf(stderr, "train_steps: %s\n", err);
        return 2;
    }
    app_train_options o;
    app_train_options_plain(&o);
    o.threads = threads;
    app_trainer t;
    if (!app_trainer_init(&t, &o, &train, &none, err, sizeof err)) {
        fprintf(stderr, "train_steps: %s\n", err);
        return 2;
    }
    run_steps_(&t, warm);
    const double t0 = now_();
    timed_steps_(&t, steps);
    printf("%s %d thread(s): %.0f samples/s\n", nn_gemm_kernel_name(), threads,
           steps * o.batch / (now_() - t0));
    app_trainer_destroy(&t);
    app_dataset_free(&train);
    app_dataset_free(&test);
    return 0;
}
