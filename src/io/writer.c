/* writer.c - creates trajscope HDF5 archives (docs/FORMAT.md) and appends rows.
 * Layer: io (one of the two HDF5 users; no HDF5 type leaves this file).
 * License: MIT. */
#include "trajscope/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "io/writer_chunks.h"
#include "trajscope/xalloc.h"

#define FORMAT_VERSION 1
#define MAX_CHUNK_ROWS ((size_t)1 << 24)

typedef enum ColType { COL_F32, COL_F64, COL_I64 } ColType;

typedef struct WStream {
    char *name;
    hid_t group;
    size_t n_metrics;
    char **metric;
    hid_t *ds;          /* [n_metrics] metric columns */
    hid_t step, wall, tokens; /* wall/tokens: H5I_INVALID_HID when absent */
    size_t rows;        /* rows in the file */
    size_t nbuf;        /* rows buffered, not yet written */
    double *vbuf;       /* [n_metrics][cap]: one contiguous block per column */
    int64_t *sbuf, *tbuf;
    double *wbuf;
    TsChunkBlock *blocks; /* [n_metrics + 3]: full blocks for writer_chunks.c */
} WStream;

struct TsWriter {
    char *path;         /* the archive's final path (named in errors) */
    char *tmp;          /* atomic mode: the temporary file written */
    TsWriterOptions o;
    size_t cap;         /* rows buffered per stream before a block is written */
    hid_t file, scalars;
    bool swmr;
    WStream *streams;
    size_t n_streams;
    size_t last;        /* stream lookup cache */
    TsWriterChunks *chunks; /* encoders of the parallel block writes */
    /* /checkpoints */
    bool has_ck;
    hid_t ck_group, ck_step;
    hid_t *ck_ds;       /* [ck_s] */
    size_t ck_l, ck_s, ck_rows;
};

/* ---- errors ---- */

typedef struct Reason {
    char text[256];
} Reason;

static herr_t reason_cb(unsigned n, const H5E_error2_t *e, void *data) {
    (void)n;
    Reason *r = data;
    if (!e->desc) return 0;
    /* Low-level I/O failures carry the system's message: prefer it. */
    const char *m = strstr(e->desc, "error message = '");
    if (m) {
        m += strlen("error message = '");
        const char *end = strchr(m, '\'');
        size_t len = end ? (size_t)(end - m) : strlen(m);
        if (len >= sizeof r->text) len = sizeof r->text - 1;
        memcpy(r->text, m, len);
        r->text[len] = '\0';
        return 1; /* stop: this is the best explanation */
    }
    snprintf(r->text, sizeof r->text, "%s", e->desc);
    return 0;
}

static bool fail(const TsWriter *w, TsErr *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail_h5(const TsWriter *w, TsErr *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "PATH: message". */
static bool fail(const TsWriter *w, TsErr *err, const char *fmt, ...) {
    char msg[TS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ts_err_set(err, "%s: %s", w->path, msg);
    H5Eclear2(H5E_DEFAULT);
    return false;
}

/* "PATH: message (reason)" with the reason taken from the HDF5 error stack
 * left by the call that just failed. */
static bool fail_h5(const TsWriter *w, TsErr *err, const char *fmt, ...) {
    char msg[TS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    Reason r = {.text = ""};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, reason_cb, &r);
    H5Eclear2(H5E_DEFAULT);
    if (r.text[0])
        ts_err_set(err, "%s: %s (%s)", w->path, msg, r.text);
    else
        ts_err_set(err, "%s: %s", w->path, msg);
    return false;
}

static void close_id(hid_t *id) {
    if (*id >= 0) H5Oclose(*id);
    *id = H5I_INVALID_HID;
}

/* ---- small HDF5 helpers ---- */

/* Variable-length UTF-8 string type (what h5py writes for str). */
static hid_t string_type(void) {
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

static bool delete_attr(hid_t loc, const char *name) {
    htri_t has = H5Aexists(loc, name);
    if (has < 0) return false;
    return has == 0 || H5Adelete(loc, name) >= 0;
}

static bool write_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *value) {
    if (!delete_attr(loc, name)) return false;
    hid_t space = H5Screate(H5S_SCALAR);
    if (space < 0) return false;
    hid_t a = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    bool ok = a >= 0 && H5Awrite(a, mtype, value) >= 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    return ok;
}

static bool write_string_attr(hid_t loc, const char *name, const char *value) {
    hid_t t = string_type();
    if (t < 0) return false;
    bool ok = write_attr(loc, name, t, t, &value);
    H5Tclose(t);
    return ok;
}

/* Dataset creation properties without object timestamps: the same data
 * written twice gives the same bytes (make samples is reproducible). */
static hid_t untimed_dcpl(void) {
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl >= 0) H5Pset_obj_track_times(dcpl, 0);
    return dcpl;
}

/* A dataset with no chunking or filters (scalars, small fixed arrays). */
static hid_t small_dataset_create(hid_t loc, const char *name, hid_t type, hid_t space) {
    hid_t dcpl = untimed_dcpl();
    hid_t ds = dcpl >= 0 ? H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)
                         : H5I_INVALID_HID;
    if (dcpl >= 0) H5Pclose(dcpl);
    return ds;
}

static hid_t group_create(hid_t loc, const char *name) {
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl < 0) return gcpl;
    H5Pset_obj_track_times(gcpl, 0);
    /* Readers list streams and metrics in declaration order. */
    H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    return g;
}

