// test_matrix.c - the matrix parser behind --input, --kernel, --expect and
// @FILE: the shapes it reads, the decimals it records, and every mistake it
// names with its place. Also the --expect rounding rule and option parsing.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "expect.h"
#include "format.h"
#include "text.h"
#include "matrix.h"

static char err_[512];

// Parses inline text, failing the test if it does not parse.
static app_matrix parse_ok_(const char *text) {
    app_matrix m;
    err_[0] = '\0';
    if (!app_matrix_parse(&m, text, "--input", NULL, err_, sizeof err_)) {
        print_error("unexpected error: %s\n", err_);
        fail();
    }
    return m;
}

// Parses inline text that must fail, and checks the message names `needle`.
static void parse_fails_(const char *text, const char *needle) {
    app_matrix m;
    err_[0] = '\0';
    if (app_matrix_parse(&m, text, "--input", NULL, err_, sizeof err_)) {
        print_error("'%s' parsed, but should fail with '%s'\n", text, needle);
        app_matrix_free(&m);
        fail();
    }
    if (!strstr(err_, needle)) {
        print_error("message '%s' does not contain '%s'\n", err_, needle);
        fail();
    }
}

// Rows by ';', values by spaces or commas, in row-major order.
static void test_inline_rows_and_values(void **state) {
    (void)state;
    app_matrix m = parse_ok_(" 1 2,3 ; 4,  5 6 ");
    assert_int_equal(m.c, 1);
    assert_int_equal(m.h, 2);
    assert_int_equal(m.w, 3);
    const float want[] = {1, 2, 3, 4, 5, 6};
    for (int i = 0; i < 6; i++) assert_float_equal(m.values[i], want[i], 0);
    app_matrix_free(&m);
}

// '|' separates channels; a trailing ';' is allowed.
static void test_inline_channels(void **state) {
    (void)state;
    app_matrix m = parse_ok_("1 2; 3 4; | 5 6; 7 8");
    assert_int_equal(m.c, 2);
    assert_int_equal(m.h, 2);
    assert_int_equal(m.w, 2);
    assert_float_equal(m.values[4], 5, 0);
    assert_float_equal(m.values[7], 8, 0);
    app_matrix_free(&m);
}

// Signs, decimals and exponents; decimals are recorded for --expect.
static void test_number_forms(void **state) {
    (void)state;
    app_matrix m = parse_ok_("-1.5 +2 .25 3e2 0.330");
    const float want[] = {-1.5f, 2.0f, 0.25f, 300.0f, 0.33f};
    const signed char decimals[] = {1, 0, 2, -1, 3};
    for (int i = 0; i < 5; i++) {
        assert_float_equal(m.values[i], want[i], 0);
        assert_int_equal(m.decimals[i], decimals[i]);
    }
    app_matrix_free(&m);
}

// Every malformed inline matrix names the problem and the row.
static void test_inline_errors(void **state) {
    (void)state;
    parse_fails_("1 2 3; 4 5", "--input, row 2: this row has 2 values but the first row has 3");
    parse_fails_("1 2; x7 4", "'x7' is not a number (value 1 of the row)");
    parse_fails_("1 nan", "'nan' is not a number");
    parse_fails_("1 inf", "'inf' is not a number");
    parse_fails_("0x10", "'0x10' is not a number");
    parse_fails_("1e999", "'1e999' is not a number");
    parse_fails_("1..2", "'1..2' is not a number");
    parse_fails_("", "--input: the matrix is empty");
    parse_fails_("  ;  ", "the matrix is empty");
    parse_fails_("1 2;; 3 4", "row 2: the row is empty");
    parse_fails_("1 2 | 3 4; 5 6", "channel 2 has 2 rows but channel 1 has 1");
    parse_fails_("1 2 | ", "channel 2 has no values");
    parse_fails_("1 2 | 3 4 5", "--input, channel 2, row 1: this row has 3 values");
}

// Writes text to a temporary file and returns its path (static buffer).
static const char *temp_file_(const char *text) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/convstep_test_matrix_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

// @FILE: a row per line, a blank line between channels, '#' comments.
static void test_file_channels(void **state) {
    (void)state;
    const char *path = temp_file_("# a 2-channel input\n1 2\n3 4\n\n\n5 6  # trailing note\n7 8\n");
    char arg[80];
    snprintf(arg, sizeof arg, "@%s", path);
    app_matrix m;
    assert_true(app_matrix_read(&m, arg, "--input", err_, sizeof err_));
    assert_int_equal(m.c, 2);
    assert_int_equal(m.h, 2);
    assert_int_equal(m.w, 2);
    assert_float_equal(m.values[6], 7, 0);
    app_matrix_free(&m);
    unlink(path);
}

