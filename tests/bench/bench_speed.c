// bench_speed.c - convstep's speed, measured the way ../shared/bench/torch_lenet.py
// measures PyTorch's, so the two can be printed side by side (scripts/bench.py):
//   training samples/s at 1 and 2 threads: 30 warm-up steps, then BLOCKS timed
//     blocks of STEPS steps (batch 32, SGD lr 0.05 momentum 0.9);
//   inference latency: batch 1, 200 warm-up calls, then 2000 timed calls, and
//     each layer's median time per call;
// Prints one JSON object (with each model's training flops per sample).
//   where a training step goes (1 thread): the net's per-layer profile.
// Usage: bench_speed [--models lenet5,softmax] [--blocks 7] [--steps 100]
//                    [--kernel avx512|avx2|scalar] [--profile yes|no]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataset.h"
#include "gemm.h"
#include "arch.h"
#include "json.h"
#include "layer_kinds.h"
#include "model.h"
#include "net.h"
#include "train.h"

static double now_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// Min, median, max of n values (sorted in place).
static void summary_(json_writer *w, const char *key, double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_);
    json_key(w, key);
    json_begin_array(w);
    json_float(w, (float)v[0]);
    json_float(w, (float)(n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2])));
    json_float(w, (float)v[n - 1]);
    json_end_array(w);
}

// A trainer of arch on `threads` threads with the PyTorch reference's recipe
// (the same work per step), 30 steps warmed up, its test set emptied into
// *none so that no evaluation runs inside the timed blocks.
static void warm_trainer_(app_trainer *t, app_dataset *none, const char *arch, int threads,
                          const app_dataset *train, const app_dataset *test) {
    app_train_options o;
    app_train_options_plain(&o);
    o.arch = arch;
    o.threads = threads;
    o.epochs = 1000;  // never reached: the benchmark stops by itself
    char err[512];
    if (!app_trainer_init(t, &o, train, test, err, sizeof err)) {
        fprintf(stderr, "bench_speed: %s\n", err);
        exit(2);
    }
    *none = *test;
    none->count = 0;
    t->test = none;
    bool done;
    app_epoch_stats st;
    for (int i = 0; i < 30; i++) app_trainer_step(t, &done, &st, err, sizeof err);
}

static void bench_training_(json_writer *w, const char *arch, int threads, int blocks, int steps,
                            const app_dataset *train, const app_dataset *test) {
    app_trainer t;
    app_dataset none;
    warm_trainer_(&t, &none, arch, threads, train, test);
    char err[512];
    bool done;
    app_epoch_stats st;
    double rates[64];
    for (int b = 0; b < blocks; b++) {
        const double t0 = now_();
        for (int i = 0; i < steps; i++) app_trainer_step(&t, &done, &st, err, sizeof err);
        rates[b] = steps * 32.0 / (now_() - t0);
    }
    char key[64];
    snprintf(key, sizeof key, "train_samples_per_sec_%dt", threads);
    summary_(w, key, rates, blocks);
    app_trainer_destroy(&t);
}

static double median_(double *v, int n);

// The layer as written ("conv(6,5,pad=2)").
static void layer_text_(const nn_layer *l, char *what, int size) {
    if (nn_layer_kinds[l->spec.kind].format)
        nn_layer_kinds[l->spec.kind].format(&l->spec, what, size);
    else
        snprintf(what, (size_t)size, "%s", nn_layer_kinds[l->spec.kind].name);
}

