// live.c - the training worker thread and its snapshots (see live.h).
#include "live.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// One evaluation of the test set: what a point of the test_acc curve and the
// dashboard's confusion matrix and wrong digits show.
typedef struct eval_result_ {
    long long step;            // the step whose parameters were evaluated
    float accuracy;
    int confusion[10][10];
    int n_wrong;
    int wrong_index[LIVE_MAX_WRONG], wrong_pred[LIVE_MAX_WRONG];
} eval_result_;

// Evaluations waiting for (or done by) the evaluator thread, each with a copy
// of the parameters at its step. A few, so the dense schedule at the start
// (every 20 steps, about twice an evaluation's time) never holds the trainer up
// while the evaluator keeps pace; when it does not, the trainer waits rather
// than skip a point (the curve must be the same at any speed).
#define EVAL_QUEUE 4

typedef struct eval_job_ {
    float *params;  // [LIVE_MAX_PARAMS] the model's parameters at the job's step
    eval_result_ r;
    int next;       // the first test digit not yet evaluated (0: not begun)
    int correct;    // of the digits before it
} eval_job_;

struct live_trainer {
    pthread_mutex_t lock;       // guards everything below marked "shared"
    pthread_cond_t wake;
    pthread_mutex_t step_lock;  // held while the trainer steps (worker or live_step_now)
    pthread_t thread;
    bool started;               // the worker thread runs
    live_mode mode;             // LIVE_FRAMES: no thread, live_pump trains
    // shared
    bool stop, paused;
    int want_step_lock;         // callers waiting for step_lock: the worker lets them in
    float lr;
    int delay_ms;
    int run_left;               // steps live_run_steps still wants, then pause
    bool reset_pending;         // live_reset_async: the worker rebuilds first
    app_train_options reset_opt;
    char reset_arch[256];       // reset_opt.arch points here
    live_snapshot pub;          // what readers copy (its params unused: see param_buf)
    // Published parameters, double-buffered: param_buf[param_front] is what
    // readers copy, under `lock` (LeNet-5's 240 KiB in microseconds, and only
    // when new: a reader's copy is what a publish may wait for); the trainer
    // fills the other one outside the lock, then makes it the front.
    // param_front changes under both locks.
    float *param_buf[2];
    int param_front;
    // the trainer's (touched only with step_lock held)
    app_trainer t;
    bool have_trainer;
    const app_dataset *train, *test;
    live_snapshot work;         // built here, then published (its params unused)
    // The evaluator: scheduled test evaluations run from a copy of the
    // parameters taken at their step, so the trainer does not stop for them
    // (about 10 steps' time for LeNet-5): on a thread of their own, or in
    // frames mode a slice of each live_pump (a part of the test set a frame,
    // so no frame takes a whole evaluation). The trainer (step_lock held)
    // queues jobs and collects finished ones into `work` in step order; the
    // evaluator only reads the queued copy and writes the job's result.
    pthread_t eval_thread;
    bool eval_queued;           // evaluations go through the queue (else inline)
    bool eval_thread_started;   // and a thread runs them (else live_pump)
    pthread_mutex_t eval_lock;  // guards the queue's counts and eval_net, eval_stop
    pthread_cond_t eval_cond;   // a job queued, done or collected; or stop
    nn_net *eval_net;           // the model's shape, its own parameters and activations
    eval_job_ jobs[EVAL_QUEUE]; // a ring: [eval_head, + eval_count) queued in step order,
    int eval_head, eval_count;  // of which the first eval_done are finished
    int eval_done;
    bool eval_stop;
    bool eval_ready;            // (under `lock`) finished results wait: the paused worker publishes them
    double last_publish_ms;
    double last_step_ms;        // when live_pump's last step ended (its slow motion)
    bool dirty;                 // steps taken since the last publish
    long long last_eval_step;
};

static double now_ms_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

// Stamps for live_snapshot's curves_stamp and params_stamp: never 0 (a
// zeroed snapshot holds nothing) and unique among all trainers.
static atomic_uint_least64_t last_stamp_;

static uint64_t new_stamp_(void) { return (uint64_t)atomic_fetch_add(&last_stamp_, 1) + 1; }

// How trainers made from now on train (live_set_default_mode): on a thread
// of their own, except in the browser build without threads (for pages that
// are not cross-origin isolated), where the window's frames train.
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
static _Atomic live_mode default_mode_ = LIVE_FRAMES;
#else
static _Atomic live_mode default_mode_ = LIVE_THREADS;
#endif

void live_set_default_mode(live_mode mode) { atomic_store(&default_mode_, mode); }

