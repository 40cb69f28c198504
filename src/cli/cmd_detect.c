/* cmd_detect.c - `trajscope detect FILE --metric NAME`: change points (phase
 * transitions) of one metric, or of a plain CSV with --csv.
 * Layer: cli. License: MIT.
 *
 * Text output is an aligned table for people (names sanitized, %.6g);
 * --json is one document with exact numbers (17 significant digits) for
 * scripts and for checking the detector against other tools. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "trajscope/cpd.h"
#include "trajscope/sanitize.h"
#include "trajscope/series.h"
#include "trajscope/xalloc.h"

static void detect_usage(FILE *out) {
    fputs("usage: trajscope detect FILE --metric NAME [options]\n"
          "       trajscope detect --csv FILE [options]\n"
          "\n"
          "Finds change points: where a training curve changes regime (a grokking\n"
          "jump, a sudden drop after a plateau, a loss spike, a schedule kink).\n"
          "Change points are reported at logged steps, with the statistics of the\n"
          "segments on both sides and a strength (cost drop from splitting there).\n"
          "See docs/DETECTION.md.\n"
          "\n"
          "  -m, --metric NAME    metric to analyse (\"eval/acc\", or \"acc\" when unique)\n"
          "      --csv FILE       read a CSV instead: one column of values, or two\n"
          "                       columns step,value (a header line is skipped)\n"
          "      --method M       pelt (exact, default), binseg (greedy), bocpd (online Bayesian)\n"
          "      --cost C         mean (default), meanvar (mean and variance), slope (kinks)\n"
          "      --penalty P      mbic (default), bic, aic, or a number (per change point)\n"
          "      --min-seg N      minimum points per segment (default 2; 3 for meanvar, slope)\n"
          "      --max-cp N       at most N change points (pelt raises the penalty;\n"
          "                       binseg stops; bocpd keeps the strongest)\n"
          "      --sigma S        noise scale to use instead of the robust estimate\n"
          "      --hazard L       bocpd: expected segment length in points (default 250)\n"
          "      --log-values     analyse log(value) (losses); values <= 0 are dropped\n"
          "      --log-step       resample onto a uniform grid in log(step + 1)\n"
          "      --grid N         points of that grid (default: as many as logged)\n"
          "      --despike        replace isolated spikes by the local median first\n"
          "      --crops MIN:MAX  list every optimal PELT segmentation for penalties in\n"
          "                       [MIN, MAX] (more or fewer phases); MAX may be inf, and\n"
          "                       with --max-cp N only those with <= N changes\n"
          "      --json           one JSON document with exact numbers\n"
          "  -h, --help           show this help\n"
          "\n"
          "Exit status: 0 ok, 1 usage error, 2 bad input (file, metric, no usable values).\n",
          out);
}

/* ---- input ---- */

typedef struct Input {
    size_t n;
    int64_t *step;
    double *value;
} Input;

static void input_free(Input *in) {
    free(in->step);
    free(in->value);
    memset(in, 0, sizeof *in);
}

static int read_run(const char *path, const char *metric, Input *in, char **metric_name) {
    TsRun *run = cli_open_run(path);
    if (!run) return TS_EXIT_DATA;
    long mi = cli_find_metric(run, metric);
    if (mi < 0) {
        cli_report_unknown_metric(run, metric);
        ts_run_free(run);
        return TS_EXIT_DATA;
    }
    *metric_name = ts_xstrdup(ts_run_metric(run, (size_t)mi)->name);
    TsSeries s;
    ts_series_init(&s);
    TsErr err;
    ts_err_clear(&err);
    if (!ts_run_read_ex(run, (size_t)mi, 0, SIZE_MAX, 0, &s, &err)) {
        cli_error("%s", err.msg);
        ts_series_free(&s);
        ts_run_free(run);
        return TS_EXIT_DATA;
    }
    in->n = s.n;
    in->step = s.step;
    in->value = s.value;
    free(s.wall_time);
    ts_run_free(run);
    return TS_EXIT_OK;
}

