// ui_kit.c - the pieces layouts are made of (see ui_kit.h).
#include "ui_kit.h"

#include <stdio.h>
#include <string.h>

ui_rect ui_rect_at(int x, int y, int w, int h) {
    ui_rect r = {x, y, w < 0 ? 0 : w, h < 0 ? 0 : h};
    return r;
}

ui_button *layout_button(ui_layout *l, ui_rect r, const char *label, app_action_kind kind, int value) {
    ui_button *b = l->n_buttons < LAYOUT_MAX_BUTTONS ? &l->buttons[l->n_buttons++] : &l->overflow;
    memset(b, 0, sizeof *b);
    b->r = r;
    // Long labels (lesson titles, file names) are cut at a character boundary.
    size_t n = strlen(label);
    if (n >= sizeof b->label) {
        n = sizeof b->label - 1;
        while (n > 0 && ((unsigned char)label[n] & 0xC0) == 0x80) n--;
    }
    memcpy(b->label, label, n);
    b->label[n] = '\0';
    b->action.kind = kind;
    b->action.value = value;
    b->enabled = b != &l->overflow;
    return b;
}

ui_grid *layout_grid(ui_layout *l, grid_id id, int channel, int rows, int cols, int row0, int col0, int x, int y,
                     int cell, const char *title) {
    if (l->n_grids == LAYOUT_MAX_GRIDS) return NULL;
    ui_grid *g = &l->grids[l->n_grids++];
    g->id = id;
    g->channel = channel;
    g->rows = rows;
    g->cols = cols;
    g->row0 = row0;
    g->col0 = col0;
    g->cell = cell;
    g->data_rows = rows;  // inputs set theirs: the padding ring is on both sides
    g->data_cols = cols;
    g->r = ui_rect_at(x, y, cols * cell, rows * cell);
    snprintf(g->title, sizeof g->title, "%s", title);
    return g;
}

// ---- The panel of controls (right side) ------------------------------------------------------

ui_panel layout_panel_fit(ui_layout *l, int rows) {
    const int gap = l->pad / 2;
    const int fit = (l->panel.h - 2 * l->pad - 4 * gap) / rows - gap;
    ui_panel p = {l, l->panel.x + l->pad, l->panel.y + l->pad, l->panel.w - 2 * l->pad,
                  ui_min(l->text_px * 3 / 2, ui_max(fit, 8)), gap};
    return p;
}

ui_panel layout_panel(ui_layout *l) {
    ui_panel p = {l, l->panel.x + l->pad, l->panel.y + l->pad, l->panel.w - 2 * l->pad, l->text_px * 3 / 2,
                  l->pad / 2};
    return p;
}

ui_button_pair layout_stepper_of(ui_panel *p, app_action minus, app_action plus, bool minus_on, bool plus_on) {
    const int bw = p->row_h * 2;
    ui_button_pair b;
    b.first = layout_button(p->l, ui_rect_at(p->x + p->w - 2 * bw - p->gap, p->y, bw, p->row_h), "-", minus.kind,
                            minus.value);
    b.second = layout_button(p->l, ui_rect_at(p->x + p->w - bw, p->y, bw, p->row_h), "+", plus.kind, plus.value);
    b.first->enabled = b.first->enabled && minus_on;
    b.second->enabled = b.second->enabled && plus_on;
    p->y += p->row_h + p->gap;
    return b;
}

ui_button_pair layout_stepper(ui_panel *p, app_action_kind kind, int value, int lo, int hi) {
    const app_action minus = {.kind = kind, .value = value - 1}, plus = {.kind = kind, .value = value + 1};
    return layout_stepper_of(p, minus, plus, value > lo, value < hi);
}

void layout_transport(ui_panel *p, const anim_state *a) {
    static const struct {
        const char *label;
        app_action_kind kind;
    } row[] = {{"|<", ACT_RESTART}, {"<", ACT_STEP_BACK}, {"play", ACT_PLAY_PAUSE},
               {">", ACT_STEP_FORWARD}, {">|", ACT_TO_END}};
    const int n = 5, gap = p->gap / 2;
    const int bw = (p->w - (n - 1) * gap) / n;
    for (int i = 0; i < n; i++) {
        ui_button *b = layout_button(p->l, ui_rect_at(p->x + i * (bw + gap), p->y, bw, p->row_h),
                                     row[i].kind == ACT_PLAY_PAUSE && a->playing ? "pause" : row[i].label,
                                     row[i].kind, 0);
        b->enabled = b->enabled && a->total > 0;
        if (row[i].kind == ACT_PLAY_PAUSE) b->active = a->playing;
    }
    p->y += p->row_h + p->gap;
    // speed: [-] N cells/s [+]
    const app_action slower = {.kind = ACT_SLOWER}, faster = {.kind = ACT_FASTER};
    layout_stepper_of(p, slower, faster, a->speed > 0, a->speed < app_speed_count() - 1);
}

ui_button_pair layout_two_buttons(ui_panel *p, const char *a, app_action_kind ka, int va, const char *b,
                                  app_action_kind kb, int vb) {
    const int bw = (p->w - p->gap) / 2;
    ui_button_pair pair;
    pair.first = layout_button(p->l, ui_rect_at(p->x, p->y, bw, p->row_h), a, ka, va);
    pair.second = layout_button(p->l, ui_rect_at(p->x + bw + p->gap, p->y, bw, p->row_h), b, kb, vb);
    p->y += p->row_h + p->gap;
    return pair;
}

void layout_train_controls(ui_panel *p, const live_snapshot *snap) {
    const bool running = snap && !snap->paused;
    layout_two_buttons(p, running ? "pause" : "train", ACT_TRAIN_TOGGLE, 0, "reset", ACT_TRAIN_RESET, 0).first->active =
        running;
    p->y += p->gap;
    const app_action lr_down = {.kind = ACT_LR_DOWN}, lr_up = {.kind = ACT_LR_UP};
    layout_stepper_of(p, lr_down, lr_up, true, true);  // learning rate
    const app_action faster = {.kind = ACT_SLOWMO_LESS}, slower = {.kind = ACT_SLOWMO_MORE};
    layout_stepper_of(p, faster, slower, true, true);  // slow motion
    p->y += p->gap;
}

