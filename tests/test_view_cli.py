#!/usr/bin/env python3
"""Command-line tests for `convstep view`, run headless as a user (or CI, or a
teacher making slides) would run it.

    python3 tests/test_view_cli.py /path/to/convstep

Prints TAP (one case per check function below) and exits non-zero if any
case failed. Standard library only.

Pictures are checked by reading the PNG files here, independently of the
program: the signature, the IHDR chunk (width, height, bit depth, colour
type), and the pixels themselves (the IDAT chunks inflated with zlib and
un-filtered), so a black or one-colour frame is caught.

Every run has a 60 s timeout, and fails the case if the program died from a
signal or printed a sanitizer report (ASan, LeakSanitizer, UBSan), so the file
is meant to pass against a -fsanitize=address,undefined build as well.
"""

import json
import os
import re
import struct
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import LAST_RUN, Fail, Skip, expect, run_program  # noqa: E402

CONVSTEP = None  # absolute path of the program, from argv[1]
TIMEOUT = 60  # seconds per run
WORKDIR = None  # a scratch directory every run starts in


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ---- Running the program ------------------------------------------------------------

def run(*args, timeout=TIMEOUT, env=None):
    """Runs convstep with args in WORKDIR; returns (exit status, stdout, stderr)."""
    return run_program([CONVSTEP, *args], WORKDIR, timeout, env=env)


def run_ok(*args):
    """Runs args expecting success: exit 0 and nothing on stderr."""
    status, out, err = run(*args)
    expect(status == 0, "exit status %d, expected 0" % status)
    expect(err == "", "stderr is not empty on success")
    return out


def expect_error(args, *words, code=1):
    """Runs args, expecting an error: the exit status, nothing on stdout, and a
    stderr that starts with 'convstep: error:' and contains every word."""
    status, out, err = run(*args)
    expect(status == code, "exit status %d, expected %d" % (status, code))
    expect(out == "", "stdout should be empty on an error")
    expect(err.startswith("convstep: error: "), "stderr does not start with 'convstep: error: '")
    expect(err.count("\n") == 1, "the error is not one line")
    for w in words:
        expect(w in err, "stderr does not mention %r" % w)
    return err


def scratch(name):
    """A path in the scratch directory."""
    return os.path.join(WORKDIR, name)


# ---- Reading PNG files ---------------------------------------------------------------

class Png:
    """A decoded 8-bit PNG: width, height, channels and rows of bytes."""

    def __init__(self, width, height, channels, rows):
        self.width, self.height, self.channels, self.rows = width, height, channels, rows

    def pixel(self, x, y):
        """(r, g, b) of a pixel (grey repeated for grey images)."""
        c = self.channels
        p = self.rows[y][x * c:(x + 1) * c]
        return (p[0], p[0], p[0]) if c <= 2 else (p[0], p[1], p[2])

    def colours(self):
        """How many pixels there are of each colour (alpha ignored)."""
        counts = {}
        c = self.channels
        for row in self.rows:
            if c in (3, 4):
                for i in range(0, len(row), c):
                    key = row[i:i + 3]
                    counts[key] = counts.get(key, 0) + 1
            else:
                for i in range(0, len(row), c):
                    key = bytes([row[i]] * 3)
                    counts[key] = counts.get(key, 0) + 1
        return counts

    def rgb(self):
        """All pixels' colour bytes, for comparing two pictures."""
        c = self.channels
        if c == 3:
            return b"".join(self.rows)
        if c == 4:
            return b"".join(bytes(b for i, b in enumerate(row) if i % 4 != 3) for row in self.rows)
        return b"".join(bytes(row[i] for i in range(0, len(row), c)) for row in self.rows)


def png_chunks(data):
    """The chunks of a PNG file as (type, payload), checking their CRCs."""
    expect(data[:8] == PNG_SIGNATURE, "not a PNG file (signature %r)" % data[:8])
    chunks, pos = [], 8
    while pos < len(data):
        expect(pos + 8 <= len(data), "a PNG chunk header is cut off")
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        expect(len(body) == length and len(crc) == 4, "a PNG chunk is cut off")
        expect(struct.unpack(">I", crc)[0] == zlib.crc32(ctype + body) & 0xFFFFFFFF,
               "bad CRC in the %r chunk" % ctype)
        chunks.append((ctype, body))
        pos += 12 + length
        if ctype == b"IEND":
            break
    expect(chunks and chunks[0][0] == b"IHDR", "the first chunk is not IHDR")
    expect(chunks[-1][0] == b"IEND", "no IEND chunk")
    return chunks


