// matrix.c - the matrix parser for --input, --kernel, --expect and @FILE.
#include "matrix.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "format.h"
#include "text.h"

// ---- Reading one value ----------------------------------------------------------

static bool is_sep_(char c) { return c == ' ' || c == '\t' || c == ',' || c == '\r'; }

// Parses the number in [s, e): plain decimal notation with an optional sign,
// point and exponent. Rejects hex, "inf", "nan" and anything strtod would
// accept that a person would not call a number.
static bool parse_value_(const char *s, const char *e, float *out, signed char *decimals) {
    char buf[64];
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    const char *p = buf;
    if (*p == '+' || *p == '-') p++;
    int digits = 0, after_point = 0;
    bool point = false, exponent = false;
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            digits++;
            if (point) after_point++;
        } else if (*p == '.' && !point) {
            point = true;
        } else if ((*p == 'e' || *p == 'E') && digits > 0) {
            exponent = true;
            p++;
            if (*p == '+' || *p == '-') p++;
            if (!isdigit((unsigned char)*p)) return false;
            while (isdigit((unsigned char)*p)) p++;
            break;
        } else {
            return false;
        }
    }
    if (digits == 0 || *p != '\0') return false;
    errno = 0;
    double v = strtod(buf, NULL);
    if (errno == ERANGE || !isfinite(v) || fabs(v) > 3.0e38) return false;
    *out = (float)v;
    if (decimals) *decimals = exponent ? -1 : (signed char)(after_point > 100 ? 100 : after_point);
    return true;
}

bool app_parse_value(const char *text, float *out, signed char *decimals) {
    return parse_value_(text, text + strlen(text), out, decimals);
}

// ---- Growing arrays -----------------------------------------------------------------

typedef struct values_ {
    float *v;
    signed char *d;
    size_t n, cap;
} values_;

static bool push_(values_ *a, float v, signed char d) {
    if (a->n == a->cap) {
        // Callers stop at MATRIX_MAX_VALUES, so the arrays never grow past it.
        size_t cap = a->cap ? a->cap * 2 : 64;
        if (cap > MATRIX_MAX_VALUES) cap = MATRIX_MAX_VALUES;
        float *nv = realloc(a->v, cap * sizeof *nv);
        if (!nv) return false;
        a->v = nv;
        signed char *nd = realloc(a->d, cap);
        if (!nd) return false;
        a->d = nd;
        a->cap = cap;
    }
    a->v[a->n] = v;
    a->d[a->n] = d;
    a->n++;
    return true;
}

// ---- The parser -----------------------------------------------------------------------

typedef struct parse_ {
    const char *what, *source;  // source: the file name, escaped for messages (or NULL)
    char *err;
    size_t errsize;
    values_ vals;
    int c, h, w;        // channels finished, rows in the current channel, width
    int first_h;        // rows of the first channel
    int line;           // file line (files only)
    int last_row_line;  // file line of the last row read
    bool multi_channel; // inline text with '|': messages name the channel
} parse_;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool fail_(parse_ *ps, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ps->source)
        snprintf(ps->err, ps->errsize, "%s:%d: %s", ps->source, ps->line, msg);
    else if (ps->multi_channel)
        snprintf(ps->err, ps->errsize, "%s, channel %d, row %d: %s", ps->what, ps->c + 1,
                 ps->h + 1, msg);
    else
        snprintf(ps->err, ps->errsize, "%s, row %d: %s", ps->what, ps->h + 1, msg);
    return false;
}

// Ends the current channel (if it has rows), checking it matches the first.
static bool end_channel_(parse_ *ps) {
    if (ps->h == 0) return true;
    if (ps->c == 0) {
        ps->first_h = ps->h;
    } else if (ps->h != ps->first_h) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "channel %d has %d rows but channel 1 has %d (every channel must be the same size)",
                 ps->c + 1, ps->h, ps->first_h);
        if (ps->source)
            snprintf(ps->err, ps->errsize, "%s:%d: %s", ps->source, ps->last_row_line, msg);
        else
            snprintf(ps->err, ps->errsize, "%s: %s", ps->what, msg);
        return false;
    }
    if (ps->c + 1 > MATRIX_MAX_AXIS) return fail_(ps, "more than %d channels", MATRIX_MAX_AXIS);
    ps->c++;
    ps->h = 0;
    return true;
}

