// runtime.h - what the views need beyond their state: the training threads
// (one for the dashboard's model, one for the templates' softmax classifier),
// the shipped model for drawing, and a copy of the live model's weights. The
// window and the headless runner call runtime_frame once per frame: it carries
// out the state's requests and points the state at fresh snapshots.
#ifndef APP_RUNTIME_H
#define APP_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dataset.h"
#include "digit.h"
#include "lesson.h"
#include "lesson_play.h"
#include "live.h"
#include "state.h"

typedef struct app_runtime {
    const app_dataset *train, *test;  // not owned
    live_trainer *dash, *tmpl;
    live_snapshot *dash_snap, *tmpl_snap;
    nn_net *shipped;                  // assets/lenet5.model, for drawing
    nn_net *live_net;                 // the dashboard model's weights, for drawing
    uint64_t live_net_version;        // the snapshot params_stamp live_net holds
    char live_net_arch[256];
    // The CNN view's own copy of the live network: its activations are the
    // maps it shows, and nothing else runs it (drawing runs live_net).
    nn_net *cnn_net;
    char cnn_net_arch[256];
    uint64_t cnn_version;             // the params_stamp its maps were computed from
    int cnn_digit;
    // The network view's copy: the live weights run on its input (a test
    // digit, the drawing or the dropped picture), recomputed when either changes.
    nn_net *network_net;
    char network_net_arch[256];
    uint64_t network_version;
    float network_input[28 * 28];
    lesson_entry *menu;               // the lesson menu's files, sorted by name (s->host.lessons)
    lesson current;                   // the lesson being played
    bool have_lesson;
    lesson_host host;                 // what the lesson player asks of this runtime
    int dash_failures, tmpl_failures; // reset failures already reported (snapshot counts)
    char note[400];                   // why something is missing (the last reason; the state has each)
    // Reads a picture (PNG, BMP, PGM/PPM) for a file dropped onto the window:
    // the window sets it to app_image_load after runtime_init (no SDL here);
    // NULL: dropped files are refused with a message.
    bool (*load_image)(const char *path, app_gray_image *out, char *err, size_t errsize);
} app_runtime;

// Sets up what is available (training needs both datasets; drawing needs the
// shipped model) and points the state at it. Missing parts are noted, not fatal.
void runtime_init(app_runtime *rt, app_state *s, const app_dataset *train, const app_dataset *test);

// Once per frame: requests, snapshots, the live model's weights.
void runtime_frame(app_runtime *rt, app_state *s);

// Finds the lessons folder: $CONVSTEP_LESSONS, beside the assets folder, or
// the source tree's. False with what was looked at.
bool runtime_lessons_dir(char *buf, size_t size, char *err, size_t errsize);

// Opens a lesson file and plays its first beat (log: transcript, may be NULL).
bool runtime_open_lesson(app_runtime *rt, app_state *s, const char *path, FILE *log, char *err,
                         size_t errsize);

// Trains the dashboard's or the templates' model for n steps right now (on
// this thread; for repeatable headless pictures and tests).
bool runtime_train_steps(app_runtime *rt, app_state *s, bool templates, int n);

// Switches the trainer of the current view to app_state.train_model (the
// templates' to softmax) and starts it afresh: right now on this thread
// (now: repeatable headless runs), or on the worker (the window goes on
// drawing; the snapshot says `rebuilding` until it is done).
void runtime_select_model(app_runtime *rt, app_state *s, bool now);

// Hands n steps to the dashboard's or the templates' training worker, which
// pauses when they are done (the window's lessons: runtime_frame resumes the
// beat then, and the window keeps answering meanwhile). False with the reason
// in `why` when that trainer is missing.
bool runtime_train_start(app_runtime *rt, app_state *s, bool templates, int n, char *why, size_t whysize);

// Plays the lesson's next beat (the headless player: `log` gets the transcript).
bool runtime_lesson_next(app_runtime *rt, app_state *s, FILE *log);

void runtime_destroy(app_runtime *rt, app_state *s);

#endif
