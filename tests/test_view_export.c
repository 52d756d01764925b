// test_view_export.c - "save as lesson" and "PyTorch script" (app/view_export.c):
// the lesson written for a view sets up, when played on a fresh program, the
// very set-up and animation place the view had; a test digit is named, not
// listed; an input too large for a lesson line is refused with the numbers;
// files get free names in the folder and the pooling view writes both scripts.
// Also the view's true convolution (flip), which a saved lesson carries.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lesson.h"
#include "lesson_play.h"
#include "update.h"
#include "view_export.h"
#include "views.h"

static app_state a_, b_;  // large: not on the stack

static void act_(app_state *s, app_action_kind kind, int value) {
    app_action a = {.kind = kind, .value = value};
    app_update(s, &a);
}

// Plays the text's first step on a fresh state, as the menu would.
static void play_(app_state *s, const char *text) {
    app_state_init(s);
    lesson l;
    char err[400];
    if (!lesson_parse(&l, text, "saved.lesson", err, sizeof err)) fail_msg("%s\n%s", err, text);
    FILE *log = tmpfile();  // a transcript: 'step' jumps (the window would play it)
    lesson_start(s, NULL, &l, log);
    fclose(log);
    assert_int_equal(s->player.failures, 0);
    lesson_free(&l);
}

static bool has_line_(const char *text, const char *line) {
    const size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0')) return true;
    return false;
}

// A set-up made by hand, with every setting away from its default: 2 filters,
// a bias of -0.5, decimals that are not exact in binary (0.1), same padding,
// stride 2, and the animation done with 3 cells.
static void test_conv_round_trip(void **st) {
    (void)st;
    app_state *s = &a_;
    app_state_init(s);
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    conv_setup c = s->conv.setup;
    c.n_h = 4, c.n_w = 5, c.channels = 1, c.filters = 2, c.k = 2;
    c.padding = (nn_padding){NN_PAD_SAME, 0};
    c.stride = 2, c.dilation = 1;
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 5; x++) c.input[0][y][x] = (float)(y * 5 + x);
    const float k0[2][2] = {{0.1f, -1}, {2.5f, 0}}, k1[2][2] = {{1, 1}, {1, 1}};
    memcpy(c.kernel[0][0][0], k0[0], sizeof k0[0]), memcpy(c.kernel[0][0][1], k0[1], sizeof k0[1]);
    memcpy(c.kernel[1][0][0], k1[0], sizeof k1[0]), memcpy(c.kernel[1][0][1], k1[1], sizeof k1[1]);
    c.preset[0] = c.preset[1] = PRESET_CUSTOM;
    c.bias[0] = 0, c.bias[1] = -0.5f;
    assert_true(app_set_conv(s, &c));
    assert_true(s->conv.ok);
    for (int i = 0; i < 3; i++) act_(s, ACT_STEP_FORWARD, 0);

    char err[300];
    char *text = view_export_lesson_text(s, "today", err, sizeof err);
    assert_non_null(text);
    // The lines, written by hand from the set-up above.
    if (!has_line_(text, "input 0 1 2 3 4; 5 6 7 8 9; 10 11 12 13 14; 15 16 17 18 19")) fail_msg("%s", text);
    assert_true(has_line_(text, "view conv"));
    assert_true(has_line_(text, "input 0 1 2 3 4; 5 6 7 8 9; 10 11 12 13 14; 15 16 17 18 19"));
    assert_true(has_line_(text, "filters 2"));
    assert_true(has_line_(text, "kernel filter 1 0.1 -1; 2.5 0"));
    assert_true(has_line_(text, "kernel filter 2 1 1; 1 1"));
    assert_true(has_line_(text, "bias filter 2 -0.5"));
    assert_null(strstr(text, "bias filter 1"));  // 0 is the default
    assert_true(has_line_(text, "padding same"));
    assert_true(has_line_(text, "stride 2"));
    assert_true(has_line_(text, "step 3"));
    assert_non_null(strstr(text, "on today"));

    app_state *r = &b_;
    play_(r, text);
    assert_int_equal(r->view, VIEW_CONV);
    const conv_setup *d = &r->conv.setup;
    assert_int_equal(d->n_h, 4), assert_int_equal(d->n_w, 5), assert_int_equal(d->filters, 2);
    assert_int_equal(d->k, 2), assert_int_equal(d->stride, 2), assert_int_equal(d->padding.mode, NN_PAD_SAME);
    for (int f = 0; f < 2; f++) {
        assert_true(d->bias[f] == c.bias[f]);
        assert_memory_equal(d->kernel[f][0][0], c.kernel[f][0][0], sizeof(float) * 2);
        assert_memory_equal(d->kernel[f][0][1], c.kernel[f][0][1], sizeof(float) * 2);
    }
    for (int y = 0; y < 4; y++) assert_memory_equal(d->input[0][y], c.input[0][y], sizeof(float) * 5);
    assert_int_equal(r->conv.anim.pos, s->conv.anim.pos);
    assert_int_equal(r->conv.anim.reveal, s->conv.anim.reveal);
    free(text);

    // At the end: 'step end'; at the start: no step at all.
    act_(s, ACT_TO_END, 0);
    text = view_export_lesson_text(s, NULL, err, sizeof err);
    assert_true(has_line_(text, "step end"));
    play_(r, text);
    assert_int_equal(r->conv.anim.pos, r->conv.anim.total - 1);
    assert_int_equal(r->conv.anim.pos, s->conv.anim.pos);
    free(text);
    act_(s, ACT_RESTART, 0);
    text = view_export_lesson_text(s, NULL, err, sizeof err);
    assert_null(strstr(text, "\nstep "));
    free(text);
}

