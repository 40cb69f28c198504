/* import_write.c - writes any run (an imported log, an archive) into a new
 * trajscope archive: metrics that share their steps share a stream.
 * Layer: io (through trajscope/writer.h; no HDF5 here). License: MIT. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/import_priv.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

void ts_import_write_options_default(TsImportWriteOptions *o) {
    o->overwrite = false;
    o->wall_time_tolerance = 1.0;
}

void ts_import_write_report_free(TsImportWriteReport *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n_notes; i++) free(r->notes[i]);
    free(r->notes);
    memset(r, 0, sizeof *r);
}

static void note(TsImportWriteReport *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(TsImportWriteReport *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *line = ts_xmalloc((size_t)(len < 0 ? 0 : len) + 1);
    vsnprintf(line, (size_t)(len < 0 ? 0 : len) + 1, fmt, ap);
    va_end(ap);
    r->notes = ts_xreallocarray(r->notes, r->n_notes + 1, sizeof *r->notes);
    r->notes[r->n_notes++] = line;
}

/* A metric read in full. */
typedef struct WMetric {
    const TsMetricInfo *info;
    TsSeries s;
    bool has_wall;      /* any wall time logged */
    uint64_t step_hash;
    size_t group;
    char *name;         /* column name in the archive */
    const char *dtype;
} WMetric;

typedef struct WGroup {
    const char *src_stream;
    char *name;         /* archive stream */
    size_t *members;
    size_t n;
    size_t first;       /* metric whose steps and wall times the stream keeps */
} WGroup;

/* Wall times agree within tol (NaN only matches NaN). Updates *shift. */
static bool walls_agree(const WMetric *a, const WMetric *b, double tol, double *shift) {
    if (a->has_wall != b->has_wall) return false;
    if (!a->has_wall) return true;
    double worst = 0;
    for (size_t k = 0; k < a->s.n; k++) {
        double x = a->s.wall_time[k], y = b->s.wall_time[k];
        if (isnan(x) || isnan(y)) {
            if (isnan(x) != isnan(y)) return false;
            continue;
        }
        double d = fabs(x - y);
        if (!(d <= tol)) return false;
        if (d > worst) worst = d;
    }
    if (worst > *shift) *shift = worst;
    return true;
}

/* A name HDF5 and the archive format accept: no '/', not empty, not ".",
 * and (for columns) not one of the reserved names. */
static char *safe_name(const char *name, bool column) {
    char *s;
    if (!name[0]) s = ts_xstrdup("_");
    else if (strcmp(name, ".") == 0) s = ts_xstrdup("_.");
    else s = ts_xstrdup(name);
    for (char *p = s; *p; p++)
        if (*p == '/') *p = '.';
    if (column && (strcmp(s, "step") == 0 || strcmp(s, "wall_time") == 0)) {
        char *t = ts_xasprintf("%s_", s);
        free(s);
        s = t;
    }
    return s;
}

/* Makes name unique among used[0..n) by appending #2, #3, ... */
static char *unique_name(char *name, char *const *used, size_t n) {
    for (unsigned k = 1;; k++) {
        char *cand = k == 1 ? ts_xstrdup(name) : ts_xasprintf("%s#%u", name, k);
        bool taken = false;
        for (size_t i = 0; i < n && !taken; i++) taken = strcmp(used[i], cand) == 0;
        if (!taken) {
            free(name);
            return cand;
        }
        free(cand);
    }
}

static bool int64_exact(const TsSeries *s) {
    for (size_t k = 0; k < s->n; k++) {
        double v = s->value[k];
        if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0) || v != trunc(v)) return false;
    }
    return true;
}

