/* lod.c - min/max pyramid giving exact per-column summaries of a series.
 * Layer: core (pure, no I/O). License: MIT.
 *
 * Level 0 summarises blocks of LOD_BLOCK points; level k+1 pairs the nodes
 * of level k (an odd last node is simply not paired: a query never needs a
 * parent for it). A range query scans at most 2 * LOD_BLOCK raw points at
 * its ends and takes at most two nodes per level in between.
 *
 * What a frame touches is kept small, because at 10^7 points the cost of a
 * query is its cache misses: the pyramid holds only min and max (16 bytes a
 * node); counts of NaN/+Inf/-Inf/<=0 are prefix sums over blocks (two reads
 * a query), built only when the series has such values; the smallest
 * positive value has its own pyramid, built only when some value is <= 0
 * and read only for ranges whose minimum is <= 0 (otherwise it is the
 * minimum). */
#include "trajscope/lod.h"

#include <math.h>
#include <stdlib.h>

#include "trajscope/xalloc.h"

#define LOD_BLOCK_SHIFT 5
#define LOD_BLOCK ((size_t)1 << LOD_BLOCK_SHIFT)

typedef struct MinMax {
    double min, max; /* over finite values; +Inf / -Inf when there are none */
} MinMax;

/* Counts of blocks [0, b): prefix sums. */
typedef struct Counts {
    uint32_t nonpos, nan, posinf, neginf;
} Counts;

typedef struct Seg {
    size_t start, end;
} Seg;

struct TsLod {
    size_t n;
    const int64_t *xi; /* exactly one of xi, xd is set */
    const double *xd;
    const double *y;
    size_t skipped;
    Seg *segs;
    size_t n_segs;
    size_t n_blocks;    /* full blocks: n >> LOD_BLOCK_SHIFT */
    size_t n_levels;
    size_t *level_off;  /* offset of each level in mm / pos */
    size_t *level_len;  /* nodes in each level */
    MinMax *mm;         /* all levels, level 0 first */
    double *pos;        /* smallest value > 0 per node, same layout; NULL
                           when no finite value is <= 0 */
    Counts *prefix;     /* n_blocks + 1 prefix sums; NULL when all counts are 0 */
};

/* Accumulator with wide counters. */
typedef struct Acc {
    double min, max, min_pos;
    size_t n_nonpos, n_nan, n_posinf, n_neginf;
} Acc;

static inline double xat(const TsLod *lod, size_t i) {
    return lod->xi ? (double)lod->xi[i] : lod->xd[i];
}

static void acc_init(Acc *a) {
    a->min = INFINITY;
    a->max = -INFINITY;
    a->min_pos = INFINITY;
    a->n_nonpos = a->n_nan = a->n_posinf = a->n_neginf = 0;
}

/* The hot loop of every query: kept in registers and branch-free for
 * finite values (min/max by conditional moves). */
static void acc_raw(Acc *a, const double *y, size_t lo, size_t hi) {
    double mn = a->min, mx = a->max, mp = a->min_pos;
    size_t nonpos = 0;
    for (size_t i = lo; i < hi; i++) {
        double v = y[i];
        if (__builtin_expect(isfinite(v), 1)) {
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
            double p = v > 0 ? v : INFINITY;
            mp = p < mp ? p : mp;
            nonpos += v <= 0;
        } else if (isnan(v)) {
            a->n_nan++;
        } else if (v > 0) {
            a->n_posinf++;
        } else {
            a->n_neginf++;
        }
    }
    a->min = mn;
    a->max = mx;
    a->min_pos = mp;
    a->n_nonpos += nonpos;
}

static void build_segments(TsLod *lod) {
    size_t cap = 4;
    lod->segs = ts_xmalloc(cap * sizeof *lod->segs);
    lod->n_segs = 0;
    size_t start = 0;
    bool open = false;
    double prev = 0.0;
    for (size_t i = 0; i < lod->n; i++) {
        double x = xat(lod, i);
        bool close_here = false, skip = false;
        if (!isfinite(x)) {
            skip = true;
            close_here = open;
        } else if (open && x < prev) {
            close_here = true;
        }
        if (close_here) {
            if (lod->n_segs == cap) {
                cap *= 2;
                lod->segs = ts_xreallocarray(lod->segs, cap, sizeof *lod->segs);
            }
            lod->segs[lod->n_segs++] = (Seg){start, i};
            open = false;
        }
        if (skip) {
            lod->skipped++;
            continue;
        }
        if (!open) {
            start = i;
            open = true;
        }
        prev = x;
    }
    if (open) {
        if (lod->n_segs == cap) {
            cap++;
            lod->segs = ts_xreallocarray(lod->segs, cap, sizeof *lod->segs);
        }
        lod->segs[lod->n_segs++] = (Seg){start, lod->n};
    }
}

