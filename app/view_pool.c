// view_pool.c - the pooling view: max and average pooling side by side over
// one channel, the engine's step record of each output cell, the keys and
// the layout. Its renderer is view_pool_render.c.
#include <stdio.h>
#include <string.h>

#include "anim.h"
#include "matrix.h"
#include "views.h"

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// The pooling input as the engine lays it out: in [n_h][n_w].
static void pack_pool_(const pool_setup *p, float *in) {
    for (int y = 0; y < p->n_h; y++)
        for (int x = 0; x < p->n_w; x++) in[y * p->n_w + x] = p->input[y][x];
}

static void load_step_(app_state *s, int index) {
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

static void recompute_(app_state *s, int keep) {
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
    anim_restart_at(a, keep, s->pool.max_geom.window);
    load_step_(s, a->pos);
}

bool app_set_pool(app_state *s, const pool_setup *p) {
    s->pool.setup = *p;
    s->pool.anim.playing = false;
    recompute_(s, -1);
    return s->pool.ok;
}

static void layout_(ui_layout *l, const app_state *s, const ui_metrics *m) {
    const pool_setup *ps = &s->pool.setup;
    (void)m;
    ui_panel p = layout_panel_fit(l, 7);
    layout_transport(&p, &s->pool.anim);
    p.y += p.gap;
    layout_stepper(&p, ACT_SET_SIZE, ps->n_h, VIEW_MIN_N, VIEW_MAX_N);
    layout_stepper(&p, ACT_SET_POOL_SIZE, ps->size, 1, VIEW_MAX_K);
    layout_stepper(&p, ACT_SET_STRIDE, ps->stride, 1, 4);
    layout_stepper(&p, ACT_SET_PADDING, ps->pad, 0, 3);
    p.y += p.gap;
    layout_two_buttons(&p, "randomise", ACT_RANDOMISE, 0, "load a digit", ACT_LOAD_DIGIT, -1);

    const int pad = ps->pad;
    const int in_rows = ps->n_h + 2 * pad, in_cols = ps->n_w + 2 * pad;
    const int out_rows = s->pool.ok ? s->pool.max_geom.out_h : 1;
    const int out_cols = s->pool.ok ? s->pool.max_geom.out_w : 1;
    const int title_h = l->small_px * 3 / 2;
    const ui_rect area = ui_rect_at(l->main.x + l->pad, l->main.y + l->pad, l->main.w - 2 * l->pad,
                               l->main.h * 56 / 100);
    const int gap = l->pad * 3;
    const int cell_w = (area.w - 2 * gap) / (in_cols + 2 * out_cols);
    const int cell_h = (area.h - title_h) / ui_max(in_rows, out_rows);
    const int cell = ui_max(4, ui_min(ui_min(cell_w, cell_h), l->text_px * 3));
    int x = area.x;
    ui_grid *gi = layout_grid(l, GRID_INPUT, 0, in_rows, in_cols, -pad, -pad, x, area.y + title_h, cell, "input");
    if (gi) gi->data_rows = ps->n_h, gi->data_cols = ps->n_w;
    x += in_cols * cell + gap;
    if (s->pool.ok) {
        layout_grid(l, GRID_OUTPUT, 0, out_rows, out_cols, 0, 0, x, area.y + title_h, cell, "max pooling");
        x += out_cols * cell + gap;
        layout_grid(l, GRID_OUTPUT, 1, out_rows, out_cols, 0, 0, x, area.y + title_h, cell, "average pooling");
    }
    const int below = area.y + area.h + l->pad;
    l->formula = ui_rect_at(l->main.x + l->pad, below, l->main.w - 2 * l->pad, l->text_px * 5);
    l->arithmetic = ui_rect_at(l->main.x + l->pad, l->formula.y + l->formula.h + l->pad,
                          l->main.w - 2 * l->pad, l->main.y + l->main.h - (l->formula.y + l->formula.h + l->pad));
}

// ---- Changing the set-up -----------------------------------------------------------------------

// The digit shown, cropped into the current input size.
static void place_digit_(app_state *s) {
    pool_setup *p = &s->pool.setup;
    if (s->digit < 0 || !s->host.digits) return;
    for (int y = 0; y < p->n_h; y++)
        for (int x = 0; x < p->n_w; x++) p->input[y][x] = app_digit_pixel(s, y, x, p->n_h, p->n_w);
}

static anim_target anim_of_(app_state *s) {
    anim_target t = {&s->pool.anim, s->pool.max_geom.window, s->pool.max_geom.out_w, s->pool.step.valid, load_step_};
    return t;
}

static void update_(app_state *s, const app_action *a) {
    pool_setup *p = &s->pool.setup;
    const anim_target t = anim_of_(s);
    if (anim_update(s, &t, a)) return;
    switch (a->kind) {
    case ACT_SET_SIZE:
        p->n_h = p->n_w = clampi_(a->value, VIEW_MIN_N, VIEW_MAX_N);
        place_digit_(s);
        recompute_(s, -1);
        return;
    case ACT_SET_KERNEL:
    case ACT_SET_POOL_SIZE: p->size = clampi_(a->value, 1, VIEW_MAX_K); recompute_(s, -1); return;
    case ACT_SET_PADDING: p->pad = a->value >= 0 ? clampi_(a->value, 0, 3) : 0; recompute_(s, -1); return;
    case ACT_CYCLE_PADDING: p->pad = (p->pad + 1) % 4; recompute_(s, -1); return;
    case ACT_SET_STRIDE: p->stride = clampi_(a->value, 1, 4); recompute_(s, -1); return;
    case ACT_RANDOMISE:
        s->digit = -1;
        for (int y = 0; y < VIEW_MAX_N; y++)
            for (int x = 0; x < VIEW_MAX_N; x++) p->input[y][x] = (float)app_rand_below(&s->rng_state, 10);
        recompute_(s, -1);
        return;
    case ACT_LOAD_DIGIT:
        if (!app_pick_digit(s, a->value)) return;
        place_digit_(s);
        recompute_(s, -1);
        return;
    case ACT_SET_CELL:
        if (a->cell.grid != GRID_INPUT) return;
        p->input[a->cell.row][a->cell.col] = a->fx;
        s->digit = -1;
        recompute_(s, s->pool.anim.pos);
        return;
    default: return;
    }
}

static void tick_(app_state *s, double ms) {
    const anim_target t = anim_of_(s);
    anim_tick(s, &t, ms);
}

// ---- Keys ---------------------------------------------------------------------------------------

static app_action window_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_POOL_SIZE, .value = s->pool.setup.size + d};
}
static app_action size_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_SIZE, .value = s->pool.setup.n_h + d};
}
static app_action stride_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_STRIDE, .value = s->pool.setup.stride + d};
}