// A test digit is written as 'digit N SIZE' and comes back the same; edited,
// it is written as numbers.
static void test_digit_named(void **st) {
    (void)st;
    static uint8_t digits[2 * 28 * 28];
    for (int i = 0; i < 2 * 28 * 28; i++) digits[i] = (uint8_t)((i * 37) % 256);
    app_state *s = &a_;
    app_state_init(s);
    app_set_digits(s, digits, 2);
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    act_(s, ACT_LOAD_DIGIT, 1);
    assert_int_equal(s->digit, 1);
    const int n = s->pool.setup.n_h;
    char err[300], line[32];
    char *text = view_export_lesson_text(s, NULL, err, sizeof err);
    assert_non_null(text);
    snprintf(line, sizeof line, "digit 1 %d", n);
    assert_true(has_line_(text, line));
    assert_true(has_line_(text, "view pool"));
    app_state *r = &b_;
    app_state_init(r);
    app_set_digits(r, digits, 2);
    lesson l;
    assert_true(lesson_parse(&l, text, "saved.lesson", err, sizeof err));
    FILE *log = tmpfile();
    lesson_start(r, NULL, &l, log);
    fclose(log);
    lesson_free(&l);
    assert_int_equal(r->player.failures, 0);
    assert_int_equal(r->pool.setup.n_h, n);
    for (int y = 0; y < n; y++) assert_memory_equal(r->pool.setup.input[y], s->pool.setup.input[y], sizeof(float) * (size_t)n);
    free(text);

    pool_setup p = s->pool.setup;
    p.input[0][0] = 0.5f;  // an edit: no longer the digit
    assert_true(app_set_pool(s, &p));
    text = view_export_lesson_text(s, NULL, err, sizeof err);
    assert_non_null(text);
    assert_null(strstr(text, "digit 1"));
    assert_non_null(strstr(text, "input 0.5 "));
    free(text);
}

// Six channels of 32x32 with four-digit values: 6144 numbers do not fit a
// 4095-byte line.
static void test_too_large_refused(void **st) {
    (void)st;
    app_state *s = &a_;
    app_state_init(s);
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    conv_setup c = s->conv.setup;
    c.n_h = c.n_w = 32, c.channels = 6;
    for (int ch = 0; ch < 6; ch++)
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) c.input[ch][y][x] = 0.1234f;
    assert_true(app_set_conv(s, &c));
    char err[300];
    assert_null(view_export_lesson_text(s, NULL, err, sizeof err));
    assert_non_null(strstr(err, "6 channels of 32x32"));
    assert_non_null(strstr(err, "at most 4095"));
    // Not a view that can be saved.
    act_(s, ACT_OPEN_VIEW, VIEW_TRAIN);
    assert_null(view_export_lesson_text(s, NULL, err, sizeof err));
    assert_non_null(strstr(err, "convolution and pooling views"));
}

