/* test_tfevents.c - TensorBoard event files: CRC-32C, framing, both scalar
 * encodings, damaged and truncated files, restarts, folders, LFS pointers.
 * The event files are written here with protobuf-c's pack functions (and a
 * few hand-encoded bytes), framed and checksummed by the test itself.
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
#include <unistd.h>
#include <cmocka.h>

#include "io/import_priv.h"
#include "support/ts_test.h"
#include "tfevents.pb-c.h"
#include "trajscope/import.h"
#include "trajscope/run.h"

/* ---- building event files ---- */

typedef struct Bytes {
    unsigned char *p;
    size_t n, cap;
} Bytes;

static void put(Bytes *b, const void *data, size_t len) {
    if (b->n + len > b->cap) {
        b->cap = (b->n + len) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
}

static void le(unsigned char *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put_record(Bytes *b, const void *payload, size_t len) {
    unsigned char hdr[12], foot[4];
    le(hdr, len, 8);
    le(hdr + 8, ts_crc32c_masked(hdr, 8), 4);
    le(foot, ts_crc32c_masked(payload, len), 4);
    put(b, hdr, 12);
    put(b, payload, len);
    put(b, foot, 4);
}

static void put_event(Bytes *b, const Tsproto__Event *ev) {
    size_t len = tsproto__event__get_packed_size(ev);
    unsigned char *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    tsproto__event__pack(ev, buf);
    put_record(b, buf, len);
    free(buf);
}

static void put_file_version(Bytes *b, double wall) {
    Tsproto__Event ev = TSPROTO__EVENT__INIT;
    ev.has_wall_time = 1;
    ev.wall_time = wall;
    ev.has_file_version = 1;
    ev.file_version.data = (uint8_t *)"brain.Event:2";
    ev.file_version.len = 13;
    put_event(b, &ev);
}

/* One event holding one value. */
static void put_value(Bytes *b, double wall, int64_t step, Tsproto__Summary__Value *v) {
    Tsproto__Summary sum = TSPROTO__SUMMARY__INIT;
    Tsproto__Summary__Value *vals[1] = {v};
    sum.n_value = 1;
    sum.value = vals;
    Tsproto__Event ev = TSPROTO__EVENT__INIT;
    ev.has_wall_time = 1;
    ev.wall_time = wall;
    ev.has_step = 1;
    ev.step = step;
    ev.summary = &sum;
    put_event(b, &ev);
}

static void set_tag(Tsproto__Summary__Value *v, const char *tag) {
    v->has_tag = 1;
    v->tag.data = (uint8_t *)tag;
    v->tag.len = strlen(tag);
}

/* PyTorch/Lightning/HF style: simple_value. */
static void put_scalar(Bytes *b, double wall, int64_t step, const char *tag, float value) {
    Tsproto__Summary__Value v = TSPROTO__SUMMARY__VALUE__INIT;
    set_tag(&v, tag);
    v.has_simple_value = 1;
    v.simple_value = value;
    put_value(b, wall, step, &v);
}

/* TF2 style: a tensor, with the scalars plugin's metadata when asked. */
static void put_tensor(Bytes *b, double wall, int64_t step, const char *tag, Tsproto__TensorProto *t,
                       const char *plugin) {
    Tsproto__Summary__Value v = TSPROTO__SUMMARY__VALUE__INIT;
    set_tag(&v, tag);
    v.tensor = t;
    Tsproto__SummaryMetadata md = TSPROTO__SUMMARY_METADATA__INIT;
    Tsproto__SummaryMetadata__PluginData pd = TSPROTO__SUMMARY_METADATA__PLUGIN_DATA__INIT;
    if (plugin) {
        pd.has_plugin_name = 1;
        pd.plugin_name.data = (uint8_t *)plugin;
        pd.plugin_name.len = strlen(plugin);
        md.plugin_data = &pd;
        v.metadata = &md;
    }
    put_value(b, wall, step, &v);
}

static void put_float_tensor(Bytes *b, double wall, int64_t step, const char *tag, float value, const char *plugin) {
    Tsproto__TensorProto t = TSPROTO__TENSOR_PROTO__INIT;
    Tsproto__TensorShapeProto shape = TSPROTO__TENSOR_SHAPE_PROTO__INIT;
    t.has_dtype = 1;
    t.dtype = 1; /* DT_FLOAT */
    t.tensor_shape = &shape;
    t.n_float_val = 1;
    t.float_val = &value;
    put_tensor(b, wall, step, tag, &t, plugin);
}

static void put_session_start(Bytes *b, double wall, int64_t step) {
    Tsproto__SessionLog sl = TSPROTO__SESSION_LOG__INIT;
    sl.has_status = 1;
    sl.status = 1; /* START */
    Tsproto__Event ev = TSPROTO__EVENT__INIT;
    ev.has_wall_time = 1;
    ev.wall_time = wall;
    ev.has_step = 1;
    ev.step = step;
    ev.session_log = &sl;
    put_event(b, &ev);
}

static TsRun *import_bytes(const Bytes *b, const TsImportOptions *o, TsImportReport *rep) {
    TsErr err;
    TsRun *run = ts_import_tfevents_buffer(b->p, b->n, "mem.tfevents", o, rep, &err);
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

static void write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len) assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static char *tmp_path(const char *name) {
    static char buf[8][1024];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof buf[0], "%s/tfev-%d-%s", ts_test_tmpdir(), (int)getpid(), name);
    return p;
}

/* ---- CRC-32C ---- */

static void test_crc32c_vectors(void **state) {
    (void)state;
    assert_int_equal(ts_crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(ts_crc32c(0, "", 0), 0u);
    unsigned char zeros[32] = {0}, ones[32], inc[32];
    memset(ones, 0xFF, sizeof ones);
    for (int i = 0; i < 32; i++) inc[i] = (unsigned char)i;
    /* RFC 3720 (iSCSI) appendix B.4 */
    assert_int_equal(ts_crc32c(0, zeros, 32), 0x8A9136AAu);
    assert_int_equal(ts_crc32c(0, ones, 32), 0x62A8AB43u);
    assert_int_equal(ts_crc32c(0, inc, 32), 0x46DD794Eu);
    /* Incremental and unaligned give the same result. */
    char text[64];
    memcpy(text + 3, "123456789", 9);
    assert_int_equal(ts_crc32c(ts_crc32c(0, text + 3, 4), text + 7, 5), 0xE3069283u);
    unsigned char big[1000];
    for (int i = 0; i < 1000; i++) big[i] = (unsigned char)(i * 7 + 3);
    uint32_t whole = ts_crc32c(0, big, 1000);
    uint32_t parts = ts_crc32c(ts_crc32c(ts_crc32c(0, big, 1), big + 1, 500), big + 501, 499);
    assert_int_equal(whole, parts);
    /* The table path agrees with the one ts_crc32c() picked (the CPU's
     * instruction where there is one), at every length and alignment. */
    assert_int_equal(imp_crc32c_portable(0, "123456789", 9), 0xE3069283u);
    for (size_t off = 0; off < 9; off++)
        for (size_t len = 0; len + off <= 1000; len += 37)
            assert_int_equal(imp_crc32c_portable(0x1234u, big + off, len), ts_crc32c(0x1234u, big + off, len));
    /* Masking: rotate right by 15 and add the constant. */
    uint32_t c = 0xE3069283u;
    assert_int_equal(ts_crc32c_masked("123456789", 9), ((c >> 15) | (c << 17)) + 0xA282EAD8u);
    assert_int_equal(ts_crc32c_masked("", 0), 0xA282EAD8u);
}

/* ---- simple_value ---- */

static void test_simple_values(void **state) {
    (void)state;
    Bytes b = {0};
    put_file_version(&b, 1700000000.5);
    const float loss[3] = {2.5f, 0.1f, 1e-30f};
    for (int i = 0; i < 3; i++) {
        put_scalar(&b, 1700000001.0 + i, 10 * i, "train/loss", loss[i]);
        put_scalar(&b, 1700000001.25 + i, 10 * i, "lr", 0.001f * (float)(i + 1));
    }
    put_scalar(&b, 1700000009.0, 20, "eval/top/acc", 0.75f);
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = import_bytes(&b, NULL, &rep);
    assert_string_equal(ts_run_format(run), "tfevents");
    assert_string_equal(ts_run_created(run), "2023-11-14T22:13:20Z");
    assert_int_equal(ts_run_metric_count(run), 3);
    /* Order of first appearance; names reproduce the tags. */
    const TsMetricInfo *m0 = ts_run_metric(run, 0), *m1 = ts_run_metric(run, 1), *m2 = ts_run_metric(run, 2);
    assert_string_equal(m0->name, "train/loss");
    assert_string_equal(m0->stream, "train");
    assert_string_equal(m0->metric, "loss");
    assert_string_equal(m0->dtype, "float32");
    assert_string_equal(m1->name, TS_IMPORT_DEFAULT_STREAM "/lr");
    assert_string_equal(m1->metric, "lr");
    assert_string_equal(m2->name, "eval/top/acc");
    assert_string_equal(m2->stream, "eval/top");
    assert_string_equal(m2->metric, "acc");
    TsSeries s;
    read_metric(run, "train/loss", &s);
    assert_int_equal(s.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s.step[i], 10 * i);
        assert_true(s.value[i] == (double)loss[i]); /* the float, exactly */
        assert_true(s.wall_time[i] == 1700000001.0 + i);
    }
    ts_series_free(&s);
    assert_int_equal(rep.n_records, 8);
    assert_int_equal(rep.n_points, 7);
    assert_int_equal(rep.n_warnings, 0);
    assert_false(rep.truncated);
    ts_import_report_free(&rep);
    ts_run_free(run);
    free(b.p);
}

/* ---- TF2 tensors ---- */

static void test_tf2_tensor_scalars(void **state) {
    (void)state;
    Bytes b = {0};
    put_file_version(&b, 1.0);
    /* Metadata only on the first value of each tag. */
    put_float_tensor(&b, 2.0, 1, "loss", 0.5f, "scalars");
    put_float_tensor(&b, 3.0, 2, "loss", 0.25f, NULL);
    put_float_tensor(&b, 4.0, 3, "loss", 0.125f, NULL);
    /* A text summary (plugin "text", DT_STRING): skipped quietly, also
     * when later values come without metadata. */
    Tsproto__TensorProto txt = TSPROTO__TENSOR_PROTO__INIT;
    txt.has_dtype = 1;
    txt.dtype = 7;
    put_tensor(&b, 5.0, 1, "notes", &txt, "text");
    put_tensor(&b, 6.0, 2, "notes", &txt, NULL);
    /* A tensor whose tag never had metadata in this file: not a scalar. */
    put_float_tensor(&b, 7.0, 1, "mystery", 1.0f, NULL);
    /* double, int64, int32 via tensor_content, half, bfloat16 */
    Tsproto__TensorProto t = TSPROTO__TENSOR_PROTO__INIT;
    double dv = 0.1;
    t.has_dtype = 1;
    t.dtype = 2;
    t.n_double_val = 1;
    t.double_val = &dv;
    put_tensor(&b, 8.0, 5, "d", &t, "scalars");
    Tsproto__TensorProto ti = TSPROTO__TENSOR_PROTO__INIT;
    int64_t iv = -((int64_t)1 << 40);
    ti.has_dtype = 1;
    ti.dtype = 9;
    ti.n_int64_val = 1;
    ti.int64_val = &iv;
    put_tensor(&b, 9.0, 5, "i", &ti, "scalars");
    Tsproto__TensorProto tc = TSPROTO__TENSOR_PROTO__INIT;
    unsigned char raw[4];
    le(raw, (uint32_t)-7, 4);
    tc.has_dtype = 1;
    tc.dtype = 3;
    tc.has_tensor_content = 1;
    tc.tensor_content.data = raw;
    tc.tensor_content.len = 4;
    put_tensor(&b, 10.0, 6, "c", &tc, "scalars");
    Tsproto__TensorProto th = TSPROTO__TENSOR_PROTO__INIT;
    int32_t half = 0x3555; /* 0.333251953125 in IEEE half */
    th.has_dtype = 1;
    th.dtype = 19;
    th.n_half_val = 1;
    th.half_val = &half;
    put_tensor(&b, 11.0, 7, "h", &th, "scalars");
    Tsproto__TensorProto tb = TSPROTO__TENSOR_PROTO__INIT;
    int32_t bf = 0x3FC0; /* 1.5 in bfloat16 */
    tb.has_dtype = 1;
    tb.dtype = 14;
    tb.n_half_val = 1;
    tb.half_val = &bf;
    put_tensor(&b, 12.0, 7, "bf", &tb, "scalars");
    /* A vector tagged as scalars: not a scalar (counted). */
    Tsproto__TensorProto tv = TSPROTO__TENSOR_PROTO__INIT;
    float two[2] = {1, 2};
    tv.has_dtype = 1;
    tv.dtype = 1;
    tv.n_float_val = 2;
    tv.float_val = two;
    put_tensor(&b, 13.0, 8, "vec", &tv, "scalars");

    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = import_bytes(&b, NULL, &rep);
    assert_int_equal(ts_run_metric_count(run), 6);
    assert_int_equal(ts_run_find_metric(run, "metrics/notes"), -1);
    assert_int_equal(ts_run_find_metric(run, "metrics/mystery"), -1);
    assert_int_equal(ts_run_find_metric(run, "metrics/vec"), -1);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 3);
    assert_true(s.value[0] == 0.5 && s.value[1] == 0.25 && s.value[2] == 0.125);
    assert_int_equal(s.step[2], 3);
    ts_series_free(&s);
    assert_string_equal(ts_run_metric(run, (size_t)ts_run_find_metric(run, "metrics/loss"))->dtype, "float32");
    read_metric(run, "metrics/d", &s);
    assert_true(s.value[0] == 0.1);
    ts_series_free(&s);
    assert_string_equal(ts_run_metric(run, (size_t)ts_run_find_metric(run, "metrics/d"))->dtype, "float64");
    read_metric(run, "metrics/i", &s);
    assert_true(s.value[0] == -1099511627776.0);
    ts_series_free(&s);
    assert_string_equal(ts_run_metric(run, (size_t)ts_run_find_metric(run, "metrics/i"))->dtype, "int64");
    read_metric(run, "metrics/c", &s);
    assert_true(s.value[0] == -7.0);
    ts_series_free(&s);
    read_metric(run, "metrics/h", &s);
    assert_true(s.value[0] == 0.333251953125);
    ts_series_free(&s);
    read_metric(run, "metrics/bf", &s);
    assert_true(s.value[0] == 1.5);
    ts_series_free(&s);
    /* Only the vector is reported; the text summary is skipped quietly. */
    assert_int_equal(rep.n_warnings, 1);
    assert_non_null(strstr(rep.warnings[0], "unsupported type or shape"));
    assert_non_null(strstr(rep.warnings[0], "vec"));
    ts_import_report_free(&rep);
    ts_run_free(run);
    free(b.p);
}

