// view_backprop.c - the backpropagation view: how a convolution learns, one
// gradient cell a step, on the engine's backward stepper (nn_backstep_*,
// the core training's backward pass sums with): dL/dW (the input correlated
// with dL/dY), dL/dX (dL/dY convolved with the kernel rotated 180 degrees,
// 'full' padding), dL/db (the sum of dL/dY), then one SGD update of the
// kernel. The state, the words under the grids, the legend's keys, the
// actions, the keys, the layout and the view's table entry; its renderer is
// view_backprop_render.c.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "anim.h"
#include "format.h"
#include "matrix.h"
#include "view_backprop.h"
#include "views.h"

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// ---- The steps --------------------------------------------------------------------------------

static int kk_(const app_state *s) { return s->bp.setup.k * s->bp.setup.k; }
static int nn_(const app_state *s) { return s->bp.setup.n_h * s->bp.setup.n_w; }

int bp_phase_start(const app_state *s, bp_phase ph) {
    switch (ph) {
    case BP_PHASE_DW: return 0;
    case BP_PHASE_DX: return kk_(s);
    case BP_PHASE_DB: return kk_(s) + nn_(s);
    case BP_PHASE_SGD: return kk_(s) + nn_(s) + 1;
    default: return kk_(s) * 2 + nn_(s) + 1;
    }
}

bp_phase bp_phase_of(const app_state *s, int pos, int *row, int *col) {
    const backprop_setup *b = &s->bp.setup;
    bp_phase ph = BP_PHASE_SGD;
    for (int p = BP_PHASE_DX; p < BP_PHASE_COUNT; p++)
        if (pos < bp_phase_start(s, (bp_phase)p)) {
            ph = (bp_phase)(p - 1);
            break;
        }
    const int i = pos - bp_phase_start(s, ph);
    const int w = ph == BP_PHASE_DX ? b->n_w : ph == BP_PHASE_DB ? 1 : b->k;
    *row = i / w;
    *col = i % w;
    return ph;
}

// The set-up as the engine lays it out.
static void pack_(const backprop_setup *b, float *in, float *w, float *dy, int out_h, int out_w) {
    for (int y = 0; y < b->n_h; y++)
        for (int x = 0; x < b->n_w; x++) in[y * b->n_w + x] = b->input[y][x];
    for (int y = 0; y < b->k; y++)
        for (int x = 0; x < b->k; x++) w[y * b->k + x] = b->kernel[y][x];
    for (int y = 0; y < out_h; y++)
        for (int x = 0; x < out_w; x++) dy[y * out_w + x] = b->dy[y][x];
}

// The engine's record of the gradient cell of step pos (for the update's
// steps, the weight's dL/dW cell), copied out of the stepper.
static void load_step_(app_state *s, int pos) {
    backprop_view *v = &s->bp;
    v->step_valid = false;
    if (!v->ok || pos < 0 || pos >= v->anim.total) return;
    int r, c;
    const bp_phase ph = bp_phase_of(s, pos, &r, &c);
    const int index = ph == BP_PHASE_SGD ? pos - bp_phase_start(s, BP_PHASE_SGD) : pos;
    float in[BP_MAX_N * BP_MAX_N], w[BP_MAX_K * BP_MAX_K], dy[BP_MAX_TERMS];
    pack_(&v->setup, in, w, dy, v->geom.out_h, v->geom.out_w);
    nn_backstep_cursor cur;
    nn_error e;
    if (nn_backstep_cursor_init(&cur, &v->geom, in, w, dy, true, &e) != NN_OK) return;
    nn_backstep st;
    if (nn_backstep_at(&cur, index, &st) && st.count <= BP_MAX_TERMS && st.groups <= BP_MAX_TERMS) {
        v->step = st;
        memcpy(v->terms, st.terms, sizeof st.terms[0] * (size_t)st.count);
        memcpy(v->group_sums, st.group_sums, sizeof st.group_sums[0] * (size_t)st.groups);
        v->step.terms = v->terms;
        v->step.group_sums = v->group_sums;
        v->step_valid = true;
    }
    nn_backstep_cursor_destroy(&cur);
}

static void recompute_(app_state *s, int keep) {
    backprop_view *v = &s->bp;
    backprop_setup *b = &v->setup;
    const nn_conv2d_config cfg = {.in_c = 1, .in_h = b->n_h, .in_w = b->n_w, .filters = 1, .k_h = b->k, .k_w = b->k,
                                  .stride = b->stride, .dilation = 1,
                                  .padding = {.mode = NN_PAD_EXPLICIT, .p = b->pad}};
    nn_error e;
    v->ok = nn_conv2d_geom_init(&v->geom, &cfg, &e) == NN_OK;
    if (!v->ok) snprintf(v->why, sizeof v->why, "%s", e.msg);
    if (v->ok && (v->geom.out_h > BP_MAX_OUT || v->geom.out_w > BP_MAX_OUT)) {
        v->ok = false;
        snprintf(v->why, sizeof v->why, "the output would be %dx%d: this view shows up to %dx%d", v->geom.out_h,
                 v->geom.out_w, BP_MAX_OUT, BP_MAX_OUT);
    }
    anim_state *a = &v->anim;
    a->total = v->ok ? 2 * kk_(s) + nn_(s) + 1 : 0;
    a->playing = a->playing && v->ok;
    a->clock_ms = 0;
    v->step_valid = false;
    if (!v->ok) {
        a->pos = a->reveal = 0;
        return;
    }
    // dL/dY has the output's shape: all ones unless given for this shape.
    if (!b->dy_given)
        for (int y = 0; y < BP_MAX_OUT; y++)
            for (int x = 0; x < BP_MAX_OUT; x++) b->dy[y][x] = 1;
    float in[BP_MAX_N * BP_MAX_N], w[BP_MAX_K * BP_MAX_K], dy[BP_MAX_TERMS];
    pack_(b, in, w, dy, v->geom.out_h, v->geom.out_w);
    nn_conv2d_forward(&v->geom, v->y, in, w, NULL, 1);
    nn_backstep_all(&v->geom, v->dx, v->dw, &v->db, dy, in, w);
    // One SGD step as training takes it (train.c, no momentum nor decay): p -= lr * g.
    for (int i = 0; i < kk_(s); i++) {
        v->w_new[i] = w[i];
        v->w_new[i] -= b->lr * v->dw[i];
    }
    anim_restart_at(a, keep, 1);
    load_step_(s, a->pos);
}

bool app_set_backprop(app_state *s, const backprop_setup *b) {
    s->bp.setup = *b;
    s->bp.anim.playing = false;
    recompute_(s, -1);
    return s->bp.ok;
}

// ---- What the grids show ----------------------------------------------------------------------

bp_grid bp_grid_of(grid_id id, int channel) {
    switch (id) {
    case GRID_INPUT: return channel == 0 ? BP_GRID_X : BP_GRID_DX;
    case GRID_KERNEL: return channel == 0 ? BP_GRID_W : channel == 1 ? BP_GRID_DW : BP_GRID_WNEW;
    case GRID_OUTPUT: return channel == 0 ? BP_GRID_Y : channel == 1 ? BP_GRID_DY : BP_GRID_DYPAD;
    case GRID_BIAS: return BP_GRID_DB;
    default: return BP_GRID_COUNT;
    }
}

