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
    // Long labels (lesson titles, file names) are cut at a character
    // boundary and end in an ellipsis, so a cut label says it was cut.
    static const char dots[] = "\xe2\x80\xa6";  // U+2026
    size_t n = strlen(label);
    const bool cut = n >= sizeof b->label;
    if (cut) {
        n = sizeof b->label - sizeof dots;
        while (n > 0 && ((unsigned char)label[n] & 0xC0) == 0x80) n--;
        while (n > 0 && label[n - 1] == ' ') n--;
    }
    memcpy(b->label, label, n);
    b->label[n] = '\0';
    if (cut) memcpy(b->label + n, dots, sizeof dots);
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
    g->step = 1;
    g->gap = 0;
    g->r = ui_rect_at(x, y, cols * cell, rows * cell);
    snprintf(g->title, sizeof g->title, "%s", title);
    return g;
}

bool ui_grid_cell(const ui_grid *g, int row, int col, ui_rect *q) {
    const int step = g->step > 1 ? g->step : 1, dr = row - g->row0, dc = col - g->col0;
    if (dr < 0 || dc < 0 || dr % step || dc % step || dr / step >= g->rows || dc / step >= g->cols) return false;
    const int pitch = g->cell + (step > 1 ? g->gap : 0);
    if (q) *q = ui_rect_at(g->r.x + dc / step * pitch, g->r.y + dr / step * pitch, g->cell, g->cell);
    return true;
}

bool ui_grid_at(const ui_grid *g, int x, int y, int *row, int *col) {
    if (g->cell <= 0 || x < g->r.x || y < g->r.y || x >= g->r.x + g->r.w || y >= g->r.y + g->r.h) return false;
    const int step = g->step > 1 ? g->step : 1, pitch = g->cell + (step > 1 ? g->gap : 0);
    const int i = (y - g->r.y) / pitch, j = (x - g->r.x) / pitch;
    if ((y - g->r.y) % pitch >= g->cell || (x - g->r.x) % pitch >= g->cell || i >= g->rows || j >= g->cols) return false;
    *row = g->row0 + i * step;
    *col = g->col0 + j * step;
    return true;
}

// ---- The panel of controls (right side) ------------------------------------------------------

// The shortest row whose text stays readable: a button's label and a
// setting's label (drawn at 3/4 of the row) at l->min_px.
static int readable_row_(const ui_layout *l) { return (l->min_px * 4 + 2) / 3 + 1; }

ui_panel layout_panel_fit(ui_layout *l, int rows) {
    const int top = l->panel.y + l->pad / 2, room = l->panel.h - l->pad;
    const int cols = ui_max(1, l->panel_cols), colw = l->panel.w / cols;
    // Two columns share the rows (setting rows in one, buttons in the other):
    // about half each, and one more for the split's unevenness.
    const int per_col = cols > 1 ? (rows + 1) / 2 + 1 : ui_max(1, rows);
    // Gaps of a third of the padding, down to 2 px when the rows need the room.
    int gap = ui_max(2, l->pad / 3), fit = (room - 4 * gap) / per_col - gap;
    if (fit < readable_row_(l)) {
        gap = 2;
        fit = (room - 4 * gap) / per_col - gap;
    }
    if (fit < readable_row_(l) && cols < 2) l->panel_cols_wanted = 2;
    ui_panel p = {l, l->panel.x + l->pad, top, colw - 2 * l->pad, ui_min(l->text_px * 3 / 2, ui_max(fit, readable_row_(l))),
                  gap};
    l->panel_x2 = l->panel.x + colw + l->pad;
    l->panel_y2 = top;
    return p;
}

ui_panel layout_panel(ui_layout *l) {
    ui_panel p = {l, l->panel.x + l->pad, l->panel.y + l->pad / 2, l->panel.w - 2 * l->pad,
                  ui_max(l->text_px * 3 / 2, readable_row_(l)), ui_max(2, l->pad / 3)};
    return p;
}

// Where the next row of buttons goes: under the last one in the panel's
// single column, or in the second column of a two-column panel.
static int *buttons_row_(ui_panel *p, int *x) {
    if (p->l->panel_cols > 1) {
        *x = p->l->panel_x2;
        return &p->l->panel_y2;
    }
    *x = p->x;
    return &p->y;
}

