/* test_cpd_bocpd.c - online Bayesian change-point detection: the posterior
 * against a from-scratch reference, normalisation, MAP run length after a
 * shift, pruning, the batch wrapper.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>

#include "trajscope/cpd.h"
#include "support/ts_test.h"

static uint64_t rs;
static double unif(void) {
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(rs >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void) {
    return sqrt(-2.0 * log(unif())) * cos(2.0 * M_PI * unif());
}

/* Reference: the run-length recursion with every predictive computed from
 * the sufficient statistics of the last r points, no pruning. p[r] for
 * r = 0..t after t points. */
static void reference(const double *x, size_t n, const TsCpdBocpdPrior *pr, double lambda,
                      double *p_out /* (n+1) x (n+1) */) {
    double H = 1.0 / lambda;
    double *p = calloc(n + 2, sizeof *p), *q = calloc(n + 2, sizeof *q);
    p[0] = 1;
    for (size_t t = 0; t < n; t++) { /* observe x[t]; p[r] is over r = 0..t */
        double total = 0, cp = 0;
        for (size_t r = 0; r <= t; r++) {
            /* the last r points before x[t] */
            double sum = 0, ss = 0;
            for (size_t i = t - r; i < t; i++) sum += x[i];
            double mean = r ? sum / (double)r : 0;
            for (size_t i = t - r; i < t; i++) ss += (x[i] - mean) * (x[i] - mean);
            double kap = pr->kappa0 + (double)r;
            double mu = (pr->kappa0 * pr->mu0 + sum) / kap;
            double alp = pr->alpha0 + 0.5 * (double)r;
            double bet = pr->beta0 + 0.5 * ss +
                         (r ? pr->kappa0 * (double)r * (mean - pr->mu0) * (mean - pr->mu0) / (2 * kap) : 0);
            double scale = sqrt(bet * (kap + 1) / (alp * kap));
            double pred = gsl_ran_tdist_pdf((x[t] - mu) / scale, 2 * alp) / scale;
            q[r + 1] = p[r] * pred * (1 - H);
            cp += p[r] * pred * H;
        }
        q[0] = cp;
        for (size_t r = 0; r <= t + 1; r++) total += q[r];
        for (size_t r = 0; r <= t + 1; r++) {
            p[r] = q[r] / total;
            p_out[(t + 1) * (n + 1) + r] = p[r];
        }
    }
    free(p);
    free(q);
}

static void test_matches_reference(void **state) {
    (void)state;
    enum { N = 60 };
    double x[N];
    rs = 5;
    for (size_t i = 0; i < N; i++) x[i] = (i < 25 ? 1.0 : i < 40 ? 4.0 : 2.0) + 0.7 * gauss();
    TsCpdBocpdPrior pr = {0.5, 0.1, 1.5, 0.8};
    double *ref = calloc((N + 1) * (N + 1), sizeof *ref);
    reference(x, N, &pr, 20.0, ref);
    TsCpdBocpd *b = ts_cpd_bocpd_new(&pr, 20.0, 0.0, 0);
    assert_non_null(b);
    for (size_t t = 0; t < N; t++) {
        assert_true(ts_cpd_bocpd_push(b, x[t]));
        const size_t *r;
        const double *p;
        size_t k = ts_cpd_bocpd_posterior(b, &r, &p);
        assert_int_equal(k, t + 2); /* no pruning: every run length 0..t+1 */
        for (size_t i = 0; i < k; i++) {
            assert_int_equal(r[i], i);
            assert_double_equal(p[i], ref[(t + 1) * (N + 1) + i], 1e-12);
        }
    }
    assert_int_equal(ts_cpd_bocpd_count(b), N);
    ts_cpd_bocpd_free(b);
    free(ref);
}

