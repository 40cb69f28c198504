/* test_theme.c - theme parsing (errors with line numbers), the stock
 * themes, and colour mapping for 8/16/256/direct-colour terminals.
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

#include "tui/textfile.h"
#include "tui/theme.h"

static void expect_error(const char *text, const char *want) {
    TsTheme t;
    TsErr err;
    ts_err_clear(&err);
    assert_false(ts_theme_parse(text, "my.ini", NULL, &t, &err));
    if (!strstr(err.msg, want)) fail_msg("error '%s' lacks '%s'", err.msg, want);
}

static void test_parse_ok(void **state) {
    (void)state;
    TsTheme t;
    TsErr err;
    const char *text = "; comment\n"
                       "# another\n"
                       "\n"
                       "plot.axis = fg:#5e81ac bg:default bold\n"
                       "header=fg:12 bg:bright-blue reverse underline\n"
                       "plot.series.3 = fg:red dim italic ; trailing comment\n"
                       "list = none\n";
    assert_true(ts_theme_parse(text, "x.ini", NULL, &t, &err));
    TsThemeStyle a = t.style[TS_STYLE_AXIS];
    assert_int_equal(a.fg.kind, TS_COLOUR_RGB);
    assert_int_equal(a.fg.value, 0x5e81ac);
    assert_int_equal(a.bg.kind, TS_COLOUR_DEFAULT);
    assert_int_equal(a.attrs, TS_ATTR_BOLD);
    TsThemeStyle h = t.style[TS_STYLE_HEADER];
    assert_int_equal(h.fg.kind, TS_COLOUR_INDEX);
    assert_int_equal(h.fg.value, 12);
    assert_int_equal(h.bg.value, 12);
    assert_int_equal(h.attrs, TS_ATTR_REVERSE | TS_ATTR_UNDERLINE);
    TsThemeStyle s3 = t.style[TS_STYLE_SERIES3];
    assert_int_equal(s3.fg.value, 1);
    assert_int_equal(s3.attrs, TS_ATTR_DIM | TS_ATTR_ITALIC);
    assert_int_equal(t.style[TS_STYLE_LIST].attrs, 0);
    /* untouched styles: all default (no base) */
    assert_int_equal(t.style[TS_STYLE_TICK].fg.kind, TS_COLOUR_DEFAULT);
}

static void test_parse_errors_name_line(void **state) {
    (void)state;
    expect_error("plot.axis = bold\nplot.axes = bold\n", "my.ini:2: plot.axes: unknown style 'plot.axes'");
    expect_error("\n\n\nheader = fg:#12345\n", "my.ini:4:");
    expect_error("\n\n\nheader = fg:#12345\n", "bad colour '#12345'");
    expect_error("header = fg:256\n", "my.ini:1:");
    expect_error("header = fg:purple\n", "bad colour 'purple'");
    expect_error("title = bold blink\n", "unknown word 'blink'");
    expect_error("; c\ntitle =\n", "my.ini:2:");
    expect_error("; c\n\ntitle bold\n", "my.ini:3:");
    expect_error("[colours]\ntitle = bold\n", "my.ini:2:");
    /* the first of several errors is reported */
    expect_error("title = bold\nfoo = bold\nbar = bold\n", "my.ini:2:");
    /* a syntax error before a handler error */
    expect_error("title = bold\nnonsense line\nfoo = bold\n", "my.ini:2: expected");
    /* long lines do not shift line numbers */
    char big[1200];
    memset(big, ' ', sizeof big);
    memcpy(big, "; ", 2);
    memcpy(big + sizeof big - 30, "\nheader = fg:nope\n", 19);
    big[sizeof big - 11] = '\0';
    expect_error(big, "my.ini:2:");
}

static const char *root(void) {
    const char *r = getenv("TS_ROOT");
    return r ? r : ".";
}

/* The compiled-in themes are byte-identical to themes/NAME.ini, and each
 * defines every style of style.h explicitly. */
