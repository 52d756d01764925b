// expect.h - checking a printed feature map (a slide's, a student's) against
// the arithmetic. A value written with k decimals matches when it is the true
// value rounded to k decimals, so "0.33" is right for 1/3 but "12" is wrong
// for 13.
#ifndef APP_EXPECT_H
#define APP_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "matrix.h"

// True if `expected`, written with `decimals` digits after the point (-1 for
// exponent notation), is a correct rounding of `actual`.
bool expect_value_matches(float expected, int decimals, float actual);

// Checks the expected matrix has the shape of the result (c maps of h x w);
// false with a message otherwise.
bool expect_check_shape(const app_matrix *expected, int c, int h, int w, char *err,
                        size_t errsize);

// Writes into `wrong` (capacity c*h*w) the indices of the cells that do not
// match, in row-major order per map; returns how many.
int expect_compare(const app_matrix *expected, const float *actual, int *wrong);

// Checks a typed answer against the engine's: numbers by the rounding rule
// above (the typed decimals count), sizes written RxC by their two numbers.
bool expect_answer_matches(const char *typed, const char *engine);

// A student's answer to a quiz. Numbers are right to QUIZ_DECIMALS decimals
// (typed 1.67 for 1.6667, or 12 for 12); an answer right only to the
// decimals typed (5 for 5.25) is close; sizes RxC are right or wrong.
#define QUIZ_DECIMALS 2
typedef enum quiz_grade { QUIZ_WRONG, QUIZ_RIGHT, QUIZ_CLOSE } quiz_grade;
quiz_grade expect_grade_answer(const char *typed, const char *engine);

#endif
