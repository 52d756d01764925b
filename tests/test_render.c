// test_render.c - golden images of the software renderer: known states drawn
// headless at 1280x720 with the real fonts from assets/, compared with the
// PNGs in tests/golden/ within a tolerance (a pixel differs when one of its
// colour channels is off by more than 48; at most 0.5% of pixels may differ),
// so a different FreeType version or hinting does not fail the test, while a
// moved window, a wrong number or a missing grid does.
//
// Besides the goldens, a few checks need no stored picture: the window's
// outline is drawn in the accent colour where the layout puts it, done and
// pending output cells are told apart, the same state draws the same pixels
// twice, and a deliberately different state fails the comparison.
//
// Build: meson (it links the app_sdl library); `meson test -C build render`.
// Run from the repository root (or set CONVSTEP_GOLDEN_DIR to tests/golden).
// CONVSTEP_UPDATE_GOLDEN=1 writes the golden images instead of comparing:
// look at every one of them before committing.
// The fonts come from $CONVSTEP_ASSETS, else assets/ beside tests/, else the
// program's own fallbacks (the source tree it was built from).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assets.h"
#include "font.h"
#include "keys.h"
#include "render_record.h"
#include "input.h"
#include "layout.h"
#include "render.h"
#include "state.h"
#include "update.h"
#include "lesson.h"
#include "window.h"

#define W 1280
#define H 720
#define CHANNEL_TOLERANCE 48     // per colour channel, 0..255
#define FRACTION_TOLERANCE 0.005 // of all pixels

static const SDL_Color ACCENT = {226, 110, 20, 255};  // render.c's window outline colour

static char golden_dir_[1024];
static char tmp_dir_[1024];

// ---- Set-up --------------------------------------------------------------------------------

static bool file_exists_(const char *path) { return access(path, R_OK) == 0; }

// tests/ as this file was compiled (__FILE__), or "tests" from the repository root.
static void tests_dir_(char *buf, size_t size) {
    const char *f = __FILE__;
    const char *slash = strrchr(f, '/');
    if (slash)
        snprintf(buf, size, "%.*s", (int)(slash - f), f);
    else
        snprintf(buf, size, ".");
}

static int group_setup_(void **st) {
    (void)st;
    char tests[900];
    tests_dir_(tests, sizeof tests);
    const char *g = getenv("CONVSTEP_GOLDEN_DIR");
    if (g && *g)
        snprintf(golden_dir_, sizeof golden_dir_, "%s", g);
    else
        snprintf(golden_dir_, sizeof golden_dir_, "%s/golden", tests);
    const char *a = getenv("CONVSTEP_ASSETS");
    if (!a || !*a) {
        char assets[1024], probe[1100];
        snprintf(assets, sizeof assets, "%s/../assets", tests);
        snprintf(probe, sizeof probe, "%s/fonts/DejaVuSans.ttf", assets);
        if (file_exists_(probe)) setenv("CONVSTEP_ASSETS", assets, 1);
    }
    const char *t = getenv("TMPDIR");
    snprintf(tmp_dir_, sizeof tmp_dir_, "%s", t && *t ? t : "/tmp");
    print_message("# golden images in %s, fonts from %s\n", golden_dir_,
                  getenv("CONVSTEP_ASSETS") ? getenv("CONVSTEP_ASSETS") : "the program's fallbacks");
    return 0;
}

static int group_teardown_(void **st) {
    (void)st;
    IMG_Quit();
    SDL_Quit();
    return 0;
}

// Each test has its own fonts (font_close shuts SDL_ttf down, see
// test_run_view_headless_screenshot_matches).
typedef struct fixture {
    app_state *s;
    app_font *font;
} fixture;

static int setup_(void **st) {
    fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    f->s = calloc(1, sizeof *f->s);
    char err[600];
    f->font = font_open(err, sizeof err);
    if (!f->s || !f->font) {
        fprintf(stderr, "cannot open the fonts: %s\n", err);
        free(f->s);
        free(f);
        return -1;
    }
    app_state_init(f->s);
    *st = f;
    return 0;
}

static int teardown_(void **st) {
    fixture *f = *st;
    font_close(f->font);
    free(f->s);
    free(f);
    return 0;
}

static void act_(app_state *s, app_action_kind kind, int value) {
    app_action a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    a.value = value;
    app_update(s, &a);
}

