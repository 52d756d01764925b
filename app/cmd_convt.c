// cmd_convt.c - `convstep convt`: one transposed convolution worked out step
// by step, from the engine's own stepper (every input cell stamping its
// scaled kernels onto the output), optionally checked against a printed map.
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

// The most input channels (--kernel options) and output maps (kernels in one).
#define CONVT_MAX_CHANNELS 64
#define CONVT_MAX_FILTERS 64

// Declared here rather than in cli.h: cli.c registers it next to conv.
int cmd_convt(int argc, char **argv, FILE *out, FILE *err);

static const arg_spec convt_args_[] = {
    {"input", true, false},    {"kernel", true, true},  {"bias", true, false},
    {"stride", true, false},   {"padding", true, false}, {"output-padding", true, false},
    {"dilation", true, false}, {"expect", true, false}, {"quiet", false, false},
    {"json", false, false},    {"pytorch", true, false}, {"help", false, false},
    {NULL, false, false},
};

static const char convt_help_[] =
    "usage: convstep convt --input M --kernel M [--kernel M ...] [--bias B]\n"
    "                      [--stride S] [--padding P] [--output-padding A] [--dilation D]\n"
    "                      [--expect M] [--quiet] [--json] [--pytorch FILE]\n"
    "\n"
    "Works out a transposed convolution (PyTorch's ConvTranspose2d, Keras's\n"
    "Conv2DTranspose) step by step: every input cell stamps its value times the kernel\n"
    "onto the output, stride S cells apart, and where stamps overlap they add up.\n"
    "Prints the output-size formula with the numbers filled in, every stamp with its\n"
    "products, then the output.\n"
    "\n"
    "  --input M      the input; channels separated by '|'\n"
    "  --kernel M     the kernels of one input channel, one per output map (filter),\n"
    "                 separated by '|'; give one --kernel per input channel, in order.\n"
    "                 This is PyTorch's weight layout, [in_channels][out_channels][kH][kW]:\n"
    "                 --kernel c is ConvTranspose2d.weight[c-1]. (conv's --kernel is the\n"
    "                 other way round: one per filter, its channels separated by '|'.)\n"
    "  --bias B       one bias per output map, e.g. '1' or '1, -2' (default 0)\n"
    "  --stride S     how far apart the stamps of neighbouring input cells are (default 1)\n"
    "  --padding P    cells cropped from every side of the stamped result (default 0)\n"
    "  --output-padding A\n"
    "                 cells added at the bottom and right (default 0); A must be smaller\n"
    "                 than the stride or the dilation\n"
    "  --dilation D   gap between kernel taps (default 1)\n"
    "  --expect M     a printed output to check against the arithmetic: every cell that\n"
    "                 differs is listed with the right value and the products that make\n"
    "                 it; exits 1 if any differ. A value with k decimals matches when it\n"
    "                 is the true value rounded to k decimals.\n"
    "  --quiet        print the formula and the output, not every stamp\n"
    "  --json         print one JSON object: output_size, output, formula, steps, ...\n"
    PYTORCH_SCRIPT_HELP
    "                 It calls conv_transpose2d with the kernels in the layout above.\n"
    "\n"
    "Output size, per axis: (n - 1)s - 2p + d(k - 1) + a + 1, for n input cells,\n"
    "kernel k, stride s, padding p, output padding a, dilation d.\n"
    "\n"
    "A matrix M is rows separated by ';' and values by spaces or commas, e.g.\n"
    "'1 2 3; 4 5 6', or @FILE with a row per line and a blank line between channels\n"
    "(for --kernel: between output maps).\n"
    "\n"
    "Limits: --padding at most 4096; at most 16777216 (2^24) output values and\n"
    "16777216 multiply-adds in all (input cells x kernel values per cell); at most\n"
    "64 input channels and 64 output maps.\n"
    "\n"
    "example: convstep convt --input '1 2; 3 4' --kernel '1 1; 1 1' --stride 2\n";

