/* test_archive_chunks.c - the parallel chunk reader (src/io/archive_chunks.c,
 * src/io/chunk_codec.c) against H5Dread: every stored type, filter
 * pipeline, chunk size and range gives bit-identical values, or the fast
 * path declines and H5Dread takes over. Files are built with raw HDF5
 * calls, values are random bit patterns (NaN payloads, denormals, Inf,
 * integer extremes).
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

#include <hdf5.h>

#include "io/archive_chunks.h"
#include "support/ts_test.h"
#include "trajscope/run.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

static char *tmp_file(const char *name) {
    return ts_xasprintf("%s/test_archive_chunks-%ld-%s", ts_test_tmpdir(), (long)getpid(), name);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) { /* xorshift64*: reproducible bit patterns */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

typedef enum { F_SHUFFLE, F_DEFLATE, F_FLETCHER } Filter;

typedef struct Layout {
    const char *what;
    bool contiguous;
    Filter filters[3];
    int n_filters;
    bool dont_filter_partial;
    bool fast; /* whether the fast path should take it (for a supported type) */
} Layout;

static const Layout layouts[] = {
    {"contiguous", true, {0}, 0, false, false},
    {"chunked, no filter", false, {0}, 0, false, true},
    {"shuffle", false, {F_SHUFFLE}, 1, false, true},
    {"deflate", false, {F_DEFLATE}, 1, false, true},
    {"shuffle+deflate", false, {F_SHUFFLE, F_DEFLATE}, 2, false, true},
    {"deflate+shuffle", false, {F_DEFLATE, F_SHUFFLE}, 2, false, false},
    {"fletcher32+shuffle+deflate", false, {F_FLETCHER, F_SHUFFLE, F_DEFLATE}, 3, false, false},
    {"shuffle+deflate, partial edge chunks unfiltered", false, {F_SHUFFLE, F_DEFLATE}, 2, true, false},
};

typedef struct FileType {
    const char *what;
    hid_t (*type)(void); /* a function: the H5T_ constants are not constant expressions */
    bool little_endian, is_float;
} FileType;

static hid_t t_f32le(void) { return H5T_IEEE_F32LE; }
static hid_t t_f64le(void) { return H5T_IEEE_F64LE; }
static hid_t t_f32be(void) { return H5T_IEEE_F32BE; }
static hid_t t_f64be(void) { return H5T_IEEE_F64BE; }
static hid_t t_i8(void) { return H5T_STD_I8LE; }
static hid_t t_u8(void) { return H5T_STD_U8LE; }
static hid_t t_i16(void) { return H5T_STD_I16LE; }
static hid_t t_u16(void) { return H5T_STD_U16LE; }
static hid_t t_i32(void) { return H5T_STD_I32LE; }
static hid_t t_u32(void) { return H5T_STD_U32LE; }
static hid_t t_i64(void) { return H5T_STD_I64LE; }
static hid_t t_u64(void) { return H5T_STD_U64LE; }
static hid_t t_i32be(void) { return H5T_STD_I32BE; }
static hid_t t_u64be(void) { return H5T_STD_U64BE; }

static const FileType file_types[] = {
    {"float32", t_f32le, true, true},   {"float64", t_f64le, true, true},  {"float32be", t_f32be, false, true},
    {"float64be", t_f64be, false, true}, {"int8", t_i8, true, false},      {"uint8", t_u8, true, false},
    {"int16", t_i16, true, false},      {"uint16", t_u16, true, false},    {"int32", t_i32, true, false},
    {"uint32", t_u32, true, false},     {"int64", t_i64, true, false},     {"uint64", t_u64, true, false},
    {"int32be", t_i32be, false, false}, {"uint64be", t_u64be, false, false},
};

/* A 1-D dataset of n random raw elements (written with the file type as
 * the memory type, so the bytes are stored unconverted). */
