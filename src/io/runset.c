/* runset.c - filter expressions, sorting and seed groups over many runs
 * (pure: they read only the arrays given), and the run index that opens them.
 * Layer: io (only the index section touches files, through ts_run_open). License: MIT. */
#include "trajscope/runset.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/natcmp.h"
#include "trajscope/xalloc.h"

/* ---- filter ---- */

typedef enum TermOp { OP_WORD = 0, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } TermOp;

typedef struct Term {
    TermOp op;
    char *key;    /* NULL for a word */
    char *value;  /* the word, or the value */
    bool is_num;  /* value is a number */
    double num;
} Term;

struct TsFilter {
    Term *terms;
    size_t n;
};

/* A number in decimal notation ("3", "-0.5", "1e-3", "1E+05"): all of s,
 * finite; no hex, inf or nan. */
static bool parse_number(const char *s, double *out) {
    if (!s || !*s) return false;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && !strchr("+-.eE", *p)) return false;
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v)) return false;
    *out = v;
    return true;
}

static bool is_op_char(char c) { return c == '=' || c == '!' || c == '<' || c == '>'; }

static void filter_add(TsFilter *f, const Term *t) {
    f->terms = ts_xreallocarray(f->terms, f->n + 1, sizeof *f->terms);
    f->terms[f->n++] = *t;
}

static void term_free(Term *t) {
    free(t->key);
    free(t->value);
}

void ts_filter_free(TsFilter *f) {
    if (!f) return;
    for (size_t i = 0; i < f->n; i++) term_free(&f->terms[i]);
    free(f->terms);
    free(f);
}

size_t ts_filter_term_count(const TsFilter *f) { return f ? f->n : 0; }

/* Reads a quoted string starting at *p (on the opening quote) up to end;
 * returns the unescaped text, or NULL when the quote is not closed. */
static char *read_quoted(const char **p, const char *end) {
    const char *s = *p + 1;
    char *out = ts_xmalloc((size_t)(end - s) + 1);
    size_t k = 0;
    while (s < end && *s != '"') {
        if (*s == '\\' && s + 1 < end && (s[1] == '"' || s[1] == '\\')) s++;
        out[k++] = *s++;
    }
    if (s >= end) {
        free(out);
        return NULL;
    }
    out[k] = '\0';
    *p = s + 1;
    return out;
}

/* Parses the term [start, end); false with err naming it. */
static bool parse_term(const char *start, const char *end, Term *t, TsErr *err) {
    int len = (int)(end - start);
    memset(t, 0, sizeof *t);
    const char *p = start;
    const char *why = NULL;
    if (*p == '"') {
        char *word = read_quoted(&p, end);
        if (!word) why = "unterminated quote";
        else if (p != end) {
            free(word);
            why = "text after the closing quote";
        } else {
            t->op = OP_WORD;
            t->value = word;
            return true;
        }
    } else {
        const char *k = p;
        while (p < end && !is_op_char(*p) && *p != '"') p++;
        if (p < end && *p == '"') {
            why = "a quote inside a key or word";
        } else if (p == end) {
            t->op = OP_WORD;
            t->value = ts_xstrndup(k, (size_t)(end - k));
            return true;
        } else if (p == k) {
            why = "missing key before the operator";
        } else {
            t->key = ts_xstrndup(k, (size_t)(p - k));
            if (p[0] == '!' && p + 1 < end && p[1] == '=') t->op = OP_NE, p += 2;
            else if (p[0] == '<' && p + 1 < end && p[1] == '=') t->op = OP_LE, p += 2;
            else if (p[0] == '>' && p + 1 < end && p[1] == '=') t->op = OP_GE, p += 2;
            else if (p[0] == '=' && p + 1 < end && p[1] == '=') t->op = OP_EQ, p += 2;
            else if (p[0] == '<') t->op = OP_LT, p += 1;
            else if (p[0] == '>') t->op = OP_GT, p += 1;
            else if (p[0] == '=') t->op = OP_EQ, p += 1;
            else why = "'!' must be followed by '='";
            if (!why) {
                if (p == end) {
                    why = "missing value";
                } else if (*p == '"') {
                    t->value = read_quoted(&p, end);
                    if (!t->value) why = "unterminated quote";
                    else if (p != end) why = "text after the closing quote";
                } else if (is_op_char(*p)) {
                    why = "the value starts with an operator";
                } else {
                    const char *v = p;
                    for (; p < end && !why; p++) {
                        if (*p == '"') why = "a quote inside the value (quote the whole value)";
                        else if (*p == '=' || *p == '<' || *p == '>')
                            why = "a second operator in the term (quote the value)";
                    }
                    if (!why) t->value = ts_xstrndup(v, (size_t)(end - v));
                }
            }
            if (!why) {
                t->is_num = parse_number(t->value, &t->num);
                if (t->op >= OP_LT && !t->is_num) why = "'<', '<=', '>', '>=' need a number";
            }
        }
    }
    if (why) {
        term_free(t);
        memset(t, 0, sizeof *t);
        ts_err_set(err, "bad filter term '%.*s': %s", len, start, why);
        return false;
    }
    return true;
}

