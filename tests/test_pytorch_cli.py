#!/usr/bin/env python3
"""`--pytorch FILE` of `convstep conv`, `pool` and `convt`, run as a user would.

    python3 tests/test_pytorch_cli.py /path/to/convstep

Prints TAP (one case per check below) and exits non-zero if any failed.

For every configuration the script is written, is valid Python (compile()),
and holds the numbers it was given. Where a python3 with torch is found
(/usr/bin/python3, Debian's python3-torch; or $CONVSTEP_TORCH_PYTHON) the
script is run: torch computes the operation on its own, the script must say
"matches convstep", and the maps it prints must equal the output of
convstep's --json within 1e-5 of the map's scale. Where torch does not import,
the running cases say "# SKIP torch not importable: ...".
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import Fail, Skip, expect, run_program  # noqa: E402
from torch_python import torch_python  # noqa: E402  (tests/tools/torch_python.py)

CONVSTEP = None
WORKDIR = None
TIMEOUT = 30
TORCH_TIMEOUT = 180  # importing torch takes a few seconds; the machine may be busy

# ---- The configurations ---------------------------------------------------------------

CLASSIC = "3 3 2 1 0; 0 0 1 3 1; 3 1 2 2 3; 2 0 0 2 2; 2 0 0 0 1"
SIX = ("1 2 3 4 5 6; 6 5 4 3 2 1; 0.5 -1 2 0 1 3; 1 1 1 1 1 1; 2 -2 0.25 3 1 0; "
       "-3 0 1 0.125 2 7")
TWO_CH = ("1 2 3 4 5; 6 7 8 9 1; 2 3 4 5 6; 7 8 9 1 2; 3 4 5 6 7 | "
          "0.5 -1 2 0 1; 1 1 1 1 1; 2 -2 0.25 3 1; 0 1 0 1 0; 1 0.1 0.2 0.3 0.4")

CONV = [
    ("valid", ["--input", CLASSIC, "--kernel", "0 1 2; 2 2 0; 0 1 2"]),
    # an even kernel: 'same' needs 1 zero row/col in all, which goes at the bottom/right
    ("same, 2x2 kernel", ["--input", SIX, "--kernel", "1 -1; 0.5 2", "--padding", "same"]),
    ("stride 2, padding 1", ["--input", SIX, "--kernel", "1 0 -1; 2 0 -2; 1 0 -1",
                             "--stride", "2", "--padding", "1"]),
    ("dilation 2", ["--input", SIX, "--kernel", "1 2; 3 -4", "--dilation", "2"]),
    ("2 channels x 2 filters, biases, same, stride 2",
     ["--input", TWO_CH, "--kernel", "1 0; 0 -1 | 0.5 0.5; 1 2",
      "--kernel", "2 1; 0 1 | -1 0; 0.3 1", "--bias", "1, -2.5", "--padding", "same",
      "--stride", "2"]),
]

POOL_IN = ("1 3 2 4 5; 5 6 7 8 -1; 3 2 1 0 2; 1 2 3 4 9; 0.5 0.25 -3 2 1 | "
           "-1 -2 -3 -4 -5; 0 0 0 0 0; 1 1 1 1 1; -1 -2 -3 -4 -5; 7 7 7 7 7")
POOL = [
    ("max, 3x3, stride 2, padding 1",
     ["--input", POOL_IN, "--mode", "max", "--size", "3", "--stride", "2", "--padding", "1"]),
    ("avg, 3x3, stride 2, padding 1",
     ["--input", POOL_IN, "--mode", "avg", "--size", "3", "--stride", "2", "--padding", "1"]),
    ("avg, 2x2, padding 1", ["--input", POOL_IN, "--mode", "avg", "--size", "2", "--padding", "1"]),
    ("max, 2x2", ["--input", POOL_IN, "--mode", "max", "--size", "2"]),
]

CONVT = [
    ("stride 2, padding 1, output padding 1, 2 channels x 2 maps, biases",
     ["--input", "1 2; 3 4 | 0.5 -1; 2 0",
      "--kernel", "1 0 -1; 2 1 0; 0 1 2 | 1 1 1; 0 0 0; 1 1 1",
      "--kernel", "0.5 0 0; 0 1 0; 0 0 0.5 | -1 2 -1; 0 1 0; 2 0 3",
      "--bias", "0.5, -1", "--stride", "2", "--padding", "1", "--output-padding", "1"]),
    ("stride 3, dilation 2, output padding 2",
     ["--input", "1 -2 3; 0.75 0 1", "--kernel", "1 2; 3 4", "--stride", "3",
      "--dilation", "2", "--output-padding", "2"]),
]

OPS = {"conv": CONV, "pool": POOL, "convt": CONVT}


# ---- Running the program and the scripts --------------------------------------------------

def run(*args):
    return run_program([CONVSTEP, *args], WORKDIR, TIMEOUT)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")




def matrix_numbers(args):
    """The numbers written in the matrix options of args ('0.25', '-3', ...)."""
    nums = []
    for flag, value in zip(args, args[1:]):
        if flag in ("--input", "--kernel", "--bias"):
            nums += [t for t in re.split(r"[\s;,|]+", value) if t]
    return nums


def as_maps(output):
    """--json's output ([[...]] for one map, [[[...]]] for several) as [maps][rows][cols]."""
    return [output] if output and not isinstance(output[0][0], list) else output


