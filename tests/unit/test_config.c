/* test_config.c - the config file language: set, bind, unbind, errors.
 * Layer: tests (tui). License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "tui/config.h"

static void test_defaults(void **state) {
    (void)state;
    TsSettings s;
    ts_settings_default(&s);
    assert_string_equal(s.theme, "default");
    assert_int_equal(s.smoothing, TS_SMOOTH_OFF);
    assert_true(s.smooth_weight > 0.59 && s.smooth_weight < 0.61);
    assert_false(s.log_x);
    assert_true(s.list);
    assert_true(s.mouse);
    assert_int_equal(s.x_axis, TS_XAXIS_STEP);
    for (int o = 0; o < TS_OPTION_COUNT; o++) {
        assert_non_null(ts_option_name((TsOption)o));
        assert_non_null(ts_option_help((TsOption)o));
        assert_non_null(ts_option_syntax((TsOption)o));
    }
    assert_null(ts_option_name(TS_OPTION_COUNT));
}

static void test_parse_good(void **state) {
    (void)state;
    TsSettings s;
    TsKeymap km;
    TsErr err;
    ts_settings_default(&s);
    ts_keymap_init_defaults(&km);
    const char *text = "# my config\n"
                       "  # indented comment\n"
                       "\n"
                       "set theme light\n"
                       "set smoothing ema 0.8\r\n"
                       "set log-y on\n"
                       "set x-axis relative\n"
                       "set overlay yes\n"
                       "set list off\n"
                       "set list-width 30\n"
                       "set show 2\n"
                       "set canvas ascii\n"
                       "set mouse 0\n"
                       "set follow on\n"
                       "bind Q quit\n"
                       "bind <C-f> cursor-right-fast\n"
                       "bind <lt> zoom-out\n"
                       "unbind x\n"
                       "   bind   w    toggle-log-x   \n";
    assert_int_equal(ts_config_parse(text, "cfg", &s, &km, &err), 0);
    assert_false(ts_err_is_set(&err));
    assert_string_equal(s.theme, "light");
    assert_int_equal(s.smoothing, TS_SMOOTH_EMA);
    assert_true(s.smooth_weight > 0.79 && s.smooth_weight < 0.81);
    assert_true(s.log_y);
    assert_false(s.log_x);
    assert_int_equal(s.x_axis, TS_XAXIS_RELATIVE);
    assert_true(s.overlay);
    assert_false(s.list);
    assert_int_equal(s.list_width, 30);
    assert_int_equal(s.show, 2);
    assert_int_equal(s.canvas, TS_CANVAS_ASCII);
    assert_false(s.mouse);
    assert_true(s.follow);
    assert_int_equal(ts_keymap_lookup(&km, 'Q'), TS_ACTION_QUIT);
    assert_int_equal(ts_keymap_lookup(&km, 'q'), TS_ACTION_QUIT);
    assert_int_equal(ts_keymap_lookup(&km, 6), TS_ACTION_CURSOR_RIGHT_FAST);
    assert_int_equal(ts_keymap_lookup(&km, '<'), TS_ACTION_ZOOM_OUT);
    assert_int_equal(ts_keymap_lookup(&km, 'x'), TS_ACTION_NONE);
    assert_int_equal(ts_keymap_lookup(&km, 'w'), TS_ACTION_LOG_X);
    /* smoothing without a weight keeps the weight */
    assert_true(ts_settings_set(&s, "smoothing", "median", &err));
    assert_int_equal(s.smoothing, TS_SMOOTH_MEDIAN);
    assert_true(s.smooth_weight > 0.79 && s.smooth_weight < 0.81);
    ts_keymap_fini(&km);
}

