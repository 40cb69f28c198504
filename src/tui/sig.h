/* sig.h - signals for the explorer: a self-pipe for the event loop, and
 * crash handlers that restore the terminal before the process dies.
 * Layer: tui (no curses). License: MIT. */
#ifndef TRAJSCOPE_TUI_SIG_H
#define TRAJSCOPE_TUI_SIG_H

#include <stdbool.h>

#include "trajscope/err.h"

enum {
    TS_SIG_WINCH = 1u << 0,
    TS_SIG_INT = 1u << 1,
    TS_SIG_TERM = 1u << 2,
    TS_SIG_HUP = 1u << 3,
    TS_SIG_CONT = 1u << 4,
};

/* Installs the handlers: SIGWINCH, SIGINT, SIGTERM, SIGHUP and SIGCONT
 * write to a non-blocking pipe; SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT
 * restore the terminal (ts_term_emergency_restore) and re-raise. */
bool ts_sig_install(TsErr *err);
/* Restores the previous handlers and closes the pipe. */
void ts_sig_uninstall(void);
/* The pipe's read end, to poll. */
int ts_sig_fd(void);
/* The TS_SIG_* bits received since the last call (drains the pipe). */
unsigned ts_sig_take(void);

#endif
