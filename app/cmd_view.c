// cmd_view.c - `convstep view conv|pool [...]` and `convstep` alone: sets up
// the state from the command line and hands it to the window (or to the
// headless renderer). SDL-free: the runner comes with the front-end (cli.h).
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "cli_common.h"
#include "dataset.h"
#include "fileio.h"
#include "gif_export.h"
#include "matrix.h"
#include "nn.h"
#include "state.h"
#include "update.h"
#include "view_backprop.h"
#include "views.h"

// The most cells --steps may step (the largest view has 38x38 output cells of
// two steps each, 2888 in all; stepping stops at the end anyway).
#define VIEW_STEPS_MAX 10000
// The longest folder name --frames and --export take (bytes), leaving room
// for "/frame-0000.png" within the 999 bytes a saved file's path may have.
#define VIEW_FOLDER_NAME_MAX 980

static const arg_spec view_args_[] = {
    {"input", true, false},       {"kernel", true, true},      {"bias", true, true},
    {"padding", true, false},     {"stride", true, false},     {"dilation", true, false},
    {"size", true, false},        {"mode", true, false},       {"digit", true, false},
    {"headless", false, false},   {"steps", true, false},      {"play-seconds", true, false},
    {"screenshot", true, false},  {"frames", true, false},     {"bench-frames", true, false},
    {"window", true, false},      {"zoom", true, false},       {"colorblind", false, false},
    {"show-keys", false, false},  {"train-steps", true, false}, {"seconds", true, false},
    {"strokes", true, false},     {"model", true, false},      {"arch", true, false},
    {"lesson", true, false},      {"export", true, false},     {"soak", true, false},
    {"layout-json", true, false}, {"help", false, false},      {"drop", true, false},
    {"select", true, false},      {"open", false, false},      {"gif", true, false},
    {"fps", true, false},         {"flip", false, false},      {"output-padding", true, false},
    {"grad-output", true, false}, {"lr", true, false},  // the backpropagation view (and pool --backward)
    {"backward", false, false},                          // the pooling view's backward mode
    {NULL, false, false},
};

static const char view_help_[] =
    "usage: convstep view conv|pool|convt|backprop|train|templates|cnn|network|draw|home [settings] [--headless ...]\n"
    "\n"
    "Opens a view in the window, set up from the command line.\n"
    "\n"
    "settings (as in convstep conv and convstep pool):\n"
    "  --input M --kernel M --bias B --padding valid|same|P --stride S --dilation D\n"
    "  (conv: repeat --kernel for up to 4 filters, and --bias, or give one bias per filter\n"
    "  in one --bias '1, -2'; --flip: true convolution, each kernel rotated 180 degrees)\n"
    "  --size F (pool window) --digit N (a real test digit as the input)\n"
    "  pool: --backward (route dL/dY back to dL/dX, one output cell a step)\n"
    "  --grad-output M (with --backward: dL/dY, the output's shape; else 1 2 3 4 1 2 ...)\n"
    "  --output-padding A (convt: one channel up to 6x6, one square kernel up to 4x4,\n"
    "  stride up to 3, padding up to 3 and d(k - 1), dilation up to 2)\n"
    "  backprop: --input M (one channel, up to 8x8) --kernel M (up to 5x5) --stride S\n"
    "  --padding P --grad-output M (dL/dY, the output's shape; else all ones) --lr X\n"
    "  --zoom PERCENT --colorblind --window WxH (default 1280x720)\n"
    "  --show-keys (open with the key overlay, as F1 does)\n"
    "  --model softmax|small|lenet5 (the model the training view trains; default small)\n"
    "  --arch SPEC (or train this architecture; 28x28x1 in, 10 classes out; not with --model)\n"
    "\n"
    "headless (no display needed; the same drawing code on a software surface):\n"
    "  --headless            draw without a window\n"
    "  --steps N             step N cells forward first (0 to 10000; stepping stops at the\n"
    "                        animation's last cell)\n"
    "  --play-seconds T      then play for T seconds on a fake 60 Hz clock\n"
    "  --screenshot FILE     write the last frame as PNG\n"
    "  --layout-json FILE    write every element the last frame drew (texts with their size\n"
    "                        and box, cells with the value shown, buttons, regions) as JSON\n"
    "  --frames DIR          write one PNG per step, up to the animation's end (so at most\n"
    "                        10001 files, frame-0000.png ...; never outside DIR)\n"
    "  --gif FILE            write the same frames (the start and one a step) as an animated\n"
    "                        GIF, looping forever, with a palette made for them; at most 2000\n"
    "                        frames (--steps 1999) of at most 4096x4096\n"
    "  --fps N               the GIF's frames a second, 0.1 to 50 (default 2)\n"
    "  --bench-frames N      draw N frames and print the median and p99 time per frame\n"
    "                        (in the training views, with training running meanwhile)\n"
    "  --train-steps N       train the view's model N steps first (the same picture every time)\n"
    "  --seconds T           let training run T seconds in its thread first\n"
    "  --strokes S           draw on the canvas: 'x,y x,y ...; x,y ...' in canvas pixels 0..111\n"
    "  --drop FILE           as if FILE (PNG, BMP, PGM) were dropped onto the window: the\n"
    "                        draw view's canvas, or the convolution view's input\n"
    "  --select L:M:R:C      the network view: select row R, column C (from 0) of map M\n"
    "                        (from 1) of layer L (from 1, in the order convstep summary lists\n"
    "                        them; 0 the input), or L:U for unit U (from 0; class U of a\n"
    "                        softmax) of a flat layer: its edges are drawn\n"
    "  --open                then open its arithmetic (convolution, pooling or unit view)\n"
    "  --soak T              train (again and again) while drawing at 60 Hz for T seconds,\n"
    "                        printing the resident memory every minute\n"
    "\n"
    "Screenshots in the window: F12 writes $CONVSTEP_SCREENSHOTS or ~/Pictures/convstep/\n"
    "(convstep-DATE-TIME.png, then -2, -3 ... within one second: never over an earlier one).\n"
    "Every PNG is written to a temporary file and renamed when complete; a full disk is an\n"
    "error (exit 2) and leaves no partial file.\n"
    "F1 in the window lists every key.\n"
    "\n"
    "example: convstep view conv --input '1 2 3; 4 5 6; 7 8 9' --kernel '1 0; 0 -1' --padding same\n"
    "         convstep view pool --digit 3 --size 2 --headless --steps 20 --screenshot pool.png\n";

