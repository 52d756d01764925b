// test_drop.c - a picture file dropped onto the window (issue 13): a real
// SDL_DROPFILE event goes the window's way (SDL's queue, input_action, the
// frame's app_update and runtime_frame) into the drawing view's input and
// the convolution view's, prepared exactly as `convstep classify` prepares
// it; bad files and the other views change nothing and say why.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>

#include "digit.h"
#include "frame.h"
#include "image_load.h"
#include "input.h"
#include "runtime.h"
#include "update.h"

static int fake_width_(void *ctx, const char *text, int px, bool mono) {
    (void)ctx, (void)mono;
    return (int)(0.6 * px * (double)strlen(text) + 0.5);
}

static void paint_nothing_(void *ctx, const app_state *s, const ui_layout *l) { (void)ctx, (void)s, (void)l; }

typedef struct fixture_ {
    app_state *s;
    app_runtime rt;
    app_frame f;
    char dir[256];
} fixture_;

// The window's source of actions (window.c's window_next_action_, less the
// mouse scaling): SDL's queue through input_action against the layout.
static bool window_like_next_(void *ctx, app_frame *f, app_action *a) {
    (void)ctx;
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        bool shot = false;
        *a = input_action(f->state, frame_layout(f), &e, &shot);
        if (a->kind != ACT_NONE) {
            f->state->status[0] = '\0';
            return true;
        }
    }
    return false;
}

// A P5 PGM of side n: background 0, the square [lo, hi) x [lo, hi) at `ink`
// in its first column, `grad` more each column to the right.
static void write_pgm_(const char *path, int n, int lo, int hi, int ink, int grad) {
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fprintf(fp, "P5\n%d %d\n255\n", n, n);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) fputc(y >= lo && y < hi && x >= lo && x < hi ? ink + grad * (x - lo) : 0, fp);
    fclose(fp);
}

static void path_(const fixture_ *fx, const char *name, char *buf, size_t size) {
    snprintf(buf, size, "%s/%s", fx->dir, name);
}

// Drops `path` onto the "window" and runs one frame.
static void drop_(fixture_ *fx, const char *path, Uint32 type) {
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.drop.file = SDL_strdup(path);  // freed by input_action, as SDL's own
    assert_int_equal(SDL_PushEvent(&e), 1);
    frame_run(&fx->f, window_like_next_, NULL, 16, false);
}

static void open_view_(fixture_ *fx, app_view v) {
    const app_action a = {.kind = ACT_OPEN_VIEW, .value = v};
    frame_run_actions(&fx->f, &a, 1, 16, false);
}

// What `convstep classify` reads in the file: its loader and its preparation.
static void classify_prepares_(const char *path, float *x) {
    app_gray_image img;
    app_digit_info info;
    char err[1400];
    assert_true(app_image_load(path, &img, err, sizeof err));
    assert_true(app_digit_prepare(&img, x, &info, err, sizeof err));
    app_gray_image_free(&img);
}

static int setup_(void **st) {
    fixture_ *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    fx->s = calloc(1, sizeof *fx->s);
    if (!fx->s) return -1;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/convstep-drop-XXXXXX");
    if (!mkdtemp(fx->dir)) return -1;
    app_state_init(fx->s);
    runtime_init(&fx->rt, fx->s, NULL, NULL);
    fx->rt.load_image = app_image_load;  // as the window does
    frame_init(&fx->f, fx->s, &fx->rt, (ui_metrics){fake_width_, NULL}, (frame_painter){paint_nothing_, NULL},
               1280, 720);
    char p[400];
    path_(fx, "square.pgm", p, sizeof p);
    write_pgm_(p, 28, 10, 18, 255, 0);  // a centred white 8x8 square
    path_(fx, "grey.pgm", p, sizeof p);
    write_pgm_(p, 40, 9, 26, 60, 9);    // a grey one, brighter to the right
    *st = fx;
    return 0;
}

static int teardown_(void **st) {
    fixture_ *fx = *st;
    runtime_destroy(&fx->rt, fx->s);
    const char *names[] = {"square.pgm", "notimage.png", "blank.pgm", "grey.pgm"};
    char p[400];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        path_(fx, names[i], p, sizeof p);
        unlink(p);
    }
    rmdir(fx->dir);
    free(fx->s);
    free(fx);
    return 0;
}

