#!/usr/bin/env python3
"""convstep on the CPUs students have, not only on this machine's: the
program run under QEMU's user-mode emulation of an older processor.

    python3 tests/test_cpu_kinds.py /path/to/convstep

Prints TAP and exits non-zero if any case failed. Standard library only.

This machine has AVX-512, so every native run picks the AVX-512 kernels;
CONVSTEP_KERNEL=avx2|scalar forces the other paths but still on a CPU that
has every feature. Under `qemu-x86_64 -cpu Haswell` (AVX2 and FMA, no
AVX-512: a typical laptop) and `-cpu Nehalem` (SSE4.2 only: no AVX, no FMA,
so the scalar code's plain copy, with fmaf from libm) the program must:
  - pick the best kernel that CPU has by itself (avx2, scalar);
  - refuse CONVSTEP_KERNEL naming a kernel the CPU lacks, with one line
    that names the variable, the kernel and the choices there, exit 1;
  - compute what the same kernel computes natively, bit for bit: a LeNet-5
    trained for one epoch on 320 digits (the saved model files compared
    byte for byte) and the probabilities of classify on three digits.
No instruction the emulated CPU lacks may be reached either: QEMU stops
such a program with SIGILL, which fails the case.
Skipped when qemu-x86_64 is missing (scripts/deps.sh installs qemu-user),
on a machine that is not x86-64, and under sanitizers (their shadow memory
does not map under QEMU).
"""

import os
import platform
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
import embedded_digits  # noqa: E402  (assets/mnist10k-*.gz, read independently)
from tap import Fail, Skip, expect  # noqa: E402

CONVSTEP = None
WORKDIR = None
TIMEOUT = 600  # seconds per run: emulation is 10-50 times slower than the CPU
QEMU = shutil.which("qemu-x86_64")
# The emulated CPU, the kernel convstep must pick on it, the kernels it cannot run.
CPUS = (("Haswell", "avx2", ("avx512",)), ("Nehalem", "scalar", ("avx512", "avx2")))
N_TRAIN, N_TEST = 320, 64


def usable():
    if platform.machine() not in ("x86_64", "AMD64"):
        raise Skip("not an x86-64 machine")
    if QEMU is None:
        raise Skip("qemu-x86_64 is not installed (scripts/deps.sh installs qemu-user)")
    with open(CONVSTEP, "rb") as f:
        body = f.read()
    if b"__asan_init" in body or b"__tsan_init" in body or b"__ubsan_handle" in body:
        raise Skip("a sanitizer build: its shadow memory does not map under QEMU")


def run(args, cpu=None, kernel=None):
    """Runs convstep natively (cpu None) or under QEMU's model of `cpu`, with
    CONVSTEP_KERNEL=kernel if given; returns (status, stdout, stderr)."""
    env = dict(os.environ)
    env.pop("CONVSTEP_KERNEL", None)
    if kernel:
        env["CONVSTEP_KERNEL"] = kernel
    cmd = ([QEMU, "-cpu", cpu] if cpu else []) + [CONVSTEP] + list(args)
    code, out, err = tap.run_program(cmd, WORKDIR, TIMEOUT, env=env)
    if code < 0 or code == 128 + 4:
        raise Fail("stopped by a signal (%d): an instruction this CPU lacks?" % code)
    # QEMU warns about CPU features its emulator leaves out (pcid, x2apic...): not convstep's words.
    err = "\n".join(line for line in err.splitlines() if not line.startswith("qemu-x86_64: warning:"))
    return code, out, err


def native_has(kernel):
    code, out, _ = run(["--version"], kernel=kernel)
    return code == 0 and ("gemm kernel: %s" % kernel) in out


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def the_best_kernel_the_cpu_has():
    """Each emulated CPU gets the best kernel it has, unasked."""
    usable()
    for cpu, best, _ in CPUS:
        code, out, err = run(["--version"], cpu=cpu)
        expect(code == 0, "%s: --version exit %d: %s" % (cpu, code, err[-300:]))
        expect(("gemm kernel: %s\n" % best) in out, "%s: expected 'gemm kernel: %s', got %r" % (cpu, best, out))


