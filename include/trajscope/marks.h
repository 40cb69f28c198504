/* marks.h - marks: annotations of phase transitions (points and intervals).
 * Layer: core (pure: no I/O, never reads the clock; GSL inside marks.c only).
 * License: MIT.
 *
 * A mark is either a point (one step: "grokking starts here") or a closed
 * interval [start_step, end_step] ("the plateau"). Marks live in a
 * TsMarkSet, which keeps them sorted by (start_step, end_step, id) and gives
 * each a stable id (never reused within a set). Every change (add, remove,
 * edit) is recorded on a bounded undo stack, so an explorer can offer "u".
 * ts_marks_merge() brings in what another process changed in the file (a
 * three-way merge; not recorded on the undo stack).
 *
 * Persistence is elsewhere: marks_file.h (the JSON sidecar, the HDF5 /marks
 * group); statistics over spans and export: here (ts_marks_span_stats) and
 * export.h. docs/MARKS.md describes the model and the phase rules.
 *
 * Ownership: a TsMarkSet owns its marks and their strings; pointers returned
 * by ts_marks_at()/ts_marks_get() and span labels are borrowed and valid
 * until the set next changes. Marks passed in are copied. Strings are raw
 * UTF-8 bytes as the user typed them (quotes, newlines, ESC kept): pass them
 * through ts_sanitize() before they reach a terminal. */
#ifndef TRAJSCOPE_MARKS_H
#define TRAJSCOPE_MARKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/err.h"
#include "trajscope/series.h"

/* Longest string field accepted, in bytes (labels from files are untrusted). */
#define TS_MARK_TEXT_MAX 65536
/* Undo records kept; older ones are dropped. */
#define TS_MARKS_UNDO_MAX 256

typedef enum TsMarkKind { TS_MARK_POINT = 0, TS_MARK_INTERVAL = 1 } TsMarkKind;

typedef struct TsMark {
    uint64_t id;          /* > 0 once in a set; 0 in ts_marks_add() = assign the next id */
    TsMarkKind kind;
    int64_t start_step;
    int64_t end_step;     /* == start_step for a point; >= start_step for an interval */
    /* Text fields. In marks given to ts_marks_add()/ts_marks_update() NULL
     * means the default shown; in marks held by a set they are never NULL. */
    const char *label;    /* "" */
    const char *colour;   /* "" = theme default; a series-colour index ("3") or a name ("red") */
    const char *run;      /* "*" = every run; else the run name it belongs to */
    const char *metric;   /* "" = every metric; else a full metric name "train/loss" */
    const char *source;   /* "manual", or "detector:<method> <settings>",
                             e.g. "detector:pelt cost=mean penalty=mbic" */
    const char *created;  /* "" or ISO 8601 UTC "2024-05-01T12:00:00Z" (from the caller) */
} TsMark;

/* A point mark at step (all text fields default). */
void ts_mark_init_point(TsMark *m, int64_t step, const char *label);
/* An interval mark [start, end] (swapped when end < start). */
void ts_mark_init_interval(TsMark *m, int64_t start, int64_t end, const char *label);
/* Deep copy of src into dst (defaults filled in); free with ts_mark_clear(). */
void ts_mark_copy(TsMark *dst, const TsMark *src);
/* Frees the strings of a mark the caller owns (from ts_mark_copy() or
 * ts_marks_remove()) and zeroes it. */
void ts_mark_clear(TsMark *m);
/* Checks a mark before it enters a set: kind, text fields valid UTF-8 and at
 * most TS_MARK_TEXT_MAX bytes. false with err ("label: not valid UTF-8"). */
bool ts_mark_validate(const TsMark *m, TsErr *err);
/* "point" / "interval". */
const char *ts_mark_kind_name(TsMarkKind kind);
/* Parses "point" / "interval"; false for anything else. */
bool ts_mark_kind_parse(const char *name, TsMarkKind *out);
/* Formats seconds since the epoch as ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ"
 * (the caller reads the clock). Returns the length, like snprintf. */