bool live_mode_parse(const char *name, live_mode *mode) {
    if (strcmp(name, "threads") == 0) *mode = LIVE_THREADS;
    else if (strcmp(name, "frames") == 0) *mode = LIVE_FRAMES;
    else return false;
    return true;
}

const char *live_mode_name(live_mode mode) { return mode == LIVE_FRAMES ? "frames" : "threads"; }

live_mode live_get_mode(const live_trainer *lt) { return lt->mode; }

// Appends a point, halving the curve (every other point) when it is full;
// copies made before that must then take the curves whole.
static void push_point_(live_snapshot *w, live_point *v, int *n, float step, float value) {
    if (*n == LIVE_MAX_POINTS) {
        for (int i = 0; i < LIVE_MAX_POINTS / 2; i++) v[i] = v[2 * i];
        *n = LIVE_MAX_POINTS / 2;
        w->curves_stamp = new_stamp_();
    }
    v[(*n)++] = (live_point){step, value};
}

// The points of a curve that `dst` (holding dst_n of them) lacks.
static void copy_curve_(live_point *dst, int dst_n, const live_point *src, int src_n, bool whole) {
    const int from = whole ? 0 : dst_n;
    if (src_n > from) memcpy(dst + from, src + from, sizeof *src * (size_t)(src_n - from));
}

// Brings *dst up to *src, all but the parameters: the curve points it lacks
// (all of them if points were dropped since its copy, or `whole`), then
// every field before the curves.
static void copy_state_(live_snapshot *dst, const live_snapshot *src, bool whole) {
    whole = whole || dst->curves_stamp != src->curves_stamp;
    copy_curve_(dst->loss, dst->n_loss, src->loss, src->n_loss, whole);
    copy_curve_(dst->train_acc, dst->n_train_acc, src->train_acc, src->n_train_acc, whole);
    copy_curve_(dst->test_acc, dst->n_test_acc, src->test_acc, src->n_test_acc, whole);
    memcpy(dst, src, offsetof(live_snapshot, loss));
}

// Predictions on the whole test set with the net's parameters: accuracy,
// confusion matrix, wrong digits (the first ones in the test set's order).
// In batches of the net's max_batch: the evaluator's net has the trainer's,
// so both give the same numbers for the same parameters.
// A job's digits from job->next, at least `digits` of them (whole batches)
// unless the test set ends first; true when the job is done. The net must hold
// the job's parameters.
static bool eval_part_(nn_net *net, const app_dataset *d, eval_job_ *job, int digits) {
    const int classes = nn_net_classes(net);
    const size_t pixels = (size_t)d->rows * d->cols;
    eval_result_ *r = &job->r;
    if (job->next == 0) {
        const long long step = r->step;
        memset(r, 0, sizeof *r);
        r->step = step;
        job->correct = 0;
    }
    float *x = malloc(sizeof(float) * pixels * (size_t)net->max_batch);
    if (!x) {  // nothing to show: an empty result rather than a stuck queue
        job->next = d->count;
        return true;
    }
    int correct = job->correct, s = job->next;
    for (const int end = s + digits; s < d->count && s < end; s += net->max_batch) {
        const int n = d->count - s < net->max_batch ? d->count - s : net->max_batch;
        app_images_to_floats(x, d->images + (size_t)s * pixels, pixels * (size_t)n);
        const float *out = nn_net_forward(net, x, n, false, NULL);
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < classes; k++)
                if (out[(size_t)i * classes + k] > out[(size_t)i * classes + best]) best = k;
            const int label = d->labels[s + i];
            correct += best == label;
            if (label < 10 && best < 10) r->confusion[label][best]++;
            if (best != label && r->n_wrong < LIVE_MAX_WRONG) {
                r->wrong_index[r->n_wrong] = s + i;
                r->wrong_pred[r->n_wrong] = best;
                r->n_wrong++;
            }
        }
    }
    free(x);
    job->next = s;
    job->correct = correct;
    if (s < d->count) return false;
    r->accuracy = (float)correct / (float)d->count;
    return true;
}

// The whole test set in one go.
static void eval_run_(nn_net *net, const app_dataset *d, eval_job_ *job) {
    job->next = 0;
    eval_part_(net, d, job, d->count);
}

// An evaluation's result into the work snapshot: the latest figures and a
// point of the test_acc curve.
static void eval_apply_(live_trainer *lt, const eval_result_ *r) {
    live_snapshot *w = &lt->work;
    w->test_accuracy = r->accuracy;
    memcpy(w->confusion, r->confusion, sizeof w->confusion);
    w->n_wrong = r->n_wrong;
    memcpy(w->wrong_index, r->wrong_index, sizeof w->wrong_index);
    memcpy(w->wrong_pred, r->wrong_pred, sizeof w->wrong_pred);
    push_point_(w, w->test_acc, &w->n_test_acc, (float)r->step, r->accuracy);
}

