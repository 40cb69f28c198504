/* plot.c - a viewport onto one or more curves, drawn into a TsCellBuf.
 * Layer: render (pure: no I/O, no clock, no state). License: MIT.
 *
 * Per frame: the x axis is cut into dot columns (edges in x units, so a
 * log axis just has uneven edges), each segment of each curve gets one lod
 * query per dot column it covers, and each column draws its min..max span
 * plus half of the line piece to each neighbour. */
#include "trajscope/plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

typedef struct Glyphs {
    uint32_t vline, ytick, corner, hline, xtick, marker, seam, cursor, nan, posinf, neginf;
    const char *sample;  /* legend sample of a curve */
    const char *nonpos;  /* bottom lane label for values <= 0 */
} Glyphs;

static const Glyphs glyphs_unicode = {
    0x2502, 0x2524, 0x2514, 0x2500, 0x252C, 0x250A, 0x2506, 0x2502, 0x00D7, 0x25B2, 0x25BC,
    "\u2500\u2500", "\u22640"};
static const Glyphs glyphs_ascii = {
    '|', '+', '+', '-', '+', ':', ':', '|', 'x', '^', 'v', "--", "<=0"};

enum { LANE_NAN = 1, LANE_POSINF = 2, LANE_NEGINF = 4, LANE_NONPOS = 8 };

static TsStyle sid(TsStyleId id) { return (TsStyle)id; }

static bool drawable(double v, bool logy) {
    return isfinite(v) && (!logy || v > 0);
}

/* ---- layout ---- */

static TsAxis x_axis_of(const TsPlotSpec *spec) {
    TsAxis a;
    memset(&a, 0, sizeof a);
    a.scale = spec->logx ? TS_SCALE_LOG1P : TS_SCALE_LINEAR;
    a.origin = isfinite(spec->x_origin) ? spec->x_origin : 0.0;
    a.format = spec->x_format;
    double x0 = spec->x0, x1 = spec->x1;
    if (!isfinite(x0)) x0 = 0.0;
    if (!isfinite(x1)) x1 = x0 + 1.0;
    if (spec->logx && x0 < a.origin) x0 = a.origin;
    if (!(x1 > x0)) x1 = x0 + fmax(1.0, fabs(x0) * 1e-12);
    a.lo = x0;
    a.hi = x1;
    return a;
}

static unsigned data_lanes(const TsPlotSpec *spec) {
    unsigned flags = 0;
    for (size_t i = 0; i < spec->n_series; i++) {
        const TsLod *lod = spec->series[i].lod;
        if (!lod) continue;
        TsLodCol t;
        ts_lod_totals(lod, &t);
        if (t.n_nan) flags |= LANE_NAN;
        if (t.n_posinf) flags |= LANE_POSINF;
        if (t.n_neginf) flags |= LANE_NEGINF;
        if (spec->logy && t.n_nonpos) flags |= LANE_NONPOS;
    }
    return flags;
}

static void y_range(const TsPlotSpec *spec, const TsAxis *xa, double *lo, double *hi) {
    bool logy = spec->logy;
    if (spec->y_fixed && isfinite(spec->y0) && isfinite(spec->y1) && spec->y1 > spec->y0 &&
        (!logy || spec->y0 > 0)) {
        *lo = spec->y0;
        *hi = spec->y1;
        return;
    }
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < spec->n_series; i++) {
        const TsLod *lod = spec->series[i].lod;
        if (!lod) continue;
        size_t nseg = ts_lod_segment_count(lod);
        for (size_t k = 0; k < nseg; k++) {
            TsLodCol c;
            ts_lod_query(lod, k, xa->lo, xa->hi, &c);
            double cmin = logy ? c.min_pos : c.min;
            if (!isnan(cmin) && cmin < mn) mn = cmin;
            if (!isnan(c.max) && (!logy || c.max > 0) && c.max > mx) mx = c.max;
        }
    }
    if (!(mn <= mx)) {
        *lo = logy ? 1.0 : 0.0;
        *hi = logy ? 10.0 : 1.0;
        return;
    }
    /* A flat curve (equal values, or a spread below double rounding, as an
     * EMA of a constant has) gets a range around its value that is 10% of
     * its size, so a learning rate of 0.003 reads as 3m, not as 0; zero
     * gets +-0.5. The readout still shows the exact values. */
    double mag = fmax(fabs(mn), fabs(mx));
    if (mx - mn <= mag * 1e-12) {
        double mid = mn / 2.0 + mx / 2.0;
        if (logy) {
            mn = mid / 2.0;
            mx = mid * 2.0;
        } else {
            double pad = mag > 0 ? mag * 0.05 : 0.5;
            mn = mid - pad;
            mx = mid + pad;
        }
    }
    *lo = mn;
    *hi = mx;
}