// Everything one run works on, owned here and freed by convt_job_free_.
typedef struct convt_job_ {
    app_matrix input, expect;
    bool has_expect;
    int filters, k_h, k_w;
    float *weights;  // [in_c][filters][k_h][k_w], PyTorch's layout
    float *bias;     // [filters], or NULL when no --bias
    nn_convt_geom g;
    float *output;   // [filters][out_h][out_w], from the batch forward pass
    const char *pytorch;  // --pytorch FILE, once the script is written there; else NULL
} convt_job_;

static void convt_job_free_(convt_job_ *j) {
    app_matrix_free(&j->input);
    app_matrix_free(&j->expect);
    free(j->weights);
    free(j->bias);
    free(j->output);
}

// Reads one --kernel (channel `ch` of n) into the weights; the first one
// fixes the number of maps and the kernel size.
static bool read_kernel_(convt_job_ *j, const char *text, int ch, int n, char *err,
                         size_t errsize) {
    app_matrix k;
    char what[32];
    snprintf(what, sizeof what, n > 1 ? "--kernel %d" : "--kernel", ch + 1);
    if (!app_matrix_read(&k, text, what, err, errsize)) return false;
    bool ok = true;
    if (ch == 0) {
        j->filters = k.c;
        j->k_h = k.h;
        j->k_w = k.w;
        const long long weights = (long long)n * k.c * k.h * k.w;
        if (k.c > CONVT_MAX_FILTERS) {
            snprintf(err, errsize,
                     "%s has %d kernels separated by '|', one per output map: at most %d", what,
                     k.c, CONVT_MAX_FILTERS);
            ok = false;
        } else if (weights > REPORT_MAX_WORK) {
            snprintf(err, errsize,
                     "%d channels x %d maps of %dx%d are %lld weights; at most %d (2^24)", n, k.c, k.h, k.w, weights, REPORT_MAX_WORK);
            ok = false;
        } else if (!(j->weights = malloc(sizeof(float) * (size_t)weights))) {
            snprintf(err, errsize, "out of memory");
            ok = false;
        }
    } else if (k.c != j->filters) {
        snprintf(err, errsize,
                 "%s has %d kernel(s) but --kernel 1 has %d: every input channel needs one "
                 "kernel per output map, separated by '|'",
                 what, k.c, j->filters);
        ok = false;
    } else if (k.h != j->k_h || k.w != j->k_w) {
        snprintf(err, errsize, "%s is %dx%d but --kernel 1 is %dx%d: all kernels need one size",
                 what, k.h, k.w, j->k_h, j->k_w);
        ok = false;
    }
    if (ok) {
        const size_t per = (size_t)k.c * k.h * k.w;  // weight[ch] = [filters][k_h][k_w]
        memcpy(j->weights + (size_t)ch * per, k.values, per * sizeof(float));
    }
    app_matrix_free(&k);
    return ok;
}

