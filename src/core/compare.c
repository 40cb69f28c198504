/* compare.c - group statistics on a common grid, x alignment and sparklines.
 * Layer: core (pure; GSL for linear interpolation and the statistics).
 * License: MIT. */
#include "trajscope/compare.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_interp.h>
#include <gsl/gsl_statistics_double.h>

#include "trajscope/natcmp.h"
#include "trajscope/sanitize.h"
#include "trajscope/xalloc.h"

enum { DEFAULT_GRID_POINTS = 256 };

/* True when the name has `word` as a whole word: bounded by the ends or by
 * characters that are not ASCII letters or digits ("eval/wer", "fid_10k"). */
static bool has_word_ci(const char *name, const char *word) {
    size_t n = strlen(word);
    for (const char *p = name; *p; p++) {
        if (p > name && isalnum((unsigned char)p[-1])) continue;
        size_t k = 0;
        while (k < n && p[k] && tolower((unsigned char)p[k]) == word[k]) k++;
        if (k == n && !isalnum((unsigned char)p[n])) return true;
    }
    return false;
}

bool ts_compare_lower_is_better(const char *metric_name) {
    /* anywhere in the name */
    static const char *const part[] = {"loss", "err", "perplexity", "ppl", "regret"};
    /* whole words only: short abbreviations that occur inside other words */
    static const char *const word[] = {"wer", "cer", "ter", "mse", "rmse", "mae", "mape", "nll",
                                       "fid", "kid", "lpips", "kl", "bpc", "bpd", "bpb"};
    if (!metric_name) return false;
    for (size_t i = 0; i < sizeof part / sizeof part[0]; i++)
        if (ts_contains_fold(metric_name, part[i])) return true;
    for (size_t i = 0; i < sizeof word / sizeof word[0]; i++)
        if (has_word_ci(metric_name, word[i])) return true;
    return false;
}

/* ---- names ---- */

static const char *const grid_names[TS_GRID_COUNT] = {"union", "linear", "log"};
static const char *const align_names[TS_ALIGN_COUNT] = {"step", "wall", "tokens", "change", "mark"};

const char *ts_compare_grid_name(TsGridKind g) {
    return (unsigned)g < TS_GRID_COUNT ? grid_names[g] : NULL;
}

TsGridKind ts_compare_grid_from_name(const char *name) {
    for (int i = 0; name && i < TS_GRID_COUNT; i++)
        if (strcmp(name, grid_names[i]) == 0) return (TsGridKind)i;
    return TS_GRID_COUNT;
}

const char *ts_compare_align_name(TsAlignBy a) {
    return (unsigned)a < TS_ALIGN_COUNT ? align_names[a] : NULL;
}

TsAlignBy ts_compare_align_from_name(const char *name) {
    for (int i = 0; name && i < TS_ALIGN_COUNT; i++)
        if (strcmp(name, align_names[i]) == 0) return (TsAlignBy)i;
    return TS_ALIGN_COUNT;
}

/* ---- group statistics ---- */

void ts_compare_group_options_default(TsGroupOptions *o) {
    memset(o, 0, sizeof *o);
    o->grid = TS_GRID_UNION;
}

/* A curve's effective finite points, strictly increasing in x. */
typedef struct Clean {
    double *x, *y;
    size_t n;
    gsl_interp *interp;  /* n >= 2 */
    gsl_interp_accel *acc;
} Clean;

/* Purge rule (a point is superseded by any later point with x <= its x),
 * then non-finite values dropped. O(n). */
