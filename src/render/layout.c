/* layout.c - rectangles for the explorer's header, list, panels and status.
 * Layer: render (pure arithmetic). License: MIT. */
#include "trajscope/layout.h"

#include <string.h>

static TsRect rect(int x, int y, int w, int h) {
    TsRect r = {x, y, w > 0 ? w : 0, h > 0 ? h : 0};
    if (r.w == 0 || r.h == 0) r.w = r.h = 0;
    return r;
}

bool ts_rect_has_point(TsRect r, int x, int y) {
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

bool ts_rect_inside(TsRect inner, TsRect outer) {
    if (inner.w <= 0 || inner.h <= 0) return true;
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
           inner.y + inner.h <= outer.y + outer.h;
}

bool ts_rect_overlaps(TsRect a, TsRect b) {
    if (a.w <= 0 || a.h <= 0 || b.w <= 0 || b.h <= 0) return false;
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

void ts_layout_compute(const TsLayoutRequest *req, TsLayout *out) {
    memset(out, 0, sizeof *out);
    int cols = req->cols > 0 ? req->cols : 0;
    int rows = req->rows > 0 ? req->rows : 0;
    out->screen = rect(0, 0, cols, rows);
    out->need_cols = TS_LAYOUT_MIN_COLS;
    out->need_rows = TS_LAYOUT_MIN_ROWS;
    if (cols < TS_LAYOUT_MIN_COLS || rows < TS_LAYOUT_MIN_ROWS) {
        out->too_small = true;
        return;
    }
    out->header = rect(0, 0, cols, 1);
    out->status = rect(0, rows - 1, cols, 1);
    out->body = rect(0, 1, cols, rows - 2);

    int list_w = 0;
    if (req->show_list) {
        int want = req->list_width > 0 ? req->list_width : 24;
        if (want < TS_LAYOUT_LIST_MIN_W) want = TS_LAYOUT_LIST_MIN_W;
        if (want > cols / 2) want = cols / 2;
        if (want >= TS_LAYOUT_LIST_MIN_W && cols - want >= TS_LAYOUT_PLOT_MIN_W)
            list_w = want;
        else
            out->list_dropped = true;
    }
    out->list = rect(0, out->body.y, list_w, out->body.h);
    out->plot = rect(list_w, out->body.y, cols - list_w, out->body.h);

    int axis_rows = req->xaxis_rows < 0 ? 0 : req->xaxis_rows > 3 ? 3 : req->xaxis_rows;
    int panel_h_total = out->plot.h - axis_rows;
    out->xaxis = rect(out->plot.x, out->plot.y + panel_h_total, out->plot.w, axis_rows);

    int want_panels = req->n_panels < 0 ? 0 : req->n_panels;
    if (want_panels > TS_LAYOUT_MAX_PANELS) want_panels = TS_LAYOUT_MAX_PANELS;
    int fit = panel_h_total / TS_LAYOUT_PANEL_MIN_H;
    int n = want_panels < fit ? want_panels : fit;
    out->n_panels = n;
    if (n == 0) return;
    int base = panel_h_total / n, extra = panel_h_total % n;
    int y = out->plot.y;
    for (int i = 0; i < n; i++) {
        int h = base + (i < extra ? 1 : 0);
        out->panels[i] = rect(out->plot.x, y, out->plot.w, h);
        y += h;
    }
}
