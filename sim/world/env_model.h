/*
 * sim/world/env_model.h - what the simulated environment (env_sim.c) lends
 * the storage models (sim/browser/model_*.c): recording a call's DPOR
 * footprint, accounting for a write others may see, and showing values in
 * the timeline.  Models include this and world.h; the environment includes
 * only storage_model.h, so the dependency runs one way.
 */
#ifndef SIM_ENV_MODEL_H
#define SIM_ENV_MODEL_H

#include "sim/world/world.h"

/* FNV-1a of a key or lock name: its object bit is this modulo SIM_OBJ_KEYS. */
uint32_t sim_env_text_hash(const char *text);
/* The running step read (or wrote) key's object, when an explorer listens. */
void sim_env_access_key(sim_world *w, const char *key, gboolean write);
/* The running step changed the key set (what length and key(i) read). */
void sim_env_keyset_changed(sim_world *w);
/* The running task wrote key in the shared map with result rc: the waits
 * it ends (env_wait.c). */
void sim_env_wrote(sim_world *w, const char *key, int rc);
/* How the timeline shows a value (NULL: as it is); caller frees. */
char *sim_env_value_summary(const sim_world *w, const char *key, const char *value);
/* A change of key (NULL: of keys not known) made by tab from reached the
 * shared map (env_wait.c): the waits it ends end. */
void sim_env_storage_changed_by(sim_world *w, sim_tab *from, const char *key);
/* A write of key by tab from is on its way to the shared map (a snapshot
 * checkpoint leaving): untimed, the waits for key of other tabs end, and
 * their next view receives a write (env_wait.c). */
void sim_env_storage_sent(sim_world *w, sim_tab *from, const char *key);
/* Writes on their way to a waiting tab: how long until it looks again
 * (untimed at once; timed when they have certainly arrived). */
int64_t sim_env_unseen_delay_us(const sim_world *w);

#endif
