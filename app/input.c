// input.c - keyboard and mouse to actions.
#include "input.h"

static app_action act_(app_action_kind kind, int value) {
    app_action a = {.kind = kind, .value = value};
    return a;
}

// Keys while a cell is being edited: digits, '.', '-', Backspace, Enter, Esc.
static app_action editing_key_(const SDL_Event *e) {
    const SDL_Keycode k = e->key.keysym.sym;
    if (k == SDLK_RETURN || k == SDLK_KP_ENTER || k == SDLK_TAB) return act_(ACT_EDIT_COMMIT, 0);
    if (k == SDLK_ESCAPE) return act_(ACT_EDIT_CANCEL, 0);
    if (k == SDLK_BACKSPACE) return act_(ACT_EDIT_BACKSPACE, 0);
    return act_(ACT_NONE, 0);
}

static app_action view_key_(const app_state *s, SDL_Keycode k, bool shift) {
    const bool conv = s->view == VIEW_CONV;
    const int n = conv ? s->conv.setup.n_h : s->pool.setup.n_h;
    switch (k) {
    case SDLK_SPACE: return act_(ACT_PLAY_PAUSE, 0);
    case SDLK_RIGHT: return act_(ACT_STEP_FORWARD, 0);
    case SDLK_LEFT: return act_(ACT_STEP_BACK, 0);
    case SDLK_HOME: return act_(ACT_RESTART, 0);
    case SDLK_END: return act_(ACT_TO_END, 0);
    case SDLK_PLUS: case SDLK_EQUALS: case SDLK_KP_PLUS: return act_(ACT_FASTER, 0);
    case SDLK_MINUS: case SDLK_KP_MINUS: return act_(ACT_SLOWER, 0);
    case SDLK_p: return act_(ACT_CYCLE_PADDING, 0);
    case SDLK_s: return act_(ACT_SET_STRIDE, (conv ? s->conv.setup.stride : s->pool.setup.stride) + (shift ? -1 : 1));
    case SDLK_k:
        return conv ? act_(ACT_SET_KERNEL, s->conv.setup.k + (shift ? -1 : 1))
                    : act_(ACT_SET_POOL_SIZE, s->pool.setup.size + (shift ? -1 : 1));
    case SDLK_n: return act_(ACT_SET_SIZE, n + (shift ? -1 : 1));
    case SDLK_d: return act_(ACT_SET_DILATION, s->conv.setup.dilation + (shift ? -1 : 1));
    case SDLK_c: return act_(ACT_SET_CHANNELS, s->conv.setup.channels % VIEW_MAX_C + 1);
    case SDLK_r: return act_(ACT_RANDOMISE, 0);
    case SDLK_g: return act_(ACT_LOAD_DIGIT, -1);
    case SDLK_b: return act_(ACT_PALETTE, 0);
    default: break;
    }
    if (k >= SDLK_1 && k <= SDLK_8) return act_(ACT_PRESET, (int)(k - SDLK_1));
    return act_(ACT_NONE, 0);
}

// The canvas position of a window point, when it is over the canvas.
static bool canvas_point_(const ui_layout *l, int x, int y, float *cx, float *cy) {
    const ui_rect c = l->canvas;
    if (c.w <= 0 || x < c.x || y < c.y || x >= c.x + c.w || y >= c.y + c.h) return false;
    *cx = (float)(x - c.x) * DRAW_SIDE / c.w;
    *cy = (float)(y - c.y) * DRAW_SIDE / c.h;
    return true;
}

static app_action training_key_(const app_state *s, SDL_Keycode k, bool shift) {
    switch (k) {
    case SDLK_SPACE: return act_(ACT_TRAIN_TOGGLE, 0);
    case SDLK_r: return act_(ACT_TRAIN_RESET, 0);
    case SDLK_UP: return act_(ACT_LR_UP, 0);
    case SDLK_DOWN: return act_(ACT_LR_DOWN, 0);
    case SDLK_s: return act_(shift ? ACT_SLOWMO_LESS : ACT_SLOWMO_MORE, 0);
    case SDLK_n: case SDLK_g: return act_(ACT_INSPECT_NEXT, 0);
    case SDLK_b: return act_(ACT_PALETTE, 0);
    default: break;
    }
    if (s->view == VIEW_TRAIN && k >= SDLK_1 && k < SDLK_1 + app_train_model_count())
        return act_(ACT_TRAIN_MODEL, (int)(k - SDLK_1));
    return act_(ACT_NONE, 0);
}

