#!/usr/bin/env python3
"""The text subcommands under valgrind's memcheck: no leaks, no invalid reads
or writes. TAP output. Usage: test_valgrind.py /path/to/convstep
(Registered for the plain build only: valgrind and AddressSanitizer do not mix.)"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    exe = sys.argv[1]
    if not shutil.which("valgrind"):
        print("1..0 # SKIP valgrind is not installed")
        return
    tmp = tempfile.mkdtemp()
    model = os.path.join(tmp, "m.model")
    digit = os.path.join(tmp, "d.pgm")
    with open(digit, "wb") as f:  # a plain 28x28 picture: a bar of ink
        f.write(b"P5\n28 28\n255\n" + bytes(255 if 12 <= x <= 15 and 4 <= y <= 23 else 0
                                            for y in range(28) for x in range(28)))
    commands = [
        ["conv", "--input", "3 3 2 1 0; 0 0 1 3 1; 3 1 2 2 3; 2 0 0 2 2; 2 0 0 0 1",
         "--kernel", "0 1 2; 2 2 0; 0 1 2", "--json"],
        ["conv", "--input", "1 2 | 3 4", "--kernel", "1 | 2", "--padding", "same", "--expect", "9 9; 9 9"],
        ["pool", "--input", "1 3 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4", "--mode", "max", "--size", "2", "--json"],
        ["summary", "--arch", "lenet5", "--input", "28x28x1"],
        ["summary", "--arch", "conv(6,5),dense(10)", "--input", "28x28"],
        ["train", "--arch", "softmax", "--epochs", "1", "--save", model],
        ["classify", "--model", model, digit],
        ["classify", digit, "--json"],
        ["lesson", os.path.join(HERE, "..", "lessons", "02-what-is-a-convolution.lesson"), "--check"],
    ]
    print("1..%d" % len(commands))
    failed = 0
    for i, args in enumerate(commands, 1):
        p = subprocess.run(["valgrind", "--error-exitcode=99", "--leak-check=full",
                            "--errors-for-leak-kinds=definite,indirect", "--quiet", exe, *args],
                           capture_output=True, text=True, timeout=600)
        name = "valgrind: convstep %s" % " ".join(a if len(a) < 30 else a[:27] + "..." for a in args[:4])
        # Exit 1 is fine for the commands meant to report a problem; 99 is valgrind's.
        if p.returncode in (0, 1) and "ERROR SUMMARY" not in p.stderr and "definitely lost" not in p.stderr:
            print("ok %d - %s" % (i, name))
        else:
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in p.stderr.splitlines()[-25:]:
                print("# " + line)
    shutil.rmtree(tmp)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
