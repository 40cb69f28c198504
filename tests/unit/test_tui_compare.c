/* test_tui_compare.c - comparing runs in the explorer, driven headless:
 * opening a folder of runs, the run list (rows, sparklines, sort, filter,
 * selection, fixed colours, live marker), side by side with one cursor,
 * the readout table's exact values, seed groups on a common grid and the
 * alignments (tokens, phase onset).
 * Layer: tests (tui). License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/ts_test.h"
#include "support/tui_test.h"
#include "trajscope/marks.h"
#include "trajscope/marks_file.h"
#include "trajscope/writer.h"
#include "tui/app.h"
#include "tui/app_compare.h"
#include "tui/app_priv.h"
#include "tui/app_runs.h"

static char dir[4096];

/* Four runs. r0, r1, r2 share a configuration but the seed (0, 1, 2);
 * sub/r3 has another learning rate and optimizer.
 *  train/loss: r_k = step/100 + 0.2 k at steps 0,10..100 (r2: every 20);
 *              r3 = 0.5 - step/1000 at 0,10..100.
 *  train/tokens (r0..r2): 1000 * step * (k + 1).
 *  eval/acc: a ramp 0 -> 1 between steps 100 + 20 k and 140 + 20 k, read
 *            at 20 k + 0, 5, .., 300 (the same curve shifted by 20 k), with
 *            a small repeating wiggle so the noise scale is not zero.
 *  wall time = 1000 * (k + 1) + step. */
static void write_run(const char *path, int k) {
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    TsErr err;
    char name[16];
    snprintf(name, sizeof name, "r%d", k);
    TsWriter *w = ts_writer_create(path, name, &o, &err);
    if (!w) fail_msg("%s", err.msg);
    bool seeded = k < 3;
    assert_true(ts_writer_set_config_number(w, "lr", seeded ? 0.001 : 0.01, &err));
    assert_true(ts_writer_set_config_text(w, "optimizer", seeded ? "adamw" : "sgd", &err));
    assert_true(ts_writer_set_config_int(w, "seed", seeded ? k : 0, &err));
    const char *train[] = {"loss"};
    const char *eval[] = {"acc"};
    unsigned tf = TS_STREAM_WALL_TIME | (seeded ? TS_STREAM_TOKENS : 0);
    assert_true(ts_writer_add_stream(w, "train", train, 1, tf, &err));
    assert_true(ts_writer_add_stream(w, "eval", eval, 1, TS_STREAM_WALL_TIME, &err));
    int every = k == 2 ? 20 : 10;
    for (int s = 0; s <= 100; s += every) {
        double v = seeded ? s / 100.0 + 0.2 * k : 0.5 - s / 1000.0;
        assert_true(ts_writer_append(w, "train", s, &v, 1000.0 * (k + 1) + s, (int64_t)1000 * s * (k + 1), &err));
    }
    int shift = 20 * (k < 3 ? k : 0);
    for (int i = 0; i <= 60; i++) {
        int rel = 5 * i;
        double v = rel < 100 ? 0 : rel >= 140 ? 1 : (rel - 100) / 40.0;
        v += 0.01 * (i % 3 - 1);
        assert_true(ts_writer_append(w, "eval", shift + rel, &v, 1000.0 * (k + 1) + shift + rel, 0, &err));
    }
    if (!ts_writer_close(w, &err)) fail_msg("%s", err.msg);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s/tui_compare", ts_test_tmpdir());
    mkdir(dir, 0755);
    char sub[4200], path[4300];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0755);
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/r%d.h5", dir, k);
        write_run(path, k);
    }
    snprintf(path, sizeof path, "%s/r3.h5", sub);
    write_run(path, 3);
    return 0;
}

/* The folder of four runs written by setup(). */
static TsApp *open_dir(int w, int h) {
    char *paths[] = {dir};
    return ts_test_open_app(paths, 1, 4, w, h);
}

static void type(TsApp *app, const char *text) {
    for (const char *p = text; *p; p++) {
        TsKeyEvent ev = {(TsKey)(unsigned char)*p, 0, 0, 0};
        ts_app_handle_key(app, &ev);
    }
}

static char *screen(TsApp *app, TsCellBuf *buf) {
    ts_app_render(app, buf);
    return ts_cellbuf_to_text(buf);
}