// ---- Drawing and comparing ------------------------------------------------------------------

// Draws the state on a new w x h ARGB8888 surface, as the headless runner does.
static SDL_Surface *render_(const fixture *f, int w, int h, ui_layout *layout_out) {
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(surf);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(surf);
    assert_non_null(r);
    static ui_layout l;
    const ui_metrics m = {render_text_width, f->font};
    layout_compute(&l, f->s, w, h, &m);
    render_frame(f->s, &l, r, f->font);
    // The font's cached textures belong to this renderer: forget them first.
    font_flush(f->font);
    SDL_DestroyRenderer(r);
    if (layout_out) *layout_out = l;
    return surf;
}

static Uint32 pixel_(const SDL_Surface *s, int x, int y) {
    return ((const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * s->pitch))[x];
}

static SDL_Color colour_at_(const SDL_Surface *s, int x, int y) {
    const Uint32 p = pixel_(s, x, y);  // ARGB8888
    SDL_Color c = {(Uint8)(p >> 16), (Uint8)(p >> 8), (Uint8)p, (Uint8)(p >> 24)};
    return c;
}

typedef struct diff_stats {
    long differing;   // pixels with a channel off by more than CHANNEL_TOLERANCE
    long total;
    int max_channel;  // the largest channel difference seen
} diff_stats;

// Compares two ARGB8888 surfaces of the same size (colour only; alpha is ignored).
// Writes a picture of the differences (red where they differ) if diff_path.
static diff_stats compare_(const SDL_Surface *a, const SDL_Surface *b, const char *diff_path) {
    diff_stats d = {0, (long)a->w * a->h, 0};
    SDL_Surface *dimg = diff_path ? SDL_CreateRGBSurfaceWithFormat(0, a->w, a->h, 32, SDL_PIXELFORMAT_ARGB8888) : NULL;
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w; x++) {
            const SDL_Color p = colour_at_(a, x, y), q = colour_at_(b, x, y);
            const int dr = abs(p.r - q.r), dg = abs(p.g - q.g), db = abs(p.b - q.b);
            const int m = dr > dg ? (dr > db ? dr : db) : (dg > db ? dg : db);
            if (m > d.max_channel) d.max_channel = m;
            const bool bad = m > CHANNEL_TOLERANCE;
            d.differing += bad;
            if (dimg) {
                const Uint8 grey = (Uint8)(200 + (p.r + p.g + p.b) / 3 * 55 / 255);
                ((Uint32 *)((Uint8 *)dimg->pixels + (size_t)y * dimg->pitch))[x] =
                    bad ? 0xFFFF0000u : (0xFF000000u | (Uint32)grey << 16 | (Uint32)grey << 8 | grey);
            }
        }
    if (dimg) {
        IMG_SavePNG(dimg, diff_path);
        SDL_FreeSurface(dimg);
    }
    return d;
}

static SDL_Surface *load_argb_(const char *path) {
    SDL_Surface *raw = IMG_Load(path);
    if (!raw) return NULL;
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    return s;
}

static bool updating_(void) {
    const char *u = getenv("CONVSTEP_UPDATE_GOLDEN");
    return u && *u && strcmp(u, "0") != 0;
}

// Compares a drawn frame with tests/golden/<name>.png; on failure writes the
// frame and a picture of the differences to the temporary folder.
static void check_golden_(SDL_Surface *got, const char *name) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.png", golden_dir_, name);
    if (updating_()) {
        assert_int_equal(IMG_SavePNG(got, path), 0);
        print_message("# wrote %s (look at it before committing)\n", path);
        return;
    }
    SDL_Surface *want = load_argb_(path);
    if (!want) {
        print_error("cannot read the golden image %s: %s (CONVSTEP_UPDATE_GOLDEN=1 writes it)\n", path,
                    IMG_GetError());
        fail();
    }
    if (want->w != got->w || want->h != got->h) {
        print_error("%s: golden image is %dx%d, the frame %dx%d\n", name, want->w, want->h, got->w, got->h);
        SDL_FreeSurface(want);
        fail();
    }
    diff_stats d = compare_(got, want, NULL);
    const double frac = (double)d.differing / (double)d.total;
    print_message("# %s: %ld of %ld pixels differ (%.4f%%, limit %.2f%%), largest channel difference %d\n", name,
                  d.differing, d.total, 100 * frac, 100 * FRACTION_TOLERANCE, d.max_channel);
    if (frac > FRACTION_TOLERANCE) {
        char actual[1200], diff[1200];
        snprintf(actual, sizeof actual, "%s/convstep-render-%s-actual.png", tmp_dir_, name);
        snprintf(diff, sizeof diff, "%s/convstep-render-%s-diff.png", tmp_dir_, name);
        IMG_SavePNG(got, actual);
        compare_(got, want, diff);
        print_error("%s differs from %s: %ld pixels (%.3f%%); the frame is in %s, the differences (red) in %s\n",
                    name, path, d.differing, 100 * frac, actual, diff);
        SDL_FreeSurface(want);
        fail();
    }
    SDL_FreeSurface(want);
}

