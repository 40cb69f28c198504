/* canvas.c - a dot raster for curves: braille, quadrant blocks or ASCII.
 * Layer: render (pure, no curses). License: MIT. */
#include "trajscope/canvas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

void ts_canvas_dots(TsCanvasMode mode, int *dx, int *dy) {
    switch (mode) {
    case TS_CANVAS_BLOCK: *dx = 2; *dy = 2; break;
    case TS_CANVAS_ASCII: *dx = 1; *dy = 3; break;
    case TS_CANVAS_BRAILLE:
    default: *dx = 2; *dy = 4; break;
    }
}

static const char *const mode_names[TS_CANVAS_MODE_COUNT] = {"braille", "block", "ascii"};

const char *ts_canvas_mode_name(TsCanvasMode mode) {
    if ((unsigned)mode >= (unsigned)TS_CANVAS_MODE_COUNT) return NULL;
    return mode_names[mode];
}

TsCanvasMode ts_canvas_mode_from_name(const char *name) {
    if (!name) return TS_CANVAS_MODE_COUNT;
    for (int m = 0; m < TS_CANVAS_MODE_COUNT; m++)
        if (strcmp(mode_names[m], name) == 0) return (TsCanvasMode)m;
    return TS_CANVAS_MODE_COUNT;
}

void ts_canvas_init(TsCanvas *c, TsCanvasMode mode, int cols, int rows) {
    if ((unsigned)mode >= (unsigned)TS_CANVAS_MODE_COUNT) mode = TS_CANVAS_BRAILLE;
    if (cols < 0) cols = 0;
    if (rows < 0) rows = 0;
    c->mode = mode;
    c->cols = cols;
    c->rows = rows;
    ts_canvas_dots(mode, &c->dx, &c->dy);
    c->w = cols * c->dx;
    c->h = rows * c->dy;
    size_t n = (size_t)cols * (size_t)rows;
    c->bits = ts_xcalloc(n ? n : 1, sizeof *c->bits);
    c->owner = ts_xcalloc(n ? n : 1, sizeof *c->owner);
}

void ts_canvas_fini(TsCanvas *c) {
    free(c->bits);
    free(c->owner);
    c->bits = NULL;
    c->owner = NULL;
    c->cols = c->rows = c->w = c->h = 0;
}

void ts_canvas_clear(TsCanvas *c) {
    size_t n = (size_t)c->cols * (size_t)c->rows;
    memset(c->bits, 0, n * sizeof *c->bits);
    memset(c->owner, 0, n * sizeof *c->owner);
}

void ts_canvas_set(TsCanvas *c, int x, int y, TsStyle style) {
    if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
    size_t cell = (size_t)(y / c->dy) * (size_t)c->cols + (size_t)(x / c->dx);
    c->bits[cell] |= (uint8_t)(1u << ((y % c->dy) * c->dx + x % c->dx));
    c->owner[cell] = style;
}

bool ts_canvas_get(const TsCanvas *c, int x, int y) {
    if (x < 0 || y < 0 || x >= c->w || y >= c->h) return false;
    size_t cell = (size_t)(y / c->dy) * (size_t)c->cols + (size_t)(x / c->dx);
    return (c->bits[cell] >> ((y % c->dy) * c->dx + x % c->dx)) & 1u;
}

void ts_canvas_vspan(TsCanvas *c, int x, int y0, int y1, TsStyle style) {
    if (x < 0 || x >= c->w) return;
    if (y0 > y1) { int t = y0; y0 = y1; y1 = t; }
    if (y0 < 0) y0 = 0;
    if (y1 >= c->h) y1 = c->h - 1;
    if (y0 > y1) return;
    /* One OR per cell instead of one per dot: bits of rows a..b of dot
     * column 0 of a cell, shifted to the dot column. */
    int col = x / c->dx, sub = x % c->dx;
    int row = y0 / c->dy, a = y0 % c->dy;
    unsigned colmask = 0; /* the bits of dot column 0 in every dot row */
    for (int r = 0; r < c->dy; r++) colmask |= 1u << (r * c->dx);
    size_t cell = (size_t)row * (size_t)c->cols + (size_t)col;
    for (int y = y0; y <= y1; row++, a = 0, cell += (size_t)c->cols) {
        int b = c->dy - 1;
        if (y1 - y < b - a) b = a + (y1 - y);
        /* dot rows a..b of the cell's first dot column */
        unsigned rows = ((1u << ((b + 1) * c->dx)) - 1u) & ~((1u << (a * c->dx)) - 1u);
        c->bits[cell] |= (uint8_t)((rows & colmask) << sub);
        c->owner[cell] = style;
        y += b - a + 1;
    }
}

