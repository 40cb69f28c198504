/* err.c - error reports carried out of fallible library calls.
 * Layer: util. License: MIT. */
#include "trajscope/err.h"

#include <stdarg.h>
#include <stdio.h>

#include "trajscope/sanitize.h"

void ts_err_set(TsErr *err, const char *fmt, ...) {
    if (!err) return;
    char raw[TS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ts_sanitize(err->msg, sizeof err->msg, raw);
}

void ts_err_clear(TsErr *err) {
    if (err) err->msg[0] = '\0';
}

bool ts_err_is_set(const TsErr *err) {
    return err && err->msg[0] != '\0';
}
