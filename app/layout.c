// layout.c - the frame around every view (see layout.h).
#include "layout.h"

#include <string.h>

#include "keys.h"
#include "views.h"

// ---- The frame around every view ---------------------------------------------------------------

void layout_compute(ui_layout *l, const app_state *s, int w, int h, const ui_metrics *m) {
    memset(l, 0, sizeof *l);
    l->w = w;
    l->h = h;
    // Type scales with the window's height and the zoom, for a projector,
    // with no upper limit: at 3840x2160 and zoom 200 a line is 120 px.
    l->text_px = ui_max(10, h * s->zoom / 3600);
    l->small_px = ui_max(9, l->text_px * 4 / 5);
    l->title_px = l->text_px * 13 / 10;
    l->pad = ui_max(4, l->text_px / 2);
    // The floors of the type (issue 12's aim at 1920x1080, zoom 100: 20, 16
    // and 14 px), rounded up so they are never under the aim.
    const long long scale = (long long)h * s->zoom;  // / 108000 is height/1080 * zoom/100
    l->min_px = (int)((20 * scale + 107999) / 108000);
    l->caption_px = (int)((16 * scale + 107999) / 108000);
    l->badge_px = (int)((14 * scale + 107999) / 108000);
    l->min_cell = l->min_px * 2;
    l->header = ui_rect_at(0, 0, w, l->title_px * 2);
    l->footer = ui_rect_at(0, h - l->small_px * 2, w, l->small_px * 2);
    const view_def *v = view_get(s->view);
    // A lesson's narration takes the bottom of the screen, above the footer.
    if (s->player.l && v->has_panel) {
        const int nh = l->text_px * 8;
        l->narration = ui_rect_at(0, l->footer.y - nh, w, nh);
        l->footer.h = 0;
        l->footer.y = h;
        l->narration.y = h - nh;
    }
    const int top = l->header.h, bottom = l->narration.h ? l->narration.y : l->footer.y;
    if (!v->has_panel) {
        // Full width: the home menu and the lesson menu.
        l->main = ui_rect_at(0, top, w, bottom - top);
        v->layout(l, s, m);
        return;
    }
    const int panel_w = ui_min(w / 3, ui_max(l->text_px * 14, w / 5));
    l->panel = ui_rect_at(w - panel_w, top, panel_w, bottom - top);
    l->main = ui_rect_at(0, top, w - panel_w, bottom - top);
    // "home" sits in the header, on the right.
    const int hw = l->text_px * 5;
    layout_button(l, ui_rect_at(w - hw - l->pad, (l->header.h - l->text_px * 3 / 2) / 2, hw, l->text_px * 3 / 2),
            "home", ACT_HOME, 0);
    if (l->narration.h) {
        // back, next, restart, autoplay, close: on the right of the narration
        static const struct {
            const char *label;
            app_action_kind kind;
        } nav[] = {{"back", ACT_LESSON_BACK}, {"next", ACT_LESSON_NEXT}, {"restart", ACT_LESSON_RESTART},
                   {"autoplay", ACT_LESSON_AUTOPLAY}, {"close", ACT_LESSON_CLOSE}};
        const int bw = l->text_px * 5, bh = l->text_px * 3 / 2;
        for (int i = 0; i < 5; i++) {
            ui_button *b = layout_button(l, ui_rect_at(w - (5 - i) * (bw + l->pad / 2) - l->pad, l->narration.y + l->pad, bw, bh),
                                   nav[i].label, nav[i].kind, 0);
            if (b && nav[i].kind == ACT_LESSON_AUTOPLAY) b->active = s->player.autoplay;
            if (b && nav[i].kind == ACT_LESSON_NEXT) b->enabled = s->player.pc < s->player.n_cmds;
            if (b && nav[i].kind == ACT_LESSON_BACK) b->enabled = s->player.beat > 0;
        }
    }
    v->layout(l, s, m);
    // While a lesson drives the view, what it set up cannot be changed: those
    // buttons are drawn off (app_update refuses the actions too).
    if (keys_lesson_drives(s))
        for (int i = 0; i < l->n_buttons; i++)
            if (keys_changes_setup(l->buttons[i].action.kind)) l->buttons[i].enabled = false;
}

static bool inside_(ui_rect r, int x, int y) {
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

app_action layout_hit(const ui_layout *l, int x, int y) {
    app_action none = {.kind = ACT_NONE};
    for (int i = 0; i < l->n_buttons; i++)
        if (l->buttons[i].enabled && inside_(l->buttons[i].r, x, y)) return l->buttons[i].action;
    for (int i = 0; i < l->n_grids; i++) {
        const ui_grid *g = &l->grids[i];
        if (!inside_(g->r, x, y) || g->cell <= 0) continue;
        app_action a = {.kind = ACT_SELECT_CELL};
        a.cell.grid = g->id;
        a.cell.channel = g->channel;
        a.cell.row = g->row0 + (y - g->r.y) / g->cell;
        a.cell.col = g->col0 + (x - g->r.x) / g->cell;
        if (a.cell.row < 0 || a.cell.col < 0 || a.cell.row >= g->data_rows ||
            a.cell.col >= g->data_cols)
            return none;  // a padding cell: nothing to edit
        return a;
    }
    return none;
}