TsFilter *ts_filter_parse(const char *query, TsErr *err) {
    TsFilter *f = ts_xcalloc(1, sizeof *f);
    const char *p = query ? query : "";
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) break;
        /* the term ends at whitespace outside quotes */
        const char *start = p;
        bool quoted = false;
        while (*p && (quoted || !isspace((unsigned char)*p))) {
            if (quoted && *p == '\\' && (p[1] == '"' || p[1] == '\\')) p++;
            else if (*p == '"') quoted = !quoted;
            p++;
        }
        Term t;
        if (!parse_term(start, p, &t, err)) {
            ts_filter_free(f);
            return NULL;
        }
        filter_add(f, &t);
    }
    return f;
}

/* The entry's number: the stored number, or its text when that is one. */
static bool entry_number(const TsConfigEntry *e, double *v) {
    if (e->is_number) {
        *v = e->number;
        return true;
    }
    return parse_number(e->text, v);
}

/* q (typed) equals c (stored). A stored value that is exactly a float32
 * (and not an integer) equals the decimals it was rounded from. */
static bool num_eq(double q, double c) {
    if (q == c) return true;
    if (c == floor(c) || !isfinite(c)) return false;
    float cf = (float)c;
    return (double)cf == c && (float)q == cf;
}

static bool term_holds(const Term *t, const char *name, const TsConfigEntry *config, size_t n_config) {
    if (t->op == OP_WORD) return ts_contains_fold(name ? name : "", t->value);
    const TsConfigEntry *e = NULL;
    for (size_t i = 0; i < n_config && !e; i++)
        if (config[i].key && strcmp(config[i].key, t->key) == 0) e = &config[i];
    if (!e) return false;
    double v = 0.0;
    bool num = entry_number(e, &v);
    switch (t->op) {
    case OP_EQ:
    case OP_NE: {
        bool eq = (t->is_num && num && num_eq(t->num, v)) ||
                  (e->text && strcmp(e->text, t->value) == 0);
        return t->op == OP_EQ ? eq : !eq;
    }
    case OP_LT: return num && v < t->num;
    case OP_LE: return num && v <= t->num;
    case OP_GT: return num && v > t->num;
    case OP_GE: return num && v >= t->num;
    default: return false;
    }
}

bool ts_filter_match(const TsFilter *f, const char *run_name, const TsConfigEntry *config,
                     size_t n_config) {
    if (!f) return true;
    if (!config) n_config = 0;
    for (size_t i = 0; i < f->n; i++)
        if (!term_holds(&f->terms[i], run_name, config, n_config)) return false;
    return true;
}

size_t ts_filter_select(const TsFilter *f, const TsRunDesc *runs, size_t n, size_t *keep) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (ts_filter_match(f, runs[i].name, runs[i].config, runs[i].n_config)) keep[k++] = i;
    return k;
}

