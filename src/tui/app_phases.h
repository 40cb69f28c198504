/* app_phases.h - change points and marks in the explorer (issues 4 and 6):
 * detection in bounded slices, CROPS stepping, marks with undo, the marks
 * panel, the label/export/consent prompts. Layer: tui (no curses). License: MIT.
 *
 * The state lives in an AppPhases owned by the TsApp (app->phases, created
 * on first use). app.c, app_model.c and view_bars.c call the hooks below
 * with one line each; everything else is in app_cpd.c, app_marks.c and
 * view_marks.c. Marks and change points reach the plots through the
 * per-panel TsPlotSpec (markers and spans), so every panel gets them. */
#ifndef TRAJSCOPE_TUI_APP_PHASES_H
#define TRAJSCOPE_TUI_APP_PHASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/cpd.h"
#include "trajscope/err.h"
#include "trajscope/marks.h"
#include "trajscope/marks_file.h"
#include "tui/app_priv.h"

/* Most change points on the path `}` and `{` step through. */
#define APP_CPD_MAX_CP 10
/* Above this many points detection runs on a log(step + 1) grid of
 * APP_CPD_GRID_POINTS (docs/DETECTION.md: CROPS on 10^6 raw points takes
 * tens of seconds). The mean cost prunes well (FPOP); meanvar and slope
 * need the grid sooner (CROPS on 2*10^4 points of a smooth curve: 10-20 s,
 * on 5000: about 1 s). */
#define APP_CPD_GRID_ABOVE 20000
#define APP_CPD_GRID_ABOVE_SLOW 5000
#define APP_CPD_GRID_POINTS 5000
/* Cost evaluations per ts_cpd_job_step() call and wall time per tick. */
#define APP_CPD_BUDGET 100000
#define APP_CPD_TICK_S 0.015
/* How often the loop looks whether a job's preparation (a thread) ended. */
#define APP_CPD_WAIT_MS 10

/* Prompt kinds (app->prompt_kind; 0 is the metric filter). */
enum {
    APP_PROMPT_MARK_LABEL = 100, /* a mark's label */
    APP_PROMPT_EXPORT,           /* the export path */
    APP_PROMPT_CONFIRM           /* y/n: move an unreadable marks file aside */
};

typedef enum AppCpdState {
    APP_CPD_IDLE = 0, /* nothing shown */
    APP_CPD_PENDING,  /* asked for: the job starts at the next tick (after a frame) */
    APP_CPD_RUNNING,  /* a job is being stepped */
    APP_CPD_DONE      /* a path of segmentations is shown */
} AppCpdState;

/* One segmentation on the path. */
typedef struct AppCpdLevel {
    size_t n;      /* change points */
    int64_t *step; /* ascending logged steps */
    double beta;   /* a penalty that gives it (NaN: none, e.g. BOCPD) */
    double beta_lo, beta_hi; /* CROPS: optimal for penalties in [lo, hi] */
} AppCpdLevel;

typedef struct AppCpd {
    /* settings (keys c and C) */
    TsCpdMethod method;
    TsCpdCost cost;
    TsCpdPenalty penalty;
    bool force_async; /* tests: step jobs by app_phases_tick() even headless
                         (headless otherwise runs a detection to the end at once) */

    AppCpdState state;
    size_t track;       /* the analysed track */
    TsCpdOptions opts;  /* of the detection in progress or shown */
    size_t n_points;    /* points given */
    TsCpdJob *job;
    struct CpdWorker *worker;    /* preparing the job in a thread (app_cpd.c) */
    struct CpdWorker **zombies;  /* cancelled workers, freed when they end */
    size_t n_zombies;
    int job_k;          /* binseg: max_cp of the running job; -1 the penalty run */
    TsCpdResult *bs;    /* binseg results: [0] the penalty run, [k] max_cp = k */
    size_t n_bs;
    double progress;
    /* the path, fewest change points first */
    AppCpdLevel *level;
    size_t n_level;
    size_t cur, preferred;
    double pref_beta;   /* the options' penalty (beta) */
    bool pref_stable;   /* preferred is the most stable level: the penalty asked
                           for more changes than the path holds (a staircase) */
    double sigma;
    size_t n_analysed;
    bool crops_complete;
} AppCpd;

/* The marks of one run. */
typedef struct AppRunMarks {
    bool loaded;      /* loaded when first needed (a run drawn, an action) */
    TsMarkSet *set;
    TsMarkSet *base;  /* what the file held when set was loaded, saved or
                         merged last: the base of the three-way merge */
    TsMarksFileStamp stamp; /* the marks files then (app_marks_reread) */
    bool stamp_valid;
    char *from;       /* the file they were loaded from, or NULL */
    char *bad_path;   /* an unreadable marks file (nothing is saved then) */
    char err[TS_ERR_MSG_MAX];
    char **disp;      /* sanitized, shortened labels by sorted index */
    size_t n_disp;
    uint64_t disp_gen;
    bool disp_valid;
} AppRunMarks;

/* Plot decorations of one panel. */
typedef struct AppDecor {
    TsPlotMarker *mk;
    size_t n_mk, cap_mk;
    TsPlotSpan *sp;
    size_t n_sp, cap_sp;
} AppDecor;

typedef struct AppMarkRef {
    size_t run;
    uint64_t id;
} AppMarkRef;

