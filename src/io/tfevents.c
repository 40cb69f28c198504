/* tfevents.c - TensorBoard event files: record framing with both masked
 * CRC-32C checks, Event decoding with protobuf-c, scalars in both encodings
 * (simple_value, and TF2 tensors of the "scalars" plugin).
 * Layer: io. License: MIT. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/import_priv.h"
#include "io/run_backend.h"
#include "tfevents.pb-c.h"
#include "trajscope/xalloc.h"

/* ---- a per-record arena for protobuf-c (no malloc per record) ---- */

typedef struct Arena {
    unsigned char *base;
    size_t cap, used;
    void **big;         /* allocations that did not fit, freed at reset */
    size_t n_big, cap_big;
    size_t total, limit; /* bytes handed out for this record, and the cap */
} Arena;

static void *arena_alloc(void *data, size_t size) {
    Arena *a = data;
    if (size > ((size_t)1 << 40)) return NULL;
    size = (size + 15) & ~(size_t)15;
    if (a->total + size > a->limit) return NULL; /* a hostile record: refuse */
    a->total += size;
    if (a->used + size <= a->cap) {
        void *p = a->base + a->used;
        a->used += size;
        return p;
    }
    void *p = malloc(size);
    if (!p) return NULL;
    if (a->n_big == a->cap_big) {
        a->cap_big = a->cap_big ? 2 * a->cap_big : 8;
        a->big = ts_xreallocarray(a->big, a->cap_big, sizeof *a->big);
    }
    a->big[a->n_big++] = p;
    return p;
}

static void arena_free(void *data, void *ptr) {
    (void)data;
    (void)ptr; /* released all at once by arena_reset */
}

static void arena_reset(Arena *a, size_t next_record_len) {
    for (size_t i = 0; i < a->n_big; i++) free(a->big[i]);
    if (a->n_big > 0 && a->total > a->cap && a->total <= ((size_t)64 << 20)) {
        /* Records this size recur: make the block fit them. */
        free(a->base);
        a->cap = a->total * 2;
        a->base = ts_xmalloc(a->cap);
    }
    a->n_big = 0;
    a->used = 0;
    a->total = 0;
    a->limit = 64 * next_record_len + ((size_t)1 << 20);
}

static void arena_destroy(Arena *a) {
    for (size_t i = 0; i < a->n_big; i++) free(a->big[i]);
    free(a->big);
    free(a->base);
    memset(a, 0, sizeof *a);
}

/* ---- reading a file (or a buffer) in a sliding window ---- */

typedef struct Rd {
    int fd;                  /* -1: the whole input is in memory */
    unsigned char *buf;      /* owned window buffer (file mode) */
    size_t cap;
    const unsigned char *p;  /* window */
    size_t len;
    uint64_t offset;         /* input offset of p */
    bool eof;
    int read_errno;          /* non-zero after a read error */
} Rd;

/* Makes at least need bytes available; false when the input ends (or
 * cannot hold them) first. */
static bool rd_fill(Rd *r, size_t need) {
    while (r->len < need && !r->eof) {
        if (r->fd < 0) {
            r->eof = true;
            break;
        }
        if (need > r->cap) {
            /* Do not grow for a record the file cannot hold. */
            struct stat st;
            if (fstat(r->fd, &st) == 0 && (uint64_t)st.st_size < r->offset + need) return false;
        }
        if (r->p != r->buf) {
            memmove(r->buf, r->p, r->len);
            r->p = r->buf;
        }
        if (need > r->cap) {
            size_t nc = r->cap * 2 > need ? r->cap * 2 : need;
            r->buf = ts_xreallocarray(r->buf, nc, 1);
            r->cap = nc;
            r->p = r->buf;
        }
        ssize_t k = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (k < 0) {
            if (errno == EINTR) continue;
            r->read_errno = errno;
            r->eof = true;
            break;
        }
        if (k == 0) {
            r->eof = true;
            break;
        }
        r->len += (size_t)k;
    }
    return r->len >= need;
}

static void rd_skip(Rd *r, size_t n) {
    r->p += n;
    r->len -= n;
    r->offset += n;
}

/* ---- decoding ---- */

enum { TAG_SCALAR = 1, TAG_OTHER = 2 };
enum { SESSION_START = 1 };

typedef struct TfCtx {
    ImpBuf *b;
    TsImportReport *rep;
    const char *file;
    ImpMap tag_state;        /* this file: tag -> TAG_SCALAR / TAG_OTHER */
    Arena arena;
    ProtobufCAllocator alloc;
    bool have_first_wall;
    double first_wall;
    /* this file's problems */
    size_t bad_crc, bad_regions, bad_bytes, undecodable, bad_tensor, no_tag;
    char bad_tensor_tag[64];
} TfCtx;

