/* test_cpd.c - change-point detection: PELT against brute-force optimal
 * partitioning, recovery of planted changes, CROPS, binseg, max_cp,
 * preprocessing, numerical stability at n = 10^6.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trajscope/cpd.h"
#include "support/ts_test.h"

static void same_changes(const TsCpdResult *a, const TsCpdResult *b);

/* ---- a small seeded generator (splitmix64 + Box-Muller) ---- */
typedef struct Rng {
    uint64_t s;
    bool have;
    double spare;
} Rng;

static uint64_t rng_u64(Rng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double rng_unif(Rng *r) { /* (0, 1) */
    return ((double)(rng_u64(r) >> 11) + 0.5) / 9007199254740992.0;
}
static double rng_norm(Rng *r) {
    if (r->have) {
        r->have = false;
        return r->spare;
    }
    double u = rng_unif(r), v = rng_unif(r);
    double rad = sqrt(-2.0 * log(u)), th = 2.0 * M_PI * v;
    r->spare = rad * sin(th);
    r->have = true;
    return rad * cos(th);
}
static size_t rng_int(Rng *r, size_t lo, size_t hi) { /* [lo, hi] */
    return lo + (size_t)(rng_u64(r) % (uint64_t)(hi - lo + 1));
}

/* ---- brute force: the O(n^2) optimal partitioning dynamic programme with
 * its own segment costs (Welford updates, raw units) ---- */
typedef struct Bf {
    size_t m;
    size_t cp[128];
    double fit, total;
} Bf;

static double *cost_matrix(const double *x, const double *y, size_t n, TsCpdCost cost, double sigma) {
    double *C = calloc((n + 1) * (n + 1), sizeof *C);
    double s2 = sigma * sigma, floor_v = TS_CPD_VAR_FLOOR * s2;
    for (size_t a = 0; a < n; a++) {
        double k = 0, mx = 0, my = 0, cxx = 0, cxy = 0, cyy = 0;
        for (size_t b = a + 1; b <= n; b++) {
            double xi = x[b - 1], yi = y[b - 1];
            k += 1;
            double dx = xi - mx, dy = yi - my;
            mx += dx / k;
            my += dy / k;
            cxx += dx * (xi - mx);
            cxy += dx * (yi - my);
            cyy += dy * (yi - my);
            double c;
            if (cost == TS_CPD_COST_MEAN) {
                c = cyy / s2;
            } else if (cost == TS_CPD_COST_MEANVAR) {
                double v = cyy / k;
                if (v < floor_v) v = floor_v;
                c = k * log(v / s2) + cyy / v;
            } else {
                double rss = cxx > 0 ? cyy - cxy * cxy / cxx : cyy;
                if (rss < 0) rss = 0;
                c = rss / s2;
            }
            C[a * (n + 1) + b] = c;
        }
    }
    return C;
}

static void brute_force(const double *C, size_t n, double beta, size_t L, Bf *out) {
    double *F = malloc((n + 1) * sizeof *F);
    size_t *last = calloc(n + 1, sizeof *last);
    F[0] = -beta;
    for (size_t t = 1; t <= n; t++) {
        F[t] = INFINITY;
        for (size_t s = 0; s + L <= t; s++) {
            if (s != 0 && s < L) continue;
            if (!isfinite(F[s])) continue;
            double v = F[s] + C[s * (n + 1) + t] + beta;
            if (v < F[t]) {
                F[t] = v;
                last[t] = s;
            }
        }
    }
    size_t m = 0, tmp[128];
    for (size_t t = n; t > 0; t = last[t])
        if (last[t] > 0) tmp[m++] = last[t];
    out->m = m;
    for (size_t i = 0; i < m; i++) out->cp[i] = tmp[m - 1 - i];
    double fit = 0;
    size_t a = 0;
    for (size_t j = 0; j <= m; j++) {
        size_t b = j < m ? out->cp[j] : n;
        fit += C[a * (n + 1) + b];
        a = b;
    }
    out->fit = fit;
    out->total = F[n];
    free(F);
    free(last);
}

/* A random test series: a few segments with their own level, slope and noise. */
static size_t make_series(Rng *r, size_t n, bool irregular_steps, int64_t *step, double *y) {
    size_t nseg = rng_int(r, 1, 5);
    size_t bounds[8];
    bounds[0] = 0;
    for (size_t j = 1; j < nseg; j++) bounds[j] = rng_int(r, 1, n - 1);
    bounds[nseg] = n;
    int64_t st = (int64_t)rng_int(r, 0, 1000);
    double level = 3 * rng_norm(r), slope = 0.2 * rng_norm(r), noise = 0.3 + 1.7 * rng_unif(r);
    for (size_t i = 0; i < n; i++) {
        for (size_t q = 1; q < nseg; q++)
            if (bounds[q] == i) {
                level = 3 * rng_norm(r);
                slope = 0.2 * rng_norm(r);
                noise = 0.3 + 1.7 * rng_unif(r);
            }
        step[i] = st;
        st += irregular_steps ? (int64_t)rng_int(r, 1, 20) : 1;
        y[i] = level + slope * (double)i + noise * rng_norm(r);
    }
    return nseg;
}

static const double betas[] = {0.5, 2.0, 5.0, 12.0, 30.0};

static void check_pelt_vs_bf(TsCpdCost cost) {
    int64_t step[80];
    double y[80], x[80];
    size_t with_changes = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        Rng r = {seed * 7919 + (uint64_t)cost, false, 0};
        size_t n = rng_int(&r, 20, 80);
        bool irregular = cost == TS_CPD_COST_SLOPE && (seed % 2);
        make_series(&r, n, irregular, step, y);
        for (size_t i = 0; i < n; i++) x[i] = (double)step[i];
        size_t L = rng_int(&r, ts_cpd_min_seg_floor(cost), 6);
        bool manual = seed % 6 != 0;
        double beta_manual = betas[seed % 5];
        double sigma = seed % 3 == 0 ? 0 : 0.5 + rng_unif(&r); /* 0: estimated */

        TsCpdOptions o;
        ts_cpd_options_default(&o);
        o.cost = cost;
        o.min_seg = L;
        o.sigma = sigma;
        o.penalty = manual ? TS_CPD_PEN_MANUAL : TS_CPD_PEN_MBIC;
        o.penalty_value = beta_manual;
        o.plain_pelt = cost == TS_CPD_COST_MEAN && seed % 2 == 0; /* both pruning rules */
        TsCpdResult res;
        TsErr err;
        ts_err_clear(&err);
        assert_true(ts_cpd_detect(step, y, n, &o, &res, &err));
        double beta = res.penalty;
        if (manual) assert_double_equal(beta, beta_manual, 0);
        if (sigma > 0) assert_double_equal(res.sigma, sigma, 0);

        double *C = cost_matrix(x, y, n, cost, res.sigma);
        Bf bf;
        brute_force(C, n, beta, L, &bf);
        if (res.n_cp != bf.m)
            fail_msg("seed %lu cost %s n %zu L %zu beta %g: PELT %zu changes, brute force %zu",
                     (unsigned long)seed, ts_cpd_cost_name(cost), n, L, beta, res.n_cp, bf.m);
        for (size_t i = 0; i < bf.m; i++) assert_int_equal(res.cp[i].index, bf.cp[i]);
        double tol = 1e-9 * fmax(1.0, fabs(bf.fit));
        assert_double_equal(res.fit_cost, bf.fit, tol);
        assert_double_equal(res.total_cost, bf.total, 1e-9 * fmax(1.0, fabs(bf.total)));
        /* every segment respects the minimum length */
        for (size_t j = 0; j < res.n_seg; j++) assert_true(res.seg[j].length >= L);
        if (bf.m) with_changes++;
        free(C);
        ts_cpd_result_free(&res);
    }
    /* the comparison must not be vacuous */
    assert_true(with_changes >= 100);
}