/* Splits line into at most 3 fields on commas, semicolons, tabs or spaces. */
static int split_fields(char *line, char **f) {
    int nf = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0') break;
        if (nf == 3) return 4;
        f[nf++] = p;
        while (*p && *p != ',' && *p != ';' && *p != '\t' && *p != ' ') p++;
        char *end = p;
        while (*p == ' ' || *p == '\t') p++;
        bool sep = *p == ',' || *p == ';';
        if (sep) p++;
        *end = '\0';
        if (sep) {
            while (*p == ' ' || *p == '\t') p++;
            if (*p == '\0' || *p == ',' || *p == ';') return -1; /* empty field */
        }
    }
    return nf;
}

static bool parse_num(const char *s, double *v) {
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end != '\0') return false;
    *v = d;
    return true;
}

static int read_csv(const char *path, Input *in) {
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("%s: %s", path, strerror(errno));
        return TS_EXIT_DATA;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0, n = 0, alloc = 0;
    int ncol = 0;
    bool seen_row = false;
    int status = TS_EXIT_OK;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (lineno == 1 && (unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
            (unsigned char)line[2] == 0xBF)
            memmove(line, line + 3, strlen(line + 3) + 1); /* UTF-8 byte order mark */
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0' || *p == '#') continue;
        char *fld[3];
        int nf = split_fields(p, fld);
        if (nf < 0) {
            cli_error("%s:%zu: empty field", path, lineno);
            status = TS_EXIT_DATA;
            break;
        }
        if (nf < 1 || nf > 2) {
            cli_error("%s:%zu: expected 1 column (value) or 2 (step,value), found %d", path, lineno,
                      nf);
            status = TS_EXIT_DATA;
            break;
        }
        double a = 0, b = 0;
        bool num = parse_num(fld[0], &a) && (nf < 2 || parse_num(fld[1], &b));
        if (!seen_row && !num) { /* the header */
            seen_row = true;
            ncol = nf;
            continue;
        }
        if (!num) {
            cli_error("%s:%zu: not a number", path, lineno);
            status = TS_EXIT_DATA;
            break;
        }
        if (ncol == 0) ncol = nf;
        seen_row = true;
        if (nf != ncol) {
            cli_error("%s:%zu: %d columns, the file started with %d", path, lineno, nf, ncol);
            status = TS_EXIT_DATA;
            break;
        }
        int64_t st = (int64_t)n;
        double v = a;
        if (nf == 2) {
            if (!(isfinite(a) && a == floor(a) && fabs(a) < 9.2e18)) {
                cli_error("%s:%zu: step '%s' is not an integer", path, lineno, fld[0]);
                status = TS_EXIT_DATA;
                break;
            }
            st = (int64_t)a;
            v = b;
        }
        if (n == alloc) {
            alloc = alloc ? 2 * alloc : 1024;
            in->step = ts_xreallocarray(in->step, alloc, sizeof *in->step);
            in->value = ts_xreallocarray(in->value, alloc, sizeof *in->value);
        }
        in->step[n] = st;
        in->value[n] = v;
        n++;
    }
    if (status == TS_EXIT_OK && ferror(f)) {
        cli_error("%s: read error", path);
        status = TS_EXIT_DATA;
    }
    free(line);
    fclose(f);
    in->n = n;
    if (status == TS_EXIT_OK && n == 0) {
        cli_error("%s: no values", path);
        status = TS_EXIT_DATA;
    }
    if (status != TS_EXIT_OK) input_free(in);
    return status;
}

/* ---- text output ---- */

static void fmt_num(char *buf, size_t cap, double v) {
    if (isnan(v))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.5g", v);
}

