/* archive.c - reader of trajscope HDF5 archives (docs/FORMAT.md), a lazy TsRun back end.
 * Layer: io (one of the two HDF5 users; no HDF5 type leaves this file).
 * License: MIT. */
#include "trajscope/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "io/archive_chunks.h"
#include "io/run_backend.h"
#include "trajscope/xalloc.h"

/* Reclaiming variable-length read buffers: renamed in HDF5 1.12. */
#if H5_VERSION_GE(1, 12, 0)
#define vlen_reclaim(type, space, buf) H5Treclaim((type), (space), H5P_DEFAULT, (buf))
#else
#define vlen_reclaim(type, space, buf) H5Dvlen_reclaim((type), (space), H5P_DEFAULT, (buf))
#endif

/* Metadata reads larger than this (strings, attribute arrays) are refused:
 * a corrupt file must not make us allocate gigabytes. */
#define MAX_META_BYTES ((size_t)64 << 20)
#define MAX_ATTR_ELEMS 1024
#define SWMR_READ_ATTEMPTS 8

/* ---- back-end state ---- */

typedef struct ArStream {
    char *name;
    hid_t step;         /* step dataset, or H5I_INVALID_HID (row index) */
    hid_t wall;         /* wall_time dataset, or H5I_INVALID_HID */
    hid_t *cols;        /* every 1-D dataset of the stream (owned); the shortest decides */
    size_t n_cols;
    size_t length;      /* rows readable now */
    size_t first_metric, n_metrics; /* this stream's metrics in the run */
} ArStream;

typedef struct ArMetric {
    hid_t ds;           /* borrowed from its stream's cols */
    size_t stream;
} ArMetric;

typedef struct ArCheckpoints {
    bool loaded;
    size_t k, l, s;
    int64_t *step;
    char **layer;
    char **stat;
    double **value;
} ArCheckpoints;

typedef struct Archive {
    char *path;
    hid_t file;
    bool swmr;          /* opened with H5F_ACC_SWMR_READ */
    ArStream *streams;
    size_t n_streams, cap_streams;
    ArMetric *metrics;
    size_t n_metrics, cap_metrics;
    ArCheckpoints ck;
} Archive;

/* ---- small helpers ---- */

static bool fail(TsErr *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(TsErr *err, const char *path, const char *fmt, ...) {
    char msg[TS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ts_err_set(err, "%s: %s", path, msg);
    H5Eclear2(H5E_DEFAULT);
    return false;
}

static void close_id(hid_t *id) {
    if (*id >= 0) H5Oclose(*id);
    *id = H5I_INVALID_HID;
}

/* ---- the HDF5 signature ---- */

static const unsigned char h5_signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

/* 1 when the signature is at 0, 512, 1024, 2048, ...; 0 when not; -1 with
 * errno set when the file cannot be read. */
static int find_signature(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    int found = 0;
    for (off_t off = 0; S_ISREG(st.st_mode) && off <= st.st_size - 8; off = off ? off * 2 : 512) {
        unsigned char buf[8];
        if (pread(fd, buf, sizeof buf, off) != (ssize_t)sizeof buf) break;
        if (memcmp(buf, h5_signature, sizeof buf) == 0) {
            found = 1;
            break;
        }
        if (off > ((off_t)1 << 60)) break;
    }
    close(fd);
    return found;
}

bool ts_archive_probe(const char *path) {
    struct stat st;
    if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return false;
    return find_signature(path) == 1;
}

/* ---- HDF5 error stack -> one line ---- */

typedef struct ErrText {
    char buf[2048];
    size_t len;
} ErrText;

static herr_t collect_cb(unsigned n, const H5E_error2_t *e, void *data) {
    (void)n;
    ErrText *t = data;
    if (e->desc && t->len + 2 < sizeof t->buf) {
        int w = snprintf(t->buf + t->len, sizeof t->buf - t->len, "%s | ", e->desc);
        if (w > 0) t->len += (size_t)w < sizeof t->buf - t->len ? (size_t)w : sizeof t->buf - t->len - 1;
    }
    return 0;
}

/* Appends the descriptions on the current error stack to t and clears it. */
static void collect_errors(ErrText *t) {
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_cb, t);
    H5Eclear2(H5E_DEFAULT);
}

static TsRun *open_failed(TsErr *err, const char *path, const ErrText *why) {
    if (strstr(why->buf, "unable to lock file"))
        fail(err, path, "file is locked by a process writing it without SWMR mode");
    else if (strstr(why->buf, "already open for write"))
        fail(err, path, "file is marked as open for writing (a writer without SWMR mode, "
                        "or one that crashed: h5clear -s clears the mark)");
    else
        fail(err, path, "truncated or corrupt HDF5 file");
    return NULL;
}

/* ---- names in a group ---- */

typedef struct NameList {
    char **name;
    bool *soft;  /* reached through a soft link (may dangle) */
    size_t n, cap;
} NameList;

static void names_free(NameList *l) {
    for (size_t i = 0; i < l->n; i++) free(l->name[i]);
    free(l->name);
    free(l->soft);
    memset(l, 0, sizeof *l);
}

static herr_t link_cb(hid_t group, const char *name, const H5L_info_t *info, void *data) {
    (void)group;
    NameList *l = data;
    /* External and user-defined links could point anywhere: ignored. */
    if (info->type != H5L_TYPE_HARD && info->type != H5L_TYPE_SOFT) return 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->name = ts_xreallocarray(l->name, l->cap, sizeof *l->name);
        l->soft = ts_xreallocarray(l->soft, l->cap, sizeof *l->soft);
    }
    l->soft[l->n] = info->type == H5L_TYPE_SOFT;
    l->name[l->n++] = ts_xstrdup(name);
    return 0;
}

