// view_train_render.c - the training dashboard: the progress line, the loss
// and accuracy curves, the confusion matrix and the test digits it gets wrong.
//
// The charts are drawn by rd_curve_chart (render_charts.c); the layout
// (view_train.c) gives the matrix cells of at least l->min_cell where the
// window allows, so every count is readable.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render_charts.h"
#include "render_record.h"
#include "render_views.h"
#include "train_layout.h"
#include "format.h"

// The confusion matrix's scale: the palette's single hue, pale to dark.
static SDL_Color count_colour_(const draw_ *d, float f) { return rd_colour(palette_count(rd_pal(d), f)); }

// Where a count sits on the scale: square root, so that a few mistakes
// already show (the diagonal holds hundreds).
static float count_share_(int n, int most) { return most > 0 ? sqrtf((float)n / (float)most) : 0; }

// The scale from pale to dark along q (vertical: pale at the bottom).
static void count_bar_(const draw_ *d, ui_rect q, bool vertical) {
    const int n = vertical ? q.h : q.w;
    for (int k = 0; k < n; k++) {
        const SDL_Color c = count_colour_(d, (float)k / (float)(n > 1 ? n - 1 : 1));
        SDL_SetRenderDrawColor(d->r, c.r, c.g, c.b, 255);
        if (vertical)
            SDL_RenderDrawLine(d->r, q.x, q.y + q.h - 1 - k, q.x + q.w - 1, q.y + q.h - 1 - k);
        else
            SDL_RenderDrawLine(d->r, q.x + k, q.y, q.x + k, q.y + q.h - 1);
    }
    rd_frame(d->r, q, LINE, 1);
}

// The legend of the counts: "count", then the bar with 0 and the largest
// count at its ends; below the cells (one row) or beside them (upright).
static void count_legend_(const draw_ *d, ui_rect cells, int most, bool beside) {
    const ui_layout *l = d->l;
    const int px = ui_max(l->min_px, l->small_px * 5 / 6), line = px * 6 / 5;
    char top[16];
    snprintf(top, sizeof top, "%d", most);
    if (beside) {
        const int x = cells.x + cells.w + l->pad;
        rd_text(d, FACE_SANS, px, x, cells.y, INK, "count");
        const ui_rect bar = rd_rect(x, cells.y + line * 2, l->small_px * 2 / 3, cells.h - line * 3);
        if (bar.h < line) return;
        count_bar_(d, bar, true);
        rd_text(d, FACE_SANS, px, x, cells.y + line, MUTED, top);
        rd_text(d, FACE_SANS, px, x, bar.y + bar.h, MUTED, "0");
        return;
    }
    const int y = cells.y + cells.h + l->pad / 2;
    int x = cells.x;
    x += rd_text(d, FACE_SANS, px, x, y, INK, "count") + l->pad / 2;
    x += rd_text(d, FACE_SANS, px, x, y, MUTED, "0") + l->pad / 3;
    const int top_w = rd_width(d, FACE_SANS, px, top);
    const int bar_w = cells.x + cells.w - x - top_w - l->pad / 3;
    if (bar_w < px * 2) return;
    count_bar_(d, rd_rect(x, y + px / 5, bar_w, px * 4 / 5), false);
    rd_text(d, FACE_SANS, px, x + bar_w + l->pad / 3, y, MUTED, top);
}

// The largest count size that fits three digits in a cell (0: none readable).
static int count_px_(const draw_ *d, int cell) {
    int px = ui_min(d->l->small_px, cell / 2 > d->l->min_px ? cell / 2 : d->l->min_px);
    while (px > d->l->badge_px && rd_width(d, FACE_SANS, px, "888") > cell - 4) px--;
    return rd_width(d, FACE_SANS, px, "888") > cell - 4 ? 0 : px;
}

