/*
 * cmd_check.c - `tabsim check`: many random runs of each scenario.
 *
 * Run i of a scenario uses seed base + i, so `tabsim run FILE --seed S`
 * reproduces any one of them.  The first violation stops the scenario's
 * runs; it is replayed with tracing (the run is a pure function of its
 * token) to print the steps that led to it, and the replay command is
 * printed.  The verdict is judged against [expect]; the exit code follows
 * the rule in cli.h over all the files.
 */
#include <stdlib.h>

#include "cli.h"
#include "sim/explore.h"

typedef struct check_options {
    gint64 runs;
    gint64 seed;
    gint context;
    gboolean ignore_expect;
} check_options;

static void print_counterexample(const sim_scenario *s, sim_stack_pool *pool, const sim_run_spec *found,
                                 const check_options *o)
{
    sim_run_spec spec = *found;
    spec.trace = TRUE;
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    const sim_violation *v = report_first_violation(&run);
    char *token = sim_run_token(&run, &spec);
    if (v) {
        report_violation(stdout, v);
        printf("timeline    (virtual ms, tab, task, operation, key = value -> result ; step)\n");
        report_timeline(stdout, &run, v, (unsigned)o->context);
    }
    char *quoted = g_shell_quote(s->path);
    printf("replay      tabsim replay %s --token %s --trace\n", quoted, token);
    g_free(quoted);
    g_free(token);
    sim_run_clear(&run);
}

static double wall_clock_s(void)
{
    return g_get_monotonic_time() / 1e6;
}

/* Returns the exit code for this scenario. */
static int check_one(const char *path, sim_stack_pool *pool, const check_options *o)
{
    sim_scenario *s = cli_scenario_load(path);
    if (!s)
        return CLI_EXIT_USAGE;
    sim_explore_options eo;
    sim_explore_options_init(&eo);
    eo.runs = o->runs;
    eo.seed = o->seed;
    eo.clock_s = wall_clock_s;
    gint64 runs = o->runs > 0 ? o->runs : s->runs;
    uint64_t base = o->seed >= 0 ? (uint64_t)o->seed : (uint64_t)s->seed;
    printf("check       %s (%s): %" G_GINT64_FORMAT " random runs, seeds %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
           ", time timed\n",
           s->name, s->path, runs, base, base + (uint64_t)runs - 1);
    sim_explore_result r;
    sim_explore(s, pool, &eo, &r);
    if (r.verdict == SIM_VERDICT_VIOLATION) {
        printf("found       in run %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " (seed %" G_GUINT64_FORMAT ")\n", r.runs,
               runs, r.counterexample.seed);
        print_counterexample(s, pool, &r.counterexample, o);
    }
    printf("explored    %" G_GINT64_FORMAT " runs, %" G_GUINT64_FORMAT " steps, %" G_GUINT64_FORMAT " storage ops\n",
           r.runs, r.steps, r.storage_ops);
    report_verdict(stdout, s, r.violated, o->ignore_expect);
    int rc = sim_outcome_expected(s, r.violated, o->ignore_expect) ? CLI_EXIT_EXPECTED : CLI_EXIT_UNEXPECTED;
    sim_explore_result_clear(&r);
    sim_scenario_free(s);
    return rc;
}

int cli_check(int argc, char **argv)
{
    check_options o = {.runs = 0, .seed = -1, .context = 40};
    GOptionEntry entries[] = {
        {"runs", 'n', 0, G_OPTION_ARG_INT64, &o.runs, "Random runs per scenario (default: its [check] runs)", "N"},
        {"seed", 's', 0, G_OPTION_ARG_INT64, &o.seed, "Base seed (default: its [check] seed)", "N"},
        {"context", 'c', 0, G_OPTION_ARG_INT, &o.context, "Timeline lines shown before a violation (0 = all)", "N"},
        {"ignore-expect", 0, 0, G_OPTION_ARG_NONE, &o.ignore_expect, "Judge as if every invariant must hold", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *ctx = g_option_context_new("FILE... - random runs of each scenario, judged against [expect]");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
    g_option_context_free(ctx);
    if (!ok) {
        int rc = cli_usage_error("%s (see tabsim check --help)", error->message);
        g_error_free(error);
        return rc;
    }
    if (argc < 2)
        return cli_usage_error("check needs at least one scenario FILE (see tabsim check --help)");
    if (o.runs < 0 || o.context < 0)
        return cli_usage_error("--runs and --context take a number >= 0");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int worst = CLI_EXIT_EXPECTED;
    for (int i = 1; i < argc; i++) {
        if (i > 1)
            printf("\n");
        int rc = check_one(argv[i], pool, &o);
        /* bad input outranks an unexpected verdict: CI must see it */
        if (rc == CLI_EXIT_USAGE || (rc == CLI_EXIT_UNEXPECTED && worst != CLI_EXIT_USAGE))
            worst = rc;
    }
    sim_stack_pool_free(pool);
    return worst;
}