/* Lists the links of a group in creation order when the group tracks it
 * (the trajscope writer does), else in name order. */
static bool list_links(hid_t group, NameList *out) {
    unsigned flags = 0;
    hid_t gcpl = H5Gget_create_plist(group);
    if (gcpl >= 0) {
        if (H5Pget_link_creation_order(gcpl, &flags) < 0) flags = 0;
        H5Pclose(gcpl);
    }
    if (flags & H5P_CRT_ORDER_TRACKED) {
        if (H5Literate(group, H5_INDEX_CRT_ORDER, H5_ITER_INC, NULL, link_cb, out) >= 0) return true;
        names_free(out);
        H5Eclear2(H5E_DEFAULT);
    }
    if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, NULL, link_cb, out) >= 0) return true;
    names_free(out);
    return false;
}

/* Opens group/name when it is an object of the wanted type. Returns the id,
 * H5I_INVALID_HID when it is something else (or a dangling soft link), and
 * sets *broken when a hard link cannot be followed (corrupt file). */
static hid_t open_child(hid_t group, const char *name, bool soft, H5I_type_t want, bool *broken) {
    *broken = false;
    hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
    if (obj < 0) {
        H5Eclear2(H5E_DEFAULT);
        *broken = !soft;
        return H5I_INVALID_HID;
    }
    if (H5Iget_type(obj) == want) return obj;
    H5Oclose(obj);
    return H5I_INVALID_HID;
}

/* ---- dataset shapes and types ---- */

typedef struct DsInfo {
    int rank;
    hsize_t dims[2];
    H5T_class_t cls;
    size_t size;
    H5T_sign_t sign;
} DsInfo;

static bool ds_info(hid_t ds, DsInfo *d) {
    memset(d, 0, sizeof *d);
    d->cls = H5T_NO_CLASS;
    hid_t space = H5Dget_space(ds);
    if (space < 0) return false;
    bool ok = true;
    if (H5Sget_simple_extent_type(space) == H5S_SIMPLE) {
        d->rank = H5Sget_simple_extent_ndims(space);
        if (d->rank < 0) ok = false;
        else if (d->rank <= 2 && H5Sget_simple_extent_dims(space, d->dims, NULL) < 0) ok = false;
    }
    H5Sclose(space);
    hid_t type = H5Dget_type(ds);
    if (type < 0) return false;
    d->cls = H5Tget_class(type);
    d->size = H5Tget_size(type);
    if (d->cls == H5T_INTEGER) d->sign = H5Tget_sign(type);
    H5Tclose(type);
    return ok;
}

static bool is_numeric(const DsInfo *d) {
    return (d->cls == H5T_INTEGER || d->cls == H5T_FLOAT) && d->size > 0;
}

static void dtype_name(const DsInfo *d, char *buf, size_t cap) {
    if (d->cls == H5T_FLOAT)
        snprintf(buf, cap, "float%zu", d->size * 8);
    else
        snprintf(buf, cap, "%sint%zu", d->sign == H5T_SGN_NONE ? "u" : "", d->size * 8);
}

/* Current length of a 1-D dataset (0 on error). */
static size_t ds_length(hid_t ds) {
    hid_t space = H5Dget_space(ds);
    if (space < 0) return 0;
    hsize_t dims[1] = {0};
    if (H5Sget_simple_extent_ndims(space) != 1 || H5Sget_simple_extent_dims(space, dims, NULL) < 0)
        dims[0] = 0;
    H5Sclose(space);
    return dims[0] > SIZE_MAX / 16 ? SIZE_MAX / 16 : (size_t)dims[0];
}

/* Reads rows [start, start+count) x [0, cols) of a 1-D (cols == 0) or 2-D
 * dataset into buf, converting to memtype. */
static bool read_rows(hid_t ds, hid_t memtype, size_t start, size_t count, size_t cols, void *buf) {
    hsize_t off[2] = {start, 0}, cnt[2] = {count, cols};
    int rank = cols ? 2 : 1;
    hid_t fs = H5Dget_space(ds);
    if (fs < 0) return false;
    bool ok = H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL) >= 0;
    hid_t ms = ok ? H5Screate_simple(rank, cnt, NULL) : H5I_INVALID_HID;
    ok = ok && ms >= 0 && H5Dread(ds, memtype, ms, fs, H5P_DEFAULT, buf) >= 0;
    if (ms >= 0) H5Sclose(ms);
    H5Sclose(fs);
    return ok;
}

/* Rows [start, start+count) of a 1-D column as doubles or int64s: decoded
 * on every core when archive_chunks.c handles its layout, else H5Dread. */
static bool read_column(hid_t ds, bool to_int64, size_t start, size_t count, void *buf) {
    return ts_archive_read_chunked(ds, to_int64, start, count, buf) ||
           read_rows(ds, to_int64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, start, count, 0, buf);
}

/* ---- strings and attribute values ---- */

