// tensor.c - shape helpers and checked size arithmetic.
#include "tensor.h"

nn_shape nn_shape_map(int c, int h, int w) {
    nn_shape s = {3, c, h, w};
    return s;
}

nn_shape nn_shape_flat(int n) {
    nn_shape s = {1, n, 1, 1};
    return s;
}

size_t nn_shape_count(nn_shape s) {
    return nn_checked_mul3((size_t)s.c, (size_t)s.h, (size_t)s.w);
}

int nn_shape_equal(nn_shape a, nn_shape b) {
    return a.rank == b.rank && a.c == b.c && a.h == b.h && a.w == b.w;
}

size_t nn_checked_mul3(size_t a, size_t b, size_t c) {
    // Each factor is at most NN_MAX_AXIS (< 2^20) where callers validated, but
    // check anyway: the product of two validated factors fits in size_t.
    if (a == 0 || b == 0 || c == 0) return 0;
    if (a > NN_MAX_ELEMENTS || b > NN_MAX_ELEMENTS || c > NN_MAX_ELEMENTS) return 0;
    size_t ab = a * b;
    if (ab > NN_MAX_ELEMENTS) return 0;
    size_t abc = ab * c;
    if (abc > NN_MAX_ELEMENTS) return 0;
    return abc;
}

