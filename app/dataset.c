// dataset.c - IDX files, plain or gzip-compressed. A gzip file is inflated
// with zlib's inflate() straight into the dataset's buffer, so a
// missing or damaged trailer (CRC-32, length) is always seen: gzread() can
// report a stream cut inside its trailer as a clean end when the last read
// filled the caller's buffer exactly.
#include "dataset.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "assets.h"

#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u

static uint32_t be32_(const unsigned char *b) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

// An IDX file being read: raw bytes arrive in `in`, and reach the caller
// as they are (plain) or through inflate (gzip).
typedef struct idx_file_ {
    const char *path;
    FILE *f;
    bool gz;                   // starts with the gzip magic 1f 8b
    bool z_ready;              // inflateInit2 succeeded
    bool member_end;           // the last gzip member ended, its trailer verified
    bool eof;                  // no more raw bytes
    unsigned long long raw;    // raw bytes read so far
    z_stream z;                // next_in/avail_in: the unread part of `in`
    unsigned char in[1 << 16];
} idx_file_;

// How a read went.
typedef enum { IDX_READ_OK, IDX_READ_SHORT, IDX_READ_BAD } idx_read_;

// Refills the input when it is used up. False (with err) on a read error or a
// file larger than any IDX file the program reads.
static bool fill_(idx_file_ *s, char *err, size_t errsize) {
    if (s->z.avail_in > 0 || s->eof) return true;
    const size_t n = fread(s->in, 1, sizeof s->in, s->f);
    if (n == 0) {
        if (ferror(s->f)) {
            snprintf(err, errsize, "cannot read '%s': %s", s->path, strerror(errno ? errno : EIO));
            return false;
        }
        s->eof = true;
        return true;
    }
    s->raw += n;
    if (s->raw > APP_IDX_MAX_FILE_BYTES) {
        snprintf(err, errsize, "'%s' is larger than %llu bytes, more than an IDX file of at most %u pixels needs",
                 s->path, (unsigned long long)APP_IDX_MAX_FILE_BYTES, APP_IDX_MAX_PIXELS);
        return false;
    }
    s->z.next_in = s->in;
    s->z.avail_in = (uInt)n;
    return true;
}

// Reads up to n bytes into buf; *got says how many arrived. SHORT when the
// data ends first (for gzip: the input ends, trailer or not), BAD (with err)
// on a read error, an oversized file or damaged compressed data.
static idx_read_ read_(idx_file_ *s, void *buf, size_t n, size_t *got, char *err,
                       size_t errsize) {
    unsigned char *out = buf;
    size_t done = 0;
    bool bad = false;
    while (done < n) {
        if (!fill_(s, err, errsize)) {
            bad = true;
            break;
        }
        if (!s->gz) {
            if (s->z.avail_in == 0) break;  // the end of a plain file
            const size_t take = n - done < s->z.avail_in ? n - done : s->z.avail_in;
            memcpy(out + done, s->z.next_in, take);
            s->z.next_in += take;
            s->z.avail_in -= (uInt)take;
            done += take;
            continue;
        }
        if (s->member_end) {
            if (s->z.avail_in == 0) break;  // the end of the last gzip member
            inflateReset(&s->z);            // another member follows (as `cat a.gz b.gz` makes)
            s->member_end = false;
        }
        const size_t chunk = n - done < UINT_MAX ? n - done : UINT_MAX;
        s->z.next_out = out + done;
        s->z.avail_out = (uInt)chunk;
        const int r = inflate(&s->z, Z_NO_FLUSH);
        done += chunk - s->z.avail_out;
        if (r == Z_STREAM_END) {
            s->member_end = true;  // inflate has checked the CRC-32 and the length
            continue;
        }
        if (r == Z_OK) continue;
        if (r == Z_BUF_ERROR && s->z.avail_in == 0) {
            if (s->eof) break;  // the compressed data stops before its end
            continue;
        }
        snprintf(err, errsize, "'%s' is corrupt: its gzip data is damaged (zlib: %s)", s->path,
                 s->z.msg ? s->z.msg : "invalid compressed data");
        *got = done;
        return IDX_READ_BAD;
    }
    *got = done;
    if (bad) return IDX_READ_BAD;
    return done == n ? IDX_READ_OK : IDX_READ_SHORT;
}

static void close_(idx_file_ *s) {
    if (!s) return;
    if (s->z_ready) inflateEnd(&s->z);
    if (s->f) fclose(s->f);
    free(s);
}

// Opens an IDX file (refusing folders and oversized files), tells gzip from
// plain, checks the magic and reads the dimensions (1 or 3).
static idx_file_ *open_idx_(const char *path, uint32_t magic, int ndims, uint32_t *dims,
                            char *err, size_t errsize) {
    const char *kind = magic == IDX_IMAGES_MAGIC ? "image" : "label";
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errsize, "'%s' is a folder, not an IDX %s file", path, kind);
            fclose(f);
            return NULL;
        }
        if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > APP_IDX_MAX_FILE_BYTES) {
            snprintf(err, errsize,
                     "'%s' is %lld bytes, larger than any IDX file convstep reads (at most %llu)",
                     path, (long long)st.st_size, (unsigned long long)APP_IDX_MAX_FILE_BYTES);
            fclose(f);
            return NULL;
        }
    }
    idx_file_ *s = calloc(1, sizeof *s);
    if (!s) {
        fclose(f);
        snprintf(err, errsize, "out of memory reading '%s'", path);
        return NULL;
    }
    s->path = path;
    s->f = f;
    if (!fill_(s, err, errsize)) {
        close_(s);
        return NULL;
    }
    if (s->z.avail_in >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
        s->gz = true;
        if (inflateInit2(&s->z, 15 + 16) != Z_OK) {  // 15 + 16: a gzip wrapper, checked
            snprintf(err, errsize, "out of memory reading '%s'", path);
            close_(s);
            return NULL;
        }
        s->z_ready = true;
    }
    unsigned char head[16];
    const size_t want = 4 + 4 * (size_t)ndims;
    size_t got;
    const idx_read_ r = read_(s, head, want, &got, err, errsize);
    if (r != IDX_READ_OK) {
        if (r == IDX_READ_SHORT)
            snprintf(err, errsize, "'%s' is truncated: its IDX header needs %zu bytes, the file has %zu",
                     path, want, got);
        close_(s);
        return NULL;
    }
    const uint32_t m = be32_(head);
    if (m != magic) {
        snprintf(err, errsize, "'%s' is not an IDX %s file (magic 0x%08x, expected 0x%08x)", path,
                 kind, m, magic);
        close_(s);
        return NULL;
    }
    for (int i = 0; i < ndims; i++) dims[i] = be32_(head + 4 + 4 * i);
    return s;
}