// Fills a conv set-up from --input, --kernel (once a filter) and --bias.
static bool conv_from_args_(app_state *s, const parsed_args *a, char *err, size_t errsize) {
    conv_setup c = s->conv.setup;
    const char *v;
    if ((v = args_get(a, "input"))) {
        app_matrix m;
        if (!app_matrix_read(&m, v, "--input", err, errsize)) return false;
        if (m.c > VIEW_MAX_C || m.h < 1 || m.w < 1 || m.h > VIEW_MAX_N || m.w > VIEW_MAX_N) {
            snprintf(err, errsize, "--input: the view shows up to %d channels of %dx%d, got %d of %dx%d",
                     VIEW_MAX_C, VIEW_MAX_N, VIEW_MAX_N, m.c, m.h, m.w);
            app_matrix_free(&m);
            return false;
        }
        c.channels = m.c;
        c.n_h = m.h;
        c.n_w = m.w;
        for (int ch = 0; ch < m.c; ch++)
            for (int y = 0; y < m.h; y++)
                for (int x = 0; x < m.w; x++) c.input[ch][y][x] = m.values[((size_t)ch * m.h + y) * m.w + x];
        app_matrix_free(&m);
    }
    // --kernel once a filter; every filter's kernels the same size (as convstep conv).
    const char *kernels[VIEW_MAX_F + 1];
    const int n_kernels = args_get_all(a, "kernel", kernels, VIEW_MAX_F + 1);
    if (n_kernels > VIEW_MAX_F) {
        snprintf(err, errsize, "--kernel: the view shows at most %d filters, got %d", VIEW_MAX_F, n_kernels);
        return false;
    }
    for (int f = 0; f < n_kernels; f++) {
        char what[32];
        snprintf(what, sizeof what, n_kernels > 1 ? "--kernel %d" : "--kernel", f + 1);
        app_matrix m;
        if (!app_matrix_read(&m, kernels[f], what, err, errsize)) return false;
        if (m.h != m.w || m.h > VIEW_MAX_K || m.c != c.channels) {
            snprintf(err, errsize, "%s: the view needs a square kernel of at most %dx%d with one channel "
                     "per input channel (%d), got %d of %dx%d", what, VIEW_MAX_K, VIEW_MAX_K, c.channels, m.c, m.h, m.w);
            app_matrix_free(&m);
            return false;
        }
        if (f > 0 && m.h != c.k) {
            snprintf(err, errsize, "%s is %dx%d but --kernel 1 is %dx%d: all filters need one size", what, m.h, m.w,
                     c.k, c.k);
            app_matrix_free(&m);
            return false;
        }
        c.k = m.h;
        c.preset[f] = PRESET_CUSTOM;
        for (int ch = 0; ch < m.c; ch++)
            for (int y = 0; y < m.h; y++)
                for (int x = 0; x < m.w; x++) c.kernel[f][ch][y][x] = m.values[((size_t)ch * m.h + y) * m.w + x];
        app_matrix_free(&m);
    }
    if (n_kernels > 0) {
        c.filters = n_kernels;
        for (int f = n_kernels; f < VIEW_MAX_F; f++) c.bias[f] = 0;
    } else if (args_get(a, "input") && c.k > c.n_h) {
        c.k = 1;
    }
    // --bias: one number a filter, in one --bias or repeated.
    const char *biases[ARGS_MAX];
    const int n_bias_args = args_get_all(a, "bias", biases, ARGS_MAX);
    int n_bias = 0;
    float bias[VIEW_MAX_F] = {0};
    for (int i = 0; i < n_bias_args; i++) {
        float *b;
        int n;
        if (!app_parse_numbers(biases[i], "--bias", &b, &n, err, errsize)) return false;
        for (int j = 0; j < n && n_bias + j < VIEW_MAX_F; j++) bias[n_bias + j] = b[j];
        n_bias += n;
        free(b);
    }
    if (n_bias_args > 0 && n_bias != c.filters) {
        snprintf(err, errsize, "--bias has %d value(s) but there %s %d filter(s): give one bias per filter", n_bias,
                 c.filters == 1 ? "is" : "are", c.filters);
        return false;
    }
    for (int f = 0; f < n_bias && n_bias_args > 0; f++) c.bias[f] = bias[f];
    if ((v = args_get(a, "padding")) && !cli_parse_padding(v, &c.padding, err, errsize)) return false;
    if ((v = args_get(a, "stride")) && !args_int(v, "--stride", 1, 4, &c.stride, err, errsize)) return false;
    if ((v = args_get(a, "dilation")) && !args_int(v, "--dilation", 1, 3, &c.dilation, err, errsize)) return false;
    if (c.padding.mode == NN_PAD_EXPLICIT && c.padding.p > 3) {
        snprintf(err, errsize, "--padding: the view shows up to 3 cells of padding, got %d", c.padding.p);
        return false;
    }
    c.flip = args_has(a, "flip");
    app_set_conv(s, &c);  // impossible settings are shown, with why, not refused
    return true;
}

