/* chunk_decode.c - one stored HDF5 chunk to doubles or int64s: inflate,
 * unshuffle and convert in as few passes as the layout allows.
 * Layer: io (private; no HDF5). License: MIT. */
#include "io/chunk_decode.h"

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

static double bits_to_double(uint64_t bits, const TsChunkFormat *f) {
    switch (f->kind) {
    case TS_ELEM_FLOAT:
        if (f->elem_size == 4) {
            uint32_t b32 = (uint32_t)bits;
            float v;
            memcpy(&v, &b32, sizeof v);
            return (double)v;
        } else {
            double v;
            memcpy(&v, &bits, sizeof v);
            return v;
        }
    case TS_ELEM_INT: {
        unsigned shift = (unsigned)(64 - 8 * f->elem_size);
        /* sign-extend through the top bits (arithmetic shift of a
         * negative int64 is implementation-defined: go through unsigned) */
        uint64_t u = bits << shift;
        int64_t v;
        if (shift == 0) {
            memcpy(&v, &u, sizeof v);
        } else {
            uint64_t sign = (u >> 63) ? ~(~(uint64_t)0 >> shift) : 0;
            u = (u >> shift) | sign;
            memcpy(&v, &u, sizeof v);
        }
        return (double)v;
    }
    case TS_ELEM_UINT:
        return (double)bits;
    }
    return 0.0;
}

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
        if (d->plain_cap < bytes) {
            free(d->plain);
            d->plain = ts_xmalloc(bytes);
            d->plain_cap = bytes;
        }
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
