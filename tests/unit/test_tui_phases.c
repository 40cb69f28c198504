/* test_tui_phases.c - change points and marks in the explorer, headless:
 * marking, labels (exact bytes in the file, sanitized on screen), nearest
 * mark, undo, next/previous, zoom to an interval, CROPS stepping, accepting
 * a change point, detection in slices and its cancelling, a corrupt
 * sidecar (consent before moving it aside), export.
 * Layer: tests (tui). License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "support/ts_test.h"
#include "support/tui_test.h"
#include "trajscope/marks_file.h"
#include "trajscope/writer.h"
#include "tui/app.h"
#include "tui/app_phases.h"
#include "tui/app_priv.h"

/* A fresh folder per test, so sidecars never mix. */
static char dir[2048], archive[2100], sidecar[2200];

/* train/loss: steps 0..990 every 10, 1.0 below 300, 0.5 below 600, then
 * 0.1, plus small pseudo-random noise. eval/acc: steps 0..990 every 10,
 * 0 below 500, then 1. */
static void make_run(const char *name) {
    snprintf(dir, sizeof dir, "%s/tui_phases_%s", ts_test_tmpdir(), name);
    mkdir(dir, 0755);
    snprintf(archive, sizeof archive, "%s/run.h5", dir);
    snprintf(sidecar, sizeof sidecar, "%s.marks.json", archive);
    remove(sidecar);
    char bad[2300];
    snprintf(bad, sizeof bad, "%s.bad", sidecar);
    remove(bad);
    char xdg[2100];
    snprintf(xdg, sizeof xdg, "%s/xdg", dir);
    setenv("XDG_DATA_HOME", xdg, 1);
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    TsErr err;
    TsWriter *w = ts_writer_create(archive, "phases", &o, &err);
    if (!w) fail_msg("%s", err.msg);
    const char *train[] = {"loss"};
    const char *eval[] = {"acc"};
    assert_true(ts_writer_add_stream(w, "train", train, 1, 0, &err));
    assert_true(ts_writer_add_stream(w, "eval", eval, 1, 0, &err));
    uint64_t x = 12345;
    for (int i = 0; i < 100; i++) {
        int s = i * 10;
        x = (x * 1103515245u + 12345u) % 2147483648u; /* small pseudo-random noise */
        double v = (s < 300 ? 1.0 : s < 600 ? 0.5 : 0.1) + 0.02 * ((double)x / 2147483648.0 - 0.5);
        assert_true(ts_writer_append(w, "train", s, &v, 0, 0, &err));
        double a = s < 500 ? 0.0 : 1.0;
        assert_true(ts_writer_append(w, "eval", s, &a, 0, 0, &err));
    }
    if (!ts_writer_close(w, &err)) fail_msg("%s", err.msg);
}

static TsApp *open_app(void) {
    char *paths[] = {archive};
    return ts_test_open_app(paths, 1, 1, 120, 40);
}

static void select_track(TsApp *app, const char *label) {
    for (size_t i = 0; i < app->n_tracks; i++) {
        if (strcmp(app->tracks[i].label, label) == 0) {
            app->sel = i;
            app->geom_valid = false;
            return;
        }
    }
    fail_msg("no track %s", label);
}

static void key_code(TsApp *app, TsKey k) {
    TsKeyEvent ev = {k, 0, 0, 0};
    ts_app_handle_key(app, &ev);
}


/* Types UTF-8 text into the prompt, one code point per key. */
static void type(TsApp *app, const char *text) {
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        uint32_t cp;
        int n;
        if (*p < 0x80) cp = *p, n = 1;
        else if ((*p & 0xe0) == 0xc0) cp = *p & 0x1f, n = 2;
        else if ((*p & 0xf0) == 0xe0) cp = *p & 0x0f, n = 3;
        else cp = *p & 0x07, n = 4;
        for (int i = 1; i < n; i++) cp = (cp << 6) | (p[i] & 0x3f);
        p += n;
        key_code(app, (TsKey)cp);
    }
}

static void clear_prompt(TsApp *app) {
    for (int i = 0; i < 5000 && app->prompt_buf[0]; i++) key_code(app, TS_KEY_BACKSPACE);
    assert_string_equal(app->prompt_buf, "");
}

static void go(TsApp *app, int64_t step) {
    app_phases_goto_step(app, step);
    app->geom_valid = false;
}

static char *screen(TsApp *app, TsCellBuf *buf) {
    ts_app_render(app, buf);
    return ts_cellbuf_to_text(buf);
}

