/* test_plot.c - the plot: axes and labels of a known series, spikes at any
 * zoom in every canvas mode, NaN/Inf and log-y markers, seams, cursor,
 * markers, spans, mapping helpers, degenerate inputs.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/ts_test.h"
#include "trajscope/plot.h"
#include "trajscope/xalloc.h"

typedef struct Data {
    size_t n;
    int64_t *step;
    double *y;
    TsLod *lod;
} Data;

static Data data_new(size_t n) {
    Data d = {n, ts_xcalloc(n ? n : 1, sizeof(int64_t)), ts_xcalloc(n ? n : 1, sizeof(double)), NULL};
    return d;
}

static void data_build(Data *d) { d->lod = ts_lod_new_steps(d->step, d->y, d->n); }

static void data_free(Data *d) {
    ts_lod_free(d->lod);
    free(d->step);
    free(d->y);
}

static TsPlotSpec spec_for(const TsPlotSeries *s, size_t n, double x0, double x1, TsCanvasMode mode) {
    TsPlotSpec spec;
    memset(&spec, 0, sizeof spec);
    spec.series = s;
    spec.n_series = n;
    spec.x0 = x0;
    spec.x1 = x1;
    spec.mode = mode;
    return spec;
}

static uint32_t cp_at(const TsCellBuf *b, int x, int y) {
    const TsCell *c = ts_cellbuf_at(b, x, y);
    return c ? c->cp : 0xffffffffu;
}

static bool is_braille(uint32_t cp) { return cp > 0x2800 && cp <= 0x28ff; }

/* The text of row y from column x0 to x1 (exclusive), as UTF-8. */
static void row_text(const TsCellBuf *b, int y, int x0, int x1, char *out, size_t cap) {
    TsCellBuf line;
    ts_cellbuf_init(&line, x1 - x0, 1);
    for (int x = x0; x < x1; x++) ts_cellbuf_put(&line, x - x0, 0, cp_at(b, x, y), 0);
    char *t = ts_cellbuf_to_text(&line);
    t[strcspn(t, "\n")] = '\0';
    snprintf(out, cap, "%s", t);
    free(t);
    ts_cellbuf_fini(&line);
}

static void dump(const TsCellBuf *b) {
    char *t = ts_cellbuf_to_text(b);
    print_message("%s", t);
    free(t);
}

/* ---- a known series: y = step / 100 for steps 0..100 ---- */

