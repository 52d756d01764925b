#!/usr/bin/python3
"""The PyTorch side of scripts/bench.py: the same models, digits and recipe as
tests/bench/bench_speed.c and `convstep train --plain`, timed the same way, one
JSON object on stdout.

Runs with Debian's python3 and its packages (apt-get install python3-torch
python3-numpy). The digits are the repository's own (assets/mnist10k-*.gz:
records 0..7999 train, 8000..9999 test).

    tests/bench/torch_reference.py [--models lenet5,softmax] [--blocks 7] [--steps 100]
                                   [--seeds 1] [--epochs 1]

Figures, per model:
  train_1t, train_2t  training samples/s with 1 and 2 intra-op threads: 30 steps
                      to warm up, then `blocks` timed blocks of `steps` batches
                      ([min, median, max] over the blocks)
  infer_us            one digit, torch.no_grad, 1 thread: [p10, median, p90] of
                      2000 calls, in microseconds
  acc_E               test accuracy (%) after epoch E (1, 3, 10 when reached),
                      [min, median, max] over seeds 0..seeds-1
"""
import argparse
import gzip
import json
import os
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# `convstep train --plain`: the recipe both sides run.
LR, MOMENTUM, BATCH, N_TRAIN = 0.05, 0.9, 32, 8000


def read_idx(name, header):
    """The array an IDX file holds after its header of `header` bytes."""
    with gzip.open(os.path.join(ROOT, "assets", name + ".gz")) as f:
        data = f.read()
    return np.frombuffer(data[header:], dtype=np.uint8)


def digits():
    images = read_idx("mnist10k-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28)
    labels = read_idx("mnist10k-labels-idx1-ubyte", 8)
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


def lenet5():
    # convstep's preset: conv(6,5,pad=2),relu,maxpool(2),conv(16,5),relu,maxpool(2),
    # flatten,dense(120),relu,dense(84),relu,dense(10),softmax (in the loss here).
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def softmax():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


MODELS = {"lenet5": lenet5, "softmax": softmax}


def build(name, seed):
    torch.manual_seed(seed)
    model = MODELS[name]()
    return model, torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)


def train_step(model, opt, xb, yb):
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
    return loss


class Batches:
    """Shuffled batches of the training digits, a new order each pass."""

    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)
        self.order, self.pos = torch.randperm(N_TRAIN, generator=self.gen), 0

    def next(self):
        if self.pos + BATCH > N_TRAIN:
            self.order, self.pos = torch.randperm(N_TRAIN, generator=self.gen), 0
        idx = self.order[self.pos:self.pos + BATCH]
        self.pos += BATCH
        return idx


def spread(values):
    v = sorted(values)
    return [v[0], statistics.median(v), v[-1]]


def train_rate(name, x, y, threads, blocks, steps):
    torch.set_num_threads(threads)
    model, opt = build(name, 0)
    batches = Batches(1)

    def run(n):
        for _ in range(n):
            idx = batches.next()
            train_step(model, opt, x[idx], y[idx])

    run(30)  # the allocator and oneDNN's kernels settle first
    rates = []
    for _ in range(blocks):
        start = time.perf_counter()
        run(steps)
        rates.append(steps * BATCH / (time.perf_counter() - start))
    return spread(rates)


def infer_us(name, x):
    torch.set_num_threads(1)
    model, _ = build(name, 0)
    model.eval()
    times = []
    with torch.no_grad():
        for i in range(200):
            model(x[i:i + 1])
        for i in range(2000):
            one = x[i:i + 1]
            start = time.perf_counter()
            model(one)
            times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return [times[len(times) // 10], statistics.median(times), times[9 * len(times) // 10]]


def accuracy_after(name, xtr, ytr, xte, yte, seed, epochs):
    """{epoch: test accuracy %} for epochs 1, 3 and 10 (those reached)."""
    torch.set_num_threads(1)
    model, opt = build(name, seed)
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(N_TRAIN, generator=gen)
        for start in range(0, N_TRAIN, BATCH):
            idx = order[start:start + BATCH]
            train_step(model, opt, xtr[idx], ytr[idx])
        if epoch in (1, 3, 10):
            model.eval()
            with torch.no_grad():
                out[epoch] = 100.0 * (model(xte).argmax(1) == yte).float().mean().item()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="lenet5,softmax")
    ap.add_argument("--blocks", type=int, default=7)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=1)
    a = ap.parse_args()
    xtr, ytr, xte, yte = digits()
    result = {"torch": torch.__version__, "recipe": {"lr": LR, "momentum": MOMENTUM, "batch": BATCH},
              "models": {}}
    for name in a.models.split(","):
        figures = {"train_1t": train_rate(name, xtr, ytr, 1, a.blocks, a.steps),
                   "train_2t": train_rate(name, xtr, ytr, 2, a.blocks, a.steps),
                   "infer_us": infer_us(name, xte)}
        if a.seeds > 0 and a.epochs > 0:
            runs = [accuracy_after(name, xtr, ytr, xte, yte, s, a.epochs) for s in range(a.seeds)]
            for epoch in sorted(runs[0]):
                figures["acc_%d" % epoch] = spread([r[epoch] for r in runs])
        result["models"][name] = figures
    print(json.dumps(result))


if __name__ == "__main__":
    main()