// The fraction of pixels of a frame that differ from a golden image.
static double fraction_from_golden_(SDL_Surface *got, const char *name) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.png", golden_dir_, name);
    SDL_Surface *want = load_argb_(path);
    assert_non_null(want);
    assert_int_equal(want->w, got->w);
    diff_stats d = compare_(got, want, NULL);
    SDL_FreeSurface(want);
    return (double)d.differing / (double)d.total;
}

static bool near_(SDL_Color c, SDL_Color want, int tol) {
    return abs(c.r - want.r) <= tol && abs(c.g - want.g) <= tol && abs(c.b - want.b) <= tol;
}

static const ui_grid *find_grid_(const ui_layout *l, grid_id id, int channel) {
    for (int i = 0; i < l->n_grids; i++)
        if (l->grids[i].id == id && l->grids[i].channel == channel) return &l->grids[i];
    return NULL;
}

// Pixels in a rectangle darker than mid-grey (text, mostly).
static long dark_pixels_(const SDL_Surface *s, ui_rect q) {
    long n = 0;
    for (int y = q.y; y < q.y + q.h && y < s->h; y++)
        for (int x = q.x; x < q.x + q.w && x < s->w; x++) {
            const SDL_Color c = colour_at_(s, x, y);
            n += c.r + c.g + c.b < 3 * 100;
        }
    return n;
}

// ---- The states of the golden images ---------------------------------------------------------

// The slide example after 4 presses of >: cell (1,0) done, 10 = 0x0 + 0x1 + ... .
static void state_conv_step4_(app_state *s) {
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    for (int i = 0; i < 4; i++) act_(s, ACT_STEP_FORWARD, 0);
}

// The pooling example after 5 presses: window 5 of 9, output (1,1).
static void state_pool_step5_(app_state *s) {
    act_(s, ACT_OPEN_VIEW, VIEW_POOL);
    for (int i = 0; i < 5; i++) act_(s, ACT_STEP_FORWARD, 0);
}

// Padding 1, stride 2, playing slowly: cell (1,1), 4 of 9 products so far.
static void state_conv_partial_(app_state *s) {
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(s, ACT_SET_PADDING, 1);
    act_(s, ACT_SET_STRIDE, 2);
    app_action j = {.kind = ACT_JUMP_TO_OUTPUT, .row = 1, .col = 0};
    app_update(s, &j);
    act_(s, ACT_PLAY_PAUSE, 0);
    const double beat = 1000.0 / app_speed_value(s->conv.anim.speed) / (s->conv.geom.window + 1);
    for (int i = 0; i < 5; i++) app_tick(s, beat);  // to the next cell, then 4 products
    act_(s, ACT_PLAY_PAUSE, 0);
}

// ---- Tests ------------------------------------------------------------------------------------