static void test_known_series_axes(void **state) {
    (void)state;
    Data d = data_new(101);
    for (size_t i = 0; i < d.n; i++) {
        d.step[i] = (int64_t)i;
        d.y[i] = (double)i / 100.0;
    }
    data_build(&d);
    TsPlotSeries s = {d.lod, ts_style_series(0), "ramp", false};
    TsPlotSpec spec = spec_for(&s, 1, 0, 100, TS_CANVAS_BRAILLE);
    TsCellBuf b;
    ts_cellbuf_init(&b, 44, 16);
    ts_cellbuf_fill(&b, (TsRect){0, 0, 44, 16}, '#', 0);
    TsPlotLayout l;
    ts_plot_render(&spec, &b, (TsRect){2, 1, 40, 14}, &l);
    assert_true(l.ok);
    /* rows: 11 area + x axis + x labels + legend; labels "0".."1" are 3 wide */
    assert_int_equal(l.area.h, 11);
    assert_int_equal(l.label_w, 3);
    assert_int_equal(l.area.x, 2 + 3 + 1);
    assert_int_equal(l.area.w, 40 - 4);
    assert_int_equal(l.top_lane.h, 0);
    assert_int_equal(l.bottom_lane.h, 0);
    assert_double_equal(l.yaxis.lo, 0.0, 0);
    assert_double_equal(l.yaxis.hi, 1.0, 0);
    /* Outside the rect nothing changed. */
    for (int x = 0; x < 44; x++) {
        assert_int_equal(cp_at(&b, x, 0), '#');
        assert_int_equal(cp_at(&b, x, 15), '#');
    }
    for (int y = 0; y < 16; y++) {
        assert_int_equal(cp_at(&b, 0, y), '#');
        assert_int_equal(cp_at(&b, 43, y), '#');
    }
    /* y axis: "1" beside the top row, "0" beside the bottom row. */
    char txt[256];
    int top = l.area.y, bottom = l.area.y + l.area.h - 1;
    row_text(&b, top, 2, l.area.x, txt, sizeof txt);
    assert_string_equal(txt, "  1\xe2\x94\xa4"); /* "  1┤" */
    row_text(&b, bottom, 2, l.area.x, txt, sizeof txt);
    assert_string_equal(txt, "  0\xe2\x94\xa4");
    assert_int_equal(cp_at(&b, l.yaxis_x, l.xaxis_y), 0x2514); /* └ */
    /* x labels: "0" at the left edge of the area, "100" ending at the right edge. */
    row_text(&b, l.xlabel_y, l.area.x, l.area.x + l.area.w, txt, sizeof txt);
    assert_true(strncmp(txt, "0 ", 2) == 0);
    assert_true(strlen(txt) == (size_t)l.area.w && strcmp(txt + strlen(txt) - 3, "100") == 0);
    /* legend */
    row_text(&b, l.legend_y, l.area.x, 42, txt, sizeof txt);
    assert_true(strstr(txt, "ramp") != NULL);
    /* The curve: bottom-left and top-right cells, one braille run per column,
     * rows never going down from left to right (the ramp rises). */
    assert_true(is_braille(cp_at(&b, l.area.x, bottom)));
    assert_true(is_braille(cp_at(&b, l.area.x + l.area.w - 1, top)));
    int prev_row = bottom + 1;
    for (int c = 0; c < l.area.w; c++) {
        int highest = -1;
        for (int r = top; r <= bottom; r++)
            if (is_braille(cp_at(&b, l.area.x + c, r))) {
                highest = r;
                break;
            }
        if (highest < 0) {
            dump(&b);
            fail_msg("column %d has no data", c);
        }
        assert_true(highest <= prev_row);
        prev_row = highest;
    }
    /* The y axis tick rows hold the values they say (row_to_y). */
    for (int i = 0; i < l.yticks.n; i++) {
        int row = l.area.y + l.area.h - 1 - l.yticks.tick[i].pos;
        assert_int_equal(ts_plot_y_to_row(&l, l.yticks.tick[i].v), row);
    }
    ts_cellbuf_fini(&b);
    data_free(&d);
}

/* Hand-checked: points (0,0) (10,2) (20,1) (30,NaN) (40,4) in ASCII mode,
 * 24x9. Dots are 1x3 per cell; the line from (0,0) to (10,2) climbs 1.5
 * dot rows per column, the NaN at step 30 breaks the line (marker 'x' in
 * the top lane) so the last point stands alone in the top-right corner;
 * x ticks 0/10/20/30/40 do not fit 20 columns with two blanks between
 * labels, so 0/20/40 are shown. */
static void test_golden_ascii(void **state) {
    (void)state;
    int64_t step[5] = {0, 10, 20, 30, 40};
    double y[5] = {0, 2, 1, NAN, 4};
    TsLod *lod = ts_lod_new_steps(step, y, 5);
    TsPlotSeries s = {lod, ts_style_series(0), "demo", false};
    TsPlotSpec spec = spec_for(&s, 1, 0, 40, TS_CANVAS_ASCII);
    TsCellBuf b;
    ts_cellbuf_init(&b, 24, 9);
    ts_plot_render(&spec, &b, (TsRect){0, 0, 24, 9}, NULL);
    char *t = ts_cellbuf_to_text(&b);
    assert_string_equal(t,
                        "NaN|               x\n"
                        "  4+                   '\n"
                        "   |\n"
                        "  2+    .||.\n"
                        "   |  .|'  '|-|\n"
                        "  0+.|'\n"
                        "   ++---------+--------+\n"
                        "    0         20      40\n"
                        "    -- demo  x NaN\n");
    free(t);
    ts_cellbuf_fini(&b);
    ts_lod_free(lod);
}