// Reads and checks every option; false with a message in err.
static bool convt_setup_(convt_job_ *j, const parsed_args *a, char *err, size_t errsize) {
    const char *input = args_get(a, "input");
    const char *kernels[CONVT_MAX_CHANNELS + 1];
    const int n_kernels = args_get_all(a, "kernel", kernels, CONVT_MAX_CHANNELS + 1);
    if (!input || n_kernels == 0) {
        snprintf(err, errsize,
                 "convstep convt needs --input and --kernel (see convstep convt --help)");
        return false;
    }
    if (n_kernels > CONVT_MAX_CHANNELS) {
        snprintf(err, errsize, "at most %d --kernel options (one per input channel)",
                 CONVT_MAX_CHANNELS);
        return false;
    }
    // The numbers first: a padding of 8000 is refused before a matrix is read.
    int stride = 1, padding = 0, out_pad = 0, dilation = 1;
    const char *v;
    if ((v = args_get(a, "stride")) &&
        !args_int(v, "--stride", 1, NN_MAX_AXIS, &stride, err, errsize))
        return false;
    if ((v = args_get(a, "padding")) &&
        !args_int(v, "--padding", 0, REPORT_MAX_PADDING, &padding, err, errsize))
        return false;
    if ((v = args_get(a, "output-padding")) &&
        !args_int(v, "--output-padding", 0, NN_MAX_AXIS, &out_pad, err, errsize))
        return false;
    if ((v = args_get(a, "dilation")) &&
        !args_int(v, "--dilation", 1, NN_MAX_AXIS, &dilation, err, errsize))
        return false;
    if (!app_matrix_read(&j->input, input, "--input", err, errsize)) return false;
    if (n_kernels != j->input.c) {
        snprintf(err, errsize,
                 "--input has %d channel(s) but there %s %d --kernel option(s): give one "
                 "--kernel per input channel, each with one kernel per output map separated "
                 "by '|' (PyTorch's layout)",
                 j->input.c, n_kernels == 1 ? "is" : "are", n_kernels);
        return false;
    }
    for (int ch = 0; ch < n_kernels; ch++)
        if (!read_kernel_(j, kernels[ch], ch, n_kernels, err, errsize)) return false;

    const char *bias = args_get(a, "bias");
    if (bias) {
        int n;
        if (!app_parse_numbers(bias, "--bias", &j->bias, &n, err, errsize)) return false;
        if (n != j->filters) {
            snprintf(err, errsize,
                     "--bias has %d value(s) but there %s %d output map(s): give one bias per "
                     "output map",
                     n, j->filters == 1 ? "is" : "are", j->filters);
            return false;
        }
    }

    nn_convt_config cfg = {.in_c = j->input.c, .in_h = j->input.h, .in_w = j->input.w,
                           .filters = j->filters, .k_h = j->k_h, .k_w = j->k_w,
                           .stride = stride, .padding = padding, .out_pad = out_pad,
                           .dilation = dilation};
    nn_error e;
    if (nn_convt_geom_init(&j->g, &cfg, &e) != NN_OK) {
        snprintf(err, errsize, "%s", e.msg);
        return false;
    }
    // Bounded before the output is allocated and any stamp is worked out.
    const nn_convt_geom *g = &j->g;
    const long long outs = (long long)cfg.filters * g->out_h * g->out_w;
    const long long cells = (long long)cfg.in_c * cfg.in_h * cfg.in_w;
    if (outs > REPORT_MAX_PADDED) {
        snprintf(err, errsize,
                 "the output is %d map(s) of %dx%d, %lld values; at most %d (2^24) are worked "
                 "out step by step: use a smaller input, stride or kernel",
                 cfg.filters, g->out_h, g->out_w, outs, REPORT_MAX_PADDED);
        return false;
    }
    if (cells * g->taps > REPORT_MAX_WORK) {
        snprintf(err, errsize,
                 "%lld input cells of %d kernel values each is %lld multiply-adds; at most %d "
                 "(2^24) are worked out step by step: use a smaller input or kernel",
                 cells, g->taps, cells * g->taps, REPORT_MAX_WORK);
        return false;
    }

    const char *expect = args_get(a, "expect");
    if (expect) {
        if (!app_matrix_read(&j->expect, expect, "--expect", err, errsize)) return false;
        j->has_expect = true;
        if (!expect_check_shape(&j->expect, j->filters, g->out_h, g->out_w, err, errsize))
            return false;
    }

    j->output = malloc(sizeof(float) * (size_t)outs);
    if (!j->output) {
        snprintf(err, errsize, "out of memory for a %dx%dx%d output", j->filters, g->out_h,
                 g->out_w);
        return false;
    }
    nn_convt_forward(g, j->output, j->input.values, j->weights, j->bias, 1);
    return cli_check_finite(j->output, j->filters, g->out_h, g->out_w, "map", err, errsize);
}

// ---- What makes one output cell ---------------------------------------------------

// One product added to an output cell: input cell (channel, row, col) of
// value v times weight w.
typedef struct convt_term_ {
    int channel, row, col, ky, kx;
    float value, weight, product;
} convt_term_;

