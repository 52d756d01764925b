#!/usr/bin/env python3
"""The real window under Xvfb: F11 (fullscreen) and F12 (screenshot) pressed
with xdotool, the PNGs checked against the window's real size and against a
headless picture of the same view.

    python3 tests/test_window_xvfb.py /path/to/convstep

Prints TAP. Every case is skipped (with the reason) when Xvfb or xdotool is
missing; scripts/deps.sh installs both. The X server has no window manager,
so a request for fullscreen is never carried out: the window keeps its size,
and the screenshots must say so (issue 10: F12 after F11 wrote 1920x1080
frames, stale and upside down, of a 1280x720 window). Standard library only.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tools"))
sys.path.insert(0, HERE)
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import Fail, Skip, expect, run_program  # noqa: E402
from torch_python import torch_python  # noqa: E402  (tests/tools/torch_python.py)
from test_view_cli import differing_pixels, png_header, read_png  # noqa: E402  (the PNG reader)

CONVSTEP = None
WORKDIR = None
SERVER = None  # (Xvfb process, display name), started by the first case that needs it
WAIT = 120  # seconds to wait for the window or a screenshot (the test machine may be busy)


def need_tools():
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            raise Skip("%s is not installed (scripts/deps.sh installs it)" % tool)


def display():
    """Starts Xvfb (1920x1080, no window manager) once; returns its display name."""
    global SERVER
    need_tools()
    if SERVER is None:
        proc, name = tap.start_xvfb("1920x1080x24")
        if proc is None:
            raise Skip("Xvfb did not start")
        SERVER = (proc, name)
    return SERVER[1]


def x_env(shots):
    env = dict(os.environ)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("SDL_VIDEODRIVER", None)
    env.update(DISPLAY=display(), CONVSTEP_SCREENSHOTS=shots, SDL_AUDIODRIVER="dummy",
               LSAN_OPTIONS="suppressions=%s:print_suppressions=0" % tap.LSAN_SUPPRESSIONS)
    return env


def xdotool(env, *args):
    p = subprocess.run(["xdotool", *args], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=30)
    return p.returncode, p.stdout.decode()


class Window:
    """convstep's window on the Xvfb display, closed (killed) on exit."""

    def __init__(self, shots, *args):
        os.makedirs(shots, exist_ok=True)
        self.env = x_env(shots)
        self.shots = shots
        self.err = open(os.path.join(WORKDIR, "window-stderr.txt"), "w+")
        self.proc = subprocess.Popen([CONVSTEP, "view", *args], env=self.env, cwd=WORKDIR,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.err)
        self.wid = None
        deadline = time.time() + WAIT
        while time.time() < deadline and self.proc.poll() is None:
            code, out = xdotool(self.env, "search", "--name", "^convstep$")
            if code == 0 and out.split():
                self.wid = out.split()[0]
                break
            time.sleep(0.2)
        if self.wid is None:
            self.close()
            raise Fail("no convstep window appeared within %d s (exit status %s)" % (WAIT, self.proc.poll()))
        time.sleep(1.0)  # the first frames

    def key(self, name):
        code, _ = xdotool(self.env, "key", "--window", self.wid, name)
        expect(code == 0, "xdotool could not press %s" % name)

    def geometry(self):
        """The window's size as the X server has it (not as convstep thinks)."""
        code, out = xdotool(self.env, "getwindowgeometry", self.wid)
        expect(code == 0, "xdotool getwindowgeometry failed")
        for line in out.splitlines():
            if "Geometry:" in line:
                w, h = line.split("Geometry:")[1].strip().split("x")
                return int(w), int(h)
        raise Fail("no geometry in %r" % out)

    def wait_for_shots(self, count):
        """The finished screenshots (names in order) once there are `count`."""
        deadline = time.time() + WAIT
        while time.time() < deadline:
            names = sorted(n for n in os.listdir(self.shots) if n.endswith(".png"))
            if len(names) >= count:
                time.sleep(0.5)
                return sorted(n for n in os.listdir(self.shots) if n.endswith(".png"))
            expect(self.proc.poll() is None, "the window closed (exit status %s)" % self.proc.poll())
            time.sleep(0.2)
        raise Fail("%d screenshot(s) after %d s, expected %d" % (
            len([n for n in os.listdir(self.shots) if n.endswith(".png")]), WAIT, count))

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.seek(0)
        text = self.err.read()
        self.err.close()
        expect_no_sanitizer_report(text)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def expect_no_sanitizer_report(text):
    """No sanitizer report. Leaks inside third-party libraries are suppressed
    (tests/lsan.supp), and those allocated only by libraries unloaded before
    exit (SDL unloads libGL) cannot be named there: tap.unloaded_library_leaks
    says when a report holds nothing else."""
    if tap.unloaded_library_leaks(text, CONVSTEP):
        return
    for mark in tap.SANITIZER_MARKS:
        expect(mark not in text, "sanitizer report (%s) from the window:\n%s" % (mark, text[:1500]))


