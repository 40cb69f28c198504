/* test_fmt.c - number formatting: SI suffixes, values, tick labels, durations.
 * Layer: tests. License: MIT. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/ts_test.h"
#include "trajscope/fmt.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- reference: fmt.c as it was before the table/digit-check rewrite,
 * kept verbatim (renamed ref_*) so the fast formatter can be compared
 * byte for byte ---- */

/* Copies src into dst (truncating) and returns strlen(src). */
static int ref_put(char *dst, size_t cap, const char *src) {
    size_t len = strlen(src);
    if (cap > 0) {
        size_t n = len < cap - 1 ? len : cap - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return (int)len;
}

static int ref_put_nonfinite(char *dst, size_t cap, double v) {
    if (isnan(v)) return ref_put(dst, cap, "NaN");
    return ref_put(dst, cap, v > 0 ? "+Inf" : "-Inf");
}

static int ref_clampi(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* "%.*f" of a non-negative number with trailing zeros (and a bare '.')
 * removed, into buf (TS_FMT_MAX). */
static void ref_fixed_trim(char *buf, size_t cap, double a, int dec) {
    snprintf(buf, cap, "%.*f", dec, a);
    if (strchr(buf, '.')) {
        size_t n = strlen(buf);
        while (n > 0 && buf[n - 1] == '0') buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.') buf[--n] = '\0';
    }
}

/* Exponent (multiple of 3) such that a / 10^e3 lies in [1, 1000). */
static int ref_exp3_of(double a) {
    int e3 = (int)floor(log10(a) / 3.0) * 3;
    double scaled = a * pow(10.0, -e3);
    if (scaled >= 1000.0) e3 += 3;
    else if (scaled < 1.0) e3 -= 3;
    return e3;
}

static const char *ref_prefix_of(int e3) {
    static const char *const pos[] = {"", "k", "M", "G", "T", "P", "E"};
    static const char *const neg[] = {"", "m", "u", "n", "p", "f", "a"};
    if (e3 >= 0 && e3 <= 18) return pos[e3 / 3];
    if (e3 < 0 && e3 >= -18) return neg[-e3 / 3];
    return NULL;
}

static int ref_digits_before_point(double scaled) {
    return scaled >= 100.0 ? 3 : scaled >= 10.0 ? 2 : 1;
}

/* SI text of |v| with a given exponent and decimals; handles rounding up
 * into the next prefix (999.96k -> 1M). dec < 0: from sig digits. */
static int ref_si_compose(char *dst, size_t cap, double v, int e3, int dec, int sig) {
    double a = fabs(v);
    char num[TS_FMT_MAX];
    for (int pass = 0; pass < 2; pass++) {
        double scaled = a * pow(10.0, -e3);
        int d = dec >= 0 ? dec : ref_clampi(sig - ref_digits_before_point(scaled), 0, 15);
        ref_fixed_trim(num, sizeof num, scaled, d);
        if (strtod(num, NULL) < 1000.0) break;
        if (ref_prefix_of(e3 + 3) == NULL) {
            e3 = 1000; /* no larger prefix: use %g below */
            break;
        }
        e3 += 3;
        if (dec > 0) dec = ref_clampi(dec - 3, 0, 15);
    }
    const char *p = ref_prefix_of(e3);
    char out[2 * TS_FMT_MAX];
    if (!p) {
        snprintf(out, sizeof out, "%.*g", ref_clampi(sig, 1, 15), v);
        return ref_put(dst, cap, out);
    }
    snprintf(out, sizeof out, "%s%s%s", v < 0 && strcmp(num, "0") != 0 ? "-" : "", num, p);
    return ref_put(dst, cap, out);
}

static int ref_ts_fmt_si(char *dst, size_t cap, double v, int sig) {
    if (!isfinite(v)) return ref_put_nonfinite(dst, cap, v);
    if (v == 0.0) return ref_put(dst, cap, "0");
    sig = ref_clampi(sig, 1, 15);
    int e3 = ref_exp3_of(fabs(v));
    if (!ref_prefix_of(e3)) {
        char out[TS_FMT_MAX];
        snprintf(out, sizeof out, "%.*g", sig, v);
        return ref_put(dst, cap, out);
    }
    return ref_si_compose(dst, cap, v, e3, -1, sig);
}

static int ref_ts_fmt_value(char *dst, size_t cap, double v, int sig) {
    if (!isfinite(v)) return ref_put_nonfinite(dst, cap, v);
    if (v == 0.0) return ref_put(dst, cap, "0");
    double a = fabs(v);
    if (a < 0.01 || a >= 1e4) return ref_ts_fmt_si(dst, cap, v, sig);
    sig = ref_clampi(sig, 1, 15);
    int int_digits = (int)floor(log10(a)) + 1;
    int dec = ref_clampi(sig - int_digits, 0, 15);
    char num[TS_FMT_MAX], out[TS_FMT_MAX + 1];
    ref_fixed_trim(num, sizeof num, a, dec);
    snprintf(out, sizeof out, "%s%s", v < 0 && strcmp(num, "0") != 0 ? "-" : "", num);
    return ref_put(dst, cap, out);
}

static int ref_ts_fmt_tick(char *dst, size_t cap, double v, double step, double max_abs) {
    if (!isfinite(v)) return ref_put_nonfinite(dst, cap, v);
    if (!(step > 0.0) || !isfinite(step)) return ref_ts_fmt_value(dst, cap, v, 4);
    double a = fabs(v);
    if (a < step * 1e-9) return ref_put(dst, cap, "0");
    int step_exp = (int)floor(log10(step) + 1e-9);
    if (max_abs >= 1e4 || max_abs < 1e-2) {
        int e3 = ref_exp3_of(a);
        if (max_abs >= 1e4 && e3 < 0) e3 = 0;
        if (!ref_prefix_of(e3)) {
            char out[TS_FMT_MAX];
            snprintf(out, sizeof out, "%.3g", v);
            return ref_put(dst, cap, out);
        }
        return ref_si_compose(dst, cap, v, e3, ref_clampi(e3 - step_exp, 0, 15), 4);
    }
    char num[TS_FMT_MAX], out[TS_FMT_MAX + 1];
    ref_fixed_trim(num, sizeof num, a, ref_clampi(-step_exp, 0, 12));
    snprintf(out, sizeof out, "%s%s", v < 0 && strcmp(num, "0") != 0 ? "-" : "", num);
    return ref_put(dst, cap, out);
}

static int ref_ts_fmt_duration(char *dst, size_t cap, double seconds) {
    if (!isfinite(seconds)) return ref_put_nonfinite(dst, cap, seconds);
    const char *sign = seconds < 0 ? "-" : "";
    double s = fabs(seconds);
    char out[2 * TS_FMT_MAX];
    if (s == 0.0) return ref_put(dst, cap, "0s");
    if (s < 1.0) {
        char num[TS_FMT_MAX];
        if (s < 0.001) {
            ref_ts_fmt_si(num, sizeof num, s, 3);
            snprintf(out, sizeof out, "%s%ss", sign, num);
            return ref_put(dst, cap, out);
        }
        ref_fixed_trim(num, sizeof num, s * 1000.0, s < 0.01 ? 1 : 0);
        if (strtod(num, NULL) < 1000.0) {
            snprintf(out, sizeof out, "%s%sms", sign, num);
            return ref_put(dst, cap, out);
        }
        s = 1.0;
    }
    if (s < 60.0) {
        char num[TS_FMT_MAX];
        ref_fixed_trim(num, sizeof num, s, s < 10.0 ? 1 : 0);
        if (strtod(num, NULL) < 60.0) {
            snprintf(out, sizeof out, "%s%ss", sign, num);
            return ref_put(dst, cap, out);
        }
        s = 60.0;
    }
    if (s >= 86400.0 * 1e6) {
        char num[TS_FMT_MAX];
        ref_ts_fmt_si(num, sizeof num, s / 86400.0, 3);
        snprintf(out, sizeof out, "%s%sd", sign, num);
        return ref_put(dst, cap, out);
    }
    /* Two units: round to the smaller one, then split. */
    static const struct { double big; double small; const char *bu; const char *su; } units[] = {
        {60.0, 1.0, "m", "s"}, {3600.0, 60.0, "h", "m"}, {86400.0, 3600.0, "d", "h"}};
    size_t u = s < 3600.0 ? 0 : s < 86400.0 ? 1 : 2;
    for (;; u++) {
        long long total = (long long)llround(s / units[u].small);
        long long per = (long long)llround(units[u].big / units[u].small);
        long long big = total / per, small = total % per;
        if (u + 1 < sizeof units / sizeof units[0] && (double)total * units[u].small >= units[u + 1].big)
            continue;
        if (small)
            snprintf(out, sizeof out, "%s%lld%s%lld%s", sign, big, units[u].bu, small, units[u].su);
        else
            snprintf(out, sizeof out, "%s%lld%s", sign, big, units[u].bu);
        return ref_put(dst, cap, out);
    }
}

/* ---- end of reference ---- */


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

/* ---- new formatter == reference, byte for byte ---- */

static TsTestRng rng = {0x9E3779B97F4A7C15u};
static uint64_t rng_next(void) { return ts_test_rng_next(&rng); }
static double rng_unit(void) { return ts_test_rng_unit(&rng); }

/* A random finite double: sign, magnitude 10^[-30, 30], now and then an
 * exact multiple of a power of ten, a 1-2-5 value or a raw bit pattern. */
static double rng_value(void) {
    uint64_t r = rng_next();
    double sign = (r & 1) ? -1.0 : 1.0;
    switch ((r >> 1) % 8) {
    case 0: { /* few digits: k * 10^e */
        int e = (int)((r >> 8) % 61) - 30;
        return sign * (double)((r >> 20) % 100000) * pow(10.0, e);
    }
    case 1: { /* 1-2-5 */
        static const double m[] = {1, 2, 2.5, 5, 7.5};
        int e = (int)((r >> 8) % 61) - 30;
        return sign * m[(r >> 20) % 5] * pow(10.0, e);
    }
    case 2: { /* any bit pattern that is finite (denormals included) */
        double d;
        uint64_t bits = rng_next();
        memcpy(&d, &bits, sizeof d);
        return isfinite(d) ? d : sign;
    }
    default:
        return sign * pow(10.0, -30.0 + 60.0 * rng_unit());
    }
}

/* Values that sit on rounding and prefix edges, with their neighbours. */
static size_t edge_values(double *out, size_t cap) {
    size_t n = 0;
#define PUSH(x) do { if (n < cap) out[n++] = (x); } while (0)
    static const double base[] = {999.95, 999.949999, 999.5, 999.4999, 9.9995e5, 99.995, 9.995, 0.99995,
                                  1.0, 10.0, 100.0, 1000.0, 999.9999999999999, 0.01, 0.0099995, 1e4,
                                  9999.5, 9999.4999, 0.5, 1.5, 2.5, 0.125, 0.0005, 123456.789};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
        for (int e = -30; e <= 30; e += 3) {
            double v = base[i] * pow(10.0, e);
            double up = v, down = v;
            for (int k = 0; k < 3; k++) {
                up = nextafter(up, INFINITY);
                down = nextafter(down, 0.0);
                PUSH(up);
                PUSH(down);
                PUSH(-up);
            }
            PUSH(v);
            PUSH(-v);
        }
    }
    for (int e = -330; e <= 310; e++) { /* powers of ten, literal and pow() */
        char lit[32];
        snprintf(lit, sizeof lit, "1e%d", e);
        double v = strtod(lit, NULL);
        PUSH(v);
        PUSH(-v);
        PUSH(nextafter(v, 0.0));
        PUSH(nextafter(v, INFINITY));
        PUSH(pow(10.0, e));
    }
    PUSH(0.0);
    PUSH(-0.0);
    PUSH(NAN);
    PUSH(-NAN);
    PUSH(INFINITY);
    PUSH(-INFINITY);
    PUSH(DBL_MIN);
    PUSH(DBL_MIN / 3.0);
    PUSH(DBL_TRUE_MIN);
    PUSH(-DBL_TRUE_MIN);
    PUSH(DBL_MAX);
    PUSH(-DBL_MAX);
#undef PUSH
    return n;
}

static unsigned same_calls;

/* Compares new and reference output (text and returned length), and now
 * and then the text truncated into a 4-byte buffer. */
#define SAME(call_new, call_ref, desc_fmt, ...)                                                   \
    do {                                                                                          \
        char a_[TS_FMT_MAX], b_[TS_FMT_MAX], sa_[4], sb_[4];                                      \
        memset(a_, 'x', sizeof a_);                                                               \
        memset(b_, 'x', sizeof b_);                                                               \
        int la_ = call_new(a_, sizeof a_, __VA_ARGS__), lb_ = call_ref(b_, sizeof b_, __VA_ARGS__); \
        if (la_ != lb_ || strcmp(a_, b_) != 0)                                                    \
            fail_msg(#call_new desc_fmt ": \"%s\" (%d), reference \"%s\" (%d)", __VA_ARGS__, a_,   \
                     la_, b_, lb_);                                                               \
        if ((++same_calls & 7) == 0) { /* truncation, on every 8th call */                        \
            call_new(sa_, sizeof sa_, __VA_ARGS__);                                               \
            call_ref(sb_, sizeof sb_, __VA_ARGS__);                                               \
            if (strcmp(sa_, sb_) != 0)                                                            \
                fail_msg(#call_new desc_fmt ": truncated text differs", __VA_ARGS__);             \
        }                                                                                         \
    } while (0)

/* The exponent table in fmt.c holds 1e-21 .. 1e21 in steps of 1e3 as
 * literals; the old code used pow(10, e) - they must be the same doubles. */
static void test_pow_table(void **state) {
    (void)state;
    static const double lit[] = {1e-21, 1e-18, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 1e0,
                                 1e3,   1e6,   1e9,   1e12,  1e15,  1e18, 1e21};
    for (int j = -7; j <= 7; j++)
        if (lit[j + 7] != pow(10.0, 3 * j)) fail_msg("1e%d differs from pow(10, %d)", 3 * j, 3 * j);
}

static void test_same_as_reference_edges(void **state) {
    (void)state;
    size_t cap = 16384;
    double *v = malloc(cap * sizeof *v);
    assert_non_null(v);
    size_t n = edge_values(v, cap);
    assert_true(n > 1000 && n < cap);
    static const double steps[] = {1e-9, 2e-6, 5e-4, 0.01, 0.2, 1, 5, 50, 1e3, 2e4, 5e5, 1e6, 2.5e7, 1e9, 1e12, 1e20};
    for (size_t i = 0; i < n; i++) {
        for (int sig = 1; sig <= 15; sig++) {
            SAME(ts_fmt_si, ref_ts_fmt_si, "(%.17g, %d)", v[i], sig);
            SAME(ts_fmt_value, ref_ts_fmt_value, "(%.17g, %d)", v[i], sig);
        }
        SAME(ts_fmt_duration, ref_ts_fmt_duration, "(%.17g)", v[i]);
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            SAME(ts_fmt_tick, ref_ts_fmt_tick, "(%.17g, %g, %g)", v[i], steps[s], fabs(v[i]));
            SAME(ts_fmt_tick, ref_ts_fmt_tick, "(%.17g, %g, %g)", v[i], steps[s], 1e4);
            SAME(ts_fmt_tick, ref_ts_fmt_tick, "(%.17g, %g, %g)", v[i], steps[s], 5e-3);
            SAME(ts_fmt_tick, ref_ts_fmt_tick, "(%.17g, %g, %g)", v[i], v[i], fabs(v[i]) * 3);
        }
    }
    free(v);
}

static void test_same_as_reference_random(void **state) {
    (void)state;
    for (int i = 0; i < 1000000; i++) {
        double v = rng_value();
        int sig = 1 + (int)(rng_next() % 15);
        SAME(ts_fmt_si, ref_ts_fmt_si, "(%.17g, %d)", v, sig);
        SAME(ts_fmt_value, ref_ts_fmt_value, "(%.17g, %d)", v, sig);
    }
    for (int i = 0; i < 200000; i++) {
        double s = rng_value(); /* SAME evaluates its arguments more than once */
        SAME(ts_fmt_duration, ref_ts_fmt_duration, "(%.17g)", s);
    }
}

/* Tick labels as axes produce them: k * step for a 1-2-5 step, labelled
 * with the axis' largest magnitude; and arbitrary triples. */
static void test_same_as_reference_ticks(void **state) {
    (void)state;
    static const double m[] = {1, 2, 5};
    for (int i = 0; i < 1000000; i++) {
        double step = m[rng_next() % 3] * pow(10.0, (double)((int)(rng_next() % 61) - 30));
        long k0 = (long)(rng_next() % 2001) - 1000;
        int count = 1 + (int)(rng_next() % 40);
        long k = k0 + (long)(rng_next() % (unsigned)count);
        double max_abs = fmax(fabs((double)k0 * step), fabs((double)(k0 + count - 1) * step));
        double v = (double)k * step;
        SAME(ts_fmt_tick, ref_ts_fmt_tick, "(%.17g, %.17g, %.17g)", v, step, max_abs);
        if (i % 4 == 0) {
            double x = rng_value(), s = fabs(rng_value()), mx = fabs(rng_value());
            SAME(ts_fmt_tick, ref_ts_fmt_tick, "(%.17g, %.17g, %.17g)", x, s, mx);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_si),       cmocka_unit_test(test_value),
        cmocka_unit_test(test_tick),     cmocka_unit_test(test_duration),
        cmocka_unit_test(test_truncation), cmocka_unit_test(test_pow_table),
        cmocka_unit_test(test_same_as_reference_edges), cmocka_unit_test(test_same_as_reference_random),
        cmocka_unit_test(test_same_as_reference_ticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