static void test_posterior_normalised_and_map_drops(void **state) {
    (void)state;
    enum { N = 3000 };
    double *x = malloc(N * sizeof *x);
    rs = 11;
    for (size_t i = 0; i < N; i++) x[i] = (i < 1000 ? 0.0 : i < 2000 ? 6.0 : 2.0) + gauss();
    TsCpdBocpdPrior pr;
    ts_cpd_bocpd_prior_from_data(x, 200, &pr);
    assert_double_equal(pr.mu0, 0.0, 0.3);
    assert_double_equal(pr.beta0, 1.0, 0.3);
    TsCpdBocpd *b = ts_cpd_bocpd_new(&pr, 250.0, 1e-8, 0);
    assert_non_null(b);
    assert_int_equal(ts_cpd_bocpd_map(b), 0);
    size_t kmax = 0;
    for (size_t t = 0; t < N; t++) {
        assert_true(ts_cpd_bocpd_push(b, x[t]));
        const size_t *r;
        const double *p;
        size_t k = ts_cpd_bocpd_posterior(b, &r, &p);
        double sum = 0;
        for (size_t i = 0; i < k; i++) {
            assert_true(p[i] >= 0 && p[i] <= 1);
            if (i) assert_true(r[i] > r[i - 1]);
            sum += p[i];
        }
        assert_double_equal(sum, 1.0, 1e-9);
        assert_int_equal(r[0], 0);
        assert_double_equal(p[0], 1.0 / 250.0, 1e-6); /* the hazard, up to pruning */
        if (k > kmax) kmax = k;
        size_t map = ts_cpd_bocpd_map_nonzero(b);
        if (t == 998 || t == 1998) assert_true(map >= 900); /* a long run before each shift */
        if (t == 1001 || t == 2002) {
            /* just after the shift: the new segment (~1-3 points) is the MAP */
            assert_true(map <= 3);
            assert_true(ts_cpd_bocpd_prob_recent(b, 5) > 0.9);
        }
        if (t == 1500) assert_true(ts_cpd_bocpd_prob_recent(b, 50) < 0.01);
    }
    /* pruning keeps the posterior short */
    assert_true(kmax < 1500);
    assert_false(ts_cpd_bocpd_push(b, NAN));
    assert_false(ts_cpd_bocpd_push(b, INFINITY));
    assert_int_equal(ts_cpd_bocpd_count(b), N);
    ts_cpd_bocpd_free(b);
    free(x);
}

/* The cap on run lengths: the posterior stays normalised and short on a
 * long change-free stretch, and the MAP still follows shifts. */
static void test_run_length_cap(void **state) {
    (void)state;
    enum { N = 20000 };
    double *x = malloc(N * sizeof *x);
    rs = 21;
    for (size_t i = 0; i < N; i++) x[i] = (i < 15000 ? 0.0 : 3.0) + gauss();
    TsCpdBocpdPrior pr;
    ts_cpd_bocpd_prior_from_data(x, 500, &pr);
    TsCpdBocpd *b = ts_cpd_bocpd_new(&pr, 250.0, 1e-8, 200);
    assert_non_null(b);
    for (size_t t = 0; t < N; t++) {
        ts_cpd_bocpd_push(b, x[t]);
        const size_t *r;
        const double *p;
        size_t k = ts_cpd_bocpd_posterior(b, &r, &p);
        assert_true(k <= 200);
        double sum = 0;
        for (size_t i = 0; i < k; i++) {
            if (i) assert_true(r[i] > r[i - 1]);
            sum += p[i];
        }
        assert_double_equal(sum, 1.0, 1e-9);
        if (t == 14990) assert_true(ts_cpd_bocpd_map_nonzero(b) > 5000);
        if (t == 15003) assert_true(ts_cpd_bocpd_map_nonzero(b) <= 5);
    }
    ts_cpd_bocpd_free(b);
    free(x);
}