bool ts_import_write(TsRun *run, const char *out_path, const TsImportWriteOptions *opts,
                     TsImportWriteReport *report, TsErr *err) {
    ts_err_clear(err);
    TsImportWriteOptions o;
    if (opts) o = *opts;
    else ts_import_write_options_default(&o);
    TsImportWriteReport local = {0};
    TsImportWriteReport *rep = report ? report : &local;
    size_t n = ts_run_metric_count(run);
    WMetric *m = ts_xcalloc(n ? n : 1, sizeof *m);
    WGroup *g = ts_xcalloc(n ? n : 1, sizeof *g);
    size_t n_groups = 0;
    bool ok = true;
    TsWriter *w = NULL;
    double *row = NULL;

    /* Read every metric and group by (source stream, steps, wall times). */
    for (size_t i = 0; ok && i < n; i++) {
        WMetric *x = &m[i];
        x->info = ts_run_metric(run, i);
        ts_series_init(&x->s);
        if (!ts_run_read(run, i, 0, SIZE_MAX, &x->s, err)) {
            ok = false;
            break;
        }
        for (size_t k = 0; x->s.wall_time && k < x->s.n && !x->has_wall; k++)
            x->has_wall = !isnan(x->s.wall_time[k]);
        x->step_hash = imp_hash(x->s.step, x->s.n * sizeof *x->s.step);
        const char *dt = x->info->dtype ? x->info->dtype : "float64";
        x->dtype = strcmp(dt, "float32") == 0 ? "float32"
                   : (strncmp(dt, "int", 3) == 0 || strncmp(dt, "uint", 4) == 0) && int64_exact(&x->s) ? "int64"
                                                                                                      : "float64";
        size_t gi = n_groups;
        for (size_t j = 0; j < n_groups; j++) {
            const WMetric *f = &m[g[j].first];
            if (strcmp(g[j].src_stream, x->info->stream) != 0) continue;
            if (f->s.n != x->s.n || f->step_hash != x->step_hash) continue;
            if (x->s.n && memcmp(f->s.step, x->s.step, x->s.n * sizeof *x->s.step) != 0) continue;
            double shift = rep->max_wall_time_shift;
            if (!walls_agree(f, x, o.wall_time_tolerance, &shift)) continue;
            rep->max_wall_time_shift = shift;
            gi = j;
            break;
        }
        if (gi == n_groups) {
            g[gi].src_stream = x->info->stream;
            g[gi].first = i;
            g[gi].members = ts_xcalloc(n, sizeof *g[gi].members);
            n_groups++;
        }
        g[gi].members[g[gi].n++] = i;
        x->group = gi;
    }

    /* Names: the first group of a stream keeps its name, later ones get
     * "#2", "#3"; names HDF5 cannot hold are adjusted. */
    char **used = ts_xcalloc(n_groups ? n_groups : 1, sizeof *used);
    for (size_t j = 0; ok && j < n_groups; j++) {
        g[j].name = unique_name(safe_name(g[j].src_stream, false), used, j);
        used[j] = g[j].name;
        char **cols = ts_xcalloc(g[j].n, sizeof *cols);
        size_t moved = 0;
        for (size_t k = 0; k < g[j].n; k++) {
            WMetric *x = &m[g[j].members[k]];
            x->name = unique_name(safe_name(x->info->metric, true), cols, k);
            cols[k] = x->name;
            bool stream_differs = strcmp(g[j].name, x->info->stream) != 0;
            if (stream_differs || strcmp(x->name, x->info->metric) != 0) rep->n_renamed++;
            if (strcmp(x->name, x->info->metric) != 0) note(rep, "%s -> %s/%s", x->info->name, g[j].name, x->name);
            else if (stream_differs) moved++;
        }
        if (moved > 0) {
            /* One line per stream: "metrics#2/{a, b, c, ...}". */
            char list[160] = "";
            size_t shown = 0, used_len = 0;
            for (size_t k = 0; k < g[j].n; k++) {
                const WMetric *x = &m[g[j].members[k]];
                if (strcmp(x->name, x->info->metric) != 0) continue;
                size_t l = strlen(x->name);
                if (used_len + l + 2 >= sizeof list - 8) break;
                used_len += (size_t)snprintf(list + used_len, sizeof list - used_len, "%s%s", shown ? ", " : "",
                                             x->name);
                shown++;
            }
            if (shown < moved) snprintf(list + used_len, sizeof list - used_len, ", +%zu", moved - shown);
            note(rep, "%s/{%s} -> %s/... (logged at other steps than %s)", g[j].src_stream, list, g[j].name,
                 g[j].src_stream);
        }
        free(cols);
    }
    free(used);

    if (ok) {
        TsWriterOptions wo;
        ts_writer_options_default(&wo);
        wo.atomic = true;
        wo.overwrite = o.overwrite;
        w = ts_writer_create(out_path, ts_run_name(run), &wo, err);
        ok = w != NULL;
    }
    if (ok && ts_run_created(run)) ok = ts_writer_set_created(w, ts_run_created(run), err);
    for (size_t i = 0; ok && i < ts_run_config_count(run); i++) {
        const TsConfigEntry *c = ts_run_config(run, i);
        const char *key = c->key;
        char *alt = NULL;
        if (!key[0] || strcmp(key, "trajscope_format") == 0 || strcmp(key, "run_name") == 0 ||
            strcmp(key, "created") == 0) {
            alt = ts_xasprintf("%s_", key);
            note(rep, "configuration key '%s' -> '%s' (reserved in archives)", key, alt);
            key = alt;
        }
        ok = c->is_number ? ts_writer_set_config_number(w, key, c->number, err)
                          : ts_writer_set_config_text(w, key, c->text, err);
        free(alt);
    }
    if (ok && ts_run_config_json(run)) ok = ts_writer_set_config_json(w, ts_run_config_json(run), err);
    for (size_t j = 0; ok && j < n_groups; j++) {
        const char **names = ts_xcalloc(g[j].n, sizeof *names);
        const char **dtypes = ts_xcalloc(g[j].n, sizeof *dtypes);
        for (size_t k = 0; k < g[j].n; k++) {
            names[k] = m[g[j].members[k]].name;
            dtypes[k] = m[g[j].members[k]].dtype;
        }
        unsigned flags = m[g[j].first].has_wall ? TS_STREAM_WALL_TIME : 0;
        ok = ts_writer_add_stream_typed(w, g[j].name, names, dtypes, g[j].n, flags, err);
        free(names);
        free(dtypes);
    }
    /* Checkpoint statistics, when the run has them. */
    const TsCheckpoints *ck = NULL;
    if (ok) {
        ck = ts_run_checkpoints(run, err);
        if (!ck && ts_err_is_set(err)) ok = false;
    }
    if (ok && ck && ck->n_layers > 0 && ck->n_stats > 0) {
        ok = ts_writer_add_checkpoint_layout(w, (const char *const *)ck->layer, ck->n_layers,
                                             (const char *const *)ck->stat, ck->n_stats, err);
        double *vals = ts_xcalloc(ck->n_stats * ck->n_layers, sizeof *vals);
        for (size_t k = 0; ok && k < ck->n_checkpoints; k++) {
            for (size_t s = 0; s < ck->n_stats; s++)
                memcpy(vals + s * ck->n_layers, ck->value[s] + k * ck->n_layers, ck->n_layers * sizeof *vals);
            ok = ts_writer_append_checkpoint(w, ck->step[k], vals, err);
        }
        free(vals);
    }
    /* Rows. */
    row = ts_xcalloc(n ? n : 1, sizeof *row);
    for (size_t j = 0; ok && j < n_groups; j++) {
        const WMetric *f = &m[g[j].first];
        for (size_t k = 0; ok && k < f->s.n; k++) {
            for (size_t c = 0; c < g[j].n; c++) row[c] = m[g[j].members[c]].s.value[k];
            double wall = f->has_wall ? f->s.wall_time[k] : NAN;
            ok = ts_writer_append(w, g[j].name, f->s.step[k], row, wall, -1, err);
        }
        if (ok) {
            rep->n_streams++;
            rep->n_metrics += g[j].n;
            rep->n_points += f->s.n * g[j].n;
        }
    }
    if (w) {
        if (ok) ok = ts_writer_close(w, err);
        else ts_writer_abort(w);
    }
    free(row);
    for (size_t i = 0; i < n; i++) {
        ts_series_free(&m[i].s);
        free(m[i].name);
    }
    for (size_t j = 0; j < n_groups; j++) {
        free(g[j].members);
        free(g[j].name);
    }
    free(m);
    free(g);
    ts_import_write_report_free(&local);
    return ok;
}
