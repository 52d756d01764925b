#!/usr/bin/env python3
"""Independent reference for the engine tests: plain loops, standard library only.

Every expected number in tests/test_*.c comes from here (or from a comment
working it out by hand), never from the engine under test and never from a
slide's printed result. The code below deliberately does things differently
from the engine: it builds the zero-padded image explicitly and counts window
positions by sliding, instead of using the output-size formula.

    python3 tests/tools/reference.py            # every section
    python3 tests/tools/reference.py conv2d     # one section: outsize conv2d
                                                # pool step layers model slides

Each section prints C literals to paste into the matching test file.
"""

import math
import sys

# ---- Data from the lecture slides (/work/shared/seeds) ----------------------

# 000_*.txt "Image example" and "Filter example" (Dumoulin & Visin's figure).
S0 = [[3, 3, 2, 1, 0],
      [0, 0, 1, 3, 1],
      [3, 1, 2, 2, 3],
      [2, 0, 0, 2, 2],
      [2, 0, 0, 0, 1]]
K0 = [[0, 1, 2],
      [2, 2, 0],
      [0, 1, 2]]
# 000_*.txt printed feature map, for the slide check only (never pasted).
S0_PRINTED = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]
S0_MAXPOOL_PRINTED = [[3, 3, 3], [3, 3, 3], [3, 2, 3]]

# 002_*.txt "What is a Convolution?": 5x5 binary matrix and 3x3 filter.
S2 = [[1, 1, 1, 0, 0],
      [0, 1, 1, 1, 0],
      [0, 0, 1, 1, 1],
      [0, 0, 1, 1, 0],
      [0, 1, 1, 0, 0]]
KX = [[1, 0, 1],
      [0, 1, 0],
      [1, 0, 1]]
S2_PRINTED = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
# 002_*.txt edge-detection and emboss kernels.
EDGE = [[0, 1, 0],
        [1, -4, 1],
        [0, 1, 0]]
EMBOSS = [[-2, -1, 0],
          [-1, 1, 1],
          [0, 1, 2]]

# 000_*.txt softmax example and its printed result.
SOFTMAX_IN = [3.82, 5.35, 1.44, -1.26, 2.71, 1.98]
SOFTMAX_PRINTED = [0.16115195, 0.74422819, 0.01491471, 0.00100235, 0.05310907, 0.02559374]

# ---- Data made up for the tests ---------------------------------------------

# A 7x7 input for the slide 002 stride/padding examples (the slide shows only
# the grid): small integers, no symmetry, so a shifted window gives a
# different sum.
X7 = [[(3 * r + 5 * c + r * c) % 7 - 3 for c in range(7)] for r in range(7)]
# Even and rectangular kernels for 'same' padding, asymmetric on purpose.
K2 = [[1, 2],
      [3, 4]]
K4 = [[r * 4 + c + 1 for c in range(4)] for r in range(4)]
K23 = [[1, -1, 2],
       [0, 3, -2]]
# S0 made negative everywhere, so a max that let a padded zero win would show.
NEG = [[-v - 1 for v in row] for row in S0]
# Ties inside 2x2 windows.
TIE = [[1, 1, 0, 2],
       [1, 1, 2, 0],
       [5, 0, 7, 7],
       [0, 5, 7, 7]]


# ---- The reference operations -----------------------------------------------

