/* rng.h - small seeded PRNG (xoshiro256**) for the sample trainer.
 * Layer: tools (sample trainer, not part of the library). License: MIT. */
#ifndef TRAINER_RNG_H
#define TRAINER_RNG_H

#include <stdint.h>

typedef struct TrRng {
    uint64_t s[4];
} TrRng;

/* Seeds the generator from one 64-bit value (expanded with splitmix64). */
void tr_rng_seed(TrRng *r, uint64_t seed);
uint64_t tr_rng_next(TrRng *r);
/* Uniform in [0, 1). */
double tr_rng_uniform(TrRng *r);
/* Uniform integer in [0, n), n > 0 (bias-free rejection). */
uint64_t tr_rng_below(TrRng *r, uint64_t n);
/* Standard normal (Box-Muller, one value per call). */
double tr_rng_normal(TrRng *r);
/* Random +1/-1. */
int tr_rng_sign(TrRng *r);

#endif
