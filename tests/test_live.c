// test_live.c - the training worker thread (app/live.c), in-process: it starts
// paused, runs, pauses, resumes, takes a new learning rate and slow motion,
// starts again with another model, stops when training diverges or finishes,
// and is destroyed promptly even while running. Every snapshot a reader takes
// while the worker runs must be one consistent state: its curves, confusion
// matrix and accuracy agree with each other, and its parameters are exactly
// those the same training reaches single-threaded (live_step_now, a second
// trainer with the same seed) after the same number of steps. An unforced
// copy, which takes only what changed (new curve points, new parameters),
// equals a forced one of the same version, across curve thinnings too. One
// case drives it as the window does, through runtime_frame (app/runtime.c),
// which reads snapshots unforced.
//
// Meant to pass under -fsanitize=address,undefined and under -fsanitize=thread
// (with the libraries' sources built with it too; with clang: gcc's TSan
// crashes at start-up in the engine's target_clones resolvers).
//
//   gcc -std=c11 -g -D_POSIX_C_SOURCE=200809L -Inn -Iapp tests/test_live.c
//       build/app/libapp_core.a build/nn/libnn.a -lcmocka -lz -lm -lpthread
//
// The digits come from assets/ (set CONVSTEP_ASSETS if the program's build
// cannot find them); most cases train the softmax model on 800 of them and
// test on 200, so the file runs in a few seconds.
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L  // clock_gettime, nanosleep
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dataset.h"
#include "live.h"
#include "net.h"
#include "runtime.h"
#include "state.h"
#include "update.h"
#include "train.h"

// Independent expectations: the presets' expansions as the program prints
// them, and parameter counts from N * (inputs + 1) and F * (K * K * C + 1).
#define SOFTMAX_ARCH "flatten,dense(10),softmax"
#define SMALL_ARCH "conv(8,5,pad=2),relu,maxpool(2),flatten,dense(10),softmax"
#define SOFTMAX_PARAMS (10 * (28 * 28 + 1))                        // 7850
#define SMALL_PARAMS (8 * (5 * 5 * 1 + 1) + 10 * (8 * 14 * 14 + 1))  // 208 + 15690 = 15898

#define N_TRAIN 800
#define N_TEST 200
#define BATCH 32
#define BATCHES_PER_EPOCH ((N_TRAIN + BATCH - 1) / BATCH)  // 25

// ---- Time -----------------------------------------------------------------------------

static double now_ms_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

// Longer than one LeNet-5 step under ThreadSanitizer on a loaded 2-core
// machine: two readings this far apart that agree mean training has stopped.
#define STEP_SETTLE_MS 1500

