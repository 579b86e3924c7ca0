/*
 * env_wait.c - waits of simulated tabs: xt_env's wait (keys, a deadline,
 * or both) and storage_notify, and the DOM `storage` event that ends a
 * wait (browser-tabs-lock's waitForSomethingToChange and notifyWaiters,
 * Lamport's and the naive lock's awaits; core/src/mutex_*.c).
 *
 * A task in wait listens for a change of its keys (keys NULL: any key's
 * `storage` event).  A storage call that changed a value of the browser's
 * map (sim_storage_changes: a set of the same value or a removal of an
 * absent key changes nothing, and HTML fires nothing) ends the waits of
 * other tabs that listen to that key or to any key, and the keyed waits
 * of other tasks of the writer's own tab (a page's setItem wrapper
 * telling its own listeners; the unfiltered `storage` event never fires
 * in the writer's tab).  A storage_notify ends every wait of the
 * notifier's tab.  A change that arrives while a task runs (from its last
 * await to its wait) is dispatched after it, so a listener added in that
 * task still gets it: each task notes at its first storage call after an
 * await the tab's event count and the world's change sequence
 * (sim_env_wait_mark), and a wait that finds a change of its keys since
 * then ends at once.  Keys are told apart by their object bit
 * (SIM_OBJ_KEYS) for that check, and exactly otherwise: two keys sharing
 * a bit can only end a wait early, which xt_env's contract allows (a
 * spurious wake-up re-reads).
 *
 * One event, one macrotask.  The waits one change or one notify ends in a
 * tab go on as a browser runs the tab's listeners: in one macrotask, in
 * the order the listeners were added (the order the waits began), each
 * resolving its waiter's promise, whose code then runs as a microtask of
 * that macrotask (wake_in_order).  So in another tab the first waiter's
 * wake-up is posted and the others follow it, in no queue, when it gives
 * the tab up; in the notifier's or writer's own tab they follow the
 * running task (tab->handoff).  No choice orders them and no other task
 * of the tab runs between them.  A waiter whose deadline fired first is
 * woken by that timer instead (timed: once the timer's task has run; one
 * queued behind a busy tab's running task has not, and the event clears
 * it).  In a busy tab (a task in a storage call,
 * or stalled) the event's task queues behind the running one: untimed,
 * the waiter itself joins the tab's ready FIFO at once; timed, a task of
 * its own does, and ends the waits only when it runs, while a timed wait
 * an event ended keeps its deadline armed until it resumes (env_loop.c).
 * The JavaScript tabs' listeners run the same way (js_event.c), so the C
 * port of browser-tabs-lock and the npm package make the same choices.
 *
 * Time.  A wait with a deadline is a wake-up at now + timeout (throttled
 * in a background tab, like any setTimeout) that a change moves to now;
 * one without a deadline is in no queue until a change posts it.  That is
 * the same in both semantics of time, and it is what untimed search needs:
 * a task waiting for keys nobody writes is not enabled (it cannot make
 * the search diverge by re-reading them), and "the deadline passed" is a
 * candidate the adversary may pick whenever it likes, the clock then
 * jumping to max(now, deadline) (world.c).  docs/model-checking.md,
 * "Waits and the clock", argues why this loses no behaviour.
 *
 * Storage models.  Linearizable and cached fire at the write, that is,
 * for "cached" when the write reaches the browser process, not when it
 * reaches the woken tab's cache: a tab woken before that reads its old
 * copy and waits again.  A wait that begins while writes are on their way
 * to its tab (the model's unseen) is not stuck: it ends (untimed at once,
 * timed once they have certainly arrived, delivery_us_max later, or at a
 * change of its keys before that, as it listens meanwhile) and, ended by
 * them, its next view receives at least one (must_progress).  A
 * JavaScript realm whose first listener comes then gets a `storage` event
 * at the same instant (js_event.c), so the C port of a library and its
 * JavaScript wake alike.  The snapshot
 * model fires when a checkpoint lands in the datastore (model_snapshot.c
 * calls sim_env_storage_changed_by), which is when Firefox's parent
 * notifies the other processes' observers; a checkpoint leaving its tab
 * (sim_env_storage_sent) already ends the waits for its keys the same
 * way, since nothing but a snapshot or the end makes it land.
 *
 * Dependence (reduction): beginning a wait reads its keys (every key for
 * any key), since whether a write ends it depends on their order; so does
 * ending one that has a deadline (the deadline or the write: whichever
 * came first), or that a change made while it ran or writes on their way
 * ended.  Ending a wait that only a change or a notify could end reads
 * nothing: that change's step decided it, and the task resumes on its own
 * (a quiet step, world.h sim_world_step_quiet).  A notify is a step of the
 * waiter's own tab, dependent anyway.
 *
 * Invariants: world->waiters counts the tasks with wait.waiting set; a
 * task leaves the wait (flag cleared, count decremented) exactly once, by
 * a wake or when it resumes; a change counts as an event in every tab but
 * the one that made it, once (world->storage_changes is the map's count
 * when last accounted for).
 */
