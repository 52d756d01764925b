// view_train_render.c - the training dashboard: the progress line, the loss
// and accuracy curves, the confusion matrix and the test digits it gets wrong.
//
// The charts are meant to be read from the back of a room without being
// misread: the x axis is the whole planned run in epochs (it never rescales
// while training goes on), the y axis is fixed with round ticks, legends sit
// above the plot (never over a curve), and the test-set evaluations are drawn
// as dots, joined only where they are a few steps apart (live.c evaluates
// densely at the start), so a gap is never bridged by a line that looks
// like a measured climb.
#include <math.h>
#include <stdio.h>

#include "render_charts.h"
#include "render_views.h"

// Evaluations at most this many steps apart are joined by a line; further
// apart they stay separate dots (the schedule is every 10 steps up to 200).
#define JOIN_MAX_STEPS 25

// The loss axis: fixed, from 0 to a little above ln 10 = 2.30, the loss of
// an untrained 10-class model (higher values are drawn at the top edge).
#define LOSS_AXIS_TOP 2.5f

typedef struct series_ {
    const live_point *p;
    int n;
    SDL_Color colour;
    const char *label;
    bool dots;  // one dot per point, joined only where points are dense
} series_;

// A round step for ticks over `span` with at most `most` intervals: 1, 2,
// 2.5 or 5 times a power of ten.
static double nice_step_(double span, int most) {
    if (most < 1) most = 1;
    const double rough = span / most;
    double p = pow(10.0, floor(log10(rough)));
    for (;;) {
        const double mult[4] = {1, 2, 2.5, 5};
        for (int i = 0; i < 4; i++)
            if (p * mult[i] >= rough - 1e-9) return p * mult[i];
        p *= 10;
    }
}

// A tick value as a student writes it: "0", "0.5", "2.5", "75%".
static void tick_text_(double v, bool percent, char *t, size_t size) {
    if (percent)
        snprintf(t, size, "%.0f%%", 100.0 * v);
    else
        snprintf(t, size, "%.4g", fabs(v) < 1e-9 ? 0.0 : v);
}

static void thick_line_(const draw_ *d, int x0, int y0, int x1, int y1, int thick) {
    for (int k = 0; k < thick; k++) SDL_RenderDrawLine(d->r, x0, y0 + k - thick / 2, x1, y1 + k - thick / 2);
}

// The legend's entries in one row from x (a short line for a curve, a dot
// for dotted series); returns its width (drawn only if `draw`).
static int legend_(const draw_ *d, const series_ *s, int n, int x, int y, int px, bool draw) {
    const int swatch = px * 3 / 2, gap = px;
    int w = 0;
    for (int c = 0; c < n; c++) {
        if (!s[c].label) continue;
        if (w) w += gap;
        if (draw) {
            const int cy = y + px * 3 / 5;
            SDL_SetRenderDrawColor(d->r, s[c].colour.r, s[c].colour.g, s[c].colour.b, 255);
            if (s[c].dots) {
                const int m = px / 2;
                rd_fill(d->r, rd_rect(x + w + (swatch - m) / 2, cy - m / 2, m, m), s[c].colour);
            } else {
                thick_line_(d, x + w, cy, x + w + swatch, cy, px / 8 > 2 ? px / 8 : 2);
            }
        }
        w += swatch + px / 3;
        if (draw) rd_text(d, FACE_SANS, px, x + w, y, INK, s[c].label);
        w += rd_width(d, FACE_SANS, px, s[c].label);
    }
    return w;
}