// Moves the evaluator's finished results into `work`, oldest first (step_lock
// held). True if there were any.
static bool eval_collect_(live_trainer *lt) {
    if (!lt->eval_queued) return false;
    pthread_mutex_lock(&lt->eval_lock);
    const int done = lt->eval_done, head = lt->eval_head;
    pthread_mutex_unlock(&lt->eval_lock);
    // The evaluator no longer touches finished jobs: read them unlocked.
    for (int i = 0; i < done; i++) eval_apply_(lt, &lt->jobs[(head + i) % EVAL_QUEUE].r);
    if (done == 0) return false;
    pthread_mutex_lock(&lt->eval_lock);
    lt->eval_head = (head + done) % EVAL_QUEUE;
    lt->eval_count -= done;
    lt->eval_done -= done;
    pthread_cond_broadcast(&lt->eval_cond);
    pthread_mutex_unlock(&lt->eval_lock);
    return true;
}

// Frames mode (step_lock held): evaluates queued jobs, a few batches at a
// time, until they are done or `until_ms` has passed (`all`: until they are
// all done), then collects the finished ones.
static void eval_pump_(live_trainer *lt, double until_ms, bool all) {
    const int digits = 8 * lt->eval_net->max_batch;  // about 1.5 ms for LeNet-5
    while (lt->eval_done < lt->eval_count && (all || now_ms_() < until_ms)) {
        eval_job_ *job = &lt->jobs[(lt->eval_head + lt->eval_done) % EVAL_QUEUE];
        if (job->next == 0) memcpy(lt->eval_net->params, job->params, sizeof(float) * lt->eval_net->n_params);
        if (eval_part_(lt->eval_net, lt->test, job, digits)) {
            pthread_mutex_lock(&lt->eval_lock);
            lt->eval_done++;
            pthread_mutex_unlock(&lt->eval_lock);
        }
    }
    eval_collect_(lt);
}

// Waits for every queued evaluation and collects them (step_lock held): the
// picture then holds every evaluation up to the current step.
static void eval_flush_(live_trainer *lt) {
    if (!lt->eval_queued) return;
    if (!lt->eval_thread_started) {
        eval_pump_(lt, 0, true);
        return;
    }
    pthread_mutex_lock(&lt->eval_lock);
    while (lt->eval_done < lt->eval_count) pthread_cond_wait(&lt->eval_cond, &lt->eval_lock);
    pthread_mutex_unlock(&lt->eval_lock);
    eval_collect_(lt);
}

// Evaluates the model at its current step: on the evaluator, from a copy of
// the parameters (waiting for room in the queue if it is full); inline
// without one (step_lock held).
static void evaluate_(live_trainer *lt) {
    lt->last_eval_step = lt->t.step;
    if (!lt->eval_queued) {
        eval_job_ job = {.r.step = lt->t.step};
        eval_run_(lt->t.net, lt->test, &job);
        eval_apply_(lt, &job.r);
        return;
    }
    // Frames mode with a full queue: the oldest ones are finished here.
    if (!lt->eval_thread_started && lt->eval_count == EVAL_QUEUE) eval_pump_(lt, 0, true);
    pthread_mutex_lock(&lt->eval_lock);
    while (lt->eval_count == EVAL_QUEUE) {
        if (lt->eval_done > 0) {  // room once the finished ones are collected
            pthread_mutex_unlock(&lt->eval_lock);
            eval_collect_(lt);
            pthread_mutex_lock(&lt->eval_lock);
        } else {
            pthread_cond_wait(&lt->eval_cond, &lt->eval_lock);
        }
    }
    // The slot past the queue's end: the evaluator does not look at it yet.
    eval_job_ *job = &lt->jobs[(lt->eval_head + lt->eval_count) % EVAL_QUEUE];
    pthread_mutex_unlock(&lt->eval_lock);
    memcpy(job->params, lt->t.net->params, sizeof(float) * lt->t.net->n_params);
    job->r.step = lt->t.step;
    job->next = 0;
    pthread_mutex_lock(&lt->eval_lock);
    lt->eval_count++;
    pthread_cond_broadcast(&lt->eval_cond);
    pthread_mutex_unlock(&lt->eval_lock);
}

// Evaluates now and waits for it: the picture shows this very step (where
// training stops).
static void evaluate_now_(live_trainer *lt) {
    if (lt->last_eval_step != lt->t.step) evaluate_(lt);
    eval_flush_(lt);
}

