#!/usr/bin/env python3
"""Command-line tests for convstep, run as a user would run the program.

    python3 tests/test_cli.py /path/to/convstep

Prints TAP (one case per check function below) and exits non-zero if any
case failed. Standard library only.

Every expected number is worked out here, independently of the program: the
slide examples by hand, everything else by the plain-loop references below
(conv_ref, pool_ref), which build the zero-padded image explicitly and find
the window positions by sliding, not by the output-size formula. Parameter
counts come from F*(K*K*C + 1) and N*(inputs + 1).

Every run also fails the case if the program died from a signal or printed a
sanitizer report (ASan, LeakSanitizer, UBSan), so the file is meant to pass
against a -fsanitize=address,undefined build as well.
"""

import json
import math
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import LAST_RUN, Fail, Skip, expect, run_program  # noqa: E402

CONVSTEP = None  # absolute path of the program, from argv[1]
TIMEOUT = 30  # seconds per run
WORKDIR = None  # a scratch directory every run starts in
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "cli")


# The lecture slides' examples (inputs and the maps printed on the slides).
SLIDE_IMAGE = [[3, 3, 2, 1, 0],
               [0, 0, 1, 3, 1],
               [3, 1, 2, 2, 3],
               [2, 0, 0, 2, 2],
               [2, 0, 0, 0, 1]]
SLIDE_KERNEL = [[0, 1, 2],
                [2, 2, 0],
                [0, 1, 2]]
SLIDE_MAP = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]  # worked out by hand on the slide

BINARY_IMAGE = [[1, 1, 1, 0, 0],
                [0, 1, 1, 1, 0],
                [0, 0, 1, 1, 1],
                [0, 0, 1, 1, 0],
                [0, 1, 1, 0, 0]]
X_KERNEL = [[1, 0, 1],
            [0, 1, 0],
            [1, 0, 1]]
BINARY_MAP = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]  # worked out by hand on the slide


# ---- Running the program ------------------------------------------------------------

def run(*args, stdout=None, check_signal=True):
    """Runs convstep with args in WORKDIR; returns (exit status, stdout, stderr).
    `stdout` may be a file descriptor to write to instead of a pipe."""
    return run_program([CONVSTEP, *args], WORKDIR, TIMEOUT, check_signal=check_signal, stdout=stdout)


def run_json(*args, code=0):
    """Runs with --json, checks the exit status and that stdout is one JSON object."""
    status, out, err = run(*args, "--json")
    expect(status == code, "exit status %d, expected %d" % (status, code))
    try:
        doc = json.loads(out)
    except ValueError as e:
        raise Fail("stdout is not JSON: %s" % e)
    expect(isinstance(doc, dict), "the JSON is not an object")
    return doc


def expect_error(args, *words, code=1):
    """Runs args, expecting a usage error: exit 1, nothing on stdout, and a
    stderr that starts with 'convstep: error:' and contains every word."""
    status, out, err = run(*args)
    expect(status == code, "exit status %d, expected %d" % (status, code))
    expect(out == "", "stdout should be empty on an error")
    expect(err.startswith("convstep: error: "), "stderr does not start with 'convstep: error: '")
    for w in words:
        expect(w in err, "stderr does not mention %r" % w)
    return err


def close(a, b, rel=1e-6, abs_tol=1e-6):
    """Numbers equal up to float32 rounding."""
    return (isinstance(a, (int, float)) and isinstance(b, (int, float)) and
            not isinstance(a, bool) and not isinstance(b, bool) and
            math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol))


def same(actual, expected):
    """Nested lists of numbers equal up to float32 rounding."""
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected) and
                all(same(a, e) for a, e in zip(actual, expected)))
    return close(actual, expected)


def expect_same(actual, expected, what):
    expect(same(actual, expected), "%s is %s, expected %s" % (what, actual, expected))


# ---- Matrices as text ---------------------------------------------------------------

def num(v):
    """A number as a person types it: 3, -2, 0.5."""
    return str(int(v)) if float(v).is_integer() else repr(v)


def mtext(m):
    """One channel [[...], ...] as inline text: '1 2; 3 4'."""
    return "; ".join(" ".join(num(v) for v in row) for row in m)


def ctext(channels):
    """Several channels as inline text: '1 2; 3 4 | 5 6; 7 8'."""
    return " | ".join(mtext(c) for c in channels)


# ---- Independent references ---------------------------------------------------------

