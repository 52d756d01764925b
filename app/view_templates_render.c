// view_templates_render.c - the weight templates of a one-layer classifier,
// their colour scale, and why one test digit gets its class.
#include <math.h>
#include <stdio.h>

#include "render_charts.h"
#include "render_views.h"

// The ten templates (dense weights are [784][10]: template j is column j)
// on one colour scale, and the legend of that scale.
static void templates_(const draw_ *d, const live_snapshot *snap) {
    const ui_layout *l = d->l;
    const float *w = snap->params;
    const float scale = d->s->templates.weight_scale;
    const ui_rect q = l->templates;
    const int px = l->small_px;
    char t[160];
    snprintf(t, sizeof t, "the ten learned templates (weights of each class; red adds to its score, blue "
                          "takes away)   test accuracy %.1f%%", 100.0 * snap->test_accuracy);
    rd_title(d, q.x, q.y, t);
    const int side = (q.w - 9 * px) / 10 < q.h - px * 4 ? (q.w - 9 * px) / 10 : q.h - px * 4;
    for (int j = 0; j < 10; j++) {
        float img[784];
        for (int i = 0; i < 784; i++) img[i] = w[(size_t)i * 10 + j];
        const int x = q.x + j * (side + px);
        rd_image(d, rd_rect(x, q.y + px * 3 / 2, side, side), img, 28, 28, 28, true, scale);
        snprintf(t, sizeof t, "%d", j);
        rd_text_centre(d, FACE_BOLD, px, rd_rect(x, q.y + px * 3 / 2 + side, side, px * 3 / 2), INK, t);
    }
    // Legend of the weights' colours.
    const ui_rect lg = rd_rect(q.x, q.y + px * 3 + side + px / 2, side * 2, px * 2 / 3);
    rd_colour_bar(d, lg);
    snprintf(t, sizeof t, "-%.2g ... +%.2g", (double)scale, (double)scale);
    rd_text(d, FACE_SANS, px * 4 / 5, lg.x + lg.w + px / 2, lg.y - px / 4, MUTED, t);
}

// Why a digit is classified as it is: x * w_j, z_j = sum + b_j, p = softmax(z),
// as the state worked them out with the engine (view_templates.c).
static void explain_(const draw_ *d) {
    const app_state *s = d->s;
    const templates_view *t = &s->templates;
    const ui_layout *l = d->l;
    const int px = l->small_px;
    char text[160];
    const ui_rect e = l->explain;
    snprintf(text, sizeof text, "test digit %d: each template times the pixels (x * w), summed with its bias into the "
                                "score z, then softmax", t->digit);
    rd_title(d, e.x, e.y, text);
    const int small = (e.w - px * 6 - 10 * px / 2) / 11;
    const int sy = e.y + px * 3 / 2;
    rd_image(d, rd_rect(e.x, sy, small, small), t->x, 28, 28, 28, false, 1);
    rd_text(d, FACE_SANS, px * 4 / 5, e.x, sy + small + 2, MUTED, "input x");
    for (int j = 0; j < 10; j++) {
        const bool best = j == t->best;
        const int xx = e.x + small + px * 2 + j * (small + px / 2);
        rd_image(d, rd_rect(xx, sy, small, small), t->products[j], 28, 28, 28, true, t->product_scale);
        if (best) rd_frame(d->r, rd_rect(xx - 3, sy - 3, small + 6, small + 6), WIN, 3);
        snprintf(text, sizeof text, "z%d = %.2f", j, (double)t->z[j]);
        rd_text(d, best ? FACE_BOLD : FACE_SANS, px * 3 / 4, xx, sy + small + 2, INK, text);
        snprintf(text, sizeof text, "p = %.1f%%", 100.0 * t->p[j]);
        rd_text(d, best ? FACE_BOLD : FACE_SANS, px * 3 / 4, xx, sy + small + 2 + px, best ? WIN : MUTED, text);
        // A bar for the probability.
        const int bh = (int)(t->p[j] * px * 3);
        rd_fill(d->r, rd_rect(xx, sy + small + px * 3 + px * 3 - bh, small / 3, bh), best ? WIN : LINE);
    }
}

void render_view_templates(const draw_ *d) {
    const app_state *s = d->s;
    const live_snapshot *snap = s->host.tmpl_live;
    rd_fill(d->r, d->l->panel, PANEL);
    rd_progress(d, snap, "one-layer softmax classifier (784 -> 10)", s->host.tmpl_why);
    // 784 x 10 weights, then 10 biases.
    if (snap && snap->n_params >= 7850 && s->templates.scale_ready) {
        templates_(d, snap);
        if (s->templates.ready) explain_(d);
    }
    rd_buttons(d);
    rd_trainer_labels(d, snap);
    rd_trainer_footer(d);
}
