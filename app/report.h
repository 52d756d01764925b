// report.h - text and JSON pieces that conv and pool print alike: the
// output-size formula with its numbers, feature maps, window coordinates.
#ifndef APP_REPORT_H
#define APP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "json.h"
#include "outsize.h"

// What conv and pool take on, checked before anything large is allocated or
// computed, with messages that quote the numbers (conv --help, pool --help):
#define REPORT_MAX_PADDING 4096          // --padding, cells on each side
#define REPORT_MAX_PADDED (1 << 24)      // values in the padded input (channels x rows x cols)
#define REPORT_MAX_WORK (1 << 24)        // multiply-adds (conv) or window cells visited (pool)

// False with a message if the padded input (c maps of rows x cols) or the work
// (outputs x values under one window) is past the limits above.
bool report_check_size(long long c, long long rows, long long cols, long long outputs,
                       long long window, const char *unit, char *err, size_t errsize);

// True once a write to out has failed (a closed pipe, a full disk): the
// printers stop at once, and the command ends with status 2.
bool report_write_failed(FILE *out);

// "Output size: floor((n + 2p - f)/s) + 1" and one worked line per axis, with
// a note when the floor drops rows or columns the window never reaches.
void report_formula_text(FILE *out, const nn_axis *rows, const nn_axis *cols);

// "formula": {"rows": {...}, "cols": {...}} with every number and the worked text.
void report_formula_json(json_writer *w, const nn_axis *rows, const nn_axis *cols);

// Prints c maps of h x w values as right-aligned columns under a title
// ("Feature map"); with several maps each is numbered "<title> 2 of 3 (<per> 2)".
void report_maps_text(FILE *out, const float *v, int c, int h, int w, const char *title,
                      const char *per);

// "key": [[...],...] for one map, or [[[...]...], ...] (a list of maps) for several.
void report_maps_json(json_writer *w, const char *key, const float *v, int c, int h, int width);

// "rows a..b, cols c..d" of a window whose top-left input cell is (y0, x0),
// spanning (kh-1)*d+1 by (kw-1)*d+1 cells.
void report_window_range(char *buf, size_t size, int y0, int x0, int kh, int kw, int d);

#endif
