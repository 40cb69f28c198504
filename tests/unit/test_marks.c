/* test_marks.c - the marks model: order, ids, undo, queries, spans, statistics.
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

#include "support/marks_test.h"
#include "support/ts_test.h"
#include "trajscope/marks.h"

static uint64_t add_interval(TsMarkSet *set, int64_t a, int64_t b, const char *label) {
    TsMark m;
    ts_mark_init_interval(&m, a, b, label);
    TsErr err;
    ts_err_clear(&err);
    uint64_t id = ts_marks_add(set, &m, &err);
    assert_true(id > 0);
    return id;
}

/* The labels in sorted order, joined by '|'. */
static void order_of(const TsMarkSet *set, char *buf, size_t cap) {
    buf[0] = '\0';
    for (size_t i = 0; i < ts_marks_count(set); i++) {
        if (i) strncat(buf, "|", cap - strlen(buf) - 1);
        strncat(buf, ts_marks_at(set, i)->label, cap - strlen(buf) - 1);
    }
}

static void test_sorted_with_stable_ids(void **state) {
    (void)state;
    TsMarkSet *set = ts_marks_new();
    uint64_t a = ts_test_add_point(set, 500, "a");
    uint64_t b = add_interval(set, 300, 100, "b"); /* given reversed */
    uint64_t c = ts_test_add_point(set, 100, "c");
    uint64_t d = add_interval(set, 100, 50, "d");
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_int_equal(c, 3);
    assert_int_equal(d, 4);
    char buf[128];
    order_of(set, buf, sizeof buf);
    /* (start, end, id): d [50,100], c 100, b [100,300], a 500 */
    assert_string_equal(buf, "d|c|b|a");
    const TsMark *mb = ts_marks_get(set, b);
    assert_int_equal(mb->start_step, 100);
    assert_int_equal(mb->end_step, 300);
    assert_int_equal(mb->kind, TS_MARK_INTERVAL);
    /* Defaults filled in. */
    assert_string_equal(mb->run, "*");
    assert_string_equal(mb->metric, "");
    assert_string_equal(mb->source, "manual");
    assert_string_equal(mb->colour, "");
    /* A point's end is forced to its start. */
    TsMark p;
    ts_mark_init_point(&p, 7, "p");
    p.end_step = 99;
    TsErr err;
    ts_err_clear(&err);
    uint64_t pid = ts_marks_add(set, &p, &err);
    assert_int_equal(ts_marks_get(set, pid)->end_step, 7);
    assert_int_equal(ts_marks_index_of(set, pid), 0);
    assert_int_equal(ts_marks_index_of(set, 999), -1);
    assert_null(ts_marks_get(set, 999));
    ts_marks_free(set);
}

static void test_remove_undo_same_place_ids_not_reused(void **state) {
    (void)state;
    TsMarkSet *set = ts_marks_new();
    ts_test_add_point(set, 10, "x");
    uint64_t mid = ts_test_add_point(set, 20, "middle");
    ts_test_add_point(set, 30, "y");
    uint64_t g0 = ts_marks_generation(set);
    TsMark removed;
    size_t index = 99;
    assert_true(ts_marks_remove(set, mid, &removed, &index));
    assert_true(ts_marks_generation(set) > g0);
    assert_int_equal(index, 1);
    assert_int_equal(removed.id, mid);
    assert_string_equal(removed.label, "middle");
    assert_int_equal(ts_marks_count(set), 2);
    assert_false(ts_marks_remove(set, mid, NULL, NULL));
    /* A new mark does not get the removed id. */
    uint64_t fresh = ts_test_add_point(set, 40, "z");
    assert_true(fresh > 3);
    /* Undo the add, then the remove: the mark is back, same id, same place. */
    TsMarkChange ch;
    assert_true(ts_marks_undo(set, &ch));
    assert_int_equal(ch.op, TS_MARK_OP_ADD);
    assert_int_equal(ch.id, fresh);
    assert_null(ts_marks_get(set, fresh));
    assert_true(ts_marks_undo(set, &ch));
    assert_int_equal(ch.op, TS_MARK_OP_REMOVE);
    assert_int_equal(ch.id, mid);
    assert_int_equal(ts_marks_index_of(set, mid), 1);
    assert_string_equal(ts_marks_at(set, 1)->label, "middle");
    /* Re-adding the caller's copy after another remove works the same way. */
    assert_true(ts_marks_remove(set, mid, NULL, NULL));
    TsErr err;
    ts_err_clear(&err);
    assert_int_equal(ts_marks_add(set, &removed, &err), mid);
    assert_int_equal(ts_marks_index_of(set, mid), 1);
    /* And a duplicate id is refused. */
    assert_int_equal(ts_marks_add(set, &removed, &err), 0);
    assert_non_null(strstr(err.msg, "already in use"));
    ts_mark_clear(&removed);
    ts_marks_free(set);
}