static void clean_curve(const TsCurve *c, Clean *out, size_t *n_superseded, size_t *n_nonfinite) {
    memset(out, 0, sizeof *out);
    size_t n = c->x && c->y ? c->n : 0;
    out->x = ts_xmalloc((n ? n : 1) * sizeof *out->x);
    out->y = ts_xmalloc((n ? n : 1) * sizeof *out->y);
    double later_min = INFINITY;
    size_t k = 0;
    for (size_t i = n; i-- > 0;) {
        double x = c->x[i], y = c->y[i];
        if (!isfinite(x)) {
            (*n_nonfinite)++;
            continue;
        }
        if (x >= later_min) {
            (*n_superseded)++;
            continue;
        }
        later_min = x;
        if (!isfinite(y)) {
            (*n_nonfinite)++;
            continue;
        }
        out->x[k] = x;
        out->y[k] = y;
        k++;
    }
    /* collected backwards */
    for (size_t i = 0; i < k / 2; i++) {
        double t = out->x[i];
        out->x[i] = out->x[k - 1 - i];
        out->x[k - 1 - i] = t;
        t = out->y[i];
        out->y[i] = out->y[k - 1 - i];
        out->y[k - 1 - i] = t;
    }
    out->n = k;
}

static void clean_free(Clean *c) {
    if (c->interp) gsl_interp_free(c->interp);
    if (c->acc) gsl_interp_accel_free(c->acc);
    free(c->x);
    free(c->y);
    memset(c, 0, sizeof *c);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorted distinct x of every clean curve inside [lo, hi]. */
static size_t union_grid(const Clean *cl, size_t k, double lo, double hi, double **grid) {
    size_t total = 0;
    for (size_t r = 0; r < k; r++) total += cl[r].n;
    double *g = ts_xmalloc((total ? total : 1) * sizeof *g);
    size_t m = 0;
    for (size_t r = 0; r < k; r++)
        for (size_t i = 0; i < cl[r].n; i++)
            if (cl[r].x[i] >= lo && cl[r].x[i] <= hi) g[m++] = cl[r].x[i];
    qsort(g, m, sizeof *g, cmp_double);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || g[i] != g[u - 1]) g[u++] = g[i];
    *grid = g;
    return u;
}

/* points evenly spaced in x (log_space false) or in log(x + 1), ends exact. */
static size_t even_grid(double lo, double hi, size_t points, bool log_space, double **grid) {
    size_t m = lo == hi ? 1 : points < 2 ? 2 : points;
    double *g = ts_xmalloc(m * sizeof *g);
    double u0 = log_space ? log1p(lo) : lo, u1 = log_space ? log1p(hi) : hi;
    for (size_t i = 0; i < m; i++) {
        double t = m > 1 ? (double)i / (double)(m - 1) : 0.0;
        double u = u0 + (u1 - u0) * t;
        double x = log_space ? expm1(u) : u;
        if (x < lo) x = lo;
        if (x > hi) x = hi;
        g[i] = x;
    }
    g[0] = lo;
    g[m - 1] = hi;
    /* rounding can repeat a value on a tiny span: keep them distinct */
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || g[i] > g[u - 1]) g[u++] = g[i];
    *grid = g;
    return u;
}

/* Value of clean curve c at x, or false when x is outside its range.
 * *interp is set when the value was interpolated. */
static bool curve_at(Clean *c, double x, double *v, bool *interp) {
    if (c->n == 0 || x < c->x[0] || x > c->x[c->n - 1]) return false;
    if (c->n == 1) {
        *v = c->y[0];
        return true;
    }
    size_t i = gsl_interp_accel_find(c->acc, c->x, c->n, x);
    if (c->x[i] == x) {
        *v = c->y[i];
    } else if (i + 1 < c->n && c->x[i + 1] == x) {
        *v = c->y[i + 1];
    } else {
        *v = gsl_interp_eval(c->interp, c->x, c->y, x, c->acc);
        *interp = true;
    }
    return true;
}

void ts_compare_group_stats_free(TsGroupStats *st) {
    if (!st) return;
    free(st->x);
    free(st->mean);
    free(st->median);
    free(st->min);
    free(st->max);
    free(st->std);
    free(st->count);
    memset(st, 0, sizeof *st);
}

