#!/usr/bin/env python3
"""Command-line tests of `convstep classify` against crafted model files and
pictures: class counts, model limits, bad parameter values, pipes, /dev/zero,
folders, file names with control characters or bytes that are not UTF-8, and
damaged PNGs.

    python3 tests/test_classify_cli.py /path/to/convstep

Prints TAP and exits non-zero if any case failed. Standard library only.

The truths come from outside the program: model files are written here with
struct + zlib (app/modelfile.h's layout) with all weights zero, so the
probabilities are the softmax of the biases, computed here with math.exp;
pictures are PGM or PNG files written here.
"""

import json
import math
import os
import struct
import sys
import threading
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import Fail, expect, run_program, read_bytes, write_bytes  # noqa: E402

CONVSTEP = None  # absolute path of the program, from argv[1]
TIMEOUT = 60  # seconds per run
WORKDIR = None  # a scratch directory every run starts in

# The limits app/modelfile.h states (the documentation quotes the same numbers).
MAX_CLASSES = 4096
MAX_ABS_PARAM = 1e6


def run(*args, timeout=TIMEOUT, **popen):
    """Runs convstep with args in WORKDIR; returns (exit status, stdout, stderr)."""
    return run_program([CONVSTEP, *args], WORKDIR, timeout, **popen)


def run_raw(*args, **popen):
    """Like run, with stdout as bytes (to check that it is valid UTF-8)."""
    path = os.path.join(WORKDIR, "stdout.bin")
    with open(path, "wb") as f:
        code, _, err = run(*args, stdout=f.fileno(), **popen)
    return code, read_bytes(path), err


def expect_error(args, *words, code=1):
    """Runs args expecting exit `code`, nothing on stdout, one stderr line
    starting with 'convstep: error:' that contains every word."""
    status, out, err = run(*args)
    expect(status == code, "exit status %d, expected %d" % (status, code))
    expect(out == "", "stdout should be empty on an error")
    expect(err.startswith("convstep: error: "), "stderr does not start with 'convstep: error: '")
    expect(err.count("\n") == 1 and err.endswith("\n"), "stderr is not exactly one line")
    for w in words:
        expect(w in err, "stderr does not mention %r" % w)
    return err


def scratch_path(name):
    return os.path.join(WORKDIR, name)


# ---- Model files, written here -----------------------------------------------------------

def model_bytes(arch, shape, params, note=b"", count=None):
    """A model file (app/modelfile.h): params is the packed float32 bytes."""
    arch_b = arch.encode()
    body = (b"CONVSTEP" + struct.pack("<IIII", 1, *shape) +
            struct.pack("<I", len(arch_b)) + arch_b +
            struct.pack("<I", len(note)) + note +
            struct.pack("<Q", len(params) // 4 if count is None else count) + params)
    return body + struct.pack("<I", zlib.crc32(body))


def dense_params(inputs, classes, biases, weight=0.0):
    """flatten,dense(classes) parameters: weights [in][out] all `weight`, then biases."""
    w = bytes(4 * inputs * classes) if weight == 0.0 else struct.pack("<f", weight) * (inputs * classes)
    b = bytearray(4 * classes)
    for k, v in biases.items():
        struct.pack_into("<f", b, 4 * k, v)
    return bytearray(w + bytes(b))


def dense_model(name, classes, biases):
    """A 28x28x1 'flatten,dense(N),softmax' model with zero weights: its
    probabilities are softmax(biases) whatever the picture. Returns the path."""
    path = scratch_path(name)
    write_bytes(path, model_bytes("flatten,dense(%d),softmax" % classes, (1, 28, 28),
                                  bytes(dense_params(784, classes, biases))))
    return path


def softmax(biases, classes):
    z = [biases.get(k, 0.0) for k in range(classes)]
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    return [v / s for v in e]


# ---- Pictures, written here --------------------------------------------------------------

BAR = bytes(0 if 12 <= x <= 15 and 4 <= y <= 23 else 255 for y in range(28) for x in range(28))


def pgm_bytes():
    """A 28x28 dark vertical bar on light paper."""
    return b"P5\n28 28\n255\n" + BAR


def picture(name):
    path = scratch_path(name)
    write_bytes(path, pgm_bytes())
    return path


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes():
    raw = b"".join(b"\x00" + BAR[28 * y:28 * y + 28] for y in range(28))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)) +
            png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


