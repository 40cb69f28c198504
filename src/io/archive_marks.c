/* archive_marks.c - marks inside a trajscope archive: the /marks group
 * (docs/FORMAT.md, section "/marks"), written only on explicit request.
 * Layer: io (an HDF5 user, like archive.c and writer.c). License: MIT. */
#include "trajscope/marks_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "trajscope/xalloc.h"

#if H5_VERSION_GE(1, 12, 0)
#define vlen_reclaim(type, space, buf) H5Treclaim((type), (space), H5P_DEFAULT, (buf))
#else
#define vlen_reclaim(type, space, buf) H5Dvlen_reclaim((type), (space), H5P_DEFAULT, (buf))
#endif

/* More marks than this in /marks is taken as a corrupt file. */
#define MAX_ARCHIVE_MARKS ((hsize_t)1 << 24)

static const char *const TEXT_COLS[] = {"kind", "label", "colour", "run", "metric", "source", "created"};
enum { N_TEXT = sizeof TEXT_COLS / sizeof TEXT_COLS[0] };
static const char *const INT_COLS[] = {"id", "start_step", "end_step"};
enum { N_INT = sizeof INT_COLS / sizeof INT_COLS[0] };

static hid_t utf8_vlen_type(void) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

/* ---- writing ---- */

static bool write_int_attr(hid_t obj, const char *name, int64_t v) {
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    bool ok = a >= 0 && H5Awrite(a, H5T_NATIVE_INT64, &v) >= 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return ok;
}

