// render_kit.c - the drawing primitives every view shares: colours, filled
// and framed rectangles, text that fits, value cells, grids, colour bars,
// images, the header, footer and buttons. The views (view_*_render.c) draw
// with these.
#include "render_kit.h"

#include <math.h>
#include <stdio.h>

#include "format.h"

// Diverging colour of v in [-1, 1]: blue - white - red, or (colour-blind
// safe) purple - white - orange. Negative values never vanish into black.
SDL_Color rd_diverging(float v, bool colorblind) {
    if (!(v == v)) return PAD_FILL;  // NaN
    v = v < -1 ? -1 : v > 1 ? 1 : v;
    const SDL_Color neg = colorblind ? (SDL_Color){94, 60, 153, 255} : (SDL_Color){33, 102, 172, 255};
    const SDL_Color pos = colorblind ? (SDL_Color){230, 97, 1, 255} : (SDL_Color){178, 24, 43, 255};
    const SDL_Color end = v < 0 ? neg : pos;
    const float t = fabsf(v);
    SDL_Color c = {(Uint8)(255 + (end.r - 255) * t), (Uint8)(255 + (end.g - 255) * t),
                   (Uint8)(255 + (end.b - 255) * t), 255};
    return c;
}

SDL_Color rd_text_on(SDL_Color bg) {
    const float lum = (0.299f * bg.r + 0.587f * bg.g + 0.114f * bg.b) / 255.0f;
    return lum < 0.55f ? WHITE : INK;
}

void rd_fill(SDL_Renderer *r, ui_rect q, SDL_Color c) {
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    SDL_Rect s = {q.x, q.y, q.w, q.h};
    SDL_RenderFillRect(r, &s);
}

void rd_frame(SDL_Renderer *r, ui_rect q, SDL_Color c, int thick) {
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    for (int i = 0; i < thick; i++) {
        SDL_Rect s = {q.x + i, q.y + i, q.w - 2 * i, q.h - 2 * i};
        if (s.w > 0 && s.h > 0) SDL_RenderDrawRect(r, &s);
    }
}

int rd_text(const draw_ *d, font_face face, int px, int x, int y, SDL_Color c, const char *t) {
    return font_draw(d->font, d->r, face, px, x, y, c, t);
}

int rd_width(const draw_ *d, font_face face, int px, const char *t) {
    return font_width(d->font, face, px, t);
}

// Text centred in a rectangle.
void rd_text_centre(const draw_ *d, font_face face, int px, ui_rect q, SDL_Color c, const char *t) {
    const int w = rd_width(d, face, px, t);
    rd_text(d, face, px, q.x + (q.w - w) / 2, q.y + (q.h - px * 6 / 5) / 2, c, t);
}

// Draws text, wrapping at spaces to the width of q; returns the y after it.
int rd_text_wrap(const draw_ *d, font_face face, int px, ui_rect q, int y, SDL_Color c,
                      const char *t) {
    char line[512];
    const char *p = t;
    while (*p && y < q.y + q.h) {
        int n = 0, last_space = -1;
        while (p[n] && n < (int)sizeof line - 1) {
            line[n] = p[n];
            line[n + 1] = '\0';
            if (rd_width(d, face, px, line) > q.w && last_space > 0) break;
            if (p[n] == ' ') last_space = n;
            n++;
        }
        if (p[n] && last_space > 0 && rd_width(d, face, px, line) > q.w) n = last_space;
        memcpy(line, p, (size_t)n);
        line[n] = '\0';
        rd_text(d, face, px, q.x, y, c, line);
        y += px * 5 / 4;
        p += n;
        while (*p == ' ') p++;
    }
    return y;
}

// A value short enough for its cell: the exact shortest form when it fits,
// else fewer decimals, else nothing.
void rd_cell_text(const draw_ *d, int px, int room, float v, char *buf, size_t size) {
    fmt_float(v, buf, size);
    if (rd_width(d, FACE_SANS, px, buf) <= room) return;
    for (int dec = 2; dec >= 0; dec--) {
        snprintf(buf, size, "%.*f", dec, (double)v);
        if (rd_width(d, FACE_SANS, px, buf) <= room) return;
    }
    buf[0] = '\0';
}

