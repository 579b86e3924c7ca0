/*
 * cli.h - the tabsim command line: shared declarations of the commands.
 *
 * Exit codes, one rule for every command:
 *   0  every outcome is what its scenario's [expect] says
 *   1  some outcome is not
 *   2  bad usage or bad input (the message names file, group and key)
 *   3  a budget ran out before a verdict: the time budget, a signal, an
 *      explorer's bound, the history bound, or memory (oom.c)
 */
#ifndef TABSIM_CLI_H
#define TABSIM_CLI_H

#include <stdio.h>

#include "sim/browser/storage_model.h"
#include "sim/explore/run.h"
#include "sim/programs/program.h"

enum { CLI_EXIT_EXPECTED = 0, CLI_EXIT_UNEXPECTED = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_INCOMPLETE = 3 };

int cli_run(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_help(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_plot(int argc, char **argv);

int cli_matrix(int argc, char **argv);

/* A FILE argument, or a DIR's *.ini files sorted by name, appended to
 * files with a parallel entry in errors (NULL, or why it is unusable). */
void cli_expand_arg(const char *arg, GPtrArray *files, GPtrArray *errors);

/* A command's arguments after its options are parsed (options.c). */
typedef struct cli_args {
    int argc;
    char **argv;                 /* argv[0], then the arguments that are not options; owned */
    const GOptionEntry *entries; /* the command's options */
    int n_entries;
    gboolean *given;             /* per entry: given on the command line */
    char **first_values;         /* per entry: the value it was first given */
} cli_args;

/* Parses argv with ctx, whose main entries are entries (NULL: none): an
 * option that takes a value may be given once (list options may repeat),
 * and -xVALUE is taken as -x VALUE.  FALSE with error set (GOption's, or
 * "--mode given twice ...").  Clear a with cli_args_clear either way;
 * entries must outlive every cli_args_given call. */
gboolean cli_args_parse(cli_args *a, GOptionContext *ctx, const GOptionEntry *entries, int argc, char **argv,
                        GError **error);
/* Was the option with this long name given (whatever its value)? */
gboolean cli_args_given(const cli_args *a, const char *long_name);
void cli_args_clear(cli_args *a);

/* An output file named by an option ("--json", path; path NULL = not asked). */
typedef struct cli_output {
    const char *option;
    const char *path;
} cli_output;
/* Refuses (message printed, CLI_EXIT_USAGE) an output that cannot be
 * written (a directory, a folder that is not there or not writable), two
 * outputs naming the same file, or an output naming one of the inputs;
 * else CLI_EXIT_EXPECTED. */
int cli_outputs_check(const cli_output *outputs, guint n, const char *const *inputs, guint n_inputs);

/* Loads a scenario, or prints the error and returns NULL. */
sim_scenario *cli_scenario_load(const char *path);
/* Prints an error line "tabsim: ..." to stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Reports (report.c) */
void report_summary(FILE *out, const sim_scenario *s, const sim_run *run, const char *token);
void report_violation(FILE *out, const sim_violation *v);
/* Timeline lines up to and including the violation, at most context lines
 * before it (0 = all). */
void report_timeline(FILE *out, const sim_run *run, const sim_violation *v, unsigned context);
/* The mark in the margin of the timeline line whose write erased a lost
 * event; the line also ends with "!! erased <id>". */
#define REPORT_ERASED_MARK "!!"
/* The violation (only, or any of the run's when only is NULL) whose lost
 * event the write on timeline line `line` (1-based) erased, or NULL. */
const sim_violation *report_erased_by(const sim_run *run, const sim_violation *only, guint line);
void report_verdict(FILE *out, const sim_scenario *s, guint violated, gboolean ignore_expect);
const sim_violation *report_first_violation(const sim_run *run);
/* p50/p90/p99/max/mean/n of every statistic with samples (sim/stats/stats.h). */
typedef struct sim_stats sim_stats;
void report_stats(FILE *out, const sim_stats *st);

/* oom.c: out of memory ends in a message, exit 3 and valid reports.
 * cli_oom_install once at start; cli_oom_reports names the reports to
 * replace if memory runs out (NULL, NULL: none). */
void cli_oom_install(void);
void cli_oom_reports(const char *json, const char *junit);

/* Mermaid sequenceDiagram of a traced run, up to `only` when given, its last
 * `context` steps (0 = all; mermaid.c). */
char *mermaid_render(const sim_scenario *s, const sim_run *run, const sim_violation *only, unsigned context);
gboolean mermaid_write(const char *path, const sim_scenario *s, const sim_run *run, const sim_violation *only);

#endif
