/*
 * env_promise.c - the tab's own promises for simulated tabs: xt_env's
 * tab_wait and tab_wake (the in-tab async mutex, core/src/mutex_serial.c).
 *
 * A task in tab_wait is parked: in no queue, not a candidate of any
 * explorer, until a task of its own tab calls tab_wake, which resolves
 * every parked task's promise: their code goes on, in the order they
 * parked, as microtasks of the waker's macrotask, that is, when the waker
 * gives the tab up (its next await or its end), before any other task of
 * the tab (tab->handoff, world.h).  Nothing else ends the wait but the tab
 * going away: the end of a run or a crash unwinds the parked task like
 * any other (XT_ECANCELLED).  So an untimed search never spins on it: a
 * parked task has nothing to re-read.  A run in which the only live tasks
 * are parked while a lock request waits ends as "every tab is blocked",
 * which is then true: no step can wake them.
 *
 * Dependence: tab_wait and tab_wake are steps of the waiter's own tab, so
 * they are dependent with it anyway; they touch no shared object.
 *
 * Invariant: a task is parked exactly from its tab_wait until a tab_wake
 * of its tab (or its unwinding); a parked task is in no queue, and a woken
 * one is in its tab's handoff queue until the waker gives the tab up.
 */
#include <assert.h>

#include "sim/world/env_wait.h"
#include "sim/world/env_parts.h"

int sim_env_tab_wait(void *ctx)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return XT_ECANCELLED;
    sim_task *t = w->current;
    assert(t && t->tab == tab && !t->parked);
    t->parked = TRUE;
    t->wait.begin = ++w->wait_seq;
    if (w->monitor->tracing)
        sim_monitor_line(w->monitor, w->now_us, tab->index, t->id, "tab-wait", NULL, NULL, NULL,
                         "wait for the tab's other task", NULL);
    sim_task_yield(t, SIM_YIELD_AWAIT);
    t->parked = FALSE;
    t->view.fresh = TRUE;
    return sim_tab_gone(tab) ? XT_ECANCELLED : XT_OK;
}

void sim_env_tab_wake(void *ctx)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return;
    GPtrArray *woken = w->woken;
    for (GList *l = w->live.head; l; l = l->next) {
        sim_task *t = l->data;
        if (t->tab == tab && t->parked && t != w->current)
            g_ptr_array_add(woken, t);
    }
    g_ptr_array_sort(woken, sim_task_wait_cmp_begin);
    for (guint i = 0; i < woken->len; i++) {
        sim_task *t = woken->pdata[i];
        t->parked = FALSE;
        g_queue_push_tail(&tab->handoff, t);
    }
    g_ptr_array_set_size(woken, 0);
}
