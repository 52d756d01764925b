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
// Loading checks every field and rejects a corrupt, truncated or foreign file.
#ifndef APP_MODELFILE_H
#define APP_MODELFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "net.h"

#define MODELFILE_VERSION 1u

// Saves net's architecture, input shape and parameters with a free-text note.
bool app_model_save(const char *path, const nn_net *net, const char *arch, const char *note,
                    char *err, size_t errsize);

// Loads a model into a new net with room for batches of max_batch. The note
// (if note is not NULL) is copied into note[0..note_size).
bool app_model_load(const char *path, nn_net **out, int max_batch, char *note, size_t note_size,
                    char *err, size_t errsize);

#endif
