// view_pool_layout.c - the pooling view's layout: the search for the
// arrangement that fits the main area (whole grids in a row, the input whole
// with the outputs beside it, pictures with enlarged parts, the tight
// close-ups, the last resorts), the legend's sizes, and where the grids, the
// legend, the formula and the worked-out lines go. The state, the actions
// and the keys are in view_pool.c. No SDL.
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "view_pool.h"

// ---- The layout ------------------------------------------------------------------------------

static int text_w_(const ui_metrics *m, const char *t, int px, bool mono) {
    if (m && m->text_width) return m->text_width(m->ctx, t, px, mono);
    return (int)strlen(t) * px * 3 / 5;  // no font (a test): about DejaVu's average advance
}

// Lines of t wrapped at spaces to width w (as rd_text_wrap does).
static int wrapped_lines_(const ui_metrics *m, const char *t, int px, bool mono, int w) {
    if (!t[0]) return 0;
    char line[1024];
    int lines = 1;
    size_t len = 0;
    for (const char *p = t; *p;) {
        const char *end = strchr(p, ' ');
        const size_t wl = end ? (size_t)(end - p) : strlen(p);
        char trial[2100];
        snprintf(trial, sizeof trial, "%.*s%s%.*s", (int)len, line, len ? " " : "", (int)ui_min((int)wl, 1000), p);
        if (len && text_w_(m, trial, px, mono) > w) {
            lines++;
            snprintf(line, sizeof line, "%.*s", ui_min((int)wl, 1000), p);
        } else {
            snprintf(line, sizeof line, "%.1000s", trial);
        }
        len = strlen(line);
        p += wl;
        while (*p == ' ') p++;
    }
    return lines;
}

// The legend's height at width w: rd_legend's rows of `keys`, plus the colour
// bar's row (two when narrow).
int pool_legend_h(const ui_layout *l, const ui_metrics *m, const pool_key *keys, int n, int w) {
    const int px = ui_max(l->small_px * 9 / 10, l->min_px), sw = px * 6 / 5, gap = l->pad;
    int x = 0, rows = 1;
    for (int i = 0; i < n; i++) {
        const int iw = sw + gap / 2 + text_w_(m, pool_key_label(keys[i]), px, false);
        if (x > 0 && x + iw > w) rows++, x = 0;
        x += iw + gap * 2;
    }
    // The colour scale: "value -9 [bar] 9" on one row, or two when narrow.
    const int scale_w = text_w_(m, "value -0.00 0.00", px, false) + gap * 7;
    return (rows + (scale_w > w ? 2 : 1)) * (sw + gap / 2);
}

int pool_legend_scale_w(const ui_layout *l, const ui_metrics *m, const app_state *s) {
    const int px = ui_max(l->small_px * 9 / 10, l->min_px);
    char lo[40], hi[40];
    fmt_screen(-pool_value_scale(s), lo, sizeof lo);
    fmt_screen(pool_value_scale(s), hi, sizeof hi);
    // "value", its gap, lo, the bar at its narrowest between half gaps, hi, a gap to spare.
    return text_w_(m, "value", px, false) + text_w_(m, lo, px, false) + text_w_(m, hi, px, false) + l->pad * 7;
}

int pool_legend_inline_w(const ui_layout *l, const ui_metrics *m, const app_state *s, const pool_key *keys, int n) {
    const int px = ui_max(l->small_px * 9 / 10, l->min_px), sw = px * 6 / 5, gap = l->pad;
    int w = 0;
    for (int i = 0; i < n; i++) w += sw + gap / 2 + text_w_(m, pool_key_label(keys[i]), px, false) + gap * 2;
    return w + pool_legend_scale_w(l, m, s);
}

int pool_legend_row_h(const ui_layout *l) {
    const int px = ui_max(l->small_px * 9 / 10, l->min_px);
    return px * 6 / 5 + l->pad / 2;
}

// ... of every key the view may draw (the layout's room does not change from one step to the next).
static int legend_h_(const ui_layout *l, const app_state *s, const ui_metrics *m, bool pictures, int w) {
    pool_key keys[POOL_KEY_COUNT];
    const int n = pool_legend_keys(s, pictures, true, keys);
    return pool_legend_h(l, m, keys, n, w);
}

// The widest legend entry (a legend beside the grids is one entry a row).
static int legend_w_(const ui_layout *l, const app_state *s, const ui_metrics *m, bool pictures) {
    pool_key keys[POOL_KEY_COUNT];
    const int n = pool_legend_keys(s, pictures, true, keys);
    const int px = ui_max(l->small_px * 9 / 10, l->min_px), sw = px * 6 / 5;
    int w = 0;
    for (int i = 0; i < n; i++) w = ui_max(w, sw + l->pad / 2 + text_w_(m, pool_key_label(keys[i]), px, false));
    return ui_max(w, text_w_(m, "value", px, false) + l->pad);
}

static int formula_h_(const ui_layout *l, const app_state *s, const ui_metrics *m, int w) {
    if (!s->pool.ok) return l->text_px * 5 / 4 + 3 * l->text_px * 5 / 4;  // why it cannot work
    char t[400];
    pool_text_remainder(s, t, sizeof t);
    return l->text_px * 5 / 4 + l->small_px * 5 / 4 + wrapped_lines_(m, t, l->small_px, false, w) * l->small_px * 5 / 4;
}

// The arithmetic's height at width w: the longest its lines get (all values shown).
static int arith_h_(const ui_layout *l, const app_state *s, const ui_metrics *m, int w, bool compact) {
    if (!s->pool.ok || !s->pool.step.valid) return 0;
    char a[2048], b[2048], h[200];
    int most = 0;
    for (int pass = 0; pass < 2; pass++) {
        const int reveal = pass ? s->pool.step.count : 0;
        pool_text_heading(s, reveal, h, sizeof h);
        pool_text_max(s, reveal, a, sizeof a);
        pool_text_avg(s, reveal, b, sizeof b);
        if (compact) pool_text_compact(h, false), pool_text_compact(a, false), pool_text_compact(b, false);
        const int lines = wrapped_lines_(m, h, l->small_px, false, w) + wrapped_lines_(m, a, l->small_px, true, w) +
                          wrapped_lines_(m, b, l->small_px, true, w);
        most = ui_max(most, lines);
    }
    return most * l->small_px * 5 / 4 + l->small_px / 3;
}

