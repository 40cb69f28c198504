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
#include "trajscope/fmt.h"

#include <stdlib.h>

/* ---- reference: tick selection and fitting as they were before ticks
 * were labelled lazily (axis.c, kept verbatim, renamed ref_*), to check
 * that the faster ts_axis_fit / ts_axis_ticks give the same answers ---- */

/* The next larger 1-2-5 step. */
static double ref_next_nice(double step) {
    double mag = pow(10.0, floor(log10(step) + 1e-9));
    double norm = step / mag;
    if (norm < 1.5) return 2.0 * mag;
    if (norm < 3.5) return 5.0 * mag;
    return 10.0 * mag;
}

/* Multiples of step (offset by base) within [lo, hi]: first index and count. */
static double ref_multiples(double lo, double hi, double base, double step, double *k0) {
    double a = ceil((lo - base) / step - 1e-9);
    double b = floor((hi - base) / step + 1e-9);
    *k0 = a;
    return b >= a ? b - a + 1 : 0;
}

static void ref_set_tick(TsTicks *out, double v) {
    if (out->n >= TS_AXIS_MAX_TICKS) return;
    TsTick *t = &out->tick[out->n++];
    t->v = v;
    t->pos = 0;
    t->label[0] = '\0';
}

/* Linear ticks at base + k * step, with labels. */
static int ref_linear_ticks(const TsAxis *a, double lo, double hi, int max_ticks, TsTicks *out) {
    double span = hi - lo;
    if (!(span > 0) || !isfinite(span)) return 0;
    double step, k0, count;
    if (a->format == TS_AXIS_DURATION) {
        static const double clock[] = {1,    2,    5,     10,    15,    30,    60,    120,
                                       300,  600,  900,   1800,  3600,  7200,  10800, 21600,
                                       43200, 86400, 172800, 604800};
        size_t nclock = sizeof clock / sizeof clock[0];
        step = ts_axis_nice_step(span, max_ticks);
        if (step >= 1.0) {
            size_t i = 0;
            while (i < nclock && clock[i] < span / max_ticks - 1e-9) i++;
            step = i < nclock ? clock[i] : 86400.0 * ts_axis_nice_step(span / 86400.0, max_ticks);
        }
        for (;;) {
            count = ref_multiples(lo, hi, a->origin, step, &k0);
            if (count <= max_ticks) break;
            size_t i = 0;
            while (i < nclock && clock[i] <= step) i++;
            step = step < 1.0 ? ref_next_nice(step) : i < nclock ? clock[i] : 86400.0 * ref_next_nice(step / 86400.0);
        }
        out->n = 0;
        for (int k = 0; k < (int)count; k++) {
            double v = a->origin + (k0 + k) * step;
            ref_set_tick(out, v);
            ts_fmt_duration(out->tick[out->n - 1].label, TS_AXIS_LABEL_MAX, v - a->origin);
        }
        return out->n;
    }
    step = ts_axis_nice_step(span, max_ticks);
    for (;;) {
        count = ref_multiples(lo, hi, 0.0, step, &k0);
        if (count <= max_ticks) break;
        step = ref_next_nice(step);
    }
    out->n = 0;
    for (int k = 0; k < (int)count; k++) {
        double v = (k0 + k) * step;
        if (fabs(v) < step * 1e-9) v = 0.0;
        ref_set_tick(out, v);
    }
    double max_abs = 0.0;
    for (int i = 0; i < out->n; i++)
        if (fabs(out->tick[i].v) > max_abs) max_abs = fabs(out->tick[i].v);
    for (int i = 0; i < out->n; i++)
        ts_fmt_tick(out->tick[i].label, TS_AXIS_LABEL_MAX, out->tick[i].v, step, max_abs);
    return out->n;
}

/* Power-of-ten ticks of u in [lo, hi] (lo > 0): mults {1,2,5} when dense,
 * else {1} every stride decades. Writes values; returns the count. */
