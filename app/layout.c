// layout.c - the frame around every view (see layout.h).
#include "layout.h"

#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "lesson.h"
#include "views.h"

// ---- Measuring text ------------------------------------------------------------------------------

// The width of t at px in the body face (an estimate when there is no font).
static int width_(const ui_metrics *m, const char *t, int px) {
    if (m && m->text_width) return m->text_width(m->ctx, t, px, false);
    return (int)(strlen(t) * (size_t)px * 6 / 10);
}

// The lines a lesson's text takes wrapped at spaces to `room` px at px, as
// render_lesson.c draws it: *starred* words are bold, about a tenth wider.
static int wrapped_lines_(const ui_metrics *m, const char *text, int px, int room) {
    const int space = width_(m, " ", px);
    int lines = 0, x = 0;
    bool strong = false;
    for (const char *p = text; *p;) {
        while (*p == ' ') p++;
        if (!*p) break;
        char word[256];
        int n = 0, k = 0;
        bool bold = strong;
        for (; p[n] && p[n] != ' '; n++) {
            if (p[n] == '*') {
                strong = !strong;
                bold = bold || strong;
            } else if (k < (int)sizeof word - 1) {
                word[k++] = p[n];
            }
        }
        word[k] = '\0';
        p += n;
        const int ww = width_(m, word, px) * (bold ? 11 : 10) / 10;
        if (lines == 0 || (x > 0 && x + ww > room)) {
            lines++;
            x = 0;
        }
        x += ww + space;
    }
    return lines;
}

// ---- The lesson's narration ----------------------------------------------------------------------

// The lines one step of a lesson needs: its caption, a running 'train N'
// (two lines: the count and its bar), a quiz (the question, and two lines
// for the answer typed or the explanation).
// The question's lines, and for a choice or predict quiz one or more an option.
static int question_lines_(const ui_metrics *m, const char *quiz, quiz_kind kind, int px, int room) {
    char q[LESSON_TEXT + 8], piece[LESSON_TEXT];
    if (kind != QUIZ_CHOICE && kind != QUIZ_PREDICT) {
        snprintf(q, sizeof q, "Quiz: %s", quiz);
        return wrapped_lines_(m, q, px, room);
    }
    lesson_choice_text(quiz, 0, piece, sizeof piece);
    snprintf(q, sizeof q, "Quiz: %s", piece);
    int lines = wrapped_lines_(m, q, px, room);
    lesson_choice_line(quiz, kind == QUIZ_PREDICT, q, sizeof q);
    if (wrapped_lines_(m, q, px, room) == 1) return lines + 1;  // the options on one line
    if (kind == QUIZ_PREDICT) return lines + 2;                 // higher, lower
    for (int i = 1; i <= LESSON_CHOICES_MAX; i++) {
        lesson_choice_text(quiz, i, piece, sizeof piece);
        if (!piece[0]) break;
        snprintf(q, sizeof q, "  *%d:* %s", i, piece);
        lines += wrapped_lines_(m, q, px, room);
    }
    return lines;
}

static int beat_lines_(const ui_metrics *m, const char *caption, const char *quiz, quiz_kind kind, bool trains,
                       int px, int room) {
    int lines = wrapped_lines_(m, caption, px, room) + (trains ? 2 : 0);
    if (quiz) lines += question_lines_(m, quiz, kind, px, room) + 2;
    return lines;
}

// The most lines any step of the lesson needs at px in `room` px.
static int lesson_most_lines_(const ui_metrics *m, const lesson *ls, int px, int room) {
    static char caption[sizeof ((lesson_player *)0)->caption];  // a step's says, joined (the window's thread only)
    int most = 0;
    caption[0] = '\0';
    const char *quiz = NULL;
    quiz_kind kind = QUIZ_SIZE;
    bool trains = false;
    for (int i = 0; i <= ls->n; i++) {
        const lesson_cmd *c = i < ls->n ? &ls->cmds[i] : NULL;
        if (!c || c->op == LOP_WAIT) {
            most = ui_max(most, beat_lines_(m, caption, quiz, kind, trains, px, room));
            caption[0] = '\0';
            quiz = NULL;
            trains = false;
        } else if (c->op == LOP_SAY) {
            const size_t n = strlen(caption);
            snprintf(caption + n, sizeof caption - n, "%s%.2000s", n ? " " : "", c->text);
        } else if (c->op == LOP_QUIZ) {
            quiz = c->text;
            kind = c->a == CHECK_CHOICE ? QUIZ_CHOICE : c->a == CHECK_PREDICT ? QUIZ_PREDICT : QUIZ_SIZE;
        } else if (c->op == LOP_TRAIN) {
            trains = true;
        }
    }
    return most;
}

