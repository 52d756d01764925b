// view_conv.c - the convolution view: 1..4 filters over 1..6 input channels,
// its set-up (size, kernels, padding, stride, dilation, presets), the
// engine's forward pass and the step-by-step record of each output cell,
// its keys and its layout. Its renderer is view_conv_render.c.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "anim.h"
#include "format.h"
#include "matrix.h"
#include "view_conv_legend.h"
#include "view_conv_open.h"
#include "view_export.h"
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


// The set-up's input and kernels as the engine lays them out:
//   in [channels][n_h][n_w], w [filters][channels][k][k]
static void pack_conv_(const conv_setup *c, float *in, float *w) {
    for (int ch = 0; ch < c->channels; ch++)
        for (int y = 0; y < c->n_h; y++)
            for (int x = 0; x < c->n_w; x++) in[(ch * c->n_h + y) * c->n_w + x] = c->input[ch][y][x];
    for (int f = 0; f < c->filters; f++)
        for (int ch = 0; ch < c->channels; ch++)
            for (int y = 0; y < c->k; y++)
                for (int x = 0; x < c->k; x++)
                    w[((f * c->channels + ch) * c->k + y) * c->k + x] = conv_sliding_weight(c, f, ch, y, x);
}

float conv_sliding_weight(const conv_setup *c, int f, int ch, int y, int x) {
    return c->flip ? c->kernel[f][ch][c->k - 1 - y][c->k - 1 - x] : c->kernel[f][ch][y][x];
}

int conv_view_filter(const conv_view *v) {
    const int plane = v->ok ? v->geom.out_h * v->geom.out_w : 0;
    return plane > 0 ? clampi_(v->anim.pos / plane, 0, v->setup.filters - 1) : 0;
}

int conv_view_channel(const conv_view *v) { return clampi_(v->channel_pick, 0, v->setup.channels - 1); }

// The channel shown follows the products as they are added one by one (the
// newest one's); a whole cell at a time leaves the one picked.
static void follow_products_(conv_view *v) {
    const int per = v->setup.k * v->setup.k, reveal = v->anim.reveal;
    if (v->ok && per > 0 && reveal > 0 && reveal < v->geom.window)
        v->channel_pick = clampi_((reveal - 1) / per, 0, v->setup.channels - 1);
}

// The presets new filters get, in order (the first one no other filter uses):
// edges first, as a network's first filters often are.
static const app_preset new_filter_presets_[] = {PRESET_SOBEL_VERTICAL, PRESET_SOBEL_HORIZONTAL, PRESET_LAPLACIAN,
                                                 PRESET_BOX_BLUR,       PRESET_SHARPEN,          PRESET_EMBOSS,
                                                 PRESET_GAUSSIAN,       PRESET_IDENTITY};

static void add_filter_(conv_setup *c) {
    if (c->filters >= VIEW_MAX_F) return;
    const int f = c->filters++;
    app_preset p = PRESET_IDENTITY;
    for (size_t i = 0; i < sizeof new_filter_presets_ / sizeof new_filter_presets_[0]; i++) {
        bool used = false;
        for (int g = 0; g < f; g++) used = used || c->preset[g] == new_filter_presets_[i];
        if (!used) {
            p = new_filter_presets_[i];
            break;
        }
    }
    c->preset[f] = p;
    c->bias[f] = 0;
    for (int ch = 0; ch < VIEW_MAX_C; ch++) app_preset_kernel(p, c->k, c->kernel[f][ch]);
}

void conv_set_filters(conv_setup *c, int n) {
    c->filters = clampi_(c->filters, 1, VIEW_MAX_F);
    n = clampi_(n, 1, VIEW_MAX_F);
    while (c->filters < n) add_filter_(c);
    c->filters = n;
}

void conv_params_text(const conv_setup *c, char *out, size_t size) {
    const int f = c->filters, k = c->k, ch = c->channels;
    const int n = f * (k * k * ch + 1);
    char num[32];
    fmt_thousands(n, num, sizeof num);
    snprintf(out, size, "F \u00d7 (k \u00d7 k \u00d7 C + 1) = %d \u00d7 (%d \u00d7 %d \u00d7 %d + 1) = %s parameter%s", f, k,
             k, ch, num, n == 1 ? "" : "s");
}