void rd_buttons(const draw_ *d) {
    const ui_layout *l = d->l;
    for (int i = 0; i < l->n_buttons; i++) {
        const ui_button *b = &l->buttons[i];
        const SDL_Color fill = b->active ? ACCENT : BUTTON;
        rd_fill(d->r, b->r, fill);
        rd_frame(d->r, b->r, b->active ? ACCENT : LINE, 1);
        int px = l->small_px < b->r.h * 2 / 3 ? l->small_px : b->r.h * 2 / 3;
        while (px > 8 && rd_width(d, FACE_SANS, px, b->label) > b->r.w - 6) px--;
        rd_text_centre(d, b->active ? FACE_BOLD : FACE_SANS, px, b->r,
                     !b->enabled ? LINE : b->active ? WHITE : INK, b->label);
    }
}

void rd_header(const draw_ *d, const char *title) {
    const ui_layout *l = d->l;
    rd_fill(d->r, l->header, HEADER);
    int x = l->pad * 2;
    x += rd_text(d, FACE_BOLD, l->title_px, x, (l->header.h - l->title_px * 6 / 5) / 2, HEADER_INK, "convstep");
    if (title) rd_text(d, FACE_SANS, l->title_px, x + l->pad * 2, (l->header.h - l->title_px * 6 / 5) / 2,
                     (SDL_Color){170, 180, 200, 255}, title);
}

void rd_footer(const draw_ *d, const char *text) {
    const ui_layout *l = d->l;
    rd_fill(d->r, l->footer, PANEL);
    // A long message shrinks to the footer's width rather than run off it.
    rd_fitted_line(d, FACE_SANS, l->small_px, (ui_rect){l->pad * 2, l->footer.y, l->w - l->pad * 4, l->footer.h},
                   l->footer.y + (l->footer.h - l->small_px * 6 / 5) / 2, MUTED, text);
}

// A label on the left of a "-  +" pair (the panel's setting rows).
void rd_setting_label(const draw_ *d, const ui_button *minus, const char *label) {
    const ui_layout *l = d->l;
    // As large as fits between the panel's edge and the "-" button.
    int px = l->small_px < minus->r.h * 3 / 4 ? l->small_px : minus->r.h * 3 / 4;
    while (px > 8 && rd_width(d, FACE_SANS, px, label) > minus->r.x - l->panel.x - l->pad * 2) px--;
    rd_text(d, FACE_SANS, px, l->panel.x + l->pad, minus->r.y + (minus->r.h - px * 6 / 5) / 2, INK, label);
}

const ui_button *rd_find_button(const ui_layout *l, app_action_kind kind, int nth) {
    for (int i = 0; i < l->n_buttons; i++)
        if (l->buttons[i].action.kind == kind && nth-- == 0) return &l->buttons[i];
    return NULL;
}

// An outline thick enough to see, thin enough to leave the value readable:
// at most a tenth of the cell (share 3) or a sixth (share 2).
int rd_outline(const draw_ *d, int cell, int share) {
    const int most = share == 3 ? cell / 10 : cell / 6;
    const int want = d->l->pad / share + 2;
    return want < most ? want : most < 1 ? 1 : most;
}

// One data cell: coloured by value, its number when it fits.
void rd_value_cell(const draw_ *d, ui_rect q, float v, float scale, bool empty) {
    const SDL_Color bg = empty ? WHITE : rd_diverging(v / scale, d->s->colorblind);
    rd_fill(d->r, q, bg);
    rd_frame(d->r, q, LINE, 1);
    if (empty) return;
    char t[32];
    const int px = q.h * 2 / 5 > d->l->small_px ? d->l->small_px : q.h * 2 / 5;
    if (px < 8) return;
    rd_cell_text(d, px, q.w - 4, v, t, sizeof t);
    rd_text_centre(d, FACE_SANS, px, q, rd_text_on(bg), t);
}

