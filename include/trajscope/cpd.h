/* cpd.h - change-point detection on training curves: where a curve changes
 * regime (grokking onsets, drops after plateaus, loss spikes, schedule kinks).
 * Layer: core (pure maths on arrays, no I/O; GSL inside src/core/cpd*.c only). License: MIT.
 *
 * Methods (docs/DETECTION.md explains each one and how to read the output):
 *  - PELT (Killick, Fearnhead & Eckley 2012): the exact penalised-optimal
 *    segmentation, with pruning and a minimum segment length.
 *  - Binary segmentation: greedy splits, stopped by the same penalty or by a
 *    maximum number of change points.
 *  - CROPS (Haynes, Eckley & Fearnhead 2017): every optimal segmentation for a
 *    range of penalties, so a viewer can step through "more/fewer phases".
 *  - BOCPD (Adams & MacKay 2007): online Bayesian detection, one point at a
 *    time, with the run-length posterior exposed.
 *
 * Input is two parallel arrays (step, value) in file order, as in TsSeries.
 * Preprocessing (TsCpdPrep) sorts by step, keeps the last written point of a
 * repeated step, drops non-finite values, optionally takes logs, despikes and
 * resamples onto a uniform log(step + 1) grid. Change points are always
 * reported in original (logged) steps.
 *
 * Costs are -2 log-likelihoods of the standardised values z = (y - c) / sigma
 * (c: median, sigma: the noise scale), so penalties and strengths are in the
 * same unit for every cost:
 *   mean     sum (z - mean)^2                            (change in mean)
 *   meanvar  m log v + SS / v, v = max(SS / m, floor)    (mean and variance)
 *   slope    residual sum of squares of a line fit       (change in slope)
 * with floor = TS_CPD_VAR_FLOOR (variance, in units of sigma^2).
 *
 * Cost of the calls (tests/bench/bench_cpd.c, 2-core machine; details in
 * docs/DETECTION.md): preparation O(n log n), 0.2-0.5 s for 10^6 points.
 * PELT with the mean cost uses functional pruning: ~0.5 s per 10^6 points
 * on any curve. With meanvar/slope, time grows with the sum of squared
 * segment lengths: fine with regimes every few hundred points (4-7 s at 10^6),
 * slow for a few long smooth segments (slope, 10^5-point loss curve: 6 s) -
 * use prep.log_step with grid_points ~5000, or binseg (O(n log n), < 1 s at
 * 10^6). Few changes on a long curve (max_cp, CROPS) means PELT at large
 * penalties: CROPS over 0..12 changes is 1.3 s at 10^5, 30 s at 10^6, 0.2 s
 * on a 10^4-point log-step grid. BOCPD: O(run lengths kept) per
 * point, ~10 us. A front end that must stay responsive uses the job API
 * (ts_cpd_job_*), which does a bounded amount of work per call.
 *
 * Ownership: every result struct is filled by the library and freed with its
 * _free function; input arrays are only read and never kept. */
#ifndef TRAJSCOPE_CPD_H
#define TRAJSCOPE_CPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/err.h"

/* meanvar cost: variance floor, as a fraction of sigma^2 (so a noise-free
 * stretch cannot have -infinite cost). */
#define TS_CPD_VAR_FLOOR 1e-2

typedef enum TsCpdMethod {
    TS_CPD_PELT = 0,
    TS_CPD_BINSEG,
    TS_CPD_BOCPD,
    TS_CPD_METHOD_COUNT
} TsCpdMethod;

typedef enum TsCpdCost {
    TS_CPD_COST_MEAN = 0, /* piecewise constant mean, common variance sigma^2 */
    TS_CPD_COST_MEANVAR,  /* piecewise constant mean and variance */
    TS_CPD_COST_SLOPE,    /* piecewise linear (in the x the series is segmented on) */
    TS_CPD_COST_COUNT
} TsCpdCost;

/* Penalty per change point, with p = parameters per segment (mean 1,
 * meanvar 2, slope 2) and n the number of analysed points:
 * MBIC (p + 2) log n (default), BIC (p + 1) log n, AIC 2 (p + 1), or a number. */
typedef enum TsCpdPenalty {
    TS_CPD_PEN_MBIC = 0,
    TS_CPD_PEN_BIC,
    TS_CPD_PEN_AIC,
    TS_CPD_PEN_MANUAL,
    TS_CPD_PEN_COUNT
} TsCpdPenalty;