def write_script(op, name, args):
    """Runs `convstep op args --json --pytorch FILE`; returns (path, script text, --json doc)."""
    import json
    path = os.path.join(WORKDIR, "%s_%s.py" % (op, slug(name)))
    if os.path.exists(path):
        os.remove(path)
    status, out, err = run(op, *args, "--json", "--pytorch", path)
    expect(status == 0, "%s %s: exit status %d (stderr %r)" % (op, name, status, err))
    doc = json.loads(out)
    expect(doc.get("pytorch_script") == path,
           "%s %s: --json's pytorch_script is %r, expected %r" % (op, name, doc.get("pytorch_script"), path))
    expect(os.path.isfile(path), "%s %s: no script at %s" % (op, name, path))
    with open(path, encoding="utf-8") as f:
        text = f.read()
    leftovers = [n for n in os.listdir(WORKDIR) if ".tmp" in n]
    expect(not leftovers, "temporary files left behind: %s" % leftovers)
    return path, text, doc


def check_script_text(op, name, args, path, text):
    try:
        compile(text, path, "exec")
    except SyntaxError as e:
        raise Fail("%s %s: the script is not valid Python: %s" % (op, name, e))
    for n in matrix_numbers(args):
        expect(re.search(r"(?<![\d.e])%s(?![\d.e])" % re.escape(n), text),
               "%s %s: the script lacks the number %s" % (op, name, n))
    call = {"conv": "F.conv2d(", "convt": "F.conv_transpose2d(",
            "pool": "F.max_pool2d(" if "max" in args else "F.avg_pool2d("}[op]
    expect(call in text, "%s %s: the script does not call %s" % (op, name, call))
    expect("sys.exit(compare(" in text, "%s %s: the script does not compare" % (op, name))


def parse_printed_maps(text):
    """The maps a script printed ('Feature map 3x3:' then rows), as [maps][rows][cols]."""
    maps = []
    for line in text.split("\n"):
        if re.match(r"^\S.*\d+x\d+:$", line):
            maps.append([])
        elif line.startswith(" ") and maps and line.strip():
            maps[-1].append([float(t) for t in line.split()])
    return maps