// The products that land on output cell (f, oy, ox), in the order the
// engine adds them (input cells in row-major order, channel by channel);
// returns how many (at most in_c * k_h * k_w: one tap per input cell).
// Kernel row ky lands on oy from input row iy = (oy + p - ky*d) / s when
// that divides; kernel rows taken from the last give input rows upwards.
static int cell_terms_(const convt_job_ *j, int f, int oy, int ox, convt_term_ *t) {
    const nn_convt_config *c = &j->g.cfg;
    int n = 0;
    for (int ch = 0; ch < c->in_c; ch++)
        for (int ky = c->k_h - 1; ky >= 0; ky--) {
            const int ry = oy + c->padding - ky * c->dilation;
            if (ry < 0 || ry % c->stride != 0 || ry / c->stride >= c->in_h) continue;
            const int iy = ry / c->stride;
            for (int kx = c->k_w - 1; kx >= 0; kx--) {
                const int rx = ox + c->padding - kx * c->dilation;
                if (rx < 0 || rx % c->stride != 0 || rx / c->stride >= c->in_w) continue;
                const int ix = rx / c->stride;
                const float v = j->input.values[((size_t)ch * c->in_h + iy) * c->in_w + ix];
                const float w =
                    j->weights[(((size_t)ch * c->filters + f) * c->k_h + ky) * c->k_w + kx];
                t[n++] = (convt_term_){ch, iy, ix, ky, kx, v, w, v * w};
            }
        }
    return n;
}

// ---- Text ---------------------------------------------------------------------

// "(0,1)" or, with several maps, "map 2 (0,1)".
static void cell_name_(char *buf, size_t size, const convt_job_ *j, int f, int r, int c) {
    if (j->filters > 1)
        snprintf(buf, size, "map %d (%d,%d)", f + 1, r, c);
    else
        snprintf(buf, size, "(%d,%d)", r, c);
}

static void print_formula_(FILE *out, const convt_job_ *j) {
    const nn_convt_geom *g = &j->g;
    char r[160], c[160];
    nn_convt_formula_text(&g->rows, r, sizeof r);
    nn_convt_formula_text(&g->cols, c, sizeof c);
    fprintf(out, "Output size: " NN_CONVT_FORMULA "\n");
    fprintf(out, "  rows: %s\n", r);
    fprintf(out, "  cols: %s\n", c);
    fprintf(out, "  the stamps cover %dx%d cells", g->rows.full, g->cols.full);
    if (g->cfg.padding > 0)
        fprintf(out, "; padding %d crops %d from every side", g->cfg.padding, g->cfg.padding);
    if (g->cfg.out_pad > 0)
        fprintf(out, "; output padding %d adds %d at the bottom and right", g->cfg.out_pad,
                g->cfg.out_pad);
    fprintf(out, "\n  output: %dx%d\n", g->out_h, g->out_w);
}

static void print_step_(FILE *out, const convt_job_ *j, const nn_convt_step *st) {
    const nn_convt_config *c = &j->g.cfg;
    char v[32], w[32], p[32], s[32], cell[48];
    fmt_float(st->value, v, sizeof v);
    const int y0 = st->row * c->stride - c->padding, x0 = st->col * c->stride - c->padding;
    if (c->in_c > 1) fprintf(out, "channel %d, ", st->channel + 1);
    fprintf(out, "input (%d,%d) = %s stamps onto rows %d..%d, cols %d..%d\n", st->row, st->col,
            v, y0,
            y0 + (c->k_h - 1) * c->dilation, x0, x0 + (c->k_w - 1) * c->dilation);
    int cropped = 0;
    for (int k = 0; k < st->count; k++) {
        if (st->cropped[k]) {
            cropped++;
            continue;
        }
        cell_name_(cell, sizeof cell, j, k / (c->k_h * c->k_w), st->out_row[k], st->out_col[k]);
        fmt_float(st->weights[k], w, sizeof w);
        fmt_float(st->products[k], p, sizeof p);
        fmt_float(st->after[k], s, sizeof s);
        fprintf(out, "  %s += %s*%s = %s, now %s\n", cell, v, w, p, s);
    }
    if (cropped)
        fprintf(out, "  %d of %d products fall outside the output (cropped by the padding)\n",
                cropped, st->count);
}

