/* app_model.c - the explorer's data side: loading tracks, pyramids,
 * smoothing caches, and the panel geometry of the current state.
 * Layer: tui (no curses). License: MIT. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/natcmp.h"
#include "trajscope/xalloc.h"
#include "tui/app_compare.h"
#include "tui/app_phases.h"
#include "tui/app_priv.h"
#include "tui/app_runs.h"

static void free_lods(TsLod **lods) {
    for (int m = 0; m < TS_XAXIS_COUNT; m++) {
        if (!lods[m]) continue;
        ts_lod_free(lods[m]);
        lods[m] = NULL;
    }
}

void app_track_fini(TsTrack *t) {
    free_lods(t->lod);
    free_lods(t->slod);
    free(t->xrel);
    free(t->smooth);
    ts_series_free(&t->s);
    free(t->label);
    free(t->name);
    memset(t, 0, sizeof *t);
}

static double first_wall(const TsSeries *s) {
    if (!s->wall_time) return NAN;
    double lo = NAN;
    for (size_t i = 0; i < s->n; i++)
        if (isfinite(s->wall_time[i]) && !(s->wall_time[i] >= lo)) lo = s->wall_time[i];
    return lo;
}

/* The run's start: the earliest wall time of its loaded tracks. When it
 * moves, relative-time pyramids of that run are rebuilt. */
static void update_run_t0(TsApp *app, size_t run) {
    double t0 = NAN;
    for (size_t i = 0; i < app->n_tracks; i++) {
        const TsTrack *t = &app->tracks[i];
        if (t->run != run || !t->loaded) continue;
        double f = first_wall(&t->s);
        if (isfinite(f) && !(f >= t0)) t0 = f;
    }
    double old = app->run_t0[run];
    if ((isnan(old) && isnan(t0)) || old == t0) return;
    app->run_t0[run] = t0;
    app->data_gen++;
    for (size_t i = 0; i < app->n_tracks; i++) {
        TsTrack *t = &app->tracks[i];
        if (t->run != run) continue;
        ts_lod_free(t->lod[TS_XAXIS_RELATIVE]);
        ts_lod_free(t->slod[TS_XAXIS_RELATIVE]);
        t->lod[TS_XAXIS_RELATIVE] = t->slod[TS_XAXIS_RELATIVE] = NULL;
        free(t->xrel);
        t->xrel = NULL;
    }
}

/* Drops a track's points and everything built on them (pyramids borrow the
 * arrays), so that the next app_prepare reads them again. */
static void track_unload(TsApp *app, TsTrack *t) {
    app->data_gen++;
    free_lods(t->lod);
    free_lods(t->slod);
    free(t->xrel);
    t->xrel = NULL;
    free(t->smooth);
    t->smooth = NULL;
    ts_series_free(&t->s);
    t->loaded = false;
}

bool app_track_load(TsApp *app, TsTrack *t, TsErr *err) {
    if (t->loaded) return true;
    if (t->failed) {
        ts_err_set(err, "%s: could not be read", t->label);
        return false;
    }
    /* Wall times are read only while an axis shows them (t, or A by time):
     * a step-axis first frame of a long run then reads a third less. */
    unsigned flags = app->set.x_axis != TS_XAXIS_STEP ? TS_READ_WALL_TIME : 0;
    TsRun *run = app_runs_acquire(app, t->run, err); /* opened again when the index closed it */
    if (!run || !ts_run_read_ex(run, t->metric, 0, SIZE_MAX, flags, &t->s, err)) {
        t->failed = true;
        return false;
    }
    ts_series_stats(&t->s, &t->st);
    t->loaded = true;
    update_run_t0(app, t->run);
    return true;
}

void app_tracks_need_wall(TsApp *app) {
    if (app->set.x_axis == TS_XAXIS_STEP) return;
    for (size_t i = 0; i < app->n_tracks; i++) {
        TsTrack *t = &app->tracks[i];
        if (!t->loaded || t->s.wall_time || !app->runs[t->run]) continue;
        const TsMetricInfo *mi = ts_run_metric(app->runs[t->run], t->metric);
        if (mi && mi->has_wall_time) track_unload(app, t);
    }
}

