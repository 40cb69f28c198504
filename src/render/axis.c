/* axis.c - axis scales, 1-2-5 tick selection and label fitting.
 * Layer: render (pure). License: MIT. */
#include "trajscope/axis.h"

#include <math.h>
#include <string.h>

#include "trajscope/fmt.h"

#define LN10 2.302585092994045684

double ts_axis_fwd(const TsAxis *a, double v) {
    switch (a->scale) {
    case TS_SCALE_LOG:
        return v > 0 ? log10(v) : NAN;
    case TS_SCALE_LOG1P: {
        double u = v - a->origin;
        return u > -1.0 ? log1p(u) / LN10 : NAN;
    }
    case TS_SCALE_LINEAR:
    default:
        return v;
    }
}

double ts_axis_inv(const TsAxis *a, double t) {
    switch (a->scale) {
    case TS_SCALE_LOG:
        return pow(10.0, t);
    case TS_SCALE_LOG1P:
        return a->origin + expm1(t * LN10);
    case TS_SCALE_LINEAR:
    default:
        return t;
    }
}

double ts_axis_frac(const TsAxis *a, double v) {
    double t0 = ts_axis_fwd(a, a->lo), t1 = ts_axis_fwd(a, a->hi), t = ts_axis_fwd(a, v);
    if (isnan(t) || isnan(t0) || isnan(t1)) return NAN;
    if (!(t1 > t0)) return 0.0;
    return (t - t0) / (t1 - t0);
}

double ts_axis_value(const TsAxis *a, double frac) {
    double t0 = ts_axis_fwd(a, a->lo), t1 = ts_axis_fwd(a, a->hi);
    if (frac <= 0.0) return frac == 0.0 ? a->lo : ts_axis_inv(a, t0 + (t1 - t0) * frac);
    if (frac >= 1.0) return frac == 1.0 ? a->hi : ts_axis_inv(a, t0 + (t1 - t0) * frac);
    return ts_axis_inv(a, t0 + (t1 - t0) * frac);
}

int ts_axis_cell(const TsAxis *a, double v, int len) {
    if (len <= 0) return -1;
    if (!(v >= a->lo && v <= a->hi)) return -1;
    double f = ts_axis_frac(a, v);
    if (isnan(f)) return -1;
    int c = (int)floor(f * len);
    if (c < 0) c = 0;
    if (c >= len) c = len - 1;
    return c;
}

double ts_axis_nice_step(double span, int target) {
    if (target < 1) target = 1;
    double raw = span / target;
    if (!(raw > 0) || !isfinite(raw)) return 1.0;
    double mag = pow(10.0, floor(log10(raw)));
    double norm = raw / mag;
    double nice = norm <= 1.0 + 1e-9 ? 1.0 : norm <= 2.0 + 1e-9 ? 2.0 : norm <= 5.0 + 1e-9 ? 5.0 : 10.0;
    return nice * mag;
}

/* The next larger 1-2-5 step. */
static double next_nice(double step) {
    double mag = pow(10.0, floor(log10(step) + 1e-9));
    double norm = step / mag;
    if (norm < 1.5) return 2.0 * mag;
    if (norm < 3.5) return 5.0 * mag;
    return 10.0 * mag;
}

/* Multiples of step (offset by base) within [lo, hi]: first index and count. */
static double multiples(double lo, double hi, double base, double step, double *k0) {
    double a = ceil((lo - base) / step - 1e-9);
    double b = floor((hi - base) / step + 1e-9);
    *k0 = a;
    return b >= a ? b - a + 1 : 0;
}

static void set_tick(TsTicks *out, double v) {
    if (out->n >= TS_AXIS_MAX_TICKS) return;
    TsTick *t = &out->tick[out->n++];
    t->v = v;
    t->pos = 0;
    t->label[0] = '\0';
}

