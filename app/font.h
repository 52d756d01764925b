// font.h - text on screen with SDL2_ttf: the DejaVu fonts shipped in
// assets/fonts (so no system font is needed), opened at each size asked for,
// and a cache of rendered strings so a frame does not re-rasterise its text.
#ifndef APP_FONT_H
#define APP_FONT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum font_face { FACE_SANS, FACE_BOLD, FACE_MONO, FACE_COUNT } font_face;

typedef struct app_font app_font;

// Opens the fonts from the assets folder; NULL with a message if missing.
app_font *font_open(char *err, size_t errsize);
void font_close(app_font *f);

// The width in pixels of text at size px.
int font_width(app_font *f, font_face face, int px, const char *text);

// Draws text with its top-left corner at (x, y); returns its width.
int font_draw(app_font *f, SDL_Renderer *r, font_face face, int px, int x, int y, SDL_Color color,
              const char *text);

// Forgets cached textures (they belong to one renderer).
void font_flush(app_font *f);

#endif
