/* cellbuf.h - an in-memory grid of terminal cells that all drawing targets.
 * Layer: render (pure, no curses). License: MIT.
 *
 * Views and the CLI plot draw into a TsCellBuf; the terminal layer diffs it
 * against the previous frame and writes only what changed. A wide character
 * (East Asian width 2) occupies its cell and the next one, whose cp is 0. */
#ifndef TRAJSCOPE_CELLBUF_H
#define TRAJSCOPE_CELLBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/style.h"

typedef struct TsRect {
    int x, y, w, h;
} TsRect;

typedef struct TsCell {
    uint32_t cp;   /* Unicode code point; ' ' blank; 0 = right half of a wide char */
    TsStyle style;
} TsCell;

typedef struct TsCellBuf {
    int w, h;
    TsCell *cells; /* w * h, row-major */
} TsCellBuf;

void ts_cellbuf_init(TsCellBuf *b, int w, int h);
void ts_cellbuf_fini(TsCellBuf *b);
/* Resizes and clears. */
void ts_cellbuf_resize(TsCellBuf *b, int w, int h);
/* Fills every cell with ' ' in style. */
void ts_cellbuf_clear(TsCellBuf *b, TsStyle style);
void ts_cellbuf_fill(TsCellBuf *b, TsRect r, uint32_t cp, TsStyle style);
/* Sets one cell; out-of-range coordinates are ignored. */
void ts_cellbuf_put(TsCellBuf *b, int x, int y, uint32_t cp, TsStyle style);
/* The cell at (x, y), or NULL when outside. */
const TsCell *ts_cellbuf_at(const TsCellBuf *b, int x, int y);
/* Draws UTF-8 text from (x, y), at most max_w columns (-1: to the edge),
 * sanitizing control characters and invalid bytes to '?'. Returns the
 * number of columns used. */
int ts_cellbuf_put_str(TsCellBuf *b, int x, int y, int max_w, const char *utf8, TsStyle style);
/* Display width in columns of UTF-8 text after sanitizing. */
int ts_text_width(const char *utf8);
/* The buffer as UTF-8 text, one line per row, trailing blanks removed
 * (heap string, caller frees). For golden tests and `plot`. */
char *ts_cellbuf_to_text(const TsCellBuf *b);

#endif