def same_padding(n, f, s, d):
    """TensorFlow's 'same': out = ceil(n/s), total padding just enough for the
    last window, the odd cell at the end (bottom/right)."""
    out = -(-n // s)
    span = d * (f - 1) + 1
    total = max((out - 1) * s + span - n, 0)
    return total // 2, total - total // 2


def slide_axis(n, f, s, d, lo, hi):
    """Window positions along one axis, found by sliding (not by the formula).
    Returns (out, remainder) where remainder counts the cells at the end that
    no window reaches, or None if no window fits."""
    padded = n + lo + hi
    span = d * (f - 1) + 1
    origins = [o for o in range(0, padded, s) if o + span <= padded]
    if not origins:
        return None
    return len(origins), padded - (origins[-1] + span)


def pad_plane(x, top, bottom, left, right, fill):
    """The plane with `fill` cells around it, built explicitly."""
    w = len(x[0])
    rows = [[fill] * (left + w + right) for _ in range(top)]
    rows += [[fill] * left + list(r) + [fill] * right for r in x]
    rows += [[fill] * (left + w + right) for _ in range(bottom)]
    return rows


def conv2d(x, w, bias, stride=1, dilation=1, pad=(0, 0, 0, 0)):
    """x[c][h][w], w[f][c][kh][kw], bias[f] or None, pad = (top, bottom, left,
    right). Cross-correlation. Returns out[f][oh][ow]."""
    top, bottom, left, right = pad
    xp = [pad_plane(ch, top, bottom, left, right, 0) for ch in x]
    ph, pw = len(xp[0]), len(xp[0][0])
    kh, kw = len(w[0][0]), len(w[0][0][0])
    out = []
    for fi, filt in enumerate(w):
        plane = []
        oy = 0
        while oy + dilation * (kh - 1) < ph:
            row = []
            ox = 0
            while ox + dilation * (kw - 1) < pw:
                acc = 0
                for ci in range(len(x)):
                    for ky in range(kh):
                        for kx in range(kw):
                            acc += xp[ci][oy + ky * dilation][ox + kx * dilation] * filt[ci][ky][kx]
                row.append(acc + (bias[fi] if bias else 0))
                ox += stride
            plane.append(row)
            oy += stride
        out.append(plane)
    return out


def conv_same(x, w, bias, stride=1, dilation=1):
    kh, kw = len(w[0][0]), len(w[0][0][0])
    rt, rb = same_padding(len(x[0]), kh, stride, dilation)
    cl, cr = same_padding(len(x[0][0]), kw, stride, dilation)
    return conv2d(x, w, bias, stride, dilation, (rt, rb, cl, cr)), (rt, rb, cl, cr)


def pool(x, kh, kw, stride, pad, mode):
    """x[c][h][w]. Max ignores padding and keeps the first maximum in row-major
    order; avg counts padding as zeros and divides by kh*kw. Returns (out,
    argmax) with argmax as y*w+x in the input plane (None for avg)."""
    h, w = len(x[0]), len(x[0][0])
    out, arg = [], []
    for ch in x:
        xp = pad_plane(ch, pad, pad, pad, pad, None)
        plane, aplane = [], []
        oy = 0
        while oy + kh <= h + 2 * pad:
            row, arow = [], []
            ox = 0
            while ox + kw <= w + 2 * pad:
                best, where, total = None, None, 0
                for ky in range(kh):
                    for kx in range(kw):
                        v = xp[oy + ky][ox + kx]
                        if v is None:
                            continue
                        total += v
                        if best is None or v > best:
                            best, where = v, (oy + ky - pad) * w + (ox + kx - pad)
                if mode == "max":
                    row.append(best)
                    arow.append(where)
                else:
                    row.append(total / (kh * kw))
                ox += stride
            plane.append(row)
            aplane.append(arow)
            oy += stride
        out.append(plane)
        arg.append(aplane)
    return out, (arg if mode == "max" else None)


def softmax(v):
    m = max(v)
    e = [math.exp(a - m) for a in v]
    t = sum(e)
    return [a / t for a in e]


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


def dense(x, w, b):
    return [sum(wi * xi for wi, xi in zip(row, x)) + (b[j] if b else 0) for j, row in enumerate(w)]


# ---- Printing C literals --------------------------------------------------------

def cf(v):
    """A float as a C float literal."""
    if float(v) == int(v) and abs(v) < 1e7:
        return "%d.0f" % int(v)
    s = "%.9g" % v
    return s + ("f" if ("." in s or "e" in s) else ".0f")


def flat(a):
    if isinstance(a, list):
        for e in a:
            yield from flat(e)
    else:
        yield a


def shape(a):
    s = []
    while isinstance(a, list):
        s.append(len(a))
        a = a[0]
    return s


def c_array(name, a, kind="float", per_line=None):
    vals = list(flat(a))
    per_line = per_line or (shape(a)[-1] if shape(a) else 8)
    fmt = cf if kind == "float" else str
    lines = []
    for i in range(0, len(vals), per_line):
        lines.append("    " + ", ".join(fmt(v) for v in vals[i:i + per_line]) + ",")
    dims = "x".join(str(d) for d in shape(a))
    print("// %s: %s" % (name, dims))
    print("static const %s %s[%d] = {\n%s\n};" % (kind, name, len(vals), "\n".join(lines)))


# ---- Sections ---------------------------------------------------------------------

def section_outsize():
    print("// { n, f, s, d, mode, p,   pad_lo, pad_hi, out, remainder }")
    cases = [
        # valid
        (5, 3, 1, 1, "VALID", 0), (7, 3, 1, 1, "VALID", 0), (7, 3, 2, 1, "VALID", 0),
        (7, 3, 3, 1, "VALID", 0), (32, 5, 1, 1, "VALID", 0), (227, 11, 4, 1, "VALID", 0),
        (55, 3, 2, 1, "VALID", 0), (10, 3, 4, 1, "VALID", 0), (5, 2, 2, 1, "VALID", 0),
        (12, 3, 4, 1, "VALID", 0), (3, 3, 1, 1, "VALID", 0), (1, 1, 1, 1, "VALID", 0),
        # explicit
        (7, 3, 1, 1, "EXPLICIT", 1), (32, 5, 1, 1, "EXPLICIT", 2), (7, 3, 2, 1, "EXPLICIT", 1),
        (6, 3, 2, 1, "EXPLICIT", 1), (27, 5, 1, 1, "EXPLICIT", 2), (8, 3, 4, 1, "EXPLICIT", 1),
        (4, 3, 3, 1, "EXPLICIT", 1), (1, 5, 1, 1, "EXPLICIT", 2), (2, 1, 3, 1, "EXPLICIT", 3),
        # same, odd and even kernels, strides 1..4
        (5, 3, 1, 1, "SAME", 0), (5, 2, 1, 1, "SAME", 0), (5, 4, 1, 1, "SAME", 0),
        (6, 4, 1, 1, "SAME", 0), (7, 3, 2, 1, "SAME", 0), (6, 3, 2, 1, "SAME", 0),
        (8, 5, 3, 1, "SAME", 0), (10, 3, 4, 1, "SAME", 0), (5, 1, 2, 1, "SAME", 0),
        (6, 1, 4, 1, "SAME", 0), (4, 7, 2, 1, "SAME", 0), (28, 2, 2, 1, "SAME", 0),
        # dilation 2..3
        (7, 3, 1, 2, "VALID", 0), (7, 3, 2, 2, "VALID", 0), (9, 3, 1, 3, "VALID", 0),
        (10, 3, 3, 3, "VALID", 0), (8, 3, 2, 3, "VALID", 0), (5, 3, 1, 2, "EXPLICIT", 2),
        (9, 3, 1, 2, "SAME", 0), (10, 2, 1, 3, "SAME", 0), (11, 3, 2, 3, "SAME", 0),
    ]
    for n, f, s, d, mode, p in cases:
        if mode == "VALID":
            lo = hi = 0
        elif mode == "EXPLICIT":
            lo = hi = p
        else:
            lo, hi = same_padding(n, f, s, d)
            assert slide_axis(n, f, s, d, lo, hi)[0] == -(-n // s)
        out, rem = slide_axis(n, f, s, d, lo, hi)
        print("    {%d, %d, %d, %d, NN_PAD_%s, %d,   %d, %d, %d, %d}," %
              (n, f, s, d, mode, p, lo, hi, out, rem))


def section_conv2d():
    one = lambda k: [[k]]  # one filter over one channel
    c_array("conv_slide000_valid", conv2d([S0], one(K0), None))
    c_array("conv_slide002_valid", conv2d([S2], one(KX), None))
    out, pads = conv_same([S0], one(EDGE), None)
    assert pads == (1, 1, 1, 1)
    c_array("conv_edge_same", out)
    c_array("conv_emboss_pad1", conv2d([S2], one(EMBOSS), None, pad=(1, 1, 1, 1)))
    w = [[K0, KX], [EDGE, EMBOSS]]
    c_array("conv_two_channels_two_filters", conv2d([S0, S2], w, [1.0, -0.5]))
    c_array("conv_batch_second_sample", conv2d([S2], one(K0), None))
    c_array("seven", X7)
    c_array("conv_seven_stride1", conv2d([X7], one(K0), None, stride=1))
    c_array("conv_seven_stride2", conv2d([X7], one(K0), None, stride=2))
    c_array("conv_seven_stride3", conv2d([X7], one(K0), None, stride=3))
    c_array("conv_seven_pad1", conv2d([X7], one(K0), None, pad=(1, 1, 1, 1)))
    c_array("conv_seven_pad1_stride2", conv2d([X7], one(K0), None, stride=2, pad=(1, 1, 1, 1)))
    out, pads = conv_same([S0], one(K2), None)
    assert pads == (0, 1, 0, 1)
    c_array("conv_k2_same", out)
    c_array("k4", K4)
    out, pads = conv_same([S0], one(K4), None)
    assert pads == (1, 2, 1, 2)
    c_array("conv_k4_same", out)
    out, pads = conv_same([S0], one(K23), None)
    assert pads == (0, 1, 1, 1)
    c_array("conv_k23_same", out)
    out, pads = conv_same([S0], one(K2), None, stride=2)
    assert pads == (0, 1, 0, 1)
    c_array("conv_k2_same_stride2", out)
    c_array("conv_seven_dilation2", conv2d([X7], one(K0), None, dilation=2))
    out, pads = conv_same([X7], one(K0), None, dilation=2)
    assert pads == (2, 2, 2, 2)
    c_array("conv_seven_dilation2_same", out)
    c_array("conv_seven_dilation3", conv2d([X7], one(K0), None, dilation=3))
    c_array("conv_seven_dilation2_stride2", conv2d([X7], one(K0), None, stride=2, dilation=2))


def section_pool():
    o, a = pool([S0], 3, 3, 1, 0, "max")
    c_array("max3_s1", o)
    c_array("max3_s1_argmax", a, "int")
    o, a = pool([S0], 2, 2, 2, 0, "max")
    c_array("max2_s2", o)
    c_array("max2_s2_argmax", a, "int")
    o, _ = pool([S0], 3, 3, 1, 0, "avg")
    c_array("avg3_s1", o)
    o, _ = pool([S0], 2, 2, 2, 1, "avg")
    c_array("avg2_s2_pad1", o)
    c_array("neg", NEG)
    o, a = pool([NEG], 3, 3, 2, 1, "max")
    c_array("max3_s2_pad1_neg", o)
    c_array("max3_s2_pad1_neg_argmax", a, "int")
    o, _ = pool([NEG], 3, 3, 2, 1, "avg")
    c_array("avg3_s2_pad1_neg", o)
    c_array("tie", TIE)
    o, a = pool([TIE], 2, 2, 2, 0, "max")
    c_array("tie_max2", o)
    c_array("tie_max2_argmax", a, "int")
    o, a = pool([S0, S2], 2, 2, 1, 0, "max")
    c_array("two_channels_max2_s1", o)
    c_array("two_channels_max2_s1_argmax", a, "int")
    o, _ = pool([S0], 2, 3, 1, 0, "avg")
    c_array("avg2x3_s1", o)


def section_step():
    # conv2d of S0 by K0 with pad 1: the record of output (0, 0), the padded
    # corner, in visiting order (kernel row, then column).
    xp = pad_plane(S0, 1, 1, 1, 1, 0)
    win = [xp[r][c] for r in range(3) for c in range(3)]
    wts = [v for row in K0 for v in row]
    prods = [a * b for a, b in zip(win, wts)]
    running = [sum(prods[:i + 1]) for i in range(9)]
    print("// conv S0 * K0, pad 1, bias 0.5, element (0, 0)")
    c_array("corner_window", win, per_line=3)
    c_array("corner_products", prods, per_line=3)
    c_array("corner_running", running, per_line=3)
    print("// sum = %s" % cf(running[-1] + 0.5))
    out = conv2d([S0], [[K0]], [0.5], pad=(1, 1, 1, 1))
    print("// element (2, 3) = %s, (4, 4) = %s" % (cf(out[0][2][3]), cf(out[0][4][4])))
    lin = [[7 * r + c for c in range(7)] for r in range(7)]
    out = conv2d([lin], [[K0]], None, stride=2, pad=(1, 1, 1, 1))
    print("// x = 7r + c (7x7) * K0, stride 2, pad 1: element (2, 1) = %s" % cf(out[0][2][1]))
    # Max pool of NEG, 3x3 stride 2 pad 1: element (0, 0) and (2, 2).
    o, a = pool([NEG], 3, 3, 2, 1, "max")
    for (r, c) in [(0, 0), (2, 2)]:
        print("// maxpool NEG (%d,%d): value %s argmax %d -> row %d col %d" %
              (r, c, cf(o[0][r][c]), a[0][r][c], a[0][r][c] // 5, a[0][r][c] % 5))
    xp = pad_plane(NEG, 1, 1, 1, 1, None)
    win = [xp[r][c] for r in range(3) for c in range(3)]
    print("// maxpool NEG (0,0) window (None = padding): %s" % win)
    o, _ = pool([NEG], 3, 3, 2, 1, "avg")
    print("// avgpool NEG (0,0): sum %s value %s" % (cf(sum(v for v in win if v is not None)),
                                                   cf(o[0][0][0])))


def section_layers():
    sm = softmax(SOFTMAX_IN)
    c_array("softmax_slide", sm, per_line=3)
    c_array("softmax_big", softmax([1000.0, 1001.0, 1002.0]), per_line=3)
    c_array("softmax_mixed", softmax([-1000.0, 0.0, 1000.0, 999.0]), per_line=4)
    xs = [-4.0, -1.0, -0.5, 0.0, 0.5, 1.0, 4.0]
    c_array("sigmoid_of", [sigmoid(v) for v in xs], per_line=7)
    c_array("tanh_of", [math.tanh(v) for v in xs], per_line=7)
    # slide 003: tanh(x) = 2 sigmoid(2x) - 1, checked here in double.
    for v in xs:
        assert abs(math.tanh(v) - (2 * sigmoid(2 * v) - 1)) < 1e-12
    w = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    b = [0.5, -1.0]
    c_array("dense_batch", [dense([1.0, 0.0, -1.0], w, b), dense([0.5, -2.0, 4.0], w, b)])
    c_array("dense_no_bias", dense([1.0, 0.0, -1.0], w, None), per_line=2)


def keras_summary(arch, hwc):
    """Keras's Conv2D/MaxPooling2D/Dense output shapes and parameter counts:
    Conv2D F*(K*K*C + 1), Dense N*(in + 1), pooling/flatten/activations 0."""
    h, w, c = hwc
    flat_n = None
    total = 0
    for layer in arch:
        kind = layer[0]
        if kind == "conv":
            _, f, k, s, pad = layer
            if pad == "same":
                h, w = -(-h // s), -(-w // s)
            else:
                p = 0 if pad == "valid" else pad
                h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            params = f * (k * k * c + 1)
            c = f
            print("//   conv(%d,%d) -> %dx%dx%d, %d params" % (f, k, h, w, c, params))
        elif kind == "pool":
            _, k, s = layer
            h, w = (h - k) // s + 1, (w - k) // s + 1
            params = 0
            print("//   pool(%d,%d) -> %dx%dx%d" % (k, s, h, w, c))
        elif kind == "flatten":
            flat_n = h * w * c
            params = 0
            print("//   flatten -> %d" % flat_n)
        elif kind == "dense":
            params = layer[1] * (flat_n + 1)
            flat_n = layer[1]
            print("//   dense(%d) -> %d, %d params" % (layer[1], flat_n, params))
        total += params
    print("//   total %d" % total)


def section_model():
    print("// lenet5 on 28x28x1")
    keras_summary([("conv", 6, 5, 1, 2), ("pool", 2, 2), ("conv", 16, 5, 1, "valid"),
                   ("pool", 2, 2), ("flatten",), ("dense", 120), ("dense", 84),
                   ("dense", 10)], (28, 28, 1))
    print("// softmax preset on 28x28x1")
    keras_summary([("flatten",), ("dense", 10)], (28, 28, 1))
    print("// slide 002: 32x32x3, 10 5x5 filters stride 1 pad 2")
    keras_summary([("conv", 10, 5, 1, 2)], (32, 32, 3))
    print("// VGG block on 32x32x3")
    keras_summary([("conv", 64, 3, 1, "same"), ("conv", 64, 3, 1, "same"), ("pool", 2, 2),
                   ("conv", 128, 3, 1, "same"), ("conv", 128, 3, 1, "same"), ("pool", 2, 2)],
                  (32, 32, 3))
    print("// stride 2 same on 28x28x1 then 7x7")
    keras_summary([("conv", 8, 3, 2, "same"), ("conv", 16, 3, 2, "same"),
                   ("conv", 32, 4, 2, "same")], (28, 28, 1))
    print("// AlexNet (one tower, no groups) on 227x227x3")
    keras_summary([("conv", 96, 11, 4, "valid"), ("pool", 3, 2), ("conv", 256, 5, 1, 2),
                   ("pool", 3, 2), ("conv", 384, 3, 1, 1), ("conv", 384, 3, 1, 1),
                   ("conv", 256, 3, 1, 1), ("pool", 3, 2), ("flatten",), ("dense", 4096),
                   ("dense", 4096), ("dense", 1000)], (227, 227, 3))


def section_slides():
    """Compare the slides' printed results with the arithmetic."""
    def report(what, printed, computed, tol=0.0):
        p, c = list(flat(printed)), list(flat(computed))
        bad = [(i, a, b) for i, (a, b) in enumerate(zip(p, c)) if abs(a - b) > tol]
        print("// %s: %s" % (what, "agrees" if not bad else
                             "DIFFERS at " + ", ".join("[%d] printed %s, computed %.8f" % t
                                                        for t in bad)))
    report("000 feature map", S0_PRINTED, conv2d([S0], [[K0]], None)[0])
    report("000 max pooling 3x3 stride 1", S0_MAXPOOL_PRINTED, pool([S0], 3, 3, 1, 0, "max")[0][0])
    report("000 softmax", SOFTMAX_PRINTED, softmax(SOFTMAX_IN), 5e-9)
    report("002 convolution", S2_PRINTED, conv2d([S2], [[KX]], None)[0])
    print("// 000 softmax sum of printed values: %.8f" % sum(SOFTMAX_PRINTED))


SECTIONS = {
    "outsize": section_outsize, "conv2d": section_conv2d, "pool": section_pool,
    "step": section_step, "layers": section_layers, "model": section_model,
    "slides": section_slides,
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(SECTIONS)
    for name in names:
        if name not in SECTIONS:
            sys.exit("unknown section %r (known: %s)" % (name, " ".join(SECTIONS)))
        print("// ---- python3 tests/tools/reference.py %s" % name)
        SECTIONS[name]()
