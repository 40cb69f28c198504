/* bench_import.c - import throughput: a ~100 MB TensorBoard event file
 * (simple_value scalars, PyTorch style), a ~30 MB one of TF2 tensor
 * scalars, and a ~100 MB CSV, generated in $TS_TMP (or /tmp) and deleted
 * afterwards. Prints MB/s for reading into a run and for writing the run
 * into an archive.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trajscope/import.h"
#include "trajscope/run.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds of this process: unlike wall time, not inflated when other
 * jobs share the machine. */
static double cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct Buf {
    unsigned char *p;
    size_t n, cap;
} Buf;

static void put(Buf *b, const void *d, size_t len) {
    if (b->n + len > b->cap) {
        b->cap = (b->n + len) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, d, len);
    b->n += len;
}

static void put_varint(Buf *b, uint64_t v) {
    unsigned char t[10];
    size_t n = 0;
    do {
        t[n] = (unsigned char)(v & 0x7F);
        v >>= 7;
        if (v) t[n] |= 0x80;
        n++;
    } while (v);
    put(b, t, n);
}

static void put_key(Buf *b, unsigned field, unsigned wire) { put_varint(b, (uint64_t)field << 3 | wire); }

static void put_le(Buf *b, uint64_t v, int n) {
    unsigned char t[8];
    for (int i = 0; i < n; i++) t[i] = (unsigned char)(v >> (8 * i));
    put(b, t, (size_t)n);
}

static void put_record(Buf *out, const Buf *payload) {
    unsigned char hdr[8];
    for (int i = 0; i < 8; i++) hdr[i] = (unsigned char)((uint64_t)payload->n >> (8 * i));
    put(out, hdr, 8);
    put_le(out, ts_crc32c_masked(hdr, 8), 4);
    put(out, payload->p, payload->n);
    put_le(out, ts_crc32c_masked(payload->p, payload->n), 4);
}

static void put_bytes_field(Buf *b, unsigned field, const Buf *inner) {
    put_key(b, field, 2);
    put_varint(b, inner->n);
    put(b, inner->p, inner->n);
}

static const char *const tags[] = {"train/loss", "train/lr", "train/grad_norm", "train/acc",
                                   "eval/loss", "eval/acc", "charts/episodic_return", "epoch"};

/* One event with one value; tensor = TF2 encoding (metadata on the first
 * value of each tag). */
static void put_event(Buf *out, int64_t step, double wall, const char *tag, float v, bool tensor, bool meta) {
    Buf val = {0}, sum = {0}, ev = {0};
    put_key(&val, 1, 2);
    put_varint(&val, strlen(tag));
    put(&val, tag, strlen(tag));
    uint32_t bits;
    memcpy(&bits, &v, 4);
    if (!tensor) {
        put_key(&val, 2, 5);
        put_le(&val, bits, 4);
    } else {
        Buf t = {0};
        put_key(&t, 1, 0);
        put_varint(&t, 1); /* DT_FLOAT */
        put_key(&t, 2, 2);
        put_varint(&t, 0); /* shape {} */
        put_key(&t, 5, 2);
        put_varint(&t, 4);
        put_le(&t, bits, 4);
        put_bytes_field(&val, 8, &t);
        free(t.p);
        if (meta) {
            Buf pd = {0}, md = {0};
            put_key(&pd, 1, 2);
            put_varint(&pd, 7);
            put(&pd, "scalars", 7);
            put_bytes_field(&md, 1, &pd);
            put_bytes_field(&val, 9, &md);
            free(pd.p);
            free(md.p);
        }
    }
    put_bytes_field(&sum, 1, &val);
    uint64_t wbits;
    memcpy(&wbits, &wall, 8);
    put_key(&ev, 1, 1);
    put_le(&ev, wbits, 8);
    put_key(&ev, 2, 0);
    put_varint(&ev, (uint64_t)step);
    put_bytes_field(&ev, 5, &sum);
    put_record(out, &ev);
    free(val.p);
    free(sum.p);
    free(ev.p);
}

static bool write_file(const char *path, const Buf *b) {
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = fwrite(b->p, 1, b->n, f) == b->n;
    return fclose(f) == 0 && ok;
}