/* The tag memory is per file: a second file must send metadata again. */
static void test_tf2_metadata_is_per_file(void **state) {
    (void)state;
    char *dir = tmp_path("perfile");
    mkdir(dir, 0777);
    char f1[1200], f2[1200];
    snprintf(f1, sizeof f1, "%s/events.out.tfevents.1000.host.1.0", dir);
    snprintf(f2, sizeof f2, "%s/events.out.tfevents.2000.host.1.0", dir);
    Bytes a = {0}, c = {0};
    put_file_version(&a, 1.0);
    put_float_tensor(&a, 2.0, 1, "loss", 1.0f, "scalars");
    put_float_tensor(&a, 3.0, 2, "loss", 2.0f, NULL);
    put_file_version(&c, 4.0);
    put_float_tensor(&c, 5.0, 3, "loss", 3.0f, NULL); /* no metadata in this file: skipped */
    put_float_tensor(&c, 6.0, 4, "loss", 4.0f, "scalars");
    put_float_tensor(&c, 7.0, 5, "loss", 5.0f, NULL);
    write_file(f1, a.p, a.n);
    write_file(f2, c.p, c.n);
    TsErr err;
    TsRun *run = ts_import_open(dir, &err);
    assert_non_null(run);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 4);
    assert_true(s.value[0] == 1 && s.value[1] == 2 && s.value[2] == 4 && s.value[3] == 5);
    ts_series_free(&s);
    ts_run_free(run);
    unlink(f1);
    unlink(f2);
    rmdir(dir);
    free(a.p);
    free(c.p);
}

