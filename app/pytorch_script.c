// pytorch_script.c - the Python scripts of `--pytorch FILE` (see the header):
// a prelude of helpers (printing numbers as convstep does, the comparison),
// the numbers as tensors, the one torch call with a comment on every
// argument, then the printed result and the check against convstep's values.
#include "pytorch_script.h"

#include <string.h>

#include "fileio.h"
#include "format.h"

// ---- The parts every script shares -------------------------------------------------

static const char prelude_[] =
    "import struct\n"
    "import sys\n"
    "\n"
    "import torch\n"
    "import torch.nn.functional as F\n"
    "\n"
    "\n"
    "# ---- Helpers: printing as convstep prints (the operation itself is further down) ----\n"
    "\n"
    "def float32(v):\n"
    "    \"\"\"v rounded to a 32-bit float, the precision convstep and torch compute in.\"\"\"\n"
    "    return struct.unpack(\"f\", struct.pack(\"f\", v))[0]\n"
    "\n"
    "\n"
    "def fmt(v):\n"
    "    \"\"\"The shortest decimal that reads back as the same float32: '0.1', '12', '-3.25e-07'.\"\"\"\n"
    "    if v != v:\n"
    "        return \"nan\"\n"
    "    if v in (float(\"inf\"), float(\"-inf\")):\n"
    "        return \"inf\" if v > 0 else \"-inf\"\n"
    "    if v == 0:\n"
    "        return \"0\"  # -0 too\n"
    "    plain = 1e-4 <= abs(v) < 1e9  # plain notation unless very large or very small\n"
    "    for digits in range(1, 10):  # the fewest significant digits that give v back\n"
    "        text = \"%.*g\" % (digits, v)\n"
    "        if plain and \"e\" in text:\n"
    "            continue\n"
    "        if float32(float(text)) == v:\n"
    "            return text\n"
    "    return repr(v)\n"
    "\n"
    "\n"
    "def print_maps(title, per, maps):\n"
    "    \"\"\"Prints maps (a list of rows x cols lists) as convstep does: one width for every column.\"\"\"\n"
    "    texts = [[[fmt(v) for v in row] for row in m] for m in maps]\n"
    "    width = max(len(t) for m in texts for row in m for t in row)\n"
    "    for i, m in enumerate(texts):\n"
    "        if len(texts) == 1:\n"
    "            print(\"%s %dx%d:\" % (title, len(m), len(m[0])))\n"
    "        else:\n"
    "            print(\"%s %d of %d (%s %d), %dx%d:\" % (title, i + 1, len(texts), per, i + 1, len(m), len(m[0])))\n"
    "        for row in m:\n"
    "            print(\" \" + \"\".join(\" \" + t.rjust(width) for t in row))\n"
    "\n"
    "\n"
    "def compare(result, expected, per):\n"
    "    \"\"\"Prints 'matches convstep' if torch's result agrees with convstep's values,\n"
    "    else every value that differs; returns the exit status (0 or 1).\"\"\"\n"
    "    expected = torch.tensor(expected, dtype=torch.float32)\n"
    "    if result.shape != expected.shape:\n"
    "        print(\"differs from convstep: torch made %s values, convstep %s\"\n"
    "              % (\"x\".join(map(str, result.shape)), \"x\".join(map(str, expected.shape))))\n"
    "        return 1\n"
    "    # Sums added in another order can differ in the last bits of a float32:\n"
    "    # allow 1e-5 of the largest value (and at least 1e-5).\n"
    "    tolerance = 1e-5 * max(1.0, expected.abs().max().item())\n"
    "    wrong = 0\n"
    "    for m in range(expected.shape[0]):\n"
    "        for r in range(expected.shape[1]):\n"
    "            for c in range(expected.shape[2]):\n"
    "                ours, theirs = result[m, r, c].item(), expected[m, r, c].item()\n"
    "                if not abs(ours - theirs) <= tolerance:\n"
    "                    wrong += 1\n"
    "                    print(\"%s %d (%d,%d): torch %s, convstep %s\" % (per, m + 1, r, c, fmt(ours), fmt(theirs)))\n"
    "    if wrong:\n"
    "        print(\"differs from convstep in %d of %d values\" % (wrong, expected.numel()))\n"
    "        return 1\n"
    "    print(\"matches convstep: all %d values agree within %g\" % (expected.numel(), tolerance))\n"
    "    return 0\n"
    "\n"
    "\n";

