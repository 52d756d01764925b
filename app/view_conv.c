// view_conv.c - the convolution view: one filter over 1..3 input channels,
// its set-up (size, kernel, padding, stride, dilation, presets), the
// engine's forward pass and the step-by-step record of each output cell,
// its keys and its layout. Its renderer is view_conv_render.c.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "anim.h"
#include "matrix.h"
#include "views.h"

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// ---- Presets ---------------------------------------------------------------------------------

static const char *const preset_names_[PRESET_COUNT] = {
    "identity", "box blur", "Gaussian", "sharpen", "Laplacian",
    "Sobel vertical", "Sobel horizontal", "emboss", "custom",
};

// The 3x3 kernels; other sizes are derived in app_preset_kernel.
static const float presets3_[PRESET_CUSTOM][3][3] = {
    {{0, 0, 0}, {0, 1, 0}, {0, 0, 0}},
    {{1.0f / 9, 1.0f / 9, 1.0f / 9}, {1.0f / 9, 1.0f / 9, 1.0f / 9}, {1.0f / 9, 1.0f / 9, 1.0f / 9}},
    {{1.0f / 16, 2.0f / 16, 1.0f / 16}, {2.0f / 16, 4.0f / 16, 2.0f / 16}, {1.0f / 16, 2.0f / 16, 1.0f / 16}},
    {{0, -1, 0}, {-1, 5, -1}, {0, -1, 0}},
    {{0, 1, 0}, {1, -4, 1}, {0, 1, 0}},
    {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}},
    {{-1, -2, -1}, {0, 0, 0}, {1, 2, 1}},
    {{-2, -1, 0}, {-1, 1, 1}, {0, 1, 2}},
};

const char *app_preset_name(app_preset p) {
    return p >= 0 && p < PRESET_COUNT ? preset_names_[p] : "?";
}


void app_preset_kernel(app_preset p, int k, float kernel[VIEW_MAX_K][VIEW_MAX_K]) {
    memset(kernel, 0, sizeof(float) * VIEW_MAX_K * VIEW_MAX_K);
    if (p == PRESET_BOX_BLUR) {
        for (int y = 0; y < k; y++)
            for (int x = 0; x < k; x++) kernel[y][x] = 1.0f / (float)(k * k);
        return;
    }
    if (p == PRESET_GAUSSIAN) {
        // Binomial weights: the row of Pascal's triangle, outer product, normalised.
        double row[VIEW_MAX_K] = {1};
        for (int i = 1; i < k; i++)
            for (int j = i; j > 0; j--) row[j] += row[j - 1];
        double total = 0;
        for (int i = 0; i < k; i++) total += row[i];
        for (int y = 0; y < k; y++)
            for (int x = 0; x < k; x++) kernel[y][x] = (float)(row[y] * row[x] / (total * total));
        return;
    }
    if (p == PRESET_IDENTITY || k < 3 || p >= PRESET_CUSTOM) {
        kernel[(k - 1) / 2][(k - 1) / 2] = 1.0f;
        return;
    }
    const int o = (k - 3) / 2;  // the 3x3 preset in the middle of a larger kernel
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) kernel[o + y][o + x] = presets3_[p][y][x];
}


// The set-up's input and kernel as the engine lays them out:
//   in [channels][n_h][n_w], w [channels][k][k] (the view's one filter)
static void pack_conv_(const conv_setup *c, float *in, float *w) {
    for (int ch = 0; ch < c->channels; ch++)
        for (int y = 0; y < c->n_h; y++)
            for (int x = 0; x < c->n_w; x++) in[(ch * c->n_h + y) * c->n_w + x] = c->input[ch][y][x];
    for (int ch = 0; ch < c->channels; ch++)
        for (int y = 0; y < c->k; y++)
            for (int x = 0; x < c->k; x++) w[(ch * c->k + y) * c->k + x] = c->kernel[ch][y][x];
}

