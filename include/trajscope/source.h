/* source.h - find the runs under a path: trajscope archives and the logs
 * the importers read (TensorBoard folders, CSV, JSON lines,
 * trainer_state.json).
 * Layer: io. License: MIT.
 *
 * The search is recursive and reads only directory entries and a few bytes
 * of candidate files, so a log root with hundreds of runs lists quickly.
 * Rules (docs/IMPORT.md):
 *  - a folder holding events.out.tfevents.* files directly is one run; the
 *    other files in it (hparams.yaml, a metrics.csv of the same run) are
 *    not listed separately; its subfolders are still searched;
 *  - *.h5, *.hdf5, *.he5 files with the HDF5 signature are archives;
 *  - *.csv files, *.jsonl / *.ndjson files, and *.json files that hold
 *    JSON lines or a trainer_state (log_history) are logs;
 *  - names starting with '.' are skipped; symbolic links are followed
 *    once (a folder is never visited twice). */
#ifndef TRAJSCOPE_SOURCE_H
#define TRAJSCOPE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "trajscope/err.h"

typedef struct TsSource {
    char *path;         /* what ts_run_open() opens */
    char *name;         /* the run's name: its path relative to the root
                           searched, without a file extension
                           ("runs/run0", "Transformer_30pct/metrics"); for
                           a root that is itself a run, the run's name */
    const char *kind;   /* "archive", "tensorboard", "csv" or "json" (static) */
} TsSource;

typedef struct TsSourceList {
    TsSource *items;
    size_t n;
} TsSourceList;

/* Finds the runs under root (a folder, or a single file/run folder) and
 * fills out, sorted by name in natural order ("run2" before "run10").
 * An empty list is not an error. False with err set when root cannot be
 * read, or is a file that is neither an archive nor a log. The list owns
 * its strings: free it with ts_source_list_free(). */
bool ts_source_find(const char *root, TsSourceList *out, TsErr *err);

void ts_source_list_free(TsSourceList *list);

#endif
