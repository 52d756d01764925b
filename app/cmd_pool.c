// cmd_pool.c - `convstep pool`: max or average pooling worked out step by
// step from the engine's stepper.
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "cli_common.h"
#include "expect.h"
#include "format.h"
#include "json.h"
#include "matrix.h"
#include "nn.h"
#include "pytorch_script.h"
#include "report.h"

static const arg_spec pool_args_[] = {
    {"input", true, false},  {"mode", true, false},   {"size", true, false},
    {"stride", true, false}, {"padding", true, false}, {"expect", true, false},
    {"quiet", false, false}, {"json", false, false},  {"pytorch", true, false},
    {"help", false, false},  {NULL, false, false},
};

static const char pool_help_[] =
    "usage: convstep pool --input M --mode max|avg --size F [--stride S] [--padding P]\n"
    "                     [--expect M] [--quiet] [--json] [--pytorch FILE]\n"
    "\n"
    "Works out max or average pooling step by step: the output-size formula, every\n"
    "window with its maximum (and where it came from) or its sum and division.\n"
    "Each channel of the input is pooled on its own.\n"
    "\n"
    "  --input M     the input; channels separated by '|'\n"
    "  --mode        max or avg\n"
    "  --size F      the window is F x F\n"
    "  --stride S    step of the window (default F: windows side by side)\n"
    "  --padding P   P cells on every side, at most F/2 (default 0). A max ignores\n"
    "                padding cells; an average counts them as zeros and divides by F*F\n"
    "                (as PyTorch's AvgPool2d does; Keras divides by the real cells only)\n"
    "  --expect M    a printed pooled map to check against the arithmetic (exit 1 if\n"
    "                any cell differs)\n"
    "  --quiet       print the formula and the map, not every step\n"
    "  --json        print one JSON object: output_size, output, steps (with argmax), ...\n"
    "  --pytorch FILE\n"
    "                a Python script that does the same with torch (max_pool2d, or\n"
    "                avg_pool2d with count_include_pad=True), on the same numbers,\n"
    "                prints the result as convstep does and compares it with\n"
    "                convstep's values: 'matches convstep', or the ones that differ\n"
    "                and exit 1. Run it with python3 FILE; '-' prints the script\n"
    "                instead of the steps.\n"
    "\n"
    "Limits: --size and --padding at most 4096; at most 16777216 (2^24) values in the\n"
    "padded input and 16777216 window cells visited in all (output cells x F*F).\n"
    "\n"
    "example: convstep pool --input '1 3 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4' --mode max --size 2\n";

typedef struct pool_job_ {
    app_matrix input, expect;
    bool has_expect;
    nn_pool_geom g;
    float *output;  // [c][out_h][out_w] from the batch pass
    const char *pytorch;  // --pytorch FILE, once the script is written there; else NULL
} pool_job_;

static void pool_job_free_(pool_job_ *j) {
    app_matrix_free(&j->input);
    app_matrix_free(&j->expect);
    free(j->output);
}