// Copies the engine's record of output cell `index` into the state.
static void load_step_(app_state *s, int index) {
    conv_step_view *v = &s->conv.step;
    v->valid = false;
    if (!s->conv.ok || index < 0 || index >= s->conv.anim.total) return;
    const conv_setup *c = &s->conv.setup;
    float in[VIEW_MAX_C * VIEW_MAX_N * VIEW_MAX_N], w[VIEW_MAX_WINDOW];
    pack_conv_(c, in, w);
    nn_conv2d_cursor cur;
    if (nn_conv2d_cursor_init(&cur, &s->conv.geom, in, w, &c->bias, NULL) != NN_OK) return;
    nn_conv2d_step st;
    if (nn_conv2d_step_at(&cur, index, &st)) {
        v->valid = true;
        v->filter = st.filter;
        v->row = st.row;
        v->col = st.col;
        v->origin_row = st.origin_row;
        v->origin_col = st.origin_col;
        v->count = st.count;
        memcpy(v->window, st.window, sizeof(float) * (size_t)st.count);
        memcpy(v->weights, st.weights, sizeof(float) * (size_t)st.count);
        memcpy(v->products, st.products, sizeof(float) * (size_t)st.count);
        memcpy(v->running, st.running, sizeof(float) * (size_t)st.count);
        memcpy(v->padded, st.padded, (size_t)st.count);
        memcpy(v->in_row, st.in_row, sizeof(int) * (size_t)st.count);
        memcpy(v->in_col, st.in_col, sizeof(int) * (size_t)st.count);
        v->bias = st.bias;
        v->sum = st.sum;
    }
    nn_conv2d_cursor_destroy(&cur);
}

// Checks the set-up, runs the forward pass and restarts the animation at
// cell `keep` (clamped) with everything shown, or at the start when keep < 0.
static void recompute_(app_state *s, int keep) {
    const conv_setup *c = &s->conv.setup;
    nn_conv2d_config cfg = {.in_c = c->channels, .in_h = c->n_h, .in_w = c->n_w, .filters = 1,
                            .k_h = c->k, .k_w = c->k, .stride = c->stride,
                            .dilation = c->dilation, .padding = c->padding};
    nn_error e;
    s->conv.ok = nn_conv2d_geom_init(&s->conv.geom, &cfg, &e) == NN_OK;
    if (!s->conv.ok) {
        snprintf(s->conv.why, sizeof s->conv.why, "%s", e.msg);
    } else if (s->conv.geom.out_h > VIEW_MAX_OUT || s->conv.geom.out_w > VIEW_MAX_OUT) {
        s->conv.ok = false;
        snprintf(s->conv.why, sizeof s->conv.why, "the output would be %dx%d, more than this view shows",
                 s->conv.geom.out_h, s->conv.geom.out_w);
    }
    anim_state *a = &s->conv.anim;
    a->total = s->conv.ok ? s->conv.geom.out_h * s->conv.geom.out_w : 0;
    a->playing = a->playing && s->conv.ok;
    a->clock_ms = 0;
    if (!s->conv.ok) {
        a->pos = a->reveal = 0;
        s->conv.step.valid = false;
        return;
    }
    float in[VIEW_MAX_C * VIEW_MAX_N * VIEW_MAX_N], w[VIEW_MAX_WINDOW];
    pack_conv_(c, in, w);
    nn_conv2d_forward(&s->conv.geom, s->conv.out, in, w, &c->bias, 1);
    anim_restart_at(a, keep, s->conv.geom.window);
    load_step_(s, a->pos);
}

bool app_set_conv(app_state *s, const conv_setup *c) {
    s->conv.setup = *c;
    s->conv.anim.playing = false;
    recompute_(s, -1);
    return s->conv.ok;
}

