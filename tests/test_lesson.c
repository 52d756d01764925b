// test_lesson.c - the lesson parser: what it reads, and the exact message for
// each kind of mistake (file:line and what was expected).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "text.h"
#include "lesson.h"
#include "expect.h"
#include "lesson_play.h"
#include "state.h"
#include "update.h"

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
           "t.lesson:3: unknown command 'frobnicate' (expected title, view, input, kernel, bias, filters, padding, stride, "
           "dilation, flip, size, output-padding, backward, grad-output, lr, preset, digit, model, recipe, train, keep, classifier, clear, strokes, say, step, restart, "
           "highlight, point, wait, quiz or expect)");
    fails_("title T\nview cinema\n", "t.lesson:2: unknown view 'cinema' (expected conv, pool, convt, backprop, train, templates, cnn, network or draw)");
    fails_("title T\nview conv\nstride 9\n", "t.lesson:3: stride must be a whole number from 1 to 4, got '9'");
    fails_("title T\nview conv\nstride\n", "t.lesson:3: stride is missing (expected a whole number from 1 to 4)");
    fails_("title T\nview conv\nstride 2 3\n", "t.lesson:3: unexpected '3' (usage: stride S)");
    fails_("title T\nview conv\ninput 1 2; 3\n",
           "t.lesson:3: input, row 2: this row has 1 values but the first row has 2 (a matrix must be rectangular)");
    fails_("title T\nview conv\npadding lots\n", "t.lesson:3: padding must be a whole number from 0 to 3, got 'lots'");
    fails_("title T\nview conv\nstep sideways\n", "t.lesson:3: the number of steps must be a whole number from 1 to 10000, got 'sideways'");
    fails_("title T\nview conv\nexpect size 3by3\n", "t.lesson:3: a size is written RxC, such as 3x3, got '3by3'");
    fails_("title T\nview conv\nexpect cell 0 0\n", "t.lesson:3: the value is missing (expected a finite number such as 12 or -0.5)");
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

// Issue 10, finding 18: values a lesson cannot mean are refused with file:line,
// not accepted and then ignored or failed when the lesson plays.
static void test_odd_values(void **state) {
    (void)state;
    fails_("title T\nview conv\nbias inf\n",
           "t.lesson:3: the bias must be a finite number such as 12 or -0.5, got 'inf'");
    fails_("title T\nview conv\nbias nan\n",
           "t.lesson:3: the bias must be a finite number such as 12 or -0.5, got 'nan'");
    fails_("title T\nview conv\nbias 0x10\n",
           "t.lesson:3: the bias must be a finite number such as 12 or -0.5, got '0x10'");
    fails_("title T\nview conv\nwait inf\n", "t.lesson:3: the seconds to wait must be a number from 0 to 600, got 'inf'");
    fails_("title T\nview conv\nwait -1\n", "t.lesson:3: the seconds to wait must be a number from 0 to 600, got '-1'");
    fails_("title T\nview conv\nwait 601\n", "t.lesson:3: the seconds to wait must be a number from 0 to 600, got '601'");
    fails_("title T\nview conv\nexpect cell 0 0 inf\n",
           "t.lesson:3: the value must be a finite number such as 12 or -0.5, got 'inf'");
    fails_("title T\nview conv\nexpect accuracy 101\n",
           "t.lesson:3: the least accuracy (a percentage) must be a number from 0 to 100, got '101'");
    // The engine prints "inf" for a value too large for a float; a teacher's
    // "inf" could never match by the rounding rule, so it is refused here.
    fails_("title T\nview conv\nquiz cell 0 0 What? answer inf\n",
           "t.lesson:3: a cell quiz's answer is a finite number such as 12 or -0.5 (not inf or nan), got 'inf'");
    fails_("title T\nview conv\nquiz size How big? answer big\n",
           "t.lesson:3: a size quiz's answer is RxC, such as 3x3, got 'big'");
    fails_("title T\nview draw\nquiz guess Which? answer 12\n",
           "t.lesson:3: a guess quiz's answer is a digit from 0 to 9, got '12'");
    // train N is capped (the window runs it while the teacher waits).
    fails_("title T\nview train\ntrain 2001\n",
           "t.lesson:3: the number of training steps must be a whole number from 1 to 2000, got '2001'");
    lesson l;
    assert_true(lesson_parse(&l, "title T\nview train\ntrain 2000\nwait 0\nwait 600\nbias -0.5\n", "t.lesson",
                             err_, sizeof err_));
    assert_int_equal(l.cmds[2].a, 2000);
    assert_true(l.cmds[5].value == -0.5);
    lesson_free(&l);
    // A value keeps the decimals it was written with (0.1, not the float nearest it).
    assert_true(lesson_parse(&l, "title T\nview conv\nexpect cell 0 0 0.1\n", "t.lesson", err_, sizeof err_));
    assert_true(l.cmds[2].value == 0.1);
    lesson_free(&l);
}