static hid_t make_dataset(hid_t file, const char *name, hid_t ftype, size_t n, size_t chunk, const Layout *l) {
    size_t size = H5Tget_size(ftype);
    unsigned char *raw = ts_xmalloc(n * size + 1);
    for (size_t i = 0; i < n * size; i++) raw[i] = (unsigned char)(rnd() >> 56);
    /* a few exact extremes among the random bits */
    if (n > 3 && size == 8) {
        uint64_t top = UINT64_MAX, int_min = (uint64_t)1 << 63, inf = 0x7ff0000000000000u;
        memcpy(raw, &top, 8);
        memcpy(raw + 8, &int_min, 8);
        memcpy(raw + 16, &inf, 8);
    }
    hsize_t dims[1] = {n}, maxdims[1] = {H5S_UNLIMITED}, cdims[1] = {chunk};
    hid_t space = H5Screate_simple(1, dims, l->contiguous ? NULL : maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (!l->contiguous) {
        assert_true(H5Pset_chunk(dcpl, 1, cdims) >= 0);
        for (int f = 0; f < l->n_filters; f++) {
            if (l->filters[f] == F_SHUFFLE) assert_true(H5Pset_shuffle(dcpl) >= 0);
            if (l->filters[f] == F_DEFLATE) assert_true(H5Pset_deflate(dcpl, 4) >= 0);
            if (l->filters[f] == F_FLETCHER) assert_true(H5Pset_fletcher32(dcpl) >= 0);
        }
        if (l->dont_filter_partial)
            assert_true(H5Pset_chunk_opts(dcpl, H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS) >= 0);
    }
    hid_t ds = H5Dcreate2(file, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    assert_true(ds >= 0);
    if (n) assert_true(H5Dwrite(ds, ftype, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0);
    H5Pclose(dcpl);
    H5Sclose(space);
    free(raw);
    return ds;
}

/* H5Dread of rows [start, start+count) with the native memory type. */
static void reference_read(hid_t ds, bool to_int64, size_t start, size_t count, void *out) {
    hsize_t off[1] = {start}, cnt[1] = {count};
    hid_t fs = H5Dget_space(ds);
    assert_true(H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL) >= 0);
    hid_t ms = H5Screate_simple(1, cnt, NULL);
    assert_true(H5Dread(ds, to_int64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, out) >= 0);
    H5Sclose(ms);
    H5Sclose(fs);
}

/* Reads the range both ways; the fast path must take it exactly when
 * `expect_fast`, and then give the same bytes. */
static void check_range(hid_t ds, bool to_int64, size_t start, size_t count, bool expect_fast, const char *what) {
    size_t bytes = (count ? count : 1) * 8;
    unsigned char *want = ts_xmalloc(bytes), *got = ts_xmalloc(bytes + 8);
    memset(got, 0xa5, bytes + 8);
    if (count) reference_read(ds, to_int64, start, count, want);
    bool fast = ts_archive_read_chunked(ds, to_int64, start, count, got);
    if (count && fast != expect_fast)
        fail_msg("%s, %s, rows %zu..%zu: fast path %s", what, to_int64 ? "int64" : "double", start, start + count,
                 fast ? "taken, expected H5Dread" : "declined");
    if (fast && memcmp(want, got, count * 8) != 0) {
        for (size_t i = 0; i < count; i++)
            if (memcmp(want + 8 * i, got + 8 * i, 8) != 0)
                fail_msg("%s, %s: row %zu differs from H5Dread", what, to_int64 ? "int64" : "double", start + i);
    }
    for (size_t i = 0; i < 8; i++)
        if (got[count * 8 + i] != 0xa5) fail_msg("%s: wrote past the end of the range", what);
    free(want);
    free(got);
}

static void check_dataset(hid_t ds, size_t n, bool expect_fast_double, bool expect_fast_int64, const char *what) {
    for (int to_int64 = 0; to_int64 < 2; to_int64++) {
        bool fast = to_int64 ? expect_fast_int64 : expect_fast_double;
        check_range(ds, to_int64, 0, n, fast, what);
        if (n == 0) continue;
        check_range(ds, to_int64, 0, 1, fast, what);
        check_range(ds, to_int64, n - 1, 1, fast, what);
        for (int r = 0; r < 6; r++) {
            size_t a = (size_t)(rnd() % n), b = (size_t)(rnd() % n);
            if (a > b) {
                size_t t = a;
                a = b;
                b = t;
            }
            check_range(ds, to_int64, a, b - a + 1, fast, what);
        }
    }
}

/* Every file type x layout x chunk size x length. */
static void test_all_layouts_match_h5dread(void **state) {
    (void)state;
    char *path = tmp_file("layouts.h5");
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(file >= 0);
    static const size_t chunks[] = {1, 7, 1000};
    static const size_t lengths[] = {1, 6, 999, 1000, 1001, 25013};
    int made = 0, fast_cases = 0;
    for (size_t ti = 0; ti < sizeof file_types / sizeof *file_types; ti++) {
        const FileType *ft = &file_types[ti];
        for (size_t li = 0; li < sizeof layouts / sizeof *layouts; li++) {
            const Layout *l = &layouts[li];
            for (size_t ci = 0; ci < 3; ci++) {
                for (size_t ni = 0; ni < sizeof lengths / sizeof *lengths; ni++) {
                    size_t n = lengths[ni], chunk = chunks[ci];
                    if (chunk * 100 < n || (chunk == 1 && n > 6)) continue; /* thousands of tiny chunks: slow, nothing new */
                    if (l->contiguous && ci > 0) continue;
                    char name[64], what[200];
                    snprintf(name, sizeof name, "d%d", made++);
                    snprintf(what, sizeof what, "%s, %s, chunk %zu, %zu rows", ft->what, l->what, chunk, n);
                    hid_t ds = make_dataset(file, name, ft->type(), n, chunk, l);
                    bool fast = l->fast && ft->little_endian;
                    check_dataset(ds, n, fast, fast && !ft->is_float, what);
                    fast_cases += fast;
                    H5Dclose(ds);
                }
            }
        }
    }
    assert_true(fast_cases > 100); /* the fast path was really exercised */
    H5Fclose(file);
    unlink(path);
    free(path);
}

/* Large columns are decoded by several threads. */
static void test_threaded_read_matches(void **state) {
    (void)state;
    char *path = tmp_file("threads.h5");
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const Layout *l = &layouts[4]; /* shuffle+deflate, as the writer does */
    size_t n = 600007;
    hid_t f64 = make_dataset(file, "f64", H5T_IEEE_F64LE, n, 4096, l);
    hid_t i64 = make_dataset(file, "i64", H5T_STD_I64LE, n, 4096, l);
    hid_t f32 = make_dataset(file, "f32", H5T_IEEE_F32LE, n, 65536, l);
    check_range(f64, false, 0, n, true, "float64 x 600007");
    check_range(f64, false, 5000, n - 10000, true, "float64 middle");
    check_range(i64, true, 0, n, true, "int64 x 600007");
    check_range(f32, false, 3, n - 3, true, "float32 x 600007");
    H5Dclose(f64);
    H5Dclose(i64);
    H5Dclose(f32);
    H5Fclose(file);
    unlink(path);
    free(path);
}

/* Chunks stored without a filter (an optional filter that failed, or a
 * chunk written raw) carry a filter mask; they decode the same way. */
static void test_filter_mask_respected(void **state) {
    (void)state;
    char *path = tmp_file("mask.h5");
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    size_t chunk = 100, n = 300;
    hid_t ds = make_dataset(file, "d", H5T_IEEE_F64LE, n, chunk, &layouts[4]);
    /* overwrite chunk 1 raw, shuffled but not deflated (mask bit 1), and
     * chunk 2 with neither filter (mask bits 0 and 1) */
    double v[100];
    unsigned char shuffled[800];
    for (size_t i = 0; i < chunk; i++) v[i] = (double)i * 1.25 - 7.0;
    const unsigned char *b = (const unsigned char *)v;
    for (size_t i = 0; i < chunk; i++)
        for (size_t k = 0; k < 8; k++) shuffled[k * chunk + i] = b[i * 8 + k];
    hsize_t off1[1] = {100}, off2[1] = {200};
    assert_true(H5Dwrite_chunk(ds, H5P_DEFAULT, 2u, off1, sizeof shuffled, shuffled) >= 0);
    assert_true(H5Dwrite_chunk(ds, H5P_DEFAULT, 3u, off2, sizeof v, v) >= 0);
    check_range(ds, false, 0, n, true, "filter mask");
    double got[300];
    assert_true(ts_archive_read_chunked(ds, false, 0, n, got));
    for (size_t i = 0; i < chunk; i++) {
        assert_double_equal(got[100 + i], v[i], 0);
        assert_double_equal(got[200 + i], v[i], 0);
    }
    H5Dclose(ds);
    H5Fclose(file);
    unlink(path);
    free(path);
}

/* A chunk never written reads as the fill value: left to H5Dread. */
static void test_unallocated_chunk_declined(void **state) {
    (void)state;
    char *path = tmp_file("sparse.h5");
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[1] = {300}, cdims[1] = {100};
    hid_t space = H5Screate_simple(1, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, cdims);
    H5Pset_deflate(dcpl, 1);
    hid_t ds = H5Dcreate2(file, "d", H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    double v[100];
    for (int i = 0; i < 100; i++) v[i] = i;
    hsize_t off[1] = {200}, cnt[1] = {100};
    hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(1, cnt, NULL);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL);
    assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, v) >= 0);
    double got[300];
    assert_false(ts_archive_read_chunked(ds, false, 0, 300, got));
    assert_true(ts_archive_read_chunked(ds, false, 200, 100, got)); /* allocated chunks alone: fine */
    assert_double_equal(got[99], 99.0, 0);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Dclose(ds);
    H5Fclose(file);
    unlink(path);
    free(path);
}

