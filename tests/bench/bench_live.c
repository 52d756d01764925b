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
// With --run-steps N instead: what the live view's test evaluations cost the
// training, without a window. The worker runs N steps from a new model
// (live_run_steps, the whole test set evaluated on the schedule in live.h),
// against a plain trainer's N steps with its own end-of-epoch evaluations,
// both timed on the wall clock, in turn, --reps times; prints the samples/s
// of each and the median ratio live/plain (the goal of issue 16: >= 0.95).
//
// Usage: bench_live [--calls 3000] [--arch lenet5] [--warm-steps 40]
//        bench_live --run-steps 500 [--reps 5] [--arch lenet5]
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

static double now_s_(void) { return now_ns_() * 1e-9; }

// Seconds for the live worker's n steps from a new model, evaluations included.
static double live_run_(const app_train_options *o, const app_dataset *train, const app_dataset *test, int n) {
    char err[600];
    live_trainer *lt = live_create(o, train, test, err, sizeof err);
    live_snapshot *s = calloc(1, sizeof *s);
    if (!lt || !s) {
        fprintf(stderr, "bench_live: %s\n", lt ? "out of memory" : err);
        exit(2);
    }
    const double t0 = now_s_();
    live_run_steps(lt, n);
    do {
        struct timespec ms = {0, 500000};
        nanosleep(&ms, NULL);
        live_snapshot_get(lt, s, false);
    } while (!(s->paused && s->run_left == 0 && s->steps == n));
    const double t = now_s_() - t0;
    live_destroy(lt);
    free(s);
    return t;
}

// Seconds for a plain trainer's n steps, its end-of-epoch evaluations included.
static double plain_run_(const app_train_options *o, const app_dataset *train, const app_dataset *test, int n) {
    char err[600];
    app_trainer t;
    if (!app_trainer_init(&t, o, train, test, err, sizeof err)) {
        fprintf(stderr, "bench_live: %s\n", err);
        exit(2);
    }
    const double t0 = now_s_();
    bool done;
    app_epoch_stats st;
    for (int i = 0; i < n; i++)
        if (!app_trainer_step(&t, &done, &st, err, sizeof err)) exit(2);
    const double sec = now_s_() - t0;
    app_trainer_destroy(&t);
    return sec;
}

static int run_steps_(const char *arch, int n, int reps) {
    app_dataset train, test;
    char err[600];
    if (!app_dataset_load(&train, &test, NULL, err, sizeof err)) {
        fprintf(stderr, "bench_live: %s\n", err);
        return 2;
    }
    app_train_options o;
    app_train_options_default(&o);
    o.arch = arch;
    o.epochs = 1000;
    o.threads = 1;
    double *live = malloc(sizeof(double) * (size_t)reps), *plain = malloc(sizeof(double) * (size_t)reps);
    double *ratio = malloc(sizeof(double) * (size_t)reps);
    if (!live || !plain || !ratio) return 2;
    for (int r = 0; r < reps; r++) {  // in turn, so a change of load hits both
        plain[r] = plain_run_(&o, &train, &test, n);
        live[r] = live_run_(&o, &train, &test, n);
        ratio[r] = plain[r] / live[r];
    }
    qsort(live, (size_t)reps, sizeof *live, cmp_);
    qsort(plain, (size_t)reps, sizeof *plain, cmp_);
    qsort(ratio, (size_t)reps, sizeof *ratio, cmp_);
    const double samples = (double)n * o.batch;
    printf("bench_live: %s, %d steps of %d from a new model, %d test digits, %d reps (medians)\n", arch, n, o.batch,
           test.count, reps);
    printf("plain trainer      %8.0f samples/s wall (its end-of-epoch evaluations included)\n",
           samples / plain[reps / 2]);
    printf("live worker        %8.0f samples/s wall (the scheduled evaluations included)\n", samples / live[reps / 2]);
    printf("ratio live/plain   %8.3f (goal >= 0.95; min %.3f, max %.3f)\n", ratio[reps / 2], ratio[0],
           ratio[reps - 1]);
    free(live);
    free(plain);
    free(ratio);
    app_dataset_free(&test);
    app_dataset_free(&train);
    return 0;
}

static void report_(const char *what, double *ns, int n) {
    qsort(ns, (size_t)n, sizeof *ns, cmp_);
    printf("%-18s median %9.0f ns   p90 %9.0f ns   (%d calls)\n", what, ns[n / 2], ns[n * 9 / 10], n);
}

int main(int argc, char **argv) {
    int calls = 3000, warm_steps = 40, run_steps = 0, reps = 5;
    const char *arch = "lenet5";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--calls") == 0) calls = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--arch") == 0) arch = argv[i + 1];
        else if (strcmp(argv[i], "--warm-steps") == 0) warm_steps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--run-steps") == 0) run_steps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--reps") == 0) reps = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "usage: bench_live [--calls N] [--arch SPEC] [--warm-steps N] | --run-steps N [--reps N]\n");
            return 2;
        }
    }
    if (run_steps > 0) return run_steps_(arch, run_steps, reps < 1 ? 1 : reps);
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
