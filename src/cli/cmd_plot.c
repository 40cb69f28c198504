/* cmd_plot.c - `trajscope plot FILE --metric NAME`: one metric as a terminal plot.
 * Layer: cli. License: MIT.
 *
 * Reads the whole metric, builds its min/max pyramid and renders it with
 * the same plot code as the explorer into a cell buffer, printed as text:
 * braille in a UTF-8 locale, ASCII with --ascii or in any other locale.
 * Every spike is drawn; NaN/Inf values are marked and counted in the footer. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "trajscope/cellbuf.h"
#include "trajscope/fmt.h"
#include "trajscope/lod.h"
#include "trajscope/plot.h"
#include "trajscope/sanitize.h"
#include "trajscope/series.h"
#include "trajscope/xalloc.h"

enum { PLOT_MIN_W = 20, PLOT_MIN_H = 6, PLOT_MAX_W = 2000, PLOT_MAX_H = 1000 };

static void plot_usage(FILE *out) {
    fputs("usage: trajscope plot FILE --metric NAME [OPTIONS]\n"
          "\n"
          "Prints one metric as a plot: every point is accounted for (each column\n"
          "spans the minimum to the maximum of all its points, so one-sample spikes\n"
          "show at any width), NaN/Inf values are marked above/below the plot, and\n"
          "resumed runs (steps going back) are drawn per segment with a seam line.\n"
          "\n"
          "  -m, --metric NAME  the metric, e.g. train/loss (or just loss when unique)\n"
          "  -W, --width N      columns (default: terminal width, or 80)\n"
          "  -H, --height N     lines including title and footer (default 20)\n"
          "      --logx         log10(1 + step) x axis\n"
          "      --logy         log10 y axis (values <= 0 are marked, not drawn)\n"
          "      --wall-time    x = wall time since the first point\n"
          "      --ascii        plain ASCII (default when the locale is not UTF-8)\n"
          "      --block        quadrant blocks instead of braille\n"
          "  -h, --help         show this help\n"
          "\n"
          "Exit status: 0 ok, 1 usage error, 2 unreadable file or unknown metric.\n",
          out);
}

static int terminal_width(void) {
    if (!isatty(STDOUT_FILENO)) return 0;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 0;
}

/* Replaces every non-ASCII cell so the output is pure ASCII. */
static void force_ascii(TsCellBuf *b) {
    size_t n = (size_t)b->w * (size_t)b->h;
    for (size_t i = 0; i < n; i++)
        if (b->cells[i].cp == 0 || b->cells[i].cp >= 0x80) b->cells[i].cp = '?';
}

typedef struct PlotOpts {
    const char *metric;
    long width, height;
    bool logx, logy, wall, ascii, block;
} PlotOpts;

/* The footer: counts first (they say what the plot may not show at a
 * glance), then ranges, each item only when it fits in width. */
static void footer_text(char *buf, size_t cap, int width, const TsSeriesStats *st, const TsLod *lod, bool wall) {
    char items[7][96];
    int n = 0;
    snprintf(items[n++], sizeof items[0], "%zu points", st->n);
    snprintf(items[n++], sizeof items[0], "NaN %zu, +Inf %zu, -Inf %zu", st->n_nan, st->n_posinf, st->n_neginf);
    snprintf(items[n++], sizeof items[0], "%zu seam%s", st->n_reversals, st->n_reversals == 1 ? "" : "s");
    size_t skipped = ts_lod_skipped(lod);
    if (wall && skipped) snprintf(items[n++], sizeof items[0], "%zu without wall time", skipped);
    if (st->n > 0)
        snprintf(items[n++], sizeof items[0], "steps %" PRId64 "..%" PRId64, st->step_min, st->step_max);
    if (st->n_finite > 0) {
        char a[TS_FMT_MAX], b[TS_FMT_MAX];
        ts_fmt_value(a, sizeof a, st->vmin, 4);
        ts_fmt_value(b, sizeof b, st->vmax, 4);
        snprintf(items[n++], sizeof items[0], "values %s..%s", a, b);
    }
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t add = strlen(items[i]) + (len ? 2 : 0);
        if (i > 0 && (int)(len + add) > width) continue;
        if (len + add + 1 > cap) break;
        if (len) {
            memcpy(buf + len, ", ", 2);
            len += 2;
        }
        memcpy(buf + len, items[i], strlen(items[i]) + 1);
        len += strlen(items[i]);
    }
}

