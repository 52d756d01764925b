// lesson.c - the lesson parser (see lesson.h and lessons/README.md).
#include "lesson.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "matrix.h"
#include "state.h"
#include "views.h"
#include "text.h"

// The sizes the views will have when a command runs, followed command by
// command from the state a lesson starts in (app_state_init), so that cell
// coordinates can be checked against them here, with file:line, rather than
// be ignored when the lesson plays.
typedef struct shadow_ {
    int view;
    int conv_h, conv_w, conv_c, conv_k, conv_stride, conv_dilation, conv_f;
    nn_padding conv_padding;
    int pool_h, pool_w, pool_size, pool_stride, pool_pad;
    bool pool_backward;  // 'backward on': the pooling view's output is dL/dX, the input's shape
    int convt_h, convt_w, convt_k, convt_stride, convt_pad, convt_out_pad, convt_dilation;
} shadow_;

typedef struct parse_ {
    const char *source;  // escaped: file names reach the terminal in messages
    int line;
    char *err;
    size_t errsize;
    shadow_ sh;
    size_t step_text;    // the bytes of this step's captions so far (they join into one)
    int predict_line;    // a 'quiz predict' still waiting for the 'train' that answers it (0: none)
} parse_;

// What the narration holds: a step's captions together, a quiz's question,
// a word (the narration wraps at spaces). Longer text is refused here rather
// than cut on screen, maybe inside a character.
#define LESSON_STEP_TEXT_MAX 2000
#define LESSON_QUESTION_MAX 1000
#define LESSON_WORD_MAX 120

// The longest run of bytes without a space in t.
static size_t longest_word_(const char *t) {
    size_t most = 0, run = 0;
    for (; *t; t++) {
        run = *t == ' ' ? 0 : run + 1;
        most = run > most ? run : most;
    }
    return most;
}

static void shadow_init_(shadow_ *sh) {
    // What app_state_init sets up: the lecture's 5x5 input and 3x3 kernel, and a
    // 6x6 input pooled 2x2 with stride 2.
    *sh = (shadow_){.view = VIEW_HOME, .conv_h = 5, .conv_w = 5, .conv_c = 1, .conv_k = 3, .conv_f = 1,
                    .conv_stride = 1, .conv_dilation = 1, .conv_padding = {NN_PAD_VALID, 0},
                    .pool_h = 6, .pool_w = 6, .pool_size = 2, .pool_stride = 2, .pool_pad = 0,
                    // The transposed convolution's: 2x2 input, 3x3 kernel, stride 2, padding 1, output padding 1.
                    .convt_h = 2, .convt_w = 2, .convt_k = 3, .convt_stride = 2, .convt_pad = 1, .convt_out_pad = 1,
                    .convt_dilation = 1};
}

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

// A number as a matrix value is written (plain decimals, no inf, nan or hex)
// from lo to hi; -FLT_MAX to FLT_MAX means any that fits a float.
static bool number_(parse_ *p, const char **s, const char *what, double lo, double hi,
                    double *out) {
    char w[64], range[96];
    if (lo == -FLT_MAX && hi == FLT_MAX)
        snprintf(range, sizeof range, "a finite number such as 12 or -0.5");
    else
        snprintf(range, sizeof range, "a number from %g to %g", lo, hi);
    if (!word_(s, w, sizeof w)) return fail_(p, "%s is missing (expected %s)", what, range);
    float v;
    if (!app_parse_value(w, &v, NULL) || v < lo || v > hi)
        return fail_(p, "%s must be %s, got '%s'", what, range, w);
    *out = strtod(w, NULL);  // as written: "0.1" stays 0.1, for expect's rounding rule
    return true;
}

// ---- The views' sizes at this point of the lesson ---------------------------------------

// The output size of the view a command acts on (pooling in the pooling view,
// else convolution, as lesson_play.c and state.c choose); false with the
// engine's reason when the settings give no output.
static bool out_size_(const parse_ *p, int *out_h, int *out_w, char *why, size_t whysize) {
    const shadow_ *sh = &p->sh;
    nn_error e;
    if (sh->view == VIEW_BACKPROP) {  // its cell quizzes ask dL/dW: the default 3x3 kernel's
        *out_h = *out_w = 3;
        return true;
    }
    if (sh->view == VIEW_POOL && sh->pool_backward) {  // dL/dX has the input's shape
        *out_h = sh->pool_h, *out_w = sh->pool_w;
        return true;
    }
    if (sh->view == VIEW_POOL) {
        nn_pool_config cfg = {.mode = NN_POOL_MAX, .c = 1, .in_h = sh->pool_h, .in_w = sh->pool_w,
                              .size_h = sh->pool_size, .size_w = sh->pool_size,
                              .stride = sh->pool_stride, .pad = sh->pool_pad};
        nn_pool_geom g;
        if (nn_pool_geom_init(&g, &cfg, &e) != NN_OK) return snprintf(why, whysize, "%s", e.msg), false;
        *out_h = g.out_h;
        *out_w = g.out_w;
        return true;
    }
    if (sh->view == VIEW_CONVT) {
        const nn_convt_config cfg = {.in_c = 1, .in_h = sh->convt_h, .in_w = sh->convt_w, .filters = 1,
                                     .k_h = sh->convt_k, .k_w = sh->convt_k, .stride = sh->convt_stride,
                                     .padding = sh->convt_pad, .out_pad = sh->convt_out_pad,
                                     .dilation = sh->convt_dilation};
        nn_convt_geom g;
        if (nn_convt_geom_init(&g, &cfg, &e) != NN_OK) return snprintf(why, whysize, "%s", e.msg), false;
        *out_h = g.out_h;
        *out_w = g.out_w;
        return true;
    }
    nn_conv2d_config cfg = {.in_c = sh->conv_c, .in_h = sh->conv_h, .in_w = sh->conv_w,
                            .filters = 1, .k_h = sh->conv_k, .k_w = sh->conv_k,
                            .stride = sh->conv_stride, .dilation = sh->conv_dilation,
                            .padding = sh->conv_padding};
    nn_conv2d_geom g;
    if (nn_conv2d_geom_init(&g, &cfg, &e) != NN_OK) return snprintf(why, whysize, "%s", e.msg), false;
    *out_h = g.out_h;
    *out_w = g.out_w;
    return true;
}

