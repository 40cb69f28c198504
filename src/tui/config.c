/* config.c - settings and the config file language (set, bind, unbind).
 * Layer: tui (pure parsing; reads the config file). License: MIT. */
#include "tui/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/textfile.h"
#include "trajscope/xalloc.h"

typedef struct OptionInfo {
    const char *name, *syntax, *help;
} OptionInfo;

static const OptionInfo options[TS_OPTION_COUNT] = {
#define TS_OPTION_ROW(id, name, syntax, help) [TS_OPTION_##id] = {name, syntax, help},
    TS_OPTION_LIST(TS_OPTION_ROW)
#undef TS_OPTION_ROW
};

static const char *const xaxis_names[TS_XAXIS_COUNT] = {"step", "wall", "relative"};

const char *ts_xaxis_name(TsXAxis x) {
    return (int)x >= 0 && x < TS_XAXIS_COUNT ? xaxis_names[x] : NULL;
}

const char *ts_option_name(TsOption o) {
    return (int)o >= 0 && o < TS_OPTION_COUNT ? options[o].name : NULL;
}

const char *ts_option_syntax(TsOption o) {
    return (int)o >= 0 && o < TS_OPTION_COUNT ? options[o].syntax : NULL;
}

const char *ts_option_help(TsOption o) {
    return (int)o >= 0 && o < TS_OPTION_COUNT ? options[o].help : NULL;
}

void ts_settings_default(TsSettings *s) {
    memset(s, 0, sizeof *s);
    snprintf(s->theme, sizeof s->theme, "default");
    s->smoothing = TS_SMOOTH_OFF;
    s->smooth_weight = 0.6;
    s->x_axis = TS_XAXIS_STEP;
    s->list = true;
    s->list_width = 24;
    s->show = 4;
    s->mouse = true;
    s->canvas = TS_CANVAS_BRAILLE;
}

/* Splits value into at most max words (whitespace separated) in place. */
static size_t split_words(char *value, char **words, size_t max) {
    size_t n = 0;
    char *p = value;
    while (*p) {
        while (isspace((unsigned char)*p)) *p++ = '\0';
        if (!*p) break;
        if (n == max) return max + 1;
        words[n++] = p;
        while (*p && !isspace((unsigned char)*p)) p++;
    }
    return n;
}

static bool parse_bool(const char *v, bool *out) {
    if (!strcasecmp(v, "on") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(v, "off") || !strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0")) {
        *out = false;
        return true;
    }
    return false;
}

static bool parse_number(const char *v, double *out) {
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(d)) return false;
    *out = d;
    return true;
}

bool ts_settings_set(TsSettings *s, const char *name, const char *value, TsErr *err) {
    TsOption opt = TS_OPTION_COUNT;
    for (int i = 0; i < TS_OPTION_COUNT; i++)
        if (strcmp(options[i].name, name) == 0) opt = (TsOption)i;
    if (opt == TS_OPTION_COUNT) {
        ts_err_set(err, "unknown option '%s'", name);
        return false;
    }
    char buf[512];
    if (strlen(value) >= sizeof buf) {
        ts_err_set(err, "value of '%s' too long", name);
        return false;
    }
    snprintf(buf, sizeof buf, "%s", value);
    char *w[3];
    size_t n = split_words(buf, w, 2);
    TsSettings t = *s;
    bool ok = true, b = false;
    double d = 0;
    switch (opt) {
    case TS_OPTION_THEME:
        ok = n == 1 && strlen(w[0]) < sizeof t.theme;
        if (ok) snprintf(t.theme, sizeof t.theme, "%s", w[0]);
        break;
    case TS_OPTION_SMOOTHING:
        ok = n == 1 || n == 2;
        if (ok) {
            TsSmoothMethod m = ts_smooth_from_name(w[0]);
            ok = m != TS_SMOOTH_COUNT;
            t.smoothing = m;
            if (ok && n == 2) {
                ok = parse_number(w[1], &d) && d >= 0 && d <= 0.999;
                t.smooth_weight = d;
            }
        }
        break;
    case TS_OPTION_X_AXIS:
        ok = false;
        for (int i = 0; n == 1 && i < TS_XAXIS_COUNT; i++) {
            if (strcmp(w[0], xaxis_names[i]) == 0) {
                t.x_axis = (TsXAxis)i;
                ok = true;
            }
        }
        break;
    case TS_OPTION_CANVAS:
        ok = n == 1 && (t.canvas = ts_canvas_mode_from_name(w[0])) != TS_CANVAS_MODE_COUNT;
        break;
    case TS_OPTION_LIST_WIDTH:
    case TS_OPTION_SHOW:
        ok = n == 1 && parse_number(w[0], &d) && d == floor(d);
        if (ok && opt == TS_OPTION_LIST_WIDTH) {
            ok = d >= 14 && d <= 60;
            t.list_width = (int)d;
        } else if (ok) {
            ok = d >= 0 && d <= 16;
            t.show = (int)d;
        }
        break;
    default:
        ok = n == 1 && parse_bool(w[0], &b);
        if (!ok) break;
        switch (opt) {
        case TS_OPTION_LOG_X: t.log_x = b; break;
        case TS_OPTION_LOG_Y: t.log_y = b; break;
        case TS_OPTION_OVERLAY: t.overlay = b; break;
        case TS_OPTION_LIST: t.list = b; break;
        case TS_OPTION_MOUSE: t.mouse = b; break;
        case TS_OPTION_FOLLOW: t.follow = b; break;
        default: ok = false; break;
        }
        break;
    }
    if (!ok) {
        ts_err_set(err, "bad value '%s' for '%s' (expected %s)", value, name, options[opt].syntax);
        return false;
    }
    *s = t;
    return true;
}