/* Names: "pelt" "binseg" "bocpd"; "mean" "meanvar" "slope"; "mbic" "bic"
 * "aic" "manual". NULL when out of range; _from_name returns ..._COUNT when
 * the name is unknown. */
const char *ts_cpd_method_name(TsCpdMethod m);
TsCpdMethod ts_cpd_method_from_name(const char *name);
const char *ts_cpd_cost_name(TsCpdCost c);
TsCpdCost ts_cpd_cost_from_name(const char *name);
const char *ts_cpd_penalty_name(TsCpdPenalty p);
TsCpdPenalty ts_cpd_penalty_from_name(const char *name);

/* The penalty (beta) for n analysed points; `manual` is returned for
 * TS_CPD_PEN_MANUAL. */
double ts_cpd_penalty_beta(TsCpdPenalty p, double manual, TsCpdCost c, size_t n);
/* Smallest segment length the cost accepts (mean 1, meanvar 2, slope 2) and
 * the default used when TsCpdOptions.min_seg is 0 (mean 2, meanvar 3, slope 3). */
size_t ts_cpd_min_seg_floor(TsCpdCost c);
size_t ts_cpd_min_seg_default(TsCpdCost c);

typedef struct TsCpdPrep {
    bool log_values;       /* analyse log(value); values <= 0 are dropped and counted */
    bool log_step;         /* resample onto a uniform grid in log(step + 1) (steps < 0
                              dropped), linear interpolation; where logged points are
                              further apart than the grid spacing (early training),
                              the logged points themselves are used instead */
    size_t grid_points;    /* points of that grid; 0 = as many as clean points */
    bool despike;          /* GSL impulse (Hampel) filter: outliers -> window median */
    size_t despike_window; /* odd window length in points; 0 = 7 */
    double despike_sigmas; /* outlier threshold in robust sigmas; 0 = 5 */
} TsCpdPrep;

typedef struct TsCpdOptions {
    TsCpdMethod method;   /* default PELT */
    TsCpdCost cost;       /* default mean */
    TsCpdPenalty penalty; /* default MBIC */
    double penalty_value; /* beta for TS_CPD_PEN_MANUAL (>= 0) */
    size_t min_seg;       /* minimum points per segment; 0 = ts_cpd_min_seg_default() */
    size_t max_cp;        /* 0 = no limit. PELT: the optimal segmentation for the
                             smallest penalty >= beta with <= max_cp changes;
                             binseg: stop after max_cp splits; BOCPD: keep the
                             max_cp strongest */
    double sigma;         /* noise scale in analysed units; 0 = robust estimate
                             (MAD of first differences / sqrt 2) */
    double hazard_lambda; /* BOCPD expected run length (hazard 1/lambda); 0 = 250 */
    double bocpd_prune;   /* BOCPD: drop run lengths with probability below this; 0 = 1e-8 */
    size_t bocpd_max_runs;/* BOCPD: keep at most this many run lengths; 0 = 300 */
    bool plain_pelt;      /* mean cost: PELT's inequality pruning instead of functional
                             pruning (FPOP); same result, slower (tests, benchmarks) */
    TsCpdPrep prep;
} TsCpdOptions;

/* Defaults: PELT, mean, MBIC, everything else 0/false (= automatic). */
void ts_cpd_options_default(TsCpdOptions *o);

/* What preprocessing did. Steps are logged steps. */
typedef struct TsCpdPrepReport {
    size_t n_input;              /* points given */
    size_t n_duplicate_steps;    /* dropped: an earlier write of a repeated step */
    size_t n_nonfinite;          /* dropped: NaN or +-Inf value */
    int64_t first_nonfinite_step;
    size_t n_nonpositive;        /* dropped by log_values: value <= 0 */
    int64_t first_nonpositive_step;
    size_t n_negative_step;      /* dropped by log_step: step < 0 */
    size_t n_despiked;           /* values replaced by the window median */
    size_t n_clean;              /* points left after all of the above */
    size_t n_analysed;           /* points segmented (with log_step: grid points in dense
                                    stretches + logged points in sparse ones) */
    bool steps_sorted;           /* false when steps had to be sorted (seams) */
} TsCpdPrepReport;

