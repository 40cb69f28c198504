/* cpd_prep.c - change-point preprocessing: step order, cleaning, logs,
 * despiking (GSL impulse filter), log(step + 1) grid, noise scale.
 * Layer: core (pure; GSL for the median and the impulse filter). License: MIT. */
#include "core/cpd_internal.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_filter.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_vector.h>

#include "trajscope/xalloc.h"

double cpd_median(const double *y, size_t n) {
    if (n == 0) return 0;
    double *tmp = ts_xmalloc(n * sizeof *tmp);
    memcpy(tmp, y, n * sizeof *tmp);
    double m = gsl_stats_median(tmp, 1, n); /* selection, reorders tmp */
    free(tmp);
    return m;
}

double cpd_noise_sigma(const double *y, size_t n) {
    if (n < 3) return 1.0;
    size_t nd = n - 1;
    double *d = ts_xmalloc(nd * sizeof *d);
    for (size_t i = 0; i < nd; i++) d[i] = y[i + 1] - y[i];
    double *tmp = ts_xmalloc(nd * sizeof *tmp);
    memcpy(tmp, d, nd * sizeof *tmp);
    double med = gsl_stats_median(tmp, 1, nd);
    double sum_abs = 0;
    for (size_t i = 0; i < nd; i++) {
        tmp[i] = fabs(d[i] - med);
        sum_abs += tmp[i];
    }
    /* 1.4826 * MAD estimates a Gaussian's sd; differences have sd sigma*sqrt 2. */
    double sigma = 1.482602218505602 * gsl_stats_median(tmp, 1, nd) / sqrt(2.0);
    if (!(sigma > 0) || !isfinite(sigma)) /* quantised data: most differences equal */
        sigma = (sum_abs / (double)nd) * sqrt(M_PI / 2.0) / sqrt(2.0);
    if (!(sigma > 0) || !isfinite(sigma)) sigma = 1.0; /* constant series */
    free(tmp);
    free(d);
    return sigma;
}

typedef struct Pt {
    int64_t step;
    size_t src;
} Pt;

static int pt_cmp(const void *a, const void *b) {
    const Pt *p = a, *q = b;
    if (p->step != q->step) return p->step < q->step ? -1 : 1;
    return p->src < q->src ? -1 : (p->src > q->src ? 1 : 0);
}

/* Replaces outliers by their window median; returns how many. */
static bool despike(double *y, size_t n, size_t window, double sigmas, size_t *count,
                    TsErr *err) {
    *count = 0;
    if (n < 3) return true;
    size_t k = window ? window : 7;
    if (k % 2 == 0) k++;
    if (k < 3) k = 3;
    double t = sigmas > 0 ? sigmas : 5.0;
    if (n < k) return true; /* shorter than one window: nothing to compare with */
    gsl_filter_impulse_workspace *w = gsl_filter_impulse_alloc(k);
    gsl_vector *out = gsl_vector_alloc(n), *med = gsl_vector_alloc(n), *sig = gsl_vector_alloc(n);
    gsl_vector_int *flag = gsl_vector_int_alloc(n);
    if (!w || !out || !med || !sig || !flag) ts_die("out of memory (despike, %zu points)", n);
    gsl_vector_const_view in = gsl_vector_const_view_array(y, n);
    size_t nout = 0;
    int rc = gsl_filter_impulse(GSL_FILTER_END_TRUNCATE, GSL_FILTER_SCALE_MAD, t, &in.vector, out,
                                med, sig, &nout, flag, w);
    bool ok = rc == GSL_SUCCESS;
    if (ok) {
        for (size_t i = 0; i < n; i++) y[i] = gsl_vector_get(out, i);
        *count = nout;
    } else {
        ts_err_set(err, "despike failed: %s", gsl_strerror(rc));
    }
    gsl_vector_int_free(flag);
    gsl_vector_free(sig);
    gsl_vector_free(med);
    gsl_vector_free(out);
    gsl_filter_impulse_free(w);
    return ok;
}

void cpd_series_free(CpdSeries *s) {
    free(s->y);
    free(s->x);
    free(s->clean_step);
    free(s->clean_src);
    free(s->first_clean);
    free(s->last_clean);
    memset(s, 0, sizeof *s);
}

