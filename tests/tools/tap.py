"""The harness the command-line test files share: running convstep with the
checks every run gets, expectations, and the TAP loop over a file's checks.

A test file keeps its own `run` (each wants other options: a timeout, an
environment, a file for stdout) as a thin wrapper of run_program, and calls
main() with its list of checks. Standard library only.
"""

import os
import re
import shlex
import subprocess
import sys
import tempfile
import traceback

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                   "runtime error:")

# Leaks inside third-party libraries (SDL's D-Bus, Mesa) are not convstep's:
# a test that runs the window of a sanitizer build passes this in LSAN_OPTIONS.
LSAN_SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lsan.supp")

LAST_RUN = []  # the runs of the current case, for diagnostics


class Fail(Exception):
    """A failed expectation; the message becomes TAP diagnostics."""


class Skip(Exception):
    """The case does not apply on this system; the message says why."""


def expect(cond, message):
    """Fails the case with `message` unless cond holds."""
    if not cond:
        raise Fail(message)


def run_program(cmd, cwd, timeout, check_signal=True, stdout=None, **popen):
    """Runs cmd in cwd; returns (exit status, stdout, stderr).

    Fails the case if the program timed out, died from a signal (unless
    check_signal is false) or printed a sanitizer report. `stdout` may be a
    file descriptor to write to instead of a pipe (the output is then "");
    other keywords go to subprocess.run."""
    cmd = [str(a) for a in cmd]
    entry = {"cmd": cmd, "code": None, "out": "", "err": ""}
    LAST_RUN.append(entry)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE if stdout is None else stdout,
                           stderr=subprocess.PIPE, timeout=timeout, cwd=cwd, **popen)
    except subprocess.TimeoutExpired:
        raise Fail("timed out after %d s" % timeout)
    out = p.stdout.decode("utf-8", "replace") if p.stdout is not None else ""
    err = p.stderr.decode("utf-8", "replace")
    entry.update(code=p.returncode, out=out, err=err)
    if check_signal and p.returncode < 0:
        raise Fail("killed by signal %d" % -p.returncode)
    for mark in SANITIZER_MARKS:
        if mark in err:
            raise Fail("sanitizer report (%s) on stderr" % mark)
    return p.returncode, out, err


SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def unloaded_library_leaks(text, program=None):
    """The number of leaks in a LeakSanitizer report if none of them was
    allocated from convstep's own code, else 0: in every leak's stack, no
    frame after the allocator's is in the program (`program`, its path) or in
    its sources (this tree, or a path through ../app/ or ../nn/).

    tests/lsan.supp names the third-party libraries whose leaks are not
    convstep's; a library that was dlclose'd by exit (SDL unloads libGL,
    and with it Mesa's llvmpipe and LLVM, on Xvfb) cannot be named there:
    its frames read "<unknown module>", or the name of whatever library was
    loaded later at the same addresses (libpulse, libz3 seen). convstep's own
    code is in the executable, which is never unloaded, and each of its
    allocations, direct or through a library it calls, has its frames in the
    stack; a stack with none of them is not convstep's."""
    if "LeakSanitizer" not in text:
        return 0
    other = [m for m in SANITIZER_MARKS if m != "LeakSanitizer" and m != "AddressSanitizer"]
    if any(m in text for m in other) or "ERROR: AddressSanitizer" in text:
        return 0
    blocks = re.split(r"\n(?=(?:Direct|Indirect) leak of )", text)
    leaks = [b for b in blocks if re.match(r"(?:Direct|Indirect) leak of ", b)]
    if not leaks:
        return 0
    own = [SOURCE_ROOT + os.sep, "../app/", "../nn/"] + ([os.path.abspath(program)] if program else [])
    for b in leaks:
        frames = re.findall(r"^\s+#(\d+) 0x[0-9a-f]+ (.*)$", b, re.M)
        beyond = [f for n, f in frames if int(n) > 0]
        if not beyond or any(mark in f for f in beyond for mark in own):
            return 0
    return len(leaks)


def start_xvfb(screen, *extra):
    """Starts an Xvfb of the given screen ("1920x1080x24") on a free display
    number (it writes the number it took to a pipe: -displayfd, no race with
    other servers). Returns (process, ":N"), or (None, None) if it did not
    start within 30 s (the process is then killed)."""
    import time
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen,
                             "-nolisten", "tcp", *extra], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    deadline = time.time() + 30
    while not number.endswith(b"\n") and time.time() < deadline:
        chunk = os.read(read_fd, 16)
        if not chunk:
            break
        number += chunk
    os.close(read_fd)
    if not number.strip().isdigit():
        proc.kill()
        return None, None
    return proc, ":" + number.strip().decode()


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def excerpt(text, limit=1200):
    text = text if len(text) <= limit else text[:limit] + "... (%d more characters)" % (
        len(text) - limit)
    return text.rstrip("\n").split("\n") if text else []


def diagnostics(message, title=""):
    """A failure's reason as TAP comments on stdout, and the same on stderr:
    Meson's summary of a failed test shows only stderr, so a CI log names the
    reason, not just the case."""
    lines = ["# " + line for line in message.split("\n")]
    if LAST_RUN:
        last = LAST_RUN[-1]
        lines.append("#   command: %s" % shlex.join(last["cmd"]))
        lines.append("#   exit status: %s" % last["code"])
        for name in ("out", "err"):
            tail = excerpt(last[name])
            lines.append("#   std%s:%s" % (name, "" if tail else " (empty)"))
            lines.extend("#     " + line for line in tail)
    print("\n".join(lines))
    sys.stdout.flush()
    print("\n".join(["FAILED: " + title] + lines if title else lines), file=sys.stderr)
    sys.stderr.flush()


def main(argv, checks, scratch_prefix, start):
    """Runs every check as one TAP case; returns the exit status.

    argv[1] is the program under test; start(program, scratch_dir) is called
    once before the first check, for the file to keep both."""
    script = os.path.basename(argv[0])
    if len(argv) != 2:
        print("Bail out! usage: %s /path/to/convstep" % script)
        return 2
    program = os.path.abspath(argv[1])
    if not os.access(program, os.X_OK):
        print("Bail out! %s is not an executable program" % program)
        return 2
    failed = 0
    print("1..%d" % len(checks))
    with tempfile.TemporaryDirectory(prefix=scratch_prefix) as tmp:
        start(program, tmp)
        for number, fn in enumerate(checks, 1):
            title = "%s: %s" % (fn.__name__, fn.__doc__.strip().split("\n")[0])
            del LAST_RUN[:]
            try:
                fn()
            except Skip as e:
                print("ok %d - %s # SKIP %s" % (number, title, e))
            except Fail as e:
                failed += 1
                print("not ok %d - %s" % (number, title))
                diagnostics(str(e), title)
            except Exception:
                failed += 1
                print("not ok %d - %s" % (number, title))
                diagnostics("the test itself raised:\n" + traceback.format_exc().rstrip(), title)
            else:
                print("ok %d - %s" % (number, title))
            sys.stdout.flush()
    if failed:
        print("# %d of %d failed" % (failed, len(checks)))
    return 1 if failed else 0