const TsLod *app_track_lod(const TsApp *app, const TsTrack *t, bool want_smooth) {
    if (app_cmp_aligning(app)) return app_cmp_track_lod(app, t, want_smooth); /* tokens, onset */
    int m = app->set.x_axis;
    if (want_smooth && app->set.smoothing != TS_SMOOTH_OFF) return t->slod[m];
    return t->lod[m];
}

/* Builds the pyramid of values for axis m; NULL when the axis has no data. */
static TsLod *build_lod(TsApp *app, TsTrack *t, int m, const double *values) {
    switch (m) {
    case TS_XAXIS_STEP:
        return ts_lod_new_series(&t->s, values, false);
    case TS_XAXIS_WALL:
        return t->s.wall_time ? ts_lod_new_series(&t->s, values, true) : NULL;
    default: {
        double t0 = app->run_t0[t->run];
        if (!t->s.wall_time || !isfinite(t0)) return NULL;
        if (!t->xrel) {
            t->xrel = ts_xmalloc_large(t->s.n ? t->s.n : 1, sizeof *t->xrel, 0);
            for (size_t i = 0; i < t->s.n; i++) t->xrel[i] = t->s.wall_time[i] - t0;
        }
        return ts_lod_new(t->xrel, values ? values : t->s.value, t->s.n);
    }
    }
}

void app_invalidate_smoothing(TsApp *app) {
    app->data_gen++;
    for (size_t i = 0; i < app->n_tracks; i++) {
        TsTrack *t = &app->tracks[i];
        free_lods(t->slod);
        free(t->smooth);
        t->smooth = NULL;
    }
}

void app_prepare(TsApp *app) {
    int m = app->set.x_axis;
    size_t reads = 0;
    app->loading = 0;
    for (size_t i = 0; i < app->n_tracks; i++) {
        TsTrack *t = &app->tracks[i];
        if (!t->shown) continue;
        if (!t->loaded) {
            /* In the terminal, read one metric per frame: the first curve
             * appears while the others are still being read. */
            if (app->load_stepwise && reads > 0) {
                app->loading++;
                continue;
            }
            reads++;
            TsErr err;
            ts_err_clear(&err);
            if (!app_track_load(app, t, &err)) {
                t->shown = false;
                snprintf(app->msg, sizeof app->msg, "%s", err.msg);
                app->msg_error = true;
                continue;
            }
        }
        if (!t->lod[m]) {
            t->lod[m] = build_lod(app, t, m, NULL);
            app->data_gen++;
        }
        if (app->set.smoothing == TS_SMOOTH_OFF) continue;
        if (t->smooth && (t->smooth_m != app->set.smoothing || t->smooth_w != app->set.smooth_weight)) {
            app->data_gen++;
            free(t->smooth);
            t->smooth = NULL;
            free_lods(t->slod);
        }
        if (!t->smooth) {
            /* huge pages: first touch of 80 MB per 10^7 points cost more than the EMA */
            t->smooth = ts_xmalloc_large(t->s.n ? t->s.n : 1, sizeof *t->smooth, 0);
            ts_smooth(&t->s, app->set.smoothing, app->set.smooth_weight, t->smooth);
            t->smooth_m = app->set.smoothing;
            t->smooth_w = app->set.smooth_weight;
        }
        if (!t->slod[m] && t->lod[m]) {
            t->slod[m] = build_lod(app, t, m, t->smooth);
            app->data_gen++;
        }
    }
    app_cmp_prepare(app);  /* aligned pyramids (tokens, onset) */
    app_runs_prepare(app); /* run list sparklines */
}

size_t app_focus_track(const TsApp *app) {
    if (app_runs_multi(app) && app->sel < app->n_tracks) {
        size_t f = app_runs_focus_for(app, app->sel); /* the selected name in a shown run */
        if (f != SIZE_MAX) return f;
    }
    if (app->sel < app->n_tracks && app->tracks[app->sel].shown && app_track_lod(app, &app->tracks[app->sel], false))
        return app->sel;
    for (size_t i = 0; i < app->n_tracks; i++)
        if (app->tracks[i].shown && app_track_lod(app, &app->tracks[i], false)) return i;
    return SIZE_MAX;
}

