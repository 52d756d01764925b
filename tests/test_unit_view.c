// test_unit_view.c - the unit view (app/view_unit.c): one unit of a real
// network worked out. A real net ("conv(2,3),relu,maxpool(2),flatten,
// dense(12),relu,dense(10),softmax" on 28x28x1, seeded weights, a fixed
// input) is run forward by the engine; the view's numbers are checked
// against values this file computes itself with plain loops (in double):
//   - a dense unit: z = sum_i x_i w_ij + b_j; the written-out sum (listed
//     products + the rest + bias) within the rounding that float addition
//     of these products can make (n * eps * sum |x_i w_ij|), and the value
//     shown as the network's equal to net->out bit for bit;
//   - a ReLU cell: before is the layer before's output, after max(0, before);
//   - the softmax: e^(z - max) / sum in double, the p adding to 1;
//   - the pooling opener: the max of the 2x2 window, computed here.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "layout.h"
#include "state.h"
#include "update.h"
#include "view_unit.h"

#define ARCH "conv(2,3),relu,maxpool(2),flatten,dense(12),relu,dense(10),softmax"
enum { L_CONV, L_RELU, L_POOL, L_FLAT, L_DENSE, L_RELU2, L_LOGITS, L_SOFTMAX };

typedef struct fixture {
    app_state s;
    nn_net *net;
    float x[784];
} fixture;

static int setup_(void **st) {
    fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    nn_error e;
    if (nn_net_create(&f->net, ARCH, nn_shape_map(1, 28, 28), 1, NULL, &e) != NN_OK) {
        free(f);
        return -1;
    }
    nn_net_init_params(f->net, 7);
    // Biases away from 0, so the bias term is tested too.
    for (int L = 0; L < f->net->model->n_layers; L++)
        for (size_t i = 0; i < f->net->slices[L].n_bias; i++)
            f->net->params[f->net->slices[L].bias + i] = 0.05f * (float)((int)(i % 5) - 2);
    for (int i = 0; i < 784; i++) f->x[i] = 0.5f + 0.5f * sinf(0.37f * (float)i) * cosf(0.011f * (float)i);
    nn_net_forward(f->net, f->x, 1, false, NULL);
    app_state_init(&f->s);
    f->s.host.network_net = f->net;
    memcpy(f->s.host.network_input, f->x, sizeof f->x);
    *st = f;
    return 0;
}

static int teardown_(void **st) {
    fixture *f = *st;
    nn_net_free(f->net);
    free(f);
    return 0;
}

static void select_(app_state *s, int layer, int channel, int row, int col) {
    s->network.has_selection = true;
    s->network.selected = (cell_ref){.grid = GRID_NET, .layer = layer, .channel = channel, .row = row, .col = col};
}

// ---- Dense ------------------------------------------------------------------------------------

static void check_dense_(const fixture *f, int layer, int j) {
    const nn_net *net = f->net;
    const nn_layer *ly = &net->model->layers[layer];
    const int in_n = ly->in.c, out_n = ly->out.c;
    const float *x = net->out[layer - 1];
    const float *W = net->params + net->slices[layer].weights;
    const float b = net->params[net->slices[layer].bias + j];
    double ref = b, abs_sum = 0;
    for (int i = 0; i < in_n; i++) {
        ref += (double)x[i] * W[i * out_n + j];
        abs_sum += fabs((double)x[i] * W[i * out_n + j]);
    }
    unit_dense d;
    assert_true(unit_dense_terms(net, f->x, layer, j, &d));
    assert_int_equal(d.in_n, in_n);
    // The engine's value, bit for bit.
    assert_memory_equal(&d.z, &net->out[layer][j], sizeof(float));
    // The written-out sum: the listed products, the rest and the bias.
    const double tol = (in_n + 2) * FLT_EPSILON * (abs_sum + fabs(b)) + 1e-7;
    assert_true(fabs((double)d.written - ref) <= tol);
    assert_true(fabs((double)d.top_sum + d.rest_sum + d.bias - ref) <= tol);
    assert_int_equal(d.n_top + d.n_rest, in_n);
    assert_true(fabs(d.abs_sum - abs_sum) <= tol);
    // The listed terms are real products, the largest by size, largest first.
    double listed = 0;
    for (int k = 0; k < d.n_top; k++) {
        const int i = d.top[k].i;
        assert_true(i >= 0 && i < in_n);
        assert_memory_equal(&d.top[k].x, &x[i], sizeof(float));
        assert_memory_equal(&d.top[k].w, &W[i * out_n + j], sizeof(float));
        assert_true(fabs((double)d.top[k].product - (double)x[i] * W[i * out_n + j]) <= 1e-6 * fabs(d.top[k].product) + 1e-12);
        if (k > 0) assert_true(fabsf(d.top[k].product) <= fabsf(d.top[k - 1].product));
        listed += d.top[k].product;
    }
    assert_true(fabs(listed - d.top_sum) <= tol);
    const float smallest = fabsf(d.top[d.n_top - 1].product);
    for (int i = 0; i < in_n; i++) {
        bool is_listed = false;
        for (int k = 0; k < d.n_top; k++) is_listed = is_listed || d.top[k].i == i;
        if (!is_listed) assert_true(fabsf(x[i] * W[i * out_n + j]) <= smallest);
    }
    assert_int_equal(d.logit, layer == L_LOGITS);
}

