/* run.c - the generic run (metadata shared by all back ends) and the
 * in-memory back end that importers and tests fill.
 * Layer: io. License: MIT. */
#include "io/run_backend.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trajscope/archive.h"
#include "trajscope/import.h"
#include "trajscope/xalloc.h"

struct TsRun {
    const TsRunOps *ops;
    void *impl;
    char *path, *name, *format, *created, *config_json;
    TsConfigEntry *config;
    size_t n_config, cap_config;
    TsMetricInfo *metrics;
    size_t n_metrics, cap_metrics;
    bool checkpoints_tried;
    bool has_checkpoints;
    TsCheckpoints checkpoints;
};

/* ---- generic part ---- */

TsRun *ts_run_alloc(const TsRunOps *ops, void *impl, const char *path, const char *format) {
    TsRun *run = ts_xcalloc(1, sizeof *run);
    run->ops = ops;
    run->impl = impl;
    run->path = ts_xstrdup(path);
    run->name = ts_xstrdup(path);
    run->format = ts_xstrdup(format);
    return run;
}

void *ts_run_impl(const TsRun *run) { return run->impl; }

static void replace_str(char **slot, const char *value) {
    free(*slot);
    *slot = value ? ts_xstrdup(value) : NULL;
}

void ts_run_set_name(TsRun *run, const char *name) { replace_str(&run->name, name); }
void ts_run_set_created(TsRun *run, const char *iso8601) { replace_str(&run->created, iso8601); }
void ts_run_set_config_json(TsRun *run, const char *json) { replace_str(&run->config_json, json); }

