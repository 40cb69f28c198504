/* test_compare.c - group statistics on a common grid, alignment offsets and
 * sparklines, against values computed by hand.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/ts_test.h"
#include "trajscope/compare.h"
#include "trajscope/cpd.h"
#include "trajscope/marks.h"
#include "trajscope/series.h"

#define TOL 1e-12

/* ---- group statistics ---- */

/* Run A: steps {0,10,20}; run B: steps {0,5,15,20}. */
static const double ax[] = {0, 10, 20}, ay[] = {1, 3, 2};
static const double bx[] = {0, 5, 15, 20}, by[] = {2, 4, 0, 6};
/* Run C starts later and ends later: steps {5,10,25}. */
static const double cx[] = {5, 10, 25}, cy[] = {10, 20, 40};

static void test_group_two_runs_union_grid(void **state) {
    (void)state;
    TsCurve cv[2] = {{ax, ay, 3}, {bx, by, 4}};
    TsGroupStats st;
    TsErr err;
    ts_err_clear(&err);
    assert_true(ts_compare_group_stats(cv, 2, NULL, &st, &err));
    /* union of steps: {0,5,10,15,20}; A at 5 = 2, at 15 = 2.5; B at 10 = 2 */
    static const double gx[] = {0, 5, 10, 15, 20};
    static const double mean[] = {1.5, 3, 2.5, 1.25, 4};
    static const double mn[] = {1, 2, 2, 0, 2}, mx[] = {2, 4, 3, 2.5, 6};
    static const double sd[] = {0.70710678118654752, 1.4142135623730950, 0.70710678118654752,
                                1.7677669529663688, 2.8284271247461901};
    assert_int_equal(st.n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_double_equal(st.x[i], gx[i], 0);
        assert_double_equal(st.mean[i], mean[i], TOL);
        assert_double_equal(st.median[i], mean[i], TOL); /* two values: median = mean */
        assert_double_equal(st.min[i], mn[i], TOL);
        assert_double_equal(st.max[i], mx[i], TOL);
        assert_double_equal(st.std[i], sd[i], 1e-12);
        assert_int_equal(st.count[i], 2);
    }
    assert_true(st.interpolated);
    assert_int_equal(st.n_runs, 2);
    assert_int_equal(st.n_runs_used, 2);
    assert_double_equal(st.lo, 0, 0);
    assert_double_equal(st.hi, 20, 0);
    ts_compare_group_stats_free(&st);
    assert_null(st.x);
}

static void test_group_three_runs_overlap_and_union_span(void **state) {
    (void)state;
    TsCurve cv[3] = {{ax, ay, 3}, {bx, by, 4}, {cx, cy, 3}};
    TsGroupStats st;
    TsErr err;
    /* overlap [5, 20]: grid {5,10,15,20}, every run at every point */
    assert_true(ts_compare_group_stats(cv, 3, NULL, &st, &err));
    assert_int_equal(st.n, 4);
    static const double gx[] = {5, 10, 15, 20};
    static const double mean[] = {16.0 / 3, 25.0 / 3, 9.7222222222222223, 13.777777777777779};
    static const double med[] = {4, 3, 2.5, 6};
    static const double sd[] = {4.163331998932265, 10.115993936995679, 14.727462379790627, 17.05329337151082};
    for (size_t i = 0; i < 4; i++) {
        assert_double_equal(st.x[i], gx[i], 0);
        assert_double_equal(st.mean[i], mean[i], 1e-12);
        assert_double_equal(st.median[i], med[i], TOL);
        assert_double_equal(st.std[i], sd[i], 1e-12);
        assert_int_equal(st.count[i], 3);
    }
    assert_double_equal(st.min[1], 2, 0);
    assert_double_equal(st.max[3], 20 + 20 * 10.0 / 15, 1e-12);
    ts_compare_group_stats_free(&st);

    /* union span [0, 25]: counts vary, no extrapolation */
    TsGroupOptions o;
    ts_compare_group_options_default(&o);
    o.span_union = true;
    assert_true(ts_compare_group_stats(cv, 3, &o, &st, &err));
    assert_int_equal(st.n, 6);
    assert_double_equal(st.x[0], 0, 0);
    assert_double_equal(st.x[5], 25, 0);
    assert_int_equal(st.count[0], 2); /* A, B */
    assert_double_equal(st.mean[0], 1.5, TOL);
    assert_int_equal(st.count[5], 1); /* C only */
    assert_double_equal(st.mean[5], 40, TOL);
    assert_true(isnan(st.std[5]));    /* one run: no spread */
    assert_double_equal(st.min[5], 40, 0);
    ts_compare_group_stats_free(&st);
}