static int ref_log_values(double lo, double hi, bool dense, int stride, double *vals, int cap) {
    int dlo = (int)floor(log10(lo) + 1e-9), dhi = (int)floor(log10(hi) + 1e-9);
    int n = 0;
    static const double mults[] = {1, 2, 5};
    for (int d = dlo; d <= dhi; d++) {
        if (!dense && ((d % stride) + stride) % stride != 0) continue;
        for (int m = 0; m < (dense ? 3 : 1); m++) {
            double v = mults[m] * pow(10.0, d);
            if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
            if (n < cap) vals[n] = v;
            n++;
        }
    }
    return n;
}

/* Labels of power-of-ten ticks: SI from 1000 up and below 0.01 ("1k",
 * "10m" would be "0.01"), plain between ("0.1", "1", "200"). */
static void ref_log_label(char *label, double v) {
    double a = fabs(v);
    if (a >= 1000.0 || (a > 0 && a < 0.01)) ts_fmt_si(label, TS_AXIS_LABEL_MAX, v, 3);
    else ts_fmt_value(label, TS_AXIS_LABEL_MAX, v, 3);
}

/* Log ticks of u = v - shift for u in [ulo, uhi], ulo > 0. */
static int ref_log_ticks(const TsAxis *a, double ulo, double uhi, double shift, int max_ticks, bool with_zero,
                     TsTicks *out) {
    double vals[TS_AXIS_MAX_TICKS];
    int room = max_ticks - (with_zero ? 1 : 0);
    int ndec = (int)floor(log10(uhi) + 1e-9) - (int)ceil(log10(ulo) - 1e-9) + 1;
    int n = -1;
    if (room >= 1) {
        if (ndec <= 2) {
            int c = ref_log_values(ulo, uhi, true, 1, vals, TS_AXIS_MAX_TICKS);
            if (c >= 2 && c <= room) n = c;
        }
        if (n < 0 && ndec >= 2) {
            static const int strides[] = {1, 2, 3, 4, 5, 10, 20, 50, 100};
            for (size_t s = 0; s < sizeof strides / sizeof strides[0]; s++) {
                int c = ref_log_values(ulo, uhi, false, strides[s], vals, TS_AXIS_MAX_TICKS);
                if (c <= room) {
                    n = c;
                    break;
                }
            }
        }
    }
    if (n < 0) return -1; /* caller falls back to linear ticks */
    out->n = 0;
    if (with_zero) {
        ref_set_tick(out, shift);
        strcpy(out->tick[0].label, a->format == TS_AXIS_DURATION ? "0s" : "0");
    }
    for (int i = 0; i < n; i++) {
        ref_set_tick(out, vals[i] + shift);
        char *label = out->tick[out->n - 1].label;
        if (a->format == TS_AXIS_DURATION) ts_fmt_duration(label, TS_AXIS_LABEL_MAX, vals[i]);
        else ref_log_label(label, vals[i] + shift);
    }
    return out->n;
}

static int ref_ts_axis_ticks(const TsAxis *a, int max_ticks, TsTicks *out) {
    out->n = 0;
    if (max_ticks > TS_AXIS_MAX_TICKS) max_ticks = TS_AXIS_MAX_TICKS;
    if (max_ticks < 1) return 0;
    double lo = a->lo, hi = a->hi;
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi)) return 0;
    if (a->scale == TS_SCALE_LOG && lo > 0) {
        int n = ref_log_ticks(a, lo, hi, 0.0, max_ticks, false, out);
        if (n >= 0) return n;
    } else if (a->scale == TS_SCALE_LOG1P) {
        double ulo = lo - a->origin, uhi = hi - a->origin;
        bool zero = ulo <= 0 && uhi >= 0;
        double start = ulo > 0 ? ulo : 1.0;
        if (uhi >= start) {
            int n = ref_log_ticks(a, start, uhi, a->origin, max_ticks, zero, out);
            if (n >= 0 && (n >= 2 || !zero)) return n;
        }
    }
    return ref_linear_ticks(a, lo, hi, max_ticks, out);
}