/* An extendible dataset of rank 1 ([0] / [unlimited]) or 2 ([0, cols] /
 * [unlimited, cols]), chunked, shuffled and deflated. */
static hid_t column_create(const TsWriter *w, hid_t loc, const char *name, hid_t ftype,
                           size_t chunk_rows, size_t cols) {
    int rank = cols ? 2 : 1;
    hsize_t dims[2] = {0, cols}, maxdims[2] = {H5S_UNLIMITED, cols}, chunk[2] = {chunk_rows, cols};
    hid_t space = H5Screate_simple(rank, dims, maxdims);
    hid_t dcpl = untimed_dcpl();
    hid_t ds = H5I_INVALID_HID;
    if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, rank, chunk) >= 0) {
        if (w->o.deflate_level > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, (unsigned)w->o.deflate_level);
        }
        ds = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    }
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    return ds;
}

/* Writes n rows (of cols values each, or scalars when cols == 0) at row
 * `at`, extending the dataset to at + n rows first. */
static bool rows_write(hid_t ds, hid_t mtype, const void *buf, size_t at, size_t n, size_t cols) {
    int rank = cols ? 2 : 1;
    hsize_t size[2] = {at + n, cols}, off[2] = {at, 0}, cnt[2] = {n, cols};
    if (H5Dset_extent(ds, size) < 0) return false;
    hid_t fs = H5Dget_space(ds);
    if (fs < 0) return false;
    bool ok = H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL) >= 0;
    hid_t ms = ok ? H5Screate_simple(rank, cnt, NULL) : H5I_INVALID_HID;
    ok = ok && ms >= 0 && H5Dwrite(ds, mtype, ms, fs, H5P_DEFAULT, buf) >= 0;
    if (ms >= 0) H5Sclose(ms);
    H5Sclose(fs);
    return ok;
}

/* The stream's columns as writer_chunks.c blocks, in write order: metrics,
 * wall time, tokens, step (absent columns have dataset < 0). Columns and
 * their buffers never move, so this is made once per stream. */
static TsChunkBlock *stream_blocks(const TsWriter *w, const WStream *s) {
    size_t m = s->n_metrics;
    TsChunkBlock *b = ts_xcalloc(m + 3, sizeof *b);
    for (size_t j = 0; j < m; j++) b[j] = (TsChunkBlock){.dataset = s->ds[j], .values = s->vbuf + j * w->cap};
    b[m] = (TsChunkBlock){.dataset = s->wall, .values = s->wbuf};
    b[m + 1] = (TsChunkBlock){.dataset = s->tokens, .values = s->tbuf, .is_int64 = true};
    b[m + 2] = (TsChunkBlock){.dataset = s->step, .values = s->sbuf, .is_int64 = true};
    return b;
}

/* One column's rows [at, at + n): the block's encoded chunk when there is
 * one, else through H5Dwrite. */
static bool column_write(const TsChunkBlock *b, hid_t ds, hid_t mtype, const void *buf, size_t at, size_t n) {
    if (b && b->encoded) return ts_writer_chunks_store(b, at, n);
    return rows_write(ds, mtype, buf, at, n, 0);
}

