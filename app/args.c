// args.c - option parsing shared by the subcommands.
#include "args.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const arg_spec *find_(const arg_spec *specs, const char *name, size_t len) {
    for (const arg_spec *s = specs; s->name; s++)
        if (strlen(s->name) == len && strncmp(s->name, name, len) == 0) return s;
    return NULL;
}

// A positional argument: refused past the command's count.
static bool positional_(parsed_args *out, const char *a, int max_positional, const char *cmd,
                        char *err, size_t errsize) {
    if (out->n_positional >= max_positional || out->n_positional >= ARGS_MAX) {
        if (max_positional == 0)
            snprintf(err, errsize, "unexpected argument '%.200s' (options start with --; see convstep %s --help)",
                     a, cmd);
        else
            snprintf(err, errsize, "unexpected argument '%.200s': convstep %s takes at most %d (see convstep %s --help)",
                     a, cmd, max_positional < ARGS_MAX ? max_positional : ARGS_MAX, cmd);
        return false;
    }
    out->positional[out->n_positional++] = a;
    return true;
}

bool args_parse(const arg_spec *specs, int argc, char **argv, int max_positional,
                parsed_args *out, const char *cmd, char *err, size_t errsize) {
    out->count = 0;
    out->n_positional = 0;
    bool options_ended = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (options_ended || a[0] != '-' || strcmp(a, "-") == 0) {
            if (!positional_(out, a, max_positional, cmd, err, errsize)) return false;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_ended = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 && find_(specs, "help", 4)) a = "--help";
        if (strncmp(a, "--", 2) != 0) {
            snprintf(err, errsize, "unknown option '%.200s' for convstep %s (options start with --; "
                     "a file whose name starts with - goes after --)", a, cmd);
            return false;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const arg_spec *s = find_(specs, name, len);
        if (!s) {
            snprintf(err, errsize, "unknown option '--%.*s' for convstep %s (see convstep %s --help)",
                     (int)len, name, cmd, cmd);
            return false;
        }
        const char *value = NULL;
        if (s->takes_value) {
            if (eq) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                snprintf(err, errsize, "option --%s needs a value", s->name);
                return false;
            }
        } else if (eq) {
            snprintf(err, errsize, "option --%s takes no value", s->name);
            return false;
        }
        if (!s->repeatable && args_has(out, s->name)) {
            snprintf(err, errsize, "option --%s is given twice", s->name);
            return false;
        }
        if (out->count == ARGS_MAX) {
            snprintf(err, errsize, "too many options (at most %d)", ARGS_MAX);
            return false;
        }
        out->spec[out->count] = s;
        out->value[out->count] = value;
        out->count++;
    }
    return true;
}

const char *args_get(const parsed_args *a, const char *name) {
    const char *v = NULL;
    for (int i = 0; i < a->count; i++)
        if (strcmp(a->spec[i]->name, name) == 0) v = a->value[i];
    return v;
}

bool args_has(const parsed_args *a, const char *name) {
    for (int i = 0; i < a->count; i++)
        if (strcmp(a->spec[i]->name, name) == 0) return true;
    return false;
}

int args_get_all(const parsed_args *a, const char *name, const char **values, int max) {
    int n = 0;
    for (int i = 0; i < a->count && n < max; i++)
        if (strcmp(a->spec[i]->name, name) == 0) values[n++] = a->value[i];
    return n;
}

bool args_int(const char *text, const char *what, int lo, int hi, int *out, char *err,
              size_t errsize) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || end == text) {
        snprintf(err, errsize, "%s: '%s' is not a whole number", what, text);
        return false;
    }
    if (v < lo && errno != ERANGE) {
        if (lo == 0)
            snprintf(err, errsize, "%s must not be negative, got %s", what, text);
        else
            snprintf(err, errsize, "%s must be at least %d, got %s", what, lo, text);
        return false;
    }
    if (errno == ERANGE || v < lo || v > hi) {
        snprintf(err, errsize, "%s must be from %d to %d, got %s", what, lo, hi, text);
        return false;
    }
    *out = (int)v;
    return true;
}
