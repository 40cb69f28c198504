/* cmd_export.c - `trajscope export FILE...`: marked intervals and their
 * statistics, the marks themselves, or the samples inside each interval.
 * Layer: cli. License: MIT.
 *
 * Everything is computed before anything is written: on any error nothing
 * reaches stdout or -o OUT. Files are replaced atomically. CSV on a terminal
 * is sanitized; piped or written to a file it keeps the exact bytes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "trajscope/export.h"
#include "trajscope/marks_file.h"
#include "trajscope/xalloc.h"

static void export_usage(FILE *out) {
    fputs("usage: trajscope export FILE... [--marks-only | --with-data] [--metric NAME]...\n"
          "                        [--mark ID]... [--marks-of METRIC]\n"
          "                        [--format csv|json|h5] [--into-archive] [-o OUT]\n"
          "\n"
          "Exports the marked intervals of each run (its marks file, see `trajscope\n"
          "help mark`): every interval mark, and the phases between point marks\n"
          "(from each point mark to the next; the last one runs to the end of the\n"
          "data; the lead phase runs from the first logged step to the first mark).\n"
          "For each interval and metric: start/end step and wall time, value at the\n"
          "start and end, change, mean, min, max, least-squares slope, points used,\n"
          "non-finite points (excluded) and points superseded by a resumed run.\n"
          "\n"
          "  --marks-only       export the marks themselves\n"
          "  --with-data        export the samples inside each interval: CSV\n"
          "                     run,interval,label,metric,step,value; JSON adds them\n"
          "                     to the statistics; h5 writes each interval as a run\n"
          "  --metric NAME      only this metric (repeatable; default: every metric)\n"
          "  --mark ID          only the interval of this mark / the phase it opens\n"
          "                     (repeatable)\n"
          "  --marks-of METRIC  only marks made on METRIC (or on every metric)\n"
          "  --format F         csv (default), json or h5; default from -o's extension\n"
          "  --into-archive     with h5: write the marks into each FILE's /marks group\n"
          "                     (FILE must be a trajscope archive; nothing else is done)\n"
          "  -o OUT             output file (default: stdout). For h5: a file when there\n"
          "                     is one interval, else a folder (ending in '/') that gets\n"
          "                     one archive per interval\n"
          "  -h, --help         show this help\n"
          "\n"
          "Exit status: 0 ok, 1 usage error, 2 bad input (nothing is written).\n",
          out);
}

/* stdout: exact bytes when piped; on a terminal, each line sanitized. */
static void put_stdout(const char *text, size_t len) {
    if (!isatty(STDOUT_FILENO)) {
        fwrite(text, 1, len, stdout);
        return;
    }
    char *copy = ts_xstrndup(text, len);
    cli_printf_clean(stdout, "%s", copy);
    free(copy);
}