/* Reads n strings (fixed or variable length) from an attribute or a whole
 * dataset, keeping the raw bytes. NULL on failure. */
static char **read_strings(hid_t obj, bool is_attr, hid_t type, hid_t space, size_t n) {
    if (n == 0 || n > MAX_META_BYTES / sizeof(char *)) return NULL;
    char **out = NULL;
    htri_t vlen = H5Tis_variable_str(type);
    if (vlen > 0) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        if (mt < 0) return NULL;
        H5T_cset_t cset = H5Tget_cset(type);
        H5Tset_size(mt, H5T_VARIABLE);
        if (cset >= 0) H5Tset_cset(mt, cset);
        char **p = ts_xcalloc(n, sizeof *p);
        herr_t r = is_attr ? H5Aread(obj, mt, p) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, p);
        if (r >= 0) {
            out = ts_xcalloc(n, sizeof *out);
            for (size_t i = 0; i < n; i++) out[i] = ts_xstrdup(p[i] ? p[i] : "");
            vlen_reclaim(mt, space, p);
        }
        free(p);
        H5Tclose(mt);
    } else if (vlen == 0) {
        size_t sz = H5Tget_size(type);
        if (sz == 0 || sz > MAX_META_BYTES / n) return NULL;
        hid_t mt = H5Tcopy(type);
        if (mt < 0) return NULL;
        H5T_str_t pad = H5Tget_strpad(type);
        char *buf = ts_xmalloc(n * sz + 1);
        herr_t r = is_attr ? H5Aread(obj, mt, buf) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        if (r >= 0) {
            out = ts_xcalloc(n, sizeof *out);
            for (size_t i = 0; i < n; i++) {
                const char *s = buf + i * sz;
                size_t len = strnlen(s, sz);
                if (pad == H5T_STR_SPACEPAD)
                    while (len > 0 && s[len - 1] == ' ') len--;
                out[i] = ts_xstrndup(s, len);
            }
        }
        free(buf);
        H5Tclose(mt);
    }
    return out;
}

static void strings_free(char **s, size_t n) {
    if (!s) return;
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

/* Shortest decimal text that reads back to the same float32. */
static void format_float32(char *buf, size_t cap, float f) {
    if (!isfinite(f)) {
        ts_format_exact(buf, cap, (double)f);
        return;
    }
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, cap, "%.*g", prec, (double)f);
        if (strtof(buf, NULL) == f) return;
    }
}

typedef struct Value {
    char *text;        /* heap */
    bool is_number;
    double number;
} Value;

/* Growable text for array attributes. */
typedef struct Text {
    char *s;
    size_t len, cap;
} Text;

static void text_add(Text *t, const char *s) {
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = ts_xreallocarray(t->s, t->cap, 1);
    }
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
}

/* Decodes a configuration attribute: numbers, strings, booleans (numpy
 * bools are an HDF5 enum FALSE/TRUE) and small arrays of them ("[a, b]").
 * False for anything else (compound, reference, empty, ...). */
static bool attr_value(hid_t attr, Value *out) {
    memset(out, 0, sizeof *out);
    hid_t space = H5Aget_space(attr);
    if (space < 0) return false;
    hid_t type = H5Aget_type(attr);
    if (type < 0) {
        H5Sclose(space);
        return false;
    }
    H5S_class_t sc = H5Sget_simple_extent_type(space);
    hssize_t np = sc == H5S_SCALAR ? 1 : sc == H5S_SIMPLE ? H5Sget_simple_extent_npoints(space) : 0;
    H5T_class_t cls = H5Tget_class(type);
    bool ok = np >= 1 && np <= MAX_ATTR_ELEMS;
    size_t n = ok ? (size_t)np : 0;
    char **elem = NULL; /* text of each element */
    bool quote = false;
    double first = NAN;

    if (ok && cls == H5T_INTEGER) {
        elem = ts_xcalloc(n, sizeof *elem);
        if (H5Tget_sign(type) == H5T_SGN_NONE) {
            uint64_t *v = ts_xcalloc(n, sizeof *v);
            ok = H5Aread(attr, H5T_NATIVE_UINT64, v) >= 0;
            for (size_t i = 0; ok && i < n; i++) elem[i] = ts_xasprintf("%" PRIu64, v[i]);
            if (ok) first = (double)v[0];
            free(v);
        } else {
            int64_t *v = ts_xcalloc(n, sizeof *v);
            ok = H5Aread(attr, H5T_NATIVE_INT64, v) >= 0;
            for (size_t i = 0; ok && i < n; i++) elem[i] = ts_xasprintf("%" PRId64, v[i]);
            if (ok) first = (double)v[0];
            free(v);
        }
        out->is_number = ok && n == 1;
    } else if (ok && cls == H5T_FLOAT) {
        elem = ts_xcalloc(n, sizeof *elem);
        char buf[64];
        if (H5Tget_size(type) <= 4) {
            float *v = ts_xcalloc(n, sizeof *v);
            ok = H5Aread(attr, H5T_NATIVE_FLOAT, v) >= 0;
            for (size_t i = 0; ok && i < n; i++) {
                format_float32(buf, sizeof buf, v[i]);
                elem[i] = ts_xstrdup(buf);
            }
            if (ok) first = (double)v[0];
            free(v);
        } else {
            double *v = ts_xcalloc(n, sizeof *v);
            ok = H5Aread(attr, H5T_NATIVE_DOUBLE, v) >= 0;
            for (size_t i = 0; ok && i < n; i++) {
                ts_format_exact(buf, sizeof buf, v[i]);
                elem[i] = ts_xstrdup(buf);
            }
            if (ok) first = v[0];
            free(v);
        }
        out->is_number = ok && n == 1;
    } else if (ok && cls == H5T_ENUM) {
        hid_t mt = H5Tget_native_type(type, H5T_DIR_ASCEND);
        size_t esz = mt >= 0 ? H5Tget_size(mt) : 0;
        ok = esz > 0 && esz <= 16;
        unsigned char *raw = ok ? ts_xcalloc(n, esz) : NULL;
        ok = ok && H5Aread(attr, mt, raw) >= 0;
        if (ok) elem = ts_xcalloc(n, sizeof *elem);
        for (size_t i = 0; ok && i < n; i++) {
            char name[256];
            if (H5Tenum_nameof(mt, raw + i * esz, name, sizeof name) < 0) {
                H5Eclear2(H5E_DEFAULT);
                snprintf(name, sizeof name, "?");
            }
            if (strcasecmp(name, "true") == 0) snprintf(name, sizeof name, "true");
            else if (strcasecmp(name, "false") == 0) snprintf(name, sizeof name, "false");
            elem[i] = ts_xstrdup(name);
        }
        free(raw);
        if (mt >= 0) H5Tclose(mt);
    } else if (ok && cls == H5T_STRING) {
        elem = read_strings(attr, true, type, space, n);
        ok = elem != NULL;
        quote = n > 1;
    } else {
        ok = false;
    }

    if (ok) {
        if (n == 1) {
            out->text = elem[0];
            elem[0] = NULL;
        } else {
            Text t = {0};
            text_add(&t, "[");
            for (size_t i = 0; i < n; i++) {
                if (i) text_add(&t, ", ");
                if (quote) text_add(&t, "\"");
                text_add(&t, elem[i]);
                if (quote) text_add(&t, "\"");
            }
            text_add(&t, "]");
            out->text = t.s;
        }
        out->number = out->is_number ? first : 0.0;
    }
    strings_free(elem, n);
    H5Tclose(type);
    H5Sclose(space);
    H5Eclear2(H5E_DEFAULT);
    if (!ok) out->is_number = false;
    return ok;
}