// How the grids are shown.
typedef struct pool_fit_ {
    bool pictures;       // the whole grids as pictures, and a part of each with values
    bool side;           // pictures: the enlarged parts on their right (else below)
    int legend_at;       // the legend below the grids (0), on their right (1), under the outputs (2)
    bool formula;        // the output-size formula shown
    int cell;            // value cells (whole grids, or the enlarged parts)
    int pic_in, pic_out; // picture cells (pictures only)
    int zoom_in, zoom_out;  // the enlarged parts' side in cells (pictures only)
    int grids_w, grids_h;
    // The column arrangement (a short main area): the whole input on the left,
    // the outputs on its right (side by side, or one above the other) with
    // the worked-out lines under them; the legend where room is left.
    bool column, stacked;
    int col_gap;  // between the grids
    ui_rect legend_r, arith_r;
    // The tight arrangement (a main area too short for the others): the
    // input whole or as a picture and a close-up of the window (zoom_in
    // cells a side), the outputs whole or as a picture and a close-up of the
    // current cell and its neighbours (zoom_out), all in one row, the
    // worked-out lines in a column on their right, the legend under the
    // lines or under the grids.
    bool tight;
    // No arrangement with every block at its usual place fits (in a lesson the
    // panel is asked to give its width: panel_strip_wanted).
    bool cramped;
} pool_fit_;

typedef struct pool_dims_ {
    int in_rows, in_cols, out_rows, out_cols;
    int title_h, gap;
    int title_in, title_max, title_avg;  // grid titles' widths
} pool_dims_;

// The whole grids at the largest cell that fits w x h (0 when none does).
static bool fit_whole_(const ui_layout *l, const pool_dims_ *d, int w, int h, pool_fit_ *f) {
    for (int c = l->text_px * 4; c >= l->min_cell; c--) {
        const int gw = ui_max(d->in_cols * c, d->title_in) + d->gap + ui_max(d->out_cols * c, d->title_max) + d->gap +
                       ui_max(d->out_cols * c, d->title_avg);
        const int gh = d->title_h + ui_max(d->in_rows, d->out_rows) * c;
        if (gw <= w && gh <= h) {
            f->cell = c, f->grids_w = gw, f->grids_h = gh;
            return true;
        }
    }
    return false;
}

// The width and height of the pictures with their enlarged parts, below
// them or (side) on their right; columns at least as wide as their titles.
static void pictures_size_(const pool_dims_ *d, bool side, int pin, int pout, int zin, int zout, int c, int *w, int *h) {
    const int in_pic = d->in_cols * pin, out_pic = d->out_cols * pout;
    const int in_col = side ? in_pic + (in_pic ? d->gap : 0) + zin * c : ui_max(in_pic, zin * c);
    const int out_col = side ? out_pic + (out_pic ? d->gap : 0) + zout * c : ui_max(out_pic, zout * c);
    *w = ui_max(in_col, d->title_in) + 2 * ui_max(out_col, ui_max(d->title_max, d->title_avg)) + 2 * d->gap;
    const int pic_h = ui_max(d->in_rows * pin, d->out_rows * pout), zoom_h = ui_max(zin, zout) * c;
    *h = d->title_h + (side ? ui_max(pic_h, zoom_h) : pic_h + (pic_h ? d->gap : 0) + zoom_h);
}

// Pictures of the whole grids (pixels of pin and pout px) with enlarged parts
// that show values: the largest pictures that fit, then the largest cells.
// pin 0: no room for pictures, the enlarged parts alone.
static bool fit_pictures_(const ui_layout *l, const app_state *s, const pool_dims_ *d, int w, int h, pool_fit_ *f) {
    const int zin = ui_min(d->in_rows, s->pool.setup.size + 2), zout = ui_min(d->out_rows, 3);
    int best = -1;
    pool_fit_ found = *f;
    for (int side = 0; side < 2; side++)
        for (int c = l->min_cell * 3 / 2; c >= l->min_cell; c -= ui_max(1, l->min_cell / 8))
            for (int pin = 20; pin >= 0; pin--) {
                const int pout = pin ? ui_max(1, pin * d->in_rows / ui_max(1, d->out_rows)) : 0;
                int gw, gh;
                pictures_size_(d, side, pin, pout, zin, zout, c, &gw, &gh);
                if (gw > w || gh > h) continue;
                const int score = ui_min(pin, 10) * 100000 + c * 100 + pin;  // pictures to 10 px a pixel, then cells
                if (score > best) {
                    best = score;
                    found = (pool_fit_){.pictures = true, .side = side, .cell = c, .pic_in = pin, .pic_out = pout,
                                        .zoom_in = zin, .zoom_out = zout, .grids_w = gw, .grids_h = gh,
                                        .legend_at = f->legend_at, .formula = f->formula};
                }
                break;  // the largest pin at this c and side
            }
    *f = found;
    return best >= 0;
}

// Under the outputs, right of the taller input: the legend's room there.
static ui_rect legend_under_(const ui_layout *l, const pool_dims_ *d, const pool_fit_ *f, ui_rect area) {
    (void)l;
    const int x = area.x + ui_max(d->in_cols * f->cell, d->title_in) + d->gap;
    const int y = area.y + d->title_h + d->out_rows * f->cell + d->gap;
    return ui_rect_at(x, y, area.x + area.w - x, (d->in_rows - d->out_rows) * f->cell - d->gap);
}

