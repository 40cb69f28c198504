/* cpd_internal.h - what the change-point files share: the prepared series,
 * the O(1) segment costs and the resumable PELT run.
 * Layer: core (private to src/core/cpd*.c; no GSL here). License: MIT. */
#ifndef TRAJSCOPE_CPD_INTERNAL_H
#define TRAJSCOPE_CPD_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/cpd.h"

/* The series after preprocessing (cpd_prep.c). Analysed point i has value
 * y[i] at position x[i] (the step, or log(step + 1) on the grid). Clean
 * points are the logged points that survived cleaning, in step order. */
typedef struct CpdSeries {
    size_t n;          /* analysed points */
    double *y, *x;
    size_t n_clean;
    int64_t *clean_step;
    size_t *clean_src; /* index into the caller's arrays */
    /* analysed index -> first clean point at or after x[i] / last at or
     * before; NULL when the analysed series is the clean series. */
    size_t *first_clean, *last_clean;
    double sigma, centre, var_total;
    bool x_log;
    TsCpdPrepReport rep;
} CpdSeries;

bool cpd_prepare(const int64_t *step, const double *value, size_t n, const TsCpdPrep *prep,
                 double sigma, CpdSeries *out, TsErr *err);
void cpd_series_free(CpdSeries *s);
/* Robust noise scale of y[0..n): MAD of first differences / sqrt(2), with
 * fallbacks (mean absolute deviation, then 1) when that is zero. */
double cpd_noise_sigma(const double *y, size_t n);
/* Median of y[0..n) (0 when n == 0). */
double cpd_median(const double *y, size_t n);

/* Prefix sums of the standardised series, each kept as a compensated pair
 * (hi, lo): segment sums are (hi_b - hi_a) + (lo_b - lo_a). Row i holds the
 * sums of points [0, i). Mean/meanvar rows: z, z^2. Slope rows: u, z, u^2,
 * uz, z^2 with u the x scaled to [-1, 1]. */
typedef struct CpdCost {
    TsCpdCost kind;
    size_t n, stride;
    double *ps;
    double floor, log_floor; /* meanvar variance floor (standardised units) */
} CpdCost;

void cpd_cost_init(CpdCost *c, TsCpdCost kind, const CpdSeries *s);
void cpd_cost_free(CpdCost *c);

static inline double cpd_ssum(const double *pa, const double *pb, size_t k) {
    return (pb[2 * k] - pa[2 * k]) + (pb[2 * k + 1] - pa[2 * k + 1]);
}

/* Cost of the segment [a, b), 0 <= a < b <= n. */
static inline double cpd_cost(const CpdCost *c, size_t a, size_t b) {
    const double *pa = c->ps + a * c->stride, *pb = c->ps + b * c->stride;
    double m = (double)(b - a);
    switch (c->kind) {
    case TS_CPD_COST_MEAN: {
        double s1 = cpd_ssum(pa, pb, 0), s2 = cpd_ssum(pa, pb, 1);
        double ss = s2 - s1 * s1 / m;
        return ss > 0 ? ss : 0;
    }
    case TS_CPD_COST_MEANVAR: {
        double s1 = cpd_ssum(pa, pb, 0), s2 = cpd_ssum(pa, pb, 1);
        double ss = s2 - s1 * s1 / m;
        if (ss < 0) ss = 0;
        double v = ss / m;
        if (v < c->floor) return m * c->log_floor + ss / c->floor;
        return m * log(v) + m;
    }
    default: {
        double sx = cpd_ssum(pa, pb, 0), sy = cpd_ssum(pa, pb, 1);
        double sxx = cpd_ssum(pa, pb, 2), sxy = cpd_ssum(pa, pb, 3), syy = cpd_ssum(pa, pb, 4);
        double cyy = syy - sy * sy / m;
        if (cyy < 0) cyy = 0;
        double cxx = sxx - sx * sx / m;
        if (!(cxx > 64 * 2.220446049250313e-16 * sxx)) return cyy; /* all x equal */
        double cxy = sxy - sx * sy / m;
        double rss = cyy - cxy * cxy / cxx;
        return rss > 0 ? rss : 0;
    }
    }
}

/* A segmentation: change points (starts of new segments), ascending. */
typedef struct CpdSeg {
    size_t m;
    size_t *cp;
    double fit;  /* sum of segment costs */
    double beta; /* penalty it was found with */
} CpdSeg;

void cpd_seg_free(CpdSeg *s);
void cpd_seg_copy(CpdSeg *dst, const CpdSeg *src);
double cpd_seg_fit(const CpdCost *c, const size_t *cp, size_t m);

/* A PELT run that can be advanced in slices (cpd_pelt.c). With
 * `functional` (mean cost only) candidates are pruned functionally (FPOP):
 * each keeps the set of segment means mu for which it is the best last
 * change, a union of intervals ("pieces"), and goes when that is empty. */
typedef struct CpdPelt {
    const CpdCost *c;
    double beta;
    size_t L, n, t; /* t: next segment end to process */
    double *F;
    size_t *last;
    size_t *cand, *prune_at, nc, cap;
    double *cv;
    bool done;
    bool functional;             /* mean cost: functional pruning */
    double zmin, zmax;           /* the range of mu worth considering */
    double *plo, *phi, *nlo, *nhi; /* pieces, ascending, and the rebuild buffer */
    size_t *pown, *nown, np, pcap;
    size_t *pcount;              /* pieces per candidate, indexed by s */
} CpdPelt;

/* functional: use functional pruning when the cost is `mean` (same result). */
void cpd_pelt_begin(CpdPelt *p, const CpdCost *c, double beta, size_t min_seg, bool functional);
/* Processes segment ends until about `budget` costs were evaluated; returns
 * the number evaluated. Sets p->done at the end. */
size_t cpd_pelt_step(CpdPelt *p, size_t budget);
/* After done: the optimal segmentation. */
void cpd_pelt_result(const CpdPelt *p, CpdSeg *out);
void cpd_pelt_free(CpdPelt *p);

/* Binary segmentation (cpd_pelt.c): splits while the best gain exceeds beta
 * and fewer than max_cp (0 = no limit) changes were made. */
void cpd_binseg(const CpdCost *c, double beta, size_t min_seg, size_t max_cp, CpdSeg *out);

/* Fills a public result from a segmentation (cpd.c). */
void cpd_describe(const CpdSeries *s, const CpdCost *c, const CpdSeg *seg, TsCpdResult *r);

#endif
