/* runset.h - many runs at once: filter expressions over run names and
 * configurations, sorting, seed groups, and an index that opens hundreds of
 * runs quickly (metadata only).
 * Layer: io. License: MIT.
 *
 * It is an io module because configurations are TsConfigEntry arrays (run.h)
 * and the index opens runs; everything above the index section is pure: it
 * reads only the arrays it is given (no files, no globals), so a front end
 * re-runs it on every keystroke and tests need no files. docs/COMPARE.md
 * describes the filter language, the sort orders and the grouping rule.
 *
 * Ownership: strings and arrays passed in are only read, never kept, except
 * where a result says it borrows them (seed groups). Results are freed with
 * their _free function. */
#ifndef TRAJSCOPE_RUNSET_H
#define TRAJSCOPE_RUNSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/err.h"
#include "trajscope/run.h"
#include "trajscope/series.h"
#include "trajscope/source.h"

/* What the pure functions know of a run: its name and configuration. */
typedef struct TsRunDesc {
    const char *name;
    const TsConfigEntry *config; /* [n_config] */
    size_t n_config;
} TsRunDesc;

/* ---- filter expressions (the explorer's `f` prompt) ----
 *
 * A query is space-separated terms that must all hold:
 *   key=value  key!=value  key<v  key<=v  key>v  key>=v   configuration terms
 *   word                                                   run name contains word
 *                                                          (ASCII case-insensitive)
 * A value or word may be double-quoted to hold spaces or operator characters
 * ("name=\"a b\"", "\"x<y\""; \" and \\ escape inside quotes).
 * Comparison is numeric when both the value and the run's entry are
 * numbers (1e-3 equals 0.001; a number stored as float32 equals the decimal
 * it was written from), else exact case-sensitive text equality; key=value
 * also holds when the entry's text is exactly value. <, <=, >, >= need a
 * numeric value (a parse error otherwise) and fail on a non-numeric entry.
 * A run without the key fails every term on it, != included. The empty
 * query matches every run. */
typedef struct TsFilter TsFilter;

/* Parses query; NULL with err set on a bad term, e.g.
 * "bad filter term 'lr>>3': the value starts with an operator". The caller
 * frees the filter with ts_filter_free(). */
TsFilter *ts_filter_parse(const char *query, TsErr *err);
void ts_filter_free(TsFilter *f);
/* Number of terms (0 for the empty query). */
size_t ts_filter_term_count(const TsFilter *f);
/* True when the run passes every term. config may be NULL when n_config is 0. */
bool ts_filter_match(const TsFilter *f, const char *run_name, const TsConfigEntry *config,
                     size_t n_config);
/* ts_filter_match over runs[0..n): writes the indices of passing runs, in
 * order, into keep (room for n) and returns their count. */
size_t ts_filter_select(const TsFilter *f, const TsRunDesc *runs, size_t n, size_t *keep);

/* ---- sorting ---- */

/* Natural order: digit runs compare as numbers ("seed2" < "seed10"), other
 * characters ASCII case-insensitively; ties by bytes. strcmp-like result. */
int ts_runset_natural_cmp(const char *a, const char *b);

typedef enum TsRunSortBy {
    TS_RUNSORT_NAME = 0, /* natural order of names */
    TS_RUNSORT_LAST,     /* last logged value of the metric, ascending */
    TS_RUNSORT_BEST,     /* best value, best first: min ascending when lower is better,
                            else max descending */
    TS_RUNSORT_STEPS,    /* furthest step reached (largest logged step), ascending */
    TS_RUNSORT_COUNT
} TsRunSortBy;

/* "name" "last" "best" "steps"; NULL when out of range. _from_name returns
 * TS_RUNSORT_COUNT for an unknown name. */
const char *ts_runset_sort_name(TsRunSortBy by);
TsRunSortBy ts_runset_sort_from_name(const char *name);

/* One run's sort key for one metric. */
typedef struct TsRunSortKey {
    const char *name; /* borrowed */
    bool has_data;    /* false: the run lacks the metric or it has no point */
    double last;      /* last logged value (NaN and +-Inf sort last) */
    double min, max;  /* over finite values; NaN when none */
    int64_t step_max; /* largest logged step */
} TsRunSortKey;

/* Fills key from the metric's statistics (st NULL: the run has no data). */
void ts_runset_sort_key(TsRunSortKey *key, const char *name, const TsSeriesStats *st);

/* Writes into order[0..n) the permutation of 0..n-1 that sorts keys by
 * `by` (descending reverses the order of the values). Stable: equal keys
 * keep their input order. A run without a value (no data, or a non-finite
 * last/best value) always sorts after every run with one, whatever the
 * direction. lower_is_better only matters for TS_RUNSORT_BEST
 * (see ts_compare_lower_is_better() in compare.h). O(n log n). */
void ts_runset_sort(const TsRunSortKey *keys, size_t n, TsRunSortBy by, bool lower_is_better,
                    bool descending, size_t *order);

