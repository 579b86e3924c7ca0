/*
 * env_eager.c - a woken task runs its quiet prefix at once: the second
 * half of the rule of quiet steps (world.h sim_world_step_quiet).
 *
 * Untimed, with quiet steps on, when a step ends a wait that only a
 * change or a notify could end (no deadline), the woken task does not
 * stay "woken" until the scheduler picks it: at the end of that step,
 * before the step's hook looks at the state (world.c world_step), the
 * world resumes it (sim_world_run_woken) and it runs its own code (the
 * wait's return, its loop, a state mark) up to its next visible action,
 * which it does not perform.  It stops there, keeping its tab, exactly as
 * a task stopped before a storage call does, and that action is its next
 * step, when the scheduler picks it.
 *
 * Visible is everything but a state mark, a log line and a step label:
 * every other env method (storage, clock, random, sleep, send, spawn, Web
 * Locks, waits, notifies, the tab's own waits) and every other
 * observation (critical sections, lock outcomes, adds), and the task's
 * end.  While the prefix runs, its tab's env table is a copy of the real
 * one whose visible methods first stop the task (eager_stop): the copy
 * keeps the real one's absent methods absent (xt_env_has_web_locks,
 * xt_env_has_mark).
 *
 * Sound for the reason quiet steps are: the prefix touches nothing any
 * other step reads or writes and tells the checks nothing, so it commutes
 * with every step; running it right after the waking step, which is one
 * order the scheduler could have picked, stands for all of them.  What it
 * buys: a task woken and a task arriving at the same read are then one
 * state (an await was three states: before its read, waiting, woken), and
 * a stateful search stores fewer (docs/model-checking.md, "Quiet steps").
 *
 * Limits, each keeping the argument above true:
 *  - only a task that is its tab's only live task: a prefix takes the tab,
 *    and a tab-mate that could have taken it first would lose that order;
 *  - not a wait with a deadline, nor one that a change made while it ran
 *    or writes on their way ended: ending those reads its keys (env_wait.c);
 *  - not JavaScript tabs, whose tasks resume through their own event loop;
 *  - the storage model's view is left alone: a model that delivers at a
 *    task's first call (call_begin) gets that call when the task resumes;
 *    without one, the prefix's first call notes the wait's marks at once
 *    (sim_env_wait_mark), as arriving there by a step would have.
 *
 * Woken after a sleep of 0 ms (where more steps are quiet: sim_world.
 * quiet_more, env_sim.c).  A sleep of 0 ms from now in a step that is not
 * quiet (a lock workload's interval after an exit) is an await whose
 * wake-up is due at once: it runs its quiet prefix at the end of the step
 * as a woken waiter's does (sim_task.sleep_eager), for a task alone in its
 * tab.  A lock request is not visible there, nor in a waiter's prefix,
 * while the clock is unread (SIM_DIGEST_CLOCK_UNREAD): the checks read a
 * request only as the start of a wait for the lock, judged at a run's end
 * (a task stopped in its prefix is queued, so the run has not ended, and
 * no step bound, time limit or drain cuts a wake-up due now), and how
 * long it waited is no state while the clock is unread.  So a tab
 * back at its loop head stops before its first write with its request
 * made, the state of a tab that restarted inside lock() (Lamport 4 x 2:
 * 3,976,225 states where 4,398,737; the Promela model's loop has no such
 * position).  No step is split: the prefix was the woken task's next
 * step's beginning, as for a waiter.
 */
