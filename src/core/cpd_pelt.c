/* cpd_pelt.c - PELT (Killick, Fearnhead & Eckley 2012) as a resumable run,
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

void cpd_pelt_begin(CpdPelt *p, const CpdCost *c, double beta, size_t min_seg) {
    size_t n = c->n;
    if (p->n != n || !p->F) {
        free(p->F);
        free(p->last);
        p->F = ts_xmalloc((n + 1) * sizeof *p->F);
        p->last = ts_xmalloc((n + 1) * sizeof *p->last);
    }
    p->c = c;
    p->beta = beta;
    p->L = min_seg ? min_seg : 1;
    p->n = n;
    p->nc = 0;
    p->F[0] = -beta;
    p->last[0] = 0;
    for (size_t t = 1; t < p->L && t <= n; t++) {
        p->F[t] = INFINITY;
        p->last[t] = 0;
    }
    p->t = p->L;
    p->done = n < p->L; /* too short to segment at all: one segment */
}

static void grow(CpdPelt *p) {
    size_t cap = p->cap ? 2 * p->cap : 64;
    p->cand = ts_xreallocarray(p->cand, cap, sizeof *p->cand);
    p->prune_at = ts_xreallocarray(p->prune_at, cap, sizeof *p->prune_at);
    p->cv = ts_xreallocarray(p->cv, cap, sizeof *p->cv);
    p->cap = cap;
}

size_t cpd_pelt_step(CpdPelt *p, size_t budget) {
    size_t evals = 0;
    const CpdCost *c = p->c;
    const size_t L = p->L;
    while (!p->done && evals < budget) {
        size_t T = p->t;
        /* the newest admissible candidate: a segmentation must end there */
        size_t s_new = T - L;
        if (s_new == 0 || s_new >= L) {
            if (p->nc == p->cap) grow(p);
            p->cand[p->nc] = s_new;
            p->prune_at[p->nc] = SIZE_MAX;
            p->nc++;
        }
        double best = INFINITY;
        size_t arg = 0, w = 0;
        for (size_t j = 0; j < p->nc; j++) {
            if (p->prune_at[j] <= T) continue;
            size_t s = p->cand[j];
            double v = p->F[s] + cpd_cost(c, s, T);
            p->cand[w] = s;
            p->prune_at[w] = p->prune_at[j];
            p->cv[w] = v;
            if (v < best) {
                best = v;
                arg = s;
            }
            w++;
        }
        evals += w;
        p->nc = w;
        double FT = best + p->beta;
        p->F[T] = FT;
        p->last[T] = arg;
        for (size_t j = 0; j < w; j++)
            if (p->prune_at[j] == SIZE_MAX && p->cv[j] >= FT) p->prune_at[j] = T + L;
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
