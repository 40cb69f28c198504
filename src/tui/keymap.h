/* keymap.h - keys, key specs ("q", "<C-l>", "<S-Tab>") and key -> action.
 * Layer: tui (pure, no curses: term.c translates curses keys to TsKey).
 * License: MIT.
 *
 * A TsKey is a Unicode code point for ordinary keys (control keys are
 * their C0 code: Tab 9, Enter 13, Esc 27, Backspace 127, Ctrl-A..Z 1..26)
 * or one of the TS_KEY_* codes above U+10FFFF for special keys.
 *
 * Key spec syntax (config file `bind`, the action table's default keys):
 * one character ("q", "<", ">", ",") or a name in angle brackets: <Space>
 * <Tab> <S-Tab> <Enter> <Esc> <BS> <Del> <Ins> <Left> <Right> <Up> <Down>
 * <S-Left> <S-Right> <Home> <End> <PageUp> <PageDown> <F1>..<F12> <lt>
 * <gt> <C-a>..<C-z>. Names are case-insensitive except the letter of
 * <C-x>, which may be either case. */
#ifndef TRAJSCOPE_TUI_KEYMAP_H
#define TRAJSCOPE_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/action.h"

typedef int32_t TsKey;

#define TS_KEY_SPECIAL_BASE 0x110000
#define TS_KEY_SPECIAL_LIST(X)  \
    X(LEFT, "Left")             \
    X(RIGHT, "Right")           \
    X(UP, "Up")                 \
    X(DOWN, "Down")             \
    X(SLEFT, "S-Left")          \
    X(SRIGHT, "S-Right")        \
    X(HOME, "Home")             \
    X(END, "End")               \
    X(PAGEUP, "PageUp")         \
    X(PAGEDOWN, "PageDown")     \
    X(INSERT, "Ins")            \
    X(DELETE, "Del")            \
    X(BACKTAB, "S-Tab")         \
    X(F1, "F1")                 \
    X(F2, "F2")                 \
    X(F3, "F3")                 \
    X(F4, "F4")                 \
    X(F5, "F5")                 \
    X(F6, "F6")                 \
    X(F7, "F7")                 \
    X(F8, "F8")                 \
    X(F9, "F9")                 \
    X(F10, "F10")               \
    X(F11, "F11")               \
    X(F12, "F12")

enum {
    TS_KEY_NONE = -1,
    TS_KEY_TAB = 9,
    TS_KEY_ENTER = 13,
    TS_KEY_ESC = 27,
    TS_KEY_SPACE = 32,
    TS_KEY_BACKSPACE = 127,
    TS_KEY_SPECIAL_FIRST_ = TS_KEY_SPECIAL_BASE - 1,
#define TS_KEY_ENUM(id, name) TS_KEY_##id,
    TS_KEY_SPECIAL_LIST(TS_KEY_ENUM)
#undef TS_KEY_ENUM
    TS_KEY_SPECIAL_END_,
    /* Not bindable: delivered by term.c as events. */
    TS_KEY_RESIZE = TS_KEY_SPECIAL_BASE + 0x100,
    TS_KEY_MOUSE,
};

/* Parses one key spec; false when it is not a valid key. */
bool ts_key_parse(const char *spec, TsKey *out);
/* Writes the canonical spec of key ("q", "<C-l>", "<Space>", "<lt>"...).
 * Unknown keys are written as "<U+XXXX>". */
void ts_key_format(TsKey key, char *buf, size_t cap);
/* A readable form for the help screen: like ts_key_format, but '<' and
 * '>' are shown as themselves. */
void ts_key_display(TsKey key, char *buf, size_t cap);

typedef struct TsKeyBinding {
    TsKey key;
    TsAction action;
} TsKeyBinding;

typedef struct TsKeymap {
    size_t n, cap;
    TsKeyBinding *b; /* in binding order; one entry per key */
} TsKeymap;

/* An empty keymap. */
void ts_keymap_init(TsKeymap *km);
/* The keymap with every default key of TS_ACTION_LIST bound. */
void ts_keymap_init_defaults(TsKeymap *km);
void ts_keymap_fini(TsKeymap *km);
/* Binds key to action, replacing any earlier binding of that key.
 * TS_ACTION_NONE unbinds. */
void ts_keymap_bind(TsKeymap *km, TsKey key, TsAction action);
/* TS_ACTION_NONE when the key is not bound. */
TsAction ts_keymap_lookup(const TsKeymap *km, TsKey key);
/* The keys bound to action, in binding order: writes up to cap of them to
 * out and returns how many there are. */
size_t ts_keymap_keys_for(const TsKeymap *km, TsAction action, TsKey *out, size_t cap);
/* The display forms of the keys bound to action, separated by spaces
 * ("h Left"), or "(unbound)". */
void ts_keymap_describe(const TsKeymap *km, TsAction action, char *buf, size_t cap);

#endif
