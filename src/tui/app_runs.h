/* app_runs.h - the explorer's run set: many runs opened through the run
 * index (metadata only until a run's curves are needed), which runs are
 * selected, the run list panel (sort, filter, sparklines, live marker),
 * and the keys that act on it.
 * Layer: tui (no curses). License: MIT.
 *
 * Model. Every opened run gets a fixed index r (its colour is series
 * colour r, whatever is selected). A run is drawn when it is selected and
 * passes the run filter ("visible"). With several runs the metric list
 * lists metric names: a name is wanted or not for all runs at once, and a
 * track (run, metric) is shown exactly when its name is wanted and its
 * run is visible. Runs are opened (HDF5 handle held) only while one of
 * their curves is needed; the run list's sparklines read the focused
 * metric of the rows on screen, a few per frame in a terminal. */
#ifndef TRAJSCOPE_TUI_APP_RUNS_H
#define TRAJSCOPE_TUI_APP_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trajscope/compare.h"
#include "trajscope/layout.h"
#include "trajscope/runset.h"
#include "tui/app.h"
#include "tui/keymap.h"
#include "tui/term.h"

/* Runs selected at start: all of them up to this many. */
#define APP_RUNS_DEFAULT_SELECT 6
/* Sparkline buckets computed per run (drawn merged to the width shown). */
#define APP_SPARK_BUCKETS 128
#define APP_RUNS_PROMPT_MAX 128

/* What the run list shows of one run's focused metric. */
typedef struct AppRunSummary {
    bool valid;       /* computed for name_id */
    size_t name_id;
    bool has_data;    /* the run has the metric and it has points */
    bool float32;
    TsSparkBucket b[APP_SPARK_BUCKETS];
    TsSparkSummary sum;
    TsSeriesStats st;
} AppRunSummary;

typedef struct AppRun {
    size_t set_index;   /* index in the run index */
    size_t first_track; /* tracks [first_track, first_track + n_tracks) belong to the run */
    size_t n_tracks;
    bool selected;
    bool passes;        /* passes the run filter */
    bool live;          /* follow mode saw the file grow at one of the last two polls */
    unsigned quiet;     /* polls since the last growth */
    bool stat_known;
    off_t size;
    int64_t mtime_ns;
    AppRunSummary sum;
} AppRun;

typedef enum AppRunsPrompt { APP_RUNS_PROMPT_NONE = 0, APP_RUNS_PROMPT_FILTER, APP_RUNS_PROMPT_GROUP_KEY } AppRunsPrompt;

typedef struct AppRuns {
    TsRunSet *set;
    TsSourceList sources;   /* every source given so far */
    AppRun *runs;           /* [app->n_runs] */

    /* metric names over all runs */
    char **names;           /* sanitized full names, in first-seen order */
    size_t n_names;
    size_t *track_name;     /* [n_tracks] name id of each track */
    size_t *rep;            /* [n_names] first track with the name (the metric list row) */
    bool *want;             /* [n_names] the name is shown */

    /* the run list panel */
    bool shown;             /* the panel is on */
    bool focus;             /* list keys act on the run list */
    size_t *rows;           /* runs passing the filter, in sort order */
    size_t n_rows;
    size_t cur;             /* row of the cursor */
    size_t top;             /* first row on screen */
    int vis_rows;           /* rows on screen in the last layout */
    TsRunSortBy sort;
    TsFilter *filter;
    char filter_text[APP_RUNS_PROMPT_MAX];
    AppRunsPrompt prompt;
    char prompt_buf[APP_RUNS_PROMPT_MAX];
    size_t pending;         /* summaries still to compute for the rows on screen */
    unsigned gen;           /* bumped when the set of visible runs changes */

    TsRect list_rect;       /* the run list (w == 0 when not shown) */
    TsRect table_rect;      /* the readout table (w == 0 when not shown) */
} AppRuns;

/* ---- opening and lifetime (app_runs.c) ---- */

