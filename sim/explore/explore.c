/*
 * explore.c - the explorers behind `tabsim check`; see sim/explore/explore.h.
 *
 * This file holds the shared frame (options, result, budgets) and the
 * random explorer; the exhaustive and PCT explorers have files of their own.
 */
#include "sim/explore/explore.h"

#include <string.h>

#include "sim/input.h"
#include "sim/programs/program.h"
#include "sim/world/world.h"

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
    for (int i = 0; i < SIM_INV_COUNT; i++)
        if (r->cex[i].prefix)
            g_array_free(r->cex[i].prefix, TRUE);
    g_free(r->incomplete_reason);
    g_free(r->bounds_text);
    memset(r, 0, sizeof *r);
}

gboolean sim_explore_found(sim_explore_result *r, const sim_explore_options *o, const sim_scenario *s,
                           const sim_run *run, const sim_run_spec *spec, gboolean keep_record, gboolean stop_when_all)
{
    guint fresh = run->monitor.violated & ~r->violated;
    if (r->violated == 0 && run->monitor.violations->len > 0)
        r->primary = ((const sim_violation *)run->monitor.violations->pdata[0])->invariant;
    for (int i = 0; i < SIM_INV_COUNT; i++) {
        if (!(fresh & (1u << i)))
            continue;
        sim_explore_cex *c = &r->cex[i];
        memset(c, 0, sizeof *c);
        c->spec = *spec;
        c->spec.sched_pick = NULL;
        c->spec.data_pick = NULL;
        c->spec.step_done = NULL;
        c->spec.hook_ctx = NULL;
        c->spec.stats = NULL;
        c->spec.record = FALSE;
        c->spec.trace = FALSE;
        if (keep_record) {
            const GArray *rec = run->chooser.record;
            c->prefix = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), rec->len);
            g_array_append_vals(c->prefix, rec->data, rec->len);
            c->spec.prefix = (const uint32_t *)c->prefix->data;
            c->spec.prefix_len = c->prefix->len;
        }
    }
    r->violated |= run->monitor.violated;
    r->verdict = SIM_VERDICT_VIOLATION;
    return o->first || (stop_when_all && sim_explore_all_violated(s, r));
}

gboolean sim_explore_all_violated(const sim_scenario *s, const sim_explore_result *r)
{
    return (sim_program_claims(s) & ~r->violated) == 0;
}

/* The primary counterexample's fields, from its invariant's entry. */
static void primary_sync(sim_explore_result *r)
{
    int p = 0;
    while (p < SIM_INV_COUNT && !(r->primary & (1u << p)))
        p++;
    if (p == SIM_INV_COUNT)
        return;
    const sim_explore_cex *c = &r->cex[p];
    if (r->cex_prefix)
        g_array_free(r->cex_prefix, TRUE);
    r->cex_prefix = NULL;
    r->counterexample = c->spec;
    if (c->prefix) {
        r->cex_prefix = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), c->prefix->len);
        g_array_append_vals(r->cex_prefix, c->prefix->data, c->prefix->len);
        r->counterexample.prefix = (const uint32_t *)r->cex_prefix->data;
        r->counterexample.prefix_len = r->cex_prefix->len;
    }
    r->shrunk = c->shrunk;
    r->shrink_from_steps = c->shrink_from_steps;
    r->shrink_to_steps = c->shrink_to_steps;
    r->cex_preemptions = c->preemptions;
    r->shrink_runs = c->shrink_runs;
}

void sim_explore_count_run(sim_explore_result *r, const sim_monitor *m)
{
    r->steps += m->c.steps;
    r->storage_ops += m->c.storage_ops;
    r->lock_requests += m->c.lock_requests;
    r->lock_acquired += m->c.lock_acquired;
    r->events_tracked += m->c.events_tracked;
    r->bound_hits += m->c.truncated;
    r->cut_steps += (m->c.cut & SIM_CUT_STEPS) != 0;
    r->cut_time += (m->c.cut & SIM_CUT_TIME) != 0;
    r->cut_faults += (m->c.cut & SIM_CUT_FAULTS) != 0;
    r->quota_runs += m->c.quota_errors > 0;
    r->warn_runs += m->c.warnings > 0;
    if (m->warn_first && !r->warn_first[0])
        sim_warn_text_keep(r->warn_first, m->warn_first);
}