static bool ref_fits(const TsAxis *a, int len, bool vertical, TsTicks *t) {
    int prev_end = -1000000, prev_pos = -1000000;
    int min_gap = len >= 5 ? 2 : 1;
    for (int i = 0; i < t->n; i++) {
        int pos = ts_axis_cell(a, t->tick[i].v, len);
        if (pos < 0) return false;
        t->tick[i].pos = pos;
        if (vertical) {
            if (pos - prev_pos < min_gap) return false;
            prev_pos = pos;
        } else {
            int w = (int)strlen(t->tick[i].label);
            if (w > len) return false;
            int start = ts_axis_label_start(pos, w, len);
            if (start < prev_end + 2 || pos <= prev_pos) return false;
            prev_end = start + w;
            prev_pos = pos;
        }
    }
    return true;
}

static int ref_ts_axis_fit(const TsAxis *a, int len, bool vertical, TsTicks *out) {
    out->n = 0;
    if (len <= 0) return 0;
    int m = vertical ? (len + 1) / 2 : len / 4;
    if (m > TS_AXIS_MAX_TICKS) m = TS_AXIS_MAX_TICKS;
    if (m < 1) m = 1;
    if (!vertical) {
        /* Start near the count whose labels could fit, not at len / 4:
         * each try formats every label. */
        ref_ts_axis_ticks(a, m, out);
        int widest = 1;
        for (int i = 0; i < out->n; i++) {
            int w = (int)strlen(out->tick[i].label);
            if (w > widest) widest = w;
        }
        int est = len / (widest + 2) + 1;
        if (est < m) m = est;
    }
    for (; m >= 1; m--) {
        ref_ts_axis_ticks(a, m, out);
        if (out->n > 0 && ref_fits(a, len, vertical, out)) return out->n;
    }
    out->n = 0;
    return 0;
}

/* ---- end of reference ---- */


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

static TsTestRng rng = {0x2545F4914F6CDD1Du};
static uint64_t rng_next(void) { return ts_test_rng_next(&rng); }
static double rng_unit(void) { return ts_test_rng_unit(&rng); }

static void expect_same_ticks(const TsTicks *got, const TsTicks *want, const TsAxis *a, int len, bool vertical,
                              const char *what) {
    bool same = got->n == want->n;
    for (int i = 0; same && i < got->n; i++)
        same = memcmp(&got->tick[i].v, &want->tick[i].v, sizeof got->tick[i].v) == 0 &&
               got->tick[i].pos == want->tick[i].pos && strcmp(got->tick[i].label, want->tick[i].label) == 0;
    if (!same) {
        char g[2048], w[2048];
        ticks_text(got, g, sizeof g);
        ticks_text(want, w, sizeof w);
        fail_msg("%s of [%.17g, %.17g] scale %d format %d origin %g, len %d%s: \"%s\", reference \"%s\"", what,
                 a->lo, a->hi, a->scale, a->format, a->origin, len, vertical ? " vertical" : "", g, w);
    }
}

/* ts_axis_fit and ts_axis_ticks against the reference on random axes:
 * every scale and format, spans from 1e-12 to 1e12 wide at offsets up to
 * 1e15, lengths 1..260, both orientations. */
