// modelfile.c - the model file format (see modelfile.h).
#include "modelfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fileio.h"

static const char magic_[8] = {'C', 'O', 'N', 'V', 'S', 'T', 'E', 'P'};
#define MAX_ARCH_LEN 4096
#define MAX_NOTE_LEN 4096

// ---- Writing ------------------------------------------------------------------------

typedef struct writer_ {
    FILE *f;
    uLong crc;
    bool ok;
} writer_;

static void put_(writer_ *w, const void *p, size_t n) {
    if (!w->ok) return;
    w->crc = crc32(w->crc, p, (uInt)n);
    if (fwrite(p, 1, n, w->f) != n) w->ok = false;
}

static void put_u32_(writer_ *w, uint32_t v) {
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put_(w, b, 4);
}

static void put_u64_(writer_ *w, uint64_t v) {
    put_u32_(w, (uint32_t)v);
    put_u32_(w, (uint32_t)(v >> 32));
}

static void put_floats_(writer_ *w, const float *v, size_t n) {
    unsigned char buf[4096];
    size_t fill = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        buf[fill++] = (unsigned char)u;
        buf[fill++] = (unsigned char)(u >> 8);
        buf[fill++] = (unsigned char)(u >> 16);
        buf[fill++] = (unsigned char)(u >> 24);
        if (fill == sizeof buf) {
            put_(w, buf, fill);
            fill = 0;
        }
    }
    put_(w, buf, fill);
}

bool app_model_save(const char *path, const nn_net *net, const char *arch, const char *note,
                    char *err, size_t errsize) {
    char tmp[1024];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp) {
        snprintf(err, errsize, "the path '%.100s...' is too long", path);
        return false;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errsize, "cannot create a file beside '%s': %s", path, strerror(errno));
        return false;
    }
    // mkstemp makes the file private (0600); give it the usual 0666 less umask.
    const mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    writer_ w = {fdopen(fd, "wb"), crc32(0L, Z_NULL, 0), true};
    if (!w.f) {
        close(fd);
        unlink(tmp);
        snprintf(err, errsize, "cannot write '%s': %s", tmp, strerror(errno));
        return false;
    }
    const nn_shape in = net->model->input;
    put_(&w, magic_, sizeof magic_);
    put_u32_(&w, MODELFILE_VERSION);
    put_u32_(&w, (uint32_t)in.c);
    put_u32_(&w, (uint32_t)in.h);
    put_u32_(&w, (uint32_t)in.w);
    put_u32_(&w, (uint32_t)strlen(arch));
    put_(&w, arch, strlen(arch));
    const char *n = note ? note : "";
    put_u32_(&w, (uint32_t)strlen(n));
    put_(&w, n, strlen(n));
    put_u64_(&w, net->n_params);
    put_floats_(&w, net->params, net->n_params);
    uLong crc = w.crc;
    put_u32_(&w, (uint32_t)crc);
    int saved_errno = errno;
    bool ok = w.ok && fflush(w.f) == 0 && fsync(fileno(w.f)) == 0;
    if (!ok) saved_errno = errno;
    if (fclose(w.f) != 0 && ok) {
        ok = false;
        saved_errno = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        saved_errno = errno;
    }
    if (!ok) {
        unlink(tmp);
        snprintf(err, errsize, "cannot save the model to '%s': %s", path, strerror(saved_errno));
    }
    return ok;
}

// ---- Reading ------------------------------------------------------------------------------

typedef struct reader_ {
    const unsigned char *p, *end;
    const char *path;
    char *err;
    size_t errsize;
} reader_;

static bool take_(reader_ *r, void *out, size_t n, const char *what) {
    if ((size_t)(r->end - r->p) < n) {
        snprintf(r->err, r->errsize, "'%s' is truncated: it ends inside the %s", r->path, what);
        return false;
    }
    memcpy(out, r->p, n);
    r->p += n;
    return true;
}

