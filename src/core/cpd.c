/* cpd.c - change-point detection front: options, penalties, the job state
 * machine (PELT with a change-point limit, binseg, BOCPD, CROPS) and the
 * description of a segmentation (segment statistics, strengths, steps).
 * Layer: core (pure). License: MIT.
 *
 * CROPS follows Haynes, Eckley & Fearnhead (2017): with optimal
 * segmentations at penalties b0 < b1 having m0 > m1 + 1 changes and fits Q0,
 * Q1, PELT runs at b = (Q1 - Q0) / (m0 - m1), where both cost the same; if
 * it returns a change count strictly between, both halves are searched,
 * otherwise the two are neighbours on the lower hull of (m, Q). The same
 * search, following only the branch that straddles max_cp, gives PELT with
 * at most max_cp changes. */
#include "trajscope/cpd.h"
#include "core/cpd_internal.h"

#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

#define DEFAULT_HAZARD 250.0
#define DEFAULT_PRUNE 1e-8
#define DEFAULT_MAX_RUNS 300
#define DEFAULT_CROPS_RUNS 64

static const char *const method_names[] = {"pelt", "binseg", "bocpd"};
static const char *const cost_names[] = {"mean", "meanvar", "slope"};
static const char *const pen_names[] = {"mbic", "bic", "aic", "manual"};

const char *ts_cpd_method_name(TsCpdMethod m) {
    return (unsigned)m < TS_CPD_METHOD_COUNT ? method_names[m] : NULL;
}
TsCpdMethod ts_cpd_method_from_name(const char *name) {
    for (int i = 0; name && i < TS_CPD_METHOD_COUNT; i++)
        if (strcmp(name, method_names[i]) == 0) return (TsCpdMethod)i;
    return TS_CPD_METHOD_COUNT;
}
const char *ts_cpd_cost_name(TsCpdCost c) {
    return (unsigned)c < TS_CPD_COST_COUNT ? cost_names[c] : NULL;
}
TsCpdCost ts_cpd_cost_from_name(const char *name) {
    for (int i = 0; name && i < TS_CPD_COST_COUNT; i++)
        if (strcmp(name, cost_names[i]) == 0) return (TsCpdCost)i;
    return TS_CPD_COST_COUNT;
}
const char *ts_cpd_penalty_name(TsCpdPenalty p) {
    return (unsigned)p < TS_CPD_PEN_COUNT ? pen_names[p] : NULL;
}
TsCpdPenalty ts_cpd_penalty_from_name(const char *name) {
    for (int i = 0; name && i < TS_CPD_PEN_COUNT; i++)
        if (strcmp(name, pen_names[i]) == 0) return (TsCpdPenalty)i;
    return TS_CPD_PEN_COUNT;
}

double ts_cpd_penalty_beta(TsCpdPenalty p, double manual, TsCpdCost c, size_t n) {
    double params = c == TS_CPD_COST_MEAN ? 1.0 : 2.0;
    double logn = log(n > 1 ? (double)n : 2.0);
    switch (p) {
    case TS_CPD_PEN_MBIC: return (params + 2.0) * logn;
    case TS_CPD_PEN_BIC: return (params + 1.0) * logn;
    case TS_CPD_PEN_AIC: return 2.0 * (params + 1.0);
    default: return manual;
    }
}

size_t ts_cpd_min_seg_floor(TsCpdCost c) {
    return c == TS_CPD_COST_MEAN ? 1 : 2;
}

size_t ts_cpd_min_seg_default(TsCpdCost c) {
    return c == TS_CPD_COST_MEAN ? 2 : 3;
}

void ts_cpd_options_default(TsCpdOptions *o) {
    memset(o, 0, sizeof *o);
    o->method = TS_CPD_PELT;
    o->cost = TS_CPD_COST_MEAN;
    o->penalty = TS_CPD_PEN_MBIC;
}

void ts_cpd_result_free(TsCpdResult *r) {
    if (!r) return;
    free(r->cp);
    free(r->seg);
    memset(r, 0, sizeof *r);
}

