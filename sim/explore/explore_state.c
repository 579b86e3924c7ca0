/*
 * explore_state.c - exhaustive, stateful exploration: depth-first over the
 * choice tree, pruning a run where it reaches a state seen before.  This
 * file is one pass of it; explore_state_passes.c drives the passes.
 *
 * Reduction: sleep sets (Godefroid 1996), kept with the states.  At a
 * scheduling choice, a tab explored from it earlier sleeps in the later
 * siblings' subtrees while the steps made there are independent of its
 * step (sim_access_dependent, the stateless search's relation): that order
 * was covered from the earlier sibling.  A run whose every candidate
 * sleeps is abandoned (pruned).  Combined with a visited set this needs
 * care (Yang, Chen, Gopalakrishnan and Kirby, SPIN 2008): a state first
 * explored with some tabs asleep was not explored in their direction.  So
 * each state is stored with its sleep set, and a revisit is pruned only if
 * every tab asleep at the first visit is asleep now; otherwise it is
 * explored again and the entry keeps the tabs asleep both times
 * (state_set.c).  Explored again only in the directions owed: the steps
 * of the tabs asleep at the first visit and awake now (Godefroid 1996,
 * sleep sets with state caching); the others were explored from it then.
 * They are skipped there (snode.skip) but do not join the children's sleep
 * sets, which hold only the sleepers and siblings of this visit.  A state
 * reached with more steps left than before owes every tab (the bound may
 * have cut the first visit).  Value choices are expanded fully; a tab's sleeping access
 * is the union over all of its step's values.  Off ([explore] reduction =
 * false, --bitstate, or more than eight tabs): every choice is expanded
 * fully, plain DFS with a visited set, sound for safety.
 *
 * After each step of a run beyond its replayed prefix, the world's digest
 * (sim/world/world_digest.h) is looked up: a state stored at this step
 * count or fewer (and no fewer tabs asleep) has had (or, on the current
 * path, will have) every continuation explored within the step bound, so
 * the run is abandoned (a revisit, counted as pruned).  Storing the step
 * count keeps the [run] steps_max bound exact: a state reached again with
 * more steps left is explored again.  Equal digests mean equal futures,
 * judged alike, so a violation reachable from a pruned state is reachable
 * from the stored one.  Preemptions are unbounded: the preemption count is
 * not part of the state, and a bound is not applied.
 *
 * Reaching a state: the run's world lives in an arena (sim/world/arena.h)
 * where one can be made.  At a scheduling choice with a way left the world
 * is saved (from sdfs_pick, where the world is as at the start of the
 * step), with the search's view of the run there (state_view); a branch
 * restores the deepest saved state at or above its last choice and
 * replays the rest (sim/explore/state_snap.h).  Without an arena each branch replays the
 * production code from the start with its prefix, as the stateless search
 * does.  Either way only the new steps are digested.
 *
 * The visited set (state_set.c) is hash compaction, or bitstate: then the
 * verdict is never "verified", it says the estimated coverage.
 *
 * Marks are checked (env_digest.c): a conflict makes the verdict
 * incomplete, naming the mark and the algorithm.
 *
 * Sharding (--shard K/N) splits the tree into work items as the stateless
 * search does (explore_dfs.c): every shard walks the same top, above the
 * split depth, and a work item is the subtree at the first scheduling
 * choice at or below it (or a run that ends above it), dealt round robin
 * in depth-first order.  The top must be the same tree in every shard, so
 * there no state is stored or pruned and no read is collapsed (what the
 * marks predict depends on what this shard explored); sleep sets apply as
 * everywhere, so an item's root has the same sleep set in every shard.
 * Each shard keeps its own visited set, of the states of its items: a
 * state pruned in a shard was explored from in that shard, which is the
 * argument of one search restricted to the items it owns.  A state that
 * two shards reach is explored by both, so the shards' states add up to
 * more than one search's.
 */
#include <string.h>

#include "sim/explore/explore_state.h"

/* A scheduling node's arrays, in one block: cand (n_tabs ints, padded to
 * 16 bytes), then sleep_acc and child_acc (n_tabs accesses each).  Blocks
 * of nodes left are kept for the next ones (a choice is made at every
 * step, and three allocations a choice showed in the profile). */
static size_t node_cand_bytes(int n_tabs)
{
    return ((size_t)n_tabs * sizeof(int) + 15) / 16 * 16;
}