// The backward pass's printers (only in a --grad-output script).
static const char prelude_grad_[] =
    "def print_kernels(title, note, kernels):\n"
    "    \"\"\"Prints kernels [filters][channels][rows][cols] as convstep prints its kernel gradient.\"\"\"\n"
    "    filters, channels = len(kernels), len(kernels[0])\n"
    "    for f in range(filters):\n"
    "        for c in range(channels):\n"
    "            plane = [[fmt(v) for v in row] for row in kernels[f][c]]\n"
    "            width = max(len(t) for row in plane for t in row)\n"
    "            label = note\n"
    "            if filters > 1:\n"
    "                label += \", filter %d\" % (f + 1)\n"
    "            if channels > 1:\n"
    "                label += \", channel %d\" % (c + 1)\n"
    "            print(\"%s (%s), %dx%d:\" % (title, label, len(plane), len(plane[0])))\n"
    "            for row in plane:\n"
    "                print(\" \" + \"\".join(\" \" + t.rjust(width) for t in row))\n"
    "\n"
    "\n";

static void header_(FILE *f, const char *what, const char *command, const char *call,
                    bool grad) {
    fprintf(f,
            "#!/usr/bin/env python3\n"
            "# %s in PyTorch, written by `convstep %s --pytorch`.\n"
            "#\n"
            "# It does what convstep worked out step by step, on the same numbers, with\n"
            "# %s, prints the result as convstep prints it,\n"
            "# and checks it against the values convstep computed (copied in at the end):\n"
            "# \"matches convstep\", or the values that differ and exit status 1.\n"
            "#\n"
            "# Run it with:  python3 <this file>\n"
            "# (it needs PyTorch: `pip install torch`, or Debian's python3-torch)\n"
            "\n",
            what, command, call);
    fputs(prelude_, f);
    if (grad) fputs(prelude_grad_, f);
}

static size_t count_(const int *shape, int nd) {
    size_t n = 1;
    for (int i = 0; i < nd; i++) n *= (size_t)shape[i];
    return n;
}

// The widest number of v, so the columns of a written matrix line up.
static int width_(const float *v, size_t n) {
    int width = 1;
    char buf[32];
    for (size_t i = 0; i < n; i++) {
        fmt_float(v[i], buf, sizeof buf);
        const int len = (int)strlen(buf);
        if (len > width) width = len;
    }
    return width;
}

static void row_(FILE *f, const float *v, int n, int width) {
    char buf[32];
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        fmt_float(v[i], buf, sizeof buf);
        fprintf(f, "%s%*s", i ? ", " : "", width, buf);
    }
    fputc(']', f);
}

// The elements along the first axis of shape, each a block "[  # label i"
// ... "]," or, for the last two axes, a row of numbers per line.
static void nested_(FILE *f, const float *v, const int *shape, int nd, const char *const *labels,
                    int indent, int width) {
    const size_t per = count_(shape + 1, nd - 1);
    for (int i = 0; i < shape[0]; i++) {
        fprintf(f, "%*s", indent, "");
        if (nd == 2) {
            row_(f, v + (size_t)i * per, shape[1], width);
            fputs(",\n", f);
            continue;
        }
        fputc('[', f);
        if (labels[0]) fprintf(f, "  # %s %d", labels[0], i + 1);
        fputc('\n', f);
        nested_(f, v + (size_t)i * per, shape + 1, nd - 1, labels + 1, indent + 4, width);
        fprintf(f, "%*s],\n", indent, "");
    }
}

// "name = torch.tensor([...], dtype=torch.float32)" or, with as_tensor false,
// a plain nested list "name = [...]".
static void values_(FILE *f, const char *name, const float *v, const int *shape, int nd,
                    const char *const *labels, bool as_tensor) {
    const int width = width_(v, count_(shape, nd));
    fprintf(f, "%s = %s", name, as_tensor ? "torch.tensor(" : "");
    if (nd == 1) {
        row_(f, v, shape[0], 1);
    } else {
        fputs("[\n", f);
        nested_(f, v, shape, nd, labels, 4, width);
        fputc(']', f);
    }
    fputs(as_tensor ? ", dtype=torch.float32)\n" : "\n", f);
}

