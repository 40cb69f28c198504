/* writer_chunks.c - compresses full blocks of the writer's columns in
 * parallel and stores them with H5Dwrite_chunk.
 * Layer: io (the writer's HDF5 side). License: MIT.
 *
 * HDF5 is not thread-safe here (Debian builds it without): the columns'
 * formats are read before any thread starts and chunks are stored after
 * they all end, both on the caller's thread. */
#include "io/writer_chunks.h"

#include <hdf5.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/archive_chunks.h"
#include "io/chunk_codec.h"
#include "trajscope/xalloc.h"

#define MAX_THREADS 8

static atomic_bool chunked_writes_on = true;

void ts_writer_set_chunked_writes(bool on) { atomic_store(&chunked_writes_on, on); }

typedef struct EncodeJob {
    TsChunkBlock *blocks;
    size_t n, rows;
    atomic_size_t next;
} EncodeJob;

typedef struct Worker {
    EncodeJob *job;
    TsChunkEncoder enc;
    bool enc_ready;
    pthread_t thread;
} Worker;

struct TsWriterChunks {
    Worker workers[MAX_THREADS]; /* encoders kept between calls */
};

TsWriterChunks *ts_writer_chunks_new(void) { return ts_xcalloc(1, sizeof(TsWriterChunks)); }

void ts_writer_chunks_free(TsWriterChunks *wc) {
    if (!wc) return;
    for (size_t t = 0; t < MAX_THREADS; t++)
        if (wc->workers[t].enc_ready) ts_chunk_encoder_fini(&wc->workers[t].enc);
    free(wc);
}

void ts_writer_chunks_free_block(TsChunkBlock *block) {
    free(block->stored);
    block->stored = NULL;
    block->stored_cap = block->stored_size = 0;
    block->encoded = false;
}

static void encode_one(Worker *w, TsChunkBlock *b, const TsChunkFormat *f) {
    if (!w->enc_ready || w->enc.level != f->deflate_level) {
        if (w->enc_ready) ts_chunk_encoder_fini(&w->enc);
        ts_chunk_encoder_init(&w->enc, f->deflate ? f->deflate_level : 1);
        w->enc_ready = true;
    }
    size_t bound = ts_chunk_encode_bound(&w->enc, f);
    if (b->stored_cap < bound) {
        free(b->stored);
        b->stored = ts_xmalloc(bound);
        b->stored_cap = bound;
    }
    TsChunkOut from = b->is_int64 ? TS_CHUNK_TO_INT64 : TS_CHUNK_TO_DOUBLE;
    b->stored_size = ts_chunk_encode(&w->enc, f, b->values, from, b->stored, b->stored_cap);
    b->encoded = b->stored_size > 0;
}

static void *encode_worker(void *arg) {
    Worker *w = arg;
    EncodeJob *j = w->job;
    for (;;) {
        size_t k = atomic_fetch_add(&j->next, 1);
        if (k >= j->n) break;
        TsChunkBlock *b = &j->blocks[k];
        if (b->encodable && b->fmt.chunk_elems == j->rows) encode_one(w, b, &b->fmt);
    }
    return NULL;
}

void ts_writer_chunks_encode(TsWriterChunks *wc, TsChunkBlock *blocks, size_t n, size_t rows) {
    size_t todo = 0;
    bool on = atomic_load(&chunked_writes_on);
    for (size_t k = 0; k < n; k++) {
        TsChunkBlock *b = &blocks[k];
        b->encoded = false;
        if (b->dataset < 0) continue;
        if (!b->format_read) { /* HDF5: here, before any thread starts */
            unsigned sbit, dbit;
            b->format_read = true;
            b->encodable = ts_archive_column_format(b->dataset, &b->fmt, &sbit, &dbit) && b->fmt.deflate &&
                           /* unfiltered: H5Dwrite is as fast */
                           ts_chunk_encode_ok(&b->fmt, b->is_int64 ? TS_CHUNK_TO_INT64 : TS_CHUNK_TO_DOUBLE);
        }
        todo += on && b->encodable && b->fmt.chunk_elems == rows;
    }
    if (todo == 0) return;
    EncodeJob job = {blocks, n, rows, 0}; /* todo > 0: the fast path is on */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = cpus > 1 ? (size_t)cpus : 1;
    if (want > MAX_THREADS) want = MAX_THREADS;
    if (want > todo) want = todo;
    size_t started = 0;
    for (size_t t = 1; t < want; t++) {
        Worker *w = &wc->workers[t];
        w->job = &job;
        if (pthread_create(&w->thread, NULL, encode_worker, w) != 0) break; /* fewer threads: still correct */
        started++;
    }
    wc->workers[0].job = &job;
    encode_worker(&wc->workers[0]);
    for (size_t t = 1; t <= started; t++) pthread_join(wc->workers[t].thread, NULL);
}

bool ts_writer_chunks_store(const TsChunkBlock *block, size_t at, size_t rows) {
    hid_t ds = (hid_t)block->dataset;
    hsize_t size[1] = {at + rows}, off[1] = {at};
    return H5Dset_extent(ds, size) >= 0 &&
           H5Dwrite_chunk(ds, H5P_DEFAULT, 0, off, block->stored_size, block->stored) >= 0;
}
