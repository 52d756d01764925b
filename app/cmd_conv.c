// cmd_conv.c - `convstep conv`: one convolution worked out step by step, from
// the engine's own stepper, optionally checked against a printed map.
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

#define CONV_MAX_FILTERS 64

static const arg_spec conv_args_[] = {
    {"input", true, false},   {"kernel", true, true},    {"bias", true, false},
    {"padding", true, false}, {"stride", true, false},   {"dilation", true, false},
    {"expect", true, false},  {"quiet", false, false},   {"json", false, false},
    {"pytorch", true, false}, {"help", false, false},    {NULL, false, false},
};

static const char conv_help_[] =
    "usage: convstep conv --input M --kernel M [--kernel M ...] [--bias B]\n"
    "                     [--padding valid|same|P] [--stride S] [--dilation D]\n"
    "                     [--expect M] [--quiet] [--json] [--pytorch FILE]\n"
    "\n"
    "Works out a 2-D convolution step by step: the output-size formula with the\n"
    "numbers filled in, every window with its products and sum, then the feature map.\n"
    "\n"
    "  --input M      the input; channels separated by '|'\n"
    "  --kernel M     a filter with one channel per input channel; repeat for more filters\n"
    "  --bias B       one bias per filter, e.g. '1' or '1, -2' (default 0)\n"
    "  --padding P    valid (none, the default), same (keep n/s; an odd total pads the\n"
    "                 extra row and column at the bottom/right), or P zeros on every side\n"
    "  --stride S     step of the window (default 1)\n"
    "  --dilation D   gap between kernel taps (default 1)\n"
    "  --expect M     a printed feature map to check against the arithmetic: every cell\n"
    "                 that differs is listed with the right value and how it is computed;\n"
    "                 exits 1 if any differ. A value with k decimals matches when it is\n"
    "                 the true value rounded to k decimals.\n"
    "  --quiet        print the formula and the map, not every step\n"
    "  --json         print one JSON object: output_size, output, steps, formula, ...\n"
    PYTORCH_SCRIPT_HELP
    "                 'same' padding is written as F.pad, since it may be uneven.\n"
    "\n"
    "A matrix M is rows separated by ';' and values by spaces or commas, e.g.\n"
    "'1 2 3; 4 5 6', or @FILE with a row per line and a blank line between channels.\n"
    "\n"
    "Limits: --padding at most 4096; at most 16777216 (2^24) values in the padded\n"
    "input and 16777216 multiply-adds in all (output cells x values under a window).\n"
    "\n"
    "example: convstep conv --input '3 3 2 1 0; 0 0 1 3 1; 3 1 2 2 3; 2 0 0 2 2; 2 0 0 0 1'\n"
    "                       --kernel '0 1 2; 2 2 0; 0 1 2'\n";

// Everything one run works on, owned here and freed by conv_job_free_.
typedef struct conv_job_ {
    app_matrix input, expect;
    bool has_expect;
    int filters, k_h, k_w;
    float *weights;  // [filters][in_c][k_h][k_w]
    float *bias;     // [filters], or NULL when no --bias
    nn_conv2d_geom g;
    float *output;   // [filters][out_h][out_w], from the batch forward pass
    const char *pytorch;  // --pytorch FILE, once the script is written there; else NULL
} conv_job_;

static void conv_job_free_(conv_job_ *j) {
    app_matrix_free(&j->input);
    app_matrix_free(&j->expect);
    free(j->weights);
    free(j->bias);
    free(j->output);
}

