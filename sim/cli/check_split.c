/*
 * check_split.c - one exhaustive scenario across --jobs threads: how it is
 * split, and how the threads' results become one search's.
 *
 * The split is the exhaustive shards' (sim/explore/explore_dfs.c): the
 * search's work items are dealt round robin to T parts (T = --jobs), each
 * part explored on a worker thread as shard k/T with jobs_split set.
 * Every part walks the same fully expanded top and explores its own items,
 * so the parts' executions, steps and storage calls add up exactly to one
 * split search's (the differential test of shards, tests/ci/
 * shard_exhaustive.cmake).  Its complete executions are one per
 * Mazurkiewicz trace, as the search on one thread makes them, so the
 * counts are --jobs 1's, with two exceptions: the partial runs that sleep
 * sets block (`pruned`), which the fully expanded top adds, and scenarios
 * whose clock comparisons make the dependence of steps inexact (docs/
 * model-checking.md, Figures), where the top's sleep sets may let a few
 * more executions through (seed-mutex-expiry.ini: 428,616 instead of
 * 428,578).  Never fewer: the search stays exhaustive.
 *
 * Combining: counts add up; an invariant's counterexample is the one its
 * part found first in the depth-first order of the whole search
 * (preemption bound, then work item; sim_explore_cex.order), as the
 * sequential search would meet it; then check_outcome_fill shrinks and
 * replays it once, as for random chunks.  A stop (the time budget,
 * Ctrl-C) is said with the executions of every part.
 *
 * Not split (one thread explores the scenario, as before): --first (the
 * first violation depends on the order of the whole search), an
 * execution budget (it is the whole search's), the user's own --shard,
 * and runs that are not exhaustive.
 */
#include <string.h>

#include "check.h"

gboolean check_split_wanted(const sim_explore_options *resolved, int jobs)
{
    /* Not the stateful search: its visited set is one search's, not shared
     * between threads (explore_state.c). */
    return jobs > 1 && resolved->mode == SIM_MODE_EXHAUSTIVE && !resolved->first && resolved->shard_count == 1 &&
           resolved->executions_max <= 0 && !resolved->stateful && !resolved->bitstate;
}

void check_split_options(sim_explore_options *eo, int part, int parts)
{
    eo->shard_index = part;
    eo->shard_count = parts;
    eo->jobs_split = TRUE;
}

/* Moves one counterexample (and the prefix it owns) from a part. */
static void cex_take(sim_explore_cex *to, sim_explore_cex *from)
{
    *to = *from;
    memset(from, 0, sizeof *from);
}

void check_split_combine(sim_explore_result *parts, int n, const sim_explore_options *o, sim_explore_result *out)
{
    memset(out, 0, sizeof *out);
    out->verdict = SIM_VERDICT_VERIFIED;
    sim_stop stop = SIM_STOP_NONE;
    int primary_part = -1;
    gint64 primary_order = 0;
    for (int k = 0; k < n; k++) {
        sim_explore_result *p = &parts[k];
        out->runs += p->runs;
        out->pruned += p->pruned;
        out->bound_hits += p->bound_hits;
        out->cut_steps += p->cut_steps;
        out->cut_time += p->cut_time;
        out->cut_faults += p->cut_faults;
        out->cut_preemptions += p->cut_preemptions;
        out->quota_runs += p->quota_runs;
        out->warn_runs += p->warn_runs;
        if (!out->warn_first[0]) /* parts in the search's depth-first order */
            memcpy(out->warn_first, p->warn_first, sizeof out->warn_first);
        out->steps += p->steps;
        out->storage_ops += p->storage_ops;
        out->lock_requests += p->lock_requests;
        out->lock_acquired += p->lock_acquired;
        out->events_tracked += p->events_tracked;
        out->traces += p->traces;
        out->elapsed_s = MAX(out->elapsed_s, p->elapsed_s);
        out->preemption_bound_reached = MAX(out->preemption_bound_reached, p->preemption_bound_reached);
        if (!out->bounds_text && p->bounds_text)
            out->bounds_text = g_strdup(p->bounds_text);
        if (p->stop_cause && !stop)
            stop = p->stop_cause;
        if (p->verdict == SIM_VERDICT_INCOMPLETE && !out->incomplete_reason && p->incomplete_reason)
            out->incomplete_reason = g_strdup(p->incomplete_reason);
        if (p->verdict != SIM_VERDICT_VIOLATION)
            continue;
        /* The primary violation: the part's first, earliest of all. */
        int pi = p->primary ? g_bit_nth_lsf(p->primary, -1) : -1;
        if (pi >= 0 && (primary_part < 0 || p->cex[pi].order < primary_order)) {
            primary_part = k;
            primary_order = p->cex[pi].order;
            out->primary = p->primary;
        }
        for (int i = 0; i < SIM_INV_COUNT; i++)
            if ((p->violated & (1u << i)) && (!(out->violated & (1u << i)) || p->cex[i].order < out->cex[i].order)) {
                if (out->cex[i].prefix)
                    g_array_free(out->cex[i].prefix, TRUE);
                cex_take(&out->cex[i], &p->cex[i]);
                out->violated |= 1u << i;
            }
    }
    if (out->violated)
        out->verdict = SIM_VERDICT_VIOLATION;
    if (stop) {
        /* In the whole search's terms, as one thread says it (explore_dfs.c). */
        char *why = sim_explore_stop_text(stop, o);
        g_free(out->incomplete_reason);
        out->incomplete_reason = g_strdup_printf("%s after %" G_GINT64_FORMAT " executions", why, out->runs);
        g_free(why);
        out->stop_cause = stop;
    }
    if (out->incomplete_reason && !out->violated)
        out->verdict = SIM_VERDICT_INCOMPLETE;
}