static bool take_u32_(reader_ *r, uint32_t *v, const char *what) {
    unsigned char b[4];
    if (!take_(r, b, 4, what)) return false;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

static bool take_text_(reader_ *r, char *buf, size_t max, const char *what) {
    uint32_t len;
    if (!take_u32_(r, &len, what)) return false;
    if (len >= max) {
        snprintf(r->err, r->errsize, "'%s' is corrupt: its %s is %u bytes long (at most %zu)",
                 r->path, what, len, max - 1);
        return false;
    }
    if (!take_(r, buf, len, what)) return false;
    buf[len] = '\0';
    if (strlen(buf) != len) {
        snprintf(r->err, r->errsize, "'%s' is corrupt: its %s contains a NUL byte", r->path, what);
        return false;
    }
    return true;
}

bool app_model_load(const char *path, nn_net **out, int max_batch, char *note, size_t note_size,
                    char *err, size_t errsize) {
    *out = NULL;
    // Models are small (LeNet-5: 250 kB); read it whole, at most 1 GiB.
    char *text_buf;
    size_t n;
    err[0] = '\0';
    if (!app_read_file(path, (size_t)1 << 30, "the model ", &text_buf, &n, err, errsize))
        return false;
    unsigned char *buf = (unsigned char *)text_buf;
    reader_ r = {buf, buf + n, path, err, errsize};
    char magic[8], arch[MAX_ARCH_LEN], text[MAX_NOTE_LEN];
    uint32_t version, c, h, w, crc_stored;
    nn_net *net = NULL;
    bool ok = false;
    if (n < sizeof magic_ || memcmp(buf, magic_, sizeof magic_) != 0) {
        snprintf(err, errsize, "'%s' is not a convstep model file (it does not start with CONVSTEP)",
                 path);
        goto done;
    }
    if (!take_(&r, magic, 8, "magic") || !take_u32_(&r, &version, "version")) goto done;
    if (version != MODELFILE_VERSION) {
        snprintf(err, errsize, "'%s' is a version %u model file; this convstep reads version %u",
                 path, version, MODELFILE_VERSION);
        goto done;
    }
    if (!take_u32_(&r, &c, "input shape") || !take_u32_(&r, &h, "input shape") ||
        !take_u32_(&r, &w, "input shape") || !take_text_(&r, arch, sizeof arch, "architecture") ||
        !take_text_(&r, text, sizeof text, "note"))
        goto done;
    // The checksum first: a flipped bit anywhere is "corrupt", not a confusing shape error.
    if (n < 4) goto done;
    {
        const unsigned char *t = buf + n - 4;
        crc_stored = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
        uLong crc = crc32(crc32(0L, Z_NULL, 0), buf, (uInt)(n - 4));
        if ((uint32_t)crc != crc_stored) {
            snprintf(err, errsize, "'%s' is corrupt or truncated: its checksum does not match", path);
            goto done;
        }
    }
    if (c < 1 || h < 1 || w < 1 || c > 4096 || h > 4096 || w > 4096) {
        snprintf(err, errsize, "'%s' is corrupt: input shape %ux%ux%u is out of range", path, h, w, c);
        goto done;
    }
    {
        nn_error e;
        if (nn_net_create(&net, arch, nn_shape_map((int)c, (int)h, (int)w), max_batch, NULL, &e) !=
            NN_OK) {
            snprintf(err, errsize, "'%s' holds an architecture convstep cannot build: %s", path, e.msg);
            goto done;
        }
    }
    uint32_t lo, hi;
    if (!take_u32_(&r, &lo, "parameter count") || !take_u32_(&r, &hi, "parameter count")) goto done;
    const uint64_t count = (uint64_t)hi << 32 | lo;
    if (count != net->n_params) {
        snprintf(err, errsize, "'%s' is corrupt: it has %llu parameters but '%s' needs %zu", path,
                 (unsigned long long)count, arch, net->n_params);
        goto done;
    }
    if ((size_t)(r.end - r.p) != count * 4 + 4) {
        snprintf(err, errsize, "'%s' is corrupt: %zu bytes follow the header, expected %llu", path,
                 (size_t)(r.end - r.p), (unsigned long long)(count * 4 + 4));
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        const unsigned char *b = r.p + 4 * i;
        uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        memcpy(&net->params[i], &u, 4);
    }
    if (note && note_size) snprintf(note, note_size, "%s", text);
    ok = true;
done:
    free(buf);
    if (!ok) {
        nn_net_free(net);
        return false;
    }
    *out = net;
    return true;
}
