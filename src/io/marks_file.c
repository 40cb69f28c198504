/* marks_file.c - the marks sidecar (RUN.marks.json) and its fallback folder:
 * JSON with jansson, atomic saves, a lock for read-modify-write, quarantine.
 * Layer: io. License: MIT. */
#include "trajscope/marks_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trajscope/archive.h"
#include "trajscope/xalloc.h"

/* ---- paths ---- */

/* run_path without trailing slashes (but "/" stays "/"). */
static char *strip_slashes(const char *p) {
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') n--;
    return ts_xstrndup(p, n);
}

/* The folder part of a path ("." when there is none). */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return ts_xstrdup(".");
    if (slash == path) return ts_xstrdup("/");
    return ts_xstrndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

char *ts_marks_file_sidecar_path(const char *run_path) {
    char *p = strip_slashes(run_path);
    char *out = ts_xasprintf("%s.marks.json", p);
    free(p);
    return out;
}

/* The run's absolute path: realpath() when it resolves, else joined to the
 * working folder. */
static char *absolute_path(const char *run_path) {
    char *p = strip_slashes(run_path);
    char *real = realpath(p, NULL);
    if (real) {
        free(p);
        char *copy = ts_xstrdup(real);
        free(real);
        return copy;
    }
    if (p[0] == '/') return p;
    char *cwd = getcwd(NULL, 0);
    char *out = ts_xasprintf("%s/%s", cwd ? cwd : "", p);
    free(cwd);
    free(p);
    return out;
}

/* FNV-1a, 64 bits: a stable short name for a path. */
static uint64_t fnv1a64(const char *s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static char *fallback_dir(TsErr *err) {
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && xdg[0] == '/') return ts_xasprintf("%s/trajscope/marks", xdg);
    const char *home = getenv("HOME");
    if (home && home[0] == '/') return ts_xasprintf("%s/.local/share/trajscope/marks", home);
    ts_err_set(err, "no folder for marks: neither XDG_DATA_HOME nor HOME is an absolute path");
    return NULL;
}

char *ts_marks_file_fallback_path(const char *run_path, TsErr *err) {
    char *dir = fallback_dir(err);
    if (!dir) return NULL;
    char *abs = absolute_path(run_path);
    const char *base = base_of(abs);
    /* At most 100 bytes of the name, cut at a UTF-8 character boundary. */
    size_t n = strlen(base);
    if (n > 100) {
        n = 100;
        while (n > 0 && ((unsigned char)base[n] & 0xC0) == 0x80) n--;
    }
    char *name = n ? ts_xstrndup(base, n) : ts_xstrdup("run");
    char *out = ts_xasprintf("%s/%s-%016" PRIx64 ".marks.json", dir, name, fnv1a64(abs));
    free(name);
    free(abs);
    free(dir);
    return out;
}

/* mkdir -p with mode for the folders it creates. */
static bool make_dirs(const char *dir, TsErr *err) {
    char *p = ts_xstrdup(dir);
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char saved = *s;
            *s = '\0';
            if (mkdir(p, 0700) != 0 && errno != EEXIST) {
                ts_err_set(err, "%s: cannot create folder: %s", p, strerror(errno));
                free(p);
                return false;
            }
            *s = saved;
            if (saved == '\0') break;
        }
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        ts_err_set(err, "%s: not a folder", dir);
        return false;
    }
    return true;
}

/* ---- atomic write ---- */

static mode_t default_mode(void) {
    mode_t mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

static void fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)fsync(fd); /* best effort: some file systems refuse fsync on folders */
    close(fd);
}

/* The atomic write; *create_errno receives errno when the temporary file
 * could not be created (0 otherwise), so callers can tell "folder not
 * writable" from other failures. */
static bool write_atomic(const char *path, const void *data, size_t len, int *create_errno,
                         TsErr *err) {
    *create_errno = 0;
    char *tmp = ts_xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *create_errno = errno;
        char *dir = dir_of(path);
        ts_err_set(err, "%s: cannot write in %s: %s", path, dir, strerror(errno));
        free(dir);
        free(tmp);
        return false;
    }
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : default_mode();
    (void)fchmod(fd, mode);
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        ts_err_set(err, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return false;
    }
    bool ok = (len == 0 || fwrite(data, 1, len, f) == len) && fflush(f) == 0 && fsync(fd) == 0;
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        ts_err_set(err, "%s: cannot write: %s", path, strerror(e));
        unlink(tmp);
        free(tmp);
        return false;
    }
    free(tmp);
    char *dir = dir_of(path);
    fsync_dir(dir);
    free(dir);
    return true;
}

