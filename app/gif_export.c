// gif_export.c - animated GIFs of the headless runner's frames (gif_export.h).
//
// Colours: one global palette for all frames, built from the pixels the GIF
// stores (the first frame, then the rectangles that changed). The UI draws with a few dozen flat colours plus the anti-aliased
// edges of text; when all the colours of all frames number 255 or fewer the
// palette is exact and the GIF shows the very pixels the PNGs show. Otherwise
// a median cut over the colour histogram makes 255 boxes, and each box is
// represented by its most frequent colour (not its mean), so the flat colours
// that fill the picture stay exact and only rare edge pixels move to the
// nearest entry. One palette for all frames (rather than a local palette per
// frame) keeps a colour the same from frame to frame, so only the pixels that
// really change differ, and each frame after the first is cut down to the
// rectangle that changed, with the pixels in it that did not change left
// transparent (one palette entry is kept for that: 255 colours at most): long
// runs of one index, which LZW packs tightly.
//
// Memory: the palette needs every frame, so frames are kept until the save,
// each as the rectangle that changed from the frame before (RGB, deflated):
// a step of a view changes a few cells, so a frame costs a few kilobytes.
#include "gif_export.h"

#include <errno.h>
#include <gif_lib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fileio.h"

int gif_export_delay_cs(double fps) {
    if (!(fps >= GIF_EXPORT_FPS_MIN)) fps = GIF_EXPORT_FPS_MIN;  // NaN too
    if (fps > GIF_EXPORT_FPS_MAX) fps = GIF_EXPORT_FPS_MAX;
    return (int)floor(100.0 / fps + 0.5);
}

// ---- The palette ------------------------------------------------------------------------------------

// A colour histogram: open addressing on 0xRRGGBB keys (EMPTY_ marks a free slot).
#define EMPTY_ 0xFFFFFFFFu

typedef struct histogram_ {
    uint32_t *keys;
    uint64_t *counts;
    uint8_t *index;  // the palette entry of each colour, once the palette is made
    size_t cap, n;
} histogram_;

static size_t slot_(const histogram_ *t, uint32_t key) {
    size_t i = (size_t)(key * 2654435761u) & (t->cap - 1);
    while (t->keys[i] != EMPTY_ && t->keys[i] != key) i = (i + 1) & (t->cap - 1);
    return i;
}

static bool hist_init_(histogram_ *t, size_t cap) {
    t->cap = cap;
    t->n = 0;
    t->keys = malloc(cap * sizeof *t->keys);
    t->counts = calloc(cap, sizeof *t->counts);
    t->index = calloc(cap, 1);
    if (!t->keys || !t->counts || !t->index) return false;
    memset(t->keys, 0xFF, cap * sizeof *t->keys);
    return true;
}

static void hist_free_(histogram_ *t) {
    free(t->keys);
    free(t->counts);
    free(t->index);
    memset(t, 0, sizeof *t);
}

static bool hist_add_(histogram_ *t, uint32_t key, uint64_t count) {
    if (2 * (t->n + 1) > t->cap) {
        histogram_ big;
        if (!hist_init_(&big, t->cap * 2)) return hist_free_(&big), false;
        for (size_t i = 0; i < t->cap; i++)
            if (t->keys[i] != EMPTY_) {
                const size_t j = slot_(&big, t->keys[i]);
                big.keys[j] = t->keys[i], big.counts[j] = t->counts[i];
                big.n++;
            }
        hist_free_(t);
        *t = big;
    }
    const size_t i = slot_(t, key);
    if (t->keys[i] == EMPTY_) t->keys[i] = key, t->n++;
    t->counts[i] += count;
    return true;
}

// Adds a frame's pixels to the histogram (runs of one colour counted at once).
static bool hist_frame_(histogram_ *t, const uint8_t *rgb, size_t pixels) {
    for (size_t i = 0; i < pixels;) {
        const uint32_t key = (uint32_t)rgb[3 * i] << 16 | (uint32_t)rgb[3 * i + 1] << 8 | rgb[3 * i + 2];
        size_t run = 1;
        while (i + run < pixels && memcmp(rgb + 3 * i, rgb + 3 * (i + run), 3) == 0) run++;
        if (!hist_add_(t, key, run)) return false;
        i += run;
    }
    return true;
}

// The colours of the palette; the entry after the last is transparent.
#define PALETTE_MAX_ 255

typedef struct colour_ {
    uint8_t c[3];
    uint64_t count;
} colour_;