static void sleep_ms_(double ms) {
    struct timespec ts = {(time_t)(ms / 1000), (long)(fmod(ms, 1000.0) * 1e6)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

// ---- The digits (loaded once) ---------------------------------------------------------

static app_dataset train_, test_;  // 800 and 200 of the embedded digits
static app_dataset tiny_;          // 64 training digits: one epoch is 2 steps
static app_dataset all_train_;     // the 8,000 training digits

static int group_setup_(void **state) {
    (void)state;
    app_dataset all_test;
    app_dataset *all_train = &all_train_;
    char err[600];
    if (!app_dataset_load(all_train, &all_test, NULL, err, sizeof err)) {
        fprintf(stderr, "cannot load the digits: %s\n", err);
        return -1;
    }
    const bool ok = all_train->count >= N_TRAIN + 64 && all_test.count >= N_TEST &&
                    app_dataset_slice(&train_, all_train, 0, N_TRAIN) &&
                    app_dataset_slice(&test_, &all_test, 0, N_TEST) &&
                    app_dataset_slice(&tiny_, all_train, N_TRAIN, 64);
    app_dataset_free(&all_test);
    return ok ? 0 : -1;
}

static int group_teardown_(void **state) {
    (void)state;
    app_dataset_free(&train_);
    app_dataset_free(&test_);
    app_dataset_free(&tiny_);
    app_dataset_free(&all_train_);
    return 0;
}

// ---- What a test owns -----------------------------------------------------------------
// Trainers and snapshots a test makes are released by the per-test teardown,
// so a test that fails half-way (cmocka jumps out of it) leaves no worker
// running over the datasets and leaks nothing.

static live_trainer *trainers_[8];
static void *blocks_[64];
static app_state ui_;  // large: not on the stack
static app_runtime rt_;
static bool rt_live_ = false;

static live_trainer *make_(const app_train_options *o, const app_dataset *train) {
    char err[400] = "";
    live_trainer *lt = live_create(o, train, &test_, err, sizeof err);
    if (!lt) print_error("live_create failed: %s\n", err);
    assert_non_null(lt);
    for (size_t i = 0; i < sizeof trainers_ / sizeof trainers_[0]; i++)
        if (!trainers_[i]) {
            trainers_[i] = lt;
            return lt;
        }
    live_destroy(lt);
    fail_msg("too many trainers in one test");
    return NULL;
}

// Destroys a trainer now (and forgets it).
static void drop_(live_trainer *lt) {
    for (size_t i = 0; i < sizeof trainers_ / sizeof trainers_[0]; i++)
        if (trainers_[i] == lt) trainers_[i] = NULL;
    live_destroy(lt);
}

static live_snapshot *snapshot_buf_(void) {
    live_snapshot *s = calloc(1, sizeof *s);
    assert_non_null(s);
    for (size_t i = 0; i < sizeof blocks_ / sizeof blocks_[0]; i++)
        if (!blocks_[i]) {
            blocks_[i] = s;
            return s;
        }
    free(s);
    fail_msg("too many snapshots in one test");
    return NULL;
}

static int test_teardown_(void **state) {
    (void)state;
    if (rt_live_) runtime_destroy(&rt_, &ui_);
    rt_live_ = false;
    for (size_t i = 0; i < sizeof trainers_ / sizeof trainers_[0]; i++) {
        live_destroy(trainers_[i]);
        trainers_[i] = NULL;
    }
    for (size_t i = 0; i < sizeof blocks_ / sizeof blocks_[0]; i++) {
        free(blocks_[i]);
        blocks_[i] = NULL;
    }
    return 0;
}

// ---- Helpers --------------------------------------------------------------------------

static app_train_options options_(const char *arch) {
    app_train_options o;
    app_train_options_default(&o);
    o.arch = arch;
    o.epochs = 1000;  // never finishes within a test unless it should
    o.batch = BATCH;
    o.lr = 0.05f;
    o.momentum = 0.9f;
    o.threads = 1;
    o.seed = 7;
    return o;
}

static void get_(live_trainer *lt, live_snapshot *s) { live_snapshot_get(lt, s, true); }

// Polls forced snapshots until `steps` reaches at least `target` (or the
// deadline passes); returns the last one's steps.
static long long wait_steps_(live_trainer *lt, live_snapshot *s, long long target, double timeout_ms) {
    const double until = now_ms_() + timeout_ms;
    for (;;) {
        get_(lt, s);
        if (s->steps >= target || now_ms_() > until) return s->steps;
        sleep_ms_(2);
    }
}

// Polls until the worker says it is paused (diverged or finished).
static bool wait_flag_(live_trainer *lt, live_snapshot *s, bool (*done)(const live_snapshot *),
                       double timeout_ms) {
    const double until = now_ms_() + timeout_ms;
    for (;;) {
        get_(lt, s);
        if (done(s)) return true;
        if (now_ms_() > until) return false;
        sleep_ms_(2);
    }
}

static bool is_diverged_(const live_snapshot *s) { return s->diverged && s->paused; }
static bool is_paused_flag_(const live_snapshot *s) { return s->paused; }
static bool is_finished_(const live_snapshot *s) { return s->finished && s->paused; }

static int confusion_total_(const live_snapshot *s) {
    int n = 0;
    for (int t = 0; t < 10; t++)
        for (int p = 0; p < 10; p++) n += s->confusion[t][p];
    return n;
}

// Everything a snapshot must satisfy on its own, whenever it was taken.
static void check_consistent_(const live_snapshot *s, const char *arch, size_t n_params) {
    assert_string_equal(s->arch, arch);
    assert_true(s->running);
    assert_int_equal(s->n_params, n_params);
    assert_true(s->steps >= 0);
    // The curves: bounded, in step order, none beyond the snapshot's step.
    const struct {
        const char *name;
        const live_point *p;
        int n;
    } curves[] = {{"loss", s->loss, s->n_loss}, {"train_acc", s->train_acc, s->n_train_acc},
                  {"test_acc", s->test_acc, s->n_test_acc}};
    for (size_t c = 0; c < 3; c++) {
        if (curves[c].n < 0 || curves[c].n > LIVE_MAX_POINTS) {
            print_error("%s curve has %d points (max %d)\n", curves[c].name, curves[c].n, LIVE_MAX_POINTS);
            fail();
        }
        for (int i = 1; i < curves[c].n; i++)
            if (!(curves[c].p[i].step >= curves[c].p[i - 1].step)) {
                print_error("%s curve: point %d at step %g comes after step %g\n", curves[c].name, i,
                            (double)curves[c].p[i].step, (double)curves[c].p[i - 1].step);
                fail();
            }
        if (curves[c].n > 0 && !((double)curves[c].p[curves[c].n - 1].step <= (double)s->steps)) {
            print_error("%s curve ends at step %g, the snapshot is at step %lld\n", curves[c].name,
                        (double)curves[c].p[curves[c].n - 1].step, s->steps);
            fail();
        }
    }
    // One loss point and one training-accuracy point per step (thinned alike);
    // the newest loss point is the snapshot's step.
    assert_int_equal(s->n_loss, s->n_train_acc);
    for (int i = 0; i < s->n_loss; i++) assert_true(s->loss[i].step == s->train_acc[i].step);
    if (s->steps > 0) {
        assert_true(s->n_loss > 0);
        assert_true((double)s->loss[s->n_loss - 1].step == (double)s->steps);
    } else {
        assert_int_equal(s->n_loss, 0);
    }
    for (int i = 1; i < s->n_loss; i++) assert_true(s->loss[i].step > s->loss[i - 1].step);
    for (int i = 0; i < s->n_train_acc; i++)
        assert_true(s->train_acc[i].value >= 0.0f && s->train_acc[i].value <= 1.0f);
    // Progress through the epochs.
    assert_int_equal(s->batches_per_epoch, BATCHES_PER_EPOCH);
    assert_true(s->batch_in_epoch >= 0 && s->batch_in_epoch < s->batches_per_epoch);
    assert_int_equal(s->steps, (long long)s->epoch * s->batches_per_epoch + s->batch_in_epoch);
    // The latest evaluation (there is always one: before any training).
    assert_true(s->n_test_acc >= 1);
    assert_int_equal(confusion_total_(s), N_TEST);
    int diag = 0;
    for (int k = 0; k < 10; k++) {
        int row = 0;
        for (int p = 0; p < 10; p++) row += s->confusion[k][p];
        int want = 0;
        for (int i = 0; i < N_TEST; i++) want += test_.labels[i] == k;
        assert_int_equal(row, want);  // each row holds that digit's test count
        diag += s->confusion[k][k];
    }
    assert_true(s->test_accuracy == (float)diag / (float)N_TEST);
    assert_true(s->test_acc[s->n_test_acc - 1].value == s->test_accuracy);
    const int wrong = N_TEST - diag;
    assert_int_equal(s->n_wrong, wrong < LIVE_MAX_WRONG ? wrong : LIVE_MAX_WRONG);
    for (int i = 0; i < s->n_wrong; i++) {
        assert_true(s->wrong_index[i] >= 0 && s->wrong_index[i] < N_TEST);
        if (i > 0) assert_true(s->wrong_index[i] > s->wrong_index[i - 1]);
        assert_true(s->wrong_pred[i] >= 0 && s->wrong_pred[i] < 10);
        assert_int_not_equal(s->wrong_pred[i], test_.labels[s->wrong_index[i]]);
    }
    for (size_t i = 0; i < s->n_params; i++) assert_true(isfinite(s->params[i]));
}

// Fails unless two parameter arrays are identical bit for bit.
static void assert_same_params_(const live_snapshot *a, const live_snapshot *b, const char *what) {
    assert_int_equal(a->n_params, b->n_params);
    if (memcmp(a->params, b->params, sizeof(float) * a->n_params) == 0) return;
    for (size_t i = 0; i < a->n_params; i++)
        if (memcmp(&a->params[i], &b->params[i], sizeof(float)) != 0) {
            print_error("%s: params[%zu] %.9g != %.9g (steps %lld and %lld)\n", what, i, (double)a->params[i],
                        (double)b->params[i], a->steps, b->steps);
            break;
        }
    fail();
}

static void assert_same_curve_(const live_point *a, int na, const live_point *b, int nb, const char *what) {
    if (na != nb) {
        print_error("%s: %d points and %d points\n", what, na, nb);
        fail();
    }
    if (memcmp(a, b, sizeof *a * (size_t)na) != 0) {
        for (int i = 0; i < na; i++)
            if (memcmp(&a[i], &b[i], sizeof *a) != 0) {
                print_error("%s[%d]: (%g, %.9g) != (%g, %.9g)\n", what, i, (double)a[i].step,
                            (double)a[i].value, (double)b[i].step, (double)b[i].value);
                break;
            }
        fail();
    }
}

// ---- Start, pause, resume ---------------------------------------------------------------

// A new worker is paused: its first snapshot is the untrained model with one
// evaluation, and nothing moves until it is started.
static void test_create_starts_paused(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    assert_true(live_snapshot_get(lt, s, false));  // version 0 -> something
    assert_true(s->version > 0);
    assert_true(s->paused);
    assert_false(s->diverged);
    assert_false(s->finished);
    assert_int_equal(s->steps, 0);
    assert_int_equal(s->epoch, 0);
    assert_int_equal(s->epochs, 1000);
    assert_true(s->lr == 0.05f);
    assert_int_equal(s->delay_ms, 0);
    assert_int_equal(s->n_test_acc, 1);
    check_consistent_(s, SOFTMAX_ARCH, SOFTMAX_PARAMS);
    // Unchanged: a second unforced copy reports nothing new.
    assert_false(live_snapshot_get(lt, s, false));
    const uint64_t v = s->version;
    sleep_ms_(150);
    get_(lt, s);
    assert_int_equal(s->steps, 0);
    assert_int_equal(s->version, v);
}

static void test_start_pause_resume(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    get_(lt, s);
    const uint64_t v0 = s->version;

    live_pause(lt, false);
    // Steps increase and the version changes, snapshot after snapshot.
    assert_true(wait_steps_(lt, s, 1, 30000) >= 1);
    long long last = s->steps;
    uint64_t last_v = s->version;
    assert_true(last_v != v0);
    assert_false(s->paused);
    for (int k = 0; k < 3; k++) {
        assert_true(wait_steps_(lt, s, last + 1, 30000) > last);
        assert_true(s->version != last_v);
        assert_false(s->paused);
        check_consistent_(s, SOFTMAX_ARCH, SOFTMAX_PARAMS);
        last = s->steps;
        last_v = s->version;
    }

    // Paused: once the step in progress is over, nothing moves.
    live_pause(lt, true);
    sleep_ms_(50);
    get_(lt, s);
    assert_true(s->paused);
    const long long at_pause = s->steps;
    const uint64_t v_pause = s->version;
    sleep_ms_(200);
    get_(lt, s);
    assert_int_equal(s->steps, at_pause);
    assert_int_equal(s->version, v_pause);
    assert_true(s->paused);
    check_consistent_(s, SOFTMAX_ARCH, SOFTMAX_PARAMS);

    // Resumed: it goes on from there.
    live_pause(lt, false);
    assert_true(wait_steps_(lt, s, at_pause + 1, 30000) > at_pause);
    assert_false(s->paused);
    live_pause(lt, true);
}

// Once paused, the published snapshot should be the trainer's actual state:
// the window shows it (and draws with its weights) for as long as it stays
// paused. live_step_now(.., 0, ..) publishes the trainer's state without
// stepping, which shows whether the worker's last steps were ever published.
static void test_pause_publishes_last_step(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *paused = snapshot_buf_(), *actual = snapshot_buf_();
    live_pause(lt, false);
    assert_true(wait_steps_(lt, paused, 40, 30000) >= 40);
    live_pause(lt, true);
    sleep_ms_(150);  // long past the step in progress and any publish after it
    get_(lt, paused);
    char err[400];
    assert_true(live_step_now(lt, 0, err, sizeof err));
    get_(lt, actual);
    if (paused->steps != actual->steps)
        print_error("paused snapshot shows step %lld, the trainer is at step %lld\n", paused->steps,
                    actual->steps);
    assert_int_equal(paused->steps, actual->steps);
    assert_same_params_(paused, actual, "paused snapshot vs trainer");
}

// ---- Learning rate and slow motion ------------------------------------------------------

static void test_set_lr_and_delay_reflected(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    live_set_lr(lt, 0.0125f);
    get_(lt, s);
    assert_true(s->lr == 0.0125f);
    live_set_delay(lt, 100);
    get_(lt, s);
    assert_int_equal(s->delay_ms, 100);
    // Clamped to 0..2000 ms.
    live_set_delay(lt, -5);
    get_(lt, s);
    assert_int_equal(s->delay_ms, 0);
    live_set_delay(lt, 5000);
    get_(lt, s);
    assert_int_equal(s->delay_ms, 2000);

    // Slow motion: 100 ms between steps allows a handful in half a second,
    // and every one of them is published.
    live_set_delay(lt, 100);
    live_pause(lt, false);
    assert_true(wait_steps_(lt, s, 1, 30000) >= 1);
    const long long first = s->steps;
    const double t0 = now_ms_();
    sleep_ms_(500);
    get_(lt, s);
    const double elapsed = now_ms_() - t0;
    const long long most = first + (long long)(elapsed / 100.0) + 2;
    if (s->steps > most) print_error("%lld steps in %.0f ms with a 100 ms delay\n", s->steps - first, elapsed);
    assert_true(s->steps <= most);
    assert_true(s->lr == 0.0125f);  // published by the worker too
    assert_int_equal(s->delay_ms, 100);
    // Back to full speed: the worker wakes from its wait at once.
    live_set_delay(lt, 0);
    const long long slow = s->steps;
    assert_true(wait_steps_(lt, s, slow + 30, 30000) >= slow + 30);
    assert_int_equal(s->delay_ms, 0);
    // The rate while running too.
    live_set_lr(lt, 0.02f);
    get_(lt, s);
    assert_true(s->lr == 0.02f);
    const uint64_t v = s->version;
    do {
        sleep_ms_(5);
        get_(lt, s);
    } while (s->version == v);
    assert_true(s->lr == 0.02f);
    live_pause(lt, true);
}

// live_step_now trains with the rate set by live_set_lr: the same as a plain
// app_trainer whose rate changes after the same number of steps.
static void test_set_lr_used_by_training(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    char err[400];
    assert_true(live_step_now(lt, 10, err, sizeof err));
    live_set_lr(lt, 0.01f);
    assert_true(live_step_now(lt, 10, err, sizeof err));
    get_(lt, s);
    assert_int_equal(s->steps, 20);

    app_trainer t;
    assert_true(app_trainer_init(&t, &o, &train_, &test_, err, sizeof err));
    bool done;
    app_epoch_stats st;
    bool ok = true;
    for (int i = 0; i < 10; i++) ok = ok && app_trainer_step(&t, &done, &st, err, sizeof err);
    t.opt.lr = 0.01f;
    for (int i = 0; i < 10; i++) ok = ok && app_trainer_step(&t, &done, &st, err, sizeof err);
    const int same = ok && t.net->n_params == s->n_params &&
                     memcmp(t.net->params, s->params, sizeof(float) * s->n_params) == 0;
    app_trainer_destroy(&t);
    assert_true(ok);
    assert_true(same);
}

// The window reads with force = false (runtime_frame): a command must show in
// the next unforced snapshot, also while the worker is paused (the window
// doubles the rate it last saw for "faster", and toggles by the pause state it
// last saw). Every mismatch is listed before the case fails.
static void test_commands_seen_by_unforced_reader(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    int problems = 0;
    assert_true(live_snapshot_get(lt, s, false));
    assert_true(s->paused);
    live_set_lr(lt, 0.1f);
    live_snapshot_get(lt, s, false);
    if (s->lr != 0.1f) {
        print_error("after live_set_lr(0.1) while paused, the unforced snapshot says lr %g\n", (double)s->lr);
        problems++;
    }
    live_set_delay(lt, 250);
    live_snapshot_get(lt, s, false);
    if (s->delay_ms != 250) {
        print_error("after live_set_delay(250) while paused, the unforced snapshot says %d ms\n", s->delay_ms);
        problems++;
    }
    live_set_delay(lt, 0);
    // Running, then paused: the pause must show too.
    live_pause(lt, false);
    const double until = now_ms_() + 30000;  // a guard against a hang, not a speed test
    while ((s->paused || s->steps < 20) && now_ms_() < until) {
        live_snapshot_get(lt, s, false);
        sleep_ms_(2);
    }
    assert_false(s->paused);
    live_pause(lt, true);
    sleep_ms_(150);
    live_snapshot_get(lt, s, false);
    if (!s->paused) {
        print_error("after live_pause(true) and 150 ms, the unforced snapshot still says running\n");
        problems++;
    }
    assert_int_equal(problems, 0);
}

// The same, as the window does it (runtime.c, one frame after each key): the
// rate doubled twice while paused is four times the rate, and space pressed
// three times (start, pause, start) leaves training running. The dashboard's
// LeNet-5 on all 8,000 training digits: its 3 epochs (750 steps) outlast the
// test, with no slow motion.
static void frames_(int n) {
    for (int i = 0; i < n; i++) {
        runtime_frame(&rt_, &ui_);
        sleep_ms_(16);
    }
}

// The CNN view runs its own copy of the live network; switching the model to
// another architecture replaces both. (A slip once freed the CNN view's copy
// when the drawing copy was rebuilt and kept the pointer: the next switch
// freed it again.)
static void test_cnn_view_survives_model_switches(void **state) {
    (void)state;
    app_state_init(&ui_);
    ui_.view = VIEW_CNN;
    ui_.train_model = 1;  // the small CNN
    app_set_digits(&ui_, test_.images, test_.count);  // the maps are of a test digit
    runtime_init(&rt_, &ui_, &all_train_, &test_);
    rt_live_ = true;
    char err[400];
    static const int models[] = {2, 1, 2};  // LeNet-5, the small CNN, LeNet-5
    assert_true(live_step_now(rt_.dash, 1, err, sizeof err));
    frames_(2);
    assert_non_null(ui_.host.cnn_net);
    for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
        ui_.view = VIEW_TRAIN;
        ui_.train_model = models[k];
        runtime_select_model(&rt_, &ui_, true);
        assert_true(live_step_now(rt_.dash, 1, err, sizeof err));
        frames_(2);  // the drawing copy is rebuilt for the new architecture
        ui_.view = VIEW_CNN;
        frames_(2);  // and the CNN view's copy
        assert_non_null(ui_.host.cnn_net);
        assert_ptr_not_equal(ui_.host.cnn_net, ui_.host.live_net);
        assert_int_equal(ui_.host.cnn_net->model->n_layers, ui_.host.live_net->model->n_layers);
        assert_int_equal((int)ui_.host.cnn_net->n_params, (int)ui_.host.live_net->n_params);
    }
    runtime_destroy(&rt_, &ui_);
    rt_live_ = false;
}

static void test_window_keys_through_runtime(void **state) {
    (void)state;
    app_state_init(&ui_);
    ui_.view = VIEW_TRAIN;
    ui_.train_model = 2;
    assert_string_equal(app_train_model_arch(2), "lenet5");
    runtime_init(&rt_, &ui_, &all_train_, &test_);
    rt_live_ = true;
    assert_non_null(ui_.host.train_live);
    assert_true(ui_.host.train_live->paused);
    const float lr0 = ui_.host.train_live->lr;
    int problems = 0;
    const app_action up = {.kind = ACT_LR_UP}, toggle = {.kind = ACT_TRAIN_TOGGLE};
    app_update(&ui_, &up);
    frames_(1);
    app_update(&ui_, &up);
    frames_(1);
    char err[400];
    assert_true(live_step_now(rt_.dash, 0, err, sizeof err));  // publish: the trainer's real rate
    frames_(1);
    if (ui_.host.train_live->lr != 4 * lr0) {
        print_error("LR_UP twice while paused: rate %g, expected %g\n", (double)ui_.host.train_live->lr,
                    (double)(4 * lr0));
        problems++;
    }
    // Start, wait, pause, wait, start: it must be running.
    app_update(&ui_, &toggle);
    frames_(1);
    const double until = now_ms_() + 30000;  // a guard against a hang, not a speed test
    while ((ui_.host.train_live->steps < 20 || ui_.host.train_live->paused) && now_ms_() < until) frames_(1);
    assert_false(ui_.host.train_live->paused);
    app_update(&ui_, &toggle);  // pause
    frames_(10);
    app_update(&ui_, &toggle);  // start again
    frames_(10);
    live_snapshot *s = snapshot_buf_();
    get_(rt_.dash, s);
    const long long a = s->steps;
    // Running means steps go on: wait for one (a LeNet-5 step can take a
    // second under ThreadSanitizer on a loaded machine), at most 10 s.
    const double deadline = now_ms_() + 10000;
    do {
        frames_(1);
        get_(rt_.dash, s);
    } while (s->steps == a && !s->paused && now_ms_() < deadline);
    assert_false(s->finished);
    if (s->paused || s->steps == a) {
        print_error("space, space, space: training is %s (steps %lld -> %lld)\n",
                    s->paused ? "paused" : "running", a, s->steps);
        problems++;
    }
    runtime_destroy(&rt_, &ui_);
    rt_live_ = false;
    assert_int_equal(problems, 0);
}

// ---- Reset ----------------------------------------------------------------------------

static bool expected_eval_step_(long long step);

static void test_reset_other_arch(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    live_pause(lt, false);
    assert_true(wait_steps_(lt, s, 60, 30000) >= 60);
    assert_true(s->n_loss > 1);
    check_consistent_(s, SOFTMAX_ARCH, SOFTMAX_PARAMS);

    // A new model while the worker runs (it keeps running).
    app_train_options o2 = options_(SMALL_ARCH);
    o2.lr = 0.03f;
    char err[400] = "";
    const uint64_t v = s->version;
    const double t0 = now_ms_();
    const bool reset_ok = live_reset(lt, &o2, err, sizeof err);
    // It waits for the step lock the worker keeps taking again: printed, not judged.
    print_message("# live_reset beside the running worker took %.0f ms\n", now_ms_() - t0);
    if (!reset_ok) print_error("live_reset: %s\n", err);
    assert_true(reset_ok);
    get_(lt, s);
    assert_true(s->version != v);
    assert_string_equal(s->arch, SMALL_ARCH);
    assert_int_equal(s->n_params, SMALL_PARAMS);
    // The old curves are gone: the worker goes on at once, so the snapshot may
    // hold some steps of the new model (more under load), but only those: a
    // loss point for each of its steps 1..steps, and test points at step 0,
    // then the scheduled steps and the epochs' ends up to there, in order
    // (the old run's 60 steps and more would add to both). The evaluator may
    // not have finished the latest ones yet: the points are those steps' first
    // ones, at least step 0's (evaluated before the reset returns).
    print_message("# the first snapshot after the reset is at step %lld\n", s->steps);
    assert_true(s->steps < LIVE_MAX_POINTS);  // (no thinning yet, so the counts are exact)
    assert_int_equal(s->n_loss, s->steps);
    assert_int_equal(s->n_train_acc, s->steps);
    for (int i = 0; i < s->n_loss; i++) assert_true(s->loss[i].step == (float)(i + 1));
    int evals = 0;
    for (long long k = 0; k <= s->steps; k++) {
        if (!(expected_eval_step_(k) || k % BATCHES_PER_EPOCH == 0)) continue;
        if (evals < s->n_test_acc) assert_true((double)s->test_acc[evals].step == (double)k);
        evals++;
    }
    assert_true(s->n_test_acc >= 1 && s->n_test_acc <= evals);
    assert_true(s->test_acc[0].step == 0.0f);
    assert_true(s->lr == 0.03f);
    assert_false(s->diverged);
    assert_false(s->finished);
    // It goes on training the new model.
    const long long from = s->steps;
    assert_true(wait_steps_(lt, s, from + 5, 10000) >= from + 5);
    check_consistent_(s, SMALL_ARCH, SMALL_PARAMS);

    // A bad architecture is refused and the running model stays.
    app_train_options bad = options_("flatten,dense(10");
    err[0] = '\0';
    assert_false(live_reset(lt, &bad, err, sizeof err));
    assert_true(strstr(err, "--arch") != NULL);
    live_pause(lt, true);
    sleep_ms_(50);
    get_(lt, s);
    assert_string_equal(s->arch, SMALL_ARCH);
    check_consistent_(s, SMALL_ARCH, SMALL_PARAMS);

    // Back to softmax while paused: from scratch, the same as a new trainer.
    assert_true(live_reset(lt, &o, err, sizeof err));
    get_(lt, s);
    assert_int_equal(s->steps, 0);
    assert_int_equal(s->n_loss, 0);
    assert_int_equal(s->n_test_acc, 1);
    assert_string_equal(s->arch, SOFTMAX_ARCH);
    live_trainer *fresh = make_(&o, &train_);
    live_snapshot *f = snapshot_buf_();
    get_(fresh, f);
    assert_same_params_(s, f, "after reset vs new trainer");
    assert_true(s->test_accuracy == f->test_accuracy);
}

static void test_create_refuses_bad_options(void **state) {
    (void)state;
    char err[400] = "";
    app_train_options o = options_("flatten,dense(3),softmax");  // labels go up to 9
    assert_null(live_create(&o, &train_, &test_, err, sizeof err));
    assert_true(strstr(err, "dense(10)") != NULL);
    o = options_("softmax");
    o.lr = -1.0f;
    err[0] = '\0';
    assert_null(live_create(&o, &train_, &test_, err, sizeof err));
    assert_true(strstr(err, "learning rate") != NULL);
    o = options_("lenet5");  // 61,706 parameters: fits LIVE_MAX_PARAMS
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    get_(lt, s);
    assert_int_equal(s->n_params, 61706);
    o = options_("flatten,dense(100),relu,dense(10),softmax");  // 79,510: too many for a snapshot
    err[0] = '\0';
    assert_null(live_create(&o, &train_, &test_, err, sizeof err));
    assert_true(strstr(err, "parameters") != NULL);
}

// ---- Destroy ----------------------------------------------------------------------------

static void test_destroy_while_running(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    live_pause(lt, false);
    assert_true(wait_steps_(lt, s, 10, 30000) >= 10);
    double t0 = now_ms_();
    drop_(lt);
    double ms = now_ms_() - t0;
    if (ms >= 2000) print_error("live_destroy took %.0f ms while training\n", ms);
    assert_true(ms < 2000);

    // In the middle of a 2 s slow-motion wait: the wait is cut short.
    lt = make_(&o, &train_);
    live_set_delay(lt, 2000);
    live_pause(lt, false);
    assert_true(wait_steps_(lt, s, 1, 30000) >= 1);
    t0 = now_ms_();
    drop_(lt);
    ms = now_ms_() - t0;
    if (ms >= 1000) print_error("live_destroy took %.0f ms during a 2000 ms slow-motion wait\n", ms);
    assert_true(ms < 1000);

    // A bigger model mid-step, and a paused one, and NULL.
    const app_train_options small = options_(SMALL_ARCH);
    lt = make_(&small, &train_);
    live_pause(lt, false);
    assert_true(wait_steps_(lt, s, 2, 10000) >= 2);
    t0 = now_ms_();
    drop_(lt);
    assert_true(now_ms_() - t0 < 2000);
    lt = make_(&o, &train_);
    t0 = now_ms_();
    drop_(lt);
    assert_true(now_ms_() - t0 < 2000);
    live_destroy(NULL);
}

// ---- Snapshots while training runs ------------------------------------------------------

#define KEEP 6

static void snapshots_while_running_(int threads, double run_ms) {
    app_train_options o = options_("softmax");
    o.threads = threads;
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_(), *forced = snapshot_buf_();
    live_snapshot *kept[KEEP];
    for (int i = 0; i < KEEP; i++) kept[i] = snapshot_buf_();
    int n_kept = 0;

    live_pause(lt, false);
    // Read as fast as a reader can for up to run_ms (or 5000 steps; past 512
    // the curves are thinned), and on a slow machine (sanitizers, load) on
    // until 150 steps are there to keep three spread-out snapshots, for at
    // most 30 s.
    long long reads = 0, changes = 0, last_steps = -1;
    uint64_t last_version = 0;
    const double t0 = now_ms_();
    bool thinned = false;
    while ((now_ms_() - t0 < run_ms || last_steps < 150) && now_ms_() - t0 < 30000 &&
           last_steps < 5000) {
        reads++;
        if ((reads & 63) == 0) {  // now and then a forced copy as well
            get_(lt, forced);
            check_consistent_(forced, SOFTMAX_ARCH, SOFTMAX_PARAMS);
        }
        if (!live_snapshot_get(lt, s, false)) continue;
        changes++;
        check_consistent_(s, SOFTMAX_ARCH, SOFTMAX_PARAMS);
        assert_true(s->version > last_version);
        assert_true(s->steps >= last_steps);
        thinned = thinned || s->steps > LIVE_MAX_POINTS;
        if (s->steps > last_steps && s->steps > 0) {
            // Keep a few, spread out, to replay later.
            if (n_kept < KEEP && (n_kept == 0 || s->steps >= kept[n_kept - 1]->steps + 50))
                *kept[n_kept++] = *s;
            else if (n_kept == KEEP && s->steps > kept[KEEP - 1]->steps)
                *kept[KEEP - 1] = *s;  // the latest always replaces the last
        }
        last_version = s->version;
        last_steps = s->steps;
    }
    live_pause(lt, true);
    print_message("# %d thread(s): %lld reads, %lld new snapshots, up to step %lld%s\n", threads, reads,
                  changes, last_steps, thinned ? " (curves thinned)" : "");
    assert_true(changes >= 2);
    assert_true(n_kept >= 2);

    // Replay single-threaded: a second trainer, the same options and seed,
    // stepped to each kept snapshot's step, has exactly its parameters and
    // the same loss and training-accuracy curves.
    live_trainer *twin = make_(&o, &train_);
    live_snapshot *r = snapshot_buf_();
    long long at = 0;
    char err[400];
    for (int i = 0; i < n_kept; i++) {
        const long long target = kept[i]->steps;
        if (target > at) {
            assert_true(live_step_now(twin, (int)(target - at), err, sizeof err));
            at = target;
        }
        get_(twin, r);
        assert_int_equal(r->steps, target);
        assert_same_params_(kept[i], r, "snapshot vs replay");
        assert_same_curve_(kept[i]->loss, kept[i]->n_loss, r->loss, r->n_loss, "loss curve");
        assert_same_curve_(kept[i]->train_acc, kept[i]->n_train_acc, r->train_acc, r->n_train_acc,
                           "train_acc curve");
        check_consistent_(r, SOFTMAX_ARCH, SOFTMAX_PARAMS);
    }
}

static void test_snapshots_consistent_while_running(void **state) {
    (void)state;
    snapshots_while_running_(1, 1500);
}

// The same with the batch split over two threads inside each step.
static void test_snapshots_consistent_two_threads(void **state) {
    (void)state;
    snapshots_while_running_(2, 600);
}

// ---- live_step_now ------------------------------------------------------------------------

static void test_step_now_deterministic(void **state) {
    (void)state;
    char err[400];
    for (int threads = 1; threads <= 2; threads++) {
        const char *archs[] = {"softmax", SMALL_ARCH};
        for (int k = 0; k < 2; k++) {
            app_train_options o = options_(archs[k]);
            o.threads = threads;
            live_trainer *a = make_(&o, &train_), *b = make_(&o, &train_);
            live_snapshot *sa = snapshot_buf_(), *sb = snapshot_buf_();
            const int n = k == 0 ? 60 : 12;
            assert_true(live_step_now(a, n, err, sizeof err));
            assert_true(live_step_now(b, n / 2, err, sizeof err));
            assert_true(live_step_now(b, n - n / 2, err, sizeof err));  // in two goes: the same
            get_(a, sa);
            get_(b, sb);
            assert_int_equal(sa->steps, n);
            assert_int_equal(sb->steps, n);
            assert_true(sa->paused);
            assert_same_params_(sa, sb, "two trainers, the same options");
            assert_same_curve_(sa->loss, sa->n_loss, sb->loss, sb->n_loss, "loss curve");
            assert_same_curve_(sa->train_acc, sa->n_train_acc, sb->train_acc, sb->n_train_acc, "train_acc curve");
            assert_int_equal(sa->n_loss, n);
            check_consistent_(sa, k == 0 ? SOFTMAX_ARCH : SMALL_ARCH, k == 0 ? SOFTMAX_PARAMS : SMALL_PARAMS);
            // And the same as a plain trainer with that seed.
            app_trainer t;
            assert_true(app_trainer_init(&t, &o, &train_, &test_, err, sizeof err));
            bool done, ok = true;
            app_epoch_stats st;
            for (int i = 0; i < n; i++) ok = ok && app_trainer_step(&t, &done, &st, err, sizeof err);
            const bool same = ok && t.net->n_params == sa->n_params &&
                              memcmp(t.net->params, sa->params, sizeof(float) * sa->n_params) == 0;
            app_trainer_destroy(&t);
            assert_true(ok);
            assert_true(same);
            // Another seed: other weights.
            o.seed = 8;
            live_trainer *c = make_(&o, &train_);
            live_snapshot *sc = snapshot_buf_();
            assert_true(live_step_now(c, n, err, sizeof err));
            get_(c, sc);
            assert_true(memcmp(sa->params, sc->params, sizeof(float) * sa->n_params) != 0);
            test_teardown_(NULL);
        }
    }
}

// live_step_now while the worker itself runs: both step the one trainer, one
// at a time, and every snapshot stays consistent. (The caller waits for the
// step lock the worker keeps taking again; how long is printed, not judged.)
static void test_step_now_while_running(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    char err[400];
    live_pause(lt, false);
    assert_true(wait_steps_(lt, s, 1, 30000) >= 1);
    double worst = 0;
    for (int i = 0; i < 5; i++) {
        get_(lt, s);
        const long long before = s->steps;
        const double t0 = now_ms_();
        assert_true(live_step_now(lt, 5, err, sizeof err));
        const double ms = now_ms_() - t0;
        worst = ms > worst ? ms : worst;
        get_(lt, s);
        assert_true(s->steps >= before + 5);
        check_consistent_(s, SOFTMAX_ARCH, SOFTMAX_PARAMS);
    }
    print_message("# live_step_now(5) beside the running worker: up to %.0f ms per call\n", worst);
    live_pause(lt, true);
}

// ---- Divergence and the finish ----------------------------------------------------------

static void test_divergence_pauses(void **state) {
    (void)state;
    app_train_options o = options_("flatten,dense(10),dense(10),softmax");
    o.lr = 10.0f;
    o.momentum = 0.99f;
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    live_pause(lt, false);
    if (!wait_flag_(lt, s, is_diverged_, 10000))
        print_error("after 10 s: steps %lld diverged %d paused %d message '%s'\n", s->steps, s->diverged,
                    s->paused, s->message);
    assert_true(s->diverged);
    assert_true(s->paused);
    assert_false(s->finished);
    assert_true(strstr(s->message, "learning rate") != NULL);
    assert_true(strstr(s->message, "diverged") != NULL);
    // It stays stopped: no more steps, and starting it again does nothing.
    const long long at = s->steps;
    live_pause(lt, false);
    sleep_ms_(150);
    get_(lt, s);
    assert_true(s->paused);
    assert_int_equal(s->steps, at);
    char err[400] = "";
    assert_false(live_step_now(lt, 3, err, sizeof err));
    get_(lt, s);
    assert_int_equal(s->steps, at);
    // A reset with sane options trains again.
    const app_train_options good = options_("softmax");
    assert_true(live_reset(lt, &good, err, sizeof err));
    get_(lt, s);
    assert_false(s->diverged);
    assert_int_equal(s->steps, 0);
    assert_string_equal(s->message, "");
    live_pause(lt, false);
    assert_true(wait_steps_(lt, s, 3, 30000) >= 3);
    assert_false(s->diverged);
    live_pause(lt, true);
}

// live_step_now reports the divergence with the advice.
static void test_divergence_step_now(void **state) {
    (void)state;
    app_train_options o = options_("flatten,dense(10),dense(10),softmax");
    o.lr = 10.0f;
    o.momentum = 0.99f;
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    char err[400] = "";
    assert_false(live_step_now(lt, 2000, err, sizeof err));
    assert_true(strstr(err, "learning rate") != NULL);
    get_(lt, s);
    assert_true(s->diverged);
    assert_true(s->steps < 2000);
    assert_string_equal(s->message, err);
}

static void test_finish_pauses(void **state) {
    (void)state;
    app_train_options o = options_("softmax");
    o.epochs = 1;  // 64 digits in batches of 32: two steps
    live_trainer *lt = make_(&o, &tiny_);
    live_snapshot *s = snapshot_buf_();
    live_pause(lt, false);
    if (!wait_flag_(lt, s, is_finished_, 5000))
        print_error("after 5 s: steps %lld finished %d paused %d\n", s->steps, s->finished, s->paused);
    assert_true(s->finished);
    assert_true(s->paused);
    assert_false(s->diverged);
    assert_int_equal(s->steps, 2);
    assert_int_equal(s->epoch, 1);
    assert_int_equal(s->epochs, 1);
    assert_true(strstr(s->message, "finished") != NULL);
    // The finish evaluated the test set: the confusion matrix is of that step.
    assert_int_equal(confusion_total_(s), N_TEST);
    assert_true((double)s->test_acc[s->n_test_acc - 1].step == 2.0);
    // Starting it again does nothing; live_step_now is a no-op that succeeds.
    live_pause(lt, false);
    sleep_ms_(100);
    get_(lt, s);
    assert_true(s->paused);
    assert_int_equal(s->steps, 2);
    char err[400];
    assert_true(live_step_now(lt, 5, err, sizeof err));
    get_(lt, s);
    assert_int_equal(s->steps, 2);
}

// ---- The evaluation schedule ----------------------------------------------------------------

// The steps the schedule should evaluate at, worked out here on their own:
// step 0, every 20 steps to 200, every 50 to 1000, every 250 after that.
static bool expected_eval_step_(long long step) {
    if (step == 0) return true;
    if (step <= 200) return step % 20 == 0;
    if (step <= 1000) return step % 50 == 0;
    return step % 250 == 0;
}

// The test-accuracy curve is dense at the start: after 200 steps it has a
// point at step 0 and every 20 steps (11 points), exactly at those steps,
// whatever the speed (the schedule is of steps, not of time); further on,
// with the worker running, the points are every 50 steps plus the step it
// stopped at. Each point is the evaluation of the model at its step: the
// same value as a second trainer stepped there on its own.
static void test_eval_schedule_dense_at_start(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    // All 8,000 digits: an epoch is 250 steps, so none ends within the first 200.
    live_trainer *lt = make_(&o, &all_train_);
    live_snapshot *s = snapshot_buf_();
    char err[400];
    assert_true(live_step_now(lt, 200, err, sizeof err));
    get_(lt, s);
    assert_int_equal(s->steps, 200);
    int early = 0;
    for (int i = 0; i < s->n_test_acc; i++) early += s->test_acc[i].step <= 200.0f;
    assert_true(early >= 1 + 200 / 20);
    long long want[LIVE_MAX_POINTS];
    int n_want = 0;
    for (long long k = 0; k <= 200; k++)
        if (expected_eval_step_(k)) want[n_want++] = k;
    assert_int_equal(n_want, 11);
    assert_int_equal(s->n_test_acc, n_want);
    for (int i = 0; i < n_want; i++) assert_true((double)s->test_acc[i].step == (double)want[i]);
    for (long long k = 0; k <= 200; k++) assert_true(live_eval_scheduled(k) == expected_eval_step_(k));
    for (long long k = 201; k <= 3000; k++) assert_true(live_eval_scheduled(k) == expected_eval_step_(k));

    // The point at step 20 is the model after 20 steps, measured on the whole test set.
    live_trainer *twin = make_(&o, &all_train_);
    live_snapshot *t = snapshot_buf_();
    assert_true(live_step_now(twin, 20, err, sizeof err));
    get_(twin, t);
    assert_true(s->test_acc[1].value == t->test_accuracy);
    assert_int_equal(confusion_total_(t), N_TEST);

    // On the worker, 263 more steps (to 463): every 50 steps, the epoch's end
    // at 250 (also on the schedule), and the last step.
    live_run_steps(lt, 263);
    const double until = now_ms_() + 60000;
    do {
        sleep_ms_(5);
        get_(lt, s);
    } while (!(s->paused && s->run_left == 0) && now_ms_() < until);
    assert_int_equal(s->steps, 463);
    for (long long k = 201; k <= 463; k++)
        if (expected_eval_step_(k) || k == 463) want[n_want++] = k;
    assert_int_equal(n_want, 11 + 5 + 1);  // 250 300 350 400 450, and 463
    assert_int_equal(s->n_test_acc, n_want);
    for (int i = 0; i < n_want; i++) assert_true((double)s->test_acc[i].step == (double)want[i]);
}

// ---- Steps run on the worker (a lesson's 'train N' in the window) ----------------------

// live_run_steps: the worker runs exactly n steps at full speed (slow motion
// is ignored), pauses, and reaches the same weights as n steps taken on the
// caller's thread with the same options; a pause stops it early.
static void test_run_steps_pauses_after_n(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *a = make_(&o, &train_), *b = make_(&o, &train_);
    live_snapshot *sa = snapshot_buf_(), *sb = snapshot_buf_();
    live_set_delay(a, 1000);  // a second a step, were it not ignored
    live_run_steps(a, 30);
    get_(a, sa);
    assert_false(sa->paused);
    assert_int_equal(sa->run_left, 30);
    const double until = now_ms_() + 30000;
    do {
        sleep_ms_(5);
        get_(a, sa);
    } while (!(sa->paused && sa->run_left == 0) && now_ms_() < until);
    assert_true(sa->paused);
    assert_int_equal(sa->run_left, 0);
    assert_int_equal(sa->steps, 30);
    sleep_ms_(50);  // and it stays there
    get_(a, sa);
    assert_int_equal(sa->steps, 30);
    // The last step was evaluated: the newest test point is at step 30.
    assert_true((double)sa->test_acc[sa->n_test_acc - 1].step == 30.0);
    char err[400];
    assert_true(live_step_now(b, 30, err, sizeof err));
    get_(b, sb);
    assert_same_params_(sa, sb, "30 steps on the worker and 30 on the caller's thread");

    // Stopped early: a LeNet-5 on all the digits has 750 steps to go.
    const app_train_options big = options_("lenet5");
    live_trainer *c = make_(&big, &all_train_);
    live_snapshot *sc = snapshot_buf_();
    live_run_steps(c, 700);
    const double until2 = now_ms_() + 30000;
    do {
        sleep_ms_(5);
        get_(c, sc);
    } while (sc->steps < 3 && now_ms_() < until2);
    live_pause(c, true);
    get_(c, sc);
    assert_true(sc->paused);
    assert_int_equal(sc->run_left, 0);
    // A step under way at the pause may still finish (under ASan one LeNet-5
    // step takes a while): wait until two readings STEP_SETTLE_MS apart agree.
    long long stopped = -1;
    for (int i = 0; i < 20 && stopped != sc->steps; i++) {
        stopped = sc->steps;
        sleep_ms_(STEP_SETTLE_MS);
        get_(c, sc);
    }
    assert_true(stopped >= 3 && stopped < 700);
    sleep_ms_(STEP_SETTLE_MS);
    get_(c, sc);
    assert_int_equal(sc->steps, stopped);
}

// A scratch lesson file; returns its path (in a fresh folder under /tmp).
static char lesson_dir_[64];
static const char *write_lesson_(const char *text) {
    snprintf(lesson_dir_, sizeof lesson_dir_, "/tmp/convstep-live-XXXXXX");
    assert_non_null(mkdtemp(lesson_dir_));
    static char path[128];
    snprintf(path, sizeof path, "%s/t.lesson", lesson_dir_);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void remove_lesson_(const char *path) {
    remove(path);
    rmdir(lesson_dir_);
}

static bool frames_until_trained_(double timeout_ms) {
    const double until = now_ms_() + timeout_ms;
    while (ui_.player.train_pending && now_ms_() < until) frames_(1);
    return !ui_.player.train_pending;
}

static app_state ui_sync_;
static app_runtime rt_sync_;

// In the window (no transcript) a lesson's 'train N' is handed to the worker:
// opening the lesson returns at once with the beat waiting, frames go on, and
// when the N steps are done the beat carries on by itself. The weights are
// exactly those of the headless, synchronous run of the same lesson.
static void test_lesson_train_runs_on_the_worker(void **state) {
    (void)state;
    const char *path = write_lesson_("title Train in the window\nview train\nmodel softmax\ntrain 40\n"
                                     "say Trained.\nexpect accuracy 1\nwait\nsay The second beat.\n");
    app_state_init(&ui_);
    runtime_init(&rt_, &ui_, &train_, &test_);
    rt_live_ = true;
    char err[600];
    assert_true(runtime_open_lesson(&rt_, &ui_, path, NULL, err, sizeof err));
    // Before: the beat stopped at 'train 40' (the old code trained right here,
    // and the beat's 'say' was already shown).
    assert_true(ui_.player.train_pending);
    assert_null(strstr(ui_.player.caption, "Trained."));
    assert_true(frames_until_trained_(30000));
    assert_non_null(ui_.host.train_live);
    assert_int_equal(ui_.host.train_live->steps, 40);
    assert_non_null(strstr(ui_.player.caption, "Trained."));
    assert_int_equal(ui_.player.failures, 0);
    assert_int_equal(ui_.player.beat, 0);
    const app_action next = {.kind = ACT_LESSON_NEXT};
    app_update(&ui_, &next);
    frames_(1);
    assert_int_equal(ui_.player.beat, 1);
    assert_non_null(strstr(ui_.player.caption, "The second beat."));

    // The same lesson with a transcript trains synchronously: the same weights.
    app_state_init(&ui_sync_);
    runtime_init(&rt_sync_, &ui_sync_, &train_, &test_);
    FILE *log = tmpfile();
    assert_non_null(log);
    const bool opened = runtime_open_lesson(&rt_sync_, &ui_sync_, path, log, err, sizeof err);
    fclose(log);
    const bool pending = ui_sync_.player.train_pending;
    const long long steps = ui_sync_.host.train_live ? ui_sync_.host.train_live->steps : -1;
    const bool same = ui_sync_.host.train_live && ui_.host.train_live->n_params == ui_sync_.host.train_live->n_params &&
                      memcmp(ui_.host.train_live->params, ui_sync_.host.train_live->params,
                             sizeof(float) * ui_.host.train_live->n_params) == 0;
    runtime_destroy(&rt_sync_, &ui_sync_);
    remove_lesson_(path);
    assert_true(opened);
    assert_false(pending);
    assert_int_equal(steps, 40);
    assert_true(same);
}

// Esc while a long 'train N' runs: Next is held off (the beat is not over),
// Esc stops the worker where it is and the beat carries on, saying so.
static void test_lesson_train_esc_stops_it(void **state) {
    (void)state;
    const char *path = write_lesson_("title Stop\nview train\nmodel lenet5\ntrain 700\nsay After training.\n"
                                     "wait\nsay Next.\n");
    app_state_init(&ui_);
    runtime_init(&rt_, &ui_, &all_train_, &test_);
    rt_live_ = true;
    char err[600];
    const double t0 = now_ms_();
    assert_true(runtime_open_lesson(&rt_, &ui_, path, NULL, err, sizeof err));
    print_message("# opening the lesson took %.0f ms\n", now_ms_() - t0);
    remove_lesson_(path);
    assert_true(ui_.player.train_pending);
    assert_true(ui_.host.train_live->steps < 700);
    const double until = now_ms_() + 30000;
    while (ui_.host.train_live->steps < 3 && now_ms_() < until) frames_(1);
    assert_true(ui_.player.train_pending);
    const app_action next = {.kind = ACT_LESSON_NEXT}, esc = {.kind = ACT_LESSON_STOP_TRAINING};
    app_update(&ui_, &next);
    frames_(1);
    assert_int_equal(ui_.player.beat, 0);
    assert_true(ui_.player.train_pending);
    app_update(&ui_, &esc);
    frames_(1);
    assert_false(ui_.player.train_pending);
    assert_non_null(strstr(ui_.player.caption, "stopped by Esc after"));
    assert_non_null(strstr(ui_.player.caption, "After training."));
    live_snapshot *s = snapshot_buf_();
    // A step under way when Esc came may still finish: wait until two readings agree.
    get_(rt_.dash, s);
    long long stopped = -1;
    for (int i = 0; i < 20 && stopped != s->steps; i++) {
        stopped = s->steps;
        sleep_ms_(STEP_SETTLE_MS);
        get_(rt_.dash, s);
    }
    assert_true(s->paused);
    assert_true(stopped >= 3 && stopped < 700);
    sleep_ms_(STEP_SETTLE_MS);
    frames_(1);
    get_(rt_.dash, s);
    assert_int_equal(s->steps, stopped);
}

// An --arch the live view cannot train (79,510 parameters: 784*100+100 and
// 100*10+10, over LIVE_MAX_PARAMS) says so, instead of blaming the digits; and
// choosing another model then builds a trainer.
static void test_arch_failure_says_why(void **state) {
    (void)state;
    app_state_init(&ui_);
    ui_.view = VIEW_TRAIN;
    snprintf(ui_.host.custom_arch, sizeof ui_.host.custom_arch, "flatten,dense(100),relu,dense(10),softmax");
    ui_.train_model = MODEL_CUSTOM;
    runtime_init(&rt_, &ui_, &train_, &test_);
    rt_live_ = true;
    assert_null(ui_.host.train_live);
    assert_non_null(strstr(ui_.host.train_why, "79510"));
    assert_non_null(strstr(ui_.host.train_why, "65536"));
    assert_null(strstr(ui_.host.train_why, "assets"));
    assert_string_equal(ui_.host.tmpl_why, "");  // the templates' trainer is fine
    const app_action softmax = {.kind = ACT_TRAIN_MODEL, .value = 0};
    app_update(&ui_, &softmax);
    frames_(1);
    assert_non_null(ui_.host.train_live);
    assert_string_equal(ui_.host.train_why, "");
    assert_int_equal((long long)ui_.host.train_live->n_params, SOFTMAX_PARAMS);
}

// ---- Incremental copies ---------------------------------------------------------------
// live_snapshot_get copies only what changed since the reader's copy: the
// curve points it lacks and the parameters when they are new. Whatever a
// reader's history, its copy must equal a forced (whole) one of the same
// version, and its parameters the training's own.

// Fails unless two snapshots hold the same state, field by field.
static void assert_same_snapshot_(const live_snapshot *a, const live_snapshot *b, const char *what) {
    if (a->version != b->version || a->steps != b->steps) {
        print_error("%s: version %llu step %lld vs version %llu step %lld\n", what,
                    (unsigned long long)a->version, a->steps, (unsigned long long)b->version, b->steps);
        fail();
    }
    assert_string_equal(a->arch, b->arch);
    assert_string_equal(a->message, b->message);
    assert_true(a->running == b->running && a->paused == b->paused && a->diverged == b->diverged &&
                a->finished == b->finished);
    assert_int_equal(a->epoch, b->epoch);
    assert_int_equal(a->batch_in_epoch, b->batch_in_epoch);
    assert_true(a->lr == b->lr);
    assert_true(memcmp(&a->test_accuracy, &b->test_accuracy, sizeof a->test_accuracy) == 0);
    assert_memory_equal(a->confusion, b->confusion, sizeof a->confusion);
    assert_int_equal(a->n_wrong, b->n_wrong);
    assert_memory_equal(a->wrong_index, b->wrong_index, sizeof(int) * (size_t)a->n_wrong);
    assert_memory_equal(a->wrong_pred, b->wrong_pred, sizeof(int) * (size_t)a->n_wrong);
    assert_same_curve_(a->loss, a->n_loss, b->loss, b->n_loss, "loss curve");
    assert_same_curve_(a->train_acc, a->n_train_acc, b->train_acc, b->n_train_acc, "train_acc curve");
    assert_same_curve_(a->test_acc, a->n_test_acc, b->test_acc, b->n_test_acc, "test_acc curve");
    assert_same_params_(a, b, what);
}

// The same training single-threaded: a plain trainer with the same options
// and seed, stepped on to each step a snapshot is at.
typedef struct replay_ {
    app_trainer t;
    long long steps;
} replay_;

static void replay_init_(replay_ *r, const app_train_options *o) {
    char err[400];
    assert_true(app_trainer_init(&r->t, o, &train_, &test_, err, sizeof err));
    r->steps = 0;
}

// Fails unless s's parameters are, bit for bit, the replay's at s->steps.
static void assert_params_of_training_(replay_ *r, const live_snapshot *s) {
    char err[400];
    bool done, ok = true;
    app_epoch_stats st;
    assert_true(s->steps >= r->steps);
    for (; r->steps < s->steps && ok; r->steps++) ok = app_trainer_step(&r->t, &done, &st, err, sizeof err);
    assert_true(ok);
    assert_int_equal(r->t.net->n_params, s->n_params);
    for (size_t i = 0; i < s->n_params; i++)
        if (memcmp(&r->t.net->params[i], &s->params[i], sizeof(float)) != 0) {
            print_error("params[%zu] after %lld steps: snapshot %.9g, training %.9g\n", i, s->steps,
                        (double)s->params[i], (double)r->t.net->params[i]);
            fail();
        }
}

// The evaluations run beside the training, from a copy of the parameters at
// their step (on the evaluator thread, or in slices of live_pump's frames):
// paused in the middle of the dense schedule, the snapshot soon holds every
// scheduled point up to its step (the last results are published while
// paused), and each is the test accuracy of the model at that step, worked
// out here with the trainer's own app_evaluate on a plain trainer stepped
// there.
static void check_points_arrive_(live_trainer *lt, const app_train_options *o, bool frames) {
    live_snapshot *s = snapshot_buf_();
    live_pause(lt, false);
    if (frames)
        for (int i = 0; i < 100000 && s->steps < 45; i++) live_pump(lt, 3), get_(lt, s);
    assert_true(wait_steps_(lt, s, 45, 60000) >= 45);
    live_pause(lt, true);
    if (frames) live_pump(lt, 3);
    assert_true(wait_flag_(lt, s, is_paused_flag_, 30000));
    long long want[LIVE_MAX_POINTS];
    int n_want = 0;
    const double until = now_ms_() + 60000;  // minutes under ThreadSanitizer
    for (;;) {
        if (frames) live_pump(lt, 3);
        get_(lt, s);
        n_want = 0;
        for (long long k = 0; k <= s->steps; k++)
            if (expected_eval_step_(k) || k % BATCHES_PER_EPOCH == 0) want[n_want++] = k;
        if (s->n_test_acc == n_want || now_ms_() > until) break;
        sleep_ms_(5);
    }
    print_message("# paused at step %lld with %d test points\n", s->steps, s->n_test_acc);
    assert_true(s->steps < LIVE_MAX_POINTS);  // no thinning: the points are exact
    assert_int_equal(s->n_test_acc, n_want);
    static replay_ r;  // large: not on the stack
    replay_init_(&r, o);
    char err[400];
    bool done;
    app_epoch_stats st;
    for (int i = 0; i < n_want; i++) {
        assert_true((double)s->test_acc[i].step == (double)want[i]);
        for (; r.steps < want[i]; r.steps++) assert_true(app_trainer_step(&r.t, &done, &st, err, sizeof err));
        const float acc = app_evaluate(r.t.net, &test_);
        if (s->test_acc[i].value != acc) {
            print_error("test point %d at step %lld: %.6f, the model there: %.6f\n", i, want[i],
                        (double)s->test_acc[i].value, (double)acc);
            fail();
        }
    }
    // The latest figures are those of the last point.
    assert_true(s->test_accuracy == s->test_acc[n_want - 1].value);
    check_consistent_(s, SMALL_ARCH, SMALL_PARAMS);
    app_trainer_destroy(&r.t);
}

static void test_evaluations_beside_the_worker(void **state) {
    (void)state;
    const app_train_options o = options_(SMALL_ARCH);
    check_points_arrive_(make_(&o, &train_), &o, false);
}

// A reader that only ever copies unforced (as the window does), while the
// worker trains and publishes, then while live_step_now does: its parameters
// are, bit for bit, those of a plain trainer with the same seed.
static void test_incremental_params_are_the_training(void **state) {
    (void)state;
    const app_train_options o = options_(SMALL_ARCH);
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_(), *forced = snapshot_buf_();
    assert_true(live_snapshot_get(lt, s, false));
    const int on_worker = 60;
    live_run_steps(lt, on_worker);
    long long seen = 0, copies = 0;
    const double until = now_ms_() + 120000;  // minutes under ThreadSanitizer
    while (!(s->paused && s->steps == on_worker) && now_ms_() < until) {
        if (live_snapshot_get(lt, s, false) && s->steps != seen) {
            seen = s->steps;
            copies++;
        }
        sleep_ms_(1);
    }
    assert_true(s->paused);
    assert_int_equal(s->steps, on_worker);
    print_message("# %lld unforced copies of new steps while the worker ran %d steps\n", copies, on_worker);
    static replay_ r;  // large: not on the stack
    replay_init_(&r, &o);
    assert_params_of_training_(&r, s);
    // live_step_now on this thread, an unforced copy after each call.
    char err[400];
    bool ok = true;
    for (int i = 0; i < 6 && ok; i++) {
        ok = live_step_now(lt, 1 + i % 3, err, sizeof err) && live_snapshot_get(lt, s, false);
    }
    if (ok) assert_params_of_training_(&r, s);
    app_trainer_destroy(&r.t);
    assert_true(ok);
    get_(lt, forced);
    assert_same_snapshot_(s, forced, "unforced vs forced");
    // A new learning rate is a new version with the same parameters.
    live_set_lr(lt, 0.01f);
    assert_true(live_snapshot_get(lt, s, false));
    assert_true(s->lr == 0.01f);
    assert_same_params_(s, forced, "after live_set_lr");
}

// Curves copied a few points at a time equal curves copied whole, also
// across thinnings (past LIVE_MAX_POINTS points a curve drops every other
// one): for a reader copying after every publish, one that copies rarely
// (and misses thinnings), and one whose last copy came from another trainer.
static void test_incremental_curves_across_thinning(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *often = snapshot_buf_(), *rarely = snapshot_buf_(), *full = snapshot_buf_();
    char err[400];
    int loss_thinned = 0, test_thinned = 0, rare_copies = 0;
    const long long rare_at[3] = {300, 620, 900};  // 300, then 364 and 388 loss points
    // live_step_now evaluates the test set at the end of each call, so with
    // 1 to 3 steps a call the test-accuracy curve fills up too.
    for (int call = 0; loss_thinned < 3 || test_thinned < 1; call++) {
        assert_true(call < 5000);
        assert_true(live_step_now(lt, 1 + call % 3, err, sizeof err));
        const int n_loss = often->n_loss, n_test = often->n_test_acc;
        assert_true(live_snapshot_get(lt, often, false));
        loss_thinned += often->n_loss < n_loss;
        test_thinned += often->n_test_acc < n_test;
        assert_true(live_snapshot_get(lt, full, true));
        assert_same_snapshot_(often, full, "copied after every publish");
        // Copies that each miss a thinning after which the curve grew past
        // the reader's point count again (from step 513 the loss curve holds
        // 257 + (step - 513) % 256 points): only knowing points were dropped
        // tells the reader its first points are stale.
        if (rare_copies < 3 && often->steps >= rare_at[rare_copies]) {
            assert_true(live_snapshot_get(lt, rarely, false));
            assert_same_snapshot_(rarely, full, "copied now and then");
            rare_copies++;
        }
    }
    print_message("# %lld steps: loss curve thinned %d times, test curve %d times, %d rare copies\n",
                  often->steps, loss_thinned, test_thinned, rare_copies);
    assert_true(often->steps > 2 * LIVE_MAX_POINTS);
    // A reader last updated from another trainer (fewer points, other
    // weights, another version) copies everything from this one.
    const app_train_options o2 = options_("softmax");
    live_trainer *other = make_(&o2, &train_);
    live_snapshot *moved = snapshot_buf_();
    assert_true(live_step_now(other, 5, err, sizeof err));
    get_(other, moved);
    assert_true(moved->version != full->version);
    assert_true(live_snapshot_get(lt, moved, false));
    assert_same_snapshot_(moved, full, "copied from another trainer before");
    // A plain copy of a snapshot (`=`) goes on being updated like the original.
    *rarely = *often;
    assert_true(live_step_now(lt, 2, err, sizeof err));
    assert_true(live_snapshot_get(lt, rarely, false));
    get_(lt, full);
    assert_same_snapshot_(rarely, full, "a copy of a snapshot");
}

// The same while the worker trains: an unforced copy and a forced one that
// happen to be of the same version are the same, past a thinning.
static void test_incremental_while_running(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    live_snapshot *s = snapshot_buf_(), *full = snapshot_buf_();
    live_pause(lt, false);
    long long compared = 0;
    const double t0 = now_ms_();
    while (s->steps < LIVE_MAX_POINTS + 100 && now_ms_() - t0 < 60000) {
        sleep_ms_(1);  // leave the worker the CPU now and then (two cores, sanitizers)
        if (!live_snapshot_get(lt, s, false)) continue;
        get_(lt, full);
        if (full->version != s->version) continue;  // the worker published in between
        assert_same_snapshot_(s, full, "unforced vs forced while running");
        compared++;
    }
    live_pause(lt, true);
    print_message("# %lld same-version pairs compared, up to step %lld\n", compared, s->steps);
    assert_true(compared >= 1);
}

// Several readers at once, each copying forced and unforced as fast as it can,
// while the worker trains and publishes (and waits for their copies to
// publish). Copies kept along the way (one every KEEP_EVERY steps or more)
// and each reader's last copy have, bit for bit, the parameters of a plain
// trainer at their step.
#define READERS 3
#define KEEP 6
#define KEEP_EVERY 40

typedef struct reader_ {
    live_trainer *lt;
    live_snapshot *last;      // the reader's latest copy
    _Atomic bool *stop;
    long long reads, backwards;  // copies; copies whose step or version went back
    live_snapshot *kept[KEEP];   // copies kept along the way
    int n_kept;
    pthread_t thread;
} reader_;

static void *read_loop_(void *arg) {
    reader_ *r = arg;
    long long last_steps = -1;
    uint64_t last_version = 0;
    for (long long i = 0; !atomic_load(r->stop); i++) {
        const bool forced = (i & 1) != 0;
        if (!live_snapshot_get(r->lt, r->last, forced) && !forced) continue;
        r->reads++;
        if (r->last->steps < last_steps || r->last->version < last_version) r->backwards++;
        last_steps = r->last->steps;
        last_version = r->last->version;
        if (r->n_kept < KEEP && (r->n_kept == 0 || r->last->steps >= r->kept[r->n_kept - 1]->steps + KEEP_EVERY))
            *r->kept[r->n_kept++] = *r->last;
    }
    return NULL;
}

static void test_many_readers_while_running(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_(&o, &train_);
    _Atomic bool stop = false;
    reader_ readers[READERS];
    for (int i = 0; i < READERS; i++) {
        readers[i] = (reader_){.lt = lt, .last = snapshot_buf_(), .stop = &stop};
        for (int k = 0; k < KEEP; k++) readers[i].kept[k] = snapshot_buf_();
        assert_int_equal(pthread_create(&readers[i].thread, NULL, read_loop_, &readers[i]), 0);
    }
    live_pause(lt, false);
    live_snapshot *s = snapshot_buf_();
    const long long reached = wait_steps_(lt, s, 300, 120000);  // minutes under ThreadSanitizer
    live_pause(lt, true);
    atomic_store(&stop, true);
    for (int i = 0; i < READERS; i++) pthread_join(readers[i].thread, NULL);
    assert_true(reached >= 300);
    // Replay in order of step.
    live_snapshot *order[READERS * (KEEP + 1)];
    int n = 0;
    for (int i = 0; i < READERS; i++) {
        print_message("# reader %d: %lld copies, %d kept, the last at step %lld\n", i, readers[i].reads,
                      readers[i].n_kept, readers[i].last->steps);
        assert_int_equal(readers[i].backwards, 0);
        assert_true(readers[i].reads >= 2);
        assert_true(readers[i].n_kept >= 2);  // 300 steps: at least one at 0 and one at 40 or later
        order[n++] = readers[i].last;
        for (int k = 0; k < readers[i].n_kept; k++) order[n++] = readers[i].kept[k];
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && order[j]->steps < order[j - 1]->steps; j--) {
            live_snapshot *t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    static replay_ r;  // large: not on the stack
    replay_init_(&r, &o);
    for (int i = 0; i < n; i++) {
        check_consistent_(order[i], SOFTMAX_ARCH, SOFTMAX_PARAMS);
        assert_params_of_training_(&r, order[i]);
    }
    app_trainer_destroy(&r.t);
}

// ---- Time-sliced: no thread, the frame trains (live_pump) -------------------------------

// A trainer in LIVE_FRAMES mode (the default mode is put back at once, so a
// failing case leaves the others with threads).
static live_trainer *make_frames_(const app_train_options *o, const app_dataset *train) {
    live_set_default_mode(LIVE_FRAMES);
    live_trainer *lt = make_(o, train);
    live_set_default_mode(LIVE_THREADS);
    assert_int_equal(live_get_mode(lt), LIVE_FRAMES);
    return lt;
}

// Pumps (budget_ms a frame) until `done` or max_pumps; returns the steps made.
static long long pump_until_(live_trainer *lt, live_snapshot *s, double budget_ms, int max_pumps,
                             bool (*done)(const live_snapshot *)) {
    long long made = 0;
    for (int i = 0; i < max_pumps; i++) {
        made += live_pump(lt, budget_ms);
        get_(lt, s);
        if (done && done(s)) break;
    }
    return made;
}

static bool is_paused_(const live_snapshot *s) { return s->paused && s->run_left == 0; }

// The same in frames mode: the evaluations in slices of the pumps.
static void test_frames_evaluations_in_slices(void **state) {
    (void)state;
    const app_train_options o = options_(SMALL_ARCH);
    check_points_arrive_(make_frames_(&o, &train_), &o, true);
}

// It trains only when pumped: nothing moves on its own, a pump while paused
// makes no step, and pumped frames train the model (accuracy rises from about
// one in ten to well above half for the softmax model after 100 steps).
static void test_frames_trains(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_frames_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    get_(lt, s);
    assert_true(s->paused);
    const float acc0 = s->test_accuracy;
    assert_true(acc0 < 0.3f);
    assert_int_equal(live_pump(lt, 5), 0);  // paused
    live_pause(lt, false);
    sleep_ms_(50);
    get_(lt, s);
    assert_int_equal(s->steps, 0);  // no thread: nothing trains between frames
    long long made = 0;
    const double t0 = now_ms_();
    for (int i = 0; i < 10000 && s->steps < 100; i++) {
        const int n = live_pump(lt, 5);
        assert_true(n >= 1);  // at least one step a frame while it runs
        made += n;
        get_(lt, s);
        assert_int_equal(s->steps, made);  // each pump publishes its steps
    }
    const double wall_s = (now_ms_() - t0) / 1000;
    assert_true(s->steps >= 100);
    // The run's rate: every batch of 800 digits is a whole 32, and the time
    // in steps is some of the time the pumps took.
    assert_int_equal(s->train_samples, BATCH * s->steps);
    assert_true(s->train_seconds > 0 && s->train_seconds <= wall_s);
    assert_false(s->paused);
    check_consistent_(s, SOFTMAX_ARCH, SOFTMAX_PARAMS);
    assert_true(s->test_accuracy > 0.6f);
    assert_true(s->test_accuracy > acc0 + 0.3f);
    // Its parameters are the training's own (the same steps by hand).
    static replay_ r;  // large: not on the stack
    replay_init_(&r, &o);
    assert_params_of_training_(&r, s);
    app_trainer_destroy(&r.t);
}

// A pump with no budget makes exactly one step; one with all the time in the
// world stops where live_run_steps' steps end, and returns.
static void test_frames_budget(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_frames_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    live_pause(lt, false);
    for (int i = 1; i <= 15; i++) {
        assert_int_equal(live_pump(lt, 0), 1);
        get_(lt, s);
        assert_int_equal(s->steps, i);
    }
    live_run_steps(lt, 40);
    assert_int_equal(live_pump(lt, 1e9), 40);
    get_(lt, s);
    assert_true(is_paused_(s));
    assert_int_equal(s->steps, 55);
    assert_int_equal(live_pump(lt, 1e9), 0);
    // Slow motion: one step a frame at most, and none until the delay has
    // passed since the last (a minute here: none at all).
    live_set_delay(lt, 2000);
    live_pause(lt, false);
    assert_int_equal(live_pump(lt, 1e9), 0);
    get_(lt, s);
    assert_int_equal(s->steps, 55);
    assert_int_equal(s->delay_ms, 2000);
    live_set_delay(lt, 1);
    sleep_ms_(5);
    assert_int_equal(live_pump(lt, 1e9), 1);
    sleep_ms_(5);
    assert_int_equal(live_pump(lt, 1e9), 1);
    get_(lt, s);
    assert_int_equal(s->steps, 57);
    check_consistent_(s, SOFTMAX_ARCH, SOFTMAX_PARAMS);
}

// Pause, learning rate, reset (now and by the next frame) work time-sliced
// as they do on the thread.
static void test_frames_commands(void **state) {
    (void)state;
    const app_train_options o = options_("softmax");
    live_trainer *lt = make_frames_(&o, &train_);
    live_snapshot *s = snapshot_buf_();
    char err[400];
    // Pause: the next pump makes no step, and says so.
    live_pause(lt, false);
    assert_int_equal(live_pump(lt, 0), 1);
    live_pause(lt, true);
    assert_int_equal(live_pump(lt, 1e9), 0);
    get_(lt, s);
    assert_true(s->paused);
    assert_int_equal(s->steps, 1);
    // The rate: 9 more steps at 0.05, then 10 at 0.01, as by hand.
    live_pause(lt, false);
    for (int i = 0; i < 9; i++) assert_int_equal(live_pump(lt, 0), 1);
    live_set_lr(lt, 0.01f);
    live_snapshot_get(lt, s, false);
    assert_true(s->lr == 0.01f);
    for (int i = 0; i < 10; i++) assert_int_equal(live_pump(lt, 0), 1);
    get_(lt, s);
    assert_int_equal(s->steps, 20);
    app_trainer t;
    assert_true(app_trainer_init(&t, &o, &train_, &test_, err, sizeof err));
    bool done, ok = true;
    app_epoch_stats st;
    for (int i = 0; i < 10; i++) ok = ok && app_trainer_step(&t, &done, &st, err, sizeof err);
    t.opt.lr = 0.01f;
    for (int i = 0; i < 10; i++) ok = ok && app_trainer_step(&t, &done, &st, err, sizeof err);
    const int same = ok && t.net->n_params == s->n_params &&
                     memcmp(t.net->params, s->params, sizeof(float) * s->n_params) == 0;
    app_trainer_destroy(&t);
    assert_true(ok);
    assert_true(same);
    // A reset now: the new model at step 0, trained by the next pumps.
    app_train_options o2 = options_(SMALL_ARCH);
    o2.lr = 0.03f;
    assert_true(live_reset(lt, &o2, err, sizeof err));
    get_(lt, s);
    assert_string_equal(s->arch, SMALL_ARCH);
    assert_int_equal(s->steps, 0);
    assert_true(s->lr == 0.03f);
    assert_int_equal(live_pump(lt, 0), 1);
    get_(lt, s);
    assert_int_equal(s->steps, 1);
    check_consistent_(s, SMALL_ARCH, SMALL_PARAMS);
    // A reset by the next frame (live_reset_async): rebuilding until then.
    live_pause(lt, true);
    live_reset_async(lt, &o);
    get_(lt, s);
    assert_true(s->rebuilding);
    assert_string_equal(s->arch, SMALL_ARCH);
    assert_int_equal(live_pump(lt, 0), 0);  // rebuilt; paused, so no step
    get_(lt, s);
    assert_false(s->rebuilding);
    assert_string_equal(s->arch, SOFTMAX_ARCH);
    assert_int_equal(s->steps, 0);
    assert_int_equal(s->reset_failures, 0);
    // A bad one fails there, with the reason, and the model stays.
    app_train_options bad = options_("flatten,dense(10");
    live_reset_async(lt, &bad);
    live_pump(lt, 0);
    get_(lt, s);
    assert_false(s->rebuilding);
    assert_int_equal(s->reset_failures, 1);
    assert_true(strstr(s->reset_error, "--arch") != NULL);
    assert_string_equal(s->arch, SOFTMAX_ARCH);
    // Destroyed while running (no thread to stop).
    live_pause(lt, false);
    assert_int_equal(live_pump(lt, 0), 1);
    drop_(lt);
}

// The same seed gives the same training in both modes, bit for bit: 60 steps
// of the small CNN (two epochs' boundary and a dozen evaluations) asked for
// with live_run_steps, on the thread and in frames.
static void test_frames_same_as_threads(void **state) {
    (void)state;
    const app_train_options o = options_(SMALL_ARCH);
    live_trainer *th = make_(&o, &train_);
    live_trainer *fr = make_frames_(&o, &train_);
    assert_int_equal(live_get_mode(th), LIVE_THREADS);
    live_snapshot *a = snapshot_buf_(), *b = snapshot_buf_();
    live_run_steps(th, 60);
    live_run_steps(fr, 60);
    assert_true(wait_flag_(th, a, is_paused_, 60000));
    pump_until_(fr, b, 3, 100000, is_paused_);
    assert_true(is_paused_(b));
    assert_int_equal(a->steps, 60);
    assert_int_equal(b->steps, 60);
    assert_same_params_(a, b, "60 steps on the thread and in frames");
    assert_same_curve_(a->loss, a->n_loss, b->loss, b->n_loss, "loss");
    assert_same_curve_(a->test_acc, a->n_test_acc, b->test_acc, b->n_test_acc, "test accuracy");
    assert_true(a->test_accuracy == b->test_accuracy);
    assert_memory_equal(a->confusion, b->confusion, sizeof a->confusion);
}

// The window in frames mode: runtime_frame pumps, so starting training with
// the key trains, a pause stops it, and a lesson's 'train N' runs its steps.
static void test_frames_through_runtime(void **state) {
    (void)state;
    app_state_init(&ui_);
    ui_.view = VIEW_TRAIN;
    // The small CNN: softmax's steps are so quick that its 750 steps can all
    // fit in the first frames, and a finished run is paused.
    ui_.train_model = 1;
    live_set_default_mode(LIVE_FRAMES);
    runtime_init(&rt_, &ui_, &all_train_, &test_);
    live_set_default_mode(LIVE_THREADS);
    rt_live_ = true;
    assert_int_equal(live_get_mode(rt_.dash), LIVE_FRAMES);
    assert_int_equal(live_get_mode(rt_.tmpl), LIVE_FRAMES);
    const app_action toggle = {.kind = ACT_TRAIN_TOGGLE};
    app_update(&ui_, &toggle);
    for (int i = 0; i < 20; i++) runtime_frame(&rt_, &ui_);
    const long long a = ui_.host.train_live->steps;
    assert_true(a >= 20);  // a step a frame at least
    assert_false(ui_.host.train_live->finished);
    assert_false(ui_.host.train_live->paused);
    app_update(&ui_, &toggle);  // pause
    runtime_frame(&rt_, &ui_);
    const long long b = ui_.host.train_live->steps;
    for (int i = 0; i < 5; i++) runtime_frame(&rt_, &ui_);
    assert_true(ui_.host.train_live->paused);
    assert_int_equal(ui_.host.train_live->steps, b);
    char why[400];
    assert_true(runtime_train_start(&rt_, &ui_, false, 7, why, sizeof why));
    int frames = 0;
    do runtime_frame(&rt_, &ui_);
    while (++frames < 1000 && !is_paused_(ui_.host.train_live));
    assert_int_equal(ui_.host.train_live->steps, b + 7);
    runtime_destroy(&rt_, &ui_);
    rt_live_ = false;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_create_starts_paused, test_teardown_),
        cmocka_unit_test_teardown(test_start_pause_resume, test_teardown_),
        cmocka_unit_test_teardown(test_pause_publishes_last_step, test_teardown_),
        cmocka_unit_test_teardown(test_set_lr_and_delay_reflected, test_teardown_),
        cmocka_unit_test_teardown(test_set_lr_used_by_training, test_teardown_),
        cmocka_unit_test_teardown(test_commands_seen_by_unforced_reader, test_teardown_),
        cmocka_unit_test_teardown(test_window_keys_through_runtime, test_teardown_),
        cmocka_unit_test_teardown(test_cnn_view_survives_model_switches, test_teardown_),
        cmocka_unit_test_teardown(test_reset_other_arch, test_teardown_),
        cmocka_unit_test_teardown(test_create_refuses_bad_options, test_teardown_),
        cmocka_unit_test_teardown(test_destroy_while_running, test_teardown_),
        cmocka_unit_test_teardown(test_snapshots_consistent_while_running, test_teardown_),
        cmocka_unit_test_teardown(test_snapshots_consistent_two_threads, test_teardown_),
        cmocka_unit_test_teardown(test_step_now_deterministic, test_teardown_),
        cmocka_unit_test_teardown(test_step_now_while_running, test_teardown_),
        cmocka_unit_test_teardown(test_divergence_pauses, test_teardown_),
        cmocka_unit_test_teardown(test_divergence_step_now, test_teardown_),
        cmocka_unit_test_teardown(test_finish_pauses, test_teardown_),
        cmocka_unit_test_teardown(test_run_steps_pauses_after_n, test_teardown_),
        cmocka_unit_test_teardown(test_eval_schedule_dense_at_start, test_teardown_),
        cmocka_unit_test_teardown(test_evaluations_beside_the_worker, test_teardown_),
        cmocka_unit_test_teardown(test_frames_evaluations_in_slices, test_teardown_),
        cmocka_unit_test_teardown(test_lesson_train_runs_on_the_worker, test_teardown_),
        cmocka_unit_test_teardown(test_lesson_train_esc_stops_it, test_teardown_),
        cmocka_unit_test_teardown(test_arch_failure_says_why, test_teardown_),
        cmocka_unit_test_teardown(test_incremental_params_are_the_training, test_teardown_),
        cmocka_unit_test_teardown(test_incremental_curves_across_thinning, test_teardown_),
        cmocka_unit_test_teardown(test_incremental_while_running, test_teardown_),
        cmocka_unit_test_teardown(test_many_readers_while_running, test_teardown_),
        cmocka_unit_test_teardown(test_frames_trains, test_teardown_),
        cmocka_unit_test_teardown(test_frames_budget, test_teardown_),
        cmocka_unit_test_teardown(test_frames_commands, test_teardown_),
        cmocka_unit_test_teardown(test_frames_same_as_threads, test_teardown_),
        cmocka_unit_test_teardown(test_frames_through_runtime, test_teardown_),
    };
    return cmocka_run_group_tests_name("live", tests, group_setup_, group_teardown_);
}
