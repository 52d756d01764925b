#!/usr/bin/env python3
"""Command-line tests for convstep's drawing canvas and training views, headless.

    python3 tests/test_draw_cli.py /path/to/convstep

Prints TAP (one case per check function below) and exits non-zero if any
case failed. Standard library only.

The drawing cases feed pen strokes with `view draw --headless --strokes` and
read the line "the drawing is a D (P%)". The canvas must be prepared for the
network exactly as `convstep classify` prepares a picture, so the same strokes
are rendered here, independently of the program, into a 112x112 picture (a
round pen of radius 5 with a one-pixel soft rim, the larger ink winning where
segments overlap, as app/draw.c describes it), saved as PGM and classified with
`convstep classify --json`: the class and probability must agree with what the
drawing view says.

Every run also fails the case if the program died from a signal or printed a
sanitizer report (ASan, LeakSanitizer, UBSan, TSan), so the file is meant to
pass against a sanitizer build as well.
"""

import json
import math
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import LAST_RUN, Fail, Skip, expect, run_program  # noqa: E402

CONVSTEP = None  # absolute path of the program, from argv[1]
TIMEOUT = 120  # seconds per run
WORKDIR = None  # a scratch directory every run starts in


SIDE = 112  # the canvas, in its own pixels
BRUSH = 5  # the pen's radius when the view opens

DRAWING_RE = re.compile(r"^the drawing is a (\d) \((\d+\.\d)%\)$", re.M)
TRAINED_RE = re.compile(r"^trained (\d+) steps of (.+): test accuracy (\d+\.\d+)%$", re.M)

SOFTMAX_ARCH = "flatten,dense(10),softmax"
SMALL_ARCH = "conv(8,5,pad=2),relu,maxpool(2),flatten,dense(10),softmax"


# ---- Running the program ------------------------------------------------------------

