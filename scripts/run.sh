#!/usr/bin/env bash
# run.sh - installs what is missing, builds convstep and runs it with the
# arguments given (none: the program's start screen; with no display, its help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null
exec build/app/convstep "$@"
