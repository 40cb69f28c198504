/* test_natcmp.c - comparing names: natural order and case-insensitive
 * substring search (src/util/natcmp.c).
 * Layer: tests. License: MIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "trajscope/natcmp.h"

static void test_natural_order(void **state) {
    (void)state;
    assert_true(ts_natural_cmp("run2", "run10") < 0);
    assert_true(ts_natural_cmp("run10", "run2") > 0);
    assert_int_equal(ts_natural_cmp("run7", "run7"), 0);
    assert_true(ts_natural_cmp("run07", "run7") > 0); /* fewer leading zeros first */
    assert_true(ts_natural_cmp("Run1", "run1") < 0);  /* bytes otherwise */
    assert_true(ts_natural_cmp_fold("Run2", "run10") < 0);
    assert_true(ts_natural_cmp_fold("Run1", "run1") != 0); /* total order */
}

static void test_contains_fold(void **state) {
    (void)state;
    assert_true(ts_contains_fold("train/Loss", "loss"));
    assert_true(ts_contains_fold("EVAL/ACC", "val/a"));
    assert_true(ts_contains_fold("anything", ""));
    assert_true(ts_contains_fold("", ""));
    assert_false(ts_contains_fold("", "a"));
    assert_false(ts_contains_fold("los", "loss"));     /* needle longer than the rest */
    assert_false(ts_contains_fold("train/acc", "loss"));
    assert_true(ts_contains_fold("lolloss", "loss"));  /* a restart after a partial match */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_natural_order),
        cmocka_unit_test(test_contains_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