def run_script(py, op, name, path, doc):
    p = subprocess.run([py, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TORCH_TIMEOUT, cwd=WORKDIR)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    expect(p.returncode == 0, "%s %s: the script exited %d:\n%s%s" % (op, name, p.returncode, out, err))
    expect("matches convstep" in out, "%s %s: the script did not say 'matches convstep':\n%s" % (op, name, out))
    printed = parse_printed_maps(out)
    want = as_maps(doc["output"])
    expect(len(printed) == len(want), "%s %s: printed %d maps, --json has %d" % (op, name, len(printed), len(want)))
    scale = max(1.0, max(abs(v) for m in want for r in m for v in r))
    for i, (pm, wm) in enumerate(zip(printed, want)):
        expect(len(pm) == len(wm) and all(len(a) == len(b) for a, b in zip(pm, wm)),
               "%s %s: map %d is %dx%d printed, %dx%d in --json" % (
                   op, name, i + 1, len(pm), len(pm[0]) if pm else 0, len(wm), len(wm[0])))
        for r, (pr, wr) in enumerate(zip(pm, wm)):
            for c, (a, b) in enumerate(zip(pr, wr)):
                expect(abs(a - b) <= 1e-5 * scale,
                       "%s %s: map %d (%d,%d) printed %r, --json %r" % (op, name, i + 1, r, c, a, b))
    print("# %s %s: torch matches convstep (%d values)" % (op, name, sum(len(r) for m in want for r in m)))


def scripts_of(op):
    for name, args in OPS[op]:
        path, text, doc = write_script(op, name, args)
        check_script_text(op, name, args, path, text)


def torch_runs_of(op):
    py, why = torch_python()
    if not py:
        raise Skip("torch not importable: %s" % why)
    for name, args in OPS[op]:
        path, _, doc = write_script(op, name, args)
        run_script(py, op, name, path, doc)


# ---- The checks ----------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def conv_scripts():
    """conv --pytorch: valid, same (2x2), stride 2, dilation 2, 2x2 filters: valid Python with the numbers"""
    scripts_of("conv")
    # The even kernel's 'same' padding is one row and column at the bottom/right, explicitly.
    _, text, _ = write_script("conv", CONV[1][0], CONV[1][1])
    expect("x = F.pad(x, (0, 1, 0, 1))" in text, "the 'same' script lacks F.pad(x, (0, 1, 0, 1))")


@check
def conv_scripts_torch():
    """conv --pytorch scripts run with torch: 'matches convstep' and the --json values"""
    torch_runs_of("conv")
    # The comparison is real: a script whose copy of convstep's values is off says so.
    py, _ = torch_python()
    path, text, _ = write_script("conv", CONV[0][0], CONV[0][1])
    wrong = text.replace("[ 9,  6, 14],", "[ 9,  7, 14],")
    expect(wrong != text, "the valid script does not hold the row '[ 9,  6, 14],'")
    with open(path, "w", encoding="utf-8") as f:
        f.write(wrong)
    p = subprocess.run([py, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TORCH_TIMEOUT, cwd=WORKDIR)
    out = p.stdout.decode("utf-8", "replace")
    expect(p.returncode == 1 and "filter 1 (2,1): torch 6, convstep 7" in out and
           "differs from convstep in 1 of 9 values" in out and "matches convstep" not in out,
           "a script with one wrong value: exit %d, printed:\n%s" % (p.returncode, out))


@check
def pool_scripts():
    """pool --pytorch: max and avg with padding: valid Python with the numbers"""
    scripts_of("pool")
    _, text, _ = write_script("pool", POOL[1][0], POOL[1][1])
    expect("count_include_pad=True" in text, "the avg script does not say count_include_pad=True")


@check
def pool_scripts_torch():
    """pool --pytorch scripts run with torch: 'matches convstep' and the --json values"""
    torch_runs_of("pool")


@check
def convt_scripts():
    """convt --pytorch: stride 2, padding 1, output padding 1, 2x2 maps: valid Python with the numbers"""
    scripts_of("convt")
    _, text, _ = write_script("convt", CONVT[0][0], CONVT[0][1])
    expect("stride=2, padding=1, output_padding=1" in text, "the convt script lacks its arguments")


@check
def convt_scripts_torch():
    """convt --pytorch scripts run with torch: 'matches convstep' and the --json values"""
    torch_runs_of("convt")


@check
def stdout_and_text():
    """--pytorch - prints the script (the same as the file); text mode names the file"""
    for op, table in OPS.items():
        name, args = table[0]
        path, text, _ = write_script(op, name, args)
        status, out, err = run(op, *args, "--pytorch", "-")
        expect(status == 0 and err == "", "%s --pytorch -: exit %d, stderr %r" % (op, status, err))
        expect(out == text, "%s --pytorch - differs from the file it writes" % op)
        status, out, err = run(op, *args, "--quiet", "--pytorch", path)
        expect(status == 0, "%s --quiet --pytorch: exit %d (%r)" % (op, status, err))
        expect("Wrote the PyTorch script %s" % path in out, "%s text output does not name the script" % op)
        status, out, err = run(op, *args, "--json", "--pytorch", "-")
        expect(status == 1 and out == "" and "--pytorch -" in err and "--json" in err,
               "%s --json --pytorch -: exit %d, stdout %r, stderr %r" % (op, status, out, err))


@check
def errors():
    """an unwritable path or bad input: exit 1, a message, no file left behind"""
    missing = os.path.join(WORKDIR, "no-such-folder", "x.py")
    folder = os.path.join(WORKDIR, "a-folder")
    os.makedirs(folder, exist_ok=True)
    before = sorted(os.listdir(WORKDIR))
    for op, table in OPS.items():
        name, args = table[0]
        for target, word in [(missing, "no-such-folder"), (folder, "a-folder")]:
            status, out, err = run(op, *args, "--pytorch", target)
            expect(status == 1, "%s --pytorch %s: exit %d, expected 1" % (op, target, status))
            expect(out == "", "%s: stdout should be empty on an error, got %r" % (op, out))
            expect(err.startswith("convstep: error: ") and word in err,
                   "%s: stderr %r does not name %s" % (op, err, word))
        bad = os.path.join(WORKDIR, "bad_%s.py" % op)
        status, out, err = run(op, *(["--input", "1 x"] + args[2:]), "--pytorch", bad)
        expect(status == 1 and not os.path.exists(bad),
               "%s with a bad --input: exit %d, script written: %s" % (op, status, os.path.exists(bad)))
    expect(not os.path.exists(missing), "a file appeared at %s" % missing)
    expect(os.listdir(folder) == [], "files appeared in the folder: %s" % os.listdir(folder))
    after = sorted(os.listdir(WORKDIR))
    expect(after == before, "files left behind: %s" % sorted(set(after) - set(before)))


@check
def help_texts():
    """conv, pool and convt --help document --pytorch FILE"""
    for op in OPS:
        status, out, err = run(op, "--help")
        expect(status == 0, "%s --help: exit %d" % (op, status))
        for words in ["[--pytorch FILE]", "--pytorch FILE", "matches convstep"]:
            expect(words in out, "%s --help lacks %r" % (op, words))


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-pytorch-", start))
