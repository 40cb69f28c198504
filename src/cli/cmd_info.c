/* cmd_info.c - `trajscope info FILE...`: what is in each run.
 * Layer: cli. License: MIT.
 *
 * Text output is for people (names sanitized, numbers in %.6g); --json is
 * for scripts: one document per invocation, exact numbers (shortest round
 * trip), raw names (JSON escaping makes them safe). Non-finite values are
 * JSON null; their counts are always given. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "trajscope/import.h"
#include "trajscope/sanitize.h"
#include "trajscope/series.h"
#include "trajscope/xalloc.h"

static void info_usage(FILE *out) {
    fputs("usage: trajscope info [--json] FILE...\n"
          "\n"
          "Shows each run's name, configuration, streams and metrics (points, step\n"
          "range, min/max/last value, NaN/Inf counts, step reversals) and checkpoint\n"
          "statistics.\n"
          "\n"
          "  --json      one JSON document with exact numbers (non-finite values as null)\n"
          "  -h, --help  show this help\n"
          "\n"
          "Exit status: 0 when every file was read, 2 when any could not be.\n",
          out);
}

/* Statistics of one metric, read in full. */
typedef struct MetricReport {
    const TsMetricInfo *info;
    TsSeriesStats st;
} MetricReport;

static bool collect(TsRun *run, MetricReport **out, TsErr *err) {
    size_t n = ts_run_metric_count(run);
    MetricReport *reports = ts_xcalloc(n, sizeof *reports);
    TsSeries s;
    ts_series_init(&s);
    for (size_t i = 0; i < n; i++) {
        reports[i].info = ts_run_metric(run, i);
        if (!ts_run_read_ex(run, i, 0, SIZE_MAX, 0, &s, err)) {
            ts_series_free(&s);
            free(reports);
            return false;
        }
        ts_series_stats(&s, &reports[i].st);
    }
    ts_series_free(&s);
    *out = reports;
    return true;
}

/* ---- text ---- */

static void put_num(char *buf, size_t cap, double v) {
    if (isnan(v)) snprintf(buf, cap, "-");
    else snprintf(buf, cap, "%.6g", v);
}

static void print_text(TsRun *run, const MetricReport *rep, const TsCheckpoints *ck) {
    FILE *o = stdout;
    cli_printf_clean(o, "run %s\n", ts_run_name(run));
    cli_printf_clean(o, "  file     %s (%s)\n", ts_run_path(run), ts_run_format(run));
    if (ts_run_created(run)) cli_printf_clean(o, "  created  %s\n", ts_run_created(run));
    size_t nc = ts_run_config_count(run);
    if (nc > 0) {
        fputs("  config  ", o);
        for (size_t i = 0; i < nc; i++) {
            const TsConfigEntry *e = ts_run_config(run, i);
            cli_printf_clean(o, " %s=%s", e->key, e->text);
        }
        fputc('\n', o);
    }
    if (ts_run_config_json(run)) fputs("  config.json present (see --json)\n", o);
    const TsImportReport *report = ts_import_run_report(run);
    if (report) {
        fprintf(o, "  imported %zu file(s), %zu record(s), %zu point(s)", report->n_files,
                report->n_records, report->n_points);
        if (report->n_skipped) fprintf(o, ", %zu skipped", report->n_skipped);
        if (report->truncated) fputs(", last record truncated (still being written?)", o);
        fputc('\n', o);
        for (size_t i = 0; i < report->n_warnings; i++) cli_printf_clean(o, "  warning  %s\n", report->warnings[i]);
    }

    size_t nm = ts_run_metric_count(run);
    /* Streams: metrics are grouped by stream in file order. */
    fprintf(o, "  metrics  %zu\n", nm);
    int wname = 6;
    for (size_t i = 0; i < nm; i++) {
        char *clean = ts_sanitize_dup(rep[i].info->name);
        int w = (int)strlen(clean);
        free(clean);
        if (w > wname) wname = w;
    }
    if (wname > 48) wname = 48;
    fprintf(o, "    %-*s %9s %23s %12s %12s %12s %5s %5s %4s\n", wname, "METRIC", "POINTS", "STEPS",
            "MIN", "MAX", "LAST", "NaN", "Inf", "REV");
    for (size_t i = 0; i < nm; i++) {
        const TsSeriesStats *st = &rep[i].st;
        char steps[48], vmin[24], vmax[24], last[24];
        if (st->n) snprintf(steps, sizeof steps, "%" PRId64 "..%" PRId64, st->step_min, st->step_max);
        else snprintf(steps, sizeof steps, "-");
        put_num(vmin, sizeof vmin, st->vmin);
        put_num(vmax, sizeof vmax, st->vmax);
        if (st->n && !isfinite(st->last)) snprintf(last, sizeof last, "%s", isnan(st->last) ? "nan" : st->last > 0 ? "inf" : "-inf");
        else put_num(last, sizeof last, st->last);
        char *clean = ts_sanitize_dup(rep[i].info->name);
        fprintf(o, "    %-*s %9zu %23s %12s %12s %12s %5zu %5zu %4zu\n", wname, clean, st->n, steps,
                vmin, vmax, last, st->n_nan, st->n_posinf + st->n_neginf, st->n_reversals);
        free(clean);
        if (st->has_nonfinite)
            fprintf(o, "    %-*s first non-finite at step %" PRId64 "\n", wname, "", st->first_nonfinite_step);
    }
    if (ck) {
        fprintf(o, "  checkpoints  %zu", ck->n_checkpoints);
        if (ck->n_checkpoints)
            fprintf(o, " (steps %" PRId64 "..%" PRId64 ")", ck->step[0], ck->step[ck->n_checkpoints - 1]);
        fprintf(o, ", %zu layers, %zu statistics\n", ck->n_layers, ck->n_stats);
        if (ck->n_checkpoints) {
            fprintf(o, "    %-20s %-24s %12s %12s\n", "STATISTIC", "LAYER", "FIRST", "LAST");
            size_t K = ck->n_checkpoints, L = ck->n_layers;
            for (size_t s = 0; s < ck->n_stats; s++)
                for (size_t l = 0; l < L; l++) {
                    char first[24], lastv[24];
                    put_num(first, sizeof first, ck->value[s][l]);
                    put_num(lastv, sizeof lastv, ck->value[s][(K - 1) * L + l]);
                    char *cs = ts_sanitize_dup(ck->stat[s]);
                    char *cl = ts_sanitize_dup(ck->layer[l]);
                    fprintf(o, "    %-20s %-24s %12s %12s\n", cs, cl, first, lastv);
                    free(cs);
                    free(cl);
                }
        }
    }
}