double app_x_origin(const TsApp *app) {
    if (app->set.x_axis != TS_XAXIS_WALL) return 0.0;
    double t0 = NAN;
    for (size_t r = 0; r < app->n_runs; r++)
        if (isfinite(app->run_t0[r]) && !(app->run_t0[r] >= t0)) t0 = app->run_t0[r];
    return isfinite(t0) ? t0 : 0.0;
}

void app_filter_rows(TsApp *app) {
    app->n_rows = 0;
    bool multi = app_runs_multi(app); /* several runs: one row per metric name */
    for (size_t i = 0; i < app->n_tracks; i++) {
        if (multi && !app_runs_is_rep(app, i)) continue;
        if (ts_contains_fold(multi ? app->tracks[i].name : app->tracks[i].label, app->filter)) app->rows[app->n_rows++] = i;
    }
    /* keep the selection on a visible row */
    bool sel_visible = false;
    for (size_t r = 0; r < app->n_rows; r++)
        if (app->rows[r] == app->sel) sel_visible = true;
    if (!sel_visible) app->sel = app->n_rows ? app->rows[0] : SIZE_MAX;
}

/* Appends track t's curves to the panel (raw, plus smoothed on top). */
static void add_curves(TsApp *app, TsPanel *p, size_t ti, bool by_run) {
    TsTrack *t = &app->tracks[ti];
    const TsLod *raw = app_track_lod(app, t, false);
    if (!raw) return;
    TsStyle style = ts_style_series((unsigned)(by_run ? t->run : (size_t)t->colour));
    const char *label = by_run ? app->run_names[t->run] : t->label;
    const TsLod *sm = app->set.smoothing != TS_SMOOTH_OFF ? app_track_lod(app, t, true) : NULL;
    if (p->n_tracks == 0) p->first_track = ti;
    p->n_tracks++;
    if (sm) {
        p->series[p->n_series++] = (TsPlotSeries){raw, style, NULL, true};
        p->series[p->n_series++] = (TsPlotSeries){sm, style, label, false};
    } else {
        p->series[p->n_series++] = (TsPlotSeries){raw, style, label, false};
    }
}

