// layout.c - rectangles for every view (see layout.h).
#include "layout.h"

#include <stdio.h>
#include <string.h>

static ui_rect rect_(int x, int y, int w, int h) {
    ui_rect r = {x, y, w < 0 ? 0 : w, h < 0 ? 0 : h};
    return r;
}

static int mini_(int a, int b) { return a < b ? a : b; }
static int maxi_(int a, int b) { return a > b ? a : b; }

static ui_button *button_(ui_layout *l, ui_rect r, const char *label, app_action_kind kind,
                          int value) {
    if (l->n_buttons == LAYOUT_MAX_BUTTONS) return NULL;
    ui_button *b = &l->buttons[l->n_buttons++];
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
    b->enabled = true;
    return b;
}

static ui_grid *grid_(ui_layout *l, grid_id id, int channel, int rows, int cols, int row0,
                      int col0, int x, int y, int cell, const char *title) {
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
    g->r = rect_(x, y, cols * cell, rows * cell);
    snprintf(g->title, sizeof g->title, "%s", title);
    return g;
}

// ---- The panel of controls (right side) ------------------------------------------------------

typedef struct panel_ {
    ui_layout *l;
    int x, y, w, row_h, gap;
} panel_;

// "[-] value [+]" with a label line above: value and label are drawn by render.c
// from the state; here only the buttons.
static void stepper_row_(panel_ *p, const char *label, app_action_kind kind, int value,
                         int lo, int hi) {
    (void)label;
    const int bw = p->row_h * 2;
    ui_button *minus = button_(p->l, rect_(p->x + p->w - 2 * bw - p->gap, p->y, bw, p->row_h), "-",
                               kind, value - 1);
    ui_button *plus = button_(p->l, rect_(p->x + p->w - bw, p->y, bw, p->row_h), "+", kind, value + 1);
    if (minus) minus->enabled = value > lo;
    if (plus) plus->enabled = value < hi;
    p->y += p->row_h + p->gap;
}

static void transport_(panel_ *p, const anim_state *a) {
    static const struct {
        const char *label;
        app_action_kind kind;
    } row[] = {{"|<", ACT_RESTART}, {"<", ACT_STEP_BACK}, {"play", ACT_PLAY_PAUSE},
               {">", ACT_STEP_FORWARD}, {">|", ACT_TO_END}};
    const int n = 5, gap = p->gap / 2;
    const int bw = (p->w - (n - 1) * gap) / n;
    for (int i = 0; i < n; i++) {
        ui_button *b = button_(p->l, rect_(p->x + i * (bw + gap), p->y, bw, p->row_h),
                               row[i].kind == ACT_PLAY_PAUSE && a->playing ? "pause" : row[i].label,
                               row[i].kind, 0);
        if (b) b->enabled = a->total > 0;
        if (b && row[i].kind == ACT_PLAY_PAUSE) b->active = a->playing;
    }
    p->y += p->row_h + p->gap;
    // speed: [-] N cells/s [+]
    stepper_row_(p, "speed", ACT_NONE, a->speed, 0, app_speed_count() - 1);
    p->l->buttons[p->l->n_buttons - 2].action.kind = ACT_SLOWER;
    p->l->buttons[p->l->n_buttons - 1].action.kind = ACT_FASTER;
}

static void two_buttons_(panel_ *p, const char *a, app_action_kind ka, int va, const char *b,
                         app_action_kind kb, int vb) {
    const int bw = (p->w - p->gap) / 2;
    button_(p->l, rect_(p->x, p->y, bw, p->row_h), a, ka, va);
    button_(p->l, rect_(p->x + bw + p->gap, p->y, bw, p->row_h), b, kb, vb);
    p->y += p->row_h + p->gap;
}

// ---- Views ---------------------------------------------------------------------------------------

