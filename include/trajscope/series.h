/* series.h - one metric's points, in file order, with their statistics.
 * Layer: core (pure, no I/O). License: MIT.
 *
 * A series keeps every logged point in the order it was written. Steps may
 * repeat or go back (a resumed run); values may be NaN or +-Inf (a diverged
 * run). Nothing is dropped or reordered here: the renderer splits the series
 * at its seams (where the step goes back) and marks non-finite points. */
#ifndef TRAJSCOPE_SERIES_H
#define TRAJSCOPE_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct TsSeries {
    size_t n;
    int64_t *step;     /* logged step of each point (file order) */
    double *value;     /* as logged: NaN and +-Inf kept */
    double *wall_time; /* seconds since the epoch, or NULL when not logged */
} TsSeries;

/* An empty series (n = 0, all pointers NULL). */
void ts_series_init(TsSeries *s);
/* Allocates room for n points (step and value; wall_time when asked).
 * Any previous contents are freed. */
void ts_series_alloc(TsSeries *s, size_t n, bool with_wall_time);
/* Frees the arrays and leaves an empty series. */
void ts_series_free(TsSeries *s);

typedef struct TsSeriesStats {
    size_t n;            /* points */
    size_t n_finite;
    size_t n_nan;
    size_t n_posinf;
    size_t n_neginf;
    size_t n_reversals;  /* places where step[i] < step[i-1] (seams) */
    size_t n_repeats;    /* places where step[i] == step[i-1] */
    int64_t step_first, step_last, step_min, step_max; /* 0 when n == 0 */
    double vmin, vmax;   /* over finite values; NaN when there are none */
    double last;         /* last logged value (may be non-finite); NaN if n == 0 */
    double last_finite;  /* last finite value; NaN when there is none */
    bool has_nonfinite;
    int64_t first_nonfinite_step; /* valid when has_nonfinite */
    size_t first_nonfinite_index;
} TsSeriesStats;

void ts_series_stats(const TsSeries *s, TsSeriesStats *out);

/* Monotone segments: maximal index ranges [start, end) in which the step
 * never decreases. A run with k seams has k + 1 segments. Writes up to cap
 * start indices into starts (may be NULL) and returns the number of
 * segments (0 for an empty series). Segment j ends where segment j+1 starts,
 * the last one at s->n. */
size_t ts_series_segments(const TsSeries *s, size_t *starts, size_t cap);

/* Index of the point whose step is nearest to `step` within [lo, hi) of a
 * segment whose steps are non-decreasing; ties go to the earlier point.
 * Returns lo when lo == hi. */
size_t ts_series_nearest_in_segment(const TsSeries *s, size_t lo, size_t hi, double step);

/* First index in [lo, hi) whose step is >= step (hi when none), for a
 * non-decreasing segment. */
size_t ts_series_lower_bound(const TsSeries *s, size_t lo, size_t hi, double step);

#endif