# ---- Feeding a pipe ----------------------------------------------------------------------

def feed_fifo(path, data, repeat_tail=None):
    """Starts a thread that opens the named pipe and writes data (then
    repeat_tail forever, if given, until the reader goes); returns a function
    that unblocks and joins it."""
    def writer():
        try:
            with open(path, "wb") as f:
                f.write(data)
                while repeat_tail is not None:
                    f.write(repeat_tail)
        except OSError:
            pass  # the reader stopped reading: what a bounded read does
    t = threading.Thread(target=writer, daemon=True)
    t.start()

    def finish():
        # A writer still waiting for a reader (the program never opened the
        # pipe) is let go by opening the read end for a moment.
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass
        t.join(5)
    return finish


def stdin_pipe(data):
    """A preexec_fn giving the program `data` on a pipe as its stdin, and a
    function to call after the run."""
    r, w = os.pipe()

    def writer():
        try:
            with os.fdopen(w, "wb") as f:
                f.write(data)
        except OSError:
            pass
    t = threading.Thread(target=writer, daemon=True)
    t.start()

    def preexec():
        os.dup2(r, 0)

    def finish():
        os.close(r)
        t.join(5)
    return preexec, finish


def max_rss_kb(*args):
    """Runs convstep and returns (exit status, stderr, its peak resident size in kB)."""
    import subprocess
    err_path = scratch_path("stderr.txt")
    with open(err_path, "wb") as ef:
        p = subprocess.Popen([CONVSTEP, *args], cwd=WORKDIR, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=ef)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    err = read_bytes(err_path).decode("utf-8", "replace")
    for mark in tap.SANITIZER_MARKS:
        expect(mark not in err, "sanitizer report (%s) on stderr" % mark)
    expect(p.returncode >= 0, "killed by signal %d" % -p.returncode)
    return p.returncode, err, usage.ru_maxrss


# ---- The cases ---------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def expect_probabilities(entry, want, name):
    p = entry["probabilities"]
    expect(len(p) == len(want), "%s: %d probabilities, expected %d" % (name, len(p), len(want)))
    bad = [k for k in range(len(want)) if abs(p[k] - want[k]) > 1e-6 + 1e-4 * want[k]]
    expect(not bad, "%s: class %s: %s, expected %s" % (name, bad[:3], [p[k] for k in bad[:3]],
                                                          [want[k] for k in bad[:3]]))


@check
def classify_many_classes():
    """classify with a 3000-class model (issue: a fixed probs[256] overflowed): right probabilities"""
    biases = {2999: 6.0, 5: 5.0, 1000: 4.0}
    model = dense_model("c3000.model", 3000, biases)
    pic = picture("bar.pgm")
    want = softmax(biases, 3000)
    code, out, err = run("classify", "--model", model, "--json", pic)
    expect(code == 0, "exit status %d" % code)
    doc = json.loads(out)
    expect(len(doc) == 1 and doc[0]["prediction"] == 2999, "prediction %s" % doc[0]["prediction"])
    expect_probabilities(doc[0], want, pic)
    code, out, err = run("classify", "--model", model, pic)
    expect(code == 0, "text: exit status %d" % code)
    line = "%s: 2999 (%.1f%%); then 5 (%.1f%%), 1000 (%.1f%%)  [dark ink on light paper]\n" % (
        pic, 100 * want[2999], 100 * want[5], 100 * want[1000])
    expect(out == line, "text output %r, expected %r" % (out, line))


