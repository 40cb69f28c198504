/* import.h - read the logs users already have (TensorBoard event files, CSV,
 * JSON lines, Hugging Face trainer_state.json) into in-memory runs.
 * Layer: io. License: MIT.
 *
 * Nothing is lost and nothing is invented: every scalar point keeps its
 * logged step, value (float32 values stay exact) and wall time, in file
 * order; steps that repeat or go back are kept (unless purge_restarts asks
 * for TensorBoard's purge rule). Naming, step selection and every other
 * rule are described in docs/IMPORT.md.
 *
 * Every function that opens a path returns a new run owned by the caller
 * (free it with ts_run_free()) or NULL with err set to one line
 * "PATH: problem". Problems that do not stop the import (records with bad
 * checksums, non-numeric cells, ...) are collected as warnings in a
 * TsImportReport, given to the caller who passes one and kept with the run
 * (ts_import_run_report()). Imported runs hold their points in memory;
 * TsMetricInfo.has_step is false when a CSV/JSON log has no step column
 * (steps are then row numbers). */
#ifndef TRAJSCOPE_IMPORT_H
#define TRAJSCOPE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/err.h"
#include "trajscope/run.h"

/* The stream that holds names without a '/' ("loss" -> "metrics/loss"). */
#define TS_IMPORT_DEFAULT_STREAM "metrics"

typedef struct TsImportOptions {
    /* CSV and JSON: the column/key holding the step; NULL = automatic
     * (step, global_step, _step, iteration, iter, epoch). */
    const char *step_column;
    /* Apply TensorBoard's purge rule: when a metric's step goes back to s
     * (a restart), its earlier points with step >= s are discarded; a
     * TensorBoard SessionLog START at step s does so for every metric. */
    bool purge_restarts;
} TsImportOptions;

/* What an import read and what it had to skip. */
typedef struct TsImportReport {
    size_t n_files;         /* files read */
    uint64_t n_bytes;       /* bytes read */
    size_t n_records;       /* event records, CSV rows or JSON objects read */
    size_t n_points;        /* scalar points kept */
    size_t n_skipped;       /* records/rows/lines skipped (bad checksum, undecodable, malformed) */
    size_t n_purged;        /* points discarded by purge_restarts */
    bool truncated;         /* a file ended inside a record (still being written) */
    size_t n_warnings;
    char **warnings;        /* n_warnings lines "FILE: problem", raw bytes from the file */
} TsImportReport;

/* Fills o with the defaults (automatic step column, no purge). */
void ts_import_options_default(TsImportOptions *o);

/* An empty report. */
void ts_import_report_init(TsImportReport *r);
/* Frees the warnings and leaves an empty report. */
void ts_import_report_free(TsImportReport *r);

/* Cheap check (reads a few bytes, no parsing) that path looks like a log
 * ts_import_open() can read: a folder holding events.out.tfevents.* files,
 * an event file, a CSV file with a header, JSON lines or a
 * trainer_state.json. */
bool ts_import_probe(const char *path);

/* Opens a log with the default options, detecting its format from content
 * and name: a folder holding event files (read in name order), a single
 * event file, *.csv, JSON lines, or a JSON object with "log_history". Used
 * by ts_run_open() for everything that is not an archive. */
TsRun *ts_import_open(const char *path, TsErr *err);

/* Like ts_import_open() with options (NULL = defaults) and a report
 * (may be NULL; when given it must be initialised, and is filled in even
 * when the import fails). */
TsRun *ts_import_open_ex(const char *path, const TsImportOptions *opts,
                         TsImportReport *report, TsErr *err);

/* The report of the import that made run (its warnings, counts), also for
 * runs opened with ts_run_open(); NULL when run did not come from an
 * importer. Borrowed: valid until ts_run_free(run). */
const TsImportReport *ts_import_run_report(const TsRun *run);

/* Parsers over bytes in memory (tests and fuzzing). name is used as the
 * run's path and name and in messages. JSON takes JSON lines or a
 * trainer_state.json object. */
TsRun *ts_import_tfevents_buffer(const void *data, size_t len, const char *name,
                                 const TsImportOptions *opts, TsImportReport *report,
                                 TsErr *err);
TsRun *ts_import_csv_buffer(const void *data, size_t len, const char *name,
                            const TsImportOptions *opts, TsImportReport *report, TsErr *err);
TsRun *ts_import_json_buffer(const void *data, size_t len, const char *name,
                             const TsImportOptions *opts, TsImportReport *report, TsErr *err);

/* CRC-32C (Castagnoli), continuing from crc (0 to start). */
uint32_t ts_crc32c(uint32_t crc, const void *data, size_t len);
/* TensorBoard's masked CRC-32C of data. */
uint32_t ts_crc32c_masked(const void *data, size_t len);

/* ---- writing runs into archives ---- */

typedef struct TsImportWriteOptions {
    bool overwrite;             /* replace an existing file */
    /* Metrics of one stream share an archive stream when their step
     * sequences are identical and their wall times differ by at most this
     * many seconds (the archive keeps the first metric's wall times).
     * Default 1.0; 0 keeps every wall time exactly. */
    double wall_time_tolerance;
} TsImportWriteOptions;

/* What ts_import_write() did. */
typedef struct TsImportWriteReport {
    size_t n_metrics;           /* metrics written */
    size_t n_streams;           /* archive streams written */
    size_t n_points;            /* points written (all metrics) */
    size_t n_renamed;           /* metrics whose archive name differs from the run's */
    double max_wall_time_shift; /* largest wall-time difference folded into a stream */
    size_t n_notes;
    char **notes;               /* one line each: renames, "source -> archive" */
} TsImportWriteReport;

void ts_import_write_options_default(TsImportWriteOptions *o);
void ts_import_write_report_free(TsImportWriteReport *r);

/* Writes every metric of run (any back end), its configuration, creation
 * time and checkpoint statistics into a new archive at out_path, atomically
 * (a temporary file renamed into place). Grouping and renaming rules are in
 * docs/IMPORT.md. report may be NULL. */
bool ts_import_write(TsRun *run, const char *out_path, const TsImportWriteOptions *opts,
                     TsImportWriteReport *report, TsErr *err);

#endif
