/* keymap.c - key spec parsing and the key -> action table.
 * Layer: tui (pure, no curses). License: MIT. */
#include "tui/keymap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trajscope/xalloc.h"

typedef struct KeyName {
    const char *name;
    TsKey key;
} KeyName;

/* Canonical name first for each key. */
static const KeyName names[] = {
    {"Space", TS_KEY_SPACE},
    {"Tab", TS_KEY_TAB},
    {"Enter", TS_KEY_ENTER},
    {"CR", TS_KEY_ENTER},
    {"Return", TS_KEY_ENTER},
    {"Esc", TS_KEY_ESC},
    {"Escape", TS_KEY_ESC},
    {"BS", TS_KEY_BACKSPACE},
    {"Backspace", TS_KEY_BACKSPACE},
    {"lt", '<'},
    {"gt", '>'},
#define TS_KEY_NAME_ROW(id, name) {name, TS_KEY_##id},
    TS_KEY_SPECIAL_LIST(TS_KEY_NAME_ROW)
#undef TS_KEY_NAME_ROW
    {"Delete", TS_KEY_DELETE},
    {"Insert", TS_KEY_INSERT},
    {"PgUp", TS_KEY_PAGEUP},
    {"PgDn", TS_KEY_PAGEDOWN},
    {"BackTab", TS_KEY_BACKTAB},
};

/* Decodes one UTF-8 character that makes up the whole of s; -1 otherwise. */
static int32_t single_utf8(const char *s) {
    const unsigned char *u = (const unsigned char *)s;
    int32_t cp;
    size_t len;
    if (u[0] < 0x80) {
        cp = u[0];
        len = 1;
    } else if ((u[0] & 0xe0) == 0xc0) {
        cp = u[0] & 0x1f;
        len = 2;
    } else if ((u[0] & 0xf0) == 0xe0) {
        cp = u[0] & 0x0f;
        len = 3;
    } else if ((u[0] & 0xf8) == 0xf0) {
        cp = u[0] & 0x07;
        len = 4;
    } else {
        return -1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xc0) != 0x80) return -1;
        cp = (cp << 6) | (u[i] & 0x3f);
    }
    if (u[len] != '\0') return -1;
    static const int32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
    return cp;
}

bool ts_key_parse(const char *spec, TsKey *out) {
    if (!spec || !spec[0]) return false;
    size_t len = strlen(spec);
    if (spec[0] == '<' && len > 2 && spec[len - 1] == '>') {
        char inner[32];
        if (len - 2 >= sizeof inner) return false;
        memcpy(inner, spec + 1, len - 2);
        inner[len - 2] = '\0';
        if ((inner[0] == 'C' || inner[0] == 'c') && inner[1] == '-' && inner[2] && !inner[3]) {
            int c = (unsigned char)inner[2];
            if (isalpha(c)) {
                *out = (TsKey)(toupper(c) - '@');
                return true;
            }
            if (c == '@' || c == '[' || c == '\\' || c == ']' || c == '^' || c == '_') {
                *out = (TsKey)(c - '@');
                return true;
            }
            if (c == '?') {
                *out = TS_KEY_BACKSPACE;
                return true;
            }
            return false;
        }
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (strcasecmp(inner, names[i].name) == 0) {
                *out = names[i].key;
                return true;
            }
        }
        return false;
    }
    int32_t cp = single_utf8(spec);
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) return false; /* use <C-x> etc. */
    *out = cp;
    return true;
}

static const char *special_name(TsKey key) {
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].key == key) return names[i].name;
    return NULL;
}

