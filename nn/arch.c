// arch.c - the architecture-string parser. Strict: every unknown layer,
// option, or stray character is an error that names its column.
#include "arch.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"

#define ARCH_MAX_ARGS 8
#define ARCH_QUOTE_BYTES 32  // the most bytes of a word quoted in a message

static const struct {
    const char *name, *text;
} presets_[] = {
    {"lenet5", "conv(6,5,pad=2),relu,maxpool(2),conv(16,5),relu,maxpool(2),flatten,"
               "dense(120),relu,dense(84),relu,dense(10),softmax"},
    {"softmax", "flatten,dense(10),softmax"},
};

// How each layer is written: its name, how many positional values it takes,
// and which key=value options it accepts.
static const struct {
    const char *name;
    nn_layer_kind kind;
    int positional;
    const char *keys;  // space-separated
    const char *usage;
} kinds_[] = {
    {"conv", NN_LAYER_CONV, 2, "stride pad dilation",
     "conv(F,K[,stride=S][,pad=valid|same|P][,dilation=D])"},
    {"maxpool", NN_LAYER_MAXPOOL, 1, "stride pad", "maxpool(K[,stride=S][,pad=P])"},
    {"avgpool", NN_LAYER_AVGPOOL, 1, "stride pad", "avgpool(K[,stride=S][,pad=P])"},
    {"relu", NN_LAYER_RELU, 0, "", "relu"},
    {"sigmoid", NN_LAYER_SIGMOID, 0, "", "sigmoid"},
    {"tanh", NN_LAYER_TANH, 0, "", "tanh"},
    {"dropout", NN_LAYER_DROPOUT, 1, "", "dropout(P)"},
    {"flatten", NN_LAYER_FLATTEN, 0, "", "flatten"},
    {"dense", NN_LAYER_DENSE, 1, "", "dense(N)"},
    {"softmax", NN_LAYER_SOFTMAX, 0, "", "softmax"},
};
#define N_KINDS ((int)(sizeof kinds_ / sizeof kinds_[0]))

const char *nn_arch_preset(const char *name) {
    // Trim and lower-case into a small buffer: presets are short.
    char key[32];
    const char *b = name, *e = name + strlen(name);
    while (b < e && isspace((unsigned char)*b)) b++;
    while (e > b && isspace((unsigned char)e[-1])) e--;
    if ((size_t)(e - b) >= sizeof key) return NULL;
    for (size_t i = 0; i < (size_t)(e - b); i++) key[i] = (char)tolower((unsigned char)b[i]);
    key[e - b] = '\0';
    for (size_t i = 0; i < sizeof presets_ / sizeof presets_[0]; i++)
        if (strcmp(key, presets_[i].name) == 0) return presets_[i].text;
    return NULL;
}

const char *nn_arch_expand(const char *text) {
    const char *preset = nn_arch_preset(text);
    return preset ? preset : text;
}

// ---- Lexing helpers ---------------------------------------------------------

typedef struct parser_ {
    const char *text;
    const char *p;
    nn_error *err;
} parser_;

// The 1-based column of `at`, counting characters: UTF-8 continuation bytes
// (10xxxxxx) do not start one, so 'cönv(' puts '(' in column 5.
static int col_(const parser_ *ps, const char *at) {
    int col = 1;
    for (const char *q = ps->text; q < at; q++)
        if (((unsigned char)*q & 0xC0) != 0x80) col++;
    return col;
}

// The length of the valid, printable UTF-8 character at p (2 to 4 bytes), or
// 0 if p does not start one: a stray byte, an overlong form, a surrogate, or
// a character that steers a terminal (C1 controls, line and paragraph
// separators, bidirectional overrides, zero-width marks).
static int utf8_printable_(const unsigned char *p) {
    int len;
    unsigned cp;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) len = 2, cp = p[0] & 0x1Fu;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF) len = 3, cp = p[0] & 0x0Fu;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4) len = 4, cp = p[0] & 0x07u;
    else return 0;
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;  // also stops at the NUL
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp < 0xA0 || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF)
        return 0;
    return len;
}

