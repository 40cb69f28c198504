/* sanitize.h - make names and labels from files safe for a terminal.
 * Layer: util (libc only). License: MIT.
 *
 * Run names, metric names, configuration values and labels come from files
 * other people wrote. Before any of them reaches a terminal (TUI or CLI
 * output) it goes through ts_sanitize(): C0 controls, DEL and C1 controls
 * (U+0080..U+009F) become '?', and invalid UTF-8 bytes become '?', so no
 * escape sequence can be injected. JSON output is escaped by jansson and is
 * not sanitized (it must keep the exact bytes). */
#ifndef TRAJSCOPE_SANITIZE_H
#define TRAJSCOPE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the sanitized form of src into dst (always NUL-terminated when
 * cap > 0, truncated at a character boundary). Returns the length written. */
size_t ts_sanitize(char *dst, size_t cap, const char *src);

/* Heap copy of the sanitized form of src (caller frees). */
char *ts_sanitize_dup(const char *src);

/* Writes the UTF-8 encoding of code point cp (< 0x110000) into out (room
 * for 4 bytes, not NUL-terminated) and returns its length (1..4). */
size_t ts_utf8_encode(uint32_t cp, char *out);

/* True when src contains nothing ts_sanitize would replace. */
bool ts_is_clean(const char *src);

#endif