static void node_block_take(sdfs *d, snode *n)
{
    size_t cand_bytes = node_cand_bytes(d->n_tabs);
    char *b = d->spare->len > 0 ? g_ptr_array_steal_index_fast(d->spare, d->spare->len - 1)
                                : g_malloc(cand_bytes + 2 * (size_t)d->n_tabs * sizeof(sim_access));
    n->cand = (int *)b;
    n->sleep_acc = (sim_access *)(b + cand_bytes);
    n->child_acc = n->sleep_acc + d->n_tabs;
}

static void nodes_truncate(sdfs *d, guint len)
{
    for (guint i = len; i < d->nodes->len; i++) {
        snode *n = &g_array_index(d->nodes, snode, i);
        if (n->cand)
            g_ptr_array_add(d->spare, n->cand);
    }
    g_array_set_size(d->nodes, len);
}

/* The value choices recorded before position upto that the path lacks. */
static void nodes_sync(sdfs *d, const sim_chooser *c, guint upto)
{
    for (guint pos = d->nodes->len; pos < upto; pos++) {
        snode n = {.kind = g_array_index(c->record_kind, guint8, pos), .n = g_array_index(c->record_n, uint32_t, pos),
                   .chosen = g_array_index(c->record, uint32_t, pos)};
        g_assert(n.kind == SIM_CHOICE_DATA);
        g_array_append_val(d->nodes, n);
    }
}

/* The tabs explored from the state the run is in at its earlier visit,
 * for a step that begins there (no choice made since the lookup). */
static guint8 skip_here(const sdfs *d)
{
    return d->chooser->pos == d->v.skip_pos ? d->v.skip : 0;
}

/* ---- sharding: the shared top and the work items ---- */

/* A scheduling choice at pos beyond the path, in the top: the first at or
 * below the split depth is the root of the next item.  FALSE: another
 * shard's item, the run is abandoned above it. */
static gboolean split_enter(sdfs *d, size_t pos)
{
    if (!sim_split_in_top(&d->split) || (gint64)pos < d->split.depth)
        return TRUE;
    return sim_split_deal(&d->split, d->o, pos, d->chooser, d->sleep_sets ? d->v.sleep : 0);
}

/* Beyond the replayed prefix: the first candidate not asleep.  n (every
 * candidate asleep) abandons the run: each way on was explored from an
 * earlier branch. */
static uint32_t sdfs_pick(void *ctx, uint32_t n, const int *cand)
{
    sdfs *d = ctx;
    nodes_sync(d, d->chooser, (guint)d->chooser->pos);
    if (!split_enter(d, d->chooser->pos)) {
        d->abandon_pos = d->chooser->pos; /* no node: the path ends above the item */
        return n;
    }
    snode node = {.kind = SIM_CHOICE_SCHED, .n = n, .sleep = d->v.sleep, .skip = skip_here(d)};
    g_assert(n <= (uint32_t)d->n_tabs);
    node_block_take(d, &node);
    memcpy(node.cand, cand, n * sizeof *cand);
    if (d->sleep_sets) { /* sleep_after's; a plain search keeps no accesses */
        memcpy(node.sleep_acc, d->sleep_acc, (gsize)d->n_tabs * sizeof(sim_access));
        memset(node.child_acc, 0, (gsize)d->n_tabs * sizeof(sim_access));
    }
    uint32_t pick = n;
    for (uint32_t i = 0; i < n && pick == n; i++)
        if (!((node.sleep | node.skip) >> (cand[i] - 1) & 1))
            pick = i;
    if (pick < n) {
        node.chosen = pick;
        node.done = UINT64_C(1) << (cand[pick] - 1);
    }
    if (d->snaps.arena && pick < n) {
        int ways = 0;
        for (uint32_t i = 0; i < n; i++)
            ways += !((node.sleep | node.skip) >> (cand[i] - 1) & 1);
        if (ways > 1)
            state_snaps_push(&d->snaps, d->chooser->pos, 1, SNAP_STEP_BYTES, &d->v, d->sleep_acc); /* the world is as at the step's start */
    }
    g_array_append_val(d->nodes, node);
    if (pick == n)
        d->abandon_pos = d->chooser->pos + 1; /* the chooser records this choice */
    return pick;
}

/* After a step: the sleep set of the state it reached (Godefroid).  At a
 * scheduling choice the child inherits the node's sleepers and the
 * siblings explored before it; a sleeper stays asleep while the steps
 * made are independent of its own.  FALSE: the step is a sleeper's (a
 * forced one), so every way on was explored already. */
