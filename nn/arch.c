// arch.c - the architecture-string parser. Strict: every unknown layer,
// option, or stray character is an error that names its column. What each
// layer takes is read from its row in nn_layer_kinds[] (layer_kinds.h).
#include "arch.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layer_kinds.h"
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

// Reads one value of a layer as its row describes it.
static nn_status apply_arg_(parser_ *ps, nn_layer_spec *s, const nn_arg_def *def, const arg_ *a) {
    void *field = (char *)s + def->field;
    switch (def->type) {
    case NN_ARG_INT:
        return int_value_(ps, a->value, a->at, def->what, def->lo, NN_MAX_AXIS, field);
    case NN_ARG_RATE: {
        char *end;
        errno = 0;
        double r = strtod(a->value, &end);
        if (a->value[0] == '\0' || *end != '\0' || errno == ERANGE)
            return fail_(ps, a->at, "%s must be a number, got '%s'", def->what, a->value);
        if (!(r >= 0.0 && r < 1.0))
            return fail_(ps, a->at, "%s must be at least 0 and below 1, got %s", def->what,
                         a->value);
        *(float *)field = (float)r;
        return NN_OK;
    }
    case NN_ARG_PADDING:
    case NN_ARG_PAD_CELLS: {
        nn_padding *pad = field;
        if (def->type == NN_ARG_PADDING && strcmp(a->value, "valid") == 0) {
            pad->mode = NN_PAD_VALID;
            return NN_OK;
        }
        if (def->type == NN_ARG_PADDING && strcmp(a->value, "same") == 0) {
            pad->mode = NN_PAD_SAME;
            return NN_OK;
        }
        pad->mode = NN_PAD_EXPLICIT;
        return int_value_(ps, a->value, a->at, def->what, def->lo, NN_MAX_AXIS, &pad->p);
    }
    }
    return fail_(ps, a->at, "unknown option '%s'", a->key);  // not reached
}

// The values of a kind before its options are read: every option's default.
static void spec_defaults_(nn_layer_spec *s, nn_layer_kind kind) {
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->dilation = 1;
    const nn_arg_def *args = nn_layer_kinds[kind].args;
    for (const nn_arg_def *d = args; d < args + NN_MAX_ARG_DEFS && d->what; d++) {
        if (!d->key) continue;
        void *field = (char *)s + d->field;
        if (d->type == NN_ARG_INT) *(int *)field = d->fallback;
        if (d->type == NN_ARG_PADDING) *(nn_padding *)field = (nn_padding){NN_PAD_VALID, 0};
        if (d->type == NN_ARG_PAD_CELLS) *(nn_padding *)field = nn_padding_explicit(0);
    }
}

// The number of positional values a kind takes (they come first in its row).
static int positional_count_(const nn_layer_kind_def *k) {
    int n = 0;
    while (n < NN_MAX_ARG_DEFS && k->args[n].what && !k->args[n].key) n++;
    return n;
}

// The row's option called key, or NULL.
static const nn_arg_def *option_(const nn_layer_kind_def *k, const char *key) {
    for (int i = 0; i < NN_MAX_ARG_DEFS && k->args[i].what; i++)
        if (k->args[i].key && strcmp(k->args[i].key, key) == 0) return &k->args[i];
    return NULL;
}

static int find_kind_(const char *name) {
    for (int i = 0; i < NN_LAYER_KIND_COUNT; i++)
        if (strcmp(name, nn_layer_kinds[i].name) == 0) return i;
    return -1;
}

// "conv, convt, maxpool, ..., softmax": every kind's name, in the table's order.
static void known_kinds_(char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < NN_LAYER_KIND_COUNT && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", nn_layer_kinds[i].name);
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
        char known[160];
        quote_(at, end, shown, sizeof shown);
        known_kinds_(known, sizeof known);
        return fail_(ps, at, "unknown layer '%s' (known: %s)", shown, known);
    }
    const nn_layer_kind_def *kind = &nn_layer_kinds[ki];
    const int n_positional = positional_count_(kind);
    spec_defaults_(s, (nn_layer_kind)ki);
    s->column = col_(ps, at);

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
                                 kind->usage);
                arg_ *a = &args[n_args++];
                a->key[0] = '\0';
                int vlen = token_(ps, a->value, sizeof a->value, &a->at);
                if (vlen == 0)
                    return fail_(ps, ps->p, "expected a value (usage: %s)", kind->usage);
                const char *vat = a->at;
                skip_space_(ps);
                if (*ps->p == '=') {
                    ps->p++;
                    if (vlen >= (int)sizeof a->key) {
                        quote_(a->at, a->at + vlen, shown, sizeof shown);
                        return fail_(ps, a->at, "unknown option '%s' (usage: %s)", shown,
                                     kind->usage);
                    }
                    memcpy(a->key, a->value, sizeof a->key);
                    vlen = token_(ps, a->value, sizeof a->value, &vat);
                    if (vlen == 0)
                        return fail_(ps, ps->p, "expected a value after '%s=' (usage: %s)",
                                     a->key, kind->usage);
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
                    return fail_(ps, open, "'(' is never closed (usage: %s)", kind->usage);
                quote_(ps->p, char_end_(ps->p), shown, sizeof shown);
                return fail_(ps, ps->p, "unexpected '%s' (usage: %s)", shown, kind->usage);
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
                             kind->usage);
            if (positional == n_positional)
                return fail_(ps, a->at, "too many values for %s (usage: %s)", name,
                             kind->usage);
            nn_status st = apply_arg_(ps, s, &kind->args[positional++], a);
            if (st != NN_OK) return st;
        } else {
            const nn_arg_def *option = option_(kind, a->key);
            if (!option)
                return fail_(ps, a->at, "unknown option '%s' (usage: %s)", a->key,
                             kind->usage);
            // pad=same,pad=valid: which one was meant is anybody's guess.
            for (int j = 0; j < i; j++)
                if (strcmp(args[j].key, a->key) == 0)
                    return fail_(ps, a->at,
                                 "the option '%s' is given twice in this %s layer (first in "
                                 "column %d): give it once",
                                 a->key, name, col_(ps, args[j].at));
            nn_status st = apply_arg_(ps, s, option, a);
            if (st != NN_OK) return st;
        }
    }
    if (positional < n_positional)
        return fail_(ps, at, "%s needs more values (usage: %s)", name, kind->usage);
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
    if ((int)s->kind < 0 || s->kind >= NN_LAYER_KIND_COUNT) {
        snprintf(buf, (size_t)size, "?");
        return;
    }
    const nn_layer_kind_def *kind = &nn_layer_kinds[s->kind];
    if (kind->format)
        kind->format(s, buf, size);
    else
        snprintf(buf, (size_t)size, "%s", kind->name);
}
