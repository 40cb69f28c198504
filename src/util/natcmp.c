/* natcmp.c - natural order of names: "run2" before "run10".
 * Layer: util. License: MIT. */
#include "trajscope/natcmp.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static int compare(const char *a, const char *b, bool fold) {
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *q) {
        if (isdigit(*p) && isdigit(*q)) {
            const unsigned char *p0 = p, *q0 = q;
            while (*p0 == '0' && isdigit(p0[1])) p0++;
            while (*q0 == '0' && isdigit(q0[1])) q0++;
            const unsigned char *p1 = p0, *q1 = q0;
            while (isdigit(*p1)) p1++;
            while (isdigit(*q1)) q1++;
            size_t lp = (size_t)(p1 - p0), lq = (size_t)(q1 - q0);
            if (lp != lq) return lp < lq ? -1 : 1;
            int c = memcmp(p0, q0, lp);
            if (c != 0) return c < 0 ? -1 : 1;
            /* Equal numbers: fewer leading zeros first, then go on. */
            if ((p0 - p) != (q0 - q)) return (p0 - p) < (q0 - q) ? -1 : 1;
            p = p1;
            q = q1;
            continue;
        }
        int x = fold ? tolower(*p) : *p, y = fold ? tolower(*q) : *q;
        if (x != y) return x < y ? -1 : 1;
        p++;
        q++;
    }
    return *p ? 1 : *q ? -1 : 0;
}

int ts_natural_cmp(const char *a, const char *b) {
    return compare(a, b, false);
}

int ts_natural_cmp_fold(const char *a, const char *b) {
    a = a ? a : "";
    b = b ? b : "";
    int c = compare(a, b, true);
    return c ? c : compare(a, b, false);
}

bool ts_contains_fold(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    if (n == 0) return true;
    for (const char *p = hay; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && tolower((unsigned char)p[k]) == tolower((unsigned char)needle[k])) k++;
        if (k == n) return true;
    }
    return false;
}
