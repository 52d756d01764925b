#!/usr/bin/env python3
"""convstep in the browser (issue 17): the site built by scripts/web.sh,
served on 127.0.0.1 by scripts/web_serve.py, driven in Debian's headless
chromium over the DevTools protocol (tests/tools/cdp.py), against the desktop
program's own runs of the same commands.

    python3 tests/test_web.py /path/to/desktop/convstep

Checks: the page loads cross-origin isolated and its home screen looks like
the desktop's headless frame; lessons played headless in the page print the
desktop's transcript (stdout and stderr) line for line; the drawing view
classifies scripted strokes as the desktop does; a finger stroke on the
page's drawing canvas draws what the desktop draws for the same stroke; a
click on 'train' trains live in the page, on its thread and in the frames
(CONVSTEP_LIVE=frames); the console at start holds convstep's lines only;
Ctrl+=/-/0 zoom the program, not the browser's page; the home screen and
the drawing view at 1920x1080 and on a phone (412x915, touch). Served
without the isolation headers (as a plain static server does), the page runs
the build without threads: its home screen and live training (in the page's
frames) pass the same checks. Prints TAP lines, the site's sizes, the time to
the first frame and the frame times (paused and training, each way). The
pictures are kept in
build-web/test-web/ for looking.

Exits 77 (skipped) with one line saying what is missing when emcc, chromium
or the wasm libraries are not there; scripts/web.sh installs and builds
them. CONVSTEP_WEB_SITE=DIR tests an already built site instead of building.
Standard library only.
"""

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from urllib.parse import urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tools"))
sys.path.insert(0, HERE)
import cdp  # noqa: E402  (tests/tools/cdp.py)
from tap import Fail, Skip, expect  # noqa: E402
from test_view_cli import read_png  # noqa: E402  (the PNG reader)

SOURCE = os.path.dirname(HERE)
SKIP = 77
WAIT = 180  # seconds for a page to load and run (chromium on a busy 2-core machine)
WIDTH, HEIGHT = 1280, 720
# Lessons that run in about a second on the desktop: 04 is integer
# arithmetic, quizzes and formulas; x6 is backpropagation in floats, printed
# to several digits.
LESSONS = ["lessons/04-padding.lesson", "lessons/x6-backpropagation.lesson"]
# Strokes on the 112x112 drawing canvas: a 2 drawn as a zigzag (the model is
# sure of it to a tenth of a percent, not 100%) and a single dot.
STROKES = ["30,30 80,30 80,60 30,60 30,95 80,95", "56,56"]
KEPT = os.path.join(SOURCE, "build-web", "test-web")  # the pictures, for looking

DESKTOP = None
BROWSER = None
PAGE = None
SITE = None
BASE_URL = None
TIMES = {}


# ---- What must be there -----------------------------------------------------------

def wasm_libs_dir():
    """The folder scripts/web.sh builds the wasm libraries into."""
    cache = os.environ.get("CONVSTEP_WEB_CACHE") or os.path.join(os.path.expanduser("~"), ".cache",
                                                                 "convstep-web")
    return os.path.join(cache, "deps")


def missing():
    """What this machine lacks for the test, or None."""
    if os.environ.get("CONVSTEP_INNER_SUITE"):
        return "inside test_docs' fresh-clone suite; the outer suite runs it"
    if cdp.chromium_path() is None:
        return "chromium is not installed; scripts/web.sh installs it"
    if os.environ.get("CONVSTEP_WEB_SITE"):
        return None  # a site built already: no toolchain needed
    if shutil.which("emcc") is None:
        return "emcc is not installed; scripts/web.sh installs emscripten"
    libs = wasm_libs_dir()
    for lib in ("libz.a", "libSDL2.a", "libfreetype.a", "libSDL2_ttf.a", "libSDL2_image.a", "libgif.a"):
        if not os.path.isfile(os.path.join(libs, "lib", lib)):
            return "the wasm libraries are not built: no %s in %s; scripts/web.sh builds them" % (
                lib, os.path.join(libs, "lib"))
    if not os.path.isfile(os.path.join(SOURCE, "scripts", "web.sh")):
        return "scripts/web.sh is missing"
    return None


# ---- The site and the browser -----------------------------------------------------

def build_site():
    """Runs scripts/web.sh; returns the site folder."""
    if os.environ.get("CONVSTEP_WEB_SITE"):
        return os.path.abspath(os.environ["CONVSTEP_WEB_SITE"])
    # web.sh may set build-web up again (removing it): its log goes there afterwards.
    with tempfile.NamedTemporaryFile(prefix="convstep-web-sh-", suffix=".log", delete=False) as f:
        start = time.time()
        try:
            p = subprocess.run([os.path.join(SOURCE, "scripts", "web.sh")], cwd=SOURCE,
                               stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                               timeout=3600)
        except subprocess.TimeoutExpired:
            raise Fail("scripts/web.sh did not finish in an hour (its log: %s)" % f.name)
        TIMES["build"] = time.time() - start
    os.makedirs(KEPT, exist_ok=True)
    log = shutil.move(f.name, os.path.join(KEPT, "web-sh.log"))
    if p.returncode != 0:
        with open(log, errors="replace") as f:
            tail = f.read()[-2000:]
        raise Fail("scripts/web.sh exited %d (the whole log: %s):\n%s" % (p.returncode, log, tail))
    return os.path.join(SOURCE, "build-web", "site")