static const char *plural_(int n, const char *one, const char *more) { return n == 1 ? one : more; }

// The input tensor and its batch axis.
static void input_(FILE *f, const float *input, int c, int h, int w) {
    const int shape[3] = {c, h, w};
    static const char *const labels[] = {"channel", NULL};
    fprintf(f,
            "# ---- The numbers, as convstep was given them ----\n"
            "\n"
            "# The input: %d channel%s of %dx%d values, shape (channels, rows, cols) = (%d, %d, %d).\n",
            c, plural_(c, "", "s"), h, w, c, h, w);
    values_(f, "x", input, shape, 3, labels, true);
    fprintf(f,
            "# PyTorch works on a batch of images: add a batch axis of one image, (1, %d, %d, %d).\n"
            "x = x.unsqueeze(0)\n"
            "\n",
            c, h, w);
}

static void bias_(FILE *f, const float *bias, int filters, const char *per) {
    if (bias) {
        fprintf(f, "# One bias per %s, added to every value of its map.\n", per);
        values_(f, "bias", bias, &filters, 1, NULL, true);
    } else {
        fputs("# No --bias was given: nothing is added (convstep's bias 0).\n", f);
        fputs("bias = None\n", f);
    }
    fputc('\n', f);
}

// The printed result and the comparison, the end of every script.
static void finish_(FILE *f, const float *output, int c, int h, int w, const char *title,
                    const char *per, bool more) {
    const int shape[3] = {c, h, w};
    const char *const labels[] = {per, NULL};
    fprintf(f,
            "# ---- The result ----\n"
            "\n"
            "# Drop the batch axis: (%ss, rows, cols).\n"
            "result = y[0]\n"
            "# Print it as convstep prints it.\n"
            "print_maps(\"%s\", \"%s\", result.tolist())\n"
            "print()\n"
            "\n"
            "# What convstep computed for the same numbers, copied in when it wrote this script.\n",
            per, title, per);
    values_(f, "convstep_output", output, shape, 3, labels, false);
    if (more)  // a backward pass follows
        fprintf(f,
                "# Compare: prints \"matches convstep\", or every value that differs (status 1).\n"
                "status = compare(result, convstep_output, \"%s\")\n"
                "print()\n"
                "\n",
                per);
    else
        fprintf(f,
                "# Compare: prints \"matches convstep\", or every value that differs and exits 1.\n"
                "sys.exit(compare(result, convstep_output, \"%s\"))\n",
                per);
}

// Saves what write(f, ctx) writes at path, atomically, or to out for "-".
typedef void (*script_writer_)(FILE *f, const void *ctx);

static bool save_(const char *path, FILE *out, script_writer_ write, const void *ctx, char *err,
                  size_t errsize) {
    if (strcmp(path, "-") == 0) {
        write(out, ctx);
        return true;  // a failed write to stdout is caught by the caller's check
    }
    app_atomic_file af;
    if (!app_atomic_open(&af, path, "PyTorch script ", err, errsize)) return false;
    write(af.f, ctx);
    return app_atomic_commit(&af, "PyTorch script ", err, errsize);
}

bool pytorch_script_check_option(const char *path, bool json, char *err, size_t errsize) {
    if (path && strcmp(path, "-") == 0 && json) {
        snprintf(err, errsize,
                 "--pytorch - prints the script on standard output, where --json prints its "
                 "object: give the script a file name, e.g. --pytorch conv.py");
        return false;
    }
    if (path && path[0] == '\0') {
        snprintf(err, errsize, "--pytorch needs a file name (or '-' for standard output)");
        return false;
    }
    return true;
}

// ---- Convolution --------------------------------------------------------------------

typedef struct conv_ctx_ {
    const nn_conv2d_geom *g;
    const float *input, *weights, *bias, *output;
    pytorch_conv_extra extra;
} conv_ctx_;