bool ts_marks_file_write_atomic(const char *path, const void *data, size_t len, TsErr *err) {
    int ce;
    return write_atomic(path, data, len, &ce, err);
}

/* ---- JSON ---- */

static json_t *jstr(const char *s) {
    json_t *j = json_string(s);
    if (!j) ts_die("marks: a text field is not valid UTF-8"); /* the set validates; unreachable */
    return j;
}

static json_t *mark_to_json(const TsMark *m) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)m->id));
    json_object_set_new(o, "kind", jstr(ts_mark_kind_name(m->kind)));
    json_object_set_new(o, "start_step", json_integer((json_int_t)m->start_step));
    json_object_set_new(o, "end_step", json_integer((json_int_t)m->end_step));
    json_object_set_new(o, "label", jstr(m->label));
    json_object_set_new(o, "colour", jstr(m->colour));
    json_object_set_new(o, "run", jstr(m->run));
    json_object_set_new(o, "metric", jstr(m->metric));
    json_object_set_new(o, "source", jstr(m->source));
    json_object_set_new(o, "created", jstr(m->created));
    return o;
}

char *ts_marks_file_format(const TsMarkSet *set, const char *run_path_note) {
    json_t *root = json_object();
    json_object_set_new(root, "trajscope_marks", json_integer(TS_MARKS_FILE_VERSION));
    json_object_set_new(root, "next_id", json_integer((json_int_t)ts_marks_next_id(set)));
    if (run_path_note) {
        json_t *note = json_string(run_path_note);
        if (note) json_object_set_new(root, "run_path", note);
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < ts_marks_count(set); i++)
        json_array_append_new(arr, mark_to_json(ts_marks_at(set, i)));
    json_object_set_new(root, "marks", arr);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    if (!text) ts_die("out of memory formatting marks");
    char *out = ts_xasprintf("%s\n", text);
    free(text);
    return out;
}

