#!/usr/bin/env python3
"""scripts/screenshots.sh, the README's pictures: run into a temporary
folder, it writes every picture the README shows as a 1280x720 PNG, and a
missing program is an error that writes nothing.

    python3 tests/test_screenshots.py /path/to/convstep

Prints TAP and exits non-zero if a case failed. The pictures' contents are
not compared (the golden images of tests/test_render.c do that): only that
each is a whole PNG of the right size. Standard library only.
"""

import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import expect, run_program  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "screenshots.sh")
# The pictures the README shows (its "What it looks like" section), by name.
PICTURES = ["home", "conv", "pool", "training", "templates", "cnn", "network", "draw", "lesson", "convt", "backprop", "poolback"]
SIZE = (1280, 720)
TIMEOUT = 900  # seconds: two trainings and a lesson, maybe under a sanitizer

CONVSTEP = None
WORKDIR = None
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def run_script(out, program):
    env = dict(os.environ, CONVSTEP=program)
    return run_program(["sh", SCRIPT, out], cwd=WORKDIR, timeout=TIMEOUT, env=env)


def png_size(path):
    """(width, height) of a PNG, after checking its signature, that its chunks'
    CRCs are right and that it ends with IEND (a whole file, not a partial one)."""
    data = tap.read_bytes(path)
    expect(data[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG (signature %r)" % (path, data[:8]))
    pos, size, names = 8, None, []
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        expect(zlib.crc32(kind + body) & 0xFFFFFFFF == crc, "%s: chunk %r has a wrong CRC" % (path, kind))
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        names.append(kind)
        pos += 12 + length
    expect(names and names[0] == b"IHDR" and names[-1] == b"IEND", "%s: chunks %r" % (path, names))
    return size


@check
def writes_every_picture():
    """screenshots.sh OUT: one 1280x720 PNG per picture the README shows, nothing else"""
    out = os.path.join(WORKDIR, "shots")
    code, _, err = run_script(out, CONVSTEP)
    expect(code == 0, "exit %d: %s" % (code, err))
    names = sorted(os.listdir(out))
    expect(names == sorted(p + ".png" for p in PICTURES), "the folder holds %s" % names)
    for p in PICTURES:
        size = png_size(os.path.join(out, p + ".png"))
        expect(size == SIZE, "%s.png is %s, not %dx%d" % (p, size, SIZE[0], SIZE[1]))


@check
def missing_program_is_an_error():
    """CONVSTEP naming no program: exit 2 naming it, no folder written"""
    out = os.path.join(WORKDIR, "none")
    missing = os.path.join(WORKDIR, "no-such-convstep")
    code, _, err = run_script(out, missing)
    expect(code == 2, "exit %d, want 2" % code)
    expect(missing in err, "the message does not name the program: %r" % err)
    expect(not os.path.exists(out), "it made %s" % out)


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-shots-", start))
