/* test_export.c - export of marked spans: statistics checked against values
 * computed by hand on a small archive built here, CSV/JSON layout, marks
 * and samples, archives per span, resumed runs and ragged streams.
 * Layer: tests. License: MIT. */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "support/ts_test.h"
#include "trajscope/export.h"
#include "trajscope/marks.h"
#include "trajscope/marks_file.h"
#include "trajscope/run.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

static char *scratch_dir(void) {
    static unsigned counter;
    char *dir = ts_xasprintf("%s/export-%d-%u", ts_test_tmpdir(), (int)getpid(), counter++);
    assert_int_equal(mkdir(dir, 0755), 0);
    return dir;
}

/* The archive of these tests:
 *   train: step 0,10,...,100; loss = (step/10)^2 with NaN at step 30;
 *          acc (float32) = step/40; wall_time = 1000 + 2 step
 *   eval:  step 0, 50, 100; acc = 0.1, 0.5, 0.9; no wall time */
static char *make_archive(const char *dir) {
    char *path = ts_xasprintf("%s/run.h5", dir);
    TsErr err;
    ts_err_clear(&err);
    TsWriter *w = ts_writer_create(path, "arch-run", NULL, &err);
    if (!w) fail_msg("%s", err.msg);
    assert_true(ts_writer_set_config_number(w, "lr", 0.001, &err));
    assert_true(ts_writer_set_config_text(w, "optimizer", "adamw", &err));
    const char *tcols[] = {"loss", "acc"};
    const char *ttypes[] = {"float64", "float32"};
    assert_true(ts_writer_add_stream_typed(w, "train", tcols, ttypes, 2, TS_STREAM_WALL_TIME, &err));
    const char *ecols[] = {"acc"};
    assert_true(ts_writer_add_stream(w, "eval", ecols, 1, 0, &err));
    for (int s = 0; s <= 100; s += 10) {
        double k = s / 10.0;
        double v[2] = {s == 30 ? NAN : k * k, s / 40.0};
        assert_true(ts_writer_append(w, "train", s, v, 1000 + 2.0 * s, 0, &err));
    }
    double ev[] = {0.1, 0.5, 0.9};
    for (int i = 0; i < 3; i++) assert_true(ts_writer_append(w, "eval", i * 50, &ev[i], NAN, 0, &err));
    assert_true(ts_writer_close(w, &err));
    return path;
}

typedef struct Ids {
    uint64_t p20, p60, iv, other;
} Ids;

static TsMarkSet *make_marks(Ids *ids) {
    TsMarkSet *set = ts_marks_new();
    TsErr err;
    ts_err_clear(&err);
    TsMark m;
    ts_mark_init_point(&m, 20, "p20, \"quoted\"\nnext line");
    ids->p20 = ts_marks_add(set, &m, &err);
    ts_mark_init_point(&m, 60, "p60");
    ids->p60 = ts_marks_add(set, &m, &err);
    ts_mark_init_interval(&m, 10, 40, "iv");
    m.metric = "train/loss";
    ids->iv = ts_marks_add(set, &m, &err);
    ts_mark_init_point(&m, 50, "not this run");
    m.run = "someone-else";
    ids->other = ts_marks_add(set, &m, &err);
    return set;
}

typedef struct Fixture {
    char *dir, *path;
    TsRun *run;
    TsMarkSet *marks;
    Ids ids;
    TsExportRun er;
} Fixture;

static void fixture_open(Fixture *fx) {
    memset(fx, 0, sizeof *fx);
    fx->dir = scratch_dir();
    fx->path = make_archive(fx->dir);
    TsErr err;
    ts_err_clear(&err);
    fx->run = ts_run_open(fx->path, &err);
    if (!fx->run) fail_msg("%s", err.msg);
    fx->marks = make_marks(&fx->ids);
    fx->er.run = fx->run;
    fx->er.marks = fx->marks;
    fx->er.marks_path = "run.h5.marks.json";
}

static void fixture_close(Fixture *fx) {
    ts_run_free(fx->run);
    ts_marks_free(fx->marks);
    free(fx->path);
    free(fx->dir);
}