static void print_prep(const TsCpdOptions *o, const TsCpdResult *r) {
    const TsCpdPrepReport *p = &r->prep;
    FILE *out = stdout;
    fprintf(out, "points    %zu logged, %zu used, %zu analysed", p->n_input, p->n_clean, p->n_analysed);
    if (!p->steps_sorted) fputs(" (steps sorted: the run has seams)", out);
    fputc('\n', out);
    if (p->n_duplicate_steps)
        fprintf(out, "dropped   %zu earlier writes of repeated steps\n", p->n_duplicate_steps);
    if (p->n_nonfinite)
        fprintf(out, "dropped   %zu non-finite values (first at step %" PRId64 ")\n", p->n_nonfinite,
                p->first_nonfinite_step);
    if (p->n_nonpositive)
        fprintf(out, "dropped   %zu values <= 0 for --log-values (first at step %" PRId64 ")\n",
                p->n_nonpositive, p->first_nonpositive_step);
    if (p->n_negative_step)
        fprintf(out, "dropped   %zu negative steps for --log-step\n", p->n_negative_step);
    fputs("prep     ", out);
    if (!o->prep.log_values && !o->prep.log_step && !o->prep.despike) fputs(" none", out);
    if (o->prep.log_values) fputs(" log values", out);
    if (o->prep.despike) fprintf(out, " despiked (%zu replaced)", p->n_despiked);
    if (o->prep.log_step) fputs(" log(step+1) grid", out);
    fputc('\n', out);
}

static void print_header(const char *what, const TsCpdOptions *o, const TsCpdResult *r) {
    FILE *out = stdout;
    cli_printf_clean(out, "detect    %s\n", what);
    fprintf(out, "method    %s   cost %s", ts_cpd_method_name(r->method), ts_cpd_cost_name(r->cost));
    if (r->method == TS_CPD_BOCPD) {
        fprintf(out, "   hazard 1/%g (no penalty)", r->hazard_lambda);
    } else {
        fprintf(out, "   penalty %s = %.6g", ts_cpd_penalty_name(r->penalty_kind), r->penalty_asked);
        if (r->penalty != r->penalty_asked)
            fprintf(out, " (raised to %.6g for --max-cp %zu, %zu PELT runs)", r->penalty, r->max_cp,
                    r->n_runs);
    }
    fprintf(out, "   min-seg %zu", r->min_seg);
    if (r->max_cp) fprintf(out, "   max-cp %zu", r->max_cp);
    fputc('\n', out);
    fprintf(out, "noise     sigma %.6g (%s), values %s, x %s\n", r->sigma,
            o->sigma > 0 ? "given" : "robust estimate", o->prep.log_values ? "log(value)" : "value",
            r->x_log_step ? "log(step+1)" : "step");
    print_prep(o, r);
}

static void print_result(const TsCpdResult *r) {
    FILE *out = stdout;
    fprintf(out, "\n%zu change point%s   fit cost %.6g", r->n_cp, r->n_cp == 1 ? "" : "s", r->fit_cost);
    if (r->method != TS_CPD_BOCPD) fprintf(out, "   penalised %.6g", r->total_cost);
    fputc('\n', out);
    if (r->n_cp) {
        fprintf(out, "%4s %12s %12s | %12s %12s | %12s %12s | %12s %12s | %8s %8s\n", "#", "STEP",
                "STRENGTH", "MEAN<", "MEAN>", "STD<", "STD>", "SLOPE<", "SLOPE>", "N<", "N>");
        for (size_t i = 0; i < r->n_cp; i++) {
            const TsCpdChange *c = &r->cp[i];
            char s[11][32];
            fmt_num(s[0], sizeof s[0], c->strength);
            fmt_num(s[1], sizeof s[1], c->before.mean);
            fmt_num(s[2], sizeof s[2], c->after.mean);
            fmt_num(s[3], sizeof s[3], c->before.std);
            fmt_num(s[4], sizeof s[4], c->after.std);
            fmt_num(s[5], sizeof s[5], c->before.slope);
            fmt_num(s[6], sizeof s[6], c->after.slope);
            fprintf(out, "%4zu %12" PRId64 " %12s | %12s %12s | %12s %12s | %12s %12s | %8zu %8zu\n",
                    i + 1, c->step, s[0], s[1], s[2], s[3], s[4], s[5], s[6], c->before.length,
                    c->after.length);
        }
        fputs("(< before the change, > after; N in analysed points)\n", out);
    }
    fprintf(out, "\nsegments\n%4s %12s %12s %8s %12s %12s %12s %12s\n", "#", "FROM STEP", "TO STEP",
            "N", "MEAN", "STD", "SLOPE", "COST");
    for (size_t i = 0; i < r->n_seg; i++) {
        const TsCpdSegment *g = &r->seg[i];
        char m[32], sd[32], sl[32], co[32];
        fmt_num(m, sizeof m, g->mean);
        fmt_num(sd, sizeof sd, g->std);
        fmt_num(sl, sizeof sl, g->slope);
        fmt_num(co, sizeof co, g->cost);
        fprintf(out, "%4zu %12" PRId64 " %12" PRId64 " %8zu %12s %12s %12s %12s\n", i + 1,
                g->start_step, g->end_step, g->length, m, sd, sl, co);
    }
}

