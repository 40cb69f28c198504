/* theme.c - theme files (INI, parsed with inih) and colour mapping.
 * Layer: tui (pure: no curses; reads theme files). License: MIT. */
#include "tui/theme.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/textfile.h"
#include "trajscope/xalloc.h"

/* ---- style values ---- */

static const char *const colour_names[16] = {
    "black",        "red",        "green",        "yellow",        "blue",        "magenta",
    "cyan",         "white",      "bright-black", "bright-red",    "bright-green", "bright-yellow",
    "bright-blue",  "bright-magenta", "bright-cyan", "bright-white",
};

static bool parse_colour(const char *s, TsColour *out) {
    if (strcasecmp(s, "default") == 0) {
        *out = (TsColour){TS_COLOUR_DEFAULT, 0};
        return true;
    }
    if (s[0] == '#') {
        if (strlen(s) != 7) return false;
        for (int i = 1; i < 7; i++)
            if (!isxdigit((unsigned char)s[i])) return false;
        *out = (TsColour){TS_COLOUR_RGB, (uint32_t)strtoul(s + 1, NULL, 16)};
        return true;
    }
    if (isdigit((unsigned char)s[0])) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (*end || errno || v > 255) return false;
        *out = (TsColour){TS_COLOUR_INDEX, (uint32_t)v};
        return true;
    }
    for (uint32_t i = 0; i < 16; i++) {
        if (strcasecmp(s, colour_names[i]) == 0) {
            *out = (TsColour){TS_COLOUR_INDEX, i};
            return true;
        }
    }
    return false;
}

static const struct {
    const char *name;
    unsigned bit;
} attr_names[] = {
    {"bold", TS_ATTR_BOLD},           {"dim", TS_ATTR_DIM},       {"underline", TS_ATTR_UNDERLINE},
    {"reverse", TS_ATTR_REVERSE},     {"italic", TS_ATTR_ITALIC},
};

bool ts_theme_parse_style(const char *value, TsThemeStyle *out, TsErr *err) {
    TsThemeStyle st = {{TS_COLOUR_DEFAULT, 0}, {TS_COLOUR_DEFAULT, 0}, 0};
    const char *p = value;
    bool any = false;
    while (*p) {
        while (isspace((unsigned char)*p)) p++;
        if (!*p) break;
        size_t len = 0;
        while (p[len] && !isspace((unsigned char)p[len])) len++;
        char tok[64];
        if (len >= sizeof tok) {
            ts_err_set(err, "word too long in style '%.40s...'", p);
            return false;
        }
        memcpy(tok, p, len);
        tok[len] = '\0';
        p += len;
        any = true;
        if ((tok[0] == 'f' || tok[0] == 'b') && tok[1] == 'g' && tok[2] == ':') {
            TsColour c;
            if (!parse_colour(tok + 3, &c)) {
                ts_err_set(err, "bad colour '%s' (use default, #rrggbb, 0-255 or a colour name)", tok + 3);
                return false;
            }
            if (tok[0] == 'f')
                st.fg = c;
            else
                st.bg = c;
            continue;
        }
        if (strcasecmp(tok, "none") == 0) {
            st.attrs = 0;
            continue;
        }
        bool found = false;
        for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
            if (strcasecmp(tok, attr_names[i].name) == 0) {
                st.attrs |= attr_names[i].bit;
                found = true;
            }
        }
        if (!found) {
            ts_err_set(err, "unknown word '%s' (expected fg:COLOUR, bg:COLOUR, bold, dim, underline, reverse, "
                            "italic or none)",
                       tok);
            return false;
        }
    }
    if (!any) {
        ts_err_set(err, "empty style");
        return false;
    }
    *out = st;
    return true;
}

/* ---- INI parsing with line numbers ---- */

typedef struct ParseCtx {
    const char *text; /* remaining input */
    int line;         /* line number of the chunk last handed to inih */
    bool at_line_start;
    TsTheme *theme;
    int err_line; /* first handler error */
    char err_msg[TS_ERR_MSG_MAX + 80];
} ParseCtx;

/* inih reader over a string that counts lines, so handler errors can name
 * their line (Debian's inih is built without INI_HANDLER_LINENO). */
static char *string_reader(char *str, int num, void *stream) {
    ParseCtx *ctx = stream;
    if (!*ctx->text || num <= 1) return NULL;
    int n = 0;
    while (n < num - 1 && ctx->text[n]) {
        if (ctx->text[n++] == '\n') break;
    }
    memcpy(str, ctx->text, (size_t)n);
    str[n] = '\0';
    if (ctx->at_line_start) ctx->line++;
    ctx->at_line_start = str[n - 1] == '\n';
    ctx->text += n;
    return str;
}