/*
 * Reads that lead back to a wait (the stateful safety search only,
 * sim_run_spec.collapse_reads).  A task stopped before a get of key k (by
 * its storage call's turn, or by its woken prefix: a waiter woken by a
 * change of k to another value that still fails), whose state mark is in
 * force, and whose marks' record (marks_seen, env_mark_check.c
 * sim_env_read_leads_to_wait) says that the value k holds now leads it
 * straight to a wait for k alone with no deadline, does that get and
 * begins that wait at once, inside the step that brought it there.  The
 * state "before a read that fails" and the state "waiting" are then one:
 * from either, the task does nothing until k changes, and then reads the
 * new value (a change wakes the waiter, whose prefix stops before the same
 * read), if the wait left it as it was: the marks' record must also say
 * that such a wait, once k changed, brought the task back to the same get
 * under the same hash (env_mark_check.c, "Waits that return").  A wait that
 * counts against a bound (Lamport's retries_max) does not: there "about
 * to read" has one wait more left than "waiting", and the read stays a
 * step of its own.  What it assumes is what marks assume (one hash, one
 * future), and it is checked: the task must then be waiting for k, or the
 * mark is named incomplete.  Only where a get returns the browser's map as
 * it is (the linearizable model, storage available, no tab faults), for a
 * tab's only task, and not for the starvation search, whose fairness
 * counts a task enabled before such a read.  The marks' record grows
 * during a search, so a path replayed later could be decided otherwise:
 * the search answers each such question along a replayed prefix as it did
 * when the path was first run (sim_run_spec.collapse_decide,
 * explore_state.c sdfs_collapse).
 */
#include <string.h>

#include "sim/world/arena.h"
#include "sim/world/env_parts.h"
#include "sim/world/env_wait.h"

/* The running eager task stops: its tab gets its real table back, and it
 * waits, holding its tab, for the scheduler to pick its next step. */
static void eager_stop(sim_tab *tab, gboolean storage)
{
    sim_world *w = tab->world;
    sim_task *t = w->current;
    g_assert(w->eager == t && t->tab == tab);
    tab->env.m = tab->eager_real;
    tab->eager_real = NULL;
    w->eager = NULL;
    if (storage && !w->model->call_begin && t->view.fresh) {
        sim_env_wait_mark(w, t); /* what storage_turn does at a first call */
        t->view.fresh = FALSE;
    }
    sim_world_post(w, t, 0, FALSE);
    sim_task_yield(t, SIM_YIELD_STORAGE);
}

void sim_env_eager_end(sim_task *t)
{
    if (t->tab->world->eager == t)
        eager_stop(t->tab, FALSE);
}

#define REAL(tab) ((tab)->env.m)

static int e_get(void *ctx, const char *key, GString *out)
{
    sim_task *t = ((sim_tab *)ctx)->world->eager;
    t->pending_read = key; /* a read that may lead back to a wait (below) */
    t->pending_eager = TRUE;
    eager_stop(ctx, TRUE);
    t->pending_read = NULL;
    t->pending_eager = FALSE;
    return REAL((sim_tab *)ctx)->storage_get(ctx, key, out);
}

static int e_set(void *ctx, const char *key, const char *value)
{
    eager_stop(ctx, TRUE);
    return REAL((sim_tab *)ctx)->storage_set(ctx, key, value);
}

static int e_remove(void *ctx, const char *key)
{
    eager_stop(ctx, TRUE);
    return REAL((sim_tab *)ctx)->storage_remove(ctx, key);
}

static int e_length(void *ctx, size_t *length_out)
{
    eager_stop(ctx, TRUE);
    return REAL((sim_tab *)ctx)->storage_length(ctx, length_out);
}

static int e_key(void *ctx, size_t index, GString *key_out)
{
    eager_stop(ctx, TRUE);
    return REAL((sim_tab *)ctx)->storage_key(ctx, index, key_out);
}

static int64_t e_now(void *ctx)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->clock_now_ms(ctx);
}

static int e_sleep(void *ctx, int64_t ms)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->sleep_ms(ctx, ms);
}

static int64_t e_wait_ended(void *ctx)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->wait_ended_ms(ctx);
}

static int e_sleep_after_wait(void *ctx, int64_t ms)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->sleep_after_wait_ms(ctx, ms);
}

static uint64_t e_random(void *ctx)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->random_u64(ctx);
}