static void expect_msg(TsApp *app, const char *want) {
    if (!strstr(app->msg, want)) fail_msg("message '%s' lacks '%s'", app->msg, want);
}

/* The marks as saved on disk. */
static TsMarkSet *on_disk(void) {
    TsErr err;
    TsMarkSet *set = ts_marks_file_read(sidecar, &err);
    if (!set) fail_msg("%s", err.msg);
    return set;
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_mark_label_delete_undo(void **state) {
    (void)state;
    make_run("undo");
    TsApp *app = open_app();
    select_track(app, "train/loss");
    go(app, 300);
    ts_test_key(app, "m");
    expect_msg(app, "marked step 300: mark 1");
    go(app, 600);
    ts_test_key(app, "m");
    TsMarkSet *set = on_disk();
    assert_int_equal(ts_marks_count(set), 2);
    assert_int_equal(ts_marks_at(set, 0)->start_step, 300);
    assert_string_equal(ts_marks_at(set, 0)->source, "manual");
    assert_int_equal(ts_marks_at(set, 1)->start_step, 600);
    assert_int_equal(ts_marks_at(set, 1)->kind, TS_MARK_POINT);
    assert_true(ts_marks_at(set, 1)->created[0] != '\0');
    ts_marks_free(set);

    /* e edits the nearest mark: 420 is nearer 300 than 600 */
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 120, 40);
    char *text = screen(app, &buf); /* panels cached without the label */
    assert_null(strstr(text, "plateau"));
    free(text);
    go(app, 420);
    ts_test_key(app, "e");
    assert_true(app->prompt);
    assert_int_equal(app->phases->edit.id, 1);
    type(app, "plateau \"ends\" \xc3\xa9\xe2\x9c\x93");
    text = screen(app, &buf);
    assert_non_null(strstr(text, "label of mark 1: plateau \"ends\" \xc3\xa9\xe2\x9c\x93"));
    free(text);
    ts_test_key(app, "<Enter>");
    assert_false(app->prompt);
    text = screen(app, &buf); /* the cached panels were drawn again */
    assert_non_null(strstr(text, "\xe2\x94\x8a" "plateau \"ends\" \xc3\xa9\xe2\x9c\x93"));
    free(text);
    ts_cellbuf_fini(&buf);
    set = on_disk();
    assert_string_equal(ts_marks_get(set, 1)->label, "plateau \"ends\" \xc3\xa9\xe2\x9c\x93");
    ts_marks_free(set);
    /* Esc leaves the label as it was */
    ts_test_key(app, "e");
    type(app, "zzz");
    ts_test_key(app, "<Esc>");
    set = on_disk();
    assert_string_equal(ts_marks_get(set, 1)->label, "plateau \"ends\" \xc3\xa9\xe2\x9c\x93");
    ts_marks_free(set);
    /* backspace removes whole UTF-8 characters */
    ts_test_key(app, "e");
    key_code(app, TS_KEY_BACKSPACE);
    assert_string_equal(app->prompt_buf, "plateau \"ends\" \xc3\xa9");
    ts_test_key(app, "<Esc>");

    /* D deletes the nearest (600 from 580) */
    go(app, 580);
    ts_test_key(app, "D");
    expect_msg(app, "deleted mark 2 at step 600");
    set = on_disk();
    assert_int_equal(ts_marks_count(set), 1);
    ts_marks_free(set);
    /* undo: the delete, the label, then the adds */
    ts_test_key(app, "u");
    set = on_disk();
    assert_int_equal(ts_marks_count(set), 2);
    assert_non_null(ts_marks_get(set, 2));
    ts_marks_free(set);
    ts_test_key(app, "u");
    set = on_disk();
    assert_string_equal(ts_marks_get(set, 1)->label, "");
    ts_marks_free(set);
    ts_test_key(app, "u");
    ts_test_key(app, "u");
    set = on_disk();
    assert_int_equal(ts_marks_count(set), 0);
    ts_marks_free(set);
    ts_test_key(app, "u");
    expect_msg(app, "nothing to undo");
    /* ids are never reused */
    ts_test_key(app, "m");
    set = on_disk();
    assert_int_equal(ts_marks_at(set, 0)->id, 3);
    ts_marks_free(set);
    ts_app_free(app);

    /* reopening finds the mark */
    app = open_app();
    assert_int_equal(ts_marks_count(app->phases->rm[0].set), 1);
    assert_non_null(app->phases->rm[0].from);
    ts_app_free(app);
}

