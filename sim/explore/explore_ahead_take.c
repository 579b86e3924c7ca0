/*
 * explore_ahead_take.c - the walk's side of the stateful search's helpers
 * (explore_ahead.c says why and how): handing out the branches left on its
 * path, dropping them when they leave it, and taking a helper's record as
 * the run it stands for when, and only when, that run would have gone
 * exactly so.
 */
#include <stdio.h>
#include <string.h>

#include "sim/explore/ahead.h"

void sim_ahead_post(sim_ahead *ah, sdfs *d, guint at)
{
    if (ah->n_threads == 0)
        return;
    /* Runs a helper makes that the walk cannot take (ones that end
     * otherwise than abandoned, or on a path since left) are waste: while
     * they outnumber twice the runs taken, hand out one run in 64, to see
     * whether the search has come to parts where they pay. */
    guint room = (guint)(AHEAD_QUEUED * ah->n_threads);
    sim_ahead_lock_spin(&ah->lock);
    guint queued = ah->queue.length;
    gint64 wasted = ah->made - ah->used;
    g_mutex_unlock(&ah->lock);
    if (wasted > 2 * ah->used + 64 && ah->throttled++ % 64 != 0)
        return;
    for (guint j = at; j-- > 0 && queued < room;) {
        snode *n = &g_array_index(d->nodes, snode, j);
        int alt;
        if (n->ahead || (alt = sdfs_node_next(n)) < 0)
            continue;
        ahead_job *job = sim_ahead_job_new(ah, d, j, alt);
        n->ahead = job;
        sim_ahead_lock_spin(&ah->lock);
        g_queue_push_tail(&ah->queue, job);
        queued = ah->queue.length;
        g_atomic_int_set(&ah->queued, (gint)queued);
        if (ah->idle > 0)
            g_cond_signal(&ah->cond);
        g_mutex_unlock(&ah->lock);
        ah->posted++;
    }
}

void sim_ahead_drop(sim_ahead *ah, snode *n)
{
    ahead_job *job = n->ahead;
    n->ahead = NULL;
    sim_ahead_lock_spin(&ah->lock);
    if (job->state == JOB_QUEUED) {
        g_queue_remove(&ah->queue, job);
        g_atomic_int_set(&ah->queued, (gint)ah->queue.length);
    }
    if (job->state == JOB_RUNNING)
        job->orphan = TRUE;
    else
        sim_ahead_job_recycle_locked(ah, job);
    g_mutex_unlock(&ah->lock);
    ah->dropped++;
}

/* ---- taking a record ---- */

/* A state the walk would store during the record's replay. */
typedef struct fresh_state {
    sim_digest dg;
    uint32_t steps;
    guint8 sleep;
} fresh_state;

/* Where the walk would abandon the record's run, against its visited set
 * as it is: the index of the record's last event, where the helper's run
 * ended too (its teardown, world_cancel, then made the outputs the walk's
 * would: they are checked).  -1: elsewhere, or not abandoned at all (the
 * run would end otherwise): the walk makes the run. */
