/* chunk_codec.h - one chunk of a 1-D numeric HDF5 column, stored <-> values:
 * deflate/inflate (libdeflate), HDF5's byte shuffle, type conversion.
 * Layer: io (private; no HDF5 here, so worker threads may run it). License: MIT.
 *
 * Why it exists: opening a long run is bound by decompression, writing one
 * by compression. zlib, which HDF5's deflate filter calls, inflates our
 * columns at 0.4-0.9 GB/s here; libdeflate does 0.7-5.6 GB/s on the same
 * chunks, and chunks are independent, so archive_chunks.c and
 * writer_chunks.c move stored chunks in and out of HDF5 (H5Dread_chunk,
 * H5Dwrite_chunk) and code them here on every core. Decoding must give
 * exactly what H5Dread gives for the same memory type, and encoded chunks
 * must read back through HDF5's own filters: the tests check both. */
#ifndef TRAJSCOPE_IO_CHUNK_CODEC_H
#define TRAJSCOPE_IO_CHUNK_CODEC_H

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
    int deflate_level;  /* the level the column was created with (encoding) */
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

/* ---- encoding (the writer) ---- */

/* Per-thread state: a libdeflate compressor at one level and buffers. */
typedef struct TsChunkEncoder {
    struct libdeflate_compressor *deflater;
    int level;
    unsigned char *converted; /* float32 values of a float32 column */
    unsigned char *plain;     /* the shuffled chunk */
    size_t converted_cap, plain_cap;
} TsChunkEncoder;

/* level: the deflate level the column was created with (1..9; libdeflate's
 * scale matches zlib's there). */
void ts_chunk_encoder_init(TsChunkEncoder *e, int level);
void ts_chunk_encoder_fini(TsChunkEncoder *e);

/* What ts_chunk_encode accepts: float32/float64 stored from doubles,
 * int64 stored from int64s (the writer's column types). */
bool ts_chunk_encode_ok(const TsChunkFormat *f, TsChunkOut from);

/* Largest stored size of one chunk of f (the buffer `stored` needs). */
size_t ts_chunk_encode_bound(const TsChunkEncoder *e, const TsChunkFormat *f);

/* Encodes one full chunk (f->chunk_elems values: doubles, or int64s when
 * from is TS_CHUNK_TO_INT64) as HDF5 stores it with f's pipeline: converted
 * to the stored type as H5Dwrite would (C conversions; doubles beyond
 * float32's range become +-Inf), shuffled, then deflated into a zlib
 * stream. Returns the stored size (at most cap), 0 when it did not fit. */
size_t ts_chunk_encode(TsChunkEncoder *e, const TsChunkFormat *f, const void *values, TsChunkOut from,
                       unsigned char *stored, size_t cap);

#endif