/* A link name: not empty, no '/', not ".". */
static bool valid_name(const char *s) {
    return s && s[0] && !strchr(s, '/') && strcmp(s, ".") != 0;
}

static bool parse_dtype(const char *s, ColType *t) {
    if (!s) return false;
    if (strcmp(s, "float64") == 0 || strcmp(s, "float128") == 0 || strcmp(s, "float80") == 0) *t = COL_F64;
    else if (strcmp(s, "float32") == 0 || strcmp(s, "float16") == 0) *t = COL_F32;
    else if (strncmp(s, "int", 3) == 0 || strncmp(s, "uint", 4) == 0) *t = COL_I64;
    else return false;
    return true;
}

static hid_t col_ftype(ColType t) {
    return t == COL_F32 ? H5T_IEEE_F32LE : t == COL_I64 ? H5T_STD_I64LE : H5T_IEEE_F64LE;
}

/* ---- lifecycle ---- */

void ts_writer_options_default(TsWriterOptions *opts) {
    opts->atomic = false;
    opts->deflate_level = 4;
    opts->chunk_rows = 4096;
    opts->overwrite = false;
}

static void stream_free(WStream *s) {
    for (size_t j = 0; j < s->n_metrics; j++) {
        close_id(&s->ds[j]);
        free(s->metric[j]);
    }
    close_id(&s->step);
    close_id(&s->wall);
    close_id(&s->tokens);
    close_id(&s->group);
    free(s->ds);
    free(s->metric);
    free(s->vbuf);
    free(s->sbuf);
    free(s->tbuf);
    free(s->wbuf);
    if (s->blocks)
        for (size_t k = 0; k < s->n_metrics + 3; k++) ts_writer_chunks_free_block(&s->blocks[k]);
    free(s->blocks);
    free(s->name);
}

/* Closes every HDF5 id and the file; true when the file closed cleanly. */
static bool close_all(TsWriter *w) {
    for (size_t i = 0; i < w->n_streams; i++) stream_free(&w->streams[i]);
    free(w->streams);
    w->streams = NULL;
    w->n_streams = 0;
    for (size_t j = 0; j < w->ck_s; j++) close_id(&w->ck_ds[j]);
    free(w->ck_ds);
    w->ck_ds = NULL;
    close_id(&w->ck_step);
    close_id(&w->ck_group);
    close_id(&w->scalars);
    bool ok = true;
    if (w->file >= 0) ok = H5Fclose(w->file) >= 0;
    w->file = H5I_INVALID_HID;
    return ok;
}

static void writer_free(TsWriter *w) {
    ts_writer_chunks_free(w->chunks);
    free(w->path);
    free(w->tmp);
    free(w);
}

static mode_t current_umask(void) {
    mode_t m = umask(0);
    umask(m);
    return m;
}