#include <assert.h>
#include <string.h>

#include "sim/world/env_model.h"
#include "sim/world/env_wait.h"
#include "sim/world/world.h"

void sim_env_wait_mark(sim_world *w, sim_task *t)
{
    t->wait.mark_events = t->tab->storage_events;
    t->wait.mark_seq = w->change_seq;
}

void sim_env_wait_read(sim_world *w, sim_task *t, const char *key)
{
    unsigned b = sim_env_text_hash(key) % SIM_OBJ_KEYS;
    t->wait.read_seq[b] = w->change_seq;
    t->wait.read_bits |= UINT64_C(1) << b;
}

/* Did another tab change one of t's keys since its mark, after t last
 * read it?  A change t has read brings nothing new: waking for it would
 * only re-read the same value and wait again (docs/model-checking.md,
 * "Waits"); any-key waits know no keys and take every change. */
static gboolean changed_since_mark(const sim_task *t)
{
    const sim_tab *tab = t->tab;
    if (!t->wait.keys)
        return tab->storage_events != t->wait.mark_events;
    for (size_t i = 0; i < t->wait.n_keys; i++) {
        unsigned b = sim_env_text_hash(t->wait.keys[i]) % SIM_OBJ_KEYS;
        uint64_t seen = MAX(t->wait.mark_seq, t->wait.read_seq[b]);
        if (tab->key_seq[b] > seen)
            return TRUE;
    }
    return FALSE;
}

gboolean sim_env_waits_for(const sim_task *t, const char *key)
{
    for (size_t i = 0; i < t->wait.n_keys; i++)
        if (strcmp(t->wait.keys[i], key) == 0)
            return TRUE;
    return FALSE;
}

/* t leaves its wait, ended by `by` (SIM_WOKEN_*, or a tab index). */
static void wait_end(sim_world *w, sim_task *t, int by)
{
    t->wait.waiting = FALSE;
    w->waiters--;
    t->wait.woken_by = by;
    /* The listener runs now; writes on their way wake it when they land. */
    t->wait.ended_us = by == SIM_WOKEN_UNSEEN ? -1 : w->now_us;
}

/* End t's wait delay_us from now: its wake-up (at its deadline, or none)
 * moves there, unless it is due sooner.  A deadline wake-up already due
 * may wait in its tab's ready FIFO (the tab was busy): it stays there and
 * resumes as woken. */
static void wait_wake_after(sim_world *w, sim_task *t, int by, int64_t delay_us)
{
    gboolean posted = t->wait.deadline_us >= 0 || t->wait.unseen_posted; /* a wake-up of its own */
    wait_end(w, t, by);
    ssize_t at = sim_queue_find(&w->queue, t, SIM_QUEUE_ANY);
    if (at >= 0) {
        if (w->queue.heap[at].time_us <= w->now_us + delay_us)
            return;
        (void)sim_queue_remove_at(&w->queue, (size_t)at);
        sim_world_post(w, t, delay_us, TRUE);
        return;
    }
    if (!posted)
        sim_world_post(w, t, delay_us, TRUE); /* in no queue: this is its only wake-up */
}