// lesson_most_lines_ remembered: every word of a lesson measured at each
// frame would cost milliseconds. Keyed by everything the answer depends on.
typedef struct lines_memo_ {
    const lesson *ls;
    int n, px, room;
    ui_text_width_fn fn;
    void *ctx;
    int lines;
} lines_memo_;

static int lesson_most_lines_memo_(const ui_metrics *m, const lesson *ls, int px, int room) {
    static lines_memo_ memo[32];  // the window's thread only
    static int next;
    const ui_text_width_fn fn = m ? m->text_width : NULL;
    void *ctx = m ? m->ctx : NULL;
    for (int i = 0; i < 32; i++)
        if (memo[i].ls == ls && memo[i].n == ls->n && memo[i].px == px && memo[i].room == room && memo[i].fn == fn &&
            memo[i].ctx == ctx)
            return memo[i].lines;
    lines_memo_ *e = &memo[next++ % 32];
    *e = (lines_memo_){ls, ls->n, px, room, fn, ctx, lesson_most_lines_(m, ls, px, room)};
    return e->lines;
}

// The lines the narration must hold at px: the lesson's longest step, or the
// step shown now when it needs more (a quiz's answer typed or explained);
// the step shown now alone when `now_only`.
static int lesson_lines_(const ui_metrics *m, const app_state *s, int px, int room, bool now_only) {
    const lesson_player *p = &s->player;
    int now = beat_lines_(m, p->caption, NULL, QUIZ_SIZE, p->train_pending, px, room);
    if (p->quiz_open) {
        char t[1400];
        now += question_lines_(m, p->quiz_question, p->quiz_kind, px, room);
        snprintf(t, sizeof t, "%s is not it either: the answer is %s.  %s", p->quiz_answer, p->quiz_answer, p->quiz_explain);
        now += ui_max(2, wrapped_lines_(m, t, px, room));
    }
    return ui_max(now_only ? 0 : lesson_most_lines_memo_(m, p->l, px, room), now) + (p->failures ? 1 : 0);
}

// The buttons that drive a lesson, in the narration's first row.
static const struct {
    const char *label;
    app_action_kind kind;
} nav_[] = {{"back", ACT_LESSON_BACK}, {"next", ACT_LESSON_NEXT}, {"restart", ACT_LESSON_RESTART},
            {"autoplay", ACT_LESSON_AUTOPLAY}, {"close", ACT_LESSON_CLOSE}};
#define N_NAV ((int)(sizeof nav_ / sizeof nav_[0]))

