// report.c - what conv and pool print in common.
#include "report.h"

#include <string.h>

#include "format.h"

bool report_check_size(long long c, long long rows, long long cols, long long outputs,
                       long long window, const char *unit, char *err, size_t errsize) {
    // Every factor is below 2^31 and the products are taken one at a time,
    // each checked, so nothing here overflows.
    const long long plane = rows * cols;
    if (plane > REPORT_MAX_PADDED || c * plane > REPORT_MAX_PADDED) {
        snprintf(err, errsize,
                 "the padded input is %lldx%lld with %lld channel(s), %lld values; at most %d "
                 "(2^24) are worked out step by step: use less padding or a smaller input",
                 rows, cols, c, c * plane, REPORT_MAX_PADDED);
        return false;
    }
    if (outputs > REPORT_MAX_WORK || window > REPORT_MAX_WORK || outputs * window > REPORT_MAX_WORK) {
        snprintf(err, errsize,
                 "%lld output cells of %lld %s each is %lld steps of work; at most %d (2^24) are "
                 "worked out step by step: use a smaller input, kernel or padding",
                 outputs, window, unit, outputs * window, REPORT_MAX_WORK);
        return false;
    }
    return true;
}

bool report_write_failed(FILE *out) { return ferror(out) != 0; }

// When (n + p - span) is not a multiple of s, the floor drops the last cells.
static void formula_note_(FILE *out, const char *one, const char *many, const nn_axis *a) {
    if (a->remainder == 0) return;
    long long top = (long long)a->n + a->pad_lo + a->pad_hi - (long long)a->dilation * (a->f - 1) - 1;
    fprintf(out,
            "  note: %lld is not a multiple of the stride %d, so the floor drops a remainder "
            "of %d: the last %d %s of the padded input %s never reached by the window\n",
            top, a->stride, a->remainder, a->remainder, a->remainder == 1 ? one : many,
            a->remainder == 1 ? "is" : "are");
}

void report_formula_text(FILE *out, const nn_axis *rows, const nn_axis *cols) {
    char letters[96], r[160], c[160];
    fmt_formula_letters(rows, letters, sizeof letters);
    fmt_formula_numbers(rows, r, sizeof r);
    fmt_formula_numbers(cols, c, sizeof c);
    fprintf(out, "Output size: %s\n", letters);
    fprintf(out, "  rows: %s\n", r);
    fprintf(out, "  cols: %s\n", c);
    formula_note_(out, "row", "rows", rows);
    formula_note_(out, "column", "columns", cols);
    fprintf(out, "  output: %dx%d\n", rows->out, cols->out);
}

static void axis_json_(json_writer *w, const char *key, const nn_axis *a) {
    char text[160];
    fmt_formula_numbers(a, text, sizeof text);
    json_key(w, key);
    json_begin_object(w);
    json_key(w, "n"), json_int(w, a->n);
    json_key(w, "f"), json_int(w, a->f);
    json_key(w, "pad_before"), json_int(w, a->pad_lo);
    json_key(w, "pad_after"), json_int(w, a->pad_hi);
    json_key(w, "stride"), json_int(w, a->stride);
    json_key(w, "dilation"), json_int(w, a->dilation);
    json_key(w, "out"), json_int(w, a->out);
    json_key(w, "unreached"), json_int(w, a->remainder);
    json_key(w, "text"), json_string(w, text);
    json_end_object(w);
}

void report_formula_json(json_writer *w, const nn_axis *rows, const nn_axis *cols) {
    char letters[96];
    fmt_formula_letters(rows, letters, sizeof letters);
    json_key(w, "formula");
    json_begin_object(w);
    json_key(w, "general"), json_string(w, letters);
    axis_json_(w, "rows", rows);
    axis_json_(w, "cols", cols);
    json_end_object(w);
}

void report_maps_text(FILE *out, const float *v, int c, int h, int w, const char *title,
                      const char *per) {
    if (report_write_failed(out)) return;  // nobody will read it
    // One width for all columns so the map lines up.
    int width = 1;
    char buf[32];
    const int total = c * h * w;
    for (int i = 0; i < total; i++) {
        fmt_float(v[i], buf, sizeof buf);
        int len = (int)strlen(buf);
        if (len > width) width = len;
    }
    for (int ch = 0; ch < c && !report_write_failed(out); ch++) {
        if (c == 1)
            fprintf(out, "%s %dx%d:\n", title, h, w);
        else
            fprintf(out, "%s %d of %d (%s %d), %dx%d:\n", title, ch + 1, c, per, ch + 1, h, w);
        for (int y = 0; y < h && !report_write_failed(out); y++) {
            fputs(" ", out);
            for (int x = 0; x < w; x++) {
                fmt_float(v[((size_t)ch * h + y) * w + x], buf, sizeof buf);
                fprintf(out, " %*s", width, buf);
            }
            fputc('\n', out);
        }
    }
}

void report_maps_json(json_writer *w, const char *key, const float *v, int c, int h, int wd) {
    json_key(w, key);
    if (c > 1) json_begin_array(w);
    for (int ch = 0; ch < c; ch++) {
        json_begin_array(w);
        for (int y = 0; y < h && !report_write_failed(w->f); y++)
            json_float_array(w, v + ((size_t)ch * h + y) * wd, wd);
        json_end_array(w);
    }
    if (c > 1) json_end_array(w);
}

void report_window_range(char *buf, size_t size, int y0, int x0, int kh, int kw, int d) {
    snprintf(buf, size, "rows %d..%d, cols %d..%d", y0, y0 + (kh - 1) * d, x0,
             x0 + (kw - 1) * d);
}