// The controls on the right: 14 rows.
static void controls_(ui_layout *l, const app_state *s) {
    const conv_setup *c = &s->conv.setup;
    ui_panel p = layout_panel_fit(l, 14);
    layout_transport(&p, &s->conv.anim);
    p.y += p.gap;
    const int pad_value = c->padding.mode == NN_PAD_EXPLICIT ? c->padding.p : 0;
    layout_stepper(&p, ACT_SET_SIZE, c->n_h, VIEW_MIN_N, VIEW_MAX_N);
    layout_stepper(&p, ACT_SET_KERNEL, c->k, 1, VIEW_MAX_K);
    ui_button_pair pad = layout_stepper(&p, ACT_SET_PADDING, pad_value, 0, 3);
    if (c->padding.mode != NN_PAD_EXPLICIT) {  // from valid/same, +/- go to explicit 0/1
        pad.first->action.value = 0;
        pad.first->enabled = true;
        pad.second->action.value = 1;
    }
    ui_button_pair modes = layout_two_buttons(&p, "valid", ACT_SET_PADDING, -1, "same", ACT_SET_PADDING, -2);
    modes.first->active = c->padding.mode == NN_PAD_VALID || (c->padding.mode == NN_PAD_EXPLICIT && c->padding.p == 0);
    modes.second->active = c->padding.mode == NN_PAD_SAME;
    layout_stepper(&p, ACT_SET_STRIDE, c->stride, 1, 4);
    layout_stepper(&p, ACT_SET_DILATION, c->dilation, 1, 3);
    layout_stepper(&p, ACT_SET_CHANNELS, c->channels, 1, VIEW_MAX_C);
    p.y += p.gap;
    for (int i = 0; i < PRESET_CUSTOM; i += 2) {
        ui_button_pair b = layout_two_buttons(&p, app_preset_name((app_preset)i), ACT_PRESET, i,
                                              app_preset_name((app_preset)(i + 1)), ACT_PRESET, i + 1);
        b.first->active = (int)c->preset == i;
        b.second->active = (int)c->preset == i + 1;
    }
    layout_two_buttons(&p, "randomise", ACT_RANDOMISE, 0, "load a digit", ACT_LOAD_DIGIT, -1);
}

