/* cpd_bocpd.c - online Bayesian change-point detection (Adams & MacKay 2007)
 * with a Normal-Gamma model and run-length pruning.
 * Layer: core (pure; GSL log-gamma). License: MIT.
 *
 * Hypothesis r (points in the current segment) carries the Normal-Gamma
 * posterior of those r points: kappa = kappa0 + r, alpha = alpha0 + r / 2,
 * and (mu, beta) updated point by point. Its predictive for the next point
 * is Student-t with 2 alpha degrees of freedom, location mu and scale^2
 * beta (kappa + 1) / (alpha kappa). After point x:
 *   P(r + 1) ~ P(r) pred_r(x) (1 - H),   P(0) ~ sum_r P(r) pred_r(x) H,
 * so once normalised P(0) = H and P(r + 1) = (1 - H) w_r / sum w. */
#include "trajscope/cpd.h"
#include "core/cpd_internal.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

#include "trajscope/xalloc.h"

struct TsCpdBocpd {
    TsCpdBocpdPrior prior;
    double H, prune;
    size_t max_runs; /* 0 = no cap */
    double *sel;     /* scratch for the selection */
    size_t count;
    size_t k, cap;
    size_t *r;
    double *p, *mu, *beta;
    size_t *r2;
    double *p2, *mu2, *beta2, *lpred;
    double *lgc; /* per run length: lgamma(a + 1/2) - lgamma(a) - log(2 a pi) / 2 */
    size_t lgc_n, lgc_cap;
    size_t map, map_nz;
};

void ts_cpd_bocpd_prior_from_data(const double *y, size_t n, TsCpdBocpdPrior *out) {
    out->mu0 = 0;
    out->kappa0 = 1;
    out->alpha0 = 1;
    out->beta0 = 1;
    double *f = ts_xmalloc((n ? n : 1) * sizeof *f);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(y[i])) f[m++] = y[i];
    if (m > 0) {
        double sigma = cpd_noise_sigma(f, m);
        double mean = 0, ss = 0;
        for (size_t i = 0; i < m; i++) mean += f[i];
        mean /= (double)m;
        for (size_t i = 0; i < m; i++) ss += (f[i] - mean) * (f[i] - mean);
        double var = ss / (double)m, s2 = sigma * sigma;
        out->mu0 = cpd_median(f, m);
        out->beta0 = s2;
        out->kappa0 = s2 / (var > s2 ? var : s2);
    }
    free(f);
}

static void ensure(TsCpdBocpd *b, size_t need) {
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    b->r = ts_xreallocarray(b->r, cap, sizeof *b->r);
    b->r2 = ts_xreallocarray(b->r2, cap, sizeof *b->r2);
    b->p = ts_xreallocarray(b->p, cap, sizeof *b->p);
    b->p2 = ts_xreallocarray(b->p2, cap, sizeof *b->p2);
    b->mu = ts_xreallocarray(b->mu, cap, sizeof *b->mu);
    b->mu2 = ts_xreallocarray(b->mu2, cap, sizeof *b->mu2);
    b->beta = ts_xreallocarray(b->beta, cap, sizeof *b->beta);
    b->beta2 = ts_xreallocarray(b->beta2, cap, sizeof *b->beta2);
    b->lpred = ts_xreallocarray(b->lpred, cap, sizeof *b->lpred);
    b->sel = ts_xreallocarray(b->sel, cap, sizeof *b->sel);
    b->cap = cap;
}

TsCpdBocpd *ts_cpd_bocpd_new(const TsCpdBocpdPrior *prior, double lambda, double prune,
                             size_t max_runs) {
    if (!prior || !(prior->kappa0 > 0) || !(prior->alpha0 > 0) || !(prior->beta0 > 0) ||
        !isfinite(prior->mu0) || !isfinite(prior->kappa0) || !isfinite(prior->alpha0) ||
        !isfinite(prior->beta0) || !(lambda > 1) || !isfinite(lambda) || !(prune >= 0) ||
        !(prune < 1))
        return NULL;
    gsl_set_error_handler_off();
    TsCpdBocpd *b = ts_xcalloc(1, sizeof *b);
    b->prior = *prior;
    b->H = 1.0 / lambda;
    b->prune = prune;
    b->max_runs = max_runs == 1 ? 2 : max_runs;
    ensure(b, 64);
    b->k = 1;
    b->r[0] = 0;
    b->p[0] = 1;
    b->mu[0] = prior->mu0;
    b->beta[0] = prior->beta0;
    return b;
}

void ts_cpd_bocpd_free(TsCpdBocpd *b) {
    if (!b) return;
    free(b->r);
    free(b->r2);
    free(b->p);
    free(b->p2);
    free(b->mu);
    free(b->mu2);
    free(b->beta);
    free(b->beta2);
    free(b->lpred);
    free(b->sel);
    free(b->lgc);
    free(b);
}

/* The k-th largest of v[0..n) (k < n); reorders v. Hoare selection. */
static double kth_largest(double *v, size_t n, size_t k) {
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot) i++;
            while (v[j] < pivot) j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

