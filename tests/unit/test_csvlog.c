/* test_csvlog.c - CSV logs: step column choice, sparse rows, RFC 4180
 * quoting, padding, CRLF, BOM, non-finite values, malformed input.
 * Layer: tests. License: MIT. */
#include <locale.h>
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

static TsRun *csv(const char *text, const TsImportOptions *o, TsImportReport *rep) {
    TsErr err;
    TsRun *run = ts_import_csv_buffer(text, strlen(text), "log.csv", o, rep, &err);
    if (!run) fail_msg("import failed: %s", err.msg);
    return run;
}

static void read_metric(TsRun *run, const char *name, TsSeries *s) {
    long i = ts_run_find_metric(run, name);
    if (i < 0) fail_msg("no metric %s", name);
    TsErr err;
    ts_series_init(s);
    assert_true(ts_run_read(run, (size_t)i, 0, SIZE_MAX, s, &err));
}

/* Lightning's CSVLogger: train and val rows interleave, empty cells. */
static void test_sparse_rows(void **state) {
    (void)state;
    const char *text = "epoch,step,train_loss,val_loss,val/acc\n"
                       "0,49,2.5,,\n"
                       "0,99,2.0,,\n"
                       "0,99,,1.75,0.5\n"
                       "1,149,1.5,,\n"
                       "1,199,1.25,,\n"
                       "1,199,,1.0,0.75\n";
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = csv(text, NULL, &rep);
    assert_string_equal(ts_run_format(run), "csv");
    assert_int_equal(ts_run_metric_count(run), 4); /* epoch, train_loss, val_loss, val/acc */
    assert_int_equal(ts_run_find_metric(run, "metrics/step"), -1);
    TsSeries s;
    read_metric(run, "metrics/train_loss", &s);
    assert_int_equal(s.n, 4);
    int64_t want_steps[] = {49, 99, 149, 199};
    double want[] = {2.5, 2.0, 1.5, 1.25};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(s.step[i], want_steps[i]);
        assert_true(s.value[i] == want[i]);
    }
    assert_null(s.wall_time);
    ts_series_free(&s);
    read_metric(run, "metrics/val_loss", &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.step[0], 99);
    assert_int_equal(s.step[1], 199);
    ts_series_free(&s);
    read_metric(run, "val/acc", &s);
    assert_int_equal(s.n, 2);
    assert_true(s.value[1] == 0.75);
    ts_series_free(&s);
    read_metric(run, "metrics/epoch", &s); /* epoch stays a metric */
    assert_int_equal(s.n, 6);
    ts_series_free(&s);
    assert_string_equal(ts_run_metric(run, 0)->dtype, "float64");
    assert_int_equal(rep.n_records, 6);
    assert_int_equal(rep.n_points, 14);
    assert_int_equal(rep.n_warnings, 0);
    ts_import_report_free(&rep);
    ts_run_free(run);
}

/* YOLOv5's results.csv: padded columns; a UTF-8 BOM; CRLF line ends. */
static void test_padding_bom_crlf(void **state) {
    (void)state;
    const char *text = "\xEF\xBB\xBF   epoch,  train/box_loss,   metrics/mAP_0.5\r\n"
                       "       0,    0.1103,     0.0012\r\n"
                       "       1,   0.09876,     0.0345\r\n"
                       "\r\n";
    TsRun *run = csv(text, NULL, NULL);
    assert_int_equal(ts_run_metric_count(run), 2);
    const TsMetricInfo *m = ts_run_metric(run, 0);
    assert_string_equal(m->name, "train/box_loss");
    assert_string_equal(m->stream, "train");
    assert_string_equal(m->metric, "box_loss");
    TsSeries s;
    read_metric(run, "metrics/mAP_0.5", &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.step[1], 1);
    assert_true(s.value[1] == 0.0345);
    ts_series_free(&s);
    ts_run_free(run);
}

/* RFC 4180: quoted fields with commas, doubled quotes and line breaks. */
static void test_quoted_fields(void **state) {
    (void)state;
    const char *text = "\"step\",\"loss, total\",\"say \"\"hi\"\"\",\"multi\nline\"\n"
                       "\"1\",\"0.5\",3,\"7\"\n"
                       "2,\"0.25\",\"4\",8\n";
    TsRun *run = csv(text, NULL, NULL);
    assert_int_equal(ts_run_metric_count(run), 3);
    assert_true(ts_run_find_metric(run, "metrics/loss, total") >= 0);
    assert_true(ts_run_find_metric(run, "metrics/say \"hi\"") >= 0);
    TsSeries s;
    read_metric(run, "metrics/multi\nline", &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.step[0], 1);
    assert_true(s.value[1] == 8.0);
    ts_series_free(&s);
    ts_run_free(run);
}

