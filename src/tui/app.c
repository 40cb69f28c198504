/* app.c - the explorer's state, actions and event loop.
 * Layer: tui (no curses: the terminal is reached through term.h). License: MIT.
 *
 * Handlers only change state and set app->dirty; the loop has one redraw
 * point: ts_app_render() then ts_term_present(), which writes only the
 * cells that changed. The loop blocks in poll() on the tty and a signal
 * self-pipe, with a timeout only when follow mode is due to re-read. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trajscope/sanitize.h"
#include "trajscope/xalloc.h"
#include "tui/app_compare.h"
#include "tui/app_phases.h"
#include "tui/app_priv.h"
#include "tui/app_runs.h"
#include "tui/readout.h"
#include "tui/sig.h"
#include "tui/term.h"

#define FOLLOW_PERIOD_S 2.0

/* ---- creation and opening ---- */

TsApp *ts_app_new(const TsSettings *settings, const TsKeymap *km, const TsTheme *theme, bool utf8) {
    TsApp *app = ts_xcalloc(1, sizeof *app);
    app->set = *settings;
    ts_keymap_init(&app->km);
    for (size_t i = 0; i < km->n; i++) ts_keymap_bind(&app->km, km->b[i].key, km->b[i].action);
    app->theme = *theme;
    app->utf8 = utf8;
    app->sel = SIZE_MAX;
    app->dirty = true;
    app->w = 80;
    app->h = 24;
    return app;
}

void ts_app_free(TsApp *app) {
    if (!app) return;
    for (size_t i = 0; i < app->n_tracks; i++) app_track_fini(&app->tracks[i]);
    free(app->tracks);
    app_cmp_free(app);
    app_phases_free(app); /* marks, change points (before the runs) */
    app_runs_free(app); /* the runs, their names and starts */
    free(app->rows);
    free(app->series_buf);
    for (int p = 0; p < APP_MAX_PANELS; p++) {
        ts_cellbuf_fini(&app->cache[p].cells);
        free(app->cache[p].series);
    }
    ts_keymap_fini(&app->km);
    free(app);
}

size_t ts_app_open(TsApp *app, char *const *paths, size_t n_paths, size_t *n_failed, TsErr *first_err) {
    /* Runs, tracks, the shown metrics and the selected runs (app_runs.c). */
    size_t opened = app_runs_open(app, paths, n_paths, n_failed, first_err);
    free(app->rows);
    app->rows = ts_xcalloc(app->n_tracks ? app->n_tracks : 1, sizeof *app->rows);
    app->sel = app->n_tracks ? 0 : SIZE_MAX;
    app_filter_rows(app);
    app->dirty = true;
    app->geom_valid = false;
    app_phases_opened(app); /* each run's marks */
    return opened;
}

void ts_app_set_note(TsApp *app, const char *text) {
    ts_sanitize(app->note, sizeof app->note, text ? text : "");
    app->dirty = true;
}

void ts_app_resize(TsApp *app, int w, int h) {
    app->w = w > 0 ? w : 0;
    app->h = h > 0 ? h : 0;
    app->dirty = true;
    app->geom_valid = false;
}

bool ts_app_dirty(const TsApp *app) {
    return app->dirty;
}

bool ts_app_quit_requested(const TsApp *app) {
    return app->quit;
}

/* ---- state helpers ---- */

