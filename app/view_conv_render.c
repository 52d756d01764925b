// view_conv_render.c - the convolution view: the input with the sliding
// window and its weights, the kernel, bias and output grids, the formula
// with its numbers, the products added so far, and the settings panel.
#include <math.h>
#include <stdio.h>

#include "format.h"
#include "render_views.h"

static bool in_window_(const conv_step_view *st, int ch_index_base, int per, int y, int x, int *k_out) {
    for (int k = ch_index_base; k < ch_index_base + per; k++)
        if (st->in_row[k] == y && st->in_col[k] == x) {
            *k_out = k;
            return true;
        }
    return false;
}

// The window over input channel g->channel: every tap outlined with its
// weight, the tap being multiplied in focus, where it was one step before.
static void conv_window_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const conv_setup *c = &s->conv.setup;
    const conv_step_view *st = &s->conv.step;
    const anim_state *a = &s->conv.anim;
    const int per = c->k * c->k;
    const nn_axis *ra = &s->conv.geom.rows, *ca = &s->conv.geom.cols;
    const int base = g->channel * per;
    // Where the window was one step before: the stride jump, faintly.
    if (a->pos > 0 && s->conv.ok) {
        const int prev = a->pos - 1, ow = s->conv.geom.out_w;
        const int py = (prev / ow) * c->stride - ra->pad_lo, px = (prev % ow) * c->stride - ca->pad_lo;
        const int span = (c->k - 1) * c->dilation + 1;
        ui_rect q = rd_cell_rect(g, py, px);
        q.w = q.h = span * g->cell;
        SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_BLEND);
        rd_frame(d->r, q, (SDL_Color){ACCENT.r, ACCENT.g, ACCENT.b, 90}, 2);
        SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_NONE);
    }
    const int tiny = d->l->small_px * 3 / 5;
    for (int k = base; k < base + per; k++) {
        ui_rect q = rd_cell_rect(g, st->in_row[k], st->in_col[k]);
        rd_frame(d->r, q, ACCENT, rd_outline(d, g->cell, 3));
        // Each tap carries its weight, as the slides write 3 with a small 0.
        if (tiny >= 8 && g->cell >= tiny * 3) {
            char wt[32], t[40];
            fmt_float(st->weights[k], wt, sizeof wt);
            snprintf(t, sizeof t, "\u00d7%s", wt);
            const int tw = rd_width(d, FACE_BOLD, tiny, t);
            if (tw < g->cell - 6) {
                const int tx = q.x + q.w - tw - d->l->pad / 3 - 3;
                const int ty = q.y + q.h - tiny * 6 / 5 - d->l->pad / 3 - 2;
                rd_fill(d->r, (ui_rect){tx - 1, ty + 1, tw + 2, tiny + 1}, WHITE);
                rd_text(d, FACE_BOLD, tiny, tx, ty, ACCENT, t);
            }
        }
    }
    const int cur = a->reveal - 1;  // the product just added
    int k;
    if (cur >= base && cur < base + per && in_window_(st, base, per, st->in_row[cur], st->in_col[cur], &k)) {
        ui_rect q = rd_cell_rect(g, st->in_row[cur], st->in_col[cur]);
        rd_frame(d->r, q, FOCUS, rd_outline(d, g->cell, 2));
    }
    // The window's outer edge, so a stride jump is easy to follow.
    const int span_h = (c->k - 1) * c->dilation + 1, span_w = span_h;
    ui_rect outer = rd_cell_rect(g, st->in_row[base], st->in_col[base]);
    outer.w = span_w * g->cell;
    outer.h = span_h * g->cell;
    rd_frame(d->r, rd_rect(outer.x - 2, outer.y - 2, outer.w + 4, outer.h + 4), ACCENT, 2);
}

