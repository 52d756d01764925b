// keys.c - from a key press to an action through the layers of key tables,
// and the overlay and hints written from the same rows (see keys.h).
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include "views.h"

// ---- The window's and the lesson's tables ------------------------------------------------------

static const key_binding window_keys_[] = {
    {KEY_F12, 0, ACT_SCREENSHOT, 0, NULL, 0, "screenshot (PNG)"},
};

static const key_binding editing_keys_[] = {
    {KEY_ENTER, 0, ACT_EDIT_COMMIT, 0, NULL, 0, "keep the typed number"},
    {KEY_TAB, 0, ACT_EDIT_COMMIT, 0, NULL, KEYF_ALIAS, "keep the typed number"},
    {KEY_ESCAPE, 0, ACT_EDIT_CANCEL, 0, NULL, 0, "leave the cell as it was"},
    {KEY_BACKSPACE, 0, ACT_EDIT_BACKSPACE, 0, NULL, 0, "delete a character"},
};

// Esc first stops a 'train N' the lesson is waiting for, then closes it.
static app_action lesson_escape_(const app_state *s, const struct ui_layout *l, int v) {
    (void)l, (void)v;
    return (app_action){.kind = s->player.train_pending ? ACT_LESSON_STOP_TRAINING : ACT_LESSON_CLOSE};
}

static const key_binding lesson_keys_[] = {
    {KEY_ENTER, 0, ACT_LESSON_NEXT, 0, NULL, 0, "next step of the lesson"},
    {KEY_PAGEDOWN, 0, ACT_LESSON_NEXT, 0, NULL, KEYF_ALIAS, "next step of the lesson"},
    {KEY_PAGEUP, 0, ACT_LESSON_BACK, 0, NULL, 0, "one step back"},
    {KEY_BACKSPACE, 0, ACT_LESSON_BACK, 0, NULL, KEYF_ALIAS, "one step back"},
    {KEY_F5, 0, ACT_LESSON_RESTART, 0, NULL, 0, "start the lesson again"},
    {'a', 0, ACT_LESSON_AUTOPLAY, 0, NULL, 0, "autoplay on / off"},
    {KEY_ESCAPE, 0, ACT_LESSON_CLOSE, 0, lesson_escape_, 0, "close the lesson (first: stop its training)"},
};

// While a quiz waits for an answer: Enter checks it, Backspace deletes.
static const key_binding quiz_keys_[] = {
    {KEY_ENTER, 0, ACT_EDIT_COMMIT, 0, NULL, 0, "check the typed answer"},
    {KEY_BACKSPACE, 0, ACT_EDIT_BACKSPACE, 0, NULL, 0, "delete a character of the answer"},
};

static const key_binding help_keys_[] = {
    {KEY_ESCAPE, 0, ACT_HELP, 0, NULL, 0, "close this help"},
    {KEY_PAGEDOWN, 0, ACT_HELP_PAGE, 1, NULL, 0, "the next page of keys"},
    {KEY_PAGEUP, 0, ACT_HELP_PAGE, -1, NULL, 0, "the page before"},
};

static const key_binding global_keys_[] = {
    {KEY_F1, 0, ACT_HELP, 0, NULL, 0, "this help"},
    {'?', 0, ACT_HELP, 0, NULL, KEYF_ALIAS, "this help"},
    {KEY_F11, 0, ACT_FULLSCREEN, 0, NULL, 0, "fullscreen"},
    {'+', KEYMOD_CTRL, ACT_ZOOM_IN, 0, NULL, 0, "zoom in (for a projector)"},
    {'=', KEYMOD_CTRL, ACT_ZOOM_IN, 0, NULL, KEYF_ALIAS, "zoom in (for a projector)"},
    {'-', KEYMOD_CTRL, ACT_ZOOM_OUT, 0, NULL, 0, "zoom out"},
    {'0', KEYMOD_CTRL, ACT_ZOOM_RESET, 0, NULL, 0, "zoom 100%"},
    {'b', 0, ACT_PALETTE, 0, NULL, 0, "colour-blind palette"},
    {KEY_ESCAPE, 0, ACT_BACK, 0, NULL, 0, "back (home)"},
    {'q', 0, ACT_QUIT, 0, NULL, 0, "quit"},
    {'q', KEYMOD_CTRL, ACT_QUIT, 0, NULL, KEYF_ALIAS, "quit"},
};