static double lg_const(TsCpdBocpd *b, size_t r) {
    while (b->lgc_n <= r) {
        if (b->lgc_n == b->lgc_cap) {
            b->lgc_cap = b->lgc_cap ? 2 * b->lgc_cap : 256;
            b->lgc = ts_xreallocarray(b->lgc, b->lgc_cap, sizeof *b->lgc);
        }
        double a = b->prior.alpha0 + 0.5 * (double)b->lgc_n;
        gsl_sf_result g1, g0;
        double v;
        if (gsl_sf_lngamma_e(a + 0.5, &g1) == GSL_SUCCESS && gsl_sf_lngamma_e(a, &g0) == GSL_SUCCESS)
            v = g1.val - g0.val;
        else
            v = 0.5 * log(a); /* lgamma(a + 1/2) - lgamma(a) ~ log(a) / 2 for large a */
        b->lgc[b->lgc_n++] = v - 0.5 * log(2.0 * a * M_PI);
    }
    return b->lgc[r];
}

bool ts_cpd_bocpd_push(TsCpdBocpd *b, double x) {
    if (!isfinite(x)) return false;
    size_t k = b->k;
    ensure(b, k + 1);
    const double k0 = b->prior.kappa0, a0 = b->prior.alpha0;
    double maxl = -INFINITY;
    for (size_t i = 0; i < k; i++) {
        double r = (double)b->r[i];
        double kap = k0 + r, alp = a0 + 0.5 * r;
        double s2 = b->beta[i] * (kap + 1.0) / (alp * kap);
        double d = x - b->mu[i];
        double l = lg_const(b, b->r[i]) - 0.5 * log(s2) -
                   (alp + 0.5) * log1p(d * d / (2.0 * alp * s2)) + log(b->p[i]);
        b->lpred[i] = l; /* log of P(r) * pred_r(x) */
        if (l > maxl) maxl = l;
    }
    double W = 0;
    for (size_t i = 0; i < k; i++) {
        double w = exp(b->lpred[i] - maxl);
        b->lpred[i] = w;
        W += w;
    }
    /* new hypotheses: r = 0, then every old r grown by one */
    const double H = b->H;
    size_t k2 = 0;
    b->r2[0] = 0;
    b->p2[0] = H;
    b->mu2[0] = b->prior.mu0;
    b->beta2[0] = b->prior.beta0;
    k2 = 1;
    double kept = H;
    for (size_t i = 0; i < k; i++) {
        double p = (1.0 - H) * b->lpred[i] / W;
        if (p < b->prune || !(p > 0)) continue;
        double kap = k0 + (double)b->r[i];
        double d = x - b->mu[i];
        b->r2[k2] = b->r[i] + 1;
        b->p2[k2] = p;
        b->mu2[k2] = (kap * b->mu[i] + x) / (kap + 1.0);
        b->beta2[k2] = b->beta[i] + kap * d * d / (2.0 * (kap + 1.0));
        kept += p;
        k2++;
    }
    /* at most max_runs run lengths besides r = 0: keep the most probable */
    if (b->max_runs && k2 > b->max_runs) {
        size_t m = k2 - 1, keep = b->max_runs - 1;
        memcpy(b->sel, b->p2 + 1, m * sizeof *b->sel);
        double th = kth_largest(b->sel, m, keep - 1);
        size_t above = 0;
        for (size_t i = 1; i < k2; i++)
            if (b->p2[i] > th) above++;
        size_t ties = keep - above; /* how many equal to th still fit */
        size_t w = 1;
        kept = H;
        for (size_t i = 1; i < k2; i++) {
            double p = b->p2[i];
            if (p < th || (p == th && ties == 0)) continue;
            if (p == th) ties--;
            b->r2[w] = b->r2[i];
            b->p2[w] = p;
            b->mu2[w] = b->mu2[i];
            b->beta2[w] = b->beta2[i];
            kept += p;
            w++;
        }
        k2 = w;
    }
    /* swap buffers and renormalise what pruning kept */
    size_t *tr = b->r;
    b->r = b->r2;
    b->r2 = tr;
    double *t;
    t = b->p, b->p = b->p2, b->p2 = t;
    t = b->mu, b->mu = b->mu2, b->mu2 = t;
    t = b->beta, b->beta = b->beta2, b->beta2 = t;
    b->k = k2;
    double best = -1, best_nz = -1;
    b->map = 0;
    b->map_nz = 0;
    for (size_t i = 0; i < k2; i++) {
        b->p[i] /= kept;
        if (b->p[i] > best) {
            best = b->p[i];
            b->map = b->r[i];
        }
        if (b->r[i] > 0 && b->p[i] > best_nz) {
            best_nz = b->p[i];
            b->map_nz = b->r[i];
        }
    }
    b->count++;
    return true;
}

size_t ts_cpd_bocpd_count(const TsCpdBocpd *b) {
    return b->count;
}

size_t ts_cpd_bocpd_posterior(const TsCpdBocpd *b, const size_t **run_length, const double **prob) {
    if (run_length) *run_length = b->r;
    if (prob) *prob = b->p;
    return b->k;
}

size_t ts_cpd_bocpd_map(const TsCpdBocpd *b) {
    return b->map;
}

size_t ts_cpd_bocpd_map_nonzero(const TsCpdBocpd *b) {
    return b->map_nz;
}

double ts_cpd_bocpd_prob_recent(const TsCpdBocpd *b, size_t w) {
    double num = 0, den = 0;
    for (size_t i = 0; i < b->k; i++) {
        if (b->r[i] == 0) continue;
        den += b->p[i];
        if (b->r[i] <= w) num += b->p[i];
    }
    return den > 0 ? num / den : 0;
}
