// fuzz_lesson.c - lesson_parse (app/lesson.h) on arbitrary lesson text.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "lesson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 262144) return 0;
    char *text = fuzz_cstring(data, size);
    char err[512];
    lesson l;
    const bool ok = lesson_parse(&l, text, "fuzz.lesson", err, sizeof err);
    FUZZ_REPORT("lesson", ok, err);
    if (ok) {
        if (l.n < 1 || !l.cmds) abort();
    }
    lesson_free(&l);
    free(text);
    return 0;
}