typedef struct box_ {
    size_t lo, hi;  // colours [lo, hi) of the list
    int axis, range;
    uint64_t count;
} box_;

static int sort_axis_;
static int cmp_colour_(const void *a, const void *b) {
    const colour_ *x = a, *y = b;
    if (x->c[sort_axis_] != y->c[sort_axis_]) return x->c[sort_axis_] - y->c[sort_axis_];
    const uint32_t kx = (uint32_t)x->c[0] << 16 | (uint32_t)x->c[1] << 8 | x->c[2];
    const uint32_t ky = (uint32_t)y->c[0] << 16 | (uint32_t)y->c[1] << 8 | y->c[2];
    return (kx > ky) - (kx < ky);
}

static void box_measure_(box_ *b, const colour_ *cs) {
    int lo[3] = {255, 255, 255}, hi[3] = {0, 0, 0};
    b->count = 0;
    for (size_t i = b->lo; i < b->hi; i++) {
        for (int k = 0; k < 3; k++) {
            if (cs[i].c[k] < lo[k]) lo[k] = cs[i].c[k];
            if (cs[i].c[k] > hi[k]) hi[k] = cs[i].c[k];
        }
        b->count += cs[i].count;
    }
    b->axis = 0;
    for (int k = 1; k < 3; k++)
        if (hi[k] - lo[k] > hi[b->axis] - lo[b->axis]) b->axis = k;
    b->range = hi[b->axis] - lo[b->axis];
}

// Makes the palette (at most PALETTE_MAX_ entries, *n of them) and the entry of every
// colour of the histogram; *exact when every colour has its own entry.
static bool make_palette_(histogram_ *t, GifColorType *pal, int *n, bool *exact) {
    colour_ *cs = malloc(t->n * sizeof *cs);
    box_ *boxes = malloc(PALETTE_MAX_ * sizeof *boxes);
    if (!cs || !boxes) return free(cs), free(boxes), false;
    size_t m = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->keys[i] != EMPTY_)
            cs[m++] = (colour_){{(uint8_t)(t->keys[i] >> 16), (uint8_t)(t->keys[i] >> 8), (uint8_t)t->keys[i]},
                                t->counts[i]};
    int nb = 1;
    boxes[0] = (box_){.lo = 0, .hi = m};
    box_measure_(&boxes[0], cs);
    // Split the box of the widest colour range (ties: the most pixels) at its
    // pixel-weighted median, until PALETTE_MAX_ boxes or every box holds one colour.
    while (nb < PALETTE_MAX_) {
        int best = -1;
        for (int i = 0; i < nb; i++)
            if (boxes[i].hi - boxes[i].lo > 1 &&
                (best < 0 || boxes[i].range > boxes[best].range ||
                 (boxes[i].range == boxes[best].range && boxes[i].count > boxes[best].count)))
                best = i;
        if (best < 0) break;
        box_ *b = &boxes[best];
        sort_axis_ = b->axis;
        qsort(cs + b->lo, b->hi - b->lo, sizeof *cs, cmp_colour_);
        uint64_t half = 0;
        size_t cut = b->lo + 1;
        for (size_t i = b->lo; i < b->hi - 1; i++) {
            half += cs[i].count;
            cut = i + 1;
            if (2 * half >= b->count) break;
        }
        boxes[nb] = (box_){.lo = cut, .hi = b->hi};
        b->hi = cut;
        box_measure_(b, cs);
        box_measure_(&boxes[nb], cs);
        nb++;
    }
    // Each box's colour: its most frequent one.
    for (int i = 0; i < nb; i++) {
        size_t top = boxes[i].lo;
        for (size_t j = boxes[i].lo; j < boxes[i].hi; j++)
            if (cs[j].count > cs[top].count) top = j;
        pal[i] = (GifColorType){cs[top].c[0], cs[top].c[1], cs[top].c[2]};
    }
    // Every colour to its nearest entry (its own when the palette is exact).
    for (size_t j = 0; j < m; j++) {
        int best = 0;
        long best_d = -1;
        for (int i = 0; i < nb; i++) {
            const long dr = (long)cs[j].c[0] - pal[i].Red, dg = (long)cs[j].c[1] - pal[i].Green,
                       db = (long)cs[j].c[2] - pal[i].Blue;
            const long dist = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
            if (best_d < 0 || dist < best_d) best_d = dist, best = i;
            if (dist == 0) break;
        }
        const uint32_t key = (uint32_t)cs[j].c[0] << 16 | (uint32_t)cs[j].c[1] << 8 | cs[j].c[2];
        t->index[slot_(t, key)] = (uint8_t)best;
    }
    *n = nb;
    *exact = m <= PALETTE_MAX_;
    free(cs);
    free(boxes);
    return true;
}