// @FILE errors name file:line.
static void test_file_errors(void **state) {
    (void)state;
    const char *path = temp_file_("1 2 3\n4 5 6\n7 8\n");
    char arg[80], want[160];
    snprintf(arg, sizeof arg, "@%s", path);
    app_matrix m;
    assert_false(app_matrix_read(&m, arg, "--kernel", err_, sizeof err_));
    snprintf(want, sizeof want, "%s:3: this row has 2 values but the first row has 3 (a matrix must be rectangular)", path);
    assert_string_equal(err_, want);
    unlink(path);

    assert_false(app_matrix_read(&m, "@/nonexistent/k.txt", "--kernel", err_, sizeof err_));
    assert_string_equal(err_, "--kernel: cannot open '/nonexistent/k.txt': No such file or directory");
    assert_false(app_matrix_read(&m, "@", "--kernel", err_, sizeof err_));
    assert_non_null(strstr(err_, "'@' must be followed by a file name"));

    path = temp_file_("1 2; 3 4\n");
    snprintf(arg, sizeof arg, "@%s", path);
    assert_false(app_matrix_read(&m, arg, "--input", err_, sizeof err_));
    assert_non_null(strstr(err_, ":1: in a file, write one row per line"));
    unlink(path);

    path = temp_file_("\n# nothing here\n\n");
    snprintf(arg, sizeof arg, "@%s", path);
    assert_false(app_matrix_read(&m, arg, "--input", err_, sizeof err_));
    assert_non_null(strstr(err_, "the matrix is empty"));
    unlink(path);
}

// A list of numbers (for --bias) is one row.
static void test_number_list(void **state) {
    (void)state;
    float *v;
    int n;
    assert_true(app_parse_numbers("1, -2 0.5", "--bias", &v, &n, err_, sizeof err_));
    assert_int_equal(n, 3);
    assert_float_equal(v[1], -2.0f, 0);
    free(v);
    assert_false(app_parse_numbers("1; 2", "--bias", &v, &n, err_, sizeof err_));
    assert_non_null(strstr(err_, "--bias: expected one list of numbers"));
}

// A value written with k decimals matches when it is the true value rounded
// to k decimals: 0.33 is right for 1/3, 0.34 is not; 12 is wrong for 13.
static void test_expect_rounding_rule(void **state) {
    (void)state;
    assert_true(expect_value_matches(0.33f, 2, 1.0f / 3.0f));
    assert_false(expect_value_matches(0.34f, 2, 1.0f / 3.0f));
    assert_true(expect_value_matches(0.333333f, 6, 1.0f / 3.0f));
    assert_false(expect_value_matches(0.3333f, 6, 1.0f / 3.0f));
    assert_true(expect_value_matches(12.0f, 0, 12.0f));
    assert_false(expect_value_matches(12.0f, 0, 13.0f));
    assert_true(expect_value_matches(1.89f, 2, 17.0f / 9.0f));  // 1.8888... rounds to 1.89
    assert_false(expect_value_matches(1.88f, 2, 17.0f / 9.0f));
    assert_true(expect_value_matches(3e2f, -1, 300.0f));
    assert_false(expect_value_matches(3e2f, -1, 301.0f));
}

// Shapes and mismatching cells of --expect.
static void test_expect_compare(void **state) {
    (void)state;
    app_matrix e = parse_ok_("1 2; 3 5");
    const float actual[] = {1, 2, 3, 4};
    int wrong[4];
    assert_int_equal(expect_compare(&e, actual, wrong), 1);
    assert_int_equal(wrong[0], 3);
    assert_false(expect_check_shape(&e, 1, 3, 3, err_, sizeof err_));
    assert_string_equal(err_, "--expect is 2x2 but the result is 3x3");
    assert_false(expect_check_shape(&e, 2, 2, 2, err_, sizeof err_));
    assert_non_null(strstr(err_, "--expect has 1 map(s) but the result has 2"));
    app_matrix_free(&e);
}