/* ---- spikes ---- */

static void check_spike(TsCanvasMode mode, bool logx, double x0, double x1, int w, int h) {
    const size_t n = 100000, at = 54321;
    Data d = data_new(n);
    for (size_t i = 0; i < n; i++) {
        d.step[i] = (int64_t)i;
        d.y[i] = 0.5 + 0.1 * sin((double)i * 0.001);
    }
    d.y[at] = 10.0;
    data_build(&d);
    TsPlotSeries s = {d.lod, ts_style_series(0), "loss", false};
    TsPlotSpec spec = spec_for(&s, 1, x0, x1, mode);
    spec.logx = logx;
    TsCellBuf b;
    ts_cellbuf_init(&b, w, h);
    TsPlotLayout l;
    ts_plot_render(&spec, &b, (TsRect){0, 0, w, h}, &l);
    assert_true(l.ok);
    int col = ts_plot_x_to_col(&l, (double)at);
    assert_true(col >= l.area.x);
    for (int c = l.area.x; c < l.area.x + l.area.w; c++) {
        uint32_t cp = cp_at(&b, c, l.area.y);
        bool used = cp != ' ';
        if (c == col) {
            if (!used) {
                dump(&b);
                fail_msg("mode %d logx %d [%g, %g]: spike column %d empty in the top row", mode, logx, x0, x1, col);
            }
            if (mode == TS_CANVAS_BRAILLE) assert_true(is_braille(cp) && ((cp - 0x2800) & 0x09));
            if (mode == TS_CANVAS_ASCII) assert_true(cp == '|' || cp == '\'' || cp == ':');
        } else if (used) {
            dump(&b);
            fail_msg("mode %d: column %d (spike in %d) reaches the top row", mode, c, col);
        }
    }
    ts_cellbuf_fini(&b);
    data_free(&d);
}

static void test_spike_visible(void **state) {
    (void)state;
    for (int mode = 0; mode < TS_CANVAS_MODE_COUNT; mode++) {
        check_spike((TsCanvasMode)mode, false, 0, 99999, 60, 20);
        check_spike((TsCanvasMode)mode, false, 50000, 60000, 60, 20);
        check_spike((TsCanvasMode)mode, false, 54321, 54400, 45, 12);  /* spike on the left edge */
        check_spike((TsCanvasMode)mode, false, 54000, 54321, 200, 50); /* on the right edge */
        check_spike((TsCanvasMode)mode, true, 0, 99999, 60, 20);
        check_spike((TsCanvasMode)mode, false, 0, 99999, 21, 8);
    }
}

/* ---- non-finite values and log y ---- */