// Checks cell (r, c) of a grid ("input", "kernel" or "output") exists at this
// point of the lesson.
static bool cell_in_range_(parse_ *p, const char *cmd, const char *grid, int r, int c) {
    const shadow_ *sh = &p->sh;
    const bool pool = sh->view == VIEW_POOL, convt = sh->view == VIEW_CONVT;
    int h, w;
    if (strcmp(grid, "input") == 0) {
        h = pool ? sh->pool_h : convt ? sh->convt_h : sh->conv_h;
        w = pool ? sh->pool_w : convt ? sh->convt_w : sh->conv_w;
    } else if (strcmp(grid, "kernel") == 0) {
        h = w = pool ? sh->pool_size : convt ? sh->convt_k : sh->conv_k;
    } else {
        char why[400];
        if (!out_size_(p, &h, &w, why, sizeof why))
            return fail_(p, "%s: there is no output here, the settings cannot work: %s", cmd, why);
    }
    if (r >= h || c >= w)
        return fail_(p, "%s: cell (%d, %d) is outside the %s, which is %dx%d here (rows 0 to %d, "
                        "columns 0 to %d)",
                     cmd, r, c, grid, h, w, h - 1, w - 1);
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

// A lesson shows the views with a panel (not the menus).
static bool view_(parse_ *p, const char *s, lesson_cmd *c) {
    char w[32];
    if (!word_(&s, w, sizeof w)) return fail_(p, "view needs a name (%s)", view_names(false));
    const view_def *v = view_find(w);
    if (v && v->has_panel) {
        c->a = (int)v->id;
        return end_(p, s, "view NAME");
    }
    return fail_(p, "unknown view '%s' (expected %s)", w, view_names(false));
}

static bool matrix_arg_(parse_ *p, const char *s, lesson_cmd *c, const char *what) {
    s = rest_(s);
    if (!*s) return fail_(p, "%s needs a matrix, such as '1 2; 3 4' (channels separated by '|')", what);
    app_matrix m;
    char err[300];
    if (!app_matrix_parse(&m, s, what, NULL, err, sizeof err)) return fail_(p, "%s", err);
    shadow_ *sh = &p->sh;
    bool ok = true;
    // The limits lesson_play.c applies, checked here so the file is refused.
    if (c->op == LOP_INPUT && sh->view == VIEW_POOL) {
        if (m.c != 1 || m.h > VIEW_MAX_N || m.w > VIEW_MAX_N)
            ok = fail_(p, "the pooling view takes one channel of up to %dx%d, got %d of %dx%d",
                       VIEW_MAX_N, VIEW_MAX_N, m.c, m.h, m.w);
        sh->pool_h = m.h, sh->pool_w = m.w;
    } else if (sh->view == VIEW_CONVT) {
        if (m.c != 1 || m.h > (c->op == LOP_INPUT ? CONVT_MAX_N : CONVT_MAX_K) ||
            m.w > (c->op == LOP_INPUT ? CONVT_MAX_N : CONVT_MAX_K) || (c->op == LOP_KERNEL && m.h != m.w))
            ok = c->op == LOP_INPUT
                     ? fail_(p, "the transposed-convolution view takes one channel of up to %dx%d, got %d of %dx%d",
                             CONVT_MAX_N, CONVT_MAX_N, m.c, m.h, m.w)
                     : fail_(p, "the transposed-convolution view takes one square kernel of up to %dx%d, got %d of %dx%d",
                             CONVT_MAX_K, CONVT_MAX_K, m.c, m.h, m.w);
        if (c->op == LOP_INPUT) sh->convt_h = m.h, sh->convt_w = m.w;
        else sh->convt_k = m.h;
    } else if (c->op == LOP_INPUT) {
        if (m.c > VIEW_MAX_C || m.h > VIEW_MAX_N || m.w > VIEW_MAX_N)
            ok = fail_(p, "the convolution view takes up to %d channels of %dx%d, got %d of %dx%d",
                       VIEW_MAX_C, VIEW_MAX_N, VIEW_MAX_N, m.c, m.h, m.w);
        sh->conv_c = m.c, sh->conv_h = m.h, sh->conv_w = m.w;
    } else {
        if (m.h != m.w || m.h > VIEW_MAX_K || m.c != sh->conv_c)
            ok = fail_(p, "the kernel must be square, at most %dx%d, with one channel per input "
                          "channel (%d here); got %d of %dx%d",
                       VIEW_MAX_K, VIEW_MAX_K, sh->conv_c, m.c, m.h, m.w);
        sh->conv_k = m.h;
    }
    app_matrix_free(&m);
    snprintf(c->text, sizeof c->text, "%s", s);
    return ok;
}

// "filter F" before a kernel's matrix or a bias (filters counted from 1, as
// on screen): the filter, from 0, into *f; 0 when the words are not there.
static bool filter_of_(parse_ *p, const char **s, const char *cmd, int *f) {
    const char *save = *s;
    char w[32];
    *f = 0;
    if (!word_(s, w, sizeof w) || strcmp(w, "filter") != 0) {
        *s = save;
        return true;
    }
    int n;
    if (!int_(p, s, "the filter", 1, VIEW_MAX_F, &n)) return false;
    if (n > p->sh.conv_f)
        return fail_(p, "%s filter %d: there %s %d filter%s here (use 'filters N' first)", cmd, n,
                     p->sh.conv_f == 1 ? "is" : "are", p->sh.conv_f, p->sh.conv_f == 1 ? "" : "s");
    *f = n - 1;
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
               end_(p, s, "step to R C") &&
               // (the transposed convolution steps over its input cells)
               cell_in_range_(p, "step to", p->sh.view == VIEW_CONVT ? "input" : "output", c->b, c->c);
    }
    s = save;
    return int_(p, &s, "the number of steps", 1, LESSON_MAX_STEPS, &c->a) && end_(p, s, "step N");
}

