/* test_keymap.c - key specs, the action table and key -> action lookup.
 * Layer: tests (tui). License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/action.h"
#include "tui/keymap.h"
#include "tui/keysdoc.h"
#include "tui/textfile.h"

static TsKey key(const char *spec) {
    TsKey k = TS_KEY_NONE;
    assert_true(ts_key_parse(spec, &k));
    return k;
}

static void test_parse_specs(void **state) {
    (void)state;
    assert_int_equal(key("q"), 'q');
    assert_int_equal(key("Q"), 'Q');
    assert_int_equal(key("<"), '<');
    assert_int_equal(key(">"), '>');
    assert_int_equal(key("<lt>"), '<');
    assert_int_equal(key("<gt>"), '>');
    assert_int_equal(key(","), ',');
    assert_int_equal(key("<Space>"), ' ');
    assert_int_equal(key("<space>"), ' ');
    assert_int_equal(key("<Tab>"), 9);
    assert_int_equal(key("<Enter>"), 13);
    assert_int_equal(key("<CR>"), 13);
    assert_int_equal(key("<Esc>"), 27);
    assert_int_equal(key("<BS>"), 127);
    assert_int_equal(key("<C-l>"), 12);
    assert_int_equal(key("<C-L>"), 12);
    assert_int_equal(key("<c-a>"), 1);
    assert_int_equal(key("<Left>"), TS_KEY_LEFT);
    assert_int_equal(key("<LEFT>"), TS_KEY_LEFT);
    assert_int_equal(key("<S-Left>"), TS_KEY_SLEFT);
    assert_int_equal(key("<S-Tab>"), TS_KEY_BACKTAB);
    assert_int_equal(key("<PageDown>"), TS_KEY_PAGEDOWN);
    assert_int_equal(key("<PgDn>"), TS_KEY_PAGEDOWN);
    assert_int_equal(key("<F1>"), TS_KEY_F1);
    assert_int_equal(key("<F12>"), TS_KEY_F12);
    assert_int_equal(key("\xc3\xa9"), 0xe9); /* é */
    assert_int_equal(key("\xe2\x86\x90"), 0x2190);
}

static void test_parse_rejects(void **state) {
    (void)state;
    TsKey k;
    const char *bad[] = {"", "ab", "<>", "<Foo>", "<C-1>", "<C->", "<F13>", "\x01", "\x7f",
                         "\xc3", "\xc3\xa9x", "\xff", "<Left", "<C-ab>", "\xed\xa0\x80", NULL};
    for (int i = 0; bad[i]; i++) assert_false(ts_key_parse(bad[i], &k));
    assert_false(ts_key_parse(NULL, &k));
}

/* Every key the formatter writes parses back to the same key. */
static void test_format_roundtrip(void **state) {
    (void)state;
    TsKey keys[] = {'q', ' ', '<', '>', 9, 13, 27, 127, 12, 1, 26, 0xe9, 0x2190, TS_KEY_LEFT,
                    TS_KEY_SRIGHT, TS_KEY_BACKTAB, TS_KEY_F5, TS_KEY_PAGEUP, TS_KEY_DELETE};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char buf[32];
        ts_key_format(keys[i], buf, sizeof buf);
        TsKey back;
        assert_true(ts_key_parse(buf, &back));
        assert_int_equal(back, keys[i]);
    }
    char buf[32];
    ts_key_format(12, buf, sizeof buf);
    assert_string_equal(buf, "<C-l>");
    ts_key_format(' ', buf, sizeof buf);
    assert_string_equal(buf, "<Space>");
    ts_key_format('<', buf, sizeof buf);
    assert_string_equal(buf, "<lt>");
    ts_key_display('<', buf, sizeof buf);
    assert_string_equal(buf, "<");
    ts_key_display(12, buf, sizeof buf);
    assert_string_equal(buf, "Ctrl-L");
    ts_key_display(TS_KEY_LEFT, buf, sizeof buf);
    assert_string_equal(buf, "Left");
}

/* The action table: unique names, every default key parses, no key is the
 * default of two actions, names map back. */