static void test_nonfinite_lanes(void **state) {
    (void)state;
    Data d = data_new(1000);
    for (size_t i = 0; i < d.n; i++) {
        d.step[i] = (int64_t)i;
        d.y[i] = 1.0 + (double)(i % 7);
    }
    d.y[500] = NAN;
    d.y[100] = INFINITY;
    d.y[900] = -INFINITY;
    data_build(&d);
    TsPlotSeries s = {d.lod, ts_style_series(0), "x", false};
    TsPlotSpec spec = spec_for(&s, 1, 0, 999, TS_CANVAS_BRAILLE);
    TsCellBuf b;
    ts_cellbuf_init(&b, 60, 20);
    TsPlotLayout l;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 60, 20}, &l);
    assert_int_equal(l.top_lane.h, 1);
    assert_int_equal(l.bottom_lane.h, 1);
    int c_nan = ts_plot_x_to_col(&l, 500), c_pinf = ts_plot_x_to_col(&l, 100), c_ninf = ts_plot_x_to_col(&l, 900);
    assert_int_equal(cp_at(&b, c_nan, l.top_lane.y), 0x00d7);
    assert_int_equal(ts_cellbuf_at(&b, c_nan, l.top_lane.y)->style, TS_STYLE_NONFINITE);
    assert_int_equal(cp_at(&b, c_pinf, l.top_lane.y), 0x25b2);
    assert_int_equal(cp_at(&b, c_ninf, l.bottom_lane.y), 0x25bc);
    /* Exactly three markers. */
    int markers = 0;
    for (int c = l.area.x; c < l.area.x + l.area.w; c++)
        markers += (cp_at(&b, c, l.top_lane.y) != ' ') + (cp_at(&b, c, l.bottom_lane.y) != ' ');
    assert_int_equal(markers, 3);
    /* The lanes are labelled and the legend explains the glyphs. */
    char txt[256];
    row_text(&b, l.top_lane.y, 0, l.yaxis_x, txt, sizeof txt);
    assert_string_equal(txt, " NaN");
    row_text(&b, l.legend_y, 0, 60, txt, sizeof txt);
    assert_true(strstr(txt, "\xc3\x97 NaN") && strstr(txt, "+Inf") && strstr(txt, "-Inf"));
    /* The finite range ignores the infinities. */
    assert_double_equal(l.yaxis.lo, 1.0, 0);
    assert_double_equal(l.yaxis.hi, 7.0, 0);
    /* ASCII mode uses ASCII markers. */
    spec.mode = TS_CANVAS_ASCII;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 60, 20}, &l);
    assert_int_equal(cp_at(&b, ts_plot_x_to_col(&l, 500), l.top_lane.y), 'x');
    assert_int_equal(cp_at(&b, ts_plot_x_to_col(&l, 900), l.bottom_lane.y), 'v');
    for (int y = 0; y < 20; y++)
        for (int x = 0; x < 60; x++) assert_true(cp_at(&b, x, y) < 0x80);
    ts_cellbuf_fini(&b);
    data_free(&d);
}

static void test_log_y_nonpositive(void **state) {
    (void)state;
    Data d = data_new(600);
    for (size_t i = 0; i < d.n; i++) {
        d.step[i] = (int64_t)i;
        d.y[i] = pow(10.0, (double)i / 100.0 - 3.0); /* 1e-3 .. ~1e3 */
    }
    d.y[300] = 0.0;
    d.y[301] = -1.0;
    data_build(&d);
    TsPlotSeries s = {d.lod, ts_style_series(0), "lr", false};
    TsPlotSpec spec = spec_for(&s, 1, 0, 599, TS_CANVAS_BRAILLE);
    TsCellBuf b;
    ts_cellbuf_init(&b, 70, 20);
    TsPlotLayout l;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 70, 20}, &l);
    assert_int_equal(l.bottom_lane.h, 0); /* linear y: 0 and -1 are ordinary values */
    spec.logy = true;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 70, 20}, &l);
    assert_int_equal(l.bottom_lane.h, 1);
    assert_int_equal(l.yaxis.scale, TS_SCALE_LOG);
    assert_double_equal(l.yaxis.lo, 1e-3, 1e-15);
    int col = ts_plot_x_to_col(&l, 300);
    assert_int_equal(cp_at(&b, col, l.bottom_lane.y), 0x25bc);
    int marks = 0;
    for (int c = l.area.x; c < l.area.x + l.area.w; c++) marks += cp_at(&b, c, l.bottom_lane.y) != ' ';
    assert_int_equal(marks, 1);
    char txt[256];
    row_text(&b, l.bottom_lane.y, 0, l.yaxis_x, txt, sizeof txt);
    assert_true(strstr(txt, "\xe2\x89\xa4" "0") != NULL); /* "≤0" */
    /* Log ticks are powers of ten. */
    for (int i = 0; i < l.yticks.n; i++) {
        double e = log10(l.yticks.tick[i].v);
        assert_double_equal(e, round(e), 1e-9);
    }
    /* The exponential is a straight line on a log axis: every column has data. */
    for (int c = l.area.x; c < l.area.x + l.area.w; c++) {
        bool any = false;
        for (int r = l.area.y; r < l.area.y + l.area.h; r++) any |= is_braille(cp_at(&b, c, r));
        assert_true(any);
    }
    ts_cellbuf_fini(&b);
    data_free(&d);
}