// Reads the n data bytes the header announced (n already checked against the
// limits) into a buffer that grows as they arrive, up to exactly n, so a
// short file costs what it holds, not what it claims. Then makes sure the
// file ends there and, for gzip, that its trailer was there and verified.
static unsigned char *read_body_(idx_file_ *s, size_t n, const char *announced, char *err,
                                 size_t errsize) {
    size_t cap = n < ((size_t)1 << 20) ? n : ((size_t)1 << 20), got = 0;
    unsigned char *buf = malloc(cap);
    idx_read_ r = IDX_READ_OK;
    while (buf) {
        size_t part;
        r = read_(s, buf + got, cap - got, &part, err, errsize);
        got += part;
        if (r != IDX_READ_OK || got == n) break;
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
    if (!buf) {
        snprintf(err, errsize, "out of memory for the %zu bytes '%s' announces", n, s->path);
        return NULL;
    }
    if (r == IDX_READ_SHORT)
        snprintf(err, errsize, "'%s' is truncated: its header announces %s (%zu bytes), the file holds %zu",
                 s->path, announced, n, got);
    if (r == IDX_READ_OK) {
        unsigned char extra;
        size_t more;
        r = read_(s, &extra, 1, &more, err, errsize);
        if (r == IDX_READ_OK) {
            snprintf(err, errsize, "'%s' has bytes after the %s its header announces", s->path,
                     announced);
            r = IDX_READ_BAD;
        } else if (r == IDX_READ_SHORT && s->gz && !s->member_end) {
            snprintf(err, errsize,
                     "'%s' is truncated: its gzip data stops before the 8-byte trailer "
                     "(CRC-32 and length) that vouches for it",
                     s->path);
        } else if (r == IDX_READ_SHORT) {
            r = IDX_READ_OK;
        }
    }
    if (r != IDX_READ_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

bool app_dataset_read(app_dataset *d, const char *images_path, const char *labels_path,
                      char *err, size_t errsize) {
    memset(d, 0, sizeof *d);
    uint32_t idims[3], ldims[1];
    idx_file_ *fi = open_idx_(images_path, IDX_IMAGES_MAGIC, 3, idims, err, errsize);
    if (!fi) return false;
    // Every count the header declares, checked before anything is allocated.
    if (idims[0] == 0 || idims[0] > APP_IDX_MAX_IMAGES || idims[1] == 0 ||
        idims[1] > APP_IDX_MAX_SIDE || idims[2] == 0 || idims[2] > APP_IDX_MAX_SIDE ||
        (uint64_t)idims[0] * idims[1] * idims[2] > APP_IDX_MAX_PIXELS) {
        snprintf(err, errsize,
                 "'%s' announces %u images of %ux%u, out of range: convstep reads 1 to %d images "
                 "of at most %dx%d pixels, %u pixels in all",
                 images_path, idims[0], idims[1], idims[2], APP_IDX_MAX_IMAGES, APP_IDX_MAX_SIDE,
                 APP_IDX_MAX_SIDE, APP_IDX_MAX_PIXELS);
        close_(fi);
        return false;
    }
    char announced[96];
    snprintf(announced, sizeof announced, "%u images of %ux%u", idims[0], idims[1], idims[2]);
    d->images = read_body_(fi, (size_t)idims[0] * idims[1] * idims[2], announced, err, errsize);
    close_(fi);
    if (!d->images) return false;

    idx_file_ *fl = open_idx_(labels_path, IDX_LABELS_MAGIC, 1, ldims, err, errsize);
    if (!fl) {
        app_dataset_free(d);
        return false;
    }
    if (ldims[0] != idims[0]) {
        snprintf(err, errsize, "'%s' has %u images but '%s' has %u labels", images_path,
                 idims[0], labels_path, ldims[0]);
        close_(fl);
        app_dataset_free(d);
        return false;
    }
    snprintf(announced, sizeof announced, "%u labels", ldims[0]);
    d->labels = read_body_(fl, ldims[0], announced, err, errsize);
    close_(fl);
    if (!d->labels) {
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
        if (strlen(dir) > 500) {
            snprintf(err, errsize, "--data: the folder name '%.60s...' is too long (at most 500 bytes)", dir);
            return false;
        }
        struct stat st;
        if (stat(dir, &st) != 0) {
            snprintf(err, errsize, "--data: cannot open the folder '%s': %s", dir, strerror(errno));
            return false;
        }
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, errsize,
                     "--data: '%s' is not a folder: give the folder that holds "
                     "train-images-idx3-ubyte and the three other IDX files",
                     dir);
            return false;
        }
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
