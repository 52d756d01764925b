// fileio.h - reading a whole (small) file and saving one safely, with
// messages that name it.
#ifndef APP_FILEIO_H
#define APP_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

// Reads `path` into a malloc'd buffer with a NUL after its last byte; *size
// is the byte count. Reads the file once from start to end, so pipes and
// /dev/stdin work. Refuses a directory, and files larger than max_bytes
// (a regular file's size is checked before anything is read; a stream is cut
// off at max_bytes). On failure writes "cannot open <noun>'<path>': <reason>"
// or the like into err. `noun` reads well before the path ("the model ", or "").
bool app_read_file(const char *path, size_t max_bytes, const char *noun, char **data,
                   size_t *size, char *err, size_t errsize);

// Checks, before any work is done, that a file can be saved at `path`: the
// path is not empty and does not name a folder; what is there now, if
// anything, is a regular file (never a symlink, device, pipe or folder, which
// a save must not replace); the folder it goes into exists and is writable.
// False with a sentence naming the path and the problem.
bool app_check_save_target(const char *path, const char *noun, char *err, size_t errsize);

// A file being saved: written to PATH.tmp-XXXXXX beside its target, flushed
// to disk and renamed over the target only when every write succeeded, so a
// full disk or a crash never leaves a half-written file at PATH.
typedef struct app_atomic_file {
    FILE *f;          // write the contents here
    char path[1024];  // the target
    char tmp[1040];   // the temporary file beside it
} app_atomic_file;

// Checks the target (app_check_save_target) and opens the temporary file.
bool app_atomic_open(app_atomic_file *af, const char *path, const char *noun, char *err,
                     size_t errsize);
// Flushes, syncs and closes the temporary file, checking each step, then
// renames it over the target. On any failure removes the temporary file and
// says why ("No space left on device"); the target is then untouched.
bool app_atomic_commit(app_atomic_file *af, const char *noun, char *err, size_t errsize);
// Gives up a save: closes and removes the temporary file.
void app_atomic_abort(app_atomic_file *af);
// The three steps for a buffer already in memory.
bool app_write_file_atomic(const char *path, const void *data, size_t size, const char *noun,
                           char *err, size_t errsize);

// Creates a folder and its parents (mkdir -p); quiet if they exist.
void app_make_dirs(const char *path);

#endif
