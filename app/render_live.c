// render_live.c - drawing the training dashboard, the weight templates and
// the drawing canvas (all from snapshots and state; reads only).
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "render_live.h"

static ui_rect rect_(int x, int y, int w, int h) { return (ui_rect){x, y, w, h}; }

// A w x h image of values in [lo, hi] as grey (0 black, 1 white) or, with
// diverging, blue-white-red scaled by `scale`, into q.
static void image_(const draw_ *d, ui_rect q, const float *v, int w, int h, int stride, bool diverging,
                   float scale) {
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
            rd_fill(d->r, rect_(x0, y0, x1 - x0, y1 - y0), c);
        }
    }
    rd_frame(d->r, q, LINE, 1);
}

static void title_(const draw_ *d, int x, int y, const char *t) {
    rd_text(d, FACE_BOLD, d->l->small_px, x, y, INK, t);
}

// ---- Curves ---------------------------------------------------------------------------------

// A chart of one or two curves over training steps, y from lo to hi.
static void chart_(const draw_ *d, ui_rect q, const char *title, const live_point *a, int na,
                   SDL_Color ca, const char *la, const live_point *b, int nb, SDL_Color cb, const char *lb,
                   float lo, float hi, bool percent) {
    const int px = d->l->small_px;
    title_(d, q.x, q.y, title);
    const ui_rect plot = rect_(q.x + px * 3, q.y + px * 3 / 2, q.w - px * 3, q.h - px * 3);
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
            if (c == 1 || counts[c] == 1) rd_fill(d->r, rect_(x - 2, y - 2, 5, 5), colours[c]);
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
        rd_fill(d->r, rect_(lx - px, plot.y + px / 2, px * 4 / 5, px * 4 / 5), colours[c]);
        rd_text(d, FACE_SANS, px * 4 / 5, lx, plot.y + px / 3, INK, labels[c]);
    }
}

// why: the runner's reason when there is no snapshot (the failure's own words).
static void progress_(const draw_ *d, const live_snapshot *snap, const char *what, const char *why) {
    const ui_layout *l = d->l;
    char t[400];
    if (!snap) {
        const ui_rect q = {l->progress.x, l->progress.y, l->main.x + l->main.w - l->progress.x - l->pad,
                           l->main.y + l->main.h - l->progress.y};
        rd_text_wrap(d, FACE_SANS, l->text_px, q, q.y, BAD, why && why[0] ? why : "training is not available");
        return;
    }
    const double total = (double)snap->batches_per_epoch * snap->epochs;
    snprintf(t, sizeof t, "%s  -  epoch %d of %d, batch %d of %d  -  %.0f samples/s  -  test accuracy %.1f%%  -  %s",
             what, snap->epoch + (snap->finished ? 0 : 1), snap->epochs, snap->batch_in_epoch,
             snap->batches_per_epoch, snap->samples_per_sec, 100.0 * snap->test_accuracy,
             snap->finished ? "finished" : snap->diverged ? "diverged" : snap->paused ? "paused" : "training");
    rd_text(d, FACE_SANS, l->small_px, l->progress.x, l->progress.y, INK, t);
    const ui_rect bar = rect_(l->progress.x, l->progress.y + l->small_px * 3 / 2, l->progress.w, l->small_px * 2 / 3);
    rd_fill(d->r, bar, PANEL);
    const double done = total > 0 ? snap->steps / total : 0;
    rd_fill(d->r, rect_(bar.x, bar.y, (int)(bar.w * (done > 1 ? 1 : done)), bar.h), ACCENT);
    if (snap->message[0])
        rd_text(d, FACE_SANS, l->small_px * 4 / 5, l->progress.x, bar.y + bar.h + 2,
                snap->diverged ? BAD : MUTED, snap->message);
    else if (!snap->paused && snap->seconds_left > 0) {
        snprintf(t, sizeof t, "about %.0f s left", snap->seconds_left);
        rd_text(d, FACE_SANS, l->small_px * 4 / 5, l->progress.x, bar.y + bar.h + 2, MUTED, t);
    }
}

// ---- The dashboard --------------------------------------------------------------------------------