static void test_pelt_equals_brute_force_mean(void **state) {
    (void)state;
    check_pelt_vs_bf(TS_CPD_COST_MEAN);
}
static void test_pelt_equals_brute_force_meanvar(void **state) {
    (void)state;
    check_pelt_vs_bf(TS_CPD_COST_MEANVAR);
}
static void test_pelt_equals_brute_force_slope(void **state) {
    (void)state;
    check_pelt_vs_bf(TS_CPD_COST_SLOPE);
}

/* Functional pruning (the mean cost's default) and PELT's inequality
 * pruning give the same optimal segmentation on longer series: trends,
 * regimes, noise, every minimum segment length. */
static void test_fpop_equals_plain_pelt(void **state) {
    (void)state;
    enum { N = 4000 };
    int64_t *step = malloc(N * sizeof *step);
    double *y = malloc(N * sizeof *y);
    size_t total = 0;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        Rng r = {seed * 4241, false, 0};
        double level = 0;
        for (size_t i = 0; i < N; i++) {
            step[i] = (int64_t)i;
            if (seed % 3 == 0 && rng_unif(&r) < 0.004) level += 3 * rng_norm(&r);
            double trend = seed % 3 == 1 ? 3.0 * exp(-(double)i / 700.0) : 0.0;
            y[i] = level + trend + rng_norm(&r);
        }
        TsCpdOptions o;
        ts_cpd_options_default(&o);
        o.min_seg = 1 + seed % 4;
        o.penalty = seed % 2 ? TS_CPD_PEN_MBIC : TS_CPD_PEN_MANUAL;
        o.penalty_value = 3.0 + (double)seed;
        TsCpdResult a, b;
        assert_true(ts_cpd_detect(step, y, N, &o, &a, NULL));
        o.plain_pelt = true;
        assert_true(ts_cpd_detect(step, y, N, &o, &b, NULL));
        same_changes(&a, &b);
        assert_double_equal(a.total_cost, b.total_cost, 1e-9 * fabs(b.total_cost));
        total += a.n_cp;
        ts_cpd_result_free(&a);
        ts_cpd_result_free(&b);
    }
    assert_true(total > 50);
    free(step);
    free(y);
}

/* ---- planted changes ---- */

static bool near(const TsCpdResult *r, size_t want, size_t tol) {
    for (size_t i = 0; i < r->n_cp; i++) {
        size_t got = r->cp[i].index;
        if ((got > want ? got - want : want - got) <= tol) return true;
    }
    return false;
}

typedef enum Planted { PLANT_MEAN, PLANT_VAR, PLANT_SLOPE } Planted;