int ts_mark_format_time(char *buf, size_t cap, int64_t unix_seconds);

/* Which marks a query sees. NULL filter = every mark. */
typedef struct TsMarkFilter {
    const char *run;    /* NULL: any; else marks whose run is "*" or equal */
    const char *metric; /* NULL: any; else marks whose metric is "" or equal */
} TsMarkFilter;

/* True when m passes f (f NULL: always). */
bool ts_mark_matches(const TsMark *m, const TsMarkFilter *f);

typedef struct TsMarkSet TsMarkSet;

/* An empty set (next id 1). Free with ts_marks_free(). */
TsMarkSet *ts_marks_new(void);
void ts_marks_free(TsMarkSet *set);
/* A deep copy (marks and next id; no undo history). */
TsMarkSet *ts_marks_clone(const TsMarkSet *set);

size_t ts_marks_count(const TsMarkSet *set);
/* The i-th mark in sorted order (start_step, end_step, id); i < count. */
const TsMark *ts_marks_at(const TsMarkSet *set, size_t i);
/* Sorted index of the mark with this id, or -1. */
long ts_marks_index_of(const TsMarkSet *set, uint64_t id);
/* The mark with this id, or NULL. */
const TsMark *ts_marks_get(const TsMarkSet *set, uint64_t id);
/* The id the next ts_marks_add() without an id will get. */
uint64_t ts_marks_next_id(const TsMarkSet *set);
/* Raises the next id to at least next_id (loaders keep ids of deleted marks
 * from being reused). */
void ts_marks_reserve_id(TsMarkSet *set, uint64_t next_id);
/* Counts every change; a front end saves when it differs from the value it
 * saw at its last save. */
uint64_t ts_marks_generation(const TsMarkSet *set);

/* Adds a copy of mark. mark->id 0 = the next id; a given id is kept (used
 * by loaders and undo) and must not be in the set. A point's end_step is set
 * to its start_step; an interval whose end is before its start is swapped.
 * Records an undo entry. Returns the id, or 0 with err set (invalid text,
 * duplicate id). */
uint64_t ts_marks_add(TsMarkSet *set, const TsMark *mark, TsErr *err);

/* Removes the mark with this id. When removed is not NULL it receives the
 * mark (the caller owns it: ts_mark_clear()), and *index (may be NULL) its
 * sorted index before removal; re-adding it with ts_marks_add() (same id)
 * puts it back at the same place. Records an undo entry. false when no
 * such mark. */
bool ts_marks_remove(TsMarkSet *set, uint64_t id, TsMark *removed, size_t *index);

/* Replaces the label of a mark (label NULL = ""). Records an undo entry.
 * false with err when no such mark or the label is invalid. */
bool ts_marks_set_label(TsMarkSet *set, uint64_t id, const char *label, TsErr *err);

/* Replaces every field of a mark except its id with those of fields
 * (NULL strings = defaults; steps normalised as in ts_marks_add()).
 * Records an undo entry. false with err when no such mark or invalid. */
bool ts_marks_update(TsMarkSet *set, uint64_t id, const TsMark *fields, TsErr *err);

typedef enum TsMarkOp { TS_MARK_OP_NONE = 0, TS_MARK_OP_ADD, TS_MARK_OP_REMOVE, TS_MARK_OP_EDIT } TsMarkOp;

/* What an undo reverted: op is the original operation, id the mark.
 * applied is false when the record was spent without changing anything:
 * the mark was since changed, removed or brought back by a merge
 * (ts_marks_merge), so reverting would undo someone else's work. */
typedef struct TsMarkChange {
    TsMarkOp op;
    uint64_t id;
    bool applied;
} TsMarkChange;

/* Reverts the latest recorded change: an added mark is removed, a removed
 * mark comes back (same id, same place), an edit is reverted. Fills undone
 * (may be NULL). false (undone->op = NONE) when there is nothing to undo.
 * The undo itself is not recorded (there is no redo). A record whose mark
 * a merge touched since is spent without effect (undone->applied false);
 * a record whose mark is gone (or, for a removal, already back) changes
 * nothing either. */