// Batch 1 on test digits: 200 warm-up calls, then 2000 timed one by one
// (p10, median, p90), then 2000 more with the net's profile on: each layer's
// median time per call, to show where an inference goes.
static void bench_inference_(json_writer *w, const char *arch, const app_dataset *test) {
    nn_net *net;
    nn_error e;
    if (nn_net_create(&net, arch, nn_shape_map(1, 28, 28), 1, NULL, &e) != NN_OK) {
        fprintf(stderr, "bench_speed: %s\n", e.msg);
        exit(2);
    }
    nn_net_init_params(net, 1);
    float x[784];
    static double us[2000];
    for (int i = 0; i < 2200; i++) {
        app_images_to_floats(x, test->images + (size_t)(i % test->count) * 784, 784);
        const double t0 = now_();
        nn_net_forward(net, x, 1, false, NULL);
        if (i >= 200) us[i - 200] = (now_() - t0) * 1e6;
    }
    qsort(us, 2000, sizeof us[0], cmp_);
    json_key(w, "infer_us");  // p10, median, p90
    json_begin_array(w);
    json_float(w, (float)us[200]);
    json_float(w, (float)(0.5 * (us[999] + us[1000])));
    json_float(w, (float)us[1800]);
    json_end_array(w);
    // Per layer (the profile's clock reads add a little to each).
    const int L = net->model->n_layers < NN_PROFILE_MAX_LAYERS ? net->model->n_layers
                                                               : NN_PROFILE_MAX_LAYERS;
    enum { CALLS = 2000 };
    double *per = malloc(sizeof(double) * (size_t)L * CALLS);
    if (!per) {
        fprintf(stderr, "bench_speed: out of memory\n");
        exit(2);
    }
    nn_profile prof;
    net->profile = &prof;
    for (int i = 0; i < CALLS; i++) {
        app_images_to_floats(x, test->images + (size_t)(i % test->count) * 784, 784);
        nn_profile_clear(&prof);
        nn_net_forward(net, x, 1, false, NULL);
        for (int l = 0; l < L; l++) per[(size_t)l * CALLS + i] = prof.forward[l] * 1e6;
    }
    net->profile = NULL;
    json_key(w, "infer_layers");  // median microseconds per call, layer by layer
    json_begin_array(w);
    for (int l = 0; l < L; l++) {
        char what[96];
        layer_text_(&net->model->layers[l], what, sizeof what);
        json_begin_object(w);
        json_key(w, "layer"), json_string(w, what);
        json_key(w, "us"), json_float(w, (float)median_(per + (size_t)l * CALLS, CALLS));
        json_end_object(w);
    }
    json_end_array(w);
    free(per);
    nn_net_free(net);
}

