/* app_compare.c - comparing runs in the explorer: side-by-side columns,
 * shared y ranges, seed groups (mean/median line over a braille band),
 * x alignment (tokens, phase onset) and the compare actions.
 * Layer: tui (no curses). License: MIT. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/canvas.h"
#include "trajscope/marks_file.h"
#include "trajscope/sanitize.h"
#include "trajscope/xalloc.h"
#include "tui/app_compare.h"
#include "tui/app_priv.h"
#include "tui/app_runs.h"
#include "tui/readout.h"

/* Union grids up to this many points in all; a linear grid beyond. */
#define GROUP_UNION_MAX 200000
#define GROUP_LINEAR_POINTS 2048
/* Change points of the segmentation whose first one is the phase onset. */
#define ONSET_MAX_CP 2
/* Narrowest side-by-side column. */
#define SIDE_MIN_W 18

static AppCompare *cmp_get(TsApp *app) {
    if (!app->cmp) app->cmp = ts_xcalloc(1, sizeof *app->cmp);
    return app->cmp;
}

/* ---- lifetime ---- */

static void units_free(AppCompare *c) {
    for (size_t u = 0; u < c->n_units; u++) {
        free(c->units[u].runs);
        free(c->units[u].name);
    }
    free(c->units);
    c->units = NULL;
    c->n_units = 0;
    c->units_valid = false;
}

static void curves_free(TsApp *app, AppCompare *c) {
    for (size_t i = 0; i < c->n_curves; i++) {
        AppGroupCurve *g = &c->curves[i];
        ts_lod_free(g->line);
        ts_lod_free(g->lod_lo);
        ts_lod_free(g->lod_hi);
        free(g->lo);
        free(g->hi);
        free(g->label);
        free(g->short_label);
        ts_compare_group_stats_free(&g->st);
    }
    free(c->curves);
    c->curves = NULL;
    if (c->n_curves) app->data_gen++;
    c->n_curves = 0;
    c->curves_valid = false;
}

static void align_free(TsApp *app, AppCompare *c) {
    if (c->ta) {
        for (size_t i = 0; i < app->n_tracks; i++) {
            ts_lod_free(c->ta[i].lod);
            ts_lod_free(c->ta[i].slod);
            free(c->ta[i].x);
        }
    }
    free(c->ta);
    free(c->run_align);
    c->ta = NULL;
    c->run_align = NULL;
    app->data_gen++;
}

void app_cmp_reset(TsApp *app) {
    AppCompare *c = app->cmp;
    if (!c) return;
    curves_free(app, c);
    units_free(c);
    align_free(app, c);
    c->align_gen++;
}

void app_cmp_free(TsApp *app) {
    AppCompare *c = app->cmp;
    if (!c) return;
    app_cmp_reset(app);
    free(c->align_metric);
    free(c->align_label);
    free(c->align_label_disp);
    free(c);
    app->cmp = NULL;
}

/* ---- units: runs or seed groups of the visible runs ---- */

/* "grok-seed*" for grok-seed0, grok-seed1...: the members' common prefix. */
static char *group_name(const TsApp *app, const size_t *runs, size_t n) {
    const char *first = app->run_names[runs[0]];
    size_t len = strlen(first);
    for (size_t i = 1; i < n; i++) {
        const char *s = app->run_names[runs[i]];
        size_t k = 0;
        while (k < len && s[k] == first[k]) k++;
        len = k;
    }
    while (len > 0 && ((unsigned char)first[len - 1] & 0xc0) == 0x80) len--; /* whole characters */
    if (len > 0 && ((unsigned char)first[len - 1] & 0xc0) == 0xc0) len--;
    if (len == 0) return ts_xasprintf("%zu runs", n);
    return ts_xasprintf("%.*s*", (int)len, first);
}

static unsigned units_signature(const TsApp *app) {
    const AppCompare *c = app->cmp;
    unsigned sig = app->rs ? app->rs->gen : 0;
    sig = sig * 31u + (unsigned)(c->group != APP_GROUP_OFF);
    for (const char *p = c->group_key; *p; p++) sig = sig * 31u + (unsigned char)*p;
    return sig;
}

static void units_ensure(TsApp *app) {
    AppCompare *c = app->cmp;
    unsigned sig = units_signature(app);
    if (c->units_valid && c->units_sig == sig) return;
    units_free(c);
    c->units_valid = true;
    c->units_sig = sig;
    size_t nv = app_runs_visible_count(app);
    if (nv == 0) return;
    size_t *vis = ts_xcalloc(nv, sizeof *vis);
    nv = app_runs_visible_list(app, vis, nv);
    if (c->group == APP_GROUP_OFF || !app->rs) {
        c->units = ts_xcalloc(nv, sizeof *c->units);
        for (size_t i = 0; i < nv; i++) {
            c->units[i].runs = ts_xcalloc(1, sizeof(size_t));
            c->units[i].runs[0] = vis[i];
            c->units[i].n_runs = 1;
            c->units[i].name = ts_xstrdup(app->run_names[vis[i]]);
        }
        c->n_units = nv;
        free(vis);
        return;
    }
    TsRunDesc *d = ts_xcalloc(nv, sizeof *d);
    for (size_t i = 0; i < nv; i++) {
        d[i] = ts_runset_desc(app->rs->set, app->rs->runs[vis[i]].set_index);
        d[i].name = app->run_names[vis[i]];
    }
    TsSeedGroups g;
    ts_runset_group_seeds(d, nv, c->group_key[0] ? c->group_key : NULL, &g);
    c->units = ts_xcalloc(g.n ? g.n : 1, sizeof *c->units);
    for (size_t k = 0; k < g.n; k++) {
        AppUnit *u = &c->units[k];
        u->n_runs = g.items[k].n_runs;
        u->runs = ts_xcalloc(u->n_runs ? u->n_runs : 1, sizeof *u->runs);
        for (size_t j = 0; j < u->n_runs; j++) u->runs[j] = vis[g.items[k].runs[j]];
        u->name = u->n_runs > 1 ? group_name(app, u->runs, u->n_runs) : ts_xstrdup(app->run_names[u->runs[0]]);
    }
    c->n_units = g.n;
    ts_runset_groups_free(&g);
    free(d);
    free(vis);
}

