// nn.h - the convstep engine in one include: tensors, convolution, pooling,
// activations, dense layers, architecture strings and models.
// The engine depends on libm only; it never prints and never exits.
#ifndef NN_NN_H
#define NN_NN_H

#include "act.h"
#include "arch.h"
#include "conv2d.h"
#include "dense.h"
#include "model.h"
#include "outsize.h"
#include "pool.h"
#include "status.h"
#include "tensor.h"

#endif
