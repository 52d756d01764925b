// render_kit.c - the drawing primitives every view shares: colours, filled
// and framed rectangles, text that fits, value cells, grids, colour bars,
// images, the header, footer and buttons. The views (view_*_render.c) draw
// with these.
#include "render_kit.h"

#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "render_record.h"

// ---- Recording (--layout-json) ---------------------------------------------------------------------
// While a recorder is active (render_record.h) every text drawn is noted with
// what the primitive drawing it knows: its role, the box it had to fit, the
// region it was drawn for, or the cell or button it belongs to. Nothing here
// draws: a recorded frame is the same picture.

typedef struct text_note_ {
    const char *role;    // NULL: from the font size
    const char *region;  // NULL: the layout region holding the text
    ui_rect box;         // the box the text had to fit (w 0: none)
    int owner;           // the cell or button item the text is the value of (-1: none)
} text_note_;

static text_note_ note_ = {NULL, NULL, {0, 0, 0, 0}, -1};

// The height of a line of DejaVu at px (ascent + descent: 1.164 em).
static int line_height_(int px) { return (px * 1164 + 500) / 1000; }

// A role from the size alone: the layout's three type sizes and the smaller
// captions and badges drawn under them.
static const char *role_of_size_(const draw_ *d, int px) {
    const ui_layout *l = d->l;
    if (px >= l->title_px) return "title";
    if (px >= l->text_px) return "body";
    if (px >= l->small_px) return "small";
    if (px >= l->small_px * 3 / 4) return "caption";
    return "badge";
}

static void note_text_(const draw_ *d, int px, int x, int y, int w, const char *t) {
    render_record *r = render_record_active();
    const ui_rect box = {x, y, w, line_height_(px)};
    if (note_.owner >= 0 && note_.owner < r->n) {
        r->items[note_.owner].inner = box;
        r->items[note_.owner].px = px;
        return;
    }
    rec_item *it = render_record_add(REC_TEXT, note_.role ? note_.role : role_of_size_(d, px), t, box, px);
    if (!it) return;
    it->inner = note_.box;
    if (note_.region) it->region = note_.region;
}

// Notes a cell or button (when recording) and makes it the owner of the text
// drawn next; the index, or -1.
static int note_owner_(rec_kind kind, const char *role, const char *text, ui_rect q, unsigned flags) {
    render_record *r = render_record_active();
    if (!r) return -1;
    // Drawn again on top (the narration's buttons): the same element, noted once.
    for (int i = r->n - 1; kind == REC_BUTTON && i >= 0; i--) {
        const rec_item *old = &r->items[i];
        if (old->kind == kind && old->rect.x == q.x && old->rect.y == q.y && old->rect.w == q.w &&
            old->rect.h == q.h && strcmp(old->text, text) == 0) {
            r->items[i].flags = flags;
            return i;
        }
    }
    rec_item *it = render_record_add(kind, role, text, q, 0);
    if (!it) return -1;
    it->flags = flags;
    return render_record_active()->n - 1;
}

// Diverging colour of v in [-1, 1]: blue - white - red, or (colour-blind
// safe) purple - white - orange. Negative values never vanish into black.
SDL_Color rd_diverging(float v, bool colorblind) {
    const rgb c = palette_diverging(palette_get(colorblind), v);
    return (SDL_Color){c.r, c.g, c.b, 255};
}

SDL_Color rd_colour(rgb c) { return (SDL_Color){c.r, c.g, c.b, 255}; }

const palette *rd_pal(const draw_ *d) { return palette_get(d->s->colorblind); }

SDL_Color rd_text_on(SDL_Color bg) {
    const float lum = (0.299f * bg.r + 0.587f * bg.g + 0.114f * bg.b) / 255.0f;
    return lum < 0.55f ? WHITE : INK;
}