static void test_interval_next_zoom(void **state) {
    (void)state;
    make_run("interval");
    TsApp *app = open_app();
    select_track(app, "train/loss");
    go(app, 200);
    ts_test_key(app, "m");
    go(app, 400);
    ts_test_key(app, "i");
    assert_true(app->phases->interval_open);
    char st[512];
    assert_true(app_phases_status(app, st, sizeof st));
    assert_non_null(strstr(st, "interval from step 400"));
    go(app, 600);
    ts_test_key(app, "i");
    assert_false(app->phases->interval_open);
    go(app, 800);
    ts_test_key(app, "m");
    TsMarkSet *set = on_disk();
    assert_int_equal(ts_marks_count(set), 3);
    const TsMark *iv = ts_marks_at(set, 1);
    assert_int_equal(iv->kind, TS_MARK_INTERVAL);
    assert_int_equal(iv->start_step, 400);
    assert_int_equal(iv->end_step, 600);
    ts_marks_free(set);
    /* an interval made right to left is stored in order; Esc cancels one */
    go(app, 900);
    ts_test_key(app, "i");
    ts_test_key(app, "<Esc>");
    assert_false(app->phases->interval_open);
    assert_int_equal(ts_marks_count(app->phases->rm[0].set), 3);

    /* n / N walk points and both interval edges */
    go(app, 0);
    int64_t want[] = {200, 400, 600, 800};
    for (int k = 0; k < 4; k++) {
        ts_test_key(app, "n");
        assert_true(app->pinned);
        assert_int_equal(app->tracks[app->pin_track].s.step[app->pin_index], want[k]);
    }
    ts_test_key(app, "n");
    expect_msg(app, "no mark after the cursor");
    ts_test_key(app, "N");
    assert_int_equal(app->tracks[app->pin_track].s.step[app->pin_index], 600);
    ts_test_key(app, "N");
    ts_test_key(app, "N");
    assert_int_equal(app->tracks[app->pin_track].s.step[app->pin_index], 200);

    /* z zooms to the interval under the cursor */
    go(app, 500);
    ts_test_key(app, "z");
    assert_true(app->zoomed);
    assert_true(app->vx0 <= 400 && app->vx1 >= 600);
    assert_true(app->vx1 - app->vx0 < 300);
    ts_test_key(app, "0");
    go(app, 100);
    ts_test_key(app, "z");
    assert_false(app->zoomed);
    expect_msg(app, "no interval under the cursor");

    /* e inside the interval edits the interval */
    go(app, 500);
    ts_test_key(app, "e");
    assert_int_equal(app->phases->edit.id, 2);
    type(app, "grokking");
    ts_test_key(app, "<Enter>");

    /* every panel draws the marks: lines, the span, the label */
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 120, 40);
    char *text = screen(app, &buf);
    assert_non_null(strstr(text, "grokking"));
    free(text);
    assert_true(app->n_panels >= 2);
    for (int p = 0; p < app->n_panels; p++) {
        const TsPlotSpec *sp = &app->panels[p].spec;
        assert_int_equal(sp->n_spans, 1);
        assert_double_equal(sp->spans[0].x0, 400, 0);
        assert_double_equal(sp->spans[0].x1, 600, 0);
        assert_int_equal(sp->n_markers, 4); /* 200, 400 (labelled), 600, 800 */
    }

    /* the marks panel lists them; Enter jumps */
    ts_test_key(app, "M");
    assert_true(app->phases->panel);
    text = screen(app, &buf);
    assert_non_null(strstr(text, "Marks (3)"));
    assert_non_null(strstr(text, "400..600"));
    free(text);
    ts_test_key(app, "G"); /* the last mark */
    ts_test_key(app, "<Enter>");
    assert_false(app->phases->panel);
    assert_int_equal(app->tracks[app->pin_track].s.step[app->pin_index], 800);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

static size_t cur_n(TsApp *app) {
    const AppCpdLevel *lv = app_cpd_current(app->phases);
    assert_non_null(lv);
    return lv->n;
}

