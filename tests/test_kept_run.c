// test_kept_run.c - a training run kept to compare (app_keep_run and K in the
// training view, app/view_train.c; its dashed curves and legend,
// app/render_charts.c, app/view_train_render.c). With fake snapshots built
// here: app_keep_run copies the exact points, steps and accuracy; the label
// made from the model and the learning rate is the one written by hand; no
// trainer means nothing kept; K says what it kept; a frame with a kept run
// draws the kept curves in the palette's colour and names both runs in the
// legends, with no layout violation (tests/tools/layout_check.py) at 1280x720
// and 1920x1080, zoom 100, 150 and 200, in both palettes.
//
// CONVSTEP_KEPT_PNG_DIR=DIR writes the frames drawn as PNGs there, to look at.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "font.h"
#include "layout.h"
#include "palette.h"
#include "render.h"
#include "render_record.h"
#include "state.h"
#include "update.h"

static char tests_dir_[1024];

// ---- Fake snapshots -----------------------------------------------------------------------------

// The kept run: LeNet-5 at lr 0.5, which went nowhere: loss near ln 10 and
// about 11% right, 300 steps of 100 a epoch (so 3 epochs, longer than the
// live run's plan of 2).
static void fill_kept_(live_snapshot *k) {
    memset(k, 0, sizeof *k);
    k->epochs = 2;
    k->batches_per_epoch = 100;
    k->epoch = 2;
    k->steps = 300;
    k->lr = 0.5f;
    k->test_accuracy = 0.113f;
    k->paused = true;
    k->n_loss = 150;
    for (int i = 0; i < k->n_loss; i++)
        k->loss[i] = (live_point){(float)(2 * (i + 1)), 2.30f + 0.05f * (float)((i * 7) % 5 - 2) / 2.0f};
    k->n_test_acc = 16;
    for (int i = 0; i < k->n_test_acc; i++) k->test_acc[i] = (live_point){(float)(20 * i), 0.09f + 0.0015f * i};
}

// The live run: LeNet-5 at lr 0.05, at step 150 of 200, 91.3% right.
static void fill_live_(live_snapshot *n) {
    memset(n, 0, sizeof *n);
    snprintf(n->arch, sizeof n->arch, "lenet5");
    n->epochs = 2;
    n->batches_per_epoch = 100;
    n->epoch = 1;
    n->batch_in_epoch = 50;
    n->steps = 150;
    n->lr = 0.05f;
    n->test_accuracy = 0.913f;
    n->paused = true;
    n->n_loss = 150;
    for (int i = 0; i < n->n_loss; i++) n->loss[i] = (live_point){(float)(i + 1), 2.3f * 100.0f / (100.0f + 8 * i)};
    n->n_train_acc = 30;
    for (int i = 0; i < n->n_train_acc; i++) n->train_acc[i] = (live_point){(float)(5 * (i + 1)), 0.2f + 0.024f * i};
    n->n_test_acc = 8;
    for (int i = 0; i < n->n_test_acc; i++) n->test_acc[i] = (live_point){(float)(20 * i), 0.1f + 0.116f * i};
    for (int d = 0; d < 10; d++) n->confusion[d][d] = 91, n->confusion[d][(d + 1) % 10] = 9;
}

typedef struct fixture {
    app_state *s;
    live_snapshot *kept, *live;
} fixture;

static int setup_(void **st) {
    fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    f->s = calloc(1, sizeof *f->s);
    f->kept = calloc(1, sizeof *f->kept);
    f->live = calloc(1, sizeof *f->live);
    if (!f->s || !f->kept || !f->live) return -1;
    app_state_init(f->s);
    fill_kept_(f->kept);
    fill_live_(f->live);
    f->s->view = VIEW_TRAIN;
    f->s->train_model = 2;  // LeNet-5
    *st = f;
    return 0;
}

static int teardown_(void **st) {
    fixture *f = *st;
    free(f->s);
    free(f->kept);
    free(f->live);
    free(f);
    return 0;
}

// ---- app_keep_run and K --------------------------------------------------------------------------