// The narration at the bottom of the main column, above the footer: a row
// with the lesson's title and its buttons, then the caption and quiz, as
// tall as the lesson's longest step needs: the type shrinks (to l->min_px
// at most) to keep it within a third of the window, and it grows past that
// only to keep every line. `this_step`: as tall as the step shown needs, in
// the same type (the view asked for the room, see narration_short_wanted).
static void narration_(ui_layout *l, const app_state *s, const ui_metrics *m, int width, bool this_step) {
    const int gap = l->pad / 2, bh = l->small_px * 3 / 2, room = width - l->pad * 4;
    // Buttons as wide as their labels at the label size, or at the readable
    // minimum when that is too wide for the row.
    int label_px = l->small_px, widths[N_NAV], total = 0;
    for (int pass = 0; pass < 2; pass++, label_px = l->min_px) {
        total = 0;
        for (int i = 0; i < N_NAV; i++) {
            widths[i] = ui_max(width_(m, nav_[i].label, label_px) + l->pad * 2, l->text_px * 2);
            total += widths[i] + gap;
        }
        if (total - gap <= room) break;
    }
    // The title on the buttons' row when that leaves room for at least its
    // step count (render_lesson.c then drops the lesson's name if it must);
    // else on a row of its own above them, and the buttons on as many rows
    // as they need, from the right.
    char steps[48];
    snprintf(steps, sizeof steps, "step %d of %d", s->player.n_beats, s->player.n_beats);
    const int step_w = width_(m, steps, l->small_px) * 11 / 10;  // bold
    const bool own_row = room - total < step_w;
    const int title_h = l->small_px * 3 / 2;
    int button_rows = 1;
    for (int i = 0, x = 0; i < N_NAV; x += widths[i] + gap, i++)
        if (x > 0 && x + widths[i] > room) button_rows++, x = 0;
    const int rows_h = (own_row ? title_h + gap : 0) + button_rows * (bh + gap) - gap;
    const int avail = l->footer.y - l->header.h;
    // A third of the window: on a projector at a large zoom the view's grids
    // need the rest. The type shrinks (never under l->min_px) to stay in it.
    const int target = l->h / 3;
    int px = l->text_px, need = 0;
    for (;; px--) {
        need = lesson_lines_(m, s, px, room, false) * (px * 5 / 4);
        if (rows_h + need + l->pad * 3 <= target || px <= l->min_px) break;
    }
    if (this_step) need = lesson_lines_(m, s, px, room, true) * (px * 5 / 4);
    // Never more than the room above three rows of readable cells: a step
    // too long for that even at the smallest type loses its last lines.
    const int nh = ui_max(rows_h + l->pad * 2, ui_min(avail - l->min_cell * 3, rows_h + need + l->pad * 3));
    l->narration = ui_rect_at(0, l->footer.y - nh, width, nh);
    l->narration_px = px;
    const int top = l->narration.y + l->pad;
    // The buttons, right-aligned, a row at a time.
    int first = 0, y = own_row ? top + title_h + gap : top;
    while (first < N_NAV) {
        int last = first, row_w = widths[first];
        while (last + 1 < N_NAV && row_w + gap + widths[last + 1] <= room) row_w += gap + widths[++last];
        int x = width - l->pad * 2 - row_w;
        for (int i = first; i <= last; x += widths[i] + gap, i++) {
            ui_button *b = layout_button(l, ui_rect_at(x, y, widths[i], bh), nav_[i].label, nav_[i].kind, 0);
            if (nav_[i].kind == ACT_LESSON_AUTOPLAY) b->active = s->player.autoplay;
            if (nav_[i].kind == ACT_LESSON_NEXT) b->enabled = b->enabled && s->player.pc < s->player.n_cmds;
            if (nav_[i].kind == ACT_LESSON_BACK) b->enabled = b->enabled && s->player.beat > 0;
        }
        first = last + 1;
        y += bh + gap;
    }
    const int title_w = own_row ? room : room - total;
    l->narration_title = ui_rect_at(l->pad * 2, top + (own_row ? 0 : (bh - title_h) / 2), title_w, title_h);
    const int text_y = top + rows_h + gap;
    l->narration_text = ui_rect_at(l->pad * 2, text_y, room, l->narration.y + nh - l->pad - text_y);
}

// ---- The controls panel --------------------------------------------------------------------------

// The width of a column of the panel: a setting's label beside its "-" and
// "+", and two buttons side by side, all at the readable minimum.
static int panel_column_w_(const ui_layout *l, const ui_metrics *m) {
    const int bw = l->text_px * 15 / 8, gap = l->pad / 2;  // layout_stepper_of's buttons at full height
    // The longest labels the views put there ("learning rate 0.0005", "speed: 100 ms a step").
    const int label = ui_max(width_(m, "learning rate 0.0005", l->min_px), width_(m, "speed: 100 ms a step", l->min_px));
    const int stepper = label + l->pad + 2 * bw + gap;
    const int pair = 2 * (width_(m, "load for drawing", l->min_px) + 8) + gap;
    return ui_max(stepper, pair) + 2 * l->pad;
}