static void test_golden_conv_step4(void **st) {
    fixture *f = *st;
    state_conv_step4_(f->s);
    assert_int_equal(f->s->conv.anim.pos, 3);
    assert_int_equal(f->s->conv.anim.reveal, 9);
    ui_layout l;
    SDL_Surface *got = render_(f, W, H, &l);
    check_golden_(got, "conv-step4");

    // Checks that need no golden image. The window of cell (1,0) covers input
    // rows 1..3, columns 0..2; its outer edge is a 2-pixel accent frame 2 pixels out.
    const ui_grid *in = find_grid_(&l, GRID_INPUT, 0), *out = find_grid_(&l, GRID_OUTPUT, 0);
    assert_non_null(in);
    assert_non_null(out);
    const int c = in->cell;
    const int wx = in->r.x + (0 - in->col0) * c - 2, wy = in->r.y + (1 - in->row0) * c - 2;
    const int side = 3 * c + 4;
    const int samples[4][2] = {{wx + side / 2, wy}, {wx, wy + side / 2}, {wx + side - 1, wy + side / 3},
                               {wx + side / 3, wy + side - 1}};
    for (int i = 0; i < 4; i++) {
        const SDL_Color p = colour_at_(got, samples[i][0], samples[i][1]);
        if (!near_(p, ACCENT, 8))
            print_error("window outline at (%d,%d) is %d,%d,%d\n", samples[i][0], samples[i][1], p.r, p.g, p.b);
        assert_true(near_(p, ACCENT, 8));
    }
    // Outside the window (input row 0, column 4) there is no accent.
    const SDL_Color outside = colour_at_(got, in->r.x + 4 * c + c / 2, in->r.y + 0 * c + 3);
    assert_false(near_(outside, ACCENT, 30));
    // Output cells: (0,0)..(1,0) are done and coloured (positive: red-ish),
    // (2,2) is still empty (white). Sample inside the cell, off its text.
    const int oc = out->cell, inset = oc / 5;
    const SDL_Color done = colour_at_(got, out->r.x + 0 * oc + inset, out->r.y + 0 * oc + inset);
    const SDL_Color pending = colour_at_(got, out->r.x + 2 * oc + inset, out->r.y + 2 * oc + inset);
    assert_true(done.r > done.g + 40 && done.r > done.b + 40);
    assert_true(near_(pending, (SDL_Color){255, 255, 255, 255}, 2));
    // The formula and the arithmetic are written.
    assert_true(dark_pixels_(got, l.formula) > 500);
    assert_true(dark_pixels_(got, l.arithmetic) > 500);
    SDL_FreeSurface(got);
}

static void test_golden_pool_step5(void **st) {
    fixture *f = *st;
    state_pool_step5_(f->s);
    assert_int_equal(f->s->pool.anim.pos, 4);
    ui_layout l;
    SDL_Surface *got = render_(f, W, H, &l);
    check_golden_(got, "pool-step5");
    // Both output grids are drawn, and the window (rows 2..3, cols 2..3) is outlined.
    assert_non_null(find_grid_(&l, GRID_OUTPUT, 0));
    assert_non_null(find_grid_(&l, GRID_OUTPUT, 1));
    const ui_grid *in = find_grid_(&l, GRID_INPUT, 0);
    assert_non_null(in);
    // Cell (2,3) is in the window but not its max: its outline is the accent colour.
    const SDL_Color edge = colour_at_(got, in->r.x + 3 * in->cell + in->cell / 2, in->r.y + 2 * in->cell + 1);
    assert_true(near_(edge, ACCENT, 8));
    assert_true(dark_pixels_(got, l.arithmetic) > 500);
    SDL_FreeSurface(got);
}

static void test_golden_conv_padding_partial(void **st) {
    fixture *f = *st;
    state_conv_partial_(f->s);
    assert_int_equal(f->s->conv.anim.pos, 4);
    assert_int_equal(f->s->conv.anim.reveal, 4);
    SDL_Surface *got = render_(f, W, H, NULL);
    check_golden_(got, "conv-pad1-stride2-partial");
    SDL_FreeSurface(got);
}

static void test_golden_conv_impossible(void **st) {
    fixture *f = *st;
    act_(f->s, ACT_OPEN_VIEW, VIEW_CONV);
    act_(f->s, ACT_SET_SIZE, 3);
    act_(f->s, ACT_SET_KERNEL, 7);
    assert_false(f->s->conv.ok);
    ui_layout l;
    SDL_Surface *got = render_(f, W, H, &l);
    check_golden_(got, "conv-impossible");
    assert_null(find_grid_(&l, GRID_OUTPUT, 0));
    // The reason is written in the formula's place (in red).
    long red = 0;
    for (int y = l.formula.y; y < l.formula.y + l.formula.h; y++)
        for (int x = l.formula.x; x < l.formula.x + l.formula.w; x++) {
            const SDL_Color p = colour_at_(got, x, y);
            red += p.r > 150 && p.g < 100 && p.b < 100;
        }
    assert_true(red > 300);
    SDL_FreeSurface(got);
}

