#!/usr/bin/env python3
"""Runs every view and every lesson step headless at 1280x720, 1920x1080 and
3840x2160, at zoom 100, 150 and 200, with --layout-json, checks each frame
with layout_check.py and prints the violations counted per kind for each
view and lesson (issue 12's layout test), and the texts shortened with an
ellipsis (allowed, counted for information).

    python3 tests/tools/layout_sweep.py build/app/convstep [--out DIR] [--jobs N]
        [--views home,conv ...] [--lessons 01,03 ...] [--sizes 1280x720,...] [--zooms 100,...]
        [--details] [--budget FILE] [--write-budget FILE]

The JSON files stay in --out (default: a temporary folder, removed) for a
closer look: layout_check.py DIR lists every violation. With --budget
(tests/layout_budget.json, {"view or lesson": {"kind": count}}; absent
means 0) it exits 1 when any count is above its budget: the suite's layout
test, which only lets the counts go down until they are all 0. Else exits 0
(2 if a run fails). CONVSTEP_LAYOUT_QUICK=1 checks 1920x1080 and 1280x720
at zoom 100 and 150 only (the sanitizer stage). Standard library only.
"""

import argparse
import concurrent.futures
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import layout_check  # noqa: E402

VIEWS = ["home", "conv", "pool", "convt", "backprop", "train", "templates", "cnn", "network", "draw", "lessons"]
SIZES = ["1280x720", "1920x1080", "3840x2160"]
ZOOMS = [100, 150, 200]


def jobs_for(program, out, views, lessons, sizes, zooms):
    """(name, command, output) of every run."""
    for size in sizes:
        for zoom in zooms:
            for v in views:
                path = os.path.join(out, "view-%s-%s-z%d.json" % (v, size, zoom))
                yield v, [program, "view", v, "--headless", "--window", size, "--zoom", str(zoom),
                          "--layout-json", path], path
            for lesson in lessons:
                name = os.path.basename(lesson)[:2]
                folder = os.path.join(out, "lesson-%s-%s-z%d" % (name, size, zoom))
                yield "lesson " + name, [program, "lesson", lesson, "--headless", "--window", size, "--zoom",
                                         str(zoom), "--layout-json", folder], folder


def run_one(job):
    name, cmd, path = job
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=900, cwd=ROOT)
    return name, cmd, path, p.returncode, p.stderr.decode("utf-8", "replace")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("program")
    ap.add_argument("--out", help="keep the JSON files here")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--views", default=",".join(VIEWS))
    ap.add_argument("--lessons", default="all", help="lesson numbers (01,03) or all or none")
    ap.add_argument("--sizes", default=",".join(SIZES))
    ap.add_argument("--zooms", default=",".join(map(str, ZOOMS)))
    ap.add_argument("--details", action="store_true", help="print every violation too")
    ap.add_argument("--type-report", action="store_true",
                    help="print the smallest text px of each role at each size and zoom")
    ap.add_argument("--budget", help="fail when a count is above this file's")
    ap.add_argument("--write-budget", help="write the counts found as a budget file")
    args = ap.parse_args(argv[1:])
    if os.environ.get("CONVSTEP_LAYOUT_QUICK") == "1":
        args.sizes, args.zooms = "1280x720,1920x1080", "100,150"
    program = os.path.abspath(args.program)
    views = [v for v in args.views.split(",") if v and v != "none"]
    # The course (01-...) and the extras (x1-...).
    lessons = sorted(glob.glob(os.path.join(ROOT, "lessons", "[0-9]*.lesson")) +
                     glob.glob(os.path.join(ROOT, "lessons", "x[0-9]*.lesson")))
    if args.lessons == "none":
        lessons = []
    elif args.lessons != "all":
        wanted = args.lessons.split(",")
        lessons = [p for p in lessons if os.path.basename(p)[:2] in wanted]
    out = args.out or tempfile.mkdtemp(prefix="convstep-sweep-")
    os.makedirs(out, exist_ok=True)
    jobs = list(jobs_for(program, out, views, lessons, args.sizes.split(","),
                         [int(z) for z in args.zooms.split(",")]))
    # counts[name][kind], and the frames checked per name
    counts, frames, failed, ellipsis = {}, {}, 0, 0
    smallest = {}  # (size, zoom) -> {role: px}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, cmd, path, code, err in pool.map(run_one, jobs):
            if code != 0:
                failed += 1
                print("run failed (exit %d): %s\n  %s" % (code, " ".join(cmd), err.strip()[:500]))
                continue
            per = counts.setdefault(name, dict.fromkeys(layout_check.KINDS, 0))
            for doc_path in layout_check.documents([path]):
                with open(doc_path, encoding="utf-8") as f:
                    doc = json.load(f)
                frames[name] = frames.get(name, 0) + 1
                ellipsis += sum(1 for it in doc["items"] if it.get("ellipsis"))
                key = ("%dx%d" % tuple(doc["window"]), doc.get("zoom", 100))
                for it, _box in layout_check.texts_of(doc):
                    if it.get("px"):
                        roles = smallest.setdefault(key, {})
                        roles[it["role"]] = min(roles.get(it["role"], 10 ** 6), it["px"])
                for kind, message in layout_check.check_document(doc):
                    per[kind] += 1
                    if args.details:
                        print("%s: %s: %s" % (doc_path, kind, message))
    kinds = layout_check.KINDS
    width = max([len(n) for n in counts] + [9])
    print("%-*s %6s %s %7s" % (width, "view", "frames", " ".join("%14s" % k for k in kinds), "total"))
    totals = dict.fromkeys(kinds, 0)
    for name in counts:
        row = counts[name]
        for k in kinds:
            totals[k] += row[k]
        print("%-*s %6d %s %7d" % (width, name, frames.get(name, 0), " ".join("%14d" % row[k] for k in kinds),
                                   sum(row.values())))
    print("%-*s %6d %s %7d" % (width, "all", sum(frames.values()), " ".join("%14d" % totals[k] for k in kinds),
                               sum(totals.values())))
    print("texts shortened with an ellipsis (allowed): %d" % ellipsis)
    if args.type_report:
        roles = sorted({r for v in smallest.values() for r in v})
        print("smallest text px per role:")
        print("%-16s %s" % ("size zoom", " ".join("%8s" % r[:8] for r in roles)))
        for key in sorted(smallest, key=lambda k: (int(k[0].split("x")[0]), k[1])):
            print("%-16s %s" % ("%s %d" % key, " ".join("%8s" % smallest[key].get(r, "-") for r in roles)))
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)
    if args.write_budget:
        found = {n: {k: v for k, v in row.items() if v} for n, row in sorted(counts.items())}
        with open(args.write_budget, "w", encoding="utf-8") as f:
            json.dump({n: r for n, r in found.items() if r}, f, indent=1, sort_keys=True)
            f.write("\n")
    if failed:
        return 2
    if args.budget:
        with open(args.budget, encoding="utf-8") as f:
            budget = json.load(f)
        over = [(n, k, v, budget.get(n, {}).get(k, 0)) for n, row in counts.items() for k, v in row.items()
                if v > budget.get(n, {}).get(k, 0)]
        for n, k, v, b in over:
            print("OVER BUDGET: %s %s: %d (budget %d)" % (n, k, v, b))
        left = sum(sum(r.values()) for r in budget.values())
        print("budget: %d violations allowed in all (issue 12's aim: 0); %d counts over" % (left, len(over)))
        return 1 if over else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
