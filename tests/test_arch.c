// test_arch.c - architecture strings: presets, spacing, options and their
// defaults, the text a layer formats back to, and every parse error with the
// column it names (columns counted by hand, 1-based).
#include <stdlib.h>

#include "helpers.h"

// Parses text that must be valid; fails the test (with the message) otherwise.
static nn_layer_spec *parse_ok(const char *text, int want_count) {
    nn_error err = error_fresh();
    nn_layer_spec *layers = NULL;
    int count = -1;
    assert_ok(nn_arch_parse(text, &layers, &count, &err), err);
    assert_non_null(layers);
    assert_int_equal(count, want_count);
    return layers;
}

// Checks that text fails to parse with a message naming `column` and
// containing `needle`, and that nothing is handed back.
static void parse_fails_(const char *text, int column, const char *needle, const char *file,
                         int line) {
    nn_error err = error_fresh();
    nn_layer_spec *layers = (nn_layer_spec *)&err;  // must be reset to NULL
    int count = -1;
    nn_status st = nn_arch_parse(text, &layers, &count, &err);
    if (st != NN_ERR_PARSE) {
        print_error("parsing \"%s\" returned %s, want parse error (message \"%s\")\n", text,
                    nn_status_name(st), err.msg);
        _fail(file, line);
    }
    if (layers != NULL || count != 0) {
        print_error("parsing \"%s\" failed but returned %d layers at %p\n", text, count,
                    (void *)layers);
        _fail(file, line);
    }
    if (column > 0) {
        char where[48];
        snprintf(where, sizeof where, "architecture column %d: ", column);
        assert_error_contains_(&err, where, file, line);
    }
    assert_error_contains_(&err, needle, file, line);
}

#define parse_fails(text, column, needle) parse_fails_((text), (column), (needle), __FILE__, __LINE__)

// ---- Parsing --------------------------------------------------------------------------

// The lenet5 preset expands to LeNet-5's thirteen layers, in order.
static void test_preset_lenet5(void **state) {
    (void)state;
    static const nn_layer_kind want[13] = {
        NN_LAYER_CONV, NN_LAYER_RELU, NN_LAYER_MAXPOOL, NN_LAYER_CONV, NN_LAYER_RELU,
        NN_LAYER_MAXPOOL, NN_LAYER_FLATTEN, NN_LAYER_DENSE, NN_LAYER_RELU, NN_LAYER_DENSE,
        NN_LAYER_RELU, NN_LAYER_DENSE, NN_LAYER_SOFTMAX,
    };
    nn_layer_spec *l = parse_ok("lenet5", 13);
    for (int i = 0; i < 13; i++) assert_int_equal(l[i].kind, want[i]);
    // conv(6,5,pad=2) ... conv(16,5) ... dense(120), dense(84), dense(10)
    assert_int_equal(l[0].filters, 6);
    assert_int_equal(l[0].kernel, 5);
    assert_int_equal(l[0].padding.mode, NN_PAD_EXPLICIT);
    assert_int_equal(l[0].padding.p, 2);
    assert_int_equal(l[3].filters, 16);
    assert_int_equal(l[3].padding.mode, NN_PAD_VALID);
    assert_int_equal(l[7].units, 120);
    assert_int_equal(l[9].units, 84);
    assert_int_equal(l[11].units, 10);
    free(l);
}

// The softmax preset is softmax regression: flatten, dense(10), softmax.
static void test_preset_softmax(void **state) {
    (void)state;
    nn_layer_spec *l = parse_ok("  softmax  ", 3);
    assert_int_equal(l[0].kind, NN_LAYER_FLATTEN);
    assert_int_equal(l[1].kind, NN_LAYER_DENSE);
    assert_int_equal(l[1].units, 10);
    assert_int_equal(l[2].kind, NN_LAYER_SOFTMAX);
    free(l);
}

