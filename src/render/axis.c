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

/* How the labels of a tick set are made, so that tick values can be
 * chosen first and labelled later (ts_axis_fit labels only what it needs).
 * Every label is non-empty, so label[0] == '\0' marks "not made yet". */
typedef enum LabelKind { LABEL_TICK, LABEL_DURATION, LABEL_LOG } LabelKind;

typedef struct LabelPlan {
    LabelKind kind;
    double step, max_abs; /* LABEL_TICK: ts_fmt_tick(v, step, max_abs) */
    /* LABEL_DURATION: ts_fmt_duration(v - origin) of the axis */
    double shift;         /* LABEL_LOG: tick i shows u[i - with_zero] (u = v - shift) */
    bool with_zero;       /* LABEL_LOG: tick 0 is the origin, "0" / "0s" */
    int n_u;
    double u[TS_AXIS_MAX_TICKS];
} LabelPlan;

/* Labels of power-of-ten ticks: SI from 1000 up and below 0.01 ("1k",
 * "10m" would be "0.01"), plain between ("0.1", "1", "200"). */
static void log_label(char *label, double v) {
    double a = fabs(v);
    if (a >= 1000.0 || (a > 0 && a < 0.01)) ts_fmt_si(label, TS_AXIS_LABEL_MAX, v, 3);
    else ts_fmt_value(label, TS_AXIS_LABEL_MAX, v, 3);
}

/* Makes the label of tick i (once). */
static void label_tick(const TsAxis *a, const LabelPlan *p, TsTicks *t, int i) {
    TsTick *k = &t->tick[i];
    if (k->label[0]) return;
    switch (p->kind) {
    case LABEL_TICK: ts_fmt_tick(k->label, TS_AXIS_LABEL_MAX, k->v, p->step, p->max_abs); break;
    case LABEL_DURATION: ts_fmt_duration(k->label, TS_AXIS_LABEL_MAX, k->v - a->origin); break;
    case LABEL_LOG:
    default:
        if (p->with_zero && i == 0) strcpy(k->label, a->format == TS_AXIS_DURATION ? "0s" : "0");
        else if (a->format == TS_AXIS_DURATION) ts_fmt_duration(k->label, TS_AXIS_LABEL_MAX, p->u[i - p->with_zero]);
        else log_label(k->label, p->u[i - p->with_zero] + p->shift);
        break;
    }
}

static void label_all(const TsAxis *a, const LabelPlan *p, TsTicks *t) {
    for (int i = 0; i < t->n; i++) label_tick(a, p, t, i);
}

/* Linear tick values at base + k * step; labels planned. */
static int linear_ticks(const TsAxis *a, double lo, double hi, int max_ticks, TsTicks *out, LabelPlan *plan) {
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
        for (int k = 0; k < (int)count; k++) set_tick(out, a->origin + (k0 + k) * step);
        plan->kind = LABEL_DURATION;
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
    plan->kind = LABEL_TICK;
    plan->step = step;
    plan->max_abs = max_abs;
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

/* Log tick values of u = v - shift for u in [ulo, uhi], ulo > 0; labels
 * planned. -1 when no log tick set fits in max_ticks. */
static int log_ticks(double ulo, double uhi, double shift, int max_ticks, bool with_zero, TsTicks *out,
                     LabelPlan *plan) {
    double *vals = plan->u;
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
    if (with_zero) set_tick(out, shift);
    for (int i = 0; i < n; i++) set_tick(out, vals[i] + shift);
    plan->kind = LABEL_LOG;
    plan->shift = shift;
    plan->with_zero = with_zero;
    plan->n_u = n;
    return out->n;
}

/* Tick values for at most max_ticks (<= TS_AXIS_MAX_TICKS) ticks, labels
 * not made yet (see label_tick). */
static int tick_values(const TsAxis *a, int max_ticks, TsTicks *out, LabelPlan *plan) {
    out->n = 0;
    plan->kind = LABEL_TICK;
    plan->step = plan->max_abs = plan->shift = 0.0;
    plan->with_zero = false;
    plan->n_u = 0;
    if (max_ticks < 1) return 0;
    double lo = a->lo, hi = a->hi;
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi)) return 0;
    if (a->scale == TS_SCALE_LOG && lo > 0) {
        int n = log_ticks(lo, hi, 0.0, max_ticks, false, out, plan);
        if (n >= 0) return n;
    } else if (a->scale == TS_SCALE_LOG1P) {
        double ulo = lo - a->origin, uhi = hi - a->origin;
        bool zero = ulo <= 0 && uhi >= 0;
        double start = ulo > 0 ? ulo : 1.0;
        if (uhi >= start) {
            int n = log_ticks(start, uhi, a->origin, max_ticks, zero, out, plan);
            if (n >= 0 && (n >= 2 || !zero)) return n;
        }
    }
    return linear_ticks(a, lo, hi, max_ticks, out, plan);
}

int ts_axis_ticks(const TsAxis *a, int max_ticks, TsTicks *out) {
    if (max_ticks > TS_AXIS_MAX_TICKS) max_ticks = TS_AXIS_MAX_TICKS;
    LabelPlan plan;
    tick_values(a, max_ticks, out, &plan);
    label_all(a, &plan, out);
    return out->n;
}

int ts_axis_label_start(int pos, int label_width, int len) {
    int start = pos - (label_width - 1) / 2;
    if (start + label_width > len) start = len - label_width;
    if (start < 0) start = 0;
    return start;
}

/* Whether the tick set fits; horizontal labels are made as they are
 * checked (a set that fails early is not labelled in full), vertical
 * ones are not needed. */