const char *bp_grid_title(bp_grid g) {
    static const char *const titles[BP_GRID_COUNT] = {
        [BP_GRID_X] = "input X", [BP_GRID_W] = "kernel W",  [BP_GRID_Y] = "output Y", [BP_GRID_DY] = "dL/dY",
        [BP_GRID_DW] = "dL/dW",  [BP_GRID_DX] = "dL/dX",    [BP_GRID_DB] = "dL/db",    [BP_GRID_WNEW] = "W new",
        [BP_GRID_DYPAD] = "padded dY",
    };
    return (unsigned)g < BP_GRID_COUNT ? titles[g] : "";
}

void bp_grid_extent(const app_state *s, bp_grid g, int *row0, int *col0, int *rows, int *cols) {
    const backprop_setup *b = &s->bp.setup;
    const int oh = s->bp.ok ? s->bp.geom.out_h : 1, ow = s->bp.ok ? s->bp.geom.out_w : 1;
    *row0 = *col0 = 0;
    switch (g) {
    case BP_GRID_X: *row0 = *col0 = -b->pad, *rows = b->n_h + 2 * b->pad, *cols = b->n_w + 2 * b->pad; break;
    case BP_GRID_DX: *rows = b->n_h, *cols = b->n_w; break;
    case BP_GRID_Y:
    case BP_GRID_DY: *rows = oh, *cols = ow; break;
    case BP_GRID_DB: *rows = *cols = 1; break;
    case BP_GRID_DYPAD:
        *row0 = *col0 = -(b->k - 1);
        *rows = (oh - 1) * b->stride + 1 + 2 * (b->k - 1);
        *cols = (ow - 1) * b->stride + 1 + 2 * (b->k - 1);
        break;
    default: *rows = *cols = b->k; break;
    }
}

bool bp_dy_padded(const app_state *s, int row, int col, float *v) {
    const int st = s->bp.setup.stride;
    *v = 0;
    if (!s->bp.ok || row < 0 || col < 0 || row % st || col % st) return false;
    if (row / st >= s->bp.geom.out_h || col / st >= s->bp.geom.out_w) return false;
    *v = s->bp.setup.dy[row / st][col / st];
    return true;
}

void bp_rotated_at(const app_state *s, int row, int col, int *top, int *left) {
    // dL/dX(y, x) adds w(ky, kx) dY(o) over o stride + ky = y + pad: in the
    // padded dY's counting, w(ky, kx) lies on (y + pad - ky, x + pad - kx),
    // the kernel turned round with w(k-1, k-1) at the top-left.
    const backprop_setup *b = &s->bp.setup;
    *top = row + b->pad - (b->k - 1);
    *left = col + b->pad - (b->k - 1);
}

bool bp_quiz_hides(const app_state *s, bp_grid g, int row, int col) {
    return (g == BP_GRID_DW || g == BP_GRID_WNEW) && quiz_hides_cell(s, row, col);
}

bool bp_shown(const app_state *s, bp_grid g, int row, int col, float *v) {
    const backprop_view *b = &s->bp;
    const backprop_setup *p = &b->setup;
    const int done = app_cells_done(&b->anim, 1), k = p->k;
    *v = 0;
    if (g == BP_GRID_DYPAD) return bp_dy_padded(s, row, col, v);
    if (!b->ok || row < 0 || col < 0) return false;
    switch (g) {
    case BP_GRID_X: *v = p->input[row][col]; return row < p->n_h && col < p->n_w;
    case BP_GRID_W: *v = p->kernel[row][col]; return row < k && col < k;
    case BP_GRID_Y: *v = b->y[row * b->geom.out_w + col]; return row < b->geom.out_h && col < b->geom.out_w;
    case BP_GRID_DY: *v = p->dy[row][col]; return row < b->geom.out_h && col < b->geom.out_w;
    case BP_GRID_DW:
        if (row >= k || col >= k) return false;
        *v = b->dw[row * k + col];
        return row * k + col < done && !bp_quiz_hides(s, g, row, col);
    case BP_GRID_DX:
        if (row >= p->n_h || col >= p->n_w) return false;
        *v = b->dx[row * p->n_w + col];
        return bp_phase_start(s, BP_PHASE_DX) + row * p->n_w + col < done;
    case BP_GRID_DB: *v = b->db; return row == 0 && col == 0 && bp_phase_start(s, BP_PHASE_DB) < done;
    case BP_GRID_WNEW:
        if (row >= k || col >= k) return false;
        *v = b->w_new[row * k + col];
        return bp_phase_start(s, BP_PHASE_SGD) + row * k + col < done && !bp_quiz_hides(s, g, row, col);
    default: return false;
    }
}

// ---- The words under the grids (view_backprop.h) -------------------------------------------------

static void add_(char *buf, size_t size, size_t *n, const char *t) {
    if (*n + 1 >= size) return;
    snprintf(buf + *n, size - *n, "%s", t);
    *n += strlen(buf + *n);
}

// A number as a factor: negative ones in brackets ("2 × (-1)").
static void factor_(float v, char *buf, size_t size) {
    char t[32];
    fmt_screen(v, t, sizeof t);
    snprintf(buf, size, v < 0 ? "(%s)" : "%s", t);
}

void bp_text_caption(const app_state *s, char *buf, size_t size) {
    const backprop_view *b = &s->bp;
    buf[0] = '\0';
    if (!b->ok) {
        snprintf(buf, size, "These settings cannot run: %s", b->why);
        return;
    }
    int r, c;
    char lr[32];
    fmt_screen(b->setup.lr, lr, sizeof lr);
    switch (bp_phase_of(s, b->anim.pos, &r, &c)) {
    case BP_PHASE_DW:
        snprintf(buf, size, "1. dL/dW = X correlated with dL/dY: a weight met one input cell at each output; "
                            "it adds x × dY over them.");
        break;
    case BP_PHASE_DX: {
        char stride[96] = "";
        if (b->setup.stride > 1)
            snprintf(stride, sizeof stride, ", %d between its cells: stride %d", b->setup.stride - 1,
                     b->setup.stride);
        snprintf(buf, size, "2. dL/dX = dY convolved with W rotated 180°, 'full' padding (%d zeros around "
                            "dY%s): each cell adds its w × dY.",
                 b->setup.k - 1, stride);
        break;
    }
    case BP_PHASE_DB:
        snprintf(buf, size, "3. dL/db = the sum of dL/dY: the bias was added to every output cell.");
        break;
    default:
        snprintf(buf, size, "4. One SGD step, learning rate %s: each weight moves against its gradient, "
                            "W new = W - %s × dL/dW.", lr, lr);
        break;
    }
}