def same_padding(n, f, s=1, d=1):
    """TensorFlow's 'same': ceil(n/s) outputs, just enough zeros for the last
    window, the odd one at the end. Returns (before, after)."""
    out = -(-n // s)
    span = d * (f - 1) + 1
    total = max((out - 1) * s + span - n, 0)
    return total // 2, total - total // 2


def positions(padded, span, stride):
    """Window origins along one axis, found by sliding the window."""
    found, o = [], 0
    while o + span <= padded:
        found.append(o)
        o += stride
    return found


def conv_ref(image, kernels, bias=None, pads=(0, 0, 0, 0), stride=1, dilation=1):
    """Convolution by plain loops.

    image [c][h][w], kernels [f][c][kh][kw], pads (top, bottom, left, right).
    Returns (maps [f][oy][ox], steps, unreached (rows, cols)); steps are in
    visiting order (filter, row, col) with the window in channel / kernel-row /
    kernel-col order."""
    c, h, w = len(image), len(image[0]), len(image[0][0])
    top, bottom, left, right = pads
    kh, kw = len(kernels[0][0]), len(kernels[0][0][0])
    padded = [[[0] * (w + left + right) for _ in range(h + top + bottom)] for _ in range(c)]
    is_pad = [[True] * (w + left + right) for _ in range(h + top + bottom)]
    for ch in range(c):
        for y in range(h):
            for x in range(w):
                padded[ch][y + top][x + left] = image[ch][y][x]
                is_pad[y + top][x + left] = False
    span_h, span_w = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    ys = positions(h + top + bottom, span_h, stride)
    xs = positions(w + left + right, span_w, stride)
    maps, steps = [], []
    for f, kern in enumerate(kernels):
        b = bias[f] if bias else 0
        fmap = []
        for oy, y0 in enumerate(ys):
            row = []
            for ox, x0 in enumerate(xs):
                window, pad, weights = [], [], []
                for ch in range(c):
                    for ky in range(kh):
                        for kx in range(kw):
                            y, x = y0 + ky * dilation, x0 + kx * dilation
                            window.append(padded[ch][y][x])
                            pad.append(is_pad[y][x])
                            weights.append(kern[ch][ky][kx])
                products = [v * k for v, k in zip(window, weights)]
                total = sum(products) + b
                steps.append({"filter": f, "row": oy, "col": ox,
                              "window_origin": [y0 - top, x0 - left], "window": window,
                              "padded": pad, "weights": weights, "products": products,
                              "bias": b, "sum": total})
                row.append(total)
            fmap.append(row)
        maps.append(fmap)
    unreached = ((h + top + bottom) - (ys[-1] + span_h), (w + left + right) - (xs[-1] + span_w))
    return maps, steps, unreached


def pool_ref(image, mode, size, stride=None, pad=0):
    """Pooling by plain loops, each channel on its own. A max skips padding
    cells and keeps the first maximum in row-major order; an average counts
    padding as zeros and divides by size*size. Returns (maps, steps)."""
    stride = stride or size
    c, h, w = len(image), len(image[0]), len(image[0][0])
    ys = positions(h + 2 * pad, size, stride)
    xs = positions(w + 2 * pad, size, stride)
    maps, steps = [], []
    for ch in range(c):
        cmap = []
        for oy, y0 in enumerate(ys):
            row = []
            for ox, x0 in enumerate(xs):
                window, padded, best, best_at = [], [], None, None
                for ky in range(size):
                    for kx in range(size):
                        y, x = y0 + ky - pad, x0 + kx - pad
                        inside = 0 <= y < h and 0 <= x < w
                        v = image[ch][y][x] if inside else 0
                        window.append(v)
                        padded.append(not inside)
                        if inside and (best is None or v > best):
                            best, best_at = v, [y, x]
                st = {"channel": ch, "row": oy, "col": ox,
                      "window_origin": [y0 - pad, x0 - pad], "window": window,
                      "padded": padded}
                if mode == "max":
                    st.update(argmax=best_at, value=best)
                else:
                    st.update(sum=sum(window), divisor=size * size,
                              value=sum(window) / (size * size))
                steps.append(st)
                row.append(st["value"])
            cmap.append(row)
        maps.append(cmap)
    return maps, steps


def one_or_many(maps):
    """The JSON 'output' layout: one map, or a list of maps."""
    return maps[0] if len(maps) == 1 else maps


def expect_conv_steps(doc, ref_steps):
    """Every step: its place, window, weights, products (= window * weights),
    running sum, and sum (= sum of products + bias), in visiting order."""
    steps = doc["steps"]
    expect(len(steps) == len(ref_steps), "%d steps, expected %d" % (len(steps), len(ref_steps)))
    for i, (st, ref) in enumerate(zip(steps, ref_steps)):
        where = "step %d" % i
        expect(st["index"] == i, "%s: index %s" % (where, st["index"]))
        for key in ("filter", "row", "col", "window_origin", "padded"):
            expect(st[key] == ref[key], "%s: %s is %s, expected %s" % (where, key, st[key], ref[key]))
        for key in ("window", "weights", "products", "bias", "sum"):
            expect_same(st[key], ref[key], "%s: %s" % (where, key))
        # The step must be self-consistent too, whatever the reference says.
        expect_same(st["products"], [v * k for v, k in zip(st["window"], st["weights"])],
                    where + ": products vs window*weights")
        running, acc = [], 0.0
        for p in st["products"]:
            acc += p
            running.append(acc)
        expect_same(st["running"], running, where + ": running")
        expect(close(sum(st["products"]) + st["bias"], st["sum"]),
               where + ": sum(products) + bias != sum")


def expect_pool_steps(doc, ref_steps, mode):
    """Every step: its place, window and value; a max's argmax, an average's
    sum and divisor (value = sum / divisor), in visiting order."""
    steps = doc["steps"]
    expect(len(steps) == len(ref_steps), "%d steps, expected %d" % (len(steps), len(ref_steps)))
    for i, (st, ref) in enumerate(zip(steps, ref_steps)):
        where = "step %d" % i
        expect(st["index"] == i, "%s: index %s" % (where, st["index"]))
        for key in ("channel", "row", "col", "window_origin", "padded"):
            expect(st[key] == ref[key], "%s: %s is %s, expected %s" % (where, key, st[key], ref[key]))
        expect_same(st["window"], ref["window"], where + ": window")
        expect_same(st["value"], ref["value"], where + ": value")
        if mode == "max":
            expect(st["argmax"] == ref["argmax"],
                   "%s: argmax %s, expected %s" % (where, st["argmax"], ref["argmax"]))
        else:
            expect_same(st["sum"], ref["sum"], where + ": sum")
            expect(st["divisor"] == ref["divisor"],
                   "%s: divisor %s, expected %s" % (where, st["divisor"], ref["divisor"]))
            expect(close(st["sum"] / st["divisor"], st["value"]), where + ": value != sum/divisor")


# ---- The cases ---------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


# -- conv: the slide examples

@check
def conv_slide_example_json():
    """conv --json: the slide's 5x5 image and 3x3 kernel give its 3x3 map"""
    maps, steps, _ = conv_ref([SLIDE_IMAGE], [[SLIDE_KERNEL]])
    expect(maps[0] == SLIDE_MAP, "the reference disagrees with the slide")  # guards conv_ref
    doc = run_json("conv", "--input", mtext(SLIDE_IMAGE), "--kernel", mtext(SLIDE_KERNEL))
    expect(doc["output_size"] == [3, 3], "output_size %s" % doc["output_size"])
    expect_same(doc["output"], SLIDE_MAP, "output")
    expect(doc["padding"] == [0, 0, 0, 0], "padding %s" % doc["padding"])
    expect(doc["input_shape"] == [1, 5, 5], "input_shape %s" % doc["input_shape"])
    expect(doc["kernel_size"] == [3, 3], "kernel_size %s" % doc["kernel_size"])


@check
def conv_slide_example_steps():
    """conv --json: the slide example has 9 steps in row-major order, products = window*weights"""
    _, steps, _ = conv_ref([SLIDE_IMAGE], [[SLIDE_KERNEL]])
    doc = run_json("conv", "--input", mtext(SLIDE_IMAGE), "--kernel", mtext(SLIDE_KERNEL))
    expect([(s["row"], s["col"]) for s in doc["steps"]] ==
           [(r, c) for r in range(3) for c in range(3)], "steps are not in row-major order")
    expect_conv_steps(doc, steps)


@check
def conv_binary_example_json():
    """conv --json: the 5x5 binary image with the X kernel gives the slide's map and steps"""
    maps, steps, _ = conv_ref([BINARY_IMAGE], [[X_KERNEL]])
    expect(maps[0] == BINARY_MAP, "the reference disagrees with the slide")
    doc = run_json("conv", "--input", mtext(BINARY_IMAGE), "--kernel", mtext(X_KERNEL))
    expect(doc["output_size"] == [3, 3], "output_size %s" % doc["output_size"])
    expect_same(doc["output"], BINARY_MAP, "output")
    expect_conv_steps(doc, steps)


@check
def conv_commas_and_spaces():
    """conv: values split by commas work like spaces ('1,2, 3')"""
    text = "; ".join(", ".join(str(v) for v in row) for row in SLIDE_IMAGE)
    doc = run_json("conv", "--input", text, "--kernel", "0,1,2;2,2,0;0,1,2")
    expect_same(doc["output"], SLIDE_MAP, "output")


@check
def conv_text_output():
    """conv (text): every step with its products and sum, then the feature map"""
    _, steps, _ = conv_ref([SLIDE_IMAGE], [[SLIDE_KERNEL]])
    code, out, err = run("conv", "--input", mtext(SLIDE_IMAGE), "--kernel", mtext(SLIDE_KERNEL))
    expect(code == 0, "exit status %d" % code)
    expect("Step 9 of 9" in out and "Step 10" not in out, "not 9 steps")
    for st in steps:
        line = " + ".join("%d*%d" % (v, k) for v, k in zip(st["window"], st["weights"]))
        line += " = %d" % st["sum"]
        expect(line in out, "missing the sum line %r" % line)
    expect("Feature map 3x3:" in out, "no 'Feature map 3x3:'")
    rows = [line.split() for line in out.split("Feature map 3x3:")[1].strip().splitlines()]
    expect(rows == [[str(v) for v in r] for r in SLIDE_MAP], "the printed map is %s" % rows)


@check
def conv_quiet():
    """conv --quiet: the formula and the map, no steps"""
    code, out, err = run("conv", "--input", mtext(SLIDE_IMAGE), "--kernel", mtext(SLIDE_KERNEL),
                         "--quiet")
    expect(code == 0, "exit status %d" % code)
    expect("Step " not in out, "--quiet still prints steps")
    expect("Feature map 3x3:" in out and "Output size" in out, "formula or map missing")


# -- conv: padding, stride, dilation, channels, filters

IMG4 = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]
IMG5 = [[r * 5 + c + 1 for c in range(5)] for r in range(5)]  # 1..25


def conv_case(image, kernels, extra, pads, stride=1, dilation=1, bias=None):
    """Runs conv --json on channels `image` and filters `kernels`; checks the
    padding, output size, output and steps against conv_ref. Returns the doc."""
    args = ["conv", "--input", ctext(image)]
    for k in kernels:
        args += ["--kernel", ctext(k)]
    doc = run_json(*(args + list(extra)))
    maps, steps, unreached = conv_ref(image, kernels, bias, pads, stride, dilation)
    expect(doc["padding"] == list(pads), "padding %s, expected %s" % (doc["padding"], list(pads)))
    size = [len(maps[0]), len(maps[0][0])]
    expect(doc["output_size"] == size, "output_size %s, expected %s" % (doc["output_size"], size))
    expect_same(doc["output"], one_or_many(maps), "output")
    expect_conv_steps(doc, steps)
    expect(doc["formula"]["rows"]["unreached"] == unreached[0],
           "formula.rows.unreached %s, expected %d" % (doc["formula"]["rows"]["unreached"],
                                                      unreached[0]))
    expect(doc["formula"]["cols"]["unreached"] == unreached[1],
           "formula.cols.unreached %s, expected %d" % (doc["formula"]["cols"]["unreached"],
                                                      unreached[1]))
    return doc


@check
def conv_padding_same_odd_kernel():
    """conv --padding same, 3x3 kernel on 5x5: one zero on every side, 5x5 out"""
    pads = same_padding(5, 3) * 2
    expect(pads == (1, 1, 1, 1), "same_padding is wrong")
    doc = conv_case([IMG5], [[SLIDE_KERNEL]], ["--padding", "same"], pads)
    expect(doc["steps"][0]["window_origin"] == [-1, -1], "first window not at (-1,-1)")


@check
def conv_padding_same_even_kernel():
    """conv --padding same, 2x2 kernel on 4x4: the odd zero row/col goes bottom/right"""
    before, after = same_padding(4, 2)
    expect((before, after) == (0, 1), "same_padding is wrong")
    doc = conv_case([IMG4], [[[[1, 0], [0, 1]]]], ["--padding", "same"], (0, 1, 0, 1))
    expect(doc["output_size"] == [4, 4], "same must keep 4x4")
    last = doc["steps"][-1]
    expect(last["padded"] == [False, True, True, True], "last window's padding %s" % last["padded"])


@check
def conv_padding_same_even_kernel_4x4():
    """conv --padding same, 4x4 kernel on 5x5: 3 zeros per axis, 1 top/left, 2 bottom/right"""
    k = [[1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 1, 0], [1, 0, 0, 1]]
    conv_case([IMG5], [[k]], ["--padding", "same"], (1, 2, 1, 2))