// ---- The frame around every view ---------------------------------------------------------------

// The width of the strip of stepping buttons (layout_transport_strip): its
// widest label at the readable minimum, some air in the button, the panel's margins.
static int strip_w_(const ui_layout *l, const ui_metrics *m) {
    static const char *const labels[] = {"slower", "faster", "pause", "play"};
    int widest = 0;
    for (int i = 0; i < 4; i++) widest = ui_max(widest, width_(m, labels[i], l->min_px));
    return widest + l->pad + 2 * l->pad;
}

static void frame_(ui_layout *l, const app_state *s, int w, int h, const ui_metrics *m, int panel_cols,
                   bool narration_under_panel, bool strip, bool short_narration) {
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
    // The header holds the title's line and a little air; the footer one line.
    l->header = ui_rect_at(0, 0, w, l->title_px * 8 / 5);
    l->footer = ui_rect_at(0, h - l->small_px * 7 / 4, w, l->small_px * 7 / 4);
    l->panel_cols = panel_cols;
    const view_def *v = view_get(s->view);
    // "convstep" in bold (a tenth wider than measured), then the view's title.
    const int title_x = l->pad * 2 + width_(m, "convstep", l->title_px) * 11 / 10 + l->pad * 2;
    l->header_title = ui_rect_at(title_x, 0, w - title_x - l->pad * 2, l->header.h);
    const int top = l->header.h, bottom = l->footer.y;
    if (!v->has_panel) {
        // Full width: the home menu and the lesson menu.
        l->main = ui_rect_at(0, top, w, bottom - top);
        return;
    }
    // The panel runs from the header to the footer: wide enough for its
    // labels at the readable minimum, a third of the window or less when it can.
    const int column = ui_max(ui_min(w / 3, ui_max(l->text_px * 14, w / 5)), panel_column_w_(l, m));
    const int panel_w = strip ? strip_w_(l, m)
                              : ui_min(column * panel_cols, w * (panel_cols > 1 ? 7 : 9) / (panel_cols > 1 ? 10 : 20));
    l->panel_strip = strip;
    l->narration_short = short_narration && s->player.l;
    // "home" sits in the header, on the right, as wide as its label.
    const int hw = ui_max(l->text_px * 4, width_(m, "home", l->small_px) + l->pad * 2), hh = l->small_px * 3 / 2;
    layout_button(l, ui_rect_at(w - hw - l->pad, (l->header.h - hh) / 2, hw, hh), "home", ACT_HOME, 0);
    l->header_title.w = ui_max(0, w - hw - l->pad * 3 - title_x);
    // A lesson's narration takes the bottom of the main column, above the
    // footer, or of the whole width when the panel's rows end above it.
    if (s->player.l) narration_(l, s, m, narration_under_panel ? w : w - panel_w, short_narration);
    const int main_bottom = l->narration.h ? l->narration.y : bottom;
    l->main = ui_rect_at(0, top, w - panel_w, main_bottom - top);
    l->panel = ui_rect_at(w - panel_w, top, panel_w, (narration_under_panel ? main_bottom : bottom) - top);
}

// How the frame is laid out: the panel's columns, the narration under the
// panel too, the locked set-up rows dropped, the panel a strip, the
// narration as tall as the step shown needs.
typedef struct frame_opts_ {
    int cols;
    bool under, dropped, strip, short_text;
} frame_opts_;

// Takes the panel's set-up buttons out of the layout (a lesson has locked
// them): not drawn, so their rows' labels are not either.
static void drop_locked_rows_(ui_layout *l) {
    int kept = 0;
    for (int i = 0; i < l->n_buttons; i++) {
        const ui_button *b = &l->buttons[i];
        if (b->r.x >= l->panel.x && b->r.y >= l->panel.y && keys_changes_setup(b->action.kind)) continue;
        l->buttons[kept++] = *b;
    }
    l->n_buttons = kept;
}