static int e_send(void *ctx, const char *body)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->transport_send(ctx, body);
}

static int e_spawn(void *ctx, xt_task_fn fn, void *arg)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->task_spawn(ctx, fn, arg);
}

/* Is a lock request not visible in a prefix ("Woken after a sleep of 0
 * ms" above)?  Where more steps are quiet and no run is cut by the clock
 * or judged by it (SIM_DIGEST_CLOCK_UNREAD: when that breaks, the search
 * starts over, and requests are visible again). */
static gboolean request_quiet(const sim_world *w)
{
    return w->quiet_more && (w->digest_assume & SIM_DIGEST_CLOCK_UNREAD);
}

/* A step label only names the storage call that follows: not visible;
 * nor a lock request where request_quiet says so. */
static void e_observe(void *ctx, const xt_obs *o)
{
    sim_tab *tab = ctx;
    if (o->kind != XT_OBS_STEP && !(o->kind == XT_OBS_LOCK_REQUEST && request_quiet(tab->world)))
        eager_stop(tab, FALSE);
    tab->eager_real ? tab->eager_real->observe(ctx, o) : REAL(tab)->observe(ctx, o);
}

static int e_lock_request(void *ctx, const char *name, int flags, uint64_t *handle_out)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->lock_request(ctx, name, flags, handle_out);
}

static int e_lock_release(void *ctx, uint64_t handle)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->lock_release(ctx, handle);
}

static int e_wait(void *ctx, const char *const *keys, size_t n_keys, int64_t timeout_ms)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->wait(ctx, keys, n_keys, timeout_ms);
}

static void e_notify(void *ctx)
{
    eager_stop(ctx, FALSE);
    REAL((sim_tab *)ctx)->storage_notify(ctx);
}

static int e_tab_wait(void *ctx)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->tab_wait(ctx);
}

static void e_tab_wake(void *ctx)
{
    eager_stop(ctx, FALSE);
    REAL((sim_tab *)ctx)->tab_wake(ctx);
}

static gboolean e_passed(void *ctx, int64_t at_ms)
{
    eager_stop(ctx, FALSE);
    return REAL((sim_tab *)ctx)->clock_passed(ctx, at_ms);
}

/* The copy of real whose visible methods stop first (absent stay absent;
 * mark and log pass through). */
static void eager_table(xt_env_methods *m, const xt_env_methods *real)
{
    *m = *real;
#define GUARD(field, fn)                                                                                         \
    if (real->field)                                                                                             \
    m->field = fn
    GUARD(storage_get, e_get);
    GUARD(storage_set, e_set);
    GUARD(storage_remove, e_remove);
    GUARD(storage_length, e_length);
    GUARD(storage_key, e_key);
    GUARD(clock_now_ms, e_now);
    GUARD(sleep_ms, e_sleep);
    GUARD(random_u64, e_random);
    GUARD(transport_send, e_send);
    GUARD(task_spawn, e_spawn);
    GUARD(observe, e_observe);
    GUARD(lock_request, e_lock_request);
    GUARD(lock_release, e_lock_release);
    GUARD(wait, e_wait);
    GUARD(storage_notify, e_notify);
    GUARD(tab_wait, e_tab_wait);
    GUARD(tab_wake, e_tab_wake);
    GUARD(clock_passed, e_passed);
    GUARD(wait_ended_ms, e_wait_ended);
    GUARD(sleep_after_wait_ms, e_sleep_after_wait);
#undef GUARD
}

/* Is t its tab's only live task, free to run now? */
gboolean sim_env_task_alone(const sim_world *w, const sim_task *t)
{
    const sim_tab *tab = t->tab;
    if (sim_tab_gone(tab) || tab->frozen_until_us > w->now_us || (tab->owner && tab->owner != t))
        return FALSE;
    for (const GList *l = w->live.head; l; l = l->next) {
        const sim_task *u = l->data;
        if (u != t && u->tab == tab)
            return FALSE;
    }
    return TRUE;
}

