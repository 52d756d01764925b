// fileio.h - reading a whole (small) file, with messages that name it.
#ifndef APP_FILEIO_H
#define APP_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

// Reads `path` into a malloc'd buffer with a NUL after its last byte; *size
// is the byte count. Refuses files larger than max_bytes. On failure writes
// "cannot open <noun>'<path>': <reason>" or the like into err. `noun` reads
// well before the path ("the model ", or "").
bool app_read_file(const char *path, size_t max_bytes, const char *noun, char **data,
                   size_t *size, char *err, size_t errsize);

// Creates a folder and its parents (mkdir -p); quiet if they exist.
void app_make_dirs(const char *path);

#endif