static void conv_padding_(FILE *f, const nn_conv2d_geom *g) {
    const nn_axis *r = &g->rows, *c = &g->cols;
    const nn_conv2d_config *cfg = &g->cfg;
    const bool none = r->pad_lo + r->pad_hi + c->pad_lo + c->pad_hi == 0;
    const bool even = r->pad_lo == r->pad_hi && c->pad_lo == c->pad_hi && r->pad_lo == c->pad_lo;
    if (cfg->padding.mode == NN_PAD_SAME)
        fprintf(f,
                "# Padding 'same': enough zeros that the output has ceil(n/stride) cells per\n"
                "# axis, ceil(%d/%d) = %d rows and ceil(%d/%d) = %d cols.\n",
                cfg->in_h, cfg->stride, r->out, cfg->in_w, cfg->stride, c->out);
    if (none) {
        fputs("# No padding ('valid'): the window stays inside the input.\n", f);
    } else if (even) {
        fprintf(f, "# %d row%s and column%s of zeros on every side; conv2d adds them itself\n"
                   "# (padding=%d below).\n",
                r->pad_lo, plural_(r->pad_lo, "", "s"), plural_(r->pad_lo, "", "s"), r->pad_lo);
    } else {
        fprintf(f,
                "# The zeros go top %d, bottom %d, left %d, right %d: an odd total puts the\n"
                "# extra row/column at the bottom/right, as TensorFlow and convstep do. conv2d's\n"
                "# padding= pads both sides alike, so pad explicitly with F.pad, which takes\n"
                "# (left, right, top, bottom) for the last two axes.\n"
                "x = F.pad(x, (%d, %d, %d, %d))\n",
                r->pad_lo, r->pad_hi, c->pad_lo, c->pad_hi, c->pad_lo, c->pad_hi, r->pad_lo,
                r->pad_hi);
    }
    fputc('\n', f);
}

// The backward pass of a --grad-output script: autograd from dL/dY, the
// gradients printed as convstep prints them and compared with its values.
static void conv_backward_(FILE *f, const conv_ctx_ *x) {
    const nn_conv2d_geom *g = x->g;
    const nn_conv2d_config *c = &g->cfg;
    const int yshape[3] = {c->filters, g->out_h, g->out_w};
    const int xshape[3] = {c->in_c, c->in_h, c->in_w};
    const int kshape[3] = {c->filters * c->in_c, c->k_h, c->k_w};
    const int bshape[3] = {c->filters, 1, 1};
    static const char *const ylabels[] = {"filter", NULL}, *const xlabels[] = {"channel", NULL};
    static const char *const klabels[] = {"kernel (filter, channel)", NULL}, *const none[] = {NULL};
    const char *given = x->extra.flip ? ", of the kernel as given" : "";
    fputs("# ---- The backward pass ----\n"
          "\n"
          "# dL/dY, the loss's gradient at the output, as given to --grad-output, with a\n"
          "# batch axis: (1, filters, rows, cols).\n",
          f);
    values_(f, "grad_output", x->extra.grad_output, yshape, 3, ylabels, true);
    fputs("# Backpropagation: torch works out dL/dX, dL/dW and dL/db from dL/dY (the\n"
          "# chain rule through the convolution) into x_input.grad, weight.grad, bias.grad.\n"
          "y.backward(grad_output.unsqueeze(0))\n",
          f);
    if (x->extra.flip)
        fputs("# The convolution used the rotated kernel; autograd carries the gradient back\n"
              "# through torch.flip, so weight.grad is for the kernel as given: the rotated\n"
              "# kernel's gradient rotated back, as convstep reports it.\n",
              f);
    fprintf(f,
            "\n"
            "# Print them as convstep prints them.\n"
            "print_maps(\"Input gradient dL/dX (grad_input)\", \"channel\", x_input.grad[0].tolist())\n"
            "print_kernels(\"Kernel gradient dL/dW\", \"grad_kernel%s\", weight.grad.tolist())\n"
            "print(\"Bias gradient dL/db (grad_bias): \" + \", \".join(fmt(v) for v in bias.grad.tolist()))\n"
            "print()\n"
            "\n"
            "# What convstep computed (grad_input, grad_kernel one plane per filter and\n"
            "# channel, grad_bias), copied in when it wrote this script.\n",
            given);
    values_(f, "convstep_grad_input", x->extra.grad_input, xshape, 3, xlabels, false);
    values_(f, "convstep_grad_kernel", x->extra.grad_kernel, kshape, 3, klabels, false);
    values_(f, "convstep_grad_bias", x->extra.grad_bias, bshape, 3, none, false);
    fprintf(f,
            "\n"
            "# Compare each with torch's: \"matches convstep\" four times, or the values that\n"
            "# differ and exit status 1.\n"
            "status |= compare(x_input.grad[0], convstep_grad_input, \"channel\")\n"
            "status |= compare(weight.grad.reshape(%d, %d, %d), convstep_grad_kernel, \"kernel\")\n"
            "sys.exit(compare(bias.grad.reshape(%d, 1, 1), convstep_grad_bias, \"bias\") | status)\n",
            c->filters * c->in_c, c->k_h, c->k_w, c->filters);
}