def png_header(path):
    """(width, height, bit depth, colour type) from the IHDR chunk."""
    with open(path, "rb") as f:
        data = f.read()
    expect(data[:8] == PNG_SIGNATURE, "%s is not a PNG file" % os.path.basename(path))
    expect(data[12:16] == b"IHDR", "%s: the first chunk is not IHDR" % os.path.basename(path))
    return struct.unpack(">IIBB", data[16:26])


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(path):
    """Decodes an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB or RGBA)."""
    with open(path, "rb") as f:
        data = f.read()
    chunks = png_chunks(data)
    width, height, depth, ctype, comp, filt, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    expect(width > 0 and height > 0, "IHDR: empty picture %dx%d" % (width, height))
    expect(depth == 8, "IHDR: bit depth %d (the test reads 8)" % depth)
    expect(ctype in (0, 2, 4, 6), "IHDR: colour type %d (the test reads 0, 2, 4, 6)" % ctype)
    expect(comp == 0 and filt == 0 and interlace == 0, "IHDR: unexpected method or interlacing")
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    try:
        raw = zlib.decompress(b"".join(body for t, body in chunks if t == b"IDAT"))
    except zlib.error as e:
        raise Fail("the IDAT data does not inflate: %s" % e)
    stride = width * channels
    expect(len(raw) == height * (stride + 1),
           "IDAT holds %d bytes, %dx%d needs %d" % (len(raw), width, height, height * (stride + 1)))
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        expect(kind <= 4, "row %d: unknown filter %d" % (y, kind))
        c = channels
        if kind == 1:
            for i in range(c, stride):
                line[i] = (line[i] + line[i - c]) & 0xFF
        elif kind == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif kind == 3:
            for i in range(stride):
                left = line[i - c] if i >= c else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = line[i - c] if i >= c else 0
                upleft = prev[i - c] if i >= c else 0
                line[i] = (line[i] + paeth(left, prev[i], upleft)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return Png(width, height, channels, rows)


def expect_picture(path, width=1280, height=720):
    """A real screenshot: a PNG of that size whose pixels are not one colour.

    The header bar is dark and most of the frame light, so a frame of one
    colour, a black frame or one never drawn (transparent zeros) fails."""
    expect(os.path.isfile(path), "%s was not written" % os.path.basename(path))
    w, h, depth, ctype = png_header(path)
    expect((w, h) == (width, height), "the PNG is %dx%d, expected %dx%d" % (w, h, width, height))
    png = read_png(path)
    counts = png.colours()
    total = width * height
    top = max(counts.values())
    expect(len(counts) >= 50, "only %d colours in the picture" % len(counts))
    expect(top < 0.9 * total, "one colour covers %.1f%% of the picture" % (100.0 * top / total))
    dark = sum(n for rgb, n in counts.items() if sum(rgb) < 3 * 80)
    light = sum(n for rgb, n in counts.items() if sum(rgb) > 3 * 200)
    expect(dark > total * 0.02, "hardly any dark pixels (%d): no header bar, no text" % dark)
    expect(light > total * 0.3, "hardly any light pixels (%d)" % light)
    r, g, b = png.pixel(4, 4)
    expect(r + g + b < 3 * 100, "the top-left corner (the header bar) is not dark: %s" % ((r, g, b),))
    return png


def differing_pixels(a, b):
    """How many pixels of two pictures of one size differ in colour."""
    expect((a.width, a.height) == (b.width, b.height), "the pictures differ in size")
    pa, pb = a.rgb(), b.rgb()
    return sum(1 for i in range(0, len(pa), 3) if pa[i:i + 3] != pb[i:i + 3])


# ---- Cases --------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


# -- pictures

@check
def conv_screenshot_is_a_real_png():
    """view conv --headless --steps 4 --screenshot: a 1280x720 PNG with a real picture"""
    path = scratch("conv4.png")
    out = run_ok("view", "conv", "--headless", "--steps", "4", "--screenshot", path)
    expect(out.strip() == "screenshot saved to %s" % path, "stdout is %r" % out)
    w, h, depth, ctype = png_header(path)
    expect((w, h) == (1280, 720), "IHDR says %dx%d" % (w, h))
    expect_picture(path)


@check
def screenshot_relative_path():
    """--screenshot with a relative path writes into the working directory"""
    out = run_ok("view", "conv", "--headless", "--screenshot", "relative.png")
    expect("relative.png" in out, "stdout does not name the file")
    expect_picture(scratch("relative.png"))


@check
def window_full_hd():
    """--window 1920x1080 gives a 1920x1080 picture"""
    path = scratch("hd.png")
    run_ok("view", "conv", "--headless", "--steps", "4", "--window", "1920x1080", "--screenshot", path)
    expect_picture(path, 1920, 1080)


@check
def window_other_sizes():
    """--window 1024x768 and 1600x900 (and the smallest, 320x240) draw at that size"""
    for w, h in ((1024, 768), (1600, 900)):
        path = scratch("w%d.png" % w)
        run_ok("view", "pool", "--headless", "--window", "%dx%d" % (w, h), "--screenshot", path)
        expect_picture(path, w, h)
    path = scratch("tiny.png")
    run_ok("view", "conv", "--headless", "--window", "320x240", "--screenshot", path)
    expect(png_header(path)[:2] == (320, 240), "the smallest window is not 320x240")


@check
def frames_one_per_step():
    """--frames DIR --steps 5 writes frame-0000.png ... frame-0005.png, each a different picture"""
    d = scratch("frames")
    out = run_ok("view", "conv", "--headless", "--steps", "5", "--frames", d)
    expect("wrote 6 frames to %s" % d in out, "stdout is %r" % out)
    names = sorted(os.listdir(d))
    expect(names == ["frame-%04d.png" % i for i in range(6)], "the folder holds %s" % names)
    pictures = [expect_picture(os.path.join(d, n)) for n in names]
    for i in range(5):
        expect(differing_pixels(pictures[i], pictures[i + 1]) > 200,
               "frames %d and %d are (nearly) the same" % (i, i + 1))
    # The first frame is the start, as a screenshot after 0 steps; the last, after 5.
    start, end = scratch("start.png"), scratch("end.png")
    run_ok("view", "conv", "--headless", "--screenshot", start)
    run_ok("view", "conv", "--headless", "--steps", "5", "--screenshot", end)
    expect(differing_pixels(pictures[0], read_png(start)) == 0, "frame-0000 is not the start")
    expect(differing_pixels(pictures[5], read_png(end)) == 0, "frame-0005 is not step 5")


@check
def frames_zero_steps_and_nested_folder():
    """--frames into a folder that does not exist yet (two levels) with 0 steps: one frame"""
    d = scratch(os.path.join("new", "deeper"))
    out = run_ok("view", "pool", "--headless", "--frames", d)
    expect("wrote 1 frames" in out or "wrote 1 frame " in out, "stdout is %r" % out)
    expect(sorted(os.listdir(d)) == ["frame-0000.png"], "the folder holds %s" % os.listdir(d))
    expect_picture(os.path.join(d, "frame-0000.png"))


@check
def bench_frames_prints_median_and_p99():
    """--bench-frames 30 prints 'median ... ms, p99 ... ms' with median <= p99"""
    out = run_ok("view", "conv", "--headless", "--bench-frames", "30")
    m = re.search(r"frames 30 at 1280x720: median ([0-9]+\.[0-9]+) ms, p99 ([0-9]+\.[0-9]+) ms", out)
    expect(m is not None, "stdout is %r" % out)
    median, p99 = float(m.group(1)), float(m.group(2))
    expect(0 < median <= p99, "median %g, p99 %g" % (median, p99))


@check
def pool_digit_screenshot():
    """view pool --digit 3 --headless --screenshot draws a real test digit"""
    path, plain = scratch("pool3.png"), scratch("pool.png")
    run_ok("view", "pool", "--digit", "3", "--headless", "--steps", "2", "--screenshot", path)
    digit = expect_picture(path)
    run_ok("view", "pool", "--headless", "--steps", "2", "--screenshot", plain)
    expect(differing_pixels(digit, read_png(plain)) > 1000, "the digit changed nothing")
    # Another digit is another picture.
    other = scratch("pool7.png")
    run_ok("view", "pool", "--digit", "7", "--headless", "--steps", "2", "--screenshot", other)
    expect(differing_pixels(digit, read_png(other)) > 100, "digits 3 and 7 look the same")


@check
def conv_digit_and_settings():
    """view conv --digit with --padding same --stride 2 --dilation 2 --zoom --colorblind draws"""
    path = scratch("conv-digit.png")
    run_ok("view", "conv", "--digit", "0", "--padding", "same", "--stride", "2", "--dilation", "2",
           "--zoom", "120", "--colorblind", "--headless", "--steps", "3", "--screenshot", path)
    expect_picture(path)


@check
def play_seconds_runs_and_is_repeatable():
    """--play-seconds 2 plays on a fake clock: a different frame, the same on every run"""
    a, b, start = scratch("play-a.png"), scratch("play-b.png"), scratch("play-start.png")
    run_ok("view", "conv", "--headless", "--play-seconds", "2", "--screenshot", a)
    run_ok("view", "conv", "--headless", "--play-seconds", "2", "--screenshot", b)
    run_ok("view", "conv", "--headless", "--screenshot", start)
    pa = expect_picture(a)
    expect(differing_pixels(pa, read_png(b)) == 0, "two runs of --play-seconds 2 differ")
    expect(differing_pixels(pa, read_png(start)) > 200, "playing 2 s changed nothing")
    # Playing without a screenshot is allowed too.
    run_ok("view", "pool", "--headless", "--play-seconds", "0.5")


@check
def user_settings_are_drawn():
    """--input/--kernel/--bias from the command line, and settings that cannot work, still draw"""
    path = scratch("custom.png")
    run_ok("view", "conv", "--input", "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16", "--kernel", "1 0; 0 -1",
           "--bias", "0.5", "--headless", "--steps", "9", "--screenshot", path)
    expect_picture(path)
    # A kernel larger than the input: shown with the reason, not refused.
    path = scratch("impossible.png")
    run_ok("view", "conv", "--input", "1 2; 3 4", "--kernel", "1 2 3; 4 5 6; 7 8 9", "--headless",
           "--steps", "3", "--screenshot", path)
    expect_picture(path)
    # Two channels, pooling with a window and padding.
    path = scratch("two.png")
    run_ok("view", "conv", "--input", "1 2 3; 4 5 6; 7 8 9 | 9 8 7; 6 5 4; 3 2 1", "--kernel", "1 0; 0 1 | 0 1; 1 0",
           "--headless", "--steps", "2", "--screenshot", path)
    expect_picture(path)
    # The largest kernel, 7x7, on two channels: a cell's line holds 49
    # products with their '+' and the carry (a term list once overflowed here,
    # found under AddressSanitizer).
    rows = "; ".join(" ".join(str((r * 8 + c) % 5) for c in range(8)) for r in range(8))
    ones = "; ".join(" ".join("1" for _ in range(7)) for _ in range(7))
    path = scratch("k7.png")
    run_ok("view", "conv", "--input", rows + " | " + rows, "--kernel", ones + " | " + ones, "--headless",
           "--steps", "2", "--screenshot", path)
    expect_picture(path)
    path = scratch("pool-pad.png")
    run_ok("view", "pool", "--input", "1 2 3 4 5; 6 7 8 9 10; 1 2 3 4 5; 6 7 8 9 10; 0 0 0 0 1", "--size", "3",
           "--stride", "2", "--padding", "1", "--headless", "--steps", "4", "--screenshot", path)
    expect_picture(path)


@check
def home_headless():
    """view home --headless --screenshot draws the home screen"""
    path = scratch("home.png")
    run_ok("view", "home", "--headless", "--screenshot", path)
    expect_picture(path)


@check
def help_lists_headless_options():
    """view --help: exit 0 and the headless options"""
    out = run_ok("view", "--help")
    for word in ("--headless", "--steps", "--screenshot", "--frames", "--bench-frames", "--window",
                 "--play-seconds"):
        expect(word in out, "the help does not mention %s" % word)


# -- errors

@check
def error_unknown_view():
    """view foo: exit 1 naming 'foo' and the views there are"""
    expect_error(["view", "foo"], "'foo'", "conv", "pool")
    expect_error(["view", "convolution", "--headless"], "'convolution'", "conv", "pool")


@check
def error_options_before_the_view():
    """view --headless (no view name): exit 1 naming the views"""
    expect_error(["view", "--headless", "--steps", "2"], "conv", "pool")


@check
def error_headless_options_without_headless():
    """--screenshot, --steps, --frames, --bench-frames, --play-seconds need --headless (no window opens)"""
    for args in (["--screenshot", scratch("x.png")], ["--steps", "3"], ["--frames", scratch("fx")],
                 ["--bench-frames", "3"], ["--play-seconds", "1"]):
        expect_error(["view", "conv"] + args, "--headless", args[0])
    expect(not os.path.exists(scratch("x.png")), "a screenshot was written without --headless")


@check
def error_bad_window():
    """--window that is not WxH in range: exit 1 naming --window and the value"""
    for bad in ("1280", "100x100", "axb", "1280x720x3", "99999x720", "", "1280x", "x720", "-1280x720",
                "1280X-720"):
        expect_error(["view", "conv", "--headless", "--window", bad], "--window", "'%s'" % bad)


@check
def error_kernel_not_square():
    """--kernel that is not square: exit 1 saying it must be square, with its shape"""
    expect_error(["view", "conv", "--headless", "--kernel", "1 2 3; 4 5 6"], "--kernel", "square", "2x3")
    expect_error(["view", "conv", "--headless", "--kernel", "1 2; 3 4; 5 6"], "--kernel", "square", "3x2")


@check
def error_digit_out_of_range():
    """--digit out of range, negative or not a number: exit 1 naming --digit"""
    expect_error(["view", "pool", "--headless", "--digit", "100000"], "--digit", "100000")
    expect_error(["view", "conv", "--headless", "--digit", "-1"], "--digit")
    expect_error(["view", "pool", "--headless", "--digit", "three"], "--digit")


@check
def error_screenshot_in_missing_folder():
    """--screenshot into a folder that does not exist: exit 2 with the path, no signal"""
    path = scratch(os.path.join("no-such-folder", "shot.png"))
    err = expect_error(["view", "conv", "--headless", "--screenshot", path], path, code=2)
    expect("could not" in err or "cannot" in err, "the message does not say what failed")
    expect(not os.path.exists(path), "the file exists")


@check
def error_frames_where_no_folder_can_be():
    """--frames under a plain file: exit 2, no signal"""
    blocker = scratch("plain-file")
    with open(blocker, "w") as f:
        f.write("not a folder\n")
    expect_error(["view", "conv", "--headless", "--steps", "2", "--frames", os.path.join(blocker, "frames")],
                 "frame-0000.png", code=2)


@check
def error_out_of_range_settings():
    """settings out of range exit 1 naming the option"""
    cases = [
        (["--steps", "-1"], "--steps"),
        (["--zoom", "10"], "--zoom"),
        (["--zoom", "400"], "--zoom"),
        (["--play-seconds", "abc"], "--play-seconds"),
        (["--play-seconds", "-1"], "--play-seconds"),
        (["--bench-frames", "0"], "--bench-frames"),
        (["--padding", "4"], "--padding"),
        (["--stride", "9"], "--stride"),
        (["--dilation", "0"], "--dilation"),
        (["--bias", "1 2"], "--bias"),
        (["--input", "1 2; 3"], "--input"),
    ]
    for args, word in cases:
        expect_error(["view", "conv", "--headless"] + args, word)
    expect_error(["view", "pool", "--headless", "--size", "9"], "--size")
    expect_error(["view", "conv", "--headless", "--no-such-option"], "--no-such-option")


@check
def no_display_without_headless_fails_fast():
    """view conv with no display and no --headless: exit 2 at once, saying to use --headless"""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    status, out, err = run("view", "conv", env=env)
    expect(status == 2, "exit status %d, expected 2" % status)
    expect("--headless" in err, "stderr does not suggest --headless")


# -- issue 10: drivers that show nothing, full disks, empty and long folder names, endless frames

def no_display_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    env.update(extra)
    return env


@check
def invisible_video_driver_is_no_display():
    """SDL_VIDEODRIVER=offscreen or dummy: `convstep` prints the help, `view conv` exits 2 (no hidden window)"""
    for driver in ("offscreen", "dummy"):
        env = no_display_env(SDL_VIDEODRIVER=driver)
        # Before the fix both ran an invisible window until killed (the timeout).
        status, out, err = run(timeout=30, env=env)
        expect(status == 0, "%s: convstep alone exited %d, expected 0" % (driver, status))
        expect(out.startswith("usage: convstep <command>"), "%s: convstep alone did not print the help" % driver)
        expect("no window could be opened" in out, "%s: the help does not say why it is shown" % driver)
        status, out, err = run("view", "conv", timeout=30, env=env)
        expect(status == 2, "%s: view conv exited %d, expected 2" % (driver, status))
        expect(err.startswith("convstep: error: ") and "'%s'" % driver in err and "--headless" in err,
               "%s: the error does not name the driver and --headless: %r" % (driver, err))
        # --headless needs no display at all.
        path = scratch("driver-%s.png" % driver)
        status, out, err = run("view", "conv", "--headless", "--screenshot", path, env=env)
        expect(status == 0, "%s: --headless exited %d" % (driver, status))
        expect_picture(path)


def tiny_disk(name, size="64k"):
    """A folder on a tmpfs of `size` (root only; the case is skipped otherwise)."""
    path = scratch(name)
    os.makedirs(path, exist_ok=True)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", path],
                       stdin=subprocess.DEVNULL, capture_output=True)
    if p.returncode != 0:
        raise Skip("cannot mount a small tmpfs to fill (needs root): %s" % p.stderr.decode().strip())
    return path


