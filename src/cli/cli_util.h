/* cli_util.h - small helpers shared by the CLI subcommands.
 * Layer: cli. License: MIT. */
#ifndef TRAJSCOPE_CLI_UTIL_H
#define TRAJSCOPE_CLI_UTIL_H

#include <stdbool.h>
#include <stdio.h>

#include "trajscope/run.h"

enum { TS_EXIT_OK = 0, TS_EXIT_USAGE = 1, TS_EXIT_DATA = 2 };

/* Prints "trajscope: <message>\n" to stderr (sanitized). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "trajscope CMD: <message>\nTry 'trajscope help CMD'.\n" and
 * returns TS_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes text from a file (a name, a label) with control characters
 * replaced, so nothing in a file can drive the terminal. */
void cli_put_clean(FILE *out, const char *text);
/* printf, then the result sanitized (use for lines that embed names). */
void cli_printf_clean(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Opens a run, printing the error line on failure. */
TsRun *cli_open_run(const char *path);
/* The metric with this full name ("eval/acc"), or with this short name
 * ("acc") when exactly one metric has it; -1 otherwise. */
long cli_find_metric(const TsRun *run, const char *name);
/* Prints "PATH: no metric 'NAME'; available: a, b, ..." (sanitized). */
void cli_report_unknown_metric(const TsRun *run, const char *name);
/* Strict number parsing: the whole string must be a number. */
bool cli_parse_double(const char *s, double *out);
bool cli_parse_int(const char *s, long *out);
/* True when stdout should get UTF-8 (the locale's codeset is UTF-8). */
bool cli_locale_is_utf8(void);

#endif
