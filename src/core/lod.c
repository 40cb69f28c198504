/* lod.c - exact per-column summaries of a series: a three-level pyramid and a sparse table.
 * Layer: core (pure, no I/O). License: MIT.
 *
 * Values are summarised per block of 32 points, per superblock of 8 blocks
 * (256 points) and per hyperblock of 8 superblocks (2048 points); a sparse
 * table over the hyperblocks holds, for every start i and every power of
 * two 2^k, the summary of hyperblocks [i, i + 2^k). A range query scans at
 * most 2 x 31 raw values at its ends, at most 2 x 7 block and 2 x 7
 * superblock summaries (each run contiguous), and combines two
 * overlapping sparse-table entries for the hyperblocks in between (min and
 * max are idempotent), so its cost is constant in n. Shortcuts, all exact:
 * a range inside a run of monotone blocks (each joined to the next without
 * a step back) takes its extremes from its two end values; an end whose
 * hyperblock lies inside the table part's min..max is not read at all;
 * a partial block whose summary lies inside the rest is not read, and a
 * monotone one gives its part's extremes by the part's ends.
 *
 * Why this shape: at 10^7 points a query costs its cache misses, not its
 * arithmetic, and a build costs the first touch of the memory it fills
 * (several ms per MiB on some machines). A sparse table directly over the
 * superblocks took 16 B x log2(n/256) per 256 points (9 MB at 10^7); over
 * hyperblocks it is 8 times smaller. Nodes hold min and max only. Counts
 * of NaN/+Inf/-Inf/<=0 are kept only when the series has such values: as a
 * list of the blocks that hold them (with running totals) while they are
 * few, else as prefix sums packed in one 64-byte record per 8 blocks. The
 * smallest positive value has arrays of its own, built only when some
 * value is <= 0 and read only for ranges whose minimum is <= 0 (otherwise
 * it is the minimum).
 *
 * Memory per point: 0.5 (blocks) + 0.03 (block flags) + 0.0625
 * (superblocks) + about log2(n / 2048) / 128 (table): 0.68 bytes at 10^7.
 * Optional parts: 0.125 when some block is monotone, 0.33 when some value
 * is <= 0, and for NaN/Inf/<=0 values 0.25 when they are in more than 1
 * block in 64 (else 20 bytes per block holding one): at most about 1.4
 * bytes per point at 10^7.
 *
 * ts_lod_columns runs a pipeline over its columns: edges are guessed
 * (interpolation) and their x fetched, then found exactly while what the
 * column will read is prefetched, several columns ahead of the column
 * being summarised, so that the cache misses of neighbouring columns
 * overlap instead of queueing. Large builds scan x (segments) on a second
 * thread while y is summarised. */
#include "trajscope/lod.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

#define LOD_BLOCK_SHIFT 5
#define LOD_BLOCK ((size_t)1 << LOD_BLOCK_SHIFT)
#define SB_SHIFT 3 /* blocks per superblock: 8 */
#define HB_SHIFT 3 /* superblocks per hyperblock: 8 */
#define HYPER_SHIFT (LOD_BLOCK_SHIFT + SB_SHIFT + HB_SHIFT) /* points per hyperblock: 2048 */
#define CNT_SHIFT 3 /* blocks per record of dense counts: 8 */
#define MAX_LEVELS 64
/* Builds at least this large scan x on a second thread. */
#define LOD_THREAD_MIN ((size_t)1 << 20)
/* ts_lod_columns: an edge is guessed GUESS_AHEAD steps before it is found;
 * a column's head is read HEAD_AHEAD steps, and the column finished
 * FINISH_AHEAD steps, after its right edge is found. */
#define GUESS_AHEAD 4
#define HEAD_AHEAD 4
#define FINISH_AHEAD 8
#define RING 16 /* > GUESS_AHEAD + FINISH_AHEAD + 1 */
#define SKIP_RETRY 16
/* Segments this short (x and y: 512 KiB) are queried without the pipeline. */
#define SMALL_SEGMENT ((size_t)1 << 15)
/* A guess for bsearch_x: none (interpolate between the range's ends). */
#define NO_GUESS SIZE_MAX

/* Prefetching. GCC takes a function that only prefetches for one without
 * side effects and drops its calls, and drops loops of prefetches: the
 * helpers are forced inline and their spans unrolled. */
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#define PREFETCH_FN static inline __attribute__((always_inline))
#else
#define PREFETCH(p) ((void)(p))
#define PREFETCH_FN static inline
#endif

typedef struct MinMax {
    double min, max; /* over finite values; +Inf / -Inf when there are none */
} MinMax;

typedef struct Counts {
    uint32_t nonpos, nan, posinf, neginf;
} Counts;

/* Dense counts: one record per 8 blocks (64 bytes, one cache line). */
typedef struct CountRec {
    Counts base;        /* counts of all blocks before the record's first */
    uint8_t cum[8][4];  /* counts of its blocks before block j (<= 7 x 32) */
    uint8_t pad[16];
} CountRec;

typedef struct RunLen {
    uint16_t up, down;
} RunLen;

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
    size_t n_blocks;   /* full blocks: n >> LOD_BLOCK_SHIFT */
    size_t n_sb;       /* full superblocks: n_blocks >> SB_SHIFT */
    size_t n_hb;       /* full hyperblocks: n_sb >> HB_SHIFT */
    size_t n_levels;   /* sparse table levels: 2^k <= n_hb */
    size_t level_off[MAX_LEVELS]; /* offset of level k in tab / tab_pos */
    MinMax *blk, *sb, *tab;
    uint8_t *bflag;    /* per block: BLK_* */
    /* monotone runs, when some block is monotone: run[b].up = blocks from
     * b to the end of the run of BLK_UP blocks that holds b, each joined
     * to the next without a step down (at most 65535; 0: b is not
     * BLK_UP); .down the same for BLK_DOWN. NULL when no block is. */
    RunLen *run;
    /* smallest value > 0 per block, superblock, table entry; NULL when no
     * finite value is <= 0 (then it is the minimum) */
    double *blk_pos, *sb_pos, *tab_pos;
    /* counts of NaN/+Inf/-Inf/<=0: none, dense or sparse */
    CountRec *cnt;        /* dense: (n_blocks >> CNT_SHIFT) + 1 records, or NULL */
    uint32_t *sp_blk;     /* sparse: the blocks holding such values, ascending */
    Counts *sp_cum;       /* sparse: counts of blocks [0, sp_blk[j]] */
    size_t n_sp;
};

/* Block flags. Clean: every value finite and > 0 (nothing to count, the
 * smallest positive value is the minimum; queries tell it by the counts).
 * Up / down: clean and non-decreasing / non-increasing, so the minimum and
 * maximum of any part of the block are the values at its two ends. */
enum { BLK_CLEAN = 1, BLK_UP = 2, BLK_DOWN = 4 };