// The column arrangement at the largest readable cell: the input whole on
// the left, the outputs on its right and the worked-out lines under them
// (the step's story reads down the column); the legend under everything,
// else under the input, else under the lines, whole if it fits, else with
// room for its first row (the renderer leaves out the keys that do not fit:
// the window's comes first). False when no cell size fits.
static bool fit_column_(const ui_layout *l, const app_state *s, const ui_metrics *m, const pool_dims_ *d, ui_rect area,
                        pool_fit_ *f) {
    if (!s->pool.ok || !s->pool.step.valid) return false;
    pool_key keys[POOL_KEY_COUNT];
    const int n_keys = pool_legend_keys(s, false, true, keys);
    const int gap = l->pad;  // between text blocks (the grids keep d->gap)
    for (int c = l->text_px * 4; c >= l->min_cell; c--)
        for (int wide = 1; wide >= 0; wide--) {  // the grids' usual gap, else a narrower one
        const int ggap = wide ? d->gap : l->pad;
        const int in_w = ui_max(d->in_cols * c, d->title_in), in_h = d->title_h + d->in_rows * c;
        const int col_x = in_w + ggap, col_w = area.w - col_x;
        const int out_w1 = ui_max(d->out_cols * c, d->title_max), out_w2 = ui_max(d->out_cols * c, d->title_avg);
        const int one_h = d->title_h + d->out_rows * c;
        bool stacked = out_w1 + ggap + out_w2 > col_w;
        const int out_w = stacked ? ui_max(out_w1, out_w2) : out_w1 + ggap + out_w2;
        const int out_h = stacked ? 2 * one_h + ggap : one_h;
        if (in_h > area.h || out_w > col_w || out_h > area.h) continue;
        // The lines under the outputs, in their shorter form if need be (as the renderer picks).
        const int arith = arith_h_(l, s, m, col_w, true);
        const int arith_y = out_h + gap, col_h = arith_y + arith;
        if (col_h > area.h) continue;
        // Where the legend goes: (x, y, w, room) candidates, whole legends first.
        const struct {
            int x, y, w;
        } spots[3] = {{0, ui_max(in_h, col_h) + gap, area.w}, {0, in_h + gap, in_w}, {col_x, col_h + gap, col_w}};
        ui_rect legend = {0, 0, 0, 0};
        for (int pass = 0; pass < 2 && legend.w == 0; pass++)
            for (int i = 0; i < 3 && legend.w == 0; i++) {
                const int room = area.h - spots[i].y;
                const int need = pool_legend_h(l, m, keys, pass ? 1 : n_keys, spots[i].w);
                if (need <= room) legend = ui_rect_at(area.x + spots[i].x, area.y + spots[i].y, spots[i].w, pass ? room : need);
            }
        if (legend.w == 0) continue;
        *f = (pool_fit_){.column = true, .stacked = stacked, .col_gap = ggap, .cell = c, .grids_w = col_x + out_w,
                         .grids_h = ui_max(in_h, out_h), .legend_r = legend};
        // The lines take the column down to the legend when it spans under them, else to the bottom.
        const int bottom = legend.x + legend.w > area.x + col_x ? legend.y - gap : area.y + area.h;
        f->arith_r = ui_rect_at(area.x + col_x, area.y + arith_y, col_w, bottom - area.y - arith_y);
        return true;
        }
    return false;
}

// The first cell of an enlarged part of `shown` cells around [want, want + len)
// within [lo, lo + total).
static int part_start_(int want, int len, int shown, int lo, int total) {
    const int start = want - (shown - len) / 2;
    return start < lo ? lo : start + shown > lo + total ? lo + total - shown : start;
}

// One grid of the tight arrangement at x (title above, at y0): whole (zoom
// covers it), or its picture (pic px a cell, pic 0: none) and the close-up
// of zoom cells a side around [want, want + len); added to l when place.
// Returns the width it takes; *h gets its cells' height.
static int tight_grid_(ui_layout *l, bool place, grid_id id, int ch, int rows, int cols, int lo, int want_r,
                       int want_c, int len, int zoom, int pic, int cell, int gap, int title_w, const char *title,
                       int x, int y, int *h) {
    const int zr = ui_min(zoom, rows), zc = ui_min(zoom, cols);
    ui_grid *g;
    if (zr == rows && zc == cols) {
        if (place && (g = layout_grid(l, id, ch, rows, cols, lo, lo, x, y, cell, title)))
            g->data_rows = rows + 2 * lo, g->data_cols = cols + 2 * lo;
        *h = rows * cell;
        return ui_max(cols * cell, title_w);
    }
    const int pic_w = pic ? cols * pic + gap : 0;
    if (pic && place && (g = layout_grid(l, id, ch, rows, cols, lo, lo, x, y, pic, title)))
        g->data_rows = rows + 2 * lo, g->data_cols = cols + 2 * lo;
    const int r0 = part_start_(want_r, len, zr, lo, rows), c0 = part_start_(want_c, len, zc, lo, cols);
    if (place && (g = layout_grid(l, id, ch, zr, zc, r0, c0, x + pic_w, y, cell, pic ? "" : title)))
        g->data_rows = rows + 2 * lo, g->data_cols = cols + 2 * lo;
    *h = ui_max(pic ? rows * pic : 0, zr * cell);
    return ui_max(pic_w + zc * cell, title_w);
}

// The tight arrangement's grids from (x0, y0): their width, and *h their height with titles.
static int tight_grids_(ui_layout *l, bool place, const app_state *s, const pool_dims_ *d, const pool_fit_ *f, int x0,
                        int y0, int *h) {
    const pool_setup *ps = &s->pool.setup;
    const pool_step_view *st = &s->pool.step;
    const int y = y0 + d->title_h, c = f->cell, gap = f->col_gap;
    int x = x0, gh = 0, most = 0;
    x += tight_grid_(l, place, GRID_INPUT, 0, d->in_rows, d->in_cols, -ps->pad, st->in_row[0], st->in_col[0], ps->size,
                     f->zoom_in, f->pic_in, c, gap, d->title_in, "input", x, y, &gh) + gap;
    most = gh;
    for (int ch = 0; ch < 2; ch++) {
        x += tight_grid_(l, place, GRID_OUTPUT, ch, d->out_rows, d->out_cols, 0, st->row, st->col, 1, f->zoom_out,
                         f->pic_out, c, gap, ch ? d->title_avg : d->title_max, ch ? "average" : "max", x, y, &gh) + gap;
        most = ui_max(most, gh);
    }
    *h = d->title_h + most;
    return x - gap - x0;
}

// The widest word of the worked-out lines in their shorter forms (they wrap
// at spaces only): the narrowest column that holds them.
static int arith_word_w_(const ui_layout *l, const app_state *s, const ui_metrics *m) {
    char t[3][2048];
    int most = 0;
    for (int pass = 0; pass < 2; pass++) {
        const int reveal = pass ? s->pool.step.count : 0;
        pool_text_heading(s, reveal, t[0], sizeof t[0]);
        pool_text_max(s, reveal, t[1], sizeof t[1]);
        pool_text_avg(s, reveal, t[2], sizeof t[2]);
        for (int k = 0; k < 3; k++) {
            pool_text_compact(t[k], false);
            for (char *w = strtok(t[k], " "); w; w = strtok(NULL, " "))
                // The heading is bold: about a tenth wider than measured.
                most = ui_max(most, k ? text_w_(m, w, l->small_px, true) : text_w_(m, w, l->small_px, false) * 11 / 10);
        }
    }
    return most;
}

