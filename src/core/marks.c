/* marks.c - the marks model: a sorted set of point/interval marks with undo,
 * the queries behind the explorer's keys, spans and span statistics.
 * Layer: core (pure; GSL for the statistics). License: MIT. */
#include "trajscope/marks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>

#include "trajscope/xalloc.h"

typedef struct Undo {
    TsMarkOp op;
    uint64_t id;
    TsMark before; /* REMOVE: the removed mark; EDIT: the mark before the edit (owned) */
    bool stale;    /* a merge changed the mark since: undoing would revert someone else's work */
} Undo;

struct TsMarkSet {
    TsMark *marks; /* sorted by (start_step, end_step, id); strings owned */
    size_t n, cap;
    uint64_t next_id;
    uint64_t generation;
    Undo *undo;    /* oldest first */
    size_t n_undo;
};

/* ---- single marks ---- */

static const char *or_default(const char *s, const char *def) { return s ? s : def; }

void ts_mark_init_point(TsMark *m, int64_t step, const char *label) {
    memset(m, 0, sizeof *m);
    m->kind = TS_MARK_POINT;
    m->start_step = m->end_step = step;
    m->label = label;
}

void ts_mark_init_interval(TsMark *m, int64_t start, int64_t end, const char *label) {
    memset(m, 0, sizeof *m);
    m->kind = TS_MARK_INTERVAL;
    m->start_step = start < end ? start : end;
    m->end_step = start < end ? end : start;
    m->label = label;
}

static void normalise_steps(TsMark *m) {
    if (m->kind == TS_MARK_POINT) {
        m->end_step = m->start_step;
    } else if (m->end_step < m->start_step) {
        int64_t t = m->start_step;
        m->start_step = m->end_step;
        m->end_step = t;
    }
}

void ts_mark_copy(TsMark *dst, const TsMark *src) {
    TsMark m = *src;
    m.label = ts_xstrdup(or_default(src->label, ""));
    m.colour = ts_xstrdup(or_default(src->colour, ""));
    m.run = ts_xstrdup(or_default(src->run, "*"));
    m.metric = ts_xstrdup(or_default(src->metric, ""));
    m.source = ts_xstrdup(or_default(src->source, "manual"));
    m.created = ts_xstrdup(or_default(src->created, ""));
    normalise_steps(&m);
    *dst = m;
}