static bool highlight_(parse_ *p, const char *s, lesson_cmd *c) {
    char w[32];
    if (!word_(&s, w, sizeof w)) return fail_(p, "highlight needs input, kernel or output, then cells R C");
    const char *grid = w;
    if (strcmp(w, "input") == 0) c->a = GRID_INPUT;
    else if (strcmp(w, "kernel") == 0) c->a = GRID_KERNEL;
    else if (strcmp(w, "output") == 0) c->a = GRID_OUTPUT;
    else return fail_(p, "highlight input, kernel or output, not '%s'", w);
    s = rest_(s);
    int n = 0, v, row = 0;
    const char *q = s;
    while (*rest_(q)) {
        if (!int_(p, &q, "a cell coordinate", 0, 100000, &v)) return false;
        if (n % 2 == 1 && !cell_in_range_(p, "highlight", grid, row, v)) return false;
        row = v;
        n++;
    }
    if (n == 0 || n % 2) return fail_(p, "highlight needs pairs of numbers R C, got %d number(s)", n);
    if (n / 2 > LESSON_MAX_MARKS)
        return fail_(p, "highlight marks at most %d cells, got %d", LESSON_MAX_MARKS, n / 2);
    snprintf(c->text, sizeof c->text, "%s", s);
    return true;
}

// A choice quiz's text, "QUESTION | OPTION | OPTION ...": 2 to
// LESSON_CHOICES_MAX options, none empty; their count goes to c->b.
static bool choices_(parse_ *p, lesson_cmd *c) {
    int pieces = 0;
    for (const char *at = c->text;; pieces++) {
        const char *bar = strchr(at, '|');
        const char *b = rest_(at), *e = bar ? bar : at + strlen(at);
        while (e > b && e[-1] == ' ') e--;
        if (e == b && pieces == 0) return fail_(p, "a choice quiz needs its question before the first '|'");
        if (e == b) return fail_(p, "option %d of the choice quiz is empty", pieces);
        if (!bar) break;
        at = bar + 1;
    }
    if (pieces < 2 || pieces > LESSON_CHOICES_MAX)
        return fail_(p, "a choice quiz is 'QUESTION | OPTION | OPTION ...' with 2 to %d options, got %d",
                     LESSON_CHOICES_MAX, pieces);
    c->b = pieces;
    return true;
}

