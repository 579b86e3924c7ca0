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
#include <time.h>
#include <string.h>

#include "sim/explore/explore_state.h"

#define AHEAD_QUEUED 4 /* jobs waiting, per helper */
#define SPARE_MAX 64   /* jobs kept for reuse */
#define SPIN_MAX 4096 /* spin_pause()s a thread spins before it sleeps (tens of microseconds) */

static inline void spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The lock is held for a lookup or an insert at a time: a thread that
 * finds it taken spins a little before it asks the kernel to wait (a
 * system call, slow here). */
static void ahead_lock(GMutex *lock)
{
    for (int i = 0; i < SPIN_MAX; i++) {
        if (g_mutex_trylock(lock))
            return;
        spin_pause();
    }
    g_mutex_lock(lock);
}

enum { EV_PICK, EV_STEP };

typedef struct ahead_event {
    guint8 kind;
    gboolean ok;            /* STEP: the sleep sets let it be (sdfs_sleep_after) */
    gboolean digested;      /* STEP: dg and steps are set */
    guint8 sleep;           /* STEP: the tabs asleep after it */
    uint32_t n, pick;       /* PICK: its answers and the one taken (n: every tab asleep) */
    guint cand_at;          /* PICK: its candidates, in job->cands */
    size_t pos;             /* PICK: the chooser's position at it; STEP: after it */
    sim_step_info info;     /* STEP */
    sim_digest dg;          /* STEP: the state it reached */
    uint64_t steps;
} ahead_event;

typedef struct ahead_collapse {
    size_t pos;
    gboolean bit;
} ahead_collapse;

enum { MK_CHECK, MK_PREDICT };

typedef struct ahead_mark {
    guint8 kind;
    gboolean said;          /* PREDICT: the answer */
    sim_digest key, out;    /* out: the output (CHECK) or the wait (PREDICT) */
} ahead_mark;

typedef enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED } job_state;

typedef struct ahead_job {
    gint state;             /* job_state; read without the lock by a spinning walk */
    gboolean orphan;        /* its node left the path while it ran: the helper frees it */
    guint at;               /* the node whose branch it runs */
    /* What the run depends on. */
    GArray *prefix;         /* uint32: the choices of nodes 0..at */
    GByteArray *path;       /* nodes 0..at, serialized (path_write) */
    GArray *cq_pos, *cq_bit;
    /* What it saw. */
    GArray *events, *cands, *collapses, *marks;
    GArray *rec, *rec_n, *rec_kind; /* the chooser's record */
    GHashTable *overlay;    /* while it runs: outputs it recorded, not yet in the walk's record */
} ahead_job;

struct sim_ahead {
    GMutex lock;
    GCond cond;
    GQueue queue;           /* JOB_QUEUED */
    GThread **threads;
    int n_threads;
    gboolean quit;
    gint quitting;          /* quit, for spinners */
    gint queued;            /* the queue's length, for spinners */
    int idle;               /* helpers waiting for a job */
    gboolean walk_waits;    /* the walk waits for a job a helper runs */
    const sim_scenario *s;
    const sim_explore_options *o;
    sdfs *walk;
    GHashTable *marks_seen;
    GByteArray *scratch;    /* the walk's: its path, serialized, to compare */
    GPtrArray *spare;       /* ahead_job: emptied, for reuse */
    gint64 posted, used, made_again, taken_back, waited, mismatched, dropped;
    gint64 made, made_steps;   /* by the helpers */
    gint64 throttled;          /* hand-outs held back (sim_ahead_post) */
    gint64 used_events;        /* of the records taken */
    double helper_cpu_s;       /* the helpers' CPU time */
};

/* ---- the path, serialized ---- */

static void put(GByteArray *b, const void *p, size_t len)
{
    g_byte_array_append(b, p, (guint)len);
}

/* Nodes 0..at of d's path, node at taking branch alt. */
static void path_write(GByteArray *b, const sdfs *d, guint at, int alt)
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

