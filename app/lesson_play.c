// lesson_play.c - running lesson commands on the state (see lesson_play.h).
#include "lesson_play.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "anim.h"
#include "draw.h"
#include "expect.h"
#include "format.h"
#include "matrix.h"
#include "update.h"
#include "view_cnn.h"
#include "view_network.h"
#include "view_backprop.h"
#include "view_pool.h"
#include "views.h"

int lesson_count_beats(const lesson *l) {
    int n = 1;
    for (int i = 0; i < l->n; i++)
        if (l->cmds[i].op == LOP_WAIT && i + 1 < l->n) n++;
    return n;
}

static int words_(const char *t) {
    int n = 0;
    for (bool in = false; *t; t++) {
        const bool letter = *t != ' ';
        n += letter && !in;
        in = letter;
    }
    return n;
}

int lesson_class_minutes(const lesson *l) {
    double seconds = 20.0 * lesson_count_beats(l);
    for (int i = 0; i < l->n; i++) {
        const lesson_cmd *c = &l->cmds[i];
        if (c->op == LOP_SAY || c->op == LOP_QUIZ) seconds += 60.0 * words_(c->text) / 130.0;
        if (c->op == LOP_QUIZ) seconds += 60;
        if (c->op == LOP_TRAIN) seconds += 10;
    }
    const int minutes = (int)(seconds / 60.0 + 0.5);
    return minutes < 1 ? 1 : minutes;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void fail_(app_state *s, const lesson_cmd *c, FILE *log, const char *fmt, ...) {
    char msg[500];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->player.failures++;
    snprintf(s->player.last_failure, sizeof s->player.last_failure, "%.200s:%d: %.380s", s->player.l->source, c->line,
             msg);
    if (log) fprintf(log, "  FAILED %s\n", s->player.last_failure);
}

// The lesson sets views up itself: past the guard that keeps a student's
// keys off what it set up.
static void act_(app_state *s, app_action_kind kind, int value, int row, int col) {
    app_action a = {.kind = kind, .value = value, .row = row, .col = col};
    app_apply(s, &a);
}

// 'select': the unit of the live model's layer, checked against the model
// (its numbers come from the runtime, brought up to date first).
static void select_unit_(app_state *s, const lesson_host *host, const lesson_cmd *c, FILE *log) {
    if (host && host->refresh) host->refresh(host->ctx, s);
    const nn_net *net = s->host.network_net;
    if (!net) {
        fail_(s, c, log, "select needs the network view and a live model (view network first)");
        return;
    }
    const nn_model *m = net->model;
    const bool unit = strcmp(c->text, "unit") == 0;
    cell_ref u = {.grid = GRID_NET, .layer = c->a - 1, .channel = unit ? c->b : c->b - 1, .row = unit ? 0 : c->c,
                  .col = unit ? 0 : (int)c->value};
    if (u.layer >= m->n_layers) {
        fail_(s, c, log, "select: layer %d does not exist: the model has layers 1 to %d (0: the input)", c->a, m->n_layers);
        return;
    }
    const nn_shape o = u.layer < 0 ? m->input : m->layers[u.layer].out;
    if ((o.rank == 1) != unit) {
        fail_(s, c, log, "select: layer %d is %s: write select %d %s", c->a, unit ? "a stack of maps" : "a flat vector", c->a,
              unit ? "MAP ROW COL" : "UNIT");
        return;
    }
    if (net_selected_index(m, &u) < 0) {
        if (unit)
            fail_(s, c, log, "select: layer %d has units 0 to %d", c->a, o.c - 1);
        else
            fail_(s, c, log, "select: layer %d has maps 1 to %d, rows 0 to %d and columns 0 to %d", c->a, o.c, o.h - 1,
                  o.w - 1);
        return;
    }
    app_action a = {.kind = ACT_NET_SELECT, .cell = u};
    app_apply(s, &a);
}

// A 'step' in the window: the class watches the window slide (and, for a
// cell or two, each product appear) to where a transcript jumps at once,
// in about LESSON_PLAY_S: at 1 cell a second for a step or two, faster for
// more cells; more than the top speed shows in twice that goes there at
// once. The beat's later commands and the next beat start from the goal
// (snap_to_goal_), arrived or not.
#define LESSON_PLAY_S 3.0
static const anim_state *anim_on_screen_(const app_state *s);
static void anim_put_(app_state *s, int pos, int reveal);

static void jump_step_(app_state *s, const lesson_cmd *c) {
    if (c->a == -2)
        act_(s, ACT_TO_END, 0, 0, 0);
    else if (c->a == -1)
        act_(s, ACT_JUMP_TO_OUTPUT, 0, c->b, c->c);
    else
        for (int i = 0; i < c->a; i++) act_(s, ACT_STEP_FORWARD, 0, 0, 0);
}

static void play_step_(app_state *s, const lesson_cmd *c) {
    const anim_state *a = anim_on_screen_(s);
    if (!a || a->total == 0) {
        jump_step_(s, c);
        return;
    }
    const int from_pos = a->pos, from_reveal = a->reveal;
    jump_step_(s, c);
    a = anim_on_screen_(s);
    if (!a) return;
    const int goal_pos = a->pos, goal_reveal = a->reveal;
    if (goal_pos < from_pos || (goal_pos == from_pos && goal_reveal <= from_reveal)) return;  // back: a jump
    const int cells = goal_pos - from_pos + (from_reveal == 0 || from_pos == goal_pos ? 1 : 0);
    // Too many cells to watch even at the top speed (a digit's 784): there at once.
    if (cells / app_speed_value(app_speed_count() - 1) > 2 * LESSON_PLAY_S) return;
    lesson_player *p = &s->player;
    p->anim_goal_set = true;
    p->anim_goal_view = s->view;
    p->anim_goal_pos = goal_pos;
    p->anim_goal_reveal = goal_reveal;
    anim_put_(s, from_pos, from_reveal);
    a = anim_on_screen_(s);
    int want = 1;  // 1 cell a second: products one by one
    while (want < app_speed_count() - 1 && cells / app_speed_value(want) > LESSON_PLAY_S) want++;
    for (int guard = 0; a && a->speed < want && guard < app_speed_count(); guard++) act_(s, ACT_FASTER, 0, 0, 0);
    for (int guard = 0; a && a->speed > want && guard < app_speed_count(); guard++) act_(s, ACT_SLOWER, 0, 0, 0);
    act_(s, ACT_PLAY_PAUSE, goal_pos + 1, 0, 0);
}

// The animation on its way to the goal, to come back to after a look there.
typedef struct anim_detour_ {
    int pos, reveal, stop_after;
    bool playing;
} anim_detour_;

static bool detour_to_goal_(app_state *s, anim_detour_ *back) {
    const lesson_player *p = &s->player;
    const anim_state *a = anim_on_screen_(s);
    if (!p->anim_goal_set || !a || s->view != p->anim_goal_view ||
        (a->pos == p->anim_goal_pos && a->reveal == p->anim_goal_reveal))
        return false;
    *back = (anim_detour_){a->pos, a->reveal, a->stop_after, a->playing};
    anim_put_(s, p->anim_goal_pos, p->anim_goal_reveal);
    return true;
}

static void detour_back_(app_state *s, const anim_detour_ *back) {
    anim_put_(s, back->pos, back->reveal);
    if (back->playing) act_(s, ACT_PLAY_PAUSE, back->stop_after, 0, 0);
}

// Before a command that changes or reads the view: the animation where the
// lesson's last 'step' sends it, even if the class did not wait for it.
static void snap_to_goal_(app_state *s) {
    lesson_player *p = &s->player;
    if (!p->anim_goal_set) return;
    p->anim_goal_set = false;
    const anim_state *a = anim_on_screen_(s);
    if (a && s->view == p->anim_goal_view && (a->pos != p->anim_goal_pos || a->reveal != p->anim_goal_reveal || a->playing))
        anim_put_(s, p->anim_goal_pos, p->anim_goal_reveal);
}

// ---- Set-up commands -------------------------------------------------------------------

static void input_(app_state *s, const lesson_cmd *c, FILE *log) {
    app_matrix m;
    char err[300];
    if (!app_matrix_parse(&m, c->text, "input", NULL, err, sizeof err)) {
        fail_(s, c, log, "%s", err);
        return;
    }
    const view_def *v = view_get(s->view);
    if (!(v->lesson_input ? v : &view_conv)->lesson_input(s, &m, err, (int)sizeof err)) fail_(s, c, log, "%s", err);
    s->digit = -1;
    app_matrix_free(&m);
}

static void kernel_(app_state *s, const lesson_cmd *c, FILE *log) {
    app_matrix m;
    char err[300];
    if (!app_matrix_parse(&m, c->text, "kernel", NULL, err, sizeof err)) {
        fail_(s, c, log, "%s", err);
        return;
    }
    if (s->view == VIEW_CONVT) {  // the transposed convolution's one kernel
        convt_setup ct = s->convt.setup;
        if (m.c != 1 || m.h != m.w || m.h > CONVT_MAX_K) {
            fail_(s, c, log, "the transposed-convolution view takes one square kernel of up to %dx%d", CONVT_MAX_K,
                  CONVT_MAX_K);
        } else {
            ct.k = m.h;
            for (int y = 0; y < m.h; y++)
                for (int x = 0; x < m.w; x++) ct.kernel[y][x] = m.values[(size_t)y * m.w + x];
            app_set_convt(s, &ct);
        }
        app_matrix_free(&m);
        return;
    }
    if (s->view == VIEW_BACKPROP) {  // its one kernel
        backprop_setup b = s->bp.setup;
        if (m.c != 1 || m.h != m.w || m.h > BP_MAX_K) {
            fail_(s, c, log, "the backpropagation view takes one square kernel of up to %dx%d; got %d of %dx%d", BP_MAX_K,
                  BP_MAX_K, m.c, m.h, m.w);
        } else {
            b.k = m.h;
            b.dy_given = false;
            for (int y = 0; y < m.h; y++)
                for (int x = 0; x < m.w; x++) b.kernel[y][x] = m.values[(size_t)y * m.w + x];
            app_set_backprop(s, &b);
        }
    } else if (m.h != m.w || m.h > VIEW_MAX_K || m.c != s->conv.setup.channels) {
        fail_(s, c, log, "the kernel must be square, at most %dx%d, with one channel per input channel (%d); got %d of %dx%d",
              VIEW_MAX_K, VIEW_MAX_K, s->conv.setup.channels, m.c, m.h, m.w);
    } else {
        // Filter c->b's kernels; the filters share one size, so the others'
        // presets are drawn again at a new size.
        conv_setup cs = s->conv.setup;
        const int f = c->b;
        if (cs.k != m.h)
            for (int g = 0; g < VIEW_MAX_F; g++)
                if (g != f && cs.preset[g] != PRESET_CUSTOM)
                    for (int ch = 0; ch < VIEW_MAX_C; ch++) app_preset_kernel(cs.preset[g], m.h, cs.kernel[g][ch]);
        cs.k = m.h;
        cs.preset[f] = PRESET_CUSTOM;
        for (int ch = 0; ch < m.c; ch++)
            for (int y = 0; y < m.h; y++)
                for (int x = 0; x < m.w; x++) cs.kernel[f][ch][y][x] = m.values[((size_t)ch * m.h + y) * m.w + x];
        app_set_conv(s, &cs);
    }
    app_matrix_free(&m);
}

// The backpropagation view's dL/dY: the output's shape.
static void grad_output_(app_state *s, const lesson_cmd *c, FILE *log) {
    app_matrix m;
    char err[300];
    if (!app_matrix_parse(&m, c->text, "grad-output", NULL, err, sizeof err)) {
        fail_(s, c, log, "%s", err);
        return;
    }
    if (s->view == VIEW_POOL) {  // the pooling view's backward mode
        if (m.c != 1 || !app_set_pool_grad(s, m.values, m.h, m.w))
            fail_(s, c, log, "grad-output is %dx%d but the pooling's output is %dx%d here (dL/dY has the output's shape)",
                  m.h, m.w, s->pool.max_geom.out_h, s->pool.max_geom.out_w);
        app_matrix_free(&m);
        return;
    }
    backprop_setup b = s->bp.setup;
    if (!s->bp.ok || m.c != 1 || m.h != s->bp.geom.out_h || m.w != s->bp.geom.out_w) {
        fail_(s, c, log, "grad-output is %dx%d but the output is %dx%d here (dL/dY has the output's shape)", m.h, m.w,
              s->bp.geom.out_h, s->bp.geom.out_w);
    } else {
        for (int y = 0; y < m.h; y++)
            for (int x = 0; x < m.w; x++) b.dy[y][x] = m.values[(size_t)y * m.w + x];
        b.dy_given = true;
        app_set_backprop(s, &b);
    }
    app_matrix_free(&m);
}

// ---- Answers the engine gives --------------------------------------------------------------

static bool view_ok_(const app_state *s) {
    view_op op;
    view_op_of(s, &op);
    return op.ok;
}

static void size_answer_(const app_state *s, char *buf, size_t size, char *explain, size_t esize) {
    view_op op;
    view_op_of(s, &op);
    snprintf(buf, size, "%dx%d", op.rows->out, op.cols->out);
    char a[200], b[200];
    if (op.convt_rows) {  // the transposed convolution's own formula
        nn_convt_formula_text(op.convt_rows, a, sizeof a);
        nn_convt_formula_text(op.convt_cols, b, sizeof b);
        snprintf(explain, esize, "out = " NN_CONVT_FORMULA "; rows: %s; columns: %s", a, b);
        return;
    }
    fmt_formula_numbers(op.rows, a, sizeof a);
    fmt_formula_numbers(op.cols, b, sizeof b);
    snprintf(explain, esize, "rows: %s; columns: %s", a, b);
}

// The value of output cell (r, c) of the view (max pooling in the pooling
// view, unless the check is for the average).
static bool cell_value_(const app_state *s, int r, int c, int check, float *v) {
    view_op op;
    view_op_of(s, &op);
    if (r >= op.out_h || c >= op.out_w) return false;
    *v = (check == CHECK_AVG && op.out_avg ? op.out_avg : op.out)[r * op.out_w + c];
    return true;
}

// The class the network on screen gives the highest probability, and that
// probability: the whole-network view's (and its units') live model, else the drawing's.
static int guess_(const app_state *s, double *prob) {
    const bool network = s->view == VIEW_NETWORK || s->view == VIEW_UNIT;
    if (network && s->host.network_net) {
        float p = 0;
        const int g = cnn_guess(s->host.network_net, &p);
        *prob = p;
        return g;
    }
    if (!s->draw.ready) return -1;
    int best = 0;
    for (int j = 1; j < 10; j++) best = s->draw.probs[j] > s->draw.probs[best] ? j : best;
    *prob = s->draw.probs[best];
    return best;
}

// A params quiz's answer: the engine's count for ARCH on its input, and
// each layer's worked out ("10*(5*5*3 + 1) = 760").
static void params_answer_(const lesson_cmd *c, char *buf, size_t size, char *explain, size_t esize) {
    int h = 0, w = 0, ch = 0;
    buf[0] = explain[0] = '\0';
    nn_model *m;
    nn_error e;
    if (sscanf(c->shape, "%dx%dx%d", &h, &w, &ch) != 3 || nn_model_create(&m, c->arch, nn_shape_map(ch, h, w), &e) != NN_OK)
        return;
    snprintf(buf, size, "%lld", m->params);
    size_t n = 0;
    for (int i = 0; i < m->n_layers && n < esize; i++) {
        char worked[96];
        fmt_params_worked(&m->layers[i], worked, sizeof worked);
        if (worked[0]) n += (size_t)snprintf(explain + n, esize - n, "%s%s", n ? " + " : "", worked);
    }
    if (n < esize) snprintf(explain + n, esize - n, " = %lld parameters.", m->params);
    nn_model_free(m);
}

static void quiz_(app_state *s, const lesson_cmd *c, FILE *log) {
    lesson_player *p = &s->player;
    p->quiz_open = true;
    p->quiz_result = 0;
    p->quiz_typed[0] = p->quiz_missed[0] = '\0';
    p->quiz_kind = c->a == CHECK_SIZE     ? QUIZ_SIZE
                   : c->a == CHECK_GUESS   ? QUIZ_GUESS
                   : c->a == CHECK_PARAMS  ? QUIZ_PARAMS
                   : c->a == CHECK_WINNER  ? QUIZ_WINNER
                   : c->a == CHECK_CHOICE  ? QUIZ_CHOICE
                   : c->a == CHECK_PREDICT ? QUIZ_PREDICT
                                           : QUIZ_CELL;
    p->quiz_row = c->b, p->quiz_col = c->c;
    snprintf(p->quiz_question, sizeof p->quiz_question, "%s", c->text);
    p->quiz_answer[0] = p->quiz_explain[0] = '\0';
    if (c->a == CHECK_SIZE) {
        if (view_ok_(s)) size_answer_(s, p->quiz_answer, sizeof p->quiz_answer, p->quiz_explain, sizeof p->quiz_explain);
    } else if (c->a == CHECK_CELL) {
        float v;
        if (view_ok_(s) && cell_value_(s, c->b, c->c, CHECK_CELL, &v)) {
            fmt_float(v, p->quiz_answer, sizeof p->quiz_answer);
            if (s->view == VIEW_POOL)
                snprintf(p->quiz_explain, sizeof p->quiz_explain,
                         "It is now in the output: max pooling keeps the window's largest value.");
            else if (s->view == VIEW_BACKPROP)
                snprintf(p->quiz_explain, sizeof p->quiz_explain,
                         "dL/dW(%d, %d) is now in the dL/dW grid; step to it for its products and their sum.", c->b,
                         c->c);
            else if (s->view == VIEW_CONV && s->conv.step.valid && s->conv.step.row == c->b && s->conv.step.col == c->c)
                snprintf(p->quiz_explain, sizeof p->quiz_explain,
                         "Output (%d, %d) and its window's products and their sum are shown now.", c->b, c->c);
            else
                snprintf(p->quiz_explain, sizeof p->quiz_explain,
                         "Output (%d, %d) is now shown; click it to see its window's products and their sum.", c->b,
                         c->c);
        }
    } else if (c->a == CHECK_GUESS) {
        double prob = 0;
        const int g = guess_(s, &prob);
        if (g >= 0) {
            snprintf(p->quiz_answer, sizeof p->quiz_answer, "%d", g);
            snprintf(p->quiz_explain, sizeof p->quiz_explain, "the network gives %d the highest probability, %.1f%%", g,
                     100.0 * prob);
        }
    } else if (c->a == CHECK_PARAMS) {
        params_answer_(c, p->quiz_answer, sizeof p->quiz_answer, p->quiz_explain, sizeof p->quiz_explain);
    } else if (c->a == CHECK_CHOICE) {
        // The teacher's answer: which option, quoted in the feedback.
        char option[300];
        lesson_choice_text(c->text, atoi(c->answer), option, sizeof option);
        snprintf(p->quiz_answer, sizeof p->quiz_answer, "%s", c->answer);
        snprintf(p->quiz_explain, sizeof p->quiz_explain, "The answer is %s: %s.", c->answer, option);
    } else if (c->a == CHECK_PREDICT) {
        // Nothing to compute yet: the next 'train' answers it (predict_settle_).
        const live_snapshot *snap = s->host.train_live;
        p->predict_line = c->line;
        p->predict_choice = 0;
        snprintf(p->predict_teacher, sizeof p->predict_teacher, "%.7s", c->answer);
        if (s->kept.present) {
            p->predict_base = s->kept.test_accuracy;
            snprintf(p->predict_base_what, sizeof p->predict_base_what, "the kept run (%.80s)", s->kept.label);
        } else {
            p->predict_base = snap ? snap->test_accuracy : 0.0f;
            snprintf(p->predict_base_what, sizeof p->predict_base_what, "before");
        }
        snprintf(p->quiz_answer, sizeof p->quiz_answer, "?");
        if (log) fprintf(log, "  quiz: %s -> ? (the next 'train' answers it)\n", c->text);
        return;
    } else if (c->a == CHECK_WINNER) {
        int wr, wc;
        float v;
        if (s->view == VIEW_POOL && pool_winner(s, c->b, c->c, &wr, &wc, &v)) {
            char value[32];
            fmt_float(v, value, sizeof value);
            snprintf(p->quiz_answer, sizeof p->quiz_answer, "%dx%d", wr, wc);
            snprintf(p->quiz_explain, sizeof p->quiz_explain,
                     "Input (%d, %d) holds %s, the largest value of the window of output (%d, %d).", wr, wc, value,
                     c->b, c->c);
        }
    }
    if (!p->quiz_answer[0]) {
        fail_(s, c, log, "the quiz cannot be answered here (is the view set up?)");
        p->quiz_open = false;
        return;
    }
    if (log) fprintf(log, "  quiz: %s -> %s (%s)\n", c->text, p->quiz_answer, p->quiz_explain);
    if (c->answer[0] && !expect_answer_matches(c->answer, p->quiz_answer))
        fail_(s, c, log, "the quiz's answer is %s but the engine computes %s", c->answer, p->quiz_answer);
}

static void say_(app_state *s, const char *text);

// After a 'train': the engine's answer to the predict quiz waiting for it,
// said in the caption beside what the class predicted.
static void predict_settle_(app_state *s, FILE *log) {
    lesson_player *p = &s->player;
    const live_snapshot *snap = s->host.train_live;
    if (!p->predict_line || !snap) return;
    const bool higher = snap->test_accuracy > p->predict_base;
    char now[32], base[32], text[600];
    fmt_percent(snap->test_accuracy, now, sizeof now);
    fmt_percent(p->predict_base, base, sizeof base);
    const char *verdict = !p->predict_choice ? ""
                          : (p->predict_choice == 1) == higher ? " Your prediction was right."
                                                               : " Your prediction was not: that is worth a look.";
    snprintf(text, sizeof text, "*The engine's answer:* test accuracy %s after step %lld, against %s for %.96s: %s.%s",
             now, snap->steps, base, p->predict_base_what, higher ? "higher" : "lower", verdict);
    say_(s, text);
    if (log) fprintf(log, "  predict: %s after step %lld against %s for %s: %s\n", now, snap->steps, base,
                     p->predict_base_what, higher ? "higher" : "lower");
    if (p->predict_teacher[0] && strcmp(p->predict_teacher, higher ? "higher" : "lower") != 0) {
        p->failures++;
        snprintf(p->last_failure, sizeof p->last_failure, "%.200s:%d: the quiz's answer is %s but the engine trained to %s",
                 p->l->source, p->predict_line, p->predict_teacher, higher ? "higher" : "lower");
        if (log) fprintf(log, "  FAILED %s\n", p->last_failure);
    }
    p->predict_line = 0;
}

static void expect_(app_state *s, const lesson_host *host, const lesson_cmd *c, FILE *log) {
    char got[96];
    (void)host;
    switch (c->a) {
    case CHECK_SIZE: {
        view_op op;
        view_op_of(s, &op);
        if (!op.ok) {
            fail_(s, c, log, "expected a %dx%d output, but the settings cannot work: %s", c->b, c->c, op.why);
            return;
        }
        const int r = op.out_h, col = op.out_w;
        if (r != c->b || col != c->c)
            fail_(s, c, log, "expected a %dx%d output, the engine computes %dx%d", c->b, c->c, r, col);
        else if (log)
            fprintf(log, "  expect size %dx%d: ok\n", r, col);
        return;
    }
    case CHECK_CELL:
    case CHECK_MAX:
    case CHECK_AVG: {
        float v;
        if (!view_ok_(s) || !cell_value_(s, c->b, c->c, c->a, &v)) {
            fail_(s, c, log, "there is no output cell (%d, %d) here", c->b, c->c);
            return;
        }
        fmt_float(v, got, sizeof got);
        // The value as written in the lesson, with its decimals, matches by --expect's rule.
        char written[64];
        snprintf(written, sizeof written, "%.10g", c->value);
        if (!expect_answer_matches(written, got))
            fail_(s, c, log, "expected %g at (%d, %d), the engine computes %s", c->value, c->b, c->c, got);
        else if (log)
            fprintf(log, "  expect (%d, %d) = %g: ok (%s)\n", c->b, c->c, c->value, got);
        return;
    }
    case CHECK_GUESS: {
        double prob = 0;
        const int g = guess_(s, &prob);
        if (g != c->b)
            fail_(s, c, log, "expected the guess %d, the network says %d", c->b, g);
        else if (log)
            fprintf(log, "  expect guess %d: ok (%.1f%%)\n", g, 100.0 * prob);
        return;
    }
    case CHECK_ACCURACY: {
        const live_snapshot *snap = view_get(s->view)->trains_templates ? s->host.tmpl_live : s->host.train_live;
        const double acc = snap ? 100.0 * snap->test_accuracy : -1;
        if (acc < c->value)
            fail_(s, c, log, "expected a test accuracy of at least %g%%, it is %.2f%%", c->value, acc);
        else if (log)
            fprintf(log, "  expect accuracy >= %g%%: ok (%.2f%%)\n", c->value, acc);
        return;
    }
    case CHECK_PARAMS: {
        int h = 0, w = 0, ch = 1;
        if (sscanf(c->text, "%dx%dx%d", &h, &w, &ch) < 2) {
            fail_(s, c, log, "the input shape '%s' is not HxWxC", c->text);
            return;
        }
        nn_model *m;
        nn_error e;
        if (nn_model_create(&m, c->arch, nn_shape_map(ch, h, w), &e) != NN_OK) {
            fail_(s, c, log, "%s", e.msg);
            return;
        }
        if ((double)m->params != c->value)
            fail_(s, c, log, "expected %.0f parameters in %s, the engine counts %lld", c->value, c->arch, m->params);
        else if (log)
            fprintf(log, "  expect params %s = %lld: ok\n", c->arch, m->params);
        nn_model_free(m);
        return;
    }
    }
}

// ---- Running commands ------------------------------------------------------------------------

static void say_(app_state *s, const char *text) {
    lesson_player *p = &s->player;
    const size_t n = strlen(p->caption);
    snprintf(p->caption + n, sizeof p->caption - n, "%s%s", n ? " " : "", text);
}

// The training a 'train N' needs, or why it is missing.
static const char *no_training_(const app_state *s, bool templates) {
    const char *why = templates ? s->host.tmpl_why : s->host.train_why;
    return why[0] ? why : "training is not available here";
}

// Runs one command; true when the beat must wait for training on the worker
// (the window: runtime_frame resumes it with lesson_resume).
static bool exec_(app_state *s, const lesson_host *host, const lesson_cmd *c, FILE *log) {
    char err[400];
    switch (c->op) {
    case LOP_TITLE:
    case LOP_SAY:
    case LOP_WAIT:
    case LOP_HIGHLIGHT:
    case LOP_POINT:
    case LOP_QUIZ:
    case LOP_EXPECT: break;  // these leave a 'step' playing
    default: snap_to_goal_(s); break;
    }
    switch (c->op) {
    case LOP_TITLE: return false;
    case LOP_VIEW:
        s->view = (app_view)c->a;
        s->back_view = VIEW_HOME;
        s->status[0] = '\0';  // what the last view said is not about this one
        return false;
    case LOP_INPUT: input_(s, c, log); return false;
    case LOP_KERNEL: kernel_(s, c, log); return false;
    case LOP_BIAS: {
        conv_setup cs = s->conv.setup;
        cs.bias[c->b] = (float)c->value;
        app_set_conv(s, &cs);
        return false;
    }
    case LOP_FILTERS:
        act_(s, ACT_SET_FILTERS, c->a, 0, 0);
        s->status[0] = '\0';  // the narration says it; the footer keeps saying where the animation is
        return false;
    case LOP_PADDING: act_(s, ACT_SET_PADDING, c->a, 0, 0); return false;
    case LOP_STRIDE: act_(s, ACT_SET_STRIDE, c->a, 0, 0); return false;
    case LOP_GRAD_OUTPUT: grad_output_(s, c, log); return false;
    case LOP_LR: {
        backprop_setup b = s->bp.setup;
        b.lr = (float)c->value;
        app_set_backprop(s, &b);
        return false;
    }
    case LOP_DILATION: act_(s, ACT_SET_DILATION, c->a, 0, 0); return false;
    case LOP_FLIP: act_(s, ACT_FLIP_KERNEL, c->a, 0, 0); return false;
    case LOP_BACKWARD: act_(s, ACT_POOL_BACKWARD, c->a, 0, 0); return false;
    case LOP_OUT_PAD: act_(s, ACT_SET_OUT_PAD, c->a, 0, 0); return false;
    case LOP_SIZE: act_(s, ACT_SET_POOL_SIZE, c->a, 0, 0); return false;
    case LOP_PRESET: act_(s, ACT_PRESET, c->a, 0, 0); return false;
    case LOP_DIGIT:
        if (c->b > 0) act_(s, ACT_SET_SIZE, c->b, 0, 0);
        if (!s->host.digits) fail_(s, c, log, "no digits are loaded (assets/ was not found)");
        else act_(s, ACT_LOAD_DIGIT, c->a, 0, 0);
        s->inspect = c->a;
        s->status[0] = '\0';
        return false;
    case LOP_MODEL:
        s->train_model = c->a;
        if (!host) return false;
        // A transcript (headless) builds it here; the window has the worker
        // build it and waits, drawing, until the new model is there.
        host->select_model(host->ctx, s, log != NULL);
        if (log) {
            // The architecture the trainer was built with (a recipe's dropout shows in it).
            const live_snapshot *snap = view_get(s->view)->trains_templates ? s->host.tmpl_live : s->host.train_live;
            if (snap) fprintf(log, "  model: %s (lr %g)\n", snap->arch, (double)snap->lr);
            return false;
        }
        {
            const bool templates = view_get(s->view)->trains_templates;
            if (!host->has_trainer(host->ctx, templates)) return false;
            s->player.train_pending = true;
            s->player.train_templates = templates;
            s->player.train_target = 0;  // no steps: only the rebuild
        }
        return true;
    case LOP_TRAIN: {
        const bool templates = view_get(s->view)->trains_templates;
        if (!host) {
            fail_(s, c, log, "%s", no_training_(s, templates));
            return false;
        }
        // The window (no transcript): the worker trains while the window keeps
        // drawing and answering; the beat goes on when the steps are done.
        // A transcript (headless, scripted) trains here, for repeatable runs.
        if (!log) {
            if (!host->train_start(host->ctx, s, templates, c->a, err, sizeof err)) {
                fail_(s, c, log, "%s", err);
                return false;
            }
            s->player.train_pending = true;
            s->player.train_templates = templates;
            s->player.train_target = c->a;
            return true;
        }
        const live_snapshot *snap = templates ? s->host.tmpl_live : s->host.train_live;
        if (!host->train_steps(host->ctx, s, templates, c->a)) {
            snap = templates ? s->host.tmpl_live : s->host.train_live;
            fail_(s, c, log, "%s", snap && snap->diverged ? snap->message : no_training_(s, templates));
        } else {
            snap = templates ? s->host.tmpl_live : s->host.train_live;
            fprintf(log, "  trained to step %lld: test accuracy %.2f%%\n", snap ? snap->steps : 0,
                    snap ? 100.0 * snap->test_accuracy : 0.0);
            if (!templates) predict_settle_(s, log);
        }
        return false;
    }
    case LOP_RECIPE:
        // What the line names; the rest stays the default (a negative value: not named).
        s->recipe = app_recipe_default();
        if (c->recipe.lr >= 0) s->recipe.lr = (float)c->recipe.lr;
        if (c->recipe.shift >= 0) s->recipe.shift = c->recipe.shift;
        if (c->recipe.weight_decay >= 0) s->recipe.weight_decay = (float)c->recipe.weight_decay;
        if (c->recipe.dropout >= 0) s->recipe.dropout = (float)c->recipe.dropout;
        if (log) {
            char r[160];
            app_recipe_describe(&s->recipe, r, sizeof r);
            fprintf(log, "  recipe: %s (from the next model)\n", r);
        }
        return false;
    case LOP_KEEP_RUN:
        if (host && host->refresh) host->refresh(host->ctx, s);
        if (!app_keep_run(s, c->text)) {
            fail_(s, c, log, "%s", no_training_(s, false));
        } else if (log) {
            char acc[32];
            fmt_percent(s->kept.test_accuracy, acc, sizeof acc);
            fprintf(log, "  kept run: %s (step %lld, test accuracy %s)\n", s->kept.label, s->kept.steps, acc);
        }
        return false;
    case LOP_SELECT: select_unit_(s, host, c, log); return false;
    case LOP_OPEN:
        if (host && host->refresh) host->refresh(host->ctx, s);
        s->status[0] = '\0';
        act_(s, ACT_NET_OPEN, 0, 0, 0);
        if (s->view == VIEW_NETWORK) fail_(s, c, log, "cannot open the selected unit: %s", s->status);
        return false;
    case LOP_SUMMARY:
        s->network.summary = c->a;
        return false;
    case LOP_SCALE:
        s->network.global_scale = c->a;
        return false;
    case LOP_CLASSIFIER:
        if (c->a && !s->host.live_net) fail_(s, c, log, "there is no live model yet (train one first)");
        s->draw.live = c->a && s->host.live_net;
        app_draw_classify(s);
        return false;
    case LOP_CLEAR: act_(s, ACT_DRAW_CLEAR, 0, 0, 0); return false;
    case LOP_STROKES:
        if (!draw_strokes(s, c->text, err, sizeof err)) fail_(s, c, log, "%s", err);
        return false;
    case LOP_SAY:
        say_(s, c->text);
        if (log) fprintf(log, "  say: %s\n", c->text);
        return false;
    case LOP_STEP:
        if (log)
            jump_step_(s, c);
        else
            play_step_(s, c);
        if (log) {
            view_op op;
            view_op_of(s, &op);
            fprintf(log, "  step: now at cell %d of %d\n", op.anim->pos + 1, op.anim->total);
        }
        return false;
    case LOP_RESTART: act_(s, ACT_RESTART, 0, 0, 0); return false;
    case LOP_POINT:
    case LOP_HIGHLIGHT: {
        const char *q = c->text;
        char *end;
        while (*q && s->player.n_marks < LESSON_MAX_MARKS) {
            const long r = strtol(q, &end, 10);
            if (end == q) break;
            const long col = strtol(end, &end, 10);
            cell_ref *m = &s->player.marks[s->player.n_marks++];
            m->grid = (grid_id)c->a;
            m->channel = 0;
            m->row = (int)r;
            m->col = (int)col;
            q = end;
            if (c->op == LOP_POINT) s->player.arrow_to = s->player.n_marks;
        }
        return false;
    }
    case LOP_WAIT: return false;
    case LOP_QUIZ:
    case LOP_EXPECT: {
        // Checked where a transcript checks it (the step's goal, whose filter
        // the cells are read from), while the class watches the step play.
        anim_detour_ back;
        const bool away = detour_to_goal_(s, &back);
        if (c->op == LOP_QUIZ)
            quiz_(s, c, log);
        else
            expect_(s, host, c, log);
        if (away) detour_back_(s, &back);
        return false;
    }
    }
    return false;
}

// Runs the beat's commands from pc until a wait (included), the end, or a
// 'train N' handed to the worker (lesson_resume carries on after it).
static void run_(app_state *s, const lesson_host *host, FILE *log) {
    lesson_player *p = &s->player;
    while (p->pc < p->l->n) {
        const lesson_cmd *c = &p->l->cmds[p->pc++];
        if (exec_(s, host, c, log)) return;
        if (c->op == LOP_WAIT && p->pc < p->l->n) {
            p->beat_wait_s = c->value;
            break;
        }
    }
    // Autoplay holds a beat for its 'wait SECONDS', or 4 s where a key is awaited.
    p->wait_ms = p->beat_wait_s > 0 ? p->beat_wait_s * 1000 : LESSON_AUTOPLAY_MS;
}

// Starts the next beat; false if no commands were left.
static bool beat_(app_state *s, const lesson_host *host, FILE *log) {
    lesson_player *p = &s->player;
    if (!p->l || p->pc >= p->l->n) return false;
    p->caption[0] = '\0';
    p->n_marks = 0;
    p->arrow_to = 0;
    p->quiz_open = false;
    p->beat_wait_s = 0;
    if (log) fprintf(log, "beat %d of %d\n", p->beat + 1, p->n_beats);
    run_(s, host, log);
    return true;
}

// Going back replays beats quietly up to replay_to, waiting for any training.
static void replay_(app_state *s, const lesson_host *host) {
    lesson_player *p = &s->player;
    while (p->replay_to >= 0 && p->beat < p->replay_to && !p->train_pending && lesson_next(s, host, NULL)) {
    }
    if (!p->train_pending) p->replay_to = -1;
}

// The animation of the view on screen, if it has one (conv, pool).
static const anim_state *anim_on_screen_(const app_state *s) {
    if (!view_get(s->view)->op) return NULL;
    view_op op;
    view_op_of(s, &op);
    return op.ok ? op.anim : NULL;
}

static void keep_anim_(app_state *s) {
    lesson_player *p = &s->player;
    const anim_state *a = anim_on_screen_(s);
    p->anim_kept = a != NULL && !p->train_pending;
    p->anim_view = s->view;
    if (a) p->anim_pos = a->pos, p->anim_reveal = a->reveal;
    if (a && p->anim_goal_set) p->anim_pos = p->anim_goal_pos, p->anim_reveal = p->anim_goal_reveal;
}

// Puts the animation at cell pos with `reveal` products shown, paused, by
// the transport's own actions: the start, then whole cells, then the
// products of a cell begun.
static void anim_put_(app_state *s, int pos, int reveal) {
    act_(s, ACT_RESTART, 0, 0, 0);
    if (reveal == 0 && pos == 0) return;
    for (int i = 0; i < pos; i++) act_(s, ACT_STEP_FORWARD, 0, 0, 0);
    const anim_state *a = anim_on_screen_(s);
    for (int i = 0; a && a->pos <= pos && i < reveal && !(a->pos == pos && a->reveal >= reveal); i++)
        act_(s, ACT_STEP_FORWARD, ANIM_ONE_PRODUCT, 0, 0);
}

// Back to where the last beat left it (its goal), whatever the class did since.
static void restore_anim_(app_state *s) {
    lesson_player *p = &s->player;
    p->anim_goal_set = false;
    const anim_state *a = anim_on_screen_(s);
    if (!p->anim_kept || !a || s->view != p->anim_view ||
        (a->pos == p->anim_pos && a->reveal == p->anim_reveal && !a->playing))
        return;
    anim_put_(s, p->anim_pos, p->anim_reveal);
}

void lesson_resume(app_state *s, const lesson_host *host, const char *note) {
    lesson_player *p = &s->player;
    if (!p->l || p->train_pending) return;
    if (note && note[0]) say_(s, note);
    if (!p->train_templates && p->train_target > 0) predict_settle_(s, NULL);
    run_(s, host, NULL);
    keep_anim_(s);
    replay_(s, host);
}

void lesson_start(app_state *s, const lesson_host *host, const lesson *l, FILE *log) {
    lesson_player fresh;
    memset(&fresh, 0, sizeof fresh);
    fresh.l = l;
    fresh.n_cmds = l->n;
    fresh.replay_to = -1;
    fresh.n_beats = lesson_count_beats(l);
    s->player = fresh;
    app_reset_views(s);
    s->recipe = app_recipe_default();  // every lesson starts from the default recipe and no kept run
    s->kept.present = false;
    beat_(s, host, log);
    keep_anim_(s);
}

bool lesson_next(app_state *s, const lesson_host *host, FILE *log) {
    lesson_player *p = &s->player;
    if (p->l && p->train_pending) return true;  // this beat is still training
    if (!p->l || p->pc >= p->l->n) return false;
    const bool autoplay = p->autoplay;
    restore_anim_(s);
    p->beat++;
    const bool ok = beat_(s, host, log);
    keep_anim_(s);
    p->autoplay = autoplay;
    return ok;
}

void lesson_back(app_state *s, const lesson_host *host) {
    const lesson *l = s->player.l;
    const int target = s->player.beat - 1;
    if (!l || target < 0) return;
    lesson_start(s, host, l, NULL);
    s->player.replay_to = target;
    replay_(s, host);
}

void lesson_close(app_state *s) {
    memset(&s->player, 0, sizeof s->player);
    s->recipe = app_recipe_default();
}
