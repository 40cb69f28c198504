/* import.c - log import: format detection, the shared metric buffers and
 * row tables the importers fill, warnings and small helpers.
 * Layer: io. License: MIT. */
#include "io/import_priv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/run_backend.h"
#include "trajscope/natcmp.h"
#include "trajscope/xalloc.h"

/* ---- options and reports ---- */

void ts_import_options_default(TsImportOptions *o) {
    o->step_column = NULL;
    o->purge_restarts = false;
}

void ts_import_report_init(TsImportReport *r) { memset(r, 0, sizeof *r); }

void ts_import_report_free(TsImportReport *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n_warnings; i++) free(r->warnings[i]);
    free(r->warnings);
    ts_import_report_init(r);
}

void imp_warn(TsImportReport *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (len < 0) len = 0;
    char *line = ts_xmalloc((size_t)len + 1);
    vsnprintf(line, (size_t)len + 1, fmt, ap);
    va_end(ap);
    r->warnings = ts_xreallocarray(r->warnings, r->n_warnings + 1, sizeof *r->warnings);
    r->warnings[r->n_warnings++] = line;
}

/* ---- hash map ---- */

uint64_t imp_hash(const void *data, size_t len) {
    /* FNV-1a, 64 bit: keys are short names. */
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

void imp_map_init(ImpMap *m) { memset(m, 0, sizeof *m); }

void imp_map_clear(ImpMap *m) {
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        m->slots[i].key = NULL;
    }
    m->n = 0;
}

void imp_map_free(ImpMap *m) {
    imp_map_clear(m);
    free(m->slots);
    imp_map_init(m);
}

static ImpSlot *map_find(const ImpMap *m, const void *key, size_t len, uint64_t h) {
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        ImpSlot *s = &m->slots[i];
        if (!s->key) return s;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) return s;
    }
}

size_t *imp_map_get(const ImpMap *m, const void *key, size_t len) {
    if (m->n == 0) return NULL;
    ImpSlot *s = map_find(m, key, len, imp_hash(key, len));
    return s->key ? &s->value : NULL;
}

static void map_grow(ImpMap *m) {
    size_t old_cap = m->cap;
    ImpSlot *old = m->slots;
    m->cap = old_cap ? 2 * old_cap : 16;
    m->slots = ts_xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].key) continue;
        ImpSlot *s = map_find(m, old[i].key, old[i].len, old[i].hash);
        *s = old[i];
    }
    free(old);
}

void imp_map_put(ImpMap *m, const void *key, size_t len, size_t value) {
    if (2 * (m->n + 1) > m->cap) map_grow(m);
    uint64_t h = imp_hash(key, len);
    ImpSlot *s = map_find(m, key, len, h);
    if (!s->key) {
        s->key = ts_xmalloc(len + 1);
        memcpy(s->key, key, len);
        s->key[len] = '\0';
        s->len = len;
        s->hash = h;
        m->n++;
    }
    s->value = value;
}

/* ---- names ---- */

void imp_split_name(const char *name, char **stream, char **metric) {
    const char *slash = strrchr(name, '/');
    if (slash && slash != name && slash[1] != '\0') {
        *stream = ts_xstrndup(name, (size_t)(slash - name));
        *metric = ts_xstrdup(slash + 1);
    } else {
        *stream = ts_xstrdup(TS_IMPORT_DEFAULT_STREAM);
        *metric = ts_xstrdup(name);
    }
}

int imp_step_priority(const char *name) {
    static const char *const names[] = {"step", "global_step", "_step", "iteration", "iter", "epoch"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0) return (int)i;
    return -1;
}

/* ---- metric buffers ---- */

void imp_buf_init(ImpBuf *b, const TsImportOptions *opts, TsImportReport *rep, bool with_wall) {
    memset(b, 0, sizeof *b);
    if (opts) b->opts = *opts;
    else ts_import_options_default(&b->opts);
    b->rep = rep;
    b->with_wall = with_wall;
    imp_map_init(&b->by_source);
    imp_map_init(&b->by_full);
}

static void metric_free(ImpMetric *m) {
    free(m->stream);
    free(m->metric);
    free(m->source);
    free(m->step);
    free(m->value);
    free(m->wall);
    memset(m, 0, sizeof *m);
}

