/*
 * main.c - tabsim's entry point: dispatches to a command.
 *
 *   tabsim run FILE [--seed N] [--trace]
 *   tabsim check FILE... [--runs N] [--seed N]
 *   tabsim replay FILE --token TOKEN [--trace]
 *   tabsim help [scenario]
 */
#include <string.h>

#include "cli.h"

#ifndef TABSIM_VERSION
#define TABSIM_VERSION "0.0.0"
#endif

static const char usage[] =
    "Usage: tabsim COMMAND [OPTIONS] FILE...\n"
    "\n"
    "Deterministic simulator and model checker for code that coordinates\n"
    "browser tabs through localStorage.\n"
    "\n"
    "Commands:\n"
    "  run FILE            one simulated run; summary, --trace for the timeline\n"
    "  check FILE...       many random runs, stop at the first violation,\n"
    "                      print its timeline and the replay command\n"
    "  replay FILE --token TOKEN\n"
    "                      reproduce a run byte for byte\n"
    "  help [scenario]     this text, or the scenario-file reference\n"
    "\n"
    "tabsim COMMAND --help shows a command's options.\n"
    "Exit codes: 0 every outcome as its scenario expects, 1 some outcome not,\n"
    "2 bad usage or input, 3 a budget ran out before a verdict.\n";

int cli_help(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "scenario") == 0) {
        char *md = sim_scenario_reference_markdown();
        fputs(md, stdout);
        g_free(md);
        return CLI_EXIT_EXPECTED;
    }
    fputs(usage, stdout);
    return CLI_EXIT_EXPECTED;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return fputs(usage, stderr), CLI_EXIT_USAGE;
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cli_help(1, argv);
    if (strcmp(cmd, "--version") == 0) {
        printf("tabsim %s\n", TABSIM_VERSION);
        return CLI_EXIT_EXPECTED;
    }
    /* Each command sees argv as "tabsim-CMD ARGS...", so its --help reads well. */
    char *prog = g_strdup_printf("tabsim %s", cmd);
    g_set_prgname(prog);
    argv[1] = prog;
    int rc;
    if (strcmp(cmd, "run") == 0)
        rc = cli_run(argc - 1, argv + 1);
    else if (strcmp(cmd, "check") == 0)
        rc = cli_check(argc - 1, argv + 1);
    else if (strcmp(cmd, "replay") == 0)
        rc = cli_replay(argc - 1, argv + 1);
    else if (strcmp(cmd, "help") == 0)
        rc = cli_help(argc - 1, argv + 1);
    else
        rc = cli_usage_error("unknown command \"%s\"; commands: run, check, replay, help", cmd);
    argv[1] = (char *)cmd;
    g_free(prog);
    return rc;
}
