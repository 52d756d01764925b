#!/usr/bin/env python3
"""convstep's speed (and, with --accuracy, its accuracy) beside PyTorch's,
measured one after the other in the same run on the same digits.

    scripts/bench.py [--bench-exe build/tests/bench_speed] [--convstep build/app/convstep]
                     [--peak-exe build/tests/fma_peak] [--kernels avx2,scalar]
                     [--blocks 7] [--steps 100] [--no-torch] [--accuracy] [--seeds 5]

convstep's figures come from tests/bench/bench_speed.c, PyTorch's from
tests/bench/torch_reference.py: the same models, the same digits (assets/),
the same recipe (`convstep train --plain`: SGD lr 0.05, momentum 0.9, batch
32), timed the same way. It runs with Debian's /usr/bin/python3 when that can
import torch (apt-get install python3-torch python3-numpy). --reference FILE
runs another PyTorch script instead that prints the table torch_lenet.py
prints (a cross-check against an independent reference). The machine is noisy:
every figure is min / median / max over blocks, and ratios use medians.
tests/bench/fma_peak.c measures one core's fp32 FMA peak with register-only
loops; LeNet-5's GFLOP/s (flops per sample counted from its layers) is printed
as a fraction of it, and a LeNet-5 training step is broken down per layer and
per kind of work (GEMM, im2col, col2im, pooling, update). --kernels times training again with other GEMM kernels
forced (as CONVSTEP_KERNEL does for the program).
"""
import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUR_REFERENCE = os.path.join(ROOT, "tests", "bench", "torch_reference.py")
TORCH_PYTHON = "/usr/bin/python3"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def torch_available(reference):
    if not (os.path.exists(reference) and os.path.exists(TORCH_PYTHON)):
        return False
    return subprocess.run([TORCH_PYTHON, "-c", "import torch, numpy"],
                          capture_output=True).returncode == 0


def run_our_torch(extra):
    """tests/bench/torch_reference.py's JSON, with the model names bench.py's
    table uses ({model: {figure: [three numbers]}}), and its first line."""
    doc = json.loads(run([TORCH_PYTHON, OUR_REFERENCE] + extra))
    models = {"lenet" if k == "lenet5" else k: v for k, v in doc["models"].items()}
    return "torch %s, SGD lr %g momentum %g batch %d (tests/bench/torch_reference.py)" % (
        doc["torch"], doc["recipe"]["lr"], doc["recipe"]["momentum"], doc["recipe"]["batch"]), models


def run_table_torch(reference, extra):
    """Runs a torch_lenet.py-style script from a temporary folder holding it and the digits."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(reference, tmp)
        os.makedirs(os.path.join(tmp, "data"))
        for name in ("mnist10k-images-idx3-ubyte", "mnist10k-labels-idx1-ubyte"):
            with gzip.open(os.path.join(ROOT, "assets", name + ".gz")) as src, \
                    open(os.path.join(tmp, "data", name), "wb") as dst:
                shutil.copyfileobj(src, dst)
        return run([TORCH_PYTHON, os.path.join(tmp, os.path.basename(reference))] + extra)


def parse_torch(text):
    """{model: {figure: [min, median, max]}} from torch_lenet.py's table."""
    out, model = {}, None
    for line in text.splitlines():
        m = re.match(r"== (\w+) ==", line)
        if m:
            model = m.group(1)
            out[model] = {}
            continue
        if model is None:
            continue
        m = re.match(r"(train samples/s), (\d) thread", line)
        if m:
            nums = [float(x) for x in re.findall(r"[\d.]+", line.split("thread(s)")[1])]
            out[model]["train_%st" % m.group(2)] = nums[:3]
        m = re.match(r"infer latency us \(b=1\), (\d) thread", line)
        if m and m.group(1) == "1":
            p = re.findall(r"(p10|median|p90) ([\d.]+)", line)
            out[model]["infer_us"] = [float(v) for _, v in p]
        m = re.match(r"test acc % after (\d+) epoch", line)
        if m:
            nums = [float(x) for x in re.findall(r"[\d.]+", line.split("epoch(s)")[1])]
            out[model]["acc_%s" % m.group(1)] = nums[:3]
    return out