static void test_golden_home(void **st) {
    fixture *f = *st;
    SDL_Surface *got = render_(f, W, H, NULL);
    check_golden_(got, "home");
    SDL_FreeSurface(got);
}

static void test_golden_conv_help_overlay(void **st) {
    fixture *f = *st;
    state_conv_step4_(f->s);
    act_(f->s, ACT_HELP, 0);
    SDL_Surface *got = render_(f, W, H, NULL);
    check_golden_(got, "conv-help");
    SDL_FreeSurface(got);
}

static void test_same_state_same_pixels(void **st) {
    fixture *f = *st;
    state_conv_step4_(f->s);
    SDL_Surface *a = render_(f, W, H, NULL), *b = render_(f, W, H, NULL);
    const diff_stats d = compare_(a, b, NULL);
    assert_int_equal(d.max_channel, 0);
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
}

// The comparison can fail: states that differ from the golden's must be caught.
static void test_changed_state_fails_the_comparison(void **st) {
    fixture *f = *st;
    if (updating_()) skip();
    // One more step: the window moves on, another output cell fills in.
    state_conv_step4_(f->s);
    act_(f->s, ACT_STEP_FORWARD, 0);
    SDL_Surface *got = render_(f, W, H, NULL);
    double frac = fraction_from_golden_(got, "conv-step4");
    print_message("# conv after 5 steps against conv-step4: %.3f%% of pixels differ\n", 100 * frac);
    assert_true(frac > FRACTION_TOLERANCE);
    SDL_FreeSurface(got);
    // The colour-blind palette.
    app_state_init(f->s);
    state_conv_step4_(f->s);
    act_(f->s, ACT_PALETTE, 0);
    got = render_(f, W, H, NULL);
    frac = fraction_from_golden_(got, "conv-step4");
    print_message("# conv after 4 steps, colour-blind palette, against conv-step4: %.3f%%\n", 100 * frac);
    assert_true(frac > FRACTION_TOLERANCE);
    SDL_FreeSurface(got);
    // One input value under the window edited (2 -> 9 at (2,2)): its colour, its
    // number, the products and the output change.
    app_state_init(f->s);
    state_conv_step4_(f->s);
    app_action sel = {.kind = ACT_SELECT_CELL, .cell = {GRID_INPUT, 0, 2, 2}};
    app_update(f->s, &sel);
    app_action ch = {.kind = ACT_TYPE_CHAR, .ch = '9'};
    app_update(f->s, &ch);
    act_(f->s, ACT_EDIT_COMMIT, 0);
    got = render_(f, W, H, NULL);
    frac = fraction_from_golden_(got, "conv-step4");
    print_message("# conv after 4 steps with input (2,2) = 9 against conv-step4: %.3f%%\n", 100 * frac);
    assert_true(frac > FRACTION_TOLERANCE);
    SDL_FreeSurface(got);
}

// The program's own headless path (app_run_view) draws what the test draws.
static void test_run_view_headless_screenshot_matches(void **st) {
    fixture *f = *st;
    if (updating_()) skip();
    // font_close() in app_run_view calls TTF_Quit even though its font_open did
    // not call TTF_Init (SDL_ttf was already started by this fixture's fonts):
    // close ours first so SDL_ttf is not shut down under them.
    font_close(f->font);
    f->font = NULL;
    char path[1200];
    snprintf(path, sizeof path, "%s/convstep-render-run-view-%d.png", tmp_dir_, (int)getpid());
    app_state_init(f->s);
    f->s->view = VIEW_CONV;
    view_run_options o;
    memset(&o, 0, sizeof o);
    o.headless = true;
    o.width = W;
    o.height = H;
    o.steps = 4;
    o.screenshot = path;
    char out[4096] = "", err[4096] = "";
    FILE *fo = fmemopen(out, sizeof out - 1, "w"), *fe = fmemopen(err, sizeof err - 1, "w");
    assert_non_null(fo);
    assert_non_null(fe);
    const int status = app_run_view(f->s, &o, fo, fe);
    fclose(fo);
    fclose(fe);
    if (status != 0) print_error("app_run_view: status %d, stderr: %s\n", status, err);
    assert_int_equal(status, 0);
    assert_non_null(strstr(out, "screenshot saved to"));
    SDL_Surface *got = load_argb_(path);
    unlink(path);
    assert_non_null(got);
    assert_int_equal(got->w, W);
    assert_int_equal(got->h, H);
    check_golden_(got, "conv-step4");
    SDL_FreeSurface(got);
    char e2[600];
    f->font = font_open(e2, sizeof e2);  // for teardown
    assert_non_null(f->font);
}

