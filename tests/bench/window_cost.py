#!/usr/bin/env python3
"""What live training in the window costs: the training view's worker with
frames drawn at 60 Hz (headless, the same drawing code) against the bare
engine (`convstep train`), same model, batch and one thread.

    python3 tests/bench/window_cost.py build/app/convstep [--model lenet5] [--frames 600] [--runs 3]

Prints, medians over the runs:
  bare           `convstep train --epochs 1 --json`: train_samples_per_sec
                 (the step time only, the epoch's test evaluation excluded)
  window, steps  the rate of the steps made while frames are drawn (the
                 step time only, as bare; over the whole run where the
                 program prints it, else the dashboard's rate of the last
                 steps): what the window's frames and locks take from each
                 step
  window, wall   steps x batch over the wall time of the frames: also counts
                 the dashboard's scheduled test evaluations (dense in the
                 first 1,000 steps, see live.h), the pauses between steps
                 and any wait for the snapshot lock
and the ratios to bare. The goal (issue 16): >= 0.95 for the steps ratio.
On a machine that is busy with other work the ratios mean little: the load
average is printed beside them.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

BATCH = 32  # the window trains with convstep train's default batch, one thread


def bare(exe, arch):
    out = subprocess.run([exe, "train", "--arch", arch, "--epochs", "1", "--threads", "1", "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["train_samples_per_sec"]


def window(exe, model, frames):
    out = subprocess.run([exe, "view", "train", "--model", model, "--headless", "--bench-frames", str(frames)],
                         check=True, capture_output=True, text=True).stdout
    rate = re.search(r"^training meanwhile: (\d+) samples/s$", out, re.M)
    steps = re.search(r"^training steps: (\d+) in ([\d.]+) s$", out, re.M)
    frame = re.search(r"median ([\d.]+) ms", out)
    if not (rate and steps and frame):
        sys.exit("window_cost: unexpected output of the view:\n" + out)
    # The rate over all the run's steps where the program prints it (the
    # dashboard's rate above is of its last few dozen steps only).
    run_rate = re.search(r"^training step rate: (\d+) samples/s", out, re.M)
    if run_rate:
        rate = run_rate
    return float(rate.group(1)), int(steps.group(1)) * BATCH / float(steps.group(2)), float(frame.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("exe")
    ap.add_argument("--model", default="lenet5", choices=("softmax", "small", "lenet5"))
    ap.add_argument("--frames", type=int, default=600)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    # The architecture the view trains for --model, as the program spells it.
    arch = {"softmax": "softmax", "lenet5": "lenet5"}.get(a.model)
    if arch is None:
        out = subprocess.run([a.exe, "view", "train", "--model", a.model, "--headless", "--train-steps", "1"],
                             check=True, capture_output=True, text=True).stdout
        arch = re.search(r"^trained \d+ steps of (.*): test accuracy", out, re.M).group(1)
    bares, steps, walls, frames = [], [], [], []
    for _ in range(a.runs):  # interleaved, so a change of load hits both
        bares.append(bare(a.exe, arch))
        s, w, f = window(a.exe, a.model, a.frames)
        steps.append(s)
        walls.append(w)
        frames.append(f)
    b, s, w = statistics.median(bares), statistics.median(steps), statistics.median(walls)
    print("window_cost: %s, batch %d, 1 thread, %d frames at 60 Hz, %d runs, load average %.2f on %d cores"
          % (a.model, BATCH, a.frames, a.runs, os.getloadavg()[0], os.cpu_count()))
    print("  bare train          %8.0f samples/s" % b)
    print("  window, steps       %8.0f samples/s   ratio %.3f  (goal >= 0.95)" % (s, s / b))
    print("  window, wall        %8.0f samples/s   ratio %.3f  (with the scheduled evaluations)" % (w, w / b))
    print("  frame               %8.2f ms median" % statistics.median(frames))


if __name__ == "__main__":
    main()