static void home_(ui_layout *l, const app_state *s) {
    static const char *names[VIEW_COUNT - 1] = {"Convolution", "Pooling", "Training, live",
                                                 "Weight templates", "Inside the CNN", "Draw a digit",
                                                 "Lessons"};
    const int n = VIEW_COUNT - 1;
    // Below the title and the subtitle (render.c draws them at these heights).
    const int y0 = l->header.h + l->text_px + l->title_px * 2 + l->text_px * 2;
    const int avail = l->footer.y - y0 - l->pad;
    // One column while the entries stay tall enough to read, else two.
    const int cols = avail / n >= l->text_px * 2 ? 1 : 2;
    const int rows = (n + cols - 1) / cols;
    const int bh = maxi_(12, mini_(l->text_px * 2, avail / rows - l->pad));
    const int bw = mini_((l->w - (cols + 1) * l->pad * 2) / cols, l->text_px * 24);
    const int x0 = (l->w - cols * bw - (cols - 1) * l->pad * 2) / 2;
    for (int i = 0; i < n; i++) {
        const int c = i / rows, r = i % rows;
        ui_button *b = button_(l, rect_(x0 + c * (bw + l->pad * 2), y0 + r * (bh + l->pad), bw, bh), names[i],
                               ACT_OPEN_VIEW, VIEW_HOME + 1 + i);
        if (b) b->active = s->home.focus == i;
    }
}

// A panel whose n rows (and a few extra gaps) fit its height: rows shrink
// at large zooms instead of running off the window.
static panel_ panel_for_(ui_layout *l, int rows) {
    const int gap = l->pad / 2;
    const int fit = (l->panel.h - 2 * l->pad - 4 * gap) / rows - gap;
    panel_ p = {l, l->panel.x + l->pad, l->panel.y + l->pad, l->panel.w - 2 * l->pad,
                mini_(l->text_px * 3 / 2, maxi_(fit, 8)), gap};
    return p;
}

