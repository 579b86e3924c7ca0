/*
 * js_event.c - the DOM `storage` event of a JavaScript tab: another tab's
 * change, dispatched to the realm's listeners (addEventListener('storage')
 * and onstorage, realm.js) as a macrotask of its own.
 *
 * env_wait.c fires it (sim_js_storage_listener, the tab's storage_event)
 * when another tab's change reaches the browser's map: the moment C tabs'
 * waits end, in every storage model (so under cached and snapshot the
 * listener may still read its tab's old copy, as a woken C tab may).  The
 * event is queued, and a task of the tab (event_task, started at the
 * realm's first listener) dispatches each as a macrotask 'E' once the tab
 * is free, in order; that task starts at the realm's first event to
 * dispatch.  An event fired while the realm has no listener and
 * runs nothing is dispatched at once, to nobody; one fired during a
 * macrotask waits for its end, so a listener that macrotask adds still
 * gets it (HTML queues the event as a task; it runs after the current one).
 *
 * Writes on their way (cached): the event fires when a write reaches the
 * browser's map, so a listener added while writes are on their way to
 * its tab would sleep through them.  A realm whose first listener comes
 * then gets an event once they have certainly arrived (the world's
 * sim_env_unseen_delay_us later), for the first of them made by another
 * tab, and its next view receives at least one (must_progress): what a C
 * wait that begins then gets (env_wait.c).  An event that comes before
 * brings the dispatch forward; a listener gone before cancels it.
 *
 * Invariants: at most one dispatching task per realm (listener_live), parked with
 * nothing posted while there is nothing to do and posted once
 * (jm->listener cleared) when there is, or posted for the writes on their
 * way only (jm->delayed); it ends when the tab goes away or
 * the realm is replaced (a reload), and holds a reference to the mutex.
 */
#include "sim/js/js_tab.h"
#include "sim/world/env_model.h"

static void event_free(gpointer data)
{
    js_event *e = data;
    g_free(e->key);
    g_free(e->old_value);
    g_free(e->new_value);
    g_free(e);
}

void sim_js_event_clear(js_mutex *jm)
{
    g_queue_clear_full(&jm->inbox, event_free);
}

static void event_task(void *arg);

/* The dispatching task, posted for the writes on their way only, goes
 * back to being parked: its wake-up leaves the queue. */
static void event_undelay(js_mutex *jm)
{
    sim_queue *q = &jm->tab->world->queue;
    ssize_t at = sim_queue_find(q, jm->delayed, SIM_QUEUE_ANY);
    if (at >= 0)
        (void)sim_queue_remove_at(q, (size_t)at);
    jm->listener = jm->delayed;
    jm->delayed = NULL;
}

/* The dispatching task to post: the parked one, or a new one (the
 * realm's first event to dispatch); NULL when it runs or is on its way. */
static sim_task *event_dispatcher(js_mutex *jm)
{
    sim_task *t = jm->listener;
    if (t) {
        jm->listener = NULL;
    } else if (!jm->listener_live) {
        /* Not part of the workload (uncounted): a page's listener does
         * not keep the run going. */
        jm->refs++;
        jm->listener_live = TRUE;
        t = sim_world_spawn(jm->tab->world, jm->tab, event_task, jm, FALSE);
    }
    return t;
}

/* Something to dispatch and the tab free: wake the dispatching task, or
 * start it (the realm's first event to dispatch). */
static void event_kick(js_mutex *jm)
{
    if (!jm->listening || g_queue_is_empty(&jm->inbox) || sim_tab_gone(jm->tab))
        return;
    sim_world *w = jm->tab->world;
    /* Another tab's step fired it while a task holds this tab in the
     * middle of its run (in a storage call, or stalled, maybe serving a
     * macrotask): the event's task joins the tab's ready FIFO now, as a C
     * waiter does (env_wait.c), and runs once the tab is free. */
    gboolean held = jm->tab->owner && jm->tab->owner != w->current;
    if (jm->busy && !held)
        return; /* the macrotask's end kicks again (sim_js_event_settle) */
    if (jm->delayed)
        event_undelay(jm);
    sim_task *t = event_dispatcher(jm);
    if (!t)
        return; /* it runs, or is on its way: it looks again */
    if (held) {
        t->needs_tab = TRUE;
        g_queue_push_tail(&jm->tab->ready, t);
    } else {
        sim_world_post(w, t, 0, TRUE);
    }
}

static char *event_value(const char *v)
{
    return v ? g_strconcat("v", v, NULL) : g_strdup("n");
}

static void event_fired(void *ctx, const char *key, const char *old_value, const char *new_value)
{
    js_mutex *jm = ctx;
    if (!jm->listening && !jm->busy)
        return;
    js_event *e = g_new(js_event, 1);
    e->key = g_strdup(key);
    e->old_value = event_value(old_value);
    e->new_value = event_value(new_value);
    g_queue_push_tail(&jm->inbox, e);
}

