/* test_lod.c - the min/max pyramid against brute force: every column of
 * many zoom levels and column counts, spikes, non-finite counts, segments.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/ts_test.h"
#include "trajscope/lod.h"
#include "trajscope/xalloc.h"

/* Small deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t rng_state = 88172645463325252ull;
static uint64_t rng_next(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}
static double rng_unit(void) { return (double)(rng_next() >> 11) / 9007199254740992.0; }
static size_t rng_below(size_t n) { return (size_t)(rng_next() % n); }

/* Same double, NaN equal to NaN. */
static bool same(double a, double b) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return a == b;
}

/* Brute force summary of indices [lo, hi). */
static void brute(const double *y, const double *x, size_t lo, size_t hi, TsLodCol *c) {
    memset(c, 0, sizeof *c);
    c->lo = lo;
    c->hi = hi;
    c->min = c->max = c->min_pos = NAN;
    c->first = c->last = c->x_first = c->x_last = NAN;
    for (size_t i = lo; i < hi; i++) {
        double v = y[i];
        if (isnan(v)) c->n_nan++;
        else if (isinf(v)) (v > 0 ? c->n_posinf++ : c->n_neginf++);
        else {
            c->n_finite++;
            if (isnan(c->min) || v < c->min) c->min = v;
            if (isnan(c->max) || v > c->max) c->max = v;
            if (v > 0 && (isnan(c->min_pos) || v < c->min_pos)) c->min_pos = v;
            if (v <= 0) c->n_nonpos++;
        }
    }
    if (hi > lo) {
        c->first = y[lo];
        c->last = y[hi - 1];
        c->x_first = x[lo];
        c->x_last = x[hi - 1];
    }
}

static void assert_col_equal(const TsLodCol *got, const TsLodCol *want, size_t col) {
    if (got->lo != want->lo || got->hi != want->hi)
        fail_msg("column %zu: range [%zu,%zu), expected [%zu,%zu)", col, got->lo, got->hi, want->lo, want->hi);
    if (!same(got->min, want->min) || !same(got->max, want->max) || !same(got->min_pos, want->min_pos))
        fail_msg("column %zu [%zu,%zu): min/max/min_pos %g %g %g, expected %g %g %g", col, got->lo, got->hi,
                 got->min, got->max, got->min_pos, want->min, want->max, want->min_pos);
    if (got->n_finite != want->n_finite || got->n_nonpos != want->n_nonpos || got->n_nan != want->n_nan ||
        got->n_posinf != want->n_posinf || got->n_neginf != want->n_neginf)
        fail_msg("column %zu: counts finite %zu nonpos %zu nan %zu +inf %zu -inf %zu, expected %zu %zu %zu %zu %zu",
                 col, got->n_finite, got->n_nonpos, got->n_nan, got->n_posinf, got->n_neginf, want->n_finite,
                 want->n_nonpos, want->n_nan, want->n_posinf, want->n_neginf);
    if (!same(got->first, want->first) || !same(got->last, want->last) || !same(got->x_first, want->x_first) ||
        !same(got->x_last, want->x_last))
        fail_msg("column %zu: first/last wrong", col);
}

/* Column c holds x in [e[c], e[c+1]), the last one also x == e[ncols]. */
static void brute_columns(const double *x, const double *y, size_t start, size_t end, const double *e,
                          size_t ncols, TsLodCol *out) {
    size_t i = start;
    while (i < end && x[i] < e[0]) i++;
    for (size_t c = 0; c < ncols; c++) {
        size_t lo = i;
        bool last = c + 1 == ncols;
        while (i < end && (last ? x[i] <= e[c + 1] : x[i] < e[c + 1])) i++;
        brute(y, x, lo, i, &out[c]);
    }
}

/* Kinds of values: the lod keeps optional tables only when needed, so each
 * kind takes a different path. */
enum { MIXED, POSITIVE, SIGNED };
static int series_kind = MIXED;

/* A random series: steps with repeats and gaps, values with noise, spikes,
 * and (MIXED) negatives, zeros, NaN and infinities; (POSITIVE) values > 0
 * only; (SIGNED) finite values of both signs. */
