// crew.h - a crew of threads kept for a trainer's whole life that run one job
// together, the calling thread as member 0: training splits each batch over
// them, then the parameter update. Starting and joining threads at every
// step, as before, cost about as much as a LeNet-5 step's serial part, which
// kept 2 threads under 1.8 times one thread's rate.
//
// A waiting member spins for a moment when every member has a core of its
// own (the next job usually comes within microseconds) and then sleeps on a
// condition variable, so an idle crew (a paused live view) costs nothing.
#ifndef APP_CREW_H
#define APP_CREW_H

#include <stdbool.h>

typedef struct app_crew app_crew;

// One member's part of a job; member runs from 0 to members - 1.
typedef void (*app_crew_job)(void *ctx, int member);

// A crew of `members` (1 to 64): member 0 is the caller of app_crew_run, the
// others get a thread each. A member whose thread cannot start (a browser
// page without threads) is worked by the caller after its own part, in
// member order. NULL when out of memory.
app_crew *app_crew_create(int members);
// Runs job(ctx, m) for every member m and returns when all have finished.
void app_crew_run(app_crew *crew, app_crew_job job, void *ctx);
// How many members have a thread of their own (for tests).
int app_crew_threads(const app_crew *crew);
// Stops and joins the threads, frees the crew (NULL is fine).
void app_crew_destroy(app_crew *crew);

#endif