/* float_val written unpacked (one fixed32 field per element) decodes too. */
static void test_unpacked_repeated(void **state) {
    (void)state;
    float v = 0.375f;
    uint32_t bits;
    memcpy(&bits, &v, 4);
    /* TensorProto: dtype=1 (varint 1), float_val field 5 wire type 5 */
    unsigned char tensor[] = {0x08, 0x01, 0x2D, 0, 0, 0, 0};
    le(tensor + 3, bits, 4);
    unsigned char plugin[] = {0x0A, 0x07, 's', 'c', 'a', 'l', 'a', 'r', 's'};
    unsigned char meta[2 + sizeof plugin];
    meta[0] = 0x0A;
    meta[1] = sizeof plugin;
    memcpy(meta + 2, plugin, sizeof plugin);
    unsigned char value[64];
    size_t n = 0;
    value[n++] = 0x0A;
    value[n++] = 1;
    value[n++] = 'x';
    value[n++] = 0x42; /* field 8, length-delimited */
    value[n++] = sizeof tensor;
    memcpy(value + n, tensor, sizeof tensor);
    n += sizeof tensor;
    value[n++] = 0x4A; /* field 9 */
    value[n++] = sizeof meta;
    memcpy(value + n, meta, sizeof meta);
    n += sizeof meta;
    unsigned char summary[80];
    summary[0] = 0x0A;
    summary[1] = (unsigned char)n;
    memcpy(summary + 2, value, n);
    unsigned char event[100];
    size_t e = 0;
    event[e++] = 0x10; /* step = 42 */
    event[e++] = 42;
    event[e++] = 0x2A; /* summary, field 5 */
    event[e++] = (unsigned char)(n + 2);
    memcpy(event + e, summary, n + 2);
    e += n + 2;
    Bytes b = {0};
    put_record(&b, event, e);
    TsRun *run = import_bytes(&b, NULL, NULL);
    TsSeries s;
    read_metric(run, "metrics/x", &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.step[0], 42);
    assert_true(s.value[0] == 0.375);
    /* no wall_time in this event */
    assert_true(s.wall_time == NULL || isnan(s.wall_time[0]));
    ts_series_free(&s);
    ts_run_free(run);
    free(b.p);
}

