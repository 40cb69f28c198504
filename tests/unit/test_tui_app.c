/* test_tui_app.c - the explorer driven headless: cursor readout on a
 * resumed run with NaN, zoom, axes, list, help, too-small screen, and how
 * many cells a one-column cursor step rewrites.
 * Layer: tests (tui). License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "support/ts_test.h"
#include "support/tui_test.h"
#include "trajscope/writer.h"
#include "tui/app.h"
#include "tui/app_priv.h"
#include "tui/framediff.h"
#include "tui/readout.h"

static char archive[4096];

/* train: steps 0,10..100 then (resumed) 50,60..150; loss = step/100, +1 in
 * the resumed part, NaN at step 30; acc = 1 - step/1000. eval: acc at
 * 0, 50, 100, 150 = step/1000. Wall time = 1000 + step. */
static void make_archive(void) {
    snprintf(archive, sizeof archive, "%s/tui_app.h5", ts_test_tmpdir());
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    TsErr err;
    TsWriter *w = ts_writer_create(archive, "seamrun", &o, &err);
    if (!w) fail_msg("%s", err.msg);
    const char *train[] = {"loss", "acc"};
    const char *eval[] = {"acc"};
    assert_true(ts_writer_add_stream(w, "train", train, 2, TS_STREAM_WALL_TIME, &err));
    assert_true(ts_writer_add_stream(w, "eval", eval, 1, TS_STREAM_WALL_TIME, &err));
    for (int s = 0; s <= 100; s += 10) {
        double v[2] = {s == 30 ? NAN : s / 100.0, 1 - s / 1000.0};
        assert_true(ts_writer_append(w, "train", s, v, 1000.0 + s, 0, &err));
    }
    for (int s = 50; s <= 150; s += 10) {
        double v[2] = {s / 100.0 + 1, 1 - s / 1000.0};
        assert_true(ts_writer_append(w, "train", s, v, 1200.0 + s, 0, &err));
    }
    for (int s = 0; s <= 150; s += 50) {
        double v = s / 1000.0;
        assert_true(ts_writer_append(w, "eval", s, &v, 1000.0 + s, 0, &err));
    }
    if (!ts_writer_close(w, &err)) fail_msg("%s", err.msg);
}

static TsApp *open_app(int w, int h) {
    char *paths[] = {archive};
    return ts_test_open_app(paths, 1, 1, w, h);
}

static void select_track(TsApp *app, const char *label) {
    for (size_t r = 0; r < app->n_rows; r++) {
        if (strcmp(app->tracks[app->rows[r]].label, label) == 0) {
            app->sel = app->rows[r];
            return;
        }
    }
    fail_msg("no track %s", label);
}

static void expect_readout(TsApp *app, const char *want) {
    char buf[1024];
    ts_app_readout(app, buf, sizeof buf);
    if (!strstr(buf, want)) fail_msg("readout '%s' lacks '%s'", buf, want);
}

static char *screen(TsApp *app, TsCellBuf *buf) {
    ts_app_render(app, buf);
    return ts_cellbuf_to_text(buf);
}

