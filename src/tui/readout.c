/* readout.c - the logged point nearest to the time cursor, and its text.
 * Layer: tui (pure, no curses). License: MIT. */
#include "tui/readout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ts_readout_nearest(const TsLod *lod, double x, size_t *index) {
    if (isnan(x)) return false;
    size_t nseg = ts_lod_segment_count(lod);
    bool found = false;
    double best = INFINITY;
    size_t best_i = 0;
    for (size_t k = 0; k < nseg; k++) {
        size_t start, end;
        ts_lod_segment(lod, k, &start, &end);
        if (start >= end) continue;
        size_t i = ts_lod_lower_bound(lod, k, x);
        /* Best of this segment: the earlier candidate wins a tie. */
        size_t seg_i = i < end ? i : i - 1;
        double seg_d = fabs(ts_lod_x(lod, seg_i) - x);
        if (i > start && i < end) {
            double d = fabs(ts_lod_x(lod, i - 1) - x);
            if (d <= seg_d) {
                seg_d = d;
                seg_i = i - 1;
            }
        }
        /* A later segment wins a tie with an earlier one. */
        if (!found || seg_d <= best) {
            best = seg_d;
            best_i = seg_i;
            found = true;
        }
    }
    if (found) *index = best_i;
    return found;
}

bool ts_readout_step(const TsLod *lod, size_t index, int dir, size_t *out) {
    size_t n = ts_lod_size(lod);
    if (dir > 0) {
        for (size_t i = index + 1; i < n; i++) {
            if (isfinite(ts_lod_x(lod, i))) {
                *out = i;
                return true;
            }
        }
    } else if (dir < 0) {
        for (size_t i = index; i-- > 0;) {
            if (isfinite(ts_lod_x(lod, i))) {
                *out = i;
                return true;
            }
        }
    }
    return false;
}

bool ts_readout_first(const TsLod *lod, size_t *index) {
    size_t n = ts_lod_segment_count(lod);
    if (n == 0) return false;
    size_t start, end;
    ts_lod_segment(lod, 0, &start, &end);
    *index = start;
    return start < end;
}

bool ts_readout_last(const TsLod *lod, size_t *index) {
    size_t n = ts_lod_segment_count(lod);
    if (n == 0) return false;
    size_t start, end;
    ts_lod_segment(lod, n - 1, &start, &end);
    if (start >= end) return false;
    *index = end - 1;
    return true;
}

static bool same_value(const char *text, double v, bool as_float32) {
    double back = strtod(text, NULL);
    return as_float32 ? (float)back == (float)v : back == v;
}

void ts_readout_format(char *buf, size_t cap, double v, bool as_float32) {
    if (cap == 0) return;
    if (isnan(v)) {
        snprintf(buf, cap, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, cap, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    char tmp[48];
    int max_prec = as_float32 ? 9 : 17;
    for (int p = 1; p <= max_prec; p++) {
        snprintf(tmp, sizeof tmp, "%.*g", p, v);
        if (same_value(tmp, v, as_float32)) break;
    }
    /* Plain decimals read better than "1e+01" in the usual range. */
    double a = fabs(v);
    if (strchr(tmp, 'e') && a >= 1e-4 && a < 1e15) {
        char dec[48];
        for (int d = 0; d <= 19; d++) {
            snprintf(dec, sizeof dec, "%.*f", d, v);
            if (same_value(dec, v, as_float32)) {
                snprintf(tmp, sizeof tmp, "%s", dec);
                break;
            }
        }
    }
    snprintf(buf, cap, "%s", tmp);
}
