// report.h - text and JSON pieces that conv and pool print alike: the
// output-size formula with its numbers, feature maps, window coordinates.
#ifndef APP_REPORT_H
#define APP_REPORT_H

#include <stdio.h>

#include "json.h"
#include "outsize.h"

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