// Options: --name value and --name=value; typos, repeats, missing values.
static void test_args(void **state) {
    (void)state;
    static const arg_spec specs[] = {
        {"input", true, false}, {"kernel", true, true}, {"json", false, false}, {NULL, false, false},
    };
    parsed_args a;
    char *ok[] = {"--input", "1 2", "--kernel=3", "--kernel", "4", "--json"};
    assert_true(args_parse(specs, 6, ok, 0, &a, "conv", err_, sizeof err_));
    assert_string_equal(args_get(&a, "input"), "1 2");
    const char *k[4];
    assert_int_equal(args_get_all(&a, "kernel", k, 4), 2);
    assert_string_equal(k[1], "4");
    assert_true(args_has(&a, "json"));

    char *typo[] = {"--inptu", "1"};
    assert_false(args_parse(specs, 2, typo, 0, &a, "conv", err_, sizeof err_));
    assert_string_equal(err_, "unknown option '--inptu' for convstep conv (see convstep conv --help)");
    char *twice[] = {"--input", "1", "--input", "2"};
    assert_false(args_parse(specs, 4, twice, 0, &a, "conv", err_, sizeof err_));
    assert_string_equal(err_, "option --input is given twice");
    char *missing[] = {"--input"};
    assert_false(args_parse(specs, 1, missing, 0, &a, "conv", err_, sizeof err_));
    assert_string_equal(err_, "option --input needs a value");
    char *stray[] = {"oops"};
    assert_false(args_parse(specs, 1, stray, 0, &a, "conv", err_, sizeof err_));
    assert_non_null(strstr(err_, "unexpected argument 'oops'"));

    // Files before, between and after options; "--" ends the options.
    char *files[] = {"a.png", "--input", "1", "b.png", "--json", "--", "--kernel", "-c.png"};
    assert_true(args_parse(specs, 8, files, 4, &a, "classify", err_, sizeof err_));
    assert_int_equal(a.n_positional, 4);
    assert_string_equal(a.positional[0], "a.png");
    assert_string_equal(a.positional[1], "b.png");
    assert_string_equal(a.positional[2], "--kernel");
    assert_string_equal(a.positional[3], "-c.png");
    assert_string_equal(args_get(&a, "input"), "1");
    assert_true(args_has(&a, "json"));
    assert_false(args_has(&a, "kernel"));
    assert_false(args_parse(specs, 8, files, 3, &a, "classify", err_, sizeof err_));
    assert_string_equal(err_, "unexpected argument '-c.png': convstep classify takes at most 3 "
                              "(see convstep classify --help)");
    char *dash[] = {"-x"};
    assert_false(args_parse(specs, 1, dash, 4, &a, "classify", err_, sizeof err_));
    assert_string_equal(err_, "unknown option '-x' for convstep classify (options start with --; "
                              "a file whose name starts with - goes after --)");

    int v;
    assert_true(args_int("-3", "--stride", -10, 10, &v, err_, sizeof err_));
    assert_int_equal(v, -3);
    assert_false(args_int("2x", "--stride", 1, 10, &v, err_, sizeof err_));
    assert_string_equal(err_, "--stride: '2x' is not a whole number");
    assert_false(args_int("99999999999", "--stride", 1, 10, &v, err_, sizeof err_));
    assert_non_null(strstr(err_, "--stride must be from 1 to 10"));
}

// Issue 10, finding 15: a BOM, and every kind of line end, in a file and inline.
static void test_line_ends_and_bom(void **state) {
    (void)state;
    const char *texts[] = {"\xEF\xBB\xBF" "1 2\n3 4\n", "1 2\r\n3 4\r\n", "1 2\r3 4\r", "1 2\r3 4"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        app_matrix m;
        assert_true(app_matrix_parse(&m, texts[i], "--input", "f.txt", err_, sizeof err_));
        assert_int_equal(m.c, 1);
        assert_int_equal(m.h, 2);
        assert_int_equal(m.w, 2);
        assert_float_equal(m.values[2], 3, 0);
        app_matrix_free(&m);
    }
    // Channels after CR-only lines: a blank line between them.
    app_matrix m;
    assert_true(app_matrix_parse(&m, "1\r\r2\r", "--input", "f.txt", err_, sizeof err_));
    assert_int_equal(m.c, 2);
    app_matrix_free(&m);
    m = parse_ok_("1 2\r3 4");
    assert_int_equal(m.h, 2);
    app_matrix_free(&m);
}

// One line-length limit (TEXT_MAX_LINE, as for lessons) and messages that
// never carry the file's control characters.
static void test_file_limits_and_escapes(void **state) {
    (void)state;
    static char text[TEXT_MAX_LINE + 8];
    for (int i = 0; i < TEXT_MAX_LINE; i++) text[i] = i % 2 ? ' ' : '1';
    text[TEXT_MAX_LINE] = '\0';
    app_matrix m;
    assert_true(app_matrix_parse(&m, text, "--input", "f.txt", err_, sizeof err_));
    assert_int_equal(m.w, TEXT_MAX_LINE / 2);
    app_matrix_free(&m);
    strcat(text, "1");
    assert_false(app_matrix_parse(&m, text, "--input", "f.txt", err_, sizeof err_));
    assert_string_equal(err_, "f.txt:1: the line is longer than 4096 bytes (the limit for every text file)");
    assert_false(app_matrix_parse(&m, "1 2\n3 \x1b[2J\n", "--input", "f\x1b.txt", err_, sizeof err_));
    assert_string_equal(err_, "f\\x1B.txt:2: '\\x1B[2J' is not a number (value 2 of the row)");
    parse_fails_("1 \xC2\x9B" "2", "'\\xC2\\x9B2' is not a number");
    // One value, as lessons write numbers: no inf, nan or hex.
    float v;
    signed char d;
    assert_true(app_parse_value("-2.50", &v, &d));
    assert_float_equal(v, -2.5f, 0);
    assert_int_equal(d, 2);
    assert_false(app_parse_value("inf", &v, NULL));
    assert_false(app_parse_value("nan", &v, NULL));
    assert_false(app_parse_value("0x10", &v, NULL));
    assert_false(app_parse_value("1e39", &v, NULL));
    assert_false(app_parse_value("", &v, NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inline_rows_and_values),
        cmocka_unit_test(test_inline_channels),
        cmocka_unit_test(test_number_forms),
        cmocka_unit_test(test_inline_errors),
        cmocka_unit_test(test_file_channels),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_number_list),
        cmocka_unit_test(test_expect_rounding_rule),
        cmocka_unit_test(test_expect_compare),
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_line_ends_and_bom),
        cmocka_unit_test(test_file_limits_and_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
