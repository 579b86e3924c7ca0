/*
 * check_options.c - the command line of `tabsim check`: its options
 * (GOption entries, with what GOption does not check: each value's range,
 * --mode and --time by name, --shard K/N, --list-items only with a
 * shard), resolved into the request every scenario is checked with
 * (check_request, sim_explore_options).  Whether an option applies to a
 * scenario is judged per scenario later (check_refuse.c).
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "sim/input.h"

static void progress_line(void *ctx, const char *line)
{
    char *name = sim_input_escape(ctx, FALSE);
    fprintf(stderr, "progress    %s: %s\n", name, line);
    g_free(name);
}

static int parse_count(const char *option, gint64 value, gint64 min, gint64 max)
{
    if (value < min || value > max)
        return cli_usage_error("%s %" G_GINT64_FORMAT ": out of range; allowed: %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT,
                               option, value, min, max);
    return CLI_EXIT_EXPECTED;
}

/* "K/N", 0 <= K < N: the shard of a CI matrix or job array (0-based, as
 * SLURM_ARRAY_TASK_ID with --array=0-N-1 and JOB_COMPLETION_INDEX are). */
static int parse_shard(const char *text, int *index, int *count)
{
    const char *slash = text ? strchr(text, '/') : NULL;
    guint64 k = 0, n = 0;
    if (!slash || !g_ascii_string_to_unsigned(slash + 1, 10, 1, 1000000, &n, NULL)) {
        return cli_usage_error("--shard \"%s\": expected K/N with N between 1 and 1000000 (for example --shard 0/4 "
                               "... --shard 3/4)",
                               text ? text : "");
    }
    char *head = g_strndup(text, (gsize)(slash - text));
    gboolean ok = g_ascii_string_to_unsigned(head, 10, 0, n - 1, &k, NULL);
    g_free(head);
    if (!ok)
        return cli_usage_error("--shard \"%s\": K must be a whole number from 0 to %" G_GUINT64_FORMAT
                               " (shards are numbered from 0)",
                               text, n - 1);
    *index = (int)k;
    *count = (int)n;
    return CLI_EXIT_EXPECTED;
}