static bool file_has_(const char *path, const char *what) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    static char buf[1 << 16];
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, what) != NULL;
}

// Into a folder: free names, both pooling scripts, the text handed back.
static void test_files(void **st) {
    (void)st;
    char dir[] = "/tmp/convstep-export-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[200], path[1024], msg[600], want[1100];
    snprintf(sub, sizeof sub, "%s/new/folder", dir);  // made if missing
    app_state *s = &a_;
    app_state_init(s);
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    for (int i = 1; i <= 2; i++) {
        char *text = NULL;
        assert_true(view_export_to_dir(s, VIEW_EXPORT_LESSON, sub, path, sizeof path, &text, msg, sizeof msg));
        snprintf(want, sizeof want, "%s/convstep-lesson-%d.lesson", sub, i);
        assert_string_equal(path, want);
        assert_non_null(strstr(msg, "lesson saved to"));
        assert_true(file_has_(path, "view conv\n"));
        assert_non_null(text);
        assert_true(file_has_(path, text));
        free(text);
    }
    char *text = NULL;
    assert_true(view_export_to_dir(s, VIEW_EXPORT_PYTORCH, sub, path, sizeof path, &text, msg, sizeof msg));
    snprintf(want, sizeof want, "%s/convstep-conv-1.py", sub);
    assert_string_equal(path, want);
    assert_true(file_has_(path, "F.conv2d"));
    assert_non_null(text);
    assert_non_null(strstr(text, "matches convstep"));
    free(text);

    // A folder that cannot be made (a file is in the way): nothing saved, and
    // the message names what and where.
    char blocked[300], inside[320];
    snprintf(blocked, sizeof blocked, "%s/a-file", dir);
    FILE *f = fopen(blocked, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(inside, sizeof inside, "%s/x", blocked);
    assert_false(view_export_to_dir(s, VIEW_EXPORT_LESSON, inside, path, sizeof path, NULL, msg, sizeof msg));
    assert_non_null(strstr(msg, "not saved: cannot save the lesson file to"));
    assert_non_null(strstr(msg, inside));
    assert_false(view_export_to_dir(s, VIEW_EXPORT_PYTORCH, inside, path, sizeof path, NULL, msg, sizeof msg));
    assert_non_null(strstr(msg, "not saved: cannot save the PyTorch script file to"));

    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    text = NULL;
    assert_true(view_export_to_dir(s, VIEW_EXPORT_PYTORCH, sub, path, sizeof path, &text, msg, sizeof msg));
    snprintf(want, sizeof want, "%s/convstep-max-pool-1.py", sub);
    assert_string_equal(path, want);
    assert_true(file_has_(path, "F.max_pool2d"));
    // The clipboard's text is the max script the file holds, whole.
    assert_non_null(text);
    assert_true(file_has_(path, text));
    assert_null(strstr(text, "F.avg_pool2d"));
    free(text);
    snprintf(want, sizeof want, "%s/convstep-avg-pool-1.py", sub);
    assert_true(file_has_(want, "F.avg_pool2d"));
    assert_non_null(strstr(msg, "(average)"));

    act_(s, ACT_OPEN_VIEW, VIEW_TRAIN);
    assert_false(view_export_to_dir(s, VIEW_EXPORT_LESSON, sub, path, sizeof path, NULL, msg, sizeof msg));
    assert_non_null(strstr(msg, "convolution and pooling views"));
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

// Sobel vertical [1 0 -1; 2 0 -2; 1 0 -1] over a dark-to-bright edge (columns
// 0 0 1 1 1). Cross-correlation, by hand: window at column 0 reads 0 0 1 in
// each row: 1*0 + 0*0 + (-1)*1 = -1 per row, times 1 + 2 + 1 = -4; column 1
// (0 1 1): -4; column 2 (1 1 1): 0. True convolution slides the kernel rotated
// [-1 0 1; -2 0 2; -1 0 1]: 4, 4, 0.
static void test_flip(void **st) {
    (void)st;
    app_state *s = &a_;
    app_state_init(s);
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    conv_setup c = s->conv.setup;
    c.n_h = c.n_w = 5, c.channels = 1, c.filters = 1, c.k = 3, c.stride = 1, c.dilation = 1;
    c.padding = (nn_padding){NN_PAD_VALID, 0};
    static const float sobel[3][3] = {{1, 0, -1}, {2, 0, -2}, {1, 0, -1}};
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) c.input[0][y][x] = x >= 2 ? 1.0f : 0.0f;
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) c.kernel[0][0][y][x] = sobel[y][x];
    c.preset[0] = PRESET_CUSTOM;
    assert_true(app_set_conv(s, &c));
    const float cross[3] = {-4, -4, 0}, truec[3] = {4, 4, 0};
    for (int r = 0; r < 3; r++)
        for (int x = 0; x < 3; x++) assert_float_equal(s->conv.out[r * 3 + x], cross[x], 0);
    act_(s, ACT_FLIP_KERNEL, 0);  // T
    assert_true(s->conv.setup.flip);
    for (int r = 0; r < 3; r++)
        for (int x = 0; x < 3; x++) assert_float_equal(s->conv.out[r * 3 + x], truec[x], 0);
    // The grid shows the kernel rotated: its top-left cell is the written bottom-right.
    assert_float_equal(conv_sliding_weight(&s->conv.setup, 0, 0, 0, 0), -1, 0);
    assert_float_equal(conv_sliding_weight(&s->conv.setup, 0, 0, 1, 2), 2, 0);
    app_action edit = {.kind = ACT_SET_CELL, .cell = {.grid = GRID_KERNEL, .row = 0, .col = 0}, .fx = 5};
    app_update(s, &edit);
    assert_float_equal(s->conv.setup.kernel[0][0][2][2], 5, 0);  // edited where it slides
    assert_float_equal(s->conv.setup.kernel[0][0][0][0], 1, 0);

    // A saved lesson carries it, the kernel as written.
    char err[300];
    char *text = view_export_lesson_text(s, NULL, err, sizeof err);
    assert_non_null(text);
    assert_true(has_line_(text, "flip on"));
    assert_true(has_line_(text, "kernel 1 0 -1; 2 0 -2; 1 0 5"));
    app_state *r = &b_;
    play_(r, text);
    assert_true(r->conv.setup.flip);
    assert_memory_equal(r->conv.out, s->conv.out, sizeof(float) * 9);
    free(text);
    act_(s, ACT_FLIP_KERNEL, 2);  // a lesson's 'flip off'
    assert_false(s->conv.setup.flip);
    // Cross-correlation again, with the 5 written at (2, 2): the right column's
    // weights -1, -2, 5 meet three 1s: 2.
    assert_float_equal(s->conv.out[0], 2, 0);
}

