// image_load.h - reading PNG, BMP, PGM/PPM (and whatever else SDL2_image
// reads) into a grey image. Uses SDL2_image; no video is initialised.
#ifndef APP_IMAGE_LOAD_H
#define APP_IMAGE_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "digit.h"

// Loads `path` as grey values in [0, 1]; transparent pixels count as white
// paper. False with a message naming the file otherwise.
bool app_image_load(const char *path, app_gray_image *out, char *err, size_t errsize);

#endif