void sim_warn_text_keep(char *dst, const char *text)
{
    size_t len = strlen(text);
    if (len < SIM_WARN_TEXT_MAX) {
        memcpy(dst, text, len + 1);
        return;
    }
    size_t cut = sim_input_cut(text, len, SIM_WARN_TEXT_MAX - 4);
    memcpy(dst, text, cut);
    strcpy(dst + cut, "...");
}

static double now_s(const sim_explore_options *o)
{
    return o->clock_s ? o->clock_s() : 0.0;
}

char *sim_explore_stop_text(sim_stop cause, const sim_explore_options *o)
{
    switch (cause) {
    case SIM_STOP_SIGNAL:
        return g_strdup("interrupted by a signal");
    case SIM_STOP_BUDGET:
        return g_strdup_printf("the time budget of %g s ran out", o->time_budget_s);
    case SIM_STOP_HISTORY:
        return g_strdup_printf("the history bound stopped a run at %" G_GUINT64_FORMAT " steps (SIM_HISTORY_STEPS_MAX)",
                               (guint64)SIM_HISTORY_STEPS_MAX);
    case SIM_STOP_BAD_INPUT:
        return g_strdup("the scenario's JavaScript could not run (bad input, on stderr)");
    case SIM_STOP_NONE:
        break;
    }
    return g_strdup("stopped");
}

void sim_explore_exhaustive_stopped(const sim_explore_options *o, sim_explore_result *r, sim_stop cause)
{
    char *why = sim_explore_stop_text(cause, o);
    r->stop_cause = cause;
    /* The runs counted are those that ended; the one the history bound
     * stopped is not among them.  A run that long is most often one that
     * never ends (a lock that retries for ever): --steps bounds each run,
     * and the verdict then names the runs it cut. */
    r->incomplete_reason = g_strdup_printf("%s after %" G_GINT64_FORMAT " executions%s", why, r->runs,
                                           cause == SIM_STOP_HISTORY
                                               ? " (a run that never ends, such as a lock that retries for ever? "
                                                 "--steps N cuts every run at N steps, and the verdict names the "
                                                 "runs it cut)"
                                               : "");
    g_free(why);
}

gboolean sim_explore_exhaustive_budget(const sim_explore_options *o, sim_explore_result *r, double t0)
{
    if (sim_stop_read(o->stop)) {
        sim_explore_exhaustive_stopped(o, r, sim_stop_read(o->stop));
        return TRUE;
    }
    if (o->executions_max > 0 && r->runs + r->pruned >= o->executions_max) {
        r->incomplete_reason = g_strdup_printf("execution budget of %" G_GINT64_FORMAT " ran out (%" G_GINT64_FORMAT
                                               " complete, %" G_GINT64_FORMAT " pruned)",
                                               o->executions_max, r->runs, r->pruned);
        return TRUE;
    }
    if (o->time_budget_s > 0 && o->clock_s && o->clock_s() - t0 >= o->time_budget_s) {
        sim_explore_exhaustive_stopped(o, r, SIM_STOP_BUDGET);
        return TRUE;
    }
    return FALSE;
}

/* Marks r incomplete because of cause; the reason says how far it got. */
char *sim_explore_mark_conflict_text(const sim_run *run)
{
    if (run->mark_conflict_wait)
        return g_strdup_printf("a task waited for a key it had not read since its state mark \"%s\" (the digest "
                               "leaves out changes of the keys a marked task has not read)",
                               run->mark_conflict);
    if (strcmp(run->mark_conflict, SIM_MARK_SHARED) == 0)
        return g_strdup("the program's description of a tab's shared objects left out state a task's future "
                        "depends on (one state, two next outputs)");
    return g_strdup_printf("the state mark \"%s\" left out state its task's future depends on (one state, two next "
                           "outputs)",
                           run->mark_conflict);
}

