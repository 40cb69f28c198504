/* view_runs.c - the run list (colour, name, sparkline of the focused
 * metric, last and best value, last step, live marker) and the readout
 * table (runs x shown metrics at the cursor, best highlighted), and the
 * run list's prompts on the status line.
 * Layer: tui (draws into a TsCellBuf; no curses). License: MIT. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/canvas.h"
#include "trajscope/xalloc.h"
#include "tui/app_compare.h"
#include "tui/app_priv.h"
#include "tui/app_runs.h"
#include "tui/readout.h"

/* ---- the run list ---- */

static int clampi(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

static void fmt_short(char *buf, size_t cap, double v) {
    if (isnan(v)) snprintf(buf, cap, "NaN");
    else if (isinf(v)) snprintf(buf, cap, v > 0 ? "+Inf" : "-Inf");
    else snprintf(buf, cap, "%.4g", v);
}

/* Right-aligned text ending at column x_end (exclusive). */
static void put_right(TsCellBuf *buf, int x_end, int y, int w, const char *text, TsStyle st) {
    int tw = ts_text_width(text);
    if (tw > w) tw = w;
    ts_cellbuf_put_str(buf, x_end - tw, y, tw, text, st);
}

/* A one-row sparkline of w cells from the summary's buckets. */
static void draw_spark(const TsApp *app, TsCellBuf *buf, int x, int y, int w, const AppRunSummary *s, TsStyle st) {
    if (w <= 0) return;
    TsCanvas cv;
    ts_canvas_init(&cv, app->utf8 ? TS_CANVAS_BRAILLE : TS_CANVAS_ASCII, w, 1);
    double lo = s->sum.vmin, hi = s->sum.vmax;
    if (isfinite(lo) && isfinite(hi)) {
        int D = cv.w, H = cv.h;
        for (int j = 0; j < D; j++) {
            size_t b0 = (size_t)j * APP_SPARK_BUCKETS / (size_t)D;
            size_t b1 = (size_t)(j + 1) * APP_SPARK_BUCKETS / (size_t)D;
            if (b1 <= b0) b1 = b0 + 1;
            double mn = NAN, mx = NAN;
            for (size_t b = b0; b < b1 && b < APP_SPARK_BUCKETS; b++) {
                if (!isfinite(s->b[b].min)) continue;
                if (!(s->b[b].min >= mn)) mn = s->b[b].min;
                if (!(s->b[b].max <= mx)) mx = s->b[b].max;
            }
            if (!isfinite(mn)) continue;
            int r0, r1;
            if (hi > lo) {
                r0 = (H - 1) - (int)floor((mn - lo) / (hi - lo) * (H - 1) + 0.5);
                r1 = (H - 1) - (int)floor((mx - lo) / (hi - lo) * (H - 1) + 0.5);
            } else {
                r0 = r1 = H / 2;
            }
            ts_canvas_vspan(&cv, j, clampi(r1, 0, H - 1), clampi(r0, 0, H - 1), st);
        }
    }
    ts_canvas_to_cells(&cv, buf, x, y);
    ts_canvas_fini(&cv);
}

static void draw_list(const TsApp *app, TsCellBuf *buf, TsRect r) {
    const AppRuns *rs = app->rs;
    ts_cellbuf_fill(buf, r, ' ', TS_STYLE_LIST);
    size_t k = app_runs_focus_name(app);
    const char *metric = k != SIZE_MAX ? rs->names[k] : "(no metric)";
    bool lower = k != SIZE_MAX && ts_compare_lower_is_better(metric);

    /* Columns: marker, name, sparkline, last, best, steps, live. */
    int name_w = 4;
    for (size_t i = 0; i < rs->n_rows; i++) {
        int w = ts_text_width(app->run_names[rs->rows[i]]);
        if (w > name_w) name_w = w;
    }
    name_w = clampi(name_w, 4, r.w / 3 > 8 ? r.w / 3 : 8);
    if (name_w > 40) name_w = 40;
    const int val_w = 10, step_w = 9, live_w = 5;
    int spark_w = r.w - (3 + name_w + 2 + 2 + val_w + 1 + val_w + 1 + step_w + live_w);
    if (spark_w > 40) spark_w = 40;
    if (spark_w < 6) spark_w = 0;
    int x_name = r.x + 3, x_spark = x_name + name_w + 2;
    int x_last_end = x_spark + spark_w + (spark_w ? 2 : 0) + val_w;
    int x_best_end = x_last_end + 1 + val_w, x_step_end = x_best_end + 1 + step_w, x_live = x_step_end + 1;

    /* Title row with the column heads. */
    size_t nsel = 0;
    for (size_t i = 0; i < app->n_runs; i++) nsel += rs->runs[i].selected;
    char title[256];
    const char *sorts[] = {"name", "last", "best", "steps"};
    int n = snprintf(title, sizeof title, "%sRuns %zu/%zu selected", rs->focus ? ">" : " ", nsel, app->n_runs);
    if (rs->filter_text[0] && n > 0 && (size_t)n < sizeof title)
        n += snprintf(title + n, sizeof title - (size_t)n, ", filter '%s': %zu", rs->filter_text, rs->n_rows);
    if (n > 0 && (size_t)n < sizeof title)
        snprintf(title + n, sizeof title - (size_t)n, ", by %s", sorts[rs->sort < TS_RUNSORT_COUNT ? rs->sort : 0]);
    TsStyle tst = TS_STYLE_TITLE | (rs->focus ? TS_STYLE_BOLD : 0);
    int heads = x_live <= r.x + r.w ? x_last_end - val_w : r.x + r.w;
    int used = ts_cellbuf_put_str(buf, r.x, r.y, heads - r.x - 1, title, tst);
    int xm = r.x + used + 2 > x_spark ? r.x + used + 2 : x_spark;
    if (heads - xm > 4) ts_cellbuf_put_str(buf, xm, r.y, heads - xm - 1, metric, TS_STYLE_TITLE);
    if (x_live <= r.x + r.w) {
        put_right(buf, x_last_end, r.y, val_w, "last", TS_STYLE_TITLE);
        put_right(buf, x_best_end, r.y, val_w, lower ? "best(min)" : "best(max)", TS_STYLE_TITLE);
        put_right(buf, x_step_end, r.y, step_w, "step", TS_STYLE_TITLE);
    }

    int rows = r.h - 1;
    for (int i = 0; i < rows; i++) {
        size_t ri = rs->top + (size_t)i;
        if (ri >= rs->n_rows) break;
        size_t run = rs->rows[ri];
        const AppRun *ar = &rs->runs[run];
        int y = r.y + 1 + i;
        bool cur = ri == rs->cur && rs->focus;
        TsStyle base = cur ? TS_STYLE_LIST_SELECTED : ar->selected ? TS_STYLE_LIST : TS_STYLE_LIST_HIDDEN;
        if (cur) ts_cellbuf_fill(buf, (TsRect){r.x, y, r.w, 1}, ' ', base);
        TsStyle colour = ts_style_series((unsigned)run);
        const char *mark = ar->selected ? app_glyph(app, "\xe2\x97\x8f", "*") : app_glyph(app, "\xe2\x97\x8b", "-");
        ts_cellbuf_put_str(buf, r.x + 1, y, 1, mark, ar->selected ? colour : (TsStyle)(colour | TS_STYLE_DIM));
        ts_cellbuf_put_str(buf, x_name, y, name_w, app->run_names[run], base);
        const AppRunSummary *s = &ar->sum;
        bool ok = s->valid && s->name_id == k;
        if (!ok) {
            if (spark_w) ts_cellbuf_put_str(buf, x_spark, y, spark_w, app_glyph(app, "\xe2\x80\xa6", "..."), base);
        } else if (!s->has_data) {
            if (spark_w) ts_cellbuf_put_str(buf, x_spark, y, spark_w, "(no such metric)", TS_STYLE_LIST_HIDDEN);
        } else {
            draw_spark(app, buf, x_spark, y, spark_w, s, colour);
            char v[32];
            if (x_live <= r.x + r.w) {
                fmt_short(v, sizeof v, s->sum.last);
                put_right(buf, x_last_end, y, val_w, v, base);
                fmt_short(v, sizeof v, lower ? s->st.vmin : s->st.vmax);
                put_right(buf, x_best_end, y, val_w, v, base);
                snprintf(v, sizeof v, "%lld", (long long)s->st.step_max);
                put_right(buf, x_step_end, y, step_w, v, base);
            }
        }
        if (ar->live && x_live + 4 <= r.x + r.w)
            ts_cellbuf_put_str(buf, x_live, y, 4, "live", TS_STYLE_NONFINITE | TS_STYLE_BOLD);
    }
    if (rs->n_rows == 0 && rows > 0)
        ts_cellbuf_put_str(buf, r.x + 3, r.y + 1, r.w - 3, "(no run matches the filter; f edits it, empty clears)",
                           TS_STYLE_LIST_HIDDEN);
}

/* ---- the readout table ---- */

#define CELL_MAX 48

typedef struct Table {
    size_t n_rows, n_cols;
    size_t *runs;       /* [n_rows] */
    size_t *names;      /* [n_cols] */
    char (*step)[24];   /* [n_rows] */
    char (*cell)[CELL_MAX]; /* [n_rows * n_cols] */
    bool *best;         /* [n_rows * n_cols] */
    size_t *best_row;   /* [n_cols] first best row, SIZE_MAX when none */
} Table;

static void table_free(Table *t) {
    free(t->runs);
    free(t->names);
    free(t->step);
    free(t->cell);
    free(t->best);
    free(t->best_row);
    memset(t, 0, sizeof *t);
}

static void table_build(const TsApp *app, Table *t) {
    memset(t, 0, sizeof *t);
    const AppRuns *rs = app->rs;
    double x;
    if (!rs || !app_cmp_cursor_x(app, &x)) return;
    size_t nv = app_runs_visible_count(app);
    if (nv == 0) return;
    t->runs = ts_xcalloc(nv, sizeof *t->runs);
    t->n_rows = app_runs_visible_list(app, t->runs, nv);
    /* Columns: the focused metric, then the other shown names. */
    size_t focus = app_runs_focus_name(app);
    t->names = ts_xcalloc(rs->n_names ? rs->n_names : 1, sizeof *t->names);
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < rs->n_names; k++) {
            if ((pass == 0) != (k == focus) || !rs->want[k]) continue;
            bool any = false;
            for (size_t i = 0; i < t->n_rows && !any; i++) {
                size_t ti = app_runs_track_of(app, t->runs[i], k);
                any = ti != SIZE_MAX && app->tracks[ti].shown && app_track_lod(app, &app->tracks[ti], false);
            }
            if (any) t->names[t->n_cols++] = k;
        }
    size_t nc = t->n_cols ? t->n_cols : 1;
    t->step = ts_xcalloc(t->n_rows, sizeof *t->step);
    t->cell = ts_xcalloc(t->n_rows * nc, sizeof *t->cell);
    t->best = ts_xcalloc(t->n_rows * nc, sizeof *t->best);
    t->best_row = ts_xcalloc(nc, sizeof *t->best_row);
    double *val = ts_xcalloc(t->n_rows * nc, sizeof *val);
    int64_t *stp = ts_xcalloc(t->n_rows * nc, sizeof *stp);
    bool *has = ts_xcalloc(t->n_rows * nc, sizeof *has);
    for (size_t i = 0; i < t->n_rows; i++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            size_t ti = app_runs_track_of(app, t->runs[i], t->names[c]);
            if (ti == SIZE_MAX || !app->tracks[ti].shown) continue;
            const TsTrack *tr = &app->tracks[ti];
            const TsLod *lod = app_track_lod(app, tr, false);
            size_t idx;
            if (!lod || !ts_readout_nearest(lod, x, &idx) || idx >= tr->s.n) continue;
            val[i * nc + c] = tr->s.value[idx];
            stp[i * nc + c] = tr->s.step[idx];
            has[i * nc + c] = true;
        }
        /* The row's step: its focused metric's nearest logged step. */
        size_t ref = SIZE_MAX;
        for (size_t c = 0; c < t->n_cols && ref == SIZE_MAX; c++)
            if (has[i * nc + c]) ref = c;
        if (ref == SIZE_MAX) {
            snprintf(t->step[i], sizeof t->step[i], "-");
        } else {
            snprintf(t->step[i], sizeof t->step[i], "%lld", (long long)stp[i * nc + ref]);
        }
        for (size_t c = 0; c < t->n_cols; c++) {
            char *out = t->cell[i * nc + c];
            if (!has[i * nc + c]) {
                snprintf(out, CELL_MAX, "-");
                continue;
            }
            size_t ti = app_runs_track_of(app, t->runs[i], t->names[c]);
            char v[40];
            ts_readout_format(v, sizeof v, val[i * nc + c], app->tracks[ti].float32);
            if (ref != SIZE_MAX && stp[i * nc + c] != stp[i * nc + ref])
                snprintf(out, CELL_MAX, "%s @%lld", v, (long long)stp[i * nc + c]);
            else
                snprintf(out, CELL_MAX, "%s", v);
        }
    }
    /* Best per column (every run that ties it). */
    for (size_t c = 0; c < t->n_cols; c++) {
        bool lower = ts_compare_lower_is_better(rs->names[t->names[c]]);
        double best = NAN;
        for (size_t i = 0; i < t->n_rows; i++) {
            double v = val[i * nc + c];
            if (!has[i * nc + c] || !isfinite(v)) continue;
            if (isnan(best) || (lower ? v < best : v > best)) best = v;
        }
        t->best_row[c] = SIZE_MAX;
        for (size_t i = 0; i < t->n_rows && !isnan(best); i++) {
            if (!has[i * nc + c] || val[i * nc + c] != best) continue;
            t->best[i * nc + c] = true;
            if (t->best_row[c] == SIZE_MAX) t->best_row[c] = i;
        }
    }
    free(val);
    free(stp);
    free(has);
}

