#!/usr/bin/env python3
"""Checks what a frame drew, from `convstep ... --layout-json` (render_record.h),
against the rules of a screen a class can read (issue 12):

  outside-window  a text not wholly inside the window
  outside-region  a text not wholly inside its region (header, footer, panel,
                  main, narration)
  overlap         two texts whose boxes overlap (the value of a cell or a
                  button and a text over it count; a label is one text)
  clipped         a text wider than the box it had to fit, or a cell's or
                  button's text running out of its cell or button
  cut-off         wrapped text that ran out of room: the rest is not drawn
  too-small       a text smaller than the minimum for its role
  hidden-values   a grid whose cells are too small to show their values

Minimums are given for a 1920x1080 window at zoom 100 and scaled by
height/1080 * zoom/100 (the layout's type scales the same way).

    layout_check.py [--report] [--min ROLE=PX ...] FILE.json|DIR ...

Prints one line per violation and a summary; exits 1 if there was any
(0 always with --report), 2 if a file cannot be read. Standard library only;
check_document() is for other scripts (tests/tools/layout_sweep.py).
"""

import argparse
import json
import os
import sys

# At 1920x1080, zoom 100: body text 24 px, cell values 20 px, badges 14 px
# (the aim); the others in between.
DEFAULT_MINIMUMS = {
    "header": 24, "title": 24, "body": 24,
    "heading": 20, "label": 20, "small": 20, "footer": 20, "button": 20, "cell": 20,
    "caption": 16,
    "badge": 14, "padding": 14,
}
FALLBACK_MINIMUM = 14  # a role not listed above
FRAME_REGIONS = ("header", "footer", "panel", "main", "narration")
KINDS = ("outside-window", "outside-region", "overlap", "clipped", "cut-off", "too-small", "hidden-values")


def inside(a, b, slack=0):
    """True if rect a = [x, y, w, h] lies within rect b (give or take slack px)."""
    return (a[0] >= b[0] - slack and a[1] >= b[1] - slack and a[0] + a[2] <= b[0] + b[2] + slack
            and a[1] + a[3] <= b[1] + b[3] + slack)