static void test_edit_and_undo(void **state) {
    (void)state;
    TsMarkSet *set = ts_marks_new();
    uint64_t a = ts_test_add_point(set, 10, "first");
    uint64_t b = ts_test_add_point(set, 20, "second");
    TsErr err;
    ts_err_clear(&err);
    assert_true(ts_marks_set_label(set, a, "renamed \"q\"\n", &err));
    assert_string_equal(ts_marks_get(set, a)->label, "renamed \"q\"\n");
    /* Move a after b with update: order follows. */
    TsMark f;
    ts_mark_init_interval(&f, 25, 35, "moved");
    f.colour = "3";
    assert_true(ts_marks_update(set, a, &f, &err));
    char buf[64];
    order_of(set, buf, sizeof buf);
    assert_string_equal(buf, "second|moved");
    assert_string_equal(ts_marks_get(set, a)->colour, "3");
    assert_int_equal(ts_marks_get(set, a)->id, a);
    TsMarkChange ch;
    assert_true(ts_marks_undo(set, &ch));
    assert_int_equal(ch.op, TS_MARK_OP_EDIT);
    order_of(set, buf, sizeof buf);
    assert_string_equal(buf, "renamed \"q\"\n|second");
    assert_true(ts_marks_undo(set, &ch));
    assert_string_equal(ts_marks_get(set, a)->label, "first");
    assert_int_equal(ts_marks_get(set, a)->kind, TS_MARK_POINT);
    /* Edits of a missing mark fail. */
    assert_false(ts_marks_set_label(set, 77, "x", &err));
    assert_non_null(strstr(err.msg, "no mark"));
    assert_false(ts_marks_update(set, 77, &f, &err));
    /* The two adds remain undoable, then nothing. */
    assert_int_equal(ts_marks_undo_depth(set), 2);
    assert_true(ts_marks_undo(set, NULL));
    assert_true(ts_marks_undo(set, NULL));
    assert_int_equal(ts_marks_count(set), 0);
    assert_false(ts_marks_undo(set, &ch));
    assert_int_equal(ch.op, TS_MARK_OP_NONE);
    (void)b;
    ts_marks_free(set);
}

static void test_undo_is_bounded(void **state) {
    (void)state;
    TsMarkSet *set = ts_marks_new();
    for (int i = 0; i < TS_MARKS_UNDO_MAX + 10; i++) ts_test_add_point(set, i, "m");
    assert_int_equal(ts_marks_undo_depth(set), TS_MARKS_UNDO_MAX);
    while (ts_marks_undo(set, NULL)) {}
    assert_int_equal(ts_marks_count(set), 10); /* the 10 oldest adds are no longer undoable */
    ts_marks_forget_undo(set);
    assert_int_equal(ts_marks_undo_depth(set), 0);
    ts_marks_free(set);
}

