#!/usr/bin/env python3
"""Tests for `--layout-json` (every element the last frame drew, as JSON) and
for tests/tools/layout_check.py, which reads it.

    python3 tests/test_layout_json.py /path/to/convstep

Prints TAP and exits non-zero if a case failed. The values the grids must
show are computed here by hand from the lecture example, not read from the
program. Standard library only; every run fails its case on a signal or a
sanitizer report (tests/tools/tap.py).
"""

import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tools"))
import layout_check  # noqa: E402
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import Fail, expect, run_program  # noqa: E402

CONVSTEP = None
WORKDIR = None
ROOT = os.path.dirname(HERE)
TIMEOUT = 120

# The conv view's default set-up: the lecture example.
INPUT = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
KERNEL = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
KINDS = {"text", "grid", "cell", "button", "region", "image"}


def run(*args):
    return run_program([CONVSTEP, *args], WORKDIR, TIMEOUT)


def scratch(name):
    return os.path.join(WORKDIR, name)


def load(path):
    expect(os.path.isfile(path), "%s was not written" % os.path.basename(path))
    with open(path, "rb") as f:
        data = f.read()
    try:
        return json.loads(data.decode("utf-8"))  # strict UTF-8
    except (UnicodeDecodeError, ValueError) as e:
        raise Fail("%s is not valid JSON in UTF-8: %s" % (os.path.basename(path), e))


def valid_output():
    """The 3x3 valid cross-correlation of INPUT with KERNEL, row by row."""
    return [sum(INPUT[y + i][x + j] * KERNEL[i][j] for i in range(3) for j in range(3))
            for y in range(3) for x in range(3)]


def check_schema(doc, w, h):
    expect(doc.get("window") == [w, h], "window is %r, expected [%d, %d]" % (doc.get("window"), w, h))
    expect(isinstance(doc.get("items"), list) and doc["items"], "no items")
    for it in doc["items"]:
        expect(it.get("kind") in KINDS, "an item of kind %r" % it.get("kind"))
        for key, kind in (("role", str), ("text", str), ("px", int), ("region", str), ("rect", list)):
            expect(isinstance(it.get(key), kind), "item %r has no %s" % (it, key))
        expect(len(it["rect"]) == 4 and all(isinstance(v, int) for v in it["rect"]), "a bad rect in %r" % it)


def cells_in(doc, grid_role):
    """The cells inside the grid of that role, in drawing order."""
    grids = [it for it in doc["items"] if it["kind"] == "grid" and it["role"] == grid_role]
    expect(len(grids) == 1, "%d grids of role %s" % (len(grids), grid_role))
    g = grids[0]["rect"]
    return [it for it in doc["items"] if it["kind"] == "cell" and layout_check.inside(it["rect"], g)]


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def conv_view_layout():
    """view conv: window, zoom, the header's title, and the grids show the values computed by hand"""
    path = scratch("conv-start.json")
    status, out, err = run("view", "conv", "--headless", "--window", "1280x720", "--layout-json", path)
    expect(status == 0 and err == "", "exit %d, stderr %r" % (status, err))
    doc = load(path)
    check_schema(doc, 1280, 720)
    expect(doc["zoom"] == 100 and doc["view"] == "conv", "zoom %r view %r" % (doc["zoom"], doc["view"]))
    titles = [it for it in doc["items"] if it["kind"] == "text" and it["text"] == "convolution"]
    expect(titles and titles[0]["region"] == "header" and titles[0]["px"] >= 10,
           "no header text 'convolution': %r" % titles)
    expect(layout_check.inside(titles[0]["rect"], [0, 0, 1280, 720]), "the title is outside the window")
    regions = {it["role"] for it in doc["items"] if it["kind"] == "region"}
    expect({"header", "footer", "panel", "main"} <= regions, "regions %r" % regions)
    shown = [c["text"] for c in cells_in(doc, "input")]
    expect(shown == [str(v) for row in INPUT for v in row], "input cells show %r" % shown)
    expect([c["text"] for c in cells_in(doc, "kernel")] == [str(v) for row in KERNEL for v in row],
           "kernel cells are not the kernel")
    # Nothing computed yet: the output is empty on purpose, not hidden.
    out_cells = cells_in(doc, "output")
    expect(len(out_cells) == 9 and all(c["text"] == "" and c.get("pending") for c in out_cells),
           "the output before any step: %r" % out_cells)
    buttons = [it["text"] for it in doc["items"] if it["kind"] == "button"]
    expect("home" in buttons and "play" in buttons, "buttons %r" % buttons)

    # Stepped to the end: every output value, as computed above.
    path = scratch("conv-end.json")
    status, out, err = run("view", "conv", "--headless", "--window", "1280x720", "--steps", "10000",
                           "--layout-json", path)
    expect(status == 0, "exit %d" % status)
    doc = load(path)
    want = [str(v) for v in valid_output()]
    expect(want == ["12", "12", "17", "10", "17", "19", "9", "6", "14"], "the hand computation is wrong")
    got = [c["text"] for c in cells_in(doc, "output")]
    expect(got == want, "output cells show %r, expected %r" % (got, want))
    for c in cells_in(doc, "output"):
        expect(c["px"] > 0 and layout_check.inside(c["text_rect"], c["rect"]), "a value outside its cell: %r" % c)


