// test_network_view.c - the whole-network view (app/view_network.c): what it
// shows is the live model's forward pass, bit for bit, for every column
// (ReLU and softmax included) and every input source; its columns fit the
// room without overlapping; a click on a drawn unit selects that unit; its
// titles' parameter counts are Keras's (worked out by hand below).
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dataset.h"
#include "layout.h"
#include "lesson.h"
#include "lesson_play.h"
#include "runtime.h"
#include "update.h"
#include "view_network.h"
#include "views.h"

static app_dataset train_, test_;
static app_state s_;  // large: not on the stack
static app_runtime rt_;

static int setup_(void **state) {
    (void)state;
    char err[400];
    return app_dataset_load(&train_, &test_, NULL, err, sizeof err) ? 0 : -1;
}

static int teardown_(void **state) {
    (void)state;
    app_dataset_free(&train_);
    app_dataset_free(&test_);
    return 0;
}

// The network view open on model `model` (0 softmax, 1 the small CNN, 2
// LeNet-5) trained `steps` steps, its numbers computed.
static void open_(int model, int steps) {
    app_state_init(&s_);
    s_.view = VIEW_NETWORK;
    s_.train_model = model;
    app_set_digits(&s_, test_.images, test_.count);
    app_set_digit_labels(&s_, test_.labels);
    runtime_init(&rt_, &s_, &train_, &test_);
    assert_true(runtime_train_steps(&rt_, &s_, false, steps));
    runtime_frame(&rt_, &s_);
    assert_non_null(s_.host.network_net);
}

// An independent run: a new net of the same architecture with the
// snapshot's parameters, forward on x.
static nn_net *reference_(const float *x) {
    nn_net *ref = NULL;
    nn_error e;
    assert_int_equal(nn_net_create(&ref, rt_.dash_snap->arch, nn_shape_map(1, 28, 28), 1, NULL, &e), NN_OK);
    assert_int_equal((int)ref->n_params, (int)rt_.dash_snap->n_params);
    memcpy(ref->params, rt_.dash_snap->params, sizeof(float) * ref->n_params);
    nn_net_forward(ref, x, 1, false, NULL);
    return ref;
}

static size_t count_(nn_shape o) { return o.rank == 3 ? (size_t)o.c * o.h * o.w : (size_t)o.c; }

// Every column equals the reference's layer output bit for bit; each ReLU
// column is max(0, the column before), worked out here; a closing softmax
// is e^z / sum e^z of the column before (in double, to 1e-6) and adds to 1.
static void check_columns_(const float *x) {
    const nn_net *net = s_.host.network_net;
    nn_net *ref = reference_(x);
    const nn_model *md = net->model;
    assert_memory_equal(s_.host.network_input, x, sizeof(float) * 784);
    for (int i = 0; i < md->n_layers; i++) {
        const size_t n = count_(md->layers[i].out);
        assert_memory_equal(net->out[i], ref->out[i], sizeof(float) * n);
        const float *before = i == 0 ? x : net->out[i - 1];
        if (md->layers[i].spec.kind == NN_LAYER_RELU)
            for (size_t k = 0; k < n; k++) assert_true(net->out[i][k] == (before[k] > 0 ? before[k] : 0.0f));
        if (md->layers[i].spec.kind == NN_LAYER_SOFTMAX) {
            double zmax = before[0], sum = 0, psum = 0;
            for (size_t k = 1; k < n; k++) zmax = fmax(zmax, before[k]);
            for (size_t k = 0; k < n; k++) sum += exp(before[k] - zmax);
            for (size_t k = 0; k < n; k++) {
                assert_true(fabs(net->out[i][k] - exp(before[k] - zmax) / sum) < 1e-6);
                psum += net->out[i][k];
            }
            assert_true(fabs(psum - 1) < 1e-5);
        }
    }
    nn_net_free(ref);
}

static void test_columns_are_the_forward_pass(void **state) {
    (void)state;
    for (int model = 0; model < 3; model++) {
        open_(model, 20);
        // A test digit: pixel / 255.
        s_.inspect = 7;
        runtime_frame(&rt_, &s_);
        float x[784];
        for (int i = 0; i < 784; i++) x[i] = test_.images[7 * 784 + i] * (1.0f / 255.0f);
        check_columns_(x);
        // The drawing's prepared input, and a dropped picture's.
        for (int i = 0; i < 784; i++) s_.draw.input[i] = (float)((i * 37) % 101) / 100.0f;
        s_.network.source = NET_SOURCE_DRAWING;
        runtime_frame(&rt_, &s_);
        check_columns_(s_.draw.input);
        for (int i = 0; i < 784; i++) s_.drop.input[i] = (i / 28 + i % 28) % 5 == 0 ? 1.0f : 0.0f;
        s_.network.source = NET_SOURCE_DROPPED;
        runtime_frame(&rt_, &s_);
        check_columns_(s_.drop.input);
        // Training moves the weights: the columns follow.
        assert_true(runtime_train_steps(&rt_, &s_, false, 3));
        runtime_frame(&rt_, &s_);
        check_columns_(s_.drop.input);
        runtime_destroy(&rt_, &s_);
    }
}

