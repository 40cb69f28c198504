/* tui_test.h - a headless explorer for unit tests.
 * Layer: tests. License: MIT. */
#ifndef TRAJSCOPE_TUI_TEST_H
#define TRAJSCOPE_TUI_TEST_H

#include <stddef.h>

#include "tui/app.h"

/* A headless explorer with the stock settings, keys and theme, opened on
 * paths and sized w x h. Fails the test unless exactly expect_runs runs
 * open and no path fails. Free with ts_app_free(). */
TsApp *ts_test_open_app(char **paths, size_t n_paths, size_t expect_runs, int w, int h);

/* Presses one key given as a key spec ("l", "<C-l>"); fails on a bad spec. */
void ts_test_key(TsApp *app, const char *spec);

#endif