// A chart of curves over the whole run: x in epochs from 0 to `epochs`
// (steps / steps_per_epoch), y from lo to hi with round ticks. The title and
// the legend above the plot, the x label below it.
static void chart_(const draw_ *d, ui_rect q, const char *title, const series_ *s, int n_series, float lo,
                   float hi, bool percent, int steps_per_epoch, int epochs) {
    const int px = d->l->small_px, tick_px = px * 5 / 6, line_h = px * 6 / 5;
    rd_title(d, q.x, q.y, title);
    // The legend beside the title when both fit, else on a row of its own.
    const int title_w = rd_width(d, FACE_BOLD, px, title);
    const int legend_w = legend_(d, s, n_series, 0, 0, tick_px, false);
    int top = q.y + line_h;
    if (title_w + px * 2 + legend_w <= q.w) {
        legend_(d, s, n_series, q.x + q.w - legend_w, q.y + (px - tick_px) / 2, tick_px, true);
    } else {
        legend_(d, s, n_series, q.x, top, tick_px, true);
        top += tick_px * 6 / 5;
    }
    // The y tick labels decide the left margin; the x ticks and label the bottom one.
    char t[64];
    tick_text_(hi, percent, t, sizeof t);
    const int label_w = rd_width(d, FACE_SANS, tick_px, percent ? "100%" : t);
    const int left = label_w + px / 2;
    const int bottom = tick_px * 6 / 5 * 2 + px / 3;
    const ui_rect plot = rd_rect(q.x + left, top + tick_px / 2, q.w - left - tick_px, q.y + q.h - bottom - top - tick_px / 2);
    if (plot.w < 20 || plot.h < 20) return;
    rd_fill(d->r, plot, WHITE);
    // y: round ticks, at least a line and a half apart; percentages by quarters.
    int most_y = plot.h / (tick_px * 3 / 2);
    if (!percent && most_y > 5) most_y = 5;  // steps of 0.5 on the loss axis, not 0.25
    const double ystep = percent ? (most_y >= 4 ? 0.25 : most_y >= 2 ? 0.5 : 1) : nice_step_(hi - lo, most_y);
    for (double v = lo; v <= hi + 1e-6; v += ystep) {
        const int y = plot.y + plot.h - 1 - (int)lround((v - lo) / (hi - lo) * (plot.h - 1));
        SDL_SetRenderDrawColor(d->r, 230, 231, 236, 255);
        SDL_RenderDrawLine(d->r, plot.x, y, plot.x + plot.w - 1, y);
        tick_text_(v, percent, t, sizeof t);
        rd_text(d, FACE_SANS, tick_px, plot.x - px / 3 - rd_width(d, FACE_SANS, tick_px, t), y - tick_px * 3 / 5, MUTED,
                t);
    }
    // x: the whole planned run in epochs, ticks far enough apart for their labels.
    const double total = (double)steps_per_epoch * (epochs > 0 ? epochs : 1);
    const double span = epochs > 0 ? epochs : 1;
    const double xstep = nice_step_(span, plot.w / (rd_width(d, FACE_SANS, tick_px, "0.25") + tick_px * 2));
    const int tick_y = plot.y + plot.h;
    for (double e = 0; e <= span + 1e-6; e += xstep) {
        const int x = plot.x + (int)lround(e / span * (plot.w - 1));
        SDL_SetRenderDrawColor(d->r, 230, 231, 236, 255);
        SDL_RenderDrawLine(d->r, x, plot.y, x, tick_y - 1);
        SDL_SetRenderDrawColor(d->r, MUTED.r, MUTED.g, MUTED.b, 255);
        SDL_RenderDrawLine(d->r, x, tick_y, x, tick_y + px / 4);
        snprintf(t, sizeof t, "%g", e);
        rd_text(d, FACE_SANS, tick_px, x - rd_width(d, FACE_SANS, tick_px, t) / 2, tick_y + px / 4, MUTED, t);
    }
    snprintf(t, sizeof t, "epochs (0 to %d: the whole run, %d steps each)", epochs, steps_per_epoch);
    const ui_rect xlabel = rd_rect(plot.x, tick_y + px / 4 + tick_px * 6 / 5, plot.w, tick_px * 6 / 5);
    rd_fitted_line(d, FACE_SANS, tick_px, xlabel, xlabel.y, MUTED, t);
    rd_frame(d->r, plot, LINE, 1);
    if (total <= 0) return;
    // The curves, clipped to the axis (a value off the axis sits on its edge).
    const int thick = px / 10 > 2 ? px / 10 : 2, dot = px / 4 > 5 ? px / 4 : 5;
    for (int c = 0; c < n_series; c++) {
        const series_ *cs = &s[c];
        SDL_SetRenderDrawColor(d->r, cs->colour.r, cs->colour.g, cs->colour.b, 255);
        int x0 = 0, y0 = 0;
        for (int i = 0; i < cs->n; i++) {
            float v = (cs->p[i].value - lo) / (hi - lo);
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            float f = (float)(cs->p[i].step / total);
            f = f > 1 ? 1 : f;
            const int x = plot.x + (int)lroundf(f * (plot.w - 1));
            const int y = plot.y + plot.h - 1 - (int)lroundf(v * (plot.h - 1));
            const bool join = i > 0 && (!cs->dots || cs->p[i].step - cs->p[i - 1].step <= JOIN_MAX_STEPS);
            if (join) thick_line_(d, x0, y0, x, y, cs->dots ? thick : 1);
            x0 = x;
            y0 = y;
        }
        if (!cs->dots) continue;
        for (int i = 0; i < cs->n; i++) {
            float v = (cs->p[i].value - lo) / (hi - lo);
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            float f = (float)(cs->p[i].step / total);
            f = f > 1 ? 1 : f;
            const int x = plot.x + (int)lroundf(f * (plot.w - 1));
            const int y = plot.y + plot.h - 1 - (int)lroundf(v * (plot.h - 1));
            rd_fill(d->r, rd_rect(x - dot / 2 - 1, y - dot / 2 - 1, dot + 2, dot + 2), WHITE);
            rd_fill(d->r, rd_rect(x - dot / 2, y - dot / 2, dot, dot), cs->colour);
        }
    }
}

