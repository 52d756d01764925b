// view_pool.c - the pooling view: max and average pooling side by side over
// one channel, the engine's step record of each output cell, the words
// under the grids, the legend's keys, the actions, the key bindings and the
// view's table entry. Where the grids, the legend, the formula and the lines
// go is view_pool_layout.c; its renderer is view_pool_render.c.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "anim.h"
#include "format.h"
#include "matrix.h"
#include "view_export.h"
#include "view_pool.h"
#include "views.h"

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// The pooling input as the engine lays it out: in [n_h][n_w].
static void pack_pool_(const pool_setup *p, float *in) {
    for (int y = 0; y < p->n_h; y++)
        for (int x = 0; x < p->n_w; x++) in[y * p->n_w + x] = p->input[y][x];
}

bool pool_winner(const app_state *s, int r, int c, int *in_row, int *in_col, float *value) {
    const nn_pool_geom *g = &s->pool.max_geom;
    if (!s->pool.ok || r < 0 || c < 0 || r >= g->out_h || c >= g->out_w) return false;
    float in[VIEW_MAX_N * VIEW_MAX_N];
    pack_pool_(&s->pool.setup, in);
    nn_pool_cursor cur;
    if (nn_pool_cursor_init(&cur, g, in, NULL) != NN_OK) return false;
    nn_pool_step m;
    const bool ok = nn_pool_step_at(&cur, r * g->out_w + c, &m) && m.argmax >= 0;
    if (ok) *in_row = m.argmax_row, *in_col = m.argmax_col, *value = m.value;
    nn_pool_cursor_destroy(&cur);
    return ok;
}

// What one step covers: a window's cells one by one forward, a whole output cell's routing backward.
static int step_cells_(const app_state *s) { return s->pool.backward ? 1 : s->pool.max_geom.window; }

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

// dL/dX of max and of average pooling by the engine's batch pass, from dL/dY.
static void backward_pass_(app_state *s) {
    nn_pool_backward(&s->pool.max_geom, s->pool.dx_max, s->pool.dy, s->pool.max_arg, 1);
    nn_pool_backward(&s->pool.avg_geom, s->pool.dx_avg, s->pool.dy, NULL, 1);
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
    nn_pool_forward(&s->pool.max_geom, s->pool.max_out, s->pool.max_arg, in, 1);
    nn_pool_forward(&s->pool.avg_geom, s->pool.avg_out, NULL, in, 1);
    if (!s->pool.dy_given) {
        // Small whole numbers 1..4, so every share written out stays readable.
        for (int i = 0; i < a->total; i++) s->pool.dy[i] = (float)(1 + i % 4);
    }
    backward_pass_(s);
    anim_restart_at(a, keep, step_cells_(s));
    load_step_(s, a->pos);
}

bool app_set_pool(app_state *s, const pool_setup *p) {
    // A new geometry changes dL/dY's shape: back to the default unless the shape stays.
    const pool_setup *o = &s->pool.setup;
    if (p->n_h != o->n_h || p->n_w != o->n_w || p->size != o->size || p->stride != o->stride || p->pad != o->pad)
        s->pool.dy_given = false;
    s->pool.setup = *p;
    s->pool.anim.playing = false;
    recompute_(s, -1);
    return s->pool.ok;
}

bool app_set_pool_grad(app_state *s, const float *dy, int h, int w) {
    if (!s->pool.ok || h != s->pool.max_geom.out_h || w != s->pool.max_geom.out_w) return false;
    memcpy(s->pool.dy, dy, sizeof(float) * (size_t)h * (size_t)w);
    s->pool.dy_given = true;
    backward_pass_(s);
    return true;
}