// Confusion matrix: rows are the true digit, columns the guess; counts in
// the cells on the palette's count scale with its legend, and greyed
// "no data yet" until the first evaluation after training starts.
// Too little room for readable cells (zoomed in far on a small window): the
// matrix's rows as lines instead, "3: 186 of 200 right, 15 taken for 5".
static void per_digit_(const draw_ *d, const live_snapshot *snap, bool data) {
    const ui_layout *l = d->l;
    const ui_rect q = l->confusion;
    const int line = l->min_px * 6 / 5;
    char t[96];
    const char *title = rd_width(d, FACE_BOLD, l->small_px, "right per true digit") <= q.w ? "right per true digit"
                                                                                         : "right per digit";
    rd_fitted_line(d, FACE_BOLD, l->small_px, q, q.y, INK, title);
    int y = q.y + l->small_px * 6 / 5 + l->pad / 4;
    if (!data) {
        // Only where its line fits (a narration of many lines leaves little room).
        if (y + line <= q.y + q.h && y + line <= l->main.y + l->main.h)
            rd_fitted_line(d, FACE_SANS, l->min_px, q, y, MUTED, "no data yet: train to fill it");
        return;
    }
    for (int i = 0; i < 10 && y + line <= q.y + q.h; i++, y += line) {
        int total = 0, worst = -1;
        for (int j = 0; j < 10; j++) {
            total += snap->confusion[i][j];
            if (j != i && snap->confusion[i][j] > 0 && (worst < 0 || snap->confusion[i][j] > snap->confusion[i][worst]))
                worst = j;
        }
        snprintf(t, sizeof t, "%d: %d of %d right", i, snap->confusion[i][i], total);
        if (rd_width(d, FACE_SANS, l->min_px, t) > q.w)  // a narrow column: "3: 186/200"
            snprintf(t, sizeof t, "%d: %d/%d", i, snap->confusion[i][i], total);
        else if (worst >= 0) {
            const size_t n = strlen(t);
            snprintf(t + n, sizeof t - n, ", %d taken for %d", snap->confusion[i][worst], worst);
            if (rd_width(d, FACE_SANS, l->min_px, t) > q.w) t[n] = '\0';
        }
        rd_fitted_line(d, FACE_SANS, l->min_px, q, y, INK, t);
    }
}

static void confusion_(const draw_ *d, const live_snapshot *snap) {
    const ui_layout *l = d->l;
    const ui_rect q = l->confusion;
    const int px = l->small_px;
    char t[96];
    const bool data = snap->n_test_acc > 0 && snap->steps > 0;
    // The cells as large as the rectangle allows, the legend below or beside.
    const int head = confusion_head_height(l), digits = confusion_digits_height(l);
    const int legend_h = px * 6 / 5 + l->pad / 2, beside_w = confusion_legend_width(l);
    const int below_cell = ui_min((q.h - head - digits - legend_h) / 10, (q.w - digits) / 10);
    const int beside_cell = ui_min((q.h - head - digits) / 10, (q.w - digits - beside_w) / 10);
    const bool beside = beside_cell > below_cell;
    const int cell = beside ? beside_cell : below_cell;
    const int digit_px = ui_max(l->min_px, px * 5 / 6);
    if (cell < digit_px * 6 / 5 || (data && !count_px_(d, cell))) {
        per_digit_(d, snap, data);
        return;
    }
    rd_fitted_line(d, FACE_BOLD, px, q, q.y, INK, "confusion matrix");
    if (data)
        snprintf(t, sizeof t, "rows: true digit, columns: its guess (test set at step %lld)",
                 (long long)snap->test_acc[snap->n_test_acc - 1].step);
    if (!data || rd_width(d, FACE_SANS, l->min_px, t) > q.w) snprintf(t, sizeof t, "rows: true digit, columns: its guess");
    if (rd_width(d, FACE_SANS, l->min_px, t) > q.w) snprintf(t, sizeof t, "rows: true, columns: guess");
    rd_fitted_line(d, FACE_SANS, l->min_px, q, q.y + px * 6 / 5, MUTED, t);
    int most = 0;
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++) most = snap->confusion[i][j] > most ? snap->confusion[i][j] : most;
    const int x0 = q.x + digits, y0 = q.y + head + digits;
    const int count_px = data ? count_px_(d, cell) : 0;
    for (int i = 0; i < 10; i++) {
        snprintf(t, sizeof t, "%d", i);
        rd_text_centre(d, FACE_BOLD, digit_px, rd_rect(x0 + i * cell, y0 - digits, cell, digits), MUTED, t);
        rd_text_centre(d, FACE_BOLD, digit_px, rd_rect(q.x, y0 + i * cell, digits, cell), MUTED, t);
        for (int j = 0; j < 10; j++) {
            const int n = snap->confusion[i][j];
            const SDL_Color c = data ? count_colour_(d, count_share_(n, most)) : PAD_FILL;
            const ui_rect cq = rd_rect(x0 + j * cell, y0 + i * cell, cell, cell);
            rd_fill(d->r, cq, c);
            rd_frame(d->r, cq, data ? LINE : BG, 1);
            if (count_px) {
                snprintf(t, sizeof t, "%d", n);
                rd_text_centre(d, FACE_SANS, count_px, cq, n ? rd_text_on(c) : MUTED, t);
            }
        }
    }
    const ui_rect grid = rd_rect(x0, y0, cell * 10, cell * 10);
    if (!data) {
        const char *none = "no data yet: train to fill it";
        if (rd_width(d, FACE_BOLD, l->min_px, none) > grid.w - l->pad) none = "no data yet";
        const int none_px = l->min_px;
        const ui_rect box = rd_rect(grid.x, grid.y + grid.h / 2 - none_px, grid.w, none_px * 2);
        rd_fill(d->r, box, PAD_FILL);
        rd_text_centre(d, FACE_BOLD, none_px, box, INK, none);
        return;
    }
    count_legend_(d, grid, most, beside);
}