/* Is the queued task of e woken from a wait the rule applies to? */
static gboolean eager_candidate(const sim_world *w, const sim_queue_entry *e)
{
    const sim_task *t = e->item;
    if (t->reason != SIM_YIELD_AWAIT || t->wait.waiting || t->wait.deadline_us >= 0 || e->time_us != w->now_us)
        return FALSE;
    if (t->wait.woken_by <= 0 && t->wait.woken_by != SIM_WOKEN_NOTIFY && !t->sleep_eager)
        return FALSE;
    return sim_env_task_alone(w, t);
}

/* What the marks' record says of t's get (arg: the task): a digest and a
 * lookup, made only when a search does not replay its earlier answer. */
static gboolean collapse_predict(void *arg)
{
    sim_task *t = arg;
    return sim_env_read_leads_to_wait(t->tab, t);
}

/* Is the queued task of e stopped before a get that leads straight back
 * to a wait for its key ("Reads that lead back to a wait" above)? */
static gboolean collapse_candidate(sim_world *w, const sim_queue_entry *e)
{
    sim_task *t = e->item;
    if (!w->collapse_reads || t->reason != SIM_YIELD_STORAGE || !t->pending_read || e->time_us != w->now_us)
        return FALSE;
    if (!sim_env_task_alone(w, t))
        return FALSE;
    if (!w->collapse_decide)
        return collapse_predict(t);
    sim_arena *in = sim_arena_leave(); /* the explorer's memory outlives the run's */
    gboolean collapse = w->collapse_decide(w->hook_ctx, collapse_predict, t, t->tab->index);
    sim_arena_enter(in);
    return collapse;
}

/* Do the get at once; it must end in the wait the marks foretold, or the
 * marks were wrong and the search is not complete. */
static void collapse_read(sim_world *w, sim_task *t)
{
    const char *key = t->pending_read;
    const char *mark = t->mark;
    /* A task its woken prefix stopped makes its get now, as in a step of
     * its own that has touched nothing yet; what the get touches joins
     * this step's footprint. */
    gboolean touched = w->step_touched, entered = w->step_entered, flag_read = w->step_flag_read;
    sim_access acc = w->acc;
    w->step_touched = w->step_entered = w->step_flag_read = FALSE;
    w->acc.r = w->acc.w = 0;
    sim_world_dispatch(w, t);
    w->step_touched |= touched;
    w->step_entered |= entered;
    w->step_flag_read = flag_read && !w->step_touched;
    w->acc.r |= acc.r;
    w->acc.w |= acc.w;
    gboolean waits = t->wait.waiting && t->wait.n_keys == 1 && t->wait.deadline_us < 0 &&
                     strcmp(t->wait.keys[0], key) == 0;
    if (!waits && !w->mark_conflict)
        w->mark_conflict = mark;
}

/* Runs t's quiet prefix: t, taken off the queue, resumes with its tab's
 * env table guarded and stops before its next visible action. */
static void eager_run(sim_world *w, sim_task *t)
{
    sim_tab *tab = t->tab;
    eager_table(&tab->eager_m, tab->env.m);
    tab->eager_real = tab->env.m;
    tab->env.m = &tab->eager_m;
    w->eager = t;
    sim_world_dispatch(w, t);
    g_assert(w->eager == NULL && tab->eager_real == NULL);
}

void sim_world_run_woken(sim_world *w)
{
    for (size_t i = 0; i < w->queue.len; i++) {
        if (collapse_candidate(w, &w->queue.heap[i])) {
            sim_queue_entry e = sim_queue_remove_at(&w->queue, i);
            collapse_read(w, e.item);
            i = (size_t)-1;
            continue;
        }
        if (!eager_candidate(w, &w->queue.heap[i]))
            continue;
        sim_queue_entry e = sim_queue_remove_at(&w->queue, i);
        eager_run(w, e.item);
        i = (size_t)-1; /* the queue changed: look again from the start */
    }
}