/* ---- seams ---- */

static void test_seams_never_draw_backwards(void **state) {
    (void)state;
    Data d = data_new(200);
    for (size_t i = 0; i < 100; i++) {
        d.step[i] = (int64_t)i;
        d.y[i] = 0.0;
        d.step[100 + i] = 50 + (int64_t)i;
        d.y[100 + i] = 1.0;
    }
    data_build(&d);
    TsPlotSeries s = {d.lod, ts_style_series(0), "resumed", false};
    TsPlotSpec spec = spec_for(&s, 1, 0, 149, TS_CANVAS_BRAILLE);
    TsCellBuf b;
    ts_cellbuf_init(&b, 60, 16);
    TsPlotLayout l;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 60, 16}, &l);
    int seam_col = ts_plot_x_to_col(&l, 50);
    int top = l.area.y, bottom = l.area.y + l.area.h - 1;
    for (int r = top + 1; r < bottom; r++)
        for (int c = l.area.x; c < l.area.x + l.area.w; c++) {
            uint32_t cp = cp_at(&b, c, r);
            if (is_braille(cp)) {
                dump(&b);
                fail_msg("data in the middle row %d, column %d: a line went backwards", r, c);
            }
            if (c == seam_col) assert_int_equal(cp, 0x2506); /* ┆ */
            else assert_int_equal(cp, ' ');
        }
    /* Both levels drawn where they overlap. */
    int mid = ts_plot_x_to_col(&l, 75);
    assert_true(is_braille(cp_at(&b, mid, top)) && is_braille(cp_at(&b, mid, bottom)));
    char txt[256];
    row_text(&b, l.legend_y, 0, 60, txt, sizeof txt);
    assert_true(strstr(txt, "seam") != NULL);
    spec.no_seams = true;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 60, 16}, &l);
    assert_int_equal(cp_at(&b, seam_col, top + 1), ' ');
    ts_cellbuf_fini(&b);
    data_free(&d);
}

/* ---- cursor, markers, spans, dimmed curves ---- */

