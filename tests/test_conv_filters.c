// test_conv_filters.c - the convolution view's several filters (issue 13):
// its output maps against a plain loop written here and against the engine's
// multi-filter forward pass, the stepper going filter by filter, the
// parameter count it writes, adding and removing filters, the lesson
// commands `filters`, `kernel filter F` and `bias filter F`, and the opener
// the network views call (conv_open_from_net) on real networks: the view's
// stepper reaches net->out[layer] bit for bit.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anim.h"
#include "layout.h"
#include "lesson.h"
#include "lesson_play.h"
#include "nn.h"
#include "state.h"
#include "update.h"
#include "view_conv_open.h"

static int setup_(void **st) {
    app_state *s = calloc(1, sizeof *s);
    if (!s) return -1;
    app_state_init(s);
    const app_action a = {.kind = ACT_OPEN_VIEW, .value = VIEW_CONV};
    app_update(s, &a);
    *st = s;
    return 0;
}

static int teardown_(void **st) {
    free(*st);
    return 0;
}

static void act_(app_state *s, app_action_kind kind, int value) {
    const app_action a = {.kind = kind, .value = value};
    app_update(s, &a);
}

static bool same_bits_(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

// Repeatable numbers: small integers and halves in [-2, 2].
static float value_(uint32_t *x) {
    *x ^= *x << 13, *x ^= *x >> 17, *x ^= *x << 5;
    return (float)((int)(*x % 9) - 4) / 2.0f;
}

// The set-up used below: 2 channels of 6x5, 3 filters of 3x3, padding 1,
// stride 2, every value a small number, each filter its own bias.
static conv_setup three_filters_(void) {
    conv_setup c;
    memset(&c, 0, sizeof c);
    c.n_h = 6, c.n_w = 5, c.channels = 2, c.filters = 3, c.k = 3;
    c.padding = nn_padding_explicit(1);
    c.stride = 2, c.dilation = 1;
    uint32_t x = 12345;
    for (int ch = 0; ch < 2; ch++)
        for (int y = 0; y < 6; y++)
            for (int i = 0; i < 5; i++) c.input[ch][y][i] = value_(&x);
    for (int f = 0; f < 3; f++) {
        c.preset[f] = PRESET_CUSTOM;
        c.bias[f] = (float)f - 1.5f;
        for (int ch = 0; ch < 2; ch++)
            for (int y = 0; y < 3; y++)
                for (int i = 0; i < 3; i++) c.kernel[f][ch][y][i] = value_(&x);
    }
    return c;
}

// The reference: out[f][r][c] = bias[f] + sum over ch, ky, kx of
// in[ch][r*s - p + ky][c*s - p + kx] * w[f][ch][ky][kx], zeros outside.
// Output side: floor((n + 2p - k) / s) + 1 = rows (6 + 2 - 3)/2 + 1 = 3, cols (5 + 2 - 3)/2 + 1 = 3.
static void reference_(const conv_setup *c, double out[3][3][3]) {
    for (int f = 0; f < 3; f++)
        for (int r = 0; r < 3; r++)
            for (int col = 0; col < 3; col++) {
                double acc = c->bias[f];
                for (int ch = 0; ch < c->channels; ch++)
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++) {
                            const int y = r * 2 - 1 + ky, x = col * 2 - 1 + kx;
                            if (y < 0 || x < 0 || y >= c->n_h || x >= c->n_w) continue;
                            acc += (double)c->input[ch][y][x] * c->kernel[f][ch][ky][kx];
                        }
                out[f][r][col] = acc;
            }
}