def run(*args):
    """Runs convstep with args in WORKDIR; returns (exit status, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    code, out, err = run_program([CONVSTEP, *args], WORKDIR, TIMEOUT)
    return code, out, err, time.monotonic() - t0


def expect_ok(*args):
    """Runs args expecting exit status 0; returns (stdout, stderr, seconds)."""
    status, out, err, seconds = run(*args)
    expect(status == 0, "exit status %d, expected 0" % status)
    return out, err, seconds


def expect_error(args, *words, code=1):
    """Runs args, expecting an error: the exit status, nothing on stdout, and
    a stderr that starts with 'convstep: error:' and contains every word."""
    status, out, err, _ = run(*args)
    expect(status == code, "exit status %d, expected %d" % (status, code))
    expect(out == "", "stdout should be empty on an error")
    expect(err.startswith("convstep: error: "), "stderr does not start with 'convstep: error: '")
    for w in words:
        expect(w in err, "stderr does not mention %r" % w)
    return err


def scratch(name):
    return os.path.join(WORKDIR, name)


def expect_png(path):
    expect(os.path.exists(path), "%s was not written" % path)
    with open(path, "rb") as f:
        head = f.read(8)
    expect(head == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path)


# ---- Strokes and the canvas, done here ------------------------------------------------

def stroke_text(strokes):
    """[[(x, y), ...], ...] as the --strokes text 'x,y x,y; x,y ...'."""
    def n(v):
        return str(int(v)) if float(v).is_integer() else "%.3f" % v
    return "; ".join(" ".join("%s,%s" % (n(x), n(y)) for x, y in s) for s in strokes)


def ellipse(cx, cy, rx, ry, points=24):
    """A closed loop: `points` points around an ellipse and back to the first."""
    pts = [(round(cx + rx * math.sin(2 * math.pi * k / points), 3),
            round(cy - ry * math.cos(2 * math.pi * k / points), 3)) for k in range(points)]
    return pts + [pts[0]]


def render(strokes, r=BRUSH):
    """The canvas the strokes make: SIDE x SIDE ink values in [0, 1].

    Each pixel's centre (x + 0.5, y + 0.5) is inked by its distance d to each
    pen segment: 1 within r - 0.5, 0 from r + 0.5, linear between; the
    larger ink wins. A stroke starts with a dot (a segment of length 0) at its
    first point. Positions are clamped to the canvas; a pen move of less than
    half a pixel (|dx| + |dy|) adds no point."""
    canvas = [[0.0] * SIDE for _ in range(SIDE)]

    def segment(x0, y0, x1, y1):
        dx, dy = x1 - x0, y1 - y0
        len2 = dx * dx + dy * dy
        for y in range(max(0, int(math.floor(min(y0, y1) - r - 1))),
                       min(SIDE - 1, int(math.ceil(max(y0, y1) + r + 1))) + 1):
            for x in range(max(0, int(math.floor(min(x0, x1) - r - 1))),
                           min(SIDE - 1, int(math.ceil(max(x0, x1) + r + 1))) + 1):
                px, py = x + 0.5, y + 0.5
                t = ((px - x0) * dx + (py - y0) * dy) / len2 if len2 > 0 else 0.0
                t = min(max(t, 0.0), 1.0)
                d = math.hypot(px - (x0 + t * dx), py - (y0 + t * dy))
                ink = 1.0 if d <= r - 0.5 else 0.0 if d >= r + 0.5 else r + 0.5 - d
                if ink > canvas[y][x]:
                    canvas[y][x] = ink

    def clamp(v):
        return min(max(v, 0.0), SIDE - 1.0)

    for s in strokes:
        last = (clamp(s[0][0]), clamp(s[0][1]))
        segment(last[0], last[1], last[0], last[1])
        for x, y in s[1:]:
            p = (clamp(x), clamp(y))
            if abs(p[0] - last[0]) + abs(p[1] - last[1]) < 0.5:
                continue
            segment(last[0], last[1], p[0], p[1])
            last = p
    return canvas


def write_pgm(canvas, path):
    """White ink on black (as the canvas), 8 bits a pixel."""
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (SIDE, SIDE))
        f.write(bytes(int(round(v * 255)) for row in canvas for v in row))


def draw(strokes, *extra):
    """Runs the drawing view on the strokes; returns (digit, percent, stdout)."""
    out, _, _ = expect_ok("view", "draw", "--headless", "--strokes", stroke_text(strokes), *extra)
    found = DRAWING_RE.findall(out)
    expect(len(found) == 1, "stdout has %d lines 'the drawing is a D (P%%)', expected 1" % len(found))
    return int(found[0][0]), float(found[0][1]), out


def classify_probs(path):
    """`convstep classify --json` on one picture: its probabilities."""
    out, _, _ = expect_ok("classify", "--json", path)
    try:
        doc = json.loads(out)
    except ValueError as e:
        raise Fail("classify --json: stdout is not JSON: %s" % e)
    expect(isinstance(doc, list) and len(doc) == 1, "classify --json: expected a list of one")
    expect(doc[0]["inverted"] is False, "classify saw dark ink on light paper in a white-on-black PGM")
    probs = doc[0]["probabilities"]
    expect(len(probs) == 10, "classify gave %d probabilities" % len(probs))
    return probs


ONE = [[(56, 18), (56, 94)]]
SEVEN = [[(28, 24), (84, 24)], [(84, 24), (44, 96)]]
ZERO = [ellipse(56, 56, 22, 34)]

# Drawings whose top probability is far from 100%, so that a preparation that
# differs from classify's would show in the percentage, and awkward ones: a
# dot, a stroke running off the canvas (clamped), points closer than half a
# pixel.
AMBIGUOUS = [
    ("an S-like 9", [[(70, 30), (45, 30), (45, 55), (70, 55), (70, 90)]]),
    ("a 1 with a flag", [[(50, 20), (50, 90)], [(50, 20), (70, 40)]]),
    ("a dash", [[(30, 60), (80, 60)]]),
    ("a dot", [[(56, 56)]]),
    ("a squared 2", [[(40, 30), (70, 30), (70, 60), (40, 60), (40, 90), (70, 90)]]),
    ("a 4", [[(60, 20), (40, 60), (70, 60)], [(62, 40), (62, 95)]]),
    ("off the canvas", [[(-10, 50), (60, 50), (60, 130)]]),
    ("tiny moves", [[(40, 30), (40.2, 30.1), (70, 30), (70.3, 30), (55, 90), (55, 90.4)]]),
]


# ---- The cases ------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


# -- the drawing view

@check
def draw_vertical_line_is_1():
    """view draw: a vertical line is a 1, and the screenshot is written"""
    shot = scratch("one.png")
    digit, pct, out = draw(ONE, "--screenshot", shot)
    expect(digit == 1, "the line is taken for a %d (%.1f%%)" % (digit, pct))
    expect(pct > 50, "only %.1f%% sure" % pct)
    expect_png(shot)
    expect("screenshot saved to" in out, "stdout does not say the screenshot was saved")


@check
def draw_seven_is_7():
    """view draw: a horizontal stroke then a diagonal is a 7 (two strokes or one)"""
    digit, pct, _ = draw(SEVEN)
    expect(digit == 7, "two strokes are taken for a %d (%.1f%%)" % (digit, pct))
    one_stroke = [[(28, 24), (84, 24), (44, 96)]]
    digit, pct, _ = draw(one_stroke)
    expect(digit == 7, "one stroke is taken for a %d (%.1f%%)" % (digit, pct))


@check
def draw_loop_is_0():
    """view draw: a closed loop of points is a 0"""
    digit, pct, _ = draw(ZERO)
    expect(digit == 0, "the loop is taken for a %d (%.1f%%)" % (digit, pct))


@check
def draw_empty_canvas_says_nothing():
    """view draw: no strokes (or only separators) print no verdict and exit 0"""
    for text in ("", ";", " ; ; "):
        out, _, _ = expect_ok("view", "draw", "--headless", "--strokes", text)
        expect(not DRAWING_RE.search(out), "a verdict on an empty canvas (--strokes %r)" % text)


@check
def draw_prepared_as_classify():
    """view draw agrees with classify --json on the same strokes rendered here as a PGM"""
    cases = [("the 1", ONE), ("the 7", SEVEN), ("the 0", ZERO)] + AMBIGUOUS
    problems = []
    for name, strokes in cases:
        digit, pct, _ = draw(strokes)
        path = scratch("drawing.pgm")
        write_pgm(render(strokes), path)
        probs = classify_probs(path)
        best = max(range(10), key=lambda k: probs[k])
        # The PGM holds the canvas in 8 bits: allow a tenth of a percent
        # beyond the view's rounding to one decimal.
        if best != digit or abs(100 * probs[best] - pct) > 0.15:
            problems.append("%s (--strokes '%s'): the view says %d (%.1f%%), classify says %d (%.3f%%)"
                            % (name, stroke_text(strokes), digit, pct, best, 100 * probs[best]))
    expect(not problems, "\n".join(problems))


@check
def draw_order_independent():
    """view draw: the order and direction of the strokes do not change the verdict"""
    # The same strokes in another order give the same canvas (ink is a max).
    a, pa, _ = draw([[(50, 20), (50, 90)], [(50, 20), (70, 40)]])
    b, pb, _ = draw([[(50, 20), (70, 40)], [(50, 20), (50, 90)]])
    expect((a, pa) == (b, pb), "stroke order changes the verdict: %d (%.1f%%) vs %d (%.1f%%)" % (a, pa, b, pb))
    # A stroke drawn backwards is the same ink.
    a, pa, _ = draw([[(70, 30), (45, 30), (45, 55), (70, 55), (70, 90)]])
    b, pb, _ = draw([[(70, 90), (70, 55), (45, 55), (45, 30), (70, 30)]])
    expect((a, pa) == (b, pb), "a reversed stroke changes the verdict: %d (%.1f%%) vs %d (%.1f%%)"
           % (a, pa, b, pb))


# -- the training views

def trained(out):
    found = TRAINED_RE.findall(out)
    expect(len(found) == 1, "stdout has %d lines 'trained N steps of ARCH: test accuracy X%%', "
           "expected 1" % len(found))
    steps, arch, acc = found[0]
    return int(steps), arch, float(acc)


@check
def train_softmax_300_steps():
    """view train --model softmax --train-steps 300: test accuracy at least 85%"""
    shot = scratch("train.png")
    out, _, _ = expect_ok("view", "train", "--headless", "--train-steps", 300, "--model", "softmax",
                          "--screenshot", shot)
    steps, arch, acc = trained(out)
    expect(steps == 300, "trained %d steps, asked for 300" % steps)
    expect(arch == SOFTMAX_ARCH, "the model is %s" % arch)
    expect(acc >= 85.0, "test accuracy %.2f%% after 300 steps" % acc)
    expect_png(shot)


@check
def train_small_300_steps():
    """view train --model small --train-steps 300: test accuracy at least 90%"""
    out, _, _ = expect_ok("view", "train", "--headless", "--train-steps", 300, "--model", "small")
    steps, arch, acc = trained(out)
    expect(steps == 300, "trained %d steps, asked for 300" % steps)
    expect(arch == SMALL_ARCH, "the model is %s" % arch)
    expect(acc >= 90.0, "test accuracy %.2f%% after 300 steps" % acc)


@check
def train_same_steps_same_result():
    """view train --train-steps: the same steps give the same accuracy every time"""
    a = trained(expect_ok("view", "train", "--headless", "--train-steps", 120, "--model", "softmax")[0])
    b = trained(expect_ok("view", "train", "--headless", "--train-steps", 120, "--model", "softmax")[0])
    expect(a == b, "two runs: %s and %s" % (a, b))


@check
def templates_200_steps():
    """view templates --train-steps 200: runs, trains the softmax model 200 steps"""
    shot = scratch("templates.png")
    out, _, _ = expect_ok("view", "templates", "--headless", "--train-steps", 200, "--screenshot", shot)
    steps, arch, acc = trained(out)
    expect(steps == 200, "trained %d steps, asked for 200" % steps)
    expect(arch == SOFTMAX_ARCH, "the templates' model is %s" % arch)
    expect(0.0 <= acc <= 100.0, "test accuracy %.2f%%" % acc)
    expect_png(shot)


@check
def reported_accuracy_is_of_reported_step():
    """view templates/train: 'trained N steps: test accuracy X%' is measured after those N steps"""
    # 200 steps of the softmax model reach about 90% (300 steps: 90.7%, 201
    # steps: 89.7%); an accuracy near 10% is that of an untrained model.
    problems = []
    for view, extra in (("templates", []), ("train", ["--model", "softmax"])):
        out, _, _ = expect_ok("view", view, "--headless", "--train-steps", 200, *extra)
        steps, _, acc = trained(out)
        later = trained(expect_ok("view", view, "--headless", "--train-steps", 201, *extra)[0])[2]
        if acc < 80.0:
            problems.append("view %s: after %d steps it reports %.2f%% (after 201 steps: %.2f%%)"
                            % (view, steps, acc, later))
    expect(not problems, "\n".join(problems))


@check
def train_bench_frames():
    """view train --bench-frames 60: frame times and a training rate above 0 samples/s"""
    out, _, _ = expect_ok("view", "train", "--headless", "--bench-frames", 60)
    m = re.search(r"^frames 60 at (\d+)x(\d+): median (\d+\.\d+) ms, p99 (\d+\.\d+) ms per frame$", out, re.M)
    expect(m is not None, "no line 'frames 60 at WxH: median M ms, p99 P ms per frame'")
    expect((int(m.group(1)), int(m.group(2))) == (1280, 720), "frames at %sx%s" % (m.group(1), m.group(2)))
    median, p99 = float(m.group(3)), float(m.group(4))
    expect(0 < median <= p99, "median %.2f ms, p99 %.2f ms" % (median, p99))
    r = re.search(r"^training meanwhile: (\d+) samples/s$", out, re.M)
    expect(r is not None, "no line 'training meanwhile: N samples/s'")
    expect(int(r.group(1)) > 0, "training meanwhile: %s samples/s" % r.group(1))
    steps, arch, _ = trained(out)
    expect(steps > 0, "no training during the frames (%d steps)" % steps)
    expect(arch == SMALL_ARCH, "the default model is %s" % arch)


@check
def templates_bench_frames():
    """view templates --bench-frames 30: the templates' training runs during the frames"""
    out, _, _ = expect_ok("view", "templates", "--headless", "--bench-frames", 30)
    expect(re.search(r"^frames 30 at 1280x720: median ", out, re.M), "no frame times")
    r = re.search(r"^training meanwhile: (\d+) samples/s$", out, re.M)
    expect(r is not None and int(r.group(1)) > 0, "no training rate above 0")


