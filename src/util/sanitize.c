/* sanitize.c - make names and labels from files safe for a terminal.
 * Layer: util. License: MIT.
 *
 * A hand-rolled UTF-8 decoder on purpose: it must reject overlong forms,
 * surrogates and stray continuation bytes so nothing slips past as an
 * escape sequence, and it must not depend on the locale. */
#include "trajscope/sanitize.h"

#include <stdint.h>
#include <string.h>

#include "trajscope/xalloc.h"

/* Decodes one UTF-8 sequence at s; returns its length (1..4) and the code
 * point, or 0 when the bytes are not valid UTF-8. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp) {
    unsigned char c = s[0];
    if (c < 0x80) { *cp = c; return 1; }
    size_t len;
    uint32_t v, min;
    if ((c & 0xe0) == 0xc0) { len = 2; v = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { len = 3; v = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { len = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return len;
}

static bool is_control(uint32_t cp) {
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

size_t ts_sanitize(char *dst, size_t cap, const char *src) {
    if (cap == 0) return 0;
    const unsigned char *s = (const unsigned char *)src;
    size_t out = 0;
    while (*s) {
        uint32_t cp;
        size_t len = utf8_decode(s, &cp);
        const char *piece = (const char *)s;
        size_t piece_len = len;
        if (len == 0 || is_control(cp)) {
            piece = "?";
            piece_len = 1;
            if (len == 0) len = 1;
        }
        if (out + piece_len + 1 > cap) break;
        memcpy(dst + out, piece, piece_len);
        out += piece_len;
        s += len;
    }
    dst[out] = '\0';
    return out;
}

char *ts_sanitize_dup(const char *src) {
    size_t cap = strlen(src) + 1; /* replacements never grow the text */
    char *dst = ts_xmalloc(cap);
    ts_sanitize(dst, cap, src);
    return dst;
}

size_t ts_utf8_encode(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

bool ts_is_clean(const char *src) {
    const unsigned char *s = (const unsigned char *)src;
    while (*s) {
        uint32_t cp;
        size_t len = utf8_decode(s, &cp);
        if (len == 0 || is_control(cp)) return false;
        s += len;
    }
    return true;
}