/* Reads an optional string field; false with err when it has the wrong type. */
static bool get_text(json_t *o, const char *key, const char **out, const char *name, size_t k,
                     TsErr *err) {
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v)) return true;
    if (!json_is_string(v)) {
        ts_err_set(err, "%s: mark %zu: \"%s\" must be a string", name, k, key);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

static bool get_int(json_t *o, const char *key, bool required, json_int_t *out, bool *present,
                    const char *name, size_t k, TsErr *err) {
    json_t *v = json_object_get(o, key);
    *present = v != NULL;
    if (!v) {
        if (required) ts_err_set(err, "%s: mark %zu: \"%s\" is missing", name, k, key);
        return !required;
    }
    if (!json_is_integer(v)) {
        ts_err_set(err, "%s: mark %zu: \"%s\" must be an integer", name, k, key);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

static bool parse_mark(json_t *o, TsMarkSet *set, const char *name, size_t k, TsErr *err) {
    if (!json_is_object(o)) {
        ts_err_set(err, "%s: mark %zu: must be an object", name, k);
        return false;
    }
    TsMark m;
    memset(&m, 0, sizeof m);
    json_int_t id = 0, start = 0, end = 0;
    bool has_id, has_start, has_end;
    if (!get_int(o, "id", true, &id, &has_id, name, k, err)) return false;
    if (id < 1) {
        ts_err_set(err, "%s: mark %zu: \"id\" must be a positive integer", name, k);
        return false;
    }
    json_t *kind = json_object_get(o, "kind");
    if (!kind || !json_is_string(kind) || !ts_mark_kind_parse(json_string_value(kind), &m.kind)) {
        ts_err_set(err, "%s: mark %zu: \"kind\" must be \"point\" or \"interval\"", name, k);
        return false;
    }
    if (!get_int(o, "start_step", true, &start, &has_start, name, k, err)) return false;
    if (!get_int(o, "end_step", m.kind == TS_MARK_INTERVAL, &end, &has_end, name, k, err)) return false;
    m.id = (uint64_t)id;
    m.start_step = start;
    m.end_step = has_end ? end : start;
    json_t *colour = json_object_get(o, "colour");
    char num[32];
    if (colour && json_is_integer(colour)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(colour));
        m.colour = num;
    } else if (!get_text(o, "colour", &m.colour, name, k, err)) {
        return false;
    }
    if (!get_text(o, "label", &m.label, name, k, err) || !get_text(o, "run", &m.run, name, k, err) ||
        !get_text(o, "metric", &m.metric, name, k, err) ||
        !get_text(o, "source", &m.source, name, k, err) ||
        !get_text(o, "created", &m.created, name, k, err))
        return false;
    TsErr e2;
    ts_err_clear(&e2);
    if (ts_marks_add(set, &m, &e2) == 0) {
        ts_err_set(err, "%s: mark %zu: %s", name, k, e2.msg);
        return false;
    }
    return true;
}

TsMarkSet *ts_marks_file_parse(const char *text, size_t len, const char *name, TsErr *err) {
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        ts_err_set(err, "%s:%d:%d: %s", name, je.line, je.column, je.text);
        return NULL;
    }
    TsMarkSet *set = NULL;
    json_t *ver = json_object_get(root, "trajscope_marks");
    if (!json_is_object(root) || !ver) {
        ts_err_set(err, "%s: not a trajscope marks file (no \"trajscope_marks\" field)", name);
        goto out;
    }
    if (!json_is_integer(ver) || json_integer_value(ver) < 1) {
        ts_err_set(err, "%s: \"trajscope_marks\" must be a positive integer", name);
        goto out;
    }
    if (json_integer_value(ver) > TS_MARKS_FILE_VERSION) {
        ts_err_set(err, "%s: written by a newer trajscope (marks format %" JSON_INTEGER_FORMAT
                        ", this one reads %d)", name, json_integer_value(ver), TS_MARKS_FILE_VERSION);
        goto out;
    }
    json_t *marks = json_object_get(root, "marks");
    if (!marks || !json_is_array(marks)) {
        ts_err_set(err, "%s: \"marks\" must be an array", name);
        goto out;
    }
    json_t *next = json_object_get(root, "next_id");
    if (next && (!json_is_integer(next) || json_integer_value(next) < 1)) {
        ts_err_set(err, "%s: \"next_id\" must be a positive integer", name);
        goto out;
    }
    set = ts_marks_new();
    for (size_t k = 0; k < json_array_size(marks); k++) {
        if (!parse_mark(json_array_get(marks, k), set, name, k + 1, err)) {
            ts_marks_free(set);
            set = NULL;
            goto out;
        }
    }
    if (next) ts_marks_reserve_id(set, (uint64_t)json_integer_value(next));
    ts_marks_forget_undo(set);
out:
    json_decref(root);
    return set;
}

/* Reads a whole (bounded) file. NULL with err set. *missing (may be NULL)
 * tells ENOENT apart. */
static char *read_file(const char *path, size_t *len, bool *missing, TsErr *err) {
    if (missing) *missing = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (missing) *missing = errno == ENOENT;
        ts_err_set(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ts_err_set(err, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if ((uint64_t)st.st_size > TS_MARKS_FILE_MAX_BYTES) {
        ts_err_set(err, "%s: too large for a marks file (%jd bytes)", path, (intmax_t)st.st_size);
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = ts_xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > TS_MARKS_FILE_MAX_BYTES) {
                ts_err_set(err, "%s: too large for a marks file", path);
                free(buf);
                close(fd);
                return NULL;
            }
            cap *= 2;
            buf = ts_xreallocarray(buf, cap, 1);
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            ts_err_set(err, "%s: cannot read: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
}

TsMarkSet *ts_marks_file_read(const char *path, TsErr *err) {
    size_t len;
    char *text = read_file(path, &len, NULL, err);
    if (!text) return NULL;
    TsMarkSet *set = ts_marks_file_parse(text, len, path, err);
    free(text);
    return set;
}

/* ---- per run ---- */

/* stat() that tells "absent" (false, err clear) from errors (false, err set). */
static bool exists(const char *path, struct stat *st, TsErr *err) {
    if (stat(path, st) == 0) return true;
    if (errno != ENOENT && errno != ENOTDIR) ts_err_set(err, "%s: %s", path, strerror(errno));
    return false;
}

static bool newer(const struct stat *a, const struct stat *b) {
    if (a->st_mtim.tv_sec != b->st_mtim.tv_sec) return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
    return a->st_mtim.tv_nsec > b->st_mtim.tv_nsec;
}

TsMarkSet *ts_marks_file_load(const char *run_path, char **loaded_from, TsErr *err) {
    if (loaded_from) *loaded_from = NULL;
    char *side = ts_marks_file_sidecar_path(run_path);
    TsErr ignore;
    char *fb = ts_marks_file_fallback_path(run_path, &ignore);
    struct stat ss, fs;
    TsErr e;
    ts_err_clear(&e);
    bool has_side = exists(side, &ss, &e);
    bool has_fb = !ts_err_is_set(&e) && fb && exists(fb, &fs, &e);
    TsMarkSet *set = NULL;
    if (ts_err_is_set(&e)) {
        ts_err_set(err, "%s", e.msg);
    } else if (has_side || has_fb) {
        const char *use = has_side && (!has_fb || !newer(&fs, &ss)) ? side : fb;
        set = ts_marks_file_read(use, err);
        if (set && loaded_from) *loaded_from = ts_xstrdup(use);
    } else {
        bool found = false;
        char *p = strip_slashes(run_path);
        if (ts_archive_probe(p)) {
            set = ts_marks_archive_read(p, &found, err);
            if (set && found && loaded_from) *loaded_from = ts_xasprintf("%s:/marks", p);
        } else {
            set = ts_marks_new();
        }
        free(p);
    }
    free(side);
    free(fb);
    return set;
}

/* ---- lock ---- */

/* Removes "<base>.tmp-XXXXXX" files in dir: temporaries of writers that were
 * killed. Only called under the lock, when no save is in progress. */
static void remove_stale_temps(const char *path) {
    char *dir = dir_of(path);
    const char *base = base_of(path);
    char *prefix = ts_xasprintf("%s.tmp-", base);
    size_t plen = strlen(prefix);
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strncmp(de->d_name, prefix, plen) == 0 && strlen(de->d_name) == plen + 6) {
                char *full = ts_xasprintf("%s/%s", dir, de->d_name);
                unlink(full);
                free(full);
            }
        }
        closedir(d);
    }
    free(prefix);
    free(dir);
}

/* An exclusive flock on the folder holding the sidecar (or, when that
 * cannot be opened, the fallback folder). Returns the fd, -1 with err set. */
static int lock_marks(const char *run_path, TsErr *err) {
    char *side = ts_marks_file_sidecar_path(run_path);
    char *dir = dir_of(side);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        TsErr e;
        ts_err_clear(&e);
        char *fdir = fallback_dir(&e);
        if (fdir && make_dirs(fdir, &e)) fd = open(fdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) ts_err_set(err, "%s: cannot lock the marks of this run: %s", run_path,
                               ts_err_is_set(&e) ? e.msg : strerror(errno));
        free(fdir);
    }
    bool locked = false;
    if (fd >= 0) {
        for (;;) {
            if (flock(fd, LOCK_EX) == 0) {
                locked = true;
                break;
            }
            /* A file system without flock: go on unlocked (saves stay atomic). */
            if (errno != EINTR) break;
        }
    }
    if (locked) {
        remove_stale_temps(side);
        TsErr ignore;
        char *fb = ts_marks_file_fallback_path(run_path, &ignore);
        if (fb) remove_stale_temps(fb);
        free(fb);
    }
    free(dir);
    free(side);
    return fd;
}

