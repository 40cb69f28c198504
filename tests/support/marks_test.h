/* marks_test.h - a helper shared by the marks unit tests.
 * Layer: tests. License: MIT. Include after <cmocka.h>. */
#ifndef TRAJSCOPE_MARKS_TEST_H
#define TRAJSCOPE_MARKS_TEST_H

#include "trajscope/marks.h"

/* Adds a point mark at step with a label; fails the test when refused. */
static inline uint64_t ts_test_add_point(TsMarkSet *set, int64_t step, const char *label) {
    TsMark m;
    ts_mark_init_point(&m, step, label);
    TsErr err;
    ts_err_clear(&err);
    uint64_t id = ts_marks_add(set, &m, &err);
    assert_true(id > 0);
    return id;
}

#endif
