// render_help.c - the F1 overlay, written from the key tables (keys.c): the
// lesson's keys when one drives the view, the view's own, the window's. A
// set-up key a lesson has locked is shown greyed, saying so.
//
// The lines take the largest type, down to the readable minimum, at which
// they fit the box in 1 to 4 columns, a description wrapping under itself
// when its column is narrow. When even that does not fit (a large zoom on a
// short window) the keys go on pages (PageDown, PageUp), each page as full
// as the readable type allows, the page's place said on its last row.
#include "render_help.h"

#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "views.h"

// One line of the overlay: a section heading or a key and what it does.
typedef struct line_ {
    const char *heading;      // NULL for a key line
    const keys_entry *entry;
} line_;

// How the lines are set: the type, the columns, each entry's height in lines.
typedef struct plan_ {
    int px, cols, rows;       // rows: lines of text a column holds
    int line;                 // their spacing (roomy, or close to the font's own line)
    int key_w;                // the keys' column inside each column
    bool paged;               // not all on one page: the last row is kept for the page's note
} plan_;

#define MAX_LINES (KEYS_MAX_SECTIONS * (KEYS_MAX_ENTRIES + 1))

static void does_text_(const keys_entry *e, char *out, size_t size) {
    snprintf(out, size, "%s%s", e->does, e->disabled ? "  (off: the lesson set it)" : "");
}

// Wraps `text` at spaces to `room` px, lines `line_h` apart from (x, y),
// drawing them when `draw`; returns the lines it takes.
static int wrap_(const draw_ *d, font_face face, int px, ui_rect q, int line_h, SDL_Color c, const char *text, bool draw) {
    const int space = rd_width(d, face, px, " ");
    int lines = 0, x = 0;
    char cur[256] = "", word[128];
    for (const char *p = text;;) {
        while (*p == ' ') p++;
        int n = 0;
        while (p[n] && p[n] != ' ') n++;
        snprintf(word, sizeof word, "%.*s", n < 127 ? n : 127, p);
        const int w = n ? rd_width(d, face, px, word) : 0;
        // The line so far is full (or the text ended): out with it.
        if ((n == 0 || (x > 0 && x + w > q.w)) && cur[0]) {
            if (draw) rd_text(d, face, px, q.x, q.y + lines * line_h, c, cur);
            lines++;
            cur[0] = '\0';
            x = 0;
        }
        if (n == 0) break;
        const size_t used = strlen(cur);
        snprintf(cur + used, sizeof cur - used, "%s%s", used ? " " : "", word);
        x += w + space;
        p += n;
    }
    return lines ? lines : 1;
}

static int wrapped_lines_(const draw_ *d, font_face face, int px, int room, const char *text) {
    return wrap_(d, face, px, (ui_rect){0, 0, room, 0}, 0, INK, text, false);
}

// The keys' column in a column of col_w: as wide as the widest key text, at
// most two fifths of it (a longer key wraps: "Ctrl+Plus or" over "Ctrl+=").
static int key_column_(const draw_ *d, const line_ *lines, int n, int px, int col_w) {
    int widest = 0, widest_word = 0;  // a word is never split: "Shift+Right" stays whole
    char word[64];
    for (int i = 0; i < n; i++) {
        if (lines[i].heading) continue;
        const char *t = lines[i].entry->text;
        widest = ui_max(widest, rd_width(d, FACE_BOLD, px, t));
        for (const char *p = t; *p;) {
            while (*p == ' ') p++;
            int k = 0;
            while (p[k] && p[k] != ' ') k++;
            snprintf(word, sizeof word, "%.*s", k < 63 ? k : 63, p);
            if (k) widest_word = ui_max(widest_word, rd_width(d, FACE_BOLD, px, word));
            p += k;
        }
    }
    return ui_min(widest, ui_max(col_w * 2 / 5 - px * 2, widest_word)) + px * 2;
}

