/*
 * program_lock.c - [workload] mode = lock: the mutex alone.
 *
 * Each tab takes and releases the scenario's lock locks_per_tab times (or,
 * with [workload] forever, for ever: the starvation check's workload,
 * sim/explore/explore_live.h), a drawn interval apart, holding it for a
 * drawn time.  The loop head is a state mark (xt_env_mark) with no live
 * value: what an iteration does depends only on the tab's fields
 * (work_done, which a workload for ever does not count) and what the
 * environment returns from then on, so iterations close into cycles of
 * the state graph.  It stores no
 * events, so it claims only mutual exclusion and progress: the flush's own
 * duplicates cannot hide a broken lock here.
 */
#include "sim/programs/algorithms.h"
#include "sim/programs/program.h"
#include "sim/world/world.h"
#include "xt/mutex.h"

static int hold_lock(void *arg)
{
    sim_tab *tab = arg;
    const sim_scenario *s = tab->world->scenario;
    int64_t hold = sim_choose_range(tab->world->chooser, s->hold_ms_min, s->hold_ms_max);
    /* Always an await, even for 0 ms: the critical section then spans a
     * scheduling point, so an overlap with another tab can be observed. */
    return xt_env_sleep_ms(&tab->env, hold);
}

static void lock_main(sim_tab *tab)
{
    xt_mutex *m = sim_tab_mutex_new(tab);
    tab->program_state = m;
    const sim_scenario *s = tab->world->scenario;
    while (s->forever || tab->work_done < s->locks_per_tab) {
        xt_env_mark(&tab->env, "lock loop", NULL, 0);
        if (xt_env_sleep_ms(&tab->env, sim_tab_interval_ms(tab)) == XT_ECANCELLED)
            return;
        if (!s->forever)
            tab->work_done++;
        if (xt_mutex_with_lock(m, hold_lock, tab) == XT_ECANCELLED)
            return;
    }
}

static void lock_instance_free(sim_tab *tab)
{
    if (tab->program_state)
        xt_mutex_free(tab->program_state);
    tab->program_state = NULL;
}

static const char *const lock_keys[] = {"workload.locks_per_tab", "workload.forever", "workload.hold_ms_min", "workload.hold_ms_max",
                                        NULL};

/* Web Locks and no lock at all use no tab id: each tab's code is the
 * same, and the manager (which names the tabs) is renamed by the digest.
 * The others write their tab's id into storage or order the tabs by it
 * (Lamport's b-wait scans them by index). */
static const char *lock_asymmetric(const sim_scenario *s)
{
    if (sim_algorithm_anonymous(sim_algorithms[s->algorithm]))
        return NULL;
    return "this lock's code uses its tab's id (in storage, or to order the tabs)";
}

const sim_program_ops sim_program_lock = {
    .name = "lock",
    .doc = "tabs only take and release the lock",
    .claims = SIM_INV_MUTUAL_EXCLUSION | SIM_INV_PROGRESS,
    .keys = lock_keys,
    .main = lock_main,
    .instance_free = lock_instance_free,
    .asymmetric = lock_asymmetric,
};