/* Where t's wake-up is: its index in the queue, or -1; and whether it is
 * already due (untimed: in the queue at now or earlier; or, with a
 * deadline and no entry, in its tab's ready FIFO): then its deadline fired
 * first, and the wait ends as that timer's macrotask.  Timed, a wake-up
 * that has not run has not ended the wait, even at now: the event that
 * comes first clears it (clearTimeout before the callback ran), whether
 * it is still in the queue or already in the busy tab's ready FIFO, its
 * task queued behind the running one (then a task that does nothing
 * keeps its place there, as the timer's task runs and finds itself
 * cleared, env_loop.c).  The writes on their way having arrived
 * (unseen_posted) are no timer: their wake-up stays due. */
static gboolean wake_due(sim_world *w, sim_task *t, ssize_t *at)
{
    *at = sim_queue_find(&w->queue, t, SIM_QUEUE_ANY);
    if (*at >= 0)
        return w->untimed && w->queue.heap[*at].time_us <= w->now_us;
    if (!w->untimed && t->wait.deadline_us >= 0 && !t->wait.unseen_posted && sim_env_timer_clear_queued(w, t))
        return FALSE;
    return t->wait.deadline_us >= 0 || t->wait.unseen_posted;
}

/* End t's wait now, its wake-up not due (at: its deadline's queue entry,
 * or -1).  Behind: in no queue, it goes on when the task ahead of it
 * gives the tab up (wake_in_order).  Else it is woken now; if another task
 * holds its tab (in a storage call, or stalled in the middle of its task)
 * it joins the tab's ready FIFO at once, as a browser queues the event's
 * task behind the running one (a wake-up in the queue would only make a
 * step that finds the tab busy). */
static void wake_now(sim_world *w, sim_task *t, int by, ssize_t at, gboolean behind)
{
    wait_end(w, t, by);
    if (at >= 0 && !behind && !w->untimed && t->wait.deadline_us >= 0 && !t->wait.unseen_posted)
        sim_env_timer_arm(w, t, (size_t)at); /* env_loop.c */
    else if (at >= 0)
        (void)sim_queue_remove_at(&w->queue, (size_t)at);
    if (behind) {
        t->wait.following = TRUE;
    } else if (t->tab->owner) {
        t->needs_tab = TRUE;
        g_queue_push_tail(&t->tab->ready, t);
    } else {
        sim_world_post(w, t, 0, TRUE);
    }
}

/* Sorting the woken: tabs in the order their first waiter was met (the
 * live tasks' order, as tabs' events are dispatched), each tab's waiters
 * in the order their waits began. */
typedef struct wake_order {
    int first[SIM_TABS_MAX + 1]; /* by tab index: the collection index of its first waiter */
} wake_order;

gint sim_task_wait_cmp_begin(gconstpointer a, gconstpointer b)
{
    const sim_task *x = *(sim_task *const *)a, *y = *(sim_task *const *)b;
    return x->wait.begin < y->wait.begin ? -1 : x->wait.begin > y->wait.begin;
}

static gint by_tab_then_begin(gconstpointer a, gconstpointer b, gpointer data)
{
    const wake_order *o = data;
    int fx = o->first[(*(sim_task *const *)a)->tab->index], fy = o->first[(*(sim_task *const *)b)->tab->index];
    if (fx != fy)
        return fx < fy ? -1 : 1;
    return sim_task_wait_cmp_begin(a, b);
}

/* End the waits one event ends (one `storage` event, one notify): as a
 * browser calls a tab's listeners, in the order they were added, in one
 * macrotask, each resolving its waiter's promise, whose code then runs as
 * microtasks of that macrotask, one after the other.  In own, the tab
 * whose running task made the event (its notify, or its write telling its
 * own listeners), they go on when that task gives the tab up
 * (tab->handoff); in another tab the first is woken now and the others
 * go on behind it (wait_resumed hands them off).  A waiter whose
 * deadline already fired is woken as its timer's macrotask, as before. */
