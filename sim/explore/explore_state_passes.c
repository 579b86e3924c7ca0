/*
 * explore_state_passes.c - the stateful search's driver: the passes of
 * its depth-first search (explore_state.c) and the verdict.
 *
 * A first pass counts a state as seen whatever the steps it was reached
 * with; if a run met [run] steps_max, an exact pass starts over keeping
 * the fewest steps of each state.  If a step did what the digests assumed
 * no code does (read the clock, asked when its wait ended, wrote storage
 * under symmetry), the search starts over without that assumption.
 * Sharding walks the shared top first (sim_split_choose), storing no
 * state there.  The verdict names the visited set and its bounds, and is
 * incomplete when a mark's assumption failed, the set filled, or the
 * search was bitstate (which never verifies).
 */
#include <math.h>
#include <string.h>

#include "sim/browser/storage_model.h"
#include "sim/explore/explore_state.h"
#include "sim/programs/algorithms.h"

static char *stateful_bounds(const sim_scenario *s, const sdfs *d)
{
    const state_set *v = &d->visited;
    double mb = (double)state_set_bytes(v) / (1024.0 * 1024.0);
    char *set = v->bitstate
                    ? g_strdup_printf("bitstate, %d bits a state in %.0f MB", BITSTATE_K, mb)
                    : g_strdup_printf("hash compaction, 96-bit digests (at most %.0f MB), omission probability about %.0e",
                                      mb, (double)v->count * (double)v->count / ldexp(1.0, 97));
    char *sym = !d->o->symmetry ? g_strdup("")
                : d->symmetry_broken ? g_strdup("; symmetry given up (a tab wrote storage)")
                : d->asymmetric ? g_strdup_printf("; symmetry not applied (%s: %s)", sim_algorithms[s->algorithm]->name,
                                                  d->asymmetric)
                                : g_strdup_printf("; symmetry over the %" G_GINT64_FORMAT " tabs", s->tabs);
    /* A run that comes back to one of its own states can go on for ever:
     * as a stateless search would, name the step bound that cuts it. */
    char *cycle = d->cycle ? g_strdup_printf(SIM_EXPLORE_CYCLE_CLAUSE "a state comes back on its own run): each is "
                                             "judged on its first %" G_GINT64_FORMAT " steps ([run] steps_max), "
                                             "and only the starvation check ([workload] forever) judges runs that "
                                             "never end",
                                             s->steps_max)
                           : g_strdup("");
    char *t = g_strdup_printf("(stateful, %zu states%s) every execution of at most %" G_GINT64_FORMAT
                              " steps%s; preemptions unbounded%s; untimed time; ranges at both ends; reduction %s%s; %s",
                              v->count, d->o->shard_count > 1 && !d->o->jobs_split ? " in this shard's visited set" : "",
                              s->steps_max, cycle,
                              s->preemptions_max >= 0 ? " (the scenario's preemptions_max is not applied)" : "",
                              d->sleep_sets ? "sleep sets" : "off", sym, set);
    g_free(cycle);
    g_free(sym);
    g_free(set);
    return t;
}

/* A walk of the top for sim_split_choose: it stores no state. */
typedef struct sdfs_walk {
    const sim_scenario *s;
    sim_stack_pool *pool;
    sdfs *d;
    sim_digest_map *marks_seen;
    double t0;
} sdfs_walk;

static gboolean sdfs_walk_top(void *ctx, gint64 depth, sim_explore_result *scratch, sim_split *counted)
{
    const sdfs_walk *w = ctx;
    sdfs *d = w->d;
    sim_split_begin(&d->split, depth, TRUE, d->o->items_out);
    char *conflict = NULL;
    gboolean cut = FALSE;
    gboolean done = sdfs_pass(w->s, w->pool, d->o, scratch, d, w->marks_seen, w->t0, &conflict, &cut);
    g_free(conflict);
    *counted = d->split;
    return done;
}

/* The split depth (sim_split_choose); the walks' runs are the shared top's. */
static gboolean split_choose(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                             sim_explore_result *r, sdfs *d, sim_digest_map *marks_seen, double t0)
{
    sdfs_walk w = {s, pool, d, marks_seen, t0};
    gint64 depth = sim_split_choose(o, r, &r->shard_shared_runs, sdfs_walk_top, &w);
    sim_split_begin(&d->split, depth, FALSE, NULL);
    return depth >= 0;
}

gboolean sim_explore_stateful_reduces(const sim_explore_options *o, const sim_scenario *s)
{
    return !o->no_reduction && !o->bitstate && s->tabs <= SLEEP_TABS_MAX;
}