static void expect_bad(const char *text, const char *want, size_t nbad) {
    TsSettings s, before;
    TsKeymap km;
    TsErr err;
    ts_settings_default(&s);
    before = s;
    ts_keymap_init_defaults(&km);
    size_t n = ts_config_parse(text, "conf", &s, &km, &err);
    assert_int_equal(n, nbad);
    if (!strstr(err.msg, want)) fail_msg("error '%s' lacks '%s'", err.msg, want);
    /* a bad line changes nothing */
    assert_memory_equal(&s, &before, sizeof s);
    ts_keymap_fini(&km);
}

static void test_parse_errors(void **state) {
    (void)state;
    expect_bad("set colour red\n", "conf:1: unknown option 'colour'", 1);
    expect_bad("\n\nset smoothing wobbly\n", "conf:3: bad value 'wobbly' for 'smoothing'", 1);
    expect_bad("set smoothing ema 1.5\n", "conf:1: bad value", 1);
    expect_bad("set smoothing ema nan\n", "conf:1: bad value", 1);
    expect_bad("set smoothing ema 0.5 7\n", "conf:1: bad value", 1);
    expect_bad("set log-x maybe\n", "expected on|off", 1);
    expect_bad("set list-width 3\n", "conf:1: bad value '3'", 1);
    expect_bad("set show 2.5\n", "conf:1:", 1);
    expect_bad("set x-axis time\n", "step|wall|relative", 1);
    expect_bad("set canvas dots\n", "braille|block|ascii", 1);
    expect_bad("set theme\n", "usage: set OPTION VALUE", 1);
    expect_bad("set theme a b\n", "bad value 'a b' for 'theme'", 1);
    expect_bad("bind l\n", "conf:1: usage: bind KEY ACTION", 1);
    expect_bad("bind <Nope> quit\n", "unknown key '<Nope>'", 1);
    expect_bad("bind q vanish\n", "unknown action 'vanish'", 1);
    expect_bad("unbind\n", "usage: unbind KEY", 1);
    expect_bad("frobnicate 3\n", "unknown command 'frobnicate'", 1);
    /* several bad lines: counted, the first reported */
    expect_bad("# ok\nset a b\nset c d\nbind q nope\n", "conf:2: unknown option 'a'", 3);
}

static void test_file_and_path(void **state) {
    (void)state;
    const char *tmp = getenv("TS_TMP");
    char dir[4096], path[4200], got[4200];
    snprintf(dir, sizeof dir, "%s/config-xdg", tmp ? tmp : "/tmp");
    mkdir(dir, 0700);
    setenv("XDG_CONFIG_HOME", dir, 1);
    assert_true(ts_config_path(got, sizeof got));
    snprintf(path, sizeof path, "%s/trajscope/config", dir);
    assert_string_equal(got, path);
    setenv("XDG_CONFIG_HOME", "relative/ignored", 1);
    setenv("HOME", "/home/someone", 1);
    assert_true(ts_config_path(got, sizeof got));
    assert_string_equal(got, "/home/someone/.config/trajscope/config");
    unsetenv("XDG_CONFIG_HOME");

    TsSettings s;
    TsKeymap km;
    TsErr err;
    ts_settings_default(&s);
    ts_keymap_init_defaults(&km);
    /* missing default file: fine; missing named file: an error */
    assert_int_equal(ts_config_load("/nonexistent/trajscope/config", false, &s, &km, &err), 0);
    assert_false(ts_err_is_set(&err));
    assert_int_equal(ts_config_load("/nonexistent/trajscope/config", true, &s, &km, &err), 1);
    assert_non_null(strstr(err.msg, "/nonexistent/trajscope/config: "));
    snprintf(path, sizeof path, "%s/cfg", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("set log-x on\nbind q oops\n", f);
    fclose(f);
    assert_int_equal(ts_config_load(path, false, &s, &km, &err), 1);
    char want[4300];
    snprintf(want, sizeof want, "%s:2: unknown action 'oops'", path);
    assert_string_equal(err.msg, want);
    assert_true(s.log_x);
    ts_keymap_fini(&km);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_file_and_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