static void test_group_even_grids(void **state) {
    (void)state;
    TsCurve cv[2] = {{ax, ay, 3}, {bx, by, 4}};
    TsGroupOptions o;
    ts_compare_group_options_default(&o);
    o.grid = TS_GRID_LINEAR;
    o.points = 5;
    TsGroupStats st;
    TsErr err;
    assert_true(ts_compare_group_stats(cv, 2, &o, &st, &err));
    assert_int_equal(st.n, 5);
    static const double mean[] = {1.5, 3, 2.5, 1.25, 4};
    for (size_t i = 0; i < 5; i++) {
        assert_double_equal(st.x[i], 5.0 * (double)i, 1e-12);
        assert_double_equal(st.mean[i], mean[i], 1e-12);
    }
    ts_compare_group_stats_free(&st);

    o.grid = TS_GRID_LOG;
    o.points = 3;
    assert_true(ts_compare_group_stats(cv, 2, &o, &st, &err));
    assert_int_equal(st.n, 3);
    double mid = sqrt(21.0) - 1.0; /* log(x + 1) halfway between log 1 and log 21 */
    assert_double_equal(st.x[0], 0, 0);
    assert_double_equal(st.x[1], mid, 1e-12);
    assert_double_equal(st.x[2], 20, 0);
    /* A at mid: 1 + 0.2 mid; B at mid: 2 + 0.4 mid */
    assert_double_equal(st.mean[1], (1 + 0.2 * mid + 2 + 0.4 * mid) / 2, 1e-12);
    assert_true(st.interpolated);
    ts_compare_group_stats_free(&st);

    /* a log grid cannot start at x <= -1 (e.g. runs shifted by an onset) */
    static const double nx[] = {-50, 0, 50}, ny[] = {1, 2, 3};
    TsCurve neg[2] = {{nx, ny, 3}, {nx, ny, 3}};
    ts_err_clear(&err);
    assert_false(ts_compare_group_stats(neg, 2, &o, &st, &err));
    assert_non_null(strstr(err.msg, "x > -1"));
    ts_compare_group_stats_free(&st);
    o.grid = TS_GRID_LINEAR;
    assert_true(ts_compare_group_stats(neg, 2, &o, &st, &err));
    assert_double_equal(st.x[0], -50, 0);
    assert_false(st.interpolated); /* grid points -50, 0, 50 are logged points */
    ts_compare_group_stats_free(&st);
}

static void test_group_same_grid_is_not_interpolated(void **state) {
    (void)state;
    static const double y2[] = {3, 5, 4};
    TsCurve cv[2] = {{ax, ay, 3}, {ax, y2, 3}};
    TsGroupStats st;
    TsErr err;
    assert_true(ts_compare_group_stats(cv, 2, NULL, &st, &err));
    assert_false(st.interpolated);
    assert_int_equal(st.n, 3);
    assert_double_equal(st.mean[1], 4, TOL);
    assert_double_equal(st.std[1], sqrt(2.0), 1e-12);
    ts_compare_group_stats_free(&st);
}