// The grids share one cell size, the formula and the arithmetic below them.
static void layout_(ui_layout *l, const app_state *s, const ui_metrics *m) {
    const conv_setup *c = &s->conv.setup;
    controls_(l, s);

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
    const ui_rect area = ui_rect_at(l->main.x + l->pad, l->main.y + l->pad, l->main.w - 2 * l->pad,
                               l->main.h * 56 / 100);
    const int gap = ui_max(l->pad, ui_min(l->pad * 3, area.w / 40));
    // A column is at least as wide as its title (bold: a tenth more than measured).
    const int title_w = m ? m->text_width(m->ctx, ch > 1 ? "input 3" : "input", l->small_px, false) * 11 / 10 : 0;
    const int kernel_w = m ? m->text_width(m->ctx, ch > 1 ? "kernel 3" : "kernel", l->small_px, false) * 11 / 10 : 0;
    const int out_title_w = m ? m->text_width(m->ctx, "output", l->small_px, false) * 11 / 10 : 0;
    const int legend_w = ui_min(l->text_px * 6, area.w / 8);
    // The extent of each arrangement at a cell size: the largest cell that
    // fits the area wins (titles and the legend count, so zoom cannot push
    // grids under the panel).
    int best_cell = 0;
    bool side = false;
    for (int arrangement = 0; arrangement < (ch > 1 ? 2 : 1); arrangement++) {
        for (int cell = ui_min(l->text_px * 3, area.h); cell >= 4; cell--) {
            int right, bottom;
            if (arrangement == 0) {
                right = area.x + ui_max(in_cols * cell, title_w) + gap + ui_max(c->k * cell, kernel_w) + gap +
                        ui_max(ui_max(out_cols * cell, out_title_w), legend_w);
                bottom = area.y + ui_max(ch * (title_h + in_rows * cell + l->pad),
                                        ui_max(ch * (title_h + c->k * cell + l->pad) + title_h + cell,
                                              title_h + out_rows * cell + l->pad * 2 + l->small_px * 2));
            } else {
                right = area.x + ch * (ui_max(in_cols * cell, title_w) + gap) +
                        ui_max(ui_max(out_cols * cell, out_title_w), legend_w);
                bottom = area.y + ui_max(2 * title_h + (in_rows + c->k) * cell + l->pad,
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
    const int cell = ui_max(4, best_cell);
    char t[64];
    if (!side) {
        int x = area.x, y = area.y;
        for (int k = 0; k < ch; k++) {
            snprintf(t, sizeof t, ch > 1 ? "input %d" : "input", k + 1);
            ui_grid *g = layout_grid(l, GRID_INPUT, k, in_rows, in_cols, -plo_r, -plo_c, x, y + title_h, cell, t);
            if (g) g->data_rows = c->n_h, g->data_cols = c->n_w;
            y += title_h + in_rows * cell + l->pad;
        }
        x += ui_max(in_cols * cell, title_w) + gap;
        y = area.y;
        for (int k = 0; k < ch; k++) {
            snprintf(t, sizeof t, ch > 1 ? "kernel %d" : "kernel", k + 1);
            layout_grid(l, GRID_KERNEL, k, c->k, c->k, 0, 0, x, y + title_h, cell, t);
            y += title_h + c->k * cell + l->pad;
        }
        layout_grid(l, GRID_BIAS, 0, 1, 1, 0, 0, x, y + title_h, cell, "bias");
        x += ui_max(c->k * cell, kernel_w) + gap;
        if (s->conv.ok) layout_grid(l, GRID_OUTPUT, 0, out_rows, out_cols, 0, 0, x, area.y + title_h, cell, "output");
        l->legend = ui_rect_at(x, area.y + title_h + out_rows * cell + l->pad * 2,
                          ui_max(legend_w, ui_min(out_cols * cell, l->text_px * 10)), l->small_px);
    } else {
        int x = area.x;
        const int col_w = ui_max(in_cols * cell, title_w);
        for (int k = 0; k < ch; k++) {
            snprintf(t, sizeof t, "input %d", k + 1);
            ui_grid *g = layout_grid(l, GRID_INPUT, k, in_rows, in_cols, -plo_r, -plo_c, x, area.y + title_h, cell, t);
            if (g) g->data_rows = c->n_h, g->data_cols = c->n_w;
            snprintf(t, sizeof t, "kernel %d", k + 1);
            layout_grid(l, GRID_KERNEL, k, c->k, c->k, 0, 0, x, area.y + 2 * title_h + in_rows * cell + l->pad, cell, t);
            x += col_w + gap;
        }
        if (s->conv.ok) layout_grid(l, GRID_OUTPUT, 0, out_rows, out_cols, 0, 0, x, area.y + title_h, cell, "output");
        const int below_out = area.y + title_h + out_rows * cell;
        l->legend = ui_rect_at(x, below_out + l->pad * 2, ui_max(legend_w, ui_min(ui_max(out_cols * cell, out_title_w), l->text_px * 10)),
                          l->small_px);
        // The bias beside the last kernel, inside that input's column.
        const int kx = area.x + (ch - 1) * (col_w + gap) + c->k * cell + gap;
        layout_grid(l, GRID_BIAS, 0, 1, 1, 0, 0, kx, area.y + 2 * title_h + in_rows * cell + l->pad, cell, "bias");
    }

    const int below = area.y + area.h + l->pad;
    l->formula = ui_rect_at(l->main.x + l->pad, below, l->main.w - 2 * l->pad, l->text_px * 5);
    l->arithmetic = ui_rect_at(l->main.x + l->pad, l->formula.y + l->formula.h + l->pad,
                          l->main.w - 2 * l->pad, l->main.y + l->main.h - (l->formula.y + l->formula.h + l->pad));
}

// ---- Changing the set-up -----------------------------------------------------------------------

// The digit shown, cropped into the current input size, in every channel.
static void place_digit_(app_state *s) {
    conv_setup *c = &s->conv.setup;
    if (s->digit < 0 || !s->host.digits) return;
    for (int y = 0; y < c->n_h; y++)
        for (int x = 0; x < c->n_w; x++)
            for (int ch = 0; ch < c->channels; ch++) c->input[ch][y][x] = app_digit_pixel(s, y, x, c->n_h, c->n_w);
}

static void set_kernel_size_(app_state *s, int k) {
    conv_setup *c = &s->conv.setup;
    c->k = clampi_(k, 1, VIEW_MAX_K);
    if (c->preset != PRESET_CUSTOM)
        for (int ch = 0; ch < VIEW_MAX_C; ch++) app_preset_kernel(c->preset, c->k, c->kernel[ch]);
    recompute_(s, -1);
}

static void set_padding_(app_state *s, nn_padding p) {
    if (p.mode == NN_PAD_EXPLICIT) p.p = clampi_(p.p, 0, 3);
    s->conv.setup.padding = p;
    recompute_(s, -1);
}

// valid -> same -> 1 -> 2 -> 3 -> valid
static void cycle_padding_(app_state *s) {
    const nn_padding p = s->conv.setup.padding;
    nn_padding next;
    if (p.mode == NN_PAD_VALID || (p.mode == NN_PAD_EXPLICIT && p.p == 0)) {
        next.mode = NN_PAD_SAME;
        next.p = 0;
    } else if (p.mode == NN_PAD_SAME) {
        next = nn_padding_explicit(1);
    } else if (p.p >= 3) {
        next.mode = NN_PAD_VALID;
        next.p = 0;
    } else {
        next = nn_padding_explicit(p.p + 1);
    }
    set_padding_(s, next);
}

static void set_cell_(app_state *s, const cell_ref *c, float v) {
    const int keep = s->conv.anim.pos;
    if (c->grid == GRID_INPUT) {
        s->conv.setup.input[c->channel][c->row][c->col] = v;
        s->digit = -1;
    } else if (c->grid == GRID_KERNEL) {
        s->conv.setup.kernel[c->channel][c->row][c->col] = v;
        s->conv.setup.preset = PRESET_CUSTOM;
    } else if (c->grid == GRID_BIAS) {
        s->conv.setup.bias = v;
    }
    recompute_(s, keep);
}

static anim_target anim_of_(app_state *s) {
    anim_target t = {&s->conv.anim, s->conv.geom.window, s->conv.geom.out_w, s->conv.step.valid, load_step_};
    return t;
}

static void update_(app_state *s, const app_action *a) {
    conv_setup *c = &s->conv.setup;
    const anim_target t = anim_of_(s);
    if (anim_update(s, &t, a)) return;
    switch (a->kind) {
    case ACT_SET_SIZE:
        c->n_h = c->n_w = clampi_(a->value, VIEW_MIN_N, VIEW_MAX_N);
        place_digit_(s);
        recompute_(s, -1);
        return;
    case ACT_SET_KERNEL: set_kernel_size_(s, a->value); return;
    case ACT_SET_PADDING: {
        nn_padding p = {NN_PAD_EXPLICIT, a->value};
        if (a->value == -1) p.mode = NN_PAD_VALID, p.p = 0;
        if (a->value == -2) p.mode = NN_PAD_SAME, p.p = 0;
        set_padding_(s, p);
        return;
    }
    case ACT_CYCLE_PADDING: cycle_padding_(s); return;
    case ACT_SET_STRIDE: c->stride = clampi_(a->value, 1, 4); recompute_(s, -1); return;
    case ACT_SET_DILATION: c->dilation = clampi_(a->value, 1, 3); recompute_(s, -1); return;
    case ACT_SET_CHANNELS:
        c->channels = clampi_(a->value, 1, VIEW_MAX_C);
        place_digit_(s);
        recompute_(s, -1);
        return;
    case ACT_PRESET:
        if (a->value < 0 || a->value >= PRESET_CUSTOM) return;
        c->preset = (app_preset)a->value;
        for (int ch = 0; ch < VIEW_MAX_C; ch++) app_preset_kernel(c->preset, c->k, c->kernel[ch]);
        recompute_(s, -1);
        return;
    case ACT_RANDOMISE:
        s->digit = -1;
        for (int ch = 0; ch < VIEW_MAX_C; ch++)
            for (int y = 0; y < VIEW_MAX_N; y++)
                for (int x = 0; x < VIEW_MAX_N; x++) c->input[ch][y][x] = (float)app_rand_below(&s->rng_state, 5);
        recompute_(s, -1);
        return;
    case ACT_LOAD_DIGIT:
        if (!app_pick_digit(s, a->value)) return;
        place_digit_(s);
        recompute_(s, -1);
        return;
    case ACT_SET_CELL: set_cell_(s, &a->cell, a->fx); return;
    default: return;
    }
}

static void tick_(app_state *s, double ms) {
    const anim_target t = anim_of_(s);
    anim_tick(s, &t, ms);
}

// ---- Keys ---------------------------------------------------------------------------------------

static app_action kernel_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_KERNEL, .value = s->conv.setup.k + d};
}
static app_action size_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_SIZE, .value = s->conv.setup.n_h + d};
}
static app_action stride_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_STRIDE, .value = s->conv.setup.stride + d};
}
static app_action dilation_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_DILATION, .value = s->conv.setup.dilation + d};
}
static app_action channels_next_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l, (void)d;
    return (app_action){.kind = ACT_SET_CHANNELS, .value = s->conv.setup.channels % VIEW_MAX_C + 1};
}