/* ---- group curves ---- */

static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t curves_signature(const TsApp *app) {
    const AppCompare *c = app->cmp;
    uint64_t h = 1;
    h = mix(h, app->data_gen);
    h = mix(h, c->units_sig);
    h = mix(h, (uint64_t)c->group);
    h = mix(h, (uint64_t)app->set.smoothing);
    uint64_t w;
    memcpy(&w, &app->set.smooth_weight, sizeof w);
    h = mix(h, w);
    h = mix(h, (uint64_t)app->set.x_axis);
    h = mix(h, (uint64_t)c->align);
    h = mix(h, c->align_gen);
    return h;
}

static const char *band_text(AppGroupMode m) {
    switch (m) {
    case APP_GROUP_MEAN_STD: return "mean, band +-std";
    case APP_GROUP_MEDIAN_MINMAX: return "median, band min-max";
    default: return "mean, band min-max";
    }
}

/* One curve per (wanted metric, group of two or more runs). */
static void curves_ensure(TsApp *app) {
    AppCompare *c = app->cmp;
    AppRuns *rs = app->rs;
    if (!rs) return;
    uint64_t sig = curves_signature(app);
    if (c->curves_valid && c->curves_sig == sig) return;
    curves_free(app, c);
    bool smooth = app->set.smoothing != TS_SMOOTH_OFF;
    for (size_t k = 0; k < rs->n_names; k++) {
        if (!rs->want[k]) continue;
        for (size_t u = 0; u < c->n_units; u++) {
            const AppUnit *un = &c->units[u];
            if (un->n_runs < 2) continue;
            TsCurve *cv = ts_xcalloc(un->n_runs, sizeof *cv);
            double **xs = ts_xcalloc(un->n_runs, sizeof *xs);
            size_t kk = 0, total = 0;
            for (size_t j = 0; j < un->n_runs; j++) {
                size_t ti = app_runs_track_of(app, un->runs[j], k);
                if (ti == SIZE_MAX) continue;
                const TsTrack *t = &app->tracks[ti];
                const TsLod *lod = app_track_lod(app, t, false);
                if (!t->shown || !t->loaded || !lod) continue;
                double *x = ts_xmalloc((t->s.n ? t->s.n : 1) * sizeof *x);
                for (size_t i = 0; i < t->s.n; i++) x[i] = ts_lod_x(lod, i);
                xs[kk] = x;
                cv[kk] = (TsCurve){x, smooth && t->smooth ? t->smooth : t->s.value, t->s.n};
                total += t->s.n;
                kk++;
            }
            if (kk >= 2) {
                TsGroupOptions o;
                ts_compare_group_options_default(&o);
                if (total > GROUP_UNION_MAX) {
                    o.grid = TS_GRID_LINEAR;
                    o.points = GROUP_LINEAR_POINTS;
                }
                AppGroupCurve g;
                memset(&g, 0, sizeof g);
                TsErr err;
                ts_err_clear(&err);
                if (ts_compare_group_stats(cv, kk, &o, &g.st, &err)) {
                    size_t n = g.st.n;
                    g.name_id = k;
                    g.unit = u;
                    g.lo = ts_xmalloc((n ? n : 1) * sizeof *g.lo);
                    g.hi = ts_xmalloc((n ? n : 1) * sizeof *g.hi);
                    for (size_t i = 0; i < n; i++) {
                        if (c->group == APP_GROUP_MEAN_STD) {
                            g.lo[i] = g.st.mean[i] - g.st.std[i];
                            g.hi[i] = g.st.mean[i] + g.st.std[i];
                        } else {
                            g.lo[i] = g.st.min[i];
                            g.hi[i] = g.st.max[i];
                        }
                    }
                    const double *line = c->group == APP_GROUP_MEDIAN_MINMAX ? g.st.median : g.st.mean;
                    g.line = ts_lod_new(g.st.x, line, n);
                    g.lod_lo = ts_lod_new(g.st.x, g.lo, n);
                    g.lod_hi = ts_lod_new(g.st.x, g.hi, n);
                    g.style = ts_style_series((unsigned)un->runs[0]);
                    const char *what = c->group_key[0] ? "runs" : "seeds";
                    const char *stat = c->group == APP_GROUP_MEDIAN_MINMAX ? "median" : "mean";
                    g.label = ts_xasprintf("%s: %s of %zu %s%s", un->name, stat, g.st.n_runs_used, what,
                                           g.st.interpolated ? " (interpolated onto a common grid)" : "");
                    g.short_label = ts_xasprintf("%s: %s of %zu%s", un->name, stat, g.st.n_runs_used,
                                                 g.st.interpolated ? " (interp.)" : "");
                    c->curves = ts_xreallocarray(c->curves, c->n_curves + 1, sizeof *c->curves);
                    c->curves[c->n_curves++] = g;
                } else {
                    ts_compare_group_stats_free(&g.st);
                    app_msg(app, true, "%s %s: %s", un->name, rs->names[k], err.msg);
                }
            }
            for (size_t j = 0; j < kk; j++) free(xs[j]);
            free(xs);
            free(cv);
        }
    }
    app->data_gen++;
    c->curves_valid = true;
    c->curves_sig = curves_signature(app);
}