// Cell coordinates are checked against the sizes the views have at that point
// of the lesson, worked out from the commands before (the lesson starts from
// the 5x5 input and 3x3 kernel of the convolution view, and the 6x6 input
// pooled 2x2 with stride 2).
static void test_cells_in_range(void **state) {
    (void)state;
    // 5x5 valid 3x3: a 3x3 output, rows and columns 0..2.
    fails_("title T\nview conv\nstep to 3 0\n",
           "t.lesson:3: step to: cell (3, 0) is outside the output, which is 3x3 here (rows 0 to 2, columns 0 to 2)");
    fails_("title T\nview conv\nhighlight output 0 0 2 7\n",
           "t.lesson:3: highlight: cell (2, 7) is outside the output, which is 3x3 here (rows 0 to 2, columns 0 to 2)");
    fails_("title T\nview conv\nhighlight input 5 0\n",
           "t.lesson:3: highlight: cell (5, 0) is outside the input, which is 5x5 here (rows 0 to 4, columns 0 to 4)");
    fails_("title T\nview conv\nhighlight kernel 0 3\n",
           "t.lesson:3: highlight: cell (0, 3) is outside the kernel, which is 3x3 here (rows 0 to 2, columns 0 to 2)");
    fails_("title T\nview conv\nexpect cell 9 9 1\n",
           "t.lesson:3: expect: cell (9, 9) is outside the output, which is 3x3 here (rows 0 to 2, columns 0 to 2)");
    fails_("title T\nview conv\nquiz cell 0 3 What?\n",
           "t.lesson:3: quiz cell: cell (0, 3) is outside the output, which is 3x3 here (rows 0 to 2, columns 0 to 2)");
    // Padding 1 on 5x5 with 3x3: (5 + 2 - 3)/1 + 1 = 5; stride 2: (5 + 2 - 3)/2 + 1 = 3.
    fails_("title T\nview conv\npadding 1\nstep to 4 4\nstride 2\nstep to 3 3\n",
           "t.lesson:6: step to: cell (3, 3) is outside the output, which is 3x3 here (rows 0 to 2, columns 0 to 2)");
    // A 4x6 input and a 2x2 kernel: a 3x5 output; dilation 2 spans 3: 2x4.
    fails_("title T\nview conv\ninput 1 2 3 4 5 6; 1 2 3 4 5 6; 1 2 3 4 5 6; 1 2 3 4 5 6\nkernel 1 0; 0 1\n"
           "step to 2 4\ndilation 2\nstep to 2 0\n",
           "t.lesson:7: step to: cell (2, 0) is outside the output, which is 2x4 here (rows 0 to 1, columns 0 to 3)");
    // A digit cropped to 20x20: the input is 20x20.
    fails_("title T\nview conv\ndigit 7 20\nhighlight input 19 19 20 0\n",
           "t.lesson:4: highlight: cell (20, 0) is outside the input, which is 20x20 here (rows 0 to 19, columns 0 to 19)");
    // Pooling 6x6 by 2x2 windows with stride 2: 3x3; size 3, stride 3: 2x2.
    fails_("title T\nview pool\nstep to 2 2\nsize 3\nstride 3\nexpect max 2 0 1\n",
           "t.lesson:6: expect: cell (2, 0) is outside the output, which is 2x2 here (rows 0 to 1, columns 0 to 1)");
    // Settings that give no output at all.
    fails_("title T\nview conv\ninput 1 2; 3 4\nstep to 0 0\n",
           "t.lesson:4: step to: there is no output here, the settings cannot work: the kernel 3x3 is larger than "
           "the padded input 2x2 (input 2x2, padding 0+0 rows, 0+0 cols)");
    // The views' own limits, found in the file rather than when it plays.
    fails_("title T\nview pool\ninput 1 2 | 3 4\n",
           "t.lesson:3: the pooling view takes one channel of up to 32x32, got 2 of 1x2");
    fails_("title T\nview conv\nkernel 1 2 3; 4 5 6\n",
           "t.lesson:3: the kernel must be square, at most 7x7, with one channel per input channel (1 here); got 1 of 2x3");
    fails_("title T\nview conv\nhighlight output 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
           "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
           "t.lesson:3: highlight marks at most 32 cells, got 33");
}