void rd_fill(SDL_Renderer *r, ui_rect q, SDL_Color c) {
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    SDL_Rect s = {q.x, q.y, q.w, q.h};
    SDL_RenderFillRect(r, &s);
    render_record *rec = render_record_active();
    if (rec) {
        // A fill over the whole window starts an overlay (the keys): what
        // follows is drawn on it, whatever region lies under it.
        int w = 0, h = 0;
        SDL_GetRendererOutputSize(r, &w, &h);
        if (q.x <= 0 && q.y <= 0 && q.x + q.w >= w && q.y + q.h >= h) {
            render_record_add(REC_IMAGE, "overlay", "", q, 0);
            rec->layer = "overlay";
        }
    }
}

void rd_frame(SDL_Renderer *r, ui_rect q, SDL_Color c, int thick) {
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    for (int i = 0; i < thick; i++) {
        SDL_Rect s = {q.x + i, q.y + i, q.w - 2 * i, q.h - 2 * i};
        if (s.w > 0 && s.h > 0) SDL_RenderDrawRect(r, &s);
    }
}

int rd_text(const draw_ *d, font_face face, int px, int x, int y, SDL_Color c, const char *t) {
    const int w = font_draw(d->font, d->r, face, px, x, y, c, t);
    if (render_record_active() && t[0]) note_text_(d, px, x, y, w, t);
    return w;
}

int rd_width(const draw_ *d, font_face face, int px, const char *t) {
    return font_width(d->font, face, px, t);
}

bool rd_ellipsise(const draw_ *d, font_face face, int px, int max_w, const char *t, char *out, size_t size) {
    snprintf(out, size, "%s", t);
    if (rd_width(d, face, px, out) <= max_w) return false;
    // Cut at a character boundary (UTF-8 continuation bytes are 10xxxxxx)
    // until the rest and the ellipsis fit; at a space when one is near.
    static const char dots[] = "\xe2\x80\xa6";  // U+2026
    size_t n = strlen(out);
    while (n > 0) {
        do n--; while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80);
        while (n > 0 && out[n - 1] == ' ') n--;
        if (n + sizeof dots > size) continue;
        memcpy(out + n, dots, sizeof dots);
        if (rd_width(d, face, px, out) <= max_w) return true;
    }
    snprintf(out, size, "%s", rd_width(d, face, px, dots) <= max_w ? dots : "");
    return true;
}

// The text drawn last was shortened: say so in the recording.
static void rd_mark_ellipsis_(void) {
    render_record *r = render_record_active();
    if (r && r->n > 0) r->items[r->n - 1].flags |= REC_ELLIPSIS;
}

// Text centred in a rectangle.
void rd_text_centre(const draw_ *d, font_face face, int px, ui_rect q, SDL_Color c, const char *t) {
    const int w = rd_width(d, face, px, t);
    const text_note_ saved = note_;
    if (note_.box.w == 0) note_.box = q;
    rd_text(d, face, px, q.x + (q.w - w) / 2, q.y + (q.h - px * 6 / 5) / 2, c, t);
    note_ = saved;
}

// Draws text, wrapping at spaces to the width of q; returns the y after it.
int rd_text_wrap(const draw_ *d, font_face face, int px, ui_rect q, int y, SDL_Color c,
                      const char *t) {
    char line[512];
    const char *p = t;
    const text_note_ saved = note_;
    note_.box = q;
    render_record *rec = render_record_active();
    const int before = rec ? rec->n : 0;
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
    note_ = saved;
    if (rec && *p) {
        // Out of room: the rest is not drawn. Say so on the last line drawn, or
        // note the text that found no room at all.
        if (rec->n > before)
            rec->items[rec->n - 1].flags |= REC_TRUNCATED;
        else {
            rec_item *it = render_record_add(REC_TEXT, note_.role ? note_.role : role_of_size_(d, px), p,
                                             (ui_rect){q.x, y, 0, 0}, px);
            if (it) it->flags |= REC_TRUNCATED, it->inner = q;
        }
    }
    return y;
}