/* Accumulator with wide counters. */
typedef struct Acc {
    double min, max, min_pos;
    size_t n_nonpos, n_nan, n_posinf, n_neginf;
} Acc;

/* Tables of several MiB get huge pages (ts_xmalloc_large: first touch of
 * 4 KiB pages measured here at about 3 ms per MiB, several times the
 * arithmetic of the build); smaller ones are aligned to cache lines, since
 * a group of 8 block summaries is 2 lines. */
static void *alloc_table(size_t count, size_t size) { return ts_xmalloc_large(count, size, 64); }

static inline double xat(const TsLod *lod, size_t i) {
    return lod->xi ? (double)lod->xi[i] : lod->xd[i];
}

static void acc_init(Acc *a) {
    a->min = INFINITY;
    a->max = -INFINITY;
    a->min_pos = INFINITY;
    a->n_nonpos = a->n_nan = a->n_posinf = a->n_neginf = 0;
}

/* The exact loop over raw values: kept in registers and branch-free for
 * finite values (min/max by conditional moves). */
static void acc_raw_exact(Acc *a, const double *y, size_t lo, size_t hi) {
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

/* Raw values [lo, hi), all finite (some may be <= 0): branch-free, two
 * independent chains. */
static void acc_raw_finite(Acc *a, const double *y, size_t lo, size_t hi) {
    double mn0 = a->min, mn1 = INFINITY, mx0 = a->max, mx1 = -INFINITY, mp0 = a->min_pos, mp1 = INFINITY;
    size_t np0 = 0, np1 = 0, i = lo;
    for (; i + 2 <= hi; i += 2) {
        double v0 = y[i], v1 = y[i + 1];
        double q0 = v0 > 0 ? v0 : INFINITY, q1 = v1 > 0 ? v1 : INFINITY;
        mn0 = v0 < mn0 ? v0 : mn0;
        mn1 = v1 < mn1 ? v1 : mn1;
        mx0 = v0 > mx0 ? v0 : mx0;
        mx1 = v1 > mx1 ? v1 : mx1;
        mp0 = q0 < mp0 ? q0 : mp0;
        mp1 = q1 < mp1 ? q1 : mp1;
        np0 += v0 <= 0;
        np1 += v1 <= 0;
    }
    if (i < hi) {
        double v0 = y[i], q0 = v0 > 0 ? v0 : INFINITY;
        mn0 = v0 < mn0 ? v0 : mn0;
        mx0 = v0 > mx0 ? v0 : mx0;
        mp0 = q0 < mp0 ? q0 : mp0;
        np0 += v0 <= 0;
    }
    a->min = mn1 < mn0 ? mn1 : mn0;
    a->max = mx1 > mx0 ? mx1 : mx0;
    a->min_pos = mp1 < mp0 ? mp1 : mp0;
    a->n_nonpos += np0 + np1;
}

/* Raw values [lo, hi): two independent min/max/sum chains tell whether
 * they are finite and > 0 (a NaN or an infinity makes the sum non-finite;
 * so may huge finite values, which only cost the exact loop); then the
 * smallest value > 0 is the minimum and there is nothing to count. */
static void acc_raw(Acc *a, const double *y, size_t lo, size_t hi) {
    double mn0 = INFINITY, mn1 = INFINITY, mx0 = -INFINITY, mx1 = -INFINITY, s0 = 0, s1 = 0;
    size_t i = lo;
    for (; i + 2 <= hi; i += 2) {
        double v0 = y[i], v1 = y[i + 1];
        mn0 = v0 < mn0 ? v0 : mn0;
        mn1 = v1 < mn1 ? v1 : mn1;
        mx0 = v0 > mx0 ? v0 : mx0;
        mx1 = v1 > mx1 ? v1 : mx1;
        s0 += v0;
        s1 += v1;
    }
    if (i < hi) {
        double v0 = y[i];
        mn0 = v0 < mn0 ? v0 : mn0;
        mx0 = v0 > mx0 ? v0 : mx0;
        s0 += v0;
    }
    mn0 = mn1 < mn0 ? mn1 : mn0;
    mx0 = mx1 > mx0 ? mx1 : mx0;
    if (!isfinite(s0 + s1) || !(mn0 > 0)) {
        acc_raw_exact(a, y, lo, hi);
        return;
    }
    a->min = mn0 < a->min ? mn0 : a->min;
    a->max = mx0 > a->max ? mx0 : a->max;
    a->min_pos = mn0 < a->min_pos ? mn0 : a->min_pos;
}

/* ---- building ---- */

typedef struct SegOut {
    Seg *segs;
    size_t n_segs, skipped;
    bool ok;
} SegOut;

/* Appends segment [start, end) (realloc, never dies: false when out of
 * memory, so that a helper thread leaves dying to the caller). */
static bool push_seg(SegOut *o, size_t *cap, size_t start, size_t end) {
    if (o->n_segs == *cap) {
        size_t c = *cap ? *cap * 2 : 4;
        Seg *p = c <= SIZE_MAX / sizeof *p ? realloc(o->segs, c * sizeof *p) : NULL;
        if (!p) return false;
        o->segs = p;
        *cap = c;
    }
    o->segs[o->n_segs++] = (Seg){start, end};
    return true;
}

/* Splits [0, n) into segments. int64 steps are always finite: one compare
 * per point. Double x: a point continues the open segment when it is
 * finite and not below the previous one; a non-finite x is skipped and
 * ends the open segment. o->ok is false when out of memory. */
static void build_segments(const TsLod *lod, SegOut *o) {
    size_t cap = 0, n = lod->n;
    *o = (SegOut){NULL, 0, 0, false};
    if (lod->xi) {
        const int64_t *x = lod->xi;
        size_t start = 0;
        for (size_t i = 1; i < n; i++) {
            if (x[i] < x[i - 1]) {
                if (!push_seg(o, &cap, start, i)) goto oom;
                start = i;
            }
        }
        if (n && !push_seg(o, &cap, start, n)) goto oom;
    } else {
        const double *x = lod->xd;
        size_t i = 0;
        while (i < n) {
            double prev = x[i];
            if (!isfinite(prev)) {
                o->skipped++;
                i++;
                continue;
            }
            size_t start = i++;
            for (; i < n; i++) {
                double v = x[i];
                if (!(v >= prev && v < INFINITY)) break; /* NaN, +-Inf or going back */
                prev = v;
            }
            if (!push_seg(o, &cap, start, i)) goto oom;
        }
    }
    o->ok = true;
    return;
oom:
    free(o->segs);
    *o = (SegOut){NULL, 0, 0, false};
}

/* Summary of the full block at p: four independent min/max/sum chains
 * tell whether it holds finite values > 0 only (a NaN or an infinity makes
 * the sum non-finite; so may huge finite values, which only cost the exact
 * path); then the smallest value > 0 is the minimum and there is nothing
 * to count. */
static unsigned block_summary(const double *p, Acc *a) {
    double mn0 = INFINITY, mn1 = INFINITY, mn2 = INFINITY, mn3 = INFINITY;
    double mx0 = -INFINITY, mx1 = -INFINITY, mx2 = -INFINITY, mx3 = -INFINITY;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t j = 0; j < LOD_BLOCK; j += 4) {
        double v0 = p[j], v1 = p[j + 1], v2 = p[j + 2], v3 = p[j + 3];
        mn0 = v0 < mn0 ? v0 : mn0;
        mn1 = v1 < mn1 ? v1 : mn1;
        mn2 = v2 < mn2 ? v2 : mn2;
        mn3 = v3 < mn3 ? v3 : mn3;
        mx0 = v0 > mx0 ? v0 : mx0;
        mx1 = v1 > mx1 ? v1 : mx1;
        mx2 = v2 > mx2 ? v2 : mx2;
        mx3 = v3 > mx3 ? v3 : mx3;
        s0 += v0;
        s1 += v1;
        s2 += v2;
        s3 += v3;
    }
    acc_init(a);
    if (!isfinite((s0 + s1) + (s2 + s3))) {
        acc_raw_exact(a, p, 0, LOD_BLOCK);
        return 0;
    }
    mn0 = mn1 < mn0 ? mn1 : mn0;
    mn2 = mn3 < mn2 ? mn3 : mn2;
    mx0 = mx1 > mx0 ? mx1 : mx0;
    mx2 = mx3 > mx2 ? mx3 : mx2;
    a->min = mn2 < mn0 ? mn2 : mn0;
    a->max = mx2 > mx0 ? mx2 : mx0;
    a->min_pos = a->min;
    if (a->min > 0) {
        /* clean; monotone? (noisy blocks leave the loop at once) */
        size_t j = 0;
        if (p[0] <= p[LOD_BLOCK - 1]) {
            while (j < LOD_BLOCK - 1 && p[j] <= p[j + 1]) j++;
            if (j < LOD_BLOCK - 1) return BLK_CLEAN;
            return BLK_CLEAN | BLK_UP | (p[0] == p[LOD_BLOCK - 1] ? BLK_DOWN : 0);
        }
        while (j < LOD_BLOCK - 1 && p[j] >= p[j + 1]) j++;
        return j < LOD_BLOCK - 1 ? BLK_CLEAN : BLK_CLEAN | BLK_DOWN;
    }
    /* finite values, some <= 0 */
    double mp = INFINITY;
    size_t nonpos = 0;
    for (size_t j = 0; j < LOD_BLOCK; j++) {
        double v = p[j], q = v > 0 ? v : INFINITY;
        mp = q < mp ? q : mp;
        nonpos += v <= 0;
    }
    a->min_pos = mp;
    a->n_nonpos = nonpos;
    return 0;
}

