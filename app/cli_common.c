// cli_common.c - what the subcommands share: the error line, and the parsers
// of option values that more than one command takes.
#include "cli_common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "report.h"
#include "text.h"

int cli_fail(FILE *err, const char *msg, int code) {
    // Messages quote file names, arguments and file contents: whatever their
    // bytes, no control character reaches the terminal raw.
    char safe[4096];
    fprintf(err, "convstep: error: %s\n", text_escape(msg, strlen(msg), safe, sizeof safe));
    return code;
}

bool cli_check_finite(const float *v, int c, int h, int w, const char *per, char *err,
                      size_t errsize) {
    for (int i = 0; i < c * h * w; i++) {
        if (isfinite(v[i])) continue;
        snprintf(err, errsize,
                 "the result at %s %d, (%d,%d) is too large for a 32-bit float: use smaller numbers",
                 per, i / (h * w) + 1, i % (h * w) / w, i % w);
        return false;
    }
    return true;
}

// "valid", "same" or a whole number of cells.
bool cli_parse_padding(const char *text, nn_padding *pad, char *err, size_t errsize) {
    if (strcmp(text, "valid") == 0) {
        pad->mode = NN_PAD_VALID;
        pad->p = 0;
        return true;
    }
    if (strcmp(text, "same") == 0) {
        pad->mode = NN_PAD_SAME;
        pad->p = 0;
        return true;
    }
    pad->mode = NN_PAD_EXPLICIT;
    char *end;
    strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0') {
        snprintf(err, errsize, "--padding must be valid, same or a whole number, got '%.40s'", text);
        return false;
    }
    return args_int(text, "--padding", 0, REPORT_MAX_PADDING, &pad->p, err, errsize);
}

// Parses "HxWxC" (or "HxW", one channel).
bool cli_parse_hwc(const char *text, nn_shape *shape, char *err, size_t errsize) {
    long v[3] = {0, 0, 1};
    int n = 0;
    const char *p = text;
    while (n < 3) {
        if (*p < '0' || *p > '9') break;
        char *end;
        v[n++] = strtol(p, &end, 10);
        p = end;
        if (*p == 'x' || *p == 'X') {
            p++;
            continue;
        }
        break;
    }
    if (*p != '\0' || n < 2 || (p > text && (p[-1] == 'x' || p[-1] == 'X'))) {
        snprintf(err, errsize, "--input must be HxWxC, such as 28x28x1, got '%.40s'", text);
        return false;
    }
    for (int i = 0; i < 3; i++) {
        if (v[i] < 1 || v[i] > NN_MAX_AXIS) {
            snprintf(err, errsize, "--input '%.40s': every size must be from 1 to %d", text,
                     NN_MAX_AXIS);
            return false;
        }
    }
    *shape = nn_shape_map((int)v[2], (int)v[0], (int)v[1]);
    if (nn_shape_count(*shape) == 0) {
        snprintf(err, errsize, "--input '%.40s' has more than %d values", text, NN_MAX_ELEMENTS);
        return false;
    }
    return true;
}
