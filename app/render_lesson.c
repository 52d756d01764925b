// render_lesson.c - a lesson over its view: the caption with its *emphasis*,
// the step count, a running 'train N', the quiz, and the cells it marks.
#include "render_lesson.h"

#include <math.h>
#include <stdio.h>

#include "format.h"
#include "lesson.h"

// Text flowing in q from y at px, wrapped at spaces; with `emphasis`, text
// between *stars* is bold accent (a star may sit inside a word: "*12*:"
// emphasises the 12, not the colon). Measures only when `draw` is false.
// Returns the y after the last line.
typedef struct flow_ {
    font_face face;    // the face of plain text
    SDL_Color colour;  // its colour
    bool emphasis;     // *stars* switch to bold accent (a caption), or are text (an explanation)
    bool draw;
} flow_;

static int flow_text_(const draw_ *d, ui_rect q, int y, int px, const char *text, flow_ how) {
    int x = q.x;
    bool strong = false, first = true;
    const char *p = text;
    const int space = rd_width(d, how.face, px, " ");
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
            if (i == n || (how.emphasis && p[i] == '*')) {
                if (k > 0) {
                    pieces[count][k] = '\0';
                    bold[count] = cur;
                    w += rd_width(d, cur ? FACE_BOLD : how.face, px, pieces[count]);
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
        first = false;
        // Past the box (a step too long even at the smallest type): not drawn over the footer.
        const bool room = y + px * 6 / 5 <= q.y + q.h;
        for (int i = 0; i < count; i++) {
            const font_face face = bold[i] ? FACE_BOLD : how.face;
            if (how.draw && room)
                x += rd_text(d, face, px, x, y, bold[i] ? ACCENT : how.colour, pieces[i]);
            else
                x += rd_width(d, face, px, pieces[i]);
        }
        x += space;
        strong = cur;
        p += n;
    }
    return first ? y : y + px * 5 / 4;
}

// The quiz's second line: what to do (and how exact to be), a second try
// after a wrong first one, or the verdict with the exact answer.
static void quiz_answer_(const lesson_player *p, char *t, size_t size) {
    const bool size_quiz = p->quiz_kind == QUIZ_SIZE, number = p->quiz_kind == QUIZ_CELL;
    const char *how = size_quiz                       ? "rows x columns, such as 4x4"
                      : number                        ? "to 2 decimals"
                      : p->quiz_kind == QUIZ_PARAMS   ? "a whole number"
                      : p->quiz_kind == QUIZ_WINNER   ? "the input cell as row x column, such as 1x2"
                      : p->quiz_kind == QUIZ_CHOICE   ? "the option's number"
                      : p->quiz_kind == QUIZ_PREDICT  ? "1 or 2: everyone decides first"
                                                      : "a digit";
    if (p->quiz_kind == QUIZ_PREDICT && p->quiz_result == 3) {
        snprintf(t, size, "Your prediction: %s. Go on (Enter): the engine trains, then answers.",
                 p->predict_choice == 1 ? "higher" : "lower");
        return;
    }
    if (p->quiz_result == 0 && !p->quiz_missed[0])
        snprintf(t, size, "your answer: %s_   (%s; type it, then Enter)", p->quiz_typed, how);
    else if (p->quiz_result == 0)
        snprintf(t, size, "%s is not it. One more try: %s_   (%s, then Enter)", p->quiz_missed, p->quiz_typed, how);
    else if (p->quiz_result == 1 && number)
        snprintf(t, size, "%s is right: the exact value is %s.  %s", p->quiz_typed, p->quiz_answer, p->quiz_explain);
    else if (p->quiz_result == 1)
        snprintf(t, size, "%s is right.  %s", p->quiz_typed, p->quiz_explain);
    else if (p->quiz_result == 2)
        snprintf(t, size, "%s is close: the exact value is %s.  %s", p->quiz_typed, p->quiz_answer, p->quiz_explain);
    else
        snprintf(t, size, "%s is not it either: the answer is %s.  %s", p->quiz_typed, p->quiz_answer, p->quiz_explain);
}

// The caption, a running 'train N', the quiz and a failed expectation, one
// under the other in q at px; drawn, or only measured. Returns the y after.
static int narration_text_(const draw_ *d, ui_rect q, int px, bool draw) {
    const app_state *s = d->s;
    const lesson_player *p = &s->player;
    char t[1400];
    int y = flow_text_(d, q, q.y, px, p->caption, (flow_){FACE_SANS, INK, true, draw});
    if (p->train_pending) {
        // A 'train N' on the worker: how far it is, and how to stop it.
        const live_snapshot *snap = p->train_templates ? s->host.tmpl_live : s->host.train_live;
        const long long done = snap ? p->train_target - snap->run_left : 0;
        if (p->train_target == 0 || (snap && snap->rebuilding)) {
            snprintf(t, sizeof t, "preparing the model (building it and testing it on the test digits)...");
        } else {
            char acc[32];
            fmt_percent(snap ? snap->test_accuracy : 0.0f, acc, sizeof acc);
            snprintf(t, sizeof t, "training: step %lld of %lld  -  test accuracy %s  -  Esc stops it here", done,
                     p->train_target, acc);
        }
        y = flow_text_(d, q, y, px, t, (flow_){FACE_BOLD, FOCUS, false, draw});
        if (draw) {
            const ui_rect bar = {q.x, y + px / 8, q.w / 2, px / 2};
            rd_fill(d->r, bar, PANEL);
            const double f = p->train_target > 0 ? (double)done / (double)p->train_target : 0;
            rd_fill(d->r, (ui_rect){bar.x, bar.y, (int)(bar.w * (f < 0 ? 0 : f > 1 ? 1 : f)), bar.h}, ACCENT);
        }
        y += px * 5 / 4;
    }
    if (p->quiz_open && (p->quiz_kind == QUIZ_CHOICE || p->quiz_kind == QUIZ_PREDICT)) {
        // The question, then one line an option, numbered as they are typed.
        char piece[TEXT_MAX_LINE + 1];
        lesson_choice_text(p->quiz_question, 0, piece, sizeof piece);
        snprintf(t, sizeof t, "Quiz: %.1380s", piece);
        y = flow_text_(d, q, y, px, t, (flow_){FACE_BOLD, FOCUS, false, draw});
        // The options on one line when they fit, else one line each.
        lesson_choice_line(p->quiz_question, p->quiz_kind == QUIZ_PREDICT, t, sizeof t);
        const int one = flow_text_(d, q, y, px, "x", (flow_){FACE_SANS, INK, true, false});
        if (flow_text_(d, q, y, px, t, (flow_){FACE_SANS, INK, true, false}) <= one) {
            y = flow_text_(d, q, y, px, t, (flow_){FACE_SANS, INK, true, draw});
        } else for (int i = 1; i <= LESSON_CHOICES_MAX; i++) {
            if (p->quiz_kind == QUIZ_PREDICT) snprintf(piece, sizeof piece, "%s", i == 1 ? "higher" : i == 2 ? "lower" : "");
            else lesson_choice_text(p->quiz_question, i, piece, sizeof piece);
            if (!piece[0]) break;
            snprintf(t, sizeof t, "  *%d:* %.1300s", i, piece);
            y = flow_text_(d, q, y, px, t, (flow_){FACE_SANS, INK, true, draw});
        }
    } else if (p->quiz_open) {
        snprintf(t, sizeof t, "Quiz: %.1380s", p->quiz_question);
        y = flow_text_(d, q, y, px, t, (flow_){FACE_BOLD, FOCUS, false, draw});
    }
    if (p->quiz_open) {
        quiz_answer_(p, t, sizeof t);
        const SDL_Color c = p->quiz_result < 0 || (p->quiz_result == 0 && p->quiz_missed[0]) ? rd_colour(rd_pal(d)->bad)
                            : p->quiz_result == 1                                     ? rd_colour(rd_pal(d)->good)
                                                                                      : INK;
        y = flow_text_(d, q, y, px, t, (flow_){FACE_SANS, c, false, draw});
    }
    if (p->failures)
        y = flow_text_(d, q, y, px, "an expectation failed: convstep lesson --headless says which",
                       (flow_){FACE_SANS, rd_colour(rd_pal(d)->bad), false, draw});
    return y;
}

static void narration_(const draw_ *d) {
    const app_state *s = d->s;
    const ui_layout *l = d->l;
    const lesson_player *p = &s->player;
    const ui_rect box = l->narration;
    rd_fill(d->r, box, (SDL_Color){255, 248, 225, 255});
    rd_fill(d->r, (ui_rect){box.x, box.y, box.w, ui_max(3, l->pad / 4)}, ACCENT);
    char t[400];
    snprintf(t, sizeof t, "%.160s  -  step %d of %d%s", p->l->title, p->beat + 1, p->n_beats,
             p->pc >= p->l->n ? "  -  the end" : "");
    const ui_rect title = l->narration_title;
    // Beside the buttons on a narrow window, the step count alone (the
    // lesson menu names the lesson).
    if (rd_width(d, FACE_BOLD, l->small_px, t) > title.w)
        snprintf(t, sizeof t, "step %d of %d", p->beat + 1, p->n_beats);
    rd_fitted_line(d, FACE_BOLD, l->small_px, title, title.y + (title.h - l->small_px * 6 / 5) / 2, MUTED, t);
    // The layout sized the box for the lesson's longest step in the body
    // face; bold words are wider than it measured: smaller type when needed.
    const ui_rect q = l->narration_text;
    int px = l->narration_px > 0 ? l->narration_px : l->text_px;
    while (px > l->min_px && narration_text_(d, q, px, false) > q.y + q.h) px--;
    narration_text_(d, q, px, true);
}

// Outlines in the palette's lesson colour on the cells a lesson highlights.
static void marks_(const draw_ *d) {
    const lesson_player *p = &d->s->player;
    for (int i = 0; i < p->n_marks; i++)
        for (int g = 0; g < d->l->n_grids; g++) {
            const ui_grid *gr = &d->l->grids[g];
            const cell_ref *m = &p->marks[i];
            if (gr->id != m->grid || gr->channel != 0) continue;
            ui_rect q;
            if (!ui_grid_cell(gr, m->row, m->col, &q)) continue;
            rd_frame(d->r, q, rd_colour(rd_pal(d)->mark), rd_outline(d, gr->cell, 2) + 1);
        }
}

// A thick line from (x0, y0) to (x1, y1): parallel one-pixel lines.
static void thick_line_(SDL_Renderer *r, float x0, float y0, float x1, float y1, int width) {
    const float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 1) return;
    const float nx = -dy / len, ny = dx / len;
    for (int k = 0; k < width; k++) {
        const float o = (float)k - (float)(width - 1) / 2;
        SDL_RenderDrawLineF(r, x0 + nx * o, y0 + ny * o, x1 + nx * o, y1 + ny * o);
    }
}