static void test_builtin_match_files(void **state) {
    (void)state;
    assert_int_equal(ts_theme_builtin_count(), 4);
    const char *want[] = {"default", "light", "colorblind", "mono"};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(ts_theme_builtin_name(i), want[i]);
        char path[4096];
        snprintf(path, sizeof path, "%s/themes/%s.ini", root(), want[i]);
        TsErr err;
        char *file = ts_textfile_read(path, 1 << 20, &err);
        if (!file) fail_msg("%s", err.msg);
        const char *built = ts_theme_builtin_text(i);
        if (strcmp(file, built) != 0) {
            size_t k = 0;
            while (file[k] && file[k] == built[k]) k++;
            fail_msg("src/tui/themes_builtin.c differs from %s at byte %zu: regenerate it from the .ini", path, k);
        }
        free(file);
        assert_ptr_equal(ts_theme_builtin_find(want[i]), built);
        /* completeness: start from a sentinel base; every style must be overwritten */
        TsTheme base, t;
        for (int s = 0; s < TS_STYLE_COUNT; s++) base.style[s] = (TsThemeStyle){{TS_COLOUR_INDEX, 77}, {TS_COLOUR_INDEX, 77}, 0xf000};
        assert_true(ts_theme_parse(built, want[i], &base, &t, &err));
        for (int s = 0; s < TS_STYLE_COUNT; s++)
            if (t.style[s].attrs == 0xf000) fail_msg("theme %s lacks style %s", want[i], ts_style_name((TsStyleId)s));
    }
    assert_null(ts_theme_builtin_find("nope"));
    assert_null(ts_theme_builtin_name(4));
    /* mono uses no colour at all */
    TsTheme mono;
    TsErr err;
    assert_true(ts_theme_load("mono", &mono, &err));
    for (int s = 0; s < TS_STYLE_COUNT; s++) {
        assert_int_equal(mono.style[s].fg.kind, TS_COLOUR_DEFAULT);
        assert_int_equal(mono.style[s].bg.kind, TS_COLOUR_DEFAULT);
    }
    assert_int_equal(mono.style[TS_STYLE_LIST_SELECTED].attrs & TS_ATTR_REVERSE, TS_ATTR_REVERSE);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_load_user_theme(void **state) {
    (void)state;
    const char *tmp = getenv("TS_TMP");
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/theme-xdg", tmp ? tmp : "/tmp");
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/trajscope", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/trajscope/themes", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/trajscope/themes/mine.ini", dir);
    write_file(path, "title = fg:#ff0000 underline\n");
    setenv("XDG_CONFIG_HOME", dir, 1);
    TsTheme t, def;
    TsErr err;
    ts_theme_default(&def);
    assert_true(ts_theme_load("mine", &t, &err));
    assert_string_equal(t.name, "mine");
    assert_int_equal(t.style[TS_STYLE_TITLE].fg.value, 0xff0000);
    assert_int_equal(t.style[TS_STYLE_TITLE].attrs, TS_ATTR_UNDERLINE);
    /* missing styles inherit from the stock default theme */
    assert_memory_equal(&t.style[TS_STYLE_AXIS], &def.style[TS_STYLE_AXIS], sizeof def.style[0]);
    assert_int_equal(def.style[TS_STYLE_AXIS].fg.kind, TS_COLOUR_RGB);
    /* by path, with an error naming the file and line */
    snprintf(path, sizeof path, "%s/bad.ini", dir);
    write_file(path, "title = bold\n\nplot.bogus = bold\n");
    assert_false(ts_theme_load(path, &t, &err));
    char want[4300];
    snprintf(want, sizeof want, "%s:3: plot.bogus: unknown style", path);
    assert_non_null(strstr(err.msg, want));
    assert_false(ts_theme_load("no-such-theme", &t, &err));
    assert_non_null(strstr(err.msg, "unknown theme 'no-such-theme'"));
    assert_non_null(strstr(err.msg, "colorblind"));
    assert_false(ts_theme_load("/nonexistent/x.ini", &t, &err));
    assert_non_null(strstr(err.msg, "/nonexistent/x.ini: "));
    unsetenv("XDG_CONFIG_HOME");
}

