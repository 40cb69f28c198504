/* bench_tui_compare.c - comparing runs in the explorer, headless:
 *  1. a folder of 500 small runs: open (find, metadata of every run) to the
 *     first frame with the run list drawn (sparklines of the rows on
 *     screen), 200x50;
 *  2. overlay of 50 runs of 10^5 points versus one run: frame time while
 *     the cursor moves and while zooming/panning (every panel redrawn),
 *     each curve decimated through its own pyramid;
 *  3. the same 50 runs side by side (6 columns) and as one seed group.
 * Layer: tests (bench). License: MIT.
 *
 * usage: bench_tui_compare [runs] [points]   (defaults 500 and 100000;
 * files go to $TS_TMP or /tmp and are deleted afterwards). */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trajscope/writer.h"
#include "trajscope/xalloc.h"
#include "bench_app.h"
#include "tui/app.h"
#include "tui/app_priv.h"
#include "tui/app_runs.h"

/* One run: train/loss and train/acc (wall time) with n rows; config lr,
 * width and seed (runs k and k + 1 of a pair differ only in the seed). */
static void write_run(const char *path, int k, size_t n) {
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    if (n > 10000) o.chunk_rows = 65536;
    TsErr err;
    char name[32];
    snprintf(name, sizeof name, "run%d", k);
    TsWriter *w = ts_writer_create(path, name, &o, &err);
    if (!w) ts_die("%s", err.msg);
    if (!ts_writer_set_config_number(w, "lr", 1e-3 * (1 + k / 10), &err) ||
        !ts_writer_set_config_int(w, "width", 128, &err) || !ts_writer_set_config_int(w, "seed", k % 10, &err))
        ts_die("%s", err.msg);
    const char *cols[] = {"loss", "acc"};
    if (!ts_writer_add_stream(w, "train", cols, 2, TS_STREAM_WALL_TIME, &err)) ts_die("%s", err.msg);
    double phase = 0.1 * k;
    for (size_t i = 0; i < n; i++) {
        double x = (double)i / (double)n;
        double v[2] = {2.0 * exp(-5 * x) + 0.05 * sin((double)i * 0.37 + phase), 1 - exp(-4 * x)};
        if (!ts_writer_append(w, "train", (int64_t)i, v, 1.7e9 + (double)i * 0.01, 0, &err)) ts_die("%s", err.msg);
    }
    if (!ts_writer_close(w, &err)) ts_die("%s", err.msg);
}

static void write_dir(const char *dir, int runs, size_t n) {
    mkdir(dir, 0755);
    char path[4200];
    for (int k = 0; k < runs; k++) {
        snprintf(path, sizeof path, "%s/run%d.h5", dir, k);
        write_run(path, k, n);
    }
}

static void remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[4400];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}


static size_t shown_series(const TsApp *app) {
    size_t n = 0;
    for (int p = 0; p < app->n_panels; p++) n += app->panels[p].n_series;
    return n;
}

