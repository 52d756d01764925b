// fuzz_matrix.c - app_matrix_parse (app/matrix.h) on arbitrary text, inline
// ("1 2; 3 4 | 5 6; 7 8") and as the contents of a file, plus
// app_parse_numbers on the same text.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "matrix.h"

// Messages reach a terminal: the input's bytes are quoted escaped (issue 10).
static void check_message_(bool ok, const char *err) {
    if (ok) return;
    for (const unsigned char *p = (const unsigned char *)err; *p; p++)
        if (*p < 0x20 || *p == 0x7F) abort();
}

static void check_(const app_matrix *m) {
    // A matrix that parsed must be as large as it says: touch every value.
    const size_t n = (size_t)m->c * m->h * m->w;
    if (m->c < 1 || m->h < 1 || m->w < 1 || !m->values || !m->decimals) abort();
    volatile float sink = 0.0f;
    for (size_t i = 0; i < n; i++) sink += m->values[i] + m->decimals[i];
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 65536) return 0;  // matrices are typed by people
    char *text = fuzz_cstring(data, size);
    char err[512];
    app_matrix m;

    bool ok = app_matrix_parse(&m, text, "--input", NULL, err, sizeof err);
    FUZZ_REPORT("inline", ok, err);
    check_message_(ok, err);
    if (ok) check_(&m);
    app_matrix_free(&m);

    ok = app_matrix_parse(&m, text, "--input", "fuzz.txt", err, sizeof err);
    FUZZ_REPORT("file", ok, err);
    check_message_(ok, err);
    if (ok) check_(&m);
    app_matrix_free(&m);

    float *values = NULL;
    int count = 0;
    ok = app_parse_numbers(text, "--values", &values, &count, err, sizeof err);
    FUZZ_REPORT("numbers", ok, err);
    if (ok) {
        if (count < 1 || !values) abort();
        volatile float sink = 0.0f;
        for (int i = 0; i < count; i++) sink += values[i];
        (void)sink;
        free(values);
    }
    free(text);
    return 0;
}
