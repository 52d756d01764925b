// render_charts.c - drawing shared by the views of the live model (see
// render_charts.h); reads snapshots and the state only.
#include "render_charts.h"

#include "format.h"
#include "keys.h"
#include "train_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

// The state in a word, as the progress line and its shorter forms say it.
static const char *state_word_(const live_snapshot *snap) {
    return snap->diverged ? "diverged" : snap->paused ? "paused" : "training";
}

// The longest form of the progress line that fits `w` at px: with the speed,
// then without, then without the model's name; the last one is fitted.
static void progress_text_(const draw_ *d, const live_snapshot *snap, const char *what, int px, int w, char *t,
                           size_t size) {
    char acc[32], speed[32];
    fmt_percent(snap->test_accuracy, acc, sizeof acc);
    fmt_screen((float)round(snap->samples_per_sec), speed, sizeof speed);
    if (snap->finished) {  // where it ended, not "batch 0" of an epoch that never starts
        snprintf(t, size, "%s  -  finished: %d epoch%s, %lld steps  -  test accuracy %s", what, snap->epoch,
                 snap->epoch == 1 ? "" : "s", snap->steps, acc);
        if (rd_width(d, FACE_SANS, px, t) <= w) return;
        snprintf(t, size, "finished: %lld steps  -  test accuracy %s", snap->steps, acc);
        return;
    }
    snprintf(t, size, "%s  -  epoch %d of %d, batch %d of %d (step %lld)  -  %s images/s  -  test accuracy %s  -  %s",
             what, snap->epoch + 1, snap->epochs, snap->batch_in_epoch, snap->batches_per_epoch, snap->steps, speed,
             acc, state_word_(snap));
    if (rd_width(d, FACE_SANS, px, t) <= w) return;
    snprintf(t, size, "%s  -  epoch %d of %d, step %lld  -  test accuracy %s  -  %s", what, snap->epoch + 1,
             snap->epochs, snap->steps, acc, state_word_(snap));
    if (rd_width(d, FACE_SANS, px, t) <= w) return;
    snprintf(t, size, "%s: epoch %d of %d, step %lld  -  test accuracy %s", state_word_(snap), snap->epoch + 1,
             snap->epochs, snap->steps, acc);
    if (rd_width(d, FACE_SANS, px, t) <= w) return;
    snprintf(t, size, "%s: step %lld, test accuracy %s", state_word_(snap), snap->steps, acc);
}

// Two rows: the line, then the bar with the time left (or a message) at its
// right, so nothing leaves an empty band under it (l->progress is
// train_progress_height() high, train_layout.h).
void rd_progress(const draw_ *d, const live_snapshot *snap, const char *what, const char *why) {
    const ui_layout *l = d->l;
    const ui_rect q = l->progress;
    char t[400];
    if (!snap) {
        const ui_rect all = {q.x, q.y, l->main.x + l->main.w - q.x - l->pad, l->main.y + l->main.h - q.y};
        rd_text_wrap(d, FACE_SANS, l->text_px, all, all.y, BAD, why && why[0] ? why : "training is not available");
        return;
    }
    progress_text_(d, snap, what, l->small_px, q.w, t, sizeof t);
    rd_fitted_line(d, FACE_SANS, l->small_px, q, q.y, INK, t);
    // The second row: what is left to wait for, then the bar in the rest.
    const int row_y = q.y + l->small_px * 6 / 5 + l->pad / 4, note_px = ui_max(l->min_px, l->small_px * 4 / 5);
    t[0] = '\0';
    if (snap->message[0] && !snap->finished)  // the line above says it finished
        snprintf(t, sizeof t, "%s", snap->message);
    else if (!snap->paused && !snap->finished && snap->seconds_left > 0)
        snprintf(t, sizeof t, "about %.0f s left", snap->seconds_left);
    int bar_w = q.w;
    if (t[0]) {
        const int note_w = ui_min(rd_width(d, FACE_SANS, note_px, t), q.w * 2 / 3);
        bar_w = q.w - note_w - l->pad;
        const ui_rect note = rd_rect(q.x + bar_w + l->pad, row_y, q.w - bar_w - l->pad, note_px * 6 / 5);
        rd_fitted_line(d, FACE_SANS, note_px, note, row_y, snap->diverged ? rd_colour(rd_pal(d)->bad) : MUTED, t);
    }
    const ui_rect bar = rd_rect(q.x, row_y + (note_px * 6 / 5 - l->small_px * 2 / 3) / 2, bar_w, l->small_px * 2 / 3);
    rd_fill(d->r, bar, PANEL);
    const double total = (double)snap->batches_per_epoch * snap->epochs;
    const double done = total > 0 ? snap->steps / total : 0;
    rd_fill(d->r, rd_rect(bar.x, bar.y, (int)(bar.w * (done > 1 ? 1 : done)), bar.h), ACCENT);
    rd_frame(d->r, bar, LINE, 1);
}