// ---- Collecting the frames ----------------------------------------------------------------------

// A frame as kept: the rectangle [x, x + w) x [y, y + h) that changed from the
// frame before (the whole picture for the first; w == 0 when nothing
// changed), its RGB rows deflated.
typedef struct kept_frame_ {
    int x, y, w, h;
    uint8_t *z;
    size_t z_size;
} kept_frame_;

struct gif_writer {
    int w, h, delay_cs;
    uint8_t *last, *next;  // the frame before and the one being added, packed RGB
    uint8_t *rect;         // one rectangle's packed RGB rows
    kept_frame_ *frames;
    int n, cap;
    histogram_ colours;
};

gif_writer *gif_writer_create(int w, int h, double fps, char *err, size_t errsize) {
    if (w < 1 || h < 1 || w > GIF_EXPORT_MAX_SIDE || h > GIF_EXPORT_MAX_SIDE) {
        snprintf(err, errsize, "--gif: a GIF here is at most %dx%d pixels, not %dx%d", GIF_EXPORT_MAX_SIDE,
                 GIF_EXPORT_MAX_SIDE, w, h);
        return NULL;
    }
    gif_writer *g = calloc(1, sizeof *g);
    const size_t bytes = (size_t)w * (size_t)h * 3;
    if (g) {
        *g = (gif_writer){.w = w, .h = h, .delay_cs = gif_export_delay_cs(fps)};
        g->last = malloc(bytes), g->next = malloc(bytes), g->rect = malloc(bytes);
    }
    if (!g || !g->last || !g->next || !g->rect || !hist_init_(&g->colours, 1024)) {
        snprintf(err, errsize, "--gif: out of memory for frames of %dx%d", w, h);
        gif_writer_free(g);
        return NULL;
    }
    return g;
}

void gif_writer_free(gif_writer *g) {
    if (!g) return;
    for (int i = 0; i < g->n; i++) free(g->frames[i].z);
    free(g->frames);
    free(g->last);
    free(g->next);
    free(g->rect);
    hist_free_(&g->colours);
    free(g);
}

int gif_writer_frames(const gif_writer *g) {
    return g->n;
}

// The rectangle where the packed RGB pictures a and b (w x h) differ: r = {x, y, w, h}, w == 0 if nowhere.
static void rgb_changed_rect_(const uint8_t *a, const uint8_t *b, int w, int h, int r[4]) {
    const size_t row = (size_t)w * 3;
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++) {
        const uint8_t *p = a + (size_t)y * row, *q = b + (size_t)y * row;
        if (memcmp(p, q, row) == 0) continue;
        int l = 0, rr = w - 1;
        while (memcmp(p + 3 * l, q + 3 * l, 3) == 0) l++;
        while (memcmp(p + 3 * rr, q + 3 * rr, 3) == 0) rr--;
        y0 = y < y0 ? y : y0;
        y1 = y;
        x0 = l < x0 ? l : x0;
        x1 = rr > x1 ? rr : x1;
    }
    if (y1 < 0)
        r[0] = r[1] = r[2] = r[3] = 0;
    else
        r[0] = x0, r[1] = y0, r[2] = x1 - x0 + 1, r[3] = y1 - y0 + 1;
}