// A value short enough for its cell: the exact shortest form when it fits,
// else fewer decimals, else nothing.
void rd_cell_text(const draw_ *d, int px, int room, float v, float scale, char *buf, size_t size) {
    // The first of the value's cell texts that fits (fmt_cell_choices: the
    // two-digit forms first, a "0" only for a value small on its grid's
    // scale), else nothing (the close-up shows it).
    char choices[8][32];
    const int n = fmt_cell_choices(v, scale, choices, 8);
    for (int i = 0; i < n; i++)
        if (rd_width(d, FACE_SANS, px, choices[i]) <= room) {
            snprintf(buf, size, "%s", choices[i]);
            return;
        }
    buf[0] = '\0';
}

void rd_buttons(const draw_ *d) {
    const ui_layout *l = d->l;
    for (int i = 0; i < l->n_buttons; i++) {
        const ui_button *b = &l->buttons[i];
        // Selected: white on orange, even when it cannot be pressed again
        // (the chosen one of a pair); off: grey text on the panel's grey.
        const SDL_Color fill = b->active ? ACCENT : b->enabled ? BUTTON : PANEL;
        rd_fill(d->r, b->r, fill);
        rd_frame(d->r, b->r, b->active ? ACCENT : LINE, 1);
        // The label size, smaller to fit down to the readable minimum, then
        // shortened with an ellipsis (the layout should have made room).
        int px = l->small_px < b->r.h * 2 / 3 ? l->small_px : b->r.h * 2 / 3;
        if (px < l->min_px) px = l->min_px;
        const font_face face = b->active ? FACE_BOLD : FACE_SANS;
        while (px > l->min_px && rd_width(d, face, px, b->label) > b->r.w - 6) px--;
        char shown[160];
        const bool cut = rd_ellipsise(d, face, px, b->r.w - 6, b->label, shown, sizeof shown);
        const text_note_ saved = note_;
        note_.owner = note_owner_(REC_BUTTON, "button", b->label, b->r,
                                  (b->enabled ? 0 : REC_DISABLED) | (cut ? REC_ELLIPSIS : 0));
        rd_text_centre(d, face, px, b->r, b->active ? WHITE : !b->enabled ? MUTED : INK, shown);
        note_ = saved;
    }
}

void rd_header(const draw_ *d, const char *title) {
    const ui_layout *l = d->l;
    rd_fill(d->r, l->header, HEADER);
    const text_note_ saved = note_;
    note_.role = "header";
    note_.region = "header";
    int x = l->pad * 2;
    x += rd_text(d, FACE_BOLD, l->title_px, x, (l->header.h - l->title_px * 6 / 5) / 2, HEADER_INK, "convstep");
    if (title) {
        // The view's title ends before "home" (the layout's header_title),
        // shortened with an ellipsis rather than shrunk below the header's size.
        const int tx = x + l->pad * 2;
        const int room = l->header_title.w > 0 ? l->header_title.x + l->header_title.w - tx : l->w - tx - l->pad * 2;
        char shown[160];
        const bool cut = rd_ellipsise(d, FACE_SANS, l->title_px, room, title, shown, sizeof shown);
        rd_text(d, FACE_SANS, l->title_px, tx, (l->header.h - l->title_px * 6 / 5) / 2, (SDL_Color){170, 180, 200, 255},
                shown);
        if (cut) rd_mark_ellipsis_();
    }
    note_ = saved;
}

void rd_footer(const draw_ *d, const char *text) {
    const ui_layout *l = d->l;
    rd_fill(d->r, l->footer, PANEL);
    const text_note_ saved = note_;
    note_.role = "footer";
    note_.region = "footer";
    // A long message shrinks to the footer's width rather than run off it.
    rd_fitted_line(d, FACE_SANS, l->small_px, (ui_rect){l->pad * 2, l->footer.y, l->w - l->pad * 4, l->footer.h},
                   l->footer.y + (l->footer.h - l->small_px * 6 / 5) / 2, MUTED, text);
    note_ = saved;
}

