// view_lessons.c - the lesson menu: the lessons folder's files, a page at a
// time, broken ones with their error; Enter asks the runtime to open one.
// Its renderer is view_lessons_render.c.
#include <stdio.h>

#include "views.h"

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// The lesson menu: one row per lesson, as many as fit above the footer, the
// page that holds the focused lesson; turning pages moves the focus by a page.
static void layout_(ui_layout *l, const app_state *s, const ui_metrics *m) {
    (void)m;
    const int top = l->main.y, bottom = l->main.y + l->main.h;
    // "home" sits in the header, on the right.
    const int hw = l->text_px * 5;
    layout_button(l, ui_rect_at(l->w - hw - l->pad, (l->header.h - l->text_px * 3 / 2) / 2, hw, l->text_px * 3 / 2),
                  "home", ACT_HOME, 0);
    const int bh = l->text_px * 2, step = bh + l->pad;
    const int y0 = top + l->text_px * 3;
    l->list_note = ui_rect_at(l->pad * 2, bottom - l->small_px * 2 - l->pad, l->w - 4 * l->pad, l->small_px * 2);
    // Rows end above the page note; the buttons left for rows bound the page too.
    const int fit = (l->list_note.y - l->pad - y0 + l->pad) / step;
    l->list_page = ui_max(1, ui_min(fit, LAYOUT_MAX_BUTTONS - 3));
    const int n = s->host.lessons ? s->host.n_lessons : 0;
    const int focus = n ? (s->lesson_focus < 0 ? 0 : s->lesson_focus >= n ? n - 1 : s->lesson_focus) : 0;
    l->list_first = focus / l->list_page * l->list_page;
    l->list_shown = ui_min(l->list_page, n - l->list_first);
    // A title on the left, the error of a broken lesson on the right (render.c).
    const int bw = ui_min((l->w - 4 * l->pad) / 2, l->text_px * 26);
    for (int k = 0; k < l->list_shown; k++) {
        const int i = l->list_first + k;
        const lesson_entry *e = &s->host.lessons[i];
        ui_button *b = layout_button(l, ui_rect_at(l->pad * 2, y0 + k * step, bw, bh), e->title[0] ? e->title : e->name,
                                     ACT_LESSON_OPEN, i);
        b->active = focus == i;
        b->enabled = b->enabled && e->error[0] == '\0';
    }
    if (n > l->list_page) {  // page buttons, right of the page note
        const int pw = l->text_px * 6, ph = l->small_px * 2;
        ui_button *prev = layout_button(l, ui_rect_at(l->w - 2 * (pw + l->pad), l->list_note.y, pw, ph), "< page",
                                  ACT_LESSON_FOCUS, l->list_first - l->list_page);
        ui_button *next = layout_button(l, ui_rect_at(l->w - pw - l->pad * 2, l->list_note.y, pw, ph), "page >",
                                  ACT_LESSON_FOCUS, l->list_first + l->list_page);
        prev->enabled = prev->enabled && l->list_first > 0;
        next->enabled = next->enabled && l->list_first + l->list_page < n;
        // The note ends where the buttons begin: text never runs under them.
        l->list_note.w = ui_max(0, l->w - 2 * (pw + l->pad) - l->pad - l->list_note.x);
    }
}

static void update_(app_state *s, const app_action *a) {
    const int n = s->host.n_lessons;
    switch (a->kind) {
    case ACT_HOME_NEXT: s->lesson_focus = n ? (s->lesson_focus + 1) % n : 0; return;
    case ACT_HOME_PREV: s->lesson_focus = n ? (s->lesson_focus + n - 1) % n : 0; return;
    case ACT_LESSON_FOCUS: s->lesson_focus = n ? clampi_(a->value, 0, n - 1) : 0; return;
    case ACT_LESSON_OPEN:
        if (a->value < 0 || a->value >= n || !s->host.lessons) return;
        s->lesson_focus = a->value;
        // A lesson that does not parse says why instead of opening.
        if (s->host.lessons[a->value].error[0])
            snprintf(s->status, sizeof s->status, "%.500s", s->host.lessons[a->value].error);
        else
            app_effect(s, EFFECT_OPEN_LESSON, a->value, 0);
        return;
    default: return;
    }
}

// Keys that move the focus by a page, or to an end, or a row (the wheel).
static app_action move_(const app_state *s, const struct ui_layout *l, int how) {
    const int page = l && l->list_page > 0 ? l->list_page : 1;
    int to = s->lesson_focus;
    if (how == 2) to += page;
    if (how == -2) to -= page;
    if (how == 1) to += 1;
    if (how == -1) to -= 1;
    if (how == 3) to = 0;
    if (how == 4) to = s->host.n_lessons - 1;
    return (app_action){.kind = ACT_LESSON_FOCUS, .value = to};
}

static app_action open_(const app_state *s, const struct ui_layout *l, int v) {
    (void)l, (void)v;
    return (app_action){.kind = ACT_LESSON_OPEN, .value = s->lesson_focus};
}

static const key_binding keys_[] = {
    {KEY_DOWN, 0, ACT_HOME_NEXT, 0, NULL, 0, "next lesson"},
    {KEY_TAB, 0, ACT_HOME_NEXT, 0, NULL, KEYF_ALIAS, "next lesson"},
    {KEY_UP, 0, ACT_HOME_PREV, 0, NULL, 0, "previous lesson"},
    {KEY_PAGEDOWN, 0, ACT_LESSON_FOCUS, 2, move_, 0, "next page"},
    {KEY_PAGEUP, 0, ACT_LESSON_FOCUS, -2, move_, 0, "previous page"},
    {KEY_HOME, 0, ACT_LESSON_FOCUS, 3, move_, 0, "first lesson"},
    {KEY_END, 0, ACT_LESSON_FOCUS, 4, move_, 0, "last lesson"},
    {KEY_WHEEL_DOWN, 0, ACT_LESSON_FOCUS, 1, move_, 0, "a row down"},
    {KEY_WHEEL_UP, 0, ACT_LESSON_FOCUS, -1, move_, 0, "a row up"},
    {KEY_ENTER, 0, ACT_LESSON_OPEN, 0, open_, 0, "open the lesson"},
};

static void reset_(app_state *s) { (void)s; }  // the focus survives a lesson

const view_def view_lessons = {
    .id = VIEW_LESSONS,
    .name = "lessons",
    .title = "lessons",
    .menu = "Lessons",
    .keys = KEY_TABLE("lesson menu", keys_),
    .mouse = "click a lesson to open it; the wheel scrolls the list",
    .has_panel = false,
    .layout = layout_,
    .update = update_,
    .reset = reset_,
};