void ts_mark_clear(TsMark *m) {
    if (!m) return;
    free((char *)m->label);
    free((char *)m->colour);
    free((char *)m->run);
    free((char *)m->metric);
    free((char *)m->source);
    free((char *)m->created);
    memset(m, 0, sizeof *m);
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const char *str) {
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (size_t i = 1; i < len; i++) {
            if ((s[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
            return false;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        s += len;
    }
    return true;
}

static bool check_text(const char *name, const char *s, TsErr *err) {
    if (!s) return true;
    if (strlen(s) > TS_MARK_TEXT_MAX) {
        ts_err_set(err, "%s: longer than %d bytes", name, TS_MARK_TEXT_MAX);
        return false;
    }
    if (!utf8_valid(s)) {
        ts_err_set(err, "%s: not valid UTF-8", name);
        return false;
    }
    return true;
}

bool ts_mark_validate(const TsMark *m, TsErr *err) {
    if (m->kind != TS_MARK_POINT && m->kind != TS_MARK_INTERVAL) {
        ts_err_set(err, "kind: must be point or interval");
        return false;
    }
    return check_text("label", m->label, err) && check_text("colour", m->colour, err) &&
           check_text("run", m->run, err) && check_text("metric", m->metric, err) &&
           check_text("source", m->source, err) && check_text("created", m->created, err);
}

const char *ts_mark_kind_name(TsMarkKind kind) {
    return kind == TS_MARK_INTERVAL ? "interval" : "point";
}

bool ts_mark_kind_parse(const char *name, TsMarkKind *out) {
    if (strcmp(name, "point") == 0) *out = TS_MARK_POINT;
    else if (strcmp(name, "interval") == 0) *out = TS_MARK_INTERVAL;
    else return false;
    return true;
}

int ts_mark_format_time(char *buf, size_t cap, int64_t unix_seconds) {
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    if ((int64_t)t != unix_seconds || !gmtime_r(&t, &tm)) return snprintf(buf, cap, "%s", "");
    return snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

bool ts_mark_matches(const TsMark *m, const TsMarkFilter *f) {
    if (!f) return true;
    if (f->run && strcmp(m->run, "*") != 0 && strcmp(m->run, f->run) != 0) return false;
    if (f->metric && m->metric[0] != '\0' && strcmp(m->metric, f->metric) != 0) return false;
    return true;
}

/* ---- the set ---- */

TsMarkSet *ts_marks_new(void) {
    TsMarkSet *set = ts_xcalloc(1, sizeof *set);
    set->next_id = 1;
    return set;
}

static void undo_clear(TsMarkSet *set) {
    for (size_t i = 0; i < set->n_undo; i++) ts_mark_clear(&set->undo[i].before);
    free(set->undo);
    set->undo = NULL;
    set->n_undo = 0;
}

void ts_marks_free(TsMarkSet *set) {
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) ts_mark_clear(&set->marks[i]);
    free(set->marks);
    undo_clear(set);
    free(set);
}

TsMarkSet *ts_marks_clone(const TsMarkSet *set) {
    TsMarkSet *c = ts_marks_new();
    c->next_id = set->next_id;
    c->cap = set->n;
    c->n = set->n;
    c->marks = set->n ? ts_xcalloc(set->n, sizeof *c->marks) : NULL;
    for (size_t i = 0; i < set->n; i++) ts_mark_copy(&c->marks[i], &set->marks[i]);
    return c;
}

size_t ts_marks_count(const TsMarkSet *set) { return set->n; }

const TsMark *ts_marks_at(const TsMarkSet *set, size_t i) {
    return i < set->n ? &set->marks[i] : NULL;
}

long ts_marks_index_of(const TsMarkSet *set, uint64_t id) {
    for (size_t i = 0; i < set->n; i++)
        if (set->marks[i].id == id) return (long)i;
    return -1;
}

const TsMark *ts_marks_get(const TsMarkSet *set, uint64_t id) {
    long i = ts_marks_index_of(set, id);
    return i < 0 ? NULL : &set->marks[i];
}

uint64_t ts_marks_next_id(const TsMarkSet *set) { return set->next_id; }

void ts_marks_reserve_id(TsMarkSet *set, uint64_t next_id) {
    if (next_id > (uint64_t)INT64_MAX) next_id = (uint64_t)INT64_MAX;
    if (next_id > set->next_id) set->next_id = next_id;
}

uint64_t ts_marks_generation(const TsMarkSet *set) { return set->generation; }

static int mark_cmp(const TsMark *a, const TsMark *b) {
    if (a->start_step != b->start_step) return a->start_step < b->start_step ? -1 : 1;
    if (a->end_step != b->end_step) return a->end_step < b->end_step ? -1 : 1;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return 0;
}

/* Inserts an owned mark at its sorted place; returns the index. */
static size_t insert_sorted(TsMarkSet *set, const TsMark *m) {
    if (set->n == set->cap) {
        set->cap = set->cap ? 2 * set->cap : 16;
        set->marks = ts_xreallocarray(set->marks, set->cap, sizeof *set->marks);
    }
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (mark_cmp(&set->marks[mid], m) < 0) lo = mid + 1;
        else hi = mid;
    }
    memmove(&set->marks[lo + 1], &set->marks[lo], (set->n - lo) * sizeof *set->marks);
    set->marks[lo] = *m;
    set->n++;
    return lo;
}

/* Takes the mark at index i out of the array (ownership to *out). */
static void take_at(TsMarkSet *set, size_t i, TsMark *out) {
    *out = set->marks[i];
    memmove(&set->marks[i], &set->marks[i + 1], (set->n - i - 1) * sizeof *set->marks);
    set->n--;
}

/* Pushes an undo record (before: owned, may be zeroed). */
static void undo_push(TsMarkSet *set, TsMarkOp op, uint64_t id, TsMark *before) {
    if (set->n_undo == TS_MARKS_UNDO_MAX) {
        ts_mark_clear(&set->undo[0].before);
        memmove(&set->undo[0], &set->undo[1], (set->n_undo - 1) * sizeof *set->undo);
        set->n_undo--;
    }
    if (!set->undo) set->undo = ts_xcalloc(TS_MARKS_UNDO_MAX, sizeof *set->undo);
    Undo *u = &set->undo[set->n_undo++];
    u->op = op;
    u->id = id;
    u->stale = false;
    if (before) u->before = *before;
    else memset(&u->before, 0, sizeof u->before);
}

uint64_t ts_marks_add(TsMarkSet *set, const TsMark *mark, TsErr *err) {
    if (!ts_mark_validate(mark, err)) return 0;
    if (mark->id != 0 && ts_marks_index_of(set, mark->id) >= 0) {
        ts_err_set(err, "mark id %llu is already in use", (unsigned long long)mark->id);
        return 0;
    }
    /* Ids and the next id must fit a signed 64-bit integer (JSON, HDF5). */
    if (mark->id >= (uint64_t)INT64_MAX || (mark->id == 0 && set->next_id >= (uint64_t)INT64_MAX)) {
        ts_err_set(err, "mark id out of range");
        return 0;
    }
    TsMark m;
    ts_mark_copy(&m, mark);
    if (m.id == 0) m.id = set->next_id;
    if (m.id >= set->next_id) set->next_id = m.id + 1;
    insert_sorted(set, &m);
    set->generation++;
    undo_push(set, TS_MARK_OP_ADD, m.id, NULL);
    return m.id;
}

bool ts_marks_remove(TsMarkSet *set, uint64_t id, TsMark *removed, size_t *index) {
    long i = ts_marks_index_of(set, id);
    if (i < 0) return false;
    TsMark m;
    take_at(set, (size_t)i, &m);
    if (index) *index = (size_t)i;
    if (removed) ts_mark_copy(removed, &m);
    undo_push(set, TS_MARK_OP_REMOVE, id, &m);
    set->generation++;
    return true;
}

/* Replaces mark i with an owned new version, keeping the order sorted;
 * the old version is pushed as an EDIT undo record. */
static void replace_at(TsMarkSet *set, size_t i, TsMark *fresh) {
    TsMark old;
    take_at(set, i, &old);
    insert_sorted(set, fresh);
    undo_push(set, TS_MARK_OP_EDIT, old.id, &old);
    set->generation++;
}

bool ts_marks_set_label(TsMarkSet *set, uint64_t id, const char *label, TsErr *err) {
    long i = ts_marks_index_of(set, id);
    if (i < 0) {
        ts_err_set(err, "no mark with id %llu", (unsigned long long)id);
        return false;
    }
    if (!check_text("label", label, err)) return false;
    TsMark fresh = set->marks[i];
    fresh.label = label ? label : "";
    TsMark copy;
    ts_mark_copy(&copy, &fresh);
    replace_at(set, (size_t)i, &copy);
    return true;
}

bool ts_marks_update(TsMarkSet *set, uint64_t id, const TsMark *fields, TsErr *err) {
    long i = ts_marks_index_of(set, id);
    if (i < 0) {
        ts_err_set(err, "no mark with id %llu", (unsigned long long)id);
        return false;
    }
    if (!ts_mark_validate(fields, err)) return false;
    TsMark copy;
    ts_mark_copy(&copy, fields);
    copy.id = id;
    replace_at(set, (size_t)i, &copy);
    return true;
}

bool ts_marks_undo(TsMarkSet *set, TsMarkChange *undone) {
    if (undone) {
        undone->op = TS_MARK_OP_NONE;
        undone->id = 0;
        undone->applied = false;
    }
    if (set->n_undo == 0) return false;
    Undo u = set->undo[--set->n_undo];
    if (u.stale) {
        ts_mark_clear(&u.before);
        if (undone) {
            undone->op = u.op;
            undone->id = u.id;
        }
        return true;
    }
    long i = ts_marks_index_of(set, u.id);
    bool applied = false;
    switch (u.op) {
    case TS_MARK_OP_ADD:
        if (i >= 0) {
            TsMark m;
            take_at(set, (size_t)i, &m);
            ts_mark_clear(&m);
            applied = true;
        }
        break;
    case TS_MARK_OP_REMOVE:
        if (i < 0) {
            insert_sorted(set, &u.before);
            memset(&u.before, 0, sizeof u.before);
            applied = true;
        }
        break;
    case TS_MARK_OP_EDIT:
        if (i >= 0) {
            TsMark m;
            take_at(set, (size_t)i, &m);
            ts_mark_clear(&m);
            insert_sorted(set, &u.before);
            memset(&u.before, 0, sizeof u.before);
            applied = true;
        }
        break;
    case TS_MARK_OP_NONE:
        break;
    }
    ts_mark_clear(&u.before);
    set->generation++;
    if (undone) {
        undone->op = u.op;
        undone->id = u.id;
        undone->applied = applied;
    }
    return true;
}

size_t ts_marks_undo_depth(const TsMarkSet *set) { return set->n_undo; }

void ts_marks_forget_undo(TsMarkSet *set) { undo_clear(set); }

/* ---- three-way merge ---- */

bool ts_mark_equal(const TsMark *a, const TsMark *b) {
    if (a->kind != b->kind || a->start_step != b->start_step) return false;
    /* A point's end is its start, whatever the field says outside a set. */
    if (a->kind != TS_MARK_POINT && a->end_step != b->end_step) return false;
    return strcmp(or_default(a->label, ""), or_default(b->label, "")) == 0 &&
           strcmp(or_default(a->colour, ""), or_default(b->colour, "")) == 0 &&
           strcmp(or_default(a->run, "*"), or_default(b->run, "*")) == 0 &&
           strcmp(or_default(a->metric, ""), or_default(b->metric, "")) == 0 &&
           strcmp(or_default(a->source, "manual"), or_default(b->source, "manual")) == 0 &&
           strcmp(or_default(a->created, ""), or_default(b->created, "")) == 0;
}

static bool undo_refers(const TsMarkSet *set, uint64_t id) {
    for (size_t k = 0; k < set->n_undo; k++)
        if (set->undo[k].id == id) return true;
    return false;
}

/* The merge changed mark id under the user's feet: their undo records of
 * it would now revert someone else's work. */
static void undo_mark_stale(TsMarkSet *set, uint64_t id) {
    for (size_t k = 0; k < set->n_undo; k++)
        if (set->undo[k].id == id) set->undo[k].stale = true;
}

/* Moves mine's mark (and undo records) from id `from` to `to`; true when a
 * mark moved. */
static bool renumber(TsMarkSet *set, uint64_t from, uint64_t to) {
    for (size_t k = 0; k < set->n_undo; k++) {
        if (set->undo[k].id != from) continue;
        set->undo[k].id = to;
        if (set->undo[k].before.id == from) set->undo[k].before.id = to;
    }
    long i = ts_marks_index_of(set, from);
    if (i < 0) return false;
    TsMark m;
    take_at(set, (size_t)i, &m);
    m.id = to;
    insert_sorted(set, &m);
    return true;
}

static void insert_copy(TsMarkSet *set, const TsMark *src) {
    TsMark m;
    ts_mark_copy(&m, src);
    insert_sorted(set, &m);
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

bool ts_marks_merge(TsMarkSet *mine, const TsMarkSet *base, const TsMarkSet *theirs,
                    TsMarksMergeReport *rep, TsErr *err) {
    TsMarksMergeReport r;
    memset(&r, 0, sizeof r);
    if (rep) *rep = r;
    uint64_t next = max_u64(mine->next_id, theirs->next_id);
    if (base) next = max_u64(next, base->next_id);

    /* Ids theirs added that mine also uses for a mark of its own: mine's
     * move (before anything changes, so a failure leaves mine as it was). */
    uint64_t *clash = NULL;
    size_t n_clash = 0;
    for (size_t i = 0; i < theirs->n; i++) {
        const TsMark *t = &theirs->marks[i];
        if (base && ts_marks_get(base, t->id)) continue;
        const TsMark *m = ts_marks_get(mine, t->id);
        if (m ? ts_mark_equal(m, t) : !undo_refers(mine, t->id)) continue;
        if (!clash) clash = ts_xmalloc(theirs->n * sizeof *clash);
        clash[n_clash++] = t->id;
    }
    if (n_clash > 0 && next > (uint64_t)INT64_MAX - n_clash) {
        free(clash);
        ts_err_set(err, "marks not merged: no free mark id left");
        return false;
    }
    bool touched = false;
    for (size_t k = 0; k < n_clash; k++) {
        uint64_t to = next++;
        if (!renumber(mine, clash[k], to)) continue;
        touched = true;
        if (r.n_renamed < TS_MARKS_MERGE_RENAMED_MAX) {
            r.renamed_from[r.n_renamed] = clash[k];
            r.renamed_to[r.n_renamed++] = to;
        }
        r.renumbered++;
    }
    free(clash);

    /* What theirs added or changed. */
    for (size_t i = 0; i < theirs->n; i++) {
        const TsMark *t = &theirs->marks[i];
        const TsMark *b = base ? ts_marks_get(base, t->id) : NULL;
        long mi = ts_marks_index_of(mine, t->id);
        if (!b) { /* added by theirs (a clash was moved out of the way above) */
            if (mi < 0) {
                insert_copy(mine, t);
                r.added++;
                touched = true;
            }
            continue;
        }
        if (ts_mark_equal(t, b)) continue; /* theirs left it alone */
        if (mi < 0) { /* mine deleted what theirs edited: the edit comes back */
            insert_copy(mine, t);
            undo_mark_stale(mine, t->id);
            r.added++;
            r.conflicts++;
            touched = true;
            continue;
        }
        const TsMark *m = &mine->marks[mi];
        if (ts_mark_equal(m, t)) continue; /* the same edit on both sides */
        if (!ts_mark_equal(m, b)) { /* both edited: mine wins */
            r.conflicts++;
            continue;
        }
        TsMark old;
        take_at(mine, (size_t)mi, &old);
        ts_mark_clear(&old);
        insert_copy(mine, t);
        undo_mark_stale(mine, t->id);
        r.changed++;
        touched = true;
    }

    /* What theirs removed. */
    for (size_t i = 0; base && i < base->n; i++) {
        const TsMark *b = &base->marks[i];
        if (ts_marks_get(theirs, b->id)) continue;
        long mi = ts_marks_index_of(mine, b->id);
        if (mi < 0) continue; /* removed on both sides */
        if (!ts_mark_equal(&mine->marks[mi], b)) { /* mine edited it: kept */
            r.conflicts++;
            continue;
        }
        TsMark old;
        take_at(mine, (size_t)mi, &old);
        ts_mark_clear(&old);
        undo_mark_stale(mine, b->id);
        r.removed++;
        touched = true;
    }

    if (next > mine->next_id) mine->next_id = next;
    if (touched) mine->generation++;
    if (rep) *rep = r;
    return true;
}

uint64_t ts_marks_merge_renamed(const TsMarksMergeReport *rep, uint64_t id) {
    for (size_t k = 0; rep && k < rep->n_renamed; k++)
        if (rep->renamed_from[k] == id) return rep->renamed_to[k];
    return id;
}

/* ---- queries ---- */

long ts_marks_nearest(const TsMarkSet *set, double step, const TsMarkFilter *f) {
    long best = -1;
    double best_d = INFINITY;
    for (size_t i = 0; i < set->n; i++) {
        const TsMark *m = &set->marks[i];
        if (!ts_mark_matches(m, f)) continue;
        double d1 = fabs((double)m->start_step - step);
        double d2 = fabs((double)m->end_step - step);
        double d = d1 < d2 ? d1 : d2;
        if (best < 0 || d < best_d) {
            best = (long)i;
            best_d = d;
        }
    }
    return best;
}

/* Shared by next/prev: dir +1 = smallest edge > step, -1 = largest edge < step. */
static long edge_search(const TsMarkSet *set, double step, const TsMarkFilter *f, int dir,
                        int64_t *at) {
    long best = -1;
    int64_t best_edge = 0;
    for (size_t i = 0; i < set->n; i++) {
        const TsMark *m = &set->marks[i];
        if (!ts_mark_matches(m, f)) continue;
        int64_t edges[2] = {m->start_step, m->end_step};
        for (int e = 0; e < 2; e++) {
            double x = (double)edges[e];
            bool beyond = dir > 0 ? x > step : x < step;
            if (!beyond) continue;
            bool better = best < 0 || (dir > 0 ? edges[e] < best_edge : edges[e] > best_edge);
            if (better) {
                best = (long)i;
                best_edge = edges[e];
            }
        }
    }
    if (best >= 0 && at) *at = best_edge;
    return best;
}

long ts_marks_next(const TsMarkSet *set, double step, const TsMarkFilter *f, int64_t *at) {
    return edge_search(set, step, f, +1, at);
}

long ts_marks_prev(const TsMarkSet *set, double step, const TsMarkFilter *f, int64_t *at) {
    return edge_search(set, step, f, -1, at);
}

long ts_marks_interval_at(const TsMarkSet *set, double step, const TsMarkFilter *f) {
    long best = -1;
    int64_t best_w = 0;
    for (size_t i = 0; i < set->n; i++) {
        const TsMark *m = &set->marks[i];
        if (m->kind != TS_MARK_INTERVAL || !ts_mark_matches(m, f)) continue;
        if (step < (double)m->start_step || step > (double)m->end_step) continue;
        int64_t w = m->end_step - m->start_step;
        if (best < 0 || w <= best_w) {
            best = (long)i;
            best_w = w;
        }
    }
    return best;
}

/* ---- spans ---- */

const char *ts_span_kind_name(TsSpanKind kind) {
    switch (kind) {
    case TS_SPAN_INTERVAL: return "interval";
    case TS_SPAN_PHASE: return "phase";
    case TS_SPAN_LEAD: return "lead";
    }
    return "?";
}

static int span_cmp(const void *pa, const void *pb) {
    const TsMarkSpan *a = pa, *b = pb;
    if (a->start_step != b->start_step) return a->start_step < b->start_step ? -1 : 1;
    if (a->end_step != b->end_step) return a->end_step < b->end_step ? -1 : 1;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->mark_id != b->mark_id) return a->mark_id < b->mark_id ? -1 : 1;
    return 0;
}

size_t ts_marks_spans(const TsMarkSet *set, const TsMarkFilter *f, const int64_t *data_range,
                      TsMarkSpan **out) {
    /* At most: every interval, one phase per point, one lead. */
    TsMarkSpan *sp = ts_xcalloc(set->n + 1, sizeof *sp);
    size_t n = 0;
    const TsMark *first_pt = NULL, *prev_pt = NULL;
    for (size_t i = 0; i < set->n; i++) {
        const TsMark *m = &set->marks[i];
        if (!ts_mark_matches(m, f)) continue;
        if (m->kind == TS_MARK_INTERVAL) {
            sp[n++] = (TsMarkSpan){TS_SPAN_INTERVAL, m->id, 0, m->label, m->start_step, m->end_step, true};
            continue;
        }
        /* Points arrive sorted by step; one at the same step as the previous is folded in. */
        if (prev_pt && prev_pt->start_step == m->start_step) continue;
        if (prev_pt)
            sp[n++] = (TsMarkSpan){TS_SPAN_PHASE, prev_pt->id, m->id, prev_pt->label,
                                   prev_pt->start_step, m->start_step, false};
        else first_pt = m;
        prev_pt = m;
    }
    if (data_range && prev_pt) {
        int64_t lo = data_range[0], hi = data_range[1];
        int64_t end = hi > prev_pt->start_step ? hi : prev_pt->start_step;
        sp[n++] = (TsMarkSpan){TS_SPAN_PHASE, prev_pt->id, 0, prev_pt->label,
                               prev_pt->start_step, end, true};
        if (lo < first_pt->start_step)
            sp[n++] = (TsMarkSpan){TS_SPAN_LEAD, 0, first_pt->id, "", lo, first_pt->start_step, false};
    }
    if (n == 0) {
        free(sp);
        *out = NULL;
        return 0;
    }
    qsort(sp, n, sizeof *sp, span_cmp);
    *out = sp;
    return n;
}

/* ---- statistics ---- */

size_t ts_marks_effective(const TsSeries *s, unsigned char *keep) {
    size_t kept = 0;
    bool have_later = false;
    int64_t later_min = 0; /* smallest step among points after i */
    for (size_t k = s->n; k-- > 0;) {
        bool ok = !have_later || s->step[k] < later_min;
        keep[k] = ok ? 1 : 0;
        kept += ok;
        if (!have_later || s->step[k] < later_min) later_min = s->step[k];
        have_later = true;
    }
    return kept;
}

void ts_marks_span_stats(const TsSeries *s, const unsigned char *keep, int64_t start,
                         int64_t end, bool end_inclusive, TsSpanStats *out) {
    memset(out, 0, sizeof *out);
    out->first_wall_time = out->last_wall_time = NAN;
    out->start_value = out->end_value = out->change = NAN;
    out->mean = out->min = out->max = out->slope = NAN;
    unsigned char *own = NULL;
    if (!keep && s->n) {
        own = ts_xmalloc(s->n);
        ts_marks_effective(s, own);
        keep = own;
    }
    double *x = s->n ? ts_xmalloc(s->n * sizeof *x) : NULL;
    double *y = s->n ? ts_xmalloc(s->n * sizeof *y) : NULL;
    size_t m = 0;
    bool any = false;
    for (size_t i = 0; i < s->n; i++) {
        int64_t st = s->step[i];
        if (st < start || (end_inclusive ? st > end : st >= end)) continue;
        if (!keep[i]) {
            out->n_superseded++;
            continue;
        }
        /* Kept points have strictly increasing steps: the first seen is the first. */
        double wall = s->wall_time ? s->wall_time[i] : NAN;
        if (!any) {
            out->first_step = st;
            out->first_wall_time = wall;
            any = true;
        }
        out->last_step = st;
        out->last_wall_time = wall;
        double v = s->value[i];
        if (!isfinite(v)) {
            out->n_nonfinite++;
            continue;
        }
        x[m] = (double)st;
        y[m] = v;
        if (m == 0) out->start_value_step = st;
        out->end_value_step = st;
        m++;
    }
    out->n_points = m;
    if (m > 0) {
        out->start_value = y[0];
        out->end_value = y[m - 1];
        out->change = out->end_value - out->start_value;
        out->mean = gsl_stats_mean(y, 1, m);
        gsl_stats_minmax(&out->min, &out->max, y, 1, m);
    }
    if (m >= 2) {
        double c0, c1, cov00, cov01, cov11, sumsq;
        gsl_fit_linear(x, 1, y, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
        out->slope = c1;
    }
    free(x);
    free(y);
    free(own);
}