static void test_filters_agree_with_a_plain_loop_and_the_engine(void **st) {
    app_state *s = *st;
    const conv_setup c = three_filters_();
    assert_true(app_set_conv(s, &c));
    assert_int_equal(s->conv.geom.out_h, 3);
    assert_int_equal(s->conv.geom.out_w, 3);
    assert_int_equal(s->conv.anim.total, 27);  // 3 filters of 3x3 cells
    double want[3][3][3];
    reference_(&c, want);
    // Halves times halves, summed: exact in float, so equal to the double sum.
    for (int i = 0; i < 27; i++) assert_true(s->conv.out[i] == (float)(&want[0][0][0])[i]);
    // The engine's forward pass of all three filters at once, laid out as it wants.
    float in[2 * 6 * 5], w[3 * 2 * 3 * 3], out[27];
    for (int ch = 0; ch < 2; ch++)
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 5; x++) in[(ch * 6 + y) * 5 + x] = c.input[ch][y][x];
    for (int f = 0; f < 3; f++)
        for (int ch = 0; ch < 2; ch++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++) w[((f * 2 + ch) * 3 + y) * 3 + x] = c.kernel[f][ch][y][x];
    nn_conv2d_config cfg = {.in_c = 2, .in_h = 6, .in_w = 5, .filters = 3, .k_h = 3, .k_w = 3, .stride = 2,
                            .dilation = 1, .padding = nn_padding_explicit(1)};
    nn_conv2d_geom g;
    nn_error e;
    assert_int_equal(nn_conv2d_geom_init(&g, &cfg, &e), NN_OK);
    nn_conv2d_forward(&g, out, in, w, c.bias, 1);
    for (int i = 0; i < 27; i++) assert_true(same_bits_(s->conv.out[i], out[i]));
    // The animation steps filter 1's cells, then filter 2's, then filter 3's;
    // each step's sum is the forward pass's value, bit for bit.
    act_(s, ACT_RESTART, 0);
    for (int i = 0; i < 27; i++) {
        act_(s, ACT_STEP_FORWARD, 0);  // (the first press completes cell 0, each next one the next cell)
        assert_int_equal(s->conv.anim.pos, i);
        assert_true(s->conv.step.valid);
        assert_int_equal(s->conv.step.filter, i / 9);
        assert_int_equal(s->conv.step.row, i % 9 / 3);
        assert_int_equal(s->conv.step.col, i % 3);
        assert_int_equal(s->conv.step.count, 18);
        assert_true(s->conv.step.bias == c.bias[i / 9]);
        assert_true(same_bits_(s->conv.step.sum, out[i]));
        assert_int_equal(conv_view_filter(&s->conv), i / 9);
    }
}

// A click on filter 3's output cell (1, 2) jumps to that filter's cell.
static void test_click_jumps_into_that_filter(void **st) {
    app_state *s = *st;
    const conv_setup c = three_filters_();
    app_set_conv(s, &c);
    const app_action click = {.kind = ACT_SELECT_CELL, .cell = {.grid = GRID_OUTPUT, .channel = 2, .row = 1, .col = 2}};
    app_update(s, &click);
    assert_int_equal(s->conv.anim.pos, 2 * 9 + 1 * 3 + 2);
    assert_int_equal(s->conv.step.filter, 2);
    // A lesson's `step to` (no grid): within the filter the animation is on.
    const app_action to = {.kind = ACT_JUMP_TO_OUTPUT, .row = 0, .col = 1};
    app_update(s, &to);
    assert_int_equal(s->conv.anim.pos, 2 * 9 + 1);
    // An edit of filter 2's kernel (the grid's layer) changes filter 2's map alone.
    float before[27];
    memcpy(before, s->conv.out, sizeof before);
    const app_action set = {.kind = ACT_SET_CELL, .cell = {.grid = GRID_KERNEL, .channel = 1, .row = 0, .col = 0, .layer = 1},
                            .fx = 10.0f};
    app_update(s, &set);
    assert_true(s->conv.setup.kernel[1][1][0][0] == 10.0f);
    assert_memory_equal(s->conv.out, before, 9 * sizeof(float));
    assert_memory_equal(s->conv.out + 18, before + 18, 9 * sizeof(float));
    // Output (0,0) of filter 2 reads input (y, x) = (-1 + ky, -1 + kx): tap (0,0) is padding, so 10 x 0 changes nothing there;
    // (1,1) reads tap (0,0) at input (1,1): it grows by (10 - w) x in[1][1][1].
    const float w = c.kernel[1][1][0][0], in = c.input[1][1][1];
    assert_true(s->conv.out[9] == before[9]);
    assert_float_equal(s->conv.out[9 + 4], before[9 + 4] + (10.0f - w) * in, 1e-5);
}

