#!/usr/bin/env python3
"""--gif FILE [--fps N] of `convstep view ... --headless` and `convstep lesson
... --headless`: the animated GIF, read back by a GIF parser and LZW decoder of
this file's own (standard library only), against the PNGs `--frames DIR` and
`--export DIR` write in the same run (PNGs decoded here too, with zlib).

    python3 tests/test_gif.py /path/to/convstep

TAP output.

What a GIF frame must equal: the GIF has one palette for all frames, 255
colours at most (one more entry is the transparent one). When all the frames'
pixels hold 255 colours or fewer, every pixel of every frame must be exactly
the PNG's. When they hold more (anti-aliased text makes a view's frames hold
over a thousand), the palette is a choice, and what is stated (and asserted)
is: every palette colour is a colour of the frames; every pixel is drawn in
the palette colour nearest to its own (distance 2 dR^2 + 4 dG^2 + 3 dB^2,
among the colours the GIF uses); at least MIN_EXACT_SHARE of the pixels are
exact; no channel of any pixel is more than MAX_CHANNEL_ERROR off. (The UI's
flat colours fill the picture; only text edges go to a near colour.)
tests/test_gif_writer.c covers the exact case with frames of few colours."""

import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import expect, run_program  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LESSON = os.path.join(ROOT, "lessons", "04-padding.lesson")
TIMEOUT = 300
MAX_CHANNEL_ERROR = 32
MIN_EXACT_SHARE = 0.9
CONVSTEP = None
WORKDIR = None
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def run(*args):
    return run_program([CONVSTEP] + list(args), cwd=WORKDIR, timeout=TIMEOUT)


def run_ok(*args):
    code, out, err = run(*args)
    expect(code == 0, "exit %d, stderr %r" % (code, err))
    return out


def scratch(name):
    return os.path.join(WORKDIR, name)


# ---- A GIF reader of its own -----------------------------------------------------------------


def sub_blocks(data, pos):
    """The bytes of the data sub-blocks at pos, and the position after the terminator."""
    out = bytearray()
    while True:
        expect(pos < len(data), "the GIF ends inside a block")
        n = data[pos]
        pos += 1
        if n == 0:
            return bytes(out), pos
        expect(pos + n <= len(data), "a sub-block runs past the end")
        out += data[pos:pos + n]
        pos += n


def parse_gif(data):
    """Walks every block of a GIF. Returns a dict: version, width, height,
    palette (list of (r, g, b)), loop (the NETSCAPE2.0 count, or None),
    frames: [{left, top, width, height, delay, disposal, transparent, palette, min_code, lzw}]."""
    expect(data[:6] in (b"GIF87a", b"GIF89a"), "no GIF signature: %r" % data[:6])
    w, h, flags, _bg, _aspect = struct.unpack("<HHBBB", data[6:13])
    pos = 13
    palette = None
    if flags & 0x80:
        n = 2 << (flags & 7)
        palette = [tuple(data[pos + 3 * i:pos + 3 * i + 3]) for i in range(n)]
        pos += 3 * n
    gif = {"version": data[:6], "width": w, "height": h, "palette": palette, "loop": None, "frames": []}
    control = {}
    while True:
        expect(pos < len(data), "the GIF ends without its trailer (0x3B)")
        kind = data[pos]
        pos += 1
        if kind == 0x3B:
            expect(pos == len(data), "%d bytes after the trailer" % (len(data) - pos))
            return gif
        if kind == 0x21:  # an extension
            label = data[pos]
            body, pos = sub_blocks(data, pos + 1)
            if label == 0xF9:  # Graphic Control Extension: flags, delay (LE16), transparent index
                expect(len(body) == 4, "a Graphic Control Extension of %d bytes" % len(body))
                control = {"delay": body[1] | body[2] << 8, "disposal": (body[0] >> 2) & 7,
                           "transparent": body[3] if body[0] & 1 else None}
            elif label == 0xFF and body[:11] == b"NETSCAPE2.0":
                expect(len(body) == 14 and body[11] == 1, "a NETSCAPE2.0 block %r" % body)
                gif["loop"] = body[12] | body[13] << 8
        elif kind == 0x2C:  # an image descriptor
            left, top, fw, fh, fflags = struct.unpack("<HHHHB", data[pos:pos + 9])
            pos += 9
            local = None
            if fflags & 0x80:
                n = 2 << (fflags & 7)
                local = [tuple(data[pos + 3 * i:pos + 3 * i + 3]) for i in range(n)]
                pos += 3 * n
            expect(not fflags & 0x40, "an interlaced frame")
            expect(left + fw <= w and top + fh <= h, "a frame outside the picture")
            min_code = data[pos]
            lzw, pos = sub_blocks(data, pos + 1)
            frame = {"left": left, "top": top, "width": fw, "height": fh, "delay": None, "disposal": 0,
                     "transparent": None, "palette": local or palette, "min_code": min_code, "lzw": lzw}
            frame.update(control)
            gif["frames"].append(frame)
            control = {}
        else:
            expect(False, "an unknown block 0x%02X at byte %d" % (kind, pos - 1))


