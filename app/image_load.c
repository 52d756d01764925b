// image_load.c - images through SDL2_image.
#include "image_load.h"

#include <SDL.h>
#include <SDL_image.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_MAX_SIDE 8192

bool app_image_load(const char *path, app_gray_image *out, char *err, size_t errsize) {
    memset(out, 0, sizeof *out);
    FILE *probe = fopen(path, "rb");  // a clearer message than SDL's for a missing file
    if (!probe) {
        snprintf(err, errsize, "cannot open the image '%s': %s", path, strerror(errno));
        return false;
    }
    fclose(probe);
    SDL_Surface *raw = IMG_Load(path);
    if (!raw) {
        snprintf(err, errsize, "cannot read the image '%s': %s", path, IMG_GetError());
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