/* One segment of the analysed series. Values are in analysed units (logs
 * when prep.log_values); x is the step, or log(step + 1) with prep.log_step.
 * The fitted line of the segment is mean + slope * (x - x_mean). */
typedef struct TsCpdSegment {
    size_t start, length;         /* analysed-series index range [start, start + length) */
    int64_t start_step, end_step; /* first and last logged step inside it */
    double mean;
    double std;                   /* sample standard deviation (0 when length 1) */
    double slope;                 /* least-squares slope per unit x; NaN when undefined */
    double x_mean;
    double cost;                  /* this segment's cost */
} TsCpdSegment;

typedef struct TsCpdChange {
    int64_t step;       /* first logged step of the new segment */
    size_t index;       /* first analysed-series index of the new segment */
    size_t src_index;   /* index into the caller's arrays of the point at `step` */
    double strength;    /* cost(merged) - cost(before) - cost(after), cost units */
    TsCpdSegment before, after;
} TsCpdChange;

typedef struct TsCpdResult {
    TsCpdMethod method;
    TsCpdCost cost;
    TsCpdPenalty penalty_kind;
    double penalty;      /* beta actually used (raised when max_cp applied) */
    double penalty_asked;/* beta from the options */
    size_t min_seg;      /* resolved */
    size_t max_cp;
    double sigma;        /* noise scale used, analysed units */
    double centre;       /* c used to standardise (median of the clean values) */
    bool x_log_step;     /* segment x is log(step + 1) */
    double fit_cost;     /* sum of segment costs */
    double total_cost;   /* fit_cost + n_cp * penalty */
    size_t n_cp;
    TsCpdChange *cp;     /* ascending */
    size_t n_seg;        /* n_cp + 1 (0 when nothing was analysed) */
    TsCpdSegment *seg;
    size_t n_runs;       /* PELT runs made (more than 1 when max_cp raised the penalty) */
    double hazard_lambda;/* BOCPD only */
    TsCpdPrepReport prep;
} TsCpdResult;

/* Runs the detection described by o on points (step[i], value[i]), i < n.
 * False with err set when nothing can be analysed (no points left after
 * preprocessing) or an option is invalid. Free out with ts_cpd_result_free. */
bool ts_cpd_detect(const int64_t *step, const double *value, size_t n, const TsCpdOptions *o,
                   TsCpdResult *out, TsErr *err);
void ts_cpd_result_free(TsCpdResult *r);

/* ---- CROPS: all optimal PELT segmentations for penalties in [beta_min, beta_max] ---- */

typedef struct TsCpdCropsEntry {
    double beta_lo, beta_hi; /* this segmentation is optimal for every penalty in [lo, hi] */
    TsCpdResult result;      /* result.penalty = a penalty inside the interval */
} TsCpdCropsEntry;

typedef struct TsCpdCrops {
    size_t n;
    TsCpdCropsEntry *entry; /* fewest change points first (largest penalties first) */
    size_t n_runs;          /* PELT runs made */
    bool complete;          /* false when max_runs stopped the search (gaps possible) */
    size_t preferred;       /* entry whose interval holds the options' penalty (nearest when outside) */
    bool penalty_below;     /* the options' penalty is below every interval found: its own answer
                               has more changes than were searched (o->max_cp) */
    size_t stable;          /* the most stable segmentation with at least one change: the entry
                               whose penalty interval is widest on a log scale (an interval that
                               reaches 0 counts only when no other entry has a change); 0 when
                               no entry has a change */
} TsCpdCrops;

/* CROPS with the cost, min_seg and preprocessing of o (o->method is ignored:
 * always PELT). 0 <= beta_min < beta_max; beta_max may be INFINITY (up to
 * the single segment, which needs no run). When o->max_cp > 0 only
 * segmentations with at most max_cp changes are searched and returned, so
 * (o->max_cp = K, 0, INFINITY) gives every optimal segmentation with 0..K
 * changes (the ones on the lower hull of fit cost against change count) -
 * what a viewer steps through with "fewer/more phases". max_runs 0 = 64.
 * entry[i].beta_hi of the 0-change entry is INFINITY in that case. */
bool ts_cpd_crops(const int64_t *step, const double *value, size_t n, const TsCpdOptions *o,
                  double beta_min, double beta_max, size_t max_runs, TsCpdCrops *out, TsErr *err);
void ts_cpd_crops_free(TsCpdCrops *c);