TsWriter *ts_writer_create(const char *path, const char *run_name, const TsWriterOptions *opts,
                           TsErr *err) {
    ts_err_clear(err);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (!path || !path[0]) {
        ts_err_set(err, "(no path): cannot create an archive without a file name");
        return NULL;
    }
    TsWriter *w = ts_xcalloc(1, sizeof *w);
    w->path = ts_xstrdup(path);
    w->file = w->scalars = w->ck_group = w->ck_step = H5I_INVALID_HID;
    if (opts) w->o = *opts;
    else ts_writer_options_default(&w->o);
    if (w->o.chunk_rows == 0) w->o.chunk_rows = 4096;
    if (w->o.deflate_level < 0 || w->o.deflate_level > 9) {
        fail(w, err, "deflate level %d is not in 0..9", w->o.deflate_level);
        writer_free(w);
        return NULL;
    }
    if (w->o.chunk_rows > MAX_CHUNK_ROWS) {
        fail(w, err, "chunk_rows %zu is too large (at most %zu)", w->o.chunk_rows, MAX_CHUNK_ROWS);
        writer_free(w);
        return NULL;
    }
    w->cap = w->o.chunk_rows;

    /* Where the bytes go: a unique temporary beside the target (atomic), or
     * the target itself, created here so errno explains any refusal. */
    const char *target = path;
    bool created_new = false;
    struct stat st;
    if (w->o.atomic) {
        if (!w->o.overwrite && lstat(path, &st) == 0) {
            fail(w, err, "file exists (refusing to overwrite)");
            writer_free(w);
            return NULL;
        }
        w->tmp = ts_xasprintf("%s.tmp-XXXXXX", path);
        int fd = mkstemp(w->tmp);
        if (fd < 0) {
            fail(w, err, "cannot create a temporary file beside it (%s)", strerror(errno));
            writer_free(w);
            return NULL;
        }
        fchmod(fd, 0666 & ~current_umask());
        close(fd);
        target = w->tmp;
    } else {
        created_new = lstat(path, &st) != 0;
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (w->o.overwrite ? 0 : O_EXCL), 0666);
        if (fd < 0) {
            if (errno == EEXIST) fail(w, err, "file exists (refusing to overwrite)");
            else fail(w, err, "cannot create (%s)", strerror(errno));
            writer_free(w);
            return NULL;
        }
        close(fd);
    }

    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fcpl >= 0) {
        H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
        H5Pset_obj_track_times(fcpl, 0); /* the root group: reproducible bytes */
    }
    if (fapl >= 0) {
        /* SWMR needs the latest file format; strong close releases everything. */
        H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    }
    w->file = (fcpl >= 0 && fapl >= 0) ? H5Fcreate(target, H5F_ACC_TRUNC, fcpl, fapl) : H5I_INVALID_HID;
    if (fcpl >= 0) H5Pclose(fcpl);
    if (fapl >= 0) H5Pclose(fapl);
    bool ok = w->file >= 0;
    if (!ok) {
        fail_h5(w, err, "cannot create the HDF5 file");
    } else {
        int64_t version = FORMAT_VERSION;
        ok = write_attr(w->file, "trajscope_format", H5T_STD_I64LE, H5T_NATIVE_INT64, &version) &&
             write_string_attr(w->file, "run_name", run_name ? run_name : "");
        if (!ok) fail_h5(w, err, "cannot write the root attributes");
    }
    if (!ok) {
        close_all(w);
        if (w->tmp) unlink(w->tmp);
        else if (created_new) unlink(path);
        writer_free(w);
        return NULL;
    }
    return w;
}

/* ---- structure ---- */

static bool structure_open(TsWriter *w, TsErr *err) {
    if (w->swmr) return fail(w, err, "cannot change the archive's structure after ts_writer_start_swmr");
    return true;
}

static bool config_key_ok(TsWriter *w, const char *key, TsErr *err) {
    if (!structure_open(w, err)) return false;
    if (!key || !key[0]) return fail(w, err, "empty configuration key");
    if (strcmp(key, "trajscope_format") == 0 || strcmp(key, "run_name") == 0 || strcmp(key, "created") == 0)
        return fail(w, err, "configuration key '%s' is reserved", key);
    return true;
}

bool ts_writer_set_created(TsWriter *w, const char *iso8601, TsErr *err) {
    ts_err_clear(err);
    if (!structure_open(w, err)) return false;
    if (!iso8601) return fail(w, err, "no creation time given");
    if (!write_string_attr(w->file, "created", iso8601)) return fail_h5(w, err, "cannot write attribute created");
    return true;
}

bool ts_writer_set_config_text(TsWriter *w, const char *key, const char *value, TsErr *err) {
    ts_err_clear(err);
    if (!config_key_ok(w, key, err)) return false;
    if (!write_string_attr(w->file, key, value ? value : ""))
        return fail_h5(w, err, "cannot write configuration attribute %s", key);
    return true;
}

bool ts_writer_set_config_number(TsWriter *w, const char *key, double value, TsErr *err) {
    ts_err_clear(err);
    if (!config_key_ok(w, key, err)) return false;
    if (!write_attr(w->file, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value))
        return fail_h5(w, err, "cannot write configuration attribute %s", key);
    return true;
}

bool ts_writer_set_config_int(TsWriter *w, const char *key, int64_t value, TsErr *err) {
    ts_err_clear(err);
    if (!config_key_ok(w, key, err)) return false;
    if (!write_attr(w->file, key, H5T_STD_I64LE, H5T_NATIVE_INT64, &value))
        return fail_h5(w, err, "cannot write configuration attribute %s", key);
    return true;
}

