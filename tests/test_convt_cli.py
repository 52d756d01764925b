#!/usr/bin/env python3
"""`convstep convt` (transposed convolution), run as a user would run it.

    python3 tests/test_convt_cli.py /path/to/convstep

Prints TAP (one case per check below) and exits non-zero if any failed.

Every expected number is worked out here, never read from the program: the
small cases by hand (in the comments), the random ones by scatter_ref below,
which stamps each input cell's value times its kernel onto a canvas that
holds every stamp whole, then cuts the padding off (plain loops, floats in
double precision); where torch imports, torch.nn.functional.conv_transpose2d
too (the case says SKIP otherwise). Kernels are written in PyTorch's layout:
one --kernel per input channel, its maps for the output channels separated
by '|', so kernels[c][f] is ConvTranspose2d.weight[c][f].
"""

import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import Fail, Skip, expect, run_program  # noqa: E402

CONVSTEP = None
WORKDIR = None
TIMEOUT = 30

FORMULA = "(n - 1)s - 2p + d(k - 1) + a + 1"


# ---- Running the program ------------------------------------------------------------

def run(*args):
    return run_program([CONVSTEP, *args], WORKDIR, TIMEOUT)


def run_json(*args, code=0):
    status, out, err = run(*args, "--json")
    expect(status == code, "exit status %d, expected %d (stderr %r)" % (status, code, err))
    try:
        doc = json.loads(out)
    except ValueError as e:
        raise Fail("stdout is not JSON: %s" % e)
    expect(isinstance(doc, dict), "the JSON is not an object")
    return doc


def expect_error(args, *words, code=1):
    """A usage error: the exit status, nothing on stdout, one error line naming every word."""
    status, out, err = run(*args)
    expect(status == code, "exit status %d, expected %d" % (status, code))
    expect(out == "", "stdout should be empty on an error, got %r" % out)
    expect(err.startswith("convstep: error: "), "stderr does not start with 'convstep: error: ': %r" % err)
    for w in words:
        expect(w in err, "stderr %r does not mention %r" % (err, w))
    return err


def close(a, b, scale=1.0):
    """a equals b up to float32 rounding of sums of size `scale`."""
    return (isinstance(a, (int, float)) and not isinstance(a, bool) and
            abs(a - b) <= 1e-5 * max(scale, 1e-30) + 1e-7)


def expect_maps(actual, expected, what="output", scales=None):
    """actual (one map [[...]] or several [[[...]]]) against expected maps [F][H][W]."""
    maps = expected[0] if len(expected) == 1 else expected
    expect(isinstance(actual, list) and len(actual) == len(maps),
           "%s has %s rows/maps, expected %d" % (what, len(actual) if isinstance(actual, list) else "?", len(maps)))
    flat_a = flatten(actual)
    flat_e = flatten(maps)
    flat_s = flatten(scales if scales is not None else [[[1.0] * len(r) for r in m] for m in expected])
    expect(len(flat_a) == len(flat_e), "%s has %d values, expected %d" % (what, len(flat_a), len(flat_e)))
    for i, (a, e, s) in enumerate(zip(flat_a, flat_e, flat_s)):
        expect(close(a, e, s), "%s value %d is %r, expected %r" % (what, i, a, e))


def flatten(v):
    return [x for item in v for x in flatten(item)] if isinstance(v, list) else [v]


# ---- Matrices as text ---------------------------------------------------------------

def num(v):
    return str(int(v)) if float(v).is_integer() else repr(v)


def mtext(m):
    return "; ".join(" ".join(num(v) for v in row) for row in m)


def ctext(maps):
    """Several maps, '|' between them."""
    return " | ".join(mtext(m) for m in maps)


def kernel_args(kernels):
    """kernels [C][F][K][K] (PyTorch's layout) as one --kernel per input channel."""
    args = []
    for per_channel in kernels:
        args += ["--kernel", ctext(per_channel)]
    return args


# ---- The reference: the scatter ---------------------------------------------------------

