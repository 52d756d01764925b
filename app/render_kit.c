// render_kit.c - the drawing primitives every view shares: colours, filled
// and framed rectangles, text that fits, value cells, the header, footer and
// buttons. The views (render.c, render_live.c) draw with these.
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
    rd_text(d, FACE_SANS, l->small_px, l->pad * 2, l->footer.y + (l->footer.h - l->small_px * 6 / 5) / 2,
          MUTED, text);
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