bool ts_writer_set_config_json(TsWriter *w, const char *json, TsErr *err) {
    ts_err_clear(err);
    if (!structure_open(w, err)) return false;
    if (!json) return fail(w, err, "no configuration JSON given");
    htri_t has = H5Lexists(w->file, "config", H5P_DEFAULT);
    if (has < 0 || (has > 0 && H5Ldelete(w->file, "config", H5P_DEFAULT) < 0))
        return fail_h5(w, err, "cannot replace /config");
    hid_t t = string_type();
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t ds = (t >= 0 && space >= 0)
                   ? small_dataset_create(w->file, "config", t, space)
                   : H5I_INVALID_HID;
    bool ok = ds >= 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &json) >= 0;
    if (ds >= 0) H5Dclose(ds);
    if (space >= 0) H5Sclose(space);
    if (t >= 0) H5Tclose(t);
    if (!ok) return fail_h5(w, err, "cannot write /config");
    return true;
}

static WStream *find_stream(TsWriter *w, const char *name) {
    if (!name) return NULL;
    if (w->last < w->n_streams && strcmp(w->streams[w->last].name, name) == 0) return &w->streams[w->last];
    for (size_t i = 0; i < w->n_streams; i++)
        if (strcmp(w->streams[i].name, name) == 0) {
            w->last = i;
            return &w->streams[i];
        }
    return NULL;
}

bool ts_writer_add_stream_typed(TsWriter *w, const char *stream, const char *const *metrics,
                                const char *const *dtypes, size_t n_metrics, unsigned flags,
                                TsErr *err) {
    ts_err_clear(err);
    if (!structure_open(w, err)) return false;
    if (!valid_name(stream)) return fail(w, err, "invalid stream name '%s' (empty, '.' or with '/')", stream ? stream : "");
    if (find_stream(w, stream)) return fail(w, err, "stream '%s' declared twice", stream);
    if (n_metrics > 0 && !metrics) return fail(w, err, "stream '%s': no metric names given", stream);
    ColType *types = ts_xcalloc(n_metrics ? n_metrics : 1, sizeof *types);
    for (size_t j = 0; j < n_metrics; j++) {
        const char *m = metrics[j];
        const char *why = NULL;
        if (!valid_name(m)) why = "invalid metric name (empty, '.' or with '/')";
        else if (strcmp(m, "step") == 0 || strcmp(m, "wall_time") == 0) why = "metric name is reserved";
        else if (strcmp(m, "tokens") == 0 && (flags & TS_STREAM_TOKENS)) why = "metric name is reserved";
        for (size_t k = 0; !why && k < j; k++)
            if (strcmp(metrics[k], m) == 0) why = "metric declared twice";
        if (!why && dtypes && !parse_dtype(dtypes[j], &types[j]))
            why = "unknown storage type (float32, float64 or int64)";
        else if (!why && !dtypes)
            types[j] = (flags & TS_STREAM_FLOAT32) ? COL_F32 : COL_F64;
        if (why) {
            free(types);
            return fail(w, err, "stream '%s', metric '%s': %s", stream, m ? m : "", why);
        }
    }
    if (w->scalars < 0) {
        htri_t has = H5Lexists(w->file, "scalars", H5P_DEFAULT);
        w->scalars = has > 0 ? H5Gopen2(w->file, "scalars", H5P_DEFAULT) : group_create(w->file, "scalars");
        if (w->scalars < 0) {
            free(types);
            return fail_h5(w, err, "cannot create /scalars");
        }
    }
    w->streams = ts_xreallocarray(w->streams, w->n_streams + 1, sizeof *w->streams);
    WStream *s = &w->streams[w->n_streams];
    memset(s, 0, sizeof *s);
    s->group = s->step = s->wall = s->tokens = H5I_INVALID_HID;
    s->name = ts_xstrdup(stream);
    s->n_metrics = n_metrics;
    s->metric = ts_xcalloc(n_metrics ? n_metrics : 1, sizeof *s->metric);
    s->ds = ts_xcalloc(n_metrics ? n_metrics : 1, sizeof *s->ds);
    for (size_t j = 0; j < n_metrics; j++) {
        s->metric[j] = ts_xstrdup(metrics[j]);
        s->ds[j] = H5I_INVALID_HID;
    }
    bool ok = (s->group = group_create(w->scalars, stream)) >= 0;
    for (size_t j = 0; ok && j < n_metrics; j++)
        ok = (s->ds[j] = column_create(w, s->group, metrics[j], col_ftype(types[j]), w->cap, 0)) >= 0;
    if (ok && (flags & TS_STREAM_WALL_TIME))
        ok = (s->wall = column_create(w, s->group, "wall_time", H5T_IEEE_F64LE, w->cap, 0)) >= 0;
    if (ok && (flags & TS_STREAM_TOKENS))
        ok = (s->tokens = column_create(w, s->group, "tokens", H5T_STD_I64LE, w->cap, 0)) >= 0;
    if (ok) ok = (s->step = column_create(w, s->group, "step", H5T_STD_I64LE, w->cap, 0)) >= 0;
    free(types);
    if (!ok) {
        fail_h5(w, err, "cannot create /scalars/%s", stream);
        stream_free(s);
        H5Ldelete(w->scalars, stream, H5P_DEFAULT);
        H5Eclear2(H5E_DEFAULT);
        return false;
    }
    s->vbuf = ts_xcalloc(n_metrics ? n_metrics : 1, w->cap * sizeof *s->vbuf);
    s->sbuf = ts_xcalloc(w->cap, sizeof *s->sbuf);
    if (s->wall >= 0) s->wbuf = ts_xcalloc(w->cap, sizeof *s->wbuf);
    if (s->tokens >= 0) s->tbuf = ts_xcalloc(w->cap, sizeof *s->tbuf);
    w->n_streams++;
    return true;
}

