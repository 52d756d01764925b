// train.c - the training loop behind `convstep train` and the live view.
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crew.h"

// One thread's share of a batch: its own activations and gradients, the
// shared parameters.
struct app_worker_ {
    nn_net *net;
    float *x;        // [batch][rows * cols] inputs
    uint8_t *y;      // [batch] labels
    int *index;      // [batch] this step's images, drawn by the step (in order)
    int *shift;      // [batch][2] their shifts (rows, columns)
    int n;           // samples in this step
    float loss;      // mean loss over them
    int correct;     // how many the forward pass got right
    nn_rng rng;      // dropout masks
};

void app_train_options_default(app_train_options *o) {
    o->arch = "lenet5";
    o->epochs = 3;
    o->batch = 32;
    o->lr = 0.03f;
    o->momentum = 0.9f;
    o->weight_decay = 0.0005f;
    o->threads = 1;
    o->seed = 1;
    o->shift = 1;
    o->cosine = true;
}

void app_train_options_plain(app_train_options *o) {
    app_train_options_default(o);
    o->lr = 0.05f;
    o->weight_decay = 0.0f;
    o->shift = 0;
    o->cosine = false;
}

static double now_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void app_images_to_floats(float *out, const uint8_t *images, size_t count) {
    for (size_t i = 0; i < count; i++) out[i] = (float)images[i] * (1.0f / 255.0f);
}