static int options_resolve(check_cli *c)
{
    sim_explore_options *eo = &c->req.explore;
    if (c->mode) {
        eo->mode_set = TRUE;
        if (strcmp(c->mode, "random") == 0)
            eo->mode = SIM_MODE_RANDOM;
        else if (strcmp(c->mode, "exhaustive") == 0)
            eo->mode = SIM_MODE_EXHAUSTIVE;
        else if (strcmp(c->mode, "pct") == 0)
            eo->mode = SIM_MODE_PCT;
        else
            return cli_usage_error("--mode \"%s\": unknown mode; allowed: random, exhaustive, pct", c->mode);
    }
    if (c->time) {
        if (strcmp(c->time, "timed") == 0)
            eo->time = SIM_TIME_TIMED;
        else if (strcmp(c->time, "untimed") == 0)
            eo->time = SIM_TIME_UNTIMED;
        else
            return cli_usage_error("--time \"%s\": unknown time model; allowed: timed, untimed", c->time);
    }
    if (c->shard && parse_shard(c->shard, &eo->shard_index, &eo->shard_count))
        return CLI_EXIT_USAGE;
    const gint64 big = G_GINT64_CONSTANT(1) << 40;
    /* Absent, --runs and --seed mean the scenario's [check] runs and seed;
     * given, 0 runs or a negative seed would mean that too, silently. */
    if (cli_args_given(&c->args, "runs") && (c->req.runs < 1 || c->req.runs > big))
        return cli_usage_error("--runs %" G_GINT64_FORMAT ": out of range; allowed: 1..%" G_GINT64_FORMAT
                               " (absent: each scenario's [check] runs)", c->req.runs, big);
    /* Up to G_MAXINT64 with the runs' seeds after it (check_refuse.c). */
    if (cli_args_given(&c->args, "seed") && c->req.seed < 0)
        return cli_usage_error("--seed %" G_GINT64_FORMAT ": out of range; allowed: 0..%" G_GINT64_FORMAT
                               " (absent: each scenario's [check] seed)", c->req.seed, G_MAXINT64);
    /* Given, --steps 0 would silently mean the scenario's steps_max too. */
    if (cli_args_given(&c->args, "steps") && (c->steps < 1 || c->steps > big))
        return cli_usage_error("--steps %" G_GINT64_FORMAT ": out of range; allowed: 1..%" G_GINT64_FORMAT
                               " (absent: each scenario's [run] steps_max)", c->steps, big);
    if (parse_count("--context", c->req.context, 0, G_MAXINT) ||
        parse_count("--preemptions", c->preemptions, -1, 1000000) || parse_count("--depth", c->depth, 1, 16) ||
        parse_count("--executions", c->executions, 0, big) || parse_count("--jobs (0 = one per CPU)", c->jobs, 0, 1024))
        return CLI_EXIT_USAGE;
    if (!isfinite(c->time_budget_s) || c->time_budget_s < 0 || c->time_budget_s > 1e9)
        return cli_usage_error("--time-budget %g: allowed: seconds, more than 0 and at most 1e9 (0 or absent = no budget)",
                               c->time_budget_s);
    eo->steps_max = c->steps;
    eo->preemptions_max = c->preemptions;
    eo->preemptions_set = cli_args_given(&c->args, "preemptions");
    eo->pct_depth = c->depth;
    eo->pct_depth_set = cli_args_given(&c->args, "depth");
    eo->executions_max = c->executions;
    eo->executions_set = cli_args_given(&c->args, "executions");
    eo->no_reduction = c->no_reduction;
    if (parse_count("--state-memory", c->state_memory, 1, 1024 * 1024))
        return CLI_EXIT_USAGE;
    eo->stateful = c->stateful || c->bitstate;
    eo->stateful_set = c->stateful || c->bitstate;
    eo->bitstate = c->bitstate;
    eo->symmetry = c->symmetry;
    eo->state_memory_mb = c->state_memory;
    /* Judged per scenario (check_refuse.c): a file may ask for the
     * stateful search itself ([explore] stateful = true). */
    eo->state_memory_set = cli_args_given(&c->args, "state-memory");
    eo->shrink = !c->no_shrink;
    eo->first = c->req.first;
    eo->time_budget_s = c->time_budget_s;
    eo->progress = c->progress ? progress_line : NULL;
    c->req.timing = !c->no_timing;
    if (c->jobs == 0)
        c->jobs = (gint)MIN(g_get_num_processors(), 1024u);
    if (c->list_items && eo->shard_count < 2)
        return cli_usage_error("--list-items: only with --shard K/N and N of 2 or more (one machine's search is not "
                               "split into work items); for example --shard 0/4 --list-items");
    if (c->list_items && (c->json || c->junit || c->mermaid))
        return cli_usage_error("--list-items prints the work items and judges nothing: allowed without --json, "
                               "--junit and --mermaid");
    return CLI_EXIT_EXPECTED;
}