static app_action drawing_key_(const app_state *s, SDL_Keycode k) {
    switch (k) {
    case SDLK_c: case SDLK_DELETE: case SDLK_BACKSPACE: return act_(ACT_DRAW_CLEAR, 0);
    case SDLK_u: case SDLK_z: return act_(ACT_DRAW_UNDO, 0);
    case SDLK_LEFTBRACKET: return act_(ACT_BRUSH, s->draw.brush - 1);
    case SDLK_RIGHTBRACKET: return act_(ACT_BRUSH, s->draw.brush + 1);
    case SDLK_l: return act_(ACT_DRAW_MODEL, 0);
    default: return act_(ACT_NONE, 0);
    }
}

app_action input_action(const app_state *s, const ui_layout *l, const SDL_Event *e, bool *screenshot) {
    *screenshot = false;
    // The pen: down on the canvas, moves while held, up anywhere.
    if (s->view == VIEW_DRAW && !s->help) {
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
            a.fx = c.w > 0 ? (float)(e->motion.x - c.x) * DRAW_SIDE / c.w : 0;
            a.fy = c.h > 0 ? (float)(e->motion.y - c.y) * DRAW_SIDE / c.h : 0;
            return a;
        }
        if (e->type == SDL_MOUSEBUTTONUP && e->button.button == SDL_BUTTON_LEFT && s->draw.pen_down)
            return act_(ACT_PEN_UP, 0);
    }
    switch (e->type) {
    case SDL_QUIT: return act_(ACT_QUIT, 0);
    case SDL_TEXTINPUT:
        if (s->editing || (s->player.l && s->player.quiz_open && s->player.quiz_result == 0 &&
                           ((e->text.text[0] >= '0' && e->text.text[0] <= '9') || e->text.text[0] == '.' ||
                            e->text.text[0] == '-' || e->text.text[0] == 'x'))) {
            app_action a = act_(ACT_TYPE_CHAR, 0);
            a.ch = e->text.text[0];
            return a;
        }
        if (e->text.text[0] == '?') return act_(ACT_HELP, 0);
        return act_(ACT_NONE, 0);
    case SDL_MOUSEWHEEL:
        // The lesson menu scrolls a row per notch (its pages follow the focus).
        if (s->view == VIEW_LESSONS && !s->help && e->wheel.y != 0) {
            const int dy = e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? -e->wheel.y : e->wheel.y;
            return act_(ACT_LESSON_FOCUS, s->lesson_focus - dy);
        }
        return act_(ACT_NONE, 0);
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button != SDL_BUTTON_LEFT) return act_(ACT_NONE, 0);
        if (s->help) return act_(ACT_HELP, 0);  // a click closes the help
        return layout_hit(l, e->button.x, e->button.y);
    case SDL_KEYDOWN: break;
    default: return act_(ACT_NONE, 0);
    }
    const SDL_Keycode k = e->key.keysym.sym;
    const Uint16 mod = e->key.keysym.mod;
    const bool ctrl = (mod & KMOD_CTRL) != 0, shift = (mod & KMOD_SHIFT) != 0;
    // The screenshot is the window's, whatever the view is doing: it changes
    // nothing, so it comes before the keys an edit or a quiz takes over.
    if (k == SDLK_F12) {
        *screenshot = true;
        return act_(ACT_NONE, 0);
    }
    if (s->editing) return editing_key_(e);
    // A lesson's keys come first while one is open (the view stays usable).
    if (s->player.l && s->view != VIEW_LESSONS && s->view != VIEW_HOME) {
        const bool answering = s->player.quiz_open && s->player.quiz_result == 0;
        const bool typing = answering && s->player.quiz_typed[0];
        // While an answer can be typed, its characters are not shortcuts too.
        if (answering && ((k >= SDLK_0 && k <= SDLK_9) || k == SDLK_PERIOD || k == SDLK_MINUS || k == SDLK_x ||
                          (k >= SDLK_KP_1 && k <= SDLK_KP_0)))
            return act_(ACT_NONE, 0);
        if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && typing) return act_(ACT_EDIT_COMMIT, 0);
        if (k == SDLK_BACKSPACE && typing) return act_(ACT_EDIT_BACKSPACE, 0);
        if (k == SDLK_RETURN || k == SDLK_KP_ENTER || k == SDLK_PAGEDOWN) return act_(ACT_LESSON_NEXT, 0);
        if (k == SDLK_PAGEUP || k == SDLK_BACKSPACE) return act_(ACT_LESSON_BACK, 0);
        if (k == SDLK_a) return act_(ACT_LESSON_AUTOPLAY, 0);
        // Esc first stops a 'train N' the lesson is waiting for, then closes it.
        if (k == SDLK_ESCAPE) return act_(s->player.train_pending ? ACT_LESSON_STOP_TRAINING : ACT_LESSON_CLOSE, 0);
    }
    if (s->view == VIEW_LESSONS) {
        if (k == SDLK_DOWN || k == SDLK_TAB) return act_(ACT_HOME_NEXT, 0);
        if (k == SDLK_UP) return act_(ACT_HOME_PREV, 0);
        const int page = l->list_page > 0 ? l->list_page : 1;
        if (k == SDLK_PAGEDOWN) return act_(ACT_LESSON_FOCUS, s->lesson_focus + page);
        if (k == SDLK_PAGEUP) return act_(ACT_LESSON_FOCUS, s->lesson_focus - page);
        if (k == SDLK_HOME) return act_(ACT_LESSON_FOCUS, 0);
        if (k == SDLK_END) return act_(ACT_LESSON_FOCUS, s->host.n_lessons - 1);
        if (k == SDLK_RETURN || k == SDLK_KP_ENTER) return act_(ACT_LESSON_OPEN, s->lesson_focus);
        if (k == SDLK_ESCAPE) return act_(ACT_HOME, 0);
    }
    if (k == SDLK_F1) return act_(ACT_HELP, 0);
    if (k == SDLK_F11) return act_(ACT_FULLSCREEN, 0);
    if (ctrl && (k == SDLK_PLUS || k == SDLK_EQUALS || k == SDLK_KP_PLUS)) return act_(ACT_ZOOM_IN, 0);
    if (ctrl && (k == SDLK_MINUS || k == SDLK_KP_MINUS)) return act_(ACT_ZOOM_OUT, 0);
    if (ctrl && k == SDLK_0) return act_(ACT_ZOOM_RESET, 0);
    if (k == SDLK_q || (ctrl && k == SDLK_q)) return act_(ACT_QUIT, 0);
    if (k == SDLK_ESCAPE) return s->help ? act_(ACT_HELP, 0) : act_(ACT_BACK, 0);
    if (s->view == VIEW_TRAIN || s->view == VIEW_TEMPLATES || s->view == VIEW_CNN) return training_key_(s, k, shift);
    if (s->view == VIEW_DRAW) return drawing_key_(s, k);
    if (s->view == VIEW_HOME) {
        if (k == SDLK_DOWN || k == SDLK_RIGHT || k == SDLK_TAB) return act_(ACT_HOME_NEXT, 0);
        if (k == SDLK_UP || k == SDLK_LEFT) return act_(ACT_HOME_PREV, 0);
        if (k == SDLK_HOME || k == SDLK_PAGEUP) return act_(ACT_HOME_FOCUS, 0);
        if (k == SDLK_END || k == SDLK_PAGEDOWN) return act_(ACT_HOME_FOCUS, VIEW_COUNT - 2);
        if (k == SDLK_RETURN || k == SDLK_KP_ENTER || k == SDLK_SPACE) return act_(ACT_HOME_ENTER, 0);
        return act_(ACT_NONE, 0);
    }
    return view_key_(s, k, shift);
}