static void conv_(ui_layout *l, const app_state *s, const ui_metrics *m) {
    const conv_setup *c = &s->conv.setup;
    // Controls on the right: 14 rows.
    panel_ p = panel_for_(l, 14);
    transport_(&p, &s->conv.anim);
    p.y += p.gap;
    const int pad_value = c->padding.mode == NN_PAD_EXPLICIT ? c->padding.p : 0;
    stepper_row_(&p, "input", ACT_SET_SIZE, c->n_h, VIEW_MIN_N, VIEW_MAX_N);
    stepper_row_(&p, "kernel", ACT_SET_KERNEL, c->k, 1, VIEW_MAX_K);
    stepper_row_(&p, "padding", ACT_SET_PADDING, pad_value, 0, 3);
    {
        ui_button *v = &l->buttons[l->n_buttons - 2], *pl = &l->buttons[l->n_buttons - 1];
        if (c->padding.mode != NN_PAD_EXPLICIT) {  // from valid/same, +/- go to explicit 1/0
            v->action.value = 0;
            v->enabled = true;
            pl->action.value = 1;
        }
    }
    two_buttons_(&p, "valid", ACT_SET_PADDING, -1, "same", ACT_SET_PADDING, -2);
    l->buttons[l->n_buttons - 2].active = c->padding.mode == NN_PAD_VALID ||
                                          (c->padding.mode == NN_PAD_EXPLICIT && c->padding.p == 0);
    l->buttons[l->n_buttons - 1].active = c->padding.mode == NN_PAD_SAME;
    stepper_row_(&p, "stride", ACT_SET_STRIDE, c->stride, 1, 4);
    stepper_row_(&p, "dilation", ACT_SET_DILATION, c->dilation, 1, 3);
    stepper_row_(&p, "channels", ACT_SET_CHANNELS, c->channels, 1, VIEW_MAX_C);
    p.y += p.gap;
    for (int i = 0; i < PRESET_CUSTOM; i += 2) {
        two_buttons_(&p, app_preset_name((app_preset)i), ACT_PRESET, i,
                     app_preset_name((app_preset)(i + 1)), ACT_PRESET, i + 1);
        l->buttons[l->n_buttons - 2].active = (int)c->preset == i;
        l->buttons[l->n_buttons - 1].active = (int)c->preset == i + 1;
    }
    two_buttons_(&p, "randomise", ACT_RANDOMISE, 0, "load a digit", ACT_LOAD_DIGIT, -1);

    // Grids share one cell size, so the window visibly matches the kernel.
    // Two arrangements, whichever gives bigger cells:
    //   stacked:     inputs one above another | kernels + bias | output
    //   side by side: inputs in a row, each kernel under its input | output + bias
    const nn_axis *ra = &s->conv.geom.rows, *ca = &s->conv.geom.cols;
    const int plo_r = s->conv.ok ? ra->pad_lo : 0, phi_r = s->conv.ok ? ra->pad_hi : 0;
    const int plo_c = s->conv.ok ? ca->pad_lo : 0, phi_c = s->conv.ok ? ca->pad_hi : 0;
    const int in_rows = c->n_h + plo_r + phi_r, in_cols = c->n_w + plo_c + phi_c;
    const int out_rows = s->conv.ok ? s->conv.geom.out_h : 1, out_cols = s->conv.ok ? s->conv.geom.out_w : 1;
    const int ch = c->channels;
    const int title_h = l->small_px * 3 / 2;
    const ui_rect area = rect_(l->main.x + l->pad, l->main.y + l->pad, l->main.w - 2 * l->pad,
                               l->main.h * 56 / 100);
    const int gap = maxi_(l->pad, mini_(l->pad * 3, area.w / 40));
    // A column is at least as wide as its title (bold: a tenth more than measured).
    const int title_w = m ? m->text_width(m->ctx, ch > 1 ? "input 3" : "input", l->small_px, false) * 11 / 10 : 0;
    const int kernel_w = m ? m->text_width(m->ctx, ch > 1 ? "kernel 3" : "kernel", l->small_px, false) * 11 / 10 : 0;
    const int out_title_w = m ? m->text_width(m->ctx, "output", l->small_px, false) * 11 / 10 : 0;
    const int legend_w = mini_(l->text_px * 6, area.w / 8);
    // The extent of each arrangement at a cell size: the largest cell that
    // fits the area wins (titles and the legend count, so zoom cannot push
    // grids under the panel).
    int best_cell = 0;
    bool side = false;
    for (int arrangement = 0; arrangement < (ch > 1 ? 2 : 1); arrangement++) {
        for (int cell = mini_(l->text_px * 3, area.h); cell >= 4; cell--) {
            int right, bottom;
            if (arrangement == 0) {
                right = area.x + maxi_(in_cols * cell, title_w) + gap + maxi_(c->k * cell, kernel_w) + gap +
                        maxi_(maxi_(out_cols * cell, out_title_w), legend_w);
                bottom = area.y + maxi_(ch * (title_h + in_rows * cell + l->pad),
                                        maxi_(ch * (title_h + c->k * cell + l->pad) + title_h + cell,
                                              title_h + out_rows * cell + l->pad * 2 + l->small_px * 2));
            } else {
                right = area.x + ch * (maxi_(in_cols * cell, title_w) + gap) +
                        maxi_(maxi_(out_cols * cell, out_title_w), legend_w);
                bottom = area.y + maxi_(2 * title_h + (in_rows + c->k) * cell + l->pad,
                                        title_h + out_rows * cell + l->pad * 2 + l->small_px * 3);
            }
            if (right <= area.x + area.w && bottom <= area.y + area.h) {
                if (cell > best_cell) {
                    best_cell = cell;
                    side = arrangement == 1;
                }
                break;
            }
            // Nothing fits even with 4-pixel cells (a huge zoom): side by side is the
            // more compact, so fall back to it.
            if (cell == 4 && best_cell == 0 && ch > 1) side = true;
        }
    }
    const int cell = maxi_(4, best_cell);
    char t[64];
    if (!side) {
        int x = area.x, y = area.y;
        for (int k = 0; k < ch; k++) {
            snprintf(t, sizeof t, ch > 1 ? "input %d" : "input", k + 1);
            ui_grid *g = grid_(l, GRID_INPUT, k, in_rows, in_cols, -plo_r, -plo_c, x, y + title_h, cell, t);
            if (g) g->data_rows = c->n_h, g->data_cols = c->n_w;
            y += title_h + in_rows * cell + l->pad;
        }
        x += maxi_(in_cols * cell, title_w) + gap;
        y = area.y;
        for (int k = 0; k < ch; k++) {
            snprintf(t, sizeof t, ch > 1 ? "kernel %d" : "kernel", k + 1);
            grid_(l, GRID_KERNEL, k, c->k, c->k, 0, 0, x, y + title_h, cell, t);
            y += title_h + c->k * cell + l->pad;
        }
        grid_(l, GRID_BIAS, 0, 1, 1, 0, 0, x, y + title_h, cell, "bias");
        x += maxi_(c->k * cell, kernel_w) + gap;
        if (s->conv.ok) grid_(l, GRID_OUTPUT, 0, out_rows, out_cols, 0, 0, x, area.y + title_h, cell, "output");
        l->legend = rect_(x, area.y + title_h + out_rows * cell + l->pad * 2,
                          maxi_(legend_w, mini_(out_cols * cell, l->text_px * 10)), l->small_px);
    } else {
        int x = area.x;
        const int col_w = maxi_(in_cols * cell, title_w);
        for (int k = 0; k < ch; k++) {
            snprintf(t, sizeof t, "input %d", k + 1);
            ui_grid *g = grid_(l, GRID_INPUT, k, in_rows, in_cols, -plo_r, -plo_c, x, area.y + title_h, cell, t);
            if (g) g->data_rows = c->n_h, g->data_cols = c->n_w;
            snprintf(t, sizeof t, "kernel %d", k + 1);
            grid_(l, GRID_KERNEL, k, c->k, c->k, 0, 0, x, area.y + 2 * title_h + in_rows * cell + l->pad, cell, t);
            x += col_w + gap;
        }
        if (s->conv.ok) grid_(l, GRID_OUTPUT, 0, out_rows, out_cols, 0, 0, x, area.y + title_h, cell, "output");
        const int below_out = area.y + title_h + out_rows * cell;
        l->legend = rect_(x, below_out + l->pad * 2, maxi_(legend_w, mini_(maxi_(out_cols * cell, out_title_w), l->text_px * 10)),
                          l->small_px);
        // The bias beside the last kernel, inside that input's column.
        const int kx = area.x + (ch - 1) * (col_w + gap) + c->k * cell + gap;
        grid_(l, GRID_BIAS, 0, 1, 1, 0, 0, kx, area.y + 2 * title_h + in_rows * cell + l->pad, cell, "bias");
    }

    const int below = area.y + area.h + l->pad;
    l->formula = rect_(l->main.x + l->pad, below, l->main.w - 2 * l->pad, l->text_px * 5);
    l->arithmetic = rect_(l->main.x + l->pad, l->formula.y + l->formula.h + l->pad,
                          l->main.w - 2 * l->pad, l->main.y + l->main.h - (l->formula.y + l->formula.h + l->pad));
}