static void test_same_as_reference(void **state) {
    (void)state;
    for (int it = 0; it < 60000; it++) {
        TsAxis a;
        uint64_t r = rng_next();
        a.scale = (TsScale)(r % 3);
        a.format = (r >> 2) % 4 == 0 ? TS_AXIS_DURATION : TS_AXIS_NUMBER;
        double span = pow(10.0, -12.0 + 24.0 * rng_unit());
        double off = (r >> 4) % 3 == 0 ? 0.0 : pow(10.0, -6.0 + 21.0 * rng_unit()) * ((r >> 6) & 1 ? -1 : 1);
        if ((r >> 7) % 5 == 0) span = (double)(1 + (rng_next() % 10000000)); /* step counts */
        a.origin = (r >> 10) % 3 == 0 ? 0.0 : off * rng_unit();
        a.lo = off;
        a.hi = off + span;
        if (a.scale == TS_SCALE_LOG) {
            a.lo = pow(10.0, -20.0 + 40.0 * rng_unit());
            a.hi = a.lo * pow(10.0, 0.01 + 30.0 * rng_unit() * rng_unit());
        } else if (a.scale == TS_SCALE_LOG1P && (r >> 12) % 2 == 0) {
            a.origin = 0.0;
            a.lo = (r >> 13) % 2 ? 0.0 : span * rng_unit() * 0.5;
            a.hi = a.lo + span;
        }
        int len = 1 + (int)(rng_next() % 260);
        bool vertical = (rng_next() & 1) != 0;
        TsTicks got, want;
        ts_axis_fit(&a, len, vertical, &got);
        ref_ts_axis_fit(&a, len, vertical, &want);
        expect_same_ticks(&got, &want, &a, len, vertical, "ts_axis_fit");
        ts_axis_fit(&a, len, vertical, &got); /* again: the remembered answer */
        expect_same_ticks(&got, &want, &a, len, vertical, "ts_axis_fit (again)");
        int max_ticks = (int)(rng_next() % 70);
        ts_axis_ticks(&a, max_ticks, &got);
        ref_ts_axis_ticks(&a, max_ticks, &want);
        for (int i = 0; i < got.n; i++) got.tick[i].pos = want.tick[i].pos = 0;
        expect_same_ticks(&got, &want, &a, max_ticks, false, "ts_axis_ticks");
    }
}

/* Asking again (as a frame does for each panel and pass) gives the same
 * answer as the reference, also when the asks interleave and the axes
 * differ in one field only (one bit of lo, the length, the orientation,
 * the origin, the format, the scale). */
static void test_fit_repeated(void **state) {
    (void)state;
    TsAxis base = {TS_SCALE_LOG1P, 0.0, 1e7, 0.0, TS_AXIS_NUMBER};
    TsAxis pool[12];
    int lens[12];
    bool vert[12];
    for (int i = 0; i < 12; i++) {
        pool[i] = base;
        lens[i] = 190;
        vert[i] = false;
    }
    pool[1].lo = nextafter(0.0, 1.0);
    lens[2] = 189;
    vert[3] = true;
    pool[4].origin = -5.0;
    pool[5].format = TS_AXIS_DURATION;
    pool[6].scale = TS_SCALE_LINEAR;
    pool[7].scale = TS_SCALE_LINEAR;
    pool[7].lo = 2.3e6;
    pool[7].hi = 4.1e6;
    pool[8] = pool[7];
    pool[8].hi = nextafter(4.1e6, 0.0);
    pool[9] = pool[7];
    vert[9] = true;
    lens[9] = 20;
    pool[10].scale = TS_SCALE_LOG;
    pool[10].lo = 1e-3;
    pool[11] = pool[10];
    lens[11] = 40;
    for (int it = 0; it < 5000; it++) {
        int i = (int)(rng_next() % 12);
        TsTicks got, want;
        ts_axis_fit(&pool[i], lens[i], vert[i], &got);
        ref_ts_axis_fit(&pool[i], lens[i], vert[i], &want);
        expect_same_ticks(&got, &want, &pool[i], lens[i], vert[i], "ts_axis_fit (repeated)");
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_step),    cmocka_unit_test(test_linear_ticks),
        cmocka_unit_test(test_log_ticks),    cmocka_unit_test(test_duration_ticks),
        cmocka_unit_test(test_scale_mapping), cmocka_unit_test(test_fit), cmocka_unit_test(test_same_as_reference),
        cmocka_unit_test(test_fit_repeated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
