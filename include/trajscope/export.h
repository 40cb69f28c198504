/* export.h - marked intervals out of trajscope: statistics, marks, samples.
 * Layer: io. License: MIT.
 *
 * For each run, the spans of its marks (ts_marks_spans(): interval marks,
 * phases between point marks, the lead before the first point mark) are
 * computed over the logged range of the chosen metrics, and for each span
 * and metric the statistics of ts_marks_span_stats(). docs/MARKS.md gives
 * the rules and every column.
 *
 * Outputs:
 *  - TS_EXPORT_STATS: CSV (one row per span x metric, with a header) or JSON.
 *  - TS_EXPORT_MARKS: the marks themselves, CSV or JSON.
 *  - TS_EXPORT_DATA: the samples inside each span: long CSV
 *    (run,interval,label,metric,step,value), JSON (statistics plus the
 *    samples), or trajscope archives, one per span (ts_export_slices()).
 * Numbers are exact: CSV uses the shortest text that reads back to the same
 * double, JSON 17 significant digits; non-finite statistics are empty (CSV)
 * or null (JSON). Text keeps the exact bytes (sanitize before a terminal).
 *
 * Nothing is written on error, and files are replaced atomically. */
#ifndef TRAJSCOPE_EXPORT_H
#define TRAJSCOPE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/err.h"
#include "trajscope/marks.h"
#include "trajscope/run.h"

/* The version written in "trajscope_export" of JSON output. */
#define TS_EXPORT_JSON_VERSION 1

typedef enum TsExportWhat { TS_EXPORT_STATS = 0, TS_EXPORT_MARKS, TS_EXPORT_DATA } TsExportWhat;
typedef enum TsExportFormat { TS_EXPORT_CSV = 0, TS_EXPORT_JSON, TS_EXPORT_H5 } TsExportFormat;

typedef struct TsExportOptions {
    TsExportWhat what;
    TsExportFormat format;
    /* Full metric names ("train/loss"); none = every metric of each run.
     * A name a run does not have is an error. */
    const char *const *metrics;
    size_t n_metrics;
    /* Only spans opened by these mark ids (an interval mark, or the point
     * mark that opens a phase); with TS_EXPORT_MARKS only these marks.
     * none = all. */
    const uint64_t *mark_ids;
    size_t n_mark_ids;
    /* Only marks whose metric is "" or this name; NULL = every mark. */
    const char *marks_metric;
} TsExportOptions;

/* One run to export and its marks (both borrowed). */
typedef struct TsExportRun {
    TsRun *run;
    const TsMarkSet *marks;
    const char *marks_path; /* where the marks came from (JSON output), or NULL */
} TsExportRun;

/* Statistics export, CSV, then data export without statistics. */
void ts_export_options_default(TsExportOptions *o);
/* "csv" / "json" / "h5". */
const char *ts_export_format_name(TsExportFormat f);
/* Parses "csv" "json" "h5" (case-sensitive); false otherwise. */
bool ts_export_format_parse(const char *name, TsExportFormat *out);
/* The format implied by a file name's extension (.csv .json .h5 .hdf5);
 * false when there is none. */
bool ts_export_format_from_path(const char *path, TsExportFormat *out);

/* Renders a CSV or JSON export into memory: *text (NUL-terminated, caller
 * frees) and *len. false with err set (nothing returned) on any error. */
bool ts_export_render(const TsExportRun *runs, size_t n_runs, const TsExportOptions *opts,
                      char **text, size_t *len, TsErr *err);

/* ts_export_render() written atomically to path. */
bool ts_export_save(const TsExportRun *runs, size_t n_runs, const TsExportOptions *opts,
                    const char *path, TsErr *err);

/* Data export as trajscope archives: each span becomes a run of its own,
 * holding the chosen metrics' samples inside the span (configuration,
 * creation time and config JSON copied; slice_* configuration entries
 * telling where it came from; written by ts_import_write(), so streams and
 * names follow docs/IMPORT.md; docs/MARKS.md). out is either a folder (it
 * exists, or ends with '/'; created when missing) that receives one archive
 * per span, "<run file base>-<NN>-<label>.h5", or a file name, used when
 * there is exactly one span in all. Each archive is written atomically and
 * replaces an older one of the same name. *paths / *n_paths (may be NULL)
 * receive the files written (caller frees each and the array). */
bool ts_export_slices(const TsExportRun *runs, size_t n_runs, const TsExportOptions *opts,
                      const char *out, char ***paths, size_t *n_paths, TsErr *err);

#endif