// nn_arch_preset knows exactly the two presets.
static void test_preset_lookup(void **state) {
    (void)state;
    assert_non_null(nn_arch_preset("lenet5"));
    assert_non_null(nn_arch_preset("softmax"));
    assert_null(nn_arch_preset("vgg16"));
    assert_null(nn_arch_preset(""));
}

// Defaults as in Keras: conv stride 1, dilation 1, padding valid; pooling
// stride 0 (meaning "= window") and padding 0.
static void test_defaults(void **state) {
    (void)state;
    nn_layer_spec *l = parse_ok("conv(8,3),maxpool(2),avgpool(3)", 3);
    assert_int_equal(l[0].kind, NN_LAYER_CONV);
    assert_int_equal(l[0].filters, 8);
    assert_int_equal(l[0].kernel, 3);
    assert_int_equal(l[0].stride, 1);
    assert_int_equal(l[0].dilation, 1);
    assert_int_equal(l[0].padding.mode, NN_PAD_VALID);
    assert_int_equal(l[1].kind, NN_LAYER_MAXPOOL);
    assert_int_equal(l[1].kernel, 2);
    assert_int_equal(l[1].stride, 0);
    assert_int_equal(l[1].padding.mode, NN_PAD_EXPLICIT);
    assert_int_equal(l[1].padding.p, 0);
    assert_int_equal(l[2].kind, NN_LAYER_AVGPOOL);
    assert_int_equal(l[2].kernel, 3);
    free(l);
}

// Every option is read: stride, pad (valid, same, a number), dilation.
static void test_options(void **state) {
    (void)state;
    nn_layer_spec *l = parse_ok("conv(16,3,stride=2,pad=same,dilation=3),"
                                "conv(4,5,pad=valid),conv(4,5,pad=0),"
                                "maxpool(3,stride=2,pad=1),dropout(0.25),dense(7)",
                                6);
    assert_int_equal(l[0].filters, 16);
    assert_int_equal(l[0].stride, 2);
    assert_int_equal(l[0].padding.mode, NN_PAD_SAME);
    assert_int_equal(l[0].dilation, 3);
    assert_int_equal(l[1].padding.mode, NN_PAD_VALID);
    assert_int_equal(l[2].padding.mode, NN_PAD_EXPLICIT);
    assert_int_equal(l[2].padding.p, 0);
    assert_int_equal(l[3].stride, 2);
    assert_int_equal(l[3].padding.p, 1);
    assert_int_equal(l[4].kind, NN_LAYER_DROPOUT);
    assert_float_equal(l[4].rate, 0.25f, 0.0f);
    assert_int_equal(l[5].units, 7);
    free(l);
}

// Spaces, tabs and newlines around every token are fine; names ignore case.
static void test_spaces_and_case(void **state) {
    (void)state;
    nn_layer_spec *l = parse_ok("  Conv ( 6 , 5 , pad = 2 ) ,\tRELU ,\n maxpool( 2 ) , Tanh ", 4);
    assert_int_equal(l[0].kind, NN_LAYER_CONV);
    assert_int_equal(l[0].filters, 6);
    assert_int_equal(l[0].padding.p, 2);
    assert_int_equal(l[1].kind, NN_LAYER_RELU);
    assert_int_equal(l[2].kind, NN_LAYER_MAXPOOL);
    assert_int_equal(l[3].kind, NN_LAYER_TANH);
    free(l);
}

// Each layer remembers the column it starts at.
static void test_layer_columns(void **state) {
    (void)state;
    //                            1234567890123456789012345
    nn_layer_spec *l = parse_ok("conv(6,5), relu,  dense(3)", 3);
    assert_int_equal(l[0].column, 1);
    assert_int_equal(l[1].column, 12);
    assert_int_equal(l[2].column, 19);
    free(l);
}

