#!/usr/bin/env python3
"""Every command the README and the man page show, run exactly as written in a
fresh clone of the repository, as a newcomer would: the two quick-start
commands (scripts/run.sh, which installs, builds and runs; scripts/test.sh, the
whole suite), the README's examples and the man page's EXAMPLES.

The commands are read from README.md and docs/convstep.1 themselves, so the
documents cannot drift from what works. The clone's own suite is run with
CONVSTEP_INNER_SUITE=1, under which this file skips itself (no recursion).
TAP output. Usage: test_docs.py /path/to/convstep"""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402
from tap import Fail, Skip, expect  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, ".."))
CLONE = None  # set by start()
PROGRAM = None


def start(program, scratch):
    global CLONE, PROGRAM
    PROGRAM = program
    if os.environ.get("CONVSTEP_INNER_SUITE"):
        return
    if not shutil.which("git") or not os.path.isdir(os.path.join(SOURCE, ".git")):
        return
    CLONE = os.path.join(scratch, "convstep")
    subprocess.run(["git", "clone", "--quiet", SOURCE, CLONE], check=True,
                   stdin=subprocess.DEVNULL, timeout=120)


def need_clone():
    if os.environ.get("CONVSTEP_INNER_SUITE"):
        raise Skip("inside the fresh-clone suite this file started (no recursion)")
    if CLONE is None:
        raise Skip("the source is not a git checkout, so there is nothing to clone")


def no_display_env(**extra):
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        env.pop(name, None)
    env.update(extra)
    return env


def shell(line, timeout, env=None, cwd=None):
    """Runs one documented command line with bash, in the clone."""
    return tap.run_program(["bash", "-c", line], cwd or CLONE, timeout,
                           env=env or no_display_env())


def sh_blocks(text):
    """The ```sh blocks of a Markdown text, as lists of command lines (comments
    dropped, backslash continuations joined)."""
    blocks = []
    for body in re.findall(r"```sh\n(.*?)```", text, re.S):
        body = re.sub(r"\\\n\s*", "", body)
        lines = []
        for line in body.split("\n"):
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                lines.append(line)
        blocks.append(lines)
    return blocks


def readme():
    with open(os.path.join(CLONE, "README.md"), encoding="utf-8") as f:
        return f.read()


def quick_start():
    text = readme()
    section = text.split("## Quick start", 1)[1]
    return sh_blocks(section)[0]


def numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]


def check(fn):
    CHECKS.append(fn)
    return fn


CHECKS = []


@check
def quick_start_has_two_commands():
    """the README's quick start is exactly two commands: run.sh and test.sh"""
    need_clone()
    lines = quick_start()
    expect(lines == ["scripts/run.sh", "scripts/test.sh"],
           "the quick start block holds %r" % (lines,))


@check
def quick_start_run():
    """scripts/run.sh, as written, installs, builds and starts convstep (its help with no display)"""
    need_clone()
    line = quick_start()[0]
    code, out, err = shell(line, 1200)
    expect(code == 0, "'%s' exited %d: %s" % (line, code, err[-400:]))
    expect("usage: convstep <command>" in out and "no window could be opened here" in out,
           "with no display the program should print its help and say why")
    code, out, err = shell(line + " --version", 120)
    expect(code == 0 and re.match(r"convstep \d+\.\d+\.\d+\ngemm kernel: \w+\n$", out),
           "'%s --version' printed %r (exit %d)" % (line, out, code))
    expect(os.access(os.path.join(CLONE, "build", "app", "convstep"), os.X_OK),
           "run.sh did not build build/app/convstep")