/* ---- damage ---- */

static void test_bad_payload_checksum_skips_record(void **state) {
    (void)state;
    Bytes b = {0};
    put_file_version(&b, 1.0);
    put_scalar(&b, 2.0, 1, "loss", 1.0f);
    size_t second = b.n;
    put_scalar(&b, 3.0, 2, "loss", 2.0f);
    put_scalar(&b, 4.0, 3, "loss", 3.0f);
    b.p[second + 14] ^= 0x40; /* a payload byte of the second scalar */
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = import_bytes(&b, NULL, &rep);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 2);
    assert_true(s.value[0] == 1.0 && s.value[1] == 3.0);
    ts_series_free(&s);
    assert_int_equal(rep.n_skipped, 1);
    assert_int_equal(rep.n_warnings, 1);
    assert_non_null(strstr(rep.warnings[0], "1 record with a bad checksum"));
    ts_import_report_free(&rep);
    ts_run_free(run);
    free(b.p);
}

static void test_bad_header_checksum_resyncs(void **state) {
    (void)state;
    Bytes b = {0};
    put_file_version(&b, 1.0);
    put_scalar(&b, 2.0, 1, "loss", 1.0f);
    size_t second = b.n;
    put_scalar(&b, 3.0, 2, "loss", 2.0f);
    put_scalar(&b, 4.0, 3, "loss", 3.0f);
    put_scalar(&b, 5.0, 4, "loss", 4.0f);
    b.p[second + 1] ^= 0x01; /* the length of the second scalar: unknown now */
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = import_bytes(&b, NULL, &rep);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 3);
    assert_true(s.value[0] == 1.0 && s.value[1] == 3.0 && s.value[2] == 4.0);
    ts_series_free(&s);
    assert_int_equal(rep.n_warnings, 1);
    assert_non_null(strstr(rep.warnings[0], "damaged region"));
    ts_import_report_free(&rep);
    ts_run_free(run);
    free(b.p);
}