@check
def train_seconds_1():
    """view train --seconds 1: trains in its thread for a second, then reports"""
    shot = scratch("seconds.png")
    out, _, seconds = expect_ok("view", "train", "--headless", "--seconds", 1, "--screenshot", shot)
    steps, arch, acc = trained(out)
    expect(steps > 0, "no steps in a second")
    expect(seconds >= 1.0, "the run took %.2f s, less than the second asked for" % seconds)
    expect(0.0 <= acc <= 100.0, "test accuracy %.2f%%" % acc)
    expect_png(shot)
    # The softmax model, which finishes its 3 epochs (750 steps) quickly.
    out, _, _ = expect_ok("view", "train", "--headless", "--seconds", 1, "--model", "softmax")
    steps, arch, acc = trained(out)
    expect(arch == SOFTMAX_ARCH, "the model is %s" % arch)
    expect(steps > 0, "no steps in a second")


# -- errors

@check
def strokes_bad_text():
    """view draw --strokes: malformed text is exit 1 with a message naming --strokes"""
    for text in ("1,2 x", "5", "1,", "a,b", "1,2,3", "10,10 20"):
        expect_error(["view", "draw", "--headless", "--strokes", text], "--strokes")


@check
def strokes_not_a_number():
    """view draw --strokes: nan is not a position (exit 1 naming --strokes)"""
    expect_error(["view", "draw", "--headless", "--strokes", "nan,nan 56,90"], "--strokes")


