/* test_series.c - statistics, segments and nearest-point lookup.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "trajscope/series.h"

static TsSeries make(const int64_t *steps, const double *values, size_t n) {
    TsSeries s;
    ts_series_init(&s);
    ts_series_alloc(&s, n, false);
    for (size_t i = 0; i < n; i++) {
        s.step[i] = steps[i];
        s.value[i] = values[i];
    }
    return s;
}

static void test_stats_counts_nonfinite_and_reversals(void **state) {
    (void)state;
    /* A resumed run: 0..40, back to 20, on to 50; a NaN at step 30 and +Inf at 50. */
    int64_t steps[] = {0, 10, 20, 30, 40, 20, 30, 40, 50, 50};
    double vals[] = {5, 4, 3, NAN, 1, 3.5, 2.5, -1, INFINITY, 0.5};
    TsSeries s = make(steps, vals, 10);
    TsSeriesStats st;
    ts_series_stats(&s, &st);
    assert_int_equal(st.n, 10);
    assert_int_equal(st.n_finite, 8);
    assert_int_equal(st.n_nan, 1);
    assert_int_equal(st.n_posinf, 1);
    assert_int_equal(st.n_neginf, 0);
    assert_int_equal(st.n_reversals, 1);
    assert_int_equal(st.n_repeats, 1);
    assert_int_equal(st.step_min, 0);
    assert_int_equal(st.step_max, 50);
    assert_int_equal(st.step_first, 0);
    assert_int_equal(st.step_last, 50);
    assert_true(st.vmin == -1.0);
    assert_true(st.vmax == 5.0);
    assert_true(st.last == 0.5);
    assert_true(st.has_nonfinite);
    assert_int_equal(st.first_nonfinite_step, 30);
    assert_int_equal(st.first_nonfinite_index, 3);
    ts_series_free(&s);
}

static void test_stats_empty_and_all_nan(void **state) {
    (void)state;
    TsSeries s;
    ts_series_init(&s);
    TsSeriesStats st;
    ts_series_stats(&s, &st);
    assert_int_equal(st.n, 0);
    assert_true(isnan(st.vmin) && isnan(st.vmax) && isnan(st.last));
    int64_t steps[] = {1, 2};
    double vals[] = {NAN, -INFINITY};
    TsSeries t = make(steps, vals, 2);
    ts_series_stats(&t, &st);
    assert_int_equal(st.n_finite, 0);
    assert_int_equal(st.n_neginf, 1);
    assert_true(isnan(st.vmin));
    assert_true(isnan(st.last_finite));
    assert_true(isinf(st.last) && st.last < 0);
    ts_series_free(&t);
}

static void test_segments_split_at_seams(void **state) {
    (void)state;
    int64_t steps[] = {0, 10, 20, 5, 15, 15, 1, 2};
    double vals[8] = {0};
    TsSeries s = make(steps, vals, 8);
    size_t starts[8];
    size_t n = ts_series_segments(&s, starts, 8);
    assert_int_equal(n, 3);
    assert_int_equal(starts[0], 0);
    assert_int_equal(starts[1], 3);
    assert_int_equal(starts[2], 6);
    /* cap smaller than the count still returns the count */
    assert_int_equal(ts_series_segments(&s, starts, 1), 3);
    ts_series_free(&s);
}

static void test_nearest_in_segment(void **state) {
    (void)state;
    int64_t steps[] = {0, 10, 20, 20, 40};
    double vals[] = {0, 1, 2, 3, 4};
    TsSeries s = make(steps, vals, 5);
    assert_int_equal(ts_series_nearest_in_segment(&s, 0, 5, -100), 0);
    assert_int_equal(ts_series_nearest_in_segment(&s, 0, 5, 4), 0);
    assert_int_equal(ts_series_nearest_in_segment(&s, 0, 5, 5), 0); /* tie -> earlier */
    assert_int_equal(ts_series_nearest_in_segment(&s, 0, 5, 6), 1);
    assert_int_equal(ts_series_nearest_in_segment(&s, 0, 5, 20), 2); /* first of repeats */
    assert_int_equal(ts_series_nearest_in_segment(&s, 0, 5, 29), 2);
    assert_int_equal(ts_series_nearest_in_segment(&s, 0, 5, 31), 4);
    assert_int_equal(ts_series_nearest_in_segment(&s, 0, 5, 1e9), 4);
    assert_int_equal(ts_series_nearest_in_segment(&s, 2, 2, 7), 2);
    assert_int_equal(ts_series_lower_bound(&s, 0, 5, 20), 2);
    assert_int_equal(ts_series_lower_bound(&s, 0, 5, 21), 4);
    ts_series_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_counts_nonfinite_and_reversals),
        cmocka_unit_test(test_stats_empty_and_all_nan),
        cmocka_unit_test(test_segments_split_at_seams),
        cmocka_unit_test(test_nearest_in_segment),
    };
    return cmocka_run_group_tests_name("series", tests, NULL, NULL);
}