static void test_colour_maps(void **state) {
    (void)state;
    /* exact cube and grey entries map to themselves */
    for (int i = 16; i < 256; i++) assert_int_equal(ts_colour_rgb_to_256(ts_colour_index_rgb(i)), i);
    assert_int_equal(ts_colour_rgb_to_256(0x000000), 16);
    assert_int_equal(ts_colour_rgb_to_256(0xffffff), 231);
    assert_int_equal(ts_colour_rgb_to_256(0xff0000), 196);
    assert_int_equal(ts_colour_rgb_to_256(0x808080), 244);
    assert_int_equal(ts_colour_rgb_to_256(0x5e81ac), 67); /* 95,135,175 */
    /* 8 colours by hue, greys by lightness */
    assert_int_equal(ts_colour_rgb_to_ansi(0xe15759, 8), 1);
    assert_int_equal(ts_colour_rgb_to_ansi(0x59c36a, 8), 2);
    assert_int_equal(ts_colour_rgb_to_ansi(0xedc948, 8), 3);
    assert_int_equal(ts_colour_rgb_to_ansi(0x1f77b4, 8), 4);
    assert_int_equal(ts_colour_rgb_to_ansi(0xb07aa1, 8), 5);
    assert_int_equal(ts_colour_rgb_to_ansi(0x76b7b2, 8), 6);
    assert_int_equal(ts_colour_rgb_to_ansi(0xf28e2b, 8), 3); /* orange -> yellow */
    assert_int_equal(ts_colour_rgb_to_ansi(0x101010, 8), 0);
    assert_int_equal(ts_colour_rgb_to_ansi(0x4c566a, 8), 7);
    assert_int_equal(ts_colour_rgb_to_ansi(0x4c566a, 16), 8);
    assert_int_equal(ts_colour_rgb_to_ansi(0xffffff, 16), 15);
    assert_int_equal(ts_colour_rgb_to_ansi(0xff9da7, 16), 9); /* light red -> bright red */
    for (uint32_t rgb = 0; rgb < 0x1000000; rgb += 0x0f0f0f / 3 + 77) {
        int c8 = ts_colour_rgb_to_ansi(rgb, 8), c16 = ts_colour_rgb_to_ansi(rgb, 16);
        assert_true(c8 >= 0 && c8 < 8);
        assert_true(c16 >= 0 && c16 < 16);
        int c256 = ts_colour_rgb_to_256(rgb);
        assert_true(c256 >= 16 && c256 < 256);
    }
}

static void test_resolve(void **state) {
    (void)state;
    TsTheme t;
    TsErr err;
    assert_true(ts_theme_parse("title = fg:#ff0000 bg:3 bold\nheader = fg:200 bg:default\nlist = fg:bright-red\n"
                               "error = fg:#000000\n",
                               "t.ini", NULL, &t, &err));
    TsTermStyle st[TS_STYLE_COUNT];
    ts_theme_resolve(&t, 0, st);
    assert_int_equal(st[TS_STYLE_TITLE].fg, -1);
    assert_int_equal(st[TS_STYLE_TITLE].bg, -1);
    assert_int_equal(st[TS_STYLE_TITLE].attrs, TS_ATTR_BOLD);
    ts_theme_resolve(&t, 8, st);
    assert_int_equal(st[TS_STYLE_TITLE].fg, 1);
    assert_int_equal(st[TS_STYLE_TITLE].bg, 3);
    assert_int_equal(st[TS_STYLE_LIST].fg, 1); /* bright red -> red */
    assert_true(st[TS_STYLE_HEADER].fg >= 0 && st[TS_STYLE_HEADER].fg < 8);
    assert_int_equal(st[TS_STYLE_HEADER].bg, -1);
    assert_int_equal(st[TS_STYLE_DEFAULT].fg, -1);
    ts_theme_resolve(&t, 16, st);
    assert_int_equal(st[TS_STYLE_LIST].fg, 9);
    ts_theme_resolve(&t, 256, st);
    assert_int_equal(st[TS_STYLE_TITLE].fg, 196);
    assert_int_equal(st[TS_STYLE_HEADER].fg, 200);
    ts_theme_resolve(&t, 0x1000000, st);
    assert_int_equal(st[TS_STYLE_TITLE].fg, 0xff0000);
    assert_int_equal(st[TS_STYLE_TITLE].bg, 3);
    assert_int_equal(st[TS_STYLE_HEADER].fg, (int)ts_colour_index_rgb(200));
    assert_int_equal(st[TS_STYLE_ERROR].fg, 8); /* #000000 cannot be 0 in direct mode */
}

static void test_parse_style_value(void **state) {
    (void)state;
    TsThemeStyle s;
    TsErr err;
    assert_true(ts_theme_parse_style("  fg:default   bg:#FFFFFF  BOLD ", &s, &err));
    assert_int_equal(s.bg.value, 0xffffff);
    assert_int_equal(s.attrs, TS_ATTR_BOLD);
    assert_false(ts_theme_parse_style("", &s, &err));
    assert_false(ts_theme_parse_style("fg:", &s, &err));
    assert_false(ts_theme_parse_style("fg:#gggggg", &s, &err));
    assert_false(ts_theme_parse_style("bg:-1", &s, &err));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),          cmocka_unit_test(test_parse_errors_name_line),
        cmocka_unit_test(test_builtin_match_files), cmocka_unit_test(test_load_user_theme),
        cmocka_unit_test(test_colour_maps),       cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_parse_style_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