static void bench_file(const char *label, const char *path, double mb, const char *out_h5) {
    TsErr err;
    TsImportReport rep;
    ts_import_report_init(&rep);
    double t0 = now(), c0 = cpu();
    TsRun *run = ts_import_open_ex(path, NULL, &rep, &err);
    double t1 = now(), c1 = cpu();
    if (!run) {
        fprintf(stderr, "bench_import: %s\n", err.msg);
        exit(1);
    }
    printf("%-26s %6.1f MB %8zu points  read  %5.2f s %6.1f MB/s  (cpu %5.2f s %6.1f MB/s)\n", label, mb,
           rep.n_points, t1 - t0, mb / (t1 - t0), c1 - c0, mb / (c1 - c0));
    if (out_h5) {
        unlink(out_h5);
        double t2 = now(), c2 = cpu();
        if (!ts_import_write(run, out_h5, NULL, NULL, &err)) {
            fprintf(stderr, "bench_import: %s\n", err.msg);
            exit(1);
        }
        double t3 = now(), c3 = cpu();
        printf("%-26s %6.1f MB %8zu points  write %5.2f s %6.1f Mpt/s (cpu %5.2f s %6.1f Mpt/s)\n",
               "  -> archive", mb, rep.n_points, t3 - t2, (double)rep.n_points / (t3 - t2) / 1e6, c3 - c2,
               (double)rep.n_points / (c3 - c2) / 1e6);
        unlink(out_h5);
    }
    ts_import_report_free(&rep);
    ts_run_free(run);
}

int main(void) {
    const char *dir = getenv("TS_TMP");
    if (!dir || !*dir) dir = "/tmp";
    char ev_path[1024], tf2_path[1024], csv_path[1024], h5_path[1024];
    snprintf(ev_path, sizeof ev_path, "%s/bench-import-%d.tfevents", dir, (int)getpid());
    snprintf(tf2_path, sizeof tf2_path, "%s/bench-import-tf2-%d.tfevents", dir, (int)getpid());
    snprintf(csv_path, sizeof csv_path, "%s/bench-import-%d.csv", dir, (int)getpid());
    snprintf(h5_path, sizeof h5_path, "%s/bench-import-%d.h5", dir, (int)getpid());

    /* ~100 MB of simple_value events, 8 tags. */
    Buf b = {0};
    const size_t target = (size_t)100 << 20;
    int64_t step = 0;
    while (b.n < target) {
        for (size_t t = 0; t < 8; t++)
            put_event(&b, step, 1.7e9 + (double)step * 0.01, tags[t], (float)(1.0 / (1.0 + (double)step)), false,
                      false);
        step++;
    }
    if (!write_file(ev_path, &b)) {
        fprintf(stderr, "bench_import: cannot write %s\n", ev_path);
        return 1;
    }
    double ev_mb = (double)b.n / (1 << 20);
    /* ~30 MB of TF2 tensor scalars. */
    b.n = 0;
    step = 0;
    while (b.n < ((size_t)30 << 20)) {
        for (size_t t = 0; t < 8; t++) put_event(&b, step, 1.7e9 + (double)step, tags[t], (float)step, true, step == 0);
        step++;
    }
    if (!write_file(tf2_path, &b)) return 1;
    double tf2_mb = (double)b.n / (1 << 20);
    /* ~100 MB CSV: 12 columns, sparse validation columns. */
    b.n = 0;
    const char *header = "step,epoch,train/loss,train/acc,lr,grad_norm,time,tokens,val/loss,val/acc,val/f1,val/auc\n";
    put(&b, header, strlen(header));
    char line[512];
    for (long r = 0; b.n < target; r++) {
        int n;
        if (r % 10 == 9)
            n = snprintf(line, sizeof line, "%ld,%ld,,,,,,,%.17g,%.9g,%.9g,%.9g\n", r, r / 1000, 1.0 / (r + 2.0),
                         0.5 + r * 1e-9, 0.25, 0.75);
        else
            n = snprintf(line, sizeof line, "%ld,%ld,%.17g,%.9g,%.9g,%.9g,%.6f,%ld,,,,\n", r, r / 1000,
                         1.0 / (r + 1.0), r * 1e-8, 3e-4, 1.5 + (double)(r % 7), r * 0.013, r * 2048);
        put(&b, line, (size_t)n);
    }
    if (!write_file(csv_path, &b)) return 1;
    double csv_mb = (double)b.n / (1 << 20);
    free(b.p);

    bench_file("tfevents (simple_value)", ev_path, ev_mb, h5_path);
    bench_file("tfevents (TF2 tensors)", tf2_path, tf2_mb, NULL);
    bench_file("csv (sparse rows)", csv_path, csv_mb, h5_path);
    unlink(ev_path);
    unlink(tf2_path);
    unlink(csv_path);
    return 0;
}