def fmt(v, unit=""):
    if v is None:
        return "-"
    text = " / ".join(("{:,.0f}" if x >= 100 else "{:.1f}").format(x) for x in v)
    return text + ((" " + unit) if unit else "")


def row(name, ours, theirs, higher_is_better=True, unit=""):
    ratio = "-"
    if ours and theirs:
        r = ours[1] / theirs[1] if higher_is_better else theirs[1] / ours[1]
        ratio = "%.2fx" % r
    print("%-42s %-28s %-28s %s" % (name, fmt(ours, unit), fmt(theirs, unit), ratio))


def print_peak(peak_exe, ours):
    """One core's register-only fp32 FMA peak (tests/bench/fma_peak.c) and the share
    of it LeNet-5 training reaches: median samples/s x flops per sample (counted
    from the layers by bench_speed), against the peak of the kernel that ran."""
    if not os.path.exists(peak_exe):
        print("\n(no %s: build it to see the fraction of the FMA peak)" % peak_exe)
        return
    peak = json.loads(run([peak_exe]))
    print()
    print("fp32 FMA peak of one core (register-only loop, best of 5): AVX-512 %s, AVX2 %s GFLOP/s"
          % tuple("-" if peak[k] is None else "%.0f" % peak[k] for k in ("avx512", "avx2")))
    lenet = ours.get("lenet5", {})
    flops = lenet.get("train_flops_per_sample")
    kernel_peak = peak.get(ours["gemm_kernel"])
    if not flops or not kernel_peak:
        return
    print("LeNet-5 training: %.2f MFLOP per sample (conv and dense multiply-adds)" % (flops / 1e6))
    for threads, cores in (("1t", 1), ("2t", 2)):
        rate = lenet.get("train_samples_per_sec_%s" % threads)
        if rate:
            gflops = rate[1] * flops / 1e9
            print("  %s: %.1f GFLOP/s = %.0f%% of the %s peak of %d core%s" % (
                threads, gflops, 100 * gflops / (cores * kernel_peak), ours["gemm_kernel"], cores,
                "" if cores == 1 else "s"))


def print_profile(ours):
    """Where one LeNet-5 training step goes (1 thread, batch 32), from the net's
    profile (nn/profile.h): per layer forward and backward, then by kind of work.
    Microseconds per step, each the median over blocks."""
    prof = ours.get("lenet5", {}).get("profile")
    if not prof:
        return
    step = prof["step_us"]
    share = lambda us: "%7.0f us %5.1f%%" % (us, 100 * us / step)
    print()
    print("LeNet-5 training step, 1 thread, batch 32: %.0f us (medians over blocks)" % step)
    print("  %-22s %-18s %-18s" % ("layer", "forward", "backward"))
    for layer in prof["layers"]:
        print("  %-22s %-18s %-18s" % (layer["layer"], share(layer["forward_us"]),
                                       share(layer["backward_us"])))
    print("  %-22s %-18s %-18s" % ("loss (softmax + CE)", "", share(prof["loss_us"])))
    print("  by kind of work: GEMM %s, im2col %s, col2im %s," % (
        share(prof["gemm_us"]).strip(), share(prof["im2col_us"]).strip(),
        share(prof["col2im_us"]).strip()))
    pool = sum(l["forward_us"] + l["backward_us"] for l in prof["layers"]
               if l["layer"].startswith(("maxpool", "avgpool")))
    act = sum(l["forward_us"] + l["backward_us"] for l in prof["layers"]
              if l["layer"] in ("relu", "sigmoid", "tanh"))
    print("    pooling %s, activations %s," % (share(pool).strip(), share(act).strip()))
    print("    batch loading, zeroing and SGD update (rest of the step) %s" % share(prof["rest_us"]).strip())