static void conv_write_(FILE *f, const void *p) {
    const conv_ctx_ *x = p;
    const nn_conv2d_geom *g = x->g;
    const nn_conv2d_config *c = &g->cfg;
    const bool grad = x->extra.grad_output != NULL, flip = x->extra.flip;
    header_(f, flip ? "A true convolution (the kernel flipped)" : "A convolution", "conv",
            "torch.nn.functional.conv2d", grad);
    input_(f, x->input, c->in_c, c->in_h, c->in_w);
    if (grad)
        fputs("# For the backward pass: autograd records what is done to x and will give\n"
              "# dL/dX in x_input.grad (x itself may be replaced by a padded copy below).\n"
              "x.requires_grad_(True)\n"
              "x_input = x\n"
              "\n",
              f);

    const int wshape[4] = {c->filters, c->in_c, c->k_h, c->k_w};
    static const char *const wlabels[] = {"filter", "channel", NULL};
    fprintf(f,
            "# The filters: %d of %d channel%s x %dx%d weights, shape (filters, channels, rows,\n"
            "# cols) = (%d, %d, %d, %d), the layout of nn.Conv2d's weight.\n",
            c->filters, c->in_c, plural_(c->in_c, "", "s"), c->k_h, c->k_w, c->filters, c->in_c,
            c->k_h, c->k_w);
    values_(f, "weight", x->weights, wshape, 4, wlabels, true);
    if (grad) fputs("weight.requires_grad_(True)  # autograd: dL/dW will be in weight.grad\n", f);
    fputc('\n', f);
    if (grad && !x->bias) {
        // convstep reports dL/db even without --bias (the bias is then 0).
        fprintf(f, "# No --bias was given: a bias of zeros (convstep's bias 0), so that torch\n"
                   "# computes its gradient too.\n"
                   "bias = torch.zeros(%d)\n",
                c->filters);
    } else {
        bias_(f, x->bias, c->filters, "filter");
    }
    if (grad) fputs("bias.requires_grad_(True)\n\n", f);

    fputs("# ---- The convolution ----\n\n", f);
    if (flip)
        fputs("# --flip: a true (mathematical) convolution. F.conv2d, like every deep-learning\n"
              "# library, computes cross-correlation: it slides the kernel as it is. The\n"
              "# mathematical convolution slides the kernel rotated 180 degrees, so rotate it\n"
              "# first: reverse its rows (dim 2) and its columns (dim 3).\n"
              "kernel = torch.flip(weight, dims=[2, 3])\n"
              "\n",
              f);
    conv_padding_(f, g);
    const bool even = g->rows.pad_lo == g->rows.pad_hi && g->cols.pad_lo == g->cols.pad_hi &&
                      g->rows.pad_lo == g->cols.pad_lo;
    const int pad = even ? g->rows.pad_lo : 0;
    char rows[160], cols[160];
    fmt_formula_numbers(&g->rows, rows, sizeof rows);
    fmt_formula_numbers(&g->cols, cols, sizeof cols);
    fprintf(f,
            "# Each filter slides over the input, %d cell%s at a time (stride), its taps %d cell%s\n"
            "# apart (dilation); each output value is the sum of input x weight under the\n"
            "# window, over all channels, plus the filter's bias. %s\n"
            "# Output size per axis: floor((n + zeros added - dilation*(k - 1) - 1)/stride) + 1\n"
            "#   rows: %s\n"
            "#   cols: %s\n"
            "y = F.conv2d(x, %s, bias, stride=%d, padding=%d, dilation=%d)\n"
            "# In a model the same layer is nn.Conv2d(%d, %d, kernel_size=(%d, %d), stride=%d,\n"
            "# padding=%d, dilation=%d) with its .weight and .bias set to the tensors above.\n"
            "\n",
            c->stride, plural_(c->stride, "", "s"), c->dilation, plural_(c->dilation, "", "s"),
            flip ? "conv2d itself does not\n# flip: given the rotated kernel, it computes the true convolution with weight."
                 : "Like every deep-learning\n# library, this is cross-correlation: the kernel is not flipped.",
            rows, cols, flip ? "kernel" : "weight", c->stride, pad, c->dilation, c->in_c,
            c->filters, c->k_h, c->k_w, c->stride, pad, c->dilation);
    finish_(f, x->output, c->filters, g->out_h, g->out_w, "Feature map", "filter", grad);
    if (grad) conv_backward_(f, x);
}

