// format.c - number and formula text shared by every subcommand.
#include "format.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fmt_float(float v, char *buf, size_t size) {
    if (isnan(v)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, v > 0 ? "inf" : "-inf");
        return;
    }
    if (v == 0.0f) {  // also turns -0 into 0: nobody wants to read "-0" in a feature map
        snprintf(buf, size, "0");
        return;
    }
    // Fewest significant digits that survive the round trip (9 always do),
    // in plain notation unless the number is very large or very small.
    const double mag = fabs((double)v);
    const bool plain = mag >= 1e-4 && mag < 1e9;
    for (int digits = 1; digits <= 9; digits++) {
        snprintf(buf, size, "%.*g", digits, (double)v);
        if (plain && strchr(buf, 'e')) continue;
        if (strtof(buf, NULL) == v) return;
    }
}

void fmt_formula_letters(const nn_axis *a, char *buf, size_t size) {
    const char *pad = a->pad_lo == a->pad_hi ? "2p" : "p_lo + p_hi";
    if (a->dilation == 1)
        snprintf(buf, size, "floor((n + %s - f)/s) + 1", pad);
    else
        snprintf(buf, size, "floor((n + %s - d(f-1) - 1)/s) + 1", pad);
}

void fmt_formula_numbers(const nn_axis *a, char *buf, size_t size) {
    char pad[48], kern[48];
    if (a->pad_lo == a->pad_hi)
        snprintf(pad, sizeof pad, "2*%d", a->pad_lo);
    else
        snprintf(pad, sizeof pad, "%d + %d", a->pad_lo, a->pad_hi);
    if (a->dilation == 1)
        snprintf(kern, sizeof kern, "%d", a->f);
    else
        snprintf(kern, sizeof kern, "%d*(%d-1) - 1", a->dilation, a->f);
    long long top = (long long)a->n + a->pad_lo + a->pad_hi - (long long)a->dilation * (a->f - 1) - 1;
    snprintf(buf, size, "floor((%d + %s - %s)/%d) + 1 = floor(%lld/%d) + 1 = %d", a->n, pad, kern,
             a->stride, top, a->stride, a->out);
}
