/* bench_runset.c - opening many runs: 500 small archives written with the
 * writer, found with ts_source_find and opened (metadata only) through the
 * run index; then the pure run-list work (filter, sort, seed groups,
 * sparklines) and a seed band over the group.
 * Layer: tests (bench). License: MIT.
 *
 * usage: bench_runset [runs] [rows]   (defaults 500 and 200; files in a fresh
 * folder under $TS_TMP or /tmp, deleted afterwards). The target: the run
 * list of 500 runs shows in under a second. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trajscope/compare.h"
#include "trajscope/run.h"
#include "trajscope/runset.h"
#include "trajscope/source.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Resident set size now, in MB (from /proc/self/statm; NAN when unknown). */
static double rss_mb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    bool ok = f && fscanf(f, "%ld %ld", &pages, &resident) == 2;
    if (f) fclose(f);
    return ok ? (double)resident * (double)sysconf(_SC_PAGESIZE) / 1e6 : NAN;
}

static int die(const char *what, const TsErr *err) {
    fprintf(stderr, "bench_runset: %s: %s\n", what, err ? err->msg : "failed");
    return 1;
}

/* One archive like a small sweep member: config (lr, width, seed, opt), a
 * train stream (loss, acc, wall time) of `rows` rows and an eval stream of
 * rows / 10. */
static bool write_run(const char *path, size_t r, size_t rows, TsErr *err) {
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    char name[64];
    snprintf(name, sizeof name, "sweep-lr%zu-seed%zu", r / 5 % 20, r % 5);
    TsWriter *w = ts_writer_create(path, name, &o, err);
    if (!w) return false;
    const char *train[] = {"loss", "acc"};
    const char *eval[] = {"acc"};
    bool ok = ts_writer_set_config_number(w, "lr", 1e-4 * (double)(1 + r / 5 % 20), err) &&
              ts_writer_set_config_int(w, "width", 128, err) &&
              ts_writer_set_config_int(w, "seed", (int64_t)(r % 5), err) &&
              ts_writer_set_config_text(w, "opt", r % 2 ? "adam" : "sgd", err) &&
              ts_writer_add_stream(w, "train", train, 2, TS_STREAM_WALL_TIME, err) &&
              ts_writer_add_stream(w, "eval", eval, 1, TS_STREAM_WALL_TIME, err);
    for (size_t i = 0; ok && i < rows; i++) {
        double v[2] = {2.0 * exp(-(double)i / 50.0) + 0.01 * (double)(r % 7), 1.0 - exp(-(double)i / 80.0)};
        ok = ts_writer_append(w, "train", (int64_t)(i * 10), v, 1.7e9 + (double)i, 0, err);
        if (ok && i % 10 == 0) ok = ts_writer_append(w, "eval", (int64_t)(i * 10), &v[1], 1.7e9 + (double)i, 0, err);
    }
    if (!ok) {
        ts_writer_abort(w);
        return false;
    }
    return ts_writer_close(w, err);
}