static Counts counts_add(Counts a, const Acc *b) {
    a.nonpos += (uint32_t)b->n_nonpos;
    a.nan += (uint32_t)b->n_nan;
    a.posinf += (uint32_t)b->n_posinf;
    a.neginf += (uint32_t)b->n_neginf;
    return a;
}

/* Dense record entry for block b: counts of blocks [0, b) are run. */
static void dense_put(CountRec *cnt, size_t b, Counts run) {
    CountRec *r = &cnt[b >> CNT_SHIFT];
    if ((b & 7) == 0) r->base = run;
    uint8_t *c = r->cum[b & 7];
    c[0] = (uint8_t)(run.nonpos - r->base.nonpos);
    c[1] = (uint8_t)(run.nan - r->base.nan);
    c[2] = (uint8_t)(run.posinf - r->base.posinf);
    c[3] = (uint8_t)(run.neginf - r->base.neginf);
}

/* Min/max (and smallest positive value) of each group of 2^shift entries. */
static void group_up(const MinMax *in, const double *in_pos, unsigned shift, size_t n_out, MinMax *out,
                     double *out_pos) {
    size_t fan = (size_t)1 << shift;
    for (size_t i = 0; i < n_out; i++) {
        const MinMax *g = in + (i << shift);
        double mn = g[0].min, mx = g[0].max;
        for (size_t j = 1; j < fan; j++) {
            mn = g[j].min < mn ? g[j].min : mn;
            mx = g[j].max > mx ? g[j].max : mx;
        }
        out[i].min = mn;
        out[i].max = mx;
    }
    if (!out_pos) return;
    for (size_t i = 0; i < n_out; i++) {
        const double *g = in_pos + (i << shift);
        double m = g[0];
        for (size_t j = 1; j < fan; j++) m = g[j] < m ? g[j] : m;
        out_pos[i] = m;
    }
}

/* Run lengths for the blocks [start, end) of one monotone run. */
static void run_close(RunLen *run, bool up, size_t start, size_t end) {
    for (size_t j = start; j < end; j++) {
        uint16_t len = (uint16_t)(end - j < 0xFFFF ? end - j : 0xFFFF);
        if (up) run[j].up = len;
        else run[j].down = len;
    }
}

