// input.c - SDL events to actions: a key becomes a key_press that the key
// tables (keys.c) turn into an action, a click goes through the layout, the
// pen follows the mouse over the canvas, typed characters fill an edit or a
// quiz answer.
#include "input.h"

#include <string.h>

#include "keys.h"

// The name of the last file dropped onto the window: SDL's copy is freed at
// once, and the action points here (read by app_update before the next event).
static char dropped_[4096];

static app_action act_(app_action_kind kind, int value) {
    app_action a = {.kind = kind, .value = value};
    return a;
}

// SDL's key to ours: printable keys are their character, the keypad's are
// the main keys', and Shift on a symbol key ('+' is Shift+= on most
// keyboards) is part of the symbol, not a modifier.
static key_press press_of_(SDL_Keycode k, Uint16 mod) {
    key_press p = {0, 0};
    if (mod & KMOD_CTRL) p.mods |= KEYMOD_CTRL;
    if (mod & KMOD_SHIFT) p.mods |= KEYMOD_SHIFT;
    static const struct {
        SDL_Keycode sdl;
        int key;
    } map[] = {
        {SDLK_RETURN, KEY_ENTER}, {SDLK_KP_ENTER, KEY_ENTER}, {SDLK_ESCAPE, KEY_ESCAPE},
        {SDLK_BACKSPACE, KEY_BACKSPACE}, {SDLK_TAB, KEY_TAB}, {SDLK_DELETE, KEY_DELETE}, {SDLK_UP, KEY_UP},
        {SDLK_DOWN, KEY_DOWN}, {SDLK_LEFT, KEY_LEFT}, {SDLK_RIGHT, KEY_RIGHT}, {SDLK_HOME, KEY_HOME},
        {SDLK_END, KEY_END}, {SDLK_PAGEUP, KEY_PAGEUP}, {SDLK_PAGEDOWN, KEY_PAGEDOWN}, {SDLK_F1, KEY_F1},
        {SDLK_F5, KEY_F5}, {SDLK_F11, KEY_F11}, {SDLK_F12, KEY_F12}, {SDLK_KP_PLUS, '+'}, {SDLK_KP_MINUS, '-'},
        {SDLK_PLUS, '+'}, {SDLK_KP_0, '0'},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].sdl == k) {
            p.key = map[i].key;
            if (p.key == '+' || p.key == '-') p.mods &= ~(unsigned)KEYMOD_SHIFT;
            return p;
        }
    if (k >= SDLK_KP_1 && k <= SDLK_KP_9) {
        p.key = '1' + (int)(k - SDLK_KP_1);
        return p;
    }
    if (k == SDLK_EQUALS && (p.mods & KEYMOD_SHIFT)) {  // Shift+= types '+'
        p.key = '+';
        p.mods &= ~(unsigned)KEYMOD_SHIFT;
        return p;
    }
    if (k >= ' ' && k < 127) p.key = (int)k;
    if (p.key == '-' || p.key == '=') p.mods &= ~(unsigned)KEYMOD_SHIFT;
    return p;
}

// The canvas position of a window point, when it is over the canvas.
static bool canvas_point_(const ui_layout *l, int x, int y, float *cx, float *cy) {
    const ui_rect c = l->canvas;
    if (c.w <= 0 || x < c.x || y < c.y || x >= c.x + c.w || y >= c.y + c.h) return false;
    *cx = (float)(x - c.x) * DRAW_SIDE / c.w;
    *cy = (float)(y - c.y) * DRAW_SIDE / c.h;
    return true;
}

app_action input_action(const app_state *s, const ui_layout *l, const SDL_Event *e, bool *screenshot) {
    *screenshot = false;
    // The pen: down on the canvas (only the drawing view lays one out), moves
    // while held, up anywhere.
    if (l->canvas.w > 0 && !s->help) {
        float cx, cy;
        if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT &&
            canvas_point_(l, e->button.x, e->button.y, &cx, &cy)) {
            app_action a = act_(ACT_PEN_DOWN, 0);
            a.fx = cx, a.fy = cy;
            return a;
        }
        if (e->type == SDL_MOUSEMOTION && s->draw.pen_down) {
            const ui_rect c = l->canvas;
            app_action a = act_(ACT_PEN_MOVE, 0);
            a.fx = (float)(e->motion.x - c.x) * DRAW_SIDE / c.w;
            a.fy = (float)(e->motion.y - c.y) * DRAW_SIDE / c.h;
            return a;
        }
        if (e->type == SDL_MOUSEBUTTONUP && e->button.button == SDL_BUTTON_LEFT && s->draw.pen_down)
            return act_(ACT_PEN_UP, 0);
    }
    app_action a = act_(ACT_NONE, 0);
    switch (e->type) {
    case SDL_QUIT: return act_(ACT_QUIT, 0);
    case SDL_DROPFILE:
    case SDL_DROPTEXT: {
        // SDL allocated the name for us: it is ours to free, whatever we do with it.
        char *file = e->drop.file;
        if (!file) return a;
        const size_t n = strlen(file);
        // Dropped text (value 1) or a name too long to keep (no text): app_update says so.
        a = act_(ACT_DROP_FILE, e->type == SDL_DROPTEXT);
        if (e->type == SDL_DROPFILE && n < sizeof dropped_) {
            memcpy(dropped_, file, n + 1);
            a.text = dropped_;
        }
        SDL_free(file);
        return a;
    }
    case SDL_TEXTINPUT: {
        const char ch = e->text.text[0];
        const bool answering = s->player.l && s->player.quiz_open && s->player.quiz_result == 0;
        if (s->editing || (answering && ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == 'x'))) {
            a = act_(ACT_TYPE_CHAR, 0);
            a.ch = ch;
            return a;
        }
        // Characters typed with Shift that are keys of their own ('?').
        if (ch == '?') a = keys_action(s, l, (key_press){'?', 0});
        break;
    }
    case SDL_MOUSEWHEEL:
        if (!s->help && e->wheel.y != 0) {
            const int dy = e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? -e->wheel.y : e->wheel.y;
            a = keys_action(s, l, (key_press){dy > 0 ? KEY_WHEEL_UP : KEY_WHEEL_DOWN, 0});
        }
        break;
    case SDL_MOUSEMOTION: {
        // Hovering a cell lights what it is linked to (its window, the
        // outputs it feeds): only a change of cell is an action.
        if (s->help) return a;
        const app_action hit = layout_hit(l, e->motion.x, e->motion.y);
        a = act_(ACT_HOVER_CELL, 0);
        a.cell = hit.kind == ACT_SELECT_CELL ? hit.cell : (cell_ref){.grid = GRID_NONE};
        if (a.cell.grid == s->hover.grid && a.cell.row == s->hover.row && a.cell.col == s->hover.col &&
            a.cell.channel == s->hover.channel)
            return act_(ACT_NONE, 0);
        return a;
    }
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button != SDL_BUTTON_LEFT) return a;
        if (s->help) return act_(ACT_HELP, 0);  // a click closes the help
        return layout_hit(l, e->button.x, e->button.y);
    case SDL_KEYDOWN: a = keys_action(s, l, press_of_(e->key.keysym.sym, e->key.keysym.mod)); break;
    default: break;
    }
    // The screenshot is the window's: it has the pixels.
    if (a.kind == ACT_SCREENSHOT) {
        *screenshot = true;
        return act_(ACT_NONE, 0);
    }
    return a;
}