def site_sizes(site):
    """[(name, bytes, gzip -9 bytes)] of the site's files."""
    rows = []
    for name in sorted(os.listdir(site)):
        path = os.path.join(site, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
            rows.append((name, len(data), len(gzip.compress(data, 9))))
    return rows


def serve(site, isolation=True):
    """Starts scripts/web_serve.py on a free port, with the isolation headers
    or (isolation=False) without; returns (process, base URL)."""
    proc = subprocess.Popen([sys.executable, os.path.join(SOURCE, "scripts", "web_serve.py"), site,
                             "--port", "0"] + ([] if isolation else ["--no-isolation"]),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if " at http://127.0.0.1:" not in line:
        proc.kill()
        raise Fail("web_serve.py printed %r instead of its URL" % line)
    return proc, line.split(" at ", 1)[1]


def page_url(argv, env=()):
    """The page with argv as its command line: one arg= a word (web/index.html),
    and env's NAME=VALUE pairs as its environment (env=)."""
    query = [("arg", a) for a in argv] + [("env", e) for e in env]
    return BASE_URL + "index.html" + ("?" + urlencode(query) if query else "")


def open_page(argv, env=()):
    """Loads the page with argv as its arguments (an empty console first)."""
    del BROWSER.console[:]
    del BROWSER.exceptions[:]
    start = time.time()
    PAGE.navigate(page_url(argv, env))
    return start


# Lines the emscripten runtime (not convstep) prints on the console, on its
# stderr: the warning that the main browser thread waited on a lock or a
# thread (the desktop has no such thing to warn about). Only these are left
# out of the comparison with the desktop's stderr.
RUNTIME_LINES = ("Blocking on the main thread is very dangerous",)


def run_in_page(argv):
    """Runs a command that ends (headless, text) in the page; returns
    (exit status, stdout lines, stderr lines) from its console."""
    open_page(argv)
    try:
        title = PAGE.wait_title(lambda t: t.startswith("convstep exit"), WAIT)
    except cdp.CdpError as e:
        raise Fail("%s; console so far:\n%s%s" % (e, console_text(), exceptions_text()))
    status = int(title.split()[-1])
    out = [t for kind, t, _ in BROWSER.console if kind in ("log", "info")]
    err = [t for kind, t, _ in BROWSER.console if kind in ("error", "warning")
           and not t.startswith(RUNTIME_LINES)]
    # The page's own line, which the contract adds after main returns.
    expect(out and out[-1] == "convstep: exit %d" % status,
           "the console does not end with 'convstep: exit %d':\n%s" % (status, console_text()))
    return status, out[:-1], err


def console_text():
    return "\n".join("  %s: %s" % (kind, text) for kind, text, _ in BROWSER.console[-40:])


def exceptions_text():
    return "".join("\n  uncaught: %s" % e for e in BROWSER.exceptions)


def run_desktop(argv):
    """The desktop program's run of the same argv (from the source folder, so
    relative paths name the same files); (status, stdout lines, stderr lines)."""
    p = subprocess.run([DESKTOP, *argv], cwd=SOURCE, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=WAIT)
    return p.returncode, p.stdout.splitlines(), p.stderr.splitlines()


def same_lines(name, page, desktop):
    """Fails with the first differing line unless the two lists are equal."""
    for i, (a, b) in enumerate(zip(page, desktop)):
        expect(a == b, "%s line %d differs:\n  page:    %r\n  desktop: %r" % (name, i + 1, a, b))
    n = min(len(page), len(desktop))
    expect(len(page) == len(desktop), "%s: the page printed %d lines, the desktop %d; the first "
           "extra one: %r" % (name, len(page), len(desktop), (page[n:] or desktop[n:])[:1]))


def same_run(argv):
    """argv in the page and on the desktop: equal status, stdout and stderr."""
    d_status, d_out, d_err = run_desktop(argv)
    p_status, p_out, p_err = run_in_page(argv)
    expect(p_status == d_status, "exit status %d in the page, %d on the desktop; console:\n%s" % (
        p_status, d_status, console_text()))
    same_lines("stdout", p_out, d_out)
    same_lines("stderr", p_err, d_err)
    expect(not BROWSER.exceptions, "uncaught exceptions:%s" % exceptions_text())
    return p_out


def desktop_layout(view):
    """The items the desktop's headless frame of a view draws at WIDTHxHEIGHT
    (--layout-json): where the page, drawn by the same code, has them too."""
    path = kept("%s-layout.json" % view)
    p = subprocess.run([DESKTOP, "view", view, "--headless", "--window", "%dx%d" % (WIDTH, HEIGHT),
                        "--layout-json", path], cwd=SOURCE, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=WAIT)
    expect(p.returncode == 0, "view %s --layout-json failed: %s" % (view, p.stderr))
    with open(path) as f:
        return json.load(f)["items"]


def rect_of(items, kind, text):
    rects = [i["rect"] for i in items if i.get("kind") == kind and i.get("text") == text]
    expect(rects, "the desktop's layout has no %s %r" % (kind, text))
    return rects[0]


def open_window(argv, env=()):
    """Opens the page in window mode; returns when it has drawn its first frame."""
    start = open_page(argv, env)
    try:
        PAGE.wait_title(lambda t: t == "convstep ready" or t.startswith("convstep exit"), WAIT)
    except cdp.CdpError as e:
        raise Fail("%s; console:\n%s%s" % (e, console_text(), exceptions_text()))
    expect(PAGE.evaluate("document.title") == "convstep ready", "the window exited: %s\n%s" % (
        PAGE.evaluate("document.title"), console_text()))
    return time.time() - start


# ---- Pictures ---------------------------------------------------------------------

def mean_abs_diff(a, b, box=None):
    """Mean absolute difference of two pictures of one size, per channel
    (R, G, B, in 0..255), over the box (x, y, w, h) or the whole picture."""
    expect((a.width, a.height) == (b.width, b.height),
           "the pictures are %dx%d and %dx%d" % (a.width, a.height, b.width, b.height))
    x, y, w, h = box or (0, 0, a.width, a.height)
    ra, rb = rgb_rows(a), rgb_rows(b)
    sums = [0, 0, 0]
    for row in range(y, y + h):
        pa, pb = ra[row][3 * x:3 * (x + w)], rb[row][3 * x:3 * (x + w)]
        for c in range(3):
            sums[c] += sum(abs(p - q) for p, q in zip(pa[c::3], pb[c::3]))
    return [s / float(w * h) for s in sums]


def worst_block(a, b, size=48):
    """The largest difference of a colour channel's mean over a size x size
    block between two pictures: what the frame's mean dilutes, a panel or
    a button missing in one place."""
    ra, rb = rgb_rows(a), rgb_rows(b)
    worst = 0.0
    for by in range(0, a.height, size):
        sums = {}
        for row in range(by, min(by + size, a.height)):
            for bx in range(0, a.width, size):
                for c in range(3):
                    lo, hi = 3 * bx + c, 3 * min(bx + size, a.width)
                    d = sum(ra[row][lo:hi:3]) - sum(rb[row][lo:hi:3])
                    sums[bx, c] = sums.get((bx, c), 0) + d
        worst = max([worst] + [abs(v) / float(size * size) for v in sums.values()])
    return worst


def rgb_rows(png):
    c = png.channels
    if c == 3:
        return png.rows
    return [bytes(v for i, v in enumerate(row) if i % c < 3) for row in png.rows]


def kept(name):
    return os.path.join(KEPT, name)


# ---- Cases --------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


# The home screen's frame in the page against the desktop's headless frame.
# They cannot be equal: the page draws with SDL's WebGL renderer (on
# SwiftShader here), the desktop with SDL's software renderer, so text
# edges and blends round differently, and the web build's SDL_ttf has no
# HarfBuzz, so its lines of text come out a few pixels narrower (up to 8 px
# at the end of the longest). Measured here: 5.0 levels per channel over
# the frame (nearly all of it at text edges), 15 in the worst 48x48 block.
# The limits allow that with room: HOME_LIMIT over the frame and
# BLOCK_LIMIT in any block. They catch a wrong view, a blank, black, scaled
# or shifted frame, a missing panel or button (the orange button against
# white is over 100 levels in its blocks), not a single missing word (17 in
# its block, tried by erasing "Pooling"): words are the transcript checks'
# business. The control, the desktop's drawing view against its home
# screen, differs by about 47 over the frame and must stay CONTROL_RATIO
# times above the page's difference.
HOME_LIMIT = 8.0
BLOCK_LIMIT = 40.0
CONTROL_RATIO = 3.0


@check
def home_screen(isolated=True):
    """the page loads cross-origin isolated and draws the home screen as the desktop does"""
    # isolated=False (not_isolated): a page served without the headers, its own picture and times.
    st = "" if isolated else "-st"
    TIMES["ready" + st] = open_window([])
    expect(PAGE.evaluate("crossOriginIsolated") is isolated,
           "the page's crossOriginIsolated is not %s (the server's COOP/COEP headers)" % isolated)
    firsts = [t for kind, t, _ in BROWSER.console if t.startswith("convstep: first frame after ")]
    expect(firsts, "no 'convstep: first frame after T ms' line; console:\n%s" % console_text())
    TIMES["first_frame_ms" + st] = firsts[0].split()[-2]
    # Only convstep's own lines at start: no warnings of the runtime or of SDL.
    noise = [(kind, t) for kind, t, _ in BROWSER.console if not t.startswith("convstep: ")]
    expect(not noise, "the console at start has lines that are not convstep's: %s" % noise[:5])
    time.sleep(1.0)  # a few more frames (the home screen has nothing animated to wait for)
    PAGE.screenshot(kept("home-page%s.png" % st))
    for name, view in (("home-desktop.png", "home"), ("draw-desktop.png", "draw")):
        p = subprocess.run([DESKTOP, "view", view, "--headless", "--window", "%dx%d" % (WIDTH, HEIGHT),
                            "--screenshot", kept(name)], cwd=SOURCE, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=WAIT)
        expect(p.returncode == 0, "the desktop's view %s --headless failed: %s" % (view, p.stderr))
    page, home, draw = (read_png(kept(n)) for n in ("home-page%s.png" % st, "home-desktop.png",
                                                     "draw-desktop.png"))
    diff = mean_abs_diff(page, home)
    block = worst_block(page, home)
    control = mean_abs_diff(draw, home)
    print("# home screen: page vs desktop %.2f %.2f %.2f per channel (limit %.1f), worst 48x48 "
          "block %.1f (limit %.1f); control, desktop draw vs home: %.2f %.2f %.2f"
          % (*diff, HOME_LIMIT, block, BLOCK_LIMIT, *control))
    expect(max(diff) < HOME_LIMIT, "the page's home screen differs from the desktop's by %s per "
           "channel (limit %.1f): see %s" % (["%.2f" % d for d in diff], HOME_LIMIT, KEPT))
    expect(block < BLOCK_LIMIT, "a 48x48 block of the page's home screen differs from the "
           "desktop's by %.1f (limit %.1f): see %s" % (block, BLOCK_LIMIT, KEPT))
    expect(sum(control) > CONTROL_RATIO * sum(diff),
           "the control (another view) is not far from the home screen: the comparison "
           "cannot tell views apart")


# Every view of `convstep view`, opened in the page's window at zoom 150 (a
# projector's setting), against the desktop's headless frame of the same
# command line. A view's first frame comes before anything animates, so the
# two should agree as the home screens do, but the columns of views laid out
# by the width of their words (the whole network's) move by a few pixels with
# the page's narrower text, and every image cell in them moves too: measured
# here 4-6 levels per channel for most views and 9-11 for the network view,
# 4-17 in the worst block. VIEW_LIMIT allows that; the control, the page's
# frame against the desktop's frame of the next view in the list, must stay
# CONTROL_RATIO times farther, so a wrong view cannot pass.
# (label, the words after `view`): every view, and the key help (F1) over one.
VIEWS = [(v, [v]) for v in ("conv", "pool", "convt", "backprop", "train", "templates", "cnn", "network",
                            "draw")] + [("help", ["pool", "--show-keys"])]
VIEW_LIMIT = 14.0


@check
def every_view():
    """every view, and the key help, opens in the page at zoom 150 and draws what the desktop draws"""
    for view, words in VIEWS:
        argv = ["view"] + words + ["--zoom", "150"]
        p = subprocess.run([DESKTOP] + argv + ["--headless", "--window", "%dx%d" % (WIDTH, HEIGHT),
                                               "--screenshot", kept("view-%s-desktop.png" % view)],
                           cwd=SOURCE, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=WAIT)
        expect(p.returncode == 0, "the desktop's view %s --headless failed: %s" % (view, p.stderr))
    for i, (view, words) in enumerate(VIEWS):
        open_window(["view"] + words + ["--zoom", "150"])
        time.sleep(1.0)
        PAGE.screenshot(kept("view-%s-page.png" % view))
        other = VIEWS[(i + 1) % len(VIEWS)][0]
        page, desk, control = (read_png(kept("view-%s-%s.png" % n)) for n in (
            (view, "page"), (view, "desktop"), (other, "desktop")))
        diff, block, far = mean_abs_diff(page, desk), worst_block(page, desk), mean_abs_diff(page, control)
        print("# view %s at zoom 150: page vs desktop %.2f %.2f %.2f per channel, worst 48x48 "
              "block %.1f; control (desktop's %s) %.1f" % (view, *diff, block, other, max(far)))
        expect(max(diff) < VIEW_LIMIT and block < BLOCK_LIMIT,
               "the page's view %s differs from the desktop's by %s per channel, %.1f in a block "
               "(limits %.1f, %.1f): see %s" % (view, ["%.2f" % d for d in diff], block, VIEW_LIMIT,
                                               BLOCK_LIMIT, KEPT))
        expect(sum(far) > CONTROL_RATIO * sum(diff),
               "the page's view %s is about as near the desktop's %s as its own: the comparison "
               "cannot tell views apart" % (view, other))


def desktop_frame(argv, name, width=None, height=None):
    """The desktop's headless frame of `convstep ARGV` at the size, kept as name; its PNG."""
    p = subprocess.run([DESKTOP] + argv + ["--headless", "--window", "%dx%d" % (width or WIDTH, height or HEIGHT),
                                           "--screenshot", kept(name)],
                       cwd=SOURCE, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=WAIT)
    expect(p.returncode == 0, "the desktop's %s --headless failed: %s" % (" ".join(argv), p.stderr))
    return read_png(kept(name))


# The desktop's zoom keys (app/keys.c: Ctrl with + or =, -, 0) are the
# browser's page zoom keys too. SDL's key handler calls preventDefault on
# every key pressed with Ctrl, which is what keeps a browser from zooming the
# page (Chromium and Firefox leave a Ctrl+=/-/0 the page prevented alone), so
# the keys reach the program and the key help's "Ctrl +/-/0 zoom" holds.
# Checked here: the program zooms (its frame after Ctrl+= twice and Ctrl+-
# once is the desktop's frame at zoom 110, not at 100), each keydown reached
# the page already prevented, and the browser's zoom stayed at 1.
# Zoom 110 moves the home screen's text by a few pixels only: measured here
# 5.6 levels from the desktop's zoom 110 and 13.9 from its zoom 100 (the
# page's narrower text makes the first not 0), hence a control ratio of 2.
ZOOM_CONTROL_RATIO = 2.0
ZOOM_KEYS_JS = """window.convstepCtrlKeys = [];
window.addEventListener('keydown', e => {
  if (e.ctrlKey && e.key != 'Control') convstepCtrlKeys.push([e.key, e.defaultPrevented]); });"""


@check
def keyboard_zoom():
    """Ctrl+= / Ctrl+- / Ctrl+0 zoom the program in the page, and the browser's own zoom does not take them"""
    open_window([])
    PAGE.evaluate(ZOOM_KEYS_JS)
    # The listener comes after SDL's on the window, so it sees what SDL did.
    for key, code, keycode in (("=", "Equal", 187), ("=", "Equal", 187), ("-", "Minus", 189)):
        PAGE.key(key, code, keycode, modifiers=2)
    time.sleep(2.5)  # past the "zoom 110%" note (ZOOM_SHOWN_MS, 1.5 s)
    PAGE.screenshot(kept("zoom-110-page.png"))
    zoomed = read_png(kept("zoom-110-page.png"))
    at_110 = desktop_frame(["view", "home", "--zoom", "110"], "zoom-110-desktop.png")
    at_100 = desktop_frame(["view", "home"], "zoom-100-desktop.png")
    near, far = mean_abs_diff(zoomed, at_110), mean_abs_diff(zoomed, at_100)
    keys = PAGE.evaluate("convstepCtrlKeys")
    scale = PAGE.evaluate("[window.devicePixelRatio, window.visualViewport.scale]")
    print("# Ctrl+= Ctrl+= Ctrl+- in the page: %.2f from the desktop's zoom 110, %.2f from its zoom 100; "
          "keydowns (key, prevented) %s; the browser's zoom %s" % (max(near), max(far), keys, scale))
    expect(len(keys) == 3 and all(prevented for _, prevented in keys),
           "the page's Ctrl keydowns were not all prevented (the browser would zoom): %s" % keys)
    expect(scale == [1, 1], "the browser's zoom changed: devicePixelRatio, scale = %s" % scale)
    expect(max(near) < VIEW_LIMIT and sum(far) > ZOOM_CONTROL_RATIO * sum(near),
           "after Ctrl+= Ctrl+= Ctrl+- the page's frame is not the desktop's at zoom 110 (%.2f from it, "
           "%.2f from zoom 100): the keys did not reach the program? see %s" % (max(near), max(far), KEPT))
    PAGE.key("0", "Digit0", 48, modifiers=2)
    time.sleep(2.5)
    PAGE.screenshot(kept("zoom-reset-page.png"))
    reset = read_png(kept("zoom-reset-page.png"))
    back = max(mean_abs_diff(reset, at_100))
    print("# then Ctrl+0: %.2f from the desktop's zoom 100" % back)
    expect(back < HOME_LIMIT, "after Ctrl+0 the page is not at zoom 100 (%.2f from it)" % back)


# The page at other window sizes than WIDTHxHEIGHT: a large screen and a
# phone held upright (touch, the page's CSS width 412), the home screen and
# the drawing view (what a student on a phone does) against the desktop's
# headless frame at the same size; the pictures are kept for looking.
SIZES = [(1920, 1080, False), (412, 915, True)]
SIZE_VIEWS = [("home", ["view", "home"]), ("draw", ["view", "draw"])]


@check
def other_sizes():
    """the page at 1920x1080 and on a phone (412x915, touch) draws the home screen and the drawing view as the desktop does at that size"""
    global PAGE
    first = PAGE
    try:
        for width, height, mobile in SIZES:
            PAGE = BROWSER.open_page(width, height, mobile=mobile)
            try:
                for label, argv in SIZE_VIEWS:
                    open_window(argv)
                    time.sleep(1.0)
                    name = "size-%dx%d-%s" % (width, height, label)
                    PAGE.screenshot(kept(name + "-page.png"))
                    page = read_png(kept(name + "-page.png"))
                    expect((page.width, page.height) == (width, height), "the page's screenshot is %dx%d, "
                           "not %dx%d" % (page.width, page.height, width, height))
                    desk = desktop_frame(argv, name + "-desktop.png", width, height)
                    other = [a for l, a in SIZE_VIEWS if l != label][0]
                    control = desktop_frame(other, name + "-control.png", width, height)
                    diff, block = mean_abs_diff(page, desk), worst_block(page, desk)
                    far = mean_abs_diff(page, control)
                    print("# %s at %dx%d%s: page vs desktop %.2f %.2f %.2f per channel, worst 48x48 block "
                          "%.1f; control %.1f" % (label, width, height, " (touch)" if mobile else "", *diff,
                                                  block, max(far)))
                    expect(max(diff) < VIEW_LIMIT and block < BLOCK_LIMIT,
                           "the page's %s at %dx%d differs from the desktop's by %s per channel, %.1f in a "
                           "block: see %s" % (label, width, height, ["%.2f" % d for d in diff], block, KEPT))
                    expect(sum(far) > CONTROL_RATIO * sum(diff), "the page's %s at %dx%d is about as near "
                           "the desktop's other view as its own" % (label, width, height))
            finally:
                PAGE.close()
    finally:
        PAGE = first


@check
def lessons_transcript():
    """lessons played headless in the page print the desktop's transcript line for line"""
    for lesson in LESSONS:
        start = time.time()
        out = same_run(["lesson", lesson, "--headless"])
        expect(len(out) > 5, "%s printed only %d lines" % (lesson, len(out)))
        print("# %s: %d lines equal, %.1f s in the page" % (lesson, len(out), time.time() - start))


@check
def draw_classifies_strokes():
    """the drawing view classifies scripted strokes as the desktop does"""
    for strokes in STROKES:
        out = same_run(["view", "draw", "--headless", "--strokes", strokes])
        verdict = [line for line in out if line.startswith("the drawing is a ")]
        expect(verdict, "no verdict ('the drawing is a N (P%%)') for %r" % strokes)
        print("# strokes %r: %s in both" % (strokes, verdict[0]))


@check
def touch_draws():
    """a finger stroke on the page's drawing canvas draws where the finger went"""
    open_window(["view", "draw"])
    time.sleep(0.5)
    PAGE.screenshot(kept("draw-page-before.png"))
    # The canvas where the desktop's headless frame of the view puts it at this size.
    x, y, w, h = rect_of(desktop_layout("draw"), "region", "canvas")
    # A vertical line down the middle of the canvas, as a finger draws it.
    PAGE.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    points = [(x + w // 2, y + h * k // 10) for k in range(2, 9)]
    PAGE.touch("touchStart", points[:1])
    for pt in points[1:]:
        PAGE.touch("touchMove", [pt])
        time.sleep(0.05)
    PAGE.touch("touchEnd", [])
    time.sleep(1.0)
    PAGE.screenshot(kept("draw-page-touched.png"))
    # The desktop's frame of the same stroke, given in canvas pixels (0..111 across the box).
    canvas = " ".join("%.3f,%.3f" % ((px - x) * 112.0 / w, (py - y) * 112.0 / h) for px, py in points)
    p = subprocess.run([DESKTOP, "view", "draw", "--headless", "--window", "%dx%d" % (WIDTH, HEIGHT),
                        "--strokes", canvas, "--screenshot", kept("draw-desktop-stroke.png")],
                       cwd=SOURCE, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=WAIT)
    expect(p.returncode == 0, "view draw --strokes failed: %s" % p.stderr)
    before, after, desktop = (read_png(kept(n)) for n in (
        "draw-page-before.png", "draw-page-touched.png", "draw-desktop-stroke.png"))
    box = (x, y, w, h)
    changed = max(mean_abs_diff(before, after, box))
    off_before = max(mean_abs_diff(before, desktop, box))
    off_after = max(mean_abs_diff(after, desktop, box))
    print("# touch stroke: the canvas changed by %.2f; from the desktop's frame of the same stroke "
          "%.2f before, %.2f after" % (changed, off_before, off_after))
    # The line (the pen's width, about a tenth of the canvas, and 6/10 of its height) turns
    # about 6% of the canvas from black to white, a mean change of about 15 levels.
    expect(changed > 4.0, "the canvas hardly changed under the finger (%.2f)" % changed)
    # Drawn where the finger went: the page's canvas comes close to the desktop's.
    expect(off_after < off_before / 3, "the stroke is not where the finger went: %.2f from the "
           "desktop's frame of the same stroke (%.2f before)" % (off_after, off_before))
    expect(not BROWSER.exceptions, "uncaught exceptions:%s" % exceptions_text())


# The page's frame times, from requestAnimationFrame's clock over FRAMES frames.
FRAME_TIMES_JS = """new Promise(done => {
  const t = [];
  const tick = now => { t.push(now); if (t.length <= %d) requestAnimationFrame(tick); else {
    const d = t.slice(1).map((x, i) => x - t[i]).sort((a, b) => a - b);
    done([d[d.length >> 1], d[Math.floor(d.length * 0.95)]]); } };
  requestAnimationFrame(tick); })"""
FRAMES = 120
# Without threads a frame that trains may also evaluate the test set, which
# takes seconds on a busy machine: fewer frames, so the wait stays in WAIT.
FRAMES_NOT_ISOLATED = 20


def frame_times(frames=FRAMES):
    """(median, 95th percentile) of the page's next `frames` frame times in ms."""
    r = PAGE.send("Runtime.evaluate", {"expression": FRAME_TIMES_JS % frames, "awaitPromise": True,
                                       "returnByValue": True}, timeout=WAIT)
    return tuple(r["result"]["value"])


# A median frame time no working page takes: a sanity bound (a page that
# hangs or draws once a few seconds), not a speed target. The figures depend
# on the machine and are printed: on this 2-core machine shared with builds
# (load 10-14) the median while training was 67-370 ms, where chromium's GPU
# process draws WebGL on the CPU (SwiftShader); see tests/tools/web_profile.py.
FRAME_SANE_MS = 3000.0


def train_and_measure(env=(), st="", frames=FRAMES):
    """Opens the training view (with env), measures `frames` frames, clicks
    'train', waits until the loss chart moves, measures again; returns
    (paused (median, p95), training (median, p95), the chart's change). The
    pictures are kept as train-page{st}-*.png."""
    open_window(["view", "train"], env)
    items = desktop_layout("train")
    chart = rect_of(items, "region", "chart_loss")
    time.sleep(0.5)
    idle = frame_times(frames)
    PAGE.screenshot(kept("train-page%s-before.png" % st))
    bx, by, bw, bh = rect_of(items, "button", "train")
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        PAGE.mouse(kind, bx + bw // 2, by + bh // 2)
    time.sleep(3.0)
    before = read_png(kept("train-page%s-before.png" % st))
    deadline = time.time() + 60  # the training thread may be slow to start on a busy machine
    while True:
        PAGE.screenshot(kept("train-page%s-training.png" % st))
        changed = max(mean_abs_diff(before, read_png(kept("train-page%s-training.png" % st)), chart))
        if changed > 0.1 or time.time() > deadline:
            break
        time.sleep(2.0)
    return idle, frame_times(frames), changed  # the second with training seen running


def train_check(mode, env=(), st="", frames=FRAMES):
    """The live-training check of one way of training in one page (mode names it)."""
    idle, busy, changed = train_and_measure(env, st, frames)
    print("# training live in the page (%s): frame time median %.1f ms, p95 %.1f ms over %d frames "
          "(rAF clock; %.1f and %.1f ms paused); the loss chart changed by %.2f"
          % (mode, busy[0], busy[1], frames, idle[0], idle[1], changed))
    TIMES["frame_training: " + mode] = (busy[0], busy[1], idle[0], idle[1])
    # A loss curve across the chart's first steps is a thin line: a fraction of a level on average.
    expect(changed > 0.1, "the loss chart did not change in a minute after a click on 'train' (%s) "
           "(%.2f): no training in the page? see %s" % (mode, changed, KEPT))
    expect(busy[0] < FRAME_SANE_MS and idle[0] < FRAME_SANE_MS,
           "a median frame time of %.0f ms (%.0f paused) while training (%s)" % (busy[0], idle[0], mode))
    expect(not BROWSER.exceptions, "uncaught exceptions:%s" % exceptions_text())


@check
def training_live():
    """a click on 'train' trains live in the page, in a thread and in the frames (the loss curve grows); frame times printed"""
    for mode, env, st in (("threads", (), ""), ("frames", ("CONVSTEP_LIVE=frames",), "-frames")):
        train_check(mode, env, st)


# Served without the isolation headers (a school's web server, GitHub
# Pages), the page runs convstep-st.js, the build without threads, whose
# window trains in slices of its frames. The same home screen and live
# training checks as the isolated page's; the control that this is not the
# threaded build: the page is not isolated, says it loads convstep-st.js,
# and fetched convstep-st.wasm and neither convstep.wasm nor the thread
# worker's script. Then `train --threads 2`, whose second thread cannot
# start in that build (its share of each batch is worked on the main
# thread), must print the desktop's numbers (rates left out); a worker
# dropped would change them. And the steps a second live training makes in
# each page while drawing frames (headless --bench-frames), for the note.
LOADED_JS = "performance.getEntriesByType('resource').map(e => e.name.split('/').pop())"
TRAIN_THREADS = ["train", "--arch", "softmax", "--epochs", "1", "--threads", "2"]
BENCH = ["view", "train", "--headless", "--bench-frames", "120"]


def without_rates(lines):
    """Training lines with their samples/s (a measured speed) left out."""
    return [re.sub(r", [0-9.]+ samples/s$", "", line) for line in lines]


def bench_steps():
    """(steps, seconds) of live training during `view train --headless --bench-frames`."""
    _, out, _ = run_in_page(BENCH)
    found = [re.match(r"training steps: (\d+) in ([0-9.]+) s$", line) for line in out]
    found = [m for m in found if m]
    expect(found, "no 'training steps: N in T s' line from %s:\n%s" % (" ".join(BENCH), console_text()))
    return int(found[0].group(1)), float(found[0].group(2))


@check
def not_isolated():
    """served without the isolation headers, the page runs the build without threads: home screen, live training in its frames"""
    global BASE_URL
    isolated_url = BASE_URL
    isolated_steps = bench_steps()  # the isolated page's, for the comparison printed below
    server, BASE_URL = serve(SITE, isolation=False)
    try:
        home_screen(isolated=False)
        lines = [t for kind, t, _ in BROWSER.console if t.startswith("convstep: convstep")]
        expect(lines and lines[0].startswith("convstep: convstep-st.js (the page is not cross-origin "
                                             "isolated"),
               "the page does not say it loads convstep-st.js; console:\n%s" % console_text())
        loaded = PAGE.evaluate(LOADED_JS)
        expect("convstep-st.wasm" in loaded and "convstep.wasm" not in loaded
               and "convstep.worker.js" not in loaded,
               "the page without isolation fetched %s, not the build without threads" % loaded)
        train_check("not isolated, in the frames", (), "-st", FRAMES_NOT_ISOLATED)
        d_status, d_out, _ = run_desktop(TRAIN_THREADS)
        p_status, p_out, _ = run_in_page(TRAIN_THREADS)
        expect(p_status == d_status == 0, "%s: exit %d in the page, %d on the desktop"
               % (" ".join(TRAIN_THREADS), p_status, d_status))
        # Not headless, so the page names its build first (web/index.html): not the program's.
        p_out = [line for line in p_out if not line.startswith("convstep: convstep")]
        same_lines(" ".join(TRAIN_THREADS), without_rates(p_out), without_rates(d_out))
        print("# %s in the page without threads: %s" % (" ".join(TRAIN_THREADS), p_out[-1]))
        steps = bench_steps()
        for name, (n, t) in (("isolated (a thread)", isolated_steps), ("not isolated (frames)", steps)):
            print("# live training in the page, %s: %d steps in %.2f s, %.0f steps/s while drawing "
                  "frames (view train --headless --bench-frames)" % (name, n, t, n / t))
        TIMES["steps_per_s"] = (isolated_steps[0] / isolated_steps[1], steps[0] / steps[1])
    finally:
        BASE_URL = isolated_url
        server.kill()
        server.wait()


# ---- Main -------------------------------------------------------------------------

def main(argv):
    global DESKTOP, BROWSER, PAGE, SITE, BASE_URL
    if len(argv) < 2 or not os.access(argv[1], os.X_OK):
        print("Bail out! usage: %s /path/to/desktop/convstep [CASE...]" % os.path.basename(argv[0]))
        return 2
    DESKTOP = os.path.abspath(argv[1])
    only = argv[2:]  # some cases only, by name (while working on them)
    why = missing()
    if why:
        print("1..0 # SKIP %s" % why)
        print("web: skipped (%s)" % why, file=sys.stderr)
        return SKIP
    print("1..%d" % (len(CHECKS) + 1))
    try:
        site = build_site()
    except Fail as e:
        print("not ok 1 - scripts/web.sh builds the site\n# " + str(e).replace("\n", "\n# "))
        return 1
    os.makedirs(KEPT, exist_ok=True)
    print("ok 1 - the site is built (%s)" % site)
    total = [0, 0]
    for name, size, packed in site_sizes(site):
        print("# site: %-22s %10d bytes, %9d gzipped" % (name, size, packed))
        if name.endswith((".wasm", ".data", ".js")):
            total[0] += size
            total[1] += packed
    print("# site: wasm + data + js %.1f MB, %.1f MB gzipped" % (total[0] / 1e6, total[1] / 1e6))
    SITE = site
    server, BASE_URL = serve(site)
    failed = 0
    try:
        with tempfile.TemporaryDirectory(prefix="convstep-web-") as profile, \
                cdp.Browser(profile, log_path=kept("chromium.log")) as BROWSER:
            for number, fn in enumerate(CHECKS, 2):
                title = "%s: %s" % (fn.__name__, fn.__doc__.strip())
                if only and fn.__name__ not in only:
                    print("ok %d - %s # SKIP not asked for" % (number, title))
                    continue
                try:
                    # A tab of its own: a case whose page hangs leaves the next one a clean start.
                    PAGE = BROWSER.open_page(WIDTH, HEIGHT)
                    try:
                        fn()
                    finally:
                        PAGE.close()
                    print("ok %d - %s" % (number, title))
                except Skip as e:
                    print("ok %d - %s # SKIP %s" % (number, title, e))
                except (Fail, cdp.CdpError) as e:
                    failed += 1
                    print("not ok %d - %s\n# %s" % (number, title, str(e).replace("\n", "\n# ")))
                    print("FAILED: %s: %s" % (title, e), file=sys.stderr)
                except Exception:
                    failed += 1
                    print("not ok %d - %s\n# %s" % (number, title,
                                                   traceback.format_exc().replace("\n", "\n# ")))
                sys.stdout.flush()
    finally:
        server.kill()
        server.wait()
    if "first_frame_ms" in TIMES:
        print("# time to first frame: %s ms from navigation start (the page's line); "
              "%.1f s to 'convstep ready' measured here" % (TIMES["first_frame_ms"], TIMES["ready"]))
    for key in sorted(k for k in TIMES if k.startswith("frame_training: ")):
        print("# frame time with training running (%s): median %.1f ms, p95 %.1f ms (paused: %.1f, "
              "%.1f ms)" % ((key.split(": ", 1)[1],) + TIMES[key]))
    if "first_frame_ms-st" in TIMES:
        print("# not isolated (the build without threads): first frame %s ms (page's line), %.1f s "
              "to 'convstep ready'" % (TIMES["first_frame_ms-st"], TIMES["ready-st"]))
    if "steps_per_s" in TIMES:
        print("# live training steps/s while drawing: %.0f isolated (thread), %.0f not (frames)"
              % TIMES["steps_per_s"])
    if "build" in TIMES:
        print("# scripts/web.sh took %.0f s" % TIMES["build"])
    print("# pictures in %s" % KEPT)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