static void draw_table(const TsApp *app, TsCellBuf *buf, TsRect r) {
    ts_cellbuf_fill(buf, r, ' ', TS_STYLE_LIST);
    Table t;
    table_build(app, &t);
    if (t.n_rows == 0 || t.n_cols == 0) {
        ts_cellbuf_put_str(buf, r.x + 1, r.y, r.w - 1,
                           app->have_cursor ? "Readout: no shown metric has points" : "Readout: no cursor yet",
                           TS_STYLE_TITLE);
        table_free(&t);
        return;
    }
    size_t nc = t.n_cols;
    int name_w = 4, step_w = 4;
    for (size_t i = 0; i < t.n_rows; i++) {
        int w = ts_text_width(app->run_names[t.runs[i]]);
        if (w > name_w) name_w = w;
        w = ts_text_width(t.step[i]);
        if (w > step_w) step_w = w;
    }
    if (name_w > 28) name_w = 28;
    int x = r.x + 3;
    ts_cellbuf_put_str(buf, r.x, r.y, 3 + name_w, " At cursor", TS_STYLE_TITLE | TS_STYLE_BOLD);
    x += name_w + 2;
    put_right(buf, x + step_w, r.y, step_w, "step", TS_STYLE_TITLE);
    int x_step = x;
    x += step_w + 2;
    int *col_x = ts_xcalloc(nc, sizeof *col_x), *col_w = ts_xcalloc(nc, sizeof *col_w);
    size_t shown_cols = 0;
    for (size_t c = 0; c < nc; c++) {
        int w = ts_text_width(app->rs->names[t.names[c]]);
        for (size_t i = 0; i < t.n_rows; i++) {
            int cw = ts_text_width(t.cell[i * nc + c]);
            if (cw > w) w = cw;
        }
        if (t.n_rows > 1 && t.best_row[c] != SIZE_MAX) {
            int bw = ts_text_width(app->run_names[t.runs[t.best_row[c]]]) + 4;
            if (bw > w) w = bw < 28 ? bw : 28;
        }
        if (x + w > r.x + r.w) break;
        col_x[c] = x;
        col_w[c] = w;
        x += w + 2;
        shown_cols++;
    }
    for (size_t c = 0; c < shown_cols; c++)
        put_right(buf, col_x[c] + col_w[c], r.y, col_w[c], app->rs->names[t.names[c]], TS_STYLE_TITLE);
    if (shown_cols < nc) {
        char more[32];
        snprintf(more, sizeof more, "+%zu", nc - shown_cols);
        put_right(buf, r.x + r.w, r.y, 6, more, TS_STYLE_TITLE);
    }
    int rows = r.h - 1 - (t.n_rows > 1 ? 1 : 0);
    if (rows < 1) rows = r.h - 1;
    for (size_t i = 0; i < t.n_rows && (int)i < rows; i++) {
        int y = r.y + 1 + (int)i;
        size_t run = t.runs[i];
        ts_cellbuf_put_str(buf, r.x + 1, y, 1, app_glyph(app, "\xe2\x97\x8f", "*"), ts_style_series((unsigned)run));
        ts_cellbuf_put_str(buf, r.x + 3, y, name_w, app->run_names[run], TS_STYLE_LIST);
        put_right(buf, x_step + step_w, y, step_w, t.step[i], TS_STYLE_LIST);
        for (size_t c = 0; c < shown_cols; c++) {
            bool best = t.best[i * nc + c] && t.n_rows > 1;
            put_right(buf, col_x[c] + col_w[c], y, col_w[c], t.cell[i * nc + c],
                      best ? (TsStyle)(TS_STYLE_LIST | TS_STYLE_BOLD | TS_STYLE_REVERSE) : TS_STYLE_LIST);
        }
    }
    if (t.n_rows > 1 && (int)t.n_rows <= rows && r.h >= (int)t.n_rows + 2) {
        int y = r.y + 1 + (int)t.n_rows;
        ts_cellbuf_put_str(buf, r.x + 3, y, name_w + step_w + 2, "best", TS_STYLE_TITLE | TS_STYLE_BOLD);
        for (size_t c = 0; c < shown_cols; c++) {
            if (t.best_row[c] == SIZE_MAX) continue;
            size_t ties = 0;
            for (size_t i = 0; i < t.n_rows; i++) ties += t.best[i * nc + c];
            char who[128];
            if (ties > 1) /* "r0+2": r0 and two more runs share the best value */
                snprintf(who, sizeof who, "%.80s+%zu", app->run_names[t.runs[t.best_row[c]]], ties - 1);
            else
                snprintf(who, sizeof who, "%.80s", app->run_names[t.runs[t.best_row[c]]]);
            put_right(buf, col_x[c] + col_w[c], y, col_w[c], who, ts_style_series((unsigned)t.runs[t.best_row[c]]));
        }
    }
    free(col_x);
    free(col_w);
    table_free(&t);
}