bool pytorch_script_conv(const char *path, FILE *out, const nn_conv2d_geom *g, const float *input,
                         const float *weights, const float *bias, const float *output,
                         const pytorch_conv_extra *extra, char *err, size_t errsize) {
    conv_ctx_ ctx = {g, input, weights, bias, output, {0}};
    if (extra) ctx.extra = *extra;
    return save_(path, out, conv_write_, &ctx, err, errsize);
}

// ---- Pooling -----------------------------------------------------------------------

typedef struct pool_ctx_ {
    const nn_pool_geom *g;
    const float *input, *output;
} pool_ctx_;

static void pool_write_(FILE *f, const void *p) {
    const pool_ctx_ *x = p;
    const nn_pool_geom *g = x->g;
    const nn_pool_config *c = &g->cfg;
    const bool is_max = c->mode == NN_POOL_MAX;
    header_(f, is_max ? "Max pooling" : "Average pooling", "pool",
            is_max ? "torch.nn.functional.max_pool2d" : "torch.nn.functional.avg_pool2d", false);
    input_(f, x->input, c->c, c->in_h, c->in_w);

    char rows[160], cols[160];
    fmt_formula_numbers(&g->rows, rows, sizeof rows);
    fmt_formula_numbers(&g->cols, cols, sizeof cols);
    fprintf(f,
            "# ---- The pooling ----\n"
            "\n"
            "# A %dx%d window moves %d cell%s at a time (stride) over each channel on its own,\n",
            c->size_h, c->size_w, c->stride, plural_(c->stride, "", "s"));
    if (c->pad == 0)
        fputs("# with no padding.\n", f);
    else
        fprintf(f, "# with %d cell%s of padding on every side.\n", c->pad, plural_(c->pad, "", "s"));
    if (is_max)
        fputs("# Each output value is the largest value under the window. max_pool2d pads with\n"
              "# -infinity, so a padding cell never wins: convstep ignores them too.\n",
              f);
    else
        fprintf(f,
                "# Each output value is the mean of the window. count_include_pad=True (PyTorch's\n"
                "# default, written out): a padding cell counts as a zero and every window is\n"
                "# divided by %d*%d = %d, as convstep does (Keras divides by the real cells only).\n",
                c->size_h, c->size_w, c->size_h * c->size_w);
    fprintf(f,
            "# ceil_mode=False: the floor in the output size, as convstep.\n"
            "# Output size per axis: floor((n + 2*padding - size)/stride) + 1\n"
            "#   rows: %s\n"
            "#   cols: %s\n",
            rows, cols);
    if (is_max)
        fprintf(f,
                "y = F.max_pool2d(x, kernel_size=%d, stride=%d, padding=%d, ceil_mode=False)\n"
                "# In a model the same layer is nn.MaxPool2d(kernel_size=%d, stride=%d, padding=%d).\n",
                c->size_h, c->stride, c->pad, c->size_h, c->stride, c->pad);
    else
        fprintf(f,
                "y = F.avg_pool2d(x, kernel_size=%d, stride=%d, padding=%d, ceil_mode=False,\n"
                "                 count_include_pad=True)\n"
                "# In a model the same layer is nn.AvgPool2d(kernel_size=%d, stride=%d, padding=%d).\n",
                c->size_h, c->stride, c->pad, c->size_h, c->stride, c->pad);
    fputc('\n', f);
    finish_(f, x->output, c->c, g->out_h, g->out_w, "Pooled map", "channel", false);
}