static const key_binding keys_[] = {
    ANIM_KEYS,
    {'n', 0, ACT_SET_SIZE, 1, size_up_, KEYF_SETUP, "input size up"},
    {'n', KEYMOD_SHIFT, ACT_SET_SIZE, -1, size_up_, KEYF_SETUP, "input size down"},
    {'k', 0, ACT_SET_POOL_SIZE, 1, window_up_, KEYF_SETUP, "window size up"},
    {'k', KEYMOD_SHIFT, ACT_SET_POOL_SIZE, -1, window_up_, KEYF_SETUP, "window size down"},
    {'p', 0, ACT_CYCLE_PADDING, 0, NULL, KEYF_SETUP, "padding 0, 1, 2, 3"},
    {'s', 0, ACT_SET_STRIDE, 1, stride_up_, KEYF_SETUP, "stride up"},
    {'s', KEYMOD_SHIFT, ACT_SET_STRIDE, -1, stride_up_, KEYF_SETUP, "stride down"},
    {'r', 0, ACT_RANDOMISE, 0, NULL, KEYF_SETUP, "random input"},
    {'g', 0, ACT_LOAD_DIGIT, -1, NULL, KEYF_SETUP, "load the next real digit"},
};

// ---- What lessons read and set ----------------------------------------------------------------------

static void op_(const app_state *s, view_op *o) {
    *o = (view_op){s->pool.ok, s->pool.why, &s->pool.max_geom.rows, &s->pool.max_geom.cols, s->pool.max_geom.out_h,
                   s->pool.max_geom.out_w, s->pool.max_out, s->pool.avg_out, &s->pool.anim};
}

static bool lesson_input_(app_state *s, const app_matrix *m, char *err, int size) {
    if (m->c != 1 || m->h > VIEW_MAX_N || m->w > VIEW_MAX_N) {
        snprintf(err, (size_t)size, "the pooling view takes one channel of up to %dx%d", VIEW_MAX_N, VIEW_MAX_N);
        return false;
    }
    pool_setup p = s->pool.setup;
    p.n_h = m->h;
    p.n_w = m->w;
    for (int y = 0; y < m->h; y++)
        for (int x = 0; x < m->w; x++) p.input[y][x] = m->values[(size_t)y * m->w + x];
    app_set_pool(s, &p);
    return true;
}

// ---- Life cycle ---------------------------------------------------------------------------------

// A 6x6 input of digits 0..9 and a 2x2 window with stride 2.
static void reset_(app_state *s) {
    memset(&s->pool, 0, sizeof s->pool);
    s->pool.anim.speed = 2;
    pool_setup p;
    memset(&p, 0, sizeof p);
    p.n_h = p.n_w = 6;
    p.size = 2;
    p.stride = 2;
    uint64_t rng = app_rng_stream(APP_RNG_POOL);
    for (int y = 0; y < VIEW_MAX_N; y++)
        for (int x = 0; x < VIEW_MAX_N; x++) p.input[y][x] = (float)app_rand_below(&rng, 10);
    app_set_pool(s, &p);
}

const view_def view_pool = {
    .id = VIEW_POOL,
    .name = "pool",
    .title = "pooling: max and average",
    .menu = "Pooling",
    .keys = KEY_TABLE("pooling", keys_),
    .mouse = "click an input cell to type a new value; click an output cell to see its window",
    .has_panel = true,
    .layout = layout_,
    .update = update_,
    .tick = tick_,
    .op = op_,
    .lesson_input = lesson_input_,
    .reset = reset_,
};