bool ts_compare_group_stats(const TsCurve *curves, size_t k, const TsGroupOptions *o,
                            TsGroupStats *out, TsErr *err) {
    memset(out, 0, sizeof *out);
    out->lo = out->hi = NAN;
    out->n_runs = k;
    TsGroupOptions def;
    if (!o) {
        ts_compare_group_options_default(&def);
        o = &def;
    }
    if ((unsigned)o->grid >= TS_GRID_COUNT) {
        ts_err_set(err, "group statistics: unknown grid kind %d", (int)o->grid);
        return false;
    }
    Clean *cl = ts_xcalloc(k ? k : 1, sizeof *cl);
    double lo = NAN, hi = NAN;
    for (size_t r = 0; r < k; r++) {
        clean_curve(&curves[r], &cl[r], &out->n_superseded, &out->n_nonfinite);
        if (cl[r].n == 0) continue;
        out->n_runs_used++;
        double a = cl[r].x[0], b = cl[r].x[cl[r].n - 1];
        if (isnan(lo)) {
            lo = a;
            hi = b;
        } else if (o->span_union) {
            lo = fmin(lo, a);
            hi = fmax(hi, b);
        } else {
            lo = fmax(lo, a);
            hi = fmin(hi, b);
        }
    }
    bool ok = true;
    if (out->n_runs_used == 0) {
        ok = false;
        ts_err_set(err, "group statistics: no run has a finite point");
    } else if (lo > hi) {
        ok = false;
        ts_err_set(err, "group statistics: the runs' x ranges do not overlap (latest start %.6g, "
                        "earliest end %.6g)", lo, hi);
    } else if (o->grid == TS_GRID_LOG && !(lo > -1.0)) {
        ok = false;
        ts_err_set(err, "group statistics: a log(x + 1) grid needs x > -1, the span starts at %.6g", lo);
    }
    double *grid = NULL;
    size_t g = 0;
    if (ok) {
        size_t pts = o->points ? o->points : DEFAULT_GRID_POINTS;
        if (o->grid == TS_GRID_UNION) g = union_grid(cl, k, lo, hi, &grid);
        else g = even_grid(lo, hi, pts, o->grid == TS_GRID_LOG, &grid);
        for (size_t r = 0; r < k; r++) {
            if (cl[r].n < 2) continue;
            cl[r].interp = gsl_interp_alloc(gsl_interp_linear, cl[r].n);
            cl[r].acc = gsl_interp_accel_alloc();
            gsl_interp_init(cl[r].interp, cl[r].x, cl[r].y, cl[r].n);
        }
        out->lo = lo;
        out->hi = hi;
        out->n = g;
        out->x = grid;
        out->mean = ts_xmalloc(g * sizeof *out->mean);
        out->median = ts_xmalloc(g * sizeof *out->median);
        out->min = ts_xmalloc(g * sizeof *out->min);
        out->max = ts_xmalloc(g * sizeof *out->max);
        out->std = ts_xmalloc(g * sizeof *out->std);
        out->count = ts_xmalloc(g * sizeof *out->count);
        double *vals = ts_xmalloc(k * sizeof *vals);
        for (size_t i = 0; i < g; i++) {
            size_t m = 0;
            for (size_t r = 0; r < k; r++) {
                double v;
                if (curve_at(&cl[r], grid[i], &v, &out->interpolated)) vals[m++] = v;
            }
            out->count[i] = m;
            if (m == 0) {
                out->mean[i] = out->median[i] = out->min[i] = out->max[i] = out->std[i] = NAN;
                continue;
            }
            double mean = gsl_stats_mean(vals, 1, m);
            out->mean[i] = mean;
            out->std[i] = m >= 2 ? gsl_stats_sd_m(vals, 1, m, mean) : NAN;
            gsl_stats_minmax(&out->min[i], &out->max[i], vals, 1, m);
            out->median[i] = gsl_stats_median(vals, 1, m); /* reorders vals */
        }
        free(vals);
    }
    for (size_t r = 0; r < k; r++) clean_free(&cl[r]);
    free(cl);
    return ok;
}