/* Text of a root attribute (string, number, ...); NULL when absent or unreadable. */
static char *root_attr_text(hid_t root, const char *name) {
    if (H5Aexists(root, name) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return NULL;
    }
    hid_t a = H5Aopen(root, name, H5P_DEFAULT);
    if (a < 0) {
        H5Eclear2(H5E_DEFAULT);
        return NULL;
    }
    Value v;
    bool ok = attr_value(a, &v);
    H5Aclose(a);
    return ok ? v.text : NULL;
}

/* ---- the archive state ---- */

static void checkpoints_free(ArCheckpoints *ck) {
    free(ck->step);
    strings_free(ck->layer, ck->l);
    strings_free(ck->stat, ck->s);
    if (ck->value)
        for (size_t i = 0; i < ck->s; i++) free(ck->value[i]);
    free(ck->value);
    memset(ck, 0, sizeof *ck);
}

static void archive_free(Archive *ar) {
    if (!ar) return;
    for (size_t i = 0; i < ar->n_streams; i++) {
        ArStream *s = &ar->streams[i];
        for (size_t j = 0; j < s->n_cols; j++) close_id(&s->cols[j]);
        free(s->cols);
        free(s->name);
    }
    free(ar->streams);
    free(ar->metrics);
    checkpoints_free(&ar->ck);
    if (ar->file >= 0) H5Fclose(ar->file);
    free(ar->path);
    free(ar);
}

static bool ar_read(TsRun *run, size_t i, size_t start, size_t count, unsigned flags, TsSeries *out, TsErr *err);
static bool ar_refresh(TsRun *run, bool *grew, TsErr *err);
static bool ar_load_checkpoints(TsRun *run, TsCheckpoints *out, TsErr *err);
static void ar_close(TsRun *run);

static const TsRunOps archive_ops = {
    .read = ar_read,
    .refresh = ar_refresh,
    .load_checkpoints = ar_load_checkpoints,
    .close = ar_close,
};

/* ---- opening ---- */

/* Reads trajscope_format; false with err set when absent, not an integer or
 * another version. */
static bool check_version(hid_t root, const char *path, TsErr *err) {
    htri_t has = H5Aexists(root, "trajscope_format");
    if (has < 0) return fail(err, path, "truncated or corrupt HDF5 file");
    if (has == 0) return fail(err, path, "not a trajscope archive (no trajscope_format attribute)");
    hid_t a = H5Aopen(root, "trajscope_format", H5P_DEFAULT);
    if (a < 0) return fail(err, path, "truncated or corrupt HDF5 file");
    hid_t type = H5Aget_type(a), space = H5Aget_space(a);
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    H5S_class_t sc = space >= 0 ? H5Sget_simple_extent_type(space) : H5S_NO_CLASS;
    hssize_t np = sc == H5S_SCALAR ? 1 : sc == H5S_SIMPLE ? H5Sget_simple_extent_npoints(space) : 0;
    bool ok = np == 1;
    double v = NAN;
    if (ok && cls == H5T_INTEGER) {
        int64_t iv = 0;
        ok = H5Aread(a, H5T_NATIVE_INT64, &iv) >= 0;
        v = (double)iv;
    } else if (ok && cls == H5T_FLOAT) {
        ok = H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0 && v == floor(v);
    } else {
        ok = false;
    }
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Aclose(a);
    if (!ok) return fail(err, path, "trajscope_format attribute is not an integer");
    if (v != TS_ARCHIVE_FORMAT_VERSION) {
        if (fabs(v) < 1e15)
            return fail(err, path, "unsupported trajscope_format %.0f (this build reads %d)", v,
                        TS_ARCHIVE_FORMAT_VERSION);
        return fail(err, path, "unsupported trajscope_format (this build reads %d)",
                    TS_ARCHIVE_FORMAT_VERSION);
    }
    return true;
}

