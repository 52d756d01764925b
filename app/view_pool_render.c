// view_pool_render.c - the pooling view: the input with the window, the max
// and average outputs, the formula, the max and the average written out, and
// the settings panel.
#include <math.h>
#include <stdio.h>

#include "format.h"
#include "render_views.h"

static void pool_grids_(const draw_ *d) {
    const app_state *s = d->s;
    const pool_setup *p = &s->pool.setup;
    const pool_step_view *st = &s->pool.step;
    const anim_state *a = &s->pool.anim;
    for (int gi = 0; gi < d->l->n_grids; gi++) {
        const ui_grid *g = &d->l->grids[gi];
        rd_grid_title(d, g);
        if (g->id == GRID_INPUT) {
            const float scale = rd_max_abs(&p->input[0][0], p->n_w, VIEW_MAX_N, p->n_h);
            for (int y = g->row0; y < g->row0 + g->rows; y++)
                for (int x = g->col0; x < g->col0 + g->cols; x++) {
                    const ui_rect q = rd_cell_rect(g, y, x);
                    if (y < 0 || x < 0 || y >= p->n_h || x >= p->n_w)
                        rd_padding_cell(d, q, "0");
                    else
                        rd_value_cell(d, q, p->input[y][x], scale, false);
                    const nn_axis *ra = &s->pool.max_geom.rows, *ca = &s->pool.max_geom.cols;
                    if (s->pool.ok && ((ra->remainder && y >= p->n_h + p->pad - ra->remainder) ||
                                       (ca->remainder && x >= p->n_w + p->pad - ca->remainder)))
                        rd_unreached(d, q);
                }
            if (st->valid) {
                for (int k = 0; k < st->count; k++) rd_frame(d->r, rd_cell_rect(g, st->in_row[k], st->in_col[k]), ACCENT, rd_outline(d, g->cell, 3));
                if (a->reveal >= st->count && st->argmax >= 0)  // the max's winner
                    rd_frame(d->r, rd_cell_rect(g, st->argmax_row, st->argmax_col), WIN, rd_outline(d, g->cell, 2));
                else if (a->reveal > 0 && a->reveal <= st->count)
                    rd_frame(d->r, rd_cell_rect(g, st->in_row[a->reveal - 1], st->in_col[a->reveal - 1]), FOCUS, rd_outline(d, g->cell, 2));
            }
        } else if (g->id == GRID_OUTPUT) {
            const float *out = g->channel == 0 ? s->pool.max_out : s->pool.avg_out;
            const int done = app_cells_done(a, s->pool.max_geom.window);
            const int n = s->pool.max_geom.out_h * s->pool.max_geom.out_w;
            float scale = 0;
            for (int i = 0; i < n; i++) scale = fmaxf(scale, fabsf(out[i]));
            scale = scale > 0 ? scale : 1;
            for (int i = 0; i < n; i++)
                rd_value_cell(d, rd_cell_rect(g, i / s->pool.max_geom.out_w, i % s->pool.max_geom.out_w), out[i],
                            scale, i >= done);
            if (st->valid) rd_frame(d->r, rd_cell_rect(g, st->row, st->col), ACCENT, rd_outline(d, g->cell, 3));
        }
    }
}

static void pool_arithmetic_(const draw_ *d) {
    const app_state *s = d->s;
    const pool_step_view *st = &s->pool.step;
    const ui_layout *l = d->l;
    if (!s->pool.ok || !st->valid) return;
    const int reveal = s->pool.anim.reveal;
    char line[2048], a[32], b[32];
    int y = l->arithmetic.y;
    snprintf(line, sizeof line, "window %d of %d, output (%d, %d):", s->pool.anim.pos + 1, s->pool.anim.total,
             st->row, st->col);
    rd_text(d, FACE_BOLD, l->text_px, l->arithmetic.x, y, INK, line);
    y += l->text_px * 3 / 2;
    // max(...) over the cells seen so far; padding does not take part.
    size_t n = (size_t)snprintf(line, sizeof line, "max(");
    for (int k = 0; k < st->count && k < reveal; k++) {
        if (st->padded[k]) {
            n += (size_t)snprintf(line + n, sizeof line - n, "%spad", k ? ", " : "");
        } else {
            fmt_float(st->window[k], a, sizeof a);
            n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", k ? ", " : "", a);
        }
    }
    fmt_float(st->max_value, a, sizeof a);
    if (reveal >= st->count)
        snprintf(line + n, sizeof line - n, ") = %s, from input (%d, %d)%s", a, st->argmax_row,
                 st->argmax_col, s->pool.setup.pad > 0 ? "; padding never wins" : "");
    else
        snprintf(line + n, sizeof line - n, " ...");
    y = rd_text_wrap(d, FACE_MONO, l->small_px, l->arithmetic, y, INK, line);
    n = (size_t)snprintf(line, sizeof line, "(");
    for (int k = 0; k < st->count && k < reveal; k++) {
        fmt_float(st->window[k], a, sizeof a);
        n += (size_t)snprintf(line + n, sizeof line - n, st->padded[k] ? "%s[%s]" : "%s%s", k ? " + " : "", a);
    }
    if (reveal >= st->count) {
        fmt_float(st->avg_sum, a, sizeof a);
        fmt_float(st->avg_value, b, sizeof b);
        snprintf(line + n, sizeof line - n, ") / %d = %s / %d = %s", st->divisor, a, st->divisor, b);
    } else {
        snprintf(line + n, sizeof line - n, " ...");
    }
    rd_text_wrap(d, FACE_MONO, l->small_px, l->arithmetic, y + l->small_px / 3, INK, line);
}

// The labels of the panel's setting rows, from the state.
static void pool_labels_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    char t[96];
    const ui_button *b;
    rd_speed_label(d, &s->pool.anim);
    const pool_setup *p = &s->pool.setup;
    if ((b = rd_find_button(l, ACT_SET_SIZE, 0))) snprintf(t, sizeof t, "input  %dx%d", p->n_h, p->n_w), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_POOL_SIZE, 0))) snprintf(t, sizeof t, "window  %dx%d", p->size, p->size), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_STRIDE, 0))) snprintf(t, sizeof t, "stride  %d", p->stride), rd_setting_label(d, b, t);
    if ((b = rd_find_button(l, ACT_SET_PADDING, 0))) snprintf(t, sizeof t, "padding  %d", p->pad), rd_setting_label(d, b, t);
}

void render_view_pool(const draw_ *d) {
    const app_state *s = d->s;
    rd_fill(d->r, d->l->panel, PANEL);
    pool_grids_(d);
    rd_formula(d, &s->pool.max_geom.rows, &s->pool.max_geom.cols, s->pool.ok, s->pool.why);
    pool_arithmetic_(d);
    rd_buttons(d);
    pool_labels_(d);
    rd_stepper_footer(d, &s->pool.anim);
}
