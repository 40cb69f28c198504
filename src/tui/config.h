/* config.h - the explorer's settings and its config file language.
 * Layer: tui (pure parsing, no curses). License: MIT.
 *
 * $XDG_CONFIG_HOME/trajscope/config (else ~/.config/trajscope/config) holds
 * one command per line; '#' starts a comment line:
 *
 *     set theme light
 *     set smoothing ema 0.6
 *     set log-y on
 *     bind l cursor-right
 *     unbind x
 *
 * Options are listed in TS_OPTION_LIST (the help screen and docs/KEYS.md
 * show them); actions for `bind` in TS_ACTION_LIST (action.h). A bad line
 * is skipped and reported as "FILE:LINE: problem"; the explorer still
 * starts and shows the first error on the status line. */
#ifndef TRAJSCOPE_TUI_CONFIG_H
#define TRAJSCOPE_TUI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "trajscope/canvas.h"
#include "trajscope/err.h"
#include "trajscope/smooth.h"
#include "tui/keymap.h"

/* Columns: id, name, value syntax, help. */
#define TS_OPTION_LIST(X)                                                                  \
    X(THEME, "theme", "NAME", "colour theme: default, light, colorblind, mono, or a file")  \
    X(SMOOTHING, "smoothing", "METHOD [WEIGHT]",                                           \
      "off, ema, ema-time, gaussian or median; weight 0..0.999")                           \
    X(LOG_X, "log-x", "on|off", "logarithmic x axis at start")                              \
    X(LOG_Y, "log-y", "on|off", "logarithmic y axis at start")                              \
    X(X_AXIS, "x-axis", "step|wall|relative", "x axis at start")                            \
    X(OVERLAY, "overlay", "on|off", "all metrics in one panel instead of stacked panels")   \
    X(LIST, "list", "on|off", "show the metric list at start")                              \
    X(LIST_WIDTH, "list-width", "COLUMNS", "width of the metric list (14..60)")            \
    X(SHOW, "show", "N", "how many metrics are shown at start (0..16)")                     \
    X(CANVAS, "canvas", "braille|block|ascii", "how curves are drawn (ascii without UTF-8)")  \
    X(MOUSE, "mouse", "on|off", "mouse clicks move the cursor, the wheel zooms")           \
    X(FOLLOW, "follow", "on|off", "re-read files still being written every 2 s")

typedef enum TsOption {
#define TS_OPTION_ENUM(id, name, syntax, help) TS_OPTION_##id,
    TS_OPTION_LIST(TS_OPTION_ENUM)
#undef TS_OPTION_ENUM
    TS_OPTION_COUNT
} TsOption;

typedef enum TsXAxis { TS_XAXIS_STEP = 0, TS_XAXIS_WALL, TS_XAXIS_RELATIVE, TS_XAXIS_COUNT } TsXAxis;

/* "step", "wall", "relative"; NULL when out of range. */
const char *ts_xaxis_name(TsXAxis x);

typedef struct TsSettings {
    char theme[256];
    TsSmoothMethod smoothing;
    double smooth_weight; /* 0..0.999 */
    bool log_x, log_y;
    TsXAxis x_axis;
    bool overlay, list, mouse, follow;
    TsCanvasMode canvas;
    int list_width;
    int show; /* metrics shown at start */
} TsSettings;

/* The built-in defaults: theme "default", smoothing off (weight 0.6),
 * linear axes, x = step, stacked panels, list shown (24 columns), four
 * metrics shown, braille canvas, mouse on, follow off. */
void ts_settings_default(TsSettings *s);

/* Option metadata; NULL when out of range. */
const char *ts_option_name(TsOption o);
const char *ts_option_syntax(TsOption o);
const char *ts_option_help(TsOption o);

/* Sets one option from its text value ("ema 0.6", "on"). Returns false
 * with err set to the problem (no location) when the name or the value is
 * bad; s is unchanged then. */
bool ts_settings_set(TsSettings *s, const char *name, const char *value, TsErr *err);

/* Runs config text: set, bind, unbind. Bad lines are skipped. Returns the
 * number of bad lines; the first one's message ("SOURCE:LINE: problem")
 * goes to first_err. */
size_t ts_config_parse(const char *text, const char *source, TsSettings *s, TsKeymap *km,
                       TsErr *first_err);

/* The user's config path ($XDG_CONFIG_HOME/trajscope/config, else
 * $HOME/.config/trajscope/config) into buf; false when neither variable
 * is set. */
bool ts_config_path(char *buf, size_t cap);

/* Reads and runs a config file. A missing file at the default path is not
 * an error (pass must_exist = false); returns the number of problems, the
 * first in first_err. */
size_t ts_config_load(const char *path, bool must_exist, TsSettings *s, TsKeymap *km,
                      TsErr *first_err);

#endif