/* floor() to int, clamped far outside any canvas. */
static int floor_clamped(double v) {
    if (!(v > -1e9)) return -1000000000;
    if (v > 1e9) return 1000000000;
    return (int)floor(v);
}

void ts_canvas_line(TsCanvas *c, double x0, double y0, double x1, double y1, TsStyle style) {
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1)) return;
    if (x0 > x1) {
        double t = x0; x0 = x1; x1 = t;
        t = y0; y0 = y1; y1 = t;
    }
    int i0 = floor_clamped(x0), i1 = floor_clamped(x1);
    if (i0 < 0) i0 = 0;
    if (i1 >= c->w) i1 = c->w - 1;
    double dxl = x1 - x0;
    for (int i = i0; i <= i1; i++) {
        double xa = x0 > i ? x0 : (double)i;
        double xb = x1 < i + 1 ? x1 : (double)(i + 1);
        double ya, yb;
        if (dxl <= 0.0) {
            ya = y0;
            yb = y1;
        } else {
            ya = y0 + (y1 - y0) * ((xa - x0) / dxl);
            yb = y0 + (y1 - y0) * ((xb - x0) / dxl);
        }
        /* Rows the piece passes through: a piece ending exactly on a row
         * boundary does not enter the next row (the neighbour column does),
         * so a 45-degree line is one dot per column. */
        double lo = ya < yb ? ya : yb, hi = ya < yb ? yb : ya;
        int r0 = floor_clamped(lo), r1 = (int)ceil(hi > 1e9 ? 1e9 : hi < -1e9 ? -1e9 : hi) - 1;
        if (r1 < r0) r1 = r0;
        ts_canvas_vspan(c, i, r0, r1, style);
    }
}

bool ts_canvas_cell_used(const TsCanvas *c, int col, int row) {
    if (col < 0 || row < 0 || col >= c->cols || row >= c->rows) return false;
    return c->bits[(size_t)row * (size_t)c->cols + (size_t)col] != 0;
}

uint32_t ts_canvas_glyph(TsCanvasMode mode, unsigned bits) {
    switch (mode) {
    case TS_CANVAS_BLOCK: {
        /* bits: 1 upper-left, 2 upper-right, 4 lower-left, 8 lower-right */
        static const uint32_t quad[16] = {
            ' ',    0x2598, 0x259D, 0x2580, 0x2596, 0x258C, 0x259E, 0x259B,
            0x2597, 0x259A, 0x2590, 0x259C, 0x2584, 0x2599, 0x259F, 0x2588};
        return quad[bits & 15u];
    }
    case TS_CANVAS_ASCII: {
        /* bits: 1 top, 2 middle, 4 bottom */
        static const char ascii[8] = {' ', '\'', '-', '|', '.', ':', '|', '|'};
        return (uint32_t)(unsigned char)ascii[bits & 7u];
    }
    case TS_CANVAS_BRAILLE:
    default: {
        /* bit (row * 2 + col) -> braille dots 1 2 3 7 (left) 4 5 6 8 (right) */
        unsigned out = (bits & 0x01u) | ((bits >> 1) & 0x02u) | ((bits >> 2) & 0x04u) |
                       ((bits << 2) & 0x08u) | ((bits << 1) & 0x10u) | (bits & 0xe0u);
        return out ? 0x2800u + (out & 0xffu) : ' ';
    }
    }
}

void ts_canvas_to_cells(const TsCanvas *c, TsCellBuf *b, int x, int y) {
    for (int row = 0; row < c->rows; row++)
        for (int col = 0; col < c->cols; col++) {
            size_t i = (size_t)row * (size_t)c->cols + (size_t)col;
            if (!c->bits[i]) continue;
            ts_cellbuf_put(b, x + col, y + row, ts_canvas_glyph(c->mode, c->bits[i]), c->owner[i]);
        }
}
