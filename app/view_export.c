// view_export.c - "save as lesson" and "PyTorch script" for the convolution
// and pooling views (view_export.h).
#include "view_export.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>

#include "fileio.h"
#include "lesson.h"
#include "pytorch_script.h"

// A lesson line holds at most this many bytes (lesson.c's limit, less the newline).
#define LINE_MAX_ 4095

// ---- A growing text ------------------------------------------------------------------------

typedef struct text_ {
    char *s;
    size_t n, cap;
    bool failed;  // out of memory: every later append is dropped
} text_;

static void add_(text_ *t, const char *fmt, ...) {
    if (t->failed) return;
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    const int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = true;
        return;
    }
    if (t->n + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->n + (size_t)n + 1) cap *= 2;
        char *grown = realloc(t->s, cap);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->s = grown;
        t->cap = cap;
    }
    if ((size_t)n < sizeof small) {
        memcpy(t->s + t->n, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(t->s + t->n, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    t->n += (size_t)n;
}

// The shortest decimal that reads back as the same float: a saved lesson
// reproduces the view exactly, and 0.1 stays "0.1".
// Plain decimals when they are short ("10", not "1e+01"), else exponents.
static void number_(text_ *t, float v) {
    char buf[48];
    bool found = false;
    for (int decimals = 0; decimals <= 9 && !found; decimals++) {
        snprintf(buf, sizeof buf, "%.*f", decimals, (double)v);
        found = strtof(buf, NULL) == v && strlen(buf) <= 12;
    }
    for (int digits = 1; digits <= 9 && !found; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, (double)v);
        found = strtof(buf, NULL) == v;
    }
    add_(t, "%s", strcmp(buf, "-0") == 0 ? "0" : buf);
}

// ---- The lesson text -----------------------------------------------------------------------

// "input" or "kernel" and a matrix: rows split by ';', channels by '|'. The
// values come from get(ctx, channel, row, col).
typedef float (*cell_fn_)(const app_state *s, int a, int ch, int y, int x);

static void matrix_line_(text_ *t, const char *head, const app_state *s, int a, int channels, int h,
                         int w, cell_fn_ get) {
    add_(t, "%s ", head);
    for (int ch = 0; ch < channels; ch++) {
        if (ch) add_(t, " | ");
        for (int y = 0; y < h; y++) {
            if (y) add_(t, "; ");
            for (int x = 0; x < w; x++) {
                if (x) add_(t, " ");
                number_(t, get(s, a, ch, y, x));
            }
        }
    }
    add_(t, "\n");
}

static float conv_input_(const app_state *s, int a, int ch, int y, int x) {
    (void)a;
    return s->conv.setup.input[ch][y][x];
}
static float conv_kernel_(const app_state *s, int f, int ch, int y, int x) {
    return s->conv.setup.kernel[f][ch][y][x];
}
static float pool_input_(const app_state *s, int a, int ch, int y, int x) {
    (void)a, (void)ch;
    return s->pool.setup.input[y][x];
}

// True if the input is test digit s->digit cropped to h x w as 'digit N SIZE'
// makes it (a cell edited since is not), so the lesson can name the digit
// instead of listing 784 numbers.
static bool input_is_digit_(const app_state *s, int channels, int h, int w, cell_fn_ get) {
    if (s->digit < 0 || s->digit == APP_DIGIT_DROPPED || channels != 1 || h != w || !s->host.digits) return false;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (get(s, 0, 0, y, x) != app_digit_pixel(s, y, x, h, w)) return false;
    return true;
}

// The 'input' line, or 'digit N SIZE'. False (err set) when the numbers do not
// fit one lesson line.
static bool input_line_(text_ *t, const app_state *s, int channels, int h, int w, cell_fn_ get, char *err,
                        size_t errsize) {
    if (input_is_digit_(s, channels, h, w, get)) {
        add_(t, "digit %d %d\n", s->digit, h);
        return true;
    }
    const size_t start = t->n;
    matrix_line_(t, "input", s, 0, channels, h, w, get);
    const size_t len = t->n - start - 1;
    if (!t->failed && len > LINE_MAX_) {
        snprintf(err, errsize,
                 "the input (%d channel%s of %dx%d) takes %zu bytes on one line, and a lesson line holds at most %d: "
                 "use a smaller input or a test digit (G)",
                 channels, channels == 1 ? "" : "s", h, w, len, LINE_MAX_);
        return false;
    }
    return true;
}

// 'step' to where the animation is: step N completes the first N cells, so a
// cell done is step pos + 1; one part-way through shows its products again
// from the start.
static void step_line_(text_ *t, const anim_state *a, int count) {
    if (a->total <= 0) return;
    const bool done = a->reveal >= count;
    if (a->pos == a->total - 1 && done) {
        add_(t, "step end\n");
        return;
    }
    const int cells = a->pos + (done ? 1 : 0);
    if (cells > 0) add_(t, "step %d\n", cells);
    if (!done && a->reveal > 0)
        add_(t, "# The window was part-way through cell %d (%d of %d products): the lesson shows it from its first.\n",
             a->pos + 1, a->reveal, count);
}

static void padding_line_(text_ *t, nn_padding p) {
    if (p.mode == NN_PAD_VALID) add_(t, "padding valid\n");
    else if (p.mode == NN_PAD_SAME) add_(t, "padding same\n");
    else add_(t, "padding %d\n", p.p);
}

static bool conv_lesson_(text_ *t, const app_state *s, char *err, size_t errsize) {
    const conv_setup *c = &s->conv.setup;
    add_(t, "view conv\n");
    if (!input_line_(t, s, c->channels, c->n_h, c->n_w, conv_input_, err, errsize)) return false;
    if (c->filters > 1) add_(t, "filters %d\n", c->filters);
    for (int f = 0; f < c->filters; f++) {
        if (c->preset[f] != PRESET_CUSTOM) add_(t, "# filter %d: %s\n", f + 1, app_preset_name(c->preset[f]));
        char head[32];
        if (c->filters > 1) snprintf(head, sizeof head, "kernel filter %d", f + 1);
        else snprintf(head, sizeof head, "kernel");
        matrix_line_(t, head, s, f, c->channels, c->k, c->k, conv_kernel_);
        if (c->bias[f] != 0.0f) {
            add_(t, c->filters > 1 ? "bias filter %d " : "bias ", f + 1);
            number_(t, c->bias[f]);
            add_(t, "\n");
        }
    }
    padding_line_(t, c->padding);
    add_(t, "stride %d\n", c->stride);
    add_(t, "dilation %d\n", c->dilation);
    if (c->flip) add_(t, "flip on\n");
    step_line_(t, &s->conv.anim, s->conv.step.valid ? s->conv.step.count : c->channels * c->k * c->k);
    return true;
}

static float pool_dy_(const app_state *s, int a, int ch, int y, int x) {
    (void)a, (void)ch;
    return s->pool.dy[y * s->pool.max_geom.out_w + x];
}

static bool pool_lesson_(text_ *t, const app_state *s, char *err, size_t errsize) {
    const pool_setup *p = &s->pool.setup;
    add_(t, "view pool\n");
    if (!input_line_(t, s, 1, p->n_h, p->n_w, pool_input_, err, errsize)) return false;
    add_(t, "size %d\n", p->size);
    add_(t, "stride %d\n", p->stride);
    add_(t, "padding %d\n", p->pad);
    if (s->pool.backward) {  // the backward mode, with its dL/dY; a step routes one output cell
        add_(t, "backward on\n");
        matrix_line_(t, "grad-output", s, 0, 1, s->pool.max_geom.out_h, s->pool.max_geom.out_w, pool_dy_);
        step_line_(t, &s->pool.anim, 1);
        return true;
    }
    step_line_(t, &s->pool.anim, s->pool.step.valid ? s->pool.step.count : p->size * p->size);
    return true;
}

bool view_export_possible(const app_state *s, char *why, size_t whysize) {
    if (s->view == VIEW_CONV && s->conv.ok) return true;
    if (s->view == VIEW_POOL && s->pool.ok) return true;
    if (s->view == VIEW_CONV || s->view == VIEW_POOL)
        snprintf(why, whysize, "nothing to save: %s", s->view == VIEW_CONV ? s->conv.why : s->pool.why);
    else
        snprintf(why, whysize, "the convolution and pooling views can be saved as a lesson or a PyTorch script");
    return false;
}

char *view_export_lesson_text(const app_state *s, const char *stamp, char *err, size_t errsize) {
    if (!view_export_possible(s, err, errsize)) return NULL;
    text_ t = {0};
    const bool conv = s->view == VIEW_CONV;
    add_(&t, "title %s (saved from the window)\n", conv ? "Convolution" : "Pooling");
    add_(&t, "# Saved from convstep's %s view%s%s. It sets up what the window showed.\n",
         conv ? "convolution" : "pooling", stamp ? " on " : "", stamp ? stamp : "");
    add_(&t, "# Write the captions with 'say', end each step with 'wait', move with 'step',\n"
             "# ask with 'quiz' (see lessons/README.md); check it with\n"
             "#   convstep lesson THIS-FILE --headless\n");
    const bool ok = conv ? conv_lesson_(&t, s, err, errsize) : pool_lesson_(&t, s, err, errsize);
    add_(&t, "say Write here what the class should look at.\nwait\n");
    if (!ok || t.failed) {
        if (ok) snprintf(err, errsize, "out of memory writing the lesson");
        free(t.s);
        return NULL;
    }
    // What the view drew is what the lesson must set up: read it back as the
    // player will, so a file that would not load is never written.
    lesson l;
    char perr[400];
    if (!lesson_parse(&l, t.s, "saved.lesson", perr, sizeof perr)) {
        snprintf(err, errsize, "the lesson written does not read back (%s)", perr);
        free(t.s);
        return NULL;
    }
    lesson_free(&l);
    return t.s;
}

// ---- The PyTorch script --------------------------------------------------------------------

// The view's operation as pytorch_script.h's arrays (the state keeps fixed-size grids),
// the script written to out.
static bool conv_script_(const app_state *s, FILE *out, char *err, size_t errsize) {
    const conv_setup *c = &s->conv.setup;
    const nn_conv2d_geom *g = &s->conv.geom;
    float *in = malloc(sizeof(float) * ((size_t)c->channels * c->n_h * c->n_w + (size_t)g->window * c->filters));
    if (!in) {
        snprintf(err, errsize, "out of memory");
        return false;
    }
    float *w = in + (size_t)c->channels * c->n_h * c->n_w;
    size_t i = 0, j = 0;
    for (int ch = 0; ch < c->channels; ch++)
        for (int y = 0; y < c->n_h; y++)
            for (int x = 0; x < c->n_w; x++) in[i++] = c->input[ch][y][x];
    for (int f = 0; f < c->filters; f++)
        for (int ch = 0; ch < c->channels; ch++)
            for (int y = 0; y < c->k; y++)
                for (int x = 0; x < c->k; x++) w[j++] = c->kernel[f][ch][y][x];  // as written
    // With flip the script rotates the kernel itself (torch.flip), in view of the class.
    const pytorch_conv_extra extra = {.flip = c->flip};
    const bool ok = pytorch_script_conv("-", out, g, in, w, c->bias, s->conv.out, &extra, err, errsize);
    free(in);
    return ok;
}

static bool pool_script_(const app_state *s, const nn_pool_geom *g, const float *pooled, FILE *out,
                         char *err, size_t errsize) {
    const pool_setup *p = &s->pool.setup;
    float in[VIEW_MAX_N * VIEW_MAX_N];
    size_t i = 0;
    for (int y = 0; y < p->n_h; y++)
        for (int x = 0; x < p->n_w; x++) in[i++] = p->input[y][x];
    return pytorch_script_pool("-", out, g, in, pooled, err, errsize);
}

// One script in memory (malloc'd), then on disk atomically: the clipboard gets
// the very text the file holds. which: 0 the convolution, 1 max, 2 average pooling.
static char *save_script_(const app_state *s, int which, const char *path, char *err, size_t errsize) {
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    bool ok = which == 0   ? conv_script_(s, mem, err, errsize)
              : which == 1 ? pool_script_(s, &s->pool.max_geom, s->pool.max_out, mem, err, errsize)
                           : pool_script_(s, &s->pool.avg_geom, s->pool.avg_out, mem, err, errsize);
    if (fclose(mem) != 0 && ok) {
        snprintf(err, errsize, "out of memory");
        ok = false;
    }
    ok = ok && app_write_file_atomic(path, text, len, "PyTorch script ", err, errsize);
    if (!ok) {
        free(text);
        return NULL;
    }
    return text;
}

// ---- Into a folder -------------------------------------------------------------------------

static bool exists_(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

// dir/PREFIX-N.EXT for the first N no file has (and, with also, nor
// dir/ALSO-N.EXT, so the pooling view's two scripts share their number).
static bool free_name_(const char *dir, const char *prefix, const char *also, const char *ext, char *path,
                       size_t size, char *also_path, size_t also_size) {
    for (int n = 1; n < 1000; n++) {
        snprintf(path, size, "%s/convstep-%s-%d.%s", dir, prefix, n, ext);
        if (also) snprintf(also_path, also_size, "%s/convstep-%s-%d.%s", dir, also, n, ext);
        if (!exists_(path) && !(also && exists_(also_path))) return true;
    }
    return false;
}

bool view_export_to_dir(const app_state *s, view_export_kind kind, const char *dir, char *path,
                        size_t pathsize, char **text, char *msg, size_t msgsize) {
    if (text) *text = NULL;
    char err[500];
    if (!view_export_possible(s, err, sizeof err)) {
        snprintf(msg, msgsize, "%s", err);
        return false;
    }
    app_make_dirs(dir);
    const bool conv = s->view == VIEW_CONV;
    char other[1024] = "";
    const char *prefix = kind == VIEW_EXPORT_LESSON ? "lesson" : conv ? "conv" : "max-pool";
    if (!free_name_(dir, prefix, !conv && kind == VIEW_EXPORT_PYTORCH ? "avg-pool" : NULL,
                    kind == VIEW_EXPORT_LESSON ? "lesson" : "py", path, pathsize, other, sizeof other)) {
        snprintf(msg, msgsize, "not saved: %.400s holds convstep-%s-1 to -999 already", dir, prefix);
        return false;
    }
    bool ok;
    if (kind == VIEW_EXPORT_LESSON) {
        char stamp[32] = "";
        const time_t now = time(NULL);
        struct tm tm;
        if (localtime_r(&now, &tm)) strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M", &tm);
        char *body = view_export_lesson_text(s, stamp[0] ? stamp : NULL, err, sizeof err);
        ok = body && app_write_file_atomic(path, body, strlen(body), "lesson ", err, sizeof err);
        if (ok)
            snprintf(msg, msgsize, "lesson saved to %.400s: add captions with 'say', then play it with convstep lesson FILE",
                     path);
        if (ok && text) *text = body;
        else free(body);
    } else {
        // The pooling view writes both scripts; the clipboard gets the max one.
        char *script = save_script_(s, conv ? 0 : 1, path, err, sizeof err);
        char *avg = script && !conv ? save_script_(s, 2, other, err, sizeof err) : NULL;
        ok = script && (conv || avg);
        free(avg);
        if (ok && text) *text = script;
        else free(script);
        if (ok && conv)
            snprintf(msg, msgsize, "PyTorch script saved to %.400s%s: run it with python3", path,
                     text && *text ? " and copied" : "");
        else if (ok)
            snprintf(msg, msgsize, "PyTorch scripts saved: %.300s (max%s) and %.300s (average)", path,
                     text && *text ? ", copied" : "", other);
    }
    if (!ok) snprintf(msg, msgsize, "not saved: %s", err);
    return ok;
}