static void conv_input_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const conv_setup *c = &s->conv.setup;
    const nn_axis *ra = &s->conv.geom.rows, *ca = &s->conv.geom.cols;
    const float scale = rd_max_abs(&c->input[g->channel][0][0], c->n_w, VIEW_MAX_N, c->n_h);
    for (int y = g->row0; y < g->row0 + g->rows; y++)
        for (int x = g->col0; x < g->col0 + g->cols; x++) {
            const ui_rect q = rd_cell_rect(g, y, x);
            if (y < 0 || x < 0 || y >= c->n_h || x >= c->n_w)
                rd_padding_cell(d, q, "0");
            else
                rd_value_cell(d, q, c->input[g->channel][y][x], scale, false);
            // Rows and columns the window never reaches, when the floor drops them.
            if (s->conv.ok && ((ra->remainder && y >= c->n_h + ra->pad_hi - ra->remainder) ||
                               (ca->remainder && x >= c->n_w + ca->pad_hi - ca->remainder)))
                rd_unreached(d, q);
        }
    if (s->conv.step.valid) conv_window_(d, g);
}

static void conv_kernel_(const draw_ *d, const ui_grid *g) {
    const conv_setup *c = &d->s->conv.setup;
    const anim_state *a = &d->s->conv.anim;
    const int per = c->k * c->k;
    const float scale = rd_max_abs(&c->kernel[g->channel][0][0], c->k, VIEW_MAX_K, c->k);
    for (int y = 0; y < c->k; y++)
        for (int x = 0; x < c->k; x++) {
            const ui_rect q = rd_cell_rect(g, y, x);
            rd_value_cell(d, q, c->kernel[g->channel][y][x], scale, false);
            const int idx = g->channel * per + y * c->k + x;
            if (d->s->conv.step.valid && idx == a->reveal - 1) rd_frame(d->r, q, FOCUS, rd_outline(d, g->cell, 2));
        }
}

// The output cells computed so far, the current one outlined, and the colour scale's legend.
static void conv_output_(const draw_ *d, const ui_grid *g) {
    const app_state *s = d->s;
    const conv_step_view *st = &s->conv.step;
    const int done = app_cells_done(&s->conv.anim, s->conv.geom.window);
    const int n = s->conv.geom.out_h * s->conv.geom.out_w;
    float scale = 0;
    for (int i = 0; i < n; i++) scale = fmaxf(scale, fabsf(s->conv.out[i]));
    scale = scale > 0 ? scale : 1;
    for (int i = 0; i < n; i++) {
        const int y = i / s->conv.geom.out_w, x = i % s->conv.geom.out_w;
        rd_value_cell(d, rd_cell_rect(g, y, x), s->conv.out[i], scale, i >= done);
    }
    if (st->valid) rd_frame(d->r, rd_cell_rect(g, st->row, st->col), ACCENT, rd_outline(d, g->cell, 3));
    // The legend: the colour scale of the output.
    const ui_rect lg = d->l->legend;
    rd_colour_bar(d, lg);
    rd_frame(d->r, lg, LINE, 1);
    char lo[40], hi[40];
    fmt_float(-scale, lo, sizeof lo);
    fmt_float(scale, hi, sizeof hi);
    rd_text(d, FACE_SANS, d->l->small_px * 4 / 5, lg.x, lg.y + lg.h + 2, MUTED, lo);
    rd_text(d, FACE_SANS, d->l->small_px * 4 / 5, lg.x + lg.w - rd_width(d, FACE_SANS, d->l->small_px * 4 / 5, hi),
            lg.y + lg.h + 2, MUTED, hi);
}

static void conv_grids_(const draw_ *d) {
    const conv_setup *c = &d->s->conv.setup;
    for (int gi = 0; gi < d->l->n_grids; gi++) {
        const ui_grid *g = &d->l->grids[gi];
        rd_grid_title(d, g);
        if (g->id == GRID_INPUT)
            conv_input_(d, g);
        else if (g->id == GRID_KERNEL)
            conv_kernel_(d, g);
        else if (g->id == GRID_BIAS)
            rd_value_cell(d, rd_cell_rect(g, 0, 0), c->bias, fabsf(c->bias) > 0 ? fabsf(c->bias) : 1, false);
        else if (g->id == GRID_OUTPUT)
            conv_output_(d, g);
    }
}

// A factor after a times sign: negative ones in parentheses, "x(-1)".
static void weight_text_(float w, char *buf, size_t size) {
    char t[32];
    fmt_float(w, t, sizeof t);
    snprintf(buf, size, w < 0 ? "(%s)" : "%s", t);
}

