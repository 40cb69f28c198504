/* test_writer.c - the archive writer: options, refusals, atomic saves,
 * block buffering, and a live SWMR reader following a writer process.
 * Layer: tests. License: MIT. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <hdf5.h>

#include "support/ts_test.h"
#include "trajscope/archive.h"
#include "trajscope/run.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

static char *tmp_file(const char *name) {
    return ts_xasprintf("%s/test_writer-%ld-%s", ts_test_tmpdir(), (long)getpid(), name);
}

static bool same(double a, double b) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

#define assert_same(a, b)                                                                   \
    do {                                                                                    \
        double sa_ = (a), sb_ = (b);                                                        \
        if (!same(sa_, sb_)) fail_msg("%s = %.17g, expected %.17g", #a, sa_, sb_);         \
    } while (0)

static void assert_msg(const TsErr *err, const char *path, const char *problem) {
    char *want = ts_xasprintf("%s: %s", path, problem);
    assert_string_equal(err->msg, want);
    free(want);
}

static void write_text(const char *path, const char *text) {
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static bool has_text(const char *path, const char *text) {
    char buf[256] = "";
    FILE *fp = fopen(path, "r");
    if (!fp) return false;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return strcmp(buf, text) == 0;
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of leftover "<base>.tmp-*" files beside path. */
static int temp_files(const char *path) {
    const char *base = strrchr(path, '/') + 1;
    char *prefix = ts_xasprintf("%s.tmp-", base);
    char *dir = ts_xstrndup(path, (size_t)(base - path));
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) n++;
    closedir(d);
    free(prefix);
    free(dir);
    return n;
}

/* No HDF5 file, group, dataset, datatype or attribute is left open. */
static void assert_no_hdf5_ids(void) {
    ssize_t n = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (n != 0) fail_msg("%zd HDF5 objects left open", n);
}

static TsRun *open_ok(const char *path) {
    TsErr err;
    TsRun *run = ts_archive_open(path, &err);
    if (!run) fail_msg("ts_archive_open(%s): %s", path, err.msg);
    return run;
}

/* A small valid archive: stream "s" with one metric "x" = 0, 1, 2. */
static void fill_small(TsWriter *w) {
    TsErr err;
    const char *c[] = {"x"};
    assert_true(ts_writer_add_stream(w, "s", c, 1, 0, &err));
    for (int i = 0; i < 3; i++) {
        double v = i;
        assert_true(ts_writer_append(w, "s", i, &v, 0, 0, &err));
    }
}

static void test_options_default(void **state) {
    (void)state;
    TsWriterOptions o;
    memset(&o, 0xff, sizeof o);
    ts_writer_options_default(&o);
    assert_false(o.atomic);
    assert_int_equal(o.deflate_level, 4);
    assert_int_equal(o.chunk_rows, 4096);
    assert_false(o.overwrite);
}