/* n = 600, changes at 200 and 400. Returns how many of `seeds` series gave
 * exactly two changes, each within tol of the truth. */
static int recover(Planted kind, TsCpdCost cost, TsCpdMethod method, size_t tol, int seeds) {
    enum { N = 600 };
    int64_t step[N];
    double y[N];
    int good = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        Rng r = {(uint64_t)seed * 104729 + kind, false, 0};
        for (size_t i = 0; i < N; i++) {
            step[i] = (int64_t)(i * 10);
            size_t seg = i / 200;
            double e = rng_norm(&r);
            switch (kind) {
            case PLANT_MEAN: y[i] = (seg == 1 ? 2.0 : seg == 2 ? -0.5 : 0.0) + e; break;
            case PLANT_VAR: y[i] = 5.0 + (seg == 1 ? 4.0 : 1.0) * e; break;
            case PLANT_SLOPE: {
                double t = (double)i;
                double v = t < 200 ? 0.05 * t : t < 400 ? 10 - 0.05 * (t - 200) : 0.08 * (t - 400);
                y[i] = v + e;
                break;
            }
            }
        }
        TsCpdOptions o;
        ts_cpd_options_default(&o);
        o.cost = cost;
        o.method = method;
        TsCpdResult res;
        assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
        if (res.n_cp == 2 && near(&res, 200, tol) && near(&res, 400, tol)) good++;
        ts_cpd_result_free(&res);
    }
    return good;
}

static void test_recovers_mean_shifts(void **state) {
    (void)state;
    int good = recover(PLANT_MEAN, TS_CPD_COST_MEAN, TS_CPD_PELT, 5, 50);
    assert_true(good >= 48);
    good = recover(PLANT_MEAN, TS_CPD_COST_MEAN, TS_CPD_BINSEG, 5, 50);
    assert_true(good >= 48);
}

static void test_recovers_variance_shifts(void **state) {
    (void)state;
    int good = recover(PLANT_VAR, TS_CPD_COST_MEANVAR, TS_CPD_PELT, 15, 50);
    assert_true(good >= 47);
}

static void test_recovers_slope_changes(void **state) {
    (void)state;
    int good = recover(PLANT_SLOPE, TS_CPD_COST_SLOPE, TS_CPD_PELT, 25, 50);
    assert_true(good >= 47);
}

static void test_no_change_in_pure_noise(void **state) {
    (void)state;
    enum { N = 500 };
    int64_t step[N];
    double y[N];
    for (int c = 0; c < TS_CPD_COST_COUNT; c++) {
        for (int m = 0; m < 2; m++) {
            int clean = 0;
            for (int seed = 1; seed <= 100; seed++) {
                Rng r = {(uint64_t)seed * 31337 + (uint64_t)c * 7 + (uint64_t)m, false, 0};
                for (size_t i = 0; i < N; i++) {
                    step[i] = (int64_t)i;
                    y[i] = 3.0 + 0.7 * rng_norm(&r);
                }
                TsCpdOptions o;
                ts_cpd_options_default(&o);
                o.cost = (TsCpdCost)c;
                o.method = m ? TS_CPD_BINSEG : TS_CPD_PELT;
                TsCpdResult res;
                assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
                if (res.n_cp == 0) clean++;
                ts_cpd_result_free(&res);
            }
            if (clean < 95)
                fail_msg("cost %s method %s: only %d of 100 noise series without a change",
                         ts_cpd_cost_name((TsCpdCost)c), m ? "binseg" : "pelt", clean);
        }
    }
}

/* ---- CROPS ---- */

static void same_changes(const TsCpdResult *a, const TsCpdResult *b) {
    assert_int_equal(a->n_cp, b->n_cp);
    for (size_t i = 0; i < a->n_cp; i++) assert_int_equal(a->cp[i].index, b->cp[i].index);
}

static void test_crops_matches_pelt(void **state) {
    (void)state;
    enum { N = 300 };
    int64_t step[N];
    double y[N];
    for (int c = 0; c < TS_CPD_COST_COUNT; c++) {
        for (uint64_t seed = 1; seed <= 6; seed++) {
            Rng r = {seed * 977 + (uint64_t)c, false, 0};
            make_series(&r, N, false, step, y);
            TsCpdOptions o;
            ts_cpd_options_default(&o);
            o.cost = (TsCpdCost)c;
            o.sigma = 1.0;
            TsCpdCrops cr;
            TsErr err;
            ts_err_clear(&err);
            assert_true(ts_cpd_crops(step, y, N, &o, 1.0, 200.0, 200, &cr, &err));
            assert_true(cr.complete);
            assert_true(cr.n >= 2);
            assert_double_equal(cr.entry[0].beta_hi, 200.0, 0);
            assert_double_equal(cr.entry[cr.n - 1].beta_lo, 1.0, 0);
            for (size_t i = 0; i < cr.n; i++) {
                const TsCpdCropsEntry *e = &cr.entry[i];
                assert_true(e->beta_lo <= e->beta_hi);
                if (i > 0) {
                    /* contiguous, more changes for smaller penalties */
                    assert_double_equal(cr.entry[i - 1].beta_lo, e->beta_hi, 1e-9 * e->beta_hi);
                    assert_true(e->result.n_cp > cr.entry[i - 1].result.n_cp);
                }
                TsCpdOptions p = o;
                p.penalty = TS_CPD_PEN_MANUAL;
                p.penalty_value = 0.5 * (e->beta_lo + e->beta_hi);
                TsCpdResult res;
                assert_true(ts_cpd_detect(step, y, N, &p, &res, NULL));
                same_changes(&res, &e->result);
                assert_double_equal(res.fit_cost, e->result.fit_cost, 1e-9 * fmax(1, fabs(res.fit_cost)));
                ts_cpd_result_free(&res);
            }
            /* the preferred entry holds the MBIC penalty */
            double mbic = ts_cpd_penalty_beta(TS_CPD_PEN_MBIC, 0, (TsCpdCost)c, N);
            const TsCpdCropsEntry *pe = &cr.entry[cr.preferred];
            assert_true(pe->beta_lo <= mbic && mbic <= pe->beta_hi);
            ts_cpd_crops_free(&cr);
        }
    }
}

