// rng.h - seeded random numbers that are the same on every platform:
// xoshiro128** seeded through splitmix64, integers and floats made from bits
// alone (no libm), so a seed reproduces a training run anywhere.
#ifndef NN_RNG_H
#define NN_RNG_H

#include <stdint.h>

typedef struct nn_rng {
    uint32_t s[4];
} nn_rng;

// Seeds the generator; every seed (0 included) gives a good state.
void nn_rng_seed(nn_rng *r, uint64_t seed);
// The next 32 random bits.
uint32_t nn_rng_u32(nn_rng *r);
// A uniform integer in [0, n), n >= 1, without modulo bias.
uint32_t nn_rng_below(nn_rng *r, uint32_t n);
// A uniform float in [0, 1) with 24 random bits.
float nn_rng_float(nn_rng *r);
// A uniform float in [lo, hi).
float nn_rng_uniform(nn_rng *r, float lo, float hi);
// Shuffles idx[0..n) in place (Fisher-Yates).
void nn_rng_shuffle(nn_rng *r, int *idx, int n);

#endif
