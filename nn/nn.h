// nn.h - the convstep engine in one include: shapes, convolution (forward and
// its backward stepper), transposed
// convolution, pooling, activations, dense layers, architecture strings,
// models, nets with their training (gradients), the matrix product and the
// random numbers.
// The engine depends on libm only; it never prints and never exits.
#ifndef NN_NN_H
#define NN_NN_H

#include "act.h"
#include "arch.h"
#include "conv2d.h"
#include "conv2d_backstep.h"
#include "convt.h"
#include "dense.h"
#include "gemm.h"
#include "grad.h"
#include "layer.h"
#include "layer_kinds.h"
#include "model.h"
#include "net.h"
#include "outsize.h"
#include "pool.h"
#include "profile.h"
#include "rng.h"
#include "status.h"
#include "tensor.h"

#endif
