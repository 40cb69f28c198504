/* rng.c - xoshiro256** seeded with splitmix64: the same numbers on every
 * platform, so the sample runs regenerate exactly.
 * Layer: tools (sample trainer). License: MIT. */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

void tr_rng_seed(TrRng *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint64_t tr_rng_next(TrRng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double tr_rng_uniform(TrRng *r) {
    return (double)(tr_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t tr_rng_below(TrRng *r, uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = tr_rng_next(r); while (x >= limit);
    return x % n;
}

double tr_rng_normal(TrRng *r) {
    double u1 = tr_rng_uniform(r);
    double u2 = tr_rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

int tr_rng_sign(TrRng *r) {
    return (tr_rng_next(r) >> 63) ? 1 : -1;
}