static bool pool_from_args_(app_state *s, const parsed_args *a, char *err, size_t errsize) {
    pool_setup p = s->pool.setup;
    const char *v;
    if ((v = args_get(a, "input"))) {
        app_matrix m;
        if (!app_matrix_read(&m, v, "--input", err, errsize)) return false;
        if (m.c != 1 || m.h > VIEW_MAX_N || m.w > VIEW_MAX_N) {
            snprintf(err, errsize, "--input: the pooling view shows one channel of up to %dx%d", VIEW_MAX_N, VIEW_MAX_N);
            app_matrix_free(&m);
            return false;
        }
        p.n_h = m.h;
        p.n_w = m.w;
        for (int y = 0; y < m.h; y++)
            for (int x = 0; x < m.w; x++) p.input[y][x] = m.values[(size_t)y * m.w + x];
        app_matrix_free(&m);
    }
    if ((v = args_get(a, "size")) && !args_int(v, "--size", 1, VIEW_MAX_K, &p.size, err, errsize)) return false;
    p.stride = args_get(a, "size") ? p.size : p.stride;
    if ((v = args_get(a, "stride")) && !args_int(v, "--stride", 1, 4, &p.stride, err, errsize)) return false;
    if ((v = args_get(a, "padding")) && !args_int(v, "--padding", 0, 3, &p.pad, err, errsize)) return false;
    app_set_pool(s, &p);
    if (args_has(a, "backward")) app_update(s, &(app_action){.kind = ACT_POOL_BACKWARD, .value = 1});
    if ((v = args_get(a, "grad-output"))) {
        if (!args_has(a, "backward")) {
            snprintf(err, errsize, "--grad-output is dL/dY for the backward mode: add --backward");
            return false;
        }
        app_matrix m;
        if (!app_matrix_read(&m, v, "--grad-output", err, errsize)) return false;
        const int oh = s->pool.max_geom.out_h, ow = s->pool.max_geom.out_w;
        const bool fits = m.c == 1 && app_set_pool_grad(s, m.values, m.h, m.w);
        if (!fits)
            snprintf(err, errsize, "--grad-output is %d map(s) of %dx%d but the pooling's output is one %dx%d map (dL/dY "
                     "has the output's shape)", m.c, m.h, m.w, oh, ow);
        app_matrix_free(&m);
        if (!fits) return false;
    }
    return true;
}