static void pool_(ui_layout *l, const app_state *s) {
    const pool_setup *ps = &s->pool.setup;
    panel_ p = panel_for_(l, 7);
    transport_(&p, &s->pool.anim);
    p.y += p.gap;
    stepper_row_(&p, "input", ACT_SET_SIZE, ps->n_h, VIEW_MIN_N, VIEW_MAX_N);
    stepper_row_(&p, "window", ACT_SET_POOL_SIZE, ps->size, 1, VIEW_MAX_K);
    stepper_row_(&p, "stride", ACT_SET_STRIDE, ps->stride, 1, 4);
    stepper_row_(&p, "padding", ACT_SET_PADDING, ps->pad, 0, 3);
    p.y += p.gap;
    two_buttons_(&p, "randomise", ACT_RANDOMISE, 0, "load a digit", ACT_LOAD_DIGIT, -1);

    const int pad = ps->pad;
    const int in_rows = ps->n_h + 2 * pad, in_cols = ps->n_w + 2 * pad;
    const int out_rows = s->pool.ok ? s->pool.max_geom.out_h : 1;
    const int out_cols = s->pool.ok ? s->pool.max_geom.out_w : 1;
    const int title_h = l->small_px * 3 / 2;
    const ui_rect area = rect_(l->main.x + l->pad, l->main.y + l->pad, l->main.w - 2 * l->pad,
                               l->main.h * 56 / 100);
    const int gap = l->pad * 3;
    const int cell_w = (area.w - 2 * gap) / (in_cols + 2 * out_cols);
    const int cell_h = (area.h - title_h) / maxi_(in_rows, out_rows);
    const int cell = maxi_(4, mini_(mini_(cell_w, cell_h), l->text_px * 3));
    int x = area.x;
    ui_grid *gi = grid_(l, GRID_INPUT, 0, in_rows, in_cols, -pad, -pad, x, area.y + title_h, cell, "input");
    if (gi) gi->data_rows = ps->n_h, gi->data_cols = ps->n_w;
    x += in_cols * cell + gap;
    if (s->pool.ok) {
        grid_(l, GRID_OUTPUT, 0, out_rows, out_cols, 0, 0, x, area.y + title_h, cell, "max pooling");
        x += out_cols * cell + gap;
        grid_(l, GRID_OUTPUT, 1, out_rows, out_cols, 0, 0, x, area.y + title_h, cell, "average pooling");
    }
    const int below = area.y + area.h + l->pad;
    l->formula = rect_(l->main.x + l->pad, below, l->main.w - 2 * l->pad, l->text_px * 5);
    l->arithmetic = rect_(l->main.x + l->pad, l->formula.y + l->formula.h + l->pad,
                          l->main.w - 2 * l->pad, l->main.y + l->main.h - (l->formula.y + l->formula.h + l->pad));
}

