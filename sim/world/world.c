/*
 * world.c - scheduling of tabs and tasks in virtual time; see sim/world/world.h.
 *
 * Invariants:
 *  - at most one task runs (world->current), and it is its tab's owner;
 *  - a task is in at most one of: the queue, its tab's ready FIFO, running,
 *    waiting as a sync parent;
 *  - virtual time never goes back: every post is at now or later;
 *  - every decision that is not forced goes through the chooser: ties of
 *    the queue here, latencies in env_sim.c.
 */
#include "sim/world/world.h"
#include "sim/world/arena.h"
#include "sim/world/faults.h"

#include <assert.h>
#include <string.h>

#include "xt/event_store.h"

#define QUEUE_TIES_MAX 64 /* entries gathered at one instant */

static void task_entry(void *arg)
{
    sim_task *task = arg;
    task->fn(task->arg);
    sim_env_eager_end(task); /* its end is visible (env_eager.c) */
    if (task->tab->world->digesting)
        sim_env_digest_task_end(task); /* its end is an output (env_digest.c) */
}

sim_task *sim_world_spawn(sim_world *w, sim_tab *tab, xt_task_fn fn, void *arg, gboolean counted)
{
    sim_task *t = sim_world_task_alloc(w);
    t->tab = tab;
    t->id = ++w->next_task_id;
    t->fn = fn;
    t->arg = arg;
    t->record.lock_since_us = -1;
    t->wait.deadline_us = -1; /* in no wait */
    t->wait.ended_us = -1;
    t->view.fresh = TRUE;
    t->link.data = t;
    t->ord = ++tab->tasks_made;
    /* Its own hash (env_digest.c, "Shared objects"): its spawner's, whose
     * frames made its argument, or its place in the tab. */
    sim_task *by = w->current;
    if (by && by->tab == tab)
        t->own = by->own;
    else
        sim_digest_init(&t->own, sim_tab_digest_seed(tab) << 32);
    sim_digest_u64(&t->own, (uint64_t)t->ord);
    void *stack = w->arena ? sim_arena_stack_take(w->arena) : sim_stack_pool_take(w->pool);
    sim_coro_init(&t->coro, stack, sim_stack_pool_stack_size(w->pool), task_entry, t);
    g_queue_push_tail_link(&w->live, &t->link);
    if (counted)
        w->spawned_live++;
    t->counted = counted;
    return t;
}

void sim_world_post(sim_world *w, sim_task *t, int64_t delay_us, gboolean needs_tab)
{
    assert(delay_us >= 0);
    /* A closed tab's tasks are only unwound (tab_close), never woken: code
     * that unwinds may still start a task (sdk_start posts the flush). */
    if (t->tab->closed)
        return;
    t->needs_tab = needs_tab;
    sim_queue_push(&w->queue, w->now_us + delay_us, t);
}

/* See world.h. */
void sim_world_handoff(sim_world *w, sim_task *t)
{
    assert(t->tab->owner != t && !sim_tab_gone(t->tab));
    (void)w;
    g_queue_push_tail(&t->tab->handoff, t);
}

/* The Web Locks manager granted a queued request: its task wakes now, as
 * the request's callback is queued as a task. */
void sim_world_weblock_granted(void *ctx, void *waiter, uint64_t handle)
{
    sim_world *w = ctx;
    sim_task *t = waiter;
    (void)handle;
    assert(t->weblock.queued);
    t->weblock.queued = FALSE;
    if (!w->cancelling)
        sim_world_post(w, t, 0, TRUE);
}

void sim_task_yield(sim_task *t, sim_yield reason)
{
    t->reason = reason;
    sim_coro_yield(&t->coro);
}

static void task_finish(sim_world *w, sim_task *t)
{
    g_queue_unlink(&w->live, &t->link);
    if (t->counted)
        w->spawned_live--;
    if (t->fn == w->tab_main)
        w->mains_live--;
    if (w->arena)
        sim_arena_stack_give(w->arena, t->coro.stack);
    else
        sim_stack_pool_give(w->pool, t->coro.stack);
    sim_world_task_release(w, t);
}

