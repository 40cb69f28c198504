/* ts_test.h - helpers shared by the cmocka unit tests.
 * Layer: tests. License: MIT.
 * cmocka 1.1.5 (Debian 12) compares floats only; numbers here are doubles. */
#ifndef TRAJSCOPE_TS_TEST_H
#define TRAJSCOPE_TS_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Fails with both values printed unless |a - b| <= tol (NaN never equal). */
#define assert_double_equal(a, b, tol)                                                   \
    do {                                                                                 \
        double ts_a_ = (a), ts_b_ = (b);                                                 \
        if (!(fabs(ts_a_ - ts_b_) <= (tol)))                                             \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, ts_a_, ts_b_,      \
                     (double)(tol));                                                     \
    } while (0)

/* splitmix64: reproducible pseudo-random numbers for tests. */
typedef struct TsTestRng {
    uint64_t state;
} TsTestRng;

static inline uint64_t ts_test_rng_next(TsTestRng *r) {
    uint64_t z = (r->state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double ts_test_rng_unit(TsTestRng *r) { return (double)(ts_test_rng_next(r) >> 11) * 0x1p-53; }

/* A scratch folder for files: $TS_TMP when the runner set it, else /tmp. */
static inline const char *ts_test_tmpdir(void) {
    const char *d = getenv("TS_TMP");
    return d && *d ? d : "/tmp";
}

#endif