// Reads and checks every option; false with a message in err.
static bool conv_setup_(conv_job_ *j, const parsed_args *a, char *err, size_t errsize) {
    const char *input = args_get(a, "input");
    const char *kernels[CONV_MAX_FILTERS + 1];
    int n_kernels = args_get_all(a, "kernel", kernels, CONV_MAX_FILTERS + 1);
    if (!input || n_kernels == 0) {
        snprintf(err, errsize, "convstep conv needs --input and --kernel (see convstep conv --help)");
        return false;
    }
    if (n_kernels > CONV_MAX_FILTERS) {
        snprintf(err, errsize, "at most %d --kernel filters", CONV_MAX_FILTERS);
        return false;
    }
    // The numbers first: a padding of 8000 is refused before a matrix is read.
    nn_padding padding = {NN_PAD_VALID, 0};
    int stride = 1, dilation = 1;
    const char *v;
    if ((v = args_get(a, "padding")) && !cli_parse_padding(v, &padding, err, errsize))
        return false;
    if ((v = args_get(a, "stride")) &&
        !args_int(v, "--stride", 1, NN_MAX_AXIS, &stride, err, errsize))
        return false;
    if ((v = args_get(a, "dilation")) &&
        !args_int(v, "--dilation", 1, NN_MAX_AXIS, &dilation, err, errsize))
        return false;
    if (!app_matrix_read(&j->input, input, "--input", err, errsize)) return false;

    j->filters = n_kernels;
    for (int f = 0; f < n_kernels; f++) {
        app_matrix k;
        char what[32];
        snprintf(what, sizeof what, n_kernels > 1 ? "--kernel %d" : "--kernel", f + 1);
        if (!app_matrix_read(&k, kernels[f], what, err, errsize)) return false;
        if (k.c != j->input.c) {
            snprintf(err, errsize,
                     "%s has %d channel(s) but --input has %d: a filter needs one kernel channel "
                     "per input channel, separated by '|'",
                     what, k.c, j->input.c);
            app_matrix_free(&k);
            return false;
        }
        if (f == 0) {
            j->k_h = k.h;
            j->k_w = k.w;
            if ((long long)n_kernels * k.c * k.h * k.w > REPORT_MAX_WORK) {
                snprintf(err, errsize, "%d filters of %dx%dx%d are %lld weights; at most %d (2^24)",
                         n_kernels, k.c, k.h, k.w, (long long)n_kernels * k.c * k.h * k.w,
                         REPORT_MAX_WORK);
                app_matrix_free(&k);
                return false;
            }
            j->weights = malloc(sizeof(float) * (size_t)n_kernels * k.c * k.h * k.w);
            if (!j->weights) {
                app_matrix_free(&k);
                snprintf(err, errsize, "out of memory");
                return false;
            }
        } else if (k.h != j->k_h || k.w != j->k_w) {
            snprintf(err, errsize, "%s is %dx%d but --kernel 1 is %dx%d: all filters need one size",
                     what, k.h, k.w, j->k_h, j->k_w);
            app_matrix_free(&k);
            return false;
        }
        size_t per = (size_t)k.c * k.h * k.w;
        memcpy(j->weights + (size_t)f * per, k.values, per * sizeof(float));
        app_matrix_free(&k);
    }

    const char *bias = args_get(a, "bias");
    if (bias) {
        int n;
        if (!app_parse_numbers(bias, "--bias", &j->bias, &n, err, errsize)) return false;
        if (n != j->filters) {
            snprintf(err, errsize, "--bias has %d value(s) but there %s %d filter(s): give one bias per filter",
                     n, j->filters == 1 ? "is" : "are", j->filters);
            return false;
        }
    }

    nn_conv2d_config cfg = {.in_c = j->input.c, .in_h = j->input.h, .in_w = j->input.w,
                            .filters = j->filters, .k_h = j->k_h, .k_w = j->k_w,
                            .stride = stride, .dilation = dilation, .padding = padding};
    nn_error e;
    if (nn_conv2d_geom_init(&j->g, &cfg, &e) != NN_OK) {
        snprintf(err, errsize, "%s", e.msg);
        return false;
    }
    // Bounded before the forward pass allocates its padded copy or window
    // columns, and before any step is worked out.
    const nn_conv2d_geom *g = &j->g;
    if (!report_check_size(cfg.in_c, (long long)cfg.in_h + g->rows.pad_lo + g->rows.pad_hi,
                           (long long)cfg.in_w + g->cols.pad_lo + g->cols.pad_hi,
                           (long long)cfg.filters * g->out_h * g->out_w, g->window,
                           "multiply-adds", err, errsize))
        return false;

    const char *expect = args_get(a, "expect");
    if (expect) {
        if (!app_matrix_read(&j->expect, expect, "--expect", err, errsize)) return false;
        j->has_expect = true;
        if (!expect_check_shape(&j->expect, j->filters, j->g.out_h, j->g.out_w, err, errsize))
            return false;
    }

    j->output = malloc(sizeof(float) * (size_t)j->filters * j->g.out_h * j->g.out_w);
    if (!j->output) {
        snprintf(err, errsize, "out of memory for a %dx%dx%d output", j->filters, j->g.out_h,
                 j->g.out_w);
        return false;
    }
    nn_conv2d_forward(&j->g, j->output, j->input.values, j->weights, j->bias, 1);
    return cli_check_finite(j->output, j->filters, j->g.out_h, j->g.out_w, "filter", err, errsize);
}