static void build_tables(TsLod *lod) {
    size_t nb = lod->n >> LOD_BLOCK_SHIFT;
    lod->n_blocks = nb;
    lod->blk = alloc_table(nb, sizeof *lod->blk);
    lod->bflag = alloc_table(nb, sizeof *lod->bflag);
    /* Sparse counts while few blocks hold NaN/Inf/<=0 values; dense from
     * the block where they pass 1 in 64. */
    size_t sp_cap = 0, sp_limit = nb / 64 + 8;
    Counts run = {0, 0, 0, 0}; /* counts of blocks [0, b) */
    const double *y = lod->y;
    size_t up_start = 0, down_start = 0;
    bool up_open = false, down_open = false;
    double prev_last = 0.0;
    for (size_t b = 0; b < nb; b++) {
        Acc a;
        const double *p = y + (b << LOD_BLOCK_SHIFT);
        unsigned f = block_summary(p, &a);
        lod->bflag[b] = (uint8_t)f;
        lod->blk[b].min = a.min;
        lod->blk[b].max = a.max;
        if ((f & (BLK_UP | BLK_DOWN)) && !lod->run) {
            lod->run = alloc_table(nb, sizeof *lod->run);
            memset(lod->run, 0, b * sizeof *lod->run); /* none before b */
        }
        if (lod->run) {
            bool up = f & BLK_UP, down = f & BLK_DOWN;
            if (!(up && up_open && prev_last <= p[0])) {
                if (up_open) run_close(lod->run, true, up_start, b);
                up_open = up;
                up_start = b;
            }
            if (!up) lod->run[b].up = 0;
            if (!(down && down_open && prev_last >= p[0])) {
                if (down_open) run_close(lod->run, false, down_start, b);
                down_open = down;
                down_start = b;
            }
            if (!down) lod->run[b].down = 0;
        }
        prev_last = p[LOD_BLOCK - 1];
        if (lod->cnt) dense_put(lod->cnt, b, run);
        bool counted = a.n_nonpos || a.n_nan || a.n_posinf || a.n_neginf;
        if (!counted && !lod->blk_pos) continue; /* the common case */
        if (a.n_nonpos && !lod->blk_pos) {
            lod->blk_pos = alloc_table(nb, sizeof *lod->blk_pos);
            for (size_t j = 0; j < b; j++) lod->blk_pos[j] = lod->blk[j].min; /* all > 0 so far */
        }
        if (lod->blk_pos) lod->blk_pos[b] = a.min_pos;
        if (!counted) continue;
        run = counts_add(run, &a);
        if (lod->cnt) continue;
        if (lod->n_sp == sp_cap) {
            sp_cap = sp_cap ? 2 * sp_cap : 16;
            lod->sp_blk = ts_xreallocarray(lod->sp_blk, sp_cap, sizeof *lod->sp_blk);
            lod->sp_cum = ts_xreallocarray(lod->sp_cum, sp_cap, sizeof *lod->sp_cum);
        }
        lod->sp_blk[lod->n_sp] = (uint32_t)b;
        lod->sp_cum[lod->n_sp++] = run;
        if (lod->n_sp > sp_limit) {
            /* too many: dense records for blocks [0, b], then go on densely */
            lod->cnt = alloc_table((nb >> CNT_SHIFT) + 1, sizeof *lod->cnt);
            Counts r = {0, 0, 0, 0};
            for (size_t j = 0, e = 0; j <= b; j++) {
                dense_put(lod->cnt, j, r);
                if (e < lod->n_sp && lod->sp_blk[e] == j) r = lod->sp_cum[e++];
            }
            free(lod->sp_blk);
            free(lod->sp_cum);
            lod->sp_blk = NULL;
            lod->sp_cum = NULL;
            lod->n_sp = 0;
        }
    }
    if (lod->cnt) dense_put(lod->cnt, nb, run); /* counts of all blocks */
    if (up_open) run_close(lod->run, true, up_start, nb);
    if (down_open) run_close(lod->run, false, down_start, nb);

    size_t nsb = nb >> SB_SHIFT, nhb = nsb >> HB_SHIFT, levels = 0, total = 0;
    lod->n_sb = nsb;
    lod->n_hb = nhb;
    lod->sb = alloc_table(nsb, sizeof *lod->sb);
    if (lod->blk_pos) lod->sb_pos = alloc_table(nsb, sizeof *lod->sb_pos);
    group_up(lod->blk, lod->blk_pos, SB_SHIFT, nsb, lod->sb, lod->sb_pos);

    /* Sparse table over full hyperblocks: level 0 groups superblocks. */
    for (size_t w = 1; w <= nhb && levels < MAX_LEVELS; w *= 2) {
        lod->level_off[levels++] = total;
        total += nhb - w + 1;
    }
    lod->n_levels = levels;
    lod->tab = alloc_table(total, sizeof *lod->tab);
    if (lod->blk_pos) lod->tab_pos = alloc_table(total, sizeof *lod->tab_pos);
    group_up(lod->sb, lod->sb_pos, HB_SHIFT, nhb, lod->tab, lod->tab_pos);
    for (size_t k = 1, half = 1; k < levels; k++, half *= 2) {
        const MinMax *below = lod->tab + lod->level_off[k - 1];
        MinMax *here = lod->tab + lod->level_off[k];
        size_t len = nhb - 2 * half + 1;
        for (size_t i = 0; i < len; i++) {
            here[i].min = below[i].min < below[i + half].min ? below[i].min : below[i + half].min;
            here[i].max = below[i].max > below[i + half].max ? below[i].max : below[i + half].max;
        }
        if (lod->tab_pos) {
            const double *pb = lod->tab_pos + lod->level_off[k - 1];
            double *ph = lod->tab_pos + lod->level_off[k];
            for (size_t i = 0; i < len; i++) ph[i] = pb[i] < pb[i + half] ? pb[i] : pb[i + half];
        }
    }
}

/* The segment scan reads only x; the summaries read only y: on a large
 * series they run side by side. */
typedef struct SegJob {
    const TsLod *lod;
    SegOut out;
} SegJob;

static void *segments_main(void *arg) {
    SegJob *job = arg;
    build_segments(job->lod, &job->out);
    return NULL;
}

