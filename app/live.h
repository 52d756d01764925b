// live.h - training on a worker thread while the window watches. The worker
// owns the trainer; the window only ever reads a snapshot, its small fields
// copied under a mutex, its parameters from a published buffer the worker
// never writes while it is read (copied under the same mutex, and only when
// new), so nothing it draws can be half-updated (and ThreadSanitizer has
// nothing to report). Commands (pause, learning rate, reset) go the other way
// through the same lock.
//
// Where no thread can run (a browser page without cross-origin isolation),
// the same trainer runs time-sliced instead: the window's frame calls
// live_pump, which trains until its share of the frame is spent and then
// publishes. Snapshots and commands are the same in both modes, and so are
// the parameters after the same steps.
#ifndef APP_LIVE_H
#define APP_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "train.h"

#define LIVE_MAX_POINTS 512     // points kept per curve (older ones are thinned)
#define LIVE_MAX_WRONG 24       // test digits it gets wrong, shown in a gallery
#define LIVE_MAX_PARAMS 65536   // parameters copied into a snapshot (LeNet-5: 61,706)

typedef struct live_point {
    float step;      // batches done
    float value;
} live_point;

// What the window draws: a consistent copy of the training's state. A
// snapshot is a plain value (copy it with `=`); live_snapshot_get brings one
// up to date by copying only what changed since: the small fields, the curve
// points it lacks, and the parameters only when they are new.
typedef struct live_snapshot {
    // -- Copied whole on every update (about 1.6 KiB).
    uint64_t version;            // changes whenever the worker publishes
    char arch[256];
    bool running, paused, diverged, finished;
    char message[320];           // why it stopped, when it did
    int epoch, epochs;           // epoch in progress (0-based), planned epochs
    int batch_in_epoch, batches_per_epoch;
    long long steps;
    double samples_per_sec, seconds_left;  // the rate of the last steps (step time only)
    double train_seconds;        // time spent in steps since the model was built (no evaluations)
    long long train_samples;     // samples trained since then: with train_seconds, a run's rate
    float lr;
    int delay_ms;                // slow motion: pause between steps
    int run_left;                // steps of a live_run_steps still to run (0: none asked)
    bool rebuilding;             // a live_reset_async is waiting for the worker or under way
    int reset_failures;          // live_reset_async calls that failed so far
    char reset_error[320];       // why the last one failed
    float test_accuracy;         // latest evaluation
    int confusion[10][10];       // [true][predicted] on the test set, latest evaluation
    int n_wrong;
    int wrong_index[LIVE_MAX_WRONG];   // test digits misclassified
    int wrong_pred[LIVE_MAX_WRONG];
    int n_loss, n_train_acc, n_test_acc;
    size_t n_params;
    // What the arrays below hold, as stamps unique among all trainers (so a
    // snapshot taken from another trainer is never mistaken for up to date):
    uint64_t curves_stamp;       // changes when curve points are dropped (thinned, new model)
    uint64_t params_stamp;       // changes whenever parameters are published
    // -- Copied in part: the curves only grow while curves_stamp stays.
    live_point loss[LIVE_MAX_POINTS], train_acc[LIVE_MAX_POINTS], test_acc[LIVE_MAX_POINTS];
    float params[LIVE_MAX_PARAMS];     // the model's parameters at `steps`
} live_snapshot;

typedef struct live_trainer live_trainer;

// How a trainer trains: on its own thread, or in slices of the window's
// frames (live_pump).
typedef enum live_mode { LIVE_THREADS, LIVE_FRAMES } live_mode;

// The mode of trainers made from now on (LIVE_THREADS unless set; the
// program sets it once at start from CONVSTEP_LIVE=threads|frames). A
// trainer asked for threads falls back to frames when no thread can start.
void live_set_default_mode(live_mode mode);
bool live_mode_parse(const char *name, live_mode *mode);  // "threads", "frames"
const char *live_mode_name(live_mode mode);
live_mode live_get_mode(const live_trainer *lt);