// Copies the engine's record of output cell `index` into the state.
static void load_step_(app_state *s, int index) {
    conv_step_view *v = &s->conv.step;
    v->valid = false;
    if (!s->conv.ok || index < 0 || index >= s->conv.anim.total) return;
    const conv_setup *c = &s->conv.setup;
    float in[VIEW_MAX_C * VIEW_MAX_N * VIEW_MAX_N], w[VIEW_MAX_F * VIEW_MAX_WINDOW];
    pack_conv_(c, in, w);
    nn_conv2d_cursor cur;
    if (nn_conv2d_cursor_init(&cur, &s->conv.geom, in, w, c->bias, NULL) != NN_OK) return;
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
    nn_conv2d_config cfg = {.in_c = c->channels, .in_h = c->n_h, .in_w = c->n_w, .filters = c->filters,
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
    a->total = s->conv.ok ? c->filters * s->conv.geom.out_h * s->conv.geom.out_w : 0;
    a->playing = a->playing && s->conv.ok;
    a->clock_ms = 0;
    if (!s->conv.ok) {
        a->pos = a->reveal = 0;
        s->conv.step.valid = false;
        return;
    }
    float in[VIEW_MAX_C * VIEW_MAX_N * VIEW_MAX_N], w[VIEW_MAX_F * VIEW_MAX_WINDOW];
    pack_conv_(c, in, w);
    nn_conv2d_forward(&s->conv.geom, s->conv.out, in, w, c->bias, 1);
    anim_restart_at(a, keep, s->conv.geom.window);
    load_step_(s, a->pos);
}

bool app_set_conv(app_state *s, const conv_setup *c) {
    s->conv.setup = *c;
    s->conv.setup.filters = clampi_(c->filters, 1, VIEW_MAX_F);
    s->conv.setup.channels = clampi_(c->channels, 1, VIEW_MAX_C);
    s->conv.anim.playing = false;
    recompute_(s, -1);
    return s->conv.ok;
}

// The controls on the right: 15 rows (14 where room is short or in a one-filter lesson).
static void controls_(ui_layout *l, const app_state *s) {
    const conv_setup *c = &s->conv.setup;
    if (l->panel_strip) {  // a lesson's set-up is locked: the stepping buttons alone
        ui_panel p = layout_panel_fit(l, 5);
        layout_transport_strip(&p, &s->conv.anim);
        return;
    }
    // The filters' row, except in a lesson with one filter (its set-up is
    // locked: the row would only push the panel's rows under the narration),
    // and where the rows would then need a second column (1280x720 at zoom
    // 200): the filters stay on their keys (f, Shift+F; F1 lists them) and the
    // outputs' headings say how many there are.
    bool filters_row = !s->player.l || c->filters > 1;
    const int wanted = l->panel_cols_wanted;
    ui_panel p = layout_panel_fit(l, 14 + filters_row);
    if (filters_row && l->panel_cols_wanted > 1 && l->panel_cols < 2) {
        l->panel_cols_wanted = wanted;
        p = layout_panel_fit(l, 14);
        filters_row = false;
    }
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
    if (filters_row) layout_stepper(&p, ACT_SET_FILTERS, c->filters, 1, VIEW_MAX_F);
    p.y += p.gap;
    const app_preset now = c->preset[conv_view_filter(&s->conv)];  // the presets set the current filter's kernels
    for (int i = 0; i < PRESET_CUSTOM; i += 2) {
        ui_button_pair b = layout_two_buttons(&p, app_preset_name((app_preset)i), ACT_PRESET, i,
                                              app_preset_name((app_preset)(i + 1)), ACT_PRESET, i + 1);
        b.first->active = (int)now == i;
        b.second->active = (int)now == i + 1;
    }
    layout_two_buttons(&p, "randomise", ACT_RANDOMISE, 0, "load a digit", ACT_LOAD_DIGIT, -1);
}

// ---- Layout ------------------------------------------------------------------------------------
// Every grid gets one cell size, as large as the free main area allows, and
// at least l->min_cell so values show (the kernel too: it never shrinks with
// a large input). An input or output too large for that is drawn as a
// picture of all its cells beside a zoomed part, with values, around the
// window (the renderer draws a grid whose cells are under l->min_cell as a
// picture). Under the grids: the formula, then the products and the sum.

// What the layout sizes, in cells.
typedef struct conv_shape_ {
    int ch, filters, k, span;        // channels drawn, filters drawn, kernel side, the dilated window's side
    int first;                       // the first filter drawn (the current one when it is drawn alone)
    int ch_first, ch_all;            // the first channel drawn (the shown one when drawn alone), and all of them
    int in_rows, in_cols, plo_r, plo_c;  // the input with its padding ring
    int out_rows, out_cols;
    int focus_row, focus_col;        // the current output cell
} conv_shape_;

// A plan: the cell size, the arrangement, which grids are pictures.
typedef struct conv_plan_ {
    int cell;
    bool side;       // channels side by side, each kernel under its input
    bool in_pic, out_pic;
    bool strip;      // the legend in a strip under the grids (else under the output)
    bool legend_apart;  // the legend goes with the text, beside the grids
    int zin, zout;   // a picture's close-up: cells a side (the window and some around it; the output cell's neighbours)
    bool half;       // pictures half as tall as their close-ups
    bool bias_right; // the bias beside the kernel, not under it (a short main area)
    bool row;        // channels in one row: input 0, kernel 0, input 1, kernel 1, ..., bias, output
    bool taps;       // the input's close-up shows a dilated window's taps alone (zin of them a side)
    int out_cols;    // several filters: their outputs in this many columns (0 or 1: one above another)
} conv_plan_;

// Sizes that do not depend on the plan.
typedef struct conv_sizes_ {
    int title_h, scale_h, gap;
    int in_title_w, k_title_w, out_title_w, bias_title_w;
    int legend_min_w;
    int whole_title_w, close_title_w;  // "input, whole", "close up" (a large grid's two parts)
    int taps_title_w;                  // "taps 2 apart" (a close-up of a dilated window's taps)
    int bar_in_w, bar_k_w, bar_out_w;  // the narrowest colour bar with its two labels ("-3 [bar] 3")
} conv_sizes_;

static int line_h_(int px) { return (px * 1164 + 999) / 1000; }

static void kernel_title_(char *t, size_t size, const char *what, int f, int filters, int ch, int channels);
// The kernels' heading word: with flip they are drawn as they slide, rotated.
static const char *kernel_word_(const conv_setup *c) { return c->flip ? "kernel rotated 180\u00b0" : "kernel"; }

static int measure_(const ui_metrics *m, const char *t, int px, bool bold) {
    return m ? m->text_width(m->ctx, t, px, false) * (bold ? 11 : 10) / 10 : (int)strlen(t) * px * 6 / 10;
}

// The legend's type (as rd_legend draws it).
static int legend_px_(const ui_layout *l) { return ui_max(l->small_px * 9 / 10, l->min_px); }

// The legend's height at width w: rd_legend's rows (the values' colours are
// explained by the bar under each grid).
static int legend_h_(const ui_layout *l, const ui_metrics *m, const app_state *s, int w) {
    conv_legend_entry e[7];
    const int n = conv_legend_entries(&s->conv, s->player.l && s->player.n_marks > 0, e);
    const int px = legend_px_(l), sw = px * 6 / 5, gap = l->pad;
    int x = 0, rows = 1;
    for (int i = 0; i < n; i++) {
        const int iw = sw + gap / 2 + measure_(m, e[i].label, px, false);
        if (x > 0 && x + iw > w) rows++, x = 0;
        x += iw + gap * 2;
    }
    return rows * (sw + gap / 2);
}

// The narrowest colour bar for values whose largest magnitude is the
// largest of `count` values of a block (rows of `cols` with a row stride,
// `channels` blocks apart by `plane`): its two labels and a short bar.
static int bar_w_(const ui_layout *l, const ui_metrics *m, const float *v, int count, int channels, int cols,
                  int stride, int plane) {
    float big = 0;
    for (int ch = 0; ch < channels; ch++)
        for (int i = 0; i < count; i++) {
            const float a = fabsf(v[ch * plane + (i / cols) * stride + i % cols]);
            big = a > big ? a : big;
        }
    char t[32];
    fmt_screen(big > 0 ? -big : -1.0f, t, sizeof t);
    return 2 * measure_(m, t, l->min_px, false) + l->min_px * 2 + l->pad;
}

// The heading of a close-up of a dilated window's taps.
static void taps_title_(char *t, size_t size, int dilation) { snprintf(t, size, "taps %d apart", dilation); }

// The band between two taps in such a close-up: it stands for the cells
// skipped, thin but plain to see.
static int taps_gap_(int cell) { return ui_max(4, cell / 7); }

static conv_sizes_ sizes_(const ui_layout *l, const ui_metrics *m, const app_state *s, bool one) {
    conv_sizes_ z;
    // (One filter drawn alone has the one-filter headings; its output says which.)
    const bool many = s->conv.setup.channels > 1, filters = s->conv.setup.filters > 1 && !one;
    z.title_h = l->small_px * 3 / 2;
    // The colour bar under a grid, its ends labelled on its left and right.
    z.scale_h = l->pad / 2 + line_h_(l->min_px) + l->pad / 2;
    z.gap = l->pad * 2;
    z.in_title_w = measure_(m, many ? "input 0" : "input", l->small_px, true);
    char kt[64];
    kernel_title_(kt, sizeof kt, kernel_word_(&s->conv.setup), 0, one ? 1 : s->conv.setup.filters, 0, s->conv.setup.channels);
    z.k_title_w = measure_(m, kt, l->small_px, true);
    z.out_title_w = measure_(m, one ? "filter 1 of 4" : filters ? "filter 1" : "output", l->small_px, true);
    z.bias_title_w = measure_(m, filters ? "f1 bias" : "bias", l->small_px, true);
    z.whole_title_w = ui_max(measure_(m, many ? "input 0" : "output", l->small_px, true), z.out_title_w);
    z.close_title_w = measure_(m, "close up", l->small_px, true);
    char taps[32];
    taps_title_(taps, sizeof taps, s->conv.setup.dilation);
    z.taps_title_w = measure_(m, taps, l->small_px, true);
    z.bar_in_w = bar_w_(l, m, &s->conv.setup.input[0][0][0], s->conv.setup.n_h * s->conv.setup.n_w, s->conv.setup.channels, s->conv.setup.n_w, VIEW_MAX_N, VIEW_MAX_N * VIEW_MAX_N);
    z.bar_k_w = 0;
    for (int f = 0; f < s->conv.setup.filters; f++)
        z.bar_k_w = ui_max(z.bar_k_w, bar_w_(l, m, &s->conv.setup.kernel[f][0][0][0], s->conv.setup.k * s->conv.setup.k,
                                             s->conv.setup.channels, s->conv.setup.k, VIEW_MAX_K, VIEW_MAX_K * VIEW_MAX_K));
    const int plane = s->conv.geom.out_h * s->conv.geom.out_w;
    z.bar_out_w = s->conv.ok ? bar_w_(l, m, s->conv.out, plane, s->conv.setup.filters, s->conv.geom.out_w,
                                      s->conv.geom.out_w, plane)
                             : 0;
    conv_legend_entry e[7];
    const int n = conv_legend_entries(&s->conv, s->player.l && s->player.n_marks > 0, e);
    z.legend_min_w = 0;
    for (int i = 0; i < n; i++)
        z.legend_min_w = ui_max(z.legend_min_w, legend_px_(l) * 6 / 5 + l->pad / 2 + measure_(m, e[i].label, legend_px_(l), false));
    return z;
}

// The zoomed part of a picture grid: the window and a cell around it (the
// input), or the current output cell and its neighbours.
static int zoom_cells_(int n, int want) { return ui_min(n, want); }

// The picture's cell: the picture as tall as the close-up, or half that
// (narrow screens); at least 1 px.
static int pic_cell_(int rows, int zoom_rows, int cell, bool half) {
    return ui_max(1, zoom_rows * cell / rows / (half ? 2 : 1));
}

// A picture's close-up: zr x zc cells a side, zw x zh px, its heading's
// width, and the picture's cell. Taps: `zoom` cells a side, each a step of
// the dilation apart, thin bands between them.
typedef struct closeup_ {
    int zr, zc, zw, zh, title_w, pcell;
} closeup_;

static closeup_ closeup_of_(const conv_sizes_ *z, int rows, int cols, int cell, int zoom, bool half, bool taps) {
    closeup_ c;
    c.zr = zoom_cells_(rows, zoom), c.zc = zoom_cells_(cols, zoom);
    const int band = taps ? taps_gap_(cell) : 0;
    c.zw = c.zc * cell + (c.zc - 1) * band;
    c.zh = c.zr * cell + (c.zr - 1) * band;
    c.title_w = taps ? z->taps_title_w : z->close_title_w;
    c.pcell = taps ? ui_max(1, c.zh / rows / (half ? 2 : 1)) : pic_cell_(rows, c.zr, cell, half);
    return c;
}

// The extent of a grid drawn whole, or as a picture beside its zoomed part.
static void block_(const conv_sizes_ *z, int rows, int cols, int cell, bool pic, int zoom, bool half, bool taps,
                   int pad, int bar, int *w, int *h) {
    if (!pic) {
        *w = cols * cell, *h = rows * cell;
        return;
    }
    const closeup_ c = closeup_of_(z, rows, cols, cell, zoom, half, taps);
    *w = ui_max(cols * c.pcell, ui_max(z->whole_title_w, bar)) + pad * 2 + ui_max(c.zw, c.title_w);
    *h = ui_max(rows * c.pcell, c.zh);
}

// Places (or only measures, when l is NULL) the grids of a plan from (x, y);
// returns the extent in *w, *h.
static void arrange_(ui_layout *l, const ui_layout *lm, const ui_metrics *m, const app_state *s,
                     const conv_shape_ *sh, const conv_sizes_ *z, const conv_plan_ *p, ui_rect area, int *w,
                     int *h);

static int fits_(const ui_layout *lm, const ui_metrics *m, const app_state *s, const conv_shape_ *sh,
                 const conv_sizes_ *z, const conv_plan_ *p, ui_rect area) {
    int w, h;
    arrange_(NULL, lm, m, s, sh, z, p, area, &w, &h);
    return w <= area.w && h <= area.h;
}

static void title_of_(char *t, size_t size, const char *what, int ch, int channels, const char *extra) {
    if (channels > 1)  // "input 0", "kernel 0": channels counted from 0, as rows and columns are
        snprintf(t, size, "%s %d%s", what, ch, extra);
    else
        snprintf(t, size, "%s%s", what, extra);
}

// A heading cut to room px (bold at the label size, as rd_grid_title draws
// it): whole, else its start and an ellipsis, else nothing.
static void fit_heading_(const ui_layout *l, const ui_metrics *m, char *t, size_t size, int room) {
    static const char dots[] = "\xe2\x80\xa6";  // U+2026
    if (measure_(m, t, l->small_px, true) <= room) return;
    for (size_t n = strlen(t); n-- > 1;) {
        if (((unsigned char)t[n] & 0xC0) == 0x80) continue;  // whole characters only
        char cut[80];
        snprintf(cut, sizeof cut, "%.*s%s", (int)n, t, dots);
        if (measure_(m, cut, l->small_px, true) <= room) {
            snprintf(t, size, "%s", cut);
            return;
        }
    }
    t[0] = '\0';
}

// An input or output grid: whole, or a picture and a zoomed part around the focus.
// taps: the close-up shows the dilated window's taps alone (`zoom` of them a
// side, `step` apart), from the window's corner (focus_r, focus_c).
static int place_grid_(ui_layout *l, const ui_metrics *m, const conv_sizes_ *z, grid_id id, int ch, int channels, int rows, int cols, int r0, int c0,
                       int data_rows, int data_cols, int focus_r, int focus_c, int span, int zoom, bool pic,
                       bool half, int step, int cell, int x, int y, const char *what) {
    char t[64];
    ui_grid *g;
    if (!pic) {
        title_of_(t, sizeof t, what, ch, channels, "");
        g = layout_grid(l, id, ch, rows, cols, r0, c0, x, y, cell, t);
        if (g) g->layer = 0;
        if (g) g->data_rows = data_rows, g->data_cols = data_cols;
        return cols * cell;
    }
    const bool taps = step > 1;
    const closeup_ cu = closeup_of_(z, rows, cols, cell, zoom, half, taps);
    const int zr = cu.zr, zc = cu.zc, pcell = cu.pcell;
    const int bar = id == GRID_INPUT ? z->bar_in_w : z->bar_out_w;
    const int zx = x + ui_max(cols * pcell, ui_max(z->whole_title_w, bar)) + l->pad * 2;
    // The picture's heading never runs into its close-up's: shortened (or
    // dropped) when a short layout gave the picture less than its width.
    title_of_(t, sizeof t, what, ch, channels, "");
    fit_heading_(l, m, t, sizeof t, zx - x - l->pad);
    g = layout_grid(l, id, ch, rows, cols, r0, c0, x, y, pcell, t);
    if (g) g->layer = 0;
    if (g) g->data_rows = data_rows, g->data_cols = data_cols;
    // The zoomed part keeps the focus (the window, the current cell) in view.
    // (Taps: exactly the window's, from its corner.)
    const int zr0 = taps ? focus_r : clampi_(focus_r - (zr - span) / 2, r0, r0 + rows - zr);
    const int zc0 = taps ? focus_c : clampi_(focus_c - (zc - span) / 2, c0, c0 + cols - zc);
    if (taps)
        taps_title_(t, sizeof t, step);
    else
        snprintf(t, sizeof t, "close up");
    fit_heading_(l, m, t, sizeof t, ui_max(cu.zw, cu.title_w) + z->gap - l->pad);  // clear of the next grid's
    g = layout_grid(l, id, ch, zr, zc, zr0, zc0, zx, y, cell, t);
    if (g) g->layer = 0;
    if (g) {
        g->data_rows = data_rows, g->data_cols = data_cols;
        if (taps) {
            g->step = step;
            g->gap = taps_gap_(cell);
            g->r.w = cu.zw, g->r.h = cu.zh;
        }
    }
    return ui_max(cols * pcell, ui_max(z->whole_title_w, bar)) + l->pad * 2 + ui_max(cu.zw, cu.title_w);
}

// A kernel's heading: "kernel", "kernel 0" (channels counted from 0), and with
// several filters "f1 kernel 0" (filters counted from 1, as the network's maps).
static void kernel_title_(char *t, size_t size, const char *what, int f, int filters, int ch, int channels) {
    char w[48];
    if (filters > 1)
        snprintf(w, sizeof w, "f%d %s", f + 1, what);
    else
        snprintf(w, sizeof w, "%s", what);
    title_of_(t, size, w, ch, channels, "");
}

// Places a kernel or bias grid of filter f (the grid's layer), headed as one
// of `filters` drawn.
static void filter_grid_(ui_layout *l, const char *kernel_word, grid_id id, int f, int filters, int ch, int channels,
                         int k, int x, int y, int cell) {
    char t[64];
    kernel_title_(t, sizeof t, id == GRID_BIAS ? "bias" : kernel_word, f, filters, ch, id == GRID_BIAS ? 1 : channels);
    ui_grid *g = layout_grid(l, id, ch, k, k, 0, 0, x, y, cell, t);
    if (g) g->layer = f;
}

static void arrange_(ui_layout *l, const ui_layout *lm, const ui_metrics *m, const app_state *s,
                     const conv_shape_ *sh, const conv_sizes_ *z, const conv_plan_ *p, ui_rect area, int *w,
                     int *h) {
    const int x = area.x, y = area.y;
    const int c = p->cell, pad = lm->pad, zin = p->zin, zout = p->zout;
    const char *kw = kernel_word_(&s->conv.setup);
    const int nf = sh->filters;
    const int step = p->taps ? s->conv.setup.dilation : 1;  // the input's close-up: its taps alone
    int in_w, in_h, out_w, out_h;
    block_(z, sh->in_rows, sh->in_cols, c, p->in_pic, zin, p->half, p->taps, pad, z->bar_in_w, &in_w, &in_h);
    block_(z, sh->out_rows, sh->out_cols, c, p->out_pic, zout, p->half, false, pad, z->bar_out_w, &out_w, &out_h);
    const int in_col_w = ui_max(in_w, ui_max(z->in_title_w, z->bar_in_w)), k_w = ui_max(sh->k * c, ui_max(z->k_title_w, z->bar_k_w));
    // A channel's kernels, one a filter, side by side (a pad apart).
    const int kf_w = nf * k_w + (nf - 1) * pad;
    const int in_block_h = z->title_h + in_h + z->scale_h, k_block_h = z->title_h + sh->k * c + z->scale_h;
    const int bias_h = z->title_h + c;
    const int bias_w = ui_max(c, z->bias_title_w);
    // Side by side: the filters' biases in a row above the outputs.
    const int biases_w = p->side ? nf * bias_w + (nf - 1) * pad : bias_w;
    const int out_col_w = ui_max(ui_max(out_w, ui_max(z->out_title_w, z->bar_out_w)), biases_w);
    const int in_top_r = sh->focus_row * s->conv.setup.stride - sh->plo_r;
    const int in_top_c = sh->focus_col * s->conv.setup.stride - sh->plo_c;
    const int col_w = ui_max(in_col_w, kf_w);  // side by side: a channel's column
    const int k_col_w = p->bias_right ? k_w + pad + bias_w : ui_max(k_w, z->bias_title_w);  // stacked: a filter's column
    const int row_ch_w = in_col_w + z->gap + kf_w + z->gap;  // in a row: a channel's input and kernels
    const int out_x = p->row    ? x + sh->ch * row_ch_w + bias_w + z->gap
                      : p->side ? x + sh->ch * (col_w + z->gap)
                                : x + in_col_w + z->gap + nf * k_col_w + (nf - 1) * pad + z->gap;
    const int out_y = y + (p->side ? bias_h + z->scale_h : 0) + z->title_h;
    // The outputs, one a filter, one above another (or in two columns).
    const int oc = p->out_cols > 1 && nf > 2 ? p->out_cols : 1;
    const int out_block_h = out_h + z->scale_h + z->title_h;
    const int outs_h = (nf + oc - 1) / oc * out_block_h - z->title_h;
    const int outs_w = oc * out_col_w + (oc - 1) * z->gap;
    // The legend under the outputs, as wide as the rest of the area, or (when
    // that is too tall) in a strip under every grid.
    const int legend_w = p->strip ? area.w : ui_max(ui_max(outs_w, z->legend_min_w), area.x + area.w - out_x);
    const int legend_h = p->legend_apart ? 0 : legend_h_(lm, m, s, legend_w);
    const int out_col_h = out_y - y + outs_h + (p->strip ? 0 : legend_h);
    int grids_h;
    if (p->row) {
        // input 0, its kernels, input 1, its kernels, ... | the biases | the outputs and the legend
        for (int ch = 0; l && ch < sh->ch; ch++) {
            const int cx = x + ch * row_ch_w;
            place_grid_(l, m, z, GRID_INPUT, sh->ch_first + ch, sh->ch_all, sh->in_rows, sh->in_cols, -sh->plo_r, -sh->plo_c,
                        s->conv.setup.n_h, s->conv.setup.n_w, in_top_r, in_top_c, sh->span, zin, p->in_pic, p->half,
                        step, c, cx, y + z->title_h, "input");
            for (int f = 0; f < nf; f++)
                filter_grid_(l, kw, GRID_KERNEL, sh->first + f, nf, sh->ch_first + ch, sh->ch_all, sh->k, cx + in_col_w + z->gap + f * (k_w + pad),
                             y + z->title_h, c);
        }
        for (int f = 0; l && f < nf; f++)
            filter_grid_(l, kw, GRID_BIAS, sh->first + f, nf, 0, 1, 1, x + sh->ch * row_ch_w, y + f * (bias_h + pad) + z->title_h, c);
        grids_h = ui_max(ui_max(in_block_h, k_block_h), ui_max(nf * (bias_h + pad) - pad, out_col_h));
    } else if (!p->side) {
        // inputs one above another | a column a filter: its kernels and its bias | outputs and the legend
        const int kx = x + in_col_w + z->gap;
        for (int ch = 0; l && ch < sh->ch; ch++)
            place_grid_(l, m, z, GRID_INPUT, sh->ch_first + ch, sh->ch_all, sh->in_rows, sh->in_cols, -sh->plo_r, -sh->plo_c,
                        s->conv.setup.n_h, s->conv.setup.n_w, in_top_r, in_top_c, sh->span, zin, p->in_pic, p->half,
                        step, c, x, y + ch * in_block_h + z->title_h, "input");
        for (int f = 0; l && f < nf; f++) {
            const int fx = kx + f * (k_col_w + pad);
            for (int ch = 0; ch < sh->ch; ch++)
                filter_grid_(l, kw, GRID_KERNEL, sh->first + f, nf, sh->ch_first + ch, sh->ch_all, sh->k, fx, y + ch * k_block_h + z->title_h, c);
            if (p->bias_right)
                filter_grid_(l, kw, GRID_BIAS, sh->first + f, nf, 0, 1, 1, fx + k_w + pad, y + z->title_h, c);
            else
                filter_grid_(l, kw, GRID_BIAS, sh->first + f, nf, 0, 1, 1, fx, y + sh->ch * k_block_h + z->title_h, c);
        }
        const int k_col_h = p->bias_right ? ui_max(sh->ch * k_block_h, bias_h) : sh->ch * k_block_h + bias_h;
        grids_h = ui_max(sh->ch * in_block_h, ui_max(k_col_h, out_col_h));
    } else {
        // a column per channel: its input, its kernels below | the biases, the outputs and the legend
        for (int ch = 0; l && ch < sh->ch; ch++) {
            const int cx = x + ch * (col_w + z->gap);
            place_grid_(l, m, z, GRID_INPUT, sh->ch_first + ch, sh->ch_all, sh->in_rows, sh->in_cols, -sh->plo_r, -sh->plo_c,
                        s->conv.setup.n_h, s->conv.setup.n_w, in_top_r, in_top_c, sh->span, zin, p->in_pic, p->half,
                        step, c, cx, y + z->title_h, "input");
            for (int f = 0; f < nf; f++)
                filter_grid_(l, kw, GRID_KERNEL, sh->first + f, nf, sh->ch_first + ch, sh->ch_all, sh->k, cx + f * (k_w + pad),
                             y + in_block_h + z->title_h, c);
        }
        for (int f = 0; l && f < nf; f++)
            filter_grid_(l, kw, GRID_BIAS, sh->first + f, nf, 0, 1, 1, out_x + f * (bias_w + pad), y + z->title_h, c);
        grids_h = ui_max(in_block_h + k_block_h, out_col_h);
    }
    if (l && s->conv.ok) {
        for (int f = 0; f < nf; f++) {
            char t[48];
            if (s->conv.setup.filters > nf)  // the current filter alone
                snprintf(t, sizeof t, "filter %d of %d", sh->first + 1, s->conv.setup.filters);
            else
                snprintf(t, sizeof t, nf > 1 ? "filter %d" : "output", f + 1);
            place_grid_(l, m, z, GRID_OUTPUT, sh->first + f, 1, sh->out_rows, sh->out_cols, 0, 0, sh->out_rows, sh->out_cols,
                        sh->focus_row, sh->focus_col, 1, zout, p->out_pic, p->half, 1, c,
                        out_x + f % oc * (out_col_w + z->gap), out_y + f / oc * out_block_h, t);
        }
        if (!p->legend_apart)
            l->legend = p->strip ? ui_rect_at(x, y + grids_h + pad, legend_w, legend_h)
                             : ui_rect_at(out_x, out_y + outs_h, legend_w, legend_h);
    }
    *w = p->strip || p->legend_apart ? out_x - x + outs_w : ui_max(out_x - x + outs_w, out_x - x + z->legend_min_w);
    *h = p->strip ? grids_h + pad + legend_h : grids_h;
}

static conv_shape_ shape_(const app_state *s, bool one, bool one_channel) {
    const conv_setup *c = &s->conv.setup;
    const nn_axis *ra = &s->conv.geom.rows, *ca = &s->conv.geom.cols;
    conv_shape_ sh;
    sh.ch_all = c->channels;
    sh.ch = one_channel ? 1 : c->channels;
    sh.ch_first = one_channel ? conv_view_channel(&s->conv) : 0;
    sh.filters = one ? 1 : c->filters;
    sh.first = one ? conv_view_filter(&s->conv) : 0;
    sh.k = c->k;
    sh.span = (c->k - 1) * c->dilation + 1;
    sh.plo_r = s->conv.ok ? ra->pad_lo : 0;
    sh.plo_c = s->conv.ok ? ca->pad_lo : 0;
    sh.in_rows = c->n_h + sh.plo_r + (s->conv.ok ? ra->pad_hi : 0);
    sh.in_cols = c->n_w + sh.plo_c + (s->conv.ok ? ca->pad_hi : 0);
    sh.out_rows = s->conv.ok ? s->conv.geom.out_h : 1;
    sh.out_cols = s->conv.ok ? s->conv.geom.out_w : 1;
    // The current cell within its filter's map.
    const int plane = sh.out_rows * sh.out_cols > 0 ? sh.out_rows * sh.out_cols : 1;
    const int pos = s->conv.anim.pos % plane, ow = sh.out_cols > 0 ? sh.out_cols : 1;
    sh.focus_row = s->conv.ok ? pos / ow : 0;
    sh.focus_col = s->conv.ok ? pos % ow : 0;
    // A lesson's 'point' at an output cell: the close-ups show it (and the
    // inputs under its window) wherever the animation is.
    const lesson_player *lp = &s->player;
    if (s->conv.ok && lp->l && lp->arrow_to >= 1 && lp->arrow_to <= lp->n_marks) {
        const cell_ref *m = &lp->marks[lp->arrow_to - 1];
        if (m->grid == GRID_OUTPUT && m->row < sh.out_rows && m->col < sh.out_cols)
            sh.focus_row = m->row, sh.focus_col = m->col;
    }
    return sh;
}

// The widest a channel's products line can be at the label size, whatever
// the cell ("3×0 + 3×1 + ... = 19"): the widest input value times each
// weight (so the layout does not move from one cell to the next).
static int products_w_(const ui_layout *l, const ui_metrics *m, const app_state *s, int ch) {
    const conv_setup *c = &s->conv.setup;
    char widest[32] = "0", t[80], b[32], v[32];
    int widest_w = measure_(m, widest, l->small_px, false);
    for (int y = 0; y < c->n_h; y++)
        for (int x = 0; x < c->n_w; x++) {
            fmt_screen(c->input[ch][y][x], v, sizeof v);
            const int w = measure_(m, v, l->small_px, false);
            if (w > widest_w) widest_w = w, memcpy(widest, v, sizeof widest);
        }
    int most = 0;
    for (int f = 0; f < c->filters; f++) {
        int w = measure_(m, "channel 0: carried 0000 = 0000 so far", l->small_px, false);
        for (int y = 0; y < c->k; y++)
            for (int x = 0; x < c->k; x++) {
                fmt_screen(conv_sliding_weight(c, f, ch, y, x), b, sizeof b);
                snprintf(t, sizeof t, "[%s]\u00d7(%s) + ", widest, b);
                w += measure_(m, t, l->small_px, false);
            }
        most = ui_max(most, w);
    }
    return most;
}

// The height the products need under the grids (a title, one or two lines
// a channel, the sum with the bias), and the formula's, whole and compact.
typedef struct conv_text_h_ {
    int formula, compact, arithmetic;
} conv_text_h_;

static conv_text_h_ text_h_(const ui_layout *l, const ui_metrics *m, const app_state *s) {
    conv_text_h_ t;
    const int small_line = l->small_px * 5 / 4, width = l->main.w - 2 * l->pad;
    const bool note = s->conv.ok && (s->conv.geom.rows.remainder || s->conv.geom.cols.remainder);
    // The formula, its numbers, and (several channels or filters) the parameter count.
    const int params = conv_shows_params(&s->conv.setup) ? 1 : 0;
    t.formula = l->text_px * 5 / 4 + (2 + params) * small_line + (note || !s->conv.ok ? 2 * small_line : 0);
    // Compact: one line of numbers (two when rows and columns differ), and
    // the parameter count with several filters; the settings that cannot
    // work keep the whole sentence saying why.
    t.compact = !s->conv.ok ? t.formula
                            : small_line * ((conv_axes_differ(&s->conv) ? 2 : 1) + (s->conv.setup.filters > 1));
    t.arithmetic = l->text_px * 3 / 2 + l->small_px / 4 + small_line;
    for (int ch = 0; ch < s->conv.setup.channels; ch++)
        t.arithmetic += (products_w_(l, m, s, ch) > width ? 2 : 1) * small_line;
    return t;
}

// The largest plan that fits: every value shown if it can be, else the
// input (then the output too) as a picture with a zoomed part.
static conv_plan_ best_plan_(const ui_layout *l, const ui_metrics *m, const app_state *s, const conv_shape_ *sh,
                             const conv_sizes_ *z, ui_rect area, bool legend_apart, bool readable_only,
                             bool closeups) {
    // Whole grids; the input as a picture and a close-up (the window with two
    // cells around it, then one, then none); the output too (7, 5 or 3
    // cells), pictures full or half size.
    static const struct {
        bool in_pic, out_pic;
        int in_more, out_zoom;
        bool half;
    } modes[] = {{false, false, 0, 0, false}, {true, false, 4, 0, false}, {true, false, 2, 0, false},
                 {true, false, 2, 0, true},   {true, true, 4, 7, false},  {true, true, 2, 5, false},
                 {true, true, 2, 5, true},    {true, true, 2, 3, true},   {true, true, 0, 3, true}};
    const int n_modes = (int)(sizeof modes / sizeof modes[0]);
    const int cap = ui_max(l->min_cell, l->text_px * 4);
    // A picture only helps when its close-up is smaller than the whole.
    const bool in_big = sh->in_rows > sh->span + 2 || sh->in_cols > sh->span + 2;  // (close-ups of span + 2 at most)
    const bool out_big = sh->out_rows > 5 || sh->out_cols > 5;
    const int strips = legend_apart ? 1 : 2;
    // The channels stacked, side by side, and (a short main area: with the
    // close-ups) in one row, each kernel beside its input.
    const int arrangements = sh->ch > 1 ? (closeups ? 3 : 2) : 1;
    // Three or four filters: their outputs one above another, else in two columns.
    const int out_cols = sh->filters > 2 ? 2 : 1;
    for (int mode = 0; mode < n_modes; mode++) {
        if ((modes[mode].in_pic && !in_big) || (modes[mode].out_pic && !out_big)) continue;
        for (int cell = cap; cell >= l->min_cell; cell--)
            for (int side = 0; side < arrangements; side++)
                for (int strip = 0; strip < strips; strip++)
                    for (int oc = 1; oc <= out_cols; oc++) {
                        conv_plan_ p = {cell, side == 1, modes[mode].in_pic, modes[mode].out_pic, strip == 1,
                                        legend_apart, sh->span + modes[mode].in_more, modes[mode].out_zoom,
                                        modes[mode].half, false, side == 2, false, oc};
                        if (fits_(l, m, s, sh, z, &p, area)) return p;
                    }
    }
    // A short main area (a lesson's narration at a large zoom): close-ups of
    // small grids too (the window alone, the current output cell alone), so
    // values stay readable rather than cells shrink below l->min_cell.
    // Last, a dilated window too tall for its close-up: the close-up shows
    // its taps alone, the skipped cells as thin bands between them.
    static const struct {
        bool in_pic, out_pic;
        int in_more, out_zoom;
        bool half, taps;
    } tight[] = {{false, true, 0, 3, false, false}, {false, true, 0, 1, false, false}, {true, false, 2, 0, false, false},
                 {true, false, 0, 0, true, false},  {true, true, 2, 3, true, false},   {true, true, 0, 3, true, false},
                 {true, true, 0, 1, true, false},   {true, false, 0, 0, false, true},  {true, false, 0, 0, true, true},
                 {true, true, 0, 3, true, true},    {true, true, 0, 1, true, true}};
    const bool dilated = s->conv.setup.dilation > 1;
    const bool in_huge = sh->in_rows > 14 || sh->in_cols > 14, out_huge = sh->out_rows > 14 || sh->out_cols > 14;
    for (int mode = 0; closeups && mode < (int)(sizeof tight / sizeof tight[0]); mode++) {
        if (tight[mode].taps && !dilated) continue;
        const int zin = tight[mode].taps ? sh->k : sh->span + tight[mode].in_more, zout = tight[mode].out_zoom;
        if (tight[mode].in_pic && !tight[mode].taps && sh->in_rows <= zin && sh->in_cols <= zin) continue;
        if (tight[mode].out_pic && sh->out_rows <= zout && sh->out_cols <= zout) continue;
        for (int cell = cap; cell >= l->min_cell; cell--) {
            // A picture of a small output with cells too small to make out (a
            // 5x5 output beside a close-up of one cell) says nothing; a large
            // one (a digit) is still an image.
            const int out_pcell = pic_cell_(sh->out_rows, zoom_cells_(sh->out_rows, zout), cell, tight[mode].half);
            if (tight[mode].out_pic && !out_huge && out_pcell < l->min_px / 3) continue;
            for (int side = 0; side < arrangements; side++)
                for (int strip = 0; strip < strips; strip++)
                    for (int right = 0; right < (side ? 1 : 2); right++)
                        for (int oc = 1; oc <= out_cols; oc++) {
                            conv_plan_ p = {cell, side == 1, tight[mode].in_pic, tight[mode].out_pic, strip == 1,
                                            legend_apart, zin, zout, tight[mode].half, right == 1, side == 2,
                                            tight[mode].taps, oc};
                            if (fits_(l, m, s, sh, z, &p, area)) return p;
                        }
        }
    }
    // Nothing fits with readable cells (a short main area at a large zoom):
    // the largest cells that fit, values hidden where they must be; whole
    // grids unless they are large (a picture of a small grid says nothing).
    for (int cell = l->min_cell - 1; cell >= 2 && !readable_only; cell--)
        for (int side = 0; side < (sh->ch > 1 ? 2 : 1); side++)
            for (int strip = 0; strip < strips; strip++) {
                conv_plan_ p = {cell, side == 1, in_huge, out_huge, strip == 1, legend_apart, sh->span + 2, 3, true, false,
                                false, false, out_cols};
                if (fits_(l, m, s, sh, z, &p, area)) return p;
            }
    return (conv_plan_){0, sh->ch > 1, in_huge, out_huge, true, legend_apart, sh->span + 2, 3, true, false, false, false,
                        out_cols};
}

// The grids' area when the text under them takes text_h.
static ui_rect grid_area_(const ui_layout *l, int text_h) {
    return ui_rect_at(l->main.x + l->pad, l->main.y + l->pad, l->main.w - 2 * l->pad,
                      l->main.h - 2 * l->pad - text_h - l->pad);
}

// Text beside the grids (a short, wide main area: a lesson's narration at a
// large zoom): the grids take the whole height, the legend, the formula's
// numbers and the products go in a column on their right. False when that
// column would be too narrow or the grids still not readable.
static bool layout_beside_(ui_layout *l, const app_state *s, const ui_metrics *m, const conv_shape_ *sh,
                           const conv_sizes_ *z, const conv_text_h_ *th, bool closeups) {
    const ui_rect whole = grid_area_(l, -l->pad);
    const int min_text_w = l->text_px * 9;
    const ui_rect area = ui_rect_at(whole.x, whole.y, whole.w - min_text_w - z->gap, whole.h);
    const conv_plan_ p = best_plan_(l, m, s, sh, z, area, true, true, closeups);
    if (p.cell == 0) return false;
    int w, h;
    arrange_(l, l, m, s, sh, z, &p, area, &w, &h);
    const int tx = whole.x + w + z->gap, tw = whole.x + whole.w - tx;
    l->legend = ui_rect_at(tx, whole.y, tw, legend_h_(l, m, s, tw));
    int y = l->legend.y + l->legend.h + l->pad;
    // The formula's numbers when the products keep room for two lines a channel.
    const int need = th->arithmetic + s->conv.setup.channels * l->small_px * 5 / 4 + l->text_px * 5 / 4;
    // ... and fit the column's width unshortened.
    char n[200], t[260];
    fmt_formula_numbers(&s->conv.geom.rows, n, sizeof n);
    snprintf(t, sizeof t, "output rows: %s", n);
    const bool narrow = measure_(m, t, l->min_px, false) > tw;
    const int formula_h = !narrow && whole.y + whole.h - y - th->compact - l->pad >= need ? th->compact : 0;
    l->formula = ui_rect_at(tx, y, tw, formula_h);
    y += formula_h ? formula_h + l->pad : 0;
    l->arithmetic = ui_rect_at(tx, y, tw, whole.y + whole.h - y);
    return true;
}

// Readable grids (close-ups too) with the legend across the width under
// them all (placed by layout_): a pad above it and below it, else (a short
// main area) a quarter pad above and none below. The plan (cell 0: none)
// and its grids' area.
static conv_plan_ legend_under_(const ui_layout *l, const ui_metrics *m, const app_state *s, const conv_shape_ *sh,
                                const conv_sizes_ *z, ui_rect *area) {
    const int lh = legend_h_(l, m, s, l->main.w - 2 * l->pad);
    *area = grid_area_(l, lh - l->pad);  // (grid_area_ keeps a pad under the text)
    conv_plan_ p = best_plan_(l, m, s, sh, z, *area, true, true, true);
    if (p.cell) return p;
    *area = ui_rect_at(l->main.x + l->pad, l->main.y + l->pad, l->main.w - 2 * l->pad,
                       l->main.h - l->pad - l->pad / 4 - lh);
    return best_plan_(l, m, s, sh, z, *area, true, true, true);
}

// Lays the grids out (all filters, or the current one alone when `one`);
// false when their values could not be shown (the last resorts).
static bool layout_grids_(ui_layout *l, const app_state *s, const ui_metrics *m, bool one, bool one_channel) {
    const conv_shape_ sh = shape_(s, one, one_channel);
    conv_sizes_ z = sizes_(l, m, s, one);
    const conv_text_h_ th = text_h_(l, m, s);
    l->legend = ui_rect_at(0, 0, 0, 0);
    // Readable grids first: the whole formula under them if there is room,
    // else its numbers on one line, else none; else the text beside them;
    // else smaller cells.
    const int formula_options[3] = {th.formula, th.compact, 0};
    int formula_h = 0;
    ui_rect area = grid_area_(l, th.arithmetic);
    conv_plan_ p = {0};
    for (int i = 0; i < 3 && p.cell == 0; i++) {
        const ui_rect a = grid_area_(l, formula_options[i] + (formula_options[i] ? l->pad : 0) + th.arithmetic);
        p = best_plan_(l, m, s, &sh, &z, a, false, true, false);
        formula_h = formula_options[i];
        area = a;
    }
    if (p.cell == 0) {
        const int before = l->n_grids;
        if (layout_beside_(l, s, m, &sh, &z, &th, false)) return true;
        l->n_grids = before;
        // The products summed up on a line a channel, and the sum, under readable grids.
        const int tight = (sh.ch_all + 1) * l->small_px * 5 / 4 + l->small_px / 4;
        area = grid_area_(l, tight);
        p = best_plan_(l, m, s, &sh, &z, area, false, true, false);
    }
    // Whole grids do not fit readable: while a lesson drives the view, the
    // panel can give its width (layout_compute lays the view out again).
    if (p.cell == 0 && s->player.l) l->panel_strip_wanted = true;
    if (p.cell == 0) {  // still too short: close-ups of the small grids too, the text beside or under them
        const int before = l->n_grids;
        if (layout_beside_(l, s, m, &sh, &z, &th, true)) return true;
        l->n_grids = before;
        p = best_plan_(l, m, s, &sh, &z, area, false, true, true);
    }
    if (p.cell == 0) {  // readable close-ups with their colour scales, the legend under them all
        ui_rect a;
        p = legend_under_(l, m, s, &sh, &z, &a);
        if (p.cell) area = a, formula_h = 0;
    }
    if (p.cell == 0) {  // readable close-ups without the colour scales, the legend at the bottom
        conv_sizes_ bare = z;
        bare.scale_h = 0;
        bare.bar_in_w = bare.bar_k_w = bare.bar_out_w = 0;
        ui_rect a;
        p = legend_under_(l, m, s, &sh, &bare, &a);
        if (p.cell == 0) {  // ... and the legend only where room is left under them
            p = best_plan_(l, m, s, &sh, &bare, grid_area_(l, 0), true, true, true);
            if (p.cell) {
                area = grid_area_(l, 0);
            } else {  // ... or the grids alone, down to a pad above the narration
                p = best_plan_(l, m, s, &sh, &bare, grid_area_(l, -l->pad), true, true, true);
                if (p.cell) area = grid_area_(l, -l->pad);
            }
        } else {
            area = a;
        }
        if (p.cell) z = bare, formula_h = 0;
    }
    if (p.cell == 0) {
        formula_h = 0;
        p = best_plan_(l, m, s, &sh, &z, area, false, false, false);
        if (p.cell == 0) {  // not even small cells fit above the products: the grids first
            area = grid_area_(l, 0);
            p = best_plan_(l, m, s, &sh, &z, area, false, false, false);
        }
        if (p.cell == 0) {  // no room for the colour scales: the grids, their titles, the legend under them
            area = grid_area_(l, legend_h_(l, m, s, l->main.w - 2 * l->pad) + l->pad);
            z.scale_h = 0;
            z.bar_in_w = z.bar_k_w = z.bar_out_w = 0;
            p = best_plan_(l, m, s, &sh, &z, area, true, false, false);
        }
        if (p.cell == 0) {  // the last resort: small cells, grids clear of the panel
            // (the titles keep their widths, so headings never run into each
            // other, and the legend goes only where room is left; else titles may overrun)
            z.legend_min_w = z.bar_in_w = z.bar_k_w = z.bar_out_w = 0;
            p = best_plan_(l, m, s, &sh, &z, grid_area_(l, 0), true, false, false);
            if (p.cell) {
                area = grid_area_(l, 0);
            } else {  // a picture's two titles ("input", "close up") and the kernel's still apart
                z.in_title_w = z.out_title_w = z.bias_title_w = 0;
                p = best_plan_(l, m, s, &sh, &z, area, true, false, false);
            }
            if (p.cell == 0) {
                z.k_title_w = z.whole_title_w = z.close_title_w = 0;
                p = best_plan_(l, m, s, &sh, &z, area, true, false, false);
            }
            p.cell = ui_max(p.cell, 2);
        }
    }
    const bool readable = p.cell >= l->min_cell;
    conv_sizes_ z2 = z;
    int w, h;
    // Spare width goes into the gaps (up to three times as wide), so the
    // grids spread over the screen rather than crowd its left side.
    arrange_(NULL, l, m, s, &sh, &z2, &p, area, &w, &h);
    const int n_gaps = sh.ch > 1 && p.row ? 2 * sh.ch + 1 : sh.ch > 1 && p.side ? sh.ch : 2;
    z2.gap = ui_min(z.gap * 3, z.gap + ui_max(0, area.w - w) / (n_gaps + 1));
    if (!fits_(l, m, s, &sh, &z2, &p, area)) z2.gap = z.gap;  // a legend narrowed too far
    arrange_(l, l, m, s, &sh, &z2, &p, area, &w, &h);
    // Under the grids as drawn (even when they could not fit: never over them).
    const int below = area.y + h + l->pad;
    l->formula = ui_rect_at(l->main.x + l->pad, below, l->main.w - 2 * l->pad, formula_h);
    const int ay = formula_h ? l->formula.y + l->formula.h + l->pad : below;
    l->arithmetic = ui_rect_at(l->main.x + l->pad, ay, l->main.w - 2 * l->pad, l->main.y + l->main.h - l->pad - ay);
    // The last resorts drew no colour scales (the renderer leaves them out).
    l->no_scales = z.scale_h == 0;
    // A lesson's narration can give the room its longer steps keep (layout_compute).
    const bool wanting = l->no_scales || p.cell < l->min_cell;
    if (p.legend_apart) {
        // The legend goes at the bottom of the main area, under the products;
        // close under the grids and at the very bottom when that is all the room.
        const int lw = l->main.w - 2 * l->pad, lh = legend_h_(l, m, s, lw), bottom = l->main.y + l->main.h;
        int ly = ui_max(below, bottom - l->pad - lh);
        if (ly + lh > bottom) ly = ui_max(area.y + h + l->pad / 4, bottom - lh);
        // No room under the grids: no legend rather than one over the narration.
        l->legend = ly + lh <= bottom ? ui_rect_at(l->main.x + l->pad, ly, lw, lh) : ui_rect_at(0, 0, 0, 0);
        if (l->legend.w > 0) l->arithmetic.h = ui_max(0, l->legend.y - l->pad - l->arithmetic.y);
    }
    if (s->player.l && s->conv.ok && (wanting || l->legend.w <= 0)) l->narration_short_wanted = true;
    return readable;
}

// One input channel at a time (conv_view_channel), under a row of buttons
// that picks it: "input channel shown: 0 1 2 3 4 5". The main area gives that
// row its height; the grids, formula and products take the rest.
static bool layout_channel_alone_(ui_layout *l, const app_state *s, const ui_metrics *m, bool one) {
    const ui_rect main = l->main;
    const int row_h = l->min_px * 2, label_w = measure_(m, "input channel shown:", l->small_px, true);
    const int bw = ui_max(row_h, measure_(m, "0", l->small_px, false) + l->pad);
    const int gap = ui_max(2, l->pad / 3), channels = s->conv.setup.channels;
    l->main.y += l->pad + row_h;
    l->main.h -= l->pad + row_h;
    const bool readable = layout_grids_(l, s, m, one, true);
    l->main = main;
    const int x0 = main.x + l->pad, y0 = main.y + l->pad;
    l->channel_tabs = ui_rect_at(x0, y0, label_w + l->pad + channels * (bw + gap) - gap, row_h);
    const int shown = conv_view_channel(&s->conv);
    for (int ch = 0; ch < channels; ch++) {
        char t[16];
        snprintf(t, sizeof t, "%d", ch);
        ui_button *b = layout_button(l, ui_rect_at(x0 + label_w + l->pad + ch * (bw + gap), y0, bw, row_h), t,
                                     ACT_SHOW_CHANNEL, ch);
        b->active = ch == shown;
    }
    return readable;
}

// Every filter's grids if their values can be shown; else the current
// filter's alone ("filter 2 of 3"), as a close-up shows part of a large
// input; else, with several channels (a network's second convolution), that
// filter's grids one input channel at a time.
static void layout_(ui_layout *l, const app_state *s, const ui_metrics *m) {
    controls_(l, s);
    l->channel_tabs = ui_rect_at(0, 0, 0, 0);
    const bool filters = s->conv.setup.filters > 1, channels = s->conv.setup.channels > 1;
    if (!filters && !channels) {
        layout_grids_(l, s, m, false, false);
        return;
    }
    static ui_layout before;  // (large: not on the stack)
    before = *l;
    if (layout_grids_(l, s, m, false, false)) return;
    if (filters) {
        *l = before;
        if (layout_grids_(l, s, m, true, false) || !channels) return;
    }
    if (!s->conv.ok) return;  // (no window to follow: the grids as they are)
    *l = before;
    layout_channel_alone_(l, s, m, filters);
}

// ---- Changing the set-up -----------------------------------------------------------------------

// The digit shown, cropped into the current input size, in every channel.
static void place_digit_(app_state *s) {
    conv_setup *c = &s->conv.setup;
    if (!app_digit_shown(s)) return;
    for (int y = 0; y < c->n_h; y++)
        for (int x = 0; x < c->n_w; x++)
            for (int ch = 0; ch < c->channels; ch++) c->input[ch][y][x] = app_digit_pixel(s, y, x, c->n_h, c->n_w);
}

// A digit is only a digit whole: a smaller input grows to 28x28 (a 5x5
// crop of its middle is an unrecognisable patch), and the status says so.
static void load_digit_(app_state *s, int index) {
    if (!app_pick_digit(s, index)) return;
    conv_setup *c = &s->conv.setup;
    const bool grew = c->n_h < 28 || c->n_w < 28;
    if (grew) c->n_h = c->n_w = 28;
    place_digit_(s);
    recompute_(s, -1);
    char label[32] = "";
    if (s->host.digit_labels) snprintf(label, sizeof label, ", a %d", s->host.digit_labels[s->digit]);
    snprintf(s->status, sizeof s->status, "test image #%d%s%s", s->digit, label,
             grew ? ": the input is now 28x28, the whole digit (a smaller crop would not look like one)" : "");
}

// A picture dropped onto the window (runtime.c prepared it as `convstep
// classify` does) is shown as a test digit is: the same path, whole at 28x28.
static void load_dropped_(app_state *s) {
    conv_setup *c = &s->conv.setup;
    const bool grew = c->n_h < 28 || c->n_w < 28;
    if (grew) c->n_h = c->n_w = 28;
    s->digit = APP_DIGIT_DROPPED;
    place_digit_(s);
    recompute_(s, -1);
    snprintf(s->status, sizeof s->status, "%.150s, prepared as convstep classify prepares it%s", s->drop.name,
             grew ? ": the input is now 28x28, the whole picture" : "");
}

static void set_kernel_size_(app_state *s, int k) {
    conv_setup *c = &s->conv.setup;
    c->k = clampi_(k, 1, VIEW_MAX_K);
    for (int f = 0; f < VIEW_MAX_F; f++)
        if (c->preset[f] != PRESET_CUSTOM)
            for (int ch = 0; ch < VIEW_MAX_C; ch++) app_preset_kernel(c->preset[f], c->k, c->kernel[f][ch]);
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
    } else if (c->grid == GRID_KERNEL) {  // the grid's layer is its filter
        const int f = clampi_(c->layer, 0, VIEW_MAX_F - 1);
        const conv_setup *cs = &s->conv.setup;  // the grid shows the kernel as it slides
        const int y = cs->flip ? cs->k - 1 - c->row : c->row, x = cs->flip ? cs->k - 1 - c->col : c->col;
        s->conv.setup.kernel[f][c->channel][y][x] = v;
        s->conv.setup.preset[f] = PRESET_CUSTOM;
    } else if (c->grid == GRID_BIAS) {
        s->conv.setup.bias[clampi_(c->layer, 0, VIEW_MAX_F - 1)] = v;
    }
    recompute_(s, keep);
}

