// pytorch_script.h - `--pytorch FILE` of conv, pool and convt: a standalone
// Python script that does the same operation with torch, on the same numbers
// (written as the shortest decimals that read back as the same float32),
// prints the result laid out as convstep prints its maps, and ends by
// comparing it with the values convstep computed (embedded in the script):
// it prints "matches convstep" and exits 0, or lists the cells that differ
// and exits 1. Every line of the script says what it does, for a student.
#ifndef APP_PYTORCH_SCRIPT_H
#define APP_PYTORCH_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "nn.h"

// Checks --pytorch against the other options before any work: "-" puts the
// script on stdout, so it cannot go with --json. NULL (no --pytorch) is fine.
bool pytorch_script_check_option(const char *path, bool json, char *err, size_t errsize);

// Each writer saves the script at `path` atomically (a temporary file beside
// it, renamed over it only when complete), or writes it to `out` when path is
// "-". False with a sentence in err (the path and the reason); no file is
// then left behind.

// What `conv --flip` and `--grad-output` add to a convolution's script.
typedef struct pytorch_conv_extra {
    bool flip;  // the script rotates the kernel with torch.flip before F.conv2d
    // dL/dY [filters][out_h][out_w], or NULL for no backward pass; then
    // convstep's gradients: input [in_c][in_h][in_w], kernel (as given)
    // [filters][in_c][k_h][k_w], bias [filters]. The script runs autograd
    // (y.backward) and compares.
    const float *grad_output, *grad_input, *grad_kernel, *grad_bias;
} pytorch_conv_extra;

// A convolution: input [in_c][in_h][in_w], weights [filters][in_c][k_h][k_w]
// (as given, before any --flip), bias [filters] or NULL, output
// [filters][out_h][out_w] as convstep computed it; extra may be NULL.
bool pytorch_script_conv(const char *path, FILE *out, const nn_conv2d_geom *g, const float *input,
                         const float *weights, const float *bias, const float *output,
                         const pytorch_conv_extra *extra, char *err, size_t errsize);

// Max or average pooling: input [c][in_h][in_w], output [c][out_h][out_w].
bool pytorch_script_pool(const char *path, FILE *out, const nn_pool_geom *g, const float *input,
                         const float *output, char *err, size_t errsize);

// A transposed convolution: weights in PyTorch's layout [in_c][filters][k_h][k_w].
bool pytorch_script_convt(const char *path, FILE *out, const nn_convt_geom *g, const float *input,
                          const float *weights, const float *bias, const float *output, char *err,
                          size_t errsize);

// The lines of --help that conv and convt share (pool indents by one less).
#define PYTORCH_SCRIPT_HELP                                                         \
    "  --pytorch FILE a Python script that does the same with torch, on the same\n" \
    "                 numbers, prints the result as convstep does and compares it\n" \
    "                 with convstep's values: 'matches convstep', or the ones that\n" \
    "                 differ and exit 1. Run it with python3 FILE; '-' prints the\n"  \
    "                 script instead of the steps.\n"

#endif