// The confusion matrix's sequential scale: one hue (blue), pale to dark.
static SDL_Color blues_(float f) {
    static const SDL_Color stops[3] = {{247, 251, 255, 255}, {107, 174, 214, 255}, {8, 48, 107, 255}};
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    const int i = f < 0.5f ? 0 : 1;
    const float u = f < 0.5f ? f * 2 : (f - 0.5f) * 2;
    const SDL_Color a = stops[i], b = stops[i + 1];
    return (SDL_Color){(Uint8)lroundf(a.r + (b.r - a.r) * u), (Uint8)lroundf(a.g + (b.g - a.g) * u),
                       (Uint8)lroundf(a.b + (b.b - a.b) * u), 255};
}

// The scale from pale (left) to dark (right), filling q.
static void blues_bar_(const draw_ *d, ui_rect q) {
    for (int k = 0; k < q.w; k++) {
        const SDL_Color c = blues_((float)k / (float)(q.w > 1 ? q.w - 1 : 1));
        SDL_SetRenderDrawColor(d->r, c.r, c.g, c.b, 255);
        SDL_RenderDrawLine(d->r, q.x + k, q.y, q.x + k, q.y + q.h - 1);
    }
    rd_frame(d->r, q, LINE, 1);
}

// Where a count sits on the scale: square root, so that a few mistakes
// already show (the diagonal holds hundreds).
static float count_share_(int n, int most) { return most > 0 ? sqrtf((float)n / (float)most) : 0; }

