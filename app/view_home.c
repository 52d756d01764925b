// view_home.c - the home menu: one entry per view of the table (views.c),
// in its order. Its renderer is view_home_render.c.
#include <string.h>

#include "update.h"
#include "views.h"

// The view names on the left, each view's line of description on the right
// (view_home_render.c), under the two lines of welcome.
static void layout_(ui_layout *l, const app_state *s, const ui_metrics *m) {
    const int n = view_menu_count();
    // The two lines of welcome, spaced out when the rows leave room for it,
    // else close together (a large zoom on a short window).
    const int row_min = (l->min_px * 4 + 2) / 3 + 1;  // a label at the readable minimum fits
    const bool roomy = l->header.h + l->text_px * 4 + l->title_px * 2 + n * (l->text_px * 2 + l->pad) <= l->footer.y;
    const int intro_h = roomy ? l->title_px * 2 + l->text_px * 2 : l->title_px * 3 / 2 + l->text_px * 3 / 2;
    l->menu_intro = ui_rect_at(0, l->header.h + (roomy ? l->text_px : l->pad / 2), l->w, intro_h);
    const int gap = roomy ? l->pad : ui_max(2, l->pad / 3);
    const int y0 = l->menu_intro.y + intro_h;
    const int avail = l->footer.y - y0 - gap;
    // The buttons as wide as the longest name at the label size.
    int name_w = l->text_px * 6;
    for (int i = 0; i < n; i++) {
        const char *name = view_get(view_menu_item(i))->menu;
        const int w = m ? m->text_width(m->ctx, name, l->small_px, false) * 11 / 10 : (int)strlen(name) * l->small_px;
        name_w = ui_max(name_w, w + l->pad * 2);
    }
    // The block of rows (a button and its description) centred, at most 44
    // lines of text wide so the eye finds the description beside its name.
    const int block_w = ui_min(l->w - l->pad * 4, l->text_px * 44);
    const int bw = ui_min(name_w, block_w / 2);
    const int bh = ui_max(row_min, ui_min(l->text_px * 2, avail / n - gap));
    const int x0 = (l->w - block_w) / 2;
    for (int i = 0; i < n; i++) {
        const view_def *v = view_get(view_menu_item(i));
        ui_button *b = layout_button(l, ui_rect_at(x0, y0 + i * (bh + gap), bw, bh), v->menu, ACT_OPEN_VIEW, v->id);
        b->active = s->home.focus == i;
    }
    // The descriptions' column, right of the buttons.
    l->menu_notes = ui_rect_at(x0 + bw + l->pad * 2, y0, block_w - bw - l->pad * 2, n * (bh + gap));
}

static void update_(app_state *s, const app_action *a) {
    const int n = view_menu_count();
    switch (a->kind) {
    case ACT_HOME_NEXT: s->home.focus = (s->home.focus + 1) % n; return;
    case ACT_HOME_PREV: s->home.focus = (s->home.focus + n - 1) % n; return;
    case ACT_HOME_FOCUS: s->home.focus = a->value < 0 ? 0 : a->value >= n ? n - 1 : a->value; return;
    case ACT_HOME_ENTER: {
        const app_action open = {.kind = ACT_OPEN_VIEW, .value = view_menu_item(s->home.focus)};
        app_update(s, &open);
        return;
    }
    default: return;
    }
}

static app_action last_(const app_state *s, const struct ui_layout *l, int v) {
    (void)s, (void)l, (void)v;
    return (app_action){.kind = ACT_HOME_FOCUS, .value = view_menu_count() - 1};
}

static const key_binding keys_[] = {
    {KEY_DOWN, 0, ACT_HOME_NEXT, 0, NULL, 0, "next entry"},
    {KEY_RIGHT, 0, ACT_HOME_NEXT, 0, NULL, KEYF_ALIAS, "next entry"},
    {KEY_TAB, 0, ACT_HOME_NEXT, 0, NULL, KEYF_ALIAS, "next entry"},
    {KEY_UP, 0, ACT_HOME_PREV, 0, NULL, 0, "previous entry"},
    {KEY_LEFT, 0, ACT_HOME_PREV, 0, NULL, KEYF_ALIAS, "previous entry"},
    {KEY_HOME, 0, ACT_HOME_FOCUS, 0, NULL, 0, "first entry"},
    {KEY_PAGEUP, 0, ACT_HOME_FOCUS, 0, NULL, KEYF_ALIAS, "first entry"},
    {KEY_END, 0, ACT_HOME_FOCUS, 0, last_, 0, "last entry"},
    {KEY_PAGEDOWN, 0, ACT_HOME_FOCUS, 0, last_, KEYF_ALIAS, "last entry"},
    {KEY_ENTER, 0, ACT_HOME_ENTER, 0, NULL, 0, "open it"},
    {' ', 0, ACT_HOME_ENTER, 0, NULL, KEYF_ALIAS, "open it"},
};

static void reset_(app_state *s) { s->home.focus = 0; }

const view_def view_home = {
    .id = VIEW_HOME,
    .name = "home",
    .title = "home",
    .menu = NULL,
    .keys = KEY_TABLE("home", keys_),
    .mouse = "click a view to open it",
    .has_panel = false,
    .layout = layout_,
    .update = update_,
    .reset = reset_,
};
