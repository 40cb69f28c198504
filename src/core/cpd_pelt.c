/* cpd_pelt.c - PELT (Killick, Fearnhead & Eckley 2012) as a resumable run,
 * with functional pruning for the mean cost (FPOP, Maidstone et al. 2017),
 * and binary segmentation.
 * Layer: core (pure). License: MIT.
 *
 * PELT: F(t) = min over candidates s of F(s) + C(s, t) + beta, F(0) = -beta.
 * A candidate s with F(s) + C(s, t) >= F(t) can never be the last change
 * before any T >= t + L (L = minimum segment length), because C(s, T) >=
 * C(s, t) + C(t, T) for these costs (each is a minimum of a -2 log
 * likelihood). With L > 1 the removal therefore waits until T = t + L, which
 * keeps the result exact. */
#include "core/cpd_internal.h"

#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

void cpd_pelt_begin(CpdPelt *p, const CpdCost *c, double beta, size_t min_seg, bool functional) {
    size_t n = c->n;
    if (p->n != n || !p->F) {
        free(p->F);
        free(p->last);
        free(p->pcount);
        p->F = ts_xmalloc((n + 1) * sizeof *p->F);
        p->last = ts_xmalloc((n + 1) * sizeof *p->last);
        p->pcount = NULL;
    }
    p->c = c;
    p->beta = beta;
    p->L = min_seg ? min_seg : 1;
    p->n = n;
    p->nc = 0;
    p->np = 0;
    p->F[0] = -beta;
    p->last[0] = 0;
    for (size_t t = 1; t < p->L && t <= n; t++) {
        p->F[t] = INFINITY;
        p->last[t] = 0;
    }
    p->t = p->L;
    p->done = n < p->L; /* too short to segment at all: one segment */
    p->functional = functional && c->kind == TS_CPD_COST_MEAN && n > 0;
    if (p->functional) {
        if (!p->pcount) p->pcount = ts_xcalloc(n + 1, sizeof *p->pcount);
        /* every segment mean lies within the range of the values */
        p->zmin = INFINITY;
        p->zmax = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            const double *a = c->ps + i * c->stride, *b = a + c->stride;
            double z = cpd_ssum(a, b, 0);
            if (z < p->zmin) p->zmin = z;
            if (z > p->zmax) p->zmax = z;
        }
        double pad = 1e-9 * (p->zmax - p->zmin) + 1e-12;
        p->zmin -= pad;
        p->zmax += pad;
    }
}

static void grow(CpdPelt *p) {
    size_t cap = p->cap ? 2 * p->cap : 64;
    p->cand = ts_xreallocarray(p->cand, cap, sizeof *p->cand);
    p->prune_at = ts_xreallocarray(p->prune_at, cap, sizeof *p->prune_at);
    p->cv = ts_xreallocarray(p->cv, cap, sizeof *p->cv);
    p->cap = cap;
}

/* One segment end T: candidates' values, the minimum, pruning marks.
 * `kind` is a constant at each call site, so each cost gets its own loop. */
static inline __attribute__((always_inline)) size_t pelt_one(CpdPelt *p, size_t T, TsCpdCost kind) {
    const CpdCost *c = p->c;
    const size_t L = p->L;
    size_t s_new = T - L;
    bool fresh = s_new == 0 || s_new >= L;
    CpdCost ck = *c;
    ck.kind = kind;
    double best = INFINITY;
    size_t arg = 0, w = 0;
    const double *F = p->F;
    for (size_t j = 0; j < p->nc; j++) {
        if (p->prune_at[j] <= T) continue;
        size_t s = p->cand[j];
        double v = F[s] + cpd_cost(&ck, s, T);
        p->cand[w] = s;
        p->prune_at[w] = p->prune_at[j];
        p->cv[w] = v;
        if (v < best) {
            best = v;
            arg = s;
        }
        w++;
    }
    p->nc = w;
    if (fresh) { /* the newest admissible candidate: a segmentation may end there */
        if (p->nc == p->cap) grow(p);
        size_t s = s_new;
        double v = F[s] + cpd_cost(&ck, s, T);
        p->cand[w] = s;
        p->prune_at[w] = SIZE_MAX;
        p->cv[w] = v;
        if (v < best) {
            best = v;
            arg = s;
        }
        p->nc = ++w;
    }
    double FT = best + p->beta;
    p->F[T] = FT;
    p->last[T] = arg;
    for (size_t j = 0; j < w; j++)
        if (p->prune_at[j] == SIZE_MAX && p->cv[j] >= FT) p->prune_at[j] = T + L;
    return w;
}

