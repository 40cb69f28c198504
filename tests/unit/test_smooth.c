/* test_smooth.c - smoothing against hand-computed values.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trajscope/smooth.h"
#include "support/ts_test.h"

static TsSeries make(const int64_t *steps, const double *values, size_t n) {
    TsSeries s;
    ts_series_init(&s);
    ts_series_alloc(&s, n, false);
    for (size_t i = 0; i < n; i++) {
        s.step[i] = steps ? steps[i] : (int64_t)i;
        s.value[i] = values[i];
    }
    return s;
}

static void test_names_round_trip(void **state) {
    (void)state;
    for (int m = 0; m < TS_SMOOTH_COUNT; m++)
        assert_int_equal(ts_smooth_from_name(ts_smooth_name((TsSmoothMethod)m)), m);
    assert_int_equal(ts_smooth_from_name("bogus"), TS_SMOOTH_COUNT);
    assert_null(ts_smooth_name(TS_SMOOTH_COUNT));
}

/* TensorBoard, weight 0.5 on 1, 2, 3: 1, 5/3, 17/7 (worked by hand:
 * last = 0.5, 1.25, 2.125; debias = 1 - 0.5^k = 0.5, 0.75, 0.875). */
static void test_ema_matches_tensorboard(void **state) {
    (void)state;
    double v[] = {1, 2, 3};
    TsSeries s = make(NULL, v, 3);
    double out[3];
    ts_smooth(&s, TS_SMOOTH_EMA, 0.5, out);
    assert_double_equal(out[0], 1.0, 1e-15);
    assert_double_equal(out[1], 5.0 / 3.0, 1e-15);
    assert_double_equal(out[2], 17.0 / 7.0, 1e-15);
    ts_series_free(&s);
}

/* A NaN passes through and does not advance the average: 1, NaN, 3 ->
 * 1, NaN, (0.25 + 1.5) / 0.75 = 7/3. */
static void test_ema_skips_nonfinite(void **state) {
    (void)state;
    double v[] = {1, NAN, 3};
    TsSeries s = make(NULL, v, 3);
    double out[3];
    ts_smooth(&s, TS_SMOOTH_EMA, 0.5, out);
    assert_double_equal(out[0], 1.0, 1e-15);
    assert_true(isnan(out[1]));
    assert_double_equal(out[2], 7.0 / 3.0, 1e-15);
    ts_series_free(&s);
}

/* Steps 0, 1, 2, 4 (median spacing 1): the last point is two steps away, so
 * its decay is 0.5^2. last = 0.5, 1.25, 2.125, 0.25*2.125 + 0.75*4 = 3.53125;
 * norm = 0.5, 0.75, 0.875, 0.25*0.875 + 0.75 = 0.96875 -> 113/31. */
static void test_ema_time_uneven_spacing(void **state) {
    (void)state;
    int64_t steps[] = {0, 1, 2, 4};
    double v[] = {1, 2, 3, 4};
    TsSeries s = make(steps, v, 4);
    double out[4];
    ts_smooth(&s, TS_SMOOTH_EMA_TIME, 0.5, out);
    assert_double_equal(out[0], 1.0, 1e-15);
    assert_double_equal(out[1], 5.0 / 3.0, 1e-15);
    assert_double_equal(out[2], 17.0 / 7.0, 1e-15);
    assert_double_equal(out[3], 113.0 / 31.0, 1e-15);
    /* With even spacing it equals TensorBoard's EMA whatever the stride. */
    int64_t even[] = {0, 10, 20, 30};
    TsSeries t = make(even, v, 4);
    double a[4], b[4];
    ts_smooth(&t, TS_SMOOTH_EMA_TIME, 0.7, a);
    ts_smooth(&t, TS_SMOOTH_EMA, 0.7, b);
    for (int i = 0; i < 4; i++) assert_double_equal(a[i], b[i], 1e-14);
    ts_series_free(&s);
    ts_series_free(&t);
}

static void test_median_removes_spike(void **state) {
    (void)state;
    double v[] = {1, 100, 3, 4, 5};
    TsSeries s = make(NULL, v, 5);
    double out[5];
    assert_int_equal(ts_smooth_window(0.02), 3);
    ts_smooth(&s, TS_SMOOTH_MEDIAN, 0.02, out);
    assert_double_equal(out[1], 3.0, 0);
    assert_double_equal(out[2], 4.0, 0);
    assert_double_equal(out[3], 4.0, 0);
    ts_series_free(&s);
}

/* A symmetric kernel keeps a straight line straight in the interior, and a
 * NaN stays where it was while its neighbours are still smoothed. */
