#!/bin/sh
# screenshots.sh - the README's pictures, drawn by convstep's headless mode
# (the same drawing code as the window, on a software surface), so they
# always show the program as it is:
#
#     scripts/screenshots.sh [OUT_DIR]        (default docs/screenshots)
#
# CONVSTEP names the program (default build/app/convstep; `meson setup
# build && meson compile -C build` makes it). Every picture is 1280x720 at
# zoom 100, and deterministic: training runs a fixed number of steps from
# the fixed seed. When optipng is installed the PNGs are recompressed
# losslessly. Exits non-zero, naming the picture, if one cannot be made.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
prog=${CONVSTEP:-$root/build/app/convstep}
out=${1:-$root/docs/screenshots}
size=1280x720

if [ ! -x "$prog" ]; then
    echo "screenshots.sh: $prog is not a program (build it, or set CONVSTEP)" >&2
    exit 2
fi
mkdir -p "$out"
# The program finds its assets and lessons from the repository's root.
cd "$root"

# shot NAME ARGS...: one view, drawn headless, written to OUT/NAME.png.
shot() {
    name=$1
    shift
    if ! "$prog" view "$@" --headless --window "$size" --screenshot "$out/$name.png" >/dev/null; then
        echo "screenshots.sh: could not draw $name.png ($prog view $*)" >&2
        exit 1
    fi
}

shot home home
# The convolution part-way: four cells done, the fifth's products appearing.
shot conv conv --steps 4 --play-seconds 0.3
shot pool pool --steps 5
shot training train --train-steps 300
shot templates templates --train-steps 200
shot cnn cnn
# LeNet-5 after 300 steps, a dense unit selected: the edges of its strongest inputs.
shot network network --model lenet5 --train-steps 300 --select 8:17
# A 7 drawn with two strokes, as a mouse would (canvas pixels 0..111).
shot draw draw --strokes '28,24 84,24; 84,24 44,96'
# The transposed convolution's second stamp, beside its equivalent convolution.
shot convt convt --steps 2
# Backpropagation, step 14: dL/dX(1, 0) from the padded dY and the rotated kernel.
shot backprop backprop --steps 14
# Pooling's backward pass: the last dY routed (max to the winner, average spread).
shot poolback pool --backward --steps 12

# A lesson's step with its quiz: lesson 02, step 1.
slides=$(mktemp -d "${TMPDIR:-/tmp}/convstep-slides.XXXXXX")
trap 'rm -rf "$slides"' EXIT
if ! "$prog" lesson lessons/02-what-is-a-convolution.lesson --headless --window "$size" --export "$slides" >/dev/null; then
    echo "screenshots.sh: could not play lessons/02-what-is-a-convolution.lesson" >&2
    exit 1
fi
cp "$slides/slide-01.png" "$out/lesson.png"

if command -v optipng >/dev/null 2>&1; then
    optipng -quiet -o2 "$out"/*.png
fi
ls "$out"/*.png