void ts_plot_layout(const TsPlotSpec *spec, TsRect rect, TsPlotLayout *out) {
    memset(out, 0, sizeof *out);
    out->rect = rect;
    out->legend_y = -1;
    out->mode = (unsigned)spec->mode < (unsigned)TS_CANVAS_MODE_COUNT ? spec->mode : TS_CANVAS_BRAILLE;
    ts_canvas_dots(out->mode, &out->dx, &out->dy);
    out->xaxis = x_axis_of(spec);
    const Glyphs *g = out->mode == TS_CANVAS_ASCII ? &glyphs_ascii : &glyphs_unicode;

    unsigned lanes = data_lanes(spec);
    bool top = lanes & (LANE_NAN | LANE_POSINF);
    bool bottom = lanes & (LANE_NEGINF | LANE_NONPOS);
    bool legend = !spec->no_legend;
    int area_h = rect.h - 2 - legend - top - bottom;
    if (area_h < 1 && legend) {
        legend = false;
        area_h++;
    }
    if (area_h < 1 || rect.w < 4) return;

    double ylo, yhi;
    y_range(spec, &out->xaxis, &ylo, &yhi);
    out->yaxis.scale = spec->logy ? TS_SCALE_LOG : TS_SCALE_LINEAR;
    out->yaxis.lo = ylo;
    out->yaxis.hi = yhi;
    out->yaxis.origin = 0.0;
    out->yaxis.format = TS_AXIS_NUMBER;
    ts_axis_fit(&out->yaxis, area_h, true, &out->yticks);

    int label_w = 0;
    for (int i = 0; i < out->yticks.n; i++) {
        int w = ts_text_width(out->yticks.tick[i].label);
        if (w > label_w) label_w = w;
    }
    if (top) {
        int w = ts_text_width((lanes & LANE_NAN) ? "NaN" : "+Inf");
        if (w > label_w) label_w = w;
    }
    if (bottom) {
        int w = ts_text_width((lanes & LANE_NEGINF) ? "-Inf" : g->nonpos);
        if (w > label_w) label_w = w;
    }
    if (label_w > rect.w / 3) label_w = rect.w / 3;
    int area_w = rect.w - label_w - 1;
    if (area_w < 1) return;

    out->label_w = label_w;
    out->yaxis_x = rect.x + label_w;
    int ax = rect.x + label_w + 1, y = rect.y;
    if (top) out->top_lane = (TsRect){ax, y++, area_w, 1};
    out->area = (TsRect){ax, y, area_w, area_h};
    y += area_h;
    if (bottom) out->bottom_lane = (TsRect){ax, y++, area_w, 1};
    if (!top) out->top_lane = (TsRect){ax, out->area.y, area_w, 0};
    if (!bottom) out->bottom_lane = (TsRect){ax, y, area_w, 0};
    out->xaxis_y = y;
    out->xlabel_y = y + 1;
    out->legend_y = legend ? y + 2 : -1;
    ts_axis_fit(&out->xaxis, area_w, false, &out->xticks);
    out->ok = true;
}

/* ---- mapping helpers ---- */

bool ts_plot_col_range(const TsPlotLayout *l, int col, double *x_lo, double *x_hi) {
    if (!l->ok) return false;
    int i = col - l->area.x;
    if (i < 0 || i >= l->area.w) return false;
    *x_lo = ts_axis_value(&l->xaxis, (double)i / l->area.w);
    *x_hi = ts_axis_value(&l->xaxis, (double)(i + 1) / l->area.w);
    return true;
}

