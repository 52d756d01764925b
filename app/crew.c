// crew.c - persistent threads running one job together (see crew.h).
#include "crew.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

// How long a waiting member spins before it sleeps: more than the gap
// between a training step's two jobs. A time, not a count of turns: a turn
// (sched_yield) can take far longer when the cores are busy, or under valgrind,
// which runs one thread at a time.
#define CREW_SPIN_SECONDS_ 50e-6

struct app_crew;

typedef struct crew_member_ {
    struct app_crew *crew;
    int index;
    bool started;
    pthread_t thread;
} crew_member_;

struct app_crew {
    int members;
    bool spin;             // false when there are more members than cores
    crew_member_ *member;  // [members]; member 0 is the caller
    // The current job: written by the caller before `generation` moves on
    // (release), read by the members after they see it move (acquire).
    app_crew_job job;
    void *ctx;
    bool quit;
    atomic_uint generation;
    atomic_uint remaining;  // members with a thread still on the job
    pthread_mutex_t lock;
    pthread_cond_t go, done;
};

static double now_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// Spins, for at most CREW_SPIN_SECONDS_, until *value equals x (until_equal)
// or differs from it; true if that came. Each turn gives the core to any
// other thread that wants it (a member waiting for a core while this one
// spins would hold up the job); on an idle core sched_yield returns at once.
static bool spin_(atomic_uint *value, unsigned x, bool until_equal) {
    const double end = now_() + CREW_SPIN_SECONDS_;
    for (;;) {
        if ((atomic_load_explicit(value, memory_order_acquire) == x) == until_equal) return true;
        if (now_() >= end) return false;
        sched_yield();
    }
}

static void *member_main_(void *arg) {
    crew_member_ *me = arg;
    app_crew *c = me->crew;
    unsigned seen = 0;
    for (;;) {
        // Wait for the next job: spin, then sleep.
        if (!c->spin || !spin_(&c->generation, seen, false)) {
            pthread_mutex_lock(&c->lock);
            while (atomic_load_explicit(&c->generation, memory_order_acquire) == seen)
                pthread_cond_wait(&c->go, &c->lock);
            pthread_mutex_unlock(&c->lock);
        }
        seen = atomic_load_explicit(&c->generation, memory_order_acquire);
        if (c->quit) return NULL;
        c->job(c->ctx, me->index);
        if (atomic_fetch_sub_explicit(&c->remaining, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&c->lock);
            pthread_cond_signal(&c->done);
            pthread_mutex_unlock(&c->lock);
        }
    }
}

// Hands the members a new generation (a job or the quit) and wakes sleepers.
static void publish_(app_crew *c, int with_threads) {
    atomic_store_explicit(&c->remaining, (unsigned)with_threads, memory_order_relaxed);
    pthread_mutex_lock(&c->lock);
    atomic_fetch_add_explicit(&c->generation, 1, memory_order_release);
    pthread_cond_broadcast(&c->go);
    pthread_mutex_unlock(&c->lock);
}

app_crew *app_crew_create(int members) {
    if (members < 1 || members > 64) return NULL;
    app_crew *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->member = calloc((size_t)members, sizeof *c->member);
    if (!c->member) {
        free(c);
        return NULL;
    }
    c->members = members;
    // Spinning pays only when every member has a core: otherwise a spinning
    // member holds the core a working one waits for.
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->spin = cores >= members;
    atomic_init(&c->generation, 0);
    atomic_init(&c->remaining, 0);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->go, NULL);
    pthread_cond_init(&c->done, NULL);
    for (int m = 0; m < members; m++) {
        c->member[m].crew = c;
        c->member[m].index = m;
        if (m > 0)
            c->member[m].started =
                pthread_create(&c->member[m].thread, NULL, member_main_, &c->member[m]) == 0;
    }
    return c;
}

int app_crew_threads(const app_crew *c) {
    int n = 0;
    for (int m = 1; m < c->members; m++) n += c->member[m].started;
    return n;
}

void app_crew_run(app_crew *c, app_crew_job job, void *ctx) {
    const int threads = app_crew_threads(c);
    if (threads > 0) {
        c->job = job;
        c->ctx = ctx;
        publish_(c, threads);
    }
    job(ctx, 0);
    for (int m = 1; m < c->members; m++)
        if (!c->member[m].started) job(ctx, m);
    if (threads == 0) return;
    // Wait for the members: spin, then sleep.
    if (c->spin && spin_(&c->remaining, 0, true)) return;
    pthread_mutex_lock(&c->lock);
    while (atomic_load_explicit(&c->remaining, memory_order_acquire) != 0)
        pthread_cond_wait(&c->done, &c->lock);
    pthread_mutex_unlock(&c->lock);
}

void app_crew_destroy(app_crew *c) {
    if (!c) return;
    const int threads = app_crew_threads(c);
    if (threads > 0) {
        c->quit = true;
        publish_(c, threads);
        for (int m = 1; m < c->members; m++)
            if (c->member[m].started) pthread_join(c->member[m].thread, NULL);
    }
    pthread_cond_destroy(&c->done);
    pthread_cond_destroy(&c->go);
    pthread_mutex_destroy(&c->lock);
    free(c->member);
    free(c);
}