static void make_series(size_t n, int64_t *step, double *xd, double *y) {
    int64_t s = (int64_t)rng_below(5);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rng_next() % 10;
        s += r < 2 ? 0 : r < 8 ? 1 : (int64_t)rng_below(20);
        step[i] = s;
        xd[i] = (double)s;
        double v = rng_unit() * 2.0 - 0.5;
        uint64_t k = rng_next() % 1000;
        if (k == 0) v = NAN;
        else if (k == 1) v = INFINITY;
        else if (k == 2) v = -INFINITY;
        else if (k < 6) v = 100.0 * rng_unit();
        else if (k == 6) v = 0.0;
        if (series_kind == POSITIVE && !(v > 0)) v = 1.0 + rng_unit();
        if (series_kind == POSITIVE && v <= 0.5) v += 1.0;
        if (series_kind == SIGNED && !isfinite(v)) v = -100.0 * rng_unit();
        y[i] = v;
    }
}

static void columns_match_brute_force(int kind) {
    series_kind = kind;
    const size_t n = 20000;
    int64_t *step = ts_xmalloc(n * sizeof *step);
    double *xd = ts_xmalloc(n * sizeof *xd), *y = ts_xmalloc(n * sizeof *y);
    make_series(n, step, xd, y);
    TsLod *lod = ts_lod_new_steps(step, y, n);
    assert_int_equal(ts_lod_segment_count(lod), 1);
    assert_int_equal(ts_lod_size(lod), n);
    static const size_t col_counts[] = {1, 2, 3, 7, 60, 200, 401, 1000, 5000};
    TsLodCol *got = ts_xmalloc(5000 * sizeof *got), *want = ts_xmalloc(5000 * sizeof *want);
    double *e = ts_xmalloc(5001 * sizeof *e);
    double xmin = xd[0], xmax = xd[n - 1];
    for (int zoom = 0; zoom < 40; zoom++) {
        /* zoom 0: everything; then random windows down to a few steps wide */
        double a = xmin, b = xmax;
        if (zoom > 0) {
            double width = (xmax - xmin) * pow(0.7, zoom);
            a = xmin - 10 + rng_unit() * (xmax - xmin - width + 20);
            b = a + width;
        }
        for (size_t ci = 0; ci < sizeof col_counts / sizeof col_counts[0]; ci++) {
            size_t nc = col_counts[ci];
            bool logx = (zoom + ci) % 2 == 1;
            for (size_t c = 0; c <= nc; c++) {
                double f = (double)c / nc;
                e[c] = logx ? a + (b - a) * (pow(10.0, 3.0 * f) - 1.0) / 999.0 : a + (b - a) * f;
            }
            e[nc] = b;
            ts_lod_columns(lod, 0, e, nc, got);
            brute_columns(xd, y, 0, n, e, nc, want);
            for (size_t c = 0; c < nc; c++) assert_col_equal(&got[c], &want[c], c);
        }
    }
    free(got);
    free(want);
    free(e);
    ts_lod_free(lod);
    free(step);
    free(xd);
    free(y);
    series_kind = MIXED;
}

static void test_columns_match_brute_force(void **state) {
    (void)state;
    columns_match_brute_force(MIXED);
}

static void test_columns_positive_values(void **state) {
    (void)state;
    columns_match_brute_force(POSITIVE);
}

static void test_columns_signed_values(void **state) {
    (void)state;
    columns_match_brute_force(SIGNED);
}

static void test_index_ranges_exhaustive(void **state) {
    (void)state;
    /* 1111 points: 34 blocks, 4 superblocks and a tail that is not a block */
    enum { N = 1111 };
    int64_t step[N];
    double xd[N], y[N];
    for (int kind = MIXED; kind <= SIGNED; kind++) {
        series_kind = kind;
        make_series(N, step, xd, y);
        if (kind == MIXED) {
            y[64] = NAN;
            y[65] = -3.0;
        }
        TsLod *lod = ts_lod_new(xd, y, N);
        for (size_t lo = 0; lo <= N; lo += 1 + lo % 3)
            for (size_t hi = lo; hi <= N; hi++) {
                TsLodCol got, want;
                ts_lod_query_index(lod, lo, hi, &got);
                brute(y, xd, lo, hi, &want);
                assert_col_equal(&got, &want, lo * 10000 + hi);
            }
        ts_lod_free(lod);
    }
    series_kind = MIXED;
}