/* The tab is free: its next ready task, if any, is posted to run now (a new
 * macrotask, so other tabs may step in between). */
static sim_task *tab_release(sim_world *w, sim_tab *tab, sim_task *t)
{
    if (t->sync_parent) {
        sim_task *parent = t->sync_parent;
        t->sync_parent = NULL;
        parent->sync_child = NULL;
        tab->owner = parent;
        return parent;
    }
    if (tab->handoff.length > 0 && !sim_tab_gone(tab)) {
        /* The code a settlement of this task resumed: a microtask of the
         * same JavaScript task, so it goes on in this step, before any
         * other task of the tab (sim_world_handoff). */
        sim_task *next = g_queue_pop_head(&tab->handoff);
        next->needs_tab = FALSE;
        tab->owner = next;
        return next;
    }
    tab->owner = NULL;
    /* The tab's JavaScript task is over: a snapshot's writes leave now. */
    if (w->model->task_end)
        w->model->task_end(w, tab, t->id);
    if (!sim_tab_gone(tab) && tab->ready.length > 0) {
        sim_task *next = g_queue_pop_head(&tab->ready);
        tab->owner = next;
        sim_world_post(w, next, 0, TRUE);
    }
    return NULL;
}

static gboolean world_workload_over(const sim_world *w)
{
    return w->spawned_live == 0 && w->mains_live == 0;
}

/* See world.h. */
void sim_world_task_run(sim_world *w, sim_task *t)
{
    while (t) {
        sim_tab *tab = t->tab;
        assert(tab->owner == t);
        w->current = t;
        sim_coro_resume(&t->coro);
        w->current = NULL;
        if (t->coro.done) {
            t->done = TRUE;
            sim_task *next = tab_release(w, tab, t);
            task_finish(w, t);
            t = next;
        } else if (t->reason == SIM_YIELD_SPAWN) {
            sim_task *child = t->sync_child;
            tab->owner = child;
            t = child;
        } else if (t->reason == SIM_YIELD_AWAIT) {
            t = tab_release(w, tab, t);
        } else {
            t = NULL; /* storage call: keeps the tab, wake-up posted */
        }
    }
    if (w->drain_end_us < 0 && world_workload_over(w))
        w->drain_end_us = w->now_us + w->scenario->drain_ms * 1000;
}

