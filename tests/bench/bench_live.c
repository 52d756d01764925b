// bench_live.c - what one snapshot of the live trainer (app/live.c) costs
// with LeNet-5's 61,706 parameters: the worker's publish and a reader's
// live_snapshot_get, median and p90 nanoseconds over many calls. It uses
// only live.h's public calls, so it builds against older versions of live.c
// too (to measure before and after a change).
//
//   publish           live_step_now(lt, 0): the publish of a trainer that has
//                     taken steps (the parameters are copied every time)
//   get after publish a reader's unforced copy after each such publish: what
//                     a frame pays while training runs
//   get, lr only      unforced copy after live_set_lr (the version changes,
//                     the parameters do not): a frame after a command
//   get, unchanged    unforced copy when nothing changed
//   get, forced       live_snapshot_get(..., true)
//
// Usage: bench_live [--calls 3000] [--arch lenet5] [--warm-steps 40]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataset.h"
#include "live.h"
#include "train.h"

static double now_ns_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report_(const char *what, double *ns, int n) {
    qsort(ns, (size_t)n, sizeof *ns, cmp_);
    printf("%-18s median %9.0f ns   p90 %9.0f ns   (%d calls)\n", what, ns[n / 2], ns[n * 9 / 10], n);
}

int main(int argc, char **argv) {
    int calls = 3000, warm_steps = 40;
    const char *arch = "lenet5";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--calls") == 0) calls = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--arch") == 0) arch = argv[i + 1];
        else if (strcmp(argv[i], "--warm-steps") == 0) warm_steps = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "usage: bench_live [--calls N] [--arch SPEC] [--warm-steps N]\n");
            return 2;
        }
    }
    if (calls < 10) calls = 10;
    app_dataset train, all_test, test;
    char err[600];
    if (!app_dataset_load(&train, &all_test, NULL, err, sizeof err)) {
        fprintf(stderr, "bench_live: %s\n", err);
        return 2;
    }
    // A small test set: evaluations are not what is measured.
    if (!app_dataset_slice(&test, &all_test, 0, all_test.count < 200 ? all_test.count : 200)) return 2;
    app_train_options o;
    app_train_options_default(&o);
    o.arch = arch;
    o.epochs = 1000;
    o.threads = 1;
    live_trainer *lt = live_create(&o, &train, &test, err, sizeof err);
    if (!lt) {
        fprintf(stderr, "bench_live: %s\n", err);
        return 2;
    }
    live_snapshot *s = calloc(1, sizeof *s);
    double *ns = malloc(sizeof *ns * (size_t)calls);
    if (!s || !ns) return 2;
    // Some steps first, so the curves hold points as they do while training.
    if (!live_step_now(lt, warm_steps, err, sizeof err)) {
        fprintf(stderr, "bench_live: %s\n", err);
        return 2;
    }
    live_snapshot_get(lt, s, true);
    printf("bench_live: %s, %zu parameters, sizeof(live_snapshot) %zu bytes, %d curve points\n", arch,
           s->n_params, sizeof(live_snapshot), s->n_loss);

    for (int i = 0; i < calls; i++) {
        const double t0 = now_ns_();
        live_step_now(lt, 0, err, sizeof err);
        ns[i] = now_ns_() - t0;
    }
    report_("publish", ns, calls);

    for (int i = 0; i < calls; i++) {
        live_step_now(lt, 0, err, sizeof err);
        const double t0 = now_ns_();
        const bool got = live_snapshot_get(lt, s, false);
        ns[i] = now_ns_() - t0;
        if (!got) return fprintf(stderr, "bench_live: no new snapshot after a publish\n"), 1;
    }
    report_("get after publish", ns, calls);

    for (int i = 0; i < calls; i++) {
        live_set_lr(lt, o.lr);
        const double t0 = now_ns_();
        const bool got = live_snapshot_get(lt, s, false);
        ns[i] = now_ns_() - t0;
        if (!got) return fprintf(stderr, "bench_live: no new snapshot after live_set_lr\n"), 1;
    }
    report_("get, lr only", ns, calls);

    for (int i = 0; i < calls; i++) {
        const double t0 = now_ns_();
        live_snapshot_get(lt, s, false);
        ns[i] = now_ns_() - t0;
    }
    report_("get, unchanged", ns, calls);

    for (int i = 0; i < calls; i++) {
        const double t0 = now_ns_();
        live_snapshot_get(lt, s, true);
        ns[i] = now_ns_() - t0;
    }
    report_("get, forced", ns, calls);

    live_destroy(lt);
    free(s);
    free(ns);
    app_dataset_free(&test);
    app_dataset_free(&all_test);
    app_dataset_free(&train);
    return 0;
}