static void test_crops_run_limit(void **state) {
    (void)state;
    enum { N = 400 };
    int64_t step[N];
    double y[N];
    Rng r = {42, false, 0};
    for (size_t i = 0; i < N; i++) {
        step[i] = (int64_t)i;
        y[i] = 0.02 * (double)i + rng_norm(&r); /* a trend: many segmentations */
    }
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    TsCpdCrops cr;
    assert_true(ts_cpd_crops(step, y, N, &o, 0.1, 500.0, 4, &cr, NULL));
    assert_false(cr.complete);
    assert_true(cr.n_runs <= 4);
    ts_cpd_crops_free(&cr);
    TsErr err;
    ts_err_clear(&err);
    assert_false(ts_cpd_crops(step, y, N, &o, 5.0, 5.0, 0, &cr, &err));
    assert_true(ts_err_is_set(&err));
}

/* The most stable segmentation: a smooth logistic rise (grokking-like,
 * little noise) that MBIC cuts into a staircase beyond max_cp. `stable`
 * is the entry with a change whose penalty interval is widest on a log
 * scale (checked against every entry), here the single transition at the
 * middle of the rise; penalty_below says the MBIC answer was not searched. */
static void test_crops_most_stable(void **state) {
    (void)state;
    enum { N = 600 };
    int64_t step[N];
    double y[N];
    Rng r = {4242, false, 0};
    for (size_t i = 0; i < N; i++) {
        step[i] = (int64_t)i * 10;
        y[i] = 1.0 / (1.0 + exp(-((double)i - 350.0) / 12.0)) + 0.002 * rng_norm(&r);
    }
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    o.max_cp = 10;
    TsCpdCrops cr;
    assert_true(ts_cpd_crops(step, y, N, &o, 0.0, INFINITY, 0, &cr, NULL));
    assert_true(cr.penalty_below);
    assert_int_equal(cr.entry[cr.preferred].result.n_cp, 10); /* MBIC's nearest: the staircase */
    assert_true(cr.stable > 0 && cr.stable < cr.n);
    double wmax = -INFINITY;
    size_t widest = 0;
    for (size_t i = 0; i < cr.n; i++) {
        const TsCpdCropsEntry *e = &cr.entry[i];
        if (e->result.n_cp == 0 || !(e->beta_lo > 0) || isinf(e->beta_hi)) continue;
        double w = log(e->beta_hi / e->beta_lo);
        if (w > wmax) {
            wmax = w;
            widest = i;
        }
    }
    assert_int_equal(cr.stable, widest);
    const TsCpdResult *st = &cr.entry[cr.stable].result;
    assert_int_equal(st->n_cp, 1);
    assert_true(llabs(st->cp[0].step - 3500) <= 100);
    ts_cpd_crops_free(&cr);

    /* a penalty inside the path: not below it */
    o.penalty = TS_CPD_PEN_MANUAL;
    o.penalty_value = 1e12;
    assert_true(ts_cpd_crops(step, y, N, &o, 0.0, INFINITY, 0, &cr, NULL));
    assert_false(cr.penalty_below);
    assert_int_equal(cr.entry[cr.preferred].result.n_cp, 0);
    ts_cpd_crops_free(&cr);

    /* no change on the path at all: stable is 0 */
    for (size_t i = 0; i < N; i++) y[i] = 5.0;
    o.penalty = TS_CPD_PEN_MBIC;
    assert_true(ts_cpd_crops(step, y, N, &o, 0.0, INFINITY, 0, &cr, NULL));
    assert_int_equal(cr.stable, 0);
    ts_cpd_crops_free(&cr);
}

/* CROPS up to infinity with max_cp: every hull segmentation with 0..K
 * changes, each equal to PELT inside its interval, and the same as the
 * bounded search restricted to those sizes. */
