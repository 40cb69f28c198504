/* main.c - argument dispatch: a subcommand, or the interactive explorer.
 * Layer: entry. License: MIT. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "tui/tui.h"

typedef struct Command {
    const char *name, *args, *help;
    int (*run)(int argc, char **argv);
} Command;

static const Command commands[] = {
#define TS_COMMAND_ENTRY(name, args, help) {#name, args, help, ts_cmd_##name},
    TS_COMMAND_LIST(TS_COMMAND_ENTRY)
#undef TS_COMMAND_ENTRY
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

static const Command *find_command(const char *name) {
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: trajscope [OPTIONS] FILE|DIR...    explore runs in the terminal\n"
            "       trajscope COMMAND [ARGS]            run one command\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-8s %-28s %s\n", commands[i].name, commands[i].args, commands[i].help);
    fprintf(out,
            "  %-8s %-28s %s\n"
            "\n"
            "options:\n"
            "  -h, --help       show this help (`trajscope help COMMAND` for one command)\n"
            "  -V, --version    show the version\n"
            "  explorer options: see `trajscope --help-explorer` or trajscope(1)\n",
            "help", "[COMMAND]", "show help for a command");
}

int main(int argc, char **argv) {
    setlocale(LC_ALL, "");
    /* Numbers are read and written the same everywhere (a decimal comma in
     * the user's locale must not change how 0.5 is parsed or printed). */
    setlocale(LC_NUMERIC, "C");
    if (argc < 2) {
        usage(stderr);
        return TS_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "-h") == 0 || strcmp(first, "--help") == 0) {
        usage(stdout);
        return TS_EXIT_OK;
    }
    if (strcmp(first, "-V") == 0 || strcmp(first, "--version") == 0) {
        printf("trajscope %s\n", TS_VERSION);
        return TS_EXIT_OK;
    }
    if (strcmp(first, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return TS_EXIT_OK;
        }
        const Command *cmd = find_command(argv[2]);
        if (!cmd) {
            cli_error("no command '%s'; try 'trajscope --help'", argv[2]);
            return TS_EXIT_USAGE;
        }
        char *help_argv[] = {argv[2], (char *)"--help", NULL};
        return cmd->run(2, help_argv);
    }
    const Command *cmd = find_command(first);
    if (cmd) return cmd->run(argc - 1, argv + 1);
    return ts_tui_main(argc, argv);
}
