/* cmd_mark.c - `trajscope mark FILE add|list|rm|label|quarantine`: marks on a run.
 * Layer: cli. License: MIT.
 *
 * Every change is one locked read-modify-write of the run's marks file,
 * saved atomically before the command reports success (marks_file.h). The
 * list sanitizes labels for the terminal; the file keeps their exact bytes. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "trajscope/marks.h"
#include "trajscope/marks_file.h"
#include "trajscope/sanitize.h"
#include "trajscope/xalloc.h"

static void mark_usage(FILE *out) {
    fputs("usage: trajscope mark FILE add --step N [--label TEXT] [OPTIONS]\n"
          "       trajscope mark FILE add --from N --to M [--label TEXT] [OPTIONS]\n"
          "       trajscope mark FILE list [--json]\n"
          "       trajscope mark FILE rm ID...\n"
          "       trajscope mark FILE label ID TEXT\n"
          "       trajscope mark FILE quarantine\n"
          "\n"
          "Adds, lists, relabels or removes marks (annotations of phase transitions)\n"
          "on a run. Marks are kept in FILE.marks.json next to the run, or, when that\n"
          "folder is not writable, in $XDG_DATA_HOME/trajscope/marks/. Each change is\n"
          "saved atomically before the command returns.\n"
          "\n"
          "add options:\n"
          "  --step N         a point mark at step N\n"
          "  --from N --to M  an interval mark [N, M]\n"
          "  --label TEXT     the label (any text; shown sanitized, stored exactly)\n"
          "  --metric NAME    the metric it belongs to (default: every metric)\n"
          "  --run NAME       the run name it belongs to (default '*': every run)\n"
          "  --colour C       a series-colour index or a colour name\n"
          "  --source TEXT    where it came from (default 'manual')\n"
          "\n"
          "  list --json      the marks as JSON (exact labels)\n"
          "  rm ID...         remove marks by id\n"
          "  label ID TEXT    change a mark's label\n"
          "  quarantine       rename an unreadable marks file to FILE.marks.json.bad\n"
          "                   (never deletes; only use it when you want the file aside)\n"
          "\n"
          "Exit status: 0 ok, 1 usage error, 2 bad data (no such run or mark,\n"
          "unreadable marks file).\n",
          out);
}

/* ---- editing ---- */

typedef struct AddCtx {
    TsMark mark;
    uint64_t id;
    bool bad_arg; /* the error is the user's argument (exit 1) */
} AddCtx;

static bool edit_add(TsMarkSet *set, void *vctx, TsErr *err) {
    AddCtx *ctx = vctx;
    TsErr e;
    ts_err_clear(&e);
    ctx->id = ts_marks_add(set, &ctx->mark, &e);
    if (ctx->id == 0) {
        ctx->bad_arg = true;
        ts_err_set(err, "%s", e.msg);
        return false;
    }
    return true;
}

typedef struct RmCtx {
    const uint64_t *ids;
    size_t n;
} RmCtx;

static bool edit_rm(TsMarkSet *set, void *vctx, TsErr *err) {
    RmCtx *ctx = vctx;
    for (size_t i = 0; i < ctx->n; i++) {
        if (!ts_marks_remove(set, ctx->ids[i], NULL, NULL)) {
            ts_err_set(err, "no mark with id %" PRIu64, ctx->ids[i]);
            return false;
        }
    }
    return true;
}

typedef struct LabelCtx {
    uint64_t id;
    const char *label;
    bool bad_arg;
} LabelCtx;

static bool edit_label(TsMarkSet *set, void *vctx, TsErr *err) {
    LabelCtx *ctx = vctx;
    if (!ts_marks_get(set, ctx->id)) {
        ts_err_set(err, "no mark with id %" PRIu64, ctx->id);
        return false;
    }
    if (!ts_marks_set_label(set, ctx->id, ctx->label, err)) {
        ctx->bad_arg = true;
        return false;
    }
    return true;
}

/* Tells the user when the marks went to the fallback folder. */
static void note_where(const char *run_path, const char *saved_to) {
    char *side = ts_marks_file_sidecar_path(run_path);
    if (saved_to && strcmp(side, saved_to) != 0)
        cli_error("note: cannot write next to %s; marks saved in %s", run_path, saved_to);
    free(side);
}

static bool parse_id(const char *s, uint64_t *out) {
    long v;
    if (!cli_parse_int(s, &v) || v < 1) return false;
    *out = (uint64_t)v;
    return true;
}

static bool parse_step(const char *s, int64_t *out) {
    long v;
    if (!cli_parse_int(s, &v)) return false;
    *out = (int64_t)v;
    return true;
}

static int run_exists(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error("%s: no such file or folder", path);
        return TS_EXIT_DATA;
    }
    return TS_EXIT_OK;
}

static int report_load_error(const char *msg) {
    cli_error("%s", msg);
    cli_error("the marks file was left as it is; fix it, or move it aside with "
              "'trajscope mark FILE quarantine'");
    return TS_EXIT_DATA;
}

/* ---- subcommands ---- */