// ---- Text ---------------------------------------------------------------------

// "3*0 + 3*1 + [0]*2 ... = 12", a line per channel, then the bias.
static void print_step_sum_(FILE *out, const nn_conv2d_step *st, int in_c, const char *indent) {
    char a[32], b[32];
    const int per = st->count / in_c;
    for (int ch = 0; ch < in_c; ch++) {
        fputs(indent, out);
        if (in_c > 1) fprintf(out, "channel %d: ", ch + 1);
        if (ch > 0) {  // continue the running sum, exactly as the engine adds
            fmt_float(st->running[ch * per - 1], a, sizeof a);
            fprintf(out, "%s + ", a);
        }
        for (int i = ch * per; i < (ch + 1) * per; i++) {
            fmt_float(st->window[i], a, sizeof a);
            fmt_float(st->weights[i], b, sizeof b);
            fprintf(out, st->padded[i] ? "[%s]*%s" : "%s*%s", a, b);
            if (i + 1 < (ch + 1) * per) fputs(" + ", out);
        }
        fmt_float(st->running[(ch + 1) * per - 1], a, sizeof a);
        fprintf(out, " = %s\n", a);
    }
}

static void print_bias_(FILE *out, const nn_conv2d_step *st, const char *indent) {
    char a[32], b[32], c[32];
    fmt_float(st->running[st->count - 1], a, sizeof a);
    fmt_float(st->bias, b, sizeof b);
    fmt_float(st->sum, c, sizeof c);
    fprintf(out, "%s%s + bias %s = %s\n", indent, a, b, c);
}

static void print_text_(FILE *out, conv_job_ *j, nn_conv2d_cursor *cur, bool quiet) {
    const nn_conv2d_config *c = &j->g.cfg;
    fprintf(out, "Convolution: input %dx%d (%d channel%s), %d filter%s of %dx%d", c->in_h,
            c->in_w, c->in_c, c->in_c == 1 ? "" : "s", c->filters, c->filters == 1 ? "" : "s",
            c->k_h, c->k_w);
    if (c->in_c > 1) fprintf(out, "x%d", c->in_c);
    const nn_axis *r = &j->g.rows, *cl = &j->g.cols;
    if (r->pad_lo == r->pad_hi && r->pad_lo == cl->pad_lo && cl->pad_lo == cl->pad_hi)
        fprintf(out, ", padding %d", r->pad_lo);
    else
        fprintf(out, ", padding top %d, bottom %d, left %d, right %d", r->pad_lo, r->pad_hi,
                cl->pad_lo, cl->pad_hi);
    if (c->padding.mode != NN_PAD_EXPLICIT)
        fprintf(out, " (%s)", c->padding.mode == NN_PAD_SAME ? "same" : "valid");
    fprintf(out, ", stride %d, dilation %d\n\n", c->stride, c->dilation);
    report_formula_text(out, &j->g.rows, &j->g.cols);
    fputc('\n', out);

    if (!quiet) {
        bool padded_any = j->g.rows.pad_lo + j->g.rows.pad_hi + j->g.cols.pad_lo + j->g.cols.pad_hi > 0;
        if (padded_any) fputs("[0] marks a padding cell. Coordinates count from 0.\n\n", out);
        nn_conv2d_step st;
        while (!report_write_failed(out) && nn_conv2d_step_next(cur, &st)) {
            char range[96];
            report_window_range(range, sizeof range, st.in_row[0], st.in_col[0], c->k_h, c->k_w,
                                c->dilation);
            fprintf(out, "Step %d of %d: ", st.index + 1, cur->total);
            if (c->filters > 1) fprintf(out, "filter %d, ", st.filter + 1);
            fprintf(out, "output (%d,%d), window %s\n", st.row, st.col, range);
            print_step_sum_(out, &st, c->in_c, "  ");
            if (j->bias) print_bias_(out, &st, "  ");
        }
        fputc('\n', out);
    }
    report_maps_text(out, j->output, c->filters, j->g.out_h, j->g.out_w, "Feature map", "filter");
    if (j->pytorch)
        fprintf(out, "\nWrote the PyTorch script %s (run it with python3).\n", j->pytorch);
}

