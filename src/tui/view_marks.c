/* view_marks.c - the marks panel (M) over the plot, and the status-line
 * prompts for labels, export paths and consent.
 * Layer: tui (draws into a TsCellBuf; no curses). License: MIT. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/sanitize.h"
#include "trajscope/xalloc.h"
#include "tui/app_phases.h"
#include "tui/app_runs.h"

/* The panel's rectangle: the right part of the plot area. */
static TsRect panel_rect(const TsApp *app) {
    TsRect p = app->layout.plot;
    int w = p.w * 3 / 5;
    if (w < 44) w = 44;
    if (w > p.w) w = p.w;
    return (TsRect){p.x + p.w - w, p.y, w, p.h};
}

static int error_rows(const TsApp *app) {
    int n = 0;
    const AppPhases *ph = app->phases;
    for (size_t r = 0; ph && r < ph->n_rm; r++)
        if (ph->rm[r].loaded && ph->rm[r].err[0] && app_runs_visible(app, r)) n++;
    return n;
}

int view_marks_rows(const TsApp *app) {
    TsRect r = panel_rect(app);
    int rows = r.h - 2 - error_rows(app);
    return rows > 1 ? rows : 1;
}

void view_marks_draw(const TsApp *app, TsCellBuf *buf) {
    const AppPhases *ph = app->phases;
    if (!ph || !ph->panel || app->layout.too_small) return;
    TsRect r = panel_rect(app);
    if (r.w < 10 || r.h < 3) return;
    ts_cellbuf_fill(buf, r, ' ', TS_STYLE_LIST);
    uint32_t vbar = app->utf8 ? 0x2502 : '|';
    for (int y = r.y; y < r.y + r.h; y++) ts_cellbuf_put(buf, r.x, y, vbar, TS_STYLE_AXIS);
    int x0 = r.x + 2, w = r.w - 3;

    size_t n = app_marks_total(app);
    char title[160];
    snprintf(title, sizeof title, "Marks (%zu)", n);
    ts_cellbuf_fill(buf, (TsRect){r.x + 1, r.y, r.w - 1, 1}, ' ', TS_STYLE_TITLE | TS_STYLE_REVERSE);
    ts_cellbuf_put_str(buf, x0, r.y, w, title, TS_STYLE_TITLE | TS_STYLE_REVERSE | TS_STYLE_BOLD);

    int y = r.y + 1;
    for (size_t k = 0; k < ph->n_rm; k++) {
        if (!ph->rm[k].loaded || !ph->rm[k].err[0] || !app_runs_visible(app, k)) continue;
        ts_cellbuf_put_str(buf, x0, y++, w, ph->rm[k].err, TS_STYLE_ERROR);
    }
    int rows = view_marks_rows(app);
    if (n == 0) {
        ts_cellbuf_put_str(buf, x0, y, w, "No marks: m marks the cursor step, i starts an interval,", TS_STYLE_LIST);
        ts_cellbuf_put_str(buf, x0, y + 1, w, "d detects change points (a accepts one).", TS_STYLE_LIST);
    } else {
        AppMarkRef *refs = ts_xmalloc(n * sizeof *refs);
        app_marks_list(app, refs, n);
        bool runs = app->n_runs > 1;
        for (int row = 0; row < rows; row++) {
            size_t i = ph->panel_top + (size_t)row;
            if (i >= n) break;
            const TsMark *m = ts_marks_get(ph->rm[refs[i].run].set, refs[i].id);
            if (!m) continue;
            char steps[64];
            if (m->kind == TS_MARK_POINT)
                snprintf(steps, sizeof steps, "%" PRId64, m->start_step);
            else
                snprintf(steps, sizeof steps, "%" PRId64 "..%" PRId64, m->start_step, m->end_step);
            char *label = ts_sanitize_dup(m->label[0] ? m->label : "");
            char line[512];
            bool det = strncmp(m->source, "detector:", 9) == 0;
            snprintf(line, sizeof line, "%.16s%s%4" PRIu64 " %-8s %15s  %s%s", runs ? app->run_names[refs[i].run] : "",
                     runs ? "  " : "", m->id, ts_mark_kind_name(m->kind),
                     steps, label[0] ? label : "(no label)", det ? "  [detector]" : "");
            free(label);
            bool sel = i == ph->panel_sel;
            TsStyle st = sel ? TS_STYLE_LIST_SELECTED : TS_STYLE_LIST;
            if (sel) ts_cellbuf_fill(buf, (TsRect){r.x + 1, y + row, r.w - 1, 1}, ' ', st);
            ts_cellbuf_put_str(buf, x0, y + row, w, line, st);
        }
        free(refs);
    }
    const char *help = "Enter jump  e label  D delete  u undo  Esc close";
    ts_cellbuf_put_str(buf, x0, r.y + r.h - 1, w, help, TS_STYLE_HELP_TEXT);
}

