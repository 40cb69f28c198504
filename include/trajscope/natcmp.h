/* natcmp.h - comparing names: natural order ("run2" before "run10") and
 * case-insensitive substring search.
 * Layer: util (libc only). License: MIT. */
#ifndef TRAJSCOPE_NATCMP_H
#define TRAJSCOPE_NATCMP_H

#include <stdbool.h>

/* strcmp-like (-1, 0, 1), comparing runs of digits by their numeric value;
 * equal numbers with fewer leading zeros sort first. Byte order otherwise. */
int ts_natural_cmp(const char *a, const char *b);

/* The same with ASCII letters compared case-insensitively; names equal but
 * for case are then ordered by ts_natural_cmp, so the order is total. NULL
 * counts as "". */
int ts_natural_cmp_fold(const char *a, const char *b);

/* True when needle occurs in hay, ASCII letters compared case-insensitively
 * (the metric and run filters, metric-name rules). An empty needle occurs
 * everywhere. */
bool ts_contains_fold(const char *hay, const char *needle);

#endif