// The frame, then the view inside it.
static void lay_(ui_layout *l, const app_state *s, int w, int h, const ui_metrics *m, frame_opts_ o) {
    frame_(l, s, w, h, m, o.cols, o.under, o.strip, o.short_text);
    view_get(s->view)->layout(l, s, m);
    if (o.dropped) drop_locked_rows_(l);
}

// The lowest edge of the panel's buttons, and the height of its shortest.
static int panel_bottom_(const ui_layout *l, int *shortest) {
    int bottom = l->panel.y;
    *shortest = l->h;
    for (int i = 0; i < l->n_buttons; i++) {
        const ui_rect r = l->buttons[i].r;
        const app_action_kind k = l->buttons[i].action.kind;
        if (r.x < l->panel.x || r.y < l->panel.y) continue;   // the main area's, "home"
        if (k >= ACT_LESSON_NEXT && k <= ACT_LESSON_AUTOPLAY) continue;  // the narration's
        bottom = ui_max(bottom, r.y + r.h);
        *shortest = ui_min(*shortest, r.h);
    }
    return bottom;
}

void layout_compute(ui_layout *l, const app_state *s, int w, int h, const ui_metrics *m) {
    const view_def *v = view_get(s->view);
    frame_opts_ o = {1, false, false, false, false};
    lay_(l, s, w, h, m, o);
    if (!v->has_panel) return;
    // The panel's rows did not fit one column at a readable height: again, with two.
    o.cols = l->panel_cols_wanted > 1 ? 2 : 1;
    if (o.cols > 1) lay_(l, s, w, h, m, o);
    // A lesson's narration under the panel too, with fewer lines, when the
    // panel's rows end above it as they are (none shorter, none cut off).
    if (l->narration.h > 0) {
        int shortest = 0, shortest_under = 0;
        panel_bottom_(l, &shortest);
        frame_opts_ under = o;
        under.under = true;
        lay_(l, s, w, h, m, under);
        int bottom = panel_bottom_(l, &shortest_under);
        bool fits = l->panel_cols_wanted <= o.cols && bottom <= l->panel.y + l->panel.h && shortest_under >= shortest;
        // Else, when the lesson has locked the set-up, without its greyed
        // rows (a large zoom: the lesson's text and the view need the room).
        // The rows left (the stepping ones) need only stay readable: a
        // button 4/3 of l->min_px high holds its label at l->min_px.
        const int readable = (l->min_px * 4 + 2) / 3;
        if (!fits && keys_lesson_drives(s)) {
            drop_locked_rows_(l);
            under.dropped = true;
            bottom = panel_bottom_(l, &shortest_under);
            fits = bottom <= l->panel.y + l->panel.h && shortest_under >= ui_min(shortest, readable);
        }
        if (fits) o = under;
        // The set-up locked and its rows gone, and still no room for the
        // view's readable grids (it asked): the panel shrinks to a strip of
        // the stepping buttons and the view takes the rest of its width.
        if (fits && o.dropped && l->panel_strip_wanted) {
            const frame_opts_ strip = {1, true, true, true, false};
            lay_(l, s, w, h, m, strip);
            bottom = panel_bottom_(l, &shortest_under);
            if (bottom <= l->panel.y + l->panel.h && shortest_under >= readable) o = strip;
        }
        if (!fits || o.strip != l->panel_strip) lay_(l, s, w, h, m, o);
        // The view still lacks room for what it shows (it asked): the
        // narration gives up the lines the lesson's longer steps need.
        if (l->narration_short_wanted) {
            o.short_text = true;
            lay_(l, s, w, h, m, o);
        }
    }
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
        a.cell.layer = g->layer;
        if (!ui_grid_at(g, x, y, &a.cell.row, &a.cell.col)) return none;  // a band between taps
        if (a.cell.row < 0 || a.cell.col < 0 || a.cell.row >= g->data_rows ||
            a.cell.col >= g->data_cols)
            return none;  // a padding cell: nothing to edit
        return a;
    }
    return none;
}
