/* axis.h - axis scales, 1-2-5 tick selection and label fitting.
 * Layer: render (pure). License: MIT.
 *
 * An axis maps values to a fraction of its length through a scale:
 *   TS_SCALE_LINEAR  t = v
 *   TS_SCALE_LOG     t = log10(v)               (v > 0; y axes)
 *   TS_SCALE_LOG1P   t = log10(1 + v - origin)  (v > origin - 1; x axes of
 *                    steps, origin 0, so step 0 sits at the left edge)
 * Ticks: linear axes use multiples of a "nice" step (1, 2 or 5 times a
 * power of ten); duration axes use clock steps (1s 2s 5s 10s 15s 30s 1m ..
 * 1h 2h 3h 6h 12h 1d ..); log axes use powers of ten, with 2 and 5 between
 * them when the range spans few decades, and every k-th power when it spans
 * many. Labels come from fmt.h: "0 0.2 0.4", "0 250k 500k", "1 10 100 1k". */
#ifndef TRAJSCOPE_AXIS_H
#define TRAJSCOPE_AXIS_H

#include <stdbool.h>

typedef enum TsScale {
    TS_SCALE_LINEAR = 0,
    TS_SCALE_LOG,
    TS_SCALE_LOG1P,
} TsScale;

typedef enum TsAxisFormat {
    TS_AXIS_NUMBER = 0, /* labels show v */
    TS_AXIS_DURATION,   /* labels show v - origin as a duration: 90 -> "1m30s" */
} TsAxisFormat;

typedef struct TsAxis {
    TsScale scale;
    double lo, hi;       /* visible range, lo < hi, both mappable by scale */
    double origin;       /* LOG1P origin and DURATION zero (e.g. the run start) */
    TsAxisFormat format;
} TsAxis;

#define TS_AXIS_MAX_TICKS 64
#define TS_AXIS_LABEL_MAX 24

typedef struct TsTick {
    double v;                       /* value */
    int pos;                        /* cell index along the axis (ts_axis_fit) */
    char label[TS_AXIS_LABEL_MAX];  /* ASCII */
} TsTick;

typedef struct TsTicks {
    int n;
    TsTick tick[TS_AXIS_MAX_TICKS];
} TsTicks;

/* Scale transform t(v) and its inverse; NaN when v is not mappable (e.g.
 * v <= 0 on a log scale). */
double ts_axis_fwd(const TsAxis *a, double v);
double ts_axis_inv(const TsAxis *a, double t);
/* Position of v along the axis: 0 at lo, 1 at hi (outside [0, 1] when v is
 * outside the range); NaN when v is not mappable. */
double ts_axis_frac(const TsAxis *a, double v);
/* The value at a fraction of the axis (inverse of ts_axis_frac). */
double ts_axis_value(const TsAxis *a, double frac);
/* Cell of v on an axis len cells long: floor(frac * len), with v == hi in
 * the last cell; -1 when v is outside [lo, hi] or not mappable. */
int ts_axis_cell(const TsAxis *a, double v, int len);

/* The 1-2-5 step that splits span into about target parts (the smallest
 * nice step >= span / target). */
double ts_axis_nice_step(double span, int target);

/* Tick values and labels inside [lo, hi], at most max_ticks of them (and
 * at most TS_AXIS_MAX_TICKS), as dense as that allows; pos is left 0.
 * Returns the count. */
int ts_axis_ticks(const TsAxis *a, int max_ticks, TsTicks *out);

/* Ticks that fit on an axis len cells long, labels not overlapping: on a
 * horizontal axis each label is centred on its cell (kept inside [0, len))
 * with at least two blank cells between labels; on a vertical axis labels
 * sit on their own rows with a blank row between them when len allows.
 * Positions are filled in (vertical: row counted from the bottom, 0 =
 * bottom cell). Returns the count (0 when nothing fits). The last few
 * answers are remembered per thread (keyed on every TsAxis field, len and
 * vertical, bit for bit), so asking again - each panel of a frame, each
 * layout pass - costs a copy; labels are made only for the tick sets it
 * has to check. */
int ts_axis_fit(const TsAxis *a, int len, bool vertical, TsTicks *out);

/* Start column of a tick label centred on pos within [0, len): what
 * ts_axis_fit assumed for horizontal axes. */
int ts_axis_label_start(int pos, int label_width, int len);

#endif