static void test_group_resumed_run_and_nonfinite(void **state) {
    (void)state;
    /* resumed at step 10: the points at 10 and 20 before the seam are superseded */
    static const double rx[] = {0, 10, 20, 10, 20, 30}, ry[] = {1, 2, 3, 4, 5, 6};
    TsCurve one = {rx, ry, 6};
    TsGroupStats st;
    TsErr err;
    assert_true(ts_compare_group_stats(&one, 1, NULL, &st, &err));
    assert_int_equal(st.n, 4);
    static const double gx[] = {0, 10, 20, 30}, gy[] = {1, 4, 5, 6};
    for (size_t i = 0; i < 4; i++) {
        assert_double_equal(st.x[i], gx[i], 0);
        assert_double_equal(st.mean[i], gy[i], 0);
        assert_int_equal(st.count[i], 1);
        assert_true(isnan(st.std[i]));
    }
    assert_int_equal(st.n_superseded, 2);
    ts_compare_group_stats_free(&st);

    /* a NaN value is dropped and the gap interpolated; a NaN x too */
    static const double nx[] = {0, 10, 20, NAN}, ny[] = {1, NAN, 3, 7};
    static const double mx[] = {0, 10, 20}, my[] = {0, 0, 0};
    TsCurve two[2] = {{nx, ny, 4}, {mx, my, 3}};
    assert_true(ts_compare_group_stats(two, 2, NULL, &st, &err));
    assert_int_equal(st.n_nonfinite, 2);
    assert_int_equal(st.n, 3);
    assert_double_equal(st.max[1], 2, 1e-12); /* (0,1)-(20,3) at 10 */
    assert_true(st.interpolated);
    ts_compare_group_stats_free(&st);
}

static void test_group_errors(void **state) {
    (void)state;
    static const double x1[] = {0, 10}, x2[] = {20, 30}, y[] = {1, 2};
    TsCurve cv[2] = {{x1, y, 2}, {x2, y, 2}};
    TsGroupStats st;
    TsErr err;
    ts_err_clear(&err);
    assert_false(ts_compare_group_stats(cv, 2, NULL, &st, &err));
    assert_non_null(strstr(err.msg, "do not overlap"));
    assert_int_equal(st.n, 0);
    ts_compare_group_stats_free(&st);

    static const double nanv[] = {NAN, NAN};
    TsCurve bad[2] = {{x1, nanv, 2}, {NULL, NULL, 0}};
    ts_err_clear(&err);
    assert_false(ts_compare_group_stats(bad, 2, NULL, &st, &err));
    assert_non_null(strstr(err.msg, "no run has a finite point"));
    ts_compare_group_stats_free(&st);
    assert_false(ts_compare_group_stats(NULL, 0, NULL, &st, &err));
    ts_compare_group_stats_free(&st);
}

static void test_group_single_point_runs(void **state) {
    (void)state;
    static const double x1[] = {10}, y1[] = {4}, x2[] = {0, 10, 20}, y2[] = {0, 2, 8};
    TsCurve cv[2] = {{x1, y1, 1}, {x2, y2, 3}};
    TsGroupStats st;
    TsErr err;
    assert_true(ts_compare_group_stats(cv, 2, NULL, &st, &err));
    assert_int_equal(st.n, 1);
    assert_double_equal(st.x[0], 10, 0);
    assert_double_equal(st.mean[0], 3, 0);
    assert_false(st.interpolated);
    ts_compare_group_stats_free(&st);
}

/* ---- alignment ---- */

static TsSeries series_of(size_t n, int64_t step0, int64_t dstep, bool wall) {
    TsSeries s;
    ts_series_init(&s);
    ts_series_alloc(&s, n, wall);
    for (size_t i = 0; i < n; i++) {
        s.step[i] = step0 + (int64_t)i * dstep;
        s.value[i] = 0.0;
        if (wall) s.wall_time[i] = 1000.0 + 2.0 * (double)i;
    }
    return s;
}

/* A level shift of 10 at step `at` over small deterministic noise. */
static TsSeries step_curve(int64_t at, bool shift) {
    TsSeries s = series_of(120, 0, 10, false);
    for (size_t i = 0; i < s.n; i++)
        s.value[i] = 0.05 * sin(1.7 * (double)i) + (shift && s.step[i] >= at ? 10.0 : 0.0);
    return s;
}