static int argmax_(const float *v, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

bool app_trainer_init(app_trainer *t, const app_train_options *opt, const app_dataset *train,
                      const app_dataset *test, char *err, size_t errsize) {
    memset(t, 0, sizeof *t);
    t->opt = *opt;
    t->train = train;
    t->test = test;
    if (opt->threads < 1 || opt->threads > TRAIN_MAX_THREADS) {
        snprintf(err, errsize, "--threads must be from 1 to %d, got %d", TRAIN_MAX_THREADS, opt->threads);
        return false;
    }
    if (opt->batch < 1 || opt->batch > 4096) {
        snprintf(err, errsize, "--batch must be from 1 to 4096, got %d", opt->batch);
        return false;
    }
    if (!(opt->lr > 0.0f) || !isfinite(opt->lr) || !(opt->momentum >= 0.0f) || !(opt->momentum < 1.0f) ||
        !(opt->weight_decay >= 0.0f) || !isfinite(opt->weight_decay)) {
        snprintf(err, errsize, "the learning rate must be above 0, the momentum from 0 to below 1 "
                               "and the weight decay at least 0");
        return false;
    }
    nn_error e;
    const nn_shape in = nn_shape_map(1, train->rows, train->cols);
    const int per_thread = (opt->batch + opt->threads - 1) / opt->threads;
    if (nn_net_create(&t->net, opt->arch, in, per_thread, NULL, &e) != NN_OK) {
        snprintf(err, errsize, "--arch: %s", e.msg);
        return false;
    }
    const int classes = nn_net_classes(t->net);
    int max_label = 0;
    for (int i = 0; i < train->count; i++) max_label = train->labels[i] > max_label ? train->labels[i] : max_label;
    for (int i = 0; i < test->count; i++) max_label = test->labels[i] > max_label ? test->labels[i] : max_label;
    if (classes == 0) {
        const nn_shape o = t->net->model->layers[t->net->model->n_layers - 1].out;
        snprintf(err, errsize,
                 "--arch: the model ends in a %dx%dx%d feature map, not one score per class: end "
                 "it with flatten,dense(%d),softmax",
                 o.h, o.w, o.c, max_label + 1);
        app_trainer_destroy(t);
        return false;
    }
    if (classes <= max_label) {
        snprintf(err, errsize,
                 "--arch: the model's last layer gives %d value(s) but the labels go up to %d: end "
                 "the architecture with dense(%d) (and softmax)",
                 classes, max_label, max_label + 1);
        app_trainer_destroy(t);
        return false;
    }
    nn_net_init_params(t->net, opt->seed);
    t->workers = calloc((size_t)opt->threads, sizeof *t->workers);
    t->velocity = calloc(t->net->n_params, sizeof(float));
    t->order = malloc(sizeof(int) * (size_t)train->count);
    if (!t->workers || !t->velocity || !t->order) goto nomem;
    const size_t pixels = (size_t)train->rows * train->cols;
    for (int w = 0; w < opt->threads; w++) {
        app_worker_ *wk = &t->workers[w];
        if (w == 0) {
            wk->net = t->net;
        } else if (nn_net_create(&wk->net, opt->arch, in, per_thread, t->net->params, &e) != NN_OK) {
            goto nomem;
        }
        wk->x = malloc(sizeof(float) * pixels * (size_t)per_thread);
        wk->y = malloc((size_t)per_thread);
        wk->index = malloc(sizeof(int) * (size_t)per_thread);
        wk->shift = malloc(sizeof(int) * 2 * (size_t)per_thread);
        if (!wk->x || !wk->y || !wk->index || !wk->shift) goto nomem;
        // Each worker's dropout stream depends only on the seed and its index.
        nn_rng_seed(&wk->rng, opt->seed * 1000003u + (uint64_t)w + 1);
    }
    t->crew = app_crew_create(opt->threads);
    if (!t->crew) goto nomem;
    nn_rng_seed(&t->rng, opt->seed ^ 0x5DEECE66Dull);
    for (int i = 0; i < train->count; i++) t->order[i] = i;
    nn_rng_shuffle(&t->rng, t->order, train->count);
    return true;
nomem:
    snprintf(err, errsize, "out of memory for training");
    app_trainer_destroy(t);
    return false;
}

void app_trainer_destroy(app_trainer *t) {
    app_crew_destroy(t->crew);
    if (t->workers) {
        for (int w = 0; w < t->opt.threads; w++) {
            if (w > 0) nn_net_free(t->workers[w].net);
            free(t->workers[w].x);
            free(t->workers[w].y);
            free(t->workers[w].index);
            free(t->workers[w].shift);
        }
    }
    nn_net_free(t->net);
    free(t->workers);
    free(t->velocity);
    free(t->order);
    memset(t, 0, sizeof *t);
}

// Copies image `index` into x, shifted by (dy, dx) pixels with zeros coming in.
static void load_image_(float *x, const app_dataset *d, int index, int dy, int dx) {
    const uint8_t *src = d->images + (size_t)index * d->rows * d->cols;
    if (dy == 0 && dx == 0) {
        app_images_to_floats(x, src, (size_t)d->rows * d->cols);
        return;
    }
    for (int y = 0; y < d->rows; y++)
        for (int c = 0; c < d->cols; c++) {
            const int sy = y - dy, sx = c - dx;
            x[y * d->cols + c] = (sy < 0 || sx < 0 || sy >= d->rows || sx >= d->cols)
                                     ? 0.0f
                                     : (float)src[sy * d->cols + sx] * (1.0f / 255.0f);
        }
}

// Member w's part of a step: its samples loaded (as the step drew them),
// forward, backward into its own gradients.
static void step_job_(void *ctx, int w) {
    app_trainer *t = ctx;
    app_worker_ *wk = &t->workers[w];
    if (wk->n == 0) return;
    const size_t pixels = (size_t)t->train->rows * t->train->cols;
    for (int i = 0; i < wk->n; i++) {
        load_image_(wk->x + (size_t)i * pixels, t->train, wk->index[i], wk->shift[2 * i],
                    wk->shift[2 * i + 1]);
        wk->y[i] = t->train->labels[wk->index[i]];
    }
    nn_net_zero_grads(wk->net);
    const float *out = nn_net_forward(wk->net, wk->x, wk->n, true, &wk->rng);
    const int classes = nn_net_classes(wk->net);
    wk->correct = 0;
    for (int i = 0; i < wk->n; i++) wk->correct += argmax_(out + (size_t)i * classes, classes) == wk->y[i];
    wk->loss = nn_net_backward(wk->net, wk->y);
}

// Member m's part of the update: its stretch of the parameters (whole cache
// lines), each element worked exactly as one thread would.
static void update_job_(void *ctx, int m) {
    app_trainer *t = ctx;
    const app_train_options *o = &t->opt;
    const size_t P = t->net->n_params, lines = (P + 15) / 16;
    const size_t lo = lines * (size_t)m / (size_t)o->threads * 16;
    const size_t hi_line = lines * (size_t)(m + 1) / (size_t)o->threads * 16;
    const size_t hi = hi_line < P ? hi_line : P;
    float *g = t->net->grads, *p = t->net->params, *v = t->velocity;
    const int used = t->step_used;
    // The batch's gradient is the mean over all its samples: weigh each
    // worker's mean by its share, adding in worker order (deterministic).
    if (used > 1) {
        const int B = t->step_batch;
        const float s0 = (float)t->workers[0].n / (float)B;
        for (size_t i = lo; i < hi; i++) g[i] *= s0;
        for (int w = 1; w < used; w++) {
            const float s = (float)t->workers[w].n / (float)B;
            const float *gw = t->workers[w].net->grads;
            for (size_t i = lo; i < hi; i++) g[i] += s * gw[i];
        }
    }
    // SGD with momentum, as PyTorch: v = m v + (g + wd p); p -= lr v.
    const float mom = o->momentum, wd = o->weight_decay, lr = t->step_lr;
    for (size_t i = lo; i < hi; i++) {
        v[i] = mom * v[i] + (g[i] + wd * p[i]);
        p[i] -= lr * v[i];
    }
}

bool app_trainer_step(app_trainer *t, bool *epoch_done, app_epoch_stats *stats, char *err,
                      size_t errsize) {
    *epoch_done = false;
    const app_train_options *o = &t->opt;
    const int B = t->train->count - t->pos < o->batch ? t->train->count - t->pos : o->batch;
    const double t0 = now_();

    // Split the batch: worker w takes samples [start_w, start_w + n_w). The
    // images and shifts are drawn here, in sample order, so any thread count
    // draws the same; each worker then loads its own.
    int start = 0, used = 0;
    for (int w = 0; w < o->threads; w++) {
        app_worker_ *wk = &t->workers[w];
        wk->n = B / o->threads + (w < B % o->threads ? 1 : 0);
        for (int i = 0; i < wk->n; i++) {
            wk->index[i] = t->order[t->pos + start + i];
            int dy = 0, dx = 0;
            if (o->shift > 0) {
                dy = (int)nn_rng_below(&t->rng, 2u * (unsigned)o->shift + 1) - o->shift;
                dx = (int)nn_rng_below(&t->rng, 2u * (unsigned)o->shift + 1) - o->shift;
            }
            wk->shift[2 * i] = dy;
            wk->shift[2 * i + 1] = dx;
        }
        start += wk->n;
        if (wk->n > 0) used = w + 1;
    }
    app_crew_run(t->crew, step_job_, t);

    float loss = 0.0f;
    for (int w = 0; w < used; w++) {
        loss += t->workers[w].loss * (float)t->workers[w].n / (float)B;
        t->correct += t->workers[w].correct;
    }
    if (!isfinite(loss)) {
        snprintf(err, errsize,
                 "training diverged at epoch %d, step %lld: the loss is %s. Lower the learning "
                 "rate (--lr %g) or the momentum (--momentum), or add weight decay",
                 t->epoch + 1, t->step + 1, isnan(loss) ? "not a number" : "infinite",
                 (double)o->lr / 5);
        return false;
    }
    float lr = o->lr;
    if (o->cosine) {
        const long long per_epoch = (t->train->count + o->batch - 1) / o->batch;
        const double progress = (double)t->step / (double)(per_epoch * o->epochs);
        lr = (float)(o->lr * 0.5 * (1.0 + cos(3.14159265358979323846 * fmin(progress, 1.0))));
    }
    t->step_used = used;
    t->step_batch = B;
    t->step_lr = lr;
    app_crew_run(t->crew, update_job_, t);
    t->loss_sum += (double)loss * B;
    t->seen += B;
    t->pos += B;
    t->step++;
    t->epoch_seconds += now_() - t0;

    if (t->pos >= t->train->count) {
        t->epoch++;
        stats->epoch = t->epoch;
        stats->loss = (float)(t->loss_sum / t->seen);
        stats->train_accuracy = (float)t->correct / (float)t->seen;
        stats->seconds = t->epoch_seconds;
        stats->samples_per_sec = t->seen / t->epoch_seconds;
        stats->test_accuracy = t->test->count && !t->skip_test_eval ? app_evaluate(t->net, t->test) : 0.0f;
        *epoch_done = true;
        t->pos = 0;
        t->loss_sum = 0;
        t->seen = t->correct = 0;
        t->epoch_seconds = 0;
        nn_rng_shuffle(&t->rng, t->order, t->train->count);
    }
    return true;
}

float app_evaluate(nn_net *net, const app_dataset *d) {
    const size_t pixels = (size_t)d->rows * d->cols;
    float *x = malloc(sizeof(float) * pixels * (size_t)net->max_batch);
    if (!x) return 0.0f;
    const int classes = nn_net_classes(net);
    int correct = 0;
    for (int s = 0; s < d->count; s += net->max_batch) {
        const int n = d->count - s < net->max_batch ? d->count - s : net->max_batch;
        app_images_to_floats(x, d->images + (size_t)s * pixels, pixels * (size_t)n);
        const float *out = nn_net_forward(net, x, n, false, NULL);
        for (int i = 0; i < n; i++) correct += argmax_(out + (size_t)i * classes, classes) == d->labels[s + i];
    }
    free(x);
    return (float)correct / (float)d->count;
}