static size_t run_by_name(const TsApp *app, const char *name) {
    for (size_t r = 0; r < app->n_runs; r++)
        if (strcmp(app->run_names[r], name) == 0) return r;
    fail_msg("no run %s", name);
    return SIZE_MAX;
}

/* The metric list's row of a metric name becomes the selection. */
static void select_metric(TsApp *app, const char *name) {
    for (size_t r = 0; r < app->n_rows; r++)
        if (strcmp(app->tracks[app->rows[r]].name, name) == 0) {
            app->sel = app->rows[r];
            return;
        }
    fail_msg("no metric %s", name);
}

/* The line of text of screen row y. */
static void row_text(const TsCellBuf *b, int y, char *out, size_t cap) {
    TsCellBuf one;
    ts_cellbuf_init(&one, b->w, 1);
    for (int x = 0; x < b->w; x++) one.cells[x] = b->cells[(size_t)y * (size_t)b->w + (size_t)x];
    char *t = ts_cellbuf_to_text(&one);
    snprintf(out, cap, "%s", t);
    free(t);
    ts_cellbuf_fini(&one);
}

static bool has_braille(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; p[0]; p++)
        if (p[0] == 0xe2 && p[1] >= 0xa0 && p[1] <= 0xa3 && p[1] && p[2]) return true;
    return false;
}

/* The folder opens recursively; the run list has one row per run with a
 * sparkline, names in natural order, and every run selected (<= 6). */