void rd_train_view(const draw_ *d) {
    const app_state *s = d->s;
    const live_snapshot *snap = s->host.train_live;
    const ui_layout *l = d->l;
    progress_(d, snap, s->train_model == MODEL_CUSTOM ? "--arch model" : app_train_model_name(s->train_model),
              s->host.train_why);
    if (!snap) return;
    float top = 0.5f;
    for (int i = 0; i < snap->n_loss; i++) top = fmaxf(top, snap->loss[i].value);
    chart_(d, l->chart_loss, "training loss (cross-entropy)", snap->loss, snap->n_loss, ACCENT, "each batch",
           NULL, 0, FOCUS, NULL, 0, top > 3 ? 3 : top, false);
    chart_(d, l->chart_acc, "accuracy", snap->train_acc, snap->n_train_acc, (SDL_Color){160, 170, 190, 255},
           "train batch", snap->test_acc, snap->n_test_acc, WIN, "test set", 0, 1, true);

    // Confusion matrix: rows are the true digit, columns the guess.
    const ui_rect q = l->confusion;
    const int px = l->small_px;
    title_(d, q.x, q.y, "confusion: true digit (row), guess (column)");
    const int cell = (q.h - px * 3) / 11;
    const int x0 = q.x + cell, y0 = q.y + px * 3 / 2 + cell;
    for (int i = 0; i < 10; i++) {
        char t[8];
        snprintf(t, sizeof t, "%d", i);
        rd_text_centre(d, FACE_BOLD, px * 4 / 5, rect_(x0 + i * cell, y0 - cell, cell, cell), MUTED, t);
        rd_text_centre(d, FACE_BOLD, px * 4 / 5, rect_(x0 - cell, y0 + i * cell, cell, cell), MUTED, t);
        int row = 0;
        for (int j = 0; j < 10; j++) row += snap->confusion[i][j];
        for (int j = 0; j < 10; j++) {
            const int n = snap->confusion[i][j];
            const float share = row ? (float)n / row : 0;
            // Right guesses in green, mistakes in red, by their share of the row.
            const SDL_Color end = i == j ? WIN : BAD;
            const SDL_Color c = {(Uint8)(255 + (end.r - 255) * share), (Uint8)(255 + (end.g - 255) * share),
                                 (Uint8)(255 + (end.b - 255) * share), 255};
            const ui_rect cq = rect_(x0 + j * cell, y0 + i * cell, cell, cell);
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
    // The digits it gets wrong.
    const ui_rect g = l->gallery;
    char t[96];
    snprintf(t, sizeof t, "test digits it gets wrong (true -> guess): %d%s", snap->n_wrong,
             snap->n_wrong == LIVE_MAX_WRONG ? " shown" : "");
    title_(d, g.x, g.y, t);
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
        image_(d, rect_(x, y, thumb, thumb), img, 28, 28, 28, false, 1);
        snprintf(t, sizeof t, "%d->%d", s->host.n_digits > idx && s->host.digit_labels ? s->host.digit_labels[idx] : -1,
                 snap->wrong_pred[k]);
        rd_text(d, FACE_SANS, px * 3 / 4, x, y + thumb, BAD, t);
    }
}

// ---- The weight templates ------------------------------------------------------------------------------

void rd_templates_view(const draw_ *d) {
    const app_state *s = d->s;
    const live_snapshot *snap = s->host.tmpl_live;
    const ui_layout *l = d->l;
    progress_(d, snap, "one-layer softmax classifier (784 -> 10)", s->host.tmpl_why);
    if (!snap || snap->n_params < 7850) return;
    // Dense weights are [784][10]: template j is column j, then 10 biases.
    const float *w = snap->params, *b = snap->params + 7840;
    float scale = 1e-6f;
    for (int i = 0; i < 7840; i++) scale = fmaxf(scale, fabsf(w[i]));
    const ui_rect q = l->templates;
    const int px = l->small_px;
    char t[160];
    snprintf(t, sizeof t, "the ten learned templates (weights of each class; red adds to its score, blue "
                          "takes away)   test accuracy %.1f%%", 100.0 * snap->test_accuracy);
    title_(d, q.x, q.y, t);
    const int side = (q.w - 9 * px) / 10 < q.h - px * 4 ? (q.w - 9 * px) / 10 : q.h - px * 4;
    for (int j = 0; j < 10; j++) {
        float img[784];
        for (int i = 0; i < 784; i++) img[i] = w[(size_t)i * 10 + j];
        const int x = q.x + j * (side + px);
        image_(d, rect_(x, q.y + px * 3 / 2, side, side), img, 28, 28, 28, true, scale);
        snprintf(t, sizeof t, "%d", j);
        rd_text_centre(d, FACE_BOLD, px, rect_(x, q.y + px * 3 / 2 + side, side, px * 3 / 2), INK, t);
    }
    // Legend of the weights' colours.
    const ui_rect lg = rect_(q.x, q.y + px * 3 + side + px / 2, side * 2, px * 2 / 3);
    for (int x = 0; x < lg.w; x++) {
        const SDL_Color c = rd_diverging(2.0f * x / (lg.w - 1) - 1.0f, s->colorblind);
        SDL_SetRenderDrawColor(d->r, c.r, c.g, c.b, 255);
        SDL_RenderDrawLine(d->r, lg.x + x, lg.y, lg.x + x, lg.y + lg.h - 1);
    }
    snprintf(t, sizeof t, "-%.2g ... +%.2g", (double)scale, (double)scale);
    rd_text(d, FACE_SANS, px * 4 / 5, lg.x + lg.w + px / 2, lg.y - px / 4, MUTED, t);

    // Why a digit is classified as it is: x * w_j, z_j = sum + b_j, p = softmax(z).
    if (!s->host.digits || s->host.n_digits == 0) return;
    const ui_rect e = l->explain;
    const uint8_t *px8 = s->host.digits + (size_t)s->inspect * 784;
    float x[784], z[10], p[10];
    for (int i = 0; i < 784; i++) x[i] = px8[i] / 255.0f;
    float zmax = -INFINITY;
    for (int j = 0; j < 10; j++) {
        float acc = 0;
        for (int i = 0; i < 784; i++) acc = fmaf(x[i], w[(size_t)i * 10 + j], acc);
        z[j] = acc + b[j];
        zmax = fmaxf(zmax, z[j]);
    }
    nn_softmax_forward(p, z, 1, 10);
    int best = 0;
    for (int j = 1; j < 10; j++) best = p[j] > p[best] ? j : best;
    snprintf(t, sizeof t, "test digit %d: each template times the pixels (x * w), summed with its bias into the "
                          "score z, then softmax", s->inspect);
    title_(d, e.x, e.y, t);
    const int small = (e.w - px * 6 - 10 * px / 2) / 11;
    const int sy = e.y + px * 3 / 2;
    image_(d, rect_(e.x, sy, small, small), x, 28, 28, 28, false, 1);
    rd_text(d, FACE_SANS, px * 4 / 5, e.x, sy + small + 2, MUTED, "input x");
    float pscale = 1e-6f;
    for (int j = 0; j < 10; j++)
        for (int i = 0; i < 784; i++) pscale = fmaxf(pscale, fabsf(x[i] * w[(size_t)i * 10 + j]));
    for (int j = 0; j < 10; j++) {
        float prod[784];
        for (int i = 0; i < 784; i++) prod[i] = x[i] * w[(size_t)i * 10 + j];
        const int xx = e.x + small + px * 2 + j * (small + px / 2);
        image_(d, rect_(xx, sy, small, small), prod, 28, 28, 28, true, pscale);
        if (j == best) rd_frame(d->r, rect_(xx - 3, sy - 3, small + 6, small + 6), WIN, 3);
        snprintf(t, sizeof t, "z%d = %.2f", j, (double)z[j]);
        rd_text(d, j == best ? FACE_BOLD : FACE_SANS, px * 3 / 4, xx, sy + small + 2, INK, t);
        snprintf(t, sizeof t, "p = %.1f%%", 100.0 * p[j]);
        rd_text(d, j == best ? FACE_BOLD : FACE_SANS, px * 3 / 4, xx, sy + small + 2 + px, j == best ? WIN : MUTED, t);
        // A bar for the probability.
        const int bh = (int)(p[j] * px * 3);
        rd_fill(d->r, rect_(xx, sy + small + px * 3 + px * 3 - bh, small / 3, bh), j == best ? WIN : LINE);
    }
}

// Rows of feature maps, one per layer from `from` on while they are maps
// (ReLU folded into the layer before it); returns the y below the last row.
static int layer_maps_(const draw_ *d, const nn_net *net, ui_rect m, int from) {
    const int px = d->l->small_px;
    char t[160], name[64];
    int y = m.y;
    for (int i = from; i < net->model->n_layers && y < m.y + m.h - px * 2; i++) {
        const nn_layer *ly = &net->model->layers[i];
        if (ly->out.rank != 3) break;
        if (ly->spec.kind == NN_LAYER_RELU) continue;  // shown by the pooling after it
        nn_layer_spec_format(&ly->spec, name, sizeof name);
        snprintf(t, sizeof t, "after %s: %d maps of %dx%d", name, ly->out.c, ly->out.h, ly->out.w);
        title_(d, m.x, y, t);
        y += px * 3 / 2;
        const int n = ly->out.c;
        int side = (m.w - (n - 1) * 3) / n;
        side = side < px * 4 ? side : px * 4;
        const float *v = net->out[i];
        float scale = 1e-6f;
        for (size_t k = 0; k < (size_t)n * ly->out.h * ly->out.w; k++) scale = fmaxf(scale, fabsf(v[k]));
        for (int c = 0; c < n && side > 3; c++)
            image_(d, rect_(m.x + c * (side + 3), y, side, side), v + (size_t)c * ly->out.h * ly->out.w, ly->out.w,
                   ly->out.h, ly->out.w, true, scale);
        y += side + px / 2;
    }
    return y;
}

// ---- The drawing canvas ---------------------------------------------------------------------------------

void rd_draw_view(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const int px = l->small_px;
    char t[200];
    title_(d, l->canvas.x, l->canvas.y - px * 3 / 2, "draw a digit here (mouse)");
    image_(d, l->canvas, &s->draw.canvas[0][0], DRAW_SIDE, DRAW_SIDE, DRAW_SIDE, false, 1);
    rd_frame(d->r, l->canvas, ACCENT, 2);
    title_(d, l->prepared.x, l->prepared.y - px * 3 / 2, "28x28, as MNIST");
    if (s->draw.ready)
        image_(d, l->prepared, s->draw.input, 28, 28, 28, false, 1);
    else
        rd_frame(d->r, l->prepared, LINE, 1);
    rd_text_wrap(d, FACE_SANS, px * 4 / 5, rect_(l->prepared.x, l->prepared.y + l->prepared.h + 2,
                                                 l->prepared.w + l->probs.w, px * 3), l->prepared.y + l->prepared.h + 2,
                 MUTED, s->draw.note);
    // The ten probabilities, the first and second guess.
    const ui_rect q = l->probs;
    const nn_net *net = s->draw.live && s->host.live_net ? s->host.live_net : s->host.draw_net;
    (void)net;
    snprintf(t, sizeof t, "what the %s model says", s->draw.live && s->host.live_net ? "live" : "shipped");
    title_(d, q.x, q.y - px * 3 / 2, t);
    if (!s->draw.ready) return;
    int first = 0, second = 1;
    for (int j = 0; j < 10; j++)
        if (s->draw.probs[j] > s->draw.probs[first]) first = j;
    second = first == 0 ? 1 : 0;
    for (int j = 0; j < 10; j++)
        if (j != first && s->draw.probs[j] > s->draw.probs[second]) second = j;
    const int row = (q.h - px * 2) / 10;
    for (int j = 0; j < 10; j++) {
        const int y = q.y + j * row;
        snprintf(t, sizeof t, "%d", j);
        rd_text(d, FACE_BOLD, px * 4 / 5, q.x, y, j == first ? WIN : INK, t);
        const int bw = (int)(s->draw.probs[j] * (q.w - px * 6));
        rd_fill(d->r, rect_(q.x + px, y + 2, bw, row - 4), j == first ? WIN : j == second ? ACCENT : LINE);
        snprintf(t, sizeof t, "%.1f%%", 100.0 * s->draw.probs[j]);
        rd_text(d, FACE_SANS, px * 3 / 4, q.x + px * 2 + bw, y, MUTED, t);
    }
    snprintf(t, sizeof t, "first guess %d (%.0f%%), second %d (%.0f%%)", first, 100.0 * s->draw.probs[first], second,
             100.0 * s->draw.probs[second]);
    rd_text_wrap(d, FACE_BOLD, px, rect_(q.x, q.y, q.w, q.h + px * 3), q.y + 10 * row + 2, INK, t);
    // What each layer makes of it: the feature maps after the first layers.
    if (net) layer_maps_(d, net, l->maps, 0);
}

// ---- Inside the CNN ---------------------------------------------------------------------------------------

void rd_cnn_view(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const nn_net *net = s->host.live_net;
    const int px = l->small_px;
    char t[300];
    if (!net || net->model->layers[0].spec.kind != NN_LAYER_CONV) {
        // No live model at all has its own reason (the runner's); a model
        // without a convolution is the other story.
        const bool missing = !net && s->host.train_why[0];
        rd_text_wrap(d, FACE_SANS, l->text_px, l->progress, l->progress.y, missing ? BAD : MUTED,
                     missing ? s->host.train_why
                             : "The training view's model has no convolution: choose the small CNN or LeNet-5 there.");
        return;
    }
    const nn_layer *l0 = &net->model->layers[0];
    const int classes = nn_net_classes(net);
    const float *out = net->out[net->model->n_layers - 1];
    int best = 0;
    for (int j = 1; j < classes; j++) best = out[j] > out[best] ? j : best;
    snprintf(t, sizeof t, "test digit %d (a %d): the live network says %d.  Click a cell of a first-layer map to "
                          "open its window in the convolution view.",
             s->inspect, s->host.digit_labels ? s->host.digit_labels[s->inspect] : -1, best);
    rd_text_wrap(d, FACE_SANS, px, l->progress, l->progress.y, INK, t);
    // The first layer's filters, as the network has them now.
    const nn_conv2d_config *cc = &l0->conv.cfg;
    const float *w = net->params + net->slices[0].weights;
    float scale = 1e-6f;
    for (size_t i = 0; i < net->slices[0].n_weights; i++) scale = fmaxf(scale, fabsf(w[i]));
    snprintf(t, sizeof t, "the %d filters of the first layer (%dx%d, live)", cc->filters, cc->k_h, cc->k_w);
    title_(d, l->maps.x, l->maps.y, t);
    const int fside = px * 3;
    for (int f = 0; f < cc->filters; f++)
        image_(d, rect_(l->maps.x + f * (fside + px), l->maps.y + px * 3 / 2, fside, fside),
               w + (size_t)f * l0->conv.window, cc->k_w, cc->k_h, cc->k_w, true, scale);
    // The first layer's maps: clickable grids from the layout.
    int bottom = l->maps.y;
    float mscale = 1e-6f;
    const size_t plane = (size_t)l0->out.h * l0->out.w;
    for (size_t i = 0; i < plane * (size_t)l0->out.c; i++) mscale = fmaxf(mscale, fabsf(net->out[0][i]));
    for (int gi = 0; gi < l->n_grids; gi++) {
        const ui_grid *g = &l->grids[gi];
        if (g->id != GRID_FMAP) continue;
        if (gi == 0) {
            nn_layer_spec_format(&l0->spec, t, 64);
            char title[400];
            snprintf(title, sizeof title, "after %s: %d maps of %dx%d", t, l0->out.c, l0->out.h, l0->out.w);
            title_(d, g->r.x, g->r.y - px * 3 / 2, title);
        }
        image_(d, g->r, net->out[0] + (size_t)g->channel * plane, l0->out.w, l0->out.h, l0->out.w, true, mscale);
        if (g->r.y + g->r.h > bottom) bottom = g->r.y + g->r.h;
    }
    layer_maps_(d, net, rect_(l->maps.x, bottom + px, l->maps.w, l->maps.y + l->maps.h - bottom - px), 1);
}
