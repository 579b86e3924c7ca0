/*
 * explore_ahead.c - helpers that make the stateful search's later runs
 * ahead of it, on other threads; see sim/explore/explore_state.h.
 *
 * Why: the stateful search spends nearly all its time replaying its path
 * from the root (a run per new state, the prefix being most of it), and
 * a world cannot be copied (its tabs run on coroutine stacks full of
 * pointers).  But the walk's future is known in part: every branch left
 * at a node of its path will be run, with a prefix known now, once the
 * subtrees below are done.  A helper makes that run now, on its own
 * world and stack pool, and records what the walk's hooks would see: the
 * scheduling choices and the nodes they make, each step's access, sleep
 * set outcome and state digest, the collapse decisions (env_eager.c) and
 * every question it asked the marks' record (env_digest.c).
 *
 * Determinism: the walk takes a record only when the run it stands for
 * would have gone exactly so, and then does to its path, visited set and
 * marks what that run would have done; otherwise it makes the run itself.
 * A run is a pure function of its prefix, the path's nodes along it (the
 * sleep sets), the collapse decisions along the prefix, and the answers
 * of the marks' record beyond it; the visited set only decides where the
 * walk abandons it.  So the record is taken when (1) the path's nodes up
 * to the branch and its collapse decisions are byte for byte those the
 * helper started from; (2) replaying the record against the visited set
 * as it is now abandons the run at some step (a revisit, or every tab
 * asleep): a run that would end otherwise (complete, cut by a bound) is
 * made again by the walk, so every judged run is the walk's own; (3) up
 * to that step every marks question gets the answer the helper got, and
 * no output conflicts with the record.  The walk's order of runs, its
 * counts and output are those of one thread: only the time differs.  The
 * helpers read the visited set and the marks' record, the walk alone
 * writes them, under one lock.
 *
 * Where a helper stops: at the first state the visited set has now with
 * no fewer steps left and no fewer tabs asleep (state_set_seen).  An
 * entry's steps only fall and its sleep set only shrinks, so the walk
 * finds that state seen too, at the latest.
 *
 * What is handed out: after each run, the branch left at each node of the
 * path above the one the walk takes next (that node's own next branch
 * depends on the access of the step the walk is about to make), at most
 * AHEAD_QUEUED a helper; a helper takes the deepest first.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim/explore/ahead.h"

/* The lock is held for a lookup or an insert at a time: a thread that
 * finds it taken spins a little before it asks the kernel to wait (a
 * system call, slow here). */
void sim_ahead_lock_spin(GMutex *lock)
{
    for (int i = 0; i < SPIN_MAX; i++) {
        if (g_mutex_trylock(lock))
            return;
        spin_pause();
    }
    g_mutex_lock(lock);
}

/* ---- the path, serialized ---- */

static void put(GByteArray *b, const void *p, size_t len)
{
    g_byte_array_append(b, p, (guint)len);
}

/* Nodes 0..at of d's path, node at taking branch alt. */
void sim_ahead_path_write(GByteArray *b, const sdfs *d, guint at, int alt)
{
    g_byte_array_set_size(b, 0);
    for (guint i = 0; i <= at; i++) {
        snode n = g_array_index(d->nodes, snode, i);
        if (i == at) {
            n.chosen = (uint32_t)alt;
            if (n.kind == SIM_CHOICE_SCHED)
                n.done |= (guint8)(1u << (n.cand[alt] - 1));
        }
        guint8 head[4] = {n.kind, n.sleep, n.done, n.sleep_acc != NULL};
        put(b, head, sizeof head);
        put(b, &n.n, sizeof n.n);
        put(b, &n.chosen, sizeof n.chosen);
        if (n.kind != SIM_CHOICE_SCHED)
            continue;
        put(b, n.cand, n.n * sizeof *n.cand);
        if (n.sleep_acc) {
            put(b, n.sleep_acc, (size_t)d->n_tabs * sizeof(sim_access));
            put(b, n.child_acc, (size_t)d->n_tabs * sizeof(sim_access));
        }
    }
}

static const guint8 *get(const guint8 *p, void *to, size_t len)
{
    memcpy(to, p, len);
    return p + len;
}