static void test_run_list(void **state) {
    (void)state;
    TsApp *app = open_dir(140, 40);
    assert_int_equal(app->n_runs, 4);
    assert_true(app->rs->shown);
    assert_int_equal(app->rs->n_rows, 4);
    assert_int_equal(app_runs_visible_count(app), 4);
    /* metadata only: no run is held open before its curves are needed */
    for (size_t r = 0; r < app->n_runs; r++) assert_null(app->runs[r]);
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    free(screen(app, &buf));
    const TsRect lr = app->rs->list_rect;
    assert_int_equal(lr.h, 5);
    const char *want[] = {"r0", "r1", "r2", "sub/r3"};
    for (int i = 0; i < 4; i++) {
        char line[2048];
        row_text(&buf, lr.y + 1 + i, line, sizeof line);
        if (!strstr(line, want[i]) || !has_braille(line)) fail_msg("run list row %d: '%s'", i, line);
        /* the marker has the run's colour */
        size_t r = run_by_name(app, want[i]);
        assert_int_equal(ts_cellbuf_at(&buf, lr.x + 1, lr.y + 1 + i)->style & TS_STYLE_ID_MASK,
                         ts_style_series((unsigned)r));
    }
    /* the focused metric's last value and last step (r1: loss 1.2 at 100) */
    char line[2048];
    row_text(&buf, lr.y + 2, line, sizeof line);
    if (!strstr(line, "1.2") || !strstr(line, "100")) fail_msg("r1 row lacks last value/step: '%s'", line);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

/* Sort by the last value (lower is better for a loss: best first), by
 * name again; colours stay with the runs. */
static void test_sort(void **state) {
    (void)state;
    TsApp *app = open_dir(140, 40);
    select_metric(app, "train/loss");
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    free(screen(app, &buf));
    ts_test_key(app, "S"); /* last */
    free(screen(app, &buf));
    const char *by_last[] = {"sub/r3", "r0", "r1", "r2"}; /* 0.4, 1.0, 1.2, 1.4 */
    for (int i = 0; i < 4; i++) assert_string_equal(app->run_names[app->rs->rows[i]], by_last[i]);
    assert_int_equal(ts_cellbuf_at(&buf, app->rs->list_rect.x + 1, app->rs->list_rect.y + 1)->style & TS_STYLE_ID_MASK,
                     ts_style_series((unsigned)run_by_name(app, "sub/r3")));
    ts_test_key(app, "S"); /* best (minimum): 0.4, 0, 0.2, 0.4 -> r0 r1 then r2 and r3 (ties keep order) */
    free(screen(app, &buf));
    assert_string_equal(app->run_names[app->rs->rows[0]], "r0");
    assert_string_equal(app->run_names[app->rs->rows[1]], "r1");
    ts_test_key(app, "S");
    ts_test_key(app, "S"); /* name */
    free(screen(app, &buf));
    assert_string_equal(app->run_names[app->rs->rows[0]], "r0");
    assert_string_equal(app->run_names[app->rs->rows[3]], "sub/r3");
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

static size_t shown_runs_of(const TsApp *app, const char *metric) {
    size_t n = 0;
    for (size_t i = 0; i < app->n_tracks; i++)
        if (app->tracks[i].shown && strcmp(app->tracks[i].name, metric) == 0) n++;
    return n;
}

/* f: configuration terms and name substrings; a bad term keeps the
 * filter; an empty filter clears it. Only passing runs are drawn. */
static void test_filter(void **state) {
    (void)state;
    TsApp *app = open_dir(140, 40);
    select_metric(app, "train/loss");
    ts_test_key(app, "f");
    assert_true(app_runs_prompt_active(app));
    type(app, "seed>=1 lr=1e-3");
    ts_test_key(app, "<Enter>");
    assert_false(app_runs_prompt_active(app));
    assert_int_equal(app->rs->n_rows, 2);
    assert_string_equal(app->run_names[app->rs->rows[0]], "r1");
    assert_string_equal(app->run_names[app->rs->rows[1]], "r2");
    assert_int_equal(shown_runs_of(app, "train/loss"), 2);
    /* a bad term: error, filter unchanged */
    ts_test_key(app, "f");
    for (int i = 0; i < 20; i++) ts_test_key(app, "<BS>");
    type(app, "lr>>3");
    ts_test_key(app, "<Enter>");
    assert_true(app->msg_error);
    if (!strstr(app->msg, "lr>>3")) fail_msg("message '%s'", app->msg);
    assert_int_equal(app->rs->n_rows, 2);
    /* a name substring */
    ts_test_key(app, "f");
    for (int i = 0; i < 20; i++) ts_test_key(app, "<BS>");
    type(app, "SUB");
    ts_test_key(app, "<Enter>");
    assert_int_equal(app->rs->n_rows, 1);
    assert_string_equal(app->run_names[app->rs->rows[0]], "sub/r3");
    assert_int_equal(shown_runs_of(app, "train/loss"), 1);
    /* optimizer=sgd is r3 as well; optimizer=adamw the three others */
    ts_test_key(app, "f");
    for (int i = 0; i < 20; i++) ts_test_key(app, "<BS>");
    type(app, "optimizer=adamw");
    ts_test_key(app, "<Enter>");
    assert_int_equal(app->rs->n_rows, 3);
    /* empty clears */
    ts_test_key(app, "f");
    for (int i = 0; i < 40; i++) ts_test_key(app, "<BS>");
    ts_test_key(app, "<Enter>");
    assert_int_equal(app->rs->n_rows, 4);
    assert_int_equal(shown_runs_of(app, "train/loss"), 4);
    ts_app_free(app);
}

/* Space deselects the run under the cursor (its curves go, its file is
 * closed), Enter keeps only it, * selects all; colours never change. */
static void test_selection(void **state) {
    (void)state;
    TsApp *app = open_dir(140, 40);
    select_metric(app, "train/loss");
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    free(screen(app, &buf));
    size_t r1 = run_by_name(app, "r1");
    ts_test_key(app, "j"); /* the run list has the keys: cursor on r1 */
    ts_test_key(app, "<Space>");
    assert_false(app->rs->runs[r1].selected);
    assert_null(app->runs[r1]);
    assert_int_equal(shown_runs_of(app, "train/loss"), 3);
    free(screen(app, &buf));
    /* the legend keeps r2's colour */
    size_t r2 = run_by_name(app, "r2");
    for (int p = 0; p < app->n_panels; p++)
        for (size_t i = 0; i < app->panels[p].n_series; i++) {
            const TsPlotSeries *s = &app->panels[p].series[i];
            if (s->label && strcmp(s->label, "r2") == 0) assert_int_equal(s->style, ts_style_series((unsigned)r2));
            if (s->label) assert_string_not_equal(s->label, "r1");
        }
    ts_test_key(app, "<Enter>"); /* only r1 */
    assert_int_equal(app_runs_visible_count(app), 1);
    assert_true(app->rs->runs[r1].selected);
    ts_test_key(app, "*");
    assert_int_equal(app_runs_visible_count(app), 4);
    ts_test_key(app, "*");
    assert_int_equal(app_runs_visible_count(app), 0);
    /* w: the metric list gets j/k and Space again */
    ts_test_key(app, "*");
    ts_test_key(app, "w");
    assert_false(app->rs->focus);
    size_t before = app->sel;
    ts_test_key(app, "j");
    assert_int_not_equal(app->sel, before);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

/* Column of the cursor line in panel p (-1 when not drawn). */
static int cursor_col(const TsApp *app, int p) {
    return ts_plot_x_to_col(&app->panels[p].pl, app->cursor_x) - app->panels[p].pl.area.x;
}

/* v: one column per run, the same metric rows in each; one cursor step
 * moves every column's cursor by one cell. */
static void test_side_by_side(void **state) {
    (void)state;
    TsApp *app = open_dir(160, 40);
    ts_test_key(app, "f");
    type(app, "optimizer=adamw");
    ts_test_key(app, "<Enter>");
    select_metric(app, "train/loss");
    ts_test_key(app, "w");
    ts_test_key(app, "<Enter>"); /* train/loss only */
    ts_test_key(app, "v");
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    free(screen(app, &buf));
    assert_int_equal(app->cmp->side_cols, 3);
    assert_int_equal(app->n_panels, 3);
    const char *names[] = {"r0", "r1", "r2"};
    for (int p = 0; p < 3; p++) {
        assert_int_equal(app->panels[p].n_series, 1);
        assert_string_equal(app->panels[p].series[0].label, names[p]);
        assert_true(app->panels[p].pl.ok);
        assert_int_equal(app->panels[p].pl.area.w, app->panels[0].pl.area.w);
        if (p > 0) assert_true(app->panels[p].rect.x >= app->panels[p - 1].rect.x + app->panels[p - 1].rect.w);
    }
    ts_test_key(app, "g");
    free(screen(app, &buf));
    int c0[3];
    for (int p = 0; p < 3; p++) c0[p] = cursor_col(app, p);
    assert_int_equal(c0[0], 0);
    ts_test_key(app, "l");
    free(screen(app, &buf));
    for (int p = 0; p < 3; p++) assert_int_equal(cursor_col(app, p), c0[p] + 1);
    /* shared y: every column has the same y range; Y: own ranges */
    for (int p = 1; p < 3; p++) assert_double_equal(app->panels[p].pl.yaxis.hi, app->panels[0].pl.yaxis.hi, 0);
    ts_test_key(app, "Y");
    free(screen(app, &buf));
    assert_true(app->panels[2].pl.yaxis.hi > app->panels[0].pl.yaxis.hi);
    ts_test_key(app, "v");
    free(screen(app, &buf));
    assert_int_equal(app->n_panels, 1);
    assert_int_equal(app->panels[0].n_series, 3);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

/* The readout table: each run's exact value at its own nearest logged
 * step, the best (lowest loss) marked. */
static void test_readout_table(void **state) {
    (void)state;
    TsApp *app = open_dir(160, 44);
    select_metric(app, "train/loss");
    ts_test_key(app, "w");
    ts_test_key(app, "<Enter>");
    assert_true(app->cmp->table); /* several runs: shown from the start */
    ts_test_key(app, "g");
    ts_test_key(app, ".");
    ts_test_key(app, "."); /* r0's step 20 */
    char text[4096];
    view_runs_table_text(app, text, sizeof text);
    const char *want = "run\tstep\ttrain/loss\n"
                       "r0\t20\t0.2 *\n"
                       "r1\t20\t0.4\n"
                       "r2\t20\t0.6000000000000001\n"
                       "sub/r3\t20\t0.48\n";
    if (strcmp(text, want) != 0) fail_msg("table:\n%s\nwant:\n%s", text, want);
    /* the panel draws the best value reversed */
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    free(screen(app, &buf));
    TsRect tr = app->rs->table_rect;
    assert_true(tr.h >= 6);
    bool found = false;
    for (int x = tr.x; x < tr.x + tr.w; x++) {
        const TsCell *c = ts_cellbuf_at(&buf, x, tr.y + 1);
        if (c->cp == '2' && (c->style & TS_STYLE_REVERSE)) found = true; /* 0.2 of r0 */
        const TsCell *d = ts_cellbuf_at(&buf, x, tr.y + 4);
        assert_false(d->cp == '8' && (d->style & TS_STYLE_REVERSE)); /* 0.48 is not the best */
    }
    assert_true(found);
    char line[2048];
    row_text(&buf, tr.y + 5, line, sizeof line);
    if (!strstr(line, "best") || !strstr(line, "r0") || strstr(line, "r3")) fail_msg("best row '%s'", line);
    ts_test_key(app, ","); /* step 10: r2 is logged at 0 and 20 (a tie: the earlier) */
    view_runs_table_text(app, text, sizeof text);
    if (!strstr(text, "r2\t0\t0.4\n") || !strstr(text, "r0\t10\t0.1 *\n"))
        fail_msg("table at step 10:\n%s", text);
    ts_test_key(app, "r"); /* hides it */
    free(screen(app, &buf));
    assert_int_equal(app->rs->table_rect.h, 0);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

static const AppGroupCurve *curve_of(const TsApp *app, const char *metric) {
    for (size_t i = 0; i < app->cmp->n_curves; i++)
        if (strcmp(app->rs->names[app->cmp->curves[i].name_id], metric) == 0) return &app->cmp->curves[i];
    return NULL;
}

static size_t grid_index(const AppGroupCurve *g, double x) {
    for (size_t i = 0; i < g->st.n; i++)
        if (g->st.x[i] == x) return i;
    fail_msg("grid lacks x = %g", x);
    return 0;
}

/* b: r0..r2 differ only in the seed: one group; r3 stays alone. r2 is
 * logged every 20 steps, so its values at odd tens are interpolated. */
static void test_seed_groups(void **state) {
    (void)state;
    TsApp *app = open_dir(160, 40);
    select_metric(app, "train/loss");
    ts_test_key(app, "w");
    ts_test_key(app, "<Enter>");
    ts_test_key(app, "b");
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    char *text = screen(app, &buf);
    assert_int_equal(app->cmp->n_units, 2);
    const AppGroupCurve *g = curve_of(app, "train/loss");
    assert_non_null(g);
    assert_int_equal(g->st.n_runs_used, 3);
    assert_true(g->st.interpolated);
    assert_int_equal(g->st.n, 11);
    size_t i10 = grid_index(g, 10), i50 = grid_index(g, 50);
    /* at 10: 0.1, 0.3 and r2 interpolated between 0.4 (0) and 0.6 (20) = 0.5 */
    assert_double_equal(g->st.mean[i10], 0.3, 1e-12);
    assert_double_equal(g->lo[i10], 0.1, 1e-12);
    assert_double_equal(g->hi[i10], 0.5, 1e-12);
    assert_double_equal(g->st.mean[i50], 0.7, 1e-12);
    assert_double_equal(g->st.std[i50], 0.2, 1e-12);
    if (!strstr(text, "r*: mean of 3 seeds (interpolated onto a common grid)")) fail_msg("legend:\n%s", text);
    /* the band is shaded (dimmed cells of the group's colour) */
    size_t full = 0;
    for (int i = 0; i < buf.w * buf.h; i++)
        if (buf.cells[i].cp == 0x28ff && (buf.cells[i].style & TS_STYLE_DIM) &&
            (buf.cells[i].style & TS_STYLE_ID_MASK) == ts_style_series(0))
            full++;
    assert_true(full > 20);
    free(text);
    /* mean +- std */
    ts_test_key(app, "b");
    text = screen(app, &buf);
    g = curve_of(app, "train/loss");
    i50 = grid_index(g, 50);
    assert_double_equal(g->lo[i50], 0.5, 1e-12);
    assert_double_equal(g->hi[i50], 0.9, 1e-12);
    free(text);
    /* group by a key the user names: by lr nothing else differs -> no group */
    ts_test_key(app, "B");
    type(app, "lr");
    ts_test_key(app, "<Enter>");
    text = screen(app, &buf);
    assert_int_equal(app->cmp->n_units, 4);
    assert_int_equal(app->cmp->n_curves, 0);
    free(text);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

/* A: step -> time since each run's start -> tokens -> phase onset. */
static void test_alignment(void **state) {
    (void)state;
    TsApp *app = open_dir(160, 40);
    select_metric(app, "eval/acc");
    ts_test_key(app, "w");
    ts_test_key(app, "<Enter>");
    select_metric(app, "train/loss");
    ts_test_key(app, "<Space>"); /* eval/acc and train/loss */
    select_metric(app, "eval/acc");
    ts_test_key(app, "w");
    ts_test_key(app, "f");
    type(app, "adamw");
    ts_test_key(app, "<Enter>"); /* a name substring matching nothing */
    assert_int_equal(app->rs->n_rows, 0);
    ts_test_key(app, "f");
    for (int i = 0; i < 10; i++) ts_test_key(app, "<BS>");
    type(app, "seed<=2 optimizer=adamw");
    ts_test_key(app, "<Enter>");
    assert_int_equal(app->rs->n_rows, 3);
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    free(screen(app, &buf));
    ts_test_key(app, "A");
    assert_int_equal(app->set.x_axis, TS_XAXIS_RELATIVE);
    free(screen(app, &buf));
    /* time since start: r1's eval starts at step 20, i.e. 20 s after its start */
    size_t r1 = run_by_name(app, "r1");
    size_t t1 = app_runs_track_of(app, r1, app_runs_track_name(app, app->sel));
    assert_double_equal(ts_lod_x(app_track_lod(app, &app->tracks[t1], false), 0), 20.0, 1e-9);
    /* tokens: the eval stream has none, so the train stream's are used by step */
    ts_test_key(app, "A");
    assert_int_equal(app->cmp->align, APP_ALIGN_TOKENS);
    free(screen(app, &buf));
    const TsLod *l1 = app_track_lod(app, &app->tracks[t1], false);
    assert_non_null(l1);
    /* r1's eval point at step 20: train tokens = 1000 * 20 * 2 */
    assert_double_equal(ts_lod_x(l1, 0), 40000.0, 0);
    ts_test_key(app, "A");
    assert_int_equal(app->cmp->align, APP_ALIGN_ONSET);
    free(screen(app, &buf));
    /* the same curve shifted by 20 k steps: onsets differ by exactly 20 k */
    double off[3];
    const char *names[] = {"r0", "r1", "r2"};
    for (int k = 0; k < 3; k++) {
        size_t r = run_by_name(app, names[k]);
        assert_true(app->cmp->run_align[r].res.aligned);
        off[k] = app->cmp->run_align[r].res.offset;
        size_t t = app_runs_track_of(app, r, app_runs_track_name(app, app->sel));
        const TsLod *l = app_track_lod(app, &app->tracks[t], false);
        assert_double_equal(ts_lod_x(l, 0), -off[0], 0);
    }
    assert_double_equal(off[1] - off[0], 20, 0);
    assert_double_equal(off[2] - off[0], 40, 0);
    /* the onset lies on the ramp (steps 100..140 of r0) */
    assert_true(off[0] >= 100 && off[0] <= 140);
    char hdr[256];
    app_cmp_header_text(app, hdr, sizeof hdr);
    assert_string_equal(hdr, "align: onset of eval/acc");
    ts_test_key(app, "A");
    assert_int_equal(app->cmp->align, APP_ALIGN_STEP);
    assert_int_equal(app->set.x_axis, TS_XAXIS_STEP);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

/* A (fourth press from step): the label of the mark nearest the cursor;
 * each run is shifted by the start of its own mark with that label; a run
 * without one is not drawn and is listed. */
static void test_align_mark(void **state) {
    (void)state;
    const int at[2] = {30, 50};
    for (int k = 0; k < 2; k++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/r%d.h5", dir, k);
        TsMarkSet *set = ts_marks_new();
        TsMark m;
        ts_mark_init_point(&m, at[k], "jump");
        TsErr err;
        assert_true(ts_marks_add(set, &m, &err) > 0);
        ts_mark_init_point(&m, 90, "late");
        assert_true(ts_marks_add(set, &m, &err) > 0);
        if (!ts_marks_file_save(path, set, NULL, &err)) fail_msg("%s", err.msg);
        ts_marks_free(set);
    }
    TsApp *app = open_dir(160, 40);
    select_metric(app, "train/loss");
    ts_test_key(app, "f");
    type(app, "optimizer=adamw");
    ts_test_key(app, "<Enter>");
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    free(screen(app, &buf));
    ts_test_key(app, "g");
    ts_test_key(app, ".");
    ts_test_key(app, "."); /* r0 step 20: its nearest mark is 'jump' at 30 */
    for (int i = 0; i < 4; i++) ts_test_key(app, "A");
    assert_int_equal(app->cmp->align, APP_ALIGN_MARK);
    assert_string_equal(app->cmp->align_label, "jump");
    free(screen(app, &buf));
    size_t r0 = run_by_name(app, "r0"), r1 = run_by_name(app, "r1"), r2 = run_by_name(app, "r2");
    assert_double_equal(app->cmp->run_align[r0].res.offset, 30, 0);
    assert_double_equal(app->cmp->run_align[r1].res.offset, 50, 0);
    assert_false(app->cmp->run_align[r2].res.aligned);
    size_t k = app_runs_track_name(app, app->sel);
    const TsLod *l1 = app_track_lod(app, &app->tracks[app_runs_track_of(app, r1, k)], false);
    assert_double_equal(ts_lod_x(l1, 0), -50, 0);
    assert_null(app_track_lod(app, &app->tracks[app_runs_track_of(app, r2, k)], false));
    double x;
    assert_true(app_cmp_step_to_x(app, r1, 60, &x));
    assert_double_equal(x, 10, 0);
    assert_false(app_cmp_step_to_x(app, r2, 60, &x));
    char note[512];
    app_runs_status_text(app, note, sizeof note);
    if (!strstr(note, "r2 (no mark labelled 'jump')")) fail_msg("status '%s'", note);
    char hdr[256];
    app_cmp_header_text(app, hdr, sizeof hdr);
    assert_string_equal(hdr, "align: mark 'jump'");
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
    for (int k2 = 0; k2 < 2; k2++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/r%d.h5.marks.json", dir, k2);
        unlink(path);
    }
}

/* Follow mode: a run whose file changes is marked live; two quiet polls
 * clear the marker. */
static void test_live_marker(void **state) {
    (void)state;
    TsApp *app = open_dir(140, 40);
    char path[4300];
    snprintf(path, sizeof path, "%s/r1.h5", dir);
    size_t r1 = run_by_name(app, "r1");
    app_refresh(app);
    assert_false(app->rs->runs[r1].live);
    struct timespec ts[2] = {{0, UTIME_OMIT}, {time(NULL) + 100, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
    app_refresh(app);
    assert_true(app->rs->runs[r1].live);
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    free(screen(app, &buf));
    char line[2048];
    row_text(&buf, app->rs->list_rect.y + 2, line, sizeof line);
    if (!strstr(line, "live")) fail_msg("no live marker: '%s'", line);
    app_refresh(app);
    app_refresh(app);
    assert_false(app->rs->runs[r1].live);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

/* One run: no run list unless asked, and the metric list works as before. */
static void test_single_run(void **state) {
    (void)state;
    char path[4300];
    snprintf(path, sizeof path, "%s/r0.h5", dir);
    char *paths[] = {path};
    TsApp *app = ts_test_open_app(paths, 1, 1, 100, 30);
    assert_string_equal(app->run_names[0], "r0");
    assert_false(app->rs->shown);
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    free(screen(app, &buf));
    assert_int_equal(app->rs->list_rect.w, 0);
    ts_test_key(app, "<Space>"); /* hides the selected metric of the metric list */
    assert_false(app->tracks[app->sel].shown);
    ts_test_key(app, "R");
    free(screen(app, &buf));
    assert_int_equal(app->rs->list_rect.h, 2);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_list),  cmocka_unit_test(test_sort),
        cmocka_unit_test(test_filter),    cmocka_unit_test(test_selection),
        cmocka_unit_test(test_side_by_side), cmocka_unit_test(test_readout_table),
        cmocka_unit_test(test_seed_groups), cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_align_mark),
        cmocka_unit_test(test_live_marker), cmocka_unit_test(test_single_run),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
