/* bench_cpd.c - change-point detection timings: PELT per cost at 10^4..10^6
 * points on curves with regimes and on a loss-like curve, binary
 * segmentation, BOCPD, CROPS, preprocessing, and PELT's worst case (no
 * change at all). Prints figures; asserts nothing.
 * Layer: tests (bench). License: MIT. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trajscope/cpd.h"

static uint64_t rs = 12345;
static double unif(void) {
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(rs >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void) {
    return sqrt(-2.0 * log(unif())) * cos(2.0 * M_PI * unif());
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef enum Data { REGIMES, LOSS, NOISE } Data;
static const char *const data_names[] = {"regimes", "loss-curve", "pure-noise"};

/* regimes: levels and slopes change every 200..2000 points;
 * loss-curve: 0.05 + 2 exp(-t / (n/8)) with 5% multiplicative noise and a
 * drop to a tenth at 60% (analysed with --log-values);
 * pure-noise: white noise, no change (PELT's worst case). */
static void make(Data d, size_t n, int64_t *step, double *y) {
    rs = 777 + (uint64_t)d;
    double level = 0, slope = 0, v = 0;
    size_t next = 0;
    for (size_t i = 0; i < n; i++) {
        step[i] = (int64_t)i;
        double t = (double)i;
        switch (d) {
        case REGIMES:
            if (i == next) {
                next = i + 200 + (size_t)(1800 * unif());
                level = 4 * gauss();
                slope = 0.002 * gauss();
            }
            v = level + slope * (double)(i % 2000);
            y[i] = v + gauss();
            break;
        case LOSS: {
            double base = 0.05 + 2.0 * exp(-t / ((double)n / 8.0));
            if (i > n * 6 / 10) base *= 0.1;
            y[i] = base * exp(0.05 * gauss());
            break;
        }
        case NOISE: y[i] = gauss(); break;
        }
    }
}