// ---- Shapes and text ---------------------------------------------------------------------------------

ui_rect rd_rect(int x, int y, int w, int h) { return (ui_rect){x, y, w, h}; }

void rd_title(const draw_ *d, int x, int y, const char *t) {
    rd_text(d, FACE_BOLD, d->l->small_px, x, y, INK, t);
}

int rd_fitted_line(const draw_ *d, font_face face, int px, ui_rect q, int y, SDL_Color c, const char *t) {
    while (px > 9 && rd_width(d, face, px, t) > q.w) px--;
    rd_text(d, face, px, q.x, y, c, t);
    return y + px * 5 / 4;
}

void rd_colour_bar(const draw_ *d, ui_rect q) {
    for (int x = 0; x < q.w; x++) {
        const SDL_Color col = rd_diverging(2.0f * x / (q.w - 1) - 1.0f, d->s->colorblind);
        SDL_SetRenderDrawColor(d->r, col.r, col.g, col.b, 255);
        SDL_RenderDrawLine(d->r, q.x + x, q.y, q.x + x, q.y + q.h - 1);
    }
}

void rd_image(const draw_ *d, ui_rect q, const float *v, int w, int h, int stride, bool diverging, float scale) {
    for (int y = 0; y < h; y++) {
        const int y0 = q.y + y * q.h / h, y1 = q.y + (y + 1) * q.h / h;
        for (int x = 0; x < w; x++) {
            const int x0 = q.x + x * q.w / w, x1 = q.x + (x + 1) * q.w / w;
            const float val = v[(size_t)y * stride + x];
            SDL_Color c;
            if (diverging) {
                c = rd_diverging(val / scale, d->s->colorblind);
            } else {
                const float g = val < 0 ? 0 : val > 1 ? 1 : val;
                c = (SDL_Color){(Uint8)(255 * g), (Uint8)(255 * g), (Uint8)(255 * g), 255};
            }
            rd_fill(d->r, rd_rect(x0, y0, x1 - x0, y1 - y0), c);
        }
    }
    rd_frame(d->r, q, LINE, 1);
}

// ---- Grids of cells ------------------------------------------------------------------------------------

ui_rect rd_cell_rect(const ui_grid *g, int data_row, int data_col) {
    return rd_rect(g->r.x + (data_col - g->col0) * g->cell, g->r.y + (data_row - g->row0) * g->cell, g->cell,
                   g->cell);
}

float rd_max_abs(const float *v, int n, int stride, int rows) {
    float m = 0;
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < n; x++) m = fmaxf(m, fabsf(v[y * stride + x]));
    return m > 0 ? m : 1;
}

void rd_grid_title(const draw_ *d, const ui_grid *g) {
    rd_text(d, FACE_BOLD, d->l->small_px, g->r.x, g->r.y - d->l->small_px * 3 / 2, INK, g->title);
}

void rd_padding_cell(const draw_ *d, ui_rect q, const char *mark) {
    rd_fill(d->r, q, PAD_FILL);
    // Hatching tells padding from a real zero even in grey print-outs.
    SDL_SetRenderDrawColor(d->r, 205, 207, 214, 255);
    for (int k = -q.h; k < q.w; k += 6)
        SDL_RenderDrawLine(d->r, q.x + (k < 0 ? 0 : k), q.y + (k < 0 ? -k : 0),
                           q.x + (k + q.h > q.w ? q.w : k + q.h) - 1,
                           q.y + (k + q.h > q.w ? q.w - k : q.h) - 1);
    rd_frame(d->r, q, LINE, 1);
    const int px = q.h * 2 / 5 > d->l->small_px ? d->l->small_px : q.h * 2 / 5;
    if (px >= 8) rd_text_centre(d, FACE_SANS, px, q, MUTED, mark);
}