static TsLod *lod_new(const int64_t *xi, const double *xd, const double *y, size_t n) {
    TsLod *lod = ts_xcalloc(1, sizeof *lod);
    lod->n = n;
    lod->xi = xi;
    lod->xd = xi ? NULL : xd;
    lod->y = y;
    SegJob job = {lod, {NULL, 0, 0, false}};
    bool threaded = false;
    pthread_t thr;
    if (n >= LOD_THREAD_MIN) {
        /* the helper takes no signal: they stay with the caller's threads */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        threaded = pthread_create(&thr, NULL, segments_main, &job) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (!threaded) build_segments(lod, &job.out);
    build_tables(lod);
    if (threaded) pthread_join(thr, NULL);
    if (!job.out.ok) build_segments(lod, &job.out); /* out of memory: once more, here */
    if (!job.out.ok) ts_die("out of memory (segments of %zu points)", n);
    lod->segs = job.out.segs;
    lod->n_segs = job.out.n_segs;
    lod->skipped = job.out.skipped;
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
    free(lod->bflag);
    free(lod->run);
    free(lod->sb);
    free(lod->tab);
    free(lod->blk_pos);
    free(lod->sb_pos);
    free(lod->tab_pos);
    free(lod->cnt);
    free(lod->sp_blk);
    free(lod->sp_cum);
    free(lod);
}

/* ---- simple accessors ---- */

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

/* ---- searching x ---- */

/* First i in [lo, hi) with x[i] >= v (strict: x[i] > v), hi when none.
 * Interpolation search: the first probe is at guess g when given, else
 * where v would sit if x were evenly spaced between x[lo] and x[hi - 1]
 * (logged steps usually are: one or two probes), then a gallop outwards
 * and bisection, so uneven x still costs O(log n). */
static size_t bsearch_x(const TsLod *lod, size_t lo, size_t hi, double v, bool strict, size_t g) {
#define BEFORE(i) (strict ? xat(lod, (i)) <= v : xat(lod, (i)) < v)
    if (lo >= hi || !BEFORE(lo)) return lo;
    if (BEFORE(hi - 1)) return hi;
    /* now BEFORE(lo) and !BEFORE(hi - 1): the answer is in (lo, hi - 1] */
    if (g == NO_GUESS) {
        double xl = xat(lod, lo), xh = xat(lod, hi - 1);
        double f = xh > xl ? (v - xl) / (xh - xl) : 0.5;
        if (!(f >= 0.0)) f = 0.0;
        if (f > 1.0) f = 1.0;
        g = lo + (size_t)(f * (double)(hi - 1 - lo));
    }
    if (g <= lo) g = lo + 1;
    if (g >= hi - 1) g = hi - 1;
    if (!BEFORE(g) && BEFORE(g - 1)) return g; /* an exact guess (even steps) */
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
    return bsearch_x(lod, lod->segs[k].start, lod->segs[k].end, x, false, NO_GUESS);
}

size_t ts_lod_upper_bound(const TsLod *lod, size_t k, double x) {
    if (k >= lod->n_segs) return lod->n;
    return bsearch_x(lod, lod->segs[k].start, lod->segs[k].end, x, true, NO_GUESS);
}

/* ---- range summaries ---- */

static inline size_t floor_log2(size_t v) {
#if defined(__GNUC__)
    return (size_t)(sizeof(unsigned long long) * 8 - 1) - (size_t)__builtin_clzll((unsigned long long)v);
#else
    size_t k = 0;
    while (v >>= 1) k++;
    return k;
#endif
}

static inline void run_minmax(const MinMax *m, size_t lo, size_t hi, double *mn, double *mx) {
    for (size_t j = lo; j < hi; j++) {
        *mn = m[j].min < *mn ? m[j].min : *mn;
        *mx = m[j].max > *mx ? m[j].max : *mx;
    }
}

static inline double run_min(const double *m, size_t lo, size_t hi, double v) {
    for (size_t j = lo; j < hi; j++) v = m[j] < v ? m[j] : v;
    return v;
}

/* The pieces of whole blocks [b_lo, b_hi): block runs [b_lo, bl1) and
 * [br0, b_hi), superblock runs [s_lo, sl1) and [sr0, s_hi), and table
 * hyperblocks [h_lo, h_hi) (empty runs have lo == hi). */
typedef struct Pieces {
    size_t b_lo, bl1, br0, b_hi;
    size_t s_lo, sl1, sr0, s_hi;
    size_t h_lo, h_hi;
} Pieces;

static inline void pieces_of(size_t b_lo, size_t b_hi, Pieces *p) {
    p->b_lo = b_lo;
    p->b_hi = b_hi;
    p->s_lo = p->sl1 = p->sr0 = p->s_hi = 0;
    p->h_lo = p->h_hi = 0;
    size_t s_lo = (b_lo + ((size_t)1 << SB_SHIFT) - 1) >> SB_SHIFT, s_hi = b_hi >> SB_SHIFT;
    if (s_lo >= s_hi) {
        p->bl1 = p->br0 = b_hi;
        return;
    }
    p->bl1 = s_lo << SB_SHIFT;
    p->br0 = s_hi << SB_SHIFT;
    p->s_lo = s_lo;
    p->s_hi = s_hi;
    size_t h_lo = (s_lo + ((size_t)1 << HB_SHIFT) - 1) >> HB_SHIFT, h_hi = s_hi >> HB_SHIFT;
    if (h_lo >= h_hi) {
        p->sl1 = p->sr0 = s_hi;
        return;
    }
    p->sl1 = h_lo << HB_SHIFT;
    p->sr0 = h_hi << HB_SHIFT;
    p->h_lo = h_lo;
    p->h_hi = h_hi;
}

static inline bool counts_same(Counts a, Counts b) {
    return a.nonpos == b.nonpos && a.nan == b.nan && a.posinf == b.posinf && a.neginf == b.neginf;
}

static inline bool has_counts(const TsLod *lod) {
    return lod->cnt || lod->n_sp;
}

/* Counts of NaN/+Inf/-Inf/<=0 in blocks [0, b) (b <= n_blocks). */
static Counts counts_before(const TsLod *lod, size_t b) {
    if (lod->cnt) {
        const CountRec *r = &lod->cnt[b >> CNT_SHIFT];
        const uint8_t *c = r->cum[b & 7];
        return (Counts){r->base.nonpos + c[0], r->base.nan + c[1], r->base.posinf + c[2], r->base.neginf + c[3]};
    }
    size_t lo = 0, hi = lod->n_sp; /* listed blocks below b */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lod->sp_blk[mid] < b) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return (Counts){0, 0, 0, 0};
    return lod->sp_cum[lo - 1];
}

/* Adds raw values [s, e) of the full block b to a. A clean block (finite
 * values > 0) only matters for a's minimum (and smallest positive value,
 * which is then the minimum) when its own minimum is below a's smallest
 * positive value, and for a's maximum when its own maximum is above; a
 * monotone clean block gives its part's extremes by the part's ends (and a
 * block end holds the block's minimum or maximum); else only the needed
 * extreme is scanned. Other blocks take the exact loop. In a zoomed-out
 * frame most column edges fall in blocks that need no raw value at all. */
static void acc_partial(const TsLod *lod, size_t b, size_t s, size_t e, Counts before, Counts after, Acc *a) {
    const double *y = lod->y;
    if (!counts_same(before, after)) { /* NaN, infinities or values <= 0 */
        if (before.nan == after.nan && before.posinf == after.posinf && before.neginf == after.neginf)
            acc_raw_finite(a, y, s, e);
        else
            acc_raw_exact(a, y, s, e);
        return;
    }
    const MinMax *m = &lod->blk[b];
    bool need_min = m->min < a->min_pos, need_max = m->max > a->max;
    if (!need_min && !need_max) return;
    unsigned f = lod->bflag[b]; /* read only now: most edges stop above */
    size_t b0 = b << LOD_BLOCK_SHIFT, b1 = b0 + LOD_BLOCK;
    double mn, mx;
    if (f & BLK_UP) {
        mn = s == b0 ? m->min : y[s];
        mx = e == b1 ? m->max : y[e - 1];
    } else if (f & BLK_DOWN) {
        mx = s == b0 ? m->max : y[s];
        mn = e == b1 ? m->min : y[e - 1];
    } else if (need_min && need_max) {
        double mn0 = INFINITY, mn1 = INFINITY, mx0 = -INFINITY, mx1 = -INFINITY;
        size_t i = s;
        for (; i + 2 <= e; i += 2) {
            mn0 = y[i] < mn0 ? y[i] : mn0;
            mn1 = y[i + 1] < mn1 ? y[i + 1] : mn1;
            mx0 = y[i] > mx0 ? y[i] : mx0;
            mx1 = y[i + 1] > mx1 ? y[i + 1] : mx1;
        }
        if (i < e) {
            mn0 = y[i] < mn0 ? y[i] : mn0;
            mx0 = y[i] > mx0 ? y[i] : mx0;
        }
        mn = mn1 < mn0 ? mn1 : mn0;
        mx = mx1 > mx0 ? mx1 : mx0;
    } else if (need_min) {
        double mn0 = INFINITY, mn1 = INFINITY;
        size_t i = s;
        for (; i + 2 <= e; i += 2) {
            mn0 = y[i] < mn0 ? y[i] : mn0;
            mn1 = y[i + 1] < mn1 ? y[i + 1] : mn1;
        }
        if (i < e) mn0 = y[i] < mn0 ? y[i] : mn0;
        mn = mn1 < mn0 ? mn1 : mn0;
        mx = -INFINITY;
    } else {
        double mx0 = -INFINITY, mx1 = -INFINITY;
        size_t i = s;
        for (; i + 2 <= e; i += 2) {
            mx0 = y[i] > mx0 ? y[i] : mx0;
            mx1 = y[i + 1] > mx1 ? y[i + 1] : mx1;
        }
        if (i < e) mx0 = y[i] > mx0 ? y[i] : mx0;
        mx = mx1 > mx0 ? mx1 : mx0;
        mn = INFINITY;
    }
    a->min = mn < a->min ? mn : a->min;
    a->min_pos = mn < a->min_pos ? mn : a->min_pos;
    a->max = mx > a->max ? mx : a->max;
}

