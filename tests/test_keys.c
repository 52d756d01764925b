// test_keys.c - the key tables against what they claim: for every view, with
// and without a lesson driving it, each key the F1 overlay lists does what
// the overlay says, and every key that does something is in the overlay;
// while a lesson drives a view no key or button changes what it set up.
// Keys are tried by brute force: every character and special key with every
// modifier, through the same lookup input.c uses.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "layout.h"
#include "lesson.h"
#include "lesson_play.h"
#include "update.h"
#include "views.h"

static const unsigned mod_sets_[] = {0, KEYMOD_SHIFT, KEYMOD_CTRL, KEYMOD_SHIFT | KEYMOD_CTRL};

// A fake font: every character 8 pixels wide at any size.
static int width_(void *ctx, const char *text, int px, bool mono) {
    (void)ctx, (void)px, (void)mono;
    return (int)strlen(text) * 8;
}

static bool is_key_(int k) { return (k >= ' ' && k < 127) || (k >= KEY_ENTER && k < KEY_LIMIT); }

// The overlay's entry for a key, or NULL.
static const keys_entry *listed_(const keys_overlay *o, key_press p) {
    for (int i = 0; i < o->n_sections; i++)
        for (int e = 0; e < o->sections[i].n; e++)
            for (int k = 0; k < o->sections[i].entries[e].n_keys; k++)
                if (o->sections[i].entries[e].keys[k].key == p.key && o->sections[i].entries[e].keys[k].mods == p.mods)
                    return &o->sections[i].entries[e];
    return NULL;
}

// How many overlay entries list the key (each key belongs in one place).
static int times_listed_(const keys_overlay *o, key_press p) {
    int n = 0;
    for (int i = 0; i < o->n_sections; i++)
        for (int e = 0; e < o->sections[i].n; e++)
            for (int k = 0; k < o->sections[i].entries[e].n_keys; k++)
                n += o->sections[i].entries[e].keys[k].key == p.key && o->sections[i].entries[e].keys[k].mods == p.mods;
    return n;
}

// Checks overlay and lookup agree in this state; returns how many keys are bound.
static int check_agree_(const app_state *s, const char *what) {
    keys_overlay o;
    keys_overlay_build(s, &o);
    ui_layout l;
    const ui_metrics m = {width_, NULL};
    layout_compute(&l, s, 1280, 720, &m);
    int bound = 0;
    for (int k = 0; k < KEY_LIMIT; k++) {
        if (!is_key_(k)) continue;
        for (size_t mi = 0; mi < sizeof mod_sets_ / sizeof mod_sets_[0]; mi++) {
            const key_press p = {k, mod_sets_[mi]};
            const app_action a = keys_action(s, &l, p);
            const keys_entry *e = listed_(&o, p);
            char name[32];
            keys_name(p, name, sizeof name);
            if (times_listed_(&o, p) > 1) {
                print_error("%s: %s is listed %d times\n", what, name, times_listed_(&o, p));
                fail();
            }
            if (a.kind != ACT_NONE) {
                bound++;
                if (!e || e->disabled || e->kind != a.kind) {
                    print_error("%s: %s does action %d but the overlay %s\n", what, name, (int)a.kind,
                                !e ? "does not list it" : e->disabled ? "says it is off" : "says another");
                    fail();
                }
                // Its name is written in the entry's text.
                if (!strstr(e->text, name)) {
                    print_error("%s: the entry '%s' does not name %s\n", what, e->text, name);
                    fail();
                }
            } else if (e && !e->disabled) {
                print_error("%s: the overlay lists %s (%s) but it does nothing\n", what, name, e->does);
                fail();
            }
        }
    }
    return bound;
}

// A lesson that sets up the convolution view and waits.
static const char lesson_text_[] =
    "title Keys\n"
    "view conv\n"
    "input 1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16\n"
    "kernel 1 0; 0 1\n"
    "say A 4x4 input and a 2x2 kernel.\n"
    "wait\n"
    "say The end.\n";

typedef struct fixture_ {
    app_state s;
    lesson l;
} fixture_;

