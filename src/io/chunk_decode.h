/* chunk_decode.h - turns one stored chunk of a 1-D numeric HDF5 column into
 * values: inflate (libdeflate), undo HDF5's byte shuffle, convert.
 * Layer: io (private; no HDF5 here, so worker threads may run it). License: MIT.
 *
 * Why it exists: opening a long run is bound by decompression. zlib, which
 * HDF5's deflate filter calls, inflates our columns at 0.4-0.9 GB/s here;
 * libdeflate does 0.7-5.6 GB/s on the same chunks, and chunks decode
 * independently, so archive_chunks.c fetches stored chunks with HDF5 and
 * decodes them here on every core. The results must be bit-identical to
 * what H5Dread gives for the same memory type: the tests compare both. */
#ifndef TRAJSCOPE_IO_CHUNK_DECODE_H
#define TRAJSCOPE_IO_CHUNK_DECODE_H

#include <stdbool.h>
#include <stddef.h>

/* Stored element types this decoder understands: little-endian IEEE
 * float32/float64, and little-endian integers of 1, 2, 4 or 8 bytes. */
typedef enum TsElemKind { TS_ELEM_FLOAT, TS_ELEM_INT, TS_ELEM_UINT } TsElemKind;

typedef struct TsChunkFormat {
    TsElemKind kind;
    size_t elem_size;   /* bytes per stored element */
    size_t chunk_elems; /* elements per chunk (every stored chunk is full) */
    bool shuffle;       /* the pipeline is [shuffle], [deflate] or [shuffle, deflate] */
    bool deflate;
} TsChunkFormat;

/* What to convert to, as H5Dread would with H5T_NATIVE_DOUBLE or
 * H5T_NATIVE_INT64: C conversions, and unsigned values above INT64_MAX
 * clipped to INT64_MAX (HDF5's default overflow handling). Floats are not
 * converted to int64 here (ts_chunk_format_ok says no). */
typedef enum TsChunkOut { TS_CHUNK_TO_DOUBLE, TS_CHUNK_TO_INT64 } TsChunkOut;

/* Per-thread state: a libdeflate decompressor and a buffer of one chunk. */
typedef struct TsChunkDecoder {
    struct libdeflate_decompressor *inflater;
    unsigned char *plain;
    size_t plain_cap;
} TsChunkDecoder;

/* True when `f` describes something ts_chunk_decode handles for `out`. */
bool ts_chunk_format_ok(const TsChunkFormat *f, TsChunkOut out);

void ts_chunk_decoder_init(TsChunkDecoder *d);
void ts_chunk_decoder_fini(TsChunkDecoder *d);

/* Decodes elements [first, first + count) of one stored chunk into `out`
 * (doubles or int64s; out[0] receives element `first`). skip_shuffle and
 * skip_deflate say the chunk was stored without that filter (HDF5's filter
 * mask). False when the stored bytes do not decode to exactly one chunk
 * (corrupt data): the caller then lets HDF5 read it and report. */
bool ts_chunk_decode(TsChunkDecoder *d, const TsChunkFormat *f, bool skip_shuffle, bool skip_deflate,
                     const void *stored, size_t stored_size, size_t first, size_t count, TsChunkOut out_kind,
                     void *out);

#endif
