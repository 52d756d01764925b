#!/usr/bin/env python3
"""Command-line tests of `convstep train` and `convstep classify`, run as a user
would run them: training runs, --data folders, model files, digit pictures.

    python3 tests/test_train_cli.py /path/to/convstep

Prints TAP (one case per check function below) and exits non-zero if any case
failed. Standard library only.

The truths come from outside the program: labels from the embedded MNIST
files (read here with gzip + struct), model files parsed and checksummed here
with struct + zlib, IDX sets written here, digit pictures written by
tests/tools/digit_images.py. Runs are kept short (the softmax preset, few
epochs, small --data sets) so the file runs in well under a minute.

Every run also fails the case if the program died from a signal, timed out or
printed a sanitizer report (ASan, LeakSanitizer, UBSan), so the file is meant
to pass against a -fsanitize=address,undefined build as well.
"""

import gzip
import json
import math
import os
import resource
import signal
import struct
import subprocess
import sys
import time
import tempfile
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
import embedded_digits  # noqa: E402  (assets/mnist10k-*.gz, read independently)
from tap import LAST_RUN, Fail, Skip, expect, run_program, read_bytes, write_bytes  # noqa: E402

CONVSTEP = None  # absolute path of the program, from argv[1]
TIMEOUT = 60  # seconds per run
WORKDIR = None  # a scratch directory every run starts in
HERE = os.path.dirname(os.path.abspath(__file__))
DIGIT_TOOL = os.path.join(HERE, "tools", "digit_images.py")


IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
SOFTMAX_ARCH = "flatten,dense(10),softmax"
SOFTMAX_PARAMS = 10 * (28 * 28 + 1)
EPOCH_KEYS = ("epoch", "loss", "train_accuracy", "test_accuracy", "samples_per_sec")


# ---- Running the program ------------------------------------------------------------

def run(*args, preexec_fn=None):
    """Runs convstep with args in WORKDIR; returns (exit status, stdout, stderr)."""
    return run_program([CONVSTEP, *args], WORKDIR, TIMEOUT, preexec_fn=preexec_fn)


def parse_json(out, kind):
    try:
        doc = json.loads(out)
    except ValueError as e:
        raise Fail("stdout is not JSON: %s" % e)
    expect(isinstance(doc, kind), "the JSON is not a%s %s" % (
        "n" if kind is dict else "", "object" if kind is dict else "list"))
    return doc


def train_json(*args):
    """Runs `train ... --json`, expecting exit 0 and one JSON object."""
    code, out, err = run("train", *args, "--json")
    expect(code == 0, "exit status %d, expected 0" % code)
    return parse_json(out, dict)


def expect_error(args, *words, code=1, any_of=None):
    """Runs args expecting an error: the exit status `code`, nothing on stdout,
    a stderr that starts with 'convstep: error:' and contains every word (and
    at least one of `any_of` when given)."""
    status, out, err = run(*args)
    expect(status == code, "exit status %d, expected %d" % (status, code))
    expect(out == "", "stdout should be empty on an error")
    expect(err.startswith("convstep: error: "), "stderr does not start with 'convstep: error: '")
    for w in words:
        expect(w in err, "stderr does not mention %r" % w)
    if any_of:
        expect(any(w in err for w in any_of), "stderr mentions none of %r" % (any_of,))
    return err


def leftovers(directory):
    """Temporary files a save left behind."""
    return sorted(n for n in os.listdir(directory) if ".tmp-" in n)


def scratch(name):
    """A new empty directory in WORKDIR."""
    path = tempfile.mkdtemp(prefix=name + "-", dir=WORKDIR)
    return path


# ---- The embedded digits, read independently ------------------------------------------

def mnist():
    """(images, labels, rows, cols) of assets/mnist10k-*.gz, read with gzip + struct."""
    return embedded_digits.read()


def idx_images(count, rows, cols, body):
    return struct.pack(">IIII", 0x803, count, rows, cols) + body


def idx_labels(count, body):
    return struct.pack(">II", 0x801, count) + body


