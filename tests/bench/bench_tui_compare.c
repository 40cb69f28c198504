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
#include "tui/app.h"
#include "tui/app_priv.h"
#include "tui/app_runs.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

static TsApp *new_app(int show) {
    TsSettings s;
    TsKeymap km;
    TsTheme th;
    ts_settings_default(&s);
    s.show = show;
    ts_keymap_init_defaults(&km);
    ts_theme_default(&th);
    TsApp *app = ts_app_new(&s, &km, &th, true);
    ts_keymap_fini(&km);
    return app;
}

static TsApp *open_path(const char *path, int show) {
    TsApp *app = new_app(show);
    char *paths[] = {(char *)path};
    size_t failed;
    TsErr err;
    if (ts_app_open(app, paths, 1, &failed, &err) == 0) ts_die("%s", err.msg);
    ts_app_resize(app, 200, 50);
    return app;
}

static void press(TsApp *app, TsKey key) {
    TsKeyEvent ev = {key, 0, 0, 0};
    ts_app_handle_key(app, &ev);
}

/* Seconds per frame (key, then the whole screen drawn): the best mean of
 * 5 rounds. */
static double frame_time(TsApp *app, int frames, const TsKey *keys, int n_keys) {
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 200, 50);
    press(app, 'g');
    ts_app_render(app, &buf);
    double best = INFINITY;
    for (int round = 0; round < 5; round++) {
        press(app, '0');
        press(app, 'g');
        ts_app_render(app, &buf);
        double t0 = now();
        for (int f = 0; f < frames; f++) {
            press(app, keys[f % n_keys]);
            ts_app_render(app, &buf);
        }
        double t = (now() - t0) / frames;
        if (t < best) best = t;
    }
    ts_cellbuf_fini(&buf);
    return best;
}

static const TsKey scrub[] = {'l', 'l', 'l', '.', 'L', 'h', ','};
static const TsKey view[] = {'+', '>', '+', '<', '-', '>', '-', '0'};

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
    double t = now();
    write_dir(small, n_small, 200);
    printf("%d runs of 200 rows x 2 metrics written (%.2f s)\n", n_small, now() - t);
    double best = INFINITY, worst = 0;
    for (int round = 0; round < 3; round++) {
        TsCellBuf buf;
        ts_cellbuf_init(&buf, 200, 50);
        t = now();
        TsApp *app = open_path(small, 4);
        ts_app_render(app, &buf);
        double dt = now() - t;
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
    t = now();
    write_dir(big, n_big, n_points);
    printf("%d runs of %zu rows x 2 metrics written (%.2f s)\n", n_big, n_points, now() - t);
    snprintf(one, sizeof one, "%s/run0.h5", big);
    TsApp *a1 = open_path(one, 1);
    TsApp *a50 = open_path(big, 1);
    press(a50, '*'); /* select every run */
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 200, 50);
    t = now();
    ts_app_render(a50, &buf);
    double load50 = now() - t;
    ts_app_render(a1, &buf);
    printf("first frame with %d runs selected (read %d x %zu points, pyramids): %.3f s; curves drawn: %zu\n", n_big,
           n_big, n_points, load50, shown_series(a50));
    int frames = 100;
    double s1 = frame_time(a1, frames, scrub, 7), s50 = frame_time(a50, frames, scrub, 7);
    double v1 = frame_time(a1, frames, view, 8), v50 = frame_time(a50, frames, view, 8);
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
        TsApp *at = open_path(tiny, 1);
        press(at, '*');
        ts_app_render(at, &buf);
        double st = frame_time(at, frames, scrub, 7), vt = frame_time(at, frames, view, 8);
        printf("frame time 200x50, %d runs of 1000 points overlaid: cursor moves %.3f ms, zoom and pan %.3f ms "
               "(%zu points per run: %.2fx)\n", n_big, st * 1e3, vt * 1e3, n_points, v50 / vt);
        ts_app_free(at);
        remove_dir(tiny);
    }

    /* ---- 3. side by side and seed groups ---- */
    press(a50, 'v');
    ts_app_render(a50, &buf);
    double sv = frame_time(a50, frames, scrub, 7), vv = frame_time(a50, frames, view, 8);
    printf("side by side (%d columns): cursor moves %.3f ms, zoom and pan %.3f ms per frame\n", a50->n_panels, sv * 1e3,
           vv * 1e3);
    press(a50, 'v');
    t = now();
    press(a50, 'b'); /* runs 10j .. 10j+9 differ only in the seed: 5 groups of 10 */
    ts_app_render(a50, &buf);
    double g = now() - t;
    double sg = frame_time(a50, frames, scrub, 7), vg = frame_time(a50, frames, view, 8);
    printf("seed groups of %d runs (mean, min-max band on a common grid): computed in %.3f s; cursor moves %.3f ms, "
           "zoom and pan %.3f ms per frame\n", n_big, g, sg * 1e3, vg * 1e3);
    ts_cellbuf_fini(&buf);
    ts_app_free(a1);
    ts_app_free(a50);
    remove_dir(big);
    return 0;
}
