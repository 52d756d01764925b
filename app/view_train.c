// view_train.c - training, live: the dashboard's model trains on a worker
// thread while the view shows its curves, confusion matrix and mistakes.
// The runtime runs the trainer; this view asks it for things through the
// state's requests. Its renderer is view_train_render.c.
#include "train_layout.h"
#include "views.h"

#include <stdio.h>
#include <string.h>

#include "format.h"

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
    // Under them (in the buttons' column of a two-column panel): keep this
    // run's curves on the charts to compare with the next one.
    {
        const bool two = l->panel_cols > 1;
        int *y = two ? &l->panel_y2 : &p.y;
        ui_button *b = layout_button(l, ui_rect_at(two ? l->panel_x2 : p.x, *y, p.w, p.row_h), "keep run to compare",
                                     ACT_KEEP_RUN, 0);
        b->enabled = b->enabled && s->host.train_live && s->host.train_live->steps > 0;
        *y += p.row_h + p.gap;
    }
    const ui_rect m = l->main;
    const int pad = l->pad;
    l->progress = ui_rect_at(m.x + pad, m.y + pad, m.w - 2 * pad, train_progress_height(l));
    const int top = l->progress.y + l->progress.h + pad, bottom = m.y + m.h - pad;
    const int height = bottom - top;
    // The confusion matrix (view_train_render.c): its title and subtitle, the
    // row of guessed digits, ten rows of cells, then its legend.
    const int head_h = confusion_head_height(l), digits_h = confusion_digits_height(l);
    const int legend_h = l->small_px * 6 / 5 + pad / 2;
    // The mistakes gallery: its title and rows of thumbnails with labels.
    const int gallery_row = l->small_px * 5 / 2 + l->min_px * 6 / 5 + pad / 2;
    const int gallery_min = l->small_px * 6 / 5 + 2 * gallery_row;
    const int most_w = (m.w - 3 * pad) * 45 / 100;
    int cell = ui_min((height - head_h - digits_h - legend_h - pad - gallery_min) / 10, (most_w - digits_h) / 10);
    if (cell >= l->min_cell) {
        // Room for all on the right: the matrix with the gallery under it.
        const int right_w = ui_max(digits_h + 10 * cell, (m.w - 3 * pad) * 40 / 100);
        const int left_w = m.w - 3 * pad - right_w, right_x = m.x + 2 * pad + left_w;
        const int chart_h = (height - pad) / 2;
        l->chart_loss = ui_rect_at(m.x + pad, top, left_w, chart_h);
        l->chart_acc = ui_rect_at(m.x + pad, top + chart_h + pad, left_w, height - chart_h - pad);
        const int matrix_h = head_h + digits_h + 10 * cell + legend_h;
        l->confusion = ui_rect_at(right_x, top, right_w, matrix_h);
        l->gallery = ui_rect_at(right_x, top + matrix_h + pad, right_w, bottom - (top + matrix_h + pad));
        return;
    }
    // Zoomed in: the matrix takes the right's whole height with its legend
    // beside it; the charts and the gallery share the left.
    const int beside = confusion_legend_width(l);
    // Half the width, or up to two thirds when that gives the cells l->min_cell.
    const int cell_h = (height - head_h - digits_h) / 10;
    const int cell_half = ((m.w - 3 * pad) / 2 - digits_h - beside) / 10;
    const int cell_most = ((m.w - 3 * pad) * 2 / 3 - digits_h - beside) / 10;
    cell = ui_min(cell_h, ui_max(cell_half, ui_min(l->min_cell, cell_most)));
    if (cell < ui_max(l->min_px, l->small_px * 5 / 6) * 6 / 5 || cell < l->badge_px * 2 + 4) {
        // Cells lower than their digits' line or too narrow for "888" (about
        // two ems): the renderer lists the rows
        // instead (a title and ten lines) with the gallery under them, and
        // the charts take the whole left.
        const int half = (m.w - 3 * pad) / 2, right_x = m.x + 2 * pad + half;
        const int list_h = ui_min(height, l->small_px * 6 / 5 + pad / 4 + 10 * (l->min_px * 6 / 5));
        // Too short for the two charts one above the other (each a title, up
        // to three legend lines and a plot of five lines: rd_curve_chart):
        // three columns, the loss, the accuracy and the list, full height.
        const int tick_line = ui_max(l->min_px, l->small_px * 5 / 6) * 6 / 5;
        const int chart_least = l->small_px * 6 / 5 + 8 * tick_line;
        if (height < 2 * chart_least + pad) {
            const int third = (m.w - 4 * pad) / 3;
            l->chart_loss = ui_rect_at(m.x + pad, top, third, height);
            l->chart_acc = ui_rect_at(m.x + 2 * pad + third, top, third, height);
            l->confusion = ui_rect_at(m.x + 3 * pad + 2 * third, top, third, list_h);
            l->gallery = ui_rect_at(m.x + 3 * pad + 2 * third, top + list_h + pad, third,
                                    bottom - (top + list_h + pad));
            return;
        }
        l->confusion = ui_rect_at(right_x, top, half, list_h);
        l->gallery = ui_rect_at(right_x, top + list_h + pad, half, bottom - (top + list_h + pad));
        const int chart_h = (height - pad) / 2;
        l->chart_loss = ui_rect_at(m.x + pad, top, half, chart_h);
        l->chart_acc = ui_rect_at(m.x + pad, top + chart_h + pad, half, height - chart_h - pad);
        return;
    }
    const int right_w = digits_h + 10 * cell + beside;
    const int left_w = m.w - 3 * pad - right_w, right_x = m.x + 2 * pad + left_w;
    l->confusion = ui_rect_at(right_x, top, right_w, head_h + digits_h + 10 * cell);
    const int gallery_h = l->small_px * 6 / 5 + gallery_row, chart_h = (height - gallery_h - 2 * pad) / 2;
    l->chart_loss = ui_rect_at(m.x + pad, top, left_w, chart_h);
    l->chart_acc = ui_rect_at(m.x + pad, top + chart_h + pad, left_w, chart_h);
    l->gallery = ui_rect_at(m.x + pad, top + 2 * (chart_h + pad), left_w, bottom - (top + 2 * (chart_h + pad)));
}

