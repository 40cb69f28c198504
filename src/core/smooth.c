/* smooth.c - smoothing for display: debiased EMA (TensorBoard's), a
 * spacing-aware EMA, and centred Gaussian/median filters from GSL.
 * Layer: core (pure). License: MIT. */
#include "trajscope/smooth.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_filter.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

static const char *const method_names[TS_SMOOTH_COUNT] = {"off", "ema", "ema-time", "gaussian",
                                                          "median"};

const char *ts_smooth_name(TsSmoothMethod m) {
    return (unsigned)m < TS_SMOOTH_COUNT ? method_names[m] : NULL;
}

TsSmoothMethod ts_smooth_from_name(const char *name) {
    for (int m = 0; m < TS_SMOOTH_COUNT; m++)
        if (strcmp(method_names[m], name) == 0) return (TsSmoothMethod)m;
    return TS_SMOOTH_COUNT;
}

size_t ts_smooth_window(double weight) {
    if (!(weight > 0)) return 1;
    if (weight > 0.999) weight = 0.999;
    return 2 * (size_t)lround(weight * 50.0) + 1;
}

static bool is_constant(const TsSeries *s) {
    for (size_t i = 1; i < s->n; i++)
        if (!(s->value[i] == s->value[0])) return false;
    return true;
}

/* TensorBoard's smoothing (tensorboard/webapp/.../data_transformer): an
 * EMA started at 0 and divided by 1 - w^k to remove the bias toward 0.
 * The arithmetic is the same operations in the same order as the plain
 * loop (results bit-identical); once 1 - w^k rounds to exactly 1.0 it
 * stays 1.0 (w^k only shrinks, w < 1), and dividing by 1.0 is exact, so
 * the rest of the series skips w^k and the division. The EMA recurrence
 * itself is serial: its latency (a multiply and an add per point) is the
 * floor. */
static void ema_debiased(const TsSeries *s, double w, double *out) {
    const double *val = s->value;
    size_t n = s->n, i = 0;
    double last = 0.0;
    double decay = 1.0; /* w^k */
    double c = 1.0 - w;
    if (w != 1.0) {
        while (i < n) {
            double v = val[i];
            if (!isfinite(v)) {
                out[i++] = v;
                continue;
            }
            last = last * w + c * v;
            decay *= w;
            double den = 1.0 - decay;
            out[i++] = last / den;
            if (den == 1.0) break;
        }
    }
    for (; i < n; i++) {
        double v = val[i];
        if (!isfinite(v)) {
            out[i] = v;
            continue;
        }
        last = last * w + c * v;
        out[i] = last;
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median positive step increment; 1 when there is none. */
static double median_spacing(const TsSeries *s) {
    size_t m = 0;
    double *d = ts_xmalloc((s->n ? s->n : 1) * sizeof *d);
    for (size_t i = 1; i < s->n; i++)
        if (s->step[i] > s->step[i - 1]) d[m++] = (double)(s->step[i] - s->step[i - 1]);
    double med = 1.0;
    if (m > 0) {
        qsort(d, m, sizeof *d, cmp_double);
        med = d[m / 2];
    }
    free(d);
    return med;
}

/* EMA whose decay per point is w^(delta_step / median_delta): points that
 * are far apart in steps forget more. Normalising by the accumulated weight
 * debiases it; with even spacing it equals ema_debiased. */
static void ema_time(const TsSeries *s, double w, double *out) {
    double med = median_spacing(s);
    double last = 0.0, norm = 0.0;
    size_t prev = SIZE_MAX;
    for (size_t i = 0; i < s->n; i++) {
        double v = s->value[i];
        if (!isfinite(v)) {
            out[i] = v;
            continue;
        }
        double a = w;
        if (prev != SIZE_MAX) {
            double delta = (double)(s->step[i] - s->step[prev]);
            /* Repeats and seams (delta <= 0) count as one typical step. */
            a = pow(w, delta > 0 ? delta / med : 1.0);
        }
        last = a * last + (1.0 - a) * v;
        norm = a * norm + (1.0 - a);
        out[i] = norm > 0 ? last / norm : v;
        prev = i;
    }
}

/* Runs a GSL filter over the finite values only and scatters the result
 * back; non-finite points pass through. */
static void filter_finite(const TsSeries *s, TsSmoothMethod m, double weight, double *out) {
    size_t n_finite = 0;
    for (size_t i = 0; i < s->n; i++)
        if (isfinite(s->value[i])) n_finite++;
    size_t k = ts_smooth_window(weight);
    memcpy(out, s->value, s->n * sizeof *out);
    if (k < 3 || n_finite < 2) return;

    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_vector *x = gsl_vector_alloc(n_finite);
    gsl_vector *y = gsl_vector_alloc(n_finite);
    if (!x || !y) ts_die("out of memory (smoothing %zu points)", n_finite);
    for (size_t i = 0, j = 0; i < s->n; i++)
        if (isfinite(s->value[i])) gsl_vector_set(x, j++, s->value[i]);
    int status;
    if (m == TS_SMOOTH_GAUSSIAN) {
        gsl_filter_gaussian_workspace *ws = gsl_filter_gaussian_alloc(k);
        if (!ws) ts_die("out of memory (Gaussian filter of %zu points)", k);
        /* alpha = 3: the window spans +-3 standard deviations. */
        status = gsl_filter_gaussian(GSL_FILTER_END_TRUNCATE, 3.0, 0, x, y, ws);
        gsl_filter_gaussian_free(ws);
    } else {
        gsl_filter_median_workspace *ws = gsl_filter_median_alloc(k);
        if (!ws) ts_die("out of memory (median filter of %zu points)", k);
        status = gsl_filter_median(GSL_FILTER_END_TRUNCATE, x, y, ws);
        gsl_filter_median_free(ws);
    }
    if (status == GSL_SUCCESS) {
        for (size_t i = 0, j = 0; i < s->n; i++)
            if (isfinite(s->value[i])) out[i] = gsl_vector_get(y, j++);
    }
    gsl_vector_free(x);
    gsl_vector_free(y);
    gsl_set_error_handler(old);
}

void ts_smooth(const TsSeries *s, TsSmoothMethod m, double weight, double *out) {
    if (s->n == 0) return;
    if (!(weight >= 0)) weight = 0;
    if (weight > 0.999) weight = 0.999;
    if (m == TS_SMOOTH_OFF || m >= TS_SMOOTH_COUNT || weight == 0 || is_constant(s)) {
        memcpy(out, s->value, s->n * sizeof *out);
        return;
    }
    switch (m) {
    case TS_SMOOTH_EMA: ema_debiased(s, weight, out); break;
    case TS_SMOOTH_EMA_TIME: ema_time(s, weight, out); break;
    case TS_SMOOTH_GAUSSIAN:
    case TS_SMOOTH_MEDIAN: filter_finite(s, m, weight, out); break;
    default: memcpy(out, s->value, s->n * sizeof *out); break;
    }
}
