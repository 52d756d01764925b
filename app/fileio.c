// fileio.c - whole-file reads for matrices, models, lessons and pictures, and
// atomic saves (temporary file, fsync, rename) for models and PNG frames.
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errsize, "%s'%s' is a folder, not a file", noun, path);
            fclose(f);
            return false;
        }
        // A regular file says its size: refuse it before reading a byte.
        if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max_bytes) {
            snprintf(err, errsize, "%s'%s' is larger than %zu bytes (it has %lld)", noun, path,
                     max_bytes, (long long)st.st_size);
            fclose(f);
            return false;
        }
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    bool ok = buf != NULL;
    while (ok) {
        if (n + 1 >= cap) {
            if (n > max_bytes) {
                snprintf(err, errsize, "%s'%s' is larger than %zu bytes", noun, path, max_bytes);
                ok = false;
                break;
            }
            size_t next = cap * 2;
            if (next > max_bytes + 2) next = max_bytes + 2;  // room for one byte too many, and the NUL
            if (next <= cap) next = cap + 1;
            char *nb = realloc(buf, next);
            if (!nb) {
                ok = false;
                break;
            }
            buf = nb;
            cap = next;
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
    if (ok && n > max_bytes) {
        snprintf(err, errsize, "%s'%s' is larger than %zu bytes", noun, path, max_bytes);
        ok = false;
    }
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

// ---- Saving ----------------------------------------------------------------------------------

bool app_check_save_target(const char *path, const char *noun, char *err, size_t errsize) {
    const size_t len = strlen(path);
    if (len == 0) {
        snprintf(err, errsize, "the %sfile name is empty", noun);
        return false;
    }
    if (len >= 1000) {
        snprintf(err, errsize, "the %sfile name '%.100s...' is too long (at most 999 bytes)", noun,
                 path);
        return false;
    }
    if (path[len - 1] == '/') {
        snprintf(err, errsize, "'%s' names a folder: give a file name for the %sfile, e.g. '%smodel'",
                 path, noun, path);
        return false;
    }
    struct stat st;
    if (lstat(path, &st) == 0) {
        const char *what = S_ISLNK(st.st_mode)    ? "a symbolic link"
                           : S_ISDIR(st.st_mode)  ? "a folder"
                           : S_ISCHR(st.st_mode)  ? "a device"
                           : S_ISBLK(st.st_mode)  ? "a device"
                           : S_ISFIFO(st.st_mode) ? "a named pipe"
                           : S_ISSOCK(st.st_mode) ? "a socket"
                           : S_ISREG(st.st_mode)  ? NULL
                                                  : "not a regular file";
        if (what) {
            snprintf(err, errsize,
                     "will not save the %sfile over '%s': it is %s, and only a regular file may be "
                     "replaced (give another name)",
                     noun, path, what);
            return false;
        }
    } else if (errno != ENOENT && errno != ENOTDIR) {  // ENOTDIR: the folder check below says which
        snprintf(err, errsize, "cannot save the %sfile to '%s': %s", noun, path, strerror(errno));
        return false;
    }
    // The folder it goes into: everything before the last '/', or ".".
    char dir[1024];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (stat(dir, &st) != 0) {
        snprintf(err, errsize, "cannot save the %sfile to '%s': the folder '%s' %s", noun, path, dir,
                 errno == ENOENT    ? "does not exist"
                 : errno == ENOTDIR ? "does not exist (a part of its path is a file)"
                                    : strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errsize, "cannot save the %sfile to '%s': '%s' is not a folder", noun, path, dir);
        return false;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errsize, "cannot save the %sfile to '%s': the folder '%s' is not writable (%s)",
                 noun, path, dir, strerror(errno));
        return false;
    }
    return true;
}

bool app_atomic_open(app_atomic_file *af, const char *path, const char *noun, char *err,
                     size_t errsize) {
    af->f = NULL;
    if (!app_check_save_target(path, noun, err, errsize)) return false;
    snprintf(af->path, sizeof af->path, "%s", path);
    snprintf(af->tmp, sizeof af->tmp, "%s.tmp-XXXXXX", path);
    const int fd = mkstemp(af->tmp);
    if (fd < 0) {
        snprintf(err, errsize, "cannot create a file beside '%s': %s", path, strerror(errno));
        return false;
    }
    // mkstemp makes the file private (0600); give it the usual 0666 less umask.
    const mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    af->f = fdopen(fd, "wb");
    if (!af->f) {
        const int e = errno;
        close(fd);
        unlink(af->tmp);
        snprintf(err, errsize, "cannot write '%s': %s", af->tmp, strerror(e));
        return false;
    }
    return true;
}

bool app_atomic_commit(app_atomic_file *af, const char *noun, char *err, size_t errsize) {
    if (!af->f) {
        snprintf(err, errsize, "cannot save the %sfile to '%s': it was not opened", noun, af->path);
        return false;
    }
    int e = 0;
    bool ok = !ferror(af->f);
    if (!ok) e = EIO;
    if (ok && fflush(af->f) != 0) ok = false, e = errno;
    if (ok && fsync(fileno(af->f)) != 0) ok = false, e = errno;
    if (fclose(af->f) != 0 && ok) ok = false, e = errno;
    af->f = NULL;
    // The target may have become a symlink or a folder while we wrote.
    char why[600];
    if (ok && !app_check_save_target(af->path, noun, why, sizeof why)) {
        unlink(af->tmp);
        snprintf(err, errsize, "%s", why);
        return false;
    }
    if (ok && rename(af->tmp, af->path) != 0) ok = false, e = errno;
    if (!ok) {
        unlink(af->tmp);
        snprintf(err, errsize, "cannot save the %sfile to '%s': %s", noun, af->path,
                 strerror(e ? e : EIO));
    }
    return ok;
}

void app_atomic_abort(app_atomic_file *af) {
    if (af->f) fclose(af->f);
    af->f = NULL;
    unlink(af->tmp);
}

bool app_write_file_atomic(const char *path, const void *data, size_t size, const char *noun,
                           char *err, size_t errsize) {
    app_atomic_file af;
    if (!app_atomic_open(&af, path, noun, err, errsize)) return false;
    if (size > 0 && fwrite(data, 1, size, af.f) != size) {
        const int e = errno;
        app_atomic_abort(&af);
        snprintf(err, errsize, "cannot save the %sfile to '%s': %s", noun, path, strerror(e ? e : EIO));
        return false;
    }
    return app_atomic_commit(&af, noun, err, errsize);
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
