/* chunk_codec.c - one stored HDF5 chunk to doubles or int64s: inflate,
 * unshuffle and convert in as few passes as the layout allows.
 * Layer: io (private; no HDF5). License: MIT. */
#include "io/chunk_codec.h"

#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

/* Larger chunks are left to HDF5 (each thread holds one decoded chunk). */
#define MAX_CHUNK_BYTES ((size_t)256 << 20)

static bool host_is_little_endian(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* buf grown to at least bytes (contents not kept). */
static void reserve(unsigned char **buf, size_t *cap, size_t bytes) {
    if (*cap >= bytes) return;
    free(*buf);
    *buf = ts_xmalloc(bytes);
    *cap = bytes;
}

bool ts_chunk_format_ok(const TsChunkFormat *f, TsChunkOut out) {
    if (!host_is_little_endian() || f->chunk_elems == 0) return false;
    if (f->elem_size == 0 || f->chunk_elems > MAX_CHUNK_BYTES / f->elem_size) return false;
    switch (f->kind) {
    case TS_ELEM_FLOAT:
        return (f->elem_size == 4 || f->elem_size == 8) && out == TS_CHUNK_TO_DOUBLE;
    case TS_ELEM_INT:
    case TS_ELEM_UINT:
        return f->elem_size == 1 || f->elem_size == 2 || f->elem_size == 4 || f->elem_size == 8;
    }
    return false;
}

void ts_chunk_decoder_init(TsChunkDecoder *d) {
    d->inflater = libdeflate_alloc_decompressor();
    if (!d->inflater) ts_die("out of memory (libdeflate decompressor)");
    d->plain = NULL;
    d->plain_cap = 0;
}

void ts_chunk_decoder_fini(TsChunkDecoder *d) {
    if (d->inflater) libdeflate_free_decompressor(d->inflater);
    free(d->plain);
    d->inflater = NULL;
    d->plain = NULL;
    d->plain_cap = 0;
}

/* ---- conversion of one element's little-endian bits ---- */

/* A signed value sign-extended from its stored width; an unsigned one
 * clipped to INT64_MAX as HDF5 does. Arithmetic shifts of negative values
 * are implementation-defined in C: the sign is extended through unsigned. */
static int64_t bits_to_int64(uint64_t bits, const TsChunkFormat *f) {
    if (f->kind == TS_ELEM_UINT) return bits > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)bits;
    unsigned shift = (unsigned)(64 - 8 * f->elem_size);
    uint64_t u = bits << shift;
    if (shift) {
        uint64_t sign = (u >> 63) ? ~(~(uint64_t)0 >> shift) : 0;
        u = (u >> shift) | sign;
    }
    int64_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static double bits_to_double(uint64_t bits, const TsChunkFormat *f) {
    if (f->kind == TS_ELEM_UINT) return (double)bits;
    if (f->kind == TS_ELEM_INT) return (double)bits_to_int64(bits, f);
    if (f->elem_size == 4) {
        uint32_t b32 = (uint32_t)bits;
        float v;
        memcpy(&v, &b32, sizeof v);
        return (double)v;
    }
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* Bits of element i; shuffled chunks keep byte b of every element in
 * plane b (HDF5's shuffle filter), n elements per plane. */
static inline uint64_t element_bits(const unsigned char *src, bool shuffled, size_t n, size_t size, size_t i) {
    uint64_t bits = 0;
    if (shuffled) {
        for (size_t b = 0; b < size; b++) bits |= (uint64_t)src[b * n + i] << (8 * b);
    } else {
        for (size_t b = 0; b < size; b++) bits |= (uint64_t)src[i * size + b] << (8 * b);
    }
    return bits;
}

/* The common layouts (8-byte elements, shuffled) in a loop gcc keeps in
 * registers: one load per byte plane. */
static void unshuffle8(const unsigned char *src, size_t n, size_t first, size_t count, uint64_t *out) {
    const unsigned char *p0 = src, *p1 = src + n, *p2 = src + 2 * n, *p3 = src + 3 * n;
    const unsigned char *p4 = src + 4 * n, *p5 = src + 5 * n, *p6 = src + 6 * n, *p7 = src + 7 * n;
    for (size_t k = 0; k < count; k++) {
        size_t i = first + k;
        out[k] = (uint64_t)p0[i] | (uint64_t)p1[i] << 8 | (uint64_t)p2[i] << 16 | (uint64_t)p3[i] << 24 |
                 (uint64_t)p4[i] << 32 | (uint64_t)p5[i] << 40 | (uint64_t)p6[i] << 48 | (uint64_t)p7[i] << 56;
    }
}

static void convert(const TsChunkFormat *f, bool shuffled, const unsigned char *src, size_t first, size_t count,
                    TsChunkOut out_kind, void *out) {
    size_t n = f->chunk_elems, size = f->elem_size;
    bool same_bits = size == 8 && ((f->kind == TS_ELEM_FLOAT && out_kind == TS_CHUNK_TO_DOUBLE) ||
                                   (f->kind == TS_ELEM_INT && out_kind == TS_CHUNK_TO_INT64));
    if (same_bits && !shuffled) {
        memcpy(out, src + first * 8, count * 8);
        return;
    }
    if (same_bits) {
        unshuffle8(src, n, first, count, out); /* doubles and int64s are 8 plain bytes */
        return;
    }
    if (out_kind == TS_CHUNK_TO_DOUBLE) {
        double *d = out;
        for (size_t k = 0; k < count; k++) d[k] = bits_to_double(element_bits(src, shuffled, n, size, first + k), f);
    } else {
        int64_t *d = out;
        for (size_t k = 0; k < count; k++) d[k] = bits_to_int64(element_bits(src, shuffled, n, size, first + k), f);
    }
}

bool ts_chunk_decode(TsChunkDecoder *d, const TsChunkFormat *f, bool skip_shuffle, bool skip_deflate,
                     const void *stored, size_t stored_size, size_t first, size_t count, TsChunkOut out_kind,
                     void *out) {
    size_t n = f->chunk_elems, bytes = n * f->elem_size;
    if (first > n || count > n - first) return false;
    bool shuffled = f->shuffle && !skip_shuffle && f->elem_size > 1;
    const unsigned char *src = stored;
    if (f->deflate && !skip_deflate) {
        reserve(&d->plain, &d->plain_cap, bytes);
        /* NULL for the actual size: anything but exactly one chunk fails */
        if (libdeflate_zlib_decompress(d->inflater, stored, stored_size, d->plain, bytes, NULL) != LIBDEFLATE_SUCCESS)
            return false;
        src = d->plain;
    } else if (stored_size != bytes) {
        return false;
    }
    if (count) convert(f, shuffled, src, first, count, out_kind, out);
    return true;
}

/* ---- encoding ---- */

void ts_chunk_encoder_init(TsChunkEncoder *e, int level) {
    e->level = level < 1 ? 1 : level > 12 ? 12 : level;
    e->deflater = libdeflate_alloc_compressor(e->level);
    if (!e->deflater) ts_die("out of memory (libdeflate compressor)");
    e->converted = e->plain = NULL;
    e->converted_cap = e->plain_cap = 0;
}

void ts_chunk_encoder_fini(TsChunkEncoder *e) {
    if (e->deflater) libdeflate_free_compressor(e->deflater);
    free(e->converted);
    free(e->plain);
    e->deflater = NULL;
    e->converted = e->plain = NULL;
    e->converted_cap = e->plain_cap = 0;
}

bool ts_chunk_encode_ok(const TsChunkFormat *f, TsChunkOut from) {
    if (!ts_chunk_format_ok(f, from)) return false;
    if (from == TS_CHUNK_TO_DOUBLE) return f->kind == TS_ELEM_FLOAT;
    return f->kind == TS_ELEM_INT && f->elem_size == 8;
}

size_t ts_chunk_encode_bound(const TsChunkEncoder *e, const TsChunkFormat *f) {
    size_t bytes = f->chunk_elems * f->elem_size;
    return f->deflate ? libdeflate_zlib_compress_bound(e->deflater, bytes) : bytes;
}

/* Element i's little-endian bytes into plane b of a shuffled chunk. */
static void shuffle_into(unsigned char *dst, const unsigned char *src, size_t n, size_t size) {
    if (size == 8) {
        unsigned char *p0 = dst, *p1 = dst + n, *p2 = dst + 2 * n, *p3 = dst + 3 * n;
        unsigned char *p4 = dst + 4 * n, *p5 = dst + 5 * n, *p6 = dst + 6 * n, *p7 = dst + 7 * n;
        for (size_t i = 0; i < n; i++) {
            const unsigned char *s = src + 8 * i;
            p0[i] = s[0];
            p1[i] = s[1];
            p2[i] = s[2];
            p3[i] = s[3];
            p4[i] = s[4];
            p5[i] = s[5];
            p6[i] = s[6];
            p7[i] = s[7];
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < size; b++) dst[b * n + i] = src[i * size + b];
}

size_t ts_chunk_encode(TsChunkEncoder *e, const TsChunkFormat *f, const void *values, TsChunkOut from,
                       unsigned char *stored, size_t cap) {
    if (!ts_chunk_encode_ok(f, from)) return 0;
    size_t n = f->chunk_elems, size = f->elem_size, bytes = n * size;
    /* the stored bytes before filters: native little-endian, converted */
    const unsigned char *raw = values;
    if (f->kind == TS_ELEM_FLOAT && size == 4) {
        reserve(&e->converted, &e->converted_cap, bytes);
        const double *d = values;
        for (size_t i = 0; i < n; i++) {
            float v = (float)d[i];
            memcpy(e->converted + 4 * i, &v, 4);
        }
        raw = e->converted;
    }
    const unsigned char *filtered = raw;
    if (f->shuffle && size > 1) {
        reserve(&e->plain, &e->plain_cap, bytes);
        shuffle_into(e->plain, raw, n, size);
        filtered = e->plain;
    }
    size_t out = 0;
    if (f->deflate) {
        out = libdeflate_zlib_compress(e->deflater, filtered, bytes, stored, cap);
    } else if (bytes <= cap) {
        memcpy(stored, filtered, bytes);
        out = bytes;
    }
    return out;
}