// LeNet-5's parameters as Keras counts them: conv 6*(5*5*1 + 1) = 156,
// conv 16*(5*5*6 + 1) = 2,416, dense 120*(400 + 1) = 48,120, 84*(120 + 1) =
// 10,164, 10*(84 + 1) = 850; 0 for the rest; 61,706 in all.
static void test_titles_count_parameters(void **state) {
    (void)state;
    nn_model *m;
    nn_error e;
    assert_int_equal(nn_model_create(&m, "lenet5", nn_shape_map(1, 28, 28), &e), NN_OK);
    static const char *const names[] = {"conv", "relu", "maxpool", "conv", "relu", "maxpool", "flatten",
                                        "dense", "relu", "dense", "relu", "dense", "softmax"};
    static const char *const shapes[] = {"28x28x6", "28x28x6", "14x14x6", "10x10x16", "10x10x16", "5x5x16", "400",
                                         "120",     "120",     "84",      "84",       "10",      "10"};
    static const char *const params[] = {"156", "0", "0", "2,416", "0", "0", "0", "48,120", "0", "10,164", "0", "850", "0"};
    assert_int_equal(m->n_layers, 13);
    for (int i = 0; i < 13; i++) {
        const net_col c = {.layer = i};
        char name[80], shape[80], par[80];
        net_col_titles(m, &c, name, shape, par, sizeof name);
        assert_string_equal(name, names[i]);
        assert_string_equal(shape, shapes[i]);
        assert_string_equal(par, params[i]);
    }
    assert_true(m->params == 61706);
    nn_model_free(m);
}