void ts_format_exact(char *buf, size_t cap, double v) {
    if (isnan(v)) { snprintf(buf, cap, "nan"); return; }
    if (isinf(v)) { snprintf(buf, cap, v > 0 ? "inf" : "-inf"); return; }
    /* Integers print as integers (500, not 5e+02) while they are exact. */
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, cap, "%.0f", v);
        return;
    }
    /* Shortest %g precision that reads back to the same double. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

void ts_run_add_config(TsRun *run, const char *key, const char *text, bool is_number, double number) {
    if (run->n_config == run->cap_config) {
        run->cap_config = run->cap_config ? 2 * run->cap_config : 8;
        run->config = ts_xreallocarray(run->config, run->cap_config, sizeof *run->config);
    }
    TsConfigEntry *e = &run->config[run->n_config++];
    e->key = ts_xstrdup(key);
    e->is_number = is_number;
    e->number = is_number ? number : NAN;
    if (text) {
        e->text = ts_xstrdup(text);
    } else {
        char buf[64];
        ts_format_exact(buf, sizeof buf, number);
        e->text = ts_xstrdup(buf);
    }
}

size_t ts_run_add_metric(TsRun *run, const char *stream, const char *metric, size_t length,
                         bool has_step, bool has_wall_time, const char *dtype) {
    if (run->n_metrics == run->cap_metrics) {
        run->cap_metrics = run->cap_metrics ? 2 * run->cap_metrics : 16;
        run->metrics = ts_xreallocarray(run->metrics, run->cap_metrics, sizeof *run->metrics);
    }
    TsMetricInfo *m = &run->metrics[run->n_metrics];
    m->name = ts_xasprintf("%s/%s", stream, metric);
    m->stream = ts_xstrdup(stream);
    m->metric = ts_xstrdup(metric);
    m->length = length;
    m->has_step = has_step;
    m->has_wall_time = has_wall_time;
    m->dtype = ts_xstrdup(dtype ? dtype : "float64");
    return run->n_metrics++;
}

void ts_run_set_metric_length(TsRun *run, size_t i, size_t length) {
    if (i < run->n_metrics) run->metrics[i].length = length;
}

static bool is_regular_or_dir(const char *path, TsErr *err) {
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT) ts_err_set(err, "%s: no such file or directory", path);
        else ts_err_set(err, "%s: %s", path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        ts_err_set(err, "%s: not a regular file or directory", path);
        return false;
    }
    return true;
}

TsRun *ts_run_open(const char *path, TsErr *err) {
    ts_err_clear(err);
    if (!is_regular_or_dir(path, err)) return NULL;
    if (ts_archive_probe(path)) return ts_archive_open(path, err);
    return ts_import_open(path, err);
}

void ts_run_free(TsRun *run) {
    if (!run) return;
    if (run->ops && run->ops->close) run->ops->close(run);
    for (size_t i = 0; i < run->n_config; i++) {
        free((char *)run->config[i].key);
        free((char *)run->config[i].text);
    }
    for (size_t i = 0; i < run->n_metrics; i++) {
        TsMetricInfo *m = &run->metrics[i];
        free((char *)m->name);
        free((char *)m->stream);
        free((char *)m->metric);
        free((char *)m->dtype);
    }
    free(run->config);
    free(run->metrics);
    free(run->path);
    free(run->name);
    free(run->format);
    free(run->created);
    free(run->config_json);
    free(run);
}

const char *ts_run_path(const TsRun *run) { return run->path; }
const char *ts_run_name(const TsRun *run) { return run->name; }
const char *ts_run_format(const TsRun *run) { return run->format; }
const char *ts_run_created(const TsRun *run) { return run->created; }
const char *ts_run_config_json(const TsRun *run) { return run->config_json; }
size_t ts_run_config_count(const TsRun *run) { return run->n_config; }

const TsConfigEntry *ts_run_config(const TsRun *run, size_t i) {
    return i < run->n_config ? &run->config[i] : NULL;
}

const TsConfigEntry *ts_run_config_find(const TsRun *run, const char *key) {
    for (size_t i = 0; i < run->n_config; i++)
        if (strcmp(run->config[i].key, key) == 0) return &run->config[i];
    return NULL;
}

size_t ts_run_metric_count(const TsRun *run) { return run->n_metrics; }

const TsMetricInfo *ts_run_metric(const TsRun *run, size_t i) {
    return i < run->n_metrics ? &run->metrics[i] : NULL;
}

long ts_run_find_metric(const TsRun *run, const char *name) {
    for (size_t i = 0; i < run->n_metrics; i++)
        if (strcmp(run->metrics[i].name, name) == 0) return (long)i;
    return -1;
}

bool ts_run_read(TsRun *run, size_t i, size_t start, size_t count, TsSeries *out, TsErr *err) {
    return ts_run_read_ex(run, i, start, count, TS_READ_WALL_TIME, out, err);
}

bool ts_run_read_ex(TsRun *run, size_t i, size_t start, size_t count, unsigned flags,
                    TsSeries *out, TsErr *err) {
    if (i >= run->n_metrics) {
        ts_err_set(err, "%s: no metric number %zu", run->path, i);
        return false;
    }
    size_t length = run->metrics[i].length;
    if (start > length) start = length;
    if (count > length - start) count = length - start;
    return run->ops->read(run, i, start, count, flags, out, err);
}

bool ts_run_refresh(TsRun *run, bool *grew, TsErr *err) {
    if (grew) *grew = false;
    if (!run->ops->refresh) return true;
    bool dummy;
    return run->ops->refresh(run, grew ? grew : &dummy, err);
}

const TsCheckpoints *ts_run_checkpoints(TsRun *run, TsErr *err) {
    ts_err_clear(err);
    if (!run->checkpoints_tried) {
        run->checkpoints_tried = true;
        if (run->ops->load_checkpoints)
            run->has_checkpoints = run->ops->load_checkpoints(run, &run->checkpoints, err);
        if (ts_err_is_set(err)) {
            run->checkpoints_tried = false; /* let the caller retry */
            return NULL;
        }
    }
    return run->has_checkpoints ? &run->checkpoints : NULL;
}

/* ---- the in-memory back end ---- */

typedef struct MemMetric {
    TsSeries points;
    size_t cap;
    bool any_wall_time;
} MemMetric;