static void put_utf8(char *buf, size_t cap, int32_t cp) {
    char tmp[5];
    size_t n;
    if (cp < 0x80) {
        tmp[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        tmp[0] = (char)(0xc0 | (cp >> 6));
        tmp[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        tmp[0] = (char)(0xe0 | (cp >> 12));
        tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        tmp[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        tmp[0] = (char)(0xf0 | (cp >> 18));
        tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        tmp[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    tmp[n] = '\0';
    snprintf(buf, cap, "%s", tmp);
}

void ts_key_format(TsKey key, char *buf, size_t cap) {
    if (cap == 0) return;
    const char *name = special_name(key);
    if (name) {
        snprintf(buf, cap, "<%s>", name);
    } else if (key >= 1 && key <= 31) {
        snprintf(buf, cap, "<C-%c>", (char)(key + '@' + (key >= 1 && key <= 26 ? 32 : 0)));
    } else if (key > 32 && key <= 0x10ffff && key != 0x7f && !(key >= 0x80 && key < 0xa0)) {
        put_utf8(buf, cap, key);
    } else {
        snprintf(buf, cap, "<U+%04X>", (unsigned)key);
    }
}

void ts_key_display(TsKey key, char *buf, size_t cap) {
    if (cap == 0) return;
    if (key == '<' || key == '>') {
        snprintf(buf, cap, "%c", (char)key);
        return;
    }
    if (key >= 1 && key <= 26 && key != TS_KEY_TAB && key != TS_KEY_ENTER) {
        snprintf(buf, cap, "Ctrl-%c", (char)(key + '@'));
        return;
    }
    const char *name = special_name(key);
    if (name) {
        snprintf(buf, cap, "%s", name);
        return;
    }
    ts_key_format(key, buf, cap);
}

void ts_keymap_init(TsKeymap *km) {
    km->n = km->cap = 0;
    km->b = NULL;
}

void ts_keymap_init_defaults(TsKeymap *km) {
    ts_keymap_init(km);
    for (int a = TS_ACTION_NONE + 1; a < TS_ACTION_COUNT; a++) {
        const char *keys = ts_action_default_keys((TsAction)a);
        char spec[32];
        const char *p = keys;
        while (*p) {
            while (*p == ' ') p++;
            size_t len = strcspn(p, " ");
            if (len == 0) break;
            if (len < sizeof spec) {
                memcpy(spec, p, len);
                spec[len] = '\0';
                TsKey key;
                if (ts_key_parse(spec, &key)) ts_keymap_bind(km, key, (TsAction)a);
            }
            p += len;
        }
    }
}

void ts_keymap_fini(TsKeymap *km) {
    free(km->b);
    ts_keymap_init(km);
}

void ts_keymap_bind(TsKeymap *km, TsKey key, TsAction action) {
    for (size_t i = 0; i < km->n; i++) {
        if (km->b[i].key != key) continue;
        if (action == TS_ACTION_NONE) {
            memmove(&km->b[i], &km->b[i + 1], (km->n - i - 1) * sizeof km->b[0]);
            km->n--;
        } else {
            km->b[i].action = action;
        }
        return;
    }
    if (action == TS_ACTION_NONE) return;
    if (km->n == km->cap) {
        km->cap = km->cap ? km->cap * 2 : 64;
        km->b = ts_xreallocarray(km->b, km->cap, sizeof km->b[0]);
    }
    km->b[km->n++] = (TsKeyBinding){key, action};
}

TsAction ts_keymap_lookup(const TsKeymap *km, TsKey key) {
    for (size_t i = 0; i < km->n; i++)
        if (km->b[i].key == key) return km->b[i].action;
    return TS_ACTION_NONE;
}

size_t ts_keymap_keys_for(const TsKeymap *km, TsAction action, TsKey *out, size_t cap) {
    size_t count = 0;
    for (size_t i = 0; i < km->n; i++) {
        if (km->b[i].action != action) continue;
        if (count < cap) out[count] = km->b[i].key;
        count++;
    }
    return count;
}

void ts_keymap_describe(const TsKeymap *km, TsAction action, char *buf, size_t cap) {
    if (cap == 0) return;
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < km->n; i++) {
        if (km->b[i].action != action) continue;
        char one[32];
        ts_key_display(km->b[i].key, one, sizeof one);
        int w = snprintf(buf + used, cap - used, "%s%s", used ? " " : "", one);
        if (w < 0 || (size_t)w >= cap - used) break;
        used += (size_t)w;
    }
    if (used == 0) snprintf(buf, cap, "(unbound)");
}