/* Pop the next wake-up; simultaneous ones are a choice. */
static sim_queue_entry queue_next(sim_world *w)
{
    sim_queue_entry first = sim_queue_pop(&w->queue);
    const sim_queue_entry *peek = sim_queue_peek(&w->queue);
    if (!peek || peek->time_us != first.time_us)
        return first;
    sim_queue_entry ties[QUEUE_TIES_MAX];
    size_t n = 0;
    ties[n++] = first;
    while (n < QUEUE_TIES_MAX && (peek = sim_queue_peek(&w->queue)) && peek->time_us == first.time_us)
        ties[n++] = sim_queue_pop(&w->queue);
    uint32_t pick = sim_choose(w->chooser, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        if (i != pick)
            sim_queue_push_entry(&w->queue, ties[i]);
    return ties[pick];
}

void sim_world_dispatch(sim_world *w, sim_task *t)
{
    sim_tab *tab = t->tab;
    if (tab->frozen_until_us > w->now_us) {
        /* Frozen: the wake-up waits for the end of the freeze. */
        sim_world_post(w, t, tab->frozen_until_us - w->now_us, t->needs_tab);
        return;
    }
    if (!t->needs_tab) {
        sim_world_task_run(w, t); /* its storage call completes */
        return;
    }
    t->needs_tab = FALSE;
    if (tab->owner == NULL)
        tab->owner = t;
    if (tab->owner == t)
        sim_world_task_run(w, t);
    else
        g_queue_push_tail(&tab->ready, t);
}

static gboolean world_should_stop(sim_world *w, int64_t next_us)
{
    const sim_scenario *s = w->scenario;
    if (w->drain_end_us >= 0 && next_us > w->drain_end_us)
        return TRUE;
    if (next_us > s->time_limit_ms * 1000) {
        w->monitor->c.truncated = TRUE;
        w->monitor->c.cut |= SIM_CUT_TIME;
        return TRUE;
    }
    return FALSE;
}

/* Cancel: every remaining task runs to completion with every env call
 * failing at once.  A spawner waits for its child, so children go first. */
static void world_cancel(sim_world *w)
{
    w->cancelling = TRUE;
    w->chooser->closed = TRUE;
    sim_queue_clear(&w->queue);
    for (int i = 0; i < w->n_tabs; i++) {
        g_queue_clear(&w->tabs[i].ready);
        g_queue_clear(&w->tabs[i].handoff);
    }
    while (w->live.length > 0) {
        sim_task *t = g_queue_peek_head(&w->live);
        while (t->sync_child)
            t = t->sync_child;
        t->tab->owner = t;
        sim_world_task_run(w, t);
    }
}

static void world_finish(sim_world *w)
{
    int pending_tab = 0;
    int64_t pending_wait = 0;
    for (GList *l = w->live.head; l; l = l->next) {
        sim_task *t = l->data;
        if (t->record.lock_since_us >= 0 && w->now_us - t->record.lock_since_us > pending_wait) {
            pending_wait = w->now_us - t->record.lock_since_us;
            pending_tab = t->tab->index;
        }
    }
    if (w->arena && w->chooser->abandoned)
        return; /* the arena is restored: nothing to unwind */
    if (!w->stopped && w->input_broken) { /* the tabs' code broke, or was stopped, after their last step */
        sim_stop outside = sim_stop_read(w->stop);
        w->stopped = outside != SIM_STOP_NONE ? outside : SIM_STOP_BAD_INPUT;
    }
    world_cancel(w);
    if (w->chooser->abandoned || w->stopped)
        return; /* a redundant run, or one stopped early: not judged */
    /* A used-up fault budget: runs with more faults were not made. */
    const sim_scenario *s = w->scenario;
    if ((s->tab_close_max > 0 && w->tab_closes >= s->tab_close_max) ||
        (s->tab_freeze_max > 0 && w->tab_freezes >= s->tab_freeze_max) ||
        (s->tab_reload_max > 0 && w->tab_reloads >= s->tab_reload_max) ||
        (s->tab_stall_max > 0 && w->tab_stalls >= s->tab_stall_max) ||
        (s->server_fault_max > 0 && w->server_faults >= s->server_fault_max))
        w->monitor->c.cut |= SIM_CUT_FAULTS;
    if (w->model->settle)
        w->model->settle(w); /* the checks read the map */
    /* The program's events in storage at the end (NULL: it keeps none). */
    const char *stored = w->events_key ? sim_storage_peek(w->storage, w->events_key) : NULL;
    GPtrArray *ids = stored ? w->program->stored_ids(stored) : NULL;
    sim_monitor_finish(w->monitor, w->now_us, ids, pending_tab, pending_wait);
    if (ids)
        g_ptr_array_free(ids, TRUE);
}

/* Untimed: whether the drain keeps this wake-up from firing.  The drain
 * ends new work, never work under way: after its end a wake-up does not
 * fire when it is due after the end and its task neither waits for a lock,
 * nor holds one, nor awaits the answer to a send.  So what it stops is the
 * periodic flush's next round or a background timer; a holder's server
 * reply, a release, a lock wait always go on, and a run can end with
 * "every tab is blocked" only when that is so without the drain.  (With
 * [flush] count the flushes are part of the workload, so the drain starts
 * when every add and flush has finished and has nothing left to stop.) */
static gboolean drain_cuts(const sim_world *w, const sim_task *t, int64_t time_us)
{
    return w->drain_end_us >= 0 && time_us > w->drain_end_us && !t->reply_due && t->record.lock_since_us < 0 &&
           !t->record.lock_held;
}

/* Untimed: the candidate of each tab, at most one.  A tab's running task
 * (in a storage call, or handed the tab) is its only candidate; an idle
 * tab's candidate is its earliest wake-up (one tab's timers fire in
 * deadline order, as on one event loop; a wait's deadline is one).
 * Disabled: wake-ups the drain cuts (drain_cuts); a task waiting for keys with
 * no deadline has no wake-up until a change posts it (env_wait.c).
 * Candidates are listed with the previous step's tab first (answer 0 = no
 * preemption), then by tab index. */
static size_t untimed_candidates(sim_world *w, size_t *heap_idx, int *tabs, gboolean *last_enabled)
{
    int best[SIM_TABS_MAX];
    g_assert(w->n_tabs <= SIM_TABS_MAX);
    memset(best, 0xff, (size_t)w->n_tabs * sizeof best[0]); /* -1: no candidate */
    for (size_t i = 0; i < w->queue.len; i++) {
        const sim_queue_entry *e = &w->queue.heap[i];
        sim_task *t = e->item;
        int ti = t->tab->index - 1;
        if (t->tab->owner == t) {
            best[ti] = (int)i;
            continue;
        }
        if (t->tab->owner != NULL || drain_cuts(w, t, e->time_us))
            continue;
        if (best[ti] >= 0) {
            const sim_queue_entry *b = &w->queue.heap[best[ti]];
            if (((sim_task *)b->item)->tab->owner == b->item || b->time_us < e->time_us
                || (b->time_us == e->time_us && b->seq < e->seq))
                continue;
        }
        best[ti] = (int)i;
    }
    size_t n = 0;
    *last_enabled = FALSE;
    if (w->last_tab && best[w->last_tab->index - 1] >= 0) {
        *last_enabled = TRUE;
        heap_idx[n] = (size_t)best[w->last_tab->index - 1];
        tabs[n++] = w->last_tab->index;
    }
    for (int i = 0; i < w->n_tabs; i++)
        if (best[i] >= 0 && !(w->last_tab && w->last_tab->index == i + 1)) {
            heap_idx[n] = (size_t)best[i];
            tabs[n++] = i + 1;
        }
    return n;
}

static gboolean untimed_next(sim_world *w, sim_queue_entry *out, sim_step_info *info)
{
    if (w->chooser->abandoned)
        return FALSE; /* an explorer gave up on this run after its last step */
    size_t heap_idx[SIM_TABS_MAX];
    int tabs[SIM_TABS_MAX];
    gboolean last_enabled;
    size_t n = untimed_candidates(w, heap_idx, tabs, &last_enabled);
    if (n == 0)
        return FALSE;
    info->enabled = 0;
    for (size_t i = 0; i < n; i++)
        info->enabled |= UINT64_C(1) << (tabs[i] - 1);
    info->choice_pos = n > 1 ? (int64_t)w->chooser->pos : -1;
    uint32_t pick = sim_choose_sched(w->chooser, (uint32_t)n, tabs);
    if (w->chooser->abandoned)
        return FALSE;
    info->tab = tabs[pick];
    info->last_enabled = last_enabled;
    info->preemption = last_enabled && pick != 0;
    *out = sim_queue_remove_at(&w->queue, heap_idx[pick]);
    return TRUE;
}

/* The run ended with nothing enabled (untimed) or nothing left to run: a
 * deadlock if a lock request waits. */
static void world_check_deadlock(sim_world *w)
{
    for (GList *l = w->live.head; l; l = l->next) {
        sim_task *t = l->data;
        if (t->record.lock_since_us >= 0) {
            w->deadlock = TRUE;
            sim_monitor_violation(w->monitor, SIM_INV_PROGRESS, w->now_us, t->tab->index, 0,
                                  "every tab is blocked: tab%d (task #%d) waits for the lock and no step "
                                  "can change what it waits on",
                                  t->tab->index, t->id);
            return;
        }
    }
}

/* Does the scenario strike tabs (close, freeze, reload, stall)? */
static gboolean tab_faults_on(const sim_scenario *s)
{
    return s->tab_close_max > 0 || s->tab_freeze_max > 0 || s->tab_reload_max > 0 || s->tab_stall_max > 0;
}

static void world_step(sim_world *w, sim_queue_entry e, sim_step_info *info)
{
    w->acc.r = w->acc.w = 0;
    w->step_entered = FALSE;
    w->step_touched = FALSE;
    w->step_flag_read = FALSE;
    w->step_splits = 0;
    if (e.time_us > w->now_us) {
        w->now_us = e.time_us;
        w->acc.w |= SIM_OBJ_CLOCK;
    }
    w->monitor->c.steps++;
    sim_task *t = e.item;
    w->last_tab = t->tab;
    info->data_begin = w->chooser->pos;
    /* Faults cost nothing unless the scenario asks for them. */
    const sim_scenario *s = w->scenario;
    gboolean runs = e.kind == SIM_QUEUE_WAKE || sim_env_timer_fired(w, &e);
    gboolean faulted = runs && tab_faults_on(s) && sim_world_fault(w, t);
    if (runs && !faulted)
        sim_world_dispatch(w, t);
    /* Tasks it woke run their quiet prefix now, before the state is
     * looked at (env_eager.c): part of this step, touching nothing. */
    if (w->eager_on)
        sim_world_run_woken(w);
    info->data_end = w->chooser->pos;
    if (info->preemption)
        w->monitor->c.preemptions++;
    if (w->step_done) {
        info->acc = w->acc; /* t may be freed by now: it may have finished */
        sim_arena *in = sim_arena_leave(); /* the explorer's memory outlives the run's */
        w->step_done(w->hook_ctx, info);
        sim_arena_enter(in);
    }
}

void sim_world_run(sim_world *w)
{
    sim_world_start(w);
    sim_world_steps(w);
}

void sim_world_start(sim_world *w)
{
    for (int i = 0; i < w->n_tabs; i++) {
        sim_tab *tab = &w->tabs[i];
        sim_task *main = sim_world_spawn(w, tab, w->tab_main, tab, FALSE);
        w->mains_live++;
        /* Untimed, a start time is only a lower bound: every order is explored anyway. */
        int64_t start_us = w->untimed ? 0 : sim_choose_range(w->chooser, 0, w->scenario->start_ms_max) * 1000;
        sim_world_post(w, main, start_us, TRUE);
    }
    const sim_scenario *s = w->scenario;
    /* Woken tasks run their quiet prefix at once (env_eager.c). */
    w->eager_on = w->untimed && s->quiet_steps && !(s->js_module && *s->js_module);
    /* ... and reads that lead back to a wait are done at once, where a
     * get returns the browser's map as it is (no faults, no view). */
    w->collapse_reads = w->collapse_reads && w->eager_on && w->model->direct &&
                        !s->storage_unavailable && !tab_faults_on(s);
    /* ... and, where no step bound is set (a search that merges steps
     * reaches other states at a given depth), more quiet steps (env_sim.c). */
    w->quiet_more = w->collapse_reads && s->steps_max >= SIM_STEPS_MAX_DEFAULT;
}

void sim_world_steps(sim_world *w)
{
    const sim_scenario *s = w->scenario;
    gboolean ran_out = TRUE; /* the queue emptied: nothing left to run */
    while (sim_queue_len(&w->queue) > 0) {
        sim_step_info info = {.choice_pos = -1};
        sim_queue_entry e;
        if (w->monitor->c.steps >= (uint64_t)s->steps_max) {
            w->monitor->c.truncated = TRUE;
            w->monitor->c.cut |= SIM_CUT_STEPS;
            ran_out = FALSE;
            break;
        }
        w->stopped = sim_stop_poll(w->stop, w->monitor->c.steps,
                                   w->chooser->record || w->monitor->tracing || w->monitor->stats);
        if (!w->stopped && w->input_broken)
            w->stopped = SIM_STOP_BAD_INPUT;
        if (w->stopped) {
            ran_out = FALSE;
            break;
        }
        if (w->untimed) {
            if (!untimed_next(w, &e, &info)) {
                if (!w->chooser->abandoned)
                    world_check_deadlock(w);
                ran_out = FALSE;
                break;
            }
            if (e.time_us > s->time_limit_ms * 1000) {
                w->monitor->c.truncated = TRUE;
                w->monitor->c.cut |= SIM_CUT_TIME;
                sim_world_digest_break(w, SIM_DIGEST_CLOCK_UNREAD); /* the clock against a constant */
                ran_out = FALSE;
                break;
            }
        } else {
            /* An explorer gave up on this run at one of its values. */
            if (w->chooser->abandoned || world_should_stop(w, sim_queue_peek(&w->queue)->time_us)) {
                ran_out = FALSE;
                break;
            }
            e = queue_next(w);
            info.tab = ((sim_task *)e.item)->tab->index;
        }
        world_step(w, e, &info);
    }
    /* Nothing left to run while a task may wait for a change nobody makes
     * (in either semantics of time: no wake-up is left). */
    if (ran_out && !w->chooser->abandoned)
        world_check_deadlock(w);
    world_finish(w);
}

sim_world *sim_world_new(const sim_scenario *s, sim_chooser *chooser, sim_stack_pool *pool,
                         sim_monitor *monitor)
{
    /* The last run's world, emptied, when this thread has one (world_pool.c). */
    const sim_storage_model_ops *model = sim_storage_models[s->storage_model];
    sim_world *w = sim_world_shell_take(sim_arena_current() ? NULL : pool, (int)s->tabs, model->quota_in_map ? s->quota_bytes : 0,
                                        s->storage_unavailable);
    w->scenario = s;
    w->arena = sim_arena_current();
    w->chooser = chooser;
    w->pool = pool;
    w->monitor = monitor;
    w->model = model;
    w->weblocks = sim_weblocks_new(sim_world_weblock_granted, w);
    w->model_state = w->model->create ? w->model->create(w) : NULL;
    g_queue_init(&w->live);
    w->drain_end_us = -1;
    w->tab_main = sim_tab_main;
    w->program = sim_programs[s->workload_mode];
    w->events_key = sim_program_events_key(w->program, s);
    if (w->events_key && !*w->events_key)
        w->events_key = NULL;
    for (int i = 0; i < w->n_tabs; i++) {
        sim_tab *tab = &w->tabs[i];
        tab->world = w;
        tab->index = i + 1;
        /* "tab<index>", without printf's machinery (a world per run). */
        char digits[4] = {0};
        int v = i + 1, n = v >= 10 ? 2 : 1;
        g_assert(v < 100);
        for (int d = n - 1; d >= 0; d--, v /= 10)
            digits[d] = (char)('0' + v % 10);
        tab->client_id = g_strconcat("tab", digits, NULL);
        g_queue_init(&tab->ready);
        sim_digest_init(&tab->dig, sim_tab_digest_seed(tab));
        sim_tab_env_init(tab);
    }
    return w;
}

void sim_world_free(sim_world *w)
{
    if (!w)
        return;
    assert(w->live.length == 0);
    for (int i = 0; i < w->n_tabs; i++)
        sim_tab_instance_free(&w->tabs[i]);
    sim_weblocks_free(w->weblocks);
    if (w->model->destroy)
        w->model->destroy(w->model_state);
    /* The tabs, map, queue and scratch are kept for the next world. */
    sim_world_shell_park(w);
}

#define SIM_TASKS_SAVED_MAX 256 /* the arena's stack slots */

void sim_world_save(sim_world *w, sim_arena_snap *snap)
{
    char *lo[SIM_TASKS_SAVED_MAX], *hi[SIM_TASKS_SAVED_MAX];
    guint n = 0;
    for (GList *l = w->live.head; l; l = l->next) {
        sim_task *t = l->data;
        if (!t->coro.started)
            continue; /* nothing on its stack yet */
        g_assert(n < SIM_TASKS_SAVED_MAX);
        char *top = (char *)t->coro.stack + t->coro.stack_size;
        /* Its frames: from its stack pointer at its last yield (and the
         * red zone below it) up. */
        char *low = (char *)((uintptr_t)(t->coro.sp_low - 128) & ~(uintptr_t)63);
        lo[n] = low < (char *)t->coro.stack ? (char *)t->coro.stack : low;
        hi[n++] = top;
    }
    sim_arena_save(w->arena, snap, n, lo, hi);
}
