// view_templates.c - the ten 28x28 weight templates of a one-layer softmax
// classifier, trained live on its own worker, and how one test digit scores
// against each. Its renderer is view_templates_render.c.
#include <math.h>
#include <string.h>

#include "nn.h"
#include "train_layout.h"
#include "views.h"

static void layout_(ui_layout *l, const app_state *s, const ui_metrics *metrics) {
    (void)metrics;
    ui_panel p = layout_panel_fit(l, 5);
    layout_train_controls(&p, s->host.tmpl_live);
    layout_button(l, ui_rect_at(p.x, p.y, p.w, p.row_h), "next digit", ACT_INSPECT_NEXT, 0);
    const ui_rect m = l->main;
    l->progress = ui_rect_at(m.x + l->pad, m.y + l->pad, m.w - 2 * l->pad, train_progress_height(l));
    // The cards of the ten classes fill the rest (view_templates_render.c plans them).
    const int top = l->progress.y + l->progress.h + l->pad;
    l->templates = ui_rect_at(m.x + l->pad, top, m.w - 2 * l->pad, m.y + m.h - l->pad - top);
    l->explain = l->templates;
}

static void update_(app_state *s, const app_action *a) { app_request_training(s, a, 1); }

// The explanation of the inspected digit, by the engine's own dense neuron
// and softmax, whenever the weights or the digit change. Dense weights are
// [784][10] then 10 biases: template j is column j.
static void refresh_(app_state *s) {
    templates_view *t = &s->templates;
    const live_snapshot *snap = s->host.tmpl_live;
    if (!snap || snap->n_params < 7850) {
        t->ready = t->scale_ready = false;
        return;
    }
    const float *w = snap->params, *b = snap->params + 7840;
    if (!t->scale_ready || t->version != snap->version) {
        t->weight_scale = 1e-6f;
        for (int i = 0; i < 7840; i++) t->weight_scale = fmaxf(t->weight_scale, fabsf(w[i]));
        t->scale_ready = true;
        t->ready = false;
        t->version = snap->version;
    }
    if (!s->host.digits || s->host.n_digits == 0) return;
    const int digit = s->inspect % s->host.n_digits;
    if (t->ready && t->digit == digit) return;
    const uint8_t *px = s->host.digits + (size_t)digit * 784;
    for (int i = 0; i < 784; i++) t->x[i] = px[i] / 255.0f;
    for (int j = 0; j < 10; j++) {
        t->z[j] = nn_dense_neuron(t->x, w + j, 10, b[j], 784);
        for (int i = 0; i < 784; i++) t->products[j][i] = t->x[i] * w[(size_t)i * 10 + j];
    }
    nn_softmax_forward(t->p, t->z, 1, 10);
    t->best = 0;
    for (int j = 1; j < 10; j++) t->best = t->p[j] > t->p[t->best] ? j : t->best;
    t->digit = digit;
    t->ready = true;
}

static void report_(const app_state *s, FILE *out) { view_report_trainer(s->host.tmpl_live, out); }

static const key_binding keys_[] = {
    TRAINER_KEYS,
    INSPECT_KEYS,
};

static void reset_(app_state *s) {
    s->inspect = 0;
    memset(&s->templates, 0, sizeof s->templates);
}

const view_def view_templates = {
    .id = VIEW_TEMPLATES,
    .name = "templates",
    .title = "weight templates",
    .menu = "Weight templates",
    .keys = KEY_TABLE("weight templates", keys_),
    .has_panel = true,
    .trains_templates = true,
    .layout = layout_,
    .update = update_,
    .report = report_,
    .refresh = refresh_,
    .reset = reset_,
};