static void test_crops_upto_max_cp(void **state) {
    (void)state;
    enum { N = 500 };
    int64_t step[N];
    double y[N];
    for (int c = 0; c < TS_CPD_COST_COUNT; c++) {
        Rng r = {99 + (uint64_t)c, false, 0};
        for (size_t i = 0; i < N; i++) {
            step[i] = (int64_t)i;
            y[i] = 2.0 * tanh(((double)i - 250.0) / 40.0) + 0.02 * (double)(i % 97) + 0.3 * rng_norm(&r);
        }
        TsCpdOptions o;
        ts_cpd_options_default(&o);
        o.cost = (TsCpdCost)c;
        o.max_cp = 6;
        TsCpdCrops up, all;
        assert_true(ts_cpd_crops(step, y, N, &o, 0.0, INFINITY, 500, &up, NULL));
        assert_true(up.complete);
        assert_int_equal(up.entry[0].result.n_cp, 0);
        assert_true(isinf(up.entry[0].beta_hi));
        assert_true(up.n >= 3);
        for (size_t i = 0; i < up.n; i++) {
            const TsCpdCropsEntry *e = &up.entry[i];
            assert_true(e->result.n_cp <= 6);
            if (i) assert_double_equal(up.entry[i - 1].beta_lo, e->beta_hi, 1e-9 * e->beta_hi);
            TsCpdOptions p = o;
            p.max_cp = 0;
            p.penalty = TS_CPD_PEN_MANUAL;
            p.penalty_value = isinf(e->beta_hi) ? 2 * e->beta_lo + 1 : 0.5 * (e->beta_lo + e->beta_hi);
            TsCpdResult res;
            assert_true(ts_cpd_detect(step, y, N, &p, &res, NULL));
            same_changes(&res, &e->result);
            ts_cpd_result_free(&res);
        }
        /* the last entry's lower end is where a segmentation with > 6 changes takes over */
        TsCpdOptions q = o;
        q.max_cp = 0;
        q.penalty = TS_CPD_PEN_MANUAL;
        q.penalty_value = 0.999 * up.entry[up.n - 1].beta_lo;
        TsCpdResult below;
        assert_true(ts_cpd_detect(step, y, N, &q, &below, NULL));
        assert_true(below.n_cp > 6);
        ts_cpd_result_free(&below);
        /* same list as an unrestricted search over a wide finite range */
        o.max_cp = 0;
        assert_true(ts_cpd_crops(step, y, N, &o, up.entry[up.n - 1].beta_lo, 2 * up.entry[0].beta_lo + 1,
                                 500, &all, NULL));
        assert_true(all.complete);
        size_t k = 0;
        for (size_t i = 0; i < all.n; i++)
            if (all.entry[i].result.n_cp <= 6) {
                assert_true(k < up.n);
                same_changes(&all.entry[i].result, &up.entry[k].result);
                k++;
            }
        assert_int_equal(k, up.n);
        ts_cpd_crops_free(&up);
        ts_cpd_crops_free(&all);
    }
}

/* PELT with max_cp returns the optimal segmentation of the largest size
 * <= max_cp on the CROPS hull. */
static void test_pelt_max_cp(void **state) {
    (void)state;
    enum { N = 400 };
    int64_t step[N];
    double y[N];
    for (uint64_t seed = 1; seed <= 5; seed++) {
        Rng r = {seed * 13, false, 0};
        for (size_t i = 0; i < N; i++) {
            step[i] = (int64_t)i;
            y[i] = 0.03 * (double)i + rng_norm(&r);
        }
        TsCpdOptions o;
        ts_cpd_options_default(&o);
        o.sigma = 1.0;
        TsCpdResult full;
        assert_true(ts_cpd_detect(step, y, N, &o, &full, NULL));
        assert_true(full.n_cp > 3);
        TsCpdCrops cr;
        assert_true(ts_cpd_crops(step, y, N, &o, full.penalty, 1e5, 500, &cr, NULL));
        assert_true(cr.complete);
        for (size_t K = 1; K <= 3; K++) {
            o.max_cp = K;
            TsCpdResult lim;
            assert_true(ts_cpd_detect(step, y, N, &o, &lim, NULL));
            assert_true(lim.n_cp <= K);
            assert_true(lim.penalty >= full.penalty);
            assert_true(lim.n_runs >= 2);
            size_t best = SIZE_MAX;
            for (size_t i = 0; i < cr.n; i++)
                if (cr.entry[i].result.n_cp <= K) best = i;
            assert_true(best != SIZE_MAX);
            same_changes(&lim, &cr.entry[best].result);
            ts_cpd_result_free(&lim);
        }
        ts_cpd_crops_free(&cr);
        ts_cpd_result_free(&full);
    }
}

static void test_binseg_max_cp_and_order(void **state) {
    (void)state;
    enum { N = 600 };
    int64_t step[N];
    double y[N];
    Rng r = {5, false, 0};
    for (size_t i = 0; i < N; i++) {
        step[i] = (int64_t)i;
        y[i] = (i >= 150 ? 1.5 : 0) + (i >= 300 ? 6.0 : 0) + (i >= 450 ? -3.0 : 0) + rng_norm(&r);
    }
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    o.method = TS_CPD_BINSEG;
    o.max_cp = 1;
    TsCpdResult res;
    assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
    assert_int_equal(res.n_cp, 1);
    assert_true(near(&res, 300, 2)); /* the largest change first */
    ts_cpd_result_free(&res);
    o.max_cp = 0;
    assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
    assert_int_equal(res.n_cp, 3);
    assert_true(near(&res, 150, 10) && near(&res, 300, 2) && near(&res, 450, 3));
    /* each strength is the cost drop of that split, and positive */
    for (size_t i = 0; i < res.n_cp; i++) {
        const TsCpdChange *c = &res.cp[i];
        assert_true(c->strength > res.penalty);
        assert_int_equal(c->before.start + c->before.length, c->index);
        assert_int_equal(c->after.start, c->index);
    }
    ts_cpd_result_free(&res);
}