void pool_backward_upto(const app_state *s, int done, float *dx_max, float *dx_avg, unsigned char *reached) {
    const pool_setup *p = &s->pool.setup;
    const size_t n = (size_t)p->n_h * p->n_w;
    memset(dx_max, 0, sizeof(float) * n);
    memset(dx_avg, 0, sizeof(float) * n);
    if (reached) memset(reached, 0, 2 * n);
    if (!s->pool.ok) return;
    const int ow = s->pool.max_geom.out_w;
    for (int i = 0; i < done && i < s->pool.anim.total; i++) {
        nn_pool_backward_cell(&s->pool.max_geom, dx_max, s->pool.dy[i], i / ow, i % ow, s->pool.max_arg[i]);
        nn_pool_backward_cell(&s->pool.avg_geom, dx_avg, s->pool.dy[i], i / ow, i % ow, -1);
        if (!reached) continue;
        reached[s->pool.max_arg[i]] = 1;
        const pool_setup *q = p;
        const int y0 = (i / ow) * q->stride - q->pad, x0 = (i % ow) * q->stride - q->pad;
        for (int y = y0; y < y0 + q->size; y++)
            for (int x = x0; x < x0 + q->size; x++)
                if (y >= 0 && x >= 0 && y < q->n_h && x < q->n_w) reached[n + (size_t)y * q->n_w + x] = 1;
    }
}

// ---- The words under the grids (view_pool.h) ----------------------------------------------------

// Appends t to buf at *n, never past size.
static void add_(char *buf, size_t size, size_t *n, const char *t) {
    if (*n + 1 >= size) return;
    snprintf(buf + *n, size - *n, "%s", t);
    *n += strlen(buf + *n);
}

// The window of cell pos has real (not padding) cells: how many.
static int real_cells_(const pool_step_view *st) {
    int real = 0;
    for (int k = 0; k < st->count; k++) real += !st->padded[k];
    return real;
}

void pool_text_heading(const app_state *s, int reveal, char *buf, size_t size) {
    const pool_step_view *st = &s->pool.step;
    buf[0] = '\0';
    if (!s->pool.ok || !st->valid) return;
    snprintf(buf, size, "window %d of %d, output (%d, %d)%s", s->pool.anim.pos + 1, s->pool.anim.total, st->row,
             st->col, reveal > 0 ? ":" : s->pool.anim.playing ? ": next" : ": next (press > or play)");
}

void pool_text_back_heading(const app_state *s, char *buf, size_t size) {
    const pool_step_view *st = &s->pool.step;
    buf[0] = '\0';
    if (!s->pool.ok || !st->valid) return;
    const anim_state *a = &s->pool.anim;
    char v[32];
    fmt_screen(s->pool.dy[a->pos], v, sizeof v);
    snprintf(buf, size, "backward: dL/dY cell %d of %d, output (%d, %d), dY = %s%s", a->pos + 1, a->total, st->row,
             st->col, v, a->reveal > 0 ? ":" : a->playing ? ": next" : ": next (press > or play)");
}

// Appends the sums where this window's share lands on a cell an earlier window already sent gradient to.
static void overlap_note_(const app_state *s, const float *before, const float *after, const unsigned char *reached,
                          const int *cells, int n, char *buf, size_t size, size_t *len) {
    const int w = s->pool.setup.n_w;
    int shown = 0, more = 0;
    for (int i = 0; i < n; i++) {
        const int k = cells[i];
        if (!reached[k]) continue;
        if (shown == 1) {
            more++;
            continue;
        }
        char b[32], d[32], t[32], line[160];
        fmt_screen(before[k], b, sizeof b);
        fmt_screen(after[k] - before[k], d, sizeof d);
        fmt_screen(after[k], t, sizeof t);
        snprintf(line, sizeof line, "; windows overlap, so they add: (%d, %d) = %s + %s = %s", k / w, k % w, b, d, t);
        add_(buf, size, len, line);
        shown++;
    }
    if (more) {
        char t[48];
        snprintf(t, sizeof t, " (and %d more)", more);
        add_(buf, size, len, t);
    }
}