// The tight arrangement at the largest readable cell, the most of the
// grids shown first: whole grids, then the input's close-up with two cells
// around the window, one, none; then the outputs' close-ups of 3 cells too.
// The lines beside the grids must hold their widest word; the legend keeps
// at least the window's key and the colour scale. False when nothing fits.
static bool fit_tight_(const ui_layout *l, const app_state *s, const ui_metrics *m, const pool_dims_ *d, ui_rect area,
                       pool_fit_ *out) {
    if (!s->pool.ok || !s->pool.step.valid) return false;
    static const struct {
        int in_more, out_zoom;  // -1, 0: whole
    } modes[] = {{-1, 0}, {2, 0}, {1, 0}, {0, 0}, {-1, 3}, {2, 3}, {1, 3}, {0, 3}};
    const int size = s->pool.setup.size, in_n = ui_max(d->in_rows, d->in_cols), out_n = ui_max(d->out_rows, d->out_cols);
    const int gap = l->pad, word = arith_word_w_(l, s, m);
    pool_key keys[POOL_KEY_COUNT];
    const int n_keys = pool_legend_keys(s, true, true, keys);
    const int step = ui_max(1, l->min_cell / 8);
    for (int mode = 0; mode < (int)(sizeof modes / sizeof modes[0]); mode++) {
        const int zin = modes[mode].in_more < 0 ? in_n : size + modes[mode].in_more;
        const int zout = modes[mode].out_zoom ? modes[mode].out_zoom : out_n;
        if ((modes[mode].in_more >= 0 && zin >= in_n) || (modes[mode].out_zoom && zout >= out_n)) continue;
        for (int c = l->min_cell * 3 / 2;; c = ui_max(l->min_cell, c - step)) {
            // Pictures beside the close-ups: half the close-up's height, else as small as can still be seen.
            for (int small = 0; small < 2; small++) {
                pool_fit_ f = {.tight = true, .cramped = true, .cell = c, .col_gap = gap, .zoom_in = zin, .zoom_out = zout,
                               .pictures = zin < in_n || zout < out_n};
                if (zin < in_n)
                    f.pic_in = small ? 4 : ui_max(4, ui_min(l->min_cell - 1, zin * c / (2 * in_n)));
                if (zout < out_n)
                    f.pic_out = small ? 4 : ui_max(4, ui_min(l->min_cell - 1, zout * c / (2 * out_n)));
                int gh;
                const int gw = tight_grids_(NULL, false, s, d, &f, 0, 0, &gh);
                const int tx = gw + gap, tw = area.w - tx;
                if (gh > area.h || tw < word) continue;
                const int arith = arith_h_(l, s, m, tw, true);
                if (arith > area.h) continue;
                // The legend: whole under the lines, whole under the grids;
                // else its first key and the scale there (on one row under the grids if need be).
                const struct {
                    int x, y, w;
                } spots[2] = {{tx, arith + gap, tw}, {0, gh + gap / 2, gw}};
                ui_rect legend = {0, 0, 0, 0};
                for (int pass = 0; pass < 3 && legend.w == 0; pass++)
                    for (int i = 0; i < 2 && legend.w == 0; i++) {
                        const int room = area.h - spots[i].y;
                        const int need = pass == 2 ? (pool_legend_inline_w(l, m, s, keys, 1) <= spots[i].w ? pool_legend_row_h(l)
                                                                                                         : area.h + 1)
                                                   : pool_legend_h(l, m, keys, pass ? 1 : n_keys, spots[i].w);
                        if (need <= room)
                            legend = ui_rect_at(area.x + spots[i].x, area.y + spots[i].y, spots[i].w, pass ? room : need);
                    }
                if (legend.w == 0) continue;
                f.grids_w = gw, f.grids_h = gh, f.legend_r = legend;
                const int text_bottom = legend.x > area.x ? legend.y - gap : area.y + area.h;
                f.arith_r = ui_rect_at(area.x + tx, area.y, tw, text_bottom - area.y);
                *out = f;
                return true;
            }
            if (c == l->min_cell) break;
        }
    }
    return false;
}

// The arrangement: whole grids if they fit with readable cells, else
// pictures with enlarged parts; the formula kept when there is room; the
// legend below the grids or beside them, whichever leaves the larger grids.
static pool_fit_ choose_fit_(const ui_layout *l, const app_state *s, const ui_metrics *m, const pool_dims_ *d,
                             ui_rect area) {
    const int arith = arith_h_(l, s, m, area.w, false);
    const int form = formula_h_(l, s, m, area.w);
    pool_key keys[POOL_KEY_COUNT];
    const int n_keys = pool_legend_keys(s, true, true, keys);
    const int px = ui_max(l->small_px * 9 / 10, l->min_px), row = px * 6 / 5 + l->pad / 2;
    for (int pictures = 0; pictures < 2; pictures++)
        for (int formula = 1; formula >= (s->pool.ok ? 0 : 1); formula--) {  // why it fails always shows
            pool_fit_ col;
            // Before pictures: the whole input in a column arrangement (a short main area).
            if (pictures && formula && fit_column_(l, s, m, d, area, &col)) return col;
            pool_fit_ best = {.cell = 0};
            int best_score = -1;
            for (int at = 2; at >= 0; at--) {  // on a tie the legend beside, leaving room below
                if (at == 2 && pictures) continue;  // under the outputs: whole grids only
                pool_fit_ f = {.pictures = pictures, .legend_at = at, .formula = formula};
                const int lw = at == 1 ? legend_w_(l, s, m, pictures) + d->gap : 0;
                const int below = arith + (formula ? form + d->gap : 0) + d->gap +
                                  (at == 0 ? legend_h_(l, s, m, pictures, area.w) + d->gap : 0);
                const int h = area.h - below;
                if (at == 1 && (n_keys + 2) * row > h) continue;  // the legend's rows must fit beside
                const bool ok = pictures ? fit_pictures_(l, s, d, area.w - lw, h, &f) : fit_whole_(l, d, area.w - lw, h, &f);
                if (ok && at == 2) {
                    // The room the taller input leaves under the outputs.
                    const ui_rect q = legend_under_(l, d, &f, area);
                    if (q.w <= 0 || legend_h_(l, s, m, false, q.w) > q.h) continue;
                }
                const int score = pictures ? ui_min(f.pic_in, 10) * 100000 + f.cell * 100 + f.pic_in : f.cell;
                if (ok && score > best_score) best = f, best_score = score;
            }
            if (best_score >= 0) return best;
        }
    // Nothing fits with its words (a large zoom in a lesson): the worked-out
    // lines first (they are what the step is about), then the whole grids if
    // they fit above them, else the enlarged parts; the legend and the formula
    // only where room is left.
    pool_fit_ f = {.formula = !s->pool.ok, .cramped = true};
    if (s->pool.ok && fit_tight_(l, s, m, d, area, &f)) return f;
    const int grids_room = area.h - arith_h_(l, s, m, area.w, true) - d->gap;  // their shorter forms
    if (fit_whole_(l, d, area.w, grids_room, &f)) return f;
    // As many rows as the height holds (at least one: the window then shows in part).
    const int fit_rows = ui_max(1, (grids_room - d->title_h) / l->min_cell);
    f = (pool_fit_){.pictures = true, .side = true, .cramped = true, .cell = l->min_cell,
                    .zoom_in = ui_min(fit_rows, ui_min(d->in_rows, s->pool.setup.size + 2)),
                    .zoom_out = ui_min(fit_rows, ui_min(d->out_rows, 3)), .formula = !s->pool.ok};
    // And as many columns as the width holds.
    for (;;) {
        pictures_size_(d, true, 0, 0, f.zoom_in, f.zoom_out, f.cell, &f.grids_w, &f.grids_h);
        if (f.grids_w <= area.w || (f.zoom_in <= 1 && f.zoom_out <= 1)) break;
        if (f.zoom_in >= f.zoom_out && f.zoom_in > 1) f.zoom_in--;
        else f.zoom_out--;
    }
    return f;
}

