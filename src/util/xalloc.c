/* xalloc.c - allocation that never returns NULL, and the fatal-exit path.
 * Layer: util. License: MIT. */
#include "trajscope/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void (*die_handler)(void);

void ts_set_die_handler(void (*handler)(void)) {
    die_handler = handler;
}

_Noreturn void ts_die(const char *fmt, ...) {
    if (die_handler) {
        void (*h)(void) = die_handler;
        die_handler = NULL; /* never recurse */
        h();
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("trajscope: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(3);
}

void *ts_xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) ts_die("out of memory (%zu bytes)", size);
    return p;
}

void *ts_xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) ts_die("out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *ts_xreallocarray(void *ptr, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) ts_die("allocation overflow (%zu x %zu bytes)", count, size);
    size_t total = count * size;
    void *p = realloc(ptr, total ? total : 1);
    if (!p) ts_die("out of memory (%zu bytes)", total);
    return p;
}

char *ts_xstrdup(const char *s) {
    return ts_xstrndup(s, strlen(s));
}

char *ts_xstrndup(const char *s, size_t n) {
    size_t len = strnlen(s, n);
    char *p = ts_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *ts_xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) ts_die("bad format string");
    char *p = ts_xmalloc((size_t)len + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return p;
}

#define HUGE_ALIGN ((size_t)2 << 20)

void *ts_xmalloc_large(size_t count, size_t size, size_t small_align) {
    if (size && count > SIZE_MAX / size) ts_die("allocation overflow (%zu x %zu bytes)", count, size);
    size_t bytes = count * size;
    void *p = NULL;
    if (bytes < 2 * HUGE_ALIGN) {
        if (small_align == 0) return ts_xmalloc(bytes);
        size_t rounded = (bytes + small_align - 1) & ~(small_align - 1);
        if (posix_memalign(&p, small_align, rounded ? rounded : small_align) != 0)
            ts_die("out of memory (%zu bytes)", rounded);
        return p;
    }
    size_t rounded = (bytes + HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1);
    if (posix_memalign(&p, HUGE_ALIGN, rounded) != 0) ts_die("out of memory (%zu bytes)", rounded);
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure is harmless */
#endif
    return p;
}
