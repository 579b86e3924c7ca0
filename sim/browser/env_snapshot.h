/*
 * env_snapshot.h - the world's side of the snapshot storage model
 * (env_snapshot.c), and what env_sim.c lends it.  Private to sim/.
 */
#ifndef SIM_ENV_SNAPSHOT_H
#define SIM_ENV_SNAPSHOT_H

#include "sim/world/world.h"

/* At a storage call (env_sim.c storage_turn): the first of its task takes
 * the tab's snapshot, after landing the checkpoints the chooser picks. */
void sim_env_snapshot_begin(sim_tab *tab, sim_task *t);
/* The tab sends the parent another message (a Web Locks request or
 * release): one channel, so its checkpoints in flight land first. */
void sim_env_snapshot_channel(sim_tab *tab, const char *what);
/* The tab's JavaScript task is over (world.c tab_release): checkpoint. */
void sim_env_snapshot_task_end(sim_tab *tab, int task_id);
/* End of run, before the checks: every checkpoint lands. */
void sim_env_snapshot_settle(sim_world *w);
/* Whether checkpoints of other tabs than tab are still in flight. */
gboolean sim_env_snapshot_unseen(const sim_world *w, int tab);

/* env_sim.c: a write of key others may now see (waiting-loop detection),
 * and how the timeline shows a value (NULL: as it is). */
void sim_env_note_write(sim_world *w, const char *key);
char *sim_env_value_summary(const sim_world *w, const char *key, const char *value);

#endif
