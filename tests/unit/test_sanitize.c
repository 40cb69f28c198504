/* test_sanitize.c - nothing from a file can drive the terminal.
 * Layer: tests. License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trajscope/err.h"
#include "trajscope/sanitize.h"

static void check(const char *in, const char *want) {
    char out[64];
    ts_sanitize(out, sizeof out, in);
    assert_string_equal(out, want);
    assert_true(ts_is_clean(out));
    char *dup = ts_sanitize_dup(in);
    assert_string_equal(dup, want);
    free(dup);
}

static void test_controls_replaced(void **state) {
    (void)state;
    check("plain/loss", "plain/loss");
    check("\x1b[2Jevil", "?[2Jevil");
    check("a\tb\nc\rd\x7f", "a?b?c?d?");
    check("\xc2\x9b" "31m", "?31m"); /* C1 CSI as UTF-8 */
    assert_false(ts_is_clean("\x1b"));
    assert_true(ts_is_clean("\xce\xbb=0.5 \xe2\x9c\x93")); /* λ=0.5 ✓ */
}

static void test_utf8_kept_and_invalid_replaced(void **state) {
    (void)state;
    check("\xce\xbb\xe2\x9c\x93\xf0\x9f\x9a\x80", "\xce\xbb\xe2\x9c\x93\xf0\x9f\x9a\x80");
    check("\xff\xfe", "??");
    check("\xc0\xaf", "??");          /* overlong '/' */
    check("\xed\xa0\x80", "???");     /* surrogate */
    check("\xe2\x9c", "??");          /* truncated sequence */
}

static void test_truncates_at_char_boundary(void **state) {
    (void)state;
    char out[4];
    ts_sanitize(out, sizeof out, "a\xce\xbb\xce\xbb");
    assert_string_equal(out, "a\xce\xbb");
    ts_sanitize(out, 1, "abc");
    assert_string_equal(out, "");
}

static void test_err_messages_are_sanitized(void **state) {
    (void)state;
    TsErr err;
    ts_err_clear(&err);
    assert_false(ts_err_is_set(&err));
    ts_err_set(&err, "%s: bad name \"%s\"", "run.h5", "x\x1b]0;pwned\x07");
    assert_true(ts_err_is_set(&err));
    assert_string_equal(err.msg, "run.h5: bad name \"x?]0;pwned?\"");
    ts_err_set(NULL, "ignored %d", 1);
}

static void test_utf8_encode_round_trips(void **state) {
    (void)state;
    static const struct { uint32_t cp; const char *utf8; } cases[] = {
        {'A', "A"}, {0xe9, "\xc3\xa9"}, {0x3bb, "\xce\xbb"}, {0x2800, "\xe2\xa0\x80"},
        {0xffff, "\xef\xbf\xbf"}, {0x1f680, "\xf0\x9f\x9a\x80"}, {0x10ffff, "\xf4\x8f\xbf\xbf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[5] = {0};
        size_t n = ts_utf8_encode(cases[i].cp, out);
        assert_int_equal(n, strlen(cases[i].utf8));
        assert_memory_equal(out, cases[i].utf8, n);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls_replaced),
        cmocka_unit_test(test_utf8_kept_and_invalid_replaced),
        cmocka_unit_test(test_truncates_at_char_boundary),
        cmocka_unit_test(test_err_messages_are_sanitized),
        cmocka_unit_test(test_utf8_encode_round_trips),
    };
    return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
