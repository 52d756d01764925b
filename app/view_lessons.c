// view_lessons.c - the lesson menu: the lessons folder's files, a page at a
// time, broken ones with their error; Enter asks the runtime to open one.
// Its renderer is view_lessons_render.c.
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "views.h"

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// What a menu row says. A course lesson (its file name starts with its
// number, the suggested order) has its number, its title, its length and
// the minute of the lecture it starts at, counting the course lessons before
// it; an extra ("x1-dilation.lesson") is "extra 1". Others: title or file name.
static void row_label_(const app_state *s, int i, char *buf, size_t size) {
    const lesson_entry *e = &s->host.lessons[i];
    int digits = 0;
    while (digits < 4 && e->name[digits] >= '0' && e->name[digits] <= '9') digits++;
    int extra = 0;
    while (e->name[0] == 'x' && extra < 4 && e->name[1 + extra] >= '0' && e->name[1 + extra] <= '9') extra++;
    int start = 0;
    for (int k = 0; k < i; k++) {
        const lesson_entry *o = &s->host.lessons[k];
        if (o->name[0] >= '0' && o->name[0] <= '9' && o->steps > 0) start += o->minutes;
    }
    char length[64] = "";
    if (e->steps > 0 && digits > 0)
        snprintf(length, sizeof length, "  (%d steps, %d min, from minute %d)", e->steps, e->minutes, start);
    else if (e->steps > 0)
        snprintf(length, sizeof length, "  (%d steps, about %d min)", e->steps, e->minutes);
    if (digits > 0 && e->title[0])
        snprintf(buf, size, "%.*s  %s%s", digits, e->name, e->title, length);
    else if (extra > 0 && e->title[0])
        snprintf(buf, size, "extra %.*s  %s%s", extra, e->name + 1, e->title, length);
    else
        snprintf(buf, size, "%s%s", e->title[0] ? e->title : e->name, length);
}

static int width_(const ui_metrics *m, const char *t, int px) {
    return m ? m->text_width(m->ctx, t, px, false) : (int)strlen(t) * px * 6 / 10;
}

// The lesson menu: where to start and the lesson's keys on top, then one
// row per lesson, as many as fit above the page note, the page that holds
// the focused lesson; turning pages moves the focus by a page.
static void layout_(ui_layout *l, const app_state *s, const ui_metrics *m) {
    const int top = l->main.y, bottom = l->main.y + l->main.h;
    // "home" sits in the header, on the right, as in the other views.
    const int hw = ui_max(l->text_px * 4, width_(m, "home", l->small_px) + l->pad * 2), hh = l->small_px * 3 / 2;
    layout_button(l, ui_rect_at(l->w - hw - l->pad, (l->header.h - hh) / 2, hw, hh), "home", ACT_HOME, 0);
    l->header_title.w = ui_max(0, l->w - hw - l->pad * 3 - l->header_title.x);
    // The two lines on top: where to start (bold), the keys (as many lines as they need).
    char keys[200], line[300];
    keys_lesson_short(keys, sizeof keys);
    snprintf(line, sizeof line, "In a lesson: %s.", keys);
    const int room = l->w - l->pad * 4;
    const int key_lines = width_(m, line, l->small_px) * 21 / 20 <= room ? 1 : 2;
    l->menu_intro = ui_rect_at(l->pad * 2, top + l->pad, room, l->text_px * 3 / 2 + key_lines * (l->small_px * 5 / 4));
    const int row_min = (l->min_px * 4 + 2) / 3 + 1;  // a label at the readable minimum fits
    const int gap = ui_max(2, l->pad / 2);
    const int y0 = l->menu_intro.y + l->menu_intro.h + l->pad;
    l->list_note = ui_rect_at(l->pad * 2, bottom - l->small_px * 2 - l->pad / 2, l->w - 4 * l->pad, l->small_px * 2);
    const int bh = ui_max(row_min, l->small_px * 7 / 4), step = bh + gap;
    // Rows end above the page note; the buttons left for rows bound the page too.
    const int fit = (l->list_note.y - gap - y0 + gap) / step;
    l->list_page = ui_max(1, ui_min(fit, LAYOUT_MAX_BUTTONS - 3));
    const int n = s->host.lessons ? s->host.n_lessons : 0;
    const int focus = n ? (s->lesson_focus < 0 ? 0 : s->lesson_focus >= n ? n - 1 : s->lesson_focus) : 0;
    l->list_first = focus / l->list_page * l->list_page;
    l->list_shown = ui_min(l->list_page, n - l->list_first);
    // Rows as wide as the page's longest label; three fifths of the width at
    // most when a broken lesson's error is written beside its row.
    int widest = l->text_px * 16;
    bool broken = false;
    for (int k = 0; k < l->list_shown; k++) {
        const lesson_entry *e = &s->host.lessons[l->list_first + k];
        char label[200];
        row_label_(s, l->list_first + k, label, sizeof label);
        widest = ui_max(widest, width_(m, label, l->small_px) * 11 / 10 + l->pad * 2);
        broken = broken || e->error[0];
    }
    const int bw = ui_min(widest, broken ? room * 3 / 5 : room);
    for (int k = 0; k < l->list_shown; k++) {
        const int i = l->list_first + k;
        const lesson_entry *e = &s->host.lessons[i];
        char label[200];
        row_label_(s, i, label, sizeof label);
        ui_button *b = layout_button(l, ui_rect_at(l->pad * 2, y0 + k * step, bw, bh), label, ACT_LESSON_OPEN, i);
        b->active = focus == i;
        b->enabled = b->enabled && e->error[0] == '\0';
    }
    if (n > l->list_page) {  // page buttons, right of the page note
        const int pw = ui_max(l->text_px * 5, width_(m, "page >", l->small_px) + l->pad * 2), ph = l->small_px * 2;
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
