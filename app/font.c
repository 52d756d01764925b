// font.c - TTF fonts at many sizes and a cache of rendered strings.
#include "font.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"

#define FONT_SIZES 48      // distinct (face, size) pairs kept open
#define CACHE_SLOTS 1024   // rendered strings kept as textures
#define WIDTH_SLOTS 4096   // measured widths: layouts try many arrangements per frame

static const char *const files_[FACE_COUNT] = {"fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf",
                                                "fonts/DejaVuSansMono.ttf"};

typedef struct sized_ {
    font_face face;
    int px;
    TTF_Font *font;
} sized_;

typedef struct cached_ {
    uint64_t key;          // hash of face, size, colour and text
    SDL_Texture *tex;
    int w, h;
    unsigned last_used;
} cached_;

// A measured width. Shaping a string (HarfBuzz) costs microseconds, and a
// view that searches for the arrangement that fits measures the same labels
// thousands of times a frame.
typedef struct measured_ {
    uint64_t key;          // hash of face, size and text; 0 when empty
    int w;
} measured_;

struct app_font {
    char paths[FACE_COUNT][1024];
    measured_ widths[WIDTH_SLOTS];
    sized_ open[FONT_SIZES];
    int n_open;
    cached_ cache[CACHE_SLOTS];
    unsigned clock;
    SDL_Renderer *renderer;  // the cache's textures belong to it
};

// SDL2_ttf is started by the first font_open and stopped by the last font_close.
static int users_ = 0;

app_font *font_open(char *err, size_t errsize) {
    if (users_ == 0 && !TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errsize, "cannot start SDL2_ttf: %s", TTF_GetError());
        return NULL;
    }
    app_font *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errsize, "out of memory for fonts");
        return NULL;
    }
    for (int i = 0; i < FACE_COUNT; i++)
        if (!app_asset_path(files_[i], f->paths[i], sizeof f->paths[i], err, errsize)) {
            free(f);
            if (users_ == 0 && TTF_WasInit()) TTF_Quit();
            return NULL;
        }
    users_++;
    return f;
}

static TTF_Font *sized_font_(app_font *f, font_face face, int px) {
    for (int i = 0; i < f->n_open; i++)
        if (f->open[i].face == face && f->open[i].px == px) return f->open[i].font;
    if (f->n_open == FONT_SIZES) {  // zoomed a lot: start again
        for (int i = 0; i < f->n_open; i++) TTF_CloseFont(f->open[i].font);
        f->n_open = 0;
    }
    TTF_Font *font = TTF_OpenFont(f->paths[face], px);
    if (!font) return NULL;
    TTF_SetFontHinting(font, TTF_HINTING_LIGHT);
    f->open[f->n_open++] = (sized_){face, px, font};
    return font;
}

static uint64_t hash_(font_face face, int px, SDL_Color c, const char *text) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    const unsigned char head[8] = {(unsigned char)face, (unsigned char)px, (unsigned char)(px >> 8),
                                   c.r, c.g, c.b, c.a, 0x5A};
    for (int i = 0; i < 8; i++) h = (h ^ head[i]) * 1099511628211ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) h = (h ^ *p) * 1099511628211ull;
    return h ? h : 1;
}

int font_width(app_font *f, font_face face, int px, const char *text) {
    if (!text[0]) return 0;
    const uint64_t key = hash_(face, px, (SDL_Color){0, 0, 0, 0}, text);
    measured_ *slot = &f->widths[key % WIDTH_SLOTS];  // direct-mapped: a newer width replaces an older one
    if (slot->key == key) return slot->w;
    TTF_Font *font = sized_font_(f, face, px);
    int w = 0, h = 0;
    if (!font || TTF_SizeUTF8(font, text, &w, &h) != 0) return 0;
    *slot = (measured_){key, w};
    return w;
}

void font_flush(app_font *f) {
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (f->cache[i].tex) SDL_DestroyTexture(f->cache[i].tex);
        f->cache[i] = (cached_){0};
    }
}

int font_draw(app_font *f, SDL_Renderer *r, font_face face, int px, int x, int y, SDL_Color color,
              const char *text) {
    if (!text[0]) return 0;
    if (f->renderer != r) {
        font_flush(f);
        f->renderer = r;
    }
    const uint64_t key = hash_(face, px, color, text);
    f->clock++;
    int slot = (int)(key % CACHE_SLOTS), victim = slot;
    // Open addressing over 8 neighbours; the least recently used makes room.
    for (int probe = 0; probe < 8; probe++) {
        const int i = (slot + probe) % CACHE_SLOTS;
        if (f->cache[i].tex && f->cache[i].key == key) {
            cached_ *e = &f->cache[i];
            e->last_used = f->clock;
            SDL_Rect dst = {x, y, e->w, e->h};
            SDL_RenderCopy(r, e->tex, NULL, &dst);
            return e->w;
        }
        if (!f->cache[i].tex || f->cache[i].last_used < f->cache[victim].last_used) victim = i;
        if (!f->cache[i].tex) break;
    }
    TTF_Font *font = sized_font_(f, face, px);
    if (!font) return 0;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(font, text, color);
    if (!surf) return 0;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(r, surf);
    const int w = surf->w, h = surf->h;
    SDL_FreeSurface(surf);
    if (!tex) return 0;
    cached_ *e = &f->cache[victim];
    if (e->tex) SDL_DestroyTexture(e->tex);
    *e = (cached_){key, tex, w, h, f->clock};
    SDL_Rect dst = {x, y, w, h};
    SDL_RenderCopy(r, tex, NULL, &dst);
    return w;
}

void font_close(app_font *f) {
    if (!f) return;
    font_flush(f);
    for (int i = 0; i < f->n_open; i++) TTF_CloseFont(f->open[i].font);
    free(f);
    if (--users_ == 0 && TTF_WasInit()) TTF_Quit();
}
