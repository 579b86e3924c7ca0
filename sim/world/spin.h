/*
 * sim/world/spin.h - a task's part of the waiting-loop detection of
 * untimed search (env_sim.c): an await loop that re-reads the same values
 * and writes nothing is disabled until some tab writes what it read.
 */
#ifndef SIM_SPIN_H
#define SIM_SPIN_H

#include <glib.h>
#include <stdint.h>

typedef struct sim_task_spin {
    uint32_t sig;         /* hash of the reads since the last await */
    uint32_t reads;
    gboolean dirty;       /* wrote or read the clock since the last await */
    gboolean prev_valid, blocked;
    uint32_t prev_sig;
    uint64_t mask;        /* key bits the iteration read */
    uint64_t hint;        /* XT_OBS_WAIT: the key bit the await waits on, 0 = none */
    uint64_t version;     /* their write count at the last await */
} sim_task_spin;

#endif