typedef struct MemRun {
    MemMetric *metrics;
    size_t n, cap;
} MemRun;

static bool mem_read(TsRun *run, size_t i, size_t start, size_t count, unsigned flags,
                     TsSeries *out, TsErr *err) {
    (void)err;
    MemRun *mem = run->impl;
    const MemMetric *m = &mem->metrics[i];
    bool wall = m->any_wall_time && (flags & TS_READ_WALL_TIME);
    ts_series_alloc(out, count, wall);
    if (count == 0) return true;
    memcpy(out->step, m->points.step + start, count * sizeof *out->step);
    memcpy(out->value, m->points.value + start, count * sizeof *out->value);
    if (wall)
        memcpy(out->wall_time, m->points.wall_time + start, count * sizeof *out->wall_time);
    return true;
}

static void mem_close(TsRun *run) {
    MemRun *mem = run->impl;
    for (size_t i = 0; i < mem->n; i++) ts_series_free(&mem->metrics[i].points);
    free(mem->metrics);
    free(mem);
}

static const TsRunOps mem_ops = {.read = mem_read, .close = mem_close};

TsRun *ts_run_new_memory(const char *path, const char *name, const char *format) {
    MemRun *mem = ts_xcalloc(1, sizeof *mem);
    TsRun *run = ts_run_alloc(&mem_ops, mem, path, format ? format : "memory");
    ts_run_set_name(run, name ? name : path);
    return run;
}

void ts_run_mem_set_created(TsRun *run, const char *iso8601) { ts_run_set_created(run, iso8601); }
void ts_run_mem_set_config_json(TsRun *run, const char *json) { ts_run_set_config_json(run, json); }

void ts_run_mem_add_config_text(TsRun *run, const char *key, const char *text) {
    ts_run_add_config(run, key, text, false, NAN);
}

void ts_run_mem_add_config_number(TsRun *run, const char *key, double number) {
    ts_run_add_config(run, key, NULL, true, number);
}

size_t ts_run_mem_metric(TsRun *run, const char *stream, const char *metric) {
    for (size_t i = 0; i < run->n_metrics; i++)
        if (strcmp(run->metrics[i].stream, stream) == 0 && strcmp(run->metrics[i].metric, metric) == 0)
            return i;
    MemRun *mem = run->impl;
    if (mem->n == mem->cap) {
        mem->cap = mem->cap ? 2 * mem->cap : 16;
        mem->metrics = ts_xreallocarray(mem->metrics, mem->cap, sizeof *mem->metrics);
    }
    MemMetric *m = &mem->metrics[mem->n++];
    memset(m, 0, sizeof *m);
    ts_series_init(&m->points);
    return ts_run_add_metric(run, stream, metric, 0, true, false, "float64");
}

void ts_run_mem_set_dtype(TsRun *run, size_t metric, const char *dtype) {
    if (metric >= run->n_metrics) return;
    replace_str((char **)&run->metrics[metric].dtype, dtype);
}

void ts_run_mem_append(TsRun *run, size_t metric, int64_t step, double value, double wall_time) {
    MemRun *mem = run->impl;
    if (metric >= mem->n) ts_die("ts_run_mem_append: no metric %zu", metric);
    MemMetric *m = &mem->metrics[metric];
    TsSeries *p = &m->points;
    if (p->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 64;
        p->step = ts_xreallocarray(p->step, m->cap, sizeof *p->step);
        p->value = ts_xreallocarray(p->value, m->cap, sizeof *p->value);
        p->wall_time = ts_xreallocarray(p->wall_time, m->cap, sizeof *p->wall_time);
    }
    p->step[p->n] = step;
    p->value[p->n] = value;
    p->wall_time[p->n] = wall_time;
    if (!isnan(wall_time)) m->any_wall_time = true;
    p->n++;
    run->metrics[metric].length = p->n;
    run->metrics[metric].has_wall_time = m->any_wall_time;
}
