/*
 * faults.c - tab faults ([faults]): closes, reloads, freezes and stalls,
 * injected by the chooser at a tab's scheduling points; see
 * sim/world/faults.h.
 *
 * Fault model.  Where a fault may strike follows what a browser can do to
 * a page (Page Lifecycle, wicg.github.io/page-lifecycle; Chrome's Page
 * Lifecycle API article):
 *  - a close (a crash of the renderer process) may strike at any of the
 *    tab's scheduling points: at every await and at every storage call,
 *    so also in the middle of a synchronous run of JavaScript (between a
 *    getItem and the setItem after it), as a process can die at any
 *    instruction (a discard, which a browser makes only between tasks,
 *    is one of these cases);
 *  - a freeze and a reload strike only where the tab yields: where a task
 *    of the tab wakes from an await (or starts) and no task of the tab is
 *    in the middle of its synchronous run.  A browser freezes a page only
 *    between tasks (the freeze steps run in a task of their own, and a
 *    frozen page's task queues are paused), and a reload or discard-reload
 *    navigates, which also runs between tasks.  So the code between two
 *    awaits runs as one piece with respect to them, as on a real page; the
 *    storage calls of that code still interleave with other tabs' calls.
 * A closed tab runs no more code (no finally, no unlock), so
 *  - its localStorage writes so far stay, and the storage call it was
 *    about to make never happens;
 *  - the browser releases its Web Locks and drops its queued requests;
 *  - its tasks are unwound at once through their error paths with every
 *    env call failing (as at the end of a run): nothing they do reaches
 *    storage, the server or the monitor, so an add that had not returned
 *    is never counted as added, and a critical section it was in ends;
 *  - it does not come back, unless the fault is a reload: then, after a
 *    drawn delay, the tab opens again as a new instance (a new client id
 *    "tab<i>-r<k>", a new SDK with nothing in memory) on the same storage,
 *    and its application goes on with the workload where the old one
 *    stopped (an event being added at the crash is not added again).
 * A stall (tab_stall_max) is the one hold that strikes mid-task: at a
 * storage call of the tab's running task, its renderer stops for a drawn
 * time (an OS that deschedules the process, a long garbage collection, a
 * modal dialog), then the task goes on unaware, with what it computed
 * before: a value it read, and a Date.now() it read, before the stall are
 * what it writes after it.  Browsers do not promise code between two
 * statements any speed, so code that must survive it must not rest on
 * one run of JavaScript being quick.
 * A frozen tab runs none of its tasks until the freeze ends, then resumes
 * at the await where it stopped, unaware; its timers that fell due
 * meanwhile run late.  The clock does not stop: Date.now() read after the
 * await is the time after the freeze, so whatever the resumed code writes
 * carries that time, as the JavaScript statement would.
 * Each is one chooser decision per point where it may strike while the
 * per-run budget (tab_close_max, tab_reload_max, tab_freeze_max,
 * tab_stall_max) lasts, answer 0 = no fault (so shrinking drops faults
 * first).  Random runs strike with tab_*_pct percent; a discrete
 * (exhaustive) chooser explores both outcomes.  With every budget 0 no choice is made at all: fault-free
 * scenarios keep their runs, tokens and exploration counts.  What the code
 * under test should survive: a lock that expires (seed) survives a closed
 * holder but not a freeze longer than its timeout; one that never expires
 * (Lamport) survives a freeze but blocks for good behind a closed holder;
 * Web Locks survive both.
 */
#include "sim/world/faults.h"

gboolean sim_world_fault_strikes(sim_world *w, int64_t pct)
{
    if (w->chooser->discrete)
        return sim_choose(w->chooser, 2) == 1;
    if (pct <= 0)
        return FALSE;
    /* One choice of 100; answer 0 (the shrinker's default) is no fault. */
    return pct >= 100 || sim_choose(w->chooser, 100) >= (uint32_t)(100 - pct);
}

/* Remove every pending wake-up of tab's tasks. */
static void queue_drop_tab(sim_world *w, const sim_tab *tab)
{
    for (size_t i = w->queue.len; i-- > 0;) {
        if (((sim_task *)w->queue.heap[i].item)->tab != tab)
            continue;
        (void)sim_queue_remove_at(&w->queue, i);
        i = w->queue.len; /* the heap moved: scan again from the end */
    }
}

/* The crash: see the fault model above. */
static void tab_close(sim_world *w, sim_tab *tab)
{
    tab->closed = TRUE;
    w->tab_closes++;
    if (w->monitor->tracing)
        sim_monitor_line(w->monitor, w->now_us, tab->index, 0, "closed", NULL, NULL, NULL,
                         "tab closed (crash)", NULL);
    if (w->monitor->cs_tab == tab->index)
        sim_monitor_cs_exit(w->monitor, tab->index, w->monitor->cs_task);
    sim_weblocks_tab_closed(w->weblocks, tab->index);
    sim_monitor_tab_closed(w->monitor, tab->index);
    queue_drop_tab(w, tab);
    g_queue_clear(&tab->ready);
    g_queue_clear(&tab->handoff);
    /* Unwind its tasks, children before the spawners waiting for them. */
    for (;;) {
        sim_task *t = NULL;
        for (GList *l = w->live.head; l && !t; l = l->next)
            if (((sim_task *)l->data)->tab == tab)
                t = l->data;
        if (!t)
            break;
        while (t->sync_child)
            t = t->sync_child;
        tab->owner = t;
        sim_world_task_run(w, t);
    }
    tab->owner = NULL;
}

