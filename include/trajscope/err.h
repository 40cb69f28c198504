/* err.h - error reports carried out of fallible library calls.
 * Layer: util (libc only). License: MIT.
 *
 * Every fallible call that deals with user data returns bool (or a pointer)
 * and fills a TsErr with one complete line that names the file and the
 * problem, e.g. "run.h5: not an HDF5 file". The library never prints. */
#ifndef TRAJSCOPE_ERR_H
#define TRAJSCOPE_ERR_H

#include <stdbool.h>

#define TS_ERR_MSG_MAX 512

typedef struct TsErr {
    char msg[TS_ERR_MSG_MAX]; /* one line, no trailing newline; "" = no error */
} TsErr;

/* Formats a message into err (printf-like). err may be NULL (message dropped).
 * Control characters in the result are replaced, so the message is always
 * safe to print on a terminal. */
void ts_err_set(TsErr *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clears err (msg = ""). err may be NULL. */
void ts_err_clear(TsErr *err);

/* True when err holds a message. */
bool ts_err_is_set(const TsErr *err);

#endif
