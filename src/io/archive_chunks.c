/* archive_chunks.c - reads chunked columns by fetching stored chunks with
 * H5Dread_chunk and decoding them in parallel (chunk_codec.c).
 * Layer: io (the archive reader's HDF5 side). License: MIT.
 *
 * HDF5 runs its filter pipeline (zlib) on one thread; opening a run of
 * 10^7 points spent most of its time there. The Debian HDF5 is built
 * without thread safety, so every HDF5 call here is made under one mutex,
 * by whichever worker needs the next chunk; decoding needs no HDF5 and
 * runs outside it. */
#include "io/archive_chunks.h"

#include <hdf5.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/chunk_codec.h"
#include "trajscope/xalloc.h"

_Static_assert(sizeof(hid_t) == sizeof(int64_t), "hid_t is passed as int64_t");

#define MAX_THREADS 8
/* Below this many chunks, or this many bytes, threads cost more than they save. */
#define MIN_CHUNKS_PER_THREAD 4
#define MIN_BYTES_FOR_THREADS ((size_t)1 << 20)

static atomic_bool chunked_reads_on = true;

void ts_archive_set_chunked_reads(bool on) { atomic_store(&chunked_reads_on, on); }

bool ts_archive_column_format(int64_t dataset, TsChunkFormat *f, unsigned *shuffle_bit, unsigned *deflate_bit) {
    hid_t ds = (hid_t)dataset;
    bool ok = false;
    hid_t dcpl = H5Dget_create_plist(ds);
    hid_t type = H5Dget_type(ds);
    hid_t space = H5Dget_space(ds);
    if (dcpl < 0 || type < 0 || space < 0) goto done;
    if (H5Sget_simple_extent_ndims(space) != 1 || H5Pget_layout(dcpl) != H5D_CHUNKED) goto done;
    hsize_t chunk[1];
    unsigned opts = 0;
    if (H5Pget_chunk(dcpl, 1, chunk) != 1 || H5Pget_chunk_opts(dcpl, &opts) < 0) goto done;
    if (opts & H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS) goto done; /* edge chunks stored otherwise */
    f->chunk_elems = (size_t)chunk[0];
    f->shuffle = f->deflate = false;
    f->deflate_level = 0;
    *shuffle_bit = *deflate_bit = 0;
    int nf = H5Pget_nfilters(dcpl);
    if (nf < 0 || nf > 2) goto done;
    for (unsigned i = 0; i < (unsigned)nf; i++) {
        unsigned flags = 0, cd[8];
        size_t n_cd = 8;
        H5Z_filter_t id = H5Pget_filter2(dcpl, i, &flags, &n_cd, cd, 0, NULL, NULL);
        if (id == H5Z_FILTER_SHUFFLE && i == 0) {
            f->shuffle = true;
            *shuffle_bit = 1u << i;
        } else if (id == H5Z_FILTER_DEFLATE && !f->deflate) {
            f->deflate = true;
            f->deflate_level = n_cd >= 1 ? (int)cd[0] : 6;
            *deflate_bit = 1u << i;
        } else {
            goto done; /* fletcher32, szip, nbit, scale-offset, plugins, or another order */
        }
    }
    f->elem_size = H5Tget_size(type);
    switch (H5Tget_class(type)) {
    case H5T_FLOAT:
        if (H5Tequal(type, H5T_IEEE_F32LE) <= 0 && H5Tequal(type, H5T_IEEE_F64LE) <= 0) goto done;
        f->kind = TS_ELEM_FLOAT;
        break;
    case H5T_INTEGER:
        if (H5Tget_order(type) != H5T_ORDER_LE || H5Tget_offset(type) != 0 ||
            H5Tget_precision(type) != 8 * f->elem_size)
            goto done;
        f->kind = H5Tget_sign(type) == H5T_SGN_NONE ? TS_ELEM_UINT : TS_ELEM_INT;
        break;
    default:
        goto done;
    }
    ok = true;
done:
    if (dcpl >= 0) H5Pclose(dcpl);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    return ok;
}

typedef struct ReadJob {
    hid_t ds;
    TsChunkFormat fmt;
    TsChunkOut out_kind;
    unsigned shuffle_bit, deflate_bit;
    size_t start, count; /* rows wanted */
    unsigned char *out;  /* receives row `start` */
    size_t out_size;     /* bytes per output value */
    pthread_mutex_t hdf5; /* held for every HDF5 call, and for the fields below */
    size_t next_chunk, end_chunk;
    bool failed;
} ReadJob;

