/* tui_test.c - a headless explorer for unit tests.
 * Layer: tests. License: MIT. */
#include "tui_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include "tui/keymap.h"

TsApp *ts_test_open_app(char **paths, size_t n_paths, size_t expect_runs, int w, int h) {
    TsSettings s;
    TsKeymap km;
    TsTheme th;
    ts_settings_default(&s);
    ts_keymap_init_defaults(&km);
    ts_theme_default(&th);
    TsApp *app = ts_app_new(&s, &km, &th, true);
    ts_keymap_fini(&km);
    size_t failed;
    TsErr err;
    ts_err_clear(&err);
    size_t opened = ts_app_open(app, paths, n_paths, &failed, &err);
    if (opened != expect_runs || failed != 0)
        fail_msg("opened %zu runs (expected %zu), %zu failed: %s", opened, expect_runs, failed, err.msg);
    ts_app_resize(app, w, h);
    return app;
}

void ts_test_key(TsApp *app, const char *spec) {
    TsKeyEvent ev = {0, 0, 0, 0};
    if (!ts_key_parse(spec, &ev.key)) fail_msg("bad key spec '%s'", spec);
    ts_app_handle_key(app, &ev);
}
