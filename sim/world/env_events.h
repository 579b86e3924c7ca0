/*
 * env_events.h - the `storage` event of simulated tabs (env_events.c):
 * xt_env's storage_wait and storage_notify, and what env_sim.c lends it.
 * Private to sim/.
 */
#ifndef SIM_ENV_EVENTS_H
#define SIM_ENV_EVENTS_H

#include <glib.h>
#include <stdint.h>

typedef struct sim_world sim_world;
typedef struct sim_tab sim_tab;
typedef struct sim_task sim_task;

/* A task's part of the `storage` event (sim_task.listen). */
typedef struct sim_task_listen {
    gboolean waiting;  /* in storage_wait */
    int woken_by;      /* what ended the last wait: 0 its time, a tab index, -1 a notify,
                          -2 an event queued while the task ran */
    uint64_t mark;     /* events for its tab when it last resumed from an await */
} sim_task_listen;

/* The xt_env_methods entries (ctx = sim_tab). */
int sim_env_storage_wait(void *ctx, int64_t ms);
void sim_env_storage_notify(void *ctx);
/* After a successful write of the running task (env_sim.c wrote): if it
 * changed a value of the browser's map, the other tabs' waits end.  Not in
 * the snapshot model, whose writes reach the map when a checkpoint lands. */
void sim_env_storage_changed(sim_world *w);
/* The same for a change that tab from made, whenever it reaches the map
 * (model_snapshot.c calls this when a checkpoint lands). */
void sim_env_storage_changed_by(sim_world *w, sim_tab *from);
/* `storage` events for tab so far: value changes made by other tabs. */
uint64_t sim_env_storage_events(const sim_tab *tab);

/* env_sim.c: an await closes a waiting-loop iteration (untimed). */
void sim_env_spin_await(sim_world *w, sim_task *t);

#endif