static const key_binding keys_[] = {
    ANIM_KEYS,
    {'n', 0, ACT_SET_SIZE, 1, size_up_, KEYF_SETUP, "input size up"},
    {'n', KEYMOD_SHIFT, ACT_SET_SIZE, -1, size_up_, KEYF_SETUP, "input size down"},
    {'k', 0, ACT_SET_KERNEL, 1, kernel_up_, KEYF_SETUP, "kernel size up"},
    {'k', KEYMOD_SHIFT, ACT_SET_KERNEL, -1, kernel_up_, KEYF_SETUP, "kernel size down"},
    {'p', 0, ACT_CYCLE_PADDING, 0, NULL, KEYF_SETUP, "padding: valid, same, 1, 2, 3"},
    {'s', 0, ACT_SET_STRIDE, 1, stride_up_, KEYF_SETUP, "stride up"},
    {'s', KEYMOD_SHIFT, ACT_SET_STRIDE, -1, stride_up_, KEYF_SETUP, "stride down"},
    {'d', 0, ACT_SET_DILATION, 1, dilation_up_, KEYF_SETUP, "dilation up"},
    {'d', KEYMOD_SHIFT, ACT_SET_DILATION, -1, dilation_up_, KEYF_SETUP, "dilation down"},
    {'c', 0, ACT_SET_CHANNELS, 0, channels_next_, KEYF_SETUP, "input channels 1, 2, 3"},
    {'1', 0, ACT_PRESET, PRESET_IDENTITY, NULL, KEYF_SETUP, "kernel: identity"},
    {'2', 0, ACT_PRESET, PRESET_BOX_BLUR, NULL, KEYF_SETUP, "kernel: box blur"},
    {'3', 0, ACT_PRESET, PRESET_GAUSSIAN, NULL, KEYF_SETUP, "kernel: Gaussian"},
    {'4', 0, ACT_PRESET, PRESET_SHARPEN, NULL, KEYF_SETUP, "kernel: sharpen"},
    {'5', 0, ACT_PRESET, PRESET_LAPLACIAN, NULL, KEYF_SETUP, "kernel: Laplacian"},
    {'6', 0, ACT_PRESET, PRESET_SOBEL_VERTICAL, NULL, KEYF_SETUP, "kernel: Sobel vertical"},
    {'7', 0, ACT_PRESET, PRESET_SOBEL_HORIZONTAL, NULL, KEYF_SETUP, "kernel: Sobel horizontal"},
    {'8', 0, ACT_PRESET, PRESET_EMBOSS, NULL, KEYF_SETUP, "kernel: emboss"},
    {'r', 0, ACT_RANDOMISE, 0, NULL, KEYF_SETUP, "random input"},
    {'g', 0, ACT_LOAD_DIGIT, -1, NULL, KEYF_SETUP, "load the next real digit"},
};