static anim_target anim_of_(app_state *s) {
    anim_target t = {&s->conv.anim, s->conv.geom.window, s->conv.geom.out_w, s->conv.step.valid, load_step_};
    return t;
}

// A jump to output (row, col) of a filter: the one clicked, else the current one.
static void jump_(app_state *s, const anim_target *t, const app_action *a) {
    const int oh = s->conv.geom.out_h, ow = s->conv.geom.out_w;
    if (!s->conv.ok || a->row < 0 || a->col < 0 || a->row >= oh || a->col >= ow) return;
    const int f = a->cell.grid == GRID_OUTPUT ? a->cell.channel : conv_view_filter(&s->conv);
    if (f < 0 || f >= s->conv.setup.filters) return;
    s->conv.anim.playing = false;
    anim_goto(s, t, (f * oh + a->row) * ow + a->col, s->conv.geom.window);
}

static void update_(app_state *s, const app_action *a) {
    conv_setup *c = &s->conv.setup;
    const anim_target t = anim_of_(s);
    if (a->kind == ACT_JUMP_TO_OUTPUT) {
        jump_(s, &t, a);
        return;
    }
    if (anim_update(s, &t, a)) {
        follow_products_(&s->conv);
        return;
    }
    switch (a->kind) {
    case ACT_SHOW_CHANNEL: s->conv.channel_pick = clampi_(a->value, 0, c->channels - 1); return;
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
    case ACT_SET_FILTERS: {
        conv_set_filters(c, a->value);
        recompute_(s, -1);
        char n[200];
        conv_params_text(c, n, sizeof n);
        snprintf(s->status, sizeof s->status, "%d filter%s: %d output map%s; %s", c->filters,
                 c->filters == 1 ? "" : "s", c->filters, c->filters == 1 ? "" : "s", n);
        return;
    }
    case ACT_PRESET: {
        if (a->value < 0 || a->value >= PRESET_CUSTOM) return;
        const int f = conv_view_filter(&s->conv), keep = s->conv.anim.pos;
        c->preset[f] = (app_preset)a->value;
        for (int ch = 0; ch < VIEW_MAX_C; ch++) app_preset_kernel(c->preset[f], c->k, c->kernel[f][ch]);
        recompute_(s, c->filters > 1 ? keep : -1);  // several filters: stay on the one just set
        return;
    }
    case ACT_RANDOMISE:
        s->digit = -1;
        for (int ch = 0; ch < VIEW_MAX_C; ch++)
            for (int y = 0; y < VIEW_MAX_N; y++)
                for (int x = 0; x < VIEW_MAX_N; x++) c->input[ch][y][x] = (float)app_rand_below(&s->rng_state, 5);
        recompute_(s, -1);
        return;
    case ACT_LOAD_DIGIT: load_digit_(s, a->value); return;
    case ACT_FLIP_KERNEL:  // value: 0 toggles, 1 on, 2 off (a lesson's 'flip on|off')
        c->flip = a->value == 0 ? !c->flip : a->value == 1;
        // Stay where the animation is; at the very start, stay at the start.
        recompute_(s, s->conv.anim.pos == 0 && s->conv.anim.reveal == 0 ? -1 : s->conv.anim.pos);
        if (!s->player.l)  // a lesson's 'flip' is said by its caption (and T is off there)
            snprintf(s->status, sizeof s->status, "%s",
                 c->flip ? "true convolution: every kernel slides rotated 180 degrees (T again: as written)"
                         : "cross-correlation: the kernels slide as written, as in deep learning");
        return;
    case ACT_DROPPED_IMAGE: load_dropped_(s); return;
    case ACT_SET_CELL: set_cell_(s, &a->cell, a->fx); return;
    default: return;
    }
}