static void test_crops_stepping_accept(void **state) {
    (void)state;
    make_run("crops");
    TsApp *app = open_app();
    select_track(app, "train/loss");
    go(app, 310);
    ts_test_key(app, "d");
    AppCpd *c = &app->phases->cpd;
    assert_int_equal(c->state, APP_CPD_DONE);
    assert_int_equal(c->method, TS_CPD_PELT);
    const AppCpdLevel *lv = app_cpd_current(app->phases);
    assert_int_equal(lv->n, 2);
    assert_int_equal(lv->step[0], 300);
    assert_int_equal(lv->step[1], 600);
    char st[512];
    assert_true(app_phases_status(app, st, sizeof st));
    assert_non_null(strstr(st, "pelt"));
    assert_non_null(strstr(st, "cost mean"));
    assert_non_null(strstr(st, "penalty mbic"));
    assert_non_null(strstr(st, "2 change points"));
    /* the path holds 0 changes first, counts rising */
    assert_int_equal(c->level[0].n, 0);
    for (size_t i = 1; i < c->n_level; i++) assert_true(c->level[i].n > c->level[i - 1].n);
    assert_true(c->n_level >= 3);
    ts_test_key(app, "{");
    assert_int_equal(cur_n(app), 1);
    ts_test_key(app, "{");
    assert_int_equal(cur_n(app), 0);
    ts_test_key(app, "{");
    assert_int_equal(cur_n(app), 0);
    expect_msg(app, "no change points left");
    ts_test_key(app, "}");
    ts_test_key(app, "}");
    assert_int_equal(cur_n(app), 2);
    for (size_t i = 0; i < c->n_level; i++) ts_test_key(app, "}");
    assert_int_equal(c->cur, c->n_level - 1);
    expect_msg(app, "most change points");
    while (c->cur != c->preferred) ts_test_key(app, "{");

    /* change points are drawn in the analysed metric's panel only */
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 120, 40);
    ts_app_render(app, &buf);
    int with_cp = 0;
    for (int p = 0; p < app->n_panels; p++) {
        const TsPlotSpec *sp = &app->panels[p].spec;
        int n = 0;
        for (size_t k = 0; k < sp->n_markers; k++)
            if (sp->markers[k].style == TS_STYLE_CHANGEPOINT) n++;
        if (n) {
            with_cp++;
            assert_int_equal(n, 2);
            assert_int_equal(sp->n_spans, 1); /* the second phase shaded */
            assert_double_equal(sp->spans[0].x0, 300, 0);
            assert_double_equal(sp->spans[0].x1, 600, 0);
        }
    }
    assert_int_equal(with_cp, 1);

    /* a accepts the change point nearest the cursor (310 -> 300) */
    go(app, 450);
    go(app, 310);
    ts_test_key(app, "a");
    TsMarkSet *set = on_disk();
    assert_int_equal(ts_marks_count(set), 1);
    const TsMark *m = ts_marks_at(set, 0);
    assert_int_equal(m->start_step, 300);
    assert_string_equal(m->metric, "train/loss");
    assert_true(strncmp(m->source, "detector:pelt cost=mean penalty=mbic", 36) == 0);
    assert_non_null(strstr(m->source, "changes=2"));
    ts_marks_free(set);

    /* c: another cost, detected again at once */
    ts_test_key(app, "c");
    assert_int_equal(c->state, APP_CPD_DONE);
    assert_int_equal(c->opts.cost, TS_CPD_COST_MEANVAR);
    assert_true(app_phases_status(app, st, sizeof st));
    assert_non_null(strstr(st, "cost meanvar"));
    /* C: binary segmentation, with its own path */
    ts_test_key(app, "c");
    ts_test_key(app, "c"); /* back to mean */
    ts_test_key(app, "C");
    assert_int_equal(c->opts.method, TS_CPD_BINSEG);
    assert_int_equal(c->state, APP_CPD_DONE);
    assert_int_equal(cur_n(app), 2);
    ts_test_key(app, "{");
    assert_int_equal(cur_n(app), 1);
    ts_test_key(app, "C");
    assert_int_equal(c->opts.method, TS_CPD_BOCPD);
    assert_int_equal(c->state, APP_CPD_DONE);
    ts_test_key(app, "C");
    assert_int_equal(c->opts.method, TS_CPD_PELT);
    /* with a log y axis, d detects again on log values */
    ts_test_key(app, "y");
    ts_test_key(app, "d");
    assert_int_equal(c->state, APP_CPD_DONE);
    assert_true(c->opts.prep.log_values);
    assert_true(app_phases_status(app, st, sizeof st));
    assert_non_null(strstr(st, "log values"));
    /* d on the same metric with the same settings hides the change points */
    ts_test_key(app, "d");
    assert_int_equal(c->state, APP_CPD_IDLE);
    assert_false(app_phases_status(app, st, sizeof st));
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

