// test_frame.c - the frame every view shares (app/layout.c, app/ui_kit.c),
// laid out with a fake font (every character 0.6 em wide): the panel's rows
// readable at every size and zoom, a lesson's narration holding its longest
// step with its buttons clear of its text, the footer in the window, the
// home menu's descriptions beside their buttons, the lesson menu's numbered
// rows, and a cut label that says it was cut.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layout.h"
#include "lesson.h"
#include "update.h"
#include "views.h"

#include "layout_fixture.h"

static const int SIZES[][2] = {{1280, 720}, {1920, 1080}, {3840, 2160}};
static const int ZOOMS[] = {100, 150, 200};

// The panel of every view with one: each button at least 4/3 of the readable
// type high (rd_setting_label draws a label at 3/4 of its row, rd_buttons at
// 2/3 of a button: both then reach l->min_px), inside the panel, none over
// another, and a setting's label with room for "learning rate 0.0005" at
// l->min_px (20 characters: 12 * min_px with the fake font) left of its "-".
static void test_panel_rows_readable(void **st) {
    app_state *s = *st;
    static ui_layout l;
    static const app_view views[] = {VIEW_CONV, VIEW_POOL, VIEW_TRAIN, VIEW_TEMPLATES, VIEW_CNN, VIEW_DRAW};
    for (size_t v = 0; v < sizeof views / sizeof views[0]; v++)
        for (size_t z = 0; z < 3; z++)
            for (size_t k = 0; k < 3; k++) {
                s->view = views[v];
                s->zoom = ZOOMS[z];
                layout_compute(&l, s, SIZES[k][0], SIZES[k][1], &METRICS);
                const int need = (l.min_px * 4 + 2) / 3;
                for (int i = 0; i < l.n_buttons; i++) {
                    const ui_button *b = &l.buttons[i];
                    if (!inside_(b->r, l.panel)) continue;  // "home" is in the header
                    if (b->r.h < need)
                        fail_msg("%s %dx%d zoom %d: '%s' is %d px high, under %d", view_get(views[v])->name,
                                 SIZES[k][0], SIZES[k][1], ZOOMS[z], b->label, b->r.h, need);
                    for (int j = 0; j < i; j++)
                        if (overlap_(b->r, l.buttons[j].r))
                            fail_msg("%s zoom %d: '%s' and '%s' overlap", view_get(views[v])->name, ZOOMS[z],
                                     b->label, l.buttons[j].label);
                    if (strcmp(b->label, "-") == 0) {
                        const int room = b->r.x - l.panel.x - l.pad * 2;
                        if (room < 12 * l.min_px)
                            fail_msg("%s %dx%d zoom %d: %d px for a label, under %d", view_get(views[v])->name,
                                     SIZES[k][0], SIZES[k][1], ZOOMS[z], room, 12 * l.min_px);
                    }
                }
                // The panel and the main area share the width between the header and the footer.
                assert_int_equal(l.panel.x, l.main.w);
                assert_int_equal(l.panel.y, l.header.h);
                assert_int_equal(l.panel.y + l.panel.h, l.footer.y);
                assert_int_equal(l.footer.y + l.footer.h, SIZES[k][1]);
            }
}

// 60 words of 4 letters: 299 characters with the spaces between them; the
// quiz's question below it.
static const char *LONG_LESSON =
    "title A long step\n"
    "view conv\n"
    "say word word word word word word word word word word word word word word word word word word word word "
    "word word word word word word word word word word word word word word word word word word word word "
    "word word word word word word word word word word word word word word word word word word word word\n"
    "quiz cell 0 0 What is the value of the first output cell? answer 12\n"
    "wait\n"
    "say a short one\n"
    "wait\n";