// Empty parentheses on a layer without values are accepted, as are all the simple layers.
static void test_simple_layers(void **state) {
    (void)state;
    nn_layer_spec *l = parse_ok("relu(),sigmoid,tanh,flatten,softmax", 5);
    assert_int_equal(l[0].kind, NN_LAYER_RELU);
    assert_int_equal(l[1].kind, NN_LAYER_SIGMOID);
    assert_int_equal(l[2].kind, NN_LAYER_TANH);
    assert_int_equal(l[3].kind, NN_LAYER_FLATTEN);
    assert_int_equal(l[4].kind, NN_LAYER_SOFTMAX);
    free(l);
}

// A layer formats back to the text that describes it (defaults left out).
static void test_format_round_trip(void **state) {
    (void)state;
    static const char *const texts[] = {
        "conv(6,5)", "conv(6,5,pad=2)", "conv(16,3,stride=2,pad=same,dilation=3)",
        "conv(4,3,pad=0)", "maxpool(2)", "maxpool(3,stride=2,pad=1)", "avgpool(2,pad=1)",
        "dropout(0.5)", "dense(10)", "relu", "sigmoid", "tanh", "flatten",
    };  // (a bare "softmax" is the preset, so the softmax layer is checked below)
    for (size_t i = 0; i < HELPERS_COUNT_OF(texts); i++) {
        nn_layer_spec *l = parse_ok(texts[i], 1);
        char buf[96];
        nn_layer_spec_format(&l[0], buf, sizeof buf);
        assert_string_equal(buf, texts[i]);
        free(l);
    }
    // a pooling stride equal to the window is the default and is left out
    nn_layer_spec *l = parse_ok("maxpool(2,stride=2)", 1);
    char buf[96];
    nn_layer_spec_format(&l[0], buf, sizeof buf);
    assert_string_equal(buf, "maxpool(2)");
    free(l);
    l = parse_ok("dense(3),softmax", 2);
    nn_layer_spec_format(&l[1], buf, sizeof buf);
    assert_string_equal(buf, "softmax");
    free(l);
}

// ---- Errors ---------------------------------------------------------------------------------

// An unknown layer is named, with the list of known ones, at its column.
static void test_error_unknown_layer(void **state) {
    (void)state;
    //           0        1         2
    //           1234567890123456789012
    parse_fails("conv(6,5,pad=2),relu,batchnorm", 22, "unknown layer 'batchnorm' (known: conv,");
    parse_fails("LeNet", 1, "unknown layer 'LeNet'");  // as written
}

// Issue 10, finding 15: 'cönv' was reported as "unknown layer 'c'". The whole
// word is quoted, printable UTF-8 as it is and any other byte as \xNN, at a
// column that counts characters.
static void test_error_unknown_layer_whole_word(void **state) {
    (void)state;
    parse_fails("c\xc3\xb6nv(6,5)", 1, "unknown layer 'c\xc3\xb6nv' (known: conv,");
    //           r e l u , c ö n v : 'c' is the 6th character
    parse_fails("relu,c\xc3\xb6nv", 6, "unknown layer 'c\xc3\xb6nv'");
    // A known name followed by stray bytes is one unknown word, not 'conv' + junk.
    parse_fails("conv\xc3\xb6(6,5)", 1, "unknown layer 'conv\xc3\xb6'");
    // A word that starts with a non-ASCII letter.
    parse_fails("\xc3\xb6" "conv", 1, "unknown layer '\xc3\xb6" "conv'");
    // Bytes that are not printable characters are escaped, never copied:
    // ESC, a lone 0xff, a cut UTF-8 sequence, a right-to-left override (U+202E).
    parse_fails("re\x1blu", 1, "unknown layer 're\\x1blu'");
    parse_fails("c\xffnv", 1, "unknown layer 'c\\xffnv'");
    parse_fails("c\xc3nv", 1, "unknown layer 'c\\xc3nv'");
    parse_fails("\xe2\x80\xae" "conv", 1, "unknown layer '\\xe2\\x80\\xaeconv'");
    // A stray character after a layer or inside its values: named whole, at
    // its character column (ö is one character).
    parse_fails("c\xc3\xb6nv", 1, "c\xc3\xb6nv");
    parse_fails("conv(6,5)\xc3\xb6", 10, "expected ',' between layers, found '\xc3\xb6'");
    parse_fails("conv(6\xc3\xb6,5)", 7, "unexpected '\xc3\xb6'");
    parse_fails("dense(1\x07)", 8, "unexpected '\\x07'");
    // A very long word is quoted up to 32 bytes, then "...".
    parse_fails("abcdefghijabcdefghijabcdefghijabcdefghij", 1,
                "unknown layer 'abcdefghijabcdefghijabcdefghijab...'");
}