/* The nodes path_write wrote, as a helper's own path. */
static GArray *path_read(const GByteArray *b, int n_tabs)
{
    GArray *nodes = g_array_new(FALSE, TRUE, sizeof(snode));
    const guint8 *p = b->data, *end = b->data + b->len;
    while (p < end) {
        snode n = {0};
        guint8 head[4];
        p = get(p, head, sizeof head);
        n.kind = head[0];
        n.sleep = head[1];
        n.done = head[2];
        p = get(p, &n.n, sizeof n.n);
        p = get(p, &n.chosen, sizeof n.chosen);
        if (n.kind == SIM_CHOICE_SCHED) {
            n.cand = g_new(int, n.n);
            p = get(p, n.cand, n.n * sizeof *n.cand);
            if (head[3]) {
                n.sleep_acc = g_new(sim_access, n_tabs);
                n.child_acc = g_new(sim_access, n_tabs);
                p = get(p, n.sleep_acc, (size_t)n_tabs * sizeof(sim_access));
                p = get(p, n.child_acc, (size_t)n_tabs * sizeof(sim_access));
            }
        }
        g_array_append_val(nodes, n);
    }
    return nodes;
}

/* ---- jobs ---- */

void sim_ahead_job_destroy(gpointer p)
{
    ahead_job *job = p;
    g_array_free(job->prefix, TRUE);
    g_byte_array_free(job->path, TRUE);
    g_array_free(job->cq_pos, TRUE);
    g_array_free(job->cq_bit, TRUE);
    g_array_free(job->events, TRUE);
    g_array_free(job->cands, TRUE);
    g_array_free(job->collapses, TRUE);
    g_array_free(job->marks, TRUE);
    g_array_free(job->rec, TRUE);
    g_array_free(job->rec_n, TRUE);
    g_array_free(job->rec_kind, TRUE);
    if (job->overlay)
        g_hash_table_destroy(job->overlay);
    g_free(job);
}

/* Jobs are kept for reuse, their arrays emptied: freeing on one thread
 * what another allocated costs more than the run it saves.  Lock held. */
void sim_ahead_job_recycle_locked(sim_ahead *ah, ahead_job *job)
{
    if (ah->spare->len >= SPARE_MAX) {
        sim_ahead_job_destroy(job);
        return;
    }
    GArray *arrays[] = {job->prefix, job->cq_pos, job->cq_bit, job->events, job->cands, job->collapses,
                        job->marks, job->rec, job->rec_n, job->rec_kind};
    for (size_t i = 0; i < G_N_ELEMENTS(arrays); i++)
        g_array_set_size(arrays[i], 0);
    g_byte_array_set_size(job->path, 0);
    job->state = JOB_QUEUED;
    job->orphan = FALSE;
    g_ptr_array_add(ah->spare, job);
}

void sim_ahead_job_recycle(sim_ahead *ah, ahead_job *job)
{
    sim_ahead_lock_spin(&ah->lock);
    sim_ahead_job_recycle_locked(ah, job);
    g_mutex_unlock(&ah->lock);
}

static ahead_job *job_take(sim_ahead *ah)
{
    sim_ahead_lock_spin(&ah->lock);
    ahead_job *job = ah->spare->len ? g_ptr_array_steal_index_fast(ah->spare, ah->spare->len - 1) : NULL;
    g_mutex_unlock(&ah->lock);
    if (job)
        return job;
    job = g_new0(ahead_job, 1);
    job->prefix = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    job->path = g_byte_array_new();
    job->cq_pos = g_array_new(FALSE, FALSE, sizeof(size_t));
    job->cq_bit = g_array_new(FALSE, FALSE, sizeof(gboolean));
    job->events = g_array_new(FALSE, FALSE, sizeof(ahead_event));
    job->cands = g_array_new(FALSE, FALSE, sizeof(int));
    job->collapses = g_array_new(FALSE, FALSE, sizeof(ahead_collapse));
    job->marks = g_array_new(FALSE, FALSE, sizeof(ahead_mark));
    job->rec = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    job->rec_n = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    job->rec_kind = g_array_new(FALSE, FALSE, sizeof(guint8));
    return job;
}

static GArray *array_copy(GArray *a, guint len, guint size)
{
    GArray *c = g_array_sized_new(FALSE, FALSE, size, len);
    g_array_append_vals(c, a->data, len);
    return c;
}

