/* bench_plot.c - plot speed: lod build on 10^7 points, frame time at 200x50
 * for 10^3 vs 10^7 points (must stay within 2x), and `plot` end to end
 * (open + read + lod + render) on a 10^7-point archive.
 * Layer: tests (bench). License: MIT.
 *
 * usage: bench_plot [points]   (default 10000000; the archives go to
 * $TS_TMP or /tmp and are deleted afterwards). Frame times are medians,
 * end-to-end times the best of three, so a busy machine disturbs them
 * less. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trajscope/lod.h"
#include "trajscope/plot.h"
#include "trajscope/run.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double loss_at(size_t i) {
    return 2.0 * exp(-(double)i / 2e6) + 0.05 * sin((double)i * 0.37) + 1e-3 * (double)(i % 97);
}

typedef struct Data {
    size_t n;
    int64_t *step;
    double *y;
} Data;

/* n points of the same 10^7-step training curve (a small series is the
 * same curve logged less often), with a one-sample spike and a NaN. */
static Data make_data(size_t n, size_t span) {
    Data d = {n, ts_xmalloc(n * sizeof(int64_t)), ts_xmalloc(n * sizeof(double))};
    size_t every = span / n;
    for (size_t i = 0; i < n; i++) {
        d.step[i] = (int64_t)(i * every);
        d.y[i] = loss_at(i * every);
    }
    d.y[n / 3] = 50.0;
    d.y[n / 2] = NAN;
    return d;
}

static void free_data(Data *d) {
    free(d->step);
    free(d->y);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median seconds per frame over `frames` renders of assorted viewports
 * (the median, because the machine may be shared). */
static double frame_time(const Data *d, const TsLod *lod, int frames, TsCanvasMode mode) {
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 200, 50);
    TsPlotSeries s = {lod, ts_style_series(0), "train/loss", false};
    TsPlotSpec spec;
    memset(&spec, 0, sizeof spec);
    spec.series = &s;
    spec.n_series = 1;
    spec.mode = mode;
    spec.has_cursor = true;
    double first = (double)d->step[0], last = (double)d->step[d->n - 1];
    double *t = ts_xmalloc((size_t)frames * sizeof *t);
    for (int f = 0; f < frames; f++) {
        /* full view, zoomed views (down to 1/2048 of the run), log x */
        double width = (last - first) * pow(0.5, f % 12);
        spec.x0 = first + (last - first - width) * ((f * 37) % 100) / 100.0;
        spec.x1 = spec.x0 + width;
        spec.logx = f % 5 == 4;
        spec.cursor_x = (spec.x0 + spec.x1) / 2;
        double t0 = now();
        ts_plot_render(&spec, &buf, (TsRect){0, 0, 200, 50}, NULL);
        t[f] = now() - t0;
    }
    qsort(t, (size_t)frames, sizeof *t, cmp_double);
    double median = t[frames / 2];
    free(t);
    ts_cellbuf_fini(&buf);
    return median;
}

