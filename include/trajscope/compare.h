/* compare.h - the maths of comparing runs: statistics of a group of runs
 * (seed bands) on a common grid, x alignment (step, wall time, tokens,
 * phase onset), and one-row sparklines.
 * Layer: core (pure: no I/O, no curses; GSL inside src/core/compare.c only).
 * License: MIT.
 *
 * Everything here is a function of its arguments: no caches, no globals, so
 * a front end recomputes whenever a setting changes. Costs are stated per
 * call; docs/COMPARE.md explains the choices (resumed runs, NaN, grids).
 *
 * Resumed runs. Curves are given in file order and may go back (a seam).
 * The group statistics use each curve's effective points by TensorBoard's
 * purge rule, as ts_marks_effective() does for steps: a point is dropped
 * when a later point has an x <= its x (the resumed run rewrote that part;
 * a repeated x keeps its last write). The result has strictly increasing x:
 * the part before the seam up to where the run resumed, then the part
 * after it.
 *
 * Ownership: input arrays are only read, never kept. Result structs are
 * filled by the library and freed with their _free function. */
#ifndef TRAJSCOPE_COMPARE_H
#define TRAJSCOPE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/cpd.h"
#include "trajscope/err.h"
#include "trajscope/marks.h"
#include "trajscope/series.h"

/* True when lower values of the metric are better: its name contains
 * "loss", "err", "perplexity", "ppl" or "regret", or has one of the words
 * wer, cer, ter, mse, rmse, mae, mape, nll, fid, kid, lpips, kl, bpc, bpd,
 * bpb (bounded by non-alphanumerics: "eval/wer", "fid_10k", not "answer");
 * ASCII case-insensitive. Everything else (accuracy, reward, BLEU, ...) is
 * higher-is-better. Front ends let the user override. */
bool ts_compare_lower_is_better(const char *metric_name);

/* ---- group statistics on a common grid ---- */

/* One run's curve: n points (x[i], y[i]) in file order. x may be steps,
 * aligned steps, wall times or tokens (see ts_compare_align_x); points
 * with a non-finite x or y are left out. */
typedef struct TsCurve {
    const double *x;
    const double *y;
    size_t n;
} TsCurve;

typedef enum TsGridKind {
    TS_GRID_UNION = 0, /* every distinct effective x of every run inside the span */
    TS_GRID_LINEAR,    /* `points` points evenly spaced in x */
    TS_GRID_LOG,       /* `points` points evenly spaced in log(x + 1); the span must have x > -1 */
    TS_GRID_COUNT
} TsGridKind;

typedef struct TsGroupOptions {
    TsGridKind grid;  /* default TS_GRID_UNION */
    size_t points;    /* LINEAR / LOG grids: number of points (0 = 256; at least 2 unless the
                         span is a single x); ignored for UNION */
    bool span_union;  /* false (default): the overlap [max of first x, min of last x], where every
                         run contributes at every grid point; true: [min first x, max last x],
                         where a run contributes only inside its own range (no extrapolation) */
} TsGroupOptions;

/* Defaults: union grid over the overlap. */
void ts_compare_group_options_default(TsGroupOptions *o);
/* "union" "linear" "log"; NULL when out of range. _from_name returns
 * TS_GRID_COUNT for an unknown name. */
const char *ts_compare_grid_name(TsGridKind g);
TsGridKind ts_compare_grid_from_name(const char *name);

typedef struct TsGroupStats {
    size_t n;          /* grid points */
    double *x;         /* [n] the grid, strictly increasing */
    double *mean;      /* [n] over the runs contributing at x; NaN when count == 0 */
    double *median;    /* [n] (mean of the two middle values for an even count) */
    double *min, *max; /* [n] */
    double *std;       /* [n] sample standard deviation (n - 1); NaN when count < 2 */
    size_t *count;     /* [n] runs contributing at x */
    bool interpolated; /* true when at least one value was interpolated (x was not a
                          logged x of that run): say "interpolated onto a common grid" */
    double lo, hi;     /* the span actually used */
    size_t n_runs;       /* curves given */
    size_t n_runs_used;  /* curves with at least one usable point */
    size_t n_superseded; /* points dropped by the purge rule, over all curves */
    size_t n_nonfinite;  /* points dropped for a non-finite x or y, over all curves */
} TsGroupStats;

/* Statistics across k curves at every point of a common grid: each curve's
 * effective finite points are linearly interpolated (GSL) at each grid x
 * inside its own [first x, last x]; a curve never contributes outside it.
 * Cost: O(N) to clean the curves (N = total points) plus O(k * G) for a
 * grid of G points; the union grid adds an O(N log N) sort and has G <= N.
 * False with err set when no curve has a usable point, when the overlap is
 * empty ("the runs' x ranges do not overlap"), or a log grid's span reaches
 * x <= -1. Free out with ts_compare_group_stats_free (also after failure). */
bool ts_compare_group_stats(const TsCurve *curves, size_t k, const TsGroupOptions *o,
                            TsGroupStats *out, TsErr *err);
void ts_compare_group_stats_free(TsGroupStats *st);

/* ---- alignment: x' = x - offset, per run ---- */

typedef enum TsAlignBy {
    TS_ALIGN_STEP = 0, /* x = step, offset 0 */
    TS_ALIGN_WALL,     /* x = wall time, offset = the run's start (seconds since it started) */
    TS_ALIGN_TOKENS,   /* x = tokens seen (an array given per run), offset 0 */
    TS_ALIGN_CHANGE,   /* x = step, offset = step of a detected change point (phase onset) */
    TS_ALIGN_MARK,     /* x = step, offset = start step of a named mark */
    TS_ALIGN_COUNT
} TsAlignBy;