/* One sample wide spike in 2e5 points: at every zoom that contains it,
 * exactly the column holding its step reaches the spike value. */
static void test_spike_found_at_every_zoom(void **state) {
    (void)state;
    const size_t n = 200000;
    int64_t *step = ts_xmalloc(n * sizeof *step);
    double *y = ts_xmalloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        step[i] = (int64_t)i * 3;
        y[i] = rng_unit();
    }
    for (int trial = 0; trial < 20; trial++) {
        size_t at = rng_below(n);
        y[at] = 50.0;
        TsLod *lod = ts_lod_new_steps(step, y, n);
        double sx = (double)step[at];
        static const size_t col_counts[] = {10, 60, 200, 1000};
        for (int zoom = 0; zoom < 25; zoom++) {
            double width = 3.0 * n * pow(0.6, zoom) + 1.0;
            double a = sx - width * rng_unit(), b = a + width;
            if (zoom == 1) a = sx;          /* spike on the left edge */
            if (zoom == 2) b = sx;          /* spike on the right edge */
            for (size_t ci = 0; ci < 4; ci++) {
                size_t nc = col_counts[ci];
                double e[1001];
                for (size_t c = 0; c <= nc; c++) e[c] = a + (b - a) * (double)c / nc;
                e[nc] = b;
                TsLodCol cols[1000];
                ts_lod_columns(lod, 0, e, nc, cols);
                int hits = 0;
                for (size_t c = 0; c < nc; c++) {
                    if (cols[c].max == 50.0) {
                        hits++;
                        assert_true(cols[c].lo <= at && at < cols[c].hi);
                    }
                }
                if (hits != 1) fail_msg("trial %d zoom %d cols %zu: spike in %d columns", trial, zoom, nc, hits);
            }
        }
        ts_lod_free(lod);
        y[at] = rng_unit();
    }
    free(step);
    free(y);
}

static void test_nonfinite_counted(void **state) {
    (void)state;
    double x[100], y[100];
    for (int i = 0; i < 100; i++) {
        x[i] = i;
        y[i] = 1.0;
    }
    y[3] = NAN;
    y[4] = NAN;
    y[50] = INFINITY;
    y[99] = -INFINITY;
    y[60] = -2.0;
    TsLod *lod = ts_lod_new(x, y, 100);
    TsLodCol t;
    ts_lod_totals(lod, &t);
    assert_int_equal(t.n_nan, 2);
    assert_int_equal(t.n_posinf, 1);
    assert_int_equal(t.n_neginf, 1);
    assert_int_equal(t.n_finite, 96);
    assert_int_equal(t.n_nonpos, 1);
    assert_true(t.min == -2.0 && t.max == 1.0 && t.min_pos == 1.0);
    /* A column made of NaN only: no min/max, but counted. */
    TsLodCol c;
    ts_lod_query(lod, 0, 3, 4, &c);
    assert_int_equal(c.n_nan, 2);
    assert_int_equal(c.n_finite, 0);
    assert_true(isnan(c.min) && isnan(c.max));
    assert_true(isnan(c.first) && isnan(c.last));
    ts_lod_query(lod, 0, 98.5, 99, &c);
    assert_int_equal(c.n_neginf, 1);
    assert_true(isinf(c.last) && c.last < 0);
    ts_lod_free(lod);
}