// ---- What lessons read and set ----------------------------------------------------------------------

static void op_(const app_state *s, view_op *o) {
    *o = (view_op){s->conv.ok, s->conv.why, &s->conv.geom.rows, &s->conv.geom.cols, s->conv.geom.out_h,
                   s->conv.geom.out_w, s->conv.out, NULL, &s->conv.anim};
}

static bool lesson_input_(app_state *s, const app_matrix *m, char *err, int size) {
    if (m->c > VIEW_MAX_C || m->h > VIEW_MAX_N || m->w > VIEW_MAX_N) {
        snprintf(err, (size_t)size, "the convolution view takes up to %d channels of %dx%d", VIEW_MAX_C, VIEW_MAX_N,
                 VIEW_MAX_N);
        return false;
    }
    conv_setup cs = s->conv.setup;
    cs.channels = m->c;
    cs.n_h = m->h;
    cs.n_w = m->w;
    for (int ch = 0; ch < m->c; ch++)
        for (int y = 0; y < m->h; y++)
            for (int x = 0; x < m->w; x++) cs.input[ch][y][x] = m->values[((size_t)ch * m->h + y) * m->w + x];
    app_set_conv(s, &cs);
    return true;
}

// ---- Life cycle ---------------------------------------------------------------------------------

// The lecture example: a 5x5 image of small integers and a 3x3 kernel; the
// cells outside the 5x5 get small integers too, so a larger input is ready.
static void reset_(app_state *s) {
    memset(&s->conv, 0, sizeof s->conv);
    s->conv.anim.speed = 2;
    static const float image[5][5] = {{3, 3, 2, 1, 0}, {0, 0, 1, 3, 1}, {3, 1, 2, 2, 3},
                                      {2, 0, 0, 2, 2}, {2, 0, 0, 0, 1}};
    static const float kernel[3][3] = {{0, 1, 2}, {2, 2, 0}, {0, 1, 2}};
    conv_setup c;
    memset(&c, 0, sizeof c);
    c.n_h = c.n_w = 5;
    c.channels = 1;
    c.k = 3;
    c.padding.mode = NN_PAD_VALID;
    c.stride = c.dilation = 1;
    c.preset = PRESET_CUSTOM;
    uint64_t rng = app_rng_stream(APP_RNG_CONV);
    for (int ch = 0; ch < VIEW_MAX_C; ch++)
        for (int y = 0; y < VIEW_MAX_N; y++)
            for (int x = 0; x < VIEW_MAX_N; x++) c.input[ch][y][x] = (float)app_rand_below(&rng, 4);
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) c.input[0][y][x] = image[y][x];
    for (int ch = 0; ch < VIEW_MAX_C; ch++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++) c.kernel[ch][y][x] = kernel[y][x];
    app_set_conv(s, &c);
}

const view_def view_conv = {
    .id = VIEW_CONV,
    .name = "conv",
    .title = "convolution",
    .menu = "Convolution",
    .keys = KEY_TABLE("convolution", keys_),
    .mouse = "click an input, kernel or bias cell to type a new value; click an output cell to see its window",
    .has_panel = true,
    .layout = layout_,
    .update = update_,
    .tick = tick_,
    .op = op_,
    .lesson_input = lesson_input_,
    .reset = reset_,
};