def lzw_decode(min_code, data, count):
    """The first `count` palette indices of a GIF LZW stream (variable-length codes, LSB first)."""
    clear, end = 1 << min_code, (1 << min_code) + 1
    out = bytearray()
    bitpos, nbits = 0, len(data) * 8
    size = min_code + 1
    table = None
    prev = None
    while len(out) < count:
        expect(bitpos + size <= nbits, "the LZW data ends after %d of %d pixels" % (len(out), count))
        code = 0
        for i in range(size):
            b = bitpos + i
            code |= ((data[b >> 3] >> (b & 7)) & 1) << i
        bitpos += size
        if code == clear:
            table = [bytes([i]) for i in range(clear)] + [b"", b""]
            size = min_code + 1
            prev = None
            continue
        if code == end:
            break
        expect(table is not None, "the LZW data does not start with a clear code")
        if prev is None:
            entry = table[code]
        elif code < len(table):
            entry = table[code]
            if len(table) < 4096:
                table.append(prev + entry[:1])
        else:
            expect(code == len(table), "LZW code %d beyond the table (%d)" % (code, len(table)))
            entry = prev + prev[:1]
            table.append(entry)
        out += entry
        prev = entry
        if len(table) == (1 << size) and size < 12:
            size += 1
    return bytes(out[:count])


def frame_pixels(frame):
    """A frame's colours, row by row: a list of (r, g, b), None where transparent."""
    n = frame["width"] * frame["height"]
    idx = lzw_decode(frame["min_code"], frame["lzw"], n)
    expect(len(idx) == n, "the frame decodes to %d pixels, not %d" % (len(idx), n))
    expect(max(idx) < len(frame["palette"]), "a pixel names entry %d of %d" % (max(idx), len(frame["palette"])))
    return [None if i == frame["transparent"] else frame["palette"][i] for i in idx]


def read_gif(path):
    gif = parse_gif(tap.read_bytes(path))
    expect(gif["version"] == b"GIF89a", "version %r, not GIF89a" % gif["version"])
    expect(gif["loop"] == 0, "no NETSCAPE2.0 loop-forever block (loop %r)" % gif["loop"])
    return gif


def gif_pictures(gif):
    """Every frame as the whole picture a viewer shows: each frame drawn over the
    one before (disposal 'leave in place' or unspecified), transparent pixels
    letting it through."""
    w, h = gif["width"], gif["height"]
    canvas = [None] * (w * h)
    for n, f in enumerate(gif["frames"]):
        expect(f["disposal"] in (0, 1), "frame %d: disposal %d" % (n, f["disposal"]))
        px = frame_pixels(f)
        for y in range(f["height"]):
            row = (f["top"] + y) * w + f["left"]
            for x in range(f["width"]):
                c = px[y * f["width"] + x]
                if c is not None:
                    canvas[row + x] = c
        expect(None not in canvas, "frame %d leaves pixels never drawn" % n)
        yield n, list(canvas)


# ---- PNGs -----------------------------------------------------------------------------------