// Controls shared by the training and templates views.
static void train_controls_(ui_layout *l, panel_ *p, const live_snapshot *snap) {
    const bool running = snap && !snap->paused;
    two_buttons_(p, running ? "pause" : "train", ACT_TRAIN_TOGGLE, 0, "reset", ACT_TRAIN_RESET, 0);
    l->buttons[l->n_buttons - 2].active = running;
    p->y += p->gap;
    stepper_row_(p, "learning rate", ACT_NONE, 1, 0, 2);
    l->buttons[l->n_buttons - 2].action.kind = ACT_LR_DOWN;
    l->buttons[l->n_buttons - 1].action.kind = ACT_LR_UP;
    stepper_row_(p, "slow motion", ACT_NONE, 1, 0, 2);
    l->buttons[l->n_buttons - 2].action.kind = ACT_SLOWMO_LESS;
    l->buttons[l->n_buttons - 1].action.kind = ACT_SLOWMO_MORE;
    p->y += p->gap;
}

static void train_(ui_layout *l, const app_state *s) {
    panel_ p = panel_for_(l, 9);
    train_controls_(l, &p, s->host.train_live);
    for (int i = 0; i <= app_train_model_count(); i++) {
        if (i == MODEL_CUSTOM && !s->host.custom_arch[0]) break;
        ui_button *b = button_(l, rect_(p.x, p.y, p.w, p.row_h),
                               i == MODEL_CUSTOM ? "--arch model" : app_train_model_name(i), ACT_TRAIN_MODEL, i);
        if (b) b->active = s->train_model == i;
        p.y += p.row_h + p.gap;
    }
    p.y += p.gap;
    two_buttons_(&p, "save model", ACT_SAVE_MODEL, 0, "load for drawing", ACT_LOAD_MODEL, 0);
    const ui_rect m = l->main;
    l->progress = rect_(m.x + l->pad, m.y + l->pad, m.w - 2 * l->pad, l->text_px * 3);
    const int top = l->progress.y + l->progress.h + l->pad;
    const int left_w = (m.w - 3 * l->pad) * 55 / 100;
    const int chart_h = (m.y + m.h - top - 2 * l->pad) / 2;
    l->chart_loss = rect_(m.x + l->pad, top, left_w, chart_h);
    l->chart_acc = rect_(m.x + l->pad, top + chart_h + l->pad, left_w, chart_h);
    const int right_x = m.x + 2 * l->pad + left_w, right_w = m.x + m.w - l->pad - right_x;
    const int side = mini_(right_w, (m.y + m.h - top) * 55 / 100);
    l->confusion = rect_(right_x, top, side, side);
    l->gallery = rect_(right_x, top + side + l->pad * 2, right_w, m.y + m.h - (top + side + l->pad * 3));
}