int main(int argc, char **argv) {
    size_t n_runs = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 500;
    size_t rows = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 200;
    if (n_runs == 0 || rows == 0) {
        fprintf(stderr, "usage: bench_runset [runs] [rows]\n");
        return 1;
    }
    const char *tmp = getenv("TS_TMP");
    char *dir = ts_xasprintf("%s/bench_runset-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("bench_runset: mkdtemp");
        return 1;
    }
    TsErr err;
    ts_err_clear(&err);
    int rc = 0;

    double t0 = now();
    for (size_t r = 0; r < n_runs; r++) {
        char *path = ts_xasprintf("%s/run%zu.h5", dir, r);
        bool ok = write_run(path, r, rows, &err);
        free(path);
        if (!ok) {
            rc = die("write", &err);
            goto cleanup;
        }
    }
    printf("write %zu archives (%zu train rows each): %.2f s\n", n_runs, rows, now() - t0);

    /* the run list: find + open (metadata only) */
    for (int pass = 0; pass < 3; pass++) {
        bool keep_open = pass == 1; /* passes 1 and 3 snapshot and close; pass 2 keeps all open */
        TsSourceList src = {0};
        double a = now();
        if (!ts_source_find(dir, &src, &err)) {
            rc = die("find", &err);
            goto cleanup;
        }
        double b = now();
        double rss0 = rss_mb();
        TsRunSet *set = ts_runset_new(&src, keep_open);
        size_t slowest_i = 0;
        double slowest = 0.0;
        for (size_t i = 0; i < ts_runset_count(set); i++) {
            double c = now();
            ts_runset_open_some(set, 1);
            double d = now() - c;
            if (d > slowest) slowest = d, slowest_i = i;
        }
        double e = now();
        size_t failed = 0;
        for (size_t i = 0; i < ts_runset_count(set); i++)
            if (ts_runset_state(set, i) != TS_RUNSTATE_READY) failed++;
        printf("pass %d (%s): find %zu runs %.1f ms; open all (metadata) %.1f ms = %.3f ms/run "
               "(slowest %.2f ms, #%zu); failed %zu; list ready in %.1f ms; RSS %+.0f MB while open\n",
               pass + 1, keep_open ? "keep open" : "snapshot+close", src.n, (b - a) * 1e3, (e - b) * 1e3, (e - b) * 1e3 / (double)(src.n ? src.n : 1),
               slowest * 1e3, slowest_i, failed, (e - a) * 1e3, rss_mb() - rss0);

        if (pass == 2) {
            size_t n = ts_runset_count(set);
            TsRunDesc *desc = ts_xmalloc(n * sizeof *desc);
            for (size_t i = 0; i < n; i++) desc[i] = ts_runset_desc(set, i);
            /* filter */
            double f0 = now();
            TsFilter *f = ts_filter_parse("lr<=1e-3 opt=adam run1", &err);
            size_t *keep = ts_xmalloc(n * sizeof *keep);
            size_t kept = 0;
            for (int k = 0; k < 100; k++) kept = ts_filter_select(f, desc, n, keep);
            double f1 = now();
            ts_filter_free(f);
            printf("filter 'lr<=1e-3 opt=adam run1' over %zu runs: %zu kept, %.3f ms per query\n", n, kept,
                   (f1 - f0) * 1e3 / 100);
            /* groups */
            double g0 = now();
            TsSeedGroups groups;
            ts_runset_group_seeds(desc, n, NULL, &groups);
            double g1 = now();
            printf("seed groups: %zu groups from %zu runs in %.3f ms\n", groups.n, n, (g1 - g0) * 1e3);
            /* read the last point of every run's train/loss: sort by last value */
            double l0 = now();
            TsRunSortKey *keys = ts_xmalloc(n * sizeof *keys);
            TsSeries s;
            ts_series_init(&s);
            for (size_t i = 0; i < n; i++) {
                TsRun *run = ts_runset_acquire(set, i, &err);
                long m = run ? ts_run_find_metric(run, "train/loss") : -1;
                TsSeriesStats st;
                if (m >= 0 && ts_run_read(run, (size_t)m, 0, SIZE_MAX, &s, &err)) {
                    ts_series_stats(&s, &st);
                    ts_runset_sort_key(&keys[i], desc[i].name, &st);
                } else {
                    ts_runset_sort_key(&keys[i], desc[i].name, NULL);
                }
                ts_runset_release(set, i);
            }
            double l1 = now();
            size_t *order = ts_xmalloc(n * sizeof *order);
            ts_runset_sort(keys, n, TS_RUNSORT_BEST, true, false, order);
            double l2 = now();
            printf("open, read train/loss + stats, close, for %zu runs: %.1f ms; sort by best: %.3f ms\n", n, (l1 - l0) * 1e3,
                   (l2 - l1) * 1e3);
            /* sparklines of the last series read, 500 times (one per row) */
            TsSparkBucket buckets[40];
            double s0 = now();
            for (size_t i = 0; i < n; i++) ts_compare_sparkline(&s, 40, false, buckets, NULL);
            printf("sparkline (40 buckets, %zu points) x %zu: %.3f ms\n", s.n, n, (now() - s0) * 1e3);
            /* seed band over the first group */
            if (groups.n > 0) {
                TsSeedGroup *g = &groups.items[0];
                TsSeries *ss = ts_xcalloc(g->n_runs, sizeof *ss);
                double **xs = ts_xcalloc(g->n_runs, sizeof *xs);
                TsCurve *cv = ts_xcalloc(g->n_runs, sizeof *cv);
                for (size_t k = 0; k < g->n_runs; k++) {
                    TsRun *run = ts_runset_acquire(set, g->runs[k], &err);
                    long m = run ? ts_run_find_metric(run, "train/loss") : -1;
                    if (m < 0 || !ts_run_read(run, (size_t)m, 0, SIZE_MAX, &ss[k], &err)) continue;
                    xs[k] = ts_xmalloc((ss[k].n ? ss[k].n : 1) * sizeof **xs);
                    TsAlignRun ar = {.series = &ss[k], .wall_start = NAN};
                    ts_compare_align_x(&ar, TS_ALIGN_STEP, 0.0, xs[k]);
                    cv[k] = (TsCurve){xs[k], ss[k].value, ss[k].n};
                }
                TsGroupOptions go;
                ts_compare_group_options_default(&go);
                TsGroupStats gs;
                double b0 = now();
                bool ok = ts_compare_group_stats(cv, g->n_runs, &go, &gs, &err);
                printf("seed band over %zu runs (union grid): %s, %zu points, %.3f ms\n", g->n_runs,
                       ok ? "ok" : err.msg, gs.n, (now() - b0) * 1e3);
                ts_compare_group_stats_free(&gs);
                for (size_t k = 0; k < g->n_runs; k++) {
                    ts_series_free(&ss[k]);
                    free(xs[k]);
                }
                free(ss);
                free(xs);
                free(cv);
            }
            ts_series_free(&s);
            free(order);
            free(keys);
            ts_runset_groups_free(&groups);
            free(keep);
            free(desc);
        }
        ts_runset_free(set);
        ts_source_list_free(&src);
    }

cleanup:
    for (size_t r = 0; r < n_runs; r++) {
        char *path = ts_xasprintf("%s/run%zu.h5", dir, r);
        unlink(path);
        free(path);
    }
    rmdir(dir);
    free(dir);
    return rc;
}