void app_phases_draw(const TsApp *app, TsCellBuf *buf) {
    view_marks_draw(app, buf);
}

/* Draws text so that its end (and the cursor after it) stays visible:
 * leading characters are dropped when it is wider than max_w. Returns the
 * columns used. */
static int put_tail(TsCellBuf *buf, int x, int y, int max_w, const char *text, TsStyle st, bool utf8) {
    if (max_w <= 0) return 0;
    char *clean = ts_sanitize_dup(text);
    int total = ts_text_width(clean);
    const char *p = clean;
    int used = 0;
    if (total > max_w) {
        const char *ell = utf8 ? "\xe2\x80\xa6" : "<";
        used = ts_cellbuf_put_str(buf, x, y, 1, ell, st);
        /* Drop characters from the front until the rest fits. */
        int need = total - (max_w - used);
        char one[8];
        while (*p && need > 0) {
            size_t len = 1;
            while (p[len] && ((unsigned char)p[len] & 0xc0) == 0x80) len++;
            memcpy(one, p, len < sizeof one ? len : sizeof one - 1);
            one[len < sizeof one ? len : sizeof one - 1] = '\0';
            need -= ts_text_width(one);
            p += len;
        }
    }
    used += ts_cellbuf_put_str(buf, x + used, y, max_w - used, p, st);
    free(clean);
    return used;
}

bool app_phases_prompt_draw(const TsApp *app, TsCellBuf *buf, TsRect r) {
    const AppPhases *ph = app->phases;
    if (!ph || !app->prompt || app->prompt_kind < APP_PROMPT_MARK_LABEL) return false;
    ts_cellbuf_fill(buf, r, ' ', TS_STYLE_PROMPT);
    char title[APP_MSG_MAX + 32];
    const char *hint;
    if (app->prompt_kind == APP_PROMPT_CONFIRM) {
        snprintf(title, sizeof title, "%s [y/N] ", ph->confirm_text);
        int x = r.x + put_tail(buf, r.x, r.y, r.w - 1, title, TS_STYLE_PROMPT | TS_STYLE_BOLD, app->utf8);
        ts_cellbuf_put(buf, x, r.y, ' ', TS_STYLE_PROMPT | TS_STYLE_REVERSE);
        return true;
    }
    if (app->prompt_kind == APP_PROMPT_MARK_LABEL) {
        snprintf(title, sizeof title, "label of mark %" PRIu64 ": ", ph->edit.id);
        hint = "(Enter: save, Esc: cancel)";
    } else {
        snprintf(title, sizeof title, "export to: ");
        hint = "(.csv or .json: statistics; .h5: one archive per span; Esc: cancel)";
    }
    int x = r.x + ts_cellbuf_put_str(buf, r.x, r.y, r.w, title, TS_STYLE_PROMPT | TS_STYLE_BOLD);
    int hint_w = ts_text_width(hint) + 2;
    int room = r.x + r.w - x - 1;
    bool show_hint = room - hint_w >= 20 && ts_text_width(app->prompt_buf) < room - hint_w;
    int field = show_hint ? room - hint_w : room;
    x += put_tail(buf, x, r.y, field, app->prompt_buf, TS_STYLE_PROMPT, app->utf8);
    ts_cellbuf_put(buf, x, r.y, ' ', TS_STYLE_PROMPT | TS_STYLE_REVERSE);
    if (show_hint) ts_cellbuf_put_str(buf, x + 2, r.y, r.x + r.w - x - 2, hint, TS_STYLE_STATUS);
    return true;
}