/* Runs one line; false with err set on a problem. */
static bool run_line(char *line, TsSettings *s, TsKeymap *km, TsErr *err) {
    char *p = line;
    while (isspace((unsigned char)*p)) p++;
    if (!*p || *p == '#') return true;
    char *end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1])) *--end = '\0';
    char *cmd = p;
    while (*p && !isspace((unsigned char)*p)) p++;
    if (*p) *p++ = '\0';
    while (isspace((unsigned char)*p)) p++;
    char *rest = p;

    if (strcmp(cmd, "set") == 0) {
        char *name = rest;
        while (*rest && !isspace((unsigned char)*rest)) rest++;
        if (*rest) *rest++ = '\0';
        while (isspace((unsigned char)*rest)) rest++;
        if (!*name || !*rest) {
            ts_err_set(err, "usage: set OPTION VALUE");
            return false;
        }
        return ts_settings_set(s, name, rest, err);
    }
    if (strcmp(cmd, "bind") == 0 || strcmp(cmd, "unbind") == 0) {
        bool bind = cmd[0] == 'b';
        char *w[3];
        size_t n = split_words(rest, w, 2);
        if (n != (bind ? 2u : 1u)) {
            ts_err_set(err, bind ? "usage: bind KEY ACTION" : "usage: unbind KEY");
            return false;
        }
        TsKey key;
        if (!ts_key_parse(w[0], &key)) {
            ts_err_set(err, "unknown key '%s' (e.g. q, <C-l>, <Left>, <Space>)", w[0]);
            return false;
        }
        TsAction a = TS_ACTION_NONE;
        if (bind) {
            a = ts_action_from_name(w[1]);
            if (a == TS_ACTION_NONE) {
                ts_err_set(err, "unknown action '%s'", w[1]);
                return false;
            }
        }
        ts_keymap_bind(km, key, a);
        return true;
    }
    ts_err_set(err, "unknown command '%s' (expected set, bind or unbind)", cmd);
    return false;
}

size_t ts_config_parse(const char *text, const char *source, TsSettings *s, TsKeymap *km,
                       TsErr *first_err) {
    size_t bad = 0;
    int lineno = 0;
    const char *p = text;
    ts_err_clear(first_err);
    while (*p) {
        lineno++;
        size_t len = strcspn(p, "\n");
        char *line = ts_xstrndup(p, len);
        if (len && line[len - 1] == '\r') line[len - 1] = '\0';
        TsErr e;
        ts_err_clear(&e);
        if (!run_line(line, s, km, &e)) {
            if (bad == 0) ts_err_set(first_err, "%s:%d: %s", source, lineno, e.msg);
            bad++;
        }
        free(line);
        p += len;
        if (*p == '\n') p++;
    }
    return bad;
}

bool ts_config_path(char *buf, size_t cap) {
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/trajscope/config", xdg);
    else if (home && home[0])
        n = snprintf(buf, cap, "%s/.config/trajscope/config", home);
    else
        return false;
    return n > 0 && (size_t)n < cap;
}

size_t ts_config_load(const char *path, bool must_exist, TsSettings *s, TsKeymap *km,
                      TsErr *first_err) {
    ts_err_clear(first_err);
    FILE *probe = fopen(path, "r");
    if (!probe) {
        if (!must_exist && errno == ENOENT) return 0;
        ts_err_set(first_err, "%s: %s", path, strerror(errno));
        return 1;
    }
    fclose(probe);
    char *text = ts_textfile_read(path, 1u << 20, first_err);
    if (!text) return 1;
    size_t bad = ts_config_parse(text, path, s, km, first_err);
    free(text);
    return bad;
}