static void test_validation(void **state) {
    (void)state;
    TsMarkSet *set = ts_marks_new();
    const char *bad[] = {
        "\xff",             /* not UTF-8 */
        "ab\xc3",           /* truncated */
        "\xc0\xaf",         /* overlong '/' */
        "\xed\xa0\x80",     /* surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        TsMark m;
        ts_mark_init_point(&m, 1, bad[i]);
        TsErr err;
        ts_err_clear(&err);
        assert_int_equal(ts_marks_add(set, &m, &err), 0);
        assert_non_null(strstr(err.msg, "label: not valid UTF-8"));
    }
    TsMark m;
    ts_mark_init_point(&m, 1, "ok");
    m.metric = "\xfe";
    TsErr err;
    ts_err_clear(&err);
    assert_int_equal(ts_marks_add(set, &m, &err), 0);
    assert_non_null(strstr(err.msg, "metric"));
    /* Control characters, quotes and any Unicode are fine. */
    ts_mark_init_point(&m, 1, "\x1b[31mred\x07 \"q\" \xc3\xa9 \xf0\x9f\x98\x80 \xc2\x9b");
    assert_true(ts_marks_add(set, &m, &err) > 0);
    char *huge = malloc(TS_MARK_TEXT_MAX + 2);
    memset(huge, 'a', TS_MARK_TEXT_MAX + 1);
    huge[TS_MARK_TEXT_MAX + 1] = '\0';
    ts_mark_init_point(&m, 1, huge);
    assert_int_equal(ts_marks_add(set, &m, &err), 0);
    assert_non_null(strstr(err.msg, "longer than"));
    free(huge);
    assert_int_equal(ts_marks_count(set), 1);
    assert_int_equal(ts_marks_undo_depth(set), 1);
    ts_marks_free(set);
}

static void test_queries(void **state) {
    (void)state;
    TsMarkSet *set = ts_marks_new();
    uint64_t p100 = ts_test_add_point(set, 100, "p100");
    uint64_t iv = add_interval(set, 200, 400, "iv");
    uint64_t inner = add_interval(set, 250, 300, "inner");
    TsMark m;
    ts_mark_init_point(&m, 350, "loss-only");
    m.metric = "train/loss";
    TsErr err;
    ts_err_clear(&err);
    uint64_t lossonly = ts_marks_add(set, &m, &err);
    ts_mark_init_point(&m, 600, "other-run");
    m.run = "seed1";
    uint64_t other = ts_marks_add(set, &m, &err);

    /* nearest: distance to a point or to the nearer interval edge. */
    assert_int_equal(ts_marks_at(set, ts_marks_nearest(set, 130, NULL))->id, p100);
    assert_int_equal(ts_marks_at(set, ts_marks_nearest(set, 170, NULL))->id, iv);
    assert_int_equal(ts_marks_at(set, ts_marks_nearest(set, 340, NULL))->id, lossonly);
    TsMarkFilter acc = {"seed0", "eval/acc"};
    /* Filtered: the loss-only mark and the other run's mark are invisible. */
    assert_int_equal(ts_marks_at(set, ts_marks_nearest(set, 340, &acc))->id, inner);
    assert_int_equal(ts_marks_at(set, ts_marks_nearest(set, 590, &acc))->id, iv);
    TsMarkFilter s1 = {"seed1", NULL};
    assert_int_equal(ts_marks_at(set, ts_marks_nearest(set, 590, &s1))->id, other);
    /* Ties go to the earlier mark: 150 is 50 from p100 and from iv's start. */
    assert_int_equal(ts_marks_at(set, ts_marks_nearest(set, 150, NULL))->id, p100);

    /* next / prev walk every edge. */
    int64_t at = 0;
    int64_t expect_next[] = {100, 200, 250, 300, 350, 400, 600};
    double pos = -1;
    for (size_t i = 0; i < sizeof expect_next / sizeof expect_next[0]; i++) {
        long k = ts_marks_next(set, pos, NULL, &at);
        assert_true(k >= 0);
        assert_int_equal(at, expect_next[i]);
        pos = (double)at;
    }
    assert_int_equal(ts_marks_next(set, pos, NULL, &at), -1);
    assert_int_equal(ts_marks_prev(set, 250, NULL, &at), ts_marks_index_of(set, iv));
    assert_int_equal(at, 200);
    assert_int_equal(ts_marks_prev(set, 100, NULL, &at), -1);
    assert_int_equal(ts_marks_prev(set, 1000, &acc, &at), ts_marks_index_of(set, iv));
    assert_int_equal(at, 400);
    /* Fractional cursor positions. */
    assert_true(ts_marks_next(set, 99.5, NULL, &at) >= 0);
    assert_int_equal(at, 100);

    /* interval_at: the innermost; edges included. */
    assert_int_equal(ts_marks_at(set, ts_marks_interval_at(set, 260, NULL))->id, inner);
    assert_int_equal(ts_marks_at(set, ts_marks_interval_at(set, 300, NULL))->id, inner);
    assert_int_equal(ts_marks_at(set, ts_marks_interval_at(set, 301, NULL))->id, iv);
    assert_int_equal(ts_marks_at(set, ts_marks_interval_at(set, 200, NULL))->id, iv);
    assert_int_equal(ts_marks_interval_at(set, 199, NULL), -1);
    assert_int_equal(ts_marks_interval_at(set, 100, NULL), -1); /* a point is not an interval */

    TsMarkSet *empty = ts_marks_new();
    assert_int_equal(ts_marks_nearest(empty, 0, NULL), -1);
    assert_int_equal(ts_marks_next(empty, 0, NULL, NULL), -1);
    ts_marks_free(empty);
    ts_marks_free(set);
}

static void test_spans_phase_rule(void **state) {
    (void)state;
    TsMarkSet *set = ts_marks_new();
    uint64_t p10 = ts_test_add_point(set, 10, "warmup done");
    uint64_t p30 = ts_test_add_point(set, 30, "plateau");
    ts_test_add_point(set, 30, "same step, folded");
    uint64_t p60 = ts_test_add_point(set, 60, "grokking");
    uint64_t iv = add_interval(set, 20, 40, "interval");
    TsMark m;
    ts_mark_init_point(&m, 45, "other run");
    m.run = "other";
    TsErr err;
    ts_err_clear(&err);
    ts_marks_add(set, &m, &err);

    TsMarkFilter f = {"mine", NULL};
    int64_t range[2] = {0, 100};
    TsMarkSpan *sp;
    size_t n = ts_marks_spans(set, &f, range, &sp);
    assert_int_equal(n, 5);
    struct {
        TsSpanKind kind;
        int64_t a, b;
        bool incl;
        uint64_t id, end_id;
        const char *label;
    } want[] = {
        {TS_SPAN_LEAD, 0, 10, false, 0, p10, ""},
        {TS_SPAN_PHASE, 10, 30, false, p10, p30, "warmup done"},
        {TS_SPAN_INTERVAL, 20, 40, true, iv, 0, "interval"},
        {TS_SPAN_PHASE, 30, 60, false, p30, p60, "plateau"},
        {TS_SPAN_PHASE, 60, 100, true, p60, 0, "grokking"},
    };
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sp[i].kind, want[i].kind);
        assert_int_equal(sp[i].start_step, want[i].a);
        assert_int_equal(sp[i].end_step, want[i].b);
        assert_int_equal(sp[i].end_inclusive, want[i].incl);
        assert_int_equal(sp[i].mark_id, want[i].id);
        assert_int_equal(sp[i].end_mark_id, want[i].end_id);
        assert_string_equal(sp[i].label, want[i].label);
    }
    free(sp);

    /* Without a data range: no lead, no open last phase. */
    n = ts_marks_spans(set, &f, NULL, &sp);
    assert_int_equal(n, 3);
    assert_int_equal(sp[0].start_step, 10);
    assert_int_equal(sp[2].start_step, 30);
    assert_int_equal(sp[2].end_step, 60);
    free(sp);

    /* Data starting at the first mark: no lead. Data ending before the last
     * mark: the last phase is [p, p]. */
    int64_t r2[2] = {10, 50};
    n = ts_marks_spans(set, &f, r2, &sp);
    assert_int_equal(n, 4);
    assert_int_equal(sp[0].kind, TS_SPAN_PHASE);
    assert_int_equal(sp[3].start_step, 60);
    assert_int_equal(sp[3].end_step, 60);
    assert_true(sp[3].end_inclusive);
    free(sp);

    /* The other run sees its own point mark too. */
    TsMarkFilter fo = {"other", NULL};
    n = ts_marks_spans(set, &fo, range, &sp);
    assert_int_equal(n, 6); /* lead, 10-30, iv, 30-45, 45-60, 60-100 */
    free(sp);

    TsMarkSet *empty = ts_marks_new();
    sp = (TsMarkSpan *)&n;
    assert_int_equal(ts_marks_spans(empty, NULL, range, &sp), 0);
    assert_null(sp);
    ts_marks_free(empty);
    ts_marks_free(set);
}