void app_geometry(TsApp *app) {
    /* Panels: one per shown metric name (the same metric of several runs
     * shares a panel), or a single one in overlay mode. */
    size_t *group = ts_xmalloc((app->n_tracks ? app->n_tracks : 1) * sizeof *group);
    size_t n_groups = 0;
    size_t group_head[TS_LAYOUT_MAX_PANELS];
    bool by_run = app->n_runs > 1 && !app->set.overlay;
    for (size_t i = 0; i < app->n_tracks; i++) {
        group[i] = SIZE_MAX;
        const TsTrack *t = &app->tracks[i];
        if (!t->shown || !app_track_lod(app, t, false)) continue;
        if (app->set.overlay) {
            group[i] = 0;
            n_groups = 1;
            continue;
        }
        size_t g;
        for (g = 0; g < n_groups && g < TS_LAYOUT_MAX_PANELS; g++)
            if (strcmp(app->tracks[group_head[g]].name, t->name) == 0) break;
        if (g == n_groups) {
            if (n_groups < TS_LAYOUT_MAX_PANELS) group_head[n_groups] = i;
            n_groups++;
        }
        group[i] = g;
    }
    TsLayoutRequest req = {app->w, app->h, app->set.list, app->set.list_width, (int)n_groups, 0};
    app_runs_layout(app, &req, &app->layout); /* ts_layout_compute with the run list carved out */
    app->n_panels = app->layout.too_small ? 0 : app->layout.n_panels;
    app->n_groups = (int)n_groups;

    size_t need = 2 * (app->n_tracks ? app->n_tracks : 1);
    if (app->series_cap < need) {
        app->series_buf = ts_xreallocarray(app->series_buf, need, sizeof *app->series_buf);
        app->series_cap = need;
    }
    size_t used = 0;
    for (int p = 0; p < app->n_panels; p++) {
        TsPanel *pn = &app->panels[p];
        memset(pn, 0, sizeof *pn);
        pn->rect = app->layout.panels[p];
        pn->series = app->series_buf + used;
        for (size_t i = 0; i < app->n_tracks; i++)
            if (group[i] == (size_t)p) add_curves(app, pn, i, by_run);
        used += pn->n_series;
    }
    free(group);
    app_cmp_panels(app); /* side by side, seed groups */

    /* The data's x range over every panel. */
    app->have_data = false;
    double lo = INFINITY, hi = -INFINITY;
    for (int p = 0; p < app->n_panels; p++) {
        double a, b;
        if (ts_plot_data_x_range(app->panels[p].series, app->panels[p].n_series, &a, &b)) {
            if (a < lo) lo = a;
            if (b > hi) hi = b;
            app->have_data = true;
        }
    }
    if (!app->have_data) {
        lo = 0;
        hi = 1;
    }
    if (!(hi > lo)) {
        lo -= 0.5;
        hi += 0.5;
    }
    app->data_x0 = lo;
    app->data_x1 = hi;
    double x0 = app->zoomed ? app->vx0 : lo, x1 = app->zoomed ? app->vx1 : hi;
    double origin = app_x_origin(app);
    if (app->set.log_x) {
        /* log10(1 + x - origin) needs x > origin - 1 */
        if (x0 < origin) x0 = origin;
        if (!(x1 > x0)) x1 = x0 + 1;
    }

    TsCanvasMode mode = app->utf8 ? app->set.canvas : TS_CANVAS_ASCII;
    int max_label = 0;
    for (int p = 0; p < app->n_panels; p++) {
        TsPanel *pn = &app->panels[p];
        TsPlotSpec *s = &pn->spec;
        s->x0 = x0;
        s->x1 = x1;
        s->logx = app->set.log_x;
        s->x_origin = origin;
        s->x_format = app->set.x_axis == TS_XAXIS_STEP ? TS_AXIS_NUMBER : TS_AXIS_DURATION;
        s->logy = app->set.log_y;
        s->mode = mode;
        s->series = pn->series;
        s->n_series = pn->n_series;
        s->has_cursor = app->have_cursor;
        s->cursor_x = app->cursor_x;
        app_phases_decorate(app, pn, p); /* marks, change points, phases */
        ts_plot_layout(s, pn->rect, &pn->pl);
        /* Keep the automatic y range found here, so drawing (and the
         * alignment below) need not scan the data for it again. */
        if (pn->pl.ok) {
            s->y_fixed = true;
            s->y0 = pn->pl.yaxis.lo;
            s->y1 = pn->pl.yaxis.hi;
        }
        if (pn->pl.ok && pn->pl.label_w > max_label) max_label = pn->pl.label_w;
    }
    max_label = app_cmp_share_y(app, max_label); /* side by side: one y range per row */
    /* Align the plot areas of stacked panels so one column is one x range
     * in every panel and the cursor is a single straight line. */
    for (int p = 0; p < app->n_panels; p++) {
        TsPanel *pn = &app->panels[p];
        if (!pn->pl.ok || pn->pl.label_w == max_label) continue;
        int shift = max_label - pn->pl.label_w;
        if (shift >= pn->rect.w) continue;
        pn->rect.x += shift;
        pn->rect.w -= shift;
        ts_plot_layout(&pn->spec, pn->rect, &pn->pl);
    }
}

bool app_refresh(TsApp *app) {
    bool changed = app_runs_refresh(app); /* live markers of every run's file */
    for (size_t r = 0; r < app->n_runs; r++) {
        if (!app->runs[r]) continue; /* closed: nothing of it is loaded */
        bool grew = false;
        TsErr err;
        ts_err_clear(&err);
        if (!ts_run_refresh(app->runs[r], &grew, &err)) {
            snprintf(app->msg, sizeof app->msg, "%s", err.msg);
            app->msg_error = true;
            continue;
        }
        if (!grew) continue;
        for (size_t i = 0; i < app->n_tracks; i++) {
            TsTrack *t = &app->tracks[i];
            if (t->run != r || !t->loaded) continue;
            const TsMetricInfo *mi = ts_run_metric(app->runs[r], t->metric);
            if (!mi || mi->length == t->s.n) continue;
            track_unload(app, t); /* re-read the metric */
            TsErr e2;
            ts_err_clear(&e2);
            if (!app_track_load(app, t, &e2)) {
                snprintf(app->msg, sizeof app->msg, "%s", e2.msg);
                app->msg_error = true;
            }
            changed = true;
        }
    }
    return changed;
}
