/* layout.h - where the explorer's parts go on a screen of a given size.
 * Layer: render (pure arithmetic, no curses). License: MIT.
 *
 * The explorer's screen is a header line, an optional metric list on the
 * left, the plot area (one or more stacked panels sharing the x axis, plus
 * the rows of that shared axis) and a status line. ts_layout_compute()
 * turns a terminal size and a few wishes into rectangles that never
 * overlap and always lie inside the screen; below the minimum size it
 * says so (too_small) and the caller shows a "terminal too small" screen. */
#ifndef TRAJSCOPE_LAYOUT_H
#define TRAJSCOPE_LAYOUT_H

#include <stdbool.h>

#include "trajscope/cellbuf.h"

#define TS_LAYOUT_MAX_PANELS   16
#define TS_LAYOUT_MIN_COLS     40 /* smallest usable terminal */
#define TS_LAYOUT_MIN_ROWS     10
#define TS_LAYOUT_PANEL_MIN_H  6  /* rows a stacked panel needs (axis, labels, legend + curves) */
#define TS_LAYOUT_PLOT_MIN_W   32 /* columns the plot keeps when the list is shown */
#define TS_LAYOUT_LIST_MIN_W   14

typedef struct TsLayoutRequest {
    int cols, rows;   /* terminal size */
    bool show_list;   /* the metric list is wanted */
    int list_width;   /* preferred list width in columns, border included; 0 = 24 */
    int n_panels;     /* stacked panels wanted (0: none, the plot area stays empty) */
    int xaxis_rows;   /* rows under the panels for the shared x axis (0..3) */
} TsLayoutRequest;

typedef struct TsLayout {
    bool too_small;             /* below TS_LAYOUT_MIN_COLS x TS_LAYOUT_MIN_ROWS */
    int need_cols, need_rows;   /* the minimum size, for the message */
    TsRect screen;              /* 0, 0, cols, rows */
    TsRect header;              /* the first row */
    TsRect status;              /* the last row */
    TsRect body;                /* everything between header and status */
    TsRect list;                /* w == 0 when hidden or when it does not fit */
    bool list_dropped;          /* wanted but no room: the caller may say so */
    TsRect plot;                /* panels + x axis rows */
    TsRect xaxis;               /* h == 0 when no axis rows were asked for */
    int n_panels;               /* panels that fit: <= request and <= MAX */
    TsRect panels[TS_LAYOUT_MAX_PANELS]; /* top to bottom, full plot width */
} TsLayout;

/* Computes the layout for req into out (all of it rewritten). When
 * too_small is set only screen, need_cols and need_rows are meaningful and
 * every other rectangle is empty. */
void ts_layout_compute(const TsLayoutRequest *req, TsLayout *out);

/* True when (x, y) lies inside r. */
bool ts_rect_has_point(TsRect r, int x, int y);
/* True when inner lies completely inside outer (an empty inner always does). */
bool ts_rect_inside(TsRect inner, TsRect outer);
/* True when two non-empty rectangles share a cell. */
bool ts_rect_overlaps(TsRect a, TsRect b);

#endif