// A label on the left of a "-  +" pair (the panel's setting rows).
void rd_setting_label(const draw_ *d, const ui_button *minus, const char *label) {
    const ui_layout *l = d->l;
    // As large as fits between the panel's edge and the "-" button.
    int px = l->small_px < minus->r.h * 3 / 4 ? l->small_px : minus->r.h * 3 / 4;
    while (px > 8 && rd_width(d, FACE_SANS, px, label) > minus->r.x - l->panel.x - l->pad * 2) px--;
    const text_note_ saved = note_;
    note_.role = "label";
    note_.box = (ui_rect){l->panel.x + l->pad, minus->r.y, minus->r.x - l->panel.x - l->pad * 2, minus->r.h};
    rd_text(d, FACE_SANS, px, l->panel.x + l->pad, minus->r.y + (minus->r.h - px * 6 / 5) / 2, INK, label);
    note_ = saved;
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

// A cell's number size: half the cell's height, up to the label size (every
// kind of cell, so a "?" or a padding 0 matches the numbers around it).
static int cell_text_px_(const draw_ *d, ui_rect q) { return q.h / 2 > d->l->small_px ? d->l->small_px : q.h / 2; }

// One data cell: coloured by value, its number when it fits inside a frame
// of `inset` pixels the caller draws over its edge.
static void value_cell_(const draw_ *d, ui_rect q, float v, float scale, bool empty, int inset) {
    const SDL_Color bg = empty ? WHITE : rd_diverging(v / scale, d->s->colorblind);
    rd_fill(d->r, q, bg);
    rd_frame(d->r, q, LINE, 1);
    if (empty) {
        note_owner_(REC_CELL, "cell", "", q, REC_PENDING);
        return;
    }
    char t[32];
    // Half the cell's height, up to the label size; under the readable
    // minimum the value is not drawn (the grid is too small: the view should
    // have sized it to at least l->min_cell).
    int px = cell_text_px_(d, q);
    if (px < d->l->min_px) {
        note_owner_(REC_CELL, "cell", "", q, REC_HIDDEN);
        return;
    }
    // A smaller size, down to the readable minimum, before no number at all.
    for (rd_cell_text(d, px, q.w - 4 - 2 * inset, v, scale, t, sizeof t); !t[0] && px > d->l->min_px;)
        rd_cell_text(d, --px, q.w - 4 - 2 * inset, v, scale, t, sizeof t);
    if (!t[0]) rd_cell_text(d, px, q.w - 2 - 2 * inset, v, scale, t, sizeof t);  // a pixel from each side
    const text_note_ saved = note_;
    note_.owner = note_owner_(REC_CELL, "cell", t, q, t[0] ? 0 : REC_HIDDEN);
    rd_text_centre(d, FACE_SANS, px, q, rd_text_on(bg), t);
    note_ = saved;
}

void rd_value_cell(const draw_ *d, ui_rect q, float v, float scale, bool empty) {
    value_cell_(d, q, v, scale, empty, 0);
}

void rd_value_cell_framed(const draw_ *d, ui_rect q, float v, float scale, SDL_Color frame, int thickness) {
    value_cell_(d, q, v, scale, false, thickness);
    rd_frame(d->r, q, frame, thickness);
}

// ---- Shapes and text ---------------------------------------------------------------------------------

ui_rect rd_rect(int x, int y, int w, int h) { return (ui_rect){x, y, w, h}; }

void rd_title(const draw_ *d, int x, int y, const char *t) {
    const text_note_ saved = note_;
    note_.role = "heading";
    rd_text(d, FACE_BOLD, d->l->small_px, x, y, INK, t);
    note_ = saved;
}

int rd_fitted_line(const draw_ *d, font_face face, int px, ui_rect q, int y, SDL_Color c, const char *t) {
    // Shrinks to the smallest readable size, then ends in an ellipsis.
    const int floor_px = px > d->l->min_px ? d->l->min_px : px;
    while (px > floor_px && rd_width(d, face, px, t) > q.w) px--;
    char shown[512];
    const bool cut = rd_ellipsise(d, face, px, q.w, t, shown, sizeof shown);
    const text_note_ saved = note_;
    note_.box = q;
    rd_text(d, face, px, q.x, y, c, shown);
    if (cut) rd_mark_ellipsis_();
    note_ = saved;
    return y + px * 5 / 4;
}

void rd_colour_bar(const draw_ *d, ui_rect q) {
    render_record_add(REC_IMAGE, "colour-bar", "", q, 0);
    for (int x = 0; x < q.w; x++) {
        const SDL_Color col = rd_diverging(2.0f * x / (q.w - 1) - 1.0f, d->s->colorblind);
        SDL_SetRenderDrawColor(d->r, col.r, col.g, col.b, 255);
        SDL_RenderDrawLine(d->r, q.x + x, q.y, q.x + x, q.y + q.h - 1);
    }
}

// rd_image's cells grouped by colour: one SDL_RenderFillRects a colour
// rather than a command a cell (SDL queues each call; the network view draws
// some 15,000 cells a frame while training). Cells never overlap, so the
// order does not change a pixel. Larger pictures go a cell at a time.
#define IMAGE_MAX_CELLS (112 * 112)
#define IMAGE_HASH 4096  // a power of two, well above the colours of one picture

static void fill_grouped_(SDL_Renderer *r, const SDL_Rect *cells, const uint32_t *colour, int n) {
    static SDL_Rect sorted[IMAGE_MAX_CELLS];
    static int group_of[IMAGE_MAX_CELLS], count[IMAGE_MAX_CELLS], start[IMAGE_MAX_CELLS];
    static uint32_t group_colour[IMAGE_MAX_CELLS], key[IMAGE_HASH];
    static int slot[IMAGE_HASH];
    memset(key, 0, sizeof key);  // (key 0: empty; a colour is stored plus one)
    int groups = 0;
    for (int i = 0; i < n; i++) {
        uint32_t h = (colour[i] * 2654435761u) >> 20 & (IMAGE_HASH - 1);
        while (key[h] && key[h] != colour[i] + 1) h = (h + 1) & (IMAGE_HASH - 1);
        if (!key[h]) {
            key[h] = colour[i] + 1;
            slot[h] = groups;
            group_colour[groups] = colour[i];
            count[groups++] = 0;
        }
        group_of[i] = slot[h];
        count[group_of[i]]++;
    }
    for (int g = 0, at = 0; g < groups; g++) start[g] = at, at += count[g];
    for (int i = 0; i < n; i++) sorted[start[group_of[i]]++] = cells[i];
    for (int g = 0, at = 0; g < groups; g++) {
        const uint32_t c = group_colour[g];
        SDL_SetRenderDrawColor(r, (Uint8)(c >> 16), (Uint8)(c >> 8), (Uint8)c, 255);
        SDL_RenderFillRects(r, sorted + at, count[g]);
        at += count[g];
    }
}

void rd_image(const draw_ *d, ui_rect q, const float *v, int w, int h, int stride, bool diverging, float scale) {
    render_record_add(REC_IMAGE, "image", "", q, 0);
    static SDL_Rect cells[IMAGE_MAX_CELLS];
    static uint32_t colour[IMAGE_MAX_CELLS];
    const bool grouped = w > 0 && h > 0 && w * h <= IMAGE_MAX_CELLS;
    int n = 0;
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
            if (!grouped) {
                rd_fill(d->r, rd_rect(x0, y0, x1 - x0, y1 - y0), c);
                continue;
            }
            if (x1 <= x0 || y1 <= y0) continue;  // (a picture smaller than its cells: SDL draws nothing for these)
            cells[n] = (SDL_Rect){x0, y0, x1 - x0, y1 - y0};
            colour[n++] = (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
        }
    }
    if (grouped) fill_grouped_(d->r, cells, colour, n);
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
    const text_note_ saved = note_;
    note_.role = "heading";
    rd_text(d, FACE_BOLD, d->l->small_px, g->r.x, g->r.y - d->l->small_px * 3 / 2, INK, g->title);
    note_ = saved;
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
    // Sized as a value cell's number is (rd_value_cell).
    const int px = cell_text_px_(d, q);
    const bool shown = px >= d->l->min_px;
    const text_note_ saved = note_;
    note_.owner = note_owner_(REC_CELL, "padding", shown ? mark : "", q, shown ? 0 : REC_HIDDEN);
    if (shown) rd_text_centre(d, FACE_SANS, px, q, MUTED, mark);
    note_ = saved;
}