static void test_dense_sum(void **st) {
    fixture *f = *st;
    for (int j = 0; j < 12; j++) check_dense_(f, L_DENSE, j);
    for (int j = 0; j < 10; j++) check_dense_(f, L_LOGITS, j);
    unit_dense d;
    assert_false(unit_dense_terms(f->net, f->x, L_RELU2, 0, &d));
    assert_false(unit_dense_terms(f->net, f->x, L_DENSE, 12, &d));
}

// ---- ReLU -------------------------------------------------------------------------------------

static void test_relu_cell(void **st) {
    fixture *f = *st;
    const nn_net *net = f->net;
    int negatives = 0;
    for (int c = 0; c < 2; c++)
        for (int r = 0; r < 26; r += 5)
            for (int q = 0; q < 26; q += 3) {
                float before, after;
                assert_true(unit_act_cell(net, f->x, L_RELU, c, r, q, &before, &after));
                const float want = net->out[L_CONV][(c * 26 + r) * 26 + q];
                assert_memory_equal(&before, &want, sizeof(float));
                assert_true(after == (want > 0 ? want : 0.0f));
                assert_memory_equal(&after, &net->out[L_RELU][(c * 26 + r) * 26 + q], sizeof(float));
                negatives += want < 0;
            }
    assert_true(negatives > 0);  // the test sees the ReLU do something
    for (int u = 0; u < 12; u++) {
        float before, after;
        assert_true(unit_act_cell(net, f->x, L_RELU2, u, 0, 0, &before, &after));
        assert_memory_equal(&before, &net->out[L_DENSE][u], sizeof(float));
        assert_true(after == fmaxf(0.0f, net->out[L_DENSE][u]));
    }
    float b, a;
    assert_false(unit_act_cell(net, f->x, L_DENSE, 0, 0, 0, &b, &a));
    assert_false(unit_act_cell(net, f->x, L_RELU, 2, 0, 0, &b, &a));
}

// ---- Softmax ----------------------------------------------------------------------------------

static void test_softmax(void **st) {
    fixture *f = *st;
    const nn_net *net = f->net;
    unit_softmax o;
    assert_true(unit_softmax_terms(net, f->x, L_SOFTMAX, &o));
    assert_int_equal(o.n, 10);
    const float *z = net->out[L_LOGITS];
    double mx = z[0], sum = 0, p_sum = 0;
    for (int i = 1; i < 10; i++) mx = z[i] > mx ? z[i] : mx;
    for (int i = 0; i < 10; i++) sum += exp(z[i] - mx);
    int best = 0;
    for (int i = 0; i < 10; i++) {
        const double p = exp(z[i] - mx) / sum;
        assert_true(fabs(o.p[i] - p) <= 1e-6);
        assert_true(fabs(o.e[i] - exp(z[i] - mx)) <= 1e-6);
        p_sum += o.p[i];
        if (p > exp(z[best] - mx) / sum) best = i;
    }
    assert_memory_equal(o.p, net->out[L_SOFTMAX], sizeof(float) * 10);
    assert_true(fabs(o.sum - sum) <= 1e-5 * sum);
    assert_true(fabs(o.max - mx) == 0);
    assert_true(fabs(p_sum - 1) <= 1e-6);
    assert_true(fabs(o.p_sum - 1) <= 1e-6);
    assert_int_equal(o.winner, best);
    assert_false(unit_softmax_terms(net, f->x, L_LOGITS, &o));
}

