/* test_run_memory.c - the generic run and its in-memory back end.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/run_backend.h"
#include "trajscope/run.h"

static void test_memory_run_round_trip(void **state) {
    (void)state;
    TsRun *run = ts_run_new_memory("logs/a.csv", "a", "csv");
    assert_string_equal(ts_run_name(run), "a");
    assert_string_equal(ts_run_path(run), "logs/a.csv");
    assert_string_equal(ts_run_format(run), "csv");
    ts_run_mem_add_config_number(run, "lr", 0.001);
    ts_run_mem_add_config_text(run, "optimizer", "adamw");
    size_t loss = ts_run_mem_metric(run, "train", "loss");
    size_t acc = ts_run_mem_metric(run, "eval", "acc");
    assert_int_equal(ts_run_mem_metric(run, "train", "loss"), loss);
    ts_run_mem_set_dtype(run, loss, "float32");
    for (int i = 0; i < 5; i++) ts_run_mem_append(run, loss, i * 10, 1.0 / (i + 1), NAN);
    ts_run_mem_append(run, acc, 100, 0.5, 1700000000.25);

    assert_int_equal(ts_run_metric_count(run), 2);
    assert_int_equal(ts_run_find_metric(run, "eval/acc"), (long)acc);
    assert_int_equal(ts_run_find_metric(run, "eval/nope"), -1);
    const TsMetricInfo *m = ts_run_metric(run, loss);
    assert_string_equal(m->name, "train/loss");
    assert_string_equal(m->dtype, "float32");
    assert_int_equal(m->length, 5);
    assert_false(m->has_wall_time);
    assert_true(ts_run_metric(run, acc)->has_wall_time);

    const TsConfigEntry *lr = ts_run_config_find(run, "lr");
    assert_non_null(lr);
    assert_true(lr->is_number);
    assert_string_equal(lr->text, "0.001");
    assert_string_equal(ts_run_config_find(run, "optimizer")->text, "adamw");
    assert_null(ts_run_config_find(run, "seed"));

    TsSeries s;
    ts_series_init(&s);
    TsErr err;
    assert_true(ts_run_read(run, loss, 1, 3, &s, &err));
    assert_int_equal(s.n, 3);
    assert_int_equal(s.step[0], 10);
    assert_true(s.value[2] == 1.0 / 4);
    assert_null(s.wall_time);
    /* Counts past the end are clipped, starts past the end give nothing. */
    assert_true(ts_run_read(run, loss, 3, SIZE_MAX, &s, &err));
    assert_int_equal(s.n, 2);
    assert_true(ts_run_read(run, loss, 99, 5, &s, &err));
    assert_int_equal(s.n, 0);
    assert_true(ts_run_read(run, acc, 0, SIZE_MAX, &s, &err));
    assert_non_null(s.wall_time);
    assert_true(s.wall_time[0] == 1700000000.25);
    assert_false(ts_run_read(run, 7, 0, 1, &s, &err));
    assert_non_null(strstr(err.msg, "logs/a.csv"));
    ts_series_free(&s);
    assert_null(ts_run_checkpoints(run, &err));
    assert_false(ts_err_is_set(&err));
    ts_run_free(run);
}

static void test_open_missing_file_names_it(void **state) {
    (void)state;
    TsErr err;
    assert_null(ts_run_open("/nonexistent/dir/run.h5", &err));
    assert_string_equal(err.msg, "/nonexistent/dir/run.h5: no such file or directory");
    assert_null(ts_run_open("/dev/null", &err));
    assert_non_null(strstr(err.msg, "/dev/null: "));
}

/* Configuration numbers print in the shortest text that reads back exactly;
 * integral values print as integers (issue found by the importer: 5e+02). */
static void test_format_exact(void **state) {
    (void)state;
    static const struct { double v; const char *want; } cases[] = {
        {500, "500"}, {0, "0"}, {-3, "-3"}, {1e14, "100000000000000"}, {0.001, "0.001"},
        {0.1, "0.1"}, {1.0 / 3.0, "0.3333333333333333"}, {1e-8, "1e-08"}, {1e300, "1e+300"},
        {2.5e15, "2.5e+15"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ts_format_exact(buf, sizeof buf, cases[i].v);
        assert_string_equal(buf, cases[i].want);
        assert_true(strtod(buf, NULL) == cases[i].v);
    }
    ts_format_exact(buf, sizeof buf, NAN);
    assert_string_equal(buf, "nan");
    ts_format_exact(buf, sizeof buf, -INFINITY);
    assert_string_equal(buf, "-inf");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_run_round_trip),
        cmocka_unit_test(test_open_missing_file_names_it),
        cmocka_unit_test(test_format_exact),
    };
    return cmocka_run_group_tests_name("run_memory", tests, NULL, NULL);
}
