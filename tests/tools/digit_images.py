#!/usr/bin/env python3
"""Writes pictures of real test digits the way people hand them to `convstep
classify`: at odd sizes, off-centre, dark ink on light paper or light on dark,
as PNG, PGM and BMP. Standard library only (zlib for PNG).

    digit_images.py OUT_DIR [COUNT]

reads assets/mnist10k-*.gz (test records 8000..), writes OUT_DIR/<k>_<variant>.<ext>
and prints one line per picture: "file label variant".
"""
import gzip
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ASSETS = os.path.join(HERE, "..", "..", "assets")


def load(count):
    with gzip.open(os.path.join(ASSETS, "mnist10k-images-idx3-ubyte.gz")) as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        data = f.read()
    with gzip.open(os.path.join(ASSETS, "mnist10k-labels-idx1-ubyte.gz")) as f:
        f.read(8)
        labels = f.read()
    out = []
    for k in range(8000, 8000 + count):
        img = [list(data[(k * 28 + y) * 28:(k * 28 + y) * 28 + 28]) for y in range(28)]
        out.append((img, labels[k]))
    return out


def place(img, width, height, scale, left, top, dark_on_light):
    """The digit scaled by an integer factor (nearest neighbour), its 28x28 frame's
    top-left corner at (left, top) of a width x height canvas."""
    paper, ink = (235, 20) if dark_on_light else (10, 250)
    canvas = [[paper] * width for _ in range(height)]
    for y in range(28 * scale):
        for x in range(28 * scale):
            v = img[y // scale][x // scale] / 255.0
            cy, cx = top + y, left + x
            if 0 <= cy < height and 0 <= cx < width:
                canvas[cy][cx] = round(paper + (ink - paper) * v)
    return canvas


def write_pgm(path, canvas):
    h, w = len(canvas), len(canvas[0])
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (w, h))
        f.write(bytes(v for row in canvas for v in row))


def write_png(path, canvas):
    h, w = len(canvas), len(canvas[0])
    raw = b"".join(b"\x00" + bytes(row) for row in canvas)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw)))
        f.write(chunk(b"IEND", b""))


def write_bmp(path, canvas):
    h, w = len(canvas), len(canvas[0])
    stride = (3 * w + 3) // 4 * 4
    pixels = b"".join(
        bytes(c for v in row for c in (v, v, v)) + b"\x00" * (stride - 3 * w)
        for row in reversed(canvas))
    with open(path, "wb") as f:
        f.write(b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54))
        f.write(struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pixels), 2835, 2835, 0, 0))
        f.write(pixels)


# (name, canvas width, height, scale, left, top, dark ink on light paper, writer)
VARIANTS = [
    ("plain", 28, 28, 1, 0, 0, False, "pgm"),
    ("big_dark_on_light_offcentre", 150, 97, 3, 40, 3, True, "png"),
    ("small_corner", 61, 45, 1, 2, 1, False, "bmp"),
    ("wide_dark_on_light", 211, 64, 2, 150, 5, True, "pgm"),
    ("tall_light_on_dark", 40, 190, 1, 6, 140, False, "png"),
]
WRITERS = {"pgm": write_pgm, "png": write_png, "bmp": write_bmp}


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    os.makedirs(out, exist_ok=True)
    for k, (img, label) in enumerate(load(count)):
        for name, w, h, scale, left, top, dark, ext in VARIANTS:
            path = os.path.join(out, "%02d_%s.%s" % (k, name, ext))
            WRITERS[ext](path, place(img, w, h, scale, left, top, dark))
            print(path, label, name)


if __name__ == "__main__":
    main()
