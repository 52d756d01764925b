// test_outsize.c - the output-size formula and padding modes (outsize.h):
// a table of hand-checked cases, then every error with the numbers it quotes.
#include "helpers.h"

// One row of the table: the request, then what the formula must give.
typedef struct outsize_case {
    int n, f, s, d;
    nn_pad_mode mode;
    int p;
    int pad_lo, pad_hi, out, remainder;
} outsize_case;

// Expected columns from `python3 tests/tools/reference.py outsize`, which
// slides the window cell by cell (it never uses the formula) and applies
// TensorFlow's 'same' rule: out = ceil(n/s), the odd padding cell at the end.
static const outsize_case cases[] = {
    // { n, f, s, d, mode, p,   pad_lo, pad_hi, out, remainder }
    // valid: slide 000 (5x5, 3x3), slide 002 (7x7, 3x3, stride 1/2/3), 32x32 by
    // 5x5, AlexNet's conv1 and pool1; stride 3 or 4 drops the last cells.
    {5, 3, 1, 1, NN_PAD_VALID, 0, 0, 0, 3, 0},
    {7, 3, 1, 1, NN_PAD_VALID, 0, 0, 0, 5, 0},
    {7, 3, 2, 1, NN_PAD_VALID, 0, 0, 0, 3, 0},
    {7, 3, 3, 1, NN_PAD_VALID, 0, 0, 0, 2, 1},
    {32, 5, 1, 1, NN_PAD_VALID, 0, 0, 0, 28, 0},
    {227, 11, 4, 1, NN_PAD_VALID, 0, 0, 0, 55, 0},
    {55, 3, 2, 1, NN_PAD_VALID, 0, 0, 0, 27, 0},
    {10, 3, 4, 1, NN_PAD_VALID, 0, 0, 0, 2, 3},
    {5, 2, 2, 1, NN_PAD_VALID, 0, 0, 0, 2, 1},
    {12, 3, 4, 1, NN_PAD_VALID, 0, 0, 0, 3, 1},
    {3, 3, 1, 1, NN_PAD_VALID, 0, 0, 0, 1, 0},
    {1, 1, 1, 1, NN_PAD_VALID, 0, 0, 0, 1, 0},
    // explicit p: slide 002's 7x7 pad 1 keeps 7; 32x32 5x5 pad 2 keeps 32.
    {7, 3, 1, 1, NN_PAD_EXPLICIT, 1, 1, 1, 7, 0},
    {32, 5, 1, 1, NN_PAD_EXPLICIT, 2, 2, 2, 32, 0},
    {7, 3, 2, 1, NN_PAD_EXPLICIT, 1, 1, 1, 4, 0},
    {6, 3, 2, 1, NN_PAD_EXPLICIT, 1, 1, 1, 3, 1},
    {27, 5, 1, 1, NN_PAD_EXPLICIT, 2, 2, 2, 27, 0},
    {8, 3, 4, 1, NN_PAD_EXPLICIT, 1, 1, 1, 2, 3},
    {4, 3, 3, 1, NN_PAD_EXPLICIT, 1, 1, 1, 2, 0},
    {1, 5, 1, 1, NN_PAD_EXPLICIT, 2, 2, 2, 1, 0},
    {2, 1, 3, 1, NN_PAD_EXPLICIT, 3, 3, 3, 3, 1},
    // same: odd kernels pad evenly, even kernels put the extra cell at the end.
    {5, 3, 1, 1, NN_PAD_SAME, 0, 1, 1, 5, 0},
    {5, 2, 1, 1, NN_PAD_SAME, 0, 0, 1, 5, 0},
    {5, 4, 1, 1, NN_PAD_SAME, 0, 1, 2, 5, 0},
    {6, 4, 1, 1, NN_PAD_SAME, 0, 1, 2, 6, 0},
    {7, 3, 2, 1, NN_PAD_SAME, 0, 1, 1, 4, 0},
    {6, 3, 2, 1, NN_PAD_SAME, 0, 0, 1, 3, 0},
    {8, 5, 3, 1, NN_PAD_SAME, 0, 1, 2, 3, 0},
    {10, 3, 4, 1, NN_PAD_SAME, 0, 0, 1, 3, 0},
    {5, 1, 2, 1, NN_PAD_SAME, 0, 0, 0, 3, 0},
    {6, 1, 4, 1, NN_PAD_SAME, 0, 0, 0, 2, 1},
    {4, 7, 2, 1, NN_PAD_SAME, 0, 2, 3, 2, 0},
    {28, 2, 2, 1, NN_PAD_SAME, 0, 0, 0, 14, 0},
    // dilation 2 and 3: the kernel spans d*(f-1)+1 cells.
    {7, 3, 1, 2, NN_PAD_VALID, 0, 0, 0, 3, 0},
    {7, 3, 2, 2, NN_PAD_VALID, 0, 0, 0, 2, 0},
    {9, 3, 1, 3, NN_PAD_VALID, 0, 0, 0, 3, 0},
    {10, 3, 3, 3, NN_PAD_VALID, 0, 0, 0, 2, 0},
    {8, 3, 2, 3, NN_PAD_VALID, 0, 0, 0, 1, 1},
    {5, 3, 1, 2, NN_PAD_EXPLICIT, 2, 2, 2, 5, 0},
    {9, 3, 1, 2, NN_PAD_SAME, 0, 2, 2, 9, 0},
    {10, 2, 1, 3, NN_PAD_SAME, 0, 1, 2, 10, 0},
    {11, 3, 2, 3, NN_PAD_SAME, 0, 3, 3, 6, 0},
};