static bool quiz_(parse_ *p, const char *s, lesson_cmd *c) {
    char w[32];
    if (!word_(&s, w, sizeof w))
        return fail_(p, "quiz needs a kind: size, cell R C, winner R C, guess, params ARCH HxWxC, choice or "
                        "predict accuracy");
    if (strcmp(w, "size") == 0) c->a = CHECK_SIZE;
    else if (strcmp(w, "cell") == 0) {
        c->a = CHECK_CELL;
        if (!int_(p, &s, "the row", 0, 100000, &c->b) || !int_(p, &s, "the column", 0, 100000, &c->c) ||
            !cell_in_range_(p, "quiz cell", "output", c->b, c->c))
            return false;
    } else if (strcmp(w, "winner") == 0) {
        c->a = CHECK_WINNER;
        if (p->sh.view != VIEW_POOL) return fail_(p, "quiz winner asks about max pooling: use it in the pooling view");
        if (!int_(p, &s, "the row", 0, 100000, &c->b) || !int_(p, &s, "the column", 0, 100000, &c->c) ||
            !cell_in_range_(p, "quiz winner", "output", c->b, c->c))
            return false;
    } else if (strcmp(w, "guess") == 0) {
        c->a = CHECK_GUESS;
    } else if (strcmp(w, "params") == 0) {
        c->a = CHECK_PARAMS;
        int h, wd, ch;
        char x1, x2, extra;
        if (!word_(&s, c->arch, sizeof c->arch) || !word_(&s, c->shape, sizeof c->shape))
            return fail_(p, "quiz params needs ARCH HxWxC, then the question (the architecture without spaces)");
        if (sscanf(c->shape, "%d%c%d%c%d%c", &h, &x1, &wd, &x2, &ch, &extra) != 5 || x1 != 'x' || x2 != 'x' || h < 1 ||
            wd < 1 || ch < 1)
            return fail_(p, "quiz params: the input shape is HxWxC, such as 32x32x3, got '%.40s'", c->shape);
    } else if (strcmp(w, "choice") == 0) {
        c->a = CHECK_CHOICE;
    } else if (strcmp(w, "predict") == 0) {
        c->a = CHECK_PREDICT;
        char what[32];
        if (!word_(&s, what, sizeof what) || strcmp(what, "accuracy") != 0)
            return fail_(p, "quiz predict needs what the class predicts: 'accuracy' (will the next 'train' end "
                            "higher or lower than the kept run, or than now)");
        if (p->sh.view != VIEW_TRAIN)
            return fail_(p, "quiz predict is about training: use it in the training view ('view train')");
        p->predict_line = p->line;
    } else {
        return fail_(p, "unknown quiz '%s' (expected size, cell R C, winner R C, guess, params ARCH HxWxC, choice "
                        "or predict accuracy)", w);
    }
    s = rest_(s);
    const char *ans = strstr(s, " answer ");
    size_t qlen = ans ? (size_t)(ans - s) : strlen(s);
    if (qlen == 0) return fail_(p, "quiz %s needs a question after it", w);
    if (qlen > LESSON_QUESTION_MAX)
        return fail_(p, "the question is %zu bytes long; at most %d fit on screen", qlen, LESSON_QUESTION_MAX);
    if (qlen >= sizeof c->text) qlen = sizeof c->text - 1;
    memcpy(c->text, s, qlen);
    c->text[qlen] = '\0';
    if (longest_word_(c->text) > LESSON_WORD_MAX)
        return fail_(p, "a word of %zu bytes without a space; the narration wraps at spaces (at most %d)",
                     longest_word_(c->text), LESSON_WORD_MAX);
    if (c->a == CHECK_CHOICE && !choices_(p, c)) return false;
    if (c->a == CHECK_CHOICE && !ans)
        return fail_(p, "a choice quiz needs its answer: 'answer N', the number of the right option");
    if (ans) {
        const char *a = rest_(ans + 8);
        if (!*a) return fail_(p, "'answer' needs a value after it");
        if (strlen(a) >= sizeof c->answer)
            return fail_(p, "the answer is longer than %zu characters", sizeof c->answer - 1);
        snprintf(c->answer, sizeof c->answer, "%s", a);
        // The answer must be one the engine's can match: checked here, not
        // found out when the lesson plays.
        int r, col;
        float v;
        char extra;
        char x;
        if (c->a == CHECK_SIZE && (sscanf(a, "%d %c %d %c", &r, &x, &col, &extra) != 3 ||
                                   (x != 'x' && x != 'X' && x != '*') || r < 1 || col < 1))
            return fail_(p, "a size quiz's answer is RxC, such as 3x3, got '%.40s'", a);
        if (c->a == CHECK_WINNER && (sscanf(a, "%d %c %d %c", &r, &x, &col, &extra) != 3 ||
                                     (x != 'x' && x != 'X') || r < 0 || col < 0))
            return fail_(p, "a winner quiz's answer is the input cell as ROWxCOL, such as 1x2, got '%.40s'", a);
        if (c->a == CHECK_CELL && !app_parse_value(a, &v, NULL))
            return fail_(p, "a cell quiz's answer is a finite number such as 12 or -0.5 (not inf or "
                            "nan), got '%.40s'",
                         a);
        if (c->a == CHECK_GUESS && (strlen(a) != 1 || a[0] < '0' || a[0] > '9'))
            return fail_(p, "a guess quiz's answer is a digit from 0 to 9, got '%.40s'", a);
        if (c->a == CHECK_CHOICE && (sscanf(a, "%d%c", &r, &extra) != 1 || r < 1 || r > c->b))
            return fail_(p, "a choice quiz's answer is the number of an option, 1 to %d, got '%.40s'", c->b, a);
        if (c->a == CHECK_PREDICT && strcmp(a, "higher") != 0 && strcmp(a, "lower") != 0)
            return fail_(p, "a predict quiz's answer is higher or lower, got '%.40s'", a);
        if (c->a == CHECK_PARAMS && (sscanf(a, "%d%c", &r, &extra) != 1 || r < 0))
            return fail_(p, "a params quiz's answer is a whole number such as 760, got '%.40s'", a);
    }
    return true;
}