/* Linear ticks at base + k * step, with labels. */
static int linear_ticks(const TsAxis *a, double lo, double hi, int max_ticks, TsTicks *out) {
    double span = hi - lo;
    if (!(span > 0) || !isfinite(span)) return 0;
    double step, k0, count;
    if (a->format == TS_AXIS_DURATION) {
        static const double clock[] = {1,    2,    5,     10,    15,    30,    60,    120,
                                       300,  600,  900,   1800,  3600,  7200,  10800, 21600,
                                       43200, 86400, 172800, 604800};
        size_t nclock = sizeof clock / sizeof clock[0];
        step = ts_axis_nice_step(span, max_ticks);
        if (step >= 1.0) {
            size_t i = 0;
            while (i < nclock && clock[i] < span / max_ticks - 1e-9) i++;
            step = i < nclock ? clock[i] : 86400.0 * ts_axis_nice_step(span / 86400.0, max_ticks);
        }
        for (;;) {
            count = multiples(lo, hi, a->origin, step, &k0);
            if (count <= max_ticks) break;
            size_t i = 0;
            while (i < nclock && clock[i] <= step) i++;
            step = step < 1.0 ? next_nice(step) : i < nclock ? clock[i] : 86400.0 * next_nice(step / 86400.0);
        }
        out->n = 0;
        for (int k = 0; k < (int)count; k++) {
            double v = a->origin + (k0 + k) * step;
            set_tick(out, v);
            ts_fmt_duration(out->tick[out->n - 1].label, TS_AXIS_LABEL_MAX, v - a->origin);
        }
        return out->n;
    }
    step = ts_axis_nice_step(span, max_ticks);
    for (;;) {
        count = multiples(lo, hi, 0.0, step, &k0);
        if (count <= max_ticks) break;
        step = next_nice(step);
    }
    out->n = 0;
    for (int k = 0; k < (int)count; k++) {
        double v = (k0 + k) * step;
        if (fabs(v) < step * 1e-9) v = 0.0;
        set_tick(out, v);
    }
    double max_abs = 0.0;
    for (int i = 0; i < out->n; i++)
        if (fabs(out->tick[i].v) > max_abs) max_abs = fabs(out->tick[i].v);
    for (int i = 0; i < out->n; i++)
        ts_fmt_tick(out->tick[i].label, TS_AXIS_LABEL_MAX, out->tick[i].v, step, max_abs);
    return out->n;
}

/* Power-of-ten ticks of u in [lo, hi] (lo > 0): mults {1,2,5} when dense,
 * else {1} every stride decades. Writes values; returns the count. */
static int log_values(double lo, double hi, bool dense, int stride, double *vals, int cap) {
    int dlo = (int)floor(log10(lo) + 1e-9), dhi = (int)floor(log10(hi) + 1e-9);
    int n = 0;
    static const double mults[] = {1, 2, 5};
    for (int d = dlo; d <= dhi; d++) {
        if (!dense && ((d % stride) + stride) % stride != 0) continue;
        for (int m = 0; m < (dense ? 3 : 1); m++) {
            double v = mults[m] * pow(10.0, d);
            if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
            if (n < cap) vals[n] = v;
            n++;
        }
    }
    return n;
}

/* Labels of power-of-ten ticks: SI from 1000 up and below 0.01 ("1k",
 * "10m" would be "0.01"), plain between ("0.1", "1", "200"). */
static void log_label(char *label, double v) {
    double a = fabs(v);
    if (a >= 1000.0 || (a > 0 && a < 0.01)) ts_fmt_si(label, TS_AXIS_LABEL_MAX, v, 3);
    else ts_fmt_value(label, TS_AXIS_LABEL_MAX, v, 3);
}

