/* writer.h - create trajscope archives (docs/FORMAT.md) and append rows.
 * Layer: io (the only HDF5 user besides the archive reader). License: MIT.
 *
 * Typical use from C training code:
 *
 *     TsWriter *w = ts_writer_create("run.h5", "grok-seed0", NULL, &err);
 *     ts_writer_set_config_number(w, "lr", 1e-3, &err);
 *     const char *cols[] = {"loss", "acc"};
 *     ts_writer_add_stream(w, "train", cols, 2, TS_STREAM_WALL_TIME, &err);
 *     ts_writer_start_swmr(w, &err);          // optional: live readers
 *     for (...) ts_writer_append(w, "train", step, (double[]){loss, acc},
 *                                 wall, -1, &err);
 *     ts_writer_close(w, &err);
 *
 * Structure (config, streams, checkpoint layout) must be declared before
 * ts_writer_start_swmr(); after it only appends are allowed. Each append
 * extends the metric columns first and `step` last, so a reader never sees
 * a step whose values are not written yet. */
#ifndef TRAJSCOPE_WRITER_H
#define TRAJSCOPE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/err.h"

typedef struct TsWriter TsWriter;

typedef struct TsWriterOptions {
    bool atomic;        /* write PATH.tmp-XXXXXX, fsync and rename on close
                           (for exports and imports; not with SWMR) */
    int deflate_level;  /* 0 = none, 1..9 gzip; default 4 */
    size_t chunk_rows;  /* rows per chunk; default 4096 */
    bool overwrite;     /* replace an existing file; default false */
} TsWriterOptions;

/* Fills opts with the defaults described above. */
void ts_writer_options_default(TsWriterOptions *opts);

/* Stream flags. */
enum {
    TS_STREAM_WALL_TIME = 1u << 0, /* the stream has a wall_time column */
    TS_STREAM_TOKENS    = 1u << 1, /* the stream has a tokens column */
    TS_STREAM_FLOAT32   = 1u << 2, /* metric columns are float32 (else float64) */
};

/* Creates the archive with trajscope_format = 1 and run_name. opts may be
 * NULL (defaults). NULL with err set on failure. */
TsWriter *ts_writer_create(const char *path, const char *run_name,
                           const TsWriterOptions *opts, TsErr *err);

bool ts_writer_set_created(TsWriter *w, const char *iso8601, TsErr *err);
/* Configuration (hyper-parameters) as scalar root attributes. */
bool ts_writer_set_config_text(TsWriter *w, const char *key, const char *value, TsErr *err);
bool ts_writer_set_config_number(TsWriter *w, const char *key, double value, TsErr *err);
bool ts_writer_set_config_int(TsWriter *w, const char *key, int64_t value, TsErr *err);
/* The full configuration as a JSON string in /config. */
bool ts_writer_set_config_json(TsWriter *w, const char *json, TsErr *err);

/* Declares /scalars/<stream> with one column per metric name. */
bool ts_writer_add_stream(TsWriter *w, const char *stream,
                          const char *const *metrics, size_t n_metrics,
                          unsigned flags, TsErr *err);
/* Like ts_writer_add_stream, with a storage type per metric column
 * ("float32", "float64" or "int64"); flags' TS_STREAM_FLOAT32 is ignored. */
bool ts_writer_add_stream_typed(TsWriter *w, const char *stream,
                                const char *const *metrics, const char *const *dtypes,
                                size_t n_metrics, unsigned flags, TsErr *err);

/* Appends one row to a stream: values[n_metrics] in declaration order
 * (NaN allowed), wall_time (ignored without TS_STREAM_WALL_TIME), tokens
 * (ignored without TS_STREAM_TOKENS). */
bool ts_writer_append(TsWriter *w, const char *stream, int64_t step,
                      const double *values, double wall_time, int64_t tokens,
                      TsErr *err);

/* Declares /checkpoints: layer names [L] and statistic names [S]. */
bool ts_writer_add_checkpoint_layout(TsWriter *w,
                                     const char *const *layers, size_t n_layers,
                                     const char *const *stats, size_t n_stats,
                                     TsErr *err);
/* Appends one checkpoint: values[S * L], row-major [stat][layer]. */
bool ts_writer_append_checkpoint(TsWriter *w, int64_t step, const double *values, TsErr *err);

/* Switches the file to SWMR writing: readers may open it while rows are
 * appended. Call after all structure is declared. */
bool ts_writer_start_swmr(TsWriter *w, TsErr *err);
/* Makes appended rows visible to readers (H5Fflush). */
bool ts_writer_flush(TsWriter *w, TsErr *err);
/* Closes (and, with atomic, renames into place) and frees w. On failure the
 * temporary file is removed and the target is untouched. */
bool ts_writer_close(TsWriter *w, TsErr *err);
/* Closes without renaming; removes the temporary file when atomic. */
void ts_writer_abort(TsWriter *w);

#endif
