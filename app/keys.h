// keys.h - every key the window answers, as tables: one per view (views/*.c
// own theirs), one for the lesson player and one for the whole window. The
// same rows turn a key press into an action (input.c hands over the press,
// SDL-free) and write the F1 overlay and the footer's hints, so what the
// screen says a key does is what it does.
//
// Layers, first match wins:
//   window   F12 screenshot (changes nothing, so it works everywhere)
//   editing  while a cell is typed into: Enter/Tab keep, Esc cancels, Backspace
//   lesson   while a lesson drives a view: next, back, restart, autoplay, close;
//            a view cannot shadow these, and the view's set-up keys are off
//   help     while the overlay is open, Esc closes it
//   global   help, fullscreen, zoom, palette, quit, Esc back
//   view     the view's own table
#ifndef APP_KEYS_H
#define APP_KEYS_H

#include <stdbool.h>

#include "keymap.h"
#include "state.h"

struct ui_layout;

// The action a key press asks for in this state (ACT_NONE for nothing). The
// layout (may be NULL) gives what some keys need: the lesson menu's page size.
app_action keys_action(const app_state *s, const struct ui_layout *l, key_press p);

// The name of a key as the overlay writes it ("Shift+K", "Page Down", "Space").
const char *keys_name(key_press p, char *buf, int size);

// The overlay: its sections (lesson, view, window) for the state's view, each
// a list of entries; an entry is one row with its aliases.
#define KEYS_MAX_ENTRY_KEYS 4
#define KEYS_MAX_ENTRIES 64
#define KEYS_MAX_SECTIONS 4

typedef struct keys_entry {
    int n_keys;
    key_press keys[KEYS_MAX_ENTRY_KEYS];
    char text[64];            // the keys' names, "Enter or Page Down"
    const char *does;
    app_action_kind kind;
    bool disabled;            // a set-up key while a lesson runs
} keys_entry;

typedef struct keys_section {
    const char *title;
    int n;
    keys_entry entries[KEYS_MAX_ENTRIES];
} keys_section;

typedef struct keys_overlay {
    int n_sections;
    keys_section sections[KEYS_MAX_SECTIONS];
} keys_overlay;

void keys_overlay_build(const app_state *s, keys_overlay *o);

// A short line of the view's first `max_keys` keys for the footer
// ("Space play / pause,  Right one step forward; F1 every key").
void keys_hint(const app_state *s, int max_keys, char *buf, int size);

// The lesson player's keys in one line ("Enter or Page Down next, ..."), for
// `convstep lesson --help` and the lesson menu.
void keys_lesson_line(char *buf, int size);

// The same, short, for a heading ("Enter or Page Down next, ... Esc close").
void keys_lesson_short(char *buf, int size);

// True while a lesson drives the view, so set-up keys and clicks are off.
bool keys_lesson_drives(const app_state *s);

// True for actions that change what a lesson set up (the state refuses them
// while a lesson drives the view).
bool keys_changes_setup(app_action_kind kind);

#endif