/* ---- alignment ---- */

void ts_compare_align_options_default(TsAlignOptions *o) {
    memset(o, 0, sizeof *o);
    o->by = TS_ALIGN_STEP;
    ts_cpd_options_default(&o->cpd);
    o->pick = TS_ONSET_FIRST;
}

static bool unaligned(TsAlignResult *out, const char *why) {
    out->aligned = false;
    out->offset = NAN;
    snprintf(out->why, sizeof out->why, "%s", why);
    return false;
}

static bool aligned(TsAlignResult *out, double offset) {
    out->aligned = true;
    out->offset = offset;
    out->why[0] = '\0';
    return true;
}

bool ts_compare_onset_from_cpd(const TsCpdResult *r, TsOnsetPick pick, int64_t *step) {
    if (!r || r->n_cp == 0 || !r->cp) return false;
    size_t best = 0;
    if (pick == TS_ONSET_STRONGEST)
        for (size_t i = 1; i < r->n_cp; i++)
            if (r->cp[i].strength > r->cp[best].strength) best = i;
    *step = r->cp[best].step;
    return true;
}

static bool align_change(const TsAlignRun *run, const TsAlignOptions *o, TsAlignResult *out) {
    const TsSeries *s = run->onset_series ? run->onset_series : run->series;
    if (!s || s->n == 0) return unaligned(out, "no points to detect a change in");
    TsCpdResult res;
    TsErr err;
    ts_err_clear(&err);
    if (!ts_cpd_detect(s->step, s->value, s->n, &o->cpd, &res, &err))
        return unaligned(out, err.msg[0] ? err.msg : "change detection failed");
    int64_t step = 0;
    bool found = ts_compare_onset_from_cpd(&res, o->pick, &step);
    ts_cpd_result_free(&res);
    if (!found) return unaligned(out, "no change point detected");
    out->onset_step = step;
    return aligned(out, (double)step);
}

static bool align_mark(const TsAlignRun *run, const TsAlignOptions *o, TsAlignResult *out) {
    const char *label = o->mark_label && o->mark_label[0] ? o->mark_label : NULL;
    char clean[96];
    ts_sanitize(clean, sizeof clean, label ? label : "");
    if (!run->marks) return unaligned(out, "no marks");
    TsMarkFilter f = {.run = run->run_name, .metric = o->mark_metric};
    size_t n = ts_marks_count(run->marks);
    for (size_t i = 0; i < n; i++) {
        const TsMark *m = ts_marks_at(run->marks, i);
        if (!ts_mark_matches(m, &f)) continue;
        if (label && strcmp(m->label, label) != 0) continue;
        out->onset_step = m->start_step;
        return aligned(out, (double)m->start_step);
    }
    if (label) {
        char why[sizeof out->why];
        snprintf(why, sizeof why, "no mark labelled '%s'", clean);
        return unaligned(out, why);
    }
    return unaligned(out, "no mark");
}

bool ts_compare_align_offset(const TsAlignRun *run, const TsAlignOptions *o, TsAlignResult *out) {
    memset(out, 0, sizeof *out);
    TsAlignOptions def;
    if (!o) {
        ts_compare_align_options_default(&def);
        o = &def;
    }
    const TsSeries *s = run->series;
    switch (o->by) {
    case TS_ALIGN_STEP:
        return aligned(out, 0.0);
    case TS_ALIGN_WALL: {
        if (s && !s->wall_time) return unaligned(out, "no wall times");
        double t0 = run->wall_start;
        if (!isfinite(t0)) {
            t0 = NAN;
            for (size_t i = 0; s && i < s->n; i++)
                if (isfinite(s->wall_time[i]) && !(s->wall_time[i] >= t0)) t0 = s->wall_time[i];
        }
        if (!isfinite(t0)) return unaligned(out, "no wall times");
        return aligned(out, t0);
    }
    case TS_ALIGN_TOKENS: {
        if (!run->tokens) return unaligned(out, "no tokens column");
        bool any = false;
        for (size_t i = 0; s && i < s->n && !any; i++) any = isfinite(run->tokens[i]);
        if (!any) return unaligned(out, "no token counts");
        return aligned(out, 0.0);
    }
    case TS_ALIGN_CHANGE:
        return align_change(run, o, out);
    case TS_ALIGN_MARK:
        return align_mark(run, o, out);
    default:
        return unaligned(out, "unknown alignment");
    }
}

