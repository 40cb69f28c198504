/* test_cellbuf.c - the cell grid: puts, UTF-8 text, wide characters, text dump.
 * Layer: tests. License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trajscope/cellbuf.h"

static uint32_t cp_at(const TsCellBuf *b, int x, int y) {
    const TsCell *c = ts_cellbuf_at(b, x, y);
    assert_non_null(c);
    return c->cp;
}

static void test_init_put_at(void **state) {
    (void)state;
    TsCellBuf b;
    ts_cellbuf_init(&b, 4, 3);
    assert_int_equal(b.w, 4);
    assert_int_equal(b.h, 3);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 4; x++) assert_int_equal(cp_at(&b, x, y), ' ');
    ts_cellbuf_put(&b, 1, 2, 'Q', TS_STYLE_AXIS);
    assert_int_equal(cp_at(&b, 1, 2), 'Q');
    assert_int_equal(ts_cellbuf_at(&b, 1, 2)->style, TS_STYLE_AXIS);
    /* Outside: ignored, no crash. */
    ts_cellbuf_put(&b, -1, 0, 'X', 0);
    ts_cellbuf_put(&b, 4, 0, 'X', 0);
    ts_cellbuf_put(&b, 0, 3, 'X', 0);
    assert_null(ts_cellbuf_at(&b, 4, 0));
    assert_null(ts_cellbuf_at(&b, 0, -1));
    /* A control character never lands in a cell. */
    ts_cellbuf_put(&b, 0, 0, 0x1b, 0);
    assert_int_equal(cp_at(&b, 0, 0), '?');
    ts_cellbuf_clear(&b, TS_STYLE_HEADER);
    assert_int_equal(cp_at(&b, 1, 2), ' ');
    assert_int_equal(ts_cellbuf_at(&b, 1, 2)->style, TS_STYLE_HEADER);
    ts_cellbuf_resize(&b, 2, 5);
    assert_int_equal(b.w, 2);
    assert_int_equal(b.h, 5);
    assert_int_equal(cp_at(&b, 1, 4), ' ');
    ts_cellbuf_fini(&b);
    ts_cellbuf_init(&b, 0, 0);
    char *t = ts_cellbuf_to_text(&b);
    assert_string_equal(t, "");
    free(t);
    ts_cellbuf_fini(&b);
}

static void test_fill(void **state) {
    (void)state;
    TsCellBuf b;
    ts_cellbuf_init(&b, 5, 4);
    ts_cellbuf_fill(&b, (TsRect){3, 2, 10, 10}, '#', TS_STYLE_PHASE);
    ts_cellbuf_fill(&b, (TsRect){-2, -2, 3, 3}, '@', 0);
    char *t = ts_cellbuf_to_text(&b);
    assert_string_equal(t, "@\n\n   ##\n   ##\n");
    free(t);
    assert_int_equal(ts_cellbuf_at(&b, 4, 3)->style, TS_STYLE_PHASE);
    /* A fill that covers half of a wide character blanks its other half. */
    ts_cellbuf_clear(&b, 0);
    ts_cellbuf_put(&b, 0, 0, 0x6f22, 0); /* cells 0-1 */
    ts_cellbuf_put(&b, 3, 0, 0x5b57, 0); /* cells 3-4 */
    ts_cellbuf_fill(&b, (TsRect){1, 0, 3, 1}, '-', 0);
    t = ts_cellbuf_to_text(&b);
    assert_string_equal(t, " ---\n\n\n\n");
    free(t);
    ts_cellbuf_fini(&b);
}

static void test_put_str(void **state) {
    (void)state;
    TsCellBuf b;
    ts_cellbuf_init(&b, 10, 2);
    assert_int_equal(ts_cellbuf_put_str(&b, 1, 0, -1, "abc", 0), 3);
    assert_int_equal(cp_at(&b, 1, 0), 'a');
    assert_int_equal(cp_at(&b, 3, 0), 'c');
    /* Clipped at max_w and at the edge. */
    assert_int_equal(ts_cellbuf_put_str(&b, 0, 1, 2, "hello", 0), 2);
    assert_int_equal(cp_at(&b, 2, 1), ' ');
    assert_int_equal(ts_cellbuf_put_str(&b, 7, 1, -1, "hello", 0), 3);
    assert_int_equal(cp_at(&b, 9, 1), 'l');
    /* Escapes, C1 controls and invalid bytes become '?'. */
    ts_cellbuf_clear(&b, 0);
    ts_cellbuf_put_str(&b, 0, 0, -1, "a\x1b[2Jb\xc2\x9b\xff", 0);
    char *t = ts_cellbuf_to_text(&b);
    assert_string_equal(t, "a?[2Jb??\n\n");
    free(t);
    assert_int_equal(ts_cellbuf_put_str(&b, 0, 5, -1, "x", 0), 0); /* row outside */
    ts_cellbuf_fini(&b);
}