static void place_grids_(ui_layout *l, const app_state *s, const pool_dims_ *d, const pool_fit_ *f, ui_rect area) {
    const pool_setup *ps = &s->pool.setup;
    const pool_step_view *st = &s->pool.step;
    const int pad = ps->pad;
    int x = area.x;
    const int y = area.y + d->title_h;
    if (f->tight) {
        int h;
        tight_grids_(l, true, s, d, f, area.x, area.y, &h);
        return;
    }
    if (f->column) {
        // The input on the left; the outputs on its right, side by side or one above the other.
        const int c = f->cell;
        ui_grid *gi = layout_grid(l, GRID_INPUT, 0, d->in_rows, d->in_cols, -pad, -pad, x, y, c, "input");
        if (gi) gi->data_rows = ps->n_h, gi->data_cols = ps->n_w;
        const int gap = f->col_gap;
        x += ui_max(d->in_cols * c, d->title_in) + gap;
        layout_grid(l, GRID_OUTPUT, 0, d->out_rows, d->out_cols, 0, 0, x, y, c, "max");
        if (f->stacked)
            layout_grid(l, GRID_OUTPUT, 1, d->out_rows, d->out_cols, 0, 0, x, y + d->out_rows * c + gap + d->title_h, c,
                        "average");
        else
            layout_grid(l, GRID_OUTPUT, 1, d->out_rows, d->out_cols, 0, 0, x + ui_max(d->out_cols * c, d->title_max) + gap,
                        y, c, "average");
        return;
    }
    if (!f->pictures) {
        const int c = f->cell;
        ui_grid *gi = layout_grid(l, GRID_INPUT, 0, d->in_rows, d->in_cols, -pad, -pad, x, y, c, "input");
        if (gi) gi->data_rows = ps->n_h, gi->data_cols = ps->n_w;
        x += ui_max(d->in_cols * c, d->title_in) + d->gap;
        if (!s->pool.ok) return;
        layout_grid(l, GRID_OUTPUT, 0, d->out_rows, d->out_cols, 0, 0, x, y, c, "max");
        x += ui_max(d->out_cols * c, d->title_max) + d->gap;
        layout_grid(l, GRID_OUTPUT, 1, d->out_rows, d->out_cols, 0, 0, x, y, c, "average");
        return;
    }
    // The pictures, and the part around the window (the current output
    // cell) enlarged with its values, below them or on their right.
    const int ph = ui_max(d->in_rows * f->pic_in, d->out_rows * f->pic_out);
    const int zy = f->side ? y : y + ph + (ph ? d->gap : 0);
    const int wr = st->valid ? st->in_row[0] : -pad, wc = st->valid ? st->in_col[0] : -pad;
    ui_grid *g = NULL;
    if (f->pic_in) g = layout_grid(l, GRID_INPUT, 0, d->in_rows, d->in_cols, -pad, -pad, x, y, f->pic_in, "input");
    if (g) g->data_rows = ps->n_h, g->data_cols = ps->n_w;
    const int in_pic = f->pic_in ? d->in_cols * f->pic_in + d->gap : 0;
    const int r0 = part_start_(wr, ps->size, f->zoom_in, -pad, d->in_rows);
    const int c0 = part_start_(wc, ps->size, f->zoom_in, -pad, d->in_cols);
    g = layout_grid(l, GRID_INPUT, 0, f->zoom_in, f->zoom_in, r0, c0, f->side ? x + in_pic : x, zy, f->cell,
                    f->pic_in ? "" : "input");
    if (g) g->data_rows = ps->n_h, g->data_cols = ps->n_w;
    const int in_col = f->side ? in_pic + f->zoom_in * f->cell : ui_max(d->in_cols * f->pic_in, f->zoom_in * f->cell);
    x += ui_max(in_col, d->title_in) + d->gap;
    if (!s->pool.ok) return;
    const int orow = st->valid ? st->row : 0, ocol = st->valid ? st->col : 0;
    const int o_r0 = part_start_(orow, 1, f->zoom_out, 0, d->out_rows);
    const int o_c0 = part_start_(ocol, 1, f->zoom_out, 0, d->out_cols);
    const int out_pic = f->pic_out ? d->out_cols * f->pic_out + d->gap : 0;
    const int out_col = f->side ? out_pic + f->zoom_out * f->cell : ui_max(d->out_cols * f->pic_out, f->zoom_out * f->cell);
    for (int ch = 0; ch < 2; ch++) {
        const char *title = ch ? "average" : "max";  // the header says "pooling"
        if (f->pic_out) layout_grid(l, GRID_OUTPUT, ch, d->out_rows, d->out_cols, 0, 0, x, y, f->pic_out, title);
        // An output whose "picture" already has readable cells needs no enlarged part.
        if (f->pic_out >= l->min_cell) {
            x += ui_max(out_col, ui_max(d->title_max, d->title_avg)) + d->gap;
            continue;
        }
        g = layout_grid(l, GRID_OUTPUT, ch, f->zoom_out, f->zoom_out, o_r0, o_c0, f->side ? x + out_pic : x, zy, f->cell,
                        f->pic_out ? "" : title);
        if (g) g->data_rows = d->out_rows, g->data_cols = d->out_cols;
        x += ui_max(out_col, ui_max(d->title_max, d->title_avg)) + d->gap;
    }
}