static void test_nonfinite_values(void **state) {
    (void)state;
    const char *text = "step,loss\n0,1.5\n1,nan\n2,NaN\n3,inf\n4,-Inf\n5,INF\n6,-infinity\n";
    TsRun *run = csv(text, NULL, NULL);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 7);
    assert_true(isnan(s.value[1]) && isnan(s.value[2]));
    assert_true(isinf(s.value[3]) && s.value[3] > 0);
    assert_true(isinf(s.value[4]) && s.value[4] < 0);
    assert_true(isinf(s.value[5]) && s.value[5] > 0);
    assert_true(isinf(s.value[6]) && s.value[6] < 0);
    ts_series_free(&s);
    ts_run_free(run);
}

/* A fractional epoch is not a step: another integer column is preferred,
 * else the row number is the step and epoch stays a metric. */
static void test_fractional_epoch(void **state) {
    (void)state;
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = csv("epoch,iter,loss\n0.5,10,1\n1.0,20,2\n1.5,30,3\n", NULL, &rep);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.step[0], 10);
    assert_int_equal(s.step[2], 30);
    ts_series_free(&s);
    read_metric(run, "metrics/epoch", &s);
    assert_true(s.value[0] == 0.5);
    ts_series_free(&s);
    assert_int_equal(rep.n_warnings, 0);
    ts_import_report_free(&rep);
    ts_run_free(run);

    ts_import_report_init(&rep);
    run = csv("epoch,loss\n0.5,1\n1.0,2\n1.5,3\n", NULL, &rep);
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.step[0], 0);
    assert_int_equal(s.step[2], 2);
    ts_series_free(&s);
    read_metric(run, "metrics/epoch", &s);
    assert_true(s.value[2] == 1.5);
    ts_series_free(&s);
    assert_int_equal(rep.n_warnings, 1);
    assert_non_null(strstr(rep.warnings[0], "'epoch' is not an integer on line 2"));
    ts_import_report_free(&rep);
    ts_run_free(run);

    /* Priority: step before epoch even when epoch comes first. */
    run = csv("epoch,step,loss\n3,100,1\n", NULL, NULL);
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.step[0], 100);
    ts_series_free(&s);
    ts_run_free(run);
    /* No candidate at all: row numbers, no warning. */
    ts_import_report_init(&rep);
    run = csv("a,b\n1,2\n3,4\n", NULL, &rep);
    read_metric(run, "metrics/b", &s);
    assert_int_equal(s.step[1], 1);
    ts_series_free(&s);
    assert_int_equal(rep.n_warnings, 0);
    ts_import_report_free(&rep);
    ts_run_free(run);
}

static void test_explicit_step_column(void **state) {
    (void)state;
    TsImportOptions o;
    ts_import_options_default(&o);
    o.step_column = "batch";
    TsRun *run = csv("step,batch,loss\n1,1000,0.5\n2,2000,0.25\n", &o, NULL);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.step[1], 2000);
    ts_series_free(&s);
    assert_true(ts_run_find_metric(run, "metrics/step") >= 0); /* now a metric */
    assert_int_equal(ts_run_find_metric(run, "metrics/batch"), -1);
    ts_run_free(run);
    TsErr err;
    o.step_column = "nope";
    const char *t1 = "step,loss\n1,2\n";
    assert_null(ts_import_csv_buffer(t1, strlen(t1), "log.csv", &o, NULL, &err));
    assert_string_equal(err.msg, "log.csv: no step column 'nope'");
    o.step_column = "loss";
    const char *t2 = "step,loss\n1,2\n2,2.5\n";
    assert_null(ts_import_csv_buffer(t2, strlen(t2), "log.csv", &o, NULL, &err));
    assert_string_equal(err.msg, "log.csv: step column 'loss' is not an integer on line 3");
    const char *t3 = "step,loss,x\n1,2,1\n2,,1\n";
    assert_null(ts_import_csv_buffer(t3, strlen(t3), "log.csv", &o, NULL, &err));
    assert_string_equal(err.msg, "log.csv: step column 'loss' is empty on line 3");
    /* Huge integer steps are kept exactly. */
    o.step_column = NULL;
    run = csv("step,v\n9007199254740993,1\n", &o, NULL);
    read_metric(run, "metrics/v", &s);
    assert_int_equal(s.step[0], INT64_C(9007199254740993));
    ts_series_free(&s);
    ts_run_free(run);
}

