// modelfile.c - the model file format (see modelfile.h).
#include "modelfile.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "fileio.h"
#include "text.h"


static const char magic_[8] = {'C', 'O', 'N', 'V', 'S', 'T', 'E', 'P'};

// ---- Limits and parameter values ---------------------------------------------------------

bool app_model_check_limits(const nn_model *m, const char *who, char *err, size_t errsize) {
    if (m->n_layers < 1 || m->n_layers > MODEL_MAX_LAYERS) {
        snprintf(err, errsize, "%s has %d layers; convstep models have from 1 to %d", who,
                 m->n_layers, MODEL_MAX_LAYERS);
        return false;
    }
    const size_t classes = nn_shape_count(m->layers[m->n_layers - 1].out);
    if (classes > MODEL_MAX_CLASSES) {
        snprintf(err, errsize, "%s gives %zu classes (values out of its last layer); convstep "
                 "models give at most %d", who, classes, MODEL_MAX_CLASSES);
        return false;
    }
    if (m->params < 0 || m->params > MODEL_MAX_PARAMS) {
        snprintf(err, errsize, "%s has %lld parameters; convstep models have at most %d", who,
                 m->params, MODEL_MAX_PARAMS);
        return false;
    }
    // What nn_net_create will allocate per sample: each layer's output, and a
    // convolution's unrolled windows (the largest buffer for big kernels).
    size_t values = nn_shape_count(m->input);
    for (int i = 0; i < m->n_layers && values <= MODEL_MAX_ACTIVATIONS; i++) {
        values += nn_shape_count(m->layers[i].out);
        if (m->layers[i].spec.kind == NN_LAYER_CONV) {
            const size_t col = nn_conv2d_col_size(&m->layers[i].conv);
            values = col > MODEL_MAX_ACTIVATIONS ? (size_t)MODEL_MAX_ACTIVATIONS + 1 : values + col;
        }
    }
    if (values > MODEL_MAX_ACTIVATIONS) {
        snprintf(err, errsize, "%s needs more than %d values of working memory per sample "
                 "(layer outputs and convolution windows); convstep models need at most that",
                 who, MODEL_MAX_ACTIVATIONS);
        return false;
    }
    return true;
}

// Says which layer parameter i belongs to: "weight 3 of layer 2 (dense)".
static void describe_param_(const nn_net *net, size_t i, char *buf, size_t size) {
    snprintf(buf, size, "parameter %zu", i);
    for (int l = 0; l < net->model->n_layers; l++) {
        const nn_param_slice *s = &net->slices[l];
        const char *name = net->model->layers[l].name;
        if (i >= s->weights && i < s->weights + s->n_weights) {
            snprintf(buf, size, "parameter %zu (weight %zu of layer %d, %s)", i, i - s->weights,
                     l + 1, name);
            return;
        }
        if (i >= s->bias && i < s->bias + s->n_bias) {
            snprintf(buf, size, "parameter %zu (bias %zu of layer %d, %s)", i, i - s->bias, l + 1,
                     name);
            return;
        }
    }
}

// A model whose parameters are NaN, infinite or beyond MODEL_MAX_ABS_PARAM
// gives nonsense ("0 (nan%)"): the first such parameter, named, is refused.
static bool check_params_(const nn_net *net, const char *who, char *err, size_t errsize) {
    for (size_t i = 0; i < net->n_params; i++) {
        const float v = net->params[i];
        if (isfinite(v) && fabsf(v) <= MODEL_MAX_ABS_PARAM) continue;
        char where[160], value[32];
        describe_param_(net, i, where, sizeof where);
        if (isnan(v))
            snprintf(value, sizeof value, "nan");
        else
            snprintf(value, sizeof value, "%g", (double)v);  // "inf", "-inf" or the number
        snprintf(err, errsize, "%s has %s = %s; parameters must be finite numbers of magnitude at "
                 "most " MODEL_MAX_ABS_PARAM_TEXT, who, where, value);
        return false;
    }
    return true;
}

// ---- Writing ------------------------------------------------------------------------

typedef struct writer_ {
    FILE *f;
    uLong crc;
    bool ok;    // every write so far succeeded
    int error;  // errno of the first that did not
} writer_;

