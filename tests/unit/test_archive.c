/* test_archive.c - the HDF5 archive reader: writer round trips, odd and
 * broken files (built with raw HDF5 calls), h5py-written archives.
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <hdf5.h>

#include "support/ts_test.h"
#include "trajscope/archive.h"
#include "trajscope/run.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

/* ---- helpers ---- */

static char *tmp_file(const char *name) {
    return ts_xasprintf("%s/test_archive-%ld-%s", ts_test_tmpdir(), (long)getpid(), name);
}

/* Same value: bit-identical, or both NaN. */
static bool same(double a, double b) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

#define assert_same(a, b)                                                                   \
    do {                                                                                    \
        double sa_ = (a), sb_ = (b);                                                        \
        if (!same(sa_, sb_)) fail_msg("%s = %.17g, expected %.17g", #a, sa_, sb_);         \
    } while (0)

/* No HDF5 file, group, dataset, datatype or attribute is left open. */
static void assert_no_hdf5_ids(void) {
    ssize_t n = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (n != 0) fail_msg("%zd HDF5 objects left open", n);
}

static TsRun *open_ok(const char *path) {
    TsErr err;
    TsRun *run = ts_archive_open(path, &err);
    if (!run) fail_msg("ts_archive_open(%s): %s", path, err.msg);
    assert_false(ts_err_is_set(&err));
    return run;
}

static void expect_open_error(const char *path, const char *problem) {
    TsErr err;
    TsRun *run = ts_archive_open(path, &err);
    if (run) {
        ts_run_free(run);
        fail_msg("%s opened; expected \"%s\"", path, problem);
    }
    char *want = ts_xasprintf("%s: %s", path, problem);
    assert_string_equal(err.msg, want);
    free(want);
    assert_no_hdf5_ids();
}

static long metric(const TsRun *run, const char *name) {
    long i = ts_run_find_metric(run, name);
    if (i < 0) fail_msg("no metric %s", name);
    return i;
}

static void read_all(TsRun *run, long i, TsSeries *s) {
    TsErr err;
    if (!ts_run_read(run, (size_t)i, 0, SIZE_MAX, s, &err)) fail_msg("read: %s", err.msg);
}

static TsWriter *writer_new(const char *path, size_t chunk_rows) {
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    if (chunk_rows) o.chunk_rows = chunk_rows;
    TsErr err;
    TsWriter *w = ts_writer_create(path, "run", &o, &err);
    if (!w) fail_msg("ts_writer_create: %s", err.msg);
    return w;
}

static void writer_close_ok(TsWriter *w) {
    TsErr err;
    if (!ts_writer_close(w, &err)) fail_msg("ts_writer_close: %s", err.msg);
}

/* Raw HDF5 files for shapes the writer never produces. */
static hid_t raw_create(const char *path, bool with_format) {
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    if (with_format) {
        int64_t one = 1;
        hid_t sp = H5Screate(H5S_SCALAR);
        hid_t a = H5Acreate2(f, "trajscope_format", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
        assert_true(H5Awrite(a, H5T_NATIVE_INT64, &one) >= 0);
        H5Aclose(a);
        H5Sclose(sp);
    }
    return f;
}

static void raw_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype, size_t n, const void *v) {
    hsize_t dims[1] = {n};
    hid_t sp = n ? H5Screate_simple(1, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Awrite(a, mtype, v) >= 0);
    H5Aclose(a);
    H5Sclose(sp);
}

static void raw_1d(hid_t loc, const char *name, hid_t ftype, hid_t mtype, size_t n, const void *data) {
    hsize_t dims[1] = {n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(ds >= 0);
    if (n) assert_true(H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    H5Dclose(ds);
    H5Sclose(sp);
}

static hid_t raw_group(hid_t loc, const char *name) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t g = H5Gcreate2(loc, name, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lcpl);
    assert_true(g >= 0);
    return g;
}

/* ---- round trips through the writer ---- */

static void test_round_trip_exact(void **state) {
    (void)state;
    char *path = tmp_file("exact.h5");
    TsWriter *w = writer_new(path, 7); /* small chunks: many blocks, a partial last one */
    TsErr err;
    const char *cols[] = {"loss", "acc", "count"};
    const char *types[] = {"float64", "float32", "int64"};
    assert_true(ts_writer_add_stream_typed(w, "train", cols, types, 3, TS_STREAM_WALL_TIME | TS_STREAM_TOKENS, &err));
    const double d[] = {0.1, 1.0 / 3.0, 1e-300, 1.7976931348623157e308, -0.0, 5e-324, -2.5, 12345.678901234567};
    const size_t n = 50;
    for (size_t i = 0; i < n; i++) {
        double v[3] = {d[i % 8] * (double)(i + 1), (double)(float)(0.1 * (double)i), (double)(9007199254740991LL - (long long)i)};
        if (i % 8 == 4) v[0] = -0.0;
        int64_t step = i == 0 ? INT64_MIN : i == 1 ? INT64_MAX : (int64_t)i * 1000;
        assert_true(ts_writer_append(w, "train", step, v, 1.7e9 + (double)i * 0.125, (int64_t)i * 4096, &err));
    }
    writer_close_ok(w);

    TsRun *run = open_ok(path);
    assert_string_equal(ts_run_format(run), "trajscope-h5");
    assert_string_equal(ts_run_name(run), "run");
    /* metrics in declaration order; tokens is a metric too */
    assert_int_equal(ts_run_metric_count(run), 4);
    const char *names[] = {"train/loss", "train/acc", "train/count", "train/tokens"};
    const char *dtypes[] = {"float64", "float32", "int64", "int64"};
    for (size_t j = 0; j < 4; j++) {
        const TsMetricInfo *m = ts_run_metric(run, j);
        assert_string_equal(m->name, names[j]);
        assert_string_equal(m->stream, "train");
        assert_string_equal(m->dtype, dtypes[j]);
        assert_int_equal(m->length, n);
        assert_true(m->has_step);
        assert_true(m->has_wall_time);
    }
    TsSeries s[4] = {{0}};
    for (long j = 0; j < 4; j++) read_all(run, j, &s[j]);
    for (size_t i = 0; i < n; i++) {
        double v0 = d[i % 8] * (double)(i + 1);
        if (i % 8 == 4) v0 = -0.0;
        assert_same(s[0].value[i], v0);
        assert_same(s[1].value[i], (double)(float)(0.1 * (double)i));
        assert_same(s[2].value[i], (double)(9007199254740991LL - (long long)i));
        assert_same(s[3].value[i], (double)((int64_t)i * 4096));
        int64_t step = i == 0 ? INT64_MIN : i == 1 ? INT64_MAX : (int64_t)i * 1000;
        assert_true(s[0].step[i] == step);
        assert_same(s[0].wall_time[i], 1.7e9 + (double)i * 0.125);
    }
    assert_true(signbit(s[0].value[4]));
    for (int j = 0; j < 4; j++) ts_series_free(&s[j]);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_nonfinite_values(void **state) {
    (void)state;
    char *path = tmp_file("nonfinite.h5");
    TsWriter *w = writer_new(path, 0);
    TsErr err;
    const char *c64[] = {"x"};
    assert_true(ts_writer_add_stream(w, "f64", c64, 1, 0, &err));
    assert_true(ts_writer_add_stream(w, "f32", c64, 1, TS_STREAM_FLOAT32, &err));
    const double v[] = {NAN, INFINITY, -INFINITY, 1.5, -NAN};
    for (int i = 0; i < 5; i++) {
        assert_true(ts_writer_append(w, "f64", i, &v[i], 0, 0, &err));
        assert_true(ts_writer_append(w, "f32", i, &v[i], 0, 0, &err));
    }
    writer_close_ok(w);
    TsRun *run = open_ok(path);
    assert_string_equal(ts_run_metric(run, metric(run, "f32/x"))->dtype, "float32");
    const char *names[] = {"f64/x", "f32/x"};
    for (int j = 0; j < 2; j++) {
        TsSeries s = {0};
        read_all(run, metric(run, names[j]), &s);
        assert_int_equal(s.n, 5);
        assert_null(s.wall_time);
        assert_true(isnan(s.value[0]));
        assert_true(isinf(s.value[1]) && s.value[1] > 0);
        assert_true(isinf(s.value[2]) && s.value[2] < 0);
        assert_same(s.value[3], 1.5);
        assert_true(isnan(s.value[4]));
        ts_series_free(&s);
    }
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_repeated_and_reversed_steps(void **state) {
    (void)state;
    char *path = tmp_file("steps.h5");
    TsWriter *w = writer_new(path, 3);
    TsErr err;
    const char *c[] = {"loss"};
    assert_true(ts_writer_add_stream(w, "train", c, 1, 0, &err));
    const int64_t steps[] = {0, 10, 20, 20, 30, 10, 20, 40, 5};
    for (int i = 0; i < 9; i++) {
        double v = i;
        assert_true(ts_writer_append(w, "train", steps[i], &v, 0, 0, &err));
    }
    writer_close_ok(w);
    TsRun *run = open_ok(path);
    TsSeries s = {0};
    read_all(run, 0, &s);
    assert_int_equal(s.n, 9);
    for (int i = 0; i < 9; i++) {
        assert_true(s.step[i] == steps[i]);
        assert_same(s.value[i], (double)i);
    }
    ts_series_free(&s);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_hyperslab_middle(void **state) {
    (void)state;
    char *path = tmp_file("slab.h5");
    TsWriter *w = writer_new(path, 512);
    TsErr err;
    const char *c[] = {"loss"};
    assert_true(ts_writer_add_stream(w, "train", c, 1, TS_STREAM_WALL_TIME, &err));
    for (int i = 0; i < 10000; i++) {
        double v = sin(i * 0.001) / (i + 1);
        assert_true(ts_writer_append(w, "train", 3 * i, &v, 100.0 + i, 0, &err));
    }
    writer_close_ok(w);
    TsRun *run = open_ok(path);
    TsSeries s = {0};
    ts_series_init(&s);
    assert_true(ts_run_read(run, 0, 4321, 1000, &s, &err));
    assert_int_equal(s.n, 1000);
    for (int k = 0; k < 1000; k++) {
        int i = 4321 + k;
        assert_same(s.value[k], sin(i * 0.001) / (i + 1));
        assert_true(s.step[k] == 3 * i);
        assert_same(s.wall_time[k], 100.0 + i);
    }
    /* clipped at the end; an empty range */
    assert_true(ts_run_read(run, 0, 9990, 100, &s, &err));
    assert_int_equal(s.n, 10);
    assert_true(s.step[9] == 3 * 9999);
    assert_true(ts_run_read(run, 0, 10000, 5, &s, &err));
    assert_int_equal(s.n, 0);
    ts_series_free(&s);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_config_round_trip(void **state) {
    (void)state;
    char *path = tmp_file("config.h5");
    TsWriter *w = writer_new(path, 0);
    TsErr err;
    assert_true(ts_writer_set_created(w, "2024-01-02T03:04:05Z", &err));
    assert_true(ts_writer_set_config_number(w, "lr", 1e-3, &err));
    assert_true(ts_writer_set_config_text(w, "optimizer", "adamw \xe2\x9c\x93", &err));
    assert_true(ts_writer_set_config_int(w, "batch_size", 64, &err));
    assert_true(ts_writer_set_config_int(w, "big", INT64_MIN, &err));
    assert_true(ts_writer_set_config_number(w, "third", 1.0 / 3.0, &err));
    assert_true(ts_writer_set_config_json(w, "{\"lr\": 0.001}", &err));
    assert_false(ts_writer_set_config_int(w, "run_name", 1, &err));
    assert_non_null(strstr(err.msg, "reserved"));
    writer_close_ok(w);

    TsRun *run = open_ok(path);
    assert_string_equal(ts_run_created(run), "2024-01-02T03:04:05Z");
    assert_string_equal(ts_run_config_json(run), "{\"lr\": 0.001}");
    assert_int_equal(ts_run_config_count(run), 5);
    const char *order[] = {"lr", "optimizer", "batch_size", "big", "third"};
    for (size_t i = 0; i < 5; i++) assert_string_equal(ts_run_config(run, i)->key, order[i]);
    const TsConfigEntry *e = ts_run_config_find(run, "lr");
    assert_true(e->is_number);
    assert_string_equal(e->text, "0.001");
    assert_same(e->number, 1e-3);
    e = ts_run_config_find(run, "optimizer");
    assert_false(e->is_number);
    assert_string_equal(e->text, "adamw \xe2\x9c\x93");
    e = ts_run_config_find(run, "batch_size");
    assert_true(e->is_number);
    assert_string_equal(e->text, "64");
    assert_same(e->number, 64.0);
    assert_string_equal(ts_run_config_find(run, "big")->text, "-9223372036854775808");
    e = ts_run_config_find(run, "third");
    assert_same(strtod(e->text, NULL), 1.0 / 3.0);
    assert_string_equal(e->text, "0.3333333333333333");
    assert_int_equal(ts_run_metric_count(run), 0);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_checkpoints_round_trip(void **state) {
    (void)state;
    char *path = tmp_file("ckpt.h5");
    TsWriter *w = writer_new(path, 0);
    TsErr err;
    const char *layers[] = {"embed", "block 0 \xc3\xa9", "head"};
    const char *stats[] = {"weight_norm", "dist_from_init"};
    assert_true(ts_writer_add_checkpoint_layout(w, layers, 3, stats, 2, &err));
    for (int k = 0; k < 4; k++) {
        double v[6];
        for (int j = 0; j < 6; j++) v[j] = k * 10 + j + 0.1;
        assert_true(ts_writer_append_checkpoint(w, 100 * k, v, &err));
    }
    writer_close_ok(w);
    TsRun *run = open_ok(path);
    const TsCheckpoints *ck = ts_run_checkpoints(run, &err);
    assert_non_null(ck);
    assert_int_equal(ck->n_checkpoints, 4);
    assert_int_equal(ck->n_layers, 3);
    assert_int_equal(ck->n_stats, 2);
    for (int l = 0; l < 3; l++) assert_string_equal(ck->layer[l], layers[l]);
    assert_string_equal(ck->stat[0], "weight_norm");
    assert_string_equal(ck->stat[1], "dist_from_init");
    for (int k = 0; k < 4; k++) {
        assert_true(ck->step[k] == 100 * k);
        for (int s = 0; s < 2; s++)
            for (int l = 0; l < 3; l++) assert_same(ck->value[s][k * 3 + l], k * 10 + s * 3 + l + 0.1);
    }
    assert_ptr_equal(ts_run_checkpoints(run, &err), ck);
    ts_run_free(run);

    /* a run without checkpoints: NULL with no error */
    char *path2 = tmp_file("nockpt.h5");
    writer_close_ok(writer_new(path2, 0));
    run = open_ok(path2);
    assert_null(ts_run_checkpoints(run, &err));
    assert_false(ts_err_is_set(&err));
    ts_run_free(run);
    unlink(path);
    unlink(path2);
    free(path);
    free(path2);
}

static void test_empty_streams(void **state) {
    (void)state;
    char *path = tmp_file("empty.h5");
    TsWriter *w = writer_new(path, 0);
    TsErr err;
    const char *c[] = {"loss", "acc"};
    assert_true(ts_writer_add_stream(w, "never", c, 2, TS_STREAM_WALL_TIME, &err));
    assert_true(ts_writer_add_stream(w, "nothing", NULL, 0, 0, &err));
    writer_close_ok(w);
    /* plus a group with no datasets at all */
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    H5Gclose(raw_group(f, "scalars/bare"));
    H5Fclose(f);

    TsRun *run = open_ok(path);
    assert_int_equal(ts_run_metric_count(run), 2);
    const TsMetricInfo *m = ts_run_metric(run, metric(run, "never/acc"));
    assert_int_equal(m->length, 0);
    assert_true(m->has_wall_time);
    TsSeries s = {0};
    read_all(run, metric(run, "never/loss"), &s);
    assert_int_equal(s.n, 0);
    ts_series_free(&s);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_odd_names_kept_raw(void **state) {
    (void)state;
    char *path = tmp_file("names.h5");
    TsWriter *w = writer_new(path, 0);
    TsErr err;
    const char *stream = "my stream \xe2\x9c\x93";
    const char *c[] = {"ctl\x1b[31m red", "tab\there", "\xff\xfe bad utf8"};
    assert_true(ts_writer_add_stream(w, stream, c, 3, 0, &err));
    double v[3] = {1, 2, 3};
    assert_true(ts_writer_append(w, stream, 0, v, 0, 0, &err));
    const char *bad[] = {"a/b"};
    assert_false(ts_writer_add_stream(w, "s2", bad, 1, 0, &err));
    assert_false(ts_writer_add_stream(w, "x/y", c, 1, 0, &err));
    writer_close_ok(w);
    TsRun *run = open_ok(path);
    assert_int_equal(ts_run_metric_count(run), 3);
    for (int j = 0; j < 3; j++) {
        const TsMetricInfo *m = ts_run_metric(run, (size_t)j);
        assert_string_equal(m->stream, stream);
        assert_string_equal(m->metric, c[j]);
        char *full = ts_xasprintf("%s/%s", stream, c[j]);
        assert_string_equal(m->name, full);
        free(full);
    }
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

/* ---- shapes only other tools write ---- */

static void test_ragged_and_no_step(void **state) {
    (void)state;
    char *path = tmp_file("ragged.h5");
    hid_t f = raw_create(path, true);
    hid_t g = raw_group(f, "scalars/train");
    int64_t step[4] = {0, 1, 2, 3};
    double loss[6] = {6, 5, 4, 3, 2, 1};
    float acc[5] = {0.5f, 0.25f, 0.125f, 1, 2};
    raw_1d(g, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, 4, step);
    raw_1d(g, "loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 6, loss);
    raw_1d(g, "acc", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 5, acc);
    H5Gclose(g);
    g = raw_group(f, "scalars/eval"); /* no step: row index */
    uint16_t hits[5] = {7, 8, 9, 10, 65535};
    double wall[7] = {1, 2, 3, 4, 5, 6, 7};
    raw_1d(g, "hits", H5T_STD_U16BE, H5T_NATIVE_UINT16, 5, hits);
    raw_1d(g, "wall_time", H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, 7, wall);
    H5Gclose(g);
    H5Fclose(f);

    TsRun *run = open_ok(path);
    assert_int_equal(ts_run_metric_count(run), 3);
    /* name order (no creation order tracked): acc, loss */
    assert_string_equal(ts_run_metric(run, 0)->name, "eval/hits");
    assert_string_equal(ts_run_metric(run, 1)->name, "train/acc");
    assert_string_equal(ts_run_metric(run, 2)->name, "train/loss");
    assert_int_equal(ts_run_metric(run, 1)->length, 4); /* the shortest (step) wins */
    assert_int_equal(ts_run_metric(run, 2)->length, 4);
    assert_string_equal(ts_run_metric(run, 0)->dtype, "uint16");
    assert_false(ts_run_metric(run, 0)->has_step);
    assert_true(ts_run_metric(run, 0)->has_wall_time);
    assert_int_equal(ts_run_metric(run, 0)->length, 5);
    TsSeries s = {0};
    read_all(run, 2, &s);
    assert_int_equal(s.n, 4);
    for (int i = 0; i < 4; i++) assert_same(s.value[i], 6 - i);
    read_all(run, 1, &s);
    assert_same(s.value[2], 0.125);
    TsErr err;
    assert_true(ts_run_read(run, 0, 2, 3, &s, &err));
    assert_int_equal(s.n, 3);
    for (int k = 0; k < 3; k++) {
        assert_true(s.step[k] == 2 + k);
        assert_same(s.value[k], hits[2 + k]);
        assert_same(s.wall_time[k], wall[2 + k]);
    }
    ts_series_free(&s);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_attribute_kinds(void **state) {
    (void)state;
    char *path = tmp_file("attrs.h5");
    hid_t f = raw_create(path, true);
    /* fixed-length strings, null- and space-padded */
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 8);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    raw_attr(f, "s_null", t, t, 0, "abc\0\0\0\0\0");
    H5Tset_strpad(t, H5T_STR_SPACEPAD);
    raw_attr(f, "s_space", t, t, 0, "xyz     ");
    H5Tclose(t);
    float f32 = 0.1f;
    raw_attr(f, "f32", H5T_IEEE_F32BE, H5T_NATIVE_FLOAT, 0, &f32);
    uint8_t u8 = 200;
    raw_attr(f, "u8", H5T_STD_U8LE, H5T_NATIVE_UINT8, 0, &u8);
    int16_t i16[3] = {1, -2, 3};
    raw_attr(f, "i16s", H5T_STD_I16LE, H5T_NATIVE_INT16, 3, i16);
    /* numpy bool as h5py stores it */
    hid_t e = H5Tenum_create(H5T_NATIVE_INT8);
    int8_t no = 0, yes = 1;
    H5Tenum_insert(e, "FALSE", &no);
    H5Tenum_insert(e, "TRUE", &yes);
    raw_attr(f, "flag", e, e, 0, &yes);
    raw_attr(f, "off", e, e, 0, &no);
    H5Tclose(e);
    /* a compound attribute is skipped */
    hid_t c = H5Tcreate(H5T_COMPOUND, 16);
    H5Tinsert(c, "a", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(c, "b", 8, H5T_NATIVE_DOUBLE);
    double pair[2] = {1, 2};
    raw_attr(f, "pair", c, c, 0, pair);
    H5Tclose(c);
    double nan = NAN;
    raw_attr(f, "nan", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &nan);
    H5Fclose(f);

    TsRun *run = open_ok(path);
    /* run_name absent: the file name without .h5 */
    char *base = strrchr(path, '/') + 1;
    char *want = ts_xstrndup(base, strlen(base) - 3);
    assert_string_equal(ts_run_name(run), want);
    free(want);
    assert_null(ts_run_created(run));
    assert_null(ts_run_config_find(run, "pair"));
    assert_null(ts_run_config_find(run, "trajscope_format"));
    assert_string_equal(ts_run_config_find(run, "s_null")->text, "abc");
    assert_string_equal(ts_run_config_find(run, "s_space")->text, "xyz");
    const TsConfigEntry *x = ts_run_config_find(run, "f32");
    assert_string_equal(x->text, "0.1");
    assert_true(x->is_number);
    assert_same(x->number, (double)0.1f);
    assert_string_equal(ts_run_config_find(run, "u8")->text, "200");
    assert_string_equal(ts_run_config_find(run, "i16s")->text, "[1, -2, 3]");
    assert_false(ts_run_config_find(run, "i16s")->is_number);
    assert_string_equal(ts_run_config_find(run, "flag")->text, "true");
    assert_string_equal(ts_run_config_find(run, "off")->text, "false");
    assert_false(ts_run_config_find(run, "flag")->is_number);
    x = ts_run_config_find(run, "nan");
    assert_true(x->is_number);
    assert_true(isnan(x->number));
    assert_int_equal(ts_run_config_count(run), 8);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

/* ---- files that must be refused with a clear message ---- */

static void test_missing_and_not_hdf5(void **state) {
    (void)state;
    char *path = tmp_file("missing.h5");
    unlink(path);
    expect_open_error(path, "no such file");
    assert_false(ts_archive_probe(path));
    FILE *fp = fopen(path, "w");
    fputs("step,loss\n0,1.0\n", fp);
    fclose(fp);
    assert_false(ts_archive_probe(path));
    expect_open_error(path, "not an HDF5 file");
    fp = fopen(path, "w");
    fclose(fp);
    expect_open_error(path, "not an HDF5 file"); /* empty */
    /* unreadable (meaningless for root, who reads everything) */
    TsWriter *w = writer_new(path, 0);
    writer_close_ok(w);
    assert_int_equal(chmod(path, 0), 0);
    if (access(path, R_OK) != 0) {
        expect_open_error(path, "permission denied");
        assert_false(ts_archive_probe(path));
    } else {
        printf("note: running as root: permission test skipped\n");
    }
    unlink(path);
    expect_open_error(ts_test_tmpdir(), "is a directory, not an HDF5 file");
    free(path);
}

static void test_truncated(void **state) {
    (void)state;
    char *path = tmp_file("trunc.h5");
    TsWriter *w = writer_new(path, 256);
    TsErr err;
    const char *c[] = {"loss"};
    assert_true(ts_writer_add_stream(w, "train", c, 1, 0, &err));
    for (int i = 0; i < 5000; i++) {
        double v = cos(i);
        assert_true(ts_writer_append(w, "train", i, &v, 0, 0, &err));
    }
    writer_close_ok(w);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size / 2), 0);
    assert_true(ts_archive_probe(path)); /* the signature is still there */
    expect_open_error(path, "truncated or corrupt HDF5 file");
    /* ts_run_open routes to the archive reader and keeps the message */
    TsRun *run = ts_run_open(path, &err);
    assert_null(run);
    char *want = ts_xasprintf("%s: truncated or corrupt HDF5 file", path);
    assert_string_equal(err.msg, want);
    free(want);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_not_trajscope_and_bad_version(void **state) {
    (void)state;
    char *path = tmp_file("plain.h5");
    hid_t f = raw_create(path, false);
    H5Fclose(f);
    expect_open_error(path, "not a trajscope archive (no trajscope_format attribute)");

    f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    int32_t seven = 7;
    raw_attr(f, "trajscope_format", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &seven);
    H5Fclose(f);
    expect_open_error(path, "unsupported trajscope_format 7 (this build reads 1)");

    f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 1);
    raw_attr(f, "trajscope_format", t, t, 0, "1");
    H5Tclose(t);
    H5Fclose(f);
    expect_open_error(path, "trajscope_format attribute is not an integer");
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_bad_datasets_named(void **state) {
    (void)state;
    char *path = tmp_file("badds.h5");
    hid_t f = raw_create(path, true);
    hid_t g = raw_group(f, "scalars/train");
    double loss[2] = {1, 2};
    raw_1d(g, "loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, loss);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 4);
    raw_1d(g, "notes", t, t, 2, "abcdefgh");
    H5Tclose(t);
    H5Gclose(g);
    H5Fclose(f);
    expect_open_error(path, "/scalars/train/notes is not a 1-D numeric dataset");

    f = raw_create(path, true);
    g = raw_group(f, "scalars/train");
    hsize_t dims[2] = {2, 2};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = H5Dcreate2(g, "matrix", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Gclose(g);
    H5Fclose(f);
    expect_open_error(path, "/scalars/train/matrix is not a 1-D numeric dataset");

    f = raw_create(path, true);
    g = raw_group(f, "scalars/train");
    float fstep[2] = {0, 1};
    raw_1d(g, "loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, loss);
    raw_1d(g, "step", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, fstep); /* float steps are accepted */
    H5Gclose(g);
    H5Fclose(f);
    TsRun *run = open_ok(path);
    TsSeries s = {0};
    read_all(run, 0, &s);
    assert_true(s.step[1] == 1);
    ts_series_free(&s);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_user_block_probe(void **state) {
    (void)state;
    char *path = tmp_file("userblock.h5");
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_userblock(fcpl, 1024);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    int64_t one = 1;
    raw_attr(f, "trajscope_format", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &one);
    H5Fclose(f);
    assert_true(ts_archive_probe(path));
    TsRun *run = open_ok(path);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

/* ---- archives written by h5py ---- */

static char *script_path(void) {
    const char *root = getenv("TS_ROOT");
    return ts_xasprintf("%s/tests/support/h5py_make_archive.py", root && *root ? root : ".");
}

static bool have_h5py(void) {
    static int cached = -1;
    if (cached < 0) {
        char *script = script_path();
        cached = 0;
        if (access(script, R_OK) != 0)
            printf("note: %s not found (set TS_ROOT); h5py tests skipped\n", script);
        else if (access("/usr/bin/python3", X_OK) != 0 ||
                 system("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") != 0)
            printf("note: /usr/bin/python3 cannot import h5py and numpy; h5py tests skipped\n");
        else
            cached = 1;
        free(script);
    }
    return cached;
}

static bool run_script(const char *kind, const char *out) {
    char *script = script_path();
    pid_t pid = fork();
    if (pid == 0) {
        execl("/usr/bin/python3", "python3", script, kind, out, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    free(script);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_h5py_archive(void **state) {
    (void)state;
    if (!have_h5py()) skip();
    char *path = tmp_file("h5py.h5");
    assert_true(run_script("basic", path));
    TsRun *run = open_ok(path);
    assert_string_equal(ts_run_name(run), "h5py run \xe2\x9c\x93");
    assert_string_equal(ts_run_created(run), "2024-05-01T12:00:00Z");
    assert_string_equal(ts_run_config_json(run), "{\"lr\": 0.0003, \"optimizer\": \"adamw\"}");
    const TsConfigEntry *e = ts_run_config_find(run, "lr");
    assert_true(e->is_number);
    assert_string_equal(e->text, "0.0003");
    assert_same(e->number, 3e-4);
    assert_string_equal(ts_run_config_find(run, "lr32")->text, "0.1");
    assert_string_equal(ts_run_config_find(run, "batch_size")->text, "64");
    assert_string_equal(ts_run_config_find(run, "seed")->text, "7");
    assert_string_equal(ts_run_config_find(run, "steps_u")->text, "18446744073709551615");
    assert_string_equal(ts_run_config_find(run, "use_amp")->text, "true");
    assert_string_equal(ts_run_config_find(run, "debug")->text, "false");
    assert_string_equal(ts_run_config_find(run, "optimizer")->text, "adamw");
    assert_false(ts_run_config_find(run, "optimizer")->is_number);
    assert_string_equal(ts_run_config_find(run, "fixed")->text, "fixed-len");
    assert_string_equal(ts_run_config_find(run, "betas")->text, "[0.9, 0.999]");
    assert_int_equal(ts_run_config_count(run), 10);

    /* streams in name order; subgroups, unknown groups and root datasets ignored */
    assert_int_equal(ts_run_metric_count(run), 5);
    assert_string_equal(ts_run_metric(run, 0)->name, "ctl\x01 \xc3\xa9/v");
    assert_string_equal(ts_run_metric(run, 1)->name, "eval/acc");
    assert_string_equal(ts_run_metric(run, 2)->name, "train/loss");
    assert_string_equal(ts_run_metric(run, 3)->name, "train/lr");
    assert_string_equal(ts_run_metric(run, 4)->name, "train/tokens");
    assert_string_equal(ts_run_metric(run, 2)->dtype, "float32");
    TsSeries s = {0};
    read_all(run, 2, &s);
    assert_int_equal(s.n, 10);
    for (int i = 0; i < 10; i++) {
        assert_true(s.step[i] == 10 * i);
        if (i == 3) assert_true(isnan(s.value[i]));
        else assert_same(s.value[i], (double)(float)(1.0 / (i + 1)));
    }
    read_all(run, 3, &s);
    for (int i = 0; i < 10; i++) assert_same(s.value[i], 1e-3 * (i + 1));
    read_all(run, 4, &s);
    assert_same(s.value[9], 9 * 4096.0);
    read_all(run, 1, &s);
    assert_false(ts_run_metric(run, 1)->has_step);
    assert_int_equal(s.n, 3);
    assert_true(s.step[2] == 2);
    assert_same(s.value[1], 0.25);
    ts_series_free(&s);

    TsErr err;
    const TsCheckpoints *ck = ts_run_checkpoints(run, &err);
    assert_non_null(ck);
    assert_int_equal(ck->n_checkpoints, 3);
    assert_int_equal(ck->n_layers, 3);
    assert_string_equal(ck->layer[1], "block.0");
    assert_string_equal(ck->stat[0], "weight_norm");
    assert_true(ck->step[2] == 100);
    assert_same(ck->value[0][8], 9.5);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_h5py_swmr_recipe(void **state) {
    (void)state;
    if (!have_h5py()) skip();
    char *path = tmp_file("h5py-swmr.h5");
    assert_true(run_script("swmr", path));
    TsRun *run = open_ok(path);
    assert_string_equal(ts_run_name(run), "live");
    assert_int_equal(ts_run_metric_count(run), 1);
    TsSeries s = {0};
    read_all(run, 0, &s);
    assert_int_equal(s.n, 100);
    for (int i = 0; i < 100; i++) {
        assert_true(s.step[i] == 5 * i);
        assert_same(s.value[i], ldexp(1.0, -(i % 20)));
        assert_same(s.wall_time[i], 1.7e9 + i);
    }
    ts_series_free(&s);
    bool grew = true;
    TsErr err;
    assert_true(ts_run_refresh(run, &grew, &err));
    assert_false(grew);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_exact),
        cmocka_unit_test(test_nonfinite_values),
        cmocka_unit_test(test_repeated_and_reversed_steps),
        cmocka_unit_test(test_hyperslab_middle),
        cmocka_unit_test(test_config_round_trip),
        cmocka_unit_test(test_checkpoints_round_trip),
        cmocka_unit_test(test_empty_streams),
        cmocka_unit_test(test_odd_names_kept_raw),
        cmocka_unit_test(test_ragged_and_no_step),
        cmocka_unit_test(test_attribute_kinds),
        cmocka_unit_test(test_missing_and_not_hdf5),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_not_trajscope_and_bad_version),
        cmocka_unit_test(test_bad_datasets_named),
        cmocka_unit_test(test_user_block_probe),
        cmocka_unit_test(test_h5py_archive),
        cmocka_unit_test(test_h5py_swmr_recipe),
    };
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