def unmount(path):
    subprocess.run(["umount", path], stdin=subprocess.DEVNULL, capture_output=True)


@check
def full_disk_is_an_error_and_leaves_no_partial_png():
    """a full disk: --screenshot, --frames and lesson --export exit 2 with the reason, no truncated PNG"""
    disk = tiny_disk("full-disk")  # 64 KiB: a 1280x720 frame (about 75 KiB) does not fit
    try:
        path = os.path.join(disk, "shot.png")
        err = expect_error(["view", "conv", "--headless", "--screenshot", path], path, code=2)
        expect("No space left on device" in err, "the message does not give the reason")
        expect(os.listdir(disk) == [], "files left on the full disk: %s" % os.listdir(disk))
        frames = os.path.join(disk, "frames")
        expect_error(["view", "conv", "--headless", "--steps", "3", "--frames", frames], "frame-0000.png",
                     "No space left on device", code=2)
        expect(os.listdir(frames) == [], "files left in the frames folder: %s" % os.listdir(frames))
        # Small pictures fit: the first ones are saved whole, then the disk fills.
        status, out, err = run("view", "conv", "--headless", "--window", "320x240", "--steps", "30", "--frames",
                               frames)
        expect(status == 2, "exit status %d, expected 2 once the disk is full" % status)
        expect("No space left on device" in err, "stderr: %r" % err)
        expect("wrote" not in out, "stdout claims the frames were written: %r" % out)
        names = sorted(os.listdir(frames))
        expect(names and all(re.fullmatch(r"frame-\d{4}\.png", n) for n in names),
               "the folder holds %s (a temporary file left behind?)" % names)
        for n in names:
            png = read_png(os.path.join(frames, n))  # complete: every chunk, CRC and row
            expect((png.width, png.height) == (320, 240), "%s is %dx%d" % (n, png.width, png.height))
    finally:
        unmount(disk)


