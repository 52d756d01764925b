// matrix.h - matrices as people type them on a command line or in a file.
//
//   inline:  "1 2 3; 4 5 6"            rows split by ';', values by spaces or commas
//            "1 2; 3 4 | 5 6; 7 8"     channels split by '|'
//   @FILE:   a row per line, a blank line between channels, '#' starts a comment;
//            at most MATRIX_MAX_FILE_BYTES, lines of at most TEXT_MAX_LINE bytes
//            (format.h), ended by "\n", "\r\n" or "\r"; a UTF-8 BOM is skipped
//
// Every mistake is reported with where it is: the option name and row for
// inline text, file:line for files.
#ifndef APP_MATRIX_H
#define APP_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

// The largest matrix accepted along one axis, and in all.
#define MATRIX_MAX_AXIS 4096
#define MATRIX_MAX_VALUES (1 << 24)
// The largest @FILE read (16 MiB), checked before it is read.
#define MATRIX_MAX_FILE_BYTES ((size_t)16 << 20)

// A (C, H, W) block of values, row-major per channel.
typedef struct app_matrix {
    int c, h, w;
    float *values;      // [c][h][w]
    signed char *decimals;  // [c][h][w] digits written after the point; -1 if an exponent was used
} app_matrix;

// Parses `arg` (inline text, or "@FILE" to read a file) into m. `what` names
// the option in messages ("--input"). On failure writes a sentence into err
// (which names the place) and returns false; m is left empty.
bool app_matrix_read(app_matrix *m, const char *arg, const char *what, char *err, size_t errsize);

// Parses text already in memory. `source` is a file name (messages then say
// source:line) or NULL for inline text (messages then say `what`, row N).
bool app_matrix_parse(app_matrix *m, const char *text, const char *what, const char *source,
                      char *err, size_t errsize);

// Frees the values (the struct itself is the caller's).
void app_matrix_free(app_matrix *m);

// Parses a list of numbers ("1, 2 3") into a malloc'd array; false with a message if
// any value is not a finite number or the list is empty.
bool app_parse_numbers(const char *text, const char *what, float **out, int *count, char *err,
                       size_t errsize);

// Parses one number written in plain decimal notation ("-1.5", "2e3"; not
// "inf", "nan" or hex) that fits a float; `decimals` (may be NULL) gets the
// digits after the point, -1 with an exponent. False if text is anything else.
bool app_parse_value(const char *text, float *out, signed char *decimals);

#endif