void pool_text_back_max(const app_state *s, char *buf, size_t size) {
    const pool_step_view *st = &s->pool.step;
    buf[0] = '\0';
    if (!s->pool.ok || !st->valid) return;
    const anim_state *a = &s->pool.anim;
    char dy[32], m[32];
    fmt_screen(s->pool.dy[a->pos], dy, sizeof dy);
    fmt_screen(st->max_value, m, sizeof m);
    size_t n = 0;
    if (a->reveal == 0) {
        snprintf(buf, size, "max: all of dY goes to the window's max, the other cells get 0");
        return;
    }
    char t[240];
    snprintf(t, sizeof t, "max: dY = %s to input (%d, %d), the max (%s); the other %d get 0: only the max passed the gradient",
             dy, st->argmax_row, st->argmax_col, m, real_cells_(st) - 1);
    add_(buf, size, &n, t);
    static float before[VIEW_MAX_N * VIEW_MAX_N], after[VIEW_MAX_N * VIEW_MAX_N], tmp[VIEW_MAX_N * VIEW_MAX_N];
    static unsigned char reached[2 * VIEW_MAX_N * VIEW_MAX_N];
    pool_backward_upto(s, a->pos, before, tmp, reached);
    pool_backward_upto(s, a->pos + 1, after, tmp, NULL);
    const int cell = st->argmax_row * s->pool.setup.n_w + st->argmax_col;
    overlap_note_(s, before, after, reached, &cell, 1, buf, size, &n);
}

void pool_text_back_avg(const app_state *s, char *buf, size_t size) {
    const pool_step_view *st = &s->pool.step;
    buf[0] = '\0';
    if (!s->pool.ok || !st->valid) return;
    const anim_state *a = &s->pool.anim;
    const int real = real_cells_(st);
    if (a->reveal == 0) {
        snprintf(buf, size, "avg: dY is spread evenly, dY/%d to each cell of the window", st->count);
        return;
    }
    char dy[32], share[32], t[300];
    fmt_screen(s->pool.dy[a->pos], dy, sizeof dy);
    fmt_screen(s->pool.dy[a->pos] / (float)st->count, share, sizeof share);
    size_t n = 0;
    if (real < st->count)
        snprintf(t, sizeof t, "avg: dY/%d = %s/%d = %s to each of the %d real cells (padding has no input)", st->count, dy,
                 st->count, share, real);
    else
        snprintf(t, sizeof t, "avg: dY/%d = %s/%d = %s to each", st->count, dy, st->count, share);
    add_(buf, size, &n, t);
    static float before[VIEW_MAX_N * VIEW_MAX_N], after[VIEW_MAX_N * VIEW_MAX_N], tmp[VIEW_MAX_N * VIEW_MAX_N];
    static unsigned char reached[2 * VIEW_MAX_N * VIEW_MAX_N];
    pool_backward_upto(s, a->pos, tmp, before, reached);
    pool_backward_upto(s, a->pos + 1, tmp, after, NULL);
    int cells[VIEW_MAX_K * VIEW_MAX_K], k = 0;
    for (int i = 0; i < st->count; i++)
        if (!st->padded[i]) cells[k++] = st->in_row[i] * s->pool.setup.n_w + st->in_col[i];
    overlap_note_(s, before, after, reached + (size_t)s->pool.setup.n_h * s->pool.setup.n_w, cells, k, buf, size, &n);
}

void pool_text_max(const app_state *s, int reveal, char *buf, size_t size) {
    const pool_step_view *st = &s->pool.step;
    buf[0] = '\0';
    if (!s->pool.ok || !st->valid) return;
    if (reveal == 0) {
        // Say what will happen rather than an empty "max( ...".
        snprintf(buf, size, "max = the largest of the window's %d cells%s", st->count,
                 real_cells_(st) < st->count ? " (padding never wins)" : "");
        return;
    }
    char v[32];
    size_t n = 0;
    add_(buf, size, &n, "max(");
    for (int k = 0; k < st->count && k < reveal; k++) {
        fmt_screen(st->window[k], v, sizeof v);
        add_(buf, size, &n, k ? ", " : "");
        add_(buf, size, &n, st->padded[k] ? "pad" : v);
    }
    if (reveal < st->count) {
        add_(buf, size, &n, ", ...");
        return;
    }
    fmt_screen(st->max_value, v, sizeof v);
    add_(buf, size, &n, ") = ");
    add_(buf, size, &n, v);
    char at[64];
    snprintf(at, sizeof at, ", from input (%d, %d)", st->argmax_row, st->argmax_col);
    add_(buf, size, &n, at);
    if (real_cells_(st) < st->count) add_(buf, size, &n, "; padding never wins");
}