static void *evaluator_(void *arg) {
    live_trainer *lt = arg;
    pthread_mutex_lock(&lt->eval_lock);
    while (!lt->eval_stop) {
        if (lt->eval_done == lt->eval_count) {
            pthread_cond_wait(&lt->eval_cond, &lt->eval_lock);
            continue;
        }
        eval_job_ *job = &lt->jobs[(lt->eval_head + lt->eval_done) % EVAL_QUEUE];
        nn_net *net = lt->eval_net;
        pthread_mutex_unlock(&lt->eval_lock);
        memcpy(net->params, job->params, sizeof(float) * net->n_params);
        eval_run_(net, lt->test, job);
        pthread_mutex_lock(&lt->eval_lock);
        lt->eval_done++;
        pthread_cond_broadcast(&lt->eval_cond);
        pthread_mutex_unlock(&lt->eval_lock);
        // A paused worker publishes it.
        pthread_mutex_lock(&lt->lock);
        lt->eval_ready = true;
        pthread_cond_broadcast(&lt->wake);
        pthread_mutex_unlock(&lt->lock);
        pthread_mutex_lock(&lt->eval_lock);
    }
    pthread_mutex_unlock(&lt->eval_lock);
    return NULL;
}

// Publishes the work snapshot and the parameters (takes the lock, and holds
// it only to copy what changed since the last publish).
static void publish_(live_trainer *lt) {
    live_snapshot *w = &lt->work;
    w->steps = lt->t.step;
    w->epoch = lt->t.epoch;
    w->epochs = lt->t.opt.epochs;
    w->batches_per_epoch = (lt->train->count + lt->t.opt.batch - 1) / lt->t.opt.batch;
    w->batch_in_epoch = lt->t.pos / lt->t.opt.batch;
    w->n_params = lt->t.net->n_params < LIVE_MAX_PARAMS ? lt->t.net->n_params : LIVE_MAX_PARAMS;
    // Into the back buffer: no reader looks at it until it is the front.
    const int back = 1 - lt->param_front;
    memcpy(lt->param_buf[back], lt->t.net->params, sizeof(float) * w->n_params);
    w->params_stamp = new_stamp_();
    const long long left = (long long)w->batches_per_epoch * w->epochs - w->steps;
    w->seconds_left = w->samples_per_sec > 0 ? left * lt->t.opt.batch / w->samples_per_sec : 0;
    pthread_mutex_lock(&lt->lock);
    w->paused = lt->paused;
    w->lr = lt->lr;
    w->delay_ms = lt->delay_ms;
    w->run_left = lt->run_left;
    w->rebuilding = lt->reset_pending;
    w->reset_failures = lt->pub.reset_failures;
    memcpy(w->reset_error, lt->pub.reset_error, sizeof w->reset_error);
    w->version = lt->pub.version + 1;
    lt->param_front = back;
    copy_state_(&lt->pub, w, false);
    pthread_mutex_unlock(&lt->lock);
    lt->last_publish_ms = now_ms_();
    lt->dirty = false;
}

// One training step with the requested learning rate; records the curves.
static bool step_(live_trainer *lt, float lr, char *err, size_t errsize) {
    live_snapshot *w = &lt->work;
    if (w->finished || w->diverged) return false;
    lt->t.opt.lr = lr;
    bool epoch_done;
    app_epoch_stats st;
    const int seen_before = lt->t.seen, correct_before = lt->t.correct;
    const double loss_before = lt->t.loss_sum, seconds_before = lt->t.epoch_seconds;
    if (!app_trainer_step(&lt->t, &epoch_done, &st, err, errsize)) {
        w->diverged = true;
        snprintf(w->message, sizeof w->message, "%s", err);
        return false;
    }
    // The step's own time as the trainer counts it (convstep train's rate):
    // not the test evaluation that ends an epoch inside the same call.
    const double ms = 1000.0 * ((epoch_done ? st.seconds : lt->t.epoch_seconds) - seconds_before);
    const int batch = epoch_done ? lt->t.opt.batch : lt->t.seen - seen_before;
    // The batch's own loss and accuracy (the trainer keeps epoch sums).
    const float loss = epoch_done ? st.loss : (float)((lt->t.loss_sum - loss_before) / (batch ? batch : 1));
    const float acc = epoch_done ? st.train_accuracy
                                 : (float)(lt->t.correct - correct_before) / (float)(batch ? batch : 1);
    const double rate = ms > 0 ? batch * 1000.0 / ms : 0;
    w->samples_per_sec = w->samples_per_sec > 0 ? 0.95 * w->samples_per_sec + 0.05 * rate : rate;
    w->train_seconds += ms / 1000.0;
    w->train_samples += batch;
    lt->dirty = true;
    push_point_(w, w->loss, &w->n_loss, (float)lt->t.step, loss);
    push_point_(w, w->train_acc, &w->n_train_acc, (float)lt->t.step, acc);
    // The test set on a schedule of steps (not of time), so the same steps
    // give the same curve at any speed, headless or in the window.
    eval_collect_(lt);
    if (epoch_done || live_eval_scheduled(lt->t.step)) evaluate_(lt);
    if (epoch_done && lt->t.epoch >= lt->t.opt.epochs) {
        evaluate_now_(lt);  // the message says the last accuracy
        w->finished = true;
        snprintf(w->message, sizeof w->message, "finished %d epochs: test accuracy %.2f%%", lt->t.epoch,
                 100.0 * w->test_accuracy);
    }
    return true;
}