// The pooling view's backward mode: a saved lesson says 'backward on' with
// its dL/dY and where the steps were, and plays back to the same gradients.
static void test_pool_backward(void **st) {
    (void)st;
    app_state *s = &a_;
    app_state_init(s);
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    act_(s, ACT_POOL_BACKWARD, 1);
    const float dy[9] = {0.5f, -1, 2, 0, 3, 1, -2, 4, 1};
    assert_true(app_set_pool_grad(s, dy, 3, 3));
    act_(s, ACT_STEP_FORWARD, 0);
    act_(s, ACT_STEP_FORWARD, 0);  // two output cells routed
    char err[300];
    char *text = view_export_lesson_text(s, NULL, err, sizeof err);
    assert_non_null(text);
    assert_true(has_line_(text, "backward on"));
    assert_true(has_line_(text, "grad-output 0.5 -1 2; 0 3 1; -2 4 1"));
    assert_true(has_line_(text, "step 2"));
    app_state *r = &b_;
    play_(r, text);
    assert_true(r->pool.backward);
    assert_int_equal(app_cells_done(&r->pool.anim, 1), 2);
    assert_memory_equal(r->pool.dx_max, s->pool.dx_max, sizeof(float) * 36);
    assert_memory_equal(r->pool.dx_avg, s->pool.dx_avg, sizeof(float) * 36);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_backward),
        cmocka_unit_test(test_conv_round_trip),
        cmocka_unit_test(test_digit_named),
        cmocka_unit_test(test_too_large_refused),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_flip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
