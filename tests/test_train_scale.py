#!/usr/bin/env python3
"""`convstep train --data DIR` at the full MNIST scale: 60,000 training digits.

    python3 tests/test_train_scale.py /path/to/convstep

Prints TAP and exits non-zero if any case failed. Standard library only.

The 60,000 digits are made here, as the issue asks, from the embedded records
0..7999 (assets/mnist10k-*.gz, read with gzip + struct) moved by eight small
shifts, and written gzip-compressed as MNIST ships; the test set is records
8000..9999, unshifted, so an accuracy well above chance says the images and
labels were read in step. The checks:
  - peak resident memory of a LeNet-5 epoch (ru_maxrss, through a small
    launcher) under 200 MiB: 60,000 x 784 pixels are 47 MB as bytes, 188 MB as floats;
  - time per epoch about linear: 60,000 digits take 1.3x to 3.2x the time
    of 30,000 (a ratio of the program's own epoch times; never an absolute speed);
  - the progress bar: on stderr when it is a terminal (a pty here), redrawn
    in place at most about ten times a second with epoch, samples done,
    samples/s and ETA; nothing on stderr when it is a pipe or with --json.
Under a sanitizer build the memory and time ratios mean nothing (shadow
memory, quarantine, 2-20x slowdowns): those two cases are skipped there.
"""

import gzip
import json
import os
import pty
import re
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
import embedded_digits  # noqa: E402  (assets/mnist10k-*.gz, read independently)
from tap import LAST_RUN, SANITIZER_MARKS, Fail, Skip, expect  # noqa: E402

CONVSTEP = None
WORKDIR = None
TIMEOUT = 120  # seconds per run
HERE = os.path.dirname(os.path.abspath(__file__))
ARCH = "flatten,dense(10),softmax"  # fast: the data path is what is measured
RSS_LIMIT_KIB = 200 * 1024
# (dy, dx) moves; the eighth set is cut to 4,000 digits to make 60,000.
SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1))
N_TRAIN = 60000


def shifted(img, dy, dx):
    """A 28x28 image moved by (dy, dx), zeros coming in. Done as one flat move
    of 28*dy + dx bytes: a pixel leaving one side of a row enters the other,
    which is the blank border of every MNIST digit."""
    k = 28 * dy + dx
    if k >= 0:
        return bytes(k) + img[:784 - k]
    return img[-k:] + bytes(-k)


def write_gz(path, data):
    with open(path, "wb") as f:
        f.write(gzip.compress(data, compresslevel=1))


_SETS = {}