/* ---- sorting ---- */

int ts_runset_natural_cmp(const char *a, const char *b) {
    return ts_natural_cmp_fold(a, b);
}

static const char *const sort_names[TS_RUNSORT_COUNT] = {"name", "last", "best", "steps"};

const char *ts_runset_sort_name(TsRunSortBy by) {
    return (unsigned)by < TS_RUNSORT_COUNT ? sort_names[by] : NULL;
}

TsRunSortBy ts_runset_sort_from_name(const char *name) {
    for (int i = 0; name && i < TS_RUNSORT_COUNT; i++)
        if (strcmp(name, sort_names[i]) == 0) return (TsRunSortBy)i;
    return TS_RUNSORT_COUNT;
}

void ts_runset_sort_key(TsRunSortKey *key, const char *name, const TsSeriesStats *st) {
    memset(key, 0, sizeof *key);
    key->name = name;
    key->last = key->min = key->max = NAN;
    if (!st || st->n == 0) return;
    key->has_data = true;
    key->last = st->last;
    key->min = st->vmin;
    key->max = st->vmax;
    key->step_max = st->step_max;
}

typedef struct SortItem {
    double v;
    bool has;
    const char *name;
    size_t idx;
} SortItem;

static int cmp_num(const void *a, const void *b) {
    const SortItem *x = a, *y = b;
    if (x->has != y->has) return x->has ? -1 : 1;
    if (x->has && x->v != y->v) return x->v < y->v ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_name_asc(const void *a, const void *b) {
    const SortItem *x = a, *y = b;
    int c = ts_runset_natural_cmp(x->name, y->name);
    return c ? c : (x->idx < y->idx ? -1 : x->idx > y->idx);
}

static int cmp_name_desc(const void *a, const void *b) {
    const SortItem *x = a, *y = b;
    int c = ts_runset_natural_cmp(y->name, x->name);
    return c ? c : (x->idx < y->idx ? -1 : x->idx > y->idx);
}

void ts_runset_sort(const TsRunSortKey *keys, size_t n, TsRunSortBy by, bool lower_is_better,
                    bool descending, size_t *order) {
    if (n == 0) return;
    SortItem *it = ts_xmalloc(n * sizeof *it);
    for (size_t i = 0; i < n; i++) {
        const TsRunSortKey *k = &keys[i];
        double v = NAN;
        switch (by) {
        case TS_RUNSORT_LAST: v = k->last; break;
        case TS_RUNSORT_BEST: v = lower_is_better ? k->min : -k->max; break;
        case TS_RUNSORT_STEPS: v = k->has_data ? (double)k->step_max : NAN; break;
        default: break;
        }
        it[i] = (SortItem){.v = descending ? -v : v, .has = k->has_data && isfinite(v),
                           .name = k->name, .idx = i};
    }
    int (*cmp)(const void *, const void *) = cmp_num;
    if (by == TS_RUNSORT_NAME || (unsigned)by >= TS_RUNSORT_COUNT) cmp = descending ? cmp_name_desc : cmp_name_asc;
    qsort(it, n, sizeof *it, cmp);
    for (size_t i = 0; i < n; i++) order[i] = it[i].idx;
    free(it);
}

/* ---- seed groups ---- */

typedef struct Sig {
    char *bytes;
    size_t len;
    size_t idx;
    const char *seed_key; /* NULL: no seed key */
} Sig;

static int cmp_entry_ptr(const void *a, const void *b) {
    const TsConfigEntry *x = *(const TsConfigEntry *const *)a, *y = *(const TsConfigEntry *const *)b;
    return strcmp(x->key, y->key);
}

static void sig_put(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
    if (*len + n > *cap) {
        *cap = (*len + n) * 2;
        *buf = ts_xreallocarray(*buf, *cap, 1);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
}

static const char *find_seed_key(const TsRunDesc *r, const char *seed_key) {
    static const char *const defaults[] = TS_RUNSET_SEED_KEYS;
    size_t nd = seed_key ? 1 : sizeof defaults / sizeof defaults[0];
    for (size_t d = 0; d < nd; d++) {
        const char *want = seed_key ? seed_key : defaults[d];
        for (size_t i = 0; i < r->n_config; i++)
            if (r->config[i].key && strcmp(r->config[i].key, want) == 0)
                return seed_key ? seed_key : r->config[i].key;
    }
    return NULL;
}

/* The run's signature: seed key, then every entry sorted by key as
 * key NUL type value NUL, the seed's value left out; numbers as %.17g. */
static void make_sig(const TsRunDesc *r, const char *sk, Sig *out) {
    size_t len = 0, cap = 64;
    char *buf = ts_xmalloc(cap);
    sig_put(&buf, &len, &cap, sk, strlen(sk) + 1);
    const TsConfigEntry **e = ts_xmalloc((r->n_config ? r->n_config : 1) * sizeof *e);
    size_t m = 0;
    for (size_t i = 0; i < r->n_config; i++)
        if (r->config[i].key) e[m++] = &r->config[i];
    qsort(e, m, sizeof *e, cmp_entry_ptr);
    for (size_t i = 0; i < m; i++) {
        sig_put(&buf, &len, &cap, e[i]->key, strlen(e[i]->key) + 1);
        double v;
        if (strcmp(e[i]->key, sk) == 0) {
            sig_put(&buf, &len, &cap, "S", 2);
        } else if (entry_number(e[i], &v)) {
            char num[40];
            int k = snprintf(num, sizeof num, "n%.17g", v == 0.0 ? 0.0 : v);
            sig_put(&buf, &len, &cap, num, (size_t)k + 1);
        } else {
            const char *t = e[i]->text ? e[i]->text : "";
            sig_put(&buf, &len, &cap, "t", 1);
            sig_put(&buf, &len, &cap, t, strlen(t) + 1);
        }
    }
    free(e);
    out->bytes = buf;
    out->len = len;
}

static int cmp_sig(const void *a, const void *b) {
    const Sig *x = a, *y = b;
    /* runs without a seed key sort by index only (each is its own group) */
    if (!x->seed_key || !y->seed_key) {
        if (!x->seed_key != !y->seed_key) return x->seed_key ? -1 : 1;
        return x->idx < y->idx ? -1 : x->idx > y->idx;
    }
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->bytes, y->bytes, n);
    if (c) return c;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool sig_equal(const Sig *x, const Sig *y) {
    return x->seed_key && y->seed_key && x->len == y->len && memcmp(x->bytes, y->bytes, x->len) == 0;
}

static int cmp_group_first(const void *a, const void *b) {
    const TsSeedGroup *x = a, *y = b;
    return x->runs[0] < y->runs[0] ? -1 : x->runs[0] > y->runs[0];
}

void ts_runset_group_seeds(const TsRunDesc *runs, size_t n, const char *seed_key,
                           TsSeedGroups *out) {
    memset(out, 0, sizeof *out);
    if (n == 0) return;
    if (seed_key && !*seed_key) seed_key = NULL;
    Sig *sig = ts_xcalloc(n, sizeof *sig);
    for (size_t i = 0; i < n; i++) {
        sig[i].idx = i;
        sig[i].seed_key = find_seed_key(&runs[i], seed_key);
        if (sig[i].seed_key) make_sig(&runs[i], sig[i].seed_key, &sig[i]);
    }
    qsort(sig, n, sizeof *sig, cmp_sig);
    out->items = ts_xcalloc(n, sizeof *out->items);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && sig_equal(&sig[i], &sig[j])) j++;
        TsSeedGroup *g = &out->items[out->n++];
        g->n_runs = j - i;
        g->runs = ts_xmalloc(g->n_runs * sizeof *g->runs);
        for (size_t k = i; k < j; k++) g->runs[k - i] = sig[k].idx; /* ascending: idx breaks ties */
        g->seed_key = sig[i].seed_key;
        const TsRunDesc *first = &runs[g->runs[0]];
        g->shared = ts_xmalloc((first->n_config ? first->n_config : 1) * sizeof *g->shared);
        for (size_t k = 0; k < first->n_config; k++) {
            const TsConfigEntry *e = &first->config[k];
            if (g->seed_key && e->key && strcmp(e->key, g->seed_key) == 0) continue;
            g->shared[g->n_shared++] = *e;
        }
        i = j;
    }
    qsort(out->items, out->n, sizeof *out->items, cmp_group_first);
    for (size_t i = 0; i < n; i++) free(sig[i].bytes);
    free(sig);
}

