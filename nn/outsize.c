// outsize.c - the output-size formula, done once for every layer and view.
#include "outsize.h"

#include <limits.h>
#include <stdint.h>

#include "tensor.h"

nn_padding nn_padding_explicit(int p) {
    nn_padding pad = {NN_PAD_EXPLICIT, p};
    return pad;
}

static nn_status check_common_(const nn_axis *a, const char *what, nn_error *err) {
    if (a->n <= 0)
        return nn_error_set(err, NN_ERR_SHAPE, "the input is empty (%s = %d)", what, a->n);
    if (a->f <= 0)
        return nn_error_set(err, NN_ERR_SHAPE, "the kernel is empty (%s = %d)", what, a->f);
    if (a->stride <= 0)
        return nn_error_set(err, NN_ERR_ARG, "the stride must be at least 1, got %d",
                            a->stride);
    if (a->dilation <= 0)
        return nn_error_set(err, NN_ERR_ARG, "the dilation must be at least 1, got %d",
                            a->dilation);
    if (a->n > NN_MAX_AXIS || a->f > NN_MAX_AXIS || a->stride > NN_MAX_AXIS ||
        a->dilation > NN_MAX_AXIS)
        return nn_error_set(err, NN_ERR_NOMEM,
                            "%s: sizes above %d are not supported (n %d, f %d, s %d, d %d)",
                            what, NN_MAX_AXIS, a->n, a->f, a->stride, a->dilation);
    return NN_OK;
}

nn_status nn_padding_resolve(nn_axis *a, nn_padding pad, const char *what, nn_error *err) {
    nn_status st = check_common_(a, what, err);
    if (st != NN_OK) return st;
    switch (pad.mode) {
    case NN_PAD_VALID:
        a->pad_lo = a->pad_hi = 0;
        return NN_OK;
    case NN_PAD_EXPLICIT:
        if (pad.p < 0)
            return nn_error_set(err, NN_ERR_ARG, "the padding must not be negative, got %d",
                                pad.p);
        if (pad.p > NN_MAX_AXIS)
            return nn_error_set(err, NN_ERR_NOMEM, "padding %d is larger than %d", pad.p,
                                NN_MAX_AXIS);
        a->pad_lo = a->pad_hi = pad.p;
        return NN_OK;
    case NN_PAD_SAME: {
        // TensorFlow: out = ceil(n / s); pad just enough for the last window.
        int64_t out = ((int64_t)a->n + a->stride - 1) / a->stride;
        int64_t span = (int64_t)a->dilation * (a->f - 1) + 1;
        int64_t total = (out - 1) * a->stride + span - a->n;
        if (total < 0) total = 0;
        if (total > 2 * (int64_t)NN_MAX_AXIS)
            return nn_error_set(err, NN_ERR_NOMEM, "%s: 'same' padding of %lld is too large",
                                what, (long long)total);
        a->pad_lo = (int)(total / 2);
        a->pad_hi = (int)(total - total / 2);
        return NN_OK;
    }
    }
    return nn_error_set(err, NN_ERR_ARG, "unknown padding mode %d", (int)pad.mode);
}

nn_status nn_axis_solve(nn_axis *a, const char *what, nn_error *err) {
    nn_status st = check_common_(a, what, err);
    if (st != NN_OK) return st;
    if (a->pad_lo < 0 || a->pad_hi < 0)
        return nn_error_set(err, NN_ERR_ARG, "the padding must not be negative, got %d",
                            a->pad_lo < 0 ? a->pad_lo : a->pad_hi);
    if (a->pad_lo > NN_MAX_AXIS || a->pad_hi > NN_MAX_AXIS)
        return nn_error_set(err, NN_ERR_NOMEM, "padding above %d is not supported",
                            NN_MAX_AXIS);
    // All in 64 bits: every term is below 2^20, so nothing here can overflow.
    int64_t padded = (int64_t)a->n + a->pad_lo + a->pad_hi;
    int64_t span = (int64_t)a->dilation * (a->f - 1) + 1;
    if (span > padded) {
        if (a->dilation > 1)
            return nn_error_set(err, NN_ERR_SHAPE,
                                "%s: the dilated kernel spans %lld cells (d %d x (f %d - 1) + 1), "
                                "more than the padded input %lld (n %d + padding %d + %d)",
                                what, (long long)span, a->dilation, a->f, (long long)padded,
                                a->n, a->pad_lo, a->pad_hi);
        return nn_error_set(err, NN_ERR_SHAPE,
                            "%s: the kernel (%d) is larger than the padded input %lld "
                            "(n %d + padding %d + %d)",
                            what, a->f, (long long)padded, a->n, a->pad_lo, a->pad_hi);
    }
    int64_t reach = padded - span;  // how far the window's origin can travel
    a->out = (int)(reach / a->stride + 1);
    a->remainder = (int)(reach % a->stride);
    return NN_OK;
}
