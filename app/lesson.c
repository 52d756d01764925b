// lesson.c - the lesson parser (see lesson.h and lessons/README.md).
#include "lesson.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "matrix.h"
#include "state.h"

typedef struct parse_ {
    const char *source;
    int line;
    char *err;
    size_t errsize;
} parse_;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool fail_(parse_ *p, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errsize, "%s:%d: %s", p->source, p->line, msg);
    return false;
}

// ---- Words -----------------------------------------------------------------------------

// The next space-separated word of *s into buf; false at the end of the line.
static bool word_(const char **s, char *buf, size_t size) {
    const char *p = *s;
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) return false;
    size_t n = 0;
    while (*p && *p != ' ' && *p != '\t') {
        if (n + 1 < size) buf[n++] = *p;
        p++;
    }
    buf[n] = '\0';
    *s = p;
    return true;
}

static const char *rest_(const char *s) {
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

static bool int_(parse_ *p, const char **s, const char *what, int lo, int hi, int *out) {
    char w[64];
    if (!word_(s, w, sizeof w)) return fail_(p, "%s is missing (expected a whole number from %d to %d)", what, lo, hi);
    char *end;
    errno = 0;
    const long v = strtol(w, &end, 10);
    if (*end || errno == ERANGE || v < lo || v > hi)
        return fail_(p, "%s must be a whole number from %d to %d, got '%s'", what, lo, hi, w);
    *out = (int)v;
    return true;
}

static bool number_(parse_ *p, const char **s, const char *what, double *out) {
    char w[64];
    if (!word_(s, w, sizeof w)) return fail_(p, "%s is missing (expected a number)", what);
    char *end;
    const double v = strtod(w, &end);
    if (*end || v != v) return fail_(p, "%s must be a number, got '%s'", what, w);
    *out = v;
    return true;
}

static bool end_(parse_ *p, const char *s, const char *usage) {
    s = rest_(s);
    if (*s) return fail_(p, "unexpected '%.40s' (usage: %s)", s, usage);
    return true;
}

// "RxC" into two numbers.
static bool size_(parse_ *p, const char *w, int *r, int *c) {
    char *end;
    const long a = strtol(w, &end, 10);
    if (end == w || (*end != 'x' && *end != 'X')) return fail_(p, "a size is written RxC, such as 3x3, got '%s'", w);
    const char *q = end + 1;
    const long b = strtol(q, &end, 10);
    if (end == q || *end || a < 1 || b < 1 || a > 100000 || b > 100000)
        return fail_(p, "a size is written RxC, such as 3x3, got '%s'", w);
    *r = (int)a;
    *c = (int)b;
    return true;
}

// ---- Commands ----------------------------------------------------------------------------

static bool view_(parse_ *p, const char *s, lesson_cmd *c) {
    static const struct {
        const char *name;
        int view;
    } views[] = {{"conv", VIEW_CONV}, {"pool", VIEW_POOL}, {"train", VIEW_TRAIN},
                 {"templates", VIEW_TEMPLATES}, {"cnn", VIEW_CNN}, {"draw", VIEW_DRAW}};
    char w[32];
    if (!word_(&s, w, sizeof w)) return fail_(p, "view needs a name (conv, pool, train, templates, cnn, draw)");
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        if (strcmp(w, views[i].name) == 0) {
            c->a = views[i].view;
            return end_(p, s, "view NAME");
        }
    return fail_(p, "unknown view '%s' (expected conv, pool, train, templates, cnn or draw)", w);
}

static bool matrix_arg_(parse_ *p, const char *s, lesson_cmd *c, const char *what) {
    s = rest_(s);
    if (!*s) return fail_(p, "%s needs a matrix, such as '1 2; 3 4' (channels separated by '|')", what);
    app_matrix m;
    char err[300];
    if (!app_matrix_parse(&m, s, what, NULL, err, sizeof err)) return fail_(p, "%s", err);
    app_matrix_free(&m);
    snprintf(c->text, sizeof c->text, "%.599s", s);
    return true;
}

static bool step_(parse_ *p, const char *s, lesson_cmd *c) {
    char w[32];
    const char *save = s;
    if (!word_(&s, w, sizeof w)) return fail_(p, "step needs N, 'to R C' or 'end'");
    if (strcmp(w, "end") == 0) {
        c->a = -2;
        return end_(p, s, "step end");
    }
    if (strcmp(w, "to") == 0) {
        c->a = -1;
        return int_(p, &s, "the row", 0, 100000, &c->b) && int_(p, &s, "the column", 0, 100000, &c->c) &&
               end_(p, s, "step to R C");
    }
    s = save;
    return int_(p, &s, "the number of steps", 1, 1000000, &c->a) && end_(p, s, "step N");
}

static bool highlight_(parse_ *p, const char *s, lesson_cmd *c) {
    char w[32];
    if (!word_(&s, w, sizeof w)) return fail_(p, "highlight needs input, kernel or output, then cells R C");
    if (strcmp(w, "input") == 0) c->a = GRID_INPUT;
    else if (strcmp(w, "kernel") == 0) c->a = GRID_KERNEL;
    else if (strcmp(w, "output") == 0) c->a = GRID_OUTPUT;
    else return fail_(p, "highlight input, kernel or output, not '%s'", w);
    s = rest_(s);
    int n = 0, v;
    const char *q = s;
    while (*rest_(q)) {
        if (!int_(p, &q, "a cell coordinate", 0, 100000, &v)) return false;
        n++;
    }
    if (n == 0 || n % 2) return fail_(p, "highlight needs pairs of numbers R C, got %d number(s)", n);
    snprintf(c->text, sizeof c->text, "%.599s", s);
    return true;
}

static bool quiz_(parse_ *p, const char *s, lesson_cmd *c) {
    char w[32];
    if (!word_(&s, w, sizeof w)) return fail_(p, "quiz needs a kind: size, cell R C or guess");
    if (strcmp(w, "size") == 0) c->a = CHECK_SIZE;
    else if (strcmp(w, "cell") == 0) {
        c->a = CHECK_CELL;
        if (!int_(p, &s, "the row", 0, 100000, &c->b) || !int_(p, &s, "the column", 0, 100000, &c->c)) return false;
    } else if (strcmp(w, "guess") == 0) c->a = CHECK_GUESS;
    else return fail_(p, "unknown quiz '%s' (expected size, cell R C or guess)", w);
    s = rest_(s);
    const char *ans = strstr(s, " answer ");
    size_t qlen = ans ? (size_t)(ans - s) : strlen(s);
    if (qlen == 0) return fail_(p, "quiz %s needs a question after it", w);
    if (qlen >= sizeof c->text) qlen = sizeof c->text - 1;
    memcpy(c->text, s, qlen);
    c->text[qlen] = '\0';
    if (ans) {
        const char *a = rest_(ans + 8);
        if (!*a) return fail_(p, "'answer' needs a value after it");
        snprintf(c->answer, sizeof c->answer, "%s", a);
    }
    return true;
}

static bool expect_(parse_ *p, const char *s, lesson_cmd *c) {
    char w[64];
    if (!word_(&s, w, sizeof w))
        return fail_(p, "expect needs what: size RxC, cell R C V, max R C V, avg R C V, guess D, accuracy X or params ARCH HxWxC N");
    if (strcmp(w, "size") == 0) {
        c->a = CHECK_SIZE;
        if (!word_(&s, w, sizeof w)) return fail_(p, "expect size needs RxC");
        return size_(p, w, &c->b, &c->c) && end_(p, s, "expect size RxC");
    }
    if (strcmp(w, "cell") == 0 || strcmp(w, "max") == 0 || strcmp(w, "avg") == 0) {
        c->a = w[0] == 'c' ? CHECK_CELL : w[0] == 'm' ? CHECK_MAX : CHECK_AVG;
        return int_(p, &s, "the row", 0, 100000, &c->b) && int_(p, &s, "the column", 0, 100000, &c->c) &&
               number_(p, &s, "the value", &c->value) && end_(p, s, "expect cell R C VALUE");
    }
    if (strcmp(w, "guess") == 0) {
        c->a = CHECK_GUESS;
        return int_(p, &s, "the digit", 0, 9, &c->b) && end_(p, s, "expect guess D");
    }
    if (strcmp(w, "accuracy") == 0) {
        c->a = CHECK_ACCURACY;
        return number_(p, &s, "the least accuracy (a percentage)", &c->value) && end_(p, s, "expect accuracy PERCENT");
    }
    if (strcmp(w, "params") == 0) {
        c->a = CHECK_PARAMS;
        if (!word_(&s, c->arch, sizeof c->arch) || !word_(&s, w, sizeof w))
            return fail_(p, "expect params needs ARCH HxWxC N (the architecture without spaces)");
        snprintf(c->text, sizeof c->text, "%s", w);
        return number_(p, &s, "the parameter count", &c->value) && end_(p, s, "expect params ARCH HxWxC N");
    }
    return fail_(p, "unknown expectation '%s' (expected size, cell, max, avg, guess, accuracy or params)", w);
}

static bool command_(parse_ *p, const char *line, lesson_cmd *c) {
    char w[32];
    const char *s = line;
    if (strlen(line) >= LESSON_TEXT)
        return fail_(p, "the line is longer than %d characters: split it (two 'say' lines show as one caption)",
                     LESSON_TEXT - 1);
    word_(&s, w, sizeof w);
    memset(c, 0, sizeof *c);
    c->line = p->line;
    if (strcmp(w, "title") == 0) {
        c->op = LOP_TITLE;
        s = rest_(s);
        if (!*s) return fail_(p, "title needs the lesson's title");
        snprintf(c->text, sizeof c->text, "%.599s", s);
        return true;
    }
    if (strcmp(w, "view") == 0) return c->op = LOP_VIEW, view_(p, s, c);
    if (strcmp(w, "input") == 0) return c->op = LOP_INPUT, matrix_arg_(p, s, c, "input");
    if (strcmp(w, "kernel") == 0) return c->op = LOP_KERNEL, matrix_arg_(p, s, c, "kernel");
    if (strcmp(w, "bias") == 0) return c->op = LOP_BIAS, number_(p, &s, "the bias", &c->value) && end_(p, s, "bias NUMBER");
    if (strcmp(w, "padding") == 0) {
        c->op = LOP_PADDING;
        char v[32];
        if (!word_(&s, v, sizeof v)) return fail_(p, "padding needs valid, same or a number from 0 to 3");
        if (strcmp(v, "valid") == 0) c->a = -1;
        else if (strcmp(v, "same") == 0) c->a = -2;
        else {
            const char *q = v;
            if (!int_(p, &q, "padding", 0, 3, &c->a)) return false;
        }
        return end_(p, s, "padding valid|same|P");
    }
    if (strcmp(w, "stride") == 0) return c->op = LOP_STRIDE, int_(p, &s, "stride", 1, 4, &c->a) && end_(p, s, "stride S");
    if (strcmp(w, "dilation") == 0)
        return c->op = LOP_DILATION, int_(p, &s, "dilation", 1, 3, &c->a) && end_(p, s, "dilation D");
    if (strcmp(w, "size") == 0) return c->op = LOP_SIZE, int_(p, &s, "the window size", 1, 7, &c->a) && end_(p, s, "size F");
    if (strcmp(w, "digit") == 0) {
        c->op = LOP_DIGIT;
        if (!int_(p, &s, "the digit's number", 0, 1999, &c->a)) return false;
        if (*rest_(s) && !int_(p, &s, "the input size", 3, 32, &c->b)) return false;
        return end_(p, s, "digit N [SIZE]");
    }
    if (strcmp(w, "train") == 0) return c->op = LOP_TRAIN, int_(p, &s, "the number of steps", 1, 100000, &c->a) && end_(p, s, "train N");
    if (strcmp(w, "preset") == 0) {
        c->op = LOP_PRESET;
        s = rest_(s);
        for (int i = 0; i < PRESET_CUSTOM; i++)
            if (strcmp(s, app_preset_name((app_preset)i)) == 0) {
                c->a = i;
                return true;
            }
        return fail_(p, "unknown preset '%.40s' (expected identity, box blur, Gaussian, sharpen, Laplacian, "
                        "Sobel vertical, Sobel horizontal or emboss)", s);
    }
    if (strcmp(w, "model") == 0) {
        c->op = LOP_MODEL;
        char v[32];
        if (!word_(&s, v, sizeof v)) return fail_(p, "model needs softmax, small or lenet5");
        if (strcmp(v, "softmax") == 0) c->a = 0;
        else if (strcmp(v, "small") == 0) c->a = 1;
        else if (strcmp(v, "lenet5") == 0) c->a = 2;
        else return fail_(p, "unknown model '%s' (expected softmax, small or lenet5)", v);
        return end_(p, s, "model NAME");
    }
    if (strcmp(w, "classifier") == 0) {
        c->op = LOP_CLASSIFIER;
        char v[32];
        if (!word_(&s, v, sizeof v) || (strcmp(v, "shipped") != 0 && strcmp(v, "live") != 0))
            return fail_(p, "classifier needs shipped or live");
        c->a = strcmp(v, "live") == 0;
        return end_(p, s, "classifier shipped|live");
    }
    if (strcmp(w, "strokes") == 0) {
        c->op = LOP_STROKES;
        s = rest_(s);
        if (!*s) return fail_(p, "strokes needs points, such as '20,20 80,20; 50,10 50,90'");
        snprintf(c->text, sizeof c->text, "%.599s", s);
        return true;
    }
    if (strcmp(w, "say") == 0) {
        c->op = LOP_SAY;
        s = rest_(s);
        if (!*s) return fail_(p, "say needs the text to show");
        snprintf(c->text, sizeof c->text, "%.599s", s);
        return true;
    }
    if (strcmp(w, "step") == 0) return c->op = LOP_STEP, step_(p, s, c);
    if (strcmp(w, "restart") == 0) return c->op = LOP_RESTART, end_(p, s, "restart");
    if (strcmp(w, "highlight") == 0) return c->op = LOP_HIGHLIGHT, highlight_(p, s, c);
    if (strcmp(w, "wait") == 0) {
        c->op = LOP_WAIT;
        if (!*rest_(s)) return true;
        return number_(p, &s, "the seconds to wait", &c->value) && end_(p, s, "wait [SECONDS]");
    }
    if (strcmp(w, "quiz") == 0) return c->op = LOP_QUIZ, quiz_(p, s, c);
    if (strcmp(w, "expect") == 0) return c->op = LOP_EXPECT, expect_(p, s, c);
    return fail_(p, "unknown command '%s' (expected title, view, input, kernel, bias, padding, stride, dilation, "
                    "size, preset, digit, model, train, classifier, strokes, say, step, restart, highlight, wait, quiz or expect)",
                 w);
}

bool lesson_parse(lesson *out, const char *text, const char *source, char *err, size_t errsize) {
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", source);
    parse_ p = {source, 0, err, errsize};
    int cap = 64;
    out->cmds = malloc(sizeof(lesson_cmd) * (size_t)cap);
    if (!out->cmds) return fail_(&p, "out of memory");
    const char *s = text;
    bool ok = true;
    while (ok && *s) {
        p.line++;
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char line[2048];
        if (n >= sizeof line) {
            ok = fail_(&p, "the line is longer than %zu characters", sizeof line - 1);
            break;
        }
        memcpy(line, s, n);
        line[n] = '\0';
        s += n + (e ? 1 : 0);
        // Comments and blank lines; trailing spaces and CR are ignored.
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r')) line[--n] = '\0';
        const char *t = rest_(line);
        if (!*t || *t == '#') continue;
        if (out->n == cap) {
            cap *= 2;
            lesson_cmd *nc = realloc(out->cmds, sizeof(lesson_cmd) * (size_t)cap);
            if (!nc) {
                ok = fail_(&p, "out of memory");
                break;
            }
            out->cmds = nc;
        }
        ok = command_(&p, t, &out->cmds[out->n]);
        if (ok) out->n++;
    }
    if (ok && (out->n == 0 || out->cmds[0].op != LOP_TITLE)) {
        p.line = out->n ? out->cmds[0].line : 1;
        ok = fail_(&p, "a lesson starts with 'title TEXT'");
    }
    if (ok) {
        bool view = false;
        for (int i = 1; i < out->n; i++) {
            if (out->cmds[i].op == LOP_TITLE) {
                p.line = out->cmds[i].line;
                ok = fail_(&p, "a lesson has one title (the first line)");
                break;
            }
            view = view || out->cmds[i].op == LOP_VIEW;
        }
        if (ok && !view) {
            p.line = out->cmds[0].line;
            ok = fail_(&p, "the lesson never says which view to show ('view conv', ...)");
        }
    }
    if (!ok) {
        lesson_free(out);
        return false;
    }
    snprintf(out->title, sizeof out->title, "%.159s", out->cmds[0].text);
    return true;
}

bool lesson_load(lesson *out, const char *path, char *err, size_t errsize) {
    char *text;
    size_t n;
    memset(out, 0, sizeof *out);
    if (!app_read_file(path, (size_t)1 << 20, "the lesson ", &text, &n, err, errsize)) return false;
    if (strlen(text) != n) {
        snprintf(err, errsize, "'%s' is not a text file", path);
        free(text);
        return false;
    }
    const bool ok = lesson_parse(out, text, path, err, errsize);
    free(text);
    return ok;
}

void lesson_free(lesson *l) {
    free(l->cmds);
    l->cmds = NULL;
    l->n = 0;
}