int check_cli_parse(check_cli *c, int argc, char **argv)
{
    sim_explore_options_init(&c->req.explore);
    c->req.seed = -1;
    c->req.context = 40;
    c->preemptions = -1;
    c->state_memory = SIM_STATE_MEMORY_MB_DEFAULT;
    c->depth = c->req.explore.pct_depth;
    c->jobs = 1;
    GOptionEntry entries[] = {
        {"runs", 'n', 0, G_OPTION_ARG_INT64, &c->req.runs, "Random/PCT runs per scenario (default: its [check] runs)", "N"},
        {"seed", 's', 0, G_OPTION_ARG_INT64, &c->req.seed, "Base seed: run i uses seed+i (default: its [check] seed)", "N"},
        {"mode", 'm', 0, G_OPTION_ARG_STRING, &c->mode, "random, exhaustive or pct (default: random, or the scenario's [explore] mode)", "MODE"},
        {"time", 0, 0, G_OPTION_ARG_STRING, &c->time, "timed or untimed (default: untimed for exhaustive, else timed)",
         "MODEL"},
        {"steps", 0, 0, G_OPTION_ARG_INT64, &c->steps, "Steps per run at most (default: its [run] steps_max)", "N"},
        {"preemptions", 0, 0, G_OPTION_ARG_INT64, &c->preemptions, "Exhaustive: preemption bound (-1 = none)", "N"},
        {"depth", 0, 0, G_OPTION_ARG_INT64, &c->depth, "PCT: bug depth d, 1..16 (priority change points + 1)", "D"},
        {"executions", 0, 0, G_OPTION_ARG_INT64, &c->executions, "Exhaustive: executions at most (0 = no bound)", "N"},
        {"no-reduction", 0, 0, G_OPTION_ARG_NONE, &c->no_reduction, "Exhaustive: plain DFS, no reduction", NULL},
        {"stateful", 0, 0, G_OPTION_ARG_NONE, &c->stateful,
         "Exhaustive: stateful search, a visited set of 96-bit state digests with sleep sets, preemptions unbounded",
         NULL},
        {"state-memory", 0, 0, G_OPTION_ARG_INT64, &c->state_memory,
         "Stateful: memory of the visited set in MB (default 512); full = incomplete", "MB"},
        {"bitstate", 0, 0, G_OPTION_ARG_NONE, &c->bitstate,
         "Stateful with a bit array (SPIN's BITSTATE): prints its coverage, never verifies", NULL},
        {"symmetry", 0, 0, G_OPTION_ARG_NONE, &c->symmetry,
         "Stateful: states equal up to a renaming of interchangeable tabs are one (web-locks and none in lock "
         "workloads; checked at run time)",
         NULL},
        {"no-shrink", 0, 0, G_OPTION_ARG_NONE, &c->no_shrink, "Report the counterexample as found, unshrunk", NULL},
        {"time-budget", 0, 0, G_OPTION_ARG_DOUBLE, &c->time_budget_s,
         "Wall-clock seconds for the whole command; then stop, report, exit 3", "SECONDS"},
        {"shard", 0, 0, G_OPTION_ARG_STRING, &c->shard, "Do shard K of N (0 <= K < N) of the work; see tabsim merge",
         "K/N"},
        {"list-items", 0, 0, G_OPTION_ARG_NONE, &c->list_items,
         "Exhaustive with --shard K/N: print this shard's work items (replay tokens) instead of exploring them",
         NULL},
        {"jobs", 'j', 0, G_OPTION_ARG_INT, &c->jobs, "Threads (0 = one per CPU); output is that of 1, but for an exhaustive scenario split on threads its pruned count (docs/ci.md)", "N"},
        {"json", 0, 0, G_OPTION_ARG_FILENAME, &c->json, "Write a JSON report (docs/ci.md) to FILE", "FILE"},
        {"junit", 0, 0, G_OPTION_ARG_FILENAME, &c->junit, "Write a JUnit XML report to FILE", "FILE"},
        {"mermaid", 0, 0, G_OPTION_ARG_FILENAME, &c->mermaid,
         "Write the first counterexample as a Mermaid sequenceDiagram to FILE", "FILE.mmd"},
        {"no-timing", 0, 0, G_OPTION_ARG_NONE, &c->no_timing, "Leave wall-clock times out of output and reports",
         NULL},
        {"progress", 0, 0, G_OPTION_ARG_NONE, &c->progress, "Print the explorers' progress on stderr", NULL},
        {"context", 'c', 0, G_OPTION_ARG_INT, &c->req.context, "Timeline lines shown before a violation (0 = all)", "N"},
        {"ignore-expect", 0, 0, G_OPTION_ARG_NONE, &c->req.ignore_expect, "Judge as if every invariant must hold", NULL},
        {"first", 0, 0, G_OPTION_ARG_NONE, &c->req.first,
         "Stop at the first violation; [expect] violation = a, b then means one of them", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *ctx = g_option_context_new("DIR/|FILE... - explore each scenario, judge it against [expect]");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(
        ctx, "A DIR stands for its *.ini files, sorted by name (not subdirectories).\n"
             "Exit: 2 if any input was bad, else 1 if any outcome was not as expected,\n"
             "else 3 if a budget or a signal stopped some scenario, else 0.\n");
    GError *error = NULL;
    gboolean ok = cli_args_parse(&c->args, ctx, entries, argc, argv, &error);
    g_option_context_free(ctx);
    if (!ok) {
        int rc = cli_usage_error("%s (see tabsim check --help)", error->message);
        g_error_free(error);
        return rc;
    }
    if (c->args.argc < 2)
        return cli_usage_error("check needs at least one scenario FILE or DIR (see tabsim check --help)");
    return options_resolve(c);
}

void check_cli_clear(check_cli *c)
{
    cli_args_clear(&c->args);
    g_free(c->mode);
    g_free(c->time);
    g_free(c->shard);
    g_free(c->json);
    g_free(c->junit);
    g_free(c->mermaid);
}