/* ---- segment statistics and steps ---- */

static void test_segment_statistics(void **state) {
    (void)state;
    int64_t step[] = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    double y[] = {1, 1, 1, 1, 1, 9, 9, 9, 9, 9};
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    o.sigma = 1.0;
    TsCpdResult res;
    assert_true(ts_cpd_detect(step, y, 10, &o, &res, NULL));
    assert_int_equal(res.n_cp, 1);
    const TsCpdChange *c = &res.cp[0];
    assert_int_equal(c->step, 50);
    assert_int_equal(c->index, 5);
    assert_int_equal(c->src_index, 5);
    assert_double_equal(c->before.mean, 1.0, 1e-12);
    assert_double_equal(c->after.mean, 9.0, 1e-12);
    assert_double_equal(c->before.std, 0.0, 1e-12);
    assert_double_equal(c->before.slope, 0.0, 1e-12);
    assert_int_equal(c->before.start_step, 0);
    assert_int_equal(c->before.end_step, 40);
    assert_int_equal(c->after.start_step, 50);
    assert_int_equal(c->after.end_step, 90);
    assert_int_equal(c->before.length, 5);
    /* merged cost 10 * 16 = 160, both sides 0 */
    assert_double_equal(c->strength, 160.0, 1e-9);
    assert_double_equal(res.fit_cost, 0.0, 1e-9);
    ts_cpd_result_free(&res);
}

/* ---- preprocessing ---- */

static void test_prep_nonfinite_duplicates_order(void **state) {
    (void)state;
    /* file order with a seam: steps 0..5 then 3..9 again (resumed run) */
    int64_t step[] = {0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 8, 9};
    double y[] = {1, 1, NAN, 1, 1, 1, 5, 5, INFINITY, 5, 5, 5, 5};
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    o.sigma = 1.0;
    o.min_seg = 1;
    TsCpdResult res;
    assert_true(ts_cpd_detect(step, y, 13, &o, &res, NULL));
    assert_false(res.prep.steps_sorted);
    assert_int_equal(res.prep.n_input, 13);
    assert_int_equal(res.prep.n_duplicate_steps, 3);
    assert_int_equal(res.prep.n_nonfinite, 2);
    assert_int_equal(res.prep.first_nonfinite_step, 2);
    assert_int_equal(res.prep.n_clean, 8);
    assert_int_equal(res.n_cp, 1);
    assert_int_equal(res.cp[0].step, 3);     /* the resumed run's value wins */
    assert_int_equal(res.cp[0].src_index, 6); /* the later write of step 3 */
    ts_cpd_result_free(&res);
}

static void test_prep_log_values(void **state) {
    (void)state;
    enum { N = 400 };
    int64_t step[N];
    double y[N];
    Rng r = {77, false, 0};
    for (size_t i = 0; i < N; i++) {
        step[i] = (int64_t)i;
        /* multiplicative noise: the drop is clear on a log scale */
        y[i] = (i < 250 ? 2.0 : 0.02) * exp(0.1 * rng_norm(&r));
    }
    y[10] = 0.0;
    y[20] = -1.0;
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    o.prep.log_values = true;
    TsCpdResult res;
    assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
    assert_int_equal(res.prep.n_nonpositive, 2);
    assert_int_equal(res.prep.first_nonpositive_step, 10);
    assert_int_equal(res.n_cp, 1);
    assert_int_equal(res.cp[0].step, 250);
    assert_double_equal(res.cp[0].before.mean, log(2.0), 0.03);
    assert_double_equal(res.cp[0].after.mean, log(0.02), 0.03);
    ts_cpd_result_free(&res);

    double bad[] = {0, -1, NAN};
    int64_t st[] = {0, 1, 2};
    TsErr err;
    ts_err_clear(&err);
    assert_false(ts_cpd_detect(st, bad, 3, &o, &res, &err));
    assert_true(ts_err_is_set(&err));
}

static void test_prep_log_step_grid(void **state) {
    (void)state;
    /* logged every step from 0 to 99999; the level changes at step 1000 */
    enum { N = 100000 };
    int64_t *step = malloc(N * sizeof *step);
    double *y = malloc(N * sizeof *y);
    Rng r = {3, false, 0};
    for (size_t i = 0; i < N; i++) {
        step[i] = (int64_t)i;
        y[i] = (i < 1000 ? 1.0 : 0.0) + 0.1 * rng_norm(&r);
    }
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    o.prep.log_step = true;
    o.prep.grid_points = 2000;
    TsCpdResult res;
    assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
    assert_true(res.x_log_step);
    /* steps 0..~5750 are sparser than the grid (spacing 11.5 / 1999 in log
     * space): kept as logged; the rest is a uniform grid */
    size_t sparse = (size_t)ceil(1.0 / expm1(log1p(N - 1.0) / 1999.0));
    assert_int_equal(res.prep.n_clean, N);
    assert_true(res.prep.n_analysed > sparse && res.prep.n_analysed < sparse + 2000);
    assert_int_equal(res.n_cp, 1);
    /* reported in logged steps: the grid spacing near step 1000 is ~0.6% */
    int64_t s = res.cp[0].step;
    assert_true(s >= 995 && s <= 1010);
    assert_int_equal(res.cp[0].src_index, (size_t)s);
    assert_int_equal(res.seg[0].start_step, 0);
    assert_int_equal(res.seg[1].end_step, N - 1);
    assert_true(res.seg[0].end_step < s);
    ts_cpd_result_free(&res);
    free(step);
    free(y);
}

