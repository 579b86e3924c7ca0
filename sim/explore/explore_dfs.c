/*
 * explore_dfs.c - exhaustive, stateless exploration of a scenario's runs.
 *
 * The choice tree of a run (which tab steps next: SCHED nodes; which value
 * a range or the server yields: DATA nodes) is walked depth first.  Each
 * branch re-runs the production code with the path so far as the
 * chooser's prefix, as CHESS, Loom and Shuttle do, but not from the start
 * where it can help it: the run's world lives in an arena, saved at a
 * scheduling choice every SNAP_STEPS steps of the path, and a branch starts
 * from the deepest saved world at or above its backtrack point
 * (sim/explore/state_snap.h; without an arena, from the start).  The code
 * under test is not told: its memory is copied back as it was.
 *
 * Reduction (unless disabled): Source-DPOR with sleep sets (Abdulla,
 * Aronis, Jonsson, Sagonas, POPL 2014).  Two steps are dependent when they
 * are of one tab, or one writes an object the other reads or writes
 * (storage keys; the clock, which sleeps advance and now_ms reads; the
 * critical section; the server).  After each run the races of its trace
 * are computed with vector clocks; for a race e -> e' the explorer makes
 * sure that, at the state before e, some tab that can start the reversed
 * order (an initial of notdep(e).e') is in the backtrack set.  Sleep sets
 * keep a tab that was already explored from a node asleep until a step
 * dependent with it happens, and a run whose every candidate sleeps is
 * abandoned (counted as pruned).  DATA nodes are always fully expanded.
 * Source-DPOR is not optimal: a few runs may be sleep-set blocked; the
 * benchmark compares the executions with the number of Mazurkiewicz
 * traces, counted here by canonical forms when reduction is off.
 *
 * With a preemption bound the search is iterative context bounding
 * (CHESS): bounds 0, 1, ... up to the bound, without reduction (sleep sets
 * and DPOR are not sound under a preemption bound).
 *
 * Sharding (shard_count N > 1) splits the tree into work items.  Every
 * shard walks the same top of the tree, where each scheduling node is
 * expanded fully (sleep sets still apply).  A work item is the subtree at
 * the first choice at or below the split depth (under a preemption bound:
 * the first choice after a run's first preemption, since the preemptions
 * left, not the depth, set a subtree's size), or a run that ends above it;
 * its prefix and sleep set are those the walk reaches it with.  Items are
 * numbered in depth-first order and item k is shard k mod N's, which
 * explores it with the reduction as usual; a run that meets another
 * shard's item is abandoned there.  The split depth is the first of
 * 1, 2, 3, ... (growing by a quarter) choices with at least
 * SIM_SHARD_ITEMS_MIN x N items (each try walks the top only).  Why it is exact: a race found inside an item
 * can only add to backtrack sets on its path; below the item's root they
 * are the owner's, above it the nodes are expanded fully already.  The
 * top's nodes are the same in every shard (a step chosen there ends there
 * with all its values: a value is never an item's root while sleep sets
 * are kept), so the items' sleep sets are too, and the shards together
 * make exactly the executions of the search with that top expanded: with
 * sleep sets, as many as one search makes, one per trace (the differential
 * test tests/ci/shard_exhaustive.cmake compares them on every scenario).
 *
 * Stopping: a stop (sim/world/stop.h) is polled before every execution,
 * before every step of one, and inside the race analysis, whose cost is
 * quadratic in the length of the run.  Every run here records its
 * choices, so one longer than SIM_HISTORY_STEPS_MAX steps stops the search
 * too: exhaustive search of runs that long is out of reach anyway.
 */
#include <string.h>

#include "sim/explore/explore_dfs.h"

static sim_access *acc_array(int n_tabs)
{
    return g_new0(sim_access, n_tabs);
}

static void node_clear(dfs_node *n)
{
    g_free(n->cand);
    g_free(n->sleep_acc);
    g_free(n->child_acc);
    memset(n, 0, sizeof *n);
}

static void nodes_truncate(dfs *d, guint len)
{
    for (guint i = len; i < d->nodes->len; i++)
        node_clear(&g_array_index(d->nodes, dfs_node, i));
    g_array_set_size(d->nodes, len);
}

