/* style.h - the semantic styles every drawn cell refers to.
 * Layer: render (pure). License: MIT.
 *
 * Drawing code never names a colour: it tags cells with a TsStyle, and the
 * terminal layer maps styles to colours and attributes from the theme
 * (the files in themes/ use the names below). One X-macro list yields the enum and
 * the name table, so themes, docs and code cannot drift apart. */
#ifndef TRAJSCOPE_STYLE_H
#define TRAJSCOPE_STYLE_H

#include <stdint.h>

#define TS_STYLE_LIST(X)                                   \
    X(DEFAULT, "default", "ordinary text")                 \
    X(HEADER, "header", "header line")                     \
    X(STATUS, "status", "status line")                     \
    X(TITLE, "title", "panel titles")                      \
    X(AXIS, "plot.axis", "axis lines")                     \
    X(TICK, "plot.tick", "tick labels")                    \
    X(GRID, "plot.grid", "grid dots")                      \
    X(LEGEND, "plot.legend", "legend text")                \
    X(CURSOR, "plot.cursor", "time cursor")                \
    X(NONFINITE, "plot.nonfinite", "NaN/Inf markers")      \
    X(SEAM, "plot.seam", "resume seams")                   \
    X(CHANGEPOINT, "plot.changepoint", "detected change points") \
    X(PHASE, "plot.phase", "phase shading")                \
    X(MARK, "mark.point", "point marks")                   \
    X(MARK_SPAN, "mark.interval", "interval marks")        \
    X(BAND, "plot.band", "seed bands")                     \
    X(SERIES1, "plot.series.1", "series colour 1")         \
    X(SERIES2, "plot.series.2", "series colour 2")         \
    X(SERIES3, "plot.series.3", "series colour 3")         \
    X(SERIES4, "plot.series.4", "series colour 4")         \
    X(SERIES5, "plot.series.5", "series colour 5")         \
    X(SERIES6, "plot.series.6", "series colour 6")         \
    X(SERIES7, "plot.series.7", "series colour 7")         \
    X(SERIES8, "plot.series.8", "series colour 8")         \
    X(LIST, "list", "list rows")                           \
    X(LIST_SELECTED, "list.selected", "selected list row") \
    X(LIST_HIDDEN, "list.hidden", "hidden metrics")        \
    X(PROMPT, "prompt", "prompt line")                     \
    X(ERROR, "error", "error messages")                    \
    X(HELP_KEY, "help.key", "keys on the help screen")     \
    X(HELP_TEXT, "help.text", "text on the help screen")

typedef enum TsStyleId {
#define TS_STYLE_ENUM(id, name, help) TS_STYLE_##id,
    TS_STYLE_LIST(TS_STYLE_ENUM)
#undef TS_STYLE_ENUM
    TS_STYLE_COUNT
} TsStyleId;

/* A cell's style: a TsStyleId in the low byte plus modifier bits. */
typedef uint16_t TsStyle;
#define TS_STYLE_ID_MASK 0x00ffu
#define TS_STYLE_DIM     0x0100u /* dimmed (raw curve under a smoothed one) */
#define TS_STYLE_REVERSE 0x0200u /* reverse video (cursor column, selection) */
#define TS_STYLE_BOLD    0x0400u

#define TS_SERIES_COLOURS 8
/* Style of the k-th series (cycles through the 8 series colours). */
static inline TsStyle ts_style_series(unsigned k) {
    return (TsStyle)(TS_STYLE_SERIES1 + k % TS_SERIES_COLOURS);
}

/* "plot.axis" etc.; NULL for an unknown id. */
const char *ts_style_name(TsStyleId id);
/* TS_STYLE_COUNT when the name is unknown. */
TsStyleId ts_style_from_name(const char *name);

#endif