def data_dirs():
    """{30000: dir, 60000: dir}: the training sets (the 30k one is the first
    half of the 60k one) with the same 2,000-digit test set, all .gz."""
    if _SETS:
        return _SETS
    images, labels, _, _ = embedded_digits.read()
    train_img, train_lab = bytearray(), bytearray()
    for i in range(N_TRAIN):
        dy, dx = SHIFTS[i // 8000]
        r = i % 8000
        train_img += shifted(images[r * 784:(r + 1) * 784], dy, dx)
        train_lab.append(labels[r])
    test_img, test_lab = images[8000 * 784:], labels[8000:]
    for n in (30000, 60000):
        d = os.path.join(WORKDIR, "mnist%dk" % (n // 1000))
        os.makedirs(d)
        write_gz(os.path.join(d, "train-images-idx3-ubyte.gz"),
                 struct.pack(">IIII", 0x803, n, 28, 28) + bytes(train_img[:n * 784]))
        write_gz(os.path.join(d, "train-labels-idx1-ubyte.gz"),
                 struct.pack(">II", 0x801, n) + bytes(train_lab[:n]))
        write_gz(os.path.join(d, "t10k-images-idx3-ubyte.gz"),
                 struct.pack(">IIII", 0x803, 2000, 28, 28) + test_img)
        write_gz(os.path.join(d, "t10k-labels-idx1-ubyte.gz"), struct.pack(">II", 0x801, 2000) + test_lab)
        _SETS[n] = d
    return _SETS


def sanitized():
    with open(CONVSTEP, "rb") as f:
        body = f.read()
    return b"__asan_init" in body or b"__tsan_init" in body


# Runs argv[2:] as its child and writes the child's peak RSS (KiB) to argv[1].
# Linux carries ru_maxrss across exec, and a child forked from this test
# starts with the test's own resident size (the digits it made): a small
# launcher in between forks the program from a process of a few MiB, so
# its figure is the program's peak (plus at most the launcher's size).
LAUNCHER = r"""
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write("%d" % usage.ru_maxrss)
code = os.waitstatus_to_exitcode(status)
if code < 0:
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def run_measured(args, stderr=None):
    """Runs convstep; returns (status, stdout, stderr, peak RSS in KiB), the
    peak measured by LAUNCHER. stderr: a file descriptor to give it (then ""
    is returned for it)."""
    out_path = os.path.join(WORKDIR, "out.txt")
    err_path = os.path.join(WORKDIR, "err.txt")
    rss_path = os.path.join(WORKDIR, "rss.txt")
    cmd = [CONVSTEP, *args]
    entry = {"cmd": cmd, "code": None, "out": "", "err": ""}
    LAST_RUN.append(entry)
    with open(out_path, "wb") as fo, open(err_path, "wb") as fe:
        p = subprocess.Popen([sys.executable, "-c", LAUNCHER, rss_path, *cmd], stdin=subprocess.DEVNULL,
                             stdout=fo, stderr=fe if stderr is None else stderr, cwd=WORKDIR,
                             start_new_session=True)
        try:
            p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            raise Fail("timed out after %d s" % TIMEOUT)
    with open(out_path, encoding="utf-8", errors="replace") as f:
        out = f.read()
    with open(err_path, encoding="utf-8", errors="replace") as f:
        err = f.read()
    entry.update(code=p.returncode, out=out, err=err)
    if p.returncode < 0:
        raise Fail("killed by signal %d" % -p.returncode)
    for mark in SANITIZER_MARKS:
        if mark in err:
            raise Fail("sanitizer report (%s) on stderr" % mark)
    with open(rss_path) as f:
        rss = int(f.read())
    return p.returncode, out, err, rss


def train_json(n, arch=ARCH):
    code, out, err, rss = run_measured(["train", "--data", data_dirs()[n], "--arch", arch,
                                        "--epochs", "1", "--json"])
    expect(code == 0, "exit status %d, stderr: %s" % (code, err[-400:]))
    expect(err == "", "stderr is not empty with --json (piped): %r" % err[:200])
    try:
        doc = json.loads(out)
    except ValueError:
        raise Fail("stdout is not JSON: %r" % out[:300])
    return doc, rss


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def full_mnist_memory():
    """60,000 gzip'd digits, LeNet-5 (the default), 1 epoch: peak RSS under 200 MiB, accuracy > 0.8"""
    if sanitized():
        raise Skip("a sanitizer build: its memory use is not the program's")
    doc, rss = train_json(60000, "lenet5")
    expect(len(doc["epochs"]) == 1, "%d epochs listed" % len(doc["epochs"]))
    # LeNet-5 on real digits reaches ~0.97 in one epoch; chance is 0.1.
    # A misaligned image/label read would stay near chance.
    expect(doc["test_accuracy"] > 0.8, "test accuracy %s <= 0.8" % doc["test_accuracy"])
    expect(rss < RSS_LIMIT_KIB, "peak resident memory %.1f MiB, limit 200 MiB" % (rss / 1024))
    print("# 60,000 digits: peak RSS %.1f MiB, %.0f samples/s" % (rss / 1024, doc["train_samples_per_sec"]))


@check
def epoch_time_linear():
    """an epoch of 60,000 digits takes 1.3x to 3.2x the time of 30,000 (best of 3 runs each)"""
    if sanitized():
        raise Skip("a sanitizer build: its times are not the program's")
    best = {}
    for n in (30000, 60000) * 3:  # interleaved, so a change of load hits both
        doc, _ = train_json(n)
        best[n] = min(best.get(n, float("inf")), doc["train_seconds"])
    ratio = best[60000] / best[30000]
    print("# epoch seconds: 30k %.3f, 60k %.3f, ratio %.2f" % (best[30000], best[60000], ratio))
    expect(1.3 <= ratio <= 3.2, "60k/30k epoch time ratio %.2f, outside 1.3..3.2 (30k %.3f s, 60k %.3f s)"
           % (ratio, best[30000], best[60000]))


BAR = re.compile(r"epoch (\d+)/(\d+) \[[=> ]+\] (\d+)/(\d+)  (\d+) samples/s  ETA (\d+):(\d\d)")


@check
def progress_bar_on_a_terminal():
    """stderr a terminal: the bar with epoch, samples, samples/s, ETA, in place, <= ~10 redraws/s"""
    master, slave = pty.openpty()
    chunks = []

    def drain():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    t0 = time.monotonic()
    try:
        code, out, _, _ = run_measured(["train", "--data", data_dirs()[60000], "--arch", ARCH,
                                        "--epochs", "2"], stderr=slave)
    finally:
        os.close(slave)
        wall = time.monotonic() - t0
        reader.join(timeout=10)
        os.close(master)
    err = b"".join(chunks).decode("utf-8", "replace")
    expect(code == 0, "exit status %d" % code)
    draws = err.split("\r\x1b[K")
    bars = [BAR.match(d) for d in draws if d]
    expect(bars and all(bars), "stderr holds other text than bars: %r" % err[:400])
    expect(err.endswith("\r\x1b[K"), "the last bar is not erased: %r" % err[-200:])
    expect(len(bars) >= 2, "%d bars drawn in %.1f s" % (len(bars), wall))
    # At most ten a second, plus the first step of each epoch (drawn at once).
    expect(len(bars) <= 10 * wall + 3, "%d bars drawn in %.1f s, more than ~10 a second" % (len(bars), wall))
    for m in bars:
        epoch, epochs, pos, count, rate, mins, secs = (int(g) for g in m.groups())
        expect(epochs == 2 and 1 <= epoch <= 2 and count == N_TRAIN and 0 < pos < count,
               "bar %r" % m.group(0))
        # The time left for the run: the digits left at the rate shown.
        left = ((epochs - epoch) * count + count - pos) / max(rate, 1)
        expect(abs(mins * 60 + secs - left) <= 1.5, "ETA %d:%02d, but %d digits left at %d/s is %.1f s"
               % (mins, secs, (epochs - epoch) * count + count - pos, rate, left))
    expect(any(m.group(1) == "2" for m in bars), "no bar during epoch 2")
    lines = out.splitlines()
    expect(any(l.startswith("epoch 1/2: ") for l in lines) and any(l.startswith("epoch 2/2: ") for l in lines),
           "the epoch summaries are missing from stdout: %r" % out)
    expect("\r" not in out, "stdout (a file) has a carriage return")


@check
def no_bar_when_piped_or_json():
    """stderr a pipe: nothing on it; --json with stderr a terminal: no bar either"""
    code, out, err, _ = run_measured(["train", "--data", data_dirs()[30000], "--arch", ARCH, "--epochs", "1"])
    expect(code == 0 and err == "", "exit %d, stderr (a file) %r" % (code, err[:200]))
    expect("epoch 1/1: " in out, "stdout: %r" % out[:300])
    master, slave = pty.openpty()
    try:
        code, out, _, _ = run_measured(["train", "--data", data_dirs()[30000], "--arch", ARCH, "--epochs", "1",
                                        "--json"], stderr=slave)
    finally:
        os.close(slave)
    os.set_blocking(master, False)
    try:
        got = os.read(master, 65536)
    except OSError:
        got = b""
    os.close(master)
    expect(code == 0 and got == b"", "exit %d, the terminal got %r with --json" % (code, got[:200]))
    json.loads(out)


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-scale-", start))