/* ---- jobs: the same work in bounded slices (for an interactive front end) ----
 *
 * ts_cpd_job_new() does the preprocessing (O(n log n): about 0.2 s for
 * 10^6 points); each ts_cpd_job_step() then does about `budget` cost
 * evaluations (one PELT candidate check or one BOCPD run length) and returns
 * true once finished. A budget of 200000 is a few milliseconds. */
typedef struct TsCpdJob TsCpdJob;

TsCpdJob *ts_cpd_job_new(const int64_t *step, const double *value, size_t n, const TsCpdOptions *o,
                         TsErr *err);
/* A CROPS job (arguments as ts_cpd_crops). */
TsCpdJob *ts_cpd_crops_job_new(const int64_t *step, const double *value, size_t n,
                               const TsCpdOptions *o, double beta_min, double beta_max,
                               size_t max_runs, TsErr *err);
bool ts_cpd_job_step(TsCpdJob *job, size_t budget);
/* Fraction done in [0, 1] (for a CROPS job: of the current PELT run). */
double ts_cpd_job_progress(const TsCpdJob *job);
/* After the job finished: moves its result into out (once; false before the
 * end, for the wrong kind of job, or when already taken). */
bool ts_cpd_job_take_result(TsCpdJob *job, TsCpdResult *out);
bool ts_cpd_job_take_crops(TsCpdJob *job, TsCpdCrops *out);
void ts_cpd_job_free(TsCpdJob *job);

/* ---- BOCPD, online: push points one at a time (a run still being written) ----
 *
 * Model: each segment is i.i.d. Normal with unknown mean and variance,
 * Normal-Gamma prior (mu0, kappa0, alpha0, beta0); Student-t predictive;
 * constant hazard 1 / lambda. Run length r = number of points in the current
 * segment; r = 0 is the hypothesis "the next point starts a new segment"
 * (its probability is the hazard, up to pruning). Run lengths whose probability falls
 * below `prune`, and beyond max_runs the least probable, are dropped and the
 * rest renormalised. Work per point: O(run lengths kept). */
typedef struct TsCpdBocpdPrior {
    double mu0, kappa0, alpha0, beta0;
} TsCpdBocpdPrior;

typedef struct TsCpdBocpd TsCpdBocpd;

/* A prior scaled to data seen so far (y[0..n), finite values only): mu0 =
 * median, beta0 = alpha0 = 1 in units of the robust noise variance, kappa0 =
 * noise variance / total variance (a broad prior on the level). */
void ts_cpd_bocpd_prior_from_data(const double *y, size_t n, TsCpdBocpdPrior *out);
/* max_runs: keep at most this many run lengths (the most probable; 0 = no
 * cap), which bounds the work per point - without it a long change-free
 * stretch keeps O(points) run lengths. NULL when the prior is invalid
 * (kappa0, alpha0, beta0 must be > 0 and finite, lambda > 1,
 * 0 <= prune < 1); the caller frees it with ts_cpd_bocpd_free. */
TsCpdBocpd *ts_cpd_bocpd_new(const TsCpdBocpdPrior *prior, double lambda, double prune,
                             size_t max_runs);
void ts_cpd_bocpd_free(TsCpdBocpd *b);
/* Adds one observation. Returns false (and changes nothing) when x is not finite. */
bool ts_cpd_bocpd_push(TsCpdBocpd *b, double x);
/* Points pushed so far. */
size_t ts_cpd_bocpd_count(const TsCpdBocpd *b);
/* The normalised run-length posterior after the last push: k entries, run
 * lengths ascending (r[0] = 0), probabilities summing to 1. Arrays are
 * borrowed, valid until the next push or free. */
size_t ts_cpd_bocpd_posterior(const TsCpdBocpd *b, const size_t **run_length, const double **prob);
/* Most probable run length (0 before any push). */
size_t ts_cpd_bocpd_map(const TsCpdBocpd *b);
/* Most probable run length >= 1 (the MAP segment the last point belongs to). */
size_t ts_cpd_bocpd_map_nonzero(const TsCpdBocpd *b);
/* Posterior probability that the current segment has at most w points
 * ("a change happened within the last w points"), counting r >= 1 only,
 * renormalised over r >= 1. */
double ts_cpd_bocpd_prob_recent(const TsCpdBocpd *b, size_t w);

#endif