// Parses one row [s, e) of values.
static bool row_(parse_ *ps, const char *s, const char *e) {
    int count = 0;
    const char *p = s;
    for (;;) {
        while (p < e && is_sep_(*p)) p++;
        if (p >= e) break;
        const char *t = p;
        while (p < e && !is_sep_(*p)) p++;
        float v;
        signed char d;
        if (!parse_value_(t, p, &v, &d)) {
            char shown[200];  // the file's bytes, never raw on a terminal
            text_escape(t, (size_t)(p - t) > 40 ? 40 : (size_t)(p - t), shown, sizeof shown);
            return fail_(ps, "'%s' is not a number (value %d of the row)", shown, count + 1);
        }
        if (ps->vals.n >= MATRIX_MAX_VALUES)
            return fail_(ps, "more than %d values", MATRIX_MAX_VALUES);
        if (!push_(&ps->vals, v, d)) return fail_(ps, "out of memory");
        count++;
    }
    if (count == 0) return true;  // callers decide whether an empty row matters
    if (ps->w == 0) {
        if (count > MATRIX_MAX_AXIS) return fail_(ps, "more than %d values in a row", MATRIX_MAX_AXIS);
        ps->w = count;
    } else if (count != ps->w) {
        return fail_(ps, "this row has %d values but the first row has %d (a matrix must be "
                         "rectangular)",
                     count, ps->w);
    }
    if (ps->h + 1 > MATRIX_MAX_AXIS) return fail_(ps, "more than %d rows", MATRIX_MAX_AXIS);
    ps->h++;
    ps->last_row_line = ps->line;
    return true;
}

static bool blank_(const char *s, const char *e) {
    for (; s < e; s++)
        if (!is_sep_(*s)) return false;
    return true;
}

// True if only separators and ';' remain before the channel or the text ends.
static bool rest_of_channel_blank_(const char *s) {
    for (; *s && *s != '|'; s++)
        if (!is_sep_(*s) && *s != ';' && *s != '\n') return false;
    return true;
}

// Inline text: '|' ends a channel, ';' (or a newline) ends a row.
static bool parse_inline_(parse_ *ps, const char *text) {
    if (rest_of_channel_blank_(text) && strchr(text, '|') == NULL) return true;  // empty
    ps->multi_channel = strchr(text, '|') != NULL;
    const char *p = text;
    for (;;) {
        const char *e = p;
        while (*e && *e != ';' && *e != '|' && *e != '\n') e++;
        if (!blank_(p, e)) {
            if (!row_(ps, p, e)) return false;
        } else if (*e != '\0' && *e != '|' && !rest_of_channel_blank_(e + 1)) {
            // "1 2; 3 4;" may end with a ';', but a blank row between rows is a typo.
            return fail_(ps, "the row is empty (two ';' together?)");
        }
        if (*e == '|' || *e == '\0') {
            if (ps->h == 0) return fail_(ps, "channel %d has no values", ps->c + 1);
            if (!end_channel_(ps)) return false;
        }
        if (*e == '\0') break;
        p = e + 1;
    }
    return true;
}

// File text: a line per row, blank lines between channels, '#' comments.
static bool parse_file_(parse_ *ps, const char *text) {
    const char *p = text;
    ps->line = 0;
    for (;;) {
        const char *e = p;
        while (*e && *e != '\n') e++;
        ps->line++;
        if ((size_t)(e - p) > TEXT_MAX_LINE)
            return fail_(ps, "the line is longer than %d bytes (the limit for every text file)",
                         TEXT_MAX_LINE);
        const char *hash = memchr(p, '#', (size_t)(e - p));
        const char *end = hash ? hash : e;
        if (memchr(p, ';', (size_t)(end - p)) || memchr(p, '|', (size_t)(end - p)))
            return fail_(ps, "in a file, write one row per line and a blank line between "
                             "channels (found ';' or '|')");
        if (blank_(p, end)) {
            if (!hash && !end_channel_(ps)) return false;  // a blank line ends a channel
        } else if (!row_(ps, p, end)) {
            return false;
        }
        if (*e == '\0') break;
        p = e + 1;
    }
    return end_channel_(ps);
}