@check
def a_forced_kernel_the_cpu_lacks_is_refused():
    """CONVSTEP_KERNEL naming a kernel the CPU lacks: one clear line, exit 1."""
    usable()
    for cpu, best, lacks in CPUS:
        here = "avx2, scalar" if best == "avx2" else "scalar"
        for k in lacks:
            code, out, err = run(["--version"], cpu=cpu, kernel=k)
            expect(code == 1, "%s, CONVSTEP_KERNEL=%s: exit %d, expected 1" % (cpu, k, code))
            expect(out == "", "%s, CONVSTEP_KERNEL=%s: printed %r" % (cpu, k, out[:200]))
            lines = err.strip().splitlines()
            expect(len(lines) == 1, "%s, CONVSTEP_KERNEL=%s: expected one line, got %r" % (cpu, k, err))
            line = lines[0]
            for part in ("CONVSTEP_KERNEL='%s'" % k, "cannot run the %s kernel" % k, "choices here: %s;" % here):
                expect(part in line, "%s: %r lacks %r" % (cpu, line, part))
        # and the one it has is taken
        code, out, err = run(["--version"], cpu=cpu, kernel=best)
        expect(code == 0 and ("gemm kernel: %s\n" % best) in out,
               "%s, CONVSTEP_KERNEL=%s: exit %d, %r" % (cpu, best, code, out + err))


def write_small_set():
    """320 training and 64 test digits of the embedded ones, as MNIST's IDX files."""
    d = os.path.join(WORKDIR, "small")
    if os.path.isdir(d):
        return d
    images, labels, _, _ = embedded_digits.read()
    os.makedirs(d)
    parts = {"train": (0, N_TRAIN), "t10k": (8000, N_TEST)}
    for name, (first, n) in parts.items():
        tap.write_bytes(os.path.join(d, name + "-images-idx3-ubyte"),
                        struct.pack(">IIII", 0x803, n, 28, 28) + images[first * 784:(first + n) * 784])
        tap.write_bytes(os.path.join(d, name + "-labels-idx1-ubyte"),
                        struct.pack(">II", 0x801, n) + labels[first:first + n])
    return d


def train(cpu, kernel, tag):
    path = os.path.join(WORKDIR, "lenet5-%s.model" % tag)
    code, out, err = run(["train", "--data", write_small_set(), "--epochs", "1", "--seed", "3",
                          "--threads", "1", "--save", path, "--json"], cpu=cpu, kernel=kernel)
    expect(code == 0, "train (%s): exit %d: %s" % (tag, code, err[-400:]))
    return tap.read_bytes(path)


@check
def training_equals_the_same_kernel_run_natively():
    """A LeNet-5 trained on the emulated CPU is the native run's of the same kernel, byte for byte."""
    usable()
    models = {}
    for cpu, best, _ in CPUS:
        if not native_has(best):
            raise Skip("this machine cannot run the %s kernel natively" % best)
        models[best] = native = train(None, best, "native-" + best)
        emulated = train(cpu, None, cpu)
        expect(len(native) > 200000, "the saved model is only %d bytes" % len(native))
        if emulated != native:
            first = next(i for i in range(min(len(native), len(emulated))) if native[i] != emulated[i]) \
                if len(native) == len(emulated) else -1
            raise Fail("%s's model differs from the native %s kernel's (first byte %d)" % (cpu, best, first))
    # Not a requirement, a sign the comparison can tell kernels apart: the
    # AVX2 and scalar kernels add in other orders.
    print("# the avx2 and scalar models %s" % ("differ" if models["avx2"] != models["scalar"] else "are equal"))


def write_pgm(path, record):
    images, _, _, _ = embedded_digits.read()
    tap.write_bytes(path, b"P5\n28 28\n255\n" + images[record * 784:(record + 1) * 784])


@check
def classify_equals_the_same_kernel_run_natively():
    """classify on the emulated CPU prints the native run's of the same kernel."""
    usable()
    files = []
    for record in (8000, 8001, 9999):
        files.append(os.path.join(WORKDIR, "digit%d.pgm" % record))
        write_pgm(files[-1], record)
    for cpu, best, _ in CPUS:
        if not native_has(best):
            raise Skip("this machine cannot run the %s kernel natively" % best)
        code, native, err = run(["classify", "--json"] + files, kernel=best)
        expect(code == 0, "native classify: exit %d: %s" % (code, err[-300:]))
        code, emulated, err = run(["classify", "--json"] + files, cpu=cpu)
        expect(code == 0, "%s classify: exit %d: %s" % (cpu, code, err[-300:]))
        expect(emulated == native, "%s: classify printed\n%s\nnatively (%s):\n%s" % (cpu, emulated, best, native))


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-cpus-", start))