// Writes text [b, e) into buf as it may be shown: printable ASCII and
// printable UTF-8 characters as they are, every other byte as \xNN; a word
// longer than ARCH_QUOTE_BYTES ends in "...".
static void quote_(const char *b, const char *e, char *buf, size_t size) {
    size_t n = 0;
    const char *stop = e - b > ARCH_QUOTE_BYTES ? b + ARCH_QUOTE_BYTES : e;
    const unsigned char *p = (const unsigned char *)b;
    while ((const char *)p < stop && n + 5 < size) {
        int len = *p >= 0x20 && *p < 0x7F ? 1 : utf8_printable_(p);
        if (len > 0 && (const char *)p + len <= e && n + (size_t)len < size) {
            memcpy(buf + n, p, (size_t)len);
            n += (size_t)len;
            p += len;
        } else {
            n += (size_t)snprintf(buf + n, size - n, "\\x%02x", *p);
            p++;
        }
    }
    if ((const char *)p < e && n + 4 < size) memcpy(buf + n, "...", 3), n += 3;
    buf[n] = '\0';
}

// The end of the word at p: everything up to a space, ',', '(', ')', '=' or
// the end of the text, so a name with stray bytes is reported whole.
static const char *word_end_(const char *p) {
    while (*p && !strchr(" \t\n\r,()=", *p)) p++;
    return p;
}

// The end of the one character at p (a whole UTF-8 sequence when valid).
static const char *char_end_(const char *p) {
    const int len = utf8_printable_((const unsigned char *)p);
    return p + (len > 0 ? len : 1);
}

