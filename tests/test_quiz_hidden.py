#!/usr/bin/env python3
"""Quizzes ask before they show: for every lesson in lessons/, each quiz's
answer is neither in its own step's caption nor on the screen while the quiz
waits for it. The lessons run headless (`convstep lesson FILE --headless
--layout-json DIR`: one JSON a step, every text and cell drawn); the
transcript names each quiz and the engine's answer.

On the screen, by the quiz's kind:
  size   no output grid shows values, every formula line ends "= ?", no
         count of cells or steps ("of 9") is written
  cell   the asked output cell shows "?" (or nothing yet), and no text says
         "= ANSWER" (a sum or a formula)
  guess  no probability bar is drawn and no percentage is written
  params the count (760 or 61,706) is written nowhere
  winner the output cell shows nothing, no text names the winning input cell
  choice the right option's text is not in the step's caption
  predict nothing to hide (the next 'train' answers it): the transcript
         must then print the engine's answer, higher or lower

    python3 tests/test_quiz_hidden.py /path/to/convstep

Prints TAP and exits non-zero if a case failed. Standard library only.
"""

import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import tap  # noqa: E402  (the shared harness: tests/tools/tap.py)
from tap import expect, run_program  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LESSONS = sorted(glob.glob(os.path.join(ROOT, "lessons", "*.lesson")))
CONVSTEP = None
WORKDIR = None
TIMEOUT = 600


def beats_of(path):
    """The lesson's steps (beats) as the player counts them: the text of
    their `say` lines and their quiz lines (kind, row, col)."""
    beats = [{"say": [], "quiz": []}]
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] == "wait":
                beats.append({"say": [], "quiz": []})
            elif words[0] == "say":
                beats[-1]["say"].append(line.strip()[4:])
            elif words[0] == "quiz":
                beats[-1]["quiz"].append(words[1:4] + [line.strip()])
    return beats


def quizzes_in_transcript(out):
    """(beat number, question, the engine's answer) of each quiz the run printed."""
    found, beat = [], 0
    for line in out.splitlines():
        m = re.match(r"beat (\d+) of \d+", line)
        if m:
            beat = int(m.group(1))
        m = re.match(r"\s+quiz: (.*) -> (\S+) \(", line)
        if m:
            found.append((beat, m.group(1), m.group(2)))
    return found


def answer_patterns(answer):
    """Regular expressions that find the answer written out in a text."""
    m = re.fullmatch(r"(\d+)x(\d+)", answer)
    if re.fullmatch(r"\d{4,}", answer):  # a parameter count, also written 61,706
        return [r"(?<![\d,.])(%s|%s)(?![\d,])" % (answer, "{:,}".format(int(answer)))]
    if m:
        r, c = m.groups()
        return [r"(?<!\d)%s\s*[x×]\s*%s(?!\d)" % (r, c)]
    return [r"(?<![\d.])%s(?![\d])" % re.escape(answer)]


def same_number(text, answer):
    """True if a cell's text is the answer (as the cell rounds it: 1.67 for 1.6666667)."""
    try:
        shown, exact = float(text), float(answer)
    except (TypeError, ValueError):
        return False
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(shown - exact) <= 0.5 * 10 ** -decimals + 1e-9


def inside(r, q):
    return r[0] >= q[0] and r[1] >= q[1] and r[0] + r[2] <= q[0] + q[2] and r[1] + r[3] <= q[1] + q[3]