int ts_plot_x_to_col(const TsPlotLayout *l, double x) {
    if (!l->ok) return -1;
    int c = ts_axis_cell(&l->xaxis, x, l->area.w);
    return c < 0 ? -1 : l->area.x + c;
}

int ts_plot_y_to_row(const TsPlotLayout *l, double y) {
    if (!l->ok) return -1;
    int c = ts_axis_cell(&l->yaxis, y, l->area.h);
    return c < 0 ? -1 : l->area.y + l->area.h - 1 - c;
}

double ts_plot_row_to_y(const TsPlotLayout *l, int row) {
    if (!l->ok || l->area.h <= 0) return NAN;
    int from_bottom = l->area.y + l->area.h - 1 - row;
    return ts_axis_value(&l->yaxis, (from_bottom + 0.5) / l->area.h);
}

bool ts_plot_data_x_range(const TsPlotSeries *series, size_t n, double *x0, double *x1) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const TsLod *lod = series[i].lod;
        if (!lod) continue;
        size_t nseg = ts_lod_segment_count(lod);
        for (size_t k = 0; k < nseg; k++) {
            size_t s, e;
            ts_lod_segment(lod, k, &s, &e);
            if (s >= e) continue;
            double a = ts_lod_x(lod, s), b = ts_lod_x(lod, e - 1);
            if (a < lo) lo = a;
            if (b > hi) hi = b;
        }
    }
    if (!(lo <= hi)) return false;
    *x0 = lo;
    *x1 = hi;
    return true;
}

void ts_plot_zoom_x(TsPlotSpec *spec, double center, double factor, double min_width) {
    TsAxis a = x_axis_of(spec);
    if (!(factor > 0) || !isfinite(factor)) return;
    double t0 = ts_axis_fwd(&a, a.lo), t1 = ts_axis_fwd(&a, a.hi), tc = ts_axis_fwd(&a, center);
    if (!isfinite(tc) || center < a.lo || center > a.hi) tc = (t0 + t1) / 2.0;
    double x0 = ts_axis_inv(&a, tc - (tc - t0) * factor);
    double x1 = ts_axis_inv(&a, tc + (t1 - tc) * factor);
    if (!(min_width > 0)) min_width = 0;
    if (x1 - x0 < min_width) {
        double c = ts_axis_inv(&a, tc);
        double f = x1 > x0 ? (c - x0) / (x1 - x0) : 0.5;
        x0 = c - f * min_width;
        x1 = x0 + min_width;
    }
    if (spec->logx && x0 < a.origin) {
        x1 += a.origin - x0;
        x0 = a.origin;
    }
    if (isfinite(x0) && isfinite(x1) && x1 > x0) {
        spec->x0 = x0;
        spec->x1 = x1;
    }
}

void ts_plot_pan_x(TsPlotSpec *spec, double frac) {
    TsAxis a = x_axis_of(spec);
    if (!isfinite(frac)) return;
    double t0 = ts_axis_fwd(&a, a.lo), t1 = ts_axis_fwd(&a, a.hi);
    double dt = (t1 - t0) * frac;
    if (spec->logx && t0 + dt < 0.0) dt = -t0; /* keep x0 >= origin */
    double x0 = ts_axis_inv(&a, t0 + dt), x1 = ts_axis_inv(&a, t1 + dt);
    if (isfinite(x0) && isfinite(x1) && x1 > x0) {
        spec->x0 = x0;
        spec->x1 = x1;
    }
}

/* ---- drawing ---- */

typedef struct Frame {
    const TsPlotSpec *spec;
    const TsPlotLayout *l;
    TsCanvas canvas;
    int W, H;             /* dots */
    double *edges;        /* W + 1 x edges of the dot columns */
    TsLodCol *cols;       /* W scratch */
    uint8_t *lane;        /* per area cell column: LANE_* flags */
} Frame;