def scatter_ref(image, kernels, bias=None, stride=1, padding=0, out_pad=0, dilation=1):
    """image [C][H][W], kernels [C][F][KH][KW]. Returns (maps [F][OH][OW],
    scales [F][OH][OW] = |bias| + sum |products|, steps): steps are one per
    input cell in row-major order, channel by channel, each a list of
    (filter, row, col, product) that land inside the output."""
    C, H, W = len(image), len(image[0]), len(image[0][0])
    F, KH, KW = len(kernels[0]), len(kernels[0][0]), len(kernels[0][0][0])
    # The canvas holds every stamp whole, and the output padding's cells.
    reach_h = max(iy * stride + ky * dilation + 1 for iy in range(H) for ky in range(KH))
    reach_w = max(ix * stride + kx * dilation + 1 for ix in range(W) for kx in range(KW))
    rows, cols = reach_h + out_pad, reach_w + out_pad
    canvas = [[[0.0] * cols for _ in range(rows)] for _ in range(F)]
    mag = [[[0.0] * cols for _ in range(rows)] for _ in range(F)]
    oh, ow = reach_h - 2 * padding + out_pad, reach_w - 2 * padding + out_pad
    steps = []
    for c in range(C):
        for iy in range(H):
            for ix in range(W):
                v = image[c][iy][ix]
                landed = []
                for f in range(F):
                    for ky in range(KH):
                        for kx in range(KW):
                            y, x = iy * stride + ky * dilation, ix * stride + kx * dilation
                            p = v * kernels[c][f][ky][kx]
                            canvas[f][y][x] += p
                            mag[f][y][x] += abs(p)
                            if padding <= y < padding + oh and padding <= x < padding + ow:
                                landed.append((f, y - padding, x - padding, p))
                steps.append(landed)
    maps, scales = [], []
    for f in range(F):
        b = bias[f] if bias else 0.0
        maps.append([[b + canvas[f][y + padding][x + padding] for x in range(ow)] for y in range(oh)])
        scales.append([[abs(b) + mag[f][y + padding][x + padding] for x in range(ow)] for y in range(oh)])
    return maps, scales, steps


