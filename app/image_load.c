// image_load.c - images through SDL2_image.
#include "image_load.h"

#include <SDL.h>
#include <SDL_image.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "text.h"

#define IMAGE_MAX_SIDE 8192
// The largest picture file read: an uncompressed 8192x8192 BMP with 32-bit
// pixels is 256 MiB; 1 MiB more for its headers and palette.
#define IMAGE_MAX_FILE_BYTES ((size_t)257 << 20)

// The format and size a file's header announces: PNG, BMP or PNM (PGM, PPM,
// PBM) only, so a tiny file announcing a huge image (or a format we do not
// document) is refused before any decoder allocates for it.
// SDL_isspace(): what SDL2_image skips between the numbers of a PNM header.
static bool pnm_space_(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static const char *probe_(const unsigned char *h, size_t n, long *w, long *hh) {
    *w = *hh = -1;
    if (n >= 24 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0) {
        *w = (long)h[16] << 24 | (long)h[17] << 16 | (long)h[18] << 8 | h[19];
        *hh = (long)h[20] << 24 | (long)h[21] << 16 | (long)h[22] << 8 | h[23];
        return "PNG";
    }
    if (n >= 26 && h[0] == 'B' && h[1] == 'M') {
        int32_t bw, bh;
        memcpy(&bw, h + 18, 4);  // little-endian on every machine convstep runs on
        memcpy(&bh, h + 22, 4);
        *w = bw;
        *hh = bh < 0 ? -(long)bh : bh;
        return "BMP";
    }
    if (n >= 2 && h[0] == 'P' && h[1] >= '1' && h[1] <= '6') {
        // Read "<w> <h>" exactly as SDL2_image's IMG_pnm.c does, so the two can
        // never disagree: spaces are isspace() (form feed and vertical tab too),
        // a '#' comment ends at '\r' or '\n', and any one byte ends a number.
        // A size we cannot read stays -1 and the caller refuses the file.
        long v[2];
        size_t i = 2;
        for (int k = 0; k < 2; k++) {
            unsigned char ch;
            do {
                if (i >= n) return "PNM";
                ch = h[i++];
                if (ch == '#') {
                    do {
                        if (i >= n) return "PNM";
                        ch = h[i++];
                    } while (ch != '\r' && ch != '\n');
                }
            } while (pnm_space_(ch));
            if (ch < '0' || ch > '9') return "PNM";
            v[k] = 0;
            for (; ch >= '0' && ch <= '9'; ch = h[i++]) {
                if (v[k] > 100000000) v[k] = 100000000;  // far past any size we accept
                v[k] = v[k] * 10 + (ch - '0');
                if (i >= n) return "PNM";
            }
        }
        *w = v[0];
        *hh = v[1];
        return "PNM";
    }
    return NULL;
}

// What a decoding library prints on stderr (libpng's "libpng error: IDAT:
// incorrect data check", its warnings) is caught while SDL2_image decodes, so
// the user sees convstep's one line, with the library's words folded into it.
// glibc lets stderr be replaced (its manual says so); a sanitizer writes to
// fd 2 itself, so its reports still reach the terminal. Elsewhere fd 2 is
// pointed at the capture file for the moment of the decode.
typedef struct stderr_capture_ {
    FILE *file;  // NULL: nothing is captured
    FILE *saved_stream;
    int saved_fd;
} stderr_capture_;

static void capture_begin_(stderr_capture_ *c) {
    c->file = tmpfile();
    c->saved_stream = NULL;
    c->saved_fd = -1;
    if (!c->file) return;
    fflush(stderr);
#ifdef __GLIBC__
    c->saved_stream = stderr;
    stderr = c->file;
#else
    c->saved_fd = dup(2);
    if (c->saved_fd < 0 || dup2(fileno(c->file), 2) < 0) {
        if (c->saved_fd >= 0) close(c->saved_fd);
        fclose(c->file);
        c->file = NULL;
    }
#endif
}

// Restores stderr; text[] gets what was printed, on one line, escaped.
static void capture_end_(stderr_capture_ *c, char *text, size_t size) {
    text[0] = '\0';
    if (!c->file) return;
#ifdef __GLIBC__
    stderr = c->saved_stream;
#else
    fflush(stderr);
    dup2(c->saved_fd, 2);
    close(c->saved_fd);
#endif
    fflush(c->file);
    rewind(c->file);
    char raw[400];
    const size_t n = fread(raw, 1, sizeof raw - 1, c->file);
    fclose(c->file);
    raw[n] = '\0';
    // One line: the library's newlines become "; ", trailing ones go.
    size_t len = strlen(raw);
    while (len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == '\r')) raw[--len] = '\0';
    char joined[800];
    size_t k = 0;
    for (size_t i = 0; i < len && k + 3 < sizeof joined; i++) {
        if (raw[i] == '\n') {
            joined[k++] = ';';
            joined[k++] = ' ';
        } else if (raw[i] != '\r') {
            joined[k++] = raw[i];
        }
    }
    joined[k] = '\0';
    text_escape(joined, strlen(joined), text, size);
}