@check
def conv_padding_same_stride2():
    """conv --padding same --stride 2: ceil(5/2) = 3 outputs per axis"""
    pads = same_padding(5, 3, 2) * 2
    doc = conv_case([IMG5], [[SLIDE_KERNEL]], ["--padding", "same", "--stride", "2"], pads, 2)
    expect(doc["output_size"] == [3, 3], "output_size %s" % doc["output_size"])


@check
def conv_padding_explicit():
    """conv --padding 1: zeros on every side, padded cells flagged, window origin at -1"""
    img = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    doc = conv_case([img], [[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]], ["--padding", "1"], (1, 1, 1, 1))
    expect(doc["steps"][0]["padded"] == [True, True, True, True, False, False, True, False, False],
           "step 0 padded flags %s" % doc["steps"][0]["padded"])


@check
def conv_padding_valid_word():
    """conv --padding valid is the default: no padding"""
    doc = conv_case([SLIDE_IMAGE], [[SLIDE_KERNEL]], ["--padding", "valid"], (0, 0, 0, 0))
    expect_same(doc["output"], SLIDE_MAP, "output")


@check
def conv_stride2_floor_drops_a_row():
    """conv --stride 2 on 6x6 with 3x3: 2x2 out, the floor leaves 1 row/col unreached"""
    img = [[(r * 7 + c * 3) % 5 for c in range(6)] for r in range(6)]
    doc = conv_case([img], [[SLIDE_KERNEL]], ["--stride", "2"], (0, 0, 0, 0), 2)
    expect(doc["output_size"] == [2, 2], "output_size %s" % doc["output_size"])
    expect(doc["formula"]["rows"]["unreached"] == 1, "rows.unreached is not 1")
    code, out, err = run("conv", "--input", mtext(img), "--kernel", mtext(SLIDE_KERNEL),
                         "--stride", "2", "--quiet")
    expect(code == 0 and "note:" in out and "never reached" in out,
           "the text does not note the unreached row")


@check
def conv_stride2_exact():
    """conv --stride 2 on 7x7 with 3x3: 3x3 out, nothing unreached"""
    img = [[(r + 2 * c) % 4 for c in range(7)] for r in range(7)]
    doc = conv_case([img], [[X_KERNEL]], ["--stride", "2"], (0, 0, 0, 0), 2)
    expect(doc["formula"]["rows"]["unreached"] == 0, "rows.unreached is not 0")


@check
def conv_dilation2():
    """conv --dilation 2: a 2x2 kernel spans 3x3 cells, 5x5 -> 3x3"""
    k = [[1, 2], [3, 4]]
    doc = conv_case([IMG5], [[k]], ["--dilation", "2"], (0, 0, 0, 0), 1, 2)
    expect(doc["steps"][0]["window"] == [1, 3, 11, 13], "the dilated window skips cells")
    expect("d(f-1)" in doc["formula"]["general"], "the formula does not show the dilation")


@check
def conv_two_input_channels():
    """conv with two input channels ('|'): products run channel by channel"""
    image = [[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [1, 0, 2], [3, 1, 0]]]
    kernel = [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]
    doc = conv_case(image, [kernel], [], (0, 0, 0, 0))
    expect(doc["input_shape"] == [2, 3, 3], "input_shape %s" % doc["input_shape"])
    expect(len(doc["steps"][0]["products"]) == 8, "a window of 2 channels x 2x2 has 8 products")


@check
def conv_two_filters_with_bias():
    """conv with two --kernel and --bias '1,-2': a list of 2 maps, the bias in every step"""
    k1, k2 = [[1, 0], [0, 1]], [[0, -1], [2, 0]]
    doc = conv_case([IMG4], [[k1], [k2]], ["--bias", "1,-2"], (0, 0, 0, 0), bias=[1, -2])
    expect(doc["filters"] == 2, "filters %s" % doc["filters"])
    expect(len(doc["output"]) == 2 and len(doc["output"][0]) == 3, "output is not 2 maps of 3x3")
    expect({s["filter"] for s in doc["steps"]} == {0, 1}, "steps do not cover both filters")
    expect([s["bias"] for s in doc["steps"]] == [1] * 9 + [-2] * 9, "steps' bias is wrong")


@check
def conv_file_input_two_channels():
    """conv --input @FILE: a row per line, a blank line between channels, '#' comments"""
    path = os.path.join(DATA, "image_2ch.txt")
    image = [[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [1, 0, 2], [3, 1, 0]]]
    kernel = [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]
    maps, steps, _ = conv_ref(image, [kernel])
    doc = run_json("conv", "--input", "@" + path, "--kernel", ctext(kernel))
    expect(doc["input_shape"] == [2, 3, 3], "input_shape %s" % doc["input_shape"])
    expect_same(doc["output"], maps[0], "output")
    expect_conv_steps(doc, steps)


@check
def conv_option_equals_form():
    """conv --input=VALUE works like --input VALUE"""
    doc = run_json("conv", "--input=" + mtext(SLIDE_IMAGE), "--kernel=" + mtext(SLIDE_KERNEL),
                   "--stride=1")
    expect_same(doc["output"], SLIDE_MAP, "output")


@check
def conv_fractions_and_negatives():
    """conv with fractions and negative values: products and sums up to float rounding"""
    img = [[0.5, -1.25, 2], [3, 0.1, -0.2], [1e-1, 4, -3.5]]
    k = [[1.5, -2], [0.25, 1]]
    maps, steps, _ = conv_ref([img], [[k]], bias=[0.5])
    doc = run_json("conv", "--input", mtext(img), "--kernel", mtext(k), "--bias", "0.5")
    expect_same(doc["output"], maps[0], "output")
    expect_conv_steps(doc, steps)


# -- --expect

def expect_run(cmd, expected, extra=()):
    """Runs `cmd` with --expect `expected` --quiet; returns (exit status, stdout)."""
    code, out, err = run(*(list(cmd) + ["--expect", expected, "--quiet"] + list(extra)))
    return code, out


SLIDE_CONV = ["conv", "--input", mtext(SLIDE_IMAGE), "--kernel", mtext(SLIDE_KERNEL)]


@check
def expect_correct_map():
    """--expect with the right map exits 0 and says all cells match"""
    code, out = expect_run(SLIDE_CONV, mtext(SLIDE_MAP))
    expect(code == 0, "exit status %d, expected 0" % code)
    expect("all 9 cells match" in out, "no 'all 9 cells match'")


@check
def expect_wrong_cell_text():
    """--expect with one wrong cell exits 1 and names the cell and the right value"""
    wrong = [row[:] for row in SLIDE_MAP]
    wrong[1][2] = SLIDE_MAP[1][2] - 1
    code, out = expect_run(SLIDE_CONV, mtext(wrong))
    expect(code == 1, "exit status %d, expected 1" % code)
    expect("1 of 9 cells differ" in out, "no '1 of 9 cells differ'")
    expect("(1,2): expected %d, but it is %d" % (wrong[1][2], SLIDE_MAP[1][2]) in out,
           "the wrong cell (1,2) and its right value are not listed")


@check
def expect_wrong_cell_json():
    """--expect --json: expect.mismatches lists row, col, expected, actual"""
    wrong = [row[:] for row in SLIDE_MAP]
    wrong[1][2] = 18
    wrong[2][0] = 9.5
    doc = run_json(*(SLIDE_CONV + ["--expect", mtext(wrong)]), code=1)
    e = doc.get("expect")
    expect(isinstance(e, dict), "no 'expect' object")
    expect(e["matches"] is False and e["cells"] == 9, "matches/cells wrong: %s" % e)
    got = [(m["row"], m["col"], m["expected"], m["actual"]) for m in e["mismatches"]]
    expect(got == [(1, 2, 18, 19), (2, 0, 9.5, 9)], "mismatches %s" % got)
    ok = run_json(*(SLIDE_CONV + ["--expect", mtext(SLIDE_MAP)]))
    expect(ok["expect"]["matches"] is True and ok["expect"]["mismatches"] == [],
           "a right map does not match in JSON")


@check
def expect_second_filter():
    """--expect with two filters: a wrong cell of filter 2 is reported with filter 1 (0-based)"""
    k1, k2 = [[1, 0], [0, 1]], [[0, 1], [1, 0]]
    maps, _, _ = conv_ref([IMG4], [[k1], [k2]])
    wrong = [[row[:] for row in m] for m in maps]
    wrong[1][0][1] += 3
    doc = run_json("conv", "--input", mtext(IMG4), "--kernel", mtext(k1), "--kernel", mtext(k2),
                   "--expect", ctext(wrong), code=1)
    got = [(m["filter"], m["row"], m["col"], m["actual"]) for m in doc["expect"]["mismatches"]]
    expect(got == [(1, 0, 1, maps[1][0][1])], "mismatches %s" % got)