static nn_axis axis_of(int n, int f, int s, int d) {
    nn_axis a = {.n = n, .f = f, .stride = s, .dilation = d};
    return a;
}

static nn_padding padding_of(nn_pad_mode mode, int p) {
    nn_padding pad = {mode, p};
    return pad;
}

// Resolves and solves one axis, failing the test if either step fails.
static nn_axis solve_ok(int n, int f, int s, int d, nn_padding pad) {
    nn_error err = error_fresh();
    nn_axis a = axis_of(n, f, s, d);
    assert_ok(nn_padding_resolve(&a, pad, "rows", &err), err);
    assert_ok(nn_axis_solve(&a, "rows", &err), err);
    return a;
}

// Every row of the table: padding, output size and remainder as worked out.
static void test_formula_table(void **state) {
    (void)state;
    for (size_t i = 0; i < HELPERS_COUNT_OF(cases); i++) {
        const outsize_case *c = &cases[i];
        nn_axis a = solve_ok(c->n, c->f, c->s, c->d, padding_of(c->mode, c->p));
        if (a.pad_lo != c->pad_lo || a.pad_hi != c->pad_hi || a.out != c->out ||
            a.remainder != c->remainder) {
            print_error("case %zu (n %d f %d s %d d %d mode %d p %d): got pad %d+%d out %d "
                        "rem %d, want pad %d+%d out %d rem %d\n",
                        i, c->n, c->f, c->s, c->d, (int)c->mode, c->p, a.pad_lo, a.pad_hi,
                        a.out, a.remainder, c->pad_lo, c->pad_hi, c->out, c->remainder);
            fail();
        }
    }
}

// 'same' with stride 1 keeps the size for every kernel from 1 to 8 (odd and even).
static void test_same_stride1_keeps_size(void **state) {
    (void)state;
    for (int f = 1; f <= 8; f++) {
        nn_axis a = solve_ok(9, f, 1, 1, padding_of(NN_PAD_SAME, 0));
        assert_int_equal(a.out, 9);
        // total padding f - 1, the larger half at the bottom/right
        assert_int_equal(a.pad_lo + a.pad_hi, f - 1);
        assert_int_equal(a.pad_lo, (f - 1) / 2);
    }
}

