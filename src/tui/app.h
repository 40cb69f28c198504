/* app.h - the interactive explorer: state, actions and the event loop.
 * Layer: tui (no curses here; the loop talks to the terminal via term.h).
 * License: MIT.
 *
 * The same TsApp runs in a terminal (ts_app_run_terminal) or headless
 * (ts_app_render into a TsCellBuf, driven by ts_app_handle_key), which is
 * what tests and benchmarks use. */
#ifndef TRAJSCOPE_TUI_APP_H
#define TRAJSCOPE_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "trajscope/cellbuf.h"
#include "trajscope/err.h"
#include "tui/action.h"
#include "tui/config.h"
#include "tui/keymap.h"
#include "tui/term.h"
#include "tui/theme.h"

typedef struct TsApp TsApp;

/* A new explorer with copies of the settings, keymap and theme; utf8 says
 * whether the terminal can show braille and box-drawing characters. */
TsApp *ts_app_new(const TsSettings *settings, const TsKeymap *km, const TsTheme *theme, bool utf8);
void ts_app_free(TsApp *app);

/* Opens each path (a run file, or a folder of .h5 archives) and adds its
 * metrics; the first settings.show metrics become visible. Returns how many
 * runs were opened; *n_failed gets the number of paths that failed and
 * first_err the first failure ("PATH: problem"). */
size_t ts_app_open(TsApp *app, char *const *paths, size_t n_paths, size_t *n_failed, TsErr *first_err);
/* A message for the status line until the first key (startup problems). */
void ts_app_set_note(TsApp *app, const char *text);

/* Sets the screen size (cells). */
void ts_app_resize(TsApp *app, int w, int h);
/* Handles a key, mouse or resize event (mapped through the keymap). */
void ts_app_handle_key(TsApp *app, const TsKeyEvent *ev);
/* Performs one action directly. */
void ts_app_do(TsApp *app, TsAction action);
/* Brings caches up to date and draws the whole screen into buf (resized to
 * the app's size). Clears the dirty flag. */
void ts_app_render(TsApp *app, TsCellBuf *buf);
bool ts_app_dirty(const TsApp *app);
bool ts_app_quit_requested(const TsApp *app);
/* The status line's readout as plain text ("step 1200  loss 0.5 ..."), for
 * tests; written into buf. */
void ts_app_readout(TsApp *app, char *buf, size_t cap);

/* Runs the event loop on the terminal until quit. Returns 0, or the signal
 * number that ended it (SIGINT, SIGTERM, SIGHUP), after restoring the
 * terminal. */
int ts_app_run_terminal(TsApp *app, TsErr *err);

/* Headless: size w x h, then each line of script (a key spec, or one of
 * ":dump FILE", ":resize WxH", ":click X Y", ":wheel-up X Y",
 * ":wheel-down X Y"; '#' starts a comment), then the final screen is
 * written as text to dump_path (NULL: not written). False with err set on
 * a bad script line or an unwritable dump. */
bool ts_app_run_script(TsApp *app, int w, int h, const char *script, const char *dump_path, TsErr *err);

#endif