static bool fits(const TsAxis *a, const LabelPlan *plan, int len, bool vertical, TsTicks *t) {
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
            label_tick(a, plan, t, i);
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

/* Whether two tick sets have the same values (bit for bit) and the same
 * way of labelling, hence the same labels. */
static bool same_set(const TsTicks *x, const LabelPlan *px, const TsTicks *y, const LabelPlan *py) {
    if (x->n != y->n || px->kind != py->kind) return false;
    for (int i = 0; i < x->n; i++)
        if (memcmp(&x->tick[i].v, &y->tick[i].v, sizeof x->tick[i].v) != 0) return false;
    switch (px->kind) {
    case LABEL_TICK:
        return memcmp(&px->step, &py->step, sizeof px->step) == 0 &&
               memcmp(&px->max_abs, &py->max_abs, sizeof px->max_abs) == 0;
    case LABEL_DURATION: return true;
    case LABEL_LOG:
    default:
        return px->with_zero == py->with_zero && px->n_u == py->n_u &&
               memcmp(&px->shift, &py->shift, sizeof px->shift) == 0 &&
               memcmp(px->u, py->u, (size_t)px->n_u * sizeof px->u[0]) == 0;
    }
}

/* Tries tick counts from the largest that could fit downwards and keeps
 * the first set that fits (fit_uncached; ts_axis_fit remembers recent
 * answers). Work saved without changing the answer: a set
 * equal to the one just rejected is not checked again, labels of the set
 * sized for the width estimate are reused when a try picks the same set,
 * and labels are made only as far as a try gets (all of them for the set
 * returned). */
static int fit_uncached(const TsAxis *a, int len, bool vertical, TsTicks *out) {
    out->n = 0;
    if (len <= 0) return 0;
    int m = vertical ? (len + 1) / 2 : len / 4;
    if (m > TS_AXIS_MAX_TICKS) m = TS_AXIS_MAX_TICKS;
    if (m < 1) m = 1;
    LabelPlan plan;
    static const LabelPlan no_plan;
    TsTicks est;
    LabelPlan est_plan = no_plan;
    est.n = -1;
    if (!vertical) {
        /* Start near the count whose labels could fit, not at len / 4. */
        tick_values(a, m, &est, &est_plan);
        label_all(a, &est_plan, &est);
        int widest = 1;
        for (int i = 0; i < est.n; i++) {
            int w = (int)strlen(est.tick[i].label);
            if (w > widest) widest = w;
        }
        int e = len / (widest + 2) + 1;
        if (e < m) m = e;
    }
    /* the last rejected set (values only) */
    TsTicks *rej = NULL;
    LabelPlan rej_plan = no_plan;
    TsTicks rej_buf;
    for (; m >= 1; m--) {
        tick_values(a, m, out, &plan);
        if (out->n <= 0) continue;
        if (rej && same_set(out, &plan, rej, &rej_plan)) continue;
        if (est.n > 0 && same_set(out, &plan, &est, &est_plan))
            for (int i = 0; i < out->n; i++) memcpy(out->tick[i].label, est.tick[i].label, sizeof est.tick[i].label);
        if (fits(a, &plan, len, vertical, out)) {
            label_all(a, &plan, out);
            return out->n;
        }
        rej_buf.n = out->n;
        for (int i = 0; i < out->n; i++) rej_buf.tick[i].v = out->tick[i].v;
        rej = &rej_buf;
        rej_plan = plan;
    }
    out->n = 0;
    return 0;
}

/* A frame lays out each panel more than once (layout, alignment, drawing)
 * and stacked panels share their x axis, so the same fit is asked for
 * several times in a row. The answer depends only on the axis fields,
 * len and the orientation: recent answers are kept per thread (no
 * locking) and copied out when all of those match bit for bit. */
enum { FIT_CACHE = 8 };

typedef struct FitEntry {
    bool used;
    TsScale scale;
    TsAxisFormat format;
    double lo, hi, origin;
    int len;
    bool vertical;
    TsTicks ticks;
} FitEntry;

static _Thread_local FitEntry fit_cache[FIT_CACHE];
static _Thread_local unsigned fit_next;

static bool same_double(double x, double y) { return memcmp(&x, &y, sizeof x) == 0; }

static bool fit_matches(const FitEntry *e, const TsAxis *a, int len, bool vertical) {
    return e->used && e->len == len && e->vertical == vertical && e->scale == a->scale && e->format == a->format &&
           same_double(e->lo, a->lo) && same_double(e->hi, a->hi) && same_double(e->origin, a->origin);
}

static void copy_ticks(TsTicks *dst, const TsTicks *src) {
    dst->n = src->n;
    if (src->n > 0) memcpy(dst->tick, src->tick, (size_t)src->n * sizeof src->tick[0]);
}

int ts_axis_fit(const TsAxis *a, int len, bool vertical, TsTicks *out) {
    for (int i = 0; i < FIT_CACHE; i++) {
        if (fit_matches(&fit_cache[i], a, len, vertical)) {
            copy_ticks(out, &fit_cache[i].ticks);
            return out->n;
        }
    }
    int n = fit_uncached(a, len, vertical, out);
    FitEntry *e = &fit_cache[fit_next++ % FIT_CACHE];
    e->used = true;
    e->scale = a->scale;
    e->format = a->format;
    e->lo = a->lo;
    e->hi = a->hi;
    e->origin = a->origin;
    e->len = len;
    e->vertical = vertical;
    copy_ticks(&e->ticks, out);
    return n;
}