def screen_problems(doc, kind, answer, row, col):
    """What in one frame shows the answer of a waiting quiz."""
    problems = []
    items = doc["items"]
    texts = [i for i in items if i["kind"] == "text" and i.get("region") in ("main", "footer", "panel")]
    cells = [i for i in items if i["kind"] == "cell"]
    outputs = [g for g in items if g["kind"] == "grid" and g["role"] == "output"]
    if kind == "size":
        for g in outputs:
            shown = [c["text"] for c in cells if inside(c["rect"], g["rect"]) and c.get("text") not in ("", "?")]
            if shown:
                problems.append("output grid '%s' (%dx%d) shows %d values" % (g["text"], g["rows"], g["cols"],
                                                                             len(shown)))
        for t in texts:
            if re.search(r"floor\(\(\d", t["text"]) and not t["text"].rstrip().endswith("= ?"):
                problems.append("formula line %r" % t["text"])
            if re.search(r"\bof \d+\b", t["text"]):
                problems.append("a count: %r" % t["text"])
    elif kind == "cell":
        for g in outputs:
            if g["text"] == "close up" or g["rows"] <= row or g["cols"] <= col or g["cell"] <= 0:
                continue
            x, y = g["rect"][0] + col * g["cell"], g["rect"][1] + row * g["cell"]
            for c in cells:
                if abs(c["rect"][0] - x) <= 1 and abs(c["rect"][1] - y) <= 1 and same_number(c.get("text"), answer):
                    problems.append("output '%s' cell (%d, %d) shows %r" % (g["text"], row, col, c["text"]))
        # The worked-out sum of that very cell ("(row 1, col 1)", "(1, 1)" on screen) ends "= ANSWER".
        this_cell = r"\((?:row )?%d,\s*(?:col )?%d\)" % (row, col)
        if any(re.search(this_cell, t["text"]) for t in texts):
            for t in texts:
                if re.search(r"=\s*" + answer_patterns(answer)[0] + r"(?![\d./])", t["text"]):
                    problems.append("text %r" % t["text"])
    elif kind == "winner":
        wr, wc = answer.split("x")
        for g in outputs:
            if g["text"] == "close up" or g["rows"] <= row or g["cols"] <= col or g["cell"] <= 0:
                continue
            x, y = g["rect"][0] + col * g["cell"], g["rect"][1] + row * g["cell"]
            for c in cells:
                if abs(c["rect"][0] - x) <= 1 and abs(c["rect"][1] - y) <= 1 and c.get("text") not in ("", "?"):
                    problems.append("output '%s' cell (%d, %d) shows %r" % (g["text"], row, col, c["text"]))
        for t in texts:
            if re.search(r"input \(%s, %s\)" % (wr, wc), t["text"]):
                problems.append("text %r" % t["text"])
    elif kind == "params":
        plain, grouped = answer, "{:,}".format(int(answer))
        for t in texts:
            if re.search(r"(?<![\d,.])(%s|%s)(?![\d,])" % (re.escape(plain), re.escape(grouped)), t["text"]):
                problems.append("text %r" % t["text"])
    elif kind == "guess":
        bars = [i for i in items if i.get("role") == "bar"]
        if bars:
            problems.append("%d probability bars drawn" % len(bars))
        for t in items:
            if t["kind"] == "text" and t.get("region") != "narration" and "%" in t["text"]:
                problems.append("text %r" % t["text"])
    return problems


def check_lesson(path):
    name = os.path.basename(path)
    folder = os.path.join(WORKDIR, name + ".json.d")
    code, out, err = run_program([CONVSTEP, "lesson", path, "--headless", "--window", "1280x720",
                                  "--layout-json", folder], WORKDIR, TIMEOUT)
    expect(code == 0, "%s: exit status %d: %s" % (name, code, err.strip()[-400:]))
    beats = beats_of(path)
    quizzes = quizzes_in_transcript(out)
    written = sum(len(b["quiz"]) for b in beats)
    expect(len(quizzes) == written, "%s: %d quiz lines but the run printed %d quizzes" % (name, written,
                                                                                         len(quizzes)))
    problems = []
    for (beat, question, answer), spec in zip(quizzes, [q for b in beats for q in b["quiz"]]):
        kind = spec[0]
        row = int(spec[1]) if kind in ("cell", "winner") else -1
        col = int(spec[2]) if kind in ("cell", "winner") else -1
        caption = " ".join(beats[beat - 1]["say"]) if beat - 1 < len(beats) else ""
        if kind == "predict":
            if not re.search(r"^\s+predict: .* (higher|lower)$", out, re.M):
                problems.append("step %d: no 'predict: ... higher|lower' line after %r" % (beat, question))
            continue
        if kind == "choice":
            line = spec[-1].split(" answer ")[0]
            options = [o.strip() for o in line.split("|")[1:]]
            right = options[int(answer) - 1]
            if right.lower() in caption.lower():
                problems.append("step %d: the caption gives the right option %r" % (beat, right))
            continue
        for pattern in answer_patterns(answer):
            if re.search(pattern, caption):
                problems.append("step %d: the caption gives the answer %s to %r" % (beat, answer, question))
        with open(os.path.join(folder, "step-%02d.json" % beat)) as f:
            doc = json.load(f)
        for p in screen_problems(doc, kind, answer, row, col):
            problems.append("step %d (%s, answer %s): %s" % (beat, question, answer, p))
    expect(not problems, "%s:\n%s" % (name, "\n".join(problems)))


def make_check(path):
    def check():
        check_lesson(path)
    check.__name__ = "quiz_hidden_" + os.path.basename(path)[:2]
    check.__doc__ = "%s: every quiz's answer is hidden while it waits" % os.path.basename(path)
    return check


CHECKS = [make_check(p) for p in LESSONS]


def start(program, scratch_dir):
    global CONVSTEP, WORKDIR
    CONVSTEP, WORKDIR = program, scratch_dir


if __name__ == "__main__":
    sys.exit(tap.main(sys.argv, CHECKS, "convstep-quiz-", start))
