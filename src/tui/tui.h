/* tui.h - entry point of the interactive explorer (`trajscope FILE|DIR...`).
 * Layer: tui. License: MIT. */
#ifndef TRAJSCOPE_TUI_TUI_H
#define TRAJSCOPE_TUI_TUI_H

#include <stdio.h>

/* Runs the explorer with main()'s argc/argv (argv[1] is the first path or
 * option). Returns the exit status: 0 ok, 1 usage error (bad option,
 * unknown --theme, no terminal), 2 when no file could be opened, or dies
 * by the signal (SIGINT, SIGTERM, SIGHUP) that ended it, after restoring
 * the terminal. */
int ts_tui_main(int argc, char **argv);

/* Prints the explorer's usage and options. */
void ts_tui_usage(FILE *out);

#endif
