/* fmt.c - compact number formatting: SI suffixes, tick labels, durations.
 * Layer: util (libc only). License: MIT. */
#include "trajscope/fmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies src into dst (truncating) and returns strlen(src). */
static int put(char *dst, size_t cap, const char *src) {
    size_t len = strlen(src);
    if (cap > 0) {
        size_t n = len < cap - 1 ? len : cap - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return (int)len;
}

static int put_nonfinite(char *dst, size_t cap, double v) {
    if (isnan(v)) return put(dst, cap, "NaN");
    return put(dst, cap, v > 0 ? "+Inf" : "-Inf");
}

static int clampi(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* "%.*f" of a non-negative number with trailing zeros (and a bare '.')
 * removed, into buf (TS_FMT_MAX); returns its length.
 * Fast path without printf: y = a * 10^dec is computed with an error of
 * at most ulp(y) / 2 <= 1/16 when y < 2^50, so when y is within 1/4 of an
 * integer X, the exact a * 10^dec is within 5/16 of X and rounds to X
 * whatever the tie rule: the text is X with dec decimals, exactly what
 * printf writes. Other values (near a tie, or large) go to snprintf. */
static size_t fixed_trim(char *buf, size_t cap, double a, int dec) {
    static const double p10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    if (dec >= 0 && dec <= 15 && a >= 0.0 && cap >= TS_FMT_MAX) {
        double y = a * p10[dec];
        if (y < 0x1p50) {
            double xr = floor(y + 0.5); /* y + 0.5 is exact below 2^50 */
            if (fabs(y - xr) < 0.25) {
                uint64_t x = (uint64_t)xr;
                int d = dec;
                while (d > 0 && x % 10 == 0) { /* trailing zeros of the decimals */
                    x /= 10;
                    d--;
                }
                char rev[24];
                int nd = 0;
                do {
                    rev[nd++] = (char)('0' + x % 10);
                    x /= 10;
                } while (x);
                while (nd < d + 1) rev[nd++] = '0';
                size_t n = 0;
                for (int i = nd - 1; i >= 0; i--) {
                    buf[n++] = rev[i];
                    if (i == d && d > 0) buf[n++] = '.';
                }
                buf[n] = '\0';
                return n;
            }
        }
    }
    int r = snprintf(buf, cap, "%.*f", dec, a);
    size_t n = r < 0 ? 0 : (size_t)r < cap ? (size_t)r : cap - 1;
    if (dec > 0 && memchr(buf, '.', n)) {
        while (n > 0 && buf[n - 1] == '0') buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.') buf[--n] = '\0';
    }
    return n;
}

/* 10^(3j) for j = -7..7, as pow(10, 3j) returns them (test_fmt checks
 * this): exp3_of and si_compose only scale by these. */
static const double pow1000[15] = {1e-21, 1e-18, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 1e0,
                                   1e3,   1e6,   1e9,   1e12,  1e15,  1e18, 1e21};

/* 10^-e3 for e3 a multiple of 3 in [-21, 21]. */
static double pow10_neg(int e3) { return pow1000[7 - e3 / 3]; }

/* Exponent (multiple of 3) such that a / 10^e3 lies in [1, 1000); beyond
 * the SI prefixes (|e3| > 18) only "outside" matters, reported as +-1000. */
static int exp3_of(double a) {
    int e3 = (int)floor(log10(a) / 3.0) * 3;
    if (e3 > 21 || e3 < -21) return e3 > 0 ? 1000 : -1000; /* one step cannot reach +-18 */
    double scaled = a * pow10_neg(e3);
    if (scaled >= 1000.0) e3 += 3;
    else if (scaled < 1.0) e3 -= 3;
    return e3;
}

static const char *prefix_of(int e3) {
    static const char *const pos[] = {"", "k", "M", "G", "T", "P", "E"};
    static const char *const neg[] = {"", "m", "u", "n", "p", "f", "a"};
    if (e3 >= 0 && e3 <= 18) return pos[e3 / 3];
    if (e3 < 0 && e3 >= -18) return neg[-e3 / 3];
    return NULL;
}

static int digits_before_point(double scaled) {
    return scaled >= 100.0 ? 3 : scaled >= 10.0 ? 2 : 1;
}

/* "<sign><num><suffix>" into dst: the sign only when num is not "0". */
static int put_signed(char *dst, size_t cap, bool neg, const char *num, size_t len, const char *suffix) {
    char out[2 * TS_FMT_MAX];
    size_t k = 0;
    if (neg && !(len == 1 && num[0] == '0')) out[k++] = '-';
    memcpy(out + k, num, len);
    k += len;
    size_t sl = strlen(suffix);
    memcpy(out + k, suffix, sl + 1);
    return put(dst, cap, out);
}

/* SI text of |v| with a given exponent and decimals; handles rounding up
 * into the next prefix (999.96k -> 1M). dec < 0: from sig digits.
 * e3 is within the prefixes. */
static int si_compose(char *dst, size_t cap, double v, int e3, int dec, int sig) {
    double a = fabs(v);
    char num[TS_FMT_MAX];
    size_t len = 0;
    for (int pass = 0; pass < 2; pass++) {
        double scaled = a * pow10_neg(e3);
        int d = dec >= 0 ? dec : clampi(sig - digits_before_point(scaled), 0, 15);
        len = fixed_trim(num, sizeof num, scaled, d);
        /* The text is a plain non-negative decimal: it reads as >= 1000
         * exactly when it has 4 or more digits before the point (a double
         * below 1000 never prints as 999.99.. close enough to read back as
         * 1000 with at most 15 decimals). */
        const char *dot = memchr(num, '.', len);
        if ((dot ? (size_t)(dot - num) : len) < 4) break;
        if (prefix_of(e3 + 3) == NULL) {
            e3 = 1000; /* no larger prefix: use %g below */
            break;
        }
        e3 += 3;
        if (dec > 0) dec = clampi(dec - 3, 0, 15);
    }
    const char *p = prefix_of(e3);
    if (!p) {
        char out[2 * TS_FMT_MAX];
        snprintf(out, sizeof out, "%.*g", clampi(sig, 1, 15), v);
        return put(dst, cap, out);
    }
    return put_signed(dst, cap, v < 0, num, len, p);
}

int ts_fmt_si(char *dst, size_t cap, double v, int sig) {
    if (!isfinite(v)) return put_nonfinite(dst, cap, v);
    if (v == 0.0) return put(dst, cap, "0");
    sig = clampi(sig, 1, 15);
    int e3 = exp3_of(fabs(v));
    if (!prefix_of(e3)) {
        char out[TS_FMT_MAX];
        snprintf(out, sizeof out, "%.*g", sig, v);
        return put(dst, cap, out);
    }
    return si_compose(dst, cap, v, e3, -1, sig);
}

int ts_fmt_value(char *dst, size_t cap, double v, int sig) {
    if (!isfinite(v)) return put_nonfinite(dst, cap, v);
    if (v == 0.0) return put(dst, cap, "0");
    double a = fabs(v);
    if (a < 0.01 || a >= 1e4) return ts_fmt_si(dst, cap, v, sig);
    sig = clampi(sig, 1, 15);
    int int_digits = (int)floor(log10(a)) + 1;
    int dec = clampi(sig - int_digits, 0, 15);
    char num[TS_FMT_MAX];
    size_t len = fixed_trim(num, sizeof num, a, dec);
    return put_signed(dst, cap, v < 0, num, len, "");
}

int ts_fmt_tick(char *dst, size_t cap, double v, double step, double max_abs) {
    if (!isfinite(v)) return put_nonfinite(dst, cap, v);
    if (!(step > 0.0) || !isfinite(step)) return ts_fmt_value(dst, cap, v, 4);
    double a = fabs(v);
    if (a < step * 1e-9) return put(dst, cap, "0");
    int step_exp = (int)floor(log10(step) + 1e-9);
    if (max_abs >= 1e4 || max_abs < 1e-2) {
        int e3 = exp3_of(a);
        if (max_abs >= 1e4 && e3 < 0) e3 = 0;
        if (!prefix_of(e3)) {
            char out[TS_FMT_MAX];
            snprintf(out, sizeof out, "%.3g", v);
            return put(dst, cap, out);
        }
        return si_compose(dst, cap, v, e3, clampi(e3 - step_exp, 0, 15), 4);
    }
    char num[TS_FMT_MAX];
    size_t len = fixed_trim(num, sizeof num, a, clampi(-step_exp, 0, 12));
    return put_signed(dst, cap, v < 0, num, len, "");
}

int ts_fmt_duration(char *dst, size_t cap, double seconds) {
    if (!isfinite(seconds)) return put_nonfinite(dst, cap, seconds);
    const char *sign = seconds < 0 ? "-" : "";
    double s = fabs(seconds);
    char out[2 * TS_FMT_MAX];
    if (s == 0.0) return put(dst, cap, "0s");
    if (s < 1.0) {
        char num[TS_FMT_MAX];
        if (s < 0.001) {
            ts_fmt_si(num, sizeof num, s, 3);
            snprintf(out, sizeof out, "%s%ss", sign, num);
            return put(dst, cap, out);
        }
        fixed_trim(num, sizeof num, s * 1000.0, s < 0.01 ? 1 : 0);
        if (strtod(num, NULL) < 1000.0) {
            snprintf(out, sizeof out, "%s%sms", sign, num);
            return put(dst, cap, out);
        }
        s = 1.0;
    }
    if (s < 60.0) {
        char num[TS_FMT_MAX];
        fixed_trim(num, sizeof num, s, s < 10.0 ? 1 : 0);
        if (strtod(num, NULL) < 60.0) {
            snprintf(out, sizeof out, "%s%ss", sign, num);
            return put(dst, cap, out);
        }
        s = 60.0;
    }
    if (s >= 86400.0 * 1e6) {
        char num[TS_FMT_MAX];
        ts_fmt_si(num, sizeof num, s / 86400.0, 3);
        snprintf(out, sizeof out, "%s%sd", sign, num);
        return put(dst, cap, out);
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
        return put(dst, cap, out);
    }
}
