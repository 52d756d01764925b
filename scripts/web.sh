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
# in deps/ and deps-st/). The desktop build (build/) is not touched.
#
# convstep is built twice, and the site holds both; index.html picks one:
#   with threads (deps/, build-web/): convstep.js/.wasm, live training on a
#     worker thread; browsers allow that only in a cross-origin isolated page.
#   without (deps-st/, build-web-st/): convstep-st.js/.wasm, live training in
#     slices of the page's frames; any page, a plain static server included.
# wasm-ld links no objects with atomics (-pthread) to objects without, so the
# libraries are built twice too. The two builds share one convstep.data.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${CONVSTEP_WEB_CACHE:-$HOME/.cache/convstep-web}
SRC=$CACHE/src
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
# build_deps DEPS FLAG: the libraries into DEPS, every object compiled with FLAG: -pthread (atomics and
# shared memory, for the build with threads) or nothing (the build without). Each set has its own
# build folders in $SRC (wbuild-NAME, and wbuild-NAME-st for the set without threads).
build_deps() {
  local DEPS=$1 flag=$2 v= sdl_threads=ON
  [ -n "$flag" ] || v=-st sdl_threads=OFF
  export CFLAGS="$flag -O2" LDFLAGS="$flag"
  mkdir -p "$DEPS/lib/pkgconfig" "$DEPS/include" "$SRC/logs"
  local logs=$SRC/logs
  cm() { # name srcdir cmake-args...
    local n=$1 d=$2; shift 2
    echo "web.sh: building $n$v for wasm (logs in $logs)"
    emcmake cmake -S "$d" -B "$SRC/wbuild-$n$v" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$DEPS" \
      -DCMAKE_PREFIX_PATH="$DEPS" -DCMAKE_FIND_ROOT_PATH="$DEPS" -DBUILD_SHARED_LIBS=OFF "$@" \
      > "$logs/$n$v-cmake.txt" 2>&1
    cmake --build "$SRC/wbuild-$n$v" -j2 > "$logs/$n$v-build.txt" 2>&1
    cmake --install "$SRC/wbuild-$n$v" > "$logs/$n$v-install.txt" 2>&1
  }
  # zlib's CMake wants win32/ (removed by the dfsg): its own configure, which builds in the source
  # folder, so in a copy of it per set (make clean: the copy may hold the other set's objects).
  if [ ! -f "$DEPS/lib/libz.a" ]; then
    echo "web.sh: building zlib$v for wasm"
    rm -rf "$SRC/wbuild-zlib$v"
    cp -r "$(src_dir zlib)" "$SRC/wbuild-zlib$v"
    (cd "$SRC/wbuild-zlib$v" && emconfigure ./configure --static --prefix="$DEPS" > "$logs/zlib$v-configure.txt" 2>&1 &&
     make clean > /dev/null && emmake make -j2 libz.a > "$logs/zlib$v-build.txt" 2>&1 &&
     make install > "$logs/zlib$v-install.txt" 2>&1)
  fi
  # Without threads SDL uses its generic thread stubs (SDL_THREADS_DISABLED), as it supports on emscripten.
  [ -f "$DEPS/lib/libSDL2.a" ] || cm sdl "$(src_dir libsdl2)" -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF \
    -DSDL_PTHREADS=$sdl_threads
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
    echo "web.sh: building giflib$v for wasm"
    local d objs=()
    d=$(src_dir giflib)
    mkdir -p "$SRC/wbuild-gif$v"
    for f in dgif_lib egif_lib gifalloc gif_err gif_font gif_hash openbsd-reallocarray quantize; do
      emcc $flag -O2 -c "$d/$f.c" -o "$SRC/wbuild-gif$v/$f.o"
      objs+=("$SRC/wbuild-gif$v/$f.o")
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

have_deps() { # DEPS
  for l in libz libSDL2 libfreetype libSDL2_ttf libSDL2_image libgif; do
    [ -f "$1/lib/$l.a" ] || return 1
  done
  [ -f "$1/lib/pkgconfig/SDL2_ttf.pc" ] && [ -f "$1/lib/pkgconfig/SDL2_image.pc" ]
}

for libs in deps:-pthread deps-st:; do
  if ! have_deps "$CACHE/${libs%%:*}"; then
    fetch_sources
    t0=$SECONDS
    build_deps "$CACHE/${libs%%:*}" "${libs#*:}"
    echo "web.sh: the libraries of $CACHE/${libs%%:*} took $((SECONDS - t0)) s"
  fi
done

# ---- convstep ------------------------------------------------------------------------------------
# build_convstep DIR DEPS PTHREAD: convstep in DIR against the libraries in DEPS. A machine file beside
# them gives cross/emscripten.txt its constants: deps, and pthread (['-pthread'] or []).
build_convstep() {
  local dir=$1 deps=$2 pthread=$3 machine=$2.ini stamp t0=$SECONDS
  mkdir -p "$CACHE"
  printf "# Written by scripts/web.sh: this machine's wasm libraries, and threads or not.\n[constants]\ndeps = '%s'\npthread = %s\n" \
    "$deps" "$pthread" > "$machine.new"
  cmp -s "$machine.new" "$machine" && rm "$machine.new" || mv "$machine.new" "$machine"
  # Meson reads a cross file's options at setup only: a build set up with another machine file or
  # another cross file starts again.
  stamp="$machine $(cat "$machine" cross/emscripten.txt | cksum)"
  if [ -f "$dir/build.ninja" ] && [ "$(cat "$dir/convstep-web-cache.txt" 2> /dev/null)" != "$stamp" ]; then
    rm -rf "$dir"
  fi
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" --cross-file "$machine" --cross-file cross/emscripten.txt
    echo "$stamp" > "$dir/convstep-web-cache.txt"
  fi
  ninja -C "$dir" -j2
  echo "web.sh: $dir took $((SECONDS - t0)) s"
}
build_convstep $BUILD "$CACHE/deps" "['-pthread']"
build_convstep $BUILD-st "$CACHE/deps-st" "[]"

# ---- The site -------------------------------------------------------------------------------------
# Both builds under one index.html: convstep-st.js asks for "convstep.wasm" and "convstep.data" by name,
# and the page's Module.locateFile gives it convstep-st.wasm; the two .data files are made by the same
# packager from the same files, so one serves both (if they ever differ, the build without threads gets
# its own, named in its .js).
rm -rf $BUILD/site
mkdir -p $BUILD/site
cp web/index.html $BUILD/app/convstep.js $BUILD/app/convstep.wasm $BUILD/app/convstep.data $BUILD/site/
[ ! -f $BUILD/app/convstep.worker.js ] || cp $BUILD/app/convstep.worker.js $BUILD/site/
cp $BUILD-st/app/convstep.js $BUILD/site/convstep-st.js
cp $BUILD-st/app/convstep.wasm $BUILD/site/convstep-st.wasm
if ! cmp -s $BUILD/app/convstep.data $BUILD-st/app/convstep.data; then
  echo "web.sh: note: the two builds' convstep.data differ: the build without threads gets convstep-st.data"
  cp $BUILD-st/app/convstep.data $BUILD/site/convstep-st.data
  sed -i "s/'convstep\.data'/'convstep-st.data'/g" $BUILD/site/convstep-st.js
  if ! grep -q "'convstep-st\.data'" $BUILD/site/convstep-st.js; then
    echo "web.sh: error: convstep-st.js does not name convstep.data as expected: it cannot be given its own" >&2
    exit 1
  fi
fi
echo "web.sh: the site is in $BUILD/site:"
total=0 total_gz=0
declare -A raw_of gz_of  # each file's sizes, for the pages' totals below
for f in $BUILD/site/*; do
  name=$(basename "$f")
  raw_of[$name]=$(stat -c %s "$f")
  gz_of[$name]=$(gzip -9c "$f" | wc -c)
  total=$((total + raw_of[$name])) total_gz=$((total_gz + gz_of[$name]))
  printf "  %-22s %9d bytes, %9d gzipped\n" "$name" "${raw_of[$name]}" "${gz_of[$name]}"
done
printf "  %-22s %9d bytes, %9d gzipped\n" "all" "$total" "$total_gz"
# What each page loads: the isolated page one set, any other page the other.
for page in "isolated:convstep.js convstep.worker.js convstep.wasm convstep.data" \
            "not isolated:convstep-st.js convstep-st.wasm convstep-st.data"; do
  raw=${raw_of[index.html]} gz=${gz_of[index.html]}
  for name in ${page#*:}; do
    # The build without threads reads the shared convstep.data when it has none of its own.
    [ -n "${raw_of[$name]:-}" ] || [ "$name" != convstep-st.data ] || name=convstep.data
    [ -n "${raw_of[$name]:-}" ] || continue
    raw=$((raw + raw_of[$name])) gz=$((gz + gz_of[$name]))
  done
  printf "  a page %-15s loads %9d bytes, %9d gzipped\n" "${page%%:*}" "$raw" "$gz"
done
echo "web.sh: serve it with: scripts/web.sh --serve [PORT]   (then open http://127.0.0.1:PORT/);"
echo "        any static server works too, e.g. python3 -m http.server -d $BUILD/site (training in the page's frames)"