// recipe default | recipe [lr X] [shift P] [weight-decay W] [dropout P]: how
// the dashboard's model trains from the next 'model' (the others stay default).
static bool recipe_(parse_ *p, const char *s, lesson_cmd *c) {
    static const char usage[] = "recipe default | recipe [lr X] [shift P] [weight-decay W] [dropout P]";
    c->recipe.lr = c->recipe.weight_decay = c->recipe.dropout = -1;  // -1: not named, stays the default
    c->recipe.shift = -1;
    char w[32];
    if (!word_(&s, w, sizeof w)) return fail_(p, "recipe needs settings (usage: %s)", usage);
    if (strcmp(w, "default") == 0) return end_(p, s, usage);
    do {
        if (strcmp(w, "lr") == 0) {
            if (!number_(p, &s, "the learning rate", 1e-5, 10, &c->recipe.lr)) return false;
        } else if (strcmp(w, "shift") == 0) {
            if (!int_(p, &s, "the shift in pixels", 0, 4, &c->recipe.shift)) return false;
        } else if (strcmp(w, "weight-decay") == 0) {
            if (!number_(p, &s, "the weight decay", 0, 1, &c->recipe.weight_decay)) return false;
        } else if (strcmp(w, "dropout") == 0) {
            if (!number_(p, &s, "the dropout rate", 0, 0.9, &c->recipe.dropout)) return false;
        } else {
            return fail_(p, "unknown recipe setting '%.40s' (usage: %s)", w, usage);
        }
    } while (word_(&s, w, sizeof w));
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
               number_(p, &s, "the value", -FLT_MAX, FLT_MAX, &c->value) &&
               end_(p, s, "expect cell R C VALUE") && cell_in_range_(p, "expect", "output", c->b, c->c);
    }
    if (strcmp(w, "guess") == 0) {
        c->a = CHECK_GUESS;
        return int_(p, &s, "the digit", 0, 9, &c->b) && end_(p, s, "expect guess D");
    }
    if (strcmp(w, "accuracy") == 0) {
        c->a = CHECK_ACCURACY;
        return number_(p, &s, "the least accuracy (a percentage)", 0, 100, &c->value) && end_(p, s, "expect accuracy PERCENT");
    }
    if (strcmp(w, "params") == 0) {
        c->a = CHECK_PARAMS;
        if (!word_(&s, c->arch, sizeof c->arch) || !word_(&s, w, sizeof w))
            return fail_(p, "expect params needs ARCH HxWxC N (the architecture without spaces)");
        snprintf(c->text, sizeof c->text, "%s", w);
        int n;
        if (!int_(p, &s, "the parameter count", 0, INT_MAX, &n)) return false;
        c->value = n;
        return end_(p, s, "expect params ARCH HxWxC N");
    }
    return fail_(p, "unknown expectation '%s' (expected size, cell, max, avg, guess, accuracy or params)", w);
}