void ts_runset_groups_free(TsSeedGroups *g) {
    if (!g) return;
    for (size_t i = 0; i < g->n; i++) {
        free(g->items[i].runs);
        free(g->items[i].shared);
    }
    free(g->items);
    memset(g, 0, sizeof *g);
}

/* ---- the run index ---- */

typedef struct RunItem {
    char *path, *name;
    TsRunState state;
    TsRun *run;            /* open, or NULL */
    char *error;
    TsConfigEntry *config; /* deep copies */
    size_t n_config;
    TsMetricInfo *metrics; /* deep copies */
    size_t n_metrics;
} RunItem;

struct TsRunSet {
    RunItem *items;
    size_t n;
    size_t next; /* first index that may still be pending */
    bool keep_open;
    size_t n_open;
};

TsRunSet *ts_runset_new(const TsSourceList *sources, bool keep_open) {
    TsRunSet *set = ts_xcalloc(1, sizeof *set);
    size_t n = sources ? sources->n : 0;
    set->items = ts_xcalloc(n ? n : 1, sizeof *set->items);
    for (size_t i = 0; i < n; i++) {
        const TsSource *src = &sources->items[i];
        set->items[i].path = ts_xstrdup(src->path);
        set->items[i].name = ts_xstrdup(src->name ? src->name : src->path);
    }
    set->n = n;
    set->keep_open = keep_open;
    return set;
}

