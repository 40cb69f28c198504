/* keysdoc.h - docs/KEYS.md, generated from the action and option tables.
 * Layer: tui (pure). License: MIT. */
#ifndef TRAJSCOPE_TUI_KEYSDOC_H
#define TRAJSCOPE_TUI_KEYSDOC_H

/* The Markdown text of docs/KEYS.md for the default keymap (heap string,
 * caller frees). `trajscope --keys-markdown` prints it; test_keymap checks
 * that docs/KEYS.md matches. */
char *ts_keys_markdown(void);

#endif
