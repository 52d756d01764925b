// dataset.c - IDX files through zlib (gzread reads plain files too).
#include "dataset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "assets.h"

#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_MAX_RECORDS 10000000
#define IDX_MAX_SIDE 1024

static uint32_t be32_(const unsigned char *b) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

// Reads exactly n bytes; false at the end of the file or on an error (*bad
// then says whether zlib found the data corrupt rather than short).
static bool read_all_(gzFile f, void *buf, size_t n, size_t *got, bool *bad) {
    size_t done = 0;
    *bad = false;
    while (done < n) {
        unsigned chunk = n - done > (1u << 30) ? (1u << 30) : (unsigned)(n - done);
        int r = gzread(f, (char *)buf + done, chunk);
        int code = Z_OK;
        if (r <= 0) gzerror(f, &code);  // a stream cut short reports Z_BUF_ERROR here
        if (r < 0 || (code != Z_OK && code != Z_STREAM_END)) *bad = true;
        if (r <= 0) break;
        done += (size_t)r;
    }
    *got = done;
    return done == n;
}

// Reads n bytes into a buffer that grows as data arrives, so a header that
// announces more than the file holds costs no huge allocation.
static unsigned char *read_grow_(gzFile f, size_t n, size_t *got, bool *bad) {
    size_t cap = n < ((size_t)16 << 20) ? n : ((size_t)16 << 20), done = 0;
    unsigned char *buf = malloc(cap ? cap : 1);
    *bad = false;
    while (buf) {
        size_t part;
        const bool full = read_all_(f, buf + done, cap - done, &part, bad);
        done += part;
        if (!full || done == n) break;
        const size_t next = n - cap < cap ? n : cap * 2;
        unsigned char *nb = realloc(buf, next);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap = next;
    }
    *got = done;
    return buf;
}

// The reason zlib gives for a damaged gzip stream.
static const char *gz_reason_(gzFile f) {
    int code;
    const char *msg = gzerror(f, &code);
    return code != Z_OK && msg && *msg ? msg : "damaged compressed data";
}

// Opens an IDX file, checks its magic and reads its dimensions (1 or 3).
static gzFile open_idx_(const char *path, uint32_t magic, int ndims, uint32_t *dims, char *err,
                        size_t errsize) {
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "cannot open '%s': %s", path, errno ? strerror(errno) : "gzopen failed");
        return NULL;
    }
    unsigned char head[16];
    size_t got;
    bool bad;
    const size_t want = 4 + 4 * (size_t)ndims;
    if (!read_all_(f, head, want, &got, &bad)) {
        snprintf(err, errsize, "'%s' is truncated: its IDX header needs %zu bytes, the file has %zu",
                 path, want, got);
        gzclose(f);
        return NULL;
    }
    const uint32_t m = be32_(head);
    if (m != magic) {
        snprintf(err, errsize,
                 "'%s' is not an IDX %s file (magic 0x%08x, expected 0x%08x)", path,
                 magic == IDX_IMAGES_MAGIC ? "image" : "label", m, magic);
        gzclose(f);
        return NULL;
    }
    for (int i = 0; i < ndims; i++) dims[i] = be32_(head + 4 + 4 * i);
    return f;
}

// After the data: the file must end here, and a gzip stream end intact.
static bool at_end_(gzFile f, const char *path, char *err, size_t errsize) {
    char extra;
    const int r = gzread(f, &extra, 1);
    int code = Z_OK;
    gzerror(f, &code);  // a gzip stream missing its trailer ends with Z_BUF_ERROR
    if (r > 0) {
        snprintf(err, errsize, "'%s' has bytes after the records its header announces", path);
        return false;
    }
    if (r < 0 || (code != Z_OK && code != Z_STREAM_END)) {
        snprintf(err, errsize, "'%s' is corrupt: %s", path, gz_reason_(f));
        return false;
    }
    return true;
}