static const char *const reserved_attrs[] = {"trajscope_format", "run_name", "created"};

static herr_t config_cb(hid_t loc, const char *name, const H5A_info_t *ainfo, void *data) {
    (void)ainfo;
    TsRun *run = data;
    for (size_t i = 0; i < sizeof reserved_attrs / sizeof *reserved_attrs; i++)
        if (strcmp(name, reserved_attrs[i]) == 0) return 0;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    Value v;
    if (attr_value(a, &v)) {
        ts_run_add_config(run, name, v.text, v.is_number, v.number);
        free(v.text);
    }
    H5Aclose(a);
    return 0;
}

/* Root attributes other than the reserved ones, in creation order when
 * tracked (the trajscope writer does), else in name order. */
static bool read_config(TsRun *run, hid_t root) {
    unsigned flags = 0;
    hid_t cpl = H5Gget_create_plist(root);
    if (cpl >= 0) {
        if (H5Pget_attr_creation_order(cpl, &flags) < 0) flags = 0;
        H5Pclose(cpl);
    }
    H5Eclear2(H5E_DEFAULT);
    if ((flags & H5P_CRT_ORDER_TRACKED) &&
        H5Aiterate2(root, H5_INDEX_CRT_ORDER, H5_ITER_INC, NULL, config_cb, run) >= 0)
        return true;
    H5Eclear2(H5E_DEFAULT);
    /* A failed creation-order pass may have added some entries already: only
     * retry when it added none. */
    if ((flags & H5P_CRT_ORDER_TRACKED) && ts_run_config_count(run) > 0) return true;
    return H5Aiterate2(root, H5_INDEX_NAME, H5_ITER_INC, NULL, config_cb, run) >= 0;
}

/* /config: a string dataset (scalar or one element) holding JSON; ignored
 * when it is anything else. */
static void read_config_json(TsRun *run, hid_t file) {
    if (H5Lexists(file, "config", H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return;
    }
    bool broken;
    hid_t ds = open_child(file, "config", false, H5I_DATASET, &broken);
    if (ds < 0) return;
    hid_t type = H5Dget_type(ds), space = H5Dget_space(ds);
    if (type >= 0 && space >= 0 && H5Tget_class(type) == H5T_STRING) {
        H5S_class_t sc = H5Sget_simple_extent_type(space);
        hssize_t np = sc == H5S_SCALAR ? 1 : sc == H5S_SIMPLE ? H5Sget_simple_extent_npoints(space) : 0;
        if (np == 1) {
            char **s = read_strings(ds, false, type, space, 1);
            if (s) ts_run_set_config_json(run, s[0]);
            strings_free(s, 1);
        }
    }
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Oclose(ds);
    H5Eclear2(H5E_DEFAULT);
}

static size_t add_stream(Archive *ar, const char *name) {
    if (ar->n_streams == ar->cap_streams) {
        ar->cap_streams = ar->cap_streams ? ar->cap_streams * 2 : 8;
        ar->streams = ts_xreallocarray(ar->streams, ar->cap_streams, sizeof *ar->streams);
    }
    ArStream *s = &ar->streams[ar->n_streams];
    memset(s, 0, sizeof *s);
    s->name = ts_xstrdup(name);
    s->step = s->wall = H5I_INVALID_HID;
    return ar->n_streams++;
}

/* Scans /scalars/<sname>: step, wall_time and one metric per other 1-D
 * numeric dataset; subgroups are ignored; any other dataset is an error. */
static bool scan_stream(Archive *ar, TsRun *run, hid_t group, const char *sname, TsErr *err) {
    NameList names = {0};
    if (!list_links(group, &names))
        return fail(err, ar->path, "truncated or corrupt HDF5 file (cannot list /scalars/%s)", sname);
    size_t si = add_stream(ar, sname);
    ArStream *s = &ar->streams[si];
    s->cols = ts_xcalloc(names.n ? names.n : 1, sizeof *s->cols);
    char **mname = ts_xcalloc(names.n ? names.n : 1, sizeof *mname);
    char (*mtype)[16] = ts_xcalloc(names.n ? names.n : 1, sizeof *mtype);
    hid_t *mds = ts_xcalloc(names.n ? names.n : 1, sizeof *mds);
    size_t nm = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < names.n; i++) {
        const char *name = names.name[i];
        bool broken;
        hid_t ds = open_child(group, name, names.soft[i], H5I_DATASET, &broken);
        if (broken) {
            ok = fail(err, ar->path, "truncated or corrupt HDF5 file (cannot open /scalars/%s/%s)",
                      sname, name);
            break;
        }
        if (ds < 0) continue; /* a subgroup or a dangling soft link: ignored */
        s->cols[s->n_cols++] = ds;
        DsInfo d;
        if (!ds_info(ds, &d)) {
            ok = fail(err, ar->path, "truncated or corrupt HDF5 file (cannot read /scalars/%s/%s)",
                      sname, name);
            break;
        }
        bool good = d.rank == 1 && is_numeric(&d);
        if (strcmp(name, "step") == 0) {
            if (!good) ok = fail(err, ar->path, "/scalars/%s/step is not a 1-D integer dataset", sname);
            else s->step = ds;
        } else if (strcmp(name, "wall_time") == 0) {
            if (!good) ok = fail(err, ar->path, "/scalars/%s/wall_time is not a 1-D numeric dataset", sname);
            else s->wall = ds;
        } else if (!good) {
            ok = fail(err, ar->path, "/scalars/%s/%s is not a 1-D numeric dataset", sname, name);
        } else {
            mname[nm] = names.name[i];
            dtype_name(&d, mtype[nm], sizeof mtype[nm]);
            mds[nm++] = ds;
        }
    }
    if (ok) {
        size_t len = s->n_cols ? SIZE_MAX : 0;
        for (size_t j = 0; j < s->n_cols; j++) {
            size_t n = ds_length(s->cols[j]);
            if (n < len) len = n;
        }
        s->length = len;
        s->first_metric = ar->n_metrics;
        s->n_metrics = nm;
        for (size_t j = 0; j < nm; j++) {
            size_t idx = ts_run_add_metric(run, sname, mname[j], len, s->step >= 0, s->wall >= 0, mtype[j]);
            if (ar->n_metrics == ar->cap_metrics) {
                ar->cap_metrics = ar->cap_metrics ? ar->cap_metrics * 2 : 16;
                ar->metrics = ts_xreallocarray(ar->metrics, ar->cap_metrics, sizeof *ar->metrics);
            }
            if (idx != ar->n_metrics) { /* the run must hold only our metrics */
                ok = fail(err, ar->path, "internal error: metric index mismatch");
                break;
            }
            ar->metrics[ar->n_metrics++] = (ArMetric){.ds = mds[j], .stream = si};
        }
    }
    free(mname);
    free(mtype);
    free(mds);
    names_free(&names);
    return ok;
}