bool app_keep_run(app_state *s, const char *label) {
    const live_snapshot *snap = s->host.train_live;
    if (!snap) return false;
    app_kept_run *k = &s->kept;
    if (label && label[0]) {
        snprintf(k->label, sizeof k->label, "%s", label);
    } else {
        char lr[32];
        fmt_screen(snap->lr, lr, sizeof lr);
        snprintf(k->label, sizeof k->label, "%s, lr %s",
                 s->train_model == MODEL_CUSTOM ? "--arch model" : app_train_model_name(s->train_model), lr);
    }
    k->test_accuracy = snap->test_accuracy;
    k->steps = snap->steps;
    k->n_loss = ui_max(0, ui_min(snap->n_loss, LIVE_MAX_POINTS));
    k->n_test_acc = ui_max(0, ui_min(snap->n_test_acc, LIVE_MAX_POINTS));
    memcpy(k->loss, snap->loss, (size_t)k->n_loss * sizeof k->loss[0]);
    memcpy(k->test_acc, snap->test_acc, (size_t)k->n_test_acc * sizeof k->test_acc[0]);
    k->present = true;
    return true;
}

static void update_(app_state *s, const app_action *a) {
    if (a->kind != ACT_KEEP_RUN) {
        app_request_training(s, a, 0);
        return;
    }
    if (!app_keep_run(s, NULL)) {
        snprintf(s->status, sizeof s->status, "nothing to keep: training is not available");
        return;
    }
    char acc[32];
    fmt_percent(s->kept.test_accuracy, acc, sizeof acc);
    snprintf(s->status, sizeof s->status, "kept %s (step %lld, %s) to compare: press R or pick a model to train another",
             s->kept.label, s->kept.steps, acc);
}

static void report_(const app_state *s, FILE *out) { view_report_trainer(s->host.train_live, out); }

static const key_binding keys_[] = {
    TRAINER_KEYS,
    {'1', 0, ACT_TRAIN_MODEL, 0, NULL, KEYF_SETUP, "model: softmax"},
    {'2', 0, ACT_TRAIN_MODEL, 1, NULL, KEYF_SETUP, "model: small CNN"},
    {'3', 0, ACT_TRAIN_MODEL, 2, NULL, KEYF_SETUP, "model: LeNet-5"},
    {'k', 0, ACT_KEEP_RUN, 0, NULL, 0, "keep this run's curves to compare"},
    INSPECT_KEYS,
};

static void reset_(app_state *s) {
    s->train_model = 1;
    s->kept.present = false;  // a fresh program (or a lesson's start) compares nothing yet
}

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
