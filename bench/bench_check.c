/*
 * bench_check.c - simulation throughput of `tabsim check`, single core.
 *
 * For each scenario given (default: scenarios/mutex-only.ini and
 * scenarios/default.ini) it makes random runs exactly as `tabsim check`
 * does (seeds base..base+n-1, untraced) and prints simulated storage
 * operations per second, runs per second, steps per second and the peak
 * resident memory of the process.  Wall-clock time is read here, in the
 * benchmark, and never inside the simulator.  Figures are printed, not
 * asserted: speed is not a test.
 *
 *   build/bench_check [--runs N] [FILE...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "sim/explore/run.h"

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int bench_one(const char *path, gint64 runs)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load(path, &error);
    if (!s) {
        fprintf(stderr, "bench_check: %s\n", error->message);
        g_error_free(error);
        return 2;
    }
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    uint64_t ops = 0, steps = 0, violations = 0;
    gint64 t0 = g_get_monotonic_time();
    for (gint64 i = 0; i < runs; i++) {
        sim_run_spec spec = {.seed = (uint64_t)s->seed + (uint64_t)i, .tail = SIM_TAIL_RANDOM};
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        ops += run.monitor.c.storage_ops;
        steps += run.monitor.c.steps;
        violations += run.monitor.violated != 0;
        sim_run_clear(&run);
    }
    double secs = (g_get_monotonic_time() - t0) / 1e6;
    printf("%-28s %8" G_GINT64_FORMAT " runs %7.3f s  %10.0f storage ops/s  %9.0f runs/s  %10.0f steps/s"
           "  %4" G_GUINT64_FORMAT " runs violated  peak RSS %ld KiB  stacks %zu\n",
           s->name, runs, secs, ops / secs, runs / secs, steps / secs, violations, peak_rss_kib(),
           sim_stack_pool_allocated(pool));
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return 0;
}

int main(int argc, char **argv)
{
    gint64 runs = 2000;
    GOptionEntry entries[] = {{"runs", 'n', 0, G_OPTION_ARG_INT64, &runs, "Runs per scenario", "N"},
                              {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *ctx = g_option_context_new("[FILE...] - throughput of random checking");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "bench_check: %s\n", error->message);
        return 2;
    }
    g_option_context_free(ctx);
    static const char *defaults[] = {"scenarios/mutex-only.ini", "scenarios/default.ini"};
    int rc = 0;
    if (argc > 1)
        for (int i = 1; i < argc; i++)
            rc |= bench_one(argv[i], runs);
    else
        for (int i = 0; i < 2; i++)
            rc |= bench_one(defaults[i], i == 0 ? runs : runs / 10);
    return rc;
}