void imp_buf_free(ImpBuf *b) {
    for (size_t i = 0; i < b->n; i++) metric_free(&b->m[i]);
    free(b->m);
    imp_map_free(&b->by_source);
    imp_map_free(&b->by_full);
    b->m = NULL;
    b->n = b->cap = 0;
}

size_t imp_buf_metric(ImpBuf *b, const char *key, size_t len) {
    size_t *found = imp_map_get(&b->by_source, key, len);
    if (found) return *found;
    /* A C string for the name: a NUL inside a name cannot be kept. */
    char *name = ts_xmalloc(len + 1);
    memcpy(name, key, len);
    name[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (name[i] == '\0') name[i] = '?';
    char *stream, *metric;
    imp_split_name(name, &stream, &metric);
    char *full = ts_xasprintf("%s/%s", stream, metric);
    if (imp_map_get(&b->by_full, full, strlen(full))) {
        /* Two source names land on one run name ("loss" and
         * "metrics/loss"): the later one gets a number. */
        for (unsigned k = 2;; k++) {
            char *alt = ts_xasprintf("%s#%u", metric, k);
            char *alt_full = ts_xasprintf("%s/%s", stream, alt);
            if (!imp_map_get(&b->by_full, alt_full, strlen(alt_full))) {
                imp_warn(b->rep, "'%s' is named '%s' (its name clashes with another metric)", name, alt_full);
                free(metric);
                free(full);
                metric = alt;
                full = alt_full;
                break;
            }
            free(alt);
            free(alt_full);
        }
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 16;
        b->m = ts_xreallocarray(b->m, b->cap, sizeof *b->m);
    }
    ImpMetric *m = &b->m[b->n];
    memset(m, 0, sizeof *m);
    m->stream = stream;
    m->metric = metric;
    m->source = name;
    imp_map_put(&b->by_source, key, len, b->n);
    imp_map_put(&b->by_full, full, strlen(full), b->n);
    free(full);
    return b->n++;
}

/* First index in [0, n) whose step is >= step (steps non-decreasing). */
static size_t lower_bound(const int64_t *steps, size_t n, int64_t step) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (steps[mid] < step) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void metric_truncate_from(ImpBuf *b, ImpMetric *m, int64_t step) {
    size_t keep = lower_bound(m->step, m->n, step);
    b->rep->n_purged += m->n - keep;
    m->n = keep;
}

void imp_buf_append(ImpBuf *b, size_t i, int64_t step, double value, double wall, unsigned type) {
    ImpMetric *m = &b->m[i];
    /* With the purge rule the points stay sorted by step, so a restart
     * cuts a suffix found by binary search. */
    if (b->opts.purge_restarts && m->n > 0 && step < m->step[m->n - 1])
        metric_truncate_from(b, m, step);
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 64;
        m->step = ts_xreallocarray(m->step, m->cap, sizeof *m->step);
        m->value = ts_xreallocarray(m->value, m->cap, sizeof *m->value);
        if (b->with_wall) m->wall = ts_xreallocarray(m->wall, m->cap, sizeof *m->wall);
    }
    m->step[m->n] = step;
    m->value[m->n] = value;
    if (b->with_wall) m->wall[m->n] = wall;
    m->n++;
    m->types |= type;
}

void imp_buf_take(ImpBuf *b, size_t i, int64_t *step, double *value, size_t n, unsigned type) {
    ImpMetric *m = &b->m[i];
    if (m->n > 0 || b->with_wall) {
        for (size_t k = 0; k < n; k++) imp_buf_append(b, i, step[k], value[k], NAN, type);
        free(step);
        free(value);
        return;
    }
    free(m->step);
    free(m->value);
    m->step = step;
    m->value = value;
    m->n = m->cap = n;
    m->types |= type;
    if (!b->opts.purge_restarts) return;
    /* The purge rule in place: what is kept stays sorted by step. */
    size_t w = 0;
    for (size_t k = 0; k < n; k++) {
        if (w > 0 && step[k] < step[w - 1]) {
            size_t keep = lower_bound(step, w, step[k]);
            b->rep->n_purged += w - keep;
            w = keep;
        }
        step[w] = step[k];
        value[w] = value[k];
        w++;
    }
    m->n = w;
}

void imp_buf_restart(ImpBuf *b, int64_t step) {
    if (!b->opts.purge_restarts) return;
    for (size_t i = 0; i < b->n; i++) {
        ImpMetric *m = &b->m[i];
        if (m->n > 0 && m->step[m->n - 1] >= step) metric_truncate_from(b, m, step);
    }
}