bool cpd_prepare(const int64_t *step, const double *value, size_t n, const TsCpdPrep *prep,
                 double sigma, CpdSeries *out, TsErr *err) {
    memset(out, 0, sizeof *out);
    gsl_set_error_handler_off();
    TsCpdPrepReport *rep = &out->rep;
    rep->n_input = n;
    rep->steps_sorted = true;
    if (n == 0) {
        ts_err_set(err, "no points to analyse");
        return false;
    }
    /* 1. Step order; a repeated step keeps its last write (a resumed run). */
    Pt *pt = ts_xmalloc(n * sizeof *pt);
    for (size_t i = 0; i < n; i++) {
        pt[i].step = step[i];
        pt[i].src = i;
        if (i > 0 && step[i] < step[i - 1]) rep->steps_sorted = false;
    }
    if (!rep->steps_sorted) qsort(pt, n, sizeof *pt, pt_cmp);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && pt[i + 1].step == pt[i].step) {
            rep->n_duplicate_steps++;
            continue;
        }
        pt[m++] = pt[i];
    }
    /* 2. Values: finite, positive when taking logs; steps >= 0 for log(step + 1). */
    double *y = ts_xmalloc(m * sizeof *y);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        double v = value[pt[i].src];
        if (!isfinite(v)) {
            if (rep->n_nonfinite++ == 0) rep->first_nonfinite_step = pt[i].step;
            continue;
        }
        if (prep->log_values) {
            if (!(v > 0)) {
                if (rep->n_nonpositive++ == 0) rep->first_nonpositive_step = pt[i].step;
                continue;
            }
            v = log(v);
        }
        if (prep->log_step && pt[i].step < 0) {
            rep->n_negative_step++;
            continue;
        }
        pt[k] = pt[i];
        y[k++] = v;
    }
    m = k;
    rep->n_clean = m;
    if (m == 0) {
        free(pt);
        free(y);
        if (rep->n_nonpositive && prep->log_values)
            ts_err_set(err, "no positive finite values to take logs of (%zu points)", n);
        else
            ts_err_set(err, "no finite values (%zu points, all NaN or infinite)", n);
        return false;
    }
    out->n_clean = m;
    out->clean_step = ts_xmalloc(m * sizeof *out->clean_step);
    out->clean_src = ts_xmalloc(m * sizeof *out->clean_src);
    double *cx = ts_xmalloc(m * sizeof *cx);
    for (size_t i = 0; i < m; i++) {
        out->clean_step[i] = pt[i].step;
        out->clean_src[i] = pt[i].src;
        cx[i] = prep->log_step ? log1p((double)pt[i].step) : (double)pt[i].step;
    }
    free(pt);
    /* 3. Despike, then the noise scale of the observations. */
    if (prep->despike &&
        !despike(y, m, prep->despike_window, prep->despike_sigmas, &rep->n_despiked, err)) {
        free(cx);
        free(y);
        cpd_series_free(out);
        return false;
    }
    out->sigma = sigma > 0 ? sigma : cpd_noise_sigma(y, m);
    out->centre = cpd_median(y, m);
    out->x_log = prep->log_step;
    /* 4. The analysed series: the clean points, or a uniform log(step + 1) grid. */
    if (!prep->log_step || m < 2) {
        out->n = m;
        out->y = y;
        out->x = cx;
    } else {
        size_t g = prep->grid_points ? prep->grid_points : m;
        if (g < 2) g = 2;
        double u0 = cx[0], u1 = cx[m - 1], span = u1 - u0;
        double h = span / (double)(g - 1), tol = 1e-12 * (fabs(u1) + 1.0);
        /* Where consecutive logged points are further apart than the grid
         * spacing, the logged points themselves are used (interpolating there
         * would replicate one noisy point many times); elsewhere, the grid. */
        size_t cap = g + m;
        double *gx = ts_xmalloc(cap * sizeof *gx), *gy = ts_xmalloc(cap * sizeof *gy);
        size_t *fc = ts_xmalloc(cap * sizeof *fc), *lc = ts_xmalloc(cap * sizeof *lc);
        size_t na = 0, gi = 0;
        for (size_t q = 0; q < m; q++) {
            bool sparse_before = q > 0 && cx[q] - cx[q - 1] >= h;
            bool sparse_after = q + 1 < m && cx[q + 1] - cx[q] >= h;
            if (sparse_before || sparse_after || m == 1) {
                gx[na] = cx[q];
                gy[na] = y[q];
                fc[na] = lc[na] = q;
                na++;
            }
            if (q + 1 == m || sparse_after) {
                /* skip the grid points inside this interval */
                while (gi < g && (gi + 1 == g ? u1 : u0 + h * (double)gi) <= cx[q + 1 < m ? q + 1 : q] + tol)
                    gi++;
                continue;
            }
            /* dense interval [cx[q], cx[q + 1]): interpolated grid points */
            double a = cx[q], b = cx[q + 1];
            while (gi < g) {
                double u = gi + 1 == g ? u1 : u0 + h * (double)gi;
                if (u >= b - tol && !(q + 2 == m && gi + 1 == g)) break;
                if (na > 0 && u <= gx[na - 1] + tol) { /* at a logged point already used */
                    gi++;
                    continue;
                }
                double f = b > a ? (u - a) / (b - a) : 1.0;
                if (f < 0) f = 0;
                if (f > 1) f = 1;
                gx[na] = u;
                gy[na] = y[q] + (y[q + 1] - y[q]) * f;
                fc[na] = u <= a + tol ? q : q + 1;
                lc[na] = u >= b - tol ? q + 1 : q;
                na++;
                gi++;
            }
        }
        out->n = na;
        out->x = gx;
        out->y = gy;
        out->first_clean = fc;
        out->last_clean = lc;
        free(cx);
        free(y);
    }
    rep->n_analysed = out->n;
    /* total variance (for the BOCPD prior), two-pass */
    double mean = 0;
    for (size_t i = 0; i < out->n; i++) mean += out->y[i];
    mean /= (double)out->n;
    double ss = 0;
    for (size_t i = 0; i < out->n; i++) ss += (out->y[i] - mean) * (out->y[i] - mean);
    out->var_total = ss / (double)out->n;
    return true;
}