// A lesson open on the convolution view, its narration at the bottom of the
// main column: the narration above the footer, the footer in the window, the
// five buttons inside the narration and clear of the title and the text, and
// the text box tall enough (up to zoom 150) for the longest step at the narration's type:
// the lines the caption's 299 characters need at least (below), the quiz's
// question (at least one line) and two for its answer, 5/4 em apart.
static void test_narration_holds_longest_step(void **st) {
    app_state *s = *st;
    static lesson ls;
    char err[300];
    assert_true(lesson_parse(&ls, LONG_LESSON, "long.lesson", err, sizeof err));
    static ui_layout l;
    for (size_t z = 0; z < 3; z++)
        for (size_t k = 0; k < 2; k++) {
            s->view = VIEW_CONV;
            s->zoom = ZOOMS[z];
            s->player.l = &ls;
            s->player.n_cmds = ls.n;
            s->player.n_beats = 2;
            layout_compute(&l, s, SIZES[k][0], SIZES[k][1], &METRICS);
            const ui_rect win = {0, 0, SIZES[k][0], SIZES[k][1]};
            assert_true(l.narration.h > 0);
            assert_true(inside_(l.footer, win));
            assert_true(l.footer.h > 0);
            assert_int_equal(l.narration.y + l.narration.h, l.footer.y);
            assert_int_equal(l.main.y + l.main.h, l.narration.y);
            assert_false(overlap_(l.narration, l.panel));
            assert_true(inside_(l.narration_title, l.narration));
            assert_true(inside_(l.narration_text, l.narration));
            int nav = 0;
            for (int i = 0; i < l.n_buttons; i++) {
                const app_action_kind kind = l.buttons[i].action.kind;
                if (kind < ACT_LESSON_NEXT || kind > ACT_LESSON_AUTOPLAY) continue;
                nav++;
                assert_true(inside_(l.buttons[i].r, l.narration));
                assert_false(overlap_(l.buttons[i].r, l.narration_title));
                assert_false(overlap_(l.buttons[i].r, l.narration_text));
            }
            assert_int_equal(nav, 5);
            const int px = l.narration_px;
            assert_true(px >= l.min_px && px <= l.text_px);
            // L lines of at most w/em characters hold the 299 characters of
            // the caption less the L - 1 spaces the breaks drop: L * (w/em + 1) >= 300.
            const double em = 0.6 * px, per_line = l.narration_text.w / em + 1;
            int caption_lines = 1;
            while (caption_lines * per_line < 300) caption_lines++;
            const int need = (caption_lines + 1 + 2) * (px * 5 / 4);
            // At zoom 200 a 16:9 window has the room of one at 640x360: the
            // view keeps three rows of readable cells and a step this long
            // cannot fit; at 100% and 150% it must.
            assert_true(l.main.h >= 3 * l.min_cell);
            if (ZOOMS[z] <= 150 && l.narration_text.h < need)
                fail_msg("%dx%d zoom %d: the text box is %d px high, the step needs %d", SIZES[k][0], SIZES[k][1],
                         ZOOMS[z], l.narration_text.h, need);
        }
    s->player.l = NULL;
    lesson_free(&ls);
}

// The home menu: one button per view, a readable height, the descriptions'
// column right of the buttons and inside the window, rows apart.
static void test_home_menu_descriptions(void **st) {
    app_state *s = *st;
    static ui_layout l;
    for (size_t z = 0; z < 3; z++)
        for (size_t k = 0; k < 3; k++) {
            s->view = VIEW_HOME;
            s->zoom = ZOOMS[z];
            layout_compute(&l, s, SIZES[k][0], SIZES[k][1], &METRICS);
            const ui_rect win = {0, 0, SIZES[k][0], SIZES[k][1]};
            assert_int_equal(l.n_buttons, view_menu_count());
            assert_true(inside_(l.menu_notes, win));
            assert_true(l.menu_notes.y + l.menu_notes.h <= l.footer.y);
            for (int i = 0; i < l.n_buttons; i++) {
                const ui_rect b = l.buttons[i].r;
                assert_true(b.h >= (l.min_px * 4 + 2) / 3);
                assert_true(b.x + b.w < l.menu_notes.x);
                assert_true(b.y >= l.menu_intro.y + l.menu_intro.h);
                if (i > 0) assert_true(b.y >= l.buttons[i - 1].r.y + l.buttons[i - 1].r.h);
            }
        }
}

