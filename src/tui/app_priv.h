/* app_priv.h - the explorer's state, shared by app.c, app_model.c and views.
 * Layer: tui (no curses). License: MIT.
 *
 * One TsApp owns everything: the runs, one TsTrack per metric of each run
 * (its points, statistics and level-of-detail pyramids, loaded when the
 * metric is first shown), the settings, the keymap, the theme, and the UI
 * state (selection, view range, cursor). Handlers change state and mark
 * the app dirty; app_prepare() brings caches up to date (reads, smoothing,
 * pyramids); views draw from a const TsApp into a TsCellBuf. */
#ifndef TRAJSCOPE_TUI_APP_PRIV_H
#define TRAJSCOPE_TUI_APP_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "trajscope/cellbuf.h"
#include "trajscope/layout.h"
#include "trajscope/lod.h"
#include "trajscope/plot.h"
#include "trajscope/run.h"
#include "trajscope/series.h"
#include "trajscope/smooth.h"
#include "tui/app.h"
#include "tui/config.h"
#include "tui/keymap.h"
#include "tui/theme.h"

typedef struct TsTrack {
    size_t run, metric;
    char *label;     /* sanitized "stream/metric", prefixed "run: " with several runs */
    char *name;      /* sanitized "stream/metric" */
    bool float32;    /* stored as float32: readouts print the shortest float text */
    bool shown;
    int colour;      /* series colour index */
    bool loaded, failed;
    TsSeries s;
    TsSeriesStats st;
    TsLod *lod[TS_XAXIS_COUNT];  /* raw values, per x axis (NULL until built / unavailable) */
    double *xrel;                /* wall time - run start, for TS_XAXIS_RELATIVE */
    double *smooth;              /* smoothed values (s.n), for smooth_m / smooth_w */
    TsSmoothMethod smooth_m;
    double smooth_w;
    TsLod *slod[TS_XAXIS_COUNT]; /* smoothed values, per x axis */
} TsTrack;

/* A panel drawn without the cursor, reused while only the cursor moves. */
typedef struct TsPanelCache {
    bool valid;
    TsPlotSpec spec;         /* the spec it was drawn with (series compared below) */
    TsPlotSeries *series;    /* copy of the spec's curves */
    size_t n_series, series_cap;
    TsRect rect;
    unsigned gen;            /* app->data_gen when drawn */
    TsCellBuf cells;         /* rect.w x rect.h */
    TsPlotLayout pl;         /* in cells' coordinates */
} TsPanelCache;

typedef struct TsPanel {
    TsPlotSpec spec;
    TsPlotSeries *series; /* into app->series_buf */
    size_t n_series;
    size_t n_tracks;
    size_t first_track;   /* track of the first curve (titles) */
    TsRect rect;          /* after y-axis alignment */
    TsPlotLayout pl;
} TsPanel;

#define APP_PROMPT_MAX 64
#define APP_PROMPT_LINE_MAX 4096 /* the prompt's line (labels, paths) */
#define APP_MSG_MAX 512
/* Panels at most: stacked rows times side-by-side columns (app_compare.h). */
#define APP_MAX_PANELS (TS_LAYOUT_MAX_PANELS * 6)

struct TsApp {
    TsSettings set;
    TsKeymap km;
    TsTheme theme;
    bool utf8;

    TsRun **runs;
    char **run_names; /* sanitized */
    double *run_t0;   /* first wall time of each run (NaN when unknown) */
    size_t n_runs;
    TsTrack *tracks;
    size_t n_tracks;

    /* metric list */
    size_t *rows; /* tracks matching the filter, in order */
    size_t n_rows;
    size_t sel;   /* selected track (SIZE_MAX when none) */
    size_t list_top;
    char filter[APP_PROMPT_MAX];
    bool prompt;
    int prompt_kind; /* 0: the filter; app_phases.h: label, export path, y/n */
    char prompt_buf[APP_PROMPT_LINE_MAX];

    /* view */
    bool zoomed;
    double vx0, vx1;
    bool have_cursor;
    double cursor_x;
    bool pinned; /* the cursor sits on point pin_index of pin_track */
    size_t pin_track, pin_index;
    bool help;
    int help_top;
    bool force_repaint;

    char msg[APP_MSG_MAX]; /* transient message (until the next key) */
    bool msg_error;
    char note[APP_MSG_MAX]; /* startup problems (config, files), shown until a key */