static json_t *render_json(const TsExportRun *runs, size_t n, const TsExportOptions *o) {
    char *text;
    size_t len;
    TsErr err;
    ts_err_clear(&err);
    if (!ts_export_render(runs, n, o, &text, &len, &err)) fail_msg("%s", err.msg);
    assert_int_equal(strlen(text), len);
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    if (!doc) fail_msg("bad JSON: %s", je.text);
    free(text);
    return doc;
}

static json_t *metric_of(json_t *interval, const char *name) {
    json_t *ms = json_object_get(interval, "metrics");
    for (size_t i = 0; i < json_array_size(ms); i++) {
        json_t *m = json_array_get(ms, i);
        if (strcmp(json_string_value(json_object_get(m, "metric")), name) == 0) return m;
    }
    fail_msg("no metric %s", name);
    return NULL;
}

static double num(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    if (!v) fail_msg("no key %s", key);
    if (json_is_null(v)) return NAN;
    return json_number_value(v);
}

static void check_stats(json_t *m, size_t n, size_t nonfinite, double start, double end, double mean,
                        double min, double max, double slope) {
    assert_int_equal((size_t)num(m, "n_points"), n);
    assert_int_equal((size_t)num(m, "n_nonfinite"), nonfinite);
    double got[] = {num(m, "start_value"), num(m, "end_value"), num(m, "change"), num(m, "mean"),
                    num(m, "min"), num(m, "max"), num(m, "slope")};
    double want[] = {start, end, end - start, mean, min, max, slope};
    const char *names[] = {"start", "end", "change", "mean", "min", "max", "slope"};
    for (int i = 0; i < 7; i++) {
        if (isnan(want[i])) {
            if (!isnan(got[i])) fail_msg("%s = %.17g, expected null", names[i], got[i]);
        } else if (!(fabs(got[i] - want[i]) <= 1e-12 * fmax(1, fabs(want[i])))) {
            fail_msg("%s = %.17g, expected %.17g", names[i], got[i], want[i]);
        }
    }
}