static void put_(writer_ *w, const void *p, size_t n) {
    if (!w->ok) return;
    w->crc = crc32(w->crc, p, (uInt)n);
    if (fwrite(p, 1, n, w->f) != n) {
        w->ok = false;
        w->error = errno ? errno : EIO;
    }
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
    // Never write a model that app_model_load would refuse.
    if (!app_model_check_limits(net->model, "this model", err, errsize) ||
        !check_params_(net, "this model", err, errsize))
        return false;
    if (strlen(arch) > MODEL_MAX_ARCH_BYTES) {
        snprintf(err, errsize, "this model's architecture is %zu bytes long; a model file holds "
                 "at most %d", strlen(arch), MODEL_MAX_ARCH_BYTES);
        return false;
    }
    // Written beside the target and renamed over it only when complete.
    app_atomic_file af;
    if (!app_atomic_open(&af, path, "model ", err, errsize)) return false;
    writer_ w = {af.f, crc32(0L, Z_NULL, 0), true, 0};
    const nn_shape in = net->model->input;
    put_(&w, magic_, sizeof magic_);
    put_u32_(&w, MODELFILE_VERSION);
    put_u32_(&w, (uint32_t)in.c);
    put_u32_(&w, (uint32_t)in.h);
    put_u32_(&w, (uint32_t)in.w);
    put_u32_(&w, (uint32_t)strlen(arch));
    put_(&w, arch, strlen(arch));
    // A note is free text: one too long for the format is cut (at a character).
    const char *n = note ? note : "";
    size_t note_len = strlen(n);
    if (note_len > MODEL_MAX_NOTE_BYTES) {
        note_len = MODEL_MAX_NOTE_BYTES;
        while (note_len > 0 && ((unsigned char)n[note_len] & 0xC0) == 0x80) note_len--;
    }
    put_u32_(&w, (uint32_t)note_len);
    put_(&w, n, note_len);
    put_u64_(&w, net->n_params);
    put_floats_(&w, net->params, net->n_params);
    uLong crc = w.crc;
    put_u32_(&w, (uint32_t)crc);
    if (!w.ok) {
        app_atomic_abort(&af);
        snprintf(err, errsize, "cannot save the model file to '%s': %s", path, strerror(w.error));
        return false;
    }
    return app_atomic_commit(&af, "model ", err, errsize);
}

// ---- Reading --------------------------------------------------------------------------------

// The file is read once, front to back, through one FILE: a pipe or
// /dev/stdin cannot be opened twice or seeked, and nothing is read beyond
// what the header announces (/dev/zero is refused after its first 8 bytes).
typedef struct reader_ {
    FILE *f;
    uLong crc;           // of every byte read so far
    unsigned long long at;  // bytes read so far
    const char *path;
    char *err;
    size_t errsize;
} reader_;

static bool take_(reader_ *r, void *out, size_t n, const char *what) {
    const size_t got = fread(out, 1, n, r->f);
    r->crc = crc32(r->crc, out, (uInt)got);
    r->at += got;
    if (got == n) return true;
    if (ferror(r->f))
        snprintf(r->err, r->errsize, "cannot read the model '%s': %s", r->path, strerror(errno));
    else
        snprintf(r->err, r->errsize, "'%s' is truncated: it ends inside the %s (after %llu bytes)",
                 r->path, what, r->at);
    return false;
}

