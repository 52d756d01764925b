// state.c - the views' state and every change to it (no SDL here).
#include "state.h"

#include "draw.h"
#include "lesson_play.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---- Presets and speeds --------------------------------------------------------------

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

static const double speeds_[] = {0.5, 1, 2, 4, 8, 16, 32, 64};
#define N_SPEEDS ((int)(sizeof speeds_ / sizeof speeds_[0]))
#define SLOW_SPEEDS 3  // at 0.5, 1 and 2 cells a second the products appear one by one

int app_speed_count(void) { return N_SPEEDS; }
double app_speed_value(int index) {
    return speeds_[index < 0 ? 0 : index >= N_SPEEDS ? N_SPEEDS - 1 : index];
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

// ---- The dashboard's models ----------------------------------------------------------------

static const struct {
    const char *name, *arch;
} models_[] = {
    {"softmax", "softmax"},
    {"small CNN", "conv(8,5,pad=2),relu,maxpool(2),flatten,dense(10),softmax"},
    {"LeNet-5", "lenet5"},
};

int app_train_model_count(void) { return (int)(sizeof models_ / sizeof models_[0]); }
// (the custom --arch model, index MODEL_CUSTOM, is named and built by its caller)
const char *app_train_model_name(int i) { return models_[i < 0 || i >= app_train_model_count() ? 0 : i].name; }
const char *app_train_model_arch(int i) { return models_[i < 0 || i >= app_train_model_count() ? 0 : i].arch; }

// ---- Random numbers for "randomise" (splitmix64: repeatable headless) --------------

static int rand_below_(app_state *s, int n) {
    uint64_t z = (s->rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (int)(z % (uint64_t)n);
}

// ---- The convolution view ------------------------------------------------------------

int app_cells_done(const anim_state *a, int count) {
    return a->total == 0 ? 0 : a->pos + (a->reveal >= count ? 1 : 0);
}

// After a recomputation: back to the start (keep < 0), or to cell `keep`
// (clamped) with all of its `count` products shown.
static void restart_at_(anim_state *a, int keep, int count) {
    a->pos = keep < 0 ? 0 : keep < a->total ? keep : a->total - 1;
    a->reveal = keep < 0 ? 0 : count;
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

// The pooling input as the engine lays it out: in [n_h][n_w].
static void pack_pool_(const pool_setup *p, float *in) {
    for (int y = 0; y < p->n_h; y++)
        for (int x = 0; x < p->n_w; x++) in[y * p->n_w + x] = p->input[y][x];
}

// Copies the engine's record of output cell `index` into the state.
static void load_conv_step_(app_state *s, int index) {
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
static void recompute_conv_(app_state *s, int keep) {
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
    restart_at_(a, keep, s->conv.geom.window);
    load_conv_step_(s, a->pos);
}

bool app_set_conv(app_state *s, const conv_setup *c) {
    s->conv.setup = *c;
    s->conv.anim.playing = false;
    recompute_conv_(s, -1);
    return s->conv.ok;
}

// ---- The pooling view ------------------------------------------------------------------

static void load_pool_step_(app_state *s, int index) {
    pool_step_view *v = &s->pool.step;
    v->valid = false;
    if (!s->pool.ok || index < 0 || index >= s->pool.anim.total) return;
    const pool_setup *p = &s->pool.setup;
    float in[VIEW_MAX_N * VIEW_MAX_N];
    pack_pool_(p, in);
    nn_pool_cursor cmax, cavg;
    if (nn_pool_cursor_init(&cmax, &s->pool.max_geom, in, NULL) != NN_OK) return;
    if (nn_pool_cursor_init(&cavg, &s->pool.avg_geom, in, NULL) != NN_OK) {
        nn_pool_cursor_destroy(&cmax);
        return;
    }
    nn_pool_step m, av;
    if (nn_pool_step_at(&cmax, index, &m) && nn_pool_step_at(&cavg, index, &av)) {
        v->valid = true;
        v->row = m.row;
        v->col = m.col;
        v->count = m.count;
        memcpy(v->window, m.window, sizeof(float) * (size_t)m.count);
        memcpy(v->padded, m.padded, (size_t)m.count);
        memcpy(v->in_row, m.in_row, sizeof(int) * (size_t)m.count);
        memcpy(v->in_col, m.in_col, sizeof(int) * (size_t)m.count);
        v->max_value = m.value;
        v->argmax = m.argmax;
        v->argmax_row = m.argmax_row;
        v->argmax_col = m.argmax_col;
        v->avg_sum = av.sum;
        v->avg_value = av.value;
        v->divisor = av.divisor;
    }
    nn_pool_cursor_destroy(&cmax);
    nn_pool_cursor_destroy(&cavg);
}

static void recompute_pool_(app_state *s, int keep) {
    const pool_setup *p = &s->pool.setup;
    nn_pool_config cfg = {.mode = NN_POOL_MAX, .c = 1, .in_h = p->n_h, .in_w = p->n_w,
                          .size_h = p->size, .size_w = p->size, .stride = p->stride, .pad = p->pad};
    nn_error e;
    s->pool.ok = nn_pool_geom_init(&s->pool.max_geom, &cfg, &e) == NN_OK;
    cfg.mode = NN_POOL_AVG;
    if (s->pool.ok) s->pool.ok = nn_pool_geom_init(&s->pool.avg_geom, &cfg, &e) == NN_OK;
    if (!s->pool.ok) snprintf(s->pool.why, sizeof s->pool.why, "%s", e.msg);
    anim_state *a = &s->pool.anim;
    a->total = s->pool.ok ? s->pool.max_geom.out_h * s->pool.max_geom.out_w : 0;
    a->playing = a->playing && s->pool.ok;
    a->clock_ms = 0;
    if (!s->pool.ok) {
        a->pos = a->reveal = 0;
        s->pool.step.valid = false;
        return;
    }
    float in[VIEW_MAX_N * VIEW_MAX_N];
    pack_pool_(p, in);
    nn_pool_forward(&s->pool.max_geom, s->pool.max_out, NULL, in, 1);
    nn_pool_forward(&s->pool.avg_geom, s->pool.avg_out, NULL, in, 1);
    restart_at_(a, keep, s->pool.max_geom.window);
    load_pool_step_(s, a->pos);
}

bool app_set_pool(app_state *s, const pool_setup *p) {
    s->pool.setup = *p;
    s->pool.anim.playing = false;
    recompute_pool_(s, -1);
    return s->pool.ok;
}

// ---- Initial state ----------------------------------------------------------------------

void app_state_init(app_state *s) {
    memset(s, 0, sizeof *s);
    s->view = VIEW_HOME;
    s->zoom = 100;
    s->digit = -1;
    s->rng_state = 20240601;
    s->conv.anim.speed = 2;
    s->pool.anim.speed = 2;
    s->draw.brush = 5;
    s->train_model = 1;
    s->lesson_request = -1;
    snprintf(s->draw.note, sizeof s->draw.note, "draw a digit with the mouse");
    // The lecture example: a 5x5 image of small integers and a 3x3 kernel.
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
    // Cells outside the 5x5 get small integers too, so a larger input is ready.
    for (int ch = 0; ch < VIEW_MAX_C; ch++)
        for (int y = 0; y < VIEW_MAX_N; y++)
            for (int x = 0; x < VIEW_MAX_N; x++) c.input[ch][y][x] = (float)rand_below_(s, 4);
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) c.input[0][y][x] = image[y][x];
    for (int ch = 0; ch < VIEW_MAX_C; ch++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++) c.kernel[ch][y][x] = kernel[y][x];
    app_set_conv(s, &c);

    pool_setup p;
    memset(&p, 0, sizeof p);
    p.n_h = p.n_w = 6;
    p.size = 2;
    p.stride = 2;
    for (int y = 0; y < VIEW_MAX_N; y++)
        for (int x = 0; x < VIEW_MAX_N; x++) p.input[y][x] = (float)rand_below_(s, 10);
    app_set_pool(s, &p);
}

void app_set_digit_labels(app_state *s, const uint8_t *labels) { s->host.digit_labels = labels; }

void app_set_digits(app_state *s, const uint8_t *digits, int count) {
    s->host.digits = digits;
    s->host.n_digits = digits ? count : 0;
}

// ---- Animation ---------------------------------------------------------------------------

static anim_state *active_anim_(app_state *s) {
    return s->view == VIEW_POOL ? &s->pool.anim : s->view == VIEW_CONV ? &s->conv.anim : NULL;
}

static int active_count_(const app_state *s) {
    return s->view == VIEW_POOL ? s->pool.max_geom.window : s->conv.geom.window;
}

static void reload_step_(app_state *s) {
    if (s->view == VIEW_POOL)
        load_pool_step_(s, s->pool.anim.pos);
    else if (s->view == VIEW_CONV)
        load_conv_step_(s, s->conv.anim.pos);
}

// Moves the animation to cell pos with `reveal` products shown.
static void goto_(app_state *s, int pos, int reveal) {
    anim_state *a = active_anim_(s);
    if (!a || a->total == 0) return;
    pos = pos < 0 ? 0 : pos >= a->total ? a->total - 1 : pos;
    const bool moved = pos != a->pos;
    a->pos = pos;
    a->reveal = reveal;
    if (moved || !(s->view == VIEW_POOL ? s->pool.step.valid : s->conv.step.valid)) reload_step_(s);
}

// One beat of the animation: the next product (slow speeds) or the next cell.
static bool advance_(app_state *s) {
    anim_state *a = active_anim_(s);
    const int count = active_count_(s);
    if (a->reveal < count) {
        // Slow: the next product; fast: the whole cell at once.
        a->reveal = a->speed < SLOW_SPEEDS ? a->reveal + 1 : count;
        return true;
    }
    if (a->pos + 1 >= a->total) {
        a->reveal = count;
        return false;
    }
    goto_(s, a->pos + 1, a->speed < SLOW_SPEEDS ? 0 : count);
    return true;
}

void app_tick(app_state *s, double ms) {
    lesson_player *p = &s->player;
    if (p->l && p->autoplay && p->pc < p->l->n && !p->train_pending) {
        p->wait_ms -= ms;
        if (p->wait_ms <= 0) {
            s->lesson_nav = LESSON_NAV_NEXT;
            p->wait_ms = 1e9;  // until the beat has run and set its own wait
        }
    }
    anim_state *a = active_anim_(s);
    if (!a || !a->playing || a->total == 0) return;
    const int count = active_count_(s);
    const double cell_ms = 1000.0 / app_speed_value(a->speed);
    // At slow speeds a cell's time is shared by its products and its sum.
    const double beat_ms = a->speed < SLOW_SPEEDS ? cell_ms / (count + 1) : cell_ms;
    a->clock_ms += ms;
    for (int guard = 0; a->clock_ms >= beat_ms && guard < 100000; guard++) {
        a->clock_ms -= beat_ms;
        if (!advance_(s)) {
            a->playing = false;
            a->clock_ms = 0;
            break;
        }
    }
}

// ---- Editing cells ------------------------------------------------------------------------

static void commit_edit_(app_state *s) {
    if (!s->editing) return;
    s->editing = false;
    char *end;
    const double v = strtod(s->edit_text, &end);
    if (s->edit_text[0] == '\0' || *end != '\0' || !isfinite(v) || fabs(v) > 1e6) {
        snprintf(s->status, sizeof s->status, "'%s' is not a number; the cell is unchanged", s->edit_text);
        return;
    }
    const cell_ref *c = &s->selected;
    const int keep = active_anim_(s) ? active_anim_(s)->pos : 0;
    if (s->view == VIEW_CONV) {
        if (c->grid == GRID_INPUT) {
            s->conv.setup.input[c->channel][c->row][c->col] = (float)v;
            s->digit = -1;
        } else if (c->grid == GRID_KERNEL) {
            s->conv.setup.kernel[c->channel][c->row][c->col] = (float)v;
            s->conv.setup.preset = PRESET_CUSTOM;
        } else if (c->grid == GRID_BIAS) {
            s->conv.setup.bias = (float)v;
        }
        recompute_conv_(s, keep);
    } else if (s->view == VIEW_POOL && c->grid == GRID_INPUT) {
        s->pool.setup.input[c->row][c->col] = (float)v;
        s->digit = -1;
        recompute_pool_(s, keep);
    }
}

// ---- Settings -------------------------------------------------------------------------------

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// Crops the digit shown into the current input size, centred.
static void place_digit_(app_state *s) {
    if (s->digit < 0 || !s->host.digits) return;
    const uint8_t *px = s->host.digits + (size_t)s->digit * 28 * 28;
    const int n_h = s->view == VIEW_POOL ? s->pool.setup.n_h : s->conv.setup.n_h;
    const int n_w = s->view == VIEW_POOL ? s->pool.setup.n_w : s->conv.setup.n_w;
    const int oy = (28 - n_h) / 2, ox = (28 - n_w) / 2;
    for (int y = 0; y < n_h; y++)
        for (int x = 0; x < n_w; x++) {
            const int sy = y + oy, sx = x + ox;
            // Two decimals are enough to read and keep the products short.
            const float v = (sy < 0 || sx < 0 || sy >= 28 || sx >= 28)
                                ? 0.0f
                                : roundf(px[sy * 28 + sx] / 255.0f * 100.0f) / 100.0f;
            if (s->view == VIEW_POOL)
                s->pool.setup.input[y][x] = v;
            else
                for (int ch = 0; ch < s->conv.setup.channels; ch++) s->conv.setup.input[ch][y][x] = v;
        }
}

static void set_size_(app_state *s, int n) {
    n = clampi_(n, VIEW_MIN_N, VIEW_MAX_N);
    if (s->view == VIEW_POOL) {
        s->pool.setup.n_h = s->pool.setup.n_w = n;
        place_digit_(s);
        recompute_pool_(s, -1);
    } else {
        s->conv.setup.n_h = s->conv.setup.n_w = n;
        place_digit_(s);
        recompute_conv_(s, -1);
    }
}

static void set_kernel_size_(app_state *s, int k) {
    k = clampi_(k, 1, VIEW_MAX_K);
    conv_setup *c = &s->conv.setup;
    c->k = k;
    if (c->preset != PRESET_CUSTOM)
        for (int ch = 0; ch < VIEW_MAX_C; ch++) app_preset_kernel(c->preset, k, c->kernel[ch]);
    recompute_conv_(s, -1);
}

static void set_padding_(app_state *s, nn_padding p) {
    if (s->view == VIEW_POOL) {
        s->pool.setup.pad = p.mode == NN_PAD_EXPLICIT ? clampi_(p.p, 0, 3) : 0;
        recompute_pool_(s, -1);
    } else {
        if (p.mode == NN_PAD_EXPLICIT) p.p = clampi_(p.p, 0, 3);
        s->conv.setup.padding = p;
        recompute_conv_(s, -1);
    }
}

static void cycle_padding_(app_state *s) {
    if (s->view == VIEW_POOL) {
        set_padding_(s, nn_padding_explicit((s->pool.setup.pad + 1) % 4));
        return;
    }
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

static void randomise_(app_state *s) {
    s->digit = -1;
    if (s->view == VIEW_POOL) {
        for (int y = 0; y < VIEW_MAX_N; y++)
            for (int x = 0; x < VIEW_MAX_N; x++) s->pool.setup.input[y][x] = (float)rand_below_(s, 10);
        recompute_pool_(s, -1);
    } else {
        for (int ch = 0; ch < VIEW_MAX_C; ch++)
            for (int y = 0; y < VIEW_MAX_N; y++)
                for (int x = 0; x < VIEW_MAX_N; x++) s->conv.setup.input[ch][y][x] = (float)rand_below_(s, 5);
        recompute_conv_(s, -1);
    }
}

static void load_digit_(app_state *s, int index) {
    if (!s->host.digits || s->host.n_digits == 0) {
        snprintf(s->status, sizeof s->status, "no digits are loaded (assets/ was not found)");
        return;
    }
    s->digit = index < 0 ? (s->digit + 1) % s->host.n_digits : index % s->host.n_digits;
    place_digit_(s);
    if (s->view == VIEW_POOL)
        recompute_pool_(s, -1);
    else
        recompute_conv_(s, -1);
    snprintf(s->status, sizeof s->status, "test digit %d", s->digit);
}

// Opens the convolution view on the window behind one cell of the live CNN's
// first feature maps: the test digit, that filter's live weights and bias.
static void open_feature_window_(app_state *s, const cell_ref *c) {
    const nn_net *net = s->host.live_net;
    if (!net || !s->host.digits || net->model->layers[0].spec.kind != NN_LAYER_CONV) return;
    const nn_conv2d_geom *g = &net->model->layers[0].conv;
    const nn_conv2d_config *cc = &g->cfg;
    if (cc->in_c > VIEW_MAX_C || cc->k_h > VIEW_MAX_K || cc->k_h != cc->k_w || cc->in_h > VIEW_MAX_N ||
        cc->in_w > VIEW_MAX_N || g->rows.pad_lo > 3 || g->cols.pad_lo > 3 || cc->stride > 4 || cc->dilation > 3 ||
        c->channel < 0 || c->channel >= cc->filters) {
        snprintf(s->status, sizeof s->status, "this layer is too large for the convolution view");
        return;
    }
    conv_setup cs = s->conv.setup;
    cs.channels = cc->in_c;
    cs.n_h = cc->in_h;
    cs.n_w = cc->in_w;
    cs.k = cc->k_h;
    cs.padding = cc->padding;
    cs.stride = cc->stride;
    cs.dilation = cc->dilation;
    cs.preset = PRESET_CUSTOM;
    const float *w = net->params + net->slices[0].weights + (size_t)c->channel * g->window;
    cs.bias = net->params[net->slices[0].bias + c->channel];
    for (int ch = 0; ch < cc->in_c; ch++)
        for (int y = 0; y < cc->k_h; y++)
            for (int x = 0; x < cc->k_w; x++) cs.kernel[ch][y][x] = w[(ch * cc->k_h + y) * cc->k_w + x];
    // The network's own input: pixel / 255, exactly.
    const uint8_t *px = s->host.digits + (size_t)s->inspect * 784;
    for (int ch = 0; ch < cc->in_c; ch++)
        for (int y = 0; y < cc->in_h; y++)
            for (int x = 0; x < cc->in_w; x++)
                cs.input[ch][y][x] = y < 28 && x < 28 ? px[y * 28 + x] * (1.0f / 255.0f) : 0.0f;
    s->digit = -1;
    s->back_view = VIEW_CNN;  // Esc returns to the maps it was opened from
    s->view = VIEW_CONV;
    app_set_conv(s, &cs);
    const app_action jump = {.kind = ACT_JUMP_TO_OUTPUT, .row = c->row, .col = c->col};
    app_update(s, &jump);
    snprintf(s->status, sizeof s->status,
             "filter %d of the live network on test digit %d, output (%d, %d): the same numbers the network computed",
             c->channel + 1, s->inspect, c->row, c->col);
}

// ---- Actions ------------------------------------------------------------------------------

// Typing an answer to the lesson's open quiz.
static bool quiz_key_(app_state *s, const app_action *a) {
    lesson_player *p = &s->player;
    if (!p->l || !p->quiz_open || p->quiz_result != 0) return false;
    const size_t n = strlen(p->quiz_typed);
    if (a->kind == ACT_TYPE_CHAR) {
        const char ch = a->ch;
        if (n + 1 < sizeof p->quiz_typed && ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == 'x'))
            p->quiz_typed[n] = ch, p->quiz_typed[n + 1] = '\0';
        return true;
    }
    if (a->kind == ACT_EDIT_BACKSPACE) {
        if (n) p->quiz_typed[n - 1] = '\0';
        return true;
    }
    if (a->kind == ACT_EDIT_COMMIT && n) {
        p->quiz_result = lesson_answer_matches(p->quiz_typed, p->quiz_answer) ? 1 : -1;
        return true;
    }
    return false;
}

void app_update(app_state *s, const app_action *a) {
    if (a->kind == ACT_NONE) return;  // asks for nothing: an edit in progress stays open
    if (quiz_key_(s, a)) return;
    anim_state *an = active_anim_(s);
    if (s->editing && a->kind != ACT_TYPE_CHAR && a->kind != ACT_EDIT_BACKSPACE &&
        a->kind != ACT_EDIT_CANCEL && a->kind != ACT_EDIT_COMMIT && a->kind != ACT_SELECT_CELL)
        commit_edit_(s);
    switch (a->kind) {
    case ACT_NONE: return;
    case ACT_QUIT: s->quit = true; return;
    case ACT_HOME: s->view = VIEW_HOME; s->back_view = VIEW_HOME; s->help = false; s->digit = -1; return;
    case ACT_BACK:
        // Esc: closes the help, else returns to the view this one was opened
        // from (the CNN's maps for a window opened from them), else home.
        if (s->help) {
            s->help = false;
        } else if (s->back_view != VIEW_HOME && s->back_view != s->view && s->view != VIEW_HOME) {
            s->view = s->back_view;
            s->back_view = VIEW_HOME;
            s->digit = -1;
        } else {
            s->view = VIEW_HOME;
            s->back_view = VIEW_HOME;
            s->digit = -1;
        }
        return;
    case ACT_OPEN_VIEW:
        // A loaded digit belongs to the view it was loaded in.
        if (a->value > VIEW_HOME && a->value < VIEW_COUNT && a->value != (int)s->view) {
            s->view = (app_view)a->value;
            s->back_view = VIEW_HOME;
            s->digit = -1;
        }
        return;
    case ACT_HELP: s->help = !s->help; return;
    case ACT_FULLSCREEN: s->fullscreen = !s->fullscreen; return;
    case ACT_ZOOM_IN: s->zoom = clampi_(s->zoom + 10, 50, 300); return;
    case ACT_ZOOM_OUT: s->zoom = clampi_(s->zoom - 10, 50, 300); return;
    case ACT_ZOOM_RESET: s->zoom = 100; return;
    case ACT_PALETTE: s->colorblind = !s->colorblind; return;
    case ACT_HOME_NEXT:
        if (s->view == VIEW_LESSONS)
            s->lesson_focus = s->host.n_lessons ? (s->lesson_focus + 1) % s->host.n_lessons : 0;
        else
            s->home.focus = (s->home.focus + 1) % (VIEW_COUNT - 1);
        return;
    case ACT_HOME_PREV:
        if (s->view == VIEW_LESSONS)
            s->lesson_focus = s->host.n_lessons ? (s->lesson_focus + s->host.n_lessons - 1) % s->host.n_lessons : 0;
        else
            s->home.focus = (s->home.focus + VIEW_COUNT - 2) % (VIEW_COUNT - 1);
        return;
    case ACT_HOME_FOCUS: s->home.focus = clampi_(a->value, 0, VIEW_COUNT - 2); return;
    case ACT_HOME_ENTER:
        if (s->view == VIEW_HOME) s->view = (app_view)(VIEW_HOME + 1 + s->home.focus);
        s->back_view = VIEW_HOME;
        return;
    // Training: the runner does these (the state only says what was asked).
    case ACT_TRAIN_TOGGLE: case ACT_TRAIN_RESET: case ACT_LR_UP: case ACT_LR_DOWN:
    case ACT_SLOWMO_MORE: case ACT_SLOWMO_LESS: case ACT_TRAIN_MODEL: case ACT_SAVE_MODEL:
    case ACT_LOAD_MODEL: {
        static const live_request req[] = {
            [ACT_TRAIN_TOGGLE] = LIVE_TOGGLE, [ACT_TRAIN_RESET] = LIVE_RESET, [ACT_LR_UP] = LIVE_LR_UP,
            [ACT_LR_DOWN] = LIVE_LR_DOWN, [ACT_SLOWMO_MORE] = LIVE_SLOWER, [ACT_SLOWMO_LESS] = LIVE_FASTER,
            [ACT_TRAIN_MODEL] = LIVE_MODEL, [ACT_SAVE_MODEL] = LIVE_SAVE, [ACT_LOAD_MODEL] = LIVE_LOAD,
        };
        if (a->kind == ACT_TRAIN_MODEL) {
            const bool custom_ok = a->value == MODEL_CUSTOM && s->host.custom_arch[0];
            if (a->value < 0 || (a->value >= app_train_model_count() && !custom_ok)) return;
            s->train_model = a->value;
        }
        s->request = req[a->kind];
        s->request_target = s->view == VIEW_TEMPLATES ? 1 : 0;
        return;
    }
    // Lessons: the runner opens and moves them (they may train models).
    case ACT_LESSON_OPEN:
        if (a->value < 0 || a->value >= s->host.n_lessons || !s->host.lessons) return;
        s->lesson_focus = a->value;
        // A lesson that does not parse says why instead of opening.
        if (s->host.lessons[a->value].error[0])
            snprintf(s->status, sizeof s->status, "%.500s", s->host.lessons[a->value].error);
        else
            s->lesson_request = a->value;
        return;
    case ACT_LESSON_FOCUS:
        s->lesson_focus = s->host.n_lessons ? clampi_(a->value, 0, s->host.n_lessons - 1) : 0;
        return;
    case ACT_LESSON_STOP_TRAINING: s->lesson_nav = LESSON_NAV_STOP_TRAINING; return;
    case ACT_LESSON_NEXT: s->lesson_nav = LESSON_NAV_NEXT; return;
    case ACT_LESSON_BACK: s->lesson_nav = LESSON_NAV_BACK; return;
    case ACT_LESSON_RESTART: s->lesson_nav = LESSON_NAV_RESTART; return;
    case ACT_LESSON_CLOSE: s->lesson_nav = LESSON_NAV_CLOSE; return;
    case ACT_LESSON_AUTOPLAY:
        s->player.autoplay = !s->player.autoplay;
        s->player.wait_ms = s->player.beat_wait_s > 0 ? s->player.beat_wait_s * 1000 : 3000;
        return;
    case ACT_INSPECT_NEXT:
        s->inspect = s->host.n_digits ? (s->inspect + 1) % s->host.n_digits : 0;
        return;
    case ACT_PEN_DOWN: draw_pen_down(s, a->fx, a->fy); return;
    case ACT_PEN_MOVE: draw_pen_move(s, a->fx, a->fy); return;
    case ACT_PEN_UP: draw_pen_up(s); return;
    case ACT_DRAW_CLEAR: draw_clear(s); return;
    case ACT_DRAW_UNDO: draw_undo(s); return;
    case ACT_BRUSH: s->draw.brush = clampi_(a->value, 2, 10); return;
    case ACT_DRAW_MODEL:
        s->draw.live = !s->draw.live;
        app_draw_classify(s);
        return;
    default: break;
    }
    if (a->kind == ACT_SELECT_CELL && a->cell.grid == GRID_FMAP) {
        open_feature_window_(s, &a->cell);
        return;
    }
    if (!an) return;  // the rest acts on a view
    const int count = active_count_(s);
    switch (a->kind) {
    case ACT_PLAY_PAUSE:
        if (an->total == 0) return;
        if (!an->playing && an->pos + 1 >= an->total && an->reveal >= count) goto_(s, 0, 0);
        an->playing = !an->playing;
        an->clock_ms = 0;
        return;
    case ACT_STEP_FORWARD:
        an->playing = false;
        if (an->reveal < count)
            an->reveal = count;
        else
            goto_(s, an->pos + 1, count);
        return;
    case ACT_STEP_BACK:
        an->playing = false;
        if (an->pos == 0)
            an->reveal = 0;
        else
            goto_(s, an->pos - 1, count);
        return;
    case ACT_RESTART: an->playing = false; goto_(s, 0, 0); return;
    case ACT_TO_END: an->playing = false; goto_(s, an->total - 1, count); return;
    case ACT_FASTER: an->speed = clampi_(an->speed + 1, 0, N_SPEEDS - 1); return;
    case ACT_SLOWER: an->speed = clampi_(an->speed - 1, 0, N_SPEEDS - 1); return;
    case ACT_JUMP_TO_OUTPUT: {
        const int out_w = s->view == VIEW_POOL ? s->pool.max_geom.out_w : s->conv.geom.out_w;
        const int out_h = an->total / (out_w ? out_w : 1);
        if (a->row < 0 || a->col < 0 || a->row >= out_h || a->col >= out_w) return;
        an->playing = false;
        goto_(s, a->row * out_w + a->col, count);
        return;
    }
    case ACT_SET_SIZE: set_size_(s, a->value); return;
    case ACT_SET_KERNEL:
        if (s->view == VIEW_CONV) set_kernel_size_(s, a->value);
        else {
            s->pool.setup.size = clampi_(a->value, 1, VIEW_MAX_K);
            recompute_pool_(s, -1);
        }
        return;
    case ACT_SET_POOL_SIZE:
        s->pool.setup.size = clampi_(a->value, 1, VIEW_MAX_K);
        recompute_pool_(s, -1);
        return;
    case ACT_SET_PADDING: {
        nn_padding p = {NN_PAD_EXPLICIT, a->value};
        if (a->value == -1) p.mode = NN_PAD_VALID, p.p = 0;
        if (a->value == -2) p.mode = NN_PAD_SAME, p.p = 0;
        set_padding_(s, p);
        return;
    }
    case ACT_CYCLE_PADDING: cycle_padding_(s); return;
    case ACT_SET_STRIDE:
        if (s->view == VIEW_POOL) {
            s->pool.setup.stride = clampi_(a->value, 1, 4);
            recompute_pool_(s, -1);
        } else {
            s->conv.setup.stride = clampi_(a->value, 1, 4);
            recompute_conv_(s, -1);
        }
        return;
    case ACT_SET_DILATION:
        if (s->view != VIEW_CONV) return;
        s->conv.setup.dilation = clampi_(a->value, 1, 3);
        recompute_conv_(s, -1);
        return;
    case ACT_SET_CHANNELS:
        if (s->view != VIEW_CONV) return;
        s->conv.setup.channels = clampi_(a->value, 1, VIEW_MAX_C);
        place_digit_(s);
        recompute_conv_(s, -1);
        return;
    case ACT_PRESET:
        if (s->view != VIEW_CONV || a->value < 0 || a->value >= PRESET_CUSTOM) return;
        s->conv.setup.preset = (app_preset)a->value;
        for (int ch = 0; ch < VIEW_MAX_C; ch++) app_preset_kernel(s->conv.setup.preset, s->conv.setup.k, s->conv.setup.kernel[ch]);
        recompute_conv_(s, -1);
        return;
    case ACT_RANDOMISE: randomise_(s); return;
    case ACT_LOAD_DIGIT: load_digit_(s, a->value); return;
    case ACT_SELECT_CELL:
        if (s->editing) commit_edit_(s);
        if (a->cell.grid == GRID_OUTPUT) {
            app_action j = {.kind = ACT_JUMP_TO_OUTPUT, .row = a->cell.row, .col = a->cell.col};
            app_update(s, &j);
            return;
        }
        if (a->cell.grid == GRID_NONE) return;
        s->selected = a->cell;
        s->editing = true;
        s->edit_text[0] = '\0';
        return;
    case ACT_TYPE_CHAR: {
        if (!s->editing) return;
        const size_t n = strlen(s->edit_text);
        const char ch = a->ch;
        if (n + 1 < sizeof s->edit_text && ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == 'e'))
            s->edit_text[n] = ch, s->edit_text[n + 1] = '\0';
        return;
    }
    case ACT_EDIT_BACKSPACE: {
        const size_t n = strlen(s->edit_text);
        if (s->editing && n > 0) s->edit_text[n - 1] = '\0';
        return;
    }
    case ACT_EDIT_COMMIT: commit_edit_(s); return;
    case ACT_EDIT_CANCEL: s->editing = false; return;
    default: return;
    }
}
