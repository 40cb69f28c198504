/* source.c - finds runs (archives and logs) under a path, recursively.
 * Layer: io. License: MIT. */
#include "trajscope/source.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/import_priv.h"
#include "trajscope/archive.h"
#include "trajscope/natcmp.h"
#include "trajscope/xalloc.h"

enum { MAX_DEPTH = 64 };

typedef struct Seen {
    dev_t dev;
    ino_t ino;
} Seen;

typedef struct Finder {
    TsSourceList *out;
    size_t cap;
    Seen *seen;
    size_t n_seen, cap_seen;
} Finder;

static void add(Finder *f, const char *path, const char *name, const char *kind) {
    TsSourceList *l = f->out;
    if (l->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 16;
        l->items = ts_xreallocarray(l->items, f->cap, sizeof *l->items);
    }
    TsSource *s = &l->items[l->n++];
    s->path = ts_xstrdup(path);
    s->name = ts_xstrdup(name);
    s->kind = kind;
}

static const char *file_kind(const char *path, const char *base) {
    if (imp_has_suffix(base, ".h5") || imp_has_suffix(base, ".hdf5") || imp_has_suffix(base, ".he5"))
        return ts_archive_probe(path) ? "archive" : NULL;
    if (imp_has_suffix(base, ".csv")) return ts_import_probe(path) ? "csv" : NULL;
    if (imp_has_suffix(base, ".json") || imp_has_suffix(base, ".jsonl") || imp_has_suffix(base, ".ndjson"))
        return ts_import_probe(path) ? "json" : NULL;
    return NULL;
}

/* name without its extension. */
static char *strip_ext(const char *name) {
    char *s = ts_xstrdup(name);
    char *slash = strrchr(s, '/');
    char *dot = strrchr(slash ? slash + 1 : s, '.');
    if (dot && dot != (slash ? slash + 1 : s)) *dot = '\0';
    return s;
}

typedef struct Entry {
    char *name;
    bool is_dir, is_file;
} Entry;

static int cmp_entry(const void *a, const void *b) {
    return ts_natural_cmp(((const Entry *)a)->name, ((const Entry *)b)->name);
}

static bool seen_before(Finder *f, const struct stat *st) {
    for (size_t i = 0; i < f->n_seen; i++)
        if (f->seen[i].dev == st->st_dev && f->seen[i].ino == st->st_ino) return true;
    if (f->n_seen == f->cap_seen) {
        f->cap_seen = f->cap_seen ? 2 * f->cap_seen : 64;
        f->seen = ts_xreallocarray(f->seen, f->cap_seen, sizeof *f->seen);
    }
    f->seen[f->n_seen++] = (Seen){st->st_dev, st->st_ino};
    return false;
}

/* Visits dir (rel = its path relative to the root, "" for the root). */
static void visit(Finder *f, const char *dir, const char *rel, int depth) {
    if (depth > MAX_DEPTH) return;
    DIR *d = opendir(dir);
    if (!d) return;
    Entry *e = NULL;
    size_t n = 0, cap = 0;
    bool has_events = false;
    struct dirent *de;
    size_t dl = strlen(dir);
    const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        bool is_dir = de->d_type == DT_DIR, is_file = de->d_type == DT_REG;
        if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK) {
            char *full = ts_xasprintf("%s%s%s", dir, sep, de->d_name);
            struct stat st;
            if (stat(full, &st) == 0) {
                is_dir = S_ISDIR(st.st_mode);
                is_file = S_ISREG(st.st_mode);
            }
            free(full);
        }
        if (!is_dir && !is_file) continue;
        if (is_file && imp_name_is_tfevents(de->d_name)) has_events = true;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            e = ts_xreallocarray(e, cap, sizeof *e);
        }
        e[n++] = (Entry){ts_xstrdup(de->d_name), is_dir, is_file};
    }
    closedir(d);
    if (n > 1) qsort(e, n, sizeof *e, cmp_entry);
    if (has_events) {
        char *name = rel[0] ? ts_xstrdup(rel) : imp_run_name(dir, true);
        add(f, dir, name, "tensorboard");
        free(name);
    }
    for (size_t i = 0; i < n; i++) {
        char *full = ts_xasprintf("%s%s%s", dir, sep, e[i].name);
        char *sub = rel[0] ? ts_xasprintf("%s/%s", rel, e[i].name) : ts_xstrdup(e[i].name);
        if (e[i].is_file && !has_events) {
            const char *kind = file_kind(full, e[i].name);
            if (kind) {
                char *name = strip_ext(sub);
                add(f, full, name, kind);
                free(name);
            }
        } else if (e[i].is_dir) {
            struct stat st;
            if (stat(full, &st) == 0 && !seen_before(f, &st)) visit(f, full, sub, depth + 1);
        }
        free(full);
        free(sub);
        free(e[i].name);
    }
    free(e);
}

static int cmp_source(const void *a, const void *b) {
    const TsSource *x = a, *y = b;
    int c = ts_natural_cmp(x->name, y->name);
    return c ? c : strcmp(x->path, y->path);
}

bool ts_source_find(const char *root, TsSourceList *out, TsErr *err) {
    ts_err_clear(err);
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(root, &st) != 0) {
        ts_err_set(err, "%s: %s", root, errno == ENOENT ? "no such file or directory" : strerror(errno));
        return false;
    }
    Finder f = {.out = out};
    if (S_ISREG(st.st_mode)) {
        char *base = ts_xstrdup(strrchr(root, '/') ? strrchr(root, '/') + 1 : root);
        const char *kind = ts_archive_probe(root) ? "archive" : NULL;
        if (!kind && ts_import_probe(root)) {
            kind = imp_name_is_tfevents(base) ? "tensorboard" : imp_has_suffix(base, ".csv") ? "csv" : "json";
        }
        free(base);
        if (!kind) {
            ts_err_set(err, "%s: neither a trajscope archive nor a log trajscope can read", root);
            return false;
        }
        char *name = imp_run_name(root, false);
        add(&f, root, name, kind);
        free(name);
        return true;
    }
    if (!S_ISDIR(st.st_mode)) {
        ts_err_set(err, "%s: not a regular file or directory", root);
        return false;
    }
    DIR *probe = opendir(root);
    if (!probe) {
        ts_err_set(err, "%s: %s", root, strerror(errno));
        return false;
    }
    closedir(probe);
    seen_before(&f, &st);
    visit(&f, root, "", 0);
    free(f.seen);
    if (out->n > 1) qsort(out->items, out->n, sizeof *out->items, cmp_source);
    return true;
}

void ts_source_list_free(TsSourceList *list) {
    if (!list) return;
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].path);
        free(list->items[i].name);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}