/* Finds the runs under each path (files, run folders, folders searched
 * recursively: archives and logs), opens their metadata through the run
 * index, and fills app->runs (NULL until acquired), run_names, run_t0,
 * tracks and the initial shown metrics and selection. Returns how many
 * runs were added; *n_failed counts paths and runs that could not be
 * opened, the first error in first_err. */
size_t app_runs_open(TsApp *app, char *const *paths, size_t n_paths, size_t *n_failed, TsErr *first_err);
/* Frees the run set, app->runs, run_names and run_t0. */
void app_runs_free(TsApp *app);
/* Run r opened for reading (kept in app->runs[r]); NULL with err set. */
TsRun *app_runs_acquire(TsApp *app, size_t r, TsErr *err);
/* Visible runs in run list order (at most cap written); returns the count. */
size_t app_runs_visible_list(const TsApp *app, size_t *out, size_t cap);

/* ---- state ---- */

/* True when run r is drawn: selected and passing the filter. */
bool app_runs_visible(const TsApp *app, size_t r);
size_t app_runs_visible_count(const TsApp *app);
/* Name id of track ti (SIZE_MAX without a run set). */
size_t app_runs_track_name(const TsApp *app, size_t ti);
/* The track of run r with name id k, SIZE_MAX when the run lacks it. */
size_t app_runs_track_of(const TsApp *app, size_t r, size_t k);
/* Several runs: the metric list lists names. */
bool app_runs_multi(const TsApp *app);
/* With several runs: true when track ti is its name's list row. */
bool app_runs_is_rep(const TsApp *app, size_t ti);
/* With several runs: the name of track ti is wanted (list marker). */
bool app_runs_wanted(const TsApp *app, size_t ti);
/* A shown track with the same name as track ti (the focused metric of the
 * run list's cursor run first), SIZE_MAX when none. */
size_t app_runs_focus_for(const TsApp *app, size_t ti);
/* Name id of the focused metric (the run list's sparkline metric), SIZE_MAX when none. */
size_t app_runs_focus_name(const TsApp *app);
/* Recomputes which tracks are shown (wanted name and visible run). */
void app_runs_apply(TsApp *app);

/* ---- hooks called by app.c / app_model.c ---- */

/* Handles a (list) action when the run list has focus, and the metric
 * list's toggles with several runs; false: not handled here. */
bool app_runs_action(TsApp *app, TsAction a);
/* The run list and compare actions (R w f S * v Y b B A r). */
void app_runs_do(TsApp *app, TsAction a);
/* A prompt of the run list is open: keys go to app_runs_prompt_key. */
bool app_runs_prompt_active(const TsApp *app);
void app_runs_prompt_key(TsApp *app, TsKey key);
/* Mouse clicks in the run list and the side-by-side columns; true when used. */
bool app_runs_mouse(TsApp *app, const TsKeyEvent *ev);
/* Sparklines of the rows on screen (a few per call when stepwise); adds
 * what is left to app->loading. */
void app_runs_prepare(TsApp *app);
/* Follow mode: looks at every run's file (size, mtime) and re-reads the
 * open runs that grew; true when loaded data changed. */
bool app_runs_refresh(TsApp *app);
/* Rows at the bottom of the screen for the run list and the readout
 * table; computes the layout with them carved out. */
void app_runs_layout(TsApp *app, const TsLayoutRequest *req, TsLayout *out);
/* Right-hand status text (prompt excluded): "" when none. */
void app_runs_status_text(const TsApp *app, char *buf, size_t cap);

/* ---- views (view_runs.c) ---- */

/* The run list and the readout table (when shown). */
void view_runs_draw(const TsApp *app, TsCellBuf *buf);
/* The prompt of the run list on the status line; false when none is open. */
bool view_runs_prompt_draw(const TsApp *app, TsCellBuf *buf, TsRect r);
/* Text of the readout table (one line per row, for tests). */
void view_runs_table_text(TsApp *app, char *buf, size_t cap);

#endif
