// view_home.c - the home menu: one entry per view of the table (views.c),
// in its order. Its renderer is view_home_render.c.
#include "update.h"
#include "views.h"

static void layout_(ui_layout *l, const app_state *s, const ui_metrics *m) {
    (void)m;
    const int n = view_menu_count();
    // Below the title and the subtitle (render.c draws them at these heights).
    const int y0 = l->header.h + l->text_px + l->title_px * 2 + l->text_px * 2;
    const int avail = l->footer.y - y0 - l->pad;
    // One column while the entries stay tall enough to read, else two.
    const int cols = avail / n >= l->text_px * 2 ? 1 : 2;
    const int rows = (n + cols - 1) / cols;
    const int bh = ui_max(12, ui_min(l->text_px * 2, avail / rows - l->pad));
    const int bw = ui_min((l->w - (cols + 1) * l->pad * 2) / cols, l->text_px * 24);
    const int x0 = (l->w - cols * bw - (cols - 1) * l->pad * 2) / 2;
    for (int i = 0; i < n; i++) {
        const int c = i / rows, r = i % rows;
        const view_def *v = view_get(view_menu_item(i));
        ui_button *b = layout_button(l, ui_rect_at(x0 + c * (bw + l->pad * 2), y0 + r * (bh + l->pad), bw, bh),
                                     v->menu, ACT_OPEN_VIEW, v->id);
        b->active = s->home.focus == i;
    }
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