// Issue 10, findings 15, 16 and 8d: one line-length limit, a BOM and every
// kind of line end, no control characters, and a bounded size.
static void test_text_form(void **state) {
    (void)state;
    lesson l;
    // A BOM, then CRLF line ends; then old-Mac CR-only line ends.
    assert_true(lesson_parse(&l, "\xEF\xBB\xBFtitle B\r\nview conv\r\nsay hi\r\n", "t.lesson", err_, sizeof err_));
    assert_string_equal(l.title, "B");
    assert_int_equal(l.n, 3);
    assert_string_equal(l.cmds[2].text, "hi");
    lesson_free(&l);
    assert_true(lesson_parse(&l, "title M\rview conv\r\rsay there\rstride 2", "t.lesson", err_, sizeof err_));
    assert_int_equal(l.n, 4);
    assert_int_equal(l.cmds[2].line, 4);
    assert_int_equal(l.cmds[3].a, 2);
    lesson_free(&l);
    fails_("title T\rview conv\rstride 9\r", "t.lesson:3: stride must be a whole number from 1 to 4, got '9'");

    // TEXT_MAX_LINE bytes is the longest line; one more is refused.
    static char text[TEXT_MAX_LINE + 64];
    // (A comment: a caption that long is refused for the screen's sake, test_text_limits.)
    snprintf(text, sizeof text, "title T\nview conv\n# ");
    size_t n = strlen(text);
    memset(text + n, 'a', TEXT_MAX_LINE - 2);
    text[n + TEXT_MAX_LINE - 2] = '\0';
    assert_true(lesson_parse(&l, text, "t.lesson", err_, sizeof err_));
    assert_int_equal(l.n, 2);
    lesson_free(&l);
    strcat(text, "a");
    fails_(text, "t.lesson:3: the line is longer than 4096 bytes (the limit for every text file): split it (two "
                 "'say' lines show as one caption)");

    // Escape sequences and bytes that are not UTF-8 never get into a lesson.
    fails_("title \x1b]0;pwned\x07\nview conv\n",
           "t.lesson:1: byte 7 of the line is a control character or not UTF-8 (0x1B): a lesson is UTF-8 text");
    fails_("title T\nview conv\nsay \xC2\x9B" "31m\n",
           "t.lesson:3: byte 5 of the line is a control character or not UTF-8 (0xC2): a lesson is UTF-8 text");
    fails_("title T\nview conv\nsay caf\xE9\n",
           "t.lesson:3: byte 8 of the line is a control character or not UTF-8 (0xE9): a lesson is UTF-8 text");
    assert_true(lesson_parse(&l, "title Caf\xC3\xA9 \xE2\x80\x94 na\xC3\xAFve\tok\nview conv\n", "t.lesson", err_,
                             sizeof err_));
    lesson_free(&l);
    // A file name with an escape in it is shown escaped.
    assert_false(lesson_parse(&l, "view conv\n", "a\x1b[2Jb.lesson", err_, sizeof err_));
    assert_string_equal(err_, "a\\x1B[2Jb.lesson:1: a lesson starts with 'title TEXT'");

    // Counts: commands and lines.
    static char big[LESSON_MAX_LINES * 6 + 64];
    strcpy(big, "title T\nview conv\n");
    for (int i = 2; i < LESSON_MAX_COMMANDS; i++) strcat(big + strlen(big) - 8, "wait\n");
    assert_true(lesson_parse(&l, big, "t.lesson", err_, sizeof err_));
    assert_int_equal(l.n, LESSON_MAX_COMMANDS);
    lesson_free(&l);
    strcat(big, "wait\n");
    fails_(big, "t.lesson:1001: a lesson has at most 1000 commands");
    strcpy(big, "title T\nview conv\n");
    for (int i = 2; i < LESSON_MAX_LINES; i++) strcat(big + strlen(big) - 4, "#\n");
    assert_true(lesson_parse(&l, big, "t.lesson", err_, sizeof err_));
    lesson_free(&l);
    strcat(big, "#\n");
    fails_(big, "t.lesson:10001: a lesson has at most 10000 lines");
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
    assert_true(expect_answer_matches("3x3", "3x3"));
    assert_true(expect_answer_matches(" 3 x 3", "3x3"));
    assert_false(expect_answer_matches("3x4", "3x3"));
    assert_true(expect_answer_matches("12", "12"));
    assert_false(expect_answer_matches("13", "12"));
    assert_true(expect_answer_matches("1.67", "1.66666663"));
    assert_false(expect_answer_matches("1.66", "1.66666663"));
    assert_false(expect_answer_matches("twelve", "12"));
}

// Grading a quiz: right to 2 decimals whatever was typed; right only to the
// decimals typed is close (5 for 5.25: |5 - 5.25| <= 0.5, but > 0.005).
static void test_grades(void **state) {
    (void)state;
    assert_int_equal(expect_grade_answer("12", "12"), QUIZ_RIGHT);
    assert_int_equal(expect_grade_answer("5.25", "5.25"), QUIZ_RIGHT);
    assert_int_equal(expect_grade_answer("5", "5.25"), QUIZ_CLOSE);
    assert_int_equal(expect_grade_answer("5.3", "5.25"), QUIZ_CLOSE);  // 0.05 off: within the tenth typed
    assert_int_equal(expect_grade_answer("1.67", "1.66666663"), QUIZ_RIGHT);
    assert_int_equal(expect_grade_answer("1.6666", "1.66666663"), QUIZ_RIGHT);
    assert_int_equal(expect_grade_answer("2", "1.66666663"), QUIZ_CLOSE);
    assert_int_equal(expect_grade_answer("1.66", "1.66666663"), QUIZ_WRONG);  // 0.0067 off, typed to 2 decimals
    assert_int_equal(expect_grade_answer("6", "5.25"), QUIZ_WRONG);
    assert_int_equal(expect_grade_answer("3x3", "3x3"), QUIZ_RIGHT);
    assert_int_equal(expect_grade_answer("3x4", "3x3"), QUIZ_WRONG);
    assert_int_equal(expect_grade_answer("x", "12"), QUIZ_WRONG);
}

