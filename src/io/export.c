/* export.c - export of marked spans: statistics, marks and samples as CSV or
 * JSON, and samples as trajscope archives (one run per span).
 * Layer: io. License: MIT. */
#include "trajscope/export.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/run_backend.h"
#include "trajscope/import.h"
#include "trajscope/marks_file.h"
#include "trajscope/xalloc.h"

void ts_export_options_default(TsExportOptions *o) {
    memset(o, 0, sizeof *o);
    o->what = TS_EXPORT_STATS;
    o->format = TS_EXPORT_CSV;
}

const char *ts_export_format_name(TsExportFormat f) {
    switch (f) {
    case TS_EXPORT_CSV: return "csv";
    case TS_EXPORT_JSON: return "json";
    case TS_EXPORT_H5: return "h5";
    }
    return "?";
}

bool ts_export_format_parse(const char *name, TsExportFormat *out) {
    if (strcmp(name, "csv") == 0) *out = TS_EXPORT_CSV;
    else if (strcmp(name, "json") == 0) *out = TS_EXPORT_JSON;
    else if (strcmp(name, "h5") == 0) *out = TS_EXPORT_H5;
    else return false;
    return true;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool ts_export_format_from_path(const char *path, TsExportFormat *out) {
    if (ends_with(path, ".csv")) *out = TS_EXPORT_CSV;
    else if (ends_with(path, ".json")) *out = TS_EXPORT_JSON;
    else if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) *out = TS_EXPORT_H5;
    else return false;
    return true;
}

/* ---- gathering: each run's chosen metrics, read in full, and its spans ---- */

typedef struct MetricData {
    const TsMetricInfo *info;
    TsSeries s;
    unsigned char *keep; /* ts_marks_effective() */
} MetricData;

typedef struct RunData {
    const TsExportRun *er;
    MetricData *m;
    size_t n_m;
    TsMarkSpan *spans; /* every span of the run */
    size_t n_spans;
    bool *chosen;      /* spans selected by mark_ids */
} RunData;

static void run_data_free(RunData *rd, size_t n) {
    if (!rd) return;
    for (size_t r = 0; r < n; r++) {
        for (size_t j = 0; j < rd[r].n_m; j++) {
            ts_series_free(&rd[r].m[j].s);
            free(rd[r].m[j].keep);
        }
        free(rd[r].m);
        free(rd[r].spans);
        free(rd[r].chosen);
    }
    free(rd);
}

static bool id_chosen(const TsExportOptions *o, uint64_t id) {
    if (o->n_mark_ids == 0) return true;
    for (size_t i = 0; i < o->n_mark_ids; i++)
        if (o->mark_ids[i] == id) return true;
    return false;
}

static bool gather_run(const TsExportRun *er, const TsExportOptions *o, bool read_data, RunData *rd,
                       TsErr *err) {
    rd->er = er;
    TsRun *run = er->run;
    size_t nm = o->n_metrics ? o->n_metrics : ts_run_metric_count(run);
    rd->m = ts_xcalloc(nm ? nm : 1, sizeof *rd->m);
    for (size_t j = 0; j < nm; j++) {
        long idx = (long)j;
        if (o->n_metrics) {
            idx = ts_run_find_metric(run, o->metrics[j]);
            if (idx < 0) {
                ts_err_set(err, "%s: no metric '%s'", ts_run_path(run), o->metrics[j]);
                return false;
            }
        }
        MetricData *md = &rd->m[rd->n_m++];
        md->info = ts_run_metric(run, (size_t)idx);
        ts_series_init(&md->s);
        if (!read_data) continue;
        if (!ts_run_read(run, (size_t)idx, 0, SIZE_MAX, &md->s, err)) return false;
        md->keep = ts_xmalloc(md->s.n ? md->s.n : 1);
        ts_marks_effective(&md->s, md->keep);
    }
    if (!read_data) return true;
    /* The logged range of the chosen metrics (kept points: increasing steps). */
    bool have = false;
    int64_t range[2] = {0, 0};
    for (size_t j = 0; j < rd->n_m; j++) {
        const MetricData *md = &rd->m[j];
        for (size_t i = 0; i < md->s.n; i++) {
            if (!md->keep[i]) continue;
            int64_t st = md->s.step[i];
            if (!have || st < range[0]) range[0] = st;
            if (!have || st > range[1]) range[1] = st;
            have = true;
        }
    }
    TsMarkFilter f = {ts_run_name(run), o->marks_metric};
    rd->n_spans = ts_marks_spans(er->marks, &f, have ? range : NULL, &rd->spans);
    rd->chosen = ts_xcalloc(rd->n_spans ? rd->n_spans : 1, sizeof *rd->chosen);
    for (size_t k = 0; k < rd->n_spans; k++) rd->chosen[k] = id_chosen(o, rd->spans[k].mark_id);
    return true;
}