static void test_segments_and_seams(void **state) {
    (void)state;
    /* Steps 0..99, then a resume at 50..149, then a repeat of 149, then 120.. */
    int64_t step[260];
    double y[260], xd[260];
    size_t n = 0;
    for (int s = 0; s < 100; s++) step[n++] = s;
    for (int s = 50; s < 150; s++) step[n++] = s;
    step[n++] = 149;
    for (int s = 120; s < 179; s++) step[n++] = s;
    for (size_t i = 0; i < n; i++) {
        y[i] = (double)(i % 17) - 3.0;
        xd[i] = (double)step[i];
    }
    TsLod *lod = ts_lod_new_steps(step, y, n);
    assert_int_equal(ts_lod_segment_count(lod), 3);
    size_t s0, e0, s1, e1, s2, e2;
    ts_lod_segment(lod, 0, &s0, &e0);
    ts_lod_segment(lod, 1, &s1, &e1);
    ts_lod_segment(lod, 2, &s2, &e2);
    assert_int_equal(s0, 0);
    assert_int_equal(e0, 100);
    assert_int_equal(s1, 100);
    assert_int_equal(e1, 201); /* the repeated 149 stays in segment 1 */
    assert_int_equal(s2, 201);
    assert_int_equal(e2, n);
    assert_false(ts_lod_is_seam(lod, 0));
    assert_true(ts_lod_is_seam(lod, 1));
    assert_true(ts_lod_is_seam(lod, 2));
    /* Each segment against brute force over its own range. */
    for (size_t k = 0; k < 3; k++) {
        size_t s, e;
        ts_lod_segment(lod, k, &s, &e);
        double ed[13];
        for (int c = 0; c <= 12; c++) ed[c] = 40.0 + c * 10.0;
        TsLodCol got[12], want[12];
        ts_lod_columns(lod, k, ed, 12, got);
        brute_columns(xd, y, s, e, ed, 12, want);
        for (size_t c = 0; c < 12; c++) assert_col_equal(&got[c], &want[c], c);
    }
    assert_int_equal(ts_lod_lower_bound(lod, 1, 60), 110);
    assert_int_equal(ts_lod_upper_bound(lod, 1, 149), 201);
    ts_lod_free(lod);
}

static void test_wall_time_x(void **state) {
    (void)state;
    TsSeries s;
    ts_series_init(&s);
    ts_series_alloc(&s, 10, true);
    for (size_t i = 0; i < 10; i++) {
        s.step[i] = (int64_t)i;
        s.value[i] = (double)i;
        s.wall_time[i] = 1000.0 + 2.0 * (double)i;
    }
    s.wall_time[4] = NAN; /* not logged: left out, splits the segment */
    TsLod *lod = ts_lod_new_series(&s, NULL, true);
    assert_non_null(lod);
    assert_int_equal(ts_lod_skipped(lod), 1);
    assert_int_equal(ts_lod_segment_count(lod), 2);
    assert_false(ts_lod_is_seam(lod, 1)); /* time went on: a gap, not a seam */
    TsLodCol c;
    ts_lod_query(lod, 1, 1009.0, 1013.0, &c);
    assert_int_equal(c.lo, 5);
    assert_int_equal(c.hi, 7);
    assert_double_equal(c.max, 6.0, 0);
    ts_lod_free(lod);
    /* A smoothed array plotted over the same steps. */
    double sm[10];
    for (int i = 0; i < 10; i++) sm[i] = -i;
    lod = ts_lod_new_series(&s, sm, false);
    ts_lod_totals(lod, &c);
    assert_double_equal(c.min, -9.0, 0);
    assert_int_equal(ts_lod_segment_count(lod), 1);
    ts_lod_free(lod);
    free(s.wall_time);
    s.wall_time = NULL;
    assert_null(ts_lod_new_series(&s, NULL, true));
    ts_series_free(&s);
}

static void test_empty(void **state) {
    (void)state;
    TsLod *lod = ts_lod_new(NULL, NULL, 0);
    assert_int_equal(ts_lod_segment_count(lod), 0);
    TsLodCol c;
    ts_lod_totals(lod, &c);
    assert_int_equal(c.n_finite, 0);
    assert_true(isnan(c.min));
    double e[3] = {0, 1, 2};
    TsLodCol cols[2];
    ts_lod_columns(lod, 0, e, 2, cols);
    assert_int_equal(cols[1].hi - cols[1].lo, 0);
    ts_lod_free(lod);
}


/* ---- every query against brute force, over many kinds of series ---- */

enum {
    V_NOISY,        /* finite, > 0 */
    V_UP,           /* non-decreasing (runs of repeats), > 0, a rare dip */
    V_DOWN,         /* non-increasing, > 0, a rare bump */
    V_CONST,        /* long constant runs */
    V_SIGNED,       /* both signs, zeros and negative zeros */
    V_CROSSING,     /* decreasing through zero */
    V_SPARSE,       /* > 0 with a few NaN and infinities */
    V_DENSE,        /* 1% NaN/Inf, negatives and zeros everywhere */
    V_LATE,         /* clean, then many values to count from 60% on */
    V_HUGE,         /* near +-DBL_MAX: sums overflow */
    V_UP_INF,       /* non-decreasing, ending in +Inf */
    V_ALL_NAN,
    V_KINDS
};
enum { X_STEPS, X_SEAMS, X_DOUBLE, X_GAPS, X_KINDS };