bool app_dataset_read(app_dataset *d, const char *images_path, const char *labels_path,
                      char *err, size_t errsize) {
    memset(d, 0, sizeof *d);
    uint32_t idims[3], ldims[1];
    errno = 0;
    gzFile fi = open_idx_(images_path, IDX_IMAGES_MAGIC, 3, idims, err, errsize);
    if (!fi) return false;
    if (idims[0] == 0 || idims[0] > IDX_MAX_RECORDS || idims[1] == 0 || idims[1] > IDX_MAX_SIDE ||
        idims[2] == 0 || idims[2] > IDX_MAX_SIDE) {
        snprintf(err, errsize, "'%s' announces %u images of %ux%u: sizes out of range", images_path,
                 idims[0], idims[1], idims[2]);
        gzclose(fi);
        return false;
    }
    const size_t bytes = (size_t)idims[0] * idims[1] * idims[2];
    size_t got;
    bool bad;
    d->images = read_grow_(fi, bytes, &got, &bad);
    bool ok = d->images && got == bytes;
    if (!d->images)
        snprintf(err, errsize, "out of memory reading '%s'", images_path);
    else if (!ok && bad)
        snprintf(err, errsize, "'%s' is corrupt: %s", images_path, gz_reason_(fi));
    else if (!ok)
        snprintf(err, errsize,
                 "'%s' is truncated: its header announces %u images of %ux%u (%zu bytes), "
                 "the file holds %zu",
                 images_path, idims[0], idims[1], idims[2], bytes, got);
    else
        ok = at_end_(fi, images_path, err, errsize);
    gzclose(fi);
    if (!ok) {
        app_dataset_free(d);
        return false;
    }

    errno = 0;
    gzFile fl = open_idx_(labels_path, IDX_LABELS_MAGIC, 1, ldims, err, errsize);
    if (!fl) {
        app_dataset_free(d);
        return false;
    }
    if (ldims[0] != idims[0]) {
        snprintf(err, errsize, "'%s' has %u images but '%s' has %u labels", images_path,
                 idims[0], labels_path, ldims[0]);
        gzclose(fl);
        app_dataset_free(d);
        return false;
    }
    d->labels = malloc(ldims[0]);
    ok = d->labels && read_all_(fl, d->labels, ldims[0], &got, &bad);
    if (!ok && d->labels && bad)
        snprintf(err, errsize, "'%s' is corrupt: %s", labels_path, gz_reason_(fl));
    else if (!ok)
        snprintf(err, errsize, "'%s' is truncated: its header announces %u labels, the file holds %zu",
                 labels_path, ldims[0], d->labels ? got : 0);
    else
        ok = at_end_(fl, labels_path, err, errsize);
    gzclose(fl);
    if (!ok) {
        app_dataset_free(d);
        return false;
    }
    d->count = (int)idims[0];
    d->rows = (int)idims[1];
    d->cols = (int)idims[2];
    return true;
}

// dir/name or dir/name.gz, whichever exists (the plain name if neither).
static void pick_(char *buf, size_t size, const char *dir, const char *name) {
    snprintf(buf, size, "%s/%s", dir, name);
    if (access(buf, R_OK) == 0) return;
    snprintf(buf, size, "%s/%s.gz", dir, name);
    if (access(buf, R_OK) == 0) return;
    snprintf(buf, size, "%s/%s", dir, name);
}

bool app_dataset_slice(app_dataset *dst, const app_dataset *src, int from, int count) {
    const size_t per = (size_t)src->rows * src->cols;
    dst->count = count;
    dst->rows = src->rows;
    dst->cols = src->cols;
    dst->images = malloc(per * (size_t)count);
    dst->labels = malloc((size_t)count);
    if (!dst->images || !dst->labels) {
        app_dataset_free(dst);
        return false;
    }
    memcpy(dst->images, src->images + per * (size_t)from, per * (size_t)count);
    memcpy(dst->labels, src->labels + from, (size_t)count);
    return true;
}

bool app_dataset_load(app_dataset *train, app_dataset *test, const char *dir, char *err,
                      size_t errsize) {
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    char a[600], b[600];
    if (dir) {
        pick_(a, sizeof a, dir, "train-images-idx3-ubyte");
        pick_(b, sizeof b, dir, "train-labels-idx1-ubyte");
        if (!app_dataset_read(train, a, b, err, errsize)) return false;
        pick_(a, sizeof a, dir, "t10k-images-idx3-ubyte");
        pick_(b, sizeof b, dir, "t10k-labels-idx1-ubyte");
        if (!app_dataset_read(test, a, b, err, errsize)) {
            app_dataset_free(train);
            return false;
        }
        if (test->rows != train->rows || test->cols != train->cols) {
            snprintf(err, errsize, "the test images are %dx%d but the training images %dx%d",
                     test->rows, test->cols, train->rows, train->cols);
            app_dataset_free(train);
            app_dataset_free(test);
            return false;
        }
        return true;
    }
    // The embedded digits: 10,000 records, 0..7999 train and 8000..9999 test.
    app_dataset all;
    if (!app_asset_path("mnist10k-images-idx3-ubyte.gz", a, sizeof a, err, errsize) ||
        !app_asset_path("mnist10k-labels-idx1-ubyte.gz", b, sizeof b, err, errsize) ||
        !app_dataset_read(&all, a, b, err, errsize))
        return false;
    bool ok = all.count == 10000;
    if (!ok) snprintf(err, errsize, "'%s' should hold 10000 digits, it holds %d", a, all.count);
    if (ok && (!app_dataset_slice(train, &all, 0, 8000) ||
               !app_dataset_slice(test, &all, 8000, 2000))) {
        snprintf(err, errsize, "out of memory for the digits");
        app_dataset_free(train);
        ok = false;
    }
    app_dataset_free(&all);
    return ok;
}

void app_dataset_free(app_dataset *d) {
    free(d->images);
    free(d->labels);
    d->images = NULL;
    d->labels = NULL;
    d->count = 0;
}
