#!/usr/bin/env bash
# deps.sh - installs the Debian/Ubuntu packages convstep needs to build and
# test, only those that are missing. Uses sudo when not run as root.
set -euo pipefail

# Build: compiler, Meson, Ninja, pkg-config, zlib (the gzip-compressed digits),
# SDL2 and SDL2_image (the window; PNG/BMP/PGM pictures for classify), giflib
# (the animated GIFs of --gif).
# Tests: cmocka, python3 (which Meson itself runs on, and which drives the
# command-line tests), clang with its sanitizer runtimes (ThreadSanitizer and
# the fuzz targets), valgrind; Xvfb and xdotool drive a real window in the
# monkey test; qemu-user runs the program on an emulated older CPU (no AVX-512,
# no AVX) in tests/test_cpu_kinds.py.
packages=(gcc libc6-dev meson ninja-build pkg-config libcmocka-dev python3 zlib1g-dev
          libsdl2-dev libsdl2-image-dev libsdl2-ttf-dev libgif-dev
          clang libclang-rt-dev valgrind
          xvfb xauth xdotool qemu-user)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
