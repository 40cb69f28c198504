/* cellbuf.c - an in-memory grid of terminal cells that all drawing targets.
 * Layer: render (pure, no curses). License: MIT.
 *
 * Column widths come from a small built-in table (East Asian wide and
 * fullwidth ranges = 2, combining marks and zero-width format characters =
 * 0), so output never depends on the process locale. */
#include "trajscope/cellbuf.h"

#include <stdlib.h>
#include <string.h>

#include "trajscope/sanitize.h"
#include "trajscope/xalloc.h"

typedef struct Range {
    uint32_t lo, hi;
} Range;

/* East Asian Wide (W) and Fullwidth (F) blocks, simplified. Sorted. */
static const Range wide_ranges[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x3247},   {0x3250, 0x4DBF},   {0x4E00, 0xA4CF},   {0xA960, 0xA97F},
    {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF},
    {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
    {0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B}, {0x1F240, 0x1F248},
    {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F320}, {0x1F32D, 0x1F335},
    {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3},
    {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440},
    {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567},
    {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F},
    {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6D7},
    {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F93A},
    {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

/* Combining marks and zero-width format characters, simplified. Sorted. */
static const Range zero_ranges[] = {
    {0x0300, 0x036F},   {0x0483, 0x0489},   {0x0591, 0x05BD},   {0x05BF, 0x05BF},
    {0x05C1, 0x05C2},   {0x05C4, 0x05C5},   {0x05C7, 0x05C7},   {0x0610, 0x061A},
    {0x061C, 0x061C},   {0x064B, 0x065F},   {0x0670, 0x0670},   {0x06D6, 0x06DC},
    {0x06DF, 0x06E4},   {0x06E7, 0x06E8},   {0x06EA, 0x06ED},   {0x0711, 0x0711},
    {0x0730, 0x074A},   {0x07A6, 0x07B0},   {0x07EB, 0x07F3},   {0x0816, 0x0819},
    {0x081B, 0x0823},   {0x0825, 0x0827},   {0x0829, 0x082D},   {0x0859, 0x085B},
    {0x08D3, 0x08E1},   {0x08E3, 0x0902},   {0x093A, 0x093A},   {0x093C, 0x093C},
    {0x0941, 0x0948},   {0x094D, 0x094D},   {0x0951, 0x0957},   {0x0962, 0x0963},
    {0x0981, 0x0981},   {0x09BC, 0x09BC},   {0x09C1, 0x09C4},   {0x09CD, 0x09CD},
    {0x09E2, 0x09E3},   {0x0A01, 0x0A02},   {0x0A3C, 0x0A3C},   {0x0A41, 0x0A51},
    {0x0A70, 0x0A71},   {0x0A75, 0x0A75},   {0x0A81, 0x0A82},   {0x0ABC, 0x0ABC},
    {0x0AC1, 0x0AC8},   {0x0ACD, 0x0ACD},   {0x0B01, 0x0B01},   {0x0B3C, 0x0B3C},
    {0x0B3F, 0x0B3F},   {0x0B41, 0x0B44},   {0x0B4D, 0x0B4D},   {0x0BC0, 0x0BC0},
    {0x0BCD, 0x0BCD},   {0x0C3E, 0x0C40},   {0x0C46, 0x0C56},   {0x0CBC, 0x0CBC},
    {0x0CCC, 0x0CCD},   {0x0D41, 0x0D44},   {0x0D4D, 0x0D4D},   {0x0DCA, 0x0DCA},
    {0x0DD2, 0x0DD6},   {0x0E31, 0x0E31},   {0x0E34, 0x0E3A},   {0x0E47, 0x0E4E},
    {0x0EB1, 0x0EB1},   {0x0EB4, 0x0EBC},   {0x0EC8, 0x0ECD},   {0x0F18, 0x0F19},
    {0x0F35, 0x0F35},   {0x0F37, 0x0F37},   {0x0F39, 0x0F39},   {0x0F71, 0x0F7E},
    {0x0F80, 0x0F84},   {0x0F86, 0x0F87},   {0x0F8D, 0x0FBC},   {0x102D, 0x1030},
    {0x1032, 0x1037},   {0x1039, 0x103A},   {0x1160, 0x11FF},   {0x135D, 0x135F},
    {0x1712, 0x1714},   {0x17B4, 0x17B5},   {0x17B7, 0x17BD},   {0x17C6, 0x17C6},
    {0x17C9, 0x17D3},   {0x180B, 0x180F},   {0x1AB0, 0x1AFF},   {0x1DC0, 0x1DFF},
    {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},
    {0x20D0, 0x20F0},   {0x302A, 0x302D},   {0x3099, 0x309A},   {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F},   {0xFEFF, 0xFEFF},   {0x1D167, 0x1D169}, {0x1D173, 0x1D182},
    {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

static bool in_table(uint32_t cp, const Range *t, size_t n) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < t[mid].lo) hi = mid;
        else if (cp > t[mid].hi) lo = mid + 1;
        else return true;
    }
    return false;
}

/* Columns a (non-control) code point takes: 0, 1 or 2. */
static int cp_width(uint32_t cp) {
    if (cp < 0x0300) return 1;
    if (cp >= 0x2500 && cp <= 0x25FC) return 1; /* box drawing, blocks, shapes */
    if (cp >= 0x2800 && cp <= 0x28FF) return 1; /* braille */
    if (in_table(cp, zero_ranges, sizeof zero_ranges / sizeof zero_ranges[0])) return 0;
    if (in_table(cp, wide_ranges, sizeof wide_ranges / sizeof wide_ranges[0])) return 2;
    return 1;
}

static bool is_control(uint32_t cp) {
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

/* Decodes one UTF-8 character at s (s[0] != 0). Returns the bytes used
 * (>= 1); invalid sequences and control characters yield '?'. */
static size_t decode_clean(const unsigned char *s, uint32_t *cp) {
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = is_control(c) ? '?' : c;
        return 1;
    }
    if ((c & 0xe0) == 0xc0) { len = 2; v = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { len = 3; v = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { len = 4; v = c & 0x07; min = 0x10000; }
    else { *cp = '?'; return 1; }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) { *cp = '?'; return 1; }
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) { *cp = '?'; return 1; }
    *cp = is_control(v) ? '?' : v;
    return len;
}

void ts_cellbuf_init(TsCellBuf *b, int w, int h) {
    b->w = 0;
    b->h = 0;
    b->cells = NULL;
    ts_cellbuf_resize(b, w, h);
}

void ts_cellbuf_fini(TsCellBuf *b) {
    free(b->cells);
    b->cells = NULL;
    b->w = b->h = 0;
}

void ts_cellbuf_resize(TsCellBuf *b, int w, int h) {
    if (w < 0) w = 0;
    if (h < 0) h = 0;
    free(b->cells);
    b->cells = NULL;
    b->w = w;
    b->h = h;
    if (w > 0 && h > 0) b->cells = ts_xcalloc((size_t)w * (size_t)h, sizeof *b->cells);
    ts_cellbuf_clear(b, TS_STYLE_DEFAULT);
}

void ts_cellbuf_clear(TsCellBuf *b, TsStyle style) {
    size_t n = (size_t)b->w * (size_t)b->h;
    for (size_t i = 0; i < n; i++) {
        b->cells[i].cp = ' ';
        b->cells[i].style = style;
    }
}

static TsCell *cell_at(TsCellBuf *b, int x, int y) {
    if (x < 0 || y < 0 || x >= b->w || y >= b->h) return NULL;
    return &b->cells[(size_t)y * (size_t)b->w + (size_t)x];
}

/* Sets one cell, keeping wide characters whole: overwriting either half of
 * a wide character blanks its other half. */
static void put_cell(TsCellBuf *b, int x, int y, uint32_t cp, TsStyle style) {
    TsCell *c = cell_at(b, x, y);
    if (!c) return;
    if (c->cp == 0) { /* right half of a wide char: blank its left half */
        TsCell *left = cell_at(b, x - 1, y);
        if (left && left->cp != 0 && cp_width(left->cp) == 2) left->cp = ' ';
    } else if (cp_width(c->cp) == 2) {
        TsCell *right = cell_at(b, x + 1, y);
        if (right && right->cp == 0) right->cp = ' ';
    }
    c->cp = cp;
    c->style = style;
}

void ts_cellbuf_put(TsCellBuf *b, int x, int y, uint32_t cp, TsStyle style) {
    if (!cell_at(b, x, y)) return;
    if (cp != 0 && cp != ' ' && (is_control(cp) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
        cp = '?';
    int w = cp == 0 ? 1 : cp_width(cp);
    if (w == 0) return; /* a combining mark has no cell of its own */
    if (w == 2) {
        if (x + 1 >= b->w) { /* no room for the right half */
            put_cell(b, x, y, '?', style);
            return;
        }
        put_cell(b, x, y, cp, style);
        put_cell(b, x + 1, y, 0, style);
        /* put_cell on the right half may have blanked cp; restore it */
        cell_at(b, x, y)->cp = cp;
        return;
    }
    put_cell(b, x, y, cp, style);
}

void ts_cellbuf_fill(TsCellBuf *b, TsRect r, uint32_t cp, TsStyle style) {
    int x0 = r.x < 0 ? 0 : r.x, y0 = r.y < 0 ? 0 : r.y;
    int x1 = r.x + r.w > b->w ? b->w : r.x + r.w;
    int y1 = r.y + r.h > b->h ? b->h : r.y + r.h;
    if (x0 >= x1 || y0 >= y1) return;
    if (cp == ' ' || (cp > ' ' && cp < 0x7f)) {
        /* Narrow character: only the edge cells can split a wide one. */
        for (int y = y0; y < y1; y++) {
            put_cell(b, x0, y, cp, style);
            put_cell(b, x1 - 1, y, cp, style);
            TsCell *row = &b->cells[(size_t)y * (size_t)b->w];
            for (int x = x0 + 1; x < x1 - 1; x++) {
                row[x].cp = cp;
                row[x].style = style;
            }
        }
        return;
    }
    int step = cp != 0 && cp_width(cp) == 2 ? 2 : 1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x += step) {
            if (step == 2 && x + 1 >= x1) ts_cellbuf_put(b, x, y, ' ', style);
            else ts_cellbuf_put(b, x, y, cp, style);
        }
}

const TsCell *ts_cellbuf_at(const TsCellBuf *b, int x, int y) {
    if (x < 0 || y < 0 || x >= b->w || y >= b->h) return NULL;
    return &b->cells[(size_t)y * (size_t)b->w + (size_t)x];
}

int ts_cellbuf_put_str(TsCellBuf *b, int x, int y, int max_w, const char *utf8, TsStyle style) {
    if (!utf8 || y < 0 || y >= b->h) return 0;
    int limit = b->w - x;
    if (max_w >= 0 && max_w < limit) limit = max_w;
    if (limit <= 0) return 0;
    const unsigned char *s = (const unsigned char *)utf8;
    int used = 0;
    while (*s) {
        uint32_t cp;
        s += decode_clean(s, &cp);
        int w = cp_width(cp);
        if (w == 0) continue;
        if (used + w > limit) break;
        if (x + used >= 0) ts_cellbuf_put(b, x + used, y, cp, style);
        else if (w == 2 && x + used + 1 == 0) ts_cellbuf_put(b, 0, y, ' ', style);
        used += w;
    }
    return used;
}

int ts_text_width(const char *utf8) {
    if (!utf8) return 0;
    const unsigned char *s = (const unsigned char *)utf8;
    int w = 0;
    while (*s) {
        uint32_t cp;
        s += decode_clean(s, &cp);
        w += cp_width(cp);
    }
    return w;
}

char *ts_cellbuf_to_text(const TsCellBuf *b) {
    size_t cap = (size_t)b->w * (size_t)b->h * 4 + (size_t)b->h + 1;
    char *out = ts_xmalloc(cap);
    size_t len = 0;
    for (int y = 0; y < b->h; y++) {
        size_t keep = len;
        bool prev_wide = false;
        for (int x = 0; x < b->w; x++) {
            uint32_t cp = b->cells[(size_t)y * (size_t)b->w + (size_t)x].cp;
            if (cp == 0 && prev_wide) { prev_wide = false; continue; }
            if (cp == 0) cp = ' ';
            prev_wide = cp_width(cp) == 2;
            len += ts_utf8_encode(cp, out + len);
            if (cp != ' ') keep = len;
        }
        len = keep;
        out[len++] = '\n';
    }
    out[len] = '\0';
    return out;
}
