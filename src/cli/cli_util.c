/* cli_util.c - small helpers shared by the CLI subcommands.
 * Layer: cli. License: MIT. */
#include "cli/cli_util.h"

#include <errno.h>
#include <langinfo.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/sanitize.h"
#include "trajscope/xalloc.h"

static char *vformat(const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (len < 0) len = 0;
    char *buf = ts_xmalloc((size_t)len + 1);
    vsnprintf(buf, (size_t)len + 1, fmt, ap);
    return buf;
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    fputs("trajscope: ", stderr);
    cli_put_clean(stderr, msg);
    fputc('\n', stderr);
    free(msg);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    fprintf(stderr, "trajscope %s: ", cmd);
    cli_put_clean(stderr, msg);
    fprintf(stderr, "\nTry 'trajscope help %s'.\n", cmd);
    free(msg);
    return TS_EXIT_USAGE;
}

void cli_put_clean(FILE *out, const char *text) {
    char *clean = ts_sanitize_dup(text);
    fputs(clean, out);
    free(clean);
}

void cli_printf_clean(FILE *out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    /* Keep the caller's newlines: sanitize each line on its own. */
    char *line = msg;
    for (;;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        cli_put_clean(out, line);
        if (!nl) break;
        fputc('\n', out);
        line = nl + 1;
    }
    free(msg);
}

TsRun *cli_open_run(const char *path) {
    TsErr err;
    ts_err_clear(&err);
    TsRun *run = ts_run_open(path, &err);
    if (!run) cli_error("%s", err.msg);
    return run;
}

long cli_find_metric(const TsRun *run, const char *name) {
    long i = ts_run_find_metric(run, name);
    if (i >= 0) return i;
    long found = -1;
    size_t n = ts_run_metric_count(run);
    for (size_t k = 0; k < n; k++) {
        const TsMetricInfo *m = ts_run_metric(run, k);
        if (m->metric && strcmp(m->metric, name) == 0) {
            if (found >= 0) return -1; /* ambiguous */
            found = (long)k;
        }
    }
    return found;
}

void cli_report_unknown_metric(const TsRun *run, const char *name) {
    size_t n = ts_run_metric_count(run);
    size_t cap = 64;
    for (size_t k = 0; k < n; k++) cap += strlen(ts_run_metric(run, k)->name) + 2;
    char *list = ts_xmalloc(cap);
    list[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        if (k) strcat(list, ", ");
        strcat(list, ts_run_metric(run, k)->name);
    }
    if (n == 0) strcpy(list, "(none)");
    cli_error("%s: no metric '%s'; available: %s", ts_run_path(run), name, list);
    free(list);
}

bool cli_parse_double(const char *s, double *out) {
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE) return false;
    *out = v;
    return true;
}

bool cli_parse_int(const char *s, long *out) {
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || errno == ERANGE) return false;
    *out = v;
    return true;
}

bool cli_locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}