/* The new instance after a reload: the old one's tasks are gone, so its
 * SDK objects can go; main starts over after the delay. */
static void tab_reopen(sim_world *w, sim_tab *tab)
{
    const sim_scenario *s = w->scenario;
    int64_t ms = w->untimed ? 0 : sim_choose_range(w->chooser, s->reload_ms_min, s->reload_ms_max);
    sim_tab_instance_free(tab);
    tab->generation++;
    tab->client_id = g_strdup_printf("tab%d-r%d", tab->index, tab->generation);
    tab->closed = FALSE;
    tab->main_done = FALSE;
    w->tab_reloads++;
    sim_task *main = sim_world_spawn(w, tab, w->tab_main, tab, FALSE);
    w->mains_live++;
    sim_world_post(w, main, ms * 1000, TRUE);
    if (w->monitor->tracing) {
        char what[64];
        g_snprintf(what, sizeof what, "as %s after %" G_GINT64_FORMAT " ms", tab->client_id, (gint64)ms);
        sim_monitor_line(w->monitor, w->now_us, tab->index, 0, "reload", NULL, NULL, what,
                         "tab reloaded", NULL);
    }
}

/* A freeze or a stall: none of the tab's tasks runs for ms; t, popped
 * from the queue, waits for the end. */
static void hold_tab(sim_world *w, sim_task *t, int64_t ms, const char *op, const char *label)
{
    sim_tab *tab = t->tab;
    tab->frozen_until_us = w->now_us + ms * 1000;
    if (w->monitor->tracing) {
        char what[48];
        g_snprintf(what, sizeof what, "%" G_GINT64_FORMAT " ms", (gint64)ms);
        sim_monitor_line(w->monitor, w->now_us, tab->index, t->id, op, NULL, NULL, what, label, NULL);
    }
    sim_world_post(w, t, tab->frozen_until_us - w->now_us, t->needs_tab);
    w->acc.w |= SIM_OBJ_CLOCK;
}

/* Whether t's tab yields at t's scheduling point: t wakes from an await
 * (or starts) and needs the tab, and no other task of the tab is in the
 * middle of its synchronous run.  A task in a storage call keeps its tab
 * (needs_tab is FALSE): that is the middle of a run. */
static gboolean tab_yields(const sim_task *t)
{
    return t->needs_tab && (t->tab->owner == NULL || t->tab->owner == t);
}

/* At t's scheduling point: maybe close, reload, freeze or stall its tab.  TRUE
 * when the step is used up. */
gboolean sim_world_fault(sim_world *w, sim_task *t)
{
    const sim_scenario *s = w->scenario;
    sim_tab *tab = t->tab;
    if (tab->frozen_until_us > w->now_us)
        return FALSE; /* already frozen: world_dispatch holds it back */
    if (w->tab_closes < s->tab_close_max && sim_world_fault_strikes(w, s->tab_close_pct)) {
        /* t, popped from the queue, is live: it unwinds with the others. */
        tab_close(w, tab);
        w->acc.r |= (SIM_OBJ_CLOCK - 1) | SIM_OBJ_CS;
        w->acc.w |= (SIM_OBJ_CLOCK - 1) | SIM_OBJ_CS;
        return TRUE;
    }
    if (!tab_yields(t)) {
        /* Mid-task: only a crash, or a stall at the task's storage call. */
        if (!t->needs_tab && w->tab_stalls < s->tab_stall_max && sim_world_fault_strikes(w, s->tab_stall_pct)) {
            w->tab_stalls++;
            hold_tab(w, t, sim_choose_range(w->chooser, s->stall_ms_min, s->stall_ms_max), "stalled", "tab stalled");
            return TRUE;
        }
        return FALSE;
    }
    if (w->tab_reloads < s->tab_reload_max && sim_world_fault_strikes(w, s->tab_reload_pct)) {
        /* The unwinding may find the workload over; the new instance is not. */
        int64_t drain_end_us = w->drain_end_us;
        tab_close(w, tab);
        w->drain_end_us = drain_end_us;
        w->tab_closes--; /* a reload has its own budget */
        tab_reopen(w, tab);
        w->acc.r |= (SIM_OBJ_CLOCK - 1) | SIM_OBJ_CS;
        w->acc.w |= (SIM_OBJ_CLOCK - 1) | SIM_OBJ_CS;
        return TRUE;
    }
    if (w->tab_freezes < s->tab_freeze_max && sim_world_fault_strikes(w, s->tab_freeze_pct)) {
        w->tab_freezes++;
        hold_tab(w, t, sim_choose_range(w->chooser, s->freeze_ms_min, s->freeze_ms_max), "frozen", "tab frozen");
        return TRUE;
    }
    return FALSE;
}

