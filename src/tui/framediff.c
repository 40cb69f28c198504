/* framediff.c - which cells changed between two frames.
 * Layer: tui (pure, no curses). License: MIT. */
#include "tui/framediff.h"

#include <string.h>

/* A code point no drawing produces: marks an invalidated front cell. */
#define INVALID_CP 0xffffffffu

static bool same(const TsCell *a, const TsCell *b) {
    return a->cp == b->cp && a->style == b->style;
}

void ts_frame_invalidate(TsCellBuf *front) {
    size_t n = (size_t)front->w * (size_t)front->h;
    for (size_t i = 0; i < n; i++) {
        front->cells[i].cp = INVALID_CP;
        front->cells[i].style = 0;
    }
}

size_t ts_frame_diff(TsCellBuf *front, const TsCellBuf *next, TsDiffEmit emit, void *ctx) {
    if (front->w != next->w || front->h != next->h) {
        ts_cellbuf_resize(front, next->w, next->h);
        ts_frame_invalidate(front);
    }
    size_t count = 0;
    for (int y = 0; y < next->h; y++) {
        const TsCell *nrow = next->cells + (size_t)y * (size_t)next->w;
        TsCell *frow = front->cells + (size_t)y * (size_t)front->w;
        for (int x = 0; x < next->w; x++) {
            if (nrow[x].cp == 0 && x > 0) continue; /* right half: written with its left half */
            bool changed = !same(&nrow[x], &frow[x]);
            /* A wide character also owns the next column. */
            bool wide = x + 1 < next->w && nrow[x + 1].cp == 0;
            if (wide && !same(&nrow[x + 1], &frow[x + 1])) changed = true;
            if (!changed) continue;
            TsCell cell = nrow[x];
            if (cell.cp == 0) cell.cp = ' '; /* a stray right half at column 0 */
            if (emit) emit(ctx, x, y, &cell);
            count++;
            frow[x] = nrow[x];
            if (wide) frow[x + 1] = nrow[x + 1];
        }
    }
    return count;
}
