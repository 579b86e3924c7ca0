/*
 * main.c - tabsim's entry point: dispatches to a command.
 *
 *   tabsim run FILE [--seed N] [--trace]
 *   tabsim check DIR/|FILE... [--runs N] [--jobs N] [--json F] [--junit F] ...
 *   tabsim merge REPORT.json...
 *   tabsim replay FILE --token TOKEN [--trace]
 *   tabsim sweep FILE --vary GROUP.KEY=V1,V2... --out FILE.dat
 *   tabsim plot [--out DIR]
 *   tabsim matrix DIR
 *   tabsim help [COMMAND|scenario]
 */
#include <string.h>

#include "check.h"
#include "cli.h"
#include "sim/world/arena.h"

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
    "  check DIR/|FILE...  explore each scenario (a DIR: its *.ini files), judge\n"
    "                      it against [expect], print counterexamples and their\n"
    "                      replay command; --json, --junit, --jobs, --shard\n"
    "  merge REPORT.json...\n"
    "                      combine the JSON reports of the shards of one check\n"
    "  replay FILE --token TOKEN\n"
    "                      reproduce a run byte for byte\n"
    "  sweep FILE --vary GROUP.KEY=V1,V2,... --out FILE.dat\n"
    "                      run a grid of variants, write statistics for gnuplot\n"
    "  plot [--out DIR]    run the sweeps and gnuplot scripts of plots/ (charts)\n"
    "  matrix DIR          print the algorithm x condition table (docs/matrix.md)\n"
    "  help [COMMAND|scenario]\n"
    "                      this text, a command's options, or the scenario-file\n"
    "                      reference (docs/scenario-reference.md)\n"
    "\n"
    "tabsim COMMAND --help (or tabsim help COMMAND) shows a command's options;\n"
    "man tabsim (docs/tabsim.1) is the manual.\n"
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
    if (argc >= 2) {
        /* help COMMAND is COMMAND --help (GOption prints it and exits 0). */
        static const struct {
            const char *name;
            int (*fn)(int, char **);
        } commands[] = {{"run", cli_run}, {"check", cli_check}, {"merge", cli_merge}, {"replay", cli_replay},
                        {"sweep", cli_sweep}, {"plot", cli_plot}, {"matrix", cli_matrix}};
        for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
            if (strcmp(argv[1], commands[i].name) == 0) {
                char *prog = g_strdup_printf("tabsim %s", argv[1]);
                g_set_prgname(prog);
                char *args[] = {prog, (char *)"--help", NULL};
                int rc = commands[i].fn(2, args);
                g_free(prog);
                return rc;
            }
        return cli_usage_error("help: no page \"%s\"; pages: run, check, merge, replay, sweep, plot, matrix, "
                                 "scenario", argv[1]);
    }
    fputs(usage, stdout);
    return CLI_EXIT_EXPECTED;
}

int main(int argc, char **argv)
{
    /* Only check runs the stateful search, whose arenas may need GLib
     * told at load (sim/world/arena.h): the others are not run again. */
    if (argc > 1 && strcmp(argv[1], "check") == 0)
        sim_arena_process_init(argv);
    cli_oom_install();
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
    else if (strcmp(cmd, "merge") == 0)
        rc = cli_merge(argc - 1, argv + 1);
    else if (strcmp(cmd, "replay") == 0)
        rc = cli_replay(argc - 1, argv + 1);
    else if (strcmp(cmd, "help") == 0)
        rc = cli_help(argc - 1, argv + 1);
    else if (strcmp(cmd, "sweep") == 0)
        rc = cli_sweep(argc - 1, argv + 1);
    else if (strcmp(cmd, "plot") == 0)
        rc = cli_plot(argc - 1, argv + 1);
    else if (strcmp(cmd, "matrix") == 0)
        rc = cli_matrix(argc - 1, argv + 1);
    else
        rc = cli_usage_error("unknown command \"%s\"; commands: run, check, merge, replay, sweep, plot, matrix, "
                             "help", cmd);
    argv[1] = (char *)cmd;
    g_free(prog);
    return rc;
}