/* ---- panels: side by side and groups ---- */

typedef struct Fill {
    TsApp *app;
    bool count_only;
    size_t n; /* series written or counted */
} Fill;

static void put_series(Fill *f, TsPanel *p, TsPlotSeries s) {
    if (!f->count_only) p->series[p->n_series++] = s;
    f->n++;
}

/* Raw (and smoothed) curves of track ti. */
static void fill_track(Fill *f, TsPanel *p, size_t ti, bool by_run, bool several_runs) {
    TsApp *app = f->app;
    const TsTrack *t = &app->tracks[ti];
    const TsLod *raw = app_track_lod(app, t, false);
    if (!raw) return;
    TsStyle style = ts_style_series((unsigned)(by_run ? t->run : (size_t)t->colour));
    const char *label = by_run ? app->run_names[t->run] : several_runs ? t->label : t->name;
    const TsLod *sm = app->set.smoothing != TS_SMOOTH_OFF ? app_track_lod(app, t, true) : NULL;
    if (!f->count_only) {
        if (p->n_tracks == 0) p->first_track = ti;
        p->n_tracks++;
    }
    if (sm) {
        put_series(f, p, (TsPlotSeries){raw, style, NULL, true});
        put_series(f, p, (TsPlotSeries){sm, style, label, false});
    } else {
        put_series(f, p, (TsPlotSeries){raw, style, label, false});
    }
}

/* Curves of unit u for the names of a row (row_name SIZE_MAX: every name). */
static void fill_unit(Fill *f, TsPanel *p, size_t u, size_t row_name, bool by_run, bool several_runs, bool narrow) {
    TsApp *app = f->app;
    const AppCompare *c = app->cmp;
    const AppUnit *un = &c->units[u];
    if (c->group != APP_GROUP_OFF && un->n_runs >= 2) {
        for (size_t i = 0; i < c->n_curves; i++) {
            const AppGroupCurve *g = &c->curves[i];
            if (g->unit != u || (row_name != SIZE_MAX && g->name_id != row_name)) continue;
            if (!f->count_only && p->n_tracks == 0) {
                size_t ti = app_runs_track_of(app, un->runs[0], g->name_id);
                p->first_track = ti != SIZE_MAX ? ti : 0;
            }
            if (!f->count_only) p->n_tracks++;
            put_series(f, p, (TsPlotSeries){g->lod_lo, g->style, NULL, true});
            put_series(f, p, (TsPlotSeries){g->lod_hi, g->style, NULL, true});
            put_series(f, p, (TsPlotSeries){g->line, g->style, narrow ? g->short_label : g->label, false});
        }
        return;
    }
    for (size_t j = 0; j < un->n_runs; j++) {
        const AppRun *ar = &app->rs->runs[un->runs[j]];
        for (size_t m = 0; m < ar->n_tracks; m++) {
            size_t ti = ar->first_track + m;
            if (!app->tracks[ti].shown) continue;
            if (row_name != SIZE_MAX && app->rs->track_name[ti] != row_name) continue;
            fill_track(f, p, ti, by_run, several_runs);
        }
    }
}

void app_cmp_panels(TsApp *app) {
    AppCompare *c = app->cmp;
    if (!c) return;
    c->side_cols = 0;
    c->side_total = 0;
    if ((!c->side && c->group == APP_GROUP_OFF) || app->n_panels == 0 || !app->rs) return;
    units_ensure(app);
    if (c->group != APP_GROUP_OFF) curves_ensure(app);
    size_t nu = c->n_units;
    int ncols = 1;
    if (c->side && nu >= 2) {
        c->side_total = nu;
        ncols = nu < APP_SIDE_MAX ? (int)nu : APP_SIDE_MAX;
        int W = app->layout.plot.w;
        while (ncols > 1 && (W - (ncols - 1)) / ncols < SIDE_MIN_W) ncols--;
    } else if (c->side) {
        c->side_total = nu;
    }
    if (ncols == 1 && c->group == APP_GROUP_OFF) return;
    if (ncols > 1) c->side_cols = ncols;

    int rows = app->n_panels;
    if (rows * ncols > APP_MAX_PANELS) rows = APP_MAX_PANELS / ncols;
    size_t row_name[TS_LAYOUT_MAX_PANELS];
    TsRect row_rect[TS_LAYOUT_MAX_PANELS];
    for (int r = 0; r < rows && r < TS_LAYOUT_MAX_PANELS; r++) {
        row_name[r] = app->set.overlay ? SIZE_MAX : app_runs_track_name(app, app->panels[r].first_track);
        row_rect[r] = app->layout.panels[r];
    }
    /* Legends name runs, except in overlay mode with one run per column. */
    bool by_run = !app->set.overlay;
    bool several = ncols == 1;
    /* Count, then fill (the series buffer may have to grow). */
    Fill f = {app, true, 0};
    TsPanel scratch;
    for (int r = 0; r < rows; r++)
        for (int col = 0; col < ncols; col++) {
            memset(&scratch, 0, sizeof scratch);
            if (ncols > 1) fill_unit(&f, &scratch, (size_t)col, row_name[r], by_run, false, true);
            else
                for (size_t u = 0; u < nu; u++) fill_unit(&f, &scratch, u, row_name[r], by_run, several, false);
        }
    if (app->series_cap < f.n) {
        app->series_buf = ts_xreallocarray(app->series_buf, f.n, sizeof *app->series_buf);
        app->series_cap = f.n;
    }
    f = (Fill){app, false, 0};
    size_t used = 0;
    for (int r = 0; r < rows; r++) {
        int gap = 1, w = ncols > 1 ? (row_rect[r].w - (ncols - 1) * gap) / ncols : row_rect[r].w;
        for (int col = 0; col < ncols; col++) {
            TsPanel *pn = &app->panels[r * ncols + col];
            memset(pn, 0, sizeof *pn);
            pn->series = app->series_buf + used;
            pn->rect = (TsRect){row_rect[r].x + col * (w + gap), row_rect[r].y, w, row_rect[r].h};
            if (ncols > 1) fill_unit(&f, pn, (size_t)col, row_name[r], by_run, false, true);
            else
                for (size_t u = 0; u < nu; u++) fill_unit(&f, pn, u, row_name[r], by_run, several, false);
            used += pn->n_series;
        }
    }
    app->n_panels = rows * ncols;
    app->n_groups *= ncols;
}

