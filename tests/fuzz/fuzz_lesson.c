// fuzz_lesson.c - lesson_parse (app/lesson.h) on arbitrary lesson text.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
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
        if (l.n < 1 || l.n > LESSON_MAX_COMMANDS || !l.cmds) abort();
        // Lesson text reaches the terminal: no control characters (issue 10).
        size_t at;
        if (text_find_control(l.title, strlen(l.title), &at)) abort();
        for (int i = 0; i < l.n; i++)
            if (text_find_control(l.cmds[i].text, strlen(l.cmds[i].text), &at)) abort();
    } else {
        for (const unsigned char *p = (const unsigned char *)err; *p; p++)
            if (*p < 0x20 || *p == 0x7F) abort();
    }
    lesson_free(&l);
    free(text);
    return 0;
}
