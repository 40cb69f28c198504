/* view_plot.c - the stacked (or overlaid) plot panels and the time cursor.
 * Layer: tui (draws into a TsCellBuf via plot.h; no curses). License: MIT. */
#include <stdio.h>

#include "tui/app_compare.h"
#include "tui/app_priv.h"

void view_plot_panel(const TsApp *app, const TsPanel *pn, const TsPlotSpec *spec, TsCellBuf *buf, TsRect rect,
                     TsPlotLayout *pl) {
    ts_plot_render(spec, buf, rect, pl);
    app_cmp_panel_draw(app, spec, buf, pl); /* seed bands */
    /* With several runs the legend names the runs: the metric's name goes
     * at the right end of the legend row. */
    bool by_run = app->n_runs > 1 && !app->set.overlay;
    if (by_run && pl->ok && pl->legend_y >= 0 && pn->n_tracks > 0) {
        const char *name = app->tracks[pn->first_track].name;
        int w = ts_text_width(name);
        int x = rect.x + rect.w - w - 1;
        bool free_cells = x > pl->area.x;
        for (int c = x - 2; free_cells && c < x + w; c++) {
            const TsCell *cell = ts_cellbuf_at(buf, c, pl->legend_y);
            if (cell && cell->cp != ' ') free_cells = false;
        }
        if (free_cells) ts_cellbuf_put_str(buf, x, pl->legend_y, w, name, TS_STYLE_TITLE | TS_STYLE_BOLD);
    }
}

void view_plot_cursor(const TsApp *app, TsCellBuf *buf, const TsPlotLayout *pl, int dx, int dy) {
    if (!pl->ok || !app->have_cursor) return;
    int col = ts_plot_x_to_col(pl, app->cursor_x);
    if (col < 0) return;
    int top = pl->top_lane.h ? pl->top_lane.y : pl->area.y;
    int bottom = pl->area.y + pl->area.h + (pl->bottom_lane.h ? 1 : 0);
    uint32_t glyph = app->utf8 && pl->mode != TS_CANVAS_ASCII ? 0x2502 : '|';
    for (int y = top; y < bottom; y++) {
        const TsCell *cell = ts_cellbuf_at(buf, col + dx, y + dy);
        if (!cell) continue;
        /* Data keeps its glyph, reversed; empty cells get the cursor line. */
        if (cell->cp != ' ')
            ts_cellbuf_put(buf, col + dx, y + dy, cell->cp, cell->style | TS_STYLE_REVERSE);
        else
            ts_cellbuf_put(buf, col + dx, y + dy, glyph, TS_STYLE_CURSOR);
    }
}

void view_plot_empty(const TsApp *app, TsCellBuf *buf) {
    TsRect area = app->layout.plot;
    const char *msg = "No metric shown. Tab opens the metric list; Space shows the selected metric.";
    bool any_shown = false;
    for (size_t i = 0; i < app->n_tracks; i++) any_shown |= app->tracks[i].shown;
    if (any_shown && app->loading) msg = "Reading...";
    else if (any_shown) msg = "The shown metrics have no points on this x axis (t changes the axis).";
    if (app->n_tracks == 0) msg = "These runs hold no metrics.";
    ts_cellbuf_put_str(buf, area.x + 2, area.y + area.h / 2, area.w - 4, msg, TS_STYLE_DEFAULT);
}