int app_cmp_share_y(TsApp *app, int max_label) {
    const AppCompare *c = app->cmp;
    if (!c || c->side_cols < 2 || c->y_indep) return max_label;
    int ncols = c->side_cols, rows = app->n_panels / ncols;
    for (int r = 0; r < rows; r++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int col = 0; col < ncols; col++) {
            const TsPanel *pn = &app->panels[r * ncols + col];
            if (!pn->pl.ok || pn->n_series == 0) continue;
            if (pn->pl.yaxis.lo < lo) lo = pn->pl.yaxis.lo;
            if (pn->pl.yaxis.hi > hi) hi = pn->pl.yaxis.hi;
        }
        if (!(hi > lo)) continue;
        for (int col = 0; col < ncols; col++) {
            TsPanel *pn = &app->panels[r * ncols + col];
            if (!pn->pl.ok) continue;
            pn->spec.y_fixed = true;
            pn->spec.y0 = lo;
            pn->spec.y1 = hi;
            ts_plot_layout(&pn->spec, pn->rect, &pn->pl);
        }
    }
    max_label = 0;
    for (int p = 0; p < app->n_panels; p++)
        if (app->panels[p].pl.ok && app->panels[p].pl.label_w > max_label) max_label = app->panels[p].pl.label_w;
    return max_label;
}

/* ---- band fill ---- */

/* Value of the band edge at x (linear between grid points); NaN outside. */
static double edge_at(const double *gx, const double *v, size_t n, double x) {
    if (n == 0 || !(x >= gx[0]) || !(x <= gx[n - 1])) return NAN;
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (gx[mid] <= x) lo = mid;
        else hi = mid;
    }
    if (gx[hi] == gx[lo]) return v[lo];
    double t = (x - gx[lo]) / (gx[hi] - gx[lo]);
    if (t <= 0) return v[lo];
    if (t >= 1) return v[hi];
    return v[lo] + t * (v[hi] - v[lo]);
}

void app_cmp_panel_draw(const TsApp *app, const TsPlotSpec *spec, TsCellBuf *buf, const TsPlotLayout *pl) {
    const AppCompare *c = app->cmp;
    if (!c || c->group == APP_GROUP_OFF || c->n_curves == 0 || !pl->ok || pl->area.w <= 0 || pl->area.h <= 0) return;
    TsCanvas cv;
    bool init = false;
    for (size_t s = 0; s < spec->n_series; s++) {
        const AppGroupCurve *g = NULL;
        for (size_t i = 0; i < c->n_curves && !g; i++)
            if (c->curves[i].lod_lo == spec->series[s].lod) g = &c->curves[i];
        if (!g) continue;
        if (!init) {
            ts_canvas_init(&cv, pl->mode, pl->area.w, pl->area.h);
            init = true;
        } else {
            ts_canvas_clear(&cv);
        }
        for (int j = 0; j < cv.w; j++) {
            double x = ts_axis_value(&pl->xaxis, (j + 0.5) / cv.w);
            double lo = edge_at(g->st.x, g->lo, g->st.n, x), hi = edge_at(g->st.x, g->hi, g->st.n, x);
            double fl = ts_axis_frac(&pl->yaxis, lo), fh = ts_axis_frac(&pl->yaxis, hi);
            if (!isfinite(fl) || !isfinite(fh)) continue;
            if (fl < 0) fl = 0;
            if (fh > 1) fh = 1;
            if (fl > 1 || fh < 0 || fh < fl) continue;
            int y_lo = (int)floor((1 - fl) * cv.h), y_hi = (int)floor((1 - fh) * cv.h);
            if (y_lo >= cv.h) y_lo = cv.h - 1;
            ts_canvas_vspan(&cv, j, y_hi, y_lo, g->style);
        }
        /* Shade only empty cells: the lines stay on top. */
        for (int row = 0; row < cv.rows; row++)
            for (int col = 0; col < cv.cols; col++) {
                unsigned bits = cv.bits[(size_t)row * (size_t)cv.cols + (size_t)col];
                if (!bits) continue;
                const TsCell *cell = ts_cellbuf_at(buf, pl->area.x + col, pl->area.y + row);
                if (!cell || cell->cp != ' ') continue;
                ts_cellbuf_put(buf, pl->area.x + col, pl->area.y + row, ts_canvas_glyph(pl->mode, bits),
                               (TsStyle)(g->style | TS_STYLE_DIM));
            }
    }
    if (init) ts_canvas_fini(&cv);
}

/* ---- alignment ---- */

bool app_cmp_aligning(const TsApp *app) {
    const AppCompare *c = app->cmp;
    return c && (c->align == APP_ALIGN_TOKENS || c->align == APP_ALIGN_ONSET || c->align == APP_ALIGN_MARK) &&
           app->set.x_axis == TS_XAXIS_STEP;
}

