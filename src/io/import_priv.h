/* import_priv.h - pieces shared by the log importers (tfevents, csvlog,
 * jsonlog, import, import_write, source). Layer: io (private to src/io).
 * License: MIT. */
#ifndef TRAJSCOPE_IMPORT_PRIV_H
#define TRAJSCOPE_IMPORT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/import.h"

/* ---- a string-keyed hash map to size_t (keys are bytes, copied) ---- */

typedef struct ImpSlot {
    char *key;        /* NULL = empty slot */
    size_t len;
    uint64_t hash;
    size_t value;
} ImpSlot;

typedef struct ImpMap {
    ImpSlot *slots;
    size_t cap, n;    /* cap is 0 or a power of two */
} ImpMap;

void imp_map_init(ImpMap *m);
void imp_map_free(ImpMap *m);
/* Empties the map, keeping its table. */
void imp_map_clear(ImpMap *m);
/* Pointer to the value stored under key, or NULL. */
size_t *imp_map_get(const ImpMap *m, const void *key, size_t len);
/* Stores value under key (replacing any previous value). */
void imp_map_put(ImpMap *m, const void *key, size_t len, size_t value);
uint64_t imp_hash(const void *data, size_t len);

/* ---- warnings ---- */

/* Appends one warning line to r (printf-like). */
void imp_warn(TsImportReport *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- metric buffers: points collected before the run is built ---- */

enum { IMP_F32 = 1u, IMP_F64 = 2u, IMP_I64 = 4u };

typedef struct ImpMetric {
    char *stream, *metric;  /* the run's names */
    char *source;           /* the name in the log (tag, column, key) */
    unsigned types;         /* IMP_* seen */
    size_t n, cap;
    int64_t *step;
    double *value;
    double *wall;           /* NULL when the buffer has no wall times */
} ImpMetric;

typedef struct ImpBuf {
    TsImportOptions opts;
    TsImportReport *rep;    /* never NULL */
    bool with_wall;
    bool steps_are_rows;    /* no step column: steps are row numbers */
    ImpMetric *m;
    size_t n, cap;
    ImpMap by_source;       /* source name -> metric index */
    ImpMap by_full;         /* "<stream>/<metric>" -> metric index */
} ImpBuf;

void imp_buf_init(ImpBuf *b, const TsImportOptions *opts, TsImportReport *rep, bool with_wall);
void imp_buf_free(ImpBuf *b);
/* Index of the metric logged under source name key (created when new,
 * named by the rules of docs/IMPORT.md). */
size_t imp_buf_metric(ImpBuf *b, const char *key, size_t len);
/* Appends a point (applying the purge rule when asked). */
void imp_buf_append(ImpBuf *b, size_t i, int64_t step, double value, double wall, unsigned type);
/* Gives metric i (still empty) the arrays step[n], value[n] (heap; taken
 * over), applying the purge rule when asked. */
void imp_buf_take(ImpBuf *b, size_t i, int64_t *step, double *value, size_t n, unsigned type);
/* A restart at step: with purge_restarts, every metric drops its points
 * with step >= step. */
void imp_buf_restart(ImpBuf *b, int64_t step);
/* Builds the run from the buffers (which it takes over: b is left empty). */
TsRun *imp_buf_to_run(ImpBuf *b, const char *path, const char *name, const char *format);
/* Keeps a copy of rep with run, for ts_import_run_report(). */
void imp_run_keep_report(TsRun *run, const TsImportReport *rep);

/* Splits a source name at its last '/' into stream and metric (both
 * non-empty), else TS_IMPORT_DEFAULT_STREAM and the whole name. Returns
 * heap strings. */
void imp_split_name(const char *name, char **stream, char **metric);

/* ---- a table of rows (CSV rows, JSON objects) before the step is chosen ---- */

typedef struct ImpCol {
    char *name;
    size_t n, cap;          /* numeric cells */
    size_t *row;
    double *val;
    bool candidate;         /* may hold the step: integer copies kept */
    int64_t *ival;          /* [n] when candidate */
    bool *is_int;           /* [n] when candidate: cell is an exact integer */
    size_t n_text;          /* non-numeric cells */
    size_t first_text_line;
    char *first_text;
} ImpCol;

typedef struct ImpTable {
    const char *file;       /* for messages */
    const char *step_column; /* the explicit step column, or NULL */
    const char *row_word;   /* what a row is called in messages: "line" */
    const char *col_word;   /* and a column: "column" */
    ImpCol *c;
    size_t n, cap;
    ImpMap by_name;
    size_t n_rows;
    size_t *row_line;       /* [n_rows] line number of each row */
    size_t *row_cells;      /* [n_rows] numeric cells in each row */
    size_t rows_cap;
} ImpTable;

void imp_table_init(ImpTable *t, const char *file);
void imp_table_free(ImpTable *t);
/* Column index for a name (created when new; dup = a second column with
 * the same name, kept apart). */
size_t imp_table_col(ImpTable *t, const char *name, size_t len, bool dup);
/* Starts a new row read from line. */
void imp_table_row(ImpTable *t, size_t line);
/* Adds a numeric cell to the current row. */
void imp_table_number(ImpTable *t, size_t col, double v);
/* Adds a numeric cell given as text (parsed C-locale); non-numeric text
 * is counted. text is NUL-terminated, trimmed, not empty. */
void imp_table_text(ImpTable *t, size_t col, const char *text, size_t len);
/* Counts a value that is not a number (a string, a boolean) in col. */
void imp_table_nonnum(ImpTable *t, size_t col, const char *text, size_t len);
/* Adds an integer cell (exact). */
void imp_table_int(ImpTable *t, size_t col, int64_t v);
/* Chooses the step column and fills b. Returns false (err set) when an
 * explicit step column is missing or unusable. */
bool imp_table_to_buf(ImpTable *t, ImpBuf *b, TsErr *err);

/* True for the names tried, in order, as step columns. Returns the
 * priority (0 = best) or -1. */
int imp_step_priority(const char *name);

/* ---- helpers ---- */

/* CRC-32C by table lookups only (ts_crc32c() uses the CPU's instruction
 * when it has one); for tests. */
uint32_t imp_crc32c_portable(uint32_t crc, const void *data, size_t len);

/* Reads a whole file (binary). NULL with err set on failure. */
char *imp_read_file(const char *path, size_t *len, TsErr *err);
/* True when data starts like a Git LFS pointer file. */
bool imp_is_lfs_pointer(const void *data, size_t len);
/* Parses a whole string as a number (C locale; nan/inf in any case);
 * false when it is not one. */
bool imp_parse_number(const char *s, size_t len, double *out);
/* The run name rules of docs/IMPORT.md. Heap string. */
char *imp_run_name(const char *path, bool is_dir_run);

/* True when s ends with suffix (ASCII case-insensitive; suffix in lower case). */
bool imp_has_suffix(const char *s, const char *suffix);
/* A file name TensorBoard would read as an event file ("tfevents" in it),
 * that is not one of the text files people keep beside them (*.csv, ...). */
bool imp_name_is_tfevents(const char *name);
/* Finds needle in the first hay_len bytes of hay. */
const void *imp_memmem(const void *hay, size_t hay_len, const void *needle, size_t len);

/* The importers (tfevents.c, csvlog.c, jsonlog.c). path names the source in
 * messages, name is the run's name; files are event file paths (already in
 * order) for a folder run. o and r are never NULL. */
TsRun *imp_tfevents_files(const char *path, const char *name, char *const *files, size_t n_files,
                          const TsImportOptions *o, TsImportReport *r, TsErr *err);
TsRun *imp_csv_parse(const char *data, size_t len, const char *path, const char *name,
                     const TsImportOptions *o, TsImportReport *r, TsErr *err);
TsRun *imp_json_parse(const char *data, size_t len, const char *path, const char *name,
                      const TsImportOptions *o, TsImportReport *r, TsErr *err);

#endif
