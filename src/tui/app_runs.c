/* app_runs.c - the explorer's run set: opening many runs through the run
 * index, run selection, the run filter and sort, the run list's keys and
 * prompts, sparkline summaries and live markers.
 * Layer: tui (no curses). License: MIT. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trajscope/sanitize.h"
#include "trajscope/source.h"
#include "trajscope/xalloc.h"
#include "tui/app_compare.h"
#include "tui/app_priv.h"
#include "tui/app_runs.h"

/* Sparklines computed per frame in a terminal (the rest next frames). */
#define SUMMARIES_PER_FRAME 8

/* ---- metric names: a small hash of name -> id ---- */

typedef struct NameMap {
    size_t *slot; /* name id + 1, 0 = empty */
    size_t cap;   /* power of two */
} NameMap;

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* Id of name, added when new. */
static size_t name_id(AppRuns *rs, NameMap *m, const char *name) {
    if ((rs->n_names + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        size_t *slot = ts_xcalloc(cap, sizeof *slot);
        for (size_t k = 0; k < rs->n_names; k++) {
            size_t i = (size_t)hash_str(rs->names[k]) & (cap - 1);
            while (slot[i]) i = (i + 1) & (cap - 1);
            slot[i] = k + 1;
        }
        free(m->slot);
        m->slot = slot;
        m->cap = cap;
    }
    size_t i = (size_t)hash_str(name) & (m->cap - 1);
    while (m->slot[i]) {
        if (strcmp(rs->names[m->slot[i] - 1], name) == 0) return m->slot[i] - 1;
        i = (i + 1) & (m->cap - 1);
    }
    rs->names = ts_xreallocarray(rs->names, rs->n_names + 1, sizeof *rs->names);
    rs->names[rs->n_names] = ts_xstrdup(name);
    m->slot[i] = ++rs->n_names;
    return rs->n_names - 1;
}

/* ---- lifetime ---- */

/* Frees everything derived from the run index (the tracks too when
 * with_tracks: ts_app_free frees them itself). */
static void runs_clear(TsApp *app, bool with_tracks) {
    AppRuns *rs = app->rs;
    app_cmp_reset(app);
    if (with_tracks) {
        for (size_t i = 0; i < app->n_tracks; i++) app_track_fini(&app->tracks[i]);
        free(app->tracks);
        app->tracks = NULL;
        app->n_tracks = 0;
    }
    for (size_t r = 0; r < app->n_runs; r++) free(app->run_names[r]);
    free(app->runs);
    free(app->run_names);
    free(app->run_t0);
    app->runs = NULL;
    app->run_names = NULL;
    app->run_t0 = NULL;
    app->n_runs = 0;
    app->pinned = false;
    app->have_cursor = false;
    if (!rs) return;
    ts_runset_free(rs->set);
    rs->set = NULL;
    free(rs->runs);
    rs->runs = NULL;
    for (size_t k = 0; k < rs->n_names; k++) free(rs->names[k]);
    free(rs->names);
    free(rs->track_name);
    free(rs->rep);
    free(rs->want);
    free(rs->rows);
    rs->names = NULL;
    rs->n_names = 0;
    rs->track_name = rs->rep = rs->rows = NULL;
    rs->want = NULL;
    rs->n_rows = rs->cur = rs->top = 0;
}

void app_runs_free(TsApp *app) {
    runs_clear(app, false);
    AppRuns *rs = app->rs;
    if (!rs) return;
    ts_source_list_free(&rs->sources);
    ts_filter_free(rs->filter);
    free(rs);
    app->rs = NULL;
}

TsRun *app_runs_acquire(TsApp *app, size_t r, TsErr *err) {
    if (r >= app->n_runs) {
        ts_err_set(err, "run %zu out of range", r);
        return NULL;
    }
    if (app->runs[r]) return app->runs[r];
    if (!app->rs || !app->rs->set) {
        ts_err_set(err, "%s: not open", app->run_names[r]);
        return NULL;
    }
    app->runs[r] = ts_runset_acquire(app->rs->set, app->rs->runs[r].set_index, err);
    return app->runs[r];
}

/* Closes run r's file (its loaded curves stay). */
static void release(TsApp *app, size_t r) {
    if (!app->runs[r] || !app->rs) return;
    ts_runset_release(app->rs->set, app->rs->runs[r].set_index);
    app->runs[r] = NULL;
}

static void sources_take(TsSourceList *dst, TsSourceList *src) {
    if (src->n == 0) return;
    dst->items = ts_xreallocarray(dst->items, dst->n + src->n, sizeof *dst->items);
    memcpy(dst->items + dst->n, src->items, src->n * sizeof *src->items);
    dst->n += src->n;
    free(src->items);
    src->items = NULL;
    src->n = 0;
}

static void note_failure(size_t *n_failed, TsErr *first_err, const char *msg) {
    if (*n_failed == 0) ts_err_set(first_err, "%s", msg);
    (*n_failed)++;
}

static void stat_run(AppRun *ar, const char *path, bool *grew) {
    struct stat st;
    *grew = false;
    if (!path || stat(path, &st) != 0) return;
    int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (ar->stat_known && (st.st_size != ar->size || mt != ar->mtime_ns)) *grew = true;
    ar->stat_known = true;
    ar->size = st.st_size;
    ar->mtime_ns = mt;
}

static void rebuild_rows(TsApp *app);

size_t app_runs_open(TsApp *app, char *const *paths, size_t n_paths, size_t *n_failed, TsErr *first_err) {
    *n_failed = 0;
    ts_err_clear(first_err);
    if (!app->rs) {
        app->rs = ts_xcalloc(1, sizeof *app->rs);
        app->rs->sort = TS_RUNSORT_NAME;
    }
    AppRuns *rs = app->rs;
    size_t before_sources = rs->sources.n, before_runs = app->n_runs;
    for (size_t i = 0; i < n_paths; i++) {
        TsSourceList l = {NULL, 0};
        TsErr err;
        ts_err_clear(&err);
        if (!ts_source_find(paths[i], &l, &err)) {
            note_failure(n_failed, first_err, err.msg);
            continue;
        }
        if (l.n == 0) {
            char msg[TS_ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%.400s: no runs found (no archives or logs below it)", paths[i]);
            note_failure(n_failed, first_err, msg);
        }
        sources_take(&rs->sources, &l);
        ts_source_list_free(&l);
    }

    /* (Re)build from every source: metadata only, each run closed again. */
    runs_clear(app, true);
    rs->set = ts_runset_new(&rs->sources, false);
    ts_runset_open_some(rs->set, 0);
    size_t n_set = ts_runset_count(rs->set), n = 0;
    for (size_t i = 0; i < n_set; i++) {
        if (ts_runset_state(rs->set, i) == TS_RUNSTATE_READY) n++;
        else if (i >= before_sources) note_failure(n_failed, first_err, ts_runset_error(rs->set, i));
    }
    app->runs = ts_xcalloc(n ? n : 1, sizeof *app->runs);
    app->run_names = ts_xcalloc(n ? n : 1, sizeof *app->run_names);
    app->run_t0 = ts_xcalloc(n ? n : 1, sizeof *app->run_t0);
    rs->runs = ts_xcalloc(n ? n : 1, sizeof *rs->runs);
    app->n_runs = n;
    size_t r = 0;
    for (size_t i = 0; i < n_set; i++) {
        if (ts_runset_state(rs->set, i) != TS_RUNSTATE_READY) continue;
        rs->runs[r].set_index = i;
        rs->runs[r].passes = true;
        app->run_t0[r] = NAN;
        r++;
    }

    /* Names: the source's (path below the folder searched); a single run
     * goes by the name it was logged under. Duplicates get their path. */
    for (r = 0; r < n; r++) {
        const char *name = ts_runset_name(rs->set, rs->runs[r].set_index);
        if (n == 1) {
            TsErr err;
            TsRun *run = app_runs_acquire(app, 0, &err);
            const char *rn = run ? ts_run_name(run) : NULL;
            if (rn && rn[0]) name = rn;
        }
        app->run_names[r] = ts_sanitize_dup(name && name[0] ? name : ts_runset_path(rs->set, rs->runs[r].set_index));
    }
    /* Several runs: drop the folders every name starts with. */
    size_t common = 0;
    if (n > 1) {
        common = strlen(app->run_names[0]);
        for (r = 1; r < n; r++) {
            size_t k = 0;
            while (k < common && app->run_names[r][k] == app->run_names[0][k]) k++;
            common = k;
        }
        while (common > 0 && app->run_names[0][common - 1] != '/') common--;
        for (r = 0; r < n && common > 0; r++)
            if (!app->run_names[r][common]) common = 0; /* a name would become empty */
        for (r = 0; r < n && common > 0; r++)
            memmove(app->run_names[r], app->run_names[r] + common, strlen(app->run_names[r] + common) + 1);
    }
    for (r = 0; r < n; r++) {
        bool dup = false;
        for (size_t q = 0; q < n && !dup; q++)
            if (q != r && strcmp(app->run_names[q], app->run_names[r]) == 0) dup = true;
        if (!dup) continue;
        char *path = ts_sanitize_dup(ts_runset_path(rs->set, rs->runs[r].set_index));
        free(app->run_names[r]);
        app->run_names[r] = path;
    }

    /* One track per metric of every run. */
    size_t nt = 0;
    for (r = 0; r < n; r++) nt += ts_runset_metric_count(rs->set, rs->runs[r].set_index);
    app->tracks = ts_xcalloc(nt ? nt : 1, sizeof *app->tracks);
    rs->track_name = ts_xcalloc(nt ? nt : 1, sizeof *rs->track_name);
    NameMap map = {NULL, 0};
    app->n_tracks = 0;
    for (r = 0; r < n; r++) {
        size_t idx = rs->runs[r].set_index, nm = ts_runset_metric_count(rs->set, idx);
        rs->runs[r].first_track = app->n_tracks;
        rs->runs[r].n_tracks = nm;
        for (size_t m = 0; m < nm; m++) {
            const TsMetricInfo *mi = ts_runset_metric(rs->set, idx, m);
            size_t ti = app->n_tracks++;
            TsTrack *t = &app->tracks[ti];
            t->run = r;
            t->metric = m;
            t->name = ts_sanitize_dup(mi->name ? mi->name : "?");
            t->label = n > 1 ? ts_xasprintf("%s: %s", app->run_names[r], t->name) : ts_xstrdup(t->name);
            t->float32 = mi->dtype && strcmp(mi->dtype, "float32") == 0;
            t->colour = (int)m;
            rs->track_name[ti] = name_id(rs, &map, t->name);
        }
    }
    free(map.slot);
    rs->rep = ts_xcalloc(rs->n_names ? rs->n_names : 1, sizeof *rs->rep);
    rs->want = ts_xcalloc(rs->n_names ? rs->n_names : 1, sizeof *rs->want);
    for (size_t k = 0; k < rs->n_names; k++) rs->rep[k] = SIZE_MAX;
    for (size_t ti = 0; ti < app->n_tracks; ti++)
        if (rs->rep[rs->track_name[ti]] == SIZE_MAX) rs->rep[rs->track_name[ti]] = ti;

    /* The first `show` metric names of the first run with metrics are shown;
     * the first few runs are selected. */
    for (r = 0; r < n; r++) {
        if (rs->runs[r].n_tracks == 0) continue;
        for (size_t m = 0; m < rs->runs[r].n_tracks && (int)m < app->set.show; m++)
            rs->want[rs->track_name[rs->runs[r].first_track + m]] = true;
        break;
    }
    for (r = 0; r < n && r < APP_RUNS_DEFAULT_SELECT; r++) rs->runs[r].selected = true;
    for (r = 0; r < n; r++) {
        bool grew;
        stat_run(&rs->runs[r], ts_runset_path(rs->set, rs->runs[r].set_index), &grew);
    }
    rs->shown = n > 1;
    rs->focus = rs->shown;
    if (n > 1) app_cmp_show_table(app, true); /* several runs: the readout table too (r hides it) */
    rs->rows = ts_xcalloc(n ? n : 1, sizeof *rs->rows);
    rs->vis_rows = 0;
    rebuild_rows(app);
    app_runs_apply(app);
    app_cmp_reset(app);
    return app->n_runs > before_runs ? app->n_runs - before_runs : 0;
}

/* ---- state ---- */

bool app_runs_multi(const TsApp *app) {
    return app->rs && app->n_runs > 1;
}

bool app_runs_visible(const TsApp *app, size_t r) {
    if (!app->rs || !app->rs->runs) return r < app->n_runs;
    return r < app->n_runs && app->rs->runs[r].selected && app->rs->runs[r].passes;
}

size_t app_runs_visible_count(const TsApp *app) {
    size_t n = 0;
    for (size_t r = 0; r < app->n_runs; r++) n += app_runs_visible(app, r);
    return n;
}

size_t app_runs_visible_list(const TsApp *app, size_t *out, size_t cap) {
    const AppRuns *rs = app->rs;
    size_t n = 0;
    if (!rs || !rs->rows) {
        for (size_t r = 0; r < app->n_runs; r++) {
            if (n < cap) out[n] = r;
            n++;
        }
        return n;
    }
    for (size_t i = 0; i < rs->n_rows; i++) {
        size_t r = rs->rows[i];
        if (!app_runs_visible(app, r)) continue;
        if (n < cap) out[n] = r;
        n++;
    }
    return n;
}

size_t app_runs_track_name(const TsApp *app, size_t ti) {
    if (!app->rs || !app->rs->track_name || ti >= app->n_tracks) return SIZE_MAX;
    return app->rs->track_name[ti];
}

size_t app_runs_track_of(const TsApp *app, size_t r, size_t k) {
    const AppRuns *rs = app->rs;
    if (!rs || r >= app->n_runs || k == SIZE_MAX) return SIZE_MAX;
    const AppRun *ar = &rs->runs[r];
    for (size_t m = 0; m < ar->n_tracks; m++)
        if (rs->track_name[ar->first_track + m] == k) return ar->first_track + m;
    return SIZE_MAX;
}

bool app_runs_is_rep(const TsApp *app, size_t ti) {
    size_t k = app_runs_track_name(app, ti);
    return k != SIZE_MAX && app->rs->rep[k] == ti;
}

bool app_runs_wanted(const TsApp *app, size_t ti) {
    size_t k = app_runs_track_name(app, ti);
    return k != SIZE_MAX && app->rs->want[k];
}

size_t app_runs_focus_for(const TsApp *app, size_t ti) {
    size_t k = app_runs_track_name(app, ti);
    if (k == SIZE_MAX) return SIZE_MAX;
    const AppRuns *rs = app->rs;
    /* the run under the list cursor first, then the list's order */
    if (rs->cur < rs->n_rows) {
        size_t t = app_runs_track_of(app, rs->rows[rs->cur], k);
        if (t != SIZE_MAX && app->tracks[t].shown && app_track_lod(app, &app->tracks[t], false)) return t;
    }
    for (size_t i = 0; i < rs->n_rows; i++) {
        size_t t = app_runs_track_of(app, rs->rows[i], k);
        if (t != SIZE_MAX && app->tracks[t].shown && app_track_lod(app, &app->tracks[t], false)) return t;
    }
    return SIZE_MAX;
}

size_t app_runs_focus_name(const TsApp *app) {
    size_t f = app_focus_track(app);
    if (f != SIZE_MAX) return app_runs_track_name(app, f);
    return app->sel < app->n_tracks ? app_runs_track_name(app, app->sel) : SIZE_MAX;
}

void app_runs_apply(TsApp *app) {
    AppRuns *rs = app->rs;
    if (!rs) return;
    for (size_t ti = 0; ti < app->n_tracks; ti++) {
        TsTrack *t = &app->tracks[ti];
        bool s = rs->want[rs->track_name[ti]] && app_runs_visible(app, t->run);
        if (t->shown == s) continue;
        t->shown = s;
        if (!s && app->pinned && app->pin_track == ti) app->pinned = false;
    }
    /* Runs not drawn hold no file open; drawn runs with loaded curves do
     * (follow mode re-reads them). */
    for (size_t r = 0; r < app->n_runs; r++) {
        if (!app_runs_visible(app, r)) {
            release(app, r);
            continue;
        }
        if (app->runs[r]) continue;
        const AppRun *ar = &rs->runs[r];
        for (size_t m = 0; m < ar->n_tracks; m++) {
            if (!app->tracks[ar->first_track + m].loaded) continue;
            TsErr err;
            app_runs_acquire(app, r, &err);
            break;
        }
    }
    rs->gen++;
    app->geom_valid = false;
    app->dirty = true;
}

/* ---- sorting and filtering ---- */

static void sort_rows(TsApp *app) {
    AppRuns *rs = app->rs;
    size_t n = rs->n_rows;
    if (n == 0) return;
    size_t cur_run = rs->cur < n ? rs->rows[rs->cur] : SIZE_MAX;
    size_t k = app_runs_focus_name(app);
    TsRunSortKey *keys = ts_xcalloc(n, sizeof *keys);
    size_t *order = ts_xcalloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        const AppRun *ar = &rs->runs[rs->rows[i]];
        bool ok = ar->sum.valid && ar->sum.name_id == k && ar->sum.has_data;
        ts_runset_sort_key(&keys[i], app->run_names[rs->rows[i]], ok ? &ar->sum.st : NULL);
    }
    bool lower = k != SIZE_MAX && ts_compare_lower_is_better(rs->names[k]);
    bool desc = rs->sort == TS_RUNSORT_LAST ? !lower : rs->sort == TS_RUNSORT_STEPS;
    ts_runset_sort(keys, n, rs->sort, lower, desc, order);
    size_t *rows = ts_xcalloc(n, sizeof *rows);
    for (size_t i = 0; i < n; i++) rows[i] = rs->rows[order[i]];
    memcpy(rs->rows, rows, n * sizeof *rows);
    for (size_t i = 0; i < n; i++) /* the cursor stays on its run */
        if (rs->rows[i] == cur_run) rs->cur = i;
    free(rows);
    free(order);
    free(keys);
}

/* Applies the filter and the sort order; keeps the cursor on its run. */
static void rebuild_rows(TsApp *app) {
    AppRuns *rs = app->rs;
    size_t cur_run = rs->cur < rs->n_rows ? rs->rows[rs->cur] : SIZE_MAX;
    rs->n_rows = 0;
    for (size_t r = 0; r < app->n_runs; r++) {
        TsRunDesc d = ts_runset_desc(rs->set, rs->runs[r].set_index);
        rs->runs[r].passes = !rs->filter || ts_filter_match(rs->filter, app->run_names[r], d.config, d.n_config);
        if (rs->runs[r].passes) rs->rows[rs->n_rows++] = r;
    }
    if (rs->sort != TS_RUNSORT_NAME || app->n_runs > 0) sort_rows(app);
    rs->cur = 0;
    for (size_t i = 0; i < rs->n_rows; i++)
        if (rs->rows[i] == cur_run) rs->cur = i;
    if (rs->top > rs->cur) rs->top = rs->cur;
    rs->gen++;
}

static void summarize(TsApp *app, size_t r, size_t k) {
    AppRunSummary *s = &app->rs->runs[r].sum;
    s->valid = true;
    s->name_id = k;
    s->has_data = false;
    size_t ti = app_runs_track_of(app, r, k);
    if (ti == SIZE_MAX) return;
    TsTrack *t = &app->tracks[ti];
    s->float32 = t->float32;
    TsSeries tmp;
    ts_series_init(&tmp);
    const TsSeries *src = &t->s;
    if (!t->loaded) {
        bool was_open = app->runs[r] != NULL;
        TsErr err;
        ts_err_clear(&err);
        TsRun *run = app_runs_acquire(app, r, &err);
        if (!run) return;
        bool ok = ts_run_read_ex(run, t->metric, 0, SIZE_MAX, 0, &tmp, &err);
        if (!was_open && !app_runs_visible(app, r)) release(app, r);
        if (!ok) {
            ts_series_free(&tmp);
            return;
        }
        src = &tmp;
    }
    if (src->n > 0) {
        ts_compare_sparkline(src, APP_SPARK_BUCKETS, false, s->b, &s->sum);
        ts_series_stats(src, &s->st);
        s->has_data = true;
    }
    ts_series_free(&tmp);
}

static bool summary_ok(const TsApp *app, size_t r, size_t k) {
    const AppRunSummary *s = &app->rs->runs[r].sum;
    return s->valid && s->name_id == k;
}

void app_runs_prepare(TsApp *app) {
    AppRuns *rs = app->rs;
    if (!rs) return;
    rs->pending = 0;
    if (!rs->shown || app->n_runs == 0) return;
    size_t k = app_runs_focus_name(app);
    if (k == SIZE_MAX) return;
    if (rs->sort != TS_RUNSORT_NAME) {
        /* Sorting by value needs every listed run's value. */
        bool any = false;
        for (size_t i = 0; i < rs->n_rows; i++) {
            if (summary_ok(app, rs->rows[i], k)) continue;
            summarize(app, rs->rows[i], k);
            any = true;
        }
        if (any) {
            sort_rows(app);
            rs->gen++;
        }
        return;
    }
    int vis = rs->vis_rows > 0 ? rs->vis_rows : (app->h - 2) / 3;
    size_t budget = app->load_stepwise ? SUMMARIES_PER_FRAME : SIZE_MAX;
    for (size_t i = rs->top; i < rs->n_rows && i < rs->top + (size_t)vis; i++) {
        if (summary_ok(app, rs->rows[i], k)) continue;
        if (budget == 0) {
            rs->pending++;
            continue;
        }
        budget--;
        summarize(app, rs->rows[i], k);
    }
    app->loading += rs->pending;
}

bool app_runs_refresh(TsApp *app) {
    AppRuns *rs = app->rs;
    if (!rs) return false;
    bool changed = false;
    for (size_t r = 0; r < app->n_runs; r++) {
        AppRun *ar = &rs->runs[r];
        bool grew;
        stat_run(ar, ts_runset_path(rs->set, ar->set_index), &grew);
        if (grew) {
            ar->quiet = 0;
            ar->sum.valid = false;
            if (!ar->live) changed = true;
            ar->live = true;
        } else if (ar->live && ++ar->quiet >= 2) {
            ar->live = false;
            changed = true;
        }
    }
    return changed;
}

/* ---- layout ---- */

void app_runs_layout(TsApp *app, const TsLayoutRequest *req, TsLayout *out) {
    AppRuns *rs = app->rs;
    const AppCompare *c = app->cmp;
    int cap = (req->rows - 2) / 3;
    if (cap < 3) cap = 3;
    int list_h = 0, table_h = 0;
    if (rs && rs->shown && app->n_runs > 0) {
        list_h = 1 + (int)(rs->n_rows > 0 ? (rs->n_rows < 1000 ? rs->n_rows : 1000) : 1);
        if (list_h > cap) list_h = cap;
    }
    size_t nvis = c && c->table ? app_runs_visible_count(app) : 0;
    if (nvis > 0) {
        int tcap = (req->rows - 2) / 4 > 3 ? (req->rows - 2) / 4 : 3;
        table_h = 1 + (int)(nvis < 1000 ? nvis : 1000) + (nvis > 1);
        if (table_h > tcap) table_h = tcap;
    }
    for (;;) {
        TsLayoutRequest r2 = *req;
        r2.rows = req->rows - list_h - table_h;
        ts_layout_compute(&r2, out);
        if (!out->too_small || list_h + table_h == 0) break;
        if (table_h) table_h = 0;
        else list_h = 0;
    }
    if (out->too_small) ts_layout_compute(req, out);
    if (!rs) return;
    rs->list_rect = (TsRect){0, 0, 0, 0};
    rs->table_rect = (TsRect){0, 0, 0, 0};
    rs->vis_rows = 0;
    if (out->too_small || list_h + table_h == 0) return;
    int y0 = out->status.y;
    out->screen.h = req->rows;
    out->status.y = req->rows - 1;
    if (list_h) rs->list_rect = (TsRect){0, y0, req->cols, list_h};
    if (table_h) rs->table_rect = (TsRect){0, y0 + list_h, req->cols, table_h};
    rs->vis_rows = list_h > 1 ? list_h - 1 : 0;
    if (rs->vis_rows > 0) {
        if (rs->cur < rs->top) rs->top = rs->cur;
        if (rs->cur >= rs->top + (size_t)rs->vis_rows) rs->top = rs->cur - (size_t)rs->vis_rows + 1;
        if (rs->n_rows <= (size_t)rs->vis_rows) rs->top = 0;
    }
}

/* ---- actions ---- */

static void move_cursor(TsApp *app, long d) {
    AppRuns *rs = app->rs;
    if (rs->n_rows == 0) return;
    long r = (long)rs->cur + d;
    if (r < 0) r = 0;
    if (r >= (long)rs->n_rows) r = (long)rs->n_rows - 1;
    rs->cur = (size_t)r;
    int vis = rs->vis_rows > 0 ? rs->vis_rows : 1;
    if (rs->cur < rs->top) rs->top = rs->cur;
    if (rs->cur >= rs->top + (size_t)vis) rs->top = rs->cur - (size_t)vis + 1;
}

static void select_run(TsApp *app, size_t r, bool on) {
    app->rs->runs[r].selected = on;
}

static void selection_msg(TsApp *app) {
    size_t nv = app_runs_visible_count(app);
    app_msg(app, false, "%zu run%s shown", nv, nv == 1 ? "" : "s");
}

bool app_runs_action(TsApp *app, TsAction a) {
    AppRuns *rs = app->rs;
    if (!rs) return false;
    if (a == TS_ACTION_TOGGLE_LIST) {
        /* Showing the metric list gives it the keys. */
        if (!app->set.list) rs->focus = false;
        return false;
    }
    bool list_key = a == TS_ACTION_LIST_UP || a == TS_ACTION_LIST_DOWN || a == TS_ACTION_LIST_PAGE_UP ||
                    a == TS_ACTION_LIST_PAGE_DOWN || a == TS_ACTION_TOGGLE_METRIC || a == TS_ACTION_SHOW_ONLY;
    if (!list_key) return false;
    if (rs->shown && rs->focus && app->n_runs > 0) {
        int page = rs->vis_rows > 1 ? rs->vis_rows : 1;
        size_t r = rs->cur < rs->n_rows ? rs->rows[rs->cur] : SIZE_MAX;
        switch (a) {
        case TS_ACTION_LIST_UP: move_cursor(app, -1); break;
        case TS_ACTION_LIST_DOWN: move_cursor(app, 1); break;
        case TS_ACTION_LIST_PAGE_UP: move_cursor(app, -page); break;
        case TS_ACTION_LIST_PAGE_DOWN: move_cursor(app, page); break;
        case TS_ACTION_TOGGLE_METRIC:
            if (r == SIZE_MAX) break;
            select_run(app, r, !rs->runs[r].selected);
            app_runs_apply(app);
            app_msg(app, false, "%s %s (%zu shown)", app->run_names[r],
                         rs->runs[r].selected ? "selected" : "deselected", app_runs_visible_count(app));
            break;
        case TS_ACTION_SHOW_ONLY:
            if (r == SIZE_MAX) break;
            for (size_t q = 0; q < app->n_runs; q++) select_run(app, q, q == r);
            app_runs_apply(app);
            app_msg(app, false, "only %s", app->run_names[r]);
            break;
        default: break;
        }
        return true;
    }
    if (a != TS_ACTION_TOGGLE_METRIC && a != TS_ACTION_SHOW_ONLY) return false;
    if (app->sel >= app->n_tracks) return false;
    size_t k = rs->track_name[app->sel];
    if (!app_runs_multi(app)) {
        /* One run: app.c shows or hides the track; the wanted names follow. */
        if (a == TS_ACTION_SHOW_ONLY)
            for (size_t q = 0; q < rs->n_names; q++) rs->want[q] = q == k;
        else
            rs->want[k] = !app->tracks[app->sel].shown;
        return false;
    }
    if (a == TS_ACTION_SHOW_ONLY)
        for (size_t q = 0; q < rs->n_names; q++) rs->want[q] = q == k;
    else
        rs->want[k] = !rs->want[k];
    app_runs_apply(app);
    if (rs->want[k] && app_runs_visible_count(app) == 0)
        app_msg(app, false, "%s: no run selected (Space in the run list selects one)", rs->names[k]);
    return true;
}

void app_runs_do(TsApp *app, TsAction a) {
    AppRuns *rs = app->rs;
    if (!rs) return;
    switch (a) {
    case TS_ACTION_RUNS_TOGGLE:
        rs->shown = !rs->shown;
        rs->focus = rs->shown;
        app_msg(app, false, rs->shown ? "run list: j k move, Space selects, Enter shows only one, w back to metrics"
                                           : "run list hidden (R shows it)");
        break;
    case TS_ACTION_RUNS_FOCUS:
        if (!rs->shown) {
            rs->shown = true;
            rs->focus = true;
        } else {
            rs->focus = !rs->focus;
        }
        if (!rs->focus && !app->set.list) app->set.list = true;
        app_msg(app, false, rs->focus ? "keys: run list" : "keys: metric list");
        break;
    case TS_ACTION_RUNS_FILTER:
        rs->prompt = APP_RUNS_PROMPT_FILTER;
        snprintf(rs->prompt_buf, sizeof rs->prompt_buf, "%s", rs->filter_text);
        if (!rs->shown) rs->shown = rs->focus = true;
        break;
    case TS_ACTION_GROUP_KEY: {
        rs->prompt = APP_RUNS_PROMPT_GROUP_KEY;
        snprintf(rs->prompt_buf, sizeof rs->prompt_buf, "%s", app->cmp ? app->cmp->group_key : "");
        break;
    }
    case TS_ACTION_RUNS_SORT: {
        rs->sort = (TsRunSortBy)((rs->sort + 1) % TS_RUNSORT_COUNT);
        app_runs_prepare(app); /* values for the sort */
        rebuild_rows(app);
        size_t k = app_runs_focus_name(app);
        const char *m = k != SIZE_MAX ? rs->names[k] : "the focused metric";
        bool lower = k != SIZE_MAX && ts_compare_lower_is_better(rs->names[k]);
        switch (rs->sort) {
        case TS_RUNSORT_NAME: app_msg(app, false, "runs sorted by name"); break;
        case TS_RUNSORT_LAST:
            app_msg(app, false, "runs sorted by the last %s, best first (%s is better)", m, lower ? "lower" : "higher");
            break;
        case TS_RUNSORT_BEST:
            app_msg(app, false, "runs sorted by the best %s (%s is better)", m, lower ? "lower" : "higher");
            break;
        default: app_msg(app, false, "runs sorted by the last logged step of %s, furthest first", m); break;
        }
        if (!rs->shown) rs->shown = rs->focus = true;
        break;
    }
    case TS_ACTION_RUNS_ALL: {
        bool all = true;
        for (size_t i = 0; i < rs->n_rows; i++) all &= rs->runs[rs->rows[i]].selected;
        for (size_t i = 0; i < rs->n_rows; i++) select_run(app, rs->rows[i], !all);
        app_runs_apply(app);
        selection_msg(app);
        break;
    }
    default: app_cmp_do(app, a); break;
    }
}

/* ---- prompts ---- */

bool app_runs_prompt_active(const TsApp *app) {
    return app->rs && app->rs->prompt != APP_RUNS_PROMPT_NONE;
}

/* Text without leading and trailing blanks, into out. */
static void trim_copy(char *out, size_t cap, const char *in) {
    while (*in == ' ' || *in == '\t') in++;
    size_t n = strlen(in);
    while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t')) n--;
    if (n >= cap) n = cap - 1;
    memcpy(out, in, n);
    out[n] = '\0';
}

static void apply_filter(TsApp *app, const char *text) {
    AppRuns *rs = app->rs;
    char q[APP_RUNS_PROMPT_MAX];
    trim_copy(q, sizeof q, text);
    TsFilter *f = NULL;
    if (q[0]) {
        TsErr err;
        ts_err_clear(&err);
        f = ts_filter_parse(q, &err);
        if (!f) {
            app_msg(app, true, "%s (filter unchanged; f edits it)", err.msg);
            snprintf(rs->prompt_buf, sizeof rs->prompt_buf, "%s", q);
            return;
        }
    }
    ts_filter_free(rs->filter);
    rs->filter = f;
    snprintf(rs->filter_text, sizeof rs->filter_text, "%s", q);
    rebuild_rows(app);
    app_runs_apply(app);
    if (!f)
        app_msg(app, false, "run filter cleared: %zu runs listed", rs->n_rows);
    else
        app_msg(app, false, "%zu of %zu runs match '%s' (%zu shown)", rs->n_rows, app->n_runs, q,
                     app_runs_visible_count(app));
}

void app_runs_prompt_key(TsApp *app, TsKey key) {
    AppRuns *rs = app->rs;
    app->dirty = true;
    if (key == TS_KEY_ENTER) {
        AppRunsPrompt p = rs->prompt;
        rs->prompt = APP_RUNS_PROMPT_NONE;
        if (p == APP_RUNS_PROMPT_FILTER) {
            apply_filter(app, rs->prompt_buf);
        } else {
            char q[APP_RUNS_PROMPT_MAX];
            trim_copy(q, sizeof q, rs->prompt_buf);
            app_cmp_set_group_key(app, q);
        }
        app->geom_valid = false;
    } else if (key == TS_KEY_ESC) {
        rs->prompt = APP_RUNS_PROMPT_NONE;
    } else {
        app_prompt_edit(rs->prompt_buf, sizeof rs->prompt_buf, key);
    }
}

/* ---- mouse ---- */

bool app_runs_mouse(TsApp *app, const TsKeyEvent *ev) {
    AppRuns *rs = app->rs;
    if (!rs || app->layout.too_small) return false;
    if (ts_rect_has_point(rs->list_rect, ev->x, ev->y)) {
        if (ev->button == 1) {
            long row = ev->y - rs->list_rect.y - 1;
            if (row >= 0 && rs->top + (size_t)row < rs->n_rows) {
                rs->cur = rs->top + (size_t)row;
                rs->focus = true;
                if (ev->x < rs->list_rect.x + 3) { /* the marker: select or deselect */
                    size_t r = rs->rows[rs->cur];
                    select_run(app, r, !rs->runs[r].selected);
                    app_runs_apply(app);
                }
                app->dirty = true;
            }
        } else if (ev->button == 4) {
            move_cursor(app, -1);
            app->dirty = true;
        } else if (ev->button == 5) {
            move_cursor(app, 1);
            app->dirty = true;
        }
        return true;
    }
    if (ts_rect_has_point(rs->table_rect, ev->x, ev->y)) return true;
    /* Side by side: a click in any column puts the one cursor there. */
    const AppCompare *c = app->cmp;
    if (!c || c->side_cols < 2 || ev->button != 1) return false;
    for (int p = 0; p < app->n_panels; p++) {
        const TsPlotLayout *pl = &app->panels[p].pl;
        if (!pl->ok || !ts_rect_has_point(app->panels[p].rect, ev->x, ev->y)) continue;
        int col = ev->x;
        if (col < pl->area.x) col = pl->area.x;
        if (col >= pl->area.x + pl->area.w) col = pl->area.x + pl->area.w - 1;
        double lo, hi;
        if (!ts_plot_col_range(pl, col, &lo, &hi)) return true;
        app->cursor_x = (lo + hi) / 2;
        app->have_cursor = true;
        app->pinned = false;
        app->dirty = true;
        return true;
    }
    return false;
}

/* ---- status ---- */

void app_runs_status_text(const TsApp *app, char *buf, size_t cap) {
    buf[0] = '\0';
    app_cmp_status_text(app, buf, cap);
    if (buf[0] || !app_runs_multi(app)) return;
    if (app_runs_visible_count(app) == 0)
        snprintf(buf, cap, "no run selected: Space in the run list selects one, * selects all");
}