const TsLod *app_cmp_track_lod(const TsApp *app, const struct TsTrack *t, bool want_smooth) {
    const AppCompare *c = app->cmp;
    size_t ti = (size_t)(t - app->tracks);
    if (!c->ta || ti >= app->n_tracks) return NULL;
    const AppTrackAlign *a = &c->ta[ti];
    if (a->gen != c->align_gen || !t->loaded || a->src_v != t->s.value || a->n != t->s.n) return NULL;
    if (want_smooth && app->set.smoothing != TS_SMOOTH_OFF) return a->src_s == t->smooth ? a->slod : NULL;
    return a->lod;
}

static bool is_tokens_name(const char *metric) {
    return strcmp(metric, "tokens") == 0 || strcmp(metric, "tokens_seen") == 0 || strcmp(metric, "num_tokens") == 0 ||
           strcmp(metric, "num_input_tokens_seen") == 0;
}

/* Run r's tokens metric: the one in the same stream as track ti when it
 * has one, else any; SIZE_MAX when none. */
static size_t tokens_track(const TsApp *app, size_t r, size_t ti) {
    const AppRun *ar = &app->rs->runs[r];
    const char *name = app->tracks[ti].name;
    const char *slash = strrchr(name, '/');
    size_t stream_len = slash ? (size_t)(slash - name) : 0;
    size_t any = SIZE_MAX;
    for (size_t m = 0; m < ar->n_tracks; m++) {
        size_t tj = ar->first_track + m;
        const char *n2 = app->tracks[tj].name;
        const char *s2 = strrchr(n2, '/');
        const char *metric = s2 ? s2 + 1 : n2;
        if (!is_tokens_name(metric)) continue;
        if (s2 && (size_t)(s2 - n2) == stream_len && strncmp(n2, name, stream_len) == 0) return tj;
        if (any == SIZE_MAX) any = tj;
    }
    return any;
}

static bool run_has_tokens(const TsApp *app, size_t r) {
    const AppRun *ar = &app->rs->runs[r];
    for (size_t m = 0; m < ar->n_tracks; m++) {
        const char *n2 = app->tracks[ar->first_track + m].name;
        const char *s2 = strrchr(n2, '/');
        if (is_tokens_name(s2 ? s2 + 1 : n2)) return true;
    }
    return false;
}

/* Tokens seen at each point of track t from tokens track tk (same rows
 * when the lengths match; else interpolated by step); false when none. */