/* Add the DATA nodes the chooser recorded up to position upto (exclusive)
 * that the node stack does not have yet, and keep the prefix in step. */
static void nodes_sync(dfs *d, const sim_chooser *c, guint upto)
{
    for (guint pos = d->nodes->len; pos < upto; pos++) {
        dfs_node n = {.kind = g_array_index(c->record_kind, guint8, pos),
                      .n = g_array_index(c->record_n, uint32_t, pos),
                      .chosen = g_array_index(c->record, uint32_t, pos)};
        g_assert(n.kind == SIM_CHOICE_DATA);
        g_array_append_val(d->nodes, n);
    }
}

/* ---- sharding: the shared top and the work items ---- */

/* The first choice at or below the split depth, met in the shared top,
 * is the root of the next work item: explored here if this shard owns it,
 * else the run is abandoned there (FALSE). */
static gboolean split_enter(dfs *d, size_t pos, sim_choice_kind kind)
{
    if (!sim_split_in_top(&d->split) || d->split.skipped)
        return TRUE;
    /* Under a preemption bound the size of a subtree is set by the
     * preemptions it has left: the subtree after a run's first preemption
     * is an item, and the runs with none are chains that end in the top. */
    gboolean root = d->preemption_bound >= 0 ? d->preemptions > 0 : (gint64)pos >= d->split.depth;
    if (!root)
        return TRUE;
    /* With sleep sets, a step chosen in the top must end in the top: the
     * sleep sets of its later siblings hold the union of its accesses over
     * all of its values, which every shard must compute alike.  So a value
     * is an item's root only where no sleep set is kept (plain search, or
     * timed search, which has no scheduling choices). */
    if (kind == SIM_CHOICE_DATA && !d->data_roots)
        return TRUE;
    return sim_split_deal(&d->split, d->o, pos, d->chooser, d->reduce ? d->cur_sleep : 0);
}

/* A value beyond the replayed prefix: the zero tail's answer, unless it
 * is the root of another shard's item. */
static uint32_t dfs_pick_data(void *ctx, uint32_t n, const int *cand)
{
    (void)cand;
    dfs *d = ctx;
    return split_enter(d, d->chooser->pos, SIM_CHOICE_DATA) ? 0 : n;
}

/* The world is saved at most every SNAP_STEPS steps of a run's path, and
 * more rarely as it grows (a step is worth SNAP_STEP_BYTES of it). */
#define SNAP_STEPS 4
#define SNAP_STEP_BYTES 4096

/* Beyond the replayed prefix: take the first candidate not asleep (with a
 * preemption bound: the non-preemptive one, answer 0). */
static uint32_t dfs_pick(void *ctx, uint32_t n, const int *cand)
{
    dfs *d = ctx;
    size_t pos = d->chooser->pos;
    nodes_sync(d, d->chooser, (guint)pos);
    if (!split_enter(d, pos, SIM_CHOICE_SCHED))
        return n; /* no node: the path ends above this item's root */
    dfs_node node = {.kind = SIM_CHOICE_SCHED, .n = n};
    node.cand = g_memdup2(cand, n * sizeof *cand);
    node.sleep = d->cur_sleep;
    node.sleep_acc = g_memdup2(d->cur_sleep_acc, (gsize)d->n_tabs * sizeof(sim_access));
    node.child_acc = acc_array(d->n_tabs);
    node.preemptions_before = d->preemptions;
    /* Above the split depth every shard walks the same tree: each node is
     * expanded fully (sleep sets still apply), so no race found inside an
     * item can ask for a branch there that some shard does not explore. */
    node.top = sim_split_in_top(&d->split);
    uint32_t pick = n;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t bit = UINT64_C(1) << (cand[i] - 1);
        node.enabled |= bit;
        if (pick == n && !(d->reduce && (node.sleep & bit)))
            pick = i;
    }
    if (pick < n) {
        node.chosen = pick;
        node.backtrack = node.done = UINT64_C(1) << (cand[pick] - 1);
        if (node.top)
            node.backtrack = node.enabled;
        /* A race found later may make any node a backtrack point: the
         * world is saved every SNAP_STEPS steps of the path at most (a
         * save costs a few steps' worth; a branch replays the rest). */
        if (d->snaps.arena) {
            dfs_view v = {d->cur_sleep, d->preemptions, d->step_count, d->last};
            state_snaps_push(&d->snaps, pos, SNAP_STEPS, SNAP_STEP_BYTES, &v, d->cur_sleep_acc); /* the world is as at the step's start */
        }
    }
    g_array_append_val(d->nodes, node);
    return pick; /* n: every candidate asleep, the run is abandoned */
}

