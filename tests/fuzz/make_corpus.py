#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into tests/fuzz/corpus/<target>/:
small valid inputs and a few broken ones for each parser. Standard library
only; the output is the same on every run.

    tests/fuzz/make_corpus.py [--model FILE]

--model FILE adds a model file saved by the program itself (the committed
seed corpus/model/softmax-trained.model was made with
`convstep train --arch softmax --epochs 1 --save FILE`). The lessons of
lessons/ are copied into corpus/lesson/.
"""
import argparse
import gzip
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- matrix -----------------------------------------------------------------------------

MATRICES = {
    "inline-2x2": "1 2; 3 4",
    "inline-commas": " 1 2,3 ; 4,  5 6 ",
    "inline-2ch": "1 2; 3 4 | 5 6; 7 8",
    "inline-decimals": "-1.5 +2 .25 3e2 0.330",
    "inline-ragged": "1 2 3; 4 5",
    "inline-empty-row": "1 2;; 3 4",
    "inline-bad-number": "1 2; x7 4",
    "inline-hex": "0x10",
    "inline-inf-nan": "1 inf; nan 2",
    "inline-huge": "1e999 3e38 -3e38",
    "file-2ch": ("# a 2-channel input\n1 2\n3 4\n\n\n5 6  # trailing note\n7 8\n"),
    "file-3x3-crlf": "1 2 0\r\n0 1 3\r\n2 2 1\r\n",
    "file-ragged": "1 2 3\n4 5 6\n7 8\n",
    "file-comments-only": "# nothing\n\n# here\n",
}

# ---- arch -------------------------------------------------------------------------------

ARCHS = {
    "lenet5": "lenet5",
    "lenet5-spaced": " LeNet5 ",
    "softmax": "softmax",
    "lenet5-expanded": "conv(6,5,pad=2),relu,maxpool(2),flatten,dense(10)",
    "conv-options": "conv(16,3,stride=2,pad=same,dilation=3),relu,avgpool(2,pad=1),flatten,dense(3),softmax",
    "pools": "conv(8,3),maxpool(2),avgpool(3)",
    "dropout": "flatten,dense(32),dropout(0.5),tanh,dense(10),sigmoid",
    "whitespace": "  Conv ( 6 , 5 , pad = 2 ) ,\tRELU ,\n maxpool( 2 ) , Tanh ",
    "maxpool-stride": "maxpool(3,stride=1,pad=1),flatten,dense(4)",
    "bad-unclosed": "conv(6,5",
    "bad-empty-layer": "conv(6,5),,relu",
    "bad-dense-no-flatten": "conv(6,5), relu,  dense(3)",
    "bad-number": "dense(99999999999999999999)",
    "bad-option": "conv(6,5,padding=1)",
    "bad-kernel-too-big": "conv(4,40)",
}

# ---- lesson -----------------------------------------------------------------------------

LESSON_EXTRA = {
    "every-command.lesson": """title Every command once
# a comment, then a blank line