void rd_trainer_labels(const draw_ *d, const live_snapshot *snap) {
    const ui_button *b;
    char t[64];
    if ((b = rd_find_button(d->l, ACT_LR_DOWN, 0))) {
        char lr[32];
        fmt_screen(snap ? snap->lr : 0.0f, lr, sizeof lr);
        snprintf(t, sizeof t, "learning rate %s", lr);
        rd_setting_label(d, b, t);
    }
    if ((b = rd_find_button(d->l, ACT_SLOWMO_LESS, 0))) {
        if (snap && snap->delay_ms > 0)
            snprintf(t, sizeof t, "speed: %d ms a step", snap->delay_ms);
        else
            snprintf(t, sizeof t, "speed: full");
        rd_setting_label(d, b, t);
    }
}

void rd_trainer_footer(const draw_ *d) {
    char hint[300];
    keys_hint(d->s, 3, hint, sizeof hint);  // from the view's key table
    rd_footer(d, d->s->status[0] ? d->s->status : hint);
}

// ---- Curves over the whole run -------------------------------------------------------------------
// Read from the back of a room without being misread: the x axis is the whole
// planned run in epochs, the y axis is fixed with round ticks, legends sit
// above the plot, and test-set evaluations are dots joined only where they
// are a few steps apart (live.c evaluates densely at the start), so a gap is
// never bridged by a line that looks like a measured climb.

// Evaluations at most this many steps apart are joined by a line (the
// schedule is every LIVE_EVAL_DENSE_EVERY = 20 steps up to 200).
#define JOIN_MAX_STEPS 25

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
    char n[32];
    fmt_screen((float)(percent ? 100.0 * v : fabs(v) < 1e-9 ? 0.0 : v), n, sizeof n);
    snprintf(t, size, "%s%s", n, percent ? "%" : "");
}

static void thick_line_(const draw_ *d, int x0, int y0, int x1, int y1, int thick) {
    for (int k = 0; k < thick; k++) SDL_RenderDrawLine(d->r, x0, y0 + k - thick / 2, x1, y1 + k - thick / 2);
}

// A dashed line from (x0, y0) to (x1, y1), `thick` px, its dashes `on` px
// long with gaps of `off`, going on from *walked px along the curve (so a
// curve of many short segments is dashed evenly).
static void dashed_line_(const draw_ *d, int x0, int y0, int x1, int y1, int thick, int on, int off,
                         double *walked) {
    const double dx = x1 - x0, dy = y1 - y0, len = sqrt(dx * dx + dy * dy);
    const int n = (int)ceil(len);
    for (int i = 0; i <= n; i++) {
        const double t = n ? (double)i / n : 0;
        const double at = *walked + t * len;
        if (fmod(at, on + off) >= on) continue;
        const int x = x0 + (int)lround(t * dx), y = y0 + (int)lround(t * dy);
        const SDL_Rect dot = {x - thick / 2, y - thick / 2, thick, thick};
        SDL_RenderFillRect(d->r, &dot);
    }
    *walked += len;
}

// The dashes of a kept run's curve at a text size px.
static int dash_thick_(int px) { return ui_max(2, px / 10); }
static int dash_on_(int px) { return ui_max(6, px / 2); }
static int dash_off_(int px) { return ui_max(4, px / 3); }

static const char *series_label_(const rd_series *s, bool short_labels) {
    return short_labels && s->short_label ? s->short_label : s->label;
}

