/* writer_chunks.h - the writer's fast path for full blocks: every column's
 * chunk is compressed on its own core (chunk_codec.c), then stored with
 * H5Dwrite_chunk in the writer's column order.
 * Layer: io (private to the writer). License: MIT.
 *
 * HDF5's deflate filter compresses on the calling thread with zlib; an
 * append-heavy writer (import of a long log) spent nearly all its time
 * there. Datasets are passed as the int64_t that hid_t is (no hdf5.h in
 * headers). */
#ifndef TRAJSCOPE_IO_WRITER_CHUNKS_H
#define TRAJSCOPE_IO_WRITER_CHUNKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/chunk_codec.h"

/* One column's block: chunk_rows values starting at a chunk boundary. A
 * block is kept for the column's life: its format is read from the file
 * once, its buffer reused. */
typedef struct TsChunkBlock {
    int64_t dataset;    /* hid_t of a 1-D chunked column; < 0: no such column (skipped) */
    const void *values; /* doubles, or int64s when is_int64 */
    bool is_int64;
    /* filled by ts_writer_chunks_encode: */
    bool format_read, encodable;
    TsChunkFormat fmt;
    bool encoded;       /* stored[0..stored_size) holds the chunk */
    unsigned char *stored;
    size_t stored_size, stored_cap;
} TsChunkBlock;

typedef struct TsWriterChunks TsWriterChunks;

TsWriterChunks *ts_writer_chunks_new(void);
void ts_writer_chunks_free(TsWriterChunks *wc);

/* Encodes each block whose column is chunked with exactly rows rows per
 * chunk, deflate (with or without shuffle), and a float32/float64/int64 type;
 * blocks it cannot encode are left with encoded = false (the caller
 * writes those with H5Dwrite). HDF5 is called only from this thread, before
 * the encoding threads start. Block buffers are kept for reuse: free them
 * with ts_writer_chunks_free_block. */
void ts_writer_chunks_encode(TsWriterChunks *wc, TsChunkBlock *blocks, size_t n, size_t rows);

/* Extends the block's column to at + rows rows and stores its encoded chunk
 * at row `at` (a chunk boundary). False on an HDF5 error. */
bool ts_writer_chunks_store(const TsChunkBlock *block, size_t at, size_t rows);

void ts_writer_chunks_free_block(TsChunkBlock *block);

/* Turns the fast path off (every block goes through H5Dwrite) or on again:
 * for tests that compare the two, and benchmarks. On by default. */
void ts_writer_set_chunked_writes(bool on);

#endif