static int mini_i_(int a, int b) { return a < b ? a : b; }

// Red hatching is visible on any colour the cell has.
void rd_unreached(const draw_ *d, ui_rect q) {
    if (quiz_hides(d->s, QUIZ_SIZE)) return;  // (the cells never reached tell the size: a size quiz waits)
    SDL_SetRenderDrawColor(d->r, BAD.r, BAD.g, BAD.b, 255);
    for (int k = 0; k < q.w + q.h; k += 7)
        for (int t = 0; t < 1; t++) {  // one pixel: the numbers under it stay legible
            const int a = k + t;
            // A line from the top (or left) edge down to the right.
            const int x0 = a < q.w ? q.x + a : q.x + q.w - 1, y0 = a < q.w ? q.y : q.y + a - q.w + 1;
            const int len = mini_i_(x0 - q.x, q.y + q.h - 1 - y0);
            SDL_RenderDrawLine(d->r, x0, y0, x0 - len, y0 + len);
        }
    rd_frame(d->r, q, BAD, 2);
}

// A note says what the floor drops when a division is not whole.
void rd_formula_numbers(const draw_ *d, const nn_axis *a, char *out, size_t size) {
    fmt_formula_numbers(a, out, size);
    char *eq = strstr(out, " = ");
    if (quiz_hides(d->s, QUIZ_SIZE) && eq && (size_t)(eq - out) + 5 <= size) memcpy(eq, " = ?", 5);
}