static bool command_(parse_ *p, const char *line, lesson_cmd *c) {
    char w[32];
    const char *s = line;
    shadow_ *sh = &p->sh;
    word_(&s, w, sizeof w);
    memset(c, 0, sizeof *c);
    c->line = p->line;
    if (strcmp(w, "title") == 0) {
        c->op = LOP_TITLE;
        s = rest_(s);
        if (!*s) return fail_(p, "title needs the lesson's title");
        snprintf(c->text, sizeof c->text, "%s", s);
        return true;
    }
    if (strcmp(w, "view") == 0) {
        c->op = LOP_VIEW;
        if (!view_(p, s, c)) return false;
        sh->view = c->a;
        return true;
    }
    if (strcmp(w, "input") == 0) return c->op = LOP_INPUT, matrix_arg_(p, s, c, "input");
    if (strcmp(w, "kernel") == 0)
        return c->op = LOP_KERNEL, filter_of_(p, &s, "kernel", &c->b) && matrix_arg_(p, s, c, "kernel");
    if (strcmp(w, "bias") == 0)
        return c->op = LOP_BIAS, filter_of_(p, &s, "bias", &c->b) &&
                                 number_(p, &s, "the bias", -FLT_MAX, FLT_MAX, &c->value) &&
                                 end_(p, s, "bias [filter F] NUMBER");
    if (strcmp(w, "filters") == 0)
        return c->op = LOP_FILTERS, int_(p, &s, "the number of filters", 1, VIEW_MAX_F, &c->a) &&
                                    end_(p, s, "filters N") && (sh->conv_f = c->a, true);
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
        if (sh->view == VIEW_CONVT && c->a < 0)
            return fail_(p, "the transposed convolution's padding is a number of cells from 0 to %d (it crops them)", CONVT_MAX_PAD);
        // As state.c's set_padding_: pooling takes only P cells, valid and same are 0.
        if (sh->view == VIEW_CONVT) sh->convt_pad = c->a;
        else if (sh->view == VIEW_POOL) sh->pool_pad = c->a >= 0 ? c->a : 0;
        else sh->conv_padding = c->a == -1 ? (nn_padding){NN_PAD_VALID, 0}
                                : c->a == -2 ? (nn_padding){NN_PAD_SAME, 0} : nn_padding_explicit(c->a);
        return end_(p, s, "padding valid|same|P");
    }
    if (strcmp(w, "stride") == 0) {
        c->op = LOP_STRIDE;
        if (!int_(p, &s, "stride", 1, 4, &c->a)) return false;
        *(sh->view == VIEW_POOL ? &sh->pool_stride : sh->view == VIEW_CONVT ? &sh->convt_stride : &sh->conv_stride) = c->a;
        if (sh->view == VIEW_CONVT && sh->convt_out_pad >= (c->a > sh->convt_dilation ? c->a : sh->convt_dilation))
            sh->convt_out_pad = 0;  // as the view does: the output padding stays below max(s, d)
        return end_(p, s, "stride S");
    }
    if (strcmp(w, "dilation") == 0) {
        c->op = LOP_DILATION;
        if (!int_(p, &s, "dilation", 1, 3, &c->a)) return false;
        if (sh->view == VIEW_CONV) sh->conv_dilation = c->a;  // other views ignore it
        if (sh->view == VIEW_CONVT) {
            sh->convt_dilation = c->a;
            if (sh->convt_out_pad >= (c->a > sh->convt_stride ? c->a : sh->convt_stride)) sh->convt_out_pad = 0;
        }
        return end_(p, s, "dilation D");
    }
    if (strcmp(w, "flip") == 0) {
        c->op = LOP_FLIP;
        char v[32];
        if (!word_(&s, v, sizeof v) || (strcmp(v, "on") != 0 && strcmp(v, "off") != 0))
            return fail_(p, "flip needs on (true convolution: the kernel rotated 180 degrees) or off");
        if (sh->view != VIEW_CONV) return fail_(p, "flip rotates the convolution view's kernels: use it there ('view conv')");
        c->a = strcmp(v, "on") == 0 ? 1 : 2;
        return end_(p, s, "flip on|off");
    }
    if (strcmp(w, "output-padding") == 0) {
        c->op = LOP_OUT_PAD;
        if (sh->view != VIEW_CONVT) return fail_(p, "output-padding goes with 'view convt' (the transposed convolution)");
        const int most = (sh->convt_stride > sh->convt_dilation ? sh->convt_stride : sh->convt_dilation) - 1;
        if (!int_(p, &s, "output padding", 0, 100, &c->a)) return false;
        if (c->a > most)
            return fail_(p, "output-padding %d must be smaller than the stride %d or the dilation %d (here at most %d): "
                            "set the stride first", c->a, sh->convt_stride, sh->convt_dilation, most);
        sh->convt_out_pad = c->a;
        return end_(p, s, "output-padding A");
    }
    if (strcmp(w, "backward") == 0) {
        c->op = LOP_BACKWARD;
        char v[32];
        if (!word_(&s, v, sizeof v) || (strcmp(v, "on") != 0 && strcmp(v, "off") != 0))
            return fail_(p, "backward needs on (route dL/dY back to dL/dX, one output cell a step) or off");
        if (sh->view != VIEW_POOL) return fail_(p, "backward is the pooling view's backward mode: use it there ('view pool')");
        c->a = strcmp(v, "on") == 0 ? 1 : 2;
        sh->pool_backward = c->a == 1;
        return end_(p, s, "backward on|off");
    }
    if (strcmp(w, "grad-output") == 0 && sh->view == VIEW_POOL && !sh->pool_backward)
        return fail_(p, "grad-output in the pooling view is dL/dY for its backward mode: put 'backward on' first");
    if (strcmp(w, "grad-output") == 0 || strcmp(w, "lr") == 0) {
        // The backpropagation view's (and the pooling view's backward mode's) dL/dY, checked against the
        // output's shape when played, and the backpropagation view's learning rate.
        if (sh->view != VIEW_BACKPROP && (strcmp(w, "lr") == 0 || sh->view != VIEW_POOL))
            return fail_(p, "%s sets the backpropagation view's%s: use it there ('view backprop')", w,
                         strcmp(w, "lr") == 0 ? "" : " (or the pooling view's with 'backward on')");
        if (strcmp(w, "lr") == 0)
            return c->op = LOP_LR, number_(p, &s, "the learning rate", 1e-6, 10, &c->value) && end_(p, s, "lr X");
        c->op = LOP_GRAD_OUTPUT;
        s = rest_(s);
        app_matrix m;
        char err[300];
        if (!*s) return fail_(p, "grad-output needs a matrix of the output's shape, such as '1 1; 1 1'");
        if (!app_matrix_parse(&m, s, "grad-output", NULL, err, sizeof err)) return fail_(p, "%s", err);
        const int most = sh->view == VIEW_POOL ? VIEW_MAX_OUT : BP_MAX_OUT;
        const bool ok = m.c == 1 && m.h <= most && m.w <= most;
        app_matrix_free(&m);
        if (!ok) return fail_(p, "grad-output is dL/dY: one map of the output's shape (at most %dx%d)", most, most);
        snprintf(c->text, sizeof c->text, "%s", s);
        return true;
    }
    if (strcmp(w, "size") == 0) {
        c->op = LOP_SIZE;
        if (!int_(p, &s, "the window size", 1, VIEW_MAX_K, &c->a)) return false;
        sh->pool_size = c->a;
        return end_(p, s, "size F");
    }
    if (strcmp(w, "digit") == 0) {
        c->op = LOP_DIGIT;
        if (!int_(p, &s, "the digit's number", 0, 1999, &c->a)) return false;
        if (*rest_(s) && !int_(p, &s, "the input size", VIEW_MIN_N, VIEW_MAX_N, &c->b)) return false;
        if (c->b > 0) {  // the digit is cropped to SIZE x SIZE in the view it is shown in
            if (sh->view == VIEW_POOL) sh->pool_h = sh->pool_w = c->b;
            else sh->conv_h = sh->conv_w = c->b;
        }
        return end_(p, s, "digit N [SIZE]");
    }
    if (strcmp(w, "select") == 0) {
        // The network view's unit: layers and maps from 1 (layer 0: the input),
        // rows, columns and units from 0, as on screen and in --select.
        c->op = LOP_SELECT;
        int n[4], count = 0;
        while (count < 4 && *rest_(s)) {
            static const char *const what[] = {"the layer", "the map or unit", "the row", "the column"};
            if (!int_(p, &s, what[count], 0, 100000, &n[count])) return false;
            count++;
        }
        if (count != 2 && count != 4)
            return fail_(p, "select needs LAYER MAP ROW COL (a map's cell) or LAYER UNIT (a unit of a flat layer)");
        c->a = n[0];
        c->b = n[1];
        c->c = count == 4 ? n[2] : 0;
        c->value = count == 4 ? n[3] : 0;
        snprintf(c->text, sizeof c->text, "%s", count == 4 ? "map" : "unit");
        return end_(p, s, "select LAYER MAP ROW COL | select LAYER UNIT");
    }
    if (strcmp(w, "open") == 0) return c->op = LOP_OPEN, end_(p, s, "open");
    if (strcmp(w, "show") == 0 || strcmp(w, "hide") == 0) {
        c->op = LOP_SUMMARY;
        c->a = w[0] == 's';
        char v[32];
        if (!word_(&s, v, sizeof v) || strcmp(v, "summary") != 0) return fail_(p, "%s needs 'summary' (the model's table)", w);
        return end_(p, s, "show summary | hide summary");
    }
    if (strcmp(w, "scale") == 0) {
        c->op = LOP_SCALE;
        char v[32];
        if (!word_(&s, v, sizeof v) || (strcmp(v, "map") != 0 && strcmp(v, "layer") != 0))
            return fail_(p, "scale needs map (each map its own colour scale) or layer (one per layer)");
        c->a = strcmp(v, "layer") == 0;
        return end_(p, s, "scale map|layer");
    }
    if (strcmp(w, "train") == 0) {
        p->predict_line = 0;
        return c->op = LOP_TRAIN,
               int_(p, &s, "the number of training steps", 1, LESSON_MAX_TRAIN, &c->a) && end_(p, s, "train N");
    }
    if (strcmp(w, "recipe") == 0) return c->op = LOP_RECIPE, recipe_(p, s, c);
    if (strcmp(w, "keep") == 0) {
        c->op = LOP_KEEP_RUN;
        char v[32];
        if (!word_(&s, v, sizeof v) || strcmp(v, "run") != 0)
            return fail_(p, "keep needs 'run' (keep run [LABEL]: the training view keeps the curves to compare)");
        if (p->sh.view != VIEW_TRAIN) return fail_(p, "keep run keeps the training view's curves: use it there ('view train')");
        s = rest_(s);
        if (strlen(s) > 90) return fail_(p, "the run's label is %zu bytes long; at most 90 fit the chart's legend", strlen(s));
        snprintf(c->text, sizeof c->text, "%s", s);
        return true;
    }
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
    if (strcmp(w, "clear") == 0) {
        c->op = LOP_CLEAR;
        if (p->sh.view != VIEW_DRAW) return fail_(p, "clear empties the drawing's canvas: use it in the draw view");
        return end_(p, s, "clear");
    }
    if (strcmp(w, "strokes") == 0) {
        c->op = LOP_STROKES;
        s = rest_(s);
        if (!*s) return fail_(p, "strokes needs points, such as '20,20 80,20; 50,10 50,90'");
        snprintf(c->text, sizeof c->text, "%s", s);
        return true;
    }
    if (strcmp(w, "say") == 0) {
        c->op = LOP_SAY;
        s = rest_(s);
        if (!*s) return fail_(p, "say needs the text to show");
        p->step_text += strlen(s) + 1;
        if (p->step_text > LESSON_STEP_TEXT_MAX)
            return fail_(p, "this step's captions add up to %zu bytes; at most %d fit on screen (split the step with 'wait')",
                         p->step_text, LESSON_STEP_TEXT_MAX);
        if (longest_word_(s) > LESSON_WORD_MAX)
            return fail_(p, "a word of %zu bytes without a space; the narration wraps at spaces (at most %d)",
                         longest_word_(s), LESSON_WORD_MAX);
        snprintf(c->text, sizeof c->text, "%s", s);
        return true;
    }
    if (strcmp(w, "step") == 0) return c->op = LOP_STEP, step_(p, s, c);
    if (strcmp(w, "restart") == 0) return c->op = LOP_RESTART, end_(p, s, "restart");
    if (strcmp(w, "highlight") == 0) return c->op = LOP_HIGHLIGHT, highlight_(p, s, c);
    if (strcmp(w, "point") == 0) {
        c->op = LOP_POINT;
        if (!highlight_(p, s, c)) return false;
        int r, col;
        char extra;
        if (sscanf(c->text, "%d %d %c", &r, &col, &extra) != 2)
            return fail_(p, "point shows one cell: point input|kernel|output R C");
        return true;
    }
    if (strcmp(w, "wait") == 0) {
        c->op = LOP_WAIT;
        p->step_text = 0;
        if (!*rest_(s)) return true;
        return number_(p, &s, "the seconds to wait", 0, LESSON_MAX_WAIT, &c->value) &&
               end_(p, s, "wait [SECONDS]");
    }
    if (strcmp(w, "quiz") == 0) return c->op = LOP_QUIZ, quiz_(p, s, c);
    if (strcmp(w, "expect") == 0) return c->op = LOP_EXPECT, expect_(p, s, c);
    return fail_(p, "unknown command '%s' (expected title, view, input, kernel, bias, filters, padding, stride, dilation, "
                    "flip, size, output-padding, backward, grad-output, lr, preset, digit, model, recipe, train, keep, classifier, clear, strokes, say, step, restart, highlight, point, wait, "
                    "quiz or expect)",
                 w);
}