static void test_stats_json_by_hand(void **state) {
    (void)state;
    Fixture fx;
    fixture_open(&fx);
    TsExportOptions o;
    ts_export_options_default(&o);
    o.format = TS_EXPORT_JSON;
    json_t *doc = render_json(&fx.er, 1, &o);
    assert_int_equal(json_integer_value(json_object_get(doc, "trajscope_export")), 1);
    json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
    assert_string_equal(json_string_value(json_object_get(run, "run")), "arch-run");
    assert_string_equal(json_string_value(json_object_get(run, "marks_file")), "run.h5.marks.json");
    json_t *iv = json_object_get(run, "intervals");
    /* lead [0,20), interval [10,40], phase [20,60), phase [60,100]; the
     * other run's point mark at 50 is not ours. */
    assert_int_equal(json_array_size(iv), 4);
    const char *kinds[] = {"lead", "interval", "phase", "phase"};
    int64_t starts[] = {0, 10, 20, 60}, ends[] = {20, 40, 60, 100};
    bool incl[] = {false, true, false, true};
    uint64_t mids[] = {0, fx.ids.iv, fx.ids.p20, fx.ids.p60};
    for (size_t k = 0; k < 4; k++) {
        json_t *s = json_array_get(iv, k);
        assert_int_equal(json_integer_value(json_object_get(s, "interval")), (json_int_t)k + 1);
        assert_string_equal(json_string_value(json_object_get(s, "kind")), kinds[k]);
        assert_int_equal(json_integer_value(json_object_get(s, "start_step")), starts[k]);
        assert_int_equal(json_integer_value(json_object_get(s, "end_step")), ends[k]);
        assert_int_equal(json_is_true(json_object_get(s, "end_inclusive")), incl[k]);
        json_t *mid = json_object_get(s, "mark_id");
        if (mids[k]) assert_int_equal(json_integer_value(mid), (json_int_t)mids[k]);
        else assert_true(json_is_null(mid));
        assert_int_equal(json_array_size(json_object_get(s, "metrics")), 3);
    }
    /* The label is kept exactly (JSON escapes it). */
    assert_string_equal(json_string_value(json_object_get(json_array_get(iv, 2), "label")),
                        "p20, \"quoted\"\nnext line");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(iv, 2), "end_mark_id")),
                     (json_int_t)fx.ids.p60);

    /* train/loss = (step/10)^2, NaN at 30 (by hand; see docs/MARKS.md):
     * lead   [0,20):  (0,0) (10,1)                       slope 0.1
     * iv     [10,40]: (10,1) (20,4) (30,NaN) (40,16)     slope 18/35
     * phase  [20,60): (20,4) (30,NaN) (40,16) (50,25)    slope 24/35
     * phase  [60,100]: 36 49 64 81 100                   slope 1.6 */
    check_stats(metric_of(json_array_get(iv, 0), "train/loss"), 2, 0, 0, 1, 0.5, 0, 1, 0.1);
    check_stats(metric_of(json_array_get(iv, 1), "train/loss"), 3, 1, 1, 16, 7, 1, 16, 18.0 / 35.0);
    check_stats(metric_of(json_array_get(iv, 2), "train/loss"), 3, 1, 4, 25, 15, 4, 25, 24.0 / 35.0);
    check_stats(metric_of(json_array_get(iv, 3), "train/loss"), 5, 0, 36, 100, 66, 36, 100, 1.6);
    json_t *m = metric_of(json_array_get(iv, 1), "train/loss");
    assert_double_equal(num(m, "start_wall_time"), 1020, 0);
    assert_double_equal(num(m, "end_wall_time"), 1080, 0);
    assert_int_equal((int)num(m, "start_value_step"), 10);
    assert_int_equal((int)num(m, "end_value_step"), 40);
    /* float32 acc = step/40, exact. */
    check_stats(metric_of(json_array_get(iv, 3), "train/acc"), 5, 0, 1.5, 2.5, 2.0, 1.5, 2.5, 0.025);
    /* eval/acc: one point or none per span; no wall time. */
    check_stats(metric_of(json_array_get(iv, 0), "eval/acc"), 1, 0, 0.1, 0.1, 0.1, 0.1, 0.1, NAN);
    check_stats(metric_of(json_array_get(iv, 1), "eval/acc"), 0, 0, NAN, NAN, NAN, NAN, NAN, NAN);
    check_stats(metric_of(json_array_get(iv, 2), "eval/acc"), 1, 0, 0.5, 0.5, 0.5, 0.5, 0.5, NAN);
    check_stats(metric_of(json_array_get(iv, 3), "eval/acc"), 1, 0, 0.9, 0.9, 0.9, 0.9, 0.9, NAN);
    assert_true(isnan(num(metric_of(json_array_get(iv, 2), "eval/acc"), "start_wall_time")));
    json_decref(doc);
    fixture_close(&fx);
}

/* Splits one CSV record (RFC 4180) starting at *p; advances *p past it. */
static size_t csv_record(const char **p, char fields[][256], size_t max) {
    size_t n = 0, len = 0;
    const char *s = *p;
    bool quoted = false;
    fields[0][0] = '\0';
    for (;; s++) {
        if (quoted) {
            if (*s == '"' && s[1] == '"') {
                fields[n][len++] = '"';
                s++;
            } else if (*s == '"') {
                quoted = false;
            } else {
                fields[n][len++] = *s;
            }
            continue;
        }
        if (*s == '"') {
            quoted = true;
        } else if (*s == ',' || *s == '\n' || *s == '\0') {
            fields[n][len] = '\0';
            n++;
            len = 0;
            if (*s != ',') break;
            assert_true(n < max);
        } else {
            fields[n][len++] = *s;
        }
    }
    *p = *s ? s + 1 : s;
    return n;
}