bool app_matrix_parse(app_matrix *m, const char *text, const char *what, const char *source,
                      char *err, size_t errsize) {
    memset(m, 0, sizeof *m);
    char shown_source[300];
    if (source) {
        text_escape(source, strlen(source), shown_source, sizeof shown_source);
        source = shown_source;
        text = text_skip_bom(text);
    }
    // One kind of line end: "\r\n" and a lone "\r" end a row as "\n" does.
    char *unified = text_unify_line_ends(text);
    if (!unified) {
        snprintf(err, errsize, "%s: out of memory", source ? source : what);
        return false;
    }
    parse_ ps = {.what = what, .source = source, .err = err, .errsize = errsize};
    bool ok = source ? parse_file_(&ps, unified) : parse_inline_(&ps, unified);
    free(unified);
    if (ok && ps.c == 0) {
        if (source)
            snprintf(err, errsize, "%s: the matrix is empty (no numbers in the file)", source);
        else
            snprintf(err, errsize, "%s: the matrix is empty", what);
        ok = false;
    }
    if (!ok) {
        free(ps.vals.v);
        free(ps.vals.d);
        return false;
    }
    m->c = ps.c;
    m->h = ps.first_h;
    m->w = ps.w;
    m->values = ps.vals.v;
    m->decimals = ps.vals.d;
    return true;
}

// Reads a matrix file whole: text only, at most MATRIX_MAX_FILE_BYTES.
static char *slurp_(const char *path, const char *what, char *err, size_t errsize) {
    char *buf, msg[400], shown[600];
    size_t n;
    msg[0] = '\0';
    if (!app_read_file(path, MATRIX_MAX_FILE_BYTES, "", &buf, &n, msg, sizeof msg)) {
        text_escape(msg, strlen(msg), shown, sizeof shown);  // the message quotes the path
        snprintf(err, errsize, "%s: %s", what, shown);
        return NULL;
    }
    if (strlen(buf) != n) {
        text_escape(path, strlen(path), shown, sizeof shown);
        snprintf(err, errsize, "%s: '%s' is not a text file (it contains a NUL byte)", what, shown);
        free(buf);
        return NULL;
    }
    return buf;
}

bool app_matrix_read(app_matrix *m, const char *arg, const char *what, char *err, size_t errsize) {
    memset(m, 0, sizeof *m);
    err[0] = '\0';
    if (arg[0] != '@') return app_matrix_parse(m, arg, what, NULL, err, errsize);
    const char *path = arg + 1;
    if (*path == '\0') {
        snprintf(err, errsize, "%s: '@' must be followed by a file name", what);
        return false;
    }
    char *text = slurp_(path, what, err, errsize);
    if (!text) return false;
    bool ok = app_matrix_parse(m, text, what, path, err, errsize);
    free(text);
    return ok;
}

void app_matrix_free(app_matrix *m) {
    free(m->values);
    free(m->decimals);
    m->values = NULL;
    m->decimals = NULL;
}

bool app_parse_numbers(const char *text, const char *what, float **out, int *count, char *err,
                       size_t errsize) {
    app_matrix m;
    *out = NULL;
    *count = 0;
    if (!app_matrix_parse(&m, text, what, NULL, err, errsize)) return false;
    if (m.c != 1 || m.h != 1) {
        snprintf(err, errsize, "%s: expected one list of numbers such as '1, 2', got %d %s",
                 what, m.c > 1 ? m.c : m.h, m.c > 1 ? "channels" : "rows");
        app_matrix_free(&m);
        return false;
    }
    *out = m.values;
    *count = m.w;
    free(m.decimals);
    return true;
}
