/*
 * tab.c - what a simulated tab runs: the SDK and its application.
 *
 * A tab's main task is its first script: it reads bucketeer_debug, builds
 * the SDK instance (event store, mutex, thread-safe store, processor) with
 * the scenario's options, starts the flush loop as a separate task, and then
 * plays the workload: in mode "events" it adds events at intervals through
 * the SDK's fire-and-forget addEvent; in mode "lock" it only takes and
 * releases the lock, holding it for a drawn time.  Event ids are
 * "t<tab>-e<n>", so a timeline names the tab that made each event.
 */
#include "sim/programs/algorithms.h"
#include "sim/world/world.h"

/* The scenario's algorithm (sim/programs/algorithms.c), for this tab. */
static xt_mutex *tab_mutex_new(sim_tab *tab)
{
    xt_mutex_host host = {tab->client_id, tab->index, (int)tab->world->scenario->tabs, "user-1"};
    return sim_algorithm_mutex_new(tab->world->scenario, &tab->env, &host);
}

static int64_t tab_interval_ms(sim_tab *tab)
{
    const sim_scenario *s = tab->world->scenario;
    return sim_choose_range(tab->world->chooser, s->interval_ms_min, s->interval_ms_max);
}

static int hold_lock(void *arg)
{
    sim_tab *tab = arg;
    const sim_scenario *s = tab->world->scenario;
    int64_t hold = sim_choose_range(tab->world->chooser, s->hold_ms_min, s->hold_ms_max);
    /* Always an await, even for 0 ms: the critical section then spans a
     * scheduling point, so an overlap with another tab can be observed. */
    return xt_env_sleep_ms(&tab->env, hold);
}

static void lock_loop(sim_tab *tab)
{
    while (tab->work_done < tab->world->scenario->locks_per_tab) {
        if (xt_env_sleep_ms(&tab->env, tab_interval_ms(tab)) == XT_ECANCELLED)
            return;
        tab->work_done++;
        if (xt_mutex_with_lock(tab->lock_mutex, hold_lock, tab) == XT_ECANCELLED)
            return;
    }
}

static void flush_task(void *arg)
{
    sim_tab *tab = arg;
    xt_processor_run(tab->processor);
}

static void event_loop(sim_tab *tab)
{
    sim_world *w = tab->world;
    while (tab->work_done < w->scenario->events_per_tab) {
        if (xt_env_sleep_ms(&tab->env, tab_interval_ms(tab)) == XT_ECANCELLED)
            return;
        char id[48];
        g_snprintf(id, sizeof id, "t%d-e%" G_GINT64_FORMAT, tab->index, ++tab->work_done);
        xt_event *event = xt_event_new(id, xt_env_now_ms(&tab->env), "goal");
        w->monitor->c.events_tracked++;
        int rc = xt_ts_store_track(tab->ts, event);
        xt_event_free(event);
        if (rc == XT_ECANCELLED)
            return;
    }
}

static void sdk_start(sim_tab *tab)
{
    sim_world *w = tab->world;
    const sim_scenario *s = w->scenario;
    xt_event_store *store = xt_event_store_new(&tab->env, "user-1", w->events_key);
    tab->ts = xt_ts_store_new(&tab->env, store, tab_mutex_new(tab), (xt_cross_tab_safety)s->cross_tab_safety);
    xt_ts_store_set_keep_unstored(tab->ts, s->keep_unstored);
    if (!s->flush_enabled)
        return;
    xt_processor_options o;
    xt_processor_options_init(&o);
    o.flush_interval_ms = s->flush_interval_ms;
    o.batch_max = (size_t)s->batch_max;
    o.send_under_lock = s->send_under_lock;
    tab->processor = xt_processor_new(&tab->env, tab->ts, &o);
    sim_task *flush = sim_world_spawn(w, tab, flush_task, tab, FALSE);
    sim_world_post(w, flush, 0, TRUE);
}

void sim_tab_main(void *arg)
{
    sim_tab *tab = arg;
    const sim_scenario *s = tab->world->scenario;
    xt_env_debug_init(&tab->env);
    if (s->workload_mode == SIM_WORKLOAD_LOCK) {
        tab->lock_mutex = tab_mutex_new(tab);
        lock_loop(tab);
    } else {
        sdk_start(tab);
        event_loop(tab);
    }
    tab->main_done = TRUE;
}

void sim_tab_instance_free(sim_tab *tab)
{
    if (tab->processor)
        xt_processor_free(tab->processor);
    if (tab->ts)
        xt_ts_store_free(tab->ts);
    if (tab->lock_mutex)
        xt_mutex_free(tab->lock_mutex);
    g_free(tab->client_id);
    tab->processor = NULL;
    tab->ts = NULL;
    tab->lock_mutex = NULL;
    tab->client_id = NULL;
}
