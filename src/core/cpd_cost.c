/* cpd_cost.c - compensated prefix sums behind the O(1) segment costs.
 * Layer: core (pure). License: MIT.
 *
 * Values are standardised (z = (y - centre) / sigma) and positions scaled to
 * [-1, 1] before summing, and every running sum carries its rounding error
 * (Neumaier), so segment sums stay accurate for 10^6 points with a large
 * offset in value or step. */
#include "core/cpd_internal.h"

#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

/* Adds v to the compensated sum (*hi, *lo). */
static inline void nsum(double *hi, double *lo, double v) {
    double s = *hi, t = s + v;
    if (fabs(s) >= fabs(v))
        *lo += (s - t) + v;
    else
        *lo += (v - t) + s;
    *hi = t;
}

void cpd_cost_init(CpdCost *c, TsCpdCost kind, const CpdSeries *s) {
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->n = s->n;
    size_t k = kind == TS_CPD_COST_SLOPE ? 5 : 2;
    c->stride = 2 * k;
    c->floor = TS_CPD_VAR_FLOOR;
    c->log_floor = log(TS_CPD_VAR_FLOOR);
    c->ps = ts_xcalloc((s->n + 1) * c->stride, sizeof *c->ps);
    double inv = 1.0 / s->sigma, centre = s->centre;
    double acc[10] = {0};
    if (kind != TS_CPD_COST_SLOPE) {
        for (size_t i = 0; i < s->n; i++) {
            double z = (s->y[i] - centre) * inv;
            nsum(&acc[0], &acc[1], z);
            nsum(&acc[2], &acc[3], z * z);
            memcpy(c->ps + (i + 1) * c->stride, acc, 4 * sizeof(double));
        }
        return;
    }
    double x0 = s->n ? s->x[0] : 0, x1 = s->n ? s->x[s->n - 1] : 0;
    double mid = 0.5 * (x0 + x1), half = 0.5 * (x1 - x0);
    if (!(half > 0)) half = 1.0;
    double xinv = 1.0 / half;
    for (size_t i = 0; i < s->n; i++) {
        double u = (s->x[i] - mid) * xinv;
        double z = (s->y[i] - centre) * inv;
        nsum(&acc[0], &acc[1], u);
        nsum(&acc[2], &acc[3], z);
        nsum(&acc[4], &acc[5], u * u);
        nsum(&acc[6], &acc[7], u * z);
        nsum(&acc[8], &acc[9], z * z);
        memcpy(c->ps + (i + 1) * c->stride, acc, 10 * sizeof(double));
    }
}

void cpd_cost_free(CpdCost *c) {
    free(c->ps);
    memset(c, 0, sizeof *c);
}

void cpd_seg_free(CpdSeg *s) {
    free(s->cp);
    memset(s, 0, sizeof *s);
}

void cpd_seg_copy(CpdSeg *dst, const CpdSeg *src) {
    *dst = *src;
    dst->cp = NULL;
    if (src->m) {
        dst->cp = ts_xmalloc(src->m * sizeof *dst->cp);
        memcpy(dst->cp, src->cp, src->m * sizeof *dst->cp);
    }
}

double cpd_seg_fit(const CpdCost *c, const size_t *cp, size_t m) {
    double fit = 0;
    size_t a = 0;
    for (size_t j = 0; j <= m; j++) {
        size_t b = j < m ? cp[j] : c->n;
        if (b > a) fit += cpd_cost(c, a, b);
        a = b;
    }
    return fit;
}