void sim_env_wake_in_order(sim_world *w, GPtrArray *woken, int by, const sim_tab *own)
{
    if (woken->len == 0)
        return;
    wake_order order;
    for (guint i = woken->len; i-- > 0;)
        order.first[((sim_task *)woken->pdata[i])->tab->index] = (int)i;
    g_ptr_array_sort_with_data(woken, by_tab_then_begin, &order);
    sim_task *leader = NULL, *tail = NULL;
    for (guint i = 0; i < woken->len; i++) {
        sim_task *t = woken->pdata[i];
        if (leader && leader->tab != t->tab)
            leader = tail = NULL;
        ssize_t at;
        if (wake_due(w, t, &at)) {
            /* The wake-up due first ends it: its deadline, or the writes
             * on their way having arrived. */
            wait_wake_after(w, t, t->wait.unseen_posted ? SIM_WOKEN_UNSEEN : by, 0);
        } else if (t->tab == own) {
            wake_now(w, t, by, at, TRUE);
            g_queue_push_tail(&t->tab->handoff, t);
        } else if (!leader) {
            wake_now(w, t, by, at, FALSE);
            leader = tail = t;
        } else {
            wake_now(w, t, by, at, TRUE);
            tail->wait.follow = t;
            tail = t;
        }
    }
    g_ptr_array_set_size(woken, 0);
}

/* t resumes from its wait: the tasks woken behind it by the same event go
 * on when it gives its tab up (tab->handoff), unless the tab is gone. */
static void wait_resumed(sim_task *t)
{
    t->wait.following = FALSE;
    sim_task *f = t->wait.follow;
    t->wait.follow = NULL;
    if (sim_tab_gone(t->tab))
        return; /* they are unwound, each on its own */
    while (f) {
        sim_task *next = f->wait.follow;
        f->wait.follow = NULL;
        g_queue_push_tail(&t->tab->handoff, f);
        f = next;
    }
}

/* Writes on their way to a waiting tab (cached, snapshot): when to look
 * again.  Untimed at once; timed when they have certainly arrived, so a
 * wait that keeps finding writes on their way cannot spin in no time. */
int64_t sim_env_unseen_delay_us(const sim_world *w)
{
    return w->untimed ? 0 : MAX(w->scenario->delivery_us_max, 1);
}

void sim_env_storage_changed(sim_world *w, const char *key)
{
    if (w->current)
        sim_env_storage_changed_by(w, w->current->tab, key);
}

void sim_env_storage_changed_by(sim_world *w, sim_tab *from, const char *key)
{
    uint64_t changes = sim_storage_changes(w->storage);
    if (changes == w->storage_changes)
        return; /* HTML: no event when nothing changed */
    uint64_t seq = ++w->change_seq;
    unsigned bit = key ? sim_env_text_hash(key) % SIM_OBJ_KEYS : 0; /* once, not once a tab */
    for (int i = 0; i < w->n_tabs; i++) {
        sim_tab *tab = &w->tabs[i];
        if (tab == from)
            continue;
        tab->storage_events += changes - w->storage_changes;
        if (key)
            tab->key_seq[bit] = seq;
        else
            for (int b = 0; b < SIM_OBJ_KEYS; b++)
                tab->key_seq[b] = seq;
    }
    w->storage_changes = changes;
    /* The `storage` event of programs' own listeners: queued now, their
     * dispatchers woken in the order of the live tasks, as waits are. */
    sim_task *anchors[SIM_TABS_MAX];
    int kicks = 0;
    if (key) {
        const char *old_value = sim_storage_previous(w->storage);
        const char *new_value = sim_storage_peek(w->storage, key);
        for (int i = 0; i < w->n_tabs; i++) {
            sim_tab *tab = &w->tabs[i];
            anchors[i] = NULL;
            if (tab == from || !tab->storage_event || sim_tab_gone(tab))
                continue;
            tab->storage_event->fired(tab->storage_event_ctx, key, old_value, new_value);
            anchors[i] = tab->storage_event->anchor(tab->storage_event_ctx);
            kicks++;
        }
    }
    GPtrArray *woken = w->woken;
    for (GList *l = w->live.head; l && (w->waiters > 0 || kicks > 0); l = l->next) {
        sim_task *t = l->data;
        if (kicks > 0 && t == anchors[t->tab->index - 1]) {
            anchors[t->tab->index - 1] = NULL;
            t->tab->storage_event->kick(t->tab->storage_event_ctx);
        }
        if (!t->wait.waiting || t == w->current || sim_tab_gone(t->tab))
            continue;
        gboolean ends = t->wait.keys ? !key || sim_env_waits_for(t, key) : t->tab != from;
        if (ends && !w->untimed && t->tab != from && t->tab->owner) {
            sim_env_events_queue(w, t->tab, key, from->index, seq);
            continue;
        }
        if (ends)
            g_ptr_array_add(woken, t);
    }
    sim_env_wake_in_order(w, woken, from->index, w->current && w->current->tab == from ? from : NULL);
    for (int i = 0; kicks > 0 && i < w->n_tabs; i++) /* those with no anchor (a kick twice does nothing) */
        if (w->tabs[i].storage_event && &w->tabs[i] != from && !sim_tab_gone(&w->tabs[i]))
            w->tabs[i].storage_event->kick(w->tabs[i].storage_event_ctx);
}

