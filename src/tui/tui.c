/* tui.c - `trajscope [OPTIONS] FILE|DIR...`: options, config, theme, and
 * the explorer's start (terminal or headless).
 * Layer: tui (no curses). License: MIT. */
#include "tui/tui.h"

#include <langinfo.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "trajscope/sanitize.h"
#include "trajscope/xalloc.h"
#include "tui/app.h"
#include "tui/config.h"
#include "tui/keymap.h"
#include "tui/keysdoc.h"
#include "tui/textfile.h"
#include "tui/theme.h"

enum { EXIT_OK_ = 0, EXIT_USAGE_ = 1, EXIT_DATA_ = 2 };

void ts_tui_usage(FILE *out) {
    fprintf(out,
            "usage: trajscope [OPTIONS] FILE|DIR...\n"
            "\n"
            "Explore training runs in the terminal: stacked braille plots of every\n"
            "metric, a time cursor that reads exact logged values, zoom, log axes,\n"
            "smoothing, change points, marks, and many runs compared overlaid or\n"
            "side by side. FILE is a trajscope archive or any log `trajscope info`\n"
            "reads (TensorBoard, CSV, JSON lines); DIR is searched recursively for\n"
            "archives and logs, each becoming a run. Press ? inside for the keys.\n"
            "\n"
            "options:\n"
            "  --theme NAME         default, light, colorblind, mono, a theme in\n"
            "                       $XDG_CONFIG_HOME/trajscope/themes/NAME.ini, or a path\n"
            "  --ascii              ASCII curves (automatic when the locale is not UTF-8)\n"
            "  --canvas MODE        braille (default), block or ascii\n"
            "  --smoothing M[:W]    off, ema, ema-time, gaussian or median, weight 0..0.999\n"
            "  --x-axis AXIS        step (default), wall or relative\n"
            "  --log-x, --log-y     logarithmic axes at start\n"
            "  --overlay            all metrics in one panel\n"
            "  --show N             metrics shown at start (default 4)\n"
            "  --follow             re-read files still being written every 2 s\n"
            "  --no-mouse           leave the mouse to the terminal\n"
            "  --config FILE        read FILE instead of the user config file\n"
            "  --no-config          ignore the user config file\n"
            "  --size WxH           headless: draw into a WxH screen, no terminal\n"
            "  --script FILE        headless: keys to press, one key spec per line\n"
            "  --dump-screen FILE   headless: write the final screen as text\n"
            "  --keys-markdown      print docs/KEYS.md (the key table) and exit\n"
            "  -h, --help           show this help\n"
            "\n"
            "Config file: $XDG_CONFIG_HOME/trajscope/config (else ~/.config/trajscope/config),\n"
            "lines `set OPTION VALUE`, `bind KEY ACTION`, `unbind KEY`; see docs/KEYS.md.\n"
            "A bad line is skipped and reported on the status line; the explorer starts.\n"
            "NO_COLOR selects the mono theme unless --theme is given.\n"
            "\n"
            "Exit status: 0 ok, 1 usage error, 2 no file could be opened.\n");
}

static bool locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *clean = ts_sanitize_dup(msg);
    fprintf(stderr, "trajscope: %s\nTry 'trajscope --help-explorer'.\n", clean);
    free(clean);
    return EXIT_USAGE_;
}

/* Appends a problem to the startup note ("a; b (and N more)"). */
static void note_add(char *note, size_t cap, size_t *count, const char *msg) {
    (*count)++;
    if (*count == 1) snprintf(note, cap, "%.400s", msg);
}

typedef struct Args {
    const char *theme;
    const char *config;
    bool no_config;
    const char *script, *dump;
    int size_w, size_h;
    char **paths;
    size_t n_paths;
    /* option settings from the command line, applied over the config */
    const char *set_name[32];
    char *set_value[32];
    int n_set;
} Args;