void ts_cpd_crops_free(TsCpdCrops *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) ts_cpd_result_free(&c->entry[i].result);
    free(c->entry);
    memset(c, 0, sizeof *c);
}

/* ---- describing a segmentation ---- */

static size_t first_clean(const CpdSeries *s, size_t i) {
    return s->first_clean ? s->first_clean[i] : i;
}
static size_t last_clean(const CpdSeries *s, size_t i) {
    return s->last_clean ? s->last_clean[i] : i;
}

static void seg_stats(const CpdSeries *s, const CpdCost *c, size_t a, size_t b, TsCpdSegment *g) {
    size_t m = b - a;
    double my = 0, mx = 0;
    for (size_t i = a; i < b; i++) {
        my += s->y[i];
        mx += s->x[i];
    }
    my /= (double)m;
    mx /= (double)m;
    double syy = 0, sxx = 0, sxy = 0;
    for (size_t i = a; i < b; i++) {
        double dy = s->y[i] - my, dx = s->x[i] - mx;
        syy += dy * dy;
        sxx += dx * dx;
        sxy += dx * dy;
    }
    g->start = a;
    g->length = m;
    g->start_step = s->clean_step[first_clean(s, a)];
    g->end_step = s->clean_step[last_clean(s, b - 1)];
    g->mean = my;
    g->std = m > 1 ? sqrt(syy / (double)(m - 1)) : 0.0;
    g->x_mean = mx;
    g->slope = m > 1 && sxx > 0 ? sxy / sxx : NAN;
    g->cost = cpd_cost(c, a, b);
}

void cpd_describe(const CpdSeries *s, const CpdCost *c, const CpdSeg *seg, TsCpdResult *r) {
    r->sigma = s->sigma;
    r->centre = s->centre;
    r->x_log_step = s->x_log;
    r->prep = s->rep;
    r->n_cp = seg->m;
    r->n_seg = s->n ? seg->m + 1 : 0;
    r->seg = r->n_seg ? ts_xcalloc(r->n_seg, sizeof *r->seg) : NULL;
    r->cp = seg->m ? ts_xcalloc(seg->m, sizeof *r->cp) : NULL;
    double fit = 0;
    for (size_t j = 0; j < r->n_seg; j++) {
        size_t a = j == 0 ? 0 : seg->cp[j - 1];
        size_t b = j < seg->m ? seg->cp[j] : s->n;
        seg_stats(s, c, a, b, &r->seg[j]);
        fit += r->seg[j].cost;
    }
    r->fit_cost = fit;
    for (size_t j = 0; j < seg->m; j++) {
        TsCpdChange *ch = &r->cp[j];
        ch->before = r->seg[j];
        ch->after = r->seg[j + 1];
        ch->index = seg->cp[j];
        ch->step = ch->after.start_step;
        ch->src_index = s->clean_src[first_clean(s, ch->index)];
        size_t a = ch->before.start, b = ch->after.start + ch->after.length;
        ch->strength = cpd_cost(c, a, b) - ch->before.cost - ch->after.cost;
    }
}

/* ---- jobs ---- */

typedef enum JobKind { JOB_SINGLE, JOB_CROPS } JobKind;

typedef struct Pair {
    size_t lo, hi; /* indices into found: lo has more changes */
} Pair;

struct TsCpdJob {
    JobKind kind;
    TsCpdOptions o;
    CpdSeries s;
    CpdCost c;
    size_t L;
    double beta0;
    CpdPelt pelt;
    bool running;
    size_t n_runs;
    bool done, taken;
    /* PELT with max_cp */
    int phase;
    CpdSeg lo, hi;
    double beta_try;
    /* BOCPD */
    TsCpdBocpd *bo;
    size_t next;
    size_t *map_nz;
    /* CROPS */
    double bmin, bmax;
    size_t max_runs;
    bool complete;
    CpdSeg *found;
    size_t n_found, cap_found;
    Pair *stack, pending;
    size_t n_stack, cap_stack;
    TsCpdResult result;
    TsCpdCrops crops;
};