// ---- The backward mode ----------------------------------------------------------------------------

// The backward lines' height at width w (the longest the three get).
static int back_arith_h_(const ui_layout *l, const app_state *s, const ui_metrics *m, int w) {
    if (!s->pool.ok || !s->pool.step.valid) return 0;
    char h[300], a[1024], b[1024];
    pool_text_back_heading(s, h, sizeof h);
    pool_text_back_max(s, a, sizeof a);
    pool_text_back_avg(s, b, sizeof b);
    // Where windows overlap, room for the sums on both lines, whichever step is shown.
    const bool overlap = s->pool.setup.stride < s->pool.setup.size;
    const int lines = wrapped_lines_(m, h, l->small_px, false, w) + wrapped_lines_(m, a, l->small_px, true, w) +
                      wrapped_lines_(m, b, l->small_px, true, w) + (overlap ? 2 : 0);
    return lines * l->small_px * 5 / 4 + l->small_px / 3;
}

// One row of grids for the backward mode: X (when with_x), dL/dY, dL/dX of
// max and of average, at cell c from (x, y); returns the row's width (and
// places nothing when place is false).
static int back_row_(ui_layout *l, const app_state *s, const pool_dims_ *d, const int *titles, bool with_x, int c, int x,
                     int y, bool place) {
    const pool_setup *ps = &s->pool.setup;
    const int x0 = x;
    ui_grid *g;
    if (with_x) {
        if (place) g = layout_grid(l, GRID_INPUT, 0, d->in_rows, d->in_cols, -ps->pad, -ps->pad, x, y, c, "input X");
        if (place && g) g->data_rows = ps->n_h, g->data_cols = ps->n_w;
        x += ui_max(d->in_cols * c, d->title_in) + d->gap;
    }
    if (place) layout_grid(l, GRID_FMAP, 0, d->out_rows, d->out_cols, 0, 0, x, y, c, "dL/dY");
    x += ui_max(d->out_cols * c, titles[0]) + d->gap;
    for (int k = 1; k <= 2; k++) {
        if (place) g = layout_grid(l, GRID_FMAP, k, ps->n_h, ps->n_w, 0, 0, x, y, c, k == 1 ? "dL/dX max" : "dL/dX average");
        if (place && g) g->data_rows = ps->n_h, g->data_cols = ps->n_w;
        x += ui_max(ps->n_w * c, titles[k]) + (k == 1 ? d->gap : 0);
    }
    return x - x0;
}

// The backward mode's arrangements of the grids: two rows, the forward pass
// (input X with the window, max Y, average Y) over the backward one (dL/dY,
// and under each output the dL/dX it routes back to: the input's shape
// without its padding); one row of X, dL/dY and both dL/dX; the square, X and
// dL/dY over both dL/dX; and dL/dY with both dL/dX alone (the window framed
// on them and the max's value in its line), the only one without X.
enum { BACK_TWO_ROWS, BACK_ROW_X, BACK_SQUARE, BACK_ROW, BACK_ARRANGEMENTS };
// Where the words go: the legend and the lines under the grids; the legend
// beside them, the lines under; both in a column beside them.
enum { WORDS_BELOW, LEGEND_BESIDE, WORDS_BESIDE, WORDS_PLACES };

typedef struct back_fit_ {
    int arr, words, cell, grids_w, grids_h;
} back_fit_;

// The grids' width and height (titles included) of arrangement arr at cell c.
static void back_size_(const ui_layout *l, const app_state *s, const pool_dims_ *d, const int *titles, int arr, int c,
                       int *w, int *h) {
    const pool_setup *ps = &s->pool.setup;
    const int cols = ui_max(d->in_cols, d->out_cols), rows2 = ui_max(ps->n_h, d->out_rows);
    switch (arr) {
    case BACK_TWO_ROWS: {
        const int colw[3] = {ui_max(d->title_in, titles[0]), ui_max(d->title_max, titles[1]), ui_max(d->title_avg, titles[2])};
        *w = 2 * d->gap;
        for (int k = 0; k < 3; k++) *w += ui_max(cols * c, colw[k]);
        *h = 2 * d->title_h + (d->in_rows + rows2) * c + d->gap;
        break;
    }
    case BACK_SQUARE:
        *w = ui_max(ui_max(d->in_cols, ps->n_w) * c, ui_max(d->title_in, titles[1])) + d->gap +
             ui_max(ui_max(d->out_cols, ps->n_w) * c, ui_max(titles[0], titles[2]));
        *h = 2 * d->title_h + (ui_max(d->in_rows, d->out_rows) + ps->n_h) * c + d->gap;
        break;
    default: {
        const bool with_x = arr == BACK_ROW_X;
        *w = back_row_((ui_layout *)l, s, d, titles, with_x, c, 0, 0, false);
        *h = d->title_h + ui_max(with_x ? d->in_rows : ps->n_h, d->out_rows) * c;
        break;
    }
    }
}

// The legend's height at width w: its keys and the value scale, and the gradients' scale a row (two when narrow) below.
static int back_legend_h_(const ui_layout *l, const ui_metrics *m, const pool_key *keys, int n, int w) {
    const int px = ui_max(l->small_px * 9 / 10, l->min_px);
    const bool narrow = text_w_(m, "value -0.00 0.00", px, false) + l->pad * 7 > w;
    return pool_legend_h(l, m, keys, n, w) + (narrow ? 2 : 1) * pool_legend_row_h(l);
}