// Lists every cell of --expect that differs, with the right value worked out.
static int print_expect_text_(FILE *out, conv_job_ *j, nn_conv2d_cursor *cur, const int *wrong,
                              int n_wrong) {
    const int total = j->filters * j->g.out_h * j->g.out_w;
    fputc('\n', out);
    if (n_wrong == 0) {
        fprintf(out, "--expect: all %d cells match the arithmetic.\n", total);
        return 0;
    }
    fprintf(out, "--expect: %d of %d cells differ from the arithmetic:\n", n_wrong, total);
    for (int i = 0; i < n_wrong && !report_write_failed(out); i++) {
        nn_conv2d_step st;
        nn_conv2d_step_at(cur, wrong[i], &st);
        char e[32], v[32];
        fmt_float(j->expect.values[wrong[i]], e, sizeof e);
        fmt_float(st.sum, v, sizeof v);
        fprintf(out, "  ");
        if (j->filters > 1) fprintf(out, "filter %d, ", st.filter + 1);
        fprintf(out, "(%d,%d): expected %s, but it is %s:\n", st.row, st.col, e, v);
        print_step_sum_(out, &st, j->g.cfg.in_c, "    ");
        if (j->bias) print_bias_(out, &st, "    ");
    }
    return 1;
}

// ---- JSON --------------------------------------------------------------------------

static void step_json_(json_writer *w, const nn_conv2d_step *st) {
    json_begin_object(w);
    json_key(w, "index"), json_int(w, st->index);
    json_key(w, "filter"), json_int(w, st->filter);
    json_key(w, "row"), json_int(w, st->row);
    json_key(w, "col"), json_int(w, st->col);
    json_key(w, "window_origin");  // top-left input cell; negative inside the padding
    json_begin_array(w);
    json_int(w, st->in_row[0]);
    json_int(w, st->in_col[0]);
    json_end_array(w);
    json_key(w, "window"), json_float_array(w, st->window, st->count);
    json_key(w, "padded");
    json_begin_array(w);
    for (int i = 0; i < st->count; i++) json_bool(w, st->padded[i]);
    json_end_array(w);
    json_key(w, "weights"), json_float_array(w, st->weights, st->count);
    json_key(w, "products"), json_float_array(w, st->products, st->count);
    json_key(w, "running"), json_float_array(w, st->running, st->count);
    json_key(w, "bias"), json_float(w, st->bias);
    json_key(w, "sum"), json_float(w, st->sum);
    json_end_object(w);
}