static bool scan_scalars(Archive *ar, TsRun *run, TsErr *err) {
    htri_t has = H5Lexists(ar->file, "scalars", H5P_DEFAULT);
    if (has < 0) return fail(err, ar->path, "truncated or corrupt HDF5 file");
    if (has == 0) return true; /* a run without scalars (yet) */
    bool broken;
    hid_t sc = open_child(ar->file, "scalars", false, H5I_GROUP, &broken);
    if (broken) return fail(err, ar->path, "truncated or corrupt HDF5 file (cannot open /scalars)");
    if (sc < 0) return true; /* not a group: unknown content, ignored */
    NameList names = {0};
    bool ok = list_links(sc, &names);
    if (!ok) fail(err, ar->path, "truncated or corrupt HDF5 file (cannot list /scalars)");
    for (size_t i = 0; ok && i < names.n; i++) {
        hid_t g = open_child(sc, names.name[i], names.soft[i], H5I_GROUP, &broken);
        if (broken) {
            ok = fail(err, ar->path, "truncated or corrupt HDF5 file (cannot open /scalars/%s)",
                      names.name[i]);
            break;
        }
        if (g < 0) continue; /* datasets directly under /scalars: ignored */
        ok = scan_stream(ar, run, g, names.name[i], err);
        H5Oclose(g);
    }
    names_free(&names);
    H5Oclose(sc);
    return ok;
}

static char *default_name(const char *path) {
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".h5") == 0) n -= 3;
    else if (n > 5 && strcmp(base + n - 5, ".hdf5") == 0) n -= 5;
    return ts_xstrndup(base, n);
}