// The legend's entries from (x, y), wrapping to the width w (a short line for
// a curve, a square for dotted series); returns its height (drawn only if
// `draw`). An entry wider than w ends in an ellipsis.
static int legend_(const draw_ *d, const rd_series *s, int n, bool short_labels, ui_rect q, int px, bool draw) {
    const int swatch = px * 3 / 2, gap = px, line = px * 6 / 5;
    int at = 0, rows = 0;
    for (int c = 0; c < n; c++) {
        const char *label = series_label_(&s[c], short_labels);
        const int need = swatch + px / 3 + rd_width(d, FACE_SANS, px, label);
        if (rows == 0 || at + gap + need > q.w) {
            rows++;
            at = 0;
        } else {
            at += gap;
        }
        const int ly = q.y + (rows - 1) * line, cy = ly + px * 3 / 5;
        if (draw) {
            SDL_SetRenderDrawColor(d->r, s[c].colour.r, s[c].colour.g, s[c].colour.b, 255);
            if (s[c].dots) {
                rd_fill(d->r, rd_rect(q.x + at + (swatch - px / 2) / 2, cy - px / 4, px / 2, px / 2), s[c].colour);
            } else if (s[c].dashed) {  // two dashes and a gap between
                double walked = 0;
                const int on = (swatch - px / 4) / 2;
                dashed_line_(d, q.x + at, cy, q.x + at + swatch, cy, dash_thick_(d->l->small_px), on, swatch - 2 * on,
                             &walked);
            } else
                thick_line_(d, q.x + at, cy, q.x + at + swatch, cy, ui_max(2, px / 8));
            const int tx = q.x + at + swatch + px / 3;
            rd_fitted_line(d, FACE_SANS, px, rd_rect(tx, ly, q.x + q.w - tx, line), ly, INK, label);
        }
        at += need;
    }
    return rows * line;
}

// The width of the legend on one row.
static int legend_width_(const draw_ *d, const rd_series *s, int n, bool short_labels, int px) {
    int w = 0;
    for (int c = 0; c < n; c++)
        w += (c ? px : 0) + px * 3 / 2 + px / 3 + rd_width(d, FACE_SANS, px, series_label_(&s[c], short_labels));
    return w;
}

// The widest full legend entry (swatch and label) at px.
static int widest_entry_(const draw_ *d, const rd_series *s, int n, int px) {
    int w = 0;
    for (int c = 0; c < n; c++) w = ui_max(w, legend_width_(d, &s[c], 1, false, px));
    return w;
}

// The title, then the legend beside it when it fits on the row, else below
// (short labels when the full ones would leave the plot too low); returns
// the y under them.
static int chart_head_(const draw_ *d, ui_rect q, const rd_chart *c, const rd_series *s, int n, int tick_px) {
    const int px = d->l->small_px, line_h = px * 6 / 5;
    const char *title = c->short_title && rd_width(d, FACE_BOLD, px, c->title) > q.w ? c->short_title : c->title;
    rd_fitted_line(d, FACE_BOLD, px, q, q.y, INK, title);
    const int room = q.w - rd_width(d, FACE_BOLD, px, title) - px;
    // Full labels beside the title, else below it unless they take more than
    // a quarter of the height; then short labels, beside or below.
    for (int shortened = 0; shortened < 2; shortened++) {
        const int w = legend_width_(d, s, n, shortened, tick_px);
        if (w <= room) {
            legend_(d, s, n, shortened, rd_rect(q.x + q.w - w, q.y + (px - tick_px) / 2, w, line_h), tick_px, true);
            return q.y + line_h;
        }
        // (Full labels below only when each fits the width whole: a cut "now: LeNet..." names nothing.)
        if (shortened || (legend_(d, s, n, false, rd_rect(q.x, 0, q.w, 0), tick_px, false) <= q.h / 4 &&
                          widest_entry_(d, s, n, tick_px) <= q.w))
            return q.y + line_h + legend_(d, s, n, shortened, rd_rect(q.x, q.y + line_h, q.w, 0), tick_px, true);
    }
    return q.y + line_h;
}