static void tick_(app_state *s, double ms) {
    const anim_target t = anim_of_(s);
    anim_tick(s, &t, ms);
    follow_products_(&s->conv);
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
static app_action channel_shown_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    const int n = s->conv.setup.channels;
    return (app_action){.kind = ACT_SHOW_CHANNEL, .value = (conv_view_channel(&s->conv) + d + n) % n};
}
static app_action filters_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_FILTERS, .value = s->conv.setup.filters + d};
}

static const key_binding keys_[] = {
    ANIM_KEYS,
    {KEY_RIGHT, KEYMOD_SHIFT, ACT_STEP_FORWARD, ANIM_ONE_PRODUCT, NULL, 0, "add one product by hand"},
    {'n', 0, ACT_SET_SIZE, 1, size_up_, KEYF_SETUP, "input size up"},
    {'n', KEYMOD_SHIFT, ACT_SET_SIZE, -1, size_up_, KEYF_SETUP, "input size down"},
    {'k', 0, ACT_SET_KERNEL, 1, kernel_up_, KEYF_SETUP, "kernel size up"},
    {'k', KEYMOD_SHIFT, ACT_SET_KERNEL, -1, kernel_up_, KEYF_SETUP, "kernel size down"},
    {'p', 0, ACT_CYCLE_PADDING, 0, NULL, KEYF_SETUP, "padding: valid, same, 1, 2, 3"},
    {'s', 0, ACT_SET_STRIDE, 1, stride_up_, KEYF_SETUP, "stride up"},
    {'s', KEYMOD_SHIFT, ACT_SET_STRIDE, -1, stride_up_, KEYF_SETUP, "stride down"},
    {'d', 0, ACT_SET_DILATION, 1, dilation_up_, KEYF_SETUP, "dilation up"},
    {'d', KEYMOD_SHIFT, ACT_SET_DILATION, -1, dilation_up_, KEYF_SETUP, "dilation down"},
    {'c', 0, ACT_SET_CHANNELS, 0, channels_next_, KEYF_SETUP, "input channels 1 to 6"},
    {'[', 0, ACT_SHOW_CHANNEL, -1, channel_shown_, 0, "previous input channel (shown one at a time)"},
    {']', 0, ACT_SHOW_CHANNEL, 1, channel_shown_, 0, "next input channel (shown one at a time)"},
    {'f', 0, ACT_SET_FILTERS, 1, filters_up_, KEYF_SETUP, "one filter more (up to 4)"},
    {'f', KEYMOD_SHIFT, ACT_SET_FILTERS, -1, filters_up_, KEYF_SETUP, "one filter fewer"},
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
    {'t', 0, ACT_FLIP_KERNEL, 0, NULL, KEYF_SETUP, "true convolution (kernel rotated 180°) on / off"},
    {'s', KEYMOD_CTRL, ACT_EXPORT, VIEW_EXPORT_LESSON, NULL, 0, "save as a lesson file, to add captions to"},
    {'p', KEYMOD_CTRL, ACT_EXPORT, VIEW_EXPORT_PYTORCH, NULL, 0, "PyTorch script of this operation (saved, copied)"},
};