@check
def empty_output_names_are_refused():
    """--frames '', --export '' and --screenshot '': exit 1, nothing written (before: PNGs in /)"""
    before = set(os.listdir("/"))
    expect_error(["view", "conv", "--headless", "--frames", ""], "--frames", "empty")
    expect_error(["view", "conv", "--headless", "--export", ""], "--export", "empty")
    expect_error(["view", "conv", "--headless", "--screenshot", ""], "--screenshot", "empty")
    lesson = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lessons")
    files = sorted(f for f in os.listdir(lesson) if f.endswith(".lesson")) if os.path.isdir(lesson) else []
    if files:
        expect_error(["lesson", os.path.join(lesson, files[0]), "--headless", "--export", ""], "--export",
                     "empty")
    expect(set(os.listdir("/")) == before, "new files in /: %s" % (set(os.listdir("/")) - before))
    expect(os.listdir(WORKDIR) == [] or not any(n.startswith("frame-") for n in os.listdir(WORKDIR)),
           "frames were written into the working directory")


@check
def frames_never_land_outside_their_folder():
    """--frames with a folder name too long for its files: exit 1, and no file anywhere"""
    top = scratch("long")
    # Ten levels of 99 bytes and one of 109: 1109 bytes. Before, the frame's
    # path was cut at 1099 bytes and the PNG went into the parent folder.
    deep = os.path.join(top, *(["d" * 99] * 10), "x" * 109)
    os.makedirs(deep)
    rel = os.path.relpath(deep, WORKDIR)
    expect_error(["view", "conv", "--headless", "--frames", rel], "--frames", "980")
    expect_error(["view", "conv", "--headless", "--frames", rel[:981]], "--frames", "980")
    written = [os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs]
    expect(written == [], "files written: %s" % written)


