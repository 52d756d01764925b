// update.c - the state's changes (see update.h).
#include "update.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "keys.h"
#include "views.h"

static int clampi_(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// ---- A fresh state -----------------------------------------------------------------------------

void app_reset_views(app_state *s) {
    for (int v = 0; v < VIEW_COUNT; v++) view_get((app_view)v)->reset(s);
    s->view = s->back_view = VIEW_HOME;
    s->help = false;
    s->status[0] = '\0';
    s->editing = false;
    s->edit_text[0] = '\0';
    s->selected = (cell_ref){.grid = GRID_NONE};
    s->digit = -1;
    s->rng_state = app_rng_stream(APP_RNG_SHARED);
}

void app_state_init(app_state *s) {
    memset(s, 0, sizeof *s);
    s->recipe = app_recipe_default();
    s->zoom = 100;
    app_reset_views(s);
}

// ---- Time ------------------------------------------------------------------------------------------

void app_tick(app_state *s, double ms) {
    s->zoom_shown_ms = s->zoom_shown_ms > ms ? s->zoom_shown_ms - ms : 0;
    lesson_player *p = &s->player;
    if (p->l && p->autoplay && p->pc < p->n_cmds && !p->train_pending) {
        p->wait_ms -= ms;
        if (p->wait_ms <= 0) {
            app_effect(s, EFFECT_LESSON, LESSON_NAV_NEXT, 0);
            p->wait_ms = 1e9;  // until the beat has run and set its own wait
        }
    }
    const view_def *v = view_get(s->view);
    if (v->tick) v->tick(s, ms);
}

// ---- Editing a cell ----------------------------------------------------------------------------------

// Whether a click on cell c types into it (else it jumps to the cell's step).
static bool edits_cell_(const app_state *s, const cell_ref *c) {
    const view_def *v = view_get(s->view);
    return v->edits_cell ? v->edits_cell(s, c) : c->grid != GRID_OUTPUT;
}

// Ends an edit: the typed number goes to the view, which recomputes.
static void commit_edit_(app_state *s) {
    if (!s->editing) return;
    s->editing = false;
    char *end;
    const double v = strtod(s->edit_text, &end);
    if (s->edit_text[0] == '\0' || *end != '\0' || !isfinite(v) || fabs(v) > 1e6) {
        snprintf(s->status, sizeof s->status, "'%s' is not a number; the cell is unchanged", s->edit_text);
        return;
    }
    const app_action set = {.kind = ACT_SET_CELL, .cell = s->selected, .fx = (float)v};
    view_get(s->view)->update(s, &set);
}

static bool edit_update_(app_state *s, const app_action *a) {
    switch (a->kind) {
    case ACT_SELECT_CELL:
        if (s->editing) commit_edit_(s);
        if (a->cell.grid == GRID_NONE) return true;
        if (a->cell.grid == GRID_FMAP || a->cell.grid == GRID_NET) return false;  // the CNN and network views open a unit
        if (!edits_cell_(s, &a->cell)) {
            const app_action jump = {.kind = ACT_JUMP_TO_OUTPUT, .row = a->cell.row, .col = a->cell.col, .cell = a->cell};
            view_get(s->view)->update(s, &jump);
            return true;
        }
        s->selected = a->cell;
        s->editing = true;
        s->edit_text[0] = '\0';
        return true;
    case ACT_TYPE_CHAR: {
        if (!s->editing) return true;
        const size_t n = strlen(s->edit_text);
        const char ch = a->ch;
        if (n + 1 < sizeof s->edit_text && ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == 'e'))
            s->edit_text[n] = ch, s->edit_text[n + 1] = '\0';
        return true;
    }
    case ACT_EDIT_BACKSPACE: {
        const size_t n = strlen(s->edit_text);
        if (s->editing && n > 0) s->edit_text[n - 1] = '\0';
        return true;
    }
    case ACT_EDIT_COMMIT: commit_edit_(s); return true;
    case ACT_EDIT_CANCEL: s->editing = false; return true;
    default: return false;
    }
}