def downsample(images, count):
    """28x28 records to 14x14 (mean of 2x2 blocks)."""
    out = bytearray()
    for k in range(count):
        base = k * 784
        for y in range(14):
            for x in range(14):
                s = sum(images[base + (2 * y + dy) * 28 + 2 * x + dx]
                        for dy in (0, 1) for dx in (0, 1))
                out.append(s // 4)
    return bytes(out)


def write_idx_set(directory, gz=False, n_train=600, n_test=200, side=28):
    """The first n_train embedded records as the training set and records
    8000.. as the test set, in the four MNIST file names (each .gz if gz).
    Returns {name: path}."""
    images, labels, rows, cols = mnist()
    per = rows * cols
    train_img = images[:n_train * per]
    test_img = images[8000 * per:(8000 + n_test) * per]
    if side == 14:
        train_img, test_img = downsample(train_img, n_train), downsample(test_img, n_test)
    contents = {
        IDX_NAMES[0]: idx_images(n_train, side, side, train_img),
        IDX_NAMES[1]: idx_labels(n_train, labels[:n_train]),
        IDX_NAMES[2]: idx_images(n_test, side, side, test_img),
        IDX_NAMES[3]: idx_labels(n_test, labels[8000:8000 + n_test]),
    }
    os.makedirs(directory, exist_ok=True)
    paths = {}
    for name, data in contents.items():
        path = os.path.join(directory, name + (".gz" if gz else ""))
        if gz:
            with gzip.open(path, "wb") as f:
                f.write(data)
        else:
            with open(path, "wb") as f:
                f.write(data)
        paths[name] = path
    return paths


# ---- Model files, parsed independently ---------------------------------------------------

def parse_model(data):
    """The fields of a model file (see app/modelfile.h), checking its layout."""
    expect(data[:8] == b"CONVSTEP", "the model does not start with CONVSTEP")
    o = 8
    version, c, h, w = struct.unpack_from("<IIII", data, o)
    o += 16
    (alen,) = struct.unpack_from("<I", data, o)
    arch = data[o + 4:o + 4 + alen].decode()
    o += 4 + alen
    (nlen,) = struct.unpack_from("<I", data, o)
    note = data[o + 4:o + 4 + nlen].decode()
    o += 4 + nlen
    (count,) = struct.unpack_from("<Q", data, o)
    o += 8
    params_at = o
    expect(len(data) == o + 4 * count + 4,
           "the model is %d bytes, its header announces %d" % (len(data), o + 4 * count + 4))
    (crc,) = struct.unpack_from("<I", data, len(data) - 4)
    expect(crc == zlib.crc32(data[:-4]), "the model's CRC-32 does not match its bytes")
    params = struct.unpack_from("<%df" % count, data, params_at)
    return {"version": version, "shape": (c, h, w), "arch": arch, "note": note,
            "count": count, "params": params, "params_at": params_at}


def with_crc(body):
    """A model's bytes without their CRC, with a freshly computed one."""
    return body + struct.pack("<I", zlib.crc32(body))


def rebuild_model(fields, arch=None, version=None, count=None, extra=b""):
    """A model file from parsed fields, some replaced, with a valid CRC."""
    arch_b = (fields["arch"] if arch is None else arch).encode()
    note_b = fields["note"].encode()
    params = fields["params"]
    body = (b"CONVSTEP" +
            struct.pack("<IIII", fields["version"] if version is None else version,
                        *fields["shape"]) +
            struct.pack("<I", len(arch_b)) + arch_b +
            struct.pack("<I", len(note_b)) + note_b +
            struct.pack("<Q", len(params) if count is None else count) +
            struct.pack("<%df" % len(params), *params) + extra)
    return with_crc(body)


# ---- Shared fixtures (made once, on first use) -----------------------------------------

_CACHE = {}


def softmax_model():
    """A softmax model trained for one epoch, saved by the program: its path."""
    if "model" not in _CACHE:
        d = scratch("model")
        path = os.path.join(d, "softmax.model")
        code, out, err = run("train", "--arch", "softmax", "--epochs", "1", "--save", path)
        expect(code == 0 and os.path.exists(path), "could not train the shared softmax model")
        _CACHE["model"] = path
    return _CACHE["model"]


def digit_pictures(count=20):
    """tests/tools/digit_images.py's pictures: a list of (path, label, variant)."""
    if "digits" not in _CACHE:
        d = scratch("digits")
        p = subprocess.run([sys.executable, DIGIT_TOOL, d, str(count)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        if p.returncode != 0:
            raise Fail("digit_images.py failed: %s" % p.stderr.decode(errors="replace"))
        rows = []
        for line in p.stdout.decode().splitlines():
            path, label, variant = line.split()
            rows.append((path, int(label), variant))
        # The labels must be the dataset's own: records 8000.. of the embedded file.
        _, labels, _, _ = mnist()
        variants = sorted(set(v for _, _, v in rows))
        for i, (_, label, _) in enumerate(rows):
            if label != labels[8000 + i // len(variants)]:
                raise Fail("digit_images.py's label %d disagrees with the dataset" % label)
        _CACHE["digits"] = rows
    return _CACHE["digits"]


def one_picture():
    return digit_pictures()[0][0]


def softmax_run(*extra):
    """`train --arch softmax --epochs 3 --json` (run once, shared by the cases)."""
    key = ("softmax3",) + extra
    if key not in _CACHE:
        _CACHE[key] = train_json("--arch", "softmax", "--epochs", "3", *extra)
    return _CACHE[key]


def losses_and_accuracies(doc):
    return [(e["loss"], e["train_accuracy"], e["test_accuracy"]) for e in doc["epochs"]]


# ---- The cases ---------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


# -- training runs

@check
def train_loss_falls():
    """train softmax 3 epochs --json: loss falls every epoch, test accuracy >= 0.85"""
    doc = softmax_run()
    epochs = doc["epochs"]
    expect(len(epochs) == 3, "%d epochs listed, expected 3" % len(epochs))
    losses = [e["loss"] for e in epochs]
    expect(all(math.isfinite(x) and x > 0 for x in losses), "losses %s" % losses)
    expect(losses[0] > losses[1] > losses[2], "the loss does not fall: %s" % losses)
    expect(doc["test_accuracy"] >= 0.85, "test accuracy %s < 0.85" % doc["test_accuracy"])
    expect(doc["test_accuracy"] == epochs[-1]["test_accuracy"],
           "test_accuracy is not the last epoch's")
    expect(doc["train_samples_per_sec"] > 0, "train_samples_per_sec %s" % doc["train_samples_per_sec"])


@check
def train_json_fields():
    """train --json: every epoch lists epoch, loss, accuracies and speed; arch and params"""
    doc = softmax_run()
    for key in ("test_accuracy", "train_samples_per_sec", "epochs"):
        expect(key in doc, "the JSON has no %r" % key)
    expect(doc.get("arch") == SOFTMAX_ARCH, "arch %r" % doc.get("arch"))
    expect(doc.get("params") == SOFTMAX_PARAMS, "params %r, expected %d" % (doc.get("params"),
                                                                          SOFTMAX_PARAMS))
    expect(doc.get("threads") == 1 and doc.get("seed") == 1, "threads/seed %r/%r" % (
        doc.get("threads"), doc.get("seed")))
    for i, e in enumerate(doc["epochs"], 1):
        for key in EPOCH_KEYS:
            expect(key in e, "epoch %d has no %r" % (i, key))
        expect(e["epoch"] == i, "epoch %d is numbered %s" % (i, e["epoch"]))
        for key in ("train_accuracy", "test_accuracy"):
            expect(0.0 <= e[key] <= 1.0, "epoch %d: %s %s is not a fraction" % (i, key, e[key]))
        expect(e["samples_per_sec"] > 0, "epoch %d: samples_per_sec %s" % (i, e["samples_per_sec"]))
    rates = sorted(e["samples_per_sec"] for e in doc["epochs"])
    expect(math.isclose(doc["train_samples_per_sec"], rates[1], rel_tol=1e-5),
           "train_samples_per_sec %s is not the median epoch's %s" % (doc["train_samples_per_sec"],
                                                                      rates[1]))


@check
def train_text_output():
    """train without --json: a header line naming the model and data, one line per epoch"""
    code, out, err = run("train", "--arch", "softmax", "--epochs", "2", "--batch", "64")
    expect(code == 0, "exit status %d" % code)
    lines = out.splitlines()
    expect(len(lines) == 3, "%d lines on stdout, expected 3" % len(lines))
    expect(lines[0].startswith("Training softmax (%d parameters) on 8000 digits, testing on 2000; "
                               "batch 64" % SOFTMAX_PARAMS), "header %r" % lines[0])
    for i in (1, 2):
        expect(lines[i].startswith("epoch %d/2: loss " % i) and "test accuracy" in lines[i],
               "epoch line %r" % lines[i])
    expect("\r" not in out, "a progress bar on a pipe")
    expect(err == "", "stderr is not empty")


@check
def train_same_seed_same_result():
    """train: the same seed and thread count give identical losses and accuracies"""
    a = train_json("--arch", "softmax", "--epochs", "2", "--seed", "7")
    b = train_json("--arch", "softmax", "--epochs", "2", "--seed", "7")
    expect(losses_and_accuracies(a) == losses_and_accuracies(b),
           "seed 7 twice: %s vs %s" % (losses_and_accuracies(a), losses_and_accuracies(b)))
    expect(a["test_accuracy"] == b["test_accuracy"] and a["seed"] == 7, "test accuracy differs")


@check
def train_other_seed_other_result():
    """train: a different seed gives a different loss"""
    a = train_json("--arch", "softmax", "--epochs", "2", "--seed", "7")
    b = train_json("--arch", "softmax", "--epochs", "2", "--seed", "8")
    expect(a["epochs"][0]["loss"] != b["epochs"][0]["loss"] and
           a["epochs"][1]["loss"] != b["epochs"][1]["loss"],
           "seeds 7 and 8 give the same losses %s" % [e["loss"] for e in a["epochs"]])


@check
def train_two_threads():
    """train --threads 2: repeatable, and close to the one-thread accuracy"""
    one = softmax_run()
    a = softmax_run("--threads", "2")
    b = train_json("--arch", "softmax", "--epochs", "3", "--threads", "2")
    expect(a["threads"] == 2, "threads %s" % a["threads"])
    expect(losses_and_accuracies(a) == losses_and_accuracies(b),
           "--threads 2 twice differs: %s vs %s" % (losses_and_accuracies(a),
                                                    losses_and_accuracies(b)))
    expect(a["epochs"][0]["loss"] > a["epochs"][2]["loss"], "the loss does not fall")
    expect(abs(a["test_accuracy"] - one["test_accuracy"]) <= 0.02,
           "2 threads: accuracy %s, 1 thread: %s" % (a["test_accuracy"], one["test_accuracy"]))


@check
def train_other_options():
    """train --batch/--shift/--cosine/--weight-decay/--momentum 0: runs, repeatable, learns"""
    args = ("--arch", "softmax", "--epochs", "1", "--batch", "64", "--shift", "1", "--cosine",
            "--weight-decay", "0.0001", "--momentum", "0", "--lr", "0.2")
    a = train_json(*args)
    b = train_json(*args)
    expect(losses_and_accuracies(a) == losses_and_accuracies(b), "not repeatable")
    expect(a["test_accuracy"] >= 0.8, "test accuracy %s < 0.8" % a["test_accuracy"])


@check
def train_divergence():
    """train with a huge learning rate: exit 2 and advice to lower --lr, not a garbage model"""
    # A linear chain (no activation between the dense layers) with lr 10 and
    # momentum 0.99: the weights overflow to inf/NaN within the first epoch.
    d = scratch("diverge")
    path = os.path.join(d, "diverged.model")
    code, out, err = run("train", "--arch", "flatten,dense(10),dense(10),softmax", "--lr", "10",
                         "--momentum", "0.99", "--epochs", "2", "--save", path)
    if code == 0 and os.path.exists(path):
        params = parse_model(read_bytes(path))["params"]
        bad = sum(1 for p in params if not math.isfinite(p))
        raise Fail("exit 0: training 'succeeded' and saved a model with %d of %d parameters "
                   "not finite" % (bad, len(params)))
    expect(code == 2, "exit status %d, expected 2" % code)
    expect(err.startswith("convstep: error: ") and "diverged" in err and "--lr" in err,
           "stderr does not say the training diverged and to lower --lr")
    expect(not os.path.exists(path) and leftovers(d) == [], "a diverged model was saved")


# -- bad options

BAD_TRAIN_OPTIONS = [
    (["--epochs", "0"], ["--epochs"]),
    (["--epochs", "1.5"], ["--epochs"]),
    (["--batch", "0"], ["--batch"]),
    (["--batch", "4097"], ["--batch"]),
    (["--threads", "99"], ["--threads"]),
    (["--threads", "0"], ["--threads"]),
    (["--lr", "abc"], ["--lr", "abc"]),
    (["--lr", "0"], ["--lr"]),
    (["--lr", "nan"], ["--lr"]),
    (["--momentum", "1.5"], ["--momentum"]),
    (["--momentum", "-0.1"], ["--momentum"]),
    (["--weight-decay", "-1"], ["--weight-decay"]),
    (["--seed", "-1"], ["--seed"]),
    (["--shift", "9"], ["--shift"]),
    (["--arch", "flatten,dense(10),frobnicate"], ["--arch", "frobnicate"]),
    (["--arch", ""], ["--arch"]),
    (["--bogus"], ["--bogus"]),
    (["--epochs"], ["--epochs"]),
    (["stray"], ["stray"]),
]


@check
def train_bad_options():
    """train: each bad option value exits 1 with a message naming the option"""
    for args, words in BAD_TRAIN_OPTIONS:
        try:
            base = ["train"] if "--arch" in args else ["train", "--arch", "softmax"]
            expect_error(base + args, *words)
        except Fail as e:
            raise Fail("train %s: %s" % (" ".join(args), e))


@check
def train_last_layer_width():
    """train --arch whose last layer is not 10 wide: exit 1, says to end with dense(10)"""
    for arch in ("flatten,dense(5)", "flatten,dense(5),softmax"):
        try:
            expect_error(["train", "--arch", arch, "--epochs", "1"], "dense(10)",
                         any_of=("--arch", "architecture"))
        except Fail as e:
            raise Fail("--arch %s: %s" % (arch, e))
    # More outputs than labels is fine (classes 10 and 11 are simply never right).
    doc = train_json("--arch", "flatten,dense(12),softmax", "--epochs", "1")
    expect(doc["test_accuracy"] > 0.8, "dense(12): test accuracy %s" % doc["test_accuracy"])


@check
def train_help():
    """train --help and classify --help print their usage and exit 0"""
    for cmd in ("train", "classify"):
        code, out, err = run(cmd, "--help")
        expect(code == 0 and out.startswith("usage: convstep " + cmd), "%s --help" % cmd)
        expect(err == "", "%s --help: stderr is not empty" % cmd)


# -- --data DIR

@check
def data_dir_plain():
    """train --data DIR (plain IDX, 600 train / 200 test): trains well above chance"""
    d = scratch("idx-plain")
    write_idx_set(d)
    code, out, err = run("train", "--arch", "softmax", "--epochs", "3", "--data", d)
    expect(code == 0, "exit status %d" % code)
    expect("on 600 digits, testing on 200" in out, "the header does not count 600 and 200")
    doc = train_json("--arch", "softmax", "--epochs", "3", "--data", d)
    expect(doc["test_accuracy"] >= 0.6, "test accuracy %s (chance is 0.1)" % doc["test_accuracy"])
    losses = [e["loss"] for e in doc["epochs"]]
    expect(losses[0] > losses[-1], "the loss does not fall: %s" % losses)


@check
def data_dir_gzip():
    """train --data DIR (the same sets gzip-compressed): the same result as plain"""
    plain, packed = scratch("idx-plain"), scratch("idx-gz")
    write_idx_set(plain)
    write_idx_set(packed, gz=True)
    a = train_json("--arch", "softmax", "--epochs", "2", "--data", plain)
    b = train_json("--arch", "softmax", "--epochs", "2", "--data", packed)
    expect(losses_and_accuracies(a) == losses_and_accuracies(b),
           ".gz and plain differ: %s vs %s" % (losses_and_accuracies(a), losses_and_accuracies(b)))
    expect(b["test_accuracy"] >= 0.6, "test accuracy %s" % b["test_accuracy"])


@check
def data_dir_other_size():
    """train --data with 14x14 digits: softmax adapts to the size; lenet5 names its problem"""
    d = scratch("idx-14")
    write_idx_set(d, n_train=300, n_test=100, side=14)
    # --plain: 300 small digits and 30 steps are too few for the defaults' gentler rate and shifts
    doc = train_json("--arch", "softmax", "--epochs", "3", "--plain", "--data", d)
    expect(doc["params"] == 10 * (14 * 14 + 1), "params %s for 14x14 inputs" % doc["params"])
    expect(doc["test_accuracy"] >= 0.5, "test accuracy %s" % doc["test_accuracy"])
    expect_error(["train", "--arch", "conv(6,15),flatten,dense(10)", "--data", d], "--arch")


def corrupt_case(title, mutate, words, gz=False, any_of=None, name_file=True):
    """A --data corruption: writes a good set, applies mutate(paths) which
    returns the path the message must name, expects exit 1 and the words."""
    def fn():
        d = scratch("idx-bad")
        paths = write_idx_set(d, gz=gz)
        named = mutate(paths)
        expect_error(["train", "--arch", "softmax", "--epochs", "1", "--data", d],
                     *(list(words) + ([named] if name_file and named else [])), any_of=any_of)
    fn.__name__ = "data_" + title.split(":")[0].replace(" ", "_").replace("-", "_")
    fn.__doc__ = "train --data " + title
    return check(fn)


def _edit(path, fn):
    if path.endswith(".gz"):
        with gzip.open(path) as f:
            data = f.read()
        with gzip.open(path, "wb") as f:
            f.write(fn(data))
    else:
        write_bytes(path, fn(read_bytes(path)))
    return path


def _bad_gzip_crc(data):
    b = bytearray(data)
    b[-8] ^= 0x55  # the trailer: CRC-32 (4 bytes), then the size
    return bytes(b)


corrupt_case("wrong magic: exit 1, names the image file",
             lambda p: _edit(p[IDX_NAMES[0]], lambda b: struct.pack(">I", 0x804) + b[4:]),
             ["not an IDX image file"])
corrupt_case("wrong magic gz: a .gz label file with a bad magic, named",
             lambda p: _edit(p[IDX_NAMES[3]], lambda b: b"\x00\x00\x09\x01" + b[4:]),
             ["not an IDX label file"], gz=True)
corrupt_case("truncated images: exit 1, names the file",
             lambda p: _edit(p[IDX_NAMES[2]], lambda b: b[:-1000]), ["truncated"])
corrupt_case("truncated labels: exit 1, names the file",
             lambda p: _edit(p[IDX_NAMES[1]], lambda b: b[:-10]), ["truncated"])
corrupt_case("truncated header: an image file of 10 bytes, named",
             lambda p: _edit(p[IDX_NAMES[0]], lambda b: b[:10]), ["truncated"])
corrupt_case("empty file: a 0-byte label file, named",
             lambda p: _edit(p[IDX_NAMES[3]], lambda b: b""), ["truncated"])
corrupt_case("truncated gz stream: half of a compressed image file, named",
             lambda p: write_bytes(p[IDX_NAMES[0]], read_bytes(p[IDX_NAMES[0]])[:20000])
             or p[IDX_NAMES[0]], [], gz=True, any_of=("truncated", "corrupt", "cannot read"))
corrupt_case("gz no trailer: a .gz label file missing its CRC/size trailer, named",
             lambda p: write_bytes(p[IDX_NAMES[1]], read_bytes(p[IDX_NAMES[1]])[:-8])
             or p[IDX_NAMES[1]], [], gz=True)
corrupt_case("gz bad crc: a .gz image file whose gzip CRC does not match, named",
             lambda p: write_bytes(p[IDX_NAMES[0]], _bad_gzip_crc(read_bytes(p[IDX_NAMES[0]])))
             or p[IDX_NAMES[0]], [], gz=True)
corrupt_case("count mismatch: 200 test images, 199 labels; names both files",
             lambda p: _edit(p[IDX_NAMES[3]],
                             lambda b: struct.pack(">II", 0x801, 199) + b[8:-1]) and
             p[IDX_NAMES[2]], ["200", "199", "t10k-labels-idx1-ubyte"])
corrupt_case("extra bytes: trailing bytes after the images, named",
             lambda p: _edit(p[IDX_NAMES[0]], lambda b: b + b"\x00\x01\x02"),
             ["bytes after"])
corrupt_case("extra bytes gz: trailing bytes after the labels of a .gz file, named",
             lambda p: _edit(p[IDX_NAMES[1]], lambda b: b + b"\x07"), ["bytes after"], gz=True)
corrupt_case("missing file: no test label file, its path named",
             lambda p: os.remove(p[IDX_NAMES[3]]) or p[IDX_NAMES[3]], ["cannot open"])
corrupt_case("labels as images: a label file named train-images, named",
             lambda p: write_bytes(p[IDX_NAMES[0]], read_bytes(p[IDX_NAMES[1]])) or p[IDX_NAMES[0]],
             ["not an IDX image file"])
corrupt_case("images as labels: an image file named t10k-labels, named",
             lambda p: write_bytes(p[IDX_NAMES[3]], read_bytes(p[IDX_NAMES[2]])) or p[IDX_NAMES[3]],
             ["not an IDX label file"])
corrupt_case("zero images: a header announcing 0 images, named",
             lambda p: _edit(p[IDX_NAMES[0]], lambda b: struct.pack(">IIII", 0x803, 0, 28, 28)),
             ["out of range"])
corrupt_case("huge header: 16 bytes announcing 10M images of 1024x1024, named, not OOM/abort",
             lambda p: _edit(p[IDX_NAMES[0]],
                             lambda b: struct.pack(">IIII", 0x803, 10000000, 1024, 1024)),
             ["out of range", "10000000 images of 1024x1024"])
corrupt_case("label 12: exit 1, says to end the architecture with dense(13)",
             lambda p: _edit(p[IDX_NAMES[1]], lambda b: b[:8 + 5] + b"\x0c" + b[8 + 6:]),
             ["12", "dense(13)"], name_file=False)


@check
def data_mismatched_sizes():
    """train --data with 28x28 train and 14x14 test images: exit 1 naming both sizes"""
    d, small = scratch("idx-mixed"), scratch("idx-small")
    write_idx_set(d)
    small_paths = write_idx_set(small, n_train=10, n_test=200, side=14)
    for name in IDX_NAMES[2:]:
        write_bytes(os.path.join(d, name), read_bytes(small_paths[name]))
    expect_error(["train", "--arch", "softmax", "--epochs", "1", "--data", d], "14x14", "28x28")


@check
def data_dir_missing():
    """train --data with a folder that does not exist: exit 1 naming the file looked for"""
    d = os.path.join(WORKDIR, "no-such-folder")
    expect_error(["train", "--arch", "softmax", "--data", d], d)


# -- model files: saving

@check
def save_model_file():
    """train --save FILE: a complete, checksummed model file, no temp leftovers, not 0600"""
    d = scratch("save")
    path = os.path.join(d, "m.model")
    old_mask = os.umask(0o022)
    try:
        code, out, err = run("train", "--arch", "softmax", "--epochs", "1", "--seed", "3",
                             "--save", path, "--json")
    finally:
        os.umask(old_mask)
    expect(code == 0, "exit status %d" % code)
    doc = parse_json(out, dict)
    expect(doc.get("saved") == path, "the JSON 'saved' is %r" % doc.get("saved"))
    expect(os.path.isfile(path), "no file at %s" % path)
    expect(leftovers(d) == [], "temporary files left: %s" % leftovers(d))
    mode = os.stat(path).st_mode & 0o777
    expect(mode == 0o644, "permissions %o, expected 644 (0666 less the umask 022)" % mode)
    data = read_bytes(path)
    expect(data.startswith(b"CONVSTEP"), "does not start with CONVSTEP")
    m = parse_model(data)
    expect(m["version"] == 1, "version %d" % m["version"])
    expect(m["shape"] == (1, 28, 28), "input shape %s" % (m["shape"],))
    expect(m["arch"] == SOFTMAX_ARCH, "arch %r" % m["arch"])
    expect(m["count"] == SOFTMAX_PARAMS, "%d parameters" % m["count"])
    expect(all(math.isfinite(p) for p in m["params"]), "parameters not finite")
    expect("--epochs 1" in m["note"] and "--seed 3" in m["note"], "note %r" % m["note"])
    # The same seed saves the same bytes.
    again = os.path.join(d, "again.model")
    code, out, err = run("train", "--arch", "softmax", "--epochs", "1", "--seed", "3",
                         "--save", again)
    expect(code == 0 and "saved the model to " + again in out, "the second save")
    expect(read_bytes(again) == data, "the same seed saved different bytes")


@check
def save_then_classify():
    """classify --model FILE (a saved softmax model): classifies digit pictures"""
    rows = digit_pictures()
    code, out, err = run("classify", "--model", softmax_model(), "--json", *[r[0] for r in rows])
    expect(code == 0, "exit status %d" % code)
    doc = parse_json(out, list)
    expect(len(doc) == len(rows), "%d results for %d pictures" % (len(doc), len(rows)))
    right = 0
    for e, (path, label, _) in zip(doc, rows):
        expect(e["file"] == path, "result for %s names %s" % (path, e["file"]))
        p = e["probabilities"]
        expect(len(p) == 10 and abs(sum(p) - 1) < 1e-3, "%s: probabilities %s" % (path, p))
        expect(e["prediction"] == max(range(10), key=lambda k: p[k]),
               "%s: the prediction is not the most probable class" % path)
        right += e["prediction"] == label
    expect(right >= 0.7 * len(rows), "only %d of %d right with the softmax model" % (right, len(rows)))


@check
def save_replaces_existing():
    """train --save over an existing file replaces it whole, leaving no temp files"""
    d = scratch("replace")
    path = os.path.join(d, "m.model")
    write_bytes(path, b"an older file that is not a model at all" * 100)
    code, out, err = run("train", "--arch", "softmax", "--epochs", "1", "--seed", "4",
                         "--save", path)
    expect(code == 0, "exit status %d" % code)
    m = parse_model(read_bytes(path))
    expect(m["count"] == SOFTMAX_PARAMS and "--seed 4" in m["note"], "not the new model")
    expect(leftovers(d) == [], "temporary files left: %s" % leftovers(d))
    expect(sorted(os.listdir(d)) == ["m.model"], "files %s" % os.listdir(d))


@check
def save_failure_keeps_old():
    """train --save that fails mid-write (file size limit): exit 2, old model intact, no temp"""
    d = scratch("fsize")
    path = os.path.join(d, "m.model")
    write_bytes(path, read_bytes(softmax_model()))
    before = read_bytes(path)

    def limit():
        # Writes past 4 kB fail with EFBIG instead of killing the program.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    code, out, err = run("train", "--arch", "softmax", "--epochs", "1", "--seed", "9",
                         "--save", path, preexec_fn=limit)
    expect(code == 2, "exit status %d, expected 2" % code)
    expect(err.startswith("convstep: error: ") and path in err, "no error naming %s" % path)
    expect(read_bytes(path) == before, "the old model was changed")
    expect(leftovers(d) == [], "temporary files left: %s" % leftovers(d))


@check
def save_missing_directory():
    """train --save into a folder that does not exist: exit 1 before training, no file"""
    d = scratch("nodir")
    path = os.path.join(d, "missing", "m.model")
    code, out, err = run("train", "--arch", "softmax", "--epochs", "1", "--save", path)
    expect(code == 1, "exit status %d, expected 1" % code)
    expect(out == "", "it trained before checking --save: %r" % out[:200])
    expect(err.startswith("convstep: error: ") and path in err, "no error naming %s" % path)
    expect("does not exist" in err, "the error does not say the folder does not exist")
    expect(os.listdir(d) == [], "files appeared: %s" % os.listdir(d))


@check
def save_onto_directory():
    """train --save onto an existing folder: exit 1 before training, the folder intact"""
    d = scratch("ontodir")
    target = os.path.join(d, "folder")
    os.mkdir(target)
    write_bytes(os.path.join(target, "keep"), b"x")
    code, out, err = run("train", "--arch", "softmax", "--epochs", "1", "--save", target)
    expect(code == 1, "exit status %d, expected 1 (refused before training)" % code)
    expect(out == "", "it trained before checking --save: %r" % out[:200])
    expect(err.startswith("convstep: error: ") and target in err, "no error naming the path")
    expect(os.listdir(target) == ["keep"], "the folder changed")
    expect(leftovers(d) == [], "temporary files left: %s" % leftovers(d))


@check
def save_path_too_long():
    """train --save with a 1500-character path: an error, never a crash"""
    path = os.path.join(WORKDIR, "x" * 200, *(["y" * 200] * 6), "m.model")
    code, out, err = run("train", "--arch", "softmax", "--epochs", "1", "--save", path)
    expect(code in (1, 2), "exit status %d" % code)
    expect(err.startswith("convstep: error: ") and "long" in err, "no error about the length")


# -- model files: loading corrupt ones

def model_case(title, make, *words, any_of=None):
    """classify --model with a corrupted copy of the shared softmax model:
    exit 1, a message naming the file and containing the words."""
    def fn():
        good = read_bytes(softmax_model())
        d = scratch("badmodel")
        path = os.path.join(d, "bad.model")
        write_bytes(path, make(good))
        expect_error(["classify", "--model", path, one_picture()], path, *words, any_of=any_of)
    fn.__name__ = "model_" + title.split(":")[0].replace(" ", "_")
    fn.__doc__ = "classify --model " + title
    return check(fn)


def _flip_param(data):
    b = bytearray(data)
    at = parse_model(data)["params_at"] + 4 * 1000 + 1
    b[at] ^= 0x10
    return bytes(b)


model_case("flipped byte: one parameter byte changed, checksum error", _flip_param, "checksum")
model_case("flipped crc: the stored CRC changed", lambda b: b[:-1] + bytes([b[-1] ^ 1]),
           "checksum")
model_case("truncated: 60% of the file", lambda b: b[:len(b) * 6 // 10], "truncated")
model_case("truncated header: the first 20 bytes", lambda b: b[:20], "truncated")
model_case("empty: a 0-byte file", lambda b: b"", "not a convstep model")
model_case("foreign: a PNG picture", lambda b: read_bytes(
    next(r[0] for r in digit_pictures() if r[0].endswith(".png"))), "not a convstep model")
model_case("version: version 2 with a valid CRC",
           lambda b: rebuild_model(parse_model(b), version=2), "version 2")
model_case("param count: 7851 announced with a valid CRC",
           lambda b: rebuild_model(parse_model(b), count=SOFTMAX_PARAMS + 1),
           str(SOFTMAX_PARAMS + 1), str(SOFTMAX_PARAMS))
model_case("extra params: one float more than announced, valid CRC",
           lambda b: rebuild_model(parse_model(b), extra=b"\0\0\0\0"), "corrupt")
model_case("unknown arch: 'flatten,dense(10),softmaks' with a valid CRC",
           lambda b: rebuild_model(parse_model(b), arch="flatten,dense(10),softmaks"),
           "architecture", "softmaks")
model_case("other arch: a valid file whose arch needs other parameters",
           lambda b: rebuild_model(parse_model(b), arch="flatten,dense(11),softmax"),
           str(SOFTMAX_PARAMS), "11")


@check
def model_wrong_input_size():
    """classify --model trained on 14x14 digits: exit 1, says it needs a 28x28x1 model"""
    d = scratch("m14")
    write_idx_set(d, n_train=100, n_test=50, side=14)
    path = os.path.join(d, "m14.model")
    code, out, err = run("train", "--arch", "softmax", "--epochs", "1", "--data", d, "--save", path)
    expect(code == 0, "training on 14x14: exit status %d" % code)
    expect(parse_model(read_bytes(path))["shape"] == (1, 14, 14), "the saved input shape")
    expect_error(["classify", "--model", path, one_picture()], path, "28x28")


# -- classify

@check
def classify_pictures():
    """classify --json, 20 digits x 5 variants: >= 18/20 right per variant, >= 18 consistent"""
    rows = digit_pictures()
    code, out, err = run("classify", "--json", *[r[0] for r in rows])
    expect(code == 0, "exit status %d" % code)
    doc = parse_json(out, list)
    expect(len(doc) == len(rows), "%d results for %d pictures" % (len(doc), len(rows)))
    right, preds = {}, {}
    for e, (path, label, variant) in zip(doc, rows):
        expect(e["file"] == path, "result for %s names %s" % (path, e["file"]))
        for key in ("prediction", "probabilities", "inverted"):
            expect(key in e, "%s: no %r" % (path, key))
        right[variant] = right.get(variant, 0) + (e["prediction"] == label)
        preds.setdefault(os.path.basename(path).split("_")[0], []).append(e["prediction"])
    bad = {v: n for v, n in right.items() if n < 18}
    expect(not bad, "right per variant %s (out of 20); below 18: %s" % (right, bad))
    consistent = sum(1 for p in preds.values() if len(set(p)) == 1)
    expect(consistent >= 18, "only %d of %d digits get the same prediction in every variant"
           % (consistent, len(preds)))


@check
def classify_inverted_flag():
    """classify --json: 'inverted' is true exactly for the dark-on-light pictures"""
    rows = digit_pictures()
    code, out, err = run("classify", "--json", *[r[0] for r in rows])
    expect(code == 0, "exit status %d" % code)
    for e, (path, _, variant) in zip(parse_json(out, list), rows):
        # The picture's own corner says which it is (paper 235 or 10), not the name.
        with open(path, "rb") as f:
            head = f.read()
        dark_on_light = "dark_on_light" in variant
        expect(e["inverted"] is dark_on_light, "%s: inverted %s" % (path, e["inverted"]))
        if path.endswith(".pgm"):
            corner = head[head.index(b"255\n") + 4]
            expect((corner > 128) == dark_on_light, "%s: the tool's paper shade" % path)


@check
def classify_text_output():
    """classify (text): one line per picture naming the file, its digit and two runners-up"""
    rows = digit_pictures()[:5]
    code, out, err = run("classify", *[r[0] for r in rows])
    expect(code == 0, "exit status %d" % code)
    lines = out.splitlines()
    expect(len(lines) == len(rows), "%d lines for %d pictures" % (len(lines), len(rows)))
    for line, (path, label, variant) in zip(lines, rows):
        expect(line.startswith(path + ": "), "the line %r does not name %s" % (line, path))
        expect("then" in line and "%" in line, "the line %r has no probabilities" % line)
        expect(("dark ink on light paper" in line) == ("dark_on_light" in variant),
               "the line %r: dark-on-light note" % line)


@check
def classify_show():
    """classify --show: the result line, then a 28-line drawing of the prepared digit"""
    path = one_picture()
    code, out, err = run("classify", "--show", path)
    expect(code == 0, "exit status %d" % code)
    lines = out.split("\n")
    expect(lines[-1] == "", "the output does not end with a newline")
    lines = lines[:-1]
    expect(len(lines) == 29, "%d lines, expected 1 + 28" % len(lines))
    expect(lines[0].startswith(path + ": "), "the first line does not name the file")
    drawing = lines[1:]
    expect(all(len(l) == 2 + 56 and l.startswith("  ") for l in drawing),
           "drawing lines are not 2 + 2*28 characters")
    inked = [i for i, l in enumerate(drawing) if l.strip()]
    expect(len(inked) >= 10, "only %d drawing rows have ink" % len(inked))
    expect(drawing[0].strip() == "" and drawing[-1].strip() == "",
           "the digit touches the top or bottom edge (not centred in 20x20 + margin)")


def _picture(name, make):
    d = scratch("pics")
    path = os.path.join(d, name)
    make(path)
    return path


def _white_png(path):
    """A 40x30 all-white 8-bit grey PNG, written here with zlib."""
    w, h = 40, 30
    raw = b"".join(b"\x00" + b"\xff" * w for _ in range(h))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data)))
    write_bytes(path, b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@check
def classify_missing_image():
    """classify a missing image: exit 1 naming it"""
    path = os.path.join(WORKDIR, "no-such-digit.png")
    expect_error(["classify", path], path)


@check
def classify_text_as_png():
    """classify a text file named .png: exit 1 naming it"""
    path = _picture("notes.png", lambda p: write_bytes(p, b"just some text, not a picture\n"))
    expect_error(["classify", path], path)


@check
def classify_blank_picture():
    """classify an all-white picture: exit 1, says no ink found, names the file"""
    path = _picture("white.png", _white_png)
    expect_error(["classify", path], path, "no ink")


@check
def classify_huge_headers():
    """classify: a header announcing a huge picture is refused at once (exit 1), however it is spelled"""
    # Each separator below is one SDL2_image accepts between the numbers of a
    # PGM header; the program must read the same 60000x60000 and refuse it.
    spellings = {
        "formfeed.pgm": b"P5\f60000 60000\n255\n\x00\x01",
        "cr-comment.pgm": b"P5 #\r60000 60000\n1 1\n255\n\x00",
        "long-comment.pgm": b"P5\n" + b"#" * 600 + b"\n60000 60000\n255\n\x00\x01",
        "junk.pgm": b"P560000\xd860000\xb9255\n\x00",
        "huge.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", 60000, 60000) + b"\x08\x00\x00\x00\x00",
    }
    for name, data in spellings.items():
        path = _picture(name, lambda p, d=data: write_bytes(p, d))
        start = time.monotonic()
        expect_error(["classify", path], path, "announces 60000x60000")
        expect(time.monotonic() - start < 10, "%s: took %.1f s" % (name, time.monotonic() - start))
    path = _picture("no-size.pgm", lambda p: write_bytes(p, b"P5 # only a comment\n"))
    expect_error(["classify", path], path, "width and height")


@check
def classify_pgm_with_comments():
    """classify: a PGM whose header has comments, a form feed and a CR still loads"""
    # A 28x28 vertical bar, dark ink on light paper: it must be read, not refused.
    pixels = bytes(0 if 12 <= x <= 15 and 4 <= y <= 23 else 255 for y in range(28) for x in range(28))
    path = _picture("commented.pgm",
                    lambda p: write_bytes(p, b"P5\n# made by hand\r\f28 # width\n28\n255\n" + pixels))
    code, out, err = run("classify", "--json", path)
    expect(code == 0, "exit status %d: %s" % (code, err.strip()))
    doc = parse_json(out, list)
    expect(len(doc) == 1 and doc[0]["inverted"] is True, "the picture was not read as dark-on-light")


@check
def classify_usage_errors():
    """classify: no images or a missing --model: exit 1; an option after an image works"""
    expect_error(["classify"], "image")
    expect_error(["classify", "--json"], "image")
    # Options may follow the pictures (app/args.h): --json after one is honoured.
    code, out, err = run("classify", one_picture(), "--json")
    expect(code == 0 and len(parse_json(out, list)) == 1, "an option after a picture: %d" % code)
    missing = os.path.join(WORKDIR, "no-such.model")
    expect_error(["classify", "--model", missing, one_picture()], missing)
    expect_error(["classify", "--modle", "x", one_picture()], "--modle")


@check
def classify_some_bad():
    """classify good, missing, blank, good: the good ones classified, exit 1, each bad named"""
    good = [r[0] for r in digit_pictures()[:2]]
    missing = os.path.join(WORKDIR, "gone.pgm")
    blank = _picture("blank.png", _white_png)
    args = [good[0], missing, blank, good[1]]
    code, out, err = run("classify", *args)
    expect(code == 1, "exit status %d, expected 1" % code)
    lines = out.splitlines()
    expect(len(lines) == 2 and lines[0].startswith(good[0] + ": ") and
           lines[1].startswith(good[1] + ": "), "the good pictures were not both classified")
    expect(missing in err and blank in err, "stderr does not name both bad pictures")
    code, out, err = run("classify", "--json", *args)
    expect(code == 1, "--json: exit status %d, expected 1" % code)
    doc = parse_json(out, list)
    expect([e["file"] for e in doc] == good, "--json lists %s" % [e["file"] for e in doc])


# -- issue 10: --save targets checked before training (findings 2 and 5)

def refused_before_training(target, *words):
    """train --save target: exit 1, no training output, stderr names target and words."""
    code, out, err = run("train", "--arch", "softmax", "--epochs", "3", "--save", target)
    expect(code == 1, "--save %s: exit status %d, expected 1" % (target, code))
    expect(out == "", "--save %s: it trained before refusing the target: %r" % (target, out[:200]))
    expect(err.startswith("convstep: error: ") and target in err,
           "--save %s: no error naming the path" % target)
    for w in words:
        expect(w in err, "--save %s: stderr does not mention %r" % (target, w))
    return err


@check
def save_refuses_special_files():
    """train --save onto a fifo, a symlink, a dangling symlink, /dev/null: refused, untouched"""
    import stat
    d = scratch("special")
    fifo = os.path.join(d, "pipe")
    os.mkfifo(fifo)
    refused_before_training(fifo, "named pipe")
    expect(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the fifo was replaced")
    # A symlink is never followed nor replaced: neither it nor its target changes.
    victim = os.path.join(d, "victim.txt")
    write_bytes(victim, b"keep me")
    link = os.path.join(d, "link.model")
    os.symlink(victim, link)
    refused_before_training(link, "symbolic link")
    expect(os.path.islink(link) and os.readlink(link) == victim, "the symlink was replaced")
    expect(read_bytes(victim) == b"keep me", "the symlink's target was changed")
    dangling = os.path.join(d, "dangling.model")
    os.symlink(os.path.join(d, "nowhere"), dangling)
    refused_before_training(dangling, "symbolic link")
    expect(not os.path.exists(os.path.join(d, "nowhere")), "the dangling link was followed")
    # A device: refused by the check before anything is written, so /dev/null
    # (a character device, 1,3 on Linux) is safe to name here even as root.
    if os.path.exists("/dev/null") and stat.S_ISCHR(os.lstat("/dev/null").st_mode):
        refused_before_training("/dev/null", "device")
        expect(stat.S_ISCHR(os.lstat("/dev/null").st_mode), "/dev/null is no longer a device!")
    expect(sorted(os.listdir(d)) == ["dangling.model", "link.model", "pipe", "victim.txt"],
           "files appeared: %s" % sorted(os.listdir(d)))


@check
def save_target_checked_first():
    """train --save with a missing folder, a file as folder, 'dir/', read-only: exit 1 at once"""
    d = scratch("target")
    refused_before_training(os.path.join(d, "missing", "m.model"), "does not exist")
    afile = os.path.join(d, "afile")
    write_bytes(afile, b"x")
    err = refused_before_training(os.path.join(afile, "m.model"), "is not a folder")
    expect("Not a directory" not in err, "the bare system message: %r" % err)
    refused_before_training(os.path.join(afile, "sub", "m.model"), "a part of its path is a file")
    refused_before_training(d + "/", "names a folder")
    # A folder without write permission: root may write anyway (access(W_OK)
    # says yes), so this part runs only for other users.
    if os.geteuid() != 0:
        ro = os.path.join(d, "readonly")
        os.mkdir(ro, 0o555)
        try:
            refused_before_training(os.path.join(ro, "m.model"), "not writable")
        finally:
            os.chmod(ro, 0o755)
        expect(os.listdir(ro) == [], "files appeared in the read-only folder")
    expect(sorted(os.listdir(d)) == ["afile"] + (["readonly"] if os.geteuid() else []),
           "files appeared: %s" % os.listdir(d))


@check
def save_limits_checked_first():
    """train --save of a model too large for a model file: exit 1 before training, quoting the limit"""
    d = scratch("limits")
    target = os.path.join(d, "big.model")
    # 784 * 30000 + 30000 + 30000 * 10 + 10 = 23,850,010 parameters > 2^24 = 16,777,216.
    code, out, err = run("train", "--arch", "flatten,dense(30000),dense(10),softmax", "--epochs", "1",
                         "--save", target)
    expect(code == 1, "exit status %d, expected 1" % code)
    expect(out == "", "it trained before refusing: %r" % out[:200])
    expect("23850010" in err and "16777216" in err, "the message should quote both counts: %r" % err)
    expect(os.listdir(d) == [], "files appeared: %s" % os.listdir(d))
    # Without --save the engine's own, larger limit applies: the same model builds
    # (checked with summary, which builds it without training).
    code, out, err = run("summary", "--arch", "flatten,dense(30000),dense(10),softmax",
                         "--input", "28x28x1")
    expect(code == 0 and "23,850,010" in out, "summary: exit %d, %r" % (code, err[-300:]))


# -- issue 10: IDX files bounded before anything is allocated (finding 8a)

RSS_WRAPPER = ("import resource, subprocess, sys\n"
               "p = subprocess.run(sys.argv[1:])\n"
               "sys.stderr.write('\\nMAXRSS_KB=%d\\n' % "
               "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)\n")


def run_measured(*args):
    """Runs convstep in a fresh Python process that reports the program's
    peak resident memory: (exit status, stdout, stderr, max RSS in MB)."""
    code, out, err = run_program([sys.executable, "-c", RSS_WRAPPER, CONVSTEP, *args], WORKDIR,
                                 TIMEOUT)
    head, _, tail = err.rpartition("\nMAXRSS_KB=")
    expect(tail.strip().isdigit(), "no memory figure from the wrapper")
    return code, out, head, int(tail) / 1024.0


def gzip_zeros_idx(path, count, rows, cols):
    """An IDX image file of zeros, gzip-compressed as it is written: a small file
    that inflates to count*rows*cols bytes."""
    co = zlib.compressobj(1, zlib.DEFLATED, 31)
    zero = bytes(1 << 20)
    with open(path, "wb") as f:
        f.write(co.compress(struct.pack(">IIII", 0x803, count, rows, cols)))
        left = count * rows * cols
        while left > 0:
            f.write(co.compress(zero[:min(left, len(zero))]))
            left -= len(zero)
        f.write(co.flush())


@check
def data_small_gz_large_memory():
    """train --data: a 1.4 MB .gz inflating to 314 MB is refused by its header, in little memory"""
    d = scratch("bomb")
    write_idx_set(d, gz=True, n_train=10, n_test=10)
    # 400,000 images of 28x28 = 313,600,000 bytes > 268,435,456, the most one file may hold.
    gzip_zeros_idx(os.path.join(d, IDX_NAMES[0] + ".gz"), 400000, 28, 28)
    expect(os.path.getsize(os.path.join(d, IDX_NAMES[0] + ".gz")) < 2 << 20, "the file is not small")
    start = time.monotonic()
    code, out, err, rss = run_measured("train", "--arch", "softmax", "--epochs", "1", "--data", d)
    seconds = time.monotonic() - start
    # Refused from its 16-byte header: nowhere near the 314 MB it announces.
    expect(rss < 150, "peak memory %.0f MB for a refused file" % rss)
    expect(seconds < 20, "took %.1f s" % seconds)
    expect(code == 1, "exit status %d, expected 1" % code)
    for w in ("400000 images of 28x28", "out of range", "1000000", "256x256", "268435456"):
        expect(w in err, "stderr does not mention %r" % w)


@check
def data_idx_limits():
    """train --data: headers at and beyond the limits (images, sides, pixels) before any read"""
    d = scratch("limits")
    paths = write_idx_set(d, n_train=10, n_test=10)
    img = paths[IDX_NAMES[0]]
    cases = [((1000001, 1, 1), "out of range"),   # more than 1,000,000 images
             ((1, 257, 28), "out of range"),      # a side beyond 256
             ((1000000, 17, 16), "out of range"),  # 272,000,000 pixels > 268,435,456
             ((1000000, 16, 16), "truncated"),     # 256,000,000: the header is fine, data missing
             ((1, 256, 256), "truncated")]
    for (n, r, c), word in cases:
        write_bytes(img, struct.pack(">IIII", 0x803, n, r, c) + b"\x00" * 100)
        code, out, err, rss = run_measured("train", "--arch", "softmax", "--data", d)
        expect(code == 1, "%dx%dx%d: exit status %d, expected 1" % (n, r, c, code))
        expect(word in err and img in err, "%dx%dx%d: stderr lacks %r or the path: %s" % (
            n, r, c, word, err.strip()))
        expect(rss < 150, "%dx%dx%d: peak memory %.0f MB" % (n, r, c, rss))


@check
def data_mnist_size_passes():
    """train --data: MNIST's sizes (60,000 + 10,000 images of 28x28, .gz) are read"""
    images, labels, rows, cols = mnist()
    d = scratch("mnist-size")
    files = {IDX_NAMES[0]: idx_images(60000, 28, 28, images * 6),
             IDX_NAMES[1]: idx_labels(60000, labels * 6),
             IDX_NAMES[2]: idx_images(10000, 28, 28, images),
             IDX_NAMES[3]: idx_labels(10000, labels)}
    for name, data in files.items():
        with gzip.open(os.path.join(d, name + ".gz"), "wb", compresslevel=1) as f:
            f.write(data)
    # A kernel wider than the digits: refused only after the data was read whole.
    code, out, err, rss = run_measured("train", "--arch", "conv(6,29),flatten,dense(10)",
                                       "--data", d)
    expect(code == 1 and "--arch" in err and "29x29" in err and "28x28" in err,
           "the MNIST-size set was not read: %s" % err.strip())
    expect(rss < 400, "peak memory %.0f MB for 55 MB of images" % rss)


# -- issue 10: a gzip IDX missing 1-8 trailer bytes (finding 13)

@check
def data_gz_trailer_cut():
    """train --data: a .gz image or label file missing 1..8 bytes of its trailer is refused"""
    d = scratch("trailer")
    paths = write_idx_set(d, gz=True, n_train=600, n_test=200)
    for name in (IDX_NAMES[0], IDX_NAMES[2], IDX_NAMES[1]):
        path = paths[name]
        whole = read_bytes(path)
        # The last 8 bytes are the CRC-32 and the length of the data (RFC 1952).
        crc, size = struct.unpack("<II", whole[-8:])
        data = gzip.decompress(whole)
        expect(crc == zlib.crc32(data) and size == len(data) % (1 << 32),
               "the test's own gzip file has no trailer where expected")
        for cut in range(1, 9):
            write_bytes(path, whole[:-cut])
            code, out, err = run("train", "--arch", "softmax", "--epochs", "1", "--data", d)
            expect(code == 1, "%s without its last %d bytes: exit status %d, expected 1" % (
                name, cut, code))
            expect(path in err and "truncated" in err,
                   "%s cut by %d: the error does not call it truncated: %s" % (name, cut, err))
        write_bytes(path, whole)


# -- issue 10: clearer messages (finding 15)

@check
def data_folder_messages():
    """train --data: a folder where an IDX file should be, and a file given as --data"""
    d = scratch("folders")
    paths = write_idx_set(d, n_train=10, n_test=10)
    os.remove(paths[IDX_NAMES[2]])
    os.mkdir(paths[IDX_NAMES[2]])
    expect_error(["train", "--arch", "softmax", "--data", d], paths[IDX_NAMES[2]],
                 "is a folder, not an IDX image file")
    expect_error(["train", "--arch", "softmax", "--data", paths[IDX_NAMES[0]]],
                 paths[IDX_NAMES[0]], "is not a folder")


@check
def summary_arch_messages():
    """summary --arch: the whole unknown word (escaped), an option twice, the parameter caps"""
    code, out, err = run("summary", "--arch", "c\u00f6nv(6,5)", "--input", "28x28")
    expect(code == 1 and "column 1: unknown layer 'c\u00f6nv'" in err, "stderr: %r" % err)
    # A control byte is escaped, never echoed to the terminal.
    code, out, err = run("summary", "--arch", "relu,re\x1blu", "--input", "28x28")
    expect(code == 1 and "column 6: unknown layer 're\\x1blu'" in err, "stderr: %r" % err)
    expect("\x1b" not in err, "the escape byte reached stderr raw")
    expect_error(["summary", "--arch", "conv(6,5,pad=same,pad=valid)", "--input", "28x28"],
                 "column 19", "'pad' is given twice")
    # 1000 filters of 400x400 over 1000 channels: 1000 * (400*400*1000 + 1) parameters.
    expect_error(["summary", "--arch", "conv(1000,400)", "--input", "400x400x1000"],
                 str(1000 * (400 * 400 * 1000 + 1)), "268435456")
    # Each layer under the cap, their sum over it: 20000*(10000+1) + 5000*(20000+1).
    expect_error(["summary", "--arch", "flatten,dense(20000),dense(5000)", "--input", "100x100"],
                 str(20000 * 10001 + 5000 * 20001), "268435456")
    expect_error(["summary", "--arch", ",".join(["relu"] * 257), "--input", "28x28"],
                 "more than 256 layers")


# ---- TAP ---------------------------------------------------------------------------------

def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-train-", start))
