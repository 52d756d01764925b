// lesson_play.h - playing a lesson over the views: beats (the commands
// between two waits), captions, highlights, quizzes answered by the engine
// itself, and expectations checked against it. SDL-free: the window, the
// headless runner and the tests all use it.
#ifndef APP_LESSON_PLAY_H
#define APP_LESSON_PLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "lesson.h"
#include "runtime.h"
#include "state.h"

// Starts a lesson from a clean state and plays its first beat. `log` (may be
// NULL) receives the transcript.
void lesson_start(app_state *s, app_runtime *rt, const lesson *l, FILE *log);

// Plays the next beat; false when the lesson is over.
bool lesson_next(app_state *s, app_runtime *rt, FILE *log);

// Carries on the beat after its 'train N' ended on the worker (or was
// stopped), first adding `note` (may be NULL) to the caption; then goes on
// replaying, if the training came while going back.
void lesson_resume(app_state *s, app_runtime *rt, const char *note);

// Goes back one beat (replays the lesson up to it, quietly).
void lesson_back(app_state *s, app_runtime *rt);

// Closes the lesson, leaving the views as they are.
void lesson_close(app_state *s);

// Checks a typed quiz answer against the engine's (numbers with the rounding
// rule of --expect, sizes as RxC).
bool lesson_answer_matches(const char *typed, const char *engine);

// Counts the beats of a lesson.
int lesson_count_beats(const lesson *l);

#endif