// Values and keys longer than 31 characters are refused whole, never cut
// (a cut "0000...05" would have read as 0).
static void test_error_value_too_long(void **state) {
    (void)state;
    parse_fails("conv(6,00000000000000000000000000000005)", 8,
                "the value '00000000000000000000000000000005' is too long (at most 31");
    parse_fails("conv(6,5,paddingpaddingpaddingpaddingpadding=1)", 10,
                "unknown option 'paddingpaddingpaddingpaddingpadd...'");
}

// Issue 10, finding 18: "pad=same,pad=valid" in one layer is an error, not
// "the last one wins".
static void test_error_option_twice(void **state) {
    (void)state;
    //           0        1         2
    //           1234567890123456789012345678
    parse_fails("conv(6,5,pad=same,pad=valid)", 19,
                "the option 'pad' is given twice in this conv layer (first in column 10)");
    parse_fails("maxpool(2,stride=2,stride=1)", 20, "the option 'stride' is given twice");
    parse_fails("conv(6,5,dilation=2,stride=1,dilation=2)", 30, "'dilation' is given twice");
}

// An option the layer does not have is named at its column, with the usage.
static void test_error_unknown_option(void **state) {
    (void)state;
    parse_fails("conv(6,5,padding=1)", 10, "unknown option 'padding' (usage: conv(F,K");
    parse_fails("maxpool(2,dilation=2)", 11, "unknown option 'dilation' (usage: maxpool(K");
}

// A layer missing its values says so and shows the usage.
static void test_error_missing_values(void **state) {
    (void)state;
    parse_fails("conv(6)", 1, "conv needs more values (usage: conv(F,K");
    parse_fails("relu,dense", 6, "dense needs more values (usage: dense(N))");
    parse_fails("dense()", 1, "dense needs more values");
    parse_fails("conv(6,5,stride=)", 17, "expected a value after 'stride='");
    parse_fails("conv(6,,5)", 8, "expected a value");
}

// Too many values point at the first one too many.
static void test_error_too_many_values(void **state) {
    (void)state;
    parse_fails("dense(10,20)", 10, "too many values for dense (usage: dense(N))");
    parse_fails("conv(6,5,3)", 10, "too many values for conv");
    parse_fails("relu(3)", 6, "too many values for relu");
}

// Values that are not whole numbers in range are refused, quoting them.
static void test_error_not_numbers(void **state) {
    (void)state;
    parse_fails("dense(ten)", 7, "the number of units N must be a whole number, got 'ten'");
    parse_fails("dense(5.5)", 7, "must be a whole number, got '5.5'");
    parse_fails("conv(6,5,stride=x)", 10, "stride must be a whole number, got 'x'");
    parse_fails("conv(6,5,pad=nope)", 10, "pad (valid, same or a number) must be a whole number");
    parse_fails("maxpool(2,pad=same)", 11, "pad must be a whole number, got 'same'");
    parse_fails("conv(0,5)", 6, "the number of filters F must be from 1 to 1000000, got 0");
    parse_fails("conv(6,5,stride=0)", 10, "stride must be from 1 to 1000000, got 0");
    parse_fails("conv(6,5,dilation=0)", 10, "dilation must be from 1 to 1000000, got 0");
    parse_fails("conv(6,5,pad=-1)", 10, "must be from 0 to 1000000, got -1");
    parse_fails("dense(1000001)", 7, "must be from 1 to 1000000, got 1000001");
    parse_fails("dense(99999999999999999999)", 7, "got 99999999999999999999");
}