static void test_prep_despike(void **state) {
    (void)state;
    enum { N = 300 };
    int64_t step[N];
    double y[N];
    Rng r = {9, false, 0};
    for (size_t i = 0; i < N; i++) {
        step[i] = (int64_t)i;
        y[i] = rng_norm(&r);
    }
    y[100] = 40.0; /* a loss spike */
    y[200] = -35.0;
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    o.min_seg = 1;
    TsCpdResult res;
    assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
    assert_true(res.n_cp >= 2); /* the spikes are "changes" without despiking */
    ts_cpd_result_free(&res);
    o.prep.despike = true;
    assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
    assert_true(res.prep.n_despiked >= 2);
    assert_int_equal(res.n_cp, 0);
    ts_cpd_result_free(&res);
}

static void test_noise_estimate(void **state) {
    (void)state;
    enum { N = 20000 };
    int64_t *step = malloc(N * sizeof *step);
    double *y = malloc(N * sizeof *y);
    Rng r = {11, false, 0};
    for (size_t i = 0; i < N; i++) {
        step[i] = (int64_t)i;
        /* level shifts and a trend do not disturb a difference-based MAD */
        y[i] = 0.001 * (double)i + (i > 5000 ? 10 : 0) + 0.25 * rng_norm(&r);
    }
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    o.method = TS_CPD_BINSEG;
    TsCpdResult res;
    assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
    assert_double_equal(res.sigma, 0.25, 0.01);
    ts_cpd_result_free(&res);
    free(step);
    free(y);
}

static void test_options_and_names(void **state) {
    (void)state;
    for (int i = 0; i < TS_CPD_METHOD_COUNT; i++)
        assert_int_equal(ts_cpd_method_from_name(ts_cpd_method_name((TsCpdMethod)i)), i);
    for (int i = 0; i < TS_CPD_COST_COUNT; i++)
        assert_int_equal(ts_cpd_cost_from_name(ts_cpd_cost_name((TsCpdCost)i)), i);
    for (int i = 0; i < TS_CPD_PEN_COUNT; i++)
        assert_int_equal(ts_cpd_penalty_from_name(ts_cpd_penalty_name((TsCpdPenalty)i)), i);
    assert_int_equal(ts_cpd_cost_from_name("bogus"), TS_CPD_COST_COUNT);
    assert_null(ts_cpd_method_name(TS_CPD_METHOD_COUNT));
    assert_double_equal(ts_cpd_penalty_beta(TS_CPD_PEN_MBIC, 0, TS_CPD_COST_MEAN, 1000),
                        3 * log(1000.0), 1e-12);
    assert_double_equal(ts_cpd_penalty_beta(TS_CPD_PEN_BIC, 0, TS_CPD_COST_SLOPE, 1000),
                        3 * log(1000.0), 1e-12);
    assert_double_equal(ts_cpd_penalty_beta(TS_CPD_PEN_AIC, 0, TS_CPD_COST_MEANVAR, 10), 6, 0);
    assert_double_equal(ts_cpd_penalty_beta(TS_CPD_PEN_MANUAL, 7.5, TS_CPD_COST_MEAN, 10), 7.5, 0);

    int64_t step[] = {0, 1, 2};
    double y[] = {1, 2, 3};
    TsCpdOptions o;
    TsCpdResult res;
    TsErr err;
    ts_cpd_options_default(&o);
    o.cost = TS_CPD_COST_SLOPE;
    o.min_seg = 1;
    ts_err_clear(&err);
    assert_false(ts_cpd_detect(step, y, 3, &o, &res, &err));
    assert_non_null(strstr(err.msg, "slope"));
    ts_cpd_options_default(&o);
    o.penalty = TS_CPD_PEN_MANUAL;
    o.penalty_value = NAN;
    assert_false(ts_cpd_detect(step, y, 3, &o, &res, &err));
    ts_cpd_options_default(&o);
    o.hazard_lambda = 0.5;
    assert_false(ts_cpd_detect(step, y, 3, &o, &res, &err));
    ts_cpd_options_default(&o);
    ts_err_clear(&err);
    assert_false(ts_cpd_detect(step, y, 0, &o, &res, &err));
    assert_true(ts_err_is_set(&err));
    /* a single point: one segment, no change */
    assert_true(ts_cpd_detect(step, y, 1, &o, &res, &err));
    assert_int_equal(res.n_cp, 0);
    assert_int_equal(res.n_seg, 1);
    ts_cpd_result_free(&res);
    for (int m = 0; m < TS_CPD_METHOD_COUNT; m++)
        for (int c = 0; c < TS_CPD_COST_COUNT; c++) {
            o.method = (TsCpdMethod)m;
            o.cost = (TsCpdCost)c;
            assert_true(ts_cpd_detect(step, y, 2, &o, &res, &err));
            assert_int_equal(res.n_cp, 0);
            ts_cpd_result_free(&res);
        }
}