static void gen_values(double *y, size_t n, int kind) {
    double v = kind == V_DOWN ? 1e6 : 1e-3;
    for (size_t i = 0; i < n; i++) {
        double u = rng_unit();
        switch (kind) {
        case V_NOISY: v = 1.0 + 0.5 * u; break;
        case V_UP: v += rng_below(4) == 0 ? 0.0 : u; if (rng_below(5000) == 0) v *= 0.5; break;
        case V_DOWN: v -= rng_below(4) == 0 ? 0.0 : u; if (rng_below(5000) == 0) v += 3.0; break;
        case V_CONST: if (rng_below(300) == 0) v = 1.0 + u; break;
        case V_SIGNED: v = u * 2.0 - 1.0; if (rng_below(50) == 0) v = rng_below(2) ? 0.0 : -0.0; break;
        case V_CROSSING: v = 1.0 - 2.0 * (double)i / (double)(n ? n : 1); break;
        case V_SPARSE:
            v = 2.0 + u;
            if (rng_below(20000) == 0) v = rng_below(3) == 0 ? NAN : rng_below(2) ? INFINITY : -INFINITY;
            break;
        case V_DENSE: {
            uint64_t k = rng_below(100);
            v = k == 0 ? NAN : k == 1 ? INFINITY : k == 2 ? -INFINITY : k < 20 ? -u : k == 20 ? 0.0 : u;
            break;
        }
        case V_LATE:
            v = 1.0 + u;
            if (i * 10 >= n * 6 && rng_below(10) == 0) v = rng_below(2) ? NAN : -u;
            break;
        case V_HUGE: v = (rng_below(8) == 0 ? -1.0 : 1.0) * (0.5 + 0.5 * u) * 1.7976931348623157e308; break;
        case V_UP_INF: v = i + 1 == n ? INFINITY : (double)(i / 3) + 1.0; break;
        default: v = NAN; break;
        }
        y[i] = v;
    }
}

/* x as doubles (steps are exact); xi set for the int64 kinds. */
static void gen_x(int64_t *xi, double *xd, size_t n, int kind) {
    int64_t s = (int64_t)rng_below(5);
    double t = 1.7e9;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rng_below(10);
        if (kind == X_STEPS || kind == X_SEAMS) {
            s += r < 2 ? 0 : r < 8 ? 1 : (int64_t)rng_below(20);
            if (kind == X_SEAMS && rng_below(3000) == 0) s -= (int64_t)rng_below(5000);
            xi[i] = s;
            xd[i] = (double)s;
        } else {
            t += r < 2 ? 0.0 : rng_unit();
            double x = t;
            if (kind == X_GAPS) {
                uint64_t g = rng_below(2000);
                if (g == 0) x = NAN;
                else if (g == 1) x = INFINITY;
                else if (g == 2) x = -INFINITY;
                else if (g == 3) t -= 100.0 * rng_unit();
            }
            xd[i] = x;
        }
    }
}

typedef struct BSeg {
    size_t start, end;
} BSeg;

/* Segments the way lod.h describes them. */
static size_t brute_segments(const double *x, size_t n, BSeg *segs, size_t *skipped) {
    size_t ns = 0;
    bool open = false;
    *skipped = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            if (open) segs[ns - 1].end = i;
            open = false;
            (*skipped)++;
            continue;
        }
        if (open && x[i] < x[i - 1]) {
            segs[ns - 1].end = i;
            open = false;
        }
        if (!open) {
            segs[ns++] = (BSeg){i, n};
            open = true;
        }
    }
    return ns;
}

/* A value of x to search for: a point's x, next to one, or anywhere. */
static double pick_x(const double *x, size_t n, double lo, double hi) {
    uint64_t r = rng_below(4);
    if (n && r < 2) {
        double v = x[rng_below(n)];
        if (isfinite(v)) return r == 0 ? v : nextafter(v, rng_below(2) ? INFINITY : -INFINITY);
    }
    return lo - 5.0 + rng_unit() * (hi - lo + 10.0);
}