def expect_steps(doc, ref_steps, channels, filters):
    steps = doc["steps"]
    expect(len(steps) == len(ref_steps), "%d steps, expected %d (one per input cell)" % (len(steps), len(ref_steps)))
    H, W = doc["input_shape"][1], doc["input_shape"][2]
    for i, (st, ref) in enumerate(zip(steps, ref_steps)):
        where = "step %d" % i
        c, r = divmod(i, H * W)
        expect((st["row"], st["col"]) == (r // W, r % W), "%s: input cell (%s,%s), expected (%d,%d)"
               % (where, st["row"], st["col"], r // W, r % W))
        expect(("channel" in st) == (channels > 1), "%s: a 'channel' field only with several channels" % where)
        if channels > 1:
            expect(st["channel"] == c, "%s: channel %s, expected %d" % (where, st["channel"], c))
        got = st["contributions"]
        expect(len(got) == len(ref), "%s: %d contributions, expected %d" % (where, len(got), len(ref)))
        for g, (f, y, x, p) in zip(got, ref):
            expect(("filter" in g) == (filters > 1), "%s: a 'filter' field only with several filters" % where)
            expect((g.get("filter", 0), g["row"], g["col"]) == (f, y, x),
                   "%s: contribution to %s, expected %s" % (where, (g.get("filter", 0), g["row"], g["col"]), (f, y, x)))
            expect(close(g["product"], p, abs(p)), "%s: product %r, expected %r" % (where, g["product"], p))


def expect_sums(doc, bias, filters):
    """The steps' products, added to the bias cell by cell, give the output."""
    oh, ow = doc["output_size"]
    acc = [[[bias[f] if bias else 0.0 for _ in range(ow)] for _ in range(oh)] for f in range(filters)]
    for st in doc["steps"]:
        for g in st["contributions"]:
            acc[g.get("filter", 0)][g["row"]][g["col"]] += g["product"]
    expect_maps(doc["output"], acc, "the steps' sums")


# ---- The cases -------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


# Input [1 2; 3 4], kernel [1 2; 3 4], stride 2: each input cell stamps its own
# 2x2 block, value times the kernel; (2-1)*2 - 0 + 1*(2-1) + 0 + 1 = 4 per axis.
HAND_IN = [[1, 2], [3, 4]]
HAND_K = [[1, 2], [3, 4]]
HAND_OUT = [[1, 2, 2, 4],
            [3, 4, 6, 8],
            [3, 6, 4, 8],
            [9, 12, 12, 16]]


@check
def hand_stride2_json():
    """convt --json: 2x2 input, 2x2 kernel, stride 2 -> the 4x4 of four blocks worked by hand"""
    doc = run_json("convt", "--input", mtext(HAND_IN), "--kernel", mtext(HAND_K), "--stride", "2")
    expect(doc["operation"] == "convt", "operation %r" % doc.get("operation"))
    expect(doc["output_size"] == [4, 4], "output_size %s" % doc["output_size"])
    expect_maps(doc["output"], [HAND_OUT])
    expect(doc["formula"]["general"] == FORMULA, "formula %r" % doc["formula"]["general"])
    expect(doc["formula"]["rows"]["text"] == "(2 - 1)*2 - 2*0 + 1*(2 - 1) + 0 + 1 = 4",
           "rows formula %r" % doc["formula"]["rows"]["text"])
    expect(doc["formula"]["rows"]["out"] == 4, "rows out %r" % doc["formula"]["rows"]["out"])
    expect(len(doc["steps"]) == 4, "%d steps, expected 4" % len(doc["steps"]))
    # Input (0,1) = 2 stamps 2*[1 2; 3 4] at rows 0..1, cols 2..3.
    st = doc["steps"][1]
    expect((st["row"], st["col"], st["value"]) == (0, 1, 2), "step 2 is %r" % st)
    got = [(c["row"], c["col"], c["product"]) for c in st["contributions"]]
    expect(got == [(0, 2, 2), (0, 3, 4), (1, 2, 6), (1, 3, 8)], "step 2 contributions %r" % got)


@check
def hand_stride2_text():
    """convt text: the formula with its numbers and the output matrix"""
    status, out, err = run("convt", "--input", mtext(HAND_IN), "--kernel", mtext(HAND_K), "--stride", "2")
    expect(status == 0, "exit status %d: %s" % (status, err))
    for line in ["Output size: " + FORMULA,
                 "  rows: (2 - 1)*2 - 2*0 + 1*(2 - 1) + 0 + 1 = 4",
                 "  cols: (2 - 1)*2 - 2*0 + 1*(2 - 1) + 0 + 1 = 4",
                 "  output: 4x4",
                 "Output 4x4:",
                 "   1  2  2  4",
                 "   3  4  6  8",
                 "   3  6  4  8",
                 "   9 12 12 16",
                 "Step 4 of 4: input (1,1) = 4 stamps onto rows 2..3, cols 2..3",
                 "  (3,3) += 4*4 = 16, now 16"]:
        expect(line + "\n" in out, "stdout lacks the line %r" % line)


@check
def hand_padding_and_output_padding():
    """convt --padding 1 --output-padding 1: rows 1..3, cols 1..3 of the stamped 4x4"""
    # The 4x4 above loses p = 1 from the top and left; at the bottom and right
    # the padding crops 1 and the output padding gives 1 back: 3x3.
    doc = run_json("convt", "--input", mtext(HAND_IN), "--kernel", mtext(HAND_K), "--stride", "2",
                   "--padding", "1", "--output-padding", "1")
    expect(doc["output_size"] == [3, 3], "output_size %s" % doc["output_size"])
    expect_maps(doc["output"], [[[4, 6, 8], [6, 4, 8], [12, 12, 16]]])
    expect(doc["formula"]["rows"]["text"] == "(2 - 1)*2 - 2*1 + 1*(2 - 1) + 1 + 1 = 3",
           "rows formula %r" % doc["formula"]["rows"]["text"])
    expect((doc["padding"], doc["output_padding"]) == (1, 1), "padding %r" % doc["padding"])
    # Input (0,0) = 1 stamps at (-1,-1): only its last tap, 1*4, lands, on (0,0).
    st = doc["steps"][0]
    got = [(c["row"], c["col"], c["product"]) for c in st["contributions"]]
    expect(got == [(0, 0, 4)], "step 1 contributions %r" % got)
    expect(st["cropped"] == 3, "step 1 cropped %r" % st["cropped"])
    expect(st["origin"] == [-1, -1], "step 1 origin %r" % st["origin"])


@check
def hand_overlap_stride1():
    """convt stride 1: overlapping stamps add up (the kernel of ones sums the covering inputs)"""
    # (0,0) 1, (0,1) 1+2, (0,2) 2 / (1,0) 1+3, (1,1) 1+2+3+4, (1,2) 2+4 / (2,0) 3, (2,1) 3+4, (2,2) 4
    doc = run_json("convt", "--input", mtext(HAND_IN), "--kernel", "1 1; 1 1")
    expect_maps(doc["output"], [[[1, 3, 2], [4, 10, 6], [3, 7, 4]]])
    expect_sums(doc, None, 1)


@check
def hand_dilation():
    """convt --dilation 2: [1 2] with kernel [1 -1] gives [1 2 -1 -2]"""
    # input 0 puts +1 at col 0 and -1 at col 2; input 1 puts +2 at col 1, -2 at col 3
    doc = run_json("convt", "--input", "1 2", "--kernel", "1 -1", "--dilation", "2")
    expect(doc["output_size"] == [1, 4], "output_size %s" % doc["output_size"])
    expect_maps(doc["output"], [[[1, 2, -1, -2]]])


@check
def hand_channels_filters_bias():
    """convt: two input channels, two output maps, bias, kernels in PyTorch's layout"""
    # weight[c][f]: w[0] = (1, 2), w[1] = (3, -1); channel 0 = [1 2], channel 1 = [0 1]
    #   map 0: 0.5 + 1*1 + 0*3 = 1.5,  0.5 + 2*1 + 1*3 = 5.5
    #   map 1: 1 + 1*2 + 0*(-1) = 3,    1 + 2*2 + 1*(-1) = 4
    doc = run_json("convt", "--input", "1 2 | 0 1", "--kernel", "1 | 2", "--kernel", "3 | -1",
                   "--bias", "0.5, 1")
    expect(doc["filters"] == 2 and doc["input_shape"] == [2, 1, 2], "shape %r" % doc["input_shape"])
    expect_maps(doc["output"], [[[1.5, 5.5]], [[3, 4]]])
    st = doc["steps"][3]  # channel 1, (0,1) = 1: 1*3 onto map 0, 1*(-1) onto map 1
    expect(st["channel"] == 1 and st["value"] == 1, "step 4 %r" % st)
    got = [(c["filter"], c["row"], c["col"], c["product"], c["after"]) for c in st["contributions"]]
    expect(got == [(0, 0, 1, 3, 5.5), (1, 0, 1, -1, 4)], "step 4 contributions %r" % got)


# -- random configurations against the scatter

def random_config(rng):
    while True:
        s, p, d = rng.randint(1, 3), rng.randint(0, 2), rng.randint(1, 3)
        a = rng.randrange(max(s, d))
        C, F = rng.randint(1, 3), rng.randint(1, 3)
        H, W, KH, KW = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 3), rng.randint(1, 3)
        if (H - 1) * s - 2 * p + d * (KH - 1) + a + 1 < 1 or (W - 1) * s - 2 * p + d * (KW - 1) + a + 1 < 1:
            continue
        # Values with two decimals, as a person types them.
        image = [[[rng.randint(-200, 200) / 100 for _ in range(W)] for _ in range(H)] for _ in range(C)]
        kernels = [[[[rng.randint(-200, 200) / 100 for _ in range(KW)] for _ in range(KH)]
                    for _ in range(F)] for _ in range(C)]
        bias = [rng.randint(-100, 100) / 100 for _ in range(F)] if rng.random() < 0.7 else None
        return dict(image=image, kernels=kernels, bias=bias, stride=s, padding=p, out_pad=a, dilation=d)


def config_args(cfg):
    args = ["convt", "--input", ctext(cfg["image"]), *kernel_args(cfg["kernels"]),
            "--stride", str(cfg["stride"]), "--padding", str(cfg["padding"]),
            "--output-padding", str(cfg["out_pad"]), "--dilation", str(cfg["dilation"])]
    if cfg["bias"]:
        args += ["--bias", ", ".join(num(b) for b in cfg["bias"])]
    return args


@check
def random_against_scatter():
    """convt --json on 40 random configurations: output and steps equal the Python scatter"""
    rng = random.Random(1515)
    for i in range(40):
        cfg = random_config(rng)
        maps, scales, steps = scatter_ref(cfg["image"], cfg["kernels"], cfg["bias"], cfg["stride"],
                                          cfg["padding"], cfg["out_pad"], cfg["dilation"])
        doc = run_json(*config_args(cfg))
        expect(doc["output_size"] == [len(maps[0]), len(maps[0][0])],
               "config %d: output_size %s, expected %dx%d" % (i, doc["output_size"], len(maps[0]), len(maps[0][0])))
        expect_maps(doc["output"], maps, "config %d output" % i, scales)
        expect_steps(doc, steps, len(cfg["image"]), len(cfg["kernels"][0]))
        expect_sums(doc, cfg["bias"], len(cfg["kernels"][0]))


@check
def torch_conv_transpose2d():
    """convt against torch.nn.functional.conv_transpose2d on 20 random configurations"""
    try:
        import torch  # noqa: F401
        import torch.nn.functional as tf
    except Exception:
        raise Skip("torch not importable")
    rng = random.Random(2020)
    for i in range(20):
        cfg = random_config(rng)
        x = torch.tensor([cfg["image"]], dtype=torch.float64)
        w = torch.tensor(cfg["kernels"], dtype=torch.float64)  # (C_in, F, KH, KW): the same layout
        b = torch.tensor(cfg["bias"], dtype=torch.float64) if cfg["bias"] else None
        y = tf.conv_transpose2d(x, w, b, stride=cfg["stride"], padding=cfg["padding"],
                                output_padding=cfg["out_pad"], dilation=cfg["dilation"])[0].tolist()
        _, scales, _ = scatter_ref(cfg["image"], cfg["kernels"], cfg["bias"], cfg["stride"],
                                   cfg["padding"], cfg["out_pad"], cfg["dilation"])
        doc = run_json(*config_args(cfg))
        expect(doc["output_size"] == [len(y[0]), len(y[0][0])],
               "config %d: output_size %s, torch %dx%d" % (i, doc["output_size"], len(y[0]), len(y[0][0])))
        expect_maps(doc["output"], y, "config %d output against torch" % i, scales)


# -- --expect

@check
def expect_matches():
    """convt --expect with the hand-worked map: exit 0, every cell matches"""
    status, out, err = run("convt", "--input", mtext(HAND_IN), "--kernel", mtext(HAND_K), "--stride", "2",
                           "--expect", mtext(HAND_OUT))
    expect(status == 0, "exit status %d: %s" % (status, err))
    expect("--expect: all 16 cells match the arithmetic." in out, "no match line in %r" % out[-300:])


@check
def expect_wrong_cell():
    """convt --expect with one wrong cell: exit 1, the cell, its right value and its sum"""
    wrong = [row[:] for row in HAND_OUT]
    wrong[3][3] = 15  # the right value is 4*4 = 16, from input (1,1) alone
    status, out, err = run("convt", "--input", mtext(HAND_IN), "--kernel", mtext(HAND_K), "--stride", "2",
                           "--expect", mtext(wrong))
    expect(status == 1, "exit status %d, expected 1" % status)
    expect("--expect: 1 of 16 cells differ from the arithmetic:" in out, "no summary in %r" % out[-300:])
    expect("  (3,3): expected 15, but it is 16:\n    bias 0 + 4*4 = 16\n" in out,
           "the wrong cell is not explained: %r" % out[-300:])
    # With overlap: (1,1) of the stride-1 case is 1 + 2 + 3 + 4, added in input order.
    status, out, err = run("convt", "--input", mtext(HAND_IN), "--kernel", "1 1; 1 1", "--bias", "0.5",
                           "--expect", "1.5 3.5 2.5; 4.5 9.5 6.5; 3.5 7.5 4.5")
    expect(status == 1, "exit status %d, expected 1" % status)
    expect("  (1,1): expected 9.5, but it is 10.5:\n    bias 0.5 + 1*1 + 2*1 + 3*1 + 4*1 = 10.5\n" in out,
           "the overlapping cell is not explained: %r" % out[-400:])
    doc = run_json("convt", "--input", mtext(HAND_IN), "--kernel", "1 1; 1 1", "--bias", "0.5",
                   "--expect", "1.5 3.5 2.5; 4.5 9.5 6.5; 3.5 7.5 4.5", code=1)
    mm = doc["expect"]["mismatches"]
    expect(len(mm) == 1 and (mm[0]["row"], mm[0]["col"], mm[0]["expected"], mm[0]["actual"]) ==
           (1, 1, 9.5, 10.5) and mm[0]["products"] == [1, 2, 3, 4], "mismatches %r" % mm)


# -- errors

HAND = ["convt", "--input", mtext(HAND_IN), "--kernel", mtext(HAND_K)]


@check
def error_output_padding():
    """convt: an output padding not below max(stride, dilation) is refused with the numbers"""
    expect_error(HAND + ["--stride", "2", "--output-padding", "2"],
                 "the output padding 2 must be smaller than the stride 2 or the dilation 1 (a < max(s, d) = 2)")
    expect_error(HAND + ["--output-padding", "1"],
                 "the output padding 1 must be smaller than the stride 1 or the dilation 1 (a < max(s, d) = 1)")
    expect_error(HAND + ["--output-padding", "-1"], "--output-padding must not be negative, got -1")


@check
def error_empty_output():
    """convt: padding that crops every cell is refused, the formula worked out"""
    # (2-1)*1 - 2*3 + 1*(2-1) + 0 + 1 = -3; the stamps cover 3 cells, p <= 1 leaves some
    expect_error(HAND + ["--padding", "3"],
                 "rows: the output size " + FORMULA + " = (2 - 1)*1 - 2*3 + 1*(2 - 1) + 0 + 1 = -3 "
                 "is less than 1: padding 3 on each side crops all 3 cells the stamps cover "
                 "(a padding of at most 1 leaves some)")


@check
def error_options():
    """convt: bad numbers, missing options and kernels that do not fit: exit 1, a clear message"""
    expect_error(["convt", "--input", "1 2"], "convstep convt needs --input and --kernel")
    expect_error(HAND + ["--padding", "-1"], "--padding must not be negative, got -1")
    expect_error(HAND + ["--padding", "5000"], "--padding must be from 0 to 4096, got 5000")
    expect_error(HAND + ["--stride", "0"], "--stride must be at least 1, got 0")
    expect_error(HAND + ["--dilation", "x"], "--dilation: 'x' is not a whole number")
    expect_error(HAND + ["--bogus"], "unknown option '--bogus' for convstep convt")
    expect_error(["convt", "--input", "1 | 2", "--kernel", "1"],
                 "--input has 2 channel(s) but there is 1 --kernel option(s)", "PyTorch's layout")
    expect_error(["convt", "--input", "1 | 2", "--kernel", "1 | 2", "--kernel", "1"],
                 "--kernel 2 has 1 kernel(s) but --kernel 1 has 2")
    expect_error(["convt", "--input", "1 | 2", "--kernel", "1", "--kernel", "1 2"],
                 "--kernel 2 is 1x2 but --kernel 1 is 1x1: all kernels need one size")
    expect_error(["convt", "--input", "1", "--kernel", "1 | 2", "--bias", "1"],
                 "--bias has 1 value(s) but there are 2 output map(s)")
    expect_error(HAND + ["--expect", "1 2; 3 4"], "--expect is 2x2 but the result is 3x3")
    expect_error(["convt", "--input", "1 x", "--kernel", "1"], "--input")


@check
def help_text():
    """convt --help: exit 0, the usage, the formula and PyTorch's kernel layout"""
    status, out, err = run("convt", "--help")
    expect(status == 0, "exit status %d" % status)
    for words in ["usage: convstep convt --input M --kernel M", "--output-padding A",
                  "[in_channels][out_channels][kH][kW]", FORMULA]:
        expect(words in out, "--help lacks %r" % words)
    status, out2, err = run("help", "convt")
    expect(status == 0 and out2 == out, "`convstep help convt` differs from `convt --help`")


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-convt-", start))