static void unlock_marks(int fd) {
    if (fd >= 0) close(fd); /* closing releases the flock */
}

/* ---- save ---- */

/* Refuses to replace a file that exists but is not a marks file we can read. */
static bool target_replaceable(const char *path, TsErr *err) {
    struct stat st;
    TsErr e;
    ts_err_clear(&e);
    if (!exists(path, &st, &e)) {
        if (ts_err_is_set(&e)) {
            ts_err_set(err, "%s", e.msg);
            return false;
        }
        return true;
    }
    TsMarkSet *old = ts_marks_file_read(path, &e);
    if (!old) {
        ts_err_set(err, "not saved: %s (the file is left as it is; move it aside first)", e.msg);
        return false;
    }
    ts_marks_free(old);
    return true;
}

static bool not_writable_errno(int e) { return e == EACCES || e == EPERM || e == EROFS; }

static bool save_unlocked(const char *run_path, const TsMarkSet *set, char **saved_to, TsErr *err) {
    char *side = ts_marks_file_sidecar_path(run_path);
    bool use_fallback = false;
    struct stat st;
    if (stat(side, &st) == 0 && access(side, W_OK) != 0 && not_writable_errno(errno))
        use_fallback = true; /* a read-only sidecar (e.g. shipped with the run) */
    if (!use_fallback) {
        if (!target_replaceable(side, err)) {
            free(side);
            return false;
        }
        char *text = ts_marks_file_format(set, NULL);
        int ce;
        TsErr e;
        ts_err_clear(&e);
        bool ok = write_atomic(side, text, strlen(text), &ce, &e);
        free(text);
        if (ok) {
            if (saved_to) *saved_to = side;
            else free(side);
            return true;
        }
        if (!not_writable_errno(ce)) {
            ts_err_set(err, "%s", e.msg);
            free(side);
            return false;
        }
    }
    free(side);
    char *fb = ts_marks_file_fallback_path(run_path, err);
    if (!fb) return false;
    char *dir = dir_of(fb);
    bool ok = make_dirs(dir, err) && target_replaceable(fb, err);
    free(dir);
    if (ok) {
        char *abs = absolute_path(run_path);
        char *text = ts_marks_file_format(set, abs);
        ok = ts_marks_file_write_atomic(fb, text, strlen(text), err);
        free(text);
        free(abs);
    }
    if (ok && saved_to) *saved_to = fb;
    else free(fb);
    return ok;
}

