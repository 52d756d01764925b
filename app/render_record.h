// render_record.h - what a frame drew, as data: every text with its string,
// font size and measured box, every value cell with the value it shows, every
// button with its label, noted by the shared drawing primitives (render_kit.c)
// while a recorder is active, then saved as JSON with the layout's regions and
// grids (--layout-json) for the layout checks (tests/tools/layout_check.py).
// Nothing is noted, and nothing costs, while no recorder is active.
#ifndef APP_RENDER_RECORD_H
#define APP_RENDER_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"
#include "ui_kit.h"

typedef enum rec_kind { REC_TEXT, REC_CELL, REC_BUTTON, REC_IMAGE } rec_kind;

// What else is true of an item.
enum {
    REC_HIDDEN = 1,     // a cell with a value too big for it: shown empty
    REC_PENDING = 2,    // a cell not computed yet: empty on purpose
    REC_TRUNCATED = 4,  // wrapped text that ran out of room: the rest is not drawn
    REC_DISABLED = 8,   // a button drawn off
    REC_ELLIPSIS = 16,  // text shortened to fit, ending in an ellipsis (the whole is elsewhere or not needed)
};

typedef struct rec_item {
    rec_kind kind;
    const char *role;    // a static name: "body", "cell", "button" ...
    char *text;          // the string drawn (cells, buttons: the one shown); owned
    ui_rect rect;        // text: its measured box; cell, button, image: the box drawn
    ui_rect inner;       // text: the box it was meant to fit (w 0: none); cell, button: the text's box
    int px;              // font size in pixels (0: no text)
    const char *region;  // a static name, or NULL: the layout region holding the centre
    unsigned flags;
} rec_item;

typedef struct render_record {
    rec_item *items;
    int n, cap;
    bool out_of_memory;  // some items could not be kept (the save then fails)
    const char *layer;   // the region every item from now on is in (the help overlay), or NULL
} render_record;

// Makes r the recorder the primitives note into (NULL: none, the default),
// emptied of any earlier frame's items.
void render_record_start(render_record *r);
// No recorder from now on.
void render_record_stop(void);
// The active recorder, or NULL.
render_record *render_record_active(void);
// Forgets the items (the recorder stays usable).
void render_record_clear(render_record *r);
void render_record_free(render_record *r);

// Notes an item in the active recorder; NULL when there is none (or no memory).
rec_item *render_record_add(rec_kind kind, const char *role, const char *text, ui_rect rect, int px);

// Saves the items with the layout's regions and grids as JSON at path,
// written whole or not at all; false with a sentence naming the path.
bool render_record_save(const render_record *r, const app_state *s, const ui_layout *l, const char *path,
                        char *err, size_t errsize);

#endif
