// test_crew.c - the trainer's persistent threads (app/crew.c): every member
// runs each job exactly once, on as many threads as asked, at the same time;
// what the members write is there for the caller when app_crew_run returns;
// members asleep after a pause wake for the next job; a crew of one has no
// thread; sizes outside 1..64 are refused. Run under ThreadSanitizer by
// scripts/test.sh with test_live.
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L  // nanosleep, clock_gettime
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "crew.h"

#define MAX_MEMBERS_ 8

typedef struct count_ctx_ {
    int runs[MAX_MEMBERS_];  // each member writes only its own slot
    pthread_t who[MAX_MEMBERS_];
} count_ctx_;

static void count_job_(void *ctx, int member) {
    count_ctx_ *c = ctx;
    c->runs[member]++;
    c->who[member] = pthread_self();
}

// 2,000 jobs on crews of 1 to 5: each member exactly once a job; members
// other than 0 on threads of their own, member 0 on the caller's.
static void test_every_member_once_a_job(void **state) {
    (void)state;
    for (int members = 1; members <= 5; members++) {
        app_crew *crew = app_crew_create(members);
        assert_non_null(crew);
        assert_int_equal(app_crew_threads(crew), members - 1);
        count_ctx_ c;
        memset(&c, 0, sizeof c);
        for (int run = 0; run < 2000; run++) app_crew_run(crew, count_job_, &c);
        for (int m = 0; m < members; m++) assert_int_equal(c.runs[m], 2000);
        for (int m = members; m < MAX_MEMBERS_; m++) assert_int_equal(c.runs[m], 0);
        assert_true(pthread_equal(c.who[0], pthread_self()));
        for (int m = 1; m < members; m++) {
            assert_false(pthread_equal(c.who[m], pthread_self()));
            for (int o = 1; o < m; o++) assert_false(pthread_equal(c.who[m], c.who[o]));
        }
        app_crew_destroy(crew);
    }
}

// Each member fills its stretch of an array with plain (not atomic) writes;
// the next job reads the whole array: it must see every write of the last.
typedef struct fill_ctx_ {
    int members, round;
    long values[4096];
    long sums[MAX_MEMBERS_];
} fill_ctx_;

static void fill_job_(void *ctx, int member) {
    fill_ctx_ *c = ctx;
    const int lo = 4096 * member / c->members, hi = 4096 * (member + 1) / c->members;
    for (int i = lo; i < hi; i++) c->values[i] = (long)c->round * 4096 + i;
}

static void sum_job_(void *ctx, int member) {
    fill_ctx_ *c = ctx;
    long s = 0;
    for (int i = 0; i < 4096; i++) s += c->values[i];
    c->sums[member] = s;
}

static void test_writes_seen_by_the_next_job(void **state) {
    (void)state;
    fill_ctx_ c;
    memset(&c, 0, sizeof c);
    c.members = 3;
    app_crew *crew = app_crew_create(c.members);
    assert_non_null(crew);
    for (c.round = 1; c.round <= 300; c.round++) {
        app_crew_run(crew, fill_job_, &c);
        app_crew_run(crew, sum_job_, &c);
        // sum of round * 4096 + i over i < 4096, worked out by hand
        const long want = (long)c.round * 4096 * 4096 + 4096L * 4095 / 2;
        for (int m = 0; m < c.members; m++) assert_int_equal(c.sums[m], want);
    }
    app_crew_destroy(crew);
}

// Two members that each wait for the other's flag: only members running at
// the same time get past it (a crew that ran them one after the other would
// time out here).
typedef struct meet_ctx_ {
    atomic_int arrived[2];
    bool met[2];
} meet_ctx_;

static double now_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void meet_job_(void *ctx, int member) {
    meet_ctx_ *c = ctx;
    atomic_store(&c->arrived[member], 1);
    const double give_up = now_() + 5.0;
    while (!atomic_load(&c->arrived[1 - member]) && now_() < give_up) {
    }
    c->met[member] = atomic_load(&c->arrived[1 - member]) != 0;
}

static void test_members_run_together(void **state) {
    (void)state;
    app_crew *crew = app_crew_create(2);
    assert_non_null(crew);
    for (int round = 0; round < 20; round++) {
        meet_ctx_ c;
        atomic_init(&c.arrived[0], 0);
        atomic_init(&c.arrived[1], 0);
        c.met[0] = c.met[1] = false;
        app_crew_run(crew, meet_job_, &c);
        assert_true(c.met[0]);
        assert_true(c.met[1]);
    }
    app_crew_destroy(crew);
}

// After a pause long enough for the members to stop spinning and sleep, the
// next job still reaches every one of them; destroying an idle crew returns.
static void test_sleeping_members_wake(void **state) {
    (void)state;
    app_crew *crew = app_crew_create(3);
    assert_non_null(crew);
    count_ctx_ c;
    memset(&c, 0, sizeof c);
    for (int round = 0; round < 5; round++) {
        const struct timespec pause = {0, 30 * 1000 * 1000};
        nanosleep(&pause, NULL);
        app_crew_run(crew, count_job_, &c);
    }
    for (int m = 0; m < 3; m++) assert_int_equal(c.runs[m], 5);
    const struct timespec pause = {0, 30 * 1000 * 1000};
    nanosleep(&pause, NULL);
    app_crew_destroy(crew);
}

static void test_sizes(void **state) {
    (void)state;
    assert_null(app_crew_create(0));
    assert_null(app_crew_create(65));
    app_crew *one = app_crew_create(1);
    assert_non_null(one);
    assert_int_equal(app_crew_threads(one), 0);
    count_ctx_ c;
    memset(&c, 0, sizeof c);
    app_crew_run(one, count_job_, &c);
    assert_int_equal(c.runs[0], 1);
    assert_true(pthread_equal(c.who[0], pthread_self()));
    app_crew_destroy(one);
    app_crew_destroy(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_member_once_a_job),
        cmocka_unit_test(test_writes_seen_by_the_next_job),
        cmocka_unit_test(test_members_run_together),
        cmocka_unit_test(test_sleeping_members_wake),
        cmocka_unit_test(test_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