@check
def expect_wrong_shape():
    """--expect of the wrong size or map count is an error (exit 1) naming both shapes"""
    expect_error(SLIDE_CONV + ["--expect", "12 12; 10 17"], "--expect", "2x2", "3x3")
    expect_error(SLIDE_CONV + ["--expect", ctext([SLIDE_MAP, SLIDE_MAP])], "--expect", "map")


@check
def expect_not_a_number():
    """--expect with a non-number names --expect, the row and the token"""
    expect_error(SLIDE_CONV + ["--expect", "12 12 17; 10 x 19; 9 6 14"],
                 "--expect", "row 2", "'x'")


THIRD = ["pool", "--input", "1 2 0; 0 0 0; 0 0 0", "--mode", "avg", "--size", "3"]  # 3/9 = 1/3


def rounds_to(true, text):
    """The documented rule: `text`, written with k decimals, is right when it
    is the true value rounded to k decimals."""
    k = len(text.split(".")[1]) if "." in text else 0
    return abs(round(true, k) - float(text)) < 10.0 ** -(k + 6)


def expect_rounding(cmd, true, texts):
    """Runs `cmd --expect T` for every T; exit 0 exactly when T rounds_to true."""
    kinds = set()
    for text in texts:
        ok = rounds_to(true, text)
        kinds.add(ok)
        code, out = expect_run(cmd, text)
        expect(code == (0 if ok else 1), "true value %r with --expect %s: exit status %d, "
               "expected %d" % (true, text, code, 0 if ok else 1))
    expect(kinds == {True, False}, "the table should hold right and wrong values")


@check
def expect_rounding_one_third():
    """--expect rounding: 1/3 matches 0.3, 0.33, 0.333 but not 0.34, 0.32, 0.334"""
    expect_rounding(THIRD, 1 / 3, ("0.3", "0.33", "0.333", "0.3333", "0", "0.34", "0.32",
                                   "0.334", "0.332", "0.4", "1"))


@check
def expect_rounding_near_half():
    """--expect rounding on both sides of a half: 0.254 is 0.3 not 0.2; 0.246 is 0.2 not 0.3"""
    # avg pooling of one value v and three zeros is v/4
    for v in (1.016, 0.984):
        cmd = ["pool", "--input", "%s 0; 0 0" % v, "--mode", "avg", "--size", "2"]
        expect_rounding(cmd, v / 4, ("0.3", "0.2", "0.25", "0.24", "0.26", "0.254", "0.246"))


@check
def expect_rounding_whole_numbers():
    """--expect rounding: 12 is wrong for 13; 13, 13.0 and 13.00 are right"""
    expect_rounding(["conv", "--input", "13", "--kernel", "1"], 13,
                    ("13", "13.0", "13.00", "13.000", "12", "14", "12.96", "13.01", "13.004",
                     "12.9"))


@check
def expect_rounding_exponent():
    """--expect in exponent notation: 1e1 matches 10, 1.1e1 does not"""
    cmd = ["conv", "--input", "10", "--kernel", "1"]
    for text, ok in (("1e1", True), ("1.0E+1", True), ("1.1e1", False), ("9e0", False)):
        code, out = expect_run(cmd, text)
        expect(code == (0 if ok else 1), "10 with --expect %s: exit status %d, expected %d"
               % (text, code, 0 if ok else 1))


@check
def expect_rounding_large_values():
    """--expect: a wrong last written digit is wrong for large values too (1000 vs 1000.001)"""
    # Both values are exact in float32, so no float slack can excuse the digit:
    # 1000 rounded to 3 decimals is 1000.000, 10000000 rounded is 10000000.
    cmd = ["conv", "--input", "1000 10000000", "--kernel", "1"]
    doc = run_json(*(cmd + ["--expect", "1000.001 10000010"]), code=1)
    got = [(m["row"], m["col"]) for m in doc["expect"]["mismatches"]]
    expect(got == [(0, 0), (0, 1)], "mismatches %s, expected both cells" % got)