// 'point': an arrow at the cell it names (besides its outline), for the
// caption to speak of ("the cell the arrow points at"). It comes in from
// just beside the grid along the line under the cell's row, to the cell's
// lower corner: over the grid it runs on the border between two rows, never
// over a number. Ink-dark with a light rim, to show over any colour.
static void arrow_(const draw_ *d) {
    const lesson_player *p = &d->s->player;
    if (p->arrow_to < 1 || p->arrow_to > p->n_marks) return;
    const cell_ref *m = &p->marks[p->arrow_to - 1];
    // The grid showing the cell largest: a picture's close-up rather than the picture.
    const ui_grid *gr = NULL;
    ui_rect q;
    for (int g = 0; g < d->l->n_grids; g++) {
        const ui_grid *c = &d->l->grids[g];
        ui_rect cq;
        if (c->id != m->grid || c->channel != 0 || !ui_grid_cell(c, m->row, m->col, &cq)) continue;
        if (!gr || cq.w > q.w) gr = c, q = cq;
    }
    if (gr) {
        const ui_rect main = d->l->main, grid = gr->r;
        // From just right of the grid (what stands beside it begins a gap
        // further), unless that leaves the main area; at least 1.6 em long.
        const float em = (float)d->l->text_px;
        const bool right = (float)(grid.x + grid.w) + em <= (float)(main.x + main.w);
        const float tip_x = (float)(right ? q.x + q.w : q.x), tip_y = (float)(q.y + q.h);
        const float inside = right ? (float)(grid.x + grid.w) - tip_x : tip_x - (float)grid.x;
        const float out = em * 0.6f > em * 1.6f - inside ? em * 0.6f : em * 1.6f - inside;
        const float from_x = right ? (float)(grid.x + grid.w) + out : (float)grid.x - out, from_y = tip_y;
        const int w = ui_max(2, d->l->text_px / 8);
        const float head = (float)d->l->text_px * 0.8f, ux = right ? 1.0f : -1.0f;
        for (int pass = 0; pass < 2; pass++) {  // the light rim, then the arrow
            const SDL_Color c = pass == 0 ? BG : INK;
            SDL_SetRenderDrawColor(d->r, c.r, c.g, c.b, 255);
            const int width = pass == 0 ? w + 4 : w;
            thick_line_(d->r, from_x, from_y, tip_x, tip_y, width);
            // The head: two strokes back from the tip at 30 degrees either side.
            thick_line_(d->r, tip_x, tip_y, tip_x + head * ux * 0.866f, tip_y - head * 0.5f, width);
            thick_line_(d->r, tip_x, tip_y, tip_x + head * ux * 0.866f, tip_y + head * 0.5f, width);
        }
    }
}

void render_lesson_overlay(const draw_ *d) {
    const ui_layout *l = d->l;
    marks_(d);
    arrow_(d);
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
