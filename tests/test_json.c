// test_json.c - the JSON writer (commas, nesting, escaping, numbers) and the
// number and formula text every subcommand prints.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json.h"

// Collects what a writer prints into a string the test can compare.
typedef struct capture {
    char *text;
    size_t size;
    FILE *f;
} capture;

static void capture_open_(capture *c) { c->f = open_memstream(&c->text, &c->size); }
static const char *capture_close_(capture *c) {
    fclose(c->f);
    return c->text;
}

// Commas between values and members, none after keys, nesting closed.
static void test_structure(void **state) {
    (void)state;
    capture c;
    capture_open_(&c);
    json_writer w;
    json_init(&w, c.f);
    json_begin_object(&w);
    json_key(&w, "a"), json_int(&w, 1);
    json_key(&w, "b");
    json_begin_array(&w);
    json_int(&w, 2);
    json_begin_array(&w);
    json_end_array(&w);
    json_begin_object(&w);
    json_end_object(&w);
    json_bool(&w, false);
    json_end_array(&w);
    json_key(&w, "c"), json_string(&w, "x");
    json_end_object(&w);
    json_finish(&w);
    assert_string_equal(capture_close_(&c), "{\"a\":1,\"b\":[2,[],{},false],\"c\":\"x\"}\n");
    free(c.text);
}

// Quotes, backslashes and control characters are escaped.
static void test_string_escapes(void **state) {
    (void)state;
    capture c;
    capture_open_(&c);
    json_writer w;
    json_init(&w, c.f);
    json_string(&w, "say \"hi\"\\\n\t\x01");
    assert_string_equal(capture_close_(&c), "\"say \\\"hi\\\"\\\\\\n\\t\\u0001\"");
    free(c.text);
}

// Floats print as their shortest exact decimal; NaN and infinity (which JSON
// cannot hold) as null.
static void test_numbers(void **state) {
    (void)state;
    capture c;
    capture_open_(&c);
    json_writer w;
    json_init(&w, c.f);
    const float v[] = {0.1f, 12.0f, -0.5f, 1.0f / 3.0f};
    json_float_array(&w, v, 4);
    json_float(&w, NAN);
    json_float(&w, INFINITY);
    assert_string_equal(capture_close_(&c), "[0.1,12,-0.5,0.33333334],null,null");
    free(c.text);
}

// fmt_float: shortest round trip, plain notation in the everyday range.
static void test_fmt_float(void **state) {
    (void)state;
    char b[32];
    const struct {
        float v;
        const char *want;
    } cases[] = {
        {10.0f, "10"},         {100.0f, "100"},    {0.1f, "0.1"},     {-0.0f, "0"},
        {1.5e-6f, "1.5e-06"},  {3e10f, "3e+10"},   {0.0001f, "0.0001"}, {123456.0f, "123456"},
        {6.3f, "6.3"},         {6.2999997f, "6.2999997"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fmt_float(cases[i].v, b, sizeof b);
        assert_string_equal(b, cases[i].want);
        assert_true(strtof(b, NULL) == cases[i].v);  // it reads back exactly
    }
}

// The formula with its numbers, for symmetric, 'same'-style and dilated axes.
static void test_formula_text(void **state) {
    (void)state;
    char b[200];
    // 7x7, 3x3, stride 2, pad 1: floor((7 + 2 - 3)/2) + 1 = 4
    nn_axis a = {.n = 7, .f = 3, .stride = 2, .dilation = 1, .pad_lo = 1, .pad_hi = 1, .out = 4};
    fmt_formula_letters(&a, b, sizeof b);
    assert_string_equal(b, "floor((n + 2p - f)/s) + 1");
    fmt_formula_numbers(&a, b, sizeof b);
    assert_string_equal(b, "floor((7 + 2*1 - 3)/2) + 1 = floor(6/2) + 1 = 4");
    // 'same' with an even kernel: 0 before, 1 after
    nn_axis s = {.n = 4, .f = 2, .stride = 1, .dilation = 1, .pad_lo = 0, .pad_hi = 1, .out = 4};
    fmt_formula_letters(&s, b, sizeof b);
    assert_string_equal(b, "floor((n + p_lo + p_hi - f)/s) + 1");
    fmt_formula_numbers(&s, b, sizeof b);
    assert_string_equal(b, "floor((4 + 0 + 1 - 2)/1) + 1 = floor(3/1) + 1 = 4");
    // dilation 2: span 2*(3-1)+1 = 5 of a 7-wide input: floor((7 - 4 - 1)/1) + 1 = 3
    nn_axis d = {.n = 7, .f = 3, .stride = 1, .dilation = 2, .pad_lo = 0, .pad_hi = 0, .out = 3};
    fmt_formula_letters(&d, b, sizeof b);
    assert_string_equal(b, "floor((n + 2p - d(f-1) - 1)/s) + 1");
    fmt_formula_numbers(&d, b, sizeof b);
    assert_string_equal(b, "floor((7 + 2*0 - 2*(3-1) - 1)/1) + 1 = floor(2/1) + 1 = 3");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_fmt_float),
        cmocka_unit_test(test_formula_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
