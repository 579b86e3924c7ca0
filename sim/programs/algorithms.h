/*
 * sim/programs/algorithms.h - the mutex algorithms a scenario can name.
 *
 * Each is a descriptor exported by core/ (xt/mutex_algorithm.h): name,
 * summary, settings, constructor and declared uncontended cost.  The
 * registry (algorithms.c) is the only place in sim/ that lists them; the
 * scenario loader makes a group of each one's settings ([seed], [lamport],
 * ...), tabs build theirs through it, and the statistics compare measured
 * costs with the declared ones.
 */
#ifndef SIM_ALGORITHMS_H
#define SIM_ALGORITHMS_H

#include "sim/scenario/scenario.h"
#include "xt/mutex_algorithm.h"

/* NULL-terminated, in [mutex] algorithm order; the default is "seed". */
extern const xt_mutex_algorithm *const sim_algorithms[];
/* Their names, NULL-terminated (the [mutex] algorithm key's values). */
const char *const *sim_algorithm_names(void);
/* Index of the algorithm a descriptor is, or -1. */
int sim_algorithm_index(const xt_mutex_algorithm *algorithm);
/* The scenario's algorithm. */
const xt_mutex_algorithm *sim_scenario_algorithm(const sim_scenario *scenario);
/* Its code is the same for every tab: it writes no tab id to storage and
 * orders no tabs by it (Web Locks, none), so tabs running it are
 * interchangeable (--symmetry).  FALSE for an algorithm not known to be. */
gboolean sim_algorithm_anonymous(const xt_mutex_algorithm *algorithm);
/* It is a lock: FALSE for none (no lock at all), whose scenarios claim no
 * mutual exclusion. */
gboolean sim_algorithm_excludes(const xt_mutex_algorithm *algorithm);
/* A new mutex of the scenario's algorithm, with its settings, for host. */
xt_mutex *sim_algorithm_mutex_new(const sim_scenario *scenario, xt_env *env, const xt_mutex_host *host);

#endif