void rd_hidden_cell(const draw_ *d, ui_rect q) {
    rd_fill(d->r, q, PANEL);
    rd_frame(d->r, q, FOCUS, 2);
    const int px = cell_text_px_(d, q);
    if (px < d->l->min_px) {
        note_owner_(REC_CELL, "cell", "", q, REC_HIDDEN);
        return;
    }
    const text_note_ saved = note_;
    note_.owner = note_owner_(REC_CELL, "cell", "?", q, 0);
    rd_text_centre(d, FACE_BOLD, px, q, FOCUS, "?");
    note_ = saved;
}

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
    rd_formula_numbers(d, rows, r, sizeof r);
    rd_formula_numbers(d, cols, c, sizeof c);
    snprintf(t, sizeof t, "output size = %s", letters);
    y = rd_fitted_line(d, FACE_BOLD, l->text_px, q, y, INK, t);
    snprintf(t, sizeof t, "rows:  %s", r);
    y = rd_fitted_line(d, FACE_MONO, l->small_px, q, y, INK, t);
    snprintf(t, sizeof t, "cols:  %s", c);
    y = rd_fitted_line(d, FACE_MONO, l->small_px, q, y, INK, t);
    if ((rows->remainder || cols->remainder) && !quiz_hides(d->s, QUIZ_SIZE)) {
        // Show the fraction and what the floor keeps of it.
        fmt_floor_note(rows, cols, t, sizeof t);
        rd_text_wrap(d, FACE_SANS, l->small_px, q, y, BAD, t);
    }
}

