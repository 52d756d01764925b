// format.h - numbers as a student should read them: the shortest decimal
// that is exactly the float computed, and the output-size formula with the
// numbers filled in.
#ifndef APP_FORMAT_H
#define APP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "outsize.h"

// The shortest text that reads back as exactly v ("0.1", "12", "-3.25e-07").
// buf needs 32 bytes. Writes "nan", "inf" or "-inf" for non-finite values.
void fmt_float(float v, char *buf, size_t size);

// ---- Numbers on screen (issue 12) ------------------------------------------------------------
// The screen shows at most a few significant digits; --json keeps fmt_float's
// full precision. All three write "nan", "inf", "-inf" for non-finite values.

// v with at most `digits` significant digits (1..9), trailing zeros dropped,
// exact integers as integers ("12", "0.1111", "-0.8311", "3.111"), plain
// notation for 1e-4 <= |v| < 1e9, and never "-0". buf needs 32 bytes.
void fmt_sig(float v, int digits, char *buf, size_t size);

// The on-screen form of a value: fmt_sig with 4 significant digits.
void fmt_screen(float v, char *buf, size_t size);

// The texts a grid cell may show for v, best first, for a cell too narrow
// for fmt_screen's: fewer significant digits down to two (0.003922 ->
// "0.0039"), the leading zero dropped (0.1111 -> ".11", so a box blur's 1/9
// reads .11 rather than 0.1 where three characters fit), then, as last
// resorts, one digit or fewer decimals ("0.8" for 0.75 comes after ".75"),
// "0" only for a value under a quarter of the grid's scale (its largest
// |value|, as its colours). Writes up to `max` texts of 32 bytes; returns how many.
int fmt_cell_choices(float v, float scale, char (*out)[32], int max);

// What the output-size formula's floor drops when a division is not whole:
// "4/3 = 1.33 is not whole: the floor keeps 1, so 1 row and 1 column are never
// reached by the window (hatched red)". Empty when both divisions are whole.
void fmt_floor_note(const nn_axis *rows, const nn_axis *cols, char *buf, size_t size);

// The animation's speed: "2 cells/s", "1 cell/s", "0.5 cells/s".
void fmt_speed(double cells_per_s, char *buf, size_t size);

// A division written out as a student does it: "28/9 = 3.11" (3 significant
// digits), "12/4 = 3" when it is exact. num and den are printed as given.
void fmt_fraction(float num, float den, char *buf, size_t size);

// A probability p in [0, 1] as a percentage that agrees with a bar drawn to
// the same p: one decimal ("99.8%"), "100%" only when p rounds to 100.0 and
// "0%" only when it rounds to 0.0.
void fmt_percent(float p, char *buf, size_t size);

// The formula with letters (for the header line): with dilation 1 and equal
// padding "floor((n + 2p - f)/s) + 1"; else the general form.
void fmt_formula_letters(const nn_axis *a, char *buf, size_t size);

// The formula with the numbers of one axis filled in and worked out:
// "floor((5 + 2*1 - 3)/2) + 1 = floor(4/2) + 1 = 3".
void fmt_formula_numbers(const nn_axis *a, char *buf, size_t size);

// "1,234,567" as Keras prints totals.
void fmt_thousands(long long v, char *buf, size_t size);

// How a layer's parameter count comes about: "6*(5*5*1 + 1)" for a conv,
// "120*(400 + 1)" for a dense layer; "" for a layer without parameters.
struct nn_layer;
void fmt_params_worked(const struct nn_layer *l, char *buf, size_t size);

#endif
