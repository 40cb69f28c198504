/* test_import.c - format detection, the cheap probe, the run finder
 * (source.h) and writing runs into archives (import_write), checked by
 * reading the archives back point by point.
 * Layer: tests. License: MIT. */
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
#include "trajscope/import.h"
#include "trajscope/run.h"
#include "trajscope/source.h"
#include "trajscope/writer.h"

static char root[1024];

static const char *at(const char *rel) {
    static char buf[8][1400];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", root, rel);
    return p;
}

static void write_at(const char *rel, const void *data, size_t len) {
    /* mkdir -p the folders of rel */
    char path[1400];
    snprintf(path, sizeof path, "%s", at(rel));
    for (char *s = path + strlen(root) + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        mkdir(path, 0777);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len) assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void write_text(const char *rel, const char *text) { write_at(rel, text, strlen(text)); }

/* A one-record event file: framing and checksums by hand around a tiny
 * Event {step: 7, summary {value {tag: "x", simple_value: 1.5}}}. */
static void write_event_file(const char *rel) {
    unsigned char ev[] = {0x10, 0x07, 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 'x', 0x15, 0, 0, 0xC0, 0x3F};
    unsigned char rec[12 + sizeof ev + 4];
    uint64_t len = sizeof ev;
    for (int i = 0; i < 8; i++) rec[i] = (unsigned char)(len >> (8 * i));
    uint32_t c = ts_crc32c_masked(rec, 8);
    for (int i = 0; i < 4; i++) rec[8 + i] = (unsigned char)(c >> (8 * i));
    memcpy(rec + 12, ev, sizeof ev);
    c = ts_crc32c_masked(ev, sizeof ev);
    for (int i = 0; i < 4; i++) rec[12 + sizeof ev + i] = (unsigned char)(c >> (8 * i));
    write_at(rel, rec, sizeof rec);
}

static int setup(void **state) {
    (void)state;
    snprintf(root, sizeof root, "%s/import-%d", ts_test_tmpdir(), (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) return -1;
    return mkdir(root, 0777);
}

static int teardown(void **state) {
    (void)state;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- detection ---- */

static void test_detect_by_content(void **state) {
    (void)state;
    TsErr err;
    /* An event file whose name says nothing. */
    write_event_file("detect/renamed.bin");
    TsRun *run = ts_import_open(at("detect/renamed.bin"), &err);
    assert_non_null(run);
    assert_string_equal(ts_run_format(run), "tfevents");
    assert_int_equal(ts_run_find_metric(run, "metrics/x"), 0);
    ts_run_free(run);
    /* CSV and JSON under other names. */
    write_text("detect/log.txt", "step,loss\n1,2\n");
    run = ts_import_open(at("detect/log.txt"), &err);
    assert_non_null(run);
    assert_string_equal(ts_run_format(run), "csv");
    ts_run_free(run);
    write_text("detect/metrics", "{\"iteration\": 1, \"loss\": 2}\n");
    run = ts_import_open(at("detect/metrics"), &err);
    assert_non_null(run);
    assert_string_equal(ts_run_format(run), "jsonl");
    ts_run_free(run);
    /* Binary junk: an error, not a guess. */
    write_at("detect/junk.bin", "\0\1\2\3\4\5\6\7\10\11\12\13\14\15", 14);
    assert_null(ts_import_open(at("detect/junk.bin"), &err));
    assert_non_null(strstr(err.msg, "not a log trajscope can read"));
    /* Text that is not a table, and an archive name without HDF5 inside. */
    write_text("detect/notes.txt", "Training went well.\nLoss fell, then rose.\n");
    assert_null(ts_import_open(at("detect/notes.txt"), &err));
    assert_non_null(strstr(err.msg, "not a log trajscope can read"));
    write_text("detect/plain.h5", "not hdf5 at all\n");
    assert_null(ts_run_open(at("detect/plain.h5"), &err));
    assert_non_null(strstr(err.msg, "plain.h5: not an HDF5 file"));
    assert_null(ts_import_open(at("detect/missing.csv"), &err));
    assert_non_null(strstr(err.msg, "no such file or directory"));
    /* An LFS pointer in place of a CSV. */
    write_text("detect/lfs.csv", "version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 9\n");
    assert_null(ts_import_open(at("detect/lfs.csv"), &err));
    assert_non_null(strstr(err.msg, "lfs.csv: Git LFS pointer, not the log itself; run git lfs pull"));
}

static void test_probe(void **state) {
    (void)state;
    write_event_file("probe/run/events.out.tfevents.1.host.1.0");
    write_text("probe/a.csv", "step,loss\n");
    write_text("probe/config.json", "{\n  \"lr\": 0.1\n}\n");
    write_text("probe/trainer_state.json", "{\n  \"epoch\": 1,\n  \"log_history\": []\n}\n");
    write_text("probe/metrics.json", "{\"iteration\": 1, \"loss\": 2}\n{\"iteration\": 2, \"loss\": 1}\n");
    write_text("probe/x.jsonl", "{\"a\": 1}\n");
    write_text("probe/notes.txt", "step,loss\n1,2\n");
    write_at("probe/empty.csv", "", 0);
    assert_true(ts_import_probe(at("probe/run")));
    assert_true(ts_import_probe(at("probe/run/events.out.tfevents.1.host.1.0")));
    assert_true(ts_import_probe(at("probe/a.csv")));
    assert_false(ts_import_probe(at("probe/config.json")));
    assert_true(ts_import_probe(at("probe/trainer_state.json")));
    assert_true(ts_import_probe(at("probe/metrics.json")));
    assert_true(ts_import_probe(at("probe/x.jsonl")));
    assert_false(ts_import_probe(at("probe/notes.txt")));
    assert_false(ts_import_probe(at("probe/empty.csv")));
    assert_false(ts_import_probe(at("probe")));
    assert_false(ts_import_probe(at("probe/none")));
}

/* ---- the run finder ---- */

static void make_archive(const char *rel) {
    TsErr err;
    TsWriter *w = ts_writer_create(at(rel), "arch", NULL, &err);
    if (!w) fail_msg("%s", err.msg);
    const char *cols[] = {"loss"};
    assert_true(ts_writer_add_stream(w, "train", cols, 1, 0, &err));
    assert_true(ts_writer_append(w, "train", 1, (double[]){0.5}, NAN, -1, &err));
    assert_true(ts_writer_close(w, &err));
}

static void test_source_find(void **state) {
    (void)state;
    write_event_file("tree/runs/run10/events.out.tfevents.1.h.1.0");
    write_text("tree/runs/run10/hparams.yaml", "lr: 0.1\n");
    write_text("tree/runs/run10/metrics.csv", "step,loss\n1,2\n"); /* same run: not listed */
    write_event_file("tree/runs/run2/events.out.tfevents.1.h.1.0");
    write_event_file("tree/runs/run2/eval/events.out.tfevents.2.h.1.0");
    write_text("tree/csv/exp1/metrics.csv", "step,loss\n1,2\n");
    write_text("tree/hf/checkpoint-500/trainer_state.json", "{\"log_history\": [{\"step\": 1, \"loss\": 2}]}");
    write_text("tree/hf/checkpoint-500/config.json", "{\n  \"hidden\": 768\n}\n");
    write_text("tree/.hidden/metrics.csv", "step,loss\n1,2\n");
    write_text("tree/fake.h5", "not hdf5 at all");
    mkdir(at("tree/archive"), 0777);
    make_archive("tree/archive/a.h5");
    assert_int_equal(symlink(at("tree"), at("tree/loop")), 0); /* must not loop */

    TsSourceList l;
    TsErr err;
    assert_true(ts_source_find(at("tree"), &l, &err));
    const char *want[][2] = {
        {"archive/a", "archive"},
        {"csv/exp1/metrics", "csv"},
        {"hf/checkpoint-500/trainer_state", "json"},
        {"runs/run2", "tensorboard"},
        {"runs/run2/eval", "tensorboard"},
        {"runs/run10", "tensorboard"},
    };
    size_t n_want = sizeof want / sizeof want[0];
    for (size_t i = 0; i < l.n && i < n_want; i++) {
        if (strcmp(l.items[i].name, want[i][0]) != 0) fail_msg("item %zu: %s, want %s", i, l.items[i].name, want[i][0]);
        assert_string_equal(l.items[i].kind, want[i][1]);
    }
    assert_int_equal(l.n, n_want);
    /* Every path opens. */
    for (size_t i = 0; i < l.n; i++) {
        TsRun *run = ts_run_open(l.items[i].path, &err);
        if (!run) fail_msg("%s: %s", l.items[i].path, err.msg);
        ts_run_free(run);
    }
    ts_source_list_free(&l);
    /* A root that is a run itself. */
    assert_true(ts_source_find(at("tree/runs/run10"), &l, &err));
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].name, "run10");
    ts_source_list_free(&l);
    assert_true(ts_source_find(at("tree/csv/exp1/metrics.csv"), &l, &err));
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].name, "exp1/metrics");
    ts_source_list_free(&l);
    assert_false(ts_source_find(at("tree/runs/run10/hparams.yaml"), &l, &err));
    assert_non_null(strstr(err.msg, "neither a trajscope archive nor a log"));
    assert_false(ts_source_find(at("tree/nothing"), &l, &err));
    assert_non_null(strstr(err.msg, "no such file or directory"));
    unlink(at("tree/loop"));
}

