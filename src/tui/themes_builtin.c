/* themes_builtin.c - the stock themes, compiled in (copies of the themes/ files).
 * Layer: tui (data only). License: MIT.
 *
 * Keep in step with themes/NAME.ini: test_theme fails when they differ and
 * prints the file to paste here. Each line of a .ini becomes one string
 * literal line ending in \n. */
#include "tui/theme.h"

#include <string.h>

static const char theme_default[] =
    "; trajscope stock theme \"default\": for dark terminal backgrounds.\n"
    "; One line per style of include/trajscope/style.h:\n"
    ";   name = fg:COLOUR bg:COLOUR attributes\n"
    "; COLOUR: default, #rrggbb, 0-255 or a colour name; attributes: bold dim\n"
    "; underline reverse italic (or none). 256-colour and 8-colour terminals get\n"
    "; the nearest colour; NO_COLOR selects the mono theme.\n"
    "default = fg:default bg:default\n"
    "header = fg:#eceff4 bg:#3b4252 bold\n"
    "status = fg:#eceff4 bg:#3b4252\n"
    "title = fg:#88c0d0 bold\n"
    "plot.axis = fg:#5e81ac\n"
    "plot.tick = fg:#a3acb9\n"
    "plot.grid = fg:#4c566a\n"
    "plot.legend = fg:default\n"
    "plot.cursor = fg:#ebcb8b bold\n"
    "plot.nonfinite = fg:#ff5f5f bold\n"
    "plot.seam = fg:#d08770 bold\n"
    "plot.changepoint = fg:#b48ead bold\n"
    "plot.phase = fg:default bg:#2e3440\n"
    "mark.point = fg:#a3be8c bold\n"
    "mark.interval = fg:default bg:#434c5e\n"
    "plot.band = fg:#616e88\n"
    "plot.series.1 = fg:#5fb3f9\n"
    "plot.series.2 = fg:#f28e2b\n"
    "plot.series.3 = fg:#59c36a\n"
    "plot.series.4 = fg:#e15759\n"
    "plot.series.5 = fg:#c490d1\n"
    "plot.series.6 = fg:#edc948\n"
    "plot.series.7 = fg:#76b7b2\n"
    "plot.series.8 = fg:#ff9da7\n"
    "list = fg:default\n"
    "list.selected = fg:#2e3440 bg:#88c0d0 bold\n"
    "list.hidden = fg:#7b8394\n"
    "prompt = fg:#ebcb8b bold\n"
    "error = fg:#ff5f5f bold\n"
    "help.key = fg:#88c0d0 bold\n"
    "help.text = fg:default\n";

static const char theme_light[] =
    "; trajscope stock theme \"light\": for light terminal backgrounds.\n"
    "; Same names and syntax as default.ini.\n"
    "default = fg:default bg:default\n"
    "header = fg:#2e3440 bg:#d8dee9 bold\n"
    "status = fg:#2e3440 bg:#d8dee9\n"
    "title = fg:#005f87 bold\n"
    "plot.axis = fg:#4c566a\n"
    "plot.tick = fg:#4c566a\n"
    "plot.grid = fg:#b0b8c4\n"
    "plot.legend = fg:default\n"
    "plot.cursor = fg:#af5f00 bold\n"
    "plot.nonfinite = fg:#d70000 bold\n"
    "plot.seam = fg:#af5f00 bold\n"
    "plot.changepoint = fg:#8700af bold\n"
    "plot.phase = fg:default bg:#eceff4\n"
    "mark.point = fg:#008700 bold\n"
    "mark.interval = fg:default bg:#e5e9f0\n"
    "plot.band = fg:#a0a8b4\n"
    "plot.series.1 = fg:#1f77b4\n"
    "plot.series.2 = fg:#d95f02\n"
    "plot.series.3 = fg:#1b9e77\n"
    "plot.series.4 = fg:#d62728\n"
    "plot.series.5 = fg:#7b3294\n"
    "plot.series.6 = fg:#b8860b\n"
    "plot.series.7 = fg:#17807e\n"
    "plot.series.8 = fg:#c51b7d\n"
    "list = fg:default\n"
    "list.selected = fg:#ffffff bg:#005f87 bold\n"
    "list.hidden = fg:#8a8f98\n"
    "prompt = fg:#af5f00 bold\n"
    "error = fg:#d70000 bold\n"
    "help.key = fg:#005f87 bold\n"
    "help.text = fg:default\n";

