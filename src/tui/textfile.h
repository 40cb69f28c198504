/* textfile.h - read a small text file (theme, config, key script) whole.
 * Layer: tui (file reading only). License: MIT. */
#ifndef TRAJSCOPE_TUI_TEXTFILE_H
#define TRAJSCOPE_TUI_TEXTFILE_H

#include <stddef.h>

#include "trajscope/err.h"

/* The file's bytes plus a NUL (heap, caller frees), or NULL with err set to
 * "PATH: problem" when it cannot be read, is larger than max_bytes or
 * contains a NUL byte. */
char *ts_textfile_read(const char *path, size_t max_bytes, TsErr *err);

#endif