static void check_series(const int64_t *xi, const double *xd, const double *y, size_t n, int xkind, int queries) {
    TsLod *lod = xkind == X_STEPS || xkind == X_SEAMS ? ts_lod_new_steps(xi, y, n) : ts_lod_new(xd, y, n);
    BSeg *segs = ts_xmalloc((n + 1) * sizeof *segs);
    size_t skipped, ns = brute_segments(xd, n, segs, &skipped);
    assert_int_equal(ts_lod_size(lod), n);
    assert_int_equal(ts_lod_skipped(lod), skipped);
    assert_int_equal(ts_lod_segment_count(lod), ns);
    double xmin = INFINITY, xmax = -INFINITY;
    for (size_t k = 0; k < ns; k++) {
        size_t s, e;
        ts_lod_segment(lod, k, &s, &e);
        if (s != segs[k].start || e != segs[k].end)
            fail_msg("n %zu segment %zu: [%zu,%zu), expected [%zu,%zu)", n, k, s, e, segs[k].start, segs[k].end);
        bool seam = k > 0 && xd[s] < xd[segs[k - 1].end - 1];
        assert_true(ts_lod_is_seam(lod, k) == seam);
        for (size_t i = s; i < e; i++) {
            xmin = xd[i] < xmin ? xd[i] : xmin;
            xmax = xd[i] > xmax ? xd[i] : xmax;
        }
    }
    if (!(xmin <= xmax)) xmin = xmax = 0.0;
    for (int q = 0; q < 8 && n; q++) {
        size_t i = rng_below(n);
        assert_true(same(ts_lod_y(lod, i), y[i]) && same(ts_lod_x(lod, i), xd[i]));
    }

    /* totals: every point with a finite x */
    TsLodCol got, want;
    ts_lod_totals(lod, &got);
    if (ns == 0) {
        brute(y, xd, 0, 0, &want);
    } else {
        TsLodCol part;
        brute(y, xd, segs[0].start, segs[ns - 1].end, &want);
        size_t nf = 0, nn = 0, npi = 0, nni = 0, nnp = 0;
        double mn = NAN, mx = NAN, mp = NAN;
        for (size_t k = 0; k < ns; k++) {
            brute(y, xd, segs[k].start, segs[k].end, &part);
            nf += part.n_finite;
            nn += part.n_nan;
            npi += part.n_posinf;
            nni += part.n_neginf;
            nnp += part.n_nonpos;
            if (!isnan(part.min) && (isnan(mn) || part.min < mn)) mn = part.min;
            if (!isnan(part.max) && (isnan(mx) || part.max > mx)) mx = part.max;
            if (!isnan(part.min_pos) && (isnan(mp) || part.min_pos < mp)) mp = part.min_pos;
        }
        want.n_finite = nf;
        want.n_nan = nn;
        want.n_posinf = npi;
        want.n_neginf = nni;
        want.n_nonpos = nnp;
        want.min = mn;
        want.max = mx;
        want.min_pos = mp;
    }
    assert_col_equal(&got, &want, 0);

    /* raw index ranges, clamped like the lod clamps them */
    for (int q = 0; q < queries; q++) {
        size_t lo = rng_below(n + 3), hi = rng_below(8) == 0 ? rng_below(n + 3) : lo + rng_below(n + 3 - lo);
        if (rng_below(4) == 0 && n > 40) hi = lo + rng_below(70); /* short: within a block or two */
        ts_lod_query_index(lod, lo, hi, &got);
        size_t h = hi > n ? n : hi, l = lo > h ? h : lo;
        brute(y, xd, l, h, &want);
        assert_col_equal(&got, &want, (size_t)q);
    }
    if (ns == 0) {
        double e[3] = {0, 1, 2};
        TsLodCol c[2];
        ts_lod_columns(lod, 0, e, 2, c);
        assert_true(c[0].lo == c[0].hi && c[1].lo == c[1].hi);
        ts_lod_free(lod);
        free(segs);
        return;
    }
    for (int q = 0; q < queries; q++) {
        size_t k = rng_below(ns), s = segs[k].start, e = segs[k].end;
        /* bounds */
        double v = pick_x(xd + s, e - s, xd[s], xd[e - 1]);
        size_t lb = s, ub = s;
        while (lb < e && xd[lb] < v) lb++;
        while (ub < e && xd[ub] <= v) ub++;
        assert_int_equal(ts_lod_lower_bound(lod, k, v), lb);
        assert_int_equal(ts_lod_upper_bound(lod, k, v), ub);
        /* an x range of one segment */
        double x0 = pick_x(xd + s, e - s, xd[s], xd[e - 1]), x1 = pick_x(xd + s, e - s, xd[s], xd[e - 1]);
        if (rng_below(6) != 0 && x1 < x0) {
            double t = x0;
            x0 = x1;
            x1 = t;
        }
        size_t lo = s, hi;
        while (lo < e && xd[lo] < x0) lo++;
        hi = lo;
        while (hi < e && xd[hi] <= x1) hi++;
        ts_lod_query(lod, k, x0, x1, &got);
        brute(y, xd, lo, hi, &want);
        assert_col_equal(&got, &want, (size_t)q);
    }
    /* columns: even, uneven, repeated and out-of-range edges */
    static const size_t col_counts[] = {1, 2, 3, 7, 64, 389};
    TsLodCol *cg = ts_xmalloc(389 * sizeof *cg), *cw = ts_xmalloc(389 * sizeof *cw);
    double *ed = ts_xmalloc(390 * sizeof *ed);
    for (int q = 0; q < queries / 4 + 2; q++) {
        size_t k = rng_below(ns), s = segs[k].start, e = segs[k].end;
        size_t nc = col_counts[rng_below(sizeof col_counts / sizeof col_counts[0])];
        double a = xd[s], b = xd[e - 1];
        uint64_t how = rng_below(5);
        if (how >= 2) { /* a window: zoomed in, or partly outside */
            double w = (b - a + 1.0) * pow(0.5, (double)rng_below(12)) * (0.5 + rng_unit());
            a = a - 0.2 * w + rng_unit() * (b - a + 0.4 * w);
            b = a + w;
        }
        for (size_t c = 0; c <= nc; c++) ed[c] = a + (b - a) * (double)c / (double)nc;
        if (how == 1) { /* sorted random edges, some repeated, some on points */
            for (size_t c = 0; c <= nc; c++) {
                ed[c] = rng_below(3) == 0 ? xd[s + rng_below(e - s)] : a - 1.0 + rng_unit() * (b - a + 2.0);
                if (c > 0 && rng_below(8) == 0) ed[c] = ed[c - 1];
            }
            for (size_t c = 1; c <= nc; c++) /* insertion sort */
                for (size_t d = c; d > 0 && ed[d] < ed[d - 1]; d--) {
                    double t = ed[d];
                    ed[d] = ed[d - 1];
                    ed[d - 1] = t;
                }
        }
        ts_lod_columns(lod, k, ed, nc, cg);
        brute_columns(xd, y, s, e, ed, nc, cw);
        for (size_t c = 0; c < nc; c++) assert_col_equal(&cg[c], &cw[c], c);
    }
    free(cg);
    free(cw);
    free(ed);
    ts_lod_free(lod);
    free(segs);
}