static double median_(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Where one training step goes (1 thread, batch 32): the net's profile
// (net.h, profile.h) per layer and per kind of work, in microseconds per step,
// each the median over blocks of STEPS steps. "rest" is the step less forward
// and backward: batch loading, zeroing the gradients and the SGD update.
static void bench_profile_(json_writer *w, const char *arch, int blocks, int steps,
                           const app_dataset *train, const app_dataset *test) {
    app_trainer t;
    app_dataset none;
    warm_trainer_(&t, &none, arch, 1, train, test);
    char err[512];
    bool done;
    app_epoch_stats st;
    const int L = t.net->model->n_layers < NN_PROFILE_MAX_LAYERS ? t.net->model->n_layers
                                                                 : NN_PROFILE_MAX_LAYERS;
    // Per block: step, loss, rest, the parts, then forward and backward of each layer.
    enum { FIXED = 3 + NN_PART_COUNT };
    const int per = FIXED + 2 * L;
    double *fig = malloc(sizeof(double) * (size_t)per * (size_t)blocks);
    double *col = malloc(sizeof(double) * (size_t)blocks);
    nn_profile prof;
    t.net->profile = &prof;  // the only worker's net at 1 thread
    for (int b = 0; b < blocks; b++) {
        nn_profile_clear(&prof);
        const double t0 = now_();
        for (int i = 0; i < steps; i++) app_trainer_step(&t, &done, &st, err, sizeof err);
        const double step = (now_() - t0) / steps * 1e6, k = 1e6 / steps;
        double *f = fig + (size_t)b * per;
        double passes = prof.loss;
        for (int i = 0; i < L; i++) passes += prof.forward[i] + prof.backward[i];
        f[0] = step;
        f[1] = prof.loss * k;
        f[2] = step - passes * k;
        for (int p = 0; p < NN_PART_COUNT; p++) f[3 + p] = prof.part[p] * k;
        for (int i = 0; i < L; i++) {
            f[FIXED + 2 * i] = prof.forward[i] * k;
            f[FIXED + 2 * i + 1] = prof.backward[i] * k;
        }
    }
    t.net->profile = NULL;
    double med[3 + NN_PART_COUNT + 2 * NN_PROFILE_MAX_LAYERS];
    for (int j = 0; j < per; j++) {
        for (int b = 0; b < blocks; b++) col[b] = fig[(size_t)b * per + j];
        med[j] = median_(col, blocks);
    }
    static const char *const part_keys[NN_PART_COUNT] = {"gemm_us", "im2col_us", "col2im_us"};
    json_key(w, "profile");  // microseconds per training step, medians over blocks
    json_begin_object(w);
    json_key(w, "step_us"), json_float(w, (float)med[0]);
    json_key(w, "loss_us"), json_float(w, (float)med[1]);
    json_key(w, "rest_us"), json_float(w, (float)med[2]);
    for (int p = 0; p < NN_PART_COUNT; p++) json_key(w, part_keys[p]), json_float(w, (float)med[3 + p]);
    json_key(w, "layers");
    json_begin_array(w);
    for (int i = 0; i < L; i++) {
        const nn_layer *l = &t.net->model->layers[i];
        char what[96];
        layer_text_(l, what, sizeof what);
        json_begin_object(w);
        json_key(w, "layer"), json_string(w, what);
        json_key(w, "forward_us"), json_float(w, (float)med[FIXED + 2 * i]);
        json_key(w, "backward_us"), json_float(w, (float)med[FIXED + 2 * i + 1]);
        json_end_object(w);
    }
    json_end_array(w);
    json_end_object(w);
    free(fig);
    free(col);
    app_trainer_destroy(&t);
}

// Floating-point operations of one training sample, counted from the model's
// layers: the multiply-adds of conv, convt and dense (2 flops each; every
// weight meets every output position in conv, every input cell in convt, once
// in dense), three times (forward, weight gradient, input gradient), less the
// first layer's input gradient, which the engine skips. ReLU, pooling, softmax
// and the update are left out (a few percent). For scripts/bench.py's fraction
// of the FMA peak.
static double train_flops_per_sample_(const char *arch) {
    nn_model *m;
    nn_error e;
    if (nn_model_create(&m, nn_arch_expand(arch), nn_shape_map(1, 28, 28), &e) != NN_OK) {
        fprintf(stderr, "bench_speed: %s\n", e.msg);
        exit(2);
    }
    double total = 0.0;
    for (int i = 0; i < m->n_layers; i++) {
        const nn_layer *l = &m->layers[i];
        double macs = 0.0;
        if (l->spec.kind == NN_LAYER_CONV) macs = (double)l->weights * l->out.h * l->out.w;
        else if (l->spec.kind == NN_LAYER_CONVT) macs = (double)l->weights * l->in.h * l->in.w;
        else if (l->spec.kind == NN_LAYER_DENSE) macs = (double)l->weights;
        total += 2.0 * macs * (i == 0 ? 2 : 3);
    }
    nn_model_free(m);
    return total;
}

int main(int argc, char **argv) {
    const char *models = "lenet5,softmax";
    int blocks = 7, steps = 100;
    bool profile = true;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--models") == 0) models = argv[i + 1];
        else if (strcmp(argv[i], "--blocks") == 0) blocks = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--steps") == 0) steps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--profile") == 0) profile = strcmp(argv[i + 1], "no") != 0;
        else if (strcmp(argv[i], "--kernel") == 0 && !nn_gemm_force_kernel(argv[i + 1])) {
            fprintf(stderr, "bench_speed: this CPU cannot run the kernel '%s'\n", argv[i + 1]);
            return 1;
        }
    }
    if (blocks < 1 || blocks > 64 || steps < 1) {
        fprintf(stderr, "bench_speed: --blocks 1..64, --steps >= 1\n");
        return 1;
    }
    app_dataset train, test;
    char err[512];
    if (!app_dataset_load(&train, &test, NULL, err, sizeof err)) {
        fprintf(stderr, "bench_speed: %s\n", err);
        return 2;
    }
    json_writer w;
    json_init(&w, stdout);
    json_begin_object(&w);
    json_key(&w, "gemm_kernel"), json_string(&w, nn_gemm_kernel_name());
    char list[128];
    snprintf(list, sizeof list, "%s", models);
    for (char *m = strtok(list, ","); m; m = strtok(NULL, ",")) {
        json_key(&w, m);
        json_begin_object(&w);
        json_key(&w, "train_flops_per_sample"), json_float(&w, (float)train_flops_per_sample_(m));
        bench_training_(&w, m, 1, blocks, steps, &train, &test);
        bench_training_(&w, m, 2, blocks, steps, &train, &test);
        bench_inference_(&w, m, &test);
        if (profile) bench_profile_(&w, m, blocks, steps, &train, &test);
        json_end_object(&w);
    }
    json_end_object(&w);
    json_finish(&w);
    app_dataset_free(&train);
    app_dataset_free(&test);
    return 0;
}