bool ts_marks_file_save(const char *run_path, const TsMarkSet *set, char **saved_to, TsErr *err) {
    if (saved_to) *saved_to = NULL;
    int fd = lock_marks(run_path, err);
    if (fd < 0) return false;
    bool ok = save_unlocked(run_path, set, saved_to, err);
    unlock_marks(fd);
    return ok;
}

bool ts_marks_file_update(const char *run_path, TsMarksEditFn edit, void *ctx, char **saved_to,
                          TsErr *err) {
    if (saved_to) *saved_to = NULL;
    int fd = lock_marks(run_path, err);
    if (fd < 0) return false;
    TsMarkSet *set = ts_marks_file_load(run_path, NULL, err);
    bool ok = set && edit(set, ctx, err) && save_unlocked(run_path, set, saved_to, err);
    ts_marks_free(set);
    unlock_marks(fd);
    return ok;
}

/* True only when neither the sidecar nor the fallback file exists (then
 * ts_marks_file_load() looked at the archive's /marks). */
static bool marks_files_absent(const char *run_path) {
    char *side = ts_marks_file_sidecar_path(run_path);
    TsErr ignore;
    ts_err_clear(&ignore);
    char *fb = ts_marks_file_fallback_path(run_path, &ignore);
    struct stat st;
    TsErr e;
    ts_err_clear(&e);
    bool absent = !exists(side, &st, &e) && !ts_err_is_set(&e) && !(fb && exists(fb, &st, &e)) &&
                  !ts_err_is_set(&e);
    free(side);
    free(fb);
    return absent;
}