static gboolean sleep_after(sdfs *d, const sim_step_info *st)
{
    guint8 bit = (guint8)(1u << (st->tab - 1));
    if (st->choice_pos < 0 && ((d->v.sleep | skip_here(d)) & bit))
        return FALSE;
    if (st->choice_pos >= 0) {
        snode *n = &g_array_index(d->nodes, snode, st->choice_pos);
        n->child_acc[st->tab - 1].r |= st->acc.r;
        n->child_acc[st->tab - 1].w |= st->acc.w;
        d->v.sleep = (guint8)n->sleep; /* sleep sets: at most SLEEP_TABS_MAX tabs */
        memcpy(d->sleep_acc, n->sleep_acc, (gsize)d->n_tabs * sizeof(sim_access));
        for (int t = 0; t < d->n_tabs; t++)
            if ((n->done >> t & 1) && !(bit >> t & 1)) {
                d->v.sleep |= (guint8)(1u << t);
                d->sleep_acc[t] = n->child_acc[t];
            }
    }
    d->v.sleep &= (guint8)~bit;
    for (int t = 0; t < d->n_tabs; t++)
        if ((d->v.sleep >> t & 1) && sim_access_dependent(d->sleep_acc[t], st->acc))
            d->v.sleep &= (guint8)~(1u << t);
    return TRUE;
}

/* Whether the world may do a read that leads back to a wait at once
 * (sim_run_spec.collapse_decide).  What the marks predict grows as the
 * search goes, but a replayed path must be the path: along the prefix
 * the decision made when the path was first run is given again; beyond
 * it, the prediction is taken and noted. */
static gboolean sdfs_collapse(void *ctx, gboolean (*predict)(void *arg), void *arg, int tab)
{
    sdfs *d = ctx;
    gboolean collapse;
    if (d->v.cq_next < d->cq_bit->len) {
        collapse = g_array_index(d->cq_bit, gboolean, d->v.cq_next++); /* not predicted: its answer is the path's */
    } else {
        collapse = !sim_split_in_top(&d->split) && predict(arg);
        if (d->chooser->abandoned)
            return collapse; /* the run's teardown: not a decision of the path */
        size_t pos = d->chooser->pos;
        g_array_append_val(d->cq_pos, pos);
        g_array_append_val(d->cq_bit, collapse);
        d->v.cq_next++;
    }
    if (collapse && !d->chooser->abandoned)
        g_array_append_val(d->collapsed, tab); /* logged after its step (path_log) */
    return collapse;
}

/* The next run replays choices [0, len): the questions asked before the
 * last of them are asked again, the later ones are not. */
static void collapse_truncate(sdfs *d, size_t len)
{
    /* cq_pos is ascending (asked in the run's order): the first question
     * at or past len, by bisection (a scan was O(path) a run). */
    guint lo = 0, hi = d->cq_pos->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(d->cq_pos, size_t, mid) < len)
            lo = mid + 1;
        else
            hi = mid;
    }
    g_array_set_size(d->cq_pos, lo);
    g_array_set_size(d->cq_bit, lo);
}

static void sdfs_world_ready(void *ctx, sim_world *w)
{
    sdfs *d = ctx;
    d->world = w;
    d->chooser = w->chooser;
}

/* A set of tabs (bit t-1: tab t) in their canonical places (bit canon[t-1]),
 * or back (back: canonical bits to tabs). */
static guint8 tabs_rename(guint8 bits, const uint8_t *canon, int n_tabs, gboolean back)
{
    guint8 out = 0;
    for (int i = 0; i < n_tabs && i < SLEEP_TABS_MAX; i++) {
        int from = back ? canon[i] : i, to = back ? i : canon[i];
        if (from < SLEEP_TABS_MAX && to < SLEEP_TABS_MAX && (bits >> from & 1))
            out |= (guint8)(1u << to);
    }
    return out;
}

/* ---- cycles: a state of the run's own path reached again ---- */

static guint32 on_path_home(const sdfs *d, sim_digest dg)
{
    return (guint32)(dg.lo ^ dg.hi) & (d->on_path_cap - 1);
}

static void on_path_add(sdfs *d, guint32 k)
{
    sim_digest dg = g_array_index(d->path_dig, sim_digest, k);
    guint32 i = on_path_home(d, dg);
    while (d->on_path[i])
        i = (i + 1) & (d->on_path_cap - 1);
    d->on_path[i] = k;
}