static void test_params_text(void **st) {
    (void)st;
    conv_setup c;
    memset(&c, 0, sizeof c);
    c.filters = 2, c.k = 3, c.channels = 1;
    char t[200];
    conv_params_text(&c, t, sizeof t);
    assert_string_equal(t, "F \u00d7 (k \u00d7 k \u00d7 C + 1) = 2 \u00d7 (3 \u00d7 3 \u00d7 1 + 1) = 20 parameters");
    // 4 x (5 x 5 x 6 + 1) = 4 x 151 = 604
    c.filters = 4, c.k = 5, c.channels = 6;
    conv_params_text(&c, t, sizeof t);
    assert_string_equal(t, "F \u00d7 (k \u00d7 k \u00d7 C + 1) = 4 \u00d7 (5 \u00d7 5 \u00d7 6 + 1) = 604 parameters");
    // 1 x (1 x 1 x 1 + 1) = 2
    c.filters = 1, c.k = 1, c.channels = 1;
    conv_params_text(&c, t, sizeof t);
    assert_string_equal(t, "F \u00d7 (k \u00d7 k \u00d7 C + 1) = 1 \u00d7 (1 \u00d7 1 \u00d7 1 + 1) = 2 parameters");
}

// Filters 1..4: a new one gets the next preset no other filter uses and bias 0.
static void test_add_and_remove_filters(void **st) {
    app_state *s = *st;
    assert_int_equal(s->conv.setup.filters, 1);
    act_(s, ACT_SET_FILTERS, 2);
    assert_int_equal(s->conv.setup.filters, 2);
    assert_int_equal(s->conv.setup.preset[1], PRESET_SOBEL_VERTICAL);
    assert_true(s->conv.setup.bias[1] == 0.0f);
    static const float sobel_v[3][3] = {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}};
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) assert_true(s->conv.setup.kernel[1][0][y][x] == sobel_v[y][x]);
    assert_int_equal(s->conv.anim.total, 2 * 9);
    // Filter 2's map of the lecture's 5x5 input (row 0 of it: 3 3 2 1 0 / 0 0 1 3 1 / 3 1 2 2 3):
    // output (0,0) = -3 + 2 - 0 + 2 - 3 + 2 = ... worked out: (-1)*3 + 1*2 + (-2)*0 + 2*1 + (-1)*3 + 1*2 = 0.
    assert_true(s->conv.out[9] == 0.0f);
    // (0,1): window cols 1..3: (-1)*3 + 1*1 + (-2)*0 + 2*3 + (-1)*1 + 1*2 = 5
    assert_true(s->conv.out[10] == 5.0f);
    // The third skips Sobel vertical (taken) and takes Sobel horizontal; a fifth is refused.
    act_(s, ACT_SET_FILTERS, 4);
    assert_int_equal(s->conv.setup.filters, 4);
    assert_int_equal(s->conv.setup.preset[2], PRESET_SOBEL_HORIZONTAL);
    assert_int_equal(s->conv.setup.preset[3], PRESET_LAPLACIAN);
    act_(s, ACT_SET_FILTERS, 5);
    assert_int_equal(s->conv.setup.filters, 4);
    act_(s, ACT_SET_FILTERS, 0);
    assert_int_equal(s->conv.setup.filters, 1);
    assert_int_equal(s->conv.anim.total, 9);
    // The first filter's preset is the one the set-up has: a preset picks the next one.
    act_(s, ACT_PRESET, PRESET_SOBEL_VERTICAL);
    act_(s, ACT_SET_FILTERS, 2);
    assert_int_equal(s->conv.setup.preset[1], PRESET_SOBEL_HORIZONTAL);
    // A preset applies to the filter the animation is on.
    act_(s, ACT_TO_END, 0);
    assert_int_equal(conv_view_filter(&s->conv), 1);
    act_(s, ACT_PRESET, PRESET_IDENTITY);
    assert_int_equal(s->conv.setup.preset[0], PRESET_SOBEL_VERTICAL);
    assert_int_equal(s->conv.setup.preset[1], PRESET_IDENTITY);
}

// ---- Lessons -----------------------------------------------------------------------------------------