static const char *dtype_of(unsigned types) {
    if (types == IMP_F32) return "float32";
    if (types == IMP_I64) return "int64";
    return "float64";
}

/* ---- the imported run: a back end that owns the buffers' arrays ---- */

typedef struct ImpRun {
    ImpMetric *m;
    size_t n;
    TsImportReport report;  /* a copy, for ts_import_run_report() */
} ImpRun;

/* Imported runs alive, so ts_import_run_report() can tell them from runs
 * of other back ends. Entries leave in imp_close(), before the run is
 * freed, so a stale pointer never matches. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    const TsRun *run;
    ImpRun *impl;
} *registry;
static size_t registry_n, registry_cap;

static bool imp_read(TsRun *run, size_t i, size_t start, size_t count, unsigned flags,
                     TsSeries *out, TsErr *err) {
    (void)err;
    ImpRun *r = ts_run_impl(run);
    const ImpMetric *m = &r->m[i];
    bool wall = ts_run_metric(run, i)->has_wall_time && (flags & TS_READ_WALL_TIME);
    ts_series_alloc(out, count, wall);
    if (count == 0) return true;
    memcpy(out->step, m->step + start, count * sizeof *out->step);
    memcpy(out->value, m->value + start, count * sizeof *out->value);
    if (wall) memcpy(out->wall_time, m->wall + start, count * sizeof *out->wall_time);
    return true;
}

static void report_copy(TsImportReport *dst, const TsImportReport *src) {
    ts_import_report_free(dst);
    *dst = *src;
    dst->warnings = NULL;
    dst->n_warnings = 0;
    if (src->n_warnings) {
        dst->warnings = ts_xcalloc(src->n_warnings, sizeof *dst->warnings);
        for (size_t i = 0; i < src->n_warnings; i++) dst->warnings[i] = ts_xstrdup(src->warnings[i]);
        dst->n_warnings = src->n_warnings;
    }
}

static void imp_close(TsRun *run) {
    ImpRun *r = ts_run_impl(run);
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < registry_n; i++)
        if (registry[i].run == run) {
            registry[i] = registry[--registry_n];
            break;
        }
    if (registry_n == 0) {
        free(registry);
        registry = NULL;
        registry_cap = 0;
    }
    pthread_mutex_unlock(&registry_lock);
    for (size_t i = 0; i < r->n; i++) metric_free(&r->m[i]);
    free(r->m);
    ts_import_report_free(&r->report);
    free(r);
}

static const TsRunOps imp_ops = {.read = imp_read, .close = imp_close};

/* Shrinks an array that grew by doubling to its length. */
static void *fit(void *p, size_t n, size_t cap, size_t size) {
    if (!p || n == 0 || cap - n < cap / 4) return p;
    return ts_xreallocarray(p, n, size);
}

TsRun *imp_buf_to_run(ImpBuf *b, const char *path, const char *name, const char *format) {
    ImpRun *r = ts_xcalloc(1, sizeof *r);
    TsRun *run = ts_run_alloc(&imp_ops, r, path, format);
    ts_run_set_name(run, name);
    for (size_t i = 0; i < b->n; i++) {
        ImpMetric *m = &b->m[i];
        bool wall = false;
        for (size_t k = 0; m->wall && k < m->n && !wall; k++) wall = !isnan(m->wall[k]);
        m->step = fit(m->step, m->n, m->cap, sizeof *m->step);
        m->value = fit(m->value, m->n, m->cap, sizeof *m->value);
        m->wall = fit(m->wall, m->n, m->cap, sizeof *m->wall);
        m->cap = m->n;
        ts_run_add_metric(run, m->stream, m->metric, m->n, !b->steps_are_rows, wall, dtype_of(m->types));
        b->rep->n_points += m->n;
    }
    /* The run takes the arrays. */
    r->m = b->m;
    r->n = b->n;
    b->m = NULL;
    b->n = b->cap = 0;
    imp_buf_free(b);
    pthread_mutex_lock(&registry_lock);
    if (registry_n == registry_cap) {
        registry_cap = registry_cap ? 2 * registry_cap : 16;
        registry = ts_xreallocarray(registry, registry_cap, sizeof *registry);
    }
    registry[registry_n].run = run;
    registry[registry_n].impl = r;
    registry_n++;
    pthread_mutex_unlock(&registry_lock);
    return run;
}

