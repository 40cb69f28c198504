/* smooth.h - smoothing of a series for display; the raw curve stays shown.
 * Layer: core (pure; GSL filters inside smooth.c only). License: MIT.
 *
 * Every method writes one smoothed value per input point (same length, same
 * steps), so the cursor readout can show raw and smoothed values at the
 * same logged step. Non-finite inputs are not smoothed over: they pass
 * through unchanged at their own position (as TensorBoard does) and the
 * filters skip them. A constant series is returned unchanged. */
#ifndef TRAJSCOPE_SMOOTH_H
#define TRAJSCOPE_SMOOTH_H

#include <stddef.h>
#include <stdint.h>

#include "trajscope/series.h"

typedef enum TsSmoothMethod {
    TS_SMOOTH_OFF = 0,
    TS_SMOOTH_EMA,      /* TensorBoard's debiased EMA (weight in [0, 1)) */
    TS_SMOOTH_EMA_TIME, /* EMA that accounts for uneven step spacing */
    TS_SMOOTH_GAUSSIAN, /* centred Gaussian filter (GSL), window from weight */
    TS_SMOOTH_MEDIAN,   /* centred median filter (GSL), window from weight */
    TS_SMOOTH_COUNT
} TsSmoothMethod;

/* "off", "ema", "ema-time", "gaussian", "median"; NULL when out of range. */
const char *ts_smooth_name(TsSmoothMethod m);
/* TS_SMOOTH_COUNT when unknown. */
TsSmoothMethod ts_smooth_from_name(const char *name);

/* weight: in [0, 0.999]. For the EMAs it is TensorBoard's smoothing weight;
 * for the centred filters it sets the window: K = 2 * round(weight * 50) + 1
 * points for the Gaussian and the median (weight 0 leaves data unchanged).
 * For TS_SMOOTH_EMA_TIME the decay per step is weight^(delta_step /
 * median_delta_step), so a run logged every step and one logged every 10
 * steps look alike. out must hold s->n doubles. */
void ts_smooth(const TsSeries *s, TsSmoothMethod m, double weight, double *out);

/* Window length (points) used by the centred filters for a weight. */
size_t ts_smooth_window(double weight);

#endif