/* True when blocks j..last are all in one monotone run (up or down). */
static bool run_covers(const RunLen *run, bool up, size_t j, size_t last) {
    for (;;) {
        size_t l = up ? run[j].up : run[j].down;
        if (l == 0) return false;
        if (j + l > last) return true;
        if (l < 0xFFFF) return false;
        j += l - 1; /* a saturated length: go on from the last block known */
    }
}

/* 1 when [lo, hi) (hi > lo) lies in a non-decreasing run of clean blocks,
 * 2 when in a non-increasing one, else 0. Then its extremes are its end
 * values and it has nothing to count: no table is read. */
static int mono_dir(const TsLod *lod, size_t lo, size_t hi) {
    if (!lod->run) return 0;
    size_t b0 = lo >> LOD_BLOCK_SHIFT, b1 = (hi - 1) >> LOD_BLOCK_SHIFT;
    if (b1 >= lod->n_blocks) return 0;
    if (run_covers(lod->run, true, b0, b1)) return 1;
    if (run_covers(lod->run, false, b0, b1)) return 2;
    return 0;
}

/* A range query in two steps, so that ts_lod_columns can fetch what the
 * second step reads while it works on other columns. */
typedef struct RangeState {
    size_t lo, hi;
    size_t b_lo, b_hi;  /* whole blocks; b_lo >= b_hi: raw values only */
    int mono;           /* mono_dir() */
    bool skip_l, skip_r; /* an end that cannot change min, max or counts */
    double mn;          /* minimum of the whole blocks read */
    double tpos;        /* smallest value > 0 of the table part (NaN: not read) */
    Pieces p;
    Counts c[4];        /* counts before blocks b_lo - 1, b_lo, b_hi, b_hi + 1 */
    Acc a;
} RangeState;

/* Whether hyperblock h (a table entry of level 0) lies inside the table
 * part's min..max and does not hold a smaller positive value. */
static bool hyper_covered(const TsLod *lod, size_t h, double mn, double mx, RangeState *st) {
    const MinMax *e = &lod->tab[h];
    if (e->min < mn || e->max > mx) return false;
    if (mn > 0 || !lod->tab_pos) return true; /* then e->min > 0 is its smallest positive value */
    if (isnan(st->tpos)) {
        const Pieces *p = &st->p;
        size_t k = floor_log2(p->h_hi - p->h_lo);
        const double *lv = lod->tab_pos + lod->level_off[k];
        double l = lv[p->h_lo], r = lv[p->h_hi - ((size_t)1 << k)];
        st->tpos = l < r ? l : r;
    }
    return lod->tab_pos[h] >= st->tpos;
}

/* Step 1: monotone runs, counts and the table part of [lo, hi). When the
 * table part covers hyperblocks and an end's hyperblock cannot change the
 * result (noise around a level: most ends of a zoomed-out frame), that
 * end is skipped: no superblock, block or raw value of it is read. */
static void range_head(const TsLod *lod, size_t lo, size_t hi, bool try_skip, RangeState *st) {
    st->lo = lo;
    st->hi = hi;
    st->b_lo = (lo + LOD_BLOCK - 1) >> LOD_BLOCK_SHIFT;
    st->b_hi = hi >> LOD_BLOCK_SHIFT;
    st->mono = 0;
    st->skip_l = st->skip_r = false;
    st->mn = INFINITY;
    st->tpos = NAN;
    if (hi <= lo) return;
    if ((st->mono = mono_dir(lod, lo, hi)) != 0) return;
    size_t b_lo = st->b_lo, b_hi = st->b_hi;
    if (b_lo >= b_hi) return;
    Pieces *p = &st->p;
    pieces_of(b_lo, b_hi, p);
    Acc *a = &st->a;
    /* counts before blocks b_lo - 1, b_lo, b_hi, b_hi + 1 (all zero when
     * the series has nothing to count) */
    Counts zero = {0, 0, 0, 0};
    st->c[0] = st->c[1] = st->c[2] = st->c[3] = zero;
    bool left = lo < b_lo << LOD_BLOCK_SHIFT, right = b_hi << LOD_BLOCK_SHIFT < hi && b_hi < lod->n_blocks;
    if (has_counts(lod)) {
        Counts c_lo = counts_before(lod, b_lo), c_hi = counts_before(lod, b_hi);
        a->n_nonpos += c_hi.nonpos - c_lo.nonpos;
        a->n_nan += c_hi.nan - c_lo.nan;
        a->n_posinf += c_hi.posinf - c_lo.posinf;
        a->n_neginf += c_hi.neginf - c_lo.neginf;
        st->c[0] = left ? counts_before(lod, b_lo - 1) : c_lo;
        st->c[1] = c_lo;
        st->c[2] = c_hi;
        st->c[3] = right ? counts_before(lod, b_hi + 1) : c_hi;
    }
    double mn = INFINITY, mx = -INFINITY;
    if (p->h_lo < p->h_hi) {
        size_t k = floor_log2(p->h_hi - p->h_lo);
        const MinMax *lv = lod->tab + lod->level_off[k];
        const MinMax *l = &lv[p->h_lo], *r = &lv[p->h_hi - ((size_t)1 << k)];
        mn = l->min < r->min ? l->min : r->min;
        mx = l->max > r->max ? l->max : r->max;
        /* an end inside hyperblock h_lo - 1 (h_hi), with a clean partial block */
        if (try_skip && lo < p->h_lo << HYPER_SHIFT && counts_same(st->c[0], st->c[1]))
            st->skip_l = hyper_covered(lod, p->h_lo - 1, mn, mx, st);
        if (try_skip && p->h_hi << HYPER_SHIFT < hi && p->h_hi < lod->n_hb && counts_same(st->c[2], st->c[3]))
            st->skip_r = hyper_covered(lod, p->h_hi, mn, mx, st);
    }
    st->mn = mn;
    a->min = mn < a->min ? mn : a->min;
    a->max = mx > a->max ? mx : a->max;
}