/* The path's states after step k - 1 only: the run left the rest. */
static void path_cut(sdfs *d, guint64 k)
{
    for (; d->path_n >= k && d->path_n > 0; d->path_n--) {
        guint32 i = on_path_home(d, g_array_index(d->path_dig, sim_digest, d->path_n));
        while (d->on_path[i] != d->path_n)
            i = (i + 1) & (d->on_path_cap - 1);
        d->on_path[i] = 0;
    }
}

static gboolean path_holds(const sdfs *d, sim_digest dg)
{
    if (!d->on_path)
        return FALSE;
    for (guint32 i = on_path_home(d, dg); d->on_path[i]; i = (i + 1) & (d->on_path_cap - 1))
        if (sim_digest_equal(g_array_index(d->path_dig, sim_digest, d->on_path[i]), dg))
            return TRUE;
    return FALSE;
}

/* The state after step k, new on the path (k = path_n + 1). */
static void path_push(sdfs *d, guint64 k, sim_digest dg)
{
    if (k >= G_MAXUINT32 / 4)
        return; /* beyond any run the history bound lets finish */
    if (d->path_dig->len <= k)
        g_array_set_size(d->path_dig, (guint)k + 1);
    g_array_index(d->path_dig, sim_digest, k) = dg;
    d->path_n = k;
    if (2 * k >= d->on_path_cap) { /* grow: every entry placed again, in order */
        g_free(d->on_path);
        d->on_path_cap = MAX(d->on_path_cap * 2, 1024u);
        d->on_path = g_new0(guint32, d->on_path_cap);
        for (guint32 j = 1; j < (guint32)k; j++)
            on_path_add(d, j);
    }
    on_path_add(d, (guint32)k);
}

/* The step just made, and the reads it collapsed, in the path's log. */
static void path_log(sdfs *d, int tab, int splits)
{
    g_array_set_size(d->path, d->v.path_len);
    g_array_append_val(d->path, tab);
    for (int i = 0, c = -tab; i < splits; i++) /* the parts a plain run makes steps of (env_sim.c) */
        g_array_append_val(d->path, c);
    for (guint i = 0; i < d->collapsed->len; i++) {
        int c = -g_array_index(d->collapsed, int, i);
        g_array_append_val(d->path, c);
    }
    g_array_set_size(d->collapsed, 0);
    d->v.path_len = d->path->len;
}

static void sdfs_step_done(void *ctx, const sim_step_info *st)
{
    sdfs *d = ctx;
    sim_world *w = d->world;
    path_log(d, st->tab, w->step_splits);
    if (w->digest_broken & d->assume) {
        d->broken = w->digest_broken & d->assume; /* the search starts over without it */
        d->chooser->abandoned = TRUE;
        d->abandon_pos = d->chooser->pos;
        return;
    }
    d->max_now_us = MAX(d->max_now_us, w->now_us);
    if (d->sleep_sets && !sleep_after(d, st)) {
        d->chooser->abandoned = TRUE;
        d->abandon_pos = d->chooser->pos;
        return;
    }
    d->v.skip = 0; /* the state it was for is left */
    /* Replaying the path: states seen already, the digest wanted only for
     * the final states (o->final_digests).  In the top of a split: every
     * shard's, nothing stored or pruned; its states join the path, where
     * a cycle may close. */
    gboolean fresh = d->chooser->pos >= d->prefix_len, top = sim_split_in_top(&d->split);
    if (!fresh && !d->o->final_digests)
        return;
    sim_digest dg;
    uint8_t canon[SIM_TABS_MAX];
    gboolean symmetric = (d->assume & SIM_DIGEST_SYMMETRIC) != 0;
    sim_world_digest_canon(w, &dg, symmetric ? canon : NULL);
    d->v.last = dg;
    d->v.have_last = TRUE;
    if (!fresh)
        return;
    uint64_t k = w->monitor->c.steps;
    path_cut(d, k); /* the path's states from step k on are another branch's */
    if (top) {
        if (!d->cycle && path_holds(d, dg))
            d->cycle = TRUE;
        if (d->path_n + 1 == k)
            path_push(d, k, dg);
        return;
    }
    /* Under symmetry the state stored is the renamed one: its sleep set
     * is kept in the canonical places, and the tabs owed come back from
     * them (world_digest.c, "Symmetry"). */
    guint8 sleep = symmetric ? tabs_rename(d->v.sleep, canon, d->n_tabs, FALSE) : d->v.sleep;
    guint8 explore;
    gboolean seen = state_set_visit(&d->visited, dg, k, sleep, &explore);
    if (seen || explore != 0xff) { /* stored before: its futures (some of them) are the stored one's, shifted */
        d->max_merged_us = MAX(d->max_merged_us, w->now_us);
        if (!d->cycle && path_holds(d, dg))
            d->cycle = TRUE;
    }
    if (!seen && d->path_n + 1 == k)
        path_push(d, k, dg);
    if (symmetric && explore != 0xff)
        explore = tabs_rename(explore, canon, d->n_tabs, TRUE);
    if (seen) {
        d->chooser->abandoned = TRUE;
        d->abandon_pos = d->chooser->pos;
    } else {
        d->v.skip = (guint8)~explore;
        d->v.skip_pos = d->chooser->pos;
    }
}