def draw_layout(strokes, window="1920x1080", zoom="100"):
    """The drawing view's --layout-json after the strokes (none: the empty canvas)."""
    path = scratch("draw-layout.json")
    args = ["view", "draw", "--headless", "--window", window, "--zoom", zoom, "--layout-json", path]
    if strokes:
        args += ["--strokes", stroke_text(strokes)]
    expect_ok(*args)
    with open(path) as f:
        return json.load(f)


def area_of(doc, name):
    found = [it["rect"] for it in doc["items"] if it["kind"] == "region" and it["text"] == name]
    expect(len(found) == 1, "the layout has %d '%s' areas, expected 1" % (len(found), name))
    return found[0]


def bars_of(doc, role):
    """{digit: rect} of the bars (role 'bar') or their tracks ('bar track')."""
    return {int(it["text"]): it["rect"] for it in doc["items"] if it["kind"] == "image" and it["role"] == role}


@check
def draw_canvas_uses_the_height():
    """view draw: the canvas is square, at least 70% of the main area's height at 1920x1080 (55% at 1280x720,
    where LeNet-5's maps go across under it)"""
    for window, least in (("1920x1080", 0.70), ("1280x720", 0.55)):
        doc = draw_layout(None, window)
        main = [it["rect"] for it in doc["items"] if it["kind"] == "region" and it["role"] == "main"][0]
        canvas = area_of(doc, "canvas")
        expect(canvas[2] == canvas[3], "%s: the canvas is %dx%d, not square" % (window, canvas[2], canvas[3]))
        expect(canvas[3] >= main[3] * least, "%s: the canvas is %d px high, the main area %d" % (
            window, canvas[3], main[3]))