static void args_set(Args *a, const char *name, const char *value) {
    if (a->n_set < 32) {
        a->set_name[a->n_set] = name;
        a->set_value[a->n_set] = ts_xstrdup(value);
        a->n_set++;
    }
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, Args *a) {
    a->paths = ts_xcalloc((size_t)argc + 1, sizeof *a->paths);
    bool only_paths = false;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (only_paths || s[0] != '-' || strcmp(s, "-") == 0) {
            a->paths[a->n_paths++] = argv[i];
            continue;
        }
        if (strcmp(s, "--") == 0) {
            only_paths = true;
            continue;
        }
        const char *val = NULL;
        char name[64];
        const char *eq = strchr(s, '=');
        if (eq && (size_t)(eq - s) < sizeof name) {
            memcpy(name, s, (size_t)(eq - s));
            name[eq - s] = '\0';
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", s);
        }
        static const char *const with_value[] = {"--theme", "--canvas", "--smoothing", "--x-axis", "--show",
                                                 "--config", "--size", "--script", "--dump-screen", NULL};
        bool needs = false;
        for (int k = 0; with_value[k]; k++)
            if (strcmp(name, with_value[k]) == 0) needs = true;
        if (needs && !val) {
            if (i + 1 >= argc) return usage_error("option '%s' needs a value", name);
            val = argv[++i];
        } else if (!needs && val) {
            return usage_error("option '%s' takes no value", name);
        }
        if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "--help-explorer")) {
            ts_tui_usage(stdout);
            return EXIT_OK_;
        } else if (!strcmp(name, "--keys-markdown")) {
            char *md = ts_keys_markdown();
            fputs(md, stdout);
            free(md);
            return EXIT_OK_;
        } else if (!strcmp(name, "--theme")) {
            a->theme = val;
        } else if (!strcmp(name, "--ascii")) {
            args_set(a, "canvas", "ascii");
        } else if (!strcmp(name, "--canvas")) {
            args_set(a, "canvas", val);
        } else if (!strcmp(name, "--smoothing")) {
            char buf[128];
            snprintf(buf, sizeof buf, "%s", val);
            char *colon = strchr(buf, ':');
            if (colon) *colon = ' ';
            args_set(a, "smoothing", buf);
        } else if (!strcmp(name, "--x-axis")) {
            args_set(a, "x-axis", val);
        } else if (!strcmp(name, "--log-x")) {
            args_set(a, "log-x", "on");
        } else if (!strcmp(name, "--log-y")) {
            args_set(a, "log-y", "on");
        } else if (!strcmp(name, "--overlay")) {
            args_set(a, "overlay", "on");
        } else if (!strcmp(name, "--show")) {
            args_set(a, "show", val);
        } else if (!strcmp(name, "--follow")) {
            args_set(a, "follow", "on");
        } else if (!strcmp(name, "--no-mouse")) {
            args_set(a, "mouse", "off");
        } else if (!strcmp(name, "--config")) {
            a->config = val;
        } else if (!strcmp(name, "--no-config")) {
            a->no_config = true;
        } else if (!strcmp(name, "--size")) {
            char extra;
            if (sscanf(val, "%dx%d%c", &a->size_w, &a->size_h, &extra) != 2 || a->size_w < 1 || a->size_h < 1 ||
                a->size_w > 5000 || a->size_h > 5000)
                return usage_error("bad --size '%s' (expected WxH, e.g. 120x40)", val);
        } else if (!strcmp(name, "--script")) {
            a->script = val;
        } else if (!strcmp(name, "--dump-screen")) {
            a->dump = val;
        } else {
            return usage_error("unknown option '%s'", name);
        }
    }
    if (a->n_paths == 0) return usage_error("no run to open: give a FILE or DIR");
    if ((a->script || a->dump) && a->size_w == 0) return usage_error("--script and --dump-screen need --size WxH");
    return -1;
}

static void args_free(Args *a) {
    for (int i = 0; i < a->n_set; i++) free(a->set_value[i]);
    free(a->paths);
}