static void dfs_world_ready(void *ctx, sim_world *w)
{
    ((dfs *)ctx)->world = w;
    ((dfs *)ctx)->chooser = w->chooser;
}

static void dfs_step_done(void *ctx, const sim_step_info *st)
{
    dfs *d = ctx;
    if (d->o->final_digests)
        sim_world_digest(d->world, &d->last);
    if (d->step_count < d->steps_kept) {
        /* Replayed before the backtrack point: the last run's step. */
        const dfs_step *kept = &g_array_index(d->steps, dfs_step, d->step_count);
        g_assert(kept->tab == st->tab && kept->choice_pos == st->choice_pos && kept->data_end == st->data_end);
    } else {
        dfs_step rec = {st->tab, st->acc, st->choice_pos, st->data_end, 0};
        const sim_chooser *c = d->chooser;
        for (size_t i = st->data_begin; i < st->data_end && c->record; i++)
            rec.data_hash = rec.data_hash * 31u + g_array_index(c->record, uint32_t, i) + 1u;
        g_array_append_val(d->steps, rec);
    }
    d->step_count++;
    if (st->preemption)
        d->preemptions++;
    uint64_t bit = UINT64_C(1) << (st->tab - 1);
    if (st->choice_pos < 0 && d->reduce && (d->cur_sleep & bit)) {
        /* The only enabled tab is asleep: every way on from here was
         * explored from an earlier branch.  The run is redundant. */
        d->chooser->abandoned = TRUE;
        return;
    }
    if (st->choice_pos >= 0) {
        dfs_node *n = &g_array_index(d->nodes, dfs_node, st->choice_pos);
        n->last_enabled = st->last_enabled;
        n->child_acc[st->tab - 1].r |= st->acc.r;
        n->child_acc[st->tab - 1].w |= st->acc.w;
        /* Entering the child: the node's sleepers plus its explored children. */
        d->cur_sleep = n->sleep;
        memcpy(d->cur_sleep_acc, n->sleep_acc, (gsize)d->n_tabs * sizeof(sim_access));
        for (int t = 0; t < d->n_tabs; t++)
            if ((n->done >> t & 1) && !((uint64_t)1 << t & bit)) {
                d->cur_sleep |= UINT64_C(1) << t;
                d->cur_sleep_acc[t] = n->child_acc[t];
            }
    }
    d->cur_sleep &= ~bit;
    for (int t = 0; t < d->n_tabs; t++)
        if ((d->cur_sleep >> t & 1) && sim_access_dependent(d->cur_sleep_acc[t], st->acc))
            d->cur_sleep &= ~(UINT64_C(1) << t);
}

/* A run cut by the step bound has races beyond the cut that the analysis
 * cannot see: every alternative on its path is explored (no reduction
 * there), so a bound never hides an execution within it. */
static void expand_path(dfs *d)
{
    for (guint i = 0; i < d->nodes->len; i++) {
        dfs_node *n = &g_array_index(d->nodes, dfs_node, i);
        if (n->kind == SIM_CHOICE_SCHED)
            n->backtrack |= n->enabled;
    }
}