void app_msg(TsApp *app, bool error, const char *fmt, ...) {
    char raw[APP_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ts_sanitize(app->msg, sizeof app->msg, raw);
    app->msg_error = error;
    app->dirty = true;
}

bool app_prompt_edit(char *buf, size_t cap, TsKey key) {
    size_t len = strlen(buf);
    if (key == TS_KEY_BACKSPACE) {
        while (len > 0 && ((unsigned char)buf[len - 1] & 0xc0) == 0x80) len--;
        if (len > 0) len--;
        buf[len] = '\0';
        return true;
    }
    if (key >= 0x20 && key <= 0x10ffff && key != 0x7f && !(key >= 0x80 && key < 0xa0) &&
        !(key >= 0xd800 && key <= 0xdfff)) {
        char utf8[5];
        size_t n = ts_utf8_encode((uint32_t)key, utf8);
        if (len + n < cap) {
            memcpy(buf + len, utf8, n);
            buf[len + n] = '\0';
        }
        return true;
    }
    return false;
}

static const TsPlotLayout *main_layout(const TsApp *app) {
    for (int p = 0; p < app->n_panels; p++)
        if (app->panels[p].pl.ok) return &app->panels[p].pl;
    return NULL;
}

static void pin(TsApp *app, size_t track, size_t index) {
    const TsLod *lod = app_track_lod(app, &app->tracks[track], false);
    if (!lod) return;
    app->pinned = true;
    app->pin_track = track;
    app->pin_index = index;
    app->have_cursor = true;
    app->cursor_x = ts_lod_x(lod, index);
}

/* Places the cursor on the focused metric's last point the first time
 * there is one. */
static void ensure_cursor(TsApp *app) {
    if (app->have_cursor) return;
    size_t f = app_focus_track(app);
    if (f == SIZE_MAX) return;
    size_t idx;
    if (ts_readout_last(app_track_lod(app, &app->tracks[f], false), &idx)) pin(app, f, idx);
}

/* Caches and geometry for the current state: handlers call this before
 * they read positions. */
static void app_sync_force(TsApp *app) {
    app_prepare(app);
    app_geometry(app);
    ensure_cursor(app);
    if (app->have_cursor && app->n_panels > 0) {
        for (int p = 0; p < app->n_panels; p++) {
            app->panels[p].spec.has_cursor = true;
            app->panels[p].spec.cursor_x = app->cursor_x;
        }
    }
    app->geom_valid = true;
}

/* Caches and geometry for the current state: handlers call this before
 * they read positions. The geometry of the last frame is reused when no
 * event changed the state since (events invalidate it when they end). */
static void app_sync(TsApp *app) {
    if (!app->geom_valid) app_sync_force(app);
}

static TsAxis x_axis(const TsApp *app) {
    TsAxis a = {app->set.log_x ? TS_SCALE_LOG1P : TS_SCALE_LINEAR, 0, 1, app_x_origin(app), TS_AXIS_NUMBER};
    return a;
}

/* Sets the view to [x0, x1] kept inside the data; unzooms when it covers
 * all of it. Works in the axis' own space so log-x pans evenly. */
static void set_view(TsApp *app, double x0, double x1) {
    TsAxis a = x_axis(app);
    double d0 = app->data_x0, d1 = app->data_x1;
    if (app->set.log_x && d0 < a.origin) d0 = a.origin;
    double t0 = ts_axis_fwd(&a, x0), t1 = ts_axis_fwd(&a, x1);
    double u0 = ts_axis_fwd(&a, d0), u1 = ts_axis_fwd(&a, d1);
    if (!isfinite(t0) || !isfinite(t1) || !(t1 > t0) || !isfinite(u0) || !isfinite(u1)) return;
    if (t1 - t0 >= u1 - u0) {
        app->zoomed = false;
        return;
    }
    if (t0 < u0) {
        t1 += u0 - t0;
        t0 = u0;
    }
    if (t1 > u1) {
        t0 -= t1 - u1;
        t1 = u1;
    }
    app->vx0 = ts_axis_inv(&a, t0);
    app->vx1 = ts_axis_inv(&a, t1);
    app->zoomed = true;
}

/* Pans a zoomed view so the cursor is visible (centred when it was off). */
static void ensure_visible(TsApp *app) {
    if (!app->zoomed || !app->have_cursor) return;
    if (app->cursor_x >= app->vx0 && app->cursor_x <= app->vx1) return;
    TsAxis a = x_axis(app);
    double t0 = ts_axis_fwd(&a, app->vx0), t1 = ts_axis_fwd(&a, app->vx1), tc = ts_axis_fwd(&a, app->cursor_x);
    if (!isfinite(tc)) return;
    double half = (t1 - t0) / 2;
    set_view(app, ts_axis_inv(&a, tc - half), ts_axis_inv(&a, tc + half));
}

void app_sync_now(TsApp *app) { app_sync(app); }
void app_set_view(TsApp *app, double x0, double x1) { set_view(app, x0, x1); }
void app_ensure_visible(TsApp *app) { ensure_visible(app); }

/* ---- actions ---- */

static void move_columns(TsApp *app, int d) {
    app_sync(app);
    const TsPlotLayout *pl = main_layout(app);
    if (!pl || !app->have_cursor) return;
    int col = ts_plot_x_to_col(pl, app->cursor_x);
    if (col < 0) col = app->cursor_x < pl->xaxis.lo ? pl->area.x : pl->area.x + pl->area.w - 1;
    int target = col + d;
    int first = pl->area.x, last = pl->area.x + pl->area.w - 1;
    if ((target < first || target > last) && app->zoomed) {
        /* Scroll the view by the overflow, at least a quarter of it. */
        int over = target < first ? target - first : target - last;
        int minimum = pl->area.w / 4 > 1 ? pl->area.w / 4 : 1;
        if (abs(over) < minimum) over = over < 0 ? -minimum : minimum;
        TsAxis a = x_axis(app);
        double t0 = ts_axis_fwd(&a, app->vx0), t1 = ts_axis_fwd(&a, app->vx1);
        double dt = (t1 - t0) * over / pl->area.w;
        double keep = ts_axis_fwd(&a, app->cursor_x) + (t1 - t0) * d / pl->area.w;
        set_view(app, ts_axis_inv(&a, t0 + dt), ts_axis_inv(&a, t1 + dt));
        app_sync_force(app);
        pl = main_layout(app);
        if (!pl) return;
        double x = ts_axis_inv(&a, keep);
        target = ts_plot_x_to_col(pl, x);
        if (target < 0) target = d < 0 ? pl->area.x : pl->area.x + pl->area.w - 1;
        first = pl->area.x;
        last = pl->area.x + pl->area.w - 1;
    }
    if (target < first) target = first;
    if (target > last) target = last;
    if (target == col && ts_plot_x_to_col(pl, app->cursor_x) == col) return; /* at the edge already */
    double lo, hi;
    if (!ts_plot_col_range(pl, target, &lo, &hi)) return;
    app->cursor_x = (lo + hi) / 2;
    app->pinned = false;
}

/* The focused metric's point under the cursor. */
static bool focus_point(TsApp *app, size_t *track, size_t *index) {
    size_t f = app_focus_track(app);
    if (f == SIZE_MAX || !app->have_cursor) return false;
    *track = f;
    if (app->pinned && app->pin_track == f) {
        *index = app->pin_index;
        return true;
    }
    return ts_readout_nearest(app_track_lod(app, &app->tracks[f], false), app->cursor_x, index);
}

static void point_step(TsApp *app, int dir) {
    app_sync(app);
    size_t f, idx, next;
    if (!focus_point(app, &f, &idx)) return;
    if (!ts_readout_step(app_track_lod(app, &app->tracks[f], false), idx, dir, &next)) {
        app_msg(app, false, dir > 0 ? "last logged point" : "first logged point");
        return;
    }
    pin(app, f, next);
    ensure_visible(app);
}

static void point_end(TsApp *app, bool last) {
    app_sync(app);
    size_t f = app_focus_track(app), idx;
    if (f == SIZE_MAX) return;
    const TsLod *lod = app_track_lod(app, &app->tracks[f], false);
    if (!(last ? ts_readout_last(lod, &idx) : ts_readout_first(lod, &idx))) return;
    pin(app, f, idx);
    ensure_visible(app);
}

static void zoom(TsApp *app, double factor, double center) {
    app_sync(app);
    if (app->n_panels == 0) return;
    TsPlotSpec spec = app->panels[0].spec;
    double min_w = app->set.x_axis == TS_XAXIS_STEP ? 2.0 : 0.5;
    ts_plot_zoom_x(&spec, center, factor, min_w);
    set_view(app, spec.x0, spec.x1);
}

static void pan(TsApp *app, double frac) {
    app_sync(app);
    if (app->n_panels == 0 || !app->zoomed) {
        if (!app->zoomed) app_msg(app, false, "the whole run is shown: zoom in (+) to pan");
        return;
    }
    TsPlotSpec spec = app->panels[0].spec;
    ts_plot_pan_x(&spec, frac);
    set_view(app, spec.x0, spec.x1);
}

static bool axis_has_data(TsApp *app) {
    app_prepare(app);
    for (size_t i = 0; i < app->n_tracks; i++)
        if (app->tracks[i].shown && app_track_lod(app, &app->tracks[i], false)) return true;
    return false;
}

static void cycle_x_axis(TsApp *app) {
    app_sync(app);
    size_t f = SIZE_MAX, idx = 0;
    bool had = focus_point(app, &f, &idx);
    TsXAxis from = app->set.x_axis;
    for (int k = 1; k < TS_XAXIS_COUNT; k++) {
        app->set.x_axis = (TsXAxis)((from + k) % TS_XAXIS_COUNT);
        app_tracks_need_wall(app);
        if (axis_has_data(app)) break;
        if (k == TS_XAXIS_COUNT - 1) app->set.x_axis = from;
    }
    if (app->set.x_axis == from) {
        app_msg(app, true, "no wall time was logged for the shown metrics");
        return;
    }
    app->zoomed = false;
    app->have_cursor = false;
    app->pinned = false;
    app_prepare(app);
    if (had && app_track_lod(app, &app->tracks[f], false) && isfinite(ts_lod_x(app_track_lod(app, &app->tracks[f], false), idx)))
        pin(app, f, idx);
    const char *what[] = {"x axis: logged step", "x axis: wall time since the earliest run start",
                          "x axis: time since each run's start"};
    app_msg(app, false, "%s", what[app->set.x_axis]);
}

static void smoothing_msg(TsApp *app) {
    if (app->set.smoothing == TS_SMOOTH_OFF)
        app_msg(app, false, "smoothing off (weight %.2f; s turns it on)", app->set.smooth_weight);
    else
        app_msg(app, false, "smoothing: %s, weight %.2f (raw curve dimmed)", ts_smooth_name(app->set.smoothing),
                app->set.smooth_weight);
}

static int list_rows_visible(const TsApp *app) {
    int h = app->layout.list.h - 1;
    return h > 1 ? h : 1;
}

static size_t sel_row(const TsApp *app) {
    for (size_t r = 0; r < app->n_rows; r++)
        if (app->rows[r] == app->sel) return r;
    return 0;
}

static void list_move(TsApp *app, long d) {
    if (app->n_rows == 0) return;
    app_sync(app);
    long r = (long)sel_row(app) + d;
    if (r < 0) r = 0;
    if (r >= (long)app->n_rows) r = (long)app->n_rows - 1;
    app->sel = app->rows[r];
    int vis = list_rows_visible(app);
    if ((size_t)r < app->list_top) app->list_top = (size_t)r;
    if ((size_t)r >= app->list_top + (size_t)vis) app->list_top = (size_t)r - (size_t)vis + 1;
    if (!app->set.list) app_msg(app, false, "selected %s", app->tracks[app->sel].label);
}

static void show_track(TsApp *app, size_t ti, bool shown) {
    TsTrack *t = &app->tracks[ti];
    t->shown = shown;
    if (shown) {
        TsErr err;
        ts_err_clear(&err);
        if (!app_track_load(app, t, &err)) {
            t->shown = false;
            app_msg(app, true, "%s", err.msg);
        }
    } else if (app->pinned && app->pin_track == ti) {
        app->pinned = false;
    }
}

static void do_action(TsApp *app, TsAction a);

void ts_app_do(TsApp *app, TsAction a) {
    do_action(app, a);
    app->geom_valid = false;
}

static void do_action(TsApp *app, TsAction a) {
    app->dirty = true;
    if (app_runs_action(app, a)) return; /* the run list has the keys */
    switch (a) {
    case TS_ACTION_CURSOR_LEFT: move_columns(app, -1); break;
    case TS_ACTION_CURSOR_RIGHT: move_columns(app, 1); break;
    case TS_ACTION_CURSOR_LEFT_FAST: move_columns(app, -10); break;
    case TS_ACTION_CURSOR_RIGHT_FAST: move_columns(app, 10); break;
    case TS_ACTION_POINT_PREV: point_step(app, -1); break;
    case TS_ACTION_POINT_NEXT: point_step(app, 1); break;
    case TS_ACTION_CURSOR_FIRST: point_end(app, false); break;
    case TS_ACTION_CURSOR_LAST: point_end(app, true); break;
    case TS_ACTION_ZOOM_IN: app_sync(app); zoom(app, 0.5, app->cursor_x); break;
    case TS_ACTION_ZOOM_OUT: app_sync(app); zoom(app, 2.0, app->cursor_x); break;
    case TS_ACTION_ZOOM_RESET: app->zoomed = false; break;
    case TS_ACTION_PAN_LEFT: pan(app, -0.25); break;
    case TS_ACTION_PAN_RIGHT: pan(app, 0.25); break;
    case TS_ACTION_LOG_X:
        app->set.log_x = !app->set.log_x;
        if (app->zoomed && app->set.log_x && app->vx0 < app_x_origin(app)) app->zoomed = false;
        app_msg(app, false, app->set.log_x ? "log-x: log10(x + 1)" : "linear x axis");
        break;
    case TS_ACTION_LOG_Y:
        app->set.log_y = !app->set.log_y;
        app_msg(app, false, app->set.log_y ? "log-y: values <= 0 are gaps, marked below the plot" : "linear y axis");
        break;
    case TS_ACTION_X_AXIS: cycle_x_axis(app); break;
    case TS_ACTION_SMOOTH_CYCLE:
        app->set.smoothing = (TsSmoothMethod)((app->set.smoothing + 1) % TS_SMOOTH_COUNT);
        smoothing_msg(app);
        break;
    case TS_ACTION_SMOOTH_LESS:
    case TS_ACTION_SMOOTH_MORE: {
        double w = app->set.smooth_weight + (a == TS_ACTION_SMOOTH_MORE ? 0.05 : -0.05);
        w = round(w * 100) / 100;
        if (w < 0) w = 0;
        if (w > 0.999) w = 0.999;
        app->set.smooth_weight = w;
        smoothing_msg(app);
        break;
    }
    case TS_ACTION_TOGGLE_LIST: app->set.list = !app->set.list; break;
    case TS_ACTION_LIST_UP: list_move(app, -1); break;
    case TS_ACTION_LIST_DOWN: list_move(app, 1); break;
    case TS_ACTION_LIST_PAGE_UP: app_sync(app); list_move(app, -list_rows_visible(app)); break;
    case TS_ACTION_LIST_PAGE_DOWN: app_sync(app); list_move(app, list_rows_visible(app)); break;
    case TS_ACTION_TOGGLE_METRIC:
        if (app->sel < app->n_tracks) show_track(app, app->sel, !app->tracks[app->sel].shown);
        break;
    case TS_ACTION_SHOW_ONLY:
        if (app->sel >= app->n_tracks) break;
        for (size_t i = 0; i < app->n_tracks; i++)
            if (i != app->sel) show_track(app, i, false);
        show_track(app, app->sel, true);
        break;
    case TS_ACTION_FILTER:
        app->prompt = true;
        snprintf(app->prompt_buf, sizeof app->prompt_buf, "%s", app->filter);
        break;
    case TS_ACTION_OVERLAY:
        app->set.overlay = !app->set.overlay;
        app_msg(app, false, app->set.overlay ? "all metrics in one panel" : "one panel per metric");
        break;
    case TS_ACTION_FOLLOW:
        app->set.follow = !app->set.follow;
        app_msg(app, false, app->set.follow ? "follow: re-reading growing files every 2 s" : "follow off");
        break;
    case TS_ACTION_REDRAW:
        app->force_repaint = true;
        app_marks_reread(app); /* app_phases.h: marks files changed by other processes */
        break;
    case TS_ACTION_RUNS_TOGGLE:
    case TS_ACTION_RUNS_FOCUS:
    case TS_ACTION_RUNS_FILTER:
    case TS_ACTION_RUNS_SORT:
    case TS_ACTION_RUNS_ALL:
    case TS_ACTION_SIDE_BY_SIDE:
    case TS_ACTION_SHARED_Y:
    case TS_ACTION_GROUPS:
    case TS_ACTION_GROUP_KEY:
    case TS_ACTION_ALIGN:
    case TS_ACTION_READOUT_TABLE: app_runs_do(app, a); break;
    case TS_ACTION_DETECT:
    case TS_ACTION_CP_MORE:
    case TS_ACTION_CP_FEWER:
    case TS_ACTION_CP_ACCEPT:
    case TS_ACTION_DETECT_METHOD:
    case TS_ACTION_DETECT_COST:
    case TS_ACTION_MARK_POINT:
    case TS_ACTION_MARK_INTERVAL:
    case TS_ACTION_MARK_EDIT:
    case TS_ACTION_MARK_DELETE:
    case TS_ACTION_MARK_UNDO:
    case TS_ACTION_MARK_NEXT:
    case TS_ACTION_MARK_PREV:
    case TS_ACTION_ZOOM_INTERVAL:
    case TS_ACTION_MARKS_PANEL:
    case TS_ACTION_EXPORT: app_phases_action(app, a); break; /* app_phases.h */
    case TS_ACTION_HELP:
        app->help = !app->help;
        app->help_top = 0;
        break;
    case TS_ACTION_QUIT: app->quit = true; break;
    case TS_ACTION_NONE:
    case TS_ACTION_COUNT: app->dirty = false; break;
    }
}

/* Keys while the filter prompt is open: edit the text, filter live. */
static void prompt_key(TsApp *app, TsKey key) {
    if (app_phases_prompt_key(app, key)) return; /* label, export path, y/n: Enter, Esc */
    if (key == TS_KEY_ENTER) {
        app->prompt = false;
    } else if (key == TS_KEY_ESC) {
        app->prompt = false;
        app->prompt_buf[0] = '\0';
    } else if (!app_prompt_edit(app->prompt_buf, app->prompt_kind ? sizeof app->prompt_buf : sizeof app->filter,
                                key)) {
        return;
    }
    if (app->prompt_kind) { /* not the filter: just the text */
        app->dirty = true;
        return;
    }
    snprintf(app->filter, sizeof app->filter, "%.*s", (int)sizeof app->filter - 1, app->prompt_buf);
    app_filter_rows(app);
    app->list_top = 0;
    size_t r = sel_row(app);
    int vis = list_rows_visible(app);
    if (r >= (size_t)vis) app->list_top = r - (size_t)vis + 1;
    if (!app->set.list) app->set.list = true;
    app->dirty = true;
}

/* Keys on the help screen: scroll or close. */
static void help_key(TsApp *app, TsKey key, TsAction a) {
    int n = view_help_lines(app);
    int page = app->layout.body.h > 1 ? app->layout.body.h - 1 : 1;
    int top = app->help_top;
    if (a == TS_ACTION_HELP || a == TS_ACTION_QUIT || key == TS_KEY_ESC)
        app->help = false;
    else if (a == TS_ACTION_LIST_DOWN || key == TS_KEY_DOWN || key == 'j')
        top++;
    else if (a == TS_ACTION_LIST_UP || key == TS_KEY_UP || key == 'k')
        top--;
    else if (key == TS_KEY_PAGEDOWN || key == ' ')
        top += page;
    else if (key == TS_KEY_PAGEUP)
        top -= page;
    else if (a == TS_ACTION_REDRAW)
        app->force_repaint = true;
    else
        return;
    int max_top = n - app->layout.body.h;
    if (top > max_top) top = max_top;
    if (top < 0) top = 0;
    app->help_top = top;
    app->dirty = true;
}

static void mouse_event(TsApp *app, const TsKeyEvent *ev) {
    app_sync(app);
    if (app->layout.too_small) return;
    const TsRect *list = &app->layout.list;
    if (ev->button == 1 && ts_rect_has_point(*list, ev->x, ev->y)) {
        long row = ev->y - list->y - 1;
        if (row >= 0 && (size_t)row + app->list_top < app->n_rows) {
            app->sel = app->rows[(size_t)row + app->list_top];
            app->dirty = true;
        }
        return;
    }
    const TsPlotLayout *pl = main_layout(app);
    if (!pl || !ts_rect_has_point(app->layout.plot, ev->x, ev->y)) return;
    int col = ev->x;
    if (col < pl->area.x) col = pl->area.x;
    if (col >= pl->area.x + pl->area.w) col = pl->area.x + pl->area.w - 1;
    double lo, hi;
    if (!ts_plot_col_range(pl, col, &lo, &hi)) return;
    double x = (lo + hi) / 2;
    if (ev->button == 1) {
        app->cursor_x = x;
        app->have_cursor = true;
        app->pinned = false;
    } else if (ev->button == 4) {
        zoom(app, 0.5, x);
    } else if (ev->button == 5) {
        zoom(app, 2.0, x);
    } else {
        return;
    }
    app->dirty = true;
}

static void handle_key(TsApp *app, const TsKeyEvent *ev);

void ts_app_handle_key(TsApp *app, const TsKeyEvent *ev) {
    handle_key(app, ev);
    app->geom_valid = false;
}

static void handle_key(TsApp *app, const TsKeyEvent *ev) {
    if (app->msg[0] || app->note[0]) app->dirty = true;
    app->msg[0] = '\0';
    app->note[0] = '\0';
    if (ev->key == TS_KEY_RESIZE) {
        app->dirty = true;
        return;
    }
    if (ev->key == TS_KEY_MOUSE) {
        if (!app->help && !app->prompt && !app_runs_prompt_active(app) && !app_runs_mouse(app, ev)) mouse_event(app, ev);
        return;
    }
    if (app_runs_prompt_active(app)) {
        app_runs_prompt_key(app, ev->key);
        return;
    }
    if (app->prompt) {
        prompt_key(app, ev->key);
        return;
    }
    TsAction a = ts_keymap_lookup(&app->km, ev->key);
    if (app->help) {
        help_key(app, ev->key, a);
        return;
    }
    if (app_phases_key(app, ev->key, a)) return; /* marks panel; Esc cancels a detection */
    if (a == TS_ACTION_NONE) {
        if (ev->key == TS_KEY_ESC) return;
        char k[32];
        ts_key_display(ev->key, k, sizeof k);
        app_msg(app, false, "%s: not bound (? shows the keys)", k);
        app->dirty = true;
        return;
    }
    do_action(app, a);
}

/* ---- drawing ---- */

static bool cache_matches(const TsPanelCache *c, const TsPanel *pn, unsigned gen) {
    const TsPlotSpec *a = &c->spec, *b = &pn->spec;
    if (!c->valid || c->gen != gen || c->n_series != pn->n_series) return false;
    if (c->rect.x != pn->rect.x || c->rect.y != pn->rect.y || c->rect.w != pn->rect.w || c->rect.h != pn->rect.h)
        return false;
    if (a->x0 != b->x0 || a->x1 != b->x1 || a->logx != b->logx || a->x_origin != b->x_origin ||
        a->x_format != b->x_format || a->y_fixed != b->y_fixed || a->y0 != b->y0 || a->y1 != b->y1 ||
        a->logy != b->logy || a->mode != b->mode)
        return false;
    for (size_t i = 0; i < pn->n_series; i++) {
        const TsPlotSeries *p = &c->series[i], *q = &pn->series[i];
        if (p->lod != q->lod || p->style != q->style || p->label != q->label || p->dimmed != q->dimmed) return false;
    }
    return true;
}

/* Panels are drawn without the cursor into a per-panel cache, redrawn only
 * when their view or data changed; the cursor is laid over the cached
 * cells. Scrubbing therefore costs the same however many points a run has. */
static void draw_panels(TsApp *app, TsCellBuf *buf) {
    ts_cellbuf_fill(buf, app->layout.plot, ' ', TS_STYLE_DEFAULT);
    if (app->n_panels == 0) view_plot_empty(app, buf);
    for (int p = 0; p < app->n_panels; p++) {
        TsPanel *pn = &app->panels[p];
        TsPanelCache *c = &app->cache[p];
        if (!cache_matches(c, pn, app->data_gen)) {
            TsPlotSpec spec = pn->spec;
            spec.has_cursor = false;
            ts_cellbuf_resize(&c->cells, pn->rect.w, pn->rect.h);
            view_plot_panel(app, pn, &spec, &c->cells, (TsRect){0, 0, pn->rect.w, pn->rect.h}, &c->pl);
            c->spec = spec;
            if (c->series_cap < pn->n_series) {
                c->series_cap = pn->n_series;
                c->series = ts_xreallocarray(c->series, c->series_cap, sizeof *c->series);
            }
            for (size_t i = 0; i < pn->n_series; i++) c->series[i] = pn->series[i];
            c->n_series = pn->n_series;
            c->rect = pn->rect;
            c->gen = app->data_gen;
            c->valid = true;
        }
        for (int y = 0; y < c->cells.h; y++)
            for (int x = 0; x < c->cells.w; x++) {
                const TsCell *cell = &c->cells.cells[(size_t)y * (size_t)c->cells.w + (size_t)x];
                int bx = pn->rect.x + x, by = pn->rect.y + y;
                if (bx >= 0 && by >= 0 && bx < buf->w && by < buf->h) buf->cells[(size_t)by * (size_t)buf->w + (size_t)bx] = *cell;
            }
        view_plot_cursor(app, buf, &c->pl, pn->rect.x, pn->rect.y);
    }
}

void ts_app_render(TsApp *app, TsCellBuf *buf) {
    if (buf->w != app->w || buf->h != app->h) ts_cellbuf_resize(buf, app->w, app->h);
    app_sync(app);
    ts_cellbuf_clear(buf, TS_STYLE_DEFAULT);
    app->dirty = false;
    if (app->layout.too_small) {
        view_too_small_draw(app, buf);
        return;
    }
    view_header_draw(app, buf, app->layout.header);
    if (app->help) {
        view_help_draw(app, buf, app->layout.body);
    } else {
        view_list_draw(app, buf, app->layout.list);
        draw_panels(app, buf);
        view_runs_draw(app, buf); /* run list and readout table */
        app_phases_draw(app, buf); /* the marks panel */
    }
    view_status_draw(app, buf, app->layout.status);
}

/* ---- the terminal loop ---- */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die_restore(void) {
    ts_term_close();
}

int ts_app_run_terminal(TsApp *app, TsErr *err) {
    if (!ts_sig_install(err)) return -1;
    TsTermOptions opts = {app->set.mouse, app->utf8};
    if (!ts_term_open(&opts, err)) {
        ts_sig_uninstall();
        return -1;
    }
    ts_set_die_handler(die_restore);
    ts_term_set_theme(&app->theme);
    app->load_stepwise = true;
    int w, h;
    ts_term_size(&w, &h);
    ts_app_resize(app, w, h);
    TsCellBuf frame;
    ts_cellbuf_init(&frame, w, h);
    int ended_by = 0;
    double next_refresh = now_s() + FOLLOW_PERIOD_S;
    while (!app->quit) {
        if (app->dirty) {
            if (app->force_repaint) {
                ts_term_force_repaint();
                app->force_repaint = false;
            }
            ts_app_render(app, &frame);
            ts_term_present(&frame);
        }
        struct pollfd fds[2] = {{ts_term_input_fd(), POLLIN, 0}, {ts_sig_fd(), POLLIN, 0}};
        int timeout = -1;
        if (app->loading > 0) {
            /* more metrics to read: look at input, then go on reading */
            timeout = 0;
            app->dirty = true;
            app->geom_valid = false;
        }
        if (app->set.follow && timeout != 0) {
            double wait = next_refresh - now_s();
            timeout = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
        }
        timeout = app_phases_poll_timeout(app, timeout); /* detection: slices, or a thread preparing */
        int rc = poll(fds, 2, timeout);
        if (rc < 0 && errno != EINTR) break;
        unsigned sigs = ts_sig_take();
        if (sigs & (TS_SIG_INT | TS_SIG_TERM | TS_SIG_HUP)) {
            ended_by = (sigs & TS_SIG_TERM) ? SIGTERM : (sigs & TS_SIG_INT) ? SIGINT : SIGHUP;
            break;
        }
        if (sigs & TS_SIG_WINCH) {
            ts_term_resize(&w, &h);
            ts_app_resize(app, w, h);
        }
        if (sigs & TS_SIG_CONT) {
            app->force_repaint = true;
            app->dirty = true;
        }
        if (rc > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))) break; /* the tty went away */
        TsKeyEvent ev;
        while (!app->quit && ts_term_read_key(&ev)) {
            if (ev.key == TS_KEY_RESIZE) {
                ts_term_resize(&w, &h);
                ts_app_resize(app, w, h);
                continue;
            }
            ts_app_handle_key(app, &ev);
        }
        app_phases_tick(app); /* about 15 ms of detection, then back to input */
        if (app->set.follow && now_s() >= next_refresh) {
            /* A cursor on the last point stays on the last point (tail). */
            size_t f = app_focus_track(app);
            bool at_end = f != SIZE_MAX && app->pinned && app->pin_track == f &&
                          app->pin_index + 1 == app->tracks[f].s.n;
            if (app_refresh(app)) {
                app->dirty = true;
                app->geom_valid = false;
                if (at_end) point_end(app, true);
            }
            app_marks_reread(app); /* marks added elsewhere (trajscope mark) */
            next_refresh = now_s() + FOLLOW_PERIOD_S;
        }
    }
    ts_term_close();
    ts_set_die_handler(NULL);
    ts_sig_uninstall();
    ts_cellbuf_fini(&frame);
    return ended_by;
}

