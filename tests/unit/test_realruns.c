/* test_realruns.c - conformance with real training logs in
 * $TS_SHARED/realruns (see its README.md): every TensorBoard scalar against
 * the independent decoder's *.expected.csv (tag, step, exact float32
 * value, file order), and the documented facts of the CSV and JSON logs.
 * Skips, saying why, when TS_SHARED is not set.
 * Layer: tests. License: MIT. */
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/ts_test.h"
#include "trajscope/import.h"
#include "trajscope/run.h"
#include "trajscope/source.h"

static char realruns[1024];

static void need_shared(void) {
    const char *shared = getenv("TS_SHARED");
    if (!shared || !*shared) {
        print_message("TS_SHARED is not set (no ../shared/realruns beside the tree): real-log conformance skipped\n");
        skip();
    }
    snprintf(realruns, sizeof realruns, "%s/realruns", shared);
}

static const char *rr(const char *rel) {
    static char buf[4][1400];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", realruns, rel);
    return p;
}

static TsRun *open_run(const char *path, TsImportReport *rep) {
    TsErr err;
    TsRun *run = ts_import_open_ex(path, NULL, rep, &err);
    if (!run) fail_msg("%s", err.msg);
    return run;
}

static void read_metric(TsRun *run, const char *name, TsSeries *s) {
    long i = ts_run_find_metric(run, name);
    if (i < 0) fail_msg("%s: no metric %s", ts_run_path(run), name);
    TsErr err;
    ts_series_init(s);
    if (!ts_run_read(run, (size_t)i, 0, SIZE_MAX, s, &err)) fail_msg("%s", err.msg);
}

/* ---- TensorBoard against *.expected.csv ---- */

typedef struct Files {
    char *v[64];
    size_t n;
} Files;

static Files found;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    if (type != FTW_F) return 0;
    size_t l = strlen(path);
    const char *suffix = ".expected.csv";
    if (l > strlen(suffix) && strcmp(path + l - strlen(suffix), suffix) == 0 && found.n < 64)
        found.v[found.n++] = strndup(path, l - strlen(suffix));
    return 0;
}

/* The run's name for a tag (docs/IMPORT.md): the tag itself, or
 * "metrics/<tag>" for a tag without an inner '/'. */
static void run_name_of(const char *tag, char *out, size_t cap) {
    const char *slash = strrchr(tag, '/');
    if (slash && slash != tag && slash[1]) snprintf(out, cap, "%s", tag);
    else snprintf(out, cap, "%s/%s", TS_IMPORT_DEFAULT_STREAM, tag);
}

/* Checks every expected row of event file `events` against run. Returns
 * the number of rows checked. */
static size_t compare_expected(TsRun *run, const char *events) {
    char csv[1400];
    snprintf(csv, sizeof csv, "%s.expected.csv", events);
    FILE *f = fopen(csv, "r");
    if (!f) fail_msg("cannot open %s", csv);
    size_t n = ts_run_metric_count(run);
    TsSeries *s = calloc(n, sizeof *s);
    size_t *pos = calloc(n, sizeof *pos);
    assert_non_null(s);
    assert_non_null(pos);
    TsErr err;
    for (size_t i = 0; i < n; i++)
        if (!ts_run_read(run, i, 0, SIZE_MAX, &s[i], &err)) fail_msg("%s", err.msg);
    char line[4096];
    size_t rows = 0, lineno = 1;
    if (!fgets(line, sizeof line, f) || strncmp(line, "tag,step,value", 14) != 0) fail_msg("%s: bad header", csv);
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *c2 = strrchr(line, ',');
        assert_non_null(c2);
        *c2 = '\0';
        char *c1 = strrchr(line, ',');
        assert_non_null(c1);
        *c1 = '\0';
        long long step = strtoll(c1 + 1, NULL, 10);
        double value = strtod(c2 + 1, NULL);
        char name[4200];
        run_name_of(line, name, sizeof name);
        long i = ts_run_find_metric(run, name);
        if (i < 0) fail_msg("%s:%zu: tag %s: no metric %s", csv, lineno, line, name);
        size_t k = pos[i]++;
        if (k >= s[i].n) fail_msg("%s:%zu: %s has only %zu points", csv, lineno, name, s[i].n);
        if (s[i].step[k] != step)
            fail_msg("%s:%zu: %s point %zu: step %lld, expected %lld", csv, lineno, name, k, (long long)s[i].step[k],
                     step);
        if (!(s[i].value[k] == value || (isnan(value) && isnan(s[i].value[k]))))
            fail_msg("%s:%zu: %s point %zu: value %.17g, expected %.17g", csv, lineno, name, k, s[i].value[k], value);
        if ((double)(float)s[i].value[k] != s[i].value[k] && !isnan(value))
            fail_msg("%s:%zu: %s is not a float32 value", csv, lineno, name);
        rows++;
    }
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        if (pos[i] != s[i].n)
            fail_msg("%s: %s has %zu points, the expected file %zu", csv, ts_run_metric(run, i)->name, s[i].n, pos[i]);
        assert_string_equal(ts_run_metric(run, i)->dtype, "float32");
        ts_series_free(&s[i]);
    }
    free(s);
    free(pos);
    return rows;
}

