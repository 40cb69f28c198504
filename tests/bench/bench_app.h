/* bench_app.h - what the explorer benchmarks share: a clock, a headless
 * explorer opened on a path, key presses and frame timing.
 * Layer: tests (bench). License: MIT. Header-only: benchmarks link no
 * test support objects. */
#ifndef TRAJSCOPE_BENCH_APP_H
#define TRAJSCOPE_BENCH_APP_H

#include <math.h>
#include <time.h>

#include "trajscope/cellbuf.h"
#include "trajscope/xalloc.h"
#include "tui/app.h"

static inline double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A headless explorer with stock keys and theme on path (a file or a
 * folder), 200x50; show > 0 sets how many runs are drawn at once (0 keeps
 * the default). Dies when nothing opens. */
static inline TsApp *bench_open_app(const char *path, int show) {
    TsSettings s;
    TsKeymap km;
    TsTheme th;
    ts_settings_default(&s);
    if (show > 0) s.show = show;
    ts_keymap_init_defaults(&km);
    ts_theme_default(&th);
    TsApp *app = ts_app_new(&s, &km, &th, true);
    ts_keymap_fini(&km);
    char *paths[] = {(char *)path};
    size_t failed;
    TsErr err;
    if (ts_app_open(app, paths, 1, &failed, &err) == 0) ts_die("%s", err.msg);
    ts_app_resize(app, 200, 50);
    return app;
}

static inline void bench_press(TsApp *app, TsKey key) {
    TsKeyEvent ev = {key, 0, 0, 0};
    ts_app_handle_key(app, &ev);
}

/* Scrubbing and zoom/pan key sequences. */
static const TsKey bench_scrub_keys[] = {'l', 'l', 'l', '.', 'L', 'h', ','};
static const TsKey bench_view_keys[] = {'+', '>', '+', '<', '-', '>', '-', '0'};
#define BENCH_N_SCRUB (sizeof bench_scrub_keys / sizeof *bench_scrub_keys)
#define BENCH_N_VIEW (sizeof bench_view_keys / sizeof *bench_view_keys)

/* Seconds per frame (handle the key, then draw the whole 200x50 screen)
 * over a key sequence: the best mean of 5 rounds (the machine is shared:
 * the minimum is the least noisy). The first frame, which builds the
 * pyramids, is not timed. */
static inline double bench_frame_time(TsApp *app, int frames, const TsKey *keys, size_t n_keys) {
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 200, 50);
    bench_press(app, 'g');
    ts_app_render(app, &buf);
    double best = INFINITY;
    for (int round = 0; round < 5; round++) {
        bench_press(app, '0');
        bench_press(app, 'g');
        ts_app_render(app, &buf);
        double t0 = bench_now();
        for (int f = 0; f < frames; f++) {
            bench_press(app, keys[(size_t)f % n_keys]);
            ts_app_render(app, &buf);
        }
        double t = (bench_now() - t0) / frames;
        if (t < best) best = t;
    }
    ts_cellbuf_fini(&buf);
    return best;
}

/* Frame times while scrubbing and while zooming and panning. */
static inline double bench_scrub_time(TsApp *app, int frames) {
    return bench_frame_time(app, frames, bench_scrub_keys, BENCH_N_SCRUB);
}
static inline double bench_view_time(TsApp *app, int frames) {
    return bench_frame_time(app, frames, bench_view_keys, BENCH_N_VIEW);
}

#endif