@check
def frames_stop_at_the_end_of_the_animation():
    """--steps 200 --frames on a 4x4 input and a 3x3 kernel: 5 frames (the 4 cells), not 201"""
    d = scratch("frames-end")
    args = ["view", "conv", "--input", "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16", "--kernel",
            "1 0 1; 0 1 0; 1 0 1", "--headless"]
    out = run_ok(*args, "--steps", "200", "--frames", d)
    # (4 - 3)/1 + 1 = 2 rows and 2 columns: 4 output cells, a step each, after the start.
    names = sorted(os.listdir(d))
    expect(names == ["frame-%04d.png" % i for i in range(5)], "the folder holds %s" % names)
    expect("wrote 5 frames" in out and "ends" in out, "stdout is %r" % out)
    pictures = [read_png(os.path.join(d, n)) for n in names]
    for i in range(4):
        expect(differing_pixels(pictures[i], pictures[i + 1]) > 100, "frames %d and %d are the same" % (i, i + 1))
    end = scratch("frames-end.png")
    run_ok(*args, "--steps", "4", "--screenshot", end)
    expect(differing_pixels(pictures[4], read_png(end)) == 0, "the last frame is not the end of the animation")
    # The count is capped, and the help says so.
    expect_error(["view", "conv", "--headless", "--steps", "1000000"], "--steps", "10000")
    expect_error(["view", "conv", "--headless", "--steps", "10001"], "--steps", "10000")
    help_text = run_ok("view", "--help")
    expect("10000" in help_text and "10001" in help_text, "the help does not state the caps")