// The text lines each overlay line takes in a column of col_w; the total in
// columns of `rows` (an entry is never split between columns), or -1 when
// the descriptions would have too little room.
static int fill_(const draw_ *d, const line_ *lines, int n, int px, int col_w, int key_w, int rows, int *heights) {
    const int does_w = col_w - key_w - px;
    if (does_w < px * 6) return -1;
    char does[160];
    int used = 0, col_used = 0;
    for (int i = 0; i < n; i++) {
        int h = 1;
        if (!lines[i].heading) {
            does_text_(lines[i].entry, does, sizeof does);
            h = ui_max(wrapped_lines_(d, FACE_SANS, px, does_w, does),
                       wrapped_lines_(d, FACE_BOLD, px, key_w - px * 2, lines[i].entry->text));
        }
        heights[i] = h;
        if (col_used + h > rows) {  // on to the next column
            used += rows - col_used;
            col_used = 0;
        }
        col_used += h;
        used += h;
    }
    return used;
}

// The largest type and fewest columns at which every line fits; else, at
// the readable minimum, the columns that show the most lines.
static plan_ plan_lines_(const draw_ *d, const line_ *lines, int n, int avail_w, int avail_h, int *heights) {
    const ui_layout *l = d->l;
    plan_ best = {0};
    for (int px = l->small_px; px >= l->min_px; px--)
        for (int spacing = 15; spacing >= 12; spacing -= 3) {  // tenths of the type: 1.5, then 1.2 (DejaVu's line is 1.164)
            const int line = px * spacing / 10, rows = avail_h / line;
            for (int cols = 1; cols <= 4 && rows > 0; cols++) {
                const int key_w = key_column_(d, lines, n, px, avail_w / cols);
                const int used = fill_(d, lines, n, px, avail_w / cols, key_w, rows, heights);
                if (used >= 0 && used <= rows * cols) return (plan_){px, cols, rows, line, key_w, false};
                if (used >= 0 && px == l->min_px && spacing == 12)
                    best = (plan_){px, cols, rows, line, key_w, true};  // more columns show more
            }
        }
    if (best.px == 0) {  // not even one column: the keys take two fifths of it
        const int line = l->min_px * 6 / 5;
        best = (plan_){l->min_px, 1, ui_max(2, avail_h / line), line, key_column_(d, lines, n, l->min_px, avail_w), true};
    }
    fill_(d, lines, n, best.px, avail_w / best.cols, best.key_w, best.rows, heights);
    return best;
}

// The lines a page starting at `start` holds (at least one): a page that
// starts inside a section first repeats its heading; the last row of the
// last column is kept for the page's note.
static int page_lines_(const plan_ *p, const line_ *lines, const int *heights, int n, int start) {
    int col = 0, col_used = lines[start].heading ? 0 : 1, i = start;
    for (; i < n; i++) {
        if (col_used + heights[i] > p->rows - (col == p->cols - 1 ? 1 : 0)) {
            if (++col == p->cols) break;
            col_used = 0;
        }
        col_used += heights[i];
    }
    return ui_max(1, i - start);
}