// A quiz in play: the answer is hidden while it waits; a first wrong try is
// said and cleared (still hidden), a second one shows the answer; a right
// one ends it. Output (0,0) of the lecture example: 3x0 + 3x1 + 2x2 + 0x2 +
// 0x2 + 1x0 + 3x0 + 1x1 + 2x2 = 12.
static void type_(app_state *s, const char *t) {
    for (; *t; t++) {
        const app_action a = {.kind = ACT_TYPE_CHAR, .ch = *t};
        app_update(s, &a);
    }
    const app_action enter = {.kind = ACT_EDIT_COMMIT};
    app_update(s, &enter);
}

static void test_quiz_tries(void **state) {
    (void)state;
    static app_state s;
    app_state_init(&s);
    const char *text = "title Q\nview conv\ninput 3 3 2 1 0; 0 0 1 3 1; 3 1 2 2 3; 2 0 0 2 2; 2 0 0 0 1\n"
                       "kernel 0 1 2; 2 2 0; 0 1 2\nstep 1\nquiz cell 0 0 What is it? answer 12\n";
    lesson l;
    char err[400];
    assert_true(lesson_parse(&l, text, "q.lesson", err, sizeof err));
    lesson_start(&s, NULL, &l, NULL);
    assert_int_equal(s.player.failures, 0);
    assert_true(s.player.quiz_open);
    assert_string_equal(s.player.quiz_answer, "12");
    assert_true(quiz_hides_cell(&s, 0, 0));
    assert_false(quiz_hides_cell(&s, 0, 1));
    assert_false(quiz_hides(&s, QUIZ_SIZE));
    type_(&s, "11");  // first try: wrong, cleared, still hidden
    assert_int_equal(s.player.quiz_result, 0);
    assert_string_equal(s.player.quiz_missed, "11");
    assert_string_equal(s.player.quiz_typed, "");
    assert_true(quiz_hides_cell(&s, 0, 0));
    type_(&s, "13");  // second try: wrong, the answer is shown
    assert_int_equal(s.player.quiz_result, -1);
    assert_false(quiz_hides_cell(&s, 0, 0));
    lesson_close(&s);
    lesson_start(&s, NULL, &l, NULL);  // again: right at once
    assert_string_equal(s.player.quiz_missed, "");
    type_(&s, "12");
    assert_int_equal(s.player.quiz_result, 1);
    assert_false(quiz_hides_cell(&s, 0, 0));
    lesson_close(&s);
    lesson_free(&l);
}

// quiz params: the engine's count, each layer worked out by hand here:
// conv(10,5,pad=2) on 32x32x3 is 10*(5*5*3 + 1) = 760; a bad shape or answer
// is refused with file:line; hidden while it waits.
static void test_quiz_params(void **state) {
    (void)state;
    static app_state s;
    app_state_init(&s);
    lesson l;
    char err[400];
    assert_true(lesson_parse(&l, "title P\nview conv\nquiz params conv(10,5,pad=2) 32x32x3 How many? answer 760\n",
                             "p.lesson", err, sizeof err));
    lesson_start(&s, NULL, &l, NULL);
    assert_int_equal(s.player.failures, 0);
    assert_string_equal(s.player.quiz_answer, "760");
    assert_string_equal(s.player.quiz_explain, "10*(5*5*3 + 1) = 760 parameters.");
    assert_true(quiz_hides(&s, QUIZ_PARAMS));
    lesson_close(&s);
    lesson_free(&l);
    assert_false(lesson_parse(&l, "title P\nview conv\nquiz params conv(10,5) 32x32 How many?\n", "p.lesson", err,
                              sizeof err));
    assert_string_equal(err, "p.lesson:3: quiz params: the input shape is HxWxC, such as 32x32x3, got '32x32'");
    assert_false(lesson_parse(&l, "title P\nview conv\nquiz params conv(10,5) 32x32x3 How many? answer 7.5\n",
                              "p.lesson", err, sizeof err));
    assert_string_equal(err, "p.lesson:3: a params quiz's answer is a whole number such as 760, got '7.5'");
}

// Keys the class pressed between two steps do not shift the lesson: 'step 1'
// counts from where the last step left the window. Lecture example, valid
// 3x3 kernel on 5x5: cells (0,0) = 12, (0,1) = 12, (0,2) = 17 (lesson 01's expects).
static void test_steps_ignore_keys_between(void **state) {
    (void)state;
    static app_state s;
    app_state_init(&s);
    const char *text = "title K\nview conv\ninput 3 3 2 1 0; 0 0 1 3 1; 3 1 2 2 3; 2 0 0 2 2; 2 0 0 0 1\n"
                       "kernel 0 1 2; 2 2 0; 0 1 2\nstep 1\nwait\nstep 1\nwait\nsay end\n";
    lesson l;
    char err[400];
    assert_true(lesson_parse(&l, text, "k.lesson", err, sizeof err));
    lesson_start(&s, NULL, &l, NULL);
    for (int i = 0; i < 100 && s.conv.anim.playing; i++) app_tick(&s, 100);  // the step plays (see below)
    assert_int_equal(s.conv.anim.pos, 0);  // cell 1 done
    assert_int_equal(s.conv.anim.reveal, 9);
    const app_action right = {.kind = ACT_STEP_FORWARD};
    app_update(&s, &right);
    app_update(&s, &right);
    assert_int_equal(s.conv.anim.pos, 2);  // the class stepped on
    assert_true(lesson_next(&s, NULL, NULL));
    for (int i = 0; i < 100 && s.conv.anim.playing; i++) app_tick(&s, 100);
    assert_int_equal(s.conv.anim.pos, 1);  // the lesson's second cell, as written
    assert_int_equal(s.conv.anim.reveal, 9);
    const app_action home = {.kind = ACT_RESTART};
    app_update(&s, &home);
    assert_true(lesson_next(&s, NULL, NULL));
    assert_int_equal(s.conv.anim.pos, 1);  // put back where the lesson left it
    assert_int_equal(s.conv.anim.reveal, 9);
    lesson_close(&s);
    lesson_free(&l);
}

