/* view_bars.c - the header line, the status line (cursor readout, prompt,
 * messages) and the "terminal too small" screen.
 * Layer: tui (draws into a TsCellBuf; no curses). License: MIT. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "trajscope/fmt.h"
#include "tui/app_compare.h"
#include "tui/app_phases.h"
#include "tui/app_priv.h"
#include "tui/app_runs.h"
#include "tui/readout.h"

const char *app_glyph(const TsApp *app, const char *utf8, const char *ascii) {
    return app->utf8 ? utf8 : ascii;
}

/* Appends printf text to buf at *used (truncating at cap). */
static void add(char *buf, size_t cap, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t cap, size_t *used, const char *fmt, ...) {
    if (*used >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    *used += (size_t)n < cap - *used ? (size_t)n : cap - *used - 1;
}

/* An x position as text for the current axis. */
static void fmt_x(const TsApp *app, char *buf, size_t cap, double x) {
    if (app->set.x_axis == TS_XAXIS_STEP)
        ts_fmt_si(buf, cap, x, 4);
    else
        ts_fmt_duration(buf, cap, x - app_x_origin(app));
}

void view_header_draw(const TsApp *app, TsCellBuf *buf, TsRect r) {
    TsStyle st = TS_STYLE_HEADER;
    ts_cellbuf_fill(buf, r, ' ', st);
    const char *sep = app_glyph(app, " \xe2\x94\x82 ", " | ");
    char left[512];
    size_t used = 0;
    if (app->n_runs == 1)
        add(left, sizeof left, &used, " %s", app->run_names[0]);
    else
        add(left, sizeof left, &used, " %zu runs", app->n_runs);
    size_t f = app_focus_track(app);
    if (f != SIZE_MAX) add(left, sizeof left, &used, "%s%s", sep, app->tracks[f].label);

    char right[512], a[TS_FMT_MAX], b[TS_FMT_MAX];
    used = 0;
    add(right, sizeof right, &used, "x: %s", ts_xaxis_name(app->set.x_axis));
    if (app->set.log_x) add(right, sizeof right, &used, " log-x");
    if (app->set.log_y) add(right, sizeof right, &used, "%slog-y", sep);
    if (app->set.smoothing == TS_SMOOTH_OFF)
        add(right, sizeof right, &used, "%ssmooth: off", sep);
    else
        add(right, sizeof right, &used, "%ssmooth: %s %.2f", sep, ts_smooth_name(app->set.smoothing),
            app->set.smooth_weight);
    if (app->zoomed && app->n_panels > 0) {
        fmt_x(app, a, sizeof a, app->panels[0].spec.x0);
        fmt_x(app, b, sizeof b, app->panels[0].spec.x1);
        add(right, sizeof right, &used, "%sview: %s%s%s", sep, a, app_glyph(app, "\xe2\x80\x93", ".."), b);
    } else {
        add(right, sizeof right, &used, "%sview: all", sep);
    }
    if (app->set.follow) add(right, sizeof right, &used, "%sfollow", sep);
    char cmp[256];
    app_cmp_header_text(app, cmp, sizeof cmp); /* alignment, groups, side by side */
    if (cmp[0]) add(right, sizeof right, &used, "%s%s", sep, cmp);
    add(right, sizeof right, &used, " ");

    int rw = ts_text_width(right);
    int lw = r.w - rw - 1;
    if (lw < 10) lw = r.w; /* narrow: the run and metric first */
    int used_l = ts_cellbuf_put_str(buf, r.x, r.y, lw, left, st | TS_STYLE_BOLD);
    if (r.x + used_l + 1 + rw <= r.x + r.w) ts_cellbuf_put_str(buf, r.x + r.w - rw, r.y, rw, right, st);
}

/* The readout: "step N  label value ~smoothed  label value @step ...". */
static void readout_text(const TsApp *app, char *buf, size_t cap) {
    size_t used = 0;
    buf[0] = '\0';
    size_t f = app_focus_track(app);
    if (f == SIZE_MAX) {
        add(buf, cap, &used, "no metric shown: Tab opens the list, Space shows a metric");
        return;
    }
    const TsTrack *ft = &app->tracks[f];
    const TsLod *flod = app_track_lod(app, ft, false);
    size_t fi;
    if (app->pinned && app->pin_track == f && app->pin_index < ft->s.n)
        fi = app->pin_index;
    else if (!app->have_cursor || !ts_readout_nearest(flod, app->cursor_x, &fi)) {
        add(buf, cap, &used, "%s: no points", ft->label);
        return;
    }
    int64_t step = ft->s.step[fi];
    add(buf, cap, &used, "step %lld", (long long)step);
    if (app->set.x_axis != TS_XAXIS_STEP) {
        char d[TS_FMT_MAX];
        ts_fmt_duration(d, sizeof d, ts_lod_x(flod, fi) - app_x_origin(app));
        add(buf, cap, &used, " (%s)", d);
    }
    for (size_t i = 0; i < app->n_tracks; i++) {
        const TsTrack *t = &app->tracks[i];
        if (!t->shown) continue;
        const TsLod *lod = app_track_lod(app, t, false);
        size_t idx;
        if (!lod) continue;
        if (i == f)
            idx = fi;
        else if (!ts_readout_nearest(lod, app->pinned ? ts_lod_x(flod, fi) : app->cursor_x, &idx))
            continue;
        char v[48];
        ts_readout_format(v, sizeof v, t->s.value[idx], t->float32);
        add(buf, cap, &used, "  %s %s", t->label, v);
        if (app->set.smoothing != TS_SMOOTH_OFF && t->smooth && t->smooth_m == app->set.smoothing) {
            char sv[TS_FMT_MAX];
            double s = t->smooth[idx];
            if (isfinite(s))
                snprintf(sv, sizeof sv, "%.5g", s);
            else
                ts_readout_format(sv, sizeof sv, s, false);
            add(buf, cap, &used, " ~%s", sv);
        }
        if (t->s.step[idx] != step) add(buf, cap, &used, " @%lld", (long long)t->s.step[idx]);
    }
}

void ts_app_readout(TsApp *app, char *buf, size_t cap) {
    TsCellBuf tmp;
    ts_cellbuf_init(&tmp, 1, 1);
    if (!app->geom_valid) ts_app_render(app, &tmp);
    ts_cellbuf_fini(&tmp);
    readout_text(app, buf, cap);
}

/* "first non-finite at step N (label)" for the earliest one among shown
 * metrics; "" when all values are finite. */
static void nonfinite_text(const TsApp *app, char *buf, size_t cap) {
    buf[0] = '\0';
    const TsTrack *first = NULL;
    size_t count = 0;
    for (size_t i = 0; i < app->n_tracks; i++) {
        const TsTrack *t = &app->tracks[i];
        if (!t->shown || !t->loaded || !t->st.has_nonfinite) continue;
        count++;
        if (!first || t->st.first_nonfinite_step < first->st.first_nonfinite_step) first = t;
    }
    if (!first) return;
    double v = first->s.value[first->st.first_nonfinite_index];
    snprintf(buf, cap, "%s first non-finite at step %lld (%s %s%s)", app_glyph(app, "\xe2\x9a\xa0", "!"),
             (long long)first->st.first_nonfinite_step, first->label,
             isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf", count > 1 ? ", more" : "");
}

void view_status_draw(const TsApp *app, TsCellBuf *buf, TsRect r) {
    ts_cellbuf_fill(buf, r, ' ', TS_STYLE_STATUS);
    if (view_runs_prompt_draw(app, buf, r)) return; /* run filter, group key */
    if (app_phases_prompt_draw(app, buf, r)) return; /* mark label, export path, y/n */
    if (app->prompt) {
        int x = r.x + ts_cellbuf_put_str(buf, r.x, r.y, r.w, "filter: /", TS_STYLE_PROMPT);
        x += ts_cellbuf_put_str(buf, x, r.y, r.x + r.w - x, app->prompt_buf, TS_STYLE_PROMPT);
        ts_cellbuf_put(buf, x, r.y, ' ', TS_STYLE_PROMPT | TS_STYLE_REVERSE);
        ts_cellbuf_put_str(buf, x + 2, r.y, r.x + r.w - x - 2, "(Enter: keep, Esc: clear)", TS_STYLE_STATUS);
        return;
    }
    char right[APP_MSG_MAX + 8];
    TsStyle rst = TS_STYLE_STATUS;
    if (app->msg[0]) {
        snprintf(right, sizeof right, "%s ", app->msg);
        rst = app->msg_error ? TS_STYLE_ERROR : TS_STYLE_STATUS;
    } else if (app->note[0]) {
        snprintf(right, sizeof right, "%s ", app->note);
        rst = TS_STYLE_ERROR;
    } else if (app_phases_status(app, right, sizeof right)) {
        /* detection: running, or method, cost, penalty and count; an open interval */
    } else if (app->loading > 0) {
        snprintf(right, sizeof right, "reading %zu more metric%s... ", app->loading, app->loading > 1 ? "s" : "");
    } else if (app_runs_status_text(app, right, sizeof right - 2), right[0]) {
        strcat(right, " "); /* unaligned runs, columns that do not fit */
    } else {
        nonfinite_text(app, right, sizeof right - 2);
        if (right[0]) {
            strcat(right, " ");
            rst = TS_STYLE_NONFINITE;
        } else if (app->n_groups > app->n_panels && app->n_panels > 0) {
            int more = app->n_groups - app->n_panels;
            snprintf(right, sizeof right, "%d more panel%s do%s not fit (o overlays) ", more, more > 1 ? "s" : "",
                     more > 1 ? "" : "es");
        }
    }
    char left[2048];
    readout_text(app, left, sizeof left);
    int rw = ts_text_width(right);
    int lw = ts_text_width(left) + 2;
    /* The readout keeps at least its step; the right part gets the rest. */
    int min_left = 16;
    if (rw > r.w - min_left) rw = r.w - min_left > 0 ? r.w - min_left : 0;
    if (lw > r.w - rw) lw = r.w - rw;
    ts_cellbuf_put_str(buf, r.x + 1, r.y, lw - 1, left, TS_STYLE_STATUS | TS_STYLE_BOLD);
    if (rw > 0) {
        ts_cellbuf_put_str(buf, r.x + r.w - rw, r.y, rw, right, rst);
    }
}

void view_too_small_draw(const TsApp *app, TsCellBuf *buf) {
    char msg[96];
    snprintf(msg, sizeof msg, "terminal too small: need %dx%d", app->layout.need_cols, app->layout.need_rows);
    char size[48];
    snprintf(size, sizeof size, "(now %dx%d; q quits)", app->w, app->h);
    ts_cellbuf_clear(buf, TS_STYLE_DEFAULT);
    int y = buf->h / 2 - 1 < 0 ? 0 : buf->h / 2 - 1;
    int mw = ts_text_width(msg);
    int x = (buf->w - mw) / 2;
    ts_cellbuf_put_str(buf, x < 0 ? 0 : x, y, buf->w, msg, TS_STYLE_ERROR);
    int sw = ts_text_width(size);
    x = (buf->w - sw) / 2;
    if (y + 1 < buf->h) ts_cellbuf_put_str(buf, x < 0 ? 0 : x, y + 1, buf->w, size, TS_STYLE_DEFAULT);
}