bool lesson_parse(lesson *out, const char *text, const char *source, char *err, size_t errsize) {
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", source);
    char shown_source[300];
    text_escape(source, strlen(source), shown_source, sizeof shown_source);
    parse_ p = {shown_source, 0, err, errsize, {0}, 0, 0};
    shadow_init_(&p.sh);
    // One kind of line end ("\r\n" and old Macs' lone "\r" become "\n"), no BOM.
    char *unified = text_unify_line_ends(text_skip_bom(text));
    if (!unified) return fail_(&p, "out of memory");
    int cap = 64;
    out->cmds = malloc(sizeof(lesson_cmd) * (size_t)cap);
    if (!out->cmds) {
        free(unified);
        return fail_(&p, "out of memory");
    }
    const char *s = unified;
    bool ok = true;
    while (ok && *s) {
        p.line++;
        if (p.line > LESSON_MAX_LINES) {
            ok = fail_(&p, "a lesson has at most %d lines", LESSON_MAX_LINES);
            break;
        }
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n > TEXT_MAX_LINE) {
            ok = fail_(&p, "the line is longer than %d bytes (the limit for every text file): split "
                           "it (two 'say' lines show as one caption)",
                       TEXT_MAX_LINE);
            break;
        }
        // Lesson text reaches the terminal (transcripts, messages) and the
        // window: no escape sequences, nothing that is not UTF-8.
        size_t at;
        if (text_find_control(s, n, &at)) {
            ok = fail_(&p, "byte %zu of the line is a control character or not UTF-8 (0x%02X): "
                           "a lesson is UTF-8 text",
                       at + 1, (unsigned char)s[at]);
            break;
        }
        char line[TEXT_MAX_LINE + 1];
        memcpy(line, s, n);
        line[n] = '\0';
        s += n + (e ? 1 : 0);
        // Comments and blank lines; trailing spaces are ignored.
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t')) line[--n] = '\0';
        const char *t = rest_(line);
        if (!*t || *t == '#') continue;
        if (out->n == LESSON_MAX_COMMANDS) {
            ok = fail_(&p, "a lesson has at most %d commands", LESSON_MAX_COMMANDS);
            break;
        }
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
    free(unified);
    if (ok && p.predict_line) {
        p.line = p.predict_line;
        ok = fail_(&p, "no 'train N' follows this predict quiz: the engine answers it by training");
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
    // A long title is cut at a character boundary, never inside a UTF-8 sequence.
    size_t tl = strlen(out->cmds[0].text);
    if (tl >= sizeof out->title) {
        tl = sizeof out->title - 1;
        while (tl > 0 && ((unsigned char)out->cmds[0].text[tl] & 0xC0) == 0x80) tl--;
    }
    memcpy(out->title, out->cmds[0].text, tl);
    out->title[tl] = '\0';
    return true;
}

bool lesson_load(lesson *out, const char *path, char *err, size_t errsize) {
    char *text, msg[600];
    size_t n;
    memset(out, 0, sizeof *out);
    msg[0] = '\0';
    if (!app_read_file(path, LESSON_MAX_BYTES, "the lesson ", &text, &n, msg, sizeof msg)) {
        text_escape(msg, strlen(msg), err, errsize);  // the message quotes the path
        return false;
    }
    if (strlen(text) != n) {
        char shown[300];
        text_escape(path, strlen(path), shown, sizeof shown);
        snprintf(err, errsize, "'%s' is not a text file (it contains a NUL byte)", shown);
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

void lesson_choice_text(const char *text, int i, char *buf, size_t size) {
    const char *at = text;
    for (int k = 0; k < i && at; k++) {
        at = strchr(at, '|');
        if (at) at++;
    }
    if (!at || size == 0) {
        if (size) buf[0] = '\0';
        return;
    }
    at = rest_(at);
    const char *bar = strchr(at, '|');
    size_t n = bar ? (size_t)(bar - at) : strlen(at);
    while (n > 0 && at[n - 1] == ' ') n--;
    if (n >= size) n = size - 1;
    memcpy(buf, at, n);
    buf[n] = '\0';
}

void lesson_choice_line(const char *text, bool predict, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 1; i <= LESSON_CHOICES_MAX && n < size; i++) {
        char piece[LESSON_TEXT];
        if (predict) snprintf(piece, sizeof piece, "%s", i == 1 ? "higher" : i == 2 ? "lower" : "");
        else lesson_choice_text(text, i, piece, sizeof piece);
        if (!piece[0]) break;
        n += (size_t)snprintf(buf + n, size - n, "%s*%d:* %s", i > 1 ? "  \u00B7  " : "  ", i, piece);
    }
}
