// test_cnn_maps.c - the CNN and drawing views' maps (app/view_maps.h) and
// the CNN view's words (app/view_cnn.h), header-only and SDL-free: how large
// the columns of feature maps are drawn in a given room, which columns are left
// out when it is short, where a map lands (the clickable grids sit there), the
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

// A layout at 1920x1080, zoom 100 (and 1280x720, zoom 150: the same type):
// small type 24 px, the floor 20 px, padding 15 px. Then: label type
// max(20, 24*4/5 = 19) = 20; the smallest labelled map 20*5/2 = 50; the two
// title lines 28 + 24 + 15/3 = 57 px (line heights (24*1164 + 999)/1000 = 28
// and (20*1164 + 999)/1000 = 24); a label 24; the gap max(4, 15/2) = 7;
// between columns max(8, 15) = 15. Without a font a text is 6/10 of its
// size a character, bold a tenth wider.
static ui_layout layout_(void) {
    ui_layout l;
    memset(&l, 0, sizeof l);
    l.small_px = 24, l.min_px = 20, l.text_px = 30, l.pad = 15;
    return l;
}

// Every column inside the area, side by side without overlapping, each
// picture inside its column and the area.
static void assert_inside_(const maps_plan *p, ui_rect a) {
    for (int i = 0; i < p->n_cols; i++) {
        const maps_col *c = &p->cols[i];
        assert_true(c->x >= a.x && c->x + c->width <= a.x + a.w);
        if (i) assert_true(c->x >= p->cols[i - 1].x + p->cols[i - 1].width + p->col_gap);
        for (int k = 0; k < c->n; k++) {
            const ui_rect q = maps_rect(p, c, k);
            assert_true(q.x >= c->x && q.x + q.w <= c->x + c->width);
            assert_true(q.y >= a.y && q.y + q.h + (c->labelled ? p->label_h : 0) <= a.y + a.h);
        }
    }
}

static void test_columns_fill_the_room(void **st) {
    (void)st;
    nn_net *net = net_(SMALL);
    const ui_layout l = layout_();
    maps_plan p;
    const ui_rect a = ui_rect_at(0, 0, 600, 400);
    maps_plan_make(&p, &l, NULL, net, 0, false, a);
    // Columns: the 8 maps after conv (layer 0), the 8 after maxpool (layer
    // 2; the ReLU, layer 1, is shown by the pooling after it).
    assert_int_equal(p.n_cols, 2);
    assert_int_equal(p.cols[0].layer, 0);
    assert_int_equal(p.cols[1].layer, 2);
    assert_int_equal(p.dropped, 0);
    // Titles at least "8 x 28x28" at 20 px: 9*12 = 108 wide ("maxpool" bold:
    // 7*24*6/10 = 100, *11/10 = 110). Pictures in 400 - 57 = 343 px: lines
    // of (343 + 7)/(side + 24 + 7). First side 112 (s 112..139): two lines of
    // four, 4*112 + 21 = 469, the pooled at 112*0.707 = 79 -> 70, three lines
    // of three, 224: 469 + 15 + 224 = 708 > 600. s = 111: the first maps 84
    // (a multiple of 28), three lines of three, 266; the pooled 78 -> 70, 224:
    // 505 <= 600.
    assert_int_equal(p.cols[0].side, 84);
    assert_int_equal(p.cols[0].across, 3);
    assert_int_equal(p.cols[0].lines, 3);
    assert_int_equal(p.cols[1].side, 70);
    assert_int_equal(p.cols[1].across, 3);
    assert_true(p.cols[0].labelled && p.cols[1].labelled);
    // The 95 px left over go between the columns: the pooled at 266 + 15 + 95.
    assert_int_equal(p.cols[0].x, 0);
    assert_int_equal(p.cols[1].x, 376);
    // The tallest column: 57 + 3*(84 + 24) + 2*7 = 395.
    assert_int_equal(p.bottom, 395);
    // Map 4 of the conv column: line 1, column 1: (84 + 7, 57 + 84 + 24 + 7).
    const ui_rect m4 = maps_rect(&p, &p.cols[0], 4);
    assert_int_equal(m4.x, 91);
    assert_int_equal(m4.y, 172);
    assert_int_equal(m4.w, 84);
    assert_inside_(&p, a);
    nn_net_free(net);
}

static void test_short_room_leaves_out_the_last_columns(void **st) {
    (void)st;
    nn_net *net = net_(SMALL);
    const ui_layout l = layout_();
    maps_plan p;
    // 200 px wide: at the smallest side (50) both need 108 + 15 + 108 = 231.
    // The pooled maps go, a line (24 + 7) is kept for saying so: 369 px, 312
    // for pictures: three lines of three at 56 (s 57..83: a multiple of 28),
    // 3*56 + 14 = 182 <= 200; at 84 four across are too wide.
    maps_plan_make(&p, &l, NULL, net, 0, false, ui_rect_at(0, 0, 200, 400));
    assert_int_equal(p.n_cols, 1);
    assert_int_equal(p.cols[0].layer, 0);
    assert_int_equal(p.cols[0].side, 56);
    assert_int_equal(p.dropped, 1);
    assert_int_equal(p.h, 400 - 24 - 7);
    assert_inside_(&p, ui_rect_at(0, 0, 200, p.h));
    // 100 px high: a title (57) and one labelled map (50 + 24) do not fit.
    maps_plan_make(&p, &l, NULL, net, 0, true, ui_rect_at(0, 0, 1000, 100));
    assert_int_equal(p.n_cols, 0);
    assert_int_equal(p.dropped, 3);
    nn_net_free(net);
}

// Issue 12: every layer of the small CNN has a titled column in the room
// the CNN view has at 1280x720, zoom 150 (about 870 x 400 right of the
// input), and LeNet-5's four in the drawing view's 735 x 400 at 1920x1080.
static void test_every_layer_has_a_column(void **st) {
    (void)st;
    const ui_layout l = layout_();
    maps_plan p;
    nn_net *net = net_(SMALL);
    ui_rect a = ui_rect_at(230, 190, 870, 400);
    maps_plan_make(&p, &l, NULL, net, 0, true, a);
    assert_int_equal(p.n_cols, 3);  // the filters, conv, maxpool
    assert_int_equal(p.dropped, 0);
    assert_int_equal(p.cols[0].layer, -1);
    assert_false(p.cols[0].labelled);
    assert_true(p.cols[1].side >= p.cols[2].side && p.cols[2].side >= 50);
    assert_inside_(&p, a);
    nn_net_free(net);
    net = net_("conv(6,5,pad=2),relu,maxpool(2),conv(16,5),relu,maxpool(2),flatten,dense(10),softmax");
    a = ui_rect_at(0, 0, 735, 400);
    maps_plan_make(&p, &l, NULL, net, 0, false, a);
    assert_int_equal(p.n_cols, 4);
    assert_int_equal(p.dropped, 0);
    for (int i = 1; i < 4; i++) assert_true(p.cols[i].side <= p.cols[i - 1].side && p.cols[i].side >= 50);
    assert_inside_(&p, a);
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
        cmocka_unit_test(test_columns_fill_the_room),
        cmocka_unit_test(test_short_room_leaves_out_the_last_columns),
        cmocka_unit_test(test_every_layer_has_a_column),
        cmocka_unit_test(test_guess_and_headline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