static void test_truncated_last_record_is_quiet(void **state) {
    (void)state;
    Bytes b = {0};
    put_file_version(&b, 1.0);
    for (int i = 0; i < 5; i++) put_scalar(&b, 2.0 + i, i, "loss", (float)i);
    size_t whole = b.n;
    put_scalar(&b, 9.0, 5, "loss", 5.0f);
    size_t last_len = b.n - whole;
    /* Every cut inside the last record: the first five points, no warning. */
    for (size_t cut = 1; cut < last_len; cut++) {
        Bytes t = {b.p, whole + cut, 0};
        TsImportReport rep;
        ts_import_report_init(&rep);
        TsRun *run = import_bytes(&t, NULL, &rep);
        TsSeries s;
        read_metric(run, "metrics/loss", &s);
        assert_int_equal(s.n, 5);
        ts_series_free(&s);
        assert_int_equal(rep.n_warnings, 0);
        assert_true(rep.truncated);
        ts_import_report_free(&rep);
        ts_run_free(run);
    }
    free(b.p);
}

static void test_undecodable_payload_is_counted(void **state) {
    (void)state;
    Bytes b = {0};
    put_scalar(&b, 1.0, 1, "loss", 1.0f);
    const unsigned char junk[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    put_record(&b, junk, sizeof junk);
    put_scalar(&b, 2.0, 2, "loss", 2.0f);
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = import_bytes(&b, NULL, &rep);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 2);
    ts_series_free(&s);
    assert_int_equal(rep.n_skipped, 1);
    assert_int_equal(rep.n_warnings, 1);
    assert_non_null(strstr(rep.warnings[0], "not Event messages"));
    ts_import_report_free(&rep);
    ts_run_free(run);
    free(b.p);
}