bool ts_writer_add_stream(TsWriter *w, const char *stream, const char *const *metrics, size_t n_metrics,
                          unsigned flags, TsErr *err) {
    return ts_writer_add_stream_typed(w, stream, metrics, NULL, n_metrics, flags, err);
}

/* ---- rows ---- */

/* Writes a stream's buffered rows as one block: metric columns first, then
 * wall_time and tokens, then step, so a reader taking the shortest column
 * never sees a step whose values are missing. In SWMR mode each group of
 * columns is flushed before the next one grows. */
static bool flush_stream(TsWriter *w, WStream *s, TsErr *err) {
    size_t n = s->nbuf, at = s->rows;
    if (n == 0) return true;
    /* A full block at a chunk boundary: compress every column at once on
     * all cores (writer_chunks.c); partial blocks go through H5Dwrite. */
    size_t m = s->n_metrics, k_wall = m, k_tokens = m + 1, k_step = m + 2;
    bool full = n == w->cap && at % w->cap == 0;
    if (full) {
        if (!s->blocks) s->blocks = stream_blocks(w, s);
        if (!w->chunks) w->chunks = ts_writer_chunks_new();
        ts_writer_chunks_encode(w->chunks, s->blocks, m + 3, n);
    }
    TsChunkBlock *b = full ? s->blocks : NULL;
    bool ok = true;
    for (size_t j = 0; ok && j < m; j++)
        ok = column_write(b ? &b[j] : NULL, s->ds[j], H5T_NATIVE_DOUBLE, s->vbuf + j * w->cap, at, n);
    if (ok && s->wall >= 0) ok = column_write(b ? &b[k_wall] : NULL, s->wall, H5T_NATIVE_DOUBLE, s->wbuf, at, n);
    if (ok && s->tokens >= 0)
        ok = column_write(b ? &b[k_tokens] : NULL, s->tokens, H5T_NATIVE_INT64, s->tbuf, at, n);
    if (ok && w->swmr) {
        for (size_t j = 0; ok && j < s->n_metrics; j++) ok = H5Dflush(s->ds[j]) >= 0;
        if (ok && s->wall >= 0) ok = H5Dflush(s->wall) >= 0;
        if (ok && s->tokens >= 0) ok = H5Dflush(s->tokens) >= 0;
    }
    if (ok) ok = column_write(b ? &b[k_step] : NULL, s->step, H5T_NATIVE_INT64, s->sbuf, at, n);
    if (ok && w->swmr) ok = H5Dflush(s->step) >= 0;
    /* On failure the rows stay buffered; extents are absolute, so a retry
     * rewrites the same rows. */
    if (!ok) return fail_h5(w, err, "cannot write rows %zu..%zu of /scalars/%s", at, at + n, s->name);
    s->rows += n;
    s->nbuf = 0;
    return true;
}