static RunData *gather(const TsExportRun *runs, size_t n_runs, const TsExportOptions *o,
                       bool read_data, TsErr *err) {
    RunData *rd = ts_xcalloc(n_runs ? n_runs : 1, sizeof *rd);
    for (size_t r = 0; r < n_runs; r++) {
        if (!gather_run(&runs[r], o, read_data, &rd[r], err)) {
            run_data_free(rd, n_runs);
            return NULL;
        }
    }
    return rd;
}

/* ---- CSV ---- */

static void csv_text(FILE *f, const char *s) {
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* Shortest text that reads back to v; whole numbers below 2^53 without an
 * exponent (1020, not 1.02e+03). nan / inf / -inf for non-finite values. */
static void exact_num(char *buf, size_t cap, double v) {
    if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0) snprintf(buf, cap, "%.0f", v);
    else ts_format_exact(buf, cap, v);
}

/* A number for a statistic: empty when not finite. */
static void csv_stat(FILE *f, double v) {
    if (!isfinite(v)) return;
    char buf[64];
    exact_num(buf, sizeof buf, v);
    fputs(buf, f);
}

/* A sample value: nan / inf / -inf kept. */
static void csv_value(FILE *f, double v) {
    char buf[64];
    exact_num(buf, sizeof buf, v);
    fputs(buf, f);
}

static void csv_id(FILE *f, uint64_t id) {
    if (id) fprintf(f, "%" PRIu64, id);
}

static const char STATS_HEADER[] =
    "run,interval,kind,mark_id,end_mark_id,label,start_step,end_step,end_inclusive,metric,"
    "n_points,n_nonfinite,n_superseded,start_wall_time,end_wall_time,start_value_step,"
    "start_value,end_value_step,end_value,change,mean,min,max,slope\n";

static void csv_stats(FILE *f, const RunData *rd, size_t n_runs) {
    fputs(STATS_HEADER, f);
    for (size_t r = 0; r < n_runs; r++) {
        const char *name = ts_run_name(rd[r].er->run);
        for (size_t k = 0; k < rd[r].n_spans; k++) {
            if (!rd[r].chosen[k]) continue;
            const TsMarkSpan *sp = &rd[r].spans[k];
            for (size_t j = 0; j < rd[r].n_m; j++) {
                const MetricData *md = &rd[r].m[j];
                TsSpanStats st;
                ts_marks_span_stats(&md->s, md->keep, sp->start_step, sp->end_step, sp->end_inclusive, &st);
                bool any = st.n_points + st.n_nonfinite > 0;
                csv_text(f, name);
                fprintf(f, ",%zu,%s,", k + 1, ts_span_kind_name(sp->kind));
                csv_id(f, sp->mark_id);
                fputc(',', f);
                csv_id(f, sp->end_mark_id);
                fputc(',', f);
                csv_text(f, sp->label);
                fprintf(f, ",%" PRId64 ",%" PRId64 ",%s,", sp->start_step, sp->end_step,
                        sp->end_inclusive ? "true" : "false");
                csv_text(f, md->info->name);
                fprintf(f, ",%zu,%zu,%zu,", st.n_points, st.n_nonfinite, st.n_superseded);
                csv_stat(f, any ? st.first_wall_time : NAN);
                fputc(',', f);
                csv_stat(f, any ? st.last_wall_time : NAN);
                fputc(',', f);
                if (st.n_points) fprintf(f, "%" PRId64, st.start_value_step);
                fputc(',', f);
                csv_stat(f, st.start_value);
                fputc(',', f);
                if (st.n_points) fprintf(f, "%" PRId64, st.end_value_step);
                double rest[] = {st.end_value, st.change, st.mean, st.min, st.max, st.slope};
                for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) {
                    fputc(',', f);
                    csv_stat(f, rest[i]);
                }
                fputc('\n', f);
            }
        }
    }
}

/* Kept points of md inside span sp, in order. */
static bool in_span(const TsMarkSpan *sp, int64_t step) {
    return step >= sp->start_step && (sp->end_inclusive ? step <= sp->end_step : step < sp->end_step);
}