static void test_lesson_filters(void **st) {
    app_state *s = *st;
    // Filter 2 over the 2-channel input of lesson 05: kernels [[1,-1],[1,-1]] and
    // [[1,1],[-1,-1]], bias -1. Output (1,1): channel 0 window [[1,0],[2,1]]:
    // 1 - 0 + 2 - 1 = 2; channel 1 window [[1,3],[0,2]]: 1 + 3 - 0 - 2 = 2; 2 + 2 - 1 = 3.
    const char *text = "title F\n"
                       "view conv\n"
                       "input 1 0 2; 3 1 0; 0 2 1 | 2 1 0; 0 1 3; 1 0 2\n"
                       "kernel 1 0; 0 1 | 0 1; 1 0\n"
                       "filters 2\n"
                       "kernel filter 2 1 -1; 1 -1 | 1 1; -1 -1\n"
                       "bias filter 2 -1\n"
                       "bias 1\n"
                       "step 8\n"
                       "expect cell 1 1 3\n";
    lesson l;
    char err[400];
    assert_true(lesson_parse(&l, text, "t.lesson", err, sizeof err));
    assert_int_equal(l.cmds[4].op, LOP_FILTERS);
    assert_int_equal(l.cmds[4].a, 2);
    assert_int_equal(l.cmds[5].op, LOP_KERNEL);
    assert_int_equal(l.cmds[5].b, 1);
    assert_int_equal(l.cmds[6].b, 1);
    assert_int_equal(l.cmds[7].b, 0);
    lesson_start(s, NULL, &l, NULL);
    assert_int_equal(s->player.failures, 0);
    assert_int_equal(s->conv.setup.filters, 2);
    assert_true(s->conv.setup.bias[0] == 1.0f && s->conv.setup.bias[1] == -1.0f);
    assert_true(s->conv.setup.kernel[1][1][1][0] == -1.0f);
    for (int i = 0; i < 200 && s->conv.anim.playing; i++) app_tick(s, 100);  // the step plays in the window
    assert_int_equal(s->conv.anim.pos, 7);  // the last cell of filter 2
    assert_true(s->conv.out[4 + 3] == 3.0f);
    lesson_close(s);
    lesson_free(&l);
    // Refused with file:line: too many filters, a filter the view does not have yet.
    assert_false(lesson_parse(&l, "title F\nview conv\nfilters 5\n", "t.lesson", err, sizeof err));
    assert_string_equal(err, "t.lesson:3: the number of filters must be a whole number from 1 to 4, got '5'");
    assert_false(lesson_parse(&l, "title F\nview conv\nfilters 2\nkernel filter 3 1\n", "t.lesson", err, sizeof err));
    assert_string_equal(err, "t.lesson:4: kernel filter 3: there are 2 filters here (use 'filters N' first)");
    assert_false(lesson_parse(&l, "title F\nview conv\nbias filter 2 1\n", "t.lesson", err, sizeof err));
    assert_string_equal(err, "t.lesson:3: bias filter 2: there is 1 filter here (use 'filters N' first)");
}

// ---- The opener the network views call ---------------------------------------------------------------

// Builds `arch` on 28x28x1 with seeded parameters and runs it on a seeded input.
static nn_net *net_(const char *arch, float *input) {
    nn_net *net = NULL;
    nn_error e;
    assert_int_equal(nn_net_create(&net, arch, nn_shape_map(1, 28, 28), 1, NULL, &e), NN_OK);
    nn_net_init_params(net, 7);
    // Biases are zero after init: make them count.
    for (int i = 0; i < net->model->n_layers; i++)
        for (size_t j = 0; j < net->slices[i].n_bias; j++) net->params[net->slices[i].bias + j] = 0.01f * (float)(j + 1);
    uint32_t x = 99;
    for (int i = 0; i < 784; i++) input[i] = (float)((x = x * 1664525u + 1013904223u) >> 8) / 16777216.0f;
    nn_net_forward(net, input, 1, false, NULL);
    return net;
}