static void test_tensorboard_expected(void **state) {
    (void)state;
    need_shared();
    found.n = 0;
    assert_int_equal(nftw(realruns, collect, 16, FTW_PHYS), 0);
    assert_true(found.n >= 6);
    size_t total = 0;
    for (size_t i = 0; i < found.n; i++) {
        TsImportReport rep;
        ts_import_report_init(&rep);
        TsRun *run = open_run(found.v[i], &rep);
        assert_string_equal(ts_run_format(run), "tfevents");
        size_t rows = compare_expected(run, found.v[i]);
        assert_int_equal(rep.n_points, rows);
        assert_int_equal(rep.n_skipped, 0);
        assert_int_equal(rep.n_warnings, 0);
        assert_false(rep.truncated);
        print_message("%s: %zu scalars match\n", found.v[i] + strlen(realruns) + 1, rows);
        total += rows;
        ts_import_report_free(&rep);
        ts_run_free(run);
        /* Its folder opens as the same run (the .expected.csv and
         * hparams.yaml beside it are not event files). */
        char *dir = strdup(found.v[i]);
        *strrchr(dir, '/') = '\0';
        ts_import_report_init(&rep);
        run = open_run(dir, &rep);
        assert_int_equal(compare_expected(run, found.v[i]), rows);
        assert_int_equal(rep.n_warnings, 0);
        ts_import_report_free(&rep);
        ts_run_free(run);
        free(dir);
        free(found.v[i]);
    }
    assert_true(total > 1000);
}

/* The facts the README states about the TensorBoard runs. */
static void test_tensorboard_documented(void **state) {
    (void)state;
    need_shared();
    TsRun *run = open_run(rr("tb-satd-comer-lrdrops"), NULL);
    TsSeries lr, loss, exp;
    read_metric(run, "metrics/lr-SGD", &lr);
    const int64_t drops[] = {112608, 143520, 181056, 205344, 249504};
    size_t nd = 0;
    for (size_t k = 1; k < lr.n; k++)
        if (lr.value[k] < lr.value[k - 1]) {
            assert_true(nd < 5);
            assert_int_equal(lr.step[k], drops[nd]);
            nd++;
        }
    assert_int_equal(nd, 5);
    assert_true(lr.value[0] == (double)0.08f);
    assert_int_equal(lr.step[lr.n - 1], 263856);
    read_metric(run, "metrics/train_loss", &loss);
    read_metric(run, "metrics/val_ExpRate", &exp);
    assert_int_equal(loss.step[loss.n - 1], 264959);
    /* Around the first drop: train_loss 0.22 -> 0.10, val_ExpRate 0.41 -> 0.55. */
    for (size_t k = 1; k < loss.n; k++)
        if (loss.step[k - 1] < 112608 && loss.step[k] >= 112608) {
            assert_true(loss.value[k - 1] > 0.2 && loss.value[k + 5] < 0.06);
        }
    for (size_t k = 1; k < exp.n; k++)
        if (exp.step[k - 1] < 112608 && exp.step[k] >= 112608) {
            assert_true(exp.value[k - 1] < 0.45 && exp.value[k] > 0.55);
        }
    ts_series_free(&lr);
    ts_series_free(&loss);
    ts_series_free(&exp);
    ts_run_free(run);

    /* Five runs of one experiment: 0-3 at chance, 4 learns. */
    for (int r = 0; r < 5; r++) {
        char rel[64];
        snprintf(rel, sizeof rel, "tb-hf-roberta-lora-agnews-5runs/runs/run%d", r);
        run = open_run(rr(rel), NULL);
        TsSeries acc;
        read_metric(run, "eval/accuracy", &acc);
        assert_int_equal(acc.n, 12);
        for (size_t k = 0; k < acc.n; k++) {
            if (r < 4) assert_true(acc.value[k] > 0.2 && acc.value[k] < 0.3);
            else assert_true(acc.value[k] >= 0.87 && acc.value[k] < 0.92);
        }
        if (r == 4) {
            assert_double_equal(acc.value[0], 0.875, 1e-6);
            assert_double_equal(acc.value[11], 0.914, 1e-3);
        }
        ts_series_free(&acc);
        ts_run_free(run);
    }
}