static void test_wide_and_combining(void **state) {
    (void)state;
    assert_int_equal(ts_text_width("abc"), 3);
    assert_int_equal(ts_text_width("\xe6\xbc\xa2\xe5\xad\x97"), 4);  /* 漢字 */
    assert_int_equal(ts_text_width("e\xcc\x81"), 1);                  /* e + combining acute */
    assert_int_equal(ts_text_width("\xe2\xa0\x81"), 1);               /* braille */
    assert_int_equal(ts_text_width("\xf0\x9f\x98\x80"), 2);           /* emoji */
    assert_int_equal(ts_text_width("\x01\x02"), 2);                   /* controls shown as '?' */
    assert_int_equal(ts_text_width(""), 0);

    TsCellBuf b;
    ts_cellbuf_init(&b, 6, 1);
    assert_int_equal(ts_cellbuf_put_str(&b, 0, 0, -1, "a\xe6\xbc\xa2" "b", 0), 4);
    assert_int_equal(cp_at(&b, 0, 0), 'a');
    assert_int_equal(cp_at(&b, 1, 0), 0x6f22);
    assert_int_equal(cp_at(&b, 2, 0), 0);
    assert_int_equal(cp_at(&b, 3, 0), 'b');
    char *t = ts_cellbuf_to_text(&b);
    assert_string_equal(t, "a\xe6\xbc\xa2" "b\n");
    free(t);
    /* Overwriting the right half blanks the left half, and vice versa. */
    ts_cellbuf_put(&b, 2, 0, 'R', 0);
    assert_int_equal(cp_at(&b, 1, 0), ' ');
    assert_int_equal(cp_at(&b, 2, 0), 'R');
    ts_cellbuf_put(&b, 3, 0, 0x6f22, 0);
    assert_int_equal(cp_at(&b, 4, 0), 0);
    ts_cellbuf_put(&b, 3, 0, 'L', 0);
    assert_int_equal(cp_at(&b, 4, 0), ' ');
    /* A wide character that does not fit is not drawn half. */
    ts_cellbuf_clear(&b, 0);
    assert_int_equal(ts_cellbuf_put_str(&b, 0, 0, 3, "ab\xe6\xbc\xa2", 0), 2);
    assert_int_equal(cp_at(&b, 2, 0), ' ');
    /* Combining marks take no cell. */
    assert_int_equal(ts_cellbuf_put_str(&b, 0, 0, -1, "e\xcc\x81x", 0), 2);
    assert_int_equal(cp_at(&b, 1, 0), 'x');
    /* A wide character put in the last column becomes '?'. */
    ts_cellbuf_put(&b, 5, 0, 0x6f22, 0);
    assert_int_equal(cp_at(&b, 5, 0), '?');
    ts_cellbuf_fini(&b);
}

static void test_to_text(void **state) {
    (void)state;
    TsCellBuf b;
    ts_cellbuf_init(&b, 5, 3);
    ts_cellbuf_put(&b, 0, 0, 0x2801, 0);
    ts_cellbuf_put(&b, 2, 0, 'x', 0);
    ts_cellbuf_put(&b, 4, 2, 0x00d7, 0);
    char *t = ts_cellbuf_to_text(&b);
    assert_string_equal(t, "\xe2\xa0\x81 x\n\n    \xc3\x97\n");
    free(t);
    ts_cellbuf_fini(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_put_at),       cmocka_unit_test(test_fill),
        cmocka_unit_test(test_put_str),           cmocka_unit_test(test_wide_and_combining),
        cmocka_unit_test(test_to_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