// The thumbnail side that shows `n` of them in g below its title (each with
// its label under it), as large as fits, at most a fifth of the height.
static int thumb_side_(const draw_ *d, ui_rect g, int n, int title_h, int label_h, int gap) {
    // Never narrower than a label ("8->3"), so labels never run into each other.
    const int least = ui_max(d->l->small_px, rd_width(d, FACE_BOLD, d->l->min_px, "8->8"));
    int side = ui_min(g.h - title_h - label_h, g.w);
    for (; side > least; side--) {
        const int cols = (g.w + gap) / (side + gap), rows = (g.h - title_h + gap) / (side + label_h + gap);
        if (cols * rows >= n) break;
    }
    return side >= least ? side : 0;  // 0: no room for one with its label
}

#define THUMB_CELLS (LIVE_MAX_WRONG * 28 * 28)

// Where the gallery's thumbnails go: `cols` a row from (x0, y0), each `side`
// square with a label row of label_h under it, `gap` between them.
typedef struct thumb_grid_ {
    int x0, y0, cols, side, label_h, gap;
} thumb_grid_;

// Thumbnail k's square.
static ui_rect thumb_at_(const thumb_grid_ *t, int k) {
    return rd_rect(t->x0 + (k % t->cols) * (t->side + t->gap), t->y0 + (k / t->cols) * (t->side + t->label_h + t->gap),
                   t->side, t->side);
}

// The gallery's thumbnails, drawn as rd_image draws a grey picture (the
// same cells, the same grey levels, the same frames) but with the cells of
// all of them grouped by grey level: one SDL_RenderFillRects a level rather
// than one a level a picture. In the browser every call is a WebGL draw that
// the page's GPU process (a CPU core where there is no GPU) pays for; the
// gallery was some 1,300 of them a frame. Thumbnails never overlap.
static void thumbnails_(const draw_ *d, const live_snapshot *snap, int shown, const thumb_grid_ *grid) {
    static SDL_Rect cells[THUMB_CELLS], sorted[THUMB_CELLS];
    static unsigned char level[THUMB_CELLS];
    int count[256] = {0}, start[256];
    const unsigned char *digits = d->s->host.digits;
    const int side = grid->side;
    int n = 0;
    for (int k = 0; k < shown; k++) {
        const ui_rect at = thumb_at_(grid, k);
        const int x = at.x, y = at.y;
        const unsigned char *px = digits + (size_t)snap->wrong_index[k] * 784;
        render_record_add(REC_IMAGE, "image", "", at, 0);
        for (int row = 0; row < 28; row++) {
            const int ya = y + row * side / 28, yb = y + (row + 1) * side / 28;
            for (int col = 0; col < 28; col++) {
                const int xa = x + col * side / 28, xb = x + (col + 1) * side / 28;
                if (xb <= xa || yb <= ya) continue;
                const float v = px[row * 28 + col] / 255.0f;  // rd_image's grey, to the bit
                const float g = v < 0 ? 0 : v > 1 ? 1 : v;
                level[n] = (unsigned char)(255 * g);
                cells[n] = (SDL_Rect){xa, ya, xb - xa, yb - ya};
                count[level[n++]]++;
            }
        }
    }
    for (int v = 0, at = 0; v < 256; v++) start[v] = at, at += count[v];
    for (int i = 0; i < n; i++) sorted[start[level[i]]++] = cells[i];
    for (int v = 0, at = 0; v < 256; v++) {
        if (!count[v]) continue;
        SDL_SetRenderDrawColor(d->r, (Uint8)v, (Uint8)v, (Uint8)v, 255);
        SDL_RenderFillRects(d->r, sorted + at, count[v]);
        at += count[v];
    }
    for (int k = 0; k < shown; k++) rd_frame(d->r, thumb_at_(grid, k), LINE, 1);
}