/* Step 2: the superblock and block runs of the ends not skipped. */
static void range_runs(const TsLod *lod, RangeState *st) {
    if (st->mono || st->hi <= st->lo || st->b_lo >= st->b_hi) return;
    const Pieces *p = &st->p;
    double mn = st->mn, mx = -INFINITY;
    if (!st->skip_l) {
        run_minmax(lod->sb, p->s_lo, p->sl1, &mn, &mx);
        run_minmax(lod->blk, p->b_lo, p->bl1, &mn, &mx);
    }
    if (!st->skip_r) {
        run_minmax(lod->sb, p->sr0, p->s_hi, &mn, &mx);
        run_minmax(lod->blk, p->br0, p->b_hi, &mn, &mx);
    }
    st->mn = mn;
    Acc *a = &st->a;
    a->min = mn < a->min ? mn : a->min;
    a->max = mx > a->max ? mx : a->max;
}

/* Step 3: the smallest positive value of the whole blocks, then the
 * partial blocks at the two ends (or the raw values of a short range). */
static void range_finish(const TsLod *lod, RangeState *st) {
    Acc *a = &st->a;
    size_t lo = st->lo, hi = st->hi, b_lo = st->b_lo, b_hi = st->b_hi;
    if (hi <= lo) return;
    if (st->mono) {
        /* a clean monotone run: extremes at the ends, nothing to count */
        const double *y = lod->y;
        double mn = st->mono == 1 ? y[lo] : y[hi - 1], mx = st->mono == 1 ? y[hi - 1] : y[lo];
        a->min = mn < a->min ? mn : a->min;
        a->max = mx > a->max ? mx : a->max;
        a->min_pos = mn < a->min_pos ? mn : a->min_pos;
        return;
    }
    if (b_lo >= b_hi) {
        acc_raw(a, lod->y, lo, hi);
        return;
    }
    /* Smallest positive value of the blocks read: their minimum when that
     * is positive (or there is none), else from its own tables; a skipped
     * end holds none below the table part's. */
    double mn = st->mn, mp = INFINITY;
    if (mn > 0) {
        mp = mn;
    } else if (lod->blk_pos) {
        const Pieces *p = &st->p;
        if (p->h_lo < p->h_hi) {
            if (isnan(st->tpos)) {
                size_t k = floor_log2(p->h_hi - p->h_lo);
                const double *lv = lod->tab_pos + lod->level_off[k];
                double l = lv[p->h_lo], r = lv[p->h_hi - ((size_t)1 << k)];
                st->tpos = l < r ? l : r;
            }
            mp = st->tpos;
        }
        if (!st->skip_l) {
            mp = run_min(lod->sb_pos, p->s_lo, p->sl1, mp);
            mp = run_min(lod->blk_pos, p->b_lo, p->bl1, mp);
        }
        if (!st->skip_r) {
            mp = run_min(lod->sb_pos, p->sr0, p->s_hi, mp);
            mp = run_min(lod->blk_pos, p->br0, p->b_hi, mp);
        }
    }
    a->min_pos = mp < a->min_pos ? mp : a->min_pos;
    size_t left_end = b_lo << LOD_BLOCK_SHIFT, right_start = b_hi << LOD_BLOCK_SHIFT;
    if (lo < left_end && !st->skip_l) acc_partial(lod, b_lo - 1, lo, left_end, st->c[0], st->c[1], a);
    if (right_start < hi && !st->skip_r) {
        if (b_hi < lod->n_blocks) acc_partial(lod, b_hi, right_start, hi, st->c[2], st->c[3], a);
        else acc_raw(a, lod->y, right_start, hi); /* the tail after the last full block */
    }
}

