#!/usr/bin/env python3
"""`convstep conv --grad-output M` (the backward pass) and `--flip` (true
convolution), run as a user would run them.

    python3 tests/test_conv_grad_cli.py /path/to/convstep

Prints TAP (one case per check below) and exits non-zero if any failed.

Every expected number is worked out here, never read from the program: the
small case by hand (in the comment), the random ones by central differences
of a forward pass written below in plain loops (Python floats, double
precision), the true convolution from its textbook definition
(c[p][q] = sum over m, n of x[m][n] * k[p - m][q - n]); where torch imports
(a python3 that has it: $CONVSTEP_TORCH_PYTHON, /usr/bin/python3, this one),
torch's autograd too, else those cases say SKIP.
"""

import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import Fail, Skip, expect, run_program  # noqa: E402
from torch_python import torch_python as find_torch_python  # noqa: E402  (tests/tools/torch_python.py)

CONVSTEP = None
WORKDIR = None
TIMEOUT = 30
TORCH_TIMEOUT = 180


def run(*args):
    return run_program([CONVSTEP, *args], WORKDIR, TIMEOUT)


def run_json(*args):
    status, out, err = run("conv", *args, "--json")
    expect(status == 0, "conv %s: exit status %d (stderr %r)" % (" ".join(args), status, err))
    try:
        return json.loads(out)
    except ValueError as e:
        raise Fail("conv --json printed invalid JSON: %s" % e)


def maps(v):
    """--json's map ([[...]] for one, [[[...]]] for several) as [maps][rows][cols]."""
    return [v] if v and not isinstance(v[0][0], list) else v


def mat(planes):
    """[planes][rows][cols] as convstep's matrix syntax."""
    return " | ".join("; ".join(" ".join(repr(v) for v in row) for row in p) for p in planes)


# ---- The reference: a forward pass and its central differences, in plain loops ---------------