static void test_cursor_markers_spans(void **state) {
    (void)state;
    Data d = data_new(101);
    for (size_t i = 0; i < d.n; i++) {
        d.step[i] = (int64_t)i;
        d.y[i] = (double)(i % 2); /* zig-zag fills every row of every column */
    }
    d.y[60] = 0.5;
    data_build(&d);
    Data flat = data_new(101);
    for (size_t i = 0; i < flat.n; i++) {
        flat.step[i] = (int64_t)i;
        flat.y[i] = 0.5;
    }
    data_build(&flat);
    TsPlotSeries s[2] = {{flat.lod, ts_style_series(1), "smooth", false}, {d.lod, ts_style_series(0), NULL, true}};
    TsPlotSpec spec = spec_for(s, 2, 0, 100, TS_CANVAS_BRAILLE);
    TsPlotMarker mk = {80, TS_STYLE_CHANGEPOINT, "cp"};
    TsPlotSpan span = {10, 30, TS_STYLE_PHASE};
    spec.markers = &mk;
    spec.n_markers = 1;
    spec.spans = &span;
    spec.n_spans = 1;
    spec.has_cursor = true;
    spec.cursor_x = 50;
    /* Zoom in so that columns are sparse enough to have empty cells. */
    spec.x0 = 40;
    spec.x1 = 90;
    TsCellBuf b;
    ts_cellbuf_init(&b, 60, 14);
    TsPlotLayout l;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 60, 14}, &l);
    int cur = ts_plot_x_to_col(&l, 50);
    for (int r = l.area.y; r < l.area.y + l.area.h; r++) {
        const TsCell *c = ts_cellbuf_at(&b, cur, r);
        if (is_braille(c->cp)) assert_true(c->style & TS_STYLE_REVERSE);
        else assert_true(c->cp == 0x2502 && c->style == TS_STYLE_CURSOR);
    }
    /* The smoothed curve (drawn last) owns the cells it shares with the dimmed raw one. */
    int row_mid = ts_plot_y_to_row(&l, 0.5);
    int c41 = ts_plot_x_to_col(&l, 41); /* y = 1: the raw curve reaches the top row */
    assert_int_equal(ts_cellbuf_at(&b, c41, row_mid)->style, ts_style_series(1));
    assert_true(is_braille(cp_at(&b, c41, l.area.y)));
    assert_int_equal(ts_cellbuf_at(&b, c41, l.area.y)->style, ts_style_series(0) | TS_STYLE_DIM);
    /* Marker: its glyph in empty cells, its label at the top. */
    int mc = ts_plot_x_to_col(&l, 80);
    int marker_cells = 0;
    for (int r = l.area.y; r < l.area.y + l.area.h; r++) {
        const TsCell *c = ts_cellbuf_at(&b, mc, r);
        if (c->cp == 0x250a) {
            assert_int_equal(c->style, TS_STYLE_CHANGEPOINT);
            marker_cells++;
        }
    }
    assert_true(marker_cells > 0);
    ts_cellbuf_fini(&b);

    /* Spans shade empty cells; markers outside the view are not drawn. */
    spec.x0 = 0;
    spec.x1 = 100;
    spec.has_cursor = false;
    d.y[60] = 0;
    ts_cellbuf_init(&b, 60, 14);
    TsPlotSeries only_flat = s[0];
    spec.series = &only_flat;
    spec.n_series = 1;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 60, 14}, &l);
    int sc = ts_plot_x_to_col(&l, 20);
    assert_int_equal(ts_cellbuf_at(&b, sc, l.area.y)->style, TS_STYLE_PHASE);
    assert_int_equal(ts_cellbuf_at(&b, sc, ts_plot_y_to_row(&l, 0.5))->style, ts_style_series(1));
    char txt[256];
    row_text(&b, l.area.y, l.area.x, l.area.x + l.area.w, txt, sizeof txt);
    assert_true(strstr(txt, "cp") != NULL);
    ts_cellbuf_fini(&b);
    data_free(&d);
    data_free(&flat);
}

/* ---- helpers ---- */

