// format.c - number and formula text shared by every subcommand.
#include "format.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

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

static bool nonfinite_(float v, char *buf, size_t size) {
    if (isnan(v)) snprintf(buf, size, "nan");
    else if (isinf(v)) snprintf(buf, size, v > 0 ? "inf" : "-inf");
    else return false;
    return true;
}

// Drops the zeros after a decimal point ("3.100" -> "3.1", "2.000" -> "2").
static void trim_zeros_(char *buf) {
    char *dot = strchr(buf, '.');
    if (!dot || strchr(buf, 'e')) return;
    char *end = buf + strlen(buf) - 1;
    while (end > dot && *end == '0') *end-- = '\0';
    if (end == dot) *end = '\0';
}

// x with `decimals` decimals, halves rounded away from zero as students round
// by hand (5.25 -> "5.3", where printf's ties-to-even writes "5.2" but 3.75 -> "3.8").
static void fixed_(double x, int decimals, char *buf, size_t size) {
    const double p10 = pow(10.0, decimals);
    snprintf(buf, size, "%.*f", decimals, round(x * p10) / p10);
}

void fmt_sig(float v, int digits, char *buf, size_t size) {
    if (nonfinite_(v, buf, size)) return;
    if (digits < 1) digits = 1;
    if (digits > 9) digits = 9;
    const double x = (double)v, mag = fabs(x);
    if (mag < 1e9 && x == floor(x)) {
        snprintf(buf, size, "%.0f", mag == 0.0 ? 0.0 : x);  // exact integers whole, never "-0"
        return;
    }
    if (mag >= 1e-4 && mag < 1e9) {
        // Plain notation: as many decimals as the significant digits leave.
        const int whole = mag >= 1.0 ? (int)floor(log10(mag)) + 1 : 0;
        int decimals = digits - whole;
        if (mag < 1.0) decimals = digits - (int)floor(log10(mag)) - 1;  // leading zeros are not significant
        if (decimals < 0) decimals = 0;
        fixed_(x, decimals, buf, size);
        // Rounding can carry into a new digit (9.9996 -> "10.000"): trim_zeros_ tidies it.
        trim_zeros_(buf);
        if (strcmp(buf, "-0") == 0) snprintf(buf, size, "0");
        return;
    }
    snprintf(buf, size, "%.*g", digits, x);
}

void fmt_screen(float v, char *buf, size_t size) { fmt_sig(v, 4, buf, size); }

// A last resort may stand for v in a cell: any rounding of it, but 0 only
// for a value small on the grid's colour scale (under a quarter of its
// largest |value|): a weight of -0.06 among weights up to 0.2 may read "0",
// the largest of a grid never.
static bool may_stand_for_(float v, const char *text, float scale) {
    return strtod(text, NULL) != 0.0 || v == 0.0f || fabsf(v) < 0.25f * fabsf(scale);
}

static void add_(char (*out)[32], int *n, int max, const char *t) {
    for (int i = 0; i < *n; i++)
        if (strcmp(out[i], t) == 0) return;
    if (*n < max) snprintf(out[(*n)++], 32, "%s", t);
}

// t without the zero before its point: "0.11" -> ".11", "-0.1" -> "-.1" (else t).
static void no_leading_zero_(const char *t, char *buf, size_t size) {
    const char *zero = t[0] == '-' ? t + 1 : t;
    if (zero[0] == '0' && zero[1] == '.')
        snprintf(buf, size, "%s%s", t[0] == '-' ? "-" : "", zero + 1);
    else
        snprintf(buf, size, "%s", t);
}

int fmt_cell_choices(float v, float scale, char (*out)[32], int max) {
    int n = 0;
    char t[32], z[32];
    if (nonfinite_(v, t, sizeof t)) {
        add_(out, &n, max, t);
        return n;
    }
    // Four to two significant digits (never more than 5% off), the last
    // also without its leading zero.
    for (int digits = 4; digits >= 2; digits--) {
        fmt_sig(v, digits, t, sizeof t);
        add_(out, &n, max, t);
    }
    no_leading_zero_(t, z, sizeof z);
    add_(out, &n, max, z);
    // Last resorts, for a narrow cell, after every two-digit form (so 1/9 is
    // ".11" before "0.1"): one digit, one decimal, none (may_stand_for_).
    fmt_sig(v, 1, t, sizeof t);
    if (may_stand_for_(v, t, scale)) {
        add_(out, &n, max, t);
        no_leading_zero_(t, z, sizeof z);
        add_(out, &n, max, z);
    }
    for (int dec = 1; dec >= 0; dec--) {
        fixed_((double)v, dec, t, sizeof t);
        trim_zeros_(t);
        if (strcmp(t, "-0") == 0) snprintf(t, sizeof t, "0");
        if (!may_stand_for_(v, t, scale)) continue;
        add_(out, &n, max, t);
        no_leading_zero_(t, z, sizeof z);
        add_(out, &n, max, z);
    }
    return n;
}

