// json.h - a small streaming JSON writer: keys, strings (escaped), numbers,
// nested objects and arrays, with commas placed for you. Also the escaping of
// untrusted text (file names) for a terminal, which walks UTF-8 the same way.
#ifndef APP_JSON_H
#define APP_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct json_writer {
    FILE *f;
    int depth;
    bool first[JSON_MAX_DEPTH];  // no value written yet at this depth
    bool after_key;              // a key was just written: no comma before the value
} json_writer;

// Starts writing to f.
void json_init(json_writer *w, FILE *f);
void json_begin_object(json_writer *w);
void json_end_object(json_writer *w);
void json_begin_array(json_writer *w);
void json_end_array(json_writer *w);
// Writes "key": (the value must follow).
void json_key(json_writer *w, const char *key);
// A string, always as valid JSON in valid UTF-8 whatever the bytes: valid
// UTF-8 is kept as it is, except that control characters (U+0000-U+001F,
// U+007F-U+009F) and U+2028/U+2029 are written as \uXXXX escapes; each byte
// that is not part of valid UTF-8 (a file name with byte 0xFF, an overlong or
// surrogate sequence, one cut short) becomes U+FFFD, written "\ufffd".
void json_string(json_writer *w, const char *s);
// A float as its shortest exact decimal; null for nan or inf (JSON has neither).
void json_float(json_writer *w, float v);
void json_int(json_writer *w, long long v);
void json_bool(json_writer *w, bool v);
// An array of count floats.
void json_float_array(json_writer *w, const float *v, int count);
// Ends the document with a newline.
void json_finish(json_writer *w);

#endif
