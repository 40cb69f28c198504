/* commands.h - the CLI subcommands, one file each (src/cli/cmd_<name>.c).
 * Layer: cli. License: MIT.
 *
 * One X-macro list yields main()'s dispatch table, `trajscope --help` and
 * `trajscope help`. Each command parses its own options and handles
 * --help itself (printing its usage to stdout and returning 0).
 * Exit codes: 0 success, 1 usage error, 2 bad input data (file missing,
 * unreadable, wrong layout, unknown metric), 3 fatal (out of memory). */
#ifndef TRAJSCOPE_CLI_COMMANDS_H
#define TRAJSCOPE_CLI_COMMANDS_H

#define TS_COMMAND_LIST(X)                                                  \
    X(info, "FILE...", "show each run: configuration, metrics, statistics") \
    X(plot, "FILE --metric NAME", "print one metric as a terminal plot") \
    X(import, "SRC... -o OUT.h5", "convert TensorBoard, CSV or JSON logs into a trajscope archive") \
    X(mark, "FILE add|list|rm|label ...", "add, list, relabel or remove marks on a run") \
    X(export, "FILE... [-o OUT]", "export marked intervals and their statistics or data") \
    X(detect, "FILE --metric NAME", "find change points (phase transitions) in a metric")

/* Each command: argv[0] is the command's name. */
#define TS_COMMAND_DECL(name, args, help) int ts_cmd_##name(int argc, char **argv);
TS_COMMAND_LIST(TS_COMMAND_DECL)
#undef TS_COMMAND_DECL

#endif