/* ---- headless scripts ---- */

static bool write_text_atomic(const char *path, const char *text, TsErr *err) {
    char *tmp = ts_xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        ts_err_set(err, "%s: %s", path, strerror(errno));
        free(tmp);
        return false;
    }
    size_t len = strlen(text), off = 0;
    bool ok = true;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        off += (size_t)n;
    }
    if (ok && fsync(fd) != 0) ok = false;
    if (close(fd) != 0) ok = false;
    if (ok && rename(tmp, path) != 0) ok = false;
    if (!ok) {
        ts_err_set(err, "%s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

static bool dump_screen(TsApp *app, TsCellBuf *buf, const char *path, TsErr *err) {
    ts_app_render(app, buf);
    char *text = ts_cellbuf_to_text(buf);
    bool ok = write_text_atomic(path, text, err);
    free(text);
    return ok;
}

bool ts_app_run_script(TsApp *app, int w, int h, const char *script, const char *dump_path, TsErr *err) {
    ts_app_resize(app, w, h);
    TsCellBuf buf;
    ts_cellbuf_init(&buf, w, h);
    ts_app_render(app, &buf);
    bool ok = true;
    int lineno = 0;
    const char *p = script ? script : "";
    while (*p && ok && !app->quit) {
        lineno++;
        size_t len = strcspn(p, "\n");
        char *line = ts_xstrndup(p, len);
        p += len;
        if (*p == '\n') p++;
        char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = '\0';
        if (!*s || *s == '#') {
            free(line);
            continue;
        }
        TsKeyEvent ev = {TS_KEY_NONE, 0, 0, 0};
        char arg[4096];
        int x, y;
        if (s[0] == ':' && s[1]) {
            if (sscanf(s, ":dump %4095s", arg) == 1) {
                ok = dump_screen(app, &buf, arg, err);
            } else if (sscanf(s, ":resize %dx%d", &x, &y) == 2 && x > 0 && y > 0 && x < 10000 && y < 10000) {
                ts_app_resize(app, x, y);
            } else if (sscanf(s, ":click %d %d", &x, &y) == 2) {
                ev = (TsKeyEvent){TS_KEY_MOUSE, x, y, 1};
            } else if (sscanf(s, ":wheel-up %d %d", &x, &y) == 2) {
                ev = (TsKeyEvent){TS_KEY_MOUSE, x, y, 4};
            } else if (sscanf(s, ":wheel-down %d %d", &x, &y) == 2) {
                ev = (TsKeyEvent){TS_KEY_MOUSE, x, y, 5};
            } else {
                ts_err_set(err, "script line %d: unknown command '%s'", lineno, s);
                ok = false;
            }
        } else if (!ts_key_parse(s, &ev.key)) {
            ts_err_set(err, "script line %d: unknown key '%s'", lineno, s);
            ok = false;
        }
        if (ok && ev.key != TS_KEY_NONE) {
            ts_app_handle_key(app, &ev);
            /* Draw after each event as the terminal would (state such as
             * geometry follows the frames). */
            ts_app_render(app, &buf);
        }
        free(line);
    }
    if (ok && dump_path) ok = dump_screen(app, &buf, dump_path, err);
    ts_cellbuf_fini(&buf);
    return ok;
}