@check
def expect_pool():
    """pool --expect: right map exits 0; a wrong cell is listed with its channel"""
    img = [[[1, 3, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]],
           [[0, 0, 1, 1], [0, 9, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]]
    maps, _ = pool_ref(img, "max", 2)
    cmd = ["pool", "--input", ctext(img), "--mode", "max", "--size", "2"]
    code, out = expect_run(cmd, ctext(maps))
    expect(code == 0, "right map: exit status %d" % code)
    wrong = [[row[:] for row in m] for m in maps]
    wrong[1][1][1] = 4
    doc = run_json(*(cmd + ["--expect", ctext(wrong)]), code=1)
    got = [(m["channel"], m["row"], m["col"], m["expected"], m["actual"])
           for m in doc["expect"]["mismatches"]]
    expect(got == [(1, 1, 1, 4, maps[1][1][1])], "mismatches %s" % got)


# -- pool

POOL_IMG = [[1, 3, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def pool_case(image, mode, size, extra=(), stride=None, pad=0):
    """Runs pool --json and checks output and steps against pool_ref."""
    doc = run_json("pool", "--input", ctext(image), "--mode", mode, "--size", size, *extra)
    maps, steps = pool_ref(image, mode, size, stride, pad)
    size_out = [len(maps[0]), len(maps[0][0])]
    expect(doc["output_size"] == size_out, "output_size %s, expected %s"
           % (doc["output_size"], size_out))
    expect_same(doc["output"], one_or_many(maps), "output")
    expect_pool_steps(doc, steps, mode)
    return doc


@check
def pool_max_default_stride():
    """pool max --size 2: stride defaults to the size, argmax is the winner's input [row, col]"""
    doc = pool_case([POOL_IMG], "max", 2)
    expect(doc["stride"] == 2, "stride %s, expected the size 2" % doc["stride"])
    expect_same(doc["output"], [[6, 8], [3, 4]], "output")  # by hand
    expect([s["argmax"] for s in doc["steps"]] == [[1, 1], [1, 3], [2, 0], [3, 3]],
           "argmax %s" % [s["argmax"] for s in doc["steps"]])


@check
def pool_max_ties():
    """pool max: on ties the argmax is the first winner in row-major order"""
    for img, at in (([[1, 7], [7, 2]], [0, 1]), ([[5, 5], [5, 5]], [0, 0]),
                    ([[3, 9, 9], [9, 1, 9], [0, 9, 0]], [0, 1])):
        doc = pool_case([img], "max", len(img))
        expect(doc["steps"][0]["argmax"] == at,
               "argmax of %s is %s, expected %s" % (img, doc["steps"][0]["argmax"], at))


@check
def pool_avg_sum_and_divisor():
    """pool avg: each step has the window's sum and the divisor F*F"""
    doc = pool_case([POOL_IMG], "avg", 2)
    expect_same(doc["output"], [[3.75, 5.25], [2, 2]], "output")  # by hand
    expect([s["divisor"] for s in doc["steps"]] == [4] * 4, "divisors")


@check
def pool_max_padding_ignored():
    """pool max --padding 1: padding cells never win, even over negative values"""
    img = [[-1, -2], [-3, -4]]
    doc = pool_case([img], "max", 2, ["--padding", "1"], pad=1)
    expect_same(doc["output"], [[-1, -2], [-3, -4]], "output")
    expect(doc["steps"][0]["padded"] == [True, True, True, False], "step 0 padded flags")


@check
def pool_avg_padding_counts_zeros():
    """pool avg --padding 1: padding counts as zeros and the divisor stays F*F"""
    doc = pool_case([POOL_IMG], "avg", 2, ["--padding", "1"], pad=1)
    expect(doc["output_size"] == [3, 3], "output_size %s" % doc["output_size"])
    expect(doc["steps"][0]["sum"] == 1 and doc["steps"][0]["divisor"] == 4,
           "corner window: sum 1 over 4")
    expect_same(doc["output"][0][0], 0.25, "corner value")


@check
def pool_explicit_stride():
    """pool --size 3 --stride 1 on 4x4: overlapping windows, 2x2 out"""
    pool_case([POOL_IMG], "max", 3, ["--stride", "1"], stride=1)
    pool_case([POOL_IMG], "avg", 3, ["--stride", "1"], stride=1)


@check
def pool_floor_drops_a_row():
    """pool --size 2 on 5x5: the floor drops the last row and column"""
    doc = pool_case([IMG5], "max", 2)
    expect(doc["output_size"] == [2, 2], "output_size %s" % doc["output_size"])
    expect(doc["formula"]["rows"]["unreached"] == 1, "rows.unreached is not 1")


@check
def pool_two_channels():
    """pool on two channels: each pooled on its own, output is a list of 2 maps"""
    img = [POOL_IMG, [[0, 0, 1, 1], [0, 9, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]]
    doc = pool_case(img, "max", 2)
    expect(doc["input_shape"] == [2, 4, 4], "input_shape %s" % doc["input_shape"])
    expect([s["channel"] for s in doc["steps"]] == [0] * 4 + [1] * 4, "steps' channels")
    pool_case(img, "avg", 2)


@check
def pool_text_output():
    """pool (text): the max names where the winner came from; the average shows its division"""
    code, out, err = run("pool", "--input", mtext(POOL_IMG), "--mode", "max", "--size", "2")
    expect(code == 0, "exit status %d" % code)
    expect("from input (1,1)" in out and "Pooled map 2x2:" in out, "max text incomplete")
    code, out, err = run("pool", "--input", mtext(POOL_IMG), "--mode", "avg", "--size", "2")
    expect(code == 0, "exit status %d" % code)
    expect("/ 4 = 15 / 4 = 3.75" in out, "the division 15 / 4 = 3.75 is not shown")


# -- summary

def conv_params(filters, k, channels):
    return filters * (k * k * channels + 1)


def dense_params(units, inputs):
    return units * (inputs + 1)


@check
def summary_lenet5_json():
    """summary lenet5 28x28x1 --json: 13 layers, Keras's shapes and params, total 61706"""
    out_conv1 = len(positions(28 + 4, 5, 1))  # pad=2
    p1 = out_conv1 // 2
    out_conv2 = len(positions(p1, 5, 1))
    p2 = out_conv2 // 2
    flat = p2 * p2 * 16
    shapes = [[out_conv1, out_conv1, 6], [p1, p1, 6], [out_conv2, out_conv2, 16], [p2, p2, 16],
              [flat], [120], [84], [10]]
    expect(shapes == [[28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [400], [120], [84],
                      [10]], "the expected shapes are wrong")
    params = [conv_params(6, 5, 1), conv_params(16, 5, 6), dense_params(120, flat),
              dense_params(84, 120), dense_params(10, 84)]
    expect(params == [156, 2416, 48120, 10164, 850], "the expected params are wrong")
    doc = run_json("summary", "--arch", "lenet5", "--input", "28x28x1")
    layers = doc["layers"]
    expect(len(layers) == 13, "%d layers, expected 13" % len(layers))
    got_shapes = []
    for l in layers:
        if not got_shapes or l["output_shape"] != got_shapes[-1]:
            got_shapes.append(l["output_shape"])
    expect(got_shapes == shapes, "output shapes %s" % got_shapes)
    got_params = [l["params"] for l in layers if l["params"]]
    expect(got_params == params, "params %s, expected %s" % (got_params, params))
    expect(doc["total_params"] == sum(params) == 61706, "total_params %s" % doc["total_params"])
    expect([l["type"] for l in layers if l["params"]] ==
           ["Conv2D", "Conv2D", "Dense", "Dense", "Dense"], "types of the layers with params")


@check
def summary_lenet5_text():
    """summary lenet5 (text): Keras-style table ending 'Total params: 61,706'"""
    code, out, err = run("summary", "--arch", "lenet5", "--input", "28x28x1")
    expect(code == 0, "exit status %d" % code)
    total = sum([conv_params(6, 5, 1), conv_params(16, 5, 6), dense_params(120, 400),
                 dense_params(84, 120), dense_params(10, 84)])
    expect("Total params: {:,}".format(total) in out, "no 'Total params: 61,706'")
    expect("(None, 28, 28, 6)" in out and "(None, 400)" in out, "Keras shapes missing")
    expect("6*(5*5*1 + 1)" in out and "120*(400 + 1)" in out, "worked-out counts missing")
    expect(re.search(r"dense_1 \(Dense\)\s+\(None, 84\)\s+10,164\b", out),
           "no 'dense_1 (Dense)  (None, 84)  10,164' row")


@check
def summary_softmax_preset():
    """summary softmax preset on 28x28x1: flatten 784, dense(10), 7850 params"""
    doc = run_json("summary", "--arch", "softmax", "--input", "28x28x1")
    expect([l["output_shape"] for l in doc["layers"]] == [[784], [10], [10]], "shapes")
    expect(doc["total_params"] == dense_params(10, 28 * 28), "total_params %s"
           % doc["total_params"])


@check
def summary_conv_rgb():
    """summary 'conv(10,5,pad=2)' on 32x32x3: 32x32x10 and 10*(5*5*3+1) = 760"""
    doc = run_json("summary", "--arch", "conv(10,5,pad=2)", "--input", "32x32x3")
    expect(doc["layers"][0]["output_shape"] == [32, 32, 10], "shape %s"
           % doc["layers"][0]["output_shape"])
    expect(doc["total_params"] == conv_params(10, 5, 3) == 760, "total_params %s"
           % doc["total_params"])


@check
def summary_every_layer_kind():
    """summary with same padding, stride, avgpool, tanh, dropout, sigmoid: shapes and params"""
    arch = "conv(8,3,pad=same,stride=2),tanh,avgpool(2),dropout(0.5),flatten,dense(10),sigmoid"
    doc = run_json("summary", "--arch", arch, "--input", "32x32x3")
    side = -(-32 // 2)  # same, stride 2
    pooled = side // 2
    flat = pooled * pooled * 8
    want = [[side, side, 8], [side, side, 8], [pooled, pooled, 8], [pooled, pooled, 8], [flat],
            [10], [10]]
    expect([l["output_shape"] for l in doc["layers"]] == want, "shapes %s"
           % [l["output_shape"] for l in doc["layers"]])
    expect(doc["total_params"] == conv_params(8, 3, 3) + dense_params(10, flat),
           "total_params %s" % doc["total_params"])


@check
def summary_hw_means_one_channel():
    """summary --input 28x28 means 28x28x1"""
    a = run_json("summary", "--arch", "lenet5", "--input", "28x28")
    b = run_json("summary", "--arch", "lenet5", "--input", "28x28x1")
    expect(a["layers"] == b["layers"] and a["total_params"] == b["total_params"],
           "28x28 differs from 28x28x1")


# -- errors: usage

@check
def error_unknown_subcommand():
    """error: an unknown subcommand is named"""
    expect_error(["frobnicate"], "unknown command", "'frobnicate'")


@check
def error_unknown_option():
    """error: an unknown option is named, for every subcommand"""
    expect_error(SLIDE_CONV + ["--strde", "2"], "unknown option", "--strde")
    expect_error(["pool", "--input", "1", "--mode", "max", "--size", "1", "--sise", "2"],
                 "unknown option", "--sise")
    expect_error(["summary", "--arch", "lenet5", "--input", "28x28x1", "--verbose"],
                 "unknown option", "--verbose")


@check
def error_missing_value():
    """error: an option without its value"""
    expect_error(["conv", "--kernel", "1", "--input"], "--input", "needs a value")
    expect_error(["pool", "--input", "1", "--mode", "max", "--size"], "--size", "needs a value")


@check
def error_option_twice():
    """error: an option given twice (only --kernel repeats)"""
    expect_error(["conv", "--input", "1", "--input", "2", "--kernel", "1"], "--input", "twice")
    expect_error(["pool", "--input", "1", "--mode", "max", "--mode", "avg", "--size", "1"],
                 "--mode", "twice")


@check
def error_missing_required_option():
    """error: a required option is missing (conv, pool, summary)"""
    expect_error(["conv", "--input", "1 2; 3 4"], "--kernel")
    expect_error(["conv", "--kernel", "1"], "--input")
    expect_error(["pool", "--input", "1 2; 3 4", "--size", "2"], "--mode")
    expect_error(["summary", "--arch", "lenet5"], "--input")
    expect_error(["summary", "--input", "28x28x1"], "--arch")


@check
def error_stray_argument():
    """error: a word that is not an option, and a flag given a value"""
    expect_error(SLIDE_CONV + ["extra"], "unexpected argument", "'extra'")
    expect_error(SLIDE_CONV + ["--json=yes"], "--json", "takes no value")


# -- errors: matrices

@check
def error_ragged_matrix():
    """error: a ragged matrix names the option and the row"""
    expect_error(["conv", "--input", "1 2 3; 4 5; 6 7 8", "--kernel", "1"],
                 "--input, row 2", "rectangular")
    expect_error(["conv", "--input", "1 2; 3 4", "--kernel", "1 1; 1"], "--kernel, row 2")
    expect_error(["conv", "--input", "1 2; 3 4 | 5 6; 7", "--kernel", "1|1"],
                 "--input, channel 2, row 2")


@check
def error_not_a_number():
    """error: a value that is not a number is quoted, with its row"""
    expect_error(["conv", "--input", "1 2; 3 x4", "--kernel", "1"], "--input, row 2", "'x4'",
                 "not a number")
    for token in ("nan", "inf", "0x10", "1e999", "--", "1..2", "e5"):
        expect_error(["conv", "--input", "1 " + token, "--kernel", "1"], "'%s'" % token)
    expect_error(["conv", "--input", "1 2", "--kernel", "1", "--bias", "b"], "--bias", "'b'")


@check
def error_empty_matrix():
    """error: an empty matrix, a matrix of separators, an empty row or channel"""
    expect_error(["conv", "--input", "", "--kernel", "1"], "--input", "empty")
    expect_error(["conv", "--input", " ; ", "--kernel", "1"], "--input", "empty")
    expect_error(["conv", "--input", "1 2", "--kernel", ""], "--kernel", "empty")
    expect_error(["conv", "--input", "1 2;; 3 4", "--kernel", "1"], "--input, row 2", "empty")
    expect_error(["conv", "--input", "1 2 |", "--kernel", "1|1"], "--input", "channel 2",
                 "no values")


@check
def error_channel_mismatch():
    """error: the kernel's channel count differs from the input's"""
    expect_error(["conv", "--input", "1 2; 3 4 | 5 6; 7 8", "--kernel", "1"],
                 "--kernel", "1 channel", "--input has 2")
    expect_error(["conv", "--input", "1 2; 3 4 | 5 6; 7 8 | 1 1; 1 1", "--kernel", "1|1"],
                 "2 channel", "--input has 3")


@check
def error_filters_of_different_sizes():
    """error: two --kernel filters of different sizes"""
    expect_error(["conv", "--input", mtext(IMG4), "--kernel", "1 1; 1 1", "--kernel", "1"],
                 "--kernel 2", "1x1", "2x2")


@check
def error_kernel_larger_than_input():
    """error: a kernel larger than the padded input quotes both sizes"""
    expect_error(["conv", "--input", "1 2; 3 4", "--kernel", mtext(SLIDE_KERNEL)],
                 "3x3", "2x2", "larger")
    expect_error(["conv", "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 1; 1 1",
                  "--dilation", "3"], "4x4", "3x3", "larger")


@check
def error_stride_zero_or_negative():
    """error: a stride of 0 or below (conv and pool)"""
    for s in ("0", "-1", "-7"):
        expect_error(SLIDE_CONV + ["--stride", s], "stride", "at least 1")
        expect_error(["pool", "--input", "1 2; 3 4", "--mode", "max", "--size", "2",
                      "--stride", s], "stride", "at least 1")
    expect_error(SLIDE_CONV + ["--stride", "two"], "--stride", "'two'")


@check
def error_dilation_zero():
    """error: a dilation of 0"""
    expect_error(SLIDE_CONV + ["--dilation", "0"], "dilation", "at least 1")


@check
def error_negative_padding():
    """error: negative padding (conv and pool)"""
    expect_error(SLIDE_CONV + ["--padding", "-1"], "padding", "negative")
    expect_error(["pool", "--input", "1 2; 3 4", "--mode", "max", "--size", "2",
                  "--padding", "-1"], "padding", "negative")


@check
def error_bad_padding_word():
    """error: --padding that is not valid, same or a whole number"""
    for word in ("full", "1.5", "SAME", ""):
        expect_error(SLIDE_CONV + ["--padding", word], "--padding", "'%s'" % word)


@check
def error_bias_count():
    """error: --bias with a count that differs from the filters"""
    expect_error(SLIDE_CONV + ["--bias", "1, 2"], "--bias", "2 value", "1 filter")
    expect_error(SLIDE_CONV + ["--kernel", mtext(X_KERNEL), "--bias", "1"],
                 "--bias", "1 value", "2 filter")


@check
def error_pool_arguments():
    """error: pool with a bad --mode, --size 0, or a window larger than the input"""
    base = ["pool", "--input", "1 2; 3 4"]
    expect_error(base + ["--mode", "median", "--size", "2"], "--mode", "'median'")
    expect_error(base + ["--mode", "max", "--size", "0"], "--size", "at least 1")
    expect_error(base + ["--mode", "max", "--size", "3"], "3x3", "2x2", "larger")


@check
def error_pool_padding_over_half():
    """error: pooling padding more than half the window"""
    expect_error(["pool", "--input", mtext(IMG4), "--mode", "max", "--size", "2",
                  "--padding", "2"], "padding 2", "half", "2x2")
    expect_error(["pool", "--input", mtext(IMG4), "--mode", "avg", "--size", "3",
                  "--padding", "2"], "padding 2", "half")


# -- errors: files

@check
def error_missing_file():
    """error: a missing @FILE is named with its path"""
    path = os.path.join(WORKDIR, "no-such-dir", "image.txt")
    expect_error(["conv", "--input", "@" + path, "--kernel", "1"], "--input", path)
    expect_error(["conv", "--input", "1", "--kernel", "@"], "--kernel", "file name")


@check
def error_ragged_file():
    """error: a ragged @FILE names file:line"""
    path = os.path.join(DATA, "ragged.txt")
    expect_error(["conv", "--input", "@" + path, "--kernel", "1"], path + ":3:", "rectangular")


@check
def error_file_with_inline_syntax():
    """error: ';' or '|' inside a file names file:line"""
    path = os.path.join(WORKDIR, "semicolons.txt")
    with open(path, "w") as f:
        f.write("# comment\n1 2; 3 4\n")
    expect_error(["conv", "--input", "@" + path, "--kernel", "1"], path + ":2:")


@check
def error_file_bad_value_and_empty():
    """error: a non-number in a file names file:line; a file without numbers is empty"""
    path = os.path.join(WORKDIR, "bad.txt")
    with open(path, "w") as f:
        f.write("1 2\n\n3 4\n5 six\n")
    expect_error(["conv", "--input", "@" + path, "--kernel", "1|1"], path + ":4:", "'six'")
    empty = os.path.join(WORKDIR, "empty.txt")
    with open(empty, "w") as f:
        f.write("# nothing here\n\n")
    expect_error(["conv", "--input", "@" + empty, "--kernel", "1"], empty, "empty")


# -- errors: summary

def caret(err):
    """The architecture text and the 1-based column the caret points at, from
    the two lines after the message."""
    lines = err.rstrip("\n").split("\n")
    expect(len(lines) >= 3, "no caret line under the architecture")
    text, mark = lines[-2], lines[-1]
    expect(mark.strip() == "^" and text.startswith("  "), "the last line is not a caret")
    return text[2:], mark.index("^") - 2 + 1


@check
def error_unknown_layer():
    """error: an unknown layer in --arch names it and its column, with a caret under it"""
    arch = "conv(6,5),relux,flatten"
    err = expect_error(["summary", "--arch", arch, "--input", "28x28x1"],
                       "--arch", "unknown layer", "'relux'", "column 11")
    text, col = caret(err)
    expect(text == arch, "the caret line quotes %r" % text)
    expect(col == 11 and text[col - 1:].startswith("relux"), "the caret is at column %d" % col)


@check
def error_dense_without_flatten():
    """error: dense after a feature map says to add flatten, with the column and a caret"""
    arch = "conv(6,5),dense(10)"
    err = expect_error(["summary", "--arch", arch, "--input", "28x28x1"],
                       "dense(10)", "column 11", "add flatten")
    text, col = caret(err)
    expect(col == 11 and text[col - 1:].startswith("dense"), "the caret is at column %d" % col)


@check
def error_arch_syntax():
    """error: malformed --arch text (unclosed '(', bad number, unknown option, empty)"""
    expect_error(["summary", "--arch", "conv(6,5", "--input", "28x28x1"], "never closed")
    expect_error(["summary", "--arch", "conv(6,x)", "--input", "28x28x1"], "'x'", "column 8")
    expect_error(["summary", "--arch", "conv(6,5,strde=2)", "--input", "28x28x1"],
                 "unknown option", "'strde'")
    expect_error(["summary", "--arch", "", "--input", "28x28x1"], "empty")
    expect_error(["summary", "--arch", "flatten,conv(6,5)", "--input", "28x28x1"],
                 "column 9", "before flatten")


@check
def error_preset_caret():
    """error: in a preset, the caret line shows the text the column counts in"""
    # lenet5 on 4x4: the second conv(16,5) gets a 2x2 map. The column counts in
    # the preset's expansion, so the caret line must show that text, also when
    # the preset name has spaces around it (which --arch accepts).
    for arch in ("lenet5", " lenet5 "):
        err = expect_error(["summary", "--arch", arch, "--input", "4x4x1"], "conv(16,5)", "column")
        col = int(re.search(r"column (\d+)", err).group(1))
        text, at = caret(err)
        expect(at == col and text[col - 1:].startswith("conv(16,5)"),
               "--arch %r: the caret line %r does not point at conv(16,5)" % (arch, text))


@check
def error_malformed_hwc():
    """error: --input that is not HxWxC (summary)"""
    for text in ("28x", "abc", "28xx1", "28x28x1x", "28", "28x28x1x2", "-28x28x1", "28 x 28"):
        expect_error(["summary", "--arch", "lenet5", "--input", text], "--input", "HxWxC",
                     "'%s'" % text)
    expect_error(["summary", "--arch", "lenet5", "--input", "0x28x1"], "--input", "'0x28x1'")


# -- help and version

@check
def help_main():
    """--help, -h, help and no arguments print the usage and exit 0"""
    for args in (["--help"], ["-h"], ["help"], []):
        code, out, err = run(*args)
        expect(code == 0, "%s: exit status %d" % (args, code))
        expect(out.startswith("usage: convstep"), "%s: no usage on stdout" % args)
        for cmd in ("conv", "pool", "summary"):
            expect(cmd in out, "%s: the help does not list %s" % (args, cmd))
        expect(err == "", "%s: stderr is not empty" % args)


@check
def help_subcommands():
    """conv/pool/summary --help (and `help CMD`) print that command's usage and exit 0"""
    for cmd in ("conv", "pool", "summary"):
        for args in ([cmd, "--help"], ["help", cmd]):
            code, out, err = run(*args)
            expect(code == 0, "%s: exit status %d" % (args, code))
            expect(out.startswith("usage: convstep " + cmd), "%s: no usage line" % args)
            expect(err == "", "%s: stderr is not empty" % args)
    code, out, err = run(*(SLIDE_CONV + ["--help"]))
    expect(code == 0 and out.startswith("usage: convstep conv"), "--help after options")


@check
def version():
    """--version prints 'convstep X.Y.Z' and exits 0"""
    code, out, err = run("--version")
    expect(code == 0, "exit status %d" % code)
    expect(re.fullmatch(r"convstep \d+\.\d+\.\d+\ngemm kernel: (avx512|avx2|scalar)\n", out),
           "--version printed %r" % out)


def run_env(env_extra, *args):
    """Runs convstep with extra environment variables (and no CONVSTEP_KERNEL from the
    caller's environment); returns (status, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k != "CONVSTEP_KERNEL"}
    env.update(env_extra)
    return run_program([CONVSTEP, *args], WORKDIR, TIMEOUT, env=env)


def cpu_flags():
    """The CPU's feature flags from /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


@check
def kernel_env():
    """CONVSTEP_KERNEL=scalar|avx2|avx512 is honoured (--version names it); unset or empty
    keeps the automatic kernel; an unknown name or one this CPU lacks is exit 1 naming
    the variable, the value and the choices"""
    code, out, err = run_env({"CONVSTEP_KERNEL": "scalar"}, "--version")
    expect(code == 0 and out.endswith("gemm kernel: scalar\n"), "scalar: %d %r %r" % (code, out, err))
    flags = cpu_flags()
    # Which the CPU can run, from /proc/cpuinfo (not from the program).
    can = {"avx2": {"avx2", "fma"} <= flags, "avx512": "avx512f" in flags}
    for name in ("avx2", "avx512"):
        code, out, err = run_env({"CONVSTEP_KERNEL": name}, "--version")
        if can[name]:
            expect(code == 0 and out.endswith("gemm kernel: %s\n" % name),
                   "%s: %d %r %r" % (name, code, out, err))
        else:
            expect(code == 1 and out == "" and "CONVSTEP_KERNEL='%s'" % name in err
                   and "cannot run" in err and "scalar" in err, "%s on a CPU without it: %d %r" % (name, code, err))
    code, auto, err = run_env({}, "--version")
    code2, empty, err = run_env({"CONVSTEP_KERNEL": ""}, "--version")
    best = "avx512" if can["avx512"] else "avx2" if can["avx2"] else "scalar"
    expect(code == 0 and code2 == 0 and auto == empty and auto.endswith("gemm kernel: %s\n" % best),
           "automatic kernel: %r, with it empty: %r, want %s" % (auto, empty, best))
    for bad in ("sse9", "AVX2", "avx2 "):
        code, out, err = run_env({"CONVSTEP_KERNEL": bad}, "conv", "--input", "1", "--kernel", "1")
        expect(code == 1 and out == "", "%r: exit %d, stdout %r" % (bad, code, out))
        expect(err.startswith("convstep: error: CONVSTEP_KERNEL='%s'" % bad)
               and all(c in err for c in ("avx512", "avx2", "scalar")),
               "%r: the message %r should name the variable, the value and the choices" % (bad, err))
    # Every kernel computes the same forward pass (the engine's bits agree).
    # Every kernel gives the shipped model the same probabilities (the forward pass
    # is bit-identical on every kernel): a 28x28 PGM of a slanted stroke.
    pixels = bytes(255 if abs(x - (20 - y // 2)) <= 1 and 4 <= y < 24 else 0
                   for y in range(28) for x in range(28))
    with open(os.path.join(WORKDIR, "stroke.pgm"), "wb") as f:
        f.write(b"P5\n28 28\n255\n" + pixels)
    outs = set()
    for name in [k for k in ("scalar", "avx2", "avx512") if k == "scalar" or can[k]]:
        code, out, err = run_env({"CONVSTEP_KERNEL": name}, "classify", "--json", "stroke.pgm")
        expect(code == 0, "%s: classify exit %d: %s" % (name, code, err[-300:]))
        outs.add(out)
    expect(len(outs) == 1, "classify differs between kernels: %r" % outs)


# -- output that cannot be written

def run_into_closed_pipe(*args):
    """Runs with stdout connected to a pipe whose reading end is already closed."""
    r, w = os.pipe()
    os.close(r)
    try:
        return run(*args, stdout=w)
    finally:
        os.close(w)


@check
def closed_pipe_small_output():
    """a closed stdout pipe: an error and exit 2, never SIGPIPE"""
    code, out, err = run_into_closed_pipe("summary", "--arch", "lenet5", "--input", "28x28x1")
    expect(code == 2, "exit status %d, expected 2" % code)
    expect(err.startswith("convstep: error:") and "writ" in err, "no write error on stderr")


@check
def closed_pipe_large_output():
    """a closed stdout pipe during a long --json output: exit 2, never SIGPIPE"""
    img = [[(r * 31 + c * 17) % 10 for c in range(60)] for r in range(60)]
    code, out, err = run_into_closed_pipe("conv", "--input", mtext(img), "--kernel",
                                          mtext(SLIDE_KERNEL), "--json")
    expect(code == 2, "exit status %d, expected 2" % code)
    expect(err.startswith("convstep: error:"), "no error on stderr")


def read_then_go_away(cmd):
    """Runs cmd, reads the first 100 bytes of its output and closes the pipe,
    as `| head -c 100` does; returns (exit status, stderr, seconds it took)."""
    import time
    LAST_RUN.append({"cmd": cmd, "code": None, "out": "", "err": ""})
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=WORKDIR)
    p.stdout.read(100)
    p.stdout.close()
    try:
        err = p.stderr.read().decode("utf-8", "replace")
        code = p.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise Fail("did not stop after the reader went away (timed out)")
    LAST_RUN[-1].update(code=code, err=err)
    expect(code >= 0, "killed by signal %d" % -code)
    return code, err, time.monotonic() - start


@check
def reader_goes_away():
    """a reader that stops after 100 bytes: the program ends with a status, not a signal"""
    img = [[(r * 31 + c * 17) % 10 for c in range(60)] for r in range(60)]
    code, _, _ = read_then_go_away([CONVSTEP, "conv", "--input", mtext(img), "--kernel",
                                    mtext(SLIDE_KERNEL)])
    expect(code == 2, "exit status %d, expected 2" % code)


@check
def full_disk():
    """stdout on a full device (/dev/full): exit 2 with an error, not success"""
    if not os.path.exists("/dev/full"):
        raise Skip("no /dev/full")
    with open("/dev/full", "w") as full:
        code, out, err = run("summary", "--arch", "lenet5", "--input", "28x28x1",
                             stdout=full.fileno())
    expect(code == 2, "exit status %d, expected 2" % code)
    expect(err.startswith("convstep: error:"), "no error on stderr")


# -- robustness

@check
def odd_inputs_never_crash():
    """odd inputs end with exit 0 or 1 and a message, never a signal or sanitizer report"""
    cases = [
        ["conv", "--input", "1" * 60, "--kernel", "1"],
        ["conv", "--input", "9" * 45, "--kernel", "1"],
        ["conv", "--input", "3e38", "--kernel", "3e38"],
        ["conv", "--input", "-0", "--kernel", "-0", "--json"],
        ["conv", "--input", "|", "--kernel", "1"],
        ["conv", "--input", ";;;", "--kernel", "1"],
        ["conv", "--input", "1 2; 3 4", "--kernel", "1", "--padding", "99999999999"],
        ["conv", "--input", "1 2; 3 4", "--kernel", "1", "--padding", "1000001"],
        ["conv", "--input", "1 2; 3 4", "--kernel", "1", "--stride", "2147483647"],
        ["conv", "--input", "1 2; 3 4", "--kernel", "1", "--dilation", "2147483647"],
        ["conv", "--input", "1 2; 3 4", "--kernel", "1", "--padding", "same", "--stride", "1000000"],
        ["conv", "--input", "1 2; 3 4", "--kernel", "1 2; 3 4", "--expect", "x"],
        ["conv", "--input", "\u00e9", "--kernel", "1"],
        ["conv", "--input", "@" + WORKDIR, "--kernel", "1"],
        ["pool", "--input", "1", "--mode", "max", "--size", "2147483647"],
        ["pool", "--input", "1", "--mode", "max", "--size", "1", "--stride", "-2147483647"],
        ["pool", "--input", "1", "--mode", "", "--size", "1"],
        ["summary", "--arch", "conv(" * 100, "--input", "28x28x1"],
        ["summary", "--arch", ",".join(["relu"] * 300), "--input", "28x28x1"],
        ["summary", "--arch", "dense(1000000),dense(1000000)", "--input", "28x28x1"],
        ["summary", "--arch", "conv(1000000,1)", "--input", "1000x1000x1000"],
        ["summary", "--arch", "dropout(1)", "--input", "2x2x1"],
        ["summary", "--arch", "conv(6,5)\n,relux", "--input", "28x28x1"],
        ["summary", "--arch", "lenet5", "--input", "99999999999999999999x1x1"],
        ["--version", "extra"],
    ]
    for args in cases:
        code, out, err = run(*args)
        expect(code in (0, 1), "%s: exit status %d" % (args[:4], code))
        if code == 1:
            expect(err.startswith("convstep: error: ") and out == "",
                   "%s: exit 1 without a clean error" % (args[:4],))


# -- issue 10: bounded work, output that stops, text files of every kind

def write_file(name, data):
    """Writes bytes (or text) into WORKDIR; returns the path."""
    path = os.path.join(WORKDIR, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


@check
def conv_padding_is_bounded():
    """--padding 8000 on a 1x1 input is refused at once (it took 2 GB and minutes)"""
    err = expect_error(["conv", "--input", "1", "--kernel", "1", "--padding", "8000", "--quiet"],
                       "--padding", "4096", "8000")
    # Within the padding limit, the padded input is still bounded: 1 + 2*2048 per side.
    side = 1 + 2 * 2048
    err = expect_error(["conv", "--input", "1", "--kernel", "1", "--padding", "2048", "--quiet"],
                       "%dx%d" % (side, side), str(side * side), str(1 << 24))
    # The largest padding that fits works: (1 + 2p)^2 <= 2^24 for p = 100.
    code, out, err = run("conv", "--input", "1", "--kernel", "2", "--padding", "100", "--quiet")
    expect(code == 0, "exit status %d" % code)
    expect("output: 201x201" in out, "no 201x201 output")


@check
def conv_work_is_bounded():
    """a convolution of more than 2^24 multiply-adds is refused with its numbers"""
    n, k = 300, 150
    img = write_file("big.txt", "\n".join(" ".join("1" for _ in range(n)) for _ in range(n)) + "\n")
    ker = write_file("kbig.txt", "\n".join(" ".join("1" for _ in range(k)) for _ in range(k)) + "\n")
    outputs, window = (n - k + 1) ** 2, k * k
    expect_error(["conv", "--input", "@" + img, "--kernel", "@" + ker, "--quiet"],
                 "%d output cells" % outputs, "%d multiply-adds" % window, str(outputs * window),
                 str(1 << 24))


@check
def pool_work_is_bounded():
    """pooling a 1x1 input with a 4096 window and padding 2048 is refused, not worked out"""
    side = 1 + 2 * 2048
    expect_error(["pool", "--input", "1", "--mode", "max", "--size", "4096", "--padding", "2048"],
                 "%dx%d" % (side, side), str(1 << 24))
    expect_error(["pool", "--input", "1", "--mode", "max", "--size", "4097"], "--size", "4096")


@check
def reader_goes_away_stops_the_work():
    """`conv ... | head -1` on a 1000x1000 input ends soon with exit 2 (it ran to the end: minutes)"""
    n = 1000
    img = write_file("m1000.txt", "\n".join(" ".join(str((r * 31 + c * 17) % 10) for c in range(n))
                                            for r in range(n)) + "\n")
    cmd = [CONVSTEP, "conv", "--input", "@" + img, "--kernel", mtext(SLIDE_KERNEL)]
    for extra in ([], ["--json"]):
        # 100 bytes: the first line of text, the start of the one JSON line.
        code, err, elapsed = read_then_go_away(cmd + extra)
        expect(code == 2, "exit status %d, expected 2" % code)
        expect(err == "convstep: error: writing the output failed\n", "stderr is %r" % err)
        # The whole text would be 998*998 steps (about 100 MB); stopping at the
        # first failed write takes a fraction of a second even under sanitizers.
        expect(elapsed < 10, "took %.1f s after the reader went away" % elapsed)


@check
def matrix_file_line_ends_and_bom():
    """@FILE with a UTF-8 BOM, CRLF or old-Mac CR line ends reads as the rows written"""
    image = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    kernel = [[1, 0], [0, -1]]
    want = one_or_many(conv_ref([image], [[kernel]])[0])
    rows = [" ".join(str(v) for v in r) for r in image]
    for name, data in (("bom.txt", b"\xef\xbb\xbf" + "\n".join(rows).encode() + b"\n"),
                       ("crlf.txt", "\r\n".join(rows).encode() + b"\r\n"),
                       ("cr.txt", "\r".join(rows).encode() + b"\r"),
                       ("bom-cr.txt", b"\xef\xbb\xbf" + "\r".join(rows).encode())):
        path = write_file(name, data)
        doc = run_json("conv", "--input", "@" + path, "--kernel", mtext(kernel))
        expect(doc["input_shape"] == [1, 3, 3], "%s: input shape %s" % (name, doc["input_shape"]))
        expect_same(doc["output"], want, name)


@check
def matrix_file_limits():
    """a matrix file's lines (4096 bytes) and size (16 MiB) are bounded, with the limit quoted"""
    path = write_file("long.txt", " ".join(["1"] * 2048) + "\n")  # 4095 bytes: fine
    code, out, err = run("conv", "--input", "@" + path, "--kernel", "1", "--quiet")
    expect(code == 0, "a 4095-byte line was refused: %s" % err)
    path = write_file("long.txt", " ".join(["1"] * 2049) + "\n")  # 4097 bytes
    expect_error(["conv", "--input", "@" + path, "--kernel", "1"], "long.txt:1", "4096 bytes")
    path = os.path.join(WORKDIR, "huge.txt")
    with open(path, "wb") as f:
        f.truncate((16 << 20) + 1)
    expect_error(["conv", "--input", "@" + path, "--kernel", "1"], "huge.txt", str(16 << 20))


@check
def matrix_messages_escape_control_characters():
    """a value holding an escape sequence is quoted escaped, never sent to the terminal raw"""
    path = write_file("esc.txt", b"1 2\n3 \x1b[2J\x9b\n")
    err = expect_error(["conv", "--input", "@" + path, "--kernel", "1"], "esc.txt:2",
                       "\\x1B[2J\\x9B")
    expect("\x1b" not in err and "\ufffd" not in err, "raw bytes in %r" % err)
    name = "e\x1b[31m.txt"
    write_file(name, "1 x\n")
    err = expect_error(["conv", "--input", "@" + os.path.join(WORKDIR, name), "--kernel", "1"],
                       "e\\x1B[31m.txt:1")
    expect("\x1b" not in err, "raw escape in %r" % err)


# ---- TAP ---------------------------------------------------------------------------------

@check
def errors_never_print_control_characters():
    """every command's error escapes control characters of what it quotes (arguments, paths)"""
    cases = [
        (["c\x1b[2Jnv"], "c\\x1B[2Jnv"),                       # an unknown command
        (["conv", "--input", "1", "--kernel", "1", "--\x1b]0;t\x07"], "--\\x1B]0;t\\x07"),
        (["train", "--save", "no-such-dir/m\x1b[31m.model"], "m\\x1B[31m.model"),
        (["summary", "--arch", "conv(2,3)", "--input", "x\x9b2J"], None),
        (["lesson", "missing\x1b[5m.lesson"], "missing\\x1B[5m.lesson"),
    ]
    for args, shown in cases:
        status, out, err = run(*args)
        expect(1 <= status <= 127, "%r: exit status %d" % (args, status))
        expect(err.startswith("convstep: error: "), "%r: no error line: %r" % (args, err))
        for raw in ("\x1b", "\x07", "\x9b"):
            expect(raw not in err, "%r: a raw control character on stderr: %r" % (args, err))
        if shown:
            expect(shown in err, "%r: stderr should show %r: %r" % (args, shown, err))


@check
def live_env():
    """CONVSTEP_LIVE=threads|frames: the window's training view trains either way (steps
    made while frames are drawn); any other value is exit 1 naming the variable, the
    value and the choices"""
    for mode in ("threads", "frames"):
        code, out, err = run_env({"CONVSTEP_LIVE": mode}, "view", "train", "--model", "softmax",
                                 "--headless", "--bench-frames", "30")
        steps = re.search(r"^training steps: (\d+) in", out, re.M)
        expect(code == 0 and steps and int(steps.group(1)) > 0,
               "%s: exit %d, %r %r" % (mode, code, out, err))
    for bad in ("thread", "FRAMES", "frames "):
        code, out, err = run_env({"CONVSTEP_LIVE": bad}, "conv", "--input", "1", "--kernel", "1")
        expect(code == 1 and out == "", "%r: exit %d, stdout %r" % (bad, code, out))
        expect(err.startswith("convstep: error: CONVSTEP_LIVE='%s'" % bad) and "threads" in err
               and "frames" in err, "%r: the message %r should name the variable, the value and the choices"
               % (bad, err))


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-cli-", start))