static void sdfs_progress(const sim_explore_options *o, const sim_explore_result *r, const sdfs *d, double t0)
{
    if (!o->progress || (r->runs + r->pruned) % 4096 != 0 || !o->clock_s)
        return;
    char *line = g_strdup_printf("stateful: %" G_GINT64_FORMAT " executions, %" G_GINT64_FORMAT " revisits, %zu states, %.1f s",
                                 r->runs, r->pruned, d->visited.count, o->clock_s() - t0);
    o->progress(o->progress_ctx, line);
    g_free(line);
}

/* The next branch: the deepest choice with an answer left (a value not
 * tried, a tab neither explored from there nor asleep).  FALSE when done. */
static gboolean sdfs_backtrack(sdfs *d, GArray *prefix)
{
    while (d->nodes->len > 0) {
        guint at = d->nodes->len - 1;
        snode *n = &g_array_index(d->nodes, snode, at);
        int next = -1;
        if (n->kind == SIM_CHOICE_DATA) {
            if (n->chosen + 1 < n->n)
                next = (int)n->chosen + 1;
        } else {
            for (uint32_t i = 0; i < n->n && next < 0; i++)
                if (!((n->sleep | n->done | n->skip) >> (n->cand[i] - 1) & 1))
                    next = (int)i;
        }
        if (next >= 0) {
            n->chosen = (uint32_t)next;
            if (n->kind == SIM_CHOICE_SCHED)
                n->done |= UINT64_C(1) << (n->cand[next] - 1);
            sim_split_backtrack(&d->split, at);
            /* The prefix below min(its length, at) is the path's already:
             * a run only adds nodes past its prefix, and only this loop
             * changes a node's answer (rewriting it was O(path) a run). */
            guint from = MIN(prefix->len, at);
            g_array_set_size(prefix, at + 1);
            for (guint i = from; i <= at; i++)
                g_array_index(prefix, uint32_t, i) = g_array_index(d->nodes, snode, i).chosen;
            return TRUE;
        }
        nodes_truncate(d, at);
    }
    return FALSE;
}