bool ts_marks_undo(TsMarkSet *set, TsMarkChange *undone);
/* Undo entries available. */
size_t ts_marks_undo_depth(const TsMarkSet *set);
/* Drops the undo history (after loading). */
void ts_marks_forget_undo(TsMarkSet *set);

/* ---- three-way merge (a marks file changed by another process) ---- */

/* True when a and b agree in every field but the id: kind, both steps and
 * every string byte for byte (NULL strings read as their defaults). */
bool ts_mark_equal(const TsMark *a, const TsMark *b);

/* Most renumberings a merge report lists one by one (all are counted). */
#define TS_MARKS_MERGE_RENAMED_MAX 16

typedef struct TsMarksMergeReport {
    size_t added;      /* marks of theirs put into mine: new ones, and edits of
                          marks mine had deleted (those are conflicts too) */
    size_t removed;    /* marks theirs removed, removed from mine */
    size_t changed;    /* marks theirs edited, replaced in mine */
    size_t renumbered; /* marks of mine moved to a fresh id (theirs added
                          another mark under that id) */
    size_t conflicts;  /* marks both sides changed (see ts_marks_merge) */
    size_t n_renamed;  /* entries below: min(renumbered, TS_MARKS_MERGE_RENAMED_MAX) */
    uint64_t renamed_from[TS_MARKS_MERGE_RENAMED_MAX];
    uint64_t renamed_to[TS_MARKS_MERGE_RENAMED_MAX];
} TsMarksMergeReport;

/* Brings into mine what another writer changed: base is what mine was
 * loaded from or last saved as (NULL = empty: nothing seen yet), theirs
 * what the file holds now. Marks are matched by id and compared with
 * ts_mark_equal(). Rules, per id:
 *  - theirs added it (not in base): it is added to mine. When mine uses
 *    that id for a mark of its own (a different mark it added, in the set
 *    or in its undo records), MINE's mark is renumbered to a fresh id and
 *    its undo records follow: ids already in the file never change, so a
 *    printed "added mark 4" and other processes' views stay true. A mark
 *    equal to mine's under the same id is the same mark (nothing to do).
 *  - theirs removed it (in base, not in theirs): removed from mine unless
 *    mine changed it (mine's version stays: conflict).
 *  - theirs changed it: replaces mine's unless mine changed it too (mine
 *    wins: conflict; equal edits are no conflict) or mine deleted it (then
 *    theirs' edited version comes back: an extra mark is better than a
 *    lost edit; added and conflict).
 *  - mine's own adds, removals and edits stay.
 * The next id becomes the largest of mine's, theirs' and base's (and past
 * fresh ids). Merged changes are not recorded on the undo stack; undo
 * records of marks the merge changed, removed or brought back are spent
 * without effect (ts_marks_undo), so "u" only ever reverts the user's own
 * actions. rep (may be NULL) receives the counts. mine, base and theirs
 * must be distinct sets. false with err (mine unchanged) only when no
 * fresh id is left (ids reach INT64_MAX). */
bool ts_marks_merge(TsMarkSet *mine, const TsMarkSet *base, const TsMarkSet *theirs,
                    TsMarksMergeReport *rep, TsErr *err);

/* The id mark id of mine has after the merge of rep (id itself when it
 * was not renumbered or is past the first TS_MARKS_MERGE_RENAMED_MAX). */
uint64_t ts_marks_merge_renamed(const TsMarksMergeReport *rep, uint64_t id);

/* ---- queries (for the explorer's keys); all return sorted indices ---- */

/* The mark nearest to step: distance to a point, or to the nearer edge of
 * an interval. Ties go to the earlier mark in sorted order. -1 when no mark
 * passes the filter. */
long ts_marks_nearest(const TsMarkSet *set, double step, const TsMarkFilter *f);

/* The next mark edge strictly after step: the smallest start or end step
 * (of a passing mark) greater than step. Returns the mark's index and puts
 * the edge in *at (may be NULL); -1 when there is none. Stepping with
 * repeated calls visits every point mark and both edges of intervals. */
