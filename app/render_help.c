// render_help.c - the F1 overlay, written from the key tables (keys.c): the
// lesson's keys when one drives the view, the view's own, the window's. A
// set-up key a lesson has locked is shown greyed, saying so.
#include "render_help.h"

#include <stdio.h>

#include "keys.h"
#include "views.h"

// One line of the overlay: a section heading or a key and what it does.
typedef struct line_ {
    const char *heading;      // NULL for a key line
    const keys_entry *entry;
} line_;

void render_help(const draw_ *d) {
    const ui_layout *l = d->l;
    static keys_overlay o;  // large-ish: not on the stack (the window's thread only)
    keys_overlay_build(d->s, &o);
    line_ lines[KEYS_MAX_SECTIONS * (KEYS_MAX_ENTRIES + 1)];
    int n = 0;
    for (int i = 0; i < o.n_sections; i++) {
        lines[n++] = (line_){o.sections[i].title, NULL};
        for (int e = 0; e < o.sections[i].n; e++) lines[n++] = (line_){NULL, &o.sections[i].entries[e]};
    }
    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_BLEND);
    rd_fill(d->r, (ui_rect){0, 0, l->w, l->h}, (SDL_Color){20, 22, 28, 200});
    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_NONE);
    const int bw = l->w * 11 / 12, bh = l->h * 11 / 12;
    const ui_rect box = {(l->w - bw) / 2, (l->h - bh) / 2, bw, bh};
    rd_fill(d->r, box, BG);
    rd_frame(d->r, box, ACCENT, 3);
    const int inner_x = box.x + l->pad * 2;
    rd_text(d, FACE_BOLD, l->text_px, inner_x, box.y + l->pad, INK, "Keys   (Esc, F1 or a click closes this)");
    // What the mouse does in this view, on a line of its own under the title.
    int top = box.y + l->pad + l->text_px * 2;
    const char *mouse = view_get(d->s->view)->mouse;
    if (mouse) {
        char t[300];
        snprintf(t, sizeof t, "Mouse: %s%s", mouse, keys_lesson_drives(d->s) ? " (the set-up is locked in a lesson)" : "");
        rd_fitted_line(d, FACE_SANS, l->small_px, (ui_rect){inner_x, top, box.w - l->pad * 4, l->small_px * 2}, top, INK, t);
        top += l->small_px * 2;
    }
    // The largest type (one size for all) at which the lines fit the box in
    // 2 or 3 columns, each key and what it does on one line.
    const int avail_h = box.y + box.h - l->pad - top, avail_w = box.w - l->pad * 4;
    int px = l->small_px, cols = 2, per_col = 1;
    for (; px > 9; px--) {
        const int rows = avail_h / (px * 3 / 2);
        if (rows <= 0) continue;
        cols = (n + rows - 1) / rows <= 2 ? 2 : 3;
        per_col = rows;
        int keys_w = 0, does_w = 0;
        for (int i = 0; i < n; i++) {
            if (lines[i].heading) continue;
            const int kw = rd_width(d, FACE_BOLD, px, lines[i].entry->text);
            const int dw = rd_width(d, FACE_SANS, px, lines[i].entry->does) +
                           (lines[i].entry->disabled ? rd_width(d, FACE_SANS, px, "  (off: the lesson set it)") : 0);
            keys_w = kw > keys_w ? kw : keys_w;
            does_w = dw > does_w ? dw : does_w;
        }
        if ((n + per_col - 1) / per_col <= cols && keys_w + does_w + px * 3 <= avail_w / cols) break;
    }
    const int line = px * 3 / 2, col_w = avail_w / cols;
    int key_w = 0;  // the widest key text sets where the descriptions start
    for (int i = 0; i < n; i++)
        if (!lines[i].heading) {
            const int kw = rd_width(d, FACE_BOLD, px, lines[i].entry->text) + px * 2;
            key_w = kw > key_w ? kw : key_w;
        }
    for (int i = 0; i < n; i++) {
        const int col = i / per_col, row = i % per_col;
        if (col >= cols) break;
        const int x = inner_x + col * col_w, y = top + row * line;
        if (lines[i].heading) {
            rd_text(d, FACE_BOLD, px, x, y, FOCUS, lines[i].heading);
            continue;
        }
        const keys_entry *e = lines[i].entry;
        const ui_rect keys_box = {x + px, y, key_w - px * 2, line};
        rd_fitted_line(d, FACE_BOLD, px, keys_box, y, e->disabled ? MUTED : ACCENT, e->text);
        char does[120];
        snprintf(does, sizeof does, "%s%s", e->does, e->disabled ? "  (off: the lesson set it)" : "");
        const ui_rect does_box = {x + key_w, y, col_w - key_w - px, line};
        rd_fitted_line(d, FACE_SANS, px, does_box, y, e->disabled ? MUTED : INK, does);
    }
}