void imp_run_keep_report(TsRun *run, const TsImportReport *rep) {
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < registry_n; i++)
        if (registry[i].run == run) report_copy(&registry[i].impl->report, rep);
    pthread_mutex_unlock(&registry_lock);
}

const TsImportReport *ts_import_run_report(const TsRun *run) {
    const TsImportReport *found = NULL;
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < registry_n && !found; i++)
        if (registry[i].run == run) found = &registry[i].impl->report;
    pthread_mutex_unlock(&registry_lock);
    return found;
}

/* ---- row tables ---- */

void imp_table_init(ImpTable *t, const char *file) {
    memset(t, 0, sizeof *t);
    t->file = file;
    t->row_word = "line";
    t->col_word = "column";
    imp_map_init(&t->by_name);
}

void imp_table_free(ImpTable *t) {
    for (size_t i = 0; i < t->n; i++) {
        ImpCol *c = &t->c[i];
        free(c->name);
        free(c->row);
        free(c->val);
        free(c->ival);
        free(c->is_int);
        free(c->first_text);
    }
    free(t->c);
    free(t->row_line);
    free(t->row_cells);
    imp_map_free(&t->by_name);
    memset(t, 0, sizeof *t);
}

size_t imp_table_col(ImpTable *t, const char *name, size_t len, bool dup) {
    size_t *found = imp_map_get(&t->by_name, name, len);
    if (found && !dup) return *found;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->c = ts_xreallocarray(t->c, t->cap, sizeof *t->c);
    }
    ImpCol *c = &t->c[t->n];
    memset(c, 0, sizeof *c);
    c->name = ts_xmalloc(len + 1);
    memcpy(c->name, name, len);
    c->name[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (c->name[i] == '\0') c->name[i] = '?';
    c->candidate = imp_step_priority(c->name) >= 0 ||
                   (t->step_column && strcmp(c->name, t->step_column) == 0);
    if (!found) imp_map_put(&t->by_name, name, len, t->n);
    return t->n++;
}

void imp_table_row(ImpTable *t, size_t line) {
    if (t->n_rows == t->rows_cap) {
        t->rows_cap = t->rows_cap ? 2 * t->rows_cap : 256;
        t->row_line = ts_xreallocarray(t->row_line, t->rows_cap, sizeof *t->row_line);
        t->row_cells = ts_xreallocarray(t->row_cells, t->rows_cap, sizeof *t->row_cells);
    }
    t->row_line[t->n_rows] = line;
    t->row_cells[t->n_rows] = 0;
    t->n_rows++;
}

static void col_push(ImpTable *t, ImpCol *c, double v, int64_t iv, bool is_int) {
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->row = ts_xreallocarray(c->row, c->cap, sizeof *c->row);
        c->val = ts_xreallocarray(c->val, c->cap, sizeof *c->val);
        if (c->candidate) {
            c->ival = ts_xreallocarray(c->ival, c->cap, sizeof *c->ival);
            c->is_int = ts_xreallocarray(c->is_int, c->cap, sizeof *c->is_int);
        }
    }
    c->row[c->n] = t->n_rows - 1;
    c->val[c->n] = v;
    if (c->candidate) {
        c->ival[c->n] = iv;
        c->is_int[c->n] = is_int;
    }
    c->n++;
    t->row_cells[t->n_rows - 1]++;
}

/* An exact integer from a double: finite, integral, within int64. */
static bool double_to_int(double v, int64_t *out) {
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return false;
    if (v != trunc(v)) return false;
    *out = (int64_t)v;
    return true;
}

void imp_table_number(ImpTable *t, size_t col, double v) {
    int64_t iv = 0;
    bool is_int = double_to_int(v, &iv);
    col_push(t, &t->c[col], v, iv, is_int);
}

void imp_table_int(ImpTable *t, size_t col, int64_t v) {
    col_push(t, &t->c[col], (double)v, v, true);
}

/* Digits with an optional sign: parsed exactly. */
static bool parse_int_text(const char *s, int64_t *out) {
    const char *p = s;
    if (*p == '-' || *p == '+') p++;
    if (!isdigit((unsigned char)*p)) return false;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q)) return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end) return false;
    *out = (int64_t)v;
    return true;
}

