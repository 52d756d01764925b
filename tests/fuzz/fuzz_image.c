// fuzz_image.c - app_image_load (app/image_load.h, through SDL2_image) on a
// temporary file holding the input, then app_digit_prepare (app/digit.h) on
// the picture it loaded.
//
// The temporary file is named *.tga: app_image_load now tells the format by
// the file's first bytes (PNG, BMP, PGM/PPM), but a loader that goes by the
// name, as IMG_Load did, would read TGA too, and the regression inputs of the
// tiny TGAs that asked for gigabytes must stay refused.
// SDL2_image and the codec libraries are not instrumented, so coverage comes
// from convstep's code and the seeds' variety.
#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "digit.h"
#include "fuzz_common.h"
#include "image_load.h"

static const char *path_;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > (1u << 20)) return 0;
    if (!path_) path_ = fuzz_temp_path("fuzz.tga");
    fuzz_write_file(path_, data, size);
    app_gray_image img;
    char err[1024];
    const bool ok = app_image_load(path_, &img, err, sizeof err);
    FUZZ_REPORT("image", ok, err);
    if (ok) {
        if (img.w < 1 || img.h < 1 || !img.v) abort();
        float out[DIGIT_SIDE * DIGIT_SIDE];
        app_digit_info info;
        const bool prepared = app_digit_prepare(&img, out, &info, err, sizeof err);
        FUZZ_REPORT("digit", prepared, err);
        if (prepared) {
            // Ink from 0 to 1 (area averages may round a hair past 1).
            for (int i = 0; i < DIGIT_SIDE * DIGIT_SIDE; i++)
                if (!(out[i] >= 0.0f && out[i] <= 1.0f + 1e-5f)) abort();
        }
        app_gray_image_free(&img);
    }
    return 0;
}