TsRun *ts_archive_open(const char *path, TsErr *err) {
    ts_err_clear(err);
    if (!path) {
        ts_err_set(err, "(null): no such file");
        return NULL;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) fail(err, path, "no such file");
        else if (errno == EACCES) fail(err, path, "permission denied");
        else fail(err, path, "%s", strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        fail(err, path, "is a directory, not an HDF5 file");
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(err, path, "not a regular file");
        return NULL;
    }
    int sig = find_signature(path);
    if (sig < 0) {
        if (errno == EACCES) fail(err, path, "permission denied");
        else fail(err, path, "%s", strerror(errno));
        return NULL;
    }
    if (sig == 0) {
        fail(err, path, "not an HDF5 file");
        return NULL;
    }

    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) {
        fail(err, path, "cannot initialise the HDF5 library");
        return NULL;
    }
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    /* SWMR readers retry metadata whose checksum fails (a block the writer
     * is rewriting), sleeping longer each time; HDF5's default of 100 tries
     * makes a corrupt file hang for minutes. A torn read heals in a few. */
    H5Pset_metadata_read_attempts(fapl, SWMR_READ_ATTEMPTS);
    ErrText why = {.len = 0};
    why.buf[0] = '\0';
    bool swmr = true;
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl);
    if (file < 0) {
        /* Not written in SWMR format (or not openable at all): plain read. */
        collect_errors(&why);
        swmr = false;
        file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
        if (file < 0) collect_errors(&why);
    }
    H5Pclose(fapl);
    if (file < 0) return open_failed(err, path, &why);

    Archive *ar = ts_xcalloc(1, sizeof *ar);
    ar->path = ts_xstrdup(path);
    ar->file = file;
    ar->swmr = swmr;

    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    if (root < 0) {
        fail(err, path, "truncated or corrupt HDF5 file");
        archive_free(ar);
        return NULL;
    }
    if (!check_version(root, path, err)) {
        H5Gclose(root);
        archive_free(ar);
        return NULL;
    }

    TsRun *run = ts_run_alloc(&archive_ops, ar, path, "trajscope-h5");
    char *name = root_attr_text(root, "run_name");
    if (!name || !name[0]) {
        free(name);
        name = default_name(path);
    }
    ts_run_set_name(run, name);
    free(name);
    char *created = root_attr_text(root, "created");
    if (created) ts_run_set_created(run, created);
    free(created);
    bool ok = read_config(run, root);
    H5Gclose(root);
    if (!ok) fail(err, path, "truncated or corrupt HDF5 file (cannot read the root attributes)");
    if (ok) read_config_json(run, file);
    ok = ok && scan_scalars(ar, run, err);
    H5Eclear2(H5E_DEFAULT);
    if (!ok) {
        ts_run_free(run);
        return NULL;
    }
    return run;
}

/* ---- operations ---- */

static bool ar_read(TsRun *run, size_t i, size_t start, size_t count, unsigned flags,
                    TsSeries *out, TsErr *err) {
    Archive *ar = ts_run_impl(run);
    if (i >= ar->n_metrics) return fail(err, ar->path, "no metric %zu", i);
    const ArMetric *m = &ar->metrics[i];
    const ArStream *s = &ar->streams[m->stream];
    bool wall = s->wall >= 0 && (flags & TS_READ_WALL_TIME);
    ts_series_alloc(out, count, wall);
    out->n = count;
    if (count == 0) return true;
    bool ok = read_column(m->ds, false, start, count, out->value);
    if (ok && s->step >= 0) {
        ok = read_column(s->step, true, start, count, out->step);
    } else if (ok) {
        for (size_t k = 0; k < count; k++) out->step[k] = (int64_t)(start + k);
    }
    if (ok && wall) ok = read_column(s->wall, false, start, count, out->wall_time);
    if (!ok) {
        ts_series_free(out);
        const TsMetricInfo *mi = ts_run_metric(run, i);
        return fail(err, ar->path, "truncated or corrupt HDF5 file (cannot read rows %zu..%zu of /scalars/%s/%s)",
                    start, start + count, s->name, mi ? mi->metric : "?");
    }
    return true;
}

static bool ar_refresh(TsRun *run, bool *grew, TsErr *err) {
    Archive *ar = ts_run_impl(run);
    *grew = false;
    if (!ar->swmr) return true; /* a file nobody may be writing: nothing new */
    for (size_t si = 0; si < ar->n_streams; si++) {
        ArStream *s = &ar->streams[si];
        size_t len = s->n_cols ? SIZE_MAX : 0;
        for (size_t j = 0; j < s->n_cols; j++) {
            if (H5Drefresh(s->cols[j]) < 0)
                return fail(err, ar->path, "cannot refresh /scalars/%s (file changed or corrupt)", s->name);
            size_t n = ds_length(s->cols[j]);
            if (n < len) len = n;
        }
        if (len > s->length) *grew = true;
        if (len != s->length) {
            s->length = len;
            for (size_t k = 0; k < s->n_metrics; k++) ts_run_set_metric_length(run, s->first_metric + k, len);
        }
    }
    return true;
}

static void fill_checkpoints(const ArCheckpoints *ck, TsCheckpoints *out) {
    out->n_checkpoints = ck->k;
    out->n_layers = ck->l;
    out->n_stats = ck->s;
    out->step = ck->step;
    out->layer = (const char *const *)ck->layer;
    out->stat = (const char *const *)ck->stat;
    out->value = (const double *const *)ck->value;
}