static TsSeries make_series(const int64_t *steps, const double *values, const double *wall, size_t n) {
    TsSeries s;
    ts_series_init(&s);
    ts_series_alloc(&s, n, wall != NULL);
    s.n = n;
    for (size_t i = 0; i < n; i++) {
        s.step[i] = steps[i];
        s.value[i] = values[i];
        if (wall) s.wall_time[i] = wall[i];
    }
    return s;
}

static void test_span_stats_by_hand(void **state) {
    (void)state;
    int64_t steps[] = {0, 10, 20, 30, 40, 50};
    double vals[] = {1, 3, NAN, 7, 5, 11};
    double wall[] = {100, 110, 120, 130, 140, 150};
    TsSeries s = make_series(steps, vals, wall, 6);
    TsSpanStats st;
    ts_marks_span_stats(&s, NULL, 10, 40, true, &st);
    assert_int_equal(st.n_points, 3);
    assert_int_equal(st.n_nonfinite, 1);
    assert_int_equal(st.n_superseded, 0);
    assert_int_equal(st.first_step, 10);
    assert_int_equal(st.last_step, 40);
    assert_double_equal(st.first_wall_time, 110, 0);
    assert_double_equal(st.last_wall_time, 140, 0);
    assert_int_equal(st.start_value_step, 10);
    assert_int_equal(st.end_value_step, 40);
    assert_double_equal(st.start_value, 3, 0);
    assert_double_equal(st.end_value, 5, 0);
    assert_double_equal(st.change, 2, 0);
    assert_double_equal(st.mean, 5, 1e-15);
    assert_double_equal(st.min, 3, 0);
    assert_double_equal(st.max, 7, 0);
    /* x = 10,30,40; y = 3,7,5: Sxy = 40, Sxx = 1400/3, slope = 3/35. */
    assert_double_equal(st.slope, 3.0 / 35.0, 1e-15);

    /* Half-open: 40 is out. */
    ts_marks_span_stats(&s, NULL, 10, 40, false, &st);
    assert_int_equal(st.n_points, 2);
    assert_double_equal(st.end_value, 7, 0);
    assert_double_equal(st.slope, 0.2, 1e-15);
    assert_double_equal(st.last_wall_time, 130, 0);

    /* One point: no slope. A NaN at the edge: start value is the first finite. */
    ts_marks_span_stats(&s, NULL, 20, 30, true, &st);
    assert_int_equal(st.n_points, 1);
    assert_int_equal(st.n_nonfinite, 1);
    assert_int_equal(st.first_step, 20);
    assert_int_equal(st.start_value_step, 30);
    assert_double_equal(st.mean, 7, 0);
    assert_true(isnan(st.slope));

    /* Empty span: every statistic NaN. */
    ts_marks_span_stats(&s, NULL, 41, 49, true, &st);
    assert_int_equal(st.n_points + st.n_nonfinite, 0);
    assert_true(isnan(st.mean) && isnan(st.start_value) && isnan(st.min) && isnan(st.slope));
    ts_series_free(&s);
}

static void test_resumed_run_purge_rule(void **state) {
    (void)state;
    /* Crashed after step 50, resumed from the step-30 checkpoint. */
    int64_t steps[] = {0, 10, 20, 30, 40, 50, 30, 40, 40};
    double vals[] = {1, 3, NAN, 7, 5, 11, 100, 150, 200};
    TsSeries s = make_series(steps, vals, NULL, 9);
    unsigned char keep[9];
    assert_int_equal(ts_marks_effective(&s, keep), 5);
    unsigned char want[] = {1, 1, 1, 0, 0, 0, 1, 0, 1}; /* the repeated 40 keeps the last */
    assert_memory_equal(keep, want, 9);
    TsSpanStats st;
    ts_marks_span_stats(&s, keep, 10, 40, true, &st);
    assert_int_equal(st.n_points, 3);      /* 10:3, 30:100, 40:200 */
    assert_int_equal(st.n_nonfinite, 1);   /* 20 */
    assert_int_equal(st.n_superseded, 3);  /* 30:7, 40:5, 40:150 */
    assert_double_equal(st.mean, 101, 1e-13);
    assert_double_equal(st.end_value, 200, 0);
    assert_true(isnan(st.first_wall_time));
    /* slope over (10,3) (30,100) (40,200): mx = 80/3, my = 101,
     * Sxy = (-50/3)(-98) + (10/3)(-1) + (40/3)(99) = 8850/3, Sxx = 1400/3. */
    assert_double_equal(st.slope, 8850.0 / 1400.0, 1e-13);
    ts_series_free(&s);
}