static bool tokens_x(const TsTrack *t, const TsTrack *tk, double *x) {
    const TsSeries *s = &t->s, *k = &tk->s;
    if (k->n == 0) return false;
    if (k->n == s->n) {
        bool same = true;
        for (size_t i = 0; i < s->n && same; i++) same = s->step[i] == k->step[i];
        if (same) {
            memcpy(x, k->value, s->n * sizeof *x);
            return true;
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        size_t j = ts_series_lower_bound(k, 0, k->n, (double)s->step[i]);
        if (j < k->n && k->step[j] == s->step[i]) x[i] = k->value[j];
        else if (j == 0 || j >= k->n) x[i] = NAN;
        else {
            double t0 = (double)k->step[j - 1], t1 = (double)k->step[j];
            double f = t1 > t0 ? ((double)s->step[i] - t0) / (t1 - t0) : 0;
            x[i] = k->value[j - 1] + f * (k->value[j] - k->value[j - 1]);
        }
    }
    return true;
}

static void ensure_align_arrays(TsApp *app) {
    AppCompare *c = app->cmp;
    if (!c->ta) c->ta = ts_xcalloc(app->n_tracks ? app->n_tracks : 1, sizeof *c->ta);
    if (!c->run_align) c->run_align = ts_xcalloc(app->n_runs ? app->n_runs : 1, sizeof *c->run_align);
}

/* The onset of run r (phase onset of the alignment metric). */
static void run_onset(TsApp *app, size_t r) {
    AppCompare *c = app->cmp;
    AppRunAlign *ra = &c->run_align[r];
    size_t k = SIZE_MAX;
    for (size_t q = 0; q < app->rs->n_names && c->align_metric; q++)
        if (strcmp(app->rs->names[q], c->align_metric) == 0) k = q;
    size_t ti = app_runs_track_of(app, r, k);
    TsTrack *t = ti != SIZE_MAX ? &app->tracks[ti] : NULL;
    if (ra->done && ra->gen == c->align_gen && (!t || !t->loaded || ra->n_src == t->s.n)) return;
    ra->done = true;
    ra->gen = c->align_gen;
    memset(&ra->res, 0, sizeof ra->res);
    ra->res.offset = NAN;
    if (!t) {
        snprintf(ra->res.why, sizeof ra->res.why, "no %s", c->align_metric ? c->align_metric : "metric");
        return;
    }
    TsErr err;
    ts_err_clear(&err);
    if (!app_track_load(app, t, &err)) {
        snprintf(ra->res.why, sizeof ra->res.why, "%s", err.msg);
        return;
    }
    ra->n_src = t->s.n;
    TsAlignRun ar;
    memset(&ar, 0, sizeof ar);
    ar.series = &t->s;
    ar.wall_start = NAN;
    TsAlignOptions o;
    ts_compare_align_options_default(&o);
    o.by = TS_ALIGN_CHANGE;
    /* The best segmentation with at most two change points brackets the
     * main transition (a grokking rise, the drop after a plateau); the
     * first of them is its onset. Without the limit, MBIC on a smooth
     * curve finds dozens of small steps and the first is noise. */
    o.cpd.max_cp = ONSET_MAX_CP;
    ts_compare_align_offset(&ar, &o, &ra->res);
}

/* The marks of run r, read from its sidecar (or archive); NULL when none. */
static TsMarkSet *load_marks(const TsApp *app, size_t r) {
    const char *path = ts_runset_path(app->rs->set, app->rs->runs[r].set_index);
    TsErr err;
    ts_err_clear(&err);
    return path ? ts_marks_file_load(path, NULL, &err) : NULL;
}

/* The offset of run r: the start of its first mark labelled align_label. */
static void run_mark(TsApp *app, size_t r) {
    AppCompare *c = app->cmp;
    AppRunAlign *ra = &c->run_align[r];
    if (ra->done && ra->gen == c->align_gen) return;
    ra->done = true;
    ra->gen = c->align_gen;
    TsMarkSet *set = load_marks(app, r);
    TsAlignRun ar;
    memset(&ar, 0, sizeof ar);
    ar.wall_start = NAN;
    ar.marks = set;
    TsAlignOptions o;
    ts_compare_align_options_default(&o);
    o.by = TS_ALIGN_MARK;
    o.mark_label = c->align_label;
    ts_compare_align_offset(&ar, &o, &ra->res);
    ts_marks_free(set);
}

void app_cmp_prepare(TsApp *app) {
    AppCompare *c = app->cmp;
    if (!c || !app->rs) return;
    if ((c->align == APP_ALIGN_TOKENS || c->align == APP_ALIGN_ONSET || c->align == APP_ALIGN_MARK) &&
        app->set.x_axis != TS_XAXIS_STEP) {
        c->align = APP_ALIGN_STEP; /* t changed the axis */
        c->align_gen++;
    }
    if (!app_cmp_aligning(app)) return;
    ensure_align_arrays(app);
    bool smooth = app->set.smoothing != TS_SMOOTH_OFF;
    for (size_t r = 0; r < app->n_runs; r++) {
        if (!app_runs_visible(app, r)) continue;
        if (c->align == APP_ALIGN_ONSET) run_onset(app, r);
        if (c->align == APP_ALIGN_MARK) run_mark(app, r);
    }
    for (size_t ti = 0; ti < app->n_tracks; ti++) {
        TsTrack *t = &app->tracks[ti];
        if (!t->shown || !t->loaded) continue;
        AppTrackAlign *a = &c->ta[ti];
        bool fresh = a->gen == c->align_gen && a->src_v == t->s.value && a->n == t->s.n;
        if (fresh && (!smooth || a->src_s == t->smooth)) continue;
        if (!fresh) {
            ts_lod_free(a->lod);
            ts_lod_free(a->slod);
            free(a->x);
            memset(a, 0, sizeof *a);
            a->gen = c->align_gen;
            a->src_v = t->s.value;
            a->n = t->s.n;
            double *x = ts_xmalloc((t->s.n ? t->s.n : 1) * sizeof *x);
            bool ok = false;
            if (c->align == APP_ALIGN_ONSET || c->align == APP_ALIGN_MARK) {
                const AppRunAlign *ra = &c->run_align[t->run];
                if (ra->res.aligned) {
                    a->offset = ra->res.offset;
                    for (size_t i = 0; i < t->s.n; i++) x[i] = (double)t->s.step[i] - ra->res.offset;
                    ok = true;
                }
            } else {
                size_t tk = tokens_track(app, t->run, ti);
                TsErr err;
                ts_err_clear(&err);
                if (tk != SIZE_MAX && app_track_load(app, &app->tracks[tk], &err))
                    ok = tokens_x(t, &app->tracks[tk], x);
            }
            if (ok) {
                a->x = x;
                a->lod = ts_lod_new(x, t->s.value, t->s.n);
            } else {
                free(x);
            }
            app->data_gen++;
        }
        if (smooth && t->smooth && a->x && a->src_s != t->smooth) {
            ts_lod_free(a->slod);
            a->slod = ts_lod_new(a->x, t->smooth, t->s.n);
            a->src_s = t->smooth;
            app->data_gen++;
        }
    }
}

bool app_cmp_cursor_x(const TsApp *app, double *x) {
    if (!app->have_cursor) return false;
    if (app->pinned && app->pin_track < app->n_tracks) {
        const TsLod *lod = app_track_lod(app, &app->tracks[app->pin_track], false);
        if (lod && app->pin_index < ts_lod_size(lod)) {
            *x = ts_lod_x(lod, app->pin_index);
            return isfinite(*x);
        }
    }
    *x = app->cursor_x;
    return isfinite(*x);
}

bool app_cmp_step_to_x(const TsApp *app, size_t r, double step, double *x) {
    const AppCompare *c = app->cmp;
    *x = step;
    if (!app_cmp_aligning(app)) return true;
    if (r >= app->n_runs || !c->run_align) return false;
    if (c->align == APP_ALIGN_ONSET || c->align == APP_ALIGN_MARK) {
        const AppRunAlign *ra = &c->run_align[r];
        if (!ra->done || !ra->res.aligned) return false;
        *x = step - ra->res.offset;
        return true;
    }
    /* TOKENS: interpolate along any aligned curve of the run */
    const AppRun *ar = &app->rs->runs[r];
    for (size_t m = 0; m < ar->n_tracks; m++) {
        size_t ti = ar->first_track + m;
        const TsTrack *t = &app->tracks[ti];
        const AppTrackAlign *a = c->ta ? &c->ta[ti] : NULL;
        if (!a || !a->x || a->gen != c->align_gen || !t->loaded || a->n != t->s.n || t->s.n == 0) continue;
        size_t j = ts_series_lower_bound(&t->s, 0, t->s.n, step);
        if (j < t->s.n && (double)t->s.step[j] == step) *x = a->x[j];
        else if (j == 0 || j >= t->s.n) continue;
        else {
            double s0 = (double)t->s.step[j - 1], s1 = (double)t->s.step[j];
            *x = a->x[j - 1] + (s1 > s0 ? (step - s0) / (s1 - s0) : 0) * (a->x[j] - a->x[j - 1]);
        }
        return isfinite(*x);
    }
    return false;
}

/* ---- actions ---- */

static void reset_view(TsApp *app) {
    app->zoomed = false;
    app->have_cursor = false;
    app->pinned = false;
}

static bool any_wall_time(const TsApp *app) {
    for (size_t i = 0; i < app->n_tracks; i++) {
        const TsTrack *t = &app->tracks[i];
        if (!t->shown || !app->runs[t->run]) continue;
        /* From the file's metadata: step-axis loads skip the wall times. */
        const TsMetricInfo *mi = ts_run_metric(app->runs[t->run], t->metric);
        if (mi && mi->has_wall_time) return true;
    }
    return false;
}

/* MARK: the label of the focused run's mark nearest the cursor's step
 * (into align_label); false when that run has no mark. */
static bool pick_mark_label(TsApp *app, size_t f) {
    AppCompare *c = app->cmp;
    if (f == SIZE_MAX) return false;
    const TsTrack *t = &app->tracks[f];
    const TsLod *lod = app_track_lod(app, t, false);
    double x;
    size_t idx;
    double step = 0;
    if (lod && app_cmp_cursor_x(app, &x) && ts_readout_nearest(lod, x, &idx) && idx < t->s.n)
        step = (double)t->s.step[idx];
    TsMarkSet *set = load_marks(app, t->run);
    long k = set ? ts_marks_nearest(set, step, NULL) : -1;
    if (k < 0) {
        ts_marks_free(set);
        return false;
    }
    const TsMark *m = ts_marks_at(set, (size_t)k);
    free(c->align_label);
    free(c->align_label_disp);
    c->align_label = ts_xstrdup(m->label);
    c->align_label_disp = ts_sanitize_dup(m->label);
    ts_marks_free(set);
    return true;
}

static void cycle_align(TsApp *app) {
    AppCompare *c = cmp_get(app);
    app_prepare(app); /* the current mode's curves: the focused metric and cursor below read them */
    AppAlign from = c->align;
    if (from == APP_ALIGN_STEP && app->set.x_axis == TS_XAXIS_RELATIVE) from = APP_ALIGN_TIME;
    else if (from == APP_ALIGN_STEP && app->set.x_axis == TS_XAXIS_WALL) from = APP_ALIGN_STEP;
    size_t f = app_focus_track(app);
    AppAlign to = APP_ALIGN_STEP;
    for (int k = 1; k <= APP_ALIGN_COUNT; k++) {
        AppAlign next = (AppAlign)((from + k) % APP_ALIGN_COUNT);
        if (next == APP_ALIGN_TIME && !any_wall_time(app)) continue;
        if (next == APP_ALIGN_TOKENS) {
            bool any = false;
            for (size_t r = 0; r < app->n_runs && !any; r++) any = app_runs_visible(app, r) && run_has_tokens(app, r);
            if (!any) continue;
        }
        if (next == APP_ALIGN_ONSET && f == SIZE_MAX) continue;
        if (next == APP_ALIGN_MARK && !pick_mark_label(app, f)) continue;
        to = next;
        break;
    }
    c->align = to;
    c->align_gen++;
    reset_view(app);
    switch (to) {
    case APP_ALIGN_STEP:
        app->set.x_axis = TS_XAXIS_STEP;
        app_msg(app, false, "align: by step");
        break;
    case APP_ALIGN_TIME:
        app->set.x_axis = TS_XAXIS_RELATIVE;
        app_tracks_need_wall(app);
        app_msg(app, false, "align: by wall-clock time since each run's start");
        break;
    case APP_ALIGN_TOKENS:
        app->set.x_axis = TS_XAXIS_STEP;
        app_msg(app, false, "align: by tokens seen (runs without a tokens column are not drawn)");
        break;
    case APP_ALIGN_MARK: {
        app->set.x_axis = TS_XAXIS_STEP;
        ensure_align_arrays(app);
        size_t nv = 0, na = 0;
        for (size_t r = 0; r < app->n_runs; r++) {
            if (!app_runs_visible(app, r)) continue;
            run_mark(app, r);
            nv++;
            na += c->run_align[r].res.aligned;
        }
        app_msg(app, false, "align: x = step - start of the mark '%s' (%zu of %zu runs have it)",
                     c->align_label_disp, na, nv);
        break;
    }
    default: {
        app->set.x_axis = TS_XAXIS_STEP;
        free(c->align_metric);
        c->align_metric = ts_xstrdup(app->tracks[f].name);
        ensure_align_arrays(app);
        size_t nv = 0, na = 0;
        for (size_t r = 0; r < app->n_runs; r++) {
            if (!app_runs_visible(app, r)) continue;
            run_onset(app, r);
            nv++;
            na += c->run_align[r].res.aligned;
        }
        app_msg(app, false, "align: x = step - first change point of %s (%zu of %zu runs aligned)", c->align_metric,
                     na, nv);
        break;
    }
    }
}

void app_cmp_show_table(TsApp *app, bool on) {
    cmp_get(app)->table = on;
}

void app_cmp_set_group_key(TsApp *app, const char *key) {
    AppCompare *c = cmp_get(app);
    snprintf(c->group_key, sizeof c->group_key, "%s", key ? key : "");
    if (c->group == APP_GROUP_OFF) c->group = APP_GROUP_MEAN_MINMAX;
    c->units_valid = false;
    c->curves_valid = false;
    units_ensure(app);
    size_t multi = 0;
    for (size_t u = 0; u < c->n_units; u++) multi += c->units[u].n_runs >= 2;
    if (c->group_key[0])
        app_msg(app, false, "groups: runs differing only in '%s' (%zu group%s of 2 or more)", c->group_key, multi,
                     multi == 1 ? "" : "s");
    else
        app_msg(app, false, "groups: runs differing only in the seed (%zu group%s of 2 or more)", multi,
                     multi == 1 ? "" : "s");
}

void app_cmp_do(TsApp *app, TsAction a) {
    AppCompare *c = cmp_get(app);
    switch (a) {
    case TS_ACTION_SIDE_BY_SIDE: {
        c->side = !c->side;
        size_t nv = app_runs_visible_count(app);
        if (c->side && c->group == APP_GROUP_OFF && nv < 2)
            app_msg(app, false, "side by side needs 2 or more selected runs (Space in the run list)");
        else
            app_msg(app, false, c->side ? "side by side: one column per run, one cursor (Y: y ranges)"
                                             : "overlay: every selected run in the same panels");
        break;
    }
    case TS_ACTION_SHARED_Y:
        c->y_indep = !c->y_indep;
        app_msg(app, false, c->y_indep ? "side by side: independent y ranges" : "side by side: shared y ranges");
        break;
    case TS_ACTION_GROUPS: {
        c->group = (AppGroupMode)((c->group + 1) % APP_GROUP_COUNT);
        c->units_valid = false;
        c->curves_valid = false;
        if (c->group == APP_GROUP_OFF) {
            app_msg(app, false, "seed groups off");
            break;
        }
        units_ensure(app);
        size_t multi = 0;
        for (size_t u = 0; u < c->n_units; u++) multi += c->units[u].n_runs >= 2;
        if (multi == 0)
            app_msg(app, false, "groups (%s): no two selected runs differ only in %s", band_text(c->group),
                         c->group_key[0] ? c->group_key : "the seed");
        else
            app_msg(app, false, "groups: %s (%zu group%s)", band_text(c->group), multi, multi == 1 ? "" : "s");
        break;
    }
    case TS_ACTION_READOUT_TABLE:
        c->table = !c->table;
        app_msg(app, false, c->table ? "readout table: each run's value at its nearest logged step" : "readout table off");
        break;
    case TS_ACTION_ALIGN: cycle_align(app); break;
    default: break;
    }
}

/* ---- text ---- */

/* Appends text to buf (truncating at cap), after "  " when buf is not empty. */
static void cat_item(char *buf, size_t cap, const char *text) {
    size_t used = strlen(buf);
    if (used && used + 2 < cap) {
        memcpy(buf + used, "  ", 3);
        used += 2;
    }
    size_t n = strlen(text);
    if (used + n >= cap) n = cap > used + 1 ? cap - used - 1 : 0;
    memcpy(buf + used, text, n);
    buf[used + n] = '\0';
}

void app_cmp_header_text(const TsApp *app, char *buf, size_t cap) {
    buf[0] = '\0';
    const AppCompare *c = app->cmp;
    if (!c || cap == 0) return;
    char item[256];
    if (c->align == APP_ALIGN_ONSET && app_cmp_aligning(app)) {
        snprintf(item, sizeof item, "align: onset of %s", c->align_metric ? c->align_metric : "?");
        cat_item(buf, cap, item);
    } else if (c->align == APP_ALIGN_TOKENS && app_cmp_aligning(app)) {
        cat_item(buf, cap, "align: tokens");
    } else if (c->align == APP_ALIGN_MARK && app_cmp_aligning(app)) {
        snprintf(item, sizeof item, "align: mark '%.200s'", c->align_label_disp ? c->align_label_disp : "");
        cat_item(buf, cap, item);
    }
    if (c->group != APP_GROUP_OFF) {
        snprintf(item, sizeof item, "groups: %s", band_text(c->group));
        cat_item(buf, cap, item);
    }
    if (c->side_cols >= 2) cat_item(buf, cap, c->y_indep ? "side by side (own y)" : "side by side");
}

void app_cmp_status_text(const TsApp *app, char *buf, size_t cap) {
    buf[0] = '\0';
    const AppCompare *c = app->cmp;
    if (!c) return;
    size_t used = 0;
    if ((c->align == APP_ALIGN_ONSET || c->align == APP_ALIGN_MARK) && app_cmp_aligning(app) && c->run_align) {
        for (size_t r = 0; r < app->n_runs; r++) {
            if (!app_runs_visible(app, r) || c->run_align[r].res.aligned || !c->run_align[r].done) continue;
            int n = snprintf(buf + used, cap > used ? cap - used : 0, "%s%s (%s)", used ? ", " : "unaligned, not drawn: ",
                             app->run_names[r], c->run_align[r].res.why);
            if (n < 0) break;
            used += (size_t)n;
            if (used >= cap) {
                used = cap - 1;
                break;
            }
        }
        if (used) return;
    }
    if (c->side && c->side_total > (size_t)c->side_cols && c->side_cols >= 2)
        snprintf(buf, cap, "side by side: the first %d of %zu %s", c->side_cols, c->side_total,
                 c->group != APP_GROUP_OFF ? "groups" : "selected runs");
    else if (c->side && c->side_cols < 2)
        snprintf(buf, cap, "side by side needs 2 or more selected runs (or wider columns)");
}