/* Continuous dot x of an x value (0 at x0, W at x1). */
static double dot_x(const Frame *f, double x) {
    return ts_axis_frac(&f->l->xaxis, x) * f->W;
}

/* Continuous dot y (0 = top) of a value; values inside the range stay
 * inside the canvas (the maximum on the top dot row, the minimum on the
 * bottom one). */
static double dot_y(const Frame *f, double v) {
    double fr = ts_axis_frac(&f->l->yaxis, v);
    double y = f->H * (1.0 - fr);
    if (fr >= -1e-12 && fr <= 1.0 + 1e-12) {
        if (y < 0) y = 0;
        if (y > f->H - 1e-6) y = f->H - 1e-6;
    }
    return y;
}

static int dot_row(const Frame *f, double v) {
    double y = dot_y(f, v);
    if (!(y > -1e9)) return -1000000000;
    if (y > 1e9) return 1000000000;
    return (int)floor(y);
}

/* Index of the dot column whose [edge, next edge) holds x (clamped). */
static int edge_col(const Frame *f, double x) {
    int lo = 0, hi = f->W; /* largest d in [0, W) with edges[d] <= x */
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (f->edges[mid] <= x) lo = mid;
        else hi = mid;
    }
    return lo;
}

static void draw_series(Frame *f, const TsPlotSeries *s) {
    const TsLod *lod = s->lod;
    if (!lod) return;
    bool logy = f->spec->logy;
    TsStyle style = s->style | (s->dimmed ? TS_STYLE_DIM : 0);
    double x0 = f->l->xaxis.lo, x1 = f->l->xaxis.hi;
    size_t nseg = ts_lod_segment_count(lod);
    for (size_t k = 0; k < nseg; k++) {
        size_t start, end;
        ts_lod_segment(lod, k, &start, &end);
        if (start >= end) continue;
        double xf = ts_lod_x(lod, start), xl = ts_lod_x(lod, end - 1);
        if (xl < x0 || xf > x1) continue;
        int d0 = edge_col(f, xf > x0 ? xf : x0);
        int d1 = edge_col(f, xl < x1 ? xl : x1);
        size_t ncols = (size_t)(d1 - d0 + 1);
        ts_lod_columns(lod, k, &f->edges[d0], ncols, f->cols);

        bool prev_ok = false;
        double px = 0, py = 0;
        int prev_d = -2, prev_top = 0, prev_bottom = -1; /* previous column's span rows */
        if (f->cols[0].lo > start) {
            size_t i = f->cols[0].lo - 1;
            double v = ts_lod_y(lod, i);
            if (drawable(v, logy)) {
                prev_ok = true;
                px = dot_x(f, ts_lod_x(lod, i));
                py = dot_y(f, v);
            }
        }
        for (size_t j = 0; j < ncols; j++) {
            const TsLodCol *c = &f->cols[j];
            int d = d0 + (int)j;
            uint8_t *lane = &f->lane[d / f->l->dx];
            if (c->n_nan) *lane |= LANE_NAN;
            if (c->n_posinf) *lane |= LANE_POSINF;
            if (c->n_neginf) *lane |= LANE_NEGINF;
            if (logy && c->n_nonpos) *lane |= LANE_NONPOS;
            if (c->lo == c->hi) continue;
            double xc = d + 0.5;
            double lo_v = logy ? c->min_pos : c->min, hi_v = c->max;
            int top = 0, bottom = -1;
            if (!isnan(lo_v) && !isnan(hi_v) && (!logy || hi_v > 0)) {
                top = dot_row(f, hi_v);
                bottom = dot_row(f, lo_v);
                ts_canvas_vspan(&f->canvas, d, top, bottom, style);
            }
            if (prev_ok && drawable(c->first, logy)) {
                double fy = dot_y(f, c->first);
                /* Between neighbouring columns whose spans both hold the
                 * middle of the joining piece, the piece adds no dot: skip
                 * it (dense data draws three times fewer spans). */
                int mid = (int)floor((py + fy) / 2.0);
                bool inside = prev_d == d - 1 && mid >= prev_top && mid <= prev_bottom && mid >= top && mid <= bottom;
                if (!inside) ts_canvas_line(&f->canvas, px, py, xc, fy, style);
            }
            prev_ok = drawable(c->last, logy);
            px = xc;
            py = prev_ok ? dot_y(f, c->last) : 0;
            prev_d = d;
            prev_top = top;
            prev_bottom = bottom;
        }
        size_t after = f->cols[ncols - 1].hi;
        if (prev_ok && after < end) {
            double v = ts_lod_y(lod, after);
            if (drawable(v, logy))
                ts_canvas_line(&f->canvas, px, py, dot_x(f, ts_lod_x(lod, after)), dot_y(f, v), style);
        }
    }
}

