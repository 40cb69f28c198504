/* framediff.h - which cells changed between two frames.
 * Layer: tui (pure, no curses; term.c uses it to write only changed cells).
 * License: MIT. */
#ifndef TRAJSCOPE_TUI_FRAMEDIFF_H
#define TRAJSCOPE_TUI_FRAMEDIFF_H

#include <stddef.h>

#include "trajscope/cellbuf.h"

/* Called for each cell to write; for a wide character, the cell of its
 * left half (which covers both columns). */
typedef void (*TsDiffEmit)(void *ctx, int x, int y, const TsCell *cell);

/* Compares next with front (the frame the terminal shows), calls emit for
 * every cell that must be written, and copies next into front. When the
 * sizes differ, front is resized and every cell is emitted. Returns the
 * number of cells emitted. emit may be NULL (count only). */
size_t ts_frame_diff(TsCellBuf *front, const TsCellBuf *next, TsDiffEmit emit, void *ctx);

/* Makes front match nothing, so the next diff emits every cell. */
void ts_frame_invalidate(TsCellBuf *front);

#endif
