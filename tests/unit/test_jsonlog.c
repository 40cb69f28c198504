/* test_jsonlog.c - JSON logs: JSON lines (detectron2 style), arrays of
 * objects, Hugging Face trainer_state.json, NaN/Infinity literals, damage.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "support/ts_test.h"
#include "trajscope/import.h"
#include "trajscope/run.h"

static TsRun *json(const char *text, const TsImportOptions *o, TsImportReport *rep) {
    TsErr err;
    TsRun *run = ts_import_json_buffer(text, strlen(text), "log.json", o, rep, &err);
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

/* detectron2's metrics.json: one object per line, "iteration" as step,
 * evaluation lines with other keys, names with '/'. */
static void test_json_lines(void **state) {
    (void)state;
    const char *text = "{\"data_time\": 0.01, \"iteration\": 19, \"loss_cls\": 1.25, \"lr\": 0.0002}\n"
                       "{\"data_time\": 0.02, \"iteration\": 39, \"loss_cls\": 1.0, \"lr\": 0.0004}\n"
                       "{\"bbox/AP\": 30.5, \"bbox/AP50\": 51.25, \"iteration\": 39}\n"
                       "\n"
                       "{\"data_time\": 0.03, \"iteration\": 59, \"loss_cls\": 0.75, \"lr\": 0.0006}\n";
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = json(text, NULL, &rep);
    assert_string_equal(ts_run_format(run), "jsonl");
    assert_int_equal(ts_run_metric_count(run), 5);
    assert_int_equal(ts_run_find_metric(run, "metrics/iteration"), -1);
    TsSeries s;
    read_metric(run, "metrics/loss_cls", &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.step[0], 19);
    assert_int_equal(s.step[2], 59);
    assert_true(s.value[2] == 0.75);
    ts_series_free(&s);
    read_metric(run, "bbox/AP50", &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.step[0], 39);
    assert_true(s.value[0] == 51.25);
    ts_series_free(&s);
    const TsMetricInfo *m = ts_run_metric(run, (size_t)ts_run_find_metric(run, "bbox/AP"));
    assert_string_equal(m->stream, "bbox");
    assert_string_equal(m->metric, "AP");
    assert_int_equal(rep.n_records, 4);
    assert_int_equal(rep.n_warnings, 0);
    ts_import_report_free(&rep);
    ts_run_free(run);
}

/* Nested objects and arrays flatten to "a/b" and "a/0"; strings, booleans
 * and nulls are not numbers. */
static void test_flatten_and_skip(void **state) {
    (void)state;
    const char *text = "{\"step\": 1, \"loss\": {\"cls\": 0.5, \"box\": 0.25}, \"lr\": [0.1, 0.01],"
                       " \"tag\": \"warmup\", \"ok\": true, \"gone\": null}\n"
                       "{\"step\": 2, \"loss\": {\"cls\": 0.4, \"box\": \"n/a\"}, \"lr\": [0.2, 0.02]}\n";
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = json(text, NULL, &rep);
    assert_int_equal(ts_run_metric_count(run), 4);
    TsSeries s;
    read_metric(run, "loss/cls", &s);
    assert_int_equal(s.n, 2);
    ts_series_free(&s);
    read_metric(run, "loss/box", &s);
    assert_int_equal(s.n, 1);
    ts_series_free(&s);
    read_metric(run, "lr/1", &s);
    assert_true(s.value[1] == 0.02);
    assert_int_equal(s.step[1], 2);
    ts_series_free(&s);
    assert_int_equal(ts_run_find_metric(run, "metrics/tag"), -1);
    assert_int_equal(ts_run_find_metric(run, "metrics/ok"), -1);
    assert_int_equal(ts_run_find_metric(run, "metrics/gone"), -1);
    /* Only the key that mixes numbers and text is reported. */
    assert_int_equal(rep.n_warnings, 1);
    assert_non_null(strstr(rep.warnings[0], "key 'loss/box': 1 non-numeric value skipped (first on line 2: 'n/a')"));
    ts_import_report_free(&rep);
    ts_run_free(run);
}

/* Python's json writes NaN, Infinity and -Infinity. */
static void test_nonfinite_literals(void **state) {
    (void)state;
    const char *text = "{\"step\": 1, \"loss\": NaN, \"note\": \"NaN is fine in a string\"}\n"
                       "{\"step\": 2, \"loss\": Infinity}\n"
                       "{\"step\": 3, \"loss\": -Infinity}\n"
                       "{\"step\": 4, \"loss\": 0.5, \"NaN\": 1}\n";
    TsRun *run = json(text, NULL, NULL);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 4);
    assert_true(isnan(s.value[0]));
    assert_true(isinf(s.value[1]) && s.value[1] > 0);
    assert_true(isinf(s.value[2]) && s.value[2] < 0);
    assert_true(s.value[3] == 0.5);
    ts_series_free(&s);
    read_metric(run, "metrics/NaN", &s); /* a key, not a value */
    assert_int_equal(s.n, 1);
    ts_series_free(&s);
    ts_run_free(run);
}