int ts_cmd_export(int argc, char **argv) {
    static const struct option opts[] = {
        {"marks-only", no_argument, NULL, 'M'},     {"with-data", no_argument, NULL, 'D'},
        {"metric", required_argument, NULL, 'm'},   {"mark", required_argument, NULL, 'k'},
        {"marks-of", required_argument, NULL, 'O'}, {"format", required_argument, NULL, 'f'},
        {"into-archive", no_argument, NULL, 'A'},   {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    TsExportOptions eo;
    ts_export_options_default(&eo);
    bool marks_only = false, with_data = false, into_archive = false, has_format = false;
    const char *out = NULL;
    const char **metrics = ts_xcalloc((size_t)argc + 1, sizeof *metrics);
    uint64_t *ids = ts_xcalloc((size_t)argc + 1, sizeof *ids);
    size_t n_metrics = 0, n_ids = 0;
    int status = TS_EXIT_OK;
    optind = 1;
    opterr = 0;
    int c;
    while (status == TS_EXIT_OK && (c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'M': marks_only = true; break;
        case 'D': with_data = true; break;
        case 'm': metrics[n_metrics++] = optarg; break;
        case 'k': {
            long v;
            if (!cli_parse_int(optarg, &v) || v < 1)
                status = cli_usage_error("export", "--mark: '%s' is not a mark id", optarg);
            else ids[n_ids++] = (uint64_t)v;
            break;
        }
        case 'O': eo.marks_metric = optarg; break;
        case 'f':
            if (!ts_export_format_parse(optarg, &eo.format))
                status = cli_usage_error("export", "--format: '%s' is not csv, json or h5", optarg);
            has_format = true;
            break;
        case 'A': into_archive = true; break;
        case 'o': out = optarg; break;
        case 'h':
            export_usage(stdout);
            free(metrics);
            free(ids);
            return TS_EXIT_OK;
        default:
            status = cli_usage_error("export", "unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (status == TS_EXIT_OK && optind >= argc) status = cli_usage_error("export", "no FILE given");
    if (status == TS_EXIT_OK && marks_only && with_data)
        status = cli_usage_error("export", "--marks-only and --with-data exclude each other");
    if (status == TS_EXIT_OK && !has_format) {
        if (into_archive) eo.format = TS_EXPORT_H5;
        else if (out && strcmp(out, "-") != 0 && !ts_export_format_from_path(out, &eo.format))
            eo.format = TS_EXPORT_CSV;
    }
    if (status == TS_EXIT_OK && into_archive) {
        if (eo.format != TS_EXPORT_H5) status = cli_usage_error("export", "--into-archive needs --format h5");
        else if (out) status = cli_usage_error("export", "--into-archive writes into each FILE; no -o");
        else if (with_data) status = cli_usage_error("export", "--into-archive writes marks only, not --with-data");
    } else if (status == TS_EXIT_OK && eo.format == TS_EXPORT_H5) {
        if (marks_only)
            status = cli_usage_error("export", "h5 holds data: use --with-data, or --into-archive for the marks");
        else if (!out || strcmp(out, "-") == 0)
            status = cli_usage_error("export", "h5 needs -o OUT.h5 or -o FOLDER/");
        with_data = true;
    }
    if (status != TS_EXIT_OK) {
        free(metrics);
        free(ids);
        return status;
    }
    eo.what = marks_only ? TS_EXPORT_MARKS : with_data ? TS_EXPORT_DATA : TS_EXPORT_STATS;
    eo.metrics = metrics;
    eo.n_metrics = n_metrics;
    eo.mark_ids = ids;
    eo.n_mark_ids = n_ids;

    /* Open every run and its marks first: one bad file and nothing is written. */
    size_t n_runs = (size_t)(argc - optind);
    TsExportRun *runs = ts_xcalloc(n_runs, sizeof *runs);
    TsMarkSet **sets = ts_xcalloc(n_runs, sizeof *sets);
    char **from = ts_xcalloc(n_runs, sizeof *from);
    for (size_t r = 0; r < n_runs && status == TS_EXIT_OK; r++) {
        const char *path = argv[optind + (int)r];
        runs[r].run = cli_open_run(path);
        if (!runs[r].run) {
            status = TS_EXIT_DATA;
            break;
        }
        TsErr err;
        ts_err_clear(&err);
        sets[r] = ts_marks_file_load(path, &from[r], &err);
        if (!sets[r]) {
            cli_error("%s", err.msg);
            status = TS_EXIT_DATA;
            break;
        }
        runs[r].marks = sets[r];
        runs[r].marks_path = from[r];
        if (into_archive && strcmp(ts_run_format(runs[r].run), "trajscope-h5") != 0) {
            cli_error("%s: --into-archive needs a trajscope archive, not %s", path, ts_run_format(runs[r].run));
            status = TS_EXIT_DATA;
        }
        if (!into_archive && eo.what != TS_EXPORT_MARKS && ts_marks_count(sets[r]) == 0)
            cli_error("note: %s has no marks", path);
    }

    TsErr err;
    ts_err_clear(&err);
    if (status == TS_EXIT_OK && into_archive) {
        /* The runs hold the archives open: close them before replacing the files. */
        for (size_t r = 0; r < n_runs; r++) {
            ts_run_free(runs[r].run);
            runs[r].run = NULL;
        }
        for (size_t r = 0; r < n_runs && status == TS_EXIT_OK; r++) {
            const char *path = argv[optind + (int)r];
            if (ts_marks_archive_write(path, sets[r], &err)) {
                cli_printf_clean(stdout, "wrote %zu mark%s into %s:/marks\n", ts_marks_count(sets[r]),
                                 ts_marks_count(sets[r]) == 1 ? "" : "s", path);
            } else {
                cli_error("%s", err.msg);
                status = TS_EXIT_DATA;
            }
        }
    } else if (status == TS_EXIT_OK && eo.format == TS_EXPORT_H5) {
        char **paths = NULL;
        size_t n_paths = 0;
        bool ok = ts_export_slices(runs, n_runs, &eo, out, &paths, &n_paths, &err);
        for (size_t i = 0; i < n_paths; i++) {
            cli_printf_clean(stdout, "wrote %s\n", paths[i]);
            free(paths[i]);
        }
        free(paths);
        if (!ok) {
            cli_error("%s", err.msg);
            status = TS_EXIT_DATA;
        }
    } else if (status == TS_EXIT_OK) {
        char *text = NULL;
        size_t len = 0;
        if (!ts_export_render(runs, n_runs, &eo, &text, &len, &err)) {
            cli_error("%s", err.msg);
            status = TS_EXIT_DATA;
        } else if (out && strcmp(out, "-") != 0) {
            if (!ts_marks_file_write_atomic(out, text, len, &err)) {
                cli_error("%s", err.msg);
                status = TS_EXIT_DATA;
            }
        } else {
            put_stdout(text, len);
            if (fflush(stdout) != 0) status = TS_EXIT_DATA;
        }
        free(text);
    }

    for (size_t r = 0; r < n_runs; r++) {
        ts_run_free(runs[r].run);
        ts_marks_free(sets[r]);
        free(from[r]);
    }
    free(runs);
    free(sets);
    free(from);
    free(metrics);
    free(ids);
    return status;
}
