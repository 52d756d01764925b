"""The python3 that imports torch, for the tests that compare convstep with
PyTorch (--pytorch scripts, --grad-output against autograd, the window's
Ctrl+P script): $CONVSTEP_TORCH_PYTHON, else Debian's /usr/bin/python3
(python3-torch), else the python running the test. Found once per process."""

import os
import subprocess
import sys

IMPORT_TIMEOUT = 180  # importing torch takes a few seconds; the machine may be busy

_FOUND = []


def torch_python():
    """(python, None) for a python3 that imports torch, else (None, why not)."""
    if not _FOUND:
        found, whys = None, []
        for py in [os.environ.get("CONVSTEP_TORCH_PYTHON"), "/usr/bin/python3", sys.executable]:
            if not py or not os.access(py, os.X_OK):
                continue
            try:
                p = subprocess.run([py, "-c", "import torch"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=IMPORT_TIMEOUT)
            except subprocess.TimeoutExpired:
                whys.append("%s -c 'import torch' timed out" % py)
                continue
            if p.returncode == 0:
                found = py
                break
            last = p.stderr.decode("utf-8", "replace").strip().split("\n")[-1]
            whys.append("%s: %s" % (py, last))
        _FOUND.append((found, None if found else "; ".join(whys) or "no python3 to try"))
    return _FOUND[0]
