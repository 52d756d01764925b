// modelfile.h - saving and loading trained models.
//
// Layout (all integers little-endian):
//   "CONVSTEP" (8 bytes)  magic
//   u32  version (1)
//   u32  input channels, rows, cols
//   u32  length of the architecture string, then its bytes (no NUL)
//   u32  length of the note (how the model was made), then its bytes
//   u64  number of parameters, then that many float32 (the net's params)
//   u32  CRC-32 (zlib) of every byte before it
//
// Saving writes FILE.tmp-XXXXXX beside FILE, flushes it to disk and renames it
// over FILE, so an interrupted save never destroys the previous model.
// Loading reads the file once, front to back (so a pipe or /dev/stdin works),
// checks the header before reading any further (so /dev/zero or a foreign file
// is refused after a few bytes), checks every count the header declares
// against the limits below before anything is allocated, reads exactly the
// bytes the header announces, then checks the CRC and every parameter.
//
// The limits (a model beyond them is refused, naming the limit; saving one is
// refused too, so convstep never writes a model it cannot read back):
#ifndef APP_MODELFILE_H
#define APP_MODELFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "net.h"

#define MODELFILE_VERSION 1u

#define MODEL_MAX_ARCH_BYTES 4095        // architecture string
#define MODEL_MAX_NOTE_BYTES 4095        // note
#define MODEL_MAX_INPUT_SIDE 4096        // input channels, rows, columns: each
#define MODEL_MAX_LAYERS 256             // the architecture parser's own limit
#define MODEL_MAX_CLASSES 4096           // values out of the last layer
#define MODEL_MAX_PARAMS 16777216        // 2^24 parameters = 64 MiB of float32
#define MODEL_MAX_ACTIVATIONS 16777216   // values per sample: every layer's output
                                         // plus convolution scratch (64 MiB)
#define MODEL_MAX_ABS_PARAM 1e6f         // |parameter|; NaN and Inf are refused too
#define MODEL_MAX_ABS_PARAM_TEXT "1e6"

struct nn_model;

// False with a sentence starting with `who` ("the model 'm.model'") if the
// model is beyond one of the limits above (layers, classes, parameters,
// activations), quoting the number and the limit.
bool app_model_check_limits(const struct nn_model *m, const char *who, char *err,
                            size_t errsize);

// Saves net's architecture, input shape and parameters with a free-text note.
// Refuses (saving nothing) a model beyond the limits or with a parameter that
// is NaN, infinite or larger than MODEL_MAX_ABS_PARAM in magnitude.
bool app_model_save(const char *path, const nn_net *net, const char *arch, const char *note,
                    char *err, size_t errsize);

// Loads a model into a new net with room for batches of max_batch. The note
// (if note is not NULL) is copied into note[0..note_size). Messages name the
// file with its control characters escaped (text_escape).
bool app_model_load(const char *path, nn_net **out, int max_batch, char *note, size_t note_size,
                    char *err, size_t errsize);

#endif