/* Damaged compressed bytes: the fast path declines, and the reader
 * reports the file (through H5Dread, as before). */
static void test_corrupt_chunk(void **state) {
    (void)state;
    char *path = tmp_file("corrupt.h5");
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    o.chunk_rows = 1000;
    TsErr err;
    TsWriter *w = ts_writer_create(path, "c", &o, &err);
    assert_non_null(w);
    const char *cols[] = {"loss"};
    assert_true(ts_writer_add_stream(w, "train", cols, 1, 0, &err));
    for (int i = 0; i < 5000; i++) {
        double v = sin(i * 0.01);
        assert_true(ts_writer_append(w, "train", i, &v, 0, 0, &err));
    }
    assert_true(ts_writer_close(w, &err));
    /* find chunk 2 of the loss column and overwrite the middle of it */
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = H5Dopen2(file, "/scalars/train/loss", H5P_DEFAULT);
    hsize_t off[1] = {2000};
    haddr_t addr = 0;
    hsize_t size = 0;
    unsigned mask = 0;
    assert_true(H5Dget_chunk_info_by_coord(ds, off, &mask, &addr, &size) >= 0);
    H5Dclose(ds);
    H5Fclose(file);
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, (long)(addr + size / 2), SEEK_SET);
    unsigned char junk[16];
    memset(junk, 0x5a, sizeof junk);
    fwrite(junk, 1, sizeof junk, fp);
    fclose(fp);

    file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ds = H5Dopen2(file, "/scalars/train/loss", H5P_DEFAULT);
    double *got = ts_xmalloc(5000 * sizeof *got);
    assert_false(ts_archive_read_chunked(ds, false, 0, 5000, got));
    assert_true(ts_archive_read_chunked(ds, false, 0, 2000, got)); /* the chunks before it are fine */
    assert_double_equal(got[1999], sin(1999 * 0.01), 0);
    free(got);
    H5Dclose(ds);
    H5Fclose(file);

    TsRun *run = ts_run_open(path, &err);
    assert_non_null(run);
    TsSeries s;
    ts_series_init(&s);
    assert_false(ts_run_read(run, 0, 0, SIZE_MAX, &s, &err));
    assert_non_null(strstr(err.msg, path));
    assert_null(strchr(err.msg, '\n'));
    ts_run_free(run);
    unlink(path);
    free(path);
}