static void build_pyramid(TsLod *lod) {
    size_t n0 = lod->n >> LOD_BLOCK_SHIFT;
    size_t levels = 0, total = 0;
    for (size_t len = n0; len > 0; len /= 2) {
        levels++;
        total += len;
    }
    lod->n_blocks = n0;
    lod->n_levels = levels;
    lod->level_off = ts_xcalloc(levels ? levels : 1, sizeof *lod->level_off);
    lod->level_len = ts_xcalloc(levels ? levels : 1, sizeof *lod->level_len);
    lod->mm = total ? ts_xmalloc(total * sizeof *lod->mm) : NULL;
    size_t off = 0, len = n0;
    for (size_t k = 0; k < levels; k++, len /= 2) {
        lod->level_off[k] = off;
        lod->level_len[k] = len;
        off += len;
    }
    /* Level 0 and the block counts in one pass; the optional arrays are
     * allocated when the first block that needs them shows up. */
    Counts run = {0, 0, 0, 0};
    for (size_t b = 0; b < n0; b++) {
        Acc a;
        acc_init(&a);
        acc_raw(&a, lod->y, b * LOD_BLOCK, (b + 1) * LOD_BLOCK);
        lod->mm[b].min = a.min;
        lod->mm[b].max = a.max;
        if (a.n_nonpos && !lod->pos) {
            lod->pos = ts_xmalloc(total * sizeof *lod->pos);
            for (size_t j = 0; j < b; j++) lod->pos[j] = lod->mm[j].min; /* all > 0 so far */
        }
        if (lod->pos) lod->pos[b] = a.min_pos;
        if ((a.n_nonpos || a.n_nan || a.n_posinf || a.n_neginf) && !lod->prefix) {
            lod->prefix = ts_xcalloc(n0 + 1, sizeof *lod->prefix); /* zero up to b */
        }
        run.nonpos += (uint32_t)a.n_nonpos;
        run.nan += (uint32_t)a.n_nan;
        run.posinf += (uint32_t)a.n_posinf;
        run.neginf += (uint32_t)a.n_neginf;
        if (lod->prefix) lod->prefix[b + 1] = run;
    }
    for (size_t k = 1; k < levels; k++) {
        const MinMax *below = lod->mm + lod->level_off[k - 1];
        MinMax *here = lod->mm + lod->level_off[k];
        for (size_t j = 0; j < lod->level_len[k]; j++) {
            const MinMax *l = &below[2 * j], *r = &below[2 * j + 1];
            here[j].min = l->min < r->min ? l->min : r->min;
            here[j].max = l->max > r->max ? l->max : r->max;
        }
        if (lod->pos) {
            const double *pb = lod->pos + lod->level_off[k - 1];
            double *ph = lod->pos + lod->level_off[k];
            for (size_t j = 0; j < lod->level_len[k]; j++)
                ph[j] = pb[2 * j] < pb[2 * j + 1] ? pb[2 * j] : pb[2 * j + 1];
        }
    }
}

static TsLod *lod_new(const int64_t *xi, const double *xd, const double *y, size_t n) {
    TsLod *lod = ts_xcalloc(1, sizeof *lod);
    lod->n = n;
    lod->xi = xi;
    lod->xd = xi ? NULL : xd;
    lod->y = y;
    build_segments(lod);
    build_pyramid(lod);
    return lod;
}

TsLod *ts_lod_new_steps(const int64_t *x, const double *y, size_t n) {
    return lod_new(x, NULL, y, n);
}

TsLod *ts_lod_new(const double *x, const double *y, size_t n) {
    return lod_new(NULL, x, y, n);
}

TsLod *ts_lod_new_series(const TsSeries *s, const double *values, bool wall_x) {
    const double *y = values ? values : s->value;
    if (wall_x) {
        if (!s->wall_time && s->n > 0) return NULL;
        return lod_new(NULL, s->wall_time, y, s->n);
    }
    return lod_new(s->step, NULL, y, s->n);
}

void ts_lod_free(TsLod *lod) {
    if (!lod) return;
    free(lod->segs);
    free(lod->mm);
    free(lod->pos);
    free(lod->prefix);
    free(lod->level_off);
    free(lod->level_len);
    free(lod);
}