static gssize record_end(sim_ahead *ah, sdfs *d, const ahead_job *job)
{
    GArray *fresh = g_array_new(FALSE, FALSE, sizeof(fresh_state));
    gssize end = -1;
    /* The walk alone writes the set: it reads it without the lock. */
    for (guint i = 0; i < job->events->len && end < 0; i++) {
        const ahead_event *ev = &g_array_index(job->events, ahead_event, i);
        if (ev->kind == EV_PICK) {
            if (ev->pick >= ev->n)
                end = (gssize)i;
            continue;
        }
        if (!ev->ok) {
            end = (gssize)i;
            continue;
        }
        if (ev->pos < job->prefix->len)
            continue;
        /* Seen: by this run (the latest entry), else by the walk. */
        fresh_state *mine = NULL;
        for (guint k = fresh->len; k-- > 0 && !mine;)
            if (sim_digest_equal(g_array_index(fresh, fresh_state, k).dg, ev->dg))
                mine = &g_array_index(fresh, fresh_state, k);
        fresh_state next = {.dg = ev->dg};
        gboolean seen;
        if (mine) {
            uint32_t s = (uint32_t)MIN(ev->steps, (uint64_t)UINT32_MAX);
            seen = (!d->visited.exact_steps || mine->steps <= s) && (mine->sleep & ~ev->sleep) == 0;
            next.steps = MIN(mine->steps, s);
            next.sleep = mine->sleep & ev->sleep;
        } else {
            seen = state_set_seen(&d->visited, ev->dg, ev->steps, ev->sleep, &next.steps, &next.sleep);
        }
        if (seen)
            end = (gssize)i;
        else
            g_array_append_val(fresh, next);
    }
    if (end >= 0 && (guint)end + 1 != job->events->len)
        end = -1;
    if (end >= 0) {
        const ahead_event *ev = &g_array_index(job->events, ahead_event, end);
        /* A run abandoned at the step bound is cut too (world.c): the walk's. */
        if (ev->kind == EV_STEP && ev->steps >= (uint64_t)ah->s->steps_max)
            end = -1;
        if (!state_set_room(&d->visited, fresh->len))
            end = -1; /* it would fill the set: the walk's */
    }
    g_array_free(fresh, TRUE);
    return end;
}

/* The marks questions of the record's first steps get the helper's
 * answers from the walk's record as it is, and no output conflicts:
 * then the outputs new to it are added.  FALSE: the walk makes the run. */
static gboolean record_marks(sim_ahead *ah, const ahead_job *job)
{
    GHashTable *mine = NULL;
    gboolean ok = TRUE;
    for (guint i = 0; i < job->marks->len && ok; i++) {
        const ahead_mark *m = &g_array_index(job->marks, ahead_mark, i);
        const sim_digest *seen = mine ? g_hash_table_lookup(mine, &m->key) : NULL;
        if (!seen)
            seen = g_hash_table_lookup(ah->marks_seen, &m->key);
        if (m->kind == MK_PREDICT) {
            ok = (seen && sim_digest_equal(*seen, m->out)) == m->said;
        } else if (!seen) {
            if (!mine)
                mine = sim_marks_seen_new();
            g_hash_table_insert(mine, g_memdup2(&m->key, sizeof m->key), g_memdup2(&m->out, sizeof m->out));
        } else {
            ok = sim_digest_equal(*seen, m->out); /* a conflict: the walk's run names it */
        }
    }
    if (ok && mine) {
        sim_ahead_lock_spin(&ah->lock);
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, mine);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            g_hash_table_iter_steal(&it);
            g_hash_table_insert(ah->marks_seen, k, v);
        }
        g_mutex_unlock(&ah->lock);
    }
    if (mine)
        g_hash_table_destroy(mine);
    return ok;
}

/* Does to d what the run would have done, up to event end. */
static void record_apply(sim_ahead *ah, sdfs *d, const ahead_job *job, guint end)
{
    sim_chooser rec = {.record = job->rec, .record_n = job->rec_n, .record_kind = job->rec_kind};
    d->cur_sleep = 0;
    memset(d->cur_sleep_acc, 0, (gsize)d->n_tabs * sizeof(sim_access));
    size_t upto = 0;
    for (guint i = 0; i <= end; i++) {
        const ahead_event *ev = &g_array_index(job->events, ahead_event, i);
        if (ev->kind == EV_PICK) {
            sdfs_nodes_sync(d, &rec, (guint)ev->pos);
            uint32_t pick = sdfs_node_push(d, ev->n, &g_array_index(job->cands, int, ev->cand_at));
            g_assert(pick == ev->pick);
            upto = ev->pos + 1;
            continue;
        }
        upto = ev->pos;
        gboolean ok = !d->sleep_sets || sdfs_sleep_after(d, &ev->info);
        g_assert(ok == ev->ok && (!ok || d->cur_sleep == ev->sleep));
        if (!ok || ev->pos < job->prefix->len)
            continue;
        sim_ahead_lock_spin(&ah->lock);
        gboolean seen = state_set_visit(&d->visited, ev->dg, ev->steps, d->cur_sleep);
        g_mutex_unlock(&ah->lock);
        g_assert(seen == (i == end));
    }
    sdfs_nodes_sync(d, &rec, (guint)upto);
    for (guint i = 0; i < job->collapses->len; i++) {
        const ahead_collapse *c = &g_array_index(job->collapses, ahead_collapse, i);
        g_array_append_val(d->cq_pos, c->pos);
        g_array_append_val(d->cq_bit, c->bit);
    }
}