/* Where its wake-up goes among C waiters': at the task awaiting the
 * realm's oldest pending call (the code waiting in lock()), if any. */
static sim_task *event_anchor(void *ctx)
{
    js_mutex *jm = ctx;
    for (GList *l = jm->calls; l; l = l->next) {
        const js_pending *p = l->data;
        if (p->waiter)
            return p->waiter;
    }
    return NULL;
}

static void event_kick_hook(void *ctx)
{
    event_kick(ctx);
}

const sim_storage_listener sim_js_storage_listener = {
    .fired = event_fired,
    .anchor = event_anchor,
    .kick = event_kick_hook,
};

/* A macrotask ended: events nobody listens to are dropped. */
void sim_js_event_settle(js_mutex *jm)
{
    if (!jm->listening)
        sim_js_event_clear(jm);
    else
        event_kick(jm);
}

/* The writes on their way have certainly arrived: their event, if the
 * model says which, and the next view receives at least one of them. */
static void unseen_fire(js_mutex *jm, sim_task *me)
{
    sim_world *w = jm->tab->world;
    const char *key, *value;
    jm->unseen_armed = FALSE;
    if (!w->model->unseen_event || !w->model->unseen_event(w, jm->tab->index, &key, &value))
        return; /* none left on their way, or the model does not say which */
    js_event *e = g_new(js_event, 1);
    e->key = g_strdup(key);
    e->old_value = g_strdup("n");
    e->new_value = event_value(value);
    g_queue_push_tail(&jm->inbox, e);
    me->view.must_progress = TRUE;
}

static void event_task(void *arg)
{
    js_mutex *jm = arg;
    sim_world *w = jm->tab->world;
    while (!sim_tab_gone(jm->tab) && jm->tab->storage_event_ctx == jm) {
        sim_task *me = w->current;
        if (jm->unseen_armed && w->now_us >= jm->unseen_at_us)
            unseen_fire(jm, me);
        if (!jm->listening || jm->busy || g_queue_is_empty(&jm->inbox)) {
            if (jm->unseen_armed && jm->listening) {
                /* Posted for when the writes on their way have arrived
                 * (event_kick brings it forward for an event before). */
                sim_world_post(w, me, jm->unseen_at_us - w->now_us, TRUE);
                jm->delayed = me;
            } else {
                jm->listener = me; /* parked: event_kick posts it */
            }
            sim_task_yield(me, SIM_YIELD_AWAIT);
            me->view.fresh = TRUE;
            jm->listener = NULL;
            jm->delayed = NULL;
            continue;
        }
        js_event *e = g_queue_pop_head(&jm->inbox);
        /* Dependence: the dispatch reads the key, as a wait's end does. */
        w->acc.r |= SIM_OBJ_STORE | (UINT64_C(1) << (sim_env_text_hash(e->key) % SIM_OBJ_KEYS));
        if (w->monitor->tracing)
            sim_monitor_line(w->monitor, w->now_us, jm->tab->index, w->current->id, "event", e->key,
                             e->new_value[0] == 'v' ? e->new_value + 1 : NULL, NULL, "storage event", NULL);
        char now[32];
        const char *fields[4] = {e->key, e->old_value, e->new_value, sim_js_now_text(jm, now, sizeof now)};
        sim_js_chan_send(jm->chan, 'E', 4, fields);
        sim_js_serve(jm);
        event_free(e);
    }
    jm->listener_live = FALSE;
    jm->listener = NULL;
    sim_js_unref(jm);
}

/* The realm's listeners came or went ('a' note).  The dispatching task
 * starts at the first event there is to dispatch (event_kick), not here:
 * a task that would only park makes no step, so that adding a listener
 * is no scheduling point (a C wait that registers its interest is none
 * either, and the btl differential compares the two run by run). */
void sim_js_event_listening(js_mutex *jm, gboolean on)
{
    gboolean was = jm->listening;
    jm->listening = on;
    if (!on && was) {
        jm->unseen_armed = FALSE;
        if (jm->delayed)
            event_undelay(jm);
        return;
    }
    sim_world *w = jm->tab->world;
    if (!on || was || sim_tab_gone(jm->tab) || !w->model->unseen || !w->model->unseen(w, jm->tab->index))
        return;
    /* Writes are on their way to the tab as its first listener comes: it
     * gets their event once they have certainly arrived, as a C wait that
     * begins then is woken (env_wait.c, "writes on their way"). */
    int64_t delay_us = sim_env_unseen_delay_us(w);
    jm->unseen_armed = TRUE;
    jm->unseen_at_us = w->now_us + delay_us;
    sim_task *t = event_dispatcher(jm); /* NULL: it runs or is posted, and looks when it parks */
    if (t) {
        sim_world_post(w, t, delay_us, TRUE);
        jm->delayed = t;
    }
}