static void test_overwrite(void **state) {
    (void)state;
    char *path = tmp_file("exists.h5");
    write_text(path, "precious");
    TsErr err;
    assert_null(ts_writer_create(path, "r", NULL, &err));
    assert_msg(&err, path, "file exists (refusing to overwrite)");
    assert_true(has_text(path, "precious"));
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    TsWriter *w = ts_writer_create(path, "r", &o, &err);
    assert_non_null(w);
    fill_small(w);
    assert_true(ts_writer_close(w, &err));
    TsRun *run = open_ok(path);
    assert_int_equal(ts_run_metric(run, 0)->length, 3);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_create_errors(void **state) {
    (void)state;
    char *path = tmp_file("no-such-dir/x.h5");
    TsErr err;
    assert_null(ts_writer_create(path, "r", NULL, &err));
    assert_msg(&err, path, "cannot create (No such file or directory)");
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.atomic = true;
    assert_null(ts_writer_create(path, "r", &o, &err));
    assert_non_null(strstr(err.msg, "cannot create a temporary file beside it (No such file or directory)"));
    free(path);
    path = tmp_file("deflate.h5");
    ts_writer_options_default(&o);
    o.deflate_level = 12;
    assert_null(ts_writer_create(path, "r", &o, &err));
    assert_msg(&err, path, "deflate level 12 is not in 0..9");
    assert_false(exists(path));
    free(path);
    assert_no_hdf5_ids();
}

static void test_atomic_close_and_abort(void **state) {
    (void)state;
    char *path = tmp_file("atomic.h5");
    unlink(path);
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.atomic = true;
    TsErr err;
    TsWriter *w = ts_writer_create(path, "r", &o, &err);
    assert_non_null(w);
    fill_small(w);
    assert_false(exists(path));          /* nothing at the target while writing */
    assert_int_equal(temp_files(path), 1);
    assert_false(ts_writer_start_swmr(w, &err));
    assert_msg(&err, path, "SWMR writing is not available in atomic mode");
    assert_true(ts_writer_close(w, &err));
    assert_true(exists(path));
    assert_int_equal(temp_files(path), 0);
    TsRun *run = open_ok(path);
    ts_run_free(run);
    unlink(path);

    w = ts_writer_create(path, "r", &o, &err);
    fill_small(w);
    ts_writer_abort(w);
    assert_false(exists(path));
    assert_int_equal(temp_files(path), 0);

    /* the target appears meanwhile: close refuses, removes the temporary,
     * and leaves the target alone */
    w = ts_writer_create(path, "r", &o, &err);
    fill_small(w);
    write_text(path, "someone else's");
    assert_false(ts_writer_close(w, &err));
    assert_msg(&err, path, "file exists (refusing to overwrite)");
    assert_true(has_text(path, "someone else's"));
    assert_int_equal(temp_files(path), 0);

    /* atomic replace: the old file stays intact until close */
    o.overwrite = true;
    w = ts_writer_create(path, "r", &o, &err);
    assert_non_null(w);
    fill_small(w);
    assert_true(has_text(path, "someone else's"));
    assert_true(ts_writer_close(w, &err));
    run = open_ok(path);
    assert_int_equal(ts_run_metric(run, 0)->length, 3);
    ts_run_free(run);
    assert_int_equal(temp_files(path), 0);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_structure_errors(void **state) {
    (void)state;
    char *path = tmp_file("structure.h5");
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    TsErr err;
    TsWriter *w = ts_writer_create(path, "r", &o, &err);
    assert_non_null(w);
    const char *c[] = {"loss", "acc"};
    assert_true(ts_writer_add_stream(w, "train", c, 2, 0, &err));
    assert_false(ts_writer_add_stream(w, "train", c, 2, 0, &err));
    assert_msg(&err, path, "stream 'train' declared twice");
    const char *dup[] = {"a", "a"};
    assert_false(ts_writer_add_stream(w, "s2", dup, 2, 0, &err));
    assert_msg(&err, path, "stream 's2', metric 'a': metric declared twice");
    const char *res[] = {"step"};
    assert_false(ts_writer_add_stream(w, "s3", res, 1, 0, &err));
    assert_msg(&err, path, "stream 's3', metric 'step': metric name is reserved");
    const char *tok[] = {"tokens"};
    assert_false(ts_writer_add_stream(w, "s4", tok, 1, TS_STREAM_TOKENS, &err));
    assert_true(ts_writer_add_stream(w, "s4", tok, 1, 0, &err)); /* a plain column named tokens */
    const char *types[] = {"complex64"};
    assert_false(ts_writer_add_stream_typed(w, "s5", c, types, 1, 0, &err));
    assert_msg(&err, path, "stream 's5', metric 'loss': unknown storage type (float32, float64 or int64)");
    double v[2] = {1, 2};
    assert_false(ts_writer_append(w, "nope", 0, v, 0, 0, &err));
    assert_msg(&err, path, "no stream 'nope' (declare it with ts_writer_add_stream)");
    assert_false(ts_writer_append_checkpoint(w, 0, v, &err));
    const char *layers[] = {"l0"};
    const char *stats[] = {"layers"};
    assert_false(ts_writer_add_checkpoint_layout(w, layers, 1, stats, 1, &err));
    assert_true(ts_writer_append(w, "train", 0, v, 0, 0, &err));
    assert_true(ts_writer_start_swmr(w, &err));
    assert_true(ts_writer_start_swmr(w, &err)); /* idempotent */
    const char *after = "cannot change the archive's structure after ts_writer_start_swmr";
    assert_false(ts_writer_add_stream(w, "late", c, 2, 0, &err));
    assert_msg(&err, path, after);
    assert_false(ts_writer_set_config_number(w, "lr", 0.1, &err));
    assert_msg(&err, path, after);
    assert_true(ts_writer_append(w, "train", 1, v, 0, 0, &err));
    assert_true(ts_writer_close(w, &err));
    TsRun *run = open_ok(path);
    assert_int_equal(ts_run_metric_count(run), 3);
    assert_int_equal(ts_run_metric(run, 0)->length, 2);
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

static void test_blocks_and_flushes(void **state) {
    (void)state;
    for (int deflate = 0; deflate <= 9; deflate += 9) {
        char *path = tmp_file("blocks.h5");
        TsWriterOptions o;
        ts_writer_options_default(&o);
        o.overwrite = true;
        o.chunk_rows = 16;
        o.deflate_level = deflate;
        TsErr err;
        TsWriter *w = ts_writer_create(path, "blocks", &o, &err);
        assert_non_null(w);
        const char *a[] = {"x", "y"};
        const char *b[] = {"z"};
        const char *ta[] = {"float16", "uint8"}; /* stored as float32 and int64 */
        assert_true(ts_writer_add_stream_typed(w, "a", a, ta, 2, TS_STREAM_TOKENS, &err));
        assert_true(ts_writer_add_stream(w, "b", b, 1, TS_STREAM_WALL_TIME, &err));
        int nb = 0;
        for (int i = 0; i < 100; i++) {
            double va[2] = {i * 0.5, (double)(i % 7)};
            assert_true(ts_writer_append(w, "a", i, va, NAN, 1000 + i, &err));
            if (i % 3 == 0) {
                double vb = -i;
                assert_true(ts_writer_append(w, "b", 2 * i, &vb, 5.0 + i, 0, &err));
                nb++;
            }
            if (i % 7 == 6) assert_true(ts_writer_flush(w, &err));
        }
        assert_true(ts_writer_close(w, &err));
        TsRun *run = open_ok(path);
        assert_string_equal(ts_run_name(run), "blocks");
        assert_int_equal(ts_run_metric_count(run), 4);
        assert_string_equal(ts_run_metric(run, 0)->dtype, "float32");
        assert_string_equal(ts_run_metric(run, 1)->dtype, "int64");
        assert_string_equal(ts_run_metric(run, 2)->name, "a/tokens");
        assert_string_equal(ts_run_metric(run, 3)->name, "b/z");
        TsSeries s;
        ts_series_init(&s);
        assert_true(ts_run_read(run, 0, 0, SIZE_MAX, &s, &err));
        assert_int_equal(s.n, 100);
        assert_null(s.wall_time);
        for (int i = 0; i < 100; i++) {
            assert_true(s.step[i] == i);
            assert_same(s.value[i], i * 0.5);
        }
        assert_true(ts_run_read(run, 1, 0, SIZE_MAX, &s, &err));
        for (int i = 0; i < 100; i++) assert_same(s.value[i], (double)(i % 7));
        assert_true(ts_run_read(run, 2, 0, SIZE_MAX, &s, &err));
        for (int i = 0; i < 100; i++) assert_same(s.value[i], 1000.0 + i);
        assert_true(ts_run_read(run, 3, 0, SIZE_MAX, &s, &err));
        assert_int_equal(s.n, (size_t)nb);
        for (int k = 0; k < nb; k++) {
            assert_true(s.step[k] == 6 * k);
            assert_same(s.value[k], (double)(-3 * k));
            assert_same(s.wall_time[k], 5.0 + 3 * k);
        }
        ts_series_free(&s);
        ts_run_free(run);
        unlink(path);
        free(path);
    }
    assert_no_hdf5_ids();
}

static void test_config_replaced(void **state) {
    (void)state;
    char *path = tmp_file("replace.h5");
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    TsErr err;
    TsWriter *w = ts_writer_create(path, "r", &o, &err);
    assert_true(ts_writer_set_config_number(w, "lr", 0.1, &err));
    assert_true(ts_writer_set_config_text(w, "lr", "warmup", &err));
    assert_true(ts_writer_set_config_json(w, "{}", &err));
    assert_true(ts_writer_set_config_json(w, "{\"a\": 1}", &err));
    assert_true(ts_writer_close(w, &err));
    TsRun *run = open_ok(path);
    assert_int_equal(ts_run_config_count(run), 1);
    assert_string_equal(ts_run_config(run, 0)->text, "warmup");
    assert_string_equal(ts_run_config_json(run), "{\"a\": 1}");
    ts_run_free(run);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

/* ---- a live reader following a writer process (SWMR) ---- */

enum { BATCH = 37, BATCHES = 10, FREE_ROWS = 3000 };

static double loss_of(size_t i) { return 1.0 / (double)(i + 1); }
static double acc_of(size_t i) { return (double)(float)((double)(i % 100) / 100.0); }
static double wall_of(size_t i) { return 1e9 + (double)i * 0.25; }

static int swmr_child(const char *path, int wfd, int rfd) {
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    o.chunk_rows = 64;
    TsErr err;
    TsWriter *w = ts_writer_create(path, "live", &o, &err);
    const char *cols[] = {"loss", "acc"};
    const char *types[] = {"float64", "float32"};
    bool ok = w && ts_writer_add_stream_typed(w, "train", cols, types, 2, TS_STREAM_WALL_TIME, &err) &&
              ts_writer_start_swmr(w, &err);
    ok = ok && write(wfd, "R", 1) == 1;
    size_t i = 0;
    char c = 0;
    while (ok && read(rfd, &c, 1) == 1 && c == 'g') {
        for (int k = 0; ok && k < BATCH; k++, i++) {
            double v[2] = {loss_of(i), acc_of(i)};
            ok = ts_writer_append(w, "train", (int64_t)i * 10, v, wall_of(i), 0, &err);
        }
        ok = ok && ts_writer_flush(w, &err) && write(wfd, "F", 1) == 1;
    }
    for (int k = 0; ok && c == 'f' && k < FREE_ROWS; k++, i++) {
        double v[2] = {loss_of(i), acc_of(i)};
        ok = ts_writer_append(w, "train", (int64_t)i * 10, v, wall_of(i), 0, &err);
        if (ok && k % 10 == 9) {
            ok = ts_writer_flush(w, &err);
            usleep(200);
        }
    }
    ok = ok && ts_writer_close(w, &err);
    if (!ok) fprintf(stderr, "swmr child: %s\n", err.msg);
    return ok ? 0 : 1;
}

/* Every row in [from, to) of both metrics holds exactly what was written. */
static void check_rows(TsRun *run, size_t from, size_t to) {
    TsSeries s;
    ts_series_init(&s);
    TsErr err;
    for (size_t j = 0; j < 2; j++) {
        if (!ts_run_read(run, j, from, to - from, &s, &err)) fail_msg("read: %s", err.msg);
        assert_int_equal(s.n, to - from);
        for (size_t k = 0; k < s.n; k++) {
            size_t i = from + k;
            assert_true(s.step[k] == (int64_t)i * 10);
            assert_same(s.value[k], j == 0 ? loss_of(i) : acc_of(i));
            assert_same(s.wall_time[k], wall_of(i));
        }
    }
    ts_series_free(&s);
}

static void test_swmr_live_reader(void **state) {
    (void)state;
    char *path = tmp_file("swmr.h5");
    unlink(path);
    int up[2], down[2];
    assert_int_equal(pipe(up), 0);
    assert_int_equal(pipe(down), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(up[0]);
        close(down[1]);
        _exit(swmr_child(path, up[1], down[0]));
    }
    close(up[1]);
    close(down[0]);
    char c = 0;
    assert_int_equal(read(up[0], &c, 1), 1);
    assert_int_equal(c, 'R');

    /* the writer is alive and holds the file: open it anyway */
    TsRun *run = open_ok(path);
    assert_int_equal(ts_run_metric_count(run), 2);
    assert_int_equal(ts_run_metric(run, 0)->length, 0);
    TsErr err;
    bool grew = true;
    assert_true(ts_run_refresh(run, &grew, &err));
    assert_false(grew);

    /* lock step: each flushed batch shows up after a refresh */
    for (size_t b = 0; b < BATCHES; b++) {
        assert_int_equal(write(down[1], "g", 1), 1);
        assert_int_equal(read(up[0], &c, 1), 1);
        assert_int_equal(c, 'F');
        if (!ts_run_refresh(run, &grew, &err)) fail_msg("refresh: %s", err.msg);
        assert_true(grew);
        assert_int_equal(ts_run_metric(run, 0)->length, (b + 1) * BATCH);
        assert_int_equal(ts_run_metric(run, 1)->length, (b + 1) * BATCH);
        check_rows(run, 0, (b + 1) * BATCH);
    }

    /* free running: the reader never sees a row whose values are missing */
    assert_int_equal(write(down[1], "f", 1), 1);
    size_t len = BATCHES * BATCH, refreshes = 0;
    int status = 0;
    time_t deadline = time(NULL) + 120;
    bool done = false;
    while (!done) {
        done = waitpid(pid, &status, WNOHANG) == pid;
        if (!ts_run_refresh(run, &grew, &err)) fail_msg("refresh: %s", err.msg);
        size_t now = ts_run_metric(run, 0)->length;
        assert_true(now >= len);
        if (now > len) check_rows(run, len > 20 ? len - 20 : 0, now);
        len = now;
        refreshes++;
        if (time(NULL) > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fail_msg("the writer did not finish in time");
        }
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(len, BATCHES * BATCH + FREE_ROWS);
    check_rows(run, 0, len);
    printf("note: %zu refreshes while the writer ran free\n", refreshes);
    ts_run_free(run);
    close(up[0]);
    close(down[1]);
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

/* ---- a writer that dies without closing ---- */

static int crash_child(const char *path, bool swmr) {
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    TsErr err;
    TsWriter *w = ts_writer_create(path, "crash", &o, &err);
    const char *c[] = {"x"};
    bool ok = w && ts_writer_add_stream(w, "s", c, 1, 0, &err) && (!swmr || ts_writer_start_swmr(w, &err));
    for (int i = 0; ok && i < 15; i++) {
        double v = i * 1.5;
        ok = ts_writer_append(w, "s", i, &v, 0, 0, &err);
        if (ok && i == 9) ok = ts_writer_flush(w, &err);
    }
    return ok ? 0 : 1; /* _exit without closing: like a killed trainer */
}

static void test_writer_crash(void **state) {
    (void)state;
    char *path = tmp_file("crash.h5");
    for (int swmr = 0; swmr < 2; swmr++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) _exit(crash_child(path, swmr));
        int status = 0;
        waitpid(pid, &status, 0);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        TsErr err;
        TsRun *run = ts_archive_open(path, &err);
        if (!swmr) {
            /* HDF5 marks the file; only h5clear -s removes the mark */
            assert_null(run);
            assert_msg(&err, path, "file is marked as open for writing (a writer without SWMR mode, "
                                   "or one that crashed: h5clear -s clears the mark)");
            continue;
        }
        /* SWMR files stay readable: every flushed row is there */
        if (!run) fail_msg("%s", err.msg);
        assert_int_equal(ts_run_metric(run, 0)->length, 10);
        TsSeries s;
        ts_series_init(&s);
        assert_true(ts_run_read(run, 0, 0, SIZE_MAX, &s, &err));
        for (int i = 0; i < 10; i++) {
            assert_true(s.step[i] == i);
            assert_same(s.value[i], i * 1.5);
        }
        ts_series_free(&s);
        ts_run_free(run);
    }
    unlink(path);
    free(path);
    assert_no_hdf5_ids();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_default),
        cmocka_unit_test(test_overwrite),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_atomic_close_and_abort),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_blocks_and_flushes),
        cmocka_unit_test(test_config_replaced),
        cmocka_unit_test(test_swmr_live_reader),
        cmocka_unit_test(test_writer_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
