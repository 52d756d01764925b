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
    {"pytorch", true, false}, {"grad-output", true, false}, {"flip", false, false},
    {"help", false, false},   {NULL, false, false},
};

static const char conv_help_[] =
    "usage: convstep conv --input M --kernel M [--kernel M ...] [--bias B]\n"
    "                     [--padding valid|same|P] [--stride S] [--dilation D]\n"
    "                     [--flip] [--grad-output M] [--expect M] [--quiet] [--json]\n"
    "                     [--pytorch FILE]\n"
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
    "  --flip         true (mathematical) convolution: each kernel is rotated\n"
    "                 180 degrees before it slides (deep learning's 'convolution'\n"
    "                 does not flip); the rotated kernel is printed\n"
    "  --grad-output M  dL/dY, the loss's gradient at the output (the output's\n"
    "                 shape, one map per filter separated by '|'): adds the\n"
    "                 backward pass, every gradient cell as its products and their\n"
    "                 sum, then dL/dX (grad_input), dL/dW (grad_kernel, for the\n"
    "                 kernel as given) and dL/db (grad_bias), from the engine's\n"
    "                 backward stepper (the same values as training's backward)\n"
    "  --expect M     a printed feature map to check against the arithmetic: every cell\n"
    "                 that differs is listed with the right value and how it is computed;\n"
    "                 exits 1 if any differ. A value with k decimals matches when it is\n"
    "                 the true value rounded to k decimals.\n"
    "  --quiet        print the formula and the maps, not every step\n"
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
    "                       --kernel '0 1 2; 2 2 0; 0 1 2'\n"
    "backward: convstep conv --input '1 2 3; 4 5 6; 7 8 9' --kernel '1 2; 3 4'\n"
    "                        --grad-output '1 1; 1 1' --quiet\n"
    "          (grad_kernel 12 16; 24 28, grad_input 1 3 2; 4 10 6; 3 7 4,\n"
    "          grad_bias 4)\n";

// Everything one run works on, owned here and freed by conv_job_free_.
typedef struct conv_job_ {
    app_matrix input, expect;
    bool has_expect;
    int filters, k_h, k_w;
    float *weights;  // [filters][in_c][k_h][k_w], as given
    bool flip;       // --flip: the kernels are rotated 180 degrees before use
    float *used;     // the weights the convolution slides: rotated, or == weights
    float *bias;     // [filters], or NULL when no --bias
    // --grad-output: dL/dY and the gradients the backward stepper worked out.
    app_matrix grad_output;
    bool has_grad;
    float *grad_input;   // [in_c][in_h][in_w]
    float *grad_kernel;  // [filters][in_c][k_h][k_w], for the kernel as given
    float *grad_bias;    // [filters]
    nn_conv2d_geom g;
    float *output;   // [filters][out_h][out_w], from the batch forward pass
    const char *pytorch;  // --pytorch FILE, once the script is written there; else NULL
} conv_job_;

static void conv_job_free_(conv_job_ *j) {
    app_matrix_free(&j->input);
    app_matrix_free(&j->expect);
    if (j->used != j->weights) free(j->used);
    free(j->weights);
    free(j->bias);
    free(j->output);
    app_matrix_free(&j->grad_output);
    free(j->grad_input);
    free(j->grad_kernel);
    free(j->grad_bias);
}

