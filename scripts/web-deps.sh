#!/bin/bash
# Experimental (stop 25): builds convstep's libraries for wasm from Debian's source packages
# (apt-get source libsdl2 libsdl2-ttf libsdl2-image freetype giflib zlib=1:1.2.13.dfsg-1,
# with a deb-src line) into /work/cache/wasm-deps. The seed of scripts/web.sh (issue 17).
set -e
export NODE_PATH=/usr/share/nodejs
# Live training runs in a thread: every object needs atomics and shared memory (-pthread).
export CFLAGS="-pthread -O2" LDFLAGS="-pthread"
P=/work/cache/wasm-deps
S=/work/cache/wasm-src
mkdir -p $P/lib/pkgconfig $P/include
cd $S
cm() { # name srcdir cmake-args...
  local n=$1 d=$2; shift 2
  emcmake cmake -S $d -B wbuild-$n -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$P \
      -DCMAKE_PREFIX_PATH=$P -DCMAKE_FIND_ROOT_PATH=$P -DBUILD_SHARED_LIBS=OFF "$@" > wlog-$n-cmake.txt 2>&1
  cmake --build wbuild-$n -j2 > wlog-$n-build.txt 2>&1
  cmake --install wbuild-$n > wlog-$n-install.txt 2>&1
  echo "built $n"
}
if [ ! -f $P/lib/libz.a ]; then  # zlib's CMake wants win32/ (removed by the dfsg): its own configure
  (cd zlib-1.2.13.dfsg && emconfigure ./configure --static --prefix=$P > ../wlog-zlib-cmake.txt 2>&1 &&
   emmake make -j2 libz.a > ../wlog-zlib-build.txt 2>&1 && make install > ../wlog-zlib-install.txt 2>&1)
  echo "built zlib"
fi
[ -f $P/lib/libSDL2.a ] || cm sdl libsdl2-2.26.5+dfsg -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF -DSDL_PTHREADS=ON
[ -f $P/lib/libfreetype.a ] || cm freetype freetype-2.12.1+dfsg -DFT_DISABLE_HARFBUZZ=ON -DFT_DISABLE_BZIP2=ON \
    -DFT_DISABLE_PNG=ON -DFT_DISABLE_BROTLI=ON -DFT_REQUIRE_ZLIB=ON
[ -f $P/lib/libSDL2_ttf.a ] || cm ttf libsdl2-ttf-2.20.1+dfsg -DSDL2TTF_SAMPLES=OFF -DSDL2TTF_VENDORED=OFF \
    -DSDL2TTF_HARFBUZZ=OFF -DSDL2_DIR=$P/lib/cmake/SDL2
[ -f $P/lib/libSDL2_image.a ] || cm image libsdl2-image-2.6.3+dfsg -DSDL2IMAGE_SAMPLES=OFF -DSDL2IMAGE_VENDORED=OFF \
    -DSDL2IMAGE_BACKEND_STB=ON -DSDL2IMAGE_DEPS_SHARED=OFF -DSDL2IMAGE_JPG=OFF -DSDL2IMAGE_TIF=OFF -DSDL2IMAGE_WEBP=OFF \
    -DSDL2IMAGE_AVIF=OFF -DSDL2IMAGE_JXL=OFF -DSDL2_DIR=$P/lib/cmake/SDL2
# giflib: a Makefile only; its library is eight C files.
if [ ! -f $P/lib/libgif.a ]; then
  (cd giflib-5.2.1 && for f in dgif_lib egif_lib gifalloc gif_err gif_font gif_hash openbsd-reallocarray quantize; do
     emcc -pthread -O2 -c $f.c -o /tmp/gif-$f.o; done && emar rcs $P/lib/libgif.a /tmp/gif-*.o && cp gif_lib.h $P/include/)
  echo "built giflib"
fi
# SDL2_ttf's and SDL2_image's CMake builds install only CMake configs: pkg-config files for Meson.
for n in SDL2_ttf:freetype2 SDL2_image:; do
  name=${n%%:*}; req=${n#*:}
  cat > $P/lib/pkgconfig/$name.pc <<PC
prefix=$P
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
ls $P/lib
