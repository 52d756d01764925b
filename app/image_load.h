// image_load.h - reading PNG, BMP and PGM/PPM pictures into a grey image.
// Uses SDL2_image; no video is initialised.
#ifndef APP_IMAGE_LOAD_H
#define APP_IMAGE_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "digit.h"

// Loads `path` as grey values in [0, 1]; transparent pixels count as white
// paper. The file is read once into memory (at most 257 MiB), so named pipes
// and /dev/stdin work; its header must announce at most 8192 pixels a side,
// checked before any decoder runs. False with one line naming the file
// (control characters escaped) otherwise; a decoding library's own messages
// (libpng's) are folded into that line instead of printed.
bool app_image_load(const char *path, app_gray_image *out, char *err, size_t errsize);

#endif