/* ---- restarts ---- */

static void test_restart_kept_or_purged(void **state) {
    (void)state;
    Bytes b = {0};
    for (int i = 0; i <= 10; i++) put_scalar(&b, i, i, "loss", (float)i);
    for (int i = 5; i <= 8; i++) put_scalar(&b, 100 + i, i, "loss", (float)(100 + i));
    /* Kept in file order: one seam. */
    TsRun *run = import_bytes(&b, NULL, NULL);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 15);
    assert_int_equal(s.step[11], 5);
    assert_int_equal(ts_series_segments(&s, NULL, 0), 2);
    ts_series_free(&s);
    ts_run_free(run);
    /* Purged: points with step >= 5 from before the restart are dropped. */
    TsImportOptions o;
    ts_import_options_default(&o);
    o.purge_restarts = true;
    TsImportReport rep;
    ts_import_report_init(&rep);
    run = import_bytes(&b, &o, &rep);
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 9);
    for (size_t i = 0; i < 9; i++) assert_int_equal(s.step[i], (int64_t)i);
    assert_true(s.value[4] == 4.0 && s.value[5] == 105.0);
    ts_series_free(&s);
    assert_int_equal(rep.n_purged, 6);
    ts_import_report_free(&rep);
    ts_run_free(run);
    free(b.p);
}