static void templates_(ui_layout *l, const app_state *s) {
    panel_ p = panel_for_(l, 5);
    train_controls_(l, &p, s->host.tmpl_live);
    button_(l, rect_(p.x, p.y, p.w, p.row_h), "next digit", ACT_INSPECT_NEXT, 0);
    const ui_rect m = l->main;
    l->progress = rect_(m.x + l->pad, m.y + l->pad, m.w - 2 * l->pad, l->text_px * 2);
    const int top = l->progress.y + l->progress.h;
    const int avail = m.y + m.h - top;
    l->templates = rect_(m.x + l->pad, top, m.w - 2 * l->pad, avail * 48 / 100);
    l->explain = rect_(m.x + l->pad, top + avail * 50 / 100, m.w - 2 * l->pad, avail * 50 / 100 - l->pad);
}

// Inside the CNN: the first layer's filters, then each layer's maps of one
// digit; the first layer's maps are grids, so a click opens that window.
static void cnn_(ui_layout *l, const app_state *s) {
    panel_ p = {l, l->panel.x + l->pad, l->panel.y + l->pad, l->panel.w - 2 * l->pad,
                l->text_px * 3 / 2, l->pad / 2};
    two_buttons_(&p, "next digit", ACT_INSPECT_NEXT, 0, "training", ACT_OPEN_VIEW, VIEW_TRAIN);
    const ui_rect m = l->main;
    l->progress = rect_(m.x + l->pad, m.y + l->pad, m.w - 2 * l->pad, l->text_px * 2);
    l->maps = rect_(m.x + l->pad, l->progress.y + l->progress.h, m.w - 2 * l->pad,
                    m.y + m.h - (l->progress.y + l->progress.h));
    const nn_net *net = s->host.live_net;
    if (!net || net->model->layers[0].spec.kind != NN_LAYER_CONV) return;
    const nn_layer *l0 = &net->model->layers[0];
    // Row 1: filters (drawn by render); row 2: layer 0's maps, big enough to click.
    const int n = l0->out.c;
    const int gap = l->pad / 2;
    const int filters_h = l->small_px * 5;
    int side = (l->maps.w - (n - 1) * gap) / n;
    side = mini_(side, (l->maps.h - filters_h) / 3);
    const int cell = maxi_(1, side / maxi_(l0->out.h, l0->out.w));
    const int y = l->maps.y + filters_h + l->small_px * 2;
    for (int f = 0; f < n && l->n_grids < LAYOUT_MAX_GRIDS; f++) {
        char t[32];
        snprintf(t, sizeof t, "%d", f + 1);
        grid_(l, GRID_FMAP, f, l0->out.h, l0->out.w, 0, 0, l->maps.x + f * (cell * l0->out.w + gap), y, cell, t);
    }
}

static void draw_(ui_layout *l, const app_state *s) {
    panel_ p = {l, l->panel.x + l->pad, l->panel.y + l->pad, l->panel.w - 2 * l->pad,
                l->text_px * 3 / 2, l->pad / 2};
    two_buttons_(&p, "clear", ACT_DRAW_CLEAR, 0, "undo", ACT_DRAW_UNDO, 0);
    stepper_row_(&p, "pen", ACT_BRUSH, s->draw.brush, 2, 10);
    p.y += p.gap;
    two_buttons_(&p, "shipped", ACT_DRAW_MODEL, 0, "live", ACT_DRAW_MODEL, 1);
    l->buttons[l->n_buttons - 2].active = !s->draw.live;
    l->buttons[l->n_buttons - 1].active = s->draw.live;
    l->buttons[l->n_buttons - 2].enabled = s->draw.live;
    l->buttons[l->n_buttons - 1].enabled = !s->draw.live && s->host.live_net != NULL;
    const ui_rect m = l->main;
    const int side = mini_(m.h - 2 * l->pad - l->small_px * 2, (m.w - 3 * l->pad) / 2);
    l->canvas = rect_(m.x + l->pad, m.y + l->pad + l->small_px * 2, side, side);
    const int rx = l->canvas.x + side + l->pad * 2, rw = m.x + m.w - l->pad - rx;
    const int prep = mini_(rw / 3, side / 3);
    l->prepared = rect_(rx, l->canvas.y, prep, prep);
    l->probs = rect_(rx + prep + l->pad * 2, l->canvas.y, rw - prep - l->pad * 2, prep + l->pad * 4);
    l->maps = rect_(rx, l->probs.y + l->probs.h + l->small_px * 3, rw, m.y + m.h - (l->probs.y + l->probs.h + l->small_px * 3));
}