static void test_align_step_wall_tokens(void **state) {
    (void)state;
    TsSeries s = series_of(4, 100, 10, true);
    TsAlignOptions o;
    ts_compare_align_options_default(&o);
    TsAlignResult r;
    TsAlignRun run = {.series = &s, .wall_start = NAN};

    assert_true(ts_compare_align_offset(&run, &o, &r));
    assert_double_equal(r.offset, 0, 0);
    double x[4];
    assert_int_equal(ts_compare_align_x(&run, TS_ALIGN_STEP, r.offset, x), 4);
    assert_double_equal(x[2], 120, 0);

    o.by = TS_ALIGN_WALL;
    s.wall_time[0] = NAN; /* first wall time not logged: the earliest finite one is the start */
    assert_true(ts_compare_align_offset(&run, &o, &r));
    assert_double_equal(r.offset, 1002, 0);
    assert_int_equal(ts_compare_align_x(&run, TS_ALIGN_WALL, r.offset, x), 3);
    assert_true(isnan(x[0]));
    assert_double_equal(x[1], 0, 0);
    assert_double_equal(x[3], 4, 0);
    run.wall_start = 990; /* the run started earlier (another stream) */
    assert_true(ts_compare_align_offset(&run, &o, &r));
    assert_double_equal(r.offset, 990, 0);

    TsSeries nowall = series_of(4, 0, 1, false);
    TsAlignRun run2 = {.series = &nowall, .wall_start = NAN};
    assert_false(ts_compare_align_offset(&run2, &o, &r));
    assert_true(isnan(r.offset));
    assert_string_equal(r.why, "no wall times");

    o.by = TS_ALIGN_TOKENS;
    double tokens[4] = {0, 4096, 8192, 12288};
    TsAlignRun run3 = {.series = &nowall, .tokens = tokens, .wall_start = NAN};
    assert_true(ts_compare_align_offset(&run3, &o, &r));
    assert_double_equal(r.offset, 0, 0);
    assert_int_equal(ts_compare_align_x(&run3, TS_ALIGN_TOKENS, r.offset, x), 4);
    assert_double_equal(x[3], 12288, 0);
    assert_false(ts_compare_align_offset(&run2, &o, &r)); /* no tokens column */
    assert_string_equal(r.why, "no tokens column");
    assert_true(isnan(r.offset));
    /* an unaligned offset gives no x at all */
    assert_int_equal(ts_compare_align_x(&run2, TS_ALIGN_STEP, r.offset, x), 0);
    assert_true(isnan(x[0]));

    ts_series_free(&s);
    ts_series_free(&nowall);
}

static void test_align_change_onset(void **state) {
    (void)state;
    TsSeries a = step_curve(400, true), b = step_curve(600, true), c = step_curve(0, false);
    TsAlignRun runs[3] = {{.series = &a, .wall_start = NAN},
                          {.series = &c, .onset_series = &b, .wall_start = NAN},
                          {.series = &c, .wall_start = NAN}};
    TsAlignOptions o;
    ts_compare_align_options_default(&o);
    o.by = TS_ALIGN_CHANGE;
    assert_int_equal(o.cpd.penalty, TS_CPD_PEN_MBIC);
    TsAlignResult r[3];
    assert_int_equal(ts_compare_align_offsets(runs, 3, &o, r), 2);
    assert_true(r[0].aligned);
    assert_int_equal(r[0].onset_step, 400);
    assert_double_equal(r[0].offset, 400, 0);
    assert_true(r[1].aligned); /* onset from another metric of the run */
    assert_double_equal(r[1].offset, 600, 0);
    assert_false(r[2].aligned); /* no change: reported, not shifted by 0 */
    assert_true(isnan(r[2].offset));
    assert_string_equal(r[2].why, "no change point detected");
    double x[120];
    ts_compare_align_x(&runs[0], TS_ALIGN_CHANGE, r[0].offset, x);
    assert_double_equal(x[40], 0, 0);  /* step 400 */
    assert_double_equal(x[0], -400, 0);

    /* detection errors become the reason */
    TsSeries empty;
    ts_series_init(&empty);
    TsAlignRun e = {.series = &empty, .wall_start = NAN};
    assert_false(ts_compare_align_offset(&e, &o, &r[0]));
    assert_true(strlen(r[0].why) > 0);
    ts_series_free(&a);
    ts_series_free(&b);
    ts_series_free(&c);
}

static void test_onset_pick(void **state) {
    (void)state;
    TsCpdChange cp[2];
    memset(cp, 0, sizeof cp);
    cp[0].step = 100;
    cp[0].strength = 5;
    cp[1].step = 900;
    cp[1].strength = 50;
    TsCpdResult r;
    memset(&r, 0, sizeof r);
    r.n_cp = 2;
    r.cp = cp;
    int64_t step = 0;
    assert_true(ts_compare_onset_from_cpd(&r, TS_ONSET_FIRST, &step));
    assert_int_equal(step, 100);
    assert_true(ts_compare_onset_from_cpd(&r, TS_ONSET_STRONGEST, &step));
    assert_int_equal(step, 900);
    r.n_cp = 0;
    assert_false(ts_compare_onset_from_cpd(&r, TS_ONSET_FIRST, &step));
}