ui_button_pair layout_stepper_of(ui_panel *p, app_action minus, app_action plus, bool minus_on, bool plus_on) {
    // Narrow buttons ("-" and "+" are one character) leave the label room.
    const int bw = p->row_h * 5 / 4;
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
    const int n = 5, gap = ui_max(1, p->gap / 2);
    // "play" / "pause" gets two shares of the row, the arrows one each.
    const int share = (p->w - (n - 1) * gap) / (n + 1);
    int x0 = 0, *y = buttons_row_(p, &x0);
    for (int i = 0, x = x0; i < n; i++) {
        const int bw = row[i].kind == ACT_PLAY_PAUSE ? p->w - (n - 1) * gap - (n - 1) * share : share;
        ui_button *b = layout_button(p->l, ui_rect_at(x, *y, bw, p->row_h),
                                     row[i].kind == ACT_PLAY_PAUSE && a->playing ? "pause" : row[i].label,
                                     row[i].kind, 0);
        b->enabled = b->enabled && a->total > 0;
        if (row[i].kind == ACT_PLAY_PAUSE) b->active = a->playing;
        x += bw + gap;
    }
    *y += p->row_h + p->gap;
    // speed: [-] N cells/s [+]
    const app_action slower = {.kind = ACT_SLOWER}, faster = {.kind = ACT_FASTER};
    layout_stepper_of(p, slower, faster, a->speed > 0, a->speed < app_speed_count() - 1);
}

void layout_transport_strip(ui_panel *p, const anim_state *a) {
    static const struct {
        const char *label;
        app_action_kind kind;
        int row, col;  // col -1: the whole row
    } strip[] = {{"|<", ACT_RESTART, 0, 0}, {">|", ACT_TO_END, 0, 1}, {"<", ACT_STEP_BACK, 1, 0},
                 {">", ACT_STEP_FORWARD, 1, 1}, {"play", ACT_PLAY_PAUSE, 2, -1}, {"slower", ACT_SLOWER, 3, -1},
                 {"faster", ACT_FASTER, 4, -1}};
    const int half = (p->w - p->gap) / 2;
    for (int i = 0; i < (int)(sizeof strip / sizeof strip[0]); i++) {
        const int x = strip[i].col < 0 ? p->x : p->x + strip[i].col * (half + p->gap);
        const int y = p->y + strip[i].row * (p->row_h + p->gap);
        const bool play = strip[i].kind == ACT_PLAY_PAUSE;
        ui_button *b = layout_button(p->l, ui_rect_at(x, y, strip[i].col < 0 ? p->w : half, p->row_h),
                                     play && a->playing ? "pause" : strip[i].label, strip[i].kind, 0);
        if (strip[i].kind == ACT_SLOWER)
            b->enabled = b->enabled && a->speed > 0;
        else if (strip[i].kind == ACT_FASTER)
            b->enabled = b->enabled && a->speed < app_speed_count() - 1;
        else
            b->enabled = b->enabled && a->total > 0;
        if (play) b->active = a->playing;
    }
    p->y += 5 * (p->row_h + p->gap);
}

ui_button_pair layout_two_buttons(ui_panel *p, const char *a, app_action_kind ka, int va, const char *b,
                                  app_action_kind kb, int vb) {
    const int bw = (p->w - p->gap) / 2;
    int x = 0, *y = buttons_row_(p, &x);
    ui_button_pair pair;
    pair.first = layout_button(p->l, ui_rect_at(x, *y, bw, p->row_h), a, ka, va);
    pair.second = layout_button(p->l, ui_rect_at(x + bw + p->gap, *y, bw, p->row_h), b, kb, vb);
    *y += p->row_h + p->gap;
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


void layout_narrow_panel(ui_layout *l, int label_w) {
    if (l->narration.h > 0 || l->panel_cols > 1) return;
    const int w = label_w + 4 * l->pad;  // the label with air inside its button, the panel's margins
    if (w >= l->panel.w) return;
    const int freed = l->panel.w - w;
    l->panel.x += freed;
    l->panel.w = w;
    l->main.w += freed;
}