// The transposed-convolution view's set-up: one input, one square kernel;
// settings the view cannot draw readably are refused with why.
static bool convt_from_args_(app_state *s, const parsed_args *a, char *err, size_t errsize) {
    convt_setup c = s->convt.setup;
    const char *v;
    app_matrix m;
    // Any setting given: the others as `convstep convt` has them (stride 1, no
    // padding, no output padding, dilation 1), not the default picture's.
    static const char *const settings[] = {"input", "kernel", "stride", "padding", "output-padding", "dilation"};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (args_get(a, settings[i])) c.stride = 1, c.pad = 0, c.out_pad = 0, c.dilation = 1;
    if ((v = args_get(a, "input"))) {
        if (!app_matrix_read(&m, v, "--input", err, errsize)) return false;
        const bool fits = m.c == 1 && m.h <= CONVT_MAX_N && m.w <= CONVT_MAX_N;
        if (!fits)
            snprintf(err, errsize, "--input: the transposed-convolution view shows one channel of up to %dx%d, got %d of %dx%d",
                     CONVT_MAX_N, CONVT_MAX_N, m.c, m.h, m.w);
        else {
            c.n_h = m.h;
            c.n_w = m.w;
            for (int y = 0; y < m.h; y++)
                for (int x = 0; x < m.w; x++) c.input[y][x] = m.values[(size_t)y * m.w + x];
        }
        app_matrix_free(&m);
        if (!fits) return false;
    }
    const char *kernels[8];
    const int n_kernels = args_get_all(a, "kernel", kernels, 8);
    if (n_kernels > 1)
        return snprintf(err, errsize, "--kernel: the transposed-convolution view shows one kernel, got %d", n_kernels), false;
    if ((v = args_get(a, "kernel"))) {
        if (!app_matrix_read(&m, v, "--kernel", err, errsize)) return false;
        const bool fits = m.c == 1 && m.h == m.w && m.h <= CONVT_MAX_K;
        if (!fits)
            snprintf(err, errsize, "--kernel: the transposed-convolution view shows one square kernel of up to %dx%d, got "
                     "%d of %dx%d", CONVT_MAX_K, CONVT_MAX_K, m.c, m.h, m.w);
        else {
            c.k = m.h;
            for (int y = 0; y < m.h; y++)
                for (int x = 0; x < m.w; x++) c.kernel[y][x] = m.values[(size_t)y * m.w + x];
        }
        app_matrix_free(&m);
        if (!fits) return false;
    }
    if (args_get(a, "bias")) return snprintf(err, errsize, "--bias: the transposed-convolution view has no bias"), false;
    if ((v = args_get(a, "stride")) && !args_int(v, "--stride", 1, CONVT_MAX_STRIDE, &c.stride, err, errsize)) return false;
    if ((v = args_get(a, "padding")) && !args_int(v, "--padding", 0, CONVT_MAX_PAD, &c.pad, err, errsize)) return false;
    if ((v = args_get(a, "dilation")) && !args_int(v, "--dilation", 1, CONVT_MAX_DILATION, &c.dilation, err, errsize))
        return false;
    if ((v = args_get(a, "output-padding")) && !args_int(v, "--output-padding", 0, 100, &c.out_pad, err, errsize))
        return false;
    if (!app_set_convt(s, &c)) return snprintf(err, errsize, "convt: %s", s->convt.why), false;
    return true;
}