bool pytorch_script_pool(const char *path, FILE *out, const nn_pool_geom *g, const float *input,
                         const float *output, char *err, size_t errsize) {
    const pool_ctx_ ctx = {g, input, output};
    return save_(path, out, pool_write_, &ctx, err, errsize);
}

// ---- Transposed convolution --------------------------------------------------------------

typedef struct convt_ctx_ {
    const nn_convt_geom *g;
    const float *input, *weights, *bias, *output;
} convt_ctx_;

static void convt_write_(FILE *f, const void *p) {
    const convt_ctx_ *x = p;
    const nn_convt_geom *g = x->g;
    const nn_convt_config *c = &g->cfg;
    header_(f, "A transposed convolution", "convt", "torch.nn.functional.conv_transpose2d", false);
    input_(f, x->input, c->in_c, c->in_h, c->in_w);

    const int wshape[4] = {c->in_c, c->filters, c->k_h, c->k_w};
    static const char *const wlabels[] = {"input channel", "output map", NULL};
    fprintf(f,
            "# The kernels, in PyTorch's layout for a transposed convolution (nn.ConvTranspose2d's\n"
            "# weight): shape (input channels, output maps, rows, cols) = (%d, %d, %d, %d);\n"
            "# weight[c][m] is the kernel that input channel c stamps onto output map m.\n",
            c->in_c, c->filters, c->k_h, c->k_w);
    values_(f, "weight", x->weights, wshape, 4, wlabels, true);
    fputc('\n', f);
    bias_(f, x->bias, c->filters, "output map");

    char rows[160], cols[160];
    nn_convt_formula_text(&g->rows, rows, sizeof rows);
    nn_convt_formula_text(&g->cols, cols, sizeof cols);
    fprintf(f,
            "# ---- The transposed convolution ----\n"
            "\n"
            "# Every input cell stamps its value times the kernel onto the output, the stamps of\n"
            "# neighbouring cells %d cell%s apart (stride), the kernel's taps %d cell%s apart\n"
            "# (dilation); where stamps overlap they add up, and every output value starts at\n"
            "# its map's bias. padding=%d crops %d cell%s from every side of the stamped result;\n"
            "# output_padding=%d adds %d at the bottom and right.\n"
            "# Output size per axis: " NN_CONVT_FORMULA "\n"
            "#   rows: %s\n"
            "#   cols: %s\n"
            "y = F.conv_transpose2d(x, weight, bias, stride=%d, padding=%d, output_padding=%d,\n"
            "                       dilation=%d)\n"
            "# In a model the same layer is nn.ConvTranspose2d(%d, %d, kernel_size=(%d, %d),\n"
            "# stride=%d, padding=%d, output_padding=%d, dilation=%d) with its .weight and .bias\n"
            "# set to the tensors above.\n"
            "\n",
            c->stride, plural_(c->stride, "", "s"), c->dilation, plural_(c->dilation, "", "s"),
            c->padding, c->padding, plural_(c->padding, "", "s"), c->out_pad, c->out_pad, rows,
            cols, c->stride, c->padding, c->out_pad, c->dilation, c->in_c, c->filters, c->k_h,
            c->k_w, c->stride, c->padding, c->out_pad, c->dilation);
    finish_(f, x->output, c->filters, g->out_h, g->out_w, "Output", "map", false);
}

bool pytorch_script_convt(const char *path, FILE *out, const nn_convt_geom *g, const float *input,
                          const float *weights, const float *bias, const float *output, char *err,
                          size_t errsize) {
    const convt_ctx_ ctx = {g, input, weights, bias, output};
    return save_(path, out, convt_write_, &ctx, err, errsize);
}