static void test_mapping_helpers(void **state) {
    (void)state;
    Data d = data_new(1000);
    for (size_t i = 0; i < d.n; i++) {
        d.step[i] = (int64_t)i * 10;
        d.y[i] = (double)i;
    }
    data_build(&d);
    TsPlotSeries s = {d.lod, ts_style_series(0), "a", false};
    double x0, x1;
    assert_true(ts_plot_data_x_range(&s, 1, &x0, &x1));
    assert_double_equal(x0, 0, 0);
    assert_double_equal(x1, 9990, 0);
    for (int logx = 0; logx < 2; logx++) {
        TsPlotSpec spec = spec_for(&s, 1, x0, x1, TS_CANVAS_BRAILLE);
        spec.logx = logx;
        TsPlotLayout l;
        ts_plot_layout(&spec, (TsRect){3, 2, 80, 24}, &l);
        assert_true(l.ok);
        double prev_hi = x0;
        for (int c = l.area.x; c < l.area.x + l.area.w; c++) {
            double lo, hi;
            assert_true(ts_plot_col_range(&l, c, &lo, &hi));
            assert_double_equal(lo, prev_hi, 1e-9 * (1 + fabs(lo)));
            assert_true(hi > lo);
            assert_int_equal(ts_plot_x_to_col(&l, (lo + hi) / 2), c);
            prev_hi = hi;
        }
        assert_double_equal(prev_hi, x1, 1e-9 * x1);
        double lo, hi;
        assert_false(ts_plot_col_range(&l, l.area.x - 1, &lo, &hi));
        assert_int_equal(ts_plot_x_to_col(&l, x1 + 1), -1);
        assert_int_equal(ts_plot_x_to_col(&l, x1), l.area.x + l.area.w - 1);
        for (int r = l.area.y; r < l.area.y + l.area.h; r++)
            assert_int_equal(ts_plot_y_to_row(&l, ts_plot_row_to_y(&l, r)), r);
        /* Zoom keeps the centre in place (in scale space) and pans move by a fraction. */
        TsPlotSpec z = spec;
        ts_plot_zoom_x(&z, 5000, 0.5, 1.0);
        assert_true(z.x0 >= x0 && z.x1 <= x1 && z.x1 - z.x0 < x1 - x0);
        assert_true(z.x0 < 5000 && z.x1 > 5000);
        TsAxis before = l.xaxis;
        TsPlotLayout lz;
        ts_plot_layout(&z, (TsRect){3, 2, 80, 24}, &lz);
        assert_double_equal(ts_axis_frac(&lz.xaxis, 5000), ts_axis_frac(&before, 5000), 1e-9);
        ts_plot_zoom_x(&z, 5000, 1e-9, 20.0);
        assert_double_equal(z.x1 - z.x0, 20.0, 1e-6);
        TsPlotSpec p = spec;
        p.x0 = 1000;
        p.x1 = 2000;
        ts_plot_pan_x(&p, -10.0); /* far left: stops at the origin under log-x */
        if (logx) assert_double_equal(p.x0, 0.0, 1e-9);
        else assert_double_equal(p.x1 - p.x0, 1000.0, 1e-6);
    }
    data_free(&d);
}

static void test_degenerate_inputs(void **state) {
    (void)state;
    TsCellBuf b;
    ts_cellbuf_init(&b, 30, 10);
    /* No series at all: axes 0..1, nothing else. */
    TsPlotSpec spec = spec_for(NULL, 0, 0, 0, TS_CANVAS_BRAILLE);
    TsPlotLayout l;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 30, 10}, &l);
    assert_true(l.ok);
    assert_true(l.xaxis.hi > l.xaxis.lo);
    /* Too small: nothing drawn, no crash. */
    ts_plot_render(&spec, &b, (TsRect){0, 0, 3, 2}, &l);
    assert_false(l.ok);
    /* A constant series, a single point, all-NaN: a usable y range. */
    Data d = data_new(5);
    for (size_t i = 0; i < 5; i++) {
        d.step[i] = 7;
        d.y[i] = 42.0;
    }
    data_build(&d);
    TsPlotSeries s = {d.lod, ts_style_series(0), "c", false};
    spec = spec_for(&s, 1, 7, 7, TS_CANVAS_BLOCK);
    ts_plot_render(&spec, &b, (TsRect){0, 0, 30, 10}, &l);
    assert_true(l.ok && l.yaxis.hi > l.yaxis.lo && l.yaxis.lo < 42.0 && l.yaxis.hi > 42.0);
    ts_lod_free(d.lod);
    for (size_t i = 0; i < 5; i++) d.y[i] = NAN;
    data_build(&d);
    s.lod = d.lod;
    spec.logy = true;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 30, 10}, &l);
    assert_true(l.ok && l.top_lane.h == 1);
    /* Fixed y range that excludes the data: clipped, no crash. */
    spec.logy = false;
    spec.y_fixed = true;
    spec.y0 = 100;
    spec.y1 = 200;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 30, 10}, &l);
    assert_double_equal(l.yaxis.lo, 100, 0);
    ts_cellbuf_fini(&b);
    data_free(&d);
}

