// rng.c - xoshiro128** (Blackman and Vigna, public domain) seeded with splitmix64.
#include "rng.h"

#include <math.h>

static uint64_t splitmix64_(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void nn_rng_seed(nn_rng *r, uint64_t seed) {
    uint64_t a = splitmix64_(&seed), b = splitmix64_(&seed);
    r->s[0] = (uint32_t)a;
    r->s[1] = (uint32_t)(a >> 32);
    r->s[2] = (uint32_t)b;
    r->s[3] = (uint32_t)(b >> 32);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) r->s[0] = 1;  // never all zero
}

static uint32_t rotl_(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

uint32_t nn_rng_u32(nn_rng *r) {
    uint32_t *s = r->s;
    const uint32_t result = rotl_(s[1] * 5, 7) * 9;
    const uint32_t t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl_(s[3], 11);
    return result;
}

uint32_t nn_rng_below(nn_rng *r, uint32_t n) {
    // Lemire's multiply-shift with rejection: exact, no modulo bias.
    uint64_t m = (uint64_t)nn_rng_u32(r) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)nn_rng_u32(r) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

float nn_rng_float(nn_rng *r) { return (float)(nn_rng_u32(r) >> 8) * (1.0f / 16777216.0f); }

float nn_rng_uniform(nn_rng *r, float lo, float hi) {
    const float v = lo + (hi - lo) * nn_rng_float(r);
    return v < hi ? v : nextafterf(hi, lo);  // rounding can reach hi; the range excludes it
}

void nn_rng_shuffle(nn_rng *r, int *idx, int n) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)nn_rng_below(r, (uint32_t)i + 1);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