// The backpropagation view's set-up: --input, --kernel (one channel, one
// filter), --stride, --padding P, --grad-output (dL/dY, the output's shape), --lr.
static bool backprop_from_args_(app_state *s, const parsed_args *a, char *err, size_t errsize) {
    backprop_setup b = s->bp.setup;
    const char *v;
    app_matrix m;
    if ((v = args_get(a, "input"))) {
        if (!app_matrix_read(&m, v, "--input", err, errsize)) return false;
        const bool fits = m.c == 1 && m.h <= BP_MAX_N && m.w <= BP_MAX_N;
        if (fits) {
            b.n_h = m.h, b.n_w = m.w;
            for (int y = 0; y < m.h; y++)
                for (int x = 0; x < m.w; x++) b.input[y][x] = m.values[(size_t)y * m.w + x];
        } else {
            snprintf(err, errsize, "--input: the backpropagation view shows one channel of up to %dx%d, got %d of %dx%d",
                     BP_MAX_N, BP_MAX_N, m.c, m.h, m.w);
        }
        app_matrix_free(&m);
        if (!fits) return false;
        b.dy_given = false;
    }
    if ((v = args_get(a, "kernel"))) {
        if (!app_matrix_read(&m, v, "--kernel", err, errsize)) return false;
        const bool fits = m.c == 1 && m.h == m.w && m.h <= BP_MAX_K;
        if (fits) {
            b.k = m.h;
            for (int y = 0; y < m.h; y++)
                for (int x = 0; x < m.w; x++) b.kernel[y][x] = m.values[(size_t)y * m.w + x];
        } else {
            snprintf(err, errsize, "--kernel: the backpropagation view takes one square kernel of up to %dx%d, got %d of %dx%d",
                     BP_MAX_K, BP_MAX_K, m.c, m.h, m.w);
        }
        app_matrix_free(&m);
        if (!fits) return false;
        b.dy_given = false;
    }
    if ((v = args_get(a, "stride")) && !args_int(v, "--stride", 1, 3, &b.stride, err, errsize)) return false;
    if ((v = args_get(a, "padding")) && !args_int(v, "--padding", 0, 3, &b.pad, err, errsize)) return false;
    if (args_get(a, "stride") || args_get(a, "padding")) b.dy_given = false;
    if ((v = args_get(a, "lr"))) {
        char *end;
        const double lr = strtod(v, &end);
        if (*v == '\0' || *end != '\0' || !(lr > 0) || lr > 10)
            return snprintf(err, errsize, "--lr must be a number above 0 and at most 10, got '%.40s'", v), false;
        b.lr = (float)lr;
    }
    if (!app_set_backprop(s, &b)) return snprintf(err, errsize, "%s", s->bp.why), false;
    if ((v = args_get(a, "grad-output"))) {
        if (!app_matrix_read(&m, v, "--grad-output", err, errsize)) return false;
        const int oh = s->bp.geom.out_h, ow = s->bp.geom.out_w;
        const bool fits = m.c == 1 && m.h == oh && m.w == ow;
        if (fits) {
            for (int y = 0; y < m.h; y++)
                for (int x = 0; x < m.w; x++) b.dy[y][x] = m.values[(size_t)y * m.w + x];
            b.dy_given = true;
        } else {
            snprintf(err, errsize, "--grad-output is %d map(s) of %dx%d but the output is one %dx%d map (dL/dY has the "
                     "output's shape)", m.c, m.h, m.w, oh, ow);
        }
        app_matrix_free(&m);
        if (!fits) return false;
        app_set_backprop(s, &b);
    }
    return true;
}

bool view_window_size(const char *text, int *w, int *h, char *err, size_t errsize) {
    char *end;
    long a = strtol(text, &end, 10);
    long b = (*end == 'x' || *end == 'X') ? strtol(end + 1, &end, 10) : -1;
    if (*end != '\0' || a < 320 || b < 240 || a > 7680 || b > 4320) {
        snprintf(err, errsize, "--window must be WxH from 320x240 to 7680x4320, got '%.40s'", text);
        return false;
    }
    *w = (int)a;
    *h = (int)b;
    return true;
}

// Reads a number of seconds from lo to hi (lo itself only when lo_ok).
static bool seconds_(const char *text, double lo, bool lo_ok, double hi, double *out) {
    char *end;
    *out = strtod(text, &end);
    return *text != '\0' && *end == '\0' && (*out > lo || (lo_ok && *out == lo)) && *out <= hi;
}

