/*
 * env_parts.h - what env_sim.c shares with the files that implement the
 * rest of the simulated environment (env_observe.c, env_promise.c).  Private to sim/.
 */
#ifndef SIM_ENV_PARTS_H
#define SIM_ENV_PARTS_H

#include "sim/world/world.h"

/* FNV-1a of a key or lock name: its object bit is this modulo SIM_OBJ_KEYS. */
uint32_t sim_env_text_hash(const char *text);
/* The xt_env_methods observe entry (ctx = sim_tab). */
void sim_env_observe(void *ctx, const xt_obs *o);
/* Is t its tab's only live task, the tab free for it and not frozen
 * (env_eager.c)? */
gboolean sim_env_task_alone(const sim_world *w, const sim_task *t);
/* tab_wait and tab_wake (env_promise.c). */
int sim_env_tab_wait(void *ctx);
void sim_env_tab_wake(void *ctx);

#endif
