/* series.c - one metric's points in file order, statistics and segments.
 * Layer: core (pure). License: MIT. */
#include "trajscope/series.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "trajscope/xalloc.h"

void ts_series_init(TsSeries *s) {
    s->n = 0;
    s->step = NULL;
    s->value = NULL;
    s->wall_time = NULL;
}

/* Point arrays of 10^7 points are tens of MB: huge pages (ts_xmalloc_large). */
static void *alloc_points(size_t n, size_t size) { return ts_xmalloc_large(n, size, 0); }

void ts_series_alloc(TsSeries *s, size_t n, bool with_wall_time) {
    ts_series_free(s);
    s->n = n;
    s->step = alloc_points(n, sizeof *s->step);
    s->value = alloc_points(n, sizeof *s->value);
    s->wall_time = with_wall_time ? alloc_points(n, sizeof *s->wall_time) : NULL;
}

void ts_series_free(TsSeries *s) {
    free(s->step);
    free(s->value);
    free(s->wall_time);
    ts_series_init(s);
}

void ts_series_stats(const TsSeries *s, TsSeriesStats *st) {
    *st = (TsSeriesStats){0};
    st->vmin = st->vmax = st->last = st->last_finite = NAN;
    st->n = s->n;
    if (s->n == 0) return;
    st->step_first = st->step_min = st->step_max = s->step[0];
    st->step_last = s->step[s->n - 1];
    st->last = s->value[s->n - 1];
    for (size_t i = 0; i < s->n; i++) {
        int64_t step = s->step[i];
        double v = s->value[i];
        if (step < st->step_min) st->step_min = step;
        if (step > st->step_max) st->step_max = step;
        if (i > 0) {
            if (step < s->step[i - 1]) st->n_reversals++;
            else if (step == s->step[i - 1]) st->n_repeats++;
        }
        if (isfinite(v)) {
            if (st->n_finite == 0 || v < st->vmin) st->vmin = v;
            if (st->n_finite == 0 || v > st->vmax) st->vmax = v;
            st->n_finite++;
            st->last_finite = v;
            continue;
        }
        if (isnan(v)) st->n_nan++;
        else if (v > 0) st->n_posinf++;
        else st->n_neginf++;
        if (!st->has_nonfinite) {
            st->has_nonfinite = true;
            st->first_nonfinite_step = step;
            st->first_nonfinite_index = i;
        }
    }
}

size_t ts_series_segments(const TsSeries *s, size_t *starts, size_t cap) {
    if (s->n == 0) return 0;
    size_t count = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (i == 0 || s->step[i] < s->step[i - 1]) {
            if (starts && count < cap) starts[count] = i;
            count++;
        }
    }
    return count;
}

size_t ts_series_lower_bound(const TsSeries *s, size_t lo, size_t hi, double step) {
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)s->step[mid] < step) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

size_t ts_series_nearest_in_segment(const TsSeries *s, size_t lo, size_t hi, double step) {
    if (lo >= hi) return lo;
    size_t i = ts_series_lower_bound(s, lo, hi, step);
    if (i == hi) return hi - 1;
    if (i == lo) return lo;
    /* Candidates: the first point at or after `step`, and the last point of
     * the run of equal steps before it (the earliest logged at that step). */
    size_t before = i - 1;
    while (before > lo && s->step[before - 1] == s->step[before]) before--;
    double d_before = step - (double)s->step[before];
    double d_after = (double)s->step[i] - step;
    return d_before <= d_after ? before : i;
}
