/* bench_lod.c - the min/max pyramid's speed: build time of
 * ts_lod_new_series at 10^7 points (steps 0..n-1, double values; first
 * build in the process, memory fresh from the system, and best of 7) and
 * the cost of one plot frame's column queries (388 dot columns, the
 * explorer's zoom/pan views) at 10^7 vs 10^3 points, for the explorer
 * benchmark's curves.
 * Layer: tests (bench). License: MIT.
 *
 * usage: bench_lod [points]   (default 10000000) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "trajscope/lod.h"
#include "trajscope/series.h"
#include "trajscope/xalloc.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum { KIND_LOSS, KIND_POSITIVE, KIND_ACC, KIND_SIGNED, KINDS };
static const char *const kind_name[] = {"loss (dips <= 0, a spike, a NaN)", "noisy, > 0", "monotone",
                                        "both signs"};

/* The explorer benchmark's curves (bench_tui.c): its loss (which dips
 * below 0 late), the same lifted above 0, its accuracy (monotone), and a
 * noisy curve around 0. */
static void fill(TsSeries *s, size_t n, int kind) {
    for (size_t i = 0; i < n; i++) {
        double x = (double)i / (double)n;
        double v = 2.0 * exp(-5 * x) + 0.05 * sin((double)i * 0.37);
        if (kind == KIND_LOSS && i == n / 3) v = 50.0;
        if (kind == KIND_LOSS && i == n / 2) v = NAN;
        if (kind == KIND_POSITIVE) v += 0.1;
        if (kind == KIND_ACC) v = 1 - exp(-4 * x);
        if (kind == KIND_SIGNED) v -= 0.5;
        s->step[i] = (int64_t)i;
        s->value[i] = v;
    }
}

/* Seconds for the first build and best of 7 more. */
static void build_time(const TsSeries *s, double *first, double *best) {
    *best = INFINITY;
    for (int r = 0; r < 8; r++) {
        double t = now();
        TsLod *lod = ts_lod_new_series(s, NULL, false);
        t = now() - t;
        ts_lod_free(lod);
        if (r == 0) *first = t;
        else if (t < *best) *best = t;
    }
}

/* Seconds per frame of ncols columns over the explorer's zoom/pan views
 * (whole, halves, quarters at several centres), best mean of 7 rounds;
 * one y-range query per frame as the plot does. */
static double frame_time(const TsLod *lod, size_t ncols, int frames) {
    size_t s, e;
    ts_lod_segment(lod, 0, &s, &e);
    double x0 = ts_lod_x(lod, s), x1 = ts_lod_x(lod, e - 1);
    double *edges = ts_xmalloc((ncols + 1) * sizeof *edges);
    TsLodCol *cols = ts_xmalloc(ncols * sizeof *cols);
    static const double views[][2] = {{0, 1},     {0.25, 0.75}, {0.5, 1},       {0.375, 0.625}, {0.4, 0.65},
                                      {0.2, 0.7}, {0.1, 0.6},   {0.125, 0.375}, {0.6, 0.85},    {0, 1}};
    size_t nv = sizeof views / sizeof views[0];
    double best = INFINITY, sink = 0;
    for (int round = 0; round < 7; round++) {
        double t = now();
        for (int f = 0; f < frames; f++) {
            double a = x0 + (x1 - x0) * views[f % nv][0], b = x0 + (x1 - x0) * views[f % nv][1];
            TsLodCol all;
            ts_lod_query(lod, 0, a, b, &all);
            for (size_t c = 0; c <= ncols; c++) edges[c] = a + (b - a) * (double)c / (double)ncols;
            ts_lod_columns(lod, 0, edges, ncols, cols);
            sink += cols[ncols / 2].max + all.max;
        }
        t = (now() - t) / frames;
        if (t < best) best = t;
    }
    if (sink == 42.0) printf(" ");
    free(edges);
    free(cols);
    return best;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000;
    if (n < 1000) n = 1000;
    TsSeries big, small;
    ts_series_init(&big);
    ts_series_init(&small);
    ts_series_alloc(&big, n, false);
    ts_series_alloc(&small, 1000, false);
    for (int kind = 0; kind < KINDS; kind++) {
        double first = 0, best = 0;
        fill(&big, n, kind);
        build_time(&big, &first, &best);
        printf("ts_lod_new_series, %zu points, %s: first %.1f ms, best %.1f ms\n", n, kind_name[kind], first * 1e3,
               best * 1e3);
    }
    size_t ncols = 388;
    for (int kind = 0; kind < KINDS; kind++) {
        fill(&big, n, kind);
        fill(&small, 1000, kind);
        TsLod *lb = ts_lod_new_series(&big, NULL, false), *ls = ts_lod_new_series(&small, NULL, false);
        double tb = frame_time(lb, ncols, 300), ts = frame_time(ls, ncols, 300);
        printf("frame of %zu columns (zoom/pan views), %s: %zu points %.1f us, 1000 points %.1f us, ratio %.2f\n",
               ncols, kind_name[kind], n, tb * 1e6, ts * 1e6, tb / ts);
        ts_lod_free(lb);
        ts_lod_free(ls);
    }
    ts_series_free(&big);
    ts_series_free(&small);
    return 0;
}
