/* theme.h - colours and attributes of every TsStyle, from the themes/ INI files.
 * Layer: tui (pure: parsing and colour maths, no curses). License: MIT.
 *
 * A theme file has one line per style name of style.h:
 *
 *     plot.axis = fg:#5e81ac bg:default bold
 *
 * Colours: default (the terminal's), #rrggbb, 0..255 (palette index) or
 * a name (black red green yellow blue magenta cyan white, bright-black ..
 * bright-white). Attributes: bold dim underline reverse italic, or none.
 * Styles a file leaves out inherit from the stock "default" theme; an
 * unknown style name, colour or attribute is an error "FILE:LINE: ...".
 *
 * The four stock themes (default, light, colorblind, mono) are compiled
 * in (themes_builtin.c, kept identical to the themes/ files by a unit test);
 * user themes live in $XDG_CONFIG_HOME/trajscope/themes/NAME.ini. */
#ifndef TRAJSCOPE_TUI_THEME_H
#define TRAJSCOPE_TUI_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trajscope/err.h"
#include "trajscope/style.h"

typedef enum TsColourKind { TS_COLOUR_DEFAULT = 0, TS_COLOUR_INDEX, TS_COLOUR_RGB } TsColourKind;

typedef struct TsColour {
    TsColourKind kind;
    uint32_t value; /* palette index 0..255, or 0xRRGGBB */
} TsColour;

enum {
    TS_ATTR_BOLD = 1u << 0,
    TS_ATTR_DIM = 1u << 1,
    TS_ATTR_UNDERLINE = 1u << 2,
    TS_ATTR_REVERSE = 1u << 3,
    TS_ATTR_ITALIC = 1u << 4,
};

typedef struct TsThemeStyle {
    TsColour fg, bg;
    unsigned attrs; /* TS_ATTR_* */
} TsThemeStyle;

typedef struct TsTheme {
    char name[64];
    TsThemeStyle style[TS_STYLE_COUNT];
} TsTheme;

/* ---- stock themes (themes_builtin.c) ---- */
size_t ts_theme_builtin_count(void);
/* Name and INI text of the i-th stock theme (static strings); NULL when
 * out of range. */
const char *ts_theme_builtin_name(size_t i);
const char *ts_theme_builtin_text(size_t i);
/* INI text of the stock theme called name, or NULL. */
const char *ts_theme_builtin_find(const char *name);

/* ---- parsing ---- */

/* Parses INI text over base (NULL: every style the terminal default).
 * source names the text in errors ("light.ini"). On error out is left
 * partly filled and err holds "SOURCE:LINE: problem". */
bool ts_theme_parse(const char *text, const char *source, const TsTheme *base, TsTheme *out,
                    TsErr *err);
/* Parses one style value ("fg:#5e81ac bg:default bold"). On error, err
 * holds the problem without a location. */
bool ts_theme_parse_style(const char *value, TsThemeStyle *out, TsErr *err);
/* The stock default theme (never fails). */
void ts_theme_default(TsTheme *out);
/* Loads a theme by name: a path (contains '/' or ends in ".ini"), else
 * $XDG_CONFIG_HOME/trajscope/themes/NAME.ini (or ~/.config/...) when that
 * file exists, else the stock theme of that name. Missing styles inherit
 * from the stock default. */
bool ts_theme_load(const char *name, TsTheme *out, TsErr *err);

/* ---- colours for a terminal ---- */

/* Resolved style for a terminal with `colours` colours (0 = none, 8, 16,
 * 256, or >= 0x1000000 for direct colour): fg/bg are colour numbers of
 * that terminal or -1 for the default colour. */
typedef struct TsTermStyle {
    int fg, bg;
    unsigned attrs;
} TsTermStyle;

void ts_theme_resolve(const TsTheme *t, int colours, TsTermStyle out[TS_STYLE_COUNT]);
/* Nearest xterm-256 palette index (16..255) to an RGB colour. */
int ts_colour_rgb_to_256(uint32_t rgb);
/* Nearest of the 8 (n = 8) or 16 (n = 16) ANSI colours, by hue for
 * saturated colours and by lightness for greys. */
int ts_colour_rgb_to_ansi(uint32_t rgb, int n);
/* The RGB value of an xterm-256 palette index. */
uint32_t ts_colour_index_rgb(int index);

#endif