// The test images it gets wrong, as thumbnails with "true -> guess" in the
// palette's colour of a wrong answer, as large as the area lets them be.
static void wrong_digits_(const draw_ *d, const live_snapshot *snap) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const ui_rect g = l->gallery;
    const int px = l->small_px, label_px = l->min_px, gap = l->pad / 2;
    char t[160];
    if (g.h < px * 6 / 5) return;  // no room left even for its title (zoomed in far)
    int tested = 0, right = 0;
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++) {
            tested += snap->confusion[i][j];
            right += i == j ? snap->confusion[i][j] : 0;
        }
    if (snap->steps == 0 || snap->n_test_acc == 0) {  // an untrained model's guesses are not yet worth a look
        const char *title = rd_width(d, FACE_BOLD, px, "test images it gets wrong") <= g.w ? "test images it gets wrong" : "its mistakes";
        rd_fitted_line(d, FACE_BOLD, px, g, g.y, INK, title);
        const char *none = "none yet: they show once training starts";
        if (rd_width(d, FACE_SANS, label_px, none) > g.w) none = "none yet";
        if (g.h >= px * 6 / 5 + label_px * 6 / 5) rd_fitted_line(d, FACE_SANS, label_px, g, g.y + px * 6 / 5, MUTED, none);
        return;
    }
    const int wrong = tested - right;
    const int n = s->host.digits ? ui_min(snap->n_wrong, LIVE_MAX_WRONG) : 0;
    const int title_h = px * 6 / 5, label_h = label_px * 6 / 5;
    const int side = thumb_side_(d, g, n, title_h, label_h, gap);
    const int cols = side ? (g.w + gap) / (side + gap) : 0;
    const int rows = side ? (g.h - title_h + gap) / (side + label_h + gap) : 0;
    const int shown = ui_min(n, cols * rows);
    // The longest title that fits: how many are wrong of how many, and how many are shown.
    static const char *const forms[] = {" test images wrong (true -> guess)", " wrong (true -> guess)", " wrong"};
    for (int f = 0; f < 3; f++) {
        snprintf(t, sizeof t, "%d of %d%s", wrong, tested, forms[f]);
        if (shown > 0 && shown < wrong) snprintf(t + strlen(t), sizeof t - strlen(t), ", %d shown", shown);
        if (rd_width(d, FACE_BOLD, px, t) <= g.w) break;
    }
    rd_fitted_line(d, FACE_BOLD, px, g, g.y, INK, t);
    const SDL_Color bad = rd_colour(rd_pal(d)->bad);
    const thumb_grid_ grid = {g.x, g.y + title_h, cols, side, label_h, gap};
    thumbnails_(d, snap, shown, &grid);
    for (int k = 0; k < shown; k++) {
        const ui_rect at = thumb_at_(&grid, k);
        const int idx = snap->wrong_index[k];
        snprintf(t, sizeof t, "%d->%d", s->host.n_digits > idx && s->host.digit_labels ? s->host.digit_labels[idx] : -1,
                 snap->wrong_pred[k]);
        rd_text_centre(d, FACE_BOLD, label_px, rd_rect(at.x, at.y + side, side, label_h), bad, t);
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
    snprintf(test_label, sizeof test_label, "test set (%d images): a dot per evaluation", tested);
    // A kept run (K, or a lesson's 'keep run'): its curves dashed in the
    // palette's own colour under the live ones, the legend naming both, and
    // the x axis long enough for the longer of the two runs.
    const app_kept_run *k = &s->kept;
    const SDL_Color kept_colour = rd_colour(rd_pal(d)->kept);
    char now_label[160], now_test[180], kept_label[200], kept_loss[160], acc_text[32];
    int epochs = snap->epochs;
    if (k->present) {
        char lr[32];
        fmt_screen(snap->lr, lr, sizeof lr);
        // The learning rate as the trainer has it (Up/Down change it), and the
        // rest of a lesson's recipe, with which the model was built.
        app_recipe rest = s->recipe;
        rest.lr = app_recipe_default().lr;
        char extra[120] = ", ";
        app_recipe_describe(&rest, extra + 2, sizeof extra - 2);
        if (strcmp(extra + 2, "the default recipe") == 0) extra[0] = '\0';
        snprintf(now_label, sizeof now_label, "now: %s, lr %s%s",
                 s->train_model == MODEL_CUSTOM ? "--arch model" : app_train_model_name(s->train_model), lr, extra);
        snprintf(now_test, sizeof now_test, "%s (test set)", now_label);
        fmt_percent(k->test_accuracy, acc_text, sizeof acc_text);
        snprintf(kept_loss, sizeof kept_loss, "kept: %s", k->label);
        snprintf(kept_label, sizeof kept_label, "kept: %s - ended at %s", k->label, acc_text);
        double last = (double)k->steps;
        if (k->n_loss > 0 && k->loss[k->n_loss - 1].step > last) last = k->loss[k->n_loss - 1].step;
        if (k->n_test_acc > 0 && k->test_acc[k->n_test_acc - 1].step > last) last = k->test_acc[k->n_test_acc - 1].step;
        if (snap->batches_per_epoch > 0) {
            const int need = (int)ceil(last / snap->batches_per_epoch - 1e-9);
            epochs = ui_max(epochs, need);
        }
    }
    // The loss axis: fixed, from 0 to a little above ln 10 = 2.30, the loss of
    // an untrained 10-class model (higher values are drawn at the top edge).
    const rd_chart loss_chart = {"training loss (cross-entropy)", "training loss", 0, 2.5f, false,
                                 snap->batches_per_epoch, epochs, k->present};
    if (k->present) {
        const rd_series loss[2] = {{snap->loss, snap->n_loss, ACCENT, now_label, "now", false, false},
                                   {k->loss, k->n_loss, kept_colour, kept_loss, "kept", false, true}};
        rd_curve_chart(d, l->chart_loss, &loss_chart, loss, 2);
    } else {
        const rd_series loss[1] = {{snap->loss, snap->n_loss, ACCENT, "each batch", NULL, false, false}};
        rd_curve_chart(d, l->chart_loss, &loss_chart, loss, 1);
    }
    const rd_chart acc_chart = {"accuracy", NULL, 0, 1, true, snap->batches_per_epoch, epochs, k->present};
    const SDL_Color batch_grey = {160, 170, 190, 255};
    if (k->present) {
        char kept_short[48];
        snprintf(kept_short, sizeof kept_short, "kept: %s", acc_text);
        const rd_series acc[3] = {{snap->train_acc, snap->n_train_acc, batch_grey, "each training batch", "batch", false, false},
                                  {snap->test_acc, snap->n_test_acc, WIN, now_test, "now (test)", true, false},
                                  {k->test_acc, k->n_test_acc, kept_colour, kept_label, kept_short, false, true}};
        rd_curve_chart(d, l->chart_acc, &acc_chart, acc, 3);
    } else {
        const rd_series acc[2] = {
            {snap->train_acc, snap->n_train_acc, batch_grey, "each training batch", "batch", false, false},
            {snap->test_acc, snap->n_test_acc, WIN, test_label, "test set", true, false}};
        rd_curve_chart(d, l->chart_acc, &acc_chart, acc, 2);
    }
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