// Time-sliced training (LIVE_FRAMES), called once a frame: runs a reset
// asked for with live_reset_async, then steps while it runs (not paused)
// and another step as long as the last one still fits in budget_ms (at
// least one step; one per frame in slow motion, when its delay has passed),
// then publishes. A test evaluation on the schedule below makes its step
// longer than the budget. Returns the steps made; 0 at once for a trainer
// with its own thread.
int live_pump(live_trainer *lt, double budget_ms);

// The share of a 60 Hz frame (16.7 ms) live_pump trains in the window: the
// rest draws the frame (about 9 ms for the training view).
#define LIVE_PUMP_BUDGET_MS 6.0

// Starts a worker (paused; a thread, or live_pump) that trains `opt` on the datasets, which must
// outlive it. NULL with a message if the model cannot be built.
live_trainer *live_create(const app_train_options *opt, const app_dataset *train,
                          const app_dataset *test, char *err, size_t errsize);

// Stops the worker and frees everything (NULL is fine).
void live_destroy(live_trainer *lt);

void live_pause(live_trainer *lt, bool paused);
void live_set_lr(live_trainer *lt, float lr);
void live_set_delay(live_trainer *lt, int delay_ms);

// Starts again from new weights with these options (the worker steps aside
// while the model is rebuilt, then carries on if it was running).
bool live_reset(live_trainer *lt, const app_train_options *opt, char *err, size_t errsize);

// Runs n more steps on the worker at full speed, then pauses (a lesson's
// 'train N' in the window). live_pause(lt, true) stops it early. A finished or
// diverged run stays paused (run_left 0 at once).
void live_run_steps(live_trainer *lt, int n);

// The same as live_reset, done by the worker (the model is built and the
// test set evaluated there, so the window goes on drawing). The snapshot says
// `rebuilding` until it is done; a failure keeps the old model and counts in
// reset_failures with the reason in reset_error. Steps asked for afterwards
// (live_run_steps) run on the new model.
void live_reset_async(live_trainer *lt, const app_train_options *opt);

// Copies the latest published state into *out (only if it changed since
// out->version, unless force). Returns true if *out was updated. Only what
// changed since *out's state is copied (a forced copy copies everything).
bool live_snapshot_get(live_trainer *lt, live_snapshot *out, bool force);

// Runs n steps on the caller's thread (for tests and headless runs that need
// an exact, repeatable amount of training), then publishes.
bool live_step_now(live_trainer *lt, int n, char *err, size_t errsize);

// The evaluation schedule: the steps after which the worker measures the
// whole test set (a point of the test_acc curve, the confusion matrix, the
// wrong digits). Dense at the start, where accuracy climbs within a few dozen
// steps, sparse later, where it barely moves and an evaluation (about 0.1 s
// for the small CNN or LeNet-5 on 2,000 digits) would slow training down:
// step 0, then every LIVE_EVAL_DENSE_EVERY steps up to LIVE_EVAL_DENSE_UNTIL,
// every LIVE_EVAL_MID_EVERY up to LIVE_EVAL_MID_UNTIL, then every
// LIVE_EVAL_LATE_EVERY. Besides these, an evaluation also ends each epoch and
// wherever training stops (finished, the end of live_run_steps or of
// live_step_now), so the picture always shows the last step.
//
// With a worker thread, a second thread evaluates, from a copy of the
// parameters taken at the scheduled step, while the worker trains on (a
// LeNet-5 evaluation takes about as long as 10 steps, so evaluating inline
// on the dense schedule would cost a third of the steps a student sees; every
// 20 steps, not 10, so that on two cores the evaluations, the trainer and the
// drawing fit: a point every 20 steps is still several a second); its points
// reach the snapshot when they are ready, in step order, and a few are
// queued before the worker waits for them (no point is ever skipped, so the
// curve is the same at any speed). Where training stops, the worker waits
// for them all. Without threads (live_pump) the same queue is worked in
// slices of the frames, up to half of each frame's share.
#define LIVE_EVAL_DENSE_EVERY 20
#define LIVE_EVAL_DENSE_UNTIL 200
#define LIVE_EVAL_MID_EVERY 50
#define LIVE_EVAL_MID_UNTIL 1000
#define LIVE_EVAL_LATE_EVERY 250
bool live_eval_scheduled(long long step);

#endif