static int theme_handler(void *user, const char *section, const char *name, const char *value) {
    ParseCtx *ctx = user;
    TsErr e;
    ts_err_clear(&e);
    bool ok = true;
    if (section[0]) {
        ts_err_set(&e, "sections are not used in themes ('[%s]')", section);
        ok = false;
    } else {
        TsStyleId id = ts_style_from_name(name);
        if (id == TS_STYLE_COUNT) {
            ts_err_set(&e, "unknown style '%s'", name);
            ok = false;
        } else if (!ts_theme_parse_style(value, &ctx->theme->style[id], &e)) {
            ok = false;
        }
    }
    if (!ok && ctx->err_line == 0) {
        ctx->err_line = ctx->line;
        snprintf(ctx->err_msg, sizeof ctx->err_msg, "%.64s: %s", name, e.msg);
    }
    return ok;
}

bool ts_theme_parse(const char *text, const char *source, const TsTheme *base, TsTheme *out,
                    TsErr *err) {
    if (base) {
        if (base != out) *out = *base;
    } else {
        memset(out, 0, sizeof *out);
    }
    ParseCtx ctx = {.text = text, .line = 0, .at_line_start = true, .theme = out};
    int rc = ini_parse_stream(string_reader, &ctx, theme_handler, &ctx);
    if (rc == 0 && ctx.err_line == 0) return true;
    if (rc < 0) {
        ts_err_set(err, "%s: cannot parse (out of memory)", source);
    } else if (ctx.err_line > 0 && (rc == 0 || ctx.err_line <= rc)) {
        ts_err_set(err, "%s:%d: %s", source, ctx.err_line, ctx.err_msg);
    } else {
        ts_err_set(err, "%s:%d: expected 'style.name = fg:COLOUR bg:COLOUR attributes'", source, rc);
    }
    return false;
}

void ts_theme_default(TsTheme *out) {
    const char *text = ts_theme_builtin_find("default");
    TsErr err;
    if (!text || !ts_theme_parse(text, "default.ini", NULL, out, &err)) memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "default");
}

bool ts_theme_load(const char *name, TsTheme *out, TsErr *err) {
    TsTheme base;
    ts_theme_default(&base);
    size_t len = strlen(name);
    bool is_path = strchr(name, '/') || (len > 4 && strcmp(name + len - 4, ".ini") == 0);
    char *path = NULL;
    if (is_path) {
        path = ts_xstrdup(name);
    } else {
        const char *xdg = getenv("XDG_CONFIG_HOME");
        const char *home = getenv("HOME");
        if (xdg && xdg[0] == '/')
            path = ts_xasprintf("%s/trajscope/themes/%s.ini", xdg, name);
        else if (home && home[0])
            path = ts_xasprintf("%s/.config/trajscope/themes/%s.ini", home, name);
        FILE *f = path ? fopen(path, "r") : NULL;
        if (f) {
            fclose(f);
        } else {
            free(path);
            path = NULL;
        }
    }
    bool ok;
    if (path) {
        char *text = ts_textfile_read(path, 1u << 20, err);
        ok = text && ts_theme_parse(text, path, &base, out, err);
        free(text);
        free(path);
    } else {
        const char *text = ts_theme_builtin_find(name);
        if (!text) {
            char list[128] = "";
            for (size_t i = 0; i < ts_theme_builtin_count(); i++) {
                size_t used = strlen(list);
                snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", ts_theme_builtin_name(i));
            }
            ts_err_set(err, "unknown theme '%s' (stock themes: %s)", name, list);
            return false;
        }
        char *src = ts_xasprintf("%s.ini", name);
        ok = ts_theme_parse(text, src, &base, out, err);
        free(src);
    }
    if (ok) {
        const char *slash = strrchr(name, '/');
        snprintf(out->name, sizeof out->name, "%s", slash ? slash + 1 : name);
    }
    return ok;
}

/* ---- colour mapping ---- */