static void start_run(TsCpdJob *j, double beta) {
    cpd_pelt_begin(&j->pelt, &j->c, beta, j->L, !j->o.plain_pelt);
    j->running = true;
}

static void fill_header(const TsCpdJob *j, TsCpdResult *r, double beta) {
    r->method = j->kind == JOB_CROPS ? TS_CPD_PELT : j->o.method;
    r->cost = j->o.cost;
    r->penalty_kind = j->o.penalty;
    r->penalty = beta;
    r->penalty_asked = r->method == TS_CPD_BOCPD ? NAN : j->beta0;
    r->min_seg = j->L;
    r->max_cp = j->o.max_cp;
    r->n_runs = j->n_runs;
    r->total_cost = isfinite(beta) ? r->fit_cost + (double)r->n_cp * beta : r->fit_cost;
    r->hazard_lambda = j->o.method == TS_CPD_BOCPD && j->kind == JOB_SINGLE ? j->o.hazard_lambda : 0;
}

static void finish_single(TsCpdJob *j, const CpdSeg *seg, double beta) {
    cpd_describe(&j->s, &j->c, seg, &j->result);
    fill_header(j, &j->result, beta);
    j->done = true;
}

/* PELT with max_cp: lo has too many changes, hi few enough. */
static void search_next(TsCpdJob *j) {
    j->beta_try = (j->hi.fit - j->lo.fit) / (double)(j->lo.m - j->hi.m);
    if (j->lo.m == j->hi.m + 1) {
        finish_single(j, &j->hi, j->beta_try);
        return;
    }
    start_run(j, j->beta_try);
}

static void on_single_run(TsCpdJob *j, CpdSeg *seg) {
    size_t K = j->o.max_cp;
    if (j->phase == 0) {
        if (K == 0 || seg->m <= K) {
            finish_single(j, seg, j->beta0);
            cpd_seg_free(seg);
            return;
        }
        j->lo = *seg;
        memset(&j->hi, 0, sizeof j->hi);
        j->hi.fit = cpd_cost(&j->c, 0, j->s.n);
        j->phase = 1;
        search_next(j);
        return;
    }
    if (seg->m < j->lo.m && seg->m > j->hi.m) {
        if (seg->m <= K) {
            cpd_seg_free(&j->hi);
            j->hi = *seg;
        } else {
            cpd_seg_free(&j->lo);
            j->lo = *seg;
        }
        search_next(j);
        return;
    }
    cpd_seg_free(seg); /* lo and hi are neighbours on the hull */
    finish_single(j, &j->hi, j->beta_try);
}

static size_t add_found(TsCpdJob *j, CpdSeg *seg) {
    if (j->n_found == j->cap_found) {
        j->cap_found = j->cap_found ? 2 * j->cap_found : 16;
        j->found = ts_xreallocarray(j->found, j->cap_found, sizeof *j->found);
    }
    j->found[j->n_found] = *seg;
    return j->n_found++;
}

static void push_pair(TsCpdJob *j, size_t lo, size_t hi) {
    if (j->found[lo].m <= j->found[hi].m + 1) return;
    if (j->o.max_cp && j->found[hi].m > j->o.max_cp) return; /* all of it has too many */
    if (j->n_stack == j->cap_stack) {
        j->cap_stack = j->cap_stack ? 2 * j->cap_stack : 16;
        j->stack = ts_xreallocarray(j->stack, j->cap_stack, sizeof *j->stack);
    }
    j->stack[j->n_stack++] = (Pair){lo, hi};
}

static int seg_by_m_desc(const void *a, const void *b) {
    const CpdSeg *p = a, *q = b;
    return p->m > q->m ? -1 : (p->m < q->m ? 1 : 0);
}

/* The segmentation that stays optimal over the widest range of penalties
 * (log scale) among those with a change: a penalty picked by a formula
 * (MBIC) cuts a smooth trend into a staircase; the widest interval is where
 * the fit stops improving much per added change - the elbow of the path. */
