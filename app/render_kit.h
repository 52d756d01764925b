// render_kit.h - what every view's drawing shares (render_kit.c): the
// drawing context, the colours and the primitives (cells and grids, colour
// bars, text boxes, images, buttons, header and footer). Each view's own
// drawing is in view_NAME_render.c; render.c picks one per frame.
#ifndef APP_RENDER_KIT_H
#define APP_RENDER_KIT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

#include "font.h"
#include "layout.h"
#include "palette.h"
#include "state.h"

// Colours: a light theme that survives a washed-out projector.
static const SDL_Color BG = {250, 250, 247, 255}, INK = {20, 22, 28, 255},
                       MUTED = {110, 114, 124, 255}, LINE = {196, 199, 206, 255},
                       PANEL = {238, 239, 242, 255}, HEADER = {36, 41, 56, 255},
                       HEADER_INK = {245, 246, 250, 255}, ACCENT = {226, 110, 20, 255},
                       FOCUS = {20, 120, 200, 255}, WIN = {0, 140, 90, 255},
                       BAD = {200, 40, 40, 255}, PAD_FILL = {222, 224, 230, 255},
                       BUTTON = {255, 255, 255, 255}, WHITE = {255, 255, 255, 255};

typedef struct draw_ {
    SDL_Renderer *r;
    app_font *font;
    const ui_layout *l;
    const app_state *s;
} draw_;

SDL_Color rd_diverging(float v, bool colorblind);
// The colours that carry meaning (window, tap, winner, lesson mark, right,
// wrong, count scale) come from the palette in use: rd_colour(rd_pal(d)->window).
const palette *rd_pal(const draw_ *d);
SDL_Color rd_colour(rgb c);
SDL_Color rd_text_on(SDL_Color bg);
void rd_fill(SDL_Renderer *r, ui_rect q, SDL_Color c);
void rd_frame(SDL_Renderer *r, ui_rect q, SDL_Color c, int thick);
int rd_text(const draw_ *d, font_face face, int px, int x, int y, SDL_Color c, const char *t);
int rd_width(const draw_ *d, font_face face, int px, const char *t);
// t shortened to max_w at px, ending in an ellipsis; false when it fit whole.
bool rd_ellipsise(const draw_ *d, font_face face, int px, int max_w, const char *t, char *out, size_t size);
void rd_text_centre(const draw_ *d, font_face face, int px, ui_rect q, SDL_Color c, const char *t);
int rd_text_wrap(const draw_ *d, font_face face, int px, ui_rect q, int y, SDL_Color c, const char *t);
void rd_cell_text(const draw_ *d, int px, int room, float v, float scale, char *buf, size_t size);
void rd_value_cell(const draw_ *d, ui_rect q, float v, float scale, bool empty);
// The same inside a frame of `thickness` pixels (the number kept clear of it).
void rd_value_cell_framed(const draw_ *d, ui_rect q, float v, float scale, SDL_Color frame, int thickness);
int rd_outline(const draw_ *d, int cell, int share);
void rd_buttons(const draw_ *d);
void rd_header(const draw_ *d, const char *title);
void rd_footer(const draw_ *d, const char *text);
void rd_setting_label(const draw_ *d, const ui_button *minus, const char *label);
const ui_button *rd_find_button(const ui_layout *l, app_action_kind kind, int nth);

// ---- Shapes and text ----
ui_rect rd_rect(int x, int y, int w, int h);
// A bold title at (x, y) in the small size.
void rd_title(const draw_ *d, int x, int y, const char *t);
// One line of text shrunk until it fits q's width; returns the y below it.
int rd_fitted_line(const draw_ *d, font_face face, int px, ui_rect q, int y, SDL_Color c, const char *t);
// The diverging colour scale from -1 (left) to +1 (right), filling q.
void rd_colour_bar(const draw_ *d, ui_rect q);
// A w x h image of values as grey (0 black, 1 white) or, with diverging,
// the diverging colours scaled by `scale`, into q.
void rd_image(const draw_ *d, ui_rect q, const float *v, int w, int h, int stride, bool diverging, float scale);

// ---- Grids of cells (the convolution and pooling views) ----
// The screen square of data cell (data_row, data_col) of g.
ui_rect rd_cell_rect(const ui_grid *g, int data_row, int data_col);
// Largest |v| of a block, for the colour scale (1 when all are 0).
float rd_max_abs(const float *v, int n, int stride, int rows);
void rd_grid_title(const draw_ *d, const ui_grid *g);
// A padding cell: hatched grey with its mark ("0").
void rd_padding_cell(const draw_ *d, ui_rect q, const char *mark);
// A cell the window never reaches: hatched red over what it shows.
void rd_unreached(const draw_ *d, ui_rect q);
// The output-size formula with the numbers of both axes, or why the settings fail.
// The output-size formula's numbers for an axis ("floor((5 + 2*0 - 3)/1) + 1
// = floor(2/1) + 1 = 3"), or while a size quiz waits, up to "= ?".
void rd_formula_numbers(const draw_ *d, const nn_axis *a, char *out, size_t size);
// An output cell whose value a quiz asks for: a "?" until it is answered.
void rd_hidden_cell(const draw_ *d, ui_rect q);
void rd_formula(const draw_ *d, const nn_axis *rows, const nn_axis *cols, bool ok, const char *why);
// The "speed" setting row's label of a stepping animation.
void rd_speed_label(const draw_ *d, const anim_state *a);
// The footer of a stepping view: the cell being edited, a message, or the step.
void rd_stepper_footer(const draw_ *d, const anim_state *a);

// A frame drawn in dashes (where the window was a step before): thick px lines.
void rd_dashed_frame(const draw_ *d, ui_rect q, SDL_Color c, int thick);

// A legend: a swatch and a label per item, left to right, wrapping to the
// width of q; returns the height used. Every colour or hatching a screen
// uses is named in one.
typedef enum rd_swatch { RD_SWATCH_FILL, RD_SWATCH_FRAME, RD_SWATCH_DASHED, RD_SWATCH_PADDING, RD_SWATCH_UNREACHED } rd_swatch;
typedef struct rd_legend_item {
    rd_swatch kind;
    SDL_Color colour;  // unused for padding and unreached
    const char *label;
} rd_legend_item;
int rd_legend(const draw_ *d, ui_rect q, const rd_legend_item *items, int n);

#endif