@check
def classify_class_limit():
    """classify: a model of exactly 4096 classes works; 4097 is refused quoting the limit"""
    biases = {4095: 3.0}
    model = dense_model("c4096.model", MAX_CLASSES, biases)
    pic = picture("bar.pgm")
    code, out, err = run("classify", "--model", model, "--json", pic)
    expect(code == 0, "4096 classes: exit status %d" % code)
    doc = json.loads(out)
    expect(doc[0]["prediction"] == 4095, "prediction %s" % doc[0]["prediction"])
    expect_probabilities(doc[0], softmax(biases, MAX_CLASSES), pic)
    over = dense_model("c4097.model", MAX_CLASSES + 1, {})
    expect_error(["classify", "--model", over, pic], over, "4097", str(MAX_CLASSES))


@check
def classify_two_classes():
    """classify with a 2-class model prints two candidates, not a third from uninitialised memory"""
    model = dense_model("c2.model", 2, {0: math.log(3.0)})  # softmax: 0.75, 0.25
    pic = picture("bar.pgm")
    code, out, err = run("classify", "--model", model, pic)
    expect(code == 0, "exit status %d" % code)
    want = "%s: 0 (75.0%%); then 1 (25.0%%)  [dark ink on light paper]\n" % pic
    expect(out == want, "output %r, expected %r" % (out, want))
    code, out, err = run("classify", "--model", model, "--json", pic)
    doc = json.loads(out)
    expect(doc[0]["prediction"] == 0, "prediction %s" % doc[0]["prediction"])
    expect_probabilities(doc[0], [0.75, 0.25], pic)


@check
def model_dev_zero():
    """classify --model /dev/zero: refused after the header, in little memory and time"""
    pic = picture("bar.pgm")
    code, err, rss = max_rss_kb("classify", "--model", "/dev/zero", pic)
    expect(code == 1, "exit status %d" % code)
    expect("/dev/zero" in err and "not a convstep model" in err, "stderr %r" % err)
    # Before the fix it read 1 GiB (about 1 GB resident); a sanitizer build
    # alone takes some tens of MB.
    expect(rss < 200 * 1024, "peak resident size %d kB" % rss)


@check
def model_endless_stream():
    """classify --model <pipe>: a valid header followed by endless zeros is read only as far as it announces"""
    good = model_bytes("flatten,dense(10),softmax", (1, 28, 28), bytes(dense_params(784, 10, {})))
    header = good[:len(good) - 4 - 4 * 7850]
    fifo = scratch_path("endless.model")
    os.mkfifo(fifo)
    pic = picture("bar.pgm")
    finish = feed_fifo(fifo, header, repeat_tail=bytes(65536))
    try:
        expect_error(["classify", "--model", fifo, pic], fifo, "checksum")
    finally:
        finish()


@check
def pipes_and_stdin():
    """classify reads a picture and a model from named pipes and /dev/stdin (read once)"""
    model_data = model_bytes("flatten,dense(2),softmax", (1, 28, 28),
                             bytes(dense_params(784, 2, {0: math.log(3.0)})))
    model = scratch_path("pipe-src.model")
    write_bytes(model, model_data)
    pic = picture("bar.pgm")

    def expect_75_25(code, out, what):
        expect(code == 0, "%s: exit status %d" % (what, code))
        doc = json.loads(out)
        expect(len(doc) == 1, "%s: %d results" % (what, len(doc)))
        expect_probabilities(doc[0], [0.75, 0.25], what)

    for name, data in (("pic.pgm", pgm_bytes()), ("pic.png", png_bytes())):
        fifo = scratch_path("fifo-" + name)
        os.mkfifo(fifo)
        finish = feed_fifo(fifo, data)
        try:
            code, out, err = run("classify", "--model", model, "--json", fifo, timeout=20)
        finally:
            finish()
        expect_75_25(code, out, "picture from a named pipe (%s)" % name)

    fifo = scratch_path("fifo.model")
    os.mkfifo(fifo)
    finish = feed_fifo(fifo, model_data)
    try:
        code, out, err = run("classify", "--model", fifo, "--json", pic, timeout=20)
    finally:
        finish()
    expect_75_25(code, out, "model from a named pipe")

    preexec, finish = stdin_pipe(pgm_bytes())
    try:
        code, out, err = run("classify", "--model", model, "--json", "/dev/stdin", timeout=20,
                             preexec_fn=preexec)
    finally:
        finish()
    expect_75_25(code, out, "picture on /dev/stdin (a pipe)")

    preexec, finish = stdin_pipe(model_data)
    try:
        code, out, err = run("classify", "--model", "/dev/stdin", "--json", pic, timeout=20,
                             preexec_fn=preexec)
    finally:
        finish()
    expect_75_25(code, out, "model on /dev/stdin (a pipe)")