/* Reads /checkpoints: step [K], layers [L], one [K, L] dataset per statistic. */
static bool load_checkpoints(Archive *ar, ArCheckpoints *ck, TsErr *err) {
    const char *P = ar->path;
    htri_t has = H5Lexists(ar->file, "checkpoints", H5P_DEFAULT);
    if (has < 0) return fail(err, P, "truncated or corrupt HDF5 file");
    if (has == 0) return false;
    bool broken;
    hid_t g = open_child(ar->file, "checkpoints", false, H5I_GROUP, &broken);
    if (broken) return fail(err, P, "truncated or corrupt HDF5 file (cannot open /checkpoints)");
    if (g < 0) return false;
    NameList names = {0};
    if (!list_links(g, &names)) {
        H5Oclose(g);
        return fail(err, P, "truncated or corrupt HDF5 file (cannot list /checkpoints)");
    }
    hid_t step = H5I_INVALID_HID, layers = H5I_INVALID_HID;
    hid_t *stat = ts_xcalloc(names.n ? names.n : 1, sizeof *stat);
    const char **stat_name = ts_xcalloc(names.n ? names.n : 1, sizeof *stat_name);
    size_t ns = 0, k = SIZE_MAX, l = 0;
    bool have_l = false, ok = true;
    for (size_t i = 0; ok && i < names.n; i++) {
        const char *name = names.name[i];
        hid_t ds = open_child(g, name, names.soft[i], H5I_DATASET, &broken);
        if (broken) {
            ok = fail(err, P, "truncated or corrupt HDF5 file (cannot open /checkpoints/%s)", name);
            break;
        }
        if (ds < 0) continue;
        DsInfo d;
        if (!ds_info(ds, &d)) {
            H5Oclose(ds);
            ok = fail(err, P, "truncated or corrupt HDF5 file (cannot read /checkpoints/%s)", name);
            break;
        }
        if (strcmp(name, "step") == 0) {
            if (d.rank != 1 || !is_numeric(&d)) {
                H5Oclose(ds);
                ok = fail(err, P, "/checkpoints/step is not a 1-D integer dataset");
                break;
            }
            step = ds;
            if (d.dims[0] < k) k = (size_t)d.dims[0];
        } else if (strcmp(name, "layers") == 0) {
            if (d.rank != 1 || d.cls != H5T_STRING) {
                H5Oclose(ds);
                ok = fail(err, P, "/checkpoints/layers is not a 1-D string dataset");
                break;
            }
            layers = ds;
            l = (size_t)d.dims[0];
            have_l = true;
        } else if (d.rank != 2 || !is_numeric(&d)) {
            H5Oclose(ds);
            ok = fail(err, P, "/checkpoints/%s is not a 2-D numeric dataset [checkpoint, layer]", name);
        } else {
            stat[ns] = ds;
            stat_name[ns++] = name;
        }
    }
    /* Layer count: from layers, else from the first statistic; every
     * statistic must have exactly that many columns. */
    if (ok && !have_l && ns > 0) {
        DsInfo d;
        ds_info(stat[0], &d);
        l = (size_t)d.dims[1];
    }
    for (size_t j = 0; ok && j < ns; j++) {
        DsInfo d;
        ds_info(stat[j], &d);
        if ((size_t)d.dims[1] != l) {
            ok = fail(err, P, "/checkpoints/%s has %zu columns but there are %zu layers", stat_name[j],
                      (size_t)d.dims[1], l);
            break;
        }
        if (d.dims[0] < k) k = (size_t)d.dims[0];
    }
    if (k == SIZE_MAX) k = 0;
    if (ok && ns == 0 && step < 0) ok = false; /* nothing there: no checkpoints */
    else if (ok && l > 0 && k > SIZE_MAX / sizeof(double) / l) ok = fail(err, P, "/checkpoints is too large");
    if (ok) {
        ck->k = k;
        ck->l = l;
        ck->s = ns;
        ck->step = ts_xcalloc(k ? k : 1, sizeof *ck->step);
        if (k && step >= 0) {
            if (!read_rows(step, H5T_NATIVE_INT64, 0, k, 0, ck->step))
                ok = fail(err, P, "truncated or corrupt HDF5 file (cannot read /checkpoints/step)");
        } else {
            for (size_t i = 0; i < k; i++) ck->step[i] = (int64_t)i;
        }
        ck->layer = ts_xcalloc(l ? l : 1, sizeof *ck->layer);
        if (ok && l && have_l) {
            hid_t type = H5Dget_type(layers), space = H5Dget_space(layers);
            char **s = (type >= 0 && space >= 0) ? read_strings(layers, false, type, space, l) : NULL;
            if (type >= 0) H5Tclose(type);
            if (space >= 0) H5Sclose(space);
            if (!s) ok = fail(err, P, "truncated or corrupt HDF5 file (cannot read /checkpoints/layers)");
            else {
                free(ck->layer);
                ck->layer = s;
            }
        } else if (ok) {
            for (size_t i = 0; i < l; i++) ck->layer[i] = ts_xasprintf("%zu", i);
        }
        ck->stat = ts_xcalloc(ns ? ns : 1, sizeof *ck->stat);
        ck->value = ts_xcalloc(ns ? ns : 1, sizeof *ck->value);
        for (size_t j = 0; j < ns; j++) {
            ck->stat[j] = ts_xstrdup(stat_name[j]);
            ck->value[j] = ts_xcalloc(k && l ? k * l : 1, sizeof(double));
            if (ok && k && l && !read_rows(stat[j], H5T_NATIVE_DOUBLE, 0, k, l, ck->value[j]))
                ok = fail(err, P, "truncated or corrupt HDF5 file (cannot read /checkpoints/%s)", stat_name[j]);
        }
        if (!ok) checkpoints_free(ck);
    }
    if (step >= 0) H5Oclose(step);
    if (layers >= 0) H5Oclose(layers);
    for (size_t j = 0; j < ns; j++) H5Oclose(stat[j]);
    free(stat);
    free(stat_name);
    names_free(&names);
    H5Oclose(g);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

static bool ar_load_checkpoints(TsRun *run, TsCheckpoints *out, TsErr *err) {
    Archive *ar = ts_run_impl(run);
    ts_err_clear(err);
    if (!ar->ck.loaded) {
        if (!load_checkpoints(ar, &ar->ck, err)) return false;
        ar->ck.loaded = true;
    }
    fill_checkpoints(&ar->ck, out);
    return true;
}

static void ar_close(TsRun *run) {
    archive_free(ts_run_impl(run));
}