// The largest cell at which arrangement arr fits the area with the words at
// their place (0: none); beside the grids the legend alone needs
// min_side_legend, with the lines min_side.
static back_fit_ back_try_(const ui_layout *l, const app_state *s, const ui_metrics *m, const pool_dims_ *d,
                           const int *titles, const pool_key *keys, int nk, bool legend, int arr, int words,
                           ui_rect area, int min_side_legend, int min_side) {
    back_fit_ f = {.arr = arr, .words = words};
    if (!legend && words == LEGEND_BESIDE) return f;  // nothing to put beside
    const int below_arith = back_arith_h_(l, s, m, area.w);
    const int below_legend = legend ? back_legend_h_(l, m, keys, nk, area.w) + d->gap : 0;
    for (int c = l->text_px * 4; c > 4; c--) {
        int gw, gh;
        back_size_(l, s, d, titles, arr, c, &gw, &gh);
        if (gw > area.w || gh > area.h) continue;
        const int side_w = area.w - gw - d->gap;
        bool fits;
        if (words == WORDS_BELOW) {
            fits = gh + d->gap + below_legend + below_arith <= area.h;
        } else if (side_w < (words == LEGEND_BESIDE ? min_side_legend : min_side)) {
            fits = false;
        } else if (words == LEGEND_BESIDE) {
            fits = ui_max(gh, back_legend_h_(l, m, keys, nk, side_w)) + d->gap + below_arith <= area.h;
        } else {
            fits = (legend ? back_legend_h_(l, m, keys, nk, side_w) + d->gap : 0) + back_arith_h_(l, s, m, side_w) <= area.h;
        }
        if (fits) {
            f.cell = c, f.grids_w = gw, f.grids_h = gh;
            return f;
        }
    }
    return f;
}

// The backward mode's grids: among the arrangements (with the words below or
// beside) whose cells show their values, the one with the largest cells that
// keeps input X (where the max sat); without X only when nothing with X is
// readable. Then the legend with both colour scales, and the lines.
static void backward_layout_(ui_layout *l, const app_state *s, const ui_metrics *m, pool_dims_ *d, ui_rect area) {
    const pool_setup *ps = &s->pool.setup;
    const int titles[3] = {text_w_(m, "dL/dY", l->small_px, false) * 13 / 10,
                           text_w_(m, "dL/dX max", l->small_px, false) * 13 / 10,
                           text_w_(m, "dL/dX average", l->small_px, false) * 13 / 10};
    const int cols = ui_max(d->in_cols, d->out_cols), rows2 = ui_max(ps->n_h, d->out_rows);
    pool_key keys[POOL_KEY_COUNT];
    const int nk = pool_legend_keys(s, false, true, keys);
    const int colw[3] = {ui_max(d->title_in, titles[0]), ui_max(d->title_max, titles[1]), ui_max(d->title_avg, titles[2])};
    // Beside the grids, the words need room for the legend's widest entry and a few words of the lines.
    const int px = ui_max(l->small_px * 9 / 10, l->min_px);
    const int min_side_legend = ui_max(legend_w_(l, s, m, false), text_w_(m, "gradient", px, false) + l->pad * 5);
    const int min_side = ui_max(min_side_legend, l->small_px * 10);
    // The legend (with the gradients' scale), left out when the grids would otherwise hide their values.
    bool legend = true;
    back_fit_ best = {.arr = BACK_ROW_X};
    for (int pass = 0; pass < 2; pass++, legend = false) {
        back_fit_ with_x = {.arr = -1}, without = {.arr = -1};
        for (int arr = 0; arr < BACK_ARRANGEMENTS; arr++)
            for (int words = 0; words < WORDS_PLACES; words++) {
                const back_fit_ t = back_try_(l, s, m, d, titles, keys, nk, legend, arr, words, area, min_side_legend, min_side);
                back_fit_ *b = arr == BACK_ROW ? &without : &with_x;
                if (b->arr < 0 || t.cell > b->cell) *b = t;
            }
        if (!s->pool.ok) {  // X alone: the one row's cell
            best = back_try_(l, s, m, d, titles, keys, nk, legend, BACK_ROW_X, WORDS_BELOW, area, min_side_legend, min_side);
            if (best.cell >= l->min_cell || pass > 0) break;
            continue;
        }
        best = with_x.cell >= l->min_cell || with_x.cell >= without.cell ? with_x : without;
        if (best.cell >= l->min_cell) break;
    }
    // No arrangement shows values: while a lesson drives the view, the panel can give its width.
    if (best.cell < l->min_cell && s->player.l) l->panel_strip_wanted = true;
    const int c = ui_max(best.cell, 5);
    const int y = area.y + d->title_h;
    int y_end;
    if (!s->pool.ok) {
        ui_grid *g = layout_grid(l, GRID_INPUT, 0, d->in_rows, d->in_cols, -ps->pad, -ps->pad, area.x, y, c, "input X");
        if (g) g->data_rows = ps->n_h, g->data_cols = ps->n_w;
        y_end = y + d->in_rows * c;
    } else if (best.arr == BACK_TWO_ROWS) {
        const int y2 = y + d->in_rows * c + d->gap + d->title_h;
        int x = area.x;
        for (int k = 0; k < 3; k++) {
            if (k == 0) {
                ui_grid *g = layout_grid(l, GRID_INPUT, 0, d->in_rows, d->in_cols, -ps->pad, -ps->pad, x, y, c, "input X");
                if (g) g->data_rows = ps->n_h, g->data_cols = ps->n_w;
                layout_grid(l, GRID_FMAP, 0, d->out_rows, d->out_cols, 0, 0, x, y2, c, "dL/dY");
            } else {
                layout_grid(l, GRID_OUTPUT, k - 1, d->out_rows, d->out_cols, 0, 0, x, y, c, k == 1 ? "max Y" : "average Y");
                ui_grid *g = layout_grid(l, GRID_FMAP, k, ps->n_h, ps->n_w, 0, 0, x, y2, c, k == 1 ? "dL/dX max" : "dL/dX average");
                if (g) g->data_rows = ps->n_h, g->data_cols = ps->n_w;
            }
            x += ui_max(cols * c, colw[k]) + d->gap;
        }
        y_end = y2 + rows2 * c;
    } else if (best.arr == BACK_SQUARE) {
        // Also what is left when nothing shows values (the grids as pictures).
        const int x2 = area.x + ui_max(ui_max(d->in_cols, ps->n_w) * c, ui_max(d->title_in, titles[1])) + d->gap;
        const int y2 = y + ui_max(d->in_rows, d->out_rows) * c + d->gap + d->title_h;
        ui_grid *g = layout_grid(l, GRID_INPUT, 0, d->in_rows, d->in_cols, -ps->pad, -ps->pad, area.x, y, c, "input X");
        if (g) g->data_rows = ps->n_h, g->data_cols = ps->n_w;
        layout_grid(l, GRID_FMAP, 0, d->out_rows, d->out_cols, 0, 0, x2, y, c, "dL/dY");
        for (int k = 1; k <= 2; k++) {
            g = layout_grid(l, GRID_FMAP, k, ps->n_h, ps->n_w, 0, 0, k == 1 ? area.x : x2, y2, c,
                            k == 1 ? "dL/dX max" : "dL/dX average");
            if (g) g->data_rows = ps->n_h, g->data_cols = ps->n_w;
        }
        y_end = y2 + ps->n_h * c;
    } else if (best.arr == BACK_ROW_X) {
        back_row_(l, s, d, titles, true, c, area.x, y, true);
        y_end = y + ui_max(d->in_rows, d->out_rows) * c;
    } else {
        back_row_(l, s, d, titles, false, c, area.x, y, true);
        y_end = y + ui_max(ps->n_h, d->out_rows) * c;
    }
    const int bottom = area.y + area.h;
    const int side_x = area.x + best.grids_w + d->gap, side_w = area.x + area.w - side_x;
    if (s->pool.ok && best.words != WORDS_BELOW && best.cell > 0) {
        const int lh = legend ? back_legend_h_(l, m, keys, nk, side_w) : 0;
        l->legend = ui_rect_at(side_x, area.y, side_w, lh);
        if (best.words == WORDS_BESIDE) {
            const int ay = area.y + (lh ? lh + d->gap : 0);
            l->formula = ui_rect_at(side_x, ay, side_w, 0);
            l->arithmetic = ui_rect_at(side_x, ay, side_w, ui_max(0, bottom - ay));
            return;
        }
        y_end = ui_max(y_end, area.y + lh - d->gap);
        const int ly = ui_min(y_end + d->gap, bottom);
        l->formula = ui_rect_at(area.x, ly, area.w, 0);
        l->arithmetic = ui_rect_at(area.x, ly, area.w, ui_max(0, bottom - ly));
        return;
    }
    const int lh = legend ? back_legend_h_(l, m, keys, nk, area.w) : 0;
    int ly = y_end + d->gap;
    l->legend = ui_rect_at(area.x, ly, area.w, lh && ly + lh <= bottom ? lh : 0);
    ly += l->legend.h ? lh + d->gap : 0;
    l->formula = ui_rect_at(area.x, ui_min(ly, bottom), area.w, 0);
    l->arithmetic = ui_rect_at(area.x, ui_min(ly, bottom), area.w, ui_max(0, bottom - ly));
}