static void explore_stopped(const sim_explore_options *o, sim_explore_result *r, sim_stop cause,
                            const char *progress)
{
    char *why = sim_explore_stop_text(cause, o);
    if (!r->violated) /* violations found stay found; the reason says the rest was not judged */
        r->verdict = SIM_VERDICT_INCOMPLETE;
    r->stop_cause = cause;
    g_free(r->incomplete_reason);
    r->incomplete_reason = g_strdup_printf("%s after %s", why, progress);
    g_free(why);
}

/* TRUE when a stop or the time budget says stop; marks r incomplete. */
static gboolean budget_spent(const sim_explore_options *o, sim_explore_result *r, double t0, const char *progress)
{
    sim_stop cause = sim_stop_read(o->stop);
    if (cause == SIM_STOP_NONE && o->time_budget_s > 0 && now_s(o) - t0 >= o->time_budget_s)
        cause = SIM_STOP_BUDGET;
    if (cause == SIM_STOP_NONE)
        return FALSE;
    explore_stopped(o, r, cause, progress);
    return TRUE;
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
        if ((r->runs & 63) == 0 && budget_spent(o, r, t0, progress))
            break;
        sim_run_spec spec = {.seed = base + (uint64_t)i, .tail = SIM_TAIL_RANDOM,
                             .untimed = o->time == SIM_TIME_UNTIMED, .stop = o->stop};
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        if (run.stopped) {
            /* Cut short: not counted; the resume point is this run. */
            sim_run_clear(&run);
            explore_stopped(o, r, run.stopped, progress);
            break;
        }
        r->runs++;
        sim_explore_count_run(r, &run.monitor);
        /* Random runs go on to the end without --first: a chunk of runs
         * cannot know what the chunks before it found (sim/cli/cmd_check.c). */
        gboolean stop = run.monitor.violated && sim_explore_found(r, o, s, &run, &spec, FALSE, FALSE);
        sim_run_clear(&run);
        if (stop)
            break;
    }
    r->elapsed_s = now_s(o) - t0;
}

void sim_explore_resolve(const sim_scenario *s, const sim_explore_options *in, sim_explore_options *out)
{
    *out = *in;
    if (!in->mode_set)
        out->mode = (sim_mode)s->explore_mode;
    if (in->time == SIM_TIME_DEFAULT)
        out->time = (sim_time_model)s->explore_time;
    if (out->time == SIM_TIME_DEFAULT)
        out->time = out->mode == SIM_MODE_RANDOM ? SIM_TIME_TIMED : SIM_TIME_UNTIMED;
    /* Flags, not sentinel values: an option given on the command line
     * always wins, even when it names the default (--preemptions -1 over a
     * scenario's preemptions_max = 2, --executions 0 over its
     * executions_max, --depth 3 over its pct_depth = 5). */
    if (!in->preemptions_set)
        out->preemptions_max = s->preemptions_max;
    if (!in->executions_set)
        out->executions_max = s->executions_max;
    if (!in->pct_depth_set)
        out->pct_depth = s->pct_depth;
    out->no_reduction = in->no_reduction || !s->reduction;
    if (!in->stateful_set)
        out->stateful = s->stateful;
    out->symmetry = in->symmetry || s->symmetry;
    /* The stateful search bounds no preemptions: its verdict says so. */
    if (out->stateful || out->bitstate)
        out->preemptions_max = -1;
    out->first = in->first || s->first;
}

/* With --first only the first invariant found counts; the primary
 * counterexample is the reported one. */
static void primary_settle(const sim_explore_options *o, sim_explore_result *r)
{
    if (r->verdict != SIM_VERDICT_VIOLATION)
        return;
    if (o->first)
        r->violated = r->primary ? r->primary : r->violated;
    primary_sync(r);
}