def headless_reference(width, height, name):
    """The same view drawn headless at the window's size, to compare with."""
    path = os.path.join(WORKDIR, name)
    code, out, err = run_program([CONVSTEP, "view", "conv", "--headless", "--window", "%dx%d" % (width, height),
                                  "--screenshot", path], WORKDIR, WAIT)
    expect(code == 0, "the headless reference failed: %s" % err)
    return read_png(path)


def expect_window_picture(path, size, reference):
    """A screenshot of the window: its real size, right side up, the same
    picture as the headless reference above the status bar."""
    w, h, _, _ = png_header(path)
    expect((w, h) == size, "%s is %dx%d, the window is %dx%d" % (os.path.basename(path), w, h, *size))
    shot = read_png(path)
    # The dark header bar is at the top (an upside-down picture has it at the bottom).
    top, bottom = sum(shot.pixel(4, 4)), sum(shot.pixel(w // 3, h - 80))
    expect(top < 3 * 100, "the top-left corner is not the dark header bar: %s" % (shot.pixel(4, 4),))
    expect(bottom > 3 * 200, "the lower part of the picture is not light: %s" % (shot.pixel(w // 3, h - 80),))
    # Everything but the status line (the bottom 40 rows, which name the last
    # screenshot) is the headless picture; a few pixels may differ under the
    # mouse pointer's hover.
    keep = h - 40
    cut = lambda png: type(png)(png.width, keep, png.channels, png.rows[:keep])  # noqa: E731
    differ = differing_pixels(cut(shot), cut(reference))
    expect(differ < 0.01 * w * keep, "%d pixels differ from the headless picture of the view" % differ)
    flipped = type(reference)(reference.width, keep, reference.channels, reference.rows[:keep][::-1])
    expect(differing_pixels(cut(shot), flipped) > 0.05 * w * keep, "the comparison cannot tell up from down")


# ---- Cases ----------------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def fullscreen_then_screenshot_has_the_real_size():
    """F12, F11, F12 (at once and later): every PNG has the window's real size and is right side up"""
    shots = os.path.join(WORKDIR, "shots-fullscreen")
    with Window(shots, "conv") as win:
        before = win.geometry()
        win.key("F12")
        win.wait_for_shots(1)
        win.key("F11")
        win.key("F12")  # before convstep could know whether fullscreen happened
        win.wait_for_shots(2)
        time.sleep(3)  # long after: no window manager, so no fullscreen
        win.key("F12")
        names = win.wait_for_shots(3)
        after = win.geometry()
    expect(before == after, "the window went from %dx%d to %dx%d" % (*before, *after))
    expect(len(names) == 3, "three presses of F12 gave %s" % names)
    sizes = [png_header(os.path.join(shots, n))[:2] for n in names]
    expect(all(size == after for size in sizes), "the PNGs are %s, the window is %dx%d" % (sizes, *after))
    reference = headless_reference(*after, "reference-%dx%d.png" % after)
    for name in names:
        expect_window_picture(os.path.join(shots, name), after, reference)
    leftovers = [n for n in os.listdir(shots) if not n.endswith(".png")]
    expect(not leftovers, "files left beside the screenshots: %s" % leftovers)


@check
def screenshots_within_one_second_never_overwrite():
    """F12 four times at once: four different files, none replaced (names get -2, -3 ...)"""
    shots = os.path.join(WORKDIR, "shots-burst")
    with Window(shots, "pool") as win:
        size = win.geometry()
        for _ in range(4):
            win.key("F12")
        names = win.wait_for_shots(4)
        first = {n: os.stat(os.path.join(shots, n)).st_mtime_ns for n in names}
        time.sleep(1)
        again = {n: os.stat(os.path.join(shots, n)).st_mtime_ns for n in os.listdir(shots)}
    expect(len(names) == 4, "four presses of F12 gave %s" % names)
    expect(first == again, "a screenshot was written again after it was saved")
    stems = sorted(n[:-len(".png")] for n in names)
    base = stems[0]
    for n in stems:
        expect(n.startswith("convstep-"), "unexpected name %s" % n)
    # Pressed together, the four share a second or two: within one second the
    # names are STAMP, STAMP-2, STAMP-3 ...
    for stamp in {n[:len("convstep-YYYYmmdd-HHMMSS")] for n in stems}:
        same = sorted(n for n in stems if n.startswith(stamp))
        want = [stamp] + ["%s-%d" % (stamp, k) for k in range(2, len(same) + 1)]
        expect(same == sorted(want), "names within one second: %s, expected %s" % (same, sorted(want)))
    expect(base.startswith("convstep-"), "unexpected name %s" % base)
    for name in names:
        w, h, _, _ = png_header(os.path.join(shots, name))
        expect((w, h) == size, "%s is %dx%d, the window is %dx%d" % (name, w, h, *size))
        read_png(os.path.join(shots, name))  # complete: every chunk and its CRC


def wait_for_files(folder, names):
    deadline = time.time() + WAIT
    while time.time() < deadline:
        if all(os.path.exists(os.path.join(folder, n)) for n in names):
            time.sleep(0.3)
            return
        time.sleep(0.2)
    raise Fail("after %d s %s holds %s, expected %s" % (WAIT, folder, sorted(os.listdir(folder)), names))


@check
def save_as_lesson_and_pytorch_script():
    """T, Right, Ctrl+S, Ctrl+P in the convolution view: the lesson plays back the same set-up, the script matches"""
    shots = os.path.join(WORKDIR, "shots-export")
    kernel = "1 0 -1; 2 0 -2; 1 0 -1"
    rows = "0 0 1 1 1; 0 0 1 1 1; 0 0 1 1 1; 0 0 1 1 1; 0 0 1 1 1"
    with Window(shots, "conv", "--input", rows, "--kernel", kernel) as win:
        win.key("t")        # true convolution: Sobel's signs swap, the edge gives +4
        win.key("Right")
        win.key("Right")
        win.key("ctrl+s")
        win.key("ctrl+p")
        wait_for_files(shots, ["convstep-lesson-1.lesson", "convstep-conv-1.py"])
    lesson = open(os.path.join(shots, "convstep-lesson-1.lesson"), encoding="utf-8").read()
    for line in ("view conv", "input " + rows, "kernel " + kernel, "flip on", "step 2"):
        expect(("\n" + line + "\n") in lesson, "the saved lesson has no line %r:\n%s" % (line, lesson))
    p = subprocess.run([CONVSTEP, "lesson", os.path.join(shots, "convstep-lesson-1.lesson"), "--headless"],
                       capture_output=True, text=True, timeout=120)
    expect(p.returncode == 0, "the saved lesson does not play: %s" % p.stderr)
    expect("now at cell 2 of 9" in p.stdout, "the saved lesson ends elsewhere:\n%s" % p.stdout)
    script = os.path.join(shots, "convstep-conv-1.py")
    text = open(script, encoding="utf-8").read()
    # The true convolution's first row by hand: the rotated Sobel over 0 0 1, 0 1 1, 1 1 1 gives 4, 4, 0.
    expect("[4,4,0]" in text.replace(" ", ""), "the script does not hold the output 4 4 0:\n%s" % text[-600:])
    expect("torch.flip(" in text, "the script does not rotate the kernel with torch.flip")
    compile(text, script, "exec")
    python, _ = torch_python()
    if python:  # where torch imports, the script runs and agrees with the window's numbers
        run = subprocess.run([python, script], capture_output=True, text=True, timeout=300)
        expect(run.returncode == 0 and "matches convstep" in run.stdout,
               "the script does not match convstep: %s %s" % (run.stdout[-400:], run.stderr[-400:]))


# ---- TAP ------------------------------------------------------------------------------------

def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


def main():
    try:
        return tap.main(sys.argv, CHECKS, "convstep-xvfb-", start)
    finally:
        if SERVER is not None:
            SERVER[0].terminate()
            try:
                SERVER[0].wait(timeout=10)
            except subprocess.TimeoutExpired:
                SERVER[0].kill()


if __name__ == "__main__":
    sys.exit(main())