void pool_text_avg(const app_state *s, int reveal, char *buf, size_t size) {
    const pool_step_view *st = &s->pool.step;
    const int real = real_cells_(st);
    buf[0] = '\0';
    if (!s->pool.ok || !st->valid) return;
    char v[64];
    if (reveal == 0) {
        snprintf(buf, size, "avg = their sum / %d", st->count);
        if (real < st->count) {
            // Only where the view shows it: this window holds padding.
            char more[160];
            snprintf(more, sizeof more, " (padding adds 0 and counts, as in PyTorch; Keras divides by the %d real cells)",
                     real);
            size_t n = strlen(buf);
            add_(buf, size, &n, more);
        }
        return;
    }
    size_t n = 0;
    add_(buf, size, &n, "avg = (");
    for (int k = 0; k < st->count && k < reveal; k++) {
        fmt_screen(st->window[k], v, sizeof v);
        add_(buf, size, &n, k ? " + " : "");
        char term[80];
        snprintf(term, sizeof term, st->padded[k] ? "[%s]" : "%s", v);
        add_(buf, size, &n, term);
    }
    if (reveal < st->count) {
        add_(buf, size, &n, " + ...");
        return;
    }
    snprintf(v, sizeof v, ")/%d = ", st->divisor);
    add_(buf, size, &n, v);
    fmt_fraction(st->avg_sum, (float)st->divisor, v, sizeof v);
    add_(buf, size, &n, v);
    if (real < st->count && real > 0) {
        // Only where the view shows it: this window holds padding.
        char keras[64], why[240];
        fmt_fraction(st->avg_sum, (float)real, keras, sizeof keras);
        snprintf(why, sizeof why, "   [0] is padding: it counts in the %d as in PyTorch; Keras divides by the %d real "
                 "cells: %s", st->divisor, real, keras);
        add_(buf, size, &n, why);
    }
}

// The worked-out lines in fewer characters, for a short main area: "3 + 1"
// as "3+1", "3, 1" as "3,1", ", from input (r, c)" as " at (r,c)", "window
// 1 of 9, " dropped.
void pool_text_compact(char *buf, bool tighter) {
    static const struct {
        const char *from, *to;
    } swaps[] = {{" + ", "+"}, {", from input ", " at "}, {", output (", "output ("}, {", ", ","}};
    for (size_t k = 0; k < sizeof swaps / sizeof swaps[0]; k++) {
        char *at;
        const size_t fl = strlen(swaps[k].from), tl = strlen(swaps[k].to);
        while ((at = strstr(buf, swaps[k].from))) {
            memcpy(at, swaps[k].to, tl);
            memmove(at + tl, at + fl, strlen(at + fl) + 1);
        }
    }
    if (tighter) {  // the last resort: "= 15/9 = 1.67" as "=15/9=1.67"
        char *at;
        while ((at = strstr(buf, " = "))) {
            at[0] = '=';
            memmove(at + 1, at + 3, strlen(at + 3) + 1);
        }
    }
    // "window 1 of 9output (0,0):" -> "output (0,0):"
    char *out = strstr(buf, "output (");
    if (strncmp(buf, "window ", 7) == 0 && out) memmove(buf, out, strlen(out) + 1);
}

void pool_text_formula(const app_state *s, char *buf, size_t size) {
    char r[200], c[200];
    fmt_formula_numbers(&s->pool.max_geom.rows, r, sizeof r);
    fmt_formula_numbers(&s->pool.max_geom.cols, c, sizeof c);
    if (strcmp(r, c) == 0)
        snprintf(buf, size, "rows and cols:  %s", r);
    else
        snprintf(buf, size, "rows: %s;  cols: %s", r, c);
}

void pool_text_remainder(const app_state *s, char *buf, size_t size) {
    buf[0] = '\0';
    if (s->pool.ok) fmt_floor_note(&s->pool.max_geom.rows, &s->pool.max_geom.cols, buf, size);
}

