/* cmd_import.c - `trajscope import SRC... -o OUT`: convert TensorBoard, CSV
 * and JSON logs (or archives) into trajscope archives.
 * Layer: cli. License: MIT. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "trajscope/archive.h"
#include "trajscope/import.h"
#include "trajscope/source.h"
#include "trajscope/xalloc.h"

static void import_usage(FILE *out) {
    fputs("usage: trajscope import SRC... -o OUT [OPTIONS]\n"
          "\n"
          "Converts logs into trajscope archives, keeping every point with its\n"
          "own step (float32 values stay exact). A SRC is a log - a folder holding\n"
          "TensorBoard event files, an event file, a CSV file, JSON lines, a\n"
          "trainer_state.json - or an archive, or a folder searched for them.\n"
          "One run: OUT is the archive. Several runs (or OUT ending in '/', or an\n"
          "existing folder): OUT is a folder and each run becomes OUT/NAME.h5,\n"
          "NAME being its path below the folder searched.\n"
          "\n"
          "  -o, --output OUT             the archive, or the folder for several\n"
          "      --step-column NAME       CSV/JSON: the column or key holding the step\n"
          "                               (default: step, global_step, _step,\n"
          "                               iteration, iter, epoch)\n"
          "      --purge-restarts         TensorBoard's rule: when a metric's step goes\n"
          "                               back to S, drop its earlier points with step >= S\n"
          "      --wall-time-tolerance S  metrics with the same steps share a stream when\n"
          "                               their wall times differ by at most S seconds\n"
          "                               (default 1; 0 keeps every wall time exactly)\n"
          "  -f, --force                  overwrite existing archives\n"
          "  -q, --quiet                  print only warnings and errors\n"
          "  -h, --help                   show this help\n"
          "\n"
          "Exit status: 0 ok, 1 usage error, 2 when any source could not be read or\n"
          "written (the others are still converted; nothing is overwritten without\n"
          "--force).\n",
          out);
}

typedef struct Job {
    char *src;      /* path opened */
    char *name;     /* name below the folder searched (NULL: the run's own) */
    char *target;
} Job;

typedef struct Jobs {
    Job *v;
    size_t n, cap;
} Jobs;

static void job_add(Jobs *j, const char *src, const char *name) {
    if (j->n == j->cap) {
        j->cap = j->cap ? 2 * j->cap : 8;
        j->v = ts_xreallocarray(j->v, j->cap, sizeof *j->v);
    }
    j->v[j->n++] = (Job){ts_xstrdup(src), name ? ts_xstrdup(name) : NULL, NULL};
}

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p for the folder part of path (the last component is a file). */
static bool make_parents(const char *path) {
    char *p = ts_xstrdup(path);
    bool ok = true;
    for (char *s = p + 1; ok && *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) ok = false;
        *s = '/';
    }
    if (!ok) cli_error("%s: cannot create folder (%s)", path, strerror(errno));
    free(p);
    return ok;
}

/* Default output name of a run opened from src: its run name. */
static char *default_name(const char *src) {
    TsErr err;
    TsSourceList l;
    char *name = NULL;
    if (ts_source_find(src, &l, &err) && l.n == 1) name = ts_xstrdup(l.items[0].name);
    ts_source_list_free(&l);
    if (!name) {
        const char *slash = strrchr(src, '/');
        name = ts_xstrdup(slash && slash[1] ? slash + 1 : src);
    }
    return name;
}

static TsRun *open_source(const char *src, const TsImportOptions *io, TsImportReport *rep, TsErr *err) {
    if (ts_archive_probe(src)) return ts_archive_open(src, err);
    return ts_import_open_ex(src, io, rep, err);
}