/* The deepest node with an alternative left; FALSE when the tree is done. */
static gboolean dfs_backtrack(dfs *d, guint floor)
{
    while (d->nodes->len > floor) {
        guint at = d->nodes->len - 1;
        dfs_node *n = &g_array_index(d->nodes, dfs_node, at);
        int next = -1;
        if (n->kind == SIM_CHOICE_DATA) {
            uint32_t v = n->chosen + 1;
            if (v < n->n)
                next = (int)v;
        } else {
            uint64_t todo = (d->reduce ? n->backtrack & ~n->sleep : n->enabled) & ~n->done;
            for (uint32_t i = 0; i < n->n && next < 0; i++) {
                if (!(todo >> (n->cand[i] - 1) & 1))
                    continue;
                int pre = n->preemptions_before + (n->last_enabled && i != 0);
                if (d->preemption_bound >= 0 && pre > d->preemption_bound) {
                    /* Never explored under this bound: count it once. */
                    n->done |= UINT64_C(1) << (n->cand[i] - 1);
                    /* The shared top's cuts are counted by shard 0 alone. */
                    if (!n->top || (d->o->shard_index == 0 && !d->split.counting))
                        d->cut_preemptions++;
                    continue;
                }
                next = (int)i;
            }
        }
        if (next >= 0) {
            n->chosen = (uint32_t)next;
            if (n->kind == SIM_CHOICE_SCHED)
                n->done |= UINT64_C(1) << (n->cand[next] - 1);
            nodes_truncate(d, at + 1);
            /* The steps that end before choice at are made again alike. */
            guint keep = 0;
            while (keep < d->steps->len && g_array_index(d->steps, dfs_step, keep).data_end <= at)
                keep++;
            d->steps_kept = keep;
            d->vc_valid = MIN(d->vc_valid, keep);
            sim_split_backtrack(&d->split, at);
            /* The next run replays the path down to here, then the new answer. */
            g_array_set_size(d->prefix, at + 1);
            for (guint i = 0; i <= at; i++)
                g_array_index(d->prefix, uint32_t, i) = g_array_index(d->nodes, dfs_node, i).chosen;
            return TRUE;
        }
        nodes_truncate(d, at);
    }
    return FALSE;
}

static void dfs_progress(const sim_explore_options *o, const sim_explore_result *r, const dfs *d, double t0)
{
    if (!o->progress || (r->runs + r->pruned) % 4096 != 0 || !o->clock_s)
        return;
    double el = o->clock_s() - t0;
    char *line = g_strdup_printf("exhaustive: %" G_GINT64_FORMAT " executions, %.0f/s, depth %u, preemption bound %s, %.1f s",
                                 r->runs, el > 0 ? r->runs / el : 0.0, d->nodes->len,
                                 d->preemption_bound >= 0 ? "set" : "none", el);
    o->progress(o->progress_ctx, line);
    g_free(line);
}

/* How a search splits into work items (shard_count > 1). */
typedef struct dfs_split {
    gint64 depth;        /* -1: no split */
    gint64 items, item_roots, owned, shared_runs;
} dfs_split;

/* One complete depth-first search with the given preemption bound; with a
 * split, of this shard's items only (counting: of none, counting them). */