// The options of `convstep view` into c; false with the message in err.
static bool view_options_(view_command *c, const parsed_args *a, char *err, size_t errsize) {
    view_run_options *o = &c->run;
    const char *v;
    if ((v = args_get(a, "window")) && !view_window_size(v, &o->width, &o->height, err, errsize)) return false;
    if ((v = args_get(a, "zoom")) && !args_int(v, "--zoom", 50, 300, &c->zoom, err, errsize)) return false;
    if ((v = args_get(a, "steps")) && !args_int(v, "--steps", 0, VIEW_STEPS_MAX, &o->steps, err, errsize))
        return false;
    if ((v = args_get(a, "bench-frames")) && !args_int(v, "--bench-frames", 1, 100000, &o->bench_frames, err, errsize))
        return false;
    if ((v = args_get(a, "play-seconds")) && !seconds_(v, 0, true, 3600, &o->play_seconds))
        return snprintf(err, errsize, "--play-seconds must be from 0 to 3600"), false;
    o->screenshot = args_get(a, "screenshot");
    o->frames_dir = args_get(a, "frames");
    if (!view_gif_options(a, 2, o, err, errsize)) return false;
    o->layout_json = args_get(a, "layout-json");
    if ((v = args_get(a, "train-steps")) && !args_int(v, "--train-steps", 0, 1000000, &o->train_steps, err, errsize))
        return false;
    if ((v = args_get(a, "seconds")) && !seconds_(v, 0, true, 3600, &o->seconds))
        return snprintf(err, errsize, "--seconds must be from 0 to 3600"), false;
    o->strokes = args_get(a, "strokes");
    o->drop = args_get(a, "drop");
    o->open_unit = args_has(a, "open");
    if ((v = args_get(a, "soak")) && !seconds_(v, 0, false, 86400, &o->soak_seconds))
        return snprintf(err, errsize, "--soak must be a number of seconds from 1 to 86400"), false;
    o->lesson = args_get(a, "lesson");
    o->export_dir = args_get(a, "export");
    c->colorblind = args_has(a, "colorblind");
    c->show_keys = args_has(a, "show-keys");
    c->settings = a;
    return true;
}