ahead_job *sim_ahead_job_new(sim_ahead *ah, const sdfs *d, guint at, int alt)
{
    ahead_job *job = job_take(ah);
    job->at = at;
    for (guint i = 0; i <= at; i++) {
        uint32_t c = i == at ? (uint32_t)alt : g_array_index(d->nodes, snode, i).chosen;
        g_array_append_val(job->prefix, c);
    }
    sim_ahead_path_write(job->path, d, at, alt);
    /* The decisions asked before the branch's position (collapse_truncate). */
    guint keep = 0;
    while (keep < d->cq_pos->len && g_array_index(d->cq_pos, size_t, keep) < at + 1)
        keep++;
    g_array_append_vals(job->cq_pos, d->cq_pos->data, keep);
    g_array_append_vals(job->cq_bit, d->cq_bit->data, keep);
    return job;
}

/* ---- a helper's run ---- */

typedef struct helper_run {
    sdfs a;                 /* the helper's copy of the path, and its sleep sets */
    sim_ahead *ah;
    ahead_job *job;
} helper_run;

static void helper_world_ready(void *ctx, sim_world *w)
{
    helper_run *h = ctx;
    h->a.world = w;
    h->a.chooser = w->chooser;
}

static uint32_t helper_pick(void *ctx, uint32_t n, const int *cand)
{
    helper_run *h = ctx;
    size_t pos = h->a.chooser->pos;
    sdfs_nodes_sync(&h->a, h->a.chooser, (guint)pos);
    uint32_t pick = sdfs_node_push(&h->a, n, cand);
    ahead_event ev = {.kind = EV_PICK, .n = n, .pick = pick, .cand_at = h->job->cands->len, .pos = pos};
    g_array_append_vals(h->job->cands, cand, n);
    g_array_append_val(h->job->events, ev);
    return pick;
}

static void helper_step_done(void *ctx, const sim_step_info *st)
{
    helper_run *h = ctx;
    sdfs *a = &h->a;
    ahead_event ev = {.kind = EV_STEP, .info = *st, .ok = TRUE};
    if (a->sleep_sets && !sdfs_sleep_after(a, st)) {
        ev.ok = FALSE;
        a->chooser->abandoned = TRUE;
    }
    ev.pos = a->chooser->pos;
    ev.sleep = a->cur_sleep;
    gboolean beyond = ev.pos >= a->prefix_len;
    if (ev.ok && (beyond || a->o->final_digests)) {
        sim_world_digest(a->world, &ev.dg);
        ev.digested = TRUE;
        ev.steps = a->world->monitor->c.steps;
    }
    g_array_append_val(h->job->events, ev);
    if (!ev.ok || !beyond)
        return;
    /* Asked only when the walk does not hold the set (a wait is a system
     * call); not asking only makes the run longer. */
    uint32_t steps_out;
    guint8 sleep_out;
    if (!g_mutex_trylock(&h->ah->lock))
        return;
    gboolean seen = state_set_seen(&h->ah->walk->visited, ev.dg, ev.steps, ev.sleep, &steps_out, &sleep_out);
    g_mutex_unlock(&h->ah->lock);
    if (seen)
        a->chooser->abandoned = TRUE; /* the walk will abandon it here, or before */
}

static gboolean helper_collapse(void *ctx, gboolean predicted)
{
    helper_run *h = ctx;
    sdfs *a = &h->a;
    if (a->cq_next < a->cq_bit->len)
        return g_array_index(a->cq_bit, gboolean, a->cq_next++);
    if (a->chooser->abandoned)
        return predicted; /* the teardown's, as sdfs_collapse */
    ahead_collapse c = {.pos = a->chooser->pos, .bit = predicted};
    g_array_append_val(h->job->collapses, c);
    a->cq_next++;
    return predicted;
}

/* The record's entry for key: the helper's own first, then the walk's. */
static gboolean helper_marks_find(helper_run *h, const sim_digest *key, sim_digest *seen)
{
    const sim_digest *mine = h->job->overlay ? g_hash_table_lookup(h->job->overlay, key) : NULL;
    if (mine) {
        *seen = *mine;
        return TRUE;
    }
    sim_ahead_lock_spin(&h->ah->lock);
    const sim_digest *theirs = g_hash_table_lookup(h->ah->marks_seen, key);
    if (theirs)
        *seen = *theirs;
    g_mutex_unlock(&h->ah->lock);
    return theirs != NULL;
}

