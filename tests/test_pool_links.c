// test_pool_links.c - the pooling view's hover links (app/view_pool_links.h):
// the input cells under an output's window and the outputs whose windows hold
// an input cell, with padding, stride and window size. Every expected range is
// worked out by hand in the comments; a brute-force check over every pair
// (output, input) then ties the two directions together.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "view_pool_links.h"

#define assert_span(s, want_lo, want_hi)      \
    do {                                      \
        const pool_span got_ = (s);           \
        assert_int_equal(got_.lo, (want_lo)); \
        assert_int_equal(got_.hi, (want_hi)); \
    } while (0)
#define assert_empty(s) assert_true((s).lo > (s).hi)

// 6x6 input, window 3, stride 2, padding 1: out = floor((6 + 2*1 - 3)/2) + 1
// = floor(5/2) + 1 = 3. Output o's window starts at 2o - 1:
//   o = 0: rows -1..1   o = 1: rows 1..3   o = 2: rows 3..5
// so the bottom padding row 6 is in no window.
static const pool_axis_links SIX_W3_S2_P1 = {.n = 6, .size = 3, .stride = 2, .pad = 1, .out = 3};

static void test_window_of_an_output(void **st) {
    (void)st;
    assert_span(pool_window_span(&SIX_W3_S2_P1, 0), -1, 1);
    assert_span(pool_window_span(&SIX_W3_S2_P1, 1), 1, 3);
    assert_span(pool_window_span(&SIX_W3_S2_P1, 2), 3, 5);
    // Not an output: nothing.
    assert_empty(pool_window_span(&SIX_W3_S2_P1, 3));
    assert_empty(pool_window_span(&SIX_W3_S2_P1, -1));
}

static void test_outputs_of_an_input_with_padding(void **st) {
    (void)st;
    // From the windows above: row -1 (padding) is only in o = 0; row 0 only in
    // o = 0; row 1 in o = 0 and 1 (the windows overlap there); row 2 only in
    // o = 1; row 3 in 1 and 2; rows 4 and 5 only in 2; row 6 (padding) in none.
    assert_span(pool_outputs_of(&SIX_W3_S2_P1, -1), 0, 0);
    assert_span(pool_outputs_of(&SIX_W3_S2_P1, 0), 0, 0);
    assert_span(pool_outputs_of(&SIX_W3_S2_P1, 1), 0, 1);
    assert_span(pool_outputs_of(&SIX_W3_S2_P1, 2), 1, 1);
    assert_span(pool_outputs_of(&SIX_W3_S2_P1, 3), 1, 2);
    assert_span(pool_outputs_of(&SIX_W3_S2_P1, 4), 2, 2);
    assert_span(pool_outputs_of(&SIX_W3_S2_P1, 5), 2, 2);
    assert_empty(pool_outputs_of(&SIX_W3_S2_P1, 6));
    // Outside the padded input: nothing.
    assert_empty(pool_outputs_of(&SIX_W3_S2_P1, -2));
    assert_empty(pool_outputs_of(&SIX_W3_S2_P1, 7));
}

static void test_outputs_of_an_input_no_padding(void **st) {
    (void)st;
    // 5x5, window 2, stride 2: out = floor((5 - 2)/2) + 1 = 2; windows rows
    // 0..1 and 2..3; row 4 is never reached (the floor dropped it).
    const pool_axis_links a = {.n = 5, .size = 2, .stride = 2, .pad = 0, .out = 2};
    assert_span(pool_outputs_of(&a, 0), 0, 0);
    assert_span(pool_outputs_of(&a, 1), 0, 0);
    assert_span(pool_outputs_of(&a, 2), 1, 1);
    assert_span(pool_outputs_of(&a, 3), 1, 1);
    assert_empty(pool_outputs_of(&a, 4));
    // 5x5, window 3, stride 1 (lesson 06): out = 5 - 3 + 1 = 3; windows 0..2,
    // 1..3, 2..4: the middle row 2 is in all three, the corners in one.
    const pool_axis_links b = {.n = 5, .size = 3, .stride = 1, .pad = 0, .out = 3};
    assert_span(pool_outputs_of(&b, 0), 0, 0);
    assert_span(pool_outputs_of(&b, 1), 0, 1);
    assert_span(pool_outputs_of(&b, 2), 0, 2);
    assert_span(pool_outputs_of(&b, 3), 1, 2);
    assert_span(pool_outputs_of(&b, 4), 2, 2);
    // Window 1, stride 3, padding 0, n 7: out = floor(6/3) + 1 = 3, windows
    // are the single rows 0, 3, 6; rows between are skipped.
    const pool_axis_links c = {.n = 7, .size = 1, .stride = 3, .pad = 0, .out = 3};
    assert_span(pool_outputs_of(&c, 3), 1, 1);
    assert_empty(pool_outputs_of(&c, 4));
    assert_span(pool_outputs_of(&c, 6), 2, 2);
}

static void test_linked_in_two_dimensions(void **st) {
    (void)st;
    // Output (1, 2) of the 6x6 case: rows 1..3, cols 3..5.
    assert_true(pool_linked(&SIX_W3_S2_P1, &SIX_W3_S2_P1, 1, 2, 1, 3));
    assert_true(pool_linked(&SIX_W3_S2_P1, &SIX_W3_S2_P1, 1, 2, 3, 5));
    assert_false(pool_linked(&SIX_W3_S2_P1, &SIX_W3_S2_P1, 1, 2, 0, 3));  // row 0 is above it
    assert_false(pool_linked(&SIX_W3_S2_P1, &SIX_W3_S2_P1, 1, 2, 2, 2));  // col 2 left of it
    assert_false(pool_linked(&SIX_W3_S2_P1, &SIX_W3_S2_P1, 1, 2, 2, 6));  // right padding: unreached
}

// The two directions agree: o is in outputs_of(i) exactly when i is in window(o).
static void test_directions_agree(void **st) {
    (void)st;
    for (int n = 3; n <= 9; n++)
        for (int size = 1; size <= 4; size++)
            for (int stride = 1; stride <= 3; stride++)
                for (int pad = 0; pad <= size / 2; pad++) {
                    if (n + 2 * pad < size) continue;
                    const pool_axis_links a = {n, size, stride, pad, (n + 2 * pad - size) / stride + 1};
                    for (int i = -pad; i < n + pad; i++)
                        for (int o = 0; o < a.out; o++)
                            assert_int_equal(pool_span_has(pool_outputs_of(&a, i), o),
                                             pool_span_has(pool_window_span(&a, o), i));
                }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_of_an_output),
        cmocka_unit_test(test_outputs_of_an_input_with_padding),
        cmocka_unit_test(test_outputs_of_an_input_no_padding),
        cmocka_unit_test(test_linked_in_two_dimensions),
        cmocka_unit_test(test_directions_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