static size_t crops_most_stable(const TsCpdCrops *cr) {
    size_t best = 0, fallback = 0;
    double best_w = -INFINITY;
    for (size_t i = 0; i < cr->n; i++) {
        const TsCpdCropsEntry *e = &cr->entry[i];
        if (e->result.n_cp == 0) continue;
        if (!(e->beta_lo > 0) || !isfinite(e->beta_hi)) {
            if (!fallback) fallback = i; /* reaches 0 (or infinity): no width to compare */
            continue;
        }
        double w = log(e->beta_hi / e->beta_lo);
        if (w > best_w) {
            best_w = w;
            best = i;
        }
    }
    return best ? best : fallback;
}

static void finish_crops(TsCpdJob *j) {
    qsort(j->found, j->n_found, sizeof *j->found, seg_by_m_desc);
    /* lower hull of (m, fit): boundaries between neighbours must increase */
    size_t *h = ts_xmalloc((j->n_found ? j->n_found : 1) * sizeof *h), nh = 0;
    for (size_t i = 0; i < j->n_found; i++) {
        const CpdSeg *p = &j->found[i];
        if (nh && j->found[h[nh - 1]].m == p->m) continue;
        while (nh >= 2) {
            const CpdSeg *a = &j->found[h[nh - 2]], *b = &j->found[h[nh - 1]];
            double bab = (b->fit - a->fit) / (double)(a->m - b->m);
            double bbp = (p->fit - b->fit) / (double)(b->m - p->m);
            if (bab >= bbp)
                nh--;
            else
                break;
        }
        h[nh++] = i;
    }
    TsCpdCrops *cr = &j->crops;
    memset(cr, 0, sizeof *cr);
    cr->entry = ts_xcalloc(nh ? nh : 1, sizeof *cr->entry);
    for (size_t i = 0; i < nh; i++) {
        const CpdSeg *p = &j->found[h[i]];
        double lo = j->bmin, hi = j->bmax;
        if (i > 0) {
            const CpdSeg *a = &j->found[h[i - 1]];
            double b = (p->fit - a->fit) / (double)(a->m - p->m);
            if (b > lo) lo = b;
        }
        if (i + 1 < nh) {
            const CpdSeg *q = &j->found[h[i + 1]];
            double b = (q->fit - p->fit) / (double)(p->m - q->m);
            if (b < hi) hi = b;
        }
        if (lo > hi) continue;
        if (j->o.max_cp && p->m > j->o.max_cp) continue;
        TsCpdCropsEntry *e = &cr->entry[cr->n++];
        e->beta_lo = lo;
        e->beta_hi = hi;
        cpd_describe(&j->s, &j->c, p, &e->result);
        fill_header(j, &e->result, 0.5 * (lo + hi));
    }
    /* reverse to fewest change points first */
    for (size_t a = 0, b = cr->n ? cr->n - 1 : 0; a < b; a++, b--) {
        TsCpdCropsEntry t = cr->entry[a];
        cr->entry[a] = cr->entry[b];
        cr->entry[b] = t;
    }
    cr->n_runs = j->n_runs;
    cr->complete = j->complete;
    double best = INFINITY;
    for (size_t i = 0; i < cr->n; i++) {
        const TsCpdCropsEntry *e = &cr->entry[i];
        double d = j->beta0 < e->beta_lo ? e->beta_lo - j->beta0
                   : j->beta0 > e->beta_hi ? j->beta0 - e->beta_hi
                                           : 0.0;
        if (d < best) {
            best = d;
            cr->preferred = i;
        }
    }
    cr->penalty_below = cr->n > 0 && j->beta0 < cr->entry[cr->n - 1].beta_lo;
    cr->stable = crops_most_stable(cr);
    free(h);
    j->done = true;
}

static void crops_next(TsCpdJob *j) {
    while (j->n_stack > 0) {
        Pair p = j->stack[--j->n_stack];
        if (j->n_runs >= j->max_runs) {
            j->complete = false;
            j->n_stack = 0;
            break;
        }
        const CpdSeg *lo = &j->found[p.lo], *hi = &j->found[p.hi];
        double b = (hi->fit - lo->fit) / (double)(lo->m - hi->m);
        j->pending = p;
        start_run(j, b);
        return;
    }
    finish_crops(j);
}

