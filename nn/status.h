// status.h - how the engine reports failure: a status code plus, when the
// caller asks for it, one sentence that quotes the numbers involved.
// The engine never prints and never exits; the caller decides what to do.
#ifndef NN_STATUS_H
#define NN_STATUS_H

typedef enum nn_status {
    NN_OK = 0,
    NN_ERR_SHAPE,  // sizes that do not fit together
    NN_ERR_PARSE,  // malformed text (architecture strings)
    NN_ERR_NOMEM,  // allocation failed or a size would overflow
    NN_ERR_IO,     // reading or writing a file failed
    NN_ERR_ARG,    // a value out of its allowed range
} nn_status;

// A caller-owned buffer for the sentence that explains a failure.
typedef struct nn_error {
    char msg[320];
    int column;  // 1-based column in the text the message is about, 0 if none
} nn_error;

// A short name for a status ("shape error", ...).
const char *nn_status_name(nn_status st);

// ---- For the engine's files ----------------------------------------------------
// Declared here, next to its definition in status.c, rather than in
// nn_internal.h: status.c then needs no header but its own, and the engine's
// include graph stays one-directional (nn_internal.h includes nothing).

// Writes a printf-style sentence into err (if err is not NULL), clears its
// column, and returns st.
nn_status nn_error_set(nn_error *err, nn_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