def read_png(path):
    """(width, height, [(r, g, b)] row by row) of an 8-bit RGB or RGBA PNG, without interlace."""
    data = tap.read_bytes(path)
    expect(data[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path)
    pos, idat = 8, b""
    w = h = ctype = None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            expect(depth == 8 and ctype in (2, 6) and interlace == 0,
                   "%s: depth %d, colour type %d, interlace %d" % (path, depth, ctype, interlace))
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    expect(w is not None, "%s has no IHDR" % path)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    expect(len(raw) == h * (stride + 1), "%s: %d bytes of pixels" % (path, len(raw)))
    pixels, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 255
        elif f == 2:
            row = bytearray((a + b) & 255 for a, b in zip(row, prev))
        elif f == 3:
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((a + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        else:
            expect(f == 0, "%s: row %d has filter %d" % (path, y, f))
        pixels.extend(zip(row[0::bpp], row[1::bpp], row[2::bpp]))
        prev = row
    return w, h, pixels


def distance(a, b):
    return 2 * (a[0] - b[0]) ** 2 + 4 * (a[1] - b[1]) ** 2 + 3 * (a[2] - b[2]) ** 2


def compare(got, want, exact, what, used=()):
    """A GIF picture against a PNG's pixels: equal when `exact`, else within the
    stated bound, each pixel the nearest of the palette colours `used`."""
    expect(len(got) == len(want), "%s: %d pixels, the PNG %d" % (what, len(got), len(want)))
    wrong = [i for i in range(len(want)) if got[i] != want[i]]
    if exact:
        expect(not wrong, "%s: %d pixels differ, the first #%d: GIF %r, PNG %r" % (
            what, len(wrong), wrong[0], got[wrong[0]], want[wrong[0]]) if wrong else "")
        return 0, 0
    worst = max([max(abs(a - b) for a, b in zip(got[i], want[i])) for i in wrong] or [0])
    nearest = {}
    for i in wrong:
        c = want[i]
        if c not in nearest:
            nearest[c] = min(distance(c, u) for u in used)
        expect(distance(c, got[i]) == nearest[c], "%s: pixel #%d %r is drawn %r, but %d palette colours are nearer" % (
            what, i, c, got[i], sum(1 for u in used if distance(c, u) < distance(c, got[i]))))
    expect(len(wrong) <= (1 - MIN_EXACT_SHARE) * len(want),
           "%s: %d of %d pixels differ (at most %.0f%% may)" % (what, len(wrong), len(want),
                                                                 100 * (1 - MIN_EXACT_SHARE)))
    expect(worst <= MAX_CHANNEL_ERROR, "%s: a pixel is %d off in a channel (at most %d)" % (
        what, worst, MAX_CHANNEL_ERROR))
    return len(wrong), worst


def leftovers(folder, name):
    return [f for f in os.listdir(folder) if f.startswith(name) and f != name]


# ---- The checks ------------------------------------------------------------------------------

CONV = ["view", "conv", "--headless", "--window", "640x360"]


@check
def view_gif_equals_frames():
    """view conv --steps 9 --gif --frames: GIF89a, loops, 10 frames, each the PNG of the same run"""
    gif_path, frames = scratch("conv.gif"), scratch("conv-frames")
    out = run_ok(*CONV, "--steps", "9", "--gif", gif_path, "--frames", frames)
    expect("wrote %s: 10 frame(s) of 640x360" % gif_path in out, "stdout is %r" % out)
    pngs = sorted(f for f in os.listdir(frames) if f.startswith("frame-") and f.endswith(".png"))
    expect(pngs == ["frame-%04d.png" % i for i in range(10)], "--frames wrote %r" % pngs)
    gif = read_gif(gif_path)
    expect(len(gif["frames"]) == 10, "the GIF has %d frames, not 10 (9 steps and the start)" % len(gif["frames"]))
    expect((gif["width"], gif["height"]) == (640, 360), "the GIF is %dx%d" % (gif["width"], gif["height"]))
    # The default 2 frames a second: 100 / 2 = 50 hundredths.
    expect(all(f["delay"] == 50 for f in gif["frames"]), "delays %r" % [f["delay"] for f in gif["frames"]])
    wants = [read_png(os.path.join(frames, name))[2] for name in pngs]
    colours = set()
    for want in wants:
        colours.update(want)
    exact = len(colours) <= 255
    # Whatever the count, every palette entry the frames use is a colour of the frames.
    used = set()
    for f in gif["frames"]:
        used.update(c for c in frame_pixels(f) if c is not None)
    expect(used <= colours, "%d palette colours are in no frame" % len(used - colours))
    first = gif["frames"][0]
    expect((first["left"], first["top"], first["width"], first["height"]) == (0, 0, 640, 360),
           "the first frame covers %r, not the whole picture" % (
               (first["left"], first["top"], first["width"], first["height"]),))
    worst = 0
    for n, picture in gif_pictures(gif):
        worst = max(worst, compare(picture, wants[n], exact, "frame %d" % n, used)[1])
    # Only what changed is stored after the first frame: a rectangle, smaller
    # than the picture, in which the pixels that did not change are transparent;
    # a step changes a few cells (the window, the output cell, the sum), so it
    # costs far fewer bytes than the first frame.
    for n, f in enumerate(gif["frames"][1:], 1):
        px = frame_pixels(f)
        clear = sum(1 for c in px if c is None)
        expect(len(px) < 640 * 360 and clear > len(px) // 2 and len(f["lzw"]) < len(first["lzw"]) // 2,
               "frame %d: %dx%d at (%d, %d), %d of %d pixels transparent, %d bytes (the first: %d)" % (
                   n, f["width"], f["height"], f["left"], f["top"], clear, len(px), len(f["lzw"]), len(first["lzw"])))
    print("# %d colours in the frames (%s); worst channel error %d" % (
        len(colours), "exact palette" if exact else "median cut", worst))
    expect(not leftovers(WORKDIR, "conv.gif"), "a temporary file was left: %r" % os.listdir(WORKDIR))


@check
def animation_end_stops_frames():
    """view pool --steps 1999 --gif: the frames stop where --frames stops (the animation's end)"""
    gif_path, frames = scratch("pool.gif"), scratch("pool-frames")
    run_ok("view", "pool", "--headless", "--window", "320x240", "--input", "1 2 3 4; 5 6 7 8", "--size", "2",
           "--steps", "1999", "--gif", gif_path, "--frames", frames)
    n_png = len(os.listdir(frames))
    gif = read_gif(gif_path)
    # A 2x4 input pooled 2x2 with stride 2: 2 output cells; the start and the steps to the end.
    expect(1 < n_png < 10 and len(gif["frames"]) == n_png,
           "the GIF has %d frames, --frames wrote %d" % (len(gif["frames"]), n_png))


@check
def fps_sets_the_delay():
    """--fps N: every frame shows 100/N hundredths of a second (rounded)"""
    for fps, cs in (("1", 100), ("3", 33), ("4", 25), ("50", 2), ("2.5", 40), ("0.25", 400)):
        path = scratch("fps%s.gif" % fps)
        run_ok(*CONV, "--steps", "1", "--gif", path, "--fps", fps)
        delays = [f["delay"] for f in read_gif(path)["frames"]]
        expect(delays == [cs, cs], "--fps %s: delays %r, not %d" % (fps, delays, cs))


@check
def lesson_one_frame_per_beat():
    """lesson --gif: one frame per beat, as many as --export's slides, the last equal to the last slide"""
    gif_path, slides = scratch("lesson.gif"), scratch("slides")
    args = ["lesson", LESSON, "--headless", "--window", "640x360"]
    out = run_ok(*args, "--gif", gif_path, "--export", slides)
    names = sorted(f for f in os.listdir(slides) if f.startswith("slide-"))
    gif = read_gif(gif_path)
    expect(len(names) > 1 and len(gif["frames"]) == len(names),
           "the GIF has %d frames, --export wrote %d slides" % (len(gif["frames"]), len(names)))
    expect("wrote %s: %d frame(s)" % (gif_path, len(names)) in out, "stdout is %r" % out)
    # The default for a lesson: 4 s a beat, as autoplay.
    expect(all(f["delay"] == 400 for f in gif["frames"]), "delays %r" % [f["delay"] for f in gif["frames"]])
    slides_px = [read_png(os.path.join(slides, name))[2] for name in names]
    colours, used = set(), set()
    for p in slides_px:
        colours.update(p)
    for f in gif["frames"]:
        used.update(c for c in frame_pixels(f) if c is not None)
    expect(used <= colours, "%d palette colours are in no slide" % len(used - colours))
    for n, picture in gif_pictures(gif):
        compare(picture, slides_px[n], len(colours) <= 255, "beat %d" % (n + 1), used)
    path = scratch("lesson-fast.gif")
    run_ok(*args, "--gif", path, "--fps", "5")
    expect(all(f["delay"] == 20 for f in read_gif(path)["frames"]), "--fps 5 is not 20 hundredths")


@check
def lesson_with_failed_expectation_still_written():
    """a lesson whose expectation fails: exit 1 naming it, and the GIF written all the same, one frame per beat"""
    # 04-padding's first beat expects a 3x3 output (5 - 3 + 1 = 3): 4x4 is wrong on purpose.
    with open(LESSON, encoding="utf-8") as f:
        text = f.read()
    expect("expect size 3x3\n" in text, "the lesson no longer expects 3x3 where this test changes it")
    broken = scratch("broken.lesson")
    tap.write_bytes(broken, text.replace("expect size 3x3\n", "expect size 4x4\n", 1).encode("utf-8"))
    gif_path, slides = scratch("failed.gif"), scratch("failed-slides")
    code, out, err = run("lesson", broken, "--headless", "--window", "640x360", "--gif", gif_path, "--export", slides)
    expect(code == 1 and "4x4" in err, "exit %d, stderr %r" % (code, err))
    names = [f for f in os.listdir(slides) if f.startswith("slide-")]
    expect(os.path.exists(gif_path), "no GIF written; stdout %r" % out)
    frames = len(read_gif(gif_path)["frames"])
    expect(frames == len(names) > 1, "the GIF has %d frames, --export wrote %d slides" % (frames, len(names)))


@check
def bad_fps_refused():
    """--fps 0, 0.05, 51, -1, abc, nan, inf, and --fps without --gif: exit 1 with a message naming --fps, no file"""
    path = scratch("bad.gif")
    for fps in ("0", "0.05", "51", "-1", "abc", "", "nan", "inf", "2x"):
        code, _, err = run(*CONV, "--gif", path, "--fps", fps)
        expect(code == 1 and "--fps" in err and "convstep: error:" in err, "--fps %r: exit %d, %r" % (fps, code, err))
    code, _, err = run(*CONV, "--fps", "2")
    expect(code == 1 and "--gif" in err, "--fps alone: exit %d, %r" % (code, err))
    for fps in ("0", "51"):
        code, _, err = run("lesson", LESSON, "--headless", "--gif", path, "--fps", fps)
        expect(code == 1 and "--fps" in err and "0.1 to 50" in err, "lesson --fps %s: exit %d, %r" % (fps, code, err))
    expect(not os.path.exists(path) and not leftovers(WORKDIR, "bad.gif"), "a file was written")


@check
def unwritable_and_limits_refused():
    """an unwritable path, a folder, no --headless, too many frames, too large: exit 1, a message, no file"""
    cases = [
        (["/nonexistent/x.gif"], "/nonexistent"),
        ([scratch("no/such/dir/x.gif")], "no/such/dir"),
        ([WORKDIR], WORKDIR),
        ([scratch("big.gif"), "--steps", "2000"], "2000 frames"),
        ([scratch("big.gif"), "--window", "4100x300"], "4096x4096"),
        ([""], "empty"),
    ]
    for extra, word in cases:
        code, _, err = run("view", "conv", "--headless", "--gif", *extra)
        expect(code == 1 and "convstep: error:" in err and word in err, "%r: exit %d, %r" % (extra, code, err))
    expect(not os.path.exists("/nonexistent/x.gif"), "/nonexistent/x.gif exists")
    code, _, err = run("view", "conv", "--gif", scratch("nohead.gif"))
    expect(code == 1 and "--headless" in err, "view without --headless: exit %d, %r" % (code, err))
    code, _, err = run("lesson", LESSON, "--gif", scratch("nohead.gif"))
    expect(code == 1 and "--headless" in err, "lesson without --headless: exit %d, %r" % (code, err))
    code, _, err = run("lesson", LESSON, "--headless", "--gif", "/nonexistent/x.gif")
    expect(code == 1 and "/nonexistent" in err, "lesson, unwritable: exit %d, %r" % (code, err))
    expect(not leftovers(WORKDIR, "big.gif") and not os.path.exists(scratch("big.gif")), "big.gif was left")
    expect(not os.path.exists(scratch("nohead.gif")), "nohead.gif was written")
    expect(not os.path.exists(scratch("no")), "a folder was made")


@check
def replaces_whole_file():
    """a second --gif over the first replaces it whole (written beside it, then renamed), no temporary left"""
    path = scratch("again.gif")
    tap.write_bytes(path, b"old contents " * 1000)
    run_ok(*CONV, "--steps", "1", "--gif", path)
    gif = read_gif(path)
    expect(len(gif["frames"]) == 2, "%d frames" % len(gif["frames"]))
    expect(not leftovers(WORKDIR, "again.gif"), "left: %r" % leftovers(WORKDIR, "again.gif"))


def start(program, tmp):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, tmp


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-gif-test-", start))