// ---- The pooling opener -----------------------------------------------------------------------

static void test_open_pool(void **st) {
    fixture *f = *st;
    app_state *s = &f->s;
    const nn_net *net = f->net;
    char why[320];
    const int cells[][3] = {{0, 0, 0}, {1, 6, 11}, {0, 12, 12}, {1, 3, 0}};
    for (size_t t = 0; t < sizeof cells / sizeof cells[0]; t++) {
        const int c = cells[t][0], r = cells[t][1], q = cells[t][2];
        s->view = VIEW_UNIT;
        assert_true(unit_open_pool(s, net, f->x, L_POOL, c, r, q, VIEW_NETWORK, why, sizeof why));
        assert_int_equal(s->view, VIEW_POOL);
        assert_int_equal(s->back_view, VIEW_NETWORK);
        assert_true(s->pool.step.valid);
        assert_int_equal(s->pool.step.row, r);
        assert_int_equal(s->pool.step.col, q);
        // The max of the 2x2 window of the ReLU's map, here.
        const float *m = net->out[L_RELU] + c * 26 * 26;
        float mx = -INFINITY;
        for (int y = 2 * r; y < 2 * r + 2; y++)
            for (int x = 2 * q; x < 2 * q + 2; x++) mx = m[y * 26 + x] > mx ? m[y * 26 + x] : mx;
        assert_memory_equal(&s->pool.step.max_value, &mx, sizeof(float));
        assert_memory_equal(&s->pool.step.max_value, &net->out[L_POOL][(c * 13 + r) * 13 + q], sizeof(float));
        assert_true(s->status[0] != '\0');
    }
    // Esc goes back where it was asked to.
    const app_action back = {.kind = ACT_BACK};
    app_update(s, &back);
    assert_int_equal(s->view, VIEW_NETWORK);
    // Not a pooling layer; not a cell of it.
    s->view = VIEW_UNIT;
    assert_false(unit_open_pool(s, net, f->x, L_RELU, 0, 0, 0, VIEW_NETWORK, why, sizeof why));
    assert_non_null(strstr(why, "not a pooling layer"));
    assert_false(unit_open_pool(s, net, f->x, L_POOL, 0, 13, 0, VIEW_NETWORK, why, sizeof why));
    assert_int_equal(s->view, VIEW_UNIT);
    // A map larger than the view shows.
    nn_net *big;
    nn_error e;
    assert_int_equal(nn_net_create(&big, "maxpool(2),flatten,dense(10)", nn_shape_map(1, 40, 40), 1, NULL, &e), NN_OK);
    float in[1600] = {0};
    nn_net_forward(big, in, 1, false, NULL);
    assert_false(unit_open_pool(s, big, in, 0, 0, 0, 0, VIEW_NETWORK, why, sizeof why));
    assert_non_null(strstr(why, "40x40"));
    assert_int_equal(s->view, VIEW_UNIT);
    nn_net_free(big);
}

// ---- The view: opening, stepping, Esc, the plan ---------------------------------------------------

static int fake_width_(void *ctx, const char *text, int px, bool mono) {
    (void)ctx, (void)mono;
    return (int)strlen(text) * px * 6 / 10;
}

// The line of the plan that starts with `start`, or NULL.
static const char *plan_line_(const unit_plan *p, const char *start) {
    for (int i = 0; i < p->n_lines; i++)
        if (strncmp(p->lines[i].text, start, strlen(start)) == 0) return p->lines[i].text;
    return NULL;
}