static void vline(TsCellBuf *buf, const TsPlotLayout *l, int col, uint32_t cp, TsStyle style) {
    for (int r = 0; r < l->area.h; r++) ts_cellbuf_put(buf, col, l->area.y + r, cp, style);
}

/* Legend item: glyph text in gstyle, then label; returns the new x or -1
 * when it did not fit. */
static int legend_item(TsCellBuf *buf, int x, int y, int right, const char *sample, TsStyle gstyle,
                       const char *label) {
    int need = ts_text_width(sample) + 1 + ts_text_width(label);
    if (x + need > right) return -1;
    x += ts_cellbuf_put_str(buf, x, y, -1, sample, gstyle);
    x += 1;
    x += ts_cellbuf_put_str(buf, x, y, right - x, label, sid(TS_STYLE_LEGEND));
    return x + 2;
}

/* Legend item led by one glyph. */
static int legend_glyph(TsCellBuf *buf, int x, int y, int right, uint32_t cp, TsStyle gstyle, const char *label) {
    int need = 2 + ts_text_width(label);
    if (x + need > right) return -1;
    ts_cellbuf_put(buf, x, y, cp, gstyle);
    x += 2;
    x += ts_cellbuf_put_str(buf, x, y, right - x, label, sid(TS_STYLE_LEGEND));
    return x + 2;
}

static void draw_axes(TsCellBuf *buf, const TsPlotLayout *l, const Glyphs *g, unsigned lanes) {
    TsStyle axis = sid(TS_STYLE_AXIS), tick = sid(TS_STYLE_TICK);
    int top = l->top_lane.h ? l->top_lane.y : l->area.y;
    for (int y = top; y < l->xaxis_y; y++) ts_cellbuf_put(buf, l->yaxis_x, y, g->vline, axis);
    for (int i = 0; i < l->yticks.n; i++) {
        const TsTick *t = &l->yticks.tick[i];
        int row = l->area.y + l->area.h - 1 - t->pos;
        ts_cellbuf_put(buf, l->yaxis_x, row, g->ytick, axis);
        int w = ts_text_width(t->label);
        if (w > l->label_w) w = l->label_w;
        ts_cellbuf_put_str(buf, l->yaxis_x - w, row, w, t->label, tick);
    }
    TsStyle nf = sid(TS_STYLE_NONFINITE);
    if (l->top_lane.h) {
        const char *label = (lanes & LANE_NAN) ? "NaN" : "+Inf";
        int w = ts_text_width(label);
        if (w > l->label_w) w = l->label_w;
        ts_cellbuf_put_str(buf, l->yaxis_x - w, l->top_lane.y, w, label, nf);
    }
    if (l->bottom_lane.h) {
        const char *label = (lanes & LANE_NEGINF) ? "-Inf" : g->nonpos;
        int w = ts_text_width(label);
        if (w > l->label_w) w = l->label_w;
        ts_cellbuf_put_str(buf, l->yaxis_x - w, l->bottom_lane.y, w, label, nf);
    }
    ts_cellbuf_put(buf, l->yaxis_x, l->xaxis_y, g->corner, axis);
    for (int c = 0; c < l->area.w; c++) ts_cellbuf_put(buf, l->area.x + c, l->xaxis_y, g->hline, axis);
    for (int i = 0; i < l->xticks.n; i++) {
        const TsTick *t = &l->xticks.tick[i];
        ts_cellbuf_put(buf, l->area.x + t->pos, l->xaxis_y, g->xtick, axis);
        int w = ts_text_width(t->label);
        int start = ts_axis_label_start(t->pos, w, l->area.w);
        ts_cellbuf_put_str(buf, l->area.x + start, l->xlabel_y, l->area.w - start, t->label, tick);
    }
}