static bool load_(const char *path, app_gray_image *out, char *err, size_t errsize) {
    // Read once into memory (bounded), then decode from there: a named pipe,
    // /dev/stdin or <(...) cannot be opened twice or seeked.
    char *data;
    size_t n;
    if (!app_read_file(path, IMAGE_MAX_FILE_BYTES, "the image ", &data, &n, err, errsize))
        return false;
    long w, h;
    const char *type = probe_((const unsigned char *)data, n, &w, &h);
    if (!type) {
        free(data);
        snprintf(err, errsize, "'%s' is not a PNG, BMP or PGM/PPM image", path);
        return false;
    }
    if (w < 0 || h < 0) {
        free(data);
        snprintf(err, errsize, "the %s header of '%s' does not give a readable width and height", type, path);
        return false;
    }
    if (w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE) {
        free(data);
        snprintf(err, errsize, "the image '%s' announces %ldx%ld pixels; sizes up to %d are supported", path, w, h,
                 IMAGE_MAX_SIDE);
        return false;
    }
    SDL_RWops *rw = SDL_RWFromConstMem(data, (int)n);
    stderr_capture_ capture;
    capture_begin_(&capture);
    SDL_Surface *raw = rw ? IMG_LoadTyped_RW(rw, 1, type) : NULL;
    char said[400];
    capture_end_(&capture, said, sizeof said);
    free(data);
    if (!raw) {
        snprintf(err, errsize, "cannot read the image '%s': %s%s%s%s", path, IMG_GetError(),
                 said[0] ? " (" : "", said, said[0] ? ")" : "");
        return false;
    }
    SDL_Surface *rgba = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_RGBA32, 0);
    SDL_FreeSurface(raw);
    if (!rgba) {
        snprintf(err, errsize, "cannot convert the image '%s': %s", path, SDL_GetError());
        return false;
    }
    if (rgba->w < 1 || rgba->h < 1 || rgba->w > IMAGE_MAX_SIDE || rgba->h > IMAGE_MAX_SIDE) {
        snprintf(err, errsize, "the image '%s' is %dx%d; sizes from 1 to %d are supported", path,
                 rgba->w, rgba->h, IMAGE_MAX_SIDE);
        SDL_FreeSurface(rgba);
        return false;
    }
    out->w = rgba->w;
    out->h = rgba->h;
    out->v = malloc(sizeof(float) * (size_t)out->w * out->h);
    if (!out->v) {
        SDL_FreeSurface(rgba);
        snprintf(err, errsize, "out of memory for the image '%s'", path);
        return false;
    }
    SDL_LockSurface(rgba);
    for (int y = 0; y < out->h; y++) {
        const Uint8 *row = (const Uint8 *)rgba->pixels + (size_t)y * rgba->pitch;
        for (int x = 0; x < out->w; x++) {
            const Uint8 *p = row + 4 * x;
            // Rec. 601 luma, composited over white paper by its alpha.
            const float luma = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) / 255.0f;
            const float a = p[3] / 255.0f;
            out->v[(size_t)y * out->w + x] = a * luma + (1.0f - a);
        }
    }
    SDL_UnlockSurface(rgba);
    SDL_FreeSurface(rgba);
    return true;
}

bool app_image_load(const char *path, app_gray_image *out, char *err, size_t errsize) {
    memset(out, 0, sizeof *out);
    err[0] = '\0';
    if (load_(path, out, err, errsize)) return true;
    // The path comes from outside: no raw control characters in the message.
    text_escape_in_place(err, errsize);
    return false;
}