static gboolean helper_marks_check(void *ctx, const sim_digest *key, const sim_digest *out)
{
    helper_run *h = ctx;
    ahead_mark m = {.kind = MK_CHECK, .key = *key, .out = *out};
    g_array_append_val(h->job->marks, m);
    sim_digest seen;
    if (helper_marks_find(h, key, &seen))
        return !sim_digest_equal(seen, *out);
    if (!h->job->overlay)
        h->job->overlay = sim_marks_seen_new();
    g_hash_table_insert(h->job->overlay, g_memdup2(key, sizeof *key), g_memdup2(out, sizeof *out));
    return FALSE;
}

static gboolean helper_marks_predicts(void *ctx, const sim_digest *key, const sim_digest *wait)
{
    helper_run *h = ctx;
    sim_digest seen;
    gboolean said = helper_marks_find(h, key, &seen) && sim_digest_equal(seen, *wait);
    ahead_mark m = {.kind = MK_PREDICT, .said = said, .key = *key, .out = *wait};
    g_array_append_val(h->job->marks, m);
    return said;
}

static const sim_marks_ops helper_marks = {.check = helper_marks_check, .predicts = helper_marks_predicts};

/* Makes job's run; FALSE when it was stopped (no record). */
static gboolean helper_make(sim_ahead *ah, ahead_job *job, sim_stack_pool *pool)
{
    helper_run h = {.ah = ah, .job = job};
    sdfs *a = &h.a;
    a->o = ah->o;
    a->n_tabs = ah->walk->n_tabs;
    a->sleep_sets = ah->walk->sleep_sets;
    a->nodes = path_read(job->path, a->n_tabs);
    a->cq_pos = array_copy(job->cq_pos, job->cq_pos->len, sizeof(size_t));
    a->cq_bit = array_copy(job->cq_bit, job->cq_bit->len, sizeof(gboolean));
    a->cur_sleep_acc = g_new0(sim_access, a->n_tabs);
    a->prefix_len = job->prefix->len;
    sim_run_spec spec = {.seed = 0, .tail = SIM_TAIL_ZERO, .record = TRUE, .untimed = TRUE, .discrete = TRUE,
                         .prefix = (const uint32_t *)job->prefix->data, .prefix_len = job->prefix->len,
                         .sched_pick = helper_pick, .step_done = helper_step_done, .hook_ctx = &h,
                         .access_unused = !a->sleep_sets, .stop = ah->o->stop, .digests = TRUE,
                         .marks_seen = ah->marks_seen, .marks_prefix_checked = TRUE,
                         .world_ready = helper_world_ready, .collapse_reads = TRUE,
                         .collapse_decide = helper_collapse, .marks_ops = &helper_marks, .marks_ctx = &h};
    sim_run run;
    a->chooser = &run.chooser;
    sim_run_exec(ah->s, pool, &spec, &run);
    /* A mark found incomplete: the walk's own run names it. */
    gboolean ok = !run.stopped && !run.chooser.prefix_overrun && !run.mark_conflict;
    g_array_append_vals(job->rec, run.chooser.record->data, run.chooser.record->len);
    g_array_append_vals(job->rec_n, run.chooser.record_n->data, run.chooser.record_n->len);
    g_array_append_vals(job->rec_kind, run.chooser.record_kind->data, run.chooser.record_kind->len);
    sim_run_clear(&run);
    a->ahead = NULL;
    sdfs_nodes_truncate(a, 0);
    g_array_free(a->nodes, TRUE);
    g_array_free(a->cq_pos, TRUE);
    g_array_free(a->cq_bit, TRUE);
    g_free(a->cur_sleep_acc);
    if (job->overlay) {
        g_hash_table_destroy(job->overlay);
        job->overlay = NULL;
    }
    return ok;
}

/* The queued job of the deepest node. */
static ahead_job *queue_take(sim_ahead *ah)
{
    GList *best = NULL;
    for (GList *l = ah->queue.head; l; l = l->next)
        if (!best || ((ahead_job *)l->data)->at > ((ahead_job *)best->data)->at)
            best = l;
    ahead_job *job = best->data;
    g_queue_delete_link(&ah->queue, best);
    g_atomic_int_set(&ah->queued, (gint)ah->queue.length);
    return job;
}