void sim_explore_stateful(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                          sim_explore_result *r)
{
    double t0 = o->clock_s ? o->clock_s() : 0;
    char *undigested = sim_storage_model_undigested(sim_storage_models[s->storage_model]);
    if (undigested) {
        r->verdict = SIM_VERDICT_INCOMPLETE;
        r->incomplete_reason = undigested;
        return;
    }
    r->verdict = SIM_VERDICT_VERIFIED;
    /* The digests' assumptions (world_digest.c, "Time");
     * TABSIM_DIGEST_EXACT=1 turns them off, for measuring what they save
     * (bench/bench_time_digest.sh). */
    gboolean assume = !o->digest_exact && !g_getenv("TABSIM_DIGEST_EXACT");
    sdfs d = {.o = o, .n_tabs = (int)s->tabs, .assume = assume ? SIM_DIGEST_ASSUME_ALL : 0};
    if (o->symmetry) {
        d.asymmetric = sim_world_digest_asymmetric(s);
        if (!d.asymmetric)
            d.assume |= SIM_DIGEST_SYMMETRIC;
    }
    /* Sleep sets need the sleep set of each state stored: not in a
     * bitstate array, and a byte holds eight tabs. */
    d.sleep_sets = sim_explore_stateful_reduces(o, s);
    d.sleep_acc = g_new0(sim_access, d.n_tabs);
    d.spare = g_ptr_array_new_with_free_func(g_free);
    d.path = g_array_new(FALSE, FALSE, sizeof(int));
    /* For testing how a check shows a counterexample its token does not
     * make again (check_outcome.c): the run as found, collapsed reads and
     * all (ci_stateful_as_found). */
    d.as_found = g_getenv("TABSIM_STATEFUL_AS_FOUND") != NULL;
    d.collapsed = g_array_new(FALSE, FALSE, sizeof(int));
    d.path_dig = g_array_new(FALSE, FALSE, sizeof(sim_digest));
    state_snaps_init(&d.snaps, s, pool, sizeof(state_view));
    gint64 mb = o->state_memory_mb > 0 ? o->state_memory_mb : SIM_STATE_MEMORY_MB_DEFAULT;
    if (!state_set_init(&d.visited, (size_t)mb * 1024 * 1024, o->bitstate)) {
        g_free(d.sleep_acc);
        g_ptr_array_unref(d.spare);
        g_array_free(d.path, TRUE);
        g_array_free(d.collapsed, TRUE);
        g_array_free(d.path_dig, TRUE);
        state_snaps_clear(&d.snaps);
        r->verdict = SIM_VERDICT_INCOMPLETE;
        r->incomplete_reason = g_strdup_printf("could not allocate the visited set (--state-memory %" G_GINT64_FORMAT
                                               " MB)", mb);
        state_set_clear(&d.visited);
        return;
    }
    sim_digest_map *marks_seen = sim_marks_seen_new();
    char *conflict = NULL;
    gboolean cut_steps = FALSE;
    /* First a state counts as seen whatever the steps it was reached
     * with: sound when no run meets the step bound, for the set is then
     * closed under successors and holds every reachable state.  If one
     * does, the search starts over keeping the fewest steps of each state
     * (and a state reached with more steps left is explored again); also
     * after a violation, unless the search is done judging (--first, or
     * every invariant it claims violated): the invariants not violated
     * are judged by the exact pass, not by the first. */
    /* --list-items: split_choose lists the items; nothing is explored. */
    gboolean listing = o->items_out && o->shard_count > 1;
    gboolean finished, judged;
    for (;;) {
        sim_split_begin(&d.split, -1, FALSE, NULL);
        finished = o->shard_count <= 1 || split_choose(s, pool, o, r, &d, marks_seen, t0);
        finished = finished && (listing || sdfs_pass(s, pool, o, r, &d, marks_seen, t0, &conflict, &cut_steps));
        judged = r->verdict == SIM_VERDICT_VIOLATION && (o->first || sim_explore_all_violated(s, r));
        if (!d.broken && finished && cut_steps && !o->bitstate && !conflict && !judged) {
            state_set_clear(&d.visited);
            finished = state_set_init(&d.visited, (size_t)mb * 1024 * 1024, FALSE);
            d.visited.exact_steps = TRUE;
            finished = finished && sdfs_pass(s, pool, o, r, &d, marks_seen, t0, &conflict, &cut_steps);
            judged = r->verdict == SIM_VERDICT_VIOLATION && (o->first || sim_explore_all_violated(s, r));
        }
        if (!d.broken || judged || conflict)
            break;
        /* A step did what the digests assumed no code does (read the
         * clock, asked when its wait ended): states they made one may
         * differ after all (world_digest.c, "Time").  The search starts
         * over without that assumption, the shards' top included; the
         * executions made so far (most often part of the first) count,
         * as an exact pass's do.  A shard decides by the runs it makes,
         * so shards may differ in it: each is sound for its own items,
         * whose states only it stores. */
        if (d.broken & SIM_DIGEST_SYMMETRIC)
            d.symmetry_broken = TRUE;
        if (o->progress) {
            char *line = g_strdup_printf("stateful: %s; starting over with %s (executions so far: %" G_GINT64_FORMAT ")",
                                         d.broken & SIM_DIGEST_SYMMETRIC ? "a tab wrote storage, whose keys and values may name tabs"
                                         : d.broken & SIM_DIGEST_CLOCK_UNREAD ? "the clock matters (code reads it, or [run] time_limit_ms cuts a run)"
                                         : d.broken & SIM_DIGEST_FLAG_UNWRITTEN ? "a step wrote the debug flag's key"
                                                                              : "the code asks when a wait ended",
                                         d.broken & SIM_DIGEST_SYMMETRIC ? "no symmetry"
                                         : d.broken & SIM_DIGEST_CLOCK_UNREAD ? "the clock exact in the digest"
                                         : d.broken & SIM_DIGEST_FLAG_UNWRITTEN ? "its read a step of its own"
                                                                              : "that instant in the digest",
                                         r->runs + r->pruned);
            o->progress(o->progress_ctx, line);
            g_free(line);
        }
        d.assume &= (guint8)~d.broken;
        d.broken = 0;
        cut_steps = FALSE;
        state_set_clear(&d.visited);
        if (!state_set_init(&d.visited, (size_t)mb * 1024 * 1024, o->bitstate)) {
            finished = FALSE;
            break;
        }
        g_free(r->incomplete_reason); /* a walk of the top that stopped for it */
        r->incomplete_reason = NULL;
    }
    if (o->shard_count > 1) {
        r->shard_items = d.split.next;
        r->shard_items_owned = d.split.owned;
        r->shard_split_depth = d.split.depth;
        r->shard_shared_runs += d.split.shared_runs;
    }
    r->states = (gint64)d.visited.count;
    r->digest_assume = d.assume;
    r->revisits = r->pruned;
    r->state_bytes = state_set_bytes(&d.visited);
    r->symmetry_applied = o->symmetry && !d.asymmetric && !d.symmetry_broken;
    r->bitstate_coverage = d.visited.count ? 1.0 - d.visited.fp_sum / (double)d.visited.count : 1.0;
    r->bounds_text = sim_explore_shard_bounds(o, r, stateful_bounds(s, &d));
    if (conflict) {
        g_free(r->incomplete_reason);
        r->incomplete_reason = g_strdup_printf("%s, in %s: the stateful search's assumption failed after %"
                                               G_GINT64_FORMAT " executions",
                                               conflict, sim_algorithms[s->algorithm]->name, r->runs);
        finished = FALSE;
    } else if (d.visited.full) {
        g_free(r->incomplete_reason);
        r->incomplete_reason = g_strdup_printf("the visited set is full (--state-memory %" G_GINT64_FORMAT
                                               " MB, %zu states) after %" G_GINT64_FORMAT " executions",
                                               mb, d.visited.count, r->runs);
        finished = FALSE;
    } else if (finished && o->bitstate && r->verdict != SIM_VERDICT_VIOLATION) {
        r->incomplete_reason = g_strdup_printf("no violation, bitstate coverage about %.1f %% (%zu states, %" G_GINT64_FORMAT
                                               " executions); bitstate search never verifies",
                                               100.0 * r->bitstate_coverage, d.visited.count, r->runs);
        finished = FALSE;
    }
    else if (!finished && r->incomplete_reason) {
        char *t = g_strdup_printf("%s (stateful, %zu states)", r->incomplete_reason, d.visited.count);
        g_free(r->incomplete_reason);
        r->incomplete_reason = t;
    }
    if (r->verdict != SIM_VERDICT_VIOLATION && !finished)
        r->verdict = SIM_VERDICT_INCOMPLETE;
    g_free(conflict);
    sim_digest_map_free(marks_seen);
    state_set_clear(&d.visited);
    g_free(d.sleep_acc);
    g_ptr_array_unref(d.spare);
    g_array_free(d.path, TRUE);
    g_array_free(d.collapsed, TRUE);
    g_array_free(d.path_dig, TRUE);
    g_free(d.on_path);
    state_snaps_clear(&d.snaps);
    r->elapsed_s = o->clock_s ? o->clock_s() - t0 : 0;
}
