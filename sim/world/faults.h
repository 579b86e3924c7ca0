/*
 * sim/world/faults.h - tab faults ([faults]): where a tab may be closed,
 * reloaded, frozen or stalled, each a chooser decision.  The fault model is stated
 * at the top of faults.c.
 */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include "sim/world/world.h"

/* One bounded fault's decision at a scheduling point: exhaustive explores
 * both answers, random strikes with pct percent; answer 0 = no. */
gboolean sim_world_fault_strikes(sim_world *world, int64_t pct);
/* At t's scheduling point (t popped from the queue, about to step): maybe
 * close, reload, freeze or stall its tab.  TRUE when the step is used up. */
gboolean sim_world_fault(sim_world *world, sim_task *t);

#endif