// 1920x1080 draws the same view bigger (no golden: checks that it draws at all).
static void test_full_hd_frame(void **st) {
    fixture *f = *st;
    state_conv_step4_(f->s);
    ui_layout l;
    SDL_Surface *got = render_(f, 1920, 1080, &l);
    assert_int_equal(got->w, 1920);
    const ui_grid *in = find_grid_(&l, GRID_INPUT, 0);
    assert_non_null(in);
    assert_true(in->cell > 60);  // larger than at 720p
    assert_true(dark_pixels_(got, l.arithmetic) > 800);
    SDL_FreeSurface(got);
}

// ---- Keys (input.c) -----------------------------------------------------------------------

static SDL_Event key_(SDL_Keycode k) {
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    return e;
}

// The action a key asks for in this state (and whether it asked for a screenshot).
static app_action press_(app_state *s, SDL_Keycode k, bool *shot) {
    static ui_layout l;
    const ui_metrics m = {NULL, NULL};
    (void)m;
    memset(&l, 0, sizeof l);
    const SDL_Event e = key_(k);
    bool dummy;
    return input_action(s, &l, &e, shot ? shot : &dummy);
}

// F12 takes a screenshot while a cell is being edited, and the edit goes on.
static void test_f12_while_editing_takes_a_screenshot(void **st) {
    fixture *f = *st;
    app_state *s = f->s;
    act_(s, ACT_OPEN_VIEW, VIEW_CONV);
    app_action sel = {.kind = ACT_SELECT_CELL};
    sel.cell.grid = GRID_INPUT;
    sel.cell.row = 1;
    sel.cell.col = 2;
    app_update(s, &sel);
    app_action ch = {.kind = ACT_TYPE_CHAR, .ch = '7'};
    app_update(s, &ch);
    assert_true(s->editing);
    bool shot = false;
    const app_action a = press_(s, SDLK_F12, &shot);
    assert_true(shot);
    assert_int_equal(a.kind, ACT_NONE);
    app_update(s, &a);
    assert_true(s->editing);
    assert_string_equal(s->edit_text, "7");
    // Enter still commits what was typed.
    const app_action enter = press_(s, SDLK_RETURN, NULL);
    app_update(s, &enter);
    assert_false(s->editing);
    assert_true(s->conv.setup.input[0][1][2] == 7.0f);
}

// Esc in the convolution view opened from a map of the CNN view goes back to
// the CNN view; a second Esc goes home.
static void test_esc_from_feature_window_key(void **st) {
    fixture *f = *st;
    app_state *s = f->s;
    nn_net *net;
    nn_error e;
    assert_int_equal(nn_net_create(&net, "conv(6,5),relu,flatten,dense(10),softmax", nn_shape_map(1, 28, 28), 1, NULL, &e),
                     NN_OK);
    static uint8_t digit[784];
    app_set_digits(s, digit, 1);
    s->host.live_net = net;
    act_(s, ACT_OPEN_VIEW, VIEW_CNN);
    app_action click = {.kind = ACT_SELECT_CELL};
    click.cell.grid = GRID_FMAP;
    click.cell.channel = 1;
    app_update(s, &click);
    const int opened = s->view;
    app_action a = press_(s, SDLK_ESCAPE, NULL);
    app_update(s, &a);
    const int back = s->view;
    a = press_(s, SDLK_ESCAPE, NULL);
    app_update(s, &a);
    const int home = s->view;
    s->host.live_net = NULL;
    nn_net_free(net);
    assert_int_equal(opened, VIEW_CONV);
    assert_int_equal(back, VIEW_CNN);
    assert_int_equal(home, VIEW_HOME);
}