// "3x0 + 3x1 + 2x2 = 7 so far" for the products revealed, a line per channel.
static void conv_arithmetic_(const draw_ *d) {
    const app_state *s = d->s;
    const conv_step_view *st = &s->conv.step;
    const ui_layout *l = d->l;
    if (!s->conv.ok || !st->valid) return;
    const int per = s->conv.setup.k * s->conv.setup.k, reveal = s->conv.anim.reveal;
    char line[2048], a[32], b[32];
    int y = l->arithmetic.y;
    snprintf(line, sizeof line, "cell (%d, %d) of the output, %d of %d:", st->row, st->col,
             s->conv.anim.pos + 1, s->conv.anim.total);
    rd_text(d, FACE_BOLD, l->text_px, l->arithmetic.x, y, INK, line);
    y += l->text_px * 3 / 2;
    for (int ch = 0; ch < s->conv.setup.channels; ch++) {
        const int from = ch * per, to = (ch + 1) * per;
        if (reveal <= from && ch > 0) break;
        size_t n = 0;
        line[0] = '\0';
        if (s->conv.setup.channels > 1) n += (size_t)snprintf(line + n, sizeof line - n, "channel %d:  ", ch + 1);
        if (ch > 0) {
            fmt_float(st->running[from - 1], a, sizeof a);
            n += (size_t)snprintf(line + n, sizeof line - n, "%s + ", a);
        }
        for (int k = from; k < to && k < reveal; k++) {
            fmt_float(st->window[k], a, sizeof a);
            weight_text_(st->weights[k], b, sizeof b);
            n += (size_t)snprintf(line + n, sizeof line - n, st->padded[k] ? "%s[%s]\u00d7%s" : "%s%s\u00d7%s",
                                  k > from ? " + " : "", a, b);
            if (n >= sizeof line - 40) break;
        }
        if (reveal > from) {
            const int last = (reveal < to ? reveal : to) - 1;
            fmt_float(st->running[last], a, sizeof a);
            n += (size_t)snprintf(line + n, sizeof line - n, " = %s%s", a, reveal < to ? "  so far" : "");
        } else {
            snprintf(line + n, sizeof line - n, "(press > or space to multiply)");
        }
        y = rd_text_wrap(d, FACE_MONO, l->small_px, l->arithmetic, y, INK, line);
    }
    if (reveal >= st->count) {
        fmt_float(st->running[st->count - 1], a, sizeof a);
        fmt_float(st->bias, b, sizeof b);
        char c[32];
        fmt_float(st->sum, c, sizeof c);
        snprintf(line, sizeof line, "%s + bias %s = %s   -> output (%d, %d)", a, b, c, st->row, st->col);
        rd_text_wrap(d, FACE_BOLD, l->small_px, l->arithmetic, y + l->small_px / 2, ACCENT, line);
    }
}

// The labels of the panel's setting rows, from the state.
static void conv_labels_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    char t[96];
    const ui_button *b;
    rd_speed_label(d, &s->conv.anim);
    const conv_setup *c = &s->conv.setup;
    if ((b = rd_find_button(l, ACT_SET_SIZE, 0))) snprintf(t, sizeof t, "input  %dx%d", c->n_h, c->n_w), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_KERNEL, 0))) snprintf(t, sizeof t, "kernel  %dx%d", c->k, c->k), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_PADDING, 0))) {
        if (c->padding.mode == NN_PAD_SAME)
            snprintf(t, sizeof t, "padding  same");
        else if (c->padding.mode == NN_PAD_VALID)
            snprintf(t, sizeof t, "padding  valid");
        else
            snprintf(t, sizeof t, "padding  %d", c->padding.p);
        rd_setting_label(d, b, t);
    }
    if ((b = rd_find_button(l, ACT_SET_STRIDE, 0))) snprintf(t, sizeof t, "stride  %d", c->stride), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_DILATION, 0))) snprintf(t, sizeof t, "dilation  %d", c->dilation), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_CHANNELS, 0))) snprintf(t, sizeof t, "channels  %d", c->channels), rd_setting_label(d, b, t);
}

void render_view_conv(const draw_ *d) {
    const app_state *s = d->s;
    rd_fill(d->r, d->l->panel, PANEL);
    conv_grids_(d);
    rd_formula(d, &s->conv.geom.rows, &s->conv.geom.cols, s->conv.ok, s->conv.why);
    conv_arithmetic_(d);
    rd_buttons(d);
    conv_labels_(d);
    rd_stepper_footer(d, &s->conv.anim);
}
