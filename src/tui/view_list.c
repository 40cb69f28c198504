/* view_list.c - the metric list: which metrics exist, which are shown.
 * Layer: tui (draws into a TsCellBuf; no curses). License: MIT. */
#include <stdio.h>

#include "tui/app_priv.h"
#include "tui/app_runs.h"

void view_list_draw(const TsApp *app, TsCellBuf *buf, TsRect r) {
    if (r.w <= 0 || r.h <= 0) return;
    ts_cellbuf_fill(buf, r, ' ', TS_STYLE_LIST);
    int inner = r.w - 1; /* the last column is the border */
    const char *bar = app_glyph(app, "\xe2\x94\x82", "|");
    for (int y = r.y; y < r.y + r.h; y++) ts_cellbuf_put_str(buf, r.x + inner, y, 1, bar, TS_STYLE_AXIS);

    char title[96];
    /* With several runs the rows are metric names, shown in every selected run. */
    bool multi = app_runs_multi(app);
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < app->n_tracks; i++) {
        if (multi && !app_runs_is_rep(app, i)) continue;
        total++;
        shown += multi ? app_runs_wanted(app, i) : app->tracks[i].shown;
    }
    if (app->filter[0])
        snprintf(title, sizeof title, " /%s (%zu/%zu)", app->filter, app->n_rows, total);
    else
        snprintf(title, sizeof title, " Metrics %zu/%zu shown", shown, total);
    ts_cellbuf_put_str(buf, r.x, r.y, inner, title, TS_STYLE_TITLE);

    int rows = r.h - 1;
    for (int k = 0; k < rows; k++) {
        size_t ri = app->list_top + (size_t)k;
        if (ri >= app->n_rows) break;
        size_t ti = app->rows[ri];
        const TsTrack *t = &app->tracks[ti];
        int y = r.y + 1 + k;
        bool sel = ti == app->sel;
        bool on = multi ? app_runs_wanted(app, ti) : t->shown;
        TsStyle base = sel ? TS_STYLE_LIST_SELECTED : on ? TS_STYLE_LIST : TS_STYLE_LIST_HIDDEN;
        if (sel) ts_cellbuf_fill(buf, (TsRect){r.x, y, inner, 1}, ' ', base);
        const char *mark;
        TsStyle mst = base;
        if (t->failed) {
            mark = "!";
            mst = TS_STYLE_ERROR;
        } else if (on) {
            mark = app_glyph(app, "\xe2\x97\x8f", "*");
            bool by_run = app->n_runs > 1 && !app->set.overlay;
            mst = sel ? base : multi ? TS_STYLE_TITLE : ts_style_series((unsigned)(by_run ? t->run : (size_t)t->colour));
        } else {
            mark = app_glyph(app, "\xe2\x97\x8b", "-");
        }
        ts_cellbuf_put_str(buf, r.x + 1, y, 1, mark, mst);
        ts_cellbuf_put_str(buf, r.x + 3, y, inner - 3, multi ? t->name : t->label, base);
    }
    if (app->n_rows == 0 && rows > 0)
        ts_cellbuf_put_str(buf, r.x + 1, r.y + 1, inner - 1, "(no match)", TS_STYLE_LIST_HIDDEN);
}