static void test_kinds_and_time(void **state) {
    (void)state;
    TsMarkKind k;
    assert_true(ts_mark_kind_parse("interval", &k));
    assert_int_equal(k, TS_MARK_INTERVAL);
    assert_false(ts_mark_kind_parse("Point", &k));
    assert_string_equal(ts_mark_kind_name(TS_MARK_POINT), "point");
    assert_string_equal(ts_span_kind_name(TS_SPAN_LEAD), "lead");
    char buf[32];
    ts_mark_format_time(buf, sizeof buf, 0);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    ts_mark_format_time(buf, sizeof buf, 1714564800); /* 2024-05-01 12:00:00 UTC */
    assert_string_equal(buf, "2024-05-01T12:00:00Z");
    TsMark m;
    ts_mark_init_point(&m, 1, NULL);
    TsMarkSet *set = ts_marks_new();
    TsErr err;
    ts_err_clear(&err);
    uint64_t id = ts_marks_add(set, &m, &err);
    assert_string_equal(ts_marks_get(set, id)->label, "");
    TsMarkSet *c = ts_marks_clone(set);
    assert_int_equal(ts_marks_count(c), 1);
    assert_int_equal(ts_marks_next_id(c), ts_marks_next_id(set));
    assert_int_equal(ts_marks_undo_depth(c), 0);
    ts_marks_reserve_id(c, 50);
    assert_int_equal(ts_marks_next_id(c), 50);
    ts_marks_reserve_id(c, 3);
    assert_int_equal(ts_marks_next_id(c), 50);
    /* Ids stay within a signed 64-bit integer (JSON and HDF5 store them so). */
    ts_marks_reserve_id(c, UINT64_MAX);
    assert_true(ts_marks_next_id(c) == (uint64_t)INT64_MAX);
    assert_int_equal(ts_marks_add(c, &m, &err), 0);
    assert_non_null(strstr(err.msg, "out of range"));
    m.id = (uint64_t)INT64_MAX - 1;
    assert_true(ts_marks_add(c, &m, &err) == (uint64_t)INT64_MAX - 1);
    ts_marks_free(c);
    ts_marks_free(set);
}

/* ---- three-way merge ---- */

/* A file as loaded: marks 1 "a" @10, 2 "b" @20, 3 "c" [30,40]; no undo. */
static TsMarkSet *merge_base(void) {
    TsMarkSet *set = ts_marks_new();
    ts_test_add_point(set, 10, "a");
    ts_test_add_point(set, 20, "b");
    add_interval(set, 30, 40, "c");
    ts_marks_forget_undo(set);
    return set;
}

/* "id:label@start" per mark in sorted order, joined by '|'. */
static void dump_set(const TsMarkSet *set, char *buf, size_t cap) {
    buf[0] = '\0';
    for (size_t i = 0; i < ts_marks_count(set); i++) {
        const TsMark *m = ts_marks_at(set, i);
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%llu:%s@%lld", i ? "|" : "", (unsigned long long)m->id, m->label,
                 (long long)m->start_step);
    }
}

static void assert_set(const TsMarkSet *set, const char *want) {
    char buf[512];
    dump_set(set, buf, sizeof buf);
    if (strcmp(buf, want) != 0) fail_msg("set is '%s', want '%s'", buf, want);
}

static void do_merge(TsMarkSet *mine, const TsMarkSet *base, const TsMarkSet *theirs, TsMarksMergeReport *rep) {
    TsErr err;
    ts_err_clear(&err);
    if (!ts_marks_merge(mine, base, theirs, rep, &err)) fail_msg("merge failed: %s", err.msg);
}

static void set_label(TsMarkSet *set, uint64_t id, const char *label) {
    TsErr err;
    ts_err_clear(&err);
    assert_true(ts_marks_set_label(set, id, label, &err));
}

