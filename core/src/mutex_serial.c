/*
 * mutex_serial.c - an in-tab FIFO async mutex in front of a cross-tab one.
 *
 * Why it exists: the tasks of one tab (the flush loop, every addEvent
 * fired without awaiting) share the tab's mutex object and its identity.
 * An algorithm that names its contender by the tab (Lamport's process id,
 * fixed or the client id) lets two tasks of one tab in together: each
 * writes x := i and y := i, each reads back its own i.  They also share
 * the algorithm's per-lock() state (Lamport's sleep count and b[i]
 * bookkeeping).  The SDK avoids both with an in-process async mutex taken
 * before the cross-tab lock; this is that mutex, for any inner algorithm.
 *
 * The in-tab lock is a ticket queue, as a promise chain is: lock() takes
 * the next ticket and awaits (xt_env_tab_wait) until the ticket is served;
 * then it runs the inner lock().  The ticket is served until the inner
 * unlock() has finished, or until the inner lock() fails, so at most one
 * task of the tab is ever inside the inner algorithm.  unlock() serves the
 * next ticket and wakes the tab's waiters (xt_env_tab_wake); each looks at
 * the ticket served and all but the next one wait again.
 *
 * Invariants: serving <= next; a task holds the in-tab lock exactly while
 * its ticket == serving and it is between lock() and unlock().  No storage
 * call, no clock: the in-tab lock costs nothing across tabs, and an
 * uncontended lock() makes exactly the inner algorithm's calls.
 *
 * Cancellation: a wait that returns XT_ECANCELLED leaves its ticket
 * unserved; that is safe because XT_ECANCELLED means the tab is going
 * away and every later call of every task of the tab fails at once too.
 */
#include "xt/mutex_serial.h"

#include <assert.h>

typedef struct serial_mutex {
    xt_mutex base; /* first: an xt_mutex* is a serial_mutex* */
    xt_mutex_ops ops; /* inner's name and exclusivity, our functions */
    xt_mutex *inner;
    uint64_t next;    /* the next ticket to hand out */
    uint64_t serving; /* the ticket that may run the inner algorithm */
} serial_mutex;

static void serial_next(serial_mutex *sm)
{
    sm->serving++;
    if (sm->next != sm->serving)
        xt_env_tab_wake(sm->base.env); /* someone waits: the next in line goes */
}

static int serial_lock(xt_mutex *mutex)
{
    serial_mutex *sm = (serial_mutex *)mutex;
    uint64_t ticket = sm->next++;
    /* Bounded by the tasks ahead of us, each of which serves the next
     * ticket when its inner unlock() ends or its inner lock() fails. */
    while (ticket != sm->serving) {
        /* What this lock() does next: its ticket (and the tickets, which
         * xt_mutex_describe gives). */
        xt_env_mark(mutex->env, "serial wait", &ticket, sizeof ticket);
        int rc = xt_env_tab_wait(mutex->env);
        if (rc != XT_OK)
            return rc; /* XT_ECANCELLED: the tab is going away */
    }
    int rc = sm->inner->ops->lock(sm->inner);
    if (rc < 0)
        serial_next(sm);
    return rc;
}

static void serial_unlock(xt_mutex *mutex)
{
    serial_mutex *sm = (serial_mutex *)mutex;
    sm->inner->ops->unlock(sm->inner);
    serial_next(sm);
}

/* The tickets, then the inner mutex (if it cannot say, neither can we:
 * xt_serial_mutex_new leaves describe NULL then). */
static void serial_describe(const xt_mutex *mutex, xt_describe_fn fold, void *ctx)
{
    const serial_mutex *sm = (const serial_mutex *)mutex;
    uint64_t tickets[2] = {sm->next, sm->serving};
    fold(ctx, tickets, sizeof tickets);
    sm->inner->ops->describe(sm->inner, fold, ctx);
}

static void serial_free(xt_mutex *mutex)
{
    serial_mutex *sm = (serial_mutex *)mutex;
    xt_mutex_free(sm->inner);
    g_free(sm);
}

xt_mutex *xt_serial_mutex_new(xt_env *env, xt_mutex *inner)
{
    assert(env && inner && inner->ops);
    serial_mutex *sm = g_new0(serial_mutex, 1);
    sm->ops = (xt_mutex_ops){
        .name = inner->ops->name,
        .exclusive = inner->ops->exclusive,
        .lock = serial_lock,
        .unlock = serial_unlock,
        .free = serial_free,
        .describe = inner->ops->describe ? serial_describe : NULL,
    };
    sm->base.ops = &sm->ops;
    sm->base.env = env;
    sm->inner = inner;
    return &sm->base;
}
