/* lod.h - level of detail for plotting: exact per-column min/max of a series.
 * Layer: core (pure, no I/O). License: MIT.
 *
 * "No spike is ever hidden": a plot column covers an x range and draws the
 * min-to-max span of ALL the points in it, at every zoom level. A TsLod
 * summarises one array of values in blocks of 32 points, superblocks of 8
 * blocks and hyperblocks of 8 superblocks, with a sparse table over the
 * hyperblocks, so any index range is answered with at most 62 raw values,
 * 14 block summaries, 14 superblock summaries and 2 table entries (a range
 * in a monotone stretch with its two end values only): a frame costs
 * O(columns) queries plus one interpolation search per column edge
 * (O(log n) worst case), whatever the number of points. Building is O(n)
 * time; memory is about 0.6 + log2(n/2048)/128 bytes per point (0.7 at
 * 10^7), up to about twice that when the values include NaN/Inf, values
 * <= 0 or monotone stretches. Counts are 32-bit: up to 4 * 10^9 points.
 * Building a large series uses a second thread for a few milliseconds.
 *
 * x is any array that is non-decreasing within each segment: logged steps
 * (int64) or wall times (double). The series is split into segments where
 * x goes back (a resumed run: each segment is drawn on its own, never with
 * a line going backwards); a non-finite x (a wall time that was not logged)
 * ends a segment and that point is left out of every query.
 *
 * Non-finite values are never dropped silently: they are excluded from
 * min/max but counted per column (NaN, +Inf, -Inf), and so are finite
 * values <= 0, which a log-scaled y axis cannot place.
 *
 * A TsLod borrows its x and y arrays: they must stay alive and unchanged
 * until ts_lod_free(). */
#ifndef TRAJSCOPE_LOD_H
#define TRAJSCOPE_LOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/series.h"

typedef struct TsLod TsLod;

/* Summary of the points of one segment that fall in one x range. */
typedef struct TsLodCol {
    size_t lo, hi;       /* the points are indices [lo, hi) (lo == hi: none) */
    double min, max;     /* over finite values; NaN when there are none */
    double min_pos;      /* smallest finite value > 0; NaN when none */
    size_t n_finite;     /* finite values */
    size_t n_nonpos;     /* finite values <= 0 (gaps on a log y axis) */
    size_t n_nan, n_posinf, n_neginf;
    double first, last;  /* y[lo] and y[hi-1] as logged; NaN when empty */
    double x_first, x_last; /* x[lo] and x[hi-1]; NaN when empty */
} TsLodCol;

/* Builds over n points with int64 x (logged steps). Borrows x and y. */
TsLod *ts_lod_new_steps(const int64_t *x, const double *y, size_t n);
/* Builds over n points with double x (wall times, or any other
 * non-decreasing-within-segments axis). Borrows x and y. */
TsLod *ts_lod_new(const double *x, const double *y, size_t n);
/* Builds over a series: x = its steps, or its wall times when wall_x (NULL
 * when the series has no wall times); y = values, or s->value when NULL
 * (pass a smoothed array of s->n values to plot a smoothed curve). Borrows
 * the series' arrays and values. */
TsLod *ts_lod_new_series(const TsSeries *s, const double *values, bool wall_x);
void ts_lod_free(TsLod *lod);

/* Number of points (including any with non-finite x). */
size_t ts_lod_size(const TsLod *lod);
/* Points left out because their x was not finite. */
size_t ts_lod_skipped(const TsLod *lod);
/* x and y of point i (i < ts_lod_size). */
double ts_lod_x(const TsLod *lod, size_t i);
double ts_lod_y(const TsLod *lod, size_t i);

/* Segments: maximal index ranges [start, end) in which x never decreases. */
size_t ts_lod_segment_count(const TsLod *lod);
/* Index range [*start, *end) of segment k. */
void ts_lod_segment(const TsLod *lod, size_t k, size_t *start, size_t *end);
/* True when segment k (k > 0) starts at an x below the previous segment's
 * last x: a seam where a resumed run went back. */
bool ts_lod_is_seam(const TsLod *lod, size_t k);

/* First index in segment k whose x >= x (the segment's end when none). */
size_t ts_lod_lower_bound(const TsLod *lod, size_t k, double x);
/* First index in segment k whose x > x (the segment's end when none). */
size_t ts_lod_upper_bound(const TsLod *lod, size_t k, double x);

/* Summary of points [lo, hi) (any range inside one segment, or any range
 * at all when the caller wants raw index statistics). O(1). */
void ts_lod_query_index(const TsLod *lod, size_t lo, size_t hi, TsLodCol *out);
/* Summary of the points of segment k with x0 <= x <= x1. */
void ts_lod_query(const TsLod *lod, size_t k, double x0, double x1, TsLodCol *out);
/* Summary of every point with a finite x (all segments). */
void ts_lod_totals(const TsLod *lod, TsLodCol *out);

/* Per-column summaries of segment k for ncols columns whose x edges are
 * edges[0..ncols] (non-decreasing): column c holds the points with
 * edges[c] <= x < edges[c+1], the last column also those at x ==
 * edges[ncols]. Cost O(ncols * log n). */
void ts_lod_columns(const TsLod *lod, size_t k, const double *edges, size_t ncols, TsLodCol *out);

#endif