/* ---- seed groups ---- */

/* The keys taken for the seed when the caller names none. */
#define TS_RUNSET_SEED_KEYS {"seed", "random_seed", "rng_seed"}

typedef struct TsSeedGroup {
    size_t *runs;                /* [n_runs] input indices, ascending */
    size_t n_runs;
    const char *seed_key;        /* the seed key of the members (borrowed from the input or
                                    the caller); NULL for a run without a seed key (a group
                                    of its own) */
    TsConfigEntry *shared;       /* [n_shared] the configuration every member shares (all
                                    entries but the seed key), shallow copies of the first
                                    member's entries: strings borrowed from the input */
    size_t n_shared;
} TsSeedGroup;

typedef struct TsSeedGroups {
    TsSeedGroup *items; /* in the order of their first member */
    size_t n;
} TsSeedGroups;

/* Groups runs whose configurations differ only in the seed. The seed key is
 * seed_key when given, else the first of TS_RUNSET_SEED_KEYS a run has. Two
 * runs group when both have the same seed key, the same set of keys, and
 * equal values for every other key (numbers numerically, else text). A run
 * without a seed key is a group of its own; so every run is in exactly one
 * group. Borrows strings from runs: keep them alive while out is used.
 * O(n c log(n c)) for c entries per run. */
void ts_runset_group_seeds(const TsRunDesc *runs, size_t n, const char *seed_key,
                           TsSeedGroups *out);
void ts_runset_groups_free(TsSeedGroups *g);

/* ---- the run index: open many runs, metadata only ----
 *
 * Opening a run reads its metadata; the index copies what the run list
 * needs (name, configuration, metric names and lengths) into a snapshot.
 * An open HDF5 archive holds about 0.7 MB (HDF5's per-file metadata cache)
 * and 500 open archives take about 360 MB and 1.5 s of page faults
 * (bench_runset), so by default the index closes each run right after the
 * snapshot and reopens it on demand (ts_runset_acquire). With keep_open the
 * runs stay open (fine for a few dozen). */

typedef enum TsRunState {
    TS_RUNSTATE_PENDING = 0, /* not read yet */
    TS_RUNSTATE_READY,       /* snapshot taken (the run may be open or closed) */
    TS_RUNSTATE_FAILED       /* could not be opened: see ts_runset_error() */
} TsRunState;

typedef struct TsRunSet TsRunSet;

/* An index of the sources (copied; nothing is opened yet). keep_open: keep
 * every run open after its snapshot. */
TsRunSet *ts_runset_new(const TsSourceList *sources, bool keep_open);
/* Frees the index and closes every run it holds open. */
void ts_runset_free(TsRunSet *set);

size_t ts_runset_count(const TsRunSet *set);
/* Opens up to max pending runs in index order (max 0 = all), takes their
 * snapshots (and closes them unless keep_open); returns how many are still
 * pending. A front end calls it with a small max per frame so the list
 * fills in while the user looks. A run that cannot be opened is FAILED,
 * with its one-line error kept. */
size_t ts_runset_open_some(TsRunSet *set, size_t max);

TsRunState ts_runset_state(const TsRunSet *set, size_t i);
/* The source's name (its path relative to the searched root) and path. */
const char *ts_runset_name(const TsRunSet *set, size_t i);
const char *ts_runset_path(const TsRunSet *set, size_t i);
/* The error of a failed run ("" otherwise). */
const char *ts_runset_error(const TsRunSet *set, size_t i);
/* The run's name and configuration (deep copies from the snapshot; empty
 * until READY) for the pure functions above. Valid until the set is freed. */
TsRunDesc ts_runset_desc(const TsRunSet *set, size_t i);
/* The snapshot's metrics (from the first open; lengths are not refreshed
 * here: use the TsRun for live files). NULL / 0 until READY. Valid until
 * the set is freed. */
size_t ts_runset_metric_count(const TsRunSet *set, size_t i);
const TsMetricInfo *ts_runset_metric(const TsRunSet *set, size_t i, size_t k);
/* Index of the metric with this full name in run i's snapshot, or -1. */
long ts_runset_find_metric(const TsRunSet *set, size_t i, const char *name);

/* Run i, opened again when the index closed it; it stays open (owned by
 * the set) until ts_runset_release() or ts_runset_free(). Opens a pending
 * run too (taking its snapshot). NULL with err set when it cannot be
 * opened (FAILED runs report their error). */
TsRun *ts_runset_acquire(TsRunSet *set, size_t i, TsErr *err);
/* The open run, or NULL when closed, pending or failed (never opens). */
TsRun *ts_runset_run(const TsRunSet *set, size_t i);
/* Closes run i (pointers from ts_runset_acquire become invalid). */
void ts_runset_release(TsRunSet *set, size_t i);
/* Runs open now. */
size_t ts_runset_open_count(const TsRunSet *set);

#endif