static void test_session_start_purges_every_tag(void **state) {
    (void)state;
    Bytes b = {0};
    for (int i = 0; i < 6; i++) {
        put_scalar(&b, i, i, "a", (float)i);
        put_scalar(&b, i, i, "b", (float)i);
    }
    put_session_start(&b, 50, 3);
    put_scalar(&b, 51, 4, "a", 40.0f); /* "b" is not logged again */
    TsImportOptions o;
    ts_import_options_default(&o);
    o.purge_restarts = true;
    TsRun *run = import_bytes(&b, &o, NULL);
    TsSeries s;
    read_metric(run, "metrics/b", &s);
    assert_int_equal(s.n, 3); /* steps 0, 1, 2 */
    assert_int_equal(s.step[2], 2);
    ts_series_free(&s);
    read_metric(run, "metrics/a", &s);
    assert_int_equal(s.n, 4);
    assert_true(s.value[3] == 40.0);
    ts_series_free(&s);
    ts_run_free(run);
    /* Without the option nothing is dropped. */
    run = import_bytes(&b, NULL, NULL);
    read_metric(run, "metrics/b", &s);
    assert_int_equal(s.n, 6);
    ts_series_free(&s);
    ts_run_free(run);
    free(b.p);
}

/* ---- names ---- */

static void test_name_clash_gets_a_number(void **state) {
    (void)state;
    Bytes b = {0};
    put_scalar(&b, 1, 1, "metrics/loss", 1.0f);
    put_scalar(&b, 1, 1, "loss", 2.0f);
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = import_bytes(&b, NULL, &rep);
    assert_int_equal(ts_run_metric_count(run), 2);
    assert_true(ts_run_find_metric(run, "metrics/loss") >= 0);
    assert_true(ts_run_find_metric(run, "metrics/loss#2") >= 0);
    TsSeries s;
    read_metric(run, "metrics/loss#2", &s);
    assert_true(s.value[0] == 2.0);
    ts_series_free(&s);
    assert_int_equal(rep.n_warnings, 1);
    ts_import_report_free(&rep);
    ts_run_free(run);
    free(b.p);
}

/* ---- files and folders ---- */