int ts_cmd_import(int argc, char **argv) {
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"step-column", required_argument, NULL, 'S'},
        {"purge-restarts", no_argument, NULL, 'P'},
        {"wall-time-tolerance", required_argument, NULL, 'T'},
        {"force", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    TsImportOptions io;
    ts_import_options_default(&io);
    TsImportWriteOptions wo;
    ts_import_write_options_default(&wo);
    const char *out = NULL;
    bool quiet = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:fqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'S': io.step_column = optarg; break;
        case 'P': io.purge_restarts = true; break;
        case 'T':
            if (!cli_parse_double(optarg, &wo.wall_time_tolerance) || !(wo.wall_time_tolerance >= 0))
                return cli_usage_error("import", "--wall-time-tolerance needs a number of seconds >= 0, not '%s'",
                                       optarg);
            break;
        case 'f': wo.overwrite = true; break;
        case 'q': quiet = true; break;
        case 'h': import_usage(stdout); return TS_EXIT_OK;
        case ':': return cli_usage_error("import", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("import", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error("import", "no source given");
    if (!out || !out[0]) return cli_usage_error("import", "no output given (-o OUT)");

    /* What to convert. */
    int status = TS_EXIT_OK;
    Jobs jobs = {0};
    for (int i = optind; i < argc; i++) {
        const char *src = argv[i];
        struct stat st;
        if (stat(src, &st) != 0) {
            cli_error("%s: %s", src, errno == ENOENT ? "no such file or directory" : strerror(errno));
            status = TS_EXIT_DATA;
            continue;
        }
        if (S_ISDIR(st.st_mode) && !ts_import_probe(src)) {
            TsErr err;
            TsSourceList l;
            if (!ts_source_find(src, &l, &err)) {
                cli_error("%s", err.msg);
                status = TS_EXIT_DATA;
                continue;
            }
            if (l.n == 0) {
                cli_error("%s: no logs or archives found in this folder", src);
                status = TS_EXIT_DATA;
            }
            for (size_t k = 0; k < l.n; k++) job_add(&jobs, l.items[k].path, l.items[k].name);
            ts_source_list_free(&l);
        } else {
            job_add(&jobs, src, NULL);
        }
    }

    /* Where each run goes. */
    size_t olen = strlen(out);
    bool to_dir = jobs.n > 1 || out[olen - 1] == '/' || is_dir(out);
    for (size_t i = 0; i < jobs.n; i++) {
        Job *j = &jobs.v[i];
        if (!to_dir) {
            j->target = ts_xstrdup(out);
            continue;
        }
        char *name = j->name ? ts_xstrdup(j->name) : default_name(j->src);
        j->target = ts_xasprintf("%s%s%s.h5", out, out[olen - 1] == '/' ? "" : "/", name);
        free(name);
    }
    bool clash = false;
    for (size_t i = 0; i < jobs.n; i++) {
        for (size_t k = 0; k < i; k++)
            if (strcmp(jobs.v[i].target, jobs.v[k].target) == 0) {
                cli_error("%s and %s would both be written to %s", jobs.v[k].src, jobs.v[i].src, jobs.v[i].target);
                clash = true;
            }
        struct stat st;
        if (!wo.overwrite && lstat(jobs.v[i].target, &st) == 0) {
            cli_error("%s: file exists (use --force to overwrite)", jobs.v[i].target);
            clash = true;
        }
    }
    if (clash) status = TS_EXIT_DATA;

    for (size_t i = 0; !clash && i < jobs.n; i++) {
        Job *j = &jobs.v[i];
        TsErr err;
        TsImportReport rep;
        ts_import_report_init(&rep);
        TsRun *run = open_source(j->src, &io, &rep, &err);
        for (size_t k = 0; k < rep.n_warnings; k++) cli_error("warning: %s", rep.warnings[k]);
        if (!run) {
            cli_error("%s", err.msg);
            status = TS_EXIT_DATA;
            ts_import_report_free(&rep);
            continue;
        }
        TsImportWriteReport wr = {0};
        bool ok = make_parents(j->target) && ts_import_write(run, j->target, &wo, &wr, &err);
        if (!ok) {
            if (ts_err_is_set(&err)) cli_error("%s", err.msg);
            status = TS_EXIT_DATA;
        } else if (!quiet) {
            cli_printf_clean(stdout, "%s: %zu metric%s in %zu stream%s, %zu points (from %s, %s)\n", j->target,
                             wr.n_metrics, wr.n_metrics == 1 ? "" : "s", wr.n_streams, wr.n_streams == 1 ? "" : "s",
                             wr.n_points, j->src, ts_run_format(run));
            if (rep.n_purged)
                cli_printf_clean(stdout, "  %zu point%s dropped by --purge-restarts\n", rep.n_purged,
                                 rep.n_purged == 1 ? "" : "s");
            if (rep.truncated) fputs("  the last record was incomplete (the log is still being written)\n", stdout);
            for (size_t k = 0; k < wr.n_notes; k++) cli_printf_clean(stdout, "  renamed %s\n", wr.notes[k]);
            if (wr.max_wall_time_shift > 0)
                cli_printf_clean(stdout, "  wall times folded into shared streams differ by up to %.3g s\n",
                                 wr.max_wall_time_shift);
        }
        ts_import_write_report_free(&wr);
        ts_import_report_free(&rep);
        ts_run_free(run);
    }
    for (size_t i = 0; i < jobs.n; i++) {
        free(jobs.v[i].src);
        free(jobs.v[i].name);
        free(jobs.v[i].target);
    }
    free(jobs.v);
    return status;
}
