// view_unit_render.c - draws view_unit.c's detail of one unit: the title and
// the input, the close-ups before and after an activation (with the cell
// worked out framed) and their legend, and the written-out lines, all where
// the plan (view_unit.h) put them.
#include <stdio.h>

#include "keys.h"
#include "render.h"
#include "render_views.h"
#include "view_unit.h"

// The values of a grid's cells: the layer's input (before) or output (after).
static const float *grid_values_(const app_state *s, int after) {
    const nn_net *net = s->host.network_net;
    const int L = s->network.selected.layer;
    return after ? net->out[L] : unit_layer_input(net, s->host.network_input, L);
}

static void act_grids_(const draw_ *d, const unit_plan *p) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const nn_layer *ly = &s->host.network_net->model->layers[s->network.selected.layer];
    const int H = p->vector ? 1 : ly->out.h, W = p->vector ? ly->out.c : ly->out.w;
    const int plane = H * W, map = p->vector ? 0 : s->network.selected.channel;
    // One colour scale for both: the largest |value| of the map before.
    const float *before = grid_values_(s, 0) + (size_t)map * plane;
    const float scale = rd_max_abs(before, W, W, H);
    const int sel_row = p->vector ? 0 : s->network.selected.row, sel_col = p->vector ? s->network.selected.channel
                                                                                      : s->network.selected.col;
    for (int i = 0; i < l->n_grids; i++) {
        const ui_grid *g = &l->grids[i];
        if (g->id != GRID_OUTPUT) continue;
        const float *v = grid_values_(s, g->channel) + (size_t)map * plane;
        rd_grid_title(d, g);
        for (int r = 0; r < g->rows; r++)
            for (int c = 0; c < g->cols; c++) {
                const int row = g->row0 + r, col = g->col0 + c;
                rd_value_cell(d, rd_cell_rect(g, row, col), v[row * W + col], scale, false);
            }
        if (sel_row >= g->row0 && sel_row < g->row0 + g->rows && sel_col >= g->col0 && sel_col < g->col0 + g->cols)
            rd_frame(d->r, rd_cell_rect(g, sel_row, sel_col), FOCUS, ui_max(3, l->min_cell / 12));
    }
    const char *labels[4];
    unit_legend_labels(s, labels, 4);
    const rd_legend_item items[] = {
        {RD_SWATCH_FILL, rd_diverging(-1, s->colorblind), labels[0]},
        {RD_SWATCH_FILL, rd_diverging(0, s->colorblind), labels[1]},
        {RD_SWATCH_FILL, rd_diverging(1, s->colorblind), labels[2]},
        {RD_SWATCH_FRAME, FOCUS, labels[3]},
    };
    if (p->legend.h > 0) rd_legend(d, p->legend, items, 4);
}

static void lines_(const draw_ *d, const unit_plan *p) {
    const ui_layout *l = d->l;
    int y = p->text.y;
    for (int i = 0; i < p->n_lines; i++) {
        const unit_line *ln = &p->lines[i];
        const int st = ln->style;
        if (st == UNIT_LINE_MONO || st == UNIT_LINE_MONO_STRONG || st == UNIT_LINE_WIN) {
            const int w = rd_width(d, FACE_MONO, p->px, ln->text);
            if (st == UNIT_LINE_MONO_STRONG)
                rd_fill(d->r, rd_rect(p->text.x - l->pad / 4, y, w + l->pad / 2, p->line_h), PAD_FILL);
            const SDL_Color c = st == UNIT_LINE_WIN ? rd_colour(rd_pal(d)->winner) : INK;
            rd_text(d, FACE_MONO, p->px, p->text.x, y, c, ln->text);
            if (st == UNIT_LINE_MONO_STRONG) rd_frame(d->r, rd_rect(p->text.x - l->pad / 4, y, w + l->pad / 2, p->line_h), FOCUS, 2);
            y += p->line_h;
            continue;
        }
        const font_face face = st == UNIT_LINE_BOLD ? FACE_BOLD : FACE_SANS;
        const SDL_Color c = st == UNIT_LINE_MUTED ? MUTED : INK;
        y = rd_text_wrap(d, face, p->px, rd_rect(p->text.x, y, p->text.w, p->text.y + p->text.h - y), y, c, ln->text);
    }
}

void render_view_unit(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    rd_fill(d->r, l->panel, PANEL);
    const ui_metrics metrics = {render_text_width, d->font};
    unit_plan p;
    unit_plan_make(&p, s, l, &metrics);
    const ui_rect h = p.head;
    const int title_h = l->text_px * 5 / 4;
    rd_fitted_line(d, FACE_BOLD, l->text_px, rd_rect(h.x, h.y, h.w, title_h), h.y, INK, p.title);
    if (p.input[0])
        rd_fitted_line(d, FACE_SANS, l->small_px, rd_rect(h.x, h.y + title_h, h.w, h.h - title_h), h.y + title_h,
                       MUTED, p.input);
    if (p.grids) act_grids_(d, &p);
    lines_(d, &p);
    rd_buttons(d);
    char hint[300];
    keys_hint(s, 4, hint, sizeof hint);
    rd_footer(d, s->status[0] ? s->status : hint);
}