void render_help(const draw_ *d) {
    const ui_layout *l = d->l;
    static keys_overlay o;  // large-ish: not on the stack (the window's thread only)
    keys_overlay_build(d->s, &o);
    static line_ lines[MAX_LINES];
    int n = 0;
    for (int i = 0; i < o.n_sections; i++) {
        lines[n++] = (line_){o.sections[i].title, NULL};
        for (int e = 0; e < o.sections[i].n; e++) lines[n++] = (line_){NULL, &o.sections[i].entries[e]};
    }
    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_BLEND);
    rd_fill(d->r, (ui_rect){0, 0, l->w, l->h}, (SDL_Color){20, 22, 28, 200});
    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_NONE);
    const int margin = ui_max(4, ui_min(l->w, l->h) / 48);
    const ui_rect box = {margin, margin, l->w - 2 * margin, l->h - 2 * margin};
    rd_fill(d->r, box, BG);
    rd_frame(d->r, box, ACCENT, 3);
    const int inner_x = box.x + l->pad * 2, inner_w = box.w - l->pad * 4;
    rd_fitted_line(d, FACE_BOLD, l->text_px, (ui_rect){inner_x, box.y + l->pad / 2, inner_w, l->text_px * 3 / 2},
                   box.y + l->pad / 2, INK, "Keys   (Esc, F1 or a click closes this)");
    // What the mouse does in this view, under the title (wrapped: two lines at most).
    int top = box.y + l->pad / 2 + l->text_px * 3 / 2;
    const char *mouse = view_get(d->s->view)->mouse;
    if (mouse) {
        char t[300];
        snprintf(t, sizeof t, "Mouse: %s%s", mouse, keys_lesson_drives(d->s) ? " (the set-up is locked in a lesson)" : "");
        const int px = l->min_px, h = ui_min(2, wrapped_lines_(d, FACE_SANS, px, inner_w, t)) * (px * 5 / 4);
        top = rd_text_wrap(d, FACE_SANS, px, (ui_rect){inner_x, top, inner_w, h}, top, INK, t);
    }
    top += l->pad / 2;
    static int heights[MAX_LINES];
    const int avail_h = box.y + box.h - l->pad / 2 - top;
    const plan_ p = plan_lines_(d, lines, n, inner_w, avail_h, heights);
    const int line = p.line, col_w = inner_w / p.cols;
    // The page shown (pages go round), found by laying out the ones before it.
    int pages = 1, start = 0, count = n;
    char note[96] = "";
    if (p.paged) {
        int starts[MAX_LINES], counts[MAX_LINES];
        pages = 0;
        for (int at = 0; at < n; at += counts[pages++]) {
            starts[pages] = at;
            counts[pages] = page_lines_(&p, lines, heights, n, at);
        }
        const int page = ((d->s->help_page % pages) + pages) % pages;
        start = starts[page];
        count = counts[page];
        snprintf(note, sizeof note, "page %d of %d (PageDown, PageUp)", page + 1, pages);
    }
    int col = 0, row = 0;
    char does[160];
    if (!lines[start].heading) {  // the section this page continues
        int h = start;
        while (h > 0 && !lines[h].heading) h--;
        char t[96];
        snprintf(t, sizeof t, "%s (continued)", lines[h].heading ? lines[h].heading : "");
        rd_fitted_line(d, FACE_BOLD, p.px, (ui_rect){inner_x, top, col_w - p.px, line}, top, FOCUS, t);
        row = 1;
    }
    for (int i = start; i < start + count; i++) {
        if (row + heights[i] > p.rows) col++, row = 0;
        if (col >= p.cols) break;
        const int x = inner_x + col * col_w, y = top + row * line;
        row += heights[i];
        if (lines[i].heading) {
            rd_fitted_line(d, FACE_BOLD, p.px, (ui_rect){x, y, col_w - p.px, line}, y, FOCUS, lines[i].heading);
            continue;
        }
        const keys_entry *e = lines[i].entry;
        wrap_(d, FACE_BOLD, p.px, (ui_rect){x + p.px, y, p.key_w - p.px * 2, heights[i] * line}, line,
              e->disabled ? MUTED : ACCENT, e->text, true);
        does_text_(e, does, sizeof does);
        const ui_rect does_box = {x + p.key_w, y, col_w - p.key_w - p.px, heights[i] * line};
        wrap_(d, FACE_SANS, p.px, does_box, line, e->disabled ? MUTED : INK, does, true);
    }
    if (pages > 1) {
        const int y = top + (p.rows - 1) * line;
        rd_fitted_line(d, FACE_BOLD, p.px, (ui_rect){inner_x + (p.cols - 1) * col_w, y, col_w - p.px, line}, y, FOCUS,
                       note);
    }
}
