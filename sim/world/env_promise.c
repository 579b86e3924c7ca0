/*
 * env_promise.c - the tab's own promises for simulated tabs: xt_env's
 * tab_wait and tab_wake (the in-tab async mutex, core/src/mutex_serial.c).
 *
 * A task in tab_wait is parked: in no queue, not a candidate of any
 * explorer, until a task of its own tab calls tab_wake, which posts every
 * parked task of the tab to run now (a resolved promise's continuation is
 * a new task of the tab's event loop).  Nothing else ends the wait but the
 * tab going away: the end of a run or a crash unwinds the parked task like
 * any other (XT_ECANCELLED).  So an untimed search never spins on it: a
 * parked task has nothing to re-read.  A run in which the only live tasks
 * are parked while a lock request waits ends as "every tab is blocked",
 * which is then true: no step can wake them.
 *
 * Dependence: tab_wait and tab_wake are steps of the waiter's own tab, so
 * they are dependent with it anyway; they touch no shared object.
 *
 * Invariant: a task is parked exactly from its tab_wait until a tab_wake
 * of its tab (or its unwinding); a parked task is in no queue.
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
    for (GList *l = w->live.head; l; l = l->next) {
        sim_task *t = l->data;
        if (t->tab == tab && t->parked && t != w->current) {
            t->parked = FALSE;
            sim_world_post(w, t, 0, TRUE);
        }
    }
}