static void test_mark_equal_every_field(void **state) {
    (void)state;
    TsMark a, b;
    ts_mark_init_interval(&a, 5, 9, "x");
    a.colour = "red";
    a.run = "seed0";
    a.metric = "train/loss";
    a.source = "manual";
    a.created = "2024-05-01T12:00:00Z";
    b = a;
    b.id = 77; /* ids are not compared */
    assert_true(ts_mark_equal(&a, &b));
    for (int field = 0; field < 9; field++) {
        b = a;
        switch (field) {
        case 0: b.kind = TS_MARK_POINT; break;
        case 1: b.start_step = 6; break;
        case 2: b.end_step = 10; break;
        case 3: b.label = "x "; break;
        case 4: b.colour = "3"; break;
        case 5: b.run = "*"; break;
        case 6: b.metric = ""; break;
        case 7: b.source = "detector:pelt"; break;
        default: b.created = "2024-05-01T12:00:01Z"; break;
        }
        if (ts_mark_equal(&a, &b)) fail_msg("field %d: a difference is not seen", field);
        if (ts_mark_equal(&b, &a)) fail_msg("field %d: not symmetric", field);
    }
    /* NULL strings read as their defaults. */
    TsMark c, d;
    ts_mark_init_point(&c, 1, NULL);
    ts_mark_init_point(&d, 1, "");
    d.colour = "";
    d.run = "*";
    d.metric = "";
    d.source = "manual";
    d.created = "";
    assert_true(ts_mark_equal(&c, &d));
}

static void test_merge_theirs_added(void **state) {
    (void)state;
    TsMarkSet *base = merge_base();
    TsMarkSet *mine = ts_marks_clone(base);
    TsMarkSet *theirs = ts_marks_clone(base);
    ts_test_add_point(theirs, 15, "cli"); /* id 4, as `trajscope mark add` does */
    uint64_t g0 = ts_marks_generation(mine);
    TsMarksMergeReport rep;
    do_merge(mine, base, theirs, &rep);
    assert_set(mine, "1:a@10|4:cli@15|2:b@20|3:c@30");
    assert_int_equal(rep.added, 1);
    assert_int_equal(rep.removed + rep.changed + rep.renumbered + rep.conflicts, 0);
    assert_true(ts_marks_generation(mine) > g0); /* the explorer redraws */
    assert_int_equal(ts_marks_next_id(mine), 5);
    assert_int_equal(ts_marks_undo_depth(mine), 0); /* not on the user's undo stack */
    /* Merging the same again brings nothing (the mark is recognised). */
    g0 = ts_marks_generation(mine);
    do_merge(mine, base, theirs, &rep);
    assert_set(mine, "1:a@10|4:cli@15|2:b@20|3:c@30");
    assert_int_equal(rep.added + rep.removed + rep.changed + rep.renumbered + rep.conflicts, 0);
    assert_int_equal(ts_marks_generation(mine), g0);
    /* base NULL: everything in theirs is new to mine. */
    TsMarkSet *empty = ts_marks_new();
    do_merge(empty, NULL, theirs, &rep);
    assert_set(empty, "1:a@10|4:cli@15|2:b@20|3:c@30");
    assert_int_equal(rep.added, 4);
    ts_marks_free(empty);
    ts_marks_free(mine);
    ts_marks_free(theirs);
    ts_marks_free(base);
}

static void test_merge_theirs_removed(void **state) {
    (void)state;
    TsMarkSet *base = merge_base();
    TsMarkSet *mine = ts_marks_clone(base);
    TsMarkSet *theirs = ts_marks_clone(base);
    assert_true(ts_marks_remove(theirs, 1, NULL, NULL));
    assert_true(ts_marks_remove(theirs, 2, NULL, NULL));
    assert_true(ts_marks_remove(theirs, 3, NULL, NULL));
    set_label(mine, 2, "b edited here"); /* mine changed 2: it stays */
    assert_true(ts_marks_remove(mine, 3, NULL, NULL)); /* both removed 3 */
    size_t depth = ts_marks_undo_depth(mine);
    TsMarksMergeReport rep;
    do_merge(mine, base, theirs, &rep);
    assert_set(mine, "2:b edited here@20");
    assert_int_equal(rep.removed, 1);
    assert_int_equal(rep.conflicts, 1);
    assert_int_equal(rep.added + rep.changed + rep.renumbered, 0);
    assert_int_equal(ts_marks_undo_depth(mine), depth);
    ts_marks_free(mine);
    ts_marks_free(theirs);
    ts_marks_free(base);
}

static void test_merge_theirs_changed(void **state) {
    (void)state;
    TsMarkSet *base = merge_base();
    ts_test_add_point(base, 50, "d");
    ts_marks_forget_undo(base);
    TsMarkSet *mine = ts_marks_clone(base);
    TsMarkSet *theirs = ts_marks_clone(base);
    set_label(theirs, 1, "a there");   /* only theirs: replaces mine's */
    set_label(theirs, 2, "b there");   /* both, differently: mine wins */
    set_label(mine, 2, "b here");
    set_label(theirs, 3, "c both");    /* both, the same: no conflict */
    set_label(mine, 3, "c both");
    TsMark moved;                      /* theirs moved 4; mine deleted it */
    ts_mark_init_interval(&moved, 60, 70, "d moved");
    TsErr err;
    ts_err_clear(&err);
    assert_true(ts_marks_update(theirs, 4, &moved, &err));
    assert_true(ts_marks_remove(mine, 4, NULL, NULL));
    TsMarksMergeReport rep;
    do_merge(mine, base, theirs, &rep);
    assert_set(mine, "1:a there@10|2:b here@20|3:c both@30|4:d moved@60");
    const TsMark *d = ts_marks_get(mine, 4);
    assert_int_equal(d->kind, TS_MARK_INTERVAL);
    assert_int_equal(d->end_step, 70);
    assert_int_equal(rep.changed, 1);
    assert_int_equal(rep.added, 1);     /* 4 came back */
    assert_int_equal(rep.conflicts, 2); /* 2 (mine kept) and 4 (theirs' edit back) */
    assert_int_equal(rep.removed + rep.renumbered, 0);
    /* A change in any one field counts: only the colour differs here. */
    TsMarkSet *base2 = ts_marks_clone(mine);
    TsMarkSet *theirs2 = ts_marks_clone(mine);
    TsMark f = *ts_marks_get(theirs2, 1); /* borrowed strings: update copies them */
    f.colour = "5";
    assert_true(ts_marks_update(theirs2, 1, &f, &err));
    do_merge(mine, base2, theirs2, &rep);
    assert_int_equal(rep.changed, 1);
    assert_string_equal(ts_marks_get(mine, 1)->colour, "5");
    ts_marks_free(base2);
    ts_marks_free(theirs2);
    ts_marks_free(mine);
    ts_marks_free(theirs);
    ts_marks_free(base);
}

