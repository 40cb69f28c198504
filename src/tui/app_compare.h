/* app_compare.h - comparing runs in the explorer: side-by-side columns with
 * one cursor, shared or independent y ranges, seed groups drawn as a
 * mean/median line over a shaded band, x alignment of runs (step, time
 * since each run's start, tokens, phase onset), and the readout table.
 * Layer: tui (no curses). License: MIT.
 *
 * The maths lives in compare.h (group statistics, alignment offsets); this
 * module keeps what the explorer derived from it (aligned pyramids, group
 * curves) and rebuilds it when the selection, the data or a setting
 * changes. */
#ifndef TRAJSCOPE_TUI_APP_COMPARE_H
#define TRAJSCOPE_TUI_APP_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/compare.h"
#include "trajscope/lod.h"
#include "trajscope/plot.h"
#include "tui/app.h"

struct TsTrack;

/* Columns side by side at most. */
#define APP_SIDE_MAX 6

typedef enum AppGroupMode {
    APP_GROUP_OFF = 0,
    APP_GROUP_MEAN_MINMAX, /* mean line, min-max band */
    APP_GROUP_MEAN_STD,    /* mean line, mean +- std band */
    APP_GROUP_MEDIAN_MINMAX,
    APP_GROUP_COUNT
} AppGroupMode;

/* The x alignment cycled by `A`. STEP and TIME use the explorer's own x
 * axes (step, time since each run's start); TOKENS, ONSET and MARK replace
 * every curve's x by tokens seen, or by step minus the run's phase onset
 * (its first change point in the focused metric) or minus the start of its
 * mark with the label of the mark nearest the cursor. */
typedef enum AppAlign {
    APP_ALIGN_STEP = 0,
    APP_ALIGN_TIME,
    APP_ALIGN_TOKENS,
    APP_ALIGN_ONSET,
    APP_ALIGN_MARK,
    APP_ALIGN_COUNT
} AppAlign;

/* Aligned pyramids of one track. */
typedef struct AppTrackAlign {
    TsLod *lod, *slod;      /* over (x, values) and (x, smoothed) */
    double *x;
    const double *src_v;    /* arrays the pyramids were built on (rebuilt when they change) */
    const double *src_s;
    size_t n;
    double offset;
    unsigned gen;           /* cmp->align_gen when built */
} AppTrackAlign;

typedef struct AppRunAlign {
    bool done;              /* computed for align_gen */
    unsigned gen;
    TsAlignResult res;
    size_t n_src;           /* points of the onset metric when computed */
} AppRunAlign;

/* One curve of a seed group in one panel row. */
typedef struct AppGroupCurve {
    size_t name_id;         /* metric */
    size_t unit;            /* the group */
    TsGroupStats st;
    double *lo, *hi;        /* band edges [st.n] */
    TsLod *line, *lod_lo, *lod_hi;
    TsStyle style;
    char *label;
    char *short_label;
} AppGroupCurve;

/* A drawing unit: one run, or one seed group of visible runs. */
typedef struct AppUnit {
    size_t *runs;
    size_t n_runs;
    char *name;             /* sanitized */
} AppUnit;

typedef struct AppCompare {
    bool side;              /* side by side */
    bool y_indep;           /* side by side: each column its own y range */
    bool table;             /* the readout table */
    AppGroupMode group;
    char group_key[128];    /* "" = the seed keys */

    /* units (runs or groups) of the visible runs */
    AppUnit *units;
    size_t n_units;
    unsigned units_sig;     /* runs gen + group settings they were made for */
    bool units_valid;

    /* group curves, rebuilt when their signature changes */
    AppGroupCurve *curves;
    size_t n_curves;
    uint64_t curves_sig;
    bool curves_valid;

    /* alignment */
    AppAlign align;
    char *align_metric;     /* ONSET: the metric whose change point is the onset */
    char *align_label;      /* MARK: the mark label (raw bytes) */
    char *align_label_disp; /* sanitized */
    unsigned align_gen;
    AppRunAlign *run_align; /* [n_runs] */
    AppTrackAlign *ta;      /* [n_tracks] */

    /* side by side, from the last geometry */
    int side_cols;
    size_t side_total;      /* units that wanted a column */
} AppCompare;

/* Frees the compare state. */
void app_cmp_free(TsApp *app);
/* Called when tracks are recreated (after opening). */
void app_cmp_reset(TsApp *app);
/* Shows or hides the readout table. */
void app_cmp_show_table(TsApp *app, bool on);
/* The group/side/align/table actions. */
void app_cmp_do(TsApp *app, TsAction a);
/* Sets the group key ("" = the seed keys) and regroups. */
void app_cmp_set_group_key(TsApp *app, const char *key);

/* True when curves use aligned x (TOKENS, ONSET, MARK). */
bool app_cmp_aligning(const TsApp *app);
/* Aligned pyramid of track t (NULL when the run is unaligned). */
const TsLod *app_cmp_track_lod(const TsApp *app, const struct TsTrack *t, bool want_smooth);
/* Builds aligned pyramids of the shown tracks (end of app_prepare). */
void app_cmp_prepare(TsApp *app);
/* Rebuilds the panels for side by side and seed groups (no-op otherwise). */
void app_cmp_panels(TsApp *app);
/* Side by side with shared y: one y range per row; returns the largest
 * y label width after the change. */
int app_cmp_share_y(TsApp *app, int max_label);
/* Band fill of seed groups over a drawn panel. */
void app_cmp_panel_draw(const TsApp *app, const TsPlotSpec *spec, TsCellBuf *buf, const TsPlotLayout *pl);
/* Header text ("align: onset of val/acc", "groups: mean, min-max"). */
void app_cmp_header_text(const TsApp *app, char *buf, size_t cap);
/* Status notes (unaligned runs, columns that did not fit); "" when none. */
void app_cmp_status_text(const TsApp *app, char *buf, size_t cap);
/* The x the readouts read at: the pinned point's x or the cursor's. */
bool app_cmp_cursor_x(const TsApp *app, double *x);
/* Where step lies on the x axis for run r's curves while aligning
 * (ONSET, MARK: step - offset; TOKENS: tokens seen at that step); x = step
 * when not aligning. False when run r is not aligned (not drawn). For
 * decorations (change points, marks) drawn over aligned curves. */
bool app_cmp_step_to_x(const TsApp *app, size_t r, double step, double *x);

#endif
