/* natcmp.h - natural order of names: "run2" before "run10".
 * Layer: util (libc only). License: MIT. */
#ifndef TRAJSCOPE_NATCMP_H
#define TRAJSCOPE_NATCMP_H

/* strcmp-like (-1, 0, 1), comparing runs of digits by their numeric value;
 * equal numbers with fewer leading zeros sort first. Byte order otherwise. */
int ts_natural_cmp(const char *a, const char *b);

/* The same with ASCII letters compared case-insensitively; names equal but
 * for case are then ordered by ts_natural_cmp, so the order is total. NULL
 * counts as "". */
int ts_natural_cmp_fold(const char *a, const char *b);

#endif