// Round y ticks with grid lines, labels at least a line and a half apart
// (percentages by quarters).
static void y_axis_(const draw_ *d, ui_rect plot, const rd_chart *c, int tick_px) {
    char t[64];
    int most = plot.h / (tick_px * 3 / 2);
    if (!c->percent && most > 5) most = 5;  // steps of 0.5 on the loss axis, not 0.25
    const double step = c->percent ? (most >= 4 ? 0.25 : most >= 2 ? 0.5 : 1) : nice_step_(c->hi - c->lo, most);
    // On a plot lower than two lines, the bottom label only.
    const double end = plot.h < tick_px * 5 / 2 ? c->lo : c->hi;
    for (double v = c->lo; v <= end + 1e-6; v += step) {
        const int y = plot.y + plot.h - 1 - (int)lround((v - c->lo) / (c->hi - c->lo) * (plot.h - 1));
        SDL_SetRenderDrawColor(d->r, 230, 231, 236, 255);
        SDL_RenderDrawLine(d->r, plot.x, y, plot.x + plot.w - 1, y);
        tick_text_(v, c->percent, t, sizeof t);
        rd_text(d, FACE_SANS, tick_px, plot.x - tick_px / 3 - rd_width(d, FACE_SANS, tick_px, t), y - tick_px * 3 / 5,
                MUTED, t);
    }
}

// The room the x axis's word takes right of the plot when it has no row of
// its own ("3 epochs": the word after the last tick).
static int epochs_word_w_(const draw_ *d, const rd_chart *c, int tick_px) {
    char last[32];
    fmt_screen((float)(c->epochs > 0 ? c->epochs : 1), last, sizeof last);
    return rd_width(d, FACE_SANS, tick_px, last) / 2 + tick_px / 3 + rd_width(d, FACE_SANS, tick_px, "epochs") + 2;
}

// x ticks over the whole run in epochs, far enough apart for their labels;
// the label on a row under them when `label`, else "epochs" after the last tick.
static void x_axis_(const draw_ *d, ui_rect plot, const rd_chart *c, int tick_px, bool label) {
    char t[96];
    const double span = c->epochs > 0 ? c->epochs : 1;
    const int tick_len = tick_px / 4, tick_y = plot.y + plot.h;
    const double step = epoch_tick_step(span, plot.w / (rd_width(d, FACE_SANS, tick_px, "0.25") + tick_px * 2));
    for (double e = 0; e <= span + 1e-6; e += step) {
        const int x = plot.x + (int)lround(e / span * (plot.w - 1));
        SDL_SetRenderDrawColor(d->r, 230, 231, 236, 255);
        SDL_RenderDrawLine(d->r, x, plot.y, x, tick_y - 1);
        SDL_SetRenderDrawColor(d->r, MUTED.r, MUTED.g, MUTED.b, 255);
        SDL_RenderDrawLine(d->r, x, tick_y, x, tick_y + tick_len);
        fmt_screen((float)e, t, sizeof t);
        const int w = rd_width(d, FACE_SANS, tick_px, t);
        rd_text(d, FACE_SANS, tick_px, x - w / 2, tick_y + tick_len, MUTED, t);
        if (!label && e + step > span + 1e-6)
            rd_text(d, FACE_SANS, tick_px, x + w / 2 + tick_px / 3, tick_y + tick_len, MUTED, "epochs");
    }
    if (!label) return;
    snprintf(t, sizeof t, "epochs (0 to %d: %s, %d steps each)", c->epochs, c->both_runs ? "both runs" : "the whole run",
             c->steps_per_epoch);
    if (rd_width(d, FACE_SANS, tick_px, t) > plot.w) snprintf(t, sizeof t, "epochs (%d steps each)", c->steps_per_epoch);
    if (rd_width(d, FACE_SANS, tick_px, t) > plot.w) snprintf(t, sizeof t, "epochs");
    const int y = tick_y + tick_len + tick_px * 6 / 5;
    rd_fitted_line(d, FACE_SANS, tick_px, rd_rect(plot.x, y, plot.w, tick_px * 6 / 5), y, MUTED, t);
}

// Where a point goes in the plot (values off the axis sit on its edge).
static void point_at_(ui_rect plot, const rd_chart *c, double total, live_point p, int *x, int *y) {
    float v = (p.value - c->lo) / (c->hi - c->lo);
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    float f = (float)(p.step / total);
    f = f > 1 ? 1 : f;
    *x = plot.x + (int)lroundf(f * (plot.w - 1));
    *y = plot.y + plot.h - 1 - (int)lroundf(v * (plot.h - 1));
}