def accuracy_runs(convstep, arch, seeds, epochs, recipe):
    """Test accuracy (%) after each epoch over seeds, from convstep train --json
    (recipe: [] for the defaults, ["--plain"] for the reference's)."""
    per_epoch = {}
    for seed in range(seeds):
        d = json.loads(run([convstep, "train", "--arch", arch, "--epochs", str(epochs),
                            "--seed", str(seed), "--json"] + recipe))
        for e in d["epochs"]:
            per_epoch.setdefault(e["epoch"], []).append(100 * e["test_accuracy"])
    return {e: sorted(v) for e, v in per_epoch.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench-exe", default=os.path.join(ROOT, "build", "tests", "bench_speed"))
    ap.add_argument("--convstep", default=os.path.join(ROOT, "build", "app", "convstep"))
    ap.add_argument("--blocks", type=int, default=7, help="timed blocks per figure (bench_speed)")
    ap.add_argument("--steps", type=int, default=100, help="training steps per block")
    ap.add_argument("--no-torch", action="store_true", help="leave the PyTorch reference out")
    ap.add_argument("--peak-exe", default=os.path.join(ROOT, "build", "tests", "fma_peak"))
    ap.add_argument("--kernels", default="",
                    help="also time LeNet-5 training with these kernels forced, e.g. avx2,scalar")
    ap.add_argument("--accuracy", action="store_true", help="also compare test accuracy (minutes)")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--reference", default=None,
                    help="another PyTorch script printing torch_lenet.py's table, run instead of "
                         "tests/bench/torch_reference.py")
    a = ap.parse_args()

    timing = ["--blocks", str(a.blocks), "--steps", str(a.steps)]
    ours = json.loads(run([a.bench_exe] + timing))
    theirs = {}
    have_torch = not a.no_torch and torch_available(a.reference or OUR_REFERENCE)
    if have_torch:
        epochs = ["--seeds", str(a.seeds if a.accuracy else 0), "--epochs", "10" if a.accuracy else "0"]
        if a.reference:
            text = run_table_torch(a.reference, ["--models", "lenet,softmax"] + epochs[:2] +
                                   ["--epochs", "10" if a.accuracy else "1"])
            print(text.splitlines()[0])
            theirs = parse_torch(text)
        else:
            first, theirs = run_our_torch(["--models", "lenet5,softmax"] + timing + epochs)
            print(first)
    print("convstep GEMM kernel: %s; PyTorch: %s" % (
        ours["gemm_kernel"], "as above" if have_torch else "left out (--no-torch)" if a.no_torch
        else "not installed (apt-get install python3-torch)"))
    print()
    print("%-42s %-28s %-28s %s" % ("figure (min / median / max)", "convstep", "PyTorch", "ratio"))
    for ours_name, torch_name, label in (("lenet5", "lenet", "LeNet-5"), ("softmax", "softmax", "softmax 784-10")):
        o, t = ours.get(ours_name, {}), theirs.get(torch_name, {})
        row(label + " train samples/s, 1 thread", o.get("train_samples_per_sec_1t"), t.get("train_1t"))
        row(label + " train samples/s, 2 threads", o.get("train_samples_per_sec_2t"), t.get("train_2t"))
        row(label + " inference us (p10/med/p90)", o.get("infer_us"), t.get("infer_us"), False)
    print_peak(a.peak_exe, ours)
    print_profile(ours)
    for kernel in [k for k in a.kernels.split(",") if k]:
        forced = json.loads(run([a.bench_exe, "--models", "lenet5", "--kernel", kernel,
                                 "--profile", "no"] + timing))
        o, t = forced.get("lenet5", {}), theirs.get("lenet", {})
        row("LeNet-5 train samples/s, 1t, %s forced" % kernel, o.get("train_samples_per_sec_1t"),
            t.get("train_1t"))
        row("LeNet-5 train samples/s, 2t, %s forced" % kernel, o.get("train_samples_per_sec_2t"),
            t.get("train_2t"))
    if a.accuracy:
        print()
        # The same recipe on both sides (--plain), then convstep's defaults beside
        # the same PyTorch figures (what the defaults gain over the reference).
        for recipe, what in (["--plain"], "--plain"), ([], "defaults"):
            for arch, torch_name in (("lenet5", "lenet"), ("softmax", "softmax")):
                acc = accuracy_runs(a.convstep, arch, a.seeds, 10, recipe)
                for e in (1, 3, 10):
                    v = acc[e]
                    ours_acc = [v[0], statistics.median(v), v[-1]]
                    row("%s %s test acc %% after %d ep" % (arch, what, e), ours_acc,
                        theirs.get(torch_name, {}).get("acc_%d" % e))


if __name__ == "__main__":
    main()