// Confusion matrix: rows are the true digit, columns the guess; counts in
// the cells, a legend below, and greyed "no data yet" until training starts.
static void confusion_(const draw_ *d, const live_snapshot *snap) {
    const ui_rect q = d->l->confusion;
    const int px = d->l->small_px, tick_px = px * 5 / 6;
    // The title, then what rows and columns are and which evaluation it is.
    rd_fitted_line(d, FACE_BOLD, px, q, q.y, INK, "confusion matrix");
    char t[96];
    const bool data = snap->n_test_acc > 0 && snap->steps > 0;
    if (data)
        snprintf(t, sizeof t, "row: true digit, column: guess; at step %.0f",
                 (double)snap->test_acc[snap->n_test_acc - 1].step);
    else
        snprintf(t, sizeof t, "row: true digit, column: guess");
    rd_fitted_line(d, FACE_SANS, tick_px, q, q.y + px * 6 / 5, MUTED, t);
    const int top = q.y + px * 6 / 5 + tick_px * 6 / 5 + px / 4;
    // The legend's labels under its bar, or beside it when that leaves the
    // cells too small for their counts (zoomed in on a small window).
    int legend_h = tick_px * 6 / 5 * 2 + px / 2;
    int cell = (q.h - (top - q.y) - legend_h) / 11;
    const bool compact = cell < px * 3 / 2;
    if (compact) {
        legend_h = tick_px * 6 / 5 + px / 3;
        cell = (q.h - (top - q.y) - legend_h) / 11;
    }
    if ((q.w - px) / 11 < cell) cell = (q.w - px) / 11;
    if (cell < 4) return;
    int most = 0;
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++) most = snap->confusion[i][j] > most ? snap->confusion[i][j] : most;
    const int x0 = q.x + cell, y0 = top + cell;
    int count_px = cell * 9 / 20 < px ? cell * 9 / 20 : px;
    while (count_px > 9 && rd_width(d, FACE_SANS, count_px, "888") > cell - 4) count_px--;
    const bool counts = data && count_px >= (tick_px / 2 > 12 ? tick_px / 2 : 12);  // readable, or none
    const int digit_px = tick_px < cell * 4 / 5 ? tick_px : cell * 4 / 5;
    for (int i = 0; i < 10; i++) {
        snprintf(t, sizeof t, "%d", i);
        rd_text_centre(d, FACE_BOLD, digit_px, rd_rect(x0 + i * cell, y0 - cell, cell, cell), MUTED, t);
        rd_text_centre(d, FACE_BOLD, digit_px, rd_rect(x0 - cell, y0 + i * cell, cell, cell), MUTED, t);
        for (int j = 0; j < 10; j++) {
            const int n = snap->confusion[i][j];
            const SDL_Color c = data ? blues_(count_share_(n, most)) : PAD_FILL;
            const ui_rect cq = rd_rect(x0 + j * cell, y0 + i * cell, cell, cell);
            rd_fill(d->r, cq, c);
            rd_frame(d->r, cq, data ? LINE : BG, 1);
            if (counts) {
                snprintf(t, sizeof t, "%d", n);
                rd_text_centre(d, FACE_SANS, count_px, cq, n ? rd_text_on(c) : LINE, t);
            }
        }
    }
    const ui_rect grid = rd_rect(x0, y0, cell * 10, cell * 10);
    int y = y0 + cell * 10 + px / 3;
    if (!data) {
        const char *none = "no data yet: train to fill it";
        if (rd_width(d, FACE_BOLD, tick_px, none) > grid.w - px / 2) none = "no data yet";
        int none_px = px;
        while (none_px > 9 && rd_width(d, FACE_BOLD, none_px, none) > grid.w - px / 2) none_px--;
        const ui_rect box = rd_rect(grid.x, grid.y + grid.h / 2 - none_px, grid.w, none_px * 2);
        rd_fill(d->r, box, PAD_FILL);
        rd_text_centre(d, FACE_BOLD, none_px, box, MUTED, none);
        return;
    }
    // Legend: "count" and the scale from 0 to the largest cell.
    const int right = q.x + q.w;
    int x = grid.x;
    x += rd_text(d, FACE_SANS, tick_px, x, y, INK, "count") + px / 2;
    char top_label[16];
    snprintf(top_label, sizeof top_label, "%d", most);
    if (compact) {  // "count 0 [bar] 221" on one row
        x += rd_text(d, FACE_SANS, tick_px, x, y, MUTED, "0") + px / 4;
        const int top_w = rd_width(d, FACE_SANS, tick_px, top_label);
        int bar_w = grid.x + grid.w - x - top_w - px / 4;
        if (bar_w < px * 3) bar_w = px * 3;
        if (x + bar_w + px / 4 + top_w > right) return;
        const ui_rect bar = rd_rect(x, y + tick_px / 5, bar_w, tick_px);
        blues_bar_(d, bar);
        rd_text(d, FACE_SANS, tick_px, bar.x + bar.w + px / 4, y, MUTED, top_label);
        return;
    }
    // The bar as wide as the matrix (at least 5 lines).
    int bar_w = grid.x + grid.w - x;
    if (bar_w < px * 5) bar_w = px * 5;
    if (x + bar_w > right) bar_w = right - x;
    if (bar_w > px * 3) {
        const ui_rect bar = rd_rect(x, y + tick_px / 5, bar_w, tick_px);
        blues_bar_(d, bar);
        // Labels at 0, a quarter of the largest (half way: square-root scale) and the largest.
        // (the middle one only with room beside the others).
        const int values[3] = {0, most / 4, most};
        const int room = bar.w / 2 - rd_width(d, FACE_SANS, tick_px, top_label) - px / 2;
        for (int k = 0; k < 3; k++) {
            snprintf(t, sizeof t, "%d", values[k]);
            const int w = rd_width(d, FACE_SANS, tick_px, t);
            if (k == 1 && (most < 8 || w / 2 > room)) continue;
            const int lx = bar.x + (int)lroundf(count_share_(values[k], most) * (bar.w - 1));
            const int tx = k == 0 ? lx : k == 2 ? lx - w + 1 : lx - w / 2;
            SDL_SetRenderDrawColor(d->r, MUTED.r, MUTED.g, MUTED.b, 255);
            SDL_RenderDrawLine(d->r, lx, bar.y + bar.h, lx, bar.y + bar.h + px / 5);
            rd_text(d, FACE_SANS, tick_px, tx, bar.y + bar.h + px / 5, MUTED, t);
        }
    }
}