void bp_text_heading(const app_state *s, bool shown, char *buf, size_t size) {
    const backprop_view *b = &s->bp;
    buf[0] = '\0';
    if (!b->ok || !b->step_valid) return;
    int r, c;
    const bp_phase ph = bp_phase_of(s, b->anim.pos, &r, &c);
    const int i = b->anim.pos - bp_phase_start(s, ph) + 1, count = b->step.count;
    const char *next = shown ? "" : "next: ";
    switch (ph) {
    case BP_PHASE_DW:
        snprintf(buf, size, "%sdL/dW(%d, %d), weight %d of %d: %d products x × dY", next, r, c, i, kk_(s), count);
        break;
    case BP_PHASE_DX:
        snprintf(buf, size, "%sdL/dX(%d, %d), input cell %d of %d: %d product%s w × dY", next, r, c, i, nn_(s), count,
                 count == 1 ? "" : "s");
        break;
    case BP_PHASE_DB: snprintf(buf, size, "%sdL/db: the %d cells of dY summed", next, count); break;
    default:
        snprintf(buf, size, "%sW(%d, %d), weight %d of %d: W - lr × dL/dW", next, r, c, i, kk_(s));
        break;
    }
}

// The products listed at most (the rest counted).
#define BP_TERMS_LISTED 36

void bp_text_terms(const app_state *s, bool shown, char *buf, size_t size) {
    const backprop_view *b = &s->bp;
    const nn_backstep *st = &b->step;
    buf[0] = '\0';
    if (!b->ok || !b->step_valid) return;
    if (!shown) {
        snprintf(buf, size, "(press Right to work it out)");
        return;
    }
    int r, c;
    const bp_phase ph = bp_phase_of(s, b->anim.pos, &r, &c);
    if ((ph == BP_PHASE_DW || ph == BP_PHASE_SGD) && quiz_hides_cell(s, r, c)) {
        snprintf(buf, size, "(hidden until the quiz is answered)");
        return;
    }
    char v[32], f[40], t[96];
    size_t n = 0;
    if (ph == BP_PHASE_SGD) {
        const int k = b->setup.k;
        char w[40], lr[32], g[40], out[32];
        fmt_screen(b->setup.kernel[r][c], w, sizeof w);
        fmt_screen(b->setup.lr, lr, sizeof lr);
        factor_(b->dw[r * k + c], g, sizeof g);
        fmt_screen(b->w_new[r * k + c], out, sizeof out);
        snprintf(buf, size, "%s - %s × %s = %s", w, lr, g, out);
        return;
    }
    if (st->count == 0) {
        snprintf(buf, size, "no output position used it: 0");
        return;
    }
    // Lanes matter only past one product a lane (16 with AVX-512, 8 with AVX2;
    // before that the sum is shown as the plain one).
    const bool lanes = st->groups > 1 && st->count > st->groups && ph == BP_PHASE_DW;
    if (lanes) add_(buf, size, &n, "products: ");
    for (int k = 0; k < st->count; k++) {
        if (k == BP_TERMS_LISTED) {
            snprintf(t, sizeof t, " ... (%d products)", st->count);
            add_(buf, size, &n, t);
            break;
        }
        const nn_backstep_term *term = &st->terms[k];
        if (ph == BP_PHASE_DB) {
            factor_(term->dy, t, sizeof t);
        } else if (lanes) {
            fmt_screen(term->product, t, sizeof t);
        } else {
            factor_(term->factor, f, sizeof f);
            factor_(term->dy, v, sizeof v);
            snprintf(t, sizeof t, term->padded ? "[%s]×%s" : "%s×%s", f, v);
        }
        add_(buf, size, &n, k == 0 ? "" : lanes ? ", " : " + ");
        add_(buf, size, &n, t);
    }
    fmt_screen(st->value, v, sizeof v);
    if (lanes)
        snprintf(t, sizeof t, "; added in %d lanes, as training adds them: %s", st->groups, v);
    else
        snprintf(t, sizeof t, " = %s", v);
    add_(buf, size, &n, t);
}

// ---- The legend's keys --------------------------------------------------------------------------

int bp_legend_keys(const app_state *s, bool all, bp_key *out) {
    const backprop_view *b = &s->bp;
    int r, c;
    const bp_phase ph = bp_phase_of(s, b->anim.pos, &r, &c);
    const bool on[BP_KEY_COUNT] = {
        [BP_KEY_CURRENT] = b->ok,
        [BP_KEY_MET] = b->ok && (all || ph != BP_PHASE_DB),
        [BP_KEY_DY] = b->ok && (all || ph != BP_PHASE_SGD),
        // The input's padding, and the padded dY's zeros while dL/dX is worked out.
        [BP_KEY_PADDING] = b->setup.pad > 0 || (b->ok && (all || ph == BP_PHASE_DX)),
        [BP_KEY_PENDING] = b->ok && (all || app_cells_done(&b->anim, 1) < b->anim.total),
    };
    int n = 0;
    for (int k = 0; k < BP_KEY_COUNT; k++)
        if (on[k]) out[n++] = (bp_key)k;
    return n;
}

const char *bp_key_label(const app_state *s, bp_key k) {
    int r, c;
    const bp_phase ph = s ? bp_phase_of(s, s->bp.anim.pos, &r, &c) : BP_PHASE_DW;
    switch (k) {
    case BP_KEY_CURRENT: return "this step";
    case BP_KEY_MET:
        return ph == BP_PHASE_DX ? "taps used" : ph == BP_PHASE_SGD ? "W, dL/dW used"
                                                                                       : "inputs it met";
    case BP_KEY_DY: return ph == BP_PHASE_DB ? "dY summed" : "dY used";
    case BP_KEY_PADDING: return "padding (0)";
    case BP_KEY_PENDING: return "not done yet";
    default: return "";
    }
}

// ---- The layout ------------------------------------------------------------------------------------

static int text_w_(const ui_metrics *m, const char *t, int px, bool mono) {
    if (m && m->text_width) return m->text_width(m->ctx, t, px, mono);
    return (int)strlen(t) * px * 3 / 5;
}

// Lines of t wrapped at spaces to width w (as rd_text_wrap does).
static int wrapped_lines_(const ui_metrics *m, const char *t, int px, bool mono, int w) {
    if (!t[0]) return 0;
    char line[2100];
    int lines = 1;
    size_t len = 0;
    line[0] = '\0';
    for (const char *p = t; *p;) {
        const char *end = strchr(p, ' ');
        const int wl = ui_min(end ? (int)(end - p) : (int)strlen(p), 1000);
        char trial[2100];
        snprintf(trial, sizeof trial, "%.*s%s%.*s", (int)len, line, len ? " " : "", wl, p);
        if (len && text_w_(m, trial, px, mono) > w) {
            lines++;
            snprintf(line, sizeof line, "%.*s", wl, p);
        } else {
            snprintf(line, sizeof line, "%.1000s", trial);
        }
        len = strlen(line);
        p += wl;
        while (*p == ' ') p++;
    }
    return lines;
}

static int legend_px_(const ui_layout *l) { return ui_max(l->small_px * 9 / 10, l->min_px); }

// The legend's height at width w (as rd_legend wraps its keys) and the colour scale's row.
static int legend_h_(const ui_layout *l, const app_state *s, const ui_metrics *m, int w) {
    bp_key keys[BP_KEY_COUNT];
    const int n = bp_legend_keys(s, true, keys);
    const int px = legend_px_(l), sw = px * 6 / 5, gap = l->pad;
    int x = 0, rows = 1;
    for (int i = 0; i < n; i++) {
        // The longest label a key takes in any phase.
        const char *label = bp_key_label(s, keys[i]);
        if (keys[i] == BP_KEY_MET) label = "taps used";
        const int iw = sw + gap / 2 + text_w_(m, label, px, false);
        if (x > 0 && x + iw > w) rows++, x = 0;
        x += iw + gap * 2;
    }
    return (rows + 2) * (sw + gap / 2);  // the colour scale's row, and its note's when narrow
}