static void csv_data(FILE *f, const RunData *rd, size_t n_runs) {
    fputs("run,interval,label,metric,step,value\n", f);
    for (size_t r = 0; r < n_runs; r++) {
        const char *name = ts_run_name(rd[r].er->run);
        for (size_t k = 0; k < rd[r].n_spans; k++) {
            if (!rd[r].chosen[k]) continue;
            const TsMarkSpan *sp = &rd[r].spans[k];
            for (size_t j = 0; j < rd[r].n_m; j++) {
                const MetricData *md = &rd[r].m[j];
                for (size_t i = 0; i < md->s.n; i++) {
                    if (!md->keep[i] || !in_span(sp, md->s.step[i])) continue;
                    csv_text(f, name);
                    fprintf(f, ",%zu,", k + 1);
                    csv_text(f, sp->label);
                    fputc(',', f);
                    csv_text(f, md->info->name);
                    fprintf(f, ",%" PRId64 ",", md->s.step[i]);
                    csv_value(f, md->s.value[i]);
                    fputc('\n', f);
                }
            }
        }
    }
}

static void csv_marks(FILE *f, const RunData *rd, size_t n_runs, const TsExportOptions *o) {
    fputs("run,id,kind,start_step,end_step,label,colour,metric,mark_run,source,created\n", f);
    for (size_t r = 0; r < n_runs; r++) {
        const char *name = ts_run_name(rd[r].er->run);
        TsMarkFilter flt = {name, o->marks_metric};
        const TsMarkSet *set = rd[r].er->marks;
        for (size_t i = 0; i < ts_marks_count(set); i++) {
            const TsMark *m = ts_marks_at(set, i);
            if (!ts_mark_matches(m, &flt) || !id_chosen(o, m->id)) continue;
            csv_text(f, name);
            fprintf(f, ",%" PRIu64 ",%s,%" PRId64 ",%" PRId64 ",", m->id, ts_mark_kind_name(m->kind),
                    m->start_step, m->end_step);
            const char *texts[] = {m->label, m->colour, m->metric, m->run, m->source, m->created};
            for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
                if (t) fputc(',', f);
                csv_text(f, texts[t]);
            }
            fputc('\n', f);
        }
    }
}

/* ---- JSON ---- */

static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* Strings from files: exact when valid UTF-8, else the sanitized form
 * (JSON cannot carry invalid UTF-8). */
static json_t *jstr(const char *s) {
    json_t *j = json_string(s);
    if (!j) {
        char *clean = ts_xstrdup(s);
        for (char *p = clean; *p; p++)
            if ((unsigned char)*p >= 0x80) *p = '?';
        j = json_string(clean);
        free(clean);
    }
    return j ? j : json_null();
}

static json_t *jid(uint64_t id) { return id ? json_integer((json_int_t)id) : json_null(); }

static json_t *json_mark(const TsMark *m) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)m->id));
    json_object_set_new(o, "kind", json_string(ts_mark_kind_name(m->kind)));
    json_object_set_new(o, "start_step", json_integer(m->start_step));
    json_object_set_new(o, "end_step", json_integer(m->end_step));
    json_object_set_new(o, "label", jstr(m->label));
    json_object_set_new(o, "colour", jstr(m->colour));
    json_object_set_new(o, "metric", jstr(m->metric));
    json_object_set_new(o, "run", jstr(m->run));
    json_object_set_new(o, "source", jstr(m->source));
    json_object_set_new(o, "created", jstr(m->created));
    return o;
}