// In the window a 'step' plays: the window slides and, a cell at a time,
// each product appears, to where a transcript jumps (5x5 input, 3x3 kernel:
// a 3x3 output of 9 cells, 9 products each). The next beat starts from
// there whether or not the class waited for it, and a key pressed meanwhile
// does not move the lesson.
static void test_step_plays_in_the_window(void **state) {
    (void)state;
    static app_state s;
    app_state_init(&s);
    const char *text = "title P\nview conv\ninput 3 3 2 1 0; 0 0 1 3 1; 3 1 2 2 3; 2 0 0 2 2; 2 0 0 0 1\n"
                       "kernel 0 1 2; 2 2 0; 0 1 2\nstep 1\nwait\nstep 2\nwait\nstep end\nwait\nsay end\n";
    lesson l;
    char err[400];
    assert_true(lesson_parse(&l, text, "p.lesson", err, sizeof err));
    lesson_start(&s, NULL, &l, NULL);
    // Step 1 of the first cell: it plays from nothing shown, products one by one.
    assert_true(s.conv.anim.playing);
    assert_int_equal(s.conv.anim.pos, 0);
    assert_int_equal(s.conv.anim.reveal, 0);
    app_tick(&s, 500);  // 1 cell a second: 10 beats of 100 ms (9 products and the sum)
    assert_int_equal(s.conv.anim.pos, 0);
    assert_true(s.conv.anim.reveal >= 4 && s.conv.anim.reveal <= 6);
    for (int i = 0; i < 20; i++) app_tick(&s, 100);
    assert_false(s.conv.anim.playing);  // it stops on the cell the transcript reaches
    assert_int_equal(s.conv.anim.pos, 0);
    assert_int_equal(s.conv.anim.reveal, 9);
    // Step 2: two more cells; the class presses Right on the way.
    assert_true(lesson_next(&s, NULL, NULL));
    assert_true(s.conv.anim.playing);
    app_tick(&s, 300);
    assert_int_equal(s.conv.anim.pos, 1);
    const app_action right = {.kind = ACT_STEP_FORWARD};
    app_update(&s, &right);
    assert_false(s.conv.anim.playing);
    // Step end: the next beat starts from the lesson's cell 2, not the class's.
    assert_true(lesson_next(&s, NULL, NULL));
    assert_true(s.conv.anim.playing);
    assert_int_equal(s.conv.anim.pos, 2);
    assert_int_equal(s.conv.anim.reveal, 9);
    // Enter before it arrives: the last beat starts at the last cell, stopped.
    assert_true(lesson_next(&s, NULL, NULL));
    assert_false(s.conv.anim.playing);
    assert_int_equal(s.conv.anim.pos, 8);
    assert_int_equal(s.conv.anim.reveal, 9);
    lesson_close(&s);
    lesson_free(&l);
    // A 28x28 input and a 2x2 kernel: 27x27 = 729 cells take 11.4 s even at the top speed
    // (64 cells a second): 'step end' is there at once, not played.
    static char big[4000];
    int n = snprintf(big, sizeof big, "title B\nview conv\ninput ");
    for (int r = 0; r < 28; r++)
        for (int c = 0; c < 28; c++) n += snprintf(big + n, sizeof big - (size_t)n, "%d%s", (r + c) % 3, c < 27 ? " " : r < 27 ? "; " : "\n");
    snprintf(big + n, sizeof big - (size_t)n, "kernel 1 0; 0 1\nstep 3\nwait\nstep end\n");
    assert_true(lesson_parse(&l, big, "b.lesson", err, sizeof err));
    lesson_start(&s, NULL, &l, NULL);
    assert_true(s.conv.anim.playing);  // 3 cells: played
    assert_true(lesson_next(&s, NULL, NULL));
    assert_false(s.conv.anim.playing);
    assert_int_equal(s.conv.anim.pos, 27 * 27 - 1);
    lesson_close(&s);
    lesson_free(&l);
}