// The lines under the grids at width w: the most any step of each phase needs.
static int words_phase_h_(const ui_layout *l, app_state *probe, const ui_metrics *m, int w, bool caption, int only);
static int words_h_(const ui_layout *l, app_state *probe, const ui_metrics *m, int w, bool caption) {
    return words_phase_h_(l, probe, m, w, caption, -1);
}

// ... of the phase `only` (-1: of every phase).
static int words_phase_h_(const ui_layout *l, app_state *probe, const ui_metrics *m, int w, bool caption, int only) {
    const int px = l->small_px, line = px * 5 / 4;
    int most = 0;
    const backprop_view *b = &probe->bp;
    if (!b->ok) {
        char t[600];
        bp_text_caption(probe, t, sizeof t);
        return wrapped_lines_(m, t, px, false, w) * line;
    }
    // A step of each phase with the most products (every weight has as many;
    // the middle input cell the most taps), and the last input cell.
    const int picks[] = {0, bp_phase_start(probe, BP_PHASE_DX) + (b->setup.n_h / 2) * b->setup.n_w + b->setup.n_w / 2,
                         bp_phase_start(probe, BP_PHASE_DB), bp_phase_start(probe, BP_PHASE_SGD)};
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
        if (only >= 0 && (int)i != only) continue;
        probe->bp.anim.pos = picks[i];
        probe->bp.anim.reveal = 1;
        load_step_(probe, picks[i]);
        char cap[600], head[300], terms[2048];
        bp_text_caption(probe, cap, sizeof cap);
        bp_text_heading(probe, true, head, sizeof head);
        bp_text_terms(probe, true, terms, sizeof terms);
        const int lines = (caption ? wrapped_lines_(m, cap, px, false, w) : 0) + wrapped_lines_(m, head, px, false, w) +
                          wrapped_lines_(m, terms, px, true, w);
        most = ui_max(most, lines);
    }
    return most * line + l->pad;
}

// The widest legend entry (one a row beside the grids).
static int legend_w_(const ui_layout *l, const app_state *s, const ui_metrics *m) {
    const int px = legend_px_(l), sw = px * 6 / 5;
    int w = text_w_(m, "(per grid)", px, false);
    for (int k = 0; k < BP_KEY_COUNT; k++)
        w = ui_max(w, text_w_(m, k == BP_KEY_MET ? "taps used" : bp_key_label(s, (bp_key)k), px, false));
    return w + sw + l->pad;
}

typedef struct bp_dims_ {
    bp_grid row_a[4];            // the forward row: X, W, Y and dL/dY (padded while dL/dX is worked out)
    int rows_a, rows_b;          // the taller grid of each row, in cells
    int cols[BP_GRID_COUNT];     // each grid's columns
    int title_w[BP_GRID_COUNT];
    int title_h, gap;
} bp_dims_;

static const bp_grid row_b_[] = {BP_GRID_DW, BP_GRID_DX, BP_GRID_DB, BP_GRID_WNEW};

static int row_w_(const bp_dims_ *d, const bp_grid *row, int n, int c) {
    int w = 0;
    for (int i = 0; i < n; i++) w += ui_max(d->cols[row[i]] * c, d->title_w[row[i]]) + (i ? d->gap : 0);
    return w;
}

static const struct {
    grid_id id;
    int ch;
} grid_ids_[BP_GRID_COUNT] = {
    [BP_GRID_X] = {GRID_INPUT, 0},   [BP_GRID_W] = {GRID_KERNEL, 0},  [BP_GRID_Y] = {GRID_OUTPUT, 0},
    [BP_GRID_DY] = {GRID_OUTPUT, 1}, [BP_GRID_DW] = {GRID_KERNEL, 1}, [BP_GRID_DX] = {GRID_INPUT, 1},
    [BP_GRID_DB] = {GRID_BIAS, 0},   [BP_GRID_WNEW] = {GRID_KERNEL, 2}, [BP_GRID_DYPAD] = {GRID_OUTPUT, 2},
};

// Adds grid g's cells [row0, row0 + rows) x [col0, col0 + cols) at (x, y).
static ui_grid *add_grid_(ui_layout *l, const app_state *s, bp_grid g, int row0, int col0, int rows, int cols, int x,
                          int y, int c) {
    ui_grid *gr = layout_grid(l, grid_ids_[g].id, grid_ids_[g].ch, rows, cols, row0, col0, x, y, c, bp_grid_title(g));
    if (gr && g == BP_GRID_X) gr->data_rows = s->bp.setup.n_h, gr->data_cols = s->bp.setup.n_w;
    if (gr && g == BP_GRID_DYPAD) gr->data_rows = gr->data_cols = 0;  // (its cells are dY's and zeros)
    return gr;
}

static void place_row_(ui_layout *l, const app_state *s, const bp_dims_ *d, const bp_grid *row, int n, int x, int y,
                       int c) {
    for (int i = 0; i < n; i++) {
        const bp_grid g = row[i];
        int r0, c0, rows, cols;
        bp_grid_extent(s, g, &r0, &c0, &rows, &cols);
        add_grid_(l, s, g, r0, c0, rows, cols, x, y, c);
        x += ui_max(d->cols[g] * c, d->title_w[g]) + d->gap;
    }
}

// Short of room for all eight grids (a lesson's narration, a large zoom):
// one row of what the step needs, X, W and dL/dY, then the phase's own
// grids (dL/dW; dL/dX; dL/db; dL/dW and W new), the forward output Y left
// out; the words below, the legend on the row's right or under the words.
// False when even that has no readable cells.
static bool compact_(ui_layout *l, const app_state *s, const ui_metrics *m, const bp_dims_ *wide, ui_rect area,
                     app_state *probe) {
    bp_dims_ tight = *wide;  // the grids closer together: the legend's room on their right
    tight.gap = l->pad * 3 / 2;
    const bp_dims_ *d = &tight;
    int r, c0;
    const bp_phase ph = s->bp.anim.total > 0 ? bp_phase_of(s, s->bp.anim.pos, &r, &c0) : BP_PHASE_DW;
    bp_grid row[5] = {BP_GRID_X, BP_GRID_W, ph == BP_PHASE_DX ? BP_GRID_DYPAD : BP_GRID_DY};
    int n = 3;
    if (ph == BP_PHASE_DW) row[n++] = BP_GRID_DW;
    if (ph == BP_PHASE_DX) row[n++] = BP_GRID_DX;
    if (ph == BP_PHASE_DB) row[n++] = BP_GRID_DB;
    if (ph == BP_PHASE_SGD) row[n++] = BP_GRID_DW, row[n++] = BP_GRID_WNEW;
    int rows = 0;
    for (int i = 0; i < n; i++) {
        const bp_grid g = row[i];
        int r0, col0, h, w;
        bp_grid_extent(s, g, &r0, &col0, &h, &w);
        rows = ui_max(rows, h);
    }
    const int lw = legend_w_(l, s, m);
    // With the phase's caption, else without it (a lesson's caption says it).
    for (int k = 0; k < 2; k++)
    for (int c = l->text_px * 4; c >= l->min_cell; c--) {
        const int gw = row_w_(d, row, n, c), gh = d->title_h + rows * c;
        if (gw > area.w) continue;
        const int words = words_h_(l, probe, m, area.w, k == 0);
        // The legend beside the row when it fits there, else under the words.
        const bool beside = area.w - gw - d->gap >= lw && legend_h_(l, s, m, area.w - gw - d->gap) <= gh;
        const int legend = beside ? 0 : legend_h_(l, s, m, area.w);
        if (gh + d->gap + words + (beside ? 0 : legend + d->gap / 2) > area.h) continue;
        place_row_(l, s, d, row, n, area.x, area.y + d->title_h, c);
        const int ty = area.y + gh + d->gap;
        l->arithmetic = ui_rect_at(area.x, ty, area.w, words);
        if (beside)
            l->legend = ui_rect_at(area.x + gw + d->gap, area.y, area.w - gw - d->gap,
                                   legend_h_(l, s, m, area.w - gw - d->gap));
        else
            l->legend = ui_rect_at(area.x, ty + words + d->gap / 2, area.w, legend);
        l->formula = ui_rect_at(area.x, area.y + area.h, area.w, 0);
        l->words_short = k == 1;
        return true;
    }
    return false;
}