bool gif_writer_add(gif_writer *g, const gif_pixels *px, char *err, size_t errsize) {
    if (g->n >= GIF_EXPORT_MAX_FRAMES) {
        snprintf(err, errsize, "--gif: a GIF here holds at most %d frames, and the run draws more", GIF_EXPORT_MAX_FRAMES);
        return false;
    }
    if (px->width != g->w || px->height != g->h || px->bytes_per_pixel < 3 || px->pitch < px->width * px->bytes_per_pixel) {
        snprintf(err, errsize, "--gif: a frame of %dx%d in a GIF of %dx%d", px->width, px->height, g->w, g->h);
        return false;
    }
    if (g->n == g->cap) {
        const int cap = g->cap ? 2 * g->cap : 16;
        kept_frame_ *grown = realloc(g->frames, (size_t)cap * sizeof *grown);
        if (!grown) return snprintf(err, errsize, "--gif: out of memory after %d frames", g->n), false;
        g->frames = grown, g->cap = cap;
    }
    for (int y = 0; y < g->h; y++) {
        const uint8_t *s = px->data + (size_t)y * (size_t)px->pitch;
        uint8_t *t = g->next + (size_t)y * (size_t)g->w * 3;
        for (int x = 0; x < g->w; x++, s += px->bytes_per_pixel, t += 3)
            t[0] = s[px->red], t[1] = s[px->green], t[2] = s[px->blue];
    }
    kept_frame_ f = {0};
    int r[4] = {0, 0, g->w, g->h};
    if (g->n > 0) rgb_changed_rect_(g->last, g->next, g->w, g->h, r);
    f.x = r[0], f.y = r[1], f.w = r[2], f.h = r[3];
    const size_t row = (size_t)f.w * 3, raw = row * (size_t)f.h;
    for (int y = 0; y < f.h; y++) memcpy(g->rect + (size_t)y * row, g->next + ((size_t)(f.y + y) * (size_t)g->w + (size_t)f.x) * 3, row);
    bool ok = true;
    if (raw > 0) {
        uLongf z_size = compressBound((uLong)raw);
        f.z = malloc(z_size);
        ok = f.z && compress2(f.z, &z_size, g->rect, (uLong)raw, 1) == Z_OK;
        f.z_size = z_size;
    }
    // The palette weighs the pixels the GIF stores: the first frame, then what changed.
    if (ok) ok = hist_frame_(&g->colours, g->rect, (size_t)f.w * (size_t)f.h);
    if (!ok) {
        free(f.z);
        return snprintf(err, errsize, "--gif: out of memory after %d frames", g->n), false;
    }
    g->frames[g->n++] = f;
    uint8_t *swap = g->last;
    g->last = g->next, g->next = swap;
    return true;
}

// ---- Writing ------------------------------------------------------------------------------------

static int write_fn_(GifFileType *gf, const GifByteType *data, int len) {
    FILE *f = gf->UserData;
    return fwrite(data, 1, (size_t)len, f) == (size_t)len ? len : 0;
}

// The NETSCAPE2.0 application extension: loop forever (count 0).
static bool put_loop_(GifFileType *gf) {
    static const GifByteType id[] = "NETSCAPE2.0", loop[] = {1, 0, 0};
    return EGifPutExtensionLeader(gf, APPLICATION_EXT_FUNC_CODE) == GIF_OK &&
           EGifPutExtensionBlock(gf, 11, id) == GIF_OK && EGifPutExtensionBlock(gf, 3, loop) == GIF_OK &&
           EGifPutExtensionTrailer(gf) == GIF_OK;
}

static uint8_t index_of_(const histogram_ *t, const uint8_t *rgb) {
    const uint32_t key = (uint32_t)rgb[0] << 16 | (uint32_t)rgb[1] << 8 | rgb[2];
    return t->index[slot_(t, key)];
}

// Writes frame i (kept as f) as palette entries: restores its rectangle into
// the RGB picture `canvas`, maps it to entries, and writes the part of it
// whose entries changed from `idx` (the picture before, as entries; updated),
// unchanged pixels as `clear` (transparent). False on a failed write.
static bool put_frame_(GifFileType *gf, gif_writer *g, const kept_frame_ *f, int i, uint8_t *idx, uint8_t *line,
                       uint8_t clear, const GifByteType gcb[4]) {
    const size_t row = (size_t)f->w * 3;
    uLongf raw = (uLongf)(row * (size_t)f->h);
    if (raw > 0 && (uncompress(g->rect, &raw, f->z, (uLong)f->z_size) != Z_OK || raw != (uLongf)(row * (size_t)f->h)))
        return false;
    // The new entries of the rectangle, in g->next (free now); then where they differ from idx.
    uint8_t *fresh = g->next;
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) fresh[(size_t)y * (size_t)f->w + (size_t)x] = index_of_(&g->colours, g->rect + (size_t)y * row + 3 * (size_t)x);
    int x0 = f->w, y0 = f->h, x1 = -1, y1 = -1;
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++)
            if (i == 0 || fresh[(size_t)y * (size_t)f->w + (size_t)x] != idx[(size_t)(f->y + y) * (size_t)g->w + (size_t)(f->x + x)]) {
                x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0, y1 = y;
            }
    // A frame that changes nothing (in entries) is still a frame: one transparent pixel.
    const bool none = y1 < 0;
    const int left = none ? 0 : f->x + x0, top = none ? 0 : f->y + y0, w = none ? 1 : x1 - x0 + 1,
              h = none ? 1 : y1 - y0 + 1;
    if (EGifPutExtension(gf, GRAPHICS_EXT_FUNC_CODE, 4, gcb) != GIF_OK ||
        EGifPutImageDesc(gf, left, top, w, h, false, NULL) != GIF_OK)
        return false;
    for (int y = 0; y < h; y++) {
        if (none) {
            line[0] = clear;
        } else {
            const uint8_t *src = fresh + (size_t)(y0 + y) * (size_t)f->w + (size_t)x0;
            uint8_t *dst = idx + (size_t)(top + y) * (size_t)g->w + (size_t)left;
            for (int x = 0; x < w; x++) {
                line[x] = i > 0 && src[x] == dst[x] ? clear : src[x];
                dst[x] = src[x];
            }
        }
        if (EGifPutLine(gf, line, w) != GIF_OK) return false;
    }
    return true;
}