static bool overlap_(ui_rect a, ui_rect b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static bool inside_(ui_rect a, ui_rect area) {
    return a.x >= area.x && a.y >= area.y && a.x + a.w <= area.x + area.w && a.y + a.h <= area.y + area.h;
}

// At every size and zoom the layout gives it, LeNet-5's 14 columns (input
// and 13 layers) are all there, inside the area, none overlapping another,
// and every unit of a column inside its column.
static void test_plan_fits(void **state) {
    (void)state;
    nn_model *m;
    nn_error e;
    assert_int_equal(nn_model_create(&m, "lenet5", nn_shape_map(1, 28, 28), &e), NN_OK);
    static const int sizes[][2] = {{1280, 720}, {1920, 1080}, {3840, 2160}};
    static const int zooms[] = {100, 150, 200};
    for (int si = 0; si < 3; si++)
        for (int zi = 0; zi < 3; zi++) {
            app_state_init(&s_);
            s_.view = VIEW_NETWORK;
            s_.zoom = zooms[zi];
            ui_layout l;
            layout_compute(&l, &s_, sizes[si][0], sizes[si][1], NULL);
            net_plan p;
            net_plan_make(&p, &l, NULL, m, l.maps);
            if (zooms[zi] <= 150) assert_int_equal(p.dropped, 0);
            assert_int_equal(p.n_cols + p.dropped, 14);
            for (int i = 0; i < p.n_cols; i++) {
                const net_col *c = &p.cols[i];
                const ui_rect col = {c->x, p.band_y[c->band], c->width, p.band_h};
                assert_true(inside_(col, l.maps));
                for (int j = i + 1; j < p.n_cols; j++) {
                    const net_col *d = &p.cols[j];
                    assert_false(overlap_(col, (ui_rect){d->x, p.band_y[d->band], d->width, p.band_h}));
                }
                const int units = c->kind == NETCOL_INPUT ? 1 : c->n;
                for (int k = 0; k < units; k++) assert_true(inside_(net_unit_rect(&p, c, k), col));
            }
        }
    nn_model_free(m);
}

// A click on the middle of a drawn value selects that value's unit: map 2,
// (5, 9) of the first conv; unit 17 of the 120-unit dense layer; class 4 of
// the softmax. The expected cell comes from the plan's geometry, the unit
// from the click going through the layout's grids.
static void test_click_selects_the_unit_drawn(void **state) {
    (void)state;
    open_(2, 5);
    ui_layout l;
    layout_compute(&l, &s_, 1920, 1080, NULL);
    net_plan p;
    net_plan_make(&p, &l, NULL, s_.host.network_net->model, l.maps);
    const struct {
        int layer, channel, row, col;
    } want[] = {{0, 2, 5, 9}, {7, 17, 0, 0}, {12, 4, 0, 0}, {6, 399, 0, 0}};
    for (size_t t = 0; t < sizeof want / sizeof want[0]; t++) {
        const net_col *c = net_plan_col(&p, want[t].layer);
        assert_non_null(c);
        ui_rect q = net_unit_rect(&p, c, want[t].channel);
        if (c->kind == NETCOL_MAPS) q = net_value_rect(q, c->h, c->w, want[t].row, want[t].col);
        if (c->kind == NETCOL_BARS) q.w = c->side;  // the row's clickable start
        const app_action a = layout_hit(&l, q.x + q.w / 2, q.y + q.h / 2);
        assert_int_equal(a.kind, ACT_SELECT_CELL);
        cell_ref u;
        assert_true(net_unit_of_cell(s_.host.network_net->model, &a.cell, &u));
        assert_int_equal(u.layer, want[t].layer);
        assert_int_equal(u.channel, want[t].channel);
        assert_int_equal(u.row, want[t].row);
        assert_int_equal(u.col, want[t].col);
    }
    runtime_destroy(&rt_, &s_);
}

// The headline says plainly that an untrained network's answer means nothing.
static void test_untrained_says_so(void **state) {
    (void)state;
    open_(1, 0);
    char head[400], sub[400];
    net_headline(&s_, head, sizeof head, sub, sizeof sub);
    assert_non_null(strstr(head, "UNTRAINED"));
    runtime_destroy(&rt_, &s_);
    open_(1, 4);
    net_headline(&s_, head, sizeof head, sub, sizeof sub);
    assert_null(strstr(head, "UNTRAINED"));
    assert_non_null(strstr(sub, "after 4 training steps"));
    runtime_destroy(&rt_, &s_);
}

// A lesson's network commands: parsed with the line they were on, refused
// with a message naming the line; played through the runtime, 'select'
// selects the unit (checked against the model, a wrong one fails with its
// line), 'open' opens the view that works it out, 'show summary' and
// 'scale layer' set the view.
static void parse_fails_(const char *text, const char *want) {
    lesson l;
    char err[400] = "";
    assert_false(lesson_parse(&l, text, "t.lesson", err, sizeof err));
    if (strcmp(err, want) != 0) {
        print_error("got:  %s\nwant: %s\n", err, want);
        fail();
    }
}

static void test_lesson_commands(void **state) {
    (void)state;
    parse_fails_("title T\nview network\nselect 1 2 3\n",
                 "t.lesson:3: select needs LAYER MAP ROW COL (a map's cell) or LAYER UNIT (a unit of a flat layer)");
    parse_fails_("title T\nview network\nshow maps\n", "t.lesson:3: show needs 'summary' (the model's table)");
    parse_fails_("title T\nview network\nscale both\n",
                 "t.lesson:3: scale needs map (each map its own colour scale) or layer (one per layer)");
    parse_fails_("title T\nview network\nopen now\n", "t.lesson:3: unexpected 'now' (usage: open)");
    static const char text[] = "title T\nmodel small\nview network\nselect 1 3 10 12\nshow summary\nscale layer\nwait\n"
                               "hide summary\nselect 6 7\nopen\nwait\nview network\nselect 2 9 0 0\n";
    lesson l;
    char err[400];
    assert_true(lesson_parse(&l, text, "t.lesson", err, sizeof err));
    app_state_init(&s_);
    app_set_digits(&s_, test_.images, test_.count);
    runtime_init(&rt_, &s_, &train_, &test_);
    char log[4096] = "";
    FILE *out = fmemopen(log, sizeof log - 1, "w");
    lesson_start(&s_, &rt_.host, &l, out);
    assert_int_equal(s_.view, VIEW_NETWORK);
    assert_true(s_.network.has_selection);
    assert_int_equal(s_.network.selected.layer, 0);  // layer 1, map 3: index 0, channel 2
    assert_int_equal(s_.network.selected.channel, 2);
    assert_int_equal(s_.network.selected.row, 10);
    assert_int_equal(s_.network.selected.col, 12);
    assert_true(s_.network.summary);
    assert_true(s_.network.global_scale);
    assert_true(lesson_next(&s_, &rt_.host, out));  // select 6 7 (the softmax's class 7), open
    assert_false(s_.network.summary);
    assert_int_equal(s_.view, VIEW_UNIT);
    assert_int_equal(s_.network.selected.layer, 5);
    assert_int_equal(s_.network.selected.channel, 7);
    assert_int_equal(s_.back_view, VIEW_NETWORK);
    assert_int_equal(s_.player.failures, 0);
    lesson_next(&s_, &rt_.host, out);  // select 2 9 0 0: the small CNN's ReLU has 8 maps
    fclose(out);
    assert_int_equal(s_.player.failures, 1);
    assert_non_null(strstr(s_.player.last_failure, "t.lesson:13"));
    assert_non_null(strstr(s_.player.last_failure, "maps 1 to 8"));
    lesson_close(&s_);
    runtime_destroy(&rt_, &s_);
    lesson_free(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_are_the_forward_pass),
        cmocka_unit_test(test_titles_count_parameters),
        cmocka_unit_test(test_plan_fits),
        cmocka_unit_test(test_click_selects_the_unit_drawn),
        cmocka_unit_test(test_untrained_says_so),
        cmocka_unit_test(test_lesson_commands),
    };
    return cmocka_run_group_tests(tests, setup_, teardown_);
}
