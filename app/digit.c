// digit.c - MNIST-style preparation of a digit picture.
#include "digit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_float_(const void *a, const void *b) {
    const float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

// The median of the pixels on the picture's outer frame: the paper's shade.
static float border_median_(const app_gray_image *img) {
    const int n = img->h == 1 || img->w == 1 ? img->w * img->h : 2 * (img->w + img->h) - 4;
    float *b = malloc(sizeof(float) * (size_t)n);
    if (!b) return 0.0f;
    int k = 0;
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++)
            if (y == 0 || x == 0 || y == img->h - 1 || x == img->w - 1) b[k++] = img->v[(size_t)y * img->w + x];
    qsort(b, (size_t)k, sizeof *b, cmp_float_);
    const float m = b[k / 2];
    free(b);
    return m;
}

// Area-weighted resampling of src (sw x sh) into dst (dw x dh): each output
// pixel is the average of the input area it covers (fractions included), the
// anti-aliased scaling MNIST's digits went through.
static void resample_(const float *src, int sw, int sh, float *dst, int dw, int dh) {
    const double fx = (double)sw / dw, fy = (double)sh / dh;
    for (int oy = 0; oy < dh; oy++) {
        const double y0 = oy * fy, y1 = y0 + fy;
        for (int ox = 0; ox < dw; ox++) {
            const double x0 = ox * fx, x1 = x0 + fx;
            double sum = 0.0, area = 0.0;
            for (int y = (int)y0; y < sh && y < y1; y++) {
                const double wy = fmin(y + 1.0, y1) - fmax((double)y, y0);
                if (wy <= 0) continue;
                for (int x = (int)x0; x < sw && x < x1; x++) {
                    const double wx = fmin(x + 1.0, x1) - fmax((double)x, x0);
                    if (wx <= 0) continue;
                    sum += wx * wy * src[(size_t)y * sw + x];
                    area += wx * wy;
                }
            }
            dst[(size_t)oy * dw + ox] = area > 0 ? (float)(sum / area) : 0.0f;
        }
    }
}

bool app_digit_prepare(const app_gray_image *img, float *out, app_digit_info *info, char *err,
                       size_t errsize) {
    memset(info, 0, sizeof *info);
    if (img->w < 1 || img->h < 1) {
        snprintf(err, errsize, "the picture is empty");
        return false;
    }
    const size_t n = (size_t)img->w * img->h;
    float *ink = malloc(sizeof(float) * n);
    if (!ink) {
        snprintf(err, errsize, "out of memory for a %dx%d picture", img->w, img->h);
        return false;
    }
    // Ink is bright in MNIST: turn dark-on-light pictures around, then make
    // the paper 0 and the strongest ink 1.
    const float paper = border_median_(img);
    info->inverted = paper > 0.5f;
    float hi = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float v = info->inverted ? 1.0f - img->v[i] : img->v[i];
        const float p = info->inverted ? 1.0f - paper : paper;
        v = v > p ? v - p : 0.0f;
        ink[i] = v;
        if (v > hi) hi = v;
    }
    if (hi < 0.1f) {
        free(ink);
        snprintf(err, errsize, "no ink found: the picture is a single shade (draw a digit darker "
                               "or lighter than its background)");
        return false;
    }
    for (size_t i = 0; i < n; i++) ink[i] /= hi;

    // The ink's bounding box: pixels at least a fifth of the strongest.
    int x0 = img->w, y0 = img->h, x1 = -1, y1 = -1;
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++)
            if (ink[(size_t)y * img->w + x] >= 0.2f) {
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
    const int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    info->ink_x = x0;
    info->ink_y = y0;
    info->ink_w = bw;
    info->ink_h = bh;

    // Scale the box so its longer side is 20, keeping the aspect ratio.
    const double scale = (double)DIGIT_BOX / (bw > bh ? bw : bh);
    int dw = (int)lround(bw * scale), dh = (int)lround(bh * scale);
    if (dw < 1) dw = 1;
    if (dh < 1) dh = 1;
    info->box_w = dw;
    info->box_h = dh;
    float *crop = malloc(sizeof(float) * (size_t)bw * bh);
    float *box = malloc(sizeof(float) * (size_t)dw * dh);
    if (!crop || !box) {
        free(ink);
        free(crop);
        free(box);
        snprintf(err, errsize, "out of memory");
        return false;
    }
    for (int y = 0; y < bh; y++)
        memcpy(crop + (size_t)y * bw, ink + (size_t)(y0 + y) * img->w + x0, sizeof(float) * (size_t)bw);
    resample_(crop, bw, bh, box, dw, dh);

    // Centre of mass of the box, then shift it to the middle of 28x28.
    double mass = 0, mx = 0, my = 0;
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            const double v = box[(size_t)y * dw + x];
            mass += v;
            mx += v * x;
            my += v * y;
        }
    mx = mass > 0 ? mx / mass : (dw - 1) / 2.0;
    my = mass > 0 ? my / mass : (dh - 1) / 2.0;
    const int ox = (int)lround((DIGIT_SIDE - 1) / 2.0 - mx);
    const int oy = (int)lround((DIGIT_SIDE - 1) / 2.0 - my);
    memset(out, 0, sizeof(float) * DIGIT_SIDE * DIGIT_SIDE);
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            const int ty = y + oy, tx = x + ox;
            if (ty >= 0 && tx >= 0 && ty < DIGIT_SIDE && tx < DIGIT_SIDE)
                out[ty * DIGIT_SIDE + tx] = box[(size_t)y * dw + x];
        }
    info->com_x = (float)(mx + ox);
    info->com_y = (float)(my + oy);
    free(ink);
    free(crop);
    free(box);
    return true;
}

void app_gray_image_free(app_gray_image *img) {
    free(img->v);
    img->v = NULL;
}
