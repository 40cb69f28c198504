/* test_framediff.c - which cells the terminal writer rewrites.
 * Layer: tests (tui). License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tui/framediff.h"

typedef struct Rec {
    int n;
    int x[64], y[64];
    uint32_t cp[64];
} Rec;

static void record(void *ctx, int x, int y, const TsCell *cell) {
    Rec *r = ctx;
    if (r->n < 64) {
        r->x[r->n] = x;
        r->y[r->n] = y;
        r->cp[r->n] = cell->cp;
    }
    r->n++;
}

static void test_basic(void **state) {
    (void)state;
    TsCellBuf front, next;
    ts_cellbuf_init(&front, 0, 0);
    ts_cellbuf_init(&next, 10, 3);
    ts_cellbuf_clear(&next, TS_STYLE_DEFAULT);
    Rec r = {0};
    assert_int_equal(ts_frame_diff(&front, &next, record, &r), 30); /* size change: all */
    assert_int_equal(front.w, 10);
    r.n = 0;
    assert_int_equal(ts_frame_diff(&front, &next, record, &r), 0);
    ts_cellbuf_put(&next, 4, 1, 'x', TS_STYLE_DEFAULT);
    assert_int_equal(ts_frame_diff(&front, &next, record, &r), 1);
    assert_int_equal(r.x[0], 4);
    assert_int_equal(r.y[0], 1);
    assert_int_equal(r.cp[0], 'x');
    /* style only */
    r.n = 0;
    ts_cellbuf_put(&next, 4, 1, 'x', TS_STYLE_AXIS);
    assert_int_equal(ts_frame_diff(&front, &next, record, &r), 1);
    /* invalidate: everything again */
    ts_frame_invalidate(&front);
    assert_int_equal(ts_frame_diff(&front, &next, NULL, NULL), 30);
    ts_cellbuf_fini(&front);
    ts_cellbuf_fini(&next);
}

static void test_wide(void **state) {
    (void)state;
    TsCellBuf front, next;
    ts_cellbuf_init(&front, 0, 0);
    ts_cellbuf_init(&next, 6, 1);
    ts_cellbuf_clear(&next, TS_STYLE_DEFAULT);
    ts_frame_diff(&front, &next, NULL, NULL);
    /* a wide character: one write, at its left cell */
    ts_cellbuf_put_str(&next, 2, 0, -1, "\xe6\xbc\xa2", TS_STYLE_DEFAULT); /* U+6F22 */
    assert_int_equal(ts_cellbuf_at(&next, 3, 0)->cp, 0);
    Rec r = {0};
    assert_int_equal(ts_frame_diff(&front, &next, record, &r), 1);
    assert_int_equal(r.x[0], 2);
    assert_int_equal(r.cp[0], 0x6f22);
    /* replacing it by two narrow ones writes both */
    r.n = 0;
    ts_cellbuf_put_str(&next, 2, 0, -1, "ab", TS_STYLE_DEFAULT);
    assert_int_equal(ts_frame_diff(&front, &next, record, &r), 2);
    assert_int_equal(r.x[0], 2);
    assert_int_equal(r.x[1], 3);
    /* only the right half changed (narrow -> wide starting one left) */
    r.n = 0;
    ts_cellbuf_put_str(&next, 1, 0, -1, "\xe6\xbc\xa2", TS_STYLE_DEFAULT);
    int n = (int)ts_frame_diff(&front, &next, record, &r);
    assert_int_equal(n, 1);
    assert_int_equal(r.x[0], 1);
    ts_cellbuf_fini(&front);
    ts_cellbuf_fini(&next);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_wide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
