#!/usr/bin/env python3
"""Runs one libFuzzer target for the test suite without touching the source tree.

    run_fuzzer.py FUZZER ARTIFACT_DIR [LIBFUZZER_FLAG | CORPUS_DIR]...

libFuzzer writes the inputs it finds into the first corpus directory it is
given, so this puts a fresh scratch directory first; the seed corpus and the
regression inputs that follow are only read. The targets' temporary files go
to a scratch TMPDIR as well, so a crash leaves nothing behind in /tmp; both
are removed afterwards. Corpus
directories that do not exist (a target without regression inputs) are left
out. A crash, leak, timeout or out-of-memory input is written into
ARTIFACT_DIR, and the exit status is the fuzzer's.
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip())
    fuzzer, artifacts = sys.argv[1], sys.argv[2]
    flags = [a for a in sys.argv[3:] if a.startswith("-")]
    dirs = [a for a in sys.argv[3:] if not a.startswith("-")]
    for d in dirs:
        if not os.path.isdir(d):
            print("run_fuzzer: no directory %s, skipped" % d, flush=True)
    dirs = [d for d in dirs if os.path.isdir(d)]
    os.makedirs(artifacts, exist_ok=True)
    env = dict(os.environ)
    # Stack traces for undefined behaviour too (meson test's defaults keep them).
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    scratch = tempfile.mkdtemp(prefix="convstep-fuzz-run-")
    try:
        corpus = os.path.join(scratch, "corpus")
        env["TMPDIR"] = os.path.join(scratch, "tmp")
        os.mkdir(corpus)
        os.mkdir(env["TMPDIR"])
        cmd = [fuzzer, "-artifact_prefix=" + os.path.join(os.path.abspath(artifacts), "")] + flags
        cmd += [corpus] + dirs
        print("run_fuzzer: " + " ".join(cmd), flush=True)
        code = subprocess.call(cmd, env=env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if code < 0:  # killed by a signal
        code = 128 - code
    if code != 0:
        print("run_fuzzer: %s failed (exit %d); the input is in %s" % (os.path.basename(fuzzer), code, artifacts),
              flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
