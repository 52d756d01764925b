// lesson_play.h - playing a lesson over the views: beats (the commands
// between two waits), captions, highlights, quizzes answered by the engine
// itself, and expectations checked against it. SDL-free: the window, the
// headless runner and the tests all use it.
#ifndef APP_LESSON_PLAY_H
#define APP_LESSON_PLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "lesson.h"
#include "state.h"

// What the player asks of whoever owns the trainers (the runtime fills one in;
// with no host a lesson's training commands fail with a clear message).
typedef struct lesson_host {
    void *ctx;
    // Switches the view's trainer to s->train_model afresh: now on this
    // thread (a transcript) or on the worker.
    void (*select_model)(void *ctx, app_state *s, bool now);
    // True if that trainer (the templates' or the dashboard's) exists.
    bool (*has_trainer)(void *ctx, bool templates);
    // Hands n steps to the worker (the window goes on; resumed by lesson_resume).
    bool (*train_start)(void *ctx, app_state *s, bool templates, int n, char *why, size_t whysize);
    // Trains n steps now, on this thread (a transcript: repeatable).
    bool (*train_steps)(void *ctx, app_state *s, bool templates, int n);
    // Brings what the runtime derives (the training snapshots, the live
    // network's numbers on the view's input) up to date now.
    void (*refresh)(void *ctx, app_state *s);
} lesson_host;

// Starts a lesson from a clean state and plays its first beat. `log` (may be
// NULL) receives the transcript.
void lesson_start(app_state *s, const lesson_host *host, const lesson *l, FILE *log);

// Plays the next beat; false when the lesson is over.
bool lesson_next(app_state *s, const lesson_host *host, FILE *log);

// Carries on the beat after its 'train N' ended on the worker (or was
// stopped), first adding `note` (may be NULL) to the caption; then goes on
// replaying, if the training came while going back.
void lesson_resume(app_state *s, const lesson_host *host, const char *note);

// Goes back one beat (replays the lesson up to it, quietly).
void lesson_back(app_state *s, const lesson_host *host);

// Closes the lesson, leaving the views as they are.
void lesson_close(app_state *s);


// Counts the beats of a lesson.
int lesson_count_beats(const lesson *l);

// About how long the lesson takes in class, in minutes (at least 1): its
// captions and questions read aloud at 130 words a minute, 20 s a step to
// look at the screen, 60 s a quiz to think and answer, 10 s a 'train N'.
int lesson_class_minutes(const lesson *l);

#endif
