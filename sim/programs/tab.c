/*
 * tab.c - what every simulated tab does, whatever program it runs.
 *
 * A tab's main task is its first script: it reads bucketeer_debug (the
 * environment's debug switch), then runs the scenario's program
 * (sim/programs/program.h) from where the tab's workload stands, so that a
 * reloaded tab's new instance goes on where the old one stopped.  The
 * helpers below are what programs share: the scenario's mutex built for
 * this tab, and the drawn wait before each unit of work.
 */
#include "sim/programs/algorithms.h"
#include "sim/programs/program.h"
#include "sim/world/world.h"

xt_mutex *sim_tab_mutex_new(sim_tab *tab)
{
    xt_mutex_host host = {tab->client_id, tab->index, (int)tab->world->scenario->tabs, "user-1"};
    return sim_algorithm_mutex_new(tab->world->scenario, &tab->env, &host);
}

int64_t sim_tab_interval_ms(sim_tab *tab)
{
    const sim_scenario *s = tab->world->scenario;
    return sim_choose_range(tab->world->chooser, s->interval_ms_min, s->interval_ms_max);
}

void sim_tab_main(void *arg)
{
    sim_tab *tab = arg;
    xt_env_debug_init(&tab->env);
    tab->world->program->main(tab);
    tab->main_done = TRUE;
}

void sim_tab_instance_free(sim_tab *tab)
{
    tab->world->program->instance_free(tab);
    g_free(tab->client_id);
    tab->client_id = NULL;
}