static void piece_push(CpdPelt *p, double lo, double hi, size_t own) {
    if (p->np > 0 && p->nown[p->np - 1] == own) { /* merge with the previous piece */
        p->nhi[p->np - 1] = hi;
        return;
    }
    p->nlo[p->np] = lo;
    p->nhi[p->np] = hi;
    p->nown[p->np] = own;
    p->np++;
}

/* Functional pruning step for the mean cost. The candidate q = T - L enters
 * with f_q(mu) = F(q) + beta + sum_{i in [q, T)} (z_i - mu)^2. Against the
 * owner s of a piece, s stays best exactly where
 *   sum_{i in [s, q)} (z_i - mu)^2 <= F(q) - F(s),
 * an interval around the mean of [s, q); q takes the rest of the piece.
 * Data added later shifts every f_s by the same (z - mu)^2, so a candidate
 * whose set became empty is never optimal again. */
static size_t fpop_one(CpdPelt *p, size_t T) {
    const CpdCost *c = p->c;
    const size_t L = p->L;
    size_t q = T - L, work = 0;
    if (q == 0 || q >= L) {
        size_t old_np = p->np;
        if (p->pcap < 2 * old_np + 2) {
            p->pcap = 2 * old_np + 64;
            p->plo = ts_xreallocarray(p->plo, p->pcap, sizeof *p->plo);
            p->phi = ts_xreallocarray(p->phi, p->pcap, sizeof *p->phi);
            p->pown = ts_xreallocarray(p->pown, p->pcap, sizeof *p->pown);
            p->nlo = ts_xreallocarray(p->nlo, p->pcap, sizeof *p->nlo);
            p->nhi = ts_xreallocarray(p->nhi, p->pcap, sizeof *p->nhi);
            p->nown = ts_xreallocarray(p->nown, p->pcap, sizeof *p->nown);
        }
        p->np = 0; /* rebuild into n* */
        if (old_np == 0) {
            piece_push(p, p->zmin, p->zmax, q);
        } else {
            const double Fq = p->F[q];
            const double *pq = c->ps + q * c->stride;
            for (size_t k = 0; k < old_np; k++) {
                double lo = p->plo[k], hi = p->phi[k];
                size_t s = p->pown[k];
                const double *ps = c->ps + s * c->stride;
                double m = (double)(q - s);
                double ss = cpd_cost(c, s, q);
                double D = Fq - p->F[s] - ss;
                if (!(D >= 0)) {
                    piece_push(p, lo, hi, q);
                    continue;
                }
                double centre = cpd_ssum(ps, pq, 0) / m, r = sqrt(D / m);
                double a = centre - r, b = centre + r;
                if (a < lo) a = lo;
                if (b > hi) b = hi;
                if (a > b) {
                    piece_push(p, lo, hi, q);
                    continue;
                }
                if (lo < a) piece_push(p, lo, a, q);
                piece_push(p, a, b, s);
                if (b < hi) piece_push(p, b, hi, q);
            }
            work += old_np;
        }
        /* swap piece buffers; count pieces per candidate */
        double *t;
        t = p->plo, p->plo = p->nlo, p->nlo = t;
        t = p->phi, p->phi = p->nhi, p->nhi = t;
        size_t *o = p->pown;
        p->pown = p->nown;
        p->nown = o;
        for (size_t j = 0; j < p->nc; j++) p->pcount[p->cand[j]] = 0;
        p->pcount[q] = 0;
        for (size_t k = 0; k < p->np; k++) p->pcount[p->pown[k]]++;
        size_t w = 0;
        for (size_t j = 0; j < p->nc; j++)
            if (p->pcount[p->cand[j]] > 0) p->cand[w++] = p->cand[j];
        p->nc = w;
        if (p->pcount[q] > 0) {
            if (p->nc == p->cap) grow(p);
            p->cand[p->nc++] = q;
        }
    }
    /* F(T): the best of the surviving candidates (ascending s: ties go to the smallest) */
    double best = INFINITY;
    size_t arg = 0;
    for (size_t j = 0; j < p->nc; j++) {
        size_t s = p->cand[j];
        double v = p->F[s] + cpd_cost(c, s, T);
        if (v < best) {
            best = v;
            arg = s;
        }
    }
    p->F[T] = best + p->beta;
    p->last[T] = arg;
    return work + p->nc;
}