// ---- The close-up: the step's own grids, or parts of them ---------------------------------------

// The grids the step of phase ph works with: what it fills in and what met it.
static int phase_grids_(bp_phase ph, bp_grid *out) {
    static const bp_grid dw[] = {BP_GRID_X, BP_GRID_DY, BP_GRID_DW}, dx[] = {BP_GRID_W, BP_GRID_DYPAD, BP_GRID_DX},
                         db[] = {BP_GRID_DY, BP_GRID_DB}, sgd[] = {BP_GRID_W, BP_GRID_DW, BP_GRID_WNEW};
    const bp_grid *g = ph == BP_PHASE_DW ? dw : ph == BP_PHASE_DX ? dx : ph == BP_PHASE_DB ? db : sgd;
    const int n = ph == BP_PHASE_DB ? 2 : 3;
    memcpy(out, g, sizeof *g * (size_t)n);
    return n;
}

// The cells of grid g the step (ph, r, c) is about, rows [*fr, *fr + *nr)
// and columns [*fc, *fc + *nc): a close-up keeps them on screen.
static void focus_(const app_state *s, bp_grid g, bp_phase ph, int r, int c, int *fr, int *fc, int *nr, int *nc) {
    const backprop_setup *b = &s->bp.setup;
    int r0, c0, rows, cols;
    bp_grid_extent(s, g, &r0, &c0, &rows, &cols);
    *fr = r0, *fc = c0, *nr = rows, *nc = cols;  // the whole grid unless the step is about a part
    if (g == BP_GRID_X && ph == BP_PHASE_DW) {  // the inputs weight (r, c) met
        *fr = r - b->pad, *fc = c - b->pad;
        *nr = (s->bp.geom.out_h - 1) * b->stride + 1, *nc = (s->bp.geom.out_w - 1) * b->stride + 1;
    } else if (g == BP_GRID_DYPAD) {  // under the kernel turned round
        bp_rotated_at(s, r, c, fr, fc);
        *nr = *nc = b->k;
    } else if ((g == BP_GRID_DW && ph == BP_PHASE_DW) || (g == BP_GRID_DX && ph == BP_PHASE_DX) ||
               (ph == BP_PHASE_SGD && g != BP_GRID_DY)) {
        *fr = r, *fc = c, *nr = *nc = 1;
    }
}

// The first of z cells (of a grid's n from base) that keeps [f, f + len) in
// view, centred on it when there is room.
static int window_start_(int f, int len, int z, int base, int n) {
    if (z >= n) return base;
    int start = f + len / 2 - z / 2;
    if (len <= z) start = ui_max(ui_min(start, f), f + len - z);
    return ui_max(base, ui_min(start, base + n - z));
}

// Short of room even for compact_'s row (a large zoom): the step's own grids
// in a row (dL/dW: X, dL/dY, dL/dW; dL/dX: W, the padded dL/dY, dL/dX;
// dL/db: dL/dY, dL/db; the update: W, dL/dW, W new), whole or a part of z
// cells a side around what the step is about; the words below them or on
// their right, with the phase's caption when it fits; the legend where it
// fits (else left out). False when even parts of one cell do not fit.
static bool closeup_(ui_layout *l, const app_state *s, const ui_metrics *m, const bp_dims_ *wide, ui_rect area,
                     app_state *probe) {
    bp_dims_ d = *wide;
    d.gap = l->pad * 3 / 2;
    int r, c0;
    const bp_phase ph = bp_phase_of(s, s->bp.anim.pos, &r, &c0);
    bp_grid row[3];
    const int n = phase_grids_(ph, row);
    int full_r[3], full_c[3], part_w[3], zmax = 1;
    for (int i = 0; i < n; i++) {
        int r0, col0;
        bp_grid_extent(s, row[i], &r0, &col0, &full_r[i], &full_c[i]);
        // A part is titled so: "input X (part)".
        char title[64];
        snprintf(title, sizeof title, "%s (part)", bp_grid_title(row[i]));
        part_w[i] = text_w_(m, title, l->small_px, false) * 13 / 10;
        zmax = ui_max(zmax, ui_max(full_r[i], full_c[i]));
    }
    const int lw = legend_w_(l, s, m);
    // With the caption and parts of 3 cells at least, else without it; the
    // parts titled so, else (their titles are wide) not, down to one cell.
    for (int marked = 1; marked >= 0; marked--)
    for (int cap = 1; cap >= 0; cap--)
        for (int z = zmax; z >= (cap || marked ? ui_min(3, zmax) : 1); z--)
            for (int side = 0; side < 2; side++)
                for (int c = l->text_px * 4; c >= l->min_cell; c--) {
                    int gw = 0, rows = 0, title_w[3];
                    for (int i = 0; i < n; i++) {
                        title_w[i] = marked && z < ui_max(full_r[i], full_c[i]) ? part_w[i] : d.title_w[row[i]];
                        gw += ui_max(ui_min(full_c[i], z) * c, title_w[i]) + (i ? d.gap : 0);
                        rows = ui_max(rows, ui_min(full_r[i], z));
                    }
                    const int gh = d.title_h + rows * c;
                    const int tw = side ? area.w - gw - d.gap : area.w;
                    if (gw > area.w || tw < area.w / 4) continue;
                    const int words = words_phase_h_(l, probe, m, tw, cap, ph);
                    if (side ? ui_max(gh, words) > area.h : gh + d.gap + words > area.h) continue;
                    // Fits: the grids, the words, the legend where it has room.
                    int x = area.x;
                    for (int i = 0; i < n; i++) {
                        int fr, fc, nr, nc, r0, col0, hh, ww;
                        focus_(s, row[i], ph, r, c0, &fr, &fc, &nr, &nc);
                        bp_grid_extent(s, row[i], &r0, &col0, &hh, &ww);
                        const int zr = ui_min(hh, z), zc = ui_min(ww, z);
                        ui_grid *gr = add_grid_(l, s, row[i], window_start_(fr, nr, zr, r0, hh),
                                                window_start_(fc, nc, zc, col0, ww), zr, zc, x, area.y + d.title_h, c);
                        if (gr && marked && (zr < hh || zc < ww)) snprintf(gr->title, sizeof gr->title, "%s (part)", bp_grid_title(row[i]));
                        x += ui_max(zc * c, title_w[i]) + d.gap;
                    }
                    const int tx = side ? area.x + gw + d.gap : area.x, ty = side ? area.y : area.y + gh + d.gap;
                    l->arithmetic = ui_rect_at(tx, ty, tw, words);
                    const int bottom = area.y + area.h, beside_w = area.w - gw - d.gap;
                    if (!side && beside_w >= lw && legend_h_(l, s, m, beside_w) <= gh)
                        l->legend = ui_rect_at(area.x + gw + d.gap, area.y, beside_w, legend_h_(l, s, m, beside_w));
                    else if (tw >= lw && ty + words + d.gap / 2 + legend_h_(l, s, m, tw) <= bottom)
                        l->legend = ui_rect_at(tx, ty + words + d.gap / 2, tw, legend_h_(l, s, m, tw));
                    else
                        l->legend = ui_rect_at(tx, bottom, tw, 0);
                    l->formula = ui_rect_at(area.x, bottom, area.w, 0);
                    l->words_short = !cap;
                    return true;
                }
    return false;
}