int cmd_view(int argc, char **argv, const cli_frontend *fe, FILE *out, FILE *errf) {
    char err[600];
    // The view's name may stand anywhere among the options.
    parsed_args a;
    if (!args_parse(view_args_, argc, argv, 1, &a, "view", err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    if (args_has(&a, "help")) {
        fputs(view_help_, out);
        return 0;
    }
    view_command c = {.view = VIEW_HOME, .run = {.width = 1280, .height = 720, .headless = args_has(&a, "headless")},
                      .zoom = 100};
    // The names come from the table of views (views.c).
    if (argc > 0 && a.n_positional == 0) {
        snprintf(err, sizeof err, "convstep view needs a view: %s (see convstep view --help)", view_names(true));
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    }
    if (a.n_positional == 1) {
        const view_def *v = view_find(a.positional[0]);
        if (!v) {
            snprintf(err, sizeof err, "unknown view '%.40s' (expected %s; see convstep view --help)", a.positional[0],
                     view_names(true));
            return cli_fail(errf, err, CLI_EXIT_USAGE);
        }
        c.view = v->id;
    }
    if (!view_options_(&c, &a, err, sizeof err)) return cli_fail(errf, err, 1);
    return cmd_view_run(&c, fe, out, errf);
}

// Sets the training view's model from --arch or --model; false with the message in err.
static bool model_from_args_(app_state *s, const parsed_args *a, char *err, size_t errsize) {
    const char *v;
    // Both choose the model the training view trains: one would silently lose.
    if (args_get(a, "arch") && args_get(a, "model"))
        return snprintf(err, errsize, "--model and --arch both choose the model to train: give one of them"), false;
    if ((v = args_get(a, "arch"))) {
        nn_net *probe;
        nn_error e;
        if (nn_net_create(&probe, v, nn_shape_map(1, 28, 28), 1, NULL, &e) != NN_OK)
            return snprintf(err, errsize, "--arch: %s", e.msg), false;
        const int classes = nn_net_classes(probe);
        nn_net_free(probe);
        if (classes != 10)
            return snprintf(err, errsize, "--arch: the model must end with 10 outputs, e.g. dense(10),softmax"), false;
        snprintf(s->host.custom_arch, sizeof s->host.custom_arch, "%s", v);
        s->train_model = MODEL_CUSTOM;
    }
    if ((v = args_get(a, "model"))) {
        static const char *names[] = {"softmax", "small", "lenet5"};
        s->train_model = -1;
        for (int i = 0; i < 3; i++)
            if (strcmp(v, names[i]) == 0) s->train_model = i;
        if (s->train_model < 0) return snprintf(err, errsize, "--model must be softmax, small or lenet5"), false;
    }
    return true;
}

// --select L:M:R:C (or L:U) for the network view: checked against the
// model it will show; false with the message in err.
static bool select_from_args_(app_state *s, const parsed_args *a, char *err, size_t errsize) {
    const char *v = args_get(a, "select");
    if (!v) return true;
    if (s->view != VIEW_NETWORK) return snprintf(err, errsize, "--select goes with 'convstep view network'"), false;
    int n[4] = {0, 0, 0, 0}, count = 0;
    const char *p = v;
    while (count < 4) {
        char *end;
        const long x = strtol(p, &end, 10);
        if (end == p || x < 0 || x > 100000) break;
        n[count++] = (int)x;
        p = end;
        if (*p != ':') break;
        p++;
    }
    if (*p != '\0' || (count != 2 && count != 4))
        return snprintf(err, errsize, "--select '%.80s': write LAYER:MAP:ROW:COL (a map's cell) or LAYER:UNIT (a unit of a "
                                      "flat layer): whole numbers, layers and maps from 1 (layer 0: the input), the rest from 0", v),
               false;
    const char *arch = s->train_model == MODEL_CUSTOM ? s->host.custom_arch : app_train_model_arch(s->train_model);
    nn_model *m;
    nn_error e;
    if (nn_model_create(&m, arch, nn_shape_map(1, 28, 28), &e) != NN_OK)
        return snprintf(err, errsize, "--select: %s", e.msg), false;
    // On screen layers and maps count from 1, rows, columns and units from 0.
    cell_ref c = {.grid = GRID_NET, .layer = n[0] - 1, .channel = count == 4 ? n[1] - 1 : n[1],
                  .row = count == 4 ? n[2] : 0, .col = count == 4 ? n[3] : 0};
    bool ok = c.layer >= -1 && c.layer < m->n_layers;
    if (!ok) {
        snprintf(err, errsize, "--select '%.80s': layer %d does not exist: the model has layers 1 to %d (0: the input)", v,
                 n[0], m->n_layers);
    } else {
        const nn_shape o = c.layer < 0 ? m->input : m->layers[c.layer].out;
        if (o.rank == 3 && count != 4)
            snprintf(err, errsize, "--select '%.80s': layer %d gives %d maps of %dx%d: write %d:MAP:ROW:COL", v, n[0], o.c,
                     o.h, o.w, n[0]), ok = false;
        else if (o.rank == 3 && (c.channel >= o.c || c.row >= o.h || c.col >= o.w || c.channel < 0 || c.row < 0 || c.col < 0))
            snprintf(err, errsize, "--select '%.80s': layer %d has maps 1 to %d, rows 0 to %d and columns 0 to %d", v, n[0], o.c,
                     o.h - 1, o.w - 1), ok = false;
        else if (o.rank == 1 && (count != 2 || c.channel < 0 || c.channel >= o.c))
            snprintf(err, errsize, "--select '%.80s': layer %d has units 0 to %d: write %d:UNIT", v, n[0], o.c - 1, n[0]),
                     ok = false;
    }
    nn_model_free(m);
    if (!ok) return false;
    s->network.selected = c;
    s->network.has_selection = true;
    return true;
}

bool view_gif_options(const parsed_args *a, double default_fps, view_run_options *o, char *err, size_t errsize) {
    const char *v = args_get(a, "fps");
    o->gif = args_get(a, "gif");
    o->gif_fps = default_fps;
    if (v && !o->gif) return snprintf(err, errsize, "--fps sets the frame rate of --gif: give --gif FILE too"), false;
    char *end;
    const double fps = v ? strtod(v, &end) : default_fps;
    // (A NaN fails both comparisons; "inf" is above the top.)
    if (v && (*v == '\0' || *end != '\0' || !(fps >= GIF_EXPORT_FPS_MIN) || !(fps <= GIF_EXPORT_FPS_MAX)))
        return snprintf(err, errsize, "--fps must be a number of frames a second from %g to %g (0.25: 4 s a frame), got '%.40s'",
                        GIF_EXPORT_FPS_MIN, GIF_EXPORT_FPS_MAX, v),
               false;
    o->gif_fps = fps;
    return true;
}

// --gif: within the limits, and a file that can be written, before any
// frame is drawn; false with the message in err.
static bool gif_ok_(const view_run_options *o, char *err, size_t errsize) {
    if (o->width > GIF_EXPORT_MAX_SIDE || o->height > GIF_EXPORT_MAX_SIDE)
        return snprintf(err, errsize, "--gif: a GIF here is at most %dx%d pixels, but --window is %dx%d",
                        GIF_EXPORT_MAX_SIDE, GIF_EXPORT_MAX_SIDE, o->width, o->height),
               false;
    if (!o->lesson && o->steps + 1 > GIF_EXPORT_MAX_FRAMES)
        return snprintf(err, errsize, "--gif: a GIF here holds at most %d frames, and --steps %d makes up to %d "
                                      "(the start and one a step): give --steps %d or fewer",
                        GIF_EXPORT_MAX_FRAMES, o->steps, o->steps + 1, GIF_EXPORT_MAX_FRAMES - 1),
               false;
    return app_check_save_target(o->gif, "GIF ", err, errsize);
}

// Refuses outputs that cannot work; false with the message in err.
static bool outputs_ok_(const view_run_options *o, char *err, size_t errsize) {
    // An empty folder name would put the PNGs at "/frame-0000.png": the root.
    // --layout-json names a file, or with a lesson a folder of one file per step.
    const char *const names[] = {"screenshot", "frames", "export", "layout-json", "gif"};
    const char *const values[] = {o->screenshot, o->frames_dir, o->export_dir, o->layout_json, o->gif};
    const bool folder[] = {false, true, true, o->lesson != NULL, false};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = values[i];
        if (v && *v == '\0')
            return snprintf(err, errsize, "--%s needs a %s name, got an empty one", names[i], folder[i] ? "folder" : "file"),
                   false;
        // Frame names go into the folder: the longest must fit a path the
        // saves accept (999 bytes), or it would be cut short, or land elsewhere.
        if (v && folder[i] && strlen(v) > VIEW_FOLDER_NAME_MAX)
            return snprintf(err, errsize, "--%s: the folder name is %zu bytes long, at most %d", names[i], strlen(v),
                            VIEW_FOLDER_NAME_MAX),
                   false;
    }
    if (!o->headless && (o->screenshot || o->frames_dir || o->bench_frames || o->steps || o->play_seconds > 0 ||
                         o->export_dir || o->soak_seconds > 0 || o->train_steps || o->seconds > 0 || o->strokes ||
                         o->drop || o->layout_json || o->open_unit || o->gif))
        return snprintf(err, errsize, "--steps, --play-seconds, --screenshot, --frames, --gif, --bench-frames, "
                                      "--train-steps, --seconds, --strokes, --drop, --open and --layout-json go with "
                                      "--headless"),
               false;
    return o->gif ? gif_ok_(o, err, errsize) : true;
}

int cmd_view_run(const view_command *c, const cli_frontend *fe, FILE *out, FILE *errf) {
    char err[600];
    if (!outputs_ok_(&c->run, err, sizeof err)) return cli_fail(errf, err, 1);
    static app_state s;  // large (the views' buffers): not on the stack
    app_state_init(&s);
    s.view = c->view;
    s.train_model = 1;
    const parsed_args none = {0};
    const parsed_args *a = c->settings ? c->settings : &none;
    if (!model_from_args_(&s, a, err, sizeof err)) return cli_fail(errf, err, 1);
    s.zoom = c->zoom;
    s.colorblind = c->colorblind;
    s.help = c->show_keys;

    // The test digits, for "load a digit" (the view works without them).
    view_run_options o = c->run;
    app_dataset train, test;
    const bool have_digits = app_dataset_load(&train, &test, NULL, err, sizeof err);
    if (have_digits) {
        app_set_digits(&s, test.images, test.count);
        app_set_digit_labels(&s, test.labels);
        o.train = &train;
        o.test = &test;
    }
    int status = 0;
    const char *v;
    if (s.view == VIEW_CONV && !conv_from_args_(&s, a, err, sizeof err)) status = cli_fail(errf, err, 1);
    if (s.view == VIEW_POOL && !pool_from_args_(&s, a, err, sizeof err)) status = cli_fail(errf, err, 1);
    if (s.view == VIEW_CONVT && !convt_from_args_(&s, a, err, sizeof err)) status = cli_fail(errf, err, 1);
    if (s.view == VIEW_BACKPROP && !backprop_from_args_(&s, a, err, sizeof err)) status = cli_fail(errf, err, 1);
    if (status == 0 && !select_from_args_(&s, a, err, sizeof err)) status = cli_fail(errf, err, 1);
    if (status == 0 && c->run.open_unit && !s.network.has_selection)
        status = cli_fail(errf, "--open opens the unit --select names: give --select too", 1);
    if (status == 0 && (v = args_get(a, "digit"))) {
        int d;
        if (!have_digits) {
            status = cli_fail(errf, err, 2);
        } else if (!args_int(v, "--digit", 0, test.count - 1, &d, err, sizeof err)) {
            status = cli_fail(errf, err, 1);
        } else {
            const app_action load = {.kind = ACT_LOAD_DIGIT, .value = d};
            app_update(&s, &load);
            s.status[0] = '\0';
        }
    }
    if (status == 0) {
        if (!fe || !fe->run_view)
            status = cli_fail(errf, "this build of convstep has no window", CLI_EXIT_RUNTIME);
        else
            status = fe->run_view(&s, &o, out, errf);
    }
    if (have_digits) {
        app_dataset_free(&train);
        app_dataset_free(&test);
    }
    return status;
}