/* One depth-first search from the root (explore_state.h). */
gboolean sdfs_pass(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                              sim_explore_result *r, sdfs *d, sim_digest_map *marks_seen, double t0,
                              char **conflict, gboolean *cut_steps)
{
    d->nodes = g_array_new(FALSE, FALSE, sizeof(snode));
    d->cq_pos = g_array_new(FALSE, FALSE, sizeof(size_t));
    d->cq_bit = g_array_new(FALSE, FALSE, sizeof(gboolean));
    GArray *prefix = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    gboolean finished = FALSE;
    d->snaps.n = 0; /* the first run is made from the root */
    path_cut(d, 1);
    d->cycle = FALSE; /* a pass that starts over may have merged states that differ */
    sim_split_begin(&d->split, d->split.depth, d->split.counting, d->split.items);
    for (;;) {
        if (sim_explore_exhaustive_budget(o, r, t0))
            break;
        sim_run_spec spec = {.seed = 0, .tail = SIM_TAIL_ZERO, .record = TRUE, .untimed = TRUE, .discrete = TRUE,
                             .prefix = (const uint32_t *)prefix->data, .prefix_len = prefix->len,
                             .sched_pick = sdfs_pick, .step_done = sdfs_step_done, .hook_ctx = d,
                             .access_unused = !d->sleep_sets, .stop = o->stop, .digests = TRUE,
                             .marks_seen = marks_seen, .marks_prefix_checked = TRUE, .world_ready = sdfs_world_ready,
                             .collapse_reads = TRUE, .collapse_decide = sdfs_collapse,
                             .digest_assume = d->assume};
        d->prefix_len = prefix->len;
        collapse_truncate(d, prefix->len);
        d->v.cq_next = 0;
        d->v.path_len = 0;
        g_array_set_size(d->collapsed, 0);
        d->v.have_last = FALSE;
        d->v.sleep = 0;
        d->v.skip = 0;
        d->v.skip_pos = SIZE_MAX;
        memset(d->sleep_acc, 0, (gsize)d->n_tabs * sizeof(sim_access));
        d->split.skipped = FALSE;
        sim_run local, *run = &local;
        const state_snap *from = d->snaps.arena ? state_snaps_nearest(&d->snaps, prefix->len) : NULL;
        if (from) {
            run = state_snaps_restore(&d->snaps, from, prefix, &d->v, d->sleep_acc);
            d->world = d->snaps.world;
            d->chooser = &run->chooser;
            state_snaps_steps(&d->snaps, &spec);
        } else if (d->snaps.arena) {
            run = state_snaps_fresh(&d->snaps, s, pool, &spec); /* world_ready tells d of it */
        } else {
            d->chooser = &run->chooser; /* sdfs_pick needs it from the first choice */
            sim_run_exec(s, pool, &spec, run);
        }
        d->world = NULL;
        if (run->stopped) {
            sim_explore_exhaustive_stopped(o, r, run->stopped);
            if (run == &local)
                sim_run_clear(run);
            break;
        }
        /* Every choice it made beyond the path is a node (the scheduling
         * ones made by sdfs_pick, the values after the last of them here). */
        /* Not the choices of an abandoned run's teardown (world_cancel
         * runs its tasks to their end): a replay of the path is not
         * abandoned there, so the same position is another question. */
        nodes_sync(d, &run->chooser, run->chooser.abandoned ? (guint)d->abandon_pos : run->chooser.record->len);
        if (run->mark_conflict && !*conflict)
            *conflict = sim_explore_mark_conflict_text(run);
        d->broken |= run->digest_broken & d->assume; /* also where no step followed (a time cut) */
        if (run->monitor.c.cut & SIM_CUT_STEPS)
            *cut_steps = TRUE;
        gboolean owned = sim_split_run_owned(&d->split, o, &run->chooser);
        if (run->chooser.abandoned) {
            r->pruned += owned;
        } else if (owned) {
            r->runs++;
            sim_explore_count_run(r, &run->monitor);
            if (o->final_digests && d->v.have_last)
                sim_digest_set_add(o->final_digests, d->v.last);
            if (run->monitor.violated) {
                sim_run_spec found = {.seed = 0, .tail = SIM_TAIL_ZERO, .untimed = TRUE, .discrete = TRUE};
                guint before = r->violated;
                /* Its choices as a replay makes them (above); if that
                 * fails, the run as found, whose replay the check shows
                 * does not reproduce it (check_outcome.c). */
                sim_run plain;
                gboolean made = sdfs_path_collapsed(d) && !d->as_found && sdfs_plain(d, s, pool, run, &plain);
                gboolean stop = sim_explore_found(r, o, s, made ? &plain : run, &found, TRUE, TRUE);
                if (made)
                    sim_run_clear(&plain);
                for (int i = 0; i < SIM_INV_COUNT; i++) /* where, in the whole search's order */
                    if ((r->violated & ~before) & (1u << i))
                        r->cex[i].order = d->split.cur;
                if (stop) {
                    if (run == &local)
                        sim_run_clear(run);
                    break;
                }
            }
        }
        if (run == &local)
            sim_run_clear(run);
        if (*conflict || d->visited.full || d->broken)
            break;
        sdfs_progress(o, r, d, t0);
        if (!sdfs_backtrack(d, prefix)) {
            finished = TRUE;
            break;
        }
    }
    /* A cut by [run] time_limit_ms that a merged state hides. */
    if (finished)
        d->broken |= sim_digest_time_limit_broken(d->assume, d->max_now_us, d->max_merged_us, s->time_limit_ms);
    d->max_now_us = d->max_merged_us = 0;
    nodes_truncate(d, 0);
    g_array_free(d->nodes, TRUE);
    d->nodes = NULL;
    g_array_free(d->cq_pos, TRUE);
    g_array_free(d->cq_bit, TRUE);
    g_array_free(prefix, TRUE);
    return finished;
}