@check
def readme_examples():
    """every command in the README's 'What it does today' blocks runs as written, with the right numbers"""
    need_clone()
    section = readme().split("## What it does today", 1)[1].split("\n## ", 1)[0]
    lines = [l for block in sh_blocks(section) for l in block]
    expect(len(lines) >= 8, "only %d example commands found" % len(lines))
    outputs = {}
    for line in lines:
        expect(line.startswith("build/app/convstep "), "'%s' does not run the built program" % line)
        code, out, err = shell(line, 600)
        expect(code == 0, "'%s' exited %d: %s" % (line, code, err[-400:]))
        outputs[line] = out
    # Values worked out by hand (tests/tools/reference.py agrees).
    conv = [o for l, o in outputs.items() if "'3 3 2 1 0" in l][0]
    tail = conv.split("Feature map 3x3:", 1)[1]
    expect(numbers(tail)[:9] == [12, 12, 17, 10, 17, 19, 9, 6, 14],
           "the slide example's map reads %s" % numbers(tail)[:9])
    # The transposed convolution: input cell (r, c) stamps its value on the
    # 2x2 block at (2r, 2c): 1 1 2 2 / 1 1 2 2 / 3 3 4 4 / 3 3 4 4.
    convt = [o for l, o in outputs.items() if " convt " in l][0]
    expect(numbers(convt.split("Output 4x4:", 1)[-1])[:16] == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4],
           "the transposed convolution reads %s" % convt[-200:])
    # The backward pass and --flip, worked out by hand (the README's comments).
    grad = [o for l, o in outputs.items() if "--grad-output" in l][0]
    for shown in ["Kernel gradient dL/dW (grad_kernel), 2x2:\n  12 16\n  24 28\n",
                  "Input gradient dL/dX (grad_input) 3x3:\n   1  3  2\n   4 10  6\n   3  7  4\n",
                  "Bias gradient dL/db (grad_bias): 4\n"]:
        expect(shown in grad, "the --grad-output example lacks %r" % shown)
    flip = [o for l, o in outputs.items() if "--flip" in l][0]
    for shown in ["Kernel rotated 180 degrees (true convolution):\n  4 3\n  2 1\n",
                  "Feature map 2x2:\n  23 33\n  53 63\n"]:
        expect(shown in flip, "the --flip example lacks %r" % shown)
    pool = [o for l, o in outputs.items() if " pool " in l][0]
    expect(re.search(r"6\s+8\s*\n\s*3\s+4", pool), "max pooling of the example should give 6 8; 3 4")
    lenet = [o for l, o in outputs.items() if "summary --arch lenet5" in l][0]
    expect("61,706" in lenet or "61706" in lenet, "LeNet-5 has 61,706 parameters")
    seven = [o for l, o in outputs.items() if "my_seven.png" in l][0]
    expect(re.search(r"my_seven\.png: 7 ", seven), "the example seven was read as: %s" % seven[:200])
    expect(os.path.getsize(os.path.join(CLONE, "my.model")) > 200_000, "my.model was not saved")


@check
def man_page_examples():
    """every command in the man page's EXAMPLES runs as written (convstep on the PATH)"""
    need_clone()
    with open(os.path.join(CLONE, "docs", "convstep.1"), encoding="utf-8") as f:
        man = f.read()
    examples = man.split(".SH EXAMPLES", 1)[1].split(".SH ", 1)[0]
    lines = []
    for body in re.findall(r"^\.EX\n(.*?)^\.EE", examples, re.S | re.M):
        lines += [l.replace("\\-", "-") for l in body.split("\n") if l.strip()]
    expect(len(lines) >= 6, "only %d man page examples" % len(lines))
    build = os.path.join(CLONE, "build", "app")
    if not os.access(os.path.join(build, "convstep"), os.X_OK):
        raise Fail("build/app/convstep is missing (quick_start_run builds it)")
    env = no_display_env(PATH=build + os.pathsep + os.environ.get("PATH", ""))
    for line in lines:
        expect(line.startswith("convstep "), "'%s' is not a convstep command" % line)
        code, out, err = shell(line, 300, env=env)
        expect(code == 0, "'%s' exited %d: %s" % (line, code, err[-400:]))
    expect(os.path.getsize(os.path.join(CLONE, "conv.png")) > 1000, "the headless view wrote no PNG")


@check
def quick_start_test():
    """scripts/test.sh, as written, builds and passes the whole suite in the fresh clone"""
    need_clone()
    line = quick_start()[1]
    code, out, err = shell(line, 3000, env=no_display_env(CONVSTEP_INNER_SUITE="1"))
    last = out.strip().split("\n")[-1] if out.strip() else ""
    m = re.match(r"^(\d+) passed, (\d+) failed$", last)
    expect(code == 0 and m and m.group(2) == "0",
           "'%s' exited %d, last line %r:\n%s" % (line, code, last, out[-1500:]))
    expect(int(m.group(1)) >= 1000, "only %s tests ran" % m.group(1))


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-docs-", start))