static void test_merge_id_collision(void **state) {
    (void)state;
    TsMarkSet *base = merge_base(); /* next id 4 */
    TsMarkSet *mine = ts_marks_clone(base);
    TsMarkSet *theirs = ts_marks_clone(base);
    /* Both sides added marks 4 and 5 meanwhile; mine then deleted its 5. */
    ts_test_add_point(theirs, 11, "cli 4");
    ts_test_add_point(theirs, 12, "cli 5");
    uint64_t m4 = ts_test_add_point(mine, 21, "mine 4");
    uint64_t m5 = ts_test_add_point(mine, 22, "mine 5");
    assert_int_equal(m4, 4);
    assert_int_equal(m5, 5);
    assert_true(ts_marks_remove(mine, m5, NULL, NULL));
    TsMarksMergeReport rep;
    do_merge(mine, base, theirs, &rep);
    /* The file's ids stay; mine's 4 moved to a fresh id past both sides'. */
    assert_set(mine, "1:a@10|4:cli 4@11|5:cli 5@12|2:b@20|6:mine 4@21|3:c@30");
    assert_int_equal(rep.added, 2);
    assert_int_equal(rep.renumbered, 1);
    assert_int_equal(rep.n_renamed, 1);
    assert_int_equal(ts_marks_merge_renamed(&rep, 4), 6);
    assert_int_equal(ts_marks_merge_renamed(&rep, 2), 2);
    assert_int_equal(ts_marks_next_id(mine), 8); /* 7 went to mine's deleted 5 (in its undo records) */
    /* Undo reverts only mine's actions, under their new ids: the delete of
     * mine's 5 comes back as 7, then the adds go; the file's marks stay. */
    TsMarkChange ch;
    assert_true(ts_marks_undo(mine, &ch));
    assert_int_equal(ch.op, TS_MARK_OP_REMOVE);
    assert_int_equal(ch.id, 7);
    assert_true(ch.applied);
    assert_set(mine, "1:a@10|4:cli 4@11|5:cli 5@12|2:b@20|6:mine 4@21|7:mine 5@22|3:c@30");
    assert_true(ts_marks_undo(mine, &ch));
    assert_int_equal(ch.id, 7);
    assert_true(ts_marks_undo(mine, &ch));
    assert_int_equal(ch.op, TS_MARK_OP_ADD);
    assert_int_equal(ch.id, 6);
    assert_true(ch.applied);
    assert_set(mine, "1:a@10|4:cli 4@11|5:cli 5@12|2:b@20|3:c@30");
    assert_false(ts_marks_undo(mine, &ch));
    /* The same mark under the same id (a save that reached the file while
     * the base was not updated) is no collision. */
    TsMarkSet *mine2 = ts_marks_clone(base);
    ts_test_add_point(mine2, 11, "cli 4");
    TsMark same = *ts_marks_get(theirs, 4);
    TsErr err;
    ts_err_clear(&err);
    assert_true(ts_marks_update(mine2, 4, &same, &err)); /* every field equal */
    do_merge(mine2, base, theirs, &rep);
    assert_int_equal(rep.renumbered, 0);
    assert_set(mine2, "1:a@10|4:cli 4@11|5:cli 5@12|2:b@20|3:c@30");
    ts_marks_free(mine2);
    ts_marks_free(mine);
    ts_marks_free(theirs);
    ts_marks_free(base);
}

