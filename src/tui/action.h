/* action.h - every command of the explorer, defined once.
 * Layer: tui (pure table, no curses). License: MIT.
 *
 * TS_ACTION_LIST is the single source of the action enum, the names used
 * by `bind` in the config file, the default keys, the help screen and
 * docs/KEYS.md. Columns: id, config name, help group, default keys (key
 * specs separated by spaces, see keymap.h), help text. */
#ifndef TRAJSCOPE_TUI_ACTION_H
#define TRAJSCOPE_TUI_ACTION_H

#define TS_ACTION_LIST(X)                                                                     \
    X(CURSOR_LEFT, "cursor-left", "Cursor", "h <Left>", "move the time cursor one column left") \
    X(CURSOR_RIGHT, "cursor-right", "Cursor", "l <Right>", "move the time cursor one column right") \
    X(CURSOR_LEFT_FAST, "cursor-left-fast", "Cursor", "H <S-Left>", "move the cursor ten columns left") \
    X(CURSOR_RIGHT_FAST, "cursor-right-fast", "Cursor", "L <S-Right>", "move the cursor ten columns right") \
    X(POINT_PREV, "point-prev", "Cursor", ",", "previous logged point of the focused metric")  \
    X(POINT_NEXT, "point-next", "Cursor", ".", "next logged point of the focused metric")      \
    X(CURSOR_FIRST, "cursor-first", "Cursor", "g <Home>", "first logged step")                 \
    X(CURSOR_LAST, "cursor-last", "Cursor", "G <End>", "last logged step")                     \
    X(ZOOM_IN, "zoom-in", "Zoom", "+ =", "zoom in around the cursor (also the mouse wheel)")   \
    X(ZOOM_OUT, "zoom-out", "Zoom", "-", "zoom out around the cursor")                         \
    X(ZOOM_RESET, "zoom-reset", "Zoom", "0", "show the whole run")                             \
    X(PAN_LEFT, "pan-left", "Zoom", "<", "pan left by a quarter of the view")                  \
    X(PAN_RIGHT, "pan-right", "Zoom", ">", "pan right by a quarter of the view")               \
    X(LOG_X, "toggle-log-x", "Axes", "x", "logarithmic x axis: log10(step + 1)")               \
    X(LOG_Y, "toggle-log-y", "Axes", "y", "logarithmic y axis (values <= 0 become gaps)")      \
    X(X_AXIS, "cycle-x-axis", "Axes", "t", "x axis: step, wall time, time since the start")    \
    X(SMOOTH_CYCLE, "cycle-smoothing", "Smoothing", "s",                                       \
      "smoothing: off, EMA (TensorBoard), time-aware EMA, Gaussian, median")                   \
    X(SMOOTH_LESS, "smoothing-less", "Smoothing", "[", "less smoothing (weight - 0.05)")       \
    X(SMOOTH_MORE, "smoothing-more", "Smoothing", "]", "more smoothing (weight + 0.05)")       \
    X(TOGGLE_LIST, "toggle-list", "Metrics", "<Tab>", "show or hide the metric list")          \
    X(LIST_UP, "list-up", "Metrics", "k <Up>", "select the previous metric")                   \
    X(LIST_DOWN, "list-down", "Metrics", "j <Down>", "select the next metric")                 \
    X(LIST_PAGE_UP, "list-page-up", "Metrics", "<PageUp>", "select a page up")                 \
    X(LIST_PAGE_DOWN, "list-page-down", "Metrics", "<PageDown>", "select a page down")         \
    X(TOGGLE_METRIC, "toggle-metric", "Metrics", "<Space>", "show or hide the selected metric") \
    X(SHOW_ONLY, "show-only", "Metrics", "<Enter>", "show only the selected metric")           \
    X(FILTER, "filter", "Metrics", "/", "filter the metric list by substring")                 \
    X(OVERLAY, "toggle-overlay", "View", "o", "stacked panels or all metrics in one panel")    \
    X(FOLLOW, "toggle-follow", "View", "F", "follow files still being written (every 2 s)")   \
    X(REDRAW, "redraw", "View", "<C-l>", "repaint; re-read changed marks")                     \
    X(RUNS_TOGGLE, "toggle-runs", "Runs", "R", "show or hide the run list (showing it gives it the keys)") \
    X(RUNS_FOCUS, "switch-list", "Runs", "w",                                                  \
      "j k Space Enter act on the run list or on the metric list")                             \
    X(RUNS_FILTER, "filter-runs", "Runs", "f",                                                 \
      "filter runs: name substring or config terms (lr>=1e-3 seed=2); empty clears")           \
    X(RUNS_SORT, "cycle-run-sort", "Runs", "S", "sort the run list: name, last, best, steps")  \
    X(RUNS_ALL, "select-all-runs", "Runs", "*", "select every listed run, or none when all are") \
    X(SIDE_BY_SIDE, "toggle-side-by-side", "Compare", "v",                                     \
      "one column per selected run (2 to 6), one cursor")                                      \
    X(SHARED_Y, "toggle-shared-y", "Compare", "Y", "side by side: shared or independent y ranges") \
    X(GROUPS, "cycle-seed-groups", "Compare", "b",                                             \
      "seed groups: off, mean + min-max, mean + std, median + min-max")                        \
    X(GROUP_KEY, "group-key", "Compare", "B", "group by a configuration key other than the seed") \
    X(ALIGN, "cycle-alignment", "Compare", "A",                                                \
      "align runs by step, time since start, tokens, phase onset of the focused metric")        \
    X(READOUT_TABLE, "toggle-readout-table", "Compare", "r",                                   \
      "table of runs x shown metrics at the cursor (best highlighted)")                        \
    X(DETECT, "detect", "Change points", "d",                                                   \
      "detect change points in the focused metric (again: hide them; Esc cancels)")            \
    X(CP_MORE, "more-change-points", "Change points", "}", "more change points (next optimal segmentation)") \
    X(CP_FEWER, "fewer-change-points", "Change points", "{", "fewer change points")            \
    X(CP_ACCEPT, "accept-change-point", "Change points", "a", "mark the change point nearest the cursor") \
    X(DETECT_METHOD, "cycle-detect-method", "Change points", "C", "detection method: pelt, binseg, bocpd") \
    X(DETECT_COST, "cycle-detect-cost", "Change points", "c",                                  \
      "detection cost: mean, meanvar (mean and variance), slope")                              \
    X(MARK_POINT, "mark", "Marks", "m", "mark the cursor step")                                \
    X(MARK_INTERVAL, "mark-interval", "Marks", "i", "start an interval at the cursor; again: end it") \
    X(MARK_EDIT, "edit-mark", "Marks", "e", "edit the label of the mark under or nearest the cursor") \
    X(MARK_DELETE, "delete-mark", "Marks", "D", "delete the mark under or nearest the cursor") \
    X(MARK_UNDO, "undo", "Marks", "u", "undo the last change to the marks")                    \
    X(MARK_NEXT, "next-mark", "Marks", "n", "jump to the next mark")                           \
    X(MARK_PREV, "previous-mark", "Marks", "N", "jump to the previous mark")                   \
    X(ZOOM_INTERVAL, "zoom-interval", "Marks", "z", "zoom to the interval mark under the cursor") \
    X(MARKS_PANEL, "marks-panel", "Marks", "M", "list every mark (Enter jumps to one)")         \
    X(EXPORT, "export", "Marks", "E", "export statistics over the marked spans (asks for a path)") \
    X(HELP, "help", "General", "? <F1>", "show or hide this help")                             \
    X(QUIT, "quit", "General", "q", "quit")

typedef enum TsAction {
    TS_ACTION_NONE = 0,
#define TS_ACTION_ENUM(id, name, group, keys, help) TS_ACTION_##id,
    TS_ACTION_LIST(TS_ACTION_ENUM)
#undef TS_ACTION_ENUM
    TS_ACTION_COUNT
} TsAction;

/* Config name ("cursor-left"); NULL for NONE or out of range. */
const char *ts_action_name(TsAction a);
/* Help group ("Cursor"), default key specs ("h <Left>") and help text;
 * NULL for NONE or out of range. All strings are static. */
const char *ts_action_group(TsAction a);
const char *ts_action_default_keys(TsAction a);
const char *ts_action_help(TsAction a);
/* TS_ACTION_NONE when no action has this name. */
TsAction ts_action_from_name(const char *name);

#endif