// "bias 1 + 1*2 + 3*4 = 15": how the engine sums one output cell.
static void print_cell_sum_(FILE *out, const convt_job_ *j, int f, const convt_term_ *t, int n,
                            float value) {
    char a[32], b[32];
    const float bias = j->bias ? j->bias[f] : 0.0f;
    fmt_float(bias, a, sizeof a);
    fprintf(out, "bias %s", a);
    for (int i = 0; i < n; i++) {
        fmt_float(t[i].value, a, sizeof a);
        fmt_float(t[i].weight, b, sizeof b);
        fprintf(out, " + %s*%s", a, b);
    }
    fmt_float(value, a, sizeof a);
    fprintf(out, " = %s\n", a);
}

static void print_text_(FILE *out, convt_job_ *j, nn_convt_cursor *cur, bool quiet) {
    const nn_convt_config *c = &j->g.cfg;
    fprintf(out,
            "Transposed convolution: input %dx%d (%d channel%s), %d output map%s, kernels of "
            "%dx%d",
            c->in_h, c->in_w, c->in_c, c->in_c == 1 ? "" : "s", c->filters,
            c->filters == 1 ? "" : "s", c->k_h, c->k_w);
    fprintf(out, ", stride %d, padding %d, output padding %d, dilation %d\n\n", c->stride,
            c->padding, c->out_pad, c->dilation);
    print_formula_(out, j);
    fputc('\n', out);
    if (!quiet) {
        fputs("Every output cell starts at its bias; each input cell adds its value times the\n"
              "kernel, in this order. Coordinates count from 0.\n\n", out);
        nn_convt_step st;
        while (!report_write_failed(out) && nn_convt_step_next(cur, &st)) {
            fprintf(out, "Step %d of %d: ", st.index + 1, cur->total);
            print_step_(out, j, &st);
        }
        fputc('\n', out);
    }
    report_maps_text(out, j->output, c->filters, j->g.out_h, j->g.out_w, "Output", "map");
    if (j->pytorch)
        fprintf(out, "\nWrote the PyTorch script %s (run it with python3).\n", j->pytorch);
}

// Lists every cell of --expect that differs, with the right value worked out.
static int print_expect_text_(FILE *out, convt_job_ *j, convt_term_ *terms, const int *wrong,
                              int n_wrong) {
    const int plane = j->g.out_h * j->g.out_w, total = j->filters * plane;
    fputc('\n', out);
    if (n_wrong == 0) {
        fprintf(out, "--expect: all %d cells match the arithmetic.\n", total);
        return 0;
    }
    fprintf(out, "--expect: %d of %d cells differ from the arithmetic:\n", n_wrong, total);
    for (int i = 0; i < n_wrong && !report_write_failed(out); i++) {
        const int f = wrong[i] / plane, r = wrong[i] % plane / j->g.out_w;
        const int c = wrong[i] % j->g.out_w;
        char e[32], v[32], cell[48];
        fmt_float(j->expect.values[wrong[i]], e, sizeof e);
        fmt_float(j->output[wrong[i]], v, sizeof v);
        cell_name_(cell, sizeof cell, j, f, r, c);
        fprintf(out, "  %s: expected %s, but it is %s:\n    ", cell, e, v);
        const int n = cell_terms_(j, f, r, c, terms);
        print_cell_sum_(out, j, f, terms, n, j->output[wrong[i]]);
    }
    return 1;
}

// ---- JSON --------------------------------------------------------------------------