// Text the narration cannot hold is refused with file:line, not cut on
// screen (maybe inside a character): a step's captions over 2000 bytes
// (1,001 + 1,001 with their separators: 2 x (1000 + 1)), a question over 1000,
// a word over 120 bytes; a 'wait' starts the count again.
static void test_text_limits(void **state) {
    (void)state;
    static char text[5000], word[200];
    char thousand[1001];
    memset(thousand, 'a', 1000);
    for (int i = 100; i < 1000; i += 100) thousand[i] = ' ';
    thousand[1000] = '\0';
    lesson l;
    char err[400];
    snprintf(text, sizeof text, "title T\nview conv\nsay %s\nwait\nsay %s\n", thousand, thousand);
    assert_true(lesson_parse(&l, text, "t.lesson", err, sizeof err));
    lesson_free(&l);
    snprintf(text, sizeof text, "title T\nview conv\nsay %s\nsay %s\n", thousand, thousand);
    assert_false(lesson_parse(&l, text, "t.lesson", err, sizeof err));
    assert_string_equal(err, "t.lesson:4: this step's captions add up to 2002 bytes; at most 2000 fit on screen "
                             "(split the step with 'wait')");
    snprintf(text, sizeof text, "title T\nview conv\nstep 1\nquiz cell 0 0 %s? answer 12\n", thousand);
    assert_false(lesson_parse(&l, text, "t.lesson", err, sizeof err));
    assert_string_equal(err, "t.lesson:4: the question is 1001 bytes long; at most 1000 fit on screen");
    memset(word, 'w', 121);
    word[121] = '\0';
    snprintf(text, sizeof text, "title T\nview conv\nsay a %s b\n", word);
    assert_false(lesson_parse(&l, text, "t.lesson", err, sizeof err));
    assert_string_equal(err, "t.lesson:3: a word of 121 bytes without a space; the narration wraps at spaces (at most 120)");
}

// The menu's length in class: 20 s a step, 130 words a minute read aloud,
// 60 s a quiz. Two steps (40 s), 130 words said (60 s), a quiz of 2 words
// (60 + 60 x 2/130 = 60.9 s): 160.9 s, 2.7 minutes, shown as 3.
static void test_class_minutes(void **state) {
    (void)state;
    static char text[2000];
    char said[1000] = "";
    for (int i = 0; i < 130; i++) strcat(said, i ? " w" : "w");
    snprintf(text, sizeof text, "title T\nview conv\nsay %s\nwait\nquiz size How big? answer 3x3\n", said);
    lesson l;
    char err[400];
    assert_true(lesson_parse(&l, text, "t.lesson", err, sizeof err));
    assert_int_equal(lesson_count_beats(&l), 2);
    assert_int_equal(lesson_class_minutes(&l), 3);
    lesson_free(&l);
    assert_true(lesson_parse(&l, "title T\nview conv\n", "t.lesson", err, sizeof err));
    assert_int_equal(lesson_class_minutes(&l), 1);  // 20 s, at least a minute
    lesson_free(&l);
}

// quiz winner R C: the input cell that max pooling keeps there, as the
// engine finds it. Lesson 06's 4x4 pooled 2x2 with stride 2: output (1, 0)
// reads rows 2-3, columns 0-1: 3 2 / 1 2, so input (2, 0) with 3 wins; the
// answer is typed ROWxCOL; outside the pooling view it is refused.
static void test_quiz_winner(void **state) {
    (void)state;
    static app_state s;
    app_state_init(&s);
    lesson l;
    char err[400];
    assert_true(lesson_parse(&l,
                             "title W\nview pool\ninput 1 3 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4\nsize 2\nstride 2\n"
                             "step to 1 0\nquiz winner 1 0 Which cell wins? answer 2x0\n",
                             "w.lesson", err, sizeof err));
    lesson_start(&s, NULL, &l, NULL);
    assert_int_equal(s.player.failures, 0);
    assert_string_equal(s.player.quiz_answer, "2x0");
    assert_true(quiz_hides_cell(&s, 1, 0));
    assert_int_equal(expect_grade_answer("2 x 0", s.player.quiz_answer), QUIZ_RIGHT);
    assert_int_equal(expect_grade_answer("2x1", s.player.quiz_answer), QUIZ_WRONG);
    lesson_close(&s);
    lesson_free(&l);
    assert_false(lesson_parse(&l, "title W\nview conv\nquiz winner 0 0 Which? answer 0x0\n", "w.lesson", err, sizeof err));
    assert_string_equal(err, "w.lesson:3: quiz winner asks about max pooling: use it in the pooling view");
    assert_false(lesson_parse(&l, "title W\nview pool\nquiz winner 0 0 Which? answer 3\n", "w.lesson", err, sizeof err));
    assert_string_equal(err, "w.lesson:3: a winner quiz's answer is the input cell as ROWxCOL, such as 1x2, got '3'");
}


