// test_json.c - the JSON writer (commas, nesting, escaping, numbers) and the
// number and formula text every subcommand prints.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "text.h"
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

// A string as json_string writes it (the caller frees).
static char *json_of_(const char *s) {
    capture c;
    capture_open_(&c);
    json_writer w;
    json_init(&w, c.f);
    json_string(&w, s);
    return (char *)capture_close_(&c);
}

// Valid UTF-8 with its code points checked by hand: every byte is a lead
// byte followed by the right number of continuation bytes, no overlong form,
// no surrogate, nothing past U+10FFFF.
static bool valid_utf8_(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp, n;
        if (*p < 0x80) cp = *p, n = 0;
        else if ((*p & 0xE0) == 0xC0) cp = *p & 0x1Fu, n = 1;
        else if ((*p & 0xF0) == 0xE0) cp = *p & 0x0Fu, n = 2;
        else if ((*p & 0xF8) == 0xF0) cp = *p & 0x07u, n = 3;
        else return false;
        for (unsigned i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (p[i] & 0x3Fu);
        }
        static const unsigned min[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        p += n + 1;
    }
    return true;
}

// Bytes that are not UTF-8 (a file name with 0xFF, a lone continuation byte,
// an overlong '/', a UTF-16 surrogate, a sequence cut short, past U+10FFFF)
// each become \ufffd, so the document stays valid UTF-8; valid multi-byte
// characters are kept as they are; DEL, C1 controls and U+2028/2029 are escaped.
static void test_string_not_utf8(void **state) {
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"caf\xff.png", "\"caf\\ufffd.png\""},
        {"\x80x", "\"\\ufffdx\""},
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},              // overlong '/'
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},    // U+D800
        {"\xe2\x82", "\"\\ufffd\\ufffd\""},               // cut short at the end
        {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},  // U+110000
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
        {"a\x7f" "b\xc2\x9b" "c\xe2\x80\xa8", "\"a\\u007fb\\u009bc\\u2028\""},
        {"\x1b[31m", "\"\\u001b[31m\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = json_of_(cases[i].in);
        assert_string_equal(got, cases[i].want);
        assert_true(valid_utf8_(got));
        free(got);
    }
    // Every two-byte string: the output is always valid UTF-8.
    for (int a = 1; a < 256; a++)
        for (int b = 0; b < 256; b++) {
            const char in[3] = {(char)a, (char)b, 0};
            char *got = json_of_(in);
            if (!valid_utf8_(got)) fail_msg("bytes %02x %02x gave invalid UTF-8: %s", a, b, got);
            free(got);
        }
}

// Text for a terminal (text_escape): control characters and non-UTF-8 bytes
// as \xNN (tab, newline, return as \t \n \r), the rest kept; escaping twice
// changes nothing; a small buffer cuts the text between characters, never
// inside an escape or a UTF-8 sequence.
static const char *escaped_(const char *s, char *out, size_t size) {
    return text_escape(s, strlen(s), out, size);
}

static void test_printable(void **state) {
    (void)state;
    char out[64];
    assert_string_equal(escaped_("a\x1b[31mred\x07.png", out, sizeof out), "a\\x1B[31mred\\x07.png");
    assert_string_equal(escaped_("caf\xff\xc3\xa9\n", out, sizeof out), "caf\\xFF\xc3\xa9\\n");
    assert_string_equal(escaped_("\xc2\x9b" "2J\x7f", out, sizeof out), "\\xC2\\x9B2J\\x7F");
    assert_string_equal(escaped_("plain name.png", out, sizeof out), "plain name.png");
    char again[64];
    escaped_("x\x1b\xff\xc2\x9b\t", out, sizeof out);
    assert_string_equal(escaped_(out, again, sizeof again), out);
    // 7 bytes of room: "ab" then an escape (4) fits, the next one does not.
    assert_string_equal(escaped_("ab\x1b\x1b", out, 7), "ab\\x1B");
    // 4 bytes of room: "ab" then a 3-byte character does not fit whole.
    assert_string_equal(escaped_("ab\xe2\x82\xac", out, 4), "ab");
    assert_string_equal(escaped_("abc", out, 1), "");
    // Only the first n bytes are read.
    assert_string_equal(text_escape("abc\x1b", 3, out, sizeof out), "abc");
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
        cmocka_unit_test(test_string_not_utf8),
        cmocka_unit_test(test_printable),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_fmt_float),
        cmocka_unit_test(test_formula_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
