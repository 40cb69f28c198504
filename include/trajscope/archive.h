/* archive.h - the trajscope HDF5 archive reader (docs/FORMAT.md), a TsRun back end.
 * Layer: io (HDF5 stays inside src/io/archive.c; no HDF5 type appears here).
 * License: MIT.
 *
 * Front ends do not call these directly: ts_run_open() probes the file and
 * hands archives to ts_archive_open(). Opening reads metadata only (run
 * name, configuration, metric names and lengths); points are read on demand
 * by ts_run_read() as hyperslabs. Files written in SWMR mode open while the
 * writer is still appending, and ts_run_refresh() picks up new rows.
 * Like the HDF5 library it uses (a serial build), not thread-safe: use runs
 * from one thread. */
#ifndef TRAJSCOPE_ARCHIVE_H
#define TRAJSCOPE_ARCHIVE_H

#include <stdbool.h>

#include "trajscope/err.h"
#include "trajscope/run.h"

/* The trajscope_format version this build reads and writes. */
#define TS_ARCHIVE_FORMAT_VERSION 1

/* True when path is a readable file carrying the HDF5 signature at offset
 * 0, 512, 1024, 2048, ... (HDF5 allows a user block before the superblock).
 * Reads at most a few bytes per candidate offset; never touches HDF5. */
bool ts_archive_probe(const char *path);

/* Opens a trajscope archive. Returns a new run owned by the caller (free it
 * with ts_run_free(), which closes every HDF5 handle), or NULL with err set
 * to one line "PATH: problem", e.g. "run.h5: not an HDF5 file". Never
 * prints: the HDF5 error stack is silenced and turned into that line. */
TsRun *ts_archive_open(const char *path, TsErr *err);

#endif