// Opens every filter at a few cells of conv layer `layer`; the view's step
// there (all its products in) is net->out[layer] at that cell, bit for bit.
static void check_layer_(app_state *s, nn_net *net, const float *input, int layer) {
    const nn_conv2d_geom *g = &net->model->layers[layer].conv;
    const int cells[][2] = {{0, 0}, {g->out_h / 2, g->out_w / 3}, {g->out_h - 1, g->out_w - 1}};
    for (int f = 0; f < g->cfg.filters; f++)
        for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
            const int r = cells[i][0], c = cells[i][1];
            char why[300] = "";
            s->view = VIEW_NETWORK;
            assert_true(conv_open_from_net(s, net, input, layer, f, r, c, VIEW_NETWORK, why, sizeof why));
            assert_int_equal(s->view, VIEW_CONV);
            assert_int_equal(s->back_view, VIEW_NETWORK);
            assert_int_equal(s->conv.setup.filters, 1);
            assert_int_equal(s->conv.setup.channels, g->cfg.in_c);
            const float want = net->out[layer][((size_t)f * g->out_h + r) * g->out_w + c];
            assert_true(s->conv.step.valid);
            assert_int_equal(s->conv.step.row, r);
            assert_int_equal(s->conv.step.col, c);
            assert_int_equal(s->conv.anim.reveal, s->conv.step.count);
            if (!same_bits_(s->conv.step.sum, want)) {
                print_error("layer %d filter %d (%d, %d): the view's sum %.9g, the network's %.9g\n", layer, f, r, c,
                            (double)s->conv.step.sum, (double)want);
                fail();
            }
            assert_true(same_bits_(s->conv.out[r * g->out_w + c], want));
            char head[64];
            snprintf(head, sizeof head, "filter %d of conv layer %d", f + 1, layer + 1);
            assert_non_null(strstr(s->status, head));
        }
}

static void test_open_from_net_small(void **st) {
    app_state *s = *st;
    float input[784];
    // Layer 0: 1 channel of 28x28, 2 filters of 3x3 (26x26 out); layer 2: the
    // ReLU's 2 channels of 26x26, 3 filters of 3x3 with padding 1 (26x26 out).
    nn_net *net = net_("conv(2,3),relu,conv(3,3,pad=1),flatten,dense(10),softmax", input);
    check_layer_(s, net, input, 0);
    check_layer_(s, net, input, 2);
    // Not a convolution; no such filter or cell: refused, the view unchanged.
    char why[300];
    s->view = VIEW_NETWORK;
    assert_false(conv_open_from_net(s, net, input, 1, 0, 0, 0, VIEW_NETWORK, why, sizeof why));
    assert_string_equal(why, "layer 2 is not a convolution");
    assert_false(conv_open_from_net(s, net, input, 2, 3, 0, 0, VIEW_NETWORK, why, sizeof why));
    assert_false(conv_open_from_net(s, net, input, 0, 0, 26, 0, VIEW_NETWORK, why, sizeof why));
    assert_int_equal(s->view, VIEW_NETWORK);
    nn_net_free(net);
}

// LeNet-5's second convolution: the 6 pooled maps of 14x14, 16 filters of 5x5x6.
static void test_open_from_net_lenet5(void **st) {
    app_state *s = *st;
    float input[784];
    nn_net *net = net_("lenet5", input);
    assert_int_equal(net->model->layers[3].conv.cfg.in_c, 6);
    check_layer_(s, net, input, 0);
    check_layer_(s, net, input, 3);
    nn_net_free(net);
}

// ---- One input channel at a time ------------------------------------------------------------------

static int fake_width_(void *ctx, const char *t, int px, bool mono) {
    (void)ctx, (void)mono;
    return (int)strlen(t) * px * 6 / 10;
}

// The grids drawn for input channel `ch` (inputs and kernels), and for any other.
static void count_channel_grids_(const ui_layout *l, int ch, int *this_one, int *others) {
    *this_one = *others = 0;
    for (int g = 0; g < l->n_grids; g++) {
        const ui_grid *gr = &l->grids[g];
        if (gr->id != GRID_INPUT && gr->id != GRID_KERNEL) continue;
        if (gr->channel == ch) (*this_one)++;
        else (*others)++;
    }
}