static const key_table window_table_ = KEY_TABLE("window", window_keys_);
static const key_table editing_table_ = KEY_TABLE("editing a cell", editing_keys_);
static const key_table lesson_table_ = KEY_TABLE("lesson", lesson_keys_);
static const key_table quiz_table_ = KEY_TABLE("quiz", quiz_keys_);
static const key_table help_table_ = KEY_TABLE("help", help_keys_);
static const key_table global_table_ = KEY_TABLE("everywhere", global_keys_);

// ---- Which layers apply --------------------------------------------------------------------------

bool keys_lesson_drives(const app_state *s) { return s->player.l && view_get(s->view)->has_panel; }

bool keys_changes_setup(app_action_kind kind) {
    switch (kind) {
    case ACT_SET_SIZE: case ACT_SET_KERNEL: case ACT_SET_PADDING: case ACT_SET_STRIDE: case ACT_SET_DILATION:
    case ACT_SET_CHANNELS: case ACT_SET_FILTERS: case ACT_SET_POOL_SIZE: case ACT_CYCLE_PADDING: case ACT_PRESET: case ACT_RANDOMISE:
    case ACT_LOAD_DIGIT: case ACT_SET_CELL: case ACT_TRAIN_MODEL: case ACT_TRAIN_RESET: case ACT_DRAW_MODEL:
    case ACT_KEEP_RUN: case ACT_SET_OUT_PAD:
    case ACT_PEN_DOWN: case ACT_DRAW_CLEAR: case ACT_DRAW_UNDO:
        return true;
    default: return false;
    }
}

static bool answering_(const app_state *s) {
    return s->player.l && s->player.quiz_open && s->player.quiz_result == 0;
}

// The layers for the state, first match first; `view_at` says which one is
// the view's (its set-up rows are off while a lesson drives).
static int layers_(const app_state *s, bool help_open, const key_table **out, int *view_at) {
    int n = 0;
    out[n++] = &window_table_;
    *view_at = -1;
    if (s->editing) {
        out[n++] = &editing_table_;
        return n;  // other keys do nothing while a number is typed
    }
    if (help_open) out[n++] = &help_table_;
    if (keys_lesson_drives(s)) {
        if (answering_(s) && s->player.quiz_typed[0]) out[n++] = &quiz_table_;
        out[n++] = &lesson_table_;
    }
    out[n++] = &global_table_;
    *view_at = n;
    out[n++] = &view_get(s->view)->keys;
    return n;
}

// A quiz's answer is typed with these, so they are not shortcuts meanwhile.
static bool answer_char_(int key) { return (key >= '0' && key <= '9') || key == '.' || key == '-' || key == 'x'; }

app_action keys_action(const app_state *s, const struct ui_layout *l, key_press p) {
    const app_action none = {.kind = ACT_NONE};
    const key_table *layers[8];
    int view_at;
    const int n = layers_(s, s->help, layers, &view_at);
    if (keys_lesson_drives(s) && answering_(s) && p.mods == 0 && answer_char_(p.key) && !s->editing) return none;
    for (int i = 0; i < n; i++)
        for (int r = 0; r < layers[i]->n; r++) {
            const key_binding *b = &layers[i]->rows[r];
            if (b->key != p.key || b->mods != p.mods) continue;
            if (i == view_at && (b->flags & KEYF_SETUP) && keys_lesson_drives(s)) return none;
            return b->resolve ? b->resolve(s, l, b->value) : (app_action){.kind = b->kind, .value = b->value};
        }
    return none;
}

