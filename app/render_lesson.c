// render_lesson.c - a lesson over its view: the caption with its *emphasis*,
// the step count, a running 'train N', the quiz, and the cells it marks.
#include "render_lesson.h"

#include <stdio.h>

#include "lesson.h"

// Caption text flowing in q: text between *stars* in bold accent (a star may
// sit inside a word: "*12*:" emphasises the 12, not the colon).
static int caption_(const draw_ *d, ui_rect q, int y, int px, const char *text) {
    int x = q.x;
    bool strong = false;
    const char *p = text;
    const int space = rd_width(d, FACE_SANS, px, " ");
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        int n = 0;
        while (p[n] && p[n] != ' ') n++;
        // The word's pieces between stars, and its width.
        char pieces[8][128];
        bool bold[8];
        int count = 0, w = 0;
        bool cur = strong;
        for (int i = 0, k = 0; i <= n && count < 8; i++) {
            if (i == n || p[i] == '*') {
                if (k > 0) {
                    pieces[count][k] = '\0';
                    bold[count] = cur;
                    w += rd_width(d, cur ? FACE_BOLD : FACE_SANS, px, pieces[count]);
                    count++;
                }
                k = 0;
                if (i < n) cur = !cur;
            } else if (k < 127) {
                pieces[count][k++] = p[i];
            }
        }
        if (x > q.x && x + w > q.x + q.w) {
            x = q.x;
            y += px * 5 / 4;
        }
        if (y + px > q.y + q.h) break;
        for (int i = 0; i < count; i++)
            x += rd_text(d, bold[i] ? FACE_BOLD : FACE_SANS, px, x, y, bold[i] ? ACCENT : INK, pieces[i]);
        x += space;
        strong = cur;
        p += n;
    }
    return y + px * 5 / 4;
}

static void narration_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const lesson_player *p = &s->player;
    const ui_rect box = l->narration;
    rd_fill(d->r, box, (SDL_Color){255, 248, 225, 255});
    rd_fill(d->r, (ui_rect){box.x, box.y, box.w, 3}, ACCENT);
    char t[800];
    const int px = l->small_px;
    snprintf(t, sizeof t, "%s  -  step %d of %d%s", p->l->title, p->beat + 1, p->n_beats,
             p->pc >= p->l->n ? "  -  the end" : "");
    rd_text(d, FACE_BOLD, px, box.x + l->pad * 2, box.y + l->pad, MUTED, t);
    const int buttons_w = 5 * (l->text_px * 5 + l->pad / 2) + l->pad * 2;
    const ui_rect text = {box.x + l->pad * 2, box.y + l->pad + px * 3 / 2, box.w - buttons_w - l->pad * 4,
                          box.h - px * 2 - l->pad};
    int y = caption_(d, text, text.y, l->text_px, p->caption);
    if (p->train_pending) {
        // A 'train N' on the worker: how far it is, and how to stop it.
        const live_snapshot *snap = p->train_templates ? s->host.tmpl_live : s->host.train_live;
        const long long done = snap ? p->train_target - snap->run_left : 0;
        if (p->train_target == 0 || (snap && snap->rebuilding))
            snprintf(t, sizeof t, "preparing the model (building it and testing it on the test digits)...");
        else
            snprintf(t, sizeof t, "training: step %lld of %lld  -  test accuracy %.1f%%  -  Esc stops it here",
                     done, p->train_target, snap ? 100.0 * snap->test_accuracy : 0.0);
        rd_text(d, FACE_BOLD, px, text.x, y, FOCUS, t);
        const ui_rect bar = {text.x, y + px * 3 / 2, text.w / 2, px / 2};
        rd_fill(d->r, bar, PANEL);
        const double f = p->train_target > 0 ? (double)done / (double)p->train_target : 0;
        rd_fill(d->r, (ui_rect){bar.x, bar.y, (int)(bar.w * (f < 0 ? 0 : f > 1 ? 1 : f)), bar.h}, ACCENT);
        y += px * 5 / 2;
    }
    if (p->quiz_open) {
        snprintf(t, sizeof t, "Quiz: %.700s", p->quiz_question);
        rd_text(d, FACE_BOLD, px, text.x, y, FOCUS, t);
        y += px * 5 / 4;
        if (p->quiz_result == 0)
            snprintf(t, sizeof t, "your answer: %s_   (type it, then Enter)", p->quiz_typed);
        else if (p->quiz_result > 0)
            snprintf(t, sizeof t, "%s is right.  %s", p->quiz_typed, p->quiz_explain);
        else
            snprintf(t, sizeof t, "%s is not it: the answer is %s.  %s", p->quiz_typed, p->quiz_answer, p->quiz_explain);
        rd_text_wrap(d, FACE_SANS, px, text, y, p->quiz_result < 0 ? BAD : p->quiz_result > 0 ? WIN : INK, t);
    }
    if (p->failures)
        rd_text(d, FACE_SANS, px * 4 / 5, box.x + box.w - buttons_w, box.y + box.h - px * 3 / 2, BAD,
                "an expectation failed: convstep lesson --headless says which");
}

// Purple outlines on the cells a lesson highlights.
static void marks_(const draw_ *d) {
    const lesson_player *p = &d->s->player;
    for (int i = 0; i < p->n_marks; i++)
        for (int g = 0; g < d->l->n_grids; g++) {
            const ui_grid *gr = &d->l->grids[g];
            const cell_ref *m = &p->marks[i];
            if (gr->id != m->grid || gr->channel != 0) continue;
            if (m->row < gr->row0 || m->col < gr->col0 || m->row >= gr->row0 + gr->rows || m->col >= gr->col0 + gr->cols)
                continue;
            rd_frame(d->r, rd_cell_rect(gr, m->row, m->col), (SDL_Color){140, 40, 200, 255}, rd_outline(d, gr->cell, 2) + 1);
        }
}

void render_lesson_overlay(const draw_ *d) {
    const ui_layout *l = d->l;
    marks_(d);
    narration_(d);
    // The narration's buttons were drawn with the view's; draw them again on top.
    for (int i = 0; i < l->n_buttons; i++) {
        const app_action_kind k = l->buttons[i].action.kind;
        if (k >= ACT_LESSON_NEXT && k <= ACT_LESSON_AUTOPLAY) {
            ui_layout one = *l;
            one.n_buttons = 1;
            one.buttons[0] = l->buttons[i];
            const draw_ d1 = {d->r, d->font, &one, d->s};
            rd_buttons(&d1);
        }
    }
}