/* Shrink a violation.  A violation found stays a violation whatever
 * stops the shrinking: its counterexample is then the run as found
 * (cex_unshrunk), which the search made whatever the clock (a half-shrunk
 * one would depend on it).  A search already stopped by a signal or the
 * time budget shrinks nothing: no run can be made any more, and its
 * reason (the rest not judged) stands. */
static void shrink_and_report(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                              gint64 search_runs, uint64_t search_steps, guint violated, sim_explore_result *r)
{
    if (r->stop_cause == SIM_STOP_SIGNAL || r->stop_cause == SIM_STOP_BUDGET) {
        r->cex_unshrunk = TRUE;
        return;
    }
    /* A stop here leaves the search's judgement whole: only the
     * counterexample is as found (check_outcome.c shows what it can). */
    sim_explore_shrink(s, pool, o, search_runs, search_steps, violated, r);
}

void sim_explore(const sim_scenario *scenario, sim_stack_pool *pool, const sim_explore_options *options,
                 sim_explore_result *r)
{
    memset(r, 0, sizeof *r);
    sim_explore_options resolved;
    sim_explore_resolve(scenario, options, &resolved);
    const sim_explore_options *o = &resolved;
    /* --steps bounds every run: a scenario copy with the bound in place
     * (read-only; its strings stay the original's). */
    sim_scenario local = *scenario;
    if (o->steps_max > 0)
        local.steps_max = o->steps_max;
    const sim_scenario *s = &local;
    switch (o->mode) {
    case SIM_MODE_EXHAUSTIVE:
        if (o->stateful || o->bitstate)
            sim_explore_stateful(s, pool, o, r);
        else
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
        shrink_and_report(s, pool, o, r->runs, r->steps, r->violated, r);
    primary_settle(o, r);
}

void sim_explore_shrink_found(const sim_scenario *scenario, sim_stack_pool *pool,
                              const sim_explore_options *options, gint64 search_runs, uint64_t search_steps,
                              guint violated, sim_explore_result *r)
{
    sim_explore_options o;
    sim_explore_resolve(scenario, options, &o);
    sim_scenario local = *scenario;
    if (o.steps_max > 0)
        local.steps_max = o.steps_max;
    shrink_and_report(&local, pool, &o, search_runs, search_steps, violated, r);
    primary_settle(&o, r);
}

char *sim_explore_shard_bounds(const sim_explore_options *o, const sim_explore_result *r, char *bounds)
{
    if (o->shard_count <= 1 || o->jobs_split)
        return bounds;
    char *t = r->shard_items_owned > 0
                  ? g_strdup_printf("%s; shard %d/%d: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                                    " work items, %" G_GINT64_FORMAT " runs in the shared top",
                                    bounds, o->shard_index, o->shard_count, r->shard_items_owned, r->shard_items,
                                    r->shard_shared_runs)
                  : g_strdup_printf("%s; shard %d/%d: nothing to explore in this shard (the search has %" G_GINT64_FORMAT
                                    " work item%s, all dealt to other shards)",
                                    bounds, o->shard_index, o->shard_count, r->shard_items,
                                    r->shard_items == 1 ? "" : "s");
    g_free(bounds);
    return t;
}

void sim_explore_item_free(gpointer item)
{
    sim_explore_item *it = item;
    if (it->prefix)
        g_array_free(it->prefix, TRUE);
    g_free(it);
}

/* ---- sets of digests (final_digests) ---- */

GHashTable *sim_digest_set_new(void)
{
    return g_hash_table_new_full(sim_digest_key_hash, sim_digest_key_equal, g_free, NULL);
}

void sim_digest_set_add(GHashTable *set, sim_digest d)
{
    if (!g_hash_table_contains(set, &d))
        g_hash_table_add(set, g_memdup2(&d, sizeof d));
}