static int render(TsRun *run, const TsMetricInfo *info, const TsSeries *s, const PlotOpts *o) {
    TsSeriesStats st;
    ts_series_stats(s, &st);
    TsLod *lod = ts_lod_new_series(s, NULL, o->wall);
    if (!lod) {
        cli_error("%s: metric '%s' has no wall times; plot it against steps", ts_run_path(run), info->name);
        return TS_EXIT_DATA;
    }
    bool ascii = o->ascii || !cli_locale_is_utf8();
    TsPlotSeries ps = {.lod = lod, .style = ts_style_series(0), .label = info->name, .dimmed = false};
    TsPlotSpec spec;
    memset(&spec, 0, sizeof spec);
    spec.series = &ps;
    spec.n_series = 1;
    spec.logx = o->logx;
    spec.logy = o->logy;
    spec.mode = ascii ? TS_CANVAS_ASCII : o->block ? TS_CANVAS_BLOCK : TS_CANVAS_BRAILLE;
    double x0 = 0.0, x1 = 1.0;
    if (ts_plot_data_x_range(&ps, 1, &x0, &x1) && x1 <= x0) {
        x0 -= 0.5;
        x1 += 0.5;
    }
    if (o->wall) {
        spec.x_format = TS_AXIS_DURATION;
        spec.x_origin = x0;
    }
    spec.x0 = x0;
    spec.x1 = x1;

    int w = (int)o->width, h = (int)o->height;
    TsCellBuf buf;
    ts_cellbuf_init(&buf, w, h);
    char *title = ts_xasprintf("%s %s %s", ts_run_name(run), ascii ? "-" : "\u2014", info->name);
    ts_cellbuf_put_str(&buf, 0, 0, w, title, (TsStyle)TS_STYLE_TITLE);
    free(title);
    ts_plot_render(&spec, &buf, (TsRect){0, 1, w, h - 2}, NULL);
    char footer[512];
    footer_text(footer, sizeof footer, w, &st, lod, o->wall);
    ts_cellbuf_put_str(&buf, 0, h - 1, w, footer, (TsStyle)TS_STYLE_STATUS);
    if (ascii) force_ascii(&buf);
    char *text = ts_cellbuf_to_text(&buf);
    fputs(text, stdout);
    free(text);
    ts_cellbuf_fini(&buf);
    ts_lod_free(lod);
    return TS_EXIT_OK;
}

int ts_cmd_plot(int argc, char **argv) {
    enum { OPT_LOGX = 256, OPT_LOGY, OPT_ASCII, OPT_BLOCK, OPT_WALL };
    static const struct option opts[] = {
        {"metric", required_argument, NULL, 'm'},
        {"width", required_argument, NULL, 'W'},
        {"height", required_argument, NULL, 'H'},
        {"logx", no_argument, NULL, OPT_LOGX},
        {"logy", no_argument, NULL, OPT_LOGY},
        {"ascii", no_argument, NULL, OPT_ASCII},
        {"block", no_argument, NULL, OPT_BLOCK},
        {"wall-time", no_argument, NULL, OPT_WALL},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    PlotOpts o = {.metric = NULL, .width = 0, .height = 20};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":m:W:H:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': o.metric = optarg; break;
        case 'W':
            if (!cli_parse_int(optarg, &o.width) || o.width < PLOT_MIN_W || o.width > PLOT_MAX_W)
                return cli_usage_error("plot", "--width must be a number from %d to %d", PLOT_MIN_W, PLOT_MAX_W);
            break;
        case 'H':
            if (!cli_parse_int(optarg, &o.height) || o.height < PLOT_MIN_H || o.height > PLOT_MAX_H)
                return cli_usage_error("plot", "--height must be a number from %d to %d", PLOT_MIN_H, PLOT_MAX_H);
            break;
        case OPT_LOGX: o.logx = true; break;
        case OPT_LOGY: o.logy = true; break;
        case OPT_ASCII: o.ascii = true; break;
        case OPT_BLOCK: o.block = true; break;
        case OPT_WALL: o.wall = true; break;
        case 'h': plot_usage(stdout); return TS_EXIT_OK;
        case ':': return cli_usage_error("plot", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("plot", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error("plot", "no FILE given");
    if (argc - optind > 1) return cli_usage_error("plot", "one FILE only (got %d)", argc - optind);
    if (!o.metric) return cli_usage_error("plot", "--metric NAME is required");
    if (o.width == 0) {
        int tw = terminal_width();
        o.width = tw >= PLOT_MIN_W ? (tw > PLOT_MAX_W ? PLOT_MAX_W : tw) : 80;
    }

    TsRun *run = cli_open_run(argv[optind]);
    if (!run) return TS_EXIT_DATA;
    long mi = cli_find_metric(run, o.metric);
    if (mi < 0) {
        cli_report_unknown_metric(run, o.metric);
        ts_run_free(run);
        return TS_EXIT_DATA;
    }
    const TsMetricInfo *info = ts_run_metric(run, (size_t)mi);
    TsSeries s;
    ts_series_init(&s);
    TsErr err;
    ts_err_clear(&err);
    int status;
    if (!ts_run_read_ex(run, (size_t)mi, 0, SIZE_MAX, o.wall ? TS_READ_WALL_TIME : 0, &s, &err)) {
        cli_error("%s", err.msg);
        status = TS_EXIT_DATA;
    } else {
        status = render(run, info, &s, &o);
    }
    ts_series_free(&s);
    ts_run_free(run);
    return status;
}