// LeNet-5's second convolution has 6 input maps of 14x14 and 5x5 kernels:
// too many to draw readable together at 1920x1080, so the view draws one
// channel at a time with every value readable, under a row of buttons (one a
// channel) that picks it; [ and ] step through them; adding products one by
// one moves to the channel the newest product reads (25 products a channel).
static void test_one_channel_at_a_time(void **st) {
    app_state *s = *st;
    float input[784];
    nn_net *net = net_("lenet5", input);
    char why[300];
    s->view = VIEW_NETWORK;
    assert_true(conv_open_from_net(s, net, input, 3, 4, 3, 3, VIEW_NETWORK, why, sizeof why));
    static ui_layout l;
    const ui_metrics m = {fake_width_, NULL};
    // (Text measured roughly here; test_conv_filters_cli.py checks the real
    // frames at 1280x720 and 1920x1080, zoom 100 and 150.)
    for (int zoom = 100; zoom <= 100; zoom += 50) {
        s->zoom = zoom;
        layout_compute(&l, s, 1920, 1080, &m);
        assert_true(l.channel_tabs.w > 0);
        int tabs = 0, active = -1;
        for (int b = 0; b < l.n_buttons; b++)
            if (l.buttons[b].action.kind == ACT_SHOW_CHANNEL) {
                assert_int_equal(l.buttons[b].action.value, tabs);
                if (l.buttons[b].active) active = tabs;
                tabs++;
            }
        assert_int_equal(tabs, 6);
        assert_int_equal(active, 0);
        int mine, others;
        count_channel_grids_(&l, 0, &mine, &others);
        assert_int_equal(others, 0);
        assert_true(mine >= 2);  // the input (a picture and its close-up, or whole) and the kernel
        for (int g = 0; g < l.n_grids; g++) {
            const ui_grid *gr = &l.grids[g];
            if (gr->id == GRID_KERNEL || gr->id == GRID_BIAS) assert_true(gr->cell >= l.min_cell);
        }
    }
    s->zoom = 100;
    // ] and [ go round the six channels.
    act_(s, ACT_SHOW_CHANNEL, 5);
    assert_int_equal(conv_view_channel(&s->conv), 5);
    layout_compute(&l, s, 1920, 1080, &m);
    int mine, others;
    count_channel_grids_(&l, 5, &mine, &others);
    assert_true(mine >= 2);
    assert_int_equal(others, 0);
    act_(s, ACT_SHOW_CHANNEL, 9);  // clamped
    assert_int_equal(conv_view_channel(&s->conv), 5);
    // Products one by one: the 27th product of a cell is channel 1's third (25 a channel).
    act_(s, ACT_RESTART, 0);
    for (int i = 0; i < 27; i++) {
        const app_action a = {.kind = ACT_STEP_FORWARD, .value = ANIM_ONE_PRODUCT};
        app_update(s, &a);
    }
    assert_int_equal(s->conv.anim.reveal, 27);
    assert_int_equal(conv_view_channel(&s->conv), 1);
    // Small enough to draw whole (two channels of 5x5, the lecture's 3x3): every channel at once.
    act_(s, ACT_SET_CHANNELS, 2);
    act_(s, ACT_SET_SIZE, 5);
    layout_compute(&l, s, 1920, 1080, &m);
    assert_int_equal(l.channel_tabs.w, 0);
    count_channel_grids_(&l, 0, &mine, &others);
    assert_true(mine >= 2 && others >= 2);
    nn_net_free(net);
}

// More channels than the view shows: refused with the reason.
static void test_open_from_net_too_large(void **st) {
    app_state *s = *st;
    float input[784];
    nn_net *net = net_("conv(8,3),conv(2,3),flatten,dense(10),softmax", input);
    char why[300];
    s->view = VIEW_CNN;
    assert_false(conv_open_from_net(s, net, input, 1, 0, 0, 0, VIEW_CNN, why, sizeof why));
    assert_non_null(strstr(why, "8 channels of 26x26"));
    assert_non_null(strstr(why, "up to 6 channels"));
    assert_int_equal(s->view, VIEW_CNN);
    check_layer_(s, net, input, 0);
    nn_net_free(net);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_filters_agree_with_a_plain_loop_and_the_engine, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_click_jumps_into_that_filter, setup_, teardown_),
        cmocka_unit_test(test_params_text),
        cmocka_unit_test_setup_teardown(test_add_and_remove_filters, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_lesson_filters, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_open_from_net_small, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_open_from_net_lenet5, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_open_from_net_too_large, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_one_channel_at_a_time, setup_, teardown_),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
