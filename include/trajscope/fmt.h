/* fmt.h - compact number formatting: SI suffixes, tick labels, durations.
 * Layer: util (libc only). License: MIT.
 *
 * Every function writes into a caller-supplied buffer (always
 * NUL-terminated when cap > 0, truncated otherwise) and returns the length
 * of the text it wanted to write, like snprintf. Output is plain ASCII and
 * does not depend on the locale: "1k", "2.5M", "3G", "1m", "2.5u", "NaN",
 * "+Inf", "-Inf". The micro prefix is written "u". */
#ifndef TRAJSCOPE_FMT_H
#define TRAJSCOPE_FMT_H

#include <stddef.h>

/* Enough for any text these functions produce. */
#define TS_FMT_MAX 32

/* Engineering notation with an SI prefix (a f p n u m, none, k M G T P E)
 * and at most sig significant digits (1..15), trailing zeros dropped:
 * 1000 -> "1k", 2.5e6 -> "2.5M", 0.001 -> "1m", 2.5e-6 -> "2.5u",
 * 12.5 -> "12.5", 0 -> "0". Magnitudes outside the prefixes use %g
 * ("1e+21"). NaN -> "NaN", infinities -> "+Inf" / "-Inf". */
int ts_fmt_si(char *dst, size_t cap, double v, int sig);

/* A value for people: plain decimals when 0.01 <= |v| < 10000 (at most
 * sig significant digits, trailing zeros dropped: 0.35 -> "0.35",
 * 1234.5 -> "1234" with sig 4), ts_fmt_si otherwise (12345 -> "12.3k",
 * 0.001 -> "1m", 1e-9 -> "1n"). Used for readouts and log-axis labels. */
int ts_fmt_value(char *dst, size_t cap, double v, int sig);

/* A tick label for v on an axis whose ticks are `step` apart and whose
 * largest tick magnitude is max_abs, so that all labels of one axis share
 * one style and show just enough digits to tell neighbours apart:
 *  - max_abs >= 1e4: SI suffixes (0, 250k, 500k, 1.5M);
 *  - max_abs < 1e-2: small SI suffixes (200u, 400u, 1m; 1n);
 *  - otherwise plain decimals from the step (0, 0.2, 0.4; 0.05, 0.1).
 * |v| below step * 1e-9 prints "0". */
int ts_fmt_tick(char *dst, size_t cap, double v, double step, double max_abs);

/* A duration in seconds, at most two units, for wall-time axes and
 * readouts: 0 -> "0s", 0.25 -> "250ms", 45 -> "45s", 90 -> "1m30s",
 * 3600 -> "1h", 5400 -> "1h30m", 93600 -> "1d2h". Negative durations get
 * a leading '-'. Non-finite values as ts_fmt_si. */
int ts_fmt_duration(char *dst, size_t cap, double seconds);

#endif