int pool_legend_keys(const app_state *s, bool pictures, bool all, pool_key *out) {
    const pool_step_view *st = &s->pool.step;
    const anim_state *a = &s->pool.anim;
    const bool rem = s->pool.ok && (s->pool.max_geom.rows.remainder || s->pool.max_geom.cols.remainder);
    const bool on[POOL_KEY_COUNT] = {
        [POOL_KEY_WINDOW] = st->valid,
        [POOL_KEY_TAP] = !s->pool.backward && st->valid && (all || (a->reveal > 0 && a->reveal < st->count)),
        [POOL_KEY_WINNER] = st->valid && (all || s->pool.backward || (a->reveal >= st->count && st->argmax >= 0) ||
                                          (s->hover.grid == GRID_OUTPUT)),
        [POOL_KEY_GHOST] = !s->pool.backward && st->valid && (all || a->pos > 0),
        [POOL_KEY_LINKED] = all || s->hover.grid == GRID_INPUT || s->hover.grid == GRID_OUTPUT,
        [POOL_KEY_PADDING] = s->pool.setup.pad > 0,
        [POOL_KEY_UNREACHED] = rem,
        [POOL_KEY_ENLARGED] = pictures && !s->pool.backward,
        [POOL_KEY_DY] = s->pool.backward && st->valid,
        [POOL_KEY_PENDING] = !s->pool.backward && pictures && s->pool.ok && (all || app_cells_done(a, s->pool.max_geom.window) < a->total),
    };
    int n = 0;
    for (int k = 0; k < POOL_KEY_COUNT; k++)
        if (on[k]) out[n++] = (pool_key)k;
    return n;
}

const char *pool_key_label(pool_key k) {
    static const char *const labels[POOL_KEY_COUNT] = {
        [POOL_KEY_WINDOW] = "window",
        [POOL_KEY_TAP] = "read now",
        [POOL_KEY_WINNER] = "max",  // short: at a large zoom it shares one row with the window and the scale
        [POOL_KEY_GHOST] = "step before",
        [POOL_KEY_LINKED] = "linked to mouse",
        [POOL_KEY_PADDING] = "padding",
        [POOL_KEY_UNREACHED] = "never reached",
        [POOL_KEY_ENLARGED] = "enlarged part",
        [POOL_KEY_PENDING] = "not yet worked out",
        [POOL_KEY_DY] = "dY routed now",
    };
    return (unsigned)k < POOL_KEY_COUNT ? labels[k] : "";
}

// ---- The colour scale ----------------------------------------------------------------------

float pool_value_scale(const app_state *s) {
    const pool_setup *p = &s->pool.setup;
    float most = 0;
    for (int y = 0; y < p->n_h; y++)
        for (int x = 0; x < p->n_w; x++) most = fmaxf(most, fabsf(p->input[y][x]));
    return most > 0 ? most : 1;
}

// ---- The window on the input ----------------------------------------------------------------

