/*
 * bench_explore.c - exhaustive exploration figures for issue-4 comparisons.
 *
 * For each scenario: the exhaustive search with reduction (source-DPOR +
 * sleep sets) and without it; executions, runs pruned by sleep sets, the
 * number of distinct Mazurkiewicz traces (counted by canonical form when
 * reduction is off), executions per second and time to verdict.  For a
 * scenario that expects a violation, time to the first counterexample.
 * Wall-clock time is read here, never in the simulator.  Figures are
 * printed, not asserted.
 *
 *   build/bench_explore [--no-plain] [--budget SECONDS] FILE...
 */
#include <stdio.h>

#include "sim/explore/explore.h"

static double wall(void)
{
    return g_get_monotonic_time() / 1e6;
}

static void one(const sim_scenario *s, sim_stack_pool *pool, gboolean reduce, double budget)
{
    sim_explore_options o;
    sim_explore_options_init(&o);
    o.mode = SIM_MODE_EXHAUSTIVE;
    o.mode_set = TRUE;
    o.no_reduction = !reduce;
    o.count_traces = TRUE;
    o.clock_s = wall;
    o.time_budget_s = budget;
    sim_explore_result r;
    sim_explore(s, pool, &o, &r);
    printf("%-22s %-9s %-10s %10" G_GINT64_FORMAT " exec %8" G_GINT64_FORMAT " pruned", s->name,
           reduce ? "dpor" : "none", sim_verdict_name(r.verdict), r.runs, r.pruned);
    printf(" %10" G_GINT64_FORMAT " traces", r.traces);
    printf(" %9.0f exec/s %8.3f s\n", r.elapsed_s > 0 ? r.runs / r.elapsed_s : 0.0, r.elapsed_s);
    sim_explore_result_clear(&r);
}

int main(int argc, char **argv)
{
    gboolean no_plain = FALSE;
    double budget = 300;
    GOptionEntry entries[] = {
        {"no-plain", 0, 0, G_OPTION_ARG_NONE, &no_plain, "Skip the unreduced search", NULL},
        {"budget", 0, 0, G_OPTION_ARG_DOUBLE, &budget, "Seconds per search (default 300)", "S"},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *ctx = g_option_context_new("FILE... - exhaustive exploration figures");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "bench_explore: %s\n", error->message);
        return 2;
    }
    g_option_context_free(ctx);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    for (int i = 1; i < argc; i++) {
        sim_scenario *s = sim_scenario_load(argv[i], &error);
        if (!s) {
            fprintf(stderr, "bench_explore: %s\n", error->message);
            return 2;
        }
        one(s, pool, TRUE, budget);
        if (!no_plain)
            one(s, pool, FALSE, budget);
        sim_scenario_free(s);
    }
    sim_stack_pool_free(pool);
    return 0;
}