/* ---- CSV and JSON ---- */

static int64_t first_step_at_least(TsRun *run, const char *name, double threshold) {
    TsSeries s;
    read_metric(run, name, &s);
    int64_t step = -1;
    for (size_t k = 0; k < s.n && step < 0; k++)
        if (s.value[k] >= threshold) step = s.step[k];
    ts_series_free(&s);
    return step;
}

static void test_grokking_csv(void **state) {
    (void)state;
    need_shared();
    const char *pct[] = {"30", "50", "60"};
    const int64_t train99[] = {331, 631, 1333};     /* full-train accuracy >= 99 % */
    const int64_t val50[] = {97129, 17621, 15709};  /* validation accuracy >= 50 % */
    const size_t rows[] = {968, 786, 612};          /* data lines in each file */
    for (int i = 0; i < 3; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "csv-grok-lightning-metrics/Transformer_%spct/metrics.csv", pct[i]);
        TsImportReport rep;
        ts_import_report_init(&rep);
        TsRun *run = open_run(rr(rel), &rep);
        assert_string_equal(ts_run_format(run), "csv");
        assert_int_equal(rep.n_records, rows[i]);
        assert_int_equal(rep.n_warnings, 0);
        /* 56 columns: step is the step, the other 55 are metrics. */
        assert_int_equal(ts_run_metric_count(run), 55);
        assert_int_equal(ts_run_find_metric(run, "metrics/step"), -1);
        assert_int_equal(first_step_at_least(run, "metrics/full_train_acc", 99.0), train99[i]);
        assert_int_equal(first_step_at_least(run, "metrics/val_accuracy", 50.0), val50[i]);
        /* Sparse rows: train and validation metrics keep their own points,
         * and together with the epoch rows account for every line. */
        TsSeries tr, va, ep;
        read_metric(run, "metrics/train_loss", &tr);
        read_metric(run, "metrics/val_loss", &va);
        read_metric(run, "metrics/epoch", &ep);
        assert_int_equal(ep.n, rows[i]);
        assert_int_equal(tr.n + va.n, rows[i]);
        ts_series_free(&tr);
        ts_series_free(&va);
        ts_series_free(&ep);
        ts_import_report_free(&rep);
        ts_run_free(run);
    }
}

static void test_keras_csv(void **state) {
    (void)state;
    need_shared();
    TsRun *run = open_run(rr("csv-keras-csvlogger/model_history_log.csv"), NULL);
    const char *names[] = {"categorical_accuracy", "loss", "mean_absolute_error",
                           "val_categorical_accuracy", "val_loss", "val_mean_absolute_error"};
    assert_int_equal(ts_run_metric_count(run), 6);
    for (size_t i = 0; i < 6; i++) {
        char full[128];
        snprintf(full, sizeof full, "metrics/%s", names[i]);
        TsSeries s;
        read_metric(run, full, &s);
        assert_int_equal(s.n, 20);
        for (size_t k = 0; k < 20; k++) assert_int_equal(s.step[k], (int64_t)k);
        ts_series_free(&s);
    }
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_true(s.value[0] == 1.3924336433410645); /* as printed in the file */
    ts_series_free(&s);
    ts_run_free(run);
}