def pads(n, k, s, d, padding):
    """(before, after) zeros on one axis, as convstep resolves valid/same/P."""
    span = d * (k - 1) + 1
    if padding == "valid":
        return 0, 0
    if padding == "same":
        out = -(-n // s)
        total = max((out - 1) * s + span - n, 0)
        return total // 2, total - total // 2
    return int(padding), int(padding)


def rot180(k):
    return [[row[::-1] for row in plane[::-1]] for plane in k]


def forward(x, ws, bias, s, d, padding, flip):
    """x [C][H][W], ws [F][C][kh][kw] (as given): [F][oh][ow], in double precision."""
    C, H, W = len(x), len(x[0]), len(x[0][0])
    kh, kw = len(ws[0][0]), len(ws[0][0][0])
    (pt, pb), (pl, pr) = pads(H, kh, s, d, padding), pads(W, kw, s, d, padding)
    oh = (H + pt + pb - d * (kh - 1) - 1) // s + 1
    ow = (W + pl + pr - d * (kw - 1) - 1) // s + 1
    out = []
    for f, w in enumerate(ws):
        if flip:
            w = rot180(w)
        m = []
        for oy in range(oh):
            row = []
            for ox in range(ow):
                v = bias[f]
                for c in range(C):
                    for ky in range(kh):
                        for kx in range(kw):
                            r, q = oy * s - pt + ky * d, ox * s - pl + kx * d
                            if 0 <= r < H and 0 <= q < W:
                                v += x[c][r][q] * w[c][ky][kx]
                row.append(v)
            m.append(row)
        out.append(m)
    return out


def loss(x, ws, bias, gy, s, d, padding, flip):
    y = forward(x, ws, bias, s, d, padding, flip)
    return sum(y[f][r][c] * gy[f][r][c] for f in range(len(y)) for r in range(len(y[0]))
               for c in range(len(y[0][0])))


def central(cfg):
    """Central differences of the loss sum(Y * dL/dY) for x, the kernels as given, the bias."""
    x, ws, bias, gy, s, d, padding, flip = cfg
    h = 0.125  # the loss is linear in each value: any step gives its slope

    def slope(setv, v0):
        setv(v0 + h)
        up = loss(x, ws, bias, gy, s, d, padding, flip)
        setv(v0 - h)
        down = loss(x, ws, bias, gy, s, d, padding, flip)
        setv(v0)
        return (up - down) / (2 * h)

    gx = [[[0.0] * len(x[0][0]) for _ in x[0]] for _ in x]
    for c in range(len(x)):
        for r in range(len(x[0])):
            for q in range(len(x[0][0])):
                gx[c][r][q] = slope(lambda v: x[c][r].__setitem__(q, v), x[c][r][q])
    gw = [[[[0.0] * len(ws[0][0][0]) for _ in ws[0][0]] for _ in ws[0]] for _ in ws]
    for f in range(len(ws)):
        for c in range(len(ws[0])):
            for r in range(len(ws[0][0])):
                for q in range(len(ws[0][0][0])):
                    gw[f][c][r][q] = slope(lambda v: ws[f][c][r].__setitem__(q, v), ws[f][c][r][q])
    gb = [slope(lambda v: bias.__setitem__(f, v), bias[f]) for f in range(len(bias))]
    return gx, gw, gb


def flat(v):
    return [a for b in v for a in flat(b)] if isinstance(v, list) else [v]


def close(got, want, what, rel=1e-4):
    got, want = flat(got), flat(want)
    expect(len(got) == len(want), "%s: %d values, expected %d" % (what, len(got), len(want)))
    for i, (a, b) in enumerate(zip(got, want)):
        expect(abs(a - b) <= rel * (1 + abs(b)), "%s[%d]: convstep %r, expected %r" % (what, i, a, b))


def args_of(cfg, bias_given=True):
    x, ws, bias, gy, s, d, padding, flip = cfg
    a = ["--input", mat(x)]
    for w in ws:
        a += ["--kernel", mat(w)]
    if bias_given:
        a += ["--bias", ", ".join(repr(b) for b in bias)]
    a += ["--stride", str(s), "--dilation", str(d), "--padding", str(padding),
          "--grad-output", mat(gy)]
    if flip:
        a.append("--flip")
    return a


def random_cfg(rng, flip=None):
    """A random configuration whose dilated kernel fits the padded input."""
    while True:
        C, F = rng.randint(1, 3), rng.randint(1, 3)
        H, W, kh, kw = rng.randint(1, 7), rng.randint(1, 7), rng.randint(1, 3), rng.randint(1, 3)
        s, d = rng.randint(1, 3), rng.randint(1, 2)
        padding = rng.choice(["valid", "same", "1", "2"])
        (pt, pb), (pl, pr) = pads(H, kh, s, d, padding), pads(W, kw, s, d, padding)
        if d * (kh - 1) + 1 > H + pt + pb or d * (kw - 1) + 1 > W + pl + pr:
            continue
        oh = (H + pt + pb - d * (kh - 1) - 1) // s + 1
        ow = (W + pl + pr - d * (kw - 1) - 1) // s + 1
        val = lambda: round(rng.uniform(-2, 2), 2)  # noqa: E731
        x = [[[val() for _ in range(W)] for _ in range(H)] for _ in range(C)]
        ws = [[[[val() for _ in range(kw)] for _ in range(kh)] for _ in range(C)] for _ in range(F)]
        bias = [val() for _ in range(F)]
        gy = [[[val() for _ in range(ow)] for _ in range(oh)] for _ in range(F)]
        return (x, ws, bias, gy, s, d, padding, rng.random() < 0.5 if flip is None else flip)


# ---- torch, where it imports ------------------------------------------------------------------

def torch_python():
    """A python3 that imports torch, or raises Skip saying why not."""
    py, why = find_torch_python()
    if not py:
        raise Skip("torch not importable: %s" % why)
    return py


TORCH_AUTOGRAD = r"""
import json, sys
import torch
import torch.nn.functional as F
out = []
for x, ws, bias, gy, s, d, padding, flip, pt, pb, pl, pr in json.load(sys.stdin):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    w = torch.tensor(ws, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(bias, dtype=torch.float64, requires_grad=True)
    k = torch.flip(w, dims=[2, 3]) if flip else w
    y = F.conv2d(F.pad(x.unsqueeze(0), (pl, pr, pt, pb)), k, b, stride=s, dilation=d)
    y.backward(torch.tensor(gy, dtype=torch.float64).unsqueeze(0))
    out.append([x.grad.tolist(), w.grad.tolist(), b.grad.tolist()])
print(json.dumps(out))
"""


# ---- The checks ----------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


HAND = ["--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 2; 3 4", "--grad-output", "1 1; 1 1"]


@check
def hand_worked():
    """3x3 input, 2x2 kernel, dL/dY all ones: the gradients worked out by hand"""
    # dL/dW[ky][kx] = the sum of the 2x2 sub-window of x at (ky,kx): 1+2+4+5 = 12,
    # 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28. dL/dX[y][x] = the weights whose
    # taps landed on (y,x): a corner 1 tap (1, 2, 3 or 4), an edge's middle two
    # (1+2 = 3, 1+3 = 4, 2+4 = 6, 3+4 = 7), the centre all four, 10. dL/db = 4 ones.
    doc = run_json(*HAND)
    expect(doc["grad_kernel"] == [[[[12, 16], [24, 28]]]], "grad_kernel %r" % doc["grad_kernel"])
    expect(doc["grad_input"] == [[1, 3, 2], [4, 10, 6], [3, 7, 4]], "grad_input %r" % doc["grad_input"])
    expect(doc["grad_bias"] == [4], "grad_bias %r" % doc["grad_bias"])
    steps = doc["backward_steps"]
    expect([s["of"] for s in steps] == ["kernel"] * 4 + ["input"] * 9 + ["bias"],
           "the steps are %r" % [s["of"] for s in steps])
    centre = steps[4 + 4]  # input (1,1)
    expect((centre["row"], centre["col"]) == (1, 1), "step 9 is not input (1,1)")
    expect(sorted(p["weight"] for p in centre["products"]) == [1, 2, 3, 4],
           "input (1,1)'s products use the weights %r" % [p["weight"] for p in centre["products"]])
    for p in centre["products"]:  # tap (ky,kx) reached (1,1) from output (1-ky, 1-kx)
        expect(p["output"] == [1 - p["tap"][0], 1 - p["tap"][1]], "input (1,1): product %r" % p)
    status, out, err = run("conv", *HAND, "--quiet")
    expect(status == 0, "text: exit %d (%r)" % (status, err))
    for words in ["Input gradient dL/dX (grad_input) 3x3:\n   1  3  2\n   4 10  6\n   3  7  4\n",
                  "Kernel gradient dL/dW (grad_kernel), 2x2:\n  12 16\n  24 28\n",
                  "Bias gradient dL/db (grad_bias): 4\n"]:
        expect(words in out, "--quiet text lacks %r:\n%s" % (words, out))
    expect("dL/dW weight" not in out, "--quiet printed the backward steps")
    status, out, err = run("conv", *HAND)
    for words in ["dL/dW weight (0,1):\n  x(0,1)*dY(0,0) + x(0,2)*dY(0,1) + x(1,1)*dY(1,0) + "
                  "x(1,2)*dY(1,1)\n  = 2*1 + 3*1 + 5*1 + 6*1 = 16\n",
                  "dL/dX input (0,1):\n  w(0,0)*dY(0,1) + w(0,1)*dY(0,0)\n  = 1*1 + 2*1 = 3\n",
                  "dL/db filter 1:\n  dY(0,0) + dY(0,1) + dY(1,0) + dY(1,1)\n  = 1 + 1 + 1 + 1 = 4\n"]:
        expect(words in out, "the text steps lack %r" % words)


@check
def random_vs_central_differences():
    """60 random configurations (stride 1-3, padding, dilation, channels, filters, --flip): central differences; steps add up"""
    rng = random.Random(15)
    worst = 0.0
    for i in range(60):
        cfg = random_cfg(rng)
        doc = run_json(*args_of(cfg))
        gx, gw, gb = central(cfg)
        close(maps(doc["grad_input"]), gx, "config %d grad_input" % i)
        close(doc["grad_kernel"], gw, "config %d grad_kernel" % i)
        close(doc["grad_bias"], gb, "config %d grad_bias" % i)
        for a, b in zip(flat([doc["grad_input"], doc["grad_kernel"], doc["grad_bias"]]), flat([gx, gw, gb])):
            worst = max(worst, abs(a - b) / (1 + abs(b)))
        # Every step: its products are factor * dY, and they add up to its value.
        for st in doc["backward_steps"]:
            total = 0.0
            for p in st["products"]:
                factor = p.get("x", p.get("weight", 1.0))
                expect(abs(p["product"] - factor * p["grad_output"]) <= 1e-6 * (1 + abs(p["product"])),
                       "config %d: product %r is not its factors' product" % (i, p))
                total += p["product"]
            expect(abs(total - st["value"]) <= 1e-5 * (1 + sum(abs(p["product"]) for p in st["products"])),
                   "config %d: the products of %r add up to %r, not %r" % (i, st["of"], total, st["value"]))
            expect(abs(sum(st["partial_sums"]) - st["value"]) <= 1e-5 * (1 + abs(st["value"])),
                   "config %d: the partial sums do not add up to the value" % i)
        # The steps' values are the reported gradients.
        kv = [s["value"] for s in doc["backward_steps"] if s["of"] == "kernel"]
        expect(len(kv) == len(flat(gw)), "config %d: %d kernel steps" % (i, len(kv)))
    print("# 60 configurations: largest |convstep - central difference| / (1 + |value|) = %.3g" % worst)


@check
def random_vs_torch_autograd():
    """25 random configurations against torch's autograd (y.backward), --flip in half"""
    py = torch_python()
    rng = random.Random(1515)
    cfgs = [random_cfg(rng, flip=(i % 2 == 0)) for i in range(25)]
    jobs = []
    for x, ws, bias, gy, s, d, padding, flip in cfgs:
        (pt, pb) = pads(len(x[0]), len(ws[0][0]), s, d, padding)
        (pl, pr) = pads(len(x[0][0]), len(ws[0][0][0]), s, d, padding)
        jobs.append([x, ws, bias, gy, s, d, padding, flip, pt, pb, pl, pr])
    p = subprocess.run([py, "-c", TORCH_AUTOGRAD], input=json.dumps(jobs).encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TORCH_TIMEOUT)
    expect(p.returncode == 0, "torch failed: %s" % p.stderr.decode("utf-8", "replace")[-800:])
    want = json.loads(p.stdout)
    for i, (cfg, (gx, gw, gb)) in enumerate(zip(cfgs, want)):
        doc = run_json(*args_of(cfg))
        close(maps(doc["grad_input"]), gx, "config %d grad_input vs torch" % i)
        close(doc["grad_kernel"], gw, "config %d grad_kernel vs torch" % i)
        close(doc["grad_bias"], gb, "config %d grad_bias vs torch" % i)
    print("# 25 configurations match torch's autograd (%s)" % py)


def true_convolution(x, ws):
    """'valid' true convolution from the definition: the full convolution
    c[p][q] = sum over m, n of x[m][n] * k[p-m][q-n], summed over channels, cut to
    the cells where the kernel lies wholly on the input."""
    C, H, W = len(x), len(x[0]), len(x[0][0])
    kh, kw = len(ws[0][0]), len(ws[0][0][0])
    out = []
    for w in ws:
        full = [[0.0] * (W + kw - 1) for _ in range(H + kh - 1)]
        for c in range(C):
            for m in range(H):
                for n in range(W):
                    for i in range(kh):
                        for j in range(kw):
                            full[m + i][n + j] += x[c][m][n] * w[c][i][j]
        out.append([row[kw - 1:W] for row in full[kh - 1:H]])
    return out


@check
def flip_is_true_convolution():
    """--flip: the textbook convolution; the same as conv with the kernel rotated by hand"""
    # By hand: x = 1 2 3 / 4 5 6 / 7 8 9, k = 1 2 / 3 4, rotated 4 3 / 2 1:
    # (0,0) = 1*4 + 2*3 + 4*2 + 5*1 = 23, (0,1) = 2*4 + 3*3 + 5*2 + 6*1 = 33,
    # (1,0) = 4*4 + 5*3 + 7*2 + 8*1 = 53, (1,1) = 5*4 + 6*3 + 8*2 + 9*1 = 63.
    status, out, err = run("conv", "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 2; 3 4", "--flip")
    expect(status == 0, "exit %d (%r)" % (status, err))
    for words in ["Kernel rotated 180 degrees (true convolution):\n  4 3\n  2 1\n",
                  "Feature map 2x2:\n  23 33\n  53 63\n", "flipped (true convolution)"]:
        expect(words in out, "--flip text lacks %r:\n%s" % (words, out))
    doc = run_json("--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 2; 3 4", "--flip")
    expect(doc["flip"] is True and doc["kernel_rotated"] == [[[[4, 3], [2, 1]]]],
           "flip %r, kernel_rotated %r" % (doc.get("flip"), doc.get("kernel_rotated")))
    expect(run_json(*HAND)["flip"] is False, "without --flip, \"flip\" is not false")
    rng = random.Random(7)
    by_definition = 0
    for i in range(20):
        cfg = random_cfg(rng, flip=True)
        x, ws = cfg[0], cfg[1]
        if len(x[0]) >= len(ws[0][0]) and len(x[0][0]) >= len(ws[0][0][0]):
            plain = ["--input", mat(x)] + [a for w in ws for a in ("--kernel", mat(w))]
            doc = run_json(*plain, "--flip")
            close(maps(doc["output"]), true_convolution(x, ws), "config %d --flip vs the definition" % i)
            by_definition += 1
        # Any stride, padding, dilation: --flip equals conv with the kernels rotated by hand,
        # and its kernel gradient is that run's, rotated back.
        flipped = run_json(*args_of(cfg))
        by_hand = run_json(*args_of((x, [rot180(w) for w in ws]) + cfg[2:7] + (False,)))
        expect(flipped["output"] == by_hand["output"], "config %d: --flip output differs" % i)
        expect(flipped["grad_input"] == by_hand["grad_input"], "config %d: grad_input differs" % i)
        want = [rot180(fk) for fk in by_hand["grad_kernel"]]
        expect(flipped["grad_kernel"] == want, "config %d: grad_kernel is not rotated back" % i)
    expect(by_definition >= 5, "only %d configurations checked against the definition" % by_definition)
    print("# --flip: %d configurations equal the textbook convolution, 20 equal conv with the "
          "kernels rotated by hand" % by_definition)


@check
def errors():
    """a wrong shape, a wrong map count or a malformed --grad-output: exit 1 and a clear message"""
    base = ["--input", "1 2 3 4; 5 6 7 8; 9 1 2 3; 4 5 6 7", "--kernel", "1 0; 0 1"]
    cases = [
        (["--grad-output", "1 1; 1 1"], "--grad-output is 2x2 but the output is 3x3"),
        (["--grad-output", "1 1 1; 1 1 1; 1 1 1 | 1 1 1; 1 1 1; 1 1 1"],
         "--grad-output has 2 map(s) but the output has 1"),
        (["--grad-output", "1 2 3; 4 x 6; 7 8 9"], "--grad-output, row 2: 'x' is not a number"),
        (["--grad-output", "1 2 3; 4 5; 7 8 9"], "--grad-output"),
        (["--grad-output", "@no-such-file.txt"], "no-such-file.txt"),
        (["--grad-output"], "--grad-output"),
    ]
    for extra, words in cases:
        status, out, err = run("conv", *base, *extra)
        expect(status == 1, "%r: exit %d, expected 1" % (extra, status))
        expect(out == "", "%r: stdout should be empty, got %r" % (extra, out[:200]))
        expect(err.startswith("convstep: error: ") and words in err,
               "%r: stderr %r lacks %r" % (extra, err, words))


@check
def pytorch_scripts():
    """--pytorch with --flip and with --grad-output: the script runs with torch and matches"""
    cases = [("flip", ["--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 2; 0 -1", "--flip"], 1),
             ("grad", args_of(random_cfg(random.Random(3), flip=False)), 4),
             ("flip_grad", args_of(random_cfg(random.Random(4), flip=True)), 4)]
    texts = []
    for name, args, n in cases:
        path = os.path.join(WORKDIR, "grad_%s.py" % name)
        status, out, err = run("conv", *args, "--quiet", "--pytorch", path)
        expect(status == 0, "%s: exit %d (%r)" % (name, status, err))
        with open(path, encoding="utf-8") as f:
            text = f.read()
        compile(text, path, "exec")
        if "--flip" in args:
            expect("torch.flip(weight, dims=[2, 3])" in text, "%s: no torch.flip in the script" % name)
        if "--grad-output" in args:
            expect("y.backward(" in text and "weight.grad" in text, "%s: no autograd in the script" % name)
        texts.append((name, path, n))
    py = torch_python()
    for name, path, n in texts:
        p = subprocess.run([py, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TORCH_TIMEOUT, cwd=WORKDIR)
        out = p.stdout.decode("utf-8", "replace")
        expect(p.returncode == 0 and out.count("matches convstep") == n,
               "%s: exit %d, %d x 'matches convstep' (want %d):\n%s%s" % (
                   name, p.returncode, out.count("matches convstep"), n, out,
                   p.stderr.decode("utf-8", "replace")[-500:]))
    # The comparison is real: a wrong copied gradient is reported.
    name, path, _ = texts[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    marker = "sys.exit(compare(bias.grad"
    expect(marker in text, "the grad script does not compare bias.grad")
    wrong = text.replace(marker, "convstep_grad_bias[0][0][0] += 1000\n" + marker)
    with open(path, "w", encoding="utf-8") as f:
        f.write(wrong)
    p = subprocess.run([py, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TORCH_TIMEOUT, cwd=WORKDIR)
    out = p.stdout.decode("utf-8", "replace")
    expect(p.returncode == 1 and "differs from convstep" in out,
           "a script with a wrong bias gradient: exit %d:\n%s" % (p.returncode, out))


@check
def help_text():
    """conv --help documents --grad-output and --flip"""
    status, out, err = run("conv", "--help")
    expect(status == 0, "exit %d" % status)
    for words in ["[--flip] [--grad-output M]", "--grad-output M", "--flip", "180 degrees",
                  "grad_input", "grad_kernel", "grad_bias"]:
        expect(words in out, "--help lacks %r" % words)


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-conv-grad-", start))