static bool take_u32_(reader_ *r, uint32_t *v, const char *what) {
    unsigned char b[4];
    if (!take_(r, b, 4, what)) return false;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

// A length-prefixed text of at most max bytes into buf[max + 1]; the length
// is checked before its bytes are read.
static bool take_text_(reader_ *r, char *buf, size_t max, const char *what) {
    uint32_t len;
    if (!take_u32_(r, &len, what)) return false;
    if (len > max) {
        snprintf(r->err, r->errsize, "'%s' is corrupt: its %s is %u bytes long (at most %zu)",
                 r->path, what, len, max);
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

// The parameters, straight into the net's array, a block at a time.
static bool take_params_(reader_ *r, float *params, size_t count) {
    unsigned char block[65536];
    size_t done = 0;
    while (done < count) {
        size_t k = count - done;
        if (k > sizeof block / 4) k = sizeof block / 4;
        if (!take_(r, block, 4 * k, "parameters")) return false;
        for (size_t i = 0; i < k; i++) {
            const unsigned char *b = block + 4 * i;
            const uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                               (uint32_t)b[3] << 24;
            memcpy(&params[done + i], &u, 4);
        }
        done += k;
    }
    return true;
}

static bool load_(reader_ *r, struct stat *st, nn_net **out, int max_batch, char *note,
                  size_t note_size) {
    const char *path = r->path;
    char *err = r->err;
    const size_t errsize = r->errsize;
    unsigned char magic[8];
    const size_t got = fread(magic, 1, sizeof magic, r->f);
    r->crc = crc32(r->crc, magic, (uInt)got);
    r->at += got;
    if (ferror(r->f)) {
        snprintf(err, errsize, "cannot read the model '%s': %s", path, strerror(errno));
        return false;
    }
    if (got < sizeof magic || memcmp(magic, magic_, sizeof magic_) != 0) {
        snprintf(err, errsize, "'%s' is not a convstep model file (it does not start with CONVSTEP)",
                 path);
        return false;
    }
    uint32_t version, c, h, w, lo, hi;
    if (!take_u32_(r, &version, "version")) return false;
    if (version != MODELFILE_VERSION) {
        snprintf(err, errsize, "'%s' is a version %u model file; this convstep reads version %u",
                 path, version, MODELFILE_VERSION);
        return false;
    }
    char arch[MODEL_MAX_ARCH_BYTES + 1], text[MODEL_MAX_NOTE_BYTES + 1];
    if (!take_u32_(r, &c, "input shape") || !take_u32_(r, &h, "input shape") ||
        !take_u32_(r, &w, "input shape"))
        return false;
    if (c < 1 || h < 1 || w < 1 || c > MODEL_MAX_INPUT_SIDE || h > MODEL_MAX_INPUT_SIDE ||
        w > MODEL_MAX_INPUT_SIDE) {
        snprintf(err, errsize, "'%s' is corrupt: input shape %ux%ux%u is out of range (each of "
                 "rows, columns, channels from 1 to %d)", path, h, w, c, MODEL_MAX_INPUT_SIDE);
        return false;
    }
    if (!take_text_(r, arch, MODEL_MAX_ARCH_BYTES, "architecture") ||
        !take_text_(r, text, MODEL_MAX_NOTE_BYTES, "note") ||
        !take_u32_(r, &lo, "parameter count") || !take_u32_(r, &hi, "parameter count"))
        return false;
    const uint64_t count = (uint64_t)hi << 32 | lo;

    // The architecture as a model (a few small allocations), to check it
    // against the limits before the net and its buffers are allocated.
    char who[1200];
    snprintf(who, sizeof who, "the model '%s'", path);
    nn_model *model = NULL;
    nn_error e;
    if (nn_model_create(&model, arch, nn_shape_map((int)c, (int)h, (int)w), &e) != NN_OK) {
        snprintf(err, errsize, "'%s' holds an architecture convstep cannot build: %s", path, e.msg);
        return false;
    }
    const bool within = app_model_check_limits(model, who, err, errsize);
    const long long needed = model->params;
    nn_model_free(model);
    if (!within) return false;
    if (count != (uint64_t)needed) {
        snprintf(err, errsize, "'%s' is corrupt: it has %llu parameters but '%s' needs %lld", path,
                 (unsigned long long)count, arch, needed);
        return false;
    }
    // A regular file says its size: a short or long one is refused now.
    const unsigned long long total = r->at + 4 * count + 4;
    if (S_ISREG(st->st_mode) && (unsigned long long)st->st_size != total) {
        if ((unsigned long long)st->st_size < total)
            snprintf(err, errsize, "'%s' is truncated: it has %lld bytes, its header announces %llu",
                     path, (long long)st->st_size, total);
        else
            snprintf(err, errsize, "'%s' is corrupt: it has %lld bytes, its header announces %llu",
                     path, (long long)st->st_size, total);
        return false;
    }
    nn_net *net = NULL;
    if (nn_net_create(&net, arch, nn_shape_map((int)c, (int)h, (int)w), max_batch, NULL, &e) !=
        NN_OK) {
        snprintf(err, errsize, "'%s' holds an architecture convstep cannot build: %s", path, e.msg);
        return false;
    }
    unsigned char tail[4];
    bool ok = take_params_(r, net->params, (size_t)count);
    const uLong crc = r->crc;
    ok = ok && take_(r, tail, 4, "checksum");
    if (ok) {
        const uint32_t stored =
            (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 | (uint32_t)tail[3] << 24;
        if (stored != (uint32_t)crc) {
            snprintf(err, errsize, "'%s' is corrupt or truncated: its checksum does not match", path);
            ok = false;
        }
    }
    if (ok && fgetc(r->f) != EOF) {  // a stream gives no size: look for one byte more
        snprintf(err, errsize, "'%s' is corrupt: more bytes follow its checksum (%llu bytes)", path,
                 total);
        ok = false;
    }
    ok = ok && check_params_(net, who, err, errsize);
    if (!ok) {
        nn_net_free(net);
        return false;
    }
    if (note && note_size) snprintf(note, note_size, "%s", text);
    *out = net;
    return true;
}

bool app_model_load(const char *path, nn_net **out, int max_batch, char *note, size_t note_size,
                    char *err, size_t errsize) {
    *out = NULL;
    err[0] = '\0';
    bool ok = false;
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) {
        snprintf(err, errsize, "cannot open the model '%s': %s", path, strerror(errno));
    } else if (fstat(fileno(f), &st) != 0) {
        snprintf(err, errsize, "cannot read the model '%s': %s", path, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        snprintf(err, errsize, "the model '%s' is a folder, not a file", path);
    } else {
        reader_ r = {f, crc32(0L, Z_NULL, 0), 0, path, err, errsize};
        ok = load_(&r, &st, out, max_batch, note, note_size);
    }
    if (f) fclose(f);
    if (!ok) {
        // The path and the architecture come from outside: no raw control characters.
        text_escape_in_place(err, errsize);
    }
    return ok;
}
