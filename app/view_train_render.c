// view_train_render.c - the training dashboard: the progress line, the loss
// and accuracy curves, the confusion matrix and the test digits it gets wrong.
#include <math.h>
#include <stdio.h>

#include "render_charts.h"
#include "render_views.h"

// A chart of one or two curves over training steps, y from lo to hi.
static void chart_(const draw_ *d, ui_rect q, const char *title, const live_point *a, int na,
                   SDL_Color ca, const char *la, const live_point *b, int nb, SDL_Color cb, const char *lb,
                   float lo, float hi, bool percent) {
    const int px = d->l->small_px;
    rd_title(d, q.x, q.y, title);
    const ui_rect plot = rd_rect(q.x + px * 3, q.y + px * 3 / 2, q.w - px * 3, q.h - px * 3);
    rd_fill(d->r, plot, WHITE);
    // Grid lines at quarters, labelled.
    for (int i = 0; i <= 4; i++) {
        const int y = plot.y + plot.h - i * plot.h / 4;
        SDL_SetRenderDrawColor(d->r, 230, 231, 236, 255);
        SDL_RenderDrawLine(d->r, plot.x, y, plot.x + plot.w - 1, y);
        char t[32];
        const float v = lo + (hi - lo) * i / 4;
        if (percent)
            snprintf(t, sizeof t, "%.0f%%", 100.0 * v);
        else
            snprintf(t, sizeof t, "%.2g", (double)v);
        rd_text(d, FACE_SANS, px * 4 / 5, q.x, y - px / 2, MUTED, t);
    }
    rd_frame(d->r, plot, LINE, 1);
    float last = 1;
    if (na) last = a[na - 1].step;
    if (nb && b[nb - 1].step > last) last = b[nb - 1].step;
    if (last < 1) last = 1;
    const live_point *curves[2] = {a, b};
    const int counts[2] = {na, nb};
    const SDL_Color colours[2] = {ca, cb};
    for (int c = 0; c < 2; c++) {
        if (!curves[c]) continue;
        SDL_SetRenderDrawColor(d->r, colours[c].r, colours[c].g, colours[c].b, 255);
        int px0 = -1, py0 = -1;
        for (int i = 0; i < counts[c]; i++) {
            float v = (curves[c][i].value - lo) / (hi - lo);
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            const int x = plot.x + (int)(curves[c][i].step / last * (plot.w - 1));
            const int y = plot.y + plot.h - 1 - (int)(v * (plot.h - 1));
            if (px0 >= 0) {
                SDL_RenderDrawLine(d->r, px0, py0, x, y);
                SDL_RenderDrawLine(d->r, px0, py0 + 1, x, y + 1);
            }
            if (c == 1 || counts[c] == 1) rd_fill(d->r, rd_rect(x - 2, y - 2, 5, 5), colours[c]);
            px0 = x;
            py0 = y;
        }
    }
    // Legend, top right.
    int lx = plot.x + plot.w - px;
    const char *labels[2] = {la, lb};
    for (int c = 1; c >= 0; c--) {
        if (!labels[c]) continue;
        lx -= rd_width(d, FACE_SANS, px * 4 / 5, labels[c]) + px * 2;
        rd_fill(d->r, rd_rect(lx - px, plot.y + px / 2, px * 4 / 5, px * 4 / 5), colours[c]);
        rd_text(d, FACE_SANS, px * 4 / 5, lx, plot.y + px / 3, INK, labels[c]);
    }
}

// Confusion matrix: rows are the true digit, columns the guess.
static void confusion_(const draw_ *d, const live_snapshot *snap) {
    const ui_rect q = d->l->confusion;
    const int px = d->l->small_px;
    rd_title(d, q.x, q.y, "confusion: true digit (row), guess (column)");
    const int cell = (q.h - px * 3) / 11;
    const int x0 = q.x + cell, y0 = q.y + px * 3 / 2 + cell;
    for (int i = 0; i < 10; i++) {
        char t[8];
        snprintf(t, sizeof t, "%d", i);
        rd_text_centre(d, FACE_BOLD, px * 4 / 5, rd_rect(x0 + i * cell, y0 - cell, cell, cell), MUTED, t);
        rd_text_centre(d, FACE_BOLD, px * 4 / 5, rd_rect(x0 - cell, y0 + i * cell, cell, cell), MUTED, t);
        int row = 0;
        for (int j = 0; j < 10; j++) row += snap->confusion[i][j];
        for (int j = 0; j < 10; j++) {
            const int n = snap->confusion[i][j];
            const float share = row ? (float)n / row : 0;
            // Right guesses in green, mistakes in red, by their share of the row.
            const SDL_Color end = i == j ? WIN : BAD;
            const SDL_Color c = {(Uint8)(255 + (end.r - 255) * share), (Uint8)(255 + (end.g - 255) * share),
                                 (Uint8)(255 + (end.b - 255) * share), 255};
            const ui_rect cq = rd_rect(x0 + j * cell, y0 + i * cell, cell, cell);
            rd_fill(d->r, cq, c);
            rd_frame(d->r, cq, LINE, 1);
            if (n && cell >= px * 3 / 2) {
                snprintf(t, sizeof t, "%d", n);
                int tp = px * 3 / 4;
                while (tp > 8 && rd_width(d, FACE_SANS, tp, t) > cell - 2) tp--;
                rd_text_centre(d, FACE_SANS, tp, cq, rd_text_on(c), t);
            }
        }
    }
}

// The test digits it gets wrong, as thumbnails with "true->guess".
static void wrong_digits_(const draw_ *d, const live_snapshot *snap) {
    const app_state *s = d->s;
    const ui_rect g = d->l->gallery;
    const int px = d->l->small_px;
    char t[96];
    snprintf(t, sizeof t, "test digits it gets wrong (true -> guess): %d%s", snap->n_wrong,
             snap->n_wrong == LIVE_MAX_WRONG ? " shown" : "");
    rd_title(d, g.x, g.y, t);
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
    float top = 0.5f;
    for (int i = 0; i < snap->n_loss; i++) top = fmaxf(top, snap->loss[i].value);
    chart_(d, l->chart_loss, "training loss (cross-entropy)", snap->loss, snap->n_loss, ACCENT, "each batch",
           NULL, 0, FOCUS, NULL, 0, top > 3 ? 3 : top, false);
    chart_(d, l->chart_acc, "accuracy", snap->train_acc, snap->n_train_acc, (SDL_Color){160, 170, 190, 255},
           "train batch", snap->test_acc, snap->n_test_acc, WIN, "test set", 0, 1, true);
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