static void test_action_table(void **state) {
    (void)state;
    assert_null(ts_action_name(TS_ACTION_NONE));
    assert_null(ts_action_name(TS_ACTION_COUNT));
    assert_int_equal(ts_action_from_name("no-such-action"), TS_ACTION_NONE);
    TsKeymap km;
    ts_keymap_init_defaults(&km);
    size_t total_specs = 0;
    for (int a = 1; a < TS_ACTION_COUNT; a++) {
        const char *name = ts_action_name((TsAction)a);
        assert_non_null(name);
        assert_non_null(ts_action_help((TsAction)a));
        assert_non_null(ts_action_group((TsAction)a));
        assert_int_equal(ts_action_from_name(name), a);
        for (int b = a + 1; b < TS_ACTION_COUNT; b++) assert_string_not_equal(name, ts_action_name((TsAction)b));
        /* every default spec parses and is bound to this action */
        char specs[64];
        snprintf(specs, sizeof specs, "%s", ts_action_default_keys((TsAction)a));
        for (char *tok = strtok(specs, " "); tok; tok = strtok(NULL, " ")) {
            TsKey k;
            assert_true(ts_key_parse(tok, &k));
            assert_int_equal(ts_keymap_lookup(&km, k), a);
            total_specs++;
        }
    }
    /* one binding per default spec: no spec was claimed twice */
    assert_int_equal(km.n, total_specs);
    ts_keymap_fini(&km);
}

static void test_bind_lookup(void **state) {
    (void)state;
    TsKeymap km;
    ts_keymap_init_defaults(&km);
    assert_int_equal(ts_keymap_lookup(&km, 'q'), TS_ACTION_QUIT);
    assert_int_equal(ts_keymap_lookup(&km, 'l'), TS_ACTION_CURSOR_RIGHT);
    assert_int_equal(ts_keymap_lookup(&km, TS_KEY_RIGHT), TS_ACTION_CURSOR_RIGHT);
    assert_int_equal(ts_keymap_lookup(&km, 12), TS_ACTION_REDRAW);
    assert_int_equal(ts_keymap_lookup(&km, '<'), TS_ACTION_PAN_LEFT);
    assert_int_equal(ts_keymap_lookup(&km, 'Z'), TS_ACTION_NONE);
    /* rebinding replaces */
    size_t n = km.n;
    ts_keymap_bind(&km, 'l', TS_ACTION_QUIT);
    assert_int_equal(km.n, n);
    assert_int_equal(ts_keymap_lookup(&km, 'l'), TS_ACTION_QUIT);
    TsKey keys[8];
    assert_int_equal(ts_keymap_keys_for(&km, TS_ACTION_QUIT, keys, 8), 2);
    assert_int_equal(ts_keymap_keys_for(&km, TS_ACTION_CURSOR_RIGHT, keys, 8), 1);
    assert_int_equal(keys[0], TS_KEY_RIGHT);
    /* unbind */
    ts_keymap_bind(&km, 'q', TS_ACTION_NONE);
    assert_int_equal(km.n, n - 1);
    assert_int_equal(ts_keymap_lookup(&km, 'q'), TS_ACTION_NONE);
    ts_keymap_bind(&km, 'q', TS_ACTION_NONE); /* unbinding twice is harmless */
    assert_int_equal(km.n, n - 1);
    char desc[64];
    ts_keymap_describe(&km, TS_ACTION_QUIT, desc, sizeof desc);
    assert_string_equal(desc, "l");
    ts_keymap_describe(&km, TS_ACTION_CURSOR_LEFT, desc, sizeof desc);
    assert_string_equal(desc, "h Left");
    ts_keymap_bind(&km, 'l', TS_ACTION_NONE);
    ts_keymap_describe(&km, TS_ACTION_QUIT, desc, sizeof desc);
    assert_string_equal(desc, "(unbound)");
    /* many bindings grow the table */
    for (TsKey k = 0x4e00; k < 0x4e00 + 200; k++) ts_keymap_bind(&km, k, TS_ACTION_HELP);
    assert_int_equal(ts_keymap_lookup(&km, 0x4e00 + 150), TS_ACTION_HELP);
    assert_int_equal(ts_keymap_keys_for(&km, TS_ACTION_HELP, keys, 8), 202);
    ts_keymap_fini(&km);
    assert_int_equal(km.n, 0);
}

/* docs/KEYS.md is what the tables generate. */
static void test_keys_doc_current(void **state) {
    (void)state;
    const char *root = getenv("TS_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/KEYS.md", root ? root : ".");
    TsErr err;
    char *file = ts_textfile_read(path, 1 << 20, &err);
    if (!file) fail_msg("%s", err.msg);
    char *gen = ts_keys_markdown();
    if (strcmp(file, gen) != 0) fail_msg("docs/KEYS.md is out of date: run build/trajscope --keys-markdown > docs/KEYS.md");
    /* every action and option appears */
    for (int a = 1; a < TS_ACTION_COUNT; a++) {
        char name[64];
        snprintf(name, sizeof name, "`%s`", ts_action_name((TsAction)a));
        assert_non_null(strstr(gen, name));
    }
    free(file);
    free(gen);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_specs),     cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_format_roundtrip), cmocka_unit_test(test_action_table),
        cmocka_unit_test(test_bind_lookup),     cmocka_unit_test(test_keys_doc_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
