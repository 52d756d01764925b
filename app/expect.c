// expect.c - comparing a printed map with the engine's result.
#include "expect.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

bool expect_value_matches(float expected, int decimals, float actual) {
    double e = expected, a = actual;
    // Both numbers are float32: allow two units in the last place of the larger,
    // the rounding that reading "0.1" or adding 0.1 + 0.2 leaves behind.
    double slack = 2.0 * FLT_EPSILON * fmax(fabs(a), fabs(e));
    if (decimals < 0) return fabs(e - a) <= 1e-5 * fabs(a) + slack;
    double half_unit = 0.5 * pow(10.0, -(decimals > 12 ? 12 : decimals));
    return fabs(e - a) <= half_unit + slack;
}

bool expect_check_shape(const app_matrix *expected, int c, int h, int w, char *err,
                        size_t errsize) {
    if (expected->c == c && expected->h == h && expected->w == w) return true;
    if (expected->c != c)
        snprintf(err, errsize,
                 "--expect has %d map(s) but the result has %d (one per filter or channel, "
                 "separated by '|')",
                 expected->c, c);
    else
        snprintf(err, errsize, "--expect is %dx%d but the result is %dx%d", expected->h,
                 expected->w, h, w);
    return false;
}

int expect_compare(const app_matrix *expected, const float *actual, int *wrong) {
    int n = 0;
    const int total = expected->c * expected->h * expected->w;
    for (int i = 0; i < total; i++)
        if (!expect_value_matches(expected->values[i], expected->decimals[i], actual[i]))
            wrong[n++] = i;
    return n;
}

bool expect_answer_matches(const char *typed, const char *engine) {
    while (*typed == ' ') typed++;
    if (strchr(engine, 'x')) {  // a size: compare the two numbers
        int a, b, c, d;
        char x1, x2;
        return sscanf(typed, "%d %c %d", &a, &x1, &b) == 3 && (x1 == 'x' || x1 == 'X' || x1 == '*') &&
               sscanf(engine, "%d %c %d", &c, &x2, &d) == 3 && a == c && b == d;
    }
    app_matrix t, e;
    char err[100];
    if (!app_matrix_parse(&t, typed, "answer", NULL, err, sizeof err)) return false;
    bool ok = app_matrix_parse(&e, engine, "answer", NULL, err, sizeof err) && t.c * t.h * t.w == 1 &&
              expect_value_matches(t.values[0], t.decimals[0], e.values[0]);
    app_matrix_free(&t);
    if (e.values) app_matrix_free(&e);
    return ok;
}

quiz_grade expect_grade_answer(const char *typed, const char *engine) {
    while (*typed == ' ') typed++;
    if (strchr(engine, 'x')) return expect_answer_matches(typed, engine) ? QUIZ_RIGHT : QUIZ_WRONG;
    app_matrix t, e;
    char err[100];
    if (!app_matrix_parse(&t, typed, "answer", NULL, err, sizeof err)) return QUIZ_WRONG;
    quiz_grade g = QUIZ_WRONG;
    if (app_matrix_parse(&e, engine, "answer", NULL, err, sizeof err)) {
        if (t.c * t.h * t.w == 1 && e.c * e.h * e.w == 1) {
            // To 2 decimals, however many were typed (1.67, 1.6666 for 1.666667).
            if (expect_value_matches(t.values[0], QUIZ_DECIMALS, e.values[0]))
                g = QUIZ_RIGHT;
            else if (expect_value_matches(t.values[0], t.decimals[0], e.values[0]))
                g = QUIZ_CLOSE;
        }
        app_matrix_free(&e);
    }
    app_matrix_free(&t);
    return g;
}
