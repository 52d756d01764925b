// helpers.h - shared helpers for the engine's cmocka tests: float arrays that
// explain their mismatches, error sentences checked by substring, and a small
// seeded random generator. Header-only (static inline) so every test file is
// a single translation unit linked against the engine.
#ifndef CONVSTEP_TESTS_HELPERS_H
#define CONVSTEP_TESTS_HELPERS_H

// cmocka needs these before its own header.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nn.h"

#define HELPERS_COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

// How many mismatching elements assert_tensor_near prints before summing up.
#define HELPERS_MAX_SHOWN 5

// Fails (at the caller's line) unless |actual[i] - expected[i]| <= tol for
// every i < count. NaN never matches. Prints the first few mismatches as
// index, got, want, and the largest difference.
static inline void assert_tensor_near_(const float *actual, const float *expected, size_t count,
                                       double tol, const char *what, const char *file,
                                       int line) {
    size_t bad = 0;
    double worst = 0.0;
    size_t worst_i = 0;
    for (size_t i = 0; i < count; i++) {
        const double d = fabs((double)actual[i] - (double)expected[i]);
        if (d <= tol) continue;  // false for NaN, so NaN is reported
        if (bad < HELPERS_MAX_SHOWN)
            print_error("%s[%zu]: got %.9g, want %.9g (diff %.3g)\n", what, i,
                        (double)actual[i], (double)expected[i], d);
        bad++;
        if (isnan(d) || d > worst) {
            worst = d;
            worst_i = i;
        }
    }
    if (bad == 0) return;
    print_error("%s: %zu of %zu values differ by more than %g; max diff %.3g at [%zu]\n", what,
                bad, count, tol, worst, worst_i);
    _fail(file, line);
}

#define assert_tensor_near(actual, expected, count, tol) \
    assert_tensor_near_((actual), (expected), (count), (tol), #actual, __FILE__, __LINE__)

// Fails unless two float arrays are identical bit for bit (memcmp), printing
// the first differing element otherwise.
static inline void assert_floats_identical_(const float *a, const float *b, size_t count,
                                            const char *what, const char *file, int line) {
    if (memcmp(a, b, count * sizeof *a) == 0) return;
    for (size_t i = 0; i < count; i++) {
        if (memcmp(&a[i], &b[i], sizeof *a) != 0) {
            print_error("%s[%zu]: %.9g is not bit-identical to %.9g (diff %.3g)\n", what, i,
                        (double)a[i], (double)b[i], fabs((double)a[i] - (double)b[i]));
            break;
        }
    }
    _fail(file, line);
}

#define assert_floats_identical(a, b, count) \
    assert_floats_identical_((a), (b), (count), #a, __FILE__, __LINE__)

// Fails unless the error sentence contains `needle`, printing the whole
// sentence otherwise.
static inline void assert_error_contains_(const nn_error *err, const char *needle,
                                          const char *file, int line) {
    if (strstr(err->msg, needle) != NULL) return;
    print_error("error message does not contain \"%s\"\n  whole message: \"%s\"\n", needle,
                err->msg);
    _fail(file, line);
}

#define assert_error_contains(err, needle) \
    assert_error_contains_(&(err), (needle), __FILE__, __LINE__)

// Fails unless `got` is the status `want`; prints both names and the error
// sentence (the sentence explains an unexpected failure).
static inline void assert_status_(nn_status got, nn_status want, const nn_error *err,
                                  const char *call, const char *file, int line) {
    if (got == want) return;
    print_error("%s returned %d (%s), want %d (%s)\n  message: \"%s\"\n", call, (int)got,
                nn_status_name(got), (int)want, nn_status_name(want), err ? err->msg : "");
    _fail(file, line);
}

#define assert_status(call, want, err) \
    assert_status_((call), (want), &(err), #call, __FILE__, __LINE__)
#define assert_ok(call, err) assert_status(call, NN_OK, err)

// A fresh error buffer with a sentinel message, so a test can tell whether a
// call wrote one.
static inline nn_error error_fresh(void) {
    nn_error e;
    snprintf(e.msg, sizeof e.msg, "(no message)");
    return e;
}

// A small seeded generator (xorshift32): the same numbers on every machine.
typedef struct test_rng {
    uint32_t state;
} test_rng;

static inline test_rng rng_seed(uint32_t seed) {
    test_rng r = {seed ? seed : 0x9e3779b9u};
    return r;
}

static inline uint32_t rng_next(test_rng *r) {
    uint32_t x = r->state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    r->state = x;
    return x;
}

// A float in [lo, hi), with 24 random bits (not a dyadic grid: sums round).
static inline float rng_float(test_rng *r, float lo, float hi) {
    const float unit = (float)(rng_next(r) >> 8) / 16777216.0f;
    return lo + (hi - lo) * unit;
}

static inline void rng_fill(test_rng *r, float *a, size_t count, float lo, float hi) {
    for (size_t i = 0; i < count; i++) a[i] = rng_float(r, lo, hi);
}

#endif