void sim_env_storage_sent(sim_world *w, sim_tab *from, const char *key)
{
    for (GList *l = w->live.head; l && w->waiters > 0; l = l->next) {
        sim_task *t = l->data;
        if (!t->wait.waiting || t->tab == from || sim_tab_gone(t->tab))
            continue;
        if (!t->wait.keys || sim_env_waits_for(t, key)) {
            t->view.must_progress = TRUE;
            wait_wake_after(w, t, SIM_WOKEN_UNSEEN, sim_env_unseen_delay_us(w));
        }
    }
}

static void wait_line(sim_world *w, sim_task *t)
{
    char result[64];
    int by = t->wait.woken_by;
    if (by > 0)
        g_snprintf(result, sizeof result, "woken: a change by tab%d", by);
    else if (by == SIM_WOKEN_NOTIFY)
        g_snprintf(result, sizeof result, "woken: notified in its tab");
    else if (by == SIM_WOKEN_QUEUED)
        g_snprintf(result, sizeof result, "woken: a change while it ran");
    else if (by == SIM_WOKEN_UNSEEN)
        g_snprintf(result, sizeof result, "woken: writes on their way");
    else
        g_snprintf(result, sizeof result, "timeout");
    GString *what = g_string_new(NULL);
    for (size_t i = 0; i < t->wait.n_keys; i++)
        g_string_append_printf(what, "%s%s", i ? " " : "", t->wait.keys[i]);
    sim_monitor_line(w->monitor, w->now_us, t->tab->index, t->id, "wait", t->wait.keys ? what->str : "(any key)",
                     NULL, result, NULL, NULL);
    g_string_free(what, TRUE);
}

/* What beginning or ending a wait reads: whether a write ends it depends
 * on their order, for the keys it waits for (every key for any key), and
 * on snapshots for the landing checkpoints that fire events. */
static uint64_t wait_reads(const char *const *keys, size_t n_keys)
{
    if (!keys)
        return (SIM_OBJ_CLOCK - 1) | SIM_OBJ_STORE;
    uint64_t r = SIM_OBJ_STORE;
    for (size_t i = 0; i < n_keys; i++)
        r |= UINT64_C(1) << (sim_env_text_hash(keys[i]) % SIM_OBJ_KEYS);
    return r;
}

/* A wait that has returned leaves nothing behind: its keys, deadline and
 * what ended it are no state of the task's any more (world_digest.c). */
static void wait_forget(sim_task *t)
{
    t->wait.unseen_posted = FALSE;
    t->wait.n_keys = 0;
    t->wait.deadline_us = -1;
    t->wait.woken_by = SIM_WOKEN_DEADLINE;
}

