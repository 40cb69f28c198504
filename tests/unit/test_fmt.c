/* test_fmt.c - number formatting: SI suffixes, values, tick labels, durations.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "trajscope/fmt.h"

typedef struct Case {
    double v;
    int sig;
    const char *want;
} Case;

#define CHECK_TABLE(fn, table)                                                                   \
    do {                                                                                         \
        for (size_t i_ = 0; i_ < sizeof(table) / sizeof(table)[0]; i_++) {                       \
            char buf_[TS_FMT_MAX];                                                               \
            int len_ = fn(buf_, sizeof buf_, (table)[i_].v, (table)[i_].sig);                    \
            if (strcmp(buf_, (table)[i_].want) != 0)                                             \
                fail_msg(#fn "(%.17g, %d) = \"%s\", expected \"%s\"", (table)[i_].v,             \
                         (table)[i_].sig, buf_, (table)[i_].want);                               \
            assert_int_equal(len_, (int)strlen((table)[i_].want));                              \
        }                                                                                        \
    } while (0)

static void test_si(void **state) {
    (void)state;
    static const Case t[] = {
        {1000, 3, "1k"},       {2.5e6, 3, "2.5M"},     {3e9, 3, "3G"},       {4e12, 3, "4T"},
        {0.001, 3, "1m"},      {2.5e-6, 3, "2.5u"},    {1e-9, 3, "1n"},      {3e-12, 3, "3p"},
        {12.5, 3, "12.5"},     {0, 3, "0"},            {-1500, 3, "-1.5k"},  {999999, 3, "1M"},
        {123456, 3, "123k"},   {123456, 6, "123.456k"}, {0.5, 3, "500m"},    {1, 3, "1"},
        {999.4, 3, "999"},     {999.6, 3, "1k"},       {1e21, 3, "1e+21"},   {-2e-25, 2, "-2e-25"},
        {NAN, 3, "NaN"},       {INFINITY, 3, "+Inf"},  {-INFINITY, 3, "-Inf"},
    };
    CHECK_TABLE(ts_fmt_si, t);
}

static void test_value(void **state) {
    (void)state;
    static const Case t[] = {
        {0.35, 3, "0.35"}, {1234.56, 4, "1235"}, {12345, 3, "12.3k"}, {0.001, 3, "1m"},
        {1e-9, 3, "1n"},   {0.05, 3, "0.05"},    {-0.25, 3, "-0.25"}, {9999, 4, "9999"},
        {0.01, 3, "0.01"}, {3.14159, 3, "3.14"}, {2.5e6, 3, "2.5M"},  {0, 3, "0"},
        {1.0 / 3.0, 4, "0.3333"}, {NAN, 3, "NaN"},
    };
    CHECK_TABLE(ts_fmt_value, t);
}

typedef struct TickCase {
    double v, step, max_abs;
    const char *want;
} TickCase;

static void test_tick(void **state) {
    (void)state;
    static const TickCase t[] = {
        {0.2, 0.2, 1, "0.2"},         {0.4, 0.2, 1, "0.4"},        {1, 0.2, 1, "1"},
        {0, 0.2, 1, "0"},             {0.1, 0.05, 0.3, "0.1"},     {0.15, 0.05, 0.3, "0.15"},
        {-0.4, 0.2, 1, "-0.4"},       {1e-17, 0.2, 1, "0"},        {-1e-17, 0.2, 1, "0"},
        {200000, 2e5, 1e6, "200k"},   {1e6, 2e5, 1e6, "1M"},       {1.5e6, 5e5, 2e6, "1.5M"},
        {2500, 500, 1e4, "2.5k"},     {20000, 5000, 2e4, "20k"},   {0.0002, 0.0002, 0.001, "200u"},
        {0.001, 0.0002, 0.001, "1m"}, {1e-9, 1e-9, 5e-9, "1n"},    {0.0015, 0.0005, 0.005, "1.5m"},
        {250, 50, 1000, "250"},       {7, 1, 10, "7"},             {0.998, 0.001, 1, "0.998"},
        {1.2e9, 2e8, 2e9, "1.2G"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char buf[TS_FMT_MAX];
        ts_fmt_tick(buf, sizeof buf, t[i].v, t[i].step, t[i].max_abs);
        if (strcmp(buf, t[i].want) != 0)
            fail_msg("ts_fmt_tick(%.17g, %g, %g) = \"%s\", expected \"%s\"", t[i].v, t[i].step, t[i].max_abs,
                     buf, t[i].want);
    }
}

static void test_duration(void **state) {
    (void)state;
    static const struct { double s; const char *want; } t[] = {
        {0, "0s"},          {0.25, "250ms"},   {45, "45s"},       {1.5, "1.5s"},     {90, "1m30s"},
        {3600, "1h"},       {5400, "1h30m"},   {93600, "1d2h"},   {-90, "-1m30s"},   {59.99, "1m"},
        {3599.6, "1h"},     {86400, "1d"},     {60, "1m"},        {0.0005, "500us"}, {7200 + 59.9 * 60, "3h"},
        {NAN, "NaN"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char buf[TS_FMT_MAX];
        ts_fmt_duration(buf, sizeof buf, t[i].s);
        if (strcmp(buf, t[i].want) != 0)
            fail_msg("ts_fmt_duration(%.17g) = \"%s\", expected \"%s\"", t[i].s, buf, t[i].want);
    }
}

static void test_truncation(void **state) {
    (void)state;
    char buf[3];
    int len = ts_fmt_si(buf, sizeof buf, 2.5e6, 3);
    assert_int_equal(len, 4); /* "2.5M" wanted */
    assert_string_equal(buf, "2.");
    len = ts_fmt_duration(buf, 1, 5400);
    assert_int_equal(len, 5);
    assert_string_equal(buf, "");
    assert_int_equal(ts_fmt_value(NULL, 0, 1234.5, 3), 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_si),       cmocka_unit_test(test_value),
        cmocka_unit_test(test_tick),     cmocka_unit_test(test_duration),
        cmocka_unit_test(test_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