view conv
input 3 1 0 2 4; 1 0 2 3 1; 2 4 1 0 3; 0 1 3 2 0; 1 2 0 1 3
kernel 1 0 -1; 1 0 -1; 1 0 -1
bias 1
padding same
stride 2
dilation 1
preset Sobel vertical
say With *stride 2* the window jumps two cells at a time.
quiz size How big is the output? answer 3x3
quiz cell 0 0 What is the first value?
expect size 3x3
step 1
step to 1 2
highlight output 0 0 1 1
highlight input 0 0
wait 3
step end
restart
view pool
size 2
expect max 0 0 4
expect avg 0 1 5.25
wait
view draw
strokes 30,25 82,25 50,95; 20,60 40,60
classifier live
quiz guess Which digit is it?
expect guess 7
view train
model lenet5
train 3
expect accuracy 10
expect params lenet5 28x28x1 61706
digit 7 20
""",
    "bad-unknown.lesson": "title T\nfrobnicate 3\n",
    "bad-no-title.lesson": "view conv\n",
    "bad-matrix.lesson": "title T\nview conv\ninput 1 2; 3\n",
    "bad-params.lesson": "title T\nview conv\nexpect params conv(6,5),dense(3) 28x28x1 5\n",
}

# ---- idx ---------------------------------------------------------------------------------
# fuzz_idx input: a flags byte (bit 0 gzips the image file, bit 1 the label
# file), the image file, FF FE FD, the label file.

MARK = b"\xff\xfe\xfd"


def idx_images(n, rows, cols, data=None):
    if data is None:
        data = bytes((i * 37) & 0xFF for i in range(n * rows * cols))
    return struct.pack(">IIII", 0x803, n, rows, cols) + data


def idx_labels(n, data=None):
    if data is None:
        data = bytes(i % 10 for i in range(n))
    return struct.pack(">II", 0x801, n) + data


def idx_inputs():
    good_i, good_l = idx_images(3, 4, 5), idx_labels(3)
    yield "plain", b"\x00" + good_i + MARK + good_l
    yield "gzip-images", b"\x01" + good_i + MARK + good_l
    yield "gzip-labels", b"\x02" + good_i + MARK + good_l
    yield "gzip-both", b"\x03" + good_i + MARK + good_l
    yield "one-1x1", b"\x00" + idx_images(1, 1, 1) + MARK + idx_labels(1)
    yield "no-marker", b"\x00" + idx_images(1, 2, 2, b"\x00" * 4) + idx_labels(1) + b"\x00" * 7
    yield "truncated-images", b"\x00" + idx_images(3, 4, 5)[:-7] + MARK + good_l
    yield "extra-bytes", b"\x00" + good_i + b"\x00" + MARK + good_l
    yield "count-mismatch", b"\x00" + good_i + MARK + idx_labels(2)
    yield "wrong-magic", b"\x00" + good_l + MARK + good_i
    yield "too-large", b"\x00" + struct.pack(">IIII", 0x803, 10000000, 1024, 1024) + MARK + good_l
    yield "zero-rows", b"\x00" + struct.pack(">IIII", 0x803, 1, 0, 5) + MARK + idx_labels(1)
    yield "short-header", b"\x00" + b"\x00\x00\x08\x03\x00" + MARK + b"\x00\x00"
    # The bytes themselves gzip-compressed (gzread decompresses them), one cut short.
    gz = gzip.compress(good_i, mtime=0)
    yield "pre-gzipped", b"\x00" + gz + MARK + good_l
    yield "pre-gzipped-cut", b"\x00" + gz[:-6] + MARK + good_l


# ---- model -------------------------------------------------------------------------------


def model_file(arch, shape, params, note="fuzz seed", version=1, fix_crc=True):
    c, h, w = shape
    body = b"CONVSTEP" + struct.pack("<IIII", version, c, h, w)
    body += struct.pack("<I", len(arch)) + arch.encode()
    body += struct.pack("<I", len(note)) + note.encode()
    body += struct.pack("<Q", len(params)) + b"".join(struct.pack("<f", p) for p in params)
    crc = zlib.crc32(body) & 0xFFFFFFFF
    return body + struct.pack("<I", crc if fix_crc else crc ^ 1)


def model_inputs():
    # flatten,dense(2) on 1x2x2: 4*2 weights + 2 biases.
    p10 = [0.5 * i - 2 for i in range(10)]
    yield "dense-1x2x2.model", model_file("flatten,dense(2)", (1, 2, 2), p10)
    yield "softmax-2x2x1.model", model_file("flatten,dense(2),softmax", (1, 2, 2), p10)
    # conv(2,2) on 1x3x3: 2*1*2*2 weights + 2 biases; then flatten 2*2*2 -> dense(2).
    conv = [0.1 * i for i in range(10)] + [0.01 * i for i in range(18)]
    yield "conv-1x3x3.model", model_file("conv(2,2),relu,flatten,dense(2)", (1, 3, 3), conv)
    yield "pool-2x4x4.model", model_file("maxpool(2),flatten,dense(1)", (2, 4, 4), [1.0] * 9)
    yield "bad-crc.model", model_file("flatten,dense(2)", (1, 2, 2), p10, fix_crc=False)
    yield "bad-version.model", model_file("flatten,dense(2)", (1, 2, 2), p10, version=2)
    yield "bad-count.model", model_file("flatten,dense(2)", (1, 2, 2), p10[:9])
    yield "bad-arch.model", model_file("conv(2,9)", (1, 2, 2), [])
    yield "bad-shape.model", model_file("flatten,dense(2)", (0, 2, 2), p10)
    yield "truncated.model", model_file("flatten,dense(2)", (1, 2, 2), p10)[:30]
    yield "foreign.model", b"\x89PNG\r\n\x1a\n not a model"


# ---- image -------------------------------------------------------------------------------


def digit_canvas(w, h, dark_on_light=True):
    paper, ink = (235, 20) if dark_on_light else (10, 250)
    px = [[paper] * w for _ in range(h)]
    for y in range(h):  # a "7": a bar and a diagonal
        for x in range(w):
            if (y == h // 5 and w // 5 <= x <= 4 * w // 5) or (
                    y > h // 5 and abs(x - (4 * w // 5 - (y - h // 5) * 3 * w // (5 * h))) <= max(0, w // 12)):
                px[y][x] = ink
    return px


def pgm(px):
    h, w = len(px), len(px[0])
    return b"P5\n%d %d\n255\n" % (w, h) + bytes(v for row in px for v in row)


def pgm_ascii(px):
    h, w = len(px), len(px[0])
    return ("P2\n# ascii\n%d %d\n255\n" % (w, h) + "\n".join(" ".join(map(str, r)) for r in px) + "\n").encode()


def ppm(px):
    h, w = len(px), len(px[0])
    return b"P6\n%d %d\n255\n" % (w, h) + bytes(c for row in px for v in row for c in (v, v // 2, 255 - v))


def bmp(px):
    h, w = len(px), len(px[0])
    stride = (w * 3 + 3) & ~3
    rows = b""
    for row in reversed(px):
        r = b"".join(bytes((v, v, v)) for v in row)
        rows += r + b"\x00" * (stride - len(r))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(rows), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(rows), 2835, 2835, 0, 0)
    return header + info + rows


def png(px, alpha=False):
    h, w = len(px), len(px[0])

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    if alpha:  # ink opaque, paper transparent
        raw = b"".join(b"\x00" + b"".join(bytes((0, 0, 0, 255 if v < 128 else 0)) for v in row) for row in px)
        ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    else:
        raw = b"".join(b"\x00" + bytes(row) for row in px)
        ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) +
            chunk(b"IEND", b""))


def tga(px):
    h, w = len(px), len(px[0])
    header = struct.pack("<BBBHHBHHHHBB", 0, 0, 3, 0, 0, 0, 0, 0, w, h, 8, 0x20)
    return header + bytes(v for row in px for v in row)


def image_inputs():
    px = digit_canvas(16, 20)
    yield "digit.pgm", pgm(px)
    yield "digit-ascii.pgm", pgm_ascii(digit_canvas(8, 8, False))
    yield "digit.ppm", ppm(px)
    yield "digit.bmp", bmp(digit_canvas(13, 9))
    yield "digit.png", png(px)
    yield "digit-alpha.png", png(digit_canvas(12, 12), alpha=True)
    yield "digit.tga", tga(digit_canvas(10, 7, False))
    yield "blank.pgm", pgm([[200] * 5 for _ in range(5)])
    yield "one-pixel.pgm", pgm([[0]])
    yield "one-row.pgm", pgm([[0, 255, 0, 255, 0, 255]])
    yield "truncated.png", png(px)[:40]
    yield "too-wide.pgm", b"P5\n9000 1\n255\n" + bytes(range(256)) * 35 + b"\x00" * 40
    yield "not-an-image.txt", b"hello"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="a model file saved by `convstep train ... --save`")
    args = ap.parse_args()
    for name, text in MATRICES.items():
        put("matrix", name, text)
    for name, text in ARCHS.items():
        put("arch", name, text)
    lessons = os.path.join(ROOT, "lessons")
    for name in sorted(os.listdir(lessons)):
        if name.endswith(".lesson"):
            os.makedirs(os.path.join(CORPUS, "lesson"), exist_ok=True)
            shutil.copyfile(os.path.join(lessons, name), os.path.join(CORPUS, "lesson", name))
    for name, text in LESSON_EXTRA.items():
        put("lesson", name, text)
    for name, data in idx_inputs():
        put("idx", name, data)
    for name, data in model_inputs():
        put("model", name, data)
    if args.model:
        with open(args.model, "rb") as f:
            put("model", "softmax-trained.model", f.read())
    for name, data in image_inputs():
        put("image", name, data)
    for d in sorted(os.listdir(CORPUS)):
        print("%-8s %d files" % (d, len(os.listdir(os.path.join(CORPUS, d)))))


if __name__ == "__main__":
    main()
