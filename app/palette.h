// palette.h - the colours that carry meaning on screen (the sliding window,
// the current tap, a pooling winner, a lesson's highlight, right and wrong,
// the value scales), in two palettes: the usual one and one safe for
// red-green colour blindness (Ctrl+K / --colorblind). No SDL: the test
// checks the pairs that must stay apart under simulated deuteranopia and
// protanopia (tests/test_palette.c).
#ifndef APP_PALETTE_H
#define APP_PALETTE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rgb {
    uint8_t r, g, b;
} rgb;

typedef struct palette {
    rgb window;    // the frame of the window the kernel covers (and, dashed, where it was a step before)
    rgb tap;       // the input cell being multiplied now
    rgb winner;    // a pooling window's maximum
    rgb mark;      // what a lesson points at
    rgb good, bad; // a right guess, a wrong one (labels, the mistakes gallery)
    rgb negative, positive;  // the ends of the diverging value scale (white in the middle)
    rgb count_low, count_high;  // the single-hue scale of counts (the confusion matrix)
    rgb kept;      // a training run kept to compare (its dashed curves beside the live ones)
} palette;

// The palette in use: the usual one, or the colour-blind-safe one.
const palette *palette_get(bool colorblind);

// The diverging colour of v in [-1, 1] (clamped): negative - white -
// positive; NaN gives the neutral grey of padding.
rgb palette_diverging(const palette *p, float v);

// The count scale at t in [0, 1] (clamped): count_low to count_high.
rgb palette_count(const palette *p, float t);

#endif
