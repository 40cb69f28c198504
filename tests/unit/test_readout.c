/* test_readout.c - the time cursor's readout: nearest logged point over
 * segments (a resumed run) with NaN, point stepping, exact value text.
 * Layer: tests (tui). License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "support/ts_test.h"
#include "trajscope/lod.h"
#include "tui/readout.h"

/* steps 0 10 20 30 | 15 25 35 45: a seam at index 4; value NaN at index 2 */
static const int64_t steps[] = {0, 10, 20, 30, 15, 25, 35, 45};
static const double values[] = {1.0, 2.0, NAN, 4.0, 5.0, 6.0, 7.0, 8.0};

static size_t nearest(const TsLod *lod, double x) {
    size_t i = 999;
    assert_true(ts_readout_nearest(lod, x, &i));
    return i;
}

static void test_nearest_over_segments(void **state) {
    (void)state;
    TsLod *lod = ts_lod_new_steps(steps, values, 8);
    assert_int_equal(ts_lod_segment_count(lod), 2);
    assert_int_equal(nearest(lod, 22), 2);   /* 20 (d 2) beats 25 (d 3) */
    assert_true(isnan(values[nearest(lod, 22)]));
    assert_int_equal(nearest(lod, 25), 5);   /* exact in the resumed segment */
    assert_int_equal(nearest(lod, 30), 3);
    assert_int_equal(nearest(lod, 17.5), 4); /* 20 and 15 tie: the later segment wins */
    assert_int_equal(nearest(lod, 24), 5);   /* 25 (d 1) beats 20 (d 4) */
    assert_int_equal(nearest(lod, 5), 0);    /* 0 and 10 tie in a segment: the earlier point */
    assert_int_equal(nearest(lod, 100), 7);
    assert_int_equal(nearest(lod, -5), 0);
    assert_int_equal(nearest(lod, 40), 6);   /* 35 and 45 tie: earlier point */
    size_t i;
    assert_false(ts_readout_nearest(lod, NAN, &i));
    ts_lod_free(lod);
    /* an empty series has no nearest point */
    TsLod *empty = ts_lod_new_steps(steps, values, 0);
    assert_false(ts_readout_nearest(empty, 3, &i));
    assert_false(ts_readout_first(empty, &i));
    assert_false(ts_readout_last(empty, &i));
    ts_lod_free(empty);
}

static void test_step_first_last(void **state) {
    (void)state;
    TsLod *lod = ts_lod_new_steps(steps, values, 8);
    size_t i;
    assert_true(ts_readout_first(lod, &i));
    assert_int_equal(i, 0);
    assert_true(ts_readout_last(lod, &i));
    assert_int_equal(i, 7);
    assert_true(ts_readout_step(lod, 3, 1, &i)); /* file order crosses the seam */
    assert_int_equal(i, 4);
    assert_true(ts_readout_step(lod, 4, -1, &i));
    assert_int_equal(i, 3);
    assert_false(ts_readout_step(lod, 7, 1, &i));
    assert_false(ts_readout_step(lod, 0, -1, &i));
    ts_lod_free(lod);

    /* wall times with a missing one: that point is skipped */
    double wall[] = {100, NAN, 102, 103};
    double v[] = {1, 2, 3, 4};
    TsLod *w = ts_lod_new(wall, v, 4);
    assert_true(ts_readout_step(w, 0, 1, &i));
    assert_int_equal(i, 2);
    assert_true(ts_readout_step(w, 2, -1, &i));
    assert_int_equal(i, 0);
    assert_int_equal(nearest(w, 101), 2); /* 100 and 102 tie across segments: the later wins */
    ts_lod_free(w);
}

static void fmt(double v, bool f32, const char *want) {
    char buf[64];
    ts_readout_format(buf, sizeof buf, v, f32);
    assert_string_equal(buf, want);
}

static void test_format_exact(void **state) {
    (void)state;
    fmt(0.1, false, "0.1");
    fmt(10, false, "10");
    fmt(1230, false, "1230");
    fmt(-0.5, false, "-0.5");
    fmt(1.0 / 3.0, false, "0.3333333333333333");
    fmt(1e20, false, "1e+20");
    fmt(1.5e-7, false, "1.5e-07");
    fmt(0.000123, false, "0.000123");
    fmt(0, false, "0");
    fmt(NAN, false, "NaN");
    fmt(INFINITY, false, "+Inf");
    fmt(-INFINITY, false, "-Inf");
    fmt((double)0.1f, true, "0.1");
    fmt((double)0.1f, false, "0.10000000149011612");
    fmt((double)(1.0f / 3.0f), true, "0.33333334");
    /* every text reads back to the same double */
    double probe[] = {0.7, 123456.789, 9.87654321e-5, 3e14, 2.5e15, 1234567.0, 6.02214076e23};
    for (size_t k = 0; k < sizeof probe / sizeof probe[0]; k++) {
        char buf[64];
        ts_readout_format(buf, sizeof buf, probe[k], false);
        assert_true(strtod(buf, NULL) == probe[k]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nearest_over_segments),
        cmocka_unit_test(test_step_first_last),
        cmocka_unit_test(test_format_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