// The square, prepared by hand: cropped to its 8x8 ink, scaled to 20x20,
// centred in 28x28. Its ink is 400 pixels' worth, its middle white, the
// border black.
static void assert_square_by_hand_(const float *x) {
    double sum = 0;
    for (int i = 0; i < 28 * 28; i++) sum += x[i];
    assert_true(fabs(sum - 400.0) < 1.0);
    assert_true(fabsf(x[14 * 28 + 14] - 1.0f) < 1e-6f);
    assert_true(fabsf(x[8 * 28 + 8] - 1.0f) < 1e-6f);
    assert_true(fabsf(x[19 * 28 + 19] - 1.0f) < 1e-6f);
    for (int i = 0; i < 28; i++) {
        assert_true(x[i] == 0.0f && x[27 * 28 + i] == 0.0f && x[i * 28] == 0.0f && x[i * 28 + 27] == 0.0f);
        assert_true(x[2 * 28 + i] == 0.0f && x[25 * 28 + i] == 0.0f);
    }
}

static void test_draw_view_takes_a_dropped_picture(void **st) {
    fixture_ *fx = *st;
    app_state *s = fx->s;
    open_view_(fx, VIEW_DRAW);
    char p[400];
    path_(fx, "square.pgm", p, sizeof p);
    drop_(fx, p, SDL_DROPFILE);
    float want[28 * 28];
    classify_prepares_(p, want);
    assert_square_by_hand_(want);
    assert_true(s->draw.dropped);
    assert_memory_equal(s->draw.input, want, sizeof want);  // bit for bit what classify reads
    assert_true(s->draw.ready);                             // classified, as if drawn
    double total = 0;
    for (int j = 0; j < 10; j++) total += s->draw.probs[j];
    assert_true(fabs(total - 1.0) < 1e-4);
    assert_non_null(strstr(s->status, "square.pgm"));
    // A grey picture of another size: still bit for bit what classify reads.
    const float canvas_square = s->draw.canvas[56][56];
    char g[400];
    path_(fx, "grey.pgm", g, sizeof g);
    float grey[28 * 28];
    classify_prepares_(g, grey);
    drop_(fx, g, SDL_DROPFILE);
    assert_memory_equal(s->draw.input, grey, sizeof grey);
    assert_non_null(strstr(s->status, "grey.pgm"));
    drop_(fx, p, SDL_DROPFILE);
    assert_true(s->draw.canvas[56][56] == canvas_square);
    // The canvas shows the file itself: 28 pixels fitted into 112, 4 a pixel.
    assert_true(fabsf(s->draw.canvas[56][56] - 1.0f) < 1e-6f);
    assert_true(fabsf(s->draw.canvas[40][40] - 1.0f) < 1e-6f);
    assert_true(s->draw.canvas[39][56] == 0.0f && s->draw.canvas[72][56] == 0.0f);
    // Drawing starts again on a clear canvas.
    const app_action pen[] = {{.kind = ACT_PEN_DOWN, .fx = 5, .fy = 5}, {.kind = ACT_PEN_UP}};
    frame_run_actions(&fx->f, pen, 2, 16, false);
    assert_false(s->draw.dropped);
    assert_true(s->draw.canvas[56][56] == 0.0f);
}

static void test_conv_view_takes_a_dropped_picture(void **st) {
    fixture_ *fx = *st;
    app_state *s = fx->s;
    open_view_(fx, VIEW_CONV);
    const app_action two = {.kind = ACT_SET_CHANNELS, .value = 2};
    frame_run_actions(&fx->f, &two, 1, 16, false);
    char p[400];
    path_(fx, "square.pgm", p, sizeof p);
    drop_(fx, p, SDL_DROPFILE);
    float want[28 * 28];
    classify_prepares_(p, want);
    const conv_setup *c = &s->conv.setup;
    assert_int_equal(c->n_h, 28);
    assert_int_equal(c->n_w, 28);
    assert_int_equal(s->digit, APP_DIGIT_DROPPED);
    assert_true(s->conv.ok);
    // As a test digit is shown: two decimals, in every channel.
    for (int ch = 0; ch < 2; ch++)
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                assert_true(c->input[ch][y][x] == roundf(want[y * 28 + x] * 100.0f) / 100.0f);
    assert_true(c->input[0][14][14] == 1.0f && c->input[1][0][0] == 0.0f);
    assert_non_null(strstr(s->status, "square.pgm"));
    // Grey values are shown to two decimals, as a test digit's are.
    path_(fx, "grey.pgm", p, sizeof p);
    drop_(fx, p, SDL_DROPFILE);
    classify_prepares_(p, want);
    int rounded = 0;
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++) {
            const float r = roundf(want[y * 28 + x] * 100.0f) / 100.0f;
            assert_true(c->input[1][y][x] == r);
            rounded += r != want[y * 28 + x];
        }
    assert_true(rounded > 20);  // (the rounding is tested, not only zeros and ones)
    // A smaller input crops the same picture about its middle (9 rows/cols off).
    const app_action ten = {.kind = ACT_SET_SIZE, .value = 10};
    frame_run_actions(&fx->f, &ten, 1, 16, false);
    assert_int_equal(c->n_h, 10);
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 10; x++)
            assert_true(c->input[0][y][x] == roundf(want[(y + 9) * 28 + x + 9] * 100.0f) / 100.0f);
}