def bad_param_model(name, index, value, arch="flatten,dense(10),softmax"):
    params = dense_params(784, 10, {})
    struct.pack_into("<f", params, 4 * index, value)
    path = scratch_path(name)
    write_bytes(path, model_bytes(arch, (1, 28, 28), bytes(params)))
    return path


@check
def model_bad_parameters():
    """classify --model with a NaN, an Inf or an absurd parameter: refused naming it and the bound"""
    pic = picture("bar.pgm")
    # Parameters: 7840 weights of layer 2 (dense; layer 1 is flatten), then 10 biases.
    path = bad_param_model("nan.model", 7840 + 3, float("nan"))
    err = expect_error(["classify", "--model", path, pic], path, "nan", "7843", "bias 3", "dense")
    path = bad_param_model("inf.model", 100, float("-inf"))
    expect_error(["classify", "--model", path, pic], path, "-inf", "weight 100", "dense")
    path = bad_param_model("huge.model", 5, 2e6)
    expect_error(["classify", "--model", path, pic], path, "weight 5", "2e+06", "1e6")
    # The bound itself is allowed.
    path = bad_param_model("edge.model", 5, MAX_ABS_PARAM)
    code, out, err = run("classify", "--model", path, "--json", pic)
    expect(code == 0, "a parameter of exactly 1e6: exit status %d" % code)


@check
def model_overflowing_outputs():
    """classify: weights within the bound that still overflow deep in the net give an error, not 'nan%'"""
    # Six dense layers of weight 1e6 on ~80 inked pixels: about 8e7, 8e14, ...,
    # 8e42, past the largest float (3.4e38): the scores are inf, then nan.
    arch = "flatten" + ",dense(10)" * 6
    params = dense_params(784, 10, {}, weight=1e6) + b"".join(
        dense_params(10, 10, {}, weight=1e6) for _ in range(5))
    path = scratch_path("overflow.model")
    write_bytes(path, model_bytes(arch, (1, 28, 28), bytes(params)))
    pic = picture("bar.pgm")
    expect_error(["classify", "--model", path, pic], path, pic, "not numbers")


@check
def model_declared_counts():
    """classify --model: each count the header declares is refused against its limit before reading on"""
    pic = picture("bar.pgm")

    def header(arch=b"softmax", note=b"", shape=(1, 28, 28), arch_len=None, note_len=None, count=7850):
        return (b"CONVSTEP" + struct.pack("<IIII", 1, *shape) +
                struct.pack("<I", len(arch) if arch_len is None else arch_len) + arch +
                struct.pack("<I", len(note) if note_len is None else note_len) + note +
                struct.pack("<Q", count))
    cases = [
        ("arch-len.model", header(arch_len=0xFFFFFFF0), ["architecture", "4095"]),
        ("note-len.model", header(note_len=5000), ["note", "4095"]),
        ("shape.model", header(shape=(1, 5000, 28)), ["input shape", "4096"]),
        ("params.model", header(arch=b"flatten,dense(5000),dense(4000)", shape=(1, 1, 1)),
         ["parameters", "16777216"]),
        ("classes.model", header(arch=b"flatten,dense(5000)", shape=(1, 1, 1)), ["5000", "4096"]),
        ("activations.model", header(arch=b"conv(1,101),maxpool(100),flatten,dense(10)",
                                    shape=(1, 4096, 4096)),
         ["16777216", "working memory"]),
    ]
    for name, data, words in cases:
        path = scratch_path(name)
        write_bytes(path, data)  # a header only: refused before the body is missed
        expect_error(["classify", "--model", path, pic], path, *words)


