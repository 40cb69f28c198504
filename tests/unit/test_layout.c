/* test_layout.c - the explorer's layout over many terminal sizes.
 * Layer: tests (render). License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "trajscope/layout.h"

static bool empty(TsRect r) {
    return r.w <= 0 || r.h <= 0;
}

static int area(TsRect r) {
    return empty(r) ? 0 : r.w * r.h;
}

/* Every size from 1x1 to 300x120, list on and off, 0..20 panels, 0..2
 * axis rows: rectangles inside the screen, no overlaps, minimums kept,
 * every cell covered exactly once. */
static void test_sweep(void **state) {
    (void)state;
    long checked = 0;
    for (int cols = 1; cols <= 300; cols += (cols < 90 ? 1 : 7)) {
        for (int rows = 1; rows <= 120; rows += (rows < 50 ? 1 : 5)) {
            for (int list = 0; list < 2; list++) {
                for (int np = 0; np <= 20; np += (np < 6 ? 1 : 7)) {
                    for (int ax = 0; ax <= 2; ax++) {
                        TsLayoutRequest req = {cols, rows, list != 0, 24, np, ax};
                        TsLayout L;
                        ts_layout_compute(&req, &L);
                        checked++;
                        bool small = cols < TS_LAYOUT_MIN_COLS || rows < TS_LAYOUT_MIN_ROWS;
                        assert_int_equal(L.too_small, small);
                        assert_int_equal(L.need_cols, TS_LAYOUT_MIN_COLS);
                        assert_int_equal(L.need_rows, TS_LAYOUT_MIN_ROWS);
                        if (small) {
                            assert_true(empty(L.header) && empty(L.plot) && empty(L.status));
                            assert_int_equal(L.n_panels, 0);
                            continue;
                        }
                        TsRect parts[4 + TS_LAYOUT_MAX_PANELS];
                        int n = 0;
                        parts[n++] = L.header;
                        parts[n++] = L.status;
                        parts[n++] = L.list;
                        parts[n++] = L.xaxis;
                        for (int i = 0; i < L.n_panels; i++) parts[n++] = L.panels[i];
                        int total = 0;
                        for (int i = 0; i < n; i++) {
                            assert_true(ts_rect_inside(parts[i], L.screen));
                            total += area(parts[i]);
                            for (int j = i + 1; j < n; j++) assert_false(ts_rect_overlaps(parts[i], parts[j]));
                        }
                        /* Panels + axis rows + list + header + status tile the screen
                         * exactly when at least one panel is shown. */
                        if (L.n_panels > 0) assert_int_equal(total, cols * rows);
                        assert_int_equal(L.header.h, 1);
                        assert_int_equal(L.status.h, 1);
                        assert_int_equal(L.header.y, 0);
                        assert_int_equal(L.status.y, rows - 1);
                        assert_true(ts_rect_inside(L.plot, L.body));
                        assert_true(ts_rect_inside(L.list, L.body));
                        assert_true(L.n_panels <= np);
                        assert_true(L.n_panels <= TS_LAYOUT_MAX_PANELS);
                        assert_int_equal(L.xaxis.h, ax);
                        for (int i = 0; i < L.n_panels; i++) {
                            assert_true(L.panels[i].h >= TS_LAYOUT_PANEL_MIN_H);
                            assert_int_equal(L.panels[i].w, L.plot.w);
                            if (i > 0) assert_int_equal(L.panels[i].y, L.panels[i - 1].y + L.panels[i - 1].h);
                            /* heights differ by at most one row */
                            assert_true(abs(L.panels[i].h - L.panels[0].h) <= 1);
                        }
                        /* As many panels as fit were given. */
                        int fit = (L.plot.h - ax) / TS_LAYOUT_PANEL_MIN_H;
                        int want = np < TS_LAYOUT_MAX_PANELS ? np : TS_LAYOUT_MAX_PANELS;
                        assert_int_equal(L.n_panels, want < fit ? want : fit);
                        if (list) {
                            assert_true(empty(L.list) == L.list_dropped);
                            if (!empty(L.list)) {
                                assert_true(L.list.w >= TS_LAYOUT_LIST_MIN_W);
                                assert_true(L.plot.w >= TS_LAYOUT_PLOT_MIN_W);
                                assert_int_equal(L.plot.x, L.list.w);
                            }
                        } else {
                            assert_true(empty(L.list));
                            assert_false(L.list_dropped);
                            assert_int_equal(L.plot.w, cols);
                        }
                    }
                }
            }
        }
    }
    assert_true(checked > 100000);
}

static void test_typical_sizes(void **state) {
    (void)state;
    TsLayoutRequest req = {120, 40, true, 24, 2, 1};
    TsLayout L;
    ts_layout_compute(&req, &L);
    assert_false(L.too_small);
    assert_int_equal(L.list.w, 24);
    assert_int_equal(L.plot.x, 24);
    assert_int_equal(L.plot.w, 96);
    assert_int_equal(L.n_panels, 2);
    assert_int_equal(L.panels[0].h + L.panels[1].h, 40 - 2 - 1);
    /* 60x20 with the list: the plot keeps its minimum width. */
    req.cols = 60;
    req.rows = 20;
    ts_layout_compute(&req, &L);
    assert_false(L.too_small);
    assert_false(L.list_dropped);
    assert_true(L.plot.w >= TS_LAYOUT_PLOT_MIN_W);
    /* 45 columns: no room for the list. */
    req.cols = 45;
    ts_layout_compute(&req, &L);
    assert_true(L.list_dropped);
    assert_int_equal(L.list.w, 0);
    assert_int_equal(L.plot.w, 45);
    /* Too small. */
    req.cols = 39;
    ts_layout_compute(&req, &L);
    assert_true(L.too_small);
    req.cols = 80;
    req.rows = 9;
    ts_layout_compute(&req, &L);
    assert_true(L.too_small);
    req.cols = -5;
    req.rows = -5;
    ts_layout_compute(&req, &L);
    assert_true(L.too_small);
    assert_int_equal(L.screen.w, 0);
}

static void test_rect_helpers(void **state) {
    (void)state;
    TsRect a = {0, 0, 10, 5}, b = {9, 4, 3, 3}, c = {10, 0, 2, 2}, e = {3, 3, 0, 4};
    assert_true(ts_rect_overlaps(a, b));
    assert_false(ts_rect_overlaps(a, c));
    assert_false(ts_rect_overlaps(a, e));
    assert_true(ts_rect_inside(e, c));
    assert_true(ts_rect_has_point(a, 9, 4));
    assert_false(ts_rect_has_point(a, 10, 4));
    assert_false(ts_rect_inside(b, a));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_typical_sizes),
        cmocka_unit_test(test_rect_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