static void add_mark(TsMarkSet *set, int64_t step, const char *label, const char *run) {
    TsMark m;
    ts_mark_init_point(&m, step, label);
    m.run = run;
    TsErr err;
    assert_true(ts_marks_add(set, &m, &err) > 0);
}

static void test_align_mark(void **state) {
    (void)state;
    TsMarkSet *set = ts_marks_new();
    add_mark(set, 50, "grok", "c");     /* another run's mark */
    add_mark(set, 100, "warmup", "*");
    add_mark(set, 1200, "grok", "a");
    add_mark(set, 1500, "grok", "*");
    TsSeries s = series_of(10, 0, 200, false);
    TsAlignRun a = {.series = &s, .marks = set, .run_name = "a", .wall_start = NAN};
    TsAlignRun b = {.series = &s, .marks = set, .run_name = "b", .wall_start = NAN};
    TsAlignRun d = {.series = &s, .marks = NULL, .run_name = "d", .wall_start = NAN};
    TsAlignOptions o;
    ts_compare_align_options_default(&o);
    o.by = TS_ALIGN_MARK;
    o.mark_label = "grok";
    TsAlignResult r;
    assert_true(ts_compare_align_offset(&a, &o, &r));
    assert_double_equal(r.offset, 1200, 0);
    assert_int_equal(r.onset_step, 1200);
    assert_true(ts_compare_align_offset(&b, &o, &r)); /* the "*" mark */
    assert_double_equal(r.offset, 1500, 0);
    assert_false(ts_compare_align_offset(&d, &o, &r));
    assert_true(isnan(r.offset));
    o.mark_label = "plateau";
    assert_false(ts_compare_align_offset(&a, &o, &r));
    assert_string_equal(r.why, "no mark labelled 'plateau'");
    o.mark_label = "bad\x1b[31m";
    assert_false(ts_compare_align_offset(&a, &o, &r));
    assert_null(strchr(r.why, '\x1b')); /* terminal-safe */
    o.mark_label = NULL; /* any label: the first mark the run sees */
    assert_true(ts_compare_align_offset(&a, &o, &r));
    assert_double_equal(r.offset, 100, 0);
    ts_series_free(&s);
    ts_marks_free(set);
}

static void test_names_and_direction(void **state) {
    (void)state;
    for (int i = 0; i < TS_ALIGN_COUNT; i++)
        assert_int_equal(ts_compare_align_from_name(ts_compare_align_name((TsAlignBy)i)), i);
    for (int i = 0; i < TS_GRID_COUNT; i++)
        assert_int_equal(ts_compare_grid_from_name(ts_compare_grid_name((TsGridKind)i)), i);
    assert_int_equal(ts_compare_align_from_name("nope"), TS_ALIGN_COUNT);
    assert_null(ts_compare_grid_name(TS_GRID_COUNT));
    assert_true(ts_compare_lower_is_better("train/loss"));
    assert_true(ts_compare_lower_is_better("eval/Error_rate"));
    assert_true(ts_compare_lower_is_better("val/perplexity"));
    assert_true(ts_compare_lower_is_better("val/PPL"));
    assert_false(ts_compare_lower_is_better("eval/acc"));
    assert_false(ts_compare_lower_is_better("reward"));
    assert_false(ts_compare_lower_is_better(NULL));
    /* whole-word abbreviations */
    assert_true(ts_compare_lower_is_better("eval/WER"));
    assert_true(ts_compare_lower_is_better("fid_10k"));
    assert_true(ts_compare_lower_is_better("val/kl"));
    assert_true(ts_compare_lower_is_better("test mse"));
    assert_true(ts_compare_lower_is_better("bpb"));
    assert_true(ts_compare_lower_is_better("policy/regret"));
    assert_false(ts_compare_lower_is_better("answer_acc")); /* "wer" inside a word */
    assert_false(ts_compare_lower_is_better("fidelity"));
    assert_false(ts_compare_lower_is_better("eval/maex"));
    assert_false(ts_compare_lower_is_better("skl"));
}