static const char theme_colorblind[] =
    "; trajscope stock theme \"colorblind\": the Okabe-Ito palette, which stays\n"
    "; distinguishable with the common colour-vision deficiencies. Markers never\n"
    "; rely on colour alone (NaN, seams and the cursor have their own glyphs).\n"
    "default = fg:default bg:default\n"
    "header = fg:default bg:default bold reverse\n"
    "status = fg:default bg:default reverse\n"
    "title = fg:#56b4e9 bold\n"
    "plot.axis = fg:default\n"
    "plot.tick = fg:default\n"
    "plot.grid = fg:default dim\n"
    "plot.legend = fg:default\n"
    "plot.cursor = fg:#f0e442 bold\n"
    "plot.nonfinite = fg:#d55e00 bold underline\n"
    "plot.seam = fg:#e69f00 bold\n"
    "plot.changepoint = fg:#cc79a7 bold\n"
    "plot.phase = fg:default bg:default dim\n"
    "mark.point = fg:#009e73 bold\n"
    "mark.interval = fg:default bg:default underline\n"
    "plot.band = fg:default dim\n"
    "plot.series.1 = fg:#0072b2\n"
    "plot.series.2 = fg:#e69f00\n"
    "plot.series.3 = fg:#009e73\n"
    "plot.series.4 = fg:#cc79a7\n"
    "plot.series.5 = fg:#56b4e9\n"
    "plot.series.6 = fg:#d55e00\n"
    "plot.series.7 = fg:#f0e442\n"
    "plot.series.8 = fg:default\n"
    "list = fg:default\n"
    "list.selected = fg:default bg:default reverse bold\n"
    "list.hidden = fg:default dim\n"
    "prompt = fg:#f0e442 bold\n"
    "error = fg:#d55e00 bold\n"
    "help.key = fg:#56b4e9 bold\n"
    "help.text = fg:default\n";

static const char theme_mono[] =
    "; trajscope stock theme \"mono\": attributes only, no colours. Used when\n"
    "; NO_COLOR is set or the terminal has no colours.\n"
    "default = none\n"
    "header = reverse bold\n"
    "status = reverse\n"
    "title = bold\n"
    "plot.axis = none\n"
    "plot.tick = none\n"
    "plot.grid = dim\n"
    "plot.legend = none\n"
    "plot.cursor = bold\n"
    "plot.nonfinite = bold underline\n"
    "plot.seam = bold\n"
    "plot.changepoint = bold\n"
    "plot.phase = dim\n"
    "mark.point = bold\n"
    "mark.interval = underline\n"
    "plot.band = dim\n"
    "plot.series.1 = none\n"
    "plot.series.2 = bold\n"
    "plot.series.3 = underline\n"
    "plot.series.4 = dim\n"
    "plot.series.5 = none\n"
    "plot.series.6 = bold\n"
    "plot.series.7 = underline\n"
    "plot.series.8 = dim\n"
    "list = none\n"
    "list.selected = reverse bold\n"
    "list.hidden = dim\n"
    "prompt = bold\n"
    "error = bold reverse\n"
    "help.key = bold\n"
    "help.text = none\n";

static const struct {
    const char *name, *text;
} builtin[] = {
    {"default", theme_default},
    {"light", theme_light},
    {"colorblind", theme_colorblind},
    {"mono", theme_mono},
};

size_t ts_theme_builtin_count(void) {
    return sizeof builtin / sizeof builtin[0];
}

const char *ts_theme_builtin_name(size_t i) {
    return i < ts_theme_builtin_count() ? builtin[i].name : NULL;
}

const char *ts_theme_builtin_text(size_t i) {
    return i < ts_theme_builtin_count() ? builtin[i].text : NULL;
}

const char *ts_theme_builtin_find(const char *name) {
    for (size_t i = 0; i < ts_theme_builtin_count(); i++)
        if (strcmp(builtin[i].name, name) == 0) return builtin[i].text;
    return NULL;
}
