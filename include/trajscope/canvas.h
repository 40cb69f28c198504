/* canvas.h - a dot raster for curves: braille, quadrant blocks or ASCII.
 * Layer: render (pure, no curses). License: MIT.
 *
 * A canvas is a grid of cols x rows terminal cells, each split into dots:
 *   TS_CANVAS_BRAILLE  2 x 4 dots per cell, U+2800 + dot bits;
 *   TS_CANVAS_BLOCK    2 x 2 dots per cell, quadrant blocks U+2596..U+259F,
 *                      U+2580, U+2584, U+258C, U+2590, U+2588;
 *   TS_CANVAS_ASCII    1 x 3 dots per cell: top "'", middle '-', bottom '.',
 *                      top+bottom ':', two or three adjacent dots '|'.
 * Dot (0, 0) is the top-left dot. Each cell remembers the style of the last
 * series that set a dot in it (draw raw curves first, smoothed ones after,
 * so the smoothed curve owns shared cells). */
#ifndef TRAJSCOPE_CANVAS_H
#define TRAJSCOPE_CANVAS_H

#include <stdbool.h>
#include <stdint.h>

#include "trajscope/cellbuf.h"
#include "trajscope/style.h"

typedef enum TsCanvasMode {
    TS_CANVAS_BRAILLE = 0,
    TS_CANVAS_BLOCK,
    TS_CANVAS_ASCII,
    TS_CANVAS_MODE_COUNT
} TsCanvasMode;

typedef struct TsCanvas {
    TsCanvasMode mode;
    int cols, rows;       /* cells */
    int dx, dy;           /* dots per cell */
    int w, h;             /* dots: cols * dx, rows * dy */
    uint8_t *bits;        /* per cell: set dots (bit = dot_row * dx + dot_col) */
    TsStyle *owner;       /* per cell: style of the last writer */
} TsCanvas;

/* Dots per cell of a mode. */
void ts_canvas_dots(TsCanvasMode mode, int *dx, int *dy);
/* "braille", "block", "ascii"; NULL when out of range. */
const char *ts_canvas_mode_name(TsCanvasMode mode);
/* TS_CANVAS_MODE_COUNT when unknown. */
TsCanvasMode ts_canvas_mode_from_name(const char *name);

/* An empty canvas of cols x rows cells (either may be 0). Owns its arrays
 * until ts_canvas_fini(). */
void ts_canvas_init(TsCanvas *c, TsCanvasMode mode, int cols, int rows);
void ts_canvas_fini(TsCanvas *c);
/* Clears every dot. */
void ts_canvas_clear(TsCanvas *c);

/* Sets dot (x, y); out-of-range dots are ignored. */
void ts_canvas_set(TsCanvas *c, int x, int y, TsStyle style);
/* True when dot (x, y) is set. */
bool ts_canvas_get(const TsCanvas *c, int x, int y);
/* Sets dots (x, y0..y1) (either order), clipped to the canvas. */
void ts_canvas_vspan(TsCanvas *c, int x, int y0, int y1, TsStyle style);
/* A line between two points in continuous dot coordinates (dot (i, j)
 * covers [i, i+1) x [j, j+1)), drawn as one vertical span per dot column:
 * column i gets the rows the part of the line over x in [i, i+1] passes
 * through (a piece that ends exactly on a row boundary stops there), so the
 * curve is continuous however steep and a 45-degree line is one dot per
 * column. Clipped to the canvas. */
void ts_canvas_line(TsCanvas *c, double x0, double y0, double x1, double y1, TsStyle style);

/* True when cell (col, row) has any dot set. */
bool ts_canvas_cell_used(const TsCanvas *c, int col, int row);
/* Glyph of a cell's dot bits in a mode (' ' for none). */
uint32_t ts_canvas_glyph(TsCanvasMode mode, unsigned bits);
/* Writes the used cells into b with their owner's style, cell (0, 0) at
 * (x, y); unused cells are left untouched. */
void ts_canvas_to_cells(const TsCanvas *c, TsCellBuf *b, int x, int y);

#endif
