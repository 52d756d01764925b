// view_draw.c - draw a digit: the canvas (draw.c keeps its strokes), the
// picture prepared as `convstep classify` prepares one, and what the shipped
// or the live model reads in it. Its renderer is view_draw_render.c.
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "view_draw.h"
#include "views.h"

// The keys under the picture: its grey, and the maps' colours.
static int keys_h_(const ui_layout *l) { return 2 * maps_key_height(l) + l->pad; }

// The canvas on the left as large as the main area lets it be (square); on
// its right the 28x28 picture over the keys to its colours, the ten
// probabilities beside it, and the feature maps below those (or, `across`,
// below everything, the canvas no taller than the rest). `maps`: the model
// has maps to show (else the bars take the whole height).
static void place_(ui_layout *l, bool across, bool maps) {
    const ui_rect m = l->main;
    const int w = m.w - 2 * l->pad, h = m.h - 2 * l->pad;
    const int title_h = maps_line_h(l->small_px) + l->pad / 3;
    const int px = draw_probs_px(l);
    // The right keeps room for a readable picture and bars: a picture with
    // its label under it, a digit, a bar of 6 digits' width, "100.0%".
    // With maps to show, the right keeps half the width for them.
    const int right_min = ui_max(maps_min_side(l) * 2 + l->pad * 2 + px * 12, maps ? w / 2 : w * 3 / 10);
    int side = ui_max(0, ui_min(h - title_h, w - l->pad * 2 - right_min));
    const int comfy = draw_probs_height(l, 1, maps_line_h(px) * 3 / 2);
    if (across) side = ui_min(side, ui_max(comfy, (h - title_h) * 62 / 100));
    // A tall narrow window (a phone held upright) leaves no width beside the
    // canvas: the canvas goes on top, as wide as the area, the rest under it.
    const bool upright = h > w && side < w / 2;
    if (upright) side = ui_max(0, ui_min(w, (h - title_h) / 2));
    l->canvas = ui_rect_at(m.x + l->pad, m.y + l->pad + title_h, side, side);
    const int rx = upright ? m.x + l->pad : l->canvas.x + side + l->pad * 2, rw = m.x + m.w - l->pad - rx;
    const int top = upright ? l->canvas.y + side + l->pad * 2 : l->canvas.y, bottom = m.y + m.h - l->pad;
    if (upright) across = false;  // the maps go under the bars, beside nothing
    // The picture over its keys, a third of the right; alone where the keys leave it too small.
    int prep = ui_min(rw * 3 / 10, bottom - top - keys_h_(l) - l->pad);
    const bool keys = prep >= maps_min_side(l);
    if (!keys) prep = ui_max(0, ui_min(rw * 3 / 10, bottom - top));
    l->prepared = ui_rect_at(rx, top, prep, prep);
    const int key_w = ui_max(prep, ui_max(maps_label_px(l) * 7, maps_min_side(l) * 2));
    l->legend = ui_rect_at(rx, top + prep + l->pad, key_w, keys ? keys_h_(l) : 0);
    // The bars: the height down to the canvas's bottom without maps; with
    // them, a comfortable row each (the maps take the rest).
    const int bx = rx + key_w + l->pad * 2, room = bottom - top;
    int probs_h = maps ? ui_max(comfy, l->legend.y + l->legend.h - top) : room;
    probs_h = ui_min(probs_h, room);
    l->probs = ui_rect_at(bx, top, m.x + m.w - l->pad - bx, probs_h);
    int below = ui_max(l->probs.y + l->probs.h, l->legend.y + l->legend.h);
    if (across) below = ui_max(below, l->canvas.y + side);
    below += l->pad * 2;
    const int x = across ? m.x + l->pad : rx;
    // Without maps, a few lines under the keys say how to see them (when the model has any).
    const int note_y = l->legend.y + l->legend.h + l->pad * 2;
    l->maps = maps ? ui_rect_at(x, below, m.x + m.w - l->pad - x, bottom - below)
                   : ui_rect_at(rx, note_y, key_w, bottom - note_y >= maps_line_h(maps_label_px(l)) * 5
                                                        ? maps_line_h(maps_label_px(l)) * 5 : 0);
}

