/* test_writer_chunks.c - the writer's parallel block compression
 * (src/io/writer_chunks.c, chunk_codec.c): files written with it read back
 * through HDF5's own filters (zlib) exactly as files written through
 * H5Dwrite, chunks are really compressed, output is deterministic, and a
 * live SWMR reader sees only complete rows.
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
#include "io/writer_chunks.h"
#include "support/ts_test.h"
#include "trajscope/run.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

enum { CHUNK = 512, ROWS = 5 * CHUNK + 77 };

static char *tmp_file(const char *name) {
    return ts_xasprintf("%s/test_writer_chunks-%ld-%s", ts_test_tmpdir(), (long)getpid(), name);
}

/* Values that exercise conversion: float32 overflow to +-Inf, NaN,
 * denormals, -0.0, huge and negative steps. */
static double value_of(size_t i, int col) {
    switch ((i * 7 + (size_t)col) % 11) {
    case 0: return NAN;
    case 1: return 1e300;  /* +Inf in a float32 column */
    case 2: return -1e300;
    case 3: return 4.9e-324;
    case 4: return -0.0;
    case 5: return INFINITY;
    default: return sin((double)i * 0.01 + col) * pow(10.0, (double)(i % 13) - 6.0);
    }
}
static int64_t step_of(size_t i) { return i % 1000 == 999 ? INT64_MIN + (int64_t)i : (int64_t)(i * 3) - 500; }

static void write_run(const char *path, int deflate, bool fast) {
    ts_writer_set_chunked_writes(fast);
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    o.chunk_rows = CHUNK;
    o.deflate_level = deflate;
    TsErr err;
    TsWriter *w = ts_writer_create(path, "chunks", &o, &err);
    assert_non_null(w);
    const char *a[] = {"f64", "f32", "i64"};
    const char *ta[] = {"float64", "float32", "int64"};
    assert_true(ts_writer_add_stream_typed(w, "a", a, ta, 3, TS_STREAM_WALL_TIME | TS_STREAM_TOKENS, &err));
    const char *b[] = {"loss"};
    assert_true(ts_writer_add_stream(w, "b", b, 1, 0, &err));
    for (size_t i = 0; i < ROWS; i++) {
        double v[3] = {value_of(i, 0), value_of(i, 1), (double)(int64_t)(i * 1000003 % 99991) - 5e4};
        assert_true(ts_writer_append(w, "a", step_of(i), v, 1.7e9 + (double)i * 0.125, (int64_t)i * 4096, &err));
        if (i % 3 == 0) {
            double l = value_of(i, 2);
            assert_true(ts_writer_append(w, "b", (int64_t)i, &l, 0, 0, &err));
        }
        if (i == 3 * CHUNK + 10) assert_true(ts_writer_flush(w, &err)); /* later blocks are misaligned */
    }
    assert_true(ts_writer_close(w, &err));
    ts_writer_set_chunked_writes(true);
}

/* Every column of both files, read through HDF5's pipeline (H5Dread). */
static void same_columns(const char *p1, const char *p2) {
    static const char *cols[] = {"/scalars/a/f64",  "/scalars/a/f32",       "/scalars/a/i64",
                                 "/scalars/a/step", "/scalars/a/wall_time", "/scalars/a/tokens",
                                 "/scalars/b/loss", "/scalars/b/step"};
    hid_t f1 = H5Fopen(p1, H5F_ACC_RDONLY, H5P_DEFAULT), f2 = H5Fopen(p2, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f1 >= 0 && f2 >= 0);
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
        hid_t d1 = H5Dopen2(f1, cols[c], H5P_DEFAULT), d2 = H5Dopen2(f2, cols[c], H5P_DEFAULT);
        assert_true(d1 >= 0 && d2 >= 0);
        hid_t t1 = H5Dget_type(d1), t2 = H5Dget_type(d2);
        assert_true(H5Tequal(t1, t2) > 0);
        size_t size = H5Tget_size(t1);
        hid_t s1 = H5Dget_space(d1), s2 = H5Dget_space(d2);
        hssize_t n1 = H5Sget_simple_extent_npoints(s1), n2 = H5Sget_simple_extent_npoints(s2);
        assert_int_equal(n1, n2);
        unsigned char *b1 = ts_xmalloc((size_t)n1 * size + 1), *b2 = ts_xmalloc((size_t)n1 * size + 1);
        assert_true(H5Dread(d1, t1, H5S_ALL, H5S_ALL, H5P_DEFAULT, b1) >= 0);
        assert_true(H5Dread(d2, t2, H5S_ALL, H5S_ALL, H5P_DEFAULT, b2) >= 0);
        if (memcmp(b1, b2, (size_t)n1 * size) != 0) fail_msg("%s differs", cols[c]);
        free(b1);
        free(b2);
        H5Sclose(s1);
        H5Sclose(s2);
        H5Tclose(t1);
        H5Tclose(t2);
        H5Dclose(d1);
        H5Dclose(d2);
    }
    H5Fclose(f1);
    H5Fclose(f2);
}

