#!/usr/bin/env python3
"""Every shipped lesson plays headless with all its expectations holding, and a
lesson with a wrong expectation or a wrong quiz answer fails, naming the line
and both values. TAP output. Usage: test_lessons.py /path/to/convstep"""
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
LESSONS = sorted(glob.glob(os.path.join(HERE, "..", "lessons", "*.lesson")))
DATA = os.path.join(HERE, "data", "lessons")
SANITIZER = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:")


def run(exe, *args):
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def main():
    exe = sys.argv[1]
    checks = []

    for path in LESSONS:
        def shipped(path=path):
            code, out, err = run(exe, "lesson", path, "--headless")
            assert code == 0, "exit %d\n%s%s" % (code, out[-2000:], err[-2000:])
            assert "0 expectation(s) failed" in out, out[-500:]
            assert not any(s in err for s in SANITIZER), err[-2000:]
        checks.append(("shipped lesson %s plays headless, every expectation holds" % os.path.basename(path), shipped))

    def count():
        assert len(LESSONS) >= 10, "only %d lessons" % len(LESSONS)
    checks.append(("at least ten lessons ship", count))

    def wrong_expect():
        path = os.path.join(DATA, "wrong-expect.lesson")
        code, out, err = run(exe, "lesson", path, "--headless")
        assert code == 1, "exit %d" % code
        assert "wrong-expect.lesson:7: expected 13 at (0, 0), the engine computes 12" in err, err
    checks.append(("a wrong expect fails with the line and both values", wrong_expect))

    def wrong_quiz():
        path = os.path.join(DATA, "wrong-quiz.lesson")
        code, out, err = run(exe, "lesson", path, "--headless")
        assert code == 1, "exit %d" % code
        assert "wrong-quiz.lesson:5: the quiz's answer is 3x3 but the engine computes 2x2" in err, err
    checks.append(("a quiz whose answer is wrong fails with both answers", wrong_quiz))

    def parse_error():
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.lesson")
            with open(path, "w") as f:
                f.write("title Bad\nview conv\nstride fast\n")
            code, out, err = run(exe, "lesson", path, "--headless")
            assert code == 1, "exit %d" % code
            assert err.startswith("convstep: error: ")
            assert "bad.lesson:3: stride must be a whole number from 1 to 4, got 'fast'" in err, err
            code, out, err = run(exe, "lesson", path, "--check")
            assert code == 1 and "bad.lesson:3" in err, err
    checks.append(("a parse error names file:line, exit 1", parse_error))

    def export():
        with tempfile.TemporaryDirectory() as tmp:
            code, out, err = run(exe, "lesson", LESSONS[0], "--headless", "--export", tmp)
            assert code == 0, err
            slides = sorted(os.listdir(tmp))
            assert slides and slides[0] == "slide-01.png", slides
            with open(os.path.join(tmp, slides[0]), "rb") as f:
                assert f.read(8) == b"\x89PNG\r\n\x1a\n"
            assert "wrote %d slide(s)" % len(slides) in out, out[-300:]
    checks.append(("--export writes one PNG per step", export))

    # Issue 10, findings 15 and 16: line ends of every system, a BOM, and no
    # escape sequences from a lesson reaching the terminal.
    def line_ends():
        # 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28: the 2x2 sums by hand.
        for name in ("bom-crlf.lesson", "cr-only.lesson"):
            path = os.path.join(DATA, name)
            code, out, err = run(exe, "lesson", path, "--check")
            assert code == 0, "%s: exit %d %s" % (name, code, err)
            code, out, err = run(exe, "lesson", path, "--headless")
            assert code == 0 and "0 expectation(s) failed" in out, "%s: exit %d\n%s%s" % (name, code, out[-800:], err)
        code, out, err = run(exe, "lesson", os.path.join(DATA, "bom-crlf.lesson"), "--check")
        assert "'Saved on Windows', 7 commands" in out, out
        code, out, err = run(exe, "lesson", os.path.join(DATA, "cr-only.lesson"), "--check")
        assert "'Saved on an old Mac', 6 commands" in out, out
    checks.append(("a BOM, CRLF and old-Mac CR line ends read as written", line_ends))

    def escapes():
        path = os.path.join(DATA, "escape-title.lesson")
        for mode in ("--check", "--headless"):
            code, out, err = run(exe, "lesson", path, mode)
            assert code == 1, "exit %d" % code
            assert "escape-title.lesson:1: byte 7 of the line is a control character" in err, err
            assert "\x1b" not in out + err and "\x07" not in out + err, repr(out + err)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t\x1b[31m.lesson")
            with open(path, "w") as f:
                f.write("title T\nview conv\n")
            code, out, err = run(exe, "lesson", path, "--check")
            assert code == 0 and "t\\x1B[31m.lesson: 'T', 2 commands" in out, repr(out + err)
            assert "\x1b" not in out + err, repr(out + err)
    checks.append(("escape sequences in a lesson or its name never reach the terminal", escapes))

    # Issue 10, finding 8d: a lesson's size, lines and commands are bounded.
    def bounded():
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "big.lesson")
            with open(path, "w") as f:
                f.write("title Big\nview conv\n" + "wait\n" * (1 << 18))  # 1 MiB and more
            size = os.path.getsize(path)
            code, out, err = run(exe, "lesson", path, "--check")
            assert code == 1, "exit %d" % code
            assert "is larger than 262144 bytes (it has %d)" % size in err, err
            with open(path, "w") as f:  # 1001 commands in 5 KB
                f.write("title Big\nview conv\n" + "wait\n" * 999)
            code, out, err = run(exe, "lesson", path, "--check")
            assert code == 1 and "big.lesson:1001: a lesson has at most 1000 commands" in err, err
    checks.append(("a lesson's size and command count are bounded, with file:line", bounded))

    def missing():
        code, out, err = run(exe, "lesson", "/nonexistent/x.lesson", "--headless")
        assert code == 1 and "cannot open the lesson '/nonexistent/x.lesson'" in err, err
    checks.append(("a missing lesson file is named", missing))

    def recipe():
        # A lesson's recipe trains as `convstep train` with the same settings
        # written out: the same seed, so the same test accuracy (the small CNN,
        # 3 epochs of 250 steps); dropout goes in before the last dense layer.
        arch = "conv(8,5,pad=2),relu,maxpool(2),flatten,dropout(0.5),dense(10),softmax"
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "recipe.lesson")
            with open(path, "w") as f:
                f.write("title Recipe\nview train\nrecipe lr 0.1 shift 1 weight-decay 0.001 dropout 0.5\n"
                        "model small\ntrain 750\n")
            code, out, err = run(exe, "lesson", path, "--headless")
            assert code == 0, "exit %d\n%s%s" % (code, out[-2000:], err[-2000:])
            assert "  model: %s (lr 0.1)" % arch in out, out
            lesson_acc = [l for l in out.splitlines() if "trained to step 750" in l][0].split()[-1]
            code, cli, err = run(exe, "train", "--arch", arch, "--lr", "0.1", "--shift", "1", "--weight-decay", "0.001",
                                 "--epochs", "3", "--json")
            assert code == 0, err
            import json
            want = "%.2f%%" % (100 * json.loads(cli)["test_accuracy"])
            assert lesson_acc == want, "the lesson reached %s, convstep train %s" % (lesson_acc, want)
    checks.append(("a lesson's recipe trains as convstep train with the same options", recipe))

    print("1..%d" % len(checks))
    failed = 0
    for i, (name, fn) in enumerate(checks, 1):
        try:
            fn()
            print("ok %d - %s" % (i, name))
        except Exception as e:  # noqa: BLE001 - every failure is reported the same way
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in str(e).splitlines()[-30:]:
                print("# " + line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