static bool pool_setup_(pool_job_ *j, const parsed_args *a, char *err, size_t errsize) {
    const char *input = args_get(a, "input"), *mode = args_get(a, "mode"),
               *size = args_get(a, "size");
    if (!input || !mode || !size) {
        snprintf(err, errsize,
                 "convstep pool needs --input, --mode and --size (see convstep pool --help)");
        return false;
    }
    nn_pool_config cfg = {0};
    if (strcmp(mode, "max") == 0) {
        cfg.mode = NN_POOL_MAX;
    } else if (strcmp(mode, "avg") == 0 || strcmp(mode, "average") == 0) {
        cfg.mode = NN_POOL_AVG;
    } else {
        snprintf(err, errsize, "--mode must be max or avg, got '%.40s'", mode);
        return false;
    }
    if (!args_int(size, "--size", 1, REPORT_MAX_PADDING, &cfg.size_h, err, errsize))
        return false;
    cfg.size_w = cfg.size_h;
    if (cfg.size_h <= 0) {
        snprintf(err, errsize, "--size must be at least 1, got %d", cfg.size_h);
        return false;
    }
    cfg.stride = cfg.size_h;
    const char *v;
    if ((v = args_get(a, "stride")) &&
        !args_int(v, "--stride", 1, NN_MAX_AXIS, &cfg.stride, err, errsize))
        return false;
    if ((v = args_get(a, "padding")) &&
        !args_int(v, "--padding", 0, REPORT_MAX_PADDING, &cfg.pad, err, errsize))
        return false;
    if (!app_matrix_read(&j->input, input, "--input", err, errsize)) return false;
    cfg.c = j->input.c;
    cfg.in_h = j->input.h;
    cfg.in_w = j->input.w;
    nn_error e;
    if (nn_pool_geom_init(&j->g, &cfg, &e) != NN_OK) {
        snprintf(err, errsize, "%s", e.msg);
        return false;
    }
    // Bounded before the output and the stepper are allocated, and before any
    // window is worked out.
    if (!report_check_size(cfg.c, (long long)cfg.in_h + 2 * cfg.pad, (long long)cfg.in_w + 2 * cfg.pad,
                           (long long)cfg.c * j->g.out_h * j->g.out_w, j->g.window, "window cells",
                           err, errsize))
        return false;
    const char *expect = args_get(a, "expect");
    if (expect) {
        if (!app_matrix_read(&j->expect, expect, "--expect", err, errsize)) return false;
        j->has_expect = true;
        if (!expect_check_shape(&j->expect, cfg.c, j->g.out_h, j->g.out_w, err, errsize))
            return false;
    }
    j->output = malloc(sizeof(float) * (size_t)cfg.c * j->g.out_h * j->g.out_w);
    if (!j->output) {
        snprintf(err, errsize, "out of memory");
        return false;
    }
    nn_pool_forward(&j->g, j->output, NULL, j->input.values, 1);
    return cli_check_finite(j->output, cfg.c, j->g.out_h, j->g.out_w, "channel", err, errsize);
}

// ---- Text ----------------------------------------------------------------------------

// "max(3, 1, [pad]) = 3 at input (0,0)" or "(3 + 1 + [0]) / 4 = 4 / 4 = 1".
static void print_step_math_(FILE *out, const nn_pool_step *st, bool is_max, const char *indent) {
    char a[32], b[32];
    fputs(indent, out);
    fputs(is_max ? "max(" : "(", out);
    for (int i = 0; i < st->count; i++) {
        if (is_max && st->padded[i]) {
            fputs("[pad]", out);
        } else {
            fmt_float(st->window[i], a, sizeof a);
            fprintf(out, st->padded[i] ? "[%s]" : "%s", a);
        }
        if (i + 1 < st->count) fputs(is_max ? ", " : " + ", out);
    }
    fmt_float(st->value, a, sizeof a);
    if (is_max) {
        fprintf(out, ") = %s, from input (%d,%d)\n", a, st->argmax_row, st->argmax_col);
    } else {
        fmt_float(st->sum, b, sizeof b);
        fprintf(out, ") / %d = %s / %d = %s\n", st->divisor, b, st->divisor, a);
    }
}

static void print_text_(FILE *out, pool_job_ *j, nn_pool_cursor *cur, bool quiet) {
    const nn_pool_config *c = &j->g.cfg;
    const bool is_max = c->mode == NN_POOL_MAX;
    fprintf(out, "%s pooling: input %dx%d (%d channel%s), window %dx%d, stride %d, padding %d\n\n",
            is_max ? "Max" : "Average", c->in_h, c->in_w, c->c, c->c == 1 ? "" : "s", c->size_h,
            c->size_w, c->stride, c->pad);
    report_formula_text(out, &j->g.rows, &j->g.cols);
    fputc('\n', out);
    if (!quiet) {
        if (c->pad > 0)
            fputs(is_max ? "[pad] marks a padding cell, which a max ignores. Coordinates count from 0.\n\n"
                         : "[0] marks a padding cell, counted as a zero. Coordinates count from 0.\n\n",
                  out);
        nn_pool_step st;
        while (!report_write_failed(out) && nn_pool_step_next(cur, &st)) {
            char range[96];
            report_window_range(range, sizeof range, st.in_row[0], st.in_col[0], c->size_h,
                                c->size_w, 1);
            fprintf(out, "Step %d of %d: ", st.index + 1, cur->total);
            if (c->c > 1) fprintf(out, "channel %d, ", st.channel + 1);
            fprintf(out, "output (%d,%d), window %s\n", st.row, st.col, range);
            print_step_math_(out, &st, is_max, "  ");
        }
        fputc('\n', out);
    }
    report_maps_text(out, j->output, c->c, j->g.out_h, j->g.out_w, "Pooled map", "channel");
    if (j->pytorch)
        fprintf(out, "\nWrote the PyTorch script %s (run it with python3).\n", j->pytorch);
}