@check
def recording_draws_the_same_picture():
    """--layout-json with --screenshot: the PNG is byte for byte the one drawn without it"""
    a, b = scratch("plain.png"), scratch("recorded.png")
    common = ["view", "conv", "--headless", "--steps", "5"]
    expect(run(*common, "--screenshot", a)[0] == 0, "the plain screenshot failed")
    expect(run(*common, "--screenshot", b, "--layout-json", scratch("rec.json"))[0] == 0,
           "the recorded screenshot failed")
    with open(a, "rb") as fa, open(b, "rb") as fb:
        expect(fa.read() == fb.read(), "recording changed the picture")
    check_schema(load(scratch("rec.json")), 1280, 720)


@check
def lesson_one_file_per_step():
    """lesson 01 --layout-json DIR: one step-NN.json per slide, each a lesson frame"""
    lesson = sorted(glob.glob(os.path.join(ROOT, "lessons", "01-*.lesson")))
    expect(lesson, "lesson 01 not found")
    out_dir, slides = scratch("steps"), scratch("slides")
    status, out, err = run("lesson", lesson[0], "--headless", "--layout-json", out_dir, "--export", slides)
    expect(status == 0, "exit %d" % status)
    names = sorted(os.listdir(out_dir))
    n_slides = len([n for n in os.listdir(slides) if n.endswith(".png")])
    expect(n_slides > 1, "only %d slides" % n_slides)
    expect(names == ["step-%02d.json" % i for i in range(1, n_slides + 1)],
           "files %r for %d slides" % (names, n_slides))
    for n in names:
        doc = load(os.path.join(out_dir, n))
        check_schema(doc, 1280, 720)
        narration = [it for it in doc["items"] if it["kind"] == "region" and it["role"] == "narration"]
        expect(narration, "%s has no narration region" % n)
        expect(any(it["kind"] == "text" and it["region"] == "narration" for it in doc["items"]),
               "%s has no narration text" % n)
        # The narration's buttons are drawn twice (again on top): one element each.
        buttons = [(it["text"], tuple(it["rect"])) for it in doc["items"] if it["kind"] == "button"]
        expect(len(buttons) == len(set(buttons)), "%s lists a button twice" % n)
        expect({"back", "next", "close"} <= {b[0] for b in buttons}, "%s: no lesson buttons" % n)


def write_doc(name, items):
    path = scratch(name)
    doc = {"window": [1920, 1080], "zoom": 100, "view": "conv", "items": [
        {"kind": "region", "role": "main", "text": "", "rect": [0, 100, 1400, 900], "px": 0, "region": "main"},
    ] + items}
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def text(t, rect, px=30, role="body", **extra):
    return dict({"kind": "text", "role": role, "text": t, "rect": rect, "px": px, "region": "main"}, **extra)