bool live_eval_scheduled(long long step) {
    if (step <= 0) return step == 0;
    if (step <= LIVE_EVAL_DENSE_UNTIL) return step % LIVE_EVAL_DENSE_EVERY == 0;
    if (step <= LIVE_EVAL_MID_UNTIL) return step % LIVE_EVAL_MID_EVERY == 0;
    return step % LIVE_EVAL_LATE_EVERY == 0;
}

static bool build_(live_trainer *lt, const app_train_options *opt, char *err, size_t errsize);

// The pieces of training that the worker thread and live_pump share. Each is
// called with `lock` held and returns with it held; it lets go of it while
// the trainer works (under step_lock), so commands and readers never wait
// for a step.

// live_reset_async's rebuild: the model is built and evaluated here.
static void rebuild_locked_(live_trainer *lt, char *err, size_t errsize) {
    app_train_options o = lt->reset_opt;
    char arch[sizeof lt->reset_arch];
    memcpy(arch, lt->reset_arch, sizeof arch);
    o.arch = arch;
    pthread_mutex_unlock(&lt->lock);
    pthread_mutex_lock(&lt->step_lock);
    const bool built = build_(lt, &o, err, errsize);  // publishes on success
    pthread_mutex_unlock(&lt->step_lock);
    pthread_mutex_lock(&lt->lock);
    // A newer request may have come meanwhile: it runs next time round.
    if (strcmp(arch, lt->reset_arch) == 0 && memcmp(&o.lr, &lt->reset_opt.lr, sizeof o.lr) == 0)
        lt->reset_pending = false;
    if (built) {
        lt->lr = o.lr;
        lt->pub.lr = o.lr;
        lt->pub.reset_error[0] = '\0';
    } else {
        lt->pub.reset_failures++;
        snprintf(lt->pub.reset_error, sizeof lt->pub.reset_error, "%.300s", err);
    }
    lt->pub.rebuilding = lt->reset_pending;
    lt->pub.paused = lt->paused;
    lt->pub.version++;
}

// Frames mode: a slice of the queued test evaluations, until `until_ms`.
static void eval_slice_locked_(live_trainer *lt, double until_ms) {
    if (!lt->eval_queued || lt->eval_thread_started) return;
    pthread_mutex_unlock(&lt->lock);
    pthread_mutex_lock(&lt->step_lock);
    if (lt->have_trainer) eval_pump_(lt, until_ms, false);
    pthread_mutex_unlock(&lt->step_lock);
    pthread_mutex_lock(&lt->lock);
}

// Publishes the steps not yet published (a paused picture is a true one).
static void publish_rest_locked_(live_trainer *lt) {
    pthread_mutex_unlock(&lt->lock);
    pthread_mutex_lock(&lt->step_lock);
    // Evaluations finished since (the evaluator's, while paused) are news too.
    if (lt->have_trainer && eval_collect_(lt)) lt->dirty = true;
    if (lt->dirty && lt->have_trainer) publish_(lt);
    pthread_mutex_unlock(&lt->step_lock);
    pthread_mutex_lock(&lt->lock);
}