static void layout_(ui_layout *l, const app_state *s, const ui_metrics *metrics) {
    ui_panel p = layout_panel(l);
    layout_two_buttons(&p, "clear", ACT_DRAW_CLEAR, 0, "undo", ACT_DRAW_UNDO, 0);
    layout_stepper(&p, ACT_BRUSH, s->draw.brush, 2, 10);
    p.y += p.gap;
    ui_button_pair model = layout_two_buttons(&p, "shipped", ACT_DRAW_MODEL, 0, "live", ACT_DRAW_MODEL, 1);
    model.first->active = !s->draw.live;
    model.second->active = s->draw.live;
    model.first->enabled = model.first->enabled && s->draw.live;
    model.second->enabled = model.second->enabled && !s->draw.live && s->host.live_net != NULL;
    const nn_net *net = draw_net(s);
    const bool maps = net && net->model->n_layers > 0 && net->model->layers[0].out.rank == 3;
    // The canvas first: maps on the right under the probabilities; across the
    // whole width under a smaller canvas only when that shows more layers.
    place_(l, false, maps);
    if (!maps) return;
    maps_plan right, across;
    maps_plan_make(&right, l, metrics, net, 0, false, l->maps);
    if (right.dropped == 0) return;
    place_(l, true, maps);
    maps_plan_make(&across, l, metrics, net, 0, false, l->maps);
    if (right.n_cols == 0 && across.n_cols == 0) place_(l, false, false);  // no room for any: the bars have it
    else if (right.dropped <= across.dropped) place_(l, false, maps);
}

// A dropped picture (runtime.c read and prepared it): the canvas shows the
// file, and the network reads it prepared as `convstep classify` prepares it.
static void take_drop_(app_state *s) {
    draw_view *d = &s->draw;
    d->n_points = d->n_strokes = 0;
    d->pen_down = false;
    memcpy(d->canvas, s->drop.picture, sizeof d->canvas);
    memcpy(d->input, s->drop.input, sizeof d->input);
    d->dropped = true;
    app_draw_classify(s);
    if (!d->ready) {
        snprintf(s->status, sizeof s->status, "%.150s: prepared as convstep classify prepares it; %.300s",
                 s->drop.name, d->note);
        return;
    }
    int best = 0;
    for (int j = 1; j < 10; j++) best = d->probs[j] > d->probs[best] ? j : best;
    snprintf(s->status, sizeof s->status, "%.150s%s: prepared as convstep classify prepares it, read as a %d (%.1f%%)",
             s->drop.name, s->drop.inverted ? " (dark ink on light paper)" : "", best, 100.0 * d->probs[best]);
}

// Drawing over a dropped picture starts on a clear canvas (its strokes are the drawing).
static void forget_drop_(app_state *s) {
    if (!s->draw.dropped) return;
    s->draw.dropped = false;
    memset(s->draw.canvas, 0, sizeof s->draw.canvas);
}

static void update_(app_state *s, const app_action *a) {
    switch (a->kind) {
    case ACT_DROPPED_IMAGE: take_drop_(s); return;
    case ACT_PEN_DOWN: forget_drop_(s); draw_pen_down(s, a->fx, a->fy); return;
    case ACT_PEN_MOVE: draw_pen_move(s, a->fx, a->fy); return;
    case ACT_PEN_UP: draw_pen_up(s); return;
    case ACT_DRAW_CLEAR: forget_drop_(s); draw_clear(s); return;
    case ACT_DRAW_UNDO:  // undoing a dropped picture clears it
        if (s->draw.dropped) {
            forget_drop_(s);
            draw_clear(s);
        } else {
            draw_undo(s);
        }
        return;
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
    .mouse = "hold the left button to draw on the black canvas; or drop a PNG, BMP or PGM file on the window",
    .has_panel = true,
    .needs = VIEW_NEEDS_CANVAS,
    .layout = layout_,
    .update = update_,
    .report = report_,
    .reset = reset_,
};