static gboolean dfs_search(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                           sim_explore_result *r, gint64 bound, double t0, dfs_split *split, gboolean counting)
{
    dfs d = {.s = s, .o = o, .n_tabs = (int)s->tabs, .preemption_bound = bound};
    d.reduce = !o->no_reduction && bound < 0;
    sim_split_begin(&d.split, split->depth, counting, counting ? o->items_out : NULL);
    d.split.bound = bound;
    d.data_roots = !d.reduce || o->time == SIM_TIME_TIMED;
    d.nodes = g_array_new(FALSE, TRUE, sizeof(dfs_node));
    d.prefix = g_array_new(FALSE, TRUE, sizeof(uint32_t));
    d.steps = g_array_new(FALSE, FALSE, sizeof(dfs_step));
    d.cur_sleep_acc = acc_array(d.n_tabs);
    d.traces = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    state_snaps_init(&d.snaps, s, pool, sizeof(dfs_view));
    gboolean finished = FALSE;
    for (;;) {
        if (sim_explore_exhaustive_budget(o, r, t0))
            break;
        sim_run_spec spec = {.seed = 0, .tail = SIM_TAIL_ZERO, .record = TRUE, .untimed = TRUE, .discrete = TRUE,
                             .prefix = (const uint32_t *)d.prefix->data, .prefix_len = d.prefix->len,
                             .sched_pick = dfs_pick, .step_done = dfs_step_done, .hook_ctx = &d,
                             .stop = o->stop};
        if (d.split.depth >= 0)
            spec.data_pick = dfs_pick_data;
        if (o->final_digests) {
            spec.digests = TRUE;
            spec.world_ready = dfs_world_ready;
            spec.digest_assume = o->final_digest_assume;
        }
        if (o->time == SIM_TIME_TIMED)
            spec.untimed = FALSE;
        g_array_set_size(d.steps, d.steps_kept);
        d.step_count = 0;
        d.cur_sleep = 0;
        memset(d.cur_sleep_acc, 0, (gsize)d.n_tabs * sizeof(sim_access));
        d.preemptions = 0;
        d.split.skipped = FALSE;
        sim_run local, *run = &local;
        const state_snap *from = d.snaps.arena ? state_snaps_nearest(&d.snaps, d.prefix->len) : NULL;
        if (from) {
            dfs_view v;
            run = state_snaps_restore(&d.snaps, from, d.prefix, &v, d.cur_sleep_acc);
            d.cur_sleep = v.cur_sleep;
            d.preemptions = v.preemptions;
            d.step_count = v.step_count;
            d.last = v.last;
            d.world = d.snaps.world;
            d.chooser = &run->chooser;
            state_snaps_steps(&d.snaps, &spec);
        } else if (d.snaps.arena) {
            spec.world_ready = dfs_world_ready; /* sets d.world and, with it, the chooser */
            run = state_snaps_fresh(&d.snaps, s, pool, &spec);
        } else {
            /* sim_run_exec sets the chooser up; dfs_pick needs to see it. */
            d.chooser = &run->chooser;
            sim_run_exec(s, pool, &spec, run);
        }
        if (run->stopped) {
            /* Cut short: its path is not explored, nor counted. */
            sim_explore_exhaustive_stopped(o, r, run->stopped);
            if (run == &local)
                sim_run_clear(run);
            break;
        }
        if (d.step_count < d.steps->len) { /* it ended before the steps it was to repeat */
            g_array_set_size(d.steps, d.step_count);
            d.vc_valid = MIN(d.vc_valid, d.step_count);
        }
        /* A run abandoned at another shard's item ends its path above it. */
        nodes_sync(&d, &run->chooser, d.split.skipped ? (guint)d.split.skip_pos : run->chooser.record->len);
        gboolean in_item = !sim_split_in_top(&d.split);
        gboolean owned = sim_split_run_owned(&d.split, o, &run->chooser);
        if (run->chooser.abandoned) {
            r->pruned += owned;
        } else if (owned) {
            r->runs++;
            sim_explore_count_run(r, &run->monitor);
            if (o->final_digests && d.step_count > 0)
                sim_digest_set_add(o->final_digests, d.last);
            if (o->count_traces) {
                uint64_t h = sim_dfs_trace_hash(&d);
                if (!g_hash_table_contains(d.traces, &h))
                    g_hash_table_add(d.traces, g_memdup2(&h, sizeof h));
            }
            if (run->monitor.violated) {
                sim_run_spec found = {.seed = 0, .tail = SIM_TAIL_ZERO, .untimed = spec.untimed, .discrete = TRUE};
                guint before = r->violated;
                gboolean stop = sim_explore_found(r, o, s, run, &found, TRUE, TRUE);
                /* Where in the whole search's depth-first order: bounds
                 * are searched in turn, items in depth-first order. */
                for (int i = 0; i < SIM_INV_COUNT; i++)
                    if ((r->violated & ~before) & (1u << i))
                        r->cex[i].order = ((bound + 1) << 40) + d.split.cur;
                if (stop) {
                    if (run == &local)
                        sim_run_clear(run);
                    break;
                }
            }
        }
        gboolean truncated = run->monitor.c.truncated;
        if (run == &local)
            sim_run_clear(run);
        /* Races matter inside an item only: the top is expanded fully. */
        if (d.reduce && in_item && !sim_dfs_race_analysis(&d)) {
            sim_explore_exhaustive_stopped(o, r, sim_stop_read(o->stop));
            break;
        }
        if (d.reduce && in_item && truncated)
            expand_path(&d);
        dfs_progress(o, r, &d, t0);
        if (!dfs_backtrack(&d, 0)) {
            finished = TRUE;
            break;
        }
    }
    r->traces += g_hash_table_size(d.traces);
    /* The last bound's search covers the branches earlier bounds skipped. */
    r->cut_preemptions = d.cut_preemptions;
    split->items = d.split.next;
    split->item_roots = d.split.roots;
    split->owned = d.split.owned;
    split->shared_runs = d.split.shared_runs;
    g_hash_table_destroy(d.traces);
    state_snaps_clear(&d.snaps);
    nodes_truncate(&d, 0);
    g_array_free(d.nodes, TRUE);
    g_array_free(d.prefix, TRUE);
    g_array_free(d.steps, TRUE);
    g_free(d.cur_sleep_acc);
    g_free(d.vc);
    g_free(d.vc_idx);
    return finished;
}