void bp_layout(ui_layout *l, const app_state *s, const ui_metrics *m) {
    const backprop_setup *b = &s->bp.setup;
    if (l->panel_strip) {  // a lesson's set-up is locked: the stepping buttons alone
        ui_panel p = layout_panel_fit(l, 5);
        layout_transport_strip(&p, &s->bp.anim);
    } else {
        ui_panel p = layout_panel_fit(l, 7);
        layout_transport(&p, &s->bp.anim);
        p.y += p.gap;
        layout_stepper(&p, ACT_SET_SIZE, b->n_h, VIEW_MIN_N, BP_MAX_N);
        layout_stepper(&p, ACT_SET_KERNEL, b->k, 1, BP_MAX_K);
        layout_stepper(&p, ACT_SET_STRIDE, b->stride, 1, 3);
        layout_stepper(&p, ACT_SET_PADDING, b->pad, 0, 3);
        p.y += p.gap;
        layout_two_buttons(&p, "randomise", ACT_RANDOMISE, 0, "dY random", ACT_RANDOMISE, 1);
    }
    const ui_rect area = ui_rect_at(l->main.x + l->pad, l->main.y + l->pad, l->main.w - 2 * l->pad, l->main.h - 2 * l->pad);
    bp_dims_ d = {.title_h = l->small_px * 3 / 2, .gap = l->pad * 2};
    const int ow = s->bp.ok ? s->bp.geom.out_w : 1;
    d.cols[BP_GRID_X] = b->n_w + 2 * b->pad;
    d.cols[BP_GRID_W] = d.cols[BP_GRID_DW] = d.cols[BP_GRID_WNEW] = b->k;
    d.cols[BP_GRID_Y] = d.cols[BP_GRID_DY] = ow;
    d.cols[BP_GRID_DX] = b->n_w;
    d.cols[BP_GRID_DB] = 1;
    d.cols[BP_GRID_DYPAD] = (ow - 1) * b->stride + 1 + 2 * (b->k - 1);
    // While dL/dX is worked out, dL/dY as its 'full' convolution reads it: padded.
    int ph_r, ph_c;
    const bool dx_phase = s->bp.ok && s->bp.anim.total > 0 && bp_phase_of(s, s->bp.anim.pos, &ph_r, &ph_c) == BP_PHASE_DX;
    d.row_a[0] = BP_GRID_X, d.row_a[1] = BP_GRID_W, d.row_a[2] = BP_GRID_Y;
    d.row_a[3] = dx_phase ? BP_GRID_DYPAD : BP_GRID_DY;
    d.rows_a = 0;
    for (int i = 0; i < 4; i++) {
        int r0, c0, rows, cols;
        bp_grid_extent(s, d.row_a[i], &r0, &c0, &rows, &cols);
        d.rows_a = ui_max(d.rows_a, rows);
    }
    d.rows_b = ui_max(b->k, b->n_h);
    for (int g = 0; g < BP_GRID_COUNT; g++)
        d.title_w[g] = text_w_(m, bp_grid_title((bp_grid)g), l->small_px, false) * 13 / 10;
    // The words' room: measured on a copy (loading steps changes the step shown).
    static app_state probe;
    probe.bp = s->bp;
    probe.player = s->player;
    // Grids above the words and the legend, or the words in a column on their right: the larger cells win.
    int best_c = 0, best_side = 0, best_words = 0, best_legend = 0, best_text_w = area.w;
    // side 0: the words and the legend below the grids; 1: both on their
    // right; 2: the words below, the legend right of the gradients' row (the narrower).
    for (int side = 0; side < 3; side++) {
        for (int c = l->text_px * 4; c >= l->min_cell; c--) {
            const int gw = ui_max(row_w_(&d, d.row_a, 4, c), row_w_(&d, row_b_, 4, c));
            const int gh = 2 * d.title_h + (d.rows_a + d.rows_b) * c + d.gap;
            const int tw = side == 1 ? area.w - gw - d.gap : area.w;
            const int lw = side == 0 ? area.w : side == 1 ? tw : area.w - row_w_(&d, row_b_, 4, c) - d.gap;
            if (gw > area.w || tw < area.w / 4 || lw < legend_w_(l, s, m)) continue;
            const int words = words_h_(l, &probe, m, tw, true), legend = legend_h_(l, s, m, lw);
            if (side == 2 && legend > d.title_h + d.rows_b * c) continue;
            const int need = side == 1   ? ui_max(gh, words + legend + d.gap)
                             : side == 2 ? gh + d.gap + words
                                         : gh + d.gap + words + legend + d.gap;
            if (need > area.h) continue;
            if (c > best_c) best_c = c, best_side = side, best_words = words, best_legend = legend, best_text_w = tw;
            break;
        }
    }
    // All eight grids at the readable size, the legend on their right (the
    // last resort below), else one row of what the step needs.
    bool eight_fit = false;
    if (best_c == 0) {
        const int c = l->min_cell, gw = ui_max(row_w_(&d, d.row_a, 4, c), row_w_(&d, row_b_, 4, c));
        const int gh = 2 * d.title_h + (d.rows_a + d.rows_b) * c + d.gap;
        eight_fit = gh + words_h_(l, &probe, m, area.w, true) <= area.h && gw + d.gap + legend_w_(l, s, m) <= area.w &&
                    legend_h_(l, s, m, ui_max(1, area.w - gw - d.gap)) <= gh;
    }
    if (best_c == 0 && !eight_fit && s->bp.ok && s->bp.anim.total > 0) {
        if (compact_(l, s, m, &d, area, &probe)) return;
        // A lesson's set-up is locked: its panel can give the close-up room.
        if (s->player.l) l->panel_strip_wanted = true;
        if (closeup_(l, s, m, &d, area, &probe)) return;
    }
    // Not even one row: in a lesson the panel and the narration can give room.
    if (best_c == 0 && s->player.l) l->panel_strip_wanted = l->narration_short_wanted = true;
    if (best_c == 0) {
        // Nothing fits whole (a large set-up at a large zoom): the words below
        // the grids, the legend on their right, the cells as large as the rest
        // leaves, the readable size at most (below it the values hide, but
        // nothing runs off the screen or over anything else).
        best_words = words_h_(l, &probe, m, area.w, true);
        best_side = 3;
        for (best_c = l->min_cell; best_c > 4; best_c--) {
            const int gw = ui_max(row_w_(&d, d.row_a, 4, best_c), row_w_(&d, row_b_, 4, best_c));
            const int gh = 2 * d.title_h + (d.rows_a + d.rows_b) * best_c + d.gap;
            best_legend = legend_h_(l, s, m, ui_max(1, area.w - gw - d.gap));
            // (best_words ends in a pad of slack: under the grids it is the gap)
            if (gh + best_words <= area.h && gw + d.gap + legend_w_(l, s, m) <= area.w && best_legend <= gh)
                break;
        }
        if (s->player.l) l->panel_strip_wanted = true;
    }
    const int c = best_c;
    const int y_a = area.y + d.title_h, y_b = y_a + d.rows_a * c + d.gap + d.title_h;
    place_row_(l, s, &d, d.row_a, 4, area.x, y_a, c);
    if (s->bp.ok) place_row_(l, s, &d, row_b_, 4, area.x, y_b, c);
    const int grids_h = 2 * d.title_h + (d.rows_a + d.rows_b) * c + d.gap;
    const int bottom = area.y + area.h;
    ui_rect text;
    if (best_side >= 2) {
        const int gw = best_side == 3 ? ui_max(row_w_(&d, d.row_a, 4, c), row_w_(&d, row_b_, 4, c)) : row_w_(&d, row_b_, 4, c);
        const int top = best_side == 3 ? area.y : y_b - d.title_h, room = best_side == 3 ? grids_h : d.title_h + d.rows_b * c;
        l->legend = ui_rect_at(area.x + gw + d.gap, top, area.w - gw - d.gap, ui_min(best_legend, room));
        const int ty = area.y + grids_h + (best_side == 3 ? l->pad : d.gap);  // the last resort: a narrower gap
        l->arithmetic = ui_rect_at(area.x, ty, area.w, ui_min(best_words, bottom - ty));
        l->formula = ui_rect_at(area.x, bottom, area.w, 0);
        return;
    }
    if (best_side == 1)
        text = ui_rect_at(area.x + area.w - best_text_w, area.y, best_text_w, area.h);
    else
        text = ui_rect_at(area.x, area.y + grids_h + d.gap, area.w, bottom - (area.y + grids_h + d.gap));
    // The words first (what the step is about), the legend under them.
    l->arithmetic = ui_rect_at(text.x, text.y, text.w, ui_min(best_words, text.h));
    const int ly = text.y + l->arithmetic.h + d.gap / 2;
    l->legend = ui_rect_at(text.x, ly, text.w, ly + best_legend <= bottom ? best_legend : 0);
    l->formula = ui_rect_at(text.x, bottom, text.w, 0);
}

