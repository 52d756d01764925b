// test_cnn_maps.c - the CNN and drawing views' maps (app/view_maps.h) and
// the CNN view's words (app/view_cnn.h), header-only and SDL-free: how large
// the rows of feature maps are drawn in a given room, which rows are left out
// when it is short, where a map lands (the clickable grids sit there), the
// probability of the guess and the headline's wording. Every number expected
// is worked out by hand in the comments.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "view_cnn.h"
#include "view_maps.h"

// The small CNN: conv 8 filters 5x5 pad 2 -> 8 maps 28x28; relu; maxpool 2 -> 8 maps 14x14.
static const char *SMALL = "conv(8,5,pad=2),relu,maxpool(2),flatten,dense(10),softmax";

static nn_net *net_(const char *arch) {
    nn_net *net = NULL;
    nn_error err;
    assert_int_equal(nn_net_create(&net, arch, nn_shape_map(1, 28, 28), 1, NULL, &err), NN_OK);
    return net;
}

// A layout at 1920x1080, zoom 100: labels 24 px, the floor 20 px, padding 15 px.
// Then: label type max(20, 24*4/5 = 19) = 20; the smallest labelled map
// 20*5/2 = 50; a title 28 + 15/3 = 33 px high (line height of 24 px type:
// (24*1164 + 999)/1000 = 28); a label 24 (20 px type: (23280 + 999)/1000 = 24);
// the gap max(4, 15/2) = 7.
static ui_layout layout_(void) {
    ui_layout l;
    memset(&l, 0, sizeof l);
    l.small_px = 24, l.min_px = 20, l.text_px = 30, l.pad = 15;
    return l;
}

static void test_rows_fill_the_room(void **st) {
    (void)st;
    nn_net *net = net_(SMALL);
    const ui_layout l = layout_();
    maps_plan p;
    maps_plan_make(&p, &l, net, 0, true, ui_rect_at(100, 200, 1000, 500));
    // Rows: the filters, the 8 maps after conv (layer 0), the 8 after maxpool
    // (layer 2; the ReLU, layer 1, is shown by the pooling after it).
    assert_int_equal(p.n_rows, 3);
    assert_int_equal(p.rows[0].layer, -1);
    assert_int_equal(p.rows[1].layer, 0);
    assert_int_equal(p.rows[2].layer, 2);
    assert_int_equal(p.dropped, 0);
    // Eight across 1000 px with 7 px gaps: s + 7 <= 1007/8, s <= 118, a
    // multiple of 28: 112. The filters at 2/3: 74, a multiple of 5: 70. The
    // pooled maps: min(112, (1000 - 7*7)/8 = 118) = 112, a multiple of 14.
    // Height: 33 + 70 + 14 + 33 + 112 + 24 + 14 + 33 + 112 + 24 = 469 <= 500.
    // 140 (the next multiple of 28) puts six on a line, two lines: too tall.
    assert_int_equal(p.rows[1].side, 112);
    assert_int_equal(p.rows[0].side, 70);
    assert_int_equal(p.rows[2].side, 112);
    assert_int_equal(p.rows[1].cols, 8);
    assert_true(p.rows[1].labelled);
    assert_false(p.rows[0].labelled);
    assert_int_equal(p.bottom, 200 + 469);
    // Map 3 of the conv row: x = 100 + 3*(112 + 7) = 457; its row's title at
    // 200 + 33 + 70 + 14 = 317, the maps at 317 + 33 = 350.
    const ui_rect m3 = maps_rect(&p, &p.rows[1], 3);
    assert_int_equal(m3.x, 457);
    assert_int_equal(m3.y, 350);
    assert_int_equal(m3.w, 112);
    // Filter 3 stands centred over map 3: 457 + (112 - 70)/2 = 478, at 200 + 33.
    const ui_rect f3 = maps_rect(&p, &p.rows[0], 3);
    assert_int_equal(f3.x, 478);
    assert_int_equal(f3.y, 233);
    nn_net_free(net);
}