/* "step" "wall" "tokens" "change" "mark"; NULL when out of range.
 * _from_name returns TS_ALIGN_COUNT for an unknown name. */
const char *ts_compare_align_name(TsAlignBy a);
TsAlignBy ts_compare_align_from_name(const char *name);

/* Which change point is the onset. */
typedef enum TsOnsetPick {
    TS_ONSET_FIRST = 0, /* the first change point (default) */
    TS_ONSET_STRONGEST  /* the one with the largest strength */
} TsOnsetPick;

/* What is known about one run. Fields a mode does not use may be left 0/NULL. */
typedef struct TsAlignRun {
    const TsSeries *series;       /* the curve being compared: its steps (STEP, CHANGE, MARK),
                                     wall times (WALL), point count (TOKENS) */
    const double *tokens;         /* TOKENS: tokens seen at each point of series (series->n
                                     values), NULL when the run has no tokens column */
    double wall_start;            /* WALL: the run's start; NaN = the earliest finite wall time
                                     of series (pass the run's start when other metrics of
                                     the run began earlier) */
    const TsSeries *onset_series; /* CHANGE: the metric whose change point is the onset
                                     (NULL = series) */
    const TsMarkSet *marks;       /* MARK: marks to search (NULL = none) */
    const char *run_name;         /* MARK: marks whose run is "*" or this name count
                                     (NULL = marks of any run) */
} TsAlignRun;

typedef struct TsAlignOptions {
    TsAlignBy by;              /* default TS_ALIGN_STEP */
    TsCpdOptions cpd;          /* CHANGE: detection (default ts_cpd_options_default():
                                  PELT, mean cost, MBIC penalty) */
    TsOnsetPick pick;          /* CHANGE: default TS_ONSET_FIRST */
    const char *mark_label;    /* MARK: the mark's label (exact bytes); NULL or "" = any label */
    const char *mark_metric;   /* MARK: marks whose metric is "" or this (NULL = any metric) */
} TsAlignOptions;

void ts_compare_align_options_default(TsAlignOptions *o);

typedef struct TsAlignResult {
    bool aligned;       /* false: the run has no such origin; offset is NaN and the
                           front end shows it as unaligned (never shifted by 0) */
    double offset;      /* x' = x - offset */
    int64_t onset_step; /* CHANGE / MARK: the onset's step (0 otherwise) */
    char why[TS_ERR_MSG_MAX]; /* when !aligned: one terminal-safe line, e.g. "no change
                                 point detected" ("" when aligned) */
} TsAlignResult;

/* The offset of one run. CHANGE runs ts_cpd_detect() on the onset series
 * (O(n log n) preparation + PELT, see cpd.h); every other mode is O(n) or
 * less. A run whose change detection fails (e.g. no finite points) is
 * unaligned with the detector's message in why. Returns out->aligned. */
bool ts_compare_align_offset(const TsAlignRun *run, const TsAlignOptions *o, TsAlignResult *out);
/* ts_compare_align_offset for runs[0..n) into out[0..n); returns how many
 * were aligned. */
size_t ts_compare_align_offsets(const TsAlignRun *runs, size_t n, const TsAlignOptions *o,
                                TsAlignResult *out);
/* The onset step from a detection the caller already has (a cached
 * result, a finished cpd job): false when r has no change point. */
bool ts_compare_onset_from_cpd(const TsCpdResult *r, TsOnsetPick pick, int64_t *step);

/* Aligned x of every point of run->series into x[series->n]: step, wall
 * time or tokens (by the mode's x) minus offset. NaN where the point has no
 * such x (wall time not logged, no tokens column) or offset is NaN (an
 * unaligned run). Returns how many x are finite. O(n). */
size_t ts_compare_align_x(const TsAlignRun *run, TsAlignBy by, double offset, double *x);

/* ---- sparklines ---- */

/* One bucket (one character cell, or one braille half-cell) of a sparkline. */
typedef struct TsSparkBucket {
    double min, max;    /* over the bucket's finite values; NaN when it has none */
    double last;        /* the bucket's last finite value (file order); NaN when none */
    size_t n;           /* points in the bucket (a point may serve two buckets when the
                           series has fewer points than buckets, by index) */
    size_t n_nonfinite; /* of those, NaN or +-Inf */
} TsSparkBucket;

typedef struct TsSparkSummary {
    double vmin, vmax;   /* over all finite values (the sparkline's y range); NaN when none */
    double last;         /* the series' last logged value (may be non-finite); NaN if empty */
    double last_finite;  /* NaN when none */
    size_t n_nonfinite;
} TsSparkSummary;

/* Splits s into `width` buckets and summarises each from every point (a
 * one-sample spike always shows in its bucket's min/max).
 *  - by_step false: bucket b holds the points with index in
 *    [b * n / width, (b + 1) * n / width) (at least one point: with fewer
 *    points than buckets, points are repeated, so no bucket is empty).
 *  - by_step true: bucket b holds the points whose step lies in the b-th of
 *    `width` equal parts of [min step, max step] (points of both sides of a
 *    seam land in the same bucket); a bucket can be empty (n == 0, NaN).
 * out has room for width buckets; summary may be NULL. O(n + width). */
void ts_compare_sparkline(const TsSeries *s, size_t width, bool by_step, TsSparkBucket *out,
                          TsSparkSummary *summary);

#endif
