// palette.c - the two palettes (see palette.h). The usual one keeps the
// blue-white-red value scale of the lecture slides; the colour-blind one
// uses purple-white-orange, so the window frame there turns from orange
// (it would vanish on high values) to near-black, and the tap to gold.
#include "palette.h"

#include <math.h>

static const palette usual_ = {
    .window = {226, 110, 20},
    .tap = {20, 22, 28},
    .winner = {0, 140, 90},
    .mark = {140, 40, 200},
    .good = {0, 140, 90},
    .bad = {200, 40, 40},
    .negative = {33, 102, 172},
    .positive = {178, 24, 43},
    .count_low = {255, 255, 255},
    .count_high = {8, 48, 107},
    // Blue: far from the live curves' orange, green and grey seen normally
    // and through deuteranopia and protanopia (over 55 CIELAB units).
    .kept = {40, 80, 200},
};

// Chosen by the test's own measure: every meaning colour at least 20 CIELAB
// units from every colour of the value scale and from each other, seen
// normally and through deuteranopia and protanopia.
static const palette colorblind_ = {
    .window = {20, 22, 28},
    .tap = {255, 200, 0},
    .winner = {0, 80, 40},
    .mark = {128, 128, 128},
    .good = {0, 114, 178},
    .bad = {213, 94, 0},
    .negative = {94, 60, 153},
    .positive = {230, 97, 1},
    .count_low = {255, 255, 255},
    .count_high = {8, 48, 107},
    // Blue: far from the live curves' orange, green and grey seen normally
    // and through deuteranopia and protanopia (over 55 CIELAB units).
    .kept = {40, 80, 200},
};

const palette *palette_get(bool colorblind) { return colorblind ? &colorblind_ : &usual_; }

// a to b at t, truncated as the frames drawn before this module were.
static rgb mix_(rgb a, rgb b, float t) {
    return (rgb){(uint8_t)(a.r + (b.r - a.r) * t), (uint8_t)(a.g + (b.g - a.g) * t), (uint8_t)(a.b + (b.b - a.b) * t)};
}

rgb palette_diverging(const palette *p, float v) {
    if (isnan(v)) return (rgb){222, 224, 230};
    const float t = fabsf(v) > 1.0f ? 1.0f : fabsf(v);
    return mix_((rgb){255, 255, 255}, v < 0 ? p->negative : p->positive, t);
}

rgb palette_count(const palette *p, float t) {
    if (!(t >= 0.0f)) t = 0.0f;  // also NaN
    if (t > 1.0f) t = 1.0f;
    return mix_(p->count_low, p->count_high, t);
}