void imp_table_text(ImpTable *t, size_t col, const char *text, size_t len) {
    ImpCol *c = &t->c[col];
    double v;
    if (imp_parse_number(text, len, &v)) {
        int64_t iv = 0;
        bool is_int = false;
        if (c->candidate) is_int = parse_int_text(text, &iv) || double_to_int(v, &iv);
        col_push(t, c, v, iv, is_int);
        return;
    }
    imp_table_nonnum(t, col, text, len);
}

void imp_table_nonnum(ImpTable *t, size_t col, const char *text, size_t len) {
    ImpCol *c = &t->c[col];
    if (c->n_text++ == 0) {
        c->first_text_line = t->row_line[t->n_rows - 1];
        c->first_text = ts_xstrndup(text, len < 40 ? len : 40);
    }
}

/* Checks that column c holds one integer in every row that has other
 * values. On failure sets *bad_line and *why. */
static bool col_is_step(const ImpTable *t, const ImpCol *c, size_t *bad_line, const char **why) {
    size_t k = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        size_t cnt = 0, first = k;
        while (k < c->n && c->row[k] == r) {
            cnt++;
            k++;
        }
        size_t others = t->row_cells[r] - cnt;
        if (cnt > 1) {
            *bad_line = t->row_line[r];
            *why = "holds two values";
            return false;
        }
        if (cnt == 1 && !c->is_int[first]) {
            *bad_line = t->row_line[r];
            *why = "is not an integer";
            return false;
        }
        if (cnt == 0 && others > 0) {
            *bad_line = t->row_line[r];
            *why = "is empty";
            return false;
        }
    }
    return true;
}

bool imp_table_to_buf(ImpTable *t, ImpBuf *b, TsErr *err) {
    long step_col = -1;
    size_t bad_line = 0;
    const char *why = NULL;
    if (t->step_column) {
        size_t *found = imp_map_get(&t->by_name, t->step_column, strlen(t->step_column));
        if (!found) {
            ts_err_set(err, "%s: no step %s '%s'", t->file, t->col_word, t->step_column);
            return false;
        }
        if (!col_is_step(t, &t->c[*found], &bad_line, &why)) {
            ts_err_set(err, "%s: step %s '%s' %s on %s %zu", t->file, t->col_word, t->step_column, why, t->row_word,
                       bad_line);
            return false;
        }
        step_col = (long)*found;
    } else {
        char tried[256] = "";
        for (int p = 0; p < 6 && step_col < 0; p++) {
            for (size_t i = 0; i < t->n; i++) {
                if (imp_step_priority(t->c[i].name) != p) continue;
                if (t->c[i].n == 0) continue;
                size_t line;
                const char *w;
                if (col_is_step(t, &t->c[i], &line, &w)) {
                    step_col = (long)i;
                } else if (!tried[0]) {
                    snprintf(tried, sizeof tried, "'%s' %s on %s %zu", t->c[i].name, w, t->row_word, line);
                }
                break;
            }
        }
        if (step_col < 0 && tried[0])
            imp_warn(b->rep, "%s: no usable step %s (%s): steps are row numbers", t->file, t->col_word, tried);
    }
    int64_t *step_of_row = NULL;
    b->steps_are_rows = step_col < 0;
    if (step_col >= 0) {
        const ImpCol *s = &t->c[step_col];
        step_of_row = ts_xcalloc(t->n_rows ? t->n_rows : 1, sizeof *step_of_row);
        for (size_t k = 0; k < s->n; k++) step_of_row[s->row[k]] = s->ival[k];
    }
    for (size_t i = 0; i < t->n; i++) {
        if ((long)i == step_col) continue;
        ImpCol *c = &t->c[i];
        if (c->n == 0) continue; /* empty or text column */
        if (c->n_text > 0)
            imp_warn(b->rep, "%s: %s '%s': %zu non-numeric value%s skipped (first on %s %zu: '%s')",
                     t->file, t->col_word, c->name, c->n_text, c->n_text == 1 ? "" : "s", t->row_word,
                     c->first_text_line, c->first_text);
        size_t m = imp_buf_metric(b, c->name, strlen(c->name));
        int64_t *steps = ts_xmalloc(c->n * sizeof *steps);
        for (size_t k = 0; k < c->n; k++) steps[k] = step_of_row ? step_of_row[c->row[k]] : (int64_t)c->row[k];
        /* The metric takes the column's values; its cells go now. */
        imp_buf_take(b, m, steps, c->val, c->n, IMP_F64);
        c->val = NULL;
        free(c->row);
        c->row = NULL;
    }
    free(step_of_row);
    return true;
}

/* ---- helpers ---- */

