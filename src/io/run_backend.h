/* run_backend.h - what a run back end (HDF5 archive, importers) implements.
 * Layer: io (private to src/io). License: MIT.
 *
 * The generic TsRun (src/io/run.c) owns the metadata every back end shares:
 * name, configuration, metric table. A back end allocates the run with
 * ts_run_alloc(), fills metadata with the ts_run_add_* helpers, and provides
 * the operations below for reading points on demand. */
#ifndef TRAJSCOPE_RUN_BACKEND_H
#define TRAJSCOPE_RUN_BACKEND_H

#include "trajscope/run.h"

typedef struct TsRunOps {
    /* Reads points [start, start+count) (already clipped to the metric's
     * length by the caller) of metric i into out; wall times only when
     * flags has TS_READ_WALL_TIME. */
    bool (*read)(TsRun *run, size_t i, size_t start, size_t count, unsigned flags, TsSeries *out,
                 TsErr *err);
    /* Optional: re-reads lengths (updating them with ts_run_set_metric_length). */
    bool (*refresh)(TsRun *run, bool *grew, TsErr *err);
    /* Optional: loads checkpoint statistics into out (owned by the back end
     * until close); returns false with err clear when there are none. */
    bool (*load_checkpoints)(TsRun *run, TsCheckpoints *out, TsErr *err);
    /* Frees the back end's state (not the run itself). */
    void (*close)(TsRun *run);
} TsRunOps;

/* A run with no metadata yet; impl is the back end's state. */
TsRun *ts_run_alloc(const TsRunOps *ops, void *impl, const char *path, const char *format);
void *ts_run_impl(const TsRun *run);

void ts_run_set_name(TsRun *run, const char *name);
void ts_run_set_created(TsRun *run, const char *iso8601);
void ts_run_set_config_json(TsRun *run, const char *json);
void ts_run_add_config(TsRun *run, const char *key, const char *text, bool is_number, double number);
/* Adds a metric; returns its index. Strings are copied. */
size_t ts_run_add_metric(TsRun *run, const char *stream, const char *metric, size_t length,
                         bool has_step, bool has_wall_time, const char *dtype);
void ts_run_set_metric_length(TsRun *run, size_t i, size_t length);

/* Formats a double in the shortest text that reads back to the same value. */
void ts_format_exact(char *buf, size_t cap, double v);

#endif