long ts_marks_next(const TsMarkSet *set, double step, const TsMarkFilter *f, int64_t *at);
/* The previous mark edge strictly before step (the largest edge < step). */
long ts_marks_prev(const TsMarkSet *set, double step, const TsMarkFilter *f, int64_t *at);

/* The innermost interval mark containing step (start <= step <= end); ties
 * go to the later one in sorted order. -1 when none. */
long ts_marks_interval_at(const TsMarkSet *set, double step, const TsMarkFilter *f);

/* ---- spans: what export computes statistics over ---- */

typedef enum TsSpanKind {
    TS_SPAN_INTERVAL = 0, /* an interval mark: [start, end], both ends included */
    TS_SPAN_PHASE,        /* from a point mark to the next: [p_k, p_k+1); the
                             last phase runs to the data's last step, included */
    TS_SPAN_LEAD          /* from the data's first step to the first point mark: [lo, p_1) */
} TsSpanKind;

/* "interval" / "phase" / "lead". */
const char *ts_span_kind_name(TsSpanKind kind);

typedef struct TsMarkSpan {
    TsSpanKind kind;
    uint64_t mark_id;     /* the interval mark, or the point mark opening the phase; 0 for the lead */
    uint64_t end_mark_id; /* the point mark closing a phase or the lead; 0 otherwise */
    const char *label;    /* borrowed: the mark's label; "" for the lead */
    int64_t start_step;
    int64_t end_step;
    bool end_inclusive;   /* true: [start, end]; false: [start, end) */
} TsMarkSpan;

/* The spans of the marks that pass f:
 *  - every interval mark: [start, end];
 *  - point marks sorted by step (several at one step count once: the first
 *    in sorted order opens the phase): phase k = [p_k, p_k+1);
 *  - when data_range is given ({first, last} logged step of the data):
 *    the lead [first, p_1) when first < p_1, and the last phase
 *    [p_n, max(last, p_n)] (end included);
 *    without data_range neither is produced.
 * Spans are sorted by (start, end, kind, mark_id). Returns the count and a
 * new array in *out (caller frees; NULL when 0); labels are borrowed. */
size_t ts_marks_spans(const TsMarkSet *set, const TsMarkFilter *f, const int64_t *data_range,
                      TsMarkSpan **out);

/* ---- statistics of a series over a span ---- */

/* The effective points of a series, by TensorBoard's purge rule: point i
 * is superseded when a later point has a step <= step[i] (a resumed run
 * rewrote that part; a repeated step keeps the last value). Writes keep[i]
 * = 1 for kept points, 0 for superseded, and returns the kept count. The
 * kept points have strictly increasing steps. */
size_t ts_marks_effective(const TsSeries *s, unsigned char *keep);

typedef struct TsSpanStats {
    size_t n_points;      /* finite kept points in the span (used by every statistic) */
    size_t n_nonfinite;   /* kept points in the span whose value is NaN or +-Inf (excluded) */
    size_t n_superseded;  /* points in the span dropped by the purge rule */
    /* First/last kept point in the span, whatever its value; valid when
     * n_points + n_nonfinite > 0. Wall times NaN when not logged. */
    int64_t first_step, last_step;
    double first_wall_time, last_wall_time;
    /* Statistics of the finite kept points; NaN when n_points == 0. */
    int64_t start_value_step, end_value_step; /* steps of start/end value; 0 when none */
    double start_value;   /* value at the first finite point (nearest the span's start) */
    double end_value;     /* value at the last finite point (nearest the span's end) */
    double change;        /* end_value - start_value */
    double mean, min, max;
    double slope;         /* least-squares line value ~ step (per step); NaN when n_points < 2 */
} TsSpanStats;

/* Statistics of s over [start, end] (end_inclusive) or [start, end).
 * keep: from ts_marks_effective() for s, or NULL to compute it here. */
void ts_marks_span_stats(const TsSeries *s, const unsigned char *keep, int64_t start,
                         int64_t end, bool end_inclusive, TsSpanStats *out);

#endif