def checker(*args):
    return run_program([sys.executable, os.path.join(HERE, "tools", "layout_check.py"), *args], WORKDIR, TIMEOUT)


@check
def layout_check_finds_planted_violations():
    """layout_check: overlapping texts, a small one, a clipped one are found; a clean page passes"""
    clean = write_doc("clean.json", [
        text("first line", [10, 110, 200, 35]),
        text("second line", [10, 150, 200, 35]),
        {"kind": "cell", "role": "cell", "text": "7", "rect": [300, 300, 60, 60], "px": 24, "region": "main",
         "text_rect": [320, 315, 14, 28]},
        text("x2", [340, 340, 18, 18], px=16, role="badge"),  # in the cell, clear of its value
    ])
    status, out, err = checker(clean)
    expect(status == 0 and out.startswith("0 violation(s) in 1 file(s)"), "clean page: %d %r" % (status, out))

    bad = write_doc("bad.json", [
        text("first line", [10, 110, 200, 35]),
        text("on top of it", [100, 120, 200, 35]),
    ])
    status, out, err = checker(bad)
    expect(status == 1, "exit %d for an overlap" % status)
    expect(out.count(": overlap:") == 1 and "'first line'" in out and "'on top of it'" in out,
           "the overlap is not listed: %r" % out)
    expect(checker("--report", bad)[0] == 0, "--report must exit 0")

    small = write_doc("small.json", [text("tiny", [10, 110, 40, 12], px=10),
                                     text("too wide", [10, 600, 500, 35], box=[10, 600, 300, 40])])
    status, out, err = checker(small)
    expect(status == 1 and ": too-small:" in out and ": clipped:" in out, "small/clipped: %r" % out)
    # The minimum is a parameter, scaled by the window: 10 px passes a 10 px minimum at 1080.
    status, out, err = checker("--min", "body=10", small)
    expect(": too-small:" not in out, "--min body=10 still complains: %r" % out)
    # A badge over a cell's value is an overlap.
    covered = write_doc("covered.json", [
        {"kind": "cell", "role": "cell", "text": "7", "rect": [300, 300, 60, 60], "px": 24, "region": "main",
         "text_rect": [320, 315, 14, 28]},
        text("x2", [325, 330, 18, 18], px=16, role="badge"),
    ])
    expect(": overlap:" in checker(covered)[1], "a badge over a value is not an overlap")


@check
def bad_layout_json_paths():
    """--layout-json into a missing folder, a folder, an empty name, without --headless: an error, no crash"""
    for args, code, word in [
        (["view", "conv", "--headless", "--layout-json", scratch("no/such/dir/x.json")], 2, "no/such/dir"),
        (["view", "conv", "--headless", "--layout-json", WORKDIR], 2, WORKDIR),
        (["view", "conv", "--headless", "--layout-json", ""], 1, "--layout-json"),
        (["view", "conv", "--layout-json", scratch("x.json")], 1, "--headless"),
        (["lesson", os.path.join(ROOT, "lessons", "04-padding.lesson"), "--layout-json", scratch("d")], 1,
         "--headless"),
    ]:
        status, out, err = run(*args)
        expect(status == code, "%r: exit %d, expected %d" % (args, status, code))
        expect(err.startswith("convstep: error: ") and word in err, "%r: stderr %r" % (args, err))
    # A lesson's folder that is a file: the first step cannot be written.
    blocker = scratch("a-file")
    with open(blocker, "w") as f:
        f.write("x")
    status, out, err = run("lesson", os.path.join(ROOT, "lessons", "04-padding.lesson"), "--headless",
                           "--layout-json", blocker)
    expect(status == 2 and "convstep: error: " in err and "a-file" in err, "exit %d, %r" % (status, err))
    expect(not [n for n in os.listdir(WORKDIR) if ".tmp-" in n], "a temporary file was left behind")


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-layout-", start))