// quiz choice: the options as written, the teacher's answer graded with two
// tries, and each malformed form refused with file:line.
static void test_quiz_choice(void **state) {
    (void)state;
    static app_state s;
    app_state_init(&s);
    lesson l;
    char err[400], piece[64];
    const char *text = "title C\nview conv\nquiz choice Which finds vertical edges? | box blur |  Sobel vertical | identity "
                       "answer 2\n";
    assert_true(lesson_parse(&l, text, "c.lesson", err, sizeof err));
    assert_int_equal(l.cmds[2].b, 3);
    lesson_choice_text(l.cmds[2].text, 0, piece, sizeof piece);
    assert_string_equal(piece, "Which finds vertical edges?");
    lesson_choice_text(l.cmds[2].text, 2, piece, sizeof piece);
    assert_string_equal(piece, "Sobel vertical");
    lesson_choice_text(l.cmds[2].text, 3, piece, sizeof piece);
    assert_string_equal(piece, "identity");
    lesson_choice_text(l.cmds[2].text, 4, piece, sizeof piece);
    assert_string_equal(piece, "");
    lesson_start(&s, NULL, &l, NULL);
    assert_int_equal(s.player.failures, 0);
    assert_int_equal(s.player.quiz_kind, QUIZ_CHOICE);
    assert_string_equal(s.player.quiz_answer, "2");
    assert_string_equal(s.player.quiz_explain, "The answer is 2: Sobel vertical.");
    type_(&s, "1");
    assert_int_equal(s.player.quiz_result, 0);
    assert_string_equal(s.player.quiz_missed, "1");
    type_(&s, "2");
    assert_int_equal(s.player.quiz_result, 1);
    lesson_close(&s);
    lesson_free(&l);
    fails_("title C\nview conv\nquiz choice Which? | only one answer 1\n",
           "t.lesson:3: a choice quiz is 'QUESTION | OPTION | OPTION ...' with 2 to 4 options, got 1");
    fails_("title C\nview conv\nquiz choice Which? | a | b | c | d | e answer 1\n",
           "t.lesson:3: a choice quiz is 'QUESTION | OPTION | OPTION ...' with 2 to 4 options, got 5");
    fails_("title C\nview conv\nquiz choice Which? | a |  | c answer 1\n", "t.lesson:3: option 2 of the choice quiz is empty");
    fails_("title C\nview conv\nquiz choice | a | b answer 1\n", "t.lesson:3: a choice quiz needs its question before the first '|'");
    fails_("title C\nview conv\nquiz choice Which? | a | b answer 3\n",
           "t.lesson:3: a choice quiz's answer is the number of an option, 1 to 2, got '3'");
    fails_("title C\nview conv\nquiz choice Which? | a | b\n",
           "t.lesson:3: a choice quiz needs its answer: 'answer N', the number of the right option");
}

// A stand-in for the runtime's trainer: 'train N' adds N steps and sets the
// test accuracy to next_accuracy_.
static live_snapshot fake_snap_;
static float next_accuracy_;
static bool fake_train_steps_(void *ctx, app_state *s, bool templates, int n) {
    (void)ctx, (void)templates;
    fake_snap_.steps += n;
    fake_snap_.test_accuracy = next_accuracy_;
    s->host.train_live = &fake_snap_;
    return true;
}
static bool fake_has_trainer_(void *ctx, bool templates) { return (void)ctx, (void)templates, true; }

// quiz predict: the class commits to higher or lower (1 or 2), the next
// 'train' settles it against the kept run (90% here; then 11.4%: lower),
// the lesson's own answer is checked, and the recipe is taken.
static void test_quiz_predict(void **state) {
    (void)state;
    static app_state s;
    const lesson_host host = {.has_trainer = fake_has_trainer_, .train_steps = fake_train_steps_};
    for (int round = 0; round < 2; round++) {
        char source[400];
        snprintf(source, sizeof source,
                 "title P\nview train\nkeep run base\nquiz predict accuracy Higher or lower? answer %s\nwait\n"
                 "recipe lr 1 shift 2\ntrain 10\n",
                 round == 0 ? "lower" : "higher");
        lesson l;
        char err[400];
        assert_true(lesson_parse(&l, source, "p.lesson", err, sizeof err));
        app_state_init(&s);
        memset(&fake_snap_, 0, sizeof fake_snap_);
        fake_snap_.steps = 100;
        fake_snap_.test_accuracy = 0.9f;
        s.host.train_live = &fake_snap_;
        next_accuracy_ = 0.114f;
        FILE *log = tmpfile();
        assert_non_null(log);
        lesson_start(&s, &host, &l, log);
        assert_true(s.kept.present);
        assert_string_equal(s.kept.label, "base");
        assert_int_equal(s.player.quiz_kind, QUIZ_PREDICT);
        type_(&s, "7");                              // not a choice: ignored
        assert_int_equal(s.player.quiz_result, 0);
        type_(&s, "2");
        assert_int_equal(s.player.quiz_result, 3);
        assert_int_equal(s.player.predict_choice, 2);
        assert_true(lesson_next(&s, &host, log));
        assert_true(s.recipe.lr == 1.0f && s.recipe.shift == 2);
        assert_int_equal(fake_snap_.steps, 110);
        assert_non_null(strstr(s.player.caption, "test accuracy 11.4% after step 110, against 90.0% for the kept run "
                                                 "(base): lower. Your prediction was right."));
        assert_int_equal(s.player.failures, round == 0 ? 0 : 1);
        if (round == 1)
            assert_string_equal(s.player.last_failure,
                                "p.lesson:4: the quiz's answer is higher but the engine trained to lower");
        assert_int_equal(s.player.predict_line, 0);
        fclose(log);
        lesson_close(&s);
        // Closing the lesson restores the default recipe.
        const app_recipe defaults = {0.03f, 1, 0.0005f, 0.0f};
        assert_memory_equal(&s.recipe, &defaults, sizeof s.recipe);
        lesson_free(&l);
    }
    fails_("title P\nview train\nquiz predict accuracy Up or down?\nwait\n",
           "t.lesson:3: no 'train N' follows this predict quiz: the engine answers it by training");
    fails_("title P\nview conv\nquiz predict accuracy Up or down?\ntrain 5\n",
           "t.lesson:3: quiz predict is about training: use it in the training view ('view train')");
    fails_("title P\nview train\nquiz predict loss Up or down?\ntrain 5\n",
           "t.lesson:3: quiz predict needs what the class predicts: 'accuracy' (will the next 'train' end higher or "
           "lower than the kept run, or than now)");
    fails_("title P\nview train\nquiz predict accuracy Up? answer up\ntrain 5\n",
           "t.lesson:3: a predict quiz's answer is higher or lower, got 'up'");
}