/* Log ticks of u = v - shift for u in [ulo, uhi], ulo > 0. */
static int log_ticks(const TsAxis *a, double ulo, double uhi, double shift, int max_ticks, bool with_zero,
                     TsTicks *out) {
    double vals[TS_AXIS_MAX_TICKS];
    int room = max_ticks - (with_zero ? 1 : 0);
    int ndec = (int)floor(log10(uhi) + 1e-9) - (int)ceil(log10(ulo) - 1e-9) + 1;
    int n = -1;
    if (room >= 1) {
        if (ndec <= 2) {
            int c = log_values(ulo, uhi, true, 1, vals, TS_AXIS_MAX_TICKS);
            if (c >= 2 && c <= room) n = c;
        }
        if (n < 0 && ndec >= 2) {
            static const int strides[] = {1, 2, 3, 4, 5, 10, 20, 50, 100};
            for (size_t s = 0; s < sizeof strides / sizeof strides[0]; s++) {
                int c = log_values(ulo, uhi, false, strides[s], vals, TS_AXIS_MAX_TICKS);
                if (c <= room) {
                    n = c;
                    break;
                }
            }
        }
    }
    if (n < 0) return -1; /* caller falls back to linear ticks */
    out->n = 0;
    if (with_zero) {
        set_tick(out, shift);
        strcpy(out->tick[0].label, a->format == TS_AXIS_DURATION ? "0s" : "0");
    }
    for (int i = 0; i < n; i++) {
        set_tick(out, vals[i] + shift);
        char *label = out->tick[out->n - 1].label;
        if (a->format == TS_AXIS_DURATION) ts_fmt_duration(label, TS_AXIS_LABEL_MAX, vals[i]);
        else log_label(label, vals[i] + shift);
    }
    return out->n;
}

int ts_axis_ticks(const TsAxis *a, int max_ticks, TsTicks *out) {
    out->n = 0;
    if (max_ticks > TS_AXIS_MAX_TICKS) max_ticks = TS_AXIS_MAX_TICKS;
    if (max_ticks < 1) return 0;
    double lo = a->lo, hi = a->hi;
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi)) return 0;
    if (a->scale == TS_SCALE_LOG && lo > 0) {
        int n = log_ticks(a, lo, hi, 0.0, max_ticks, false, out);
        if (n >= 0) return n;
    } else if (a->scale == TS_SCALE_LOG1P) {
        double ulo = lo - a->origin, uhi = hi - a->origin;
        bool zero = ulo <= 0 && uhi >= 0;
        double start = ulo > 0 ? ulo : 1.0;
        if (uhi >= start) {
            int n = log_ticks(a, start, uhi, a->origin, max_ticks, zero, out);
            if (n >= 0 && (n >= 2 || !zero)) return n;
        }
    }
    return linear_ticks(a, lo, hi, max_ticks, out);
}

int ts_axis_label_start(int pos, int label_width, int len) {
    int start = pos - (label_width - 1) / 2;
    if (start + label_width > len) start = len - label_width;
    if (start < 0) start = 0;
    return start;
}

static bool fits(const TsAxis *a, int len, bool vertical, TsTicks *t) {
    int prev_end = -1000000, prev_pos = -1000000;
    int min_gap = len >= 5 ? 2 : 1;
    for (int i = 0; i < t->n; i++) {
        int pos = ts_axis_cell(a, t->tick[i].v, len);
        if (pos < 0) return false;
        t->tick[i].pos = pos;
        if (vertical) {
            if (pos - prev_pos < min_gap) return false;
            prev_pos = pos;
        } else {
            int w = (int)strlen(t->tick[i].label);
            if (w > len) return false;
            int start = ts_axis_label_start(pos, w, len);
            if (start < prev_end + 2 || pos <= prev_pos) return false;
            prev_end = start + w;
            prev_pos = pos;
        }
    }
    return true;
}

int ts_axis_fit(const TsAxis *a, int len, bool vertical, TsTicks *out) {
    out->n = 0;
    if (len <= 0) return 0;
    int m = vertical ? (len + 1) / 2 : len / 4;
    if (m > TS_AXIS_MAX_TICKS) m = TS_AXIS_MAX_TICKS;
    if (m < 1) m = 1;
    if (!vertical) {
        /* Start near the count whose labels could fit, not at len / 4:
         * each try formats every label. */
        ts_axis_ticks(a, m, out);
        int widest = 1;
        for (int i = 0; i < out->n; i++) {
            int w = (int)strlen(out->tick[i].label);
            if (w > widest) widest = w;
        }
        int est = len / (widest + 2) + 1;
        if (est < m) m = est;
    }
    for (; m >= 1; m--) {
        ts_axis_ticks(a, m, out);
        if (out->n > 0 && fits(a, len, vertical, out)) return out->n;
    }
    out->n = 0;
    return 0;
}