// ---- Names ----------------------------------------------------------------------------------------

const char *keys_name(key_press p, char *buf, int size) {
    static const char *const special[] = {
        [KEY_ENTER - KEY_ENTER] = "Enter", [KEY_ESCAPE - KEY_ENTER] = "Esc",
        [KEY_BACKSPACE - KEY_ENTER] = "Backspace", [KEY_TAB - KEY_ENTER] = "Tab",
        [KEY_DELETE - KEY_ENTER] = "Delete", [KEY_UP - KEY_ENTER] = "Up", [KEY_DOWN - KEY_ENTER] = "Down",
        [KEY_LEFT - KEY_ENTER] = "Left", [KEY_RIGHT - KEY_ENTER] = "Right", [KEY_HOME - KEY_ENTER] = "Home",
        [KEY_END - KEY_ENTER] = "End", [KEY_PAGEUP - KEY_ENTER] = "Page Up",
        [KEY_PAGEDOWN - KEY_ENTER] = "Page Down", [KEY_F1 - KEY_ENTER] = "F1", [KEY_F5 - KEY_ENTER] = "F5",
        [KEY_F11 - KEY_ENTER] = "F11", [KEY_F12 - KEY_ENTER] = "F12",
        [KEY_WHEEL_UP - KEY_ENTER] = "wheel up", [KEY_WHEEL_DOWN - KEY_ENTER] = "wheel down",
    };
    char key[24];
    if (p.key >= KEY_ENTER && p.key < KEY_LIMIT)
        snprintf(key, sizeof key, "%s", special[p.key - KEY_ENTER]);
    else if (p.key == ' ')
        snprintf(key, sizeof key, "Space");
    else if (p.mods && (p.key == '+' || p.key == '-'))
        snprintf(key, sizeof key, "%s", p.key == '+' ? "Plus" : "Minus");  // "Ctrl+Plus", not "Ctrl++"
    else if (p.key >= 'a' && p.key <= 'z')
        snprintf(key, sizeof key, "%c", p.key - 'a' + 'A');
    else
        snprintf(key, sizeof key, "%c", p.key > ' ' && p.key < 127 ? p.key : '?');
    snprintf(buf, (size_t)size, "%s%s%s", p.mods & KEYMOD_CTRL ? "Ctrl+" : "", p.mods & KEYMOD_SHIFT ? "Shift+" : "",
             key);
    return buf;
}

// ---- The overlay -----------------------------------------------------------------------------------

// Adds a table's rows to a section, an alias joining the row before it; rows
// a layer above has taken are left out (they do the other thing).
// With `join`, the rows go on in the last section instead of a new one.
static void add_section_(keys_overlay *o, const key_table *t, bool setup_off, const key_table *const *above,
                         int n_above, bool join) {
    if (join && o->n_sections > 0) {
        o->n_sections--;
    } else {
        if (o->n_sections == KEYS_MAX_SECTIONS) return;
        o->sections[o->n_sections].title = t->title;
        o->sections[o->n_sections].n = 0;
    }
    keys_section *sec = &o->sections[o->n_sections];
    for (int r = 0; r < t->n; r++) {
        const key_binding *b = &t->rows[r];
        bool taken = false;
        for (int i = 0; i < n_above && !taken; i++)
            for (int k = 0; k < above[i]->n; k++)
                if (above[i]->rows[k].key == b->key && above[i]->rows[k].mods == b->mods) taken = true;
        if (taken) continue;
        const key_press p = {b->key, b->mods};
        keys_entry *e = NULL;
        if ((b->flags & KEYF_ALIAS) && sec->n > 0 && sec->entries[sec->n - 1].kind == b->kind &&
            sec->entries[sec->n - 1].n_keys < KEYS_MAX_ENTRY_KEYS)
            e = &sec->entries[sec->n - 1];
        if (!e) {
            if (sec->n == KEYS_MAX_ENTRIES) break;
            e = &sec->entries[sec->n++];
            memset(e, 0, sizeof *e);
            e->does = b->does;
            e->kind = b->kind;
            e->disabled = setup_off && (b->flags & KEYF_SETUP);
        }
        char name[32];
        keys_name(p, name, sizeof name);
        const size_t len = strlen(e->text);
        snprintf(e->text + len, sizeof e->text - len, "%s%s", e->n_keys ? " or " : "", name);
        e->keys[e->n_keys++] = p;
    }
    if (sec->n > 0) o->n_sections++;
}