static void step_json_(json_writer *w, const convt_job_ *j, const nn_convt_step *st) {
    const nn_convt_config *c = &j->g.cfg;
    json_begin_object(w);
    json_key(w, "index"), json_int(w, st->index);
    if (c->in_c > 1) json_key(w, "channel"), json_int(w, st->channel);
    json_key(w, "row"), json_int(w, st->row);
    json_key(w, "col"), json_int(w, st->col);
    json_key(w, "value"), json_float(w, st->value);
    json_key(w, "origin");  // where the stamp's top-left tap lands; negative when cropped
    json_begin_array(w);
    json_int(w, st->row * c->stride - c->padding);
    json_int(w, st->col * c->stride - c->padding);
    json_end_array(w);
    json_key(w, "contributions");
    json_begin_array(w);
    for (int k = 0; k < st->count; k++) {
        if (st->cropped[k]) continue;
        json_begin_object(w);
        if (c->filters > 1) json_key(w, "filter"), json_int(w, k / (c->k_h * c->k_w));
        json_key(w, "row"), json_int(w, st->out_row[k]);
        json_key(w, "col"), json_int(w, st->out_col[k]);
        json_key(w, "weight"), json_float(w, st->weights[k]);
        json_key(w, "product"), json_float(w, st->products[k]);
        json_key(w, "after"), json_float(w, st->after[k]);  // the cell once this is added
        json_end_object(w);
    }
    json_end_array(w);
    json_key(w, "cropped"), json_int(w, st->count - st->landed);
    json_end_object(w);
}

static void axis_json_(json_writer *w, const char *key, const nn_convt_axis *a) {
    char text[160];
    nn_convt_formula_text(a, text, sizeof text);
    json_key(w, key);
    json_begin_object(w);
    json_key(w, "n"), json_int(w, a->n);
    json_key(w, "k"), json_int(w, a->f);
    json_key(w, "stride"), json_int(w, a->stride);
    json_key(w, "padding"), json_int(w, a->pad);
    json_key(w, "output_padding"), json_int(w, a->out_pad);
    json_key(w, "dilation"), json_int(w, a->dilation);
    json_key(w, "full"), json_int(w, a->full);
    json_key(w, "out"), json_int(w, a->out);
    json_key(w, "text"), json_string(w, text);
    json_end_object(w);
}

