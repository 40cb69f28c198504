/* keysdoc.c - docs/KEYS.md, generated from the action and option tables.
 * Layer: tui (pure). License: MIT. */
#include "tui/keysdoc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"
#include "tui/action.h"
#include "tui/config.h"
#include "tui/keymap.h"

typedef struct Buf {
    char *s;
    size_t len, cap;
} Buf;

static void put(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0;
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = ts_xreallocarray(b->s, b->cap, 1);
    }
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* A key for a Markdown table cell: in backticks, '|' escaped. */
static void put_keys(Buf *b, const TsKeymap *km, TsAction a) {
    TsKey keys[8];
    size_t n = ts_keymap_keys_for(km, a, keys, 8);
    for (size_t i = 0; i < n && i < 8; i++) {
        char d[32];
        ts_key_display(keys[i], d, sizeof d);
        put(b, "%s`%s`", i ? " " : "", strcmp(d, "|") == 0 ? "\\|" : d);
    }
}

char *ts_keys_markdown(void) {
    Buf b = {NULL, 0, 0};
    TsKeymap km;
    ts_keymap_init_defaults(&km);
    put(&b, "# trajscope explorer: keys and config\n\n"
            "<!-- Generated from TS_ACTION_LIST (src/tui/action.h) and TS_OPTION_LIST\n"
            "     (src/tui/config.h) by `trajscope --keys-markdown > docs/KEYS.md`;\n"
            "     test_keymap fails when this file is out of date. -->\n\n"
            "`trajscope FILE|DIR...` opens the explorer. Press `?` inside for this list\n"
            "with your own bindings. The status line shows `step N` (the logged step\n"
            "nearest the time cursor) and the exact logged value of every shown metric\n"
            "there; `~x` is the smoothed value and `@N` a metric's own nearest step when\n"
            "it differs.\n");
    const char *group = NULL;
    for (int a = TS_ACTION_NONE + 1; a < TS_ACTION_COUNT; a++) {
        const char *g = ts_action_group((TsAction)a);
        if (!group || strcmp(g, group) != 0) {
            put(&b, "\n## %s\n\n| Keys | Action (config name) | What it does |\n|---|---|---|\n", g);
            group = g;
        }
        put(&b, "| ");
        put_keys(&b, &km, (TsAction)a);
        put(&b, " | `%s` | %s |\n", ts_action_name((TsAction)a), ts_action_help((TsAction)a));
    }
    put(&b, "\n## Mouse\n\n"
            "A click in the plot puts the time cursor there; a click in the metric list\n"
            "selects the metric. The wheel zooms in and out around the pointer.\n"
            "`set mouse off` (or `--no-mouse`) leaves the mouse to the terminal.\n");
    put(&b, "\n## Config file\n\n"
            "`$XDG_CONFIG_HOME/trajscope/config` (else `~/.config/trajscope/config`),\n"
            "one command per line, `#` starts a comment line:\n\n"
            "```\nset theme light\nset smoothing ema 0.6\nbind l cursor-right\nunbind x\n```\n\n"
            "A bad line is skipped and reported as `FILE:LINE: problem` on the status\n"
            "line; the explorer still starts. Key names: a character (`q`, `<`, `,`),\n"
            "or `<Space>` `<Tab>` `<S-Tab>` `<Enter>` `<Esc>` `<BS>` `<Del>` `<Ins>`\n"
            "`<Left>` `<Right>` `<Up>` `<Down>` `<S-Left>` `<S-Right>` `<Home>` `<End>`\n"
            "`<PageUp>` `<PageDown>` `<F1>`..`<F12>` `<lt>` `<gt>` `<C-a>`..`<C-z>`.\n\n"
            "| Option | Value | Meaning |\n|---|---|---|\n");
    for (int o = 0; o < TS_OPTION_COUNT; o++)
        put(&b, "| `%s` | `%s` | %s |\n", ts_option_name((TsOption)o), ts_option_syntax((TsOption)o),
            ts_option_help((TsOption)o));
    put(&b, "\nThemes: `themes/default.ini`, `light.ini`, `colorblind.ini` and `mono.ini`\n"
            "are built in; a user theme goes in\n"
            "`$XDG_CONFIG_HOME/trajscope/themes/NAME.ini` (styles it leaves out come\n"
            "from `default`). `NO_COLOR` selects `mono` unless `--theme` is given.\n");
    ts_keymap_fini(&km);
    return b.s;
}