size_t ts_lod_size(const TsLod *lod) { return lod->n; }
size_t ts_lod_skipped(const TsLod *lod) { return lod->skipped; }
double ts_lod_x(const TsLod *lod, size_t i) { return xat(lod, i); }
double ts_lod_y(const TsLod *lod, size_t i) { return lod->y[i]; }
size_t ts_lod_segment_count(const TsLod *lod) { return lod->n_segs; }

void ts_lod_segment(const TsLod *lod, size_t k, size_t *start, size_t *end) {
    if (k >= lod->n_segs) {
        *start = *end = lod->n;
        return;
    }
    *start = lod->segs[k].start;
    *end = lod->segs[k].end;
}

bool ts_lod_is_seam(const TsLod *lod, size_t k) {
    if (k == 0 || k >= lod->n_segs) return false;
    return xat(lod, lod->segs[k].start) < xat(lod, lod->segs[k - 1].end - 1);
}

/* First i in [lo, hi) with x[i] >= v (strict: x[i] > v), hi when none.
 * Interpolation search: the first probe is where v would sit if x were
 * evenly spaced (logged steps usually are: one or two probes), then a
 * gallop outwards and bisection, so uneven x still costs O(log n). */
static size_t bsearch_x(const TsLod *lod, size_t lo, size_t hi, double v, bool strict) {
#define BEFORE(i) (strict ? xat(lod, (i)) <= v : xat(lod, (i)) < v)
    if (lo >= hi || !BEFORE(lo)) return lo;
    if (BEFORE(hi - 1)) return hi;
    /* now BEFORE(lo) and !BEFORE(hi - 1): the answer is in (lo, hi - 1] */
    double xl = xat(lod, lo), xh = xat(lod, hi - 1);
    double f = xh > xl ? (v - xl) / (xh - xl) : 0.5;
    if (!(f >= 0.0)) f = 0.0;
    if (f > 1.0) f = 1.0;
    size_t g = lo + (size_t)(f * (double)(hi - 1 - lo));
    if (g <= lo) g = lo + 1;
    if (g >= hi - 1) g = hi - 1;
    size_t a, b, step = 1; /* invariant: BEFORE(a), !BEFORE(b) */
    if (BEFORE(g)) {
        a = g;
        for (;;) {
            b = hi - 1 - a > step ? a + step : hi - 1;
            if (b == hi - 1 || !BEFORE(b)) break;
            a = b;
            step *= 2;
        }
    } else {
        b = g;
        for (;;) {
            a = b - lo > step ? b - step : lo;
            if (a == lo || BEFORE(a)) break;
            b = a;
            step *= 2;
        }
    }
    while (b - a > 1) {
        size_t mid = a + (b - a) / 2;
        if (BEFORE(mid)) a = mid;
        else b = mid;
    }
    return b;
#undef BEFORE
}

size_t ts_lod_lower_bound(const TsLod *lod, size_t k, double x) {
    if (k >= lod->n_segs) return lod->n;
    return bsearch_x(lod, lod->segs[k].start, lod->segs[k].end, x, false);
}

size_t ts_lod_upper_bound(const TsLod *lod, size_t k, double x) {
    if (k >= lod->n_segs) return lod->n;
    return bsearch_x(lod, lod->segs[k].start, lod->segs[k].end, x, true);
}

/* Minimum (or, with pos, smallest positive) over level-0 blocks [l, h). */
static double tree_min(const TsLod *lod, const double *pos, size_t l, size_t h) {
    double m = INFINITY;
    for (size_t k = 0; l < h && k < lod->n_levels; k++) {
        const double *level = pos + lod->level_off[k];
        if (l & 1) { double v = level[l++]; m = v < m ? v : m; }
        if (h & 1) { double v = level[--h]; m = v < m ? v : m; }
        l >>= 1;
        h >>= 1;
    }
    return m;
}