// Typing an answer to the lesson's open quiz.
static bool quiz_key_(app_state *s, const app_action *a) {
    lesson_player *p = &s->player;
    if (!p->l || !p->quiz_open || p->quiz_result != 0) return false;
    const size_t n = strlen(p->quiz_typed);
    if (a->kind == ACT_TYPE_CHAR) {
        const char ch = a->ch;
        if (n + 1 < sizeof p->quiz_typed && ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == 'x'))
            p->quiz_typed[n] = ch, p->quiz_typed[n + 1] = '\0';
        return true;
    }
    if (a->kind == ACT_EDIT_BACKSPACE) {
        if (n) p->quiz_typed[n - 1] = '\0';
        return true;
    }
    if (a->kind == ACT_EDIT_COMMIT && n && p->quiz_kind == QUIZ_PREDICT) {
        // A prediction is committed, not graded: the next 'train' settles it.
        if (strcmp(p->quiz_typed, "1") == 0 || strcmp(p->quiz_typed, "2") == 0) {
            p->predict_choice = p->quiz_typed[0] - '0';
            p->quiz_result = 3;
        } else {
            p->quiz_typed[0] = '\0';
        }
        return true;
    }
    if (a->kind == ACT_EDIT_COMMIT && n) {
        // Two tries: a first wrong one is said so and cleared, nothing shown;
        // a second one shows the answer. A close one ends it with the exact value.
        const quiz_grade g = expect_grade_answer(p->quiz_typed, p->quiz_answer);
        if (g == QUIZ_RIGHT) {
            p->quiz_result = 1;
        } else if (g == QUIZ_CLOSE) {
            p->quiz_result = 2;
        } else if (!p->quiz_missed[0]) {
            snprintf(p->quiz_missed, sizeof p->quiz_missed, "%s", p->quiz_typed);
            p->quiz_typed[0] = '\0';
        } else {
            p->quiz_result = -1;
        }
        return true;
    }
    return false;
}

// ---- Actions -------------------------------------------------------------------------------------------

// The actions every view shares; false for the view's own.
static bool shared_update_(app_state *s, const app_action *a) {
    switch (a->kind) {
    case ACT_QUIT: s->quit = true; return true;
    case ACT_HOME: s->hover.grid = GRID_NONE; s->view = VIEW_HOME; s->back_view = VIEW_HOME; s->help = false; s->digit = -1; return true;
    case ACT_BACK:
        // Esc: closes the help, else returns to the view this one was opened
        // from (the CNN's maps for a window opened from them), else home.
        if (s->help) {
            s->help = false;
        } else if (s->back_view != VIEW_HOME) {  // (going home or to a view sets it back to home)
            s->view = s->back_view;
            s->back_view = VIEW_HOME;
            s->digit = -1;
        } else {
            s->view = VIEW_HOME;
            s->back_view = VIEW_HOME;
            s->digit = -1;
        }
        return true;
    case ACT_OPEN_VIEW:
        // A loaded digit belongs to the view it was loaded in.
        if (a->value > VIEW_HOME && a->value < VIEW_COUNT && a->value != (int)s->view) {
            s->hover.grid = GRID_NONE;
            s->view = (app_view)a->value;
            s->back_view = VIEW_HOME;
            s->digit = -1;
        }
        return true;
    case ACT_HELP:
        s->help = !s->help;
        s->help_page = 0;
        return true;
    case ACT_HELP_PAGE:  // pages go round: the overlay shows page help_page modulo its pages
        s->help_page = (s->help_page + (a->value < 0 ? -1 : 1)) % 10000;
        return true;
    case ACT_HOVER_CELL: s->hover = a->cell; return true;
    case ACT_FULLSCREEN: s->fullscreen = !s->fullscreen; return true;
    // The new zoom shows for a moment (render.c), so a teacher knows where they are.
    case ACT_ZOOM_IN: s->zoom = clampi_(s->zoom + 10, 50, 300); s->zoom_shown_ms = ZOOM_SHOWN_MS; return true;
    case ACT_ZOOM_OUT: s->zoom = clampi_(s->zoom - 10, 50, 300); s->zoom_shown_ms = ZOOM_SHOWN_MS; return true;
    case ACT_ZOOM_RESET: s->zoom = 100; s->zoom_shown_ms = ZOOM_SHOWN_MS; return true;
    case ACT_PALETTE: s->colorblind = !s->colorblind; return true;
    case ACT_SCREENSHOT: return true;  // the window's (it has the pixels)
    case ACT_EXPORT: return true;      // the window's (it has the folder and the clipboard)
    // A lesson's keys and buttons: the runtime moves the lesson (it may train).
    case ACT_LESSON_STOP_TRAINING: app_effect(s, EFFECT_LESSON, LESSON_NAV_STOP_TRAINING, 0); return true;
    case ACT_LESSON_NEXT: app_effect(s, EFFECT_LESSON, LESSON_NAV_NEXT, 0); return true;
    case ACT_LESSON_BACK: app_effect(s, EFFECT_LESSON, LESSON_NAV_BACK, 0); return true;
    case ACT_LESSON_RESTART: app_effect(s, EFFECT_LESSON, LESSON_NAV_RESTART, 0); return true;
    case ACT_LESSON_CLOSE: app_effect(s, EFFECT_LESSON, LESSON_NAV_CLOSE, 0); return true;
    case ACT_LESSON_AUTOPLAY:
        s->player.autoplay = !s->player.autoplay;
        s->player.wait_ms = s->player.beat_wait_s > 0 ? s->player.beat_wait_s * 1000 : LESSON_AUTOPLAY_MS;
        return true;
    default: return false;
    }
}