/* ---- JSON ---- */

static json_t *json_num(double v) {
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *json_str(const char *s) {
    /* jansson requires UTF-8; fall back to the sanitized form for bad bytes. */
    json_t *j = json_string(s);
    if (!j) {
        char *clean = ts_sanitize_dup(s);
        j = json_string(clean);
        free(clean);
    }
    return j ? j : json_null();
}

static json_t *json_run(TsRun *run, const MetricReport *rep, const TsCheckpoints *ck) {
    json_t *j = json_object();
    json_object_set_new(j, "name", json_str(ts_run_name(run)));
    json_object_set_new(j, "path", json_str(ts_run_path(run)));
    json_object_set_new(j, "format", json_str(ts_run_format(run)));
    json_object_set_new(j, "created", ts_run_created(run) ? json_str(ts_run_created(run)) : json_null());
    json_t *config = json_object();
    for (size_t i = 0; i < ts_run_config_count(run); i++) {
        const TsConfigEntry *e = ts_run_config(run, i);
        json_object_set_new(config, e->key, e->is_number ? json_num(e->number) : json_str(e->text));
    }
    json_object_set_new(j, "config", config);
    const char *cj = ts_run_config_json(run);
    json_t *parsed = cj ? json_loads(cj, JSON_DECODE_ANY, NULL) : NULL;
    json_object_set_new(j, "config_json", parsed ? parsed : cj ? json_str(cj) : json_null());
    const TsImportReport *report = ts_import_run_report(run);
    if (report) {
        json_t *ji = json_object();
        json_t *warnings = json_array();
        for (size_t i = 0; i < report->n_warnings; i++) json_array_append_new(warnings, json_str(report->warnings[i]));
        json_object_set_new(ji, "files", json_integer((json_int_t)report->n_files));
        json_object_set_new(ji, "records", json_integer((json_int_t)report->n_records));
        json_object_set_new(ji, "points", json_integer((json_int_t)report->n_points));
        json_object_set_new(ji, "skipped", json_integer((json_int_t)report->n_skipped));
        json_object_set_new(ji, "truncated", json_boolean(report->truncated));
        json_object_set_new(ji, "warnings", warnings);
        json_object_set_new(j, "import", ji);
    } else {
        json_object_set_new(j, "import", json_null());
    }

    json_t *streams = json_object();
    json_t *metrics = json_array();
    for (size_t i = 0; i < ts_run_metric_count(run); i++) {
        const TsMetricInfo *m = rep[i].info;
        const TsSeriesStats *st = &rep[i].st;
        json_t *names = json_object_get(streams, m->stream);
        if (!names) {
            names = json_array();
            json_object_set_new(streams, m->stream, names);
        }
        json_array_append_new(names, json_str(m->metric));
        json_t *jm = json_object();
        json_object_set_new(jm, "name", json_str(m->name));
        json_object_set_new(jm, "stream", json_str(m->stream));
        json_object_set_new(jm, "metric", json_str(m->metric));
        json_object_set_new(jm, "dtype", json_str(m->dtype));
        json_object_set_new(jm, "points", json_integer((json_int_t)st->n));
        json_object_set_new(jm, "has_step", json_boolean(m->has_step));
        json_object_set_new(jm, "has_wall_time", json_boolean(m->has_wall_time));
        json_object_set_new(jm, "step_first", st->n ? json_integer(st->step_first) : json_null());
        json_object_set_new(jm, "step_last", st->n ? json_integer(st->step_last) : json_null());
        json_object_set_new(jm, "step_min", st->n ? json_integer(st->step_min) : json_null());
        json_object_set_new(jm, "step_max", st->n ? json_integer(st->step_max) : json_null());
        json_object_set_new(jm, "min", json_num(st->vmin));
        json_object_set_new(jm, "max", json_num(st->vmax));
        json_object_set_new(jm, "last", json_num(st->last));
        json_object_set_new(jm, "last_finite", json_num(st->last_finite));
        json_object_set_new(jm, "finite", json_integer((json_int_t)st->n_finite));
        json_object_set_new(jm, "nan", json_integer((json_int_t)st->n_nan));
        json_object_set_new(jm, "posinf", json_integer((json_int_t)st->n_posinf));
        json_object_set_new(jm, "neginf", json_integer((json_int_t)st->n_neginf));
        json_object_set_new(jm, "step_reversals", json_integer((json_int_t)st->n_reversals));
        json_object_set_new(jm, "step_repeats", json_integer((json_int_t)st->n_repeats));
        json_object_set_new(jm, "first_nonfinite_step",
                            st->has_nonfinite ? json_integer(st->first_nonfinite_step) : json_null());
        json_array_append_new(metrics, jm);
    }
    json_object_set_new(j, "streams", streams);
    json_object_set_new(j, "metrics", metrics);

    if (ck) {
        json_t *jc = json_object();
        json_t *steps = json_array(), *layers = json_array(), *stats = json_object();
        for (size_t k = 0; k < ck->n_checkpoints; k++) json_array_append_new(steps, json_integer(ck->step[k]));
        for (size_t l = 0; l < ck->n_layers; l++) json_array_append_new(layers, json_str(ck->layer[l]));
        for (size_t s = 0; s < ck->n_stats; s++) {
            json_t *rows = json_array();
            for (size_t k = 0; k < ck->n_checkpoints; k++) {
                json_t *row = json_array();
                for (size_t l = 0; l < ck->n_layers; l++)
                    json_array_append_new(row, json_num(ck->value[s][k * ck->n_layers + l]));
                json_array_append_new(rows, row);
            }
            json_object_set_new(stats, ck->stat[s], rows);
        }
        json_object_set_new(jc, "step", steps);
        json_object_set_new(jc, "layers", layers);
        json_object_set_new(jc, "stats", stats);
        json_object_set_new(j, "checkpoints", jc);
    } else {
        json_object_set_new(j, "checkpoints", json_null());
    }
    return j;
}

int ts_cmd_info(int argc, char **argv) {
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool as_json = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
        switch (c) {
        case 'j': as_json = true; break;
        case 'h': info_usage(stdout); return TS_EXIT_OK;
        default: return cli_usage_error("info", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error("info", "no FILE given");

    int status = TS_EXIT_OK;
    json_t *doc = as_json ? json_object() : NULL;
    json_t *runs = as_json ? json_array() : NULL;
    json_t *errors = as_json ? json_array() : NULL;
    for (int i = optind; i < argc; i++) {
        TsErr err;
        ts_err_clear(&err);
        TsRun *run = ts_run_open(argv[i], &err);
        MetricReport *rep = NULL;
        const TsCheckpoints *ck = NULL;
        if (run && collect(run, &rep, &err)) ck = ts_run_checkpoints(run, &err);
        if (ts_err_is_set(&err)) {
            cli_error("%s", err.msg);
            if (as_json) json_array_append_new(errors, json_str(err.msg));
            status = TS_EXIT_DATA;
        } else if (as_json) {
            json_array_append_new(runs, json_run(run, rep, ck));
        } else {
            if (i > optind) fputc('\n', stdout);
            print_text(run, rep, ck);
        }
        free(rep);
        ts_run_free(run);
    }
    if (as_json) {
        json_object_set_new(doc, "trajscope_info", json_integer(1));
        json_object_set_new(doc, "runs", runs);
        json_object_set_new(doc, "errors", errors);
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_ENSURE_ASCII);
        fputc('\n', stdout);
        json_decref(doc);
    }
    return status;
}
