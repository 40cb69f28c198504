/* bench_archive.c - archive writer and reader speed on a 10^7-point metric:
 * per-row appends, ts_archive_open (metadata only), and ts_run_read of the
 * whole metric against a bare H5Dread of the same datasets.
 * Layer: tests (bench; uses HDF5 directly for the baseline). License: MIT.
 *
 * usage: bench_archive [points]   (default 10000000; file in $TS_TMP or /tmp,
 * deleted afterwards). Reads run with the file in the page cache. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "trajscope/archive.h"
#include "trajscope/run.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double loss_at(size_t i) {
    return 2.0 * exp(-(double)i / 2e6) + 0.05 * sin((double)i * 0.37) + 1e-3 * (double)(i % 97);
}

/* Bare HDF5: the whole dataset at path into buf, converted to memtype. */
static double bare_read(const char *file, const char *path, hid_t memtype, void *buf) {
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = f >= 0 ? H5Dopen2(f, path, H5P_DEFAULT) : H5I_INVALID_HID;
    double t0 = now();
    if (ds < 0 || H5Dread(ds, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        fprintf(stderr, "bench_archive: bare read of %s failed\n", path);
        exit(1);
    }
    double t = now() - t0;
    H5Dclose(ds);
    H5Fclose(f);
    return t;
}

static int run(const char *file, size_t n, int deflate) {
    TsErr err;
    TsWriterOptions o;
    ts_writer_options_default(&o);
    o.overwrite = true;
    o.deflate_level = deflate;
    double t0 = now();
    TsWriter *w = ts_writer_create(file, "bench", &o, &err);
    const char *cols[] = {"loss"};
    if (!w || !ts_writer_add_stream(w, "train", cols, 1, 0, &err)) {
        fprintf(stderr, "bench_archive: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        double v = loss_at(i);
        if (!ts_writer_append(w, "train", (int64_t)i, &v, 0, 0, &err)) {
            fprintf(stderr, "bench_archive: %s\n", err.msg);
            ts_writer_abort(w);
            return 1;
        }
    }
    if (!ts_writer_close(w, &err)) {
        fprintf(stderr, "bench_archive: %s\n", err.msg);
        return 1;
    }
    double t_write = now() - t0;
    struct stat st;
    stat(file, &st);
    printf("deflate %d: write %zu rows (append per row): %.2f s, %.1f M rows/s, file %.1f MB\n", deflate, n,
           t_write, (double)n / t_write / 1e6, (double)st.st_size / 1e6);

    /* open: metadata only */
    const int opens = 50;
    t0 = now();
    for (int k = 0; k < opens; k++) {
        TsRun *r = ts_archive_open(file, &err);
        if (!r) {
            fprintf(stderr, "bench_archive: %s\n", err.msg);
            return 1;
        }
        ts_run_free(r);
    }
    printf("deflate %d: ts_archive_open + ts_run_free: %.3f ms\n", deflate, (now() - t0) / opens * 1e3);

    /* Whole-metric reads, best of 3 each. The run and the bare reads open
     * the file outside the timed part. A read must fill memory it has just
     * allocated, whose first touch costs page faults: the bare baseline is
     * timed both into fresh buffers (like for like) and into warm ones. */
    TsSeries s;
    ts_series_init(&s);
    double best_ts = INFINITY, best_fresh = INFINITY, best_warm = INFINITY, best_value = INFINITY;
    double *v = ts_xcalloc(n, sizeof *v);
    int64_t *stp = ts_xcalloc(n, sizeof *stp);
    for (int rep = 0; rep < 3; rep++) {
        TsRun *r = ts_archive_open(file, &err);
        if (!r) {
            fprintf(stderr, "bench_archive: %s\n", err.msg);
            return 1;
        }
        ts_series_free(&s);
        t0 = now();
        if (!ts_run_read(r, 0, 0, SIZE_MAX, &s, &err)) {
            fprintf(stderr, "bench_archive: %s\n", err.msg);
            return 1;
        }
        double t = now() - t0;
        ts_run_free(r);
        if (t < best_ts) best_ts = t;

        t0 = now();
        double *fv = ts_xmalloc(n * sizeof *fv);
        int64_t *fs = ts_xmalloc(n * sizeof *fs);
        double t_alloc = now() - t0;
        t = t_alloc + bare_read(file, "/scalars/train/loss", H5T_NATIVE_DOUBLE, fv) +
            bare_read(file, "/scalars/train/step", H5T_NATIVE_INT64, fs);
        free(fv);
        free(fs);
        if (t < best_fresh) best_fresh = t;
        double tv = bare_read(file, "/scalars/train/loss", H5T_NATIVE_DOUBLE, v);
        t = tv + bare_read(file, "/scalars/train/step", H5T_NATIVE_INT64, stp);
        if (t < best_warm) best_warm = t;
        if (tv < best_value) best_value = tv;
    }
    bool same = s.n == n && memcmp(s.value, v, n * sizeof *v) == 0 && memcmp(s.step, stp, n * sizeof *stp) == 0;
    double mb = (double)n * 16 / 1e6; /* value + step, 8 bytes each */
    printf("deflate %d: ts_run_read (value+step):                 %7.1f ms %6.0f MB/s\n", deflate, best_ts * 1e3,
           mb / best_ts);
    printf("deflate %d: bare H5Dread (value+step), fresh buffers: %7.1f ms %6.0f MB/s\n", deflate,
           best_fresh * 1e3, mb / best_fresh);
    printf("deflate %d: bare H5Dread (value+step), warm buffers:  %7.1f ms %6.0f MB/s (value alone %.1f ms)\n",
           deflate, best_warm * 1e3, mb / best_warm, best_value * 1e3);
    printf("deflate %d: ratio ts_run_read / bare = %.2f (fresh), %.2f (warm); values identical: %s\n", deflate,
           best_ts / best_fresh, best_ts / best_warm, same ? "yes" : "NO");
    free(v);
    free(stp);
    ts_series_free(&s);
    unlink(file);
    return same ? 0 : 1;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000;
    if (n == 0) n = 10000000;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const char *dir = getenv("TS_TMP");
    char *file = ts_xasprintf("%s/bench_archive-%ld.h5", dir && *dir ? dir : "/tmp", (long)getpid());
    int rc = run(file, n, 4);
    if (rc == 0) rc = run(file, n, 0);
    unlink(file);
    free(file);
    return rc;
}