static void print_crops(const TsCpdCrops *c) {
    FILE *out = stdout;
    fprintf(out, "\nCROPS: %zu optimal segmentation%s, %zu PELT runs%s\n", c->n, c->n == 1 ? "" : "s",
            c->n_runs, c->complete ? "" : " (stopped at the run limit: gaps possible)");
    fprintf(out, "%4s %23s %8s %12s  %s\n", "#", "PENALTY RANGE", "CHANGES", "FIT COST",
            "CHANGE STEPS");
    for (size_t i = 0; i < c->n; i++) {
        const TsCpdCropsEntry *e = &c->entry[i];
        char range[64];
        snprintf(range, sizeof range, "%.5g..%.5g", e->beta_lo, e->beta_hi);
        char tag = i == c->preferred ? '*' : (i == c->stable && c->entry[i].result.n_cp > 0) ? '+' : ' ';
        fprintf(out, "%3zu%c %23s %8zu %12.6g  ", i + 1, tag, range,
                e->result.n_cp, e->result.fit_cost);
        size_t shown = e->result.n_cp < 12 ? e->result.n_cp : 12;
        for (size_t k = 0; k < shown; k++)
            fprintf(out, "%s%" PRId64, k ? " " : "", e->result.cp[k].step);
        if (shown < e->result.n_cp) fprintf(out, " ... (+%zu)", e->result.n_cp - shown);
        fputc('\n', out);
    }
    fputs("(* = the segmentation at the chosen penalty; + = the most stable one: optimal over the\n"
          " widest range of penalties, what the explorer shows first when the penalty asks for more\n"
          " changes than it searched)\n", out);
}

/* ---- JSON ---- */