static int cmd_add(const char *path, int argc, char **argv) {
    static const struct option opts[] = {
        {"step", required_argument, NULL, 's'},   {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},     {"label", required_argument, NULL, 'l'},
        {"metric", required_argument, NULL, 'm'}, {"run", required_argument, NULL, 'r'},
        {"colour", required_argument, NULL, 'c'}, {"color", required_argument, NULL, 'c'},
        {"source", required_argument, NULL, 'S'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    AddCtx ctx;
    memset(&ctx, 0, sizeof ctx);
    bool has_step = false, has_from = false, has_to = false;
    int64_t step = 0, from = 0, to = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!parse_step(optarg, &step)) return cli_usage_error("mark", "--step: '%s' is not an integer", optarg);
            has_step = true;
            break;
        case 'f':
            if (!parse_step(optarg, &from)) return cli_usage_error("mark", "--from: '%s' is not an integer", optarg);
            has_from = true;
            break;
        case 't':
            if (!parse_step(optarg, &to)) return cli_usage_error("mark", "--to: '%s' is not an integer", optarg);
            has_to = true;
            break;
        case 'l': ctx.mark.label = optarg; break;
        case 'm': ctx.mark.metric = optarg; break;
        case 'r': ctx.mark.run = optarg; break;
        case 'c': ctx.mark.colour = optarg; break;
        case 'S': ctx.mark.source = optarg; break;
        case 'h': mark_usage(stdout); return TS_EXIT_OK;
        default: return cli_usage_error("mark", "add: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("mark", "add: unexpected argument '%s'", argv[optind]);
    if (has_step == (has_from || has_to))
        return cli_usage_error("mark", "add: give --step N, or --from N --to M");
    if (!has_step && !(has_from && has_to))
        return cli_usage_error("mark", "add: an interval needs both --from and --to");
    if (has_step) {
        ctx.mark.kind = TS_MARK_POINT;
        ctx.mark.start_step = ctx.mark.end_step = step;
    } else {
        ctx.mark.kind = TS_MARK_INTERVAL;
        ctx.mark.start_step = from;
        ctx.mark.end_step = to;
    }
    TsRun *run = cli_open_run(path);
    if (!run) return TS_EXIT_DATA;
    if (ctx.mark.metric && ctx.mark.metric[0] && ts_run_find_metric(run, ctx.mark.metric) < 0) {
        cli_error("%s: no metric '%s'", path, ctx.mark.metric);
        ts_run_free(run);
        return TS_EXIT_DATA;
    }
    ts_run_free(run);
    char created[32];
    ts_mark_format_time(created, sizeof created, (int64_t)time(NULL));
    ctx.mark.created = created;

    TsErr err;
    ts_err_clear(&err);
    char *saved_to = NULL;
    if (!ts_marks_file_update(path, edit_add, &ctx, &saved_to, &err)) {
        if (ctx.bad_arg) return cli_usage_error("mark", "%s", err.msg);
        return report_load_error(err.msg);
    }
    printf("added mark %" PRIu64 "\n", ctx.id);
    note_where(path, saved_to);
    free(saved_to);
    return TS_EXIT_OK;
}

static void print_list(const char *path, const TsMarkSet *set, const char *from) {
    size_t n = ts_marks_count(set);
    if (n == 0) {
        cli_printf_clean(stdout, "no marks on %s\n", path);
        return;
    }
    cli_printf_clean(stdout, "%zu mark%s on %s (%s)\n", n, n == 1 ? "" : "s", path, from ? from : "-");
    printf("%6s  %-8s  %12s  %12s  %-16s  %-8s  %-10s  %s\n", "ID", "KIND", "START", "END", "METRIC",
           "RUN", "SOURCE", "LABEL");
    for (size_t i = 0; i < n; i++) {
        const TsMark *m = ts_marks_at(set, i);
        char *metric = ts_sanitize_dup(m->metric[0] ? m->metric : "*");
        char *runn = ts_sanitize_dup(m->run);
        char *source = ts_sanitize_dup(m->source);
        char *label = ts_sanitize_dup(m->label);
        printf("%6" PRIu64 "  %-8s  %12" PRId64 "  %12" PRId64 "  %-16s  %-8s  %-10s  %s\n", m->id,
               ts_mark_kind_name(m->kind), m->start_step, m->end_step, metric, runn, source, label);
        free(metric);
        free(runn);
        free(source);
        free(label);
    }
}

static int cmd_list(const char *path, int argc, char **argv) {
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool as_json = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
        switch (c) {
        case 'j': as_json = true; break;
        case 'h': mark_usage(stdout); return TS_EXIT_OK;
        default: return cli_usage_error("mark", "list: unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("mark", "list: unexpected argument '%s'", argv[optind]);
    int st = run_exists(path);
    if (st != TS_EXIT_OK) return st;
    TsErr err;
    ts_err_clear(&err);
    char *from = NULL;
    TsMarkSet *set = ts_marks_file_load(path, &from, &err);
    if (!set) return report_load_error(err.msg);
    if (as_json) {
        /* The file's document, with the source added; escaped to ASCII so no
         * byte of a label can reach the terminal raw. */
        char *text = ts_marks_file_format(set, NULL);
        json_t *doc = json_loads(text, 0, NULL);
        free(text);
        if (!doc) ts_die("cannot re-read formatted marks");
        json_t *jf = from ? json_string(from) : json_null();
        json_object_set_new(doc, "file", jf ? jf : json_null());
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        fputc('\n', stdout);
        json_decref(doc);
    } else {
        print_list(path, set, from);
    }
    free(from);
    ts_marks_free(set);
    return TS_EXIT_OK;
}

static int cmd_rm(const char *path, int argc, char **argv) {
    if (argc < 2) return cli_usage_error("mark", "rm: give at least one mark ID");
    uint64_t *ids = ts_xcalloc((size_t)argc, sizeof *ids);
    for (int i = 1; i < argc; i++) {
        if (!parse_id(argv[i], &ids[i - 1])) {
            free(ids);
            return cli_usage_error("mark", "rm: '%s' is not a mark id", argv[i]);
        }
    }
    int st = run_exists(path);
    if (st != TS_EXIT_OK) {
        free(ids);
        return st;
    }
    RmCtx ctx = {ids, (size_t)argc - 1};
    TsErr err;
    ts_err_clear(&err);
    char *saved_to = NULL;
    bool ok = ts_marks_file_update(path, edit_rm, &ctx, &saved_to, &err);
    if (ok) {
        for (size_t i = 0; i < ctx.n; i++) printf("removed mark %" PRIu64 "\n", ids[i]);
        note_where(path, saved_to);
    } else {
        cli_error("%s", err.msg);
    }
    free(saved_to);
    free(ids);
    return ok ? TS_EXIT_OK : TS_EXIT_DATA;
}

static int cmd_label(const char *path, int argc, char **argv) {
    if (argc != 3) return cli_usage_error("mark", "label: give ID and TEXT");
    LabelCtx ctx = {0, argv[2], false};
    if (!parse_id(argv[1], &ctx.id)) return cli_usage_error("mark", "label: '%s' is not a mark id", argv[1]);
    int st = run_exists(path);
    if (st != TS_EXIT_OK) return st;
    TsErr err;
    ts_err_clear(&err);
    char *saved_to = NULL;
    if (!ts_marks_file_update(path, edit_label, &ctx, &saved_to, &err)) {
        if (ctx.bad_arg) return cli_usage_error("mark", "%s", err.msg);
        cli_error("%s", err.msg);
        return TS_EXIT_DATA;
    }
    printf("relabelled mark %" PRIu64 "\n", ctx.id);
    note_where(path, saved_to);
    free(saved_to);
    return TS_EXIT_OK;
}

static int cmd_quarantine(const char *path, int argc) {
    if (argc != 1) return cli_usage_error("mark", "quarantine takes no arguments");
    char *side = ts_marks_file_sidecar_path(path);
    TsErr ferr;
    ts_err_clear(&ferr);
    char *fb = ts_marks_file_fallback_path(path, &ferr);
    const char *cands[2] = {side, fb};
    int status = TS_EXIT_OK;
    bool moved_any = false;
    for (int i = 0; i < 2; i++) {
        struct stat st;
        if (!cands[i] || stat(cands[i], &st) != 0) continue;
        TsErr err;
        ts_err_clear(&err);
        TsMarkSet *set = ts_marks_file_read(cands[i], &err);
        if (set) {
            ts_marks_free(set);
            continue;
        }
        char *moved = NULL;
        TsErr qerr;
        ts_err_clear(&qerr);
        if (ts_marks_file_quarantine(cands[i], &moved, &qerr)) {
            cli_printf_clean(stdout, "moved unreadable %s to %s\n", cands[i], moved);
            moved_any = true;
        } else {
            cli_error("%s", qerr.msg);
            status = TS_EXIT_DATA;
        }
        free(moved);
    }
    if (!moved_any && status == TS_EXIT_OK) cli_printf_clean(stdout, "the marks of %s are readable; nothing moved\n", path);
    free(side);
    free(fb);
    return status;
}

int ts_cmd_mark(int argc, char **argv) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        mark_usage(stdout);
        return TS_EXIT_OK;
    }
    if (argc < 3) return cli_usage_error("mark", "give FILE and one of add, list, rm, label, quarantine");
    const char *path = argv[1];
    const char *sub = argv[2];
    int sargc = argc - 2;
    char **sargv = argv + 2;
    if (strcmp(sub, "add") == 0) return cmd_add(path, sargc, sargv);
    if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0) return cmd_list(path, sargc, sargv);
    if (strcmp(sub, "rm") == 0) return cmd_rm(path, sargc, sargv);
    if (strcmp(sub, "label") == 0) return cmd_label(path, sargc, sargv);
    if (strcmp(sub, "quarantine") == 0) return cmd_quarantine(path, sargc);
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        mark_usage(stdout);
        return TS_EXIT_OK;
    }
    return cli_usage_error("mark", "unknown action '%s' (add, list, rm, label, quarantine)", sub);
}
