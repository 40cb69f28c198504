/* lod.c - exact per-column summaries of a series: blocks plus a sparse table.
 * Layer: core (pure, no I/O). License: MIT.
 *
 * Values are summarised per block of 32 points (level 0) and per
 * superblock of 8 blocks; a sparse table over the superblocks holds, for
 * every start i and every power of two 2^k, the summary of superblocks
 * [i, i + 2^k). A range query scans at most 2 x 31 raw values at its
 * ends, at most 2 x 7 block summaries (contiguous), and combines two
 * overlapping sparse-table entries for the superblocks in between (min and
 * max are idempotent), so its cost is constant in n.
 *
 * Why this shape: at 10^7 points a query costs its cache misses, not its
 * arithmetic. A binary pyramid takes one miss per level at each column
 * boundary; here a boundary touches its values, its blocks and two table
 * entries. Nodes hold min and max only; counts of NaN/+Inf/-Inf/<=0 are
 * prefix sums over blocks, built only when the series has such values; the
 * smallest positive value has tables of its own, built only when some
 * value is <= 0 and read only for ranges whose minimum is <= 0 (otherwise
 * it is the minimum). Memory: 0.5 bytes per point for the blocks plus
 * 16 * log2(n / 256) / 256 for the table (1 byte per point at 10^7), and
 * at most as much again for the optional parts. */
#include "trajscope/lod.h"

#include <math.h>
#include <stdlib.h>

#include "trajscope/xalloc.h"

#define LOD_BLOCK_SHIFT 5
#define LOD_BLOCK ((size_t)1 << LOD_BLOCK_SHIFT)
#define SB_SHIFT 3 /* blocks per superblock: 8 */
#define SB_BLOCKS ((size_t)1 << SB_SHIFT)

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
    MinMax *blk;        /* per block */
    double *blk_pos;    /* smallest value > 0 per block; NULL when no finite
                           value is <= 0 (then it is blk[].min) */
    size_t n_sb;        /* full superblocks: n_blocks >> SB_SHIFT */
    size_t n_levels;    /* sparse table levels: 2^k <= n_sb */
    size_t *level_off;  /* offset of level k in sp / sp_pos */
    MinMax *sp;         /* level k, entry i: superblocks [i, i + 2^k) */
    double *sp_pos;
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