static void test_view_steps_and_back(void **st) {
    fixture *f = *st;
    app_state *s = &f->s;
    select_(s, L_RELU, 1, 4, 25);
    s->view = VIEW_NETWORK;
    unit_open(s, VIEW_NETWORK);
    assert_int_equal(s->view, VIEW_UNIT);
    const app_action next = {.kind = ACT_STEP_FORWARD, .value = UNIT_STEP_CELL};
    app_update(s, &next);  // the row's last cell: on to the next row
    assert_int_equal(s->network.selected.row, 5);
    assert_int_equal(s->network.selected.col, 0);
    const app_action down = {.kind = ACT_STEP_FORWARD, .value = UNIT_STEP_ROW};
    app_update(s, &down);
    assert_int_equal(s->network.selected.row, 6);
    const app_action prev_map = {.kind = ACT_STEP_BACK, .value = UNIT_STEP_MAP};
    app_update(s, &prev_map);
    assert_int_equal(s->network.selected.channel, 0);
    app_update(s, &prev_map);  // no map before the first
    assert_int_equal(s->network.selected.channel, 0);
    // Playing steps a cell at a time.
    const app_action play = {.kind = ACT_PLAY_PAUSE};
    app_update(s, &play);
    assert_true(s->unit.playing);
    app_tick(s, 1000.0 / app_speed_value(s->unit.speed) * 3 + 1);
    assert_int_equal(s->network.selected.col, 3);
    // The laid-out close-ups show the selected cell; a click on one selects it.
    ui_layout l;
    const ui_metrics m = {fake_width_, NULL};
    layout_compute(&l, s, 1920, 1080, &m);
    int grids = 0;
    for (int i = 0; i < l.n_grids; i++) {
        const ui_grid *g = &l.grids[i];
        if (g->id != GRID_OUTPUT) continue;
        grids++;
        assert_true(g->cell >= l.min_cell);
        assert_true(g->row0 <= 6 && 6 < g->row0 + g->rows && g->col0 <= 3 && 3 < g->col0 + g->cols);
        ui_rect q;
        assert_true(ui_grid_cell(g, g->row0, g->col0, &q));
        const app_action click = layout_hit(&l, q.x + 1, q.y + 1);
        app_update(s, &click);
        assert_int_equal(s->network.selected.row, g->row0);
        assert_int_equal(s->network.selected.col, g->col0);
        assert_false(s->editing);
    }
    assert_int_equal(grids, 2);
    // What is written: max(0, before) = after, with the engine's numbers.
    unit_plan p;
    unit_plan_make(&p, s, &l, &m);
    assert_int_equal(p.show, UNIT_SHOW_ACT);
    char b[32], a[32], want[120];
    const int idx = (s->network.selected.channel * 26 + s->network.selected.row) * 26 + s->network.selected.col;
    fmt_screen(f->net->out[L_CONV][idx], b, sizeof b);
    fmt_screen(fmaxf(0.0f, f->net->out[L_CONV][idx]), a, sizeof a);
    snprintf(want, sizeof want, "max(0, %s) = %s", b, a);
    assert_non_null(strstr(p.lines[0].text, want));
    // The dense unit's line of z shows the engine's value.
    select_(s, L_LOGITS, 4, 0, 0);
    unit_plan_make(&p, s, &l, &m);
    assert_int_equal(p.show, UNIT_SHOW_DENSE);
    const char *z = plan_line_(&p, "= z");
    assert_non_null(z);
    fmt_screen(f->net->out[L_LOGITS][4], b, sizeof b);
    assert_non_null(strstr(z, b));
    assert_non_null(strstr(p.title, "unit 4 of 10"));
    // Esc: back to the network view.
    const app_action esc = {.kind = ACT_BACK};
    app_update(s, &esc);
    assert_int_equal(s->view, VIEW_NETWORK);
}

// No network, or a selection the model does not have: a sentence, no grids.
static void test_view_says_why(void **st) {
    fixture *f = *st;
    app_state *s = &f->s;
    ui_layout l;
    const ui_metrics m = {fake_width_, NULL};
    select_(s, 12, 0, 0, 0);
    unit_open(s, VIEW_NETWORK);
    layout_compute(&l, s, 1280, 720, &m);
    unit_plan p;
    unit_plan_make(&p, s, &l, &m);
    assert_int_equal(p.show, UNIT_SHOW_WHY);
    assert_non_null(strstr(p.lines[0].text, "layer 13 is not one of them"));
    s->host.network_net = NULL;
    snprintf(s->host.train_why, sizeof s->host.train_why, "no training data");
    unit_plan_make(&p, s, &l, &m);
    assert_non_null(strstr(p.lines[0].text, "no training data"));
    const app_action next = {.kind = ACT_STEP_FORWARD};
    app_update(s, &next);  // nothing to step: no crash, nothing moves
    assert_int_equal(s->network.selected.layer, 12);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dense_sum, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_relu_cell, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_softmax, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_open_pool, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_view_steps_and_back, setup_, teardown_),
        cmocka_unit_test_setup_teardown(test_view_says_why, setup_, teardown_),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
