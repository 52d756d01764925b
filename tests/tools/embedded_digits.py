"""The 10,000 digits shipped in assets/ (mnist10k-*.gz), read with gzip and
struct alone, independently of convstep: for the tests that write IDX sets
from them."""
import gzip
import os
import struct

from tap import Fail

ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets")
_CACHE = {}


def read():
    """(images, labels, rows, cols): 10000 28x28 records as bytes, read once."""
    if not _CACHE:
        with gzip.open(os.path.join(ASSETS, "mnist10k-images-idx3-ubyte.gz")) as f:
            magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
            images = f.read()
        with gzip.open(os.path.join(ASSETS, "mnist10k-labels-idx1-ubyte.gz")) as f:
            lmagic, ln = struct.unpack(">II", f.read(8))
            labels = f.read()
        if (magic, lmagic, n, ln, rows, cols) != (0x803, 0x801, 10000, 10000, 28, 28) or \
                len(images) != n * rows * cols or len(labels) != n:
            raise Fail("the embedded digits in assets/ are not the expected 10000 28x28 records")
        _CACHE.update(images=images, labels=labels, rows=rows, cols=cols)
    c = _CACHE
    return c["images"], c["labels"], c["rows"], c["cols"]