static int print_json_(FILE *out, convt_job_ *j, nn_convt_cursor *cur, convt_term_ *terms,
                       const int *wrong, int n_wrong) {
    const nn_convt_geom *g = &j->g;
    json_writer w;
    json_init(&w, out);
    json_begin_object(&w);
    json_key(&w, "operation"), json_string(&w, "convt");
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
    json_key(&w, "padding"), json_int(&w, g->cfg.padding);
    json_key(&w, "output_padding"), json_int(&w, g->cfg.out_pad);
    json_key(&w, "dilation"), json_int(&w, g->cfg.dilation);
    json_key(&w, "formula");
    json_begin_object(&w);
    json_key(&w, "general"), json_string(&w, NN_CONVT_FORMULA);
    axis_json_(&w, "rows", &g->rows);
    axis_json_(&w, "cols", &g->cols);
    json_end_object(&w);
    json_key(&w, "output_size");
    json_begin_array(&w);
    json_int(&w, g->out_h), json_int(&w, g->out_w);
    json_end_array(&w);
    report_maps_json(&w, "output", j->output, g->cfg.filters, g->out_h, g->out_w);
    if (j->pytorch) json_key(&w, "pytorch_script"), json_string(&w, j->pytorch);
    json_key(&w, "steps");
    json_begin_array(&w);
    nn_convt_step st;
    while (!report_write_failed(out) && nn_convt_step_next(cur, &st)) step_json_(&w, j, &st);
    json_end_array(&w);
    if (j->has_expect) {
        const int plane = g->out_h * g->out_w;
        json_key(&w, "expect");
        json_begin_object(&w);
        json_key(&w, "cells"), json_int(&w, g->cfg.filters * plane);
        json_key(&w, "matches"), json_bool(&w, n_wrong == 0);
        json_key(&w, "mismatches");
        json_begin_array(&w);
        for (int i = 0; i < n_wrong && !report_write_failed(out); i++) {
            const int f = wrong[i] / plane, r = wrong[i] % plane / g->out_w;
            const int c = wrong[i] % g->out_w;
            const int n = cell_terms_(j, f, r, c, terms);
            json_begin_object(&w);
            json_key(&w, "filter"), json_int(&w, f);
            json_key(&w, "row"), json_int(&w, r);
            json_key(&w, "col"), json_int(&w, c);
            json_key(&w, "expected"), json_float(&w, j->expect.values[wrong[i]]);
            json_key(&w, "actual"), json_float(&w, j->output[wrong[i]]);
            json_key(&w, "bias"), json_float(&w, j->bias ? j->bias[f] : 0.0f);
            json_key(&w, "products");
            json_begin_array(&w);
            for (int t = 0; t < n; t++) json_float(&w, terms[t].product);
            json_end_array(&w);
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

int cmd_convt(int argc, char **argv, FILE *out, FILE *errf) {
    char err[512];
    parsed_args a;
    if (!args_parse(convt_args_, argc, argv, 0, &a, "convt", err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    if (args_has(&a, "help")) {
        fputs(convt_help_, out);
        return 0;
    }
    const char *pytorch = args_get(&a, "pytorch");
    if (!pytorch_script_check_option(pytorch, args_has(&a, "json"), err, sizeof err))
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    convt_job_ j;
    memset(&j, 0, sizeof j);
    if (!convt_setup_(&j, &a, err, sizeof err)) {
        convt_job_free_(&j);
        return cli_fail(errf, err, CLI_EXIT_USAGE);
    }
    if (pytorch) {  // written before anything is printed: a failure leaves stdout empty
        if (!pytorch_script_convt(pytorch, out, &j.g, j.input.values, j.weights, j.bias, j.output,
                                  err, sizeof err)) {
            convt_job_free_(&j);
            return cli_fail(errf, err, CLI_EXIT_USAGE);
        }
        if (strcmp(pytorch, "-") == 0) {  // the script instead of the steps
            convt_job_free_(&j);
            return report_write_failed(out) ? CLI_EXIT_RUNTIME : 0;
        }
        j.pytorch = pytorch;
    }
    nn_convt_cursor cur;
    nn_error e;
    if (nn_convt_cursor_init(&cur, &j.g, j.input.values, j.weights, j.bias, &e) != NN_OK) {
        convt_job_free_(&j);
        return cli_fail(errf, e.msg, CLI_EXIT_RUNTIME);
    }
    const int total = j.filters * j.g.out_h * j.g.out_w;
    int *wrong = NULL, n_wrong = 0;
    convt_term_ *terms = NULL;  // one output cell's products: at most one per input cell
    if (j.has_expect) {
        const size_t most = (size_t)j.g.cfg.in_c * j.g.cfg.k_h * j.g.cfg.k_w;
        wrong = malloc(sizeof(int) * (size_t)total);
        terms = malloc(sizeof *terms * most);
        if (!wrong || !terms) {
            free(wrong);
            free(terms);
            nn_convt_cursor_destroy(&cur);
            convt_job_free_(&j);
            return cli_fail(errf, "out of memory", CLI_EXIT_RUNTIME);
        }
        n_wrong = expect_compare(&j.expect, j.output, wrong);
    }
    int status = 0;
    if (args_has(&a, "json")) {
        status = print_json_(out, &j, &cur, terms, wrong, n_wrong);
    } else {
        print_text_(out, &j, &cur, args_has(&a, "quiet"));
        if (j.has_expect) status = print_expect_text_(out, &j, terms, wrong, n_wrong);
    }
    free(wrong);
    free(terms);
    nn_convt_cursor_destroy(&cur);
    convt_job_free_(&j);
    // The reader went away or the disk is full: the printers stopped at the
    // first failed write; main.c says so once.
    return report_write_failed(out) ? CLI_EXIT_RUNTIME : status;
}