// ---- Opening on a network's layer -----------------------------------------------------------

bool conv_open_from_net(app_state *s, const nn_net *net, const float *net_input, int layer, int filter, int row,
                        int col, app_view back, char *why, size_t why_size) {
    if (!net || layer < 0 || layer >= net->model->n_layers || net->model->layers[layer].spec.kind != NN_LAYER_CONV) {
        snprintf(why, why_size, "layer %d is not a convolution", layer + 1);
        return false;
    }
    const nn_conv2d_geom *g = &net->model->layers[layer].conv;
    const nn_conv2d_config *cc = &g->cfg;
    if (cc->in_c > VIEW_MAX_C || cc->in_h > VIEW_MAX_N || cc->in_w > VIEW_MAX_N || cc->k_h != cc->k_w ||
        cc->k_h > VIEW_MAX_K || cc->stride > 4 || cc->dilation > 3 || g->rows.pad_lo > 3 || g->rows.pad_hi > 3 ||
        g->cols.pad_lo > 3 || g->cols.pad_hi > 3 || g->out_h > VIEW_MAX_OUT || g->out_w > VIEW_MAX_OUT) {
        snprintf(why, why_size,
                 "conv layer %d (%d channels of %dx%d, %dx%d kernels) is larger than the convolution view shows "
                 "(up to %d channels of %dx%d, kernels up to %dx%d)",
                 layer + 1, cc->in_c, cc->in_h, cc->in_w, cc->k_h, cc->k_w, VIEW_MAX_C, VIEW_MAX_N, VIEW_MAX_N,
                 VIEW_MAX_K, VIEW_MAX_K);
        return false;
    }
    if (filter < 0 || filter >= cc->filters || row < 0 || col < 0 || row >= g->out_h || col >= g->out_w) {
        snprintf(why, why_size, "conv layer %d has %d filters of %dx%d outputs: no filter %d, output (%d, %d)",
                 layer + 1, cc->filters, g->out_h, g->out_w, filter + 1, row, col);
        return false;
    }
    const float *in = layer == 0 ? net_input : net->out[layer - 1];  // batch item 0: [C][H][W]
    conv_setup cs;
    memset(&cs, 0, sizeof cs);
    cs.channels = cc->in_c;
    cs.filters = 1;  // the one asked about
    cs.n_h = cc->in_h;
    cs.n_w = cc->in_w;
    cs.k = cc->k_h;
    cs.padding = cc->padding;
    cs.stride = cc->stride;
    cs.dilation = cc->dilation;
    cs.flip = false;  // a network's layer cross-correlates
    for (int f = 0; f < VIEW_MAX_F; f++) cs.preset[f] = PRESET_CUSTOM;
    // The layer's weights are [filters][in_c][k][k]: this filter's stack is one window's worth.
    const float *w = net->params + net->slices[layer].weights + (size_t)filter * g->window;
    cs.bias[0] = net->params[net->slices[layer].bias + filter];
    for (int ch = 0; ch < cc->in_c; ch++) {
        for (int y = 0; y < cc->k_h; y++)
            for (int x = 0; x < cc->k_w; x++) cs.kernel[0][ch][y][x] = w[(ch * cc->k_h + y) * cc->k_w + x];
        for (int y = 0; y < cc->in_h; y++)
            for (int x = 0; x < cc->in_w; x++) cs.input[ch][y][x] = in[((size_t)ch * cc->in_h + y) * cc->in_w + x];
    }
    s->digit = -1;
    s->back_view = back;  // Esc returns to where it was opened from
    s->view = VIEW_CONV;
    app_set_conv(s, &cs);
    const app_action jump = {.kind = ACT_JUMP_TO_OUTPUT, .row = row, .col = col};
    update_(s, &jump);
    snprintf(s->status, sizeof s->status,
             "filter %d of conv layer %d (%d input channel%s), output (%d, %d): the same numbers the network computed",
             filter + 1, layer + 1, cc->in_c, cc->in_c == 1 ? "" : "s", row, col);
    return true;
}

