/*
 * env_loop.c - what a tab's event loop queues for a wait in timed runs:
 * the `storage` event's task in a busy tab, and a deadline's timer that
 * stays armed after an event ended the wait (env_wait.c calls both,
 * world.c dispatches the timer).
 *
 * A library's wait is a `storage` listener and a setTimeout
 * (browser-tabs-lock's waitForSomethingToChange): two tasks of the tab's
 * event loop, and whichever runs first ends the wait (its stopWaiting),
 * clearing the other's effect.  In a browser:
 *  - an event that comes while the tab is busy (a task of it in the
 *    middle of its run: a storage call, a stall) is a task queued behind
 *    it, and calls the listeners there are when it runs.  So the wait it
 *    would end keeps waiting until then: its deadline may still come
 *    first, or a notify of its own tab (notifyWaiters) end it.  One task
 *    (sim_tab_events) carries every event that comes before it runs, and
 *    wakes, in the order their waits began, the waits any of them ends;
 *    they go on behind it, in its step;
 *  - a timer whose callback has not run is cleared by the event that
 *    ends the wait first, even at the instant it is due (env_wait.c
 *    wake_due); an event that ends a wait whose deadline is ahead leaves
 *    that deadline in the queue as a SIM_QUEUE_TIMER entry of the same
 *    task until the task resumes (sim_env_timer_clear: clearTimeout).  If
 *    the timer comes up first: the tab held (a freeze or a stall), it
 *    waits for the hold's end; the tab free and the event's task posted
 *    but not run, the timer's task runs the waiter and the event's
 *    wake-up goes to a task that does nothing (its listener is gone);
 *    else the timer's task queues behind in the ready FIFO, a task that
 *    does nothing once it runs (cleared meanwhile).  A deadline that
 *    fired while the tab was busy waits in that FIFO, its task not run:
 *    an event (or a notify) that ends the wait first clears it too, a
 *    task that does nothing takes its place, and the waiter goes on in
 *    the event's task (sim_env_timer_clear_queued);
 *  - a wait that begins while an events task is queued for the tab's
 *    other waiters listens for it: that task ends it when it runs, as
 *    one `storage` event calls every listener there is then, and the
 *    wait takes no wake-up of its own for the same change (env_wait.c).
 * So the world offers the choices a browser's event loop offers, and the
 * C port of a library and its JavaScript (whose timers and event
 * dispatch are tasks of their own, sim/js/) make the same draws
 * (tests/sim/js/btl_differential.sh on faults-browser-tabs-lock-stall.ini).
 * Untimed runs keep neither: there an event wakes at the change and the
 * adversary already picks a deadline whenever it likes (docs/model-checking.md,
 * "Waits and the clock"); a task woken behind another by one event keeps
 * no armed timer either.
 *
 * Invariants: a task has at most one SIM_QUEUE_TIMER entry, exactly while
 * t->wait.armed; a tab has at most one events task queued
 * (tab->events_queued), which frees its record when it runs; a task that
 * does nothing stands in for a cleared timer or a spent event and never
 * touches the world.
 */
#include "sim/world/env_wait.h"
#include "sim/world/world.h"

/* The events that came while a tab was busy, and the task that dispatches them. */
typedef struct sim_tab_events {
    sim_tab *tab;
    GPtrArray *keys; /* char*; NULL: a change of keys not known */
    int by;          /* the tab whose change came first */
    uint64_t seq;    /* world change_seq of the last change it carries */
} sim_tab_events;

static gboolean events_end(const sim_task *t, const GPtrArray *keys)
{
    if (!t->wait.keys)
        return TRUE;
    for (guint i = 0; i < keys->len; i++)
        if (!keys->pdata[i] || sim_env_waits_for(t, keys->pdata[i]))
            return TRUE;
    return FALSE;
}

static void events_task(void *arg)
{
    sim_tab_events *e = arg;
    sim_tab *tab = e->tab;
    sim_world *w = tab->world;
    tab->events_queued = NULL;
    if (!sim_tab_gone(tab)) {
        for (GList *l = w->live.head; l && w->waiters > 0; l = l->next) {
            sim_task *t = l->data;
            if (t->wait.waiting && t->tab == tab && events_end(t, e->keys))
                g_ptr_array_add(w->woken, t);
        }
        sim_env_wake_in_order(w, w->woken, e->by, tab);
    }
    g_ptr_array_free(e->keys, TRUE);
    g_free(e);
}

gboolean sim_env_events_will_end(const sim_task *t)
{
    const sim_tab_events *e = t->tab->events_queued;
    return e != NULL && events_end(t, e->keys);
}

void sim_env_events_queue(sim_world *w, sim_tab *tab, const char *key, int by, uint64_t seq)
{
    sim_tab_events *e = tab->events_queued;
    if (e && e->seq == seq)
        return; /* another waiter of the tab, the same event */
    if (!e) {
        e = g_new(sim_tab_events, 1);
        e->tab = tab;
        e->keys = g_ptr_array_new_with_free_func(g_free);
        e->by = by;
        tab->events_queued = e;
        sim_task *d = sim_world_spawn(w, tab, events_task, e, FALSE);
        d->needs_tab = TRUE;
        g_queue_push_tail(&tab->ready, d);
    }
    e->seq = seq;
    g_ptr_array_add(e->keys, g_strdup(key));
}

void sim_env_timer_arm(sim_world *w, sim_task *t, size_t at)
{
    w->queue.heap[at].kind = SIM_QUEUE_TIMER;
    t->wait.armed = TRUE;
}

void sim_env_timer_clear(sim_world *w, sim_task *t)
{
    t->wait.armed = FALSE;
    ssize_t at = sim_queue_find(&w->queue, t, SIM_QUEUE_TIMER);
    if (at >= 0)
        (void)sim_queue_remove_at(&w->queue, (size_t)at);
}

static void spent_task(void *arg)
{
    (void)arg; /* a cleared timer's callback, or an event to no listener */
}

/* A task that does nothing, in line for the tab like any task woken. */
static sim_task *spent(sim_world *w, sim_tab *tab)
{
    sim_task *s = sim_world_spawn(w, tab, spent_task, NULL, FALSE);
    s->needs_tab = TRUE;
    return s;
}

gboolean sim_env_timer_clear_queued(sim_world *w, sim_task *t)
{
    GList *l = g_queue_find(&t->tab->ready, t);
    if (!l)
        return FALSE;
    l->data = spent(w, t->tab); /* the timer's task, in its place */
    t->needs_tab = FALSE;
    return TRUE;
}

gboolean sim_env_timer_fired(sim_world *w, const sim_queue_entry *e)
{
    sim_task *t = e->item;
    sim_tab *tab = t->tab;
    if (tab->frozen_until_us > w->now_us) {
        sim_queue_push_kind(&w->queue, tab->frozen_until_us, t, SIM_QUEUE_TIMER);
        return FALSE;
    }
    t->wait.armed = FALSE;
    ssize_t at = tab->owner == NULL ? sim_queue_find(&w->queue, t, SIM_QUEUE_ANY) : -1;
    if (at >= 0) {
        w->queue.heap[at].item = spent(w, tab); /* the event's task, to nobody */
        return TRUE;                            /* the timer's task runs the waiter */
    }
    g_queue_push_tail(&tab->ready, spent(w, tab)); /* the timer's task, cleared by the time it runs */
    return FALSE;
}