size_t ts_compare_align_offsets(const TsAlignRun *runs, size_t n, const TsAlignOptions *o,
                                TsAlignResult *out) {
    size_t done = 0;
    for (size_t i = 0; i < n; i++)
        if (ts_compare_align_offset(&runs[i], o, &out[i])) done++;
    return done;
}

size_t ts_compare_align_x(const TsAlignRun *run, TsAlignBy by, double offset, double *x) {
    const TsSeries *s = run->series;
    if (!s) return 0;
    size_t finite = 0;
    for (size_t i = 0; i < s->n; i++) {
        double v;
        switch (by) {
        case TS_ALIGN_WALL:
            v = s->wall_time ? s->wall_time[i] : NAN;
            break;
        case TS_ALIGN_TOKENS:
            v = run->tokens ? run->tokens[i] : NAN;
            break;
        default:
            v = (double)s->step[i];
            break;
        }
        x[i] = v - offset;
        if (isfinite(x[i])) finite++;
    }
    return finite;
}

/* ---- sparklines ---- */

static void bucket_add(TsSparkBucket *b, double v) {
    b->n++;
    if (!isfinite(v)) {
        b->n_nonfinite++;
        return;
    }
    if (!(v >= b->min)) b->min = v;
    if (!(v <= b->max)) b->max = v;
    b->last = v;
}

void ts_compare_sparkline(const TsSeries *s, size_t width, bool by_step, TsSparkBucket *out,
                          TsSparkSummary *summary) {
    size_t n = s ? s->n : 0;
    for (size_t b = 0; b < width; b++)
        out[b] = (TsSparkBucket){.min = NAN, .max = NAN, .last = NAN};
    if (summary) {
        *summary = (TsSparkSummary){.vmin = NAN, .vmax = NAN, .last = NAN, .last_finite = NAN};
        for (size_t i = 0; i < n; i++) {
            double v = s->value[i];
            if (!isfinite(v)) {
                summary->n_nonfinite++;
                continue;
            }
            if (!(v >= summary->vmin)) summary->vmin = v;
            if (!(v <= summary->vmax)) summary->vmax = v;
            summary->last_finite = v;
        }
        if (n) summary->last = s->value[n - 1];
    }
    if (n == 0 || width == 0) return;
    int64_t smin = s->step[0], smax = s->step[0];
    if (by_step)
        for (size_t i = 1; i < n; i++) {
            if (s->step[i] < smin) smin = s->step[i];
            if (s->step[i] > smax) smax = s->step[i];
        }
    if (by_step && smax > smin) {
        double span = (double)smax - (double)smin;
        for (size_t i = 0; i < n; i++) {
            double f = ((double)s->step[i] - (double)smin) / span * (double)width;
            size_t b = f >= (double)width ? width - 1 : (size_t)f;
            bucket_add(&out[b], s->value[i]);
        }
        return;
    }
    /* by index (also when every step is the same) */
    for (size_t b = 0; b < width; b++) {
        size_t lo = (size_t)((unsigned long long)b * n / width);
        size_t hi = (size_t)((unsigned long long)(b + 1) * n / width);
        if (hi <= lo) hi = lo + 1;
        for (size_t i = lo; i < hi; i++) bucket_add(&out[b], s->value[i]);
    }
}