static void draw_marker_labels(TsCellBuf *buf, const Frame *f, uint8_t *taken) {
    const TsPlotSpec *spec = f->spec;
    const TsPlotLayout *l = f->l;
    for (size_t i = 0; i < spec->n_markers; i++) {
        const TsPlotMarker *m = &spec->markers[i];
        if (!m->label || !m->label[0]) continue;
        int col = ts_plot_x_to_col(l, m->x);
        if (col < 0) continue;
        int c = col - l->area.x, w = ts_text_width(m->label);
        int starts[2] = {c + 1, c - w};
        for (int s = 0; s < 2; s++) {
            int st = starts[s];
            if (st < 0 || st + w > l->area.w || w <= 0) continue;
            bool free_cells = true;
            for (int k = st; k < st + w && free_cells; k++)
                if (taken[k] || ts_canvas_cell_used(&f->canvas, k, 0)) free_cells = false;
            if (!free_cells) continue;
            ts_cellbuf_put_str(buf, l->area.x + st, l->area.y, w, m->label, m->style);
            for (int k = st; k < st + w; k++) taken[k] = 1;
            taken[c] = 1;
            break;
        }
    }
}

void ts_plot_render(const TsPlotSpec *spec, TsCellBuf *buf, TsRect rect, TsPlotLayout *layout) {
    TsPlotLayout local;
    TsPlotLayout *l = layout ? layout : &local;
    ts_plot_layout(spec, rect, l);
    ts_cellbuf_fill(buf, rect, ' ', sid(TS_STYLE_DEFAULT));
    if (!l->ok) return;
    const Glyphs *g = l->mode == TS_CANVAS_ASCII ? &glyphs_ascii : &glyphs_unicode;

    Frame f;
    f.spec = spec;
    f.l = l;
    ts_canvas_init(&f.canvas, l->mode, l->area.w, l->area.h);
    f.W = f.canvas.w;
    f.H = f.canvas.h;
    f.edges = ts_xmalloc(((size_t)f.W + 1) * sizeof *f.edges);
    for (int d = 0; d <= f.W; d++) f.edges[d] = ts_axis_value(&l->xaxis, (double)d / f.W);
    f.edges[0] = l->xaxis.lo;
    f.edges[f.W] = l->xaxis.hi;
    f.cols = ts_xmalloc((size_t)f.W * sizeof *f.cols);
    f.lane = ts_xcalloc((size_t)l->area.w, 1);

    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < spec->n_series; i++)
            if (spec->series[i].dimmed == (pass == 0)) draw_series(&f, &spec->series[i]);

    /* Under the curves: shaded spans, then marker and seam lines. */
    for (size_t i = 0; i < spec->n_spans; i++) {
        const TsPlotSpan *s = &spec->spans[i];
        double a = s->x0 > l->xaxis.lo ? s->x0 : l->xaxis.lo;
        double b = s->x1 < l->xaxis.hi ? s->x1 : l->xaxis.hi;
        if (!(a <= b)) continue;
        int c0 = ts_axis_cell(&l->xaxis, a, l->area.w), c1 = ts_axis_cell(&l->xaxis, b, l->area.w);
        if (c0 < 0 || c1 < 0) continue;
        ts_cellbuf_fill(buf, (TsRect){l->area.x + c0, l->area.y, c1 - c0 + 1, l->area.h}, ' ', s->style);
    }
    for (size_t i = 0; i < spec->n_markers; i++) {
        int col = ts_plot_x_to_col(l, spec->markers[i].x);
        if (col >= 0) vline(buf, l, col, g->marker, spec->markers[i].style);
    }
    bool seams_shown = false;
    if (!spec->no_seams) {
        for (size_t i = 0; i < spec->n_series; i++) {
            const TsLod *lod = spec->series[i].lod;
            if (!lod) continue;
            size_t nseg = ts_lod_segment_count(lod);
            for (size_t k = 1; k < nseg; k++) {
                if (!ts_lod_is_seam(lod, k)) continue;
                size_t s, e;
                ts_lod_segment(lod, k, &s, &e);
                int col = ts_plot_x_to_col(l, ts_lod_x(lod, s));
                if (col < 0) continue;
                vline(buf, l, col, g->seam, sid(TS_STYLE_SEAM));
                seams_shown = true;
            }
        }
    }
    ts_canvas_to_cells(&f.canvas, buf, l->area.x, l->area.y);

    uint8_t *taken = ts_xcalloc((size_t)l->area.w, 1);
    draw_marker_labels(buf, &f, taken);
    free(taken);

    /* Marker lanes. */
    unsigned seen = 0;
    for (int c = 0; c < l->area.w; c++) {
        unsigned fl = f.lane[c];
        seen |= fl;
        if (l->top_lane.h && (fl & (LANE_NAN | LANE_POSINF)))
            ts_cellbuf_put(buf, l->area.x + c, l->top_lane.y, (fl & LANE_NAN) ? g->nan : g->posinf,
                           sid(TS_STYLE_NONFINITE));
        if (l->bottom_lane.h && (fl & (LANE_NEGINF | LANE_NONPOS)))
            ts_cellbuf_put(buf, l->area.x + c, l->bottom_lane.y, g->neginf, sid(TS_STYLE_NONFINITE));
    }

    /* The cursor goes over everything: data cells keep their glyph, reversed. */
    if (spec->has_cursor) {
        int col = ts_plot_x_to_col(l, spec->cursor_x);
        if (col >= 0) {
            int top = l->top_lane.h ? l->top_lane.y : l->area.y;
            int bottom = l->area.y + l->area.h + (l->bottom_lane.h ? 1 : 0);
            for (int y = top; y < bottom; y++) {
                const TsCell *cell = ts_cellbuf_at(buf, col, y);
                if (!cell) continue;
                bool in_area = y >= l->area.y && y < l->area.y + l->area.h;
                bool data = in_area ? ts_canvas_cell_used(&f.canvas, col - l->area.x, y - l->area.y)
                                    : cell->cp != ' ';
                if (data) ts_cellbuf_put(buf, col, y, cell->cp, cell->style | TS_STYLE_REVERSE);
                else ts_cellbuf_put(buf, col, y, g->cursor, sid(TS_STYLE_CURSOR));
            }
        }
    }

    unsigned lanes_all = data_lanes(spec);
    draw_axes(buf, l, g, lanes_all);

    if (l->legend_y >= 0) {
        int x = l->area.x, right = rect.x + rect.w;
        for (size_t i = 0; i < spec->n_series && x >= 0; i++) {
            const TsPlotSeries *s = &spec->series[i];
            if (!s->label) continue;
            x = legend_item(buf, x, l->legend_y, right, g->sample, s->style | (s->dimmed ? TS_STYLE_DIM : 0),
                            s->label);
        }
        struct { unsigned flag; uint32_t cp; const char *text; } ind[] = {
            {LANE_NAN, g->nan, "NaN"},
            {LANE_POSINF, g->posinf, "+Inf"},
            {LANE_NEGINF, g->neginf, "-Inf"},
            {LANE_NONPOS, g->neginf, g->nonpos},
        };
        for (size_t i = 0; i < sizeof ind / sizeof ind[0] && x >= 0; i++)
            if (seen & ind[i].flag)
                x = legend_glyph(buf, x, l->legend_y, right, ind[i].cp, sid(TS_STYLE_NONFINITE), ind[i].text);
        if (seams_shown && x >= 0) legend_glyph(buf, x, l->legend_y, right, g->seam, sid(TS_STYLE_SEAM), "seam");
    }

    free(f.edges);
    free(f.cols);
    free(f.lane);
    ts_canvas_fini(&f.canvas);
}