int main(int argc, char **argv) {
    int n_small = argc > 1 ? atoi(argv[1]) : 500;
    size_t n_points = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 100000;
    if (n_small < 2) n_small = 2;
    if (n_points < 1000) n_points = 1000;
    const char *tmp = getenv("TS_TMP");
    if (!tmp || !*tmp) tmp = "/tmp";
    char small[4096], big[4096], one[4200];
    snprintf(small, sizeof small, "%s/bench_cmp_small_%ld", tmp, (long)getpid());
    snprintf(big, sizeof big, "%s/bench_cmp_big_%ld", tmp, (long)getpid());

    /* ---- 1. 500 small runs: open to the run list ---- */
    double t = bench_now();
    write_dir(small, n_small, 200);
    printf("%d runs of 200 rows x 2 metrics written (%.2f s)\n", n_small, bench_now() - t);
    double best = INFINITY, worst = 0;
    for (int round = 0; round < 3; round++) {
        TsCellBuf buf;
        ts_cellbuf_init(&buf, 200, 50);
        t = bench_now();
        TsApp *app = bench_open_app(small, 4);
        ts_app_render(app, &buf);
        double dt = bench_now() - t;
        /* the run list is on screen with the sparklines of its rows */
        const AppRuns *rs = app->rs;
        size_t ready = 0;
        for (size_t i = rs->top; i < rs->n_rows && i < rs->top + (size_t)rs->vis_rows; i++)
            ready += rs->runs[rs->rows[i]].sum.valid && rs->runs[rs->rows[i]].sum.has_data;
        char *text = ts_cellbuf_to_text(&buf);
        if (!strstr(text, "Runs 6/") || !strstr(text, "run0") || rs->vis_rows < 1 || ready != (size_t)rs->vis_rows)
            ts_die("the run list is not on the first frame (%zu sparklines):\n%s", ready, text);
        free(text);
        if (dt < best) best = dt;
        if (dt > worst) worst = dt;
        ts_app_free(app);
        ts_cellbuf_fini(&buf);
    }
    printf("open a folder of %d runs to the first frame with the run list (200x50): best %.3f s, worst %.3f s "
           "(target < 1 s)\n", n_small, best, worst);
    remove_dir(small);

    /* ---- 2. 50 runs of 10^5 points: overlay vs one run ---- */
    int n_big = 50;
    t = bench_now();
    write_dir(big, n_big, n_points);
    printf("%d runs of %zu rows x 2 metrics written (%.2f s)\n", n_big, n_points, bench_now() - t);
    snprintf(one, sizeof one, "%s/run0.h5", big);
    TsApp *a1 = bench_open_app(one, 1);
    TsApp *a50 = bench_open_app(big, 1);
    bench_press(a50, '*'); /* select every run */
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 200, 50);
    t = bench_now();
    ts_app_render(a50, &buf);
    double load50 = bench_now() - t;
    ts_app_render(a1, &buf);
    printf("first frame with %d runs selected (read %d x %zu points, pyramids): %.3f s; curves drawn: %zu\n", n_big,
           n_big, n_points, load50, shown_series(a50));
    int frames = 100;
    double s1 = bench_scrub_time(a1, frames), s50 = bench_scrub_time(a50, frames);
    double v1 = bench_view_time(a1, frames), v50 = bench_view_time(a50, frames);
    printf("frame time 200x50, cursor moves (l . L h ,): 1 run %.3f ms, %d runs overlaid %.3f ms, ratio %.2f\n",
           s1 * 1e3, n_big, s50 * 1e3, s50 / s1);
    printf("frame time 200x50, zoom and pan (every panel redrawn): 1 run %.3f ms, %d runs overlaid %.3f ms "
           "(%.3f ms per curve)\n", v1 * 1e3, n_big, v50 * 1e3, (v50 - v1) / (n_big - 1) * 1e3);

    {
        /* The same overlay of 50 runs with 1000 points each: per-run
         * decimation makes a curve's cost independent of its length. */
        char tiny[4200];
        snprintf(tiny, sizeof tiny, "%s_1k", big);
        write_dir(tiny, n_big, 1000);
        TsApp *at = bench_open_app(tiny, 1);
        bench_press(at, '*');
        ts_app_render(at, &buf);
        double st = bench_scrub_time(at, frames), vt = bench_view_time(at, frames);
        printf("frame time 200x50, %d runs of 1000 points overlaid: cursor moves %.3f ms, zoom and pan %.3f ms "
               "(%zu points per run: %.2fx)\n", n_big, st * 1e3, vt * 1e3, n_points, v50 / vt);
        ts_app_free(at);
        remove_dir(tiny);
    }

    /* ---- 3. side by side and seed groups ---- */
    bench_press(a50, 'v');
    ts_app_render(a50, &buf);
    double sv = bench_scrub_time(a50, frames), vv = bench_view_time(a50, frames);
    printf("side by side (%d columns): cursor moves %.3f ms, zoom and pan %.3f ms per frame\n", a50->n_panels, sv * 1e3,
           vv * 1e3);
    bench_press(a50, 'v');
    t = bench_now();
    bench_press(a50, 'b'); /* runs 10j .. 10j+9 differ only in the seed: 5 groups of 10 */
    ts_app_render(a50, &buf);
    double g = bench_now() - t;
    double sg = bench_scrub_time(a50, frames), vg = bench_view_time(a50, frames);
    printf("seed groups of %d runs (mean, min-max band on a common grid): computed in %.3f s; cursor moves %.3f ms, "
           "zoom and pan %.3f ms per frame\n", n_big, g, sg * 1e3, vg * 1e3);
    ts_cellbuf_fini(&buf);
    ts_app_free(a1);
    ts_app_free(a50);
    remove_dir(big);
    return 0;
}
