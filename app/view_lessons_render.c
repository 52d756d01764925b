// view_lessons_render.c - the lesson menu: its buttons, each broken
// lesson's error, the page shown, and the focused entry's error below.
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "render_views.h"

// The lesson menu beyond its buttons: each broken lesson's error beside its
// greyed entry, and which page of how many is shown.
static void lesson_menu_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    for (int i = 0; i < l->n_buttons; i++) {
        const ui_button *b = &l->buttons[i];
        if (b->action.kind != ACT_LESSON_OPEN || !s->host.lessons) continue;
        const lesson_entry *e = &s->host.lessons[b->action.value];
        if (!e->error[0]) continue;
        const ui_rect q = {b->r.x + b->r.w + l->pad * 2, b->r.y, l->w - (b->r.x + b->r.w + l->pad * 4), b->r.h};
        rd_text_wrap(d, FACE_SANS, l->small_px * 4 / 5, q, q.y, BAD, e->error);
    }
    char t[300];
    if (s->host.n_lessons > l->list_page)
        snprintf(t, sizeof t, "lessons %d to %d of %d, in order  -  Page Up / Page Down, the wheel, or the buttons",
                 l->list_first + 1, l->list_first + l->list_shown, s->host.n_lessons);
    else
        snprintf(t, sizeof t, "%d lesson%s, in order", s->host.n_lessons, s->host.n_lessons == 1 ? "" : "s");
    if (s->host.lessons_unlisted > 0) {
        const size_t n = strlen(t);
        snprintf(t + n, sizeof t - n, "  -  %d more file%s not listed (the menu lists %d)", s->host.lessons_unlisted,
                 s->host.lessons_unlisted == 1 ? " is" : "s are", LESSON_MENU_MAX);
    }
    // Too long for the room left of the page buttons (a large zoom): the
    // count alone, which says all that matters.
    if (rd_width(d, FACE_SANS, l->small_px, t) > l->list_note.w && s->host.n_lessons > l->list_page)
        snprintf(t, sizeof t, "lessons %d to %d of %d", l->list_first + 1,
                 l->list_first + l->list_shown, s->host.n_lessons);
    if (s->host.n_lessons > 0 || s->host.lessons_unlisted > 0)
        rd_text(d, FACE_SANS, l->small_px, l->list_note.x, l->list_note.y + (l->list_note.h - l->small_px * 6 / 5) / 2,
                MUTED, t);
}

void render_view_lessons(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    // Where to start, then the lesson's keys (from the key table, keys.c).
    const ui_rect intro = l->menu_intro;
    if (s->host.n_lessons) {
        rd_fitted_line(d, FACE_BOLD, l->text_px, intro, intro.y, INK,
                       "Start with 01 and go down the list: each lesson builds on the ones before it.");
        char keys[200], line[300];
        keys_lesson_short(keys, sizeof keys);
        snprintf(line, sizeof line, "In a lesson: %s.", keys);
        const ui_rect rest = {intro.x, intro.y + l->text_px * 3 / 2, intro.w, intro.y + intro.h - (intro.y + l->text_px * 3 / 2)};
        rd_text_wrap(d, FACE_SANS, l->small_px, rest, rest.y, MUTED, line);
    } else {
        rd_text_wrap(d, FACE_BOLD, l->text_px, intro, intro.y, INK,
                     "No lessons were found (lessons/ next to assets/, or set CONVSTEP_LESSONS).");
    }
    rd_buttons(d);
    lesson_menu_(d);
    const lesson_entry *focused = s->host.lessons && s->lesson_focus >= 0 && s->lesson_focus < s->host.n_lessons
                                      ? &s->host.lessons[s->lesson_focus]
                                      : NULL;
    rd_footer(d, s->status[0]                    ? s->status
                 : focused && focused->error[0] ? focused->error
                                                 : "lessons are plain-text files in lessons/; lessons/README.md explains them");
}
