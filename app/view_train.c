// view_train.c - training, live: the dashboard's model trains on a worker
// thread while the view shows its curves, confusion matrix and mistakes.
// The runtime runs the trainer; this view asks it for things through the
// state's requests. Its renderer is view_train_render.c.
#include "views.h"

static void layout_(ui_layout *l, const app_state *s, const ui_metrics *metrics) {
    (void)metrics;
    ui_panel p = layout_panel_fit(l, 9);
    layout_train_controls(&p, s->host.train_live);
    for (int i = 0; i <= app_train_model_count(); i++) {
        if (i == MODEL_CUSTOM && !s->host.custom_arch[0]) break;
        ui_button *b = layout_button(l, ui_rect_at(p.x, p.y, p.w, p.row_h),
                               i == MODEL_CUSTOM ? "--arch model" : app_train_model_name(i), ACT_TRAIN_MODEL, i);
        b->active = s->train_model == i;
        p.y += p.row_h + p.gap;
    }
    p.y += p.gap;
    layout_two_buttons(&p, "save model", ACT_SAVE_MODEL, 0, "load for drawing", ACT_LOAD_MODEL, 0);
    const ui_rect m = l->main;
    l->progress = ui_rect_at(m.x + l->pad, m.y + l->pad, m.w - 2 * l->pad, l->text_px * 3);
    const int top = l->progress.y + l->progress.h + l->pad;
    const int left_w = (m.w - 3 * l->pad) * 55 / 100;
    const int chart_h = (m.y + m.h - top - 2 * l->pad) / 2;
    l->chart_loss = ui_rect_at(m.x + l->pad, top, left_w, chart_h);
    l->chart_acc = ui_rect_at(m.x + l->pad, top + chart_h + l->pad, left_w, chart_h);
    const int right_x = m.x + 2 * l->pad + left_w, right_w = m.x + m.w - l->pad - right_x;
    const int side = ui_min(right_w, (m.y + m.h - top) * 55 / 100);
    l->confusion = ui_rect_at(right_x, top, side, side);
    l->gallery = ui_rect_at(right_x, top + side + l->pad * 2, right_w, m.y + m.h - (top + side + l->pad * 3));
}

static void update_(app_state *s, const app_action *a) { app_request_training(s, a, 0); }

static void report_(const app_state *s, FILE *out) { view_report_trainer(s->host.train_live, out); }

static const key_binding keys_[] = {
    TRAINER_KEYS,
    {'1', 0, ACT_TRAIN_MODEL, 0, NULL, KEYF_SETUP, "model: softmax"},
    {'2', 0, ACT_TRAIN_MODEL, 1, NULL, KEYF_SETUP, "model: small CNN"},
    {'3', 0, ACT_TRAIN_MODEL, 2, NULL, KEYF_SETUP, "model: LeNet-5"},
    INSPECT_KEYS,
};

static void reset_(app_state *s) { s->train_model = 1; }

const view_def view_train = {
    .id = VIEW_TRAIN,
    .name = "train",
    .title = "training, live",
    .menu = "Training, live",
    .keys = KEY_TABLE("training", keys_),
    .mouse = "click a model to train it from the start",
    .has_panel = true,
    .layout = layout_,
    .update = update_,
    .report = report_,
    .reset = reset_,
};