/* Whole runs through the reader: fast path on and off give the same series. */
static void test_run_read_same_with_and_without(void **state) {
    (void)state;
    char *path = tmp_file("run.h5");
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    TsErr err;
    TsWriter *w = ts_writer_create(path, "r", &o, &err);
    assert_non_null(w);
    const char *cols[] = {"loss", "acc"};
    assert_true(ts_writer_add_stream(w, "train", cols, 2, TS_STREAM_WALL_TIME, &err));
    size_t n = 300000;
    for (size_t i = 0; i < n; i++) {
        double v[2] = {exp(-(double)i / 1e5) + 1e-3 * (double)(rnd() % 1000), (double)(rnd() % 7) / 7.0};
        if (i % 9999 == 5) v[0] = NAN;
        int64_t step = (int64_t)(i < n / 2 ? i * 3 : i * 3 - n); /* a resume seam */
        assert_true(ts_writer_append(w, "train", step, v, 1.7e9 + (double)i * 0.37, 0, &err));
    }
    assert_true(ts_writer_close(w, &err));
    TsRun *run = ts_run_open(path, &err);
    assert_non_null(run);
    for (size_t m = 0; m < ts_run_metric_count(run); m++) {
        TsSeries a, b;
        ts_series_init(&a);
        ts_series_init(&b);
        ts_archive_set_chunked_reads(false);
        assert_true(ts_run_read_ex(run, m, 17, n - 40, TS_READ_WALL_TIME, &a, &err));
        ts_archive_set_chunked_reads(true);
        assert_true(ts_run_read_ex(run, m, 17, n - 40, TS_READ_WALL_TIME, &b, &err));
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.step, b.step, a.n * sizeof *a.step);
        assert_memory_equal(a.value, b.value, a.n * sizeof *a.value);
        assert_memory_equal(a.wall_time, b.wall_time, a.n * sizeof *a.wall_time);
        ts_series_free(&a);
        ts_series_free(&b);
    }
    ts_run_free(run);
    unlink(path);
    free(path);
}

static void test_switch_off(void **state) {
    (void)state;
    char *path = tmp_file("off.h5");
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t ds = make_dataset(file, "d", H5T_IEEE_F64LE, 100, 10, &layouts[4]);
    double got[100];
    ts_archive_set_chunked_reads(false);
    assert_false(ts_archive_read_chunked(ds, false, 0, 100, got));
    ts_archive_set_chunked_reads(true);
    assert_true(ts_archive_read_chunked(ds, false, 0, 100, got));
    H5Dclose(ds);
    H5Fclose(file);
    unlink(path);
    free(path);
}

int main(void) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_layouts_match_h5dread),
        cmocka_unit_test(test_threaded_read_matches),
        cmocka_unit_test(test_filter_mask_respected),
        cmocka_unit_test(test_unallocated_chunk_declined),
        cmocka_unit_test(test_corrupt_chunk),
        cmocka_unit_test(test_run_read_same_with_and_without),
        cmocka_unit_test(test_switch_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
