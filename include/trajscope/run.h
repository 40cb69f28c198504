/* run.h - one training run, from any source, read lazily.
 * Layer: io. License: MIT.
 *
 * A TsRun is what every front end (CLI, TUI, export) works with. Opening a
 * run reads its metadata only: names, configuration, the metrics and how
 * many points each has. Points are read on demand with ts_run_read().
 *
 * Back ends: the trajscope HDF5 archive (docs/FORMAT.md) and an in-memory
 * run that importers fill (TensorBoard, CSV, JSON lines). ts_run_open()
 * picks the back end from the file's content, not its name.
 *
 * Strings returned here are borrowed from the run, valid until
 * ts_run_free(), and hold raw bytes from the file: pass them through
 * ts_sanitize() before they reach a terminal. */
#ifndef TRAJSCOPE_RUN_H
#define TRAJSCOPE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/err.h"
#include "trajscope/series.h"

typedef struct TsRun TsRun;

typedef struct TsMetricInfo {
    const char *name;   /* full name "<stream>/<metric>", e.g. "eval/acc" */
    const char *stream; /* logging clock, e.g. "eval" */
    const char *metric; /* e.g. "acc" */
    size_t length;      /* points readable now */
    bool has_step;      /* false: steps are the row index */
    bool has_wall_time;
    const char *dtype;  /* storage type as stored: "float32", "float64", "int64", ... */
} TsMetricInfo;

typedef struct TsConfigEntry {
    const char *key;
    const char *text;  /* the value as text (numbers in shortest exact form) */
    bool is_number;
    double number;     /* valid when is_number */
} TsConfigEntry;

/* Per-checkpoint statistics, e.g. weight_norm of each layer. */
typedef struct TsCheckpoints {
    size_t n_checkpoints;       /* K */
    size_t n_layers;            /* L */
    size_t n_stats;             /* S */
    const int64_t *step;        /* [K] */
    const char *const *layer;   /* [L] */
    const char *const *stat;    /* [S] */
    const double *const *value; /* [S] arrays of K*L values, row-major [k][l] */
} TsCheckpoints;

/* Opens any supported run: a trajscope archive, or (when the importers are
 * built in) a TensorBoard log folder, CSV, JSON lines or trainer_state.json.
 * NULL with err set ("PATH: problem") on failure. */
TsRun *ts_run_open(const char *path, TsErr *err);
void ts_run_free(TsRun *run);

const char *ts_run_path(const TsRun *run);
const char *ts_run_name(const TsRun *run);
/* "trajscope-h5", "tfevents", "csv", "jsonl", "hf-trainer-state", "memory" */
const char *ts_run_format(const TsRun *run);
const char *ts_run_created(const TsRun *run);     /* NULL when absent */
const char *ts_run_config_json(const TsRun *run); /* NULL when absent */

size_t ts_run_config_count(const TsRun *run);
const TsConfigEntry *ts_run_config(const TsRun *run, size_t i);
/* NULL when the key is absent. */
const TsConfigEntry *ts_run_config_find(const TsRun *run, const char *key);

size_t ts_run_metric_count(const TsRun *run);
const TsMetricInfo *ts_run_metric(const TsRun *run, size_t i);
/* Index of the metric with this full name, or -1. */
long ts_run_find_metric(const TsRun *run, const char *name);

/* Reads points [start, start + count) of metric i into out (freed and
 * replaced); count is clipped to the metric's length (SIZE_MAX = to the
 * end). Reads only that range from the file, wall times included when the
 * metric has them. */
bool ts_run_read(TsRun *run, size_t i, size_t start, size_t count, TsSeries *out, TsErr *err);

/* What ts_run_read_ex reads besides steps and values. */
enum { TS_READ_WALL_TIME = 1u << 0 };

/* ts_run_read, reading wall times only when flags has TS_READ_WALL_TIME
 * (out->wall_time is NULL otherwise): a stats pass or a step-axis plot of a
 * 10^7-point metric then reads a third less. */
bool ts_run_read_ex(TsRun *run, size_t i, size_t start, size_t count, unsigned flags,
                    TsSeries *out, TsErr *err);

/* Re-reads the lengths of a file that is still being written (SWMR); sets
 * *grew when any metric has more points than before. */
bool ts_run_refresh(TsRun *run, bool *grew, TsErr *err);

/* Checkpoint statistics, loaded on first call and owned by the run. Returns
 * NULL with err clear when the run has none, NULL with err set on error. */
const TsCheckpoints *ts_run_checkpoints(TsRun *run, TsErr *err);

/* ---- in-memory runs (filled by importers and tests) ---- */

/* An empty in-memory run. name may equal path. */
TsRun *ts_run_new_memory(const char *path, const char *name, const char *format);
void ts_run_mem_set_created(TsRun *run, const char *iso8601);
void ts_run_mem_set_config_json(TsRun *run, const char *json);
void ts_run_mem_add_config_text(TsRun *run, const char *key, const char *text);
void ts_run_mem_add_config_number(TsRun *run, const char *key, double number);
/* Index of the metric stream/metric, created (empty) when new. */
size_t ts_run_mem_metric(TsRun *run, const char *stream, const char *metric);
/* Records the metric's source storage type ("float32", "float64",
 * "int64"); an importer that read float32 values says so, and an archive
 * written from this run stores them as float32 (exactly). Default "float64". */
void ts_run_mem_set_dtype(TsRun *run, size_t metric, const char *dtype);
/* Appends one point; wall_time NaN = not logged. */
void ts_run_mem_append(TsRun *run, size_t metric, int64_t step, double value, double wall_time);

#endif
