/* test_canvas.c - exact glyphs: single dots, a diagonal, a gap, spans, the
 * three modes, cell ownership and clipping.
 * Layer: tests. License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trajscope/canvas.h"

static uint32_t glyph_at(const TsCanvas *c, int col, int row) {
    TsCellBuf b;
    ts_cellbuf_init(&b, c->cols, c->rows);
    ts_canvas_to_cells(c, &b, 0, 0);
    uint32_t cp = ts_cellbuf_at(&b, col, row)->cp;
    ts_cellbuf_fini(&b);
    return cp;
}

static char *canvas_text(const TsCanvas *c) {
    TsCellBuf b;
    ts_cellbuf_init(&b, c->cols, c->rows);
    ts_canvas_to_cells(c, &b, 0, 0);
    char *t = ts_cellbuf_to_text(&b);
    ts_cellbuf_fini(&b);
    return t;
}

static void test_braille_single_dots(void **state) {
    (void)state;
    /* Dot (col, row) inside a cell -> braille dot number 1..8. */
    static const struct { int x, y; uint32_t cp; } t[] = {
        {0, 0, 0x2801}, {0, 1, 0x2802}, {0, 2, 0x2804}, {0, 3, 0x2840},
        {1, 0, 0x2808}, {1, 1, 0x2810}, {1, 2, 0x2820}, {1, 3, 0x2880},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        TsCanvas c;
        ts_canvas_init(&c, TS_CANVAS_BRAILLE, 2, 2);
        assert_int_equal(c.w, 4);
        assert_int_equal(c.h, 8);
        ts_canvas_set(&c, 2 + t[i].x, 4 + t[i].y, 1); /* in cell (1, 1) */
        assert_true(ts_canvas_get(&c, 2 + t[i].x, 4 + t[i].y));
        assert_int_equal(glyph_at(&c, 1, 1), t[i].cp);
        assert_int_equal(glyph_at(&c, 0, 0), ' ');
        assert_false(ts_canvas_cell_used(&c, 0, 1));
        assert_true(ts_canvas_cell_used(&c, 1, 1));
        ts_canvas_fini(&c);
    }
    assert_int_equal(ts_canvas_glyph(TS_CANVAS_BRAILLE, 0xff), 0x28ff);
    assert_int_equal(ts_canvas_glyph(TS_CANVAS_BRAILLE, 0), ' ');
}

static void test_diagonal(void **state) {
    (void)state;
    TsCanvas c;
    ts_canvas_init(&c, TS_CANVAS_BRAILLE, 2, 1);
    /* From the centre of dot (0,0) to the centre of dot (3,3): one dot per column. */
    ts_canvas_line(&c, 0.5, 0.5, 3.5, 3.5, 1);
    for (int x = 0; x < 4; x++)
        for (int y = 0; y < 4; y++) assert_int_equal(ts_canvas_get(&c, x, y), x == y);
    char *t = canvas_text(&c);
    assert_string_equal(t, "\xe2\xa0\x91\xe2\xa2\x84\n"); /* U+2811 U+2884 */
    free(t);
    /* The same line drawn backwards gives the same dots. */
    ts_canvas_clear(&c);
    ts_canvas_line(&c, 3.5, 3.5, 0.5, 0.5, 1);
    t = canvas_text(&c);
    assert_string_equal(t, "\xe2\xa0\x91\xe2\xa2\x84\n");
    free(t);
    /* A steep line has no holes: every row between the ends is set. */
    ts_canvas_clear(&c);
    ts_canvas_line(&c, 0.5, 0.2, 1.5, 3.9, 1);
    for (int y = 0; y < 4; y++) assert_true(ts_canvas_get(&c, 0, y) || ts_canvas_get(&c, 1, y));
    ts_canvas_fini(&c);
}

static void test_gap_and_span(void **state) {
    (void)state;
    TsCanvas c;
    ts_canvas_init(&c, TS_CANVAS_BRAILLE, 3, 1);
    ts_canvas_vspan(&c, 0, 0, 3, 1);  /* full left column of cell 0 */
    ts_canvas_vspan(&c, 5, 3, 1, 1);  /* reversed order: rows 1..3, right column of cell 2 */
    char *t = canvas_text(&c);
    /* cell 0: dots 1,2,3,7 = 0x47; cell 1 empty; cell 2: dots 5,6,8 = 0xb0 */
    assert_string_equal(t, "\xe2\xa1\x87 \xe2\xa2\xb0\n");
    free(t);
    assert_false(ts_canvas_cell_used(&c, 1, 0));
    ts_canvas_fini(&c);
}

