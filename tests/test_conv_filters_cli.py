#!/usr/bin/env python3
"""Command-line tests for the convolution view's several filters:
`convstep view conv --kernel A --kernel B [--bias b1 --bias b2]`, run
headless. The values the view shows (read from --layout-json) are checked
against a plain convolution written here.

    python3 tests/test_conv_filters_cli.py /path/to/convstep

Prints TAP and exits non-zero if a case failed. Standard library only.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import layout_check  # noqa: E402  (tests/tools/layout_check.py)
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import Fail, expect, run_program  # noqa: E402

CONVSTEP = None
WORKDIR = None
TIMEOUT = 60

INPUT = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
KERNELS = [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]
BIASES = [1, -2]


def matrix_text(m):
    return "; ".join(" ".join(str(v) for v in row) for row in m)


def convolve(image, kernel, bias):
    """Valid cross-correlation, stride 1: a plain loop."""
    k = len(kernel)
    n = len(image) - k + 1
    return [[bias + sum(image[r + i][c + j] * kernel[i][j] for i in range(k) for j in range(k))
             for c in range(n)] for r in range(n)]


def run(*args):
    code, out, err = run_program([CONVSTEP, "view", "conv", *args, "--headless"], WORKDIR, TIMEOUT)
    return code, out, err


def layout(*args):
    path = os.path.join(WORKDIR, "layout.json")
    code, out, err = run(*args, "--layout-json", path)
    expect(code == 0, "exit status %d: %s" % (code, err.strip()))
    with open(path) as f:
        return json.load(f)


def inside(r, q):
    return r[0] >= q[0] and r[1] >= q[1] and r[0] + r[2] <= q[0] + q[2] and r[1] + r[3] <= q[1] + q[3]


def grid_values(doc, title):
    """The values shown in the grid headed `title`, row by row."""
    grids = [i for i in doc["items"] if i["kind"] == "grid" and i["text"] == title]
    if len(grids) != 1:
        raise Fail("want one grid headed %r, found %d" % (title, len(grids)))
    g = grids[0]
    cells = [i for i in doc["items"] if i["kind"] == "cell" and inside(i["rect"], g["rect"])]
    rows = {}
    for c in cells:
        rows.setdefault(c["rect"][1], []).append(c)
    return [[float(c["text"]) for c in sorted(rows[y], key=lambda c: c["rect"][0])] for y in sorted(rows)]


def two_filter_args(*bias):
    args = ["--input", matrix_text(INPUT)]
    for k in KERNELS:
        args += ["--kernel", matrix_text(k)]
    return args + list(bias) + ["--steps", "8"]  # 2 filters of 2x2 cells: every cell done


def check_maps(doc):
    for f in range(2):
        want = convolve(INPUT, KERNELS[f], BIASES[f])
        got = grid_values(doc, "filter %d" % (f + 1))
        expect(got == want, "filter %d shows %s, a plain loop gives %s" % (f + 1, got, want))


def test_repeated_kernels_and_biases():
    """--kernel twice, --bias twice: two output maps, as a plain loop computes them"""
    doc = layout(*two_filter_args("--bias", "1", "--bias", "-2"))
    check_maps(doc)
    titles = [i["text"] for i in doc["items"] if i["kind"] == "grid"]
    for t in ("f1 kernel", "f2 kernel", "f1 bias", "f2 bias"):
        expect(t in titles, "no grid headed %r (%s)" % (t, titles))


def test_one_bias_per_filter_in_one_option():
    """--bias '1, -2' gives the same two maps"""
    check_maps(layout(*two_filter_args("--bias", "1, -2")))


def test_parameter_count_on_screen():
    """the formula panel counts F x (k x k x C + 1) with the numbers"""
    doc = layout(*two_filter_args("--bias", "1, -2"))
    texts = [i["text"] for i in doc["items"] if i["kind"] == "text"]
    # 2 x (2 x 2 x 1 + 1) = 10
    want = "F \u00d7 (k \u00d7 k \u00d7 C + 1) = 2 \u00d7 (2 \u00d7 2 \u00d7 1 + 1) = 10 parameters"
    expect(want in texts, "no %r among the texts" % want)


def test_errors():
    """too many filters, sizes that differ, a bias count that differs, --input twice"""
    cases = [
        (["--kernel", "1"] * 5, "--kernel: the view shows at most 4 filters, got 5"),
        (["--kernel", "1 0; 0 1", "--kernel", "1 0 0; 0 1 0; 0 0 1"],
         "--kernel 2 is 3x3 but --kernel 1 is 2x2: all filters need one size"),
        (["--kernel", "1", "--kernel", "2", "--bias", "1"],
         "--bias has 1 value(s) but there are 2 filter(s): give one bias per filter"),
        (["--kernel", "1", "--bias", "1", "--bias", "2"],
         "--bias has 2 value(s) but there is 1 filter(s): give one bias per filter"),
        (["--input", "1", "--input", "2"], "option --input is given twice"),
    ]
    for args, message in cases:
        code, out, err = run(*args)
        expect(code == 1, "%s: exit status %d, want 1" % (args, code))
        expect(message in err, "%s: stderr %r lacks %r" % (args, err, message))


def test_six_channels_one_at_a_time():
    """LeNet-5's 2nd conv (6 maps of 14x14) opened: one channel at a time, values readable, a button each

    At 1280x720 and 1920x1080, zoom 100 and 150."""
    for size in ("1280x720", "1920x1080"):
        for zoom in ("100", "150"):
            path = os.path.join(WORKDIR, "six-%s-%s.json" % (size, zoom))
            code, out, err = run_program([CONVSTEP, "view", "network", "--headless", "--model", "lenet5", "--select",
                                          "4:5:3:3", "--open", "--window", size, "--zoom", zoom,
                                          "--layout-json", path], WORKDIR, TIMEOUT)
            expect(code == 0, "%s zoom %s: exit status %d: %s" % (size, zoom, code, err.strip()))
            with open(path) as f:
                doc = json.load(f)
            found = layout_check.check_document(doc)
            expect(not found, "%s zoom %s: %s" % (size, zoom, "; ".join(m for _, m in found[:3])))
            texts = [i["text"] for i in doc["items"] if i["kind"] == "text"]
            expect("input channel shown:" in texts, "%s zoom %s: no row of channel buttons" % (size, zoom))
            buttons = [i["text"] for i in doc["items"] if i["kind"] == "button"]
            for ch in range(6):
                expect(str(ch) in buttons, "%s zoom %s: no button %d among %s" % (size, zoom, ch, buttons))
            titles = [i["text"] for i in doc["items"] if i["kind"] == "grid"]
            expect("input 0" in titles and "kernel 0" in titles, "%s zoom %s: grids %s" % (size, zoom, titles))
            expect(not any(t.startswith(("input ", "kernel ")) and t[-1] in "12345" for t in titles),
                   "%s zoom %s: other channels drawn too: %s" % (size, zoom, titles))


CHECKS = [test_six_channels_one_at_a_time, test_repeated_kernels_and_biases, test_one_bias_per_filter_in_one_option, test_parameter_count_on_screen,
          test_errors]


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-filters-", start))