@check
def model_and_arch_together_are_refused():
    """view train --model X --arch Y: exit 1 naming both (before, --model silently won)"""
    expect_error(["view", "train", "--headless", "--model", "small", "--arch", "flatten,dense(10),softmax"],
                 "--model", "--arch")
    expect_error(["view", "train", "--headless", "--arch", "flatten,dense(10),softmax", "--model", "lenet5"],
                 "--model", "--arch")


@check
def drop_a_picture_headless():
    """--drop FILE: as if dropped onto the window (draw and conv views take it; a bad file or another view is an error)"""
    # A white 10x10 square on a black 28x28 page (ink is white on black, as MNIST).
    page = bytearray(28 * 28)
    for y in range(9, 19):
        for x in range(9, 19):
            page[y * 28 + x] = 255
    pgm = scratch("square.pgm")
    with open(pgm, "wb") as f:
        f.write(b"P5\n28 28\n255\n" + bytes(page))
    for view in ("draw", "conv"):
        plain, dropped, layout = scratch(view + "-plain.png"), scratch(view + "-drop.png"), scratch(view + "-drop.json")
        run_ok("view", view, "--headless", "--screenshot", plain)
        run_ok("view", view, "--headless", "--drop", pgm, "--screenshot", dropped, "--layout-json", layout)
        expect(differing_pixels(read_png(plain), read_png(dropped)) > 1000, "%s: the dropped picture changed little" % view)
        with open(layout, encoding="utf-8") as f:
            texts = " ".join(i.get("text") or "" for i in json.load(f)["items"])
        expect("square.pgm" in texts and "as convstep classify prepares it" in texts,
               "%s: the status line does not name the file and how it was prepared" % view)
    # The whole-network view takes it as the network's input, and its headline names it.
    layout = scratch("network-drop.json")
    run_ok("view", "network", "--headless", "--drop", pgm, "--layout-json", layout)
    with open(layout, encoding="utf-8") as f:
        texts = " ".join(i.get("text") or "" for i in json.load(f)["items"])
    expect("the dropped picture square.pgm" in texts, "network: the headline does not name the dropped picture")
    expect_error(["view", "conv", "--headless", "--drop", scratch("missing.png")], "--drop", "missing.png")
    expect_error(["view", "pool", "--headless", "--drop", pgm], "--drop", "draw a digit", "convolution")
    expect_error(["view", "draw", "--drop", pgm], "--drop", "--headless")

