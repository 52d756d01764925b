// json.c - the JSON writer behind every --json.
#include "json.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "format.h"
#include "text.h"

void json_init(json_writer *w, FILE *f) {
    w->f = f;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
}

// Writes the comma that separates this value from the previous one.
static void separate_(json_writer *w) {
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth]) fputc(',', w->f);
    w->first[w->depth] = false;
}

static void open_(json_writer *w, char c) {
    separate_(w);
    fputc(c, w->f);
    if (w->depth + 1 < JSON_MAX_DEPTH) w->depth++;
    w->first[w->depth] = true;
}

static void close_(json_writer *w, char c) {
    fputc(c, w->f);
    if (w->depth > 0) w->depth--;
}

void json_begin_object(json_writer *w) { open_(w, '{'); }
void json_end_object(json_writer *w) { close_(w, '}'); }
void json_begin_array(json_writer *w) { open_(w, '['); }
void json_end_array(json_writer *w) { close_(w, ']'); }

static void write_escaped_(FILE *f, const char *s) {
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + strlen(s);
    while (p < end) {
        unsigned cp;
        const size_t len = text_utf8_next((const char *)p, (size_t)(end - p), &cp);
        if (len == 0) {
            fputs("\\ufffd", f);  // not UTF-8: JSON text must be, so say so
            p++;
            continue;
        }
        switch (cp) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            // U+2028/2029 are valid JSON but end a line in JavaScript.
            if (text_is_control(cp) || cp == 0x2028 || cp == 0x2029)
                fprintf(f, "\\u%04x", cp);
            else
                fwrite(p, 1, len, f);
        }
        p += len;
    }
    fputc('"', f);
}

void json_key(json_writer *w, const char *key) {
    separate_(w);
    write_escaped_(w->f, key);
    fputc(':', w->f);
    w->after_key = true;
}

void json_string(json_writer *w, const char *s) {
    separate_(w);
    write_escaped_(w->f, s);
}

void json_float(json_writer *w, float v) {
    separate_(w);
    if (!isfinite(v)) {
        fputs("null", w->f);
        return;
    }
    char buf[32];
    fmt_float(v, buf, sizeof buf);
    fputs(buf, w->f);
}

void json_int(json_writer *w, long long v) {
    separate_(w);
    fprintf(w->f, "%lld", v);
}

void json_bool(json_writer *w, bool v) {
    separate_(w);
    fputs(v ? "true" : "false", w->f);
}

void json_float_array(json_writer *w, const float *v, int count) {
    json_begin_array(w);
    for (int i = 0; i < count; i++) json_float(w, v[i]);
    json_end_array(w);
}

void json_finish(json_writer *w) { fputc('\n', w->f); }