static int print_expect_text_(FILE *out, pool_job_ *j, nn_pool_cursor *cur, const int *wrong,
                              int n_wrong) {
    const int total = j->g.cfg.c * j->g.out_h * j->g.out_w;
    fputc('\n', out);
    if (n_wrong == 0) {
        fprintf(out, "--expect: all %d cells match the arithmetic.\n", total);
        return 0;
    }
    fprintf(out, "--expect: %d of %d cells differ from the arithmetic:\n", n_wrong, total);
    for (int i = 0; i < n_wrong && !report_write_failed(out); i++) {
        nn_pool_step st;
        nn_pool_step_at(cur, wrong[i], &st);
        char e[32], v[32];
        fmt_float(j->expect.values[wrong[i]], e, sizeof e);
        fmt_float(st.value, v, sizeof v);
        fputs("  ", out);
        if (j->g.cfg.c > 1) fprintf(out, "channel %d, ", st.channel + 1);
        fprintf(out, "(%d,%d): expected %s, but it is %s:\n", st.row, st.col, e, v);
        print_step_math_(out, &st, j->g.cfg.mode == NN_POOL_MAX, "    ");
    }
    return 1;
}

// ---- JSON -------------------------------------------------------------------------------

static void step_json_(json_writer *w, const nn_pool_step *st, bool is_max) {
    json_begin_object(w);
    json_key(w, "index"), json_int(w, st->index);
    json_key(w, "channel"), json_int(w, st->channel);
    json_key(w, "row"), json_int(w, st->row);
    json_key(w, "col"), json_int(w, st->col);
    json_key(w, "window_origin");
    json_begin_array(w);
    json_int(w, st->in_row[0]);
    json_int(w, st->in_col[0]);
    json_end_array(w);
    json_key(w, "window"), json_float_array(w, st->window, st->count);
    json_key(w, "padded");
    json_begin_array(w);
    for (int i = 0; i < st->count; i++) json_bool(w, st->padded[i]);
    json_end_array(w);
    json_key(w, "running"), json_float_array(w, st->running, st->count);
    if (is_max) {
        json_key(w, "argmax");  // the winner's input [row, col]
        json_begin_array(w);
        json_int(w, st->argmax_row);
        json_int(w, st->argmax_col);
        json_end_array(w);
        json_key(w, "argmax_index"), json_int(w, st->argmax);  // its index in the window
    } else {
        json_key(w, "sum"), json_float(w, st->sum);
        json_key(w, "divisor"), json_int(w, st->divisor);
    }
    json_key(w, "value"), json_float(w, st->value);
    json_end_object(w);
}