static void test_gaussian_keeps_lines_and_nan(void **state) {
    (void)state;
    enum { N = 60 };
    double v[N];
    for (int i = 0; i < N; i++) v[i] = 2.0 * i + 1.0;
    TsSeries s = make(NULL, v, N);
    double out[N];
    ts_smooth(&s, TS_SMOOTH_GAUSSIAN, 0.1, out); /* window 11 */
    for (int i = 6; i < N - 6; i++) assert_double_equal(out[i], v[i], 1e-9);
    s.value[30] = NAN;
    ts_smooth(&s, TS_SMOOTH_GAUSSIAN, 0.1, out);
    assert_true(isnan(out[30]));
    assert_true(isfinite(out[29]) && isfinite(out[31]));
    ts_series_free(&s);
}

static void test_off_and_constant_unchanged(void **state) {
    (void)state;
    double v[] = {3, 3, 3};
    TsSeries s = make(NULL, v, 3);
    double out[3];
    for (int m = 0; m < TS_SMOOTH_COUNT; m++) {
        ts_smooth(&s, (TsSmoothMethod)m, 0.9, out);
        for (int i = 0; i < 3; i++) assert_double_equal(out[i], 3.0, 0);
    }
    ts_series_free(&s);
}

/* The EMA loop as it was before the fast path (verbatim), to check that
 * the faster one gives the same bits. */
static void ref_ema_debiased(const TsSeries *s, double w, double *out) {
    double last = 0.0;
    double decay = 1.0; /* w^k */
    for (size_t i = 0; i < s->n; i++) {
        double v = s->value[i];
        if (!isfinite(v)) {
            out[i] = v;
            continue;
        }
        last = last * w + (1.0 - w) * v;
        decay *= w;
        out[i] = w == 1.0 ? last : last / (1.0 - decay);
    }
}

static TsTestRng rng = {0x853C49E6748FEA9Bu};
static uint64_t rng_next(void) { return ts_test_rng_next(&rng); }
static double rng_unit(void) { return ts_test_rng_unit(&rng); }

/* Bit-identical to the reference for many weights on series with NaN and
 * +-Inf (also leading), denormals, huge values and sign changes. */
static void test_ema_same_bits_as_reference(void **state) {
    (void)state;
    static const double weights[] = {1e-300, 1e-9, 0.001, 0.1, 0.3, 0.5, 0.6, 0.75, 0.9, 0.95, 0.99, 0.999};
    enum { N = 100000 };
    double *v = malloc(N * sizeof *v), *got = malloc(N * sizeof *got), *want = malloc(N * sizeof *want);
    assert_non_null(v);
    assert_non_null(got);
    assert_non_null(want);
    for (int kind = 0; kind < 6; kind++) {
        double x = 1.0;
        for (size_t i = 0; i < N; i++) {
            uint64_t r = rng_next();
            x += rng_unit() - 0.5;
            switch (kind) {
            case 0: v[i] = x; break;                                       /* random walk */
            case 1: v[i] = r % 50 == 0 ? (r % 3 == 0 ? NAN : r % 3 == 1 ? INFINITY : -INFINITY) : x; break;
            case 2: v[i] = i < 5000 ? NAN : x * 1e300; break;              /* leading NaN, huge */
            case 3: v[i] = (rng_unit() - 0.5) * 0x1p-1060; break;         /* denormals */
            case 4: v[i] = r % 1000 == 0 ? x : NAN; break;                 /* mostly non-finite */
            default: v[i] = sin((double)i * 0.37) * pow(10.0, (double)(r % 40) - 20); break;
            }
        }
        TsSeries s = make(NULL, v, N);
        for (size_t k = 0; k < sizeof weights / sizeof weights[0]; k++) {
            memset(got, 0xAB, N * sizeof *got);
            ts_smooth(&s, TS_SMOOTH_EMA, weights[k], got);
            ref_ema_debiased(&s, weights[k], want);
            if (memcmp(got, want, N * sizeof *got) != 0) {
                size_t i = 0;
                while (memcmp(&got[i], &want[i], sizeof got[i]) == 0) i++;
                fail_msg("series %d, weight %g: point %zu is %.17g, reference %.17g", kind, weights[k], i, got[i],
                         want[i]);
            }
        }
        ts_series_free(&s);
    }
    free(v);
    free(got);
    free(want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_ema_matches_tensorboard),
        cmocka_unit_test(test_ema_skips_nonfinite),
        cmocka_unit_test(test_ema_time_uneven_spacing),
        cmocka_unit_test(test_median_removes_spike),
        cmocka_unit_test(test_gaussian_keeps_lines_and_nan),
        cmocka_unit_test(test_off_and_constant_unchanged),
        cmocka_unit_test(test_ema_same_bits_as_reference),
    };
    return cmocka_run_group_tests_name("smooth", tests, NULL, NULL);
}