static json_t *json_metric(const MetricData *md, const TsMarkSpan *sp, bool with_data) {
    TsSpanStats st;
    ts_marks_span_stats(&md->s, md->keep, sp->start_step, sp->end_step, sp->end_inclusive, &st);
    bool any = st.n_points + st.n_nonfinite > 0;
    json_t *o = json_object();
    json_object_set_new(o, "metric", jstr(md->info->name));
    json_object_set_new(o, "n_points", json_integer((json_int_t)st.n_points));
    json_object_set_new(o, "n_nonfinite", json_integer((json_int_t)st.n_nonfinite));
    json_object_set_new(o, "n_superseded", json_integer((json_int_t)st.n_superseded));
    json_object_set_new(o, "start_wall_time", jnum(any ? st.first_wall_time : NAN));
    json_object_set_new(o, "end_wall_time", jnum(any ? st.last_wall_time : NAN));
    json_object_set_new(o, "start_value_step", st.n_points ? json_integer(st.start_value_step) : json_null());
    json_object_set_new(o, "start_value", jnum(st.start_value));
    json_object_set_new(o, "end_value_step", st.n_points ? json_integer(st.end_value_step) : json_null());
    json_object_set_new(o, "end_value", jnum(st.end_value));
    json_object_set_new(o, "change", jnum(st.change));
    json_object_set_new(o, "mean", jnum(st.mean));
    json_object_set_new(o, "min", jnum(st.min));
    json_object_set_new(o, "max", jnum(st.max));
    json_object_set_new(o, "slope", jnum(st.slope));
    if (with_data) {
        json_t *steps = json_array(), *values = json_array();
        json_t *walls = md->s.wall_time ? json_array() : NULL;
        for (size_t i = 0; i < md->s.n; i++) {
            if (!md->keep[i] || !in_span(sp, md->s.step[i])) continue;
            json_array_append_new(steps, json_integer(md->s.step[i]));
            json_array_append_new(values, jnum(md->s.value[i]));
            if (walls) json_array_append_new(walls, jnum(md->s.wall_time[i]));
        }
        json_object_set_new(o, "step", steps);
        json_object_set_new(o, "value", values);
        json_object_set_new(o, "wall_time", walls ? walls : json_null());
    }
    return o;
}

static json_t *json_doc(const RunData *rd, size_t n_runs, const TsExportOptions *o) {
    static const char *const what_names[] = {"stats", "marks", "data"};
    json_t *doc = json_object();
    json_object_set_new(doc, "trajscope_export", json_integer(TS_EXPORT_JSON_VERSION));
    json_object_set_new(doc, "what", json_string(what_names[o->what]));
    json_t *runs = json_array();
    for (size_t r = 0; r < n_runs; r++) {
        const TsExportRun *er = rd[r].er;
        json_t *jr = json_object();
        json_object_set_new(jr, "run", jstr(ts_run_name(er->run)));
        json_object_set_new(jr, "file", jstr(ts_run_path(er->run)));
        json_object_set_new(jr, "marks_file", er->marks_path ? jstr(er->marks_path) : json_null());
        if (o->what == TS_EXPORT_MARKS) {
            json_t *marks = json_array();
            TsMarkFilter flt = {ts_run_name(er->run), o->marks_metric};
            for (size_t i = 0; i < ts_marks_count(er->marks); i++) {
                const TsMark *m = ts_marks_at(er->marks, i);
                if (ts_mark_matches(m, &flt) && id_chosen(o, m->id))
                    json_array_append_new(marks, json_mark(m));
            }
            json_object_set_new(jr, "marks", marks);
        } else {
            json_t *spans = json_array();
            for (size_t k = 0; k < rd[r].n_spans; k++) {
                if (!rd[r].chosen[k]) continue;
                const TsMarkSpan *sp = &rd[r].spans[k];
                json_t *js = json_object();
                json_object_set_new(js, "interval", json_integer((json_int_t)(k + 1)));
                json_object_set_new(js, "kind", json_string(ts_span_kind_name(sp->kind)));
                json_object_set_new(js, "mark_id", jid(sp->mark_id));
                json_object_set_new(js, "end_mark_id", jid(sp->end_mark_id));
                json_object_set_new(js, "label", jstr(sp->label));
                json_object_set_new(js, "start_step", json_integer(sp->start_step));
                json_object_set_new(js, "end_step", json_integer(sp->end_step));
                json_object_set_new(js, "end_inclusive", json_boolean(sp->end_inclusive));
                json_t *metrics = json_array();
                for (size_t j = 0; j < rd[r].n_m; j++)
                    json_array_append_new(metrics, json_metric(&rd[r].m[j], sp, o->what == TS_EXPORT_DATA));
                json_object_set_new(js, "metrics", metrics);
                json_array_append_new(spans, js);
            }
            json_object_set_new(jr, "intervals", spans);
        }
        json_array_append_new(runs, jr);
    }
    json_object_set_new(doc, "runs", runs);
    return doc;
}

/* ---- text exports ---- */

