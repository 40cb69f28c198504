/* xalloc.h - allocation that never returns NULL.
 * Layer: util (libc only). License: MIT.
 *
 * Out of memory is not a recoverable condition for an interactive viewer:
 * these wrappers call the registered die handler (which restores the
 * terminal) and exit(3). Sizes are overflow-checked. */
#ifndef TRAJSCOPE_XALLOC_H
#define TRAJSCOPE_XALLOC_H

#include <stddef.h>

void *ts_xmalloc(size_t size);
void *ts_xcalloc(size_t count, size_t size);
/* realloc(ptr, count * size) with overflow check. */
void *ts_xreallocarray(void *ptr, size_t count, size_t size);
char *ts_xstrdup(const char *s);
char *ts_xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *ts_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* count * size bytes (overflow-checked) for a large array of points: from
 * 4 MiB up, 2 MiB-aligned with transparent huge pages advised, because
 * page faults on fresh memory cost as much as filling it (10^7 points);
 * smaller ones aligned to small_align (a power of two >= sizeof(void *),
 * or 0 for plain malloc). Free with free(). */
void *ts_xmalloc_large(size_t count, size_t size, size_t small_align);

/* Handler run before exiting on a fatal error (the TUI restores the
 * terminal here). NULL removes it. */
void ts_set_die_handler(void (*handler)(void));
/* Prints "trajscope: <message>" to stderr after running the die handler and
 * exits with status 3. */
_Noreturn void ts_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
