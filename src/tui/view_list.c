/* view_list.c - the metric list: which metrics exist, which are shown.
 * Layer: tui (draws into a TsCellBuf; no curses). License: MIT. */
#include <stdio.h>

#include "tui/app_priv.h"

void view_list_draw(const TsApp *app, TsCellBuf *buf, TsRect r) {
    if (r.w <= 0 || r.h <= 0) return;
    ts_cellbuf_fill(buf, r, ' ', TS_STYLE_LIST);
    int inner = r.w - 1; /* the last column is the border */
    const char *bar = app_glyph(app, "\xe2\x94\x82", "|");
    for (int y = r.y; y < r.y + r.h; y++) ts_cellbuf_put_str(buf, r.x + inner, y, 1, bar, TS_STYLE_AXIS);

    char title[96];
    size_t shown = 0;
    for (size_t i = 0; i < app->n_tracks; i++) shown += app->tracks[i].shown;
    if (app->filter[0])
        snprintf(title, sizeof title, " /%s (%zu/%zu)", app->filter, app->n_rows, app->n_tracks);
    else
        snprintf(title, sizeof title, " Metrics %zu/%zu shown", shown, app->n_tracks);
    ts_cellbuf_put_str(buf, r.x, r.y, inner, title, TS_STYLE_TITLE);

    int rows = r.h - 1;
    for (int k = 0; k < rows; k++) {
        size_t ri = app->list_top + (size_t)k;
        if (ri >= app->n_rows) break;
        size_t ti = app->rows[ri];
        const TsTrack *t = &app->tracks[ti];
        int y = r.y + 1 + k;
        bool sel = ti == app->sel;
        TsStyle base = sel ? TS_STYLE_LIST_SELECTED : t->shown ? TS_STYLE_LIST : TS_STYLE_LIST_HIDDEN;
        if (sel) ts_cellbuf_fill(buf, (TsRect){r.x, y, inner, 1}, ' ', base);
        const char *mark;
        TsStyle mst = base;
        if (t->failed) {
            mark = "!";
            mst = TS_STYLE_ERROR;
        } else if (t->shown) {
            mark = app_glyph(app, "\xe2\x97\x8f", "*");
            bool by_run = app->n_runs > 1 && !app->set.overlay;
            mst = sel ? base : ts_style_series((unsigned)(by_run ? t->run : (size_t)t->colour));
        } else {
            mark = app_glyph(app, "\xe2\x97\x8b", "-");
        }
        ts_cellbuf_put_str(buf, r.x + 1, y, 1, mark, mst);
        ts_cellbuf_put_str(buf, r.x + 3, y, inner - 3, t->label, base);
    }
    if (app->n_rows == 0 && rows > 0)
        ts_cellbuf_put_str(buf, r.x + 1, r.y + 1, inner - 1, "(no match)", TS_STYLE_LIST_HIDDEN);
}