static void count_(int n, const char *one, char *buf, size_t size) {
    snprintf(buf, size, "%d %s%s", n, one, n == 1 ? "" : "s");
}

void fmt_floor_note(const nn_axis *rows, const nn_axis *cols, char *buf, size_t size) {
    buf[0] = '\0';
    if (!rows->remainder && !cols->remainder) return;
    const nn_axis *a = rows->remainder ? rows : cols;
    const long long top = (long long)a->n + a->pad_lo + a->pad_hi - (long long)a->dilation * (a->f - 1) - 1;
    char frac[64], r[32], c[32], what[80];
    fmt_fraction((float)top, (float)a->stride, frac, sizeof frac);
    count_(rows->remainder, "row", r, sizeof r);
    count_(cols->remainder, "column", c, sizeof c);
    if (rows->remainder && cols->remainder)
        snprintf(what, sizeof what, "%s and %s are", r, c);
    else
        snprintf(what, sizeof what, "%s %s", rows->remainder ? r : c,
                 (rows->remainder ? rows->remainder : cols->remainder) == 1 ? "is" : "are");
    snprintf(buf, size, "%s is not whole: the floor keeps %lld, so %s never reached by the window (hatched red)", frac,
             top / a->stride, what);
}

void fmt_speed(double cells_per_s, char *buf, size_t size) {
    char v[32];
    fmt_screen((float)cells_per_s, v, sizeof v);
    snprintf(buf, size, "%s %s", v, cells_per_s == 1.0 ? "cell/s" : "cells/s");
}

void fmt_fraction(float num, float den, char *buf, size_t size) {
    char a[32], b[32], q[32];
    fmt_screen(num, a, sizeof a);
    fmt_screen(den, b, sizeof b);
    fmt_sig(num / den, 3, q, sizeof q);
    snprintf(buf, size, "%s/%s = %s", a, b, q);
}

void fmt_percent(float p, char *buf, size_t size) {
    if (nonfinite_(p, buf, size)) return;
    const double tenths = floor((double)p * 1000.0 + 0.5);  // the bar's value in tenths of a percent
    if (tenths >= 1000.0 && p >= 1.0f)
        snprintf(buf, size, "100%%");
    else if (tenths >= 1000.0)
        snprintf(buf, size, "99.9%%");  // rounds up to 100 but is not all: say so
    else if (tenths <= 0.0 && p > 0.0f)
        snprintf(buf, size, "<0.1%%");
    else
        snprintf(buf, size, "%.1f%%", tenths / 10.0);
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

void fmt_thousands(long long v, char *buf, size_t size) {
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", v);
    size_t len = strlen(digits), o = 0;
    for (size_t i = 0; i < len && o + 2 < size; i++) {
        buf[o++] = digits[i];
        size_t left = len - i - 1;
        if (left > 0 && left % 3 == 0 && digits[i] != '-') buf[o++] = ',';
    }
    buf[o] = '\0';
}

void fmt_params_worked(const nn_layer *l, char *buf, size_t size) {
    buf[0] = '\0';
    if (l->spec.kind == NN_LAYER_CONV)
        snprintf(buf, size, "%d*(%d*%d*%d + 1)", l->spec.filters, l->spec.kernel, l->spec.kernel, l->in.c);
    else if (l->spec.kind == NN_LAYER_CONVT)  // Keras's Conv2DTranspose: K*K*C_in*F + F
        snprintf(buf, size, "%d*%d*%d*%d + %d", l->spec.kernel, l->spec.kernel, l->in.c, l->spec.filters,
                 l->spec.filters);
    else if (l->spec.kind == NN_LAYER_DENSE)
        snprintf(buf, size, "%d*(%d + 1)", l->spec.units, l->in.c);
}
