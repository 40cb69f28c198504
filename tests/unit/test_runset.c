/* test_runset.c - filter expressions on a table of configurations, natural
 * and value sorting, seed groups, and the run index over real archives.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "support/ts_test.h"
#include "trajscope/run.h"
#include "trajscope/runset.h"
#include "trajscope/series.h"
#include "trajscope/source.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

#define NUM(k, v) {.key = (k), .text = #v, .is_number = true, .number = (v)}
#define TXT(k, t) {.key = (k), .text = (t), .is_number = false, .number = 0}

/* ---- filter ---- */

static const TsConfigEntry cfg0[] = {NUM("lr", 0.001), NUM("seed", 2), TXT("opt", "adam"), TXT("wd", "1e-2"),
                                     TXT("tag", "a b")};
static const TsConfigEntry cfg1[] = {TXT("lr", "1e-3"), NUM("seed", 10), TXT("opt", "sgd")};
static const TsConfigEntry cfg2[] = {NUM("lr", 0.01), TXT("opt", "Adam")};
/* lr stored as float32 (h5py with numpy.float32): 0.0010000000474974513 */
static const TsConfigEntry cfg3[] = {{.key = "lr", .text = "0.0010000000474974513", .is_number = true,
                                      .number = (double)0.001f}};

static const TsRunDesc table[] = {
    {"grok-seed2", cfg0, 5},
    {"grok-seed10", cfg1, 3},
    {"Baseline", cfg2, 2},
    {"f32run", cfg3, 1},
};

/* Bit mask of the table rows query matches (-1 when it does not parse). */
static int matches(const char *query) {
    TsErr err;
    ts_err_clear(&err);
    TsFilter *f = ts_filter_parse(query, &err);
    if (!f) return -1;
    assert_false(ts_err_is_set(&err));
    int mask = 0;
    for (int i = 0; i < 4; i++)
        if (ts_filter_match(f, table[i].name, table[i].config, table[i].n_config)) mask |= 1 << i;
    size_t keep[4];
    size_t n = ts_filter_select(f, table, 4, keep);
    int mask2 = 0;
    for (size_t i = 0; i < n; i++) mask2 |= 1 << keep[i];
    assert_int_equal(mask, mask2);
    ts_filter_free(f);
    return mask;
}