@check
def image_folder_and_missing():
    """classify: a folder given as a picture says it is a folder; '--' then a name classifies it"""
    pic = picture("bar.pgm")
    folder = scratch_path("pictures.png")
    os.makedirs(folder, exist_ok=True)
    expect_error(["classify", folder], folder, "is a folder")
    missing = scratch_path("no-such.png")
    expect_error(["classify", "--", missing], "cannot open the image", missing,
                 "No such file or directory")
    dashed = scratch_path("-dash.pgm")
    write_bytes(dashed, pgm_bytes())
    code, out, err = run("classify", "--json", "--", "-dash.pgm")
    expect(code == 0, "classify -- -dash.pgm: exit status %d" % code)
    expect(json.loads(out)[0]["file"] == "-dash.pgm", "the result does not name -dash.pgm")


@check
def names_with_control_bytes():
    """classify: control characters of a file name never reach the terminal raw (escaped as \\xNN)"""
    name = "esc\x1b[31mred.pgm"
    write_bytes(scratch_path(name), pgm_bytes())
    code, out, err = run("classify", name)
    expect(code == 0, "exit status %d" % code)
    expect("\x1b" not in out, "a raw ESC on stdout: %r" % out)
    expect(out.startswith("esc\\x1B[31mred.pgm: "), "the line %r does not name the file escaped" % out)
    gone = "gone\x1b]0;title\x07.png"
    err = expect_error(["classify", gone], "gone\\x1B]0;title\\x07.png")
    expect("\x1b" not in err and "\x07" not in err, "raw control characters on stderr: %r" % err)
    bad_model = "m\x1b[2J.model"
    err = expect_error(["classify", "--model", bad_model, name], "m\\x1B[2J.model")
    expect("\x1b" not in err, "raw ESC on stderr: %r" % err)


@check
def names_not_utf8():
    """classify --json with a file name holding byte 0xFF: valid UTF-8 JSON, the byte as U+FFFD"""
    raw_name = b"caf\xff.pgm"
    write_bytes(os.path.join(os.fsencode(WORKDIR), raw_name), pgm_bytes())
    name = os.fsdecode(raw_name)
    code, out, err = run_raw("classify", "--json", name)
    expect(code == 0, "exit status %d" % code)
    try:
        text = out.decode("utf-8")  # strict: any invalid byte fails
    except UnicodeDecodeError as e:
        raise Fail("stdout is not valid UTF-8: %s" % e)
    doc = json.loads(text)
    expect(doc[0]["file"] == "caf\ufffd.pgm", "file %r" % doc[0]["file"])
    # Valid UTF-8 is kept as it is.
    write_bytes(scratch_path("caf\u00e9.pgm"), pgm_bytes())
    code, out, err = run_raw("classify", "--json", "caf\u00e9.pgm")
    expect(json.loads(out.decode("utf-8"))[0]["file"] == "caf\u00e9.pgm", "café was changed")
    code, out, err = run_raw("classify", name)
    expect(out.startswith(b"caf\\xFF.pgm: "), "text output %r" % out)


@check
def damaged_png_one_line():
    """classify a damaged PNG: one line on stderr (libpng's own words folded into it)"""
    good = png_bytes()
    idat = good.index(b"IDAT")
    flipped = bytearray(good)
    flipped[idat + 10] ^= 0xFF  # inside the compressed data
    bad_zlib = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)) +
                png_chunk(b"IDAT", b"\x78\x9c" + b"garbage" * 5) + png_chunk(b"IEND", b""))
    critical = (good[:idat - 4] + png_chunk(b"ABCD", b"x") + good[idat - 4:])
    for name, data in (("flipped.png", bytes(flipped)), ("zlib.png", bad_zlib),
                       ("truncated.png", good[:60]), ("critical.png", critical)):
        path = scratch_path(name)
        write_bytes(path, data)
        expect_error(["classify", path], path)
    # A good one still loads (and prints nothing on stderr).
    path = scratch_path("good.png")
    write_bytes(path, good)
    code, out, err = run("classify", path)
    expect(code == 0 and err == "", "a good PNG: exit status %d, stderr %r" % (code, err))


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-classify-", start))