static json_t *jnum(double v) {
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jstr(const char *s) {
    json_t *j = json_string(s);
    if (!j) {
        char *clean = ts_sanitize_dup(s);
        j = json_string(clean);
        free(clean);
    }
    return j ? j : json_null();
}

static json_t *jseg(const TsCpdSegment *g) {
    json_t *j = json_object();
    json_object_set_new(j, "start_step", json_integer(g->start_step));
    json_object_set_new(j, "end_step", json_integer(g->end_step));
    json_object_set_new(j, "start", json_integer((json_int_t)g->start));
    json_object_set_new(j, "length", json_integer((json_int_t)g->length));
    json_object_set_new(j, "mean", jnum(g->mean));
    json_object_set_new(j, "std", jnum(g->std));
    json_object_set_new(j, "slope", jnum(g->slope));
    json_object_set_new(j, "x_mean", jnum(g->x_mean));
    json_object_set_new(j, "cost", jnum(g->cost));
    return j;
}

static json_t *jresult(const TsCpdResult *r) {
    json_t *j = json_object();
    json_object_set_new(j, "fit_cost", jnum(r->fit_cost));
    json_object_set_new(j, "total_cost", jnum(r->total_cost));
    json_t *cps = json_array();
    for (size_t i = 0; i < r->n_cp; i++) {
        const TsCpdChange *c = &r->cp[i];
        json_t *jc = json_object();
        json_object_set_new(jc, "step", json_integer(c->step));
        json_object_set_new(jc, "index", json_integer((json_int_t)c->index));
        json_object_set_new(jc, "src_index", json_integer((json_int_t)c->src_index));
        json_object_set_new(jc, "strength", jnum(c->strength));
        json_object_set_new(jc, "before", jseg(&c->before));
        json_object_set_new(jc, "after", jseg(&c->after));
        json_array_append_new(cps, jc);
    }
    json_object_set_new(j, "change_points", cps);
    json_t *segs = json_array();
    for (size_t i = 0; i < r->n_seg; i++) json_array_append_new(segs, jseg(&r->seg[i]));
    json_object_set_new(j, "segments", segs);
    return j;
}

static json_t *jdoc(const char *file, const char *metric, bool csv, const TsCpdOptions *o,
                    const TsCpdResult *r) {
    json_t *j = json_object();
    json_object_set_new(j, "trajscope_detect", json_integer(1));
    json_t *src = json_object();
    json_object_set_new(src, csv ? "csv" : "file", jstr(file));
    json_object_set_new(src, "metric", metric ? jstr(metric) : json_null());
    json_object_set_new(j, "source", src);
    json_object_set_new(j, "method", json_string(ts_cpd_method_name(r->method)));
    json_object_set_new(j, "cost", json_string(ts_cpd_cost_name(r->cost)));
    json_t *pen = json_object();
    bool bocpd = r->method == TS_CPD_BOCPD;
    json_object_set_new(pen, "kind", bocpd ? json_null() : json_string(ts_cpd_penalty_name(r->penalty_kind)));
    json_object_set_new(pen, "beta", jnum(r->penalty));
    json_object_set_new(pen, "asked", jnum(r->penalty_asked));
    json_object_set_new(j, "penalty", pen);
    json_object_set_new(j, "hazard_lambda", bocpd ? jnum(r->hazard_lambda) : json_null());
    json_object_set_new(j, "min_seg", json_integer((json_int_t)r->min_seg));
    json_object_set_new(j, "max_cp", r->max_cp ? json_integer((json_int_t)r->max_cp) : json_null());
    json_object_set_new(j, "pelt_runs", json_integer((json_int_t)r->n_runs));
    json_object_set_new(j, "sigma", jnum(r->sigma));
    json_object_set_new(j, "sigma_given", json_boolean(o->sigma > 0));
    json_object_set_new(j, "centre", jnum(r->centre));
    json_object_set_new(j, "values", json_string(o->prep.log_values ? "log" : "value"));
    json_object_set_new(j, "x", json_string(r->x_log_step ? "log_step" : "step"));
    const TsCpdPrepReport *p = &r->prep;
    json_t *jp = json_object();
    json_object_set_new(jp, "log_values", json_boolean(o->prep.log_values));
    json_object_set_new(jp, "log_step", json_boolean(o->prep.log_step));
    json_object_set_new(jp, "despike", json_boolean(o->prep.despike));
    json_object_set_new(jp, "points", json_integer((json_int_t)p->n_input));
    json_object_set_new(jp, "used", json_integer((json_int_t)p->n_clean));
    json_object_set_new(jp, "analysed", json_integer((json_int_t)p->n_analysed));
    json_object_set_new(jp, "steps_sorted", json_boolean(p->steps_sorted));
    json_object_set_new(jp, "duplicate_steps_dropped", json_integer((json_int_t)p->n_duplicate_steps));
    json_object_set_new(jp, "nonfinite_dropped", json_integer((json_int_t)p->n_nonfinite));
    json_object_set_new(jp, "first_nonfinite_step",
                        p->n_nonfinite ? json_integer(p->first_nonfinite_step) : json_null());
    json_object_set_new(jp, "nonpositive_dropped", json_integer((json_int_t)p->n_nonpositive));
    json_object_set_new(jp, "first_nonpositive_step",
                        p->n_nonpositive ? json_integer(p->first_nonpositive_step) : json_null());
    json_object_set_new(jp, "negative_steps_dropped", json_integer((json_int_t)p->n_negative_step));
    json_object_set_new(jp, "despiked", json_integer((json_int_t)p->n_despiked));
    json_object_set_new(j, "preprocessing", jp);
    json_object_update_new(j, jresult(r));
    return j;
}

static json_t *jcrops(const TsCpdCrops *c) {
    json_t *j = json_object();
    json_object_set_new(j, "complete", json_boolean(c->complete));
    json_object_set_new(j, "pelt_runs", json_integer((json_int_t)c->n_runs));
    json_object_set_new(j, "preferred", json_integer((json_int_t)c->preferred));
    json_object_set_new(j, "stable", json_integer((json_int_t)c->stable));
    json_object_set_new(j, "penalty_below", json_boolean(c->penalty_below));
    json_t *arr = json_array();
    for (size_t i = 0; i < c->n; i++) {
        const TsCpdCropsEntry *e = &c->entry[i];
        json_t *je = jresult(&e->result);
        json_object_set_new(je, "beta_lo", jnum(e->beta_lo));
        json_object_set_new(je, "beta_hi", jnum(e->beta_hi));
        json_object_set_new(je, "n_cp", json_integer((json_int_t)e->result.n_cp));
        json_array_append_new(arr, je);
    }
    json_object_set_new(j, "segmentations", arr);
    return j;
}

/* ---- options ---- */

static bool parse_size(const char *s, size_t *out) {
    long v;
    if (!cli_parse_int(s, &v) || v < 0) return false;
    *out = (size_t)v;
    return true;
}

int ts_cmd_detect(int argc, char **argv) {
    enum {
        O_CSV = 256, O_METHOD, O_COST, O_PENALTY, O_MINSEG, O_MAXCP, O_SIGMA, O_HAZARD, O_LOGV,
        O_LOGS, O_GRID, O_DESPIKE, O_CROPS, O_JSON
    };
    static const struct option opts[] = {
        {"metric", required_argument, NULL, 'm'},
        {"csv", required_argument, NULL, O_CSV},
        {"method", required_argument, NULL, O_METHOD},
        {"cost", required_argument, NULL, O_COST},
        {"penalty", required_argument, NULL, O_PENALTY},
        {"min-seg", required_argument, NULL, O_MINSEG},
        {"max-cp", required_argument, NULL, O_MAXCP},
        {"sigma", required_argument, NULL, O_SIGMA},
        {"hazard", required_argument, NULL, O_HAZARD},
        {"log-values", no_argument, NULL, O_LOGV},
        {"log-step", no_argument, NULL, O_LOGS},
        {"grid", required_argument, NULL, O_GRID},
        {"despike", no_argument, NULL, O_DESPIKE},
        {"crops", required_argument, NULL, O_CROPS},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    TsCpdOptions o;
    ts_cpd_options_default(&o);
    const char *metric = NULL, *csv = NULL;
    bool as_json = false, crops = false;
    double bmin = 0, bmax = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': metric = optarg; break;
        case O_CSV: csv = optarg; break;
        case O_METHOD:
            o.method = ts_cpd_method_from_name(optarg);
            if (o.method == TS_CPD_METHOD_COUNT)
                return cli_usage_error("detect", "unknown method '%s' (pelt, binseg, bocpd)", optarg);
            break;
        case O_COST:
            o.cost = ts_cpd_cost_from_name(optarg);
            if (o.cost == TS_CPD_COST_COUNT)
                return cli_usage_error("detect", "unknown cost '%s' (mean, meanvar, slope)", optarg);
            break;
        case O_PENALTY: {
            TsCpdPenalty p = ts_cpd_penalty_from_name(optarg);
            if (p != TS_CPD_PEN_COUNT && p != TS_CPD_PEN_MANUAL) {
                o.penalty = p;
            } else if (cli_parse_double(optarg, &o.penalty_value) && o.penalty_value >= 0 &&
                       isfinite(o.penalty_value)) {
                o.penalty = TS_CPD_PEN_MANUAL;
            } else {
                return cli_usage_error("detect", "penalty '%s': use mbic, bic, aic or a number >= 0",
                                       optarg);
            }
            break;
        }
        case O_MINSEG:
            if (!parse_size(optarg, &o.min_seg) || o.min_seg == 0)
                return cli_usage_error("detect", "--min-seg needs a positive integer, not '%s'", optarg);
            break;
        case O_MAXCP:
            if (!parse_size(optarg, &o.max_cp) || o.max_cp == 0)
                return cli_usage_error("detect", "--max-cp needs a positive integer, not '%s'", optarg);
            break;
        case O_SIGMA:
            if (!cli_parse_double(optarg, &o.sigma) || !(o.sigma > 0) || !isfinite(o.sigma))
                return cli_usage_error("detect", "--sigma needs a number > 0, not '%s'", optarg);
            break;
        case O_HAZARD:
            if (!cli_parse_double(optarg, &o.hazard_lambda) || !(o.hazard_lambda > 1) ||
                !isfinite(o.hazard_lambda))
                return cli_usage_error("detect", "--hazard needs a number > 1, not '%s'", optarg);
            break;
        case O_LOGV: o.prep.log_values = true; break;
        case O_LOGS: o.prep.log_step = true; break;
        case O_GRID:
            if (!parse_size(optarg, &o.prep.grid_points) || o.prep.grid_points < 2)
                return cli_usage_error("detect", "--grid needs an integer >= 2, not '%s'", optarg);
            break;
        case O_DESPIKE: o.prep.despike = true; break;
        case O_CROPS: {
            char *copy = ts_xstrdup(optarg), *colon = strchr(copy, ':');
            bool good = colon != NULL;
            if (good) {
                *colon = '\0';
                good = cli_parse_double(copy, &bmin) && cli_parse_double(colon + 1, &bmax) &&
                       bmin >= 0 && isfinite(bmin) && bmax > bmin;
            }
            free(copy);
            if (!good)
                return cli_usage_error("detect", "--crops needs MIN:MAX with 0 <= MIN < MAX (MAX may be inf), not '%s'",
                                       optarg);
            crops = true;
            break;
        }
        case O_JSON: as_json = true; break;
        case 'h': detect_usage(stdout); return TS_EXIT_OK;
        case ':': return cli_usage_error("detect", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("detect", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int nfiles = argc - optind;
    if (csv && nfiles > 0) return cli_usage_error("detect", "give either FILE --metric NAME or --csv FILE");
    if (csv && metric) return cli_usage_error("detect", "--metric does not apply to --csv");
    if (!csv && nfiles == 0) return cli_usage_error("detect", "no FILE given");
    if (!csv && nfiles > 1) return cli_usage_error("detect", "one FILE only (got %d)", nfiles);
    if (!csv && !metric) return cli_usage_error("detect", "--metric NAME is required");
    if (o.min_seg && o.min_seg < ts_cpd_min_seg_floor(o.cost))
        return cli_usage_error("detect", "--min-seg must be at least %zu for the %s cost",
                               ts_cpd_min_seg_floor(o.cost), ts_cpd_cost_name(o.cost));
    if (crops && o.method != TS_CPD_PELT)
        return cli_usage_error("detect", "--crops works with --method pelt");
    if (o.prep.grid_points && !o.prep.log_step)
        return cli_usage_error("detect", "--grid applies to --log-step");
    if (o.hazard_lambda != 0 && o.method != TS_CPD_BOCPD)
        return cli_usage_error("detect", "--hazard applies to --method bocpd");

    Input in = {0};
    char *metric_name = NULL;
    const char *file = csv ? csv : argv[optind];
    int status = csv ? read_csv(csv, &in) : read_run(file, metric, &in, &metric_name);
    if (status != TS_EXIT_OK) {
        free(metric_name);
        return status;
    }
    TsErr err;
    ts_err_clear(&err);
    TsCpdResult res;
    TsCpdCrops cr;
    memset(&cr, 0, sizeof cr);
    bool ok = ts_cpd_detect(in.step, in.value, in.n, &o, &res, &err);
    if (ok && crops) ok = ts_cpd_crops(in.step, in.value, in.n, &o, bmin, bmax, 0, &cr, &err);
    if (!ok) {
        if (metric_name)
            cli_error("%s: %s: %s", file, metric_name, err.msg);
        else
            cli_error("%s: %s", file, err.msg);
        ts_cpd_result_free(&res);
        input_free(&in);
        free(metric_name);
        return TS_EXIT_DATA;
    }
    if (as_json) {
        json_t *doc = jdoc(file, metric_name, csv != NULL, &o, &res);
        json_object_set_new(doc, "crops", crops ? jcrops(&cr) : json_null());
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_ENSURE_ASCII);
        fputc('\n', stdout);
        json_decref(doc);
    } else {
        char *what = metric_name ? ts_xasprintf("%s  metric %s", file, metric_name)
                                 : ts_xasprintf("%s  (CSV)", file);
        print_header(what, &o, &res);
        free(what);
        print_result(&res);
        if (crops) print_crops(&cr);
    }
    ts_cpd_crops_free(&cr);
    ts_cpd_result_free(&res);
    input_free(&in);
    free(metric_name);
    return TS_EXIT_OK;
}
