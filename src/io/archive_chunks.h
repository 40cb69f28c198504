/* archive_chunks.h - fast reads of chunked 1-D archive columns: HDF5
 * hands over the stored chunks, every core decodes them.
 * Layer: io (private to the archive reader). License: MIT.
 *
 * Headers never include hdf5.h (docs/ARCHITECTURE.md), so the dataset is
 * passed as the int64_t that hid_t is in HDF5 1.10 and later (the .c file
 * checks this at compile time). */
#ifndef TRAJSCOPE_IO_ARCHIVE_CHUNKS_H
#define TRAJSCOPE_IO_ARCHIVE_CHUNKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/chunk_codec.h"

/* Reads rows [start, start + count) of the 1-D dataset `dataset` into out:
 * doubles, or int64s when to_int64, exactly as H5Dread with
 * H5T_NATIVE_DOUBLE / H5T_NATIVE_INT64 would. Handles chunked columns
 * whose pipeline is shuffle and/or deflate and whose type is a
 * little-endian IEEE float or integer; stored chunks are fetched one at a
 * time (the Debian HDF5 is not thread-safe) and decoded on up to one
 * thread per core. Returns false without a message when the column is
 * anything else or a chunk does not decode: the caller then reads it with
 * H5Dread, which reports real errors. No HDF5 call may run in another
 * thread meanwhile. */
bool ts_archive_read_chunked(int64_t dataset, bool to_int64, size_t start, size_t count, void *out);

/* The chunk layout, filters and stored type of a 1-D chunked column whose
 * pipeline is shuffle and/or deflate (in that order) and whose type is an
 * IEEE float or a plain integer, little-endian; *_bit receive each filter's
 * bit in HDF5's filter mask (0 when absent). False for anything else; then
 * check ts_chunk_format_ok / ts_chunk_encode_ok for what may be done. */
bool ts_archive_column_format(int64_t dataset, TsChunkFormat *f, unsigned *shuffle_bit, unsigned *deflate_bit);

/* Turns the fast path off (every read goes through H5Dread) or on again:
 * for tests that compare the two, and benchmarks. On by default. */
void ts_archive_set_chunked_reads(bool on);

#endif
