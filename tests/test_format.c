// test_format.c - the numbers a student reads on screen (format.h): at most
// four significant digits, exact integers whole, fractions written out and
// percentages that agree with their bars. Expected strings are worked out
// by hand in the comments.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "format.h"

static void test_screen_four_significant_digits(void **state) {
    (void)state;
    static const struct {
        float v;
        const char *want;
    } cases[] = {
        {28.0f / 9.0f, "3.111"},     // 3.1111112 -> 4 digits
        {1.0f / 9.0f, "0.1111"},     // the box blur's weight
        {-0.83111113f, "-0.8311"},   // a legend's end
        {12.0f, "12"},               // exact integers stay whole
        {-3.0f, "-3"},
        {0.0f, "0"},
        {-0.0f, "0"},                // never "-0"
        {0.5f, "0.5"},               // trailing zeros dropped
        {2.25f, "2.25"},
        {1234.56f, "1235"},          // 4 digits before the point: none after
        {9.99996f, "10"},            // rounding carries into a new digit
        {0.000123456f, "0.0001235"}, // leading zeros are not significant
        {-1e-6f, "-1e-06"},          // tiny: scientific
        {0.99f, "0.99"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char b[32];
        fmt_screen(cases[i].v, b, sizeof b);
        if (strcmp(b, cases[i].want) != 0)
            fail_msg("fmt_screen(%.9g) = '%s', want '%s'", (double)cases[i].v, b, cases[i].want);
    }
    char b[32];
    fmt_screen(NAN, b, sizeof b);
    assert_string_equal(b, "nan");
    fmt_screen(-INFINITY, b, sizeof b);
    assert_string_equal(b, "-inf");
    fmt_sig(3.14159f, 2, b, sizeof b);
    assert_string_equal(b, "3.1");
}

// A narrow cell's texts, best first, worked by hand: two significant digits
// or more, then without the leading zero, then one digit, one decimal, none
// (halves away from zero); "0" only under a quarter of the grid's scale.
// 1/9 = 0.1111 is ".11" before "0.1"; 0.003922 on its own scale never "0".
static void check_scaled_(float v, float scale, const char *want) {
    char out[8][32], got[300] = "";
    const int n = fmt_cell_choices(v, scale, out, 8);
    for (int i = 0; i < n; i++) {
        strcat(got, out[i]);
        if (i + 1 < n) strcat(got, " ");
    }
    if (strcmp(got, want) != 0) fail_msg("%g: got '%s', want '%s'", (double)v, got, want);
}

// On the value's own scale (a grid of equal values, or v the largest).
static void check_choices_(float v, const char *want) { check_scaled_(v, v, want); }

static void test_cell_choices_stay_close(void **state) {
    (void)state;
    check_choices_(1.0f / 9.0f, "0.1111 0.111 0.11 .11 0.1 .1");
    check_choices_(-1.0f / 9.0f, "-0.1111 -0.111 -0.11 -.11 -0.1 -.1");
    check_choices_(0.75f, "0.75 .75 0.8 .8 1");
    check_choices_(0.003922f, "0.003922 0.00392 0.0039 .0039 0.004 .004");
    check_choices_(-0.8311f, "-0.8311 -0.831 -0.83 -.83 -0.8 -.8 -1");
    check_choices_(-0.1234f, "-0.1234 -0.123 -0.12 -.12 -0.1 -.1");
    check_choices_(12.0f, "12");
    check_choices_(0.0f, "0");
    check_choices_(123.456f, "123.5 123");
    // Halves away from zero (printf alone writes 5.2, 3.8 and -0.12).
    check_choices_(5.25f, "5.25 5.3 5");
    check_choices_(3.75f, "3.75 3.8 4");
    check_choices_(-0.125f, "-0.125 -0.13 -.13 -0.1 -.1");
    // Among weights up to 0.2 (a trained kernel): -0.0123 may read "0" (under
    // 0.05); among weights up to 0.04 it may not.
    check_scaled_(-0.0123f, 0.2f, "-0.0123 -0.012 -.012 -0.01 -.01 0");
    check_scaled_(-0.0123f, 0.04f, "-0.0123 -0.012 -.012 -0.01 -.01");
}

// What the floor drops, worked by hand: 7 cells, kernel 3, stride 3:
// (7 - 3)/3 = 4/3 = 1.33, the floor keeps 1, 7 - (1 x 3 + 3) = 1 cell left over.
// 8 cells, kernel 3, stride 3: 5/3, 2 cells left over; 6, kernel 3, stride 3: whole.
static void test_floor_note(void **state) {
    (void)state;
    char b[300];
    const nn_axis seven = {.n = 7, .f = 3, .stride = 3, .dilation = 1, .out = 2, .remainder = 1};
    const nn_axis eight = {.n = 8, .f = 3, .stride = 3, .dilation = 1, .out = 2, .remainder = 2};
    const nn_axis six = {.n = 6, .f = 3, .stride = 3, .dilation = 1, .out = 2, .remainder = 0};
    fmt_floor_note(&seven, &seven, b, sizeof b);
    assert_string_equal(b, "4/3 = 1.33 is not whole: the floor keeps 1, so 1 row and 1 column are never reached by "
                           "the window (hatched red)");
    fmt_floor_note(&six, &eight, b, sizeof b);
    assert_string_equal(b, "5/3 = 1.67 is not whole: the floor keeps 1, so 2 columns are never reached by the window "
                           "(hatched red)");
    fmt_floor_note(&seven, &six, b, sizeof b);
    assert_string_equal(b, "4/3 = 1.33 is not whole: the floor keeps 1, so 1 row is never reached by the window "
                           "(hatched red)");
    fmt_floor_note(&six, &six, b, sizeof b);
    assert_string_equal(b, "");
}

static void test_fraction_written_out(void **state) {
    (void)state;
    char b[64];
    fmt_fraction(28.0f, 9.0f, b, sizeof b);  // 3.111... to 3 digits
    assert_string_equal(b, "28/9 = 3.11");
    fmt_fraction(12.0f, 4.0f, b, sizeof b);
    assert_string_equal(b, "12/4 = 3");
    fmt_fraction(-7.0f, 4.0f, b, sizeof b);  // -1.75 exactly
    assert_string_equal(b, "-7/4 = -1.75");
    fmt_fraction(2.5f, 3.0f, b, sizeof b);   // 0.8333...
    assert_string_equal(b, "2.5/3 = 0.833");
}

static void test_percent_agrees_with_the_bar(void **state) {
    (void)state;
    char b[32];
    fmt_percent(0.998f, b, sizeof b);  // the bar reads 99.8%: so does the text
    assert_string_equal(b, "99.8%");
    fmt_percent(0.99996f, b, sizeof b);  // rounds to 100.0 but is not all of it
    assert_string_equal(b, "99.9%");
    fmt_percent(1.0f, b, sizeof b);
    assert_string_equal(b, "100%");
    fmt_percent(0.0f, b, sizeof b);
    assert_string_equal(b, "0.0%");
    fmt_percent(0.00004f, b, sizeof b);  // not nothing
    assert_string_equal(b, "<0.1%");
    fmt_percent(0.1234f, b, sizeof b);
    assert_string_equal(b, "12.3%");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen_four_significant_digits),
        cmocka_unit_test(test_cell_choices_stay_close),
        cmocka_unit_test(test_floor_note),
        cmocka_unit_test(test_fraction_written_out),
        cmocka_unit_test(test_percent_agrees_with_the_bar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