// Bad files: a message naming the file and the problem; nothing changes.
static void test_bad_files_change_nothing(void **st) {
    fixture_ *fx = *st;
    app_state *s = fx->s;
    char p[400], bad[400], blank[400], missing[400];
    path_(fx, "square.pgm", p, sizeof p);
    path_(fx, "notimage.png", bad, sizeof bad);
    path_(fx, "blank.pgm", blank, sizeof blank);
    path_(fx, "missing.bmp", missing, sizeof missing);
    FILE *fp = fopen(bad, "w");
    assert_non_null(fp);
    fputs("this is not a picture\n", fp);
    fclose(fp);
    write_pgm_(blank, 28, 0, 0, 0, 0);  // no ink at all
    const app_view views[] = {VIEW_DRAW, VIEW_CONV};
    for (int v = 0; v < 2; v++) {
        open_view_(fx, views[v]);
        drop_(fx, p, SDL_DROPFILE);
        draw_view *draw = malloc(sizeof *draw);
        conv_setup *conv = malloc(sizeof *conv);  // (the view's animation moves with time)
        assert_non_null(draw);
        assert_non_null(conv);
        memcpy(draw, &s->draw, sizeof *draw);
        memcpy(conv, &s->conv.setup, sizeof *conv);
        const int digit = s->digit;
        const struct {
            const char *path, *name, *problem;
        } cases[] = {
            {bad, "notimage.png", ""},
            {blank, "blank.pgm", "ink"},
            {missing, "missing.bmp", ""},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            drop_(fx, cases[i].path, SDL_DROPFILE);
            if (!strstr(s->status, cases[i].name) || !strstr(s->status, cases[i].problem))
                fail_msg("dropping %s: status '%s'", cases[i].name, s->status);
            assert_memory_equal(draw, &s->draw, sizeof *draw);
            assert_memory_equal(conv, &s->conv.setup, sizeof *conv);
            assert_int_equal(digit, s->digit);
        }
        free(draw);
        free(conv);
    }
}

// Other views open nothing and say which views take a picture; dropped text is refused.
static void test_other_views_say_where_to_drop(void **st) {
    fixture_ *fx = *st;
    app_state *s = fx->s;
    open_view_(fx, VIEW_POOL);
    const pool_setup before = s->pool.setup;
    char p[400];
    path_(fx, "square.pgm", p, sizeof p);
    drop_(fx, p, SDL_DROPFILE);
    assert_int_equal(s->view, VIEW_POOL);
    assert_non_null(strstr(s->status, "draw a digit"));
    assert_non_null(strstr(s->status, "convolution"));
    assert_int_not_equal(s->digit, APP_DIGIT_DROPPED);
    assert_memory_equal(&before, &s->pool.setup, sizeof before);
    assert_false(s->draw.dropped);
    open_view_(fx, VIEW_DRAW);
    drop_(fx, "some words", SDL_DROPTEXT);
    assert_non_null(strstr(s->status, "text"));
    assert_false(s->draw.dropped);
}

// A lesson that set the convolution up keeps it: the drop is refused.
static void test_a_lesson_keeps_its_setup(void **st) {
    fixture_ *fx = *st;
    app_state *s = fx->s;
    char lesson_file[400], err[600], p[400];
    path_(fx, "notimage.png", lesson_file, sizeof lesson_file);  // (any name: removed by the teardown)
    FILE *fp = fopen(lesson_file, "w");
    assert_non_null(fp);
    fputs("title A drop\nview conv\nsize 6\nsay Look.\nwait\n", fp);
    fclose(fp);
    assert_true(runtime_open_lesson(&fx->rt, s, lesson_file, NULL, err, sizeof err));
    frame_run(&fx->f, NULL, NULL, 16, false);
    assert_int_equal(s->view, VIEW_CONV);
    const conv_setup before = s->conv.setup;
    path_(fx, "square.pgm", p, sizeof p);
    drop_(fx, p, SDL_DROPFILE);
    assert_non_null(strstr(s->status, "lesson"));
    assert_memory_equal(&before, &s->conv.setup, sizeof before);
    assert_int_not_equal(s->digit, APP_DIGIT_DROPPED);
}

int main(void) {
    if (SDL_Init(SDL_INIT_EVENTS) != 0) {
        fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_draw_view_takes_a_dropped_picture, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_conv_view_takes_a_dropped_picture, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_bad_files_change_nothing, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_other_views_say_where_to_drop, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_a_lesson_keeps_its_setup, setup_, teardown_),
    };
    const int failed = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return failed;
}