@check
def network_select_and_open():
    """view network --select L:M:R:C / L:U draws a unit's edges and reports its value; --open opens its arithmetic"""
    out = run_ok("view", "network", "--headless", "--model", "lenet5", "--train-steps", "20", "--select", "8:17",
                 "--screenshot", scratch("net.png"))
    expect("selected: layer 8 dense(120), unit 17 = " in out, "the report does not name the selected unit")
    out = run_ok("view", "network", "--headless", "--select", "1:3:10:12", "--screenshot", scratch("net2.png"))
    expect("selected: layer 1 conv(8,5,pad=2), map 3, (10, 12) = " in out, "the report does not name the selected cell")
    # --open: a conv unit opens the convolution view, a ReLU unit the unit view (their layouts say so).
    for sel, words in (("1:3:10:12", "filter 3"), ("2:3:10:12", "max(0, "), ("3:3:5:6", "output (5, 6)")):
        layout = scratch("open.json")
        run_ok("view", "network", "--headless", "--select", sel, "--open", "--layout-json", layout)
        with open(layout, encoding="utf-8") as f:
            texts = " ".join(i.get("text") or "" for i in json.load(f)["items"])
        expect(words in texts, "--select %s --open: the screen does not show %r" % (sel, words))
    expect_error(["view", "network", "--headless", "--select", "14:0"], "--select", "layer 14 does not exist", "1 to 6")
    expect_error(["view", "network", "--headless", "--select", "8:1:2"], "--select", "LAYER:MAP:ROW:COL")
    expect_error(["view", "network", "--headless", "--select", "1:9:0:0"], "--select", "maps 1 to 8")
    expect_error(["view", "network", "--headless", "--select", "5:3:0:0"], "--select", "units 0 to 9")
    expect_error(["view", "conv", "--headless", "--select", "1:1:0:0"], "--select", "view network")
    expect_error(["view", "network", "--headless", "--open"], "--open", "--select")
    expect_error(["view", "network", "--headless", "--select", "0:1:3:3", "--open"], "--open", "input pixel")
    expect_error(["view", "network", "--select", "1:1:0:0", "--open"], "--open", "--headless")