size_t cpd_pelt_step(CpdPelt *p, size_t budget) {
    size_t evals = 0;
    while (!p->done && evals < budget) {
        size_t T = p->t;
        if (p->functional) {
            evals += fpop_one(p, T) + 1;
            p->t = T + 1;
            if (p->t > p->n) p->done = true;
            continue;
        }
        switch (p->c->kind) {
        case TS_CPD_COST_MEAN: evals += pelt_one(p, T, TS_CPD_COST_MEAN); break;
        case TS_CPD_COST_MEANVAR: evals += pelt_one(p, T, TS_CPD_COST_MEANVAR); break;
        default: evals += pelt_one(p, T, TS_CPD_COST_SLOPE); break;
        }
        p->t = T + 1;
        if (p->t > p->n) p->done = true;
    }
    return evals;
}

void cpd_pelt_result(const CpdPelt *p, CpdSeg *out) {
    memset(out, 0, sizeof *out);
    out->beta = p->beta;
    size_t n = p->n, m = 0;
    if (n >= p->L)
        for (size_t t = n; t > 0; t = p->last[t])
            if (p->last[t] > 0) m++;
    out->m = m;
    if (m) {
        out->cp = ts_xmalloc(m * sizeof *out->cp);
        size_t k = m;
        for (size_t t = n; t > 0; t = p->last[t])
            if (p->last[t] > 0) out->cp[--k] = p->last[t];
    }
    out->fit = n ? cpd_seg_fit(p->c, out->cp, m) : 0;
}

void cpd_pelt_free(CpdPelt *p) {
    free(p->plo);
    free(p->phi);
    free(p->pown);
    free(p->nlo);
    free(p->nhi);
    free(p->nown);
    free(p->pcount);
    free(p->F);
    free(p->last);
    free(p->cand);
    free(p->prune_at);
    free(p->cv);
    memset(p, 0, sizeof *p);
}

/* ---- binary segmentation ---- */

typedef struct Piece {
    size_t a, b, k; /* [a, b), best split k (valid when gain is finite) */
    double gain;
} Piece;

static Piece best_split(const CpdCost *c, size_t a, size_t b, size_t L) {
    Piece p = {a, b, a, -INFINITY};
    if (b - a < 2 * L) return p;
    double whole = cpd_cost(c, a, b);
    for (size_t k = a + L; k + L <= b; k++) {
        double g = whole - cpd_cost(c, a, k) - cpd_cost(c, k, b);
        if (g > p.gain) {
            p.gain = g;
            p.k = k;
        }
    }
    return p;
}

static int size_cmp(const void *x, const void *y) {
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : (a > b ? 1 : 0);
}

void cpd_binseg(const CpdCost *c, double beta, size_t min_seg, size_t max_cp, CpdSeg *out) {
    memset(out, 0, sizeof *out);
    out->beta = beta;
    size_t L = min_seg ? min_seg : 1, n = c->n;
    size_t cap = 16, np = 0;
    Piece *pc = ts_xmalloc(cap * sizeof *pc);
    if (n) pc[np++] = best_split(c, 0, n, L);
    size_t m = 0, mcap = 0;
    size_t *cp = NULL;
    for (;;) {
        if (max_cp && m >= max_cp) break;
        size_t bi = SIZE_MAX;
        double bg = -INFINITY;
        for (size_t i = 0; i < np; i++)
            if (pc[i].gain > bg) {
                bg = pc[i].gain;
                bi = i;
            }
        if (bi == SIZE_MAX || !(bg > beta)) break;
        Piece p = pc[bi];
        if (m == mcap) {
            mcap = mcap ? 2 * mcap : 16;
            cp = ts_xreallocarray(cp, mcap, sizeof *cp);
        }
        cp[m++] = p.k;
        if (np == cap) {
            cap *= 2;
            pc = ts_xreallocarray(pc, cap, sizeof *pc);
        }
        pc[bi] = best_split(c, p.a, p.k, L);
        pc[np++] = best_split(c, p.k, p.b, L);
    }
    free(pc);
    if (m) qsort(cp, m, sizeof *cp, size_cmp);
    out->m = m;
    out->cp = cp;
    out->fit = n ? cpd_seg_fit(c, cp, m) : 0;
}