/* The plot only reads the data. */
static void test_series_untouched(void **state) {
    (void)state;
    Data d = data_new(5000);
    for (size_t i = 0; i < d.n; i++) {
        d.step[i] = (int64_t)(i % 3000);
        d.y[i] = i % 97 == 0 ? NAN : sin((double)i);
    }
    int64_t *step_copy = ts_xmalloc(d.n * sizeof *step_copy);
    double *y_copy = ts_xmalloc(d.n * sizeof *y_copy);
    memcpy(step_copy, d.step, d.n * sizeof *step_copy);
    memcpy(y_copy, d.y, d.n * sizeof *y_copy);
    data_build(&d);
    TsPlotSeries s = {d.lod, ts_style_series(0), "s", false};
    TsPlotSpec spec = spec_for(&s, 1, 0, 2999, TS_CANVAS_BRAILLE);
    spec.logy = true;
    TsCellBuf b;
    ts_cellbuf_init(&b, 80, 24);
    TsPlotLayout l;
    ts_plot_render(&spec, &b, (TsRect){0, 0, 80, 24}, &l);
    char *first = ts_cellbuf_to_text(&b);
    ts_plot_render(&spec, &b, (TsRect){0, 0, 80, 24}, &l);
    char *second = ts_cellbuf_to_text(&b);
    assert_string_equal(first, second); /* no state between calls */
    assert_memory_equal(step_copy, d.step, d.n * sizeof *step_copy);
    assert_memory_equal(y_copy, d.y, d.n * sizeof *y_copy);
    free(first);
    free(second);
    free(step_copy);
    free(y_copy);
    ts_cellbuf_fini(&b);
    data_free(&d);
}

/* A flat learning rate of 0.003 must read as 3m on the y axis, not sit on a
 * 0 tick of a -0.5..0.5 range; a spread below double rounding (an EMA of a
 * constant 1) is flat too, not zoomed onto the rounding noise. */
static void test_flat_series_range(void **state) {
    (void)state;
    static const struct { double a, b; } cases[] = {{0.003, 0.003}, {1.0, 1.0 - 1.1e-16}, {-250, -250}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Data d = data_new(40);
        for (size_t i = 0; i < d.n; i++) {
            d.step[i] = (int64_t)i;
            d.y[i] = i % 2 ? cases[k].a : cases[k].b;
        }
        data_build(&d);
        TsPlotSeries s = {d.lod, ts_style_series(0), NULL, false};
        TsPlotSpec spec = {0};
        spec.x0 = 0;
        spec.x1 = 39;
        spec.series = &s;
        spec.n_series = 1;
        TsPlotLayout l;
        ts_plot_layout(&spec, (TsRect){0, 0, 60, 12}, &l);
        double v = cases[k].a;
        double span = l.yaxis.hi - l.yaxis.lo;
        assert_true(l.yaxis.lo < v && v < l.yaxis.hi);
        assert_true(span <= fabs(v) * 0.2 + 1e-300);  /* 10% of the value, not +-0.5 */
        assert_true(span >= fabs(v) * 0.05);
        /* both values land on one row */
        assert_int_equal(ts_plot_y_to_row(&l, cases[k].a), ts_plot_y_to_row(&l, cases[k].b));
        data_free(&d);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_series_axes),
        cmocka_unit_test(test_golden_ascii),
        cmocka_unit_test(test_spike_visible),
        cmocka_unit_test(test_nonfinite_lanes),
        cmocka_unit_test(test_log_y_nonpositive),
        cmocka_unit_test(test_seams_never_draw_backwards),
        cmocka_unit_test(test_cursor_markers_spans),
        cmocka_unit_test(test_mapping_helpers),
        cmocka_unit_test(test_degenerate_inputs),
        cmocka_unit_test(test_series_untouched),
        cmocka_unit_test(test_flat_series_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