def overlap_size(a, b):
    """The width and height of the intersection of two rects (0 when apart)."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, w), max(0, h)


def scale_of(doc):
    """The factor minimums are multiplied by for this window and zoom."""
    return doc["window"][1] / 1080.0 * doc.get("zoom", 100) / 100.0


def texts_of(doc):
    """Every text drawn: (item, its box), the text items and the shown values of cells and buttons."""
    out = []
    for it in doc["items"]:
        if it["kind"] == "text" and it["text"] and it["rect"][2] > 0:
            out.append((it, it["rect"]))
        elif it["kind"] in ("cell", "button") and it.get("text") and "text_rect" in it:
            out.append((it, it["text_rect"]))
    return out


def describe(it):
    text = it.get("text", "")
    text = text if len(text) <= 40 else text[:37] + "..."
    return "%s %s '%s' at %s" % (it["kind"], it["role"], text, it["rect"])


def check_document(doc, minimums=None, overlap_tolerance=1):
    """The violations of one document: a list of (kind, message)."""
    minimums = dict(DEFAULT_MINIMUMS, **(minimums or {}))
    scale = scale_of(doc)
    win = [0, 0, doc["window"][0], doc["window"][1]]
    regions = {it["role"]: it["rect"] for it in doc["items"]
               if it["kind"] == "region" and it["role"] in FRAME_REGIONS}
    found = []
    texts = texts_of(doc)
    for it, box in texts:
        if not inside(box, win):
            found.append(("outside-window", "%s: text box %s leaves the window %s" % (describe(it), box, win[2:])))
        region = it.get("region")
        if it["kind"] == "text" and region in regions and not inside(box, regions[region]):
            found.append(("outside-region", "%s: leaves its region %s %s" % (describe(it), region, regions[region])))
        if it["kind"] == "text" and it.get("box") and it["box"][2] > 0:
            b = it["box"]
            if box[0] < b[0] or box[0] + box[2] > b[0] + b[2]:
                found.append(("clipped", "%s: %d px wide, its box %s" % (describe(it), box[2], b)))
        if it["kind"] in ("cell", "button") and not inside(box, it["rect"]):
            found.append(("clipped", "%s: its text %s runs out of it" % (describe(it), box)))
        need = minimums.get(it["role"], FALLBACK_MINIMUM) * scale
        if it.get("px", 0) and it["px"] < need - 1e-9:
            found.append(("too-small", "%s: %d px, the minimum for '%s' is %.1f px here" % (
                describe(it), it["px"], it["role"], need)))
    for it in doc["items"]:
        if it["kind"] == "text" and it.get("truncated"):
            found.append(("cut-off", "%s: the text runs out of room and the rest is not drawn" % describe(it)))
    found.extend(overlaps_(texts, overlap_tolerance))
    found.extend(hidden_values_(doc))
    return found


def overlaps_(texts, tolerance):
    """Pairs of text boxes that overlap by more than tolerance px both ways,
    found through a coarse grid of buckets. An overlay (the keys) is drawn
    over everything: its texts are compared among themselves only."""
    bucket = 64
    cells = {}
    for i, (it, box) in enumerate(texts):
        for bx in range(box[0] // bucket, (box[0] + max(box[2], 1) - 1) // bucket + 1):
            for by in range(box[1] // bucket, (box[1] + max(box[3], 1) - 1) // bucket + 1):
                cells.setdefault((bx, by), []).append(i)
    seen = set()
    found = []
    for members in cells.values():
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                i, j = members[a], members[b]
                if (i, j) in seen:
                    continue
                seen.add((i, j))
                (ti, bi), (tj, bj) = texts[i], texts[j]
                if (ti.get("region") == "overlay") != (tj.get("region") == "overlay"):
                    continue
                w, h = overlap_size(bi, bj)
                if w > tolerance and h > tolerance:
                    found.append(("overlap", "%s and %s overlap by %dx%d px" % (describe(ti), describe(tj), w, h)))
    return found


def hidden_values_(doc):
    """One violation per grid whose cells hide their values (cells outside
    any grid: one each)."""
    grids = [it for it in doc["items"] if it["kind"] == "grid"]
    hidden = {}
    for it in doc["items"]:
        if it["kind"] != "cell" or not it.get("hidden"):
            continue
        centre = (it["rect"][0] + it["rect"][2] // 2, it["rect"][1] + it["rect"][3] // 2)
        owner = next((g for g in grids if inside([centre[0], centre[1], 0, 0], g["rect"])), None)
        key = id(owner) if owner else id(it)
        hidden.setdefault(key, [owner, it, 0])[2] += 1
    found = []
    for owner, first, count in hidden.values():
        if owner:
            total = owner.get("rows", 0) * owner.get("cols", 0)
            found.append(("hidden-values", "grid %s '%s' at %s: cells of %d px, %d of %d values hidden" % (
                owner["role"], owner["text"], owner["rect"], owner.get("cell", 0), count, total)))
        else:
            found.append(("hidden-values", "%s: %d px, its value hidden" % (describe(first), first["rect"][3])))
    return found


def documents(paths):
    """(name, path) of every JSON file named or inside a folder named, in order."""
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.endswith(".json"):
                    yield os.path.join(p, name)
        else:
            yield p


def parse_minimums(pairs):
    out = {}
    for pair in pairs or []:
        role, _, px = pair.partition("=")
        try:
            out[role] = float(px)
        except ValueError:
            raise SystemExit("layout_check: --min wants ROLE=PX, got '%s'" % pair)
    return out


def main(argv):
    ap = argparse.ArgumentParser(description="Checks a --layout-json file for text a class cannot read.")
    ap.add_argument("paths", nargs="+", help="JSON files, or folders of them")
    ap.add_argument("--report", action="store_true", help="list the violations but exit 0")
    ap.add_argument("--min", action="append", metavar="ROLE=PX",
                    help="the minimum font size of a role at 1920x1080, zoom 100 (repeatable)")
    ap.add_argument("--overlap-tolerance", type=int, default=1, metavar="PX",
                    help="overlaps up to this many px either way are let pass (default 1)")
    ap.add_argument("--quiet", action="store_true", help="print the summary only")
    args = ap.parse_args(argv[1:])
    minimums = parse_minimums(args.min)
    counts = dict.fromkeys(KINDS, 0)
    files = 0
    for path in documents(args.paths):
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print("layout_check: cannot read %s: %s" % (path, e), file=sys.stderr)
            return 2
        files += 1
        for kind, message in check_document(doc, minimums, args.overlap_tolerance):
            counts[kind] += 1
            if not args.quiet:
                print("%s: %s: %s" % (path, kind, message))
    total = sum(counts.values())
    print("%d violation(s) in %d file(s)%s" % (total, files, "".join(
        ", %s %d" % (k, n) for k, n in counts.items() if n)))
    return 0 if args.report or total == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