/* A walk of the top for sim_split_choose. */
typedef struct dfs_walk {
    const sim_scenario *s;
    sim_stack_pool *pool;
    const sim_explore_options *o;
    gint64 bound;
    double t0;
} dfs_walk;

static gboolean dfs_walk_top(void *ctx, gint64 depth, sim_explore_result *scratch, sim_split *counted)
{
    const dfs_walk *w = ctx;
    dfs_split c = {.depth = depth};
    gboolean done = dfs_search(w->s, w->pool, w->o, scratch, w->bound, w->t0, &c, TRUE);
    counted->next = c.items;
    counted->roots = c.item_roots;
    counted->shared_runs = c.shared_runs;
    return done;
}

/* The search with one preemption bound (-1: none), split when sharded. */
static gboolean dfs_search_shard(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                                 sim_explore_result *r, gint64 bound, double t0)
{
    dfs_split split = {.depth = -1};
    if (o->shard_count > 1 && bound >= 0)
        split.depth = G_MAXINT64; /* split at the first preemption (split_enter) */
    else if (o->shard_count > 1) {
        dfs_walk w = {s, pool, o, bound, t0};
        split.depth = sim_split_choose(o, r, &split.shared_runs, dfs_walk_top, &w);
        if (split.depth < 0)
            return FALSE;
    }
    gint64 choosing = split.shared_runs;
    /* --list-items: the split's items, listed by the walk that chose the
     * depth (under a preemption bound, by one walk of the top); nothing
     * explored. */
    gboolean listing = o->items_out && o->shard_count > 1;
    if (listing && bound >= 0 && !dfs_search(s, pool, o, r, bound, t0, &split, TRUE))
        return FALSE;
    gboolean finished = listing || dfs_search(s, pool, o, r, bound, t0, &split, FALSE);
    if (o->shard_count > 1) {
        r->shard_items += split.items;
        r->shard_items_owned += split.owned;
        r->shard_split_depth = split.depth;
        r->shard_shared_runs += choosing + split.shared_runs;
    }
    return finished;
}

void sim_explore_exhaustive(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                            sim_explore_result *r)
{
    double t0 = o->clock_s ? o->clock_s() : 0;
    gboolean finished = TRUE;
    r->verdict = SIM_VERDICT_VERIFIED;
    if (o->preemptions_max >= 0) {
        /* Each bound's search starts over; one that stopped early (--first, or
         * every claimed invariant violated) ends the iteration. */
        for (gint64 b = 0; b <= o->preemptions_max; b++) {
            r->preemption_bound_reached = b;
            finished = dfs_search_shard(s, pool, o, r, b, t0);
            if (!finished)
                break;
        }
    } else {
        finished = dfs_search_shard(s, pool, o, r, -1, t0);
    }
    if (r->verdict != SIM_VERDICT_VIOLATION && !finished)
        r->verdict = SIM_VERDICT_INCOMPLETE;
    const char *time = o->time == SIM_TIME_TIMED ? "timed" : "untimed";
    char pre[64] = "";
    if (o->preemptions_max >= 0)
        g_snprintf(pre, sizeof pre, ", at most %" G_GINT64_FORMAT " preemptions", o->preemptions_max);
    /* Which bounds actually cut executions is said by the caller, from the
     * cut_* counts (sim/cli/check_outcome.c). */
    r->bounds_text = g_strdup_printf("every execution of at most %" G_GINT64_FORMAT " steps%s; %s time; ranges at "
                                     "both ends; reduction %s",
                                     s->steps_max, pre, time,
                                     (o->no_reduction || o->preemptions_max >= 0) ? "off" : "source-DPOR + sleep sets");
    r->bounds_text = sim_explore_shard_bounds(o, r, r->bounds_text);
    r->elapsed_s = o->clock_s ? o->clock_s() - t0 : 0;
}