// While a lesson's 'train N' runs, Esc stops the training (the lesson stays
// open); otherwise it closes the lesson.
static void test_esc_while_lesson_trains(void **st) {
    fixture *f = *st;
    app_state *s = f->s;
    static lesson l;
    memset(&l, 0, sizeof l);
    snprintf(l.title, sizeof l.title, "t");
    s->player.l = &l;
    s->view = VIEW_TRAIN;
    s->player.train_pending = true;
    assert_int_equal(press_(s, SDLK_ESCAPE, NULL).kind, ACT_LESSON_STOP_TRAINING);
    s->player.train_pending = false;
    assert_int_equal(press_(s, SDLK_ESCAPE, NULL).kind, ACT_LESSON_CLOSE);
    s->player.l = NULL;
}

// ---- The lesson menu -------------------------------------------------------------------------

// 43 lessons, 3 of them broken, at 1280x720: a page of rows, every one above
// the page note and the footer; the broken ones greyed with their error in
// red beside them; Page Down and the wheel move through the pages.
static void test_lesson_menu_pages(void **st) {
    fixture *f = *st;
    app_state *s = f->s;
    enum { N = 43 };
    static lesson_entry entries[N];
    for (int i = 0; i < N; i++) {
        memset(&entries[i], 0, sizeof entries[i]);
        snprintf(entries[i].name, sizeof entries[i].name, "lesson-%02d.lesson", i);
        if (i % 5 == 1)
            snprintf(entries[i].error, sizeof entries[i].error, "lessons/lesson-%02d.lesson:3: unknown command 'x'", i);
        else
            snprintf(entries[i].title, sizeof entries[i].title, "Lesson %d", i);
    }
    s->host.lessons = entries;
    s->host.n_lessons = N;
    s->view = VIEW_LESSONS;
    ui_layout l;
    SDL_Surface *got = render_(f, W, H, &l);
    IMG_SavePNG(got, "/tmp/convstep-render-lesson-menu.png");
    int rows = 0;
    for (int b = 0; b < l.n_buttons; b++) {
        const ui_button *bt = &l.buttons[b];
        if (bt->action.kind != ACT_LESSON_OPEN) continue;
        rows++;
        assert_true(bt->r.y + bt->r.h <= l.list_note.y);
        assert_true(bt->r.y + bt->r.h <= l.footer.y);
        const int i = bt->action.value;
        assert_int_equal(bt->enabled, i % 5 != 1);
        if (i % 5 == 1) {  // red text beside it
            long red = 0;
            for (int y = bt->r.y; y < bt->r.y + bt->r.h; y++)
                for (int x = bt->r.x + bt->r.w; x < W; x++) red += near_(colour_at_(got, x, y), (SDL_Color){200, 40, 40, 255}, 60);
            assert_true(red > 20);
        }
    }
    SDL_FreeSurface(got);
    assert_int_equal(rows, l.list_page);
    assert_true(l.list_page < N);
    // Page Down: the focus moves a page; the wheel a row.
    app_action a = input_action(s, &l, &(SDL_Event){0}, &(bool){false});
    assert_int_equal(a.kind, ACT_NONE);
    SDL_Event e = key_(SDLK_PAGEDOWN);
    bool shot;
    a = input_action(s, &l, &e, &shot);
    app_update(s, &a);
    assert_int_equal(s->lesson_focus, l.list_page);
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEWHEEL;
    e.wheel.y = -1;  // towards the user: down the list
    a = input_action(s, &l, &e, &shot);
    app_update(s, &a);
    assert_int_equal(s->lesson_focus, l.list_page + 1);
    e = key_(SDLK_END);
    a = input_action(s, &l, &e, &shot);
    app_update(s, &a);
    assert_int_equal(s->lesson_focus, N - 1);
    ui_layout l2;
    got = render_(f, W, H, &l2);
    SDL_FreeSurface(got);
    assert_true(l2.list_first <= N - 1 && N - 1 < l2.list_first + l2.list_shown);
    s->host.lessons = NULL;
    s->host.n_lessons = 0;
}

