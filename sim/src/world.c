/*
 * world.c - scheduling of tabs and tasks in virtual time; see sim/world.h.
 *
 * Invariants:
 *  - at most one task runs (world->current), and it is its tab's owner;
 *  - a task is in at most one of: the queue, its tab's ready FIFO, running,
 *    waiting as a sync parent;
 *  - virtual time never goes back: every post is at now or later;
 *  - every decision that is not forced goes through the chooser: ties of
 *    the queue here, latencies in env_sim.c.
 */
#include "sim/world.h"

#include <assert.h>
#include <string.h>

#include "xt/event_store.h"

#define QUEUE_TIES_MAX 64 /* entries gathered at one instant */

static void task_entry(void *arg)
{
    sim_task *task = arg;
    task->fn(task->arg);
}

sim_task *sim_world_spawn(sim_world *w, sim_tab *tab, xt_task_fn fn, void *arg, gboolean counted)
{
    sim_task *t = g_new0(sim_task, 1);
    t->tab = tab;
    t->id = ++w->next_task_id;
    t->fn = fn;
    t->arg = arg;
    t->lock_since_us = -1;
    t->link.data = t;
    void *stack = sim_stack_pool_take(w->pool);
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
    t->needs_tab = needs_tab;
    sim_queue_push(&w->queue, w->now_us + delay_us, t);
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
    if (t->fn == sim_tab_main)
        w->mains_live--;
    sim_stack_pool_give(w->pool, t->coro.stack);
    g_free(t);
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
    tab->owner = NULL;
    if (!w->cancelling && tab->ready.length > 0) {
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

/* Runs t and whatever must run synchronously after it (a spawned child
 * first, then its spawner at the child's first await). */
static void task_run(sim_world *w, sim_task *t)
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

static void world_dispatch(sim_world *w, sim_task *t)
{
    sim_tab *tab = t->tab;
    if (!t->needs_tab) {
        task_run(w, t); /* its storage call completes */
        return;
    }
    t->needs_tab = FALSE;
    if (tab->owner == NULL)
        tab->owner = t;
    if (tab->owner == t)
        task_run(w, t);
    else
        g_queue_push_tail(&tab->ready, t);
}

static gboolean world_should_stop(sim_world *w, int64_t next_us)
{
    const sim_scenario *s = w->scenario;
    if (w->drain_end_us >= 0 && next_us > w->drain_end_us)
        return TRUE;
    if (next_us > s->time_limit_ms * 1000 || w->monitor->c.steps >= (uint64_t)s->steps_max) {
        w->monitor->c.truncated = TRUE;
        return TRUE;
    }
    return FALSE;
}

/* Cancel: every remaining task runs to completion with every env call
 * failing at once.  A spawner waits for its child, so children go first. */
static void world_cancel(sim_world *w)
{
    w->cancelling = TRUE;
    sim_queue_clear(&w->queue);
    for (int i = 0; i < w->n_tabs; i++)
        g_queue_clear(&w->tabs[i].ready);
    while (w->live.length > 0) {
        sim_task *t = g_queue_peek_head(&w->live);
        while (t->sync_child)
            t = t->sync_child;
        t->tab->owner = t;
        task_run(w, t);
    }
}

static void world_finish(sim_world *w)
{
    int pending_tab = 0;
    int64_t pending_wait = 0;
    for (GList *l = w->live.head; l; l = l->next) {
        sim_task *t = l->data;
        if (t->lock_since_us >= 0 && w->now_us - t->lock_since_us > pending_wait) {
            pending_wait = w->now_us - t->lock_since_us;
            pending_tab = t->tab->index;
        }
    }
    world_cancel(w);
    sim_monitor_finish(w->monitor, w->now_us, sim_storage_peek(w->storage, w->events_key), pending_tab,
                       pending_wait);
}

void sim_world_run(sim_world *w)
{
    for (int i = 0; i < w->n_tabs; i++) {
        sim_tab *tab = &w->tabs[i];
        sim_task *main = sim_world_spawn(w, tab, sim_tab_main, tab, FALSE);
        w->mains_live++;
        int64_t start_us = sim_choose_range(w->chooser, 0, w->scenario->start_ms_max) * 1000;
        sim_world_post(w, main, start_us, TRUE);
    }
    while (sim_queue_len(&w->queue) > 0) {
        if (world_should_stop(w, sim_queue_peek(&w->queue)->time_us))
            break;
        sim_queue_entry e = queue_next(w);
        w->now_us = e.time_us;
        w->monitor->c.steps++;
        world_dispatch(w, e.item);
    }
    world_finish(w);
}

sim_world *sim_world_new(const sim_scenario *s, sim_chooser *chooser, sim_stack_pool *pool,
                         sim_monitor *monitor)
{
    sim_world *w = g_new0(sim_world, 1);
    w->scenario = s;
    w->chooser = chooser;
    w->pool = pool;
    w->monitor = monitor;
    w->storage = sim_storage_new(s->quota_bytes, s->storage_unavailable);
    sim_queue_init(&w->queue);
    g_queue_init(&w->live);
    w->drain_end_us = -1;
    w->scratch = g_string_new(NULL);
    w->events_key = g_strdup("bucketeer_events_user-1");
    w->n_tabs = (int)s->tabs;
    w->tabs = g_new0(sim_tab, w->n_tabs);
    for (int i = 0; i < w->n_tabs; i++) {
        sim_tab *tab = &w->tabs[i];
        tab->world = w;
        tab->index = i + 1;
        tab->client_id = g_strdup_printf("tab%d", i + 1);
        tab->rng = sim_seed_mix((uint64_t)(i + 1));
        g_queue_init(&tab->ready);
        sim_tab_env_init(tab);
    }
    return w;
}

void sim_world_free(sim_world *w)
{
    if (!w)
        return;
    assert(w->live.length == 0);
    for (int i = 0; i < w->n_tabs; i++) {
        sim_tab *tab = &w->tabs[i];
        if (tab->processor)
            xt_processor_free(tab->processor);
        if (tab->ts)
            xt_ts_store_free(tab->ts);
        if (tab->lock_mutex)
            xt_mutex_free(tab->lock_mutex);
        g_free(tab->client_id);
    }
    g_free(w->tabs);
    sim_queue_destroy(&w->queue);
    sim_storage_free(w->storage);
    g_string_free(w->scratch, TRUE);
    g_free(w->events_key);
    g_free(w);
}