bool gif_writer_save(gif_writer *g, const char *path, gif_export_stats *stats, char *err, size_t errsize) {
    if (g->n < 1) return snprintf(err, errsize, "--gif: no frames were drawn for '%.400s'", path), false;
    GifColorType pal[256] = {{0, 0, 0}};  // the unused entries black
    int n_pal = 0;
    bool exact = false;
    if (!make_palette_(&g->colours, pal, &n_pal, &exact))
        return snprintf(err, errsize, "--gif: out of memory for the palette"), false;
    const size_t pixels = (size_t)g->w * (size_t)g->h;
    uint8_t *idx = malloc(pixels), *line = malloc((size_t)g->w);
    char why[900];
    app_atomic_file af = {.f = NULL};
    bool ok = idx && line;
    if (!ok) snprintf(err, errsize, "--gif: out of memory for frames of %dx%d", g->w, g->h);
    if (ok && !app_atomic_open(&af, path, "GIF ", why, sizeof why)) {
        snprintf(err, errsize, "%s", why);
        af.f = NULL;
        ok = false;
    }
    GifFileType *gf = NULL;
    ColorMapObject *map = NULL;
    int gif_err = 0;
    const uint8_t clear = (uint8_t)n_pal;  // the transparent entry
    if (ok) {
        int bits = 1;
        while ((1 << bits) < n_pal + 1) bits++;
        map = GifMakeMapObject(1 << bits, pal);
        gf = map ? EGifOpen(af.f, write_fn_, &gif_err) : NULL;
        if (gf) {
            EGifSetGifVersion(gf, true);  // GIF89a: delays, transparency and the loop need it
            ok = EGifPutScreenDesc(gf, g->w, g->h, bits, 0, map) == GIF_OK && put_loop_(gf);
        } else {
            snprintf(err, errsize, "--gif: cannot start the GIF '%.400s': %s", path,
                     map ? GifErrorString(gif_err) : "out of memory");
            ok = false;
        }
    }
    // Each frame stays until the next is drawn over it (disposal: none).
    const GraphicsControlBlock control = {.DisposalMode = DISPOSE_DO_NOT, .UserInputFlag = false,
                                          .DelayTime = g->delay_cs, .TransparentColor = clear};
    GifByteType gcb[4];
    EGifGCBToExtension(&control, gcb);
    for (int i = 0; ok && gf && i < g->n; i++) ok = put_frame_(gf, g, &g->frames[i], i, idx, line, clear, gcb);
    if (gf) {
        // Writes the trailer; with our own output function the FILE stays open.
        const bool closed = EGifCloseFile(gf, &gif_err) == GIF_OK;
        ok = ok && closed;
        if (!ok && af.f)
            snprintf(err, errsize, "cannot write the GIF '%.400s': %s", path, errno ? strerror(errno) : "giflib failed");
    }
    if (af.f) {
        const long bytes = ok ? ftell(af.f) : -1;
        if (ok && !app_atomic_commit(&af, "GIF ", why, sizeof why))
            ok = false, snprintf(err, errsize, "%s", why);
        else if (!ok)
            app_atomic_abort(&af);
        if (ok && stats) *stats = (gif_export_stats){.frames = g->n, .colours = n_pal, .exact = exact, .bytes = bytes};
    }
    GifFreeMapObject(map);
    free(idx);
    free(line);
    return ok;
}