static void test_folder_files_in_order(void **state) {
    (void)state;
    char *dir = tmp_path("myrun");
    mkdir(dir, 0777);
    char f1[1200], f2[1200], f3[1200], csv[1200];
    /* natural order: ...host.1.2 before ...host.1.10 */
    snprintf(f1, sizeof f1, "%s/events.out.tfevents.1700000000.host.1.2", dir);
    snprintf(f2, sizeof f2, "%s/events.out.tfevents.1700000000.host.1.10", dir);
    snprintf(f3, sizeof f3, "%s/events.out.tfevents.1700000100.host.2.0", dir);
    snprintf(csv, sizeof csv, "%s/events.out.tfevents.1700000000.host.1.2.expected.csv", dir);
    Bytes a = {0}, b2 = {0}, c = {0};
    put_scalar(&a, 1, 1, "loss", 1.0f);
    put_scalar(&b2, 2, 2, "loss", 2.0f);
    write_file(f1, a.p, a.n);
    write_file(f2, b2.p, b2.n);
    write_file(f3, c.p, 0); /* an empty file: a writer that just started */
    write_file(csv, "tag,step,value\n", 15);
    assert_true(ts_import_probe(dir));
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsErr err;
    TsRun *run = ts_import_open_ex(dir, NULL, &rep, &err);
    assert_non_null(run);
    assert_string_equal(ts_run_name(run), strrchr(dir, '/') + 1);
    assert_int_equal(rep.n_files, 3);
    assert_int_equal(rep.n_warnings, 0);
    TsSeries s;
    read_metric(run, "metrics/loss", &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.step[0], 1);
    assert_int_equal(s.step[1], 2);
    ts_series_free(&s);
    ts_run_free(run);
    ts_import_report_free(&rep);
    /* A single event file opens too, named after its folder. */
    run = ts_import_open(f2, &err);
    assert_non_null(run);
    assert_string_equal(ts_run_name(run), strrchr(dir, '/') + 1);
    ts_run_free(run);
    unlink(f1);
    unlink(f2);
    unlink(f3);
    unlink(csv);
    rmdir(dir);
    free(a.p);
    free(b2.p);
}

static void test_empty_and_header_only(void **state) {
    (void)state;
    TsErr err;
    TsRun *run = ts_import_tfevents_buffer("", 0, "empty", NULL, NULL, &err);
    assert_non_null(run);
    assert_int_equal(ts_run_metric_count(run), 0);
    ts_run_free(run);
    Bytes b = {0};
    put_file_version(&b, 1.0);
    run = import_bytes(&b, NULL, NULL);
    assert_int_equal(ts_run_metric_count(run), 0);
    assert_string_equal(ts_run_created(run), "1970-01-01T00:00:01Z");
    ts_run_free(run);
    free(b.p);
    /* A folder without event files is an error naming the folder. */
    char *dir = tmp_path("noevents");
    mkdir(dir, 0777);
    assert_false(ts_import_probe(dir));
    assert_null(ts_import_open(dir, &err));
    assert_non_null(strstr(err.msg, "no TensorBoard event files"));
    assert_non_null(strstr(err.msg, dir));
    rmdir(dir);
}

static void test_lfs_pointer(void **state) {
    (void)state;
    const char *ptr = "version https://git-lfs.github.com/spec/v1\n"
                      "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                      "size 12345\n";
    char *dir = tmp_path("lfs");
    mkdir(dir, 0777);
    char f[1200];
    snprintf(f, sizeof f, "%s/events.out.tfevents.1.host", dir);
    write_file(f, ptr, strlen(ptr));
    TsErr err;
    assert_null(ts_import_open(dir, &err));
    assert_non_null(strstr(err.msg, "Git LFS pointer, not the log itself; run git lfs pull"));
    assert_non_null(strstr(err.msg, f));
    assert_null(ts_import_open(f, &err));
    assert_non_null(strstr(err.msg, "Git LFS pointer"));
    assert_null(ts_import_tfevents_buffer(ptr, strlen(ptr), "x", NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "Git LFS pointer"));
    unlink(f);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_vectors),
        cmocka_unit_test(test_simple_values),
        cmocka_unit_test(test_tf2_tensor_scalars),
        cmocka_unit_test(test_tf2_metadata_is_per_file),
        cmocka_unit_test(test_unpacked_repeated),
        cmocka_unit_test(test_bad_payload_checksum_skips_record),
        cmocka_unit_test(test_bad_header_checksum_resyncs),
        cmocka_unit_test(test_truncated_last_record_is_quiet),
        cmocka_unit_test(test_undecodable_payload_is_counted),
        cmocka_unit_test(test_restart_kept_or_purged),
        cmocka_unit_test(test_session_start_purges_every_tag),
        cmocka_unit_test(test_name_clash_gets_a_number),
        cmocka_unit_test(test_folder_files_in_order),
        cmocka_unit_test(test_empty_and_header_only),
        cmocka_unit_test(test_lfs_pointer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