void keys_overlay_build(const app_state *s, keys_overlay *o) {
    memset(o, 0, sizeof *o);
    const key_table *layers[8];
    int view_at;
    // What the keys do once the help is closed (Esc and F1 close it).
    const int n = layers_(s, false, layers, &view_at);
    // Lesson first (when one drives), then the view, then the window's own.
    for (int i = 0; i < n; i++)
        if (layers[i] == &lesson_table_) add_section_(o, layers[i], false, layers, i, false);
    if (view_at >= 0) add_section_(o, layers[view_at], keys_lesson_drives(s), layers, view_at, false);
    // The window's keys, with the screenshot, under one heading.
    const key_table *window_rows[2] = {&global_table_, &window_table_};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < n; i++)
            if (layers[i] == window_rows[k]) add_section_(o, layers[i], false, layers, i, k == 1);
}

void keys_hint(const app_state *s, int max_keys, char *buf, int size) {
    const key_table *t = &view_get(s->view)->keys;
    const bool off = keys_lesson_drives(s);
    int used = 0, shown = 0;
    buf[0] = '\0';
    for (int r = 0; r < t->n && shown < max_keys; r++) {
        const key_binding *b = &t->rows[r];
        if (b->flags & KEYF_ALIAS || (off && (b->flags & KEYF_SETUP))) continue;
        char name[32];
        keys_name((key_press){b->key, b->mods}, name, sizeof name);
        const int w = snprintf(buf + used, (size_t)(size - used), "%s%s %s", shown ? ",  " : "", name, b->does);
        if (w < 0 || used + w >= size) break;
        used += w;
        shown++;
    }
    snprintf(buf + used, (size_t)(size - used), "%sF1 every key", shown ? ";  " : "");
}

void keys_lesson_short(char *buf, int size) {
    static const struct {
        app_action_kind kind;
        const char *word;
    } words[] = {{ACT_LESSON_NEXT, "next"}, {ACT_LESSON_BACK, "back"}, {ACT_LESSON_RESTART, "restart"},
                 {ACT_LESSON_AUTOPLAY, "autoplay"}, {ACT_LESSON_CLOSE, "close"}};
    int used = 0;
    buf[0] = '\0';
    keys_overlay o;
    memset(&o, 0, sizeof o);
    add_section_(&o, &lesson_table_, false, NULL, 0, false);
    for (int i = 0; i < o.sections[0].n; i++) {
        const keys_entry *e = &o.sections[0].entries[i];
        const char *word = e->does;
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
            if (words[w].kind == e->kind) word = words[w].word;
        const int n = snprintf(buf + used, (size_t)(size - used), "%s%s %s", i ? ", " : "", e->text, word);
        if (n < 0 || used + n >= size) break;
        used += n;
    }
}

void keys_lesson_line(char *buf, int size) {
    int used = 0;
    buf[0] = '\0';
    keys_section sec;
    keys_overlay o;
    memset(&o, 0, sizeof o);
    add_section_(&o, &lesson_table_, false, NULL, 0, false);
    sec = o.sections[0];
    for (int i = 0; i < sec.n; i++) {
        const int w = snprintf(buf + used, (size_t)(size - used), "%s%s: %s", i ? "; " : "", sec.entries[i].text,
                               sec.entries[i].does);
        if (w < 0 || used + w >= size) break;
        used += w;
    }
}
