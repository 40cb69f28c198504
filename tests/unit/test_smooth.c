/* test_smooth.c - smoothing against hand-computed values.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_ema_matches_tensorboard),
        cmocka_unit_test(test_ema_skips_nonfinite),
        cmocka_unit_test(test_ema_time_uneven_spacing),
        cmocka_unit_test(test_median_removes_spike),
        cmocka_unit_test(test_gaussian_keeps_lines_and_nan),
        cmocka_unit_test(test_off_and_constant_unchanged),
    };
    return cmocka_run_group_tests_name("smooth", tests, NULL, NULL);
}