@check
def draw_bars_before_a_stroke():
    """view draw: before any stroke the ten bars are drawn, empty, in the probabilities' area"""
    doc = draw_layout(None)
    tracks, bars = bars_of(doc, "bar track"), bars_of(doc, "bar")
    expect(sorted(tracks) == list(range(10)), "tracks drawn for %s, expected the ten digits" % sorted(tracks))
    expect(not bars, "bars filled before any stroke: %s" % sorted(bars))
    probs = area_of(doc, "probs")
    for j, r in tracks.items():
        expect(r[0] >= probs[0] and r[0] + r[2] <= probs[0] + probs[2] and r[1] >= probs[1] and
               r[1] + r[3] <= probs[1] + probs[3], "the track of %d %s leaves the probabilities' area %s" % (j, r, probs))
    texts = [it["text"] for it in doc["items"] if it["kind"] == "text"]
    expect("draw a digit with the mouse" in texts, "the hint is not shown under the empty bars")


@check
def draw_bars_match_classify():
    """view draw: each bar is its probability of the track (classify's numbers, within a pixel), the percentage beside it"""
    for name, strokes in (("a 7", SEVEN), ("an S-like 9", AMBIGUOUS[0][1])):
        path = scratch("bars.pgm")
        write_pgm(render(strokes), path)
        probs = classify_probs(path)
        doc = draw_layout(strokes)
        tracks, bars = bars_of(doc, "bar track"), bars_of(doc, "bar")
        expect(sorted(bars) == list(range(10)), "%s: bars drawn for %s" % (name, sorted(bars)))
        widths = {tracks[j][2] for j in range(10)}
        expect(len(widths) == 1, "%s: the tracks are not one length: %s" % (name, sorted(widths)))
        track = widths.pop()
        texts = [it for it in doc["items"] if it["kind"] == "text"]
        for j in range(10):
            want = probs[j] * track
            expect(abs(bars[j][2] - want) <= 1.0, "%s: the bar of %d is %d px, %.4f of %d px is %.1f" % (
                name, j, bars[j][2], probs[j], track, want))
            # The percentage on the bar's line, right of its track, as classify's number.
            row = [t for t in texts if t["text"].endswith("%") and t["rect"][0] >= tracks[j][0] + track and
                   abs((t["rect"][1] + t["rect"][3] / 2) - (tracks[j][1] + tracks[j][3] / 2)) <= tracks[j][3]]
            expect(len(row) == 1, "%s: %d percentages beside the bar of %d" % (name, len(row), j))
            shown = row[0]["text"]
            pct = 100 * probs[j]
            if shown.startswith("<"):
                expect(pct < float(shown[1:-1]), "%s: %d shows %s, classify %.3f%%" % (name, j, shown, pct))
            elif shown.startswith(">"):
                expect(pct > float(shown[1:-1]), "%s: %d shows %s, classify %.3f%%" % (name, j, shown, pct))
            else:
                expect(abs(float(shown[:-1]) - pct) <= 0.1 + 1e-6, "%s: %d shows %s, classify %.3f%%" % (
                    name, j, shown, pct))


@check
def strokes_need_headless():
    """view draw --strokes without --headless: exit 1 naming --headless"""
    expect_error(["view", "draw", "--strokes", "56,18 56,94"], "--headless")


@check
def model_unknown():
    """view train --model unknown: exit 1 naming --model and the choices"""
    expect_error(["view", "train", "--headless", "--model", "resnet"], "--model", "softmax", "small", "lenet5")
    expect_error(["view", "train", "--headless", "--model", ""], "--model")


@check
def train_steps_bad_number():
    """view train --train-steps/--seconds: bad numbers are exit 1 naming the option"""
    expect_error(["view", "train", "--headless", "--train-steps", "-1"], "--train-steps")
    expect_error(["view", "train", "--headless", "--train-steps", "many"], "--train-steps")
    expect_error(["view", "train", "--headless", "--seconds", "-1"], "--seconds")
    expect_error(["view", "train", "--headless", "--seconds", "soon"], "--seconds")


# ---- TAP ---------------------------------------------------------------------------------

def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-draw-", start))
