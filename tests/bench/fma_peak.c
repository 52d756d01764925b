// fma_peak.c - one core's fp32 fused multiply-add peak, measured with
// register-only loops: 12 independent vector accumulators (more than FMA's
// latency times its issue ports, ~4 x 2, so the chains never wait on each
// other), no loads or stores inside the loop. scripts/bench.py prints the
// engine's achieved GFLOP/s as a fraction of it.
//   AVX-512: 12 zmm x 16 lanes x 2 flops per fmadd; AVX2: 12 ymm x 8 x 2.
// Prints one JSON object {"avx512": GFLOP/s or null, "avx2": ...}: the best
// of REPEATS timed runs (the peak is what the core can do, so the maximum).
// Usage: fma_peak [--iters N] (N loop trips per run, default 20 million).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPEATS 5
#define CHAINS 12

// This thread's CPU time: on a shared machine the wall clock would count the
// time other processes had the core, and the peak is what the core can do.
static double now_(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

// acc = acc * m + a, with m just below 1 and a small: the values stay finite
// (no denormals, no infinities) however long it runs. The sum of the lanes is
// returned so the compiler cannot drop the loop.
__attribute__((target("avx512f"), noinline)) static float run512_(long iters) {
    __m512 acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps(1.0f + (float)i * 0.01f);
    const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-6f);
    for (long it = 0; it < iters; it++) {
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], m, a);
    }
    __m512 s = acc[0];
    for (int i = 1; i < CHAINS; i++) s = _mm512_add_ps(s, acc[i]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"), noinline)) static float run256_(long iters) {
    __m256 acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps(1.0f + (float)i * 0.01f);
    const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-6f);
    for (long it = 0; it < iters; it++) {
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], m, a);
    }
    __m256 s = acc[0];
    for (int i = 1; i < CHAINS; i++) s = _mm256_add_ps(s, acc[i]);
    float l[8];
    _mm256_storeu_ps(l, s);
    return l[0] + l[1] + l[2] + l[3] + l[4] + l[5] + l[6] + l[7];
}

// Best GFLOP/s of REPEATS runs; lanes * 2 flops per fmadd.
static double best_(float (*run)(long), long iters, int lanes, float *sink) {
    double best = 0.0;
    run(iters / 10);  // warm up (clock ramps, AVX-512 licence)
    for (int r = 0; r < REPEATS; r++) {
        const double t0 = now_();
        *sink += run(iters);
        const double gflops = (double)iters * CHAINS * lanes * 2.0 / (now_() - t0) * 1e-9;
        if (gflops > best) best = gflops;
    }
    return best;
}
#endif

int main(int argc, char **argv) {
    long iters = 20000000;
    for (int i = 1; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--iters") == 0) iters = atol(argv[i + 1]);
    if (iters < 1000) {
        fprintf(stderr, "fma_peak: --iters must be at least 1000\n");
        return 1;
    }
    float sink = 0.0f;
    double p512 = -1.0, p256 = -1.0;
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx512f")) p512 = best_(run512_, iters, 16, &sink);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        p256 = best_(run256_, iters, 8, &sink);
#endif
    printf("{\"avx512\": ");
    p512 < 0 ? printf("null") : printf("%.1f", p512);
    printf(", \"avx2\": ");
    p256 < 0 ? printf("null") : printf("%.1f", p256);
    // The accumulators' sum: printed so no compiler can call the loops dead.
    printf(", \"checksum\": %.3g}\n", (double)sink);
    return 0;
}