static void test_keep_copies_points(void **st) {
    fixture *f = *st;
    app_state *s = f->s;
    s->host.train_live = f->kept;
    assert_true(app_keep_run(s, NULL));
    assert_true(s->kept.present);
    assert_string_equal(s->kept.label, "LeNet-5, lr 0.5");
    assert_int_equal(s->kept.steps, 300);
    assert_true(s->kept.test_accuracy == 0.113f);
    assert_int_equal(s->kept.n_loss, 150);
    assert_int_equal(s->kept.n_test_acc, 16);
    // Every point as built above, by the same formulas.
    for (int i = 0; i < 150; i++) {
        assert_true(s->kept.loss[i].step == (float)(2 * (i + 1)));
        assert_true(s->kept.loss[i].value == 2.30f + 0.05f * (float)((i * 7) % 5 - 2) / 2.0f);
    }
    for (int i = 0; i < 16; i++) {
        assert_true(s->kept.test_acc[i].step == (float)(20 * i));
        assert_true(s->kept.test_acc[i].value == 0.09f + 0.0015f * i);
    }
    // A given label is kept as given.
    assert_true(app_keep_run(s, "a run with shifts"));
    assert_string_equal(s->kept.label, "a run with shifts");
    // "" is no label: made from the model and rate again; the small CNN at 0.05.
    s->host.train_live = f->live;
    s->train_model = 1;
    assert_true(app_keep_run(s, ""));
    assert_string_equal(s->kept.label, "small CNN, lr 0.05");
    assert_int_equal(s->kept.steps, 150);
    // An --arch model.
    snprintf(s->host.custom_arch, sizeof s->host.custom_arch, "softmax");
    s->train_model = MODEL_CUSTOM;
    assert_true(app_keep_run(s, NULL));
    assert_string_equal(s->kept.label, "--arch model, lr 0.05");
}

static void test_keep_without_trainer(void **st) {
    fixture *f = *st;
    app_state *s = f->s;
    s->host.train_live = NULL;
    assert_false(app_keep_run(s, NULL));
    assert_false(s->kept.present);
    // K says so, and keeps nothing.
    const app_action k = {.kind = ACT_KEEP_RUN};
    app_update(s, &k);
    assert_false(s->kept.present);
    assert_string_equal(s->status, "nothing to keep: training is not available");
}

static void test_key_keeps_and_says(void **st) {
    fixture *f = *st;
    app_state *s = f->s;
    s->host.train_live = f->kept;
    const app_action k = {.kind = ACT_KEEP_RUN};
    app_update(s, &k);
    assert_true(s->kept.present);
    assert_string_equal(s->status,
                        "kept LeNet-5, lr 0.5 (step 300, 11.3%) to compare: press R or pick a model to train another");
    // Other actions still go to the trainer: a model asks for a new one.
    const app_action model = {.kind = ACT_TRAIN_MODEL, .value = 0};
    app_update(s, &model);
    assert_int_equal(s->train_model, 0);
    assert_int_equal(s->effects.n, 1);
    assert_int_equal(s->effects.items[0].kind, EFFECT_TRAIN);
    // A fresh view (a lesson's start) compares nothing.
    app_reset_views(s);
    assert_false(s->kept.present);
}

// ---- Frames ---------------------------------------------------------------------------------------

static const char *find_text_(const render_record *rec, const char *text) {
    for (int i = 0; i < rec->n; i++)
        if (rec->items[i].kind == REC_TEXT && rec->items[i].text && strcmp(rec->items[i].text, text) == 0)
            return rec->items[i].text;
    return NULL;
}

static const ui_button *find_button_(const ui_layout *l, app_action_kind kind) {
    for (int i = 0; i < l->n_buttons; i++)
        if (l->buttons[i].action.kind == kind) return &l->buttons[i];
    return NULL;
}

// Pixels of colour c (exactly) in q.
static long count_colour_(const SDL_Surface *surf, ui_rect q, rgb c) {
    long n = 0;
    for (int y = q.y; y < q.y + q.h && y < surf->h; y++)
        for (int x = q.x; x < q.x + q.w && x < surf->w; x++) {
            const Uint32 p = ((const Uint32 *)((const Uint8 *)surf->pixels + (size_t)y * surf->pitch))[x];
            n += (Uint8)(p >> 16) == c.r && (Uint8)(p >> 8) == c.g && (Uint8)p == c.b;
        }
    return n;
}

