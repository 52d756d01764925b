// test_palette.c - the colours that carry meaning stay apart for a student
// with red-green colour blindness (issue 12). Independent of the program's
// drawing: the test simulates deuteranopia and protanopia with the
// published matrices of Machado, Oliveira and Fernandes (2009, severity 1.0,
// applied to linear RGB) and measures distances in CIELAB (CIE76 delta E,
// D65). A distance of 20 is far more than "just noticeable" (about 2.3).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>

#include "palette.h"

typedef enum vision { NORMAL, DEUTERANOPIA, PROTANOPIA } vision;
static const char *const vision_names_[] = {"normal vision", "deuteranopia", "protanopia"};

static const double machado_[3][3][3] = {
    {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
    {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}},
    {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}},
};

static double to_linear_(double c) {
    c /= 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

// A colour as seen with the given vision, in CIELAB.
static void seen_lab_(rgb c, vision v, double lab[3]) {
    const double in[3] = {to_linear_(c.r), to_linear_(c.g), to_linear_(c.b)};
    double l[3];
    for (int i = 0; i < 3; i++) {
        l[i] = 0;
        for (int j = 0; j < 3; j++) l[i] += machado_[v][i][j] * in[j];
        l[i] = l[i] < 0 ? 0 : l[i] > 1 ? 1 : l[i];
    }
    const double X = (0.4124 * l[0] + 0.3576 * l[1] + 0.1805 * l[2]) / 0.95047;
    const double Y = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    const double Z = (0.0193 * l[0] + 0.1192 * l[1] + 0.9505 * l[2]) / 1.08883;
#define F_(t) ((t) > 0.008856 ? cbrt(t) : 7.787 * (t) + 16.0 / 116.0)
    lab[0] = 116 * F_(Y) - 16;
    lab[1] = 500 * (F_(X) - F_(Y));
    lab[2] = 200 * (F_(Y) - F_(Z));
#undef F_
}

static double distance_(rgb a, rgb b, vision v) {
    double la[3], lb[3];
    seen_lab_(a, v, la);
    seen_lab_(b, v, lb);
    return sqrt((la[0] - lb[0]) * (la[0] - lb[0]) + (la[1] - lb[1]) * (la[1] - lb[1]) +
                (la[2] - lb[2]) * (la[2] - lb[2]));
}

// The closest the colour comes to any colour of the value scale (21 samples
// from -1 to 1, white included).
static double nearest_on_scale_(const palette *p, rgb c, vision v) {
    double best = 1e9;
    for (int i = -10; i <= 10; i++) {
        const double d = distance_(c, palette_diverging(p, i / 10.0f), v);
        if (d < best) best = d;
    }
    return best;
}

#define APART 20.0

static void assert_apart_(double d, const char *what, const char *vision_name) {
    if (d < APART) fail_msg("%s: %.1f apart under %s, want >= %.0f", what, d, vision_name, APART);
}

// The frames drawn over cells (window, tap, winner, lesson mark) must show on
// every cell colour and differ from each other; checks one palette under
// the visions given.
static void check_frames_(const palette *p, const vision *visions, int n_visions) {
    const struct {
        const char *name;
        rgb c;
    } frames[] = {{"window", p->window}, {"tap", p->tap}, {"winner", p->winner}, {"mark", p->mark}};
    const int n = (int)(sizeof frames / sizeof frames[0]);
    for (int k = 0; k < n_visions; k++) {
        const vision v = visions[k];
        char what[96];
        for (int i = 0; i < n; i++) {
            snprintf(what, sizeof what, "the %s frame and the value scale", frames[i].name);
            assert_apart_(nearest_on_scale_(p, frames[i].c, v), what, vision_names_[v]);
            for (int j = i + 1; j < n; j++) {
                snprintf(what, sizeof what, "the %s and %s frames", frames[i].name, frames[j].name);
                assert_apart_(distance_(frames[i].c, frames[j].c, v), what, vision_names_[v]);
            }
        }
        assert_apart_(distance_(p->good, p->bad, v), "right and wrong labels", vision_names_[v]);
        assert_apart_(distance_(p->count_low, p->count_high, v), "the ends of the count scale", vision_names_[v]);
        assert_apart_(distance_(p->negative, p->positive, v), "the ends of the value scale", vision_names_[v]);
    }
}

static void test_usual_palette_apart_for_normal_vision(void **state) {
    (void)state;
    const vision v[] = {NORMAL};
    check_frames_(palette_get(false), v, 1);
}

static void test_colorblind_palette_apart_when_simulated(void **state) {
    (void)state;
    const vision v[] = {NORMAL, DEUTERANOPIA, PROTANOPIA};
    check_frames_(palette_get(true), v, 3);
}

// The reason for a second palette: the usual one fails the same measure
// (its green winner and red wrong labels merge for a protanope), so this
// test would catch a colour-blind palette that changed nothing.
static void test_usual_palette_fails_when_simulated(void **state) {
    (void)state;
    const palette *p = palette_get(false);
    assert_true(distance_(p->good, p->bad, PROTANOPIA) < APART);
    assert_true(distance_(p->good, p->bad, NORMAL) >= APART);
}

// The simulation itself, against values worked out by hand: white and
// black are fixed points of every matrix (each row sums to 1), and pure red
// seen by a protanope loses most of its lightness.
static void test_simulation_fixed_points(void **state) {
    (void)state;
    const rgb white = {255, 255, 255}, black = {0, 0, 0}, red = {255, 0, 0};
    for (int v = 0; v < 3; v++) {
        assert_true(distance_(white, white, (vision)v) < 1e-9);
        double lab[3];
        seen_lab_(white, (vision)v, lab);
        assert_true(fabs(lab[0] - 100.0) < 0.2);  // L* of white is 100
        seen_lab_(black, (vision)v, lab);
        assert_true(fabs(lab[0]) < 1e-9);
    }
    double normal[3], prot[3];
    seen_lab_(red, NORMAL, normal);  // L* of sRGB red is 53.2
    seen_lab_(red, PROTANOPIA, prot);
    assert_true(fabs(normal[0] - 53.2) < 0.5);
    assert_true(prot[0] < normal[0] - 10);
}

static void test_scales_clamp_and_meet_white(void **state) {
    (void)state;
    const palette *p = palette_get(false);
    const rgb mid = palette_diverging(p, 0.0f), lo = palette_diverging(p, -5.0f), hi = palette_diverging(p, 2.0f);
    assert_int_equal(mid.r + mid.g + mid.b, 3 * 255);
    assert_int_equal(lo.r, p->negative.r);
    assert_int_equal(hi.b, p->positive.b);
    const rgb none = palette_count(p, 0.0f), all = palette_count(p, 1.0f), nan = palette_count(p, NAN);
    assert_int_equal(none.g, p->count_low.g);
    assert_int_equal(all.g, p->count_high.g);
    assert_int_equal(nan.r, p->count_low.r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simulation_fixed_points),
        cmocka_unit_test(test_usual_palette_apart_for_normal_vision),
        cmocka_unit_test(test_colorblind_palette_apart_when_simulated),
        cmocka_unit_test(test_usual_palette_fails_when_simulated),
        cmocka_unit_test(test_scales_clamp_and_meet_white),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