// The lesson menu: each row says its lesson's number and title ("01  What a
// convolution is"), its length and the minute of the course it starts at
// (the course lessons before it: 8 + 3 = 11 for the third), an extra
// ("x1-...") is "extra 1" without a start, a row without a number its title,
// and a title too long for a label ends in an ellipsis within the label's 64 bytes.
static void test_lesson_menu_numbered_rows(void **st) {
    app_state *s = *st;
    static lesson_entry entries[6];
    memset(entries, 0, sizeof entries);
    snprintf(entries[0].name, sizeof entries[0].name, "01-what-is-a-convolution.lesson");
    snprintf(entries[0].title, sizeof entries[0].title, "What a convolution is");
    entries[0].steps = 9, entries[0].minutes = 8;
    snprintf(entries[1].name, sizeof entries[1].name, "extra.lesson");
    snprintf(entries[1].title, sizeof entries[1].title, "An extra one");
    snprintf(entries[2].name, sizeof entries[2].name, "12-long.lesson");
    memset(entries[2].title, 'x', 95);  // the longest title: "12  " and 95 x, 99 bytes, held whole
    snprintf(entries[3].name, sizeof entries[3].name, "13-why.lesson");
    snprintf(entries[3].title, sizeof entries[3].title, "Why");
    entries[3].steps = 4, entries[3].minutes = 3;
    snprintf(entries[4].name, sizeof entries[4].name, "14-then.lesson");
    snprintf(entries[4].title, sizeof entries[4].title, "Then");
    entries[4].steps = 2, entries[4].minutes = 1;
    snprintf(entries[5].name, sizeof entries[5].name, "x1-dilation.lesson");
    snprintf(entries[5].title, sizeof entries[5].title, "Dilation");
    entries[5].steps = 3, entries[5].minutes = 3;
    s->host.lessons = entries;
    s->host.n_lessons = 6;
    s->view = VIEW_LESSONS;
    static ui_layout l;
    layout_compute(&l, s, 1280, 720, &METRICS);
    const char *labels[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    for (int i = 0; i < l.n_buttons; i++)
        if (l.buttons[i].action.kind == ACT_LESSON_OPEN) labels[l.buttons[i].action.value] = l.buttons[i].label;
    assert_string_equal(labels[0], "01  What a convolution is  (9 steps, 8 min, from minute 0)");
    assert_string_equal(labels[3], "13  Why  (4 steps, 3 min, from minute 8)");
    assert_string_equal(labels[4], "14  Then  (2 steps, 1 min, from minute 11)");
    assert_string_equal(labels[5], "extra 1  Dilation  (3 steps, about 3 min)");
    assert_string_equal(labels[1], "An extra one");
    char want[100];
    memcpy(want, "12  ", 4);
    memset(want + 4, 'x', 95);
    want[99] = '\0';
    assert_string_equal(labels[2], want);
    s->host.lessons = NULL;
    s->host.n_lessons = 0;
}

// A label cut inside a UTF-8 character backs up to the character's start.
// A label holds 159 bytes: cut, 155 are kept and U+2026 (3 bytes) and the NUL end it.
static void test_cut_label_keeps_characters_whole(void **st) {
    (void)st;
    static ui_layout l;
    memset(&l, 0, sizeof l);
    assert_int_equal(sizeof l.buttons[0].label, 160);
    char label[200];
    memset(label, 'a', 155);
    memcpy(label + 155, "\xc3\xa9\xc3\xa9\xc3\xa9", 7);  // "ééé" from byte 155: byte 156 is inside the first é
    const ui_button *b = layout_button(&l, ui_rect_at(0, 0, 10, 10), label, ACT_HOME, 0);
    char want[160];
    memset(want, 'a', 155);
    memcpy(want + 155, "\xe2\x80\xa6", 4);  // the é that does not fit whole is left out
    assert_string_equal(b->label, want);
    memset(label, 'a', 154);
    memcpy(label + 154, "\xc3\xa9\xc3\xa9\xc3\xa9", 7);  // "ééé" from byte 154: the first é fits whole
    b = layout_button(&l, ui_rect_at(0, 0, 10, 10), label, ACT_HOME, 0);
    memcpy(want + 154, "\xc3\xa9\xe2\x80\xa6", 6);
    assert_string_equal(b->label, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_panel_rows_readable, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_narration_holds_longest_step, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_home_menu_descriptions, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_lesson_menu_numbered_rows, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_cut_label_keeps_characters_whole, setup_, teardown_),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
