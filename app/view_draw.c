// view_draw.c - draw a digit: the canvas (draw.c keeps its strokes), the
// picture prepared as `convstep classify` prepares one, and what the shipped
// or the live model reads in it. Its renderer is view_draw_render.c.
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "view_draw.h"
#include "views.h"

// The canvas on the left, on its right the 28x28 picture with the key to
// its grey and the ten probabilities beside it; the feature maps below
// those (or, `across`, below everything, the canvas no taller than the rest).
static void place_(ui_layout *l, bool across) {
    const ui_rect m = l->main;
    const int w = m.w - 2 * l->pad, h = m.h - 2 * l->pad;
    const int title_h = maps_line_h(l->small_px) + l->pad / 3;
    const int probs_h = draw_probs_height(l, draw_probs_cols_for(l, h - title_h));
    int side = ui_max(0, ui_min(h - title_h, w * 2 / 5));
    if (across) side = ui_min(side, ui_max(probs_h, (h - title_h) / 2));
    l->canvas = ui_rect_at(m.x + l->pad, m.y + l->pad + title_h, side, side);
    const int rx = l->canvas.x + side + l->pad * 2, rw = m.x + m.w - l->pad - rx;
    const int top = l->canvas.y;
    // The picture over the key to its grey; where that leaves it too small, alone.
    int prep = ui_min(rw * 3 / 10, probs_h - maps_key_height(l) - l->pad);
    const bool key = prep >= maps_min_side(l);
    if (!key) prep = ui_max(0, ui_min(rw * 3 / 10, ui_min(side, h - title_h)));
    l->prepared = ui_rect_at(rx, top, prep, prep);
    l->legend = ui_rect_at(rx, top + prep + l->pad, prep, key ? maps_key_height(l) : 0);
    l->probs = ui_rect_at(rx + prep + l->pad * 2, top, rw - prep - l->pad * 2, probs_h);
    int below = ui_max(l->probs.y + l->probs.h, l->legend.y + l->legend.h);
    if (across) below = ui_max(below, l->canvas.y + side);
    below += l->pad + title_h / 2;
    const int x = across ? m.x + l->pad : rx;
    l->maps = ui_rect_at(x, below, m.x + m.w - l->pad - x, m.y + m.h - l->pad - below);
}

static void layout_(ui_layout *l, const app_state *s, const ui_metrics *metrics) {
    (void)metrics;
    ui_panel p = layout_panel(l);
    layout_two_buttons(&p, "clear", ACT_DRAW_CLEAR, 0, "undo", ACT_DRAW_UNDO, 0);
    layout_stepper(&p, ACT_BRUSH, s->draw.brush, 2, 10);
    p.y += p.gap;
    ui_button_pair model = layout_two_buttons(&p, "shipped", ACT_DRAW_MODEL, 0, "live", ACT_DRAW_MODEL, 1);
    model.first->active = !s->draw.live;
    model.second->active = s->draw.live;
    model.first->enabled = model.first->enabled && s->draw.live;
    model.second->enabled = model.second->enabled && !s->draw.live && s->host.live_net != NULL;
    const nn_net *net = s->draw.live && s->host.live_net ? s->host.live_net : s->host.draw_net;
    // Maps on the right under the probabilities, or across the whole width
    // under a smaller canvas: whichever shows more of them, larger.
    place_(l, false);
    maps_plan right, across;
    maps_plan_make(&right, l, net, 0, false, draw_maps_area(l));
    place_(l, true);
    maps_plan_make(&across, l, net, 0, false, draw_maps_area(l));
    const int side_right = right.n_rows ? right.rows[0].side : 0, side_across = across.n_rows ? across.rows[0].side : 0;
    if (right.dropped < across.dropped || (right.dropped == across.dropped && side_right > side_across))
        place_(l, false);
}

static void update_(app_state *s, const app_action *a) {
    switch (a->kind) {
    case ACT_PEN_DOWN: draw_pen_down(s, a->fx, a->fy); return;
    case ACT_PEN_MOVE: draw_pen_move(s, a->fx, a->fy); return;
    case ACT_PEN_UP: draw_pen_up(s); return;
    case ACT_DRAW_CLEAR: draw_clear(s); return;
    case ACT_DRAW_UNDO: draw_undo(s); return;
    case ACT_BRUSH: s->draw.brush = a->value < 2 ? 2 : a->value > 10 ? 10 : a->value; return;
    case ACT_DRAW_MODEL:
        s->draw.live = !s->draw.live;
        app_draw_classify(s);
        return;
    default: return;
    }
}

static void report_(const app_state *s, FILE *out) {
    if (!s->draw.ready) return;
    int best = 0;
    for (int j = 1; j < 10; j++) best = s->draw.probs[j] > s->draw.probs[best] ? j : best;
    fprintf(out, "the drawing is a %d (%.1f%%)\n", best, 100.0 * s->draw.probs[best]);
}

static app_action brush_(const app_state *s, const struct ui_layout *l, int d) {
    (void)l;
    return (app_action){.kind = ACT_BRUSH, .value = s->draw.brush + d};
}

static const key_binding keys_[] = {
    {'c', 0, ACT_DRAW_CLEAR, 0, NULL, KEYF_SETUP, "clear the canvas"},
    {KEY_DELETE, 0, ACT_DRAW_CLEAR, 0, NULL, KEYF_SETUP | KEYF_ALIAS, "clear the canvas"},
    {KEY_BACKSPACE, 0, ACT_DRAW_CLEAR, 0, NULL, KEYF_SETUP | KEYF_ALIAS, "clear the canvas"},
    {'u', 0, ACT_DRAW_UNDO, 0, NULL, KEYF_SETUP, "undo the last stroke"},
    {'z', 0, ACT_DRAW_UNDO, 0, NULL, KEYF_SETUP | KEYF_ALIAS, "undo the last stroke"},
    {'[', 0, ACT_BRUSH, -1, brush_, 0, "thinner pen"},
    {']', 0, ACT_BRUSH, 1, brush_, 0, "thicker pen"},
    {'l', 0, ACT_DRAW_MODEL, 0, NULL, KEYF_SETUP, "shipped or live model"},
};

static void reset_(app_state *s) {
    memset(&s->draw, 0, sizeof s->draw);
    s->draw.brush = 5;
    snprintf(s->draw.note, sizeof s->draw.note, "draw a digit with the mouse");
}

const view_def view_draw = {
    .id = VIEW_DRAW,
    .name = "draw",
    .title = "draw a digit",
    .menu = "Draw a digit",
    .keys = KEY_TABLE("drawing", keys_),
    .mouse = "hold the left button to draw on the black canvas",
    .has_panel = true,
    .needs = VIEW_NEEDS_CANVAS,
    .layout = layout_,
    .update = update_,
    .report = report_,
    .reset = reset_,
};