int ts_tui_main(int argc, char **argv) {
    Args args;
    memset(&args, 0, sizeof args);
    int rc = parse_args(argc, argv, &args);
    if (rc >= 0) {
        args_free(&args);
        return rc;
    }

    char note[TS_ERR_MSG_MAX] = "";
    size_t n_problems = 0;
    TsSettings set;
    TsKeymap km;
    ts_settings_default(&set);
    ts_keymap_init_defaults(&km);

    /* Config file first, then the command line over it. */
    if (!args.no_config) {
        char path[PATH_MAX];
        const char *cfg = args.config;
        if (!cfg && ts_config_path(path, sizeof path)) cfg = path;
        if (cfg) {
            TsErr err;
            size_t bad = ts_config_load(cfg, args.config != NULL, &set, &km, &err);
            if (bad) {
                char msg[TS_ERR_MSG_MAX + 32];
                if (bad > 1)
                    snprintf(msg, sizeof msg, "%s (and %zu more)", err.msg, bad - 1);
                else
                    snprintf(msg, sizeof msg, "%s", err.msg);
                note_add(note, sizeof note, &n_problems, msg);
            }
        }
    }
    for (int i = 0; i < args.n_set; i++) {
        TsErr err;
        if (!ts_settings_set(&set, args.set_name[i], args.set_value[i], &err)) {
            fprintf(stderr, "trajscope: --%s: %s\n", args.set_name[i], err.msg);
            args_free(&args);
            ts_keymap_fini(&km);
            return EXIT_USAGE_;
        }
    }

    /* Theme: --theme (an error is fatal), else NO_COLOR, else the config's. */
    TsTheme theme;
    TsErr terr;
    const char *no_color = getenv("NO_COLOR");
    if (args.theme) {
        if (!ts_theme_load(args.theme, &theme, &terr)) {
            fprintf(stderr, "trajscope: %s\n", terr.msg);
            args_free(&args);
            ts_keymap_fini(&km);
            return EXIT_USAGE_;
        }
    } else if (no_color && no_color[0]) {
        ts_theme_load("mono", &theme, &terr);
    } else if (!ts_theme_load(set.theme, &theme, &terr)) {
        note_add(note, sizeof note, &n_problems, terr.msg);
        ts_theme_default(&theme);
    }

    bool utf8 = locale_is_utf8();
    TsApp *app = ts_app_new(&set, &km, &theme, utf8);
    ts_keymap_fini(&km);
    size_t n_failed = 0;
    TsErr oerr;
    size_t opened = ts_app_open(app, args.paths, args.n_paths, &n_failed, &oerr);
    if (opened == 0) {
        fprintf(stderr, "trajscope: %s\n", oerr.msg);
        ts_app_free(app);
        args_free(&args);
        return EXIT_DATA_;
    }
    if (n_failed) {
        /* File problems come first: they matter more than config ones. */
        snprintf(note, sizeof note, "%zu of %zu could not be opened: %.400s", n_failed, n_failed + opened, oerr.msg);
        n_problems++;
    }
    if (n_problems) ts_app_set_note(app, note);

    int status = EXIT_OK_;
    if (args.size_w > 0) {
        char *script = NULL;
        TsErr err;
        ts_err_clear(&err);
        if (args.script) {
            script = ts_textfile_read(args.script, 1u << 20, &err);
            if (!script) {
                fprintf(stderr, "trajscope: %s\n", err.msg);
                ts_app_free(app);
                args_free(&args);
                return EXIT_USAGE_;
            }
        }
        if (!ts_app_run_script(app, args.size_w, args.size_h, script, args.dump, &err)) {
            fprintf(stderr, "trajscope: %s\n", err.msg);
            status = EXIT_USAGE_;
        }
        free(script);
    } else {
        TsErr err;
        ts_err_clear(&err);
        int ended = ts_app_run_terminal(app, &err);
        if (ended < 0) {
            fprintf(stderr, "trajscope: %s\n", err.msg);
            status = EXIT_USAGE_;
        } else if (ended > 0) {
            ts_app_free(app);
            args_free(&args);
            signal(ended, SIG_DFL);
            raise(ended);
            return 128 + ended;
        }
    }
    ts_app_free(app);
    args_free(&args);
    return status;
}
