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

// The formula with letters (for the header line): with dilation 1 and equal
// padding "floor((n + 2p - f)/s) + 1"; else the general form.
void fmt_formula_letters(const nn_axis *a, char *buf, size_t size);

// The formula with the numbers of one axis filled in and worked out:
// "floor((5 + 2*1 - 3)/2) + 1 = floor(4/2) + 1 = 3".
void fmt_formula_numbers(const nn_axis *a, char *buf, size_t size);

#endif