// ---- Changing the set-up -------------------------------------------------------------------------

static anim_target anim_of_(app_state *s) {
    anim_target t = {&s->bp.anim, 1, s->bp.setup.k, s->bp.step_valid, load_step_};
    return t;
}

// The step that works out cell (row, col) of a gradient grid; -1 for the others.
static int step_of_cell_(const app_state *s, bp_grid g, int row, int col) {
    const backprop_setup *b = &s->bp.setup;
    if (!s->bp.ok || row < 0 || col < 0) return -1;
    switch (g) {
    case BP_GRID_DW: return row < b->k && col < b->k ? row * b->k + col : -1;
    case BP_GRID_DX: return row < b->n_h && col < b->n_w ? bp_phase_start(s, BP_PHASE_DX) + row * b->n_w + col : -1;
    case BP_GRID_DB: return bp_phase_start(s, BP_PHASE_DB);
    case BP_GRID_WNEW: return row < b->k && col < b->k ? bp_phase_start(s, BP_PHASE_SGD) + row * b->k + col : -1;
    default: return -1;
    }
}

static void a_stop_(app_state *s) {
    s->bp.anim.playing = false;
    s->bp.anim.stop_after = 0;  // the class took over from the lesson
}

// What a click types into: X, W and dL/dY (the set-up; the gradients follow).
// A gradient cell clicked jumps to its step instead.
static bool edits_cell_(const app_state *s, const cell_ref *c) {
    const backprop_setup *b = &s->bp.setup;
    if (c->row < 0 || c->col < 0) return false;  // the padding: always 0
    const bp_grid g = bp_grid_of(c->grid, c->channel);
    float v;
    return (g == BP_GRID_X && c->row < b->n_h && c->col < b->n_w) || g == BP_GRID_W ||
           (g == BP_GRID_DY && s->bp.ok && c->row < s->bp.geom.out_h && c->col < s->bp.geom.out_w) ||
           (g == BP_GRID_DYPAD && bp_dy_padded(s, c->row, c->col, &v));  // a dY cell, not a zero
}

static void update_(app_state *s, const app_action *a) {
    backprop_setup *b = &s->bp.setup;
    const anim_target t = anim_of_(s);
    if (a->kind == ACT_JUMP_TO_OUTPUT) {
        // A gradient cell clicked: to the step that works it out (the forward
        // output Y, the padding and a lesson's jumps are no step here).
        const int step = step_of_cell_(s, bp_grid_of(a->cell.grid, a->cell.channel), a->cell.row, a->cell.col);
        if (step >= 0 && a->cell.grid != GRID_NONE) {
            a_stop_(s);
            anim_goto(s, &t, step, 1);
        }
        return;
    }
    if (anim_update(s, &t, a)) return;
    switch (a->kind) {
    case ACT_SET_SIZE:
        b->n_h = b->n_w = clampi_(a->value, VIEW_MIN_N, BP_MAX_N);
        b->dy_given = false;
        recompute_(s, -1);
        return;
    case ACT_SET_KERNEL: b->k = clampi_(a->value, 1, BP_MAX_K); b->dy_given = false; recompute_(s, -1); return;
    case ACT_SET_PADDING: b->pad = clampi_(a->value, 0, 3); b->dy_given = false; recompute_(s, -1); return;
    case ACT_CYCLE_PADDING: b->pad = (b->pad + 1) % 4; b->dy_given = false; recompute_(s, -1); return;
    case ACT_SET_STRIDE: b->stride = clampi_(a->value, 1, 3); b->dy_given = false; recompute_(s, -1); return;
    case ACT_RANDOMISE:
        if (a->value == 1) {  // dL/dY: small whole numbers from -2 to 2
            for (int y = 0; y < BP_MAX_OUT; y++)
                for (int x = 0; x < BP_MAX_OUT; x++) b->dy[y][x] = (float)(app_rand_below(&s->rng_state, 5) - 2);
            b->dy_given = true;
        } else {
            for (int y = 0; y < BP_MAX_N; y++)
                for (int x = 0; x < BP_MAX_N; x++) b->input[y][x] = (float)app_rand_below(&s->rng_state, 10);
        }
        recompute_(s, -1);
        return;
    case ACT_SET_CELL:
        if (a->cell.grid == GRID_INPUT && a->cell.channel == 0 && a->cell.row >= 0 && a->cell.col >= 0)
            b->input[a->cell.row][a->cell.col] = a->fx;
        else if (a->cell.grid == GRID_KERNEL && a->cell.channel == 0)
            b->kernel[a->cell.row][a->cell.col] = a->fx;
        else if (a->cell.grid == GRID_OUTPUT && a->cell.channel == 1)
            b->dy[a->cell.row][a->cell.col] = a->fx, b->dy_given = true;
        else if (a->cell.grid == GRID_OUTPUT && a->cell.channel == 2 && bp_dy_padded(s, a->cell.row, a->cell.col, &(float){0}))
            b->dy[a->cell.row / b->stride][a->cell.col / b->stride] = a->fx, b->dy_given = true;
        else
            return;
        recompute_(s, s->bp.anim.pos);
        return;
    default: return;
    }
}