static void test_merge_undo_only_the_users_actions(void **state) {
    (void)state;
    TsMarkSet *mine = merge_base();
    /* The user adds 4 and edits 1; the explorer saved: base = mine. */
    uint64_t m4 = ts_test_add_point(mine, 45, "mine");
    set_label(mine, 1, "a by me");
    TsMarkSet *base = ts_marks_clone(mine);
    /* Elsewhere: 4 relabelled, 1 removed, 2 relabelled, a mark 5 added. */
    TsMarkSet *theirs = ts_marks_clone(base);
    set_label(theirs, m4, "mine, fixed elsewhere");
    assert_true(ts_marks_remove(theirs, 1, NULL, NULL));
    set_label(theirs, 2, "b there");
    ts_test_add_point(theirs, 5, "cli");
    /* Then the user adds 6 (not saved yet). */
    uint64_t m6 = ts_test_add_point(mine, 60, "after");
    assert_int_equal(m6, 5); /* mine's next id was 5 too */
    TsMarksMergeReport rep;
    do_merge(mine, base, theirs, &rep);
    assert_set(mine, "5:cli@5|2:b there@20|3:c@30|4:mine, fixed elsewhere@45|6:after@60");
    assert_int_equal(ts_marks_merge_renamed(&rep, 5), 6);
    /* u: removes the user's unsaved add (renumbered to 6) ... */
    TsMarkChange ch;
    assert_true(ts_marks_undo(mine, &ch));
    assert_int_equal(ch.op, TS_MARK_OP_ADD);
    assert_int_equal(ch.id, 6);
    assert_true(ch.applied);
    assert_set(mine, "5:cli@5|2:b there@20|3:c@30|4:mine, fixed elsewhere@45");
    /* ... the edit of 1 is not brought back (removed elsewhere since) ... */
    assert_true(ts_marks_undo(mine, &ch));
    assert_int_equal(ch.op, TS_MARK_OP_EDIT);
    assert_int_equal(ch.id, 1);
    assert_false(ch.applied);
    /* ... and the add of 4 does not delete the label fixed elsewhere. */
    assert_true(ts_marks_undo(mine, &ch));
    assert_int_equal(ch.op, TS_MARK_OP_ADD);
    assert_int_equal(ch.id, m4);
    assert_false(ch.applied);
    assert_set(mine, "5:cli@5|2:b there@20|3:c@30|4:mine, fixed elsewhere@45");
    assert_int_equal(ts_marks_undo_depth(mine), 0);
    ts_marks_free(mine);
    ts_marks_free(theirs);
    ts_marks_free(base);
}

static void test_merge_next_id(void **state) {
    (void)state;
    TsMarkSet *base = merge_base();
    TsMarkSet *mine = ts_marks_clone(base);
    TsMarkSet *theirs = ts_marks_clone(base);
    /* Elsewhere marks 4..9 were added and deleted: the file says next 10. */
    ts_marks_reserve_id(theirs, 10);
    ts_test_add_point(mine, 99, "mine"); /* 4, mine's next 5 */
    TsMarksMergeReport rep;
    do_merge(mine, base, theirs, &rep);
    assert_int_equal(ts_marks_next_id(mine), 10);
    assert_int_equal(ts_test_add_point(mine, 100, "later"), 10); /* never an id used elsewhere */
    /* And mine's next id is kept when it is the larger. */
    TsMarkSet *theirs2 = ts_marks_clone(base);
    ts_marks_reserve_id(mine, 40);
    do_merge(mine, base, theirs2, &rep);
    assert_int_equal(ts_marks_next_id(mine), 40);
    ts_marks_free(theirs2);
    ts_marks_free(mine);
    ts_marks_free(theirs);
    ts_marks_free(base);
}

static void test_merge_no_ids_left(void **state) {
    (void)state;
    TsMarkSet *base = ts_marks_new();
    ts_marks_reserve_id(base, (uint64_t)INT64_MAX - 1);
    TsMarkSet *mine = ts_marks_clone(base);
    TsMarkSet *theirs = ts_marks_clone(base);
    ts_test_add_point(mine, 1, "mine");     /* id INT64_MAX - 1 */
    ts_test_add_point(theirs, 2, "theirs"); /* the same id */
    TsMarksMergeReport rep;
    TsErr err;
    ts_err_clear(&err);
    uint64_t g0 = ts_marks_generation(mine);
    assert_false(ts_marks_merge(mine, base, theirs, &rep, &err));
    assert_non_null(strstr(err.msg, "no free mark id"));
    assert_int_equal(ts_marks_generation(mine), g0);
    assert_int_equal(ts_marks_count(mine), 1);
    assert_string_equal(ts_marks_at(mine, 0)->label, "mine");
    ts_marks_free(mine);
    ts_marks_free(theirs);
    ts_marks_free(base);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_with_stable_ids),
        cmocka_unit_test(test_remove_undo_same_place_ids_not_reused),
        cmocka_unit_test(test_edit_and_undo),
        cmocka_unit_test(test_undo_is_bounded),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_queries),
        cmocka_unit_test(test_spans_phase_rule),
        cmocka_unit_test(test_span_stats_by_hand),
        cmocka_unit_test(test_resumed_run_purge_rule),
        cmocka_unit_test(test_kinds_and_time),
        cmocka_unit_test(test_mark_equal_every_field),
        cmocka_unit_test(test_merge_theirs_added),
        cmocka_unit_test(test_merge_theirs_removed),
        cmocka_unit_test(test_merge_theirs_changed),
        cmocka_unit_test(test_merge_id_collision),
        cmocka_unit_test(test_merge_undo_only_the_users_actions),
        cmocka_unit_test(test_merge_next_id),
        cmocka_unit_test(test_merge_no_ids_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
