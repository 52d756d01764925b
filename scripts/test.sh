#!/usr/bin/env bash
# test.sh - builds convstep and runs the whole test suite twice: as built,
# and under AddressSanitizer + UndefinedBehaviorSanitizer (which also catch
# leaks). Ends with one line "N passed, N failed" counting every test case.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh || exit 1

export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1"
# Leaks inside third-party libraries (SDL's libdbus) are not convstep's: the
# file lists only such libraries.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

suite() {  # suite DIR [meson options...]
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >/dev/null || { echo "test.sh: meson setup $dir failed" >&2; return 1; }
  fi
  meson compile -C "$dir" >/dev/null || { meson compile -C "$dir"; return 1; }
  echo "== $dir"
  meson test -C "$dir" --print-errorlogs --no-rebuild --num-processes 2
}

status=0
suite build || status=1
# The browser test (tests/test_web.py, in the plain build's suite) skips when
# the web toolchain is missing: say so, with its reason, not just "SKIP".
web_status() {
  python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t.get("name", "").split(" / ")[-1] == "web":
        out = (t.get("stdout") or "").strip().split("\n")
        why = [l.split("# SKIP ", 1)[1] for l in out if l.startswith("1..0 # SKIP ")]
        print("web: skipped (%s)" % why[0] if t.get("result") == "SKIP" and why
              else "web: %s" % t.get("result", "?").lower())
PY
}
[ -f build/meson-logs/testlog.json ] && web_status
# Under the sanitizers the layout sweep checks two sizes at two zooms (the
# full sweep of every view and lesson step runs in the plain build above).
CONVSTEP_LAYOUT_QUICK=1 suite build-sanitize -Db_sanitize=address,undefined -Db_lundef=false || status=1
tsan() {
  if [ ! -f build-tsan/build.ninja ]; then
    CC=clang meson setup build-tsan -Db_sanitize=thread -Db_lundef=false >/dev/null ||
      { echo "test.sh: meson setup build-tsan failed" >&2; return 1; }
  fi
  meson compile -C build-tsan tests/test_live tests/test_crew >/dev/null ||
    { meson compile -C build-tsan tests/test_live tests/test_crew; return 1; }
  echo "== build-tsan (the training threads under ThreadSanitizer)"
  TSAN_OPTIONS="halt_on_error=1" meson test -C build-tsan --print-errorlogs --no-rebuild live crew
}
tsan || status=1
fuzz() {  # each libFuzzer target for 20 s on its seed corpus and regression inputs
  if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true >/dev/null ||
      { echo "test.sh: meson setup build-fuzz failed" >&2; return 1; }
  fi
  meson compile -C build-fuzz >/dev/null || { meson compile -C build-fuzz; return 1; }
  echo "== build-fuzz (libFuzzer targets)"
  meson test -C build-fuzz --print-errorlogs --no-rebuild --suite fuzz --num-processes 2
}
fuzz || status=1
monkey() {  # the real window of the sanitizer build, driven at random (tests/test_monkey.py)
  mkdir -p build-sanitize/meson-logs && rm -f build-sanitize/meson-logs/monkey.tap
  echo "== monkey (a random walk through the window of build-sanitize, on its own Xvfb)"
  python3 tests/test_monkey.py build-sanitize/app/convstep | tee build-sanitize/meson-logs/monkey.tap
  return "${PIPESTATUS[0]}"
}
monkey || status=1

# Count test cases (TAP lines) from both runs; a test program that died
# without reporting counts as one failure.
python3 - build build-sanitize build-tsan build-fuzz <<'PY'
import json, os, re, sys
passed = failed = 0
# The monkey stage's TAP (not a meson test: it runs once, on the sanitizer build).
monkey = os.path.join("build-sanitize", "meson-logs", "monkey.tap")
if os.path.exists(monkey):
    out = open(monkey).read()
    passed += len(re.findall(r"^ok\b", out, re.M))
    bad = len(re.findall(r"^not ok\b", out, re.M))
    failed += bad if bad or re.search(r"^ok\b", out, re.M) else 1
else:
    failed += 1
for d in sys.argv[1:]:
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        failed += 1
        continue
    for line in open(log):
        t = json.loads(line)
        out = t.get("stdout") or ""
        ok = len(re.findall(r"^ok\b", out, re.M))
        bad = len(re.findall(r"^not ok\b", out, re.M))
        good = t.get("result") in ("OK", "EXPECTEDFAIL", "SKIP")
        if not good and bad == 0:
            bad = 1
        if good and ok == 0 and bad == 0 and t.get("result") == "OK":
            ok = 1  # a test without TAP lines (the fuzzers) counts once
        passed += ok
        failed += bad
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
py=$?
[ $status -eq 0 ] && [ $py -eq 0 ]
