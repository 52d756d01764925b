#!/usr/bin/env python3
"""A monkey test of the real window: a seeded random walk of keys, clicks,
drags, wheel turns and resizes through every view and a lesson, on an X
server of its own (Xvfb), driven with xdotool. Meant for the sanitizer build.

    python3 tests/test_monkey.py /path/to/convstep

It fails on
  - a sanitizer report, or the program dying or exiting non-zero;
  - a hang: the window must answer the liveness probe within HANG_S seconds;
  - resident memory growing by more than RSS_GROWTH_MIB from the first
    reading (taken once the window is up) to the last.

The liveness probe is F12: the window saves a screenshot into
$CONVSTEP_SCREENSHOTS, which it can only do from its event loop, after it has
read the key from the X server, drawn a frame and written the PNG. (Asking
the X server about the window, e.g. xdotool getwindowname, is answered by
the server even when the program is stuck; a new file is not.) F12 is a
window key that every view and every mode (an edit, a quiz, a lesson
training) lets through and that changes nothing else.

Environment:
  CONVSTEP_MONKEY_SEED     the walk's seed (default: from the clock; printed either way)
  CONVSTEP_MONKEY_SECONDS  how long the walk lasts (default 60)
  CONVSTEP_MONKEY_HANG_S   the liveness bound (default 2)
Skipped, saying why, when Xvfb or xdotool is missing (scripts/deps.sh
installs both). Standard library only.
"""

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import Fail, Skip, expect  # noqa: E402

CONVSTEP = None
WORKDIR = None
HERE = os.path.dirname(os.path.abspath(__file__))
SUPPRESSIONS = tap.LSAN_SUPPRESSIONS

SECONDS = float(os.environ.get("CONVSTEP_MONKEY_SECONDS", "60"))
HANG_S = float(os.environ.get("CONVSTEP_MONKEY_HANG_S", "2"))
RSS_GROWTH_MIB = 400   # the bound on resident memory growth over the walk (ASan build)
PROBE_EVERY_S = 2.0    # a liveness probe at least this often
START_TIMEOUT_S = 120  # the sanitizer build starts slowly on a busy machine
EXIT_TIMEOUT_S = 120   # LeakSanitizer's scan at exit takes a while


# Keys the walk presses (xdotool names). Not q or Ctrl+Q (they quit: the walk
# quits once, at the end), and not F12 (the probe's own key).
KEYS = ["space", "Right", "Left", "Up", "Down", "Home", "End", "plus", "minus", "Tab", "Return",
        "KP_Enter", "Escape", "BackSpace", "Delete", "Page_Up", "Page_Down", "F1", "F11",
        "p", "s", "shift+s", "k", "shift+k", "n", "shift+n", "d", "c", "r", "g", "b", "u", "z", "l",
        "a", "x", "e", "period", "question", "bracketleft", "bracketright",
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "0",
        "ctrl+plus", "ctrl+minus", "ctrl+0"]
HOME_ENTRIES = 7   # the home screen's entries: conv, pool, train, templates, cnn, draw, lessons