static char *dup_or_null(const char *s) { return s ? ts_xstrdup(s) : NULL; }

static void snapshot(RunItem *it, const TsRun *run) {
    it->n_config = ts_run_config_count(run);
    it->config = ts_xcalloc(it->n_config ? it->n_config : 1, sizeof *it->config);
    for (size_t k = 0; k < it->n_config; k++) {
        const TsConfigEntry *e = ts_run_config(run, k);
        it->config[k] = (TsConfigEntry){.key = dup_or_null(e->key), .text = dup_or_null(e->text),
                                        .is_number = e->is_number, .number = e->number};
    }
    it->n_metrics = ts_run_metric_count(run);
    it->metrics = ts_xcalloc(it->n_metrics ? it->n_metrics : 1, sizeof *it->metrics);
    for (size_t k = 0; k < it->n_metrics; k++) {
        const TsMetricInfo *m = ts_run_metric(run, k);
        it->metrics[k] = (TsMetricInfo){.name = dup_or_null(m->name), .stream = dup_or_null(m->stream),
                                        .metric = dup_or_null(m->metric), .length = m->length,
                                        .has_step = m->has_step, .has_wall_time = m->has_wall_time,
                                        .dtype = dup_or_null(m->dtype)};
    }
    it->state = TS_RUNSTATE_READY;
}

static void item_fini(RunItem *it) {
    if (it->run) ts_run_free(it->run);
    for (size_t k = 0; k < it->n_config; k++) {
        free((char *)it->config[k].key);
        free((char *)it->config[k].text);
    }
    for (size_t k = 0; k < it->n_metrics; k++) {
        free((char *)it->metrics[k].name);
        free((char *)it->metrics[k].stream);
        free((char *)it->metrics[k].metric);
        free((char *)it->metrics[k].dtype);
    }
    free(it->config);
    free(it->metrics);
    free(it->path);
    free(it->name);
    free(it->error);
}

void ts_runset_free(TsRunSet *set) {
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) item_fini(&set->items[i]);
    free(set->items);
    free(set);
}