ui_rect pool_window_rect(const app_state *s, const ui_grid *g) {
    const pool_setup *p = &s->pool.setup;
    const int ow = ui_max(1, s->pool.max_geom.out_w), pos = s->pool.anim.pos;
    int from;
    const double t = anim_glide(&s->pool.anim, &from);
    // The window's top-left input cell at output cells pos and from, eased between them.
    const double r = (pos / ow) * p->stride * t + (from / ow) * p->stride * (1 - t) - p->pad;
    const double c = (pos % ow) * p->stride * t + (from % ow) * p->stride * (1 - t) - p->pad;
    const int x = g->r.x + (int)lround((c - g->col0) * g->cell), y = g->r.y + (int)lround((r - g->row0) * g->cell);
    return ui_rect_at(x, y, p->size * g->cell, p->size * g->cell);
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
    anim_target t = {&s->pool.anim, step_cells_(s), s->pool.max_geom.out_w, s->pool.step.valid, load_step_};
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
        // The whole digit: a crop of a few cells is an unrecognisable patch
        // (issue 12); a large input is shown as a picture with a part enlarged.
        if (p->n_h < 28) p->n_h = p->n_w = 28;
        place_digit_(s);
        recompute_(s, -1);
        return;
    case ACT_SELECT_CELL:
        // Backward: a click on a dL/dY cell routes that one (the grids before it filled in).
        if (s->pool.backward && a->cell.grid == GRID_FMAP && a->cell.channel == 0) {
            const app_action jump = {.kind = ACT_JUMP_TO_OUTPUT, .row = a->cell.row, .col = a->cell.col};
            anim_update(s, &t, &jump);
        }
        return;
    case ACT_POOL_BACKWARD: {
        const bool on = a->value == 1 || (a->value == 0 && !s->pool.backward);
        if (on == s->pool.backward) return;
        s->pool.backward = on;
        s->pool.anim.playing = false;
        recompute_(s, -1);
        return;
    }
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
    {'d', 0, ACT_POOL_BACKWARD, 0, NULL, KEYF_SETUP, "backward: route dL/dY back to dL/dX, on / off"},
    {'r', 0, ACT_RANDOMISE, 0, NULL, KEYF_SETUP, "random input"},
    {'g', 0, ACT_LOAD_DIGIT, -1, NULL, KEYF_SETUP, "load the next real digit"},
    {'s', KEYMOD_CTRL, ACT_EXPORT, VIEW_EXPORT_LESSON, NULL, 0, "save as a lesson file, to add captions to"},
    {'p', KEYMOD_CTRL, ACT_EXPORT, VIEW_EXPORT_PYTORCH, NULL, 0, "PyTorch scripts of max and average pooling"},
};

// ---- What lessons read and set ----------------------------------------------------------------------

static void op_(const app_state *s, view_op *o) {
    if (s->pool.backward) {  // the backward pass's result: dL/dX of max (and of average), the input's shape
        *o = (view_op){s->pool.ok, s->pool.why, &s->pool.max_geom.rows, &s->pool.max_geom.cols, s->pool.setup.n_h,
                       s->pool.setup.n_w, s->pool.dx_max, s->pool.dx_avg, &s->pool.anim, NULL, NULL};
        return;
    }
    *o = (view_op){s->pool.ok, s->pool.why, &s->pool.max_geom.rows, &s->pool.max_geom.cols, s->pool.max_geom.out_h,
                   s->pool.max_geom.out_w, s->pool.max_out, s->pool.avg_out, &s->pool.anim, NULL, NULL};
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

// A headless run in backward mode: where the steps are, and dL/dX of both as they have been routed so far.
static void report_(const app_state *s, FILE *out) {
    if (!s->pool.backward) return;  // the forward pass says what it does on screen
    if (!s->pool.ok) {
        fprintf(out, "pooling backward: cannot run: %s\n", s->pool.why);
        return;
    }
    const int done = app_cells_done(&s->pool.anim, 1), n = s->pool.setup.n_h * s->pool.setup.n_w, w = s->pool.setup.n_w;
    static float dxm[VIEW_MAX_N * VIEW_MAX_N], dxa[VIEW_MAX_N * VIEW_MAX_N];
    pool_backward_upto(s, done, dxm, dxa, NULL);
    fprintf(out, "pooling backward: %d of %d dL/dY cells routed\n", done, s->pool.anim.total);
    char v[32];
    const float *grids[3] = {s->pool.dy, dxm, dxa};
    static const char *const names[3] = {"dL/dY", "dL/dX max", "dL/dX average"};
    for (int g = 0; g < 3; g++) {
        const int count = g ? n : s->pool.anim.total, cols = g ? w : s->pool.max_geom.out_w;
        fprintf(out, "%s:", names[g]);
        for (int i = 0; i < count; i++) fmt_screen(grids[g][i], v, sizeof v), fprintf(out, "%s%s", i % cols ? " " : i ? "; " : " ", v);
        fputc('\n', out);
    }
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
    .mouse = "click an input cell to type a new value; click an output cell (backward: a dL/dY cell) to see its "
             "window; hover a cell to light the cells linked to it",
    .has_panel = true,
    .layout = pool_layout,
    .update = update_,
    .tick = tick_,
    .op = op_,
    .lesson_input = lesson_input_,
    .reset = reset_,
    .report = report_,
};