static locale_t c_locale = (locale_t)0;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void) { c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0); }

bool imp_parse_number(const char *s, size_t len, double *out) {
    if (len == 0) return false;
    /* strtod skips leading blanks and accepts hex; refuse both. */
    unsigned char c0 = (unsigned char)s[0];
    if (!(isdigit(c0) || c0 == '-' || c0 == '+' || c0 == '.' || c0 == 'n' || c0 == 'N' || c0 == 'i' ||
          c0 == 'I'))
        return false;
    for (size_t i = 0; i + 1 < len && i < 3; i++)
        if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) return false;
    pthread_once(&c_locale_once, c_locale_init);
    locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;
    char *end;
    double v = strtod(s, &end);
    if (c_locale) uselocale(old);
    if (end != s + len) return false;
    /* "nan(...)" payloads are not numbers in a log; plain nan is. */
    *out = v;
    return true;
}

const void *imp_memmem(const void *hay, size_t hay_len, const void *needle, size_t len) {
    if (len == 0) return hay;
    const unsigned char *h = hay, *end = h + hay_len;
    while ((size_t)(end - h) >= len) {
        const unsigned char *p = memchr(h, *(const unsigned char *)needle, (size_t)(end - h) - len + 1);
        if (!p) return NULL;
        if (memcmp(p, needle, len) == 0) return p;
        h = p + 1;
    }
    return NULL;
}

bool imp_is_lfs_pointer(const void *data, size_t len) {
    static const char sig[] = "version https://git-lfs.github.com/spec/v1";
    return len >= sizeof sig - 1 && memcmp(data, sig, sizeof sig - 1) == 0;
}

char *imp_read_file(const char *path, size_t *len, TsErr *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ts_err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    size_t cap = 65536;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) cap = (size_t)st.st_size + 1;
    char *buf = ts_xmalloc(cap);
    size_t n = 0;
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = ts_xreallocarray(buf, cap, 1);
        }
        ssize_t k = read(fd, buf + n, cap - n - 1);
        if (k < 0) {
            if (errno == EINTR) continue;
            ts_err_set(err, "%s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (k == 0) break;
        n += (size_t)k;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *base_name(const char *path) {
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/') start--;
    return ts_xstrndup(path + start, len - start);
}

/* The folder holding path (a file), as a name: the last component of its
 * real path. */
static char *parent_name(const char *path) {
    char *real = realpath(path, NULL);
    const char *p = real ? real : path;
    const char *slash = strrchr(p, '/');
    char *out;
    if (!slash) {
        out = ts_xstrdup("");
    } else {
        char *dir = ts_xstrndup(p, (size_t)(slash - p));
        out = dir[0] ? base_name(dir) : ts_xstrdup("");
        free(dir);
    }
    free(real);
    return out;
}

char *imp_run_name(const char *path, bool is_dir_run) {
    char *base = base_name(path);
    if (is_dir_run) {
        if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strcmp(base, "/") == 0) {
            char *real = realpath(path, NULL);
            if (real) {
                free(base);
                base = base_name(real);
                free(real);
            }
        }
        return base;
    }
    char *parent = parent_name(path);
    if (strstr(base, "tfevents")) {
        /* An event file's own name is a timestamp and a host: the folder
         * names the run. */
        if (parent[0]) {
            free(base);
            return parent;
        }
        free(parent);
        return base;
    }
    char *dot = strrchr(base, '.');
    if (dot && dot != base) *dot = '\0';
    char *name = parent[0] ? ts_xasprintf("%s/%s", parent, base) : ts_xstrdup(base);
    free(parent);
    free(base);
    return name;
}

/* ---- detection ---- */

bool imp_has_suffix(const char *s, const char *suffix) {
    size_t ls = strlen(s), lf = strlen(suffix);
    if (lf > ls) return false;
    for (size_t i = 0; i < lf; i++)
        if (tolower((unsigned char)s[ls - lf + i]) != suffix[i]) return false;
    return true;
}

/* Reads up to cap bytes from the start of a file. -1 on error. */
static long read_head(const char *path, void *buf, size_t cap, long long *size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    *size = fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
    size_t n = 0;
    while (n < cap) {
        ssize_t k = read(fd, (char *)buf + n, cap - n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        n += (size_t)k;
    }
    close(fd);
    return (long)n;
}

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool head_is_tfevents(const unsigned char *head, long n) {
    return n >= 12 && ts_crc32c_masked(head, 8) == le32(head + 8);
}

bool imp_name_is_tfevents(const char *name) {
    if (!strstr(name, "tfevents")) return false;
    static const char *const text_ext[] = {".csv", ".json", ".jsonl", ".txt", ".md", ".yaml", ".yml"};
    for (size_t i = 0; i < sizeof text_ext / sizeof text_ext[0]; i++)
        if (imp_has_suffix(name, text_ext[i])) return false;
    return true;
}

typedef struct FileList {
    char **v;
    size_t n, cap;
} FileList;

static int cmp_natural_ptr(const void *a, const void *b) {
    return ts_natural_cmp(*(char *const *)a, *(char *const *)b);
}

/* Event files directly inside dir (full paths, natural name order). */
static bool list_event_files(const char *dir, FileList *out, TsErr *err) {
    DIR *d = opendir(dir);
    if (!d) {
        ts_err_set(err, "%s: %s", dir, strerror(errno));
        return false;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !imp_name_is_tfevents(e->d_name)) continue;
        size_t dl = strlen(dir);
        char *full = ts_xasprintf("%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", e->d_name);
        bool regular = e->d_type == DT_REG;
        if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
            struct stat st;
            regular = stat(full, &st) == 0 && S_ISREG(st.st_mode);
        }
        if (!regular) {
            free(full);
            continue;
        }
        if (out->n == out->cap) {
            out->cap = out->cap ? 2 * out->cap : 8;
            out->v = ts_xreallocarray(out->v, out->cap, sizeof *out->v);
        }
        out->v[out->n++] = full;
    }
    closedir(d);
    if (out->n > 1) qsort(out->v, out->n, sizeof *out->v, cmp_natural_ptr);
    return true;
}