static void test_invalid_prior(void **state) {
    (void)state;
    TsCpdBocpdPrior ok = {0, 1, 1, 1}, bad = {0, 0, 1, 1};
    assert_null(ts_cpd_bocpd_new(&bad, 100, 0, 0));
    bad = (TsCpdBocpdPrior){0, 1, -1, 1};
    assert_null(ts_cpd_bocpd_new(&bad, 100, 0, 0));
    bad = (TsCpdBocpdPrior){NAN, 1, 1, 1};
    assert_null(ts_cpd_bocpd_new(&bad, 100, 0, 0));
    assert_null(ts_cpd_bocpd_new(&ok, 1.0, 0, 0));
    assert_null(ts_cpd_bocpd_new(&ok, 100, 1.0, 0));
    assert_null(ts_cpd_bocpd_new(NULL, 100, 0, 0));
    TsCpdBocpd *b = ts_cpd_bocpd_new(&ok, 100, 0, 0);
    assert_non_null(b);
    ts_cpd_bocpd_free(b);
}

/* Large offsets do not disturb the online updates. */
static void test_offset_invariance(void **state) {
    (void)state;
    enum { N = 2000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    rs = 3;
    for (size_t i = 0; i < N; i++) {
        x[i] = (i < 700 ? 0 : 0.01) + 0.002 * gauss();
        y[i] = x[i] + 1e6;
    }
    TsCpdBocpdPrior px, py;
    ts_cpd_bocpd_prior_from_data(x, N, &px);
    ts_cpd_bocpd_prior_from_data(y, N, &py);
    TsCpdBocpd *a = ts_cpd_bocpd_new(&px, 250, 1e-8, 300), *b = ts_cpd_bocpd_new(&py, 250, 1e-8, 300);
    size_t differ = 0;
    for (size_t i = 0; i < N; i++) {
        ts_cpd_bocpd_push(a, x[i]);
        ts_cpd_bocpd_push(b, y[i]);
        if (ts_cpd_bocpd_map_nonzero(a) != ts_cpd_bocpd_map_nonzero(b)) differ++;
    }
    assert_int_equal(differ, 0);
    ts_cpd_bocpd_free(a);
    ts_cpd_bocpd_free(b);
    free(x);
    free(y);
}

static void test_batch_detect(void **state) {
    (void)state;
    enum { N = 1500 };
    int64_t *step = malloc(N * sizeof *step);
    double *y = malloc(N * sizeof *y);
    int good = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        rs = seed * 17;
        for (size_t i = 0; i < N; i++) {
            step[i] = (int64_t)(100 + 5 * i);
            y[i] = (i < 500 ? 0.1 : i < 1000 ? 0.5 : 0.3) + 0.05 * gauss();
        }
        TsCpdOptions o;
        ts_cpd_options_default(&o);
        o.method = TS_CPD_BOCPD;
        TsCpdResult res;
        assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
        assert_double_equal(res.hazard_lambda, 250, 0);
        assert_true(isnan(res.penalty));
        bool a = false, b = false;
        for (size_t i = 0; i < res.n_cp; i++) {
            if (res.cp[i].step >= 100 + 5 * 497 && res.cp[i].step <= 100 + 5 * 503) a = true;
            if (res.cp[i].step >= 100 + 5 * 997 && res.cp[i].step <= 100 + 5 * 1003) b = true;
        }
        if (res.n_cp == 2 && a && b) good++;
        ts_cpd_result_free(&res);
    }
    assert_true(good >= 19);
    /* max_cp keeps the strongest */
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    o.method = TS_CPD_BOCPD;
    o.max_cp = 1;
    TsCpdResult res;
    assert_true(ts_cpd_detect(step, y, N, &o, &res, NULL));
    assert_int_equal(res.n_cp, 1);
    assert_true(res.cp[0].index >= 495 && res.cp[0].index <= 505); /* 0.1 -> 0.5 is the larger */
    ts_cpd_result_free(&res);
    free(step);
    free(y);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_reference),
        cmocka_unit_test(test_posterior_normalised_and_map_drops),
        cmocka_unit_test(test_run_length_cap),
        cmocka_unit_test(test_invalid_prior),
        cmocka_unit_test(test_offset_invariance),
        cmocka_unit_test(test_batch_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