void rd_speed_label(const draw_ *d, const anim_state *a) {
    const ui_button *b = rd_find_button(d->l, ACT_SLOWER, 0);
    if (!b) return;
    char t[96], speed[48];
    fmt_speed(app_speed_value(a->speed), speed, sizeof speed);
    snprintf(t, sizeof t, "speed  %s", speed);
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
    else if (quiz_hides(s, QUIZ_SIZE))  // (a count of steps would give the size away)
        snprintf(status, sizeof status, "the output's size is hidden until the quiz is answered  -  F1 keys");
    else {
        char speed[48];
        fmt_speed(app_speed_value(a->speed), speed, sizeof speed);
        snprintf(status, sizeof status, "step %d of %d  -  %s at %s  -  F1 keys", a->pos + 1, a->total,
                 a->playing ? "playing" : "paused", speed);
    }
    rd_footer(d, status);
}

// ---- Dashed frames and legends ---------------------------------------------------------------------

void rd_dashed_frame(const draw_ *d, ui_rect q, SDL_Color c, int thick) {
    // Dashes as long as three line widths (at least 6 px), gaps as long:
    // seen as dashed from the back of a room.
    const int dash = thick * 3 > 6 ? thick * 3 : 6;
    for (int x = 0; x < q.w; x += 2 * dash) {
        const int len = x + dash > q.w ? q.w - x : dash;
        rd_fill(d->r, rd_rect(q.x + x, q.y, len, thick), c);
        rd_fill(d->r, rd_rect(q.x + x, q.y + q.h - thick, len, thick), c);
    }
    for (int y = 0; y < q.h; y += 2 * dash) {
        const int len = y + dash > q.h ? q.h - y : dash;
        rd_fill(d->r, rd_rect(q.x, q.y + y, thick, len), c);
        rd_fill(d->r, rd_rect(q.x + q.w - thick, q.y + y, thick, len), c);
    }
}

// One swatch of a legend, drawn in a square of side s at (x, y).
static void legend_swatch_(const draw_ *d, const rd_legend_item *it, int x, int y, int s) {
    const ui_rect q = {x, y, s, s};
    const int thick = s / 6 > 2 ? s / 6 : 2;
    switch (it->kind) {
    case RD_SWATCH_FILL: rd_fill(d->r, q, it->colour), rd_frame(d->r, q, LINE, 1); break;
    case RD_SWATCH_FRAME: rd_fill(d->r, q, WHITE), rd_frame(d->r, q, it->colour, thick); break;
    case RD_SWATCH_DASHED: rd_fill(d->r, q, WHITE), rd_dashed_frame(d, q, it->colour, thick); break;
    case RD_SWATCH_PADDING: {
        // Not recorded as a cell: a legend's sample has no value.
        render_record *rec = render_record_active();
        const int before = rec ? rec->n : 0;
        rd_padding_cell(d, q, "");
        if (rec) {
            for (int i = before; i < rec->n; i++) free(rec->items[i].text);
            rec->n = before;
        }
        break;
    }
    case RD_SWATCH_UNREACHED: rd_fill(d->r, q, WHITE), rd_unreached(d, q); break;
    }
}

int rd_legend(const draw_ *d, ui_rect q, const rd_legend_item *items, int n) {
    const ui_layout *l = d->l;
    const int px = l->small_px * 9 / 10 > l->min_px ? l->small_px * 9 / 10 : l->min_px;
    const int s = px * 6 / 5, gap = l->pad;
    int x = q.x, y = q.y;
    const text_note_ saved = note_;
    note_.role = "label";
    for (int i = 0; i < n; i++) {
        const int w = s + gap / 2 + rd_width(d, FACE_SANS, px, items[i].label);
        if (x > q.x && x + w > q.x + q.w) {  // wrap to the next line
            x = q.x;
            y += s + gap / 2;
        }
        legend_swatch_(d, &items[i], x, y, s);
        char shown[160];
        const bool cut = rd_ellipsise(d, FACE_SANS, px, q.x + q.w - (x + s + gap / 2), items[i].label, shown,
                                      sizeof shown);
        note_.box = q;
        rd_text(d, FACE_SANS, px, x + s + gap / 2, y + (s - line_height_(px)) / 2, INK, shown);
        if (cut) rd_mark_ellipsis_();
        x += w + gap * 2;
    }
    note_ = saved;
    return n ? y + s - q.y : 0;
}