bool ts_writer_append(TsWriter *w, const char *stream, int64_t step, const double *values, double wall_time,
                      int64_t tokens, TsErr *err) {
    WStream *s = find_stream(w, stream);
    if (!s) {
        ts_err_clear(err);
        return fail(w, err, "no stream '%s' (declare it with ts_writer_add_stream)", stream ? stream : "");
    }
    if (s->n_metrics > 0 && !values) {
        ts_err_clear(err);
        return fail(w, err, "append to '%s' without values", s->name);
    }
    if (s->nbuf == w->cap && !flush_stream(w, s, err)) return false;
    size_t r = s->nbuf;
    for (size_t j = 0; j < s->n_metrics; j++) s->vbuf[j * w->cap + r] = values[j];
    s->sbuf[r] = step;
    if (s->wbuf) s->wbuf[r] = wall_time;
    if (s->tbuf) s->tbuf[r] = tokens;
    s->nbuf++;
    if (s->nbuf == w->cap) return flush_stream(w, s, err);
    return true;
}

/* ---- checkpoints ---- */

bool ts_writer_add_checkpoint_layout(TsWriter *w, const char *const *layers, size_t n_layers,
                                     const char *const *stats, size_t n_stats, TsErr *err) {
    ts_err_clear(err);
    if (!structure_open(w, err)) return false;
    if (w->has_ck) return fail(w, err, "checkpoint layout declared twice");
    if (n_layers == 0 || n_stats == 0 || !layers || !stats)
        return fail(w, err, "a checkpoint layout needs at least one layer and one statistic");
    for (size_t i = 0; i < n_layers; i++)
        if (!layers[i]) return fail(w, err, "checkpoint layer %zu has no name", i);
    for (size_t j = 0; j < n_stats; j++) {
        const char *why = NULL;
        if (!valid_name(stats[j])) why = "invalid name (empty, '.' or with '/')";
        else if (strcmp(stats[j], "step") == 0 || strcmp(stats[j], "layers") == 0) why = "name is reserved";
        for (size_t k = 0; !why && k < j; k++)
            if (strcmp(stats[k], stats[j]) == 0) why = "declared twice";
        if (why) return fail(w, err, "checkpoint statistic '%s': %s", stats[j] ? stats[j] : "", why);
    }
    bool ok = (w->ck_group = group_create(w->file, "checkpoints")) >= 0;
    if (ok) { /* layers: [L] variable-length UTF-8 strings */
        hid_t t = string_type();
        hsize_t dims[1] = {n_layers};
        hid_t space = H5Screate_simple(1, dims, NULL);
        hid_t ds = (t >= 0 && space >= 0)
                       ? small_dataset_create(w->ck_group, "layers", t, space)
                       : H5I_INVALID_HID;
        ok = ds >= 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, layers) >= 0;
        if (ds >= 0) H5Dclose(ds);
        if (space >= 0) H5Sclose(space);
        if (t >= 0) H5Tclose(t);
    }
    size_t chunk = 4096 / n_layers;
    chunk = chunk < 1 ? 1 : chunk > 64 ? 64 : chunk;
    w->ck_ds = ts_xcalloc(n_stats, sizeof *w->ck_ds);
    for (size_t j = 0; j < n_stats; j++) w->ck_ds[j] = H5I_INVALID_HID;
    w->ck_s = n_stats;
    w->ck_l = n_layers;
    for (size_t j = 0; ok && j < n_stats; j++)
        ok = (w->ck_ds[j] = column_create(w, w->ck_group, stats[j], H5T_IEEE_F64LE, chunk, n_layers)) >= 0;
    if (ok) ok = (w->ck_step = column_create(w, w->ck_group, "step", H5T_STD_I64LE, 64, 0)) >= 0;
    if (!ok) {
        fail_h5(w, err, "cannot create /checkpoints");
        for (size_t j = 0; j < w->ck_s; j++) close_id(&w->ck_ds[j]);
        free(w->ck_ds);
        w->ck_ds = NULL;
        w->ck_s = w->ck_l = 0;
        close_id(&w->ck_step);
        close_id(&w->ck_group);
        H5Ldelete(w->file, "checkpoints", H5P_DEFAULT);
        H5Eclear2(H5E_DEFAULT);
        return false;
    }
    w->has_ck = true;
    return true;
}