@check
def backprop_view_settings():
    """view backprop: the set-up from the command line, the gradients it worked out, bad settings refused"""
    # Input [1 2 3; 4 5 6; 7 8 9], kernel [1 0; 0 -1], dL/dY all ones, worked out by hand: dL/dW holds the
    # sums of the 2x2 sub-windows (12 16; 24 28), dL/dX the weights that reach each cell, dL/db = 4, and
    # with lr 0.5 W new = W - 0.5 dW = [1 - 6, 0 - 8; 0 - 12, -1 - 14].
    out = run_ok("view", "backprop", "--headless", "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 0; 0 -1",
                 "--grad-output", "1 1; 1 1", "--lr", "0.5", "--steps", "9", "--screenshot", scratch("bp.png"))
    for line in ("dL/dW: 12 16; 24 28", "dL/dX: 1 1 0; 1 0 -1; 0 -1 -1", "dL/db: 4", "W new (lr 0.5): -5 -8; -12 -15",
                 "step 9 of 18 (dL/dX)"):
        expect(line in out, "the report does not say %r: %r" % (line, out))
    expect_picture(scratch("bp.png"))
    expect_error(["view", "backprop", "--headless", "--grad-output", "1 1 1; 1 1 1"], "--grad-output", "2x3",
                 "2x2")
    expect_error(["view", "backprop", "--headless", "--lr", "0"], "--lr", "above 0")
    expect_error(["view", "backprop", "--headless", "--input", "1 2; 3 4 | 5 6; 7 8"], "--input", "one channel")
    expect_error(["view", "backprop", "--headless", "--kernel", "1 2 3; 4 5 6"], "--kernel", "square")


# ---- TAP ---------------------------------------------------------------------------------


@check
def pool_backward_view_settings():
    """view pool --backward: dL/dY routed back step by step, worked out by hand; bad settings refused"""
    # 4x4 input, 2x2 windows, stride 2, dY = [1 2; 3 4]: the maxima are 4 at (1,0), 5 at (1,3), 6 at (2,1) and 8 at
    # (3,3), so max pooling's dL/dX is 1, 2, 3, 4 there and 0 elsewhere; the average gives dY/4 to each cell.
    out = run_ok("view", "pool", "--backward", "--headless", "--input", "1 3 2 0; 4 2 1 5; 0 6 7 1; 2 1 3 8",
                 "--size", "2", "--grad-output", "1 2; 3 4", "--steps", "4", "--screenshot", scratch("pb.png"))
    for line in ("4 of 4 dL/dY cells routed", "dL/dX max: 0 0 0 0; 1 0 0 2; 0 3 0 0; 0 0 0 4",
                 "dL/dX average: 0.25 0.25 0.5 0.5; 0.25 0.25 0.5 0.5; 0.75 0.75 1 1; 0.75 0.75 1 1"):
        expect(line in out, "the report does not say %r: %r" % (line, out))
    expect_picture(scratch("pb.png"))
    # Overlapping windows (stride 1) after two steps: 9 at (1,1) wins both, 1 + 2 = 3; the average adds 1/4 + 2/4.
    out = run_ok("view", "pool", "--backward", "--headless", "--input", "1 2 3; 4 9 5; 6 7 8", "--size", "2",
                 "--stride", "1", "--grad-output", "1 2; 3 4", "--steps", "2")
    expect("dL/dX max: 0 0 0; 0 3 0; 0 0 0" in out, out)
    expect("dL/dX average: 0.25 0.75 0.5; 0.25 0.75 0.5; 0 0 0" in out, out)
    expect_error(["view", "pool", "--headless", "--grad-output", "1 2; 3 4"], "--grad-output", "--backward")
    expect_error(["view", "pool", "--backward", "--headless", "--grad-output", "1 2; 3 4"], "--grad-output", "2x2",
                 "3x3")


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-view-", start))