// The lesson menu: one row per lesson, as many as fit above the footer, the
// page that holds the focused lesson; turning pages moves the focus by a page.
static void lessons_(ui_layout *l, const app_state *s, int top, int bottom) {
    const int bh = l->text_px * 2, step = bh + l->pad;
    const int y0 = top + l->text_px * 3;
    l->list_note = rect_(l->pad * 2, bottom - l->small_px * 2 - l->pad, l->w - 4 * l->pad, l->small_px * 2);
    // Rows end above the page note; the buttons left for rows bound the page too.
    const int fit = (l->list_note.y - l->pad - y0 + l->pad) / step;
    l->list_page = maxi_(1, mini_(fit, LAYOUT_MAX_BUTTONS - 3));
    const int n = s->host.lessons ? s->host.n_lessons : 0;
    const int focus = n ? (s->lesson_focus < 0 ? 0 : s->lesson_focus >= n ? n - 1 : s->lesson_focus) : 0;
    l->list_first = focus / l->list_page * l->list_page;
    l->list_shown = mini_(l->list_page, n - l->list_first);
    // A title on the left, the error of a broken lesson on the right (render.c).
    const int bw = mini_((l->w - 4 * l->pad) / 2, l->text_px * 26);
    for (int k = 0; k < l->list_shown; k++) {
        const int i = l->list_first + k;
        const lesson_entry *e = &s->host.lessons[i];
        ui_button *b = button_(l, rect_(l->pad * 2, y0 + k * step, bw, bh), e->title[0] ? e->title : e->name,
                               ACT_LESSON_OPEN, i);
        if (!b) break;
        b->active = focus == i;
        b->enabled = e->error[0] == '\0';
    }
    if (n > l->list_page) {  // page buttons, right of the page note
        const int pw = l->text_px * 6, ph = l->small_px * 2;
        ui_button *prev = button_(l, rect_(l->w - 2 * (pw + l->pad), l->list_note.y, pw, ph), "< page",
                                  ACT_LESSON_FOCUS, l->list_first - l->list_page);
        ui_button *next = button_(l, rect_(l->w - pw - l->pad * 2, l->list_note.y, pw, ph), "page >",
                                  ACT_LESSON_FOCUS, l->list_first + l->list_page);
        if (prev) prev->enabled = l->list_first > 0;
        if (next) next->enabled = l->list_first + l->list_page < n;
        // The note ends where the buttons begin: text never runs under them.
        l->list_note.w = maxi_(0, l->w - 2 * (pw + l->pad) - l->pad - l->list_note.x);
    }
}