void pool_layout(ui_layout *l, const app_state *s, const ui_metrics *m) {
    const pool_setup *ps = &s->pool.setup;
    if (l->panel_strip) {  // a lesson's set-up is locked: the stepping buttons alone
        ui_panel p = layout_panel_fit(l, 5);
        layout_transport_strip(&p, &s->pool.anim);
    } else {
        ui_panel p = layout_panel_fit(l, 7);
        layout_transport(&p, &s->pool.anim);
        p.y += p.gap;
        layout_stepper(&p, ACT_SET_SIZE, ps->n_h, VIEW_MIN_N, VIEW_MAX_N);
        layout_stepper(&p, ACT_SET_POOL_SIZE, ps->size, 1, VIEW_MAX_K);
        layout_stepper(&p, ACT_SET_STRIDE, ps->stride, 1, 4);
        layout_stepper(&p, ACT_SET_PADDING, ps->pad, 0, 3);
        p.y += p.gap;
        layout_two_buttons(&p, "randomise", ACT_RANDOMISE, 0, "load a digit", ACT_LOAD_DIGIT, -1);
    }

    // Grids sized to the free area (never below the readable cell), the
    // legend, the formula and the arithmetic measured so nothing runs off.
    const ui_rect area = ui_rect_at(l->main.x + l->pad, l->main.y + l->pad, l->main.w - 2 * l->pad, l->main.h - 2 * l->pad);
    pool_dims_ d = {.in_rows = ps->n_h + 2 * ps->pad, .in_cols = ps->n_w + 2 * ps->pad,
                    .out_rows = s->pool.ok ? s->pool.max_geom.out_h : 1, .out_cols = s->pool.ok ? s->pool.max_geom.out_w : 1,
                    .title_h = l->small_px * 3 / 2, .gap = l->pad * 2};
    // Titles are bold: about a quarter wider than the regular face measures.
    d.title_in = text_w_(m, "input", l->small_px, false) * 13 / 10;
    d.title_max = text_w_(m, "max", l->small_px, false) * 13 / 10;
    d.title_avg = text_w_(m, "average", l->small_px, false) * 13 / 10;
    if (s->pool.backward) {
        backward_layout_(l, s, m, &d, area);
        return;
    }
    const pool_fit_ f = choose_fit_(l, s, m, &d, area);
    // No usual arrangement fits: while a lesson drives the view, the panel
    // can give its width (layout_compute lays the view out again).
    if (f.cramped && s->player.l) l->panel_strip_wanted = true;
    place_grids_(l, s, &d, &f, area);
    if (f.column || f.tight) {  // the legend and the lines as the fit placed them; no room for the formula
        l->legend = f.legend_r;
        l->formula = ui_rect_at(area.x, area.y + area.h, area.w, 0);
        l->arithmetic = f.arith_r;
        return;
    }

    // Below the grids, what fits in the area (a block with no room is left
    // out rather than drawn over the lesson's narration).
    const int bottom = area.y + area.h;
    int y = area.y + f.grids_h + d.gap;
    if (f.legend_at == 1) {
        const int lw = legend_w_(l, s, m, f.pictures);
        l->legend = ui_rect_at(area.x + area.w - lw, area.y, lw, area.h);
    } else if (f.legend_at == 2) {
        l->legend = legend_under_(l, &d, &f, area);
    } else {
        // Below the grids when the worked-out lines still fit under it, else
        // beside the grids when it fits there (a short main area in a lesson).
        const int lh = legend_h_(l, s, m, f.pictures, area.w), arith = arith_h_(l, s, m, area.w, false);
        const int beside_x = area.x + f.grids_w + d.gap, beside_w = area.x + area.w - beside_x;
        if (y + lh + d.gap + arith <= bottom || beside_w <= 0 ||
            legend_h_(l, s, m, f.pictures, beside_w) > f.grids_h) {
            l->legend = ui_rect_at(area.x, y, area.w, y + lh <= bottom ? lh : 0);
            y += l->legend.h ? lh + d.gap : 0;
        } else {
            l->legend = ui_rect_at(beside_x, area.y, beside_w, f.grids_h);
        }
    }
    const int fh = formula_h_(l, s, m, area.w);
    const bool formula = f.formula && y + fh <= bottom;
    l->formula = ui_rect_at(area.x, y, area.w, formula ? fh : 0);
    if (formula) y += fh + d.gap;
    l->arithmetic = ui_rect_at(area.x, ui_min(y, bottom), area.w, bottom - y);
}