// The test digits it gets wrong, as thumbnails with "true->guess".
static void wrong_digits_(const draw_ *d, const live_snapshot *snap) {
    const app_state *s = d->s;
    const ui_rect g = d->l->gallery;
    const int px = d->l->small_px;
    char t[128];
    int tested = 0, right = 0;
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++) {
            tested += snap->confusion[i][j];
            right += i == j ? snap->confusion[i][j] : 0;
        }
    // The longest title that fits.
    const int wrong = tested - right;
    snprintf(t, sizeof t, "test digits it gets wrong (true -> guess): %d of %d", wrong, tested);
    if (rd_width(d, FACE_BOLD, px, t) > g.w) snprintf(t, sizeof t, "wrong: %d of %d (true -> guess)", wrong, tested);
    if (rd_width(d, FACE_BOLD, px, t) > g.w) snprintf(t, sizeof t, "wrong: %d of %d", wrong, tested);
    if (snap->steps == 0) snprintf(t, sizeof t, "test digits it gets wrong");
    rd_fitted_line(d, FACE_BOLD, px, g, g.y, INK, t);
    if (snap->steps == 0) {  // like the confusion matrix: an untrained model's guesses are not yet worth a look
        rd_fitted_line(d, FACE_SANS, px * 5 / 6, g, g.y + px * 3 / 2, MUTED, "none yet: they show once training starts");
        return;
    }
    if (!s->host.digits) return;
    const int thumb = px * 5 / 2, lab = px;
    const int per_row = g.w / (thumb + px);
    for (int k = 0; k < snap->n_wrong; k++) {
        const int r = k / (per_row ? per_row : 1), c = k % (per_row ? per_row : 1);
        const int x = g.x + c * (thumb + px), y = g.y + px * 3 / 2 + r * (thumb + lab + px / 2);
        if (y + thumb + lab > g.y + g.h) break;
        const int idx = snap->wrong_index[k];
        float img[28 * 28];
        for (int i = 0; i < 28 * 28; i++) img[i] = s->host.digits[(size_t)idx * 784 + i] / 255.0f;
        rd_image(d, rd_rect(x, y, thumb, thumb), img, 28, 28, 28, false, 1);
        snprintf(t, sizeof t, "%d->%d", s->host.n_digits > idx && s->host.digit_labels ? s->host.digit_labels[idx] : -1,
                 snap->wrong_pred[k]);
        rd_text(d, FACE_SANS, px * 3 / 4, x, y + thumb, BAD, t);
    }
}

static void dashboard_(const draw_ *d, const live_snapshot *snap) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    rd_progress(d, snap, s->train_model == MODEL_CUSTOM ? "--arch model" : app_train_model_name(s->train_model),
                s->host.train_why);
    if (!snap) return;
    int tested = 0;
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++) tested += snap->confusion[i][j];
    char test_label[96];
    snprintf(test_label, sizeof test_label, "test set (all %d digits), one dot per evaluation", tested);
    const series_ loss[1] = {{snap->loss, snap->n_loss, ACCENT, "each batch", false}};
    chart_(d, l->chart_loss, "training loss (cross-entropy)", loss, 1, 0, LOSS_AXIS_TOP, false,
           snap->batches_per_epoch, snap->epochs);
    const series_ acc[2] = {{snap->train_acc, snap->n_train_acc, (SDL_Color){160, 170, 190, 255}, "train batch", false},
                            {snap->test_acc, snap->n_test_acc, WIN, test_label, true}};
    chart_(d, l->chart_acc, "accuracy", acc, 2, 0, 1, true, snap->batches_per_epoch, snap->epochs);
    confusion_(d, snap);
    wrong_digits_(d, snap);
}

void render_view_train(const draw_ *d) {
    const live_snapshot *snap = d->s->host.train_live;
    rd_fill(d->r, d->l->panel, PANEL);
    dashboard_(d, snap);
    rd_buttons(d);
    rd_trainer_labels(d, snap);
    rd_trainer_footer(d);
}