static void test_stats_csv(void **state) {
    (void)state;
    Fixture fx;
    fixture_open(&fx);
    TsExportOptions o;
    ts_export_options_default(&o);
    const char *metrics[] = {"train/loss"};
    o.metrics = metrics;
    o.n_metrics = 1;
    char *text;
    size_t len;
    TsErr err;
    ts_err_clear(&err);
    assert_true(ts_export_render(&fx.er, 1, &o, &text, &len, &err));
    const char *p = text;
    char f[32][256];
    double csv_slope = NAN;
    size_t n = csv_record(&p, f, 32);
    assert_int_equal(n, 24);
    assert_string_equal(f[0], "run");
    assert_string_equal(f[23], "slope");
    size_t rows = 0;
    while (*p) {
        n = csv_record(&p, f, 32);
        assert_int_equal(n, 24);
        rows++;
        assert_string_equal(f[0], "arch-run");
        assert_string_equal(f[9], "train/loss");
        if (strcmp(f[1], "2") == 0) {
            /* The interval: run,2,interval,ID,,iv,10,40,true,train/loss,3,1,0,1020,1080,10,1,40,16,15,7,1,16,slope */
            assert_string_equal(f[2], "interval");
            assert_int_equal(strtoull(f[3], NULL, 10), fx.ids.iv);
            assert_string_equal(f[4], "");
            assert_string_equal(f[5], "iv");
            const char *want[] = {"10", "40", "true", "train/loss", "3", "1", "0", "1020", "1080",
                                  "10", "1", "40", "16", "15", "7", "1", "16"};
            for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) assert_string_equal(f[6 + i], want[i]);
            assert_double_equal(strtod(f[23], NULL), 18.0 / 35.0, 1e-15);
            csv_slope = strtod(f[23], NULL);
        }
        if (strcmp(f[1], "3") == 0) assert_string_equal(f[5], "p20, \"quoted\"\nnext line");
    }
    assert_int_equal(rows, 4);
    free(text);
    /* CSV and JSON carry the same double, bit for bit. */
    o.format = TS_EXPORT_JSON;
    json_t *doc = render_json(&fx.er, 1, &o);
    json_t *iv = json_array_get(json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "intervals"), 1);
    assert_true(num(metric_of(iv, "train/loss"), "slope") == csv_slope);
    json_decref(doc);
    o.format = TS_EXPORT_CSV;

    /* An unknown metric is an error naming it; nothing is returned. */
    const char *bad[] = {"train/nope"};
    o.metrics = bad;
    text = (char *)"untouched";
    assert_false(ts_export_render(&fx.er, 1, &o, &text, &len, &err));
    assert_null(text);
    assert_non_null(strstr(err.msg, "train/nope"));
    fixture_close(&fx);
}

static void test_selection_by_mark_and_metric_of_marks(void **state) {
    (void)state;
    Fixture fx;
    fixture_open(&fx);
    TsExportOptions o;
    ts_export_options_default(&o);
    o.format = TS_EXPORT_JSON;
    uint64_t only[] = {fx.ids.p60};
    o.mark_ids = only;
    o.n_mark_ids = 1;
    json_t *doc = render_json(&fx.er, 1, &o);
    json_t *iv = json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "intervals");
    assert_int_equal(json_array_size(iv), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(iv, 0), "interval")), 4);
    json_decref(doc);
    /* Marks made on eval/acc only (or on every metric): the loss interval goes. */
    o.n_mark_ids = 0;
    o.marks_metric = "eval/acc";
    doc = render_json(&fx.er, 1, &o);
    iv = json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "intervals");
    assert_int_equal(json_array_size(iv), 3);
    for (size_t k = 0; k < 3; k++)
        assert_string_not_equal(json_string_value(json_object_get(json_array_get(iv, k), "kind")), "interval");
    json_decref(doc);
    fixture_close(&fx);
}