static void test_random_series_all_queries(void **state) {
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 5, 31, 32, 33, 64, 255, 256, 257, 2047, 2048, 2049, 4096, 16411, 70001};
    size_t cap = 70001;
    int64_t *xi = ts_xmalloc(cap * sizeof *xi);
    double *xd = ts_xmalloc(cap * sizeof *xd), *y = ts_xmalloc(cap * sizeof *y);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        int queries = n < 5000 ? 60 : n < 20000 ? 25 : 10;
        for (int xk = 0; xk < X_KINDS; xk++)
            for (int vk = 0; vk < V_KINDS; vk++) {
                gen_x(xi, xd, n, xk);
                gen_values(y, n, vk);
                check_series(xi, xd, y, n, xk, queries);
            }
    }
    free(xi);
    free(xd);
    free(y);
}

/* Every range of a series of each kind that takes its own path inside a
 * block (monotone, constant, signed, huge, non-finite). */
static void test_index_ranges_every_kind(void **state) {
    (void)state;
    enum { N = 613 };
    int64_t xi[N];
    double xd[N], y[N];
    for (int vk = 0; vk < V_KINDS; vk++) {
        gen_x(xi, xd, N, X_STEPS);
        gen_values(y, N, vk);
        TsLod *lod = ts_lod_new_steps(xi, y, N);
        for (size_t lo = 0; lo <= N; lo += 1 + lo % 2)
            for (size_t hi = lo; hi <= N; hi++) {
                TsLodCol got, want;
                ts_lod_query_index(lod, lo, hi, &got);
                brute(y, xd, lo, hi, &want);
                assert_col_equal(&got, &want, lo * 10000 + hi);
            }
        ts_lod_free(lod);
    }
}