static void test_damaged_lines(void **state) {
    (void)state;
    /* A broken line in the middle is skipped and reported; a cut last line
     * (a log still being written) ends the file quietly. */
    const char *text = "{\"step\": 1, \"loss\": 1}\n"
                       "{\"step\": 2, \"loss\": \n"
                       "[1, 2]\n"
                       "{\"step\": 3, \"loss\": 3}\n"
                       "{\"step\": 4, \"lo";
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = json(text, NULL, &rep);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.step[1], 3);
    ts_series_free(&s);
    assert_true(rep.truncated);
    assert_int_equal(rep.n_skipped, 2);
    assert_int_equal(rep.n_warnings, 1);
    assert_non_null(strstr(rep.warnings[0], "2 lines skipped (first: line 2"));
    ts_import_report_free(&rep);
    ts_run_free(run);
    /* Not JSON at all: an error naming the file. */
    TsErr err;
    const char *bad = "this is not json\nnor this\n";
    assert_null(ts_import_json_buffer(bad, strlen(bad), "x.json", NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "x.json: invalid JSON on line 1"));
    const char *num = "42";
    assert_null(ts_import_json_buffer(num, strlen(num), "x.json", NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "x.json: not a JSON log"));
}

/* A JSON array of objects, and integers beyond 64 bits. */
static void test_array_and_big_integers(void **state) {
    (void)state;
    const char *text = "[{\"epoch\": 0, \"acc\": 0.5}, {\"epoch\": 1, \"acc\": 0.75, "
                       "\"tokens\": 123456789012345678901234567890}, 7]";
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = json(text, NULL, &rep);
    TsSeries s;
    read_metric(run, "metrics/acc", &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.step[1], 1);
    ts_series_free(&s);
    read_metric(run, "metrics/tokens", &s);
    assert_double_equal(s.value[0], 1.2345678901234568e29, 1e15);
    ts_series_free(&s);
    assert_int_equal(rep.n_warnings, 1); /* the 7 */
    ts_import_report_free(&rep);
    ts_run_free(run);
}

static void test_trainer_state(void **state) {
    (void)state;
    const char *text = "{\n"
                       "  \"best_metric\": null,\n"
                       "  \"best_model_checkpoint\": \"out/checkpoint-20\",\n"
                       "  \"epoch\": 0.5,\n"
                       "  \"global_step\": 20,\n"
                       "  \"is_world_process_zero\": true,\n"
                       "  \"log_history\": [\n"
                       "    {\"epoch\": 0.125, \"grad_norm\": 3.5, \"learning_rate\": 4.5e-05, \"loss\": 1.25, \"step\": 5},\n"
                       "    {\"epoch\": 0.25, \"grad_norm\": 2.5, \"learning_rate\": 4e-05, \"loss\": NaN, \"step\": 10},\n"
                       "    {\"epoch\": 0.25, \"eval_accuracy\": 0.875, \"eval_loss\": 0.75, \"step\": 10},\n"
                       "    {\"epoch\": 0.5, \"eval_accuracy\": 0.9, \"eval_loss\": 0.5, \"step\": 20},\n"
                       "    {\"epoch\": 0.5, \"step\": 20, \"total_flos\": 6.7e15, \"train_loss\": 0.9}\n"
                       "  ],\n"
                       "  \"max_steps\": 20,\n"
                       "  \"stateful_callbacks\": {\"TrainerControl\": {\"args\": {\"should_save\": true}}},\n"
                       "  \"train_batch_size\": 32\n"
                       "}\n";
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = json(text, NULL, &rep);
    assert_string_equal(ts_run_format(run), "hf-trainer-state");
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 2);
    assert_true(isnan(s.value[1]));
    ts_series_free(&s);
    read_metric(run, "metrics/eval_loss", &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.step[0], 10);
    assert_int_equal(s.step[1], 20);
    ts_series_free(&s);
    read_metric(run, "metrics/epoch", &s); /* in every entry */
    assert_int_equal(s.n, 5);
    ts_series_free(&s);
    read_metric(run, "metrics/train_loss", &s);
    assert_int_equal(s.n, 1);
    ts_series_free(&s);
    assert_int_equal(ts_run_find_metric(run, "metrics/step"), -1);
    assert_int_equal(rep.n_records, 5);
    /* The settings become configuration; nulls and objects stay in the
     * configuration JSON only, which has no log_history. */
    const TsConfigEntry *c = ts_run_config_find(run, "train_batch_size");
    assert_non_null(c);
    assert_true(c->is_number && c->number == 32);
    c = ts_run_config_find(run, "best_model_checkpoint");
    assert_non_null(c);
    assert_false(c->is_number);
    assert_string_equal(c->text, "out/checkpoint-20");
    assert_string_equal(ts_run_config_find(run, "is_world_process_zero")->text, "true");
    assert_null(ts_run_config_find(run, "best_metric"));
    assert_null(ts_run_config_find(run, "log_history"));
    const char *cj = ts_run_config_json(run);
    assert_non_null(cj);
    assert_null(strstr(cj, "log_history"));
    assert_non_null(strstr(cj, "\"TrainerControl\""));
    ts_import_report_free(&rep);
    ts_run_free(run);
}

static void test_explicit_step_key(void **state) {
    (void)state;
    TsImportOptions o;
    ts_import_options_default(&o);
    o.step_column = "batch";
    TsRun *run = json("{\"step\": 1, \"batch\": 64, \"loss\": 2}\n{\"step\": 2, \"batch\": 128, \"loss\": 1}\n", &o,
                      NULL);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.step[1], 128);
    ts_series_free(&s);
    ts_run_free(run);
    TsErr err;
    const char *t = "{\"step\": 1}\n";
    o.step_column = "nope";
    assert_null(ts_import_json_buffer(t, strlen(t), "m.json", &o, NULL, &err));
    assert_string_equal(err.msg, "m.json: no step key 'nope'");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_lines),
        cmocka_unit_test(test_flatten_and_skip),
        cmocka_unit_test(test_nonfinite_literals),
        cmocka_unit_test(test_damaged_lines),
        cmocka_unit_test(test_array_and_big_integers),
        cmocka_unit_test(test_trainer_state),
        cmocka_unit_test(test_explicit_step_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
