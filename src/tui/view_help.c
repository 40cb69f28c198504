/* view_help.c - the help screen, generated from the action table, the
 * current keymap and the option table.
 * Layer: tui (draws into a TsCellBuf; no curses). License: MIT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

#include "tui/app_priv.h"

typedef struct HelpLine {
    const char *key;  /* left column (NULL: a heading or plain line) */
    char keybuf[64];
    const char *text;
    TsStyle style;
} HelpLine;

/* Fills lines (when not NULL) and returns how many there are. */
static int help_lines(const TsApp *app, HelpLine *lines) {
    int n = 0;
#define LINE(k, t, st)                                      \
    do {                                                    \
        if (lines) {                                        \
            lines[n].key = (k);                             \
            lines[n].text = (t);                            \
            lines[n].style = (st);                          \
        }                                                   \
        n++;                                                \
    } while (0)
    LINE(NULL, "trajscope explorer: keys (? or q or Esc closes this help; j/k scroll)", TS_STYLE_TITLE);
    const char *group = NULL;
    for (int a = TS_ACTION_NONE + 1; a < TS_ACTION_COUNT; a++) {
        const char *g = ts_action_group((TsAction)a);
        if (!group || strcmp(g, group) != 0) {
            LINE(NULL, "", TS_STYLE_HELP_TEXT);
            LINE(NULL, g, TS_STYLE_TITLE);
            group = g;
        }
        if (lines) ts_keymap_describe(&app->km, (TsAction)a, lines[n].keybuf, sizeof lines[n].keybuf);
        LINE(lines ? lines[n].keybuf : "", ts_action_help((TsAction)a), TS_STYLE_HELP_TEXT);
    }
    LINE(NULL, "", TS_STYLE_HELP_TEXT);
    LINE(NULL, "Mouse", TS_STYLE_TITLE);
    LINE("click", "put the time cursor there (in the list: select)", TS_STYLE_HELP_TEXT);
    LINE("wheel", "zoom in or out around the pointer", TS_STYLE_HELP_TEXT);
    LINE(NULL, "", TS_STYLE_HELP_TEXT);
    LINE(NULL, "Marks panel (M) and prompts", TS_STYLE_TITLE);
    LINE("j k g G Enter", "move in the marks panel; Enter jumps to the mark (e, D, u act on it; Esc closes)",
         TS_STYLE_HELP_TEXT);
    LINE("Enter Esc C-u", "label and export prompts: accept, cancel, clear the line", TS_STYLE_HELP_TEXT);
    LINE(NULL, "Marks are saved at once in RUN.marks.json (or $XDG_DATA_HOME/trajscope/marks/ when the run's",
         TS_STYLE_HELP_TEXT);
    LINE(NULL, "folder is not writable); change points follow the y axis (log-y: log values).", TS_STYLE_HELP_TEXT);
    LINE(NULL, "", TS_STYLE_HELP_TEXT);
    LINE(NULL, "Config file: $XDG_CONFIG_HOME/trajscope/config (set OPTION VALUE, bind KEY ACTION, unbind KEY)",
         TS_STYLE_TITLE);
    for (int o = 0; o < TS_OPTION_COUNT; o++) {
        if (lines) snprintf(lines[n].keybuf, sizeof lines[n].keybuf, "%s %s", ts_option_name((TsOption)o),
                            ts_option_syntax((TsOption)o));
        LINE(lines ? lines[n].keybuf : "", ts_option_help((TsOption)o), TS_STYLE_HELP_TEXT);
    }
    LINE(NULL, "", TS_STYLE_HELP_TEXT);
    LINE(NULL, "The status line reads the exact logged values at the logged step nearest the cursor;", TS_STYLE_HELP_TEXT);
    LINE(NULL, "~x is the smoothed value, @N a metric's own nearest step when it differs.", TS_STYLE_HELP_TEXT);
    LINE(NULL, "", TS_STYLE_HELP_TEXT);
    LINE(NULL, "Several runs: the run list (R) has the keys j k Space Enter until w gives them to the metric list;",
         TS_STYLE_HELP_TEXT);
    LINE(NULL, "a run keeps its colour whatever is selected; 'live' marks a file still growing (follow mode, F).",
         TS_STYLE_HELP_TEXT);
    LINE(NULL, "Seed bands interpolate onto a common grid when the runs' steps differ (the legend says so).",
         TS_STYLE_HELP_TEXT);
#undef LINE
    return n;
}

int view_help_lines(const TsApp *app) {
    return help_lines(app, NULL);
}

void view_help_draw(const TsApp *app, TsCellBuf *buf, TsRect r) {
    ts_cellbuf_fill(buf, r, ' ', TS_STYLE_HELP_TEXT);
    int n = help_lines(app, NULL);
    HelpLine *lines = ts_xcalloc((size_t)n, sizeof *lines);
    help_lines(app, lines);
    int key_w = 0;
    for (int i = 0; i < n; i++)
        if (lines[i].key && ts_text_width(lines[i].key) > key_w) key_w = ts_text_width(lines[i].key);
    if (key_w > r.w / 2) key_w = r.w / 2;
    for (int row = 0; row < r.h; row++) {
        int i = app->help_top + row;
        if (i >= n) break;
        const HelpLine *l = &lines[i];
        int y = r.y + row;
        if (l->key) {
            ts_cellbuf_put_str(buf, r.x + 2, y, key_w, l->key, TS_STYLE_HELP_KEY);
            ts_cellbuf_put_str(buf, r.x + 4 + key_w, y, r.w - key_w - 4, l->text, l->style);
        } else {
            ts_cellbuf_put_str(buf, r.x + 1, y, r.w - 1, l->text, l->style);
        }
    }
    free(lines);
}
