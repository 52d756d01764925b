// fuzz_common.h - helpers shared by the fuzz targets (tests/fuzz/fuzz_*.c).
//
// Targets that must hand the parser a file write the input into a private
// directory made once per process (mkdtemp in $TMPDIR, else /tmp) and rewrite
// the same file on every run; files and directory are removed when the
// process exits normally (a crash leaves them behind, which is harmless).
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// The entry point libFuzzer calls with each input (declared here for
// -Wmissing-prototypes).
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_TEMPS 4

static char fuzz_dir_[512];
static char fuzz_paths_[FUZZ_MAX_TEMPS][600];
static int fuzz_path_count_;

static void fuzz_cleanup_(void) {
    for (int i = 0; i < fuzz_path_count_; i++) unlink(fuzz_paths_[i]);
    if (fuzz_dir_[0]) rmdir(fuzz_dir_);
}

// The path of a file called `name` in this process's temporary directory
// (made on the first call); aborts if it cannot be made: the harness is
// broken then, not the program.
static inline const char *fuzz_temp_path(const char *name) {
    if (fuzz_path_count_ == FUZZ_MAX_TEMPS) abort();
    if (!fuzz_dir_[0]) {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp) tmp = "/tmp";
        snprintf(fuzz_dir_, sizeof fuzz_dir_, "%s/convstep-fuzz-XXXXXX", tmp);
        if (!mkdtemp(fuzz_dir_)) {
            perror("convstep fuzz: mkdtemp");
            abort();
        }
        atexit(fuzz_cleanup_);
    }
    char *p = fuzz_paths_[fuzz_path_count_++];
    snprintf(p, sizeof fuzz_paths_[0], "%s/%s", fuzz_dir_, name);
    return p;
}

// Replaces the content of `path` with data[0..size).
static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror("convstep fuzz: fopen");
        abort();
    }
    if (size && fwrite(data, 1, size, f) != size) {
        perror("convstep fuzz: fwrite");
        abort();
    }
    if (fclose(f) != 0) {
        perror("convstep fuzz: fclose");
        abort();
    }
}

// A malloc'd NUL-terminated copy of the input (the parsers read C strings).
static inline char *fuzz_cstring(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) abort();
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

// With -DFUZZ_VERBOSE each run prints whether the parser accepted the input
// and its message: handy when checking what a seed or a crash input reaches.
#ifdef FUZZ_VERBOSE
#define FUZZ_REPORT(what, ok, err) \
    fprintf(stderr, "%s: %s%s\n", (what), (ok) ? "accepted" : "rejected: ", (ok) ? "" : (err))
#else
#define FUZZ_REPORT(what, ok, err) ((void)0)
#endif

#endif