static void test_marks_only_and_data_csv(void **state) {
    (void)state;
    Fixture fx;
    fixture_open(&fx);
    TsExportOptions o;
    ts_export_options_default(&o);
    o.what = TS_EXPORT_MARKS;
    char *text;
    size_t len;
    TsErr err;
    ts_err_clear(&err);
    assert_true(ts_export_render(&fx.er, 1, &o, &text, &len, &err));
    const char *p = text;
    char f[32][256];
    assert_int_equal(csv_record(&p, f, 32), 11);
    assert_string_equal(f[5], "label");
    size_t rows = 0;
    bool saw_quoted = false;
    while (*p) {
        assert_int_equal(csv_record(&p, f, 32), 11);
        rows++;
        if (strcmp(f[5], "p20, \"quoted\"\nnext line") == 0) saw_quoted = true;
        assert_string_not_equal(f[5], "not this run");
    }
    assert_int_equal(rows, 3);
    assert_true(saw_quoted);
    /* The raw text holds the RFC 4180 quoting. */
    assert_non_null(strstr(text, "\"p20, \"\"quoted\"\"\nnext line\""));
    free(text);

    o.what = TS_EXPORT_DATA;
    const char *metrics[] = {"train/loss"};
    o.metrics = metrics;
    o.n_metrics = 1;
    uint64_t only[] = {fx.ids.iv};
    o.mark_ids = only;
    o.n_mark_ids = 1;
    assert_true(ts_export_render(&fx.er, 1, &o, &text, &len, &err));
    assert_string_equal(text,
                        "run,interval,label,metric,step,value\n"
                        "arch-run,2,iv,train/loss,10,1\n"
                        "arch-run,2,iv,train/loss,20,4\n"
                        "arch-run,2,iv,train/loss,30,nan\n"
                        "arch-run,2,iv,train/loss,40,16\n");
    free(text);

    /* JSON with data: samples next to the statistics. */
    o.format = TS_EXPORT_JSON;
    json_t *doc = render_json(&fx.er, 1, &o);
    json_t *m = metric_of(json_array_get(json_object_get(json_array_get(json_object_get(doc, "runs"), 0),
                                                         "intervals"), 0), "train/loss");
    json_t *steps = json_object_get(m, "step"), *vals = json_object_get(m, "value");
    assert_int_equal(json_array_size(steps), 4);
    assert_true(json_is_null(json_array_get(vals, 2)));
    assert_double_equal(json_number_value(json_array_get(vals, 3)), 16, 0);
    assert_double_equal(json_number_value(json_array_get(json_object_get(m, "wall_time"), 0)), 1020, 0);
    json_decref(doc);

    /* Saved atomically: the file holds exactly the rendered text. */
    o.format = TS_EXPORT_CSV;
    char *out = ts_xasprintf("%s/out.csv", fx.dir);
    assert_true(ts_export_save(&fx.er, 1, &o, out, &err));
    assert_true(ts_export_render(&fx.er, 1, &o, &text, &len, &err));
    FILE *fp = fopen(out, "rb");
    char buf[4096];
    size_t got = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    assert_int_equal(got, len);
    assert_memory_equal(buf, text, len);
    free(text);
    free(out);
    fixture_close(&fx);
}

