/* readout.h - what the time cursor reads: the logged point nearest to it.
 * Layer: tui (pure, no curses). License: MIT.
 *
 * The cursor sits at an x position (a step or a wall time); each curve
 * reports its logged point nearest to that x, exactly as logged (never an
 * interpolated or decimated value). A resumed run has several segments
 * whose steps overlap; the nearest point over all of them wins, and on a
 * tie the later segment (the resumed data) wins. */
#ifndef TRAJSCOPE_TUI_READOUT_H
#define TRAJSCOPE_TUI_READOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "trajscope/lod.h"

/* Index of the point of lod nearest to x (see above); false when no point
 * has a finite x. Within a segment ties go to the earlier point. */
bool ts_readout_nearest(const TsLod *lod, double x, size_t *index);

/* The point after (dir > 0) or before (dir < 0) index in file order that
 * has a finite x; false at either end. */
bool ts_readout_step(const TsLod *lod, size_t index, int dir, size_t *out);

/* First and last points (file order) with a finite x; false when none. */
bool ts_readout_first(const TsLod *lod, size_t *index);
bool ts_readout_last(const TsLod *lod, size_t *index);

/* The shortest decimal text that reads back as exactly v ("0.1", "1200",
 * "NaN", "+Inf"); with as_float32 the shortest that reads back as the same
 * float (for values stored as float32). */
void ts_readout_format(char *buf, size_t cap, double v, bool as_float32);

#endif
