// fileio.c - whole-file reads for matrices and models.
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool app_read_file(const char *path, size_t max_bytes, const char *noun, char **data,
                   size_t *size, char *err, size_t errsize) {
    *data = NULL;
    *size = 0;
    err[0] = '\0';  // the loop below writes a message only for some failures
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "cannot open %s'%s': %s", noun, path, strerror(errno));
        return false;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    bool ok = buf != NULL;
    while (ok) {
        if (n + 1 >= cap) {
            if (cap > max_bytes) {
                snprintf(err, errsize, "%s'%s' is larger than %zu bytes", noun, path, max_bytes);
                ok = false;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                ok = false;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        const size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got > 0) continue;
        if (ferror(f)) {
            snprintf(err, errsize, "cannot read %s'%s': %s", noun, path, strerror(errno));
            ok = false;
        }
        break;
    }
    fclose(f);
    if (!ok) {
        if (err[0] == '\0') snprintf(err, errsize, "out of memory reading %s'%s'", noun, path);
        free(buf);
        return false;
    }
    buf[n] = '\0';
    *data = buf;
    *size = n;
    return true;
}

void app_make_dirs(const char *path) {
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0777);
            *p = '/';
        }
    mkdir(tmp, 0777);
}