static void test_slices_are_runs(void **state) {
    (void)state;
    Fixture fx;
    fixture_open(&fx);
    TsExportOptions o;
    ts_export_options_default(&o);
    o.what = TS_EXPORT_DATA;
    o.format = TS_EXPORT_H5;
    TsErr err;
    ts_err_clear(&err);
    /* Four spans into one file name: refused, nothing created. */
    char *one = ts_xasprintf("%s/one.h5", fx.dir);
    assert_false(ts_export_slices(&fx.er, 1, &o, one, NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "4 intervals"));
    assert_int_equal(access(one, F_OK), -1);

    char *folder = ts_xasprintf("%s/slices/", fx.dir);
    char **paths = NULL;
    size_t n = 0;
    if (!ts_export_slices(&fx.er, 1, &o, folder, &paths, &n, &err)) fail_msg("%s", err.msg);
    assert_int_equal(n, 4);
    char *want0 = ts_xasprintf("%srun-01-lead.h5", folder);
    char *want2 = ts_xasprintf("%srun-03-p20_quoted_next_line.h5", folder);
    assert_string_equal(paths[0], want0);
    assert_string_equal(paths[2], want2);
    free(want0);
    free(want2);
    /* Slice 2 = the interval [10, 40]: a run of its own. */
    TsRun *r = ts_run_open(paths[1], &err);
    if (!r) fail_msg("%s", err.msg);
    assert_string_equal(ts_run_name(r), "arch-run [iv 10..40]");
    assert_string_equal(ts_run_config_find(r, "slice_of")->text, "arch-run");
    assert_string_equal(ts_run_config_find(r, "slice_kind")->text, "interval");
    assert_string_equal(ts_run_config_find(r, "slice_label")->text, "iv");
    assert_double_equal(ts_run_config_find(r, "slice_start_step")->number, 10, 0);
    assert_double_equal(ts_run_config_find(r, "slice_end_step")->number, 40, 0);
    assert_double_equal(ts_run_config_find(r, "lr")->number, 0.001, 0);
    assert_string_equal(ts_run_config_find(r, "optimizer")->text, "adamw");
    long li = ts_run_find_metric(r, "train/loss");
    long ai = ts_run_find_metric(r, "train/acc");
    long ei = ts_run_find_metric(r, "eval/acc");
    assert_true(li >= 0 && ai >= 0 && ei >= 0);
    assert_string_equal(ts_run_metric(r, (size_t)ai)->dtype, "float32");
    TsSeries s;
    ts_series_init(&s);
    assert_true(ts_run_read(r, (size_t)li, 0, SIZE_MAX, &s, &err));
    assert_int_equal(s.n, 4);
    int64_t wsteps[] = {10, 20, 30, 40};
    double wvals[] = {1, 4, NAN, 16};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(s.step[i], wsteps[i]);
        if (isnan(wvals[i])) assert_true(isnan(s.value[i]));
        else assert_double_equal(s.value[i], wvals[i], 0);
        assert_non_null(s.wall_time);
        assert_double_equal(s.wall_time[i], 1000 + 2.0 * (double)wsteps[i], 0);
    }
    assert_true(ts_run_read(r, (size_t)ei, 0, SIZE_MAX, &s, &err));
    assert_int_equal(s.n, 0); /* no eval point inside [10, 40] */
    ts_series_free(&s);
    ts_run_free(r);
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);

    /* One chosen span into one file works. */
    uint64_t only[] = {fx.ids.p60};
    o.mark_ids = only;
    o.n_mark_ids = 1;
    assert_true(ts_export_slices(&fx.er, 1, &o, one, NULL, NULL, &err));
    r = ts_run_open(one, &err);
    assert_non_null(r);
    ts_series_init(&s);
    assert_true(ts_run_read(r, (size_t)ts_run_find_metric(r, "eval/acc"), 0, SIZE_MAX, &s, &err));
    assert_int_equal(s.n, 1);
    assert_int_equal(s.step[0], 100);
    ts_series_free(&s);
    ts_run_free(r);
    free(one);
    free(folder);
    fixture_close(&fx);
}