bool ts_export_render(const TsExportRun *runs, size_t n_runs, const TsExportOptions *opts,
                      char **text, size_t *len, TsErr *err) {
    *text = NULL;
    *len = 0;
    if (opts->format == TS_EXPORT_H5) {
        ts_err_set(err, "export: h5 is written with ts_export_slices(), not as text");
        return false;
    }
    RunData *rd = gather(runs, n_runs, opts, opts->what != TS_EXPORT_MARKS, err);
    if (!rd) return false;
    char *buf = NULL;
    size_t n = 0;
    if (opts->format == TS_EXPORT_JSON) {
        json_t *doc = json_doc(rd, n_runs, opts);
        char *dump = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_ENSURE_ASCII);
        json_decref(doc);
        if (!dump) ts_die("out of memory writing JSON");
        buf = ts_xasprintf("%s\n", dump);
        free(dump);
        n = strlen(buf);
    } else {
        FILE *f = open_memstream(&buf, &n);
        if (!f) ts_die("out of memory (open_memstream)");
        if (opts->what == TS_EXPORT_STATS) csv_stats(f, rd, n_runs);
        else if (opts->what == TS_EXPORT_DATA) csv_data(f, rd, n_runs);
        else csv_marks(f, rd, n_runs, opts);
        if (fclose(f) != 0) ts_die("out of memory (open_memstream)");
    }
    run_data_free(rd, n_runs);
    *text = buf;
    *len = n;
    return true;
}

bool ts_export_save(const TsExportRun *runs, size_t n_runs, const TsExportOptions *opts,
                    const char *path, TsErr *err) {
    char *text;
    size_t len;
    if (!ts_export_render(runs, n_runs, opts, &text, &len, err)) return false;
    bool ok = ts_marks_file_write_atomic(path, text, len, err);
    free(text);
    return ok;
}

/* ---- archives: one run per span ---- */

/* The file name part for a run: its base name without the extension. */
static char *run_base(const char *path) {
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    char *p = ts_xstrndup(path, n);
    const char *slash = strrchr(p, '/');
    char *base = ts_xstrdup(slash ? slash + 1 : p);
    free(p);
    static const char *const exts[] = {".h5", ".hdf5", ".csv", ".jsonl", ".json"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        if (ends_with(base, exts[i]) && strlen(base) > strlen(exts[i])) {
            base[strlen(base) - strlen(exts[i])] = '\0';
            break;
        }
    }
    return base;
}

/* A label reduced to [A-Za-z0-9._-], at most 40 characters. */
static char *slug(const char *label, const char *fallback) {
    char buf[41];
    size_t n = 0;
    bool gap = false;
    for (const unsigned char *p = (const unsigned char *)label; *p && n < 40; p++) {
        bool okc = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                   *p == '.' || *p == '-' || *p == '_';
        if (okc) {
            if (gap && n > 0 && n < 39) buf[n++] = '_';
            buf[n++] = (char)*p;
            gap = false;
        } else {
            gap = true;
        }
    }
    buf[n] = '\0';
    /* No hidden files, no "." / "..". */
    if (n == 0 || buf[0] == '.') return ts_xstrdup(fallback);
    return ts_xstrdup(buf);
}

/* Storage type of a slice column, from the type the source had. */
static const char *slice_dtype(const char *dtype) {
    if (!dtype) return "float64";
    if (strcmp(dtype, "float32") == 0 || strcmp(dtype, "float16") == 0) return "float32";
    if (strncmp(dtype, "int", 3) == 0 || strncmp(dtype, "uint", 4) == 0) return "int64";
    return "float64";
}

/* A span of a run as an in-memory run of its own (kept points inside the
 * span, configuration copied, slice_* entries added), written with
 * ts_import_write(): the same stream grouping and name rules as an import. */