void view_runs_table_text(TsApp *app, char *buf, size_t cap) {
    TsCellBuf tmp;
    ts_cellbuf_init(&tmp, 1, 1);
    if (!app->geom_valid) ts_app_render(app, &tmp);
    ts_cellbuf_fini(&tmp);
    Table t;
    table_build(app, &t);
    size_t used = 0;
    buf[0] = '\0';
#define ADD(...)                                                                       \
    do {                                                                               \
        if (used < cap) {                                                              \
            int n_ = snprintf(buf + used, cap - used, __VA_ARGS__);                    \
            if (n_ > 0) used += (size_t)n_ < cap - used ? (size_t)n_ : cap - used - 1; \
        }                                                                              \
    } while (0)
    ADD("run\tstep");
    for (size_t c = 0; c < t.n_cols; c++) ADD("\t%s", app->rs->names[t.names[c]]);
    ADD("\n");
    size_t nc = t.n_cols ? t.n_cols : 1;
    for (size_t i = 0; i < t.n_rows; i++) {
        ADD("%s\t%s", app->run_names[t.runs[i]], t.step[i]);
        for (size_t c = 0; c < t.n_cols; c++) ADD("\t%s%s", t.cell[i * nc + c], t.best[i * nc + c] ? " *" : "");
        ADD("\n");
    }
#undef ADD
    table_free(&t);
}

