/*
 * explore.c - the explorers behind `tabsim check`; see sim/explore.h.
 *
 * This file holds the shared frame (options, result, budgets) and the
 * random explorer; the exhaustive and PCT explorers have files of their own.
 */
#include "sim/explore.h"

#include <string.h>

void sim_explore_options_init(sim_explore_options *o)
{
    memset(o, 0, sizeof *o);
    o->mode = SIM_MODE_RANDOM;
    o->seed = -1;
    o->shard_count = 1;
    o->preemptions_max = -1;
    o->pct_depth = 3;
    o->shrink = TRUE;
}

const char *sim_verdict_name(sim_verdict v)
{
    switch (v) {
    case SIM_VERDICT_VIOLATION:
        return "violation";
    case SIM_VERDICT_VERIFIED:
        return "verified";
    case SIM_VERDICT_PASSED:
        return "passed";
    case SIM_VERDICT_INCOMPLETE:
        return "incomplete";
    }
    return "?";
}

void sim_explore_result_clear(sim_explore_result *r)
{
    if (r->cex_prefix)
        g_array_free(r->cex_prefix, TRUE);
    g_free(r->incomplete_reason);
    g_free(r->bounds_text);
    memset(r, 0, sizeof *r);
}

static double now_s(const sim_explore_options *o)
{
    return o->clock_s ? o->clock_s() : 0.0;
}

/* TRUE when a budget says stop; sets the reason once. */
static gboolean budget_spent(const sim_explore_options *o, sim_explore_result *r, double t0, const char *progress)
{
    if (o->stop && *o->stop) {
        r->incomplete_reason = g_strdup_printf("interrupted after %s", progress);
        return TRUE;
    }
    if (o->time_budget_s > 0 && now_s(o) - t0 >= o->time_budget_s) {
        r->incomplete_reason = g_strdup_printf("time budget of %.1f s ran out after %s", o->time_budget_s, progress);
        return TRUE;
    }
    return FALSE;
}

static void explore_random(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                           sim_explore_result *r)
{
    gint64 runs = o->runs > 0 ? o->runs : s->runs;
    uint64_t base = o->seed >= 0 ? (uint64_t)o->seed : (uint64_t)s->seed;
    double t0 = now_s(o);
    r->verdict = SIM_VERDICT_PASSED;
    for (gint64 i = 0; i < runs; i++) {
        if (o->shard_count > 1 && i % o->shard_count != o->shard_index)
            continue;
        char progress[64];
        g_snprintf(progress, sizeof progress, "%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " runs", r->runs, runs);
        if ((r->runs & 63) == 0 && budget_spent(o, r, t0, progress)) {
            r->verdict = SIM_VERDICT_INCOMPLETE;
            break;
        }
        sim_run_spec spec = {.seed = base + (uint64_t)i, .tail = SIM_TAIL_RANDOM,
                             .untimed = o->time == SIM_TIME_UNTIMED};
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        r->runs++;
        r->steps += run.monitor.c.steps;
        r->storage_ops += run.monitor.c.storage_ops;
        r->bound_hits += run.monitor.c.truncated;
        guint violated = run.monitor.violated;
        sim_run_clear(&run);
        if (violated) {
            r->verdict = SIM_VERDICT_VIOLATION;
            r->violated = violated;
            r->counterexample = spec;
            break;
        }
    }
    r->elapsed_s = now_s(o) - t0;
}

void sim_explore(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o, sim_explore_result *r)
{
    memset(r, 0, sizeof *r);
    switch (o->mode) {
    case SIM_MODE_EXHAUSTIVE:
        sim_explore_exhaustive(s, pool, o, r);
        break;
    case SIM_MODE_PCT:
        sim_explore_pct(s, pool, o, r);
        break;
    case SIM_MODE_RANDOM:
    default:
        explore_random(s, pool, o, r);
        break;
    }
    if (r->verdict == SIM_VERDICT_VIOLATION && o->shrink)
        sim_explore_shrink(s, pool, o, r);
}
