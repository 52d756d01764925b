#!/usr/bin/env python3
"""Where a page's frame time goes: convstep's site in headless chromium,
one view opened (training started by a click on 'train' with --train),
the frame times measured on the page's requestAnimationFrame clock, and
over the same seconds

  - the CPU time of every thread of chromium's processes (from /proc: the
    page's main thread, its wasm workers, the GPU process's threads), and
    of the whole machine (/proc/stat), so a starved core shows;
  - a DevTools trace (--trace): each thread's tasks with their wall time and
    their own CPU time (a task whose CPU time is far below its wall time
    waited for a core or a lock), and the page's animation frames.

    python3 tests/tools/web_profile.py SITE [--view train] [--train] [--seconds 5]
        [--live threads|frames] [--trace] [--size 1280x720]

SITE is a built site (build-web/site). Standard library only.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from urllib.parse import urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import cdp  # noqa: E402
import test_web  # noqa: E402  (the server, the page's URL, the layout of a view)

CLOCK = os.sysconf("SC_CLK_TCK")


def thread_times(pids):
    """{(pid, tid): (process name, thread name, CPU seconds)} of the processes' threads."""
    out = {}
    for pid in pids:
        try:
            with open("/proc/%d/comm" % pid) as f:
                pname = f.read().strip()
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            continue
        for tid in tids:
            try:
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    stat = f.read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            out[pid, int(tid)] = (pname, name, (int(fields[11]) + int(fields[12])) / CLOCK)
    return out