static void test_text_and_odd_columns(void **state) {
    (void)state;
    TsImportReport rep;
    ts_import_report_init(&rep);
    const char *text = "step,name,lr,loss,loss,\n"
                       "1,alpha,0.1,1,2,7\n"
                       "2,beta,None,3,4,8,99\n"
                       "3,gamma,0.05,5,6,9\n";
    TsRun *run = csv(text, NULL, &rep);
    /* "name" is text: skipped; "lr" keeps its numbers; the second "loss"
     * is read as "loss#2"; the unnamed last column is "column_6". */
    assert_int_equal(ts_run_find_metric(run, "metrics/name"), -1);
    TsSeries s;
    read_metric(run, "metrics/lr", &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.step[1], 3);
    ts_series_free(&s);
    read_metric(run, "metrics/loss#2", &s);
    assert_true(s.value[2] == 6.0);
    ts_series_free(&s);
    read_metric(run, "metrics/column_6", &s);
    assert_int_equal(s.n, 3);
    ts_series_free(&s);
    assert_int_equal(rep.n_warnings, 3);
    int seen = 0;
    for (size_t i = 0; i < rep.n_warnings; i++) {
        if (strstr(rep.warnings[i], "column 'lr': 1 non-numeric value skipped (first on line 3: 'None')")) seen |= 1;
        if (strstr(rep.warnings[i], "repeats the name 'loss'")) seen |= 2;
        if (strstr(rep.warnings[i], "1 row with more fields than the header")) seen |= 4;
    }
    assert_int_equal(seen, 7);
    ts_import_report_free(&rep);
    ts_run_free(run);
}

static void test_empty_and_binary(void **state) {
    (void)state;
    TsRun *run = csv("", NULL, NULL);
    assert_int_equal(ts_run_metric_count(run), 0);
    ts_run_free(run);
    run = csv("step,loss\n", NULL, NULL);
    assert_int_equal(ts_run_metric_count(run), 0);
    ts_run_free(run);
    run = csv("\n\nstep,loss\n\n1,2\n", NULL, NULL);
    assert_int_equal(ts_run_metric_count(run), 1);
    ts_run_free(run);
    TsErr err;
    const char bin[] = "step\0\1\2";
    assert_null(ts_import_csv_buffer(bin, sizeof bin, "x.csv", NULL, NULL, &err));
    assert_string_equal(err.msg, "x.csv: not a CSV file (binary data)");
    /* An unterminated quote is reported, what was read is kept. */
    TsImportReport rep;
    ts_import_report_init(&rep);
    run = csv("step,loss\n1,2\n2,\"3", NULL, &rep);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 2);
    ts_series_free(&s);
    assert_int_equal(rep.n_warnings, 1);
    ts_import_report_free(&rep);
    ts_run_free(run);
}

/* Numbers are read the same whatever the locale's decimal point. */
static void test_locale_independent(void **state) {
    (void)state;
    const char *locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    const char *got = NULL;
    for (size_t i = 0; i < sizeof locales / sizeof *locales && !got; i++)
        got = setlocale(LC_NUMERIC, locales[i]);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/csvlog-locale-%d", ts_test_tmpdir(), (int)getpid());
    if (!got) {
        /* None installed: build one from the locale sources, when present. */
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' >/dev/null 2>&1", dir);
        mkdir(dir, 0777);
        if (system(cmd) == 0 || access(dir, F_OK) == 0) {
            setenv("LOCPATH", dir, 1);
            got = setlocale(LC_NUMERIC, "de_DE.UTF-8");
        }
    }
    if (!got) {
        print_message("no locale with a decimal comma (none installed, localedef failed): check skipped\n");
        skip();
    }
    assert_string_equal(localeconv()->decimal_point, ",");
    TsRun *run = csv("step,loss\n1,0.5\n", NULL, NULL);
    setlocale(LC_NUMERIC, "C");
    unsetenv("LOCPATH");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) print_message("could not remove %s\n", dir);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_true(s.value[0] == 0.5);
    ts_series_free(&s);
    ts_run_free(run);
}

static void test_file_open_and_names(void **state) {
    (void)state;
    char dir[1024], path[1200];
    snprintf(dir, sizeof dir, "%s/csvlog-%d", ts_test_tmpdir(), (int)getpid());
    assert_int_equal(mkdir(dir, 0777), 0);
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("step,loss\n1,2\n", f);
    fclose(f);
    assert_true(ts_import_probe(path));
    TsErr err;
    TsRun *run = ts_import_open(path, &err);
    assert_non_null(run);
    char want[1100];
    snprintf(want, sizeof want, "%s/metrics", strrchr(dir, '/') + 1);
    assert_string_equal(ts_run_name(run), want);
    assert_string_equal(ts_run_format(run), "csv");
    ts_run_free(run);
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sparse_rows),
        cmocka_unit_test(test_padding_bom_crlf),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_nonfinite_values),
        cmocka_unit_test(test_fractional_epoch),
        cmocka_unit_test(test_explicit_step_column),
        cmocka_unit_test(test_text_and_odd_columns),
        cmocka_unit_test(test_empty_and_binary),
        cmocka_unit_test(test_locale_independent),
        cmocka_unit_test(test_file_open_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