void layout_compute(ui_layout *l, const app_state *s, int w, int h, const ui_metrics *m) {
    memset(l, 0, sizeof *l);
    l->w = w;
    l->h = h;
    // Type scales with the window's height and the zoom, for a projector.
    l->text_px = maxi_(10, mini_(72, h * s->zoom / 3600));
    l->small_px = maxi_(9, l->text_px * 4 / 5);
    l->title_px = l->text_px * 13 / 10;
    l->pad = maxi_(4, l->text_px / 2);
    l->header = rect_(0, 0, w, l->title_px * 2);
    l->footer = rect_(0, h - l->small_px * 2, w, l->small_px * 2);
    // A lesson's narration takes the bottom of the screen, above the footer.
    if (s->player.l && s->view != VIEW_HOME && s->view != VIEW_LESSONS) {
        const int nh = l->text_px * 8;
        l->narration = rect_(0, l->footer.y - nh, w, nh);
        l->footer.h = 0;
        l->footer.y = h;
        l->narration.y = h - nh;
    }
    const int top = l->header.h, bottom = l->narration.h ? l->narration.y : l->footer.y;
    if (s->view == VIEW_HOME) {
        l->main = rect_(0, top, w, bottom - top);
        home_(l, s);
        return;
    }
    if (s->view == VIEW_LESSONS) {
        l->main = rect_(0, top, w, bottom - top);
        const int hw = l->text_px * 5;
        button_(l, rect_(w - hw - l->pad, (l->header.h - l->text_px * 3 / 2) / 2, hw, l->text_px * 3 / 2), "home",
                ACT_HOME, 0);
        lessons_(l, s, top, bottom);
        return;
    }
    const int panel_w = mini_(w / 3, maxi_(l->text_px * 14, w / 5));
    l->panel = rect_(w - panel_w, top, panel_w, bottom - top);
    l->main = rect_(0, top, w - panel_w, bottom - top);
    // "home" sits in the header, on the right.
    const int hw = l->text_px * 5;
    button_(l, rect_(w - hw - l->pad, (l->header.h - l->text_px * 3 / 2) / 2, hw, l->text_px * 3 / 2),
            "home", ACT_HOME, 0);
    if (l->narration.h) {
        // back, next, restart, autoplay, close: on the right of the narration
        static const struct {
            const char *label;
            app_action_kind kind;
        } nav[] = {{"back", ACT_LESSON_BACK}, {"next", ACT_LESSON_NEXT}, {"restart", ACT_LESSON_RESTART},
                   {"autoplay", ACT_LESSON_AUTOPLAY}, {"close", ACT_LESSON_CLOSE}};
        const int bw = l->text_px * 5, bh = l->text_px * 3 / 2;
        for (int i = 0; i < 5; i++) {
            ui_button *b = button_(l, rect_(w - (5 - i) * (bw + l->pad / 2) - l->pad, l->narration.y + l->pad, bw, bh),
                                   nav[i].label, nav[i].kind, 0);
            if (b && nav[i].kind == ACT_LESSON_AUTOPLAY) b->active = s->player.autoplay;
            if (b && nav[i].kind == ACT_LESSON_NEXT) b->enabled = s->player.pc < s->player.l->n;
            if (b && nav[i].kind == ACT_LESSON_BACK) b->enabled = s->player.beat > 0;
        }
    }
    switch (s->view) {
    case VIEW_CONV: conv_(l, s, m); break;
    case VIEW_POOL: pool_(l, s); break;
    case VIEW_TRAIN: train_(l, s); break;
    case VIEW_TEMPLATES: templates_(l, s); break;
    case VIEW_DRAW: draw_(l, s); break;
    case VIEW_CNN: cnn_(l, s); break;
    default: break;
    }
}

static bool inside_(ui_rect r, int x, int y) {
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

app_action layout_hit(const ui_layout *l, int x, int y) {
    app_action none = {.kind = ACT_NONE};
    for (int i = 0; i < l->n_buttons; i++)
        if (l->buttons[i].enabled && inside_(l->buttons[i].r, x, y)) return l->buttons[i].action;
    for (int i = 0; i < l->n_grids; i++) {
        const ui_grid *g = &l->grids[i];
        if (!inside_(g->r, x, y) || g->cell <= 0) continue;
        app_action a = {.kind = ACT_SELECT_CELL};
        a.cell.grid = g->id;
        a.cell.channel = g->channel;
        a.cell.row = g->row0 + (y - g->r.y) / g->cell;
        a.cell.col = g->col0 + (x - g->r.x) / g->cell;
        if (a.cell.row < 0 || a.cell.col < 0 || a.cell.row >= g->data_rows ||
            a.cell.col >= g->data_cols)
            return none;  // a padding cell: nothing to edit
        return a;
    }
    return none;
}
