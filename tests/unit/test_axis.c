/* test_axis.c - scales, 1-2-5 steps, tick sets for known ranges (linear,
 * log, log1p, durations) and label fitting.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "support/ts_test.h"
#include "trajscope/axis.h"

/* "v:label v:label ..." of a tick set, for readable failures. */
static void ticks_text(const TsTicks *t, char *buf, size_t cap) {
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->n && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "", t->tick[i].label);
}

static void expect_labels(const TsAxis *a, int max_ticks, const char *want) {
    TsTicks t;
    ts_axis_ticks(a, max_ticks, &t);
    char got[1024];
    ticks_text(&t, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("ticks of [%g, %g] scale %d (max %d): \"%s\", expected \"%s\"", a->lo, a->hi, a->scale, max_ticks,
                 got, want);
}

static TsAxis axis(TsScale scale, double lo, double hi) {
    TsAxis a = {scale, lo, hi, 0.0, TS_AXIS_NUMBER};
    return a;
}

static void test_nice_step(void **state) {
    (void)state;
    assert_double_equal(ts_axis_nice_step(1.0, 5), 0.2, 1e-15);
    assert_double_equal(ts_axis_nice_step(1e6, 5), 2e5, 1e-6);
    assert_double_equal(ts_axis_nice_step(7.0, 5), 2.0, 0);
    assert_double_equal(ts_axis_nice_step(0.03, 3), 0.01, 1e-15);
    assert_double_equal(ts_axis_nice_step(100.0, 10), 10.0, 0);
    assert_double_equal(ts_axis_nice_step(100.0, 3), 50.0, 0);
    assert_double_equal(ts_axis_nice_step(0.0, 3), 1.0, 0);
}

static void test_linear_ticks(void **state) {
    (void)state;
    TsAxis a = axis(TS_SCALE_LINEAR, 0, 1);
    expect_labels(&a, 6, "0 0.2 0.4 0.6 0.8 1");
    expect_labels(&a, 5, "0 0.5 1");
    expect_labels(&a, 11, "0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1");
    a = axis(TS_SCALE_LINEAR, 0, 1e6);
    expect_labels(&a, 6, "0 200k 400k 600k 800k 1M");
    a = axis(TS_SCALE_LINEAR, -1, 1);
    expect_labels(&a, 5, "-1 -0.5 0 0.5 1");
    a = axis(TS_SCALE_LINEAR, 0.013, 0.087);
    expect_labels(&a, 5, "0.02 0.04 0.06 0.08");
    a = axis(TS_SCALE_LINEAR, 0, 0.001);
    expect_labels(&a, 6, "0 200u 400u 600u 800u 1m");
    a = axis(TS_SCALE_LINEAR, 2.5e6, 4.1e6);
    expect_labels(&a, 5, "2.5M 3M 3.5M 4M");
    /* The tick values are exact multiples of the step. */
    TsTicks t;
    a = axis(TS_SCALE_LINEAR, 0, 1);
    ts_axis_ticks(&a, 11, &t);
    assert_int_equal(t.n, 11);
    assert_true(t.tick[3].v == 3 * 0.1);
    assert_true(t.tick[0].v == 0.0);
}

static void test_log_ticks(void **state) {
    (void)state;
    TsAxis a = axis(TS_SCALE_LOG, 1, 1e4);
    expect_labels(&a, 8, "1 10 100 1k 10k");
    expect_labels(&a, 3, "1 100 10k");
    a = axis(TS_SCALE_LOG, 1, 50);
    expect_labels(&a, 8, "1 2 5 10 20 50");
    expect_labels(&a, 3, "1 10");
    a = axis(TS_SCALE_LOG, 1e-9, 1);
    expect_labels(&a, 10, "1n 10n 100n 1u 10u 100u 1m 0.01 0.1 1");
    expect_labels(&a, 6, "10n 1u 100u 0.01 1");
    /* Inside one decade: falls back to linear ticks. */
    a = axis(TS_SCALE_LOG, 21, 49);
    expect_labels(&a, 4, "30 40");
    /* log1p x axis of steps: 0 sits at the origin. */
    a = axis(TS_SCALE_LOG1P, 0, 1e4);
    expect_labels(&a, 8, "0 1 10 100 1k 10k");
    a = axis(TS_SCALE_LOG1P, 0, 99999);
    expect_labels(&a, 8, "0 1 10 100 1k 10k");
}

static void test_duration_ticks(void **state) {
    (void)state;
    TsAxis a = {TS_SCALE_LINEAR, 1000, 1000 + 3600, 1000, TS_AXIS_DURATION};
    expect_labels(&a, 5, "0s 15m 30m 45m 1h");
    a.hi = 1000 + 90;
    expect_labels(&a, 4, "0s 30s 1m 1m30s");
    a.lo = 1000 + 86400 * 2;
    a.hi = 1000 + 86400 * 9;
    expect_labels(&a, 4, "2d 4d 6d 8d");
}

static void test_scale_mapping(void **state) {
    (void)state;
    TsAxis a = axis(TS_SCALE_LINEAR, 10, 20);
    assert_double_equal(ts_axis_frac(&a, 15), 0.5, 1e-15);
    assert_double_equal(ts_axis_value(&a, 0.25), 12.5, 1e-12);
    assert_int_equal(ts_axis_cell(&a, 10, 10), 0);
    assert_int_equal(ts_axis_cell(&a, 20, 10), 9);
    assert_int_equal(ts_axis_cell(&a, 14.99, 10), 4);
    assert_int_equal(ts_axis_cell(&a, 9.99, 10), -1);
    assert_int_equal(ts_axis_cell(&a, NAN, 10), -1);
    a = axis(TS_SCALE_LOG, 1, 1000);
    assert_double_equal(ts_axis_frac(&a, 10), 1.0 / 3.0, 1e-12);
    assert_true(isnan(ts_axis_frac(&a, 0)));
    assert_true(isnan(ts_axis_frac(&a, -5)));
    assert_double_equal(ts_axis_value(&a, 2.0 / 3.0), 100, 1e-9);
    a = axis(TS_SCALE_LOG1P, 0, 999);
    assert_double_equal(ts_axis_frac(&a, 9), 1.0 / 3.0, 1e-12);
    assert_double_equal(ts_axis_frac(&a, 0), 0.0, 0);
    assert_double_equal(ts_axis_value(&a, 2.0 / 3.0), 99, 1e-9);
    a.origin = 500;
    a.lo = 500;
    a.hi = 1499;
    assert_double_equal(ts_axis_frac(&a, 509), 1.0 / 3.0, 1e-12);
}

static void test_fit(void **state) {
    (void)state;
    /* Horizontal: labels never overlap and keep two blanks between them. */
    for (int len = 8; len <= 200; len += 3) {
        TsAxis a = axis(TS_SCALE_LINEAR, 0, 99999);
        TsTicks t;
        int n = ts_axis_fit(&a, len, false, &t);
        assert_true(n >= 1);
        int prev_end = -100;
        for (int i = 0; i < n; i++) {
            int w = (int)strlen(t.tick[i].label);
            int start = ts_axis_label_start(t.tick[i].pos, w, len);
            assert_true(start >= 0 && start + w <= len);
            assert_true(start >= prev_end + 2);
            assert_int_equal(t.tick[i].pos, ts_axis_cell(&a, t.tick[i].v, len));
            prev_end = start + w;
        }
        if (len >= 60) assert_true(n >= 5);
    }
    /* Vertical: distinct rows with a blank row between them. */
    for (int len = 3; len <= 60; len++) {
        TsAxis a = axis(TS_SCALE_LOG, 1e-3, 1e3);
        TsTicks t;
        int n = ts_axis_fit(&a, len, true, &t);
        assert_true(n >= 1);
        for (int i = 1; i < n; i++) assert_true(t.tick[i].pos - t.tick[i - 1].pos >= (len >= 5 ? 2 : 1));
    }
    /* 0..1 over 17 rows: the whole 0.2 set fits. */
    TsAxis a = axis(TS_SCALE_LINEAR, 0, 1);
    TsTicks t;
    assert_int_equal(ts_axis_fit(&a, 17, true, &t), 6);
    assert_int_equal(t.tick[0].pos, 0);
    assert_int_equal(t.tick[5].pos, 16);
    /* Nothing fits in zero cells; a degenerate range has no ticks. */
    assert_int_equal(ts_axis_fit(&a, 0, false, &t), 0);
    a.hi = a.lo;
    assert_int_equal(ts_axis_ticks(&a, 5, &t), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_step),    cmocka_unit_test(test_linear_ticks),
        cmocka_unit_test(test_log_ticks),    cmocka_unit_test(test_duration_ticks),
        cmocka_unit_test(test_scale_mapping), cmocka_unit_test(test_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