int sim_env_wait(void *ctx, const char *const *keys, size_t n_keys, int64_t timeout_ms)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return XT_ECANCELLED;
    sim_task *t = w->current;
    assert(t && t->tab == tab);
    w->acc.r |= wait_reads(keys, n_keys);
    /* The deadline is a setTimeout: throttled in a background tab. */
    const sim_scenario *s = w->scenario;
    if (timeout_ms >= 0 && tab->index > s->tabs - s->background_tabs && timeout_ms < s->background_timer_ms_min)
        timeout_ms = s->background_timer_ms_min;
    t->wait.keys = keys;
    t->wait.n_keys = n_keys;
    t->wait.deadline_us = timeout_ms >= 0 ? w->now_us + timeout_ms * 1000 : -1;
    t->wait.woken_by = SIM_WOKEN_DEADLINE;
    t->wait.ended_us = -1;
    t->wait.begin = ++w->wait_seq;
    /* A change that came while it ran ends it at once, as its event's
     * task, queued behind this one, will call the new listener; unless
     * that task is the events task queued for the tab's other waiters,
     * which ends this wait too when it runs (one event, one task). */
    if (!t->view.fresh && changed_since_mark(t) && !sim_env_events_will_end(t)) {
        t->wait.woken_by = SIM_WOKEN_QUEUED;
        if (timeout_ms >= 0 && !w->untimed) {
            /* Its timer was set first, then the event's task queued
             * (env_loop.c). */
            sim_queue_push_kind(&w->queue, t->wait.deadline_us, t, SIM_QUEUE_TIMER);
            t->wait.armed = TRUE;
        }
        sim_world_post(w, t, 0, TRUE);
    } else if (w->model->unseen && w->model->unseen(w, tab->index)) {
        /* A change may still be on its way: not stuck, and its next view
         * receives at least one write (model_cached.c, model_snapshot.c). */
        t->wait.woken_by = SIM_WOKEN_UNSEEN;
        int64_t delay_us = sim_env_unseen_delay_us(w);
        if (timeout_ms >= 0 && timeout_ms * 1000 < delay_us) {
            delay_us = timeout_ms * 1000; /* its deadline comes first */
            t->wait.woken_by = SIM_WOKEN_DEADLINE;
        }
        if (w->untimed) {
            t->view.must_progress = TRUE;
        } else {
            /* Timed: it listens meanwhile, so a change ends it sooner
             * ("Storage models" above). */
            t->wait.waiting = TRUE;
            w->waiters++;
            t->wait.unseen_posted = t->wait.woken_by == SIM_WOKEN_UNSEEN;
        }
        sim_world_post(w, t, delay_us, TRUE);
    } else {
        t->wait.waiting = TRUE;
        w->waiters++;
        if (timeout_ms >= 0)
            sim_world_post(w, t, timeout_ms * 1000, TRUE);
    }
    sim_task_yield(t, SIM_YIELD_AWAIT);
    if (t->wait.armed)
        sim_env_timer_clear(w, t); /* the event's task ran first */
    if (t->wait.ended_us < 0)
        t->wait.ended_us = w->now_us; /* ended by what resumed it */
    wait_resumed(t);
    t->view.fresh = TRUE;
    if (t->wait.woken_by == SIM_WOKEN_UNSEEN && !w->untimed)
        t->view.must_progress = TRUE; /* the writes have arrived: it sees one */
    if (t->wait.waiting) { /* its deadline came, or the tab went away */
        t->wait.waiting = FALSE;
        w->waiters--;
    }
    t->wait.keys = NULL;
    if (sim_tab_gone(tab)) {
        wait_forget(t);
        return XT_ECANCELLED;
    }
    /* Ending a wait that a deadline could also end reads its keys: which
     * came first decides the result.  One that only a change or a notify
     * can end (no deadline) was decided by that step: resuming from it is
     * the task's own business (a quiet step, world.h). */
    if (timeout_ms >= 0 || t->wait.woken_by <= SIM_WOKEN_QUEUED)
        w->acc.r |= wait_reads(keys, n_keys);
    if (w->monitor->tracing) {
        t->wait.keys = keys; /* for the line */
        wait_line(w, t);
        t->wait.keys = NULL;
    }
    int rc = t->wait.woken_by == SIM_WOKEN_DEADLINE ? XT_ETIMEOUT : XT_OK;
    wait_forget(t);
    return rc;
}

void sim_env_storage_notify(void *ctx)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return;
    for (GList *l = w->live.head; l && w->waiters > 0; l = l->next) {
        sim_task *t = l->data;
        if (t->wait.waiting && t->tab == tab && t != w->current)
            g_ptr_array_add(w->woken, t);
    }
    sim_env_wake_in_order(w, w->woken, SIM_WOKEN_NOTIFY, tab);
}