// --grad-output: reads dL/dY (the output's shape) and works out every
// gradient through the engine's backward stepper core (nn_backstep_all, the
// same values the steps show). Nothing to do without the option.
static bool conv_grad_setup_(conv_job_ *j, const char *text, char *err, size_t errsize) {
    if (!text) return true;
    const nn_conv2d_geom *g = &j->g;
    const nn_conv2d_config *c = &g->cfg;
    if (!app_matrix_read(&j->grad_output, text, "--grad-output", err, errsize)) return false;
    j->has_grad = true;
    const app_matrix *m = &j->grad_output;
    if (m->c != c->filters) {
        snprintf(err, errsize,
                 "--grad-output has %d map(s) but the output has %d (dL/dY has the output's "
                 "shape: one %dx%d map per filter, separated by '|')",
                 m->c, c->filters, g->out_h, g->out_w);
        return false;
    }
    if (m->h != g->out_h || m->w != g->out_w) {
        snprintf(err, errsize,
                 "--grad-output is %dx%d but the output is %dx%d (dL/dY has the output's shape)",
                 m->h, m->w, g->out_h, g->out_w);
        return false;
    }
    if (!cli_check_finite(m->values, m->c, m->h, m->w, "filter", err, errsize)) return false;
    const size_t n_in = (size_t)c->in_c * c->in_h * c->in_w, n_w = (size_t)c->filters * g->window;
    j->grad_input = malloc(sizeof(float) * n_in);
    j->grad_kernel = malloc(sizeof(float) * n_w);
    j->grad_bias = malloc(sizeof(float) * (size_t)c->filters);
    float *dw_used = j->flip ? malloc(sizeof(float) * n_w) : j->grad_kernel;
    if (!j->grad_input || !j->grad_kernel || !j->grad_bias || !dw_used) {
        if (j->flip) free(dw_used);
        snprintf(err, errsize, "out of memory");
        return false;
    }
    nn_backstep_all(g, j->grad_input, dw_used, j->grad_bias, m->values, j->input.values, j->used);
    if (j->flip) {
        // The convolution slid the rotated kernel R, R[r][c] = K[kh-1-r][kw-1-c]:
        // K[r][c] is the weight at R[kh-1-r][kw-1-c], so its gradient is the
        // rotated kernel's gradient there, i.e. that gradient rotated back.
        nn_kernel_rotate180(j->grad_kernel, dw_used, c->filters * c->in_c, c->k_h, c->k_w);
        free(dw_used);
    }
    if (!cli_check_finite(j->grad_input, c->in_c, c->in_h, c->in_w, "grad_input channel", err,
                          errsize) ||
        !cli_check_finite(j->grad_kernel, c->filters * c->in_c, c->k_h, c->k_w,
                          "grad_kernel plane (filter x channel)", err, errsize))
        return false;
    return cli_check_finite(j->grad_bias, 1, 1, c->filters, "grad_bias", err, errsize);
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

    const size_t n_weights = (size_t)j->filters * g->window;
    j->used = j->weights;
    if (args_has(a, "flip")) {  // true convolution: slide the rotated kernels
        j->flip = true;
        j->used = malloc(sizeof(float) * n_weights);
        if (!j->used) {
            snprintf(err, errsize, "out of memory");
            return false;
        }
        nn_kernel_rotate180(j->used, j->weights, j->filters * cfg.in_c, cfg.k_h, cfg.k_w);
    }

    j->output = malloc(sizeof(float) * (size_t)j->filters * j->g.out_h * j->g.out_w);
    if (!j->output) {
        snprintf(err, errsize, "out of memory for a %dx%dx%d output", j->filters, j->g.out_h,
                 j->g.out_w);
        return false;
    }
    nn_conv2d_forward(&j->g, j->output, j->input.values, j->used, j->bias, 1);
    if (!cli_check_finite(j->output, j->filters, j->g.out_h, j->g.out_w, "filter", err, errsize))
        return false;
    return conv_grad_setup_(j, args_get(a, "grad-output"), err, errsize);
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

// Rows of numbers lined up as report_maps_text lines them up.
static void print_rows_(FILE *out, const float *v, int h, int w) {
    char buf[32];
    int width = 1;
    for (int i = 0; i < h * w; i++) {
        fmt_float(v[i], buf, sizeof buf);
        if ((int)strlen(buf) > width) width = (int)strlen(buf);
    }
    for (int y = 0; y < h; y++) {
        fputs(" ", out);
        for (int x = 0; x < w; x++) {
            fmt_float(v[(size_t)y * w + x], buf, sizeof buf);
            fprintf(out, " %*s", width, buf);
        }
        fputc('\n', out);
    }
}

// "filter 2, channel 1, " for one kernel plane, or nothing when there is one.
static void plane_label_(char *buf, size_t size, const nn_conv2d_config *c, int f, int ch) {
    buf[0] = '\0';
    if (c->filters > 1) snprintf(buf, size, "filter %d, ", f + 1);
    if (c->in_c > 1) snprintf(buf + strlen(buf), size - strlen(buf), "channel %d, ", ch + 1);
}

// --flip: the kernels that actually slide.
static void print_rotated_(FILE *out, const conv_job_ *j) {
    const nn_conv2d_config *c = &j->g.cfg;
    const int per = c->k_h * c->k_w;
    for (int f = 0; f < c->filters; f++)
        for (int ch = 0; ch < c->in_c; ch++) {
            char label[64];
            plane_label_(label, sizeof label, c, f, ch);
            if (label[0]) label[0] = (char)(label[0] - 'a' + 'A');
            fprintf(out, "%s%s rotated 180 degrees (true convolution):\n", label,
                    label[0] ? "kernel" : "Kernel");
            print_rows_(out, j->used + ((size_t)f * c->in_c + ch) * per, c->k_h, c->k_w);
        }
    fputs("(--flip: the kernel is turned upside down and left to right, then slid as usual;\n"
          "without it, as in every deep-learning library, the kernel slides unflipped.)\n\n",
          out);
}

// One backward step: where each product came from, then the numbers and the sum.
static void print_backstep_(FILE *out, const conv_job_ *j, const nn_backstep *st) {
    const nn_conv2d_config *c = &j->g.cfg;
    char a[32], b[32], label[64];
    const bool many = c->filters > 1;
    switch (st->of) {
    case NN_BACKSTEP_KERNEL:
        plane_label_(label, sizeof label, c, st->filter, st->channel);
        if (j->flip)
            fprintf(out, "dL/dW %sweight (%d,%d) as given (tap (%d,%d) of the rotated kernel):\n",
                    label, c->k_h - 1 - st->row, c->k_w - 1 - st->col, st->row, st->col);
        else
            fprintf(out, "dL/dW %sweight (%d,%d):\n", label, st->row, st->col);
        break;
    case NN_BACKSTEP_INPUT:
        fprintf(out, "dL/dX %sinput (%d,%d):\n",
                c->in_c > 1 ? (snprintf(label, sizeof label, "channel %d, ", st->channel + 1), label) : "",
                st->row, st->col);
        break;
    case NN_BACKSTEP_BIAS:
        fprintf(out, "dL/db filter %d:\n", st->filter + 1);
        break;
    }
    if (st->count == 0) {  // an input cell no window read (stride skipped it)
        fputs("  no window read this cell: 0\n", out);
        return;
    }
    fputs("  ", out);
    for (int i = 0; i < st->count; i++) {
        const nn_backstep_term *t = &st->terms[i];
        if (i) fputs(" + ", out);
        if (st->of == NN_BACKSTEP_KERNEL)
            fprintf(out, "x(%d,%d)*dY(%d,%d)", t->in_row, t->in_col, t->out_row, t->out_col);
        else if (st->of == NN_BACKSTEP_INPUT && many)
            fprintf(out, "w%d(%d,%d)*dY%d(%d,%d)", t->filter + 1, t->k_row, t->k_col,
                    t->filter + 1, t->out_row, t->out_col);
        else if (st->of == NN_BACKSTEP_INPUT)
            fprintf(out, "w(%d,%d)*dY(%d,%d)", t->k_row, t->k_col, t->out_row, t->out_col);
        else
            fprintf(out, "dY(%d,%d)", t->out_row, t->out_col);
    }
    fputs("\n  = ", out);
    for (int i = 0; i < st->count; i++) {
        const nn_backstep_term *t = &st->terms[i];
        if (i) fputs(" + ", out);
        fmt_float(t->dy, b, sizeof b);
        if (st->of == NN_BACKSTEP_BIAS) {
            fputs(b, out);
            continue;
        }
        fmt_float(t->factor, a, sizeof a);
        fprintf(out, t->padded ? "[%s]*%s" : "%s*%s", a, b);
    }
    fmt_float(st->value, a, sizeof a);
    fprintf(out, " = %s\n", a);
}

static void print_grads_text_(FILE *out, conv_job_ *j, bool quiet) {
    const nn_conv2d_config *c = &j->g.cfg;
    fputc('\n', out);
    if (!quiet) {
        nn_backstep_cursor cur;
        nn_error e;
        if (nn_backstep_cursor_init(&cur, &j->g, j->input.values, j->used, j->grad_output.values,
                                    true, &e) != NN_OK) {
            fprintf(out, "(%s: the backward steps are not shown)\n\n", e.msg);
        } else {
            fprintf(out,
                    "Backward pass, from dL/dY (--grad-output). Each gradient is a sum of\n"
                    "products with dL/dY at the output cells it reached:\n"
                    "  dL/dW: the input value x under the weight, times dY, at every output cell;\n"
                    "  dL/dX: every weight w that touched the cell, times dY of that output cell\n"
                    "         (dL/dY convolved with the flipped kernel, 'full' padding)%s;\n"
                    "  dL/db: the sum of dY.\n",
                    c->filters > 1 ? "; wF and dYF: filter F" : "");
            if (j->flip)
                fputs("With --flip the steps are of the rotated kernel that slid; dL/dW of the\n"
                      "kernel as given is that gradient rotated back 180 degrees.\n",
                      out);
            fputc('\n', out);
            nn_backstep st;
            while (!report_write_failed(out) && nn_backstep_next(&cur, &st))
                print_backstep_(out, j, &st);
            fputc('\n', out);
            nn_backstep_cursor_destroy(&cur);
        }
    }
    report_maps_text(out, j->grad_input, c->in_c, c->in_h, c->in_w,
                     "Input gradient dL/dX (grad_input)", "channel");
    const int per = c->k_h * c->k_w;
    for (int f = 0; f < c->filters; f++)
        for (int ch = 0; ch < c->in_c; ch++) {
            char label[64];
            plane_label_(label, sizeof label, c, f, ch);
            if (label[0]) label[strlen(label) - 2] = '\0';  // no trailing ", "
            fprintf(out, "Kernel gradient dL/dW (grad_kernel%s%s%s), %dx%d:\n",
                    j->flip ? ", of the kernel as given" : "", label[0] ? ", " : "", label,
                    c->k_h, c->k_w);
            print_rows_(out, j->grad_kernel + ((size_t)f * c->in_c + ch) * per, c->k_h, c->k_w);
        }
    fputs("Bias gradient dL/db (grad_bias):", out);
    for (int f = 0; f < c->filters; f++) {
        char a[32];
        fmt_float(j->grad_bias[f], a, sizeof a);
        fprintf(out, "%s %s", f ? "," : "", a);
    }
    fputc('\n', out);
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
    fprintf(out, ", stride %d, dilation %d%s\n\n", c->stride, c->dilation,
            j->flip ? ", flipped (true convolution)" : "");
    if (j->flip) print_rotated_(out, j);
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
    if (j->has_grad) print_grads_text_(out, j, quiet);
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

// One backward step: the cell, its value, its partial sums, every product.
static void backstep_json_(json_writer *w, const conv_job_ *j, const nn_backstep *st) {
    const nn_conv2d_config *c = &j->g.cfg;
    static const char *const of[] = {"kernel", "input", "bias"};
    json_begin_object(w);
    json_key(w, "of"), json_string(w, of[st->of]);
    if (st->of != NN_BACKSTEP_INPUT) json_key(w, "filter"), json_int(w, st->filter);
    if (st->of != NN_BACKSTEP_BIAS) {
        json_key(w, "channel"), json_int(w, st->channel);
        // A kernel cell is named in the kernel as given (--flip: rotated back);
        // its products' taps are of the kernel that slid.
        const bool back = st->of == NN_BACKSTEP_KERNEL && j->flip;
        json_key(w, "row"), json_int(w, back ? c->k_h - 1 - st->row : st->row);
        json_key(w, "col"), json_int(w, back ? c->k_w - 1 - st->col : st->col);
    }
    json_key(w, "value"), json_float(w, st->value);
    json_key(w, "partial_sums"), json_float_array(w, st->group_sums, st->groups);
    json_key(w, "products");
    json_begin_array(w);
    for (int i = 0; i < st->count && !report_write_failed(w->f); i++) {
        const nn_backstep_term *t = &st->terms[i];
        json_begin_object(w);
        json_key(w, "filter"), json_int(w, t->filter);
        json_key(w, "output");  // dY's position
        json_begin_array(w);
        json_int(w, t->out_row), json_int(w, t->out_col);
        json_end_array(w);
        if (st->of != NN_BACKSTEP_BIAS) {
            json_key(w, "tap");  // the kernel cell (of the kernel that slid) that linked them
            json_begin_array(w);
            json_int(w, t->k_row), json_int(w, t->k_col);
            json_end_array(w);
            json_key(w, "input");  // the input cell under that tap (negative: padding)
            json_begin_array(w);
            json_int(w, t->in_row), json_int(w, t->in_col);
            json_end_array(w);
        }
        if (st->of == NN_BACKSTEP_KERNEL) {
            json_key(w, "x"), json_float(w, t->factor);
            json_key(w, "padded"), json_bool(w, t->padded);
        } else if (st->of == NN_BACKSTEP_INPUT) {
            json_key(w, "weight"), json_float(w, t->factor);
        }
        json_key(w, "grad_output"), json_float(w, t->dy);
        json_key(w, "product"), json_float(w, t->product);
        json_key(w, "group"), json_int(w, t->group);
        json_key(w, "partial"), json_float(w, t->partial);
        json_end_object(w);
    }
    json_end_array(w);
    json_end_object(w);
}

static void grads_json_(json_writer *w, conv_job_ *j) {
    const nn_conv2d_geom *g = &j->g;
    const nn_conv2d_config *c = &g->cfg;
    report_maps_json(w, "grad_output", j->grad_output.values, c->filters, g->out_h, g->out_w);
    report_maps_json(w, "grad_input", j->grad_input, c->in_c, c->in_h, c->in_w);
    json_key(w, "grad_kernel");  // [filters][channels][rows][cols], the kernel as given
    json_begin_array(w);
    for (int f = 0; f < c->filters; f++) {
        json_begin_array(w);
        for (int ch = 0; ch < c->in_c; ch++) {
            json_begin_array(w);
            for (int y = 0; y < c->k_h; y++)
                json_float_array(w, j->grad_kernel + (((size_t)f * c->in_c + ch) * c->k_h + y) * c->k_w,
                                 c->k_w);
            json_end_array(w);
        }
        json_end_array(w);
    }
    json_end_array(w);
    json_key(w, "grad_bias"), json_float_array(w, j->grad_bias, c->filters);
    json_key(w, "backward_order");
    json_string(w,
                "kernel: products round-robin into the 'partial_sums' of nn_gemm_nt's lanes "
                "(16 with AVX-512, 8 with AVX2, else 1), each an fma, then the lanes added pairwise; input: "
                "per kernel tap an fma chain over filters, the taps then added in order; bias: "
                "plain additions in order. The order training's backward adds in.");
    json_key(w, "backward_steps");
    json_begin_array(w);
    nn_backstep_cursor cur;
    nn_error e;
    if (nn_backstep_cursor_init(&cur, g, j->input.values, j->used, j->grad_output.values, true,
                                &e) == NN_OK) {
        nn_backstep st;
        while (!report_write_failed(w->f) && nn_backstep_next(&cur, &st)) backstep_json_(w, j, &st);
        nn_backstep_cursor_destroy(&cur);
    }
    json_end_array(w);
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
    json_key(&w, "flip"), json_bool(&w, j->flip);
    if (j->flip) {
        json_key(&w, "kernel_rotated");  // the kernels that slid, [filters][channels][rows][cols]
        json_begin_array(&w);
        for (int f = 0; f < g->cfg.filters; f++) {
            json_begin_array(&w);
            for (int ch = 0; ch < g->cfg.in_c; ch++) {
                json_begin_array(&w);
                for (int y = 0; y < g->cfg.k_h; y++)
                    json_float_array(&w, j->used + (((size_t)f * g->cfg.in_c + ch) * g->cfg.k_h + y) * g->cfg.k_w,
                                     g->cfg.k_w);
                json_end_array(&w);
            }
            json_end_array(&w);
        }
        json_end_array(&w);
    }
    report_maps_json(&w, "output", j->output, g->cfg.filters, g->out_h, g->out_w);
    if (j->has_grad) grads_json_(&w, j);
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
        const pytorch_conv_extra extra = {
            .flip = j.flip, .grad_output = j.has_grad ? j.grad_output.values : NULL,
            .grad_input = j.grad_input, .grad_kernel = j.grad_kernel, .grad_bias = j.grad_bias};
        if (!pytorch_script_conv(pytorch, out, &j.g, j.input.values, j.weights, j.bias, j.output,
                                 &extra, err, sizeof err)) {
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
    if (nn_conv2d_cursor_init(&cur, &j.g, j.input.values, j.used, j.bias, &e) != NN_OK) {
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