static int end_to_end(size_t n, int deflate) {
    const char *dir = getenv("TS_TMP");
    char *path = ts_xasprintf("%s/bench_plot-%ld.h5", dir && *dir ? dir : "/tmp", (long)getpid());
    TsErr err;
    ts_err_clear(&err);
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    o.deflate_level = deflate;
    double t0 = now();
    TsWriter *w = ts_writer_create(path, "bench", &o, &err);
    const char *cols[] = {"loss"};
    if (!w || !ts_writer_add_stream(w, "train", cols, 1, TS_STREAM_WALL_TIME, &err)) {
        fprintf(stderr, "bench_plot: %s\n", err.msg);
        free(path);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        double v = i == n / 3 ? 50.0 : loss_at(i);
        if (!ts_writer_append(w, "train", (int64_t)i, &v, 1.7e9 + (double)i * 0.01, 0, &err)) {
            fprintf(stderr, "bench_plot: %s\n", err.msg);
            ts_writer_abort(w);
            free(path);
            return 1;
        }
    }
    if (!ts_writer_close(w, &err)) {
        fprintf(stderr, "bench_plot: %s\n", err.msg);
        free(path);
        return 1;
    }
    printf("  archive of %zu points (deflate %d, wall times) written in %.2f s (not part of the figure below)\n", n,
           deflate, now() - t0);

    double best = INFINITY, t_open = 0, t_read = 0, t_lod = 0, t_render = 0;
    for (int rep = 0; rep < 3; rep++) {
        double a = now();
        TsRun *run = ts_run_open(path, &err);
        if (!run) {
            fprintf(stderr, "bench_plot: %s\n", err.msg);
            unlink(path);
            free(path);
            return 1;
        }
        long mi = ts_run_find_metric(run, "train/loss");
        double b = now();
        TsSeries s;
        ts_series_init(&s);
        if (mi < 0 || !ts_run_read(run, (size_t)mi, 0, SIZE_MAX, &s, &err)) {
            fprintf(stderr, "bench_plot: read failed: %s\n", err.msg);
            ts_run_free(run);
            unlink(path);
            free(path);
            return 1;
        }
        double c = now();
        TsLod *lod = ts_lod_new_series(&s, NULL, false);
        double d = now();
        TsCellBuf buf;
        ts_cellbuf_init(&buf, 80, 18);
        TsPlotSeries ps = {lod, ts_style_series(0), "train/loss", false};
        TsPlotSpec spec;
        memset(&spec, 0, sizeof spec);
        spec.series = &ps;
        spec.n_series = 1;
        ts_plot_data_x_range(&ps, 1, &spec.x0, &spec.x1);
        ts_plot_render(&spec, &buf, (TsRect){0, 0, 80, 18}, NULL);
        char *text = ts_cellbuf_to_text(&buf);
        double e = now();
        if (e - a < best) {
            best = e - a;
            t_open = b - a;
            t_read = c - b;
            t_lod = d - c;
            t_render = e - d;
        }
        free(text);
        ts_cellbuf_fini(&buf);
        ts_lod_free(lod);
        ts_series_free(&s);
        ts_run_free(run);
    }
    printf("plot end to end (%zu points, deflate %d, in process, best of 3): %.3f s\n"
           "  open %.3f s, read %.3f s, lod %.3f s, render+text %.4f s  -> %s\n",
           n, deflate, best, t_open, t_read, t_lod, t_render, best < 1.0 ? "ok (< 1 s)" : "SLOW (>= 1 s)");

    const char *bin = getenv("TS_BIN");
    struct stat st;
    if (bin && stat(bin, &st) == 0) {
        char *cmd = ts_xasprintf("'%s' plot '%s' --metric train/loss --width 80 --height 20 >/dev/null", bin, path);
        double a = now();
        int rc = system(cmd);
        printf("  `trajscope plot` process: %.3f s (exit %d)\n", now() - a, rc);
        free(cmd);
    }
    unlink(path);
    free(path);
    return 0;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000;
    if (n < 2000) n = 2000;

    Data big = make_data(n, n);
    double build = INFINITY;
    TsLod *lod_big = NULL;
    for (int rep = 0; rep < 3; rep++) {
        ts_lod_free(lod_big);
        double t0 = now();
        lod_big = ts_lod_new_steps(big.step, big.y, big.n);
        double t = now() - t0;
        if (t < build) build = t;
    }
    printf("lod build, %zu points: %.1f ms (best of 3), %.1f ns/point\n", n, build * 1e3, build * 1e9 / (double)n);

    Data small = make_data(1000, n);
    TsLod *lod_small = ts_lod_new_steps(small.step, small.y, small.n);
    for (int mode = 0; mode < TS_CANVAS_MODE_COUNT; mode++) {
        frame_time(&small, lod_small, 50, (TsCanvasMode)mode); /* warm up */
        double fs = frame_time(&small, lod_small, 1200, (TsCanvasMode)mode);
        double fb = frame_time(&big, lod_big, 1200, (TsCanvasMode)mode);
        printf("frame 200x50 %-7s (median): %zu points %.3f ms, %zu points %.3f ms, ratio %.2f -> %s\n",
               ts_canvas_mode_name((TsCanvasMode)mode), small.n, fs * 1e3, big.n, fb * 1e3, fb / fs,
               fb / fs <= 2.0 ? "ok (<= 2x)" : "over 2x");
    }
    /* The same curve at every size in between: per-frame cost is flat in n
     * (what grows from 10^3 is the memory the queries touch, not their count). */
    printf("frame 200x50 braille by size (median):");
    for (size_t m = 1000; m <= n; m *= 10) {
        Data d = make_data(m, n);
        TsLod *lod = ts_lod_new_steps(d.step, d.y, d.n);
        printf(" %zu: %.3f ms%s", m, frame_time(&d, lod, 1200, TS_CANVAS_BRAILLE) * 1e3, m * 10 <= n ? "," : "\n");
        ts_lod_free(lod);
        free_data(&d);
    }
    ts_lod_free(lod_small);
    ts_lod_free(lod_big);
    free_data(&small);
    free_data(&big);
    /* deflate 4 is the writer's default; 0 shows the cost without decompression */
    int rc = end_to_end(n, 4);
    return rc ? rc : end_to_end(n, 0);
}