size_t ts_runset_count(const TsRunSet *set) { return set ? set->n : 0; }

/* Opens item i; on the first success takes the snapshot. */
static TsRun *open_item(TsRunSet *set, RunItem *it, TsErr *err) {
    if (it->run) return it->run;
    if (it->state == TS_RUNSTATE_FAILED) {
        ts_err_set(err, "%s", it->error);
        return NULL;
    }
    TsErr e;
    ts_err_clear(&e);
    TsRun *run = ts_run_open(it->path, &e);
    if (!run) {
        if (it->state == TS_RUNSTATE_PENDING) {
            it->state = TS_RUNSTATE_FAILED;
            it->error = ts_xstrdup(e.msg[0] ? e.msg : "cannot be opened");
        }
        ts_err_set(err, "%s", e.msg[0] ? e.msg : "cannot be opened");
        return NULL;
    }
    if (it->state == TS_RUNSTATE_PENDING) snapshot(it, run);
    it->run = run;
    set->n_open++;
    return run;
}

size_t ts_runset_open_some(TsRunSet *set, size_t max) {
    size_t done = 0;
    while (set->next < set->n && (max == 0 || done < max)) {
        RunItem *it = &set->items[set->next++];
        if (it->state != TS_RUNSTATE_PENDING) continue;
        done++;
        if (open_item(set, it, NULL) && !set->keep_open) {
            ts_run_free(it->run);
            it->run = NULL;
            set->n_open--;
        }
    }
    return set->n - set->next;
}

static const RunItem *item(const TsRunSet *set, size_t i) {
    return set && i < set->n ? &set->items[i] : NULL;
}

TsRunState ts_runset_state(const TsRunSet *set, size_t i) {
    const RunItem *it = item(set, i);
    return it ? it->state : TS_RUNSTATE_FAILED;
}

const char *ts_runset_name(const TsRunSet *set, size_t i) {
    const RunItem *it = item(set, i);
    return it ? it->name : NULL;
}

const char *ts_runset_path(const TsRunSet *set, size_t i) {
    const RunItem *it = item(set, i);
    return it ? it->path : NULL;
}

const char *ts_runset_error(const TsRunSet *set, size_t i) {
    const RunItem *it = item(set, i);
    return it && it->error ? it->error : "";
}

TsRunDesc ts_runset_desc(const TsRunSet *set, size_t i) {
    const RunItem *it = item(set, i);
    if (!it) return (TsRunDesc){.name = "", .config = NULL, .n_config = 0};
    return (TsRunDesc){.name = it->name, .config = it->config, .n_config = it->n_config};
}

size_t ts_runset_metric_count(const TsRunSet *set, size_t i) {
    const RunItem *it = item(set, i);
    return it ? it->n_metrics : 0;
}

const TsMetricInfo *ts_runset_metric(const TsRunSet *set, size_t i, size_t k) {
    const RunItem *it = item(set, i);
    return it && k < it->n_metrics ? &it->metrics[k] : NULL;
}

long ts_runset_find_metric(const TsRunSet *set, size_t i, const char *name) {
    const RunItem *it = item(set, i);
    for (size_t k = 0; it && name && k < it->n_metrics; k++)
        if (strcmp(it->metrics[k].name, name) == 0) return (long)k;
    return -1;
}

TsRun *ts_runset_acquire(TsRunSet *set, size_t i, TsErr *err) {
    if (!set || i >= set->n) {
        ts_err_set(err, "run index %zu out of range", i);
        return NULL;
    }
    return open_item(set, &set->items[i], err);
}

TsRun *ts_runset_run(const TsRunSet *set, size_t i) {
    const RunItem *it = item(set, i);
    return it ? it->run : NULL;
}

void ts_runset_release(TsRunSet *set, size_t i) {
    if (!set || i >= set->n || !set->items[i].run) return;
    ts_run_free(set->items[i].run);
    set->items[i].run = NULL;
    set->n_open--;
}

size_t ts_runset_open_count(const TsRunSet *set) { return set ? set->n_open : 0; }