static bool write_slice(const RunData *rd, size_t k, const char *path, TsErr *err) {
    TsRun *src = rd->er->run;
    const TsMarkSpan *sp = &rd->spans[k];
    char *name = ts_xasprintf("%s [%s %" PRId64 "..%" PRId64 "]", ts_run_name(src),
                              sp->label[0] ? sp->label : ts_span_kind_name(sp->kind), sp->start_step,
                              sp->end_step);
    TsRun *mem = ts_run_new_memory(ts_run_path(src), name, "memory");
    free(name);
    if (ts_run_created(src)) ts_run_mem_set_created(mem, ts_run_created(src));
    if (ts_run_config_json(src)) ts_run_mem_set_config_json(mem, ts_run_config_json(src));
    for (size_t i = 0; i < ts_run_config_count(src); i++) {
        const TsConfigEntry *e = ts_run_config(src, i);
        if (strncmp(e->key, "slice_", 6) == 0) continue; /* ours below */
        if (e->is_number) ts_run_mem_add_config_number(mem, e->key, e->number);
        else ts_run_mem_add_config_text(mem, e->key, e->text);
    }
    ts_run_mem_add_config_text(mem, "slice_of", ts_run_name(src));
    ts_run_mem_add_config_text(mem, "slice_file", ts_run_path(src));
    ts_run_mem_add_config_text(mem, "slice_kind", ts_span_kind_name(sp->kind));
    ts_run_mem_add_config_text(mem, "slice_label", sp->label);
    ts_run_mem_add_config_number(mem, "slice_mark_id", (double)sp->mark_id);
    ts_run_mem_add_config_number(mem, "slice_start_step", (double)sp->start_step);
    ts_run_mem_add_config_number(mem, "slice_end_step", (double)sp->end_step);
    ts_run_mem_add_config_number(mem, "slice_end_inclusive", sp->end_inclusive ? 1 : 0);
    for (size_t j = 0; j < rd->n_m; j++) {
        const MetricData *md = &rd->m[j];
        size_t mi = ts_run_mem_metric(mem, md->info->stream, md->info->metric);
        ts_run_mem_set_dtype(mem, mi, slice_dtype(md->info->dtype));
        for (size_t i = 0; i < md->s.n; i++) {
            if (!md->keep[i] || !in_span(sp, md->s.step[i])) continue;
            ts_run_mem_append(mem, mi, md->s.step[i], md->s.value[i],
                              md->s.wall_time ? md->s.wall_time[i] : NAN);
        }
    }
    TsImportWriteOptions wo;
    ts_import_write_options_default(&wo);
    wo.overwrite = true;
    bool ok = ts_import_write(mem, path, &wo, NULL, err);
    ts_run_free(mem);
    return ok;
}

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool ts_export_slices(const TsExportRun *runs, size_t n_runs, const TsExportOptions *opts,
                      const char *out, char ***paths, size_t *n_paths, TsErr *err) {
    if (paths) *paths = NULL;
    if (n_paths) *n_paths = 0;
    RunData *rd = gather(runs, n_runs, opts, true, err);
    if (!rd) return false;
    size_t total = 0;
    for (size_t r = 0; r < n_runs; r++)
        for (size_t k = 0; k < rd[r].n_spans; k++) total += rd[r].chosen[k];
    bool dir = is_dir(out) || ends_with(out, "/");
    if (total == 0) {
        ts_err_set(err, "%s: nothing to export: no marked intervals or phases", out);
        run_data_free(rd, n_runs);
        return false;
    }
    if (!dir && total != 1) {
        ts_err_set(err, "%s: %zu intervals to export: give a folder (-o DIR/) or pick one mark (--mark ID)",
                    out, total);
        run_data_free(rd, n_runs);
        return false;
    }
    if (dir && !is_dir(out) && mkdir(out, 0777) != 0) {
        ts_err_set(err, "%s: cannot create folder: %s", out, strerror(errno));
        run_data_free(rd, n_runs);
        return false;
    }
    char **written = ts_xcalloc(total, sizeof *written);
    size_t nw = 0;
    bool ok = true;
    for (size_t r = 0; ok && r < n_runs; r++) {
        char *base = run_base(ts_run_path(rd[r].er->run));
        for (size_t k = 0; ok && k < rd[r].n_spans; k++) {
            if (!rd[r].chosen[k]) continue;
            const TsMarkSpan *sp = &rd[r].spans[k];
            char *path;
            if (dir) {
                char *sl = slug(sp->label, ts_span_kind_name(sp->kind));
                size_t olen = strlen(out);
                const char *sep = olen && out[olen - 1] == '/' ? "" : "/";
                char *stem = ts_xasprintf("%s%s%s-%02zu-%s", out, sep, base, k + 1, sl);
                free(sl);
                path = ts_xasprintf("%s.h5", stem);
                /* Two runs with the same file name: keep both. */
                for (unsigned dup = 2;; dup++) {
                    bool taken = false;
                    for (size_t i = 0; i < nw; i++) taken = taken || strcmp(written[i], path) == 0;
                    if (!taken) break;
                    free(path);
                    path = ts_xasprintf("%s~%u.h5", stem, dup);
                }
                free(stem);
            } else {
                path = ts_xstrdup(out);
            }
            ok = write_slice(&rd[r], k, path, err);
            if (ok) written[nw++] = path;
            else free(path);
        }
        free(base);
    }
    run_data_free(rd, n_runs);
    if (paths) {
        *paths = written;
        if (n_paths) *n_paths = nw;
    } else {
        for (size_t i = 0; i < nw; i++) free(written[i]);
        free(written);
    }
    return ok;
}