// recipe, keep run and clear: what they read, and their mistakes.
static void test_recipe_keep_clear(void **state) {
    (void)state;
    lesson l;
    char err[400], text[160];
    assert_true(lesson_parse(&l, "title R\nview train\nrecipe lr 0.5 shift 2 weight-decay 0.001 dropout 0.25\nrecipe default\n"
                                 "recipe shift 0\n",
                             "r.lesson", err, sizeof err));
    assert_true(l.cmds[2].recipe.lr == 0.5 && l.cmds[2].recipe.shift == 2 && l.cmds[2].recipe.weight_decay == 0.001 &&
                l.cmds[2].recipe.dropout == 0.25);
    // Not named: -1, the default stays.
    assert_true(l.cmds[3].recipe.lr == -1 && l.cmds[3].recipe.shift == -1 && l.cmds[3].recipe.weight_decay == -1 &&
                l.cmds[3].recipe.dropout == -1);
    assert_true(l.cmds[4].recipe.lr == -1 && l.cmds[4].recipe.shift == 0 && l.cmds[4].recipe.weight_decay == -1);
    lesson_free(&l);
    // The defaults as `convstep train --help` states them: lr 0.03, shift 1, weight decay 0.0005.
    const app_recipe r = {0.5f, 2, 0.001f, 0.25f}, same = {0.03f, 1, 0.0005f, 0.0f}, plain = {0.05f, 0, 0.0f, 0.0f};
    const app_recipe got = app_recipe_default();
    assert_memory_equal(&same, &got, sizeof same);
    app_recipe_describe(&r, text, sizeof text);
    assert_string_equal(text, "lr 0.5, shift 2, weight decay 0.001, dropout 0.25");
    app_recipe_describe(&same, text, sizeof text);
    assert_string_equal(text, "the default recipe");
    app_recipe_describe(&plain, text, sizeof text);
    assert_string_equal(text, "lr 0.05, shift 0, weight decay 0");
    fails_("title R\nview train\nrecipe speed 3\n",
           "t.lesson:3: unknown recipe setting 'speed' (usage: recipe default | recipe [lr X] [shift P] [weight-decay W] "
           "[dropout P])");
    fails_("title R\nview train\nrecipe dropout 0.95\n",
           "t.lesson:3: the dropout rate must be a number from 0 to 0.9, got '0.95'");
    fails_("title R\nview conv\nkeep run x\n",
           "t.lesson:3: keep run keeps the training view's curves: use it there ('view train')");
    fails_("title R\nview conv\nclear\n", "t.lesson:3: clear empties the drawing's canvas: use it in the draw view");
    fails_("title R\nview conv\npoint output 0 0 1 1\n", "t.lesson:3: point shows one cell: point input|kernel|output R C");
    fails_("title R\nview conv\npoint output 3 0\n",
           "t.lesson:3: highlight: cell (3, 0) is outside the output, which is 3x3 here (rows 0 to 2, columns 0 to 2)");
    // point: one mark, with the arrow on it; the next step has neither.
    static app_state s;
    app_state_init(&s);
    assert_true(lesson_parse(&l, "title R\nview conv\nhighlight input 0 0\npoint output 2 1\nwait\nsay next\n", "r.lesson",
                             err, sizeof err));
    assert_int_equal(l.cmds[3].op, LOP_POINT);
    lesson_start(&s, NULL, &l, NULL);
    assert_int_equal(s.player.n_marks, 2);
    assert_int_equal(s.player.arrow_to, 2);
    assert_int_equal(s.player.marks[1].grid, GRID_OUTPUT);
    assert_int_equal(s.player.marks[1].row, 2);
    assert_int_equal(s.player.marks[1].col, 1);
    assert_true(lesson_next(&s, NULL, NULL));
    assert_int_equal(s.player.n_marks, 0);
    assert_int_equal(s.player.arrow_to, 0);
    lesson_close(&s);
    lesson_free(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_commands),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_odd_values),
        cmocka_unit_test(test_cells_in_range),
        cmocka_unit_test(test_text_form),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_grades),
        cmocka_unit_test(test_quiz_tries),
        cmocka_unit_test(test_quiz_params),
        cmocka_unit_test(test_steps_ignore_keys_between),
        cmocka_unit_test(test_step_plays_in_the_window),
        cmocka_unit_test(test_text_limits),
        cmocka_unit_test(test_class_minutes),
        cmocka_unit_test(test_quiz_winner),
        cmocka_unit_test(test_quiz_choice),
        cmocka_unit_test(test_quiz_predict),
        cmocka_unit_test(test_recipe_keep_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
