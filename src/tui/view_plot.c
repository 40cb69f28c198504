/* view_plot.c - the stacked (or overlaid) plot panels.
 * Layer: tui (draws into a TsCellBuf via plot.h; no curses). License: MIT. */
#include <stdio.h>

#include "tui/app_priv.h"

void view_plot_draw(const TsApp *app, TsCellBuf *buf) {
    TsRect area = app->layout.plot;
    ts_cellbuf_fill(buf, area, ' ', TS_STYLE_DEFAULT);
    bool by_run = app->n_runs > 1 && !app->set.overlay;
    for (int p = 0; p < app->n_panels; p++) {
        const TsPanel *pn = &app->panels[p];
        TsPlotLayout pl;
        ts_plot_render(&pn->spec, buf, pn->rect, &pl);
        /* With several runs the legend names the runs: the metric's name
         * goes at the right end of the legend row. */
        if (by_run && pl.ok && pl.legend_y >= 0 && pn->n_tracks > 0) {
            const char *name = app->tracks[pn->first_track].name;
            int w = ts_text_width(name);
            int x = pn->rect.x + pn->rect.w - w - 1;
            bool free_cells = x > pl.area.x;
            for (int c = x - 2; free_cells && c < x + w; c++) {
                const TsCell *cell = ts_cellbuf_at(buf, c, pl.legend_y);
                if (cell && cell->cp != ' ') free_cells = false;
            }
            if (free_cells) ts_cellbuf_put_str(buf, x, pl.legend_y, w, name, TS_STYLE_TITLE | TS_STYLE_BOLD);
        }
    }
    if (app->n_panels == 0) {
        const char *msg = "No metric shown. Tab opens the metric list; Space shows the selected metric.";
        bool any_shown = false;
        for (size_t i = 0; i < app->n_tracks; i++) any_shown |= app->tracks[i].shown;
        if (any_shown) msg = "The shown metrics have no points on this x axis (t changes the axis).";
        if (app->n_tracks == 0) msg = "These runs hold no metrics.";
        ts_cellbuf_put_str(buf, area.x + 2, area.y + area.h / 2, area.w - 4, msg, TS_STYLE_DEFAULT);
    }
}
