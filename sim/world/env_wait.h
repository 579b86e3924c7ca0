/*
 * env_wait.h - waits of simulated tabs (env_wait.c): xt_env's wait and
 * storage_notify, the DOM `storage` event that ends them, and clock
 * comparisons (env_clock.c).  Private to sim/.
 */
#ifndef SIM_ENV_WAIT_H
#define SIM_ENV_WAIT_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/world/queue.h"

typedef struct sim_world sim_world;
typedef struct sim_tab sim_tab;
typedef struct sim_task sim_task;

#define SIM_WAIT_BITS 59 /* = SIM_OBJ_KEYS (world.h) */

/* What ended a wait (sim_task_wait.woken_by). */
#define SIM_WOKEN_DEADLINE 0  /* its deadline passed: XT_ETIMEOUT */
#define SIM_WOKEN_NOTIFY (-1) /* a storage_notify of its tab */
#define SIM_WOKEN_QUEUED (-2) /* a change made while the task ran, before it waited */
#define SIM_WOKEN_UNSEEN (-3) /* untimed: writes on their way to its tab (cached, snapshot) */
/* > 0: a change by that tab (index) */

/* A task's part of the waits (sim_task.wait). */
typedef struct sim_task_wait {
    gboolean waiting;         /* in wait and not yet woken */
    const char *const *keys;  /* what it waits for, borrowed from the caller for
                                 the wait; NULL: any key's `storage` event */
    size_t n_keys;
    int64_t deadline_us;      /* -1: none */
    int woken_by;             /* SIM_WOKEN_*, or the index of the tab that changed a key */
    uint64_t mark_events;     /* its tab's storage_events when it last resumed from an await */
    uint64_t mark_seq;        /* world change_seq then */
    uint64_t read_seq[SIM_WAIT_BITS]; /* world change_seq at its last read of a key of
                                         each object bit */
    uint64_t read_bits;       /* object bits of the keys it read since its last state
                                 mark (digests: world_digest.c, env_digest.c) */
    uint64_t begin;           /* world wait_seq when it began: a tab's listeners
                                 are called in the order they were added */
    gboolean following;       /* woken behind another task by one event: in no
                                 queue, it goes on in that task's macrotask */
    sim_task *follow;         /* the next task woken behind this one (a chain
                                 headed by the task the event woke first) */
    gboolean armed;           /* timed: an event ended it, its deadline still in
                                 the queue (SIM_QUEUE_TIMER, env_loop.c) */
    int64_t ended_us;         /* when its last wait ended (its wake-up came: the
                                 listener's instant), -1 while it waits or
                                 when that is its resumption */
    gboolean unseen_posted;   /* timed: its one wake-up is for the writes on
                                 their way, in the queue or, due, in its tab's
                                 ready FIFO (as a deadline's would be) */
} sim_task_wait;

/* g_ptr_array_sort order of sim_task pointers: by when their wait or
 * tab_wait began (a tab's listeners run in the order they were added). */
gint sim_task_wait_cmp_begin(gconstpointer a, gconstpointer b);

/* The xt_env_methods entries (ctx = sim_tab). */
int sim_env_wait(void *ctx, const char *const *keys, size_t n_keys, int64_t timeout_ms);
void sim_env_storage_notify(void *ctx);
/* A task's first storage call since an await: later changes end its next
 * wait at once (env_sim.c). */
void sim_env_wait_mark(sim_world *w, sim_task *t);

/* Does t wait for key (its keys; not any-key waits)? */
gboolean sim_env_waits_for(const sim_task *t, const char *key);
/* End the waits of woken (cleared after) that one event ends, as a
 * browser calls the listeners (env_wait.c): by is SIM_WOKEN_* or a tab;
 * in own, they go on behind the running task. */
void sim_env_wake_in_order(sim_world *w, GPtrArray *woken, int by, const sim_tab *own);

/* env_loop.c, timed: the `storage` event of key's change by tab by (change
 * seq) reaches busy tab: queued as a task of its own. */
void sim_env_events_queue(sim_world *w, sim_tab *tab, const char *key, int by, uint64_t seq);
/* env_loop.c: will the events task queued in t's tab, if any, end the
 * wait t begins (its listener is there when that task runs)? */
gboolean sim_env_events_will_end(const sim_task *t);
/* env_loop.c: the deadline of a wait an event ended stays armed (timed).
 * Arm: the entry at heap index at becomes t's timer.  Clear: t resumed,
 * its timer leaves.  Fired: its entry came up; TRUE when its task is to be
 * dispatched now (the timer ended the wait first), FALSE when the step
 * does nothing more. */
void sim_env_timer_arm(sim_world *w, sim_task *t, size_t at);
void sim_env_timer_clear(sim_world *w, sim_task *t);
gboolean sim_env_timer_fired(sim_world *w, const sim_queue_entry *e);
/* env_loop.c, timed: t's deadline fired while its tab was busy and waits
 * in the tab's ready FIFO; an event that ends the wait first clears it
 * (clearTimeout), so a task that does nothing takes t's place there.
 * FALSE, changing nothing, when t is not in that FIFO. */
gboolean sim_env_timer_clear_queued(sim_world *w, sim_task *t);
/* The running task read key: a change it has seen does not end its wait. */
void sim_env_wait_read(sim_world *w, sim_task *t, const char *key);
/* After a successful write of key by the running task (env_sim.c wrote):
 * if it changed a value of the browser's map, the waits it ends end.  Not
 * in the snapshot model, whose writes reach the map when a checkpoint
 * lands. */
void sim_env_storage_changed(sim_world *w, const char *key);

/* env_clock.c.  The xt_env_methods clock_passed entry (ctx = sim_tab):
 * Date.now() >= at_ms; untimed, when it has not, the adversary may move
 * the clock to at_ms (a DATA choice). */
gboolean sim_env_clock_passed(void *ctx, int64_t at_ms);

#endif
