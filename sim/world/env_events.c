/*
 * env_events.c - the DOM `storage` event for simulated tabs: xt_env's
 * storage_wait and storage_notify (browser-tabs-lock's
 * waitForSomethingToChange and notifyWaiters, core/src/mutex_btl.c).
 *
 * A task in storage_wait listens to its tab's `storage` event.  A storage
 * call that changed a value of the browser's map (sim_storage_changes: a
 * set of the same value or a removal of an absent key fires nothing, as in
 * HTML) fires it in every other tab, and a storage_notify in the
 * notifier's own tab; either ends the waits there at once.  An event that
 * arrives while a task runs (from its last await to its wait) is
 * dispatched after it, so a listener added in that task still gets it:
 * each task notes, at its first storage call after an await, the tab's
 * event count (sim_env_storage_events), and a wait that finds it grown
 * ends at once.
 *
 * Time.  Timed: the wait is a wake-up at its timeout (throttled in a
 * background tab, like any setTimeout), which the event moves to now.
 * Untimed, where a sleep is only a lower bound, it is a wake-up at once
 * that the adversary takes when it likes; when the code said which key it
 * waits on (XT_OBS_WAIT) it is disabled like a waiting loop until that
 * key is written or an event or notify ends it, so its timeout is not
 * explored (as for any waiting loop).
 *
 * Storage models.  Linearizable and cached fire at the write, that is,
 * for "cached" when the write reaches the browser process, not when it
 * reaches the woken tab's cache: a tab woken before that reads its old
 * copy and waits again, which the cached waiting-loop rule keeps enabled.
 * The snapshot model fires when a checkpoint lands in the datastore
 * (model_snapshot.c calls sim_env_storage_changed_by for its tab), which is
 * when Firefox's parent notifies the other processes' observers.
 *
 * Dependence (reduction): beginning and ending a wait read every key,
 * since whether a write ends it depends on their order; a notify is a step
 * of the waiter's own tab, dependent anyway.
 *
 * Invariants: world->storage_waiters counts the tasks with
 * storage_waiting set; a task leaves the wait (flag cleared, count
 * decremented) exactly once, by a wake or when it resumes; a change
 * counts as an event in every tab but the one that made it, once
 * (world->storage_changes is the map's count when last accounted for).
 */
#include <assert.h>

#include "sim/world/env_events.h"
#include "sim/world/world.h"

uint64_t sim_env_storage_events(const sim_tab *tab)
{
    return tab->storage_events;
}

static void storage_wake(sim_world *w, sim_task *t, int by)
{
    t->listen.waiting = FALSE;
    w->storage_waiters--;
    if (w->untimed) {
        t->listen.woken_by = by;
        t->spin.blocked = FALSE;
        t->spin.mask = 0;
        return;
    }
    for (size_t i = 0; i < w->queue.len; i++)
        if (w->queue.heap[i].item == t) {
            /* Not yet due: its timeout wake-up becomes one now. */
            (void)sim_queue_remove_at(&w->queue, i);
            sim_world_post(w, t, 0, TRUE);
            t->listen.woken_by = by;
            return;
        }
}

void sim_env_storage_changed(sim_world *w)
{
    if (w->current)
        sim_env_storage_changed_by(w, w->current->tab);
}

void sim_env_storage_changed_by(sim_world *w, sim_tab *from)
{
    uint64_t changes = sim_storage_changes(w->storage);
    if (changes == w->storage_changes)
        return; /* HTML: no event when nothing changed */
    for (int i = 0; i < w->n_tabs; i++)
        if (&w->tabs[i] != from)
            w->tabs[i].storage_events += changes - w->storage_changes;
    w->storage_changes = changes;
    if (w->storage_waiters == 0)
        return;
    for (GList *l = w->live.head; l && w->storage_waiters > 0; l = l->next) {
        sim_task *t = l->data;
        if (t->listen.waiting && t->tab != from && !sim_tab_gone(t->tab))
            storage_wake(w, t, from->index);
    }
}

int sim_env_storage_wait(void *ctx, int64_t ms)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return XT_ECANCELLED;
    sim_task *t = w->current;
    assert(t && t->tab == tab);
    sim_env_spin_await(w, t);
    /* Every key, and on snapshots the landing checkpoints that fire events. */
    w->acc.r |= (SIM_OBJ_CLOCK - 1) | SIM_OBJ_STORE;
    /* The timeout is a setTimeout: throttled in a background tab. */
    const sim_scenario *s = w->scenario;
    if (tab->index > s->tabs - s->background_tabs && ms < s->background_timer_ms_min)
        ms = s->background_timer_ms_min;
    t->listen.woken_by = 0;
    if (!t->view.fresh && sim_env_storage_events(tab) != t->listen.mark) {
        /* Another tab changed a value while this task ran: that event is
         * dispatched once the task awaits, so the new listener gets it. */
        t->listen.woken_by = -2;
        t->spin.blocked = FALSE;
        t->spin.mask = 0;
        ms = 0;
    } else {
        t->listen.waiting = TRUE;
        w->storage_waiters++;
    }
    sim_world_post(w, t, w->untimed ? 0 : ms * 1000, TRUE);
    sim_task_yield(t, SIM_YIELD_AWAIT);
    t->view.fresh = TRUE;
    if (t->listen.waiting) { /* its time came, or the tab went away */
        t->listen.waiting = FALSE;
        w->storage_waiters--;
    }
    if (sim_tab_gone(tab))
        return XT_ECANCELLED;
    w->acc.r |= (SIM_OBJ_CLOCK - 1) | SIM_OBJ_STORE;
    if (w->monitor->tracing) {
        char result[48];
        if (t->listen.woken_by > 0)
            g_snprintf(result, sizeof result, "storage event from tab%d", t->listen.woken_by);
        else if (t->listen.woken_by == -2)
            g_snprintf(result, sizeof result, "storage event (queued while it ran)");
        else
            g_snprintf(result, sizeof result, "%s", t->listen.woken_by < 0 ? "notified in its tab"
                                                    : w->untimed               ? "resumed"
                                                                               : "timeout");
        sim_monitor_line(w->monitor, w->now_us, tab->index, t->id, "storage-wait", NULL, NULL, result, NULL, NULL);
    }
    return XT_OK;
}

void sim_env_storage_notify(void *ctx)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return;
    for (GList *l = w->live.head; l && w->storage_waiters > 0; l = l->next) {
        sim_task *t = l->data;
        if (t->listen.waiting && t->tab == tab && t != w->current)
            storage_wake(w, t, -1);
    }
}