class Monkey:
    """The X server, the program and the walk's counters."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        self.xvfb = self.app = None
        self.display = None
        self.window = None
        self.actions = 0
        self.probes = 0
        self.slowest_probe = 0.0
        self.rss = []
        self.shots = os.path.join(WORKDIR, "shots")
        self.err_path = os.path.join(WORKDIR, "stderr.txt")
        self.size = (1280, 720)
        self.log = []  # the latest actions, for a failure's message

    # ---- The X server and the program ----------------------------------------------------

    def start_xvfb(self):
        self.xvfb, self.display = tap.start_xvfb("1920x1200x24", "-noreset")
        expect(self.display is not None, "Xvfb did not report its display")

    def env(self):
        e = dict(os.environ)
        e.update(DISPLAY=self.display, HOME=WORKDIR, CONVSTEP_SCREENSHOTS=self.shots,
                 CONVSTEP_MODELS=os.path.join(WORKDIR, "models"), SDL_AUDIODRIVER="dummy",
                 )
        e.pop("WAYLAND_DISPLAY", None)
        e.pop("SDL_VIDEODRIVER", None)
        # Sanitizers: stop at the first report; a small quarantine keeps the
        # resident memory meaningful; third-party leaks are suppressed.
        e["ASAN_OPTIONS"] = "halt_on_error=1:detect_leaks=1:quarantine_size_mb=32"
        e["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
        e["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % SUPPRESSIONS
        return e

    def xdo(self, *args, timeout=10):
        """Runs xdotool; returns its stdout ("" if it failed)."""
        self.log = (self.log + [" ".join(map(str, args))])[-12:]
        try:
            p = subprocess.run(["xdotool", *[str(a) for a in args]], env=self.env(), timeout=timeout,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise Fail("xdotool %s did not return in %d s" % (" ".join(map(str, args)), timeout))
        return p.stdout.decode().strip()

    def start_app(self):
        self.err = open(self.err_path, "wb")
        self.app = subprocess.Popen([CONVSTEP, "view", "home", "--window", "%dx%d" % self.size], cwd=WORKDIR,
                                    env=self.env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=self.err)
        deadline = time.time() + START_TIMEOUT_S
        while time.time() < deadline:
            self.check_alive("starting")
            ids = self.xdo("search", "--onlyvisible", "--name", "^convstep").split()
            if ids:
                self.window = ids[0]
                break
            time.sleep(0.2)
        expect(self.window, "no window named convstep appeared in %d s" % START_TIMEOUT_S)
        self.xdo("windowfocus", "--sync", self.window)
        # The first answer can take long (fonts, the shipped model, the
        # trainers' first evaluation): wait for it without counting it.
        self.probe(limit=START_TIMEOUT_S)

    def stderr_text(self):
        self.err.flush()
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def check_alive(self, doing):
        if self.app.poll() is not None:
            raise Fail("the program exited with status %s while %s (seed %d)\n%s"
                       % (self.app.returncode, doing, self.seed, excerpt_text(self.stderr_text())))
        text = self.stderr_text()
        for mark in tap.SANITIZER_MARKS:
            if mark in text:
                raise Fail("sanitizer report (%s) while %s (seed %d)\n%s"
                           % (mark, doing, self.seed, excerpt_text(text)))

    def rss_mib(self):
        try:
            with open("/proc/%d/status" % self.app.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return 0.0

    def stacks(self):
        """Where the program's threads are (gdb, when installed), for a hang's message."""
        if not shutil.which("gdb"):
            return ""
        try:
            p = subprocess.run(["gdb", "-p", str(self.app.pid), "-batch", "-nx", "-ex", "thread apply all bt 12"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
        except subprocess.TimeoutExpired:
            return ""
        lines = [l for l in p.stdout.decode("utf-8", "replace").split("\n") if l.startswith(("#", "Thread"))]
        return "\nthe threads at that moment (gdb):\n" + "\n".join(lines[:160])

    # ---- The liveness probe -------------------------------------------------------------------

    def shot_state(self):
        try:
            return {n: os.stat(os.path.join(self.shots, n)).st_mtime_ns for n in os.listdir(self.shots)}
        except FileNotFoundError:
            return {}

    def probe(self, limit=None):
        """F12, then wait for a new or rewritten screenshot."""
        limit = HANG_S if limit is None else limit
        before = self.shot_state()
        # The probe goes to the window itself, whatever has the focus.
        self.xdo("windowfocus", self.window)
        self.xdo("key", "--clearmodifiers", "F12")
        t0 = time.time()
        while True:
            now = self.shot_state()
            if any(n not in before or before[n] != m for n, m in now.items()):
                break
            self.check_alive("waiting for the window to answer F12")
            waited = time.time() - t0
            if waited > limit:
                stacks = self.stacks()
                raise Fail("the window did not answer for %.1f s (no screenshot after F12; bound %.1f s) "
                           "after %d actions (seed %d); the last xdotool commands:\n  %s"
                           % (waited, limit, self.actions, self.seed, "\n  ".join(self.log)) + stacks)
            time.sleep(0.02)
        took = time.time() - t0
        if limit == HANG_S:
            self.probes += 1
            self.slowest_probe = max(self.slowest_probe, took)
        for n in os.listdir(self.shots):  # keep the folder small
            os.remove(os.path.join(self.shots, n))
        self.rss.append(self.rss_mib())

    # ---- Actions ----------------------------------------------------------------------------------

    def point(self):
        w, h = self.size
        return self.rng.randrange(w), self.rng.randrange(h)

    def key(self, name):
        self.xdo("key", "--clearmodifiers", name)
        self.actions += 1

    def random_action(self):
        kind = self.rng.choices(["key", "click", "drag", "wheel", "resize", "type"],
                                weights=[50, 22, 8, 8, 3, 9])[0]
        if kind == "key":
            self.key(self.rng.choice(KEYS))
        elif kind == "type":  # a number into an edited cell or a quiz
            self.xdo("type", "--delay", "5", self.rng.choice(["12", "-3.5", "0.25", "7x7", "1e3", "9"]))
            self.key("Return")
        elif kind == "click":
            x, y = self.point()
            self.xdo("mousemove", "--window", self.window, x, y, "click", self.rng.choice([1, 1, 1, 3]))
            self.actions += 1
        elif kind == "drag":
            x, y = self.point()
            self.xdo("mousemove", "--window", self.window, x, y, "mousedown", 1)
            for _ in range(self.rng.randrange(2, 8)):
                x = max(0, min(self.size[0] - 1, x + self.rng.randrange(-120, 121)))
                y = max(0, min(self.size[1] - 1, y + self.rng.randrange(-120, 121)))
                self.xdo("mousemove", "--window", self.window, x, y)
            self.xdo("mouseup", 1)
            self.actions += 1
        elif kind == "wheel":
            x, y = self.point()
            self.xdo("mousemove", "--window", self.window, x, y, "click", "--repeat",
                     self.rng.randrange(1, 4), self.rng.choice([4, 5]))
            self.actions += 1
        else:
            self.size = (self.rng.randrange(480, 1601), self.rng.randrange(360, 1001))
            self.xdo("windowsize", self.window, *self.size)
            self.xdo("windowfocus", self.window)
            self.actions += 1

    def go_home(self):
        # Esc leaves an edit, a lesson's training, a lesson, a view; F1 may be open.
        for _ in range(4):
            self.key("Escape")

    def open_view(self, index):
        """Home entry `index` (0-based) by the keyboard."""
        self.go_home()
        self.key("Home")  # the home screen's first entry
        for _ in range(index):
            self.key("Down")
        self.key("Return")

    def walk(self):
        t_end = time.time() + SECONDS
        last_probe = time.time()
        # Every view in turn (and a lesson), each followed by random actions;
        # the order of the views is part of the seeded walk.
        targets = list(range(HOME_ENTRIES)) + ["lesson"]
        while time.time() < t_end:
            self.rng.shuffle(targets)
            for target in targets:
                if time.time() >= t_end:
                    break
                if target == "lesson":
                    self.open_view(HOME_ENTRIES - 1)
                    for _ in range(self.rng.randrange(0, 11)):
                        self.key("Down")
                    self.key("Return")                    # open a lesson
                    for _ in range(self.rng.randrange(1, 4)):
                        self.key("Return")                # its next beats
                else:
                    self.open_view(target)
                burst_end = time.time() + min(SECONDS / 8, t_end - time.time())
                while time.time() < burst_end:
                    self.random_action()
                    if time.time() - last_probe >= PROBE_EVERY_S:
                        self.check_alive("walking")
                        self.probe()
                        last_probe = time.time()
                self.check_alive("walking")
                self.probe()
                last_probe = time.time()

    def quit(self):
        self.go_home()
        self.key("q")
        try:
            code = self.app.wait(timeout=EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise Fail("the program did not exit in %d s after q (seed %d)" % (EXIT_TIMEOUT_S, self.seed))
        text = self.stderr_text()
        unloaded = tap.unloaded_library_leaks(text, CONVSTEP)
        if unloaded:
            # Only leaks with no frame in convstep (see tap.unloaded_library_leaks).
            print("# ignored at exit: %d leak(s) allocated with no frame in convstep (a library unloaded by exit: "
                  "Mesa's llvmpipe on Xvfb)" % unloaded)
            text, code = "", 0 if code in (0, 1) else code
        for mark in tap.SANITIZER_MARKS:
            expect(mark not in text, "sanitizer report (%s) at exit (seed %d)\n%s"
                   % (mark, self.seed, excerpt_text(text)))
        expect(code == 0, "exit status %d after q (seed %d)\n%s" % (code, self.seed, excerpt_text(text)))

    def stop(self):
        for p in (self.app, self.xvfb):
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if self.app:
            self.err.close()


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def random_walk_through_every_view():
    """a seeded random walk (keys, clicks, drags, wheel, resizes) through every view and a lesson"""
    missing = [t for t in ("Xvfb", "xdotool") if not shutil.which(t)]
    if missing:
        raise Skip("%s not installed (scripts/deps.sh installs the xvfb and xdotool packages)"
                   % " and ".join(missing))
    seed = int(os.environ.get("CONVSTEP_MONKEY_SEED", str(int(time.time()) % 1000000)))
    print("# seed %d (set CONVSTEP_MONKEY_SEED=%d to repeat the walk), %.0f s, hang bound %.1f s, "
          "RSS growth bound %d MiB" % (seed, seed, SECONDS, HANG_S, RSS_GROWTH_MIB))
    sys.stdout.flush()
    m = Monkey(seed)
    os.makedirs(m.shots, exist_ok=True)
    t0 = time.time()
    try:
        m.start_xvfb()
        m.start_app()
        start_rss = m.rss[-1]
        m.walk()
        end_rss = m.rss[-1]
        peak = max(m.rss)
        print("# %d actions and %d probes in %.0f s (slowest answer %.2f s); RSS start %.0f MiB, end %.0f MiB, "
              "peak %.0f MiB" % (m.actions, m.probes, time.time() - t0, m.slowest_probe, start_rss, end_rss, peak))
        sys.stdout.flush()
        m.quit()
        expect(end_rss - start_rss <= RSS_GROWTH_MIB,
               "resident memory grew by %.0f MiB (from %.0f to %.0f; bound %d MiB; seed %d)"
               % (end_rss - start_rss, start_rss, end_rss, RSS_GROWTH_MIB, seed))
    finally:
        m.stop()


def excerpt_text(text, limit=3000):
    return "\n".join(tap.excerpt(text, limit))



def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-monkey-", start))