/* The job API gives the same result in small slices. */
static void test_job_slices(void **state) {
    (void)state;
    enum { N = 3000 };
    int64_t step[N];
    double y[N];
    Rng r = {21, false, 0};
    for (size_t i = 0; i < N; i++) {
        step[i] = (int64_t)i;
        y[i] = sin((double)i / 300.0) * 3 + rng_norm(&r);
    }
    for (int m = 0; m < TS_CPD_METHOD_COUNT; m++) {
        TsCpdOptions o;
        ts_cpd_options_default(&o);
        o.method = (TsCpdMethod)m;
        o.max_cp = m == TS_CPD_PELT ? 4 : 0;
        TsCpdResult a, b;
        assert_true(ts_cpd_detect(step, y, N, &o, &a, NULL));
        TsCpdJob *j = ts_cpd_job_new(step, y, N, &o, NULL);
        assert_non_null(j);
        int slices = 0;
        while (!ts_cpd_job_step(j, 500)) {
            slices++;
            double p = ts_cpd_job_progress(j);
            assert_true(p >= 0 && p <= 1);
        }
        assert_true(m == TS_CPD_BINSEG || slices > 5);
        TsCpdCrops none;
        assert_false(ts_cpd_job_take_crops(j, &none));
        assert_true(ts_cpd_job_take_result(j, &b));
        assert_false(ts_cpd_job_take_result(j, &b));
        ts_cpd_job_free(j);
        same_changes(&a, &b);
        assert_double_equal(a.fit_cost, b.fit_cost, 0);
        ts_cpd_result_free(&a);
        ts_cpd_result_free(&b);
    }
}

/* ---- numerical stability at n = 10^6 ---- */

static void stability(TsCpdCost cost, size_t n, double voff, int64_t soff) {
    int64_t *step = malloc(n * sizeof *step), *step2 = malloc(n * sizeof *step2);
    double *y = malloc(n * sizeof *y), *y2 = malloc(n * sizeof *y2);
    Rng r = {2024 + (uint64_t)cost, false, 0};
    double level = 0, slope = 0, v = 0;
    size_t next = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == next) { /* short regimes keep PELT fast */
            next = i + rng_int(&r, 100, 400);
            level = 0.5 + 2.5 * rng_unif(&r);
            if (rng_u64(&r) & 1) level = -level;
            slope = 0.02 * rng_norm(&r);
        }
        v = cost == TS_CPD_COST_SLOPE ? v + slope : level;
        step[i] = (int64_t)i;
        step2[i] = (int64_t)i + soff;
        y[i] = 1e-3 * (v + rng_norm(&r)); /* small changes */
        y2[i] = y[i] + voff;
    }
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    o.cost = cost;
    TsCpdResult a, b;
    assert_true(ts_cpd_detect(step, y, n, &o, &a, NULL));
    assert_true(ts_cpd_detect(step2, y2, n, &o, &b, NULL));
    assert_true(a.n_cp > n / 1000);
    if (a.n_cp != b.n_cp)
        fail_msg("cost %s: %zu changes at offset 0, %zu at offset %g", ts_cpd_cost_name(cost),
                 a.n_cp, b.n_cp, voff);
    size_t differ = 0;
    for (size_t i = 0; i < a.n_cp; i++)
        if (a.cp[i].index != b.cp[i].index) differ++;
    assert_int_equal(differ, 0);
    assert_double_equal(b.fit_cost, a.fit_cost, 1e-6 * fabs(a.fit_cost));
    ts_cpd_result_free(&a);
    ts_cpd_result_free(&b);
    free(step);
    free(step2);
    free(y);
    free(y2);
}

static void test_stability_mean_1e6(void **state) {
    (void)state;
    stability(TS_CPD_COST_MEAN, 1000000, 1e6, 0);
}

static void test_stability_slope_offsets(void **state) {
    (void)state;
    stability(TS_CPD_COST_SLOPE, 200000, 1e6, 1000000000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pelt_equals_brute_force_mean),
        cmocka_unit_test(test_pelt_equals_brute_force_meanvar),
        cmocka_unit_test(test_pelt_equals_brute_force_slope),
        cmocka_unit_test(test_fpop_equals_plain_pelt),
        cmocka_unit_test(test_recovers_mean_shifts),
        cmocka_unit_test(test_recovers_variance_shifts),
        cmocka_unit_test(test_recovers_slope_changes),
        cmocka_unit_test(test_no_change_in_pure_noise),
        cmocka_unit_test(test_crops_matches_pelt),
        cmocka_unit_test(test_crops_run_limit),
        cmocka_unit_test(test_crops_upto_max_cp),
        cmocka_unit_test(test_crops_most_stable),
        cmocka_unit_test(test_pelt_max_cp),
        cmocka_unit_test(test_binseg_max_cp_and_order),
        cmocka_unit_test(test_segment_statistics),
        cmocka_unit_test(test_prep_nonfinite_duplicates_order),
        cmocka_unit_test(test_prep_log_values),
        cmocka_unit_test(test_prep_log_step_grid),
        cmocka_unit_test(test_prep_despike),
        cmocka_unit_test(test_noise_estimate),
        cmocka_unit_test(test_options_and_names),
        cmocka_unit_test(test_job_slices),
        cmocka_unit_test(test_stability_mean_1e6),
        cmocka_unit_test(test_stability_slope_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