static void acc_range(const TsLod *lod, size_t lo, size_t hi, Acc *a) {
    if (hi <= lo) return;
    size_t b_lo = (lo + LOD_BLOCK - 1) >> LOD_BLOCK_SHIFT;
    size_t b_hi = hi >> LOD_BLOCK_SHIFT;
    if (b_lo >= b_hi) {
        acc_raw(a, lod->y, lo, hi);
        return;
    }
    acc_raw(a, lod->y, lo, b_lo << LOD_BLOCK_SHIFT);
    acc_raw(a, lod->y, b_hi << LOD_BLOCK_SHIFT, hi);
    double mn = INFINITY, mx = -INFINITY;
    size_t l = b_lo, h = b_hi;
    for (size_t k = 0; l < h && k < lod->n_levels; k++) {
        const MinMax *level = lod->mm + lod->level_off[k];
        if (l & 1) {
            const MinMax *nd = &level[l++];
            mn = nd->min < mn ? nd->min : mn;
            mx = nd->max > mx ? nd->max : mx;
        }
        if (h & 1) {
            const MinMax *nd = &level[--h];
            mn = nd->min < mn ? nd->min : mn;
            mx = nd->max > mx ? nd->max : mx;
        }
        l >>= 1;
        h >>= 1;
    }
    a->min = mn < a->min ? mn : a->min;
    a->max = mx > a->max ? mx : a->max;
    /* Smallest positive value of the blocks: their minimum when that is
     * positive (or there is none), else from its own pyramid. */
    double mp = mn > 0 ? mn : lod->pos ? tree_min(lod, lod->pos, b_lo, b_hi) : INFINITY;
    a->min_pos = mp < a->min_pos ? mp : a->min_pos;
    if (lod->prefix) {
        const Counts *p = &lod->prefix[b_lo], *q = &lod->prefix[b_hi];
        a->n_nonpos += q->nonpos - p->nonpos;
        a->n_nan += q->nan - p->nan;
        a->n_posinf += q->posinf - p->posinf;
        a->n_neginf += q->neginf - p->neginf;
    }
}

static void col_from_acc(const TsLod *lod, size_t lo, size_t hi, const Acc *a, TsLodCol *out) {
    out->lo = lo;
    out->hi = hi;
    bool any = a->min <= a->max;
    out->min = any ? a->min : NAN;
    out->max = any ? a->max : NAN;
    out->min_pos = isfinite(a->min_pos) ? a->min_pos : NAN;
    out->n_nonpos = a->n_nonpos;
    out->n_nan = a->n_nan;
    out->n_posinf = a->n_posinf;
    out->n_neginf = a->n_neginf;
    size_t count = hi > lo ? hi - lo : 0;
    out->n_finite = count - a->n_nan - a->n_posinf - a->n_neginf;
    if (count) {
        out->first = lod->y[lo];
        out->last = lod->y[hi - 1];
        out->x_first = xat(lod, lo);
        out->x_last = xat(lod, hi - 1);
    } else {
        out->first = out->last = out->x_first = out->x_last = NAN;
    }
}

void ts_lod_query_index(const TsLod *lod, size_t lo, size_t hi, TsLodCol *out) {
    if (hi > lod->n) hi = lod->n;
    if (lo > hi) lo = hi;
    Acc a;
    acc_init(&a);
    acc_range(lod, lo, hi, &a);
    col_from_acc(lod, lo, hi, &a, out);
}

void ts_lod_query(const TsLod *lod, size_t k, double x0, double x1, TsLodCol *out) {
    size_t lo = ts_lod_lower_bound(lod, k, x0);
    size_t hi = k < lod->n_segs ? bsearch_x(lod, lo, lod->segs[k].end, x1, true) : lo;
    ts_lod_query_index(lod, lo, hi, out);
}

void ts_lod_totals(const TsLod *lod, TsLodCol *out) {
    Acc a;
    acc_init(&a);
    size_t count = 0;
    for (size_t k = 0; k < lod->n_segs; k++) {
        acc_range(lod, lod->segs[k].start, lod->segs[k].end, &a);
        count += lod->segs[k].end - lod->segs[k].start;
    }
    if (lod->n_segs == 0) {
        col_from_acc(lod, 0, 0, &a, out);
        return;
    }
    size_t lo = lod->segs[0].start, hi = lod->segs[lod->n_segs - 1].end;
    col_from_acc(lod, lo, hi, &a, out);
    out->n_finite = count - a.n_nan - a.n_posinf - a.n_neginf;
}

void ts_lod_columns(const TsLod *lod, size_t k, const double *edges, size_t ncols, TsLodCol *out) {
    if (ncols == 0) return;
    if (k >= lod->n_segs) {
        for (size_t c = 0; c < ncols; c++) ts_lod_query_index(lod, lod->n, lod->n, &out[c]);
        return;
    }
    size_t end = lod->segs[k].end;
    size_t lo = bsearch_x(lod, lod->segs[k].start, end, edges[0], false);
    for (size_t c = 0; c < ncols; c++) {
        bool last = c + 1 == ncols;
        size_t hi = bsearch_x(lod, lo, end, edges[c + 1], last);
        ts_lod_query_index(lod, lo, hi, &out[c]);
        lo = hi;
    }
}