static bool write_column(hid_t g, const char *name, hid_t file_type, hid_t mem_type, size_t n,
                         const void *data) {
    hsize_t dims[1] = {(hsize_t)n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(g, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    bool ok = ds >= 0 && (n == 0 || H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    return ok;
}

static bool write_marks_group(hid_t file, const TsMarkSet *set) {
    htri_t has = H5Lexists(file, "marks", H5P_DEFAULT);
    if (has > 0 && H5Ldelete(file, "marks", H5P_DEFAULT) < 0) return false;
    hid_t g = H5Gcreate2(file, "marks", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return false;
    size_t n = ts_marks_count(set);
    bool ok = write_int_attr(g, "trajscope_marks", TS_MARKS_FILE_VERSION) &&
              write_int_attr(g, "next_id", (int64_t)ts_marks_next_id(set));
    int64_t *ints = ts_xcalloc(n ? n : 1, sizeof *ints);
    const char **texts = ts_xcalloc(n ? n : 1, sizeof *texts);
    for (int c = 0; ok && c < N_INT; c++) {
        for (size_t i = 0; i < n; i++) {
            const TsMark *m = ts_marks_at(set, i);
            ints[i] = c == 0 ? (int64_t)m->id : c == 1 ? m->start_step : m->end_step;
        }
        ok = write_column(g, INT_COLS[c], H5T_STD_I64LE, H5T_NATIVE_INT64, n, ints);
    }
    hid_t st = utf8_vlen_type();
    for (int c = 0; ok && c < N_TEXT; c++) {
        for (size_t i = 0; i < n; i++) {
            const TsMark *m = ts_marks_at(set, i);
            const char *v[N_TEXT] = {ts_mark_kind_name(m->kind), m->label, m->colour, m->run,
                                     m->metric, m->source, m->created};
            texts[i] = v[c];
        }
        ok = write_column(g, TEXT_COLS[c], st, st, n, texts);
    }
    H5Tclose(st);
    free(ints);
    free(texts);
    H5Gclose(g);
    return ok;
}

/* Copies src into the open file descriptor out. */
static bool copy_file(const char *src, int out, TsErr *err) {
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        ts_err_set(err, "%s: cannot open: %s", src, strerror(errno));
        return false;
    }
    char *buf = ts_xmalloc(1 << 16);
    bool ok = true;
    for (;;) {
        ssize_t r = read(in, buf, 1 << 16);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            ts_err_set(err, "%s: cannot read: %s", src, strerror(errno));
            ok = false;
            break;
        }
        if (r == 0) break;
        for (ssize_t done = 0; done < r;) {
            ssize_t w = write(out, buf + done, (size_t)(r - done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                ts_err_set(err, "%s: cannot copy: %s", src, strerror(errno));
                ok = false;
                break;
            }
            done += w;
        }
        if (!ok) break;
    }
    free(buf);
    close(in);
    return ok;
}

bool ts_marks_archive_write(const char *archive_path, const TsMarkSet *set, TsErr *err) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct stat st;
    if (stat(archive_path, &st) != 0) {
        ts_err_set(err, "%s: %s", archive_path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        ts_err_set(err, "%s: not a regular file", archive_path);
        return false;
    }
    /* Is it a trajscope archive at all? */
    hid_t probe = H5Fopen(archive_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (probe < 0) {
        ts_err_set(err, "%s: not an HDF5 file, or it is open for writing", archive_path);
        H5Eclear2(H5E_DEFAULT);
        return false;
    }
    htri_t is_ours = H5Aexists(probe, "trajscope_format");
    H5Fclose(probe);
    if (is_ours <= 0) {
        ts_err_set(err, "%s: not a trajscope archive (no trajscope_format attribute)", archive_path);
        H5Eclear2(H5E_DEFAULT);
        return false;
    }

    char *tmp = ts_xasprintf("%s.tmp-XXXXXX", archive_path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        ts_err_set(err, "%s: cannot create a temporary copy: %s", archive_path, strerror(errno));
        free(tmp);
        return false;
    }
    (void)fchmod(fd, st.st_mode & 07777);
    bool ok = copy_file(archive_path, fd, err);
    if (ok && fsync(fd) != 0) {
        ts_err_set(err, "%s: cannot write: %s", tmp, strerror(errno));
        ok = false;
    }
    close(fd);
    if (ok) {
        hid_t file = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
        ok = file >= 0 && write_marks_group(file, set);
        if (file >= 0 && H5Fclose(file) < 0) ok = false;
        if (!ok) ts_err_set(err, "%s: cannot write the /marks group", archive_path);
        H5Eclear2(H5E_DEFAULT);
    }
    if (ok) {
        /* HDF5 wrote through its own handle: flush the data before the rename. */
        int f2 = open(tmp, O_RDONLY | O_CLOEXEC);
        ok = f2 >= 0 && fsync(f2) == 0;
        if (f2 >= 0) close(f2);
        if (!ok) ts_err_set(err, "%s: cannot sync: %s", tmp, strerror(errno));
    }
    if (ok && rename(tmp, archive_path) != 0) {
        ts_err_set(err, "%s: cannot replace: %s", archive_path, strerror(errno));
        ok = false;
    }
    if (!ok) {
        unlink(tmp);
    } else {
        const char *slash = strrchr(archive_path, '/');
        char *dir = slash ? (slash == archive_path ? ts_xstrdup("/")
                                                   : ts_xstrndup(archive_path, (size_t)(slash - archive_path)))
                          : ts_xstrdup(".");
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    free(tmp);
    return ok;
}

/* ---- reading ---- */

static bool read_int_attr(hid_t obj, const char *name, int64_t *out) {
    if (H5Aexists(obj, name) <= 0) return false;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return false;
    hid_t sp = H5Aget_space(a);
    hid_t t = H5Aget_type(a);
    bool ok = sp >= 0 && H5Sget_simple_extent_npoints(sp) == 1 && t >= 0 &&
              H5Tget_class(t) == H5T_INTEGER && H5Aread(a, H5T_NATIVE_INT64, out) >= 0;
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    H5Aclose(a);
    return ok;
}

/* Opens /marks/<name> and checks it is 1-D with n elements (n = SIZE_MAX:
 * learn n). */
static hid_t open_column(hid_t g, const char *name, hsize_t *n) {
    if (H5Lexists(g, name, H5P_DEFAULT) <= 0) return H5I_INVALID_HID;
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    if (ds < 0) return H5I_INVALID_HID;
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[1] = {0};
    bool ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
              H5Sget_simple_extent_dims(sp, dims, NULL) == 1;
    if (sp >= 0) H5Sclose(sp);
    if (ok && *n == (hsize_t)-1) *n = dims[0];
    if (!ok || dims[0] != *n || *n > MAX_ARCHIVE_MARKS) {
        H5Dclose(ds);
        return H5I_INVALID_HID;
    }
    return ds;
}

/* Reads a string column (variable or fixed length) into n heap strings. */
static char **read_text_column(hid_t ds, size_t n) {
    char **out = ts_xcalloc(n ? n : 1, sizeof *out);
    if (n == 0) return out;
    hid_t ft = H5Dget_type(ds);
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING) {
        if (ft >= 0) H5Tclose(ft);
        free(out);
        return NULL;
    }
    bool ok = false;
    if (H5Tis_variable_str(ft) > 0) {
        hid_t mt = utf8_vlen_type();
        char **raw = ts_xcalloc(n, sizeof *raw);
        hid_t sp = H5Dget_space(ds);
        if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0) {
            ok = true;
            for (size_t i = 0; i < n; i++) out[i] = ts_xstrdup(raw[i] ? raw[i] : "");
            vlen_reclaim(mt, sp, raw);
        }
        H5Sclose(sp);
        free(raw);
        H5Tclose(mt);
    } else {
        size_t sz = H5Tget_size(ft);
        if (sz > 0 && sz <= TS_MARK_TEXT_MAX) {
            hid_t mt = H5Tcopy(ft);
            char *buf = ts_xcalloc(n, sz);
            if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
                ok = true;
                for (size_t i = 0; i < n; i++) {
                    size_t len = strnlen(buf + i * sz, sz);
                    while (len > 0 && H5Tget_strpad(ft) == H5T_STR_SPACEPAD && buf[i * sz + len - 1] == ' ')
                        len--;
                    out[i] = ts_xstrndup(buf + i * sz, len);
                }
            }
            free(buf);
            H5Tclose(mt);
        }
    }
    H5Tclose(ft);
    if (!ok) {
        free(out);
        return NULL;
    }
    return out;
}

static void free_texts(char **t, size_t n) {
    if (!t) return;
    for (size_t i = 0; i < n; i++) free(t[i]);
    free(t);
}

static TsMarkSet *read_group(hid_t g, const char *path, TsErr *err) {
    int64_t version = 0, next_id = 0;
    if (!read_int_attr(g, "trajscope_marks", &version) || version < 1) {
        ts_err_set(err, "%s: /marks: no trajscope_marks version attribute", path);
        return NULL;
    }
    if (version > TS_MARKS_FILE_VERSION) {
        ts_err_set(err, "%s: /marks: written by a newer trajscope (version %lld)", path, (long long)version);
        return NULL;
    }
    hsize_t n = (hsize_t)-1;
    hid_t ints[N_INT], texts[N_TEXT];
    bool ok = true;
    const char *bad = NULL;
    for (int c = 0; c < N_INT; c++) {
        ints[c] = ok ? open_column(g, INT_COLS[c], &n) : H5I_INVALID_HID;
        if (ok && ints[c] < 0) {
            ok = false;
            bad = INT_COLS[c];
        }
    }
    for (int c = 0; c < N_TEXT; c++) {
        texts[c] = ok ? open_column(g, TEXT_COLS[c], &n) : H5I_INVALID_HID;
        if (ok && texts[c] < 0) {
            ok = false;
            bad = TEXT_COLS[c];
        }
    }
    TsMarkSet *set = NULL;
    size_t count = ok ? (size_t)n : 0;
    int64_t *iv[N_INT] = {NULL};
    char **tv[N_TEXT] = {NULL};
    for (int c = 0; ok && c < N_INT; c++) {
        iv[c] = ts_xcalloc(count ? count : 1, sizeof *iv[c]);
        if (count && H5Dread(ints[c], H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, iv[c]) < 0) {
            ok = false;
            bad = INT_COLS[c];
        }
    }
    for (int c = 0; ok && c < N_TEXT; c++) {
        tv[c] = read_text_column(texts[c], count);
        if (!tv[c]) {
            ok = false;
            bad = TEXT_COLS[c];
        }
    }
    if (!ok) {
        ts_err_set(err, "%s: /marks/%s: missing, of the wrong type or length, or unreadable", path,
                   bad ? bad : "?");
    } else {
        set = ts_marks_new();
        for (size_t i = 0; i < count; i++) {
            TsMark m;
            memset(&m, 0, sizeof m);
            if (iv[0][i] < 1 || !ts_mark_kind_parse(tv[0][i], &m.kind)) {
                ts_err_set(err, "%s: /marks: mark %zu: bad id or kind", path, i + 1);
                ts_marks_free(set);
                set = NULL;
                break;
            }
            m.id = (uint64_t)iv[0][i];
            m.start_step = iv[1][i];
            m.end_step = iv[2][i];
            m.label = tv[1][i];
            m.colour = tv[2][i];
            m.run = tv[3][i];
            m.metric = tv[4][i];
            m.source = tv[5][i];
            m.created = tv[6][i];
            TsErr e;
            ts_err_clear(&e);
            if (ts_marks_add(set, &m, &e) == 0) {
                ts_err_set(err, "%s: /marks: mark %zu: %s", path, i + 1, e.msg);
                ts_marks_free(set);
                set = NULL;
                break;
            }
        }
        if (set && read_int_attr(g, "next_id", &next_id) && next_id > 0)
            ts_marks_reserve_id(set, (uint64_t)next_id);
        if (set) ts_marks_forget_undo(set);
    }
    for (int c = 0; c < N_INT; c++) {
        free(iv[c]);
        if (ints[c] >= 0) H5Dclose(ints[c]);
    }
    for (int c = 0; c < N_TEXT; c++) {
        free_texts(tv[c], count);
        if (texts[c] >= 0) H5Dclose(texts[c]);
    }
    return set;
}

TsMarkSet *ts_marks_archive_read(const char *archive_path, bool *found, TsErr *err) {
    *found = false;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t file = H5Fopen(archive_path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
    if (file < 0) file = H5Fopen(archive_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        H5Eclear2(H5E_DEFAULT);
        return ts_marks_new();
    }
    TsMarkSet *set;
    if (H5Lexists(file, "marks", H5P_DEFAULT) > 0) {
        hid_t g = H5Gopen2(file, "marks", H5P_DEFAULT);
        if (g < 0) {
            ts_err_set(err, "%s: /marks is not a group", archive_path);
            set = NULL;
        } else {
            *found = true;
            set = read_group(g, archive_path, err);
            H5Gclose(g);
        }
    } else {
        set = ts_marks_new();
    }
    H5Fclose(file);
    H5Eclear2(H5E_DEFAULT);
    return set;
}