// One step at the rate asked for. `on_timer`: publish every 30 ms (the
// worker); else only where training stops, and the caller publishes the
// rest (live_pump, once a frame). *delay is the slow motion asked for after
// this step (0 while live_run_steps' steps run). False when training
// stopped (finished or diverged): then it is paused.
static bool step_locked_(live_trainer *lt, bool on_timer, int *delay, char *err, size_t errsize) {
    const float lr = lt->lr;
    // Steps asked for by live_run_steps run at full speed.
    *delay = lt->run_left > 0 ? 0 : lt->delay_ms;
    pthread_mutex_unlock(&lt->lock);
    pthread_mutex_lock(&lt->step_lock);
    const bool ok = lt->have_trainer && step_(lt, lr, err, errsize);
    // The last of the steps asked for: pause, and publish that step with
    // a fresh test evaluation (as live_step_now does), in one snapshot.
    bool reached = false;
    if (ok) {
        pthread_mutex_lock(&lt->lock);
        if (lt->run_left > 0 && --lt->run_left == 0) lt->paused = reached = true;
        pthread_mutex_unlock(&lt->lock);
        if (reached) evaluate_now_(lt);
    }
    // Publish often enough for 60 frames a second, rarely enough to cost nothing.
    if (!ok || reached || *delay > 0 || (on_timer && now_ms_() - lt->last_publish_ms > 30)) publish_(lt);
    pthread_mutex_unlock(&lt->step_lock);
    pthread_mutex_lock(&lt->lock);
    if (!ok) {
        lt->paused = true;  // finished or diverged: wait for a reset
        lt->run_left = 0;
        lt->pub.paused = true;
        lt->pub.run_left = 0;
        lt->pub.version++;
    }
    return ok;
}

static void *worker_(void *arg) {
    live_trainer *lt = arg;
    char err[400];
    pthread_mutex_lock(&lt->lock);
    while (!lt->stop) {
        if (lt->want_step_lock > 0) {  // a reset or live_step_now goes first
            pthread_cond_wait(&lt->wake, &lt->lock);
            continue;
        }
        if (lt->reset_pending) {  // live_reset_async: rebuild here, off the window's thread
            rebuild_locked_(lt, err, sizeof err);
            continue;
        }
        if (lt->paused) {
            lt->eval_ready = false;
            publish_rest_locked_(lt);
            if (lt->paused && !lt->stop && lt->want_step_lock == 0 && !lt->reset_pending && !lt->eval_ready)
                pthread_cond_wait(&lt->wake, &lt->lock);
            continue;
        }
        int delay;
        if (step_locked_(lt, true, &delay, err, sizeof err) && delay > 0 && !lt->stop) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += delay / 1000;
            until.tv_nsec += (long)(delay % 1000) * 1000000L;
            if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&lt->wake, &lt->lock, &until);
        }
    }
    pthread_mutex_unlock(&lt->lock);
    return NULL;
}

int live_pump(live_trainer *lt, double budget_ms) {
    if (!lt || lt->mode != LIVE_FRAMES) return 0;
    char err[400];
    const double start = now_ms_();
    int steps = 0;
    pthread_mutex_lock(&lt->lock);
    eval_slice_locked_(lt, start + budget_ms / 2);  // queued evaluations: up to half the frame's share
    for (;;) {
        if (lt->reset_pending) {  // live_reset_async: this frame rebuilds
            rebuild_locked_(lt, err, sizeof err);
            if (lt->reset_pending) break;  // a newer request came meanwhile: the next frame
            continue;
        }
        if (lt->paused) break;
        // Slow motion: one step per frame, once its pause has passed since the last.
        const bool slow = lt->run_left == 0 && lt->delay_ms > 0;
        if (slow && start - lt->last_step_ms < lt->delay_ms) break;
        const double t0 = now_ms_();
        int delay;
        const bool ok = step_locked_(lt, false, &delay, err, sizeof err);
        const double t1 = now_ms_();
        lt->last_step_ms = t1;
        if (!ok) break;
        steps++;
        // Another step only if one as long as this one still fits.
        if (delay > 0 || (t1 - start) + (t1 - t0) > budget_ms) break;
    }
    publish_rest_locked_(lt);  // once a frame, what the frame will draw
    pthread_mutex_unlock(&lt->lock);
    return steps;
}

// A net for the evaluator: the trainer's model and batch size (the same
// numbers as the trainer's own net), its own parameters and activations.
static nn_net *eval_net_for_(const app_trainer *t, const char *arch) {
    nn_net *net = NULL;
    nn_error e;
    const nn_shape in = nn_shape_map(1, t->train->rows, t->train->cols);
    return nn_net_create(&net, arch, in, t->net->max_batch, NULL, &e) == NN_OK ? net : NULL;
}

// Starts the evaluator: a thread in threads mode (live_pump's slices if none
// can start, or in frames mode). Without memory for it, evaluations run inline.
static void eval_start_(live_trainer *lt) {
    for (int j = 0; j < EVAL_QUEUE; j++)
        if (!(lt->jobs[j].params = malloc(sizeof(float) * LIVE_MAX_PARAMS))) return;
    if (!(lt->eval_net = eval_net_for_(&lt->t, lt->t.opt.arch))) return;
    lt->eval_queued = true;
    if (lt->mode == LIVE_THREADS)
        lt->eval_thread_started = pthread_create(&lt->eval_thread, NULL, evaluator_, lt) == 0;
}