bool ts_writer_append_checkpoint(TsWriter *w, int64_t step, const double *values, TsErr *err) {
    ts_err_clear(err);
    if (!w->has_ck) return fail(w, err, "no checkpoint layout (declare it with ts_writer_add_checkpoint_layout)");
    if (!values) return fail(w, err, "checkpoint without values");
    size_t k = w->ck_rows;
    bool ok = true;
    for (size_t j = 0; ok && j < w->ck_s; j++)
        ok = rows_write(w->ck_ds[j], H5T_NATIVE_DOUBLE, values + j * w->ck_l, k, 1, w->ck_l);
    if (ok && w->swmr)
        for (size_t j = 0; ok && j < w->ck_s; j++) ok = H5Dflush(w->ck_ds[j]) >= 0;
    if (ok) ok = rows_write(w->ck_step, H5T_NATIVE_INT64, &step, k, 1, 0);
    if (ok && w->swmr) ok = H5Dflush(w->ck_step) >= 0;
    if (!ok) return fail_h5(w, err, "cannot write checkpoint %zu", k);
    w->ck_rows++;
    return true;
}

/* ---- SWMR, flush, close ---- */

static bool flush_all(TsWriter *w, TsErr *err) {
    for (size_t i = 0; i < w->n_streams; i++)
        if (!flush_stream(w, &w->streams[i], err)) return false;
    return true;
}

bool ts_writer_start_swmr(TsWriter *w, TsErr *err) {
    ts_err_clear(err);
    if (w->swmr) return true;
    if (w->tmp) return fail(w, err, "SWMR writing is not available in atomic mode");
    if (!flush_all(w, err)) return false;
    if (H5Fstart_swmr_write(w->file) < 0) return fail_h5(w, err, "cannot start SWMR writing");
    w->swmr = true;
    return true;
}

bool ts_writer_flush(TsWriter *w, TsErr *err) {
    ts_err_clear(err);
    if (!flush_all(w, err)) return false;
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0) return fail_h5(w, err, "cannot flush");
    return true;
}

static bool fsync_path(const char *path, bool dir) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    if (fd < 0) return false;
    bool ok = fsync(fd) == 0 || (dir && (errno == EINVAL || errno == EBADF));
    close(fd);
    return ok;
}

/* Moves the finished temporary file to the target: rename when overwriting,
 * else link (which refuses an existing target) and unlink. */
static bool install(TsWriter *w, TsErr *err) {
    if (w->o.overwrite) {
        if (rename(w->tmp, w->path) != 0) return fail(w, err, "cannot rename into place (%s)", strerror(errno));
    } else if (link(w->tmp, w->path) == 0) {
        unlink(w->tmp);
    } else if (errno == EEXIST) {
        return fail(w, err, "file exists (refusing to overwrite)");
    } else {
        /* No hard links here (some network or FAT file systems). */
        struct stat st;
        if (lstat(w->path, &st) == 0) return fail(w, err, "file exists (refusing to overwrite)");
        if (rename(w->tmp, w->path) != 0) return fail(w, err, "cannot rename into place (%s)", strerror(errno));
    }
    char *dir = ts_xstrdup(w->path);
    char *slash = strrchr(dir, '/');
    if (slash == dir) slash[1] = '\0';
    else if (slash) *slash = '\0';
    else {
        free(dir);
        dir = ts_xstrdup(".");
    }
    fsync_path(dir, true);
    free(dir);
    return true;
}

bool ts_writer_close(TsWriter *w, TsErr *err) {
    ts_err_clear(err);
    if (!w) return true;
    bool ok = flush_all(w, err);
    if (!close_all(w) && ok) ok = fail_h5(w, err, "cannot close the HDF5 file");
    if (w->tmp) {
        if (ok && !fsync_path(w->tmp, false)) ok = fail(w, err, "cannot sync to disk (%s)", strerror(errno));
        if (ok) ok = install(w, err);
        if (!ok) unlink(w->tmp);
    }
    writer_free(w);
    return ok;
}

void ts_writer_abort(TsWriter *w) {
    if (!w) return;
    close_all(w);
    H5Eclear2(H5E_DEFAULT);
    if (w->tmp) unlink(w->tmp);
    writer_free(w);
}
