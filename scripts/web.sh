#!/bin/bash
# web.sh - convstep in a browser (issue 17): the same C program built as
# WebAssembly with Debian's emscripten, into build-web/site/.
#
#   scripts/web.sh                 install what is missing, build the libraries once, build the site
#   scripts/web.sh --serve [PORT]  serve build-web/site on http://127.0.0.1:PORT/ (default 8000)
#
# Emscripten's SDL2 "ports" download from the internet; here the libraries
# (zlib, SDL2, freetype, SDL2_ttf, SDL2_image, giflib) are built for wasm from
# Debian's own source packages, once, into the cache folder
# ${CONVSTEP_WEB_CACHE:-$HOME/.cache/convstep-web} (sources in src/, libraries
# in deps/). The desktop build (build/) is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${CONVSTEP_WEB_CACHE:-$HOME/.cache/convstep-web}
SRC=$CACHE/src
DEPS=$CACHE/deps
BUILD=build-web
# Debian's emcc needs Debian's node modules (acorn) even when another Node.js comes first.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

if [ "${1:-}" = "--serve" ]; then
  PORT=${2:-8000}
  if [ ! -f $BUILD/site/index.html ]; then
    echo "web.sh: there is no site in $BUILD/site yet: run scripts/web.sh first" >&2
    exit 1
  fi
  if [ ! -f scripts/web_serve.py ]; then
    echo "web.sh: scripts/web_serve.py is missing (it serves the site with the isolation headers)" >&2
    exit 1
  fi
  exec python3 scripts/web_serve.py $BUILD/site --port "$PORT"