// 'same' gives ceil(n / s) outputs for strides 1 to 4 (TensorFlow's rule).
static void test_same_gives_ceil_n_over_s(void **state) {
    (void)state;
    // want[s-1][n-1]: ceil(n / s), written out
    static const int want[4][10] = {
        {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
        {1, 1, 2, 2, 3, 3, 4, 4, 5, 5},
        {1, 1, 1, 2, 2, 2, 3, 3, 3, 4},
        {1, 1, 1, 1, 2, 2, 2, 2, 3, 3},
    };
    for (int s = 1; s <= 4; s++)
        for (int n = 1; n <= 10; n++) {
            nn_axis a = solve_ok(n, 3, s, 1, padding_of(NN_PAD_SAME, 0));
            assert_int_equal(a.out, want[s - 1][n - 1]);
        }
}

// The explicit-padding constructor sets mode and p.
static void test_padding_explicit_constructor(void **state) {
    (void)state;
    nn_padding p = nn_padding_explicit(3);
    assert_int_equal(p.mode, NN_PAD_EXPLICIT);
    assert_int_equal(p.p, 3);
}

// nn_axis_solve works on hand-set asymmetric padding (as 'same' produces).
static void test_solve_asymmetric_padding(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_axis a = axis_of(5, 4, 2, 1);
    a.pad_lo = 0;
    a.pad_hi = 3;  // padded 8, reach 4 -> out 3, remainder 0
    assert_ok(nn_axis_solve(&a, "cols", &err), err);
    assert_int_equal(a.out, 3);
    assert_int_equal(a.remainder, 0);
    a.pad_hi = 2;  // padded 7, reach 3 -> out 2, remainder 1
    assert_ok(nn_axis_solve(&a, "cols", &err), err);
    assert_int_equal(a.out, 2);
    assert_int_equal(a.remainder, 1);
}

// An empty input (0 or negative) is a shape error that names the axis and the size.
static void test_error_empty_input(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_axis a = axis_of(0, 3, 1, 1);
    assert_status(nn_axis_solve(&a, "rows", &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "the input is empty (rows = 0)");
    a = axis_of(-3, 3, 1, 1);
    assert_status(nn_padding_resolve(&a, padding_of(NN_PAD_VALID, 0), "cols", &err),
                  NN_ERR_SHAPE, err);
    assert_error_contains(err, "the input is empty (cols = -3)");
}

// An empty kernel is a shape error.
static void test_error_empty_kernel(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_axis a = axis_of(5, 0, 1, 1);
    assert_status(nn_axis_solve(&a, "cols", &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "the kernel is empty (cols = 0)");
}

// A zero or negative stride is rejected, quoting the stride.
static void test_error_bad_stride(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_axis a = axis_of(5, 3, 0, 1);
    assert_status(nn_axis_solve(&a, "rows", &err), NN_ERR_ARG, err);
    assert_error_contains(err, "the stride must be at least 1, got 0");
    a = axis_of(5, 3, -2, 1);
    assert_status(nn_padding_resolve(&a, padding_of(NN_PAD_SAME, 0), "rows", &err), NN_ERR_ARG,
                  err);
    assert_error_contains(err, "the stride must be at least 1, got -2");
}

// A zero dilation is rejected, quoting it.
static void test_error_zero_dilation(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_axis a = axis_of(5, 3, 1, 0);
    assert_status(nn_axis_solve(&a, "rows", &err), NN_ERR_ARG, err);
    assert_error_contains(err, "the dilation must be at least 1, got 0");
    a = axis_of(5, 3, 1, -1);
    assert_status(nn_padding_resolve(&a, padding_of(NN_PAD_VALID, 0), "rows", &err), NN_ERR_ARG,
                  err);
    assert_error_contains(err, "the dilation must be at least 1, got -1");
}

// Negative padding is rejected both when resolving a request and when solving.
static void test_error_negative_padding(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_axis a = axis_of(5, 3, 1, 1);
    assert_status(nn_padding_resolve(&a, nn_padding_explicit(-1), "rows", &err), NN_ERR_ARG,
                  err);
    assert_error_contains(err, "the padding must not be negative, got -1");
    a = axis_of(5, 3, 1, 1);
    a.pad_lo = 1;
    a.pad_hi = -2;
    assert_status(nn_axis_solve(&a, "rows", &err), NN_ERR_ARG, err);
    assert_error_contains(err, "the padding must not be negative, got -2");
}

// A kernel larger than the padded input is a shape error quoting every number.
static void test_error_kernel_larger_than_input(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_axis a = axis_of(2, 3, 1, 1);
    assert_status(nn_axis_solve(&a, "rows", &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "rows: the kernel (3) is larger than the padded input 2 "
                               "(n 2 + padding 0 + 0)");
    // padding helps but not enough: 1 + 1 + 1 = 3 < 5
    a = axis_of(1, 5, 1, 1);
    assert_ok(nn_padding_resolve(&a, nn_padding_explicit(1), "cols", &err), err);
    assert_status(nn_axis_solve(&a, "cols", &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "cols: the kernel (5) is larger than the padded input 3 "
                               "(n 1 + padding 1 + 1)");
}

// A dilated kernel that does not fit says how far it spans.
static void test_error_dilated_kernel_too_wide(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_axis a = axis_of(4, 3, 1, 2);  // spans 2 * 2 + 1 = 5 > 4
    assert_status(nn_axis_solve(&a, "cols", &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "cols: the dilated kernel spans 5 cells (d 2 x (f 3 - 1) + 1), "
                               "more than the padded input 4 (n 4 + padding 0 + 0)");
}

// Sizes above NN_MAX_AXIS are refused with the limit and the sizes quoted.
static void test_error_huge_sizes(void **state) {
    (void)state;
    nn_error err = error_fresh();
    nn_axis a = axis_of(NN_MAX_AXIS + 1, 3, 1, 1);
    assert_status(nn_axis_solve(&a, "rows", &err), NN_ERR_NOMEM, err);
    assert_error_contains(err, "rows: sizes above 1000000 are not supported "
                               "(n 1000001, f 3, s 1, d 1)");
    a = axis_of(10, 2000000, 1, 1);
    assert_status(nn_axis_solve(&a, "cols", &err), NN_ERR_NOMEM, err);
    assert_error_contains(err, "f 2000000");
    a = axis_of(10, 3, 1000001, 1);
    assert_status(nn_padding_resolve(&a, padding_of(NN_PAD_VALID, 0), "rows", &err),
                  NN_ERR_NOMEM, err);
    assert_error_contains(err, "s 1000001");
    a = axis_of(10, 3, 1, 1);
    assert_status(nn_padding_resolve(&a, nn_padding_explicit(1000001), "rows", &err),
                  NN_ERR_NOMEM, err);
    assert_error_contains(err, "padding 1000001 is larger than 1000000");
    a = axis_of(10, 3, 1, 1);
    a.pad_hi = 1000001;
    assert_status(nn_axis_solve(&a, "rows", &err), NN_ERR_NOMEM, err);
    assert_error_contains(err, "padding above 1000000 is not supported");
}

// 'same' padding whose total would exceed the limits is refused, not overflowed.
static void test_error_same_padding_too_large(void **state) {
    (void)state;
    nn_error err = error_fresh();
    // a kernel spanning 1000000 * 999999 + 1 cells
    nn_axis a = axis_of(NN_MAX_AXIS, NN_MAX_AXIS, 1, NN_MAX_AXIS);
    assert_status(nn_padding_resolve(&a, padding_of(NN_PAD_SAME, 0), "rows", &err),
                  NN_ERR_NOMEM, err);
    assert_error_contains(err, "rows: 'same' padding of 999999000000 is too large");
}

// The largest accepted sizes compute without overflow (all terms near 2^20).
static void test_largest_sizes_do_not_overflow(void **state) {
    (void)state;
    // n 10^6 padded by 10^6 on both sides, 1x1 kernel: 3 * 10^6 outputs
    nn_axis a = solve_ok(NN_MAX_AXIS, 1, 1, 1, nn_padding_explicit(NN_MAX_AXIS));
    assert_int_equal(a.out, 3000000);
    assert_int_equal(a.remainder, 0);
    // a dilated kernel spanning 10^6 * (2 - 1) + 1 = 1000001 > 10^6 cells
    nn_error err = error_fresh();
    a = axis_of(NN_MAX_AXIS, 2, 1, NN_MAX_AXIS);
    assert_status(nn_axis_solve(&a, "rows", &err), NN_ERR_SHAPE, err);
    assert_error_contains(err, "spans 1000001 cells");
    // the kernel as large as the input: exactly one output
    a = solve_ok(NN_MAX_AXIS, NN_MAX_AXIS, NN_MAX_AXIS, 1, padding_of(NN_PAD_VALID, 0));
    assert_int_equal(a.out, 1);
}

// A NULL error buffer is allowed: the status still comes back.
static void test_null_error_buffer(void **state) {
    (void)state;
    nn_axis a = axis_of(2, 3, 1, 1);
    assert_int_equal(nn_axis_solve(&a, "rows", NULL), NN_ERR_SHAPE);
    a = axis_of(5, 3, 1, 1);
    assert_int_equal(nn_padding_resolve(&a, nn_padding_explicit(-1), "rows", NULL), NN_ERR_ARG);
}

// Status names are short words, and unknown codes do not crash.
static void test_status_names(void **state) {
    (void)state;
    assert_string_equal(nn_status_name(NN_OK), "ok");
    assert_string_equal(nn_status_name(NN_ERR_SHAPE), "shape error");
    assert_string_equal(nn_status_name(NN_ERR_PARSE), "parse error");
    assert_string_equal(nn_status_name((nn_status)99), "unknown error");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formula_table),
        cmocka_unit_test(test_same_stride1_keeps_size),
        cmocka_unit_test(test_same_gives_ceil_n_over_s),
        cmocka_unit_test(test_padding_explicit_constructor),
        cmocka_unit_test(test_solve_asymmetric_padding),
        cmocka_unit_test(test_error_empty_input),
        cmocka_unit_test(test_error_empty_kernel),
        cmocka_unit_test(test_error_bad_stride),
        cmocka_unit_test(test_error_zero_dilation),
        cmocka_unit_test(test_error_negative_padding),
        cmocka_unit_test(test_error_kernel_larger_than_input),
        cmocka_unit_test(test_error_dilated_kernel_too_wide),
        cmocka_unit_test(test_error_huge_sizes),
        cmocka_unit_test(test_error_same_padding_too_large),
        cmocka_unit_test(test_largest_sizes_do_not_overflow),
        cmocka_unit_test(test_null_error_buffer),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
