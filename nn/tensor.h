// tensor.h - the shapes of the float buffers the engine works on.
// Layout is channels-first: a batch is (N, C, H, W), row-major, contiguous.
#ifndef NN_TENSOR_H
#define NN_TENSOR_H

#include <stddef.h>

#include "status.h"

// The largest size the engine accepts along one axis, and for the values of
// one sample; larger requests are reported as errors, never as overflow.
#define NN_MAX_AXIS 1000000
#define NN_MAX_ELEMENTS 268435456  // 2^28 floats = 1 GiB

// The shape of one sample: a (C, H, W) feature map, or a flat vector.
typedef struct nn_shape {
    int rank;     // 3: a (C, H, W) feature map; 1: a flat vector of c values
    int c, h, w;  // for rank 1, h = w = 1
} nn_shape;

// A (C, H, W) feature-map shape.
nn_shape nn_shape_map(int c, int h, int w);
// The number of values in one sample of this shape.
size_t nn_shape_count(nn_shape s);
// 1 if both shapes are the same.
int nn_shape_equal(nn_shape a, nn_shape b);

// ---- For the engine's files ----------------------------------------------------
// Declared here, next to their definitions in tensor.c, rather than in
// nn_internal.h: tensor.c then needs no header but its own (see status.h).

// A flat vector shape of n values.
nn_shape nn_shape_flat(int n);

// Multiplies sizes, reporting overflow past NN_MAX_ELEMENTS: returns 0 on overflow.
size_t nn_checked_mul3(size_t a, size_t b, size_t c);

#endif