// (Re)builds the trainer and clears the curves; step_lock must be held.
static bool build_(live_trainer *lt, const app_train_options *opt, char *err, size_t errsize) {
    app_trainer fresh;
    if (!app_trainer_init(&fresh, opt, lt->train, lt->test, err, errsize)) return false;
    if (fresh.net->n_params > LIVE_MAX_PARAMS) {
        snprintf(err, errsize, "--arch: the live view shows models of up to %d parameters; this one has %zu",
                 LIVE_MAX_PARAMS, fresh.net->n_params);
        app_trainer_destroy(&fresh);
        return false;
    }
    // The live view evaluates on its own schedule (below): not again in the step.
    fresh.skip_test_eval = true;
    nn_net *eval_net = NULL;
    if (lt->eval_queued && !(eval_net = eval_net_for_(&fresh, opt->arch))) {
        snprintf(err, errsize, "out of memory for the test evaluation");
        app_trainer_destroy(&fresh);
        return false;
    }
    eval_flush_(lt);  // the old model's evaluations end with its curves
    if (lt->have_trainer) app_trainer_destroy(&lt->t);
    lt->t = fresh;
    lt->have_trainer = true;
    if (eval_net) {  // the evaluator is idle: nothing queued
        pthread_mutex_lock(&lt->eval_lock);
        nn_net *old = lt->eval_net;
        lt->eval_net = eval_net;
        pthread_mutex_unlock(&lt->eval_lock);
        nn_net_free(old);
    }
    memset(&lt->work, 0, offsetof(live_snapshot, params));
    lt->work.curves_stamp = new_stamp_();  // the old curves are gone
    lt->last_eval_step = 0;
    snprintf(lt->work.arch, sizeof lt->work.arch, "%s", nn_arch_expand(opt->arch));
    lt->work.running = true;
    evaluate_(lt);  // accuracy before any training: about one in ten
    eval_flush_(lt);
    publish_(lt);
    return true;
}

live_trainer *live_create(const app_train_options *opt, const app_dataset *train,
                          const app_dataset *test, char *err, size_t errsize) {
    live_trainer *lt = calloc(1, sizeof *lt);
    if (!lt) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    lt->train = train;
    lt->test = test;
    lt->paused = true;
    lt->lr = opt->lr;
    for (int b = 0; b < 2; b++) lt->param_buf[b] = malloc(sizeof(float) * LIVE_MAX_PARAMS);
    pthread_mutex_init(&lt->lock, NULL);
    pthread_mutex_init(&lt->step_lock, NULL);
    pthread_cond_init(&lt->wake, NULL);
    pthread_mutex_init(&lt->eval_lock, NULL);
    pthread_cond_init(&lt->eval_cond, NULL);
    if (!lt->param_buf[0] || !lt->param_buf[1]) {
        snprintf(err, errsize, "out of memory");
        live_destroy(lt);
        return NULL;
    }
    if (!build_(lt, opt, err, errsize)) {
        live_destroy(lt);
        return NULL;
    }
    // Where no thread can start (a browser page without cross-origin
    // isolation), the window's frames train instead.
    lt->mode = atomic_load(&default_mode_);
    eval_start_(lt);  // before the worker, which reads what it sets
    if (lt->mode == LIVE_THREADS) {
        if (pthread_create(&lt->thread, NULL, worker_, lt) == 0)
            lt->started = true;
        else
            lt->mode = LIVE_FRAMES;  // (live_pump uses the evaluator thread if it started)
    }
    return lt;
}

void live_destroy(live_trainer *lt) {
    if (!lt) return;
    if (lt->started) {
        pthread_mutex_lock(&lt->lock);
        lt->stop = true;
        pthread_cond_broadcast(&lt->wake);
        pthread_mutex_unlock(&lt->lock);
        pthread_join(lt->thread, NULL);
    }
    if (lt->eval_thread_started) {  // after the worker, which may wait for it
        pthread_mutex_lock(&lt->eval_lock);
        lt->eval_stop = true;
        pthread_cond_broadcast(&lt->eval_cond);
        pthread_mutex_unlock(&lt->eval_lock);
        pthread_join(lt->eval_thread, NULL);
    }
    nn_net_free(lt->eval_net);
    for (int j = 0; j < EVAL_QUEUE; j++) free(lt->jobs[j].params);
    pthread_cond_destroy(&lt->eval_cond);
    pthread_mutex_destroy(&lt->eval_lock);
    if (lt->have_trainer) app_trainer_destroy(&lt->t);
    pthread_cond_destroy(&lt->wake);
    pthread_mutex_destroy(&lt->lock);
    pthread_mutex_destroy(&lt->step_lock);
    for (int b = 0; b < 2; b++) free(lt->param_buf[b]);
    free(lt);
}

