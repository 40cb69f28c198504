/* term.h - the terminal: the only part of trajscope that talks to curses.
 * Layer: tui (src/tui/term.c is the single file that includes curses).
 * License: MIT.
 *
 * Curses is a process-wide singleton, so this module is too: one terminal
 * is open at a time. Frames are drawn into a TsCellBuf elsewhere;
 * ts_term_present() writes only the cells that differ from the last frame
 * and then calls doupdate() once. */
#ifndef TRAJSCOPE_TUI_TERM_H
#define TRAJSCOPE_TUI_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "trajscope/cellbuf.h"
#include "trajscope/err.h"
#include "tui/keymap.h"
#include "tui/theme.h"

typedef struct TsKeyEvent {
    TsKey key;  /* a key, TS_KEY_RESIZE or TS_KEY_MOUSE */
    int x, y;   /* mouse position (cells) */
    int button; /* mouse: 1 left press, 4 wheel up, 5 wheel down, 0 other */
} TsKeyEvent;

typedef struct TsTermOptions {
    bool mouse; /* report clicks and the wheel */
    bool utf8;  /* the locale is UTF-8; otherwise non-ASCII cells become '?' */
} TsTermOptions;

/* Starts curses on the controlling terminal (stdin/stdout): alternate
 * screen, no echo, cbreak, keypad, hidden cursor. Saves the tty modes for
 * ts_term_emergency_restore(). False with err set when stdin/stdout is not
 * a terminal or curses cannot start. */
bool ts_term_open(const TsTermOptions *opts, TsErr *err);
/* Starts curses on streams with a given terminal type and size, for
 * measuring output (benchmarks); nothing is read from in. */
bool ts_term_open_stream(FILE *out, FILE *in, const char *term_type, int w, int h,
                         const TsTermOptions *opts, TsErr *err);
/* Ends curses and leaves the terminal as it was. Safe to call twice. */
void ts_term_close(void);
/* For signal handlers (crash, SIGTERM before the loop sees it): restores
 * the saved tty modes and leaves the alternate screen using only
 * async-signal-safe calls. */
void ts_term_emergency_restore(void);
bool ts_term_is_open(void);

/* The fd to poll for input. */
int ts_term_input_fd(void);
/* Current size in cells. */
void ts_term_size(int *w, int *h);
/* Re-reads the window size (after SIGWINCH) and resizes curses; the next
 * present repaints everything. */
void ts_term_resize(int *w, int *h);
/* Colours the terminal offers: 0 (none), 8, 16, 256 or 16777216. */
int ts_term_colours(void);
/* Installs the theme's colours (and repaints on the next present). With
 * no colour support only the attributes are used. */
void ts_term_set_theme(const TsTheme *theme);
/* Writes the cells of frame that changed since the last present, then
 * doupdate(). Returns the number of cells written. frame must have the
 * terminal's size. */
size_t ts_term_present(const TsCellBuf *frame);
/* Forgets what the screen shows: the next present rewrites every cell and
 * the terminal is cleared first (Ctrl-L). */
void ts_term_force_repaint(void);
/* Reads one input event without blocking; false when none is pending. */
bool ts_term_read_key(TsKeyEvent *ev);

#endif