gboolean sim_ahead_use(sim_ahead *ah, sdfs *d, guint at, sim_explore_result *r)
{
    snode *n = &g_array_index(d->nodes, snode, at);
    ahead_job *job = n->ahead;
    if (!job)
        return FALSE;
    n->ahead = NULL;
    sim_ahead_lock_spin(&ah->lock);
    if (job->state == JOB_QUEUED) { /* not begun: the walk makes it now */
        g_queue_remove(&ah->queue, job);
        g_atomic_int_set(&ah->queued, (gint)ah->queue.length);
        g_mutex_unlock(&ah->lock);
        ah->taken_back++;
        sim_ahead_job_recycle(ah, job);
        return FALSE;
    }
    if (job->state == JOB_RUNNING) {
        ah->waited++;
        g_mutex_unlock(&ah->lock);
        for (int spin = 0; spin < SPIN_MAX && g_atomic_int_get(&job->state) == JOB_RUNNING; spin++)
            spin_pause();
        sim_ahead_lock_spin(&ah->lock);
    }
    while (job->state == JOB_RUNNING) {
        ah->walk_waits = TRUE;
        g_cond_wait(&ah->cond, &ah->lock);
        ah->walk_waits = FALSE;
    }
    g_mutex_unlock(&ah->lock);
    gboolean used = FALSE;
    if (job->state == JOB_DONE) {
        sim_ahead_path_write(ah->scratch, d, at, (int)n->chosen);
        gboolean same = ah->scratch->len == job->path->len &&
                        memcmp(ah->scratch->data, job->path->data, job->path->len) == 0 &&
                        d->cq_pos->len == job->cq_pos->len &&
                        (job->cq_pos->len == 0 ||
                         (memcmp(d->cq_pos->data, job->cq_pos->data, job->cq_pos->len * sizeof(size_t)) == 0 &&
                          memcmp(d->cq_bit->data, job->cq_bit->data, job->cq_bit->len * sizeof(gboolean)) == 0));
        gssize end = same ? record_end(ah, d, job) : -1;
        if (!same)
            ah->mismatched++;
        if (end >= 0 && record_marks(ah, job)) {
            record_apply(ah, d, job, (guint)end);
            ah->used_events += end + 1;
            r->pruned++;
            used = TRUE;
        }
    }
    if (used)
        ah->used++;
    else
        ah->made_again++;
    sim_ahead_job_recycle(ah, job);
    return used;
}

void sim_ahead_report(const sim_ahead *ah)
{
    if (!g_getenv("TABSIM_AHEAD_STATS"))
        return;
    fprintf(stderr,
            "ahead: %d helpers, %" G_GINT64_FORMAT " runs handed out, %" G_GINT64_FORMAT " taken as made, %"
            G_GINT64_FORMAT " made again (%" G_GINT64_FORMAT " of them not begun, %" G_GINT64_FORMAT
            " on another path), %" G_GINT64_FORMAT " waited for, %" G_GINT64_FORMAT " dropped; helpers made %"
            G_GINT64_FORMAT " runs, %" G_GINT64_FORMAT " events, in %.2f CPU-s; records taken: %" G_GINT64_FORMAT " events used\n",
            ah->n_threads, ah->posted, ah->used, ah->made_again, ah->taken_back, ah->mismatched, ah->waited,
            ah->dropped, ah->made, ah->made_steps, ah->helper_cpu_s, ah->used_events);
}