static const uint32_t ansi16_rgb[16] = {
    0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
    0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

static const int cube_levels[6] = {0, 95, 135, 175, 215, 255};

uint32_t ts_colour_index_rgb(int index) {
    if (index < 0) return 0;
    if (index < 16) return ansi16_rgb[index];
    if (index < 232) {
        int i = index - 16;
        int r = cube_levels[i / 36], g = cube_levels[(i / 6) % 6], b = cube_levels[i % 6];
        return (uint32_t)(r << 16 | g << 8 | b);
    }
    if (index < 256) {
        int v = 8 + 10 * (index - 232);
        return (uint32_t)(v << 16 | v << 8 | v);
    }
    return 0xffffff;
}

static long dist2(uint32_t a, uint32_t b) {
    long dr = (long)((a >> 16) & 0xff) - (long)((b >> 16) & 0xff);
    long dg = (long)((a >> 8) & 0xff) - (long)((b >> 8) & 0xff);
    long db = (long)(a & 0xff) - (long)(b & 0xff);
    /* Weighted towards the eye's sensitivity (green > red > blue). */
    return 3 * dr * dr + 4 * dg * dg + 2 * db * db;
}

static int nearest_level(int v) {
    int best = 0;
    for (int i = 1; i < 6; i++)
        if (abs(cube_levels[i] - v) < abs(cube_levels[best] - v)) best = i;
    return best;
}

int ts_colour_rgb_to_256(uint32_t rgb) {
    int r = (int)((rgb >> 16) & 0xff), g = (int)((rgb >> 8) & 0xff), b = (int)(rgb & 0xff);
    int cube = 16 + 36 * nearest_level(r) + 6 * nearest_level(g) + nearest_level(b);
    int avg = (r + g + b) / 3;
    int gi = (avg - 8 + 5) / 10;
    if (gi < 0) gi = 0;
    if (gi > 23) gi = 23;
    int grey = 232 + gi;
    return dist2(rgb, ts_colour_index_rgb(grey)) < dist2(rgb, ts_colour_index_rgb(cube)) ? grey : cube;
}

int ts_colour_rgb_to_ansi(uint32_t rgb, int n) {
    double r = ((rgb >> 16) & 0xff) / 255.0, g = ((rgb >> 8) & 0xff) / 255.0, b = (rgb & 0xff) / 255.0;
    double mx = fmax(r, fmax(g, b)), mn = fmin(r, fmin(g, b));
    double light = (mx + mn) / 2, chroma = mx - mn;
    if (chroma < 0.18) { /* a grey */
        if (light < 0.16) return 0;
        if (n >= 16) return light < 0.6 ? 8 : light < 0.88 ? 7 : 15;
        return 7;
    }
    double h;
    if (mx == r)
        h = fmod((g - b) / chroma, 6.0);
    else if (mx == g)
        h = (b - r) / chroma + 2.0;
    else
        h = (r - g) / chroma + 4.0;
    h *= 60.0;
    if (h < 0) h += 360.0;
    /* Hue bands, wider for blue and green as the eye names them. */
    int c;
    if (h < 20 || h >= 330)
        c = 1; /* red */
    else if (h < 70)
        c = 3; /* yellow (and orange) */
    else if (h < 165)
        c = 2; /* green */
    else if (h < 200)
        c = 6; /* cyan */
    else if (h < 270)
        c = 4; /* blue */
    else
        c = 5; /* magenta */
    if (n >= 16 && light > 0.62) c += 8;
    return c;
}

static int resolve_colour(TsColour c, int colours) {
    if (c.kind == TS_COLOUR_DEFAULT || colours < 8) return -1;
    if (colours >= 0x1000000) {
        if (c.kind == TS_COLOUR_INDEX && c.value < 8) return (int)c.value;
        uint32_t rgb = c.kind == TS_COLOUR_RGB ? c.value : ts_colour_index_rgb((int)c.value);
        return rgb < 8 ? 8 : (int)rgb; /* 0..7 are the ANSI colours in direct mode */
    }
    if (colours >= 256) return c.kind == TS_COLOUR_RGB ? ts_colour_rgb_to_256(c.value) : (int)c.value;
    int n = colours >= 16 ? 16 : 8;
    if (c.kind == TS_COLOUR_INDEX) {
        if ((int)c.value < n) return (int)c.value;
        if (c.value < 16) return (int)c.value - 8;
        return ts_colour_rgb_to_ansi(ts_colour_index_rgb((int)c.value), n);
    }
    return ts_colour_rgb_to_ansi(c.value, n);
}

void ts_theme_resolve(const TsTheme *t, int colours, TsTermStyle out[TS_STYLE_COUNT]) {
    for (int i = 0; i < TS_STYLE_COUNT; i++) {
        out[i].fg = resolve_colour(t->style[i].fg, colours);
        out[i].bg = resolve_colour(t->style[i].bg, colours);
        out[i].attrs = t->style[i].attrs;
    }
}