// ---- What lessons read and set ----------------------------------------------------------------------

// A lesson's cells (expect cell, quiz cell, step to) are the current filter's.
static void op_(const app_state *s, view_op *o) {
    const size_t plane = (size_t)s->conv.geom.out_h * (size_t)s->conv.geom.out_w;
    *o = (view_op){s->conv.ok, s->conv.why, &s->conv.geom.rows, &s->conv.geom.cols, s->conv.geom.out_h,
                   s->conv.geom.out_w, s->conv.out + (s->conv.ok ? (size_t)conv_view_filter(&s->conv) * plane : 0),
                   NULL, &s->conv.anim, NULL, NULL};
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
    c.filters = 1;
    c.k = 3;
    c.padding.mode = NN_PAD_VALID;
    c.stride = c.dilation = 1;
    for (int f = 0; f < VIEW_MAX_F; f++) c.preset[f] = PRESET_CUSTOM;
    uint64_t rng = app_rng_stream(APP_RNG_CONV);
    for (int ch = 0; ch < VIEW_MAX_C; ch++)
        for (int y = 0; y < VIEW_MAX_N; y++)
            for (int x = 0; x < VIEW_MAX_N; x++) c.input[ch][y][x] = (float)app_rand_below(&rng, 4);
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) c.input[0][y][x] = image[y][x];
    for (int ch = 0; ch < VIEW_MAX_C; ch++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++) c.kernel[0][ch][y][x] = kernel[y][x];
    app_set_conv(s, &c);
}

const view_def view_conv = {
    .id = VIEW_CONV,
    .name = "conv",
    .title = "convolution",
    .menu = "Convolution",
    .keys = KEY_TABLE("convolution", keys_),
    .mouse = "click an input, kernel or bias cell to type a new value; click an output cell to see its window; "
             "hover a cell to light the cells it is linked to",
    .has_panel = true,
    .layout = layout_,
    .update = update_,
    .tick = tick_,
    .op = op_,
    .lesson_input = lesson_input_,
    .reset = reset_,
};