static void skip_space_(parser_ *ps) {
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') ps->p++;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static nn_status fail_(parser_ *ps, const char *at, const char *fmt, ...) {
    char what[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    nn_error_set(ps->err, NN_ERR_PARSE, "architecture column %d: %s", col_(ps, at), what);
    if (ps->err) ps->err->column = col_(ps, at);
    return NN_ERR_PARSE;
}

// A token: letters, digits, '_', '.', '-', '+' (names, numbers, keys, values).
// Returns its length; a token too long for buf is cut there (the callers
// refuse it by its length).
static int token_(parser_ *ps, char *buf, int size, const char **start) {
    skip_space_(ps);
    *start = ps->p;
    int n = 0;
    while (isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '.' || *ps->p == '-' ||
           *ps->p == '+') {
        if (n < size - 1) buf[n++] = *ps->p;
        ps->p++;
    }
    buf[n] = '\0';
    return (int)(ps->p - *start);
}

// Parses a whole number in [lo, hi]; fails with the key's name otherwise.
static nn_status int_value_(parser_ *ps, const char *tok, const char *at, const char *what,
                            int lo, int hi, int *out) {
    char *end;
    errno = 0;
    long v = strtol(tok, &end, 10);
    if (*tok == '\0' || *end != '\0')
        return fail_(ps, at, "%s must be a whole number, got '%s'", what, tok);
    if (errno == ERANGE || v < lo || v > hi)
        return fail_(ps, at, "%s must be from %d to %d, got %s", what, lo, hi, tok);
    *out = (int)v;
    return NN_OK;
}

// ---- Layers -------------------------------------------------------------------

typedef struct arg_ {
    char key[32], value[32];  // key empty for a positional value
    const char *at;
} arg_;

// Applies a key=value option the layer is known to accept.
static nn_status apply_option_(parser_ *ps, nn_layer_spec *s, const arg_ *a) {
    if (strcmp(a->key, "stride") == 0) {
        return int_value_(ps, a->value, a->at, "stride", 1, NN_MAX_AXIS, &s->stride);
    }
    if (strcmp(a->key, "dilation") == 0) {
        return int_value_(ps, a->value, a->at, "dilation", 1, NN_MAX_AXIS, &s->dilation);
    }
    if (strcmp(a->key, "pad") == 0) {
        if (s->kind == NN_LAYER_CONV && strcmp(a->value, "valid") == 0) {
            s->padding.mode = NN_PAD_VALID;
            return NN_OK;
        }
        if (s->kind == NN_LAYER_CONV && strcmp(a->value, "same") == 0) {
            s->padding.mode = NN_PAD_SAME;
            return NN_OK;
        }
        s->padding.mode = NN_PAD_EXPLICIT;
        return int_value_(ps, a->value, a->at,
                          s->kind == NN_LAYER_CONV ? "pad (valid, same or a number)" : "pad",
                          0, NN_MAX_AXIS, &s->padding.p);
    }
    return fail_(ps, a->at, "unknown option '%s'", a->key);  // keys are checked before
}

static nn_status apply_positional_(parser_ *ps, nn_layer_spec *s, const arg_ *a, int index) {
    switch (s->kind) {
    case NN_LAYER_CONV:
        return index == 0
                   ? int_value_(ps, a->value, a->at, "the number of filters F", 1, NN_MAX_AXIS,
                                &s->filters)
                   : int_value_(ps, a->value, a->at, "the kernel size K", 1, NN_MAX_AXIS,
                                &s->kernel);
    case NN_LAYER_MAXPOOL:
    case NN_LAYER_AVGPOOL:
        return int_value_(ps, a->value, a->at, "the window size K", 1, NN_MAX_AXIS, &s->kernel);
    case NN_LAYER_DENSE:
        return int_value_(ps, a->value, a->at, "the number of units N", 1, NN_MAX_AXIS,
                          &s->units);
    case NN_LAYER_DROPOUT: {
        char *end;
        errno = 0;
        double r = strtod(a->value, &end);
        if (a->value[0] == '\0' || *end != '\0' || errno == ERANGE)
            return fail_(ps, a->at, "the dropout rate must be a number, got '%s'", a->value);
        if (!(r >= 0.0 && r < 1.0))
            return fail_(ps, a->at, "the dropout rate must be at least 0 and below 1, got %s",
                         a->value);
        s->rate = (float)r;
        return NN_OK;
    }
    default:
        return NN_ERR_PARSE;  // not reached: counts are checked before
    }
}

static int find_kind_(const char *name) {
    for (int i = 0; i < N_KINDS; i++)
        if (strcmp(name, kinds_[i].name) == 0) return i;
    return -1;
}

static int has_key_(const char *keys, const char *key) {
    size_t n = strlen(key);
    for (const char *k = keys; (k = strstr(k, key)) != NULL; k += n)
        if ((k == keys || k[-1] == ' ') && (k[n] == ' ' || k[n] == '\0')) return 1;
    return 0;
}

// Reads "name" or "name(args)" at ps->p into *s.
static nn_status layer_(parser_ *ps, nn_layer_spec *s) {
    char name[32], shown[128];
    const char *at;
    const int len = token_(ps, name, sizeof name, &at);
    // The whole word, stray bytes and all: 'cönv' is reported as 'cönv', not 'c'.
    const char *end = word_end_(at);
    if (len == 0 && end == at) {
        if (*ps->p == '\0') return fail_(ps, at, "a layer is missing (the text ends here)");
        quote_(at, char_end_(at), shown, sizeof shown);
        return fail_(ps, at, "expected a layer name, found '%s'", shown);
    }
    for (char *q = name; *q; q++) *q = (char)tolower((unsigned char)*q);
    int ki = end == ps->p && len < (int)sizeof name ? find_kind_(name) : -1;
    if (ki < 0) {
        quote_(at, end, shown, sizeof shown);
        return fail_(ps, at,
                     "unknown layer '%s' (known: conv, maxpool, avgpool, relu, sigmoid, tanh, "
                     "dropout, flatten, dense, softmax)",
                     shown);
    }
    memset(s, 0, sizeof *s);
    s->kind = kinds_[ki].kind;
    s->column = col_(ps, at);
    s->stride = s->kind == NN_LAYER_CONV ? 1 : 0;
    s->dilation = 1;
    s->padding.mode = s->kind == NN_LAYER_CONV ? NN_PAD_VALID : NN_PAD_EXPLICIT;

    arg_ args[ARCH_MAX_ARGS];
    int n_args = 0;
    skip_space_(ps);
    const char *open = ps->p;
    if (*ps->p == '(') {
        ps->p++;
        skip_space_(ps);
        if (*ps->p == ')') {
            ps->p++;
        } else {
            for (;;) {
                if (n_args == ARCH_MAX_ARGS)
                    return fail_(ps, ps->p, "too many values for %s (usage: %s)", name,
                                 kinds_[ki].usage);
                arg_ *a = &args[n_args++];
                a->key[0] = '\0';
                int vlen = token_(ps, a->value, sizeof a->value, &a->at);
                if (vlen == 0)
                    return fail_(ps, ps->p, "expected a value (usage: %s)", kinds_[ki].usage);
                const char *vat = a->at;
                skip_space_(ps);
                if (*ps->p == '=') {
                    ps->p++;
                    if (vlen >= (int)sizeof a->key) {
                        quote_(a->at, a->at + vlen, shown, sizeof shown);
                        return fail_(ps, a->at, "unknown option '%s' (usage: %s)", shown,
                                     kinds_[ki].usage);
                    }
                    memcpy(a->key, a->value, sizeof a->key);
                    vlen = token_(ps, a->value, sizeof a->value, &vat);
                    if (vlen == 0)
                        return fail_(ps, ps->p, "expected a value after '%s=' (usage: %s)",
                                     a->key, kinds_[ki].usage);
                    skip_space_(ps);
                }
                // A value is at most 31 characters: a longer one is refused, never cut.
                if (vlen >= (int)sizeof a->value) {
                    quote_(vat, vat + vlen, shown, sizeof shown);
                    return fail_(ps, vat, "the value '%s' is too long (at most %d characters)",
                                 shown, (int)sizeof a->value - 1);
                }
                if (*ps->p == ',') {
                    ps->p++;
                    continue;
                }
                if (*ps->p == ')') {
                    ps->p++;
                    break;
                }
                if (*ps->p == '\0')
                    return fail_(ps, open, "'(' is never closed (usage: %s)", kinds_[ki].usage);
                quote_(ps->p, char_end_(ps->p), shown, sizeof shown);
                return fail_(ps, ps->p, "unexpected '%s' (usage: %s)", shown, kinds_[ki].usage);
            }
        }
    }

    // Positional values first, then key=value options, each known to the layer.
    int positional = 0;
    for (int i = 0; i < n_args; i++) {
        const arg_ *a = &args[i];
        if (a->key[0] == '\0') {
            if (i > positional)
                return fail_(ps, a->at, "a plain value after key=value options (usage: %s)",
                             kinds_[ki].usage);
            if (positional == kinds_[ki].positional)
                return fail_(ps, a->at, "too many values for %s (usage: %s)", name,
                             kinds_[ki].usage);
            nn_status st = apply_positional_(ps, s, a, positional++);
            if (st != NN_OK) return st;
        } else {
            if (!has_key_(kinds_[ki].keys, a->key))
                return fail_(ps, a->at, "unknown option '%s' (usage: %s)", a->key,
                             kinds_[ki].usage);
            // pad=same,pad=valid: which one was meant is anybody's guess.
            for (int j = 0; j < i; j++)
                if (strcmp(args[j].key, a->key) == 0)
                    return fail_(ps, a->at,
                                 "the option '%s' is given twice in this %s layer (first in "
                                 "column %d): give it once",
                                 a->key, name, col_(ps, args[j].at));
            nn_status st = apply_option_(ps, s, a);
            if (st != NN_OK) return st;
        }
    }
    if (positional < kinds_[ki].positional)
        return fail_(ps, at, "%s needs more values (usage: %s)", name, kinds_[ki].usage);
    return NN_OK;
}

nn_status nn_arch_parse(const char *text, nn_layer_spec **layers, int *count, nn_error *err) {
    *layers = NULL;
    *count = 0;
    text = nn_arch_expand(text);  // a preset is the whole string
    parser_ ps = {text, text, err};
    nn_layer_spec *out = malloc(sizeof *out * NN_MAX_LAYERS);
    if (!out) return nn_error_set(err, NN_ERR_NOMEM, "out of memory");
    int n = 0;
    skip_space_(&ps);
    if (*ps.p == '\0') {
        free(out);
        return nn_error_set(err, NN_ERR_PARSE, "the architecture is empty");
    }
    for (;;) {
        if (n == NN_MAX_LAYERS) {
            free(out);
            return fail_(&ps, ps.p, "more than %d layers: a model has at most %d", NN_MAX_LAYERS,
                         NN_MAX_LAYERS);
        }
        nn_status st = layer_(&ps, &out[n]);
        if (st != NN_OK) {
            free(out);
            return st;
        }
        n++;
        skip_space_(&ps);
        if (*ps.p == '\0') break;
        if (*ps.p != ',') {
            char shown[32];
            quote_(ps.p, char_end_(ps.p), shown, sizeof shown);
            nn_status st2 = fail_(&ps, ps.p, "expected ',' between layers, found '%s'", shown);
            free(out);
            return st2;
        }
        ps.p++;
    }
    *layers = out;
    *count = n;
    return NN_OK;
}

void nn_layer_spec_format(const nn_layer_spec *s, char *buf, int size) {
    char extra[96] = "";
    switch (s->kind) {
    case NN_LAYER_CONV: {
        int n = 0;
        if (s->stride != 1) n += snprintf(extra + n, sizeof extra - (size_t)n, ",stride=%d", s->stride);
        if (s->padding.mode == NN_PAD_SAME)
            n += snprintf(extra + n, sizeof extra - (size_t)n, ",pad=same");
        else if (s->padding.mode == NN_PAD_EXPLICIT)
            n += snprintf(extra + n, sizeof extra - (size_t)n, ",pad=%d", s->padding.p);
        if (s->dilation != 1)
            snprintf(extra + n, sizeof extra - (size_t)n, ",dilation=%d", s->dilation);
        snprintf(buf, (size_t)size, "conv(%d,%d%s)", s->filters, s->kernel, extra);
        return;
    }
    case NN_LAYER_MAXPOOL:
    case NN_LAYER_AVGPOOL: {
        int n = 0;
        if (s->stride != 0 && s->stride != s->kernel)
            n += snprintf(extra, sizeof extra, ",stride=%d", s->stride);
        if (s->padding.p != 0) snprintf(extra + n, sizeof extra - (size_t)n, ",pad=%d", s->padding.p);
        snprintf(buf, (size_t)size, "%s(%d%s)", s->kind == NN_LAYER_MAXPOOL ? "maxpool" : "avgpool",
                 s->kernel, extra);
        return;
    }
    case NN_LAYER_DROPOUT: snprintf(buf, (size_t)size, "dropout(%g)", (double)s->rate); return;
    case NN_LAYER_DENSE: snprintf(buf, (size_t)size, "dense(%d)", s->units); return;
    case NN_LAYER_RELU: snprintf(buf, (size_t)size, "relu"); return;
    case NN_LAYER_SIGMOID: snprintf(buf, (size_t)size, "sigmoid"); return;
    case NN_LAYER_TANH: snprintf(buf, (size_t)size, "tanh"); return;
    case NN_LAYER_FLATTEN: snprintf(buf, (size_t)size, "flatten"); return;
    case NN_LAYER_SOFTMAX: snprintf(buf, (size_t)size, "softmax"); return;
    }
    snprintf(buf, (size_t)size, "?");
}