static void test_short_room_keeps_the_first_maps_readable(void **st) {
    (void)st;
    nn_net *net = net_(SMALL);
    const ui_layout l = layout_();
    maps_plan p;
    maps_plan_make(&p, &l, net, 0, true, ui_rect_at(0, 0, 1000, 200));
    // All three rows fit only with 28 px maps (under 3 px a value, 84); the
    // filters and the first maps alone reach at most 83 (84: 33 + 55 + 14 +
    // 33 + 84 + 24 = 243 > 200); the first maps alone: 33 + 112 + 24 = 169.
    assert_int_equal(p.n_rows, 1);
    assert_int_equal(p.rows[0].layer, 0);
    assert_int_equal(p.rows[0].side, 112);
    assert_int_equal(p.dropped, 2);
    // No room at all: nothing, all left out.
    maps_plan_make(&p, &l, net, 0, true, ui_rect_at(0, 0, 1000, 40));
    assert_int_equal(p.n_rows, 0);
    assert_int_equal(p.dropped, 3);
    nn_net_free(net);
}

static void test_narrow_later_rows_lose_labels_not_rows(void **st) {
    (void)st;
    // LeNet's rows: 6 maps 28x28, 6 of 14x14, 16 of 10x10, 16 of 5x5.
    nn_net *net = net_("conv(6,5,pad=2),relu,maxpool(2),conv(16,5),relu,maxpool(2),flatten,dense(10),softmax");
    const ui_layout l = layout_();
    maps_plan p;
    maps_plan_make(&p, &l, net, 0, false, ui_rect_at(0, 0, 700, 600));
    assert_int_equal(p.n_rows, 4);
    // Sixteen across 700 px: (700 - 15*7)/16 = 37, a multiple of 10: 30
    // (of 5: 35), under the 50 px a label needs: the title says the range.
    assert_int_equal(p.rows[2].side, 30);
    assert_int_equal(p.rows[3].side, 35);
    assert_false(p.rows[2].labelled);
    assert_int_equal(p.rows[2].cols, 16);
    // The first row: six across, (700 + 7)/6 - 7 = 110, a multiple of 28: 84;
    // the pooled maps min(84, (700 - 35)/6 = 110) = 84. Height: (33 + 84 + 24)
    // * 2 + (33 + 30) + (33 + 35) + 3 * 14 = 455 <= 600. At 112 the first row
    // takes two lines of five: 33 + 2*(112 + 24) + 7 = 312, the rest 98 px
    // (155), 63 and 68, with the gaps 640 > 600.
    assert_int_equal(p.rows[0].side, 84);
    assert_int_equal(p.rows[1].side, 84);
    assert_int_equal(p.bottom, 455);
    assert_true(p.rows[0].labelled);
    nn_net_free(net);
}

static void test_guess_and_headline(void **st) {
    (void)st;
    nn_net *net = net_("conv(2,3,pad=1),flatten,dense(10)");  // ends in logits
    float *out = net->out[net->model->n_layers - 1];
    // Logits 0 except class 7 at ln 3: p = 3/(9*1 + 3) = 0.25.
    for (int j = 0; j < 10; j++) out[j] = 0;
    out[7] = logf(3.0f);
    float p = 0;
    assert_int_equal(cnn_guess(net, &p), 7);
    assert_float_equal(p, 0.25f, 1e-6f);

    static app_state s;
    static live_snapshot snap;
    static const uint8_t labels[3] = {7, 2, 1};
    memset(&s, 0, sizeof s);
    s.host.cnn_net = net;
    s.host.digit_labels = labels;
    s.host.train_live = &snap;
    s.inspect = 0;
    char t[400];
    // Untrained: said plainly, with the index read as an image number.
    snap.steps = 0;
    cnn_headline(&s, t, sizeof t);
    assert_non_null(strstr(t, "test image #0 (a 7)"));
    assert_non_null(strstr(t, "untrained"));
    assert_non_null(strstr(t, "7 (25.0%)"));
    // Trained: the steps and the guess with the percentage a bar would show.
    snap.steps = 300;
    cnn_headline(&s, t, sizeof t);
    assert_string_equal(t, "test image #0 (a 7): after 300 training steps the network says 7 (25.0%)");
    assert_null(strstr(t, "untrained"));
    nn_net_free(net);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_fill_the_room),
        cmocka_unit_test(test_short_room_keeps_the_first_maps_readable),
        cmocka_unit_test(test_narrow_later_rows_lose_labels_not_rows),
        cmocka_unit_test(test_guess_and_headline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
