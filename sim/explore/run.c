/*
 * run.c - one run and the judgement of outcomes; see sim/explore/run.h.
 */
#include "sim/explore/run.h"

#include "sim/stats/stats.h"
#include "sim/explore/token.h"
#include "sim/world/arena.h"
#include "sim/world/world.h"

void sim_run_exec(const sim_scenario *s, sim_stack_pool *pool, const sim_run_spec *spec, sim_run *run)
{
    sim_world *w = sim_run_start(s, pool, spec, run);
    sim_world_steps(w);
    sim_run_end(run, w, spec);
}

sim_world *sim_run_start(const sim_scenario *s, sim_stack_pool *pool, const sim_run_spec *spec, sim_run *run)
{
    sim_chooser_init(&run->chooser, spec->seed, spec->tail, spec->prefix, spec->prefix_len, spec->record);
    run->chooser.discrete = spec->discrete;
    run->chooser.sched_pick = spec->sched_pick;
    run->chooser.data_pick = spec->data_pick;
    run->chooser.sched_ctx = spec->hook_ctx;
    sim_monitor_init(&run->monitor, s, spec->trace);
    run->monitor.untimed = spec->untimed;
    run->monitor.counting = spec->trace && spec->trace_count;
    run->monitor.stats = spec->stats;
    run->scenario_hash = s->hash;
    if (spec->stats)
        sim_stats_run_begin(spec->stats, spec->seed);
    sim_world *w = sim_world_new(s, &run->chooser, pool, &run->monitor);
    w->untimed = spec->untimed;
    w->step_done = spec->step_done;
    w->access_unused = spec->access_unused;
    w->hook_ctx = spec->hook_ctx;
    w->stop = spec->stop;
    if (spec->digests) {
        sim_world_digest_enable(w, spec->marks_seen, spec->digest_assume);
        w->marks_prefix_checked = spec->marks_prefix_checked;
        w->collapse_reads = spec->collapse_reads && spec->marks_seen;
        w->collapse_decide = spec->collapse_decide;
    }
    if (spec->world_ready) {
        sim_arena *in = sim_arena_leave(); /* the explorer's memory outlives the run's */
        spec->world_ready(spec->hook_ctx, w);
        sim_arena_enter(in);
    }
    sim_world_start(w);
    return w;
}

void sim_run_end(sim_run *run, sim_world *w, const sim_run_spec *spec)
{
    run->stopped = w->stopped;
    run->mark_conflict = w->mark_conflict;
    run->mark_conflict_wait = w->mark_conflict_wait;
    run->digest_broken = w->digest_broken;
    if (run->stopped)
        run->monitor.c.end_time_us = w->now_us; /* where it stopped: not judged, so not set by the checks */
    if (!w->arena)
        sim_world_free(w); /* an arena's world goes with the arena */
    if (spec->stats)
        sim_stats_run_end(spec->stats, run->monitor.c.end_time_us);
}

void sim_run_clear(sim_run *run)
{
    sim_monitor_clear(&run->monitor);
    sim_chooser_clear(&run->chooser);
}

char *sim_run_token(const sim_run *run, const sim_run_spec *spec)
{
    return sim_spec_token(run->scenario_hash, spec);
}

char *sim_spec_token(uint32_t scenario_hash, const sim_run_spec *spec)
{
    sim_token token = {scenario_hash, spec->seed, spec->tail, spec->untimed, spec->discrete, NULL};
    if (spec->prefix_len > 0) {
        token.prefix = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), (guint)spec->prefix_len);
        g_array_append_vals(token.prefix, spec->prefix, (guint)spec->prefix_len);
    }
    char *text = sim_token_encode(&token);
    sim_token_clear(&token);
    return text;
}

gboolean sim_outcome_expected(const sim_scenario *s, guint violated, gboolean ignore_expect)
{
    if (ignore_expect || (!s->expect_any && s->expect_violations == 0))
        return violated == 0;
    if (s->expect_any)
        return violated != 0;
    return violated != 0 && (violated & ~s->expect_violations) == 0;
}

char *sim_expectation_text(const sim_scenario *s, gboolean ignore_expect)
{
    if (ignore_expect || (!s->expect_any && s->expect_violations == 0))
        return g_strdup("every invariant holds");
    if (s->expect_any)
        return g_strdup("some violation");
    char *set = sim_invariant_set_text(s->expect_violations);
    char *text = g_strdup_printf("a violation of %s", set);
    g_free(set);
    return text;
}