static void test_same_values_as_h5dwrite(void **state) {
    (void)state;
    for (int deflate = 0; deflate <= 9; deflate += 4) {
        char *fast = tmp_file("fast.h5"), *slow = tmp_file("slow.h5");
        write_run(fast, deflate, true);
        write_run(slow, deflate, false);
        ts_archive_set_chunked_reads(false); /* compare through zlib, not our decoder */
        same_columns(fast, slow);
        ts_archive_set_chunked_reads(true);
        /* and the reader gives what was written */
        TsErr err;
        TsRun *run = ts_run_open(fast, &err);
        assert_non_null(run);
        TsSeries s;
        ts_series_init(&s);
        assert_true(ts_run_read_ex(run, 1, 0, SIZE_MAX, 0, &s, &err)); /* a/f32 */
        assert_int_equal(s.n, ROWS);
        for (size_t i = 0; i < ROWS; i++) {
            double want = (double)(float)value_of(i, 1);
            if (isnan(want) ? !isnan(s.value[i]) : memcmp(&want, &s.value[i], sizeof want) != 0)
                fail_msg("deflate %d: f32 row %zu = %g, wrote %g", deflate, i, s.value[i], want);
            assert_true(s.step[i] == step_of(i));
        }
        ts_series_free(&s);
        ts_run_free(run);
        unlink(fast);
        unlink(slow);
        free(fast);
        free(slow);
    }
}

/* The fast path really wrote compressed chunks (mask 0, smaller than raw). */
static void test_chunks_are_compressed(void **state) {
    (void)state;
    char *path = tmp_file("packed.h5");
    write_run(path, 4, true);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/scalars/a/step", H5P_DEFAULT);
    hsize_t off[1] = {CHUNK};
    unsigned mask = 99;
    haddr_t addr;
    hsize_t size = 0;
    assert_true(H5Dget_chunk_info_by_coord(d, off, &mask, &addr, &size) >= 0);
    assert_int_equal(mask, 0);
    assert_true(size > 0 && size < CHUNK * 8 / 4); /* steps compress at least 4x */
    H5Dclose(d);
    H5Fclose(f);
    unlink(path);
    free(path);
}

/* Same data, same bytes. */
static void test_deterministic(void **state) {
    (void)state;
    char *p1 = tmp_file("det1.h5"), *p2 = tmp_file("det2.h5");
    write_run(p1, 4, true);
    write_run(p2, 4, true);
    FILE *a = fopen(p1, "rb"), *b = fopen(p2, "rb");
    assert_non_null(a);
    assert_non_null(b);
    int ca, cb;
    size_t at = 0;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        if (ca != cb) fail_msg("files differ at byte %zu", at);
        at++;
    } while (ca != EOF);
    fclose(a);
    fclose(b);
    unlink(p1);
    unlink(p2);
    free(p1);
    free(p2);
}

int main(void) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_values_as_h5dwrite),
        cmocka_unit_test(test_chunks_are_compressed),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