typedef struct AppPhases {
    AppCpd cpd;
    AppRunMarks *rm;
    size_t n_rm;
    /* the order of changes over all runs, for u */
    size_t *undo_run;
    size_t n_undo, cap_undo;
    /* i pressed once: an interval is being made */
    bool interval_open;
    size_t interval_run;
    int64_t interval_start;
    /* n / N: where the last jump went (the cursor sits on the metric's
     * nearest logged point, which may be before the mark) */
    bool jump_valid;
    int64_t jump_step;
    double jump_cursor_x;
    /* the marks panel (M) */
    bool panel;
    size_t panel_sel, panel_top;
    /* prompts */
    AppMarkRef edit;          /* the mark whose label is edited */
    size_t confirm_run;       /* the run whose marks file would be moved aside */
    TsAction confirm_then;    /* the action to do after yes */
    AppMarkRef confirm_target;
    bool confirm_has_target;
    char confirm_text[APP_MSG_MAX];
    /* per panel decorations */
    AppDecor *decor;
    size_t n_decor;
} AppPhases;

/* ---- hooks for app.c / app_model.c / view_bars.c ---- */

/* Frees everything (ts_app_free). */
void app_phases_free(TsApp *app);
/* Loads the marks of every opened run (end of ts_app_open). An unreadable
 * marks file is reported in the note and left untouched. */
void app_phases_opened(TsApp *app);
/* Performs one of the detection or marks actions. */
void app_phases_action(TsApp *app, TsAction a);
/* Keys before the keymap acts: the marks panel's navigation, Esc cancelling
 * a detection or an open interval. True when the key was used. */
bool app_phases_key(TsApp *app, TsKey key, TsAction a);
/* Keys while one of our prompts is open (Enter, Esc, y/n). True when the
 * key was used; false lets the line editor take it. */
bool app_phases_prompt_key(TsApp *app, TsKey key);
/* Draws our prompt into the status line; false when the prompt is not ours. */
bool app_phases_prompt_draw(const TsApp *app, TsCellBuf *buf, TsRect r);
/* The persistent right part of the status line (detection in progress,
 * method/cost/penalty and count, an open interval); false when none. */
bool app_phases_status(const TsApp *app, char *buf, size_t cap);
/* Sets panel idx's markers and spans (marks, change points, phases). */
void app_phases_decorate(TsApp *app, TsPanel *pn, int idx);
/* Draws the marks panel over the plot when open. */
void app_phases_draw(const TsApp *app, TsCellBuf *buf);
/* True while detection has work to do. */
bool app_phases_busy(const TsApp *app);
/* The loop's poll timeout given its own (ms, -1 = none): 0 while a job
 * has slices to run, APP_CPD_WAIT_MS while a thread prepares one. */
int app_phases_poll_timeout(const TsApp *app, int timeout);
/* Does one slice of detection work (about APP_CPD_TICK_S). */
void app_phases_tick(TsApp *app);
/* Ctrl-L and the follow tick: reads again the marks files of loaded runs
 * that changed on disk (stat only when they did not) and merges what
 * another process wrote into the marks shown; says so in the status. */
void app_marks_reread(TsApp *app);

/* ---- shared between app_cpd.c, app_marks.c and view_marks.c ---- */

/* The state, created on first use. */
AppPhases *app_phases(TsApp *app);
/* The step under the cursor: the focused metric's point there. */
bool app_phases_cursor_step(TsApp *app, size_t *track, int64_t *step);
/* The x position of a logged step on the current axis for track ti (the
 * step itself on the step axis; else the x of the point with the nearest
 * step, a resumed segment winning ties). False when it has no x. */
bool app_phases_step_x(const TsApp *app, size_t ti, int64_t step, double *x);
/* Moves the cursor to step on the focused metric (pinned to its point with
 * the nearest step) and pans a zoomed view to show it. */
void app_phases_goto_step(TsApp *app, int64_t step);
/* Track ti's full metric name as in the file ("eval/acc"; not sanitized). */
const char *app_phases_metric_name(const TsApp *app, size_t ti);
/* Marks changed (or the change points): every panel is drawn again. */
void app_phases_touch(TsApp *app);

/* app_cpd.c */
void app_cpd_action(TsApp *app, TsAction a);
void app_cpd_free(AppCpd *c);
/* app_cpd_free, then waits for cancelled workers (the app is freed). */
void app_cpd_shutdown(AppCpd *c);
bool app_cpd_cancel(TsApp *app);
/* Current change points (NULL when nothing is shown). */
const AppCpdLevel *app_cpd_current(const AppPhases *ph);
/* "pelt cost=mean penalty=mbic" for the shown detection. */
void app_cpd_describe(const AppCpd *c, char *buf, size_t cap);

/* app_marks.c */
void app_marks_action(TsApp *app, TsAction a);
/* Run r's marks, loaded on first use (an unreadable file is reported in
 * the note). */
AppRunMarks *app_marks_run(TsApp *app, size_t r);
/* Builds the display labels of run r's marks when they changed. */
void app_marks_disp(AppPhases *ph, size_t r);
/* Adds a mark to run r (undo, save, message). Returns the id or 0. */
uint64_t app_marks_add(TsApp *app, size_t r, const TsMark *m, const char *what);
/* The marks panel entries in display order. */
size_t app_marks_list(const TsApp *app, AppMarkRef *out, size_t cap);
size_t app_marks_total(const TsApp *app);
/* Jumps to the selected mark of the panel. */
void app_marks_panel_jump(TsApp *app);
/* Edits / deletes a given mark. */
void app_marks_edit(TsApp *app, AppMarkRef ref);
void app_marks_delete(TsApp *app, AppMarkRef ref);
void app_marks_undo(TsApp *app);

/* view_marks.c */
void view_marks_draw(const TsApp *app, TsCellBuf *buf);
/* Rows of marks the panel shows at once. */
int view_marks_rows(const TsApp *app);

#endif
