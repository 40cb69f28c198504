/* ts_test.h - helpers shared by the cmocka unit tests.
 * Layer: tests. License: MIT.
 * cmocka 1.1.5 (Debian 12) compares floats only; numbers here are doubles. */
#ifndef TRAJSCOPE_TS_TEST_H
#define TRAJSCOPE_TS_TEST_H

#include <math.h>
#include <stdlib.h>

/* Fails with both values printed unless |a - b| <= tol (NaN never equal). */
#define assert_double_equal(a, b, tol)                                                   \
    do {                                                                                 \
        double ts_a_ = (a), ts_b_ = (b);                                                 \
        if (!(fabs(ts_a_ - ts_b_) <= (tol)))                                             \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, ts_a_, ts_b_,      \
                     (double)(tol));                                                     \
    } while (0)

/* A scratch folder for files: $TS_TMP when the runner set it, else /tmp. */
static inline const char *ts_test_tmpdir(void) {
    const char *d = getenv("TS_TMP");
    return d && *d ? d : "/tmp";
}

#endif