static gpointer helper_thread(gpointer data)
{
    sim_ahead *ah = data;
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_ahead_lock_spin(&ah->lock);
    for (;;) {
        if (!ah->quit && g_queue_is_empty(&ah->queue)) {
            /* The walk hands out work after each of its runs: a sleep
             * and a wake-up cost more than a run here, so spin a while. */
            g_mutex_unlock(&ah->lock);
            for (int spin = 0; spin < SPIN_MAX && !g_atomic_int_get(&ah->queued) && !g_atomic_int_get(&ah->quitting); spin++)
                spin_pause();
            sim_ahead_lock_spin(&ah->lock);
        }
        while (!ah->quit && g_queue_is_empty(&ah->queue)) {
            ah->idle++;
            g_cond_wait(&ah->cond, &ah->lock);
            ah->idle--;
        }
        if (ah->quit)
            break;
        ahead_job *job = queue_take(ah);
        g_atomic_int_set(&job->state, JOB_RUNNING);
        g_mutex_unlock(&ah->lock);
        gboolean ok = helper_make(ah, job, pool);
        sim_ahead_lock_spin(&ah->lock);
        ah->made++;
        ah->made_steps += (gint64)job->events->len;
        g_atomic_int_set(&job->state, ok ? JOB_DONE : JOB_FAILED);
        if (job->orphan)
            sim_ahead_job_recycle_locked(ah, job);
        if (ah->walk_waits) /* a signal is a system call: only when someone waits */
            g_cond_broadcast(&ah->cond);
    }
    struct timespec cpu;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    ah->helper_cpu_s += (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9;
    g_mutex_unlock(&ah->lock);
    sim_stack_pool_free(pool);
    return NULL;
}

/* ---- the walk's side ---- */

sim_ahead *sim_ahead_start(const sim_scenario *s, const sim_explore_options *o, sdfs *d, GHashTable *marks_seen,
                           int threads)
{
    sim_ahead *ah = g_new0(sim_ahead, 1);
    g_mutex_init(&ah->lock);
    g_cond_init(&ah->cond);
    g_queue_init(&ah->queue);
    ah->s = s;
    ah->o = o;
    ah->walk = d;
    ah->marks_seen = marks_seen;
    ah->scratch = g_byte_array_new();
    ah->spare = g_ptr_array_new_with_free_func(sim_ahead_job_destroy);
    ah->threads = g_new0(GThread *, threads);
    for (int i = 0; i < threads; i++) {
        GError *err = NULL;
        ah->threads[i] = g_thread_try_new("tabsim-ahead", helper_thread, ah, &err);
        if (!ah->threads[i]) { /* fewer helpers: the walk does the rest itself */
            g_clear_error(&err);
            break;
        }
        ah->n_threads++;
    }
    return ah;
}

void sim_ahead_stop(sim_ahead *ah)
{
    sim_ahead_lock_spin(&ah->lock);
    ah->quit = TRUE;
    g_atomic_int_set(&ah->quitting, 1);
    g_cond_broadcast(&ah->cond);
    g_mutex_unlock(&ah->lock);
    for (int i = 0; i < ah->n_threads; i++)
        g_thread_join(ah->threads[i]);
    sim_ahead_report(ah);
    /* The path was emptied first (sim_ahead_drop): what is queued is orphaned. */
    ahead_job *job;
    while ((job = g_queue_pop_head(&ah->queue)))
        sim_ahead_job_destroy(job);
    g_ptr_array_free(ah->spare, TRUE);
    g_free(ah->threads);
    g_byte_array_free(ah->scratch, TRUE);
    g_cond_clear(&ah->cond);
    g_mutex_clear(&ah->lock);
    g_free(ah);
}

void sim_ahead_lock(sim_ahead *ah)
{
    sim_ahead_lock_spin(&ah->lock);
}

void sim_ahead_unlock(sim_ahead *ah)
{
    g_mutex_unlock(&ah->lock);
}

static gboolean walk_marks_check(void *ctx, const sim_digest *key, const sim_digest *out)
{
    sim_ahead *ah = ctx;
    const sim_digest *seen = g_hash_table_lookup(ah->marks_seen, key);
    if (seen)
        return !sim_digest_equal(*seen, *out);
    sim_ahead_lock_spin(&ah->lock);
    sim_marks_check(ah->marks_seen, key, out);
    g_mutex_unlock(&ah->lock);
    return FALSE;
}

static gboolean walk_marks_predicts(void *ctx, const sim_digest *key, const sim_digest *wait)
{
    sim_ahead *ah = ctx;
    return sim_marks_predicts(ah->marks_seen, key, wait); /* the walk alone writes it: no lock to read */
}

const sim_marks_ops sim_ahead_walk_marks = {.check = walk_marks_check, .predicts = walk_marks_predicts};