fi
if [ $# -gt 0 ]; then
  echo "usage: scripts/web.sh [--serve [PORT]]" >&2
  exit 1
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# ---- The tools ---------------------------------------------------------------------------------
# command:package pairs; chromium only drives the browser test (skipped when it is missing).
missing=()
for pair in emcc:emscripten cmake:cmake pkg-config:pkg-config python3:python3 meson:meson ninja:ninja-build \
            dpkg-source:dpkg-dev gzip:gzip chromium:chromium; do
  command -v "${pair%%:*}" > /dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "web.sh: installing ${missing[*]}"
  $SUDO apt-get update
  tools=()
  for p in "${missing[@]}"; do [ "$p" = chromium ] || tools+=("$p"); done
  [ ${#tools[@]} -eq 0 ] || $SUDO apt-get install -y "${tools[@]}"
  # chromium alone may be absent (Ubuntu ships it as a snap): the site builds without it.
  [ ${#tools[@]} -eq ${#missing[@]} ] || $SUDO apt-get install -y chromium ||
    echo "web.sh: note: chromium could not be installed: the browser test will be skipped"
fi

# ---- Debian's sources of the libraries ----------------------------------------------------------
# The versions checked to build (Debian bookworm); another suite's versions are taken when these are not there.
PINNED="libsdl2=2.26.5+dfsg-1 libsdl2-ttf=2.20.1+dfsg-2 libsdl2-image=2.6.3+dfsg-1
        freetype=2.12.1+dfsg-5+deb12u4 giflib=5.2.1-2.5+deb12u1 zlib=1:1.2.13.dfsg-1"
# The unpacked source folder of a package (its name, a dash, a digit), or nothing.
src_dir() { ls -d "$SRC/$1"-[0-9]* 2> /dev/null | head -1; }

# A deb-src line for this system's suite, when apt has none.
add_deb_src() {
  if apt-get source --print-uris zlib > /dev/null 2>&1; then return; fi
  . /etc/os-release
  local list=/etc/apt/sources.list.d/convstep-deb-src.list
  case "$ID" in
    ubuntu) echo "deb-src http://archive.ubuntu.com/ubuntu $VERSION_CODENAME main universe" | $SUDO tee $list ;;
    *) printf 'deb-src http://deb.debian.org/debian %s main\ndeb-src http://deb.debian.org/debian-security %s-security main\n' \
         "$VERSION_CODENAME" "$VERSION_CODENAME" | $SUDO tee $list ;;
  esac
  $SUDO apt-get update
}

fetch_sources() {
  mkdir -p "$SRC"
  local need=()
  for p in $PINNED; do
    [ -n "$(src_dir "${p%%=*}")" ] || need+=("$p")
  done
  [ ${#need[@]} -gt 0 ] || return 0
  add_deb_src
  for p in "${need[@]}"; do
    (cd "$SRC" && { apt-get source "$p" || apt-get source "${p%%=*}"; }) > "$SRC/fetch-${p%%=*}.txt" 2>&1 || {
      echo "web.sh: error: apt-get source ${p%%=*} failed (see $SRC/fetch-${p%%=*}.txt)" >&2
      exit 1
    }
    echo "web.sh: fetched the source of ${p%%=*}"
  done
}

# ---- The libraries, built for wasm once ----------------------------------------------------------
# Live training runs in a thread: every object needs atomics and shared memory (-pthread).
build_deps() {
  export CFLAGS="-pthread -O2" LDFLAGS="-pthread"
  mkdir -p "$DEPS/lib/pkgconfig" "$DEPS/include" "$SRC/logs"
  local logs=$SRC/logs
  cm() { # name srcdir cmake-args...
    local n=$1 d=$2; shift 2
    echo "web.sh: building $n for wasm (logs in $logs)"
    emcmake cmake -S "$d" -B "$SRC/wbuild-$n" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$DEPS" \
      -DCMAKE_PREFIX_PATH="$DEPS" -DCMAKE_FIND_ROOT_PATH="$DEPS" -DBUILD_SHARED_LIBS=OFF "$@" > "$logs/$n-cmake.txt" 2>&1
    cmake --build "$SRC/wbuild-$n" -j2 > "$logs/$n-build.txt" 2>&1
    cmake --install "$SRC/wbuild-$n" > "$logs/$n-install.txt" 2>&1
  }
  if [ ! -f "$DEPS/lib/libz.a" ]; then  # zlib's CMake wants win32/ (removed by the dfsg): its own configure
    echo "web.sh: building zlib for wasm"
    (cd "$(src_dir zlib)" && emconfigure ./configure --static --prefix="$DEPS" > "$logs/zlib-configure.txt" 2>&1 &&
     emmake make -j2 libz.a > "$logs/zlib-build.txt" 2>&1 && make install > "$logs/zlib-install.txt" 2>&1)
  fi
  [ -f "$DEPS/lib/libSDL2.a" ] || cm sdl "$(src_dir libsdl2)" -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF \
    -DSDL_PTHREADS=ON
  [ -f "$DEPS/lib/libfreetype.a" ] || cm freetype "$(src_dir freetype)" -DFT_DISABLE_HARFBUZZ=ON \
    -DFT_DISABLE_BZIP2=ON -DFT_DISABLE_PNG=ON -DFT_DISABLE_BROTLI=ON -DFT_REQUIRE_ZLIB=ON
  [ -f "$DEPS/lib/libSDL2_ttf.a" ] || cm ttf "$(src_dir libsdl2-ttf)" -DSDL2TTF_SAMPLES=OFF -DSDL2TTF_VENDORED=OFF \
    -DSDL2TTF_HARFBUZZ=OFF -DSDL2_DIR="$DEPS/lib/cmake/SDL2"
  # PNG through stb (inside SDL2_image): no libpng to build.
  [ -f "$DEPS/lib/libSDL2_image.a" ] || cm image "$(src_dir libsdl2-image)" -DSDL2IMAGE_SAMPLES=OFF \
    -DSDL2IMAGE_VENDORED=OFF -DSDL2IMAGE_BACKEND_STB=ON -DSDL2IMAGE_DEPS_SHARED=OFF -DSDL2IMAGE_JPG=OFF \
    -DSDL2IMAGE_TIF=OFF -DSDL2IMAGE_WEBP=OFF -DSDL2IMAGE_AVIF=OFF -DSDL2IMAGE_JXL=OFF -DSDL2_DIR="$DEPS/lib/cmake/SDL2"
  # giflib: a Makefile only; its library is eight C files.
  if [ ! -f "$DEPS/lib/libgif.a" ]; then
    echo "web.sh: building giflib for wasm"
    local d objs=()
    d=$(src_dir giflib)
    mkdir -p "$SRC/wbuild-gif"
    for f in dgif_lib egif_lib gifalloc gif_err gif_font gif_hash openbsd-reallocarray quantize; do
      emcc -pthread -O2 -c "$d/$f.c" -o "$SRC/wbuild-gif/$f.o"
      objs+=("$SRC/wbuild-gif/$f.o")
    done
    emar rcs "$DEPS/lib/libgif.a" "${objs[@]}"
    cp "$d/gif_lib.h" "$DEPS/include/"
  fi
  # SDL2_ttf's and SDL2_image's CMake builds install only CMake configs: pkg-config files for Meson.
  for n in SDL2_ttf:freetype2 SDL2_image:; do
    local name=${n%%:*} req=${n#*:}
    [ -f "$DEPS/lib/pkgconfig/$name.pc" ] || cat > "$DEPS/lib/pkgconfig/$name.pc" << PC
prefix=$DEPS
libdir=\${prefix}/lib
includedir=\${prefix}/include
Name: $name
Description: $name built for wasm from Debian's sources
Version: 2
Requires: sdl2 $req
Libs: -L\${libdir} -l$name
Cflags: -I\${includedir}/SDL2
PC
  done
  unset CFLAGS LDFLAGS
}

have_deps() {
  for l in libz libSDL2 libfreetype libSDL2_ttf libSDL2_image libgif; do
    [ -f "$DEPS/lib/$l.a" ] || return 1
  done
  [ -f "$DEPS/lib/pkgconfig/SDL2_ttf.pc" ] && [ -f "$DEPS/lib/pkgconfig/SDL2_image.pc" ]
}

if ! have_deps; then
  fetch_sources
  build_deps
fi

# ---- convstep ------------------------------------------------------------------------------------
# Where the libraries are, for cross/emscripten.txt (a Meson constant of this machine).
mkdir -p "$CACHE"
MACHINE=$CACHE/deps.ini
printf "# Written by scripts/web.sh: where this machine's wasm libraries are.\n[constants]\ndeps = '%s'\n" "$DEPS" \
  > "$MACHINE.new"
cmp -s "$MACHINE.new" "$MACHINE" && rm "$MACHINE.new" || mv "$MACHINE.new" "$MACHINE"
# A build set up with another cache's machine file starts again.
if [ -f $BUILD/build.ninja ] && [ "$(cat $BUILD/convstep-web-cache.txt 2> /dev/null)" != "$MACHINE" ]; then
  rm -rf $BUILD
fi
if [ ! -f $BUILD/build.ninja ]; then
  meson setup $BUILD --cross-file "$MACHINE" --cross-file cross/emscripten.txt
  echo "$MACHINE" > $BUILD/convstep-web-cache.txt
fi
ninja -C $BUILD -j2

# ---- The site -------------------------------------------------------------------------------------
rm -rf $BUILD/site
mkdir -p $BUILD/site
cp web/index.html $BUILD/app/convstep.js $BUILD/app/convstep.wasm $BUILD/app/convstep.data $BUILD/site/
[ ! -f $BUILD/app/convstep.worker.js ] || cp $BUILD/app/convstep.worker.js $BUILD/site/
echo "web.sh: the site is in $BUILD/site:"
total=0 total_gz=0
for f in $BUILD/site/*; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9c "$f" | wc -c)
  total=$((total + raw)) total_gz=$((total_gz + gz))
  printf "  %-22s %9d bytes, %9d gzipped\n" "$(basename "$f")" "$raw" "$gz"
done
printf "  %-22s %9d bytes, %9d gzipped\n" "all" "$total" "$total_gz"
echo "web.sh: serve it with: scripts/web.sh --serve [PORT]   (then open http://127.0.0.1:PORT/)"