static int setup_(void **st) {
    fixture_ *f = calloc(1, sizeof *f);
    if (!f) return -1;
    app_state_init(&f->s);
    char err[300];
    if (!lesson_parse(&f->l, lesson_text_, "keys.lesson", err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        free(f);
        return -1;
    }
    *st = f;
    return 0;
}

static int teardown_(void **st) {
    fixture_ *f = *st;
    lesson_free(&f->l);
    free(f);
    return 0;
}

static void test_overlay_matches_bindings_in_every_view(void **st) {
    fixture_ *f = *st;
    for (int v = 0; v < VIEW_COUNT; v++) {
        app_state_init(&f->s);
        f->s.view = (app_view)v;
        char what[64];
        snprintf(what, sizeof what, "view %s", view_get((app_view)v)->name);
        // Every view has keys of its own besides the window's.
        assert_true(check_agree_(&f->s, what) > 10);
    }
}

static void test_overlay_matches_bindings_while_a_lesson_drives(void **st) {
    fixture_ *f = *st;
    for (int v = 0; v < VIEW_COUNT; v++) {
        app_state_init(&f->s);
        lesson_start(&f->s, NULL, &f->l, NULL);
        f->s.view = (app_view)v;
        char what[64];
        snprintf(what, sizeof what, "lesson in view %s", view_get((app_view)v)->name);
        check_agree_(&f->s, what);
        if (!view_get((app_view)v)->has_panel) continue;
        // The lesson's keys win over the view's: Backspace goes back in the
        // drawing view too (where it otherwise clears the canvas).
        const app_action back = keys_action(&f->s, NULL, (key_press){KEY_BACKSPACE, 0});
        assert_int_equal(back.kind, ACT_LESSON_BACK);
        assert_int_equal(keys_action(&f->s, NULL, (key_press){KEY_F5, 0}).kind, ACT_LESSON_RESTART);
        assert_int_equal(keys_action(&f->s, NULL, (key_press){'a', 0}).kind, ACT_LESSON_AUTOPLAY);
        assert_int_equal(keys_action(&f->s, NULL, (key_press){KEY_ESCAPE, 0}).kind, ACT_LESSON_CLOSE);
        assert_int_equal(keys_action(&f->s, NULL, (key_press){KEY_PAGEDOWN, 0}).kind, ACT_LESSON_NEXT);
    }
}

// The overlay's sections, in order, for a view a lesson drives.
static void test_overlay_names_the_lesson_keys_first(void **st) {
    fixture_ *f = *st;
    app_state_init(&f->s);
    lesson_start(&f->s, NULL, &f->l, NULL);
    assert_int_equal(f->s.view, VIEW_CONV);
    keys_overlay o;
    keys_overlay_build(&f->s, &o);
    assert_true(o.n_sections >= 3);
    assert_string_equal(o.sections[0].title, "lesson");
    assert_string_equal(o.sections[0].entries[0].text, "Enter or Page Down");
    assert_string_equal(o.sections[1].title, "convolution");
    // The convolution view's set-up keys are listed, as off.
    const keys_entry *k = listed_(&o, (key_press){'k', 0});
    assert_non_null(k);
    assert_true(k->disabled);
    char line[400];
    keys_lesson_line(line, sizeof line);
    assert_non_null(strstr(line, "Enter or Page Down: next step of the lesson"));
    assert_non_null(strstr(line, "F5: start the lesson again"));
    assert_null(strstr(line, "Right"));  // the old help promised Right/Left
}

static void test_no_key_changes_a_lessons_setup(void **st) {
    fixture_ *f = *st;
    app_state *s = &f->s;
    app_state_init(s);
    lesson_start(s, NULL, &f->l, NULL);
    assert_int_equal(s->view, VIEW_CONV);
    assert_int_equal(s->conv.setup.n_h, 4);
    assert_int_equal(s->conv.setup.k, 2);
    const conv_setup before = s->conv.setup;
    int refused = 0;
    for (int k = 0; k < KEY_LIMIT; k++) {
        if (!is_key_(k)) continue;
        for (size_t mi = 0; mi < sizeof mod_sets_ / sizeof mod_sets_[0]; mi++) {
            const app_action a = keys_action(s, NULL, (key_press){k, mod_sets_[mi]});
            app_update(s, &a);
            s->effects.n = 0;  // the lesson's own keys ask the runtime; none here
            s->view = VIEW_CONV, s->help = false, s->quit = false;
            refused += strstr(s->status, "the lesson set this up") != NULL;
            s->status[0] = '\0';
            assert_memory_equal(&before, &s->conv.setup, sizeof before);
        }
    }
    assert_int_equal(refused, 0);  // keys that would change it are off, not refused
    // The panel's set-up buttons are off; their actions, if they came anyway, are refused with a reason.
    ui_layout l;
    const ui_metrics m = {width_, NULL};
    layout_compute(&l, s, 1280, 720, &m);
    int setup_buttons = 0;
    for (int i = 0; i < l.n_buttons; i++) {
        if (!keys_changes_setup(l.buttons[i].action.kind)) continue;
        setup_buttons++;
        assert_false(l.buttons[i].enabled);  // drawn off, and a click does not reach it
        app_update(s, &l.buttons[i].action);
        assert_non_null(strstr(s->status, "the lesson set this up"));
        s->status[0] = '\0';
        assert_memory_equal(&before, &s->conv.setup, sizeof before);
    }
    assert_true(setup_buttons >= 10);  // size, kernel, padding, stride, ..., presets
    const app_action edit = {.kind = ACT_SELECT_CELL, .cell = {GRID_INPUT, 0, 1, 1}};
    app_update(s, &edit);
    assert_false(s->editing);
    // Stepping through the output stays free: it explores, it sets nothing up.
    const app_action restart = {.kind = ACT_RESTART}, step = {.kind = ACT_STEP_FORWARD};
    app_update(s, &restart);
    assert_int_equal(s->conv.anim.pos, 0);
    app_update(s, &step);
    app_update(s, &step);
    assert_int_equal(s->conv.anim.pos, 1);
    // Without the lesson the same key does change it (so the check above can fail).
    lesson_close(s);
    const app_action k = keys_action(s, NULL, (key_press){'k', 0});
    app_update(s, &k);
    assert_int_equal(s->conv.setup.k, 3);
}

// Every row says what it does, and no table binds one key twice (the second
// row could never be reached).
static void test_tables_are_well_formed(void **st) {
    (void)st;
    for (int v = 0; v < VIEW_COUNT; v++) {
        const key_table *t = &view_get((app_view)v)->keys;
        assert_non_null(t->title);
        for (int i = 0; i < t->n; i++) {
            assert_non_null(t->rows[i].does);
            assert_true(t->rows[i].does[0] != '\0');
            for (int j = i + 1; j < t->n; j++)
                assert_false(t->rows[i].key == t->rows[j].key && t->rows[i].mods == t->rows[j].mods);
        }
    }
}

// One table of views: names, the home menu, the messages.
static void test_view_table(void **st) {
    (void)st;
    static const char *const names[] = {"conv", "pool", "train", "templates", "cnn", "network", "draw", "lessons", "home",
                                        "unit", "backprop"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const view_def *v = view_find(names[i]);
        assert_non_null(v);
        assert_string_equal(v->name, names[i]);
        assert_ptr_equal(view_get(v->id), v);
    }
    assert_null(view_find("cinema"));
    assert_string_equal(view_names(true), "conv, pool, convt, backprop, train, templates, cnn, network, draw, lessons or home");
    assert_string_equal(view_names(false), "conv, pool, convt, backprop, train, templates, cnn, network or draw");
    // The home menu lists every view but home and the unit view (the network
    // view opens it), each once.
    assert_int_equal(view_menu_count(), VIEW_COUNT - 2);
    bool seen[VIEW_COUNT] = {false};
    for (int i = 0; i < view_menu_count(); i++) {
        const app_view id = view_menu_item(i);
        assert_true(id != VIEW_HOME && id != VIEW_UNIT);
        assert_false(seen[id]);
        seen[id] = true;
    }
}

// Past LAYOUT_MAX_BUTTONS a layout hands out its overflow button, which is
// never drawn or hit, so setting its flags touches no real button (the old
// layout patched "the last two buttons" by index and hit others).
static void test_layout_button_overflow_touches_no_other(void **st) {
    (void)st;
    static ui_layout l;
    memset(&l, 0, sizeof l);
    for (int i = 0; i < LAYOUT_MAX_BUTTONS; i++) {
        ui_button *b = layout_button(&l, ui_rect_at(i, 0, 1, 1), "x", ACT_PRESET, i);
        assert_ptr_equal(b, &l.buttons[i]);
        assert_true(b->enabled);
    }
    ui_panel p = {&l, 0, 0, 100, 10, 2};
    const ui_button_pair extra = layout_stepper(&p, ACT_SET_KERNEL, 3, 1, 7);
    assert_ptr_equal(extra.first, &l.overflow);
    assert_ptr_equal(extra.second, &l.overflow);
    extra.first->active = true;
    extra.first->action.value = 99;
    assert_int_equal(l.n_buttons, LAYOUT_MAX_BUTTONS);
    for (int i = 0; i < LAYOUT_MAX_BUTTONS; i++) {
        assert_false(l.buttons[i].active);
        assert_int_equal(l.buttons[i].action.value, i);
    }
    assert_false(l.overflow.enabled);
    // A click where the overflow button would be finds nothing.
    assert_int_equal(layout_hit(&l, extra.first->r.x + 1, extra.first->r.y + 1).kind, ACT_NONE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_overlay_matches_bindings_in_every_view, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_overlay_matches_bindings_while_a_lesson_drives, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_overlay_names_the_lesson_keys_first, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_no_key_changes_a_lessons_setup, setup_, teardown_),
        cmocka_unit_test(test_tables_are_well_formed),
        cmocka_unit_test(test_view_table),
        cmocka_unit_test(test_layout_button_overflow_touches_no_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