/* ---- sparklines ---- */

static void test_sparkline_keeps_spike(void **state) {
    (void)state;
    TsSeries s = series_of(1000, 0, 1, false);
    for (size_t i = 0; i < s.n; i++) s.value[i] = 1.0;
    s.value[537] = 50.0;
    TsSparkBucket b[10];
    TsSparkSummary sum;
    ts_compare_sparkline(&s, 10, false, b, &sum);
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(b[i].n, 100);
        assert_double_equal(b[i].min, 1, 0);
        assert_double_equal(b[i].max, i == 5 ? 50 : 1, 0);
        assert_double_equal(b[i].last, 1, 0);
    }
    assert_double_equal(sum.vmax, 50, 0);
    assert_double_equal(sum.vmin, 1, 0);
    /* by step, with a width that does not divide the range */
    ts_compare_sparkline(&s, 7, true, b, NULL);
    size_t total = 0, spikes = 0;
    for (size_t i = 0; i < 7; i++) {
        total += b[i].n;
        if (b[i].max == 50) spikes++;
    }
    assert_int_equal(total, 1000);
    assert_int_equal(spikes, 1);
    assert_double_equal(b[537 * 7 / 999].max, 50, 0);
    ts_series_free(&s);
}

static void test_sparkline_short_sparse_nonfinite(void **state) {
    (void)state;
    TsSeries s = series_of(3, 0, 100, false);
    s.value[0] = 1;
    s.value[1] = NAN;
    s.value[2] = 3;
    TsSparkBucket b[6];
    TsSparkSummary sum;
    ts_compare_sparkline(&s, 6, false, b, &sum);
    /* fewer points than buckets: each point fills two buckets, none empty */
    static const size_t point[] = {0, 0, 1, 1, 2, 2};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(b[i].n, 1);
        if (point[i] == 1) {
            assert_int_equal(b[i].n_nonfinite, 1);
            assert_true(isnan(b[i].max));
        } else {
            assert_double_equal(b[i].max, s.value[point[i]], 0);
        }
    }
    assert_int_equal(sum.n_nonfinite, 1);
    assert_double_equal(sum.last, 3, 0);
    /* by step: steps 0, 100, 200 in 4 buckets of 50 steps: bucket 3 holds 200, bucket 1 is empty */
    ts_compare_sparkline(&s, 4, true, b, NULL);
    assert_int_equal(b[0].n, 1);
    assert_int_equal(b[1].n, 0);
    assert_true(isnan(b[1].min));
    assert_int_equal(b[2].n, 1); /* step 100 */
    assert_int_equal(b[3].n, 1);
    assert_double_equal(b[3].last, 3, 0);
    /* last logged value NaN: last_finite keeps the one before */
    s.value[2] = NAN;
    ts_compare_sparkline(&s, 4, false, b, &sum);
    assert_true(isnan(sum.last));
    assert_double_equal(sum.last_finite, 1, 0);
    /* empty series */
    TsSeries e;
    ts_series_init(&e);
    ts_compare_sparkline(&e, 4, false, b, &sum);
    assert_int_equal(b[0].n, 0);
    assert_true(isnan(sum.vmin));
    ts_series_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_two_runs_union_grid),
        cmocka_unit_test(test_group_three_runs_overlap_and_union_span),
        cmocka_unit_test(test_group_even_grids),
        cmocka_unit_test(test_group_same_grid_is_not_interpolated),
        cmocka_unit_test(test_group_resumed_run_and_nonfinite),
        cmocka_unit_test(test_group_errors),
        cmocka_unit_test(test_group_single_point_runs),
        cmocka_unit_test(test_align_step_wall_tokens),
        cmocka_unit_test(test_align_change_onset),
        cmocka_unit_test(test_onset_pick),
        cmocka_unit_test(test_align_mark),
        cmocka_unit_test(test_names_and_direction),
        cmocka_unit_test(test_sparkline_keeps_spike),
        cmocka_unit_test(test_sparkline_short_sparse_nonfinite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