// font_width keeps measured widths (a layout search measures the same labels
// thousands of times a frame): every width it gives, from a fresh measurement
// or from its cache, equals SDL2_ttf's own measurement of that string, also
// after more strings than the cache holds have pushed older ones out.
static void test_cached_widths_equal_fresh_measurements(void **st) {
    fixture *f = *st;
    char err[600], path[1024];
    assert_true(app_asset_path("fonts/DejaVuSans.ttf", path, sizeof path, err, sizeof err));
    enum { SIZES = 3, STRINGS = 3000 };
    const int sizes[SIZES] = {14, 15, 40};
    TTF_Font *ttf[SIZES];
    for (int i = 0; i < SIZES; i++) {
        ttf[i] = TTF_OpenFont(path, sizes[i]);
        assert_non_null(ttf[i]);
        TTF_SetFontHinting(ttf[i], TTF_HINTING_LIGHT);
    }
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < STRINGS; i++) {
            char t[32];
            // Each string at every size (a width belongs to a string and a size).
            snprintf(t, sizeof t, i % 2 ? "w%d" : "%d.1 i", i % (STRINGS / SIZES) * 7919 % 100003);
            const int k = i / (STRINGS / SIZES);
            int w = 0, h = 0;
            assert_int_equal(TTF_SizeUTF8(ttf[k], t, &w, &h), 0);
            assert_int_equal(font_width(f->font, FACE_SANS, sizes[k], t), w);
        }
    for (int i = 0; i < SIZES; i++) TTF_CloseFont(ttf[i]);
}

// At zoom 200 on a 1280x720 window the F1 overlay's keys need more than one
// page: PageDown turns them (going round after the last), and every key of
// the overlay is on one of its pages, each page saying which it is.
static void test_help_pages_show_every_key(void **st) {
    fixture *f = *st;
    app_state *s = f->s;
    s->view = VIEW_CONV;
    s->zoom = 200;
    s->help = true;
    static keys_overlay o;
    keys_overlay_build(s, &o);
    bool seen[KEYS_MAX_SECTIONS][KEYS_MAX_ENTRIES] = {{false}};
    render_record rec = {0};
    int pages = 0;
    for (int page = 0; page < 12; page++) {
        s->help_page = page;
        render_record_start(&rec);
        SDL_FreeSurface(render_(f, 1280, 720, NULL));
        render_record_stop();
        char want[48];
        snprintf(want, sizeof want, "page %d of ", page + 1);
        bool noted = false;
        for (int i = 0; i < rec.n; i++) {
            const char *t = rec.items[i].text;
            if (!t) continue;
            if (strncmp(t, want, strlen(want)) == 0) noted = true, pages = atoi(t + strlen(want));
            for (int a = 0; a < o.n_sections; a++)  // a key's name, or its first line when it wraps
                for (int e = 0; e < o.sections[a].n; e++)
                {
                    const char *k = o.sections[a].entries[e].text;
                    const size_t len = strlen(t);
                    if (len && strncmp(k, t, len) == 0 && (k[len] == '\0' || k[len] == ' ')) seen[a][e] = true;
                }
        }
        if (!noted) fprintf(stderr, "page %d: %d items, the last '%s'\n", page, rec.n, rec.n ? rec.items[rec.n - 1].text : "");
        render_record_free(&rec);
        assert_true(noted);
        if (page + 1 == pages) break;
    }
    assert_true(pages >= 2);
    for (int a = 0; a < o.n_sections; a++)
        for (int e = 0; e < o.sections[a].n; e++) {
            if (!seen[a][e]) fprintf(stderr, "not on any page: %s\n", o.sections[a].entries[e].text);
            assert_true(seen[a][e]);
        }
    // Past the last page, the first again.
    s->help_page = pages;
    render_record_start(&rec);
    SDL_FreeSurface(render_(f, 1280, 720, NULL));
    render_record_stop();
    bool first = false;
    for (int i = 0; i < rec.n; i++)
        if (rec.items[i].text && strncmp(rec.items[i].text, "page 1 of ", 10) == 0) first = true;
    render_record_free(&rec);
    assert_true(first);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_, teardown_)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_golden_conv_step4),
        T(test_golden_pool_step5),
        T(test_golden_conv_padding_partial),
        T(test_golden_conv_impossible),
        T(test_golden_home),
        T(test_golden_conv_help_overlay),
        T(test_same_state_same_pixels),
        T(test_changed_state_fails_the_comparison),
        T(test_run_view_headless_screenshot_matches),
        T(test_full_hd_frame),
        T(test_f12_while_editing_takes_a_screenshot),
        T(test_esc_from_feature_window_key),
        T(test_esc_while_lesson_trains),
        T(test_lesson_menu_pages),
        T(test_cached_widths_equal_fresh_measurements),
        T(test_help_pages_show_every_key),
    };
    return cmocka_run_group_tests(tests, group_setup_, group_teardown_);
}