static void run(const char *label, Data d, size_t n, const TsCpdOptions *o) {
    int64_t *step = malloc(n * sizeof *step);
    double *y = malloc(n * sizeof *y);
    make(d, n, step, y);
    TsCpdResult r;
    TsErr err;
    double t0 = now();
    bool ok = ts_cpd_detect(step, y, n, o, &r, &err);
    double dt = now() - t0;
    if (ok) {
        printf("  %-8s %-8s %-11s n=%-8zu %8.3f s   %6zu changes", label, ts_cpd_cost_name(o->cost),
               data_names[d], n, dt, r.n_cp);
        if (r.n_runs > 1) printf("  (%zu PELT runs)", r.n_runs);
        printf("\n");
        ts_cpd_result_free(&r);
    } else {
        printf("  %-8s failed: %s\n", label, err.msg);
    }
    free(step);
    free(y);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    TsCpdOptions o;
    static const size_t sizes[] = {10000, 100000, 1000000};
    printf("PELT, mean cost (functional pruning), default MBIC penalty\n");
    for (size_t k = 0; k < 3; k++) {
        ts_cpd_options_default(&o);
        run("pelt", REGIMES, sizes[k], &o);
        run("pelt", NOISE, sizes[k], &o);
        o.prep.log_values = true;
        run("pelt", LOSS, sizes[k], &o);
    }
    printf("the same with PELT's inequality pruning only (plain_pelt)\n");
    for (size_t k = 0; k < 2; k++) {
        ts_cpd_options_default(&o);
        o.plain_pelt = true;
        run("pelt", REGIMES, sizes[k], &o);
        o.prep.log_values = true;
        run("pelt", LOSS, sizes[k], &o);
    }
    ts_cpd_options_default(&o);
    o.plain_pelt = true;
    run("pelt", NOISE, 20000, &o);
    printf("PELT, meanvar and slope costs (inequality pruning: cost ~ sum of segment lengths^2)\n");
    for (int c = 1; c < TS_CPD_COST_COUNT; c++) {
        for (size_t k = 0; k < 3; k++) {
            ts_cpd_options_default(&o);
            o.cost = (TsCpdCost)c;
            run("pelt", REGIMES, sizes[k], &o);
        }
        for (size_t k = 0; k < 2; k++) {
            ts_cpd_options_default(&o);
            o.cost = (TsCpdCost)c;
            o.prep.log_values = true;
            run("pelt", LOSS, sizes[k], &o);
        }
        ts_cpd_options_default(&o);
        o.cost = (TsCpdCost)c;
        run("pelt", NOISE, 20000, &o);
    }
    printf("the loss curve on a log(step+1) grid of 5000 points, n = 10^6\n");
    for (int c = 0; c < TS_CPD_COST_COUNT; c++) {
        ts_cpd_options_default(&o);
        o.cost = (TsCpdCost)c;
        o.prep.log_values = true;
        o.prep.log_step = true;
        o.prep.grid_points = 5000;
        run("pelt", LOSS, 1000000, &o);
    }
    printf("PELT with --max-cp 5 (several runs)\n");
    ts_cpd_options_default(&o);
    o.max_cp = 5;
    o.prep.log_values = true;
    run("pelt", LOSS, 100000, &o);
    run("pelt", LOSS, 1000000, &o);
    printf("binary segmentation\n");
    for (int c = 0; c < TS_CPD_COST_COUNT; c++)
        for (size_t k = 0; k < 3; k++) {
            ts_cpd_options_default(&o);
            o.method = TS_CPD_BINSEG;
            o.cost = (TsCpdCost)c;
            run("binseg", REGIMES, sizes[k], &o);
        }
    for (int c = 0; c < TS_CPD_COST_COUNT; c++) {
        ts_cpd_options_default(&o);
        o.method = TS_CPD_BINSEG;
        o.cost = (TsCpdCost)c;
        o.prep.log_values = true;
        run("binseg", LOSS, 1000000, &o);
    }
    printf("BOCPD (hazard 1/250, prune 1e-8)\n");
    for (size_t k = 0; k < 3; k++) {
        ts_cpd_options_default(&o);
        o.method = TS_CPD_BOCPD;
        run("bocpd", REGIMES, sizes[k], &o);
    }
    ts_cpd_options_default(&o);
    o.method = TS_CPD_BOCPD;
    run("bocpd", NOISE, 100000, &o);

    printf("CROPS: every optimal segmentation with 0..12 changes\n");
    for (size_t k = 0; k < 2; k++) {
        size_t n = sizes[k + 1];
        int64_t *step = malloc(n * sizeof *step);
        double *y = malloc(n * sizeof *y);
        make(LOSS, n, step, y);
        ts_cpd_options_default(&o);
        o.prep.log_values = true;
        o.max_cp = 12;
        TsCpdCrops cr;
        double t0 = now();
        if (ts_cpd_crops(step, y, n, &o, 0.0, INFINITY, 0, &cr, NULL)) {
            printf("  crops    mean     loss-curve  n=%-8zu %8.3f s   %6zu segmentations, %zu PELT runs\n", n,
                   now() - t0, cr.n, cr.n_runs);
            ts_cpd_crops_free(&cr);
        }
        free(step);
        free(y);
    }
    {
        size_t n = sizes[2];
        int64_t *step = malloc(n * sizeof *step);
        double *y = malloc(n * sizeof *y);
        make(LOSS, n, step, y);
        ts_cpd_options_default(&o);
        o.prep.log_values = true;
        o.prep.log_step = true;
        o.prep.grid_points = 10000;
        o.max_cp = 12;
        TsCpdCrops cr;
        double t0 = now();
        if (ts_cpd_crops(step, y, n, &o, 0.0, INFINITY, 0, &cr, NULL)) {
            printf("  crops    mean     loss-curve  n=%-8zu %8.3f s   %6zu segmentations, %zu PELT runs"
                   " (log-step grid of 10^4)\n", n, now() - t0, cr.n, cr.n_runs);
            ts_cpd_crops_free(&cr);
        }
        free(step);
        free(y);
    }
    printf("job slices: largest single ts_cpd_job_step(budget 200000), regimes n=10^6\n");
    {
        size_t n = 1000000;
        int64_t *step = malloc(n * sizeof *step);
        double *y = malloc(n * sizeof *y);
        make(REGIMES, n, step, y);
        ts_cpd_options_default(&o);
        double t0 = now();
        TsCpdJob *j = ts_cpd_job_new(step, y, n, &o, NULL);
        double prep = now() - t0, worst = 0;
        size_t slices = 0;
        for (;;) {
            double s0 = now();
            bool done = ts_cpd_job_step(j, 200000);
            double ds = now() - s0;
            if (ds > worst) worst = ds;
            slices++;
            if (done) break;
        }
        printf("  job      mean     regimes     n=%-8zu prep %.3f s, %zu slices, longest %.2f ms\n", n, prep,
               slices, 1e3 * worst);
        ts_cpd_job_free(j);
        free(step);
        free(y);
    }
    return 0;
}