def chromium_pids(root):
    """The browser process and all its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    pids, todo = [], [root]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(children.get(p, []))
    return pids


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return ""
    text = b" ".join(args)  # chromium may rewrite its command line as one string
    at = text.find(b"--type=")
    if at < 0:
        return "browser"
    kind = text[at + 7:].split(b" ")[0].decode()
    return "gpu" if kind == "gpu-process" else kind


def machine_busy():
    """(busy, total) jiffies of all cores so far."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def trace_summary(events, seconds):
    """Per thread: the time its top-level tasks took (wall) and ran (CPU); the
    page's animation frames."""
    names, procs = {}, {}
    for e in events:
        if e.get("ph") == "M" and e["name"] == "thread_name":
            names[e["pid"], e["tid"]] = e["args"]["name"]
        elif e.get("ph") == "M" and e["name"] == "process_name":
            procs[e["pid"]] = e["args"]["name"]
    tasks = {}
    for e in events:
        if e.get("ph") == "X" and "toplevel" in e.get("cat", "") and "dur" in e:
            tasks.setdefault((e["pid"], e["tid"]), []).append(e)
    rows = []
    for key, evs in tasks.items():
        evs.sort(key=lambda e: e["ts"])
        wall = cpu = 0
        end = -1
        n = 0
        for e in evs:
            if e["ts"] < end:
                continue  # nested in the one before
            end = e["ts"] + e["dur"]
            wall += e["dur"]
            cpu += e.get("tdur", e["dur"])
            n += 1
        rows.append((wall, cpu, n, procs.get(key[0], "?"), names.get(key, "?"), key))
    rows.sort(reverse=True)
    print("trace: top-level tasks per thread over %.1f s (wall = how long they took, cpu = how long "
          "they ran)" % seconds)
    for wall, cpu, n, proc, name, key in rows[:14]:
        print("  %-22s %-28s wall %6.0f ms (%3.0f%%)  cpu %6.0f ms (%3.0f%%)  %5d tasks"
              % (proc[:22], name[:28], wall / 1e3, wall / 1e4 / seconds, cpu / 1e3,
                 cpu / 1e4 / seconds, n))
    # The page's frames: its rAF callbacks (where the wasm frame runs).
    for label in ("FireAnimationFrame", "FunctionCall", "Animation Frame Fired"):
        fr = [e for e in events if e.get("ph") == "X" and e["name"] == label and "dur" in e]
        if fr:
            fr.sort(key=lambda e: e["dur"])
            walls = sorted(e["dur"] / 1e3 for e in fr)
            cpus = sorted(e.get("tdur", e["dur"]) / 1e3 for e in fr)
            print("trace: %d %s: wall median %.1f ms (p90 %.1f), cpu median %.1f ms (p90 %.1f)"
                  % (len(fr), label, walls[len(walls) // 2], walls[len(walls) * 9 // 10],
                     cpus[len(cpus) // 2], cpus[len(cpus) * 9 // 10]))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site")
    ap.add_argument("--view", default="train")
    ap.add_argument("--args", default="", help="more words for the command line, space-separated")
    ap.add_argument("--train", action="store_true", help="click 'train' first")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--live", choices=("threads", "frames"))
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--pause", action="store_true", help="click 'train' again after training a while")
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--save", help="write the trace's events as JSON here (chrome://tracing, Perfetto)")
    ap.add_argument("--desktop", default=os.path.join(test_web.SOURCE, "build", "app", "convstep"))
    a = ap.parse_args(argv[1:])
    w, h = (int(v) for v in a.size.split("x"))
    test_web.DESKTOP = os.path.abspath(a.desktop)
    test_web.WIDTH, test_web.HEIGHT = w, h
    server, base = test_web.serve(a.site)
    test_web.BASE_URL = base
    try:
        with tempfile.TemporaryDirectory(prefix="convstep-profile-") as profile, \
                cdp.Browser(profile) as browser:
            test_web.BROWSER = browser
            page = test_web.PAGE = browser.open_page(w, h)
            url = test_web.page_url(["view", a.view] + a.args.split())
            if a.live:
                url += ("&" if "?" in url else "?") + urlencode([("env", "CONVSTEP_LIVE=" + a.live)])
            start = time.time()
            page.navigate(url)
            page.wait_title(lambda t: t == "convstep ready" or t.startswith("convstep exit"), 180)
            print("ready after %.1f s" % (time.time() - start))
            time.sleep(1.0)
            print("frames before: median %.1f ms, p95 %.1f ms" % test_web.frame_times())
            if a.train:
                os.makedirs(test_web.KEPT, exist_ok=True)
                items = test_web.desktop_layout(a.view)
                bx, by, bw, bh = test_web.rect_of(items, "button", "train")
                for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
                    page.mouse(kind, bx + bw // 2, by + bh // 2)
                time.sleep(3.0)
                if a.pause:
                    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
                        page.mouse(kind, bx + bw // 2, by + bh // 2)
                    time.sleep(1.0)
            pids = chromium_pids(browser.proc.pid)
            kinds = {p: cmdline(p) for p in pids}
            t0, m0 = thread_times(pids), machine_busy()
            if a.trace:
                browser.start_trace()
            wall0 = time.time()
            frames = []
            while time.time() - wall0 < a.seconds:
                frames.append(test_web.frame_times())
            seconds = time.time() - wall0
            events = browser.stop_trace() if a.trace else None
            t1, m1 = thread_times(pids), machine_busy()
            print("frames while measured: " + ", ".join("median %.1f p95 %.1f" % f for f in frames))
            print("machine: %.0f%% of its %d cores busy" % (
                100.0 * (m1[0] - m0[0]) / max(1, m1[1] - m0[1]), os.cpu_count()))
            rows = []
            for key, (pname, tname, cpu) in t1.items():
                if key in t0:
                    rows.append((cpu - t0[key][2], kinds.get(key[0], "?"), tname, key))
            rows.sort(reverse=True)
            print("CPU per thread over %.1f s (%% of one core):" % seconds)
            for cpu, kind, tname, key in rows[:12]:
                if cpu > 0:
                    print("  %-10s %-24s %5.0f%%" % (kind, tname, 100 * cpu / seconds))
            if events is not None:
                trace_summary(events, seconds)
                if a.save:
                    with open(a.save, "w") as f:
                        json.dump({"traceEvents": events}, f)
            errs = [t for kind, t, _ in browser.console if kind in ("error", "warning")]
            if errs:
                print("console errors/warnings:\n  " + "\n  ".join(errs[:10]))
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main(sys.argv)