// An opening parenthesis that is never closed is reported at the parenthesis.
static void test_error_unclosed_parenthesis(void **state) {
    (void)state;
    parse_fails("conv(6,5", 5, "'(' is never closed (usage: conv(F,K");
    parse_fails("relu,maxpool(2", 13, "'(' is never closed");
}

// Stray characters are reported where they are.
static void test_error_stray_characters(void **state) {
    (void)state;
    parse_fails("conv(6;5)", 7, "unexpected ';'");
    parse_fails("relu relu", 6, "expected ',' between layers, found 'r'");
    parse_fails("flatten,dense(10),softmax)", 26, "expected ',' between layers, found ')'");
    parse_fails("(", 1, "expected a layer name, found '('");
    parse_fails("conv(6,stride=2,5)", 17, "a plain value after key=value options");
}

// An empty string (or only spaces) is an error without a column.
static void test_error_empty(void **state) {
    (void)state;
    parse_fails("", 0, "the architecture is empty");
    parse_fails("   \t ", 0, "the architecture is empty");
}

// A trailing comma or a doubled comma leaves a layer missing.
static void test_error_trailing_comma(void **state) {
    (void)state;
    parse_fails("conv(6,5),relu,", 16, "a layer is missing (the text ends here)");
    parse_fails("conv(6,5),,relu", 11, "expected a layer name, found ','");
}

// A dropout rate must be a number in [0, 1).
static void test_error_dropout_rate(void **state) {
    (void)state;
    parse_fails("dropout(1)", 9, "the dropout rate must be at least 0 and below 1, got 1");
    parse_fails("dropout(-0.1)", 9, "at least 0 and below 1, got -0.1");
    parse_fails("dropout(1.5)", 9, "got 1.5");
    parse_fails("dropout(nan)", 9, "got nan");
    parse_fails("dropout(abc)", 9, "the dropout rate must be a number, got 'abc'");
    nn_layer_spec *l = parse_ok("dropout(0)", 1);  // 0 is allowed
    assert_float_equal(l[0].rate, 0.0f, 0.0f);
    free(l);
}

// More than 256 layers are refused.
static void test_error_too_many_layers(void **state) {
    (void)state;
    char text[5 * 257 + 1];
    text[0] = '\0';
    for (int i = 0; i < 257; i++) strcat(text, i ? ",relu" : "relu");
    parse_fails(text, 0, "more than 256 layers");
    text[5 * 256 - 1] = '\0';  // exactly 256 layers are fine
    free(parse_ok(text, 256));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preset_lenet5),
        cmocka_unit_test(test_preset_softmax),
        cmocka_unit_test(test_preset_lookup),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_spaces_and_case),
        cmocka_unit_test(test_layer_columns),
        cmocka_unit_test(test_simple_layers),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_error_unknown_layer),
        cmocka_unit_test(test_error_unknown_layer_whole_word),
        cmocka_unit_test(test_error_value_too_long),
        cmocka_unit_test(test_error_option_twice),
        cmocka_unit_test(test_error_unknown_option),
        cmocka_unit_test(test_error_missing_values),
        cmocka_unit_test(test_error_too_many_values),
        cmocka_unit_test(test_error_not_numbers),
        cmocka_unit_test(test_error_unclosed_parenthesis),
        cmocka_unit_test(test_error_stray_characters),
        cmocka_unit_test(test_error_empty),
        cmocka_unit_test(test_error_trailing_comma),
        cmocka_unit_test(test_error_dropout_rate),
        cmocka_unit_test(test_error_too_many_layers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