static void test_resumed_and_ragged_memory_run(void **state) {
    (void)state;
    TsRun *run = ts_run_new_memory("mem.csv", "mem", "memory");
    size_t a = ts_run_mem_metric(run, "m", "a");
    size_t b = ts_run_mem_metric(run, "m", "b");
    /* a: resumed at 20 after reaching 40. b: logged on other steps. */
    int64_t as[] = {0, 10, 20, 30, 40, 20, 30, 40, 50};
    double av[] = {0, 1, 2, 3, 4, 20, 30, 40, 50};
    for (size_t i = 0; i < 9; i++) ts_run_mem_append(run, a, as[i], av[i], NAN);
    for (int s = 5; s <= 45; s += 10) ts_run_mem_append(run, b, s, s, NAN);
    TsMarkSet *set = ts_marks_new();
    TsMark m;
    ts_mark_init_interval(&m, 10, 40, "resumed");
    TsErr err;
    ts_err_clear(&err);
    ts_marks_add(set, &m, &err);
    TsExportRun er = {run, set, NULL};
    TsExportOptions o;
    ts_export_options_default(&o);
    o.format = TS_EXPORT_JSON;
    json_t *doc = render_json(&er, 1, &o);
    json_t *iv = json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "intervals");
    assert_int_equal(json_array_size(iv), 1);
    json_t *ma = metric_of(json_array_get(iv, 0), "m/a");
    /* Kept in [10,40]: 10:1, 20:20, 30:30, 40:40; superseded 20:2, 30:3, 40:4. */
    assert_int_equal((int)num(ma, "n_points"), 4);
    assert_int_equal((int)num(ma, "n_superseded"), 3);
    assert_double_equal(num(ma, "mean"), (1 + 20 + 30 + 40) / 4.0, 1e-12);
    json_decref(doc);

    /* Archive slice: a and b share a stream name but not their steps. */
    char *dir = scratch_dir();
    char *out = ts_xasprintf("%s/slice.h5", dir);
    o.what = TS_EXPORT_DATA;
    o.format = TS_EXPORT_H5;
    if (!ts_export_slices(&er, 1, &o, out, NULL, NULL, &err)) fail_msg("%s", err.msg);
    TsRun *r = ts_run_open(out, &err);
    if (!r) fail_msg("%s", err.msg);
    assert_true(ts_run_find_metric(r, "m/a") >= 0);
    long bi = ts_run_find_metric(r, "m#2/b");
    assert_true(bi >= 0);
    TsSeries s;
    ts_series_init(&s);
    assert_true(ts_run_read(r, (size_t)ts_run_find_metric(r, "m/a"), 0, SIZE_MAX, &s, &err));
    assert_int_equal(s.n, 4);
    assert_double_equal(s.value[1], 20, 0);
    assert_true(ts_run_read(r, (size_t)bi, 0, SIZE_MAX, &s, &err));
    assert_int_equal(s.n, 3); /* 15, 25, 35 */
    ts_series_free(&s);
    ts_run_free(r);
    free(out);
    free(dir);
    ts_marks_free(set);
    ts_run_free(run);
}

static void test_formats_and_no_marks(void **state) {
    (void)state;
    TsExportFormat f;
    assert_true(ts_export_format_parse("json", &f));
    assert_int_equal(f, TS_EXPORT_JSON);
    assert_false(ts_export_format_parse("JSON", &f));
    assert_true(ts_export_format_from_path("x/y.hdf5", &f));
    assert_int_equal(f, TS_EXPORT_H5);
    assert_false(ts_export_format_from_path("y.txt", &f));
    assert_string_equal(ts_export_format_name(TS_EXPORT_CSV), "csv");
    /* A run without marks: a header and no rows. */
    TsRun *run = ts_run_new_memory("m", "m", "memory");
    ts_run_mem_append(run, ts_run_mem_metric(run, "s", "x"), 0, 1, NAN);
    TsMarkSet *set = ts_marks_new();
    TsExportRun er = {run, set, NULL};
    TsExportOptions o;
    ts_export_options_default(&o);
    char *text;
    size_t len;
    TsErr err;
    ts_err_clear(&err);
    assert_true(ts_export_render(&er, 1, &o, &text, &len, &err));
    assert_int_equal(strchr(text, '\n') - text + 1, (long)len);
    free(text);
    o.format = TS_EXPORT_H5;
    assert_false(ts_export_render(&er, 1, &o, &text, &len, &err));
    o.what = TS_EXPORT_DATA;
    assert_false(ts_export_slices(&er, 1, &o, "/nonexistent/x.h5", NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "nothing to export"));
    ts_marks_free(set);
    ts_run_free(run);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_json_by_hand),
        cmocka_unit_test(test_stats_csv),
        cmocka_unit_test(test_selection_by_mark_and_metric_of_marks),
        cmocka_unit_test(test_marks_only_and_data_csv),
        cmocka_unit_test(test_slices_are_runs),
        cmocka_unit_test(test_resumed_and_ragged_memory_run),
        cmocka_unit_test(test_formats_and_no_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