void live_pause(live_trainer *lt, bool paused) {
    pthread_mutex_lock(&lt->lock);
    // A finished or diverged run stays paused until it is reset.
    // (unless a rebuild is on its way: the new model has not finished)
    lt->paused = paused || (!lt->reset_pending && (lt->pub.finished || lt->pub.diverged));
    if (lt->paused) lt->run_left = 0;  // a pause ends steps asked for by live_run_steps
    lt->pub.paused = lt->paused;
    lt->pub.run_left = lt->run_left;
    lt->pub.version++;  // readers see the command at once
    pthread_cond_broadcast(&lt->wake);
    pthread_mutex_unlock(&lt->lock);
}

void live_run_steps(live_trainer *lt, int n) {
    pthread_mutex_lock(&lt->lock);
    const bool stopped = !lt->reset_pending && (lt->pub.finished || lt->pub.diverged);
    lt->run_left = n > 0 && !stopped ? n : 0;
    lt->paused = lt->run_left == 0;
    lt->pub.paused = lt->paused;
    lt->pub.run_left = lt->run_left;
    lt->pub.version++;
    pthread_cond_broadcast(&lt->wake);
    pthread_mutex_unlock(&lt->lock);
}

void live_set_lr(live_trainer *lt, float lr) {
    pthread_mutex_lock(&lt->lock);
    lt->lr = lr;
    lt->pub.lr = lr;
    lt->pub.version++;
    pthread_mutex_unlock(&lt->lock);
}

void live_set_delay(live_trainer *lt, int delay_ms) {
    pthread_mutex_lock(&lt->lock);
    lt->delay_ms = delay_ms < 0 ? 0 : delay_ms > 2000 ? 2000 : delay_ms;
    lt->pub.delay_ms = lt->delay_ms;
    lt->pub.version++;
    pthread_cond_broadcast(&lt->wake);
    pthread_mutex_unlock(&lt->lock);
}

// step_lock for a caller other than the worker, which steps aside for it.
static void take_step_lock_(live_trainer *lt) {
    pthread_mutex_lock(&lt->lock);
    lt->want_step_lock++;
    pthread_mutex_unlock(&lt->lock);
    pthread_mutex_lock(&lt->step_lock);
}

static void give_step_lock_(live_trainer *lt) {
    pthread_mutex_unlock(&lt->step_lock);
    pthread_mutex_lock(&lt->lock);
    lt->want_step_lock--;
    pthread_cond_broadcast(&lt->wake);
    pthread_mutex_unlock(&lt->lock);
}

bool live_reset(live_trainer *lt, const app_train_options *opt, char *err, size_t errsize) {
    take_step_lock_(lt);
    const bool ok = build_(lt, opt, err, errsize);
    give_step_lock_(lt);
    if (ok) live_set_lr(lt, opt->lr);
    return ok;
}

void live_reset_async(live_trainer *lt, const app_train_options *opt) {
    pthread_mutex_lock(&lt->lock);
    lt->reset_opt = *opt;
    snprintf(lt->reset_arch, sizeof lt->reset_arch, "%s", opt->arch ? opt->arch : "");
    lt->reset_opt.arch = NULL;
    lt->reset_pending = true;
    lt->pub.rebuilding = true;
    lt->pub.version++;
    pthread_cond_broadcast(&lt->wake);
    pthread_mutex_unlock(&lt->lock);
}

bool live_snapshot_get(live_trainer *lt, live_snapshot *out, bool force) {
    pthread_mutex_lock(&lt->lock);
    const live_snapshot *pub = &lt->pub;
    const bool changed = force || out->version != pub->version;
    if (changed) {
        // The parameters only when new: the trainer's publish waits for this copy.
        if (force || out->params_stamp != pub->params_stamp)
            memcpy(out->params, lt->param_buf[lt->param_front], sizeof(float) * pub->n_params);
        copy_state_(out, pub, force);  // the small fields and new curve points (params_stamp too)
    }
    pthread_mutex_unlock(&lt->lock);
    return changed;
}

bool live_step_now(live_trainer *lt, int n, char *err, size_t errsize) {
    pthread_mutex_lock(&lt->lock);
    const float lr = lt->lr;
    pthread_mutex_unlock(&lt->lock);
    take_step_lock_(lt);
    bool ok = true;
    for (int i = 0; i < n && ok; i++) ok = step_(lt, lr, err, errsize);
    evaluate_now_(lt);  // the picture shows where it ended
    publish_(lt);
    const bool done = ok || lt->work.finished;
    give_step_lock_(lt);
    return done;
}