void app_apply(app_state *s, const app_action *a) {
    if (a->kind == ACT_NONE) return;  // asks for nothing: an edit in progress stays open
    if (quiz_key_(s, a)) return;
    const bool edit_action = a->kind == ACT_TYPE_CHAR || a->kind == ACT_EDIT_BACKSPACE ||
                             a->kind == ACT_EDIT_CANCEL || a->kind == ACT_EDIT_COMMIT || a->kind == ACT_SELECT_CELL;
    if (s->editing && !edit_action) commit_edit_(s);
    if (shared_update_(s, a) || edit_update_(s, a)) return;
    view_get(s->view)->update(s, a);
}

// A file dropped onto the window: the views that take a picture get it
// through the runtime (it reads the file); the others say where to drop it.
static void drop_file_(app_state *s, const char *path, bool text) {
    if (s->view != VIEW_DRAW && s->view != VIEW_CONV && s->view != VIEW_NETWORK) {
        snprintf(s->status, sizeof s->status,
                 "a dropped picture goes to 'draw a digit', 'the whole network' or 'convolution': open one of them "
                 "and drop it there");
        return;
    }
    if (keys_lesson_drives(s)) {
        snprintf(s->status, sizeof s->status, "the lesson set this up: close it (Esc) to drop a picture here");
        return;
    }
    const size_t n = path ? strlen(path) : 0;
    if (text) {
        snprintf(s->status, sizeof s->status, "that was text: drop a picture file (PNG, BMP or PGM) here");
        return;
    }
    if (!path || n == 0 || n >= sizeof s->drop.path) {  // (no path: too long for input.c to keep)
        snprintf(s->status, sizeof s->status, "cannot open the dropped file: its name is %s",
                 path && n == 0 ? "empty" : "too long (over 1023 bytes)");
        return;
    }
    memcpy(s->drop.path, path, n + 1);
    // Two drops in one frame: the path holds the last, read once.
    for (int i = 0; i < s->effects.n; i++)
        if (s->effects.items[i].kind == EFFECT_DROP_IMAGE) return;
    app_effect(s, EFFECT_DROP_IMAGE, 0, 0);
}

void app_update(app_state *s, const app_action *a) {
    if (a->kind == ACT_DROP_FILE) {
        drop_file_(s, a->text, a->value == 1);
        return;
    }
    // While a lesson drives the view, what it set up stays as it set it, so
    // the caption never describes something else (Esc closes the lesson).
    const bool edits_setup = a->kind == ACT_SELECT_CELL && a->cell.grid != GRID_NONE && a->cell.grid != GRID_FMAP &&
                             a->cell.grid != GRID_NET && edits_cell_(s, &a->cell);
    if (keys_lesson_drives(s) && (keys_changes_setup(a->kind) || edits_setup)) {
        snprintf(s->status, sizeof s->status, "the lesson set this up: close it (Esc) to change it");
        return;
    }
    app_apply(s, a);
}
