/* plot.h - a viewport onto one or more curves, drawn into a TsCellBuf.
 * Layer: render (pure: no I/O, no clock, no state between calls). License: MIT.
 *
 * A TsPlotSpec says what to show (x range and scale, y range and scale,
 * curves, cursor, markers, shaded spans); ts_plot_render() draws it into a
 * rectangle of a cell buffer:
 *
 *     1.0 ┤        ⡇            y tick labels, axis with ticks
 *         │   ⢀⡠⠔⠊⠉⠁⠈⠑⠢⢄⡀        plot area (canvas of dots, one lod
 *     0.5 ┤ ⡠⠊          ⠈⠢⡀     query per dot column per segment)
 *     NaN │   ×    ×            top lane: NaN (×) and +Inf (▲) markers
 *         └┬────────┬─────┬─    x axis
 *          0        5k    10k   x tick labels
 *     ── loss  × NaN  ┆ seam    legend
 *
 * Every point in [x0, x1] lands in exactly one dot column, which draws the
 * min-to-max span of all its points (from the TsLod, at full resolution),
 * joined to its neighbours by line pieces; a segment that starts at a lower
 * x than the previous one (a resumed run) is drawn on its own and marked
 * with a seam line. Non-finite values, and values <= 0 on a log y axis,
 * are never dropped: they break the line and get a marker in a lane above
 * (NaN, +Inf) or below (-Inf, <= 0) the plot area; the lanes exist when the
 * whole data holds such values, so they do not appear and vanish on panning.
 *
 * Nothing here modifies the series or remembers anything between calls. */
#ifndef TRAJSCOPE_PLOT_H
#define TRAJSCOPE_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "trajscope/axis.h"
#include "trajscope/canvas.h"
#include "trajscope/cellbuf.h"
#include "trajscope/lod.h"
#include "trajscope/style.h"

typedef struct TsPlotSeries {
    const TsLod *lod;   /* the curve's x and values (borrowed) */
    TsStyle style;      /* e.g. ts_style_series(k) */
    const char *label;  /* legend text (sanitized when drawn); NULL: not listed */
    bool dimmed;        /* raw curve under a smoothed one: drawn first, TS_STYLE_DIM */
} TsPlotSeries;

/* A vertical line across the plot area: change point, mark, phase edge. */
typedef struct TsPlotMarker {
    double x;
    TsStyle style;      /* TS_STYLE_CHANGEPOINT, TS_STYLE_MARK, ... */
    const char *label;  /* short text drawn beside the top of the line when it
                           fits in free cells (sanitized); NULL: none */
} TsPlotMarker;

/* A shaded x interval (phase, interval mark): empty cells get the style. */
typedef struct TsPlotSpan {
    double x0, x1;
    TsStyle style;      /* TS_STYLE_PHASE, TS_STYLE_MARK_SPAN, ... */
} TsPlotSpan;

/* Zero-initialised fields give: braille, linear axes, automatic y range,
 * legend and seams shown, no cursor. */
typedef struct TsPlotSpec {
    double x0, x1;          /* visible x range in the lods' x units (step or wall time) */
    bool logx;              /* x position = log10(1 + x - x_origin) */
    double x_origin;        /* log-x origin and zero of duration labels (0 for steps;
                               the run's first wall time for wall-time axes) */
    TsAxisFormat x_format;  /* TS_AXIS_NUMBER (steps) or TS_AXIS_DURATION (wall time) */
    bool y_fixed;           /* false: y range = min..max of the visible data, every
                               spike included; true: [y0, y1] */
    double y0, y1;
    bool logy;              /* y position = log10(y); y <= 0 are gaps with markers */
    TsCanvasMode mode;
    const TsPlotSeries *series;
    size_t n_series;
    bool has_cursor;
    double cursor_x;        /* vertical cursor line (TS_STYLE_CURSOR) */
    const TsPlotMarker *markers;
    size_t n_markers;
    const TsPlotSpan *spans;
    size_t n_spans;
    bool no_legend;
    bool no_seams;
} TsPlotSpec;

/* Where everything went; all rectangles in buffer coordinates. */
typedef struct TsPlotLayout {
    bool ok;            /* false: rect too small, nothing drawn */
    TsRect rect;        /* the whole plot */
    TsRect area;        /* the curves (canvas cells) */
    TsRect top_lane;    /* NaN / +Inf markers row (h = 0 when absent) */
    TsRect bottom_lane; /* -Inf / <= 0 markers row (h = 0 when absent) */
    int label_w;        /* width of the y label column (left of the axis) */
    int yaxis_x;        /* column of the y axis line */
    int xaxis_y;        /* row of the x axis line */
    int xlabel_y;       /* row of the x tick labels */
    int legend_y;       /* row of the legend, -1 when none */
    TsCanvasMode mode;
    int dx, dy;         /* dots per cell */
    TsAxis xaxis;       /* x scale actually used (range checked) */
    TsAxis yaxis;       /* y scale actually used (after the automatic range) */
    TsTicks xticks;     /* pos: column within the area */
    TsTicks yticks;     /* pos: row within the area, counted from the bottom */
} TsPlotLayout;

/* Computes the layout (y range, ticks, rectangles) without drawing.
 * Cost O(series * segments * log n). */
void ts_plot_layout(const TsPlotSpec *spec, TsRect rect, TsPlotLayout *out);

/* Draws the plot into rect of buf (cells outside rect are not touched;
 * cells inside are all overwritten). Fills *layout when not NULL. Cost
 * O(series * (dot columns + segments) * log n): independent of the
 * number of points. */
void ts_plot_render(const TsPlotSpec *spec, TsCellBuf *buf, TsRect rect, TsPlotLayout *layout);

/* The x range [*x_lo, *x_hi] shown by buffer column col of the area; false
 * when col is outside the area. */
bool ts_plot_col_range(const TsPlotLayout *l, int col, double *x_lo, double *x_hi);
/* Buffer column showing x, or -1 when x is outside [x0, x1]. */
int ts_plot_x_to_col(const TsPlotLayout *l, double x);
/* Buffer row showing y, or -1 when y is outside the y range (or <= 0 on a
 * log axis). */
int ts_plot_y_to_row(const TsPlotLayout *l, double y);
/* The y value at the middle of buffer row row of the area. */
double ts_plot_row_to_y(const TsPlotLayout *l, int row);

/* Smallest and largest finite x over all series; false when they hold no
 * point. */
bool ts_plot_data_x_range(const TsPlotSeries *series, size_t n, double *x0, double *x1);

/* Zooms spec's x range by factor (< 1 zooms in) around center, in the
 * scale's own space (so log-x zooms evenly); the range never shrinks below
 * min_width x units. */
void ts_plot_zoom_x(TsPlotSpec *spec, double center, double factor, double min_width);
/* Pans spec's x range by frac of its width (negative: left), in scale space. */
void ts_plot_pan_x(TsPlotSpec *spec, double frac);

#endif