static void on_crops_run(TsCpdJob *j, CpdSeg *seg) {
    CpdSeg none;
    if (j->phase == 0) {
        add_found(j, seg);
        j->phase = 1;
        if (isfinite(j->bmax)) {
            start_run(j, j->bmax);
            return;
        }
        /* up to infinity: the single segment, no run needed */
        none = (CpdSeg){0, NULL, cpd_cost(&j->c, 0, j->s.n), INFINITY};
        seg = &none;
    }
    if (j->phase == 1) {
        size_t b = add_found(j, seg);
        j->phase = 2;
        push_pair(j, 0, b);
        crops_next(j);
        return;
    }
    Pair p = j->pending;
    if (seg->m < j->found[p.lo].m && seg->m > j->found[p.hi].m) {
        size_t k = add_found(j, seg);
        push_pair(j, k, p.hi);
        push_pair(j, p.lo, k);
    } else {
        cpd_seg_free(seg);
    }
    crops_next(j);
}

static int strength_desc(const void *a, const void *b) {
    const double *p = a, *q = b; /* {strength, index} pairs */
    return p[0] > q[0] ? -1 : (p[0] < q[0] ? 1 : 0);
}

static int size_asc(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

/* BOCPD segmentation: follow the MAP run lengths back from the end. */
static void bocpd_finish(TsCpdJob *j) {
    size_t n = j->s.n, m = 0;
    size_t *cp = ts_xmalloc((n ? n : 1) * sizeof *cp);
    for (size_t t = n; t > 0;) {
        size_t r = j->map_nz[t];
        if (r == 0 || r > t) r = t;
        size_t start = t - r;
        if (start > 0) cp[m++] = start;
        t = start;
    }
    qsort(cp, m, sizeof *cp, size_asc);
    /* minimum segment length */
    size_t k = 0, last = 0;
    for (size_t i = 0; i < m; i++)
        if (cp[i] - last >= j->L && n - cp[i] >= j->L) last = cp[k++] = cp[i];
    m = k;
    /* at most max_cp: keep the strongest */
    if (j->o.max_cp && m > j->o.max_cp) {
        double *sv = ts_xmalloc(2 * m * sizeof *sv);
        for (size_t i = 0; i < m; i++) {
            size_t a = i ? cp[i - 1] : 0, b = i + 1 < m ? cp[i + 1] : n;
            sv[2 * i] = cpd_cost(&j->c, a, b) - cpd_cost(&j->c, a, cp[i]) - cpd_cost(&j->c, cp[i], b);
            sv[2 * i + 1] = (double)cp[i];
        }
        qsort(sv, m, 2 * sizeof *sv, strength_desc);
        m = j->o.max_cp;
        for (size_t i = 0; i < m; i++) cp[i] = (size_t)sv[2 * i + 1];
        qsort(cp, m, sizeof *cp, size_asc);
        free(sv);
    }
    CpdSeg seg = {m, cp, 0, NAN};
    seg.fit = cpd_seg_fit(&j->c, cp, m);
    finish_single(j, &seg, NAN);
    free(cp);
}

static bool check_options(const TsCpdOptions *o, TsErr *err) {
    if ((unsigned)o->method >= TS_CPD_METHOD_COUNT) {
        ts_err_set(err, "unknown detection method %d", (int)o->method);
        return false;
    }
    if ((unsigned)o->cost >= TS_CPD_COST_COUNT) {
        ts_err_set(err, "unknown cost %d", (int)o->cost);
        return false;
    }
    if ((unsigned)o->penalty >= TS_CPD_PEN_COUNT) {
        ts_err_set(err, "unknown penalty %d", (int)o->penalty);
        return false;
    }
    if (o->penalty == TS_CPD_PEN_MANUAL && !(o->penalty_value >= 0 && isfinite(o->penalty_value))) {
        ts_err_set(err, "penalty must be a finite number >= 0");
        return false;
    }
    if (o->min_seg && o->min_seg < ts_cpd_min_seg_floor(o->cost)) {
        ts_err_set(err, "minimum segment length for the %s cost is %zu", ts_cpd_cost_name(o->cost),
                   ts_cpd_min_seg_floor(o->cost));
        return false;
    }
    if (!(o->sigma >= 0 && isfinite(o->sigma))) {
        ts_err_set(err, "noise scale must be a finite number >= 0");
        return false;
    }
    if (o->hazard_lambda != 0 && !(o->hazard_lambda > 1 && isfinite(o->hazard_lambda))) {
        ts_err_set(err, "BOCPD expected run length must be > 1");
        return false;
    }
    if (!(o->bocpd_prune >= 0 && o->bocpd_prune < 1)) {
        ts_err_set(err, "BOCPD pruning threshold must be in [0, 1)");
        return false;
    }
    if (o->prep.despike_sigmas < 0 || !isfinite(o->prep.despike_sigmas)) {
        ts_err_set(err, "despike threshold must be a finite number >= 0");
        return false;
    }
    return true;
}

static TsCpdJob *job_new(const int64_t *step, const double *value, size_t n, const TsCpdOptions *o,
                         JobKind kind, TsErr *err) {
    if (!o || !check_options(o, err)) return NULL;
    TsCpdJob *j = ts_xcalloc(1, sizeof *j);
    j->kind = kind;
    j->o = *o;
    if (j->o.hazard_lambda == 0) j->o.hazard_lambda = DEFAULT_HAZARD;
    if (j->o.bocpd_prune == 0) j->o.bocpd_prune = DEFAULT_PRUNE;
    if (!cpd_prepare(step, value, n, &o->prep, o->sigma, &j->s, err)) {
        free(j);
        return NULL;
    }
    cpd_cost_init(&j->c, o->cost, &j->s);
    j->L = o->min_seg ? o->min_seg : ts_cpd_min_seg_default(o->cost);
    j->beta0 = ts_cpd_penalty_beta(o->penalty, o->penalty_value, o->cost, j->s.n);
    j->complete = true;
    return j;
}

TsCpdJob *ts_cpd_job_new(const int64_t *step, const double *value, size_t n, const TsCpdOptions *o,
                         TsErr *err) {
    TsCpdJob *j = job_new(step, value, n, o, JOB_SINGLE, err);
    if (!j) return NULL;
    if (o->method == TS_CPD_PELT) {
        start_run(j, j->beta0);
    } else if (o->method == TS_CPD_BOCPD) {
        double s2 = j->s.sigma * j->s.sigma;
        TsCpdBocpdPrior pr = {j->s.centre, s2 / (j->s.var_total > s2 ? j->s.var_total : s2), 1.0,
                              s2};
        j->bo = ts_cpd_bocpd_new(&pr, j->o.hazard_lambda, j->o.bocpd_prune,
                                 j->o.bocpd_max_runs ? j->o.bocpd_max_runs : DEFAULT_MAX_RUNS);
        if (!j->bo) {
            ts_err_set(err, "BOCPD: invalid prior (noise scale %g)", j->s.sigma);
            ts_cpd_job_free(j);
            return NULL;
        }
        j->map_nz = ts_xcalloc(j->s.n + 1, sizeof *j->map_nz);
    }
    return j;
}

TsCpdJob *ts_cpd_crops_job_new(const int64_t *step, const double *value, size_t n,
                               const TsCpdOptions *o, double beta_min, double beta_max,
                               size_t max_runs, TsErr *err) {
    if (!(beta_min >= 0) || !isfinite(beta_min) || !(beta_max > beta_min)) {
        ts_err_set(err, "CROPS needs 0 <= beta_min < beta_max (got %g, %g)", beta_min, beta_max);
        return NULL;
    }
    TsCpdJob *j = job_new(step, value, n, o, JOB_CROPS, err);
    if (!j) return NULL;
    j->bmin = beta_min;
    j->bmax = beta_max;
    j->max_runs = max_runs ? max_runs : DEFAULT_CROPS_RUNS;
    if (j->max_runs < 2) j->max_runs = 2;
    start_run(j, beta_min);
    return j;
}

bool ts_cpd_job_step(TsCpdJob *j, size_t budget) {
    size_t spent = 0;
    if (budget == 0) budget = 1;
    while (!j->done && spent < budget) {
        if (j->running) {
            spent += cpd_pelt_step(&j->pelt, budget - spent) + 1;
            if (!j->pelt.done) continue;
            j->running = false;
            j->n_runs++;
            CpdSeg seg;
            cpd_pelt_result(&j->pelt, &seg);
            if (j->kind == JOB_CROPS)
                on_crops_run(j, &seg);
            else
                on_single_run(j, &seg);
        } else if (j->o.method == TS_CPD_BINSEG) {
            CpdSeg seg;
            cpd_binseg(&j->c, j->beta0, j->L, j->o.max_cp, &seg);
            finish_single(j, &seg, j->beta0);
            cpd_seg_free(&seg);
        } else if (j->o.method == TS_CPD_BOCPD && j->bo) {
            while (j->next < j->s.n && spent < budget) {
                spent += ts_cpd_bocpd_posterior(j->bo, NULL, NULL);
                ts_cpd_bocpd_push(j->bo, j->s.y[j->next++]);
                j->map_nz[j->next] = ts_cpd_bocpd_map_nonzero(j->bo);
            }
            if (j->next == j->s.n) bocpd_finish(j);
        } else {
            j->done = true; /* nothing left to do (cannot happen) */
        }
    }
    return j->done;
}

double ts_cpd_job_progress(const TsCpdJob *j) {
    if (j->done) return 1.0;
    if (j->running && j->pelt.n) return (double)(j->pelt.t - 1) / (double)j->pelt.n;
    if (j->bo && j->s.n) return (double)j->next / (double)j->s.n;
    return 0.0;
}

bool ts_cpd_job_take_result(TsCpdJob *j, TsCpdResult *out) {
    if (!j->done || j->taken || j->kind != JOB_SINGLE) return false;
    *out = j->result;
    memset(&j->result, 0, sizeof j->result);
    j->taken = true;
    return true;
}

bool ts_cpd_job_take_crops(TsCpdJob *j, TsCpdCrops *out) {
    if (!j->done || j->taken || j->kind != JOB_CROPS) return false;
    *out = j->crops;
    memset(&j->crops, 0, sizeof j->crops);
    j->taken = true;
    return true;
}

void ts_cpd_job_free(TsCpdJob *j) {
    if (!j) return;
    cpd_pelt_free(&j->pelt);
    cpd_seg_free(&j->lo);
    cpd_seg_free(&j->hi);
    ts_cpd_bocpd_free(j->bo);
    free(j->map_nz);
    for (size_t i = 0; i < j->n_found; i++) cpd_seg_free(&j->found[i]);
    free(j->found);
    free(j->stack);
    ts_cpd_result_free(&j->result);
    ts_cpd_crops_free(&j->crops);
    cpd_cost_free(&j->c);
    cpd_series_free(&j->s);
    free(j);
}

bool ts_cpd_detect(const int64_t *step, const double *value, size_t n, const TsCpdOptions *o,
                   TsCpdResult *out, TsErr *err) {
    memset(out, 0, sizeof *out);
    TsCpdJob *j = ts_cpd_job_new(step, value, n, o, err);
    if (!j) return false;
    while (!ts_cpd_job_step(j, SIZE_MAX)) {
    }
    bool ok = ts_cpd_job_take_result(j, out);
    ts_cpd_job_free(j);
    return ok;
}

bool ts_cpd_crops(const int64_t *step, const double *value, size_t n, const TsCpdOptions *o,
                  double beta_min, double beta_max, size_t max_runs, TsCpdCrops *out, TsErr *err) {
    memset(out, 0, sizeof *out);
    TsCpdJob *j = ts_cpd_crops_job_new(step, value, n, o, beta_min, beta_max, max_runs, err);
    if (!j) return false;
    while (!ts_cpd_job_step(j, SIZE_MAX)) {
    }
    bool ok = ts_cpd_job_take_crops(j, out);
    ts_cpd_job_free(j);
    return ok;
}