/* A series large enough for the threaded build (segments of x on a second
 * thread): the same answers. */
static void test_large_series(void **state) {
    (void)state;
    size_t n = ((size_t)1 << 20) + 12345;
    int64_t *xi = ts_xmalloc(n * sizeof *xi);
    double *xd = ts_xmalloc(n * sizeof *xd), *y = ts_xmalloc(n * sizeof *y);
    gen_x(xi, xd, n, X_SEAMS);
    gen_values(y, n, V_LATE);
    check_series(xi, xd, y, n, X_SEAMS, 12);
    gen_x(xi, xd, n, X_GAPS);
    gen_values(y, n, V_UP);
    check_series(xi, xd, y, n, X_GAPS, 12);
    free(xi);
    free(xd);
    free(y);
}

/* Monotone runs longer than 65535 blocks (their lengths saturate): long
 * ranges inside them, across their ends, and whole-series columns. */
static void test_long_monotone_runs(void **state) {
    (void)state;
    size_t n = ((size_t)1 << 22) + 777, cut = (size_t)3 << 20;
    int64_t *xi = ts_xmalloc(n * sizeof *xi);
    double *xd = ts_xmalloc(n * sizeof *xd), *y = ts_xmalloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        xi[i] = (int64_t)i;
        xd[i] = (double)i;
        /* up for 3 * 2^20 points, then down */
        y[i] = i < cut ? 1.0 + 0.5 * (double)i : 1.0 + 0.5 * (double)(2 * cut - i);
    }
    TsLod *lod = ts_lod_new_steps(xi, y, n);
    TsLodCol got, want;
    for (int q = 0; q < 40; q++) {
        size_t lo = rng_below(n), hi = lo + rng_below(n - lo + 1);
        if (q < 4) { /* across the turn, or ending on it */
            lo = rng_below(cut);
            hi = q < 2 ? cut + rng_below(n - cut) : cut;
        }
        ts_lod_query_index(lod, lo, hi, &got);
        brute(y, xd, lo, hi, &want);
        assert_col_equal(&got, &want, (size_t)q);
    }
    static const size_t col_counts[] = {1, 2, 389};
    double e[390];
    TsLodCol cg[389], cw[389];
    for (size_t ci = 0; ci < 3; ci++) {
        size_t nc = col_counts[ci];
        for (size_t c = 0; c <= nc; c++) e[c] = (double)(n - 1) * (double)c / (double)nc;
        ts_lod_columns(lod, 0, e, nc, cg);
        brute_columns(xd, y, 0, n, e, nc, cw);
        for (size_t c = 0; c < nc; c++) assert_col_equal(&cg[c], &cw[c], c);
    }
    ts_lod_free(lod);
    free(xi);
    free(xd);
    free(y);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_match_brute_force),
        cmocka_unit_test(test_columns_positive_values),
        cmocka_unit_test(test_columns_signed_values),
        cmocka_unit_test(test_index_ranges_exhaustive),
        cmocka_unit_test(test_spike_found_at_every_zoom),
        cmocka_unit_test(test_nonfinite_counted),
        cmocka_unit_test(test_segments_and_seams),
        cmocka_unit_test(test_wall_time_x),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_random_series_all_queries),
        cmocka_unit_test(test_index_ranges_every_kind),
        cmocka_unit_test(test_large_series),
        cmocka_unit_test(test_long_monotone_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