static void test_trainer_state_gpt2(void **state) {
    (void)state;
    need_shared();
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = open_run(rr("json-hf-trainer-state-gpt2-lora/trainer_state.json"), &rep);
    assert_string_equal(ts_run_format(run), "hf-trainer-state");
    assert_int_equal(rep.n_records, 750);
    TsSeries loss, lr;
    read_metric(run, "metrics/loss", &loss);
    read_metric(run, "metrics/learning_rate", &lr);
    assert_int_equal(loss.n, 750);
    for (size_t k = 0; k < loss.n; k++) assert_int_equal(loss.step[k], (int64_t)(10 * (k + 1)));
    assert_true(loss.value[0] == 5.2887);
    assert_true(loss.value[749] == 3.3689);
    /* Linear warm-up for 500 steps, then linear decay. */
    size_t peak = 0;
    for (size_t k = 1; k < lr.n; k++)
        if (lr.value[k] > lr.value[peak]) peak = k;
    assert_int_equal(lr.step[peak], 500);
    for (size_t k = 1; k < lr.n; k++) {
        if (k <= peak) assert_true(lr.value[k] > lr.value[k - 1]);
        else assert_true(lr.value[k] < lr.value[k - 1]);
    }
    ts_series_free(&loss);
    ts_series_free(&lr);
    const TsConfigEntry *c = ts_run_config_find(run, "train_batch_size");
    assert_non_null(c);
    assert_true(c->is_number && c->number == 128);
    assert_true(ts_run_config_find(run, "max_steps")->number == 7843);
    ts_import_report_free(&rep);
    ts_run_free(run);
}

/* results/checkpoint-1200/trainer_state.json is run 4 again: its doubles
 * round to the float32 values of the event file. */
static void test_trainer_state_matches_events(void **state) {
    (void)state;
    need_shared();
    TsRun *js = open_run(rr("tb-hf-roberta-lora-agnews-5runs/results/checkpoint-1200/trainer_state.json"), NULL);
    TsRun *tb = open_run(rr("tb-hf-roberta-lora-agnews-5runs/runs/run4"), NULL);
    const char *pairs[][2] = {
        {"metrics/eval_accuracy", "eval/accuracy"},
        {"metrics/eval_loss", "eval/loss"},
        {"metrics/loss", "train/loss"},
        {"metrics/learning_rate", "train/learning_rate"},
    };
    for (size_t p = 0; p < 4; p++) {
        TsSeries a, b;
        read_metric(js, pairs[p][0], &a);
        read_metric(tb, pairs[p][1], &b);
        assert_int_equal(a.n, b.n);
        for (size_t k = 0; k < a.n; k++) {
            assert_int_equal(a.step[k], b.step[k]);
            if ((double)(float)a.value[k] != b.value[k])
                fail_msg("%s[%zu]: %.17g (json) vs %.17g (tfevents)", pairs[p][0], k, a.value[k], b.value[k]);
        }
        ts_series_free(&a);
        ts_series_free(&b);
    }
    ts_run_free(js);
    ts_run_free(tb);
}

/* The run finder lists every real run, and each opens. */
static void test_finder_lists_realruns(void **state) {
    (void)state;
    need_shared();
    TsSourceList l;
    TsErr err;
    assert_true(ts_source_find(realruns, &l, &err));
    const char *want[] = {
        "csv-grok-lightning-metrics/Transformer_30pct/metrics",
        "csv-grok-lightning-metrics/Transformer_50pct/metrics",
        "csv-grok-lightning-metrics/Transformer_60pct/metrics",
        "csv-keras-csvlogger/model_history_log",
        "json-hf-trainer-state-gpt2-lora/trainer_state",
        "tb-hf-roberta-lora-agnews-5runs/results/checkpoint-1200/trainer_state",
        "tb-hf-roberta-lora-agnews-5runs/runs/run0",
        "tb-hf-roberta-lora-agnews-5runs/runs/run1",
        "tb-hf-roberta-lora-agnews-5runs/runs/run2",
        "tb-hf-roberta-lora-agnews-5runs/runs/run3",
        "tb-hf-roberta-lora-agnews-5runs/runs/run4",
        "tb-satd-comer-lrdrops",
    };
    size_t nw = sizeof want / sizeof want[0];
    for (size_t i = 0; i < l.n && i < nw; i++) assert_string_equal(l.items[i].name, want[i]);
    assert_int_equal(l.n, nw);
    for (size_t i = 0; i < l.n; i++) {
        TsRun *run = ts_run_open(l.items[i].path, &err);
        if (!run) fail_msg("%s", err.msg);
        assert_true(ts_run_metric_count(run) > 0);
        ts_run_free(run);
    }
    ts_source_list_free(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensorboard_expected),
        cmocka_unit_test(test_tensorboard_documented),
        cmocka_unit_test(test_grokking_csv),
        cmocka_unit_test(test_keras_csv),
        cmocka_unit_test(test_trainer_state_gpt2),
        cmocka_unit_test(test_trainer_state_matches_events),
        cmocka_unit_test(test_finder_lists_realruns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