static void curves_(const draw_ *d, ui_rect plot, const rd_chart *c, const rd_series *s, int n) {
    const double total = (double)c->steps_per_epoch * (c->epochs > 0 ? c->epochs : 1);
    if (total <= 0) return;
    const int px = d->l->small_px, thick = ui_max(2, px / 10), dot = ui_max(5, px / 4);
    // Dashed series (another run) first, so the live curves lie over them.
    for (int k = 0; k < n; k++) {
        const rd_series *cs = &s[k];
        if (!cs->dashed) continue;
        SDL_SetRenderDrawColor(d->r, cs->colour.r, cs->colour.g, cs->colour.b, 255);
        double walked = 0;
        int x0 = 0, y0 = 0, x, y;
        for (int i = 0; i < cs->n; i++) {
            point_at_(plot, c, total, cs->p[i], &x, &y);
            if (i > 0) dashed_line_(d, x0, y0, x, y, dash_thick_(px), dash_on_(px), dash_off_(px), &walked);
            x0 = x;
            y0 = y;
        }
    }
    for (int k = 0; k < n; k++) {
        const rd_series *cs = &s[k];
        if (cs->dashed) continue;
        SDL_SetRenderDrawColor(d->r, cs->colour.r, cs->colour.g, cs->colour.b, 255);
        int x0 = 0, y0 = 0, x, y;
        for (int i = 0; i < cs->n; i++) {
            point_at_(plot, c, total, cs->p[i], &x, &y);
            if (i > 0 && (!cs->dots || cs->p[i].step - cs->p[i - 1].step <= JOIN_MAX_STEPS))
                thick_line_(d, x0, y0, x, y, cs->dots ? thick : 1);
            x0 = x;
            y0 = y;
        }
        for (int i = 0; cs->dots && i < cs->n; i++) {
            point_at_(plot, c, total, cs->p[i], &x, &y);
            rd_fill(d->r, rd_rect(x - dot / 2 - 1, y - dot / 2 - 1, dot + 2, dot + 2), WHITE);
            rd_fill(d->r, rd_rect(x - dot / 2, y - dot / 2, dot, dot), cs->colour);
        }
    }
}

void rd_curve_chart(const draw_ *d, ui_rect q, const rd_chart *c, const rd_series *s, int n_series) {
    const int tick_px = ui_max(d->l->min_px, d->l->small_px * 5 / 6), line = tick_px * 6 / 5;
    if (q.h < d->l->small_px * 6 / 5) return;  // not even room for the title
    // No room for a plot under the legend (zoomed in far): the title alone.
    const int least = d->l->small_px * 6 / 5 + legend_(d, s, n_series, true, rd_rect(q.x, 0, q.w, 0), tick_px, false) +
                      tick_px * 3 / 5 + 20 + tick_px / 4 + line;
    if (q.h < least) {
        rd_fitted_line(d, FACE_BOLD, d->l->small_px, q, q.y, INK, c->short_title ? c->short_title : c->title);
        return;
    }
    // The top tick's label is centred on the plot's top edge: half a line below the head.
    const int top = chart_head_(d, q, c, s, n_series, tick_px) + tick_px * 3 / 5;
    char t[48];
    tick_text_(c->hi, c->percent, t, sizeof t);
    const int left = rd_width(d, FACE_SANS, tick_px, c->percent ? "100%" : t) + tick_px / 2;
    // The x label's own row only when the plot keeps at least four lines of height.
    const int ticks_h = tick_px / 4 + line, room = q.y + q.h - top - ticks_h;
    const bool label = room - line >= line * 4;
    const int right = label ? tick_px : epochs_word_w_(d, c, tick_px);
    const ui_rect plot = rd_rect(q.x + left, top, q.w - left - right, room - (label ? line : 0));
    if (plot.w < 20 || plot.h < 20) return;
    rd_fill(d->r, plot, WHITE);
    y_axis_(d, plot, c, tick_px);
    x_axis_(d, plot, c, tick_px, label);
    rd_frame(d->r, plot, LINE, 1);
    curves_(d, plot, c, s, n_series);
}