/* ---- writing archives ---- */

static void read_all(TsRun *run, const char *name, TsSeries *s) {
    long i = ts_run_find_metric(run, name);
    if (i < 0) fail_msg("no metric %s", name);
    TsErr err;
    ts_series_init(s);
    if (!ts_run_read(run, (size_t)i, 0, SIZE_MAX, s, &err)) fail_msg("%s", err.msg);
}

static bool same_value(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

/* Every point of src/name equals archive/aname (steps, values, wall). */
static void assert_same_points(TsRun *src, const char *name, TsRun *ar, const char *aname, bool wall) {
    TsSeries a, b;
    read_all(src, name, &a);
    read_all(ar, aname, &b);
    assert_int_equal(a.n, b.n);
    for (size_t k = 0; k < a.n; k++) {
        assert_int_equal(a.step[k], b.step[k]);
        if (!same_value(a.value[k], b.value[k])) fail_msg("%s[%zu]: %.17g vs %.17g", name, k, a.value[k], b.value[k]);
        if (wall) assert_true(same_value(a.wall_time[k], b.wall_time[k]));
    }
    ts_series_free(&a);
    ts_series_free(&b);
}

static TsRun *sample_run(void) {
    TsRun *run = ts_run_new_memory("mem", "sample-run", "memory");
    size_t loss = ts_run_mem_metric(run, "train", "loss");
    size_t lr = ts_run_mem_metric(run, "train", "lr");
    size_t acc = ts_run_mem_metric(run, "eval", "acc");
    size_t step = ts_run_mem_metric(run, "train", "step");     /* reserved column name */
    size_t deep = ts_run_mem_metric(run, "a/b", "c");          /* '/' in a stream */
    size_t late = ts_run_mem_metric(run, "train", "grad_norm"); /* other steps */
    ts_run_mem_set_dtype(run, loss, "float32");
    int64_t steps[] = {0, 10, 20, 30, 15, 25}; /* a restart: kept */
    for (int i = 0; i < 6; i++) {
        double t = 1700000000.0 + i;
        ts_run_mem_append(run, loss, steps[i], (double)(float)(1.0 / (i + 1)), t);
        ts_run_mem_append(run, lr, steps[i], i == 3 ? NAN : 0.1 * i, t + 0.25);
        ts_run_mem_append(run, step, steps[i], (double)steps[i], t + 0.5);
        ts_run_mem_append(run, late, steps[i] + 1, i == 2 ? INFINITY : 2.0 * i, t);
    }
    ts_run_mem_append(run, acc, 30, 0.5, NAN);
    ts_run_mem_append(run, acc, 60, -INFINITY, NAN);
    ts_run_mem_append(run, deep, 1, 42, NAN);
    ts_run_mem_add_config_number(run, "lr", 0.001);
    ts_run_mem_add_config_text(run, "optimizer", "adamw");
    ts_run_mem_add_config_text(run, "created", "yesterday"); /* reserved in archives */
    ts_run_mem_set_created(run, "2024-01-02T03:04:05Z");
    ts_run_mem_set_config_json(run, "{\"lr\":0.001}");
    return run;
}

static void test_write_round_trip(void **state) {
    (void)state;
    TsRun *src = sample_run();
    TsImportWriteReport rep = {0};
    TsErr err;
    const char *out = at("out/sample.h5");
    mkdir(at("out"), 0777);
    if (!ts_import_write(src, out, NULL, &rep, &err)) fail_msg("%s", err.msg);
    assert_int_equal(rep.n_metrics, 6);
    /* train {loss, lr, step_}, train#2 {grad_norm}, eval {acc}, a.b {c} */
    assert_int_equal(rep.n_streams, 4);
    assert_int_equal(rep.n_points, 6 * 4 + 2 + 1);
    assert_true(rep.max_wall_time_shift == 0.5);
    TsRun *ar = ts_run_open(out, &err);
    if (!ar) fail_msg("%s", err.msg);
    assert_string_equal(ts_run_format(ar), "trajscope-h5");
    assert_string_equal(ts_run_name(ar), "sample-run");
    assert_string_equal(ts_run_created(ar), "2024-01-02T03:04:05Z");
    assert_int_equal(ts_run_metric_count(ar), 6);
    assert_same_points(src, "train/loss", ar, "train/loss", true);
    assert_same_points(src, "train/lr", ar, "train/lr", false);
    assert_same_points(src, "train/step", ar, "train/step_", false);
    assert_same_points(src, "train/grad_norm", ar, "train#2/grad_norm", true);
    assert_same_points(src, "eval/acc", ar, "eval/acc", false);
    assert_same_points(src, "a/b/c", ar, "a.b/c", false);
    assert_string_equal(ts_run_metric(ar, (size_t)ts_run_find_metric(ar, "train/loss"))->dtype, "float32");
    assert_string_equal(ts_run_metric(ar, (size_t)ts_run_find_metric(ar, "train/lr"))->dtype, "float64");
    const TsConfigEntry *c = ts_run_config_find(ar, "lr");
    assert_non_null(c);
    assert_true(c->is_number && c->number == 0.001);
    assert_string_equal(ts_run_config_find(ar, "optimizer")->text, "adamw");
    assert_string_equal(ts_run_config_find(ar, "created_")->text, "yesterday");
    assert_string_equal(ts_run_config_json(ar), "{\"lr\":0.001}");
    /* Notes name every renamed metric. */
    int seen = 0;
    for (size_t i = 0; i < rep.n_notes; i++) {
        if (strstr(rep.notes[i], "train/step -> train/step_")) seen |= 1;
        if (strstr(rep.notes[i], "a/b/c") || strstr(rep.notes[i], "a.b")) seen |= 2;
        if (strstr(rep.notes[i], "grad_norm") && strstr(rep.notes[i], "train#2")) seen |= 4;
    }
    assert_int_equal(seen, 7);
    ts_import_write_report_free(&rep);
    ts_run_free(ar);

    /* No overwrite unless asked; the old file is untouched. */
    TsRun *other = ts_run_new_memory("m2", "other", "memory");
    ts_run_mem_append(other, ts_run_mem_metric(other, "x", "y"), 1, 2, NAN);
    assert_false(ts_import_write(other, out, NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "exists"));
    ar = ts_run_open(out, &err);
    assert_non_null(ar);
    assert_string_equal(ts_run_name(ar), "sample-run");
    ts_run_free(ar);
    TsImportWriteOptions o;
    ts_import_write_options_default(&o);
    o.overwrite = true;
    assert_true(ts_import_write(other, out, &o, NULL, &err));
    ar = ts_run_open(out, &err);
    assert_non_null(ar);
    assert_string_equal(ts_run_name(ar), "other");
    ts_run_free(ar);
    ts_run_free(other);
    ts_run_free(src);
}

static void test_wall_time_tolerance(void **state) {
    (void)state;
    TsRun *src = ts_run_new_memory("m", "w", "memory");
    size_t a = ts_run_mem_metric(src, "s", "a"), b = ts_run_mem_metric(src, "s", "b");
    for (int i = 0; i < 3; i++) {
        ts_run_mem_append(src, a, i, i, 100.0 + i);
        ts_run_mem_append(src, b, i, -i, 105.0 + i); /* 5 s later */
    }
    TsImportWriteOptions o;
    ts_import_write_options_default(&o);
    TsImportWriteReport rep = {0};
    TsErr err;
    assert_true(ts_import_write(src, at("out/w1.h5"), &o, &rep, &err));
    assert_int_equal(rep.n_streams, 2); /* 5 s > 1 s: apart, both exact */
    ts_import_write_report_free(&rep);
    TsRun *ar = ts_run_open(at("out/w1.h5"), &err);
    assert_same_points(src, "s/b", ar, "s#2/b", true);
    ts_run_free(ar);
    o.wall_time_tolerance = 10;
    assert_true(ts_import_write(src, at("out/w2.h5"), &o, &rep, &err));
    assert_int_equal(rep.n_streams, 1);
    assert_true(rep.max_wall_time_shift == 5.0);
    ts_import_write_report_free(&rep);
    ts_run_free(src);
}

/* Import then write: the archive holds the log's points exactly. */
static void test_import_then_write(void **state) {
    (void)state;
    write_text("iw/metrics.csv", "step,train/loss,val/loss\n1,0.5,\n2,0.25,0.75\n3,0.125,\n");
    TsErr err;
    TsRun *src = ts_import_open(at("iw/metrics.csv"), &err);
    assert_non_null(src);
    assert_true(ts_import_write(src, at("iw/out.h5"), NULL, NULL, &err));
    TsRun *ar = ts_run_open(at("iw/out.h5"), &err);
    assert_non_null(ar);
    assert_same_points(src, "train/loss", ar, "train/loss", false);
    assert_same_points(src, "val/loss", ar, "val/loss", false);
    ts_run_free(ar);
    ts_run_free(src);
}

/* The report stays with the run, also through ts_run_open(). */
static void test_report_kept_with_run(void **state) {
    (void)state;
    write_text("rep/a.csv", "step,loss\n1,2\n2,None\n3,4\n");
    write_text("rep/b.csv", "loss,acc\n1,2\n");
    TsErr err;
    TsRun *run = ts_run_open(at("rep/a.csv"), &err);
    assert_non_null(run);
    const TsImportReport *rep = ts_import_run_report(run);
    assert_non_null(rep);
    assert_int_equal(rep->n_files, 1);
    assert_int_equal(rep->n_records, 3);
    assert_int_equal(rep->n_points, 2);
    assert_int_equal(rep->n_warnings, 1);
    assert_non_null(strstr(rep->warnings[0], "a.csv: column 'loss': 1 non-numeric value skipped"));
    assert_true(ts_run_metric(run, 0)->has_step);
    /* A second run: each has its own report. */
    TsRun *run2 = ts_run_open(at("rep/b.csv"), &err);
    assert_non_null(run2);
    const TsImportReport *rep2 = ts_import_run_report(run2);
    assert_non_null(rep2);
    assert_int_equal(rep2->n_warnings, 0);
    /* No step column: steps are row numbers, and the metric says so. */
    assert_false(ts_run_metric(run2, 0)->has_step);
    ts_run_free(run);
    assert_true(ts_import_run_report(run2) == rep2);
    ts_run_free(run2);
    /* Archives and memory runs have none. */
    TsRun *mem = ts_run_new_memory("m", "m", "memory");
    assert_null(ts_import_run_report(mem));
    ts_run_free(mem);
    make_archive("rep/c.h5");
    TsRun *ar = ts_run_open(at("rep/c.h5"), &err);
    assert_non_null(ar);
    assert_null(ts_import_run_report(ar));
    ts_run_free(ar);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect_by_content),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_source_find),
        cmocka_unit_test(test_write_round_trip),
        cmocka_unit_test(test_wall_time_tolerance),
        cmocka_unit_test(test_import_then_write),
        cmocka_unit_test(test_report_kept_with_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
