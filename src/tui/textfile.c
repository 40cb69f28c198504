/* textfile.c - read a small text file (theme, config, key script) whole.
 * Layer: tui (file reading only). License: MIT. */
#include "tui/textfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

char *ts_textfile_read(const char *path, size_t max_bytes, TsErr *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        ts_err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = ts_xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = ts_xreallocarray(buf, cap, 1);
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (len > max_bytes) {
            ts_err_set(err, "%s: file too large (more than %zu bytes)", path, max_bytes);
            goto fail;
        }
        if (got == 0) break;
    }
    if (ferror(f)) {
        ts_err_set(err, "%s: read error", path);
        goto fail;
    }
    if (memchr(buf, '\0', len)) {
        ts_err_set(err, "%s: not a text file (contains NUL bytes)", path);
        goto fail;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}