static void test_ascii_and_block(void **state) {
    (void)state;
    TsCanvas c;
    ts_canvas_init(&c, TS_CANVAS_ASCII, 6, 1);
    assert_int_equal(c.w, 6);
    assert_int_equal(c.h, 3);
    ts_canvas_set(&c, 0, 0, 1);          /* top */
    ts_canvas_set(&c, 1, 1, 1);          /* middle */
    ts_canvas_set(&c, 2, 2, 1);          /* bottom */
    ts_canvas_vspan(&c, 3, 0, 2, 1);     /* all three */
    ts_canvas_set(&c, 4, 0, 1);          /* top + bottom */
    ts_canvas_set(&c, 4, 2, 1);
    ts_canvas_vspan(&c, 5, 1, 2, 1);     /* middle + bottom */
    char *t = canvas_text(&c);
    assert_string_equal(t, "'-.|:|\n");
    free(t);
    ts_canvas_fini(&c);

    ts_canvas_init(&c, TS_CANVAS_BLOCK, 3, 1);
    assert_int_equal(c.w, 6);
    assert_int_equal(c.h, 2);
    ts_canvas_set(&c, 0, 0, 1);          /* upper left: U+2598 */
    ts_canvas_set(&c, 3, 1, 1);          /* lower right: U+2597 */
    ts_canvas_vspan(&c, 4, 0, 1, 1);     /* full cell: U+2588 */
    ts_canvas_vspan(&c, 5, 0, 1, 1);
    assert_int_equal(glyph_at(&c, 0, 0), 0x2598);
    assert_int_equal(glyph_at(&c, 1, 0), 0x2597);
    assert_int_equal(glyph_at(&c, 2, 0), 0x2588);
    ts_canvas_fini(&c);
    assert_int_equal(ts_canvas_glyph(TS_CANVAS_BLOCK, 3), 0x2580);  /* upper half */
    assert_int_equal(ts_canvas_glyph(TS_CANVAS_BLOCK, 12), 0x2584); /* lower half */
    assert_int_equal(ts_canvas_glyph(TS_CANVAS_BLOCK, 5), 0x258C);  /* left half */
    assert_int_equal(ts_canvas_glyph(TS_CANVAS_BLOCK, 10), 0x2590); /* right half */
}

static void test_owner_and_clipping(void **state) {
    (void)state;
    TsCanvas c;
    ts_canvas_init(&c, TS_CANVAS_BRAILLE, 2, 2);
    ts_canvas_set(&c, 0, 0, TS_STYLE_SERIES1 | TS_STYLE_DIM);
    ts_canvas_set(&c, 1, 1, TS_STYLE_SERIES2);
    ts_canvas_set(&c, 2, 4, TS_STYLE_SERIES1);
    TsCellBuf b;
    ts_cellbuf_init(&b, 4, 4);
    ts_cellbuf_put(&b, 3, 3, 'k', 0);
    ts_canvas_to_cells(&c, &b, 1, 1);
    assert_int_equal(ts_cellbuf_at(&b, 1, 1)->style, TS_STYLE_SERIES2); /* last writer */
    assert_int_equal(ts_cellbuf_at(&b, 1, 1)->cp, 0x2811);
    assert_int_equal(ts_cellbuf_at(&b, 2, 2)->style, TS_STYLE_SERIES1);
    assert_int_equal(ts_cellbuf_at(&b, 3, 3)->cp, 'k'); /* unused cells untouched */
    ts_cellbuf_fini(&b);
    /* Out of range and absurd coordinates are clipped, not crashes. */
    ts_canvas_clear(&c);
    ts_canvas_set(&c, -1, 0, 1);
    ts_canvas_set(&c, 4, 0, 1);
    ts_canvas_vspan(&c, 7, 0, 3, 1);
    ts_canvas_vspan(&c, 0, -100, -5, 1);
    for (int r = 0; r < 2; r++)
        for (int k = 0; k < 2; k++) assert_false(ts_canvas_cell_used(&c, k, r));
    ts_canvas_line(&c, -1e300, 0.5, 3.5, 7.5, 1);
    ts_canvas_line(&c, 0.5, 1e300, 1.5, -1e300, 1);
    assert_true(ts_canvas_get(&c, 3, 7));
    assert_true(ts_canvas_get(&c, 0, 0));
    ts_canvas_fini(&c);
    assert_string_equal(ts_canvas_mode_name(TS_CANVAS_ASCII), "ascii");
    assert_int_equal(ts_canvas_mode_from_name("block"), TS_CANVAS_BLOCK);
    assert_int_equal(ts_canvas_mode_from_name("nope"), TS_CANVAS_MODE_COUNT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_braille_single_dots), cmocka_unit_test(test_diagonal),
        cmocka_unit_test(test_gap_and_span),        cmocka_unit_test(test_ascii_and_block),
        cmocka_unit_test(test_owner_and_clipping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