// layout_check.py on the JSON of a frame: its exit status (0: no violation).
static int layout_check_(const char *json) {
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "python3 '%s/tools/layout_check.py' '%s'", tests_dir_, json);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[600];
    while (fgets(line, sizeof line, p)) print_message("#   %s", line);
    const int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_frames_with_kept_run(void **st) {
    fixture *f = *st;
    app_state *s = f->s;
    s->host.train_live = f->kept;
    assert_true(app_keep_run(s, NULL));
    s->host.train_live = f->live;
    char err[600];
    app_font *font = font_open(err, sizeof err);
    if (!font) fail_msg("cannot open the fonts: %s", err);
    const char *png_dir = getenv("CONVSTEP_KEPT_PNG_DIR");
    const char *t = getenv("TMPDIR");
    static const int sizes[][2] = {{1280, 720}, {1920, 1080}};
    static const int zooms[] = {100, 150, 200};
    for (int cb = 0; cb < 2; cb++)
        for (int k = 0; k < 2; k++)
            for (int z = 0; z < 3; z++) {
                const int w = sizes[k][0], h = sizes[k][1];
                s->zoom = zooms[z];
                s->colorblind = cb;
                SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
                assert_non_null(surf);
                SDL_Renderer *r = SDL_CreateSoftwareRenderer(surf);
                assert_non_null(r);
                static ui_layout l;
                const ui_metrics m = {render_text_width, font};
                layout_compute(&l, s, w, h, &m);
                render_record rec = {0};
                render_record_start(&rec);
                render_frame(s, &l, r, font);
                render_record_stop();
                font_flush(font);
                SDL_DestroyRenderer(r);
                char name[64], path[1200];
                snprintf(name, sizeof name, "kept-%dx%d-zoom%d%s", w, h, zooms[z], cb ? "-colorblind" : "");
                print_message("# %s\n", name);
                if (png_dir && *png_dir) {
                    snprintf(path, sizeof path, "%s/%s.png", png_dir, name);
                    assert_int_equal(IMG_SavePNG(surf, path), 0);
                }
                // Both runs named: in full where the legend has the room (1920x1080
                // at zoom 100 has it), else at least their short names.
                const bool full = find_text_(&rec, "now: LeNet-5, lr 0.05") &&
                                  find_text_(&rec, "kept: LeNet-5, lr 0.5") &&
                                  find_text_(&rec, "now: LeNet-5, lr 0.05 (test set)") &&
                                  find_text_(&rec, "kept: LeNet-5, lr 0.5 - ended at 11.3%");
                const bool named = (find_text_(&rec, "now: LeNet-5, lr 0.05") || find_text_(&rec, "now")) &&
                                   (find_text_(&rec, "kept: LeNet-5, lr 0.5") || find_text_(&rec, "kept")) &&
                                   (find_text_(&rec, "kept: LeNet-5, lr 0.5 - ended at 11.3%") ||
                                    find_text_(&rec, "kept: 11.3%"));
                if (!named) fail_msg("%s: the legends do not name both runs", name);
                if (w == 1920 && zooms[z] == 100 && !full) fail_msg("%s: the legends are not in full", name);
                // The x axis covers both runs: the kept one's 300 steps are 3 epochs of
                // 100, one more than the live run's plan of 2.
                if (w == 1920 && zooms[z] == 100)
                    assert_non_null(find_text_(&rec, "epochs (0 to 3: both runs, 100 steps each)"));
                // The kept curves drawn in the palette's colour in both charts.
                const rgb kc = palette_get(cb)->kept;
                const long in_loss = count_colour_(surf, l.chart_loss, kc), in_acc = count_colour_(surf, l.chart_acc, kc);
                print_message("#   kept colour: %ld px in the loss chart, %ld in the accuracy chart\n", in_loss, in_acc);
                assert_true(in_loss > 200 && in_acc > 100);
                // The button.
                const ui_button *b = find_button_(&l, ACT_KEEP_RUN);
                assert_non_null(b);
                assert_string_equal(b->label, "keep run to compare");
                assert_true(b->enabled);
                // No violations.
                snprintf(path, sizeof path, "%s/convstep-%s-%d.json", t && *t ? t : "/tmp", name, (int)getpid());
                assert_true(render_record_save(&rec, s, &l, path, err, sizeof err));
                const int violations = layout_check_(path);
                remove(path);
                if (violations != 0) fail_msg("%s: layout_check.py found violations (exit %d)", name, violations);
                render_record_free(&rec);
                SDL_FreeSurface(surf);
            }
    font_close(font);
}

// Nothing kept: no "now:" or "kept:" legend and no kept colour in the charts.
static void test_frame_without_kept_run(void **st) {
    fixture *f = *st;
    app_state *s = f->s;
    s->host.train_live = f->live;
    char err[600];
    app_font *font = font_open(err, sizeof err);
    if (!font) fail_msg("cannot open the fonts: %s", err);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, 1920, 1080, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(surf);
    static ui_layout l;
    const ui_metrics m = {render_text_width, font};
    layout_compute(&l, s, 1920, 1080, &m);
    render_record rec = {0};
    render_record_start(&rec);
    render_frame(s, &l, r, font);
    render_record_stop();
    font_flush(font);
    SDL_DestroyRenderer(r);
    assert_non_null(find_text_(&rec, "each batch"));
    assert_null(find_text_(&rec, "now: LeNet-5, lr 0.05"));
    assert_int_equal(count_colour_(surf, l.chart_loss, palette_get(false)->kept), 0);
    render_record_free(&rec);
    SDL_FreeSurface(surf);
    font_close(font);
}

int main(void) {
    const char *file = __FILE__, *slash = strrchr(file, '/');
    snprintf(tests_dir_, sizeof tests_dir_, "%.*s", slash ? (int)(slash - file) : 1, slash ? file : ".");
    const char *a = getenv("CONVSTEP_ASSETS");
    if (!a || !*a) {
        char assets[1100];
        snprintf(assets, sizeof assets, "%s/../assets", tests_dir_);
        setenv("CONVSTEP_ASSETS", assets, 1);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keep_copies_points, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_keep_without_trainer, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_key_keeps_and_says, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_frames_with_kept_run, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_frame_without_kept_run, setup_, teardown_),
    };
    const int failed = cmocka_run_group_tests(tests, NULL, NULL);
    IMG_Quit();
    SDL_Quit();
    return failed;
}
