#!/usr/bin/env python3
"""What live training in the window costs: the training view's worker with
frames drawn at 60 Hz (headless, the same drawing code) against the bare
engine (`convstep train`), same model, batch and one thread.

    python3 tests/bench/window_cost.py build/app/convstep [--model lenet5] [--frames N] [--runs 3]

Prints, medians over the runs (each run: bare, then the window):
  bare, steps    `convstep train --epochs 1 --json`: train_samples_per_sec
                 (the step time only, the epoch's test evaluation excluded)
  bare, wall     the samples of 2 more epochs over the extra wall time of
                 `--epochs 3` against `--epochs 1`: the steps with bare's own
                 end-of-epoch evaluations (start-up cancels out)
  window, steps  the rate of the steps made while frames are drawn (the
                 step time only, as bare; over the whole run): what the
                 window's frames and locks take from each step
  window, wall   steps x batch over the wall time of the frames: what a
                 student watching sees. It also counts the dashboard's test
                 evaluations (dense in the first 1,000 steps, see live.h;
                 they run beside the worker, on a thread of their own, unless
                 the trainer outruns them), the drawing when cores are short,
                 and any wait for the snapshot lock
and the ratios to bare, and window wall over window steps (the share of the
worker's wall time in steps: readable under load). The goal (issue 16): window wall >= 0.95 of bare
wall (the same kind of figure: samples over the time they took, evaluations
included); the wall over bare's step rate is printed too.

The window trains the view's 3 epochs (750 steps for the embedded digits)
and then stops: frames drawn after that would count as training time, so by
default the run draws the frames of about half that training at bare's
rate (the first, densest part of the schedule), and a run whose training
finished within its frames is flagged. On a machine busy with other work
the ratios mean little: the load average is printed beside them.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

BATCH = 32  # the window trains with convstep train's default batch, one thread
VIEW_EPOCHS = 3  # the training view's epochs (app/runtime.c)


def train_run(exe, arch, epochs):
    t0 = time.monotonic()
    out = subprocess.run([exe, "train", "--arch", arch, "--epochs", str(epochs), "--threads", "1", "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out), time.monotonic() - t0


def bare(exe, arch):
    """(step rate, wall rate with the evaluations, training samples per epoch)."""
    one, wall1 = train_run(exe, arch, 1)
    three, wall3 = train_run(exe, arch, 3)
    per_epoch = round(one["train_seconds"] * one["train_samples_per_sec"])
    return one["train_samples_per_sec"], 2 * per_epoch / max(wall3 - wall1, 1e-9), per_epoch


def window(exe, model, frames):
    out = subprocess.run([exe, "view", "train", "--model", model, "--headless", "--bench-frames", str(frames)],
                         check=True, capture_output=True, text=True).stdout
    steps = re.search(r"^training steps: (\d+) in ([\d.]+) s$", out, re.M)
    rate = re.search(r"^training step rate: (\d+) samples/s", out, re.M)
    frame = re.search(r"median ([\d.]+) ms", out)
    if not (rate and steps and frame):
        sys.exit("window_cost: unexpected output of the view:\n" + out)
    n = int(steps.group(1))
    return float(rate.group(1)), n * BATCH / float(steps.group(2)), float(frame.group(1)), n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("exe")
    ap.add_argument("--model", default="lenet5", choices=("softmax", "small", "lenet5"))
    ap.add_argument("--frames", type=int, default=0, help="frames a run draws (default: see above)")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    # The architecture the view trains for --model, as the program spells it.
    arch = {"softmax": "softmax", "lenet5": "lenet5"}.get(a.model)
    if arch is None:
        out = subprocess.run([a.exe, "view", "train", "--model", a.model, "--headless", "--train-steps", "1"],
                             check=True, capture_output=True, text=True).stdout
        arch = re.search(r"^trained \d+ steps of (.*): test accuracy", out, re.M).group(1)
    rows = {k: [] for k in ("bare", "bare_wall", "steps", "wall", "frame", "n", "frames")}
    finished = 0
    for _ in range(a.runs):  # interleaved, so a change of load hits both
        b, bw, per_epoch = bare(a.exe, arch)
        all_steps = VIEW_EPOCHS * ((per_epoch + BATCH - 1) // BATCH)
        frames = a.frames or max(30, int(0.5 * VIEW_EPOCHS * per_epoch / b * 60))
        s, w, f, n = window(a.exe, a.model, frames)
        finished += n >= all_steps
        for k, v in zip(rows, (b, bw, s, w, f, n, frames)):
            rows[k].append(v)
    m = {k: statistics.median(v) for k, v in rows.items()}
    print("window_cost: %s, batch %d, 1 thread, %d frames at 60 Hz (median), %d runs, load average %.2f on %d cores"
          % (a.model, BATCH, m["frames"], a.runs, os.getloadavg()[0], os.cpu_count()))
    print("  bare, steps         %8.0f samples/s" % m["bare"])
    print("  bare, wall          %8.0f samples/s   (with its end-of-epoch evaluations)" % m["bare_wall"])
    print("  window, steps       %8.0f samples/s   ratio %.3f to bare steps" % (m["steps"], m["steps"] / m["bare"]))
    print("  window, wall        %8.0f samples/s   ratio %.3f to bare wall (goal >= 0.95), %.3f to bare steps"
          % (m["wall"], m["wall"] / m["bare_wall"], m["wall"] / m["bare"]))
    # Within the same runs: how much of the worker's wall time went to steps.
    # Load from other work slows both alike, so this one stays readable on a
    # busy machine; what it misses is the steps' own slowdown (the line above).
    print("  window wall/steps       %.3f   (the worker's time in steps, not waiting for evaluations)"
          % statistics.median(w / s for w, s in zip(rows["wall"], rows["steps"])))
    print("  frame               %8.2f ms median, %d steps a run (median)" % (m["frame"], m["n"]))
    if finished:
        print("  note: in %d of %d runs the training finished within the frames (the idle frames count as "
              "training time): give fewer --frames" % (finished, a.runs))


if __name__ == "__main__":
    main()
