// keymap.h - the shape of a key table: key codes, modifiers and rows. The
// views (views/*.c) write their tables with these; keys.c reads them.
#ifndef APP_KEYMAP_H
#define APP_KEYMAP_H

#include "state.h"

struct ui_layout;

// A key: printable characters are themselves ('k', ' ', '+', '['; letters in
// lower case, Shift is a modifier); the rest are KEY_* codes.
enum {
    KEY_ENTER = 256, KEY_ESCAPE, KEY_BACKSPACE, KEY_TAB, KEY_DELETE,
    KEY_UP, KEY_DOWN, KEY_LEFT, KEY_RIGHT, KEY_HOME, KEY_END, KEY_PAGEUP, KEY_PAGEDOWN,
    KEY_F1, KEY_F5, KEY_F11, KEY_F12,
    KEY_WHEEL_UP, KEY_WHEEL_DOWN,   // the mouse wheel, a notch
    KEY_LIMIT
};

enum { KEYMOD_SHIFT = 1, KEYMOD_CTRL = 2 };

typedef struct key_press {
    int key;
    unsigned mods;  // KEYMOD_*
} key_press;

// Row flags.
enum {
    KEYF_SETUP = 1,   // changes what a lesson set up: off while a lesson drives the view
    KEYF_ALIAS = 2,   // another key for the row above: the overlay lists them together
};

// Turns a press into an action when the row's action depends on the state
// (kernel size up = the current size + 1). NULL: {kind, value} as written.
typedef app_action (*key_resolve_fn)(const app_state *s, const struct ui_layout *l, int value);

typedef struct key_binding {
    int key;
    unsigned mods;            // exactly these must be held
    app_action_kind kind;
    int value;
    key_resolve_fn resolve;
    unsigned flags;
    const char *does;         // "kernel size up", for the overlay
} key_binding;

typedef struct key_table {
    const char *title;        // the overlay's heading for these rows
    const key_binding *rows;
    int n;
} key_table;

#define KEY_TABLE(title, rows) {title, rows, (int)(sizeof rows / sizeof rows[0])}

#endif