static void tick_(app_state *s, double ms) {
    const anim_target t = anim_of_(s);
    anim_tick(s, &t, ms);
}

// ---- Keys ------------------------------------------------------------------------------------------

static app_action size_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_SIZE, .value = s->bp.setup.n_h + d};
}
static app_action kernel_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_KERNEL, .value = s->bp.setup.k + d};
}
static app_action stride_up_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_SET_STRIDE, .value = s->bp.setup.stride + d};
}

static const key_binding keys_[] = {
    ANIM_KEYS,
    {'n', 0, ACT_SET_SIZE, 1, size_up_, KEYF_SETUP, "input size up"},
    {'n', KEYMOD_SHIFT, ACT_SET_SIZE, -1, size_up_, KEYF_SETUP, "input size down"},
    {'k', 0, ACT_SET_KERNEL, 1, kernel_up_, KEYF_SETUP, "kernel size up"},
    {'k', KEYMOD_SHIFT, ACT_SET_KERNEL, -1, kernel_up_, KEYF_SETUP, "kernel size down"},
    {'p', 0, ACT_CYCLE_PADDING, 0, NULL, KEYF_SETUP, "padding 0, 1, 2, 3"},
    {'s', 0, ACT_SET_STRIDE, 1, stride_up_, KEYF_SETUP, "stride up"},
    {'s', KEYMOD_SHIFT, ACT_SET_STRIDE, -1, stride_up_, KEYF_SETUP, "stride down"},
    {'r', 0, ACT_RANDOMISE, 0, NULL, KEYF_SETUP, "random input"},
    {'d', 0, ACT_RANDOMISE, 1, NULL, KEYF_SETUP, "random dL/dY (whole numbers -2..2)"},
};

// ---- What lessons read and set ----------------------------------------------------------------------

// A lesson's cell quiz here asks a weight's gradient: the operation's "output" is dL/dW.
static void op_(const app_state *s, view_op *o) {
    *o = (view_op){s->bp.ok, s->bp.why, &s->bp.geom.rows, &s->bp.geom.cols, s->bp.setup.k, s->bp.setup.k,
                   s->bp.dw, NULL, &s->bp.anim, NULL, NULL};
}

static bool lesson_input_(app_state *s, const app_matrix *m, char *err, int size) {
    if (m->c != 1 || m->h > BP_MAX_N || m->w > BP_MAX_N || m->h < 1 || m->w < 1) {
        snprintf(err, (size_t)size, "the backpropagation view takes one channel of up to %dx%d", BP_MAX_N, BP_MAX_N);
        return false;
    }
    backprop_setup b = s->bp.setup;
    b.n_h = m->h;
    b.n_w = m->w;
    b.dy_given = false;
    for (int y = 0; y < m->h; y++)
        for (int x = 0; x < m->w; x++) b.input[y][x] = m->values[(size_t)y * m->w + x];
    app_set_backprop(s, &b);
    return true;
}

static void report_(const app_state *s, FILE *out) {
    const backprop_view *b = &s->bp;
    if (!b->ok) {
        fprintf(out, "backpropagation: cannot run: %s\n", b->why);
        return;
    }
    const int done = app_cells_done(&b->anim, 1), k = b->setup.k;
    int r, c;
    const bp_phase ph = bp_phase_of(s, b->anim.pos, &r, &c);
    static const char *const names[] = {"dL/dW", "dL/dX", "dL/db", "the SGD update"};
    fprintf(out, "backpropagation: step %d of %d (%s), %d gradient cells worked out\n", b->anim.pos + 1,
            b->anim.total, names[ph], done);
    char v[32];
    fputs("dL/dW:", out);
    for (int i = 0; i < k * k; i++) fmt_screen(b->dw[i], v, sizeof v), fprintf(out, "%s%s", i % k ? " " : i ? "; " : " ", v);
    fputs("\ndL/dX:", out);
    for (int i = 0; i < nn_(s); i++)
        fmt_screen(b->dx[i], v, sizeof v), fprintf(out, "%s%s", i % b->setup.n_w ? " " : i ? "; " : " ", v);
    fmt_screen(b->db, v, sizeof v);
    fprintf(out, "\ndL/db: %s\nW new (lr ", v);
    fmt_screen(b->setup.lr, v, sizeof v);
    fprintf(out, "%s):", v);
    for (int i = 0; i < k * k; i++) fmt_screen(b->w_new[i], v, sizeof v), fprintf(out, "%s%s", i % k ? " " : i ? "; " : " ", v);
    fputc('\n', out);
}

// ---- Life cycle ---------------------------------------------------------------------------------

// A 4x4 input of small whole numbers, a 3x3 kernel, dL/dY 2x2 of ones, lr 0.1.
static void reset_(app_state *s) {
    memset(&s->bp, 0, sizeof s->bp);
    s->bp.anim.speed = 2;
    static const float input[4][4] = {{1, 2, 0, 1}, {3, 1, 2, 2}, {0, 1, 3, 1}, {2, 0, 1, 2}};
    static const float kernel[3][3] = {{1, 0, -1}, {0, 1, 0}, {-1, 0, 1}};
    static const float dy[2][2] = {{1, -1}, {2, 1}};
    backprop_setup b;
    memset(&b, 0, sizeof b);
    b.n_h = b.n_w = 4;
    b.k = 3;
    b.stride = 1;
    b.lr = 0.1f;
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) b.input[y][x] = input[y][x];
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) b.kernel[y][x] = kernel[y][x];
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 2; x++) b.dy[y][x] = dy[y][x];
    b.dy_given = true;
    app_set_backprop(s, &b);
}

const view_def view_backprop = {
    .id = VIEW_BACKPROP,
    .name = "backprop",
    .title = "backpropagation through a convolution",
    .menu = "Backpropagation",
    .keys = KEY_TABLE("backpropagation", keys_),
    .mouse = "click a cell of X, W or dL/dY (padded or not) to type a new value (the gradients are worked out again); "
             "click a gradient cell to go to its step",
    .has_panel = true,
    .layout = bp_layout,
    .update = update_,
    .tick = tick_,
    .report = report_,
    .op = op_,
    .lesson_input = lesson_input_,
    .reset = reset_,
    .edits_cell = edits_cell_,
};