bool ts_marks_file_save_merged(const char *run_path, TsMarkSet *mine, const TsMarkSet *base,
                               TsMarksMergeReport *rep, char **saved_to, TsErr *err) {
    if (saved_to) *saved_to = NULL;
    if (rep) memset(rep, 0, sizeof *rep);
    int fd = lock_marks(run_path, err);
    if (fd < 0) return false;
    TsErr e;
    ts_err_clear(&e);
    bool ok = true;
    TsMarkSet *now = ts_marks_file_load(run_path, NULL, &e);
    if (!now && !marks_files_absent(run_path)) {
        ts_err_set(err, "not saved: %s (the file is left as it is; move it aside first)", e.msg);
        ok = false;
    }
    /* now NULL here: only the archive's /marks failed; nothing to merge. */
    if (ok && now) ok = ts_marks_merge(mine, base, now, rep, err);
    if (ok) ok = save_unlocked(run_path, mine, saved_to, err);
    ts_marks_free(now);
    unlock_marks(fd);
    return ok;
}

/* ---- stamps ---- */

static void stamp_one(const char *path, TsMarksFileStamp *out, int k) {
    memset(&out->file[k], 0, sizeof out->file[k]);
    struct stat st;
    if (!path || stat(path, &st) != 0) return;
    out->file[k].exists = true;
    out->file[k].dev = (uint64_t)st.st_dev;
    out->file[k].ino = (uint64_t)st.st_ino;
    out->file[k].size = (uint64_t)st.st_size;
    out->file[k].mtime_s = (int64_t)st.st_mtim.tv_sec;
    out->file[k].mtime_ns = st.st_mtim.tv_nsec;
    out->file[k].ctime_s = (int64_t)st.st_ctim.tv_sec;
    out->file[k].ctime_ns = st.st_ctim.tv_nsec;
}

void ts_marks_file_stamp(const char *run_path, TsMarksFileStamp *out) {
    char *side = ts_marks_file_sidecar_path(run_path);
    TsErr ignore;
    ts_err_clear(&ignore);
    char *fb = ts_marks_file_fallback_path(run_path, &ignore);
    stamp_one(side, out, 0);
    stamp_one(fb, out, 1);
    free(side);
    free(fb);
}

bool ts_marks_file_stamp_equal(const TsMarksFileStamp *a, const TsMarksFileStamp *b) {
    for (int k = 0; k < 2; k++) {
        if (a->file[k].exists != b->file[k].exists) return false;
        if (!a->file[k].exists) continue;
        if (a->file[k].dev != b->file[k].dev || a->file[k].ino != b->file[k].ino ||
            a->file[k].size != b->file[k].size || a->file[k].mtime_s != b->file[k].mtime_s ||
            a->file[k].mtime_ns != b->file[k].mtime_ns || a->file[k].ctime_s != b->file[k].ctime_s ||
            a->file[k].ctime_ns != b->file[k].ctime_ns)
            return false;
    }
    return true;
}

/* ---- quarantine ---- */

bool ts_marks_file_quarantine(const char *path, char **new_path, TsErr *err) {
    if (new_path) *new_path = NULL;
    struct stat st;
    if (lstat(path, &st) != 0) {
        ts_err_set(err, "%s: %s", path, strerror(errno));
        return false;
    }
    for (unsigned n = 0; n < 1000; n++) {
        char *cand = n == 0 ? ts_xasprintf("%s.bad", path) : ts_xasprintf("%s.bad.%u", path, n);
        bool moved = false;
        if (link(path, cand) == 0) {
            moved = unlink(path) == 0;
            if (!moved) {
                ts_err_set(err, "%s: cannot move aside: %s", path, strerror(errno));
                unlink(cand); /* the second name only; the original stays */
                free(cand);
                return false;
            }
        } else if (errno == EEXIST) {
            free(cand);
            continue;
        } else if (errno == EPERM || errno == EXDEV || errno == EMLINK || errno == ENOTSUP ||
                   errno == EOPNOTSUPP) {
            /* No hard links here: check, then rename (a tiny race, never a loss of the original). */
            struct stat cs;
            if (lstat(cand, &cs) == 0) {
                free(cand);
                continue;
            }
            moved = rename(path, cand) == 0;
        }
        if (!moved) {
            ts_err_set(err, "%s: cannot move aside: %s", path, strerror(errno));
            free(cand);
            return false;
        }
        char *dir = dir_of(path);
        fsync_dir(dir);
        free(dir);
        if (new_path) *new_path = cand;
        else free(cand);
        return true;
    }
    ts_err_set(err, "%s: cannot move aside: %s.bad.1 to .bad.999 are all taken", path, path);
    return false;
}