static int print_json_(FILE *out, pool_job_ *j, nn_pool_cursor *cur, const int *wrong,
                       int n_wrong) {
    const nn_pool_geom *g = &j->g;
    const bool is_max = g->cfg.mode == NN_POOL_MAX;
    json_writer w;
    json_init(&w, out);
    json_begin_object(&w);
    json_key(&w, "operation"), json_string(&w, "pool");
    json_key(&w, "mode"), json_string(&w, is_max ? "max" : "avg");
    json_key(&w, "input_shape");
    json_begin_array(&w);
    json_int(&w, g->cfg.c), json_int(&w, g->cfg.in_h), json_int(&w, g->cfg.in_w);
    json_end_array(&w);
    json_key(&w, "size"), json_int(&w, g->cfg.size_h);
    json_key(&w, "stride"), json_int(&w, g->cfg.stride);
    json_key(&w, "padding"), json_int(&w, g->cfg.pad);
    report_formula_json(&w, &g->rows, &g->cols);
    json_key(&w, "output_size");
    json_begin_array(&w);
    json_int(&w, g->out_h), json_int(&w, g->out_w);
    json_end_array(&w);
    report_maps_json(&w, "output", j->output, g->cfg.c, g->out_h, g->out_w);
    if (j->pytorch) json_key(&w, "pytorch_script"), json_string(&w, j->pytorch);
    json_key(&w, "steps");
    json_begin_array(&w);
    nn_pool_step st;
    while (!report_write_failed(out) && nn_pool_step_next(cur, &st)) step_json_(&w, &st, is_max);
    json_end_array(&w);
    if (j->has_expect) {
        json_key(&w, "expect");
        json_begin_object(&w);
        json_key(&w, "cells"), json_int(&w, g->cfg.c * g->out_h * g->out_w);
        json_key(&w, "matches"), json_bool(&w, n_wrong == 0);
        json_key(&w, "mismatches");
        json_begin_array(&w);
        for (int i = 0; i < n_wrong && !report_write_failed(out); i++) {
            nn_pool_step_at(cur, wrong[i], &st);
            json_begin_object(&w);
            json_key(&w, "channel"), json_int(&w, st.channel);
            json_key(&w, "row"), json_int(&w, st.row);
            json_key(&w, "col"), json_int(&w, st.col);
            json_key(&w, "expected"), json_float(&w, j->expect.values[wrong[i]]);
            json_key(&w, "actual"), json_float(&w, st.value);
            json_end_object(&w);
        }
        json_end_array(&w);
        json_end_object(&w);
    }
    json_end_object(&w);
    json_finish(&w);
    return n_wrong > 0 ? 1 : 0;
}

int cmd_pool(int argc, char **argv, FILE *out, FILE *errf) {
    char err[512];
    parsed_args a;
    if (!args_parse(pool_args_, argc, argv, 0, &a, "pool", err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    if (args_has(&a, "help")) {
        fputs(pool_help_, out);
        return 0;
    }
    const char *pytorch = args_get(&a, "pytorch");
    if (!pytorch_script_check_option(pytorch, args_has(&a, "json"), err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    pool_job_ j;
    memset(&j, 0, sizeof j);
    if (!pool_setup_(&j, &a, err, sizeof err)) {
        pool_job_free_(&j);
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    }
    if (pytorch) {  // written before anything is printed: a failure leaves stdout empty
        if (!pytorch_script_pool(pytorch, out, &j.g, j.input.values, j.output, err, sizeof err)) {
            pool_job_free_(&j);
            return cli_fail(errf, err, CLI_EXIT_USAGE);
        }
        if (strcmp(pytorch, "-") == 0) {  // the script instead of the steps
            pool_job_free_(&j);
            return report_write_failed(out) ? CLI_EXIT_RUNTIME : 0;
        }
        j.pytorch = pytorch;
    }
    nn_pool_cursor cur;
    nn_error e;
    if (nn_pool_cursor_init(&cur, &j.g, j.input.values, &e) != NN_OK) {
        pool_job_free_(&j);
        return cli_fail(errf, e.msg, CLI_EXIT_RUNTIME);
    }
    int *wrong = NULL, n_wrong = 0;
    if (j.has_expect) {
        wrong = malloc(sizeof(int) * (size_t)cur.total);
        if (!wrong) {
            nn_pool_cursor_destroy(&cur);
            pool_job_free_(&j);
            return cli_fail(errf, "out of memory", CLI_EXIT_RUNTIME);
        }
        n_wrong = expect_compare(&j.expect, j.output, wrong);
    }
    int status;
    if (args_has(&a, "json")) {
        status = print_json_(out, &j, &cur, wrong, n_wrong);
    } else {
        print_text_(out, &j, &cur, args_has(&a, "quiet"));
        status = j.has_expect ? print_expect_text_(out, &j, &cur, wrong, n_wrong) : 0;
    }
    free(wrong);
    nn_pool_cursor_destroy(&cur);
    pool_job_free_(&j);
    // A failed write stopped the printers; main.c says so once.
    return report_write_failed(out) ? CLI_EXIT_RUNTIME : status;
}