static uint64_t get_le(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static float f32_from_bits(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static float half_to_float(uint32_t h) {
    uint32_t sign = (h >> 15) & 1u, exp = (h >> 10) & 0x1Fu, mant = h & 0x3FFu;
    float v;
    if (exp == 0) v = ldexpf((float)mant, -24);
    else if (exp == 31) v = mant ? NAN : INFINITY;
    else v = ldexpf((float)(mant | 0x400u), (int)exp - 25);
    return sign ? -v : v;
}

/* The single value of a scalar tensor; false when it is not one element of
 * a supported type. */
static bool tensor_scalar(const Tsproto__TensorProto *t, double *out, unsigned *type) {
    if (t->tensor_shape) {
        if (t->tensor_shape->has_unknown_rank && t->tensor_shape->unknown_rank) return false;
        for (size_t i = 0; i < t->tensor_shape->n_dim; i++)
            if (t->tensor_shape->dim[i]->size != 1) return false;
    }
    const unsigned char *c = t->has_tensor_content && t->tensor_content.len > 0 ? t->tensor_content.data : NULL;
    size_t clen = c ? t->tensor_content.len : 0;
    int dt = t->has_dtype ? t->dtype : 0;
    size_t width = 0, n_vals = 0;
    switch (dt) {
    case 1: /* DT_FLOAT */
        *type = IMP_F32;
        if (c) {
            if (clen != 4) return false;
            *out = f32_from_bits((uint32_t)get_le(c, 4));
            return t->n_float_val == 0;
        }
        if (t->n_float_val != 1) return false;
        *out = t->float_val[0];
        return true;
    case 2: /* DT_DOUBLE */
        *type = IMP_F64;
        if (c) {
            if (clen != 8) return false;
            uint64_t bits = get_le(c, 8);
            memcpy(out, &bits, sizeof *out);
            return t->n_double_val == 0;
        }
        if (t->n_double_val != 1) return false;
        *out = t->double_val[0];
        return true;
    case 19: /* DT_HALF */
    case 14: /* DT_BFLOAT16 */
        *type = IMP_F32;
        {
            uint32_t bits;
            if (c) {
                if (clen != 2 || t->n_half_val != 0) return false;
                bits = (uint32_t)get_le(c, 2);
            } else {
                if (t->n_half_val != 1) return false;
                bits = (uint32_t)t->half_val[0] & 0xFFFFu;
            }
            *out = dt == 19 ? half_to_float(bits) : f32_from_bits(bits << 16);
        }
        return true;
    case 3: width = 4; n_vals = t->n_int_val; break;  /* DT_INT32 */
    case 5: width = 2; n_vals = t->n_int_val; break;  /* DT_INT16 */
    case 6: width = 1; n_vals = t->n_int_val; break;  /* DT_INT8 */
    case 4: width = 1; n_vals = t->n_int_val; break;  /* DT_UINT8 */
    case 17: width = 2; n_vals = t->n_int_val; break; /* DT_UINT16 */
    case 9: width = 8; n_vals = t->n_int64_val; break; /* DT_INT64 */
    case 22: width = 4; n_vals = t->n_uint32_val; break; /* DT_UINT32 */
    case 23: width = 8; n_vals = t->n_uint64_val; break; /* DT_UINT64 */
    default:
        return false;
    }
    *type = IMP_I64;
    bool is_unsigned = dt == 4 || dt == 17 || dt == 22 || dt == 23;
    if (c) {
        if (clen != width || n_vals != 0) return false;
        uint64_t raw = get_le(c, (int)width);
        if (is_unsigned) {
            *out = (double)raw;
        } else {
            /* sign-extend */
            unsigned shift = 64u - 8u * (unsigned)width;
            int64_t sv = (int64_t)(raw << shift) >> shift;
            *out = (double)sv;
        }
        return true;
    }
    if (n_vals != 1) return false;
    switch (dt) {
    case 9: *out = (double)t->int64_val[0]; break;
    case 22: *out = (double)t->uint32_val[0]; break;
    case 23: *out = (double)t->uint64_val[0]; break;
    default: *out = (double)t->int_val[0]; break;
    }
    return true;
}

static bool plugin_is_scalars(const Tsproto__SummaryMetadata *md) {
    const Tsproto__SummaryMetadata__PluginData *pd = md->plugin_data;
    return pd && pd->has_plugin_name && pd->plugin_name.len == 7 &&
           memcmp(pd->plugin_name.data, "scalars", 7) == 0;
}

static void decode_event(TfCtx *ctx, const unsigned char *data, size_t len) {
    Tsproto__Event *ev = tsproto__event__unpack(&ctx->alloc, len, data);
    if (!ev) {
        ctx->undecodable++;
        return;
    }
    ctx->rep->n_records++;
    double wall = ev->has_wall_time ? ev->wall_time : NAN;
    int64_t step = ev->has_step ? ev->step : 0;
    if (!ctx->have_first_wall && ev->has_wall_time) {
        ctx->have_first_wall = true;
        ctx->first_wall = ev->wall_time;
    }
    if (ev->session_log && ev->session_log->has_status && ev->session_log->status == SESSION_START)
        imp_buf_restart(ctx->b, step);
    if (!ev->summary) return;
    for (size_t i = 0; i < ev->summary->n_value; i++) {
        const Tsproto__Summary__Value *v = ev->summary->value[i];
        const void *tag = v->has_tag ? v->tag.data : NULL;
        size_t tag_len = v->has_tag ? v->tag.len : 0;
        double value;
        unsigned type;
        if (v->has_simple_value) {
            value = v->simple_value;
            type = IMP_F32;
        } else {
            int state = 0;
            if (v->metadata) {
                state = plugin_is_scalars(v->metadata) ? TAG_SCALAR : TAG_OTHER;
                imp_map_put(&ctx->tag_state, tag ? tag : "", tag_len, (size_t)state);
            } else {
                const size_t *s = imp_map_get(&ctx->tag_state, tag ? tag : "", tag_len);
                state = s ? (int)*s : 0;
            }
            if (state != TAG_SCALAR || !v->tensor) continue;
            if (!tensor_scalar(v->tensor, &value, &type)) {
                if (ctx->bad_tensor++ == 0) {
                    size_t n = tag_len < sizeof ctx->bad_tensor_tag - 1 ? tag_len : sizeof ctx->bad_tensor_tag - 1;
                    if (n) memcpy(ctx->bad_tensor_tag, tag, n);
                    ctx->bad_tensor_tag[n] = '\0';
                }
                continue;
            }
        }
        if (tag_len == 0) {
            ctx->no_tag++;
            continue;
        }
        size_t m = imp_buf_metric(ctx->b, tag, tag_len);
        imp_buf_append(ctx->b, m, step, value, wall, type);
    }
}

/* Reads every record of one input. False (err set) only when the input
 * cannot be read at all. */
static bool read_records(TfCtx *ctx, Rd *r, TsErr *err) {
    bool resync = false;
    size_t n_lfs = 64;
    if (rd_fill(r, n_lfs) || r->len > 0) {
        if (imp_is_lfs_pointer(r->p, r->len)) {
            ts_err_set(err, "%s: Git LFS pointer, not the log itself; run git lfs pull", ctx->file);
            return false;
        }
    }
    for (;;) {
        if (!rd_fill(r, 12)) {
            if (resync) ctx->bad_bytes += r->len;
            else if (r->len > 0) ctx->rep->truncated = true;
            break;
        }
        uint64_t len = get_le(r->p, 8);
        if (ts_crc32c_masked(r->p, 8) != (uint32_t)get_le(r->p + 8, 4)) {
            /* A damaged length: look for the next record that checks. */
            if (!resync) {
                resync = true;
                ctx->bad_regions++;
            }
            ctx->bad_bytes++;
            rd_skip(r, 1);
            continue;
        }
        if (len > (uint64_t)SIZE_MAX - 16 || !rd_fill(r, 12 + (size_t)len + 4)) {
            if (resync) {
                ctx->bad_bytes++;
                rd_skip(r, 1);
                continue;
            }
            ctx->rep->truncated = true; /* still being written */
            break;
        }
        const unsigned char *payload = r->p + 12;
        if (ts_crc32c_masked(payload, (size_t)len) != (uint32_t)get_le(payload + len, 4)) {
            if (resync) {
                ctx->bad_bytes++;
                rd_skip(r, 1);
                continue;
            }
            ctx->bad_crc++;
            rd_skip(r, 12 + (size_t)len + 4);
            continue;
        }
        resync = false;
        arena_reset(&ctx->arena, (size_t)len);
        decode_event(ctx, payload, (size_t)len);
        rd_skip(r, 12 + (size_t)len + 4);
    }
    if (r->read_errno) {
        ts_err_set(err, "%s: read error: %s", ctx->file, strerror(r->read_errno));
        return false;
    }
    ctx->rep->n_bytes += r->offset + r->len;
    return true;
}

static void file_begin(TfCtx *ctx, const char *file) {
    ctx->file = file;
    imp_map_clear(&ctx->tag_state);
    ctx->bad_crc = ctx->bad_regions = ctx->bad_bytes = ctx->undecodable = ctx->bad_tensor = ctx->no_tag = 0;
}

static void file_end(TfCtx *ctx) {
    TsImportReport *r = ctx->rep;
    r->n_files++;
    if (ctx->bad_crc)
        imp_warn(r, "%s: %zu record%s with a bad checksum skipped", ctx->file, ctx->bad_crc,
                 ctx->bad_crc == 1 ? "" : "s");
    if (ctx->bad_regions)
        imp_warn(r, "%s: %zu damaged region%s (%zu bytes) skipped", ctx->file, ctx->bad_regions,
                 ctx->bad_regions == 1 ? "" : "s", ctx->bad_bytes);
    if (ctx->undecodable)
        imp_warn(r, "%s: %zu record%s that are not Event messages skipped", ctx->file, ctx->undecodable,
                 ctx->undecodable == 1 ? "" : "s");
    if (ctx->bad_tensor)
        imp_warn(r, "%s: %zu scalar tensor%s of an unsupported type or shape skipped (first: '%s')", ctx->file,
                 ctx->bad_tensor, ctx->bad_tensor == 1 ? "" : "s", ctx->bad_tensor_tag);
    if (ctx->no_tag)
        imp_warn(r, "%s: %zu scalar%s without a tag skipped", ctx->file, ctx->no_tag, ctx->no_tag == 1 ? "" : "s");
    r->n_skipped += ctx->bad_crc + ctx->bad_regions + ctx->undecodable;
}

static void ctx_init(TfCtx *ctx, ImpBuf *b, TsImportReport *rep) {
    memset(ctx, 0, sizeof *ctx);
    ctx->b = b;
    ctx->rep = rep;
    imp_map_init(&ctx->tag_state);
    ctx->arena.cap = 64 * 1024;
    ctx->arena.base = ts_xmalloc(ctx->arena.cap);
    ctx->alloc.alloc = arena_alloc;
    ctx->alloc.free = arena_free;
    ctx->alloc.allocator_data = &ctx->arena;
}

static void ctx_free(TfCtx *ctx) {
    imp_map_free(&ctx->tag_state);
    arena_destroy(&ctx->arena);
}

static TsRun *finish(TfCtx *ctx, const char *path, const char *name) {
    TsRun *run = imp_buf_to_run(ctx->b, path, name, "tfevents");
    /* Years 1 to 9999 only: a wall time beyond that is not a date. */
    if (ctx->have_first_wall && ctx->first_wall > -62135596800.0 && ctx->first_wall < 253402300800.0) {
        time_t t = (time_t)floor(ctx->first_wall);
        struct tm tm;
        char iso[64];
        if (gmtime_r(&t, &tm) && strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
            ts_run_set_created(run, iso);
    }
    return run;
}

TsRun *imp_tfevents_files(const char *path, const char *name, char *const *files, size_t n_files,
                          const TsImportOptions *o, TsImportReport *r, TsErr *err) {
    ImpBuf b;
    imp_buf_init(&b, o, r, true);
    TfCtx ctx;
    ctx_init(&ctx, &b, r);
    bool ok = true;
    for (size_t i = 0; ok && i < n_files; i++) {
        int fd = open(files[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            ts_err_set(err, "%s: %s", files[i], strerror(errno));
            ok = false;
            break;
        }
        Rd rd = {.fd = fd, .cap = (size_t)4 << 20};
        rd.buf = ts_xmalloc(rd.cap);
        rd.p = rd.buf;
        file_begin(&ctx, files[i]);
        ok = read_records(&ctx, &rd, err);
        if (ok) file_end(&ctx);
        free(rd.buf);
        close(fd);
    }
    TsRun *run = NULL;
    if (ok) run = finish(&ctx, path, name);
    else imp_buf_free(&b);
    ctx_free(&ctx);
    return run;
}

TsRun *ts_import_tfevents_buffer(const void *data, size_t len, const char *name, const TsImportOptions *opts,
                                 TsImportReport *report, TsErr *err) {
    ts_err_clear(err);
    TsImportReport local;
    ts_import_report_init(&local);
    TsImportReport *r = report ? report : &local;
    ImpBuf b;
    imp_buf_init(&b, opts, r, true);
    TfCtx ctx;
    ctx_init(&ctx, &b, r);
    Rd rd = {.fd = -1, .p = data, .len = len};
    file_begin(&ctx, name);
    TsRun *run = NULL;
    if (read_records(&ctx, &rd, err)) {
        file_end(&ctx);
        run = finish(&ctx, name, name);
        imp_run_keep_report(run, r);
    } else {
        imp_buf_free(&b);
    }
    ctx_free(&ctx);
    ts_import_report_free(&local);
    return run;
}