static void build_tables(TsLod *lod) {
    size_t nb = lod->n >> LOD_BLOCK_SHIFT;
    lod->n_blocks = nb;
    lod->blk = ts_xmalloc((nb ? nb : 1) * sizeof *lod->blk);
    /* Blocks and their counts in one pass; the optional arrays are
     * allocated when the first block that needs them shows up. */
    Counts run = {0, 0, 0, 0};
    for (size_t b = 0; b < nb; b++) {
        Acc a;
        acc_init(&a);
        acc_raw(&a, lod->y, b * LOD_BLOCK, (b + 1) * LOD_BLOCK);
        lod->blk[b].min = a.min;
        lod->blk[b].max = a.max;
        if (a.n_nonpos && !lod->blk_pos) {
            lod->blk_pos = ts_xmalloc(nb * sizeof *lod->blk_pos);
            for (size_t j = 0; j < b; j++) lod->blk_pos[j] = lod->blk[j].min; /* all > 0 so far */
        }
        if (lod->blk_pos) lod->blk_pos[b] = a.min_pos;
        if ((a.n_nonpos || a.n_nan || a.n_posinf || a.n_neginf) && !lod->prefix)
            lod->prefix = ts_xcalloc(nb + 1, sizeof *lod->prefix); /* zero up to b */
        run.nonpos += (uint32_t)a.n_nonpos;
        run.nan += (uint32_t)a.n_nan;
        run.posinf += (uint32_t)a.n_posinf;
        run.neginf += (uint32_t)a.n_neginf;
        if (lod->prefix) lod->prefix[b + 1] = run;
    }
    /* Sparse table over full superblocks. */
    size_t nsb = nb >> SB_SHIFT, levels = 0, total = 0;
    for (size_t w = 1; w <= nsb; w *= 2) {
        levels++;
        total += nsb - w + 1;
    }
    lod->n_sb = nsb;
    lod->n_levels = levels;
    lod->level_off = ts_xcalloc(levels ? levels : 1, sizeof *lod->level_off);
    lod->sp = ts_xmalloc((total ? total : 1) * sizeof *lod->sp);
    if (lod->blk_pos) lod->sp_pos = ts_xmalloc((total ? total : 1) * sizeof *lod->sp_pos);
    for (size_t k = 0, off = 0, w = 1; k < levels; k++, w *= 2) {
        lod->level_off[k] = off;
        off += nsb - w + 1;
    }
    for (size_t i = 0; i < nsb; i++) {
        MinMax m = {INFINITY, -INFINITY};
        double p = INFINITY;
        for (size_t j = i * SB_BLOCKS; j < (i + 1) * SB_BLOCKS; j++) {
            m.min = lod->blk[j].min < m.min ? lod->blk[j].min : m.min;
            m.max = lod->blk[j].max > m.max ? lod->blk[j].max : m.max;
            if (lod->blk_pos) p = lod->blk_pos[j] < p ? lod->blk_pos[j] : p;
        }
        lod->sp[i] = m;
        if (lod->sp_pos) lod->sp_pos[i] = p;
    }
    for (size_t k = 1, half = 1; k < levels; k++, half *= 2) {
        const MinMax *below = lod->sp + lod->level_off[k - 1];
        MinMax *here = lod->sp + lod->level_off[k];
        size_t len = nsb - 2 * half + 1;
        for (size_t i = 0; i < len; i++) {
            here[i].min = below[i].min < below[i + half].min ? below[i].min : below[i + half].min;
            here[i].max = below[i].max > below[i + half].max ? below[i].max : below[i + half].max;
        }
        if (lod->sp_pos) {
            const double *pb = lod->sp_pos + lod->level_off[k - 1];
            double *ph = lod->sp_pos + lod->level_off[k];
            for (size_t i = 0; i < len; i++) ph[i] = pb[i] < pb[i + half] ? pb[i] : pb[i + half];
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
    build_tables(lod);
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
    free(lod->blk);
    free(lod->blk_pos);
    free(lod->sp);
    free(lod->sp_pos);
    free(lod->prefix);
    free(lod->level_off);
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

static inline size_t floor_log2(size_t v) {
    size_t k = 0;
    while (v >>= 1) k++;
    return k;
}

/* Min/max over whole blocks [b_lo, b_hi), b_lo < b_hi. */
static void blocks_minmax(const TsLod *lod, size_t b_lo, size_t b_hi, double *pmn, double *pmx) {
    double mn = INFINITY, mx = -INFINITY;
    size_t s_lo = (b_lo + SB_BLOCKS - 1) >> SB_SHIFT, s_hi = b_hi >> SB_SHIFT;
    size_t scan_a = b_hi, scan_b = b_hi; /* second block run, when any */
    if (s_lo < s_hi) {
        size_t k = floor_log2(s_hi - s_lo);
        const MinMax *lv = lod->sp + lod->level_off[k];
        const MinMax *l = &lv[s_lo], *r = &lv[s_hi - ((size_t)1 << k)];
        mn = l->min < r->min ? l->min : r->min;
        mx = l->max > r->max ? l->max : r->max;
        scan_a = s_hi << SB_SHIFT;
        b_hi = s_lo << SB_SHIFT;
    }
    for (size_t j = b_lo; j < b_hi; j++) {
        mn = lod->blk[j].min < mn ? lod->blk[j].min : mn;
        mx = lod->blk[j].max > mx ? lod->blk[j].max : mx;
    }
    for (size_t j = scan_a; j < scan_b; j++) {
        mn = lod->blk[j].min < mn ? lod->blk[j].min : mn;
        mx = lod->blk[j].max > mx ? lod->blk[j].max : mx;
    }
    *pmn = mn;
    *pmx = mx;
}

/* Smallest positive value over whole blocks [b_lo, b_hi) (needs blk_pos). */
static double blocks_min_pos(const TsLod *lod, size_t b_lo, size_t b_hi) {
    double m = INFINITY;
    size_t s_lo = (b_lo + SB_BLOCKS - 1) >> SB_SHIFT, s_hi = b_hi >> SB_SHIFT;
    size_t scan_a = b_hi, scan_b = b_hi;
    if (s_lo < s_hi) {
        size_t k = floor_log2(s_hi - s_lo);
        const double *lv = lod->sp_pos + lod->level_off[k];
        double l = lv[s_lo], r = lv[s_hi - ((size_t)1 << k)];
        m = l < r ? l : r;
        scan_a = s_hi << SB_SHIFT;
        b_hi = s_lo << SB_SHIFT;
    }
    for (size_t j = b_lo; j < b_hi; j++) m = lod->blk_pos[j] < m ? lod->blk_pos[j] : m;
    for (size_t j = scan_a; j < scan_b; j++) m = lod->blk_pos[j] < m ? lod->blk_pos[j] : m;
    return m;
}

/* True when the partial block b (a full block) cannot change what a holds:
 * its values lie inside a's min..max, its smallest positive value is not
 * below a's, and it has no NaN, infinity or (counted) value <= 0. Then
 * its raw values need not be read at all: in a zoomed-out frame most
 * column edges fall in such blocks. */
static bool block_covered(const TsLod *lod, size_t b, const Acc *a) {
    const MinMax *m = &lod->blk[b];
    if (m->min < a->min || m->max > a->max) return false;
    if (lod->prefix) {
        const Counts *p = &lod->prefix[b], *q = &lod->prefix[b + 1];
        if (q->nonpos != p->nonpos || q->nan != p->nan || q->posinf != p->posinf || q->neginf != p->neginf)
            return false;
    }
    double pos = lod->blk_pos ? lod->blk_pos[b] : m->min; /* no value <= 0 anywhere */
    return pos >= a->min_pos;
}

static void acc_range(const TsLod *lod, size_t lo, size_t hi, Acc *a) {
    if (hi <= lo) return;
    size_t b_lo = (lo + LOD_BLOCK - 1) >> LOD_BLOCK_SHIFT;
    size_t b_hi = hi >> LOD_BLOCK_SHIFT;
    if (b_lo >= b_hi) {
        acc_raw(a, lod->y, lo, hi);
        return;
    }
    /* Whole blocks first, then the partial blocks at the two ends. */
    double mn, mx;
    blocks_minmax(lod, b_lo, b_hi, &mn, &mx);
    a->min = mn < a->min ? mn : a->min;
    a->max = mx > a->max ? mx : a->max;
    /* Smallest positive value of the blocks: their minimum when that is
     * positive (or there is none), else from its own table. */
    double mp = mn > 0 ? mn : lod->blk_pos ? blocks_min_pos(lod, b_lo, b_hi) : INFINITY;
    a->min_pos = mp < a->min_pos ? mp : a->min_pos;
    if (lod->prefix) {
        const Counts *p = &lod->prefix[b_lo], *q = &lod->prefix[b_hi];
        a->n_nonpos += q->nonpos - p->nonpos;
        a->n_nan += q->nan - p->nan;
        a->n_posinf += q->posinf - p->posinf;
        a->n_neginf += q->neginf - p->neginf;
    }
    size_t left_end = b_lo << LOD_BLOCK_SHIFT, right_start = b_hi << LOD_BLOCK_SHIFT;
    if (lo < left_end && !block_covered(lod, b_lo - 1, a)) acc_raw(a, lod->y, lo, left_end);
    if (right_start < hi && (b_hi >= lod->n_blocks || !block_covered(lod, b_hi, a)))
        acc_raw(a, lod->y, right_start, hi);
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
