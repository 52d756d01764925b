// status.c - error sentences for the engine.
#include "status.h"

#include <stdarg.h>
#include <stdio.h>

nn_status nn_error_set(nn_error *err, nn_status st, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->column = 0;
    }
    return st;
}

const char *nn_status_name(nn_status st) {
    switch (st) {
    case NN_OK: return "ok";
    case NN_ERR_SHAPE: return "shape error";
    case NN_ERR_PARSE: return "parse error";
    case NN_ERR_NOMEM: return "out of memory";
    case NN_ERR_IO: return "i/o error";
    case NN_ERR_ARG: return "bad argument";
    }
    return "unknown error";
}