static int print_json_(FILE *out, conv_job_ *j, nn_conv2d_cursor *cur, const int *wrong,
                       int n_wrong) {
    const nn_conv2d_geom *g = &j->g;
    json_writer w;
    json_init(&w, out);
    json_begin_object(&w);
    json_key(&w, "operation"), json_string(&w, "conv");
    json_key(&w, "input_shape");  // [channels, rows, cols]
    json_begin_array(&w);
    json_int(&w, g->cfg.in_c), json_int(&w, g->cfg.in_h), json_int(&w, g->cfg.in_w);
    json_end_array(&w);
    json_key(&w, "kernel_size");
    json_begin_array(&w);
    json_int(&w, g->cfg.k_h), json_int(&w, g->cfg.k_w);
    json_end_array(&w);
    json_key(&w, "filters"), json_int(&w, g->cfg.filters);
    json_key(&w, "stride"), json_int(&w, g->cfg.stride);
    json_key(&w, "dilation"), json_int(&w, g->cfg.dilation);
    json_key(&w, "padding");  // [top, bottom, left, right]
    json_begin_array(&w);
    json_int(&w, g->rows.pad_lo), json_int(&w, g->rows.pad_hi);
    json_int(&w, g->cols.pad_lo), json_int(&w, g->cols.pad_hi);
    json_end_array(&w);
    report_formula_json(&w, &g->rows, &g->cols);
    json_key(&w, "output_size");
    json_begin_array(&w);
    json_int(&w, g->out_h), json_int(&w, g->out_w);
    json_end_array(&w);
    report_maps_json(&w, "output", j->output, g->cfg.filters, g->out_h, g->out_w);
    if (j->pytorch) json_key(&w, "pytorch_script"), json_string(&w, j->pytorch);
    json_key(&w, "steps");
    json_begin_array(&w);
    nn_conv2d_step st;
    while (!report_write_failed(out) && nn_conv2d_step_next(cur, &st)) step_json_(&w, &st);
    json_end_array(&w);
    if (j->has_expect) {
        json_key(&w, "expect");
        json_begin_object(&w);
        json_key(&w, "cells"), json_int(&w, g->cfg.filters * g->out_h * g->out_w);
        json_key(&w, "matches"), json_bool(&w, n_wrong == 0);
        json_key(&w, "mismatches");
        json_begin_array(&w);
        for (int i = 0; i < n_wrong && !report_write_failed(out); i++) {
            nn_conv2d_step_at(cur, wrong[i], &st);
            json_begin_object(&w);
            json_key(&w, "filter"), json_int(&w, st.filter);
            json_key(&w, "row"), json_int(&w, st.row);
            json_key(&w, "col"), json_int(&w, st.col);
            json_key(&w, "expected"), json_float(&w, j->expect.values[wrong[i]]);
            json_key(&w, "actual"), json_float(&w, st.sum);
            json_key(&w, "products"), json_float_array(&w, st.products, st.count);
            json_end_object(&w);
        }
        json_end_array(&w);
        json_end_object(&w);
    }
    json_end_object(&w);
    json_finish(&w);
    return n_wrong > 0 ? 1 : 0;
}

// ---- The command ---------------------------------------------------------------------

int cmd_conv(int argc, char **argv, FILE *out, FILE *errf) {
    char err[512];
    parsed_args a;
    if (!args_parse(conv_args_, argc, argv, 0, &a, "conv", err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    if (args_has(&a, "help")) {
        fputs(conv_help_, out);
        return 0;
    }
    const char *pytorch = args_get(&a, "pytorch");
    if (!pytorch_script_check_option(pytorch, args_has(&a, "json"), err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    conv_job_ j;
    memset(&j, 0, sizeof j);
    if (!conv_setup_(&j, &a, err, sizeof err)) {
        conv_job_free_(&j);
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    }
    if (pytorch) {  // written before anything is printed: a failure leaves stdout empty
        if (!pytorch_script_conv(pytorch, out, &j.g, j.input.values, j.weights, j.bias, j.output,
                                 err, sizeof err)) {
            conv_job_free_(&j);
            return cli_fail(errf, err, CLI_EXIT_USAGE);
        }
        if (strcmp(pytorch, "-") == 0) {  // the script instead of the steps
            conv_job_free_(&j);
            return report_write_failed(out) ? CLI_EXIT_RUNTIME : 0;
        }
        j.pytorch = pytorch;
    }
    nn_conv2d_cursor cur;
    nn_error e;
    if (nn_conv2d_cursor_init(&cur, &j.g, j.input.values, j.weights, j.bias, &e) != NN_OK) {
        conv_job_free_(&j);
        return cli_fail(errf, e.msg, CLI_EXIT_RUNTIME);
    }
    const int total = cur.total;
    int *wrong = NULL, n_wrong = 0;
    if (j.has_expect) {
        wrong = malloc(sizeof(int) * (size_t)total);
        if (!wrong) {
            nn_conv2d_cursor_destroy(&cur);
            conv_job_free_(&j);
            return cli_fail(errf, "out of memory", CLI_EXIT_RUNTIME);
        }
        n_wrong = expect_compare(&j.expect, j.output, wrong);
    }
    int status = 0;
    if (args_has(&a, "json")) {
        status = print_json_(out, &j, &cur, wrong, n_wrong);
    } else {
        print_text_(out, &j, &cur, args_has(&a, "quiet"));
        if (j.has_expect) status = print_expect_text_(out, &j, &cur, wrong, n_wrong);
    }
    free(wrong);
    nn_conv2d_cursor_destroy(&cur);
    conv_job_free_(&j);
    // The reader went away or the disk is full: the printers stopped at the
    // first failed write; main.c says so once.
    return report_write_failed(out) ? CLI_EXIT_RUNTIME : status;
}