static void file_list_free(FileList *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

typedef enum Kind { K_UNKNOWN, K_TFEVENTS, K_CSV, K_JSON, K_NOT_HDF5 } Kind;

/* Text that looks like a table: the first non-blank line and a later one
 * both hold a comma. */
static bool looks_like_csv(const unsigned char *head, long n) {
    if (n <= 0 || memchr(head, '\0', (size_t)n)) return false;
    int lines_with_comma = 0;
    long i = 0;
    while (i < n && lines_with_comma < 2) {
        long start = i;
        while (i < n && head[i] != '\n') i++;
        bool blank = true, comma = false;
        for (long k = start; k < i; k++) {
            if (!isspace(head[k])) blank = false;
            if (head[k] == ',') comma = true;
        }
        if (!blank) {
            if (!comma) return false;
            lines_with_comma++;
        }
        i++;
    }
    return lines_with_comma == 2;
}

static Kind sniff(const char *path, const unsigned char *head, long n, long long size) {
    char *base = base_name(path);
    Kind k = K_UNKNOWN;
    if (head_is_tfevents(head, n) || (size == 0 && imp_name_is_tfevents(base))) k = K_TFEVENTS;
    else if (imp_has_suffix(base, ".csv")) k = K_CSV;
    else if (imp_has_suffix(base, ".json") || imp_has_suffix(base, ".jsonl") || imp_has_suffix(base, ".ndjson"))
        k = K_JSON;
    else if (imp_name_is_tfevents(base)) k = K_TFEVENTS; /* a damaged or truncated event file */
    else if (imp_has_suffix(base, ".h5") || imp_has_suffix(base, ".hdf5") || imp_has_suffix(base, ".he5"))
        k = K_NOT_HDF5; /* ts_run_open() found no HDF5 signature */
    else {
        long i = 0;
        while (i < n && isspace(head[i])) i++;
        if (i < n && (head[i] == '{' || head[i] == '[')) k = K_JSON;
        else if (looks_like_csv(head, n)) k = K_CSV;
    }
    free(base);
    return k;
}

TsRun *ts_import_open(const char *path, TsErr *err) { return ts_import_open_ex(path, NULL, NULL, err); }

TsRun *ts_import_open_ex(const char *path, const TsImportOptions *opts, TsImportReport *report,
                         TsErr *err) {
    ts_err_clear(err);
    TsImportReport local;
    ts_import_report_init(&local);
    TsImportReport *rep = report ? report : &local;
    TsImportOptions o;
    if (opts) o = *opts;
    else ts_import_options_default(&o);
    TsRun *run = NULL;
    struct stat st;
    if (stat(path, &st) != 0) {
        ts_err_set(err, "%s: %s", path, errno == ENOENT ? "no such file or directory" : strerror(errno));
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        FileList files = {0};
        if (!list_event_files(path, &files, err)) goto done;
        if (files.n == 0) {
            ts_err_set(err, "%s: no TensorBoard event files (events.out.tfevents.*) in this folder", path);
        } else {
            char *name = imp_run_name(path, true);
            run = imp_tfevents_files(path, name, files.v, files.n, &o, rep, err);
            free(name);
        }
        file_list_free(&files);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        ts_err_set(err, "%s: not a regular file or directory", path);
        goto done;
    }
    unsigned char head[4096];
    long long size;
    long n = read_head(path, head, sizeof head, &size);
    if (n < 0) {
        ts_err_set(err, "%s: %s", path, strerror(errno));
        goto done;
    }
    if (imp_is_lfs_pointer(head, (size_t)n)) {
        ts_err_set(err, "%s: Git LFS pointer, not the log itself; run git lfs pull", path);
        goto done;
    }
    Kind k = sniff(path, head, n, size);
    char *name = imp_run_name(path, false);
    if (k == K_TFEVENTS) {
        char *one[1] = {(char *)path};
        run = imp_tfevents_files(path, name, one, 1, &o, rep, err);
    } else if (k == K_CSV || k == K_JSON) {
        size_t len;
        char *data = imp_read_file(path, &len, err);
        if (data) {
            rep->n_files++;
            rep->n_bytes += len;
            run = k == K_CSV ? imp_csv_parse(data, len, path, name, &o, rep, err)
                             : imp_json_parse(data, len, path, name, &o, rep, err);
            free(data);
        }
    } else if (k == K_NOT_HDF5) {
        ts_err_set(err, "%s: not an HDF5 file", path);
    } else {
        ts_err_set(err, "%s: not a log trajscope can read (TensorBoard, CSV, JSON lines, trainer_state.json)",
                   path);
    }
    free(name);
done:
    if (run) imp_run_keep_report(run, rep);
    ts_import_report_free(&local);
    return run;
}

bool ts_import_probe(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return false;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) return false;
        bool found = false;
        struct dirent *e;
        while (!found && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' || !imp_name_is_tfevents(e->d_name)) continue;
            if (e->d_type == DT_REG) {
                found = true;
            } else if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
                char *full = ts_xasprintf("%s/%s", path, e->d_name);
                found = stat(full, &st) == 0 && S_ISREG(st.st_mode);
                free(full);
            }
        }
        closedir(d);
        return found;
    }
    if (!S_ISREG(st.st_mode)) return false;
    unsigned char head[4096];
    long long size;
    long n = read_head(path, head, sizeof head, &size);
    if (n < 0) return false;
    char *base = base_name(path);
    bool yes = false;
    bool known_ext = imp_name_is_tfevents(base) || imp_has_suffix(base, ".csv") || imp_has_suffix(base, ".json") ||
                     imp_has_suffix(base, ".jsonl") || imp_has_suffix(base, ".ndjson");
    if (imp_is_lfs_pointer(head, (size_t)n)) {
        yes = known_ext; /* opening it explains what to do */
    } else if (head_is_tfevents(head, n) || (size == 0 && imp_name_is_tfevents(base))) {
        yes = true;
    } else if (n > 0 && !memchr(head, '\0', (size_t)n)) {
        long i = 0;
        while (i < n && isspace(head[i])) i++;
        if (imp_has_suffix(base, ".csv")) {
            yes = i < n; /* a header at least */
        } else if (imp_has_suffix(base, ".jsonl") || imp_has_suffix(base, ".ndjson")) {
            yes = i < n && head[i] == '{';
        } else if (imp_has_suffix(base, ".json") && i < n && head[i] == '{') {
            /* trainer_state.json, or JSON lines (one object per line,
             * like detectron2's metrics.json); not a pretty-printed
             * configuration file. */
            if (imp_memmem(head, (size_t)n, "\"log_history\"", 13)) {
                yes = true;
            } else {
                const unsigned char *nl = memchr(head + i, '\n', (size_t)(n - i));
                const unsigned char *end = nl ? nl : head + n;
                while (end > head + i && isspace(end[-1])) end--;
                yes = end > head + i + 1 && end[-1] == '}' && (nl || n < (long)sizeof head);
            }
        }
    }
    free(base);
    return yes;
}
