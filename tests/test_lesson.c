// test_lesson.c - the lesson parser: what it reads, and the exact message for
// each kind of mistake (file:line and what was expected).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lesson.h"
#include "lesson_play.h"
#include "state.h"

static char err_[600];

// Parses text that must fail; the message must be exactly `want`.
static void fails_(const char *text, const char *want) {
    lesson l;
    err_[0] = '\0';
    if (lesson_parse(&l, text, "t.lesson", err_, sizeof err_)) {
        print_error("parsed, but should fail with: %s\n", want);
        lesson_free(&l);
        fail();
    }
    if (strcmp(err_, want) != 0) {
        print_error("got:  %s\nwant: %s\n", err_, want);
        fail();
    }
}

// A well-formed lesson: commands, arguments and lines as written.
static void test_parse_commands(void **state) {
    (void)state;
    const char *text = "title Stride\n"
                       "# a comment\n"
                       "\n"
                       "view conv\n"
                       "input 1 2 3; 4 5 6; 7 8 9\n"
                       "kernel 1 0; 0 1\n"
                       "padding same\n"
                       "stride 2\n"
                       "say A *stride* of 2.   \n"
                       "step to 1 0\n"
                       "step end\n"
                       "step 3\n"
                       "highlight output 0 0 1 1\n"
                       "wait 2.5\n"
                       "quiz size How big? answer 2x2\n"
                       "expect size 2x2\n"
                       "expect cell 0 0 6\n"
                       "expect params lenet5 28x28x1 61706\n"
                       "digit 7 20\n";
    lesson l;
    assert_true(lesson_parse(&l, text, "t.lesson", err_, sizeof err_));
    assert_string_equal(l.title, "Stride");
    assert_int_equal(l.n, 17);
    assert_int_equal(l.cmds[1].op, LOP_VIEW);
    assert_int_equal(l.cmds[1].a, VIEW_CONV);
    assert_int_equal(l.cmds[1].line, 4);
    assert_int_equal(l.cmds[4].op, LOP_PADDING);
    assert_int_equal(l.cmds[4].a, -2);
    assert_string_equal(l.cmds[6].text, "A *stride* of 2.");
    assert_int_equal(l.cmds[7].a, -1);
    assert_int_equal(l.cmds[7].b, 1);
    assert_int_equal(l.cmds[8].a, -2);
    assert_int_equal(l.cmds[9].a, 3);
    assert_int_equal(l.cmds[10].a, GRID_OUTPUT);
    assert_true(l.cmds[11].value == 2.5);
    assert_string_equal(l.cmds[12].text, "How big?");
    assert_string_equal(l.cmds[12].answer, "2x2");
    assert_int_equal(l.cmds[13].b, 2);
    assert_int_equal(l.cmds[13].c, 2);
    assert_true(l.cmds[14].value == 6);
    assert_string_equal(l.cmds[15].arch, "lenet5");
    assert_int_equal(l.cmds[16].a, 7);
    assert_int_equal(l.cmds[16].b, 20);
    assert_int_equal(lesson_count_beats(&l), 2);
    lesson_free(&l);
}

// Every kind of mistake names the line and what was expected.
static void test_errors(void **state) {
    (void)state;
    fails_("title T\nview conv\nfrobnicate 3\n",
           "t.lesson:3: unknown command 'frobnicate' (expected title, view, input, kernel, bias, padding, stride, "
           "dilation, size, preset, digit, model, train, classifier, strokes, say, step, restart, highlight, wait, "
           "quiz or expect)");
    fails_("title T\nview cinema\n", "t.lesson:2: unknown view 'cinema' (expected conv, pool, train, templates, cnn or draw)");
    fails_("title T\nview conv\nstride 9\n", "t.lesson:3: stride must be a whole number from 1 to 4, got '9'");
    fails_("title T\nview conv\nstride\n", "t.lesson:3: stride is missing (expected a whole number from 1 to 4)");
    fails_("title T\nview conv\nstride 2 3\n", "t.lesson:3: unexpected '3' (usage: stride S)");
    fails_("title T\nview conv\ninput 1 2; 3\n",
           "t.lesson:3: input, row 2: this row has 1 values but the first row has 2 (a matrix must be rectangular)");
    fails_("title T\nview conv\npadding lots\n", "t.lesson:3: padding must be a whole number from 0 to 3, got 'lots'");
    fails_("title T\nview conv\nstep sideways\n", "t.lesson:3: the number of steps must be a whole number from 1 to 1000000, got 'sideways'");
    fails_("title T\nview conv\nexpect size 3by3\n", "t.lesson:3: a size is written RxC, such as 3x3, got '3by3'");
    fails_("title T\nview conv\nexpect cell 0 0\n", "t.lesson:3: the value is missing (expected a number)");
    fails_("title T\nview conv\nexpect colour red\n",
           "t.lesson:3: unknown expectation 'colour' (expected size, cell, max, avg, guess, accuracy or params)");
    fails_("title T\nview conv\nquiz size\n", "t.lesson:3: quiz size needs a question after it");
    fails_("title T\nview conv\nhighlight output 1\n", "t.lesson:3: highlight needs pairs of numbers R C, got 1 number(s)");
    fails_("title T\nview conv\npreset blurry\n",
           "t.lesson:3: unknown preset 'blurry' (expected identity, box blur, Gaussian, sharpen, Laplacian, "
           "Sobel vertical, Sobel horizontal or emboss)");
    fails_("view conv\n", "t.lesson:1: a lesson starts with 'title TEXT'");
    fails_("title T\nsay hello\n", "t.lesson:1: the lesson never says which view to show ('view conv', ...)");
    fails_("title T\nview conv\ntitle Again\n", "t.lesson:3: a lesson has one title (the first line)");
    fails_("", "t.lesson:1: a lesson starts with 'title TEXT'");
}

// A missing file is named.
static void test_missing_file(void **state) {
    (void)state;
    lesson l;
    assert_false(lesson_load(&l, "/nonexistent/x.lesson", err_, sizeof err_));
    assert_string_equal(err_, "cannot open the lesson '/nonexistent/x.lesson': No such file or directory");
}

// Quiz answers: sizes as RxC, numbers by the rounding rule of --expect.
static void test_answers(void **state) {
    (void)state;
    assert_true(lesson_answer_matches("3x3", "3x3"));
    assert_true(lesson_answer_matches(" 3 x 3", "3x3"));
    assert_false(lesson_answer_matches("3x4", "3x3"));
    assert_true(lesson_answer_matches("12", "12"));
    assert_false(lesson_answer_matches("13", "12"));
    assert_true(lesson_answer_matches("1.67", "1.66666663"));
    assert_false(lesson_answer_matches("1.66", "1.66666663"));
    assert_false(lesson_answer_matches("twelve", "12"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_commands),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