/* Ticks as the event loop would until the detection ends (at most 10 s). */
static void wait_done(TsApp *app) {
    for (int i = 0; i < 10000 && app_phases_busy(app); i++) {
        app_phases_tick(app);
        if (app_phases_busy(app) && app_phases_poll_timeout(app, -1) > 0) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
}

static void test_detect_in_slices_cancel(void **state) {
    (void)state;
    make_run("async");
    TsApp *app = open_app();
    select_track(app, "eval/acc");
    AppPhases *ph = app_phases(app);
    ph->cpd.force_async = true;
    ts_test_key(app, "d");
    assert_int_equal(ph->cpd.state, APP_CPD_PENDING);
    assert_true(app_phases_busy(app));
    char st[512];
    assert_true(app_phases_status(app, st, sizeof st));
    assert_non_null(strstr(st, "detecting in eval/acc"));
    /* the first tick hands the preparation to a thread: the loop waits for
     * it a few ms at a time, then runs the job in slices */
    app_phases_tick(app);
    int t = app_phases_poll_timeout(app, -1); /* -1 when it already ended */
    assert_true(t == -1 || t == 0 || t == APP_CPD_WAIT_MS);
    assert_true(app_phases_poll_timeout(app, 3) <= 3);
    wait_done(app);
    assert_false(app_phases_busy(app));
    assert_int_equal(app_phases_poll_timeout(app, -1), -1);
    assert_int_equal(ph->cpd.state, APP_CPD_DONE);
    assert_int_equal(cur_n(app), 1);
    assert_int_equal(app_cpd_current(ph)->step[0], 500);
    /* keys work while it runs; Esc cancels */
    ts_test_key(app, "d"); /* hide */
    ts_test_key(app, "d");
    assert_true(app_phases_busy(app));
    ts_test_key(app, "l");
    assert_true(app_phases_busy(app));
    ts_test_key(app, "<Esc>");
    assert_false(app_phases_busy(app));
    assert_int_equal(ph->cpd.state, APP_CPD_IDLE);
    expect_msg(app, "detection cancelled");
    /* cancelled while a thread prepares: it is freed when it ends (or at exit) */
    ts_test_key(app, "d");
    app_phases_tick(app); /* a thread prepares (or, on a fast machine, it all ended) */
    ts_test_key(app, "<Esc>");
    assert_false(app_phases_busy(app));
    if (ph->cpd.state == APP_CPD_DONE) ts_test_key(app, "d"); /* ended before Esc: hide */
    assert_int_equal(ph->cpd.state, APP_CPD_IDLE);
    ts_test_key(app, "d");
    wait_done(app);
    assert_int_equal(ph->cpd.state, APP_CPD_DONE);
    for (int i = 0; i < 10000 && ph->cpd.n_zombies; i++) { /* ticks free it once it ended */
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        app_phases_tick(app);
    }
    assert_int_equal(ph->cpd.n_zombies, 0);
    ts_test_key(app, "d");
    ts_test_key(app, "d");
    app_phases_tick(app);
    ts_test_key(app, "<Esc>");
    ts_app_free(app); /* waits for that one */
}

static void test_corrupt_sidecar_consent(void **state) {
    (void)state;
    make_run("corrupt");
    const char *bad_text = "{\n  \"marks\": [\n    {oops\n";
    FILE *f = fopen(sidecar, "wb");
    assert_non_null(f);
    fputs(bad_text, f);
    fclose(f);
    TsApp *app = open_app();
    char want[2400];
    snprintf(want, sizeof want, "%s:3:", sidecar);
    if (!strstr(app->note, want)) fail_msg("note '%s' lacks '%s'", app->note, want);
    /* the run opened: its curves are drawn */
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 120, 40);
    ts_app_render(app, &buf);
    assert_true(app->n_panels >= 1);
    select_track(app, "train/loss");
    go(app, 300);
    /* m asks first; n leaves the file alone */
    ts_test_key(app, "m");
    assert_true(app->prompt);
    assert_int_equal(app->prompt_kind, APP_PROMPT_CONFIRM);
    char *text = screen(app, &buf);
    assert_non_null(strstr(text, "[y/N]"));
    free(text);
    ts_test_key(app, "n");
    assert_false(app->prompt);
    char *now = read_all(sidecar);
    assert_string_equal(now, bad_text);
    free(now);
    char bad_path[2400];
    snprintf(bad_path, sizeof bad_path, "%s.bad", sidecar);
    assert_null(read_all(bad_path));
    assert_int_equal(ts_marks_count(app->phases->rm[0].set), 0);
    /* y moves it to .bad, then the mark is made */
    ts_test_key(app, "m");
    ts_test_key(app, "y");
    now = read_all(bad_path);
    assert_non_null(now);
    assert_string_equal(now, bad_text);
    free(now);
    TsMarkSet *set = on_disk();
    assert_int_equal(ts_marks_count(set), 1);
    assert_int_equal(ts_marks_at(set, 0)->start_step, 300);
    ts_marks_free(set);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

static void test_label_bytes_sanitized(void **state) {
    (void)state;
    make_run("sanitize");
    const char *raw = "a\x1b[31mred \"q\"\nend";
    TsMarkSet *set = ts_marks_new();
    TsMark m;
    ts_mark_init_point(&m, 300, raw);
    TsErr err;
    assert_true(ts_marks_add(set, &m, &err) > 0);
    assert_true(ts_marks_file_save(archive, set, NULL, &err));
    ts_marks_free(set);

    TsApp *app = open_app();
    select_track(app, "train/loss");
    TsCellBuf buf;
    ts_cellbuf_init(&buf, 120, 40);
    ts_test_key(app, "M");
    char *text = screen(app, &buf);
    assert_null(strchr(text, '\x1b'));
    assert_non_null(strstr(text, "a?[31mred \"q\"?end"));
    free(text);
    ts_test_key(app, "<Esc>");
    /* editing shows it sanitized and keeps the bytes */
    go(app, 310);
    ts_test_key(app, "e");
    assert_string_equal(app->prompt_buf, raw);
    text = screen(app, &buf);
    assert_null(strchr(text, '\x1b'));
    assert_non_null(strstr(text, "a?[31mred \"q\"?end"));
    free(text);
    type(app, "!");
    ts_test_key(app, "<Enter>");
    set = on_disk();
    char want[64];
    snprintf(want, sizeof want, "%s!", raw);
    assert_string_equal(ts_marks_at(set, 0)->label, want);
    ts_marks_free(set);
    ts_cellbuf_fini(&buf);
    ts_app_free(app);
}

static void test_export(void **state) {
    (void)state;
    make_run("export");
    TsApp *app = open_app();
    select_track(app, "train/loss");
    go(app, 200);
    ts_test_key(app, "i");
    go(app, 500);
    ts_test_key(app, "i");
    ts_test_key(app, "E");
    assert_true(app->prompt);
    assert_int_equal(app->prompt_kind, APP_PROMPT_EXPORT);
    char want[2400];
    snprintf(want, sizeof want, "%s/run-stats.csv", dir);
    assert_string_equal(app->prompt_buf, want);
    clear_prompt(app);
    char out[2400];
    snprintf(out, sizeof out, "%s/out.csv", dir);
    remove(out);
    type(app, out);
    ts_test_key(app, "<Enter>");
    expect_msg(app, "exported statistics over the marked spans to ");
    expect_msg(app, "out.csv");
    char *text = read_all(out);
    assert_non_null(text);
    assert_true(strncmp(text, "run,interval,kind,mark_id", 25) == 0);
    assert_non_null(strstr(text, ",200,500,"));
    assert_non_null(strstr(text, "train/loss"));
    free(text);
    /* JSON by the extension; Esc cancels */
    ts_test_key(app, "E");
    ts_test_key(app, "<Esc>");
    expect_msg(app, "export cancelled");
    ts_test_key(app, "E");
    clear_prompt(app);
    snprintf(out, sizeof out, "%s/out.json", dir);
    type(app, out);
    ts_test_key(app, "<Enter>");
    text = read_all(out);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"trajscope_export\""));
    free(text);
    /* an unwritable place: an error, nothing written */
    ts_test_key(app, "E");
    clear_prompt(app);
    type(app, "/nonexistent-dir/x.csv");
    ts_test_key(app, "<Enter>");
    assert_true(app->msg_error);
    expect_msg(app, "export failed");
    ts_app_free(app);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mark_label_delete_undo), cmocka_unit_test(test_interval_next_zoom),
        cmocka_unit_test(test_crops_stepping_accept),  cmocka_unit_test(test_detect_in_slices_cancel),
        cmocka_unit_test(test_corrupt_sidecar_consent), cmocka_unit_test(test_label_bytes_sanitized),
        cmocka_unit_test(test_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