static void test_filter_matching(void **state) {
    (void)state;
    static const struct {
        const char *q;
        int mask;
    } cases[] = {
        {"", 0xf},
        {"   ", 0xf},
        {"lr=1e-3", 0x1 | 0x2 | 0x8}, /* number, text "1e-3", float32 */
        {"lr=0.001", 0x1 | 0x2 | 0x8},
        {"lr=1E-3", 0x1 | 0x2 | 0x8},
        {"lr=.001", 0x1 | 0x2 | 0x8},
        {"lr=+1e-3", 0x1 | 0x2 | 0x8},
        {"lr==0.001", 0x1 | 0x2 | 0x8},
        {"lr=0.0011", 0},
        {"lr=0x1", 0},          /* not a number: text equality only */
        {"lr!=0.001", 0x4},
        {"lr<0.005", 0x1 | 0x2 | 0x8},
        {"lr<=0.01", 0xf},
        {"lr>=0.01", 0x4},
        {"lr>0.01", 0},
        {"seed>5", 0x2},        /* Baseline has no seed: fails */
        {"seed!=2", 0x2},       /* missing key fails != too */
        {"seed=2.0", 0x1},
        {"opt=adam", 0x1},      /* text: case-sensitive */
        {"opt=Adam", 0x4},
        {"opt!=adam", 0x2 | 0x4},
        {"opt=\"adam\"", 0x1},
        {"wd=0.01", 0x1},       /* text "1e-2" compares as a number */
        {"wd<0.1", 0x1},
        {"tag=\"a b\"", 0x1},
        {"tag=a", 0},
        {"SEED", 0x1 | 0x2},    /* name substring, case-insensitive */
        {"seed1", 0x2},
        {"grok lr=1e-3", 0x1 | 0x2},
        {"grok  opt=sgd", 0x2},
        {"\"ok-s\"", 0x1 | 0x2},
        {"missing=1", 0},
        {"nothing-like-this", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = matches(cases[i].q);
        if (got != cases[i].mask) fail_msg("query '%s': mask %d, expected %d", cases[i].q, got, cases[i].mask);
    }
}

static void test_filter_errors(void **state) {
    (void)state;
    static const struct {
        const char *q, *term, *why;
    } cases[] = {
        {"lr>>3", "'lr>>3'", "starts with an operator"},
        {"seed>1 lr>>3", "'lr>>3'", "operator"},
        {"=3", "'=3'", "missing key"},
        {"lr=", "'lr='", "missing value"},
        {"lr<abc", "'lr<abc'", "need a number"},
        {"a!b", "'a!b'", "'!' must be followed by '='"},
        {"x=\"ab", "'x=\"ab'", "unterminated quote"},
        {"a=b=c", "'a=b=c'", "second operator"},
        {"\"ab\"cd", "'\"ab\"cd'", "after the closing quote"},
        {"ab\"cd\"", "'ab\"cd\"'", "quote inside"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TsErr err;
        ts_err_clear(&err);
        TsFilter *f = ts_filter_parse(cases[i].q, &err);
        if (f) fail_msg("query '%s' parsed", cases[i].q);
        if (!strstr(err.msg, "bad filter term ") || !strstr(err.msg, cases[i].term) ||
            !strstr(err.msg, cases[i].why))
            fail_msg("query '%s': message '%s'", cases[i].q, err.msg);
    }
    TsErr err;
    ts_filter_parse("seed>1 lr>>3", &err);
    assert_null(strstr(err.msg, "seed>1")); /* only the offending term */
    ts_filter_parse("a=\x1b[2J<", &err);
    assert_null(strchr(err.msg, '\x1b')); /* the message is terminal-safe */
    TsFilter *f = ts_filter_parse("grok lr<1 opt=adam", &err);
    assert_int_equal(ts_filter_term_count(f), 3);
    assert_true(ts_filter_match(f, "GROK-x", cfg0, 5));
    assert_false(ts_filter_match(f, "GROK-x", NULL, 0));
    ts_filter_free(f);
    assert_true(ts_filter_match(NULL, "x", NULL, 0));
}

/* ---- sorting ---- */

static void test_natural_sort(void **state) {
    (void)state;
    assert_true(ts_runset_natural_cmp("seed2", "seed10") < 0);
    assert_true(ts_runset_natural_cmp("seed10", "seed2") > 0);
    assert_true(ts_runset_natural_cmp("Seed1", "seed2") < 0);
    assert_true(ts_runset_natural_cmp("seed2", "seed02") < 0);
    assert_true(ts_runset_natural_cmp("seed007", "seed10") < 0); /* leading zeros do not count */
    assert_true(ts_runset_natural_cmp("run", "run1") < 0);
    assert_int_equal(ts_runset_natural_cmp("a7b", "a7b"), 0);
    assert_true(ts_runset_natural_cmp("lr1e-3", "lr1e-4") < 0);

    static const char *names[] = {"seed10", "seed2", "Seed1", "seed02", "alpha", "seed2"};
    TsRunSortKey keys[6];
    for (size_t i = 0; i < 6; i++) ts_runset_sort_key(&keys[i], names[i], NULL);
    size_t order[6];
    ts_runset_sort(keys, 6, TS_RUNSORT_NAME, false, false, order);
    static const size_t want[] = {4, 2, 1, 5, 3, 0}; /* alpha Seed1 seed2 seed2 seed02 seed10 */
    for (size_t i = 0; i < 6; i++) assert_int_equal(order[i], want[i]);
    ts_runset_sort(keys, 6, TS_RUNSORT_NAME, false, true, order);
    static const size_t rev[] = {0, 3, 1, 5, 2, 4}; /* equal names keep input order */
    for (size_t i = 0; i < 6; i++) assert_int_equal(order[i], rev[i]);
}

static TsSeries make_series(const double *v, size_t n, int64_t dstep) {
    TsSeries s;
    ts_series_init(&s);
    ts_series_alloc(&s, n, false);
    for (size_t i = 0; i < n; i++) {
        s.step[i] = (int64_t)i * dstep;
        s.value[i] = v[i];
    }
    return s;
}

static void test_value_sorts(void **state) {
    (void)state;
    /* last values 0.5, NaN, 0.1, 0.5, Inf; run 5 has no data */
    static const double v0[] = {3, 0.2, 0.5}, v1[] = {2, 0.05, NAN}, v2[] = {1, 0.1};
    static const double v3[] = {0.9, 0.5}, v4[] = {4, INFINITY};
    TsSeries s[5] = {make_series(v0, 3, 10), make_series(v1, 3, 10), make_series(v2, 2, 100),
                     make_series(v3, 2, 5), make_series(v4, 2, 1)};
    static const char *names[] = {"r0", "r1", "r2", "r3", "r4", "r5"};
    TsRunSortKey keys[6];
    for (size_t i = 0; i < 5; i++) {
        TsSeriesStats st;
        ts_series_stats(&s[i], &st);
        ts_runset_sort_key(&keys[i], names[i], &st);
    }
    ts_runset_sort_key(&keys[5], names[5], NULL);
    size_t order[6];

    ts_runset_sort(keys, 6, TS_RUNSORT_LAST, false, false, order);
    static const size_t last_asc[] = {2, 0, 3, 1, 4, 5}; /* NaN, Inf, no data last, input order */
    for (size_t i = 0; i < 6; i++) assert_int_equal(order[i], last_asc[i]);
    ts_runset_sort(keys, 6, TS_RUNSORT_LAST, false, true, order);
    static const size_t last_desc[] = {0, 3, 2, 1, 4, 5}; /* still last whatever the direction */
    for (size_t i = 0; i < 6; i++) assert_int_equal(order[i], last_desc[i]);

    /* best, lower is better: min 0.2, 0.05, 0.1, 0.5, 4 */
    ts_runset_sort(keys, 6, TS_RUNSORT_BEST, true, false, order);
    static const size_t best_low[] = {1, 2, 0, 3, 4, 5};
    for (size_t i = 0; i < 6; i++) assert_int_equal(order[i], best_low[i]);
    /* best, higher is better: max 3, 2, 1, 0.9, 4 (the Inf is not finite: ignored) */
    ts_runset_sort(keys, 6, TS_RUNSORT_BEST, false, false, order);
    static const size_t best_high[] = {4, 0, 1, 2, 3, 5};
    for (size_t i = 0; i < 6; i++) assert_int_equal(order[i], best_high[i]);

    /* steps reached: 20, 20, 100, 5, 1 */
    ts_runset_sort(keys, 6, TS_RUNSORT_STEPS, false, false, order);
    static const size_t steps[] = {4, 3, 0, 1, 2, 5};
    for (size_t i = 0; i < 6; i++) assert_int_equal(order[i], steps[i]);

    for (int i = 0; i < TS_RUNSORT_COUNT; i++)
        assert_int_equal(ts_runset_sort_from_name(ts_runset_sort_name((TsRunSortBy)i)), i);
    assert_int_equal(ts_runset_sort_from_name("size"), TS_RUNSORT_COUNT);
    for (size_t i = 0; i < 5; i++) ts_series_free(&s[i]);
}

/* ---- seed groups ---- */

static void expect_group(const TsSeedGroup *g, const size_t *runs, size_t n, const char *key) {
    assert_int_equal(g->n_runs, n);
    for (size_t i = 0; i < n; i++) assert_int_equal(g->runs[i], runs[i]);
    if (key) assert_string_equal(g->seed_key, key);
    else assert_null(g->seed_key);
}

static void test_seed_groups(void **state) {
    (void)state;
    static const TsConfigEntry c0[] = {NUM("lr", 0.001), NUM("width", 128), NUM("seed", 0)};
    static const TsConfigEntry c1[] = {NUM("seed", 1), NUM("lr", 0.001), NUM("width", 128)}; /* other order */
    static const TsConfigEntry c2[] = {NUM("lr", 0.01), NUM("width", 128), NUM("seed", 0)};
    static const TsConfigEntry c3[] = {TXT("lr", "1e-3"), NUM("width", 128), NUM("seed", 2)};
    static const TsConfigEntry c4[] = {NUM("lr", 0.001), NUM("width", 128)};
    static const TsConfigEntry c5[] = {NUM("lr", 0.001), NUM("width", 128), NUM("seed", 3), NUM("extra", 1)};
    static const TsConfigEntry c6[] = {NUM("lr", 0.01), NUM("width", 128), NUM("random_seed", 5)};
    static const TsConfigEntry c7[] = {NUM("lr", 0.01), NUM("width", 128), NUM("seed", 1)};
    static const TsConfigEntry c8[] = {NUM("lr", 0.001), NUM("width", 128)};
    const TsRunDesc runs[] = {{"r0", c0, 3}, {"r1", c1, 3}, {"r2", c2, 3}, {"r3", c3, 3}, {"r4", c4, 2},
                              {"r5", c5, 4}, {"r6", c6, 3}, {"r7", c7, 3}, {"r8", c8, 2}};
    TsSeedGroups g;
    ts_runset_group_seeds(runs, 9, NULL, &g);
    assert_int_equal(g.n, 6);
    expect_group(&g.items[0], (const size_t[]){0, 1, 3}, 3, "seed");
    expect_group(&g.items[1], (const size_t[]){2, 7}, 2, "seed");
    expect_group(&g.items[2], (const size_t[]){4}, 1, NULL); /* no seed key: alone, even with r8 */
    expect_group(&g.items[3], (const size_t[]){5}, 1, "seed"); /* extra key */
    expect_group(&g.items[4], (const size_t[]){6}, 1, "random_seed");
    expect_group(&g.items[5], (const size_t[]){8}, 1, NULL);
    /* shared configuration: everything but the seed, from the first member */
    assert_int_equal(g.items[0].n_shared, 2);
    assert_string_equal(g.items[0].shared[0].key, "lr");
    assert_double_equal(g.items[0].shared[0].number, 0.001, 0);
    assert_string_equal(g.items[0].shared[1].key, "width");
    assert_int_equal(g.items[2].n_shared, 2);
    ts_runset_groups_free(&g);
    assert_int_equal(g.n, 0);

    /* a key the user names */
    static const TsConfigEntry d0[] = {NUM("seed", 0), NUM("data_seed", 1), TXT("model", "mlp")};
    static const TsConfigEntry d1[] = {NUM("seed", 0), NUM("data_seed", 2), TXT("model", "mlp")};
    static const TsConfigEntry d2[] = {NUM("seed", 0), NUM("data_seed", 2), TXT("model", "cnn")};
    const TsRunDesc druns[] = {{"d0", d0, 3}, {"d1", d1, 3}, {"d2", d2, 3}};
    ts_runset_group_seeds(druns, 3, NULL, &g); /* seed is the same, data_seed differs */
    assert_int_equal(g.n, 3);
    ts_runset_groups_free(&g);
    ts_runset_group_seeds(druns, 3, "data_seed", &g);
    assert_int_equal(g.n, 2);
    expect_group(&g.items[0], (const size_t[]){0, 1}, 2, "data_seed");
    expect_group(&g.items[1], (const size_t[]){2}, 1, "data_seed");
    assert_int_equal(g.items[0].n_shared, 2); /* seed, model */
    ts_runset_groups_free(&g);
    ts_runset_group_seeds(druns, 3, "nope", &g); /* nobody has it: all alone */
    assert_int_equal(g.n, 3);
    assert_null(g.items[0].seed_key);
    ts_runset_groups_free(&g);
    ts_runset_group_seeds(NULL, 0, NULL, &g);
    assert_int_equal(g.n, 0);
}

/* ---- the run index ---- */

static char *write_archive(const char *dir, const char *name, double lr, int64_t seed) {
    char *path = ts_xasprintf("%s/%s.h5", dir, name);
    TsErr err;
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    TsWriter *w = ts_writer_create(path, name, &o, &err);
    assert_non_null(w);
    const char *cols[] = {"loss"};
    assert_true(ts_writer_set_config_number(w, "lr", lr, &err));
    assert_true(ts_writer_set_config_int(w, "seed", seed, &err));
    assert_true(ts_writer_add_stream(w, "train", cols, 1, TS_STREAM_WALL_TIME, &err));
    for (int64_t i = 0; i < 5; i++) {
        double v = 1.0 / (double)(i + 1) + (double)seed;
        assert_true(ts_writer_append(w, "train", i * 10, &v, 100.0 + (double)i, 0, &err));
    }
    assert_true(ts_writer_close(w, &err));
    return path;
}

static void test_run_index(void **state) {
    (void)state;
    char *dir = ts_xasprintf("%s/test_runset-XXXXXX", ts_test_tmpdir());
    assert_non_null(mkdtemp(dir));
    char *p[3] = {write_archive(dir, "seed10", 1e-3, 10), write_archive(dir, "seed2", 1e-3, 2),
                  write_archive(dir, "other", 1e-2, 2)};
    TsSourceList src = {0};
    TsErr err;
    assert_true(ts_source_find(dir, &src, &err));
    assert_int_equal(src.n, 3);
    /* one more source that cannot be opened */
    src.items = ts_xreallocarray(src.items, 4, sizeof *src.items);
    src.items[3] = (TsSource){.path = ts_xasprintf("%s/gone.h5", dir), .name = ts_xstrdup("gone"),
                              .kind = "archive"};
    src.n = 4;

    TsRunSet *set = ts_runset_new(&src, false);
    assert_int_equal(ts_runset_count(set), 4);
    assert_int_equal(ts_runset_state(set, 0), TS_RUNSTATE_PENDING);
    assert_int_equal(ts_runset_desc(set, 0).n_config, 0);
    assert_int_equal(ts_runset_open_some(set, 2), 2);
    assert_int_equal(ts_runset_open_some(set, 0), 0);
    assert_int_equal(ts_runset_open_count(set), 0); /* snapshots taken, files closed */
    /* natural order from ts_source_find: other, seed2, seed10 */
    assert_string_equal(ts_runset_name(set, 1), "seed2");
    assert_string_equal(ts_runset_name(set, 2), "seed10");
    for (size_t i = 0; i < 3; i++) assert_int_equal(ts_runset_state(set, i), TS_RUNSTATE_READY);
    assert_int_equal(ts_runset_state(set, 3), TS_RUNSTATE_FAILED);
    assert_non_null(strstr(ts_runset_error(set, 3), "gone.h5"));
    assert_null(ts_runset_acquire(set, 3, &err));
    assert_non_null(strstr(err.msg, "gone.h5"));

    /* the snapshot feeds the pure functions */
    TsRunDesc d[4];
    for (size_t i = 0; i < 4; i++) d[i] = ts_runset_desc(set, i);
    TsFilter *f = ts_filter_parse("lr=1e-3 seed", &err);
    size_t keep[4];
    assert_int_equal(ts_filter_select(f, d, 4, keep), 2);
    assert_int_equal(keep[0], 1);
    assert_int_equal(keep[1], 2);
    ts_filter_free(f);
    TsSeedGroups g;
    ts_runset_group_seeds(d, 4, NULL, &g);
    assert_int_equal(g.n, 3); /* {seed2, seed10}, {other}, {gone} */
    expect_group(&g.items[0], (const size_t[]){0}, 1, "seed");
    expect_group(&g.items[1], (const size_t[]){1, 2}, 2, "seed");
    ts_runset_groups_free(&g);
    assert_int_equal(ts_runset_metric_count(set, 1), 1);
    assert_string_equal(ts_runset_metric(set, 1, 0)->name, "train/loss");
    assert_int_equal(ts_runset_metric(set, 1, 0)->length, 5);
    assert_int_equal(ts_runset_find_metric(set, 1, "train/loss"), 0);
    assert_int_equal(ts_runset_find_metric(set, 1, "eval/acc"), -1);
    assert_null(ts_runset_run(set, 1));

    /* reopened on demand, kept until released */
    TsRun *run = ts_runset_acquire(set, 2, &err);
    assert_non_null(run);
    assert_ptr_equal(ts_runset_run(set, 2), run);
    assert_ptr_equal(ts_runset_acquire(set, 2, &err), run);
    assert_int_equal(ts_runset_open_count(set), 1);
    TsSeries s;
    ts_series_init(&s);
    assert_true(ts_run_read(run, 0, 0, SIZE_MAX, &s, &err));
    assert_int_equal(s.n, 5);
    assert_double_equal(s.value[0], 11.0, 0);
    ts_series_free(&s);
    ts_runset_release(set, 2);
    assert_int_equal(ts_runset_open_count(set), 0);
    assert_null(ts_runset_run(set, 2));
    ts_runset_free(set);

    /* keep_open: every run stays open */
    set = ts_runset_new(&src, true);
    ts_runset_open_some(set, 0);
    assert_int_equal(ts_runset_open_count(set), 3);
    assert_non_null(ts_runset_run(set, 0));
    ts_runset_free(set);

    /* acquire opens a pending run and takes its snapshot */
    set = ts_runset_new(&src, false);
    assert_non_null(ts_runset_acquire(set, 1, &err));
    assert_int_equal(ts_runset_state(set, 1), TS_RUNSTATE_READY);
    assert_int_equal(ts_runset_state(set, 0), TS_RUNSTATE_PENDING);
    assert_int_equal(ts_runset_desc(set, 1).n_config, 2);
    assert_int_equal(ts_runset_open_some(set, 0), 0);
    assert_int_equal(ts_runset_open_count(set), 1); /* the acquired one stays */
    assert_null(ts_runset_acquire(set, 9, &err));
    ts_runset_free(set);

    ts_source_list_free(&src);
    for (size_t i = 0; i < 3; i++) {
        unlink(p[i]);
        free(p[i]);
    }
    rmdir(dir);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_matching),
        cmocka_unit_test(test_filter_errors),
        cmocka_unit_test(test_natural_sort),
        cmocka_unit_test(test_value_sorts),
        cmocka_unit_test(test_seed_groups),
        cmocka_unit_test(test_run_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