static void test_readout_seam_nan(void **state) {
    (void)state;
    make_archive();
    TsApp *app = open_app(120, 40);
    select_track(app, "train/loss");
    ts_test_key(app, "G");
    expect_readout(app, "step 150");
    expect_readout(app, "train/loss 2.5");
    expect_readout(app, "eval/acc 0.15");
    ts_test_key(app, "g");
    expect_readout(app, "step 0 ");
    expect_readout(app, "train/loss 0 ");
    expect_readout(app, "train/acc 1 ");
    ts_test_key(app, ",");
    expect_readout(app, "step 0 ");
    ts_test_key(app, ".");
    ts_test_key(app, ".");
    ts_test_key(app, ".");
    expect_readout(app, "step 30");
    expect_readout(app, "train/loss NaN");
    expect_readout(app, "eval/acc 0.05 @50"); /* eval's nearest logged step differs */
    for (int i = 0; i < 7; i++) ts_test_key(app, ".");
    expect_readout(app, "step 100");
    expect_readout(app, "train/loss 1 ");
    ts_test_key(app, ".");                        /* across the seam: the resumed run's first point */
    expect_readout(app, "step 50");
    expect_readout(app, "train/loss 1.5");
    ts_test_key(app, ",");
    expect_readout(app, "step 100");
    expect_readout(app, "train/loss 1 ");
    /* the status line names the first non-finite step */
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    char *text = screen(app, &buf);
    if (!strstr(text, "first non-finite at step 30")) fail_msg("screen lacks the NaN note:\n%s", text);
    free(text);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

/* Column moves read the nearest logged point: after one column right of
 * step 0 the readout moves forward, never backward, and stays exact. */
static void test_column_moves(void **state) {
    (void)state;
    TsApp *app = open_app(120, 40);
    select_track(app, "train/acc");
    ts_test_key(app, "g");
    long last = 0;
    for (int i = 0; i < 120; i++) {
        ts_test_key(app, "l");
        char buf[1024];
        ts_app_readout(app, buf, sizeof buf);
        long step = -1;
        assert_int_equal(sscanf(buf, "step %ld", &step), 1);
        assert_true(step >= last);
        assert_true(step % 10 == 0 && step <= 150);
        /* train/acc = 1 - step/1000 exactly, in both segments */
        char want[64], v[48];
        ts_readout_format(v, sizeof v, 1 - step / 1000.0, false);
        snprintf(want, sizeof want, "train/acc %s ", v);
        if (!strstr(buf, want)) fail_msg("readout '%s' lacks '%s'", buf, want);
        last = step;
    }
    assert_int_equal(last, 150);
    ts_test_key(app, "H");
    char buf[1024];
    ts_app_readout(app, buf, sizeof buf);
    long step;
    assert_int_equal(sscanf(buf, "step %ld", &step), 1);
    assert_true(step < 150);
    ts_app_free(app);
}

static void test_zoom_pan_axes(void **state) {
    (void)state;
    TsApp *app = open_app(120, 40);
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    char *text = screen(app, &buf);
    assert_non_null(strstr(text, "view: all"));
    assert_non_null(strstr(text, "x: step"));
    free(text);
    ts_test_key(app, "g");
    ts_test_key(app, "+");
    assert_true(app->zoomed);
    text = screen(app, &buf);
    assert_null(strstr(text, "view: all"));
    assert_non_null(strstr(text, "view: 0"));
    free(text);
    double w1 = app->vx1 - app->vx0;
    assert_double_equal(w1, 75, 1e-9); /* half of 0..150 */
    ts_test_key(app, ">");
    assert_true(app->vx0 > 0);
    ts_test_key(app, "<");
    ts_test_key(app, "<");
    assert_double_equal(app->vx0, 0, 1e-9); /* never pans past the data */
    ts_test_key(app, "-");
    assert_false(app->zoomed);
    ts_test_key(app, "+");
    ts_test_key(app, "0");
    assert_false(app->zoomed);
    ts_test_key(app, "x");
    text = screen(app, &buf);
    assert_non_null(strstr(text, "log-x"));
    free(text);
    ts_test_key(app, "y");
    text = screen(app, &buf);
    assert_non_null(strstr(text, "log-y"));
    free(text);
    ts_test_key(app, "t");
    text = screen(app, &buf);
    assert_non_null(strstr(text, "x: wall"));
    free(text);
    ts_test_key(app, "t");
    text = screen(app, &buf);
    assert_non_null(strstr(text, "x: relative"));
    free(text);
    ts_test_key(app, "t");
    ts_test_key(app, "s");
    text = screen(app, &buf);
    assert_non_null(strstr(text, "smooth: ema 0.60"));
    free(text);
    ts_test_key(app, "]");
    assert_double_equal(app->set.smooth_weight, 0.65, 1e-12);
    select_track(app, "train/acc");
    ts_test_key(app, "G");
    expect_readout(app, "train/acc 0.85 ~"); /* raw and smoothed values */
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

static void test_list_help_small(void **state) {
    (void)state;
    TsApp *app = open_app(100, 30);
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    size_t shown = 0;
    for (size_t i = 0; i < app->n_tracks; i++) shown += app->tracks[i].shown;
    assert_int_equal(shown, 3);
    select_track(app, "train/acc");
    ts_test_key(app, "<Space>");
    assert_false(app->tracks[app->sel].shown);
    ts_test_key(app, "<Space>");
    assert_true(app->tracks[app->sel].shown);
    ts_test_key(app, "<Enter>"); /* show only */
    shown = 0;
    for (size_t i = 0; i < app->n_tracks; i++) shown += app->tracks[i].shown;
    assert_int_equal(shown, 1);
    ts_test_key(app, "/");
    ts_test_key(app, "l");
    ts_test_key(app, "o");
    ts_test_key(app, "s");
    assert_int_equal(app->n_rows, 1);
    ts_test_key(app, "<Enter>");
    assert_string_equal(app->filter, "los");
    ts_test_key(app, "/");
    ts_test_key(app, "<Esc>");
    assert_int_equal(app->n_rows, 3);
    ts_test_key(app, "?");
    char *text = screen(app, &buf);
    assert_non_null(strstr(text, "move the time cursor one column left"));
    assert_non_null(strstr(text, "h Left"));
    free(text);
    ts_test_key(app, "q"); /* closes the help, does not quit */
    assert_false(ts_app_quit_requested(app));
    assert_false(app->help);
    ts_app_resize(app, 30, 8);
    text = screen(app, &buf);
    assert_non_null(strstr(text, "terminal too small: need 40x10"));
    free(text);
    ts_app_resize(app, 100, 30);
    text = screen(app, &buf);
    assert_null(strstr(text, "too small"));
    free(text);
    ts_test_key(app, "q");
    assert_true(ts_app_quit_requested(app));
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

/* A one-column cursor step rewrites a small fraction of the screen. */
static void test_diff_cursor_step(void **state) {
    (void)state;
    TsApp *app = open_app(200, 50);
    TsCellBuf a, front;
    ts_cellbuf_init(&a, 1, 1);
    ts_cellbuf_init(&front, 0, 0);
    ts_test_key(app, "g");
    ts_test_key(app, "L");
    ts_app_render(app, &a);
    size_t full = ts_frame_diff(&front, &a, NULL, NULL);
    assert_int_equal(full, 200 * 50);
    assert_int_equal(ts_frame_diff(&front, &a, NULL, NULL), 0); /* nothing changed */
    ts_test_key(app, "l");
    ts_app_render(app, &a);
    size_t step = ts_frame_diff(&front, &a, NULL, NULL);
    print_message("cells rewritten: full repaint %zu, one cursor step %zu\n", full, step);
    assert_true(step > 0);
    assert_true(step * 20 < full); /* under 5% */
    ts_cellbuf_fini(&a);
    ts_cellbuf_fini(&front);
    ts_app_free(app);
}

/* Wall times are read only when an axis shows them: a step-axis load skips
 * them (a third less to read for a long run), and `t` reads them then. */
static void test_wall_time_read_on_demand(void **state) {
    (void)state;
    make_archive();
    TsApp *app = open_app(100, 30);
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 100, 30);
    ts_app_render(app, &buf);
    size_t loaded = 0;
    for (size_t i = 0; i < app->n_tracks; i++) {
        if (!app->tracks[i].loaded) continue;
        loaded++;
        assert_null(app->tracks[i].s.wall_time);
    }
    assert_true(loaded > 0);
    ts_test_key(app, "t");
    ts_app_render(app, &buf);
    assert_int_equal(app->set.x_axis, TS_XAXIS_WALL);
    for (size_t i = 0; i < app->n_tracks; i++) {
        const TsTrack *t = &app->tracks[i];
        if (!t->shown) continue;
        assert_true(t->loaded);
        assert_non_null(t->s.wall_time);
        assert_double_equal(t->s.wall_time[0], 1000.0, 0); /* first logged wall time */
    }
    char *text = ts_cellbuf_to_text(&buf);
    assert_non_null(strstr(text, "x: wall"));
    free(text);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

static void click(TsApp *app, int x, int y, int button) {
    TsKeyEvent ev = {TS_KEY_MOUSE, x, y, button};
    ts_app_handle_key(app, &ev);
}

static void test_mouse(void **state) {
    (void)state;
    TsApp *app = open_app(120, 40);
    select_track(app, "train/loss");
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 1, 1);
    ts_app_render(app, &buf);
    TsRect area = app->panels[0].pl.area;
    click(app, area.x, area.y + 1, 1);
    expect_readout(app, "step 0 ");
    click(app, area.x + area.w - 1, area.y + 1, 1);
    expect_readout(app, "step 150");
    click(app, area.x + area.w / 2, area.y, 1); /* the middle: about step 75 */
    char rb[1024];
    ts_app_readout(app, rb, sizeof rb);
    long step = -1;
    assert_int_equal(sscanf(rb, "step %ld", &step), 1);
    assert_true(step >= 70 && step <= 80);
    /* the wheel zooms around the pointer */
    ts_app_render(app, &buf);
    double lo, hi;
    int col = area.x + area.w / 4;
    assert_true(ts_plot_col_range(&app->panels[0].pl, col, &lo, &hi));
    click(app, col, area.y + 2, 4);
    assert_true(app->zoomed);
    assert_true(app->vx0 <= lo && app->vx1 >= hi);
    assert_double_equal(app->vx1 - app->vx0, 75, 1e-6);
    click(app, col, area.y + 2, 5);
    assert_false(app->zoomed);
    /* a click in the list selects that row */
    ts_app_render(app, &buf);
    TsRect list = app->layout.list;
    click(app, list.x + 3, list.y + 1, 1);
    assert_int_equal(app->sel, app->rows[0]);
    click(app, list.x + 3, list.y + 2, 1);
    assert_int_equal(app->sel, app->rows[1]);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readout_seam_nan), cmocka_unit_test(test_column_moves),
        cmocka_unit_test(test_zoom_pan_axes),    cmocka_unit_test(test_list_help_small),
        cmocka_unit_test(test_diff_cursor_step), cmocka_unit_test(test_mouse),
        cmocka_unit_test(test_wall_time_read_on_demand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