void view_runs_draw(const TsApp *app, TsCellBuf *buf) {
    const AppRuns *rs = app->rs;
    if (!rs || app->layout.too_small) return;
    if (rs->list_rect.w > 0 && rs->list_rect.h > 0) draw_list(app, buf, rs->list_rect);
    if (rs->table_rect.w > 0 && rs->table_rect.h > 0) draw_table(app, buf, rs->table_rect);
}

bool view_runs_prompt_draw(const TsApp *app, TsCellBuf *buf, TsRect r) {
    const AppRuns *rs = app->rs;
    if (!rs || rs->prompt == APP_RUNS_PROMPT_NONE) return false;
    const char *label = rs->prompt == APP_RUNS_PROMPT_FILTER ? "filter runs: " : "group by key: ";
    const char *hint = rs->prompt == APP_RUNS_PROMPT_FILTER
                           ? "(name or key=value lr>=1e-3 ...; Enter applies, empty clears, Esc cancels)"
                           : "(runs differing only in this key; empty: the seed; Enter applies, Esc cancels)";
    int x = r.x + ts_cellbuf_put_str(buf, r.x, r.y, r.w, label, TS_STYLE_PROMPT);
    x += ts_cellbuf_put_str(buf, x, r.y, r.x + r.w - x, rs->prompt_buf, TS_STYLE_PROMPT);
    ts_cellbuf_put(buf, x, r.y, ' ', TS_STYLE_PROMPT | TS_STYLE_REVERSE);
    ts_cellbuf_put_str(buf, x + 2, r.y, r.x + r.w - x - 2, hint, TS_STYLE_STATUS);
    return true;
}