static void acc_range(const TsLod *lod, size_t lo, size_t hi, Acc *a) {
    if (hi <= lo) return;
    if ((lo + LOD_BLOCK - 1) >> LOD_BLOCK_SHIFT >= hi >> LOD_BLOCK_SHIFT) {
        acc_raw(a, lod->y, lo, hi); /* no whole block */
        return;
    }
    RangeState st;
    st.a = *a;
    range_head(lod, lo, hi, true, &st);
    range_runs(lod, &st);
    range_finish(lod, &st);
    *a = st.a;
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
    size_t hi = k < lod->n_segs ? bsearch_x(lod, lo, lod->segs[k].end, x1, true, NO_GUESS) : lo;
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

/* ---- columns: many ranges, their memory fetched together ---- */

/* Prefetches the cache lines from address a to address b (inclusive), at
 * most 256 bytes apart. */
PREFETCH_FN void prefetch_span(const void *a, const void *b) {
    const char *p = a, *e = b;
    PREFETCH(p);
    PREFETCH(p + 64 < e ? p + 64 : e);
    PREFETCH(p + 128 < e ? p + 128 : e);
    PREFETCH(p + 192 < e ? p + 192 : e);
    PREFETCH(e);
}

PREFETCH_FN void prefetch_x(const TsLod *lod, size_t i) {
    if (lod->xi) PREFETCH(&lod->xi[i]);
    else PREFETCH(&lod->xd[i]);
}

/* Prefetches what range_head and col_from_acc read for [lo, hi); when the
 * last column looked at was monotone (mono_hint), only what a monotone
 * column reads. */
PREFETCH_FN void prefetch_head(const TsLod *lod, size_t lo, size_t hi, bool mono_hint, bool skip_hint) {
    if (hi <= lo) return;
    const double *y = lod->y;
    PREFETCH(&y[lo]);
    PREFETCH(&y[hi - 1]);
    prefetch_x(lod, hi - 1);
    if (lod->run && lo >> LOD_BLOCK_SHIFT < lod->n_blocks) {
        PREFETCH(&lod->run[lo >> LOD_BLOCK_SHIFT]);
        if (mono_hint) return;
    }
    size_t b_lo = (lo + LOD_BLOCK - 1) >> LOD_BLOCK_SHIFT, b_hi = hi >> LOD_BLOCK_SHIFT;
    if (b_lo >= b_hi) {
        prefetch_span(&y[lo], &y[hi - 1]);
        return;
    }
    if (lod->cnt) {
        PREFETCH(&lod->cnt[(b_lo - (b_lo > 0)) >> CNT_SHIFT]);
        PREFETCH(&lod->cnt[b_lo >> CNT_SHIFT]);
        PREFETCH(&lod->cnt[b_hi >> CNT_SHIFT]);
        PREFETCH(&lod->cnt[(b_hi + (b_hi < lod->n_blocks)) >> CNT_SHIFT]);
    }
    size_t h_lo = (lo + ((size_t)1 << HYPER_SHIFT) - 1) >> HYPER_SHIFT, h_hi = hi >> HYPER_SHIFT;
    if (h_lo < h_hi) {
        size_t k = floor_log2(h_hi - h_lo), off = lod->level_off[k];
        PREFETCH(&lod->tab[off + h_lo]);
        PREFETCH(&lod->tab[off + h_hi - ((size_t)1 << k)]);
        if (skip_hint && h_lo > 0) PREFETCH(&lod->tab[h_lo - 1]);
        if (skip_hint && h_hi < lod->n_hb) PREFETCH(&lod->tab[h_hi]);
    }
}

/* After range_head: prefetches the runs of the ends not skipped, their
 * partial blocks (raw values and flags) and, when it will be read, the
 * smallest-positive-value tables. */
PREFETCH_FN void prefetch_rest(const TsLod *lod, const RangeState *st) {
    size_t lo = st->lo, hi = st->hi, b_lo = st->b_lo, b_hi = st->b_hi;
    if (st->mono || hi <= lo || b_lo >= b_hi) return;
    const Pieces *p = &st->p;
    const double *y = lod->y;
    size_t left_end = b_lo << LOD_BLOCK_SHIFT, right_start = b_hi << LOD_BLOCK_SHIFT;
    bool pos = lod->blk_pos && !(st->mn > 0);
    if (!st->skip_l) {
        if (p->s_lo < p->sl1) prefetch_span(&lod->sb[p->s_lo], &lod->sb[p->sl1 - 1]);
        size_t first_b = lo < left_end ? b_lo - 1 : b_lo;
        prefetch_span(&lod->blk[first_b], &lod->blk[p->bl1 > first_b ? p->bl1 - 1 : first_b]);
        if (lo < left_end) {
            PREFETCH(&lod->bflag[b_lo - 1]);
            prefetch_span(&y[lo], &y[left_end - 1]);
        }
        if (pos) {
            if (p->s_lo < p->sl1) prefetch_span(&lod->sb_pos[p->s_lo], &lod->sb_pos[p->sl1 - 1]);
            if (p->b_lo < p->bl1) prefetch_span(&lod->blk_pos[p->b_lo], &lod->blk_pos[p->bl1 - 1]);
        }
    }
    if (!st->skip_r) {
        if (p->sr0 < p->s_hi) prefetch_span(&lod->sb[p->sr0], &lod->sb[p->s_hi - 1]);
        size_t last_b = right_start < hi && b_hi < lod->n_blocks ? b_hi : b_hi - 1;
        prefetch_span(&lod->blk[p->br0 < last_b ? p->br0 : last_b], &lod->blk[last_b]);
        if (right_start < hi) {
            if (b_hi < lod->n_blocks) PREFETCH(&lod->bflag[b_hi]);
            prefetch_span(&y[right_start], &y[hi - 1]);
        }
        if (pos) {
            if (p->sr0 < p->s_hi) prefetch_span(&lod->sb_pos[p->sr0], &lod->sb_pos[p->s_hi - 1]);
            if (p->br0 < p->b_hi) prefetch_span(&lod->blk_pos[p->br0], &lod->blk_pos[p->b_hi - 1]);
        }
    }
    if (pos && p->h_lo < p->h_hi && isnan(st->tpos)) {
        size_t k = floor_log2(p->h_hi - p->h_lo), off = lod->level_off[k];
        PREFETCH(&lod->tab_pos[off + p->h_lo]);
        PREFETCH(&lod->tab_pos[off + p->h_hi - ((size_t)1 << k)]);
    }
}

void ts_lod_columns(const TsLod *lod, size_t k, const double *edges, size_t ncols, TsLodCol *out) {
    if (ncols == 0) return;
    if (k >= lod->n_segs) {
        for (size_t c = 0; c < ncols; c++) ts_lod_query_index(lod, lod->n, lod->n, &out[c]);
        return;
    }
    size_t start = lod->segs[k].start, end = lod->segs[k].end;
    /* Where an edge would fall if x were evenly spaced over the segment. */
    double xs = xat(lod, start), span = (double)(end - 1 - start);
    double xe = xat(lod, end - 1), scale = xe > xs ? span / (xe - xs) : 0.0;
    if (end - start <= SMALL_SEGMENT) {
        /* all in cache: no prefetching, one column after the other */
        size_t lo = bsearch_x(lod, start, end, edges[0], false, NO_GUESS);
        for (size_t c = 0; c < ncols; c++) {
            double f = (edges[c + 1] - xs) * scale;
            if (!(f >= 0.0)) f = 0.0;
            if (f > span) f = span;
            size_t hi = bsearch_x(lod, lo, end, edges[c + 1], c + 1 == ncols, start + (size_t)f);
            Acc a;
            acc_init(&a);
            acc_range(lod, lo, hi, &a);
            col_from_acc(lod, lo, hi, &a, &out[c]);
            lo = hi;
        }
        return;
    }
    /* A pipeline over the columns, so that the cache misses of several
     * columns overlap. At step t: edge t + 1 + GUESS_AHEAD is guessed
     * (its x fetched); edge t + 1 is found exactly (what the head of its
     * column reads fetched); column t + 1 - HEAD_AHEAD gets its head (what
     * the rest reads fetched); column t + 1 - FINISH_AHEAD is finished. */
    size_t ring[RING];
    RangeState st[RING];
    /* Hints from the columns just looked at: monotone (fetch no table);
     * an end skipped (so try again; else only every SKIP_RETRY columns:
     * the check reads a table entry of its own) */
    bool mono_hint = false, skip_hint = true;
    ring[0] = bsearch_x(lod, start, end, edges[0], false, NO_GUESS);
    for (size_t t = 0; t + 1 < ncols + FINISH_AHEAD; t++) {
        for (size_t g = t == 0 ? 1 : t + 1 + GUESS_AHEAD; g <= t + 1 + GUESS_AHEAD && g <= ncols; g++) {
            double f = (edges[g] - xs) * scale;
            if (!(f >= 0.0)) f = 0.0;
            if (f > span) f = span;
            ring[g % RING] = start + (size_t)f;
            prefetch_x(lod, ring[g % RING]);
        }
        size_t e = t + 1;
        if (e <= ncols) {
            size_t lo = ring[(e - 1) % RING];
            ring[e % RING] = bsearch_x(lod, lo, end, edges[e], e == ncols, ring[e % RING]);
            prefetch_head(lod, lo, ring[e % RING], mono_hint, skip_hint);
        }
        if (t + 1 >= HEAD_AHEAD && t + 1 - HEAD_AHEAD < ncols) {
            size_t c = t + 1 - HEAD_AHEAD;
            RangeState *s = &st[c % RING];
            acc_init(&s->a);
            bool try_skip = skip_hint || c % SKIP_RETRY == 0;
            range_head(lod, ring[c % RING], ring[(c + 1) % RING], try_skip, s);
            mono_hint = s->mono != 0;
            if (try_skip) skip_hint = s->skip_l || s->skip_r;
            prefetch_rest(lod, s);
        }
        if (t + 1 >= FINISH_AHEAD && t + 1 - FINISH_AHEAD < ncols) {
            size_t c = t + 1 - FINISH_AHEAD;
            RangeState *s = &st[c % RING];
            range_runs(lod, s);
            range_finish(lod, s);
            col_from_acc(lod, s->lo, s->hi, &s->a, &out[c]);
        }
    }
}