static void job_destroy(gpointer p)
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
static void job_recycle_locked(sim_ahead *ah, ahead_job *job)
{
    if (ah->spare->len >= SPARE_MAX) {
        job_destroy(job);
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

static void job_recycle(sim_ahead *ah, ahead_job *job)
{
    ahead_lock(&ah->lock);
    job_recycle_locked(ah, job);
    g_mutex_unlock(&ah->lock);
}

static ahead_job *job_take(sim_ahead *ah)
{
    ahead_lock(&ah->lock);
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

static ahead_job *job_new(sim_ahead *ah, const sdfs *d, guint at, int alt)
{
    ahead_job *job = job_take(ah);
    job->at = at;
    for (guint i = 0; i <= at; i++) {
        uint32_t c = i == at ? (uint32_t)alt : g_array_index(d->nodes, snode, i).chosen;
        g_array_append_val(job->prefix, c);
    }
    path_write(job->path, d, at, alt);
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
    ahead_lock(&h->ah->lock);
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
    ahead_lock(&ah->lock);
    for (;;) {
        if (!ah->quit && g_queue_is_empty(&ah->queue)) {
            /* The walk hands out work after each of its runs: a sleep
             * and a wake-up cost more than a run here, so spin a while. */
            g_mutex_unlock(&ah->lock);
            for (int spin = 0; spin < SPIN_MAX && !g_atomic_int_get(&ah->queued) && !g_atomic_int_get(&ah->quitting); spin++)
                spin_pause();
            ahead_lock(&ah->lock);
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
        ahead_lock(&ah->lock);
        ah->made++;
        ah->made_steps += (gint64)job->events->len;
        g_atomic_int_set(&job->state, ok ? JOB_DONE : JOB_FAILED);
        if (job->orphan)
            job_recycle_locked(ah, job);
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
    ah->spare = g_ptr_array_new_with_free_func(job_destroy);
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
    ahead_lock(&ah->lock);
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
        job_destroy(job);
    g_ptr_array_free(ah->spare, TRUE);
    g_free(ah->threads);
    g_byte_array_free(ah->scratch, TRUE);
    g_cond_clear(&ah->cond);
    g_mutex_clear(&ah->lock);
    g_free(ah);
}

void sim_ahead_lock(sim_ahead *ah)
{
    ahead_lock(&ah->lock);
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
    ahead_lock(&ah->lock);
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

void sim_ahead_post(sim_ahead *ah, sdfs *d, guint at)
{
    if (ah->n_threads == 0)
        return;
    /* Runs a helper makes that the walk cannot take (ones that end
     * otherwise than abandoned, or on a path since left) are waste: while
     * they outnumber twice the runs taken, hand out one run in 64, to see
     * whether the search has come to parts where they pay. */
    guint room = (guint)(AHEAD_QUEUED * ah->n_threads);
    ahead_lock(&ah->lock);
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
        ahead_job *job = job_new(ah, d, j, alt);
        n->ahead = job;
        ahead_lock(&ah->lock);
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
    ahead_lock(&ah->lock);
    if (job->state == JOB_QUEUED) {
        g_queue_remove(&ah->queue, job);
        g_atomic_int_set(&ah->queued, (gint)ah->queue.length);
    }
    if (job->state == JOB_RUNNING)
        job->orphan = TRUE;
    else
        job_recycle_locked(ah, job);
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
        ahead_lock(&ah->lock);
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
        ahead_lock(&ah->lock);
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
    ahead_lock(&ah->lock);
    if (job->state == JOB_QUEUED) { /* not begun: the walk makes it now */
        g_queue_remove(&ah->queue, job);
        g_atomic_int_set(&ah->queued, (gint)ah->queue.length);
        g_mutex_unlock(&ah->lock);
        ah->taken_back++;
        job_recycle(ah, job);
        return FALSE;
    }
    if (job->state == JOB_RUNNING) {
        ah->waited++;
        g_mutex_unlock(&ah->lock);
        for (int spin = 0; spin < SPIN_MAX && g_atomic_int_get(&job->state) == JOB_RUNNING; spin++)
            spin_pause();
        ahead_lock(&ah->lock);
    }
    while (job->state == JOB_RUNNING) {
        ah->walk_waits = TRUE;
        g_cond_wait(&ah->cond, &ah->lock);
        ah->walk_waits = FALSE;
    }
    g_mutex_unlock(&ah->lock);
    gboolean used = FALSE;
    if (job->state == JOB_DONE) {
        path_write(ah->scratch, d, at, (int)n->chosen);
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
    job_recycle(ah, job);
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