    bool quit;
    bool dirty;
    bool geom_valid; /* layout and panels match the state */
    bool load_stepwise; /* read at most one metric per app_prepare (terminal) */
    size_t loading;     /* shown metrics still to read */

    /* geometry of the current state (app_geometry) */
    int w, h;
    TsLayout layout;
    TsPanel panels[APP_MAX_PANELS];
    int n_panels;
    int n_groups; /* panels wanted (some may not fit) */
    TsPanelCache cache[APP_MAX_PANELS];
    unsigned data_gen; /* bumped whenever a pyramid is built or freed */
    TsPlotSeries *series_buf;
    size_t series_cap;
    double data_x0, data_x1;
    bool have_data;

    struct AppRuns *rs;        /* run set, run list (app_runs.h) */
    struct AppCompare *cmp;    /* side by side, groups, alignment (app_compare.h) */
    struct AppPhases *phases;  /* change points and marks (app_phases.h) */
};

/* ---- app_model.c ---- */

/* Reads a track's points (once); false with err set on failure. */
bool app_track_load(TsApp *app, TsTrack *t, TsErr *err);
/* When the x axis shows time, drops the loaded tracks read without their
 * wall times (which exist in the file), so app_prepare reads them again. */
void app_tracks_need_wall(TsApp *app);
void app_track_fini(TsTrack *t);
/* The track's pyramid for the current x axis (raw, or smoothed when
 * smoothing is on and want_smooth); NULL when not built or unavailable. */
const TsLod *app_track_lod(const TsApp *app, const TsTrack *t, bool want_smooth);
/* Loads shown tracks and builds what the current settings need. */
void app_prepare(TsApp *app);
/* Recomputes layout, panels and plot layouts for the current state and
 * size (no drawing). */
void app_geometry(TsApp *app);
/* The track the cursor readout and point navigation follow: the selected
 * one when shown, else the first shown; SIZE_MAX when nothing is shown. */
size_t app_focus_track(const TsApp *app);
/* The x origin of the current axis (0 for steps, the earliest run start
 * for wall time, 0 for relative time). */
double app_x_origin(const TsApp *app);
/* app.c's helpers for app_phases: app_sync, set_view and ensure_visible. */
void app_sync_now(TsApp *app);
void app_set_view(TsApp *app, double x0, double x1);
void app_ensure_visible(TsApp *app);
/* Drops smoothed caches (settings changed). */
void app_invalidate_smoothing(TsApp *app);
/* Re-reads files that grew (follow mode); true when anything changed. */
bool app_refresh(TsApp *app);
/* Rebuilds app->rows from the filter. */
void app_filter_rows(TsApp *app);

/* ---- app.c: shared by the app_*.c modules ---- */

/* Sets the status-line message (printf format; sanitized: names and labels
 * come from files) and asks for a redraw. */
void app_msg(TsApp *app, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Line editing of a prompt's text: Backspace removes the last character
 * (UTF-8 aware), a printable key appends it while the text (and its NUL)
 * fits in cap bytes. True when the key was one of these. */
bool app_prompt_edit(char *buf, size_t cap, TsKey key);

/* ---- views ---- */
void view_header_draw(const TsApp *app, TsCellBuf *buf, TsRect r);
void view_status_draw(const TsApp *app, TsCellBuf *buf, TsRect r);
void view_list_draw(const TsApp *app, TsCellBuf *buf, TsRect r);
/* Draws panel pn with spec into rect of buf (layout into *pl). */
void view_plot_panel(const TsApp *app, const TsPanel *pn, const TsPlotSpec *spec, TsCellBuf *buf, TsRect rect,
                     TsPlotLayout *pl);
/* The time cursor over a panel drawn with layout pl, offset by dx, dy. */
void view_plot_cursor(const TsApp *app, TsCellBuf *buf, const TsPlotLayout *pl, int dx, int dy);
/* The message shown when no panel can be drawn. */
void view_plot_empty(const TsApp *app, TsCellBuf *buf);
void view_help_draw(const TsApp *app, TsCellBuf *buf, TsRect r);
/* Lines of the help text (for scrolling limits). */
int view_help_lines(const TsApp *app);
void view_too_small_draw(const TsApp *app, TsCellBuf *buf);

/* Glyphs that depend on UTF-8 support. */
const char *app_glyph(const TsApp *app, const char *utf8, const char *ascii);

#endif