static int mini_i_(int a, int b) { return a < b ? a : b; }

// Red hatching is visible on any colour the cell has.
void rd_unreached(const draw_ *d, ui_rect q) {
    SDL_SetRenderDrawColor(d->r, BAD.r, BAD.g, BAD.b, 255);
    for (int k = 0; k < q.w + q.h; k += 7)
        for (int t = 0; t < 2; t++) {
            const int a = k + t;
            // A line from the top (or left) edge down to the right.
            const int x0 = a < q.w ? q.x + a : q.x + q.w - 1, y0 = a < q.w ? q.y : q.y + a - q.w + 1;
            const int len = mini_i_(x0 - q.x, q.y + q.h - 1 - y0);
            SDL_RenderDrawLine(d->r, x0, y0, x0 - len, y0 + len);
        }
    rd_frame(d->r, q, BAD, 2);
}

// A note says what the floor drops when a division is not whole.
void rd_formula(const draw_ *d, const nn_axis *rows, const nn_axis *cols, bool ok, const char *why) {
    const ui_layout *l = d->l;
    const ui_rect q = l->formula;
    int y = q.y;
    if (!ok) {
        rd_text(d, FACE_BOLD, l->text_px, q.x, y, BAD, "These settings cannot work:");
        rd_text_wrap(d, FACE_SANS, l->text_px, q, y + l->text_px * 5 / 4, BAD, why);
        return;
    }
    char letters[96], r[200], c[200], t[400];
    fmt_formula_letters(rows, letters, sizeof letters);
    fmt_formula_numbers(rows, r, sizeof r);
    fmt_formula_numbers(cols, c, sizeof c);
    snprintf(t, sizeof t, "output size = %s", letters);
    y = rd_fitted_line(d, FACE_BOLD, l->text_px, q, y, INK, t);
    snprintf(t, sizeof t, "rows:  %s", r);
    y = rd_fitted_line(d, FACE_MONO, l->small_px, q, y, INK, t);
    snprintf(t, sizeof t, "cols:  %s", c);
    y = rd_fitted_line(d, FACE_MONO, l->small_px, q, y, INK, t);
    if (rows->remainder || cols->remainder) {
        // Show the fraction and what the floor keeps of it.
        const nn_axis *a = rows->remainder ? rows : cols;
        const long long top = (long long)a->n + a->pad_lo + a->pad_hi - (long long)a->dilation * (a->f - 1) - 1;
        snprintf(t, sizeof t,
                 "%lld/%d = %g is not whole: the floor keeps %lld, so %d row(s) and %d column(s) are never "
                 "reached by the window (hatched red)",
                 top, a->stride, (double)top / a->stride, top / a->stride, rows->remainder, cols->remainder);
        rd_text_wrap(d, FACE_SANS, l->small_px, q, y, BAD, t);
    }
}

void rd_speed_label(const draw_ *d, const anim_state *a) {
    const ui_button *b = rd_find_button(d->l, ACT_SLOWER, 0);
    if (!b) return;
    char t[96];
    snprintf(t, sizeof t, "speed  %g cells/s", app_speed_value(a->speed));
    rd_setting_label(d, b, t);
}

void rd_stepper_footer(const draw_ *d, const anim_state *a) {
    const app_state *s = d->s;
    char status[600];
    if (s->editing)
        snprintf(status, sizeof status, "editing a cell: %s_   (Enter keeps it, Esc cancels)", s->edit_text);
    else if (s->status[0])
        snprintf(status, sizeof status, "%s", s->status);
    else if (a->total == 0)
        snprintf(status, sizeof status, "these settings cannot work (see why above)  -  F1 keys");
    else
        snprintf(status, sizeof status, "step %d of %d  -  %s at %g cells/s  -  F1 keys", a->pos + 1, a->total,
                 a->playing ? "playing" : "paused", app_speed_value(a->speed));
    rd_footer(d, status);
}