/* Fetches stored chunk k under the lock; false (and the job failed) when
 * it is missing or cannot be read. */
static bool fetch_chunk(ReadJob *j, size_t *k, unsigned char **buf, size_t *cap, size_t *size, uint32_t *mask) {
    bool ok = false;
    pthread_mutex_lock(&j->hdf5);
    if (j->failed || j->next_chunk >= j->end_chunk) goto out;
    *k = j->next_chunk++;
    hsize_t off[1] = {(hsize_t)(*k * j->fmt.chunk_elems)};
    hsize_t stored = 0;
    /* A stored chunk far larger than its data is corrupt; an unallocated
     * one (size 0) reads as the fill value: both are left to H5Dread. */
    size_t limit = 2 * j->fmt.chunk_elems * j->fmt.elem_size + 4096;
    if (H5Dget_chunk_storage_size(j->ds, off, &stored) < 0 || stored == 0 || stored > limit) goto fail;
    if (*cap < stored) {
        free(*buf);
        *buf = ts_xmalloc((size_t)stored);
        *cap = (size_t)stored;
    }
    *mask = 0;
    if (H5Dread_chunk(j->ds, H5P_DEFAULT, off, mask, *buf) < 0) goto fail;
    *size = (size_t)stored;
    ok = true;
    goto out;
fail:
    j->failed = true;
out:
    pthread_mutex_unlock(&j->hdf5);
    return ok;
}

static void *read_worker(void *arg) {
    ReadJob *j = arg;
    TsChunkDecoder dec;
    ts_chunk_decoder_init(&dec);
    unsigned char *stored = NULL;
    size_t cap = 0, k = 0, size = 0;
    uint32_t mask = 0;
    size_t c = j->fmt.chunk_elems, end = j->start + j->count;
    while (fetch_chunk(j, &k, &stored, &cap, &size, &mask)) {
        size_t lo = k * c > j->start ? k * c : j->start;
        size_t hi = (k + 1) * c < end ? (k + 1) * c : end;
        if (!ts_chunk_decode(&dec, &j->fmt, mask & j->shuffle_bit, mask & j->deflate_bit, stored, size, lo - k * c,
                             hi - lo, j->out_kind, j->out + (lo - j->start) * j->out_size)) {
            pthread_mutex_lock(&j->hdf5);
            j->failed = true;
            pthread_mutex_unlock(&j->hdf5);
            break;
        }
    }
    free(stored);
    ts_chunk_decoder_fini(&dec);
    return NULL;
}

static size_t thread_count(size_t chunks, size_t bytes) {
    if (bytes < MIN_BYTES_FOR_THREADS) return 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cpus > 1 ? (size_t)cpus : 1;
    if (n > MAX_THREADS) n = MAX_THREADS;
    size_t by_work = chunks / MIN_CHUNKS_PER_THREAD;
    if (n > by_work) n = by_work;
    return n ? n : 1;
}

bool ts_archive_read_chunked(int64_t dataset, bool to_int64, size_t start, size_t count, void *out) {
    if (!atomic_load(&chunked_reads_on)) return false;
    if (count == 0) return true;
    ReadJob j = {0};
    j.ds = (hid_t)dataset;
    j.out_kind = to_int64 ? TS_CHUNK_TO_INT64 : TS_CHUNK_TO_DOUBLE;
    if (!ts_archive_column_format(dataset, &j.fmt, &j.shuffle_bit, &j.deflate_bit) ||
        !ts_chunk_format_ok(&j.fmt, j.out_kind))
        return false;
    j.start = start;
    j.count = count;
    j.out = out;
    j.out_size = to_int64 ? sizeof(int64_t) : sizeof(double);
    j.next_chunk = start / j.fmt.chunk_elems;
    j.end_chunk = (start + count - 1) / j.fmt.chunk_elems + 1;
    if (pthread_mutex_init(&j.hdf5, NULL) != 0) return false;
    size_t want = thread_count(j.end_chunk - j.next_chunk, count * j.out_size), started = 0;
    pthread_t threads[MAX_THREADS];
    for (size_t t = 1; t < want; t++) {
        if (pthread_create(&threads[started], NULL, read_worker, &j) != 0) break; /* fewer threads: still correct */
        started++;
    }
    read_worker(&j);
    for (size_t t = 0; t < started; t++) pthread_join(threads[t], NULL);
    pthread_mutex_destroy(&j.hdf5);
    return !j.failed;
}
